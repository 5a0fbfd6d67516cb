"""Spreadsheet exports: formulas neutralised, Korean intact, exact data elsewhere."""
import json

import numpy as np
import pandas as pd
import pytest

import feedmine
from feedmine.embed import TfidfEmbedder
from feedmine.errors import FeedmineError
from feedmine.io.exports import CUT_MARK, EXCEL_CELL_CHARS, neutralise, spreadsheet_safe, write_csv, write_excel
from feedmine.themes.cluster import ThemeClusterer

HOSTILE = ["=HYPERLINK(\"http://evil.example\",\"click\")", "+1+2", "-2+3", "@SUM(A1:A2)", "\t=1", "\r=1",
           "\uff1d1+1"]
CRASH = ["앱이 자꾸 꺼져요", "앱이 계속 꺼집니다", "앱 실행하면 꺼져요", "app crashes on start", "the app keeps crashing",
         "app crash after update", "업데이트 후 앱이 꺼져요", "앱이 튕겨요", "app crashes every time", "앱이 자꾸 튕겨요"]
REFUND = ["환불해 주세요", "환불 언제 되나요", "환불 요청합니다", "refund please", "I want a refund", "환불이 안 돼요",
          "환불 처리가 늦어요", "still waiting for my refund", "환불 받고 싶어요", "refund not received"]


@pytest.mark.parametrize("cell", HOSTILE)
def test_cells_that_would_run_are_quoted(cell):
    assert neutralise(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["fine", "배송 느려요", "1+1=2", "a=b", "", None, 3, -1.5])
def test_other_cells_are_left_alone(cell):
    assert neutralise(cell) == cell


def test_spreadsheet_safe_keeps_numbers_and_flattens_lists():
    df = pd.DataFrame({"text": ["=1", "ok"], "n": [-1, 2], "keywords": [["a", "=b"], []], "=col": [1, 2]})
    out = spreadsheet_safe(df)
    assert out["text"].tolist() == ["'=1", "ok"]
    assert out["n"].tolist() == [-1, 2] and out["n"].dtype == df["n"].dtype
    assert out["keywords"].tolist() == ["a | =b", ""]
    assert "'=col" in out.columns
    assert df["text"].tolist() == ["=1", "ok"]  # the input is not changed


def test_csv_rows_survive_line_breaks_inside_cells(tmp_path):
    cells = ["a\rb", "c\nd", "e\r\nf", "plain"]
    path = write_csv(pd.DataFrame({"text": cells, "n": range(4)}), tmp_path / "t.csv")
    back = pd.read_csv(path, encoding="utf-8-sig", dtype=str)
    assert back["text"].tolist() == cells and back["n"].tolist() == ["0", "1", "2", "3"]


def test_csv_has_a_bom_and_reads_back_korean(tmp_path):
    path = write_csv(pd.DataFrame({"text": ["배송이 느려요", "=cmd|' /C calc'!A0"]}), tmp_path / "t.csv")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(path, encoding="utf-8-sig")
    assert back["text"].tolist() == ["배송이 느려요", "'=cmd|' /C calc'!A0"]


