"""Tests for TextCleaner (feedmine.text.normalize) and detect_language (feedmine.text.language)."""
import re
import unicodedata

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feedmine.text.language import detect_language
from feedmine.text.normalize import TextCleaner

LETTER = re.compile(r"[^\W\d_]")


def clean(text, **params):
    return TextCleaner(**params).fit().normalize(text)


def run(texts, ids=None, **params):
    return TextCleaner(**params).fit_transform(texts, ids=ids)


# ----- normalisation ----------------------------------------------------------------------------

def test_nfkc_full_width_to_ascii():
    assert clean("ＡＰＰ　ｃｒａｓｈ １２３！") == "APP crash 123!"


def test_nfkc_composes_decomposed_hangul():
    nfd = unicodedata.normalize("NFD", "배송이 느려요")
    assert len(nfd) > len("배송이 느려요")  # really decomposed
    assert clean(nfd) == "배송이 느려요"


@pytest.mark.parametrize("jamo", ["ㅠ", "ㅜ", "ㅋ", "ㅎ", "ㄱ"])
def test_compatibility_jamo_preserved(jamo):
    out = clean(jamo * 2)
    assert out == jamo * 2
    assert all(unicodedata.name(c).startswith("HANGUL LETTER") for c in out)


def test_ㅠ_stays_u3160():
    assert [hex(ord(c)) for c in clean("ㅠㅠ")] == ["0x3160", "0x3160"]


@pytest.mark.parametrize("typed", ["ㅋㅋㅠㅠ", "웃프다 ㅋㅋㅋㅠㅠ", "ㅎㅏ", "ㅇㅋㅇㅋ"])
def test_consonant_vowel_jamo_not_composed_into_syllables(typed):
    # NFKC alone turns "ㅋㅠ" into "큐": a consonant jamo followed by a vowel jamo is not a syllable
    assert clean(typed) == typed


def test_halfwidth_jamo_become_compatibility_jamo():
    assert clean("\uffbb\uffbb") == "ㅋㅋ"


@pytest.mark.parametrize("raw, expected", [
    ("배송   너무  느려요", "배송 너무 느려요"),
    # a tab separates fields (a Google Play title and its review), so it ends the line
    ("배송   너무\t\t느려요", "배송 너무\n느려요"),
    ("Good \t Keeps crashing\t", "Good\nKeeps crashing"),
    ("  앞뒤 공백  ", "앞뒤 공백"),
    ("no\u00a0break\u3000space", "no break space"),
    ("line one  \n\n\n   line two", "line one\nline two"),
    ("windows\r\nline", "windows\nline"),
    ("zero\u200bwidth", "zerowidth"),
    ("bom\ufeff here", "bom here"),
    ("bell\x07 char", "bell char"),
])
def test_whitespace_and_control_characters(raw, expected):
    assert clean(raw) == expected


@pytest.mark.parametrize("raw, expected", [
    ("Weather &amp When to go", "Weather & When to go"),     # the ";" lost by the export
    ("don&#39;t &lt;b&gt; &quot;x&quot;", "don't <b> \"x\""),
    ("&#xD55C;&#44544; &nbsp;ok", "한글 ok"),
    ("Tom &amp;lt;3", "Tom <3"),                             # escaped twice
    ("AT&T, R&D, &copy and &not as text", "AT&T, R&D, &copy and &not as text"),
])
def test_html_character_references_are_decoded(raw, expected):
    assert clean(raw) == expected


def test_pii_written_with_character_references_is_masked_in_every_output():
    out = TextCleaner().fit_transform(["mail kim&#64;example.com or call 010&#45;1234&#45;5678"])
    for column in ("text_clean", "text_masked"):
        value = out[column].iloc[0]
        assert "kim" not in value and "1234" not in value and "<EMAIL>" in value and "<PHONE>" in value


@pytest.mark.parametrize("raw, expected", [
    ("ㅋㅋㅋㅋㅋ", "ㅋㅋㅋ"),
    ("!!!!!", "!!!"),
    ("좋아요~~~~~~~", "좋아요~~~"),
    ("ㅋㅋㅋ", "ㅋㅋㅋ"),            # at the limit: untouched
    ("soooooo slow", "sooo slow"),
    ("good", "good"),
    ("최고ㅠㅠㅠㅠㅠ!!!!!", "최고ㅠㅠㅠ!!!"),
])
def test_repeated_characters_collapse(raw, expected):
    assert clean(raw) == expected


