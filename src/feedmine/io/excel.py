"""Reading an Excel export the way a person laid it out: a title row (often merged across the columns)
above the real header is skipped, the first sheet that holds data is read and the others are named in
a warning, and every cell keeps its own type (ids such as ``007`` keep their zeros).
"""
from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd

logger = logging.getLogger(__name__)

#: rows looked at for the header: title, subtitle, export date and a blank line fit well inside
HEADER_SEARCH_ROWS = 20


def _header_row(grid: pd.DataFrame) -> int:
    """The first row that fills at least half of the table's columns (a merged title fills one)."""
    filled = grid.head(HEADER_SEARCH_ROWS).notna() & (grid.head(HEADER_SEARCH_ROWS).astype(str) != "")
    counts = filled.sum(axis=1).to_numpy()
    if not len(counts):
        return 0
    need = max(2, (int(counts.max()) + 1) // 2) if counts.max() >= 2 else 1
    for row, n in enumerate(counts):
        if n >= need:
            return row
    return 0


def read_excel(path: Path) -> pd.DataFrame:
    """The table of the first sheet with data in ``path``, its header found below any title rows."""
    sheets = pd.read_excel(path, sheet_name=None, header=None, dtype=object)
    used = {name: grid.dropna(how="all").dropna(axis=1, how="all") for name, grid in sheets.items()}
    with_data = [name for name, grid in used.items() if not grid.empty]
    if not with_data:
        return pd.DataFrame()
    name = with_data[0]
    if len(with_data) > 1:
        others = ", ".join(f"{n!r} ({len(used[n])} rows)" for n in with_data[1:])
        logger.warning("%s: read sheet %r; the workbook also holds %s. To analyse another sheet, pass "
                       "pd.read_excel(path, sheet_name=...) as the table.", path.name, name, others)
    grid = used[name].reset_index(drop=True)
    row = _header_row(grid)
    if row:
        skipped = " / ".join(str(v) for v in grid.iloc[:row].to_numpy().ravel() if v is not None and v == v)[:80]
        logger.warning("%s: the first %d row(s) above the header are skipped (%r)", path.name, row, skipped)
    header = [str(v) if v is not None and v == v else f"column_{i + 1}" for i, v in enumerate(grid.iloc[row])]
    table = grid.iloc[row + 1:].reset_index(drop=True)
    table.columns = header
    return table
