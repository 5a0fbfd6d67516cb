"""Putting items into known themes: the one rule of the fit path and of the assign path.

A theme is known by its members. An item goes to the theme that wins a similarity-weighted vote among
its ``n_neighbors`` most similar known members (cosine), and only when it is about as close to that
theme's members as the members are to one another: its score (the mean cosine to its neighbours in
that theme) must not be an outlier among the members' own scores, i.e. at least Q1 − ``fence`` × IQR
of them (Tukey's fence). Otherwise it stays unassigned (-1). A mean over the
neighbours, not the closest one, so that themes of near-identical texts (a pasted campaign) do not set
the bar at "nearly identical". An item never votes for itself: a known member whose vector equals the
item's (the same text, embedded again) is left out, so matching the fitted items gives the same answer
as matching them again later, alone or in any batch — the rule is a function of the item and the
fitted references only.

Why neighbours and not centroids: on banking77 (10,003 queries) the nearest-centroid rule kept 96.8%
of HDBSCAN's members in their theme and, fitted on 3,000 queries, placed the other 7,003 at NMI 0.744;
five neighbours 96.0% and 0.752 (benchmarks/assign.py, docs/clustering.md).

Themes added later (:meth:`ThemeMatcher.extend`, used by ``Pipeline.update``) form a new generation:
an item is matched against the first generation, and only when no theme of it fits, against the next.
So adding themes never moves an item that was already placed.

>>> import numpy as np
>>> X = np.array([[1, 0], [0.99, 0.14], [0.98, 0.2], [0, 1], [0.14, 0.99], [0.2, 0.98]])
>>> m = ThemeMatcher(n_neighbors=2).fit(X, np.array([0, 0, 0, 1, 1, 1]))
>>> m.match(np.array([[0.97, 0.24], [-1.0, 0.0]]))[0].tolist()
[0, -1]
"""
from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from ..embed.base import l2_normalize
from ..errors import FeedmineError
from ..schema import UNASSIGNED

#: queries compared with the references at a time (bounds memory: block × references floats)
BLOCK = 2048
#: squared distance (float64) within which a reference is the query itself: the same text embedded
#: again, here or on another machine; distinct texts lie orders of magnitude further apart
SAME_ITEM = 1e-7
#: float32 cosine above which a pair is checked for being the same item (a cheap prefilter)
MAYBE_SAME = 1.0 - 1e-3


