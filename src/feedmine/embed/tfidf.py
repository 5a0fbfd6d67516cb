"""Character n-gram TF-IDF + truncated SVD: no model at all, thousands of texts per second.

Unlike the neural backends it learns from the data it is fitted on, so ``fit`` matters: ``transform``
on new texts projects them into the space learned in ``fit``. Character n-grams (within word
boundaries) work for Korean without a morphological analyser, because 배송이/배송은 share 배송.

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
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.utils.validation import check_is_fitted

from .base import _l2_normalize


class TfidfEmbedder(TransformerMixin, BaseEstimator):
    """Character n-gram TF-IDF reduced by SVD to ``n_components`` dimensions."""

    def __init__(self, n_components: int = 256, ngram_range: tuple[int, int] = (2, 4), min_df: int = 2,
                 max_chars: int | None = 2000, random_state: int | None = None):
        self.n_components = n_components
        self.ngram_range = ngram_range
        self.min_df = min_df
        self.max_chars = max_chars
        self.random_state = random_state

    @property
    def model_id(self) -> str:
        # fitted on the corpus itself: the same id does not mean the same vectors across corpora
        return f"char-tfidf{tuple(self.ngram_range)}-svd{self.n_components}"

    def _cut(self, texts: Sequence[str]) -> list[str]:
        return [t[: self.max_chars] if self.max_chars else t for t in texts]

    def fit(self, texts: Sequence[str], y: Any = None) -> "TfidfEmbedder":
        texts = self._cut(texts)
        min_df = self.min_df if len(texts) > 20 else 1
        self.vectorizer_ = TfidfVectorizer(analyzer="char_wb", ngram_range=self.ngram_range, min_df=min_df,
                                           sublinear_tf=True)
        tfidf = self.vectorizer_.fit_transform(texts)
        k = max(1, min(self.n_components, tfidf.shape[1] - 1, len(texts) - 1))
        self.svd_ = TruncatedSVD(n_components=k, random_state=self.random_state).fit(tfidf)
        return self

    def transform(self, texts: Sequence[str]) -> np.ndarray:
        check_is_fitted(self, "svd_")
        texts = self._cut(texts)
        return _l2_normalize(self.svd_.transform(self.vectorizer_.transform(texts))).astype(np.float32)

    def fit_transform(self, texts: Sequence[str], y: Any = None, **_: Any) -> np.ndarray:
        return self.fit(texts).transform(texts)

    def is_truncated(self, texts: Sequence[str]) -> np.ndarray:
        limit = self.max_chars or float("inf")
        return np.array([len(t) > limit for t in texts], dtype=bool)
