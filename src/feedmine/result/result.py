"""The result of an analysis: plain DataFrames, with views and exports.

Example (needs the default model, so not run as a doctest)::

    import feedmine as fm
    result = fm.analyze("data/samples/reviews_mixed.csv", text="text", id="review_id")
    result.pain_points.head()
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import FeedmineError
from ..io.result_files import read_result, save_result
from ..schema import LIST_COLUMNS, LIST_SEPARATOR, memberships

logger = logging.getLogger(__name__)



@dataclass
class Result:
    """``documents``: one row per input row, input order. ``themes``: one row per theme (-1 = unassigned).

    ``config`` holds the parameters of every stage; ``meta`` the run's facts (counts, timings, versions).
    """

    documents: pd.DataFrame
    themes: pd.DataFrame
    config: dict[str, Any] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)
    sentences: pd.DataFrame | None = None  # unit="sentence" only: one row per sentence

    # ----- views --------------------------------------------------------------------------------
    @property
    def pain_points(self) -> pd.DataFrame:
        """Themes ranked by priority (unassigned excluded), with the evidence for each score."""
        real = self.themes["theme_id"] >= 0
        if "size" in self.themes:  # a known theme no row of this batch reached is not a pain point here
            real &= self.themes["size"] > 0
        ranked = self.themes[real].sort_values(["rank", "theme_id"])
        return ranked.reset_index(drop=True)

    @property
    def plot(self) -> Any:
        """Charts as plotly figures (``feedmine[plot]``): ``priority_matrix()``, ``theme_shares()``,
        ``sentiment()``, ``ratings()``, ``segments(column)``, ``trends(freq)``, ``journey()``, ``theme_map()``
        (:mod:`feedmine.result.plots`)."""
        from .plots import ResultPlots

        return ResultPlots(self)

    def theme(self, theme_id: int) -> pd.DataFrame:
        """The documents of one theme (every theme an item belongs to counts)."""
        if theme_id not in set(self.themes["theme_id"]):
            raise FeedmineError(f"no theme {theme_id}; themes are {sorted(self.themes['theme_id'].tolist())}.")
        if "theme_ids" in self.documents:  # sentence mode: secondary themes count too
            return self.documents[self.documents["theme_ids"].map(lambda ts: theme_id in list(ts))
                                  | (self.documents["theme_id"] == theme_id)]
        return self.documents[self.documents["theme_id"] == theme_id]

    def memberships(self) -> pd.DataFrame:
        """Every (row, theme_id) pair: analysed items in each of their themes (-1 when unassigned).

        ``row`` is the position in ``documents``. In sentence mode an item appears once per theme."""
        return memberships(self.documents)

    def trends(self, freq: str = "W") -> pd.DataFrame:
        """Items per theme and period (needs a ``date`` column): ``theme_id, period, n_items, n_total, share``."""
        from ..analysis.trends import theme_counts_by_period

        return theme_counts_by_period(self.documents, freq=freq, memberships=self.memberships())

    def emerging(self, **params: Any) -> pd.DataFrame:
        """Themes growing in the recent window against a baseline window (two-proportion test), with labels.

        ``params`` go to :class:`~feedmine.analysis.trends.EmergingThemeDetector` (``recent="7D"``,
        ``baseline="28D"``, ``alpha``, ``min_items``, ``min_growth``, ``correction``, ``end``)."""
        from ..analysis.trends import EmergingThemeDetector

        table = EmergingThemeDetector(**params).fit(self.documents, memberships=self.memberships()).table_
        return self.themes[["theme_id", "label"]].merge(table, on="theme_id", how="right")

    def segment_table(self, column: str, **params: Any) -> pd.DataFrame:
        """Theme × segment over/under-representation for one metadata column (channel, plan, version …).

        ``params`` go to :func:`~feedmine.analysis.customer_segments.theme_segment_table` (``min_count``, ``alpha``)."""
        from ..analysis.customer_segments import theme_segment_table

        return theme_segment_table(self.documents, column, memberships=self.memberships(), **params)

    def journey_table(self) -> pd.DataFrame:
        """Stage × theme view: per theme (ranked first, then the rest) its label, its majority stage and
        the count and share of its items at each journey stage. Needs a run with journey stages
        (``fm.analyze(..., journey=True)`` or a table of your own examples)."""
        from ..tagging.journey import stage_theme_table

        if "journey_stage" not in self.documents:
            raise FeedmineError("this result has no journey stages; run with fm.analyze(..., journey=True), "
                                "journey=<table of text, stage examples>, or Pipeline(journey=JourneyStageMapper()).")
        table = stage_theme_table(self.documents, self.memberships()).reset_index()
        cols = [c for c in ("theme_id", "label", "rank", "journey_stage") if c in self.themes]
        out = self.themes[cols].merge(table, on="theme_id", how="right")
        return out.sort_values(["rank", "theme_id"] if "rank" in out else ["theme_id"], na_position="last",
                               kind="stable").reset_index(drop=True)

    def name_themes(self, namer: Any) -> "Result":
        """A new result whose themes are named (and optionally summarised) by ``namer``, e.g. an LLM call.

        ``namer`` gets one dict per theme (``theme_id``, ``label``, ``keywords``, ``quotes``, ``summary``,
        ``size``) and returns a label, or a dict with ``label`` and/or ``summary``. The machine label is
        kept as ``label_auto``; unassigned (-1) is left as it is. Quotes are PII-masked when masking is on,
        so the function never sees raw personal data.
        """
        themes = self.themes.copy()
        themes["label_auto"] = themes["label"]
        for i, row in themes.iterrows():
            if row["theme_id"] < 0:
                continue
            given = namer({k: row.get(k) for k in ("theme_id", "label", "keywords", "quotes", "summary", "size")})
            given = {"label": given} if isinstance(given, str) else dict(given or {})
            unknown = set(given) - {"label", "summary"}
            if unknown:
                raise FeedmineError(f"namer returned unknown field(s) {sorted(unknown)}; return a label "
                                    "string or a dict with 'label' and/or 'summary'.")
            for key, value in given.items():
                themes.at[i, key] = str(value)
        docs = self.documents.copy()
        if "theme_label" in docs:
            label_of = dict(zip(themes["theme_id"], themes["label"]))
            docs["theme_label"] = [label_of.get(int(t)) if pd.notna(t) else None for t in docs["theme_id"]]
        meta = {**self.meta, "themes_named_by": getattr(namer, "__name__", type(namer).__name__)}
        return Result(documents=docs, themes=themes, config=self.config, meta=meta, sentences=self.sentences)

    def themes_at(self, level: int | str = "coarse", distance: float | None = None,
                  embeddings: Any = None) -> "Result":
        """This result read at a coarser level: themes merged along the model's theme tree down to
        ``level`` themes (an int) or to the documented ``"coarse"`` level, or every merge closer than
        cosine ``distance``; all numbers recomputed. ``themes.member_themes`` lists the fine themes of
        each, ``documents.fine_theme_id`` keeps each item's fine theme (:mod:`feedmine.result.levels`)."""
        from .levels import themes_at

        return themes_at(self, level=level, distance=distance, embeddings=embeddings)

    def for_group(self, group: Any) -> "Result":
        """One group's own Result out of a result analysed with ``by=`` (its rows, its themes under the
        group's theme ids, its run facts): every view and export of a Result works on it."""
        return _for_group(self, group)

    def group_table(self) -> pd.DataFrame:
        """Per group of a ``by=`` analysis: items, analysed items, themes, unassigned, top pain point and
        status (a group too small to cluster says so here)."""
        return _group_table(self)

    def thread_summaries(self, n_sentences: int = 2) -> pd.DataFrame:
        """Per discussion thread (needs ``thread=`` at load time): ``thread_id, n_items, summary``, the
        sentences that best cover it; replies that only agree are left out of the summary."""
        from ..analysis.threads import thread_summaries

        if "thread_id" not in self.documents:
            raise FeedmineError("no thread column: pass thread='your thread id column' to fm.analyze or "
                                "load_corpus to summarise discussions.")
        return thread_summaries(self.documents, thread="thread_id", n_sentences=n_sentences)

    def problem_statements(self, top: int = 5, columns: list[str] | None = None) -> pd.DataFrame:
        """Who / when-where / what / why / KPI for the top pain points, as fields and as text
        (:mod:`feedmine.analysis.problem`); ``columns``: the metadata columns to look for over-represented segments."""
        from ..analysis.problem import problem_statements

        return problem_statements(self, top=top, columns=columns)

    @property
    def unassigned_share(self) -> float:
        analysed = self.documents["theme_id"].notna()
        return float((self.documents.loc[analysed, "theme_id"] == -1).mean()) if analysed.any() else 0.0

    def summary(self, top: int = 10) -> str:
        """A plain-text table of the top pain points (what the CLI prints)."""
        cols = ["rank", "theme_id", "label", "size", "share", "impact", "solvability", "priority"]
        if "group" in self.themes:  # by=: ranks are within each group
            cols.insert(0, "group")
        table = self.pain_points.head(top)[cols].copy()
        for c in ("share", "impact", "solvability", "priority"):
            table[c] = table[c].map(lambda v: f"{v:.3f}" if pd.notna(v) else "")
        n = len(self.documents)
        skipped = int(self.documents["skip_reason"].notna().sum())
        head = (f"{n} items: {n - skipped} analysed, {skipped} skipped; {len(self.pain_points)} themes; "
                f"{self.unassigned_share:.1%} of analysed items unassigned")
        return head + "\n" + table.to_string(index=False)

    def _repr_html_(self) -> str:
        from ..report.html import render_summary_html

        return render_summary_html(self)

    def __repr__(self) -> str:
        return (f"<feedmine.Result: {len(self.documents)} documents, {len(self.pain_points)} themes, "
                f"{self.unassigned_share:.1%} unassigned>")

    # ----- exports ------------------------------------------------------------------------------
    def to_html(self, path: str | PathLike | None = None, interactive: bool | None = None) -> str:
        """Render the self-contained HTML report; write it to ``path`` when given. Returns the HTML.

        ``interactive``: True for plotly charts and a sortable, searchable table (``feedmine[plot]``),
        False for the plain page with no script, None (default) for interactive when plotly is installed."""
        from ..report.html import render_report

        html = render_report(self, interactive=interactive)
        if path is not None:
            from ..io.store import atomic_write_text

            atomic_write_text(Path(path), html)
        return html

    def to_excel(self, path: str | PathLike, problems: int = 10) -> Path:
        """One workbook: sheets ``pain_points`` (ranked), ``problem_statements`` (the top ``problems``),
        ``themes``, ``documents`` and, in sentence mode, ``sentences``. Korean intact, text cells that
        would run as formulas neutralised (:mod:`feedmine.io.exports`); needs ``feedmine[excel]``.

        Example (needs openpyxl)::

            result.to_excel("feedback.xlsx")
        """
        from ..io.exports import write_excel

        tables = {"pain_points": self.pain_points}
        if problems and len(self.pain_points):
            tables["problem_statements"] = self.problem_statements(top=problems)
        tables.update(themes=self.themes, documents=self.documents)
        if self.sentences is not None:
            tables["sentences"] = self.sentences
        return write_excel(tables, path)

    def to_json(self, path: str | PathLike | None = None) -> str:
        """``{"meta", "themes", "documents"[, "sentences"]}`` as one JSON document (exact text, UTF-8,
        records per row; missing values as null); written to ``path`` when given, atomically."""
        from ..io.store import atomic_write_text

        payload = {"meta": self.meta, "themes": _records(self.themes), "documents": _records(self.documents)}
        if self.sentences is not None:
            payload["sentences"] = _records(self.sentences)
        text = json.dumps(payload, ensure_ascii=False, default=str, allow_nan=False)
        if path is not None:
            atomic_write_text(Path(path), text)
        return text

    def themes_for_csv(self) -> pd.DataFrame:
        out = self.themes.copy()
        for col in LIST_COLUMNS:
            if col in out:
                out[col] = out[col].map(lambda v: LIST_SEPARATOR.join(map(str, v)) if isinstance(v, (list, tuple)) else v)
        return out

    def save(self, directory: str | PathLike) -> Path:
        """Write ``documents`` and ``themes`` (Parquet for loading, CSV for reading), config and meta into
        folder ``directory``, atomically, with a manifest that :func:`load_result` verifies."""
        return save_result(directory, self.documents, self.themes, self.sentences, self.config, self.meta,
                           self.themes_for_csv())


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as plain dicts: numpy scalars and arrays as Python values, NaN / NA / inf as None."""
    return json.loads(df.to_json(orient="records", force_ascii=False, date_format="iso", default_handler=str))


def load_result(directory: str | PathLike) -> Result:
    """Load a result written by :meth:`Result.save` (every file checked against the folder's manifest)."""
    try:
        documents, themes, sentences, config, meta = read_result(directory)
        return Result(documents=documents, themes=themes, config=config, meta=meta, sentences=sentences)
    except (FeedmineError, KeyboardInterrupt, MemoryError):
        raise
    except Exception as err:  # files that agree with their manifest but hold damaged or foreign content
        raise FeedmineError(f"the result in {str(directory)!r} is damaged or was not written by feedmine "
                            f"({type(err).__name__}: {str(err)[:200]}); save it again.") from err


def _for_group(result: Result, group: Any) -> Result:
    """One group's own Result out of a combined one: its rows, its themes under their group ids, its meta."""
    known = [x["group"] for x in result.meta.get("groups", [])]
    if "group" not in result.documents or not known:
        raise FeedmineError("this result is not split by group: analyse with by='<column>' to get groups.")
    if str(group) not in known:
        raise FeedmineError(f"no group {group!r}; the groups are {', '.join(map(repr, known[:20]))}"
                            + (" …" if len(known) > 20 else "") + ".")
    g = str(group)
    docs = result.documents[result.documents["group"] == g].reset_index(drop=True)
    docs["theme_id"] = docs.pop("group_theme_id")
    back = dict(zip(result.themes["theme_id"].astype(int), result.themes["group_theme_id"].astype(int)))
    if "theme_ids" in docs:
        docs["theme_ids"] = [[back.get(int(x), int(x)) for x in ts] for ts in docs["theme_ids"]]
    themes = result.themes[result.themes["group"] == g].copy()
    themes["theme_id"] = themes.pop("group_theme_id")
    n_unassigned, analysed = int((docs["theme_id"] == -1).sum()), int(docs["theme_id"].notna().sum())
    unassigned = pd.DataFrame({"theme_id": [-1], "label": ["unassigned"], "size": [n_unassigned],
                               "share": [n_unassigned / analysed if analysed else 0.0]})
    themes = pd.concat([unassigned, themes.drop(columns="group")], ignore_index=True)
    sentences = None
    if result.sentences is not None:
        sentences = result.sentences[result.sentences["group"] == g].drop(columns="group").reset_index(drop=True)
        sentences["theme_id"] = sentences["theme_id"].map(lambda t: back.get(int(t), int(t)) if pd.notna(t) else t)
    meta = {**result.meta.get("group_meta", {}).get(g, {}), "group": g}
    return Result(documents=docs.drop(columns="group"), themes=themes, config=dict(result.config), meta=meta,
                  sentences=sentences)


def _group_table(result: Result) -> pd.DataFrame:
    """Per group: items, analysed items, themes, unassigned, its top pain point and its status."""
    groups = result.meta.get("groups")
    if not groups:
        raise FeedmineError("this result is not split by group: analyse with by='<column>' to get groups.")
    return pd.DataFrame(groups)
