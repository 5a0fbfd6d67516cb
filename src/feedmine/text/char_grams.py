"""Character n-grams counted in compiled code, exactly as the Python definitions count them.

Why: on the assign path every row's character n-grams are cut twice, once for the lexical TF-IDF block
of the embedding (scikit-learn's ``char_wb`` analyzer: 3.4 s per 10,000 two-review texts) and once for
the sentiment head's n-gram weights (``tagging.ngrams``: 3.5 s more to cut, 1.3 s to sum). Here a
block of texts becomes one array of code points, and numba cuts, codes, sorts and looks up the
n-grams: same features, same counts, ≈ 10× less time.

Codes are exact (no hashing, so no collisions). A gram of up to three characters is its three 21-bit
code points (:func:`feedmine.text.shingle_join.encode_shingles`' coding: 1- and 2-grams flagged in the
top bits); the TF-IDF block's grams reach four characters, so there each character is first replaced
by its rank in the vocabulary's alphabet (15 bits, plus the gram's length in the top bits), and a
gram holding a character outside that alphabet is not in the vocabulary anyway. A vocabulary whose
alphabet does not fit the bits falls back to scikit-learn.

>>> import numpy as np
>>> vocab = WordGramVocabulary({" a": 0, "ab": 1, "b ": 2}, (2, 2))
>>> vocab.counts(["ab ab", "zz"]).toarray().tolist()
[[2.0, 2.0, 2.0], [0.0, 0.0, 0.0]]
"""
from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
from numba import njit
from scipy import sparse

from .shingle_join import _ONE, _SHORT

_SPACE = 32
_WHITE_SPACES = re.compile(r"(?u)\s\s+")  # scikit-learn's char_wb collapses runs of white space first
_LENGTH_SHIFT = np.uint64(60)
_RANK_BITS = 15