def test_max_repeat_parameter():
    assert clean("ㅋㅋㅋㅋㅋ", max_repeat=2) == "ㅋㅋ"
    assert clean("!!!!", max_repeat=1) == "!"


@pytest.mark.parametrize("bad", [0, -1, 2.5, "3"])
def test_max_repeat_validated(bad):
    with pytest.raises(ValueError, match="max_repeat"):
        TextCleaner(max_repeat=bad).fit()


def test_lowercase_off_by_default():
    assert clean("ERROR 떠요") == "ERROR 떠요"
    assert clean("ERROR 떠요", lowercase=True) == "error 떠요"


def test_transform_without_fit_works():
    out = TextCleaner().transform(["ㅋㅋㅋㅋㅋ"])
    assert out["text_clean"].tolist() == ["ㅋㅋㅋ"]


# ----- skip reasons -----------------------------------------------------------------------------

@pytest.mark.parametrize("value, reason", [
    (None, "missing"),
    (float("nan"), "missing"),
    (np.nan, "missing"),
    (pd.NA, "missing"),
    (pd.NaT, "missing"),
    ("", "empty"),
    ("   ", "empty"),
    ("\n\t\u200b", "empty"),
    (123, "non_text"),
    (4.5, "non_text"),
    (True, "non_text"),
    (["a list"], "non_text"),
    ("!!!", "no_letters"),
    ("12345", "no_letters"),
    ("?? :) 👍", "no_letters"),
])
def test_skip_reasons(value, reason):
    out = run([value])
    assert out["skip_reason"].iloc[0] == reason
    assert out["lang"].iloc[0] == "none"
    assert out["duplicate_of"].iloc[0] is None


@pytest.mark.parametrize("value", ["ㅠㅠ", "ok", "굿", "a1"])
def test_short_texts_with_letters_are_analysed(value):
    out = run([value])
    assert out["skip_reason"].iloc[0] is None
    assert out["text_clean"].iloc[0] == value


def test_missing_non_text_and_empty_have_empty_clean_text():
    out = run([None, float("nan"), 123, "", "  "])
    assert out["text_clean"].tolist() == [""] * 5


def test_bytes_are_decoded_as_utf8():
    out = run([b"bytes", "배송 느림".encode("utf-8"), b"\xff\xfe broken"])
    assert out["skip_reason"].tolist() == [None, None, None]
    assert out["text_clean"].tolist()[:2] == ["bytes", "배송 느림"]
    assert "broken" in out["text_clean"].iloc[2]  # undecodable bytes replaced, the rest kept


def test_accept_numbers():
    out = run([123, 4.5, True], accept_numbers=True)
    # a number becomes its text, which has no letters; a bool is never a number here
    assert out["skip_reason"].tolist() == ["no_letters", "no_letters", "non_text"]
    assert out["text_clean"].tolist()[:2] == ["123", "4.5"]


# ----- duplicates, order, ids -------------------------------------------------------------------

def test_exact_duplicates_point_to_first_id():
    texts = ["배송 느려요", "good", "배송  느려요", "배송 느려요!!!!!", "배송 느려요", "good"]
    out = run(texts, ids=["a", "b", "c", "d", "e", "f"])
    # c and e equal a after whitespace normalisation; d differs ("!!!" stays); f repeats b
    assert out["duplicate_of"].tolist() == [None, None, "a", None, "a", "b"]


def test_duplicates_never_point_to_a_later_or_skipped_item():
    out = run(["", "", None, "x y", "x y"], ids=["1", "2", "3", "4", "5"])
    assert out["duplicate_of"].tolist() == [None, None, None, None, "4"]


def test_duplicate_detection_uses_normalised_text():
    out = run(["ＯＫ", "OK", "ㅋㅋㅋㅋㅋㅋ", "ㅋㅋㅋㅋ"], ids=["w", "x", "y", "z"])
    assert out["duplicate_of"].tolist() == [None, "w", None, "y"]


def test_default_ids_are_positions():
    out = run(["same", "same"])
    assert out["duplicate_of"].tolist() == [None, "0"]


