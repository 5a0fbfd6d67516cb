"""Keyword quality and Korean tokenizer speed: feedmine's keywords vs BERTopic's default representation.

(a) banking77 test (3,080 English queries, 77 intents): feedmine's default pipeline clusters the texts;
    each theme gets its majority intent, and a theme "hits" when its top-5 keywords contain a word of
    the intent's name split on "_" (card_arrival -> card, arrival; words of <= 2 letters ignored;
    both sides singularised with feedmine's rule, so BERTopic's "cards" counts for "card").
    BERTopic's default representation is computed on the SAME theme assignment and texts, the way
    BERTopic computes it: the theme's documents joined into one, sklearn ``CountVectorizer()`` (its
    default vectorizer), ``bertopic.vectorizers.ClassTfidfTransformer()``, top words by weight.
    Shown for reference: BERTopic with ``CountVectorizer(stop_words="english")`` (its documented
    tip) and feedmine's describer with ``diversity=0`` (MMR off).
(b) parakqc (Korean; first ``--parakqc-limit`` rows, default 3,000 of 10,000): share of Korean
    keywords (top 10 per theme) that are a whole eojeol with a particle attached (메일을, 날씨는):
    kiwipiepy analyses the keyword as noun(s) followed by J* particle(s), judged in the sentence where
    the keyword occurs (and, stricter but error-prone, alone). Same comparison as (a).
(c) Tokenizer speed on ``--speed-items`` Korean items (default 2,000) from data/samples/movie_reviews_ko.csv
    (1,200 rows, cycled): items/s for kiwi (typos "basic", the default, and None), okt and mecab,
    warm (first load + one warm-up call timed separately as "load_s").

Run:  python benchmarks/keywords.py [--parts a b c] [--banking-limit N] [--parakqc-limit 3000]
Needs: pip install -e ".[bench,konlpy,mecab]"
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import CACHE, ROOT, SHARED, write_results  # noqa: E402

import feedmine as fm  # noqa: E402
from feedmine.embed import E5Embedder, HybridEmbedder  # noqa: E402
from feedmine.text.tokenize import _HANGUL, KeywordTokenizer, singularize  # noqa: E402
from feedmine.themes.describe import ThemeDescriber  # noqa: E402

TOP_HIT = 5
TOP_KO = 10


def cluster(texts: list[str], seed: int):
    """feedmine's default pipeline (only the e5 cache folder is the benchmark's own)."""
    embedder = HybridEmbedder(semantic=E5Embedder(cache_dir=CACHE, progress=False), progress=False)
    t0 = time.perf_counter()
    result = fm.Pipeline(embedder=embedder, random_state=seed, progress=False).run(
        pd.DataFrame({"text": texts}), text="text")
    docs = result.documents
    used = docs["theme_id"].notna().to_numpy()
    labels = docs.loc[used, "theme_id"].astype(int).to_numpy()
    clean = docs.loc[used, "text_clean"].tolist()
    keywords = {int(r.theme_id): list(r.keywords) for r in result.themes.itertuples()}
    return used, labels, clean, keywords, time.perf_counter() - t0


def bertopic_keywords(clean: list[str], labels: np.ndarray, top_n: int = 10, **cv_kwargs) -> dict:
    """BERTopic's default topic representation (c-TF-IDF over CountVectorizer) for given labels."""
    from bertopic.vectorizers import ClassTfidfTransformer
    from sklearn.feature_extraction.text import CountVectorizer

    topics = np.unique(labels)
    joined = [" ".join(d for d, l in zip(clean, labels) if l == t) for t in topics]
    cv = CountVectorizer(**cv_kwargs)
    X = cv.fit_transform(joined)
    ctfidf = ClassTfidfTransformer().fit(X).transform(X).toarray()
    words = cv.get_feature_names_out()
    out = {}
    for row, t in enumerate(topics):
        order = np.lexsort((np.arange(len(words)), -ctfidf[row]))[:top_n]
        out[int(t)] = [str(words[j]) for j in order if ctfidf[row, j] > 0]
    return out


def feedmine_keywords_no_mmr(clean, labels) -> dict:
    d = ThemeDescriber(diversity=0, n_quotes=0).fit(clean, labels, np.zeros((len(clean), 1)))
    return {int(r.theme_id): list(r.keywords) for r in d.themes_.itertuples()}


