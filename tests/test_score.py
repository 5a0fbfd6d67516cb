"""Tests for ThemeScorer (feedmine.analysis.score) and the plain-language evidence (feedmine.analysis.explain).

Numbers are small enough to check by hand; each expected value is computed in the test from its formula.
"""
import numpy as np
import pandas as pd
import pytest

from feedmine.errors import FeedmineError
from feedmine.analysis.explain import explain_theme, keyword_distinctiveness
from feedmine.analysis.score import DEFAULT_WEIGHTS, SEVERITY_WEIGHT, ThemeScorer, leave_one_out_drop, nps


def make_docs(theme_ids, ratings=None, sentiment=None, severity=None, is_request=None, customer=None):
    n = len(theme_ids)
    docs = pd.DataFrame({
        "theme_id": pd.array(theme_ids, dtype="Int64"),
        "sentiment": sentiment if sentiment is not None else [0.0] * n,
        "severity": severity if severity is not None else ["low"] * n,
        "is_request": is_request if is_request is not None else [False] * n,
    })
    if ratings is not None:
        docs["rating"] = pd.array(ratings, dtype="float")
    if customer is not None:
        docs["customer"] = customer
    return docs


def make_themes(ids, tightness=None, distinctiveness=None):
    themes = pd.DataFrame({"theme_id": ids})
    themes["tightness"] = tightness if tightness is not None else [0.5] * len(ids)
    themes["distinctiveness"] = distinctiveness if distinctiveness is not None else [0.5] * len(ids)
    return themes


def score(docs, themes, **params):
    return ThemeScorer(**params).fit(docs, themes).scores_.set_index("theme_id")


# app-store-like example: delivery complaints (theme 0), login bugs (1), praise (2), unassigned (-1)
STARS = {
    0: [1, 2, 1, 2, 3],
    1: [2, 3, 3, 4],
    2: [5, 5, 4, 5, 5, 5],
    -1: [3, 4],
}


def stars_docs():
    ids = [t for t, rs in STARS.items() for _ in rs]
    ratings = [r for rs in STARS.values() for r in rs]
    return make_docs(ids, ratings)


# ----- leave-one-out ------------------------------------------------------------------------------

def test_leave_one_out_drop_matches_closed_form():
    docs = stars_docs()
    scores = score(docs, make_themes([-1, 0, 1, 2]), rating_scale="stars")
    all_r = np.concatenate([np.array(v, float) for v in STARS.values()])
    N, S = len(all_r), all_r.mean()
    for t in (0, 1, 2):
        theme_r = np.array(STARS[t], float)
        n_t, S_t = len(theme_r), theme_r.mean()
        closed_form = n_t * (S - S_t) / (N - n_t)
        direct = np.delete(all_r, np.flatnonzero(docs["theme_id"].to_numpy() == t)).mean() - S
        assert closed_form == pytest.approx(direct)
        assert scores.loc[t, "impact_rating_drop"] == pytest.approx(closed_form)
        assert scores.loc[t, "impact_rating_theme"] == pytest.approx(S_t)
        assert scores.loc[t, "impact_rating_all"] == pytest.approx(S)
        assert scores.loc[t, "impact_rating_rest"] == pytest.approx(S + closed_form)
        assert scores.loc[t, "impact_method"] == "rating_loo"
    # complaints pull the mean down (positive drop), praise pulls it up (negative drop)
    assert scores.loc[0, "impact_rating_drop"] > scores.loc[1, "impact_rating_drop"] > 0
    assert scores.loc[2, "impact_rating_drop"] < 0


def test_leave_one_out_ignores_missing_ratings():
    values = pd.Series([1.0, np.nan, 5.0, 4.0, np.nan])
    in_theme = pd.Series([True, True, False, False, False])
    drop, all_score, rest_score = leave_one_out_drop(values, in_theme)
    assert all_score == pytest.approx(10 / 3)
    assert rest_score == pytest.approx(4.5)
    assert drop == pytest.approx(4.5 - 10 / 3)


def test_leave_one_out_when_theme_is_everything():
    drop, _, rest = leave_one_out_drop(pd.Series([1.0, 2.0]), pd.Series([True, True]))
    assert np.isnan(drop) and np.isnan(rest)


