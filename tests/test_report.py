"""Tests for feedmine.report: content, escaping of untrusted text, optional columns, empty results."""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markupsafe import escape

from feedmine.errors import FeedmineError
from feedmine.report.html import fmt_num, fmt_pct, render_report, render_summary_html
from feedmine.result.result import Result

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
SVG_BREAK = "</svg><script>alert(2)</script>"
HOSTILE = (SCRIPT, IMG, SVG_BREAK)

DOCS = [  # id, raw text, theme, sentiment, severity, cue, is_request, rating
    ("r1", "배송이 너무 늦어요. 일주일째 안 와요", 0, -0.8, "high", "일주일째", False, 1),
    ("r2", "Delivery was late again, 3 days", 0, -0.6, "medium", "late", False, 2),
    ("r3", f"배송 언제 와요? {SCRIPT}", 0, -0.4, "medium", "언제", True, 2),
    ("r4", "Package arrived late and damaged", 0, -0.7, "high", "damaged", False, 1),
    ("r5", f"Refund never arrived {IMG}", 1, -0.9, "critical", "never", False, 1),
    ("r6", "환불이 안 돼요, 카드 결제 두 번 됨", 1, -0.9, "critical", "두 번", False, 1),
    ("r7", "Please add a refund button", 1, -0.2, "low", None, True, 3),
    ("r8", "로그인 오류가 계속 나요", 2, -0.5, "medium", "오류", False, 3),
    ("r9", "Login error after update", 2, -0.5, "medium", "error", False, 2),
    ("r10", "좋아요 ㅎㅎ", -1, 0.8, "low", None, False, 5),
    ("r11", "meh", -1, 0.0, "low", None, False, 4),
]
SKIPPED = [("r12", None, "missing"), ("r13", "   ", "empty"), ("r14", 12345, "non_text"),
           ("r15", f"!!! {SCRIPT} " + "x" * 300, "no_letters"), ("r16", "배송이 너무 늦어요. 일주일째 안 와요", None)]


