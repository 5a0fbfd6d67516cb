"""How big is a theme in this data? HDBSCAN's ``min_cluster_size`` read off the data itself.

A fixed minimum topic size fits one data set and breaks the next (BERTopic's 10 gives 91 topics on
3,080 banking77 queries but 358 on 13,083, for the same 77 intents), and no rule on the number of
items alone can fit both banking77 (≈ 40 or ≈ 130 items per intent) and parakqc (10 per request in
10,000 items). So feedmine measures the scale of the groups: for a sample of points it takes the mean
distance to the k-th nearest neighbour in the reduced space, k = 1…250. Inside a group that distance
grows slowly; at the group's size it jumps, because the next neighbour lies in another group. The first
k where the curve jumps steeply on a log–log scale estimates the typical theme size (measured: 36 on
banking77 test, true 40; 31 on a 3,000-query sample of banking77 train, true ≈ 39; 9 on parakqc, true
10; on all of banking77 train, 28: its intents hold sub-intents, true ≈ 130). ``min_cluster_size`` is a third
of it (never below 5), so that themes half the typical size still form. When the curve has no clear
jump (diffuse data), the size rule :func:`log_size_rule` is used instead.

>>> import numpy as np
>>> from feedmine.themes.sizing import estimate_theme_size
>>> rng = np.random.default_rng(0)
>>> Z = np.vstack([rng.normal(c, 0.01, (12, 5)) for c in rng.uniform(0, 10, (60, 5))])
>>> estimate_theme_size(Z)[0]
11
"""
from __future__ import annotations

import math

import numpy as np
from sklearn.neighbors import NearestNeighbors

#: a jump counts when the local log–log slope of the k-NN distance curve reaches this value (uniform
#: 5-d data has slope ≈ 0.2). The first k that reaches it is the theme size: a relative rule ("half
#: the strongest jump") let one clump of near-identical texts set the bar, and on 3,000 banking77
#: queries it picked 112 (nested intents) instead of 31 (docs/clustering.md).
MIN_JUMP_SLOPE = 3.0


def log_size_rule(n_items: int) -> int:
    """Fallback from the number of items alone: round(log2(n)) − 4, never below 5 (8 at 3,000 items,
    9 at 10,000, 13 at 100,000). It grows slowly because theme size is a property of the feedback."""
    return max(5, int(round(math.log2(max(n_items, 2)))) - 4)


def estimate_theme_size(Z: np.ndarray, max_k: int = 250, sample: int = 1000,
                        random_state: int | None = 0) -> tuple[int | None, float]:
    """(typical theme size, jump slope) from the k-NN distance curve of ``Z``; size None if no jump."""
    n = len(Z)
    max_k = min(max_k, n // 2)
    if max_k < 6:
        return None, 0.0
    rng = np.random.RandomState(0 if random_state is None else random_state)
    rows = rng.choice(n, size=min(sample, n), replace=False)
    dist, _ = NearestNeighbors(n_neighbors=max_k + 1).fit(Z).kneighbors(Z[rows])
    curve = np.maximum(dist[:, 1:].mean(axis=0), 1e-12)  # curve[k-1]: mean distance to k-th neighbour
    ks = np.arange(1, max_k + 1)
    slope = np.diff(np.log(curve)) / np.diff(np.log(ks))  # slope[i]: from k=i+1 to k=i+2
    slope[:2] = -np.inf  # k < 3: the first neighbours say nothing about group size
    strongest = float(slope.max())
    if strongest < MIN_JUMP_SLOPE:
        return None, strongest
    # Nested groups give several jumps (parakqc: 9, 19, 29 …; banking77: 36, 109, 150); the finest one is
    # the theme, and it is stable across samples where the highest one is not.
    first = int(np.flatnonzero(slope >= MIN_JUMP_SLOPE)[0])
    return int(ks[first]), float(slope[first])


def choose_min_cluster_size(Z: np.ndarray, random_state: int | None = 0) -> tuple[int, str, int | None]:
    """(min_cluster_size, how it was chosen, estimated theme size)."""
    size, _ = estimate_theme_size(Z, random_state=random_state)
    if size is None:
        return log_size_rule(len(Z)), "size_rule", None
    return max(5, min(int(round(size / 3)), max(5, len(Z) // 10))), "knn_scale", size
