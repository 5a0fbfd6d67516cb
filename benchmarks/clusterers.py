"""fast-hdbscan beside hdbscan on the points feedmine clusters: UMAP's 5 dimensions of real texts.

* Speed at 100,000 points: fast-tier vectors of texts made
  by joining two random real texts (nsmc, steam_ko, banking77 train, maalej; benchmarks/fast_tier.py),
  reduced once by UMAP as the pipeline does (the reduction's own time is reported too: it is the budget
  to watch). Both clusterers get the same min_cluster_size / min_samples, the pipeline's rule for that n.
* Agreement: ARI between the two labelings of the same points (1.0 = the same clusters).
* Quality: banking77 train (10,003 queries, 77 intents), e5 + char TF-IDF vectors reduced the same way:
  NMI / ARI of each clusterer's labels against the intents.

Run:  python benchmarks/clusterers.py     (about 15 minutes on 2 cores)
"""
from __future__ import annotations

import sys
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import CACHE, load_dataset, write_results  # noqa: E402
from fast_tier import default, fast, real_pairs  # noqa: E402

from feedmine.embed.base import l2_normalize  # noqa: E402
from feedmine.themes.cluster import auto_min_cluster_size, auto_min_samples  # noqa: E402

SIZES = (100_000,)


def reduce(X: np.ndarray) -> tuple[np.ndarray, float]:
    import umap

    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        Z = umap.UMAP(n_neighbors=15, n_components=5, min_dist=0.0, metric="cosine", random_state=0).fit_transform(
            l2_normalize(X))
    return np.asarray(Z, dtype=np.float64), time.perf_counter() - t0


def cluster_both(Z: np.ndarray) -> dict:
    import fast_hdbscan
    import hdbscan

    mcs = auto_min_cluster_size(len(Z))
    ms = auto_min_samples(mcs)
    out, labels = {"min_cluster_size": mcs, "min_samples": ms}, {}
    for name, make in (("hdbscan", lambda: hdbscan.HDBSCAN(min_cluster_size=mcs, min_samples=ms)),
                       ("fast_hdbscan", lambda: fast_hdbscan.HDBSCAN(min_cluster_size=mcs, min_samples=ms))):
        make().fit(Z[:2000])  # numba compilation paid before the clock starts (both compile)
        t0 = time.perf_counter()
        labels[name] = np.asarray(make().fit(Z).labels_)
        out[name] = {"seconds": round(time.perf_counter() - t0, 2),
                     "clusters": int(labels[name].max() + 1), "noise_share": round(float((labels[name] < 0).mean()), 3)}
    out["ari_between"] = round(adjusted_rand_score(labels["hdbscan"], labels["fast_hdbscan"]), 3)
    out["speedup"] = round(out["hdbscan"]["seconds"] / max(out["fast_hdbscan"]["seconds"], 1e-9), 2)
    return out, labels


def main() -> int:
    results = {"speed": {}, "quality": {}}
    texts = real_pairs(max(SIZES))
    X = fast().set_params(random_state=0).fit(texts[:20_000]).transform(texts)
    for n in SIZES:
        Z, umap_s = reduce(X[:n])
        row, _ = cluster_both(Z)
        row["umap_seconds"] = round(umap_s, 1)
        results["speed"][str(n)] = row
        print(n, row, flush=True)
    btexts, y, _ = load_dataset("banking77-train")
    Z, _ = reduce(default(CACHE).fit(btexts).transform(btexts))
    row, labels = cluster_both(Z)
    for name in ("hdbscan", "fast_hdbscan"):
        row[name]["nmi"] = round(normalized_mutual_info_score(y, labels[name]), 3)
        row[name]["ari"] = round(adjusted_rand_score(y, labels[name]), 3)
    results["quality"]["banking77-train"] = row
    print(row, flush=True)
    write_results("clusterers", results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
