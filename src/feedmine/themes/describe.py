"""Describe themes: class-based TF-IDF keywords, a readable name and representative quotes.

``label`` is the name a person reads: a short span of the theme's own most central texts
(:mod:`feedmine.themes.naming`); ``keyword_label`` the top keywords joined with " · ".

Example
-------
>>> import numpy as np
>>> texts = ["card declined", "my card got declined", "card declined twice",
...          "slow delivery", "delivery is slow", "very slow delivery"]
>>> labels = np.array([0, 0, 0, 1, 1, 1])
>>> emb = np.array([[1, 0.2], [1, 0], [1, -0.2], [0, 1], [0.3, 1], [-0.3, 1]])
>>> d = ThemeDescriber(n_quotes=1).fit(texts, labels, emb)
>>> d.themes_[["theme_id", "label", "keyword_label", "quotes"]].to_dict("records")
[{'theme_id': 0, 'label': 'card declined', 'keyword_label': 'card · declined', 'quotes': ['my card got declined']}, \
{'theme_id': 1, 'label': 'slow delivery', 'keyword_label': 'delivery · slow', 'quotes': ['slow delivery']}]
"""

from __future__ import annotations

import logging
import math
import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.base import BaseEstimator

from ..embed.base import l2_normalize
from ..text.language import HANGUL_SYLLABLE
from ..text.tokenize import KeywordTokenizer
from .naming import CENTRAL_TEXTS, NAME_CANDIDATES, name_candidates, nearest_names, readable_names, word_lemmas

logger = logging.getLogger(__name__)

UNASSIGNED = -1
THEME_COLUMNS = ["theme_id", "label", "keyword_label", "keywords", "keyword_scores", "quotes", "quote_ids"]


