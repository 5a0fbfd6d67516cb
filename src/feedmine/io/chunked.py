"""Reading only the columns a run uses, chunk by chunk: large exports with bounded memory.

A VOC export often has dozens of columns (agent notes, HTML bodies, tracking fields) beside the one
text column analysed. Read whole, a million such rows can take gigabytes before feedmine keeps a
byte of them; read here, only the named columns are ever held, one chunk of rows at a time
(pandas' ``chunksize`` for CSV, TSV and JSONL; pyarrow's record batches for Parquet). CSV and TSV
cells stay strings, as :func:`feedmine.io.read_table` reads them.

>>> import pandas as pd, tempfile, os
>>> path = os.path.join(tempfile.mkdtemp(), "t.csv")
>>> pd.DataFrame({"id": ["007", "8"], "body": ["앱이 꺼져요", "ok"], "notes": ["x", "y"]}).to_csv(path, index=False)
>>> table = read_columns(path, "csv", ["id", "body", "missing"], ("utf-8",))
>>> table.columns.tolist(), table["id"].tolist(), table.attrs["columns_in_file"]
(['id', 'body'], ['007', '8'], ['id', 'body', 'notes'])
"""
from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd
from tqdm.auto import tqdm

logger = logging.getLogger(__name__)

#: rows read at a time
READ_CHUNK_ROWS = 100_000


def read_columns(path: Path, kind: str, columns: list[str], encodings: tuple[str, ...]) -> pd.DataFrame:
    """The ``columns`` of ``path`` that it has (in the file's order), read in chunks; the names of all
    its columns in ``attrs["columns_in_file"]`` (so a wrong name can be reported with the right list)."""
    path = Path(path)
    if kind == "parquet":
        return _parquet(path, columns)
    if kind == "jsonl":
        return _jsonl(path, columns, encodings[0] if len(encodings) == 1 else "utf-8-sig")
    for n, codec in enumerate(encodings):
        try:
            table = _delimited(path, "\t" if kind == "tsv" else ",", columns, codec)
        except UnicodeDecodeError:
            if n == len(encodings) - 1:
                raise
            continue
        if n:
            logger.warning("%s is not %s; read it as %s. Pass encoding= if that is wrong.", path.name,
                           encodings[0], codec)
        return table
    raise AssertionError("no encoding given")


#: separators tried when a ".csv" file's header holds none of the expected one (European Excel saves ";")
OTHER_SEPARATORS = (";", "\t", "|")


def separator(path: Path, sep: str, codec: str) -> str:
    """``sep``, or the separator the file's header line uses instead: a ";"-separated export read with
    "," would be one column holding every field. Only the header decides (text cells may hold ";")."""
    with open(path, encoding=codec, errors="replace", newline="") as f:
        header = f.readline()
    if sep in header:
        return sep
    counts = {other: header.count(other) for other in (",",) + OTHER_SEPARATORS if other != sep}
    best = max(counts, key=lambda k: counts[k])
    if counts[best]:
        logger.warning("%s: the header has no %r but %d %r; read it as %r-separated", path.name, sep,
                       counts[best], best, best)
        return best
    return sep


def _delimited(path: Path, sep: str, columns: list[str], codec: str) -> pd.DataFrame:
    sep = separator(path, sep, codec)
    header = pd.read_csv(path, sep=sep, nrows=0, encoding=codec).columns.map(str).tolist()
    use = [c for c in header if c in set(columns)]
    reader = pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False, na_values=[""], encoding=codec,
                         usecols=use or [header[0]], chunksize=READ_CHUNK_ROWS)
    return _joined(_progress(reader, path), use, header)


def _jsonl(path: Path, columns: list[str], codec: str) -> pd.DataFrame:
    seen: dict[str, None] = {}
    parts = []
    for chunk in _progress(pd.read_json(path, lines=True, dtype=False, encoding=codec,
                                        chunksize=READ_CHUNK_ROWS), path):
        seen.update(dict.fromkeys(map(str, chunk.columns)))
        parts.append(chunk.rename(columns=str).reindex(columns=[c for c in columns if c in chunk.columns]))
    use = [c for c in seen if c in set(columns)]
    return _joined([p.reindex(columns=use) for p in parts], use, list(seen))


def _parquet(path: Path, columns: list[str]) -> pd.DataFrame:
    import pyarrow.parquet as pq

    file = pq.ParquetFile(path)
    header = [str(n) for n in file.schema_arrow.names]
    use = [c for c in header if c in set(columns)]
    batches = file.iter_batches(batch_size=READ_CHUNK_ROWS, columns=use or header[:1])
    return _joined((validated(b).to_pandas() for b in _progress(batches, path, file.metadata.num_rows)), use, header)


def validated(arrow: Any) -> Any:
    """An Arrow table or batch, fully validated: pyarrow does not check a damaged file's strings for
    valid UTF-8 when it reads them, and pandas would fail on them later, far from the file."""
    arrow.validate(full=True)
    return arrow


def _joined(parts, use: list[str], header: list[str]) -> pd.DataFrame:
    frames = list(parts)
    table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=use)
    table = table[use] if use else table.iloc[:, :0]
    table.attrs["columns_in_file"] = header
    return table


def _progress(chunks, path: Path, total: int | None = None):
    """Chunks as they are read, with a bar (rows/s) for files of more than one chunk."""
    big = path.stat().st_size > 50 * 2**20
    with tqdm(total=total, desc=f"read {path.name}", unit="row", disable=not big) as bar:
        for chunk in chunks:
            bar.update(len(chunk) if hasattr(chunk, "__len__") else chunk.num_rows)
            yield chunk
