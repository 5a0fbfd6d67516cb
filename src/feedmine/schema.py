"""The shapes feedmine's tables share: sentinel theme ids, the columns of each table, and memberships.

Every module that reads or writes ``documents``, ``themes`` or ``sentences`` takes the meaning of a
column from here, so that "unassigned" is -1 everywhere and a skipped row is told apart the same way
in the fit path, the assign path, the editor and the report.

>>> import pandas as pd
>>> docs = pd.DataFrame({"theme_id": pd.array([0, UNASSIGNED, None, 1], dtype="Int64"),
...                      "theme_ids": [[0, 1], [], [], [1]]})
>>> memberships(docs).values.tolist()  # (row, theme) pairs; the skipped row 2 is in none
[[0, 0], [0, 1], [1, -1], [3, 1]]
"""
from __future__ import annotations

from typing import Any, Protocol

import numpy as np
import pandas as pd

from .errors import FeedmineError

#: theme id of an analysed item that no theme fits closely enough
UNASSIGNED = -1
#: internal label of a row that was not analysed (skipped); ``documents.theme_id`` is <NA> for it
NOT_ANALYSED = -2

#: the severity levels, least severe first
SEVERITY_LEVELS = ("low", "medium", "high", "critical")
#: the emotions an item can show (``documents.emotion``; "none" when it shows none)
EMOTIONS = ("anger", "frustration", "disappointment", "confusion", "worry", "satisfaction", "gratitude")
#: the analysis units: whole items, or their sentences (one review can then sit in several themes)
UNITS = ("document", "sentence")
#: list-valued theme columns (joined with LIST_SEPARATOR in CSV and Excel exports)
LIST_COLUMNS = ("keywords", "keyword_scores", "quotes", "quote_ids")
LIST_SEPARATOR = " | "

#: ``Result.documents``: one row per input row, in input order (docs/architecture.md has the types)
DOCUMENT_COLUMNS = {
    "id": "the user's id (as a string) or a stable made id row-<n>",
    "text": "the raw cell as given; with PII masking on, its personal data masked",
    "text_clean": "normalised text ('' when the cell was missing or not text)",
    "lang": "ko, en, mixed, other; none for skipped rows",
    "skip_reason": "missing, empty, non_text, no_letters; None when analysed",
    "duplicate_of": "id of the first identical (normalised, masked) row of the same table",
    "pii_masked": "spans of personal data masked", "pii_kinds": "which kinds (PHONE:1, EMAIL:1)",
    "truncated": "longer than the embedder reads or the cleaner's max_chars (analysed cut, kept whole here)",
    "theme_id": "primary theme; -1 unassigned; <NA> for skipped rows",
    "theme_label": "label of theme_id", "theme_confidence": "share of the nearest known items that agree (0-1)",
    "reassigned": "fit only: an item the clusterer called noise that the matching rule placed",
    "map_x": "theme-map position (themes laid out by t-SNE, each item near its most similar themes)",
    "map_y": "theme-map position (see map_x); NaN where not analysed",
    "near_duplicate_of": "first row of its near-duplicate group", "near_duplicate_group_size": "its group's size",
    "theme_ids": "sentence mode: every theme of the item, primary first", "n_sentences": "sentence mode: sentences",
    "agreement_vote": "a reply that only agrees, counted as a vote for its parent's theme",
    "sentiment": "-1..1", "sentiment_label": "negative / neutral / positive",
    "emotion": "anger ... gratitude or none", "emotion_confidence": "0-1", "emotion_cue": "the phrase",
    "severity": "low / medium / high / critical", "severity_cue": "what set it", "severity_score": "rank in level",
    "is_request": "asks for a change", "request_score": "P(feature request)",
    "is_churn_risk": "cancel / refund / switching intent", "churn_cue": "the phrase",
    "tag_method": "heads+lexicon, or lexicon", "journey_stage": "journey stage (when mapped)",
    "journey_similarity": "similarity to that stage", "journey_cue": "cue phrase, similarity or default",
}
#: metadata roles carried through from the input (``feedmine.io.load_corpus``)
METADATA_COLUMNS = ("date", "rating", "channel", "segment", "customer", "value", "thread_id", "parent_id")


def theme_id_array(labels: np.ndarray) -> pd.arrays.IntegerArray:
    """``documents.theme_id`` from integer labels: <NA> where the row was not analysed."""
    labels = np.asarray(labels, dtype=int)
    out = pd.array(np.where(labels == NOT_ANALYSED, 0, labels), dtype="Int64")
    out[labels == NOT_ANALYSED] = pd.NA
    return out