def intent_words(intent: str) -> set[str]:
    return {singularize(w.lower()) for w in intent.split("_") if len(w) > 2}


def hit_share(keywords: dict, majority: dict) -> float:
    hits = []
    for t, intent in majority.items():
        words = {singularize(w.lower()) for k in keywords.get(t, [])[:TOP_HIT] for w in k.split()}
        hits.append(bool(words & intent_words(intent)))
    return round(float(np.mean(hits)), 4) if hits else float("nan")


def part_a(args) -> dict:
    df = pd.read_csv(SHARED / "banking77" / "test.csv")
    if args.banking_limit:
        df = df.iloc[: args.banking_limit]
    used, labels, clean, fm_kw, secs = cluster(df["text"].tolist(), args.seed)
    cats = df["category"].to_numpy()[used]
    majority = {int(t): Counter(cats[labels == t]).most_common(1)[0][0] for t in np.unique(labels) if t >= 0}
    rows = {
        "feedmine (default, MMR 0.3)": hit_share(fm_kw, majority),
        "feedmine (diversity=0)": hit_share(feedmine_keywords_no_mmr(clean, labels), majority),
        "BERTopic default (CountVectorizer())": hit_share(bertopic_keywords(clean, labels), majority),
        "BERTopic stop_words='english'": hit_share(bertopic_keywords(clean, labels, stop_words="english"), majority),
    }
    examples = {majority[t]: {"feedmine": fm_kw[t][:TOP_HIT],
                              "bertopic": bertopic_keywords(clean, labels)[t][:TOP_HIT]}
                for t in list(majority)[:5]}
    return {"items": int(len(df)), "themes": len(majority), "pipeline_s": round(secs, 1),
            "hit_share_top5": rows, "examples": examples}


def _particle_tail(tags: list[str]) -> bool:
    """Noun(s) followed by one or more J* particles."""
    k = len(tags)
    while k and tags[k - 1].startswith("J"):
        k -= 1
    return 0 < k < len(tags) and all(t.startswith("N") or t in ("XR", "XSN", "SH") for t in tags[:k])


def particle_checkers(texts: list[str]):
    """Two judges of "is this keyword an eojeol with a particle attached?".

    ``in_context``: the keyword is looked up where it occurs as a whole eojeol in the corpus, and
    kiwi's analysis of that sentence decides (up to 3 occurrences; attached if any is noun +
    particle). A keyword that never occurs as a whole eojeol (a lemma such as 여기다 from 여겨, or
    받다) cannot be one. ``alone``: kiwi analyses the keyword by itself, which misreads real nouns
    (파도 → 파 + 도) and verb lemmas (여기다 → 여기 + 다); reported as the stricter reading.
    """
    import re

    from kiwipiepy import Kiwi

    kiwi = Kiwi()
    where: dict[str, list[tuple[int, int]]] = {}
    for i, text in enumerate(texts):
        for m in re.finditer(r"\S+", text):
            word = m.group(0).strip(".,!?~\"'()[]")
            start = m.start() + m.group(0).index(word) if word else m.start()
            where.setdefault(word, []).append((i, start))

    def in_context(word: str) -> bool:
        for i, start in where.get(word, [])[:3]:
            tags = [t.tag.split("-")[0] for t in kiwi.tokenize(texts[i])
                    if start <= t.start < start + len(word)]
            if _particle_tail(tags):
                return True
        return False

    def alone(word: str) -> bool:
        return _particle_tail([t.tag.split("-")[0] for t in kiwi.tokenize(word)])

    return {"in_context": in_context, "alone": alone}


def particle_share(keywords: dict, checkers: dict) -> dict:
    ko = [w for t, ks in keywords.items() if t >= 0 for k in ks[:TOP_KO] for w in k.split()
          if _HANGUL.search(w)]
    out: dict = {"korean_keywords": len(ko)}
    for name, attached in checkers.items():
        bad = [w for w in ko if attached(w)]
        out[name] = {"with_particle": len(bad), "share": round(len(bad) / len(ko), 4) if ko else float("nan"),
                     "examples": sorted(set(bad))[:8]}
    return out


