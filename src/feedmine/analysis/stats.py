"""Small statistical tests shared by trends, run comparison and segment tables.

>>> z, p = two_proportion_z(8, 200, 8, 800)   # 4% of 200 recent items vs 1% of 800 before
>>> round(float(z), 3), round(float(p), 5)
(3.024, 0.00125)
>>> adjust_p_values([0.01, 0.04, 0.03, 0.20], "holm").round(2).tolist()
[0.04, 0.09, 0.09, 0.2]
"""
from __future__ import annotations

from typing import Any

import numpy as np
from scipy import stats

from ..errors import FeedmineError

CORRECTIONS = ("holm", "bh", None)


def adjust_p_values(p_values: Any, method: str | None = "holm") -> np.ndarray:
    """Family-wise (``"holm"``) or false-discovery-rate (``"bh"``, Benjamini–Hochberg) adjusted p-values.

    Holm: sorted ascending, p_(i) · (m − i + 1), made non-decreasing; BH: p_(i) · m / i, made
    non-increasing from the largest down. Both capped at 1. ``None`` returns the p-values unchanged.
    """
    p = np.asarray(p_values, dtype=float)
    if method not in CORRECTIONS:
        raise FeedmineError(f"correction must be 'holm', 'bh' or None, got {method!r}.")
    if method is None or p.size == 0:
        return p.copy()
    if method == "bh":
        return stats.false_discovery_control(p, method="bh")
    m = p.size
    order = np.argsort(p, kind="stable")
    adjusted = np.maximum.accumulate(p[order] * (m - np.arange(m)))  # Holm: p_(i) · (m − i + 1)
    out = np.empty(m)
    out[order] = np.minimum(adjusted, 1.0)
    return out


def two_proportion_z(x1: Any, n1: Any, x2: Any, n2: Any) -> tuple[np.ndarray, np.ndarray]:
    """One-sided pooled two-proportion z-test of H1: x1/n1 > x2/n2; returns (z, p_value).

    Where the pooled share is 0 or 1 both shares are equal and there is no evidence: z = 0, p = 1.
    """
    x1, n1, x2, n2 = (np.asarray(v, dtype=float) for v in (x1, n1, x2, n2))
    pooled = (x1 + x2) / (n1 + n2)
    se = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(se > 0, (x1 / n1 - x2 / n2) / se, 0.0)
    return z, np.where(se > 0, stats.norm.sf(z), 1.0)
