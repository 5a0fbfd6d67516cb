"""Tests for theme_regression (feedmine.analysis.impact_model).

Data are built so the true effects are known; each expected value is computed in the test from its formula.
"""
import numpy as np
import pandas as pd
import pytest

from feedmine.errors import FeedmineError
from feedmine.analysis.impact_model import COLUMNS, theme_regression


def members(pairs):
    return pd.DataFrame(pairs, columns=["row", "theme_id"])


def by_theme(table):
    return table.set_index("theme_id")


def noisy_two_themes(n, seed, noise=1.0):
    """score = 4 − 1·A − 2·B + N(0, noise²); A and B overlap on about a quarter of the items."""
    rng = np.random.default_rng(seed)
    a, b = rng.random(n) < 0.5, rng.random(n) < 0.5
    scores = 4 - 1.0 * a - 2.0 * b + rng.normal(0, noise, n)
    pairs = [(i, 0) for i in np.flatnonzero(a)] + [(i, 1) for i in np.flatnonzero(b)]
    return scores, members(pairs)


def test_one_theme_hand_checked():
    # items 0–2 in theme A score 2, items 3–9 score 4: coefficient 4 → 2 = −2, effect 2 · 3/10 = 0.6
    scores = np.array([2, 2, 2, 4, 4, 4, 4, 4, 4, 4.0])
    table = theme_regression(scores, members([(0, 7), (1, 7), (2, 7), (3, -1)]), n_items=10, n_boot=100)
    assert list(table.columns) == COLUMNS
    row = by_theme(table).loc[7]
    assert row["impact_coef"] == pytest.approx(-2.0, abs=1e-10)
    assert row["impact_n"] == 3
    assert row["impact_effect"] == pytest.approx(0.6, abs=1e-10)
    # no noise: every resample that holds both groups gives −2 (up to the unrefined 1e-6 ridge)
    assert row["impact_ci_low"] == pytest.approx(-2.0, abs=1e-5)
    assert row["impact_ci_high"] == pytest.approx(-2.0, abs=1e-5)
    assert -1 not in table["theme_id"].tolist()  # unassigned is the baseline, not a theme


def test_overlapping_themes_are_separated():
    # A only, B only, both, neither; score = 4 − 1·A − 2·B exactly
    a = np.array([1, 1, 0, 0, 1, 1, 0, 0, 1, 0])
    b = np.array([0, 0, 1, 1, 1, 1, 0, 0, 0, 1])
    scores = 4 - 1.0 * a - 2.0 * b
    pairs = [(i, 0) for i in np.flatnonzero(a)] + [(i, 1) for i in np.flatnonzero(b)]
    t = by_theme(theme_regression(scores, members(pairs), n_items=10, n_boot=50))
    assert t.loc[0, "impact_coef"] == pytest.approx(-1.0, abs=1e-10)
    assert t.loc[1, "impact_coef"] == pytest.approx(-2.0, abs=1e-10)
    # the naive in-theme vs rest difference double-counts the shared items: it is not −1 for A
    naive_a = scores[a == 1].mean() - scores[a == 0].mean()
    assert abs(naive_a - (-1.0)) > 0.2
    assert t.loc[0, "impact_effect"] == pytest.approx(1.0 * a.mean())
    assert t.loc[1, "impact_effect"] == pytest.approx(2.0 * b.mean())


def test_matches_lstsq_on_random_design():
    rng = np.random.default_rng(3)
    n, k = 400, 12
    x = (rng.random((n, k)) < 0.3).astype(float)
    scores = 3 + x @ rng.normal(0, 1, k) + rng.normal(0, 0.5, n)
    pairs = [(i, j) for i, j in zip(*np.nonzero(x))]
    got = theme_regression(scores, members(pairs), n_items=n, n_boot=0)
    want = np.linalg.lstsq(np.c_[np.ones(n), x], scores, rcond=None)[0][1:]
    np.testing.assert_allclose(got["impact_coef"].to_numpy(), want, atol=1e-9)
    assert got["impact_ci_low"].isna().all()  # n_boot=0: no interval


def test_bootstrap_interval_covers_truth_and_narrows():
    widths = []
    for n in (200, 2000):
        scores, pairs = noisy_two_themes(n, seed=n)
        t = by_theme(theme_regression(scores, pairs, n_items=n, n_boot=300, random_state=1))
        for theme, truth in ((0, -1.0), (1, -2.0)):
            assert t.loc[theme, "impact_ci_low"] < truth < t.loc[theme, "impact_ci_high"]
            assert t.loc[theme, "impact_ci_low"] < t.loc[theme, "impact_coef"] < t.loc[theme, "impact_ci_high"]
        widths.append(t["impact_ci_high"] - t["impact_ci_low"])
    # ten times the data: about √10 ≈ 3.2 times narrower
    assert (widths[1] < widths[0] / 2).all()


def test_nan_scores_are_left_out():
    scores, pairs = noisy_two_themes(100, seed=5)
    with_nan = np.r_[scores, [np.nan] * 4]
    extra = members([(100, 0), (101, 0), (102, 1), (103, -1)])
    got = theme_regression(with_nan, pd.concat([pairs, extra]), n_items=104, n_boot=0)
    want = theme_regression(scores, pairs, n_items=100, n_boot=0)
    np.testing.assert_allclose(got["impact_coef"], want["impact_coef"], atol=1e-12)
    np.testing.assert_allclose(got["impact_effect"], want["impact_effect"], atol=1e-12)
    assert got["impact_n"].tolist() == want["impact_n"].tolist()


