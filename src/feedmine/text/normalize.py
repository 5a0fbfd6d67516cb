"""Cleaning: Unicode and whitespace normalisation, repeated-character collapse, skip reasons, exact
duplicates.

Nothing is removed: every input row gets a cleaned text, a language, and either ``skip_reason=None``
(it will be analysed) or a reason it cannot be (``missing``, ``non_text``, ``empty``, ``no_letters``).
Exact duplicates (after normalisation) are kept and point at their first occurrence through
``duplicate_of``; they are embedded once and share their original's theme.

>>> from feedmine.text.normalize import TextCleaner
>>> out = TextCleaner().fit_transform(["배송 너무 느려요ㅠㅠㅠㅠㅠ!!!!!", None, "  ", "배송  너무 느려요ㅠㅠㅠㅠ!!!!"],
...                                   ids=["a", "b", "c", "d"])
>>> out[["text_clean", "skip_reason", "duplicate_of"]].values.tolist()
[['배송 너무 느려요ㅠㅠㅠ!!!', None, None], ['', 'missing', None], ['', 'empty', None], ['배송 너무 느려요ㅠㅠㅠ!!!', None, 'a']]
"""
from __future__ import annotations

import html
import math
import re
import unicodedata
from collections.abc import Sequence
from numbers import Number
from typing import Any

import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin

from .language import detect_language

# control and invisible characters: C0 and C1 controls, zero-width and joiner characters, the soft
# hyphen, bidi embeddings / overrides / isolates (U+202A-U+202E, U+2066-U+2069: "Trojan Source"
# reordering), interlinear annotation marks, and the Hangul fillers (U+3164, U+115F/U+1160, U+FFA0) that
# are "letters" to Unicode but show nothing: a cell of only those is empty, not Korean. They would
# otherwise make two identical texts different to duplicate detection and reach the report.
_CONTROL = re.compile(r"[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u00ad\u061c\u180e"
                      r"\u200b-\u200f\u202a-\u202e\u2028\u2029\u2060-\u2064\u2066-\u2069\ufeff"
                      r"\ufff9-\ufffb\u3164\u115f\u1160\uffa0]")
#: default cap of the analysed text (see ``TextCleaner.max_chars``)
MAX_CHARS = 10_000
_SPACES = re.compile(r"[ \t\u00a0\u3000]+")
# A tab between words separates fields more often than it spaces words: Google Play exports put the
# title before the review that way ("Good\tKeeps crashing since the update"). As a line break it ends
# a clause, so a theme's name or a sentence does not run from the title into the review.
_TAB = re.compile(r"[ \u00a0\u3000]*\t[ \t\u00a0\u3000]*")
# HTML character references left in exported text ("Weather &amp; when to go", "don&#39;t", and bare
# "&amp" whose ";" was lost): a reader sees the character, and so should keywords, names and the PII
# masker ("kim&#64;example.com" is an e-mail address). Named references need their ";" except the
# five that exports write bare, so "&not" or "&copy" in ordinary text stay as written.
_ENTITY = re.compile(r"&(?:#[0-9]{1,7};?|#[xX][0-9a-fA-F]{1,6};?|[A-Za-z][A-Za-z0-9]{1,31};"
                     r"|(?:amp|lt|gt|quot|apos)(?![A-Za-z0-9;]))")
_NEWLINES = re.compile(r"\s*\n\s*")
_LETTER = re.compile(r"[^\W\d_]")

# NFKC turns the compatibility jamo people type (ㅠ U+3160, ㅋ U+314B) into conjoining jamo (U+1172,
# U+110F) that look the same but no longer match "ㅠ" anywhere downstream; map lone ones back.
_JAMO_BACK = {}
for _cp in range(0x3131, 0x318F):
    _nf = unicodedata.normalize("NFKC", chr(_cp))
    if len(_nf) == 1 and _nf != chr(_cp):
        _JAMO_BACK.setdefault(ord(_nf), chr(_cp))
# NFKC also *composes* a consonant followed by a vowel once both are conjoining jamo ("ㅋㅠ" → "큐",
# "ㅋㅋㅠㅠ" → "ㅋ큐ㅠ"), so typed jamo (and their half-width forms) are kept out of NFKC altogether.
_HALFWIDTH_JAMO = {}
for _cp in range(0xFFA0, 0xFFDD):
    _nf = unicodedata.normalize("NFKC", chr(_cp))
    if len(_nf) == 1 and ord(_nf) in _JAMO_BACK:
        _HALFWIDTH_JAMO[_cp] = _JAMO_BACK[ord(_nf)]
