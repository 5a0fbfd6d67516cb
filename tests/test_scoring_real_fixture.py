"""The scoring formulas on a small slice of real data (the first 20 reviews of the bundled English
sample, maalej_app_reviews), with the numbers worked out by hand in the comments.

Themes are set by the reviews' own human labels: 0 = bug reports, 1 = feature requests, 2 = the rest.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from feedmine.analysis.priority import opportunity_priority, rice_priority
from feedmine.analysis.score import ThemeScorer, focus_score

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "samples" / "reviews_en.csv"


@pytest.fixture(scope="module")
def docs() -> pd.DataFrame:
    d = pd.read_csv(SAMPLE).head(20)
    theme = np.where(d["label_bug"] == 1, 0, np.where(d["label_feature"] == 1, 1, 2))
    return pd.DataFrame({
        "id": d["review_id"], "theme_id": pd.array(theme, dtype="Int64"), "rating": d["stars"].astype(float),
        "channel": d["channel"], "sentiment": np.where(d["stars"] <= 2, -0.6, 0.5),
        "severity": np.where(theme == 0, "high", "low"), "is_request": theme == 1})


@pytest.fixture(scope="module")
def scores(docs) -> pd.DataFrame:
    themes = pd.DataFrame({"theme_id": [0, 1, 2], "tightness": [0.3, 0.5, 0.2], "distinctiveness": [0.6, 0.4, 0.2]})
    return ThemeScorer().fit(docs, themes).scores_.set_index("theme_id")


def test_fixture_is_the_real_slice(docs):
    # stars 5 5 4 5 4 5 3 5 5 5 1 5 4 1 5 5 5 2 5 5; bug reports at rows 0, 6, 13, 17 (5, 3, 1, 2 stars)
    assert docs["rating"].sum() == 84 and docs["theme_id"].value_counts().to_dict() == {2: 15, 0: 4, 1: 1}


def test_frequency_and_leave_one_out_impact(scores):
    assert scores.loc[0, "frequency"] == pytest.approx(4 / 20)
    assert scores.loc[0, "frequency_score"] == pytest.approx(4 / 15)
    # all 20: 84 / 20 = 4.2; without the 4 bug reports (11 stars): 73 / 16 = 4.5625 → drop 0.3625
    assert scores.loc[0, "impact_rating_all"] == pytest.approx(4.2)
    assert scores.loc[0, "impact_rating_theme"] == pytest.approx(11 / 4)
    assert scores.loc[0, "impact_rating_drop"] == pytest.approx(73 / 16 - 4.2)
    # feature request (5★): without it 79 / 19 = 4.158 < 4.2 → it raises the score, impact 0
    assert scores.loc[1, "impact_rating_drop"] == pytest.approx(79 / 19 - 4.2) and scores.loc[1, "impact"] == 0
    assert scores.loc[0, "impact"] == pytest.approx(1.0)  # the largest positive drop


def test_pain_share_focus_solvability_and_priority(docs, scores):
    # bug theme: every item severity high → pain 1; rest: 1 item of 15 at ≤ 2★ (row 10, sentiment −0.6)
    assert scores.loc[0, "pain_share"] == 1.0 and scores.loc[2, "pain_share"] == pytest.approx(1 / 15)
    # bug theme channels: app_store ×4 → focus 1; rest: 7 app_store / 8 google_play
    assert scores.loc[0, "solv_focus"] == pytest.approx(1.0)
    p = np.array([7, 8]) / 15
    assert scores.loc[2, "solv_focus"] == pytest.approx(1 + (p * np.log(p)).sum() / np.log(2))
    # tightness 0.3 / 0.5 / 0.2 min–max scaled → 1/3, 1, 0
    assert scores.loc[0, "solvability"] == pytest.approx((1 / 3 + 0.6 + 0.0 + 1.0) / 4)
    expected = 0.35 * (4 / 15) * 1.0 + 0.45 * 1.0 + 0.20 * scores.loc[0, "solvability"] * 1.0
    assert scores.loc[0, "priority"] == pytest.approx(expected) and scores.loc[0, "rank"] == 1
    assert focus_score(docs["channel"], 2) == pytest.approx(1 + sum(q * np.log(q) for q in (12 / 20, 8 / 20)) / np.log(2))


def test_rice_and_opportunity(scores):
    t = scores.reset_index()
    t["size"] = [4, 1, 15]
    t["mean_sentiment"] = [0.0, 0.5, 0.4]
    rice = rice_priority(t).set_index("theme_id")
    # reach 0.2 × impact 1.0 × confidence 4 / 24 / effort (1 + 4 · (1 − solvability))
    effort = 1 + 4 * (1 - scores.loc[0, "solvability"])
    assert rice.loc[0, "rice_score"] == pytest.approx(0.2 * 1.0 * (4 / 24) / effort)
    opp = opportunity_priority(t).set_index("theme_id")
    # importance 10 · (4/15 + 1) / 2 = 6.333; satisfaction from 2.75★: (2.75 − 1) / 4 · 10 = 4.375
    importance = 10 * (4 / 15 + 1.0) / 2
    assert opp.loc[0, "opportunity"] == pytest.approx(importance + (importance - 4.375))


# ----- NPS impact and the emerging-theme test on real Korean reviews (nsmc, 1–10 ratings, dated) -----
SAMPLE_KO = Path(__file__).resolve().parents[1] / "data" / "samples" / "movie_reviews_ko.csv"


@pytest.fixture(scope="module")
def nsmc() -> pd.DataFrame:
    d = pd.read_csv(SAMPLE_KO)
    return d.assign(theme_id=pd.array(d["label_sentiment"].map({"neg": 0, "neu": 1, "pos": 2}), dtype="Int64"))


def test_nps_leave_one_out_on_the_first_six_reviews_of_each_label(nsmc):
    # rating_10 (used as a 0–10 score): neg 2 4 2 2 1 1 · neu 8 8 8 8 8 6 · pos 10 10 10 10 9 10
    d = pd.concat([nsmc[nsmc["theme_id"] == t].head(6) for t in (0, 1, 2)])
    assert d["rating_10"].tolist() == [2, 4, 2, 2, 1, 1, 8, 8, 8, 8, 8, 6, 10, 10, 10, 10, 9, 10]
    docs = pd.DataFrame({"theme_id": d["theme_id"].to_numpy(), "rating": d["rating_10"].astype(float).to_numpy(),
                         "sentiment": 0.0, "severity": "low", "is_request": False})
    themes = pd.DataFrame({"theme_id": [0, 1, 2], "tightness": 0.5, "distinctiveness": 0.5})
    s = ThemeScorer(rating_scale="nps").fit(docs, themes).scores_.set_index("theme_id")
    # all 18: 6 promoters (≥ 9), 7 detractors (≤ 6: six neg + the 6 in neu) → 100 · (6 − 7) / 18 = −5.56
    assert s.loc[0, "impact_rating_all"] == pytest.approx(-100 / 18)
    assert set(s["impact_method"]) == {"nps_loo"}
    # without neg: 6 promoters, 1 detractor of 12 → 41.67; drop 41.67 + 5.56 = 47.22; the theme itself −100
    assert s.loc[0, "impact_rating_theme"] == pytest.approx(-100)
    assert s.loc[0, "impact_rating_drop"] == pytest.approx(100 * 5 / 12 + 100 / 18)
    # without neu (8 8 8 8 8 6: 1 detractor, NPS −16.7): 6 promoters, 6 detractors → 0; drop 5.56
    assert s.loc[1, "impact_rating_theme"] == pytest.approx(-100 / 6)
    assert s.loc[1, "impact_rating_drop"] == pytest.approx(100 / 18)
    # without pos: 0 promoters, 7 detractors of 12 → −58.33: the theme raises NPS, impact 0
    assert s.loc[2, "impact_rating_drop"] == pytest.approx(-700 / 12 + 100 / 18) and s.loc[2, "impact"] == 0
    assert s.loc[0, "impact"] == pytest.approx(1.0)
    assert s.loc[1, "impact"] == pytest.approx((100 / 18) / (100 * 5 / 12 + 100 / 18))


def test_two_proportion_test_on_the_last_year_against_the_two_before(nsmc):
    """1,200 dated reviews, themes = their sentiment label; the counts come from plain pandas here and
    the z and p from the textbook formula, independently of feedmine.analysis.stats."""
    import math

    from feedmine.analysis.trends import EmergingThemeDetector

    dates = pd.to_datetime(nsmc["date"])
    end = dates.max()  # 2015-08-26
    recent = (dates > end - pd.Timedelta("365D")) & (dates <= end)
    baseline = (dates > end - pd.Timedelta("1095D")) & (dates <= end - pd.Timedelta("365D"))
    det = EmergingThemeDetector(recent="365D", baseline="730D").fit(nsmc[["theme_id", "date"]])
    table = det.table_.set_index("theme_id")
    for theme in (0, 1, 2):
        r_n = int((recent & (nsmc["theme_id"] == theme)).sum())
        b_n = int((baseline & (nsmc["theme_id"] == theme)).sum())
        r_t, b_t = int(recent.sum()), int(baseline.sum())
        p1, p2, p = r_n / r_t, b_n / b_t, (r_n + b_n) / (r_t + b_t)
        z = (p1 - p2) / math.sqrt(p * (1 - p) * (1 / r_t + 1 / b_t))
        row = table.loc[theme]
        assert (row["recent_n"], row["recent_total"], row["baseline_n"], row["baseline_total"]) == (r_n, r_t, b_n, b_t)
        assert row["z"] == pytest.approx(z)
        assert row["p_value"] == pytest.approx(0.5 * math.erfc(z / math.sqrt(2)))  # P(Z > z)
    # Holm over the three themes: the smallest p times 3, the next times 2 (monotone), the largest as is
    p = table["p_value"].sort_values()
    holm = np.maximum.accumulate(np.minimum(1, p.to_numpy() * np.array([3, 2, 1])))
    np.testing.assert_allclose(table.loc[p.index, "p_adjusted"], holm)
    assert table["recent_total"].iloc[0] > 50 and table["baseline_total"].iloc[0] > 100  # real windows, not empty
