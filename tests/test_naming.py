"""Theme names: a span of the theme's own text, in its language, deterministic, safe to fall back."""
import numpy as np
import pytest

from feedmine.text.tokenize import KeywordTokenizer
from feedmine.themes.describe import ThemeDescriber
from feedmine.themes.naming import name_candidates, theme_name

TOK = KeywordTokenizer(bigrams=False)


def test_a_name_is_a_span_of_a_central_text_holding_two_keywords():
    texts = ["The app freezes after the update", "app freezes after update every time", "so slow"]
    name = theme_name(texts, ["freeze", "update", "app"], [1.0, 0.8, 0.5], TOK)
    assert name in {"app freezes after update", "app freezes after the update", "freezes after the update",
                    "freezes after update"}
    assert any(name in t for t in texts)


def test_spans_do_not_cross_sentences():
    texts = ["I need a new card. How do I activate it"]
    names = name_candidates(texts, ["card", "activate", "new"], [1.0, 0.9, 0.5], TOK, k=20)
    assert names and all("." not in n and not ("card" in n and "activate" in n) for n in names)


def test_korean_names_are_morphemes_in_text_order():
    texts = ["카드 배송이 너무 지연되고 있어요", "카드 배송 지연 문제", "배송이 지연되네요 카드"]
    name = theme_name(texts, ["배송", "지연", "카드"], [1.0, 0.9, 0.6], KeywordTokenizer(bigrams=False))
    assert "배송" in name and "지연" in name
    assert "이" not in name.split()  # no particle as a word of its own
    assert all("\uac00" <= ch <= "\ud7a3" or ch == " " for ch in name)


def test_no_shared_span_falls_back_to_the_keyword_label():
    assert theme_name(["alpha", "beta"], ["alpha", "beta"], [1.0, 0.5], TOK, fallback="alpha · beta") == "alpha · beta"
    assert theme_name([], ["x"], [1.0], TOK, fallback="fb") == "fb"


def test_the_name_does_not_depend_on_keyword_ties_or_order_of_equal_texts():
    texts = ["refund not received", "refund still not received", "no refund received yet"]
    a = theme_name(texts, ["refund", "received"], [1.0, 1.0], TOK)
    b = theme_name(texts, ["refund", "received"], [1.0, 1.0], TOK)
    assert a == b and "refund" in a


def test_describer_names_by_the_embedding_when_it_can_embed():
    texts = ["card declined at the shop", "my card got declined", "card declined twice today",
             "slow delivery", "delivery is very slow", "very slow delivery again"]
    labels = np.array([0, 0, 0, 1, 1, 1])
    emb = np.array([[1, 0.2], [1, 0], [1, -0.2], [0, 1], [0.3, 1], [-0.3, 1]], dtype=float)
    calls = []

    def embed(names):
        calls.append(list(names))
        # a toy space: "card" texts along x, "delivery" along y
        return np.array([[1.0 if "card" in n else 0.0, 1.0 if "deliver" in n else 0.0] for n in names])

    plain = ThemeDescriber(n_quotes=1).fit(texts, labels, emb).themes_
    named = ThemeDescriber(n_quotes=1).fit(texts, labels, emb, embed=embed).themes_
    assert len(calls) == 1  # every theme's candidates in one call
    for themes in (plain, named):
        row = themes.set_index("theme_id")
        assert "card" in row.loc[0, "label"] and "deliver" in row.loc[1, "label"]
        assert row.loc[0, "keyword_label"] == "card · declined"
        assert row.loc[-1, "label"] == "unassigned" if -1 in row.index else True


@pytest.mark.parametrize("hostile", ["<script>alert(1)</script> card declined", "=HYPERLINK(x) card declined"])
def test_a_name_is_plain_text_from_the_feedback(hostile):
    # names are data: escaping is the report's job, neutralising the exports'; nothing is evaluated here
    name = theme_name([hostile, "card declined"], ["card", "declined"], [1.0, 0.9], TOK)
    assert name.lower() == "card declined"


def test_an_english_name_may_span_eight_words_but_not_nine():
    # up to eight words from the first keyword to the last: long enough to keep what tells twin
    # intents apart ("when will my card arrive" vs "card arrival"), short enough to read as a name
    eight = ["my card still not arrived after two weeks waiting"]
    assert "card still not arrived after two weeks waiting" in name_candidates(
        eight, ["card", "waiting"], [1.0, 0.9], TOK, k=20)
    nine = ["my card has still not arrived after two weeks waiting"]
    assert not any("card" in n and "waiting" in n
                   for n in name_candidates(nine, ["card", "waiting"], [1.0, 0.9], TOK, k=20))


def test_a_korean_name_puts_a_predicate_in_the_noun_form_a_label_uses():
    # keywords count 안 돼요 / 안되네요 as one token, 안되다; the name reads as a Korean note does
    texts = ["게임 실행이 안 돼요", "실행이 안되네요 환불해주세요", "업데이트 후 실행 안됨"]
    name = theme_name(texts, ["실행", "안되다", "환불"], [1.0, 0.9, 0.3], KeywordTokenizer(bigrams=False))
    assert name == "실행 안 됨"


def test_readable_forms_conjugate_irregular_stems_and_leave_nouns_alone():
    tok = KeywordTokenizer()
    assert tok.readable_forms(["어렵다", "느리다", "없다", "튕기다", "불편하다", "노가다", "바다", "error", "배송"]) == \
        ["어려움", "느림", "없음", "튕김", "불편함", "노가다", "바다", "error", "배송"]
    # the other backends keep the dictionary form rather than guess a conjugation
    assert KeywordTokenizer(korean_backend="okt").readable_forms(["어렵다"]) == ["어렵다"]
