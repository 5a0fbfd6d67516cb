"""Theme impact by regression: each theme's effect on the score, holding the item's other themes fixed.

In sentence mode an item can belong to several themes, so the leave-one-out drop
(:func:`feedmine.analysis.score.leave_one_out_drop`) credits an item's low score to every theme it is in. Least
squares of score on an intercept plus one 0/1 indicator per theme splits it instead:

    score_i ≈ β0 + Σ_t β_t · [item i has theme t]

β_t (``impact_coef``) is how much an item's score moves when it has theme t; negative = the theme pulls
scores down. ``impact_effect`` = −β_t · share_t, with share_t the (weighted) share of rated items in the
theme, is how much the overall (weighted) mean would rise if the theme's effect were removed: removing
it lifts each of its items by −β_t, and the mean by that times their share.

>>> import numpy as np, pandas as pd
>>> scores = np.array([2, 2, 4, 4, 4, 4.0])          # items 0, 1 are in theme 0 and score 2 less
>>> memberships = pd.DataFrame({"row": [0, 1, 2], "theme_id": [0, 0, -1]})
>>> table = theme_regression(scores, memberships, n_items=6, n_boot=200)
>>> table.round(3).to_dict("records")
[{'theme_id': 0, 'impact_coef': -2.0, 'impact_ci_low': -2.0, 'impact_ci_high': -2.0, 'impact_n': 2, 'impact_effect': 0.667}]
"""
from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse
from threadpoolctl import threadpool_limits  # installed with scikit-learn

from ..errors import FeedmineError

#: damping added to the normal equations, relative to each theme column's own weight (see _solve)
RIDGE = 1e-6
#: how many bootstrap resamples × items (and × parameters²) to hold in memory at once
_CHUNK_CELLS = 4_000_000

COLUMNS = ["theme_id", "impact_coef", "impact_ci_low", "impact_ci_high", "impact_n", "impact_effect"]


def theme_regression(scores: Any, memberships: pd.DataFrame, n_items: int, theme_ids: Any = None,
                     n_boot: int = 500, random_state: int | None = 0, ci: float = 0.95,
                     sample_weight: Any = None) -> pd.DataFrame:
    """Regress the per-item score on theme indicators; one row per theme with a bootstrap interval.

    ``scores``: length ``n_items``, NaN = unrated (left out). ``memberships``: columns ``row`` (item
    position 0..n_items−1) and ``theme_id``, one row per (item, theme) pair; theme −1 (unassigned) is no
    regressor, so those items set the baseline with untagged ones. ``sample_weight`` (e.g. customer value)
    makes it weighted least squares. The interval resamples rated items with replacement, refits, and takes
    the percentile interval; resamples in which a theme is absent or covers every item say nothing about
    it and are skipped for that theme. Themes with fewer than 2 rated items, or on every rated item,
    get NaN. Returns the columns
    ``theme_id, impact_coef, impact_ci_low, impact_ci_high, impact_n, impact_effect``, ordered as
    ``theme_ids`` (default: every theme ≥ 0 in ``memberships``, sorted).

    Normal equations (XᵀWX)β = XᵀWy are solved with a tiny ridge (``RIDGE`` × each theme's weight) so
    that rank-deficient designs still solve: themes that always occur together share their joint effect
    equally. For the point estimate two steps of iterative refinement then remove the ridge's bias wherever
    the effect is identifiable, so it matches ``numpy.linalg.lstsq`` to rounding; bootstrap refits skip
    the refinement (a ~1e-6 relative bias, far below sampling noise). Items with weight 0 count as unrated.
    """
    y, w, rows, theme_col = _validate(scores, memberships, n_items, sample_weight, n_boot, ci)
    rated = np.isfinite(y) & (w > 0)
    # rated item position (0..n_rated−1) for every item, −1 if unrated
    position = np.full(n_items, -1)
    position[rated] = np.arange(int(rated.sum()))
    keep = (theme_col >= 0) & rated[rows]
    pairs = pd.DataFrame({"item": position[rows[keep]], "theme_id": theme_col[keep]}).drop_duplicates()
    fitted = np.sort(pairs["theme_id"].unique())
    counts = pairs["theme_id"].value_counts()
    if theme_ids is None:
        theme_ids = fitted
    theme_ids = np.asarray(theme_ids, dtype=int)
    y, w, n = y[rated], w[rated], int(rated.sum())
    out = pd.DataFrame({"theme_id": theme_ids, "impact_coef": np.nan, "impact_ci_low": np.nan,
                        "impact_ci_high": np.nan,
                        "impact_n": counts.reindex(theme_ids, fill_value=0).to_numpy(dtype=int),
                        "impact_effect": np.nan})
    if n < 2 or fitted.size == 0:
        return out

    design, fit = _normal_equations(pairs, fitted, y, n)
    coef = fit(w[None, :], refine=2)[0, 1:]
    share = np.asarray(design[:, 1:].T @ w).ravel() / w.sum()
    low = high = np.full(fitted.size, np.nan)
    if n_boot:
        boot = _bootstrap(fit, design, w, int(n_boot), random_state)
        tail = 100 * (1 - ci) / 2
        with warnings.catch_warnings():  # a theme absent from every resample has no interval: NaN says so
            warnings.simplefilter("ignore", RuntimeWarning)
            low, high = np.nanpercentile(boot, [tail, 100 - tail], axis=0)

    # a theme on every rated item is indistinguishable from the intercept: no estimate, not 0
    identifiable = np.isin(theme_ids, fitted[share < 1 - 1e-12])
    found = identifiable & (out["impact_n"].to_numpy() >= 2)
    k = np.searchsorted(fitted, theme_ids[found])
    out.loc[found, "impact_coef"] = coef[k]
    out.loc[found, "impact_ci_low"] = low[k]
    out.loc[found, "impact_ci_high"] = high[k]
    out.loc[found, "impact_effect"] = -coef[k] * share[k]
    return out


