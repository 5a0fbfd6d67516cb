"""Spark and Dask assign: the distributed output equals the single-process assign, row for row.

A real local Spark session (pyspark, local[2], Java 17) and a real Dask LocalCluster (two worker
processes); the model is a small TF-IDF one so that the tests take seconds, not the embedder's minutes.
"""
from __future__ import annotations

import math
import os
import shutil
import sys

import numpy as np
import pandas as pd
import pytest

import feedmine as fm
from feedmine import distributed
from feedmine.embed import TfidfEmbedder
from feedmine.errors import FeedmineError

TOPICS = {
    "crash": ["the app crashes when I open {}", "it crashed again after opening {}", "crash on start with {}"],
    "refund": ["I want a refund for {}", "refund for {} never came", "still waiting on my {} refund"],
    "login": ["cannot log in to {}", "login fails on {} every time", "{} says wrong password at login"],
    "배송": ["{} 배송이 너무 느려요", "{} 택배가 아직 안 왔어요", "{} 배송 언제 와요"],
}
WORDS = ["my phone", "the tablet", "the web page", "settings", "the shop", "checkout", "profile", "photos"]


def table(n_extra: int = 0) -> pd.DataFrame:
    texts = [t.format(w) for forms in TOPICS.values() for t in forms for w in WORDS]
    rng = np.random.RandomState(1)
    texts += [f"{rng.choice(['good', 'bad', 'ok'])} {rng.choice(WORDS)} {i}" for i in range(n_extra)]
    texts += ["", None, 42, "the app crashes when I open my phone"]  # empty, missing, not text, duplicate
    return pd.DataFrame({"ticket": [f"t{i:04d}" for i in range(len(texts))], "body": texts,
                         "stars": [float(1 + i % 5) for i in range(len(texts))]})


@pytest.fixture(scope="module")
def model():
    return fm.Pipeline(embedder=TfidfEmbedder(n_components=16), random_state=0, progress=False).fit(
        table(), text="body", id="ticket", rating="stars")


def _same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    """Equal row for row (by id), value for value; missing values of any spelling are one."""
    a = a.sort_values("id").reset_index(drop=True)
    b = b.sort_values("id").reset_index(drop=True)
    assert list(a.columns) == list(b.columns)
    assert a["id"].tolist() == b["id"].tolist()
    for col in a.columns:
        for x, y in zip(a[col], b[col]):
            x, y = _norm(x), _norm(y)
            # scores are dot products in float32, which BLAS sums in an order that depends on the batch's
            # shape: equal to ~1e-8, not bit for bit (seen with numpy 2.4's OpenBLAS); all else is exact
            if isinstance(x, float) and isinstance(y, float):
                assert math.isclose(x, y, rel_tol=1e-6, abs_tol=1e-9), (col, x, y)
            else:
                assert x == y, (col, x, y)


def _norm(v):
    if isinstance(v, (list, tuple, np.ndarray)):
        return tuple(_norm(x) for x in v)
    if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
        return None
    if isinstance(v, (float, np.floating)):
        return float(v)
    if isinstance(v, (np.integer, np.bool_)):
        return v.item()
    if isinstance(v, dict):
        return tuple(sorted((k, _norm(x)) for k, x in v.items()))
    return v


def test_rows_out_equal_the_single_process_assign(model):
    new = table(40)
    alone = distributed.assign_rows(model, new, text="body", id="ticket", rating="stars")
    expected = model.assign(new, text="body", id="ticket", rating="stars").documents
    assert len(alone) == len(new)
    assert not set(distributed.TABLE_WIDE) & set(alone.columns)
    _same(alone, expected.drop(columns=[c for c in distributed.TABLE_WIDE if c in expected]))


def test_model_travels_as_verified_bytes(model):
    blob = distributed.model_bytes(model)
    assert "model.json" in blob and not any(k.startswith("result/") for k in blob)
    assert all(k.rsplit(".", 1)[-1] in ("json", "npz", "parquet") for k in blob)
    loaded = distributed.model_from_bytes(blob, fm.Pipeline)
    assert loaded is distributed.model_from_bytes(dict(blob), fm.Pipeline)  # loaded once per process
    assert loaded.result_ is None
    bad = dict(blob)
    bad["arrays.npz"] = bad["arrays.npz"][:-10]
    with pytest.raises(FeedmineError):
        distributed.model_from_bytes(bad, fm.Pipeline)


def test_id_is_required_and_columns_are_named(model):
    with pytest.raises(FeedmineError, match="id="):
        distributed._check(model, {"text": "body"}, ["body", "ticket"])
    with pytest.raises(FeedmineError, match="the table has: body, ticket"):
        distributed._check(model, {"text": "text", "id": "ticket"}, ["body", "ticket"])


def test_combine_scores_themes_over_all_rows(model):
    new = table(40)
    rows = distributed.assign_rows(model, new, text="body", id="ticket", rating="stars")
    parts = [rows.iloc[i::3] for i in range(3)]
    shuffled = pd.concat(parts, ignore_index=True)  # partitions come back in any order
    result = distributed.combine(model, shuffled)
    reference = model.assign(new, text="body", id="ticket", rating="stars")
    assert len(result.documents) == len(new)
    got = result.themes.set_index("theme_id")["size"].sort_index()
    want = reference.themes.set_index("theme_id")["size"].sort_index()
    assert got.to_dict() == want.to_dict()
    dup = result.documents.set_index("id")["duplicate_of"]
    assert dup[f"t{len(new) - 1:04d}"] == "t0000"  # the pasted copy points at the first one
    assert "priority" in result.themes


def _java() -> bool:
    return shutil.which("java") is not None or bool(os.environ.get("JAVA_HOME"))


@pytest.fixture(scope="module")
def spark():
    import pyspark.sql  # feedmine[test] installs it (feedmine[spark] for users)

    if not _java():
        pytest.fail("Java is needed for the Spark test (the CI machine has Java 17)")
    # Spark's Python workers must run this interpreter (with pandas), not the first python3 on PATH
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    session = (pyspark.sql.SparkSession.builder.master("local[2]").appName("feedmine-test")
               .config("spark.ui.enabled", "false")
               .config("spark.pyspark.python", sys.executable).config("spark.sql.shuffle.partitions", "4")
               .config("spark.sql.execution.arrow.pyspark.enabled", "true").getOrCreate())
    yield session
    session.stop()


def test_spark_assign_equals_single_process(model, spark):
    new = table(200)
    new["body"] = new["body"].map(lambda v: None if v is None else str(v))  # Spark columns have one type
    sdf = spark.createDataFrame(new).repartition(5)
    out = distributed.spark_assign(model, sdf, text="body", id="ticket", rating="stars")
    got = out.toPandas()
    expected = distributed.assign_rows(model, new, text="body", id="ticket", rating="stars")
    assert len(got) == len(new) and got["id"].is_unique
    _same(got, expected)
    result = distributed.combine(model, got)
    assert result.themes["size"].sum() >= (result.documents["theme_id"] >= 0).sum()


def test_dask_assign_equals_single_process(model):
    import dask.dataframe as dd  # feedmine[test] installs it (feedmine[dask] for users)
    from dask.distributed import Client, LocalCluster

    new = table(200)
    new["body"] = new["body"].map(lambda v: None if v is None else str(v))
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            Client(cluster):
        ddf = dd.from_pandas(new, npartitions=6)
        got = distributed.dask_assign(model, ddf, text="body", id="ticket", rating="stars").compute()
    expected = distributed.assign_rows(model, new, text="body", id="ticket", rating="stars")
    assert len(got) == len(new)
    _same(got, expected)
