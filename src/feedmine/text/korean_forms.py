"""Korean predicates the way a label writes them: 안되다 → 안 됨, 어렵다 → 어려움.

Keyword tokens keep a verb or adjective in its dictionary form (stem + 다), so that 느려요 and
느리네 count as one keyword. A theme's name is read, not counted, and Korean notes, bug titles and
survey codes put a predicate in its noun form (명사형 -음/-ㅁ: "실행 안 됨", "가격 비쌈", "앱 튕김"),
not its dictionary form ("실행 안되다"). kiwipiepy analyses the dictionary form and conjugates the
noun form, irregular stems included (어렵다 → 어려움, 낫다 → 나음); a token it does not read as
stem + 다 (노가다, a noun) is left as it is.

>>> from feedmine.text.tokenize import KeywordTokenizer
>>> KeywordTokenizer().readable_forms(["실행", "안되다", "어렵다", "노가다", "crash"])
['실행', '안 됨', '어려움', '노가다', 'crash']
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .language import HANGUL_SYLLABLE


def noun_forms(tokens: Sequence[str], kiwi: Any) -> list[str]:
    """``tokens`` with each Korean predicate in dictionary form (stem + 다) turned into its noun form by
    ``kiwi`` (a kiwipiepy ``Kiwi``); every other token unchanged. One kiwi call for all of them."""
    out = [str(t) for t in tokens]
    todo = [i for i, t in enumerate(out) if len(t) > 1 and t.endswith("다") and HANGUL_SYLLABLE.match(t)]
    if not todo:
        return out
    for i, morphs in zip(todo, kiwi.tokenize([out[i] for i in todo])):
        # kiwi reads a bare 다 after a stem as a final (EF) or, now and then, a connective (EC) ending
        if (len(morphs) >= 2 and morphs[-1].form == "다" and morphs[-1].tag in ("EF", "EC")
                and morphs[-2].tag.startswith(("V", "XSV", "XSA"))):
            out[i] = kiwi.join([(m.form, m.tag) for m in morphs[:-1]] + [("음", "ETN")])
    return out
