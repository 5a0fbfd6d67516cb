"""The interactive report's parts: the charts as plotly figure data, plotly.js and the report's own
script inlined once, and a Content-Security-Policy that lets exactly those two scripts run.

Chart data never becomes code: each figure (built by :class:`~feedmine.result.plots.ResultPlots`, which
HTML-escapes every string plotly would render as markup) goes into a ``data-figure`` attribute through
Jinja's autoescaping, and the constant ``report.js`` reads it with ``JSON.parse``. The CSP names the
two inline scripts by their SHA-256, so a script that feedback text might smuggle in would not run
even if it reached the page.
"""
from __future__ import annotations

import base64
import hashlib
import logging
from functools import lru_cache
from importlib import resources
from typing import Any

import pandas as pd

from ..errors import FeedmineError

logger = logging.getLogger(__name__)

#: metadata columns drawn as segment heatmaps when they hold two or more values
SEGMENT_COLUMNS = ("channel", "segment")
#: the scripts may draw from data: and blob: images (plotly's own icons and its image export)
CSP_TEMPLATE = ("default-src 'none'; script-src {hashes}; style-src 'unsafe-inline'; img-src data: blob:; "
                "font-src data:; base-uri 'none'; form-action 'none'")
PLAIN_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"


def available() -> bool:
    """Whether plotly (``feedmine[plot]``) is installed: without it the report is the plain one."""
    try:
        import plotly  # noqa: F401
    except ImportError:
        return False
    return True


@lru_cache(maxsize=1)
def scripts() -> tuple[str, str]:
    """(plotly.js, report.js): the two scripts the interactive report inlines."""
    try:
        plotly_js = (resources.files("plotly") / "package_data" / "plotly.min.js").read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError) as err:
        raise FeedmineError("the interactive report needs plotly: pip install 'feedmine[plot]' "
                            "(or write the plain report: to_html(path, interactive=False))") from err
    app_js = (resources.files("feedmine.report") / "templates" / "report.js").read_text(encoding="utf-8")
    for name, code in (("plotly.min.js", plotly_js), ("report.js", app_js)):
        if "</script" in code.lower():  # it would end the inline script early
            raise FeedmineError(f"{name} contains '</script' and cannot be inlined")
    return plotly_js, app_js


def csp(inline_scripts: tuple[str, ...] | None) -> str:
    """The page's Content-Security-Policy: only ``inline_scripts`` (by hash) may run; none when None."""
    if not inline_scripts:
        return PLAIN_CSP
    hashes = " ".join(f"'sha256-{base64.b64encode(hashlib.sha256(s.encode('utf-8')).digest()).decode()}'"
                      for s in inline_scripts)
    return CSP_TEMPLATE.format(hashes=hashes)


def figures(result: Any) -> list[dict[str, str]]:
    """The report's charts in reading order, each ``{"id", "title", "note", "json"}``: the priority
    matrix, trends (with dates), segment heatmaps, the journey heatmap (with stages), the theme map.
    A chart the data cannot make is left out with a log line; the rest of the report still renders."""
    import plotly.io as pio

    plots, docs = result.plot, result.documents
    wanted: list[tuple[str, str, str, Any]] = [
        ("matrix", "Priority matrix", "Each bubble a pain point: further right = more often, higher = more "
         "harm; bubble area = items, colour = solvability. Click a bubble to open its theme.",
         plots.priority_matrix)]
    freq = _trend_freq(docs)
    if freq:
        wanted.append(("trends", "Trends", "Share of each period's feedback in the top pain points; "
                       "▲ marks a theme the emerging test flags.", lambda: plots.trends(freq)))
    for column in SEGMENT_COLUMNS:
        if column in docs and docs[column].dropna().astype(str).nunique() >= 2:
            wanted.append((f"segments-{column}", f"Pain points by {column}",
                           f"Share of each pain point's items per {column} value.",
                           lambda c=column: plots.segments(c)))
    if "journey_stage" in docs:
        wanted.append(("journey-map", "Pain points by journey stage",
                       "Share of each pain point's items at each stage of the customer journey.", plots.journey))
    if "map_x" in docs:
        wanted.append(("theme-map", "Theme map", "Each point one item (hover: its text as stored, PII-masked "
                       "when masking is on); near points say similar things.", plots.theme_map))
    out = []
    for key, title, note, make in wanted:
        try:
            fig = make()
        except (FeedmineError, KeyError, ValueError) as err:
            logger.info("report: chart %s left out: %s", key, err)
            continue
        fig.update_layout(title=None, autosize=True, margin=dict(l=10, r=10, t=30, b=40))
        out.append({"id": key, "title": title, "note": note, "json": pio.to_json(fig, validate=False)})
    return out


def _trend_freq(docs: pd.DataFrame) -> str | None:
    """The period of the trends chart for the span of the dates: days, weeks or months; None without dates."""
    if "date" not in docs:
        return None
    dates = pd.to_datetime(docs["date"], errors="coerce", utc=True).dropna()
    if dates.nunique() < 2:
        return None
    span = (dates.max() - dates.min()).days
    return "M" if span > 180 else "W" if span > 21 else "D"
