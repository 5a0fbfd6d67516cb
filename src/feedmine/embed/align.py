"""Pull languages together in a multilingual embedding: centre each language on the common mean.

Multilingual sentence embeddings carry a language signature: a Korean and an English complaint
about the same failed payment are further apart than two Korean texts about different things, so
UMAP + HDBSCAN split every theme by language (measured on 48 parallel complaints, three problems in
two languages: e5 alone gives six one-language themes). Most of that signature is a per-language
mean vector (Libovický et al., 2020, "On the language neutrality of pre-trained multilingual
representations"); moving each language's mean onto the corpus mean removes it and leaves the
within-language structure as it was (the same 48 texts: three themes, each in both languages).

Only Korean and English are centred. Code-mixed items ("mixed": Korean text with English words in
it) move with the Korean ones; anything else ("other", "none") stays where it is. A corpus in one
language is returned unchanged, and so is a language with fewer than ``min_items`` texts (too few to
estimate its mean).

>>> import numpy as np

from .base import l2_normalize
>>> X = np.array([[1.0, 0.2], [1.0, -0.2], [0.2, 1.0], [-0.2, 1.0]])
>>> Y = center_languages(X, ["ko", "ko", "en", "en"], min_items=2)
>>> bool(Y[0] @ Y[2] > X[0] @ X[2])  # the Korean and English texts moved closer
True
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .base import l2_normalize


def center_languages(X: np.ndarray, langs: Sequence[str], min_items: int = 20) -> np.ndarray:
    """Rows of ``X`` with each language's mean moved to the corpus mean, re-normalised to unit length."""
    X = np.asarray(X)
    langs = np.asarray(langs, dtype=object)
    if len(langs) != len(X):
        raise ValueError(f"got {len(X)} vectors but {len(langs)} languages")
    langs = np.where(langs == "mixed", "ko", langs)
    groups = [lang for lang in ("ko", "en") if (langs == lang).sum() >= min_items]
    if len(groups) < 2:
        return X
    Y = np.asarray(X, dtype=np.float64).copy()
    overall = Y.mean(axis=0)
    for lang in groups:
        rows = langs == lang
        Y[rows] += overall - Y[rows].mean(axis=0)
    Y = l2_normalize(Y)
    return Y.astype(X.dtype, copy=False)
