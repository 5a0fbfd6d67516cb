"""Other ways to rank scored themes: RICE, opportunity scoring, and how stable the weighted ranking is.

All functions take the theme table that ``ThemeScorer`` fills (``result.themes``), add their evidence as
columns and never change the scorer's own columns. The unassigned theme (-1) gets no score and no rank
in every strategy. Each function's docstring writes out its formula.

>>> import pandas as pd
>>> from feedmine.analysis.priority import prioritize, rank_stability, stability_summary
>>> themes = pd.DataFrame({"theme_id": [-1, 0, 1], "size": [5, 30, 10], "frequency": [.1, .6, .2],
...                        "frequency_score": [None, 1.0, 1 / 3], "impact": [None, .5, .6],
...                        "solvability": [None, .5, .25], "mean_sentiment": [0, -.4, -.8]})
>>> rice = prioritize(themes, strategy="rice").set_index("theme_id")
>>> float(rice.loc[0, "rice_effort"]), round(float(rice.loc[0, "rice_score"]), 3)  # .6 × .5 × 30/50 ÷ 3
(3.0, 0.06)
>>> rice["strategy_rank"].tolist()
[<NA>, 1, 2]
>>> stability_summary(rank_stability(themes))
'ranking stable under ±20% weight changes (Spearman ≥ 1.00; top-10 themes move at most 0 places)'
"""
from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..errors import FeedmineError
from .score import DEFAULT_WEIGHTS, ThemeScorer, priority_from_components

STRATEGIES = ("weighted", "rice", "opportunity")
#: RICE confidence = size / (size + CONFIDENCE_K): 20 items give 0.5, 80 give 0.8
CONFIDENCE_K = 20.0
#: a relative interval width can lower confidence to this, never below: a wide interval is still evidence
CONFIDENCE_FLOOR = 0.2
#: the lowest Spearman correlation at which stability_summary still calls a ranking stable
STABLE_SPEARMAN = 0.9
_EPS = 1e-6
_COMPONENTS = ("frequency_score", "impact", "solvability")


def _require(themes: pd.DataFrame, columns: list[str], what: str) -> None:
    missing = [c for c in columns if c not in themes]
    if missing:
        raise FeedmineError(f"{what} needs theme column(s) {missing}; pass the table ThemeScorer makes "
                            "(result.themes, or ThemeScorer().fit(...).scores_ merged with the themes).")


def _ranked(themes: pd.DataFrame) -> pd.Series:
    """Real themes that hold items: -1 collects the items no theme fits, so ranking it would rank noise,
    and a known theme that no row of an assigned batch reached has nothing to rank."""
    real = themes["theme_id"].notna() & (themes["theme_id"] >= 0)
    return real & (themes["size"] > 0) if "size" in themes else real


def _rank(score: pd.Series, ranked: pd.Series) -> pd.Series:
    # "first": ties get distinct places in table order, as ThemeScorer's rank does
    return score.where(ranked).rank(ascending=False, method="first").astype("Int64")


def _weights(weights: Mapping[str, float] | None) -> dict[str, float]:
    # the scorer's own check: unknown names, negative or all-zero weights raise; the rest sum to 1
    return ThemeScorer(weights=None if weights is None else dict(weights))._weights()


def weighted_priority(themes: pd.DataFrame, weights: Mapping[str, float] | None = None) -> pd.Series:
    """ThemeScorer's priority, Σ w·component (frequency and solvability gated by ``pain_share`` when
    present), from ``frequency_score``, ``impact``, ``solvability``; NaN for theme -1."""
    _require(themes, [*_COMPONENTS, "theme_id"], "weighted priority")
    # the scorer's own formula, so "weighted" here and ``rank`` there can never disagree
    score = priority_from_components(themes.astype({c: float for c in _COMPONENTS}), _weights(weights))
    return score.where(_ranked(themes))


def _effort(themes: pd.DataFrame, effort: Mapping | pd.Series | None) -> pd.Series:
    # without an estimate from the team, a less solvable (vaguer) theme is assumed to take more work: 1…5
    default = 1 + 4 * (1 - themes["solvability"].astype(float))
    if effort is None:
        return default
    given = pd.Series(effort, dtype=float) if not isinstance(effort, pd.Series) else effort.astype(float)
    unknown = sorted(set(given.index) - set(themes["theme_id"]), key=str)
    if unknown:
        raise FeedmineError(f"effort given for unknown theme id(s) {unknown}; use ids from the theme "
                            f"table's theme_id column ({sorted(themes['theme_id'].tolist(), key=str)[:20]}).")
    bad = given[~(np.isfinite(given) & (given > 0))]
    if len(bad):
        raise FeedmineError(f"effort must be a positive number per theme, got {bad.to_dict()}; "
                            "use e.g. person-weeks (any unit, the same for all themes).")
    # themes the team did not estimate keep the solvability-based default
    return themes["theme_id"].map(given).astype(float).fillna(default)


