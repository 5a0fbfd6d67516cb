"""The embedder interface every backend follows, with caching, truncation and progress built in.

A backend subclasses :class:`Embedder` and implements ``_encode(texts) -> ndarray`` and
``model_id``. Everything else — the disk cache, batching, progress bar, truncation of very long texts,
L2 normalisation — lives here once. Any object with a ``transform(texts) -> ndarray`` method can be
passed to the pipeline instead.
"""
from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from tqdm.auto import tqdm

from .cache import EmbeddingCache, default_cache_dir, text_key

logger = logging.getLogger(__name__)


class Embedder(TransformerMixin, BaseEstimator):
    """Base class: texts in, one L2-normalised float32 row per text out.

    Subclass parameters must include ``batch_size``, ``max_chars``, ``cache_dir`` and ``progress``
    (scikit-learn reads parameters from ``__init__``'s signature, so each subclass lists them).
    ``cache_dir=None`` uses :func:`~feedmine.embed.cache.default_cache_dir`; ``cache_dir=False``
    turns the cache off.
    """

    batch_size: int
    max_chars: int | None
    cache_dir: Any
    progress: bool

    # --- to implement -------------------------------------------------------------------------
    @property
    def model_id(self) -> str:  # pragma: no cover - abstract
        raise NotImplementedError

    def _encode(self, texts: list[str]) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    # --- shared machinery ---------------------------------------------------------------------
    def fit(self, texts: Sequence[str] | None = None, y: Any = None) -> "Embedder":
        return self

    def truncate(self, text: str) -> str:
        if self.max_chars is not None and len(text) > self.max_chars:
            return text[: self.max_chars]
        return text

    def is_truncated(self, texts: Sequence[str]) -> np.ndarray:
        """Which texts are longer than ``max_chars`` (embedded truncated, kept whole elsewhere)."""
        if self.max_chars is None:
            return np.zeros(len(texts), dtype=bool)
        return np.fromiter((len(t) > self.max_chars for t in texts), dtype=bool, count=len(texts))

    def _cache(self) -> EmbeddingCache | None:
        if self.cache_dir is False:
            return None
        root = default_cache_dir() if self.cache_dir is None else self.cache_dir
        return EmbeddingCache(root, f"{self.model_id}|max_chars={self.max_chars}")

    def transform(self, texts: Sequence[str]) -> np.ndarray:
        """Embed ``texts``; cached vectors are reused, the rest are computed in batches."""
        texts = [self.truncate(t) for t in texts]
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        # identical texts are embedded once
        unique = list(dict.fromkeys(texts))
        keys = [text_key(t) for t in unique]
        cache = self._cache()
        found = cache.get(keys) if cache is not None else [None] * len(unique)
        todo = [i for i, v in enumerate(found) if v is None]
        if todo:
            logger.info("embedding %d texts with %s (%d from cache)", len(todo), self.model_id,
                        len(unique) - len(todo))
            self._embed_into(found, todo, unique, keys, cache)
            # the cache is only trusted where it agrees with what the model makes now
            width = len(found[todo[0]])
            stale = [i for i, v in enumerate(found) if len(v) != width]
            if stale:
                logger.warning("embedding cache of %s held %d vectors of another width than the model's %d; "
                               "they are embedded again", self.model_id, len(stale), width)
                self._embed_into(found, stale, unique, keys, cache)
        matrix = np.vstack(found).astype(np.float32, copy=False)
        position = {t: i for i, t in enumerate(unique)}
        return matrix[[position[t] for t in texts]]


    def _embed_into(self, found: list, todo: list[int], unique: list[str], keys: list[bytes], cache: Any) -> None:
        """Embed ``unique[i]`` for each i in ``todo`` into ``found``, batch by batch, each batch cached
        as soon as it is made (an interrupted run keeps what it finished)."""
        # length-sorted batches waste less work on padding
        order = sorted(todo, key=lambda i: len(unique[i]))
        bar = tqdm(total=len(order), desc="embedding", unit="text", disable=not self.progress)
        for start in range(0, len(order), self.batch_size):
            batch = order[start:start + self.batch_size]
            vectors = np.asarray(self._encode([unique[i] for i in batch]), dtype=np.float32)
            if vectors.ndim != 2 or len(vectors) != len(batch):
                raise RuntimeError(f"{type(self).__name__} returned shape {vectors.shape} for "
                                   f"{len(batch)} texts")
            vectors = l2_normalize(vectors)
            for i, v in zip(batch, vectors):
                found[i] = v
            if cache is not None:
                cache.put([keys[i] for i in batch], vectors)
            bar.update(len(batch))
        bar.close()


def l2_normalize(x: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (zero rows stay zero); the one copy every module uses."""
    x = np.asarray(x)
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)
