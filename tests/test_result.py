"""Tests for feedmine.result.Result: views, summary, save/load, on a small real pipeline run.

The run uses TfidfEmbedder and ThemeClusterer(reducer=None): a few seconds, no neural model.
"""
import json

import numpy as np
import pandas as pd
import pytest

import feedmine
from feedmine.themes.cluster import ThemeClusterer
from feedmine.embed import TfidfEmbedder
from feedmine.errors import FeedmineError
from feedmine.result.result import LIST_COLUMNS, LIST_SEPARATOR, Result, load_result

DELIVERY = ["배송이 너무 느려요", "배송이 늦게 와요", "배송 지연이 심해요", "배송이 일주일 걸렸어요", "배송 너무 느림",
            "delivery was very slow", "slow delivery again", "delivery took two weeks", "배송 언제 와요",
            "배송이 느려서 불편해요"]
CRASH = ["앱이 자꾸 꺼져요", "앱이 계속 꺼집니다", "앱 실행하면 꺼져요", "app crashes on start", "the app keeps crashing",
         "app crash after update", "업데이트 후 앱이 꺼져요", "앱이 튕겨요", "app crashes every time", "앱이 자꾸 튕겨요"]
REFUND = ["환불해 주세요", "환불 언제 되나요", "환불 요청합니다", "refund please", "I want a refund", "환불이 안 돼요",
          "환불 처리가 늦어요", "still waiting for my refund", "환불 받고 싶어요", "refund not received"]
LOGIN = ["로그인이 안 돼요", "로그인 오류가 나요", "login fails", "cannot log in", "로그인 계속 실패",
         "비밀번호 맞는데 로그인 안 됨", "login error again", "로그인 화면에서 멈춰요"]
OTHER = ["최고예요", "정말 좋아요", "great app", "love it", "너무 편해요", "awesome service",
         "상담원이 불친절해요", "customer service was rude", "결제 오류", "payment failed", "ok"]
SCRIPT = "<script>alert('x')</script> 배송 느려요"
ODD = [None, "", "   ", 42, "!!!", SCRIPT, "ㅋㅋㅋㅋㅋ",
       "배송이 너무 느려요", "app crashes on start", "환불해 주세요"]  # the last three repeat earlier items
TEXTS = DELIVERY + CRASH + REFUND + LOGIN + OTHER + ODD
SKIPPED = {None: "missing", "": "empty", "   ": "empty", 42: "non_text", "!!!": "no_letters"}


@pytest.fixture(scope="module")
def result() -> Result:
    df = pd.DataFrame({"text": pd.Series(TEXTS, dtype=object)})
    pipe = feedmine.Pipeline(embedder=TfidfEmbedder(n_components=8), clusterer=ThemeClusterer(reducer=None),
                             progress=False, random_state=0)
    return pipe.run(df, text="text")


@pytest.fixture(scope="module")
def saved(result, tmp_path_factory):
    out = tmp_path_factory.mktemp("saved")
    result.save(out)
    return out


def position(text):
    return TEXTS.index(text)


# ----- the documents contract ---------------------------------------------------------------------

def test_one_document_per_input_in_order(result):
    docs = result.documents
    assert len(docs) == len(TEXTS)
    assert docs["id"].tolist() == [f"row-{i}" for i in range(len(TEXTS))]
    for i, value in enumerate(TEXTS):
        got = docs["text"].iloc[i]
        assert got == value or (value is None and got is None)


def test_skipped_items(result):
    docs = result.documents
    for value, reason in SKIPPED.items():
        i = next(k for k, t in enumerate(TEXTS) if t is value or (t == value and type(t) is type(value)))
        assert docs["skip_reason"].iloc[i] == reason
        assert pd.isna(docs["theme_id"].iloc[i])
        assert docs["lang"].iloc[i] == "none"
    analysed = docs["skip_reason"].isna()
    assert int(analysed.sum()) == len(TEXTS) - len(SKIPPED)
    assert docs.loc[analysed, "theme_id"].notna().all()


def test_duplicates_share_their_originals_theme(result):
    docs = result.documents
    for text in ["배송이 너무 느려요", "app crashes on start", "환불해 주세요"]:
        first = position(text)
        last = len(TEXTS) - 1 - TEXTS[::-1].index(text)
        assert first != last
        assert docs["duplicate_of"].iloc[last] == f"row-{first}"
        assert docs["theme_id"].iloc[last] == docs["theme_id"].iloc[first]