def rice_priority(themes: pd.DataFrame, effort: Mapping | pd.Series | None = None) -> pd.DataFrame:
    """RICE: reach × impact × confidence / effort.

    ``rice_reach`` = ``frequency`` (share of items or customers); ``rice_impact`` = ``impact`` (0–1);
    ``rice_confidence`` = size / (size + 20), and when ``impact_ci_low``/``impact_ci_high`` exist it is
    multiplied by clip(1 − (high − low) / (2·max(|impact|, 1e-6)), 0.2, 1) — an interval as wide as the
    estimate itself halves it (themes without an interval keep the size part alone);
    ``rice_effort`` = ``effort[theme_id]`` (dict or Series, any positive unit) or, for themes not given,
    1 + 4·(1 − solvability), i.e. 1 (very solvable) … 5. ``rice_rank`` 1 = fix first.
    """
    _require(themes, ["theme_id", "frequency", "impact", "solvability"], "rice_priority")
    size_col = "size" if "size" in themes else "freq_items"
    _require(themes, [size_col], "rice_priority (for confidence)")
    out = themes.copy()
    ranked = _ranked(out)
    size = out[size_col].astype(float).clip(lower=0)
    confidence = size / (size + CONFIDENCE_K)
    if {"impact_ci_low", "impact_ci_high"} <= set(out):
        width = (out["impact_ci_high"] - out["impact_ci_low"]).astype(float).abs()
        estimate = np.maximum(out["impact"].astype(float).abs(), _EPS)
        factor = (1 - width / (2 * estimate)).clip(CONFIDENCE_FLOOR, 1).fillna(1.0)
        confidence = confidence * factor
    out["rice_reach"] = out["frequency"].astype(float)
    out["rice_impact"] = out["impact"].astype(float)
    out["rice_confidence"] = confidence
    out["rice_effort"] = _effort(out, effort)
    score = out["rice_reach"] * out["rice_impact"] * out["rice_confidence"] / out["rice_effort"]
    out["rice_score"] = score.where(ranked)
    out["rice_rank"] = _rank(out["rice_score"], ranked)
    return out


def _star_satisfaction(themes: pd.DataFrame) -> pd.Series | None:
    """Satisfaction from a theme's mean stars, or None when the ratings are not 1–5 stars."""
    if "impact_rating_theme" not in themes:
        return None
    stars = themes["impact_rating_theme"].astype(float)
    if "impact_method" in themes and (themes["impact_method"].dropna() != "rating_loo").any():
        return None  # NPS points or no rating at all: not stars
    seen = stars[_ranked(themes)].dropna()
    if seen.empty or seen.min() < 1 or seen.max() > 5:
        return None
    return (stars - 1) / 4 * 10


def opportunity_priority(themes: pd.DataFrame) -> pd.DataFrame:
    """Ulwick opportunity scoring: importance + max(importance − satisfaction, 0), both 0–10.

    ``importance`` = 10·(0.5·frequency_score + 0.5·impact): how many have it and how much it hurts.
    ``satisfaction`` = (stars − 1) / 4·10 from ``impact_rating_theme`` when the ratings are 1–5 stars
    (``impact_method`` "rating_loo", theme means within 1–5), else (mean_sentiment + 1) / 2·10 with
    sentiment clipped to −1…1; a theme without rated items falls back to sentiment.
    ``satisfaction_source`` says which. ``opportunity_rank`` 1 = biggest unmet need.
    """
    _require(themes, ["theme_id", "frequency_score", "impact"], "opportunity_priority")
    out = themes.copy()
    ranked = _ranked(out)
    out["importance"] = 10 * (0.5 * out["frequency_score"].astype(float) + 0.5 * out["impact"].astype(float))
    from_stars = _star_satisfaction(out)
    if from_stars is None and "mean_sentiment" not in out:
        raise FeedmineError("opportunity_priority needs a mean_sentiment column or 1–5 star ratings "
                            "(impact_rating_theme); analyse with sentiment tags or pass rating=<stars column>.")
    from_sentiment = ((out["mean_sentiment"].astype(float).clip(-1, 1) + 1) / 2 * 10
                      if "mean_sentiment" in out else pd.Series(np.nan, index=out.index))
    use_stars = from_stars.notna() if from_stars is not None else pd.Series(False, index=out.index)
    out["satisfaction"] = from_stars.where(use_stars, from_sentiment) if from_stars is not None else from_sentiment
    out["satisfaction_source"] = np.where(use_stars, "stars", "sentiment")
    gap = (out["importance"] - out["satisfaction"]).clip(lower=0)
    out["opportunity"] = (out["importance"] + gap).where(ranked)
    out["opportunity_rank"] = _rank(out["opportunity"], ranked)
    return out


def _moved(w: dict[str, float], name: str, factor: float) -> dict[str, float]:
    """``w`` with ``w[name]`` times ``factor`` (at most 1); the others share the rest in their old proportions."""
    new = min(w[name] * factor, 1.0)
    others = {k: v for k, v in w.items() if k != name}
    rest = sum(others.values())
    if rest > 0:
        scaled = {k: v * (1 - new) / rest for k, v in others.items()}
    else:  # the moved weight was the only one: the freed share is split evenly
        scaled = {k: (1 - new) / len(others) for k in others}
    return {**scaled, name: new}


