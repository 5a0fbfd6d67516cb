"""Tests for the ChurnDetector (short hand-written strings only)."""
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone

from feedmine.tagging.churn import ChurnDetector


def detect(*texts, **params):
    return ChurnDetector(**params).fit_transform(list(texts))


def is_churn(text, **params):
    return bool(detect(text, **params)["is_churn_risk"].iloc[0])


def cue(text, **params):
    return detect(text, **params)["churn_cue"].iloc[0]


CHURN = [
    "탈퇴합니다", "회원 탈퇴하고 싶어요", "구독 해지했어요", "구독해지 해주세요", "구독 취소해주세요", "자동결제 해지 방법 알려주세요",
    "환불해 주세요", "환불 요청합니다", "다른 앱으로 갈아탑니다", "쿠팡으로 갈아탈게요", "앱 삭제합니다", "이 앱 지웠어요",
    "이제 안 쓸래요", "더 이상 안 씀", "끊을게요", "다신 안 깔아요", "결제 error 계속 뜨네 그냥 탈퇴할게요ㅡㅡ",
    "I want to cancel my subscription", "I'm cancelling", "Switching to Todoist", "moving to Spotify",
    "uninstalling now", "deleting this app", "I want a refund", "never using this again", "I'm done with this app",
    "goodbye", "Unsubscribed.", "won't be using it anymore", "I won't be renewing", "deleted my account",
    "탈퇴하면 데이터 다 사라지나요?",
]
NOT_CHURN = [
    "탈퇴는 안 할게요", "해지 안 하고 계속 쓸게요", "탈퇴할 생각 없어요", "탈퇴하지 않을게요", "해지 말고 계속 쓸게요",
    "렉이 점점 심해지네요", "화면이 약해지는 느낌", "와이파이 연결이 자꾸 끊겨요", "앱 삭제 후 재설치했는데도 안 돼요",
    "지우고 다시 깔았더니 됩니다", "배송이 빨라서 좋아요", "이 앱 최고예요",
    "I would never cancel my subscription", "no need to uninstall, it works after the update",
    "tried uninstalling and reinstalling, still crashes", "I don't want a refund, just fix it",
    "switching to dark mode fixed it", "moving to the next page is slow", "I'm done uploading but it fails",
    "I won't uninstall it", "Don't uninstall, the fix is coming", "I'm not switching to Notion",
    "Great app, love it", "환불은 필요 없어요 고쳐만 주세요", "그 기능은 안 써요", "이 앱 안 쓸 수가 없어요",
    "cancel button doesn't work", "I switched from Evernote and love it",
]


@pytest.mark.parametrize("text", CHURN)
def test_churn(text):
    assert is_churn(text)


@pytest.mark.parametrize("text", NOT_CHURN)
def test_not_churn(text):
    assert not is_churn(text)


@pytest.mark.parametrize("text", ["탈퇴 어떻게 해요?", "해지는 어디서 하나요", "how do I cancel my subscription?",
                                  "How can I uninstall this?", "환불 가능한가요?", "I don't know how to cancel my subscription"])
def test_asking_how_to_leave_is_churn(text):
    assert is_churn(text)


@pytest.mark.parametrize("text", ["탈퇴가 안 돼요", "환불 안 해줘요", "해지가 안 되네요", "I can't cancel my subscription",
                                  "It won't let me cancel my subscription", "I never got my refund",
                                  "still haven't received my refund"])
def test_being_unable_to_leave_is_still_churn(text):
    assert is_churn(text)


def test_cue_is_the_matched_phrase():
    out = detect("how do I cancel my subscription?", "uninstalling now", "I'm switching to Notion", "이 앱 지웠어요",
                 "그냥 안 쓸래요")
    assert out["churn_cue"].tolist() == ["cancel my subscription", "uninstalling", "switching to Notion", "앱 지웠",
                                         "안 쓸래"]
    # the first unnegated cue wins
    assert cue("탈퇴는 안 할게요, 대신 구독 취소할게요") == "구독 취소"


