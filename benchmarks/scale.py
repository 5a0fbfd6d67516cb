"""Does anything grow faster than the data? The whole pipeline at 5,000 … 35,000 real items.

Items: nsmc (15,000 Korean reviews), banking77 train (10,003 English queries) and parakqc (10,000 Korean
utterances), pooled and sampled with seed 0, so every size mixes both languages and short and long texts.
The embedder is the character TF-IDF one: e5 costs the same per item at any size (≈ 60–200 texts/s
here, docs/embedders.md) and would only hide the steps after it. Each size runs in its own process
(fresh memory, and numba's one-off compilation paid every time, so sizes compare like with like).

Reported per size: seconds per step (the pipeline's own ``meta["seconds"]``), total seconds, seconds per
1,000 items relative to the smallest size (1.0 = linear; a step that is quadratic doubles it each time
the size doubles), peak resident memory added, and the number of themes.

Run:  python benchmarks/scale.py            (about 6 minutes on 2 cores)
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import SHARED, write_results  # noqa: E402

SIZES = (5_000, 10_000, 20_000, 35_000)

_CHILD = """
import json, sys
sys.path.insert(0, {bench!r})
import pandas as pd
from common import PeakMemory
import feedmine as fm
parts = [pd.read_csv({nsmc!r})["document"], pd.read_csv({banking!r})["text"], pd.read_csv({parakqc!r})["text"]]
texts = pd.concat(parts, ignore_index=True).sample({n}, random_state=0).reset_index(drop=True)
with PeakMemory() as mem:
    result = fm.analyze(pd.DataFrame({{"text": texts}}), text="text", embedder="tfidf", progress=False)
print(json.dumps({{"seconds": mem.seconds, "peak_added_mib": mem.added, "steps": result.meta["seconds"],
                  "themes": result.meta["n_themes"], "analysed": result.meta["n_analysed"]}}))
"""


def run(n: int) -> dict:
    code = _CHILD.format(bench=str(Path(__file__).resolve().parent), n=n,
                         nsmc=str(SHARED / "nsmc" / "nsmc_sample.csv"),
                         banking=str(SHARED / "banking77" / "train.csv"),
                         parakqc=str(SHARED / "parakqc" / "parakqc.csv"))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    rows = {n: run(n) for n in SIZES}
    base = rows[SIZES[0]]
    for n, row in rows.items():
        scale = SIZES[0] / n
        row["per_item_vs_smallest"] = {step: round(s * scale / base["steps"][step], 2) if base["steps"][step] else None
                                       for step, s in row["steps"].items()}
        row["total_per_item_vs_smallest"] = round(row["seconds"] * scale / base["seconds"], 2)
        print(f"{n:>6} items: {row['seconds']:6.1f} s total ({row['total_per_item_vs_smallest']}× the per-item time "
              f"at {SIZES[0]:,}), +{row['peak_added_mib']:.0f} MiB, {row['themes']} themes; per step "
              + ", ".join(f"{k} {v:.1f}s" for k, v in row["steps"].items()))
    print(f"wrote {write_results('scale', {'sizes': rows, 'embedder': 'tfidf'})}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
