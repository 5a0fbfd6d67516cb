"""Cue phrases of journey stages: how a cue such as "결제" or "crash" is matched in feedback text.

Korean cues (any Hangul in them) are substrings with optional spaces; English cues are whole words from
a word start with their inflections. Used by :class:`feedmine.tagging.journey.JourneyStageMapper`; kept apart
so that module stays about placing items.

>>> import re
>>> bool(re.search(cue_pattern("crash"), "it crashed twice", re.IGNORECASE))
True
>>> bool(re.search(cue_pattern("an"), "and then", re.IGNORECASE))
False
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from ..errors import FeedmineError
# Texts and cues get the cleaner's NFKC (as in tagging/churn.py), so raw and cleaned text match alike.
from ..text.normalize import _nfkc_keep_jamo

# Korean cues that are also word endings: -해지다 ("심해지", "편해지") is not 해지 (cancelling), so 해지
# counts only at a word start or after what is cancelled (as in tagging/churn.py).
# Likewise "말이 안 돼" is "it makes no sense" (common in movie reviews), not "it does not work".
_KO_GUARDED = {"해지": r"(?<![가-힣])해지|(?:구독|멤버십|계약|서비스|결제|계정|요금제)[을를]?\s*해지",
               "안 돼": r"(?<!말이)(?<!말이 )안\s*돼", "안 되": r"(?<!말이)(?<!말이 )안\s*되"}
# English words matched as written, without inflections ("an" must not find "and")
_EN_AS_IS = frozenset("a an the it its on to my up of in at is i me this that for with about across".split())
_HANGUL = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3]")


def cue_pattern(cue: str) -> str:
    """The regular expression for one cue phrase.

    Korean (any Hangul in it): the phrase as a substring, spaces optional ("안 돼" finds "안돼요").
    English: whole words from a word start, hyphen or spaces between them, an apostrophe optional, and
    each content word with its inflections ("crash" → crashes/crashed/crashing, "bug" → bugs/buggy,
    "update" → updates/updated/updating). Matching is case-insensitive (the compiled pattern's flag).
    """
    cue = _normalize(cue).strip()
    if cue in _KO_GUARDED:
        return _KO_GUARDED[cue]
    if _HANGUL.search(cue):
        return r"\s*".join(re.escape(part) for part in cue.split())
    return r"(?<![A-Za-z])" + r"[\s\-]+".join(_en_word(w) for w in cue.split()) + r"(?![A-Za-z])"


def _en_word(word: str) -> str:
    base = lambda w: "'?".join(re.escape(p) for p in w.split("'"))  # noqa: E731 - "doesn't" = "doesnt"
    low = word.lower()
    if low in _EN_AS_IS or not low[-1:].isalpha():
        return base(word)
    if low.endswith("e"):  # update → updates, updated, updating, updater
        return base(word[:-1]) + "(?:ers|e[sdr]?|ing)"
    # crash → crashes, crashed; bug → bugs, buggy (doubled consonant); slow → slowly
    return base(word) + f"(?:s|es|ed|ing|ers?|ly|y|{re.escape(low[-1])}(?:ed|ing|y|ers?))?"


def _normalize(text: Any) -> str:
    if not isinstance(text, str):
        return ""
    return _nfkc_keep_jamo(text).replace("\u2019", "'").replace("\u2018", "'")


def _cue_list(spec: Any, name: str) -> list[str]:
    cues = re.split(r"[,;\n]", spec) if isinstance(spec, str) else spec
    if not isinstance(cues, Sequence) or not all(isinstance(c, str) for c in cues):
        raise FeedmineError(f"the cues of stage {name!r} must be a list of strings, got {cues!r}.")
    return [c.strip() for c in cues if c.strip()]


def compile_cues(cues: dict[str, list[str]]) -> dict[str, Any]:
    """One case-insensitive pattern per stage from its cue phrases (None for a stage without cues),
    longest cue first, so that "회원가입" is one hit, not also "가입"."""
    return {name: re.compile("|".join(f"(?:{cue_pattern(c)})" for c in sorted(cs, key=len, reverse=True)),
                             re.IGNORECASE) if cs else None for name, cs in cues.items()}
