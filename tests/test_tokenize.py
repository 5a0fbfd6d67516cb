"""Tests for feedmine.text.tokenize.KeywordTokenizer."""

from __future__ import annotations

import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone

from feedmine.text.tokenize import EN_STOPWORDS, KeywordTokenizer, singularize

PARTICLES = ("이", "가", "은", "는", "을", "를", "에", "에서", "도", "만", "의", "으로", "로")


@pytest.fixture(scope="module")
def tok() -> KeywordTokenizer:
    return KeywordTokenizer(bigrams=False)


@pytest.fixture(scope="module")
def tok_bi() -> KeywordTokenizer:
    return KeywordTokenizer()


# -- Korean -----------------------------------------------------------------------------------
@pytest.mark.parametrize("text", ["배송이", "배송은", "배송을", "배송도", "배송에서", "배송만", "배송의"])
def test_particles_are_stripped(tok, text):
    assert tok.tokenize(text) == ["배송"]


def test_no_particle_or_ending_survives_in_sentences(tok):
    texts = ["배송이 너무 느려요", "환불을 받았습니다", "카드가 등록되지 않네요", "앱에서 로그인은 됐어요"]
    for tokens in tok.tokenize_many(texts):
        for t in tokens:
            assert t not in PARTICLES
            assert not t.endswith(("어요", "습니다", "네요", "았", "었"))


@pytest.mark.parametrize("text", ["느려요", "느렸어요", "너무 느리네요", "느림"])
def test_adjective_becomes_stem_plus_da(tok, text):
    assert "느리다" in tok.tokenize(text)


def test_verb_endings_stripped_to_dictionary_form(tok):
    assert tok.tokenize("배송은 빨랐어요") == ["배송", "빠르다"]
    assert tok.tokenize("앱이 자꾸 튕겨요") == ["앱", "튕기다"]


def test_laughter_crying_and_emoji_dropped(tok):
    plain = tok.tokenize("배송 느려요")
    assert tok.tokenize("배송 느려요 ㅋㅋㅋ ㅠㅠ 😡") == plain
    assert tok.tokenize("ㅋㅋㅋㅋ ㅠㅠ") == []


def test_generic_words_are_stopwords_but_complaint_words_are_not(tok):
    tokens = tok.tokenize("환불 받을 수 없어요 진짜 너무 해요")
    assert "환불" in tokens and "없다" in tokens
    assert not {"수", "진짜", "너무", "하다"} & set(tokens)


@pytest.mark.parametrize("text", ["로그인이 안 돼요", "로그인이 안돼요", "로그인이 되지 않아요"])
def test_negation_is_fused_with_the_predicate(tok, text):
    assert tok.tokenize(text) == ["로그인", "안되다"]


def test_user_words_kept_whole():
    assert "토스뱅크" not in KeywordTokenizer().tokenize("토스뱅크 송금 오류")
    tokens = KeywordTokenizer(user_words=["토스뱅크"], bigrams=False).tokenize("토스뱅크 송금 오류")
    assert tokens == ["토스뱅크", "송금", "오류"]


# -- English ----------------------------------------------------------------------------------
def test_english_stopwords_and_fillers_removed(tok):
    assert tok.tokenize("Please just fix the app, it would be great") == ["fix", "great"]


@pytest.mark.parametrize("word, lemma", [
    ("cards", "card"), ("crashes", "crash"), ("replies", "reply"), ("boxes", "box"),
    ("classes", "class"), ("cases", "case"), ("movies", "movie"), ("apps", "app"),
    ("this", "this"), ("bus", "bus"), ("status", "status"), ("ios", "ios"), ("is", "is"),
])
def test_singularize(word, lemma):
    assert singularize(word) == lemma


def test_english_lowercase_plural_and_short_words(tok):
    assert tok.tokenize("Cards CRASHES x status") == ["card", "crash", "status"]


def test_english_contractions_and_hyphens_do_not_leave_fragments(tok):
    assert tok.tokenize("Don't like the user's wi-fi settings") == ["user", "wifi", "setting"]


def test_english_bigrams(tok_bi):
    tokens = tok_bi.tokenize("Top up fails, card declined")
    assert "top up" in tokens and "card declined" in tokens
    # punctuation breaks adjacency; stopwords never enter a bigram
    assert "fail card" not in tokens
    assert all(" " not in t for t in KeywordTokenizer(bigrams=False).tokenize("top up card declined"))
    assert "log in" in tok_bi.tokenize("I cannot log in")


