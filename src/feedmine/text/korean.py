"""Optional Korean analysers (KoNLPy Okt, MeCab-ko) behind kiwi's token interface.

Each backend turns texts into lists of :class:`Morph` whose ``tag`` uses kiwi / Sejong names
(NNG, NNP, XR, SL, VV, VA, VX, MAG, EC, J*...), so ``KeywordTokenizer`` applies one set of rules
(kept tags, stopwords, negation fusion, bigrams) whatever analyser produced the morphemes.
Neither package is a dependency of feedmine: they are imported on first use and a missing one
is reported as a :class:`~feedmine.errors.FeedmineError` naming the pip command.

Example
-------
>>> [(m.form, m.tag) for m in analyse_korean("mecab", ["배송이 느려요"])[0]]  # needs feedmine[mecab]
[('배송', 'NNG'), ('이', 'JKS'), ('느리', 'VA'), ('ㅓ요', 'EF')]
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from typing import Any, NamedTuple

from feedmine.errors import FeedmineError

logger = logging.getLogger(__name__)

OPTIONAL_BACKENDS: tuple[str, ...] = ("okt", "mecab")

_PREDICATES = frozenset({"VV", "VA"})
_NOUNS = frozenset({"NNG", "NNP", "XR", "SH"})
# Okt's coarse tags -> the Sejong tag that kiwi would use for the same kind of morpheme.
_OKT_TAGS = {"Noun": "NNG", "Verb": "VV", "Adjective": "VA", "Alpha": "SL", "Adverb": "MAG",
             "Josa": "JX", "Eomi": "EF", "PreEomi": "EP", "Suffix": "XSN", "Number": "SN",
             "Punctuation": "SF", "KoreanParticle": "SW", "Foreign": "SW", "Hashtag": "SW",
             "ScreenName": "SW", "Email": "SW", "URL": "SW", "Unknown": "SW"}

# Okt's stemmer keeps the contracted vowel of 돼요 / 됐어요 ("돼다"); the dictionary form is 되다.
_OKT_LEMMA_FIX = {"돼다": "되다", "됬다": "되다"}

_CACHE: dict[str, Any] = {}
_LOCK = threading.Lock()


class Morph(NamedTuple):
    """One morpheme: surface (or stem) ``form``, kiwi-style ``tag``, dictionary ``lemma`` (VV/VA)."""

    form: str
    tag: str
    lemma: str = ""


def _with_da(stem: str) -> str:
    return stem if stem.endswith("다") else stem + "다"


def _load(backend: str) -> Any:
    """The analyser object of ``backend``, created once per process (Okt starts a JVM)."""
    with _LOCK:
        if backend in _CACHE:
            return _CACHE[backend]
        if backend == "okt":
            try:
                from konlpy.tag import Okt
            except ImportError as exc:
                raise FeedmineError(
                    "korean_backend='okt' needs KoNLPy, which is not installed. "
                    "Run: pip install 'feedmine[konlpy]' (KoNLPy also needs Java 8+).") from exc
            try:
                analyser = Okt()
            except Exception as exc:  # JVM missing or broken: konlpy raises assorted errors
                raise FeedmineError(
                    f"korean_backend='okt' could not start KoNLPy's Java VM ({exc}). Install Java 8+ "
                    "and set JAVA_HOME, or use korean_backend='kiwi'.") from exc
        elif backend == "mecab":
            try:
                from mecab import MeCab
            except ImportError as exc:
                raise FeedmineError(
                    "korean_backend='mecab' needs python-mecab-ko and python-mecab-ko-dic, which are "
                    "not installed. Run: pip install 'feedmine[mecab]'") from exc
            try:
                analyser = MeCab()
            except Exception as exc:  # the dictionary package is missing or unreadable
                raise FeedmineError(
                    f"korean_backend='mecab' could not load the MeCab dictionary ({exc}). "
                    "Run: pip install 'feedmine[mecab]'") from exc
        else:
            raise ValueError(f"unknown optional Korean backend {backend!r}")
        logger.info("loaded Korean analyser %s", backend)
        _CACHE[backend] = analyser
        return analyser


def load_backend(backend: str) -> Any:
    """Load (and cache) ``backend`` now, e.g. to time model loading apart from analysis."""
    return _load(backend)


def analyse_korean(backend: str, texts: Sequence[str],
                   user_words: Sequence[str] = ()) -> list[list[Morph]]:
    """Morphemes of each text by ``backend`` ("okt" or "mecab"), with kiwi-style tags.

    ``user_words`` that the analyser split into adjacent pieces ("토스" + "뱅크") are merged back
    into one proper noun (NNP); neither analyser takes a user dictionary without a rebuild.
    """
    analyser = _load(backend)
    convert = _okt_morphs if backend == "okt" else _mecab_morphs
    merge = sorted({w for w in user_words if w}, key=len, reverse=True)
    return [_merge_user_words(convert(analyser, text), merge) for text in texts]


def _okt_morphs(okt: Any, text: str) -> list[Morph]:
    pairs = okt.pos(text, norm=True, stem=True)
    out: list[Morph] = []
    for k, (form, okt_tag) in enumerate(pairs):
        tag = _OKT_TAGS.get(okt_tag, "SW")
        nxt = pairs[k + 1][1] if k + 1 < len(pairs) else ""
        if form in ("안", "못") and okt_tag in ("Noun", "VerbPrefix", "Adverb") and nxt in ("Verb", "Adjective"):
            out.append(Morph(form, "MAG"))  # Okt reads the negator 안/못 as a noun or prefix
        elif tag in _PREDICATES:
            lemma = _OKT_LEMMA_FIX.get(_with_da(form), _with_da(form))
            prev = out[-1] if out else None
            if lemma in ("않다", "못하다") and prev is not None and prev.tag in _PREDICATES:
                # "되지 않아요" comes out as 되다 + 않다; rebuild kiwi's VV + 지/EC + 않/VX pattern.
                out.append(Morph("지", "EC"))
                out.append(Morph(lemma[:-1], "VX"))
            else:
                out.append(Morph(lemma[:-1], tag, lemma))
        else:
            out.append(Morph(form, tag))
    return out


def _mecab_morphs(mecab: Any, text: str) -> list[Morph]:
    out: list[Morph] = []
    for m in mecab.parse(text):
        expression = getattr(m.feature, "expression", None)
        if "+" in m.pos and expression:
            # Inflected / compound forms ("느려요" VA+EF = 느리/VA/* + ㅓ요/EF/*): one Morph per part,
            # so the stem is kept and the ending is dropped like any other ending.
            parts = [p.split("/") for p in expression.split("+")]
            pieces = [(p[0], p[1]) for p in parts if len(p) >= 2 and p[0]]
        else:
            pieces = [(m.surface, m.pos.split("+")[0])]
        for form, tag in pieces:
            out.append(Morph(form, tag, _with_da(form) if tag in _PREDICATES else ""))
    return out


def _merge_user_words(morphs: list[Morph], user_words: list[str]) -> list[Morph]:
    if not user_words:
        return morphs
    out: list[Morph] = []
    k = 0
    while k < len(morphs):
        for word in user_words:
            joined, j = "", k
            while j < len(morphs) and len(joined) < len(word):
                joined += morphs[j].form
                j += 1
            if joined == word and j - k > 1 and all(m.tag in _NOUNS | {"SL"} for m in morphs[k:j]):
                out.append(Morph(word, "NNP"))
                k = j
                break
        else:
            out.append(morphs[k])
            k += 1
    return out
