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


# ----- files that are broken or empty -------------------------------------------------------------
def test_an_empty_file_says_it_is_empty(tmp_path):
    (tmp_path / "export.csv").write_bytes(b"")
    with pytest.raises(FeedmineError, match=r"is empty \(0 bytes\)"):
        load_corpus(tmp_path / "export.csv", text="text")


def test_a_header_only_file_gives_an_empty_result(tmp_path):
    (tmp_path / "export.csv").write_text("id,text,rating\n", encoding="utf-8")
    result = analyze(tmp_path / "export.csv", text="text", id="id")
    assert len(result.documents) == 0 and (result.themes["theme_id"] >= 0).sum() == 0
    result.to_html(interactive=False)


def test_a_folder_given_as_the_input_file(tmp_path):
    with pytest.raises(FeedmineError, match="is a folder"):
        load_corpus(tmp_path, text="text")


def test_an_unknown_extension_lists_the_known_ones(tmp_path):
    (tmp_path / "export.docx").write_bytes(b"PK")
    with pytest.raises(FeedmineError, match=r"unknown extension '\.docx'.*\.csv"):
        load_corpus(tmp_path / "export.docx", text="text")


def test_a_jsonl_line_that_is_not_json_is_named_by_its_number(tmp_path):
    path = tmp_path / "export.jsonl"
    path.write_text('{"text": "a"}\n{"text": "b"}\n\n{"text": broken\n{"text": "c"}\n', encoding="utf-8")
    for text in ("text", None):
        with pytest.raises(FeedmineError, match=r"at line 4 \('\{\"text\": broken'\)"):
            load_corpus(path, text=text)


