"""A million items on one machine: wall time and peak memory of the fast tier at 10k … 1M items.

Items: each is two random real texts joined with a space (nsmc, steam_ko, banking77 train, maalej app
reviews: 47,000 Korean and English texts, so 2.2 billion possible pairs), drawn with seed 0
(benchmarks/fast_tier.py, ``real_pairs``). Joining keeps the texts real while making repeats rare, so
exact-duplicate removal does not shrink the work (a million draws of single texts would collapse to
47,000 distinct ones).

Each size runs in a fresh process: ``fm.Pipeline(embedder="fast", n_jobs=2).fit(table, text=, id=)``
— the themes learned from a seeded sample of ``fit_sample`` rows (50,000 by default), every row then
placed, tagged and scored — followed by ``result.save(folder)``. Reported: wall seconds (fit and save),
seconds per step, peak resident memory of the process (``ru_maxrss``, so the input table, the fitted
model and the result are all counted) and of the process with its worker processes together (their
RSS summed every 0.2 s), themes, and rows out (must equal rows in).

``--sample-check`` adds the third measurement of issue 11: at 100,000 items of which 23,086 carry a
label (banking77 train+test intents, parakqc paraphrase groups), NMI / ARI on the labelled rows when
the themes are fitted on samples of 10k, 20k, 50k rows vs on every row (``fit_sample=None``);
``--match-references 8000,None`` runs each sample size with the matcher's references capped and not.

Run:  python benchmarks/scale.py [--sizes 10000,100000,200000,1000000] [--sample-check]
      (about 45 minutes on 2 cores for the four sizes; the 1M run alone ~25 minutes)
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import RESULTS, write_results  # noqa: E402

SIZES = (10_000, 100_000, 200_000, 1_000_000)

_CHILD = """
import json, resource, sys, tempfile, time
sys.path.insert(0, {bench!r})
import pandas as pd
from common import TreeMemory
from fast_tier import real_pairs
import feedmine as fm
tree = TreeMemory().start()
n = {n}
table = pd.DataFrame({{"id": [f"r{{i}}" for i in range(n)], "text": real_pairs(n, seed={seed})}})
t0 = time.perf_counter()
model = fm.Pipeline(embedder="fast", n_jobs={n_jobs}, random_state=0, progress=False,
                    clusterer=fm.ThemeClusterer(umap_epochs={epochs}) if {epochs} else None).fit(table, text="text", id="id")
fit_s = time.perf_counter() - t0
result = model.result_
with tempfile.TemporaryDirectory() as tmp:
    t1 = time.perf_counter()
    result.save(tmp + "/run")
    save_s = time.perf_counter() - t1
docs = result.documents
print(json.dumps({{"n": n, "pairs_seed": {seed}, "umap_epochs": {epochs}, "seconds": round(fit_s + save_s, 1), "fit_seconds": round(fit_s, 1),
                  "save_seconds": round(save_s, 1), "steps": result.meta["seconds"],
                  "peak_rss_gib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20, 2),
                  "peak_rss_with_workers_gib": round(tree.stop() / 2**10, 2),
                  "themes": result.meta["n_themes"], "rows_out": len(docs), "ids_unique": bool(docs["id"].is_unique),
                  "unassigned_share": round(result.meta["unassigned_share"], 3),
                  "exact_duplicates": result.meta["n_exact_duplicates"], "fit_sample": result.meta.get("fit_sample"),
                  "memory_timeline": tree.timeline}}))
"""

_SAMPLE_CHILD = """
import json, sys, time
sys.path.insert(0, {bench!r})
import numpy as np, pandas as pd
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score
from common import SHARED
from fast_tier import real_pairs
import feedmine as fm
bank = pd.concat([pd.read_csv(SHARED / "banking77" / f) for f in ("train.csv", "test.csv")], ignore_index=True)
para = pd.read_csv(SHARED / "parakqc" / "parakqc.csv")
labelled = pd.DataFrame({{"text": list(bank["text"]) + list(para["text"]),
                         "label": ["b:" + str(c) for c in bank["category"]] + ["p:" + str(g) for g in para["paraphrase_group"]]}})