# ----- NPS ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("answers, expected", [
    ([10, 9, 8, 7, 6, 0], 0.0),             # 2 promoters, 2 detractors, 2 passives
    ([10, 10, 9, 3], 50.0),                 # 75% − 25%
    ([7, 8], 0.0),                          # passives only
    ([0, 6, 6], -100.0),
    ([9, 10], 100.0),
    ([9, np.nan, 6], 0.0),                  # missing answers are not counted
])
def test_nps(answers, expected):
    assert nps(pd.Series(answers, dtype=float)) == pytest.approx(expected)


def test_nps_empty_is_nan():
    assert np.isnan(nps(pd.Series([np.nan])))


def test_nps_impact_in_points():
    # theme 0: detractors; theme 1: promoters
    theme_ids = [0, 0, 0, 1, 1, 1, 1]
    answers = [2, 5, 6, 10, 9, 10, 8]
    scores = score(make_docs(theme_ids, answers), make_themes([0, 1]))
    all_nps = 100 * (3 / 7 - 3 / 7)
    rest_nps_0 = 100 * (3 / 4 - 0)  # without theme 0: 10, 9, 10, 8
    assert scores.loc[0, "impact_method"] == "nps_loo"
    assert scores.loc[0, "impact_rating_all"] == pytest.approx(all_nps)
    assert scores.loc[0, "impact_rating_drop"] == pytest.approx(rest_nps_0 - all_nps)
    assert scores.loc[0, "impact_rating_theme"] == pytest.approx(-100)


# ----- rating scale -------------------------------------------------------------------------------

def test_auto_scale_picks_nps_for_0_to_10():
    scorer = ThemeScorer().fit(make_docs([0, 0, 1, 1], [0, 3, 10, 8]), make_themes([0, 1]))
    assert scorer.rating_scale_ == "nps"
    assert set(scorer.scores_["impact_method"]) == {"nps_loo"}


def test_auto_scale_picks_stars_for_1_to_5():
    scorer = ThemeScorer().fit(stars_docs(), make_themes([-1, 0, 1, 2]))
    assert scorer.rating_scale_ == "stars"
    assert set(scorer.scores_["impact_method"]) == {"rating_loo"}


def test_auto_scale_non_integer_scores_are_not_nps():
    scorer = ThemeScorer().fit(make_docs([0, 0, 1, 1], [6.5, 7.2, 9.1, 8.0]), make_themes([0, 1]))
    assert scorer.rating_scale_ == "stars"


def test_explicit_scale_wins():
    scorer = ThemeScorer(rating_scale="score").fit(make_docs([0, 0, 1, 1], [0, 3, 10, 8]), make_themes([0, 1]))
    assert scorer.rating_scale_ == "score"
    assert scorer.scores_.set_index("theme_id").loc[0, "impact_method"] == "rating_loo"


def test_bad_scale_rejected():
    with pytest.raises(FeedmineError, match="rating_scale"):
        ThemeScorer(rating_scale="likert").fit(stars_docs(), make_themes([0]))


def test_one_rating_is_not_enough():
    docs = make_docs([0, 1, 1], [np.nan, 4, np.nan], sentiment=[-0.5, 0.2, 0.0])
    scores = score(docs, make_themes([0, 1]))
    assert set(scores["impact_method"]) == {"sentiment_severity"}


# ----- without a rating ---------------------------------------------------------------------------

def test_harm_formula_without_rating():
    docs = make_docs([0, 0, 1, 1], sentiment=[-0.5, -1.0, 0.8, 0.0],
                     severity=["high", "critical", "low", "medium"])
    scores = score(docs, make_themes([0, 1]))
    # harm = severity weight × (1 + max(0, −sentiment)) / 2
    harm_0 = [SEVERITY_WEIGHT["high"] * (1 + 0.5) / 2, SEVERITY_WEIGHT["critical"] * (1 + 1.0) / 2]
    harm_1 = [SEVERITY_WEIGHT["low"] * 1 / 2, SEVERITY_WEIGHT["medium"] * 1 / 2]
    assert scores.loc[0, "impact_harm_mean"] == pytest.approx(np.mean(harm_0))  # (0.525 + 1.0) / 2
    assert scores.loc[1, "impact_harm_mean"] == pytest.approx(np.mean(harm_1))  # (0.05 + 0.2) / 2
    assert scores.loc[0, "impact"] == pytest.approx(scores.loc[0, "impact_harm_mean"])
    assert (scores["impact_method"] == "sentiment_severity").all()
    assert "impact_rating_drop" not in scores


