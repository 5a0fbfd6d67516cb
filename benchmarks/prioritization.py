"""Do problems outrank praise? And is an injected surge flagged as emerging while nothing else is?

(a) maalej_app_reviews (3,294 English app reviews with star ratings and human labels): the default
    pipeline with ``rating=``. Each theme is put in a group by the labels of its items: "problem"
    when most of its items are bug reports or feature requests, "praise" when most are rating-only
    reviews with 4–5★, else "mixed". Reported: the mean priority rank of each group (1 = first), for
    the default weighted strategy, RICE and opportunity scoring, and the leave-one-out rating impact of
    the top five themes.
(b) nsmc (15,000 dated Korean movie reviews, 2003–2015): the default pipeline once; then, for each of
    ``--trials`` themes chosen at random (seeded), ``--inject`` of that theme's older items are moved
    into the last 30 days (a real theme's items, surging) and ``EmergingThemeDetector(recent="30D",
    baseline="180D")`` runs on the dated documents. Reported: how often the injected theme is flagged
    (detection rate) and the share of the other themes flagged in the same trials (false-flag rate),
    plus the flags without any injection.

Run:  python benchmarks/prioritization.py [--trials 20] [--inject 15]
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
import tagging_data as data  # noqa: E402
from common import CACHE, load_maalej, write_results  # noqa: E402

import feedmine as fm  # noqa: E402
from feedmine.embed import E5Embedder, HybridEmbedder  # noqa: E402
from feedmine.analysis.trends import EmergingThemeDetector  # noqa: E402


def pipeline(seed: int) -> fm.Pipeline:
    return fm.Pipeline(embedder=HybridEmbedder(semantic=E5Embedder(cache_dir=CACHE, progress=False)),
                       random_state=seed, progress=False)


def strategies(themes: pd.DataFrame) -> dict[str, pd.Series]:
    """theme_id → rank under each strategy that is available (weighted always)."""
    ranks = {"weighted": themes.set_index("theme_id")["rank"].astype(float)}
    try:
        from feedmine.analysis.priority import prioritize
    except ImportError:  # the strategies module is optional for this script's first part
        return ranks
    for name in ("rice", "opportunity"):
        ranked = prioritize(themes, strategy=name)
        ranks[name] = ranked.set_index("theme_id")["strategy_rank"].astype(float)
    return ranks


def part_a(seed: int) -> dict:
    df = load_maalej()
    res = pipeline(seed).run(df, text="text", id="id", rating="rating")
    docs = res.documents.assign(is_bug=df["is_bug"].to_numpy(), is_feature=df["is_feature"].to_numpy(),
                                praise=((df["n_labels"] == 1) & (df["is_rating"] == 1) & (df["rating"] >= 4)).to_numpy())
    docs = docs[docs["theme_id"] >= 0]
    problem = (docs["is_bug"] | docs["is_feature"]).groupby(docs["theme_id"]).mean()
    praise = docs["praise"].groupby(docs["theme_id"]).mean()
    group = pd.Series("mixed", index=problem.index)
    group[problem > 0.5] = "problem"
    group[praise > 0.5] = "praise"
    themes = res.themes[res.themes["theme_id"] >= 0]
    out = {"n_items": len(df), "n_themes": int(len(themes)), "groups": group.value_counts().to_dict(),
           "mean_rank": {}}
    for name, rank in strategies(res.themes).items():
        out["mean_rank"][name] = {g: round(float(rank.reindex(group[group == g].index).mean()), 1)
                                  for g in ("problem", "mixed", "praise") if (group == g).any()}
    top = themes.sort_values("rank").head(5)
    out["top5"] = [{"rank": int(r["rank"]), "label": r["label"], "size": int(r["size"]), "group": group.get(r["theme_id"]),
                    "rating_theme": round(float(r["impact_rating_theme"]), 2),
                    "rating_rest": round(float(r["impact_rating_rest"]), 2),
                    "loo_rating_drop": round(float(r["impact_rating_drop"]), 4)} for _, r in top.iterrows()]
    return out


def part_b(seed: int, trials: int, inject: int) -> dict:
    nsmc = pd.read_csv(data.NSMC, keep_default_na=False).rename(columns={"document": "text"})
    nsmc["date"] = pd.to_datetime(nsmc["date"], format="%y.%m.%d")
    res = pipeline(seed).run(nsmc, text="text", id="review_id", date="date")
    docs = res.documents.copy()
    docs["date"] = pd.to_datetime(docs["date"])
    end = docs["date"].max()
    recent_start, baseline_start = end - pd.Timedelta("30D"), end - pd.Timedelta("210D")
    detector = EmergingThemeDetector(recent="30D", baseline="180D", end=end)
    base_flags = detector.fit(docs).table_
    base_flagged = base_flags.loc[base_flags["theme_id"] >= 0, "is_emerging"]
    rng = np.random.default_rng(seed)
    old = docs["date"] <= baseline_start
    sizes = docs[old & (docs["theme_id"] >= 0)].groupby("theme_id").size()
    candidates = sizes[sizes >= inject].index.to_numpy()
    chosen = rng.choice(candidates, size=min(trials, len(candidates)), replace=False)
    detected, false_flags, others = 0, 0, 0
    recent_days = pd.to_timedelta(np.arange(30), unit="D")
    for theme in chosen:
        trial = docs.copy()
        rows = trial.index[old & (trial["theme_id"] == theme)].to_numpy()
        moved = rng.choice(rows, size=inject, replace=False)
        trial.loc[moved, "date"] = end - rng.choice(recent_days, size=inject)
        table = detector.fit(trial).table_.set_index("theme_id")
        detected += bool(table.loc[theme, "is_emerging"])
        rest = table.drop(index=[theme, -1], errors="ignore")
        false_flags += int(rest["is_emerging"].sum())
        others += len(rest)
    n_recent = int((docs["date"] > recent_start).sum())
    return {"n_items": len(nsmc), "n_themes": int((res.themes["theme_id"] >= 0).sum()),
            "window": {"recent": "30D", "baseline": "180D", "end": str(end.date()), "items_recent": n_recent},
            "trials": int(len(chosen)), "injected_items_per_trial": inject,
            "detection_rate": round(detected / len(chosen), 3) if len(chosen) else None,
            "false_flag_rate": round(false_flags / others, 4) if others else None,
            "flags_without_injection": int(base_flagged.sum())}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--inject", type=int, default=15)
    parser.add_argument("--parts", nargs="+", default=["a", "b"], choices=["a", "b"])
    args = parser.parse_args(argv)
    out: dict = {"seed": args.seed}
    if "a" in args.parts:
        a = out["a"] = part_a(args.seed)
        print(f"(a) maalej: {a['n_items']} reviews, {a['n_themes']} themes, groups {a['groups']}")
        for name, ranks in a["mean_rank"].items():
            print(f"    mean rank ({name}): " + ", ".join(f"{g} {r}" for g, r in ranks.items()))
        for t in a["top5"]:
            print(f"    #{t['rank']} {t['label']:<32} {t['group']:<8} n={t['size']:<4} {t['rating_theme']}★ vs "
                  f"{t['rating_rest']}★  LOO drop {t['loo_rating_drop']:+.4f}")
    if "b" in args.parts:
        b = out["b"] = part_b(args.seed, args.trials, args.inject)
        print(f"(b) nsmc: {b['n_items']} reviews, {b['n_themes']} themes; {b['trials']} trials, "
              f"{b['injected_items_per_trial']} items injected into the last 30 days ({b['window']['items_recent']} there)")
        print(f"    detection rate {b['detection_rate']}, false-flag rate {b['false_flag_rate']}, "
              f"flags without injection {b['flags_without_injection']}")
    print(f"wrote {write_results('prioritization', out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