rest = pd.DataFrame({{"text": real_pairs(100_000 - len(labelled), seed=1), "label": None}})
table = pd.concat([labelled, rest], ignore_index=True).sample(frac=1.0, random_state=0).reset_index(drop=True)
table["id"] = [f"r{{i}}" for i in range(len(table))]
t0 = time.perf_counter()
model = fm.Pipeline(embedder="fast", fit_sample={fit_sample}, n_jobs=2, random_state=0, progress=False,
                    clusterer=fm.ThemeClusterer(match_references={refs}, umap_epochs={epochs})).fit(table[["id", "text"]], text="text", id="id")
wall = time.perf_counter() - t0
docs = model.result_.documents.set_index("id").loc[table["id"]]
out = {{}}
for name, prefix in (("banking77", "b:"), ("parakqc", "p:")):
    rows = table["label"].fillna("").str.startswith(prefix).to_numpy()
    pred, truth = docs["theme_id"].to_numpy()[rows].astype(int), table["label"].to_numpy()[rows]
    out[name] = {{"nmi": round(normalized_mutual_info_score(truth, pred), 4),
                 "ari": round(adjusted_rand_score(truth, pred), 4), "n": int(rows.sum())}}
print(json.dumps({{"fit_sample": {fit_sample}, "match_references": {refs}, "umap_epochs": {epochs}, "themes": model.result_.meta["n_themes"],
                  "wall_seconds": round(wall, 1), "seconds": model.result_.meta["seconds"],
                  "unassigned_share": round(model.result_.meta["unassigned_share"], 4), **out}}))
"""


def _child(code: str) -> dict:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(done.stderr[-3000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--sample-check", action="store_true")
    parser.add_argument("--sample-sizes", default="10000,20000,50000,None")
    parser.add_argument("--match-references", default="None",
                        help="comma-separated caps on the matcher's references to compare (None: all members)")
    parser.add_argument("--umap-epochs", default="None", help="UMAP epochs of the fit (None: umap-learn's rule)")
    parser.add_argument("--pairs-seed", type=int, default=0,
                        help="seed of the joined pairs; a new one gives texts whose e5 adaptation targets are not cached "
                             "(a first run on new data)")
    args = parser.parse_args()
    bench = str(Path(__file__).resolve().parent)
    path = RESULTS / "scale.json"
    results = json.loads(path.read_text()) if path.exists() else {}
    if "sizes" in results and "how" not in results:  # the old TF-IDF-only table of issue 4
        results = {"tfidf_5k_35k": results}
    results["how"] = __doc__.split("\n\n")[1].replace("\n", " ")
    results.setdefault("fast_tier", {})
    for n in [int(s) for s in args.sizes.split(",") if s]:
        row = _child(_CHILD.format(bench=bench, n=n, n_jobs=args.n_jobs, epochs=args.umap_epochs, seed=args.pairs_seed))
        key = str(n) if args.umap_epochs == "None" else f"{n}_epochs_{args.umap_epochs}"
        results["fast_tier"][key + ("" if args.pairs_seed == 0 else f"_pairs_seed_{args.pairs_seed}")] = row
        print(json.dumps(row), flush=True)
        write_results("scale", results)
    if args.sample_check:
        results.setdefault("sample_fit_100k", {})
        for size in args.sample_sizes.split(","):
            for refs in args.match_references.split(","):
                row = _child(_SAMPLE_CHILD.format(bench=bench, fit_sample=size, refs=refs, epochs=args.umap_epochs))
                key = size if refs == "None" else f"{size}_refs_{refs}"
                key += "" if args.umap_epochs == "None" else f"_epochs_{args.umap_epochs}"
                results["sample_fit_100k"][key] = row
                print(json.dumps(row), flush=True)
                write_results("scale", results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