def test_sample_weight_gives_weighted_mean_difference():
    # one theme: WLS coefficient = weighted mean in theme − weighted mean of the rest
    scores = np.array([1.0, 3.0, 4.0, 5.0, 2.0])
    weight = np.array([3.0, 1.0, 1.0, 1.0, 2.0])
    pairs = members([(0, 0), (1, 0)])
    t = by_theme(theme_regression(scores, pairs, n_items=5, n_boot=0, sample_weight=weight))
    in_theme = (1 * 3 + 3 * 1) / 4            # 1.5
    rest = (4 * 1 + 5 * 1 + 2 * 2) / 4        # 3.25
    assert t.loc[0, "impact_coef"] == pytest.approx(in_theme - rest)
    unweighted = by_theme(theme_regression(scores, pairs, n_items=5, n_boot=0))
    assert unweighted.loc[0, "impact_coef"] == pytest.approx(2.0 - 11 / 3)
    # the effect uses the theme's share of the weight (4 of 8), the rise of the weighted mean
    assert t.loc[0, "impact_effect"] == pytest.approx(-(in_theme - rest) * 4 / 8)
    assert t.loc[0, "impact_n"] == 2


def test_integer_weights_equal_repeated_items():
    scores, pairs = noisy_two_themes(60, seed=2)
    weight = np.random.default_rng(0).integers(1, 4, 60).astype(float)
    weighted = theme_regression(scores, pairs, n_items=60, n_boot=0, sample_weight=weight)
    repeat = np.repeat(np.arange(60), weight.astype(int))
    new_rows = {i: np.flatnonzero(repeat == i) for i in range(60)}
    rep_pairs = members([(r, t) for i, t in zip(pairs["row"], pairs["theme_id"]) for r in new_rows[i]])
    repeated = theme_regression(scores[repeat], rep_pairs, n_items=repeat.size, n_boot=0)
    np.testing.assert_allclose(weighted["impact_coef"], repeated["impact_coef"], atol=1e-9)


def test_deterministic_for_a_random_state():
    scores, pairs = noisy_two_themes(150, seed=9)
    first = theme_regression(scores, pairs, n_items=150, n_boot=100, random_state=4)
    again = theme_regression(scores, pairs, n_items=150, n_boot=100, random_state=4)
    other = theme_regression(scores, pairs, n_items=150, n_boot=100, random_state=5)
    pd.testing.assert_frame_equal(first, again)
    assert not np.allclose(first["impact_ci_low"], other["impact_ci_low"])
    np.testing.assert_allclose(first["impact_coef"], other["impact_coef"])  # the fit itself has no randomness


def test_small_absent_duplicate_and_collinear_themes():
    scores = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    # theme 3 has one rated item; theme 4 is listed but has none; (0, 0) is listed twice;
    # themes 0 and 1 always occur together, so only their joint effect is known
    pairs = members([(0, 0), (0, 0), (1, 0), (0, 1), (1, 1), (5, 3)])
    t = by_theme(theme_regression(scores, pairs, n_items=6, n_boot=50, theme_ids=[4, 1, 0, 3]))
    assert t.index.tolist() == [4, 1, 0, 3]
    assert t.loc[0, "impact_n"] == 2 and t.loc[4, "impact_n"] == 0 and t.loc[3, "impact_n"] == 1
    assert t.loc[[3, 4], ["impact_coef", "impact_ci_low", "impact_effect"]].isna().all().all()
    # rest (theme 3's item fits itself): items 2–4 mean 4; items 0, 1 mean 1.5 → joint −2.5, split equally
    assert t.loc[0, "impact_coef"] == pytest.approx(-1.25, abs=1e-6)
    assert t.loc[1, "impact_coef"] == pytest.approx(-1.25, abs=1e-6)


def test_theme_on_every_rated_item_has_no_estimate():
    scores = np.array([1.0, 2.0, 3.0, np.nan])
    pairs = members([(0, 0), (1, 0), (2, 0), (0, 1), (1, 1)])  # theme 0 on every rated item
    t = by_theme(theme_regression(scores, pairs, n_items=4, n_boot=20))
    assert np.isnan(t.loc[0, "impact_coef"]) and t.loc[0, "impact_n"] == 3
    assert t.loc[1, "impact_coef"] == pytest.approx(1.5 - 3.0, abs=1e-9)


def test_errors_name_the_fix():
    pairs = members([(0, 0), (1, 0)])
    with pytest.raises(FeedmineError, match="one score per item"):
        theme_regression(np.ones(3), pairs, n_items=4)
    with pytest.raises(FeedmineError, match="one weight per item"):
        theme_regression(np.ones(4), pairs, n_items=4, sample_weight=[1, 1])
    with pytest.raises(FeedmineError, match="row 4 outside 0..3"):
        theme_regression(np.ones(4), members([(0, 0), (4, 0)]), n_items=4)
    with pytest.raises(FeedmineError, match="row -1 outside"):
        theme_regression(np.ones(4), members([(-1, 0)]), n_items=4)
    with pytest.raises(FeedmineError, match="columns 'row' and 'theme_id'"):
        theme_regression(np.ones(4), pd.DataFrame({"item": [0], "theme_id": [0]}), n_items=4)
    with pytest.raises(FeedmineError, match="non-negative"):
        theme_regression(np.ones(4), pairs, n_items=4, sample_weight=[1, -1, 1, 1])
    with pytest.raises(FeedmineError, match="between 0 and 1"):
        theme_regression(np.ones(4), pairs, n_items=4, ci=95)