def labels_of(documents: pd.DataFrame) -> np.ndarray:
    """Integer primary themes of ``documents``, :data:`NOT_ANALYSED` for skipped rows."""
    return documents["theme_id"].astype("Int64").fillna(NOT_ANALYSED).to_numpy(dtype=int)


def memberships(documents: pd.DataFrame) -> pd.DataFrame:
    """Every (row, theme_id) pair of analysed items: ``row`` is the position in ``documents``; an item
    is in its ``theme_ids`` (sentence mode) or else its ``theme_id``; an unassigned item is under -1."""
    if "theme_id" not in documents.columns:
        raise FeedmineError(f"documents need a 'theme_id' column; they have {list(documents.columns)}. "
                            "Pass result.documents.")
    labels = labels_of(documents)
    lists = documents["theme_ids"].to_numpy(dtype=object) if "theme_ids" in documents else None
    rows: list[int] = []
    themes: list[int] = []
    for row, label in enumerate(labels):
        if label == NOT_ANALYSED:
            continue
        listed = [int(t) for t in lists[row]] if lists is not None and _is_list(lists[row]) else []
        for theme in listed or [int(label)]:
            rows.append(row)
            themes.append(theme)
    return pd.DataFrame({"row": rows, "theme_id": themes}, dtype=np.int64)


def membership_pairs(documents: pd.DataFrame, pairs: pd.DataFrame | None = None) -> pd.DataFrame:
    """Distinct (row, theme_id) pairs of analysed items: ``pairs`` (e.g. :func:`memberships`) checked
    against ``documents``, or, when None, each analysed item in its primary ``theme_id`` only. Rows of
    skipped items are left out whatever ``pairs`` says."""
    if "theme_id" not in documents.columns:
        raise FeedmineError(f"documents need a 'theme_id' column; they have {list(documents.columns)}. "
                            "Pass result.documents.")
    if pairs is None:
        labels = labels_of(documents)
        rows = np.flatnonzero(labels != NOT_ANALYSED)
        return pd.DataFrame({"row": rows, "theme_id": labels[rows]}, dtype=np.int64)
    missing = [c for c in ("row", "theme_id") if c not in pairs.columns]
    if missing:
        raise FeedmineError(f"memberships lack column(s) {missing}; they need 'row' (position in documents) "
                            "and 'theme_id', as result.memberships() gives them.")
    out = pairs[["row", "theme_id"]].dropna().astype(np.int64).drop_duplicates()
    bad = out["row"][(out["row"] < 0) | (out["row"] >= len(documents))]
    if len(bad):
        raise FeedmineError(f"memberships have row positions outside documents (0–{len(documents) - 1}), e.g. "
                            f"{int(bad.iloc[0])}; 'row' must be a position in the same documents table.")
    analysed = labels_of(documents) != NOT_ANALYSED
    return out[analysed[out["row"].to_numpy()]].reset_index(drop=True)


def _is_list(value: Any) -> bool:
    return isinstance(value, (list, tuple, np.ndarray))


class ResultTables(Protocol):
    """What a :class:`feedmine.Result` holds, for the modules that build Results but must not import
    ``feedmine.result.result`` (it imports them): the theme editor and the coarse levels."""

    documents: pd.DataFrame
    themes: pd.DataFrame
    config: dict[str, Any]
    meta: dict[str, Any]
    sentences: pd.DataFrame | None


def emotion_mix(row: Any, top: int = 3, floor: float = 0.05) -> list[tuple[str, float]]:
    """A theme's most common emotions as (emotion, share of its items), most common first: up to ``top``
    of those shown by at least ``floor`` of the items (the most common one whatever its share). Why a mix:
    a complaint theme whose mixed reviews open with "Good, but…" can have satisfaction as its single
    most common emotion, next to frustration and disappointment nearly as often.

    >>> emotion_mix({"emotion_satisfaction": 0.11, "emotion_frustration": 0.10, "emotion_anger": 0.02})
    [('satisfaction', 0.11), ('frustration', 0.1)]
    >>> emotion_mix({"top_emotion": "worry", "top_emotion_share": 0.03})  # a table from before the mix
    [('worry', 0.03)]
    """
    def share(key: str) -> float:
        value = row.get(key)
        return float(value) if isinstance(value, (int, float, np.floating)) and np.isfinite(value) else 0.0

    shares = sorted(((e, share(f"emotion_{e}")) for e in EMOTIONS), key=lambda t: -t[1])
    if not any(row.get(f"emotion_{e}") is not None for e in EMOTIONS):
        name = row.get("top_emotion")
        shares = [(str(name), share("top_emotion_share"))] if isinstance(name, str) and name != "none" else []
    shares = [(e, s) for e, s in shares if s > 0]
    return [(e, s) for i, (e, s) in enumerate(shares[:top]) if i == 0 or s >= floor]
