"""Plain-language evidence for each theme: keyword distinctiveness and a one-paragraph explanation.

>>> import pandas as pd
>>> from feedmine.analysis.explain import keyword_distinctiveness
>>> themes = pd.DataFrame({"theme_id": [0, 1], "keywords": [["배송", "지연"], ["배송", "환불"]]})
>>> keyword_distinctiveness(themes, top=2).tolist()
[0.5, 0.5]
"""
from __future__ import annotations

from collections import Counter
from typing import Any

import pandas as pd

from ..schema import emotion_mix


def keyword_distinctiveness(themes: pd.DataFrame, top: int = 10) -> pd.Series:
    """Share of a theme's top keywords that no other theme has among its top keywords.

    A concrete, specific theme ("refund for duplicate charge") has words of its own; a vague one
    ("app", "problem", "good") shares them with everyone. Unassigned (-1) is left out of the count.
    """
    tops = {row.theme_id: list(row.keywords)[:top] for row in themes.itertuples() if row.theme_id >= 0}
    counts = Counter(k for kws in tops.values() for k in set(kws))
    out = []
    for row in themes.itertuples():
        kws = tops.get(row.theme_id)
        out.append(sum(counts[k] == 1 for k in kws) / len(kws) if kws else 0.0)
    return pd.Series(out, index=themes.index, dtype=float)


MIN_TREND_ITEMS = 30  # dated items each window needs before a trend is worth a sentence
MIN_RATED_ITEMS = 3  # rated items a theme needs before its mean rating is worth a sentence


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def explain_theme(row: Any, has_rating: bool) -> str:
    """One paragraph in plain words with the numbers behind the theme's priority."""
    if row["theme_id"] < 0:
        return (f"{_pct(row['share'])} of analysed items fit no theme closely enough and stay unassigned; "
                "they are listed, not ranked.")
    parts = [f"{_pct(row['share'])} of analysed items ({row['size']})"]
    # a trend needs dated items in both windows; a share of a handful of items is noise, not a trend
    enough = min(row.get("freq_recent_total", MIN_TREND_ITEMS), row.get("freq_baseline_total", MIN_TREND_ITEMS))
    if pd.notna(row.get("freq_recent_share")) and pd.notna(row.get("freq_baseline_share")) \
            and row["freq_recent_share"] + row["freq_baseline_share"] > 0 and enough >= MIN_TREND_ITEMS:
        trend = "up" if row["freq_recent_share"] > row["freq_baseline_share"] else "down" \
            if row["freq_recent_share"] < row["freq_baseline_share"] else "steady"
        flag = " — emerging" if bool(row.get("emerging")) else ""
        parts.append(f"{_pct(row['freq_recent_share'])} in the recent window, {trend} from "
                     f"{_pct(row['freq_baseline_share'])} before{flag}")
    if row.get("impact_method") == "rating_regression" and pd.notna(row.get("impact_coef")):
        parts.append(f"an item with this theme is rated {-row['impact_coef']:.2f} points lower with its other "
                     f"themes held fixed (95% interval {-row['impact_ci_high']:.2f} to {-row['impact_ci_low']:.2f})")
    elif has_rating and pd.notna(row.get("impact_rating_drop")):
        unit = "NPS points" if row.get("impact_method") == "nps_loo" else "rating points"
        gap = row["impact_rating_rest"] - row["impact_rating_theme"] if pd.notna(row.get("impact_rating_theme")) else None
        rated = row.get("impact_rated_items")
        if rated is not None and pd.notna(rated) and int(rated) < MIN_RATED_ITEMS:
            # a mean of one or two ratings says nothing about the theme (a Korean theme holding one
            # English rated row was "rated 0.88 points higher" on the bundled sample)
            parts.append(f"only {int(rated)} of its items {'is' if int(rated) == 1 else 'are'} rated, too few to compare")
        else:
            if gap is not None:
                direction = "lower" if gap > 0 else "higher"
                parts.append(f"rated {abs(gap):.2f} {unit} {direction} than the rest")
            parts.append(f"without them the overall score would change by {row['impact_rating_drop']:+.2f}")
    else:
        parts.append(f"mean harm {row['impact_harm_mean']:.2f} on a 0–1 scale from sentiment and severity")
    severe = row.get("severity_high", 0) + row.get("severity_critical", 0)
    if severe > 0:
        parts.append(f"{_pct(severe)} high or critical severity")
    if pd.notna(row.get("mean_sentiment")):
        parts.append(f"mean sentiment {row['mean_sentiment']:+.2f}")
    if isinstance(row.get("segment_note"), str) and row["segment_note"]:
        parts.append(row["segment_note"])
    mix = emotion_mix(row)
    if mix:
        parts.append(("most often " if len(mix) == 1 else "emotions ") + ", ".join(f"{e} {_pct(s)}" for e, s in mix))
    if row.get("churn_share", 0) > 0:
        parts.append(f"{_pct(row['churn_share'])} say they will leave or want a refund")
    if row.get("solv_request_share", 0) > 0:
        parts.append(f"{_pct(row['solv_request_share'])} ask for a specific change")
    text = "; ".join(parts) + "."
    return text[0].upper() + text[1:]
