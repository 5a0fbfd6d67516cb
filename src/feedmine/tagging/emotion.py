"""Emotion per item: anger, frustration, disappointment, confusion, worry, satisfaction or gratitude.

Sentiment says *how* negative an item is; the emotion says what kind of pain it is (an angry customer
needs a different answer than a confused one). Like :mod:`feedmine.tagging.lexicon` this is a hand-written cue
lexicon for Korean and English, so every label comes with the phrase that set it.

* Korean cues match substrings of the unsegmented text; English cues match at a word start (stems:
  "frustrat", "confus"). Negation follows ``lexicon.py``: 안/못 before a Korean stem, -지 않/없/마세요
  after it, an English negator among the three words before, in the same clause. A negated positive
  cue ("not satisfied", "안 좋아요", "만족스럽지 않") counts as disappointment; a negated negative
  cue ("걱정 없어요", "not worried") counts for nothing.
* Per emotion, cue weights combine as a noisy-OR (1 - Π(1 - w)): agreeing cues raise confidence
  without passing 1. Adverb cues (계속, 또, 자꾸, keeps) are weak alone; they count with another cue or
  their context (a malfunction word for frustration, a question for confusion).
* Intensifiers (너무, 진짜, very, so) raise a cue; "!", ㅠㅠ/ㅡㅡ and ALL-CAPS raise every emotion present;
  a cue before a contrast ("but", 하지만, -는데) is damped. A given ``sentiment`` of the other sign
  lowers an emotion. Thanks closing a complaint or request ("환불해 주세요 감사합니다") is kept weak.

>>> from feedmine.tagging.emotion import EmotionTagger
>>> out = EmotionTagger().fit_transform(["진짜 화나네요ㅡㅡ", "결제 error 계속 뜸 짜증", "not satisfied at all",
...                                      "빠른 답변 감사합니다!", "걱정 없어요", None])
>>> out["emotion"].tolist()
['anger', 'frustration', 'disappointment', 'gratitude', 'none', 'none']
>>> out["emotion_cue"].tolist()
['화나', '짜증', 'not satisfied', '감사', '', '']
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import pandas as pd
from sklearn.base import BaseEstimator

from .lexicon import (CLAUSE_BREAK, CONTRAST, EN_WORD, KO_INTENSIFIER, KO_POST_NEGATION, KO_PRE_NEGATION,
                      REQUEST_PATTERN, _is_en_negator, taggable)
from ..schema import EMOTIONS  # defined there: the theme table's emotion_<name> columns share the list
from ..text.alternation import guarded_alternation
# Text and patterns get the cleaner's NFKC, which keeps typed jamo as they are (plain NFKC composes
# "ㅋㅠㅠ" into "ㅋ큐ㅠ" and hides the ㅠㅠ), so raw, cleaned and NFKC-normalised input all match alike.
from ..text.normalize import _nfkc_keep_jamo

POSITIVE = frozenset({"satisfaction", "gratitude"})

# emotion → {pattern: weight}. A pattern with Hangul/jamo is a Korean substring, otherwise English,
# anchored at a word start. "~" marks an adverb cue: weak alone and never negated ("계속 안 돼요"
# is frustration, not its negation). Weights are the confidence one cue alone gives.
CUES: dict[str, dict[str, float]] = {
    "anger": {r"(?<![대영전동문변강통만조소평기적성])화\s?(?:가\s?)?(?:나|났|남|납)": 0.7, r"열\s?받|열불": 0.7,
        r"빡(?:치|쳐|침|친|쳤)": 0.75, r"어이\s?(?:가\s?)?없": 0.65, r"개짜증|존나\s?짜증": 0.75,
        r"ㅡ[_.]?ㅡ": 0.5, r"뭐하는": 0.45, r"장난\s?(?:하|치|까)": 0.5, r"최악": 0.45,
        r"사기(?:꾼|야|네|다|임|예요|에요|치|\s?(?:앱|어플|당))": 0.65, r"쓰레기|개판": 0.55,
        r"angry|furious|pissed|outrag": 0.7, r"ridiculous|unacceptable|disgusting|absurd": 0.6, r"wt[fh]\b": 0.6,
        r"scam|rip[- ]?off|fraud": 0.65, r"worst|garbage|trash\b": 0.45, r"thanks? for nothing": 0.7},
    "frustration": {r"답답": 0.65, r"짜증|짱\s?나|짱난": 0.65, r"미치겠|미칠\s?것|환장": 0.6, r"불편": 0.4,
        r"~몇\s?번(?:이나|을|째)": 0.45, r"~아무리\s?(?:해도|해봐도|눌러도|기다려도)": 0.45, r"언제까지": 0.4,
        r"~(?<![가-힣])또(?![한는래박])|왜\s?또": 0.3, r"~계속": 0.25, r"~자꾸": 0.3,
        r"frustrat": 0.7, r"annoy": 0.6, r"sick of|tired of|fed up": 0.6, r"nothing works": 0.45,
        r"again and again|over and over|time after time": 0.45, r"tried everything": 0.4,
        r"still (?:not|doesn'?t|does not|can'?t|won'?t|isn'?t|broken|crash)": 0.45,
        r"~keeps? (?:on )?[a-z]+ing\b": 0.3, r"~every (?:single )?time": 0.25},
    "disappointment": {r"실망": 0.7, r"아쉬|아쉽": 0.5, r"기대\s?(?:했는데|했던|와\s?달리|이하|에\s?못)": 0.6,
        r"예전(?:이|에|\s?버전이)?\s?(?:더\s?)?(?:나았|좋았|낫)": 0.6, r"불만족|불만": 0.55, r"별로": 0.4,
        r"아깝|아까워": 0.5, r"후회": 0.5, r"그저\s?그래|그냥\s?그래": 0.4, r"(?:마음|맘)에\s?안\s?들": 0.55,
        r"잘\s?(?:쓰고|사용하고)\s?있었는데|잘\s?썼는데|좋았는데": 0.5,
        r"~업데이트\s?(?:후|하고|하니|이후|되고|된\s?후)": 0.25,
        r"disappoint": 0.7, r"not as good": 0.5, r"expected (?:more|better)": 0.55, r"let ?down": 0.6,
        r"used to be(?: (?:so |really )?(?:good|great|better|nice|awesome|perfect|amazing))?": 0.55,
        r"not worth": 0.5, r"unhappy": 0.6, r"not what i (?:expected|wanted|paid for)": 0.55,
        r"dissatisf|unsatisf": 0.65, r"underwhelm": 0.6, r"regret": 0.5, r"meh\b": 0.4,
        r"~(?:since|after) the (?:latest |last |new |recent )?update": 0.25},
    "confusion": {r"헷갈|햇갈": 0.65, r"모르겠": 0.55, r"이해가\s?(?:안|어렵)|이해\s?안|이해를\s?못": 0.6, r"뭔지": 0.45,
        r"어떻게\s?(?:하는|해야|해요|하나요|하죠|하면|쓰는|사용)": 0.45, r"~어디서|어디에|어디\s?있": 0.3,
        r"찾을\s?수\s?(?:가\s?)?없|못\s?찾": 0.5, r"복잡": 0.4, r"방법(?:을|이)?\s?(?:모르|알려)": 0.45,
        r"confus": 0.65, r"(?:don'?t|do not|doesn'?t) understand": 0.6, r"unclear": 0.5,
        r"how (?:do|can|should) (?:i|we|you)\b": 0.4, r"where (?:is|are|do|can)\b": 0.35,
        r"(?:can'?t|cannot|couldn'?t) (?:figure out|find)": 0.55, r"(?:no idea|not sure) (?:how|what|where|why)": 0.5,
        r"(?:makes no|doesn'?t make) sense": 0.55},
    "worry": {r"걱정": 0.65, r"불안(?!정)": 0.6, r"무섭|무서|두렵|두려": 0.6, r"~혹시": 0.25, r"개인\s?정보": 0.3,
        r"괜찮을까|괜찮은\s?(?:건가|걸까)|괜찮나요|안전한가|안전할까": 0.5, r"privacy": 0.3, r"afraid": 0.5,
        r"worr(?:y|ied|ies|ying)": 0.65, r"concern": 0.5, r"scared|scary": 0.6, r"nervous|anxious": 0.6,
        r"is (?:it|this|my(?: \w+){1,2}) safe": 0.55, r"data (?:leak|breach)": 0.5},
    "satisfaction": {r"만족": 0.6, r"좋(?:아요|아(?!지|질|졌으면)|네요|습니다|음|았(?!으면|는데)|다(?![고는]))": 0.5, r"최고": 0.65,
        r"(?<!불)편(?:해|하|함|합)|편리": 0.45, r"잘\s?(?:쓰고|쓰는|사용하고|사용\s?중|써요|씁니다|되네|돼요)": 0.5,
        r"굿|굳(?![가-힣])": 0.5, r"짱(?!\s?나|난)": 0.55, r"훌륭|완벽|강추": 0.6, r"(?:마음|맘)에\s?(?:들|듬|쏙)": 0.55,
        r"추천(?!\s?(?:해\s?줘|해\s?주|좀|기능|목록|알고리즘|리스트))": 0.4,  # "추천해 주세요" asks for one
        r"(?<!would )(?<!'d )lov(?:e|ed|es|ing|ely)\b": 0.65, r"(?<!be )great\b": 0.55, r"perfect": 0.6,
        r"works (?:well|great|perfectly|fine|like a charm)": 0.55, r"satisf(?:ied|ying|action)": 0.6,
        r"awesome|excellent|amazing": 0.6, r"the best|best app": 0.55, r"good\b": 0.4,
        r"happy\b": 0.5, r"recommend": 0.45, r"easy to use": 0.5, r"lifesaver": 0.6},
    "gratitude": {r"감사": 0.65, r"고맙|고마워|고마운|고마움": 0.65, r"수고": 0.45, r"덕분에": 0.45, r"미리\s?감사": 0.2,
        r"thank(?!s? for nothing)(?:s|\s?you)?(?:\s(?:so|very)\s?much|\sa\slot|\sagain)?": 0.65,
        r"thx\b": 0.5,
        r"(?:thanks|thank you) in advance": 0.2, r"(?<!would )(?<!'d )appreciat": 0.6,
        r"grateful": 0.7, r"kudos": 0.6, r"shout ?out": 0.4},
}
# Evidence that an adverb cue is about a malfunction / a question, per emotion.
CONTEXT = {
    "frustration": r"오류|에러|버그|튕|강종|꺼져|꺼지|멈춰|멈추|먹통|렉|느려|느림|로딩|실패|풀려|풀림|끊겨|끊김"
                   r"|안\s?(?:돼|되|됨|열|켜|떠)|error|bug|crash|freez|\bfail|\blag|broken|not working"
                   r"|doesn'?t work|won'?t (?:open|load|work)|glitch|stuck|slow|loading|logg?(?:ing|s)? (?:me )?out",
    "confusion": r"\?|[나까]요\s*$|는지",
    "worry": r"\?|유출|해킹|도용|노출|털렸|leak|breach|hack|stolen",
}
CONTEXT["disappointment"] = CONTEXT["frustration"]
CONTEXT_WEIGHT, INTENSIFIER_BOOST = 0.25, 0.12
KO_EMO_POST_NEGATION = re.compile(r"(?:은|는|도|이|가)?\s?(?:[안못]\s?(?:나|들|돼|되|해|하|함|남)"
                                  r"|마세|마요|마십|말아|하지\s?마)")  # "걱정 마세요", "짜증 안 나요"
NEVER_BEEN_SO = re.compile(r"never (?:been|felt|seen) (?:so|more|this|such)\b", re.I)  # not a negation
EN_INTENSIFIER = re.compile(r"\b(?:very|so|really|extremely|totally|super|absolutely|completely|incredibly"
                            r"|highly|truly)\s+$", re.I)
CONTRAST_ALL = re.compile(CONTRAST.pattern + r"|(?<=[가-힣])[은는]데(?=\s)", re.I)
BEFORE_CONTRAST, AFTER_CONTRAST = 0.7, 1.15
EXCLAIM_BOOST, TEARS_BOOST, CAPS_BOOST = 0.04, 0.08, 0.08  # per "!" (at most 3); ㅠㅠ/ㅡㅡ; shouting
TEARS = re.compile(_nfkc_keep_jamo(r"[ㅠㅜ]{2,}|ㅡ{2,}"))
SHOUTING_CUE = ("anger", 0.4)  # ALL-CAPS text with no positive cue reads as shouting
SIGN_OFF_TAIL = re.compile(_nfkc_keep_jamo(r"[가-힣]{0,5}[\s.!~^;:)(\-ㅠㅜㅡ]*$"))  # "감사|합니다!" ends the text
# Thanks closing a complaint keeps 30%; a sentiment of magnitude 1 against an emotion's sign leaves 40%.
SIGN_OFF_SCALE, DISAGREE_PENALTY = 0.3, 0.6
OWN_NEGATION = re.compile(r"[안못않없]")
WORD_REST, NON_ASCII = re.compile(r"[A-Za-z']*"), re.compile(r"[^\x00-\x7f]")


class EmotionTagger(BaseEstimator):
    """Lexicon tagger: ``emotion``, ``emotion_confidence`` and ``emotion_cue`` per text.

    Parameters
    ----------
    min_confidence : float
        Below this the item is ``"none"``. At the default one moderate cue (or a weak adverb cue with
        its context) is enough; 0.6 keeps only explicit emotion words.
    """

    def __init__(self, min_confidence: float = 0.35):
        self.min_confidence = min_confidence

    def fit(self, texts: Sequence[Any] | None = None, langs: Sequence[str] | None = None) -> "EmotionTagger":
        """Nothing is learned; validates ``min_confidence`` and compiles the cue lexicon."""
        if not isinstance(self.min_confidence, (int, float)) or not 0.0 <= self.min_confidence <= 1.0:
            raise ValueError(f"min_confidence must be a number in [0, 1], got {self.min_confidence!r}")
        entries = [(e, p.lstrip("~"), w, p[0] == "~") for e, cues in CUES.items() for p, w in cues.items()]
        # Longer patterns first: at equal start the first alternative wins ("불만족" before "만족").
        entries.sort(key=lambda t: len(t[1]), reverse=True)
        ko = [t for t in entries if NON_ASCII.search(t[1])]
        en = [t for t in entries if not NON_ASCII.search(t[1])]
        # Two alternations, each behind a one-character guard, so that the ~60 alternatives are only
        # tried where a cue can start (a Hangul/jamo character; a word start): 10x faster than one.
        # Each is guarded by its own entries' first characters too (feedmine.text.alternation): 2x more.
        self.ko_pattern_ = re.compile(r"(?=[가-힣\u3131-\u318e])" + guarded_alternation(
            [_nfkc_keep_jamo(p) for _, p, _, _ in ko], 0))
        self.en_pattern_ = re.compile(r"\b(?=[A-Za-z])" + guarded_alternation([p for _, p, _, _ in en], re.I), re.I)
        self.ko_cues_ = [(e, w, weak) for e, _, w, weak in ko]
        self.en_cues_ = [(e, w, weak) for e, _, w, weak in en]
        self.context_ = {e: re.compile(_nfkc_keep_jamo(p), re.I) for e, p in CONTEXT.items()}
        self.request_ = re.compile(_nfkc_keep_jamo(REQUEST_PATTERN) + r"|\?", re.I)
        return self

    def fit_transform(self, texts: Sequence[Any], langs: Sequence[str] | None = None,
                      sentiment: Sequence[float] | None = None) -> pd.DataFrame:
        return self.fit(texts, langs).transform(texts, langs, sentiment)

    def transform(self, texts: Sequence[Any], langs: Sequence[str] | None = None,
                  sentiment: Sequence[float] | None = None) -> pd.DataFrame:
        """Tag each text, in order. Missing, non-string, blank or ``lang == "none"`` items are "none".
        ``sentiment`` (floats in [-1, 1], e.g. ``LexiconTagger``'s) lowers emotions of the other sign."""
        if not hasattr(self, "ko_pattern_"):
            self.fit()  # stateless, so transform-before-fit simply fits (as LexiconTagger does)
        langs, sentiment = (None if x is None else list(x) for x in (langs, sentiment))  # by position
        texts, ok = taggable(texts, langs)
        if sentiment is not None and len(sentiment) != len(texts):
            raise ValueError(f"got {len(texts)} texts but {len(sentiment)} sentiment")
        rows = []
        for i, value in enumerate(texts):
            if not ok[i]:
                rows.append(("none", 0.0, ""))
                continue
            s = None if sentiment is None or pd.isna(sentiment[i]) else float(sentiment[i])
            rows.append(self._tag_one(_nfkc_keep_jamo(value).replace("\u2019", "'"), s))
        out = pd.DataFrame(rows, columns=["emotion", "emotion_confidence", "emotion_cue"])
        out["emotion_confidence"] = out["emotion_confidence"].astype(float)
        return out

    # --- one text --------------------------------------------------------------------------------
    def _tag_one(self, text: str, sentiment: float | None) -> tuple[str, float, str]:
        contrasts = [m.start() for m in CONTRAST_ALL.finditer(text)]
        hits: list[tuple[str, float, str, bool]] = []  # (emotion, weight, cue, is a sign-off)
        matches = [(m, self.ko_cues_[m.lastindex - 1], True) for m in self.ko_pattern_.finditer(text)]
        matches += [(m, self.en_cues_[m.lastindex - 1], False) for m in self.en_pattern_.finditer(text)]
        for m, (emotion, weight, weak), korean in matches:
            start, end = m.span()
            if not weak:
                span = self._negation(text, m, korean)
                if span is not None:
                    if emotion != "satisfaction":
                        continue  # "걱정 없어요", "not angry", "no thanks": no emotion from this cue
                    emotion = "disappointment"
                    start, end = min(start, span[0]), max(end, span[1])
            if not korean:  # report the whole word, not the stem ("frustrating", not "frustrat")
                end = max(end, WORD_REST.match(text, m.end()).end())
            before = text[max(0, start - 10):start]
            if KO_INTENSIFIER.search(before) or EN_INTENSIFIER.search(before):
                weight += INTENSIFIER_BOOST
            if contrasts:
                last = contrasts[-1]
                weight *= BEFORE_CONTRAST if end <= last else AFTER_CONTRAST if start >= last else 1.0
            sign_off = emotion == "gratitude" and bool(SIGN_OFF_TAIL.match(text, m.end()))
            hits.append((emotion, min(weight, 0.95), text[start:end].strip(), sign_off))
        negative_seen = any(e not in POSITIVE for e, _, _, _ in hits)
        malfunction = self.context_["frustration"].search(text)
        shouting = self._shouting(text)
        if shouting and not any(e in POSITIVE for e, _, _, _ in hits):
            hits.append((*SHOUTING_CUE, "ALL CAPS", False))
        scores: dict[str, float] = {}
        cues: dict[str, tuple[float, str]] = {}
        for emotion, weight, cue, sign_off in hits:
            if sign_off and (negative_seen or self.request_.search(text) or malfunction):
                weight *= SIGN_OFF_SCALE  # a polite closing thanks, not the point of the message
            scores[emotion] = 1 - (1 - scores.get(emotion, 0.0)) * (1 - weight)
            if weight > cues.get(emotion, (-1.0, ""))[0]:
                cues[emotion] = (weight, cue)
        if not scores:
            return "none", 0.0, ""
        boost = (EXCLAIM_BOOST * min(text.count("!"), 3) + TEARS_BOOST * bool(TEARS.search(text))
                 + CAPS_BOOST * shouting)
        for emotion, score in scores.items():
            if emotion in self.context_ and self.context_[emotion].search(text):
                score = 1 - (1 - score) * (1 - CONTEXT_WEIGHT)
            score = 1 - (1 - score) * (1 - boost)
            if sentiment is not None and sentiment * (1 if emotion in POSITIVE else -1) < 0:
                score *= 1 - DISAGREE_PENALTY * min(1.0, abs(sentiment))
            scores[emotion] = min(1.0, max(0.0, score))
        best = max(EMOTIONS, key=lambda e: scores.get(e, 0.0))  # ties go to the earlier emotion
        if scores.get(best, 0.0) < self.min_confidence or scores[best] == 0.0:
            return "none", 0.0, ""
        return best, scores[best], cues[best][1]

    @staticmethod
    def _negation(text: str, m: re.Match[str], korean: bool) -> tuple[int, int] | None:
        """The span of what negates the cue, or None. A cue carrying its own negation ("이해가 안",
        "don't understand", "어이없") is never re-negated."""
        phrase = m.group(0)
        if OWN_NEGATION.search(phrase) or any(_is_en_negator(w.lower()) for w in EN_WORD.findall(phrase)):
            return None
        start, end = m.span()
        if korean:
            pre = KO_PRE_NEGATION.search(text[max(0, start - 4):start])
            if pre:
                return start - len(pre.group(0)), end
            post = KO_POST_NEGATION.match(text, end) or KO_EMO_POST_NEGATION.match(text, end)
            return (start, post.end()) if post else None
        clause_start = max((b.end() for b in CLAUSE_BREAK.finditer(text, max(0, start - 40), start)),
                           default=max(0, start - 40))
        words = list(EN_WORD.finditer(text, clause_start, start))[-3:]
        neg = next((w for w in words if _is_en_negator(w.group(0).lower())), None)
        if neg is None or NEVER_BEEN_SO.match(text, neg.start()):  # "never been so frustrated" is strong
            return None
        return neg.start(), end

    @staticmethod
    def _shouting(text: str) -> bool:
        """Two or more ALL-CAPS words making up most of the text (not one acronym such as "PDF")."""
        words = [w for w in EN_WORD.findall(text) if len(w) >= 3] if re.search(r"[A-Z]{3}", text) else []
        loud = sum(w.isupper() for w in words)
        return loud >= 2 and loud >= 0.6 * len(words)
