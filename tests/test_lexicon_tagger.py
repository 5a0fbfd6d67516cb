"""Tests for the baseline LexiconTagger (short hand-written strings only)."""
import math
import unicodedata

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feedmine.tagging.lexicon import SEVERITY_LEVELS, LexiconTagger


def tag(*texts, **params):
    return LexiconTagger(**params).fit_transform(list(texts))


def sentiment(text, **params):
    return float(tag(text, **params)["sentiment"].iloc[0])


def severity(text):
    row = tag(text).iloc[0]
    return row["severity"], row["severity_cue"]


@pytest.mark.parametrize("negative, positive", [
    ("앱이 너무 불편해요", "앱이 너무 편하고 좋아요"),
    ("최악이에요 짜증나요", "최고예요 감사합니다"),
    ("별로예요", "만족합니다 짱"),
    ("This app is terrible and buggy", "I love this app, it is great"),
    ("Useless, it keeps crashing", "Awesome and easy to use, thanks"),
])
def test_negative_below_zero_below_positive(negative, positive):
    assert sentiment(negative) < 0 < sentiment(positive)


def test_english_negation_flips():
    assert sentiment("not good") < 0 < sentiment("good")
    assert sentiment("This is not bad at all") > 0
    assert sentiment("I don't love the update") < 0


def test_negation_does_not_cross_a_clause_or_come_from_a_phrase():
    # "won't" belongs to the scored phrase and to another clause; it must not flip "terrible"
    assert sentiment("won't load, terrible") < sentiment("won't load")


def test_korean_negation():
    assert sentiment("안 좋아요") < 0 < sentiment("좋아요")
    assert sentiment("안좋아요") < 0
    assert sentiment("좋지 않아요") < 0
    assert sentiment("나쁘지 않아요") >= 0 > sentiment("나빠요")
    assert sentiment("문제 없어요") > sentiment("문제가 있어요")
    # 안 that ends another word (동안, 편안) is not a negator
    assert sentiment("한 달 동안 좋았어요") > 0


def test_wish_with_joh_is_not_praise():
    assert sentiment("다크모드가 있으면 좋겠어요") == 0.0
    assert sentiment("좋네요") > 0


def test_crying_and_scowl_cues_lower_sentiment():
    assert sentiment("배송이 늦어요ㅠㅠ") < sentiment("배송이 늦어요") == 0.0
    assert sentiment("느려요ㅠㅠ") < sentiment("느려요") < 0
    assert sentiment("ㅡㅡ") < 0
    # the cleaner NFKC-normalises, which turns compatibility jamo into conjoining jamo
    assert sentiment(unicodedata.normalize("NFKC", "배송이 늦어요ㅠㅠ")) < 0


def test_amplifiers():
    assert sentiment("너무 불편해요") < sentiment("불편해요") < 0
    assert sentiment("very slow") < sentiment("slow") < 0
    assert sentiment("great!!!") > sentiment("great") > 0
    assert sentiment("the app is TERRIBLE") < sentiment("the app is terrible") < 0


def test_contrast_weights_the_last_clause():
    assert sentiment("Nice design but it is so slow") < 0
    assert sentiment("좀 느리지만 정말 좋아요") > 0


@pytest.mark.parametrize("text, level, cue", [
    ("결제가 두 번 됐어요 환불해 주세요", "critical", "환불"),
    ("계정이 해킹당했어요", "critical", "해킹"),
    ("개인정보 유출된 거 아닌가요", "critical", "개인정보"),
    ("그냥 탈퇴할게요", "critical", "탈퇴"),
    ("I want a refund now", "critical", "refund"),
    ("My account was hacked", "critical", "hacked"),
    ("I'm going to cancel my subscription", "critical", "cancel my subscription"),
    ("I was charged twice for one order", "critical", "charged twice"),
    ("The app crashes on launch", "high", "crash"),
    ("로그인이 안 돼요", "high", "로그인이 안"),
    ("업데이트 후 강제종료돼요", "high", "강제종료"),
    ("자꾸 튕겨요", "high", "튕겨"),
    ("결제 오류가 떠요", "high", "오류"),
    ("I can't login since yesterday", "high", "can't login"),
    ("It doesn't work anymore", "high", "doesn't work"),
    ("The app is really slow", "medium", "slow"),
    ("앱이 너무 느려요", "medium", "느려"),
    ("스크롤할 때 버벅거려요", "medium", "버벅"),
    ("The new menu is confusing", "medium", "confus"),
])
def test_severity_rubric(text, level, cue):
    got_level, got_cue = severity(text)
    assert got_level == level
    assert cue.lower() in got_cue.lower()


@pytest.mark.parametrize("text", ["정말 좋아요 감사합니다", "Love it, works great", "다크모드 추가해 주세요",
                                  "Please add a dark mode", "How do I change my password?", "오늘 사용했어요"])
def test_praise_requests_questions_and_neutral_are_low(text):
    level, cue = severity(text)
    assert level == "low" and cue


