"""Reading feedback tables and mapping their columns to feedmine's roles.

The output is a *corpus*: a DataFrame with one row per input row, in input order, with columns
``id``, ``text`` and, where mapped, ``date``, ``rating``, ``channel``, ``segment``, ``customer``.
Nothing is ever dropped here; empty or odd rows are judged later by the cleaner.

Example
-------
>>> import pandas as pd
>>> from feedmine.io import load_corpus
>>> corpus = load_corpus(pd.DataFrame({"comment": ["앱이 자꾸 꺼져요", "Love it"]}), text="comment")
>>> list(corpus.columns), corpus["id"].tolist()
(['id', 'text'], ['row-0', 'row-1'])
"""
from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from os import PathLike
from pathlib import Path
from typing import Union

import numpy as np
import pandas as pd

from ..errors import ColumnNotFoundError, FeedmineError
from .dates import to_dates
from .excel import read_excel
from . import chunked

logger = logging.getLogger(__name__)

TableLike = Union[pd.DataFrame, str, PathLike]

#: roles a user can map, in the order they appear in the corpus
ROLES = ("id", "text", "date", "rating", "channel", "segment", "customer")

_READERS = {
    ".csv": "csv", ".tsv": "tsv", ".txt": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl",
    ".json": "json", ".parquet": "parquet", ".pq": "parquet", ".xlsx": "excel", ".xls": "excel",
}


#: Tried in order for CSV / TSV when no encoding is given: UTF-8 (with or without a byte-order mark),
#: then CP949, the Korean Windows code page (a superset of EUC-KR) that Excel writes Korean CSVs in.
AUTO_ENCODINGS = ("utf-8-sig", "cp949")


def read_table(source: TableLike, encoding: str | None = None, columns: list[str] | None = None) -> pd.DataFrame:
    """Read a DataFrame, CSV, TSV, JSONL, JSON, Parquet or Excel file into a DataFrame.

    Cells are read as strings where the format allows it (CSV, TSV) so that ids such as ``007`` keep
    their leading zeros; numeric roles are converted later. ``encoding`` (CSV / TSV / JSON): None tries
    UTF-8, then CP949 (a Korean CSV saved by Excel), and logs a warning when it falls back.

    ``columns``: read only these (those the file has). CSV, TSV, JSONL and Parquet are then read in
    chunks of :data:`feedmine.io.chunked.READ_CHUNK_ROWS` rows, so memory holds the columns used, not a wide export whole;
    ``attrs["columns_in_file"]`` keeps every column's name for error messages.
    """
    if isinstance(source, pd.DataFrame):
        return source
    path = Path(source)
    if not path.exists():
        raise FeedmineError(f"input file {str(path)!r} does not exist. Pass a DataFrame or the path of "
                            "a CSV, JSONL, Parquet or Excel file.")
    if path.is_dir():
        raise FeedmineError(f"{str(path)!r} is a folder; pass a file (CSV, JSONL, Parquet or Excel) or a DataFrame.")
    if path.stat().st_size == 0:
        raise FeedmineError(f"input file {path.name!r} is empty (0 bytes); export the table again.")
    kind = _READERS.get(path.suffix.lower())
    if kind is None:
        raise FeedmineError(f"cannot read {path.name!r}: unknown extension {path.suffix!r}. "
                            f"Use one of {', '.join(sorted(_READERS))}, or pass a DataFrame.")
    try:
        if columns is not None and kind in ("csv", "tsv", "jsonl", "parquet"):
            return chunked.read_columns(path, kind, columns, (encoding,) if encoding else AUTO_ENCODINGS)
        if kind in ("csv", "tsv"):
            return _read_delimited(path, "\t" if kind == "tsv" else ",", encoding)
        if kind == "jsonl":
            # utf-8-sig: UTF-8 with or without the byte-order mark Windows tools write
            return pd.read_json(path, lines=True, dtype=False, encoding=encoding or "utf-8-sig")
        if kind == "json":
            return pd.read_json(path, dtype=False, encoding=encoding or "utf-8-sig")
        if kind == "parquet":
            import pyarrow.parquet as pq

            return chunked.validated(pq.read_table(path)).to_pandas()
        # dtype=object keeps each cell's own type: without it pandas re-infers text cells such as
        # "007" as numbers and ids lose their leading zeros
        return read_excel(path)
    except ImportError as exc:  # openpyxl is an optional extra
        raise FeedmineError(f"reading {path.name!r} needs an optional package: {exc}. "
                            "Install it with: pip install 'feedmine[excel]'") from exc
    except LookupError as exc:
        raise FeedmineError(f"unknown encoding {encoding!r}: {exc}. Use a Python codec name such as "
                            "'utf-8', 'cp949' or 'euc-kr'.") from exc
    except UnicodeDecodeError as exc:
        tried = encoding or " then ".join(AUTO_ENCODINGS)
        raise FeedmineError(f"could not decode {path.name!r} as {tried}: {exc}. Save the file as UTF-8, or "
                            "name its encoding (encoding='...', CLI --encoding).") from exc
    except (ValueError, pd.errors.ParserError) as exc:
        where = _bad_json_line(path, encoding) if kind == "jsonl" else ""
        raise FeedmineError(f"could not parse {path.name!r} as {kind}{where}: {exc}. Check the file's format "
                            "and encoding (UTF-8 expected).") from exc
    except FeedmineError:
        raise
    except Exception as exc:  # a damaged binary file: pyarrow, zipfile and openpyxl raise their own kinds
        raise FeedmineError(f"could not read {path.name!r} as {kind} ({type(exc).__name__}: {str(exc)[:200]}). "
                            "The file may be damaged, cut short or not really a {kind} file; export it "
                            "again.".replace("{kind}", kind)) from exc


