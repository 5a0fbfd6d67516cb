"""A theme's name: a short phrase from its own most typical texts, in their language.

A keyword triple ("card · arrive · week") tells an analyst where to look; a product manager wants
"card hasn't arrived". The name is a span of words taken from the theme's most central texts (the
ones its quotes come from): the span that covers the most keyword weight with the fewest other words,
whose first and last words both carry a keyword, preferring a span that several central texts share.
Korean spans are named by their morphemes in text order ("카드 도착 지연"), since an eojeol span
keeps its particles and endings ("카드가 도착하지"), a verb or adjective in the noun form a Korean
label uses ("실행 안 됨", not "실행 안되다"); English spans keep the words as written. A theme
whose texts share no span with two of its keywords keeps its keyword label.

Offline and deterministic: no model but the tokenizer the keywords came from. ``result.name_themes(fn)``
remains the hook for an LLM.

>>> from feedmine.text.tokenize import KeywordTokenizer
>>> texts = ["My card still hasn't arrived", "card has not arrived yet", "when will the card arrive?"]
>>> theme_name(texts, ["card", "arrive", "yet"], [1.0, 0.9, 0.2], KeywordTokenizer(bigrams=False))
'card arrive'
"""
from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..embed.base import l2_normalize
from ..text.language import HANGUL_SYLLABLE

_WORD = re.compile(r"[^\s.,!?;:()\[\]{}\"“”‘’…~·|/]+")
_CLAUSE = re.compile(r"[.,!?;:…()\[\]\n]+")
#: most words in an English name / eojeols in a Korean span (English: 8 named banking77's intents more
#: often than 6 on both splits, docs/benchmarks.md "Theme names"; the word cost keeps most names shorter)
MAX_WORDS = {"en": 8, "ko": 4}
#: score lost per word of a span that carries no keyword
FILLER_COST = 0.3
#: central texts a name is looked for in
CENTRAL_TEXTS = 15
#: candidate spans per theme when the describer can embed them
NAME_CANDIDATES = 16
#: words a name may have before each further word costs NAME_WORD_COST of cosine
NAME_WORDS_FREE = 3
NAME_WORD_COST = 0.005


def theme_name(central_texts: Sequence[str], keywords: Sequence[str], scores: Sequence[float],
               tokenizer: Any, fallback: str = "", lemmas: dict[str, list[str]] | None = None) -> str:
    """The name of a theme whose most central texts (most central first) are ``central_texts`` and whose
    keywords (best first) have c-TF-IDF ``scores``; ``fallback`` when no span holds two keywords.
    ``lemmas``: each word's tokens, computed for many themes at once by :func:`word_lemmas`."""
    names = name_candidates(central_texts, keywords, scores, tokenizer, lemmas, 1)
    return readable_names(names, tokenizer)[0] if names else fallback


def name_candidates(central_texts: Sequence[str], keywords: Sequence[str], scores: Sequence[float],
                    tokenizer: Any, lemmas: dict[str, list[str]] | None = None, k: int = 8) -> list[str]:
    """The ``k`` best distinct spans by the rule of :func:`theme_name`, best first (maybe none)."""
    if not keywords or not len(central_texts):
        return []
    top = max(float(scores[0]), 1e-12) if len(scores) else 1.0
    weight: dict[str, float] = {}
    for word, score in zip(keywords, scores):
        weight.setdefault(word, float(score) / top)
    texts = [t for t in central_texts[:CENTRAL_TEXTS] if isinstance(t, str)]
    korean = sum(bool(HANGUL_SYLLABLE.search(t)) for t in texts) * 2 > len(texts)
    # spans stay inside one clause: "new card. How do I activate" is two thoughts, not a name
    words_of = [_WORD.findall(clause) for t in texts for clause in _CLAUSE.split(t)]
    if lemmas is None:
        lemmas = word_lemmas(texts, tokenizer)
    best: dict[str, list[Any]] = {}
    for rank, words in enumerate(words_of):
        seen_here: set[str] = set()
        for name, score in _spans(words, lemmas, weight, MAX_WORDS["ko" if korean else "en"], korean):
            key = name.lower()
            if key in seen_here:
                continue
            seen_here.add(key)
            entry = best.setdefault(key, [score, 0, rank, name])
            entry[1] += 1
    # more keyword weight first; a span several central texts share before one text's; then the more
    # central text; the key breaks the last ties so the name never depends on set order
    order = sorted(best, key=lambda n: (round(best[n][0] * (1 + 0.25 * math.log(best[n][1])), 9), -best[n][2],
                                        -len(n), n), reverse=True)
    return [best[n][3] for n in order[:k]]


