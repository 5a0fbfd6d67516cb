"""The fast embedding tier (``embedder="fast"``) beside the default, side by side in one run.

* Speed: texts/s of the fast tier's embedder (static e5 tokens adapted on the data + character TF-IDF)
  on 100,000 texts made by joining two random real texts (nsmc, steam_ko, banking77 train, maalej),
  after its fit; texts/s of the default (e5 + character TF-IDF) on 500 of them with an empty cache.
* Themes: the default pipeline with each embedder on banking77 test (77 intents) and parakqc (1,000
  paraphrase groups), seeds 0, 1 and 42: NMI / ARI / themes / unassigned.
* Routes: each candidate embedding alone (e5, the distilled table, the table adapted on the data, a
  character n-gram model, the shipped tier) scored by KMeans with the true k on both sets.
* Tags: the shipped tagging heads read the fast tier's vectors (adapted to e5) instead of e5's: Korean
  sentiment on the held-out nsmc reviews and English sentiment on held-out maalej reviews, as
  benchmarks/tagging.py measures them.

Run:  python benchmarks/fast_tier.py        (about 25 minutes on 2 cores the first time; e5 vectors in benchmarks/.cache)
      python benchmarks/fast_tier.py --speed-only   (the speed line alone, ≈ 2 minutes; the rest kept)
      python benchmarks/fast_tier.py --themes-only  (the themes part alone, ≈ 8 minutes; the rest kept)
"""
from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

sys.path.insert(0, str(Path(__file__).resolve().parent))
import tagging_data as data  # noqa: E402
from common import CACHE, SHARED, load_dataset, load_maalej, write_results  # noqa: E402
from tagging import sentiment_figures  # noqa: E402

import feedmine as fm  # noqa: E402
from feedmine.embed import E5Embedder, HybridEmbedder, StaticEmbedder  # noqa: E402
from feedmine.tagging import FeedbackTagger  # noqa: E402

SEEDS = (0, 1, 42)


def fast(cache=CACHE) -> HybridEmbedder:
    """The fast tier exactly as ``embedder="fast"`` builds it (static table + sampled char TF-IDF)."""
    return fm.api.make_embedder("fast", cache_dir=cache, progress=False)


def default(cache=CACHE) -> HybridEmbedder:
    return HybridEmbedder(semantic=E5Embedder(cache_dir=cache, progress=False), progress=False)


def real_pairs(n: int, seed: int = 0) -> list[str]:
    """``n`` texts, each two random real texts joined (so that no two are the same text)."""
    parts = [pd.read_csv(SHARED / "nsmc" / "nsmc_sample.csv")["document"],
             pd.read_csv(SHARED / "steam_ko" / "steam_reviews.csv")["document"],
             pd.read_csv(SHARED / "banking77" / "train.csv")["text"], load_maalej()["text"]]
    pool = pd.concat(parts, ignore_index=True).dropna().astype(str).to_numpy()
    rng = np.random.RandomState(seed)
    return [f"{a} {b}" for a, b in zip(pool[rng.randint(len(pool), size=n)], pool[rng.randint(len(pool), size=n)])]


def speed() -> dict:
    texts = real_pairs(100_000)
    embedder = fast().set_params(random_state=0)
    t0 = time.perf_counter()
    embedder.fit(texts[:20_000])
    fit_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    embedder.transform(texts)
    fast_rate = len(texts) / (time.perf_counter() - t0)
    with tempfile.TemporaryDirectory() as tmp:
        sample = texts[:500]
        t0 = time.perf_counter()
        default(cache=Path(tmp)).fit(sample).transform(sample)
        default_rate = len(sample) / (time.perf_counter() - t0)
    return {"fast_texts_per_s": round(fast_rate), "default_texts_per_s": round(default_rate, 1),
            "ratio": round(fast_rate / default_rate, 1), "fast_fit_seconds_on_20000": round(fit_s, 1),
            "texts": "100,000 joins of two random real texts (nsmc, steam_ko, banking77 train, maalej)"}