def test_ids_length_mismatch():
    with pytest.raises(ValueError, match="2 texts but 1 ids"):
        TextCleaner().transform(["a", "b"], ids=["x"])


def test_output_length_order_and_columns():
    texts = ["third?", None, "배송", 42, "", "ok ok", "배송"]
    out = run(texts)
    assert list(out.columns) == ["text_clean", "lang", "skip_reason", "duplicate_of",
                                 "text_masked", "pii_masked", "pii_kinds"]
    assert list(TextCleaner(mask_pii=False).fit_transform(texts).columns) == [
        "text_clean", "lang", "skip_reason", "duplicate_of"]
    assert len(out) == len(texts)
    assert out.index.tolist() == list(range(len(texts)))
    assert out["text_clean"].tolist() == ["third?", "", "배송", "", "", "ok ok", "배송"]


def test_accepts_series_and_generators():
    series = pd.Series(["a b", None], index=[5, 9])
    assert run(series)["skip_reason"].tolist() == [None, "missing"]
    assert len(run(t for t in ["x", "y", "z"])) == 3


def test_lang_column_uses_cleaned_text():
    out = run(["배송이 느려요", "ＯＫ", "결제 error 계속 뜸", None])
    assert out["lang"].tolist() == ["ko", "en", "mixed", "none"]


# ----- property ---------------------------------------------------------------------------------

values = st.one_of(
    st.text(max_size=40),
    st.text(alphabet="ㅋㅠㅜㅎ가나 !?~\n\t\u3000ＡBc1", max_size=15),
    st.none(),
    st.integers(),
    st.floats(allow_nan=True),
    st.just(pd.NA),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(values, max_size=20))
def test_property_one_row_per_input_and_skip_reason_matches_letters(texts):
    ids = [f"id{i}" for i in range(len(texts))]
    out = TextCleaner().fit_transform(texts, ids=ids)
    assert len(out) == len(texts)
    for value, text_clean, reason in zip(texts, out["text_clean"], out["skip_reason"]):
        has_letter = bool(LETTER.search(text_clean))
        assert (reason is None) == has_letter
        if isinstance(value, str):
            # in order: each row's cleaned text is that input's own normalisation
            assert text_clean == TextCleaner().fit().normalize(value)
        else:
            assert text_clean == ""
    # duplicates point back to an earlier analysed row with the same cleaned text
    position = {i: k for k, i in enumerate(ids)}
    for k, dup in enumerate(out["duplicate_of"]):
        if dup is not None:
            j = position[dup]
            assert j < k
            assert out["skip_reason"].iloc[j] is None and out["duplicate_of"].iloc[j] is None
            assert out["text_clean"].iloc[j] == out["text_clean"].iloc[k]


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_property_normalize_is_idempotent(text):
    cleaner = TextCleaner().fit()
    once = cleaner.normalize(text)
    assert cleaner.normalize(once) == once


# ----- language ---------------------------------------------------------------------------------

@pytest.mark.parametrize("text, lang", [
    ("굿", "ko"),
    ("ok", "en"),
    ("ㅠㅠ", "ko"),
    ("ㅋㅋㅋ", "ko"),
    ("최고!!", "ko"),
    ("배송이 너무 느려요", "ko"),
    ("The app keeps crashing", "en"),
    ("결제 error 계속 뜸", "mixed"),
    ("배송이 너무 느려요 delivery", "mixed"),
    ("앱 crash", "mixed"),
    # one Korean word in a long English sentence does not make it mixed
    ("This app crashes every single time I open it 짜증", "en"),
    # one brand name in a long Korean sentence does not either
    ("카카오페이로 결제하려고 하면 계속 오류가 나서 주문을 못 하겠어요 KB", "ko"),
    ("12345", "other"),
    ("!!! ???", "other"),
    ("", "other"),
    ("Привет", "other"),
    ("こんにちは", "other"),
    ("Привет 안녕", "other"),
])
def test_detect_language(text, lang):
    assert detect_language(text) == lang


def test_syllables_weigh_more_than_latin_letters():
    # 2 syllables vs 10 Latin letters: 5 vs 10 weighted, a third Korean: mixed, not English
    assert detect_language("배송 deliveryyy") == "mixed"
    # 1 syllable vs 19 letters: 2.5 / 21.5 ≈ 12% Korean: English
    assert detect_language("배 deliveryisveryslowx") == "en"
