"""Tests for the other prioritisation strategies (feedmine.analysis.priority).

Theme tables are written by hand; every expected number is worked out in the test from the formula in
the function's docstring, so a changed formula fails here.
"""
import numpy as np
import pandas as pd
import pytest

from feedmine.errors import FeedmineError
from feedmine.analysis.priority import (opportunity_priority, prioritize, rank_stability, rice_priority,
                               stability_summary)
from feedmine.analysis.score import ThemeScorer


def rice_themes():
    # -1 carries values that would rank first if it were scored, so a leak shows
    return pd.DataFrame({"theme_id": [-1, 0, 1, 2], "size": [7, 20, 60, 5], "frequency": [.9, .5, .3, .2],
                         "impact": [.9, .8, .4, 1.0], "solvability": [.9, .75, .25, 1.0]})


def by_id(df):
    return df.set_index("theme_id")


# ---- RICE -----------------------------------------------------------------------------------------

def test_rice_formula_by_hand():
    r = by_id(rice_priority(rice_themes()))
    # confidence = size / (size + 20); effort = 1 + 4 (1 − solvability)
    assert r.loc[[0, 1, 2], "rice_confidence"].tolist() == pytest.approx([20 / 40, 60 / 80, 5 / 25])
    assert r.loc[[0, 1, 2], "rice_effort"].tolist() == pytest.approx([2.0, 4.0, 1.0])
    assert r.loc[[0, 1, 2], "rice_reach"].tolist() == pytest.approx([.5, .3, .2])
    # score = reach × impact × confidence / effort
    expected = {0: .5 * .8 * .5 / 2, 1: .3 * .4 * .75 / 4, 2: .2 * 1.0 * .2 / 1}  # .1, .0225, .04
    for theme, value in expected.items():
        assert r.loc[theme, "rice_score"] == pytest.approx(value)
    assert r.loc[[0, 2, 1], "rice_rank"].tolist() == [1, 2, 3]


def test_rice_unassigned_theme_gets_no_score_or_rank():
    r = by_id(rice_priority(rice_themes()))
    assert np.isnan(r.loc[-1, "rice_score"]) and pd.isna(r.loc[-1, "rice_rank"])
    assert r["rice_rank"].dropna().sort_values().tolist() == [1, 2, 3]


@pytest.mark.parametrize("effort", [{1: 0.5}, pd.Series({1: 0.5})])
def test_rice_user_effort_overrides_the_estimate(effort):
    r = by_id(rice_priority(rice_themes(), effort=effort))
    assert r.loc[1, "rice_effort"] == 0.5
    assert r.loc[1, "rice_score"] == pytest.approx(.3 * .4 * .75 / .5)  # .18: now first
    assert r.loc[0, "rice_effort"] == pytest.approx(2.0)  # not given: solvability default
    assert r.loc[[1, 0, 2], "rice_rank"].tolist() == [1, 2, 3]


def test_rice_confidence_shrinks_with_a_wide_interval():
    t = rice_themes()
    t["impact_ci_low"] = [np.nan, .6, 0.0, np.nan]
    t["impact_ci_high"] = [np.nan, 1.0, 1.2, np.nan]
    r = by_id(rice_priority(t))
    # theme 0: 1 − .4 / (2 × .8) = .75; theme 1: 1 − 1.2 / .8 < .2 → floor .2; theme 2: no interval → 1
    assert r.loc[0, "rice_confidence"] == pytest.approx(.5 * .75)
    assert r.loc[1, "rice_confidence"] == pytest.approx(.75 * .2)
    assert r.loc[2, "rice_confidence"] == pytest.approx(.2)
    assert r.loc[0, "rice_score"] == pytest.approx(.5 * .8 * .375 / 2)


def test_rice_zero_impact_with_an_interval_hits_the_floor():
    t = rice_themes().assign(impact=[.9, 0.0, .4, 1.0], impact_ci_low=[0, 0, .4, 1], impact_ci_high=[0, .1, .4, 1])
    r = by_id(rice_priority(t))
    assert r.loc[0, "rice_confidence"] == pytest.approx(.5 * .2)
    assert r.loc[1, "rice_confidence"] == pytest.approx(.75)  # zero width: full size-based confidence


