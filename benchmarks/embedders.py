"""Which embedder should be the default? Each candidate through feedmine's default pipeline.

On banking77 test (English, 77 intents) and parakqc (Korean, 1,000 paraphrase groups) it runs the same
pipeline (UMAP + HDBSCAN with sizes from the data, outliers reassigned) with each embedder and reports
NMI, ARI, number of themes and embedding speed (texts/s, cold cache, measured in this run).

Run:  python benchmarks/embedders.py [--datasets banking77 parakqc] [--seed 42]
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
from sklearn.base import clone
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import CACHE, load_dataset, write_results  # noqa: E402

import feedmine as fm  # noqa: E402
from feedmine.embed import E5Embedder, HybridEmbedder, TfidfEmbedder, USEEmbedder  # noqa: E402


def candidates(cache):
    return {
        "e5 (query:)": E5Embedder(cache_dir=cache, progress=False),
        "use-m3": USEEmbedder(cache_dir=cache, progress=False),
        "tfidf (char 2-4, svd 256)": TfidfEmbedder(),
        "hybrid: e5 + 0.3 tfidf (default)": HybridEmbedder(semantic=E5Embedder(cache_dir=cache, progress=False)),
        "hybrid: use-m3 + 0.3 tfidf": HybridEmbedder(semantic=USEEmbedder(cache_dir=cache, progress=False)),
    }


def speed(embedder, texts) -> float:
    """Texts per second on the first 500 texts with an empty cache."""
    sample = texts[:500]
    with tempfile.TemporaryDirectory() as tmp:
        emb = clone(embedder)
        if "cache_dir" in emb.get_params():
            emb.set_params(cache_dir=Path(tmp))
        t0 = time.perf_counter()
        emb.fit(sample).transform(sample)
        return len(sample) / (time.perf_counter() - t0)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--datasets", nargs="+", default=["banking77", "parakqc"])
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)
    out = {"seed": args.seed, "datasets": {}}
    for name in args.datasets:
        texts, y, what = load_dataset(name)
        rows = {}
        print(f"\n== {name} ({len(texts)} texts, {what})")
        print(f"{'embedder':34s} {'NMI':>6s} {'ARI':>6s} {'themes':>7s} {'texts/s':>8s}")
        for label, embedder in candidates(CACHE).items():
            tps = speed(embedder, texts) if not isinstance(embedder, HybridEmbedder) else None
            result = fm.Pipeline(embedder=embedder, random_state=args.seed, progress=False).run(
                pd.DataFrame({"text": texts}), text="text")
            labels = result.documents["theme_id"].fillna(-1).astype(int)
            rows[label] = {"nmi": round(float(normalized_mutual_info_score(y, labels)), 4),
                           "ari": round(float(adjusted_rand_score(y, labels)), 4),
                           "n_themes": int(result.meta["n_themes"]),
                           "texts_per_s": round(tps, 1) if tps else None}
            r = rows[label]
            print(f"{label:34s} {r['nmi']:6.3f} {r['ari']:6.3f} {r['n_themes']:7d} "
                  f"{(f'{tps:8.1f}' if tps else '       –')}", flush=True)
        out["datasets"][name] = rows
    print(f"\nwrote {write_results('embedders', out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
