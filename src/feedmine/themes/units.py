"""Analysis units: whole items (``unit="document"``) or their sentences (``unit="sentence"``), and how
sentence themes become item themes.

In sentence mode an item belongs to every theme one of its sentences belongs to; its primary theme is
the one covering most of its text. Theme frequency always counts items, not sentences.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..embed.base import l2_normalize
from ..schema import NOT_ANALYSED, UNASSIGNED
from ..text.sentences import SentenceSplitter, weighted_length



def make_units(texts: Sequence[str], langs: Sequence[str], usable: np.ndarray, unit: str,
               splitter: SentenceSplitter | None = None) -> tuple[np.ndarray, list[str], np.ndarray]:
    """(item position of each unit, unit texts, sentence index within its item)."""
    if unit == "document":
        return usable.copy(), [texts[i] for i in usable], np.zeros(len(usable), dtype=int)
    table = (splitter or SentenceSplitter()).transform([texts[i] for i in usable], [langs[i] for i in usable])
    return usable[table["item"].to_numpy(dtype=int)], table["text"].tolist(), table["sentence"].to_numpy(dtype=int)


def unique_units(unit_texts: Sequence[str]) -> tuple[list[str], np.ndarray]:
    """Distinct texts (embedded and clustered once) and, per unit, the row of its text among them."""
    first: dict[str, int] = {}
    source = np.array([first.setdefault(t, len(first)) for t in unit_texts], dtype=int)
    return list(first), source


def distinct_theme_pairs(unit_vectors: np.ndarray, unit_labels: np.ndarray) -> dict[tuple[int, int], bool]:
    """Which pairs of themes are about different things: centred centroid cosine below the median pair.

    Sentence embeddings share a large common direction (any two e5 theme centroids have cosine
    ≥ 0.85), so the centroids are centred on the mean unit vector first; then a pair counts as
    distinct when it is no more alike than the median pair of themes. On maalej app reviews this is
    what separates "a second problem" from "the same praise in a second sentence" (multi-issue
    benchmark: single-label reviews with ≥ 2 themes 26% → 11%, multi-label 76% → 65%).
    """
    ids = np.unique(unit_labels[unit_labels >= 0])
    if len(ids) < 2:
        return {}
    X = np.asarray(unit_vectors, dtype=np.float64)
    C = l2_normalize(np.vstack([X[unit_labels == t].mean(axis=0) for t in ids]) - X.mean(axis=0))
    S = C @ C.T
    threshold = float(np.median(S[np.triu_indices(len(ids), 1)]))
    return {(int(a), int(b)): bool(S[i, j] <= threshold)
            for i, a in enumerate(ids) for j, b in enumerate(ids) if i != j}


def item_themes(n_items: int, unit_item: np.ndarray, unit_texts: Sequence[str], unit_labels: np.ndarray,
                unit_confidence: np.ndarray, unit_reassigned: np.ndarray,
                distinct: dict[tuple[int, int], bool] | None = None, unit_weak: np.ndarray | None = None):
    """Per item: primary theme, its confidence, whether it was reassigned, and all themes (primary first).

    The primary theme covers the most text (in :func:`weighted_length`); ties go to the earlier sentence.
    A secondary theme counts only when one of the item's sentences is a strong member of it (not
    ``unit_weak``; by default, not reassigned) and, given ``distinct`` (from
    :func:`distinct_theme_pairs`), when it is distinct from the primary. Items whose sentences are all
    unassigned get theme -1 and an empty list.
    """
    weak = unit_reassigned if unit_weak is None else unit_weak
    labels = np.full(n_items, NOT_ANALYSED, dtype=int)
    confidence = np.full(n_items, np.nan)
    reassigned = np.zeros(n_items, dtype=bool)
    theme_lists: list[list[int] | None] = [None] * n_items
    order = np.argsort(unit_item, kind="stable")
    for item, idx in _groups(unit_item[order], order):
        cover: dict[int, float] = {}
        for k in idx:
            if unit_labels[k] >= 0:
                cover[int(unit_labels[k])] = cover.get(int(unit_labels[k]), 0.0) + weighted_length(unit_texts[k])
        themes = sorted(cover, key=lambda t: -cover[t])  # stable: first-seen order breaks ties
        # a secondary theme needs a sentence that is a strong member of it: a borderline one (most often a
        # stray sentence of a one-problem review) is too weak to claim a second problem (maalej, when
        # "strong" meant "placed by HDBSCAN itself": single-label reviews with ≥ 2 themes 33% → 19%,
        # multi-label 89% → 70%; benchmarks/multi_issue.py has the figures of the rule used now)
        confident = {int(unit_labels[k]) for k in idx if unit_labels[k] >= 0 and not weak[k]}
        themes = themes[:1] + [t for t in themes[1:] if t in confident
                               and (distinct is None or distinct.get((themes[0], t), True))]
        theme_lists[item] = themes
        labels[item] = themes[0] if themes else UNASSIGNED
        mine = [k for k in idx if unit_labels[k] == labels[item]]
        confidence[item] = float(np.max(unit_confidence[mine])) if mine else 0.0
        reassigned[item] = bool(mine) and bool(np.all(unit_reassigned[mine]))
    return labels, confidence, reassigned, theme_lists


def _groups(sorted_items: np.ndarray, order: np.ndarray):
    if not len(sorted_items):
        return
    bounds = np.flatnonzero(np.diff(sorted_items)) + 1
    for chunk in np.split(np.arange(len(sorted_items)), bounds):
        yield int(sorted_items[chunk[0]]), order[chunk].tolist()