def make_result(rating: bool = True, explanation: bool = True) -> Result:
    """A small hand-built Result following docs/architecture.md (3 themes + unassigned, 4 skipped, 1 duplicate)."""
    labels = {0: "배송 지연 / late delivery", 1: f"refund {SVG_BREAK}", 2: "로그인 오류 login error", -1: "unassigned"}
    rows = []
    for i, s, t, sent, sev, cue, req, stars in DOCS:
        rows.append(dict(id=i, text=s, text_clean=s, lang="ko" if re.search("[가-힣]", s) else "en",
                         skip_reason=None, duplicate_of=None, truncated=False, theme_id=t, theme_label=labels[t],
                         theme_confidence=0.9, reassigned=False, sentiment=sent, severity=sev, severity_cue=cue,
                         is_request=req, rating=stars))
    for i, raw, reason in SKIPPED:
        dup = "r1" if reason is None else None
        rows.append(dict(id=i, text=raw, text_clean="" if reason else raw, lang="none" if reason else "ko",
                         skip_reason=reason, duplicate_of=dup, truncated=False, theme_id=0 if dup else None,
                         theme_label=labels[0] if dup else None, theme_confidence=np.nan, reassigned=False,
                         sentiment=-0.8 if dup else np.nan, severity="high" if dup else None,
                         severity_cue=None, is_request=False, rating=1 if dup else np.nan))
    docs = pd.DataFrame(rows)
    docs["theme_id"] = docs["theme_id"].astype("Int64")
    if not rating:
        docs = docs.drop(columns="rating")

    def theme(tid, kws, size, quotes, qids, rank, prio, sev, freq_items):
        row = dict(theme_id=tid, label=labels[tid], keywords=kws, size=size, share=size / 12,
                   mean_sentiment=-0.5 if tid >= 0 else 0.4, frequency=freq_items / 16,
                   impact=np.nan if tid < 0 else prio, impact_method="rating_loo" if rating else "sentiment_severity",
                   solvability=np.nan if tid < 0 else 0.5, priority=prio, rank=rank, quotes=quotes, quote_ids=qids,
                   freq_items=freq_items, freq_share_items=freq_items / 16, impact_harm_mean=0.6,
                   solv_request_share=0.2, solv_tightness=0.5, solv_distinctiveness=1.0)
        row.update({f"severity_{lv}": v for lv, v in zip(("low", "medium", "high", "critical"), sev)})
        if rating:
            row.update(impact_rating_theme=1.5, impact_rating_all=2.3, impact_rating_rest=2.8, impact_rating_drop=-0.4)
        if explanation:
            row["explanation"] = f"{size} items about {labels[tid]}."
        return row

    themes = pd.DataFrame([
        theme(0, ["배송", "늦다", "late", "delivery", "일주일", "package", "damaged"], 5,
              [DOCS[0][1], DOCS[2][1]], ["r1", "r3"], 2, 0.61, (0, 0.4, 0.6, 0), 5),
        theme(1, ["환불", "refund", IMG, "카드"], 3, [DOCS[4][1]], ["r5"], 1, 0.83, (1 / 3, 0, 0, 2 / 3), 3),
        theme(2, ["로그인", "login", "error", "오류"], 2, [DOCS[7][1]], ["r8"], 3, 0.35, (0, 1, 0, 0), 2),
        theme(-1, [], 2, [], [], pd.NA, np.nan, (1, 0, 0, 0), 2),
    ])
    themes["rank"] = themes["rank"].astype("Int64")
    meta = {"feedmine_version": "0.1.0", "n_items": 16, "n_analysed": 12, "n_skipped": 4,
            "skipped_by_reason": {"missing": 1, "empty": 1, "non_text": 1, "no_letters": 1},
            "n_exact_duplicates": 1, "n_truncated": 0, "n_themes": 3, "unassigned_share": 2 / 12,
            "embedder": f"tfidf {SCRIPT}", "seconds": {"clean": 0.01, "embed": 1.234, "cluster": 0.5}}
    config = {"embedder": {"model": "tfidf"}, "describer": {"stopwords": [IMG]}, "random_state": 0}
    return Result(documents=docs, themes=themes, config=config, meta=meta)


@pytest.fixture(scope="module")
def result() -> Result:
    return make_result()


@pytest.fixture(scope="module")
def html(result: Result) -> str:
    return render_report(result, interactive=False)


# -- content ----------------------------------------------------------------------------------
def test_report_is_a_self_contained_page(html):
    assert html.lstrip().startswith("<!DOCTYPE html>") and "<title>feedmine report</title>" in html
    assert "<script" not in html.lower()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html), "no external resources"
    assert "@import" not in html and "url(" not in html


def test_report_lists_every_theme_in_rank_order(html, result):
    table = html[html.index('id="pain-points"'):html.index('id="shares"')]
    positions = [table.index(str(escape(label))) for label in result.pain_points["label"]]
    assert positions == sorted(positions) and len(positions) == 3
    assert str(escape(result.pain_points["label"][0])) == "refund " + str(escape(SVG_BREAK))
    for tid in (0, 1, 2):
        assert f'href="#theme-{tid}"' in table and f'id="theme-{tid}"' in html
    assert 'id="theme--1"' in html  # unassigned section


def test_report_shows_facts_numbers_evidence_and_examples(html):
    for text in ("<b>16</b> items", "analysed <b>12</b>", "skipped <b>4</b>", "missing 1", "no_letters 1",
                 "exact duplicates <b>1</b>", "unassigned <b>16.7%</b>", "embed 1.23", "feedmine <b>0.1.0</b>",
                 "<details><summary>Configuration</summary>"):
        assert text in html
    assert "41.7%" in html  # share 5/12, one decimal
    assert "0.830" in html and "rating_loo" in html
    for col in ("freq_items", "freq_share_items", "impact_rating_drop", "impact_harm_mean", "solv_request_share"):
        assert f"<span>{col}</span>" in html
    assert "5 items about" in html  # explanation
    assert "Package arrived late and damaged" in html and "Login error after update" in html  # examples
    assert "일주일째" in html and "로그인 오류가 계속 나요" in html
    assert 'style="width: 60.0%"' in html and 'style="width: 66.7%"' in html  # severity bars


