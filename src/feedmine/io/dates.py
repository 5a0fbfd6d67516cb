"""Reading a date column: text in any common layout, Excel serial day numbers, Unix timestamps, mixed
time zones; what cannot be read becomes missing and is counted in a warning, never a silent 1970.

>>> import pandas as pd
>>> to_dates(pd.Series(["2024-03-15", 45366, None]), "date").dt.strftime("%Y-%m-%d").tolist()
['2024-03-15', '2024-03-15', nan]
"""
from __future__ import annotations

import logging

import numpy as np
import pandas as pd

logger = logging.getLogger(__name__)

#: Excel's day 0 (its 1900 leap-year bug included), and the serials treated as Excel dates: 1954-2119
EXCEL_EPOCH = pd.Timestamp("1899-12-30")
EXCEL_SERIALS = (20_000, 80_000)
#: Unix timestamps in seconds and in milliseconds: 2001-09 to 5138
UNIX_SECONDS = (1e9, 1e11)
UNIX_MILLIS = (1e12, 1e14)


def _numbers(values: pd.Series) -> pd.Series:
    """Each value as a number where it is one (an int cell, "45366"), NaN elsewhere."""
    if pd.api.types.is_datetime64_any_dtype(values):
        return pd.Series(np.nan, index=values.index)
    plain = values.map(lambda v: v if isinstance(v, (int, float, np.integer, np.floating, str)) and
                       not isinstance(v, bool) else None)
    return pd.to_numeric(plain, errors="coerce")


_RANGES = ((EXCEL_SERIALS, lambda n: EXCEL_EPOCH + pd.to_timedelta(n, unit="D"), "Excel serial day numbers"),
           (UNIX_SECONDS, lambda n: pd.to_datetime(n, unit="s"), "Unix timestamps (seconds)"),
           (UNIX_MILLIS, lambda n: pd.to_datetime(n, unit="ms"), "Unix timestamps (milliseconds)"))


def to_dates(values: pd.Series, col: str) -> pd.Series:
    """Dates as given; numbers by their range (Excel serials, Unix seconds or milliseconds), each on its
    own (an Excel column mixes date cells and serials); mixed time zones (or zones beside naive dates)
    all in UTC; unreadable values missing, counted in a warning. "20240315" is text, read as a date."""
    numbers = _numbers(values)
    yyyymmdd = values.map(lambda v: isinstance(v, str) and len(v.strip()) == 8 and v.strip().isdigit())
    numbers = numbers.mask(yyyymmdd.astype(bool))
    text = values.mask(numbers.notna()) if numbers.notna().any() else values
    try:
        dates = pd.to_datetime(text, errors="coerce", utc=False, format="mixed")
        mixed = dates.dtype == object  # aware dates beside naive ones come back as objects
    except (ValueError, TypeError):  # pandas refuses to mix time zones without utc=True
        mixed = True
    if mixed:
        dates = pd.to_datetime(text, errors="coerce", utc=True, format="mixed")
        logger.warning("date column %r mixes time zones; all dates are read as UTC", col)
    for (lo, hi), convert, what in _RANGES:
        hit = numbers.between(lo, hi)
        if hit.any():
            logger.warning("date column %r: %d numbers read as %s", col, int(hit.sum()), what)
            read = convert(numbers[hit])
            if getattr(dates.dtype, "tz", None) is not None:
                read = read.dt.tz_localize("UTC")
            dates = dates.astype(read.dtype) if dates.isna().all() else dates
            dates[hit] = read.to_numpy()
    given = (values.notna() & (values.astype(str).str.strip() != "")) | numbers.notna()
    bad = int((dates.isna() & given).sum())
    if bad:
        logger.warning("date column %r: %d of %d dates could not be read and are missing", col, bad,
                       int(given.sum()))
    return dates
