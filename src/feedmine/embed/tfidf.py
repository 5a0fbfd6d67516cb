"""Character n-gram TF-IDF + truncated SVD: no model at all, thousands of texts per second.

Unlike the neural backends it learns from the data it is fitted on, so ``fit`` matters: ``transform``
on new texts projects them into the space learned in ``fit``. Character n-grams (within word
boundaries) work for Korean without a morphological analyser, because 배송이/배송은 share 배송.

What ``fit`` learns is plain data (``vocabulary_``, ``idf_``, ``components_``), which is what a saved
model stores. The SVD components are kept as float32 from the start, so the vectors of a model loaded
from disk are bit for bit those of the model that was saved.

>>> from feedmine.embed import TfidfEmbedder
>>> emb = TfidfEmbedder(n_components=2, random_state=0).fit(["배송이 느려요", "배송은 빨라요", "app crash"])
>>> emb.transform(["배송 느림"]).shape
(1, 2)
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfTransformer, TfidfVectorizer
from sklearn.utils.validation import check_is_fitted

from ..text.char_grams import WordGramVocabulary
from .base import l2_normalize


def char_tfidf(ngram_range: tuple[int, int] = (2, 4), min_df: int = 1, dtype: Any = np.float64,
               vocabulary: dict[str, int] | None = None) -> TfidfVectorizer:
    """The character n-gram TF-IDF feedmine uses wherever surface similarity is wanted (the lexical
    embedding, theme summaries, run comparison): n-grams inside word boundaries, sublinear term counts."""
    return TfidfVectorizer(analyzer="char_wb", ngram_range=tuple(ngram_range), min_df=min_df, sublinear_tf=True,
                           dtype=dtype, vocabulary=vocabulary)


class TfidfEmbedder(TransformerMixin, BaseEstimator):
    """Character n-gram TF-IDF reduced by SVD to ``n_components`` dimensions.

    ``min_df`` applies from 21 texts on (below that every n-gram counts); when it would leave no n-gram
    at all (a few dozen one-syllable texts), every n-gram is kept, and texts with none get zero vectors.
    ``fit_sample``: learn the vocabulary and the SVD from a seeded sample of at most this many texts
    (the fast tier uses 10,000: the SVD of 50,000 texts took 88 of the 140 s its fit took).
    ``svd_iter``: power iterations of the randomized SVD (scikit-learn's default 5); see docs/scale.md
    for what fewer cost and save in the fast tier.
    """

    def __init__(self, n_components: int = 256, ngram_range: tuple[int, int] = (2, 4), min_df: int = 2,
                 max_chars: int | None = 2000, fit_sample: int | None = None, svd_iter: int = 5,
                 random_state: int | None = None):
        self.n_components = n_components
        self.ngram_range = ngram_range
        self.min_df = min_df
        self.max_chars = max_chars
        self.fit_sample = fit_sample
        self.svd_iter = svd_iter
        self.random_state = random_state

    @property
    def model_id(self) -> str:
        # fitted on the corpus itself: the same id does not mean the same vectors across corpora
        return f"char-tfidf{tuple(self.ngram_range)}-svd{self.n_components}"

    def _cut(self, texts: Sequence[str]) -> list[str]:
        return [t[: self.max_chars] if self.max_chars else t for t in texts]

    def fit(self, texts: Sequence[str], y: Any = None) -> "TfidfEmbedder":
        texts = self._cut(texts)
        self._fitted_vectorizer = self._counter = None  # a refit must not read the previous vocabulary
        if self.fit_sample and len(texts) > int(self.fit_sample):  # vocabulary and SVD from a seeded sample
            rng = np.random.RandomState(0 if self.random_state is None else self.random_state)
            texts = [texts[i] for i in np.sort(rng.choice(len(texts), int(self.fit_sample), replace=False))]
        tfidf = None
        for min_df in dict.fromkeys((self.min_df if len(texts) > 20 else 1, 1)):
            vectorizer = char_tfidf(self.ngram_range, min_df)
            try:
                tfidf = vectorizer.fit_transform(texts)
                break
            except ValueError:  # "After pruning, no terms remain" / "empty vocabulary"
                continue
        if tfidf is None:  # not one n-gram in any text: a one-dimensional zero space
            self.vocabulary_, self.idf_ = {}, np.zeros(0)
            self.components_ = np.zeros((1, 0), dtype=np.float32)
            return self
        self.vocabulary_ = {str(t): int(j) for t, j in vectorizer.vocabulary_.items()}
        self.idf_ = np.asarray(vectorizer.idf_, dtype=np.float64)
        k = max(1, min(self.n_components, tfidf.shape[1] - 1, len(texts) - 1))
        # a handful of texts (a small by= group) has zero total variance; only the unused
        # explained_variance_ratio_ divides by it, so its warning says nothing about the components
        with np.errstate(invalid="ignore", divide="ignore"):
            svd = TruncatedSVD(n_components=k, n_iter=int(self.svd_iter), random_state=self.random_state).fit(tfidf)
        self.components_ = np.asarray(svd.components_, dtype=np.float32)
        return self

    def _vectorizer(self) -> TfidfVectorizer | None:
        if not self.vocabulary_:
            return None
        if getattr(self, "_fitted_vectorizer", None) is None:
            vectorizer = char_tfidf(self.ngram_range, vocabulary=self.vocabulary_)
            vectorizer.idf_ = self.idf_
            self._fitted_vectorizer = vectorizer
        return self._fitted_vectorizer

    def _weights(self, texts: list[str]) -> Any:
        """The TF-IDF rows of ``texts``: the term counts from the compiled counter (the same counts as
        scikit-learn's analyzer, 6× faster; :mod:`feedmine.text.char_grams`), weighted by scikit-learn."""
        vectorizer = self._vectorizer()
        if getattr(self, "_counter", None) is None:
            self._counter = WordGramVocabulary(self.vocabulary_, self.ngram_range)
            transformer = TfidfTransformer(sublinear_tf=True)
            transformer.idf_, transformer.n_features_in_ = self.idf_, len(self.idf_)
            self._weighter = transformer
        if not self._counter.usable or not all(isinstance(t, str) for t in texts):
            return vectorizer.transform(texts)  # its own error for a non-text; an alphabet too large to code
        return self._weighter.transform(self._counter.counts(texts), copy=False)

    def transform(self, texts: Sequence[str]) -> np.ndarray:
        check_is_fitted(self, "components_")
        texts = self._cut(texts)
        if self._vectorizer() is None:
            return np.zeros((len(texts), self.components_.shape[0]), dtype=np.float32)
        counts = self._weights(texts).astype(np.float32)
        return l2_normalize(np.asarray(counts @ self.components_.T)).astype(np.float32)

    def fit_transform(self, texts: Sequence[str], y: Any = None, **_: Any) -> np.ndarray:
        return self.fit(texts).transform(texts)

    def is_truncated(self, texts: Sequence[str]) -> np.ndarray:
        limit = self.max_chars or float("inf")
        return np.array([len(t) > limit for t in texts], dtype=bool)

    # ----- as plain data (feedmine.pipeline.persist) --------------------------------------------
    def get_state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """What ``fit`` learned: the vocabulary (JSON) and the idf and SVD arrays."""
        check_is_fitted(self, "components_")
        return {"vocabulary": self.vocabulary_}, {"idf": self.idf_, "components": self.components_}

    def set_state(self, data: dict[str, Any], arrays: dict[str, np.ndarray]) -> "TfidfEmbedder":
        vocabulary = {str(t): int(j) for t, j in data["vocabulary"].items()}
        idf, components = np.asarray(arrays["idf"], dtype=np.float64), np.asarray(arrays["components"], dtype=np.float32)
        if len(idf) != len(vocabulary) or components.ndim != 2 or components.shape[1] != len(vocabulary):
            raise ValueError(f"TF-IDF state does not fit together: {len(vocabulary)} terms, {len(idf)} idf values, "
                             f"components of shape {components.shape}")
        self.vocabulary_, self.idf_, self.components_ = vocabulary, idf, components
        self._fitted_vectorizer = self._counter = None
        return self
