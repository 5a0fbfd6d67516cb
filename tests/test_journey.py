"""Journey stages: hand-checkable assignments with a fake embedder, theme tables, and real e5 on the defaults."""
import re

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from feedmine.errors import FeedmineError
from feedmine.journey import (DEFAULT_STAGES, JourneyStageMapper, stage_phrases, stage_theme_table,
                              theme_stage)


class FakeEmbedder:
    """Looks each text up in a table of 3-d vectors, so every cosine can be worked out by hand."""

    model_id = "fake-3d"

    def __init__(self, table):
        self.table = table

    def transform(self, texts):
        return np.array([self.table[t] for t in texts], dtype=float)


FAKE = FakeEmbedder({"late": [1, 0, 0], "slow": [1, 1, 0], "refund": [0, 0, 1], "money back": [0, 0, 1]})
STAGES = {"delivery": ["late", "slow"], "payment": "refund, money back"}
COS = 0.9239  # delivery's vector: the normalised mean of (1,0,0) and (1,1,0)/√2 is (0.924, 0.383, 0)


def unit(*rows):
    x = np.array(rows, dtype=float)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def test_custom_stages_replace_the_defaults_and_stage_vectors_are_normalised_means():
    mapper = JourneyStageMapper(stages=STAGES, embedder=FAKE).fit()
    assert mapper.stages_ == ["delivery", "payment"]
    assert mapper.phrases_ == {"delivery": ["late", "slow"], "payment": ["refund", "money back"]}
    assert mapper.names_ko_ == {"delivery": "delivery", "payment": "payment"}
    assert mapper.model_id_ == "fake-3d"
    mean = (np.array([1, 0, 0]) + np.array([1, 1, 0]) / np.sqrt(2)) / 2  # each phrase unit length first
    np.testing.assert_allclose(mapper.stage_vectors_[0], mean / np.linalg.norm(mean))
    assert mapper.stage_vectors_[0, 0] == pytest.approx(COS, abs=1e-4)
    np.testing.assert_allclose(mapper.stage_vectors_[1], [0, 0, 1])
    out = mapper.transform(unit([1, 0, 0], [0, 1, 1], [0.1, 0, 1]))
    assert out["journey_stage"].tolist() == ["delivery", "payment", "payment"]
    assert list(out["journey_stage"].cat.categories) == ["delivery", "payment", "unknown"]
    # (1,0,0) · stage vector = its first component; (0,1,1)/√2 · (0,0,1) = 1/√2
    np.testing.assert_allclose(out["journey_similarity"].iloc[:2], [mapper.stage_vectors_[0, 0], 1 / np.sqrt(2)])


def test_fit_argument_overrides_stages_and_the_estimator_clones():
    mapper = JourneyStageMapper(embedder=FAKE, min_similarity=0.5, margin=0.1)
    assert clone(mapper).get_params()["margin"] == 0.1
    assert mapper.fit({"only": ["refund"]}).stages_ == ["only"]


def test_unknown_below_min_similarity():
    mapper = JourneyStageMapper(stages=STAGES, embedder=FAKE, min_similarity=0.8).fit()
    # cosines to payment: 1, 0.6, 0 and to delivery: 0, 0.8·0.924 = 0.74, 0.924: the middle row is below 0.8
    out = mapper.transform(unit([0, 0, 1], [0.8, 0, 0.6], [1, 0, 0]))
    assert out["journey_stage"].tolist() == ["payment", "unknown", "delivery"]
    np.testing.assert_allclose(out["journey_similarity"], [1.0, 0.8 * COS, COS], atol=1e-4)


def test_unknown_when_the_best_stage_wins_by_less_than_the_margin():
    mapper = JourneyStageMapper(stages=STAGES, embedder=FAKE, margin=0.2).fit()
    # row 0: payment 0.714 vs delivery 0.7·0.924 = 0.647 → wins by 0.07 < 0.2; row 1: by 0.924 − 0
    out = mapper.transform(unit([0.7, 0, 0.714], [1, 0, 0]))
    assert out["journey_stage"].tolist() == ["unknown", "delivery"]
    assert JourneyStageMapper(stages=STAGES, embedder=FAKE).fit().transform(
        unit([0.7, 0, 0.714]))["journey_stage"].tolist() == ["payment"]  # margin 0: always the best


def test_vectors_are_renormalised_and_zero_vectors_are_unknown():
    mapper = JourneyStageMapper(stages=STAGES, embedder=FAKE).fit()
    out = mapper.transform(np.array([[0, 0, 5.0], [0, 0, 0]]))
    assert out["journey_stage"].tolist() == ["payment", "unknown"]
    assert out["journey_similarity"].iloc[0] == pytest.approx(1.0)
    empty = mapper.transform(np.zeros((0, 3)))
    assert list(empty.columns) == ["journey_stage", "journey_similarity"] and len(empty) == 0


def test_wrong_dimension_vectors_give_a_clear_error():
    mapper = JourneyStageMapper(stages=STAGES, embedder=FAKE).fit()
    with pytest.raises(FeedmineError, match=r"shape \(2, 4\).*fake-3d.*3 dimensions.*semantic_vectors"):
        mapper.transform(np.ones((2, 4)))
    with pytest.raises(FeedmineError, match="shape"):
        mapper.transform(np.ones(3))


