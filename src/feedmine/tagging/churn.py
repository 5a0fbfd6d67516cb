"""Churn intent: does an item say (or ask how) the customer is leaving?

Cancelling, withdrawing, asking for a refund, uninstalling, switching to a competitor. A question about
*how* to leave ("탈퇴 어떻게 해요?", "how do I cancel my subscription?") is a churn risk too: the customer
is already on the way out. Matching and negation follow :mod:`feedmine.tagging.lexicon`, with two twists:

* Only a *decision* not to leave negates a cue ("탈퇴는 안 할게요", "해지 안 하고 계속 쓸게요",
  "I would never cancel", "no need to uninstall"). Being *unable* to leave is still churn, and more
  urgent: "탈퇴가 안 돼요", "환불 안 해줘요", "I can't cancel my subscription", "it won't let me
  unsubscribe", "I never got my refund".
* Uninstalling to reinstall ("앱 삭제 후 재설치했는데도", "tried uninstalling and reinstalling") is
  troubleshooting, not leaving.

>>> from feedmine.tagging.churn import ChurnDetector
>>> out = ChurnDetector().fit_transform(["탈퇴 어떻게 해요?", "해지 안 하고 계속 쓸게요", "환불 안 해줘요",
...                                      "I'm switching to Notion", "Switched to dark mode, nice", None])
>>> out["is_churn_risk"].tolist()
[True, False, True, True, False, False]
>>> out["churn_cue"].tolist()
['탈퇴', '', '환불', 'switching to Notion', '', '']
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import pandas as pd
from sklearn.base import BaseEstimator

from .lexicon import CLAUSE_BREAK, EN_WORD, KO_PRE_NEGATION, _is_en_negator, taggable
# Text and patterns get the cleaner's NFKC, which keeps typed jamo as they are (plain NFKC composes
# "ㅋㅠㅠ" into "ㅋ큐ㅠ" and hides the ㅠㅠ), so raw, cleaned and NFKC-normalised input all match alike.
from ..text.normalize import _nfkc_keep_jamo

_PLATFORMS = r"(?!Android|iOS|Windows|Mac|Chrome|Safari|Wi-?Fi|LTE|5G|Dark|Light)"
CHURN_PATTERNS: list[str] = [
    # Korean: substrings of unsegmented text. -해지다 ("심해지", "약해지") is a verb ending, not 해지.
    r"탈퇴", r"(?<![가-힣])해지|(?:구독|멤버십|계약|서비스|결제|계정|요금제)[을를]?\s?해지", r"환불",
    r"(?:구독|멤버십|정기\s?결제|자동\s?결제)[을를]?\s?(?:취소|끊)",
    r"갈아\s?(?:타|탈|탑|탔)|다른\s?(?:앱|어플|서비스|곳|데)(?:으로|로)\s?(?:옮기|옮길|옮깁|옮겼|넘어|갈게|갈래|갑니다)",
    r"(?:앱|어플|이거|얘)[을를은는]?\s?(?:바로\s?)?(?:삭제|지웁|지웠|지울|지워)|^\s*(?:바로\s?)?(?:삭제|지웁|지울게)",
    r"안\s?(?:쓸래|쓸게|씁니다|쓸\s?거|쓸\s?겁)|더\s?(?:이상|는)\s?안\s?(?:씀|써|쓸|씁|쓰)|다시는?\s?안\s?(?:씀|써|쓸|씁|쓰|깔)",
    r"두\s?번\s?다시|다신\s?안", r"끊(?:을게|을래|습니다|었습니다|어야겠|어버)", r"이제\s?안녕|떠날게|떠납니다|손절",
    # English: at a word start, case-insensitive except where a competitor's capital is needed.
    r"cancel(?:l?ing|l?ed)?\s+(?:my|the|our|this|your)?\s*(?:subscription|account|membership|plan|premium|trial)",
    r"cancell?ing\b", r"unsubscrib", r"uninstall", r"refund",
    rf"switch(?:ing|ed)?\s+(?:over\s+)?to\s+{_PLATFORMS}(?-i:[A-Z])\w*",
    r"switch(?:ing|ed)?\s+to\s+(?:another|a different|a better|other|a competitor)",
    rf"mov(?:ing|ed)\s+(?:over\s+)?to\s+{_PLATFORMS}(?-i:[A-Z])\w*|going back to\s+{_PLATFORMS}(?-i:[A-Z])\w*",
    r"delet(?:e|ed|ing)\s+(?:this|the|your)\s+app|deleting (?:it|this)\b|(?:clos|delet)(?:e|ed|ing) my account",
    r"never (?:using|use|buying|buy|downloading|paying)(?: (?:this|it|you|for this))? again"
    r"|won'?t (?:be )?(?:using|use)(?: (?:this|it))? (?:again|anymore)|not (?:be )?renewing|won'?t (?:be )?renew",
    r"i'?m done\b(?! \w+ing)|i am done\b(?! \w+ing)|done with (?:this|you|the app)", r"good ?bye",
    r"(?:looking for|finding|find) (?:an |another |a different )?(?:alternative|app that works)",
]
# A *decision* not to: "는 안 할게요", "하지 않을게요", "할 생각 없어요", "말고". 안 해줘 (they won't do
# it for me) is a refusal, so it is excluded; 안 돼 (it doesn't work) is not a decision.
KO_POST_DECISION = re.compile(r"(?:[은는도를을]|까지는?)?\s?(?:절대\s?)?(?:안\s?(?:하(?!\s?주)|할|해(?!\s?주|\s?줘)|합|함)"
                              r"|하지\s?(?:않|말|마)|할\s?(?:생각|마음|계획)[은는이도]?\s?없|말고|필요\s?없|원하지\s?않)")
# Words between an English negator and the cue that make it inability, not decision ("won't let me
# cancel", "didn't get a refund"): the customer still wants out.
EN_BLOCKERS = frozenset("let lets allow allows get got gotten receive received give gave given see seen "
                        "issue issued process processed offer offered find found work works know".split())
WORD_REST = re.compile(r"[A-Za-z']*")
EN_INABILITY = frozenset("can't cant cannot couldn't couldnt unable".split())
REINSTALL = re.compile(r"(?:삭제|지우|지웠|지워|uninstall|delet)[^.!?\n]{0,25}?(?:다시\s?(?:깔|설치|받)|재설치|re-?install)",
                       re.I)


class ChurnDetector(BaseEstimator):
    """Flags churn intent: ``is_churn_risk`` and ``churn_cue`` (the phrase that set it) per text.

    Parameters
    ----------
    negation_window : int
        How many preceding English words are searched for a negator ("never", "not", "no", "won't").
    extra_patterns : list of str, optional
        More churn cues, as regular expressions (e.g. a competitor's name after "switching to").
    """

    def __init__(self, negation_window: int = 3, extra_patterns: Sequence[str] | None = None):
        self.negation_window = negation_window
        self.extra_patterns = extra_patterns

    def fit(self, texts: Sequence[Any] | None = None, langs: Sequence[str] | None = None) -> "ChurnDetector":
        """Nothing is learned; validates the parameters and compiles the patterns."""
        if not isinstance(self.negation_window, int) or self.negation_window < 0:
            raise ValueError(f"negation_window must be a non-negative int, got {self.negation_window!r}")
        patterns = list(CHURN_PATTERNS) + [str(p) for p in self.extra_patterns or ()]
        for p in patterns:
            re.compile(p)  # a bad user pattern fails here, naming itself, not in one big alternation
        parts = [p if re.search(r"[^\x00-\x7f]", p) else rf"\b(?:{p})" for p in patterns]
        self.pattern_ = re.compile("|".join(f"(?:{_nfkc_keep_jamo(p)})" for p in parts), re.I | re.M)
        return self

    def fit_transform(self, texts: Sequence[Any], langs: Sequence[str] | None = None) -> pd.DataFrame:
        return self.fit(texts, langs).transform(texts, langs)

    def transform(self, texts: Sequence[Any], langs: Sequence[str] | None = None) -> pd.DataFrame:
        """Check each text, in order. Missing, non-string, blank or ``lang == "none"`` items are not churn."""
        if not hasattr(self, "pattern_"):
            self.fit()  # stateless, so transform-before-fit simply fits (as LexiconTagger does)
        texts, ok = taggable(texts, langs)
        cues = [self._cue(_nfkc_keep_jamo(value).replace("\u2019", "'")) if usable else ""
                for value, usable in zip(texts, ok)]
        return pd.DataFrame({"is_churn_risk": [bool(c) for c in cues], "churn_cue": cues})

    def _cue(self, text: str) -> str:
        reinstall = [m.span() for m in REINSTALL.finditer(text)]
        for m in self.pattern_.finditer(text):
            if any(a < m.end() and m.start() < b for a, b in reinstall):
                continue  # uninstalled to reinstall: troubleshooting
            if not self._negated(text, m):
                end = m.end() if re.search(r"[가-힣]", m.group(0)) else WORD_REST.match(text, m.end()).end()
                return text[m.start():end].strip()  # English: the whole word ("uninstalling")
        return ""

    def _negated(self, text: str, m: re.Match[str]) -> bool:
        phrase = m.group(0)
        # A cue carrying its own negation ("안 쓸래요", "never using this again") is never re-negated.
        if re.search(r"[안않]", phrase) or any(_is_en_negator(w.lower()) for w in EN_WORD.findall(phrase)):
            return False
        start, end = m.span()
        if re.search(r"[가-힣]", phrase):
            return bool(KO_PRE_NEGATION.search(text[max(0, start - 4):start]) or KO_POST_DECISION.match(text, end))
        if not self.negation_window:
            return False
        clause_start = max((b.end() for b in CLAUSE_BREAK.finditer(text, max(0, start - 60), start)),
                           default=max(0, start - 60))
        words = [w.lower() for w in EN_WORD.findall(text, clause_start, start)][-self.negation_window:]
        for i in range(len(words) - 1, -1, -1):  # nearest negator first
            if _is_en_negator(words[i]) or words[i] == "no":
                return words[i] not in EN_INABILITY and not EN_BLOCKERS.intersection(words[i + 1:])
        return False