def test_keywords_are_cut_to_six_in_the_table(html):
    table = html[html.index('id="pain-points"'):html.index('id="shares"')]
    assert "package" in table and "damaged" not in table
    assert '<span class="kw">damaged</span>' in html  # the theme section lists them all


def test_skipped_section_lists_reasons_and_truncates(html):
    skipped = html[html.index('id="skipped"'):]
    for reason in ("missing", "empty", "non_text", "no_letters"):
        assert f"<td>{reason}</td>" in skipped
    # the raw value is cut to 200 characters: 30 before the x's, 169 x's and "…"
    assert "12345" in skipped and "x" * 169 + "…" in skipped and "x" * 170 not in skipped


def test_chart_has_a_bar_per_theme_biggest_first(html):
    svg = html[html.index("<svg"):html.index("</svg>")]
    widths = [float(w) for w in re.findall(r'<rect class="bar"[^>]* width="([\d.]+)"', svg)]
    assert len(widths) == 3 and widths == sorted(widths, reverse=True) and widths[0] == pytest.approx(380)
    assert svg.count("<a ") == 3 and "unassigned" not in svg


# -- security ---------------------------------------------------------------------------------
@pytest.mark.parametrize("payload", HOSTILE)
def test_hostile_strings_appear_only_escaped(html, result, payload):
    summary = render_summary_html(result)
    assert payload not in html and str(escape(payload)) in html
    if payload != SCRIPT:  # the summary shows labels and keywords, not document text
        assert payload not in summary and str(escape(payload)) in summary
    assert payload not in summary
    for out in (html, summary):
        assert "<script" not in out.lower() and "<img" not in out.lower()
    assert html.count("</svg>") == 1


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(list("<>&\"'/= ascriptimg배송") + ["</svg>", "<!--", "{{", "{%", "<script>"]),
                min_size=1, max_size=20).map("".join).filter(lambda t: t == t.strip()))
def test_any_label_and_quote_is_escaped(text):
    # (labels are shown stripped; surrounding whitespace is not what this test is about)
    def render(value: str) -> str:
        r = make_result()
        r.themes.loc[0, "label"] = value
        r.themes.at[0, "quotes"] = [value]
        return render_report(r, interactive=False)

    out, baseline = render(text), render("plain")
    assert f"<h3>#2 {escape(text)}</h3>" in out and f"<blockquote>{escape(text)}</blockquote>" in out
    # data adds no markup: the page has exactly as many tags and quotes as with a harmless label
    for ch in "<>\"'":
        assert out.count(ch) == baseline.count(ch)
    assert "<script" not in out and out.count("</svg>") == 1


# -- optional columns and empty results -------------------------------------------------------
def test_renders_without_rating_or_explanation_columns():
    r = make_result(rating=False, explanation=False)
    assert not any(c.startswith("impact_rating") for c in r.themes.columns)
    out = render_report(r, interactive=False)
    assert "sentiment_severity" in out and "impact_rating_drop" not in out and 'class="explanation"' not in out
    assert "impact_harm_mean" in out
    assert "배송 지연 / late delivery" in render_summary_html(r)


def test_renders_with_zero_themes_and_everything_skipped():
    docs = pd.DataFrame({"id": ["a", "b"], "text": [None, "  "], "text_clean": ["", ""], "lang": ["none", "none"],
                         "skip_reason": ["missing", "empty"], "duplicate_of": [None, None],
                         "theme_id": pd.array([pd.NA, pd.NA], dtype="Int64"), "sentiment": [np.nan, np.nan]})
    themes = pd.DataFrame(columns=["theme_id", "label", "keywords", "size", "share", "rank", "priority"])
    r = Result(documents=docs, themes=themes)
    out = render_report(r, interactive=False)
    assert "No themes were found." in out and "<svg" not in out and "<b>2</b> items" in out
    assert "<td>missing</td>" in out and "Every analysed item belongs to a theme." in out
    assert "No themes were found." in r._repr_html_()