_COMPAT_JAMO_RUN = re.compile(r"[\u3131-\u318e]+")


def _nfkc_keep_jamo(text: str) -> str:
    text = text.translate(_HALFWIDTH_JAMO)
    parts, pos = [], 0
    for m in _COMPAT_JAMO_RUN.finditer(text):
        parts.append(unicodedata.normalize("NFKC", text[pos:m.start()]))
        parts.append(m.group())
        pos = m.end()
    parts.append(unicodedata.normalize("NFKC", text[pos:]))
    return "".join(parts).translate(_JAMO_BACK)


def _unescape(m: re.Match[str]) -> str:
    ref = m.group()
    return html.unescape(ref if ref.endswith(";") else ref + ";")


def _decode(text: str) -> str:
    """NFKC (keeping typed jamo) and HTML character references decoded, until neither changes the text:
    "&amp;lt;" (escaped twice) and "＆amp;" (NFKC makes the "&") need a second round. Rounds are
    capped, since each is a pass over the text."""
    text = _nfkc_keep_jamo(text)
    for _ in range(4):
        if "&" not in text:
            break
        decoded = _nfkc_keep_jamo(_ENTITY.sub(_unescape, text))
        if decoded == text:
            break
        text = decoded
    return text


def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def first_occurrences(keys: Sequence[Any], ids: Sequence[Any], valid: Sequence[bool]) -> list[Any]:
    """Per row, the id of the first earlier valid row with the same key (None for the first, and for
    rows that are not valid): the exact-duplicate links of one table, however it was cut into chunks."""
    first: dict[Any, Any] = {}
    out: list[Any] = []
    for key, item_id, ok in zip(keys, ids, valid):
        if not ok:
            out.append(None)
            continue
        seen = first.setdefault(key, item_id)
        out.append(None if seen == item_id else seen)
    return out


