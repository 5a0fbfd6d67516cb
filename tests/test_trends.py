"""Tests for theme trends and emerging-theme detection (feedmine.analysis.trends).

Expected z and p are computed in the tests from the textbook formula (pooled two-proportion z-test,
p = P(Z > z) = erfc(z / √2) / 2, no scipy), and adjusted p-values are worked out by hand in comments.
"""
import logging
import math

import numpy as np
import pandas as pd
import pytest

from feedmine.errors import FeedmineError
from feedmine.analysis.trends import EmergingThemeDetector, adjust_p_values, theme_counts_by_period, two_proportion_z

END = pd.Timestamp("2024-03-31")
BASELINE_DAY = END - pd.Timedelta("10D")  # inside the default baseline (END − 35D, END − 7D]


def window_docs(recent: dict, baseline: dict, end=END, baseline_day=BASELINE_DAY) -> pd.DataFrame:
    """Items per theme: ``recent`` ones dated ``end`` (the anchor), ``baseline`` ones dated ``baseline_day``."""
    rows = [(end, t) for t, n in recent.items() for _ in range(n)]
    rows += [(baseline_day, t) for t, n in baseline.items() for _ in range(n)]
    return pd.DataFrame({"id": [f"r{i}" for i in range(len(rows))], "date": [d for d, _ in rows],
                         "theme_id": pd.array([t for _, t in rows], dtype="Int64")})


def z_by_hand(x1, n1, x2, n2):
    p1, p2, pooled = x1 / n1, x2 / n2, (x1 + x2) / (n1 + n2)
    z = (p1 - p2) / math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    return z, 0.5 * math.erfc(z / math.sqrt(2))


def fit(docs, **params):
    return EmergingThemeDetector(**params).fit(docs).table_.set_index("theme_id")


# ----- the z-test ---------------------------------------------------------------------------------

def test_small_theme_from_1_to_4_percent_is_flagged():
    # theme 0: 8 of 800 baseline items (1%) → 8 of 200 recent items (4%); 1 and 2 stay near half each
    docs = window_docs(recent={0: 8, 1: 96, 2: 96}, baseline={0: 8, 1: 396, 2: 396})
    table = fit(docs)
    t0 = table.loc[0]
    assert (t0["recent_n"], t0["recent_total"], t0["baseline_n"], t0["baseline_total"]) == (8, 200, 8, 800)
    assert t0["recent_share"] == pytest.approx(0.04) and t0["baseline_share"] == pytest.approx(0.01)
    assert t0["growth"] == pytest.approx(4.0)
    # pooled p = 16/1000; se = sqrt(.016 · .984 · (1/200 + 1/800)) ≈ .00992; z = .03 / se ≈ 3.024
    z, p = z_by_hand(8, 200, 8, 800)
    assert z == pytest.approx(3.024, abs=1e-3) and p == pytest.approx(0.00125, abs=1e-5)
    assert t0["z"] == pytest.approx(z, rel=1e-9) and t0["p_value"] == pytest.approx(p, rel=1e-9)
    # Holm over 3 themes: theme 0 has the smallest p, so its adjusted p is 3p ≈ .0037 < .05
    assert t0["p_adjusted"] == pytest.approx(3 * p, rel=1e-9)
    assert bool(t0["is_emerging"])
    assert not table.loc[[1, 2], "is_emerging"].any()


def test_min_items_and_min_growth_gate_significant_themes():
    docs = window_docs(recent={0: 8, 1: 96, 2: 96}, baseline={0: 8, 1: 396, 2: 396})
    assert not fit(docs, min_items=9).loc[0, "is_emerging"]       # only 8 recent items
    assert not fit(docs, min_growth=4.5).loc[0, "is_emerging"]    # growth is 4.0
    # a big theme rising 35% → 40%: highly significant with 10,000 items, but growth 1.14 is not news
    big = window_docs(recent={0: 800, 1: 1200}, baseline={0: 2800, 1: 5200})
    t0 = fit(big).loc[0]
    assert t0["p_adjusted"] < 1e-3 and t0["growth"] == pytest.approx(0.40 / 0.35)
    assert not t0["is_emerging"]
    assert bool(fit(big, min_growth=1.1).loc[0, "is_emerging"])


def test_stable_theme_is_not_flagged():
    # same 25% share in both windows: z = 0, one-sided p = 1/2
    docs = window_docs(recent={0: 10, 1: 30}, baseline={0: 40, 1: 120})
    table = fit(docs)
    assert table.loc[0, "z"] == pytest.approx(0.0) and table.loc[0, "p_value"] == pytest.approx(0.5)
    assert table.loc[0, "growth"] == pytest.approx(1.0)
    assert not table["is_emerging"].any()


