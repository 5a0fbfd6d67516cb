"""Assign beyond one machine: Spark and Dask run a fitted model's ``assign`` on every partition.

The themes are learned once, on the driver, from a sample (:class:`~feedmine.Pipeline` fits a sample of
``fit_sample`` rows of a long table by itself); the workers only place rows in those themes, which is a
function of each row and the model alone, so a row's theme, confidence and tags are the same whichever
partition it lands in — the distributed output equals the single-process :meth:`Pipeline.assign`,
row for row (tested on a local Spark session and a Dask LocalCluster).

How the model travels: as the bytes of its saved folder (JSON, .npz, Parquet; no pickle of the model),
broadcast once; each worker process writes them to a temporary folder, loads them with every file
verified, and keeps the loaded model for the partitions that follow.

What needs the whole table is not done per partition: the exact and near-duplicate links and the
agreement votes of replies (:data:`TABLE_WIDE`) are left out of the per-row output, and
:func:`combine` — on the driver, with the collected per-row output — links exact duplicates again and
scores the themes (size, impact, priority and the evidence) over all rows.

Example (needs pyspark and Java; ``pip install 'feedmine[spark]'``)::

    import feedmine as fm
    from feedmine.distributed import spark_assign, combine
    model = fm.Pipeline(embedder="fast").fit(spark_df.sample(0.05).toPandas(), text="body", id="ticket")
    rows = spark_assign(model, spark_df, text="body", id="ticket")      # a Spark DataFrame
    rows.write.parquet("assigned/")
    result = combine(model, rows.toPandas())                            # themes scored over every row
"""
from __future__ import annotations

from typing import Any

import pandas as pd

from .errors import FeedmineError
from .pipeline.model import Pipeline
from .pipeline.transport import model_bytes, model_from_bytes
from .result import Result

__all__ = ["TABLE_WIDE", "assign_rows", "combine", "dask_assign", "model_bytes", "model_from_bytes", "spark_assign"]

#: per-row columns that depend on the rest of the table (left out per partition; see :func:`combine`)
TABLE_WIDE = ("duplicate_of", "near_duplicate_of", "near_duplicate_group_size", "agreement_vote")

def assign_rows(model: Any, rows: pd.DataFrame, **columns: Any) -> pd.DataFrame:
    """The per-row output of ``model.assign(rows, **columns)``: ``documents`` without :data:`TABLE_WIDE`."""
    documents = model.assign(rows, **columns).documents
    return documents.drop(columns=[c for c in TABLE_WIDE if c in documents]).reset_index(drop=True)


def _assign_blob(rows: pd.DataFrame, blob: dict[str, bytes], columns: dict[str, Any],
                 empty: pd.DataFrame) -> pd.DataFrame:
    if not len(rows):
        return empty
    out = assign_rows(model_from_bytes(blob, Pipeline), rows, **columns)
    return out.astype({c: empty[c].dtype for c in empty.columns if str(empty[c].dtype) != "object"})


def _check(model: Any, columns: dict[str, Any], available: list[str]) -> dict[str, Any]:
    if not hasattr(model, "stages_"):
        raise FeedmineError("the model is not fitted: fit it on a sample on the driver first "
                            "(model = feedmine.Pipeline(...).fit(sample, text=..., id=...)).")
    columns = {k: v for k, v in columns.items() if v is not None}
    if "id" not in columns:
        raise FeedmineError("pass id=<a column of unique ids>: made row numbers would repeat in every partition.")
    missing = [v for k, v in columns.items() if k != "encoding" and isinstance(v, str) and v not in available]
    if missing:
        raise FeedmineError(f"column(s) {missing} not found; the table has: {', '.join(map(str, available))}.")
    return columns


def _template(model: Any, sample: pd.DataFrame, columns: dict[str, Any]) -> pd.DataFrame:
    """An empty frame with the output's columns and types, from assigning a few rows on the driver."""
    if not len(sample):
        raise FeedmineError("the table is empty: there is nothing to assign.")
    return assign_rows(model, sample, **columns).iloc[:0]


