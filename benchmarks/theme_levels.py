"""Theme levels: NMI / ARI / theme count of the default themes and of coarser cuts of the theme tree.

The default pipeline (e5 + character TF-IDF, HDBSCAN) finds themes at the grain of the densest groups.
``result.themes_at(level)`` merges them along the model's theme tree (average linkage on the cosine
distance of theme centroids; Ward on the same centroids beside it). This script runs the default
pipeline once per labelled set and scores, against every granularity the set's labels offer:

* banking77 test (3,080 English queries): 77 intents;
* parakqc (10,000 Korean utterances): 1,000 paraphrase groups, 16 topic × intent cells, 4 topics;

the default themes, the ``"coarse"`` level (``coarse_count``: round(2·√k) of k fine themes), a grid of
linkage heights and cuts at the true class counts, for Ward (the default) and average linkage. Unassigned items count as one cluster (-1), as a user sees them.
``themes_at`` itself is run at the coarse level, and its labels are checked against the cut scored here.

Run:  python benchmarks/theme_levels.py [--seed 42]
"""
from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import CACHE, SHARED, write_results  # noqa: E402

import feedmine as fm  # noqa: E402
from feedmine.embed import E5Embedder, HybridEmbedder  # noqa: E402
from feedmine.result.levels import coarse_count  # noqa: E402
from feedmine.themes.hierarchy import coarse_groups, theme_tree  # noqa: E402

DISTANCES = (0.05, 0.1, 0.2, 0.4, 0.8, 1.6)


def datasets() -> dict[str, tuple[list[str], dict[str, np.ndarray]]]:
    bank = pd.read_csv(SHARED / "banking77" / "test.csv")
    para = pd.read_csv(SHARED / "parakqc" / "parakqc.csv")
    return {"banking77": (bank["text"].tolist(), {"intent (77)": bank["category"].to_numpy()}),
            "parakqc": (para["text"].tolist(), {
                "paraphrase group (1000)": para["paraphrase_group"].to_numpy(),
                "topic x intent (16)": (para["topic"] + "/" + para["intent"]).to_numpy(),
                "topic (4)": para["topic"].to_numpy()})}


def score(truth: dict[str, np.ndarray], labels: np.ndarray) -> dict:
    out = {"n_themes": int(len(set(labels[labels >= 0])))}
    for name, y in truth.items():
        out[name] = {"nmi": round(float(normalized_mutual_info_score(y, labels)), 4),
                     "ari": round(float(adjusted_rand_score(y, labels)), 4)}
    return out


def cut_labels(labels: np.ndarray, groups: list[list[int]]) -> np.ndarray:
    into = {t: g[0] for g in groups for t in g}
    return np.array([into.get(int(t), int(t)) if t >= 0 else -1 for t in labels])


def run(name: str, texts: list[str], truth: dict[str, np.ndarray], seed: int) -> dict:
    embedder = HybridEmbedder(semantic=E5Embedder(cache_dir=CACHE, progress=False), progress=False)
    pipeline = fm.Pipeline(embedder=embedder, random_state=seed, progress=False)
    result = pipeline.run(pd.DataFrame({"text": texts}), text="text")
    labels = result.documents["theme_id"].fillna(-1).astype(int).to_numpy()
    ids, centroids = pipeline.stages_["clusterer"].matcher_.centroids()
    present = sorted(set(labels[labels >= 0]))
    out = {"n": len(texts), "default": score(truth, labels), "by_distance": {}, "by_count": {}}
    for method in ("average", "ward"):
        tree = theme_tree(ids, centroids, method=method)
        out["by_distance"][method] = {str(d): score(truth, cut_labels(labels, coarse_groups(tree, present, distance=d)))
                                      for d in DISTANCES}
        counts = sorted({int(s.split("(")[1].rstrip(")")) for s in truth} | {len(present) // 2,
                                                                              coarse_count(len(present))})
        out["by_count"][method] = {str(k): score(truth, cut_labels(labels, coarse_groups(tree, present, n_themes=k)))
                                   for k in counts if k < len(present)}
    coarse = result.themes_at("coarse")
    coarse_labels = coarse.documents["theme_id"].fillna(-1).astype(int).to_numpy()
    k = coarse_count(len(present))
    expected = cut_labels(labels, coarse_groups(theme_tree(ids, centroids), present, n_themes=k))
    out["coarse"] = {**score(truth, coarse_labels), "coarse_count": k,
                     "same_as_cut": bool((coarse_labels == expected).all())}
    print(f"{name}: default {out['default']}\n  coarse {out['coarse']}", flush=True)
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    results = {name: run(name, texts, truth, args.seed) for name, (texts, truth) in datasets().items()}
    path = write_results("theme_levels", {"seed": args.seed, "coarse": "round(2·sqrt(k)) of k fine themes, Ward",
                                          "datasets": results})
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