def rank_stability(themes: pd.DataFrame, weights: Mapping[str, float] | None = None,
                   change: float = 0.2) -> pd.DataFrame:
    """How the weighted ranking moves when each weight moves by −``change`` and +``change`` (relative).

    The moved weight becomes w·(1 ± change) (at most 1); the other weights are rescaled to fill 1 − that,
    keeping their ratio, so the weights still sum to 1. Priority is recomputed as ThemeScorer does
    (``weighted_priority``). One row per (weight, direction) with the weights used, ``spearman`` (rank
    correlation of the new priorities with the original, real themes only) and ``max_top10_shift`` (the
    largest |new rank − old rank| among the original top 10, theme in ``max_shift_theme``).
    """
    if not 0 < change < 1:
        raise FeedmineError(f"change must be a fraction between 0 and 1 (0.2 = ±20%), got {change!r}.")
    base_w = _weights(weights)
    ranked = _ranked(themes)
    base = weighted_priority(themes, base_w)[ranked]
    base_rank = base.rank(ascending=False, method="first")
    top10 = base_rank[base_rank <= 10].index
    ids = themes.loc[ranked, "theme_id"]
    rows = []
    for name in DEFAULT_WEIGHTS:
        for sign, direction in ((-1, "-"), (1, "+")):
            w = _moved(base_w, name, 1 + sign * change)
            new = weighted_priority(themes, w)[ranked]
            new_rank = new.rank(ascending=False, method="first")
            # Spearman = Pearson correlation of the (average-tie) ranks
            rho = base.rank().corr(new.rank()) if len(base) >= 2 else float("nan")
            shift = (new_rank[top10] - base_rank[top10]).abs()
            rows.append({"weight": name, "direction": direction, "change": change,
                         **{f"w_{k}": w[k] for k in DEFAULT_WEIGHTS}, "spearman": float(rho),
                         "max_top10_shift": int(shift.max()) if len(shift) else 0,
                         "max_shift_theme": ids[shift.idxmax()] if len(shift) and shift.max() > 0 else None})
    table = pd.DataFrame(rows)
    table["max_shift_theme"] = table["max_shift_theme"].astype("Int64")  # <NA> where nothing moved
    return table


def stability_summary(table: pd.DataFrame) -> str:
    """One line on a ``rank_stability`` table; "stable" when every Spearman ≥ 0.9."""
    _require(table, ["weight", "direction", "change", "spearman", "max_top10_shift"], "stability_summary")
    if table.empty or table["spearman"].isna().all():
        return "ranking stability not measurable (fewer than two ranked themes, or all tied)"
    pct = f"±{round(100 * float(table['change'].iloc[0]))}%"
    low = float(table["spearman"].min())
    shift = int(table["max_top10_shift"].max())
    floor = math.floor(low * 100 + 1e-9) / 100  # rounded down (not float noise), so "≥" stays true
    places = "place" if shift == 1 else "places"
    if low >= STABLE_SPEARMAN:
        return (f"ranking stable under {pct} weight changes (Spearman ≥ {floor:.2f}; "
                f"top-10 themes move at most {shift} {places})")
    worst = table.loc[table["spearman"].idxmin()]
    return (f"ranking sensitive to {pct} weight changes (Spearman down to {floor:.2f} with "
            f"{worst['weight']} {worst['direction']}{pct[1:]}; top-10 themes move up to {shift} {places})")


def prioritize(themes: pd.DataFrame, strategy: str = "weighted", weights: Mapping[str, float] | None = None,
               effort: Mapping | pd.Series | None = None) -> pd.DataFrame:
    """The theme table with ``strategy_score`` and ``strategy_rank`` (1 = fix first) for ``strategy``.

    ``weighted``: Σ w·component with ``weights`` (non-negative, normalised to sum to 1; default 0.35 /
    0.45 / 0.20); ``rice``: ``rice_score`` (``effort`` per theme id optional); ``opportunity``:
    ``opportunity``. The strategy's evidence columns are kept.
    """
    if strategy not in STRATEGIES:
        raise FeedmineError(f"unknown strategy {strategy!r}; use one of {list(STRATEGIES)}.")
    if weights is not None and strategy != "weighted":
        raise FeedmineError(f"weights only apply to strategy='weighted', not {strategy!r}; drop weights=.")
    if effort is not None and strategy != "rice":
        raise FeedmineError(f"effort only applies to strategy='rice', not {strategy!r}; drop effort=.")
    if strategy == "weighted":
        out = themes.copy()
        out["strategy_score"] = weighted_priority(out, weights)
    elif strategy == "rice":
        out = rice_priority(themes, effort)
        out["strategy_score"] = out["rice_score"]
    else:
        out = opportunity_priority(themes)
        out["strategy_score"] = out["opportunity"]
    out["strategy"] = strategy
    out["strategy_rank"] = _rank(out["strategy_score"], _ranked(out))
    return out
