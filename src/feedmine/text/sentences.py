"""Split long feedback into sentence-level sentences, so one review can raise several problems.

Korean (and mixed) text goes through kiwipiepy's sentence splitter, which also splits unpunctuated
Korean ("앱이 자꾸 꺼져요 결제도 안되고" → two sentences); English uses sentence punctuation and line
breaks. Short items stay whole: most feedback raises one problem, and a 40-character review cut in two
only makes two weaker themes. Fragments too short to mean anything are glued to their neighbour.

>>> from feedmine.text.sentences import SentenceSplitter
>>> seg = SentenceSplitter(min_chars=20)
>>> seg.split("The app crashes on start. Also, please add a dark mode!", "en")
['The app crashes on start.', 'Also, please add a dark mode!']
>>> seg.split("Great app", "en")
['Great app']
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import pandas as pd
from sklearn.base import BaseEstimator

from .language import HANGUL_SYLLABLE, SYLLABLE_WEIGHT

_EN_SPLIT = re.compile(r"(?<=[.!?])\s+(?=\S)|\s*\n+\s*|\s*;\s+")


def weighted_length(text: str) -> float:
    """Length in Latin-letter equivalents: a Hangul syllable carries about 2.5 letters' worth."""
    return len(text) + (SYLLABLE_WEIGHT - 1) * len(HANGUL_SYLLABLE.findall(text))


def raw_sentences(texts: Sequence[str], langs: Sequence[str]) -> list[list[str]]:
    """Each text cut at its sentence ends, nothing merged: kiwipiepy for Korean and mixed text (all of
    them in one call, which kiwi shares among its threads: theme summaries split ≈ 27,000 texts at
    200,000 rows), punctuation for the rest."""
    out: list[list[str]] = [[] for _ in texts]
    korean = [i for i, lang in enumerate(langs) if lang in ("ko", "mixed")]
    if korean:
        from .tokenize import _load_kiwi  # the shared model: loading a second one costs ~500 MB

        for i, sents in zip(korean, _load_kiwi(()).split_into_sents([texts[i] for i in korean])):
            out[i] = [s.text.strip() for s in sents]
    for i, (text, lang) in enumerate(zip(texts, langs)):
        if lang not in ("ko", "mixed"):
            out[i] = [s.strip() for s in _EN_SPLIT.split(text)]
    return out


class SentenceSplitter(BaseEstimator):
    """Split items into sentences.

    Parameters
    ----------
    min_chars : int
        Items shorter than this stay whole. Lengths are in Latin-letter equivalents
        (:func:`weighted_length`), so a Korean sentence of 8 syllables counts as 20.
    min_sentence_chars : int
        A sentence shorter than this is merged into the one before it (or after, if it is first).
    max_sentences : int
        At most this many sentences per item; the rest is merged into the last one.
    """

    def __init__(self, min_chars: int = 60, min_sentence_chars: int = 12, max_sentences: int = 8):
        self.min_chars = min_chars
        self.min_sentence_chars = min_sentence_chars
        self.max_sentences = max_sentences

    def _sentences(self, text: str, lang: str) -> list[str]:
        if lang in ("ko", "mixed"):  # one text: kiwi's direct call, not its thread pool
            from .tokenize import _load_kiwi  # the shared model: loading a second one costs ~500 MB

            return [s.text.strip() for s in _load_kiwi(()).split_into_sents(text)]
        return [s.strip() for s in _EN_SPLIT.split(text)]

    def split(self, text: str, lang: str = "en") -> list[str]:
        """The sentences of one cleaned text (the text itself when it is short or has one sentence)."""
        if weighted_length(text) < self.min_chars:
            return [text]
        parts = [p for p in self._sentences(text, lang) if p]
        merged: list[str] = []
        short = self.min_sentence_chars
        for part in parts:
            if merged and (weighted_length(part) < short or weighted_length(merged[-1]) < short):
                merged[-1] = f"{merged[-1]} {part}"
            else:
                merged.append(part)
        if len(merged) > self.max_sentences:
            merged = merged[: self.max_sentences - 1] + [" ".join(merged[self.max_sentences - 1:])]
        return merged or [text]

    def fit(self, texts: Sequence[str] | None = None, y: Any = None) -> "SentenceSplitter":
        return self

    def transform(self, texts: Sequence[str], langs: Sequence[str] | None = None) -> pd.DataFrame:
        """One row per sentence: ``item`` (position of its item), ``sentence`` (index within it), ``text``."""
        langs = list(langs) if langs is not None else ["en"] * len(texts)
        rows = [(i, k, seg) for i, (text, lang) in enumerate(zip(texts, langs))
                for k, seg in enumerate(self.split(text, lang))]
        return pd.DataFrame(rows, columns=["item", "sentence", "text"])