def _check_count(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
        raise ValueError(f"{name} must be a non-negative integer, got {value!r}")
    return int(value)


def _min_count(min_df: object, n_docs: int) -> int:
    """Translate ``min_df`` (an item count, or a share of items when a float) into a count."""
    if isinstance(min_df, numbers.Integral) and not isinstance(min_df, bool) and min_df >= 1:
        return int(min_df)
    if isinstance(min_df, numbers.Real) and not isinstance(min_df, bool) and 0.0 < min_df <= 1.0:
        return max(1, math.ceil(float(min_df) * n_docs))
    raise ValueError(f"min_df must be an int >= 1 or a float in (0, 1], got {min_df!r}")


def _check_diversity(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0.0 <= float(value) <= 1.0:
        raise ValueError(f"diversity must be a number in [0, 1], got {value!r}")
    return float(value)


def _bigrams(term: str) -> frozenset[str]:
    """Character bigrams of each word of ``term``; a one-letter word stands for itself.

    >>> sorted(_bigrams("card arrival"))
    ['al', 'ar', 'ca', 'iv', 'rd', 'ri', 'rr', 'va']
    """
    grams: set[str] = set()
    for word in term.split():
        grams.update({word} if len(word) < 2 else {word[i:i + 2] for i in range(len(word) - 1)})
    return frozenset(grams)


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    union = len(a | b)
    return len(a & b) / union if union else 0.0


def mmr_select(terms: Sequence[str], relevance: Sequence[float], k: int, diversity: float) -> list[int]:
    """Greedy maximal marginal relevance: indices of ``k`` terms, in pick order.

    Each step picks the term maximising ``(1 - diversity) * relevance - diversity * max_sim`` where
    ``max_sim`` is the largest character-bigram Jaccard similarity to a term already picked, so
    "배송", "배송지연", "배송 지연" (or "card", "cards") compete with each other. Ties go to the
    earlier term. ``diversity=0`` keeps the input order.

    >>> terms = ["card", "cards", "card card", "refund"]
    >>> [terms[i] for i in mmr_select(terms, [1.0, 0.95, 0.9, 0.7], 2, 0.3)]
    ['card', 'refund']
    """
    k = min(k, len(terms))
    if diversity == 0.0:
        return list(range(k))
    grams = [_bigrams(t) for t in terms]
    rel = np.asarray(relevance, dtype=np.float64)
    max_sim = np.zeros(len(terms))
    picked: list[int] = []
    free = np.ones(len(terms), dtype=bool)
    for _ in range(k):
        score = np.round((1.0 - diversity) * rel - diversity * max_sim, 12)
        score[~free] = -np.inf
        best = int(np.argmax(score))  # first maximum: the earlier (higher c-TF-IDF) term wins ties
        picked.append(best)
        free[best] = False
        sims = np.array([_jaccard(grams[best], g) for g in grams])
        max_sim = np.maximum(max_sim, sims)
    return picked


def _as_labels(labels: object, n: int) -> np.ndarray:
    arr = np.asarray(labels)
    if arr.ndim != 1 or arr.shape[0] != n:
        raise ValueError(f"labels must be 1-D with one entry per text ({n}), got shape {arr.shape}")
    if arr.dtype.kind in "iu":
        return arr.astype(np.int64)
    try:
        as_float = arr.astype(np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError("labels must be integers (-1 for unassigned)") from exc
    if not np.all(np.isfinite(as_float)) or not np.all(as_float == np.round(as_float)):
        raise ValueError("labels must be integers (-1 for unassigned); found NaN or fractions")
    return as_float.astype(np.int64)


def _count_matrix(docs: list[list[str]], min_count: int) -> tuple[np.ndarray, sparse.csr_matrix]:
    """Item x term count matrix over the terms found in at least ``min_count`` items.

    Columns are in sorted term order, so a column index doubles as an alphabetical tie-breaker.
    """
    terms = np.array(sorted({t for doc in docs for t in doc}), dtype=object)
    index = {t: j for j, t in enumerate(terms)}
    rows = np.repeat(np.arange(len(docs)), [len(d) for d in docs])
    cols = np.fromiter((index[t] for d in docs for t in d), dtype=np.int64, count=len(rows))
    counts = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(docs), len(terms)))
    counts.sum_duplicates()
    doc_freq = np.asarray((counts > 0).sum(axis=0)).ravel()
    keep = np.flatnonzero(doc_freq >= min_count)
    return terms[keep], counts[:, keep].tocsr()


class ThemeDescriber(BaseEstimator):
    """Keywords, label and representative quotes for each theme found by a clusterer.

    Keywords come from class-based TF-IDF: all tokens of a theme form one document and
    ``w(t, c) = tf(t, c) / |c| * log(1 + A / f(t))``, with ``|c|`` the number of tokens in theme c,
    ``A`` the average number of tokens per theme and ``f(t)`` the count of t over all themes.
    A word every theme uses gets a small weight; a word one theme uses a lot gets a large one.
    Quotes are the distinct texts whose embeddings are most cosine-similar to the theme centroid.

    Parameters
    ----------
    n_keywords : int
        Keywords kept per theme.
    n_quotes : int
        Representative quotes kept per theme.
    label_words : int
        Keywords joined with " · " into the label.
    tokenizer : KeywordTokenizer or None
        Anything with ``tokenize_many(texts) -> list[list[str]]``; default ``KeywordTokenizer()``.
    min_df : int or float
        A term must appear in at least this many items (or this share of items when a float) to
        be a keyword; counted over items, not themes, so theme-specific words survive.
    diversity : float
        Maximal marginal relevance trade-off in [0, 1] (0 = plain c-TF-IDF order). The top
        ``3 * n_keywords`` terms are re-picked greedily by ``(1 - diversity) * relevance -
        diversity * similarity``, relevance being the weight divided by the theme's largest and
        similarity the character-bigram Jaccard to the closest keyword already picked, so five
        spellings of one word ("배송", "배송지연", "배송 지연") no longer fill the list.
        ``keyword_scores`` keep the c-TF-IDF weights, in the picked order.

    Attributes
    ----------
    themes_ : DataFrame
        One row per theme (``-1`` first), columns ``theme_id, label, keywords, keyword_scores,
        quotes, quote_ids``.
    theme_ids_ : ndarray of int
        Theme ids in row order of ``ctfidf_``.
    terms_ : ndarray of str
        Vocabulary, sorted; columns of ``ctfidf_``.
    ctfidf_ : scipy.sparse.csr_matrix
        Theme x term c-TF-IDF weights.
    tokenizer_ : the tokenizer actually used.
    """

    def __init__(self, n_keywords: int = 10, n_quotes: int = 3, label_words: int = 3,
                 tokenizer: KeywordTokenizer | None = None, min_df: int | float = 2,
                 diversity: float = 0.3) -> None:
        self.n_keywords = n_keywords
        self.n_quotes = n_quotes
        self.label_words = label_words
        self.tokenizer = tokenizer
        self.min_df = min_df
        self.diversity = diversity

    def fit(self, texts: Sequence[str], labels: np.ndarray, embeddings: np.ndarray,
            ids: Sequence[str] | None = None, embed: Any = None) -> ThemeDescriber:
        """Compute keywords, labels, names and quotes for every theme id present in ``labels``.

        ``texts``, ``labels``, ``embeddings`` (n x d) and ``ids`` are aligned item by item;
        label -1 marks unassigned items, which are described too but labelled "unassigned".
        ``embed(list of str) -> vectors`` in the space of ``embeddings`` (the pipeline passes its
        embedder): a theme's name is then the candidate span closest to the theme's centroid
        (:mod:`feedmine.themes.naming`); without it, the span with the most keyword weight.
        """
        n_keywords = _check_count(self.n_keywords, "n_keywords")
        n_quotes = _check_count(self.n_quotes, "n_quotes")
        label_words = _check_count(self.label_words, "label_words")
        diversity = _check_diversity(self.diversity)
        texts = list(texts)
        n = len(texts)
        min_count = _min_count(self.min_df, n)
        labels = _as_labels(labels, n)
        emb = np.asarray(embeddings, dtype=np.float64)
        if emb.ndim != 2 or emb.shape[0] != n:
            raise ValueError(f"embeddings must be a 2-D array with {n} rows, got shape {emb.shape}")
        if not np.all(np.isfinite(emb)):
            raise ValueError("embeddings contain NaN or infinite values")
        if ids is None:
            ids = [str(i) for i in range(n)]
        else:
            ids = [str(i) for i in ids]
            if len(ids) != n:
                raise ValueError(f"ids has {len(ids)} entries but there are {n} texts")

        self.tokenizer_ = self.tokenizer if self.tokenizer is not None else KeywordTokenizer()
        tokens = self.tokenizer_.tokenize_many(texts)
        self.theme_ids_ = np.unique(labels)  # sorted, so -1 comes first
        self.terms_, item_counts = _count_matrix(tokens, min_count)
        self.ctfidf_ = self._ctfidf(item_counts, labels)
        logger.info("describing %d themes over %d items with %d terms",
                    len(self.theme_ids_), n, len(self.terms_))

        unit = self._unit_rows(emb)
        central = {int(t): self._quotes(np.flatnonzero(labels == t), unit, texts, max(n_quotes, CENTRAL_TEXTS))
                   for t in self.theme_ids_}
        lemmas = word_lemmas([texts[i] for t, c in central.items() if t != UNASSIGNED for i in c], self.tokenizer_)
        tops = [self._top_terms(r, n_keywords, diversity) for r in range(len(self.theme_ids_))]
        names = self._names(central, texts, labels, unit, lemmas, tops, embed)
        rows = []
        for theme_id, (keywords, scores) in zip(self.theme_ids_, tops):
            members = np.flatnonzero(labels == theme_id)
            picked = central[int(theme_id)][:n_quotes]
            keyword_label = self._label(int(theme_id), _majority_script_first(keywords, texts, members), label_words)
            rows.append({
                "theme_id": int(theme_id),
                # the name a person reads; the keyword triple beside it (and where no span holds two keywords)
                "label": names.get(int(theme_id)) or keyword_label,
                "keyword_label": keyword_label,
                "keywords": keywords,
                "keyword_scores": scores,
                "quotes": [texts[i] for i in picked],
                "quote_ids": [ids[i] for i in picked],
            })
        themes = pd.DataFrame(rows, columns=THEME_COLUMNS)
        self.themes_ = themes.astype({"theme_id": "int64"})
        return self

    def quotes(self, texts: Sequence[str], labels: np.ndarray, embeddings: np.ndarray,
               ids: Sequence[str] | None = None) -> pd.DataFrame:
        """Representative quotes of the themes in ``labels`` by this describer's rule (the distinct texts
        closest to the members' centroid), without refitting keywords: how an assigned batch shows its
        own feedback under the fitted themes. Columns ``theme_id, quotes, quote_ids``."""
        texts = list(texts)
        labels = _as_labels(labels, len(texts))
        ids = [str(i) for i in ids] if ids is not None else [str(i) for i in range(len(texts))]
        emb = np.asarray(embeddings, dtype=np.float64)
        unit = self._unit_rows(emb if len(texts) else np.zeros((0, 1)))
        k = _check_count(self.n_quotes, "n_quotes")
        rows = []
        for theme_id in np.unique(labels):
            picked = self._quotes(np.flatnonzero(labels == theme_id), unit, texts, k)
            rows.append({"theme_id": int(theme_id), "quotes": [texts[i] for i in picked],
                         "quote_ids": [ids[i] for i in picked]})
        return pd.DataFrame(rows, columns=["theme_id", "quotes", "quote_ids"]).astype({"theme_id": "int64"})

    # -- internals --------------------------------------------------------------------------
    def _ctfidf(self, item_counts: sparse.csr_matrix, labels: np.ndarray) -> sparse.csr_matrix:
        n_themes = len(self.theme_ids_)
        row_of = np.searchsorted(self.theme_ids_, labels)
        membership = sparse.csr_matrix(
            (np.ones(len(labels)), (row_of, np.arange(len(labels)))),
            shape=(n_themes, len(labels)))
        counts = (membership @ item_counts).tocsr()  # theme x term token counts
        if counts.nnz == 0:
            return counts
        theme_sizes = np.asarray(counts.sum(axis=1)).ravel()  # |c|
        term_totals = np.asarray(counts.sum(axis=0)).ravel()  # f(t), > 0 for every kept term
        avg_tokens = theme_sizes.sum() / n_themes  # A
        idf = np.log1p(avg_tokens / term_totals)
        # Themes with no tokens keep an all-zero row instead of dividing by zero.
        inv_size = np.divide(1.0, theme_sizes, out=np.zeros_like(theme_sizes), where=theme_sizes > 0)
        return (sparse.diags(inv_size) @ counts @ sparse.diags(idf)).tocsr()

    def _top_terms(self, row: int, k: int, diversity: float = 0.0) -> tuple[list[str], list[float]]:
        start, end = self.ctfidf_.indptr[row], self.ctfidf_.indptr[row + 1]
        cols = self.ctfidf_.indices[start:end]
        weights = self.ctfidf_.data[start:end]
        positive = weights > 0
        cols, weights = cols[positive], weights[positive]
        # Highest weight first; equal weights in alphabetical order (columns are sorted terms).
        order = np.lexsort((cols, -weights))[:3 * k if diversity > 0 else k]
        cols, weights = cols[order], weights[order]
        if diversity > 0 and len(cols):
            terms = [str(self.terms_[c]) for c in cols]
            keep = mmr_select(terms, weights / weights[0], k, diversity)
            cols, weights = cols[keep], weights[keep]
        return [str(self.terms_[c]) for c in cols], [float(w) for w in weights]

    def _names(self, central: dict[int, list[int]], texts: list[str], labels: np.ndarray, unit: np.ndarray,
               lemmas: dict[str, list[str]], tops: list[tuple[list[str], list[float]]], embed: Any) -> dict[int, str]:
        """Each theme's name: its candidate spans (``tops``: its keywords and their scores), and of those
        the one nearest its centroid when ``embed`` is given (one call for every theme's candidates)."""
        candidates = {}
        for theme_id, (keywords, scores) in zip(self.theme_ids_, tops):
            if theme_id == UNASSIGNED:
                continue
            found = name_candidates([texts[i] for i in central[int(theme_id)]], keywords, scores,
                                    self.tokenizer_, lemmas, NAME_CANDIDATES if embed is not None else 1)
            if found:
                candidates[int(theme_id)] = found
        if embed is None or not candidates:
            chosen = {t: c[0] for t, c in candidates.items()}
        else:
            chosen = nearest_names(candidates, {t: unit[labels == t].mean(axis=0) for t in candidates}, embed)
        return dict(zip(chosen, readable_names(list(chosen.values()), self.tokenizer_)))

    @staticmethod
    def _label(theme_id: int, keywords: list[str], label_words: int) -> str:
        if theme_id == UNASSIGNED:
            return "unassigned"
        chosen: list[str] = []
        covered: set[str] = set()
        for word in keywords:
            if len(chosen) == label_words:
                break
            parts = set(word.split(" "))
            # "고객 · 센터 · 고객 센터" says the same thing three times: skip a keyword whose words
            # are all in the label already, and let a bigram replace the unigrams it contains.
            if parts <= covered:
                continue
            kept = [c for c in chosen if not set(c.split(" ")) <= parts]
            at = next((i for i, c in enumerate(chosen) if c not in kept), len(kept))
            chosen = kept[:at] + [word] + kept[at:]
            covered = {p for c in chosen for p in c.split(" ")}
        return " · ".join(chosen) if chosen else f"theme {theme_id}"

    @staticmethod
    def _unit_rows(emb: np.ndarray) -> np.ndarray:
        # Normalising first makes the centroid an average direction, so long vectors don't dominate.
        return l2_normalize(emb)

    @staticmethod
    def _quotes(members: np.ndarray, unit: np.ndarray, texts: list[str], k: int) -> list[int]:
        if k == 0 or len(members) == 0:
            return []
        vecs = unit[members]
        centroid = vecs.mean(axis=0)
        norm = np.linalg.norm(centroid)
        sims = vecs @ centroid / norm if norm > 0 else np.zeros(len(members))
        # Rounding turns floating-point near-ties into exact ties, which the position then breaks.
        sims = np.round(sims, 12)
        picked: list[int] = []
        seen: set[str] = set()
        for j in np.lexsort((members, -sims)):  # ties: earlier item first
            i = int(members[j])
            key = str(texts[i]).strip()
            # A quote shown twice wastes a slot; empty strings say nothing.
            if not key or key in seen:
                continue
            seen.add(key)
            picked.append(i)
            if len(picked) == k:
                break
        return picked



def _majority_script_first(keywords: list[str], texts: Sequence[str], members: np.ndarray) -> list[str]:
    """Keywords reordered so that a theme's label is in the language of most of its items: a theme of
    mostly Korean reviews is labelled with its Korean keywords, even when English ones score higher."""
    if not len(members) or not keywords:
        return keywords
    korean_items = sum(bool(HANGUL_SYLLABLE.search(texts[i])) for i in members)
    want_korean = korean_items * 2 >= len(members)
    same = [k for k in keywords if bool(HANGUL_SYLLABLE.search(k)) == want_korean]
    return same + [k for k in keywords if k not in same]
