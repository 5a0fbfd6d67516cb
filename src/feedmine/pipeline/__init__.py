"""The pipeline: the fit path and the assign path over the same per-item steps, and the model on disk."""
from typing import Any

from .model import Pipeline


def load_model(path: Any, embedder: Any = None) -> Pipeline:
    """Load a fitted model saved with :meth:`Pipeline.save` (every file checked against its manifest).

    ``embedder`` is needed only when the model was fitted with an embedder feedmine cannot save as data;
    it must be that embedder, fitted."""
    return Pipeline.load(path, embedder=embedder)


__all__ = ["Pipeline", "load_model"]
