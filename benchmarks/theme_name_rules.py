"""How a theme's name is chosen among its candidate spans: the shipped rule beside the alternatives tried.

banking77, the default pipeline. For every theme the script rebuilds the describer's inputs with the
public pieces (its 15 most central texts, its keywords, :func:`feedmine.themes.naming.name_candidates`
with 16 candidates, the pipeline's own name embedder) and lets each rule pick one candidate. A pick
hits as in ``theme_names.py``: e5 puts it closer to the name of the theme's majority intent than to
the other 76. References beside the rules: the best any rule could do with these candidates
(``oracle``), and two things that are not short names — the theme's e5 centroid itself and its most
central text in full — which show how far a name chosen by likeness to the theme can go.

Rules are meant to be chosen on the train split (365 themes) and read on test once; the shipped rule
(``centroid``) was chosen looking at both (docs/benchmarks.md, "Theme names").

Run:  python benchmarks/theme_name_rules.py [--split train] [--seed 0]   (≈ 2 minutes with the e5 cache warm)
"""
from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import CACHE, SHARED, write_results  # noqa: E402

import feedmine as fm  # noqa: E402
from feedmine.embed import E5Embedder, HybridEmbedder  # noqa: E402
from feedmine.embed.base import l2_normalize  # noqa: E402
from feedmine.pipeline.steps import name_embedder  # noqa: E402
from feedmine.themes import naming  # noqa: E402
from feedmine.themes.describe import ThemeDescriber  # noqa: E402

# words a name loses without changing what it is about (the "telegraphic" candidates)
FUNCTION_WORDS = set("my i me the a an to is are was were has have had been be do does did can could should "
                     "would will it its this that for of on in at with why how what when where which there "
                     "still yet just so please some any our we you your am from by about as if".split())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--split", default="train")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    out = measure(args.split, args.seed)
    print(pd.Series(out["hit_share"]).to_string())
    write_results(f"theme_name_rules_{args.split}", out)
    return 0


def measure(split: str, seed: int) -> dict:
    df = pd.read_csv(SHARED / "banking77" / f"{split}.csv")
    pipe = fm.Pipeline(embedder=HybridEmbedder(semantic=E5Embedder(cache_dir=CACHE, progress=False), progress=False),
                       random_state=seed, progress=False)
    result = pipe.run(df[["text"]], text="text")
    embed = name_embedder(pipe.stages_)
    tokenizer = pipe.stages_["describer"].tokenizer_
    docs = result.documents.assign(category=df["category"].to_numpy())
    docs = docs[docs["theme_id"] >= 0].drop_duplicates("text")
    texts, labels = docs["text"].tolist(), docs["theme_id"].to_numpy()
    unit = l2_normalize(np.asarray(embed(texts), dtype=np.float64))
    themes = result.themes[result.themes["theme_id"] >= 0].set_index("theme_id")
    tids = [int(t) for t in themes.index if (labels == t).any()]
    majority = {t: Counter(docs["category"][labels == t]).most_common(1)[0][0] for t in tids}
    central = {t: ThemeDescriber._quotes(np.flatnonzero(labels == t), unit, texts, naming.CENTRAL_TEXTS) for t in tids}
    lemmas = naming.word_lemmas([texts[i] for c in central.values() for i in c], tokenizer)
    cands = {t: naming.name_candidates([texts[i] for i in central[t]], themes.at[t, "keywords"],
                                       themes.at[t, "keyword_scores"], tokenizer, lemmas, naming.NAME_CANDIDATES)
             for t in tids}
    short = {t: [s for s in (" ".join(w for w in c.split() if w.lower() not in FUNCTION_WORDS) for c in cs)
                 if len(s.split()) >= 2] for t, cs in cands.items()}
    flat = sorted({c for cs in list(cands.values()) + list(short.values()) for c in cs})
    at = {c: i for i, c in enumerate(flat)}
    vec = l2_normalize(np.asarray(embed(flat), dtype=np.float64))
    e5 = E5Embedder(cache_dir=CACHE, progress=False)
    intents = sorted(df["category"].unique())
    ref = l2_normalize(np.asarray(e5.transform([i.replace("_", " ") for i in intents]), dtype=np.float64))
    nearest = dict(zip(flat, (l2_normalize(np.asarray(e5.transform(flat), dtype=np.float64)) @ ref.T).argmax(1)))
    text_e5 = l2_normalize(np.asarray(e5.transform(texts), dtype=np.float64))
    sem = int(getattr(pipe.stages_["embedder"], "semantic_dim_", vec.shape[1]))
    rules = choice_rules(unit, labels, vec, at, sem)
    picks = {name: {} for name in rules}
    for t in tids:
        if not cands[t]:
            continue
        for name, rule in rules.items():
            pool = cands[t] + short[t] if name == "centroid, telegraphic candidates too" else cands[t]
            picks[name][t] = pool[rule(t, pool)]
    hit = {name: [intents[nearest[p[t]]] == majority[t] if t in p else False for t in tids] for name, p in picks.items()}
    hit["oracle (a candidate hits)"] = [any(intents[nearest[c]] == majority[t] for c in cands[t]) for t in tids]
    hit["reference: the e5 centroid itself"] = [
        intents[int(np.argmax(text_e5[labels == t].mean(0) @ ref.T))] == majority[t] for t in tids]
    hit["reference: most central text, whole"] = [
        intents[int(np.argmax(text_e5[central[t][0]] @ ref.T))] == majority[t] for t in tids]
    shipped = [themes.at[t, "label"] for t in tids]
    return {"split": split, "seed": seed, "themes": len(tids),
            "same_as_pipeline": round(float(np.mean([picks["centroid (shipped)"].get(t) == s
                                                     for t, s in zip(tids, shipped)])), 3),
            "hit_share": {name: round(float(np.mean(h)), 3) for name, h in hit.items()},
            "mean_words": {name: round(float(np.mean([len(v.split()) for v in p.values()])), 2)
                           for name, p in picks.items()}}