def test_shrinking_theme_has_large_one_sided_p():
    docs = window_docs(recent={0: 2, 1: 38}, baseline={0: 80, 1: 80})
    z, p = z_by_hand(2, 40, 80, 160)
    t0 = fit(docs).loc[0]
    assert z < 0 and t0["z"] == pytest.approx(z) and t0["p_value"] == pytest.approx(p) and p > 0.99


def test_zero_baseline_gives_infinite_growth_and_is_flagged():
    docs = window_docs(recent={0: 6, 1: 34}, baseline={1: 160})
    t0 = fit(docs).loc[0]
    assert t0["baseline_n"] == 0 and math.isinf(t0["growth"])
    z, p = z_by_hand(6, 40, 0, 160)
    assert t0["z"] == pytest.approx(z) and t0["p_value"] == pytest.approx(p)
    assert bool(t0["is_emerging"])


def test_theme_with_no_recent_items_has_a_row():
    docs = window_docs(recent={1: 40}, baseline={0: 10, 1: 150})
    t0 = fit(docs).loc[0]
    assert t0["recent_n"] == 0 and t0["growth"] == 0 and not t0["is_emerging"]


def test_theme_absent_from_both_windows_gets_z_0_p_1():
    docs = window_docs(recent={1: 40}, baseline={1: 160})
    old = pd.DataFrame({"id": ["old"], "date": [END - pd.Timedelta("100D")], "theme_id": pd.array([5], dtype="Int64")})
    t5 = fit(pd.concat([docs, old], ignore_index=True)).loc[5]
    assert (t5["recent_n"], t5["baseline_n"], t5["z"], t5["p_value"]) == (0, 0, 0.0, 1.0)
    assert math.isnan(t5["growth"]) and not t5["is_emerging"]


def test_two_proportion_z_vectorised_matches_formula():
    z, p = two_proportion_z([8, 3], [200, 50], [8, 10], [800, 100])
    for i, args in enumerate([(8, 200, 8, 800), (3, 50, 10, 100)]):
        assert (z[i], p[i]) == pytest.approx(z_by_hand(*args))


# ----- multiple testing ---------------------------------------------------------------------------

def test_holm_by_hand():
    # sorted .01 .03 .04 .20 times (4, 3, 2, 1) = .04 .09 .08 .20, running max → .04 .09 .09 .20
    p = [0.01, 0.04, 0.03, 0.20]
    assert adjust_p_values(p, "holm") == pytest.approx([0.04, 0.09, 0.09, 0.20])
    # capped at 1: .5·2 = 1, .6·1 = .6 → running max 1
    assert adjust_p_values([0.5, 0.6], "holm") == pytest.approx([1.0, 1.0])


def test_bh_by_hand():
    # sorted .01 .03 .04 .20 times 4/(1, 2, 3, 4) = .04 .06 .0533 .20, running min from the top → .04 .0533 .0533 .20
    p = [0.01, 0.04, 0.03, 0.20]
    assert adjust_p_values(p, "bh") == pytest.approx([0.04, 0.16 / 3, 0.16 / 3, 0.20])
    assert adjust_p_values(p, None) == pytest.approx(p)
    with pytest.raises(FeedmineError, match="correction must be"):
        adjust_p_values(p, "bonferroni")


@pytest.mark.parametrize("correction", ["holm", "bh", None])
def test_detector_adjusts_across_real_themes_only(correction):
    # -1 (unassigned) grows sharply but is not a theme: never flagged, not part of the family
    docs = window_docs(recent={-1: 20, 0: 8, 1: 12}, baseline={-1: 10, 0: 8, 1: 142})
    table = fit(docs, correction=correction)
    assert math.isnan(table.loc[-1, "p_adjusted"]) and not table.loc[-1, "is_emerging"]
    assert table.loc[-1, "z"] > 3  # tested and reported, just not flagged
    real = table.loc[[0, 1]]
    assert real["p_adjusted"].to_numpy() == pytest.approx(adjust_p_values(real["p_value"], correction))


def test_holm_can_reject_what_bh_accepts():
    # two themes with p just under .05: BH keeps both (max(p)·2/2), Holm doubles the smaller one past alpha
    p = np.array([0.04, 0.045])
    assert (adjust_p_values(p, "bh") < 0.05).all()
    assert (adjust_p_values(p, "holm") >= 0.05).all()


