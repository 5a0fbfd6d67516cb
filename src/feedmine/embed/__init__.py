"""Embedding backends. The default is ``HybridEmbedder`` (e5 + character TF-IDF); ``embedder="fast"`` puts the
static, adapted e5 table (``StaticEmbedder``) in e5's place (docs/embedders.md says why)."""
from .base import Embedder
from .e5 import E5Embedder
from .hybrid import HybridEmbedder
from .sentence_transformers import SentenceTransformerEmbedder
from .static import StaticEmbedder
from .tfidf import TfidfEmbedder
from .use import USEEmbedder

__all__ = ["Embedder", "HybridEmbedder", "E5Embedder", "USEEmbedder", "SentenceTransformerEmbedder", "StaticEmbedder", "TfidfEmbedder"]
