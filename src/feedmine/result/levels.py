"""Reading a result at a coarser level: its themes merged along the model's theme tree.

:func:`themes_at` cuts the tree (:mod:`feedmine.themes.hierarchy`) that every result carries in
``meta["theme_tree"]`` and merges each group of themes into one with
:meth:`~feedmine.result.edit.ThemeEditor.merge_groups`, so the coarse themes get their keywords, labels,
quotes, tag mixes and scores recomputed exactly as an analyst's merge would. Each coarse theme lists
the fine themes it holds (``themes.member_themes``) and each document keeps its fine theme
(``documents.fine_theme_id``), so a coarse theme can be opened into its parts.

``level="coarse"`` cuts the tree at :func:`coarse_count` themes: twice the square root of the fine
count (58 → 15, 90 → 19, 895 → 60), the grain of a top-level view that still separates what a team
would file apart. A count, not a distance: linkage heights depend on the embedder and the data, and
one distance merged banking77 into a single theme while leaving parakqc at 104. What each level
scores against the labels of banking77 and parakqc is in docs/clustering.md
(benchmarks/theme_levels.py).
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..errors import FeedmineError
from ..themes.hierarchy import coarse_groups, tree_from_meta


def coarse_count(n_themes: int) -> int:
    """How many themes ``level="coarse"`` keeps of ``n_themes``: round(2·√n), at least 1, at most n.

    >>> tuple(coarse_count(n) for n in (1, 4, 58, 90, 895))
    (1, 4, 15, 19, 60)
    """
    return int(min(max(round(2 * math.sqrt(n_themes)), 1), n_themes)) if n_themes else 0


def themes_at(result: Any, level: int | str = "coarse", distance: float | None = None,
              embeddings: np.ndarray | None = None) -> Any:
    """``result`` with its themes merged along its theme tree: to ``level`` themes (an int), to the
    documented coarse level (``"coarse"``, :func:`coarse_count`), or every merge below linkage height
    ``distance``."""
    from .edit import ThemeEditor

    if result.meta.get("groups"):
        raise FeedmineError("a result analysed with by= has a theme tree per group: read one group at a coarser "
                            "level with result.for_group(group).themes_at(level).")
    tree = tree_from_meta(result.meta)
    asked = {"level": level if distance is None else None, "distance": distance}
    present = result.themes["theme_id"].astype(int)
    if "size" in result.themes:  # a known theme no row of this table reached does not count towards n
        present = present[(result.themes["size"] > 0).to_numpy()]
    ids = [int(t) for t in present if t >= 0]
    if distance is None:
        if isinstance(level, str) and level == "coarse":
            level = max(coarse_count(len(ids)), 1)
        elif isinstance(level, (str, bool)) or not isinstance(level, (int, np.integer)):
            raise FeedmineError(f"level must be a number of themes (e.g. 20) or 'coarse', got {level!r}.")
    groups = coarse_groups(tree, ids, n_themes=None if distance is not None else int(level), distance=distance)
    merged = [g for g in groups if len(g) > 1]
    out = ThemeEditor(result, embeddings=embeddings).merge_groups(merged) if merged else _copy(result)
    members = {g[0]: g for g in groups}
    out.themes["member_themes"] = [members.get(int(t), [int(t)]) if t >= 0 else [] for t in out.themes["theme_id"]]
    out.documents["fine_theme_id"] = result.documents["theme_id"].array
    out.meta["level"] = {**asked, "n_themes": len(groups), "n_themes_before": len(ids)}
    return out


def _copy(result: Any) -> Any:
    return type(result)(documents=result.documents.copy(), themes=result.themes.copy(),
                        config=dict(result.config), meta=dict(result.meta), sentences=result.sentences)