class TextCleaner(TransformerMixin, BaseEstimator):
    """Normalise feedback text and decide which items can be analysed.

    Parameters
    ----------
    max_repeat : int
        Runs of one character longer than this are cut to this length (ㅋㅋㅋㅋㅋ → ㅋㅋㅋ, !!!!! → !!!);
        digits are left alone (phone numbers, amounts).
        Three keeps the intensity a reader sees while making "ㅋㅋㅋㅋ" and "ㅋㅋㅋㅋㅋㅋ" one token.
    lowercase : bool
        Lower-case the cleaned text. Off by default: embedders are case-aware and "ERROR" is a cue.
    accept_numbers : bool
        Treat a number (int/float) cell as text. Off by default: a number in the text column is almost
        always a mapping mistake and is reported as ``non_text``.
    mask_pii : bool
        Mask personal data (e-mail, phone, resident registration, card and account numbers, URLs, IPs)
        in the cleaned text *and* in the raw text that is passed on, before anything is embedded,
        cached, logged or rendered. On by default.
    pii_masker : object or None
        The masker (default :class:`~feedmine.text.pii.PiiMasker`); any object with
        ``mask(text) -> (masked_text, {kind: count})`` works.
    max_chars : int or None
        The longest text analysed: a longer cell is cut (at a space near the limit) in ``text_clean``,
        which everything downstream reads, and kept whole (masked) in the output, flagged
        ``truncated``. Keywords, summaries and tokenizers grow faster than the text (a 1,000,000-character
        cell took minutes), while an embedder reads only its first 512-2,000 characters anyway.
        None analyses every character.
    """

    def __init__(self, max_repeat: int = 3, lowercase: bool = False, accept_numbers: bool = False,
                 mask_pii: bool = True, pii_masker: Any = None, max_chars: int | None = MAX_CHARS):
        self.max_repeat = max_repeat
        self.lowercase = lowercase
        self.accept_numbers = accept_numbers
        self.mask_pii = mask_pii
        self.pii_masker = pii_masker
        self.max_chars = max_chars

    def fit(self, texts: Sequence[Any] | None = None, y: Any = None) -> "TextCleaner":
        if self.max_chars is not None and (not isinstance(self.max_chars, int) or self.max_chars < 100):
            raise ValueError(f"max_chars must be None or an int of at least 100, got {self.max_chars!r}")
        if not isinstance(self.max_repeat, int) or self.max_repeat < 1:
            raise ValueError(f"max_repeat must be a positive int, got {self.max_repeat!r}")
        # digits are never collapsed: 010-9999-8888, 1000000 and card numbers must survive intact
        self.repeat_pattern_ = re.compile(r"(\D)\1{%d,}" % self.max_repeat, flags=re.DOTALL)
        self.masker_ = None
        if self.mask_pii:
            from .pii import PiiMasker

            self.masker_ = PiiMasker().fit() if self.pii_masker is None else self.pii_masker
        return self

    def _mask_raw(self, value: Any, clean_spans: int) -> Any:
        """The raw cell with its personal data masked (what ``documents.text`` shows)."""
        if not isinstance(value, str):
            return value
        masked, counts = self.masker_.mask(value)
        if sum(counts.values()) < clean_spans:
            # the raw form hid some (full-width digits, odd spaces, kim&#64;mail.com): show the decoded,
            # normalised text, masked
            masked = self.masker_.mask(_decode(value))[0]
        return masked

    def normalize(self, text: str) -> str:
        """Normalise one string (NFKC, control characters, whitespace, repeats, the ``max_chars`` cap)."""
        if self.max_chars is not None:  # bounded work: ten times the cap leaves room for what cleaning removes
            text = text[:self.max_chars * 10]
        text = _decode(text)
        text = _CONTROL.sub("", text).replace("\r\n", "\n").replace("\r", "\n")
        text = _TAB.sub("\n", text)
        text = _SPACES.sub(" ", text)
        text = _NEWLINES.sub("\n", text).strip()
        text = self.repeat_pattern_.sub(lambda m: m.group(1) * self.max_repeat, text)
        if self.max_chars is not None and len(text) > self.max_chars:
            cut = text.rfind(" ", self.max_chars - 200, self.max_chars)
            text = text[:cut if cut > 0 else self.max_chars].rstrip()
        return text.lower() if self.lowercase else text

    def transform(self, texts: Sequence[Any], ids: Sequence[str] | None = None) -> pd.DataFrame:
        """Return ``text_clean``, ``lang``, ``skip_reason``, ``duplicate_of`` for each input, in order;
        with ``mask_pii`` also ``text_masked`` (the raw cell, masked), ``pii_masked`` (spans masked) and
        ``pii_kinds`` (which kinds, e.g. ``"PHONE:1, EMAIL:1"``)."""
        if not hasattr(self, "repeat_pattern_"):
            self.fit()
        texts = list(texts)
        ids = [str(i) for i in ids] if ids is not None else [str(i) for i in range(len(texts))]
        if len(ids) != len(texts):
            raise ValueError(f"got {len(texts)} texts but {len(ids)} ids")
        rows = [self.clean_one(value) for value in texts]
        columns = ["text_clean", "lang", "skip_reason"]
        if self.masker_ is not None:
            columns += ["text_masked", "pii_masked", "pii_kinds"]
        out = pd.DataFrame(rows, columns=columns, dtype=object)
        # on the masked text: the same complaint with two phone numbers is one
        out.insert(3, "duplicate_of", pd.Series(first_occurrences(out["text_clean"], ids, out["skip_reason"].isna()),
                                                 index=out.index, dtype=object))
        if self.masker_ is not None:
            out["pii_masked"] = out["pii_masked"].astype(int)
        return out

    def clean_one(self, value: Any) -> list[Any]:
        """One cell: [text_clean, lang, skip_reason] (+ [text_masked, pii_masked, pii_kinds] when masking),
        a function of the cell alone."""
        clean, reason = "", None
        if _is_missing(value):
            reason = "missing"
        elif isinstance(value, bytes):
            value = value.decode("utf-8", errors="replace")
        if reason is None and not isinstance(value, str):
            if self.accept_numbers and isinstance(value, Number) and not isinstance(value, bool):
                value = str(value)
            else:
                reason = "non_text"
        lang, counts = "none", {}
        if reason is None:
            clean = self.normalize(value)
            if not clean:
                reason = "empty"
            elif not _LETTER.search(clean):
                reason = "no_letters"
            else:
                lang = detect_language(clean)  # before masking: "<PHONE>" is not English
        if self.masker_ is not None and clean:
            clean, counts = self.masker_.mask(clean)
        row = [clean, lang, reason]
        if self.masker_ is not None:
            if reason == "non_text" and not isinstance(value, bool):
                # an int that is a card number, a dict holding a phone: masked in their text form, which
                # then stands in for the cell; a cell with nothing personal keeps its own type
                masked, counts = self.masker_.mask(str(value))
                raw = masked if counts else value
            else:
                raw = self._mask_raw(value, sum(counts.values()))
            n_spans = sum(counts.values())
            row += [raw, n_spans, ", ".join(f"{k}:{v}" for k, v in sorted(counts.items()))]
        return row

    def fit_transform(self, texts: Sequence[Any], y: Any = None, ids: Sequence[str] | None = None) -> pd.DataFrame:
        return self.fit(texts).transform(texts, ids=ids)
