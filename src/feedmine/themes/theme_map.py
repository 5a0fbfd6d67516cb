"""A 2-D theme map: where each theme and each item sits on a page, for the report's and notebook's map.

A second UMAP to two dimensions would cost as much as the clustering's and would give an item a place
that depends on the batch it came in. The map is a landmark layout instead: the themes' centroids are
laid out by t-SNE (a few hundred points at most: well under a second), and every item sits at the
softmax-weighted mean of the positions of its :data:`MAP_NEIGHBOURS` most similar themes. An item's
place then depends on its own text and the fitted model only (the same in every batch, as its theme
is); items of one theme gather round it, and an item between two themes sits between them.

>>> import numpy as np
>>> from feedmine.themes.theme_map import ThemeLayout
>>> C = np.eye(4, dtype=np.float32)
>>> layout = ThemeLayout.of(np.arange(4), C)
>>> layout.place(C).shape
(4, 2)
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

#: themes an item's place is averaged over
MAP_NEIGHBOURS = 5
#: softmax temperature on cosine similarity: 0.02 lets a theme 0.05 less similar weigh 8% as much
MAP_TEMPERATURE = 0.02
#: decimals kept of a map position (the map spans about [-1, 1])
MAP_DECIMALS = 4


class ThemeLayout(NamedTuple):
    """The fitted themes' ids, unit centroids and 2-D positions (rows in the same order)."""

    theme_ids: np.ndarray
    centroids: np.ndarray
    positions: np.ndarray

    @classmethod
    def of(cls, theme_ids: np.ndarray, centroids: np.ndarray, random_state: int = 0) -> "ThemeLayout":
        """The layout of themes with these centroids (t-SNE on their cosine distances, seeded)."""
        return cls(np.asarray(theme_ids), np.asarray(centroids, dtype=np.float32),
                   theme_positions(np.asarray(centroids, dtype=np.float64), random_state))

    def place(self, Z: np.ndarray) -> np.ndarray:
        """(n, 2) map positions of the unit vectors ``Z`` (NaN when there are no themes)."""
        n, k = len(Z), len(self.theme_ids)
        if not k or not n:
            return np.full((n, 2), np.nan if not k else 0.0)
        # float64 and rounded: an item's place must not move with the batch it is matched in (float32
        # products differ in the last bits between batch sizes)
        sims = np.asarray(Z, dtype=np.float64) @ self.centroids.T.astype(np.float64)
        m = min(MAP_NEIGHBOURS, k)
        near = np.argpartition(-sims, m - 1, axis=1)[:, :m] if m < k else np.tile(np.arange(k), (n, 1))
        top = np.take_along_axis(sims, near, axis=1).astype(np.float64)
        weights = np.exp((top - top.max(axis=1, keepdims=True)) / MAP_TEMPERATURE)
        weights /= weights.sum(axis=1, keepdims=True)
        return np.round(np.einsum("nm,nmd->nd", weights, self.positions[near]), MAP_DECIMALS)


def theme_positions(centroids: np.ndarray, random_state: int = 0) -> np.ndarray:
    """(k, 2) positions of ``k`` unit centroids, scaled to about [-1, 1]: t-SNE from a PCA start for 5
    or more themes (seeded: the same model draws the same map), the first two principal axes below."""
    k = len(centroids)
    if k == 0:
        return np.zeros((0, 2))
    if k < 5:  # t-SNE needs a few points; the principal axes place two to four
        centred = centroids - centroids.mean(axis=0)
        vt = np.linalg.svd(centred, full_matrices=False)[2][:2]
        pos = np.zeros((k, 2))
        pos[:, :len(vt)] = centred @ vt.T
    else:
        from sklearn.manifold import TSNE

        distances = np.clip(1.0 - centroids @ centroids.T, 0.0, 2.0)
        np.fill_diagonal(distances, 0.0)
        tsne = TSNE(n_components=2, metric="precomputed", init="random", random_state=random_state,
                    perplexity=float(min(30.0, (k - 1) / 3)))
        pos = tsne.fit_transform(distances)
    scale = float(np.abs(pos).max()) if len(pos) else 0.0
    return pos / scale if scale > 0 else pos