class ThemeMatcher(BaseEstimator):
    """Match vectors to the themes of known, labelled vectors (see the module notes).

    Parameters
    ----------
    n_neighbors : int
        Known members that vote for an item's theme.
    fence : float
        Tukey's fence on the members' own scores: an item is accepted down to Q1 − fence × IQR. 1.5 (Tukey's
        own) placed 99.3% of held-out banking77 test queries and 0.7% of app reviews (0% of Korean movie
        reviews) into a model of banking77 train, but left 1.3% of parakqc's paraphrases out in fit (ARI
        0.780); 2.0 left 0.3% out (ARI 0.839) but placed 3.7% of the app reviews, and half of six unrelated
        sentences into a model of 400 app reviews. A theme that swallows what is about something else
        hides new problems from ``update``, so the stricter fence is the default (docs/clustering.md).
    accept : {"threshold", "all"}
        ``"all"`` places every item in its winning theme, however far.
    max_references : int or None
        Members kept as references per generation, about: above it each theme keeps the same share of
        its members (at least ``n_neighbors``), evenly spaced in input order, so the themes' relative
        density — what the vote reads — is unchanged. Matching costs one dot product per reference, so
        this bounds the cost of placing an item however large the fit. None keeps every member.

    Attributes
    ----------
    references_ : list of float32 arrays, one per generation (unit rows)
    reference_labels_ : list of int arrays, one per generation
    thresholds_ : list of float, one per generation
    typical_ : list of float, one per generation: the score below which a match is weak
    theme_ids_ : ndarray, every theme id known, in order
    """

    def __init__(self, n_neighbors: int = 5, fence: float = 1.5, accept: str = "threshold",
                 max_references: int | None = None):
        self.n_neighbors = n_neighbors
        self.fence = fence
        self.accept = accept
        self.max_references = max_references

    def _check(self) -> None:
        if isinstance(self.n_neighbors, bool) or not isinstance(self.n_neighbors, (int, np.integer)) \
                or self.n_neighbors < 1:
            raise FeedmineError(f"n_neighbors must be a positive int, got {self.n_neighbors!r}.")
        if isinstance(self.fence, bool) or not isinstance(self.fence, (int, float)) or self.fence < 0:
            raise FeedmineError(f"fence must be a number >= 0 (1.5 is Tukey's), got {self.fence!r}.")
        if self.accept not in ("threshold", "all"):
            raise FeedmineError(f"accept must be 'threshold' or 'all', got {self.accept!r}.")
        cap = self.max_references
        if cap is not None and (isinstance(cap, bool) or not isinstance(cap, (int, np.integer)) or cap < 1):
            raise FeedmineError(f"max_references must be a positive int or None, got {cap!r}.")

    def fit(self, X: np.ndarray, labels: np.ndarray) -> "ThemeMatcher":
        """Know the rows of ``X`` whose label is a theme (>= 0) as that theme's members; rows labelled -1
        (the clusterer's noise) calibrate what a strong match is (:meth:`is_typical`)."""
        self._reset()
        return self.extend(X, labels)

    def fit_match(self, X: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``fit(X, labels).match(X)`` in one pass over the references instead of two: fitting scores
        every row against the members already (to set the fence), and with one generation that score
        decides the match. Halves the matcher's share of a fit (a 50,000-row sample: ~30 s)."""
        self._reset()
        scored = self._add_generation(X, labels)
        n = len(labels)
        if scored is None:  # no theme: nothing matches
            return np.full(n, UNASSIGNED, dtype=np.int64), np.zeros(n), np.full(n, -np.inf)
        lab, conf, score = scored
        ok = score >= self.thresholds_[0]
        return np.where(ok, lab, UNASSIGNED), np.where(ok, conf, 0.0), score

    def _reset(self) -> None:
        self._check()
        self.references_: list[np.ndarray] = []
        self.reference_labels_: list[np.ndarray] = []
        self.thresholds_: list[float] = []
        self.typical_: list[float] = []
        self.theme_ids_ = np.zeros(0, dtype=np.int64)

    def extend(self, X: np.ndarray, labels: np.ndarray) -> "ThemeMatcher":
        """Add a generation of themes (ids not used before): matched only where no earlier theme fits."""
        self._add_generation(X, labels)
        return self

    def _add_generation(self, X: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        """:meth:`extend`, returning how the new generation matched the rows of ``X`` (None when ``labels``
        holds no theme)."""
        X, labels = _as_unit(X), np.asarray(labels, dtype=np.int64)
        if len(labels) != len(X):
            raise FeedmineError(f"got {len(X)} vectors but {len(labels)} labels.")
        keep = labels >= 0
        new_ids = np.unique(labels[keep])
        if np.isin(new_ids, self.theme_ids_).any():
            raise FeedmineError(f"theme ids {sorted(set(new_ids) & set(self.theme_ids_))} are known already; "
                                "a new generation needs new ids.")
        if self.references_ and X.shape[1] != self.references_[0].shape[1]:
            raise FeedmineError(f"vectors have {X.shape[1]} dimensions, the known ones {self.references_[0].shape[1]}.")
        if not keep.any():
            return None
        chosen = np.flatnonzero(keep)
        if self.max_references is not None and len(chosen) > self.max_references:
            chosen = spread_subset(labels[chosen], self.max_references, self.n_neighbors, chosen)
        self.references_.append(X[chosen])
        self.reference_labels_.append(labels[chosen])
        self.thresholds_.append(-np.inf)  # placeholder while the rows score themselves
        lab, conf, scores = self._match_generation(X, len(self.references_) - 1)
        members = scores[keep & np.isfinite(scores)]
        if self.accept != "all" and len(members):
            q1, q3 = np.quantile(members, [0.25, 0.75])
            self.thresholds_[-1] = float(q1 - self.fence * (q3 - q1))
        # a strong match scores above the rows the clusterer called noise, in number: as many items fall
        # below this as it left out (none when it left none out)
        finite = scores[np.isfinite(scores)]
        noise_share = float((labels < 0).mean())
        self.typical_.append(float(np.quantile(finite, noise_share)) if len(finite) and noise_share > 0 else -np.inf)
        self.theme_ids_ = np.concatenate([self.theme_ids_, new_ids])
        return lab, conf, scores

    def match(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(theme, confidence, score) per row of ``X``: theme -1 when no known theme fits; confidence is
        the winning theme's share of the neighbours' vote (0 for -1); score the mean cosine to the
        neighbours in the winning theme."""
        check_is_fitted(self, "references_")
        X = _as_unit(X)
        if self.references_ and len(X) and X.shape[1] != self.references_[0].shape[1]:
            raise FeedmineError(f"vectors have {X.shape[1]} dimensions but the themes were fitted on "
                                f"{self.references_[0].shape[1]}; embed them with the model's own embedder.")
        labels = np.full(len(X), UNASSIGNED, dtype=np.int64)
        confidence, score = np.zeros(len(X)), np.full(len(X), -np.inf)
        todo = np.arange(len(X))
        for g in range(len(self.references_)):
            if not len(todo):
                break
            lab, conf, sc = self._match_generation(X[todo], g)
            ok = sc >= self.thresholds_[g]
            labels[todo[ok]], confidence[todo[ok]] = lab[ok], conf[ok]
            first = g == 0
            score[todo] = np.where(ok | first, sc, score[todo])
            todo = todo[~ok]
        return labels, confidence, score

    def centroids(self) -> tuple[np.ndarray, np.ndarray]:
        """(theme ids, unit mean vector of each theme's known members), over every generation."""
        check_is_fitted(self, "references_")
        if not self.references_:
            return np.zeros(0, dtype=np.int64), np.zeros((0, 1), dtype=np.float32)
        refs, labels = np.vstack(self.references_), np.concatenate(self.reference_labels_)
        ids = np.unique(labels)
        sums = np.zeros((len(ids), refs.shape[1]), dtype=np.float64)
        np.add.at(sums, np.searchsorted(ids, labels), refs)
        return ids, l2_normalize(sums).astype(np.float32)

    def is_typical(self, labels: np.ndarray, scores: np.ndarray) -> np.ndarray:
        """Whether each matched item is a strong match, not a borderline one: it scores above as many of
        the fitted rows as the clusterer called noise (HDBSCAN's outliers, counted, not named)."""
        check_is_fitted(self, "references_")
        out = np.zeros(len(labels), dtype=bool)
        for refs_labels, q1 in zip(self.reference_labels_, self.typical_):
            mine = np.isin(labels, refs_labels)
            out[mine] = np.asarray(scores)[mine] >= q1
        return out

    def _match_generation(self, Q: np.ndarray, g: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        refs, ref_labels = self.references_[g], self.reference_labels_[g]
        themes = np.unique(ref_labels)
        position = np.searchsorted(themes, ref_labels)
        k = int(min(self.n_neighbors, len(refs)))
        labels = np.full(len(Q), UNASSIGNED, dtype=np.int64)
        confidence, score = np.zeros(len(Q)), np.full(len(Q), -np.inf)
        for start in range(0, len(Q), BLOCK):
            block = Q[start:start + BLOCK]
            sims = block @ refs.T
            _exclude_self(sims, block, refs)  # never one's own vote
            top = top_k(sims, k)
            top_sims = np.take_along_axis(sims, top, axis=1)
            weight = np.where(np.isfinite(top_sims), np.maximum(top_sims, 0.0), 0.0)
            votes = np.zeros((len(sims), len(themes)))
            np.add.at(votes, (np.repeat(np.arange(len(sims)), top.shape[1]), position[top].ravel()), weight.ravel())
            best = votes.argmax(axis=1)  # ties: the smaller theme id
            total = votes.sum(axis=1)
            rows = slice(start, start + len(sims))
            labels[rows] = themes[best]
            confidence[rows] = np.divide(votes[np.arange(len(sims)), best], total, out=np.zeros(len(sims)),
                                         where=total > 0)
            mine = (position[top] == best[:, None]) & np.isfinite(top_sims)
            n_mine = mine.sum(axis=1)
            score[rows] = np.where(n_mine > 0, np.where(mine, top_sims, 0.0).sum(axis=1) / np.maximum(n_mine, 1),
                                   -np.inf)
        return labels, confidence, score

    # ----- as plain data (feedmine.pipeline.persist) --------------------------------------------
    def get_state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        check_is_fitted(self, "references_")
        arrays = {"theme_ids": self.theme_ids_}
        for g, (refs, labels) in enumerate(zip(self.references_, self.reference_labels_)):
            arrays[f"references_{g}"], arrays[f"labels_{g}"] = refs, labels
        return {"thresholds": [float(t) for t in self.thresholds_], "typical": [float(t) for t in self.typical_]}, arrays

    def set_state(self, data: dict[str, Any], arrays: dict[str, np.ndarray]) -> "ThemeMatcher":
        n = len(data["thresholds"])
        self.references_ = [np.asarray(arrays[f"references_{g}"], dtype=np.float32) for g in range(n)]
        self.reference_labels_ = [np.asarray(arrays[f"labels_{g}"], dtype=np.int64) for g in range(n)]
        if any(len(r) != len(lb) for r, lb in zip(self.references_, self.reference_labels_)):
            raise ValueError("matcher references and labels differ in length")
        self.thresholds_ = [float(t) for t in data["thresholds"]]
        self.typical_ = [float(t) for t in data["typical"]]
        self.theme_ids_ = np.asarray(arrays["theme_ids"], dtype=np.int64)
        return self


def spread_subset(labels: np.ndarray, total: int, floor: int, index: np.ndarray) -> np.ndarray:
    """About ``total`` of ``index`` (rows labelled ``labels``): the same share of each label's rows, at
    least ``floor`` of them, evenly spaced in order. Returned in the order of ``index``.

    >>> spread_subset(np.array([0] * 8 + [1] * 4), 6, 2, np.arange(12)).tolist()
    [0, 2, 4, 6, 8, 10]
    """
    share = total / len(labels)
    picked = []
    for theme in np.unique(labels):
        rows = index[labels == theme]
        keep = min(len(rows), max(floor, int(round(len(rows) * share))))
        picked.append(rows[(np.arange(keep) * len(rows)) // keep])
    return np.sort(np.concatenate(picked))


def top_k(sims: np.ndarray, k: int) -> np.ndarray:
    """Column indices of each row's ``k`` largest values (in no order), the same set ``argpartition``
    gives, without partitioning every row whole: the k-th largest of every 16th column is a bound that
    all of a row's true top k reach, so only the columns at or above it are partitioned. At 40,000
    references this is what makes matching a million rows take minutes rather than tens of them."""
    n, m = sims.shape
    if k >= m:
        return np.tile(np.arange(m), (n, 1))
    if m < 16 * max(k, 64):
        return np.argpartition(-sims, k - 1, axis=1)[:, :k]
    bound = -np.partition(-sims[:, ::16], k - 1, axis=1)[:, k - 1]
    above = sims >= bound[:, None]  # every row keeps at least k columns
    counts = above.sum(axis=1)
    out = np.zeros((n, k), dtype=np.int64)
    crowded = counts > 64 * k  # many references tie at the top (a pasted campaign): partition those whole
    if crowded.any():
        out[crowded] = np.argpartition(-sims[crowded], k - 1, axis=1)[:, :k]
        above[crowded] = False
    rows, cols = np.nonzero(above)
    if len(rows):
        kept = np.bincount(rows, minlength=n)
        starts = np.concatenate([[0], np.cumsum(kept)[:-1]])
        slot = np.arange(len(rows)) - starts[rows]
        # a fixed width, not the block's widest row: a row's pick must not depend on the rows beside it
        candidates = np.zeros((n, 64 * k), dtype=np.int64)
        values = np.full(candidates.shape, -np.inf, dtype=sims.dtype)
        candidates[rows, slot], values[rows, slot] = cols, sims[rows, cols]
        pick = np.take_along_axis(candidates, np.argpartition(-values, k - 1, axis=1)[:, :k], axis=1)
        out[~crowded] = pick[~crowded]
    return out


def _exclude_self(sims: np.ndarray, queries: np.ndarray, refs: np.ndarray) -> None:
    """Set to -inf the similarity of each query to references that are the query itself."""
    rows, cols = np.nonzero(sims >= MAYBE_SAME)
    if len(rows):
        diff = queries[rows].astype(np.float64) - refs[cols].astype(np.float64)
        same = np.einsum("ij,ij->i", diff, diff) <= SAME_ITEM
        sims[rows[same], cols[same]] = -np.inf


def _as_unit(X: Any) -> np.ndarray:
    X = np.asarray(X, dtype=np.float32)
    if X.ndim != 2:
        raise FeedmineError(f"vectors must be a 2-D array (items × dimensions), got shape {X.shape}.")
    if not np.isfinite(X).all():
        raise FeedmineError("vectors contain NaN or infinite values; check the embedder's output.")
    return l2_normalize(X).astype(np.float32)
