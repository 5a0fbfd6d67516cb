"""Tests for feedmine.themes.ThemeDescriber."""

from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn.base import clone

from feedmine.themes.describe import THEME_COLUMNS, ThemeDescriber


class SplitTokenizer:
    """Whitespace tokenizer: keeps c-TF-IDF tests independent of kiwi and stopword lists."""

    def tokenize_many(self, texts):
        return [t.split() for t in texts]


def describer(**kw) -> ThemeDescriber:
    kw.setdefault("tokenizer", SplitTokenizer())
    kw.setdefault("min_df", 1)
    return ThemeDescriber(**kw)


def row(d: ThemeDescriber, theme_id: int) -> dict:
    return d.themes_.set_index("theme_id").loc[theme_id].to_dict()


def random_emb(n: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(n, 4))


SHARED = ["problem refund", "problem refund money", "problem delivery", "problem delivery late",
          "problem login", "problem login password"]
SHARED_LABELS = np.array([0, 0, 1, 1, 2, 2])


# -- c-TF-IDF ---------------------------------------------------------------------------------
def test_theme_specific_word_ranks_above_word_shared_by_all_themes():
    d = describer().fit(SHARED, SHARED_LABELS, random_emb(6))
    for theme_id, specific in [(0, "refund"), (1, "delivery"), (2, "login")]:
        r = row(d, theme_id)
        assert r["keywords"][0] == specific
        scores = dict(zip(r["keywords"], r["keyword_scores"]))
        assert scores[specific] > scores["problem"]


def test_ctfidf_matches_the_formula():
    texts = ["a b", "a a", "b c"]
    d = describer().fit(texts, np.array([0, 0, 1]), random_emb(3))
    # theme 0 tokens: a a a b (|c|=4); theme 1: b c (|c|=2); A = 3; f(a)=3, f(b)=2, f(c)=1
    expected = {"a": 3 / 4 * math.log(1 + 3 / 3), "b": 1 / 4 * math.log(1 + 3 / 2)}
    got = dict(zip(row(d, 0)["keywords"], row(d, 0)["keyword_scores"]))
    assert got == pytest.approx(expected)
    assert list(d.terms_) == ["a", "b", "c"]
    assert d.ctfidf_.shape == (2, 3)


def test_min_df_counts_items_not_themes():
    texts = ["refund slow", "refund now", "delivery slow", "delivery late", "once"]
    d = describer(min_df=2).fit(texts, np.array([0, 0, 1, 1, 1]), random_emb(5))
    assert "refund" in row(d, 0)["keywords"]  # in 2 items of a single theme: survives
    assert "once" not in d.terms_ and "late" not in d.terms_


def test_ties_broken_by_term_string():
    d = describer().fit(["zeta alpha mid", "other"], np.array([0, 1]), random_emb(2))
    assert row(d, 0)["keywords"] == ["alpha", "mid", "zeta"]
    assert row(d, 0)["keyword_label"] == "alpha · mid · zeta"


def test_n_keywords_and_label_words():
    d = describer(n_keywords=2, label_words=1).fit(SHARED, SHARED_LABELS, random_emb(6))
    r = row(d, 1)
    assert len(r["keywords"]) == 2 and len(r["keyword_scores"]) == 2
    assert r["keyword_label"] == "delivery"


def test_label_does_not_repeat_words_of_a_bigram():
    assert ThemeDescriber._label(3, ["고객", "센터", "고객 센터", "연결"], 3) == "고객 · 센터 · 연결"
    assert ThemeDescriber._label(3, ["card", "card declined", "slow"], 2) == "card declined · slow"


# -- quotes -----------------------------------------------------------------------------------
def test_quotes_are_the_items_nearest_the_centroid():
    texts = ["edge one", "centre", "near centre", "edge two", "other theme"]
    emb = np.array([[1.0, 1.0], [1.0, 0.0], [1.0, 0.1], [1.0, -1.0], [0.0, 5.0]])
    ids = ["a", "b", "c", "d", "e"]
    d = describer(n_quotes=2).fit(texts, np.array([0, 0, 0, 0, 1]), emb, ids=ids)
    r = row(d, 0)
    assert r["quotes"] == ["centre", "near centre"]
    assert r["quote_ids"] == ["b", "c"]
    assert row(d, 1)["quote_ids"] == ["e"]


