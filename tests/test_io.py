"""Tests for feedmine.io: reading tables in every supported format and mapping column roles."""
import json
import logging

import numpy as np
import pandas as pd
import pytest

from feedmine.errors import ColumnNotFoundError, FeedmineError
from feedmine.io.tables import load_corpus, read_table

TEXTS = ["앱이 자꾸 꺼져요", "Love it, works great", "배송이 너무 느려요 ㅠㅠ"]


def sample_frame():
    return pd.DataFrame({
        "review_id": ["007", "010", "123"],
        "comment": TEXTS,
        "stars": [1, 5, 2],
        "channel": ["ios", "web", "android"],
        "created": ["2024-01-05", "2024-02-10", "2024-03-15"],
    })


# ----- reading each format -----------------------------------------------------------------------

def test_dataframe_passes_through_and_ids_are_made():
    corpus = load_corpus(pd.DataFrame({"comment": TEXTS}), text="comment")
    assert list(corpus.columns) == ["id", "text"]
    assert corpus["id"].tolist() == ["row-0", "row-1", "row-2"]
    assert corpus["text"].tolist() == TEXTS


def test_dataframe_with_non_default_index_keeps_row_alignment():
    df = sample_frame().iloc[::-1]  # index 2, 1, 0: values must follow the rows, not the index labels
    df.index = [10, 5, 99]
    corpus = load_corpus(df, text="comment", id="review_id", rating="stars", channel="channel",
                         date="created", keep=["stars"])
    assert corpus["id"].tolist() == ["123", "010", "007"]
    assert corpus["text"].tolist() == TEXTS[::-1]
    assert corpus["rating"].tolist() == [2.0, 5.0, 1.0]
    assert corpus["channel"].tolist() == ["android", "web", "ios"]
    assert corpus["date"].dt.month.tolist() == [3, 2, 1]


def test_csv_ids_keep_leading_zeros(tmp_path):
    path = tmp_path / "reviews.csv"
    sample_frame().to_csv(path, index=False)
    corpus = load_corpus(path, text="comment", id="review_id", rating="stars")
    assert corpus["id"].tolist() == ["007", "010", "123"]
    assert corpus["text"].tolist() == TEXTS
    assert corpus["rating"].tolist() == [1.0, 5.0, 2.0]
    assert corpus["rating"].dtype == float


def test_csv_accepts_str_path_and_bom(tmp_path):
    path = tmp_path / "excel_export.csv"
    # Excel writes UTF-8 CSV with a byte-order mark; the first header must not become "\ufeffid"
    path.write_bytes("id,comment\n001,배송 느림\n002,good\n".encode("utf-8-sig"))
    corpus = load_corpus(str(path), text="comment", id="id")
    assert corpus["id"].tolist() == ["001", "002"]
    assert corpus["text"].tolist() == ["배송 느림", "good"]


def test_csv_empty_cells_are_missing_not_empty_strings(tmp_path):
    path = tmp_path / "gaps.csv"
    path.write_text("comment,seg\nhello,\n,vip\n", encoding="utf-8")
    corpus = load_corpus(path, text="comment", segment="seg")
    assert corpus["text"].iloc[0] == "hello"
    assert pd.isna(corpus["text"].iloc[1])
    assert corpus["segment"].tolist() == [None, "vip"]


def test_tsv(tmp_path):
    path = tmp_path / "reviews.tsv"
    sample_frame().to_csv(path, index=False, sep="\t")
    corpus = load_corpus(path, text="comment", id="review_id")
    assert corpus["id"].tolist() == ["007", "010", "123"]
    assert corpus["text"].tolist() == TEXTS


def test_text_with_commas_quotes_and_newlines_survives_csv(tmp_path):
    tricky = ['결제가 안 돼요, "오류" 떠요', "line one\nline two"]
    path = tmp_path / "tricky.csv"
    pd.DataFrame({"comment": tricky}).to_csv(path, index=False)
    assert load_corpus(path, text="comment")["text"].tolist() == tricky