@pytest.mark.parametrize("effort, match", [({99: 2.0}, "unknown theme id"), ({0: 0.0}, "positive"),
                                           ({0: -1.0}, "positive"), ({0: np.nan}, "positive")])
def test_rice_bad_effort_is_a_clear_error(effort, match):
    with pytest.raises(FeedmineError, match=match):
        rice_priority(rice_themes(), effort=effort)


def test_rice_missing_columns_name_the_fix():
    with pytest.raises(FeedmineError, match=r"solvability.*ThemeScorer"):
        rice_priority(rice_themes().drop(columns="solvability"))


# ---- opportunity ----------------------------------------------------------------------------------

def opp_themes():
    return pd.DataFrame({"theme_id": [-1, 0, 1, 2], "frequency_score": [1.0, 1.0, .4, .6],
                         "impact": [1.0, .6, .2, 1.0], "mean_sentiment": [-1.0, -.5, .6, -.9]})


def test_opportunity_from_sentiment_by_hand():
    o = by_id(opportunity_priority(opp_themes()))
    # importance = 10 (.5 fs + .5 impact): 8, 3, 8; satisfaction = (s + 1) / 2 × 10: 2.5, 8, .5
    assert o.loc[[0, 1, 2], "importance"].tolist() == pytest.approx([8, 3, 8])
    assert o.loc[[0, 1, 2], "satisfaction"].tolist() == pytest.approx([2.5, 8, .5])
    # opportunity = importance + max(importance − satisfaction, 0)
    assert o.loc[[0, 1, 2], "opportunity"].tolist() == pytest.approx([8 + 5.5, 3 + 0, 8 + 7.5])
    assert o.loc[[2, 0, 1], "opportunity_rank"].tolist() == [1, 2, 3]
    assert set(o["satisfaction_source"]) == {"sentiment"}
    assert pd.isna(o.loc[-1, "opportunity_rank"]) and np.isnan(o.loc[-1, "opportunity"])


def test_opportunity_prefers_stars_over_sentiment():
    t = opp_themes().assign(impact_method="rating_loo", impact_rating_theme=[1.0, 2.0, 4.6, 3.0])
    o = by_id(opportunity_priority(t))
    # satisfaction = (stars − 1) / 4 × 10: 2.5, 9, 5 → opportunity 13.5, 3, 11: theme 0 now beats theme 2
    assert o.loc[[0, 1, 2], "satisfaction"].tolist() == pytest.approx([2.5, 9, 5])
    assert o.loc[[0, 1, 2], "opportunity"].tolist() == pytest.approx([13.5, 3, 11])
    assert o.loc[[0, 2, 1], "opportunity_rank"].tolist() == [1, 2, 3]
    assert set(o.loc[[0, 1, 2], "satisfaction_source"]) == {"stars"}


def test_opportunity_theme_without_ratings_falls_back_to_sentiment():
    t = opp_themes().assign(impact_method="rating_loo", impact_rating_theme=[1.0, 2.0, np.nan, 3.0])
    o = by_id(opportunity_priority(t))
    assert o.loc[1, "satisfaction"] == pytest.approx(8.0) and o.loc[1, "satisfaction_source"] == "sentiment"
    assert o.loc[0, "satisfaction_source"] == "stars"


@pytest.mark.parametrize("method, ratings", [("nps_loo", [-40.0, -20.0, 30.0, 10.0]),  # NPS points
                                             ("rating_loo", [1.5, 2.0, 6.5, 3.0])])  # a 1–7 scale
def test_opportunity_ignores_ratings_that_are_not_stars(method, ratings):
    t = opp_themes().assign(impact_method=method, impact_rating_theme=ratings)
    o = by_id(opportunity_priority(t))
    assert o.loc[[0, 1, 2], "satisfaction"].tolist() == pytest.approx([2.5, 8, .5])


def test_opportunity_needs_sentiment_or_stars():
    with pytest.raises(FeedmineError, match="mean_sentiment"):
        opportunity_priority(opp_themes().drop(columns="mean_sentiment"))


# ---- rank stability -------------------------------------------------------------------------------

HALF = {"frequency": .5, "impact": .5, "solvability": 0.0}