def test_severity_order_on_rubric_examples():
    out = tag("환불해 주세요", "앱이 계속 crash 나요", "조금 느려요", "최고예요")
    assert list(out["severity"].cat.codes) == [3, 2, 1, 0]
    assert list(out["severity"] >= "high") == [True, True, False, False]  # ordered categorical


def test_negated_cue_does_not_count():
    assert severity("Great app, never crashes")[0] == "low"
    assert severity("No bugs so far")[0] == "low"
    assert severity("오류 없이 잘 돼요")[0] == "low"
    assert severity("튕기지 않아요")[0] == "low"


def test_clearly_negative_without_cue_is_medium():
    level, cue = severity("실망했어요 최악")
    assert level == "medium" and cue.startswith("negative sentiment -")


def test_cue_is_never_empty():
    out = tag("좋아요", "hello there", "ok", "튕겨요", "?", "", None)
    assert out["severity_cue"].map(lambda c: isinstance(c, str) and len(c) > 0).all()


@pytest.mark.parametrize("text", ["다크모드 추가해 주세요", "위젯 기능이 있으면 좋겠어요", "알림 설정을 개선해 주셨으면 합니다",
                                  "빠른 업데이트 바랍니다", "Please add dark mode", "It would be nice to have widgets",
                                  "I wish it had an export button", "You should have an offline mode",
                                  "Feature request: tags", "Can you add a search bar?", "hope you add sync"])
def test_requests_are_flagged(text):
    assert bool(tag(text)["is_request"].iloc[0]) is True


@pytest.mark.parametrize("text", ["앱이 너무 느려요", "로그인이 안 돼요", "좋아요", "The app crashes all the time",
                                  "Worst update ever", "좋겠어요 라는 말은 안 했어요 그냥 느림"])
def test_plain_complaints_are_not_requests(text):
    assert bool(tag(text)["is_request"].iloc[0]) is False


@pytest.mark.parametrize("value", ["", "   ", "\n\t", None, 42, 3.5, float("nan"), pd.NA, b"bytes"])
def test_empty_and_non_text(value):
    row = tag(value).iloc[0]
    assert row["sentiment"] == 0.0
    assert row["severity"] == "low" and row["severity_cue"] == "empty"
    assert not row["is_request"]


def test_output_shape_order_and_dtypes():
    texts = ["튕겨요", "좋아요", None, "Please add dark mode", "slow"]
    out = tag(*texts)
    assert list(out.columns) == ["sentiment", "severity", "severity_cue", "is_request"]
    assert len(out) == len(texts) and list(out.index) == list(range(len(texts)))
    assert list(out["severity"]) == ["high", "low", "low", "low", "medium"]
    assert isinstance(out["severity"].dtype, pd.CategoricalDtype) and out["severity"].cat.ordered
    assert list(out["severity"].cat.categories) == list(SEVERITY_LEVELS)
    assert out["sentiment"].dtype == float and out["is_request"].dtype == bool
    assert len(tag()) == 0


def test_langs_none_marks_skipped_and_length_is_checked():
    out = LexiconTagger().transform(["튕겨요", "튕겨요"], langs=["ko", "none"])
    assert list(out["severity_cue"]) == ["튕겨", "empty"]
    with pytest.raises(ValueError):
        LexiconTagger().transform(["a", "b"], langs=["en"])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from(list("좋아요안못불편해최악ㅠㅜㅡ!? notgreatbadCRASH렉지않없")),
                        max_size=30), max_size=5))
def test_bounds_and_no_crash(texts):
    out = LexiconTagger().transform(texts)
    assert len(out) == len(texts)
    assert out["sentiment"].between(-1, 1).all() and not out["sentiment"].map(math.isnan).any()
    assert out["severity_cue"].map(len).gt(0).all()


def test_extreme_text_stays_in_bounds():
    assert -1 <= sentiment("최악 " * 200 + "!!!!!!!") < -0.99
    assert 0.99 < sentiment("GREAT awesome love " * 100) <= 1


def test_params_and_extra_words():
    tagger = LexiconTagger(negation_window=2, extra_negative=["구려"], extra_positive=["stellar"])
    assert tagger.get_params() == {"negation_window": 2, "extra_negative": ["구려"], "extra_positive": ["stellar"]}
    assert tagger.fit() is tagger and tagger.is_fitted_
    assert sentiment("디자인이 구려요", extra_negative=["구려"]) < 0 == sentiment("디자인이 구려요")
    assert sentiment("stellar support", extra_positive=["stellar"]) > 0 == sentiment("stellar support")
    tagger.set_params(negation_window=0)
    assert tagger.get_params()["negation_window"] == 0
    assert float(tagger.fit_transform(["not good"])["sentiment"].iloc[0]) > 0  # no window, no flip
    with pytest.raises(ValueError):
        LexiconTagger(negation_window=-1).fit()


def test_negation_window_controls_reach():
    far = "not really that very good"  # "not" is 4 words before "good"
    assert sentiment(far, negation_window=3) > 0 > sentiment(far, negation_window=4)
