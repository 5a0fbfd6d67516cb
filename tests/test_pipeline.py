"""End-to-end: the real default pipeline on a small slice of the bundled real sample."""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import feedmine as fm
from feedmine.cli import main as cli_main
from feedmine.embed import TfidfEmbedder

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "samples" / "reviews_mixed.csv"


@pytest.fixture(scope="module")
def messy_sample() -> pd.DataFrame:
    """160 real reviews plus rows of every awkward kind a real export contains."""
    real = pd.read_csv(SAMPLE, dtype={"review_id": str}).head(160)
    awkward = pd.DataFrame({
        "review_id": ["x-none", "x-empty", "x-space", "x-int", "x-dup1", "x-dup2", "x-punct", "x-html"],
        "text": [None, "", "   ", 42, real["text"].iloc[0], real["text"].iloc[0], "!!!???", "<script>alert(1)</script> 앱 최악"],
        "stars": [None, 3, 3, 1, 5, 5, 2, 1], "channel": ["web"] * 8, "date": [None] * 8,
    })
    return pd.concat([real, awkward], ignore_index=True).sample(frac=1, random_state=3).reset_index(drop=True)


@pytest.fixture(scope="module")
def result(messy_sample, tmp_path_factory) -> fm.Result:
    cache = tmp_path_factory.mktemp("cache")
    return fm.analyze(messy_sample, text="text", id="review_id", rating="stars", channel="channel",
                      date="date", cache_dir=cache, random_state=0, progress=False)


@pytest.mark.slow
def test_every_row_comes_back_once_in_order(result, messy_sample):
    docs = result.documents
    assert docs["id"].tolist() == messy_sample["review_id"].tolist()
    reasons = docs.set_index("id")["skip_reason"]
    assert reasons["x-none"] == "missing" and reasons["x-empty"] == "empty" and reasons["x-space"] == "empty"
    assert reasons["x-int"] == "non_text" and reasons["x-punct"] == "no_letters"
    skipped = docs["skip_reason"].notna()
    assert docs.loc[skipped, "theme_id"].isna().all()
    assert docs.loc[~skipped, "theme_id"].notna().all()


@pytest.mark.slow
def test_duplicates_are_kept_flagged_and_share_a_theme(result, messy_sample):
    docs = result.documents
    copies = docs[docs["text"] == messy_sample.set_index("review_id").loc["x-dup1", "text"]]
    assert len(copies) == 3  # the real row and two pasted copies, all kept
    first = copies["id"].iloc[0]  # input order decides which one is the original
    assert copies["duplicate_of"].iloc[0] is None
    assert (copies["duplicate_of"].iloc[1:] == first).all()
    assert copies["theme_id"].nunique() == 1


@pytest.mark.slow
def test_themes_table_has_the_promised_columns(result):
    needed = {"theme_id", "label", "keywords", "size", "share", "mean_sentiment", "severity_low",
              "severity_medium", "severity_high", "severity_critical", "frequency", "impact", "impact_method",
              "solvability", "priority", "rank", "quotes", "explanation"}
    assert needed <= set(result.themes.columns)
    real = result.pain_points
    assert len(real) >= 2
    assert real["priority"].is_monotonic_decreasing
    assert (real["impact_method"] == "rating_loo").all()
    assert all(len(q) >= 1 for q in real["quotes"])
    analysed = result.documents["theme_id"].notna().sum()
    assert result.themes["size"].sum() == analysed
    assert math.isclose(result.themes["share"].sum(), 1.0)


@pytest.mark.slow
def test_same_input_and_seed_give_identical_themes(result, messy_sample, tmp_path):
    again = fm.analyze(messy_sample, text="text", id="review_id", rating="stars", channel="channel",
                       date="date", cache_dir=tmp_path, random_state=0, progress=False)
    pd.testing.assert_series_equal(result.documents["theme_id"], again.documents["theme_id"])
    assert result.themes["label"].tolist() == again.themes["label"].tolist()


@pytest.mark.slow
def test_report_escapes_feedback(result):
    html = result.to_html()
    assert "<script>alert(1)</script>" not in html


def test_wrong_column_lists_existing_columns(messy_sample):
    with pytest.raises(fm.ColumnNotFoundError) as err:
        fm.analyze(messy_sample, text="comment", progress=False)
    message = str(err.value)
    assert "'comment'" in message and "'review_id'" in message and "'text'" in message


