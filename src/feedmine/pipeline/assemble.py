"""Assembling a Result from what the steps produced: the placement of units and items in themes, one
row per input row (documents), one per sentence (sentence mode), one per theme, and the run's facts.

Both paths end here, so a fitted table and an assigned one come out in the same shape.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .._version import __version__
from ..analysis.theme_table import finish_themes, ranking_stability
from ..result.result import Result
from ..schema import NOT_ANALYSED, SEVERITY_LEVELS, memberships, theme_id_array
from ..themes.units import item_themes
from .steps import Batch, vote_rows

logger = logging.getLogger(__name__)


@dataclass
class Placement:
    """Which theme each unit and each row is in (rows: -2 when not analysed)."""

    unit_labels: np.ndarray
    unit_confidence: np.ndarray
    unit_reassigned: np.ndarray
    labels: np.ndarray
    confidence: np.ndarray
    reassigned: np.ndarray
    theme_lists: list | None = None
    votes: dict[int, int] = field(default_factory=dict)
    xy: np.ndarray | None = None  # (rows, 2) theme-map positions, NaN where not analysed


def place(batch: Batch, distinct_labels: np.ndarray, distinct_confidence: np.ndarray,
          distinct_reassigned: np.ndarray, distinct_weak: np.ndarray, unit: str,
          distinct_pairs: dict | None, distinct_xy: np.ndarray | None = None) -> Placement:
    """Units take the theme of their distinct text; rows the theme of their unit (document mode) or of
    their sentences (sentence mode, :func:`~feedmine.themes.units.item_themes`); replies that only agree
    move to their parent's theme. A row's map position is the mean of its units' (``distinct_xy``)."""
    src = batch.source
    unit_labels = distinct_labels[src] if len(src) else np.zeros(0, dtype=int)
    unit_conf = distinct_confidence[src] if len(src) else np.zeros(0)
    unit_reassigned = distinct_reassigned[src] if len(src) else np.zeros(0, dtype=bool)
    theme_lists = None
    if unit == "document":
        labels = np.full(batch.n, NOT_ANALYSED, dtype=int)
        confidence, reassigned = np.full(batch.n, np.nan), np.zeros(batch.n, dtype=bool)
        labels[batch.unit_item], confidence[batch.unit_item] = unit_labels, unit_conf
        reassigned[batch.unit_item] = unit_reassigned
    else:
        labels, confidence, reassigned, theme_lists = item_themes(
            batch.n, batch.unit_item, batch.unit_texts, unit_labels, unit_conf, unit_reassigned,
            distinct=distinct_pairs, unit_weak=distinct_weak[src] if len(src) else np.zeros(0, dtype=bool))
    votes = vote_rows(batch, labels)
    for row, theme in votes.items():
        # a reply that only agrees ("저도요", "+1") is a vote for its parent's theme, not a theme
        # of its own: it moves there, with every unit it has
        labels[row] = theme
        unit_labels = np.where(batch.unit_item == row, theme, unit_labels)
        if theme_lists is not None:
            theme_lists[row] = [theme] if theme >= 0 else []
    xy = _row_positions(batch, distinct_xy) if distinct_xy is not None else None
    return Placement(unit_labels, unit_conf, unit_reassigned, labels, confidence, reassigned, theme_lists, votes, xy)


