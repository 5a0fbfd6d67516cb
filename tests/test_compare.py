"""Tests for feedmine.result.compare: theme matching across two runs, statuses, the z-test, edge cases.

Results are built by hand (no pipeline), so every size and share is known exactly.
"""
import math

import numpy as np
import pandas as pd
import pytest

from feedmine.result.compare import COLUMNS, compare, two_proportion_p
from feedmine.errors import FeedmineError
from feedmine.result.result import Result

DELIVERY_B = ["배송이 너무 느려요", "배송이 늦게 와요", "delivery was very slow", "slow delivery again", "배송 지연이 심해요"]
DELIVERY_A = ["배송이 정말 느려요", "배송 지연 너무 심함", "delivery is so slow", "slow slow delivery", "배송이 늦어요"]
CRASH_B = ["앱이 자꾸 꺼져요", "app crashes on start", "the app keeps crashing", "앱이 튕겨요", "app crash after update"]
CRASH_A = ["앱이 계속 꺼져요", "app crashes every time", "app keeps crashing lately", "앱이 자꾸 튕겨요", "crash on launch"]
PAYMENT = ["결제 오류가 나요", "payment failed", "카드 결제가 안 돼요", "payment error at checkout", "결제가 실패했어요"]
REFUND = ["환불해 주세요", "refund please", "환불 언제 되나요", "still waiting for my refund"]
LOGIN = ["로그인이 안 돼요", "login fails", "cannot log in", "로그인 오류가 나요"]
NOISE = ["ok", "그냥 그래요", "hmm", "nothing to say", "보통이에요"]


def cycle(texts: list[str], n: int) -> list[str]:
    return [texts[i % len(texts)] for i in range(n)]


def make_run(spec: dict, n_unassigned: int = 0, n_skipped: int = 0, rating: dict | None = None) -> Result:
    """``spec``: theme_id -> (label, keywords, texts). ``rating``: theme_id -> the rating of its items."""
    texts, labels, ratings = [], [], []
    for tid, (_, _, theme_texts) in spec.items():
        texts += theme_texts
        labels += [tid] * len(theme_texts)
        ratings += [(rating or {}).get(tid, 3.0)] * len(theme_texts)
    texts += cycle(NOISE, n_unassigned)
    labels += [-1] * n_unassigned
    ratings += [3.0] * n_unassigned
    texts += [None] * n_skipped  # skipped items: no text_clean, no theme
    labels += [None] * n_skipped
    ratings += [np.nan] * n_skipped
    docs = pd.DataFrame({"id": [f"row-{i}" for i in range(len(texts))], "text_clean": pd.Series(texts, dtype=object),
                         "theme_id": pd.array(labels, dtype="Int64"), "lang": "ko"})
    if rating is not None:
        docs["rating"] = ratings
    analysed = len(texts) - n_skipped
    rows = [(-1, "unassigned", [], n_unassigned)] + [(tid, lab, kw, len(t)) for tid, (lab, kw, t) in spec.items()]
    themes = pd.DataFrame({"theme_id": [r[0] for r in rows], "label": [r[1] for r in rows],
                           "keywords": [r[2] for r in rows], "size": [r[3] for r in rows],
                           "share": [r[3] / analysed if analysed else 0.0 for r in rows]})
    themes["priority"] = np.where(themes["theme_id"] >= 0, themes["share"], np.nan)
    themes["rank"] = themes["priority"].rank(ascending=False, method="first").astype("Int64")
    themes["quotes"] = [t[:2] for t in [[]] + [s[2] for s in spec.values()]]
    return Result(documents=docs, themes=themes, config={}, meta={})


# before: 40 analysed (delivery 10, crash 10, payment 12, refund 4, unassigned 4) + 3 skipped
# after: 60 analysed (login 8, delivery 30, crash 15, payment 2, unassigned 5) + 2 skipped; ids and labels changed
BEFORE = make_run({0: ("delivery · slow", ["delivery", "slow", "배송"], cycle(DELIVERY_B, 10)),
                   1: ("app · crash", ["app", "crash", "꺼져요"], cycle(CRASH_B, 10)),
                   2: ("결제 · payment", ["결제", "payment"], cycle(PAYMENT, 12)),
                   3: ("환불 · refund", ["환불", "refund"], cycle(REFUND, 4))},
                  n_unassigned=4, n_skipped=3, rating={0: 2.0, 1: 1.0, 2: 2.5, 3: 1.5})
AFTER = make_run({0: ("로그인 · login", ["로그인", "login"], cycle(LOGIN, 8)),
                  1: ("배송 · 지연", ["배송", "지연", "느려요"], cycle(DELIVERY_A, 30)),
                  2: ("튕김 · 꺼짐", ["튕겨요", "launch"], cycle(CRASH_A, 15)),
                  3: ("checkout", ["checkout", "card"], cycle(PAYMENT[1:], 2))},
                 n_unassigned=5, n_skipped=2, rating={0: 2.0, 1: 1.0, 2: 4.0, 3: 3.0})


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return compare(BEFORE, AFTER)