def test_bad_stage_definitions_are_refused():
    with pytest.raises(FeedmineError, match="no example phrases"):
        JourneyStageMapper(stages={"a": ["late"], "b": " , "}, embedder=FAKE).fit()
    with pytest.raises(FeedmineError, match="reserved"):
        JourneyStageMapper(stages={"unknown": ["late"]}, embedder=FAKE).fit()
    with pytest.raises(FeedmineError, match="non-empty dict"):
        JourneyStageMapper(stages=["late"], embedder=FAKE).fit()
    with pytest.raises(FeedmineError, match="margin"):
        JourneyStageMapper(stages=STAGES, embedder=FAKE, margin=-1).fit()


def test_default_stages_are_bilingual_and_named_in_korean():
    assert list(DEFAULT_STAGES) == ["awareness", "consideration", "purchase/activation", "use", "repurchase/referral"]
    assert [s["name_ko"] for s in DEFAULT_STAGES.values()] == ["인식", "고려", "구매/활성화", "사용", "재구매/추천"]
    for spec in DEFAULT_STAGES.values():
        phrases = stage_phrases(spec)
        assert sum(bool(re.search("[가-힣]", p)) for p in phrases) >= 3
        assert sum(bool(re.fullmatch(r"[A-Za-z' ]+", p)) for p in phrases) >= 3
    assert stage_phrases("a; b\nc, d ") == ["a", "b", "c", "d"] and stage_phrases(["x ", ""]) == ["x"]


def test_stage_theme_table_counts_an_item_in_two_themes_in_both():
    docs = pd.DataFrame({"theme_id": [0, 0, 1, 1, -1],
                         "journey_stage": ["use", "use", "purchase/activation", "unknown", "use"]},
                        index=list("abcde"))  # positions, not labels, link memberships to documents
    memberships = pd.DataFrame({"row": [0, 1, 1, 2, 3, 4], "theme_id": [0, 0, 1, 1, 1, -1]})
    table = stage_theme_table(docs, memberships)
    assert list(table.columns) == ["n_items", "n_purchase/activation", "n_use", "n_unknown",
                                   "share_purchase/activation", "share_use", "share_unknown"]
    assert table.loc[1, ["n_purchase/activation", "n_use", "n_unknown"]].tolist() == [1, 1, 1]
    assert table.loc[0, "n_use"] == 2 and table["n_items"].to_dict() == {-1: 1, 0: 2, 1: 3}
    np.testing.assert_allclose(table.filter(like="share_").sum(axis=1), 1.0)
    assert table.loc[1, "share_use"] == pytest.approx(1 / 3)
    # tie in theme 1 (one each): the earlier journey stage wins
    assert theme_stage(docs, memberships).to_dict() == {-1: "use", 0: "use", 1: "purchase/activation"}
    # without memberships each item counts once, in its own theme
    assert stage_theme_table(docs)["n_items"].to_dict() == {-1: 1, 0: 2, 1: 2}


def test_stage_theme_table_keeps_categorical_order_and_skips_items_without_a_theme():
    mapper = JourneyStageMapper(stages=STAGES, embedder=FAKE).fit()
    docs = pd.DataFrame({"theme_id": [3.0, 3.0, np.nan]})
    docs["journey_stage"] = mapper.transform(unit([0, 0, 1], [0, 0, 1], [1, 0, 0]))["journey_stage"]
    table = stage_theme_table(docs)
    assert table.index.tolist() == [3]
    assert table.loc[3, ["n_delivery", "n_payment", "n_unknown"]].tolist() == [0, 2, 0]
    assert theme_stage(docs).to_dict() == {3: "payment"}
    with pytest.raises(FeedmineError, match="journey_stage"):
        stage_theme_table(docs.drop(columns="journey_stage"))
    with pytest.raises(FeedmineError, match="positions"):
        stage_theme_table(docs, pd.DataFrame({"row": [5], "theme_id": [3]}))


def test_real_e5_maps_clear_feedback_to_the_default_stage_in_both_languages():
    from feedmine.embed import E5Embedder, HybridEmbedder, TfidfEmbedder
    from feedmine.tagging.heads import semantic_vectors

    expected = {"앱이 자꾸 튕겨요": "use", "결제가 안 돼요": "purchase/activation",
                "친구한테 추천했어요": "repurchase/referral", "구독 해지할게요": "repurchase/referral",
                "광고 보고 설치했어요": "awareness", "가격이 너무 비싸요 다른 데랑 비교 중": "consideration",
                "the app keeps crashing": "use", "payment failed at checkout": "purchase/activation",
                "I recommended it to my friends": "repurchase/referral", "I saw an ad on Instagram": "awareness",
                "is the premium plan worth the price?": "consideration"}
    texts = list(expected)
    e5 = E5Embedder(cache_dir=False, progress=False)
    # as in the pipeline: the default hybrid embedding, with the e5 block taken back out of it
    hybrid = HybridEmbedder(semantic=e5, lexical=TfidfEmbedder(n_components=4, random_state=0), progress=False)
    X = semantic_vectors(hybrid, hybrid.fit_transform(texts), e5.model_id)
    out = JourneyStageMapper(embedder=e5).fit().transform(X)
    assert dict(zip(texts, out["journey_stage"].astype(str))) == expected
    assert out["journey_similarity"].between(0.8, 1.0).all()
