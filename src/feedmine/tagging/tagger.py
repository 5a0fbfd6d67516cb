"""The pipeline's tagger: trained heads on the pipeline's embeddings, plus readable lexical cues.

Per item it gives

* ``sentiment`` in [-1, 1] (2·P(positive) − 1 from the sentiment head of the item's language) and
  ``sentiment_label``
  (negative / neutral / positive; neutral within ``neutral_band`` of 0);
* ``emotion``, ``emotion_confidence``, ``emotion_cue`` (:class:`EmotionTagger`, told the sentiment;
  satisfaction on an item that also reports a problem becomes disappointment);
* ``severity`` (critical / high / medium / low, the rubric in docs/tagging.md), ``severity_cue``
  (the phrase or model score that set it) and ``severity_score`` (level plus the bug head's
  probability, for ranking within a level);
* ``is_request`` and ``request_score`` (request head; a lexical request phrase always counts);
* ``is_churn_risk`` and ``churn_cue`` (:class:`ChurnDetector`);
* ``tag_method``: "heads+lexicon", or "lexicon" when no embedding the heads know was given.

Severity, most severe first: a critical rubric phrase or a churn cue → critical; a high rubric
phrase (crash, cannot log in, payment failure) → high; a problem report the bug head is sure of
(P ≥ ``bug_high``) that is also clearly negative (sentiment ≤ −0.5) → high; a medium phrase, a
likely problem report (P(bug) ≥ ``bug_medium``) or clearly negative sentiment → medium; else low.

>>> from feedmine.tagging.tagger import FeedbackTagger
>>> out = FeedbackTagger().fit_transform(["결제가 두 번 됐어요 환불해 주세요", "다크모드 추가해 주세요",
...                                       "cancel my subscription, this app is useless"])
>>> out["severity"].tolist(), out["is_churn_risk"].tolist(), out["tag_method"].iloc[0]
(['critical', 'low', 'critical'], [True, False, True], 'lexicon')
"""
from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

from .churn import ChurnDetector
from .emotion import EmotionTagger
from .heads import LinearHeads, lexical_features, semantic_vectors
from ..schema import SEVERITY_LEVELS
from .lexicon import LexiconTagger

NEGATIVE = -0.5  # "clearly negative" for the severity rules


@lru_cache(maxsize=1)
def _default_heads() -> LinearHeads:
    """The shipped heads, parsed once per process (the n-gram table is ~0.6 MB of JSON)."""
    return LinearHeads.load()


def _script_langs(texts: Sequence[Any]) -> list[str]:
    """ko / en / other by script, for callers that pass no languages (the pipeline does)."""
    from ..text.language import detect_language

    return [detect_language(t) if isinstance(t, str) else "none" for t in texts]


