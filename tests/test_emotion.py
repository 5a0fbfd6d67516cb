"""Tests for the lexicon EmotionTagger (short hand-written strings only)."""
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone

from feedmine.tagging.emotion import EMOTIONS, EmotionTagger


def tag(*texts, **kwargs):
    sentiment = kwargs.pop("sentiment", None)
    return EmotionTagger(**kwargs).fit_transform(list(texts), sentiment=sentiment)


def emotion(text, **kwargs):
    return tag(text, **kwargs)["emotion"].iloc[0]


def confidence(text, **kwargs):
    return float(tag(text, **kwargs)["emotion_confidence"].iloc[0])


@pytest.mark.parametrize("text, expected", [
    # anger
    ("진짜 화나네요", "anger"), ("열받아서 리뷰 남깁니다", "anger"), ("빡치네", "anger"), ("어이가 없네요", "anger"),
    ("개짜증", "anger"), ("ㅡㅡ", "anger"), ("이거 완전 사기앱이네요", "anger"),
    ("This is ridiculous and unacceptable", "anger"), ("wtf is this update", "anger"),
    ("Thanks for nothing", "anger"), ("THIS APP IS A JOKE FIX IT NOW", "anger"),
    # frustration
    ("넘 답답해요", "frustration"), ("또 튕겨요", "frustration"), ("자꾸 로그인이 풀려요", "frustration"),
    ("아무리 해도 안 돼요", "frustration"), ("짱나", "frustration"), ("This is so frustrating", "frustration"),
    ("It keeps crashing", "frustration"), ("still not fixed", "frustration"),
    ("why does it keep logging me out", "frustration"),
    ("I've never been so frustrated", "frustration"),
    # disappointment
    ("너무 실망했어요", "disappointment"), ("아쉽네요", "disappointment"), ("예전이 더 나았어요", "disappointment"),
    ("업데이트 후 느려졌어요", "disappointment"), ("It used to be great", "disappointment"),
    ("expected more from this", "disappointment"), ("this is not what I expected", "disappointment"),
    ("좋았는데 업데이트 후 자꾸 튕겨요", "disappointment"),
    # confusion
    ("헷갈려요", "confusion"), ("어떻게 하는 건지 모르겠어요", "confusion"), ("이해가 안 돼요", "confusion"),
    ("설정이 어디서 바꾸는지?", "confusion"), ("how do I change my password?", "confusion"),
    ("I can't figure out the settings", "confusion"), ("I'm not sure how to export my data", "confusion"),
    # worry
    ("걱정돼요", "worry"), ("개인정보 유출된 거 아닌가요?", "worry"), ("혹시 제 결제 정보 괜찮을까요?", "worry"),
    ("I'm worried about my data", "worry"), ("is it safe to link my card?", "worry"),
    ("Is my payment info safe after the breach?", "worry"),
    # satisfaction
    ("너무 만족해요", "satisfaction"), ("최고예요", "satisfaction"), ("편해요", "satisfaction"),
    ("잘 쓰고 있어요", "satisfaction"), ("굿굿", "satisfaction"), ("짱이에요", "satisfaction"),
    ("I love this app", "satisfaction"), ("works well", "satisfaction"), ("와 진짜 너무 좋아", "satisfaction"),
    # gratitude
    ("감사합니다", "gratitude"), ("고마워요", "gratitude"), ("수고하셨습니다", "gratitude"),
    ("빠른 답변 감사합니다", "gratitude"), ("I really appreciate the quick fix", "gratitude"),
])
def test_labels(text, expected):
    assert emotion(text) == expected


def test_code_mixed_and_slang():
    out = tag("결제 error 계속 뜸 짜증", "로그인 안돼요 ㅡㅡ 뭐하는거임", "update 후 넘 답답ㅠㅠ")
    assert out["emotion"].tolist() == ["frustration", "anger", "frustration"]
    assert out["emotion_cue"].tolist() == ["짜증", "ㅡㅡ", "답답"]


def test_cue_is_the_matched_phrase_and_whole_english_word():
    out = tag("The new design is confusing", "I'm not satisfied", "만족스럽지 않아요", "안 좋아요")
    assert out["emotion_cue"].tolist() == ["confusing", "not satisfied", "만족스럽지 않", "안 좋아요"]


@pytest.mark.parametrize("text", ["not satisfied", "I'm not satisfied at all", "I don't love it", "not great",
                                  "불만족", "만족스럽지 않아요", "안 좋아요", "만족 못 해요", "I am NOT happy"])
