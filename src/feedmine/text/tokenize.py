"""Keyword tokens for describing themes: Korean morphemes via kiwipiepy, English words by rule.

The output is meant for counting (c-TF-IDF keywords), not for reading back: Korean particles and
endings are dropped, verbs and adjectives are reduced to their dictionary form (stem + "다"), and
English words are lower-cased and crudely singularised.

Example
-------
>>> tok = KeywordTokenizer()
>>> tok.tokenize("배송이 너무 느려요")
['배송', '느리다']
>>> tok.tokenize("Top up cards crash")
['top', 'card', 'crash', 'top up', 'card crash']
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from sklearn.base import BaseEstimator
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from feedmine.text.korean import OPTIONAL_BACKENDS, Morph, analyse_korean
from feedmine.text.korean_forms import noun_forms

logger = logging.getLogger(__name__)

BACKENDS: tuple[str, ...] = ("kiwi", *OPTIONAL_BACKENDS)

_HANGUL = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3]")
# "wi-fi", "e-mail", "don't", "user's" -> one word; otherwise kiwi and the regex both split them
# into fragments ("wi", "fi", "don", "t") that become noise keywords.
_INTRA_WORD = re.compile(r"(?<=[A-Za-z])['\u2019\-](?=[A-Za-z])")
# Letter runs are words; any other non-space run (digits, punctuation, emoji) is kept as a
# separator so that bigrams never jump across it, mirroring how kiwi's punctuation tokens behave.
_EN_PIECES = re.compile(r"[A-Za-z]+|[^\sA-Za-z]+")
# Bare jamo (ㅋ, ㅠ, ㅎ...) inside a "noun" means kiwi guessed at chat noise ("ㅋ려" as NNP).
_JAMO = re.compile(r"[\u3131-\u318e]")

# Generic Korean words that land in every theme. Deliberately NOT here: 없다 and the negated
# forms (안되다, 못하다) - "환불 없다", "로그인 안되다" are exactly what complaints are made of;
# c-TF-IDF already down-weights them when they are spread evenly over themes.
KO_STOPWORDS: frozenset[str] = frozenset({
    "것", "거", "수", "때", "등", "점", "중", "정도", "부분", "경우", "이번", "생각", "사람",
    "말", "이제", "진짜", "정말", "그냥", "오늘", "후", "전",
    "하다", "되다", "있다", "이다", "같다", "보다", "주다", "싶다", "말다", "않다", "아니다",
    # pro-forms ("like this", "like that", "how"): they point at a topic without naming one, and
    # made keywords and names such as "할인 · 그렇다 · 병맛" and "쓰레기 이렇다 비싸다" on the sample
    "이렇다", "그렇다", "저렇다", "어떻다",
    # Single syllables that kiwi sometimes reads as nouns in broken informal text ("ㅋ이" -> 이/NNP)
    # but that are nearly always particles; as keywords they would look like a tokenizer bug.
    "이", "가", "은", "는", "을", "를", "에", "의", "도", "만", "로", "와", "과",
    # Spoken contractions of 것 + particle (편한 걸로, 산 건): kiwi sometimes reads 걸 as the noun
    # "girl" (NNG); as keywords they are 것 with a particle attached (parakqc keyword benchmark).
    "걸", "건",
})

# sklearn's list contains a few words that carry meaning in customer feedback
# ("bill", "amount", "top up", "system", "call"); those are given back.
_EN_KEEP = {"amount", "bill", "bottom", "call", "detail", "empty", "fill", "front", "full",
            "interest", "move", "name", "system", "top"}
# Fillers typical of app reviews / support tickets, plus contractions after the apostrophe is
# removed ("don't" -> "dont").
_EN_FILLERS = {
    "app", "pls", "plz", "just", "really", "got", "gets", "getting", "like", "actually",
    "thing", "lot", "ok", "okay", "hi", "hello", "hey", "thank", "thanks", "thx", "guy",
    "use", "used", "using", "make", "making", "know", "think", "going", "went", "say", "said",
    "want", "lol", "omg", "yeah", "yes", "does", "did", "goes", "dont", "doesnt", "didnt", "isnt", "arent",
    "wasnt", "werent", "wont", "wouldnt", "shouldnt", "havent", "hadnt", "im", "ive", "id", "youre",
    "theyre", "thats", "theres", "whats", "lets", "don", "doesn", "didn", "isn", "ll", "ve",
}
EN_STOPWORDS: frozenset[str] = frozenset((set(ENGLISH_STOP_WORDS) - _EN_KEEP) | _EN_FILLERS)

# "log in", "sign up", "top up", "cash out": the particle is a stopword on its own but carries the
# meaning in a phrasal verb, so it may close a bigram.
_PARTICLES = frozenset({"up", "in", "out", "off", "on", "down"})

_KO_NOUN_TAGS = frozenset({"NNG", "NNP", "XR", "SH"})  # XR: root of 깔끔하다 / 불편하다 style words
# Last syllables of the common particles: an unknown word that ends in one may carry a particle.
_PARTICLE_ENDINGS = frozenset("이가은는을를도의에와과랑로만서테께나")
_KO_PREDICATE_TAGS = frozenset({"VV", "VA"})
_NEGATORS = frozenset({"안", "못"})

_NO_SINGULAR = {"ios", "macos", "news", "series", "species", "chaos", "canvas", "alias", "atlas",
                "analysis", "basis", "crisis", "physics", "analytics", "gps", "sms", "lens", "bonus",
                "always", "sometimes", "perhaps"}
_SINGULAR_EXCEPTIONS = {"movies": "movie", "cookies": "cookie", "caches": "cache", "aches": "ache",
                        "headaches": "headache", "niches": "niche", "selfies": "selfie"}

_KIWI_CACHE: dict[tuple[str, ...], Any] = {}
_KIWI_LOCK = threading.Lock()


class _Item(NamedTuple):
    """One position in a text: the emitted token (None if dropped) and what a bigram needs."""

    token: str | None
    pairable: bool  # may take part in a bigram (nouns and English words, not predicates)
    raw: str  # lower-cased surface form, used to spot phrasal particles


def singularize(word: str) -> str:
    """Very small English plural -> singular rule set; leaves doubtful words alone.

    >>> [singularize(w) for w in ["cards", "crashes", "replies", "this", "bus", "status", "cases", "always"]]
    ['card', 'crash', 'reply', 'this', 'bus', 'status', 'case', 'always']
    """
    if word in _SINGULAR_EXCEPTIONS:
        return _SINGULAR_EXCEPTIONS[word]
    if len(word) < 4 or word in _NO_SINGULAR or not word.endswith("s"):
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "ches", "shes", "zzes")):
        return word[:-2]
    # "ss" (class), "us" (bus, status), "is" (this, analysis) are singular already.
    if word.endswith(("ss", "us", "is")):
        return word
    return word[:-1]


#: threads of each Kiwi (None: one per core); worker processes that already fill the cores set 1
KIWI_THREADS: int | None = None


#: distinct words whose kiwi tokens :meth:`KeywordTokenizer._kiwi_words` keeps, per dictionary
WORD_CACHE_SIZE = 200_000
_WORD_TOKENS: dict[tuple[Any, ...], dict[str, tuple[Any, ...]]] = {}


def analyse_by_word(texts_words: Sequence[Sequence[str]], analyse: Any, cache: dict[str, tuple[Any, ...]],
                    limit: int = WORD_CACHE_SIZE) -> list[list[Any]]:
    """Each text's analysis as the concatenation of its words', every distinct word analysed once.

    ``analyse(words)`` returns one tuple per word (kiwi's tokens of it alone, in any form);
    ``cache`` remembers them across calls and is emptied once it holds more than ``limit`` words,
    so memory stays bounded and no result depends on what was analysed before. Why: kiwi cost the
    same for every occurrence of a word, and words repeat (particles and endings ride on a few
    thousand stems)."""
    missing = sorted({w for ws in texts_words for w in ws if w not in cache})
    if missing:
        cache.update(zip(missing, analyse(missing)))
    out = [[m for w in ws for m in cache[w]] for ws in texts_words]
    if len(cache) > limit:
        cache.clear()
    return out


def _load_kiwi(user_words: tuple[str, ...]) -> Any:
    """Return a shared Kiwi for this user dictionary; the model is ~500 MB, so load it once."""
    with _KIWI_LOCK:
        kiwi = _KIWI_CACHE.get(user_words)
        if kiwi is None:
            from kiwipiepy import Kiwi  # imported lazily: English-only corpora never pay for it

            logger.info("loading kiwipiepy model (%d user words)", len(user_words))
            kiwi = Kiwi(num_workers=KIWI_THREADS)
            for word in user_words:
                kiwi.add_user_word(word, "NNP")
            _KIWI_CACHE[user_words] = kiwi
        return kiwi


def _as_str_tuple(value: Iterable[str] | None, name: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):  # iterating a str would silently give single characters
        raise TypeError(f"{name} must be an iterable of strings, not a single string: {value!r}")
    words = tuple(value)
    bad = [w for w in words if not isinstance(w, str)]
    if bad:
        raise TypeError(f"{name} must contain only strings, got {bad[:3]!r}")
    return words


class KeywordTokenizer(BaseEstimator):
    """Turn Korean, English or mixed feedback into keyword tokens.

    Korean text (anything containing Hangul) goes through kiwipiepy; Latin words found in it
    follow the English rules, so "결제 error 계속 뜸" gives both 결제 and error. Kept: nouns
    (NNG, NNP), roots (XR), Hanja (SH), and verbs/adjectives (VV, VA) as stem + "다"
    (느려요 -> 느리다); a preceding 안/못 or a following "-지 않다" is fused (안 돼요 -> 안되다).

    Parameters
    ----------
    korean_backend : str
        Morphological analyser for Korean: ``"kiwi"`` (kiwipiepy, the default), ``"okt"`` (KoNLPy
        Okt; ``pip install 'feedmine[konlpy]'`` and Java) or ``"mecab"`` (python-mecab-ko;
        ``pip install 'feedmine[mecab]'``). All three go through the same kept tags, stopwords and
        negation rules; ``typos`` applies to kiwi only.
    stopwords : iterable of str, optional
        Extra words to drop, compared with the emitted form (e.g. "배송", "느리다", "card").
    user_words : iterable of str, optional
        Product or brand names added to kiwi's dictionary as proper nouns (NNP) so that they are
        not split ("토스뱅크" rather than 토스 + 뱅크). Latin ones are kept unsingularised. With okt
        and mecab, adjacent noun pieces that spell a user word are merged back instead.
    bigrams : bool
        Also emit adjacent pairs of nouns / English words ("고객 센터", "top up").
    typos : str or None
        kiwipiepy typo-correction preset used on informal text ("basic" fixes 재밋 -> 재밌);
        None is ~1.7x faster and skips a ~2 s one-off setup on the first batch.

    Examples
    --------
    >>> KeywordTokenizer(bigrams=False).tokenize("결제 error 계속 뜸 ㅠㅠ")
    ['결제', 'error', '뜨다']
    """

    def __init__(self, korean_backend: str = "kiwi", stopwords: Iterable[str] | None = None,
                 user_words: Iterable[str] | None = None, bigrams: bool = True,
                 typos: str | None = "basic") -> None:
        self.korean_backend = korean_backend
        self.stopwords = stopwords
        self.user_words = user_words
        self.bigrams = bigrams
        self.typos = typos

    # -- public API -------------------------------------------------------------------------
    def tokenize(self, text: str) -> list[str]:
        """Tokens of one text (see the class docstring)."""
        return self.tokenize_many([text])[0]

    def tokenize_many(self, texts: Sequence[str]) -> list[list[str]]:
        """Tokens of many texts, in order; Korean ones are sent to kiwi as one batch."""
        self._check_backend()
        user = _as_str_tuple(self.user_words, "user_words")
        stop = self._stop_set()
        en_stop = EN_STOPWORDS | stop
        protected = frozenset(w.lower() for w in user if w.isascii())
        out: list[list[str]] = [[] for _ in texts]
        korean_pos: list[int] = []
        korean_texts: list[str] = []
        for i, text in enumerate(texts):
            if not isinstance(text, str):
                raise TypeError(f"texts[{i}] is {type(text).__name__}, expected str")
            text = _INTRA_WORD.sub("", text)
            if _HANGUL.search(text):
                korean_pos.append(i)
                korean_texts.append(text)
            else:
                items = [self._english_item(p, en_stop, protected) for p in _EN_PIECES.findall(text)]
                out[i] = self._emit(items, stop)
        if korean_texts:
            if self.korean_backend == "kiwi":
                analysed = self._kiwi_words(korean_texts)
            else:
                analysed = analyse_korean(self.korean_backend, korean_texts, user)
            for i, morphs in zip(korean_pos, analysed):
                out[i] = self._emit(self._korean_items(morphs, stop, en_stop, protected), stop)
        return out

    def readable_forms(self, tokens: Sequence[str]) -> list[str]:
        """``tokens`` as a theme's name shows them: a Korean predicate in its noun form (안되다 → 안 됨,
        :mod:`feedmine.text.korean_forms`) with the kiwi backend; every token unchanged with the others."""
        if self.korean_backend != "kiwi":
            return [str(t) for t in tokens]
        return noun_forms(tokens, self._load_backend())

    def _kiwi_words(self, texts: list[str]) -> list[list[Any]]:
        """kiwi's morphemes of each text, word by word: each distinct space-separated word analysed
        once and remembered (per user dictionary and typo setting). Why: the keywords of a 50,000-row
        fit sample spent ≈ 45 s in kiwi, and words repeat. Alone, a word with an unknown name keeps its
        particle apart (경재랑 → 경재 + 랑) as :meth:`_unknown_noun_stem` otherwise has to restore."""
        kiwi = self._load_backend()

        def analyse(words: list[str]) -> Iterable[tuple[Morph, ...]]:
            return (tuple(Morph(t.form, t.tag, t.lemma) for t in tokens)
                    for tokens in kiwi.tokenize(words, normalize_coda=True, typos=self.typos))

        cache = _WORD_TOKENS.setdefault((self._kiwi_key, self.typos), {})
        return analyse_by_word([t.split() for t in texts], analyse, cache)

    def _load_backend(self) -> Any:
        """Set and return ``kiwi_``, the kiwipiepy ``Kiwi`` shared by tokenizers with these user words."""
        key = tuple(sorted(set(_as_str_tuple(self.user_words, "user_words"))))
        # set_params may have changed user_words since the Kiwi was cached on this instance.
        if getattr(self, "kiwi_", None) is None or getattr(self, "_kiwi_key", None) != key:
            self.kiwi_ = _load_kiwi(key)
            self._kiwi_key = key
        return self.kiwi_

    def __getstate__(self) -> dict[str, Any]:
        # The Kiwi object cannot be pickled (and is huge); it is reloaded lazily after unpickling.
        state = dict(super().__getstate__())  # a copy: the live instance keeps its Kiwi
        state.pop("kiwi_", None)
        state.pop("_kiwi_key", None)
        state.pop("_stem_cache", None)
        return state

    # -- internals --------------------------------------------------------------------------
    def _check_backend(self) -> None:
        if self.korean_backend not in BACKENDS:
            raise ValueError(f"unknown korean_backend {self.korean_backend!r}; "
                             f"valid options: {', '.join(repr(b) for b in BACKENDS)}")

    def _stop_set(self) -> frozenset[str]:
        extra = set()
        for word in _as_str_tuple(self.stopwords, "stopwords"):
            low = word.strip().lower()
            # Match the emitted form too: a user writing "cards" means the token "card".
            extra.update({low, singularize(low)} if low.isascii() else {low})
        return frozenset(extra)

    def _english_item(self, piece: str, en_stop: frozenset[str],
                      protected: frozenset[str]) -> _Item:
        low = piece.lower()
        if not (low.isascii() and low.isalpha()) or len(low) < 2:
            return _Item(None, False, low)
        if low in protected:
            return _Item(low, True, low)
        lemma = singularize(low)
        if low in en_stop or lemma in en_stop:
            return _Item(None, False, low)
        return _Item(lemma, True, low)

    def _korean_items(self, morphs: Sequence[Any], stop: frozenset[str],
                      en_stop: frozenset[str], protected: frozenset[str]) -> list[_Item]:
        items: list[_Item] = []
        for k, m in enumerate(morphs):
            tag = m.tag.split("-")[0]  # "VV-R" / "VA-I" mark (ir)regular conjugation
            if tag == "SL":
                items.append(self._english_item(m.form, en_stop, protected))
            elif tag in _KO_NOUN_TAGS:
                form = self._unknown_noun_stem(m.form) if tag == "NNP" else m.form
                keep = not (form in KO_STOPWORDS or form in stop or _JAMO.search(form))
                items.append(_Item(form if keep else None, keep, form))
            elif tag in _KO_PREDICATE_TAGS:
                lemma = getattr(m, "lemma", "") or m.form + "다"
                prev = morphs[k - 1] if k else None
                if prev is not None and prev.tag == "MAG" and prev.form in _NEGATORS:
                    # "안 돼요" -> 안되다: the negation is the complaint, so keep it fused.
                    lemma = prev.form + lemma
                keep = lemma not in KO_STOPWORDS and lemma not in stop
                items.append(_Item(lemma if keep else None, False, lemma))
            elif (tag == "VX" and m.form in ("않", "못하") and k >= 2 and morphs[k - 1].form == "지"
                  and morphs[k - 2].tag.split("-")[0] in _KO_PREDICATE_TAGS):
                # "되지 않아요" means the same as "안 돼요": rewrite the predicate two places back.
                base = getattr(morphs[k - 2], "lemma", "") or morphs[k - 2].form + "다"
                negated = ("못" if m.form == "못하" else "안") + base
                if negated not in stop:
                    items[k - 2] = _Item(negated, False, negated)
                items.append(_Item(None, False, m.form))
            else:
                # Particles (J*), endings (E*), affixes (X*), bound nouns (NNB), adverbs, numbers,
                # punctuation, ㅋㅋ/ㅠㅠ (SW), emoji, URLs: dropped, and they break bigrams.
                items.append(_Item(None, False, m.form))
        return items

    def _unknown_noun_stem(self, form: str) -> str:
        """The noun inside a proper noun kiwi did not know, when it came out with its particle glued on.

        In context kiwi tags an unknown name with its particle as one NNP ("경재랑 휘연이 중" →
        경재랑/NNP), which would make 경재랑 and 경재 two keywords. Analysed alone, the same eojeol
        splits into noun + particle (경재/NNP + 랑/JC); that split is used. Only NNP (kiwi's guess for
        unknown words) is checked: dictionary nouns such as 만족도 or 전문가 are NNG and stay whole.
        """
        if self.korean_backend != "kiwi" or len(form) < 3 or form[-1] not in _PARTICLE_ENDINGS:
            return form
        cache = self.__dict__.setdefault("_stem_cache", {})
        if form not in cache:
            morphs = self._load_backend().tokenize(form, normalize_coda=True)
            tags = [t.tag.split("-")[0] for t in morphs]
            k = len(tags)
            while k and tags[k - 1].startswith("J"):
                k -= 1
            nouns = 0 < k < len(tags) and all(t in _KO_NOUN_TAGS for t in tags[:k])
            stem = "".join(t.form for t in morphs[:k]) if nouns else form
            cache[form] = stem if len(stem) >= 2 else form
        return cache[form]

    def _emit(self, items: list[_Item], stop: frozenset[str]) -> list[str]:
        tokens = [it.token for it in items if it.token is not None]
        if not self.bigrams:
            return tokens
        for a, b in zip(items, items[1:]):
            if a.token is None or not a.pairable:
                continue
            if b.token is not None and b.pairable:
                pair = f"{a.token} {b.token}"
            elif b.token is None and b.raw in _PARTICLES and a.token.isascii():
                pair = f"{a.token} {b.raw}"
            else:
                continue
            if pair not in stop:
                tokens.append(pair)
        return tokens
