"""Themes from embeddings: reduce (UMAP), cluster (HDBSCAN), then place every item by one rule.

Sizes are read off the data (``min_cluster_size="auto"``, see :mod:`feedmine.themes.sizing`), because a
fixed minimum topic size gives 91 topics on 3,080 banking77 queries but 358 on 13,083 for the same 77
intents. HDBSCAN's clusters define the themes; then every item, member or noise, is placed by the
matching rule of :mod:`feedmine.themes.match` (its nearest known members vote), the rule that later
puts new feedback into these themes. So the fitted items' themes are, by construction, the themes
they get when assigned again. HDBSCAN's noise is reported (``outlier_share_``); an outlier the rule
places is flagged ``reassigned``; the rest stay in theme -1 ("unassigned"). Both the reducer and the
clusterer are swappable: pass any object with ``fit_transform`` (PCA, a UMAP you configured) or
``fit_predict`` / ``labels_`` (KMeans, a tuned HDBSCAN).

>>> import numpy as np
>>> from feedmine.themes.cluster import ThemeClusterer
>>> rng = np.random.default_rng(0)
>>> X = np.vstack([rng.normal(c, 0.05, (40, 8)) for c in np.eye(8)[:3]])
>>> tc = ThemeClusterer(reducer=None, random_state=0).fit(X / np.linalg.norm(X, axis=1, keepdims=True))
>>> tc.n_themes_
3
"""
from __future__ import annotations

import logging
import warnings
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, clone

from ..embed.base import l2_normalize
from ..errors import FeedmineError
from .match import ThemeMatcher
from .sizing import choose_min_cluster_size, log_size_rule

logger = logging.getLogger(__name__)

#: below this many items there is nothing to cluster: everything forms one theme
MIN_ITEMS_TO_CLUSTER = 10
#: a theme is only split as giant when it also holds more than this many times ``min_cluster_size``
GIANT_MIN_SIZES = 8


def auto_min_cluster_size(n_items: int) -> int:
    """The size rule used when the data shows no theme scale (see :mod:`feedmine.themes.sizing`)."""
    return log_size_rule(n_items)