def _row_positions(batch: Batch, distinct_xy: np.ndarray) -> np.ndarray:
    sums, counts = np.zeros((batch.n, 2)), np.zeros(batch.n)
    if len(batch.source) and len(distinct_xy):
        np.add.at(sums, batch.unit_item, distinct_xy[batch.source])
        np.add.at(counts, batch.unit_item, 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return sums / counts[:, None]  # rows with no unit (skipped): 0/0 = NaN


def build_documents(batch: Batch, placed: Placement, tags: pd.DataFrame, themes: pd.DataFrame) -> pd.DataFrame:
    """One row per input row, input order: ids, raw and clean text, theme, tags, metadata."""
    corpus, clean, n, usable = batch.corpus, batch.clean, batch.n, batch.usable
    raw = corpus[["id", "text"]].copy()
    if "text_masked" in clean:  # PII masking on: no raw personal data goes any further
        # object dtype, as the raw column is: pandas 3 would make a column of strings its str dtype
        raw["text"] = pd.Series(clean["text_masked"].to_numpy(dtype=object), index=raw.index, dtype=object)
        clean = clean.drop(columns="text_masked")
    documents = pd.concat([raw, clean], axis=1)
    documents["truncated"] = batch.truncated
    documents["theme_id"] = theme_id = theme_id_array(placed.labels)
    label_of = dict(zip(themes["theme_id"], themes["label"]))
    documents["theme_label"] = [label_of.get(int(t)) if t is not pd.NA else None for t in theme_id]
    documents["theme_confidence"] = placed.confidence
    documents["reassigned"] = placed.reassigned
    if placed.xy is not None:
        documents["map_x"], documents["map_y"] = placed.xy[:, 0], placed.xy[:, 1]
    for col in tags.columns:  # skipped rows: no tag (NaN / None), False for flags
        documents[col] = _full_column(tags[col], n, usable, documents.index)
    for col in corpus.columns:
        if col not in ("id", "text"):
            documents[col] = corpus[col].to_numpy()
    if "parent_id" in corpus or "thread_id" in corpus:
        documents["agreement_vote"] = [i in placed.votes for i in range(n)]
    if batch.near is not None:
        # object dtype: pandas 3 would otherwise store the Nones as NaN in a string column
        documents["near_duplicate_of"] = pd.Series(batch.near[0], index=documents.index, dtype=object)
        documents["near_duplicate_group_size"] = batch.near[1]
    if placed.theme_lists is not None:
        column = np.empty(n, dtype=object)  # one list per cell, whatever their lengths
        for r, ts in enumerate(placed.theme_lists):
            column[r] = list(ts) if ts is not None else []
        documents["theme_ids"] = column
        documents["n_sentences"] = np.bincount(batch.unit_item, minlength=n)
    return documents


def _full_column(values: pd.Series, n: int, usable: np.ndarray, index: pd.Index) -> Any:
    if values.name == "severity":
        full = pd.Categorical([None] * n, categories=list(SEVERITY_LEVELS), ordered=True)
        full[usable] = values.astype(str).to_numpy()
        return full
    if values.dtype == bool:
        full = np.zeros(n, dtype=bool)
    elif pd.api.types.is_numeric_dtype(values):
        full = np.full(n, np.nan)
    else:
        full = np.full(n, None, dtype=object)
    full[usable] = values.to_numpy()
    return pd.Series(full, index=index, dtype=full.dtype)


def sentence_table(batch: Batch, placed: Placement, unit_tags: pd.DataFrame) -> pd.DataFrame:
    """Sentence mode: one row per sentence with its theme and its own tags."""
    return pd.DataFrame({"id": batch.ids[batch.unit_item], "sentence": batch.unit_sentence,
                         "text": batch.unit_texts, "theme_id": placed.unit_labels,
                         "theme_confidence": placed.unit_confidence,
                         "reassigned": placed.unit_reassigned}).join(unit_tags)


def assemble(batch: Batch, placed: Placement, tags: pd.DataFrame, unit_tags: pd.DataFrame,
             themes: pd.DataFrame, tightness: dict[int, float], scorer: Any, unit: str,
             config: dict[str, Any], meta: dict[str, Any]) -> tuple[Result, Any]:
    """The Result of one path (and the fitted scorer): documents, scored themes, sentences, facts."""
    documents = build_documents(batch, placed, tags, themes)
    members = memberships(documents)
    themes, scorer = finish_themes(themes, documents, members, tightness, scorer)
    sentences = sentence_table(batch, placed, unit_tags) if unit == "sentence" else None
    analysed = placed.labels[batch.usable]
    clean = batch.clean
    facts = {
        "feedmine_version": __version__, "n_items": batch.n, "n_analysed": int(len(batch.usable)),
        "n_skipped": int(batch.n - len(batch.usable)),
        "skipped_by_reason": clean["skip_reason"].value_counts().to_dict(),
        "n_exact_duplicates": int(clean["duplicate_of"].notna().sum()),
        "n_truncated": int(batch.truncated.sum()), "n_themes": int((themes["theme_id"] >= 0).sum()),
        "unassigned_share": float((analysed == -1).mean()) if len(analysed) else 0.0,
        "unit": unit, "n_units": int(len(batch.unit_texts)),
        "ranking_stability": ranking_stability(themes, getattr(scorer, "weights_", None)),
    }
    result = Result(documents=documents, themes=themes, config=config, meta={**facts, **meta}, sentences=sentences)
    return result, scorer