def test_jsonl(tmp_path):
    path = tmp_path / "reviews.jsonl"
    with path.open("w", encoding="utf-8") as f:
        for rid, text, stars in zip(["007", "010", "123"], TEXTS, [1, 5, 2]):
            f.write(json.dumps({"review_id": rid, "comment": text, "stars": stars}, ensure_ascii=False) + "\n")
    corpus = load_corpus(path, text="comment", id="review_id", rating="stars")
    assert corpus["id"].tolist() == ["007", "010", "123"]
    assert corpus["text"].tolist() == TEXTS
    assert corpus["rating"].tolist() == [1.0, 5.0, 2.0]


def test_parquet(tmp_path):
    path = tmp_path / "reviews.parquet"
    sample_frame().to_parquet(path, index=False)
    corpus = load_corpus(path, text="comment", id="review_id", channel="channel")
    assert corpus["id"].tolist() == ["007", "010", "123"]
    assert corpus["text"].tolist() == TEXTS
    assert corpus["channel"].tolist() == ["ios", "web", "android"]


def test_excel(tmp_path):
    pytest.importorskip("openpyxl")
    path = tmp_path / "reviews.xlsx"
    sample_frame().to_excel(path, index=False)
    corpus = load_corpus(path, text="comment", id="review_id", rating="stars")
    assert corpus["id"].tolist() == ["007", "010", "123"]
    assert corpus["text"].tolist() == TEXTS
    assert corpus["rating"].tolist() == [1.0, 5.0, 2.0]


def test_read_table_returns_same_dataframe():
    df = sample_frame()
    assert read_table(df) is df


def test_extension_is_case_insensitive(tmp_path):
    path = tmp_path / "REVIEWS.CSV"
    sample_frame().to_csv(path, index=False)
    assert len(read_table(path)) == 3


# ----- errors ------------------------------------------------------------------------------------

def test_missing_text_column_lists_columns_and_fix():
    with pytest.raises(ColumnNotFoundError) as info:
        load_corpus(sample_frame(), text="coment")
    message = str(info.value)
    for col in ["review_id", "comment", "stars", "channel", "created"]:
        assert repr(col) in message
    assert "'coment'" in message
    assert "text=" in message  # says how to fix
    assert info.value.role == "text" and info.value.name == "coment"
    # usable as both FeedmineError and KeyError
    assert isinstance(info.value, FeedmineError) and isinstance(info.value, KeyError)


@pytest.mark.parametrize("role", ["id", "date", "rating", "channel", "segment", "customer"])
def test_missing_column_for_other_roles(role):
    with pytest.raises(ColumnNotFoundError) as info:
        load_corpus(sample_frame(), text="comment", **{role: "nope"})
    message = str(info.value)
    assert info.value.role == role
    assert f"{role}=" in message
    assert "'comment'" in message and "'nope'" in message


def test_missing_keep_column():
    with pytest.raises(ColumnNotFoundError, match="keep column 'nope'"):
        load_corpus(sample_frame(), text="comment", keep=["nope"])


def test_nonexistent_file(tmp_path):
    path = tmp_path / "nowhere.csv"
    with pytest.raises(FeedmineError, match="does not exist") as info:
        load_corpus(path, text="comment")
    assert "nowhere.csv" in str(info.value)


def test_unknown_extension(tmp_path):
    path = tmp_path / "reviews.docx"
    path.write_bytes(b"not a table")
    with pytest.raises(FeedmineError, match="unknown extension") as info:
        load_corpus(path, text="comment")
    message = str(info.value)
    assert "'.docx'" in message
    assert ".csv" in message and ".parquet" in message  # the supported ones are listed


def test_unparseable_file_is_feedmine_error(tmp_path):
    path = tmp_path / "broken.jsonl"
    path.write_text('{"comment": "ok"}\n{not json at all\n', encoding="utf-8")
    with pytest.raises(FeedmineError, match="could not parse 'broken.jsonl'"):
        load_corpus(path, text="comment")