def test_harm_is_within_0_and_1():
    docs = make_docs([0] * 4, sentiment=[-3.0, 2.0, -1.0, 0.0], severity=["critical", "critical", "low", "oops"])
    harm = score(docs, make_themes([0])).loc[0, "impact_harm_mean"]
    assert 0 <= harm <= 1


# ----- frequency ----------------------------------------------------------------------------------

def test_frequency_by_items():
    scores = score(make_docs([0, 0, 0, 1, -1]), make_themes([-1, 0, 1]))
    assert scores.loc[0, "freq_items"] == 3
    assert scores.loc[0, "frequency"] == pytest.approx(3 / 5)
    assert scores.loc[1, "frequency"] == pytest.approx(1 / 5)
    assert scores.loc[0, "frequency_score"] == pytest.approx(1.0)          # largest real theme
    assert scores.loc[1, "frequency_score"] == pytest.approx((1 / 5) / (3 / 5))
    assert "freq_customers" not in scores


def test_frequency_by_unique_customers():
    # theme 0: one angry customer writing four times; theme 1: two different customers
    docs = make_docs([0, 0, 0, 0, 1, 1, -1], customer=["u1", "u1", "u1", "u1", "u2", "u3", "u4"])
    scores = score(docs, make_themes([-1, 0, 1]))
    assert scores.loc[0, "freq_items"] == 4 and scores.loc[0, "freq_customers"] == 1
    assert scores.loc[1, "freq_customers"] == 2
    assert scores.loc[0, "frequency"] == pytest.approx(1 / 4)  # 4 unique customers overall
    assert scores.loc[1, "frequency"] == pytest.approx(2 / 4)
    assert scores.loc[1, "frequency"] > scores.loc[0, "frequency"]


def test_skipped_documents_are_ignored():
    docs = make_docs([0, 0, 1, 1])
    skipped = make_docs([0, 0, 0, 0])
    skipped["theme_id"] = pd.array([pd.NA] * 4, dtype="Int64")
    scores = score(pd.concat([docs, skipped], ignore_index=True), make_themes([0, 1]))
    assert scores.loc[0, "frequency"] == pytest.approx(0.5)


# ----- weights and priority -----------------------------------------------------------------------

def test_weights_normalised_and_priority_is_their_sum():
    docs = make_docs([0, 0, 0, 1], sentiment=[-1, -1, -1, 0], severity=["high"] * 3 + ["low"])
    scorer = ThemeScorer(weights={"frequency": 2, "impact": 2}).fit(docs, make_themes([0, 1]))
    assert scorer.weights_ == {"frequency": 0.5, "impact": 0.5, "solvability": 0.0}
    s = scorer.scores_.set_index("theme_id")
    assert s.loc[0, "pain_share"] == 1.0 and s.loc[1, "pain_share"] == 0.0
    for t in (0, 1):
        assert s.loc[t, "priority"] == pytest.approx(0.5 * s.loc[t, "frequency_score"] * s.loc[t, "pain_share"]
                                                     + 0.5 * s.loc[t, "impact"])


def test_a_big_theme_of_praise_does_not_outrank_a_smaller_problem():
    # theme 0: 6 happy items, 5 stars; theme 1: 3 items, negative, high severity, 2 stars
    docs = make_docs([0] * 6 + [1] * 3, ratings=[5] * 6 + [2] * 3, sentiment=[0.8] * 6 + [-0.7] * 3,
                     severity=["low"] * 6 + ["high"] * 3)
    s = ThemeScorer().fit(docs, make_themes([0, 1])).scores_.set_index("theme_id")
    assert s.loc[0, "frequency_score"] == 1.0 and s.loc[0, "pain_share"] == 0.0
    assert s.loc[1, "rank"] == 1 and s.loc[0, "rank"] == 2
    assert s.loc[0, "priority"] == pytest.approx(0.0)  # no impact, no pain