def test_renders_with_bare_minimum_frames():
    out = render_report(Result(documents=pd.DataFrame({"id": [], "text": []}), themes=pd.DataFrame()))
    assert "No themes were found." in out and "No items were skipped." in out


def test_nan_is_a_dash_and_shares_are_percent():
    assert fmt_num(np.nan) == fmt_num(None) == fmt_num(pd.NA) == fmt_pct(math.nan) == "–"
    assert fmt_pct(0.1234) == "12.3%" and fmt_num(np.int64(7)) == "7" and fmt_num(0.5) == "0.500"
    out = render_report(make_result(), interactive=False)
    unassigned = out[out.index('id="unassigned"'):out.index('id="skipped"')]
    assert "16.7% of analysed" in unassigned and "nan" not in out.lower().replace("nanum", "")


# -- Result integration -----------------------------------------------------------------------
def test_to_html_writes_the_file(tmp_path, result):
    path = tmp_path / "report.html"
    returned = result.to_html(path)
    assert path.read_text(encoding="utf-8") == returned and "refund" in returned


def test_repr_html_is_a_compact_fragment(result):
    frag = result._repr_html_()
    assert frag.startswith('<div class="feedmine-summary">') and "<html" not in frag and "<style" not in frag
    assert "16 items" in frag and "3 themes" in frag and "16.7% unassigned" in frag
    assert frag.index("refund") < frag.index("배송 지연") < frag.index("로그인 오류")


def test_summary_shows_at_most_top_rows(result):
    frag = render_summary_html(result, top=2)
    assert "로그인 오류" not in frag and "and 1 more" in frag


def test_renders_a_saved_and_loaded_result(tmp_path):
    from feedmine.result.result import load_result

    make_result().save(tmp_path / "run")
    out = load_result(tmp_path / "run").to_html()
    assert "Package arrived late and damaged" in out and 'id="theme--1"' in out and SCRIPT not in out


def test_theme_tag_summary_reads_the_aggregates():
    from feedmine.report.html import _tag_summary

    row = {"negative_share": 0.7, "top_emotion": "frustration", "top_emotion_share": 0.11, "churn_share": 0.056,
           "request_share": 0.2}
    assert _tag_summary(row) == "70.0% negative · frustration 11.0% · 5.6% churn risk · 20.0% requests"
    assert _tag_summary({"negative_share": 0.0, "top_emotion": "none", "churn_share": 0.0}) == "0.0% negative"
    assert _tag_summary({}) == ""
    mix = {"negative_share": 0.68, "top_emotion": "satisfaction", "top_emotion_share": 0.113,
           **{f"emotion_{e}": 0.0 for e in ("anger", "confusion", "worry", "gratitude")},
           "emotion_satisfaction": 0.113, "emotion_frustration": 0.102, "emotion_disappointment": 0.086}
    assert _tag_summary(mix) == "68.0% negative · satisfaction 11.3% · frustration 10.2% · disappointment 8.6%"


def test_problem_statements_section_lists_top_pain_points_escaped():
    r = make_result()
    r.themes.at[0, "quotes"] = ["<script>alert(1)</script> 결제가 안 돼요"]
    out = render_report(r, interactive=False)
    assert '<section id="problems">' in out
    section = out.split('<section id="problems">')[1].split("</section>")[0]
    assert section.count("<li>") == min(5, int((r.themes["theme_id"] >= 0).sum()))
    assert "&lt;script&gt;alert(1)&lt;/script&gt; 결제가 안 돼요" in out and "<script>alert" not in out


