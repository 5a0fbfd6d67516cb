"""Charts of a result for notebooks: ``result.plot.<view>()`` returns a plotly figure.

plotly is an optional extra (``pip install 'feedmine[plot]'``): the base install stays lean. Feedback
text and metadata are untrusted, and plotly reads a subset of HTML in hover and axis text (``<b>``,
``<br>``, ``<a href>``), so every string taken from the data is escaped before it reaches a figure
(:func:`plain`) and shown as the characters it is.

Example (needs plotly)::

    fig = result.plot.priority_matrix()
    fig.show()
"""
from __future__ import annotations

import html
from typing import Any

import numpy as np
import pandas as pd

from ..errors import FeedmineError

#: characters of a quote shown in a hover label
QUOTE_CHARS = 160
#: items drawn on the theme map at most (SVG markers: more slow a browser down)
MAP_POINTS = 3000


def plain(value: Any, limit: int = 300) -> str:
    """``value`` as text plotly shows literally: cut to ``limit`` characters, HTML special characters
    escaped (plotly would otherwise render ``<b>`` or follow ``<a href>`` found in feedback)."""
    text = "" if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)
    if len(text) > limit:
        text = text[:limit - 1] + "…"
    return html.escape(text, quote=True)


def _plotly() -> Any:
    try:
        import plotly.graph_objects as go
    except ImportError:
        raise FeedmineError("charts need plotly: pip install 'feedmine[plot]'") from None
    return go