def test_quotes_are_distinct_and_ids_default_to_positions():
    texts = ["same words", "same words", "  same words ", "different", ""]
    emb = np.array([[1.0, 0.0], [1.0, 0.0], [1.0, -0.01], [0.0, 1.0], [1.0, 0.0]])
    d = describer(n_quotes=3).fit(texts, np.zeros(5, dtype=int), emb)
    r = row(d, 0)
    assert r["quotes"] == ["same words", "different"]  # duplicates and the empty text skipped
    assert r["quote_ids"] == ["0", "3"]


def test_scale_of_embeddings_does_not_move_the_centroid():
    # cosine on normalised rows: a long vector must not pull the centroid towards itself
    emb = np.array([[100.0, 0.0], [0.0, 1.0], [0.7, 0.7]])
    d = describer(n_quotes=1).fit(["x", "y", "z"], np.zeros(3, dtype=int), emb)
    assert row(d, 0)["quotes"] == ["z"]


# -- table shape, unassigned, determinism ----------------------------------------------------
def test_unassigned_first_labelled_and_described():
    texts = ["noise words", "noise again", "refund please", "refund money"]
    d = describer().fit(texts, np.array([-1, -1, 0, 0]), random_emb(4))
    assert list(d.themes_.columns) == THEME_COLUMNS
    assert d.themes_["theme_id"].tolist() == [-1, 0]
    assert d.themes_["theme_id"].dtype == np.int64
    r = row(d, -1)
    assert r["label"] == "unassigned"
    assert r["keywords"][0] == "noise"
    assert row(d, 0)["label"].startswith("refund")


def test_theme_without_keywords_gets_fallback_label():
    d = describer(min_df=2).fit(["one", "two", "three"], np.array([4, 4, 7]), random_emb(3))
    assert d.themes_["keyword_label"].tolist() == ["theme 4", "theme 7"]
    assert row(d, 7)["keywords"] == [] and row(d, 7)["quotes"] == ["three"]


def test_deterministic_and_independent_of_item_order():
    emb = random_emb(6, seed=3)
    a = describer().fit(SHARED, SHARED_LABELS, emb)
    b = describer().fit(SHARED, SHARED_LABELS, emb)
    assert a.themes_.equals(b.themes_)
    perm = np.array([5, 3, 1, 0, 2, 4])
    c = describer().fit([SHARED[i] for i in perm], SHARED_LABELS[perm], emb[perm],
                        ids=[str(i) for i in perm])
    for col in ["theme_id", "label", "keywords", "keyword_scores"]:
        assert a.themes_[col].tolist() == c.themes_[col].tolist()
    # two members per theme sit at the same angle from their centroid, so only the set is fixed
    assert [sorted(q) for q in a.themes_["quote_ids"]] == [sorted(q) for q in c.themes_["quote_ids"]]


def test_empty_input():
    d = describer().fit([], np.array([], dtype=int), np.zeros((0, 3)))
    assert d.themes_.empty and list(d.themes_.columns) == THEME_COLUMNS


def test_default_tokenizer_on_korean():
    texts = ["배송이 너무 느려요", "배송은 언제 와요", "배송이 늦어요 ㅠㅠ",
             "결제 오류가 나요", "결제가 안 돼요", "카드 결제 error"]
    emb = np.eye(6)
    d = ThemeDescriber(min_df=2).fit(texts, np.array([0, 0, 0, 1, 1, 1]), emb)
    assert row(d, 0)["keywords"][0] == "배송"
    assert row(d, 1)["keywords"][0] == "결제"
    assert not {"이", "은", "가", "ㅠㅠ"} & set(row(d, 0)["keywords"] + row(d, 1)["keywords"])


# -- validation and estimator conventions ----------------------------------------------------
@pytest.mark.parametrize("kwargs, match", [
    ({"labels": np.array([0, 1])}, "labels must be 1-D"),
    ({"labels": np.array([0.0, np.nan, 1.0])}, "NaN or fractions"),
    ({"embeddings": np.zeros((2, 2))}, "embeddings must be a 2-D array with 3 rows"),
    ({"embeddings": np.full((3, 2), np.nan)}, "NaN or infinite"),
    ({"ids": ["a"]}, "ids has 1 entries"),
])
def test_input_validation(kwargs, match):
    args = {"labels": np.array([0, 0, 1]), "embeddings": np.ones((3, 2)), "ids": None}
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        describer().fit(["a", "b", "c"], **args)


@pytest.mark.parametrize("params, match", [
    ({"min_df": 0}, "min_df"), ({"min_df": 1.5}, "min_df"), ({"n_quotes": -1}, "n_quotes"),
    ({"diversity": -0.1}, "diversity"), ({"diversity": 1.5}, "diversity"), ({"diversity": "x"}, "diversity"),
])
def test_parameter_validation(params, match):
    with pytest.raises(ValueError, match=match):
        describer(**params).fit(["a"], np.array([0]), np.ones((1, 2)))


