"""Within-group ranking: do problem themes rank above praise within each app? Pooled vs ``by=``.

Data: maalej_app_reviews (English app reviews, ../shared/data), all 3,294 reviews; the group is the
app (``app_id``; the 1,823 reviews without one form the group "(missing)"). Rankings are read within
every app with at least ``MIN_REVIEWS`` reviews (most apps have one or two). Each review carries its
annotators' labels: bug report, feature request, user experience (the *problem* labels) and rating
(praise or blame without a concrete problem), and its stars.

Three runs of the default pipeline on the same rows, side by side:

* pooled: one analysis of every app's reviews together; an app's themes are the themes its reviews
  fall in, ranked by their pooled priority;
* ``by="app_id"`` separate: one analysis per app, ranked within it;
* ``by="app_id", group_themes="shared"``: one set of themes, each app's rows scored on their own.

Within each app a theme (at least ``MIN_THEME`` of the app's reviews) is a *problem* theme when at
least half of those reviews carry a problem label, *praise* when at least half are 4–5★ with no
problem label. Per app with both kinds: the pairwise AUC (share of problem × praise pairs in which the
problem theme ranks first) and the mean rank of each kind as a share of the app's theme count (0 =
top); and over every app with two themes or more, the share whose top theme is a problem theme.
Reported: the means over apps, and the number of apps each rests on; and the same figures with the
themes ranked by one score alone (share, impact, solvability), to see which part carries the ranking.

Run:  python benchmarks/group_priority.py   → benchmarks/results/group_priority.json
"""
from __future__ import annotations

import logging
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import CACHE, load_maalej, write_results  # noqa: E402

import feedmine as fm  # noqa: E402
from feedmine.embed import E5Embedder, HybridEmbedder  # noqa: E402

MIN_REVIEWS = 10
MIN_THEME = 2


def rows() -> pd.DataFrame:
    df = load_maalej()
    df["app"] = df["app_id"].astype(str).str.strip().replace("", "(missing)")
    df["problem"] = df["n_problem_labels"] > 0
    df["praise"] = (df["rating"] >= 4) & ~df["problem"]
    return df


def read_apps(df: pd.DataFrame) -> set[str]:
    counts = df.loc[df["app"] != "(missing)", "app"].value_counts()
    return set(counts[counts >= MIN_REVIEWS].index)


def run(df: pd.DataFrame, by: str | None, group_themes: str = "separate") -> tuple[fm.Result, float]:
    embedder = HybridEmbedder(semantic=E5Embedder(cache_dir=CACHE, progress=False), progress=False)
    pipeline = fm.Pipeline(embedder=embedder, group_themes=group_themes, random_state=42, progress=False)
    t0 = time.perf_counter()
    kwargs = {"by": by} if by else {}
    result = pipeline.fit(df, text="text", id="id", rating="rating", **kwargs).result_
    return result, time.perf_counter() - t0


def app_themes(result: fm.Result, df: pd.DataFrame, by: str = "priority") -> list[pd.DataFrame]:
    """Per app read: its themes with their within-app rank (by the themes' column ``by``), problem share
    and praise share."""
    docs = result.documents.assign(app=df["app"].to_numpy(), problem=df["problem"].to_numpy(),
                                   praise=df["praise"].to_numpy())
    docs = docs[(docs["theme_id"].fillna(-1) >= 0) & docs["app"].isin(read_apps(df))]
    priority = result.themes.set_index("theme_id")[by]
    out = []
    for app, part in docs.groupby("app"):
        stats = part.groupby("theme_id").agg(n=("id", "size"), problem=("problem", "mean"), praise=("praise", "mean"))
        stats = stats[stats["n"] >= MIN_THEME].copy()
        if len(stats) < 2:
            continue
        # pooled: the app's themes in the order of their pooled priority; by=: the group's own ranks
        stats["priority"] = priority.reindex(stats.index).to_numpy()
        stats["rank"] = stats["priority"].rank(ascending=False, method="first")
        stats["app"] = app
        out.append(stats)
    return out


def ranking(per_app: list[pd.DataFrame]) -> dict:
    aucs, problem_rank, praise_rank, top_is_problem = [], [], [], []
    for stats in per_app:
        k = len(stats)
        top_is_problem.append(bool(stats.sort_values("rank")["problem"].iloc[0] >= 0.5))
        problem = stats[stats["problem"] >= 0.5]
        praise = stats[(stats["praise"] >= 0.5) & (stats["problem"] < 0.5)]
        if not len(problem) or not len(praise):
            continue
        pairs = [(p < q) + 0.5 * (p == q) for p in problem["rank"] for q in praise["rank"]]
        aucs.append(float(np.mean(pairs)))
        problem_rank.append(float(((problem["rank"] - 1) / max(k - 1, 1)).mean()))
        praise_rank.append(float(((praise["rank"] - 1) / max(k - 1, 1)).mean()))
    return {"apps_with_both_kinds": len(aucs), "apps_with_2_themes": len(per_app),
            "share_top_theme_is_problem": round(float(np.mean(top_is_problem)), 4) if top_is_problem else None,
            "mean_pairwise_auc": round(float(np.mean(aucs)), 4) if aucs else None,
            "mean_rank_problem_themes": round(float(np.mean(problem_rank)), 4) if aucs else None,
            "mean_rank_praise_themes": round(float(np.mean(praise_rank)), 4) if aucs else None}


def main() -> int:
    logging.basicConfig(level=logging.ERROR)
    df = rows()
    print(f"{len(df)} reviews; {len(read_apps(df))} apps with at least {MIN_REVIEWS} reviews are read", flush=True)
    out = {"n_reviews": len(df), "n_groups": int(df["app"].nunique()), "apps_read": len(read_apps(df)),
           "min_reviews": MIN_REVIEWS,
           "min_theme": MIN_THEME, "runs": {}}
    for name, by, how in (("pooled", None, "separate"), ("by app, separate themes", "app", "separate"),
                          ("by app, shared themes", "app", "shared")):
        result, seconds = run(df, by, how)
        figures = ranking(app_themes(result, df))
        # the same themes ranked by one score alone: which part of the priority carries the ranking
        figures["ranked_by"] = {col: ranking(app_themes(result, df, col)) for col in ("share", "impact", "solvability")}
        figures.update(seconds=round(seconds, 1), n_themes=int((result.themes["theme_id"] >= 0).sum()))
        if by:
            status = result.group_table()["status"]
            figures["groups_ok"] = int((status == "ok").sum())
        out["runs"][name] = figures
        print(name, figures, flush=True)
    print(f"wrote {write_results('group_priority', out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