class ResultPlots:
    """The chart views of one result (``result.plot``); each method returns a ``plotly`` Figure."""

    def __init__(self, result: Any) -> None:
        self._result = result

    def priority_matrix(self, top: int | None = 40) -> Any:
        """Pain points by frequency (x) and impact (y); marker area = items, colour = solvability;
        hover: the theme's name, its numbers and its first quote."""
        go = _plotly()
        pain = self._result.pain_points
        pain = pain.head(top) if top else pain
        quotes = [q[0] if isinstance(q, (list, tuple, np.ndarray)) and len(q) else "" for q in pain.get("quotes", [])]
        hover = [f"<b>#{int(r)} {plain(n, 80)}</b><br>{int(s)} items · priority {p:.3f}<br>“{plain(q, QUOTE_CHARS)}”"
                 for r, n, s, p, q in zip(pain["rank"], pain["label"], pain["size"], pain["priority"].fillna(0),
                                         quotes or [""] * len(pain))]
        size = pain["size"].astype(float).to_numpy()
        fig = go.Figure(go.Scatter(
            x=pain["frequency"], y=pain["impact"], mode="markers",
            marker=dict(size=np.sqrt(size / max(size.max(), 1)) * 48 + 6, color=pain["solvability"],
                        colorscale="Viridis", showscale=True, colorbar=dict(title="solvability"),
                        line=dict(width=0.5, color="#333")),
            text=hover, hovertemplate="%{text}<extra></extra>",
            customdata=pain["theme_id"]))
        fig.update_layout(title="Priority matrix: frequency × impact", xaxis_title="frequency (share of items)",
                          yaxis_title="impact", xaxis_tickformat=".0%", template="plotly_white")
        return fig

    def theme_shares(self, top: int = 20) -> Any:
        """The ``top`` pain points by share of items, biggest on top."""
        go = _plotly()
        pain = self._result.pain_points.sort_values("share", ascending=False, kind="stable").head(top)
        fig = go.Figure(go.Bar(x=pain["share"], y=[f"#{int(r)} {plain(n, 50)}" for r, n in zip(pain["rank"], pain["label"])],
                               orientation="h", hovertemplate="%{y}: %{x:.1%}<extra></extra>"))
        fig.update_layout(title="Share of feedback per theme", xaxis_tickformat=".0%", template="plotly_white",
                          yaxis=dict(autorange="reversed"))
        return fig

    def sentiment(self) -> Any:
        """Distribution of item sentiment (−1 … 1), one trace per language."""
        go = _plotly()
        docs = self._result.documents
        if "sentiment" not in docs:
            raise FeedmineError("no sentiment column: this result was made without the tagger.")
        fig = go.Figure()
        langs = docs["lang"].fillna("none") if "lang" in docs else pd.Series("all", index=docs.index)
        for lang in sorted(set(langs) - {"none"}):
            values = docs.loc[langs == lang, "sentiment"].dropna()
            if len(values):
                fig.add_trace(go.Histogram(x=values, name=plain(lang, 20), xbins=dict(start=-1, end=1, size=0.1),
                                           opacity=0.7))
        fig.update_layout(title="Sentiment of the items", barmode="overlay", xaxis_title="sentiment",
                          template="plotly_white")
        return fig

    def ratings(self) -> Any:
        """How the rated items rated (needs a ``rating`` column)."""
        go = _plotly()
        docs = self._result.documents
        if "rating" not in docs or not docs["rating"].notna().any():
            raise FeedmineError("no ratings: analyse with rating=<your rating column>.")
        counts = pd.to_numeric(docs["rating"], errors="coerce").dropna().value_counts().sort_index()
        fig = go.Figure(go.Bar(x=counts.index.astype(str), y=counts.to_numpy(), hovertemplate="%{x}: %{y}<extra></extra>"))
        fig.update_layout(title="Ratings", xaxis_title="rating", yaxis_title="items", template="plotly_white")
        return fig

    def segments(self, column: str, top: int = 15) -> Any:
        """Heatmap of the top pain points × the values of metadata ``column``: each cell the share of the
        theme's items with that value (what ``segment_table`` tests)."""
        go = _plotly()
        table = self._result.segment_table(column)
        pain = self._result.pain_points.head(top)
        table = table[table["theme_id"].isin(pain["theme_id"])]
        grid = table.pivot_table(index="theme_id", columns="value", values="share_in_theme", fill_value=0.0)
        grid = grid.reindex(pain["theme_id"]).fillna(0.0)
        names = dict(zip(pain["theme_id"], pain["label"]))
        fig = go.Figure(go.Heatmap(z=grid.to_numpy(), x=[plain(v, 40) for v in grid.columns],
                                   y=[plain(names[t], 50) for t in grid.index], colorscale="Blues",
                                   hovertemplate="%{y} · %{x}: %{z:.0%}<extra></extra>"))
        fig.update_layout(title=f"Pain points by {plain(column, 40)}", template="plotly_white",
                          yaxis=dict(autorange="reversed"))
        return fig

    def trends(self, freq: str = "W", top: int = 8) -> Any:
        """Share of items per period for the top pain points (needs a ``date`` column)."""
        go = _plotly()
        table = self._result.trends(freq)
        pain = self._result.pain_points.head(top)
        fig = go.Figure()
        emerging = pain["emerging"].fillna(False).astype(bool) if "emerging" in pain else pd.Series(False, index=pain.index)
        for theme_id, name, rising in zip(pain["theme_id"], pain["label"], emerging):
            rows = table[table["theme_id"] == theme_id]
            # an emerging theme (the scorer's two-proportion test) is flagged in its legend entry
            fig.add_trace(go.Scatter(x=rows["period"].astype(str), y=rows["share"], mode="lines+markers",
                                     name=("▲ emerging: " if rising else "") + plain(name, 40),
                                     line=dict(width=4 if rising else 2)))
        fig.update_layout(title="Share of feedback over time", yaxis_tickformat=".0%", template="plotly_white")
        return fig

    def journey(self, top: int = 15) -> Any:
        """Heatmap of the top pain points × customer-journey stage: each cell the share of the theme's
        items at that stage (needs a run with journey stages)."""
        go = _plotly()
        table = self._result.journey_table()
        table = table[table["theme_id"] >= 0].head(top)
        stages = [c[len("share_"):] for c in table.columns if c.startswith("share_")]
        fig = go.Figure(go.Heatmap(z=table[[f"share_{s}" for s in stages]].to_numpy(dtype=float),
                                   x=[plain(s, 40) for s in stages],
                                   y=[plain(n, 50) for n in table.get("label", table["theme_id"])],
                                   colorscale="Oranges", hovertemplate="%{y} · %{x}: %{z:.0%}<extra></extra>"))
        fig.update_layout(title="Pain points by journey stage", template="plotly_white",
                          yaxis=dict(autorange="reversed"))
        return fig

    def theme_map(self, max_points: int = MAP_POINTS, random_state: int = 0) -> Any:
        """Every analysed item on the theme map (``map_x``, ``map_y``: :mod:`feedmine.themes.theme_map`),
        one colour per pain point of the top ten, the rest grey; hover shows the item's text as stored
        (PII-masked when masking is on). At most ``max_points`` items are drawn (a seeded sample)."""
        go = _plotly()
        docs = self._result.documents
        if "map_x" not in docs:
            raise FeedmineError("no theme map: this result has no map_x / map_y columns (made before feedmine "
                                "drew maps, or edited); run the analysis again.")
        docs = docs[docs["map_x"].notna()]
        if len(docs) > max_points:
            docs = docs.sample(max_points, random_state=random_state).sort_index()
        top = self._result.pain_points.head(10)
        names = dict(zip(top["theme_id"], top["label"]))
        fig = go.Figure()
        theme = docs["theme_id"].fillna(-1).astype(int)
        groups = [(None, ~theme.isin(list(names)))] + [(t, theme == t) for t in names]
        for theme_id, rows in ((t, docs[m.to_numpy()]) for t, m in groups):
            if not len(rows):
                continue
            known = theme_id is not None
            fig.add_trace(go.Scatter(
                x=rows["map_x"], y=rows["map_y"], mode="markers", text=[plain(t, QUOTE_CHARS) for t in rows["text"]],
                name=plain(names[theme_id], 40) if known else "other themes and unassigned",
                marker=dict(size=5, opacity=0.75 if known else 0.3, **({} if known else {"color": "#9aa3ad"})),
                hovertemplate="%{text}<extra></extra>"))
        fig.update_layout(title="Theme map: each point an item, near points say similar things",
                          template="plotly_white", xaxis=dict(visible=False), yaxis=dict(visible=False))
        return fig
