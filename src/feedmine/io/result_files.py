"""A result's tables on disk: Parquet to load back, CSV to read, JSON for config and facts.

Written through :func:`~feedmine.io.store.atomic_folder` and read back through its manifest, so a
half-written or edited folder is an error, not a mix. Folders from before manifests (format 1) still
load, with a warning that they cannot be verified.
"""
from __future__ import annotations

import json
import logging
import math
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import FeedmineError
from ..schema import LIST_COLUMNS
from .exports import write_csv
from .store import MANIFEST, atomic_folder, read_manifest

logger = logging.getLogger(__name__)

RESULT_KIND = "feedmine-result"
#: 1: no manifest; 2: manifest with checksums
RESULT_FORMAT = 2
NEEDED = ("documents.parquet", "themes.parquet", "config.json", "meta.json")


def save_result(path: Any, documents: pd.DataFrame, themes: pd.DataFrame, sentences: pd.DataFrame | None,
                config: dict, meta: dict, themes_csv: pd.DataFrame) -> Path:
    """Write a result's tables into folder ``path`` atomically (see :mod:`feedmine.io.store`)."""
    with atomic_folder(path, RESULT_KIND, RESULT_FORMAT) as tmp:
        write_result(tmp, documents, themes, sentences, config, meta, themes_csv)
    return Path(path)


def write_result(folder: Path, documents: pd.DataFrame, themes: pd.DataFrame, sentences: pd.DataFrame | None,
                 config: dict, meta: dict, themes_csv: pd.DataFrame) -> None:
    """The files of a result, into an existing folder (a saved model holds one in its ``result/``)."""
    docs = documents.copy()
    # the raw cell may be any type (that is why it was skipped); Parquet needs one type per column
    # (a missing cell stays None rather than becoming the string "nan")
    docs["text"] = pd.Series([_raw_cell(v) for v in docs["text"]], index=docs.index, dtype=object)
    docs = _one_type_per_column(docs)
    themes = _one_type_per_column(themes)
    docs.to_parquet(folder / "documents.parquet", index=False)
    themes.to_parquet(folder / "themes.parquet", index=False)
    # CSV for people and spreadsheets: BOM for Excel's Korean, no cell that runs as a formula
    write_csv(docs, folder / "documents.csv")
    write_csv(themes_csv, folder / "themes.csv")
    if sentences is not None:
        sentences.to_parquet(folder / "sentences.parquet", index=False)
        write_csv(sentences, folder / "sentences.csv")
    (folder / "config.json").write_text(json.dumps(config, indent=2, default=str, ensure_ascii=False), encoding="utf-8")
    meta = dict(meta, format_version=RESULT_FORMAT)
    (folder / "meta.json").write_text(json.dumps(meta, indent=2, default=str, ensure_ascii=False), encoding="utf-8")


def read_result(path: Any, verified: bool = False) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame | None, dict, dict]:
    """(documents, themes, sentences or None, config, meta) of a folder written by :func:`save_result`;
    ``verified``: its files were checked already (a saved model's manifest covers its ``result/``)."""
    folder = Path(path)
    if not verified:
        _verify(folder)
    documents = read_frame(folder / "documents.parquet")
    themes = read_frame(folder / "themes.parquet")
    for col in LIST_COLUMNS:
        if col in themes:
            themes[col] = themes[col].map(lambda v: list(v) if v is not None else [])
    if "theme_ids" in documents:
        documents["theme_ids"] = documents["theme_ids"].map(lambda v: [int(t) for t in v] if v is not None else [])
    sentences = read_frame(folder / "sentences.parquet") if (folder / "sentences.parquet").exists() else None
    config, meta = _read_json(folder / "config.json"), _read_json(folder / "meta.json")
    if meta.get("format_version", 0) > RESULT_FORMAT:
        raise FeedmineError(f"result in {str(folder)!r} was saved by a newer feedmine (format "
                            f"{meta['format_version']}); upgrade feedmine to load it.")
    return documents, themes, sentences, config, meta


def _verify(folder: Path) -> None:
    if (folder / MANIFEST).is_file():
        read_manifest(folder, RESULT_KIND, RESULT_FORMAT)
        return
    missing = [n for n in NEEDED if not (folder / n).exists()]
    if missing:
        raise FeedmineError(f"{str(folder)!r} is not a saved feedmine result: missing {', '.join(missing)}. "
                            "Pass the folder given to Result.save().")
    logger.warning("%s was saved without a manifest (an older feedmine); its files cannot be verified", folder)


def _one_type_per_column(table: pd.DataFrame) -> pd.DataFrame:
    """Metadata columns that mix types (1, "two", 3.5 in one segment column) written as text: Parquet
    holds one type per column, and a save must not fail after a successful analysis."""
    import pyarrow as pa

    out = table
    for col in table.columns:
        if table[col].dtype != object:
            continue
        try:
            pa.array(table[col], from_pandas=True)
        except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
            out = table.copy() if out is table else out
            out[col] = pd.Series([_raw_cell(v) if not isinstance(v, str) else v for v in table[col]],
                                 index=table.index, dtype=object)
            logger.info("column %r mixes types; saved as text", col)
    return out


def _raw_cell(v: Any) -> str | None:
    if v is None or isinstance(v, str):
        return v
    if v is pd.NA or v is pd.NaT or (isinstance(v, float) and math.isnan(v)):
        return None
    return repr(v)


def _read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise FeedmineError(f"cannot read {path.name} in {str(path.parent)!r}: {err}. Save the result again.") from None


def read_frame(path: Path) -> pd.DataFrame:
    """Read a frame written by :func:`write_result`, restoring object columns of strings and None.

    pandas ≥ 3 reads every string column back with its ``str`` dtype, which turns None into NaN
    (``skip_reason is None`` would no longer hold after a round trip); the column's saved dtype is in
    the file's pandas metadata.
    """
    import pyarrow.parquet as pq

    try:
        df = pd.read_parquet(path)
        saved = (pq.read_schema(path).pandas_metadata or {}).get("columns", [])
    except (OSError, ValueError) as err:  # pyarrow's ArrowInvalid is a ValueError
        raise FeedmineError(f"cannot read {path.name} in {str(path.parent)!r}: {err}. Save it again.") from None
    for col in (c["name"] for c in saved if c.get("numpy_type") == "object"):
        if col in df and col not in LIST_COLUMNS and df[col].dtype != object:
            values = df[col].astype(object)
            df[col] = pd.Series(values.where(df[col].notna(), None).to_numpy(dtype=object), index=df.index,
                                dtype=object)
    return df