def part_b(args) -> dict:
    df = pd.read_csv(SHARED / "parakqc" / "parakqc.csv").iloc[: args.parakqc_limit]
    used, labels, clean, fm_kw, secs = cluster(df["text"].tolist(), args.seed)
    checkers = particle_checkers(df["text"].astype(str).tolist())
    return {"items": int(len(df)), "themes": int(len(set(labels[labels >= 0]))), "pipeline_s": round(secs, 1),
            "feedmine": particle_share(fm_kw, checkers),
            "BERTopic default (CountVectorizer())": particle_share(bertopic_keywords(clean, labels), checkers)}


def part_c(args) -> dict:
    texts = pd.read_csv(ROOT / "data" / "samples" / "movie_reviews_ko.csv")["text"].dropna().astype(str).tolist()
    texts = [texts[i % len(texts)] for i in range(args.speed_items)]
    out = {}
    for name, kw in [("kiwi", {"korean_backend": "kiwi"}), ("kiwi typos=None", {"korean_backend": "kiwi", "typos": None}),
                     ("okt", {"korean_backend": "okt"}), ("mecab", {"korean_backend": "mecab"})]:
        tok = KeywordTokenizer(**kw)
        t0 = time.perf_counter()
        tok.tokenize_many(texts[:1])  # model load (+ kiwi's typo set-up) and a first call
        load = time.perf_counter() - t0
        tok.tokenize_many(texts[:50])  # warm-up
        t0 = time.perf_counter()
        tok.tokenize_many(texts)
        secs = time.perf_counter() - t0
        out[name] = {"load_s": round(load, 2), "seconds": round(secs, 2), "items_per_s": round(len(texts) / secs, 1)}
    return {"items": len(texts), "source_rows": len(set(texts)), "backends": out}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--parts", nargs="+", default=["c", "a", "b"], choices=["a", "b", "c"])
    ap.add_argument("--banking-limit", type=int, default=0, help="first N banking77 rows (0 = all 3,080)")
    ap.add_argument("--parakqc-limit", type=int, default=3000, help="first N parakqc rows")
    ap.add_argument("--speed-items", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--c-json", help=argparse.SUPPRESS)  # internal: part (c) in a child process
    args = ap.parse_args()
    if args.c_json:
        Path(args.c_json).write_text(json.dumps(part_c(args)), encoding="utf-8")
        return
    results: dict = {"versions": {}}
    for mod in ("feedmine", "kiwipiepy", "konlpy", "mecab", "bertopic"):
        try:
            results["versions"][mod] = __import__(mod).__version__
        except Exception:  # noqa: BLE001 - a missing optional package is just reported
            results["versions"][mod] = None
    if "c" in args.parts:
        # In its own process: KoNLPy's JVM and the torch / numba stack used by (a) and (b) crash
        # (segfault) when they share one, and kiwi's load time must be measured from cold.
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "c.json"
            subprocess.run([sys.executable, __file__, "--c-json", str(out),
                            "--speed-items", str(args.speed_items)], check=True)
            results["c"] = json.loads(out.read_text(encoding="utf-8"))
    for part, fn in (("a", part_a), ("b", part_b)):
        if part in args.parts:
            results[part] = fn(args)
    if "c" in results:
        print(f"\n(c) tokenizer speed, {results['c']['items']} Korean items (warm)")
        print(f"{'backend':<18}{'items/s':>10}{'seconds':>10}{'load_s':>10}")
        for name, r in results["c"]["backends"].items():
            print(f"{name:<18}{r['items_per_s']:>10}{r['seconds']:>10}{r['load_s']:>10}")
    if "a" in results:
        a = results["a"]
        print(f"\n(a) banking77: {a['items']} items, {a['themes']} themes; share of themes whose top-{TOP_HIT} "
              "keywords contain a word of the majority intent")
        for name, share in a["hit_share_top5"].items():
            print(f"{name:<40}{share:>8.1%}")
    if "b" in results:
        b = results["b"]
        print(f"\n(b) parakqc first {b['items']} rows, {b['themes']} themes; Korean keywords (top {TOP_KO}) "
              "that are an eojeol with a particle")
        for name in ("feedmine", "BERTopic default (CountVectorizer())"):
            for judge in ("in_context", "alone"):
                r = b[name][judge]
                print(f"{name + ' [' + judge + ']':<52}{r['share']:>8.2%}  ({r['with_particle']}/"
                      f"{b[name]['korean_keywords']}) e.g. {r['examples'][:4]}")
    print("wrote", write_results("keywords", results))


if __name__ == "__main__":
    main()
