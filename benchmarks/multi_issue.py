"""Does sentence mode find several problems in one review? maalej_app_reviews, bug / feature / UX labels.

Items labelled with two or more of bug report / feature request / user experience should more often get
two or more themes in ``unit="sentence"`` mode than items with a single label. Long reviews have more
sentences whatever they say, so the script also reports, per group, the share with two or more
sentences and a length-matched comparison (single-label items of similar length).

Run:  python benchmarks/multi_issue.py [--seed 42]
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import CACHE, PeakMemory, load_maalej, write_results  # noqa: E402

import feedmine as fm  # noqa: E402
from feedmine.embed import E5Embedder, HybridEmbedder  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)
    df = load_maalej()
    embedder = HybridEmbedder(semantic=E5Embedder(cache_dir=CACHE, progress=True))
    with PeakMemory() as mem:
        res = fm.Pipeline(embedder=embedder, unit="sentence", random_state=args.seed, progress=False).run(
            df, text="text", id="id")
    docs = res.documents.set_index(res.documents["id"].astype(int)).loc[df["id"]]
    n_themes = docs["theme_ids"].map(len).to_numpy()
    n_sentences = docs["n_sentences"].to_numpy()
    multi = (df["n_problem_labels"] >= 2).to_numpy()
    single = (df["n_labels"] == 1).to_numpy()
    length = df["text"].str.len().to_numpy()

    def shares(mask):
        return {"n": int(mask.sum()), "two_or_more_themes": round(float((n_themes[mask] >= 2).mean()), 4),
                "two_or_more_sentences": round(float((n_sentences[mask] >= 2).mean()), 4),
                "median_chars": int(np.median(length[mask]))}

    # length-matched: single-label items in the same length deciles as the multi-label ones
    edges = np.quantile(length[multi], np.linspace(0, 1, 11))
    bins_multi = np.clip(np.searchsorted(edges, length[multi], side="right") - 1, 0, 9)
    bins_single = np.clip(np.searchsorted(edges, length, side="right") - 1, 0, 9)
    weights = np.bincount(bins_multi, minlength=10) / multi.sum()
    matched = []
    for b in range(10):
        in_bin = single & (bins_single == b) & (length >= edges[0]) & (length <= edges[-1])
        if in_bin.any():
            matched.append(weights[b] * (n_themes[in_bin] >= 2).mean())
    out = {"seed": args.seed, "n_items": len(df), "n_themes": int(res.meta["n_themes"]),
           "n_sentences": int(res.meta["n_units"]), "seconds": round(mem.seconds, 1),
           "multi_label (>=2 of bug/feature/ux)": shares(multi), "single_label": shares(single),
           "single_label_length_matched_two_or_more_themes": round(float(sum(matched)), 4)}
    print(f"maalej_app_reviews: {len(df)} items → {out['n_sentences']} sentences, {out['n_themes']} themes "
          f"({mem.seconds:.0f}s)")
    print(f"{'group':42s} {'n':>5s} {'≥2 themes':>10s} {'≥2 sentences':>12s} {'median chars':>13s}")
    for key in ("multi_label (>=2 of bug/feature/ux)", "single_label"):
        r = out[key]
        print(f"{key:42s} {r['n']:5d} {r['two_or_more_themes']:10.1%} {r['two_or_more_sentences']:12.1%} "
              f"{r['median_chars']:13d}")
    print(f"{'single_label, length-matched to multi':42s} {'':5s} "
          f"{out['single_label_length_matched_two_or_more_themes']:10.1%}")
    print(f"\nwrote {write_results('multi_issue', out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
