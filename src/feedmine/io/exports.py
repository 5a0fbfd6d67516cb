"""Tables for spreadsheets: CSV that Excel opens with Korean intact, .xlsx with one sheet per table,
and no cell that a spreadsheet would run as a formula.

Feedback text is written by strangers. A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return (or their full-width forms, which some spreadsheet locales read the same way) is run
as a formula by Excel, LibreOffice and Google Sheets when the file is opened (CSV injection; OWASP's
guidance). Such text cells are written with a leading apostrophe, so the spreadsheet keeps them as
text (the apostrophe shows: the honest cost of a cell that cannot run). In .xlsx it is needed too:
openpyxl writes a string starting with ``=`` as a formula. Only the spreadsheet exports change:
Parquet, JSON and the in-memory DataFrames keep the exact text.

CSV is written with a UTF-8 byte-order mark: without it Excel on Windows reads a UTF-8 file in the
system code page and Hangul comes out as mojibake. pandas and most tools skip the mark when reading.

>>> import pandas as pd
>>> spreadsheet_safe(pd.DataFrame({"text": ["=HYPERLINK(\\"http://x\\")", "fine", "-2 stars"], "n": [-1, 2, 3]}))["text"].tolist()
['\\'=HYPERLINK("http://x")', 'fine', "'-2 stars"]
"""
from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import FeedmineError
from ..schema import LIST_SEPARATOR
from .store import atomic_file

#: first characters a spreadsheet reads as the start of a formula (OWASP, plus full-width forms)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
#: Excel's limits: characters in one cell, rows in one sheet (the header included)
EXCEL_CELL_CHARS = 32_767
EXCEL_ROWS = 1_048_576
#: characters openpyxl refuses to write (XML 1.0 forbids them); dropped from spreadsheet cells
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
CUT_MARK = " …[cut: the full text is in the Parquet/JSON export]"


def neutralise(value: Any) -> Any:
    """``value`` with a leading apostrophe when it is text a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _flat(value: Any) -> Any:
    """A cell one spreadsheet cell can hold: lists joined with :data:`LIST_SEPARATOR`, mappings as JSON."""
    if isinstance(value, (list, tuple, np.ndarray)):
        return LIST_SEPARATOR.join(str(v) for v in value)
    if isinstance(value, Mapping):
        return json.dumps(dict(value), ensure_ascii=False, default=str)
    return value


def spreadsheet_safe(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` whose text cells (and column names) cannot run as formulas; numbers, dates and
    missing values are left as they are."""
    out = df.copy()
    out.columns = [neutralise(str(c)) if isinstance(c, str) else c for c in out.columns]
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col].dtype):
            out[col] = pd.Series([neutralise(_flat(v)) for v in out[col]], index=out.index, dtype=object)
    return out


def write_csv(df: pd.DataFrame, path: str | os.PathLike) -> Path:
    """``df`` as CSV for people and spreadsheets: UTF-8 with a byte-order mark, formulas neutralised."""
    path = Path(path)
    # CRLF line ends (RFC 4180): the csv writer then quotes every cell holding a CR or LF; with "\n" alone a
    # lone CR in feedback went out unquoted and split the row in two for every reader
    spreadsheet_safe(df).to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\r\n")
    return path


def _excel_cells(df: pd.DataFrame) -> pd.DataFrame:
    out = spreadsheet_safe(df)
    for col in out.columns:
        series = out[col]
        if isinstance(series.dtype, pd.DatetimeTZDtype):  # Excel has no time zones: UTC, stated in the header
            out[col] = series.dt.tz_convert("UTC").dt.tz_localize(None)
        elif series.dtype == object:
            out[col] = [_excel_text(v) for v in series]
    return out


def _excel_text(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    value = _ILLEGAL.sub("", value)
    if len(value) > EXCEL_CELL_CHARS:  # Excel would refuse or corrupt the file
        value = value[:EXCEL_CELL_CHARS - len(CUT_MARK)] + CUT_MARK
    return value


def write_excel(tables: Mapping[str, pd.DataFrame], path: str | os.PathLike) -> Path:
    """One sheet per table (sheet names cut to Excel's 31 characters), formulas neutralised, written
    atomically (a temporary file renamed into place).

    Raises :class:`~feedmine.errors.FeedmineError` when openpyxl is missing or a table has more rows
    than a sheet can hold.
    """
    try:
        import openpyxl  # noqa: F401  (pandas' xlsx writer)
    except ImportError:
        raise FeedmineError("Excel export needs openpyxl: pip install 'feedmine[excel]'") from None
    for name, table in tables.items():
        if len(table) + 1 > EXCEL_ROWS:
            raise FeedmineError(f"table {name!r} has {len(table):,} rows; an Excel sheet holds {EXCEL_ROWS - 1:,}. "
                                "Use result.save() (Parquet and CSV) for tables this large.")
    with atomic_file(path) as tmp, pd.ExcelWriter(tmp, engine="openpyxl") as writer:
        for name, table in tables.items():
            _excel_cells(table).to_excel(writer, sheet_name=name[:31], index=False)
    return Path(path)