def auto_min_samples(min_cluster_size: int) -> int:
    """Density smoothing well below the theme size: fewer points are declared noise (BERTopic's
    ``min_samples = min_cluster_size`` left 14.5% of banking77 unassigned)."""
    return max(2, min_cluster_size // 2)


def _has_param(estimator: Any, name: str) -> bool:
    return hasattr(estimator, "get_params") and name in estimator.get_params(deep=False)


class ThemeClusterer(BaseEstimator):
    """Group embeddings into themes.

    Parameters
    ----------
    reducer : "umap", "pca", None or an estimator with ``fit_transform``
        Dimension reduction before clustering (UMAP to ``n_components`` with cosine distance by default).
    clusterer : "hdbscan", "kmeans" or an estimator with ``fit_predict``
        ``kmeans`` uses ``n_clusters`` (required then).
    min_cluster_size, min_samples : int or "auto"
        HDBSCAN sizes; "auto" estimates the typical theme size from the data (:mod:`feedmine.themes.sizing`).
    n_neighbors, n_components : int
        UMAP neighbourhood and output dimension (capped for small inputs).
    max_theme_share : float or None
        A theme holding more than this share of the items is clustered again on its own, and replaced by
        its sub-themes when it has any. Without it, feedback in two languages or from two products
        collapses into two giant "themes" (seen on the bundled mixed sample: 2 themes of 1,200 items).
        A big theme with no inner structure stays whole.
    reassign : "auto" or "all"
        ``auto``: an item joins the theme its neighbours vote for when it is about as close to a member
        as the theme members are to one another (Tukey's fence ``reassign_fence`` on their scores, see
        :class:`~feedmine.themes.match.ThemeMatcher`); ``all``: every item joins its winning theme.
    match_neighbors : int
        Known members that vote for an item's theme (:class:`~feedmine.themes.match.ThemeMatcher`).
    match_references : int or None
        Members kept for the vote, about (the same share of every theme; ``max_references`` of
        :class:`~feedmine.themes.match.ThemeMatcher`): what one item's placement costs. None keeps all.
    random_state : int or None
        Seeds UMAP (and a swapped-in estimator that takes ``random_state``).
    umap_epochs : int or None
        UMAP's optimisation epochs; None keeps umap-learn's rule (200 above 10,000 points, else 500).
        The largest single cost of a fit on a big sample (it runs on one thread, for reproducibility).
    """

    def __init__(self, reducer: Any = "umap", clusterer: Any = "hdbscan", min_cluster_size: int | str = "auto",
                 min_samples: int | str = "auto", n_neighbors: int = 15, n_components: int = 5,
                 max_theme_share: float | None = 0.3, n_clusters: int | None = None, reassign: str = "auto",
                 reassign_fence: float = 1.5, match_neighbors: int = 5, match_references: int | None = None,
                 random_state: int | None = None, umap_epochs: int | None = None):
        self.reducer = reducer
        self.clusterer = clusterer
        self.min_cluster_size = min_cluster_size
        self.min_samples = min_samples
        self.n_neighbors = n_neighbors
        self.n_components = n_components
        self.max_theme_share = max_theme_share
        self.n_clusters = n_clusters
        self.reassign = reassign
        self.reassign_fence = reassign_fence
        self.match_neighbors = match_neighbors
        self.match_references = match_references
        self.random_state = random_state
        self.umap_epochs = umap_epochs

    # ----- building the steps ---------------------------------------------------------------------
    def _seeded(self, estimator: Any) -> Any:
        estimator = clone(estimator)
        if self.random_state is not None and _has_param(estimator, "random_state"):
            estimator.set_params(random_state=self.random_state)
        return estimator

    def _make_reducer(self, n: int) -> Any:
        if self.reducer is None or self.reducer == "none":
            return None
        if self.reducer == "umap":
            if n <= self.n_components + 2:
                return None
            import umap  # imported here: numba compilation costs seconds at first import

            from .jit_cache import cache_umap_compilation

            cache_umap_compilation()
            return umap.UMAP(n_neighbors=max(2, min(self.n_neighbors, n - 1)), n_components=self.n_components,
                             min_dist=0.0, metric="cosine", random_state=self.random_state, n_epochs=self.umap_epochs,
                             init="spectral" if n > 50 else "random")
        if self.reducer == "pca":
            from sklearn.decomposition import PCA

            return PCA(n_components=min(self.n_components, n - 1), random_state=self.random_state)
        if hasattr(self.reducer, "fit_transform"):
            return self._seeded(self.reducer)
        raise FeedmineError(f"reducer must be 'umap', 'pca', None or an object with fit_transform, "
                            f"got {self.reducer!r}.")

    def _make_clusterer(self, Z: np.ndarray) -> Any:
        n = len(Z)
        if self.clusterer == "hdbscan":
            import hdbscan

            if self.min_cluster_size == "auto":
                mcs, self.size_method_, self.estimated_theme_size_ = choose_min_cluster_size(Z, self.random_state)
            else:
                mcs, self.size_method_, self.estimated_theme_size_ = int(self.min_cluster_size), "given", None
            ms = auto_min_samples(mcs) if self.min_samples == "auto" else int(self.min_samples)
            self.min_cluster_size_, self.min_samples_ = mcs, ms
            # core_dist_n_jobs=1: hdbscan's default (4) starts a pool of 4 processes that then sit idle with
            # ~190 MB each (780 MB at the 1M-item run) for a step that takes seconds at 50,000 points
            return hdbscan.HDBSCAN(min_cluster_size=mcs, min_samples=ms, core_dist_n_jobs=1)
        if self.clusterer == "kmeans":
            if not self.n_clusters:
                raise FeedmineError("clusterer='kmeans' needs n_clusters=<number of themes>.")
            from sklearn.cluster import KMeans

            return KMeans(n_clusters=min(self.n_clusters, n), n_init=10, random_state=self.random_state)
        if hasattr(self.clusterer, "fit_predict") or hasattr(self.clusterer, "fit"):
            return self._seeded(self.clusterer)
        raise FeedmineError(f"clusterer must be 'hdbscan', 'kmeans' or an object with fit_predict, "
                            f"got {self.clusterer!r}.")

    # ----- fitting -------------------------------------------------------------------------------
    def fit(self, X: np.ndarray, y: Any = None) -> "ThemeClusterer":
        """Cluster the rows of ``X`` (n × d embeddings). Sets ``labels_`` and the attributes below."""
        X = np.asarray(X, dtype=np.float32)
        if X.ndim != 2:
            raise FeedmineError(f"embeddings must be a 2-D array (items × dimensions), got shape {X.shape}.")
        if not np.isfinite(X).all():
            raise FeedmineError("embeddings contain NaN or infinite values; check the embedder's output.")
        if self.reassign not in ("auto", "all"):
            hint = (" Fit and assign place items by one rule now; HDBSCAN's own labels are in raw_labels_, and a "
                    "lower reassign_fence leaves more items unassigned.") if self.reassign == "none" else ""
            raise FeedmineError(f"reassign must be 'auto' or 'all', got {self.reassign!r}.{hint}")
        n = len(X)
        Xn = l2_normalize(X)
        self.min_cluster_size_ = self.min_samples_ = self.estimated_theme_size_ = None
        self.size_method_ = None
        if n < MIN_ITEMS_TO_CLUSTER:
            if n:
                logger.warning("only %d items: too few to find themes, all are put in one theme", n)
            raw = np.zeros(n, dtype=int)
            self.embedding_ = Xn
            self.probabilities_ = np.ones(n)
        else:
            reducer = self._make_reducer(n)
            with warnings.catch_warnings():
                # UMAP warns that a random_state makes it single-threaded; that is the reproducibility we want
                warnings.filterwarnings("ignore", message=".*overridden to 1 by setting random_state.*")
                # numba on the two UMAP functions its disk cache cannot hold (themes/jit_cache.py)
                warnings.filterwarnings("ignore", message="Cannot cache compiled function")
                reduced = Xn if reducer is None else reducer.fit_transform(Xn)
            self.embedding_ = np.asarray(reduced, dtype=np.float64)
            model = self._make_clusterer(self.embedding_)
            raw = np.asarray(model.fit_predict(self.embedding_) if hasattr(model, "fit_predict")
                             else model.fit(self.embedding_).labels_, dtype=int)
            probs = getattr(model, "probabilities_", None)
            self.probabilities_ = np.asarray(probs, dtype=float) if probs is not None else (raw >= 0).astype(float)
            if self.clusterer == "hdbscan" and self.max_theme_share:
                raw = self._split_giant_themes(raw)
            if (raw < 0).all():
                logger.warning("the clusterer found no theme in %d items; all stay unassigned", n)
        self.raw_labels_ = raw
        self.outlier_share_ = float((raw < 0).mean()) if n else 0.0
        self._place(Xn, raw)
        return self

    def _split_giant_themes(self, raw: np.ndarray) -> np.ndarray:
        """Re-cluster each theme larger than ``max_theme_share`` on its own points; keep its sub-themes."""
        import hdbscan

        raw = raw.copy()
        # a theme is giant when it holds a large share AND many times the smallest theme size: three real
        # themes of 16 items in 48 are a third each, and splitting one only cuts noise (which way the cut
        # falls then depends on the seed and on the last bits of the embedding)
        limit = max(self.max_theme_share * len(raw), GIANT_MIN_SIZES * self.min_cluster_size_)
        for theme in [t for t in np.unique(raw[raw >= 0]) if (raw == t).sum() > limit]:
            members = np.flatnonzero(raw == theme)
            sub = hdbscan.HDBSCAN(min_cluster_size=self.min_cluster_size_, min_samples=self.min_samples_,
                                  core_dist_n_jobs=1).fit(self.embedding_[members])
            # keep it whole unless it has real inner structure: two or more sub-themes that hold at least
            # half of its items (a plain dense blob yields a few specks and mostly noise)
            if sub.labels_.max() < 1 or (sub.labels_ < 0).mean() > 0.5:
                continue
            logger.info("theme of %d items (> %.0f%%) split into %d sub-themes", len(members),
                        100 * self.max_theme_share, sub.labels_.max() + 1)
            next_id = raw.max() + 1
            raw[members] = np.where(sub.labels_ >= 0, sub.labels_ + next_id, -1)
            self.probabilities_[members] = np.where(sub.labels_ >= 0, sub.probabilities_, 0.0)
        # consecutive ids in order of first appearance keep labels stable and readable
        return _renumber(raw)

    def _place(self, Xn: np.ndarray, raw: np.ndarray) -> None:
        """Every item placed by the matching rule, HDBSCAN's members being the known ones. A theme whose
        members all vote elsewhere is dropped and the rest matched again; ids stay consecutive."""
        # too few items to tell a typical member from an odd one: all of them are the one theme
        accept = "all" if self.reassign == "all" or len(raw) < MIN_ITEMS_TO_CLUSTER else "threshold"
        core = _renumber(raw)
        for _ in range(3):
            matcher = ThemeMatcher(self.match_neighbors, self.reassign_fence, accept, self.match_references)
            labels, confidence, scores = matcher.fit_match(Xn, core)
            empty = np.setdiff1d(np.unique(core[core >= 0]), labels)
            if not len(empty):
                break
            core = _renumber(np.where(np.isin(core, empty), -1, core))
        self.matcher_, self.core_labels_ = matcher, core
        self.theme_ids_ = np.unique(labels[labels >= 0])
        self.labels_, self.confidence_, self.scores_ = labels, confidence, scores
        self.reassigned_ = (raw < 0) & (labels >= 0)
        member = raw >= 0
        # how far the rule and HDBSCAN agree on HDBSCAN's own members (ids renumbered the same way)
        self.rule_agreement_ = float((labels[member] == core[member]).mean()) if member.any() else float("nan")
        centroids = [l2_normalize(Xn[labels == t].mean(axis=0, keepdims=True))[0] for t in self.theme_ids_]
        self.centroids_ = np.vstack(centroids) if centroids else np.zeros((0, Xn.shape[1]), dtype=np.float32)
        self.tightness_ = {int(t): float((Xn[labels == t] @ c).mean()) for t, c in zip(self.theme_ids_, self.centroids_)}
        self.reassign_threshold_ = matcher.thresholds_[0] if matcher.thresholds_ else float("nan")
        self.n_themes_ = int(len(self.theme_ids_))
        self.unassigned_share_ = float((labels < 0).mean()) if len(labels) else 0.0

    def fit_predict(self, X: np.ndarray, y: Any = None) -> np.ndarray:
        return self.fit(X).labels_

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Themes for new embeddings by the rule that placed the fitted ones; -1 when no theme fits."""
        if not hasattr(self, "matcher_"):
            raise FeedmineError("this ThemeClusterer is not fitted yet; call fit(X) first.")
        return self.matcher_.match(X)[0]


def _renumber(labels: np.ndarray) -> np.ndarray:
    """Theme ids 0, 1, 2 … in order of first appearance (-1 stays -1)."""
    order = [t for t in dict.fromkeys(labels.tolist()) if t >= 0]
    remap = {t: i for i, t in enumerate(order)}
    return np.array([remap.get(t, -1) for t in labels.tolist()], dtype=np.int64)
