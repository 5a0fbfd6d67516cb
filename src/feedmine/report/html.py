"""Self-contained HTML views of a :class:`~feedmine.result.Result`.

The report is one HTML file with inline CSS, no fonts or network requests; the interactive one (the
default when plotly is installed) inlines plotly.js and ``report.js`` once and allows only those two by
hash (:mod:`feedmine.report.interactive`), the plain one has no script at all. Feedback text, labels,
keywords and config values are untrusted: everything reaches the page through Jinja2 with
autoescaping on, and this module never marks data as safe (only the two constant scripts are). Python
only prepares plain values (numbers formatted as strings, texts truncated); the markup, the inline SVG
chart included, lives in ``feedmine/report/templates/*.html``.

Example (a full run on a file, so not run as a doctest)::

    import feedmine as fm
    fm.load_result("out/").to_html("report.html")
"""
from __future__ import annotations

import json
import logging
from functools import lru_cache
from importlib import resources
from typing import Any, Protocol

import numpy as np
import pandas as pd
from jinja2 import Environment, FunctionLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from ..errors import FeedmineError
from ..schema import SEVERITY_LEVELS, emotion_mix
from . import interactive as charts



class ResultLike(Protocol):
    """What the report reads of a :class:`~feedmine.result.Result` (kept as a protocol, so that the report
    layer does not import the result layer that calls it)."""

    documents: pd.DataFrame
    themes: pd.DataFrame
    config: dict
    meta: dict

    @property
    def pain_points(self) -> pd.DataFrame: ...

    @property
    def unassigned_share(self) -> float: ...

    def problem_statements(self, top: int = 5) -> pd.DataFrame: ...

    def journey_table(self) -> pd.DataFrame: ...

logger = logging.getLogger(__name__)

DASH = "–"
N_KEYWORDS_TABLE = 6
N_EXAMPLES = 10
N_SKIPPED_EXAMPLES = 20
N_CHART = 20
#: problem statements the report opens with (every card has its own)
N_PROBLEMS = 5
EVIDENCE_PREFIXES = ("freq_", "impact_", "solv_")
#: share of a theme's items that report a problem (sentiment, severity or churn) for it to be a pain point
PROBLEM_SHARE = 0.5


# ----- formatting ---------------------------------------------------------------------------------
def _missing(v: Any) -> bool:
    """True for None, pd.NA, NaN / NaT; False for containers and everything else."""
    if v is None or isinstance(v, (list, tuple, dict, set, np.ndarray)):
        return v is None
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def fmt_num(v: Any, digits: int = 3) -> str:
    """A number with ``digits`` decimals (integers as they are); "–" for missing values."""
    if _missing(v):
        return DASH
    if isinstance(v, (bool, np.bool_)):
        return "yes" if v else "no"
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    try:
        return f"{float(v):.{digits}f}"
    except (TypeError, ValueError):
        return str(v)


def fmt_pct(v: Any) -> str:
    """A share in [0, 1] as a percentage with one decimal; "–" for missing values."""
    try:
        return DASH if _missing(v) else f"{100 * float(v):.1f}%"
    except (TypeError, ValueError):
        return str(v)


def fmt_signed(v: Any) -> str:
    """A sentiment-like value with a sign and two decimals."""
    try:
        return DASH if _missing(v) else f"{float(v):+.2f}"
    except (TypeError, ValueError):
        return str(v)


def _evidence_value(name: str, v: Any) -> str:
    if isinstance(v, str):
        return v
    return fmt_pct(v) if "share" in name else fmt_num(v)


def _text(v: Any, limit: int) -> str:
    """Any cell as display text (non-strings and blank strings by ``repr``), cut to ``limit`` characters."""
    s = DASH if _missing(v) else (v if isinstance(v, str) and v.strip() else repr(v))
    return s if len(s) <= limit else s[: limit - 1] + "…"


def _as_list(v: Any) -> list:
    if isinstance(v, (list, tuple, np.ndarray, pd.Series)):
        return list(v)
    return [] if _missing(v) else [v]