def _bad_json_line(path: Path, encoding: str | None) -> str:
    """" at line N" for the first line of a JSONL file that is not JSON (pandas names a byte position)."""
    import json

    with open(path, encoding=encoding or "utf-8-sig", errors="replace") as f:
        for number, line in enumerate(f, start=1):
            if line.strip():
                try:
                    json.loads(line)
                except ValueError:
                    return f" at line {number} ({line.strip()[:60]!r})"
    return ""


def _read_delimited(path: Path, sep: str, encoding: str | None) -> pd.DataFrame:
    def read(codec: str) -> pd.DataFrame:
        return pd.read_csv(path, sep=chunked.separator(path, sep, codec), dtype=str, keep_default_na=False,
                           na_values=[""], encoding=codec)

    if encoding:
        return read(encoding)
    try:
        return read(AUTO_ENCODINGS[0])
    except UnicodeDecodeError:
        table = read(AUTO_ENCODINGS[1])  # not CP949 either: the caller reports both
        logger.warning("%s is not UTF-8; read it as %s (Korean Windows encoding). Pass encoding= if that "
                       "is wrong.", path.name, AUTO_ENCODINGS[1])
        return table


def _guess_text_column(df: pd.DataFrame) -> str:
    """The column with the longest average string, for users who did not name one."""
    best, best_len = None, 0.0
    for col in df.columns:
        values = df[col]
        if values.dtype == object or pd.api.types.is_string_dtype(values):
            mean_len = values.dropna().astype(str).str.len().mean()
            if pd.notna(mean_len) and mean_len > best_len:
                best, best_len = col, float(mean_len)
    if best is None:
        raise FeedmineError("no text column found: the table has no string columns. Columns: "
                            f"{', '.join(map(repr, df.columns))}. Pass text=<column name>.")
    logger.info("text column not given; using %r (longest strings)", best)
    return str(best)