def code_points(words_per_text: Sequence[Sequence[str]]) -> tuple[np.ndarray, np.ndarray]:
    """Each text's words joined by one space, as one flat uint32 array of code points for the whole
    block, with where each text starts (one more than texts). One encode for the block, not one per text."""
    joined = [" ".join(words) for words in words_per_text]
    lengths = np.fromiter((len(j) for j in joined), dtype=np.int64, count=len(joined))
    flat = np.frombuffer("".join(joined).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    return flat, np.concatenate(([0], np.cumsum(lengths))).astype(np.int64)


def code_of(gram: str) -> int:
    """The exact code of a gram of one to three characters (as :func:`padded_gram_stats` makes them)."""
    cps = [ord(c) for c in gram]
    if len(cps) == 3:
        return (cps[0] << 42) | (cps[1] << 21) | cps[2]
    if len(cps) == 2:
        return int(_SHORT) | (cps[0] << 21) | cps[1]
    if len(cps) == 1:
        return int(_SHORT) | int(_ONE) | cps[0]
    raise ValueError(f"grams of 1 to 3 characters have a code, not {gram!r}")


def lookup_table(weights: dict[str, int]) -> "CodeTable":
    """The grams' codes and their integer weights, for :func:`padded_gram_stats`."""
    return CodeTable(np.array([code_of(g) for g in weights], dtype=np.uint64),
                     np.array(list(weights.values()), dtype=np.int64))


class CodeTable:
    """Exact uint64 codes → int64 values in an open-addressing hash table that compiled code reads
    (``keys``, ``values``, ``shift``): a sorted array's binary search cost 80 ns a lookup in a
    vocabulary of 10⁵ terms, mostly cache misses; a probe or two here. Codes are never 0 (the empty slot)."""

    def __init__(self, codes: np.ndarray, values: np.ndarray):
        codes, values = np.asarray(codes, dtype=np.uint64), np.asarray(values, dtype=np.int64)
        bits = max(4, int(2 * max(len(codes), 1) - 1).bit_length())  # at most half full
        self.keys = np.zeros(1 << bits, dtype=np.uint64)
        self.values = np.zeros(1 << bits, dtype=np.int64)
        self.shift = np.uint64(64 - bits)
        _fill(self.keys, self.values, self.shift, codes, values)

    def get(self, code: int, default: int = -1) -> int:
        slot = _slot(self.keys, self.shift, np.uint64(code))
        return int(self.values[slot]) if self.keys[slot] == code else default


_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


@njit(cache=True)
def _slot(keys, shift, code):
    """The slot that holds ``code``, or the empty one where it would go."""
    mask = np.uint64(len(keys) - 1)
    slot = (code * _GOLDEN) >> shift
    while keys[slot] != 0 and keys[slot] != code:
        slot = (slot + np.uint64(1)) & mask
    return slot


@njit(cache=True)
def _fill(keys, values, shift, codes, vals):
    for i in range(len(codes)):
        slot = _slot(keys, shift, codes[i])
        keys[slot] = codes[i]
        values[slot] = vals[i]


@njit(cache=True)
def _code3(flat, i, n):
    if n == 3:
        return (np.uint64(flat[i]) << np.uint64(42)) | (np.uint64(flat[i + 1]) << np.uint64(21)) | np.uint64(flat[i + 2])
    if n == 2:
        return _SHORT | (np.uint64(flat[i]) << np.uint64(21)) | np.uint64(flat[i + 1])
    return _SHORT | _ONE | np.uint64(flat[i])


@njit(cache=True)
def _known_sum(codes, keys, values, shift):
    """Sum of the table's values over the distinct ``codes`` (sorted in place); and how many there were."""
    codes.sort()
    n_distinct, total = 0, 0
    for k in range(len(codes)):
        if k > 0 and codes[k] == codes[k - 1]:
            continue
        n_distinct += 1
        slot = _slot(keys, shift, codes[k])
        if keys[slot] == codes[k]:
            total += values[slot]
    return n_distinct, total


@njit(cache=True)
def padded_gram_stats(flat, starts, word_keys, word_values, word_shift, joined_keys, joined_values, joined_shift):
    """Per text (words separated by single spaces in ``flat``): the number of distinct 1–3-grams inside
    each word padded with a space (the 1-gram of the padding itself excluded) and of distinct 2–3-grams
    of the text with its spaces removed, and the summed integer values of those found in the two
    lookup tables. The head's ``c:`` and ``s:`` views (:mod:`feedmine.tagging.ngrams`)."""
    n_texts = len(starts) - 1
    counts = np.zeros(n_texts, dtype=np.int64)
    sums = np.zeros(n_texts, dtype=np.int64)
    for t in range(n_texts):
        a, b = starts[t], starts[t + 1]
        if a == b:
            continue
        padded = np.empty(b - a + 2, dtype=np.uint32)  # " w1 w2 " : every word padded by its spaces
        padded[0] = _SPACE
        padded[1:-1] = flat[a:b]
        padded[-1] = _SPACE
        m = len(padded)
        grams = np.empty(3 * m, dtype=np.uint64)
        g = 0
        for i in range(m):
            if padded[i] != _SPACE:  # 1-grams: the word's characters
                grams[g] = _code3(padded, i, 1)
                g += 1
            if i + 2 <= m:  # 2-grams: never two spaces in a row, so each lies inside one padded word
                grams[g] = _code3(padded, i, 2)
                g += 1
            if i + 3 <= m and padded[i + 1] != _SPACE:  # 3-grams across a space span two words
                grams[g] = _code3(padded, i, 3)
                g += 1
        n_word, s_word = _known_sum(grams[:g], word_keys, word_values, word_shift)
        joined = np.empty(b - a, dtype=np.uint32)
        j = 0
        for i in range(a, b):
            if flat[i] != _SPACE:
                joined[j] = flat[i]
                j += 1
        g = 0
        for i in range(j):
            for n in (2, 3):
                if i + n <= j:
                    grams[g] = _code3(joined, i, n)
                    g += 1
        n_joined, s_joined = _known_sum(grams[:g], joined_keys, joined_values, joined_shift)
        counts[t] = n_word + n_joined
        sums[t] = s_word + s_joined
    return counts, sums


class WordGramVocabulary:
    """scikit-learn's ``char_wb`` term counts over a fixed ``vocabulary`` ({term: column}), compiled.
    ``counts(texts)`` equals ``CountVectorizer(analyzer="char_wb", ngram_range=ngram_range,
    vocabulary=vocabulary, dtype=float64).transform(texts)`` (lower-cased, indices sorted) — including
    its quirk that a padded word shorter than ``n`` counts once, whole, for the first such ``n``."""

    def __init__(self, vocabulary: dict[str, int], ngram_range: tuple[int, int]):
        self.n_min, self.n_max = int(ngram_range[0]), int(ngram_range[1])
        self.n_columns = len(vocabulary)
        alphabet = sorted({c for term in vocabulary for c in term} | {" "})
        self.usable = (len(alphabet) < 2 ** _RANK_BITS and self.n_max * _RANK_BITS <= 60
                       and all(len(t) <= self.n_max for t in vocabulary))
        if not self.usable:
            return
        self.rank = np.zeros(0x110000, dtype=np.uint64)  # code point → rank + 1 in the alphabet; 0: unknown
        self.rank[[ord(c) for c in alphabet]] = np.arange(1, len(alphabet) + 1, dtype=np.uint64)
        self.table = CodeTable(np.array([self._code(t) for t in vocabulary], dtype=np.uint64),
                               np.array(list(vocabulary.values()), dtype=np.int64))

    def _code(self, term: str) -> int:
        code = len(term) << int(_LENGTH_SHIFT)
        for k, c in enumerate(term):
            code |= int(self.rank[ord(c)]) << (_RANK_BITS * k)
        return code

    def counts(self, texts: Sequence[str]) -> sparse.csr_matrix:
        words = [_WHITE_SPACES.sub(" ", t.lower()).split() for t in texts]
        flat, starts = code_points(words)
        ranks = self.rank[flat] if len(flat) else np.zeros(0, dtype=np.uint64)
        indptr, indices, data = _wb_counts(ranks, flat == _SPACE, starts, self.table.keys, self.table.values,
                                           self.table.shift, self.n_min, self.n_max, self.rank[_SPACE])
        return sparse.csr_matrix((data, indices, indptr), shape=(len(texts), self.n_columns))


@njit(cache=True)
def _wb_counts(ranks, is_space, starts, keys, columns, shift, n_min, n_max, space_rank):
    n_texts = len(starts) - 1
    indptr = np.zeros(n_texts + 1, dtype=np.int64)
    indices = np.empty(16 + len(ranks), dtype=np.int64)
    data = np.empty(16 + len(ranks), dtype=np.float64)
    k = 0
    for t in range(n_texts):
        a, b = starts[t], starts[t + 1]
        found = np.empty(3 * (b - a + 1) * (n_max - n_min + 1), dtype=np.int64)
        f = 0
        i = a
        while i < b:
            if is_space[i]:
                i += 1
                continue
            e = i
            while e < b and not is_space[e]:
                e += 1
            w_len = e - i + 2  # the word padded with a space on each side
            for n in range(n_min, n_max + 1):
                length = n if n < w_len else w_len
                for off in range(w_len - length + 1):
                    code = np.uint64(length) << _LENGTH_SHIFT
                    known = True
                    for c in range(length):
                        p = off + c  # position in the padded word
                        r = space_rank if (p == 0 or p == w_len - 1) else ranks[i + p - 1]
                        if r == 0:  # a character outside the vocabulary's alphabet: no term holds it
                            known = False
                            break
                        code |= r << np.uint64(_RANK_BITS * c)
                    if known:
                        slot = _slot(keys, shift, code)
                        if keys[slot] == code:
                            found[f] = columns[slot]
                            f += 1
                if n >= w_len:  # the whole padded word was counted once: no longer n-grams
                    break
            i = e
        cols = np.sort(found[:f])
        for q in range(f):
            if q > 0 and cols[q] == cols[q - 1]:
                data[k - 1] += 1.0
                continue
            if k == len(indices):
                indices = np.concatenate((indices, np.empty(len(indices), dtype=np.int64)))
                data = np.concatenate((data, np.empty(len(data), dtype=np.float64)))
            indices[k] = cols[q]
            data[k] = 1.0
            k += 1
        indptr[t + 1] = k
    return indptr, indices[:k].copy(), data[:k].copy()