def test_a_cp949_csv_from_korean_excel_is_read(tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes(("id,text\n" + "".join(f"{i},{t}\n" for i, t in enumerate(TEXTS))).encode("cp949"))
    assert load_corpus(path, text="text")["text"].tolist() == TEXTS


def test_bytes_that_are_no_encoding_name_the_fix(tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes(b"id,text\n1,\xff\xfe\xfa\xfb broken\n")
    with pytest.raises(FeedmineError, match="encoding"):
        load_corpus(path, text="text", encoding="utf-8")


def test_a_wrong_column_name_lists_the_columns_that_exist():
    with pytest.raises(FeedmineError, match=r"'review'.*'text'"):
        load_corpus(pd.DataFrame({"text": TEXTS, "stars": range(8)}), text="review")


# ----- Excel as people lay it out ------------------------------------------------------------------
openpyxl = pytest.importorskip("openpyxl")


def _workbook(path, title=True, second_sheet=False, dates=(45366, 45367)):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "VOC"
    if title:
        ws["A1"] = "고객 의견 내보내기 (2024년 3월)"
        ws.merge_cells("A1:C1")
        ws.append([])
    ws.append(["id", "text", "date"])
    ws.append(["007", "앱이 꺼져요", dates[0]])
    ws.append(["008", "login fails", dates[1]])
    if second_sheet:
        extra = wb.create_sheet("April")
        extra.append(["id", "text"])
        extra.append(["009", "배송 지연"])
    wb.save(path)
    return path


def test_an_excel_title_row_above_the_header_is_skipped(tmp_path, caplog):
    with caplog.at_level(logging.WARNING):
        corpus = load_corpus(_workbook(tmp_path / "voc.xlsx"), text="text", id="id")
    assert corpus["id"].tolist() == ["007", "008"] and corpus["text"].tolist() == ["앱이 꺼져요", "login fails"]
    assert "above the header are skipped" in caplog.text


def test_a_second_sheet_is_named_in_a_warning(tmp_path, caplog):
    with caplog.at_level(logging.WARNING):
        corpus = load_corpus(_workbook(tmp_path / "voc.xlsx", second_sheet=True), text="text")
    assert len(corpus) == 2
    assert "'April' (2 rows)" in caplog.text and "sheet_name" in caplog.text


def test_excel_date_serials_are_dates_not_1970(tmp_path):
    corpus = load_corpus(_workbook(tmp_path / "voc.xlsx", title=False), text="text", date="date")
    assert corpus["date"].dt.strftime("%Y-%m-%d").tolist() == ["2024-03-15", "2024-03-16"]


@pytest.mark.parametrize("values, expected", [
    ([1710460800, 1710547200], ["2024-03-15", "2024-03-16"]),  # Unix seconds
    ([1710460800000, None], ["2024-03-15", None]),  # Unix milliseconds
    (["20240315", "2024/03/16"], ["2024-03-15", "2024-03-16"]),
])
def test_numeric_dates_are_read_by_their_range(values, expected):
    corpus = load_corpus(pd.DataFrame({"text": ["a b", "c d"], "d": pd.Series(values, dtype=object)}),
                         text="text", date="d")
    got = [None if pd.isna(d) else d.strftime("%Y-%m-%d") for d in corpus["date"]]
    assert got == expected


def test_small_numbers_in_a_date_column_are_missing_with_a_warning(caplog):
    with caplog.at_level(logging.WARNING):
        corpus = load_corpus(pd.DataFrame({"text": ["a b"] * 3, "d": [1, 2, 3]}), text="text", date="d")
    assert corpus["date"].isna().all() and "3 of 3 dates" in caplog.text


# ----- numbers that are not what they claim --------------------------------------------------------
def test_huge_values_are_missing_and_the_priority_stays_finite(caplog):
    table = pd.DataFrame({"text": TEXTS * 4, "v": [1e308, 1.0, 2.0, 3.0] * 8})
    with caplog.at_level(logging.WARNING):
        result = analyze(table, value="v")
    assert result.documents["value"].isna().sum() == 8
    assert "beyond" in caplog.text and np.isfinite(result.themes["priority"]).all()


def test_negative_ratings_are_kept_with_a_warning(caplog):
    with caplog.at_level(logging.WARNING):
        corpus = load_corpus(pd.DataFrame({"text": TEXTS, "r": [1, 5, -2, 3] * 2}), text="text", rating="r")
    assert corpus["rating"].tolist() == [1, 5, -2, 3] * 2 and "2 negative ratings" in caplog.text


def test_a_rating_of_words_only_says_what_to_pass():
    with pytest.raises(FeedmineError, match="no numeric values"):
        load_corpus(pd.DataFrame({"text": TEXTS, "r": ["good", "bad"] * 4}), text="text", rating="r")


# ----- cells of every kind ------------------------------------------------------------------------
def test_every_kind_of_cell_comes_out_once_with_its_reason():
    cells = TEXTS * 2 + [None, np.nan, "", "   ", "😀😀", "ㅋ", "!!!", 12345, b"bytes text", "x" * 100_000,
                         {"k": "v"}, ["a", "list"], True]
    result = analyze(pd.DataFrame({"text": pd.Series(cells, dtype=object), "id": [f"r{i}" for i in range(len(cells))]}),
                     id="id")
    docs = result.documents
    every_row_once(result, len(cells))
    assert docs["id"].tolist() == [f"r{i}" for i in range(len(cells))]
    reasons = dict(zip(docs["id"], docs["skip_reason"]))
    assert [reasons[f"r{16 + k}"] for k in range(5)] == ["missing", "missing", "empty", "empty", "no_letters"]
    assert reasons["r23"] == "non_text" and reasons["r26"] == "non_text" and reasons["r28"] == "non_text"
    assert reasons["r24"] is None  # bytes are decoded
    assert docs.loc[docs["id"] == "r25", "truncated"].item()  # 100,000 characters: analysed cut, kept whole
    assert len(docs.loc[docs["id"] == "r25", "text"].item()) == 100_000


def test_one_very_long_cell_is_analysed_within_the_cap():
    long = " ".join(TEXTS) * 40_000  # about a million characters
    result = analyze(pd.DataFrame({"text": TEXTS * 2 + [long]}))
    docs = result.documents
    every_row_once(result, 17)
    assert len(docs["text"].iloc[-1]) == len(long) and docs["truncated"].iloc[-1]
    assert len(docs["text_clean"].iloc[-1]) <= 10_000


def test_the_same_text_ten_thousand_times_is_one_item_analysed():
    result = analyze(pd.DataFrame({"text": ["앱이 자꾸 꺼져요 업데이트 이후로"] * 10_000}))
    docs = result.documents
    every_row_once(result, 10_000)
    assert docs["duplicate_of"].isna().sum() == 1 and (docs["duplicate_of"].dropna() == docs["id"].iloc[0]).all()


@pytest.mark.parametrize("n", [0, 1, 2, 5])
def test_tiny_datasets_work(n, tmp_path):
    result = analyze(pd.DataFrame({"text": TEXTS[:n]}, dtype=object), text="text")
    every_row_once(result, n)
    fm.load_result(result.save(tmp_path / "run"))
    result.to_html(tmp_path / "report.html", interactive=False)


def test_a_few_dozen_one_syllable_texts_with_the_default_embedder():
    texts = list("가나다라마바사아자차카타파하거너더러머버서어저처커터퍼허고노도로모보소오조초코토포호")
    result = fm.analyze(pd.DataFrame({"text": texts}), progress=False)
    every_row_once(result, len(texts))


def test_mixed_type_and_struct_metadata_survive_save_and_load(tmp_path):
    from feedmine.pipeline import Pipeline  # noqa: F401  (the public composition path)
    table = pd.DataFrame({"text": TEXTS * 2, "seg": pd.Series([1, "two", 3.5, None] * 4, dtype=object),
                          "meta": [{"plan": "pro", "n": i} for i in range(16)]})
    corpus = load_corpus(table, text="text", segment="seg", keep=["meta"])
    result = fm.build_pipeline(embedder="tfidf", progress=False).fit(corpus).result_
    again = fm.load_result(result.save(tmp_path / "run"))
    assert len(again.documents) == 16 and again.documents["id"].tolist() == result.documents["id"].tolist()


# ----- personal data in every place it can hide ---------------------------------------------------
RAW_PII = ["010-9876-5432", "4111111111111111", "kim.minsu@example.com", "010 - 2222 - 3333",
           "공일공 팔칠육오 사삼이일", "홍길동@회사.kr", "900101-1******", "서울시 강남구 테헤란로 123"]


def _all_output_text(result, tmp_path):
    folder = result.save(tmp_path / "run")
    result.to_html(tmp_path / "report.html")
    result.to_json(tmp_path / "result.json")
    parts = [p.read_bytes().decode("utf-8", "replace") for p in sorted(folder.iterdir()) if p.is_file()
             and p.suffix in (".csv", ".json", ".html")]
    parts += [(tmp_path / "report.html").read_text(encoding="utf-8"), (tmp_path / "result.json").read_text(encoding="utf-8")]
    for parquet in sorted(folder.glob("*.parquet")):
        parts.append(pd.read_parquet(parquet).astype(str).to_csv())
    return "\n".join(parts)


def test_no_raw_pii_reaches_any_output(tmp_path):
    texts = [f"{t} 연락처 {p}" for t, p in zip(TEXTS, RAW_PII)] * 3
    table = pd.DataFrame({"text": pd.Series(texts + [4111111111111111, {"phone": "010-5555-6666"}], dtype=object),
                          "id": [f"r{i}" for i in range(24)] + ["kim@example.com", "r25"],
                          "channel": ["app"] * 25 + ["전화 010-7777-8888"]})
    result = analyze(table, id="id", channel="channel")
    every_row_once(result, 26)
    out = _all_output_text(result, tmp_path)
    for raw in RAW_PII + ["010-5555-6666", "010-7777-8888", "kim@example.com", "9876-5432", "7777-8888"]:
        assert raw not in out, raw
    from feedmine.text.metadata_pii import pseudonym
    assert pseudonym("kim@example.com") in result.documents["id"].tolist()


def test_journey_examples_are_masked_before_they_are_kept(tmp_path):
    from feedmine.tagging.journey import JourneyStageMapper

    mapper = JourneyStageMapper.from_examples(["카드 안 와요 010-1234-5678", "결제 실패 kim@example.com"],
                                              ["delivery", "payment"])
    spec = json.dumps(mapper.get_params()["stages"], ensure_ascii=False)
    assert "010-1234-5678" not in spec and "kim@example.com" not in spec and "<PHONE>" in spec


# ----- the command line ---------------------------------------------------------------------------
def test_cli_out_onto_a_file_is_refused_before_the_analysis(tmp_path, capsys):
    from feedmine.cli import main

    (tmp_path / "data.csv").write_text("text\n" + "\n".join(TEXTS) + "\n", encoding="utf-8")
    (tmp_path / "taken").write_text("x")
    assert main(["analyze", str(tmp_path / "data.csv"), "--out", str(tmp_path / "taken")]) == 2
    err = capsys.readouterr().err
    assert "is a file" in err and "Traceback" not in err


def test_cli_out_onto_a_folder_of_other_files_is_refused_before_the_analysis(tmp_path, capsys, monkeypatch):
    import feedmine.api
    from feedmine.cli import main

    def no_analysis(**_):
        raise AssertionError("the analysis started before --out was checked")

    monkeypatch.setattr(feedmine.api, "build_pipeline", no_analysis)
    (tmp_path / "data.csv").write_text("text\n" + "\n".join(TEXTS) + "\n", encoding="utf-8")
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "thesis.docx").write_text("years of work")
    for argv in (["analyze", str(tmp_path / "data.csv"), "--out", str(tmp_path / "mine")],
                 ["fit", str(tmp_path / "data.csv"), "--model", str(tmp_path / "mine")]):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert "holds files feedmine did not write" in err and "Traceback" not in err
        assert "--out" in err or "--model" in err
    assert (tmp_path / "mine" / "thesis.docx").read_text() == "years of work"


def test_cli_missing_input_is_one_line(tmp_path, capsys):
    from feedmine.cli import main

    assert main(["analyze", str(tmp_path / "nope.csv"), "--out", str(tmp_path / "o")]) == 2
    assert "does not exist" in capsys.readouterr().err


# ----- regressions found by the fuzzer (tests/test_fuzz.py) ----------------------------------------
def test_a_parquet_file_with_broken_utf8_strings_is_a_clear_error(tmp_path):
    path = tmp_path / "export.parquet"
    pd.DataFrame({"text": TEXTS}).to_parquet(path, index=False, compression=None)  # (the bytes stay findable)
    data = path.read_bytes()
    assert b"refund please" in data
    path.write_bytes(data.replace(b"refund please", b"refund pl\xff\xfese"))
    for text in ("text", None):
        with pytest.raises(FeedmineError, match="'export.parquet' as parquet.*Invalid UTF8"):
            load_corpus(path, text=text)


def test_a_model_whose_arrays_are_cut_but_listed_is_a_clear_error(tmp_path):
    from feedmine.io.store import MANIFEST, sha256_of

    model = fm.Pipeline(embedder=fm.embed.TfidfEmbedder(n_components=4), random_state=0, progress=False).fit(
        pd.DataFrame({"text": TEXTS * 3}))
    folder = model.save(tmp_path / "model")
    arrays = folder / "arrays.npz"
    arrays.write_bytes(arrays.read_bytes()[:100])
    manifest = json.loads((folder / MANIFEST).read_text())
    manifest["files"]["arrays.npz"] = {"bytes": 100, "sha256": sha256_of(arrays)}
    (folder / MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(FeedmineError, match="is damaged or was not written by feedmine"):
        fm.load_model(folder)


# ----- the embedding cache is checked, not trusted --------------------------------------------------
class HashingEmbedder(fm.embed.base.Embedder):
    """A small deterministic embedder that uses the shared disk cache."""

    def __init__(self, batch_size=4, max_chars=None, cache_dir=None, progress=False):
        self.batch_size, self.max_chars, self.cache_dir, self.progress = batch_size, max_chars, cache_dir, progress

    @property
    def model_id(self):
        return "test-hashing-6"

    def _encode(self, texts):
        return np.array([[hash_char(t, k) for k in range(6)] for t in texts], dtype=np.float32)


def hash_char(text, k):
    return (sum(ord(c) * (k + 1) for c in text) % 97) / 97.0 + 0.01


@pytest.mark.parametrize("damage", ["fewer vectors", "short keys", "nan", "other width"])
def test_a_cache_shard_that_cannot_be_right_is_rebuilt(tmp_path, damage, caplog):
    texts = TEXTS * 2
    clean = HashingEmbedder(cache_dir=tmp_path).transform(texts)
    shards = sorted(tmp_path.rglob("shard-*.npz"))
    assert len(shards) == 2  # batches of 4 texts
    shard = shards[0]
    with np.load(shard) as data:
        keys, vectors = data["keys"], data["vectors"]
    bad = {"fewer vectors": dict(keys=keys, vectors=vectors[:-1]), "short keys": dict(keys=keys[:, :8], vectors=vectors),
           "nan": dict(keys=keys, vectors=np.full_like(vectors, np.nan)),
           "other width": dict(keys=keys, vectors=np.ones((len(keys), 9), np.float32))}[damage]
    np.savez(shard, **bad)
    with caplog.at_level(logging.WARNING):
        again = HashingEmbedder(cache_dir=tmp_path).transform(texts)
    np.testing.assert_allclose(again, clean, atol=1e-6)
    assert "shard" in caplog.text or "embedded again" in caplog.text


def test_saving_a_document_result_over_a_sentence_result_leaves_no_stale_sentences(tmp_path):
    folder = tmp_path / "run"
    table = pd.DataFrame({"text": [f"{a}. {b}." for a, b in zip(TEXTS, reversed(TEXTS))] * 2})
    analyze(table, unit="sentence").save(folder)
    assert fm.load_result(folder).sentences is not None
    analyze(table).save(folder)
    assert fm.load_result(folder).sentences is None and not (folder / "sentences.parquet").exists()