class FeedbackTagger(BaseEstimator):
    """Sentiment, emotion, severity, request and churn tags for each item.

    Parameters
    ----------
    heads : "default", path, :class:`LinearHeads` or None
        The trained heads; None tags with the lexicon only.
    neutral_band : float
        ``|sentiment|`` below this is labelled neutral.
    request_threshold, bug_medium, bug_high : float
        Head probabilities at which an item counts as a request, a likely problem report (medium) and
        a sure one (high, when also clearly negative).
    question_damping : float
        The sentiment of a question with no complaint cue ("비밀번호 변경은 어디서 하나요?", "how do I
        export?") is multiplied by this; 1 turns it off. The sentiment heads learnt from reviews, where
        every text is an opinion, and read plain questions as opinions too: on 10,000 neutral Korean
        utterances (parakqc) 56% were labelled negative. At 0.25 the questions among them go from 32% to
        81% neutral, for 1.4 points fewer nsmc negative reviews labelled negative (benchmarks/tagging.py).
        A question that names a problem (cue "튕겨요", "crash", "환불") is not damped.
    """

    def __init__(self, heads: Any = "default", neutral_band: float = 0.2, request_threshold: float = 0.5,
                 bug_medium: float = 0.5, bug_high: float = 0.8, question_damping: float = 0.25):
        self.heads = heads
        self.neutral_band = neutral_band
        self.request_threshold = request_threshold
        self.bug_medium = bug_medium
        self.bug_high = bug_high
        self.question_damping = question_damping

    def fit(self, texts: Sequence[Any] | None = None, langs: Sequence[str] | None = None,
            **_: Any) -> "FeedbackTagger":
        """Nothing is learned from the data: loads the heads and the cue taggers."""
        if not 0 <= self.question_damping <= 1:
            raise ValueError(f"question_damping must be within [0, 1] (1 turns it off), got {self.question_damping!r}")
        if isinstance(self.heads, str) and self.heads == "default":
            self.heads_ = _default_heads()
        elif isinstance(self.heads, str) or hasattr(self.heads, "__fspath__"):
            self.heads_ = LinearHeads.load(self.heads)
        else:  # a LinearHeads, or None for the lexicon alone
            self.heads_ = self.heads
        self.lexicon_ = LexiconTagger().fit()
        self.emotion_ = EmotionTagger().fit()
        self.churn_ = ChurnDetector().fit()
        return self

    def fit_transform(self, texts: Sequence[Any], langs: Sequence[str] | None = None, **kwargs: Any) -> pd.DataFrame:
        return self.fit(texts, langs).transform(texts, langs, **kwargs)

    def transform(self, texts: Sequence[Any], langs: Sequence[str] | None = None, embeddings: np.ndarray | None = None,
                  embedder: Any = None) -> pd.DataFrame:
        """Tag ``texts`` in order. ``embeddings`` are the rows ``embedder.transform`` gave for them; when
        they hold the embedding the heads were trained on, the heads are used."""
        if not hasattr(self, "lexicon_"):
            self.fit()
        texts = list(texts)
        lex = self.lexicon_.transform(texts, langs)
        vectors = None
        if self.heads_ is not None and embeddings is not None:
            if len(embeddings) != len(texts):
                raise ValueError(f"got {len(texts)} texts but {len(embeddings)} embeddings")
            vectors = semantic_vectors(embedder, np.asarray(embeddings), self.heads_.model_id)
        empty = (lex["severity_cue"] == "empty").to_numpy()
        out = pd.DataFrame(index=range(len(texts)))
        if vectors is not None:
            probs = self.heads_.predict_proba(vectors, lexical_features(lex),
                                              [t if isinstance(t, str) else "" for t in texts])
            # Korean and code-mixed text → the Korean head; English → the English one; else their mean
            lang = np.asarray(langs if langs is not None else _script_langs(texts), dtype=object)
            positive = np.where(np.isin(lang, ["ko", "mixed"]), probs["sentiment_ko"],
                                np.where(lang == "en", probs["sentiment_en"],
                                         (probs["sentiment_ko"] + probs["sentiment_en"]) / 2))
            sentiment = np.where(empty, 0.0, 2 * positive - 1)
            request_score = np.where(empty, 0.0, probs["request"].to_numpy())
            bug = np.where(empty, 0.0, probs["bug"].to_numpy())
            out["tag_method"] = "heads+lexicon"
        else:
            sentiment = lex["sentiment"].to_numpy(dtype=float)
            request_score = lex["is_request"].to_numpy(dtype=float)
            bug = None
            out["tag_method"] = "lexicon"
        # a plain question: the lexicon's only cue is the question itself and no word of it is negative
        plain_question = (lex["severity_cue"] == "question").to_numpy() & (lex["sentiment"].to_numpy(dtype=float) >= 0)
        sentiment = np.where(plain_question, sentiment * self.question_damping, sentiment)
        out["sentiment"] = sentiment
        out["sentiment_label"] = np.where(sentiment <= -self.neutral_band, "negative",
                                          np.where(sentiment >= self.neutral_band, "positive", "neutral"))
        emotion = self.emotion_.transform(texts, langs, sentiment=sentiment)
        churn = self.churn_.transform(texts, langs)
        levels, cues = self._severity(lex, churn, sentiment, bug)
        # Praise next to a problem ("great when it works, but it disconnects", "was good until the
        # update") is a broken expectation: disappointment, not satisfaction.
        mixed = ((emotion["emotion"] == "satisfaction").to_numpy() & np.isin(levels, ["medium", "high", "critical"])
                 & (sentiment < 0.5))
        if mixed.any():
            emotion.loc[mixed, "emotion"] = "disappointment"
            emotion.loc[mixed, "emotion_confidence"] *= 0.8
            emotion.loc[mixed, "emotion_cue"] = [f"{c} + {cues[i]}" for i, c in
                                                 zip(np.flatnonzero(mixed), emotion.loc[mixed, "emotion_cue"])]
        out = out.join(emotion)
        out["severity"] = pd.Categorical(levels, categories=SEVERITY_LEVELS, ordered=True)
        out["severity_cue"] = cues
        rank = np.array([SEVERITY_LEVELS.index(lv) for lv in levels], dtype=float)
        out["severity_score"] = (rank + (bug if bug is not None else 0.5 * (rank > 0))) / len(SEVERITY_LEVELS)
        out["is_request"] = lex["is_request"].to_numpy(bool) | (request_score >= self.request_threshold)
        out["request_score"] = request_score
        out["is_churn_risk"] = churn["is_churn_risk"].to_numpy(bool)
        out["churn_cue"] = churn["churn_cue"].to_numpy(dtype=object)
        return out[["sentiment", "sentiment_label", "emotion", "emotion_confidence", "emotion_cue", "severity",
                    "severity_cue", "severity_score", "is_request", "request_score", "is_churn_risk", "churn_cue",
                    "tag_method"]]

    def _severity(self, lex: pd.DataFrame, churn: pd.DataFrame, sentiment: np.ndarray,
                  bug: np.ndarray | None) -> tuple[list[str], list[str]]:
        levels, cues = [], []
        rubric = lex["severity"].astype(str).to_numpy()
        rubric_cue = lex["severity_cue"].to_numpy(dtype=object)
        for i in range(len(lex)):
            # the lexicon's "medium because negative" and its low cues are re-decided here
            phrase = rubric[i] in ("critical", "high") or (
                rubric[i] == "medium" and not str(rubric_cue[i]).startswith("negative sentiment"))
            p = None if bug is None else float(bug[i])
            if rubric[i] == "critical":
                level, cue = "critical", rubric_cue[i]
            elif churn["is_churn_risk"].iat[i]:
                level, cue = "critical", f"churn: {churn['churn_cue'].iat[i]}"
            elif rubric[i] == "high":
                level, cue = "high", rubric_cue[i]
            elif p is not None and p >= self.bug_high and sentiment[i] <= NEGATIVE:
                level, cue = "high", f"problem report {p:.2f}, sentiment {sentiment[i]:.2f}"
            elif phrase:
                level, cue = "medium", rubric_cue[i]
            elif p is not None and p >= self.bug_medium:
                level, cue = "medium", f"problem report {p:.2f}"
            elif sentiment[i] <= NEGATIVE:
                level, cue = "medium", f"negative sentiment {sentiment[i]:.2f}"
            else:
                level, cue = "low", rubric_cue[i]
            levels.append(level)
            cues.append(str(cue))
        return levels, cues
