"""Problem statements for the top pain points: who, when/where, what, why it matters, how to measure a fix.

Each field is built from numbers already in the result, so every claim can be traced:

* **who**: segment values over-represented in the theme (``segment_table``: lift with a Fisher / χ²
  test, Benjamini–Hochberg adjusted) over the metadata columns given (default: ``channel`` and
  ``segment`` when present);
* **when / where**: the emerging-theme figures when the data is dated, the majority journey stage when
  stages were mapped;
* **what**: label, keywords, the most representative quote;
* **why it matters**: the impact evidence (rating gap and leave-one-out effect, or mean harm), the share
  of high/critical severity and of churn signals;
* **KPI**: the theme's share of feedback and its score gap, the two numbers a fix should move.

>>> import pandas as pd
>>> from feedmine.analysis.problem import problem_statement
>>> row = {"theme_id": 3, "label": "결제 · 오류", "keywords": ["결제", "오류", "카드"], "share": 0.041, "size": 41,
...        "quotes": ["결제하면 오류가 떠요"], "impact_method": "rating_loo", "impact_rating_theme": 1.8,
...        "impact_rating_rest": 3.9, "impact_rating_drop": 0.09, "severity_high": 0.5, "severity_critical": 0.1}
>>> print(problem_statement(row)["text"])
결제 · 오류 (4.1% of feedback, 41 items): "결제하면 오류가 떠요". Rated 2.10 points lower than the rest; \
without it the overall score would rise by 0.09; 60% high or critical severity. KPI: bring its share \
below 4.1% and close the 2.10-point gap.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from .explain import MIN_RATED_ITEMS, MIN_TREND_ITEMS
from .customer_segments import segment_phrases

MAX_QUOTE = 160  # characters of the representative quote in a statement


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%" if x >= 0.1 else f"{100 * x:.1f}%"


def _ok(v: Any) -> bool:
    return v is not None and not (isinstance(v, float) and pd.isna(v))


def problem_statement(row: dict, who: str = "") -> dict[str, str]:
    """The fields and the one-paragraph text for one theme row of ``result.themes``."""
    label, share, size = str(row.get("label", "")), float(row.get("share", 0.0)), int(row.get("size", 0))
    quotes = list(row.get("quotes") or [])
    quote = str(quotes[0]) if quotes else ""
    quote = quote if len(quote) <= MAX_QUOTE else quote[:MAX_QUOTE].rsplit(" ", 1)[0] + " …"
    what = f"{label} ({_pct(share)} of feedback, {size} items)" + (f': "{quote}"' if quote else "")
    why_parts = []
    gap = None
    rated = row.get("impact_rated_items")
    too_few = _ok(rated) and int(rated) < MIN_RATED_ITEMS  # one or two ratings say nothing of the theme
    if row.get("impact_method") in ("rating_loo", "nps_loo") and _ok(row.get("impact_rating_theme")) and not too_few:
        unit = "NPS points" if row["impact_method"] == "nps_loo" else "points"
        gap = float(row["impact_rating_rest"]) - float(row["impact_rating_theme"])
        if gap > 0:
            why_parts.append(f"rated {gap:.2f} {unit} lower than the rest")
        if _ok(row.get("impact_rating_drop")) and row["impact_rating_drop"] > 0:
            why_parts.append(f"without it the overall score would rise by {row['impact_rating_drop']:.2f}")
    elif row.get("impact_method") == "rating_regression" and _ok(row.get("impact_coef")):
        gap = -float(row["impact_coef"])
        why_parts.append(f"an item with it is rated {gap:.2f} points lower with its other themes held fixed "
                         f"(95% interval {-row['impact_ci_high']:.2f}–{-row['impact_ci_low']:.2f})")
    elif _ok(row.get("impact_harm_mean")):
        why_parts.append(f"mean harm {row['impact_harm_mean']:.2f} (0–1, from sentiment and severity)")
    severe = float(row.get("severity_high", 0) or 0) + float(row.get("severity_critical", 0) or 0)
    if severe > 0:
        why_parts.append(f"{_pct(severe)} high or critical severity")
    if _ok(row.get("churn_share")) and row["churn_share"] > 0:
        why_parts.append(f"{_pct(row['churn_share'])} signal churn")
    where_parts = []
    thin = min(row.get("freq_recent_total", MIN_TREND_ITEMS), row.get("freq_baseline_total", MIN_TREND_ITEMS))
    if _ok(row.get("freq_recent_share")) and _ok(row.get("freq_baseline_share")) and thin >= MIN_TREND_ITEMS \
            and row["freq_recent_share"] + row["freq_baseline_share"] > 0:
        where_parts.append(f"{_pct(row['freq_recent_share'])} of recent feedback vs "
                           f"{_pct(row['freq_baseline_share'])} before" + (" (emerging)" if row.get("emerging") else ""))
    if _ok(row.get("journey_stage")):
        where_parts.append(f"mostly at the {row['journey_stage']} stage")
    kpi = f"bring its share below {_pct(share)}" + (f" and close the {gap:.2f}-point gap" if gap and gap > 0 else "")
    why = "; ".join(why_parts)
    where = "; ".join(where_parts)
    sentences = [what + "."]
    if who:
        sentences.append(f"Who: {who}.")
    if where:
        sentences.append(f"When/where: {where}.")
    if why:
        sentences.append(why[0].upper() + why[1:] + ".")
    sentences.append(f"KPI: {kpi}.")
    return {"who": who, "where": where, "what": what, "why": why, "kpi": kpi, "text": " ".join(sentences)}


def problem_statements(result: Any, top: int = 5, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """One row per top-``top`` pain point: ``theme_id, rank, label, who, where, what, why, kpi, text``."""
    docs = result.documents
    if columns is None:
        columns = [c for c in ("channel", "segment") if c in docs]
    notes = segment_phrases(docs, list(columns), result.memberships()) if columns else {}
    rows = []
    for row in result.pain_points.head(top).to_dict("records"):
        who = notes.get(int(row["theme_id"]), "")
        rows.append({"theme_id": int(row["theme_id"]), "rank": row.get("rank"), "label": row.get("label"),
                     **problem_statement(row, who)})
    return pd.DataFrame(rows, columns=["theme_id", "rank", "label", "who", "where", "what", "why", "kpi", "text"])
