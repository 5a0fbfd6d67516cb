"""Reading a result at a coarser level: its themes merged along the model's theme tree.

:func:`themes_at` cuts the tree (:mod:`feedmine.themes.hierarchy`) that every result carries in
``meta["theme_tree"]`` and merges each group of themes into one with
:meth:`~feedmine.result.edit.ThemeEditor.merge_groups`, so the coarse themes get their keywords, labels,
quotes, tag mixes and scores recomputed exactly as an analyst's merge would. Each coarse theme lists
the fine themes it holds (``themes.member_themes``) and each document keeps its fine theme
(``documents.fine_theme_id``), so a coarse theme can be opened into its parts.

``level="coarse"`` merges every pair of themes whose centroids lie closer than
:data:`COARSE_DISTANCE` (cosine); the value and what it does to NMI / ARI / theme count on banking77 and
parakqc are in docs/clustering.md (benchmarks/theme_levels.py).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import FeedmineError
from ..themes.hierarchy import coarse_groups, tree_from_meta

#: cosine distance between theme centroids under which ``level="coarse"`` merges (see the module notes)
COARSE_DISTANCE = 0.15


def themes_at(result: Any, level: int | str = "coarse", distance: float | None = None,
              embeddings: np.ndarray | None = None) -> Any:
    """``result`` with its themes merged along its theme tree: to ``level`` themes (an int), to the
    documented coarse level (``"coarse"``), or every merge closer than cosine ``distance``."""
    from .edit import ThemeEditor

    tree = tree_from_meta(result.meta)
    asked = {"level": level if distance is None else None, "distance": distance}
    if distance is None:
        if level == "coarse":
            distance = COARSE_DISTANCE
        elif isinstance(level, str) or isinstance(level, bool) or not isinstance(level, (int, np.integer)):
            raise FeedmineError(f"level must be a number of themes (e.g. 20) or 'coarse', got {level!r}.")
    present = result.themes["theme_id"].astype(int)
    if "size" in result.themes:  # a known theme no row of this table reached does not count towards n
        present = present[(result.themes["size"] > 0).to_numpy()]
    ids = [int(t) for t in present if t >= 0]
    groups = coarse_groups(tree, ids, n_themes=None if distance is not None else int(level), distance=distance)
    merged = [g for g in groups if len(g) > 1]
    out = ThemeEditor(result, embeddings=embeddings).merge_groups(merged) if merged else _copy(result)
    members = {g[0]: g for g in groups}
    out.themes["member_themes"] = [members.get(int(t), [int(t)]) if t >= 0 else [] for t in out.themes["theme_id"]]
    out.documents["fine_theme_id"] = result.documents["theme_id"].array
    out.meta["level"] = {**asked, "cut_distance": distance, "n_themes": len(groups), "n_themes_before": len(ids)}
    return out


def _copy(result: Any) -> Any:
    from .result import Result

    return Result(documents=result.documents.copy(), themes=result.themes.copy(), config=dict(result.config),
                  meta=dict(result.meta), sentences=result.sentences)
