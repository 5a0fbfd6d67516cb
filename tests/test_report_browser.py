"""The report in a real browser: Debian's chromium, headless, driven by selenium through chromedriver.

The report of the bundled sample (with hostile rows added) loads with no console error and no request
but its own file, its charts are drawn, its pain-point tables hold one row per theme and sort, hostile
text shows as text and runs nothing, and the page does not scroll sideways on a 390 px phone.
Screenshots at 1400 and 390 px go to ``$FEEDMINE_ARTIFACTS`` (CI keeps them; they are not committed).

Needs chromium and chromium-driver (``apt-get install chromium chromium-driver``; ``.ci/run`` installs
them). Without them this module is skipped, except where ``FEEDMINE_BROWSER=required`` (set by CI),
where it fails.
"""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pandas as pd
import pytest

import feedmine as fm

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = next((p for p in (shutil.which("chromium"), shutil.which("chromium-browser"), shutil.which("google-chrome")) if p), None)
DRIVER = shutil.which("chromedriver")
PWN = "window.__pwned = 1"
TEXT_PAYLOADS = (f"앱이 자꾸 꺼져요 <script>{PWN}</script>", f"crashes on launch <img src=x onerror=\"{PWN}\">",
                 f"see <a href=\"javascript:{PWN}\">this link</a> the app crashes")
CHANNEL_PAYLOAD = f"<img src=x onerror=\"{PWN}\">"
LABEL_PAYLOAD = f"<script>{PWN}</script> crash theme"

if CHROMIUM is None or DRIVER is None:
    if os.environ.get("FEEDMINE_BROWSER") == "required":
        raise RuntimeError("FEEDMINE_BROWSER=required but chromium / chromedriver are not installed: "
                           "apt-get install chromium chromium-driver")
    pytest.skip("chromium and chromedriver are not installed (apt-get install chromium chromium-driver)",
                allow_module_level=True)
webdriver = pytest.importorskip("selenium.webdriver")
pytest.importorskip("plotly")


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> tuple[Path, fm.Result]:
    sample = pd.read_csv(ROOT / "data" / "samples" / "reviews_mixed.csv")
    hostile = pd.DataFrame({"review_id": [f"hostile-{i}" for i in range(12)],
                            "text": [TEXT_PAYLOADS[i % 3] + f" ({i})" for i in range(12)],
                            "channel": [CHANNEL_PAYLOAD] * 6 + ["javascript:alert(1)"] * 6})
    table = pd.concat([sample, hostile], ignore_index=True)
    result = fm.analyze(table, text="text", id="review_id", rating="stars", channel="channel", progress=False)
    top = result.themes.index[result.themes["rank"] == 1][0]
    result.themes.loc[top, "label"] = LABEL_PAYLOAD  # in the table, the matrix hover and a card, surely
    path = tmp_path_factory.mktemp("browser") / "report.html"
    result.to_html(path)
    return path, result


@pytest.fixture(scope="module")
def browser():
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,900"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def loaded(browser, report):
    from selenium.webdriver.support.ui import WebDriverWait

    path, _ = report
    browser.set_window_size(1400, 900)
    browser.get(path.as_uri())
    WebDriverWait(browser, 60).until(lambda d: d.execute_script(
        "return document.documentElement.dataset.ready === 'true' && "
        "document.querySelectorAll('div.fm-chart').length === document.querySelectorAll('div.fm-chart[data-drawn]').length"))
    return browser


def artifacts() -> Path:
    folder = Path(os.environ.get("FEEDMINE_ARTIFACTS", ROOT / "artifacts"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_loads_with_no_console_error_and_no_network_request(loaded, report):
    errors = [e for e in loaded.get_log("browser") if e["level"] in ("SEVERE", "WARNING")]
    assert not errors, errors
    requested = {json.loads(e["message"])["message"].get("params", {}).get("request", {}).get("url")
                 for e in loaded.get_log("performance")}
    outside = {u for u in requested if u and not u.startswith(("data:", "blob:", "about:")) and u != report[0].as_uri()}
    assert not outside, outside


def test_charts_are_drawn(loaded):
    drawn = loaded.execute_script("return Array.from(document.querySelectorAll('div.fm-chart')).map("
                                  "el => [el.id, el.querySelectorAll('svg.main-svg').length, el.offsetHeight])")
    assert [d[0] for d in drawn][:2] == ["chart-matrix", "chart-segments-channel"]
    assert all(n_svg > 0 and height > 200 for _, n_svg, height in drawn), drawn
    points = loaded.execute_script("return document.querySelectorAll('#chart-matrix .point').length")
    assert points >= 10


def test_pain_point_tables_hold_one_row_per_theme_and_sort(loaded, report):
    _, result = report
    n_rows = loaded.execute_script("return document.querySelectorAll('table.fm-themes tbody tr').length")
    assert n_rows == len(result.pain_points)

    def sizes() -> list[float]:
        return loaded.execute_script("return Array.from(document.querySelectorAll('#pain-table tbody tr')).map("
                                     "r => parseFloat(r.getAttribute('data-size')))")

    button = loaded.execute_script("return Array.from(document.querySelectorAll('#pain-table th button'))"
                                   ".find(b => b.textContent === 'size')")
    button.click()
    assert sizes() == sorted(sizes(), reverse=True)
    button.click()
    assert sizes() == sorted(sizes())


def test_search_filters_the_rows(loaded, report):
    _, result = report
    box = loaded.find_element("id", "fm-search")
    box.send_keys("zzzz-no-theme-has-this")
    assert loaded.execute_script("return document.querySelectorAll('table.fm-themes tbody tr:not([hidden])').length") == 0
    box.clear()
    box.send_keys(" ")  # clear() sends no input event; a blank search shows every row again
    shown = loaded.execute_script("return document.querySelectorAll('table.fm-themes tbody tr:not([hidden])').length")
    assert shown == len(result.pain_points)


def test_hostile_text_shows_as_text_and_runs_nothing(loaded):
    state = loaded.execute_script(
        "return {pwned: window.__pwned === 1, scripts: document.scripts.length,"
        " imgs: document.querySelectorAll('img').length,"
        " js_links: document.querySelectorAll('a[href^=\"javascript\"]').length,"
        " text: document.body.innerText}")
    assert not state["pwned"] and state["scripts"] == 2 and state["imgs"] == 0 and state["js_links"] == 0
    assert LABEL_PAYLOAD in state["text"]  # the theme name, as the characters it is
    assert CHANNEL_PAYLOAD in state["text"]  # a channel value in the sources line
    assert any(p.split(" (")[0][:20] in state["text"] for p in TEXT_PAYLOADS)
    hover = loaded.execute_script("return JSON.stringify(document.getElementById('chart-matrix').data)")
    assert "<script" not in hover and "&lt;script&gt;" in hover  # plotly gets entities, shows characters


def test_screenshots_and_no_sideways_scroll_on_a_phone(loaded):
    folder = artifacts()
    loaded.set_window_size(1400, 900)
    assert loaded.save_screenshot(str(folder / "report-1400.png"))
    loaded.set_window_size(390, 844)
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.support.ui import WebDriverWait

    width = "return [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    try:  # plotly redraws its charts to the new width a moment after the resize
        WebDriverWait(loaded, 10).until(lambda d: (lambda w: w[0] <= w[1])(d.execute_script(width)))
    except TimeoutException:
        pytest.fail(f"the page scrolls sideways at 390 px: {loaded.execute_script(width)}")
    assert loaded.save_screenshot(str(folder / "report-390.png"))