def test_float_labels_accepted_and_clone_keeps_params():
    d = describer().fit(["a b", "c d"], np.array([0.0, 1.0]), random_emb(2))
    assert d.themes_["theme_id"].tolist() == [0, 1]
    c = clone(d)
    assert c.get_params()["min_df"] == 1 and not hasattr(c, "themes_")


# -- MMR keyword diversification --------------------------------------------------------------
class CommaTokenizer:
    """Comma-separated tokens, so that multi-word terms ("배송 지연") can be written directly."""

    def tokenize_many(self, texts):
        return [[t for t in text.split(",") if t] for text in texts]


# Five spellings of one word, each in 4 items; a distinct word (환불) in 3; another theme apart.
SPELLINGS = ["배송", "배송지연", "배송 지연", "배송이", "배송비"]
MMR_TEXTS = [",".join(SPELLINGS + (["환불"] if i < 3 else [])) for i in range(4)] + ["로그인,오류"] * 4
MMR_LABELS = np.array([0] * 4 + [1] * 4)


def test_mmr_lets_a_distinct_word_into_the_top_five():
    plain = describer(n_keywords=5, diversity=0, tokenizer=CommaTokenizer())
    plain.fit(MMR_TEXTS, MMR_LABELS, random_emb(8))
    assert all("배송" in k for k in row(plain, 0)["keywords"])  # c-TF-IDF alone: one word, 5 times

    d = describer(n_keywords=5, tokenizer=CommaTokenizer()).fit(MMR_TEXTS, MMR_LABELS, random_emb(8))
    keywords = row(d, 0)["keywords"]
    assert len(keywords) == 5 and keywords[0] == "배송" and "환불" in keywords
    assert sum("배송" in k for k in keywords) < 5
    # Scores stay the c-TF-IDF weights of the picked terms.
    weights = dict(zip(d.terms_, d.ctfidf_[list(d.theme_ids_).index(0)].toarray().ravel()))
    assert row(d, 0)["keyword_scores"] == pytest.approx([weights[k] for k in keywords])


def test_mmr_on_english_spellings_and_determinism():
    texts = ["card,cards,card arrival,card arrive,cards arrival,refund"] * 3 + ["card,cards,card arrival,card arrive,cards arrival"] \
        + ["login,error"] * 4
    labels = np.array([0] * 4 + [1] * 4)
    fits = [describer(n_keywords=5, tokenizer=CommaTokenizer()).fit(texts, labels, random_emb(8))
            for _ in range(2)]
    assert "refund" in row(fits[0], 0)["keywords"]
    assert fits[0].themes_.equals(fits[1].themes_)
    order = np.r_[4:8, 0:4]  # item order does not matter either
    shuffled = describer(n_keywords=5, tokenizer=CommaTokenizer()).fit(
        [texts[i] for i in order], labels[order], random_emb(8))
    assert row(shuffled, 0)["keywords"] == row(fits[0], 0)["keywords"]


def test_diversity_zero_is_plain_ctfidf_order():
    d = describer(diversity=0).fit(SHARED, SHARED_LABELS, random_emb(6))
    r = row(d, 0)
    assert r["keyword_scores"] == sorted(r["keyword_scores"], reverse=True)


def test_label_is_in_the_language_of_most_items():
    import numpy as np
    from feedmine.themes.describe import ThemeDescriber

    # a mostly-Korean theme whose strongest keyword is English ("error") gets a Korean label;
    # a mostly-English theme keeps an English label
    ko = ["결제 error 떠요", "결제 error 또 나요", "결제 오류 error", "error 결제 안돼요", "결제 error 반복"]
    en = ["payment error again", "payment error shows", "error on payment", "payment fails error", "결제 error"]
    texts = ko + en
    labels = np.array([0] * 5 + [1] * 5)
    emb = np.vstack([np.eye(4)[0]] * 5 + [np.eye(4)[1]] * 5).astype(float)
    themes = ThemeDescriber(min_df=1, label_words=2).fit(texts, labels, emb).themes_.set_index("theme_id")
    assert themes.loc[0, "keyword_label"].split(" · ")[0] == "결제"
    assert all(not any("\uac00" <= ch <= "\ud7a3" for ch in w) for w in themes.loc[1, "keyword_label"].split(" · "))