def test_journey_table_and_report_section_with_hostile_stage_names():
    result = make_result()
    with pytest.raises(FeedmineError, match="journey=True"):
        result.journey_table()
    assert 'id="journey"' not in render_report(result, interactive=False)
    stages = {"r1": "use", "r2": "use", "r3": SCRIPT, "r4": "use", "r5": "use", "r6": SCRIPT, "r7": SCRIPT,
              "r8": "use", "r9": "use", "r10": "use", "r11": "use", "r16": "use"}
    result.documents["journey_stage"] = result.documents["id"].map(stages)
    table = result.journey_table()
    # ranked first: refund (rank 1, 1 of 3 "use"), delivery (rank 2: r1 r2 r3 r4 + the duplicate r16)
    assert table["theme_id"].tolist()[:3] == [1, 0, 2]
    refund = table.iloc[0]
    assert (refund["n_items"], refund["n_use"], refund[f"n_{SCRIPT}"]) == (3, 1, 2)
    assert refund["share_use"] == pytest.approx(1 / 3)
    assert table.set_index("theme_id").loc[0, ["n_items", "n_use"]].tolist() == [5, 4]
    html = render_report(result, interactive=False)
    section = html[html.index('id="journey"'):html.index("</section>", html.index('id="journey"'))]
    assert "<script>" not in section and "&lt;script&gt;" in section
    assert "33.3%" in section and "80.0%" in section


def _section(out: str, section_id: str) -> str:
    start = out.index(f'<section id="{section_id}">')
    return out[start:out.index("</section>", start)]


def test_report_opens_on_what_this_is_then_the_problems():
    r = make_result()
    docs = r.documents.copy()
    docs["channel"] = ["app_store"] * 8 + [SCRIPT] * (len(docs) - 8)  # metadata is untrusted too
    out = render_report(Result(documents=docs, themes=r.themes, config=r.config, meta=r.meta))
    lead = out[out.index('<p class="lead">'):out.index("</p>", out.index('<p class="lead">'))]
    assert "<b>16</b> items" in lead and "app_store 8" in lead and "ko " in lead and "en " in lead
    assert str(escape(SCRIPT)) in lead and SCRIPT not in out
    assert "no dates: no trends" in out
    order = [out.index(f'<section id="{s}">') for s in ("problems", "pain-points", "themes", "about")]
    assert order == sorted(order)  # statements first, run configuration last
    assert out.index("<summary>Configuration</summary>") > out.index('<section id="about">')


def test_praise_is_listed_apart_from_pain_points():
    r = make_result()
    themes = r.themes.copy()
    themes["pain_share"] = [0.9, 0.8, 0.2, np.nan]  # theme 2 is mostly not a problem
    out = render_report(Result(documents=r.documents, themes=themes, config=r.config, meta=r.meta))
    pain, praise = _section(out, "pain-points"), _section(out, "praise")
    assert 'href="#theme-2"' in praise and 'href="#theme-2"' not in pain
    assert 'href="#theme-0"' in pain and 'href="#theme-1"' in pain
    assert 'id="theme-2"' in _section(out, "themes")  # its card is still there


def test_the_numbers_behind_scores_sit_behind_a_toggle_and_tables_scroll_in_their_box(html):
    card = _section(html, "themes")
    first = card[:card.index("</article>")]
    assert first.index("<summary>The numbers behind the scores</summary>") < first.index("<span>freq_items</span>")
    assert html.count("<table>") == html.count('<div class="scroll"><table>')
    assert "Malgun Gothic" in html and "Apple SD Gothic Neo" in html and "Noto Sans CJK KR" in html


def test_every_ranked_theme_card_has_its_problem_statement_and_severity_mix(result):
    out = render_report(result, interactive=False)
    statements = result.problem_statements(top=len(result.themes))
    cards = re.findall(r'<article class="theme" id="theme-(\d+)">(.*?)</article>', out, re.S)
    ranked = {int(t) for t in result.pain_points["theme_id"]}
    assert {int(t) for t, _ in cards} == ranked
    for theme_id, card in cards:
        text = statements.loc[statements["theme_id"] == int(theme_id), "text"].iloc[0]
        assert f"<b>Problem statement:</b> {escape(text)}" in card
        assert 'title="severity: low' in card
    assert out.count('<ol class="problems">') == 1
    assert len(re.findall(r"<li><a href=\"#theme-", out)) == min(5, len(ranked))
