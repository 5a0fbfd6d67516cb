"""The scale plot of docs/benchmarks.md: wall time and peak memory against items (fast tier, 2 cores),
with issue 11's targets, and resident memory over time of the largest run.

Reads benchmarks/results/scale.json (written by benchmarks/scale.py); writes docs/img/scale.png.
Needs matplotlib (``pip install -e .[bench]``).

Run:  python benchmarks/plot_scale.py
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import RESULTS  # noqa: E402

OUT = Path(__file__).resolve().parents[1] / "docs" / "img" / "scale.png"
#: issue 11: 200k under 6 minutes; 1M under 30 minutes and 8 GB
TARGETS_MIN = {200_000: 6, 1_000_000: 30}
TARGET_GB = 8


def main() -> int:
    runs = json.loads((RESULTS / "scale.json").read_text())["fast_tier"]
    # the plain size keys are the shipped runs; the others ("200000_pairs_seed_7", dated rows) are variants
    sizes = sorted(int(n) for n in runs if n.isdigit())
    fig, (time_ax, mem_ax, line_ax) = plt.subplots(1, 3, figsize=(15, 4.2))
    minutes = [runs[str(n)]["seconds"] / 60 for n in sizes]
    time_ax.plot(sizes, minutes, "o-", label="measured")
    time_ax.scatter(list(TARGETS_MIN), list(TARGETS_MIN.values()), marker="_", s=400, c="red", label="target")
    time_ax.set(xscale="log", xlabel="items", ylabel="wall minutes (fit + save)", title="Wall time, 2 cores")
    for n, m in zip(sizes, minutes):
        time_ax.annotate(f"{m:.1f}", (n, m), textcoords="offset points", xytext=(4, 6))
    own = [runs[str(n)]["peak_rss_gib"] for n in sizes]
    tree = [runs[str(n)].get("peak_rss_with_workers_gib", own[i]) for i, n in enumerate(sizes)]
    mem_ax.plot(sizes, own, "o-", label="process")
    mem_ax.plot(sizes, tree, "s--", label="process + workers")
    mem_ax.axhline(TARGET_GB * 10**9 / 2**30, color="red", lw=1, label="8 GB target")
    mem_ax.set(xscale="log", xlabel="items", ylabel="peak resident GiB", title="Peak memory")
    largest = max((n for n in sizes if runs[str(n)].get("memory_timeline")), default=None)
    if largest:
        t, p, w = zip(*runs[str(largest)]["memory_timeline"])
        line_ax.plot([x / 60 for x in t], [x / 1024 for x in p], label="process")
        line_ax.plot([x / 60 for x in t], [x / 1024 for x in w], label="process + workers")
        line_ax.set(xlabel="minutes", ylabel="resident GiB", title=f"Memory over time, {largest:,} items")
    for ax in (time_ax, mem_ax, line_ax):
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(OUT, dpi=110)
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