def swap_themes():
    # with frequency/impact .5/.5: A .6, B .58, C .3, D .05. At .4/.6 (frequency −20% or impact +20%)
    # B .656 passes A .52; at .6/.4 A .68 stays ahead of B .504. D's solvability 1 matters only if w_s > 0.
    return pd.DataFrame({"theme_id": [-1, 0, 1, 2, 3], "frequency_score": [5.0, 1.0, .2, .3, .05],
                         "impact": [5.0, .2, .96, .3, .05], "solvability": [5.0, 0, 0, 0, 1.0]})


def test_rank_stability_finds_the_swap_by_hand():
    table = rank_stability(swap_themes(), weights=HALF).set_index(["weight", "direction"])
    assert len(table) == 6
    assert table.loc[("frequency", "-"), ["w_frequency", "w_impact", "w_solvability"]].tolist() == \
        pytest.approx([.4, .6, 0])
    # one adjacent swap among n = 4: 1 − 6 Σd² / (n (n² − 1)) = 1 − 6 × 2 / 60 = .8
    for key in [("frequency", "-"), ("impact", "+")]:
        assert table.loc[key, "spearman"] == pytest.approx(.8)
        assert table.loc[key, "max_top10_shift"] == 1
        assert table.loc[key, "max_shift_theme"] == 0
    for key in [("frequency", "+"), ("impact", "-"), ("solvability", "-"), ("solvability", "+")]:
        assert table.loc[key, "spearman"] == pytest.approx(1.0)
        assert table.loc[key, "max_top10_shift"] == 0
        assert pd.isna(table.loc[key, "max_shift_theme"])


def test_rank_stability_uses_the_scorers_pain_gate():
    # A reports no problem (pain_share 0): its frequency no longer counts, A = .5 × .2 = .1 → B .58, C .3,
    # A .1, D .05 at every weight set (.4/.6: .656, .3, .12, .05; .6/.4: .504, .3, .08, .05): no swap left
    t = swap_themes().assign(pain_share=[1.0, 0.0, 1.0, 1.0, 1.0])
    table = rank_stability(t, weights=HALF)
    assert table["spearman"].tolist() == pytest.approx([1.0] * 6)


def test_rank_stability_renormalises_default_weights():
    table = rank_stability(swap_themes()).set_index(["weight", "direction"])
    row = table.loc[("impact", "+")]
    # impact .45 → .54; frequency and solvability share .46 in their ratio .35 : .20
    assert row[["w_frequency", "w_impact", "w_solvability"]].tolist() == \
        pytest.approx([.35 * .46 / .55, .54, .20 * .46 / .55])
    assert table[["w_frequency", "w_impact", "w_solvability"]].sum(axis=1).tolist() == pytest.approx([1.0] * 6)


def test_rank_stability_counts_shifts_of_top10_themes_only():
    # ten weight-proof leaders (frequency = impact), then E .2 and F .19 that swap at .4/.6
    lead = [1 - .05 * k for k in range(10)]
    t = pd.DataFrame({"theme_id": range(12), "frequency_score": lead + [.3, .05],
                      "impact": lead + [.1, .33], "solvability": 0.0})
    table = rank_stability(t, weights=HALF).set_index(["weight", "direction"])
    assert table.loc[("frequency", "-"), "spearman"] == pytest.approx(1 - 6 * 2 / (12 * 143))
    assert table["max_top10_shift"].max() == 0


def test_stability_summary_wording():
    sensitive = stability_summary(rank_stability(swap_themes(), weights=HALF))
    assert sensitive == ("ranking sensitive to ±20% weight changes (Spearman down to 0.80 with frequency -20%; "
                         "top-10 themes move up to 1 place)")
    stable = stability_summary(rank_stability(swap_themes(), weights=HALF, change=.01))
    assert stable == "ranking stable under ±1% weight changes (Spearman ≥ 1.00; top-10 themes move at most 0 places)"


@pytest.mark.parametrize("change", [0, 1, -.2, 1.5])
def test_rank_stability_rejects_bad_change(change):
    with pytest.raises(FeedmineError, match="change"):
        rank_stability(swap_themes(), change=change)


# ---- prioritize -----------------------------------------------------------------------------------

def full_themes():
    return rice_themes().assign(frequency_score=[1.0, .5, .9, .2], mean_sentiment=[0, -.5, -.2, .4])