def spark_assign(model: Any, spark_df: Any, text: str = "text", id: str | None = None, **columns: Any) -> Any:
    """``model.assign`` on every partition of ``spark_df`` (``mapInPandas``); a Spark DataFrame of the
    per-row output (:func:`assign_rows`), in no particular order. ``columns``: the other column
    arguments of :func:`feedmine.analyze` (``rating=``, ``date=`` …)."""
    try:
        from pyspark.sql.pandas.types import from_arrow_schema
    except ImportError as exc:
        raise FeedmineError("spark_assign needs pyspark: pip install 'feedmine[spark]'") from exc
    import pyarrow as pa

    columns = _check(model, {"text": text, "id": id, **columns}, list(spark_df.columns))
    empty = _template(model, spark_df.limit(20).toPandas(), columns)
    schema = pa.Schema.from_pandas(empty, preserve_index=False)
    schema = pa.schema([f.with_type(pa.string()) if pa.types.is_null(f.type) else f for f in schema])
    blob = spark_df.sparkSession.sparkContext.broadcast(model_bytes(model))

    def run(batches):
        for rows in batches:
            yield _assign_blob(rows, blob.value, columns, empty)

    return spark_df.mapInPandas(run, schema=from_arrow_schema(schema))


def dask_assign(model: Any, dask_df: Any, text: str = "text", id: str | None = None, **columns: Any) -> Any:
    """``model.assign`` on every partition of ``dask_df`` (``map_partitions``); a Dask DataFrame of the
    per-row output (:func:`assign_rows`), partitions in their order. The model's bytes are one task of
    the graph, so each worker receives them once."""
    try:
        import dask
    except ImportError as exc:
        raise FeedmineError("dask_assign needs dask: pip install 'feedmine[dask]'") from exc
    columns = _check(model, {"text": text, "id": id, **columns}, list(dask_df.columns))
    empty = _template(model, dask_df.head(20, npartitions=-1), columns)
    blob = dask.delayed(model_bytes(model), pure=True)
    return dask_df.map_partitions(_assign_blob, blob, columns, empty, meta=empty, enforce_metadata=False)


def combine(model: Any, rows: pd.DataFrame) -> Result:
    """A :class:`~feedmine.Result` over every collected row of :func:`spark_assign` / :func:`dask_assign`:
    exact duplicates linked again (the first by ``rows``' order) and the themes scored over all rows.
    Near duplicates and agreement votes are not recomputed (their columns stay out)."""
    from sklearn.base import clone

    from .analysis.theme_table import finish_themes
    from .schema import memberships
    from .text.normalize import first_occurrences

    if not hasattr(model, "stages_"):
        raise FeedmineError("combine needs the fitted model the rows were assigned with.")
    documents = rows.reset_index(drop=True).copy()
    documents["duplicate_of"] = pd.Series(first_occurrences(
        documents["text_clean"].fillna(""), documents["id"].astype(str), documents["skip_reason"].isna()), dtype=object)
    themes = model._batch_themes({})  # the known themes and the unassigned row, as assign reports them
    fitted = model.themes_.set_index("theme_id")
    for col in ("quotes", "quote_ids"):  # quoted as at fit: the typical items are not collected here
        themes[col] = [list(fitted[col].get(t, [])) if t in fitted.index else [] for t in themes["theme_id"]]
    members = memberships(documents)
    themes, _ = finish_themes(themes, documents, members, model.tightness_,
                              clone(model.stages_["scorer"], safe=False))
    analysed = documents["theme_id"].dropna()
    meta = {"mode": "distributed", "model_fingerprint": model.fingerprint_, "n_items": int(len(documents)),
            "n_analysed": int(len(analysed)), "n_themes": int((themes["theme_id"] >= 0).sum()),
            "n_exact_duplicates": int(documents["duplicate_of"].notna().sum()),
            "unassigned_share": float((analysed == -1).mean()) if len(analysed) else 0.0}
    return Result(documents=documents, themes=themes, config=model._config(), meta=meta)
