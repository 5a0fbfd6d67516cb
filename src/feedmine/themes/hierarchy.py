"""A theme hierarchy: the order in which the fitted themes merge, nearest first, and cuts of it.

HDBSCAN finds themes at the grain of the densest groups, which on long texts is finer than analysts
file complaints under (16 complaint categories came out as ~58 themes). The tree lets a result be read
at a coarser level without clustering again: themes whose centroids lie close merge first, and a cut
at ``n`` themes (or at a distance) applies the merges up to that point.

The tree is Ward linkage on the themes' unit centroids — the mean of the members' vectors the
matcher already keeps — so it is a function of the fitted model alone: the same model gives the same
tree whatever batch is being read. Ward merges the pair whose union adds the least spread; average
linkage on cosine distances, measured beside it, chains: on banking77 its cuts jump from 72 themes to
17 to 1, and at 16 themes on parakqc it scored NMI 0.43 / ARI 0.17 against the 16 topic × intent
cells where Ward scored 0.53 / 0.33 (benchmarks/theme_levels.py, docs/clustering.md).

It is kept as plain data, one row per merge, in merge order: ``theme_id`` joins ``into`` at linkage
height ``distance`` (Ward's criterion on unit vectors; for ``method="average"`` the mean cosine
distance between the two groups). Both are the smallest theme id of their side, so a merged group is
always named by its smallest member, as :meth:`~feedmine.result.edit.ThemeEditor.merge` names it.

>>> import numpy as np
>>> C = np.array([[1, 0], [0.99, 0.14], [0, 1], [0.1, 0.99]], dtype=float)
>>> tree = theme_tree(np.array([0, 1, 2, 3]), C)
>>> tree[["theme_id", "into"]].values.tolist()
[[3, 2], [1, 0], [2, 0]]
>>> coarse_groups(tree, [0, 1, 2, 3], n_themes=2)
[[0, 1], [2, 3]]
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..errors import FeedmineError

TREE_COLUMNS = ["theme_id", "into", "distance", "size"]
#: linkage methods :func:`theme_tree` offers (scipy's names)
METHODS = ("average", "ward", "complete", "single")


def theme_tree(theme_ids: np.ndarray, centroids: np.ndarray, method: str = "ward") -> pd.DataFrame:
    """The merges of ``theme_ids`` (rows of unit ``centroids``), in merge order: :data:`TREE_COLUMNS`.

    ``size`` is the number of themes in the merged group. Ties in distance are broken by scipy's
    deterministic order, so the same centroids always give the same tree."""
    from scipy.cluster.hierarchy import linkage

    if method not in METHODS:
        raise FeedmineError(f"unknown linkage method {method!r}; use one of {', '.join(METHODS)}.")
    ids = [int(t) for t in np.asarray(theme_ids)]
    if len(ids) < 2:
        return pd.DataFrame({c: pd.Series(dtype=float if c == "distance" else int) for c in TREE_COLUMNS})
    C = np.asarray(centroids, dtype=np.float64)
    C = C / np.maximum(np.linalg.norm(C, axis=1, keepdims=True), 1e-12)
    # ward needs euclidean distances; on unit vectors they order pairs exactly as cosine distance does
    Z = linkage(C, method=method, metric="euclidean" if method == "ward" else "cosine")
    smallest = {k: t for k, t in enumerate(ids)}  # scipy node → smallest theme id under it
    rows = []
    for step, (a, b, dist, size) in enumerate(Z):
        left, right = smallest[int(a)], smallest[int(b)]
        keep, joins = min(left, right), max(left, right)
        smallest[len(ids) + step] = keep
        rows.append((joins, keep, round(float(dist), 9), int(size)))
    return pd.DataFrame(rows, columns=TREE_COLUMNS)


def coarse_groups(tree: pd.DataFrame, theme_ids: Sequence[int], n_themes: int | None = None,
                  distance: float | None = None) -> list[list[int]]:
    """The groups of ``theme_ids`` after the tree's merges down to ``n_themes`` groups, or every merge
    below linkage height ``distance`` (give one of the two). Each group is sorted; groups are ordered by
    their smallest id. Themes the tree does not know (added after it was made) stay alone.

    >>> tree = pd.DataFrame({"theme_id": [2, 1], "into": [1, 0], "distance": [0.1, 0.2], "size": [2, 3]})
    >>> coarse_groups(tree, [0, 2], n_themes=1)  # theme 1 is not in this table but still links 0 and 2
    [[0, 2]]
    """
    if (n_themes is None) == (distance is None):
        raise FeedmineError("give exactly one of n_themes= (how many themes to keep) or distance= (apply the "
                            "merges below this linkage height).")
    ids = sorted({int(t) for t in theme_ids})
    # the tree's own themes join the union too: a theme this table lacks (no row of a batch reached it)
    # still links the themes merged through it
    parent = {t: t for t in [*ids, *tree["theme_id"].astype(int), *tree["into"].astype(int)]}

    def root(t: int) -> int:
        while parent[t] != t:
            parent[t] = parent[parent[t]]
            t = parent[t]
        return t

    if n_themes is not None:
        if isinstance(n_themes, bool) or not isinstance(n_themes, (int, np.integer)) or n_themes < 1:
            raise FeedmineError(f"n_themes must be a whole number of at least 1, got {n_themes!r}.")
    elif not np.isfinite(distance) or distance < 0:
        raise FeedmineError(f"distance must be a linkage height of at least 0, got {distance!r}.")
    for joins, into, dist in tree[["theme_id", "into", "distance"]].itertuples(index=False):
        if n_themes is not None and len({root(t) for t in ids}) <= n_themes:
            break
        if distance is not None and dist >= distance:
            break
        ra, rb = root(int(joins)), root(int(into))
        parent[max(ra, rb)] = min(ra, rb)
    out: dict[int, list[int]] = {}
    for t in ids:
        out.setdefault(root(t), []).append(t)
    return [out[r] for r in sorted(out)]


def tree_record(clusterer: object) -> dict | None:
    """The tree of a fitted clusterer's themes as JSON-ready data for ``result.meta["theme_tree"]``, or
    None when the clusterer keeps no matcher (a custom clusterer)."""
    matcher = getattr(clusterer, "matcher_", None)
    if matcher is None or not hasattr(matcher, "centroids"):
        return None
    tree = theme_tree(*matcher.centroids())
    return {"method": "ward", "metric": "euclidean on unit centroids", "columns": TREE_COLUMNS,
            "merges": [[int(a), int(b), float(d), int(n)] for a, b, d, n in tree.itertuples(index=False)]}


def tree_from_meta(meta: dict) -> pd.DataFrame:
    """The tree a result carries (:func:`tree_record`), as a DataFrame; a clear error when it has none."""
    record = meta.get("theme_tree") if isinstance(meta, dict) else None
    if not isinstance(record, dict) or not isinstance(record.get("merges"), list):
        raise FeedmineError("this result carries no theme tree (meta['theme_tree']): it was made by a "
                            "clusterer without a matcher or by an older feedmine; run the pipeline again "
                            "with the default ThemeClusterer.")
    tree = pd.DataFrame(record["merges"], columns=TREE_COLUMNS)
    return tree.astype({"theme_id": int, "into": int, "distance": float, "size": int})