def choice_rules(unit: np.ndarray, labels: np.ndarray, vec: np.ndarray, at: dict, sem: int) -> dict:
    """name -> rule(theme, candidates) -> index of the chosen candidate."""
    cent = {int(t): unit[labels == t].mean(0) for t in np.unique(labels)}
    others = np.array([cent[t] for t in sorted(cent)]), sorted(cent)
    e5_unit, e5_vec = l2_normalize(unit[:, :sem]), l2_normalize(vec[:, :sem])
    mean_candidate = vec.mean(0)
    mean_text = unit.mean(0)

    def words(pool, free=naming.NAME_WORDS_FREE):
        return np.array([max(len(c.split()) - free, 0) for c in pool])

    def pick(scores):
        return int(np.argmax(np.round(scores, 9)))

    def rows(pool):
        return vec[[at[c] for c in pool]]

    def centroid(cost):
        return lambda t, pool: pick(rows(pool) @ cent[t] - cost * words(pool))

    def e5_space(t, pool):
        return pick(e5_vec[[at[c] for c in pool]] @ e5_unit[labels == t].mean(0) - naming.NAME_WORD_COST * words(pool))

    def knn(t, pool, k=20):
        sims = np.sort(rows(pool) @ unit[labels == t].T, axis=1)[:, -k:]
        return pick(sims.mean(1) - naming.NAME_WORD_COST * words(pool))

    def contrast(t, pool, lam=0.5):
        sims = rows(pool) @ others[0].T
        own = sims[:, others[1].index(t)].copy()
        sims[:, others[1].index(t)] = -np.inf
        return pick(own + lam * (own - sims.max(1)) - naming.NAME_WORD_COST * words(pool))

    def retrieval(t, pool, k=10, weight=0.02):
        top = np.argsort(-(rows(pool) @ unit.T), axis=1)[:, :k]
        return pick(rows(pool) @ cent[t] - naming.NAME_WORD_COST * words(pool) + weight * (labels[top] == t).mean(1))

    def centred(t, pool):
        a, b = l2_normalize(rows(pool) - mean_candidate), cent[t] - mean_text
        return pick(a @ (b / np.linalg.norm(b)) - naming.NAME_WORD_COST * words(pool))

    return {
        "centroid (shipped)": centroid(naming.NAME_WORD_COST),
        "centroid, no word cost": centroid(0.0),
        "centroid, 0.01 per word": centroid(0.01),
        "best keyword span (no embedding)": lambda t, pool: 0,
        "e5 space only": e5_space,
        "mean of the 20 nearest members": knn,
        "margin over the nearest other theme (0.5)": contrast,
        "+ share of its 10 nearest texts in the theme": retrieval,
        "centred (phrase mean, text mean removed)": centred,
        "centroid, telegraphic candidates too": centroid(naming.NAME_WORD_COST),
    }


if __name__ == "__main__":
    raise SystemExit(main())