def _normal_equations(pairs: pd.DataFrame, fitted: np.ndarray, y: np.ndarray, n: int):
    """(design X, fit): X has column 0 the intercept and column 1 + k theme ``fitted[k]``; ``fit(weights)``
    solves the normal equations for a batch of item weightings (batch × n) → coefficients (batch × p)."""
    col = 1 + np.searchsorted(fitted, pairs["theme_id"].to_numpy())
    item = np.concatenate([np.arange(n), pairs["item"].to_numpy()])
    col = np.concatenate([np.zeros(n, dtype=int), col])
    p = fitted.size + 1
    design = sparse.csr_matrix((np.ones(item.size), (item, col)), shape=(n, p))
    # each entry of XᵀWX is Σ_i w_i·x_ia·x_ib over items that have both columns a and b: one sparse column
    # per co-occurring pair (a ≤ b) turns all Gram matrices of a batch of weightings into one product
    both = pd.DataFrame({"item": item, "col": col})
    both = both.merge(both, on="item")
    both = both[both["col_x"] <= both["col_y"]]
    pair_code, pair_item = both["col_x"].to_numpy() * p + both["col_y"].to_numpy(), both["item"].to_numpy()
    codes, pair_id = np.unique(pair_code, return_inverse=True)
    gram_pairs = sparse.csr_matrix((np.ones(pair_item.size), (pair_id, pair_item)), shape=(codes.size, n))
    gram_a, gram_b = np.divmod(codes, p)
    xt = design.T.tocsr()

    def fit(weights: np.ndarray, refine: int = 0) -> np.ndarray:
        gram = np.zeros((weights.shape[0], p, p))
        flat = (gram_pairs @ weights.T).T
        gram[:, gram_a, gram_b] = flat
        gram[:, gram_b, gram_a] = flat
        rhs = (xt @ (weights * y).T).T
        return _solve(gram, rhs, n, refine)

    return design, fit


def _solve(gram: np.ndarray, rhs: np.ndarray, n: int, refine: int) -> np.ndarray:
    """Solve (G + Λ)β = r per batch, Λ = RIDGE · (G_tt + G_00 / n) on theme columns only.

    Scaling the ridge by each column's own weight keeps its bias ~1e-6 relative however rare the theme
    and whatever the unit of the weights; the G_00 / n floor (one average item) makes an empty column
    solvable. The intercept is not damped, so a theme on every item gets coefficient 0. Each refinement
    step β += (G + Λ)⁻¹(r − Gβ) shrinks the bias by another factor ~1e-6 in identifiable directions and
    leaves the ridge's choice alone in the others (r − Gβ has no component there).
    """
    diag = np.arange(1, gram.shape[1])
    damped = gram.copy()
    damped[:, diag, diag] += RIDGE * (gram[:, diag, diag] + gram[:, :1, 0] / n)
    beta = np.linalg.solve(damped, rhs[..., None])
    for _ in range(refine):
        beta += np.linalg.solve(damped, rhs[..., None] - gram @ beta)
    return beta[..., 0]


