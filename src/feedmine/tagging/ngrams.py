"""Sparse n-gram features for the sentiment head: character n-grams and Korean morpheme n-grams.

Why: a sentence embedding alone reads Korean movie-review sentiment at 0.79 accuracy (nsmc, held
out); sentiment in informal Korean sits in endings, slang and emoticons (-네요, 노잼, ㅋㅋ, ㅡㅡ) that
the 4-bit e5-small blurs. Learned weights for those n-grams, next to the embedding, reach 0.85
(benchmarks/tagging.py). Four views, each chosen by cross-validation on the training rows:

* ``c:`` character 1–3-grams inside each word (padded with a space, scikit-learn's ``char_wb``);
* ``s:`` character 2–3-grams of the text with its spaces removed: Korean spacing is free-form
  (재미없다 / 재미 없다), so the same cue must not depend on it;
* ``m:`` kiwipiepy morpheme 1–2-grams (each word analysed alone, see :func:`_morphs`), ``form/TAG`` with the tag cut to 2 letters (VV, EF, NN);
* ``f:`` morpheme unigrams with the full tag (VA-I, XSA, NNG), which the cut merges.

Features are binary (present or not) and scaled by 1/sqrt(number of n-grams in the text, known or
not), so dropping rare features after training leaves the scale of the others unchanged. Kiwi runs
without typo correction; Latin words are lower-cased.

>>> from feedmine.tagging.ngrams import ngrams
>>> sorted(g for g in ngrams("노잼") if g.startswith("c:"))
['c: 노', 'c: 노잼', 'c:노', 'c:노잼', 'c:노잼 ', 'c:잼', 'c:잼 ']
"""
from __future__ import annotations

import math
import re
from collections.abc import Iterator, Sequence
from typing import Any, NamedTuple

import numpy as np
from scipy import sparse

from ..text.char_grams import code_points, lookup_table, padded_gram_stats
from ..text.tokenize import _load_kiwi, analyse_by_word

_WORD = re.compile(r"\S+")
_SPACE = re.compile(r"\s+")


def _char_grams(text: str, n_max: int = 3) -> set[str]:
    """Character 1..n_max-grams inside each word padded with one space (scikit-learn's ``char_wb``)."""
    grams: set[str] = set()
    for word in _WORD.findall(text.lower()):
        padded = f" {word} "
        for n in range(1, n_max + 1):
            for i in range(len(padded) - n + 1):
                gram = padded[i:i + n]
                if gram.strip():
                    grams.add("c:" + gram)
    return grams


def _spaceless_grams(text: str) -> set[str]:
    joined = _SPACE.sub("", text.lower())
    return {"s:" + joined[i:i + n] for n in (2, 3) for i in range(len(joined) - n + 1)}


def _morph_grams(morphs: Sequence[str]) -> set[str]:
    """``morphs`` are ``form/TAG`` with the full tag: unigrams with it, 1–2-grams with its 2 letters."""
    short = [m[: m.rindex("/") + 3] if "/" in m else m for m in morphs]
    grams = {"f:" + m for m in morphs}
    grams.update("m:" + m for m in short)
    grams.update(f"m:{a} {b}" for a, b in zip(short, short[1:]))
    return grams


def _morphs(texts: Sequence[str]) -> list[list[str]]:
    """kiwi's morphemes of each text containing Hangul (``form/TAG``, forms lower-cased), word by word.

    Why word by word: a text's morphemes are the concatenation of its space-separated words'
    morphemes, each word analysed alone and remembered (:data:`WORD_CACHE_SIZE`), so kiwi runs once
    per distinct word instead of once per word. Words repeat (particles and endings ride on a few
    thousand stems), and kiwi was 43% of placing a row. Analysing a word without its neighbours
    changes some analyses (14% of texts' morpheme sets differ a little from whole-text analysis),
    but the sentiment head trained on these features cross-validates the same (nsmc 0.850 vs
    0.850, steam_ko 0.788 vs 0.788; benchmarks/sentiment_cv.py), and a word's analysis can never
    depend on the batch or on what was seen before."""
    out: list[list[str]] = [[] for _ in texts]
    words = {i: t.split() for i, t in enumerate(texts) if _HANGUL.search(t)}
    if words:
        def analyse(missing: list[str]) -> Iterator[tuple[str, ...]]:
            return (tuple(f"{t.form.lower()}/{t.tag}" for t in tokens) for tokens in _load_kiwi(()).tokenize(missing))

        for i, morphs in zip(words, analyse_by_word(list(words.values()), analyse, _WORD_MORPHS, WORD_CACHE_SIZE)):
            out[i] = morphs
    return out


#: distinct words whose morphemes :func:`_morphs` keeps (≈ 60 MB at most)
WORD_CACHE_SIZE = 200_000
_WORD_MORPHS: dict[str, tuple[str, ...]] = {}
_HANGUL = re.compile(r"[가-힣]")


def ngrams(text: str, morphs: Sequence[str] | None = None) -> set[str]:
    """All n-gram features of one text (``morphs``: its kiwi morphemes, computed when not given)."""
    if morphs is None:
        morphs = _morphs([text])[0]
    return _char_grams(text) | _spaceless_grams(text) | _morph_grams(list(morphs))


