"""Embedding backends. ``E5Embedder`` is the default (see docs/embedders.md for the measurement)."""
from .base import Embedder
from .e5 import E5Embedder
from .sentence_transformers import SentenceTransformerEmbedder
from .tfidf import TfidfEmbedder
from .use import USEEmbedder

__all__ = ["Embedder", "E5Embedder", "USEEmbedder", "SentenceTransformerEmbedder", "TfidfEmbedder"]
