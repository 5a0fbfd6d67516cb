"""Tests for theme × segment tables (feedmine.analysis.customer_segments).

Tables are small enough to check by hand; expected values are written out from their formulas.
"""
import numpy as np
import pandas as pd
import pytest
from scipy import stats

from feedmine.errors import ColumnNotFoundError, FeedmineError
from feedmine.analysis.customer_segments import MISSING, describe_segments, over_represented, theme_segment_table


def make_docs(theme_ids, **columns):
    docs = pd.DataFrame({"theme_id": pd.array(theme_ids, dtype="Int64")})
    for name, values in columns.items():
        docs[name] = values
    return docs


def app_reviews():
    """100 analysed items (+2 skipped). Overall: android 30%, free 55%.

    theme 0 (20 items): android 16, free 18 — concentrated in android/free.
    theme 2 (40 items): android 12, free 22 — spread exactly like everything else.
    theme 1 (30 items): android 0, free 10 — never on android.
    theme -1 (10 items): android 2, free 5.
    """
    themes, channel, plan = [], [], []
    for theme, size, android, free in [(0, 20, 16, 18), (1, 30, 0, 10), (2, 40, 12, 22), (-1, 10, 2, 5)]:
        themes += [theme] * size
        channel += ["android"] * android + ["ios"] * (size - android)
        plan += ["free"] * free + ["paid"] * (size - free)
    # skipped items (not analysed) on a channel no one else uses: they must not appear anywhere
    return make_docs(themes + [None, None], channel=channel + ["web", "web"], plan=plan + ["free", "free"])


def row(table, theme_id, value):
    hit = table[(table["theme_id"] == theme_id) & (table["value"] == value)]
    assert len(hit) == 1, f"expected one row for theme {theme_id}, value {value!r}"
    return hit.iloc[0]


def test_counts_shares_and_lift_match_hand_computation():
    table = theme_segment_table(app_reviews(), "channel")
    r = row(table, 0, "android")
    assert (r["n"], r["theme_size"], r["segment_size"], r["n_total"]) == (16, 20, 30, 100)
    assert r["share_in_theme"] == pytest.approx(0.8)
    assert r["share_overall"] == pytest.approx(0.3)
    assert r["lift"] == pytest.approx(0.8 / 0.3)
    assert row(table, 2, "android")["lift"] == pytest.approx(1.0)
    assert row(table, 1, "android")["lift"] == 0.0
    # one row per (theme, value), zero counts included; the skipped items' channel "web" is absent
    assert len(table) == 4 * 2 and "web" not in set(table["value"])


def test_concentrated_theme_is_over_uniform_theme_is_not_and_absent_segment_is_under():
    table = theme_segment_table(app_reviews(), "channel")
    assert row(table, 0, "android")["direction"] == "over"
    assert row(table, 0, "ios")["direction"] == "under"
    assert row(table, 2, "android")["direction"] == ""
    assert row(table, 2, "ios")["direction"] == ""
    assert row(table, 2, "android")["p_value"] == pytest.approx(1.0)
    assert row(table, 1, "android")["direction"] == "under"


def test_fisher_p_value_on_a_tiny_table_matches_hand_computation_and_scipy():
    # 4 items, theme = {0, 1}, segment "a" = {0, 1}: table [[2, 0], [0, 2]].
    # hypergeometric outcomes for n: 0, 1, 2 with probabilities 1/6, 4/6, 1/6 → two-sided p = 1/3
    table = theme_segment_table(make_docs([0, 0, 1, 1], channel=["a", "a", "b", "b"]), "channel")
    r = row(table, 0, "a")
    assert r["test"] == "fisher"
    assert r["p_value"] == pytest.approx(1 / 3)
    assert r["p_value"] == pytest.approx(stats.fisher_exact([[2, 0], [0, 2]]).pvalue)


def test_small_expected_counts_use_fisher_large_use_chi_square_without_yates():
    table = theme_segment_table(app_reviews(), "channel")
    # theme -1 × android: expected count 10 · 30 / 100 = 3 < 5 → Fisher
    r = row(table, -1, "android")
    assert r["test"] == "fisher"
    assert r["p_value"] == pytest.approx(stats.fisher_exact([[2, 8], [28, 62]]).pvalue)
    # theme 0 × android: smallest expected count 20 · 30 / 100 = 6 → chi-square, no continuity correction
    r = row(table, 0, "android")
    assert r["test"] == "chi2"
    observed = [[16, 4], [14, 66]]
    expected_p = stats.chi2_contingency(observed, correction=False).pvalue
    assert r["p_value"] == pytest.approx(expected_p, rel=1e-9)
    assert r["p_value"] != pytest.approx(stats.chi2_contingency(observed, correction=True).pvalue, rel=1e-3)


def test_p_adjusted_is_benjamini_hochberg_over_all_rows():
    table = theme_segment_table(app_reviews(), "plan")
    p = table["p_value"].to_numpy()
    m = len(p)
    order = np.argsort(p)
    # step-up: adjusted p of the i-th smallest is min over k >= i of p_(k) · m / k, capped at 1
    expected = np.empty(m)
    running = 1.0
    for rank in range(m, 0, -1):
        i = order[rank - 1]
        running = min(running, p[i] * m / rank)
        expected[i] = running
    np.testing.assert_allclose(table["p_adjusted"].to_numpy(), expected, rtol=1e-12)
    assert (table["p_adjusted"] >= table["p_value"] - 1e-15).all()


def test_direction_uses_adjusted_p_and_alpha():
    table = theme_segment_table(app_reviews(), "plan", alpha=1e-12)
    assert (table["direction"] == "").all()
    r = row(theme_segment_table(app_reviews(), "plan"), 0, "free")
    assert r["p_value"] < 0.05 and r["direction"] == "over"