def ngram_matrix(texts: Sequence[str], vocabulary: dict[str, int]) -> sparse.csr_matrix:
    """Binary n-gram presence, each row scaled by 1/sqrt(its number of n-grams), over ``vocabulary``.
    Built :data:`BLOCK` texts at a time: Python lists of a whole chunk's (row, column, value) triples
    took more than a gigabyte at 20,000 texts."""
    texts = [t if isinstance(t, str) else "" for t in texts]
    blocks = [_ngram_block(texts[i:i + BLOCK], vocabulary) for i in range(0, len(texts), BLOCK)]
    if not blocks:
        return sparse.csr_matrix((0, len(vocabulary)))
    return sparse.vstack(blocks, format="csr")


#: texts per block of :func:`ngram_matrix` and :func:`ngram_scores`
BLOCK = 1000


def ngram_scores(texts: Sequence[str], weights: dict[str, float] | NgramWeights) -> np.ndarray:
    """``ngram_matrix(texts, vocabulary) @ weights`` without the matrix: per text, the summed weights
    of its known n-grams over sqrt(its number of n-grams). What the tagging heads need at assign time.
    The sum must not depend on the order n-grams are met in (a set's changes with the process's hash
    seed), so weights stored to 5 decimals, as the shipped ones are, are summed as exact integers —
    and then the character views are cut and looked up in compiled code
    (:func:`feedmine.text.char_grams.padded_gram_stats`), the morpheme views by set intersection;
    other weights are summed with ``fsum`` over the Python n-grams.

    >>> float(ngram_scores(["노잼"], {"c:노잼": 2.0, "c:없음": 5.0})[0]) == 2.0 / len(ngrams("노잼")) ** 0.5
    True
    """
    texts = [t if isinstance(t, str) else "" for t in texts]
    prepared = weights if isinstance(weights, NgramWeights) else prepare_weights(weights)
    tables, morph_weights, known = prepared.tables, prepared.morph_weights, prepared.known
    if tables is None:
        return _fsum_scores(texts, prepared.weights)
    out = np.zeros(len(texts))
    for start in range(0, len(texts), BLOCK):
        block = texts[start:start + BLOCK]
        flat, starts = code_points([_WORD.findall(t.lower()) for t in block])
        c, s = tables["c:"], tables["s:"]
        counts, sums = padded_gram_stats(flat, starts, c.keys, c.values, c.shift, s.keys, s.values, s.shift)
        for r, morphs in enumerate(_morphs(block)):
            grams = _morph_grams(morphs)
            n = int(counts[r]) + len(grams)
            if n:
                total = int(sums[r]) + sum(map(morph_weights.__getitem__, grams & known))
                out[start + r] = total / _SCALE / math.sqrt(n)
    return out


class NgramWeights(NamedTuple):
    """Weights made ready for :func:`ngram_scores` (:func:`prepare_weights`): building the lookup tables
    of the shipped 266,000 weights takes ≈ 0.8 s, so their owner (:class:`~feedmine.tagging.heads.LinearHeads`)
    prepares them once rather than for every chunk. ``tables`` is None when the weights are not in
    1/_SCALE steps (then they are summed with ``fsum``)."""

    weights: dict[str, float]
    tables: dict[str, Any] | None
    morph_weights: dict[str, int]
    known: frozenset[str]


def prepare_weights(weights: dict[str, float]) -> NgramWeights:
    """The lookup tables of ``weights`` in 1/_SCALE steps (see :class:`NgramWeights`)."""
    scaled = {g: round(w * _SCALE) for g, w in weights.items()}
    if not all(abs(scaled[g] / _SCALE - w) <= 1e-12 for g, w in weights.items()):
        return NgramWeights(weights, None, {}, frozenset())
    tables = {view: lookup_table({g[2:]: v for g, v in scaled.items() if g.startswith(view) and 0 < len(g) - 2 <= 3})
              for view in ("c:", "s:")}
    morph_weights = {g: v for g, v in scaled.items() if g.startswith(("m:", "f:"))}
    return NgramWeights(weights, tables, morph_weights, frozenset(morph_weights))


def _fsum_scores(texts: list[str], weights: dict[str, float]) -> np.ndarray:
    known = frozenset(weights)
    out = np.zeros(len(texts))
    for start in range(0, len(texts), BLOCK):
        block = texts[start:start + BLOCK]
        for r, (text, morphs) in enumerate(zip(block, _morphs(block)), start):
            grams = ngrams(text, morphs)
            if grams:
                out[r] = math.fsum(map(weights.__getitem__, grams & known)) / math.sqrt(len(grams))
    return out


#: weights in 1/_SCALE steps are summed as integers by :func:`ngram_scores`
_SCALE = 100_000


def _ngram_block(texts: list[str], vocabulary: dict[str, int]) -> sparse.csr_matrix:
    rows, cols, vals = [], [], []
    for r, (text, morphs) in enumerate(zip(texts, _morphs(texts))):
        grams = ngrams(text, morphs)
        if not grams:
            continue
        scale = 1.0 / math.sqrt(len(grams))
        for g in grams:
            c = vocabulary.get(g)
            if c is not None:
                rows.append(r)
                cols.append(c)
                vals.append(scale)
    return sparse.csr_matrix((np.array(vals), (np.array(rows, dtype=int), np.array(cols, dtype=int))),
                             shape=(len(texts), len(vocabulary)))


def build_vocabulary(texts: Sequence[str], min_df: int = 2) -> dict[str, int]:
    """n-grams seen in at least ``min_df`` texts, in sorted order (so the same texts give the same ids)."""
    counts: dict[str, int] = {}
    for text, morphs in zip(texts, _morphs(list(texts))):
        for g in ngrams(text, morphs):
            counts[g] = counts.get(g, 0) + 1
    return {g: i for i, g in enumerate(sorted(g for g, c in counts.items() if c >= min_df))}
