"""Broken and hostile input (issue 13): each case says exactly what happens — the result or the
message — and that every input row comes out once."""

from __future__ import annotations

import json
import logging

import numpy as np
import pandas as pd
import pytest

import feedmine as fm
from feedmine.errors import FeedmineError
from feedmine.io.tables import load_corpus
from feedmine.text.normalize import TextCleaner

TEXTS = ["앱이 자꾸 꺼져요", "로그인이 안 돼요", "배송이 늦어요", "환불 해주세요",
         "app crashes on start", "cannot log in", "slow delivery", "refund please"]


def analyze(table, **kw):
    return fm.analyze(table, embedder="tfidf", progress=False, **kw)


def every_row_once(result, n):
    docs = result.documents
    assert len(docs) == n and docs["id"].is_unique


# ----- text the cleaner must make harmless ---------------------------------------------------------
@pytest.mark.parametrize("raw, clean", [
    ("zero\u200bwidth", "zerowidth"),
    ("word\u2060joiner", "wordjoiner"),
    ("soft\u00adhyphen", "softhyphen"),
    ("bidi \u202eevil\u202c text", "bidi evil text"),
    ("isolates \u2066a\u2069 \u2067b\u2069", "isolates a b"),
    ("arabic mark \u061c here", "arabic mark here"),
    ("c1 \x85\x9b controls", "c1 controls"),
    ("nul \x00 byte", "nul byte"),
    ("bom \ufeff inside", "bom inside"),
    ("interlinear \ufff9a\ufffb", "interlinear a"),
])
def test_invisible_and_control_characters_leave_the_clean_text(raw, clean):
    assert TextCleaner().fit_transform([raw])["text_clean"].iloc[0] == clean


def test_invisible_characters_do_not_defeat_duplicate_detection():
    texts = ["same text here", "same\u200b text here", "same text\u2060 here", "same te\u00adxt here",
             "\u202esame text here"]
    table = TextCleaner().fit_transform(texts, ids=[f"r{i}" for i in range(5)])
    assert table["duplicate_of"].tolist() == [None, "r0", "r0", "r0", "r0"]


def test_no_control_character_reaches_the_report():
    bad = ["c1 \x85\x9b ctrl", "nul \x00 here", "bidi \u202eevil", "bell \x07 ring"]
    result = analyze(pd.DataFrame({"text": TEXTS * 3 + bad}))
    html = result.to_html(interactive=False)
    for ch in ("\x00", "\x07", "\x85", "\x9b", "\u202e"):
        assert ch not in html


def test_a_lone_surrogate_is_replaced_not_a_crash(caplog, tmp_path):
    table = pd.DataFrame({"text": TEXTS * 2 + ["broken \ud800 text"], "channel": ["app"] * 16 + ["we\udcffb"]},
                         dtype=object)  # (pandas 3 str columns cannot hold a surrogate at all)
    with caplog.at_level(logging.WARNING):
        result = analyze(table, channel="channel")
    every_row_once(result, 17)
    assert result.documents["text"].iloc[-1] == "broken \ufffd text"
    assert result.documents["channel"].iloc[-1] == "we\ufffdb"
    assert "surrogate" in caplog.text
    again = fm.load_result(result.save(tmp_path / "run"))  # UTF-8 files can hold what is left
    assert again.documents["text"].iloc[-1] == "broken \ufffd text"
    result.to_html(tmp_path / "report.html")


# ----- tables that are not what they seem ---------------------------------------------------------
def test_duplicate_column_names_are_named_in_the_error():
    df = pd.DataFrame([TEXTS, TEXTS]).T
    df.columns = ["text", "text"]
    with pytest.raises(FeedmineError, match=r"duplicate column names.*'text'"):
        load_corpus(df, text="text")


def test_multiindex_columns_say_how_to_flatten_them():
    df = pd.DataFrame({("a", "text"): TEXTS, ("a", "id"): range(8)})
    with pytest.raises(FeedmineError, match="MultiIndex"):
        load_corpus(df, text="text")


@pytest.mark.parametrize("sep", [";", "\t", "|"])
@pytest.mark.parametrize("named", [True, False])
def test_a_csv_with_another_separator_is_read_by_its_separator(tmp_path, sep, named, caplog):
    path = tmp_path / "export.csv"
    path.write_text(f"id{sep}text{sep}stars\n" + "".join(f"{i}{sep}{t}{sep}3\n" for i, t in enumerate(TEXTS)),
                    encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        corpus = load_corpus(path, text="text" if named else None, id="id" if named else None)
    assert corpus["text"].tolist() == TEXTS and len(corpus) == 8
    assert repr(sep) in caplog.text


def test_a_comma_csv_with_semicolons_in_its_text_stays_a_comma_csv(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("id,text\n1,\"one; two; three\"\n2,four;five\n", encoding="utf-8")
    assert load_corpus(path, text="text")["text"].tolist() == ["one; two; three", "four;five"]


@pytest.mark.parametrize("suffix", [".json", ".jsonl"])
def test_json_files_with_a_byte_order_mark_are_read(tmp_path, suffix):
    path = tmp_path / f"export{suffix}"
    records = [{"text": t, "id": str(i)} for i, t in enumerate(TEXTS)]
    body = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records) if suffix == ".jsonl" \
        else json.dumps(records, ensure_ascii=False)
    path.write_text(body, encoding="utf-8-sig")
    for text in ("text", None):
        assert load_corpus(path, text=text)["text"].tolist() == TEXTS


def test_mixed_timezones_are_read_as_utc_and_bad_dates_are_counted(caplog):
    table = pd.DataFrame({"text": TEXTS, "date": ["2024-01-01T09:00:00+09:00", "2024-01-01T00:00:00Z",
                                                  "2024-01-03", "nonsense"] * 2})
    with caplog.at_level(logging.WARNING):
        corpus = load_corpus(table, text="text", date="date")
    assert str(corpus["date"].dt.tz) == "UTC"
    assert corpus["date"].iloc[0] == corpus["date"].iloc[1]  # 09:00 in Seoul is midnight UTC
    assert corpus["date"].isna().sum() == 2
    assert "2 of 8 dates" in caplog.text


@pytest.mark.parametrize("column, role", [("v", "value"), ("r", "rating")])
def test_infinite_numbers_are_missing_with_a_warning(caplog, column, role):
    table = pd.DataFrame({"text": TEXTS * 4, column: [1.0, np.inf, -np.inf, 3.0] * 8})
    with caplog.at_level(logging.WARNING):
        result = analyze(table, **{role: column})
    every_row_once(result, 32)
    assert result.documents[role].isna().sum() == 16
    assert "16 infinite" in caplog.text
    assert result.themes["priority"].notna().all()