# -- mixed and routing ------------------------------------------------------------------------
def test_code_mixed_text_gives_korean_nouns_and_english_words(tok_bi):
    tokens = tok_bi.tokenize("결제 ERRORS 계속 뜸")
    assert "결제" in tokens and "error" in tokens
    assert "결제 error" in tokens


def test_korean_noun_bigram(tok_bi):
    assert "고객 센터" in tok_bi.tokenize("고객센터 연결이 안돼요")


def test_tokenize_many_matches_tokenize_and_keeps_order(tok_bi):
    texts = ["배송이 느려요", "", "card declined", "결제 error", "   ", "ㅋㅋ"]
    assert tok_bi.tokenize_many(texts) == [tok_bi.tokenize(t) for t in texts]
    assert tok_bi.tokenize_many([]) == []


def test_user_stopwords_match_emitted_form():
    t = KeywordTokenizer(stopwords=["배송", "Cards"])
    tokens = t.tokenize("배송 카드 cards declined")
    assert "배송" not in tokens and "card" not in tokens
    assert "카드" in tokens and "declined" in tokens


# -- errors and estimator conventions ---------------------------------------------------------
def test_unknown_backend_error_lists_valid_backends():
    with pytest.raises(ValueError, match=r"unknown korean_backend 'hannanum'.*'kiwi'.*'okt'.*'mecab'"):
        KeywordTokenizer(korean_backend="hannanum").tokenize("배송이 느려요")


def test_bad_inputs():
    with pytest.raises(TypeError, match="single string"):
        KeywordTokenizer(stopwords="배송").tokenize("배송")
    with pytest.raises(TypeError, match=r"texts\[1\]"):
        KeywordTokenizer().tokenize_many(["ok", None])


def test_kiwi_model_is_shared_and_estimator_is_clonable(tok_bi):
    a, b = KeywordTokenizer(), KeywordTokenizer(bigrams=False)
    a.tokenize("배송")
    b.tokenize("배송")
    assert a.kiwi_ is b.kiwi_
    assert clone(a).get_params() == a.get_params()
    restored = pickle.loads(pickle.dumps(a))
    assert not hasattr(restored, "kiwi_")
    assert hasattr(a, "kiwi_")  # pickling must not strip the live instance
    assert restored.tokenize("배송이 느려요") == a.tokenize("배송이 느려요")


@settings(max_examples=40, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("배송이 느려요 결제 card cards the ㅋㅠ!😡.-'")),
               max_size=40))
def test_tokens_are_clean_for_any_text(text):
    tokens = KeywordTokenizer().tokenize(text)
    for t in tokens:
        assert t and t == t.strip()
        assert t not in EN_STOPWORDS and t not in PARTICLES
        assert "ㅋ" not in t and "ㅠ" not in t and "😡" not in t


def test_unknown_name_with_a_particle_glued_on_is_one_keyword():
    # kiwi tags the unknown name "경재랑" (경재 + particle 랑) as one NNP in context; it must come out
    # as 경재, the same keyword as in the sentence where kiwi split it itself
    tok = KeywordTokenizer(bigrams=False)
    first, second = tok.tokenize_many(["내가 경재랑 휘연이 중 누구한테 메일을 더 많이 받았지?",
                                       "경재랑 휘연이 중 내가 메일을 더 많이 받은 사람이 궁금해."])
    assert "경재" in first and "경재랑" not in first
    assert "경재" in second


def test_dictionary_nouns_ending_like_a_particle_stay_whole():
    tok = KeywordTokenizer(bigrams=False)
    assert tok.tokenize("만족도가 높아요")[0] == "만족도"
    assert tok.tokenize("전문가랑 상담했는데")[0] == "전문가"
    assert "파도" in tok.tokenize("내일 파도가 심할까요?")


def test_contractions_of_geot_are_not_keywords():
    tok = KeywordTokenizer(bigrams=False)
    assert tok.tokenize("가스레인지랑 전자레인지 중에 요리하기 편한 걸로 알려줘") == ["가스레인지", "전자레인지", "요리", "편하다", "알리다"]


def test_english_function_verbs_and_adverbs_are_not_cut_into_false_keywords():
    # "does" used to become the keyword "doe", "always" "alway" (the bundled sample's top pain point)
    tokens = KeywordTokenizer(bigrams=False).tokenize("It does crash, it always goes black and did freeze")
    assert "doe" not in tokens and "goe" not in tokens and "did" not in tokens
    assert "alway" not in tokens and "crash" in tokens and singularize("always") == "always"
