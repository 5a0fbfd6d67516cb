"""Personal-data masking: e-mails, URLs, IP addresses, Korean resident registration numbers, card,
phone and bank-account numbers become a placeholder before feedback is embedded, stored or quoted.

Patterns lean towards not touching ordinary feedback numbers: prices ("15,000원", "$4.99"), dates
("2024-03-15", "24.03.15"), times, versions ("v2.3.1", "iOS 17.2"), counts and order numbers up to
nine digits stay as they are. Every digit kind needs digit boundaries (nothing is masked from inside a
longer digit, dotted or dashed run, nor glued to an ASCII letter: "ORD12345678901", "v1.2.3.4").

>>> from feedmine.text.pii import PiiMasker
>>> PiiMasker().fit().mask("제 번호는 010-1234-5678 입니다, 메일 hong@example.com 로 주세요 (15,000원)")
('제 번호는 <PHONE> 입니다, 메일 <EMAIL> 로 주세요 (15,000원)', {'EMAIL': 1, 'PHONE': 1})
>>> PiiMasker(kinds=["CARD"]).fit_transform(["카드 4111 1111 1111 1111 결제", 3]).values.tolist()
[['카드 <CARD> 결제', {'CARD': 1}, 1], [3, {}, 0]]
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any, Callable

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin

from . import pii_forms as forms

KINDS = ("EMAIL", "URL", "IP", "RRN", "CARD", "PHONE", "ACCOUNT", "PASSPORT", "ADDRESS", "NAME")
# search order: a URL's user or query part can look like an e-mail and belongs to the URL; then the
# digit kinds most specific first, so the phone-shaped tail of an RRN or card is never PHONE/ACCOUNT
_ORDER = ("URL", "EMAIL", "IP", "RRN", "CARD", "PASSPORT", "PHONE", "ACCOUNT", "ADDRESS", "NAME")

# a claimed span is overwritten with this before the next kind is searched, so no later pattern can
# match inside or across it; like a placeholder's "<" / ">" it is no digit, letter or URL character
_FILL = "\x00"
# every kind needs one of these; most feedback has none and skips all patterns
_HINT = re.compile(r"[\d@:]|www\.|" + "|".join(forms.HINTS[k].pattern for k in ("EMAIL", "NAME", "PHONE")),
                   re.IGNORECASE)
_DIGIT = re.compile(r"\d")

# digit kinds: not glued to a letter or digit, nor part of a longer dashed / dotted number
_L = r"(?<![\dA-Za-z_])(?<!\d[-.])"
_R = r"(?![\dA-Za-z_])(?![-.]\d)"
# between digit groups: a dash, dot or underscore with or without spaces around it, or a space
_S = r"(?:[ \t]?[-.\u2010-\u2015_][ \t]?|[ \t])?"
_AREA = r"(?:2|[3-6][1-5])"  # Seoul 02, then 031-033, 041-044, 051-055, 061-064
_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_IPV4 = _OCTET + r"(?:\." + _OCTET + r"){3}"
_HEX = r"[0-9A-Fa-f]{1,4}"
# counts and prices right after a number ("1600-1800년대", "12345678901원") say it is not a phone/account
_UNIT = r"(?!\s?(?:년|원|달러|만|억|명|개|건|회|점|%|~|번째))"

_PATTERNS = {
    # ASCII URL characters only: Korean particles glue onto URLs ("www.naver.com에서") and must stay
    "URL": r"(?<![A-Za-z0-9@._%+-])(?P<p>(?i:https?://|www\.))[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+",
    # Unicode local parts and domains (홍길동@회사.kr), a spaced "@", or the obfuscated forms
    "EMAIL": (r"(?<![\w.%+-])[\w.%+-]+ ?@ ?(?:[\w-]+\.)+(?:[A-Za-z]{2,24}(?![A-Za-z0-9_-])|한국|닷컴|닷넷)|"
              + forms.EMAIL_OBFUSCATED),
    "IP": (r"(?P<v4>" + _L + _IPV4 + _R + r")|(?P<v6>(?<![0-9A-Za-z_:.])(?:"
           + _HEX + r"(?::" + _HEX + r"){7}|::(?:ffff:)?" + _IPV4 + r"|(?:" + _HEX + r"(?::" + _HEX
           + r"){0,6})?::(?:" + _HEX + r"(?::" + _HEX + r"){0,6})?)(?![0-9A-Za-z_:]|\.\d))"),
    # YYMMDD, optional "-" or " ", then 7 digits whose first (sex / century) is 1-8; no checksum: numbers
    # issued since October 2020 have random digits in place of one. The back half may be starred out
    # ("900101-1******"): the birth date and sex digit that remain are still personal
    "RRN": (_L + r"[0-9]{2}(?P<m>0[1-9]|1[0-2])(?P<d>0[1-9]|[12][0-9]|3[01])(?: ?[-\u2010-\u2015] ?| )?"
            r"(?:[1-8][0-9]{6}|[1-8*xX\u25cf\u25cb][*xX\u25cf\u25cb]{6})(?![\dA-Za-z_*])(?![-.]\d)"),
    # 13-19 digits unbroken, or 4 + (4-6) + 1-3 more groups split consistently by spaces, dashes or dots
    "CARD": _L + r"(?:(?P<flat>[0-9]{13,19})|(?P<grp>[0-9]{4}(?P<s> ?[-.] ?| )[0-9]{4,6}(?:(?P=s)[0-9]{2,6}){1,3}))" + _R,
    "PHONE": _L + r"(?:" + "|".join([
        r"01[016789]" + _S + r"[0-9]{3,4}" + _S + r"[0-9]{4}",  # mobile
        r"\+82" + _S + r"(?:\(0\)" + _S + r"|0)?(?:1[016789]|" + _AREA + r"|70)" + _S + r"[0-9]{3,4}" + _S + r"[0-9]{4}",
        r"(?:0(?:" + _AREA + r"|70|80|50[2-8])|\(0" + _AREA + r"\) ?)" + _S + r"[0-9]{3,4}" + _S + r"[0-9]{4}",
        # nationwide business numbers: only allocated prefixes, so price ranges ("1500-2000") stay
        r"1(?:5(?:22|44|66|77|88|99)|6(?:00|44|61|66|68|70|88)|8(?:00|11|33|55|77|99))[-. ]?[0-9]{4}" + _UNIT,
        r"\+1[-. ]?(?:\([2-9][0-9]{2}\)|[2-9][0-9]{2})[-. ]?[0-9]{3}[-. ]?[0-9]{4}",
        r"\([2-9][0-9]{2}\) ?[0-9]{3}[-. ][0-9]{4}",
        r"[2-9][0-9]{2}(?P<us>[-.])[2-9][0-9]{2}(?P=us)[0-9]{4}",  # 415-555-0132, never spaces
    ]) + r")" + _R,
    # 10-16 digits unbroken, or 3-4 dash-separated groups (110-123-456789, 3333-01-1234567, 356-0123-4567-83)
    "ACCOUNT": _L + r"(?:[0-9]{10,16}" + _UNIT + r"|[0-9]{2,7}(?:-[0-9]{2,7}){2,3})" + _R,
    "PASSPORT": forms.PASSPORT,
    "ADDRESS": forms.ADDRESS,
    "NAME": forms.NAME,
}

_URL_TRAIL = set(".,;:!?'\"*")
_VERSION_BEFORE = re.compile(r"(?:버전|version|ver)[^\s\d]{0,2}\s*$", re.IGNORECASE)
_DATE_START = re.compile(r"(?:19|20)[0-9]{2}-(?:0?[1-9]|1[0-2])-(?:0?[1-9]|[12][0-9]|3[01])-")
_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)  # 29 Feb allowed: the year's century is unsure


def _url_span(m: re.Match, text: str) -> tuple[int, int] | None:
    # sentence punctuation and a closing bracket with no opening one inside end the sentence, not the URL
    s, e = m.span()
    seg = text[s:e]
    opened, closed = {")": seg.count("("), "]": seg.count("[")}, {")": seg.count(")"), "]": seg.count("]")}
    while e > s:
        c = text[e - 1]
        if c in _URL_TRAIL:
            e -= 1
        elif c in closed and closed[c] > opened[c]:
            closed[c] -= 1
            e -= 1
        else:
            break
    return (s, e) if e - s > len(m.group("p")) else None


def _ip_span(m: re.Match, text: str) -> tuple[int, int] | None:
    s, e = m.span()
    if m.group("v4"):
        # "버전 1.2.3.4" is a version ("v1.2.3.4" is already kept out by the letter boundary)
        return None if _VERSION_BEFORE.search(text, max(0, s - 12), s) else (s, e)
    value = m.group()
    groups = [g for g in value.split(":") if g]
    if "::" not in value:
        return (s, e) if len(groups) == 8 else None
    # "::" is also code-ish text ("a::b"): a compressed address needs two groups and a digit, or is "::1"
    plausible = len(groups) >= 2 and any(c.isdigit() for c in value)
    return (s, e) if len(groups) <= 7 and (plausible or value == "::1") else None


def _rrn_span(m: re.Match, text: str) -> tuple[int, int] | None:
    return m.span() if int(m.group("d")) <= _DAYS[int(m.group("m")) - 1] else None


def _luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _repetitive(digits: str) -> bool:
    # "0000000000", "1010101010": key-mashing or a rating in feedback, never a card or an account
    return digits == (digits[:2] * len(digits))[:len(digits)]


def _card_span(m: re.Match, text: str) -> tuple[int, int] | None:
    if text[:m.start()].rstrip(" ").endswith("+"):  # "+8210 3999 4076 15": an international phone number
        return None
    if m.group("flat"):
        return m.span() if _luhn(m.group("flat")) and not _repetitive(m.group("flat")) else None
    sep, groups = m.group("s"), m.group("grp").split(m.group("s"))
    # a space-separated card can run into the next number ("4111 1111 1111 1111 2024"): retry without
    # trailing groups; a dashed run is one token, all or nothing
    for k in range(len(groups), 2, -1) if sep == " " else (len(groups),):
        digits = "".join(groups[:k])
        # four groups of four is a card's own layout: masked even when a digit is mistyped (Luhn fails)
        card_shaped = [len(g) for g in groups[:k]] == [4, 4, 4, 4]
        if 13 <= len(digits) <= 19 and (card_shaped or _luhn(digits)) and not _repetitive(digits):
            return m.start(), m.start() + len(sep.join(groups[:k]))
    return None


def _account_span(m: re.Match, text: str) -> tuple[int, int] | None:
    value = m.group()
    digits = value.replace("-", "")
    if not 10 <= len(digits) <= 16 or _repetitive(digits) or _DATE_START.match(value):
        return None
    return m.span()


_CHECKS: dict[str, Callable[[re.Match, str], tuple[int, int] | None]] = {
    "URL": _url_span, "IP": _ip_span, "RRN": _rrn_span, "CARD": _card_span, "ACCOUNT": _account_span,
    "PASSPORT": forms.passport_span, "NAME": forms.name_span}
_KIND_HINTS = {kind: forms.HINTS.get(kind, _DIGIT) for kind in KINDS if kind not in ("URL", "EMAIL")}
_COMPILED = {kind: re.compile(p) for kind, p in _PATTERNS.items()}


def _fill(text: str, spans: list[tuple[int, int]]) -> str:
    parts, pos = [], 0
    for s, e in spans:
        parts += [text[pos:s], _FILL * (e - s)]
        pos = e
    parts.append(text[pos:])
    return "".join(parts)


class PiiMasker(TransformerMixin, BaseEstimator):
    """Replace personal data in feedback text with ``placeholder`` and count what was masked.

    Parameters
    ----------
    kinds : iterable of str or None
        Which of ``EMAIL, URL, IP, RRN, CARD, PHONE, ACCOUNT`` to mask (case-insensitive); None = all.
        A disabled kind is not protected from the others (an RRN with RRN off can become an ACCOUNT).
    placeholder : str
        Format string with ``{kind}`` (upper-case kind name), e.g. ``"<{kind}>"`` → ``<PHONE>``.
        Placeholders already in the text are left alone, so masking twice changes nothing.

    Notes
    -----
    A 13-19 digit number is a CARD only when the Luhn check passes. One that fails is still masked as
    an ACCOUNT when unbroken or dash-grouped with at most 16 digits (bank-account shaped digits are treated
    as personal either way) and left alone when space-grouped. Numbers of 10-16 digits (long order or
    tracking numbers included) are ACCOUNTs unless a unit follows ("원", "개", "%"); 9 digits or fewer never
    are, nor are runs repeating one or two digits ("0000000000", "1010101010"), as CARD or ACCOUNT.
    """

    def __init__(self, kinds: Iterable[str] | None = None, placeholder: str = "<{kind}>"):
        self.kinds = kinds
        self.placeholder = placeholder

    def fit(self, texts: Sequence[Any] | None = None, y: Any = None) -> "PiiMasker":
        kinds = [self.kinds] if isinstance(self.kinds, str) else self.kinds
        try:
            names = KINDS if kinds is None else [str(k).upper() for k in kinds]
        except TypeError as err:
            raise ValueError(f"kinds must be None or an iterable of kind names from {', '.join(KINDS)}") from err
        unknown = [k for k in names if k not in KINDS]
        if unknown:
            raise ValueError(f"unknown PII kind(s) {unknown}; valid kinds are {', '.join(KINDS)}")
        try:
            self.placeholders_ = {k: self.placeholder.format(kind=k) for k in KINDS}
        except (AttributeError, KeyError, IndexError, ValueError) as err:
            raise ValueError(f"placeholder must be a format string using {{kind}}, got {self.placeholder!r}") from err
        self.kinds_ = tuple(k for k in KINDS if k in names)
        self.patterns_ = {k: _COMPILED[k] for k in _ORDER if k in self.kinds_}
        marks = sorted({p for p in self.placeholders_.values() if p}, key=len, reverse=True)
        self.protect_ = re.compile("|".join(map(re.escape, marks))) if marks else None
        return self

    def mask(self, text: str) -> tuple[str, dict[str, int]]:
        """Return the masked text and the number of spans masked per kind (kinds with none left out).

        A non-string value comes back unchanged with no counts.
        """
        if not hasattr(self, "patterns_"):
            self.fit()
        if not isinstance(text, str) or not _HINT.search(text):
            return text, {}
        work, found = text, []
        if self.protect_ is not None:
            work = _fill(work, [m.span() for m in self.protect_.finditer(work)])
        for kind, pattern in self.patterns_.items():
            hint = _KIND_HINTS.get(kind)
            if hint is not None and not hint.search(work):
                continue
            check = _CHECKS.get(kind)
            spans = [span for m in pattern.finditer(work) if (span := check(m, work) if check else m.span())]
            if kind == "PHONE" and (spoken := forms.digit_words_as_digits(work)) is not None:
                # 공일공 일이삼사 오륙칠팔: the same patterns on a copy with digit words read as digits
                spans += [m.span() for m in pattern.finditer(spoken) if "\x00" not in m.group()
                          and forms.holds_digit_words(work, *m.span())]
                spans.sort()
            if spans:
                work = _fill(work, spans)
                found += [(s, e, kind) for s, e in spans]
        if not found:
            return text, {}
        found.sort()
        parts, pos, counts = [], 0, {}
        for s, e, kind in found:
            parts += [text[pos:s], self.placeholders_[kind]]
            pos = e
            counts[kind] = counts.get(kind, 0) + 1
        parts.append(text[pos:])
        return "".join(parts), {k: counts[k] for k in KINDS if k in counts}

    def transform(self, texts: Sequence[Any]) -> pd.DataFrame:
        """Return ``text_masked``, ``pii_counts`` and one ``pii_<kind>`` count column per enabled kind."""
        if not hasattr(self, "patterns_"):
            self.fit()
        masked, counts = [], []
        for value in texts:
            out, c = self.mask(value)
            masked.append(out)
            counts.append(c)
        columns: dict[str, Any] = {"text_masked": pd.Series(masked, dtype=object),
                                   "pii_counts": pd.Series(counts, dtype=object)}
        for kind in self.kinds_:
            columns[f"pii_{kind.lower()}"] = np.array([c.get(kind, 0) for c in counts], dtype=np.int64)
        return pd.DataFrame(columns)