def _bootstrap(fit, design: sparse.csr_matrix, w: np.ndarray, n_boot: int,
               random_state: int | None) -> np.ndarray:
    """Theme coefficients (n_boot × themes) from resampling items with replacement, in batches."""
    n, p = design.shape
    rng = np.random.default_rng(random_state)
    batch = int(max(1, min(n_boot, _CHUNK_CELLS // n, _CHUNK_CELLS // p ** 2)))
    theme_weight_of = design[:, 1:].T.tocsr()
    out = np.empty((n_boot, p - 1))
    # many small solves: BLAS threads only add overhead, and thrash when the cores are busy (20× slower seen)
    with threadpool_limits(limits=1, user_api="blas"):
        for start in range(0, n_boot, batch):
            b = min(batch, n_boot - start)
            draws = rng.integers(0, n, size=(b, n)) + (np.arange(b) * n)[:, None]
            weights = np.bincount(draws.ravel(), minlength=b * n).reshape(b, n) * w  # times drawn × weight
            coef = fit(weights)[:, 1:]
            in_theme = (theme_weight_of @ weights.T).T
            # absent (0) or on every drawn item (collinear with the intercept): no information on the theme
            useless = (in_theme <= 0) | (in_theme >= weights.sum(axis=1, keepdims=True) * (1 - 1e-12))
            out[start:start + b] = np.where(useless, np.nan, coef)
    return out


def _validate(scores: Any, memberships: pd.DataFrame, n_items: int, sample_weight: Any, n_boot: int,
              ci: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Arrays (scores, weights, membership rows, membership themes) or a FeedmineError naming the fix."""
    n_items = int(n_items)
    y = np.asarray(scores, dtype=float).ravel()
    if y.size != n_items:
        raise FeedmineError(f"scores has {y.size} values but n_items is {n_items}; pass one score per item "
                            f"(NaN for unrated items).")
    if sample_weight is None:
        w = np.ones(n_items)
    else:
        w = np.asarray(sample_weight, dtype=float).ravel()
        if w.size != n_items:
            raise FeedmineError(f"sample_weight has {w.size} values but n_items is {n_items}; pass one weight "
                                f"per item.")
        if not np.all(np.isfinite(w)) or (w < 0).any():
            raise FeedmineError("sample_weight must be finite and non-negative; fill missing weights "
                                "(e.g. .fillna(0) to leave those items out).")
    if not isinstance(memberships, pd.DataFrame) or not {"row", "theme_id"} <= set(memberships.columns):
        raise FeedmineError("memberships must be a DataFrame with columns 'row' and 'theme_id', one row per "
                            "(item, theme) pair.")
    if memberships[["row", "theme_id"]].isna().any().any():
        raise FeedmineError("memberships has missing 'row' or 'theme_id' values; drop them or use theme_id -1 "
                            "for unassigned items.")
    rows = memberships["row"].to_numpy(dtype=float)
    themes = memberships["theme_id"].to_numpy(dtype=float)
    if (rows != np.round(rows)).any() or (themes != np.round(themes)).any():
        raise FeedmineError("memberships 'row' and 'theme_id' must be whole numbers (item positions, theme ids).")
    if rows.size and (rows.min() < 0 or rows.max() >= n_items):
        bad = rows[(rows < 0) | (rows >= n_items)]
        raise FeedmineError(f"memberships has row {int(bad[0])} outside 0..{n_items - 1}; rows are item "
                            f"positions (0-based, as in the scores array), not index labels.")
    if int(n_boot) < 0:
        raise FeedmineError(f"n_boot must be 0 (no interval) or more, got {n_boot}.")
    if not 0 < ci < 1:
        raise FeedmineError(f"ci is the interval's coverage, between 0 and 1 (e.g. 0.95), got {ci}.")
    return y, w, rows.astype(int), themes.astype(int)