def test_pipeline_stages_are_swappable():
    from sklearn.cluster import KMeans
    from sklearn.decomposition import PCA

    texts = pd.read_csv(SAMPLE)["text"].head(80)
    pipe = fm.Pipeline(embedder=TfidfEmbedder(n_components=16),
                       clusterer=fm.ThemeClusterer(reducer=PCA(n_components=4), clusterer=KMeans(n_clusters=4, n_init=3)),
                       random_state=0, progress=False)
    res = pipe.run(pd.DataFrame({"text": texts}), text="text")
    themes = res.documents["theme_id"].dropna()
    assert themes[themes >= 0].nunique() == 4  # KMeans's four clusters are the themes
    assert isinstance(pipe.stages_["clusterer"].embedding_, np.ndarray)
    assert pipe.get_params()["random_state"] == 0


def test_cli_writes_outputs_and_fails_cleanly(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("FEEDMINE_CACHE_DIR", str(tmp_path / "cache"))
    small = tmp_path / "small.csv"
    pd.read_csv(SAMPLE).head(60).to_csv(small, index=False)
    out = tmp_path / "run"
    code = cli_main(["analyze", str(small), "--text", "text", "--id", "review_id", "--rating", "stars",
                     "--embedder", "tfidf", "--out", str(out), "--no-progress"])
    assert code == 0
    for name in ("themes.csv", "documents.csv", "report.html"):
        assert (out / name).stat().st_size > 0
    assert len(pd.read_csv(out / "documents.csv")) == 60
    printed = capsys.readouterr().out
    assert "themes" in printed and "report.html" in printed
    code = cli_main(["analyze", str(small), "--text", "nope", "--out", str(out), "--no-progress"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1 and "'review_id'" in err
    code = cli_main(["analyze", str(tmp_path / "missing.csv"), "--out", str(out), "--no-progress"])
    assert code == 2 and "does not exist" in capsys.readouterr().err


@pytest.mark.slow
def test_cli_maps_journey_stages_by_your_own_examples(tmp_path, monkeypatch):
    """Real e5 (the pipeline's default embedder): 60 sample reviews, stages given by six examples of ours."""
    monkeypatch.setenv("FEEDMINE_CACHE_DIR", str(tmp_path / "cache"))
    small = tmp_path / "small.csv"
    pd.read_csv(SAMPLE).head(60).to_csv(small, index=False)
    examples = tmp_path / "stages.csv"
    pd.DataFrame({"text": ["the app keeps crashing", "앱이 자꾸 꺼져요", "I can't sign up", "회원가입이 안 돼요",
                           "would recommend to friends", "친구한테 추천했어요"],
                  "stage": ["use", "use", "signup", "signup", "referral", "referral"]}).to_csv(examples, index=False)
    out = tmp_path / "run"
    code = cli_main(["analyze", str(small), "--text", "text", "--id", "review_id", "--journey-examples",
                     str(examples), "--out", str(out), "--no-progress"])
    assert code == 0
    docs = pd.read_csv(out / "documents.csv")
    analysed = docs[docs["skip_reason"].isna()]
    assert set(analysed["journey_stage"]) <= {"use", "signup", "referral"}
    assert analysed["journey_stage"].nunique() >= 2
    assert set(analysed["journey_cue"]) <= {"similarity", "default"}  # no generic cues with examples
    assert "journey_stage" in pd.read_csv(out / "themes.csv")


# ----- nothing is lost, whatever the input holds -------------------------------------------------
from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

_cells = st.one_of(st.none(), st.just(""), st.just("   "), st.integers(), st.floats(allow_nan=True),
                   st.sampled_from(["배송이 너무 느려요", "앱이 자꾸 꺼져요ㅠㅠ", "refund please", "app crashes",
                                    "최고!!", "ok", "ㅋㅋㅋㅋ", "!!!", "결제 error 계속 뜸"]),
                   st.text(max_size=30))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_cells, min_size=0, max_size=40))
def test_every_row_comes_back_exactly_once_whatever_it_contains(cells):
    table = pd.DataFrame({"text": pd.Series(cells, dtype=object), "rid": [f"r{i}" for i in range(len(cells))]})
    res = fm.Pipeline(embedder=TfidfEmbedder(n_components=8), clusterer=fm.ThemeClusterer(reducer=None),
                      random_state=0, progress=False).run(table, text="text", id="rid")
    docs = res.documents
    assert docs["id"].tolist() == table["rid"].tolist()
    analysed = docs["skip_reason"].isna()
    assert docs.loc[analysed, "theme_id"].notna().all() and docs.loc[~analysed, "theme_id"].isna().all()
    assert int(res.themes["size"].sum()) == int(analysed.sum())


# ----- personal data never gets past cleaning ---------------------------------------------------
PII = ["010-2345-6789", "hong.gildong@example.co.kr", "900101-1234567", "4111 1111 1111 1111",
       "110-123-456789", "+82 10 9876 5432", "192.168.10.20"]


def _pii_table() -> pd.DataFrame:
    base = ["환불 요청합니다 연락 주세요", "please call me back about my refund", "결제가 두 번 됐어요 확인 부탁",
            "my card was charged twice", "계좌로 환불해 주세요 빨리요"]
    texts = [f"{base[i % len(base)]} {PII[i % len(PII)]}" for i in range(35)]
    texts.append(PII[0])  # only a number: skipped as no_letters, still masked in `text`
    return pd.DataFrame({"text": texts, "who": [f"c{i}" for i in range(len(texts))]})


@pytest.mark.slow
def test_no_raw_pii_reaches_documents_themes_report_saved_files_cache_or_logs(tmp_path, caplog, monkeypatch):
    import logging

    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("FEEDMINE_CACHE_DIR", str(tmp_path / "cache"))
    from feedmine.embed import E5Embedder

    res = fm.Pipeline(embedder=fm.embed.HybridEmbedder(semantic=E5Embedder(progress=False)),
                      random_state=0, progress=False).run(_pii_table(), text="text", id="who")
    out = res.save(tmp_path / "run")
    res.to_html(out / "report.html")
    blobs = [res.documents.astype(str).to_csv(), res.themes.astype(str).to_csv(), res.to_html(),
             res._repr_html_(), res.summary(), caplog.text]
    blobs += [p.read_bytes().decode("utf-8", "replace") for p in tmp_path.rglob("*") if p.is_file()]
    for value in PII:
        assert all(value not in blob for blob in blobs), value
    assert (res.documents["pii_masked"] >= 1).all()
    assert res.documents["text"].str.contains("<PHONE>|<EMAIL>|<RRN>|<CARD>|<ACCOUNT>|<IP>").all()


def test_masking_can_be_switched_off():
    res = fm.Pipeline(cleaner=fm.TextCleaner(mask_pii=False), embedder=TfidfEmbedder(n_components=8),
                      clusterer=fm.ThemeClusterer(reducer=None), random_state=0, progress=False).run(
        _pii_table(), text="text")
    assert res.documents["text_clean"].str.contains("010-2345-6789").any()
    assert "pii_masked" not in res.documents


# ----- near-duplicates: flagged, kept, counted once on request --------------------------------------
def _campaign_table() -> pd.DataFrame:
    campaign = [f"이 앱 환불 정책 너무 불공정합니다 당장 바꿔주세요 제보자 {i}호" for i in range(12)]
    other = ["배송이 너무 느려요 일주일째 안 와요", "앱이 자꾸 꺼져요 업데이트 이후로", "결제 오류가 계속 떠요",
             "고객센터 연결이 안 돼요", "포인트 적립이 안 됐어요", "화면이 하얗게 나와요 로그인 후에"] * 3
    other = [f"{t} ({i})" for i, t in enumerate(other)]
    return pd.DataFrame({"text": campaign + other})


def test_near_duplicate_campaign_is_flagged_and_kept():
    res = fm.Pipeline(embedder=TfidfEmbedder(n_components=8), clusterer=fm.ThemeClusterer(reducer=None),
                      random_state=0, progress=False).run(_campaign_table(), text="text")
    docs = res.documents
    assert len(docs) == 30 and docs["skip_reason"].isna().all()
    campaign = docs.head(12)
    assert (campaign["near_duplicate_group_size"] == 12).all()
    assert campaign["near_duplicate_of"].iloc[0] is None
    assert (campaign["near_duplicate_of"].iloc[1:] == campaign["id"].iloc[0]).all()
    # the other complaints are not pulled into the campaign (their own "(n)" copies group among themselves)
    assert not docs.tail(18)["near_duplicate_of"].isin(campaign["id"]).any()
    assert (docs.tail(18)["near_duplicate_group_size"] <= 3).all()


def test_collapsing_near_duplicates_counts_a_campaign_once():
    def run(collapse):
        return fm.Pipeline(embedder=TfidfEmbedder(n_components=8), clusterer=fm.ThemeClusterer(reducer=None),
                           scorer=fm.ThemeScorer(collapse_near_duplicates=collapse), random_state=0,
                           progress=False).run(_campaign_table(), text="text")
    plain, collapsed = run(False), run(True)
    campaign_theme = int(plain.documents["theme_id"].iloc[0])
    assert plain.themes.set_index("theme_id").loc[campaign_theme, "freq_items"] >= 12
    assert collapsed.themes.set_index("theme_id").loc[campaign_theme, "freq_items"] <= \
        plain.themes.set_index("theme_id").loc[campaign_theme, "freq_items"] - 11
    # nothing is dropped either way
    assert len(collapsed.documents) == len(plain.documents) == 30


def test_deduplicator_can_be_switched_off():
    res = fm.Pipeline(deduplicator=False, embedder=TfidfEmbedder(n_components=8),
                      clusterer=fm.ThemeClusterer(reducer=None), random_state=0, progress=False).run(
        _campaign_table(), text="text")
    assert "near_duplicate_of" not in res.documents


# Three problems, each written eight ways in Korean and in English (short strings of our own).
PARALLEL = {
    "pay": (["결제가 안 돼요", "결제 오류가 계속 나요", "카드 결제가 실패해요", "결제하려는데 에러가 떠요",
             "결제 버튼 눌러도 결제가 안 됩니다", "결제가 자꾸 실패합니다", "카드로 결제가 안 되네요", "결제 진행이 안돼요"],
            ["payment doesn't work", "payment error keeps happening", "card payment fails",
             "I get an error when I try to pay", "pressing pay does nothing, payment fails", "payments keep failing",
             "can't pay with my card", "checkout payment won't go through"]),
    "login": (["로그인이 안 돼요", "로그인하면 튕겨요", "비밀번호 맞는데 로그인이 안 됩니다", "로그인 오류가 나요",
               "로그인 화면에서 멈춰요", "로그인이 계속 실패해요", "아이디로 로그인이 안되네요", "로그인 할 수가 없어요"],
              ["can't log in", "app crashes when I log in", "password is right but login fails", "login error",
               "stuck on the login screen", "login keeps failing", "unable to sign in with my id",
               "I cannot log into my account"]),
    "dark": (["다크모드 추가해 주세요", "다크 모드 있었으면 좋겠어요", "야간 모드 넣어주세요", "다크모드 지원 부탁드려요",
              "어두운 테마 추가해주세요", "다크모드가 필요해요", "밤에 눈부셔요 다크모드 주세요", "다크 테마 만들어 주세요"],
             ["please add dark mode", "would love a dark mode", "add a night mode please", "please support dark mode",
              "add a dark theme", "dark mode is needed", "too bright at night, give us dark mode",
              "make a dark theme please"]),
}


@pytest.mark.slow
def test_one_problem_in_two_languages_is_one_theme():
    rows = [(t, topic, lang) for topic, (ko, en) in PARALLEL.items() for lang, texts in (("ko", ko), ("en", en))
            for t in texts]
    df = pd.DataFrame(rows, columns=["text", "topic", "language"])

    def bilingual_themes(align: bool) -> tuple[int, pd.DataFrame]:
        res = fm.Pipeline(align_languages=align, deduplicator=False, random_state=0, progress=False).run(df, text="text")
        docs = res.documents.assign(topic=df["topic"].to_numpy(), language=df["language"].to_numpy())
        both = docs[docs["theme_id"] >= 0].groupby("theme_id")["language"].nunique()
        return int((both == 2).sum()), docs

    n_mixed, docs = bilingual_themes(align=True)
    for topic in ("pay", "login"):  # all sixteen texts of each in one theme
        assert docs.loc[docs["topic"] == topic, "theme_id"].nunique() == 1
    assert n_mixed >= 2
    # without the centring, the language signature of the embedding splits every problem in two
    assert bilingual_themes(align=False)[0] < n_mixed


@pytest.mark.slow
def test_journey_stages_when_asked_for():
    from feedmine.tagging.journey import JourneyStageMapper

    rows = [(t, topic) for topic, (ko, en) in PARALLEL.items() for t in ko + en]
    df = pd.DataFrame(rows, columns=["text", "topic"])
    res = fm.Pipeline(journey=JourneyStageMapper(), deduplicator=False, random_state=0, progress=False).run(
        df, text="text")
    docs = res.documents.assign(topic=df["topic"].to_numpy())
    assert {"journey_stage", "journey_similarity", "journey_cue"} <= set(docs.columns)
    korean_payment = docs[(docs["topic"] == "pay") & docs["text"].str.contains("결제")]
    assert (korean_payment["journey_stage"] == "purchase/activation").all()  # the cue 결제 decides
    assert (korean_payment["journey_cue"] != "similarity").all()
    assert "journey_stage" in res.themes
    assert "journey_stage" not in fm.Pipeline(deduplicator=False, progress=False).run(df.head(20), text="text").documents