def load_corpus(source: TableLike, text: str | None = None, id: str | None = None,
                date: str | None = None, rating: str | None = None, channel: str | None = None,
                segment: str | None = None, customer: str | None = None, value: str | None = None,
                thread: str | None = None, parent: str | None = None,
                keep: list[str] | None = None, encoding: str | None = None, by: str | None = None) -> pd.DataFrame:
    """Read ``source`` and return the corpus with feedmine's column roles.

    ``text`` names the feedback column (guessed when omitted). ``id`` names a unique id column; without
    one, stable ids ``row-0``, ``row-1``… are made from the row position. ``rating`` may be stars
    (1–5), a 0–10 NPS answer or any numeric score. ``value`` is a numeric customer value (revenue,
    plan price) that weights impact. ``thread`` and ``parent`` name the discussion columns (thread id;
    the id of the item a reply answers), which turn agreeing replies into votes. ``by`` names the column
    whose values are analysed apart (product, app, market): it becomes the corpus column ``group``, as
    text, missing values as :data:`MISSING_GROUP`. ``keep`` lists extra columns to carry through. ``encoding``: see :func:`read_table` (None: UTF-8, else CP949).
    """
    named = [c for c in (id, text, date, rating, channel, segment, customer, value, thread, parent, by) if c is not None]
    # a file whose text column is named: read only the columns used (in chunks, bounded memory)
    wanted = None if text is None or isinstance(source, pd.DataFrame) else list(dict.fromkeys(named + list(keep or [])))
    df = read_table(source, encoding=encoding, columns=wanted)
    if not isinstance(df, pd.DataFrame):
        raise FeedmineError(f"expected a DataFrame or a file path, got {type(source).__name__}.")
    _check_columns(df)
    df = _without_surrogates(df)
    available = [str(c) for c in df.attrs.get("columns_in_file", df.columns)]
    if len(available) == 0:
        raise FeedmineError("the input table has no columns. Check the file's header row.")
    df = df.rename(columns=str)
    mapping: Mapping[str, str | None] = {
        "id": id, "text": text if text is not None else _guess_text_column(df), "date": date,
        "rating": rating, "channel": channel, "segment": segment, "customer": customer, "value": value,
        "thread": thread, "parent": parent, "by": by,
    }
    for role, col in mapping.items():
        if col is not None and col not in df.columns:
            raise ColumnNotFoundError(role, col, available)
    for col in keep or []:
        if col not in df.columns:
            raise ColumnNotFoundError("keep", col, available)

    corpus = pd.DataFrame(index=pd.RangeIndex(len(df)))
    if mapping["id"] is None:
        corpus["id"] = [f"row-{i}" for i in range(len(df))]
    else:
        ids = df[mapping["id"]].reset_index(drop=True)
        if ids.isna().any():
            bad = int(ids.isna().sum())
            raise FeedmineError(f"id column {mapping['id']!r} has {bad} missing values. Fill them, or "
                                "omit id= to let feedmine number the rows.")
        ids = ids.astype(str)
        dup = ids[ids.duplicated()]
        if len(dup):
            raise FeedmineError(f"id column {mapping['id']!r} is not unique ({len(dup)} repeated, e.g. "
                                f"{dup.iloc[0]!r}). Pass a unique column, or omit id= to number rows.")
        corpus["id"] = ids.to_numpy(dtype=object)
    # an explicit object Series: pandas 3 would infer its "str" dtype from an object array and turn
    # None into NaN, but the corpus keeps each raw cell as given
    corpus["text"] = pd.Series(df[mapping["text"]].to_numpy(dtype=object), index=corpus.index, dtype=object)
    for role in ("date", "rating", "channel", "segment", "customer", "value", "thread", "parent"):
        col = mapping[role]
        if col is None:
            continue
        values = df[col].reset_index(drop=True)
        if role in ("rating", "value"):
            corpus[role] = _to_numeric(values, col, role)
        elif role in ("thread", "parent"):  # ids, compared as strings like the id column
            corpus[f"{role}_id"] = pd.Series(values.astype(str).where(values.notna(), None).to_numpy(dtype=object),
                                             index=corpus.index, dtype=object)
        elif role == "date":
            corpus["date"] = to_dates(values, col)
        else:
            corpus[role] = pd.Series(values.astype(object).where(values.notna(), None).to_numpy(dtype=object),
                                     index=corpus.index, dtype=object)
    if by is not None:
        values = df[by].reset_index(drop=True)
        names = values.astype(str)
        corpus["group"] = names.where(values.notna() & (names.str.strip() != ""), MISSING_GROUP).astype(object)
    for col in keep or []:
        if col not in corpus.columns:
            corpus[col] = df[col].to_numpy()
    return corpus