def test_competitor_needs_a_name_not_a_mode():
    assert is_churn("Switched to Notion last week")
    assert not is_churn("Switched to dark mode, nice")
    assert not is_churn("switched to Android and the app crashes")


def test_negation_window_parameter():
    text = "I never ever really truly cancel my subscription"
    assert is_churn(text)  # "never" is four words back
    assert not is_churn(text, negation_window=4)
    assert is_churn("I would never cancel my subscription", negation_window=0)


def test_extra_patterns():
    assert not is_churn("I'm going to Todoist")
    assert is_churn("I'm going to Todoist", extra_patterns=[r"going to todoist"])
    assert cue("그냥 노션으로 감", extra_patterns=["노션으로"]) == "노션으로"
    with pytest.raises(Exception):
        ChurnDetector(extra_patterns=["(unclosed"]).fit()


def test_empty_inputs_and_order():
    texts = ["탈퇴합니다", None, float("nan"), "", "  ", 3.5, "refund please", pd.NA, "좋아요"]
    out = ChurnDetector().fit_transform(texts)
    assert list(out.columns) == ["is_churn_risk", "churn_cue"]
    assert out["is_churn_risk"].tolist() == [True, False, False, False, False, False, True, False, False]
    assert out["churn_cue"].tolist() == ["탈퇴", "", "", "", "", "", "refund", "", ""]
    assert out["is_churn_risk"].dtype == bool


def test_langs():
    out = ChurnDetector().fit_transform(["탈퇴합니다", "탈퇴합니다"], langs=["ko", "none"])
    assert out["is_churn_risk"].tolist() == [True, False]
    with pytest.raises(ValueError, match="langs"):
        ChurnDetector().transform(["a", "b"], langs=["ko"])


def test_sklearn_conventions():
    detector = ChurnDetector(negation_window=2, extra_patterns=["bye bye"])
    assert detector.get_params() == {"negation_window": 2, "extra_patterns": ["bye bye"]}
    copy = clone(detector)
    assert copy.get_params() == detector.get_params() and not hasattr(copy, "pattern_")
    texts = ["탈퇴합니다", "좋아요", "bye bye"]
    pd.testing.assert_frame_equal(ChurnDetector().transform(texts), ChurnDetector().fit(texts).transform(texts))
    with pytest.raises(ValueError, match="negation_window"):
        ChurnDetector(negation_window=-1).fit()


NEUTRAL = ["배송은 빨랐어요.", "화면이 예뻐요.", "I use it every day.", "The update came out yesterday.",
           "사진 업로드는 잘 됩니다.", "오늘 날씨가 좋네요", "My phone is a Galaxy S23.", "가격은 보통이에요"]
NOT_CHURN_TEXT = st.one_of(st.sampled_from(NOT_CHURN), st.text(alphabet=st.sampled_from("가나다 abc.!?ㅠㅡ"), max_size=20))


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(NOT_CHURN_TEXT, st.sampled_from(NEUTRAL)), min_size=1, max_size=8))
def test_appending_a_neutral_sentence_never_creates_churn(pairs):
    detector = ChurnDetector().fit()
    base = detector.transform([t for t, _ in pairs])
    extended = detector.transform([f"{t}. {n}" for t, n in pairs])
    assert len(extended) == len(pairs)
    assert not (extended["is_churn_risk"] & ~base["is_churn_risk"]).any()


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(CHURN), st.sampled_from(NEUTRAL)), min_size=1, max_size=8))
def test_appending_a_neutral_sentence_keeps_churn(pairs):
    out = ChurnDetector().fit_transform([f"{t} {n}" for t, n in pairs])
    assert out["is_churn_risk"].all()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.none(), st.floats(allow_nan=True), st.text(max_size=40)), max_size=15))
def test_output_length_equals_input_length(texts):
    out = ChurnDetector().fit_transform(texts)
    assert len(out) == len(texts)
    assert (out["is_churn_risk"] == (out["churn_cue"] != "")).all()
