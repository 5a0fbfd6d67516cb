"""Embedders by short name: what ``analyze(embedder=...)``, ``Pipeline(embedder=...)`` and the CLI's
``--embedder`` accept."""
from __future__ import annotations

from typing import Any

from ..errors import FeedmineError

EMBEDDER_NAMES = ("hybrid", "fast", "e5", "use", "tfidf")
#: texts the fast tier's character TF-IDF learns its vocabulary and SVD from
FAST_TFIDF_SAMPLE = 10_000
#: weight of the character TF-IDF block in the fast tier (the default hybrid keeps 0.3): the static table is
#: weaker than e5, and 0.4 clustered banking77 better on both splits (test NMI 0.749 → 0.756 over three
#: seeds, train 0.723 → 0.730 at seed 0), parakqc NMI 0.960 → 0.955 / ARI 0.670 → 0.683 over three seeds;
#: 0.5 collapsed one seed (docs/embedders.md, "The fast tier")
FAST_LEXICAL_WEIGHT = 0.4


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
                                    lexical=embed.TfidfEmbedder(fit_sample=FAST_TFIDF_SAMPLE),
                                    lexical_weight=FAST_LEXICAL_WEIGHT, progress=progress)
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
