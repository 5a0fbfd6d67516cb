"""result.plot: plotly figures of the result's own numbers, with untrusted text escaped."""
import numpy as np
import pandas as pd
import pytest

from feedmine.errors import FeedmineError
from feedmine.result.plots import plain
from test_report import IMG, SCRIPT, make_result

go = pytest.importorskip("plotly.graph_objects")


@pytest.fixture(scope="module")
def result():
    r = make_result()
    docs = r.documents.copy()
    docs["channel"] = ["app", f"web {SCRIPT}"] * (len(docs) // 2) + ["app"] * (len(docs) % 2)
    return type(r)(documents=docs, themes=r.themes, config=r.config, meta=r.meta)


def _strings(fig) -> list[str]:
    out = []
    for trace in fig.data:
        for key in ("text", "x", "y", "name"):
            values = getattr(trace, key, None)
            if values is None:
                continue
            out.extend(str(v) for v in (values if isinstance(values, (list, tuple, np.ndarray)) else [values]))
    return out


def test_priority_matrix_plots_every_pain_point_with_its_numbers(result):
    fig = result.plot.priority_matrix()
    trace = fig.data[0]
    pain = result.pain_points
    assert list(trace.x) == pain["frequency"].tolist() and list(trace.y) == pain["impact"].tolist()
    assert list(trace.customdata) == pain["theme_id"].tolist()
    sizes = np.asarray(trace.marker.size)
    assert (np.argsort(-sizes, kind="stable") == np.argsort(-pain["size"].to_numpy(), kind="stable")).all()


@pytest.mark.parametrize("view", ["priority_matrix", "theme_shares", "sentiment", "ratings"])
def test_no_raw_markup_reaches_a_figure(result, view):
    fig = getattr(result.plot, view)()
    for s in _strings(fig):
        for bad in (SCRIPT, IMG, "<img", "<script", "<a "):
            assert bad not in s, (view, s)


def test_segments_heatmap_escapes_metadata_values(result):
    fig = result.plot.segments("channel")
    assert any("&lt;script&gt;" in s for s in fig.data[0].x)
    assert not any("<script" in s for s in _strings(fig))


def test_plain_escapes_and_cuts():
    assert plain('<a href="javascript:x">go</a>') == "&lt;a href=&quot;javascript:x&quot;&gt;go&lt;/a&gt;"
    assert plain("x" * 400, 10) == "x" * 9 + "…" and plain(None) == "" and plain(float("nan")) == ""


def test_views_that_need_missing_columns_say_what_to_pass(result):
    docs = result.documents.drop(columns=["rating"])
    bare = type(result)(documents=docs, themes=result.themes, config={}, meta={})
    with pytest.raises(FeedmineError, match="rating="):
        bare.plot.ratings()


def test_trends_draw_one_line_per_top_pain_point(result):
    docs = result.documents.copy()
    docs["date"] = pd.to_datetime("2026-01-05") + pd.to_timedelta(np.arange(len(docs)) % 3 * 7, unit="D")
    dated = type(result)(documents=docs, themes=result.themes, config={}, meta={})
    fig = dated.plot.trends("W", top=2)
    assert len(fig.data) == 2
    table = dated.trends("W")
    first = result.pain_points["theme_id"].iloc[0]
    assert list(fig.data[0].y) == table[table["theme_id"] == first]["share"].tolist()