def test_empty_csv_is_feedmine_error(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("", encoding="utf-8")
    with pytest.raises(FeedmineError):
        load_corpus(path)


def test_no_columns():
    with pytest.raises(FeedmineError, match="no columns"):
        load_corpus(pd.DataFrame())


def test_duplicate_ids_rejected():
    df = pd.DataFrame({"id": ["a", "b", "a"], "comment": ["x", "y", "z"]})
    with pytest.raises(FeedmineError, match="not unique") as info:
        load_corpus(df, text="comment", id="id")
    assert "'a'" in str(info.value)


def test_ids_that_collide_as_strings_rejected():
    # 1 and "1" are different Python values but the same id once written out
    df = pd.DataFrame({"id": [1, "1"], "comment": ["x", "y"]})
    with pytest.raises(FeedmineError, match="not unique"):
        load_corpus(df, text="comment", id="id")


def test_missing_ids_rejected(tmp_path):
    path = tmp_path / "ids.csv"
    path.write_text("id,comment\n1,x\n,y\n3,z\n", encoding="utf-8")
    with pytest.raises(FeedmineError, match="1 missing values"):
        load_corpus(path, text="comment", id="id")


def test_numeric_ids_become_strings():
    corpus = load_corpus(pd.DataFrame({"n": [3, 1, 2], "comment": ["a", "b", "c"]}), text="comment", id="n")
    assert corpus["id"].tolist() == ["3", "1", "2"]


def test_rating_all_non_numeric_raises():
    df = pd.DataFrame({"comment": ["a", "b"], "score": ["great", "bad"]})
    with pytest.raises(FeedmineError, match="no numeric values"):
        load_corpus(df, text="comment", rating="score")


def test_rating_non_numeric_with_blanks_raises():
    # blanks do not make a column of words numeric
    df = pd.DataFrame({"comment": ["a", "b", "c"], "score": ["great", None, "bad"]})
    with pytest.raises(FeedmineError, match="no numeric values"):
        load_corpus(df, text="comment", rating="score")


def test_rating_partly_non_numeric_warns_and_keeps_numbers(caplog):
    df = pd.DataFrame({"comment": ["a", "b", "c", "d"], "score": ["5", "n/a", " ", None]})
    with caplog.at_level(logging.WARNING, logger="feedmine.io"):
        corpus = load_corpus(df, text="comment", rating="score")
    assert corpus["rating"].iloc[0] == 5.0
    assert corpus["rating"].iloc[1:].isna().all()
    assert "1 non-numeric" in caplog.text  # only "n/a" counts; blank and None are just missing


def test_rating_all_missing_is_not_an_error():
    corpus = load_corpus(pd.DataFrame({"comment": ["a", "b"], "score": [np.nan, np.nan]}),
                         text="comment", rating="score")
    assert corpus["rating"].isna().all()


def test_date_parsing_bad_values_become_nat():
    df = pd.DataFrame({"comment": ["a", "b"], "when": ["2024-05-01", "not a date"]})
    corpus = load_corpus(df, text="comment", date="when")
    assert corpus["date"].iloc[0] == pd.Timestamp("2024-05-01")
    assert pd.isna(corpus["date"].iloc[1])


# ----- guessing and keeping columns ---------------------------------------------------------------

def test_text_column_guessed_when_omitted(caplog):
    df = pd.DataFrame({
        "code": ["A1", "B2", "C3"],
        "feedback": ["배송이 너무 느려서 불편했어요", "The app crashes whenever I open it", "결제 오류가 계속 나요"],
        "stars": [1, 2, 3],
    })
    with caplog.at_level(logging.INFO, logger="feedmine.io"):
        corpus = load_corpus(df)
    assert corpus["text"].tolist() == df["feedback"].tolist()
    assert "'feedback'" in caplog.text


def test_no_string_column_to_guess():
    with pytest.raises(FeedmineError, match="no text column found") as info:
        load_corpus(pd.DataFrame({"a": [1, 2], "b": [0.5, 0.1]}))
    assert "text=" in str(info.value)


def test_keep_columns_carried_through_in_order():
    df = sample_frame().assign(version=["1.0", "1.1", "2.0"])
    corpus = load_corpus(df, text="comment", id="review_id", keep=["version", "stars"])
    assert list(corpus.columns) == ["id", "text", "version", "stars"]
    assert corpus["version"].tolist() == ["1.0", "1.1", "2.0"]
    assert corpus["stars"].tolist() == [1, 5, 2]


def test_roles_appear_in_documented_order():
    df = sample_frame().assign(seg=["a", "b", "c"], cust=["u1", "u2", "u1"])
    corpus = load_corpus(df, text="comment", id="review_id", date="created", rating="stars",
                         channel="channel", segment="seg", customer="cust")
    assert list(corpus.columns) == ["id", "text", "date", "rating", "channel", "segment", "customer"]
    assert corpus["customer"].tolist() == ["u1", "u2", "u1"]


def test_non_string_column_names_are_matched_as_strings():
    df = pd.DataFrame({0: ["a", "b"], 1: ["hello there", "배송 느림"]})
    corpus = load_corpus(df, text="1")
    assert corpus["text"].tolist() == ["hello there", "배송 느림"]


def test_nothing_dropped_odd_rows_kept():
    values = ["ok", None, "", 42, "   "]
    corpus = load_corpus(pd.DataFrame({"comment": values}), text="comment")
    assert len(corpus) == 5
    assert corpus["text"].iloc[3] == 42 and corpus["text"].iloc[2] == ""


def test_raw_text_cells_kept_as_given():
    # a missing cell stays None (not NaN) even when every other cell is a string
    corpus = load_corpus(pd.DataFrame({"comment": ["good", None, "bad"]}, dtype=object), text="comment")
    assert corpus["text"].iloc[1] is None
    assert corpus["text"].dtype == object


def test_excel_native_types(tmp_path):
    pytest.importorskip("openpyxl")
    path = tmp_path / "typed.xlsx"
    pd.DataFrame({"n": [1, 2], "comment": ["a", "b"], "score": [4.5, 3],
                  "when": pd.to_datetime(["2024-01-01", "2024-06-30"])}).to_excel(path, index=False)
    corpus = load_corpus(path, text="comment", id="n", rating="score", date="when")
    assert corpus["id"].tolist() == ["1", "2"]
    assert corpus["rating"].tolist() == [4.5, 3.0]
    assert corpus["date"].tolist() == [pd.Timestamp("2024-01-01"), pd.Timestamp("2024-06-30")]


# ----- encodings: Korean CSVs saved by Excel are CP949 -------------------------------------------------
KOREAN_ROWS = pd.DataFrame({"id": ["a1", "a2"], "text": ["앱이 자꾸 꺼져요ㅠㅠ", "결제 오류 · 환불 요청"]})


def test_cp949_csv_is_read_with_a_warning(tmp_path, caplog):
    path = tmp_path / "voc.csv"
    KOREAN_ROWS.to_csv(path, index=False, encoding="cp949")
    with pytest.raises(UnicodeDecodeError):  # the premise: this file is not UTF-8
        path.read_bytes().decode("utf-8")
    with caplog.at_level("WARNING", logger="feedmine.io"):
        corpus = load_corpus(path, text="text", id="id")
    assert corpus["text"].tolist() == KOREAN_ROWS["text"].tolist()
    assert "cp949" in caplog.text and "voc.csv" in caplog.text


def test_utf8_with_a_bom_is_read_without_a_warning(tmp_path, caplog):
    path = tmp_path / "voc.csv"
    KOREAN_ROWS.to_csv(path, index=False, encoding="utf-8-sig")
    with caplog.at_level("WARNING", logger="feedmine.io"):
        assert load_corpus(path, text="text")["text"].tolist() == KOREAN_ROWS["text"].tolist()
    assert caplog.text == ""


def test_named_encoding_is_used_and_bad_ones_say_the_fix(tmp_path):
    path = tmp_path / "voc.tsv"
    KOREAN_ROWS.to_csv(path, index=False, sep="\t", encoding="euc-kr")
    assert load_corpus(path, text="text", encoding="euc-kr")["text"].iloc[0] == "앱이 자꾸 꺼져요ㅠㅠ"
    with pytest.raises(FeedmineError, match="unknown encoding 'klingon'"):
        load_corpus(path, text="text", encoding="klingon")
    with pytest.raises(FeedmineError, match=r"could not decode 'voc.tsv' as utf-8.*Save the file as UTF-8"):
        load_corpus(path, text="text", encoding="utf-8")
    utf16 = tmp_path / "utf16.csv"
    KOREAN_ROWS.to_csv(utf16, index=False, encoding="utf-16")  # neither UTF-8 nor CP949
    with pytest.raises(FeedmineError, match="as utf-8-sig then cp949.*--encoding"):
        load_corpus(utf16, text="text")
    assert load_corpus(utf16, text="text", encoding="utf-16")["text"].tolist() == KOREAN_ROWS["text"].tolist()


# ----- reading only the columns used, in chunks --------------------------------------------------
@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".jsonl", ".parquet"])
def test_named_columns_are_read_in_chunks_equal_to_a_whole_read(tmp_path, monkeypatch, suffix):
    from feedmine.io import chunked

    frame = pd.DataFrame({"ticket": [f"00{i}" for i in range(11)], "body": [f"앱이 {i}번 꺼져요" for i in range(11)],
                          "stars": [str(1 + i % 5) for i in range(11)], "notes": ["internal"] * 11})
    path = tmp_path / f"t{suffix}"
    if suffix == ".parquet":
        frame.to_parquet(path, index=False)
    elif suffix == ".jsonl":
        frame.to_json(path, orient="records", lines=True, force_ascii=False)
    else:
        frame.to_csv(path, index=False, sep="\t" if suffix == ".tsv" else ",")
    whole = load_corpus(pd.read_parquet(path) if suffix == ".parquet" else frame, text="body", id="ticket",
                        rating="stars")
    monkeypatch.setattr(chunked, "READ_CHUNK_ROWS", 3)
    read = chunked.read_columns(path, suffix[1:], ["ticket", "body", "stars"], ("utf-8",))
    assert read.columns.tolist() == ["ticket", "body", "stars"] and len(read) == 11
    assert read.attrs["columns_in_file"] == ["ticket", "body", "stars", "notes"]
    corpus = load_corpus(path, text="body", id="ticket", rating="stars")
    assert corpus["id"].tolist() == whole["id"].tolist() == [f"00{i}" for i in range(11)]
    assert corpus["text"].tolist() == whole["text"].tolist()
    assert corpus["rating"].tolist() == whole["rating"].tolist()
    assert "notes" not in corpus


def test_a_wrong_column_in_a_chunked_read_lists_every_column_of_the_file(tmp_path):
    path = tmp_path / "t.csv"
    pd.DataFrame({"ticket": ["1"], "body": ["hi"], "notes": ["x"]}).to_csv(path, index=False)
    with pytest.raises(ColumnNotFoundError) as err:
        load_corpus(path, text="comment", id="ticket")
    assert "ticket" in str(err.value) and "notes" in str(err.value) and "body" in str(err.value)


def test_chunked_csv_falls_back_to_cp949(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes("id,본문,메모\n1,배송이 느려요,x\n".encode("cp949"))
    corpus = load_corpus(path, text="본문", id="id")
    assert corpus["text"].tolist() == ["배송이 느려요"]
