"""The interactive report (plotly charts, sortable and searchable tables) and the theme map: scripts
only by hash, chart data escaped, every theme in the tables, a map place that does not depend on the batch."""

from __future__ import annotations

import base64
import hashlib
import html as htmllib
import json
import re

import numpy as np
import pandas as pd
import pytest

from feedmine.errors import FeedmineError
from feedmine.report import interactive
from feedmine.report.html import render_report
from feedmine.result.result import Result
from feedmine.themes.theme_map import ThemeLayout, theme_positions

from test_report import HOSTILE, IMG, SCRIPT, make_result

pytest.importorskip("plotly")  # in the test extra; the plain report is tested in test_report.py

SCRIPT_BLOCK = re.compile(r"<script>(.*?)</script>", re.S)


def with_map(r: Result) -> Result:
    docs = r.documents.copy()
    analysed = docs["skip_reason"].isna()
    docs["map_x"] = np.where(analysed, np.linspace(-1, 1, len(docs)), np.nan)
    docs["map_y"] = np.where(analysed, np.linspace(1, -1, len(docs)), np.nan)
    docs["channel"] = ["app", "web", f"{SCRIPT}", 'javascript:alert(1)'] * 4
    docs["date"] = pd.date_range("2024-01-01", periods=len(docs), freq="5D")
    return Result(documents=docs, themes=r.themes, config=r.config, meta=r.meta)


@pytest.fixture(scope="module")
def page() -> str:
    return render_report(with_map(make_result()), interactive=True)


def without_scripts(page: str) -> str:
    return SCRIPT_BLOCK.sub("", page)


def test_exactly_the_two_constant_scripts_run_and_the_csp_names_them_by_hash(page):
    blocks = SCRIPT_BLOCK.findall(page)
    assert blocks == list(interactive.scripts())
    csp = htmllib.unescape(re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page).group(1))
    hashes = re.findall(r"'sha256-([^']+)'", csp)
    assert hashes == [base64.b64encode(hashlib.sha256(b.encode()).digest()).decode() for b in blocks]
    assert "default-src 'none'" in csp and "unsafe-eval" not in csp and "'unsafe-inline'" not in csp.split("style-src")[0]
    rest = without_scripts(page)
    assert "<script" not in rest.lower() and not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", rest)


@pytest.mark.parametrize("payload", HOSTILE + ("javascript:alert(1)",))
def test_hostile_text_is_escaped_in_the_page_and_in_the_chart_data(page, payload):
    rest = without_scripts(page)
    if payload.startswith("javascript:"):
        assert 'href="javascript:' not in rest
    else:
        assert payload not in rest
    for attr in re.findall(r'data-figure="([^"]*)"', rest):
        figure = json.loads(htmllib.unescape(attr))  # what report.js hands to plotly
        strings = _strings(figure["data"]) + _strings(figure["layout"])
        # plotly renders a subset of HTML in text: it must only ever see entities
        assert not any(re.search(r"<(script|img|a|svg|/svg)\b", s, re.I) for s in strings)


def _strings(obj) -> list[str]:
    if isinstance(obj, str):
        return [obj]
    if isinstance(obj, dict):
        return [s for v in obj.values() for s in _strings(v)]
    if isinstance(obj, list):
        return [s for v in obj for s in _strings(v)]
    return []


def test_charts_come_in_reading_order_with_what_the_data_allows(page):
    ids = re.findall(r'<div class="fm-chart" id="chart-([^"]+)"', page)
    assert ids == ["matrix", "trends", "segments-channel", "theme-map"]
    years = with_map(make_result())
    years.documents["date"] = pd.date_range("2003-01-01", periods=len(years.documents), freq="300D")
    months = render_report(years, interactive=True)  # a span of years: trends by month
    assert re.findall(r'<div class="fm-chart" id="chart-([^"]+)"', months) == ids
    plain = render_report(make_result(), interactive=True)  # no dates, no channel, no map
    assert re.findall(r'<div class="fm-chart" id="chart-([^"]+)"', plain) == ["matrix"]


def test_theme_tables_hold_one_row_per_theme_with_sort_values(page):
    r = make_result()
    rows = re.findall(r'<tr data-size="([^"]*)">', page)
    assert len(rows) == len(r.pain_points)
    assert sorted(float(s) for s in rows) == sorted(r.pain_points["size"].astype(float))
    assert page.count('<button type="button">') >= 11 and 'id="fm-search"' in page
    pain = page[page.index('id="pain-table"'):page.index("</table>", page.index('id="pain-table"'))]
    priorities = [float(v) for v in re.findall(r'<td class="num" data-v="([^"]+)"><b>', pain)]
    assert priorities == sorted(priorities, reverse=True)  # ranked by priority until a user sorts


def test_plain_report_has_no_script_and_no_sort_buttons():
    out = render_report(with_map(make_result()), interactive=False)
    assert "<script" not in out and "<button" not in out and "data-figure" not in out
    assert interactive.PLAIN_CSP in htmllib.unescape(out)


def test_without_plotly_the_default_is_the_plain_report_and_asking_for_charts_says_how(monkeypatch):
    monkeypatch.setattr(interactive, "available", lambda: False)
    assert "<script" not in render_report(make_result())
    with pytest.raises(FeedmineError, match=r"feedmine\[plot\]"):
        render_report(make_result(), interactive=True)


def test_theme_map_plot_shows_masked_text_escaped_and_needs_the_columns():
    fig = with_map(make_result()).plot.theme_map()
    texts = [t for trace in fig.data for t in trace.text]
    assert any(htmllib.escape(SCRIPT) in t for t in texts) and not any("<script" in t for t in texts)
    n_points = sum(len(trace.x) for trace in fig.data)
    assert n_points == int(make_result().documents["skip_reason"].isna().sum())
    with pytest.raises(FeedmineError, match="map_x"):
        make_result().plot.theme_map()
    assert IMG  # (the quotes with IMG are checked on the page above)


def test_an_items_map_place_does_not_depend_on_its_batch():
    rng = np.random.default_rng(0)
    C = rng.normal(size=(12, 32))
    C /= np.linalg.norm(C, axis=1, keepdims=True)
    layout = ThemeLayout.of(np.arange(12), C)
    Z = C[rng.integers(0, 12, 300)] + rng.normal(0, 0.2, (300, 32))
    Z /= np.linalg.norm(Z, axis=1, keepdims=True)
    whole = layout.place(Z)
    parts = np.vstack([layout.place(Z[:7]), layout.place(Z[7:150]), layout.place(Z[150:])])
    np.testing.assert_array_equal(whole, parts)
    np.testing.assert_array_equal(theme_positions(C), theme_positions(C))  # seeded: the same map again
    # an item sits nearer its own theme's position than the average item does
    own = np.argmax(Z @ C.T, axis=1)
    d_own = np.linalg.norm(whole - layout.positions[own], axis=1).mean()
    d_any = np.linalg.norm(whole[:, None, :] - layout.positions[None], axis=2).mean()
    assert d_own < 0.5 * d_any


def test_map_with_one_theme_or_none():
    one = ThemeLayout.of(np.array([0]), np.ones((1, 4)) / 2)
    assert np.all(one.place(np.ones((3, 4)) / 2) == 0)
    none = ThemeLayout.of(np.zeros(0, dtype=int), np.zeros((0, 4)))
    assert np.isnan(none.place(np.ones((2, 4)))).all()