def test_prioritize_weighted_by_hand_and_normalised_weights():
    p = by_id(prioritize(full_themes()))
    # .35 fs + .45 impact + .20 solvability
    assert p.loc[0, "strategy_score"] == pytest.approx(.35 * .5 + .45 * .8 + .2 * .75)  # .685
    assert p.loc[1, "strategy_score"] == pytest.approx(.35 * .9 + .45 * .4 + .2 * .25)  # .545
    assert p.loc[2, "strategy_score"] == pytest.approx(.35 * .2 + .45 * 1.0 + .2 * 1.0)  # .72
    assert p.loc[[2, 0, 1], "strategy_rank"].tolist() == [1, 2, 3]
    w = by_id(prioritize(full_themes(), weights={"frequency": 3, "impact": 1}))  # → .75 / .25 / 0
    assert w.loc[1, "strategy_score"] == pytest.approx(.75 * .9 + .25 * .4)
    assert w.loc[[1, 0, 2], "strategy_rank"].tolist() == [1, 2, 3]


def test_prioritize_weighted_gates_frequency_and_solvability_by_pain_share():
    p = by_id(prioritize(full_themes().assign(pain_share=[1.0, .2, 1.0, 1.0])))
    assert p.loc[0, "strategy_score"] == pytest.approx(.35 * .5 * .2 + .45 * .8 + .2 * .75 * .2)  # .425
    assert p.loc[[2, 1, 0], "strategy_rank"].tolist() == [1, 2, 3]


@pytest.mark.parametrize("strategy, column", [("rice", "rice_score"), ("opportunity", "opportunity")])
def test_prioritize_other_strategies_use_their_score(strategy, column):
    p = by_id(prioritize(full_themes(), strategy=strategy))
    assert p["strategy_score"].equals(p[column])
    assert pd.isna(p.loc[-1, "strategy_rank"])
    assert p["strategy_rank"].dropna().sort_values().tolist() == [1, 2, 3]
    assert (p["strategy"] == strategy).all()


def test_prioritize_passes_effort_to_rice():
    p = by_id(prioritize(full_themes(), strategy="rice", effort={1: .5}))
    assert p.loc[1, "strategy_rank"] == 1


def test_prioritize_unassigned_never_ranked_even_with_values():
    for strategy in ("weighted", "rice", "opportunity"):
        p = by_id(prioritize(full_themes(), strategy=strategy))
        assert pd.isna(p.loc[-1, "strategy_rank"]) and np.isnan(p.loc[-1, "strategy_score"])


@pytest.mark.parametrize("kwargs, match", [
    ({"strategy": "ice"}, "unknown strategy 'ice'.*weighted"),
    ({"weights": {"frequency": -1, "impact": 1}}, "non-negative"),
    ({"weights": {"freq": 1}}, "unknown priority weight"),
    ({"weights": {"frequency": 0, "impact": 0, "solvability": 0}}, "not all zero"),
    ({"strategy": "rice", "weights": {"impact": 1}}, "weights only apply"),
    ({"strategy": "opportunity", "effort": {0: 1}}, "effort only applies"),
    ({"strategy": "rice", "effort": {7: 1}}, r"unknown theme id\(s\) \[7\]"),
])
def test_prioritize_errors_name_the_fix(kwargs, match):
    with pytest.raises(FeedmineError, match=match):
        prioritize(full_themes(), **kwargs)


def test_weighted_matches_theme_scorer_rank():
    docs = pd.DataFrame({"theme_id": [0, 0, 1, 1, 1, 2, -1], "rating": [1, 2, 5, 4, 5, 2, 3],
                         "sentiment": [-.8, -.5, .7, .5, .9, -.3, 0],
                         "severity": ["high", "high", "low", "low", "low", "medium", "low"],
                         "is_request": [False, True, False, True, False, False, False]})
    themes = pd.DataFrame({"theme_id": [-1, 0, 1, 2], "tightness": [.1, .8, .6, .3],
                           "distinctiveness": [0, .9, .5, .2]})
    scored = ThemeScorer().fit(docs, themes).scores_
    p = prioritize(scored)
    assert p["strategy_score"].tolist() == pytest.approx(scored["priority"].tolist(), nan_ok=True)
    assert p["strategy_rank"].tolist() == scored["rank"].tolist()