# ----- template environment -----------------------------------------------------------------------
def _load_template(name: str) -> str:
    return (resources.files("feedmine.report") / "templates" / name).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def _env() -> Environment:
    env = Environment(loader=FunctionLoader(_load_template),
                      autoescape=select_autoescape(("html",), default_for_string=True, default=True),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(num=fmt_num, pct=fmt_pct, signed=fmt_signed)
    return env


# ----- view models --------------------------------------------------------------------------------
def _pain_points(result: ResultLike) -> pd.DataFrame:
    themes = result.themes
    if "theme_id" not in themes or "rank" not in themes:
        return themes.iloc[0:0] if "theme_id" not in themes else themes[themes["theme_id"] >= 0]
    return result.pain_points


def _docs_of(docs: pd.DataFrame, theme_id: int) -> pd.DataFrame:
    if "theme_id" not in docs:
        return docs.iloc[0:0]
    return docs[docs["theme_id"].eq(theme_id).fillna(False).astype(bool)]


def _severity_bar(row: dict) -> list[dict]:
    parts = []
    for level in SEVERITY_LEVELS:
        share = row.get(f"severity_{level}")
        share = 0.0 if _missing(share) else min(max(float(share), 0.0), 1.0)
        parts.append({"level": level, "width": f"{100 * share:.1f}", "pct": fmt_pct(share)})
    return parts


def _theme_row(row: dict) -> dict:
    """One themes row as display values (shared by the table, the sections and the summary)."""
    theme_id = int(row["theme_id"])
    keywords = [str(k) for k in _as_list(row.get("keywords"))]
    # by=: each theme is named with its group, and its rank is within that group
    label = row.get("label") if _missing(row.get("group")) else f"{row['group']} · {row.get('label')}"
    return {
        "theme_id": theme_id, "anchor": f"theme-{theme_id}",
        "rank": DASH if _missing(row.get("rank")) else str(int(row["rank"])),
        "label": _text(label, 300), "keywords": keywords,
        "keywords_short": keywords[:N_KEYWORDS_TABLE], "size": fmt_num(row.get("size")),
        "share": fmt_pct(row.get("share")), "mean_sentiment": fmt_signed(row.get("mean_sentiment")),
        "severity": _severity_bar(row), "frequency": fmt_pct(row.get("frequency")),
        "impact": fmt_num(row.get("impact")), "impact_method": _text(row.get("impact_method"), 60),
        "solvability": fmt_num(row.get("solvability")), "priority": fmt_num(row.get("priority")),
        "sort": _sort_values(row),
    }


def _sort_values(row: dict) -> dict[str, str]:
    """The raw numbers the interactive table sorts by ("" when missing: sorted last)."""
    def raw(v: Any) -> str:
        try:
            return "" if _missing(v) else repr(float(v))
        except (TypeError, ValueError):
            return ""
    severe = sum(0.0 if _missing(row.get(f"severity_{lv}")) else float(row[f"severity_{lv}"]) for lv in ("high", "critical"))
    keys = ("rank", "size", "share", "mean_sentiment", "frequency", "impact", "solvability", "priority")
    return {**{k: raw(row.get(k)) for k in keys}, "severe": raw(severe)}


def _is_problem(row: dict) -> bool:
    """A pain point: at least :data:`PROBLEM_SHARE` of its items report a problem (``pain_share``); the
    rest (praise, thanks, neutral talk) is listed apart. Without the column every theme counts."""
    share = row.get("pain_share")
    return True if _missing(share) else float(share) >= PROBLEM_SHARE


def _tag_summary(row: dict) -> str:
    """"70% negative · frustration 11% · 6% churn risk · 20% requests" from the theme's tag aggregates."""
    parts = []
    if not _missing(row.get("negative_share")):
        parts.append(f"{fmt_pct(row['negative_share'])} negative")
    parts += [f"{_text(emotion, 30)} {fmt_pct(share)}" for emotion, share in emotion_mix(row)]
    if not _missing(row.get("churn_share")) and row["churn_share"] > 0:
        parts.append(f"{fmt_pct(row['churn_share'])} churn risk")
    if not _missing(row.get("request_share")) and row["request_share"] > 0:
        parts.append(f"{fmt_pct(row['request_share'])} requests")
    return " · ".join(parts)


def _theme_section(row: dict, docs: pd.DataFrame, statement: str | None = None) -> dict:
    view = _theme_row(row)
    view["statement"] = statement
    view["tags"] = _tag_summary(row)
    view["summary"] = "" if _missing(row.get("summary")) else _text(row.get("summary"), 600)
    view["evidence"] = [(k, _evidence_value(k, v)) for k, v in row.items() if k.startswith(EVIDENCE_PREFIXES)]
    explanation = row.get("explanation")
    view["explanation"] = None if _missing(explanation) else str(explanation)
    view["quotes"] = [_text(q, 800) for q in _as_list(row.get("quotes"))]
    quoted = {str(q) for q in _as_list(row.get("quote_ids"))}
    members = _docs_of(docs, view["theme_id"])
    if "id" in members and quoted:
        members = members[~members["id"].astype(str).isin(quoted)]
    view["n_more"] = len(members)
    view["examples"] = [{
        "id": _text(d.get("id"), 80), "text": _text(d.get("text_clean", d.get("text")), 400),
        "sentiment": fmt_signed(d.get("sentiment")), "severity": _text(d.get("severity"), 20),
        "cue": "" if _missing(d.get("severity_cue")) else _text(d.get("severity_cue"), 80),
    } for d in members.head(N_EXAMPLES).to_dict("records")]
    return view


def _chart(pain: pd.DataFrame) -> dict:
    """Geometry of a horizontal bar chart of theme shares; labels stay plain text for the template."""
    top = pain.sort_values("share", ascending=False, kind="stable").head(N_CHART) if "share" in pain else pain.iloc[0:0]
    label_w, bar_w, row_h = 300, 380, 22
    biggest = max([float(s) for s in top["share"] if not _missing(s)] + [1e-12]) if len(top) else 1.0
    bars = []
    for i, row in enumerate(top.to_dict("records")):
        share = 0.0 if _missing(row.get("share")) else float(row["share"])
        rank = "" if _missing(row.get("rank")) else f"#{int(row['rank'])} "
        bars.append({"y": i * row_h + 4, "text_y": i * row_h + 16, "w": f"{bar_w * share / biggest:.1f}",
                     "label": _text(rank + str(row.get("label")), 42), "title": _text(row.get("label"), 300),
                     "value": fmt_pct(share), "value_x": f"{label_w + bar_w * share / biggest + 6:.1f}",
                     "anchor": f"theme-{int(row['theme_id'])}"})
    return {"bars": bars, "label_w": label_w, "width": label_w + bar_w + 70, "height": len(bars) * row_h + 8}


def _facts(result: ResultLike, n_themes: int) -> dict:
    from .. import __version__

    docs, meta = result.documents, result.meta
    skip = docs["skip_reason"] if "skip_reason" in docs else pd.Series(dtype=object)
    by_reason = meta.get("skipped_by_reason") or skip.value_counts().to_dict()
    try:
        unassigned = meta.get("unassigned_share", result.unassigned_share)
    except KeyError:
        unassigned = 0.0
    dup = docs["duplicate_of"].notna().sum() if "duplicate_of" in docs else 0
    seconds = meta.get("seconds") or meta.get("timings") or {}
    return {
        "sources": _counts(docs, "channel"), "languages": _counts(docs, "lang", skip={"none"}),
        "groups": _counts(docs, "group"),
        "period": _period(docs),
        "n_items": int(meta.get("n_items", len(docs))),
        "n_analysed": int(meta.get("n_analysed", len(docs) - skip.notna().sum())),
        "n_skipped": int(meta.get("n_skipped", skip.notna().sum())),
        "skipped_by_reason": [(str(k), int(v)) for k, v in by_reason.items()],
        "n_duplicates": int(meta.get("n_exact_duplicates", dup)), "n_themes": n_themes,
        "n_truncated": meta.get("n_truncated"), "unassigned": fmt_pct(unassigned),
        "embedder": None if _missing(meta.get("embedder")) else str(meta.get("embedder")),
        "timings": [(str(k), fmt_num(v, 2)) for k, v in seconds.items()] if isinstance(seconds, dict) else [],
        "version": str(meta.get("feedmine_version", __version__)),
        "stability": None if _missing(meta.get("ranking_stability")) else _text(meta["ranking_stability"], 300),
    }


def _counts(docs: pd.DataFrame, column: str, top: int = 8, skip: set[str] | frozenset = frozenset()) -> list[tuple[str, str]]:
    """The most common values of ``column`` with their counts (the rest summed as "other")."""
    if column not in docs:
        return []
    counts = docs[column].dropna().astype(str)
    counts = counts[~counts.isin(skip)].value_counts()
    out = [(_text(k, 40), f"{int(v):,}") for k, v in counts.head(top).items()]
    if len(counts) > top:
        out.append(("other", f"{int(counts.iloc[top:].sum()):,}"))
    return out


def _period(docs: pd.DataFrame) -> str | None:
    """"2024-01-03 – 2024-03-30" over the items' dates; None when the table has none."""
    if "date" not in docs:
        return None
    dates = pd.to_datetime(docs["date"], errors="coerce", utc=True).dropna()
    if not len(dates):
        return None
    return f"{dates.min():%Y-%m-%d} – {dates.max():%Y-%m-%d}"


def _skipped(docs: pd.DataFrame) -> dict:
    if "skip_reason" not in docs:
        return {"counts": [], "examples": [], "n": 0}
    skipped = docs[docs["skip_reason"].notna()]
    return {"n": len(skipped),
            "counts": [(str(k), int(v)) for k, v in skipped["skip_reason"].value_counts().items()],
            "examples": [{"id": _text(d.get("id"), 80), "reason": str(d["skip_reason"]),
                          "text": _text(d.get("text"), 200)}
                         for d in skipped.head(N_SKIPPED_EXAMPLES).to_dict("records")]}


def _json(obj: Any) -> str:
    return json.dumps(obj, indent=2, ensure_ascii=False, default=str)


# ----- public -------------------------------------------------------------------------------------
def _problems(result: ResultLike, top: int | None = None) -> list[dict]:
    """Problem statements of the pain points (plain text; the template escapes it), every one by
    default: the top five lead the report, each card shows its own."""
    if "rank" not in result.themes or not (result.themes["theme_id"] >= 0).any():
        return []
    try:
        table = result.problem_statements(top=top or len(result.themes))
    except Exception as err:  # noqa: BLE001 - a report without statements beats no report
        logger.warning("problem statements left out of the report: %s", err)
        return []
    return [{"theme_id": int(r["theme_id"]), "anchor": f"theme-{int(r['theme_id'])}", "rank": r["rank"],
             "text": _text(r["text"], 1200)} for r in table.to_dict("records")]  # each quotes its theme already


def _journey(result: ResultLike, top: int = 15) -> dict | None:
    """Stage × theme shares for the top pain points, when the run mapped journey stages."""
    if "journey_stage" not in result.documents:
        return None
    table = result.journey_table()
    table = table[table["theme_id"] >= 0].head(top)
    stages = [c[len("share_"):] for c in table.columns if c.startswith("share_")]
    rows = [{"anchor": f"theme-{int(r['theme_id'])}", "label": _text(r.get("label", r["theme_id"]), 80),
             "n": int(r["n_items"]), "cells": [fmt_pct(r[f"share_{st}"]) for st in stages]}
            for r in table.to_dict("records")]
    return {"stages": stages, "rows": rows} if rows else None


def render_report(result: ResultLike, interactive: bool | None = None) -> str:
    """The full report as one self-contained HTML page (what :meth:`Result.to_html` writes).

    ``interactive``: True for plotly charts, a sortable and searchable table (needs ``feedmine[plot]``),
    False for the plain page without any script, None for interactive when plotly is installed."""
    if interactive is None:
        interactive = charts.available()
        if not interactive:
            logger.info("plotly is not installed: writing the plain report (pip install 'feedmine[plot]' for charts)")
    if interactive and not charts.available():
        raise FeedmineError("the interactive report needs plotly: pip install 'feedmine[plot]' "
                            "(or to_html(path, interactive=False) for the plain one)")
    scripts = charts.scripts() if interactive else ()
    pain = _pain_points(result)
    docs, themes = result.documents, result.themes
    problems = _problems(result)
    statement_of = {p["theme_id"]: p["text"] for p in problems}
    sections = [_theme_section(r, docs, statement_of.get(int(r["theme_id"]))) for r in pain.to_dict("records")]
    unassigned_rows = themes[themes["theme_id"] == -1].to_dict("records") if "theme_id" in themes else []
    if not unassigned_rows and len(_docs_of(docs, -1)):
        unassigned_rows = [{"theme_id": -1, "label": "unassigned", "size": len(_docs_of(docs, -1))}]
    unassigned = _theme_section(unassigned_rows[0], docs) if unassigned_rows else None
    rows = [_theme_row(r) for r in pain.to_dict("records")]
    problem = [_is_problem(r) for r in pain.to_dict("records")]
    html = _env().get_template("report.html").render(
        facts=_facts(result, len(pain)), pain_points=[r for r, p in zip(rows, problem) if p],
        praise=[r for r, p in zip(rows, problem) if not p], problem_share=PROBLEM_SHARE,
        problems=problems[:N_PROBLEMS], journey=_journey(result), sections=sections, unassigned=unassigned,
        skipped=_skipped(docs), chart=_chart(pain),
        config_json=_json(result.config), meta_json=_json(result.meta), severity_levels=SEVERITY_LEVELS,
        figures=charts.figures(result) if interactive and len(pain) else [], csp=charts.csp(scripts),
        scripts=[Markup(code) for code in scripts])  # the two constant scripts: code, not data
    logger.debug("rendered report: %d themes, %d characters", len(pain), len(html))
    return html


def render_summary_html(result: ResultLike, top: int = 10) -> str:
    """A compact HTML fragment (run facts and the top pain points) for Jupyter's ``_repr_html_``."""
    pain = _pain_points(result)
    return _env().get_template("summary.html").render(
        facts=_facts(result, len(pain)), pain_points=[_theme_row(r) for r in pain.head(top).to_dict("records")],
        n_more=max(len(pain) - top, 0))
