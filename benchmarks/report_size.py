"""The report at 10,000 items: file size and time until it is interactive in headless chromium.

Targets (issue 12): under 10 MB, interactive in under 3 s. 10,000 real items from three sources in
../shared/data, none invented: the 4,353 English app reviews of maalej_app_reviews (stars; channel =
the source store), Korean Steam reviews of steam_ko (no dates, no stars) and Korean nsmc movie reviews
(their own dates and 1-10 ratings, so the page has a trends chart). The themes come from feedmine's
default pipeline (``--embedder`` picks another; the report's size depends on the items and themes,
not on the embedder). Both reports are written: interactive (plotly) and plain (no script).

"Interactive" is measured in the page: from navigation start to the moment ``report.js`` has made the
tables sortable and every chart has been drawn (``data-drawn`` on each chart), read from
``performance.now()``; the median of ``--loads`` fresh loads, each in a new browser tab with an empty
cache. Needs chromium and chromium-driver (Debian) and selenium (the test extra).

Run:  python benchmarks/report_size.py [--embedder hybrid] [--loads 5]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import SHARED, load_maalej, write_results  # noqa: E402

import feedmine as fm  # noqa: E402

N_ITEMS = 10_000
N_DATED = 3_000  # nsmc rows (their own dates)


def items(seed: int = 0) -> pd.DataFrame:
    rng = np.random.RandomState(seed)
    app = load_maalej()
    app = pd.DataFrame({"id": "app-" + app["id"].astype(str), "text": app["text"],
                        "rating": app["rating"].astype(float), "channel": app["data_source"].astype(str)})
    movies = pd.read_csv(SHARED / "nsmc" / "nsmc_sample.csv").sample(N_DATED, random_state=rng)
    movies = pd.DataFrame({"id": "nsmc-" + movies["review_id"].astype(str), "text": movies["document"],
                           "rating": movies["rating"].astype(float) / 2,  # 1-10 → 0.5-5, beside the stars
                           "channel": "nsmc", "date": pd.to_datetime(movies["date"], format="%y.%m.%d")})
    steam = pd.read_csv(SHARED / "steam_ko" / "steam_reviews.csv")
    steam = steam.sample(N_ITEMS - len(app) - len(movies), random_state=rng)
    steam = pd.DataFrame({"id": "steam-" + steam["review_id"].astype(str), "text": steam["document"],
                          "channel": "steam"})
    return pd.concat([app, movies, steam], ignore_index=True)


def time_to_interactive(path: Path, loads: int) -> dict:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.support.ui import WebDriverWait

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1400,900", "--disk-cache-size=1"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    ready = ("return document.documentElement.dataset.ready === 'true' && document.querySelectorAll("
             "'div.fm-chart').length === document.querySelectorAll('div.fm-chart[data-drawn]').length")
    out: dict[str, list] = {"interactive_s": [], "dom_content_loaded_s": [], "load_event_s": []}
    try:
        for _ in range(loads):
            driver.switch_to.new_window("tab")
            driver.get(path.as_uri())
            WebDriverWait(driver, 60, poll_frequency=0.02).until(lambda d: d.execute_script(ready))
            done_ms = driver.execute_script("return performance.now()")
            nav = driver.execute_script("const n = performance.getEntriesByType('navigation')[0];"
                                        "return [n.domContentLoadedEventEnd, n.loadEventEnd]")
            out["interactive_s"].append(round(done_ms / 1000, 3))
            out["dom_content_loaded_s"].append(round(nav[0] / 1000, 3))
            out["load_event_s"].append(round(nav[1] / 1000, 3))
            charts = driver.execute_script("return document.querySelectorAll('div.fm-chart').length")
            rows = driver.execute_script("return document.querySelectorAll('table.fm-themes tbody tr').length")
    finally:
        driver.quit()
    return {**out, "median_interactive_s": statistics.median(out["interactive_s"]), "charts": charts,
            "table_rows": rows}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--embedder", default="hybrid")
    parser.add_argument("--loads", type=int, default=5)
    args = parser.parse_args()
    table = items()
    t0 = time.perf_counter()
    result = fm.analyze(table, text="text", id="id", rating="rating", channel="channel", date="date",
                        embedder=args.embedder, journey=True, random_state=0, progress=False)
    analyse_s = time.perf_counter() - t0
    folder = Path(tempfile.mkdtemp(prefix="feedmine-report-"))
    sizes, render_s = {}, {}
    for name, interactive in (("interactive", True), ("plain", False)):
        t0 = time.perf_counter()
        result.to_html(folder / f"{name}.html", interactive=interactive)
        render_s[name] = round(time.perf_counter() - t0, 2)
        sizes[name] = round((folder / f"{name}.html").stat().st_size / 2**20, 2)
    browser = time_to_interactive(folder / "interactive.html", args.loads)
    payload = {
        "items": len(table),
        "sources": {name: int(table["id"].str.startswith(prefix).sum())
                    for name, prefix in (("maalej_app_reviews", "app-"), ("nsmc (dated)", "nsmc-"), ("steam_ko", "steam-"))},
        "embedder": args.embedder, "themes": int((result.themes["theme_id"] >= 0).sum()),
        "analyse_s": round(analyse_s, 1), "render_s": render_s, "size_mib": sizes,
        "targets": {"size_mib": 10, "interactive_s": 3}, "browser": browser,
        "met": {"size": sizes["interactive"] < 10, "interactive": browser["median_interactive_s"] < 3},
        "chromium": "Debian chromium, headless (--headless=new), 1400x900, this machine (2 cores)",
    }
    print(payload)
    write_results("report_size", payload)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