def test_default_weights_sum_to_one():
    scorer = ThemeScorer().fit(stars_docs(), make_themes([0, 1, 2]))
    assert sum(scorer.weights_.values()) == pytest.approx(1)
    assert scorer.weights_ == pytest.approx(DEFAULT_WEIGHTS)


@pytest.mark.parametrize("weights, match", [
    ({"frequency": -1, "impact": 1}, "non-negative"),
    ({"frequency": 0, "impact": 0, "solvability": 0}, "not all zero"),
    ({"freq": 1}, "unknown priority weight"),
])
def test_bad_weights_raise(weights, match):
    with pytest.raises(FeedmineError, match=match):
        ThemeScorer(weights=weights).fit(stars_docs(), make_themes([0]))


def test_solvability_components():
    docs = make_docs([0, 0, 1, 1], is_request=[True, False, False, False])
    s = score(docs, make_themes([0, 1], tightness=[0.9, 0.3], distinctiveness=[1.0, 0.2]))
    assert s.loc[0, "solv_request_share"] == pytest.approx(0.5)
    assert s.loc[0, "solv_tightness"] == pytest.approx(1.0) and s.loc[1, "solv_tightness"] == pytest.approx(0.0)
    assert s.loc[0, "solvability"] == pytest.approx((1.0 + 1.0 + 0.5) / 3)
    assert s.loc[1, "solvability"] == pytest.approx((0.0 + 0.2 + 0.0) / 3)


def test_unassigned_theme_has_no_priority_or_rank():
    scores = score(stars_docs(), make_themes([-1, 0, 1, 2]))
    assert np.isnan(scores.loc[-1, "priority"])
    assert pd.isna(scores.loc[-1, "rank"])
    ranks = scores.drop(index=-1)["rank"]
    assert sorted(ranks.tolist()) == [1, 2, 3]
    # the unassigned theme still shows its size
    assert scores.loc[-1, "freq_items"] == len(STARS[-1])


def test_complaint_theme_ranks_above_bigger_praise_theme():
    # praise is the biggest theme, but complaints pull the rating down
    scores = score(stars_docs(), make_themes([-1, 0, 1, 2]))
    assert scores.loc[2, "freq_items"] > scores.loc[0, "freq_items"]
    assert scores.loc[0, "rank"] == 1
    assert scores.loc[0, "rank"] < scores.loc[2, "rank"]
    assert scores.loc[2, "impact"] == 0  # a negative drop is no impact, not a bonus
    assert scores.loc[0, "impact"] == pytest.approx(1.0)  # the largest drop defines the scale


def test_complaint_ranks_first_without_rating_too():
    docs = make_docs([0] * 3 + [1] * 5,
                     sentiment=[-0.8, -0.9, -0.6] + [0.9] * 5,
                     severity=["critical", "high", "high"] + ["low"] * 5)
    scores = score(docs, make_themes([0, 1]))
    assert scores.loc[0, "rank"] == 1


def test_input_frames_not_modified():
    docs, themes = stars_docs(), make_themes([-1, 0, 1, 2])
    before_docs, before_themes = docs.copy(), themes.copy()
    ThemeScorer().fit(docs, themes)
    pd.testing.assert_frame_equal(docs, before_docs)
    pd.testing.assert_frame_equal(themes, before_themes)


# ----- explanations -------------------------------------------------------------------------------

def explained_row(theme_id, docs, themes, **params):
    scores = ThemeScorer(**params).fit(docs, themes).scores_
    row = scores.set_index("theme_id").loc[theme_id].copy()
    size = int((docs["theme_id"] == theme_id).sum())
    row["theme_id"], row["size"], row["share"] = theme_id, size, size / docs["theme_id"].notna().sum()
    row["mean_sentiment"] = float(docs.loc[docs["theme_id"] == theme_id, "sentiment"].mean())
    row["severity_high"], row["severity_critical"] = 0.4, 0.2
    return row


def test_explanation_mentions_share_and_rating_gap():
    docs = stars_docs()
    row = explained_row(0, docs, make_themes([-1, 0, 1, 2]))
    text = explain_theme(row, has_rating=True)
    share = len(STARS[0]) / len(docs)
    assert f"{100 * share:.1f}%" in text and f"({len(STARS[0])})" in text
    rest = np.mean([r for t, rs in STARS.items() if t != 0 for r in rs])
    gap = rest - np.mean(STARS[0])
    assert f"rated {gap:.2f} rating points lower than the rest" in text
    assert f"{row['impact_rating_drop']:+.2f}" in text
    assert "60.0% high or critical" in text
    assert not text[0].islower() and text.endswith(".")