def test_over_needs_min_count_items():
    # 4 of 100 items are on "web", all in theme 3: very significant, but only 4 items
    themes = [3] * 4 + [0] * 48 + [1] * 48
    docs = make_docs(themes, channel=["web"] * 4 + ["ios", "android"] * 48)
    r = row(theme_segment_table(docs, "channel"), 3, "web")
    assert r["p_adjusted"] < 0.05 and r["lift"] == pytest.approx(25.0)
    assert r["direction"] == ""
    assert row(theme_segment_table(docs, "channel", min_count=4), 3, "web")["direction"] == "over"


def test_missing_values_form_their_own_segment_and_nothing_is_lost():
    docs = make_docs([0, 0, 0, 1, 1, -1, None], channel=["a", None, np.nan, "a", "b", None, None])
    table = theme_segment_table(docs, "channel")
    assert row(table, 0, MISSING)["n"] == 2
    assert row(table, 0, MISSING)["segment_size"] == 3  # the skipped item's missing value does not count
    sizes = table.drop_duplicates("value").set_index("value")["segment_size"]
    assert sizes.sum() == 6 == table["n_total"].iloc[0]
    assert table.groupby("theme_id")["n"].sum().to_dict() == {0: 3, 1: 2, -1: 1}
    assert table.drop_duplicates("value")["value"].iloc[-1] == MISSING  # listed last


def test_unassigned_theme_is_kept_last_and_flagged():
    table = theme_segment_table(make_docs([-1, 5, 2, -1, 2], channel=list("abcab")), "channel")
    assert list(dict.fromkeys(table["theme_id"])) == [2, 5, -1]
    assert table["unassigned"].tolist() == (table["theme_id"] == -1).tolist()
    assert table["unassigned"].any()


def test_memberships_count_an_item_in_each_of_its_themes_and_once_overall():
    # row 0 is in themes 0 and 1; row 4 is skipped, so memberships naming it are ignored
    docs = make_docs([0, 0, 1, -1, None], channel=["a", "a", "b", "b", "a"])
    members = pd.DataFrame({"row": [0, 0, 1, 2, 3, 4], "theme_id": [0, 1, 0, 1, -1, 0]})
    table = theme_segment_table(docs, "channel", memberships=members)
    r = row(table, 0, "a")
    assert (r["n"], r["theme_size"], r["segment_size"], r["n_total"]) == (2, 2, 2, 4)
    assert r["lift"] == pytest.approx((2 / 2) / (2 / 4))
    r = row(table, 1, "a")
    assert (r["n"], r["theme_size"]) == (1, 2)
    assert r["lift"] == pytest.approx(1.0)
    # without memberships, theme 1 is only row 2, which is on "b"
    assert row(theme_segment_table(docs, "channel"), 1, "a")["n"] == 0


def test_bad_memberships_are_explained():
    docs = make_docs([0, 1], channel=["a", "b"])
    with pytest.raises(FeedmineError, match="'row'"):
        theme_segment_table(docs, "channel", memberships=pd.DataFrame({"theme_id": [0]}))
    with pytest.raises(FeedmineError, match="outside documents"):
        theme_segment_table(docs, "channel", memberships=pd.DataFrame({"row": [7], "theme_id": [0]}))


def test_wrong_column_lists_the_columns_that_exist():
    with pytest.raises(ColumnNotFoundError) as err:
        theme_segment_table(app_reviews(), "chanel")
    message = str(err.value)
    assert "'chanel'" in message and "'channel'" in message and "'plan'" in message and "'theme_id'" in message
    with pytest.raises(FeedmineError, match="theme_id"):
        theme_segment_table(pd.DataFrame({"channel": ["a"]}), "channel")
    with pytest.raises(FeedmineError, match="alpha"):
        theme_segment_table(app_reviews(), "channel", alpha=5)


def test_over_represented_lists_significant_segments_strongest_first():
    docs = app_reviews()
    both = pd.concat([theme_segment_table(docs, "plan"), theme_segment_table(docs, "channel")])
    found = over_represented(both, 0)
    assert [(d["column"], d["value"]) for d in found] == [("channel", "android"), ("plan", "free")]
    assert set(found[0]) == {"column", "value", "share_in_theme", "share_overall", "lift", "p_adjusted"}
    assert found[0]["lift"] == pytest.approx(0.8 / 0.3) and found[1]["lift"] == pytest.approx(0.9 / 0.55)
    assert over_represented(both, 0, top=1) == found[:1]
    assert over_represented(both, 2) == []
    with pytest.raises(FeedmineError, match=r"\[-1, 0, 1, 2\]"):
        over_represented(both, 9)


def test_describe_segments_writes_a_sentence_or_nothing():
    docs = app_reviews()
    assert describe_segments(docs, ["plan", "channel"], theme_id=0) == \
        "mostly channel=android (80% vs 30% overall) and plan=free (90% vs 55%)"
    assert describe_segments(docs, "channel", theme_id=0) == "mostly channel=android (80% vs 30% overall)"
    assert describe_segments(docs, ["plan", "channel"], theme_id=2) == ""
    assert describe_segments(docs, ["plan", "channel"], theme_id=0, top=1).count("=") == 1


def test_no_analysed_items_gives_an_empty_table():
    table = theme_segment_table(make_docs([None, None], channel=["a", "b"]), "channel")
    assert table.empty and "lift" in table.columns
    assert describe_segments(make_docs([None], channel=["a"]), "channel", theme_id=0) == ""
