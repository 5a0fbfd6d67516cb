"""Segment tags rolled up to items (sentence mode), and languages centred for clustering."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from feedmine.embed.align import center_languages
from feedmine.tagging import item_tags


def test_sentence_tags_roll_up_by_the_documented_rules():
    unit_tags = pd.DataFrame({
        "sentiment": [0.8, -0.6, 0.1],
        "sentiment_label": ["positive", "negative", "neutral"],
        "emotion": ["satisfaction", "frustration", "none"],
        "emotion_confidence": [0.5, 0.9, 0.0],
        "emotion_cue": ["love", "keeps", ""],
        "severity": pd.Categorical(["low", "high", "low"], categories=["low", "medium", "high", "critical"], ordered=True),
        "severity_cue": ["no cue", "crash", "no cue"],
        "severity_score": [0.1, 0.7, 0.05],
        "is_request": [False, True, False],
        "request_score": [0.1, 0.6, 0.2],
        "is_churn_risk": [False, False, False],
        "churn_cue": ["", "", ""],
    })
    # item 7 has two sentences (10 and 30 letters long), item 9 one
    texts = ["a" * 10, "b" * 30, "c" * 12]
    out = item_tags(unit_tags, np.array([7, 7, 9]), texts, usable=np.array([7, 9]))
    assert len(out) == 2
    assert out["sentiment"].iloc[0] == pytest.approx((0.8 * 10 - 0.6 * 30) / 40)
    assert out["sentiment_label"].tolist() == ["negative", "neutral"]
    assert out["severity"].astype(str).tolist() == ["high", "low"]
    assert out["severity_cue"].tolist() == ["crash", "no cue"]
    assert out["emotion"].tolist() == ["frustration", "none"]
    assert out["is_request"].tolist() == [True, False]
    assert out["request_score"].tolist() == [0.6, 0.2]
    assert out["is_churn_risk"].tolist() == [False, False]


def test_center_languages_moves_language_means_together_and_keeps_one_language_as_is():
    rng = np.random.default_rng(0)
    topics = rng.normal(size=(3, 16))
    ko_shift, en_shift = rng.normal(size=16) * 3, rng.normal(size=16) * 3
    topic = np.tile(np.repeat(np.arange(3), 10), 2)
    lang = np.array(["ko"] * 30 + ["en"] * 30)
    X = topics[topic] + np.where(lang[:, None] == "ko", ko_shift, en_shift) + rng.normal(0, 0.1, (60, 16))
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    Y = center_languages(X, lang, min_items=20)

    def same_topic_across_vs_other_topic_within(Z):
        S = Z @ Z.T
        across = S[(topic[:, None] == topic) & (lang[:, None] != lang)].mean()
        within = S[(topic[:, None] != topic) & (lang[:, None] == lang)].mean()
        return across, within

    across, within = same_topic_across_vs_other_topic_within(X)
    assert across < within  # the language signature dominates: clustering would split by language
    across, within = same_topic_across_vs_other_topic_within(Y)
    assert across > within + 0.1  # after centring, the topic does
    np.testing.assert_allclose(np.linalg.norm(Y, axis=1), 1.0, atol=1e-6)
    assert center_languages(X, ["ko"] * 60) is X  # one language: untouched
    assert center_languages(X, lang, min_items=31) is X  # languages too small to estimate a mean
    with pytest.raises(ValueError, match="60 vectors but 2 languages"):
        center_languages(X, ["ko", "en"])


def test_only_korean_and_english_are_centred_and_mixed_moves_with_korean():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(50, 8)) + 5.0
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    assert center_languages(X, ["en"] * 25 + ["other"] * 25, min_items=5) is X
    langs = np.array(["ko"] * 15 + ["mixed"] * 10 + ["en"] * 20 + ["other"] * 5)
    Y = center_languages(X, langs, min_items=5)
    np.testing.assert_allclose(Y[45:], X[45:] / np.linalg.norm(X[45:], axis=1, keepdims=True))
    ko_block = np.vstack([X[:25]])
    shift_ko = X.mean(axis=0) - ko_block.mean(axis=0)
    expected = X[20] + shift_ko
    np.testing.assert_allclose(Y[20], expected / np.linalg.norm(expected), atol=1e-6)