def test_explanation_for_praise_says_higher():
    row = explained_row(2, stars_docs(), make_themes([-1, 0, 1, 2]))
    assert "higher than the rest" in explain_theme(row, has_rating=True)


def test_explanation_uses_nps_points():
    docs = make_docs([0, 0, 0, 1, 1, 1, 1], [2, 5, 6, 10, 9, 10, 8])
    row = explained_row(0, docs, make_themes([0, 1]))
    assert "NPS points lower" in explain_theme(row, has_rating=True)


def test_explanation_without_rating_mentions_harm():
    docs = make_docs([0, 0, 1], sentiment=[-0.5, -0.5, 0.5], severity=["high", "high", "low"],
                     is_request=[True, False, False])
    row = explained_row(0, docs, make_themes([0, 1]))
    text = explain_theme(row, has_rating=False)
    assert f"mean harm {row['impact_harm_mean']:.2f}" in text
    assert "66.7%" in text and "50.0% ask for a specific change" in text
    assert "rating points" not in text


def test_explanation_for_unassigned():
    row = pd.Series({"theme_id": -1, "share": 0.125, "size": 2})
    text = explain_theme(row, has_rating=True)
    assert "12.5%" in text and "unassigned" in text


# ----- keyword distinctiveness --------------------------------------------------------------------

def test_keyword_distinctiveness():
    themes = pd.DataFrame({
        "theme_id": [-1, 0, 1, 2, 3],
        "keywords": [["배송", "환불", "앱"], ["배송", "지연", "느림"], ["환불", "결제", "앱"], ["로그인", "비밀번호"], []],
    })
    out = keyword_distinctiveness(themes)
    # -1 is left out of the count: 배송 and 환불 also appear in -1 but are still their themes' own words
    assert out.tolist() == [0.0, 1.0, 1.0, 1.0, 0.0]
    themes.at[2, "keywords"] = ["배송", "결제", "앱"]  # now 배송 is shared by themes 0 and 1
    out = keyword_distinctiveness(themes)
    assert out.tolist() == pytest.approx([0.0, 2 / 3, 2 / 3, 1.0, 0.0])


def test_keyword_distinctiveness_top_limits_the_words():
    themes = pd.DataFrame({"theme_id": [0, 1], "keywords": [["a", "shared"], ["b", "shared"]]})
    assert keyword_distinctiveness(themes, top=1).tolist() == [1.0, 1.0]
    assert keyword_distinctiveness(themes, top=2).tolist() == [0.5, 0.5]


def test_keyword_distinctiveness_keeps_index():
    themes = pd.DataFrame({"theme_id": [0, 1], "keywords": [["x"], ["y"]]}, index=[10, 20])
    assert keyword_distinctiveness(themes).index.tolist() == [10, 20]


def test_emerging_theme_is_flagged_from_dates_and_explained():
    from feedmine.analysis.explain import explain_theme

    # theme 1 is 1 of 100 items in the four baseline weeks, then 8 of 40 in the last week
    base = pd.date_range("2024-01-01", periods=100, freq="6h")
    recent = pd.date_range("2024-02-01", periods=40, freq="3h")
    theme = [0] * 99 + [1] + [0] * 32 + [1] * 8
    docs = pd.DataFrame({"id": [f"d{i}" for i in range(140)], "theme_id": pd.array(theme, dtype="Int64"),
                         "date": list(base) + list(recent), "sentiment": -0.5, "severity": "medium",
                         "is_request": False})
    themes = pd.DataFrame({"theme_id": [0, 1], "tightness": [0.5, 0.6], "distinctiveness": [0.5, 0.5]})
    scorer = ThemeScorer(recent="7D", baseline="28D").fit(docs, themes)
    table = scorer.scores_.set_index("theme_id")
    assert bool(table.loc[1, "emerging"]) and not bool(table.loc[0, "emerging"])
    assert table.loc[1, "freq_recent_share"] == pytest.approx(8 / 40)
    # the baseline is the 28 days before the recent 7: it starts at Jan 1, 21:00 (the end is Feb 5,
    # 21:00), so the four items of Jan 1 before that fall outside it
    assert table.loc[1, "freq_baseline_share"] == pytest.approx(1 / 96)
    row = table.loc[1].to_dict() | {"theme_id": 1, "share": 9 / 140, "size": 9}
    assert "20.0% in the recent window, up from 1.0% before — emerging" in explain_theme(row, has_rating=False)
    no_dates = ThemeScorer().fit(docs.drop(columns="date"), themes).scores_
    assert "emerging" not in no_dates


