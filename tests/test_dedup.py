"""Tests for NearDuplicateFinder and campaign_table (feedmine.text.dedup)."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone

from feedmine.text.dedup import NearDuplicateFinder, campaign_table
from feedmine.text.normalize import TextCleaner

COMPLAINT = "결제하고 나서 앱이 계속 튕겨요 재설치도 해봤는데 똑같아요 빨리 고쳐주세요 환불도 안 되고 답답합니다"
EDITED = "결제하고 나서 앱이 계속 튕겨요!! 재설치도 해봤는데 똑같아요 빨리 고쳐 주세요 환불도 안되고 답답합니다ㅠ"
UNRELATED = [
    "배송이 일주일이나 걸렸고 포장도 엉망이었어요 박스가 다 찢어져서 왔네요",
    "상담원 연결이 너무 어렵습니다 삼십분째 대기중이에요 전화 좀 받아주세요",
    "The checkout page crashes every time I apply a coupon code on Android",
    "포인트 적립이 안 됐어요 구매 내역에는 있는데 포인트는 그대로입니다",
    "다크모드 지원해 주시면 좋겠어요 밤에 보기 눈이 너무 아파요",
]


def groups(texts, **params):
    return NearDuplicateFinder(**params).fit_predict(texts).tolist()


def test_edited_paste_grouped_with_original():
    assert groups([COMPLAINT, UNRELATED[0], EDITED]) == [0, 1, 0]


def test_unrelated_texts_are_singletons():
    assert groups(UNRELATED) == list(range(len(UNRELATED)))


def test_short_texts_grouped_only_when_equal():
    texts = ["좋아요", "좋아요", "좋아요!", "좋 아 요", "좋아여", "별로요", "별로예요", "좋아요"]
    # whitespace and case are ignored, punctuation is not: "좋아요!" is a different short text
    assert groups(texts) == [0, 0, 2, 0, 4, 5, 6, 0]


def test_min_chars_zero_lets_short_texts_match_by_jaccard():
    # "abcdefghi" vs "abcdefghij": 7 of 8 shingles shared = 0.875; grouped only below min_chars
    assert groups(["abcdefghi", "abcdefghij"]) == [0, 1]
    assert groups(["abcdefghi", "abcdefghij"], min_chars=0) == [0, 0]


def test_empty_and_non_text_are_singletons():
    texts = ["", None, "", float("nan"), 12345, "   ", COMPLAINT, COMPLAINT]
    finder = NearDuplicateFinder().fit(texts)
    assert finder.group_.tolist() == [0, 1, 2, 3, 4, 5, 6, 6]
    assert finder.group_size_.tolist() == [1, 1, 1, 1, 1, 1, 2, 2]
    assert finder.n_groups_ == 7


def test_empty_input():
    finder = NearDuplicateFinder().fit([])
    assert finder.group_.tolist() == [] and finder.n_groups_ == 0


def test_threshold_one_groups_only_identical_shingle_sets():
    spaced = COMPLAINT.replace(" ", "  ").upper()  # whitespace and case do not count
    texts = [COMPLAINT, EDITED, spaced, COMPLAINT + "."]
    assert groups(texts, threshold=1.0) == [0, 1, 0, 3]
    assert groups(texts) == [0, 0, 0, 0]


def test_group_id_is_first_member_position():
    texts = [UNRELATED[0], UNRELATED[1], EDITED, UNRELATED[2], COMPLAINT, EDITED]
    finder = NearDuplicateFinder().fit(texts)
    assert finder.group_.tolist() == [0, 1, 2, 3, 2, 2]
    assert finder.group_size_.tolist() == [1, 1, 3, 1, 3, 3]
    assert finder.n_groups_ == 4


def test_chain_is_one_group():
    # A~B and B~C (each one edit apart) join A and C even though A and C alone are further apart
    a = "주문한 상품이 아직도 안 왔어요 언제 오는지 알려주세요 벌써 열흘째입니다 빨리요"
    b = a.replace("열흘째", "열흘이")
    c = b.replace("빨리요", "빨리좀")
    assert groups([a, UNRELATED[0], c, b]) == [0, 1, 0, 0]


def test_deterministic_across_runs_and_seeds():
    texts = [COMPLAINT, *UNRELATED, EDITED, UNRELATED[3] + "!!", COMPLAINT]
    expected = [0, 1, 2, 3, 4, 5, 0, 4, 0]
    for seed in [0, 0, 1, 42, 12345]:
        assert groups(texts, random_state=seed) == expected


def _spam_line(i: int) -> str:
    # each spam copy differs by one trailing code, as campaigns do to dodge exact filters
    return f"지금 바로 가입하면 포인트 만원 즉시 지급 이벤트 참여는 프로필 링크 확인 코드{i:02d}"


def _distinct_text(i: int) -> str:
    words = ["배송", "환불", "로그인", "결제", "알림", "검색", "쿠폰", "리뷰", "장바구니", "고객센터", "업데이트",
             "배터리"]
    rng = np.random.RandomState(i)
    picked = rng.choice(words, size=4, replace=False)
    return f"{i}번 {' '.join(picked)} 문제가 {rng.randint(1000, 9999)}건 있습니다 " + "가나다라마바사아자차카타파하"[i % 14:]


def test_spam_campaign_forms_one_group():
    rng = np.random.RandomState(0)
    texts = [_distinct_text(i) for i in range(100)] + [_spam_line(i) for i in range(30)]
    order = rng.permutation(len(texts))
    texts = [texts[i] for i in order]
    finder = NearDuplicateFinder().fit(texts)
    spam = [i for i, t in enumerate(texts) if t.startswith("지금 바로")]
    assert len({finder.group_[i] for i in spam}) == 1
    assert finder.group_[spam[0]] == spam[0]
    assert finder.group_size_[spam].tolist() == [30] * 30
    assert (finder.group_size_ >= 2).sum() == 30
    assert finder.n_groups_ == 101


def test_many_exact_copies_are_cheap_and_grouped():
    texts = [COMPLAINT] * 2000 + [EDITED]
    finder = NearDuplicateFinder().fit(texts)
    assert set(finder.group_.tolist()) == {0}


def test_params_follow_sklearn_conventions():
    finder = NearDuplicateFinder(threshold=0.9, bands=8)
    assert clone(finder).get_params()["threshold"] == 0.9
    assert not hasattr(finder, "group_")


@pytest.mark.parametrize("params", [{"threshold": 0}, {"threshold": 1.5}, {"num_perm": 60, "bands": 16},
                                    {"bands": 0}, {"min_chars": -1}])
def test_bad_params_raise(params):
    with pytest.raises(ValueError):
        NearDuplicateFinder(**params).fit(["a"])


pieces = st.sampled_from(["배송", "환불", "좋아요", "앱", "!!", " ", "ㅋㅋ", "abc", "결제 오류", "x"])
texts_strategy = st.lists(st.one_of(st.lists(pieces, max_size=12).map("".join), st.none(),
                                    st.text(max_size=30)), max_size=40)


@settings(max_examples=100, deadline=None)
@given(texts=texts_strategy, threshold=st.sampled_from([0.5, 0.8, 1.0]), min_chars=st.sampled_from([0, 3, 10]))
def test_group_invariants(texts, threshold, min_chars):
    finder = NearDuplicateFinder(threshold=threshold, min_chars=min_chars).fit(texts)
    group = finder.group_
    assert len(group) == len(texts) == len(finder.group_size_)
    for i, g in enumerate(group):
        assert 0 <= g <= i
        assert group[g] == g
    assert finder.n_groups_ == len(set(group.tolist()))
    assert finder.group_size_.tolist() == [int((group == g).sum()) for g in group]
    # identical strings always share a group unless normalisation empties them (control characters)
    cleaner = TextCleaner(mask_pii=False).fit()
    for i, t in enumerate(texts):
        if isinstance(t, str) and "".join(cleaner.normalize(t).split()) and t in texts[:i]:
            assert group[i] == group[texts.index(t)]


def test_campaign_table_counts_customers_once():
    texts = [COMPLAINT, UNRELATED[0], EDITED, COMPLAINT, UNRELATED[1], UNRELATED[1] + "."]
    group = NearDuplicateFinder().fit_predict(texts)
    table = campaign_table(texts, group, ids=["r0", "r1", "r2", "r3", "r4", "r5"],
                           customers=["kim", "lee", "kim", "park", None, "choi"])
    assert table.columns.tolist() == ["group_id", "size", "n_customers", "first_id", "example"]
    assert table.values.tolist() == [[0, 3, 2, "r0", COMPLAINT], [4, 2, 1, "r4", UNRELATED[1]]]


def test_campaign_table_without_customers_or_groups():
    table = campaign_table(["a", "b"], [0, 1])
    assert table.columns.tolist() == ["group_id", "size", "first_id", "example"]
    assert len(table) == 0
    table = campaign_table(["x", "x"], np.array([0, 0]))
    assert table.values.tolist() == [[0, 2, "0", "x"]]


def test_campaign_table_length_mismatch():
    with pytest.raises(ValueError):
        campaign_table(["a", "b"], [0])


def test_sketches_of_chunks_give_the_groups_of_one_fit():
    from feedmine.text.dedup import NearDuplicateFinder, Sketch

    base = ["배송이 너무 느려요 환불해 주세요 일주일째 기다리고 있어요", "the app crashes every time I open the camera",
            "좋아요", "refund never arrived after three weeks of waiting"]
    texts = []
    for i in range(60):
        t = base[i % 4]
        texts.append(t + ("!" * (i % 3)) if i % 5 else t.upper() if t.isascii() else t)
    texts += [None, "", "one more unrelated sentence about the login page"]
    finder = NearDuplicateFinder()
    whole = finder.fit(texts).group_.copy()
    parts = [finder.sketch(texts[i:i + 7]) for i in range(0, len(texts), 7)]
    joined = finder.fit_sketch(texts, Sketch.join(parts, finder.bands)).group_
    assert joined.tolist() == whole.tolist()
    assert len(set(whole[[0, 4, 8]])) == 1  # the pasted Korean complaint, edited, is one group
    with pytest.raises(ValueError, match="sketch of"):
        finder.fit_sketch(texts[:-1], Sketch.join(parts, finder.bands))
