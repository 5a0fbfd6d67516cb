"""Pull languages together in a multilingual embedding: centre each language on the common mean.

Multilingual sentence embeddings carry a language signature: a Korean and an English complaint
about the same failed payment are further apart than two Korean texts about different things, so
UMAP + HDBSCAN split every theme by language (measured on 48 parallel complaints, three problems in
two languages: e5 alone gives six one-language themes). Most of that signature is a per-language
mean vector (Libovický et al., 2020, "On the language neutrality of pre-trained multilingual
representations"); moving each language's mean onto the corpus mean removes it and leaves the
within-language structure as it was (the same 48 texts: three themes, each in both languages).

Only Korean and English are centred. Code-mixed items ("mixed": Korean text with English words in
it) move with the Korean ones; anything else ("other", "none") stays where it is. The shifts are
learned once, in ``fit`` (the fitted corpus's language means and overall mean), and applied to any
later item alone, so an item's vector never depends on the batch it comes in. A corpus in one
language learns no shift, and neither does a language with fewer than ``min_items`` texts (too few to
estimate its mean).

>>> import numpy as np
>>> X = np.array([[1.0, 0.2], [1.0, -0.2], [0.2, 1.0], [-0.2, 1.0]])
>>> aligner = LanguageAligner(min_items=2).fit(X, ["ko", "ko", "en", "en"])
>>> Y = aligner.transform(X, ["ko", "ko", "en", "en"])
>>> bool(Y[0] @ Y[2] > X[0] @ X[2])  # the Korean and English texts moved closer
True
>>> bool(np.allclose(aligner.transform(X[:1], ["ko"]), Y[:1]))  # one item alone: the same vector
True
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.base import BaseEstimator

from .base import l2_normalize


#: the languages whose means are centred; "mixed" counts as Korean
CENTRED = ("ko", "en")


def _groups(langs: Sequence[str]) -> np.ndarray:
    langs = np.asarray(langs, dtype=object)
    return np.where(langs == "mixed", "ko", langs)


class LanguageAligner(BaseEstimator):
    """Move each language's mean onto the common mean (learned in ``fit``), then re-normalise."""

    def __init__(self, min_items: int = 20):
        self.min_items = min_items

    def fit(self, X: np.ndarray, langs: Sequence[str]) -> "LanguageAligner":
        X = np.asarray(X, dtype=np.float64)
        groups = _groups(langs)
        if len(groups) != len(X):
            raise ValueError(f"got {len(X)} vectors but {len(groups)} languages")
        present = [lang for lang in CENTRED if (groups == lang).sum() >= self.min_items]
        self.shifts_ = {}
        if len(present) >= 2:
            overall = X.mean(axis=0)
            self.shifts_ = {lang: overall - X[groups == lang].mean(axis=0) for lang in present}
        return self

    def transform(self, X: np.ndarray, langs: Sequence[str]) -> np.ndarray:
        X = np.asarray(X)
        groups = _groups(langs)
        if len(groups) != len(X):
            raise ValueError(f"got {len(X)} vectors but {len(groups)} languages")
        if not self.shifts_:
            return X
        Y = np.asarray(X, dtype=np.float64).copy()
        # a zero vector (a text the embedder found nothing in) has no direction to correct: it stays zero
        empty = np.linalg.norm(Y, axis=1) < 1e-12
        for lang, shift in self.shifts_.items():
            Y[(groups == lang) & ~empty] += shift
        return l2_normalize(Y).astype(X.dtype, copy=False)

    def fit_transform(self, X: np.ndarray, langs: Sequence[str]) -> np.ndarray:
        return self.fit(X, langs).transform(X, langs)

    # ----- as plain data (feedmine.pipeline.persist) --------------------------------------------
    def get_state(self) -> tuple[dict, dict[str, np.ndarray]]:
        return {"languages": list(self.shifts_)}, {f"shift_{lang}": v for lang, v in self.shifts_.items()}

    def set_state(self, data: dict, arrays: dict[str, np.ndarray]) -> "LanguageAligner":
        self.shifts_ = {lang: np.asarray(arrays[f"shift_{lang}"], dtype=np.float64) for lang in data["languages"]}
        return self


def center_languages(X: np.ndarray, langs: Sequence[str], min_items: int = 20) -> np.ndarray:
    """Rows of ``X`` with each language's mean moved to the corpus mean, re-normalised to unit length."""
    return LanguageAligner(min_items=min_items).fit_transform(X, langs)