def row(table: pd.DataFrame, before_id=None, after_id=None) -> pd.Series:
    if before_id is not None:
        hit = table[table["before_id"] == before_id]
    else:
        hit = table[table["before_id"].isna() & (table["after_id"] == after_id)]
    assert len(hit) == 1, table
    return hit.iloc[0]


def test_columns_and_one_row_per_theme(table):
    assert list(table.columns) == COLUMNS + ["before_rating", "after_rating"]
    # 3 matched pairs + refund (vanished) + login (new); theme -1 never appears
    assert len(table) == 5
    assert -1 not in set(table["before_id"].dropna()) | set(table["after_id"].dropna())


def test_renamed_labels_match_by_text(table):
    # ids and labels all changed; texts are reworded but about the same thing
    assert row(table, before_id=0)["after_id"] == 1  # delivery
    assert row(table, before_id=1)["after_id"] == 2  # crash (keywords share nothing)
    assert row(table, before_id=2)["after_id"] == 3  # payment
    assert row(table, before_id=1)["after_label"] == "튕김 · 꺼짐"


def test_matching_follows_texts_not_labels():
    # swap the after-run's labels and keywords between delivery and crash: texts must still decide
    after = make_run({1: ("app · crash", ["app", "crash"], cycle(DELIVERY_A, 30)),
                      2: ("delivery · slow", ["delivery", "slow"], cycle(CRASH_A, 15))})
    t = compare(BEFORE, after, min_similarity=0.0)
    assert row(t, before_id=0)["after_id"] == 1
    assert row(t, before_id=1)["after_id"] == 2


def test_keywords_break_a_tie_between_textually_equal_themes():
    before = make_run({0: ("refund", ["refund", "환불"], REFUND)})
    after = make_run({5: ("x", ["delivery"], REFUND), 7: ("y", ["refund", "환불"], REFUND)})
    t = compare(before, after)
    assert row(t, before_id=0)["after_id"] == 7
    assert row(t, after_id=5)["status"] == "new"
    # text cosine 1, Jaccard 1 → 1; the other candidate would have scored 0.8
    assert row(t, before_id=0)["similarity"] == pytest.approx(1.0, abs=1e-5)


def test_each_status(table):
    assert row(table, before_id=0)["status"] == "grown"  # delivery 25% → 50%
    assert row(table, before_id=2)["status"] == "shrunk"  # payment 30% → 3%
    assert row(table, before_id=1)["status"] == "stable"  # crash 25% → 25%
    assert row(table, before_id=3)["status"] == "vanished"  # refund
    assert row(table, after_id=0)["status"] == "new"  # login


def test_shares_sizes_and_change_use_analysed_items(table):
    delivery = row(table, before_id=0)
    assert (delivery["before_size"], delivery["after_size"]) == (10, 30)
    # skipped items are not in the denominator: 10/40 and 30/60, not 10/43 and 30/62
    assert delivery["before_share"] == pytest.approx(0.25)
    assert delivery["after_share"] == pytest.approx(0.5)
    assert delivery["change"] == pytest.approx(0.25)
    new = row(table, after_id=0)
    assert (new["before_size"], new["before_share"], new["change"]) == (0, 0.0, pytest.approx(8 / 60))
    assert math.isnan(new["similarity"]) and new["before_label"] is None and pd.isna(new["before_id"])


def test_z_test_against_hand_computation(table):
    # delivery 10/40 vs 30/60: pooled 40/100 = 0.4, se = sqrt(0.4·0.6·(1/40 + 1/60)) = 0.1, z = 0.25/0.1 = 2.5
    expected = math.erfc(2.5 / math.sqrt(2))  # two-sided: 2·(1 − Φ(2.5)) = 0.012419…
    assert expected == pytest.approx(0.0124193, abs=1e-7)
    assert row(table, before_id=0)["p_value"] == pytest.approx(expected, rel=1e-9)
    assert two_proportion_p(10, 40, 30, 60) == pytest.approx(expected, rel=1e-9)
    # crash 10/40 vs 15/60: the same proportion, z = 0
    assert row(table, before_id=1)["p_value"] == pytest.approx(1.0)
    # vanished refund counts as 0/60 after: pooled 4/100, se = sqrt(.04·.96·(1/40+1/60)), z = .1/se
    z = 0.1 / math.sqrt(0.04 * 0.96 * (1 / 40 + 1 / 60))
    assert row(table, before_id=3)["p_value"] == pytest.approx(math.erfc(z / math.sqrt(2)), rel=1e-9)


def test_two_proportion_p_degenerate_cases():
    assert two_proportion_p(0, 10, 0, 20) == 1.0  # both 0%: nothing to test
    assert two_proportion_p(10, 10, 20, 20) == 1.0  # both 100%
    assert two_proportion_p(3, 0, 5, 10) == 1.0  # an empty run
    assert two_proportion_p(30, 60, 10, 40) == pytest.approx(two_proportion_p(10, 40, 30, 60))  # symmetric