def test_themes_table_consistent_with_documents(result):
    themes, docs = result.themes, result.documents
    analysed = docs[docs["theme_id"].notna()]
    sizes = analysed["theme_id"].astype(int).value_counts()
    for row in themes.itertuples():
        assert row.size == sizes.get(row.theme_id, 0)
    assert themes["share"].sum() == pytest.approx(1.0)
    assert result.meta["n_items"] == len(TEXTS)
    assert result.meta["n_skipped"] == len(SKIPPED)


# ----- views --------------------------------------------------------------------------------------

def test_pain_points_sorted_by_rank_without_unassigned(result):
    pain = result.pain_points
    assert len(pain) >= 2
    assert (pain["theme_id"] >= 0).all()
    assert pain["rank"].tolist() == list(range(1, len(pain) + 1))
    assert pain["priority"].is_monotonic_decreasing
    assert pain.index.tolist() == list(range(len(pain)))
    assert len(pain) == (result.themes["theme_id"] >= 0).sum()


def test_theme_returns_its_documents(result):
    for theme_id in result.themes["theme_id"]:
        docs = result.theme(int(theme_id))
        assert (docs["theme_id"] == theme_id).all()
        assert len(docs) == int(result.themes.set_index("theme_id").loc[theme_id, "size"])


def test_theme_unknown_id(result):
    with pytest.raises(FeedmineError, match="no theme 999") as info:
        result.theme(999)
    for theme_id in result.themes["theme_id"]:
        assert str(theme_id) in str(info.value)


def test_unassigned_share(result):
    docs = result.documents
    analysed = docs[docs["theme_id"].notna()]
    assert result.unassigned_share == pytest.approx(float((analysed["theme_id"] == -1).mean()))


def test_summary_text(result):
    text = result.summary()
    head, *rows = text.splitlines()
    n, skipped = len(TEXTS), len(SKIPPED)
    k = len(result.pain_points)
    assert head.startswith(f"{n} items: {n - skipped} analysed, {skipped} skipped; {k} themes; ")
    assert f"{result.unassigned_share:.1%} of analysed items unassigned" in head
    assert rows[0].split()[:2] == ["rank", "theme_id"]
    assert len(rows) == 1 + k
    assert result.pain_points["label"].iloc[0] in rows[1]
    assert len(result.summary(top=1).splitlines()) == 3


def test_repr(result):
    text = repr(result)
    assert f"{len(TEXTS)} documents" in text and f"{len(result.pain_points)} themes" in text


# ----- save / load --------------------------------------------------------------------------------

def test_save_writes_expected_files(saved):
    for name in ["documents.parquet", "themes.parquet", "documents.csv", "themes.csv", "config.json", "meta.json"]:
        assert (saved / name).is_file(), name


def test_round_trip_documents_equal(result, saved):
    loaded = load_result(saved)
    expected = result.documents.copy()
    # the one documented change: a non-string raw cell is saved as its repr
    expected["text"] = pd.Series([repr(v) if v is not None and not isinstance(v, str) else v
                                  for v in expected["text"]], dtype=object)
    pd.testing.assert_frame_equal(loaded.documents, expected)
    assert loaded.documents["text"].iloc[position(42)] == "42"
    # None stays None, not NaN or the string "None"
    i = next(k for k, t in enumerate(TEXTS) if t is None)
    assert loaded.documents["text"].iloc[i] is None
    assert loaded.documents["skip_reason"].iloc[0] is None
    assert loaded.documents["duplicate_of"].iloc[0] is None


def test_round_trip_themes_equal_with_lists(result, saved):
    loaded = load_result(saved)
    pd.testing.assert_frame_equal(loaded.themes, result.themes)
    for col in LIST_COLUMNS:
        if col in loaded.themes:
            assert all(isinstance(v, list) for v in loaded.themes[col]), col
    assert loaded.themes["keywords"].tolist() == result.themes["keywords"].tolist()


def test_round_trip_config_and_meta(result, saved):
    loaded = load_result(saved)
    assert loaded.config == json.loads(json.dumps(result.config, default=str))
    assert loaded.meta["format_version"] == 2  # 2: with a verified manifest
    assert {k: v for k, v in loaded.meta.items() if k != "format_version"} == \
        json.loads(json.dumps(result.meta, default=str))
    assert loaded.summary() == result.summary()