def themes() -> dict:
    out = {}
    for name in ("banking77", "parakqc"):
        texts, y, _ = load_dataset(name)
        table = pd.DataFrame({"text": texts})
        rows = {"default": [], "fast": []}
        for seed in SEEDS:
            for label, make in (("default", default), ("fast", fast)):
                t0 = time.perf_counter()
                result = fm.Pipeline(embedder=make(), random_state=seed, progress=False).fit(table, text="text").result_
                labels = result.documents["theme_id"].fillna(-1).astype(int).to_numpy()
                rows[label].append({"seed": seed, "nmi": round(normalized_mutual_info_score(y, labels), 4),
                                    "ari": round(adjusted_rand_score(y, labels), 4),
                                    "n_themes": int(result.meta["n_themes"]),
                                    "unassigned_share": round(float((labels < 0).mean()), 4),
                                    "seconds": round(time.perf_counter() - t0, 1)})
                print(name, label, rows[label][-1], flush=True)
        out[name] = {label: {"runs": r, "mean_nmi": round(float(np.mean([x["nmi"] for x in r])), 4),
                             "mean_ari": round(float(np.mean([x["ari"] for x in r])), 4)} for label, r in rows.items()}
    return out


def routes() -> dict:
    """The routes to a fast tier, each embedding alone, scored by KMeans with the true number of groups
    (seed 0): e5 itself, the table distilled piece by piece (model2vec's method), that table adapted on
    2,000 of the texts (the tokenlearn idea: regress e5's sentence vectors on token bags), a hashed
    character n-gram model (char TF-IDF + SVD), and the fast tier as shipped (adapted table + TF-IDF)."""
    from sklearn.cluster import KMeans

    from feedmine.embed import TfidfEmbedder

    out = {}
    for name in ("banking77", "parakqc"):
        texts, y, _ = load_dataset(name)
        k = int(pd.Series(y).nunique())
        makers = {"e5": lambda: E5Embedder(cache_dir=CACHE, progress=False),
                  "distilled table (adapt=0)": lambda: StaticEmbedder(adapt=0, cache_dir=CACHE, progress=False),
                  "distilled + adapted on 2,000": lambda: StaticEmbedder(cache_dir=CACHE, progress=False, random_state=0),
                  "char n-gram TF-IDF + SVD": lambda: TfidfEmbedder(random_state=0),
                  "fast tier (adapted + TF-IDF)": lambda: fast().set_params(random_state=0)}
        out[name] = {}
        for label, make in makers.items():
            X = make().fit(texts).transform(texts)
            pred = KMeans(n_clusters=k, n_init=3, random_state=0).fit_predict(X)
            out[name][label] = {"nmi": round(normalized_mutual_info_score(y, pred), 4),
                                "ari": round(adjusted_rand_score(y, pred), 4)}
            print(name, label, out[name][label], flush=True)
    return out


def tags() -> dict:
    sets = data.load()
    out = {}
    for name, label_of in (("nsmc", lambda df: df["label"].to_numpy(int)),
                           ("maalej", lambda df: (df["rating"].to_numpy() >= 4).astype(int))):
        df = sets[name][sets[name]["split"] == "test"].reset_index(drop=True)
        if name == "maalej":
            df = df[df["rating"] != 3].reset_index(drop=True)
        texts, langs, y = df["text_clean"].tolist(), df["lang"].tolist(), label_of(df)
        out[name] = {"n": len(y)}
        for label, embedder in (("e5 (default)", E5Embedder(cache_dir=CACHE, progress=False)),
                                ("fast tier", StaticEmbedder(cache_dir=CACHE, progress=False, random_state=0))):
            X = embedder.fit(texts).transform(texts)
            t = FeedbackTagger().fit(texts).transform(texts, langs, X, embedder)
            out[name][label] = dict(sentiment_figures(t, y), tag_method=t["tag_method"].iloc[0])
        print(name, out[name], flush=True)
    return out


def _replace_part(key: str, value: dict) -> int:
    """Write ``value`` as part ``key`` of results/fast_tier.json, keeping the other parts as they were."""
    import json

    from common import RESULTS

    path = RESULTS / "fast_tier.json"
    out = {**(json.loads(path.read_text()) if path.exists() else {}), key: value}
    print(f"wrote {write_results('fast_tier', out)}")
    return 0


def main() -> int:
    if "--themes-only" in sys.argv[1:]:  # re-measure the theme quality, keep the rest as it was
        return _replace_part("themes", themes())
    out = {"speed": speed()}
    print("speed", out["speed"], flush=True)
    if "--speed-only" in sys.argv[1:]:  # re-measure the speed beside the default, keep the rest as it was
        return _replace_part("speed", out["speed"])
    out["routes"] = routes()
    out["themes"] = themes()
    out["tags"] = tags()
    print(f"wrote {write_results('fast_tier', out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
