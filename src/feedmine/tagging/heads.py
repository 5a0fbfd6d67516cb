"""Linear classifier heads on the sentence embeddings the pipeline has already computed.

Three logistic-regression heads share one feature vector: the unit-length multilingual-e5-small
embedding (384 numbers) followed by three lexical cues from :class:`~feedmine.tagging.LexiconTagger`
(its sentiment, its request flag, its severity level / 3). They give

* ``sentiment_ko`` and ``sentiment_en``: P(positive), trained on Korean movie reviews (nsmc) and on
  English app reviews (maalej, 1–2★ vs 4–5★); the tagger uses the one of the item's language;
* ``request``: P(feature request), trained on maalej ``is_feature``;
* ``bug``: P(bug report), trained on maalej ``is_bug``.

The Korean sentiment head also weighs character and Korean-morpheme n-grams (:mod:`.ngrams`): its logit
gets ``sum(weight[g] for g in ngrams(text)) / sqrt(len(ngrams(text)))`` over the n-grams it was
trained with (Korean sentiment 0.79 → 0.85 accuracy on held-out nsmc). That head is a linear SVM,
Platt-scaled during training so that it too is read as ``sigmoid(logit)``.

The weights (``heads.json``) are written by ``benchmarks/train_tagger.py``
from ../shared/data with a fixed seed; running it again reproduces them. Applying them is a
matrix product and an n-gram lookup, so tagging costs a small fraction of embedding. The heads only fit the embedding
they were trained on: :func:`semantic_vectors` finds it inside the pipeline's embedding (the
default hybrid embedder carries it as its first block) and returns None for any other embedder,
in which case the tagger falls back to the lexicon alone.

>>> import numpy as np
>>> from feedmine.tagging.heads import LinearHeads
>>> heads = LinearHeads.load()
>>> heads.names
('sentiment_ko', 'sentiment_en', 'request', 'bug')
>>> X = np.zeros((1, heads.n_embedding))
>>> lexical = np.array([[-0.6, 0.0, 2 / 3]])  # lexicon: negative, no request, "high" severity
>>> probs = heads.predict_proba(X, lexical)
>>> bool(probs["sentiment_en"].iloc[0] < 0.5)
True
"""
from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..embed.base import l2_normalize
from ..schema import SEVERITY_LEVELS
from .ngrams import NgramWeights, ngram_scores, prepare_weights

WEIGHTS = Path(__file__).with_name("heads.json")
LEXICAL_FEATURES = ("lexicon_sentiment", "lexicon_request", "lexicon_severity")


def lexical_features(lexicon_tags: pd.DataFrame) -> np.ndarray:
    """The three lexicon columns the heads read, from a :class:`LexiconTagger` output."""
    severity = lexicon_tags["severity"].astype(str).map({lv: i for i, lv in enumerate(SEVERITY_LEVELS)})
    return np.column_stack([lexicon_tags["sentiment"].to_numpy(dtype=float),
                            lexicon_tags["is_request"].to_numpy(dtype=float),
                            severity.to_numpy(dtype=float) / (len(SEVERITY_LEVELS) - 1)])


def semantic_vectors(embedder: Any, X: np.ndarray, model_id: str) -> np.ndarray | None:
    """The rows of ``X`` as the unit-length embedding of ``model_id``, or None if ``X`` has none.

    ``X`` is what ``embedder.transform`` returned. A :class:`~feedmine.embed.HybridEmbedder` puts its
    semantic block first, scaled down by the normalisation of the whole vector; re-normalising that
    block gives the semantic embedding back exactly.
    """
    if X is None or not len(X):
        return None
    if _space_of(embedder) == model_id:
        block = X
    else:
        semantic = getattr(embedder, "semantic_", None)
        dim = getattr(embedder, "semantic_dim_", None)
        if semantic is None or dim is None or _space_of(semantic) != model_id:
            return None
        block = X[:, :dim]
    return l2_normalize(np.asarray(block, dtype=np.float64))


def _space_of(embedder: Any) -> str | None:
    """The embedding space an embedder's vectors are in: its own, or the one it was trained to imitate
    (the fast tier's static table, adapted to e5)."""
    return getattr(embedder, "imitates", None) or getattr(embedder, "model_id", None)


@dataclass(frozen=True)
class LinearHeads:
    """Linear heads read as probabilities: ``P = sigmoid([embedding, lexical] @ coef.T + intercept)``."""

    model_id: str
    names: tuple[str, ...]
    coef: np.ndarray        # (n_heads, n_embedding + 3)
    intercept: np.ndarray   # (n_heads,)
    meta: dict = field(default_factory=dict)
    ngram_weights: dict[str, dict[str, float]] = field(default_factory=dict)  # head → {n-gram: weight}
    # each head's n-gram weights made ready for scoring, on first use (a cache: derived from ngram_weights)
    _prepared: dict[str, NgramWeights] = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def n_embedding(self) -> int:
        return int(self.coef.shape[1] - len(LEXICAL_FEATURES))

    @classmethod
    def load(cls, path: str | Path | None = None) -> "LinearHeads":
        data = json.loads(Path(path or WEIGHTS).read_text(encoding="utf-8"))
        names = tuple(data["heads"])
        coef = np.array([data["heads"][n]["coef"] for n in names], dtype=np.float64)
        intercept = np.array([data["heads"][n]["intercept"] for n in names], dtype=np.float64)
        grams = {n: data["heads"][n]["ngrams"] for n in names if data["heads"][n].get("ngrams")}
        return cls(data["model_id"], names, coef, intercept, data.get("meta", {}), grams)

    def save(self, path: str | Path) -> None:
        # 6 decimals: retraining on another machine moves the weights by less than that.
        heads = {n: {"coef": [round(float(c), 6) for c in self.coef[i]],
                     "intercept": round(float(self.intercept[i]), 6),
                     "ngrams": {g: round(float(w), 5) for g, w in sorted(self.ngram_weights.get(n, {}).items())}}
                 for i, n in enumerate(self.names)}
        payload = {"model_id": self.model_id, "features": [f"embedding[{self.n_embedding}]", *LEXICAL_FEATURES],
                   "heads": heads, "meta": self.meta}
        Path(path).write_text(json.dumps(payload, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")

    def predict_proba(self, embeddings: np.ndarray, lexical: np.ndarray,
                      texts: Sequence[str] | None = None) -> pd.DataFrame:
        """One column per head, one row per item: the head's probability. ``texts`` feed the n-gram
        weights (heads that have them); without texts those heads use the dense part alone."""
        embeddings = np.asarray(embeddings, dtype=np.float64)
        if embeddings.ndim != 2 or embeddings.shape[1] != self.n_embedding:
            raise ValueError(f"the tagging heads expect {self.n_embedding}-dimensional {self.model_id} "
                             f"vectors, got shape {embeddings.shape}")
        logits = np.hstack([embeddings, np.asarray(lexical, dtype=np.float64)]) @ self.coef.T + self.intercept
        if texts is not None and self.ngram_weights:
            if len(texts) != len(embeddings):
                raise ValueError(f"got {len(texts)} texts but {len(embeddings)} embeddings")
            for i, name in enumerate(self.names):
                weights = self.ngram_weights.get(name)
                if weights:
                    if name not in self._prepared:
                        self._prepared[name] = prepare_weights(weights)
                    logits[:, i] += ngram_scores(texts, self._prepared[name])
        return pd.DataFrame(1.0 / (1.0 + np.exp(-logits)), columns=list(self.names))