def test_themes_csv_joins_lists(result, saved):
    csv = pd.read_csv(saved / "themes.csv")
    first = result.themes["keywords"].iloc[0]
    assert csv["keywords"].iloc[0] == LIST_SEPARATOR.join(first) or (not first and pd.isna(csv["keywords"].iloc[0]))
    docs_csv = pd.read_csv(saved / "documents.csv")
    assert len(docs_csv) == len(TEXTS)


def test_missing_text_cell_is_not_saved_as_nan_string(tmp_path):
    docs = pd.DataFrame({"id": ["a", "b"], "text": pd.Series([float("nan"), "ok"], dtype=object)})
    Result(documents=docs, themes=pd.DataFrame({"theme_id": [0]})).save(tmp_path)
    assert load_result(tmp_path).documents["text"].tolist() == [None, "ok"]


def test_load_folder_that_is_not_a_result(tmp_path):
    with pytest.raises(FeedmineError, match="not a saved feedmine result") as info:
        load_result(tmp_path)
    for name in ["documents.parquet", "themes.parquet", "config.json", "meta.json"]:
        assert name in str(info.value)


def test_load_names_only_the_missing_files(saved, tmp_path):
    for name in ["documents.parquet", "themes.parquet", "config.json"]:
        (tmp_path / name).write_bytes((saved / name).read_bytes())
    with pytest.raises(FeedmineError, match="missing meta.json") as info:
        load_result(tmp_path)
    assert "documents.parquet" not in str(info.value).split("missing")[1]


def test_load_newer_format_refused(saved, tmp_path):
    for name in ["documents.parquet", "themes.parquet", "config.json"]:
        (tmp_path / name).write_bytes((saved / name).read_bytes())
    (tmp_path / "meta.json").write_text(json.dumps({"format_version": 99}), encoding="utf-8")
    with pytest.raises(FeedmineError, match="newer feedmine"):
        load_result(tmp_path)


# ----- HTML (skipped while feedmine.report does not exist) ----------------------------------------

def _html_or_skip(call):
    try:
        return call()
    except ModuleNotFoundError as exc:
        if "feedmine.report" in str(exc) or "report" in (exc.name or ""):
            pytest.skip(f"feedmine.report not available yet: {exc}")
        raise


def test_to_html_escapes_feedback_and_writes_file(result, tmp_path):
    path = tmp_path / "report.html"
    html = _html_or_skip(lambda: result.to_html(path))
    assert path.read_text(encoding="utf-8") == html
    assert "<script>alert" not in html
    assert "&lt;script&gt;" in html or SCRIPT not in html
    assert result.pain_points["label"].iloc[0].split(" · ")[0] in html


def test_repr_html(result):
    html = _html_or_skip(result._repr_html_)
    assert isinstance(html, str) and html.strip()
    assert "<script>alert" not in html


def test_result_views_for_trends_emerging_and_segments():
    # 40 items: theme 0 spread over two channels; theme 1 only on android and only in the last week
    dates = pd.to_datetime(["2024-01-01"] * 10 + ["2024-01-20"] * 10 + ["2024-02-01"] * 10 + ["2024-02-03"] * 10)
    theme = [0] * 10 + [0] * 10 + [0] * 5 + [1] * 5 + [0] * 5 + [1] * 5
    channel = ["ios", "android"] * 10 + ["ios", "android", "ios", "android", "ios"] + ["android"] * 5 + \
        ["ios", "android", "ios", "android", "ios"] + ["android"] * 5
    docs = pd.DataFrame({"id": [f"d{i}" for i in range(40)], "theme_id": pd.array(theme, dtype="Int64"),
                         "date": dates, "channel": channel})
    themes = pd.DataFrame({"theme_id": [0, 1], "label": ["login", "payment"]})
    res = Result(documents=docs, themes=themes)
    assert res.memberships()["theme_id"].value_counts().to_dict() == {0: 30, 1: 10}
    trends = res.trends(freq="W")
    assert trends.groupby("theme_id")["n_items"].sum().to_dict() == {0: 30, 1: 10}
    em = res.emerging(recent="7D", baseline="28D", min_items=3).set_index("theme_id")
    assert bool(em.loc[1, "is_emerging"]) and not bool(em.loc[0, "is_emerging"])
    assert em.loc[1, "label"] == "payment"
    seg = res.segment_table("channel", min_count=3).set_index(["theme_id", "value"])
    assert seg.loc[(1, "android"), "share_in_theme"] == 1.0
    assert seg.loc[(1, "android"), "lift"] > 1.5