def test_alpha_decides_significance():
    # delivery's p ≈ 0.0124: grown at 0.05, stable at 0.01
    assert row(compare(BEFORE, AFTER, alpha=0.05), before_id=0)["status"] == "grown"
    assert row(compare(BEFORE, AFTER, alpha=0.01), before_id=0)["status"] == "stable"


def test_sort_order(table):
    # new and grown by after_share (delivery 0.5 before login 0.13), then shrunk, vanished, stable
    assert table["status"].tolist() == ["grown", "new", "shrunk", "vanished", "stable"]
    # delivery 10/60 → 30/70 (grown), login 0 → 40/70 (new): the new theme is larger, so it leads
    t = compare(make_run({0: ("d", ["delivery"], cycle(DELIVERY_B, 10))}, n_unassigned=50),
                make_run({1: ("d", ["delivery"], cycle(DELIVERY_A, 30)), 9: ("login", ["login"], cycle(LOGIN, 40))}))
    assert t["status"].tolist() == ["new", "grown"]


def test_rating_means(table):
    assert row(table, before_id=1)[["before_rating", "after_rating"]].tolist() == [1.0, 4.0]
    assert row(table, before_id=3)["before_rating"] == 1.5 and math.isnan(row(table, before_id=3)["after_rating"])
    no_rating = compare(make_run({0: ("a", ["app"], CRASH_B)}), make_run({0: ("a", ["app"], CRASH_A)}))
    assert "before_rating" not in no_rating and "after_rating" not in no_rating


def test_identical_runs_are_all_stable():
    t = compare(BEFORE, BEFORE)
    assert len(t) == 4
    assert (t["status"] == "stable").all()
    assert (t["before_id"] == t["after_id"]).all()
    assert np.allclose(t["similarity"], 1.0, atol=1e-5)
    assert np.allclose(t["change"], 0.0) and np.allclose(t["p_value"], 1.0)


def test_min_similarity_leaves_weak_pairs_unmatched():
    t = compare(BEFORE, AFTER, min_similarity=0.999)
    assert sorted(t["status"]) == ["new"] * 4 + ["vanished"] * 4
    assert t["similarity"].isna().all()


def test_unrelated_themes_do_not_match():
    t = compare(make_run({0: ("refund", ["refund"], REFUND)}), make_run({0: ("login", ["login"], LOGIN)}))
    assert sorted(t["status"]) == ["new", "vanished"]


def test_one_theme_runs():
    t = compare(make_run({3: ("crash", ["app"], CRASH_B)}), make_run({8: ("crash", ["앱"], CRASH_A)}))
    assert len(t) == 1
    assert (t.loc[0, "before_id"], t.loc[0, "after_id"], t.loc[0, "status"]) == (3, 8, "stable")


def test_runs_without_themes():
    only_unassigned = make_run({}, n_unassigned=5)
    t = compare(only_unassigned, AFTER)
    assert sorted(t["status"]) == ["new"] * 4
    assert (t["before_share"] == 0).all()
    t = compare(BEFORE, only_unassigned)
    assert sorted(t["status"]) == ["vanished"] * 4
    empty = make_run({})
    t = compare(empty, empty)
    assert t.empty and list(t.columns) == COLUMNS
    assert t["before_id"].dtype == "Int64"


def test_segment_mode_counts_secondary_themes():
    before = make_run({0: ("a", ["app"], CRASH_B), 1: ("p", ["결제"], PAYMENT)}, rating={0: 1.0, 1: 5.0})
    before.documents["theme_ids"] = [[0, 1]] + [[0]] * 4 + [[1]] * 5  # the first crash item also mentions payment
    t = compare(before, before)
    payment = row(t, before_id=1)
    assert payment["before_rating"] == pytest.approx((1.0 + 5 * 5.0) / 6)


@pytest.mark.parametrize("bad", [pd.DataFrame({"text": ["x"]}), "result", None])
def test_non_result_input_is_a_clear_error(bad):
    with pytest.raises(FeedmineError, match="two feedmine Result objects; before is a"):
        compare(bad, AFTER)
    with pytest.raises(FeedmineError, match="after is a .*fm.analyze"):
        compare(BEFORE, bad)


def test_bad_parameters_and_missing_columns():
    with pytest.raises(FeedmineError, match="min_similarity must be between 0 and 1"):
        compare(BEFORE, AFTER, min_similarity=1.5)
    with pytest.raises(FeedmineError, match="alpha must be between 0 and 1"):
        compare(BEFORE, AFTER, alpha=0)
    broken = Result(documents=BEFORE.documents.drop(columns="text_clean"), themes=BEFORE.themes)
    with pytest.raises(FeedmineError, match="documents.text_clean"):
        compare(BEFORE, broken)