def test_customer_value_weights_the_rating_impact():
    # theme 0: two items at 1★ — one from a customer worth 9, one worth 1; rest: two items at 5★ worth 1
    docs = make_docs([0, 0, 1, 1], ratings=[1, 1, 5, 5])
    docs["value"] = [9.0, 1.0, 1.0, 1.0]
    s = score(docs, make_themes([0, 1]))
    # weighted mean of all = (9·1 + 1·1 + 1·5 + 1·5) / 12 = 20 / 12; without theme 0 = 5 → drop 5 − 20/12
    assert s.loc[0, "impact_rating_drop"] == pytest.approx(5 - 20 / 12)
    assert s.loc[0, "impact_weighted_by"] == "value"
    unweighted = score(docs.drop(columns="value"), make_themes([0, 1]))
    assert unweighted.loc[0, "impact_rating_drop"] == pytest.approx(5 - 3)


def test_focus_counts_in_solvability_and_user_effort_overrides_it():
    from feedmine.analysis.score import focus_score

    # two channels in the corpus: theme 0 all on android (focus 1), theme 1 half and half (focus 0)
    assert focus_score(pd.Series(["android"] * 4), 2) == pytest.approx(1.0)
    assert focus_score(pd.Series(["ios", "android"] * 2), 2) == pytest.approx(0.0)
    docs = make_docs([0] * 4 + [1] * 4)
    docs["channel"] = ["android"] * 4 + ["ios", "android"] * 2
    s = score(docs, make_themes([0, 1], tightness=[0.5, 0.5], distinctiveness=[0.5, 0.5]))
    assert s.loc[0, "solv_focus"] == pytest.approx(1.0) and s.loc[1, "solv_focus"] == pytest.approx(0.0)
    # tightness is min-max scaled; equal tightness → 0.5 each; requests 0
    assert s.loc[0, "solvability"] == pytest.approx((0.5 + 0.5 + 0 + 1) / 4)
    assert s.loc[1, "solvability"] == pytest.approx((0.5 + 0.5 + 0 + 0) / 4)
    told = score(docs, make_themes([0, 1]), effort={1: 2})
    assert told.loc[1, "solvability"] == pytest.approx((5 - 2) / 4) and told.loc[1, "solv_user_effort"] == 2
    assert told.loc[0, "solvability"] == pytest.approx(s.loc[0, "solvability"])


def test_overlapping_themes_get_regression_impact_with_intervals():
    # 40 items; A on items 0–19, B on items 10–29 (10–19 have both); stars = 5 − 1·A − 2·B exactly
    a = np.arange(40) < 20
    b = (np.arange(40) >= 10) & (np.arange(40) < 30)
    stars = 5.0 - 1.0 * a - 2.0 * b
    primary = np.where(b, 1, np.where(a, 0, 2))
    docs = make_docs(primary.tolist(), ratings=stars.tolist())
    rows = [(i, 0) for i in range(40) if a[i]] + [(i, 1) for i in range(40) if b[i]] + \
        [(i, 2) for i in range(40) if not a[i] and not b[i]]
    members = pd.DataFrame(rows, columns=["row", "theme_id"])
    s = ThemeScorer().fit(docs, make_themes([0, 1, 2]), memberships=members).scores_.set_index("theme_id")
    assert (s.loc[[0, 1], "impact_method"] == "rating_regression").all()
    assert s.loc[0, "impact_coef"] == pytest.approx(-1.0, abs=1e-6)
    assert s.loc[1, "impact_coef"] == pytest.approx(-2.0, abs=1e-6)
    assert s.loc[1, "impact"] == pytest.approx(1.0) and s.loc[0, "impact"] == pytest.approx(0.5)
    assert s.loc[1, "impact_ci_low"] <= -2.0 + 1e-4 and s.loc[1, "impact_ci_high"] >= -2.0 - 1e-4