@pytest.fixture(scope="module")
def result():
    # "&#61;1+1" becomes "=1+1" in text_clean (cleaning decodes HTML references): neutralised like the rest
    texts = CRASH + REFUND + HOSTILE + ["배송이 너무 느려요\x00\x07", "x" * (EXCEL_CELL_CHARS + 10), "&#61;1+1 &#43;2"]
    df = pd.DataFrame({"id": [f"=id{i}" if i % 5 == 0 else f"r{i}" for i in range(len(texts))], "text": texts,
                       "channel": ["@web", "+app"] * (len(texts) // 2) + ["web"] * (len(texts) % 2)})
    pipe = feedmine.Pipeline(embedder=TfidfEmbedder(n_components=8), clusterer=ThemeClusterer(reducer=None),
                             progress=False, random_state=0)
    return pipe.run(df, text="text", id="id", channel="channel")


def test_saved_csvs_hold_no_live_formula(result, tmp_path):
    folder = result.save(tmp_path / "run")
    for name in ("documents.csv", "themes.csv"):
        table = pd.read_csv(folder / name, encoding="utf-8-sig", dtype=str, keep_default_na=False)
        cells = table.to_numpy().ravel().tolist() + list(table.columns)
        live = [c for c in cells if isinstance(c, str) and c.startswith(("=", "+", "-", "@", "\t", "\r"))]
        # a negative number is data, not a formula
        assert all(_is_number(c) for c in live), [c for c in live if not _is_number(c)][:5]
    # the loadable files keep the exact text
    back = feedmine.load_result(folder)
    assert back.documents["id"].tolist() == result.documents["id"].tolist()
    assert back.documents["text"].tolist() == result.documents["text"].tolist()
    assert "+1+2" in set(back.documents["text"])


def _is_number(cell: str) -> bool:
    try:
        float(cell)
        return True
    except ValueError:
        return False


def test_excel_has_every_table_safe_and_korean(result, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    path = result.to_excel(tmp_path / "out.xlsx")
    book = openpyxl.load_workbook(path)
    assert {"pain_points", "themes", "documents"} <= set(book.sheetnames)
    docs = book["documents"]
    header = [c.value for c in docs[1]]
    rows = [[c.value for c in r] for r in docs.iter_rows(min_row=2)]
    assert len(rows) == len(result.documents)
    text = [r[header.index("text")] for r in rows]
    assert "'+1+2" in text and "'@SUM(A1:A2)" in text and "앱이 자꾸 꺼져요" in text
    assert "배송이 너무 느려요" in text  # control characters dropped, the text kept
    longest = max((t for t in text if isinstance(t, str)), key=len)
    assert len(longest) <= EXCEL_CELL_CHARS and longest.endswith(CUT_MARK)
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)


def test_excel_refuses_a_table_larger_than_a_sheet(tmp_path, monkeypatch):
    pytest.importorskip("openpyxl")
    import feedmine.io.exports as exports

    monkeypatch.setattr(exports, "EXCEL_ROWS", 3)
    with pytest.raises(FeedmineError, match="an Excel sheet holds 2"):
        write_excel({"documents": pd.DataFrame({"a": range(5)})}, tmp_path / "x.xlsx")
    assert not list(tmp_path.iterdir())  # nothing half written


def test_json_export_is_exact_and_plain(result, tmp_path):
    path = tmp_path / "r.json"
    text = result.to_json(path)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert json.loads(text) == data
    assert [d["id"] for d in data["documents"]] == result.documents["id"].tolist()
    assert [d["text"] for d in data["documents"]] == result.documents["text"].tolist()  # exact, not neutralised
    assert "+1+2" in [d["text"] for d in data["documents"]]
    assert len(data["themes"]) == len(result.themes)
    assert "NaN" not in text and "Infinity" not in text
    assert isinstance(data["themes"][0]["keywords"], list)
    assert np.isclose(sum(t["size"] for t in data["themes"]), result.themes["size"].sum())


def test_cli_writes_and_names_the_exports(tmp_path, capsys):
    pytest.importorskip("openpyxl")
    from feedmine.cli import main

    src = tmp_path / "in.csv"
    pd.DataFrame({"id": range(20), "text": CRASH + REFUND}).to_csv(src, index=False)
    out = tmp_path / "run"
    assert main(["analyze", str(src), "--text", "text", "--id", "id", "--embedder", "tfidf", "--out", str(out),
                 "--excel", "--json", "--no-progress"]) == 0
    wrote = capsys.readouterr().out.rsplit("wrote ", 1)[1]
    for name in ("feedmine.xlsx", "result.json", "report.html", "themes.csv", "documents.csv"):
        assert (out / name).is_file() and name in wrote
    named = {p.strip() for p in wrote.strip().split(", ")}
    assert named == {str(p) for p in out.iterdir() if p.name != "manifest.json"}
    assert feedmine.load_result(out).documents["id"].tolist() == [str(i) for i in range(20)]
