"""Spark and Dask beside the single process: 100,000 rows assigned with 1 and 2 local workers.

The model: the fast tier fitted on 20,000 of the rows (``real_pairs``, as benchmarks/scale.py), on the
driver. Then the same 100,000 rows are assigned five ways, each timed from the call to the last row
collected: ``model.assign`` in this process; ``spark_assign`` on a local Spark session with 1 and with
2 cores (``local[1]``, ``local[2]``); ``dask_assign`` on a Dask LocalCluster of 1 and of 2 worker
processes. Every distributed output is checked against the single-process one, row for row (theme,
confidence, sentiment, severity).

Run:  python benchmarks/distributed_assign.py [rows fitted_rows [spark|dask]]   (default 100000 20000: about 40 minutes on 2
      cores; needs feedmine[spark,dask])
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import RESULTS, write_results  # noqa: E402
from fast_tier import real_pairs  # noqa: E402

import feedmine as fm  # noqa: E402
from feedmine import distributed  # noqa: E402

N, FIT = (int(a) for a in sys.argv[1:3]) if len(sys.argv) > 2 else (100_000, 20_000)
CHECKED = ["theme_id", "theme_confidence", "sentiment", "severity"]


def _same(got: pd.DataFrame, want: pd.DataFrame) -> bool:
    a = got.set_index("id").loc[want["id"], CHECKED].reset_index(drop=True)
    b = want[CHECKED].reset_index(drop=True)
    for c in CHECKED:
        if pd.api.types.is_numeric_dtype(a[c]) and pd.api.types.is_numeric_dtype(b[c]):
            if not np.allclose(a[c].astype(float).fillna(-9), b[c].astype(float).fillna(-9)):
                return False
        elif not (a[c].astype(str) == b[c].astype(str)).all():
            return False
    return True


def main() -> int:
    table = pd.DataFrame({"id": [f"r{i}" for i in range(N)], "text": real_pairs(N, seed=2)})
    model = fm.Pipeline(embedder="fast", random_state=0, progress=False).fit(table.iloc[:FIT], text="text", id="id")
    out = {"rows": N, "fitted_on": FIT}
    t0 = time.perf_counter()
    want = distributed.assign_rows(model, table, text="text", id="id")
    out["single_process"] = {"seconds": round(time.perf_counter() - t0, 1)}
    print(out, flush=True)

    import os

    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)  # the workers run this interpreter

    # (named distributed_assign.py: a script called distributed.py shadows dask's "distributed" package)
    only = sys.argv[3] if len(sys.argv) > 3 else "both"
    for cores in ((1, 2) if only in ("both", "spark") else ()):
        spark = (SparkSession.builder.master(f"local[{cores}]").appName("feedmine-bench")
                 .config("spark.ui.enabled", "false")
                 .config("spark.pyspark.python", sys.executable).config("spark.driver.memory", "6g")
                 .config("spark.sql.execution.arrow.pyspark.enabled", "true").getOrCreate())
        sdf = spark.createDataFrame(table).repartition(cores * 4)
        t0 = time.perf_counter()
        got = distributed.spark_assign(model, sdf, text="text", id="id").toPandas()
        out[f"spark_local[{cores}]"] = {"seconds": round(time.perf_counter() - t0, 1), "rows": len(got),
                                        "equal_to_single_process": _same(got, want)}
        spark.stop()
        print(out, flush=True)

    import dask.dataframe as dd
    from dask.distributed import Client, LocalCluster

    for workers in ((1, 2) if only in ("both", "dask") else ()):
        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
                          memory_limit="8GiB") as cluster, Client(cluster):
            ddf = dd.from_pandas(table, npartitions=workers * 4)
            t0 = time.perf_counter()
            got = distributed.dask_assign(model, ddf, text="text", id="id").compute()
            out[f"dask_{workers}_workers"] = {"seconds": round(time.perf_counter() - t0, 1), "rows": len(got),
                                              "equal_to_single_process": _same(got, want)}
        print(out, flush=True)
    path = RESULTS / "distributed.json"
    previous = json.loads(path.read_text()) if path.exists() else {}
    if previous.get("rows") == out["rows"]:  # a spark-only or dask-only run adds to the other's
        out = {**previous, **out}
    write_results("distributed", out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
