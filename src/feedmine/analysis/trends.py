"""Theme trends over time and detection of emerging themes.

:func:`theme_counts_by_period` gives each theme's count and share per day/week/month, for charts.
:class:`EmergingThemeDetector` compares a recent window with the baseline window just before it and
flags themes whose share of items grew significantly (one-sided two-proportion z-test, corrected for
testing many themes at once). Shares, not counts, are compared, so a week with more feedback overall
does not make every theme look like it is growing. Formulas:

    p1 = recent_n / recent_total, p2 = baseline_n / baseline_total,
    p = (recent_n + baseline_n) / (recent_total + baseline_total),
    z = (p1 − p2) / sqrt(p (1 − p) (1 / recent_total + 1 / baseline_total)),  p_value = P(Z > z)

Only analysed items (``theme_id`` not NA) count; ``-1`` (unassigned) is reported but never flagged.

>>> import pandas as pd
>>> from feedmine.analysis.trends import EmergingThemeDetector
>>> days = pd.date_range("2024-01-01", "2024-02-04", freq="D")  # 35 days, 4 items a day
>>> themes = [[0, 0, 0, 1] if day <= pd.Timestamp("2024-01-28") else [0, 1, 1, 1] for day in days]
>>> docs = pd.DataFrame({"date": days.repeat(4), "theme_id": pd.array(sum(themes, []), dtype="Int64")})
>>> det = EmergingThemeDetector(recent="7D", baseline="28D").fit(docs)
>>> det.table_[["theme_id", "recent_n", "recent_total", "baseline_n", "baseline_total", "is_emerging"]]
   theme_id  recent_n  recent_total  baseline_n  baseline_total  is_emerging
0         0         7            28          84             112        False
1         1        21            28          28             112         True
>>> str(det.window_["recent_start"]), str(det.window_["recent_end"])
('2024-01-28 00:00:00', '2024-02-04 00:00:00')
"""
from __future__ import annotations

import logging
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

from ..errors import FeedmineError
from ..schema import membership_pairs
from .stats import CORRECTIONS, adjust_p_values, two_proportion_z  # noqa: F401 - re-exported

logger = logging.getLogger(__name__)