def _check_columns(df: pd.DataFrame) -> None:
    """Column layouts no role can be read from, named with the fix."""
    if isinstance(df.columns, pd.MultiIndex):
        raise FeedmineError("the table has MultiIndex (several-level) columns; flatten them first, e.g. "
                            "df.columns = ['_'.join(map(str, c)) for c in df.columns].")
    names = pd.Index(map(str, df.columns))
    if names.has_duplicates:
        dup = sorted(set(names[names.duplicated()]))
        raise FeedmineError(f"the table has duplicate column names: {', '.join(map(repr, dup))}. Give each "
                            "column its own name (in a file: a unique header row).")


#: the group of rows whose ``by`` column is empty
MISSING_GROUP = "(missing)"

_SURROGATE = re.compile("[\ud800-\udfff]")


def _without_surrogates(df: pd.DataFrame) -> pd.DataFrame:
    """Lone UTF-16 surrogates (from a broken decode, or Python strings built by hand) cannot be written
    as UTF-8 by any output, nor held by a pandas string column; each becomes U+FFFD, the replacement
    character, with a warning. The caller's table is not changed (a shallow copy is)."""
    n, corpus = 0, None
    for col in df.columns:
        if df[col].dtype != object:
            continue
        values = df[col].to_numpy(dtype=object)
        hit = [i for i, v in enumerate(values) if isinstance(v, str) and _SURROGATE.search(v)]
        if hit:
            values = values.copy()
            for i in hit:
                values[i] = _SURROGATE.sub("\ufffd", values[i])
            corpus = df.copy(deep=False) if corpus is None else corpus
            corpus[col] = pd.Series(values, index=df.index, dtype=object)
            n += len(hit)
    if n:
        logger.warning("%d cells hold lone surrogate characters (not valid Unicode text); each is replaced "
                       "by U+FFFD", n)
    return df if corpus is None else corpus


#: magnitudes past which a number is an export error, not a rating / a customer value
RATING_LIMIT = 1e6
VALUE_LIMIT = 1e15


def _to_numeric(values: pd.Series, col: str, role: str = "rating") -> pd.Series:
    numeric = pd.to_numeric(values, errors="coerce")
    bad = numeric.isna() & values.notna() & (values.astype(str).str.strip() != "")
    if bad.any() and not numeric.notna().any():  # words (and blanks) only, no number at all
        what = "stars, NPS 0–10 or another numeric score" if role == "rating" else "numbers (revenue, plan price)"
        raise FeedmineError(f"{role} column {col!r} has no numeric values (e.g. {values.dropna().iloc[0]!r}). "
                            f"Pass a column of {what}.")
    if bad.any():
        logger.warning("%s column %r: %d non-numeric values treated as missing", role, col, int(bad.sum()))
    numeric = numeric.astype(float)
    infinite = np.isinf(numeric.to_numpy())
    if infinite.any():  # an infinite value would make every mean it enters (and the priority) inf or NaN
        logger.warning("%s column %r: %d infinite values treated as missing", role, col, int(infinite.sum()))
        numeric = numeric.mask(infinite)
    # a rating beyond a million or a customer value beyond 10^15 is an export error, and 1e308 would
    # overflow every sum it enters (the theme's mean, its priority)
    limit = RATING_LIMIT if role == "rating" else VALUE_LIMIT
    huge = numeric.abs() > limit
    if huge.any():
        logger.warning("%s column %r: %d values beyond ±%g treated as missing (e.g. %r)", role, col,
                       int(huge.sum()), limit, float(numeric[huge].iloc[0]))
        numeric = numeric.mask(huge)
    if role == "rating" and (numeric < 0).any():
        logger.warning("rating column %r: %d negative ratings; stars and NPS are 0 or more (pass "
                       "rating_scale='score' if yours can be negative)", col, int((numeric < 0).sum()))
    return numeric