# ----- memberships, analysed items, dates ---------------------------------------------------------

def test_memberships_count_an_item_for_each_theme():
    docs = window_docs(recent={0: 2, 1: 2}, baseline={0: 4, 1: 4})
    # row 0 (a recent theme-0 item) is also in theme 1; row 4 (a baseline theme-0 item) also in theme 1
    pairs = [(r, int(t)) for r, t in enumerate(docs["theme_id"])] + [(0, 1), (4, 1)]
    members = pd.DataFrame(pairs, columns=["row", "theme_id"])
    table = EmergingThemeDetector(min_items=1).fit(docs, memberships=members).table_.set_index("theme_id")
    assert (table.loc[1, "recent_n"], table.loc[1, "baseline_n"]) == (3, 5)
    assert (table.loc[0, "recent_n"], table.loc[0, "baseline_n"]) == (2, 4)
    # denominators are items, not (item, theme) pairs
    assert (table.loc[1, "recent_total"], table.loc[1, "baseline_total"]) == (4, 8)
    counts = theme_counts_by_period(docs, freq="M", memberships=members)
    march = counts[counts["period"] == pd.Timestamp("2024-03-01")].set_index("theme_id")
    assert march.loc[1, "n_items"] == 8 and march.loc[1, "n_total"] == 12
    assert march["share"].sum() == pytest.approx((6 + 8) / 12)


def test_skipped_items_are_in_no_denominator():
    docs = window_docs(recent={0: 4, 1: 4}, baseline={0: 4, 1: 12})
    skipped = pd.DataFrame({"id": ["s1", "s2"], "date": [END, BASELINE_DAY],
                            "theme_id": pd.array([pd.NA] * 2, dtype="Int64")})
    table = fit(pd.concat([docs, skipped], ignore_index=True))
    assert (table.loc[0, "recent_total"], table.loc[0, "baseline_total"]) == (8, 16)


@pytest.mark.parametrize("as_", ["datetime", "string", "iso_time_string", "tz_aware"])
def test_date_formats_give_the_same_table(as_):
    docs = window_docs(recent={0: 8, 1: 12}, baseline={0: 8, 1: 72})
    expected = fit(docs)
    if as_ == "string":
        docs["date"] = docs["date"].dt.strftime("%Y-%m-%d").astype(object)
    elif as_ == "iso_time_string":
        docs["date"] = docs["date"].dt.strftime("%Y-%m-%dT%H:%M:%S").astype(object)
    elif as_ == "tz_aware":
        docs["date"] = docs["date"].dt.tz_localize("Asia/Seoul")
    pd.testing.assert_frame_equal(fit(docs), expected)


def test_missing_and_unparseable_dates_are_left_out_and_logged(caplog):
    docs = window_docs(recent={0: 8, 1: 12}, baseline={0: 8, 1: 72})
    expected = fit(docs)
    extra = pd.DataFrame({"id": ["x1", "x2", "x3"], "date": [None, "", "not a date"],
                          "theme_id": pd.array([0, 0, 1], dtype="Int64")})
    mixed = pd.concat([docs.assign(date=docs["date"].dt.strftime("%Y-%m-%d")), extra], ignore_index=True)
    with caplog.at_level(logging.WARNING, logger="feedmine.analysis.trends"):
        table = fit(mixed)
    pd.testing.assert_frame_equal(table, expected)
    assert "1 of 103 values could not be read as a date" in caplog.text and "'not a date'" in caplog.text
    assert "3 of 103 analysed items have no usable date" in caplog.text


# ----- windows --------------------------------------------------------------------------------------

def test_windows_are_right_closed_and_anchored_at_the_latest_date():
    docs = pd.DataFrame({"date": pd.to_datetime(["2024-03-31", "2024-03-24", "2024-03-25", "2024-02-26",
                                                 "2024-02-25"]),
                         "theme_id": pd.array([0, 0, 1, 1, 0], dtype="Int64")})
    det = EmergingThemeDetector(recent="7D", baseline="28D", min_items=1).fit(docs)
    assert det.window_ == {"recent_start": pd.Timestamp("2024-03-24"), "recent_end": END,
                           "baseline_start": pd.Timestamp("2024-02-25"), "baseline_end": pd.Timestamp("2024-03-24")}
    # 03-31 and 03-25 are recent; 03-24 (the recent start) and 02-26 are baseline; 02-25 (its start) is out
    assert (det.table_["recent_total"].iloc[0], det.table_["baseline_total"].iloc[0]) == (2, 2)