def _parse_dates(documents: pd.DataFrame, column: str = "date") -> pd.Series:
    """Dates as naive datetime64 (NaT where missing or unparseable), positionally indexed."""
    if column not in documents.columns:
        shown = ", ".join(repr(c) for c in documents.columns[:50])
        raise FeedmineError(f"no {column!r} column, so there is nothing to trend over. The table has these "
                            f"columns: {shown}. Map a date column when loading (load_corpus(..., date=<column>)).")
    raw = documents[column].reset_index(drop=True)
    if isinstance(raw.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_dtype(raw.dtype):
        dates = raw
    else:
        try:
            dates = pd.to_datetime(raw, errors="coerce", format="mixed")
        except ValueError:  # strings with different UTC offsets: put them on one clock (UTC)
            dates = pd.to_datetime(raw, errors="coerce", format="mixed", utc=True)
        # blank strings are "missing", not "unparseable"
        given = raw.notna() & (raw.astype(str).str.strip() != "")
        bad = dates.isna() & given
        if bad.any():
            example = raw[bad].iloc[0]
            if not dates.notna().any():
                raise FeedmineError(f"date column {column!r}: none of the {int(bad.sum())} values could be read as a "
                                    f"date (e.g. {example!r}). Pass ISO dates such as '2024-03-01' or datetimes.")
            logger.warning("date column %r: %d of %d values could not be read as a date (e.g. %r) and are "
                           "left out of trends", column, int(bad.sum()), len(raw), example)
    if isinstance(dates.dtype, pd.DatetimeTZDtype):
        dates = dates.dt.tz_localize(None)  # local wall-clock time: a "day" is the customer's day
    return dates


def _dated(documents: pd.DataFrame, memberships: pd.DataFrame | None) -> tuple[pd.DataFrame, pd.Series]:
    """Membership pairs and the dates of analysed items that have one (indexed by row)."""
    pairs = membership_pairs(documents, memberships)
    dates = _parse_dates(documents)
    analysed = documents["theme_id"].notna().to_numpy()
    undated = int((dates.isna().to_numpy() & analysed).sum())
    if undated == int(analysed.sum()):
        raise FeedmineError(f"all {undated} analysed items lack a usable date, so trends cannot be computed. "
                            "Check the date column (load_corpus(..., date=<column>)).")
    if undated:
        logger.warning("%d of %d analysed items have no usable date and are left out of trends",
                       undated, int(analysed.sum()))
    return pairs, dates[analysed & dates.notna().to_numpy()]


def theme_counts_by_period(documents: pd.DataFrame, freq: str = "W",
                           memberships: pd.DataFrame | None = None) -> pd.DataFrame:
    """Items per theme per period: ``theme_id, period, n_items, n_total, share``.

    ``period`` is the period's start as a Timestamp (a Monday for ``"W"``, the 1st for ``"M"``): plain
    datetimes plot, merge and export anywhere, unlike ``pd.Period``. ``freq`` is a pandas period alias
    (``"D"``, ``"W"``, ``"M"``, ``"Q"``, ``"Y"``). Every theme gets a row for every period from the first
    to the last, zeros included; ``n_total`` counts analysed items dated in the period and ``share`` is
    ``n_items / n_total`` (NaN for a period with no items). With ``memberships`` an item counts for each of
    its themes, so shares may add up to more than 1.
    """
    pairs, dates = _dated(documents, memberships)
    try:
        periods = dates.dt.to_period(freq)
    except ValueError as err:
        raise FeedmineError(f"freq={freq!r} is not a pandas period alias ({err}). Use 'D', 'W', 'M', 'Q' or 'Y'."
                            ) from err
    grid = pd.period_range(periods.min(), periods.max(), freq=periods.dt.freq)
    totals = periods.value_counts().reindex(grid, fill_value=0)
    theme_ids = np.sort(pairs["theme_id"].unique())  # before dropping undated items: every theme gets rows
    pairs = pairs[pairs["row"].isin(dates.index)]
    counts = (pd.DataFrame({"theme_id": pairs["theme_id"].to_numpy(), "period": periods[pairs["row"]].to_numpy()})
              .groupby(["theme_id", "period"]).size())
    full = pd.MultiIndex.from_product([theme_ids, grid], names=["theme_id", "period"])
    table = counts.reindex(full, fill_value=0).rename("n_items").reset_index()
    table["n_total"] = totals.reindex(table["period"]).to_numpy()
    table["share"] = table["n_items"] / table["n_total"].where(table["n_total"] > 0)
    table["period"] = pd.PeriodIndex(table["period"]).start_time
    return table


class EmergingThemeDetector(BaseEstimator):
    """Flag themes whose share of items grew significantly in the most recent window.

    Windows are right-closed and anchored at ``end`` (default: the latest date among analysed items):
    recent = (end − recent, end], baseline = (end − recent − baseline, end − recent]. Right-closed means
    the latest item is in the recent window and, for date-only data, ``"7D"`` is exactly 7 calendar days.

    Parameters
    ----------
    recent, baseline : str or Timedelta
        Window lengths (``"7D"``, ``"28D"``, ``"12h"``).
    alpha : float
        Significance level applied to the adjusted p-values.
    min_items : int
        A theme needs at least this many recent items; two complaints are an anecdote, not a trend.
    min_growth : float
        Minimum ``recent_share / baseline_share``: with many items a tiny rise is "significant" but not news.
    correction : {"holm", "bh", None}
        Multiple-testing correction across themes (``-1`` excluded): Holm controls the chance of any false
        alarm, ``"bh"`` the expected share of false alarms among those flagged.
    end : str, Timestamp or None
        Anchor the windows here instead of at the latest date, for a reproducible "as of" report.
    """

    def __init__(self, recent: str | pd.Timedelta = "7D", baseline: str | pd.Timedelta = "28D", alpha: float = 0.05,
                 min_items: int = 3, min_growth: float = 1.5, correction: str | None = "holm",
                 end: str | pd.Timestamp | None = None):
        self.recent = recent
        self.baseline = baseline
        self.alpha = alpha
        self.min_items = min_items
        self.min_growth = min_growth
        self.correction = correction
        self.end = end

    def _lengths(self) -> tuple[pd.Timedelta, pd.Timedelta]:
        lengths = []
        for name in ("recent", "baseline"):
            value = getattr(self, name)
            try:
                length = pd.Timedelta(value)
            except (ValueError, TypeError) as err:
                raise FeedmineError(f"{name}={value!r} is not a duration; pass e.g. '7D' or '28D'.") from err
            if not length > pd.Timedelta(0):
                raise FeedmineError(f"{name} must be a positive duration, got {value!r}.")
            lengths.append(length)
        if not 0 < self.alpha < 1:
            raise FeedmineError(f"alpha must be between 0 and 1, got {self.alpha!r}.")
        if self.correction not in CORRECTIONS:
            raise FeedmineError(f"correction must be 'holm', 'bh' or None, got {self.correction!r}.")
        return lengths[0], lengths[1]

    def fit(self, documents: pd.DataFrame, y: Any = None, *,
            memberships: pd.DataFrame | None = None) -> "EmergingThemeDetector":
        """``documents`` needs ``theme_id`` and ``date``; ``memberships`` (row, theme_id) lets an item count
        for several themes. Sets ``table_`` (one row per theme, by ``theme_id``) and ``window_``."""
        recent, baseline = self._lengths()
        pairs, dates = _dated(documents, memberships)
        end = dates.max() if self.end is None else pd.Timestamp(self.end)
        window = {"recent_start": end - recent, "recent_end": end,
                  "baseline_start": end - recent - baseline, "baseline_end": end - recent}
        in_window = {}
        for name in ("recent", "baseline"):
            rows = dates.index[(dates > window[f"{name}_start"]) & (dates <= window[f"{name}_end"])]
            if not len(rows):
                raise FeedmineError(
                    f"the {name} window ({window[f'{name}_start']}, {window[f'{name}_end']}] has no analysed items "
                    f"with a date; the data's dates run from {dates.min()} to {dates.max()}. "
                    f"Choose end= within the data or a longer {name}= window.")
            in_window[name] = rows
        table = pd.DataFrame({"theme_id": np.sort(pairs["theme_id"].unique())})
        for name, rows in in_window.items():
            counts = pairs.loc[pairs["row"].isin(rows), "theme_id"].value_counts()
            table[f"{name}_n"] = counts.reindex(table["theme_id"], fill_value=0).to_numpy()
            table[f"{name}_total"] = len(rows)
            table[f"{name}_share"] = table[f"{name}_n"] / len(rows)
        with np.errstate(divide="ignore", invalid="ignore"):
            table["growth"] = table["recent_share"] / table["baseline_share"]  # x/0 → inf, 0/0 → NaN
        table["z"], table["p_value"] = two_proportion_z(table["recent_n"], table["recent_total"],
                                                        table["baseline_n"], table["baseline_total"])
        # -1 is "no theme": a rise there means re-cluster, not a new pain point, so it is not tested
        real = table["theme_id"] >= 0
        table["p_adjusted"] = np.nan
        table.loc[real, "p_adjusted"] = adjust_p_values(table.loc[real, "p_value"], self.correction)
        table["is_emerging"] = (real & (table["p_adjusted"] < self.alpha) & (table["recent_n"] >= self.min_items)
                                & (table["growth"] >= self.min_growth))
        logger.info("emerging themes: %d of %d (recent %s–%s)", int(table["is_emerging"].sum()), int(real.sum()),
                    window["recent_start"], window["recent_end"])
        self.window_ = window
        self.table_ = table
        return self