def test_problem_statements_name_the_over_represented_segment_and_the_numbers():
    n = 60
    theme = [0] * 40 + [1] * 20
    channel = ["ios", "android"] * 20 + ["android"] * 20  # theme 1 only on android
    docs = pd.DataFrame({"id": [f"d{i}" for i in range(n)], "theme_id": pd.array(theme, dtype="Int64"),
                         "channel": channel})
    themes = pd.DataFrame({"theme_id": [0, 1], "label": ["praise", "payment · error"], "rank": [2, 1],
                           "share": [40 / 60, 20 / 60], "size": [40, 20], "quotes": [["love it"], ["payment fails"]],
                           "impact_method": "rating_loo", "impact_rating_theme": [4.5, 1.5],
                           "impact_rating_rest": [1.5, 4.5], "impact_rating_drop": [0.0, 1.0],
                           "severity_high": [0.0, 0.5], "severity_critical": [0.0, 0.25]})
    table = Result(documents=docs, themes=themes).problem_statements(top=1)
    row = table.iloc[0]
    assert row["theme_id"] == 1 and "channel=android" in row["who"]
    assert "rated 3.00 points lower than the rest" in row["why"] and "75% high or critical" in row["why"]
    assert row["kpi"] == "bring its share below 33% and close the 3.00-point gap"
    assert row["text"].startswith('payment · error (33% of feedback, 20 items): "payment fails".')


def test_a_user_function_can_name_and_summarise_themes():
    docs = pd.DataFrame({"id": ["a", "b", "c"], "theme_id": pd.array([0, 1, -1], dtype="Int64"),
                         "theme_label": ["pay · error", "dark · mode", "unassigned"]})
    themes = pd.DataFrame({"theme_id": [0, 1, -1], "label": ["pay · error", "dark · mode", "unassigned"],
                           "keywords": [["pay", "error"], ["dark", "mode"], []], "quotes": [["x"], ["y"], []],
                           "summary": ["", "", ""], "size": [1, 1, 1]})
    res = Result(documents=docs, themes=themes)
    seen = []

    def namer(theme):
        seen.append(theme["theme_id"])
        if theme["theme_id"] == 0:
            return {"label": "Payments fail", "summary": "People cannot pay."}
        return f"Wants {theme['keywords'][0]} {theme['keywords'][1]}"

    named = res.name_themes(namer)
    assert seen == [0, 1]  # never asked to name the unassigned items
    t = named.themes.set_index("theme_id")
    assert t.loc[0, "label"] == "Payments fail" and t.loc[0, "summary"] == "People cannot pay."
    assert t.loc[1, "label"] == "Wants dark mode" and t.loc[1, "label_auto"] == "dark · mode"
    assert named.documents.set_index("id").loc["a", "theme_label"] == "Payments fail"
    assert res.themes.set_index("theme_id").loc[0, "label"] == "pay · error"  # the original is untouched
    with pytest.raises(FeedmineError, match="unknown field"):
        res.name_themes(lambda t: {"title": "x"})


def test_thread_summaries_from_a_result():
    docs = pd.DataFrame({"id": ["a", "b", "c", "d"], "theme_id": pd.array([0, 0, 1, 0], dtype="Int64"),
                         "text_clean": ["The export to PDF fails every time on my laptop.", "저도요",
                                        "Unrelated thread about pricing plans and discounts.",
                                        "Export to PDF breaks after the update, it fails."],
                         "thread_id": ["t1", "t1", "t2", "t1"]})
    res = Result(documents=docs, themes=pd.DataFrame({"theme_id": [0, 1], "label": ["export", "pricing"]}))
    table = res.thread_summaries(n_sentences=1).set_index("thread_id")
    assert table.loc["t1", "n_items"] == 3 and "PDF" in table.loc["t1", "summary"]
    assert "저도요" not in table.loc["t1", "summary"]
    with pytest.raises(FeedmineError, match="no thread column"):
        Result(documents=docs.drop(columns="thread_id"), themes=res.themes).thread_summaries()