def test_end_parameter_moves_the_windows():
    docs = window_docs(recent={0: 4, 1: 4}, baseline={0: 1, 1: 7})  # dated 03-31 and 03-21
    early = window_docs(recent={}, baseline={0: 2, 1: 6}, baseline_day=pd.Timestamp("2024-03-01"))
    det = EmergingThemeDetector(end="2024-03-22").fit(pd.concat([docs, early], ignore_index=True))
    assert det.window_["recent_start"] == pd.Timestamp("2024-03-15")
    # recent (03-15, 03-22] holds the 03-21 items, baseline (02-16, 03-15] the 03-01 ones; 03-31 is after end
    t0 = det.table_.set_index("theme_id").loc[0]
    assert (t0["recent_n"], t0["recent_total"], t0["baseline_n"], t0["baseline_total"]) == (1, 8, 2, 8)


# ----- errors -----------------------------------------------------------------------------------------

def test_no_date_column_names_the_columns():
    docs = window_docs(recent={0: 1}, baseline={0: 1}).drop(columns="date").assign(created_at="2024-01-01")
    with pytest.raises(FeedmineError, match=r"no 'date' column.*'created_at'"):
        EmergingThemeDetector().fit(docs)
    with pytest.raises(FeedmineError, match="no 'date' column"):
        theme_counts_by_period(docs)


def test_all_dates_missing_or_unreadable():
    docs = window_docs(recent={0: 2}, baseline={0: 2})
    with pytest.raises(FeedmineError, match="all 4 analysed items lack a usable date"):
        EmergingThemeDetector().fit(docs.assign(date=None))
    with pytest.raises(FeedmineError, match=r"none of the 4 values could be read as a date \(e.g. 'soon'\)"):
        EmergingThemeDetector().fit(docs.assign(date="soon"))


def test_empty_windows_say_which_and_the_data_range():
    docs = window_docs(recent={0: 4}, baseline={0: 4})
    with pytest.raises(FeedmineError, match=r"recent window .* no analysed items.*2024-03-21 00:00:00 to 2024-03-31"):
        EmergingThemeDetector(end="2024-06-30").fit(docs)
    only_recent = window_docs(recent={0: 4}, baseline={}, end=END)
    with pytest.raises(FeedmineError, match=r"baseline window \(2024-02-25 00:00:00, 2024-03-24 00:00:00\]"):
        EmergingThemeDetector().fit(only_recent)


@pytest.mark.parametrize("params, message", [({"recent": "soon"}, "recent='soon' is not a duration"),
                                             ({"baseline": "-3D"}, "baseline must be a positive duration"),
                                             ({"alpha": 1.5}, "alpha must be between 0 and 1"),
                                             ({"correction": "fdr"}, "correction must be")])
def test_bad_parameters(params, message):
    with pytest.raises(FeedmineError, match=message):
        EmergingThemeDetector(**params).fit(window_docs(recent={0: 4}, baseline={0: 4}))


# ----- counts by period -------------------------------------------------------------------------------

def test_weekly_counts_fill_empty_weeks_and_start_on_monday():
    # Mon 2024-01-01 week: themes 0, 0, 1; week of 01-08: nothing; week of 01-15 (Wed 01-17): theme 1
    docs = pd.DataFrame({"date": ["2024-01-01", "2024-01-03", "2024-01-07", "2024-01-17", None],
                         "theme_id": pd.array([0, 0, 1, 1, 0], dtype="Int64")})
    table = theme_counts_by_period(docs, freq="W")
    assert list(table.columns) == ["theme_id", "period", "n_items", "n_total", "share"]
    weeks = pd.to_datetime(["2024-01-01", "2024-01-08", "2024-01-15"])
    assert list(table["period"]) == list(weeks) * 2
    assert table["n_items"].tolist() == [2, 0, 0, 1, 0, 1]
    assert table["n_total"].tolist() == [3, 0, 1] * 2
    share = table["share"].to_numpy()
    assert share[[0, 2, 3, 5]] == pytest.approx([2 / 3, 0.0, 1 / 3, 1.0]) and np.isnan(share[[1, 4]]).all()


def test_bad_freq():
    docs = window_docs(recent={0: 1}, baseline={0: 1})
    with pytest.raises(FeedmineError, match="freq='ME' is not a pandas period alias"):
        theme_counts_by_period(docs, freq="ME")
