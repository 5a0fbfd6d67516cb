"""FeedbackTagger: heads on the pipeline's embeddings + cue taggers; severity rules; fallbacks."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from feedmine.embed import E5Embedder, HybridEmbedder, TfidfEmbedder
from feedmine.tagging import FeedbackTagger, LinearHeads
from feedmine.tagging.heads import LEXICAL_FEATURES, semantic_vectors


def fixed_heads(sentiment: float, request: float, bug: float, dim: int = 4) -> LinearHeads:
    """Heads that ignore their input and return the given probabilities."""
    logit = lambda p: float(np.log(p / (1 - p)))  # noqa: E731
    coef = np.zeros((4, dim + len(LEXICAL_FEATURES)))
    return LinearHeads("test-model", ("sentiment_ko", "sentiment_en", "request", "bug"), coef,
                       np.array([logit(sentiment), logit(sentiment), logit(request), logit(bug)]))


class FakeEmbedder:
    model_id = "test-model"


def test_without_embeddings_the_lexicon_decides_and_says_so():
    out = FeedbackTagger().fit_transform(["앱이 자꾸 튕겨요ㅠㅠ", "다크모드 추가해 주세요", "회원 탈퇴하고 싶어요", None])
    assert out["tag_method"].tolist() == ["lexicon"] * 4
    assert out["severity"].astype(str).tolist() == ["high", "low", "critical", "low"]
    assert out["severity_cue"].iloc[2] == "탈퇴"  # the rubric's own critical phrase comes first
    assert out["is_request"].iloc[1] and not out["is_request"].iloc[0]
    assert out["is_churn_risk"].tolist() == [False, False, True, False]
    assert out["sentiment_label"].iloc[0] == "negative"


def test_heads_set_sentiment_request_and_severity_by_the_written_rules():
    texts = ["the screen flickers sometimes", "nice", "would be nice to have widgets"]
    X = np.zeros((3, 4))
    sure_bug = FeedbackTagger(heads=fixed_heads(0.1, 0.2, 0.9)).fit().transform(texts, None, X, FakeEmbedder())
    assert sure_bug["tag_method"].tolist() == ["heads+lexicon"] * 3
    np.testing.assert_allclose(sure_bug["sentiment"], -0.8)
    # sure problem report + clearly negative → high, and the cue says which scores set it
    assert sure_bug["severity"].astype(str).iloc[0] == "high"
    assert sure_bug["severity_cue"].iloc[0] == "problem report 0.90, sentiment -0.80"
    likely_bug = FeedbackTagger(heads=fixed_heads(0.6, 0.2, 0.6)).fit().transform(texts, None, X, FakeEmbedder())
    assert likely_bug["severity"].astype(str).iloc[0] == "medium"
    assert likely_bug["severity_cue"].iloc[0] == "problem report 0.60"
    happy = FeedbackTagger(heads=fixed_heads(0.95, 0.7, 0.05)).fit().transform(texts, None, X, FakeEmbedder())
    assert happy["severity"].astype(str).tolist() == ["low"] * 3
    assert happy["sentiment_label"].tolist() == ["positive"] * 3
    assert happy["is_request"].all()  # request head above its threshold
    not_requests = FeedbackTagger(heads=fixed_heads(0.95, 0.1, 0.05)).fit().transform(texts, None, X, FakeEmbedder())
    assert not_requests["is_request"].tolist() == [False, False, True]  # the phrase "would be nice" still counts


def test_neutral_band_and_empty_items():
    X = np.zeros((2, 4))
    out = FeedbackTagger(heads=fixed_heads(0.55, 0.1, 0.1)).fit().transform(["okay I guess", ""], None, X, FakeEmbedder())
    assert out["sentiment_label"].tolist() == ["neutral", "neutral"]
    assert out["sentiment"].iloc[1] == 0.0 and out["severity"].astype(str).iloc[1] == "low"


def test_unknown_embedder_falls_back_to_the_lexicon_and_bad_shapes_are_clear():
    tagger = FeedbackTagger(heads=fixed_heads(0.9, 0.1, 0.1)).fit()

    class Other:
        model_id = "some-other-model"

    out = tagger.transform(["최악이에요"], None, np.zeros((1, 4)), Other())
    assert out["tag_method"].iloc[0] == "lexicon"
    with pytest.raises(ValueError, match="2 texts but 1 embeddings"):
        tagger.transform(["a", "b"], None, np.zeros((1, 4)), FakeEmbedder())
    with pytest.raises(ValueError, match="4-dimensional"):
        tagger.heads_.predict_proba(np.zeros((1, 5)), np.zeros((1, 3)))


@pytest.mark.slow
def test_semantic_block_is_recovered_from_a_hybrid_embedding():
    texts = ["배송이 느려요", "배송이 빨라요", "app keeps crashing", "love the design", "결제 오류"]
    semantic = TfidfEmbedder(n_components=3, random_state=0)
    hybrid = HybridEmbedder(semantic=semantic, lexical=TfidfEmbedder(n_components=2, random_state=0)).fit(texts)
    X = hybrid.transform(texts)
    own = hybrid.semantic_.transform(texts)
    own = own / np.linalg.norm(own, axis=1, keepdims=True)
    np.testing.assert_allclose(semantic_vectors(hybrid, X, hybrid.semantic_.model_id), own, atol=1e-5)
    assert semantic_vectors(hybrid, X, "another-model") is None


def test_heads_round_trip_through_json(tmp_path):
    heads = fixed_heads(0.3, 0.6, 0.2)
    heads.save(tmp_path / "h.json")
    back = LinearHeads.load(tmp_path / "h.json")
    assert back.names == heads.names and back.model_id == "test-model"
    np.testing.assert_allclose(back.intercept, heads.intercept, atol=1e-6)


@pytest.mark.slow
def test_shipped_heads_read_real_e5_vectors_in_both_languages():
    texts = ["최악이에요 돈 아까워요", "정말 좋아요 최고예요", "terrible, it crashes all the time", "I love this app",
             "please add a dark mode", "다크모드 추가해 주세요"]
    e5 = E5Embedder(cache_dir=False, progress=False)
    out = FeedbackTagger().fit().transform(texts, None, e5.transform(texts), e5)
    assert out["tag_method"].eq("heads+lexicon").all()
    assert out["sentiment_label"].tolist()[:4] == ["negative", "positive", "negative", "positive"]
    assert out["request_score"].iloc[4] > out["request_score"].iloc[3]
    assert out["request_score"].iloc[5] > out["request_score"].iloc[1]
    assert out["severity"].astype(str).iloc[2] == "high"


def test_the_sentiment_head_follows_the_item_language():
    coef = np.zeros((4, 4 + len(LEXICAL_FEATURES)))
    heads = LinearHeads("test-model", ("sentiment_ko", "sentiment_en", "request", "bug"), coef,
                        np.array([2.0, -2.0, -3.0, -3.0]))  # Korean head says positive, English negative
    out = FeedbackTagger(heads=heads).fit().transform(["그냥 그래요", "it is what it is", "앱 app 그냥", "1234"],
                                                      ["ko", "en", "mixed", "other"], np.zeros((4, 4)), FakeEmbedder())
    assert out["sentiment_label"].tolist() == ["positive", "negative", "positive", "neutral"]


def test_ngram_weights_move_the_score_of_texts_that_contain_them(tmp_path):
    heads = fixed_heads(0.5, 0.1, 0.1)
    heads.ngram_weights["sentiment_ko"] = {"m:잼/NN": -40.0}
    heads.save(tmp_path / "h.json")
    loaded = LinearHeads.load(tmp_path / "h.json")
    out = FeedbackTagger(heads=loaded).fit().transform(["노잼", "재밌어요"], ["ko", "ko"], np.zeros((2, 4)), FakeEmbedder())
    assert out["sentiment"].iloc[0] < -0.9 and out["sentiment"].iloc[1] == 0.0


def test_praise_next_to_a_problem_reads_as_disappointment():
    X = np.zeros((2, 4))
    out = FeedbackTagger(heads=fixed_heads(0.4, 0.1, 0.6)).fit().transform(
        ["It's great when it works, the app disconnects frequently", "great app, love it"], None, X, FakeEmbedder())
    assert out["emotion"].tolist()[0] == "disappointment"
    assert out["emotion_cue"].iloc[0].startswith("great + ")
    happy = FeedbackTagger(heads=fixed_heads(0.9, 0.1, 0.1)).fit().transform(["great app, love it"], None,
                                                                              X[:1], FakeEmbedder())
    assert happy["emotion"].iloc[0] == "satisfaction"


def test_plain_questions_are_damped_but_not_questions_that_name_a_problem():
    texts = ["비밀번호 변경은 어디서 하나요?", "how do I export my notes?", "앱이 왜 자꾸 튕기나요?",
             "why does it crash every time?", "진짜 최악 아닌가요?", "the screen flickers"]
    X = np.zeros((len(texts), 4))
    out = FeedbackTagger(heads=fixed_heads(0.1, 0.2, 0.2)).fit().transform(texts, None, X, FakeEmbedder())
    # the heads say −0.8 for everything; the two plain questions get −0.8 × 0.25 = −0.2
    np.testing.assert_allclose(out["sentiment"], [-0.2, -0.2, -0.8, -0.8, -0.8, -0.8])
    assert out["severity_cue"].iloc[2] != "question" and out["severity_cue"].iloc[3] != "question"
    off = FeedbackTagger(heads=fixed_heads(0.1, 0.2, 0.2), question_damping=1.0).fit().transform(
        texts, None, X, FakeEmbedder())
    np.testing.assert_allclose(off["sentiment"], -0.8)
    with pytest.raises(ValueError, match="question_damping"):
        FeedbackTagger(question_damping=2).fit()
