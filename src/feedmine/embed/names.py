"""Embedders by short name: what ``analyze(embedder=...)``, ``Pipeline(embedder=...)`` and the CLI's
``--embedder`` accept."""
from __future__ import annotations

from typing import Any

from ..errors import FeedmineError

EMBEDDER_NAMES = ("hybrid", "fast", "e5", "use", "tfidf")
#: texts the fast tier's character TF-IDF learns its vocabulary and SVD from
FAST_TFIDF_SAMPLE = 10_000


def make_embedder(name: Any, cache_dir: Any = None, progress: bool = True) -> Any:
    """An embedder from a short name: ``hybrid`` (default: e5 + character TF-IDF), ``fast`` (static e5 tokens
    adapted on the data + character TF-IDF, for large inputs), ``e5``, ``use``, ``tfidf``, or a sentence-transformers
    model name or path prefixed with ``st:`` (``st:all-MiniLM-L6-v2``). Objects pass through."""
    if not isinstance(name, str):
        return name
    from .. import embed

    if name == "hybrid":
        return embed.HybridEmbedder(semantic=embed.E5Embedder(cache_dir=cache_dir, progress=progress),
                                    progress=progress)
    if name == "fast":  # static e5 tokens adapted on the data + character TF-IDF: for large inputs
        return embed.HybridEmbedder(semantic=embed.StaticEmbedder(cache_dir=cache_dir, progress=progress),
                                    lexical=embed.TfidfEmbedder(fit_sample=FAST_TFIDF_SAMPLE), progress=progress)
    if name == "e5":
        return embed.E5Embedder(cache_dir=cache_dir, progress=progress)
    if name == "use":
        return embed.USEEmbedder(cache_dir=cache_dir, progress=progress)
    if name == "tfidf":
        return embed.TfidfEmbedder()
    if name.startswith("st:"):
        return embed.SentenceTransformerEmbedder(name[3:], cache_dir=cache_dir, progress=progress)
    raise FeedmineError(f"unknown embedder {name!r}: use one of {', '.join(EMBEDDER_NAMES)}, "
                        "'st:<sentence-transformers model or path>', or pass an embedder object.")