def test_negated_satisfaction_is_disappointment(text):
    assert emotion(text) == "disappointment"


@pytest.mark.parametrize("text", ["걱정 없어요", "걱정 마세요", "no worries", "nothing to worry about",
                                  "I'm not angry", "not confused anymore", "짜증 안 나요", "앱이 불안정해요"])
def test_negated_or_false_friend_negative_cue_is_not_that_emotion(text):
    label = emotion(text)
    assert label not in {"worry", "anger", "confusion", "frustration"}


def test_negation_only_reaches_three_words_in_the_same_clause():
    assert emotion("not that it matters, I'm worried") == "worry"
    assert emotion("I do not really feel worried") == "none"


@pytest.mark.parametrize("text", ["환불해주세요 감사합니다", "다크모드 추가해 주세요 감사합니다", "app is slow. thanks",
                                  "Please fix this, thanks.", "탈퇴는 어떻게 하나요? 감사합니다"])
def test_sign_off_thanks_is_weak(text):
    assert emotion(text) != "gratitude"


def test_sign_off_thanks_does_not_beat_a_negative_emotion():
    assert emotion("감사합니다ㅡㅡ") == "anger"  # sarcastic thanks
    assert emotion("계속 튕겨요 짜증나요 고쳐주세요 감사합니다") == "frustration"
    assert emotion("또 오류네요 실망입니다. 감사합니다") == "disappointment"
    # thanks that is the point of the message stays strong
    assert emotion("정말 감사합니다 덕분에 해결했어요") == "gratitude"


@pytest.mark.parametrize("text", ["I would love a dark mode", "It would be great if you added sync",
                                  "다크모드가 있으면 좋겠어요", "영화나 드라마 추천해줘요", "대화나 채팅 기능이 있으면 좋겠어요",
                                  "계속 쓸게요", "배송 조회는 앱에서 했어요", "속도가 좀 좋아지면 좋겠어요", "The app opened.", "also 또한 문제없이 됩니다"])
def test_wishes_and_neutral_text_have_no_emotion(text):
    assert emotion(text) == "none"


def test_adverb_cue_needs_context():
    # 계속/keeps alone are not an emotion; with a malfunction they are frustration
    assert emotion("계속 쓸게요") == "none" and emotion("계속 튕겨요") == "frustration"
    assert emotion("every time I open it") == "none"
    assert emotion("every time I open it it freezes") == "frustration"


def test_amplifiers_raise_confidence():
    assert confidence("너무 실망했어요") > confidence("실망했어요") > 0
    assert confidence("really disappointed") > confidence("disappointed") > 0
    assert confidence("답답해요!!!") > confidence("답답해요")
    assert confidence("답답해요ㅠㅠ") > confidence("답답해요")
    assert confidence("I AM SO ANGRY RIGHT NOW") > confidence("I am so angry right now")
    # agreeing cues add up
    assert confidence("화나고 어이없네요") > confidence("화나네요")


def test_contrast_weights_the_last_clause():
    assert emotion("Great app but it keeps crashing every time I open it") == "frustration"
    assert emotion("좀 아쉽지만 정말 만족해요") == "satisfaction"


def test_disagreeing_sentiment_lowers_confidence():
    base = confidence("좋아요")
    assert confidence("좋아요", sentiment=[0.8]) == pytest.approx(base)
    assert 0 < confidence("최고예요 만족", sentiment=[-0.6]) < confidence("최고예요 만족")
    assert emotion("좋아요", sentiment=[-0.9]) == "none"
    assert emotion("짜증나요", sentiment=[-0.5]) == "frustration"
    assert emotion("짜증나요", sentiment=[0.9]) == "none"
    # missing sentiment values are ignored, not treated as 0 or as an error
    out = tag("좋아요", "짜증나요", sentiment=[float("nan"), None])
    assert out["emotion"].tolist() == ["satisfaction", "frustration"]


def test_nfkc_normalised_input_still_matches_jamo():
    import unicodedata
    assert emotion(unicodedata.normalize("NFKC", "ㅡㅡ")) == "anger"
    assert confidence(unicodedata.normalize("NFKC", "답답해요ㅠㅠ")) == pytest.approx(confidence("답답해요ㅠㅠ"))