def readable_names(names: Sequence[str], tokenizer: Any) -> list[str]:
    """``names`` as a person reads them: in a Korean name, each verb or adjective in the noun form a
    Korean label uses ("실행 안되다" → "실행 안 됨", ``tokenizer.readable_forms``) when that form has two
    syllables or more (a lone 냄 or 쏨 says less than 내다 or 쏘다). Names are chosen in the dictionary
    form first, so this changes how a name reads, never which span is chosen."""
    readable = getattr(tokenizer, "readable_forms", None)
    korean = [n for n in names if HANGUL_SYLLABLE.search(n)]
    if readable is None or not korean:
        return list(names)
    tokens = sorted({t for n in korean for t in n.split(" ")})
    shown = {t: r if len(r.replace(" ", "")) >= 2 else t for t, r in zip(tokens, readable(tokens))}
    return [" ".join(shown.get(t, t) for t in n.split(" ")) if HANGUL_SYLLABLE.search(n) else n for n in names]


def nearest_names(candidates: dict[int, list[str]], centroids: dict[int, np.ndarray], embed: Any) -> dict[int, str]:
    """Each theme's candidate (best keyword span first) nearest its unit-mean ``centroid`` once embedded:
    one ``embed`` call for every theme's candidates."""
    flat = [c for cs in candidates.values() for c in cs]
    vectors = l2_normalize(np.asarray(embed(flat), dtype=np.float64))
    names, at = {}, 0
    for theme_id, cs in candidates.items():
        # a long span is nearer the centroid for holding more words, not for saying it better
        length = np.array([max(len(c.split()) - NAME_WORDS_FREE, 0) for c in cs])
        sims = np.round(vectors[at:at + len(cs)] @ centroids[theme_id] - NAME_WORD_COST * length, 9)
        names[theme_id] = cs[int(np.argmax(sims))]  # ties: the better keyword span (listed first)
        at += len(cs)
    return names


def word_lemmas(texts: Sequence[str], tokenizer: Any) -> dict[str, list[str]]:
    """Each distinct word of ``texts`` with its keyword tokens (one batch: kiwi is called once)."""
    ordered = sorted({w for t in texts if isinstance(t, str) for w in _WORD.findall(t)})
    tokens = tokenizer.tokenize_many(ordered) if ordered else []
    return {w: [t for t in toks if " " not in t] for w, toks in zip(ordered, tokens)}


def _spans(words: list[str], lemmas: dict[str, list[str]], weight: dict[str, float], max_words: int,
           korean: bool) -> list[tuple[str, float]]:
    """(name, score) of every span of ``words`` that starts and ends on a keyword and holds two or more."""
    # a word carries a keyword when one of its tokens is a keyword or half of a two-word keyword
    parts = {p for k in weight if " " in k for p in k.split(" ")}
    hits = [[t for t in lemmas.get(w, []) if t in weight or t in parts] for w in words]
    out = []
    for i in range(len(words)):
        if not hits[i]:
            continue
        for j in range(i, min(len(words), i + max_words)):
            if not hits[j]:
                continue
            tokens = {t for h in hits[i:j + 1] for t in h}
            present = {k for k in weight if set(k.split(" ")) <= tokens}
            if len(present) < 2:
                continue
            filler = sum(1 for h in hits[i:j + 1] if not h)
            score = sum(weight[k] for k in present) - FILLER_COST * filler
            if korean:  # the morphemes that carry keywords, in text order, each once
                seen: list[str] = []
                for h in hits[i:j + 1]:
                    seen.extend(t for t in h if t not in seen)
                name = " ".join(seen)
            else:
                name = " ".join(words[i:j + 1])
            out.append((name, score))
    return out