def test_explanation_names_the_segment_and_skips_thin_trends():
    from feedmine.analysis.explain import explain_theme

    row = {"theme_id": 3, "share": 0.04, "size": 40, "impact_harm_mean": 0.5, "segment_note":
           "mostly channel=android (62% vs 30% overall)", "freq_recent_share": 0.1, "freq_baseline_share": 0.02,
           "freq_recent_total": 12, "freq_baseline_total": 400}
    text = explain_theme(row, has_rating=False)
    assert "mostly channel=android (62% vs 30% overall)" in text
    assert "recent window" not in text  # 12 dated items in the recent window are too few for a trend
    assert "recent window" in explain_theme(row | {"freq_recent_total": 30}, has_rating=False)


def test_regression_impact_is_explained_with_its_interval():
    from feedmine.analysis.explain import explain_theme
    from feedmine.analysis.problem import problem_statement

    row = {"theme_id": 1, "share": 0.1, "size": 10, "impact_method": "rating_regression", "impact_coef": -1.5,
           "impact_ci_low": -2.0, "impact_ci_high": -1.0, "impact_harm_mean": 0.3}
    assert "rated 1.50 points lower with its other themes held fixed (95% interval 1.00 to 2.00)" in \
        explain_theme(row, has_rating=True)
    assert "(95% interval 1.00–2.00)" in problem_statement(row)["why"]


def test_a_theme_with_too_few_ratings_makes_no_rating_claim():
    """One rated row in a theme of unrated ones (a Korean theme beside rated English rows) is no evidence."""
    from feedmine.analysis.explain import MIN_RATED_ITEMS, explain_theme
    from feedmine.analysis.problem import problem_statement

    row = {"theme_id": 2, "label": "실행 안되다", "share": 0.03, "size": 70, "impact_method": "rating_loo",
           "impact_rating_theme": 5.0, "impact_rating_rest": 4.12, "impact_rating_all": 4.12,
           "impact_rating_drop": -0.001, "impact_rated_items": 1, "impact_harm_mean": 0.5,
           "mean_sentiment": -0.56, "keywords": ["실행"], "quotes": ["실행이 안 돼요"]}
    text = explain_theme(row, has_rating=True)
    assert "only 1 of its items is rated" in text and "higher than the rest" not in text
    assert "rated 0.88" not in problem_statement(row)["text"]
    enough = dict(row, impact_rated_items=MIN_RATED_ITEMS, impact_rating_theme=2.0, impact_rating_drop=0.1)
    assert "rated 2.12 rating points lower than the rest" in explain_theme(enough, has_rating=True)


def test_theme_table_keeps_each_emotions_share_and_the_explanation_names_the_mix():
    from feedmine.analysis.theme_table import theme_table

    emotions = ["satisfaction"] * 4 + ["frustration"] * 3 + ["disappointment"] * 2 + ["anger"] + ["none"] * 10
    docs = pd.DataFrame({"theme_id": [0] * 20 + [1] * 2, "emotion": emotions + ["gratitude", "none"],
                         "sentiment": -0.3, "severity": "medium", "reassigned": False})
    members = pd.DataFrame({"row": range(22), "theme_id": docs["theme_id"]})
    themes = pd.DataFrame({"theme_id": [0, 1], "keywords": [["update", "crash"], ["thanks", "love"]]})
    table = theme_table(themes, docs, members, {}).set_index("theme_id")
    assert table.loc[0, "emotion_frustration"] == pytest.approx(0.15) and table.loc[0, "emotion_worry"] == 0
    assert table.loc[1, "emotion_gratitude"] == pytest.approx(0.5)
    assert table.loc[0, "top_emotion"] == "satisfaction"  # the single most common one, as before
    text = explain_theme(table.loc[0].rename(None).to_dict() | {"theme_id": 0, "share": 0.9, "impact_harm_mean": 0.4},
                        has_rating=False)
    # the mix, not "satisfaction" alone: a complaint theme's mixed reviews can open with "Good, but…"
    assert "emotions satisfaction 20.0%, frustration 15.0%, disappointment 10.0%" in text and "anger" not in text