def test_empty_inputs_and_order():
    texts = ["감사합니다", None, float("nan"), "", "   ", 42, "짜증나요", pd.NA]
    out = EmotionTagger().fit_transform(texts)
    assert list(out.columns) == ["emotion", "emotion_confidence", "emotion_cue"]
    assert out["emotion"].tolist() == ["gratitude", "none", "none", "none", "none", "none", "frustration", "none"]
    assert out.loc[out["emotion"] == "none", "emotion_confidence"].eq(0.0).all()
    assert out.loc[out["emotion"] == "none", "emotion_cue"].eq("").all()
    assert out["emotion_confidence"].dtype == float


def test_langs_none_is_skipped_and_lengths_are_checked():
    out = EmotionTagger().fit_transform(["감사합니다", "감사합니다"], langs=["ko", "none"])
    assert out["emotion"].tolist() == ["gratitude", "none"]
    with pytest.raises(ValueError, match="langs"):
        EmotionTagger().transform(["a", "b"], langs=["ko"])
    with pytest.raises(ValueError, match="sentiment"):
        EmotionTagger().transform(["a", "b"], sentiment=[0.1])


def test_series_inputs_are_positional():
    texts = pd.Series(["짜증나요", "좋아요"], index=[10, 3])
    out = EmotionTagger().transform(texts, langs=pd.Series(["ko", "ko"], index=[5, 6]),
                                    sentiment=pd.Series([-0.5, 0.5], index=[1, 0]))
    assert out["emotion"].tolist() == ["frustration", "satisfaction"]


def test_sklearn_conventions():
    tagger = EmotionTagger(min_confidence=0.6)
    assert tagger.get_params() == {"min_confidence": 0.6}
    copy = clone(tagger)
    assert copy.get_params() == {"min_confidence": 0.6} and copy is not tagger
    assert not hasattr(copy, "ko_pattern_")
    # transform before fit fits itself (nothing is learned) and gives the same answer
    texts = ["실망이에요", "감사합니다", "헷갈려요"]
    pd.testing.assert_frame_equal(EmotionTagger().transform(texts), EmotionTagger().fit(texts).transform(texts))
    with pytest.raises(ValueError, match="min_confidence"):
        EmotionTagger(min_confidence=1.5).fit()
    with pytest.raises(ValueError, match="min_confidence"):
        EmotionTagger(min_confidence="high").fit()


def test_min_confidence_threshold():
    assert emotion("별로예요") == "disappointment"
    assert emotion("별로예요", min_confidence=0.6) == "none"
    assert emotion("너무 실망했어요", min_confidence=0.6) == "disappointment"


PHRASES = ["짜증나요", "감사합니다", "not satisfied", "헷갈려요", "걱정돼요", "좋아요", "또 튕겨요", "wtf",
           "I love it", "환불해주세요", "배송이 빨라요", "ㅠㅠ", "!!", "업데이트 후", "계속", "the app", " ", ""]
texts_strategy = st.lists(st.one_of(st.none(), st.text(max_size=30),
                                    st.lists(st.sampled_from(PHRASES), max_size=4).map(" ".join)), max_size=12)


@settings(max_examples=60, deadline=None)
@given(texts_strategy, st.floats(0.05, 0.95))
def test_output_shape_and_ranges(texts, threshold):
    out = EmotionTagger(min_confidence=threshold).fit_transform(texts)
    assert len(out) == len(texts)
    assert set(out["emotion"]) <= set(EMOTIONS) | {"none"}
    conf = out["emotion_confidence"].to_numpy()
    assert np.all((conf >= 0) & (conf <= 1))
    labelled = out["emotion"] != "none"
    assert np.all(conf[labelled.to_numpy()] >= threshold)
    assert np.all(conf[~labelled.to_numpy()] == 0)
    assert (out["emotion_cue"] != "").eq(labelled).all()


@settings(max_examples=60, deadline=None)
@given(texts_strategy, st.floats(0.0, 0.9), st.floats(0.0, 0.1))
def test_raising_the_threshold_only_removes_labels(texts, low, step):
    lo = EmotionTagger(min_confidence=low).fit_transform(texts)
    hi = EmotionTagger(min_confidence=low + step).fit_transform(texts)
    kept = hi["emotion"] != "none"
    assert (hi.loc[kept, "emotion"] == lo.loc[kept, "emotion"]).all()
    assert np.allclose(hi.loc[kept, "emotion_confidence"], lo.loc[kept, "emotion_confidence"])
    assert not math.isnan(lo["emotion_confidence"].sum())
