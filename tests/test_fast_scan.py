"""The fast scans used on every chunk: guarded alternations and n-gram scores without a matrix must
give exactly what the plain forms give."""
import re

import numpy as np
import pytest

from feedmine.tagging.emotion import EmotionTagger
from feedmine.tagging.lexicon import KO_LEXICON, SEVERITY_PATTERNS, LexiconTagger, _nfkc
from feedmine.tagging.ngrams import ngram_matrix, ngram_scores, ngrams
from feedmine.text.alternation import alternation

TEXTS = ["너무 불편해요 ㅠㅠ 렉 걸려요", "앱이 자꾸 꺼져요, 환불해 주세요!!", "It keeps CRASHING, refund me",
         "렉이 심해요", "전혀 안 좋아요 ㅡㅡ", "Great app, not slow at all", "", "12345 abc", "좋겠다 굳",
         "노잼 ㅉㅉ", "Won't even open. Lost my photos", "최악최악 별로별로", "ok", "cancelled my subscription"]


def _plain(patterns, flags):
    return re.compile("|".join(f"({p})" for p in patterns), flags)


def _matches(pattern, texts):
    return [[(m.span(), m.lastindex, m.group(0)) for m in pattern.finditer(t)] for t in texts]


@pytest.mark.parametrize("patterns, flags", [
    ([_nfkc(k) for k in sorted(KO_LEXICON, key=len, reverse=True)], re.I),
    *[([_nfkc(p) for p in ps], re.I) for ps in SEVERITY_PATTERNS.values()],
    (["(?<![가-힣])[렉랙]", r"\bslow", "좋(?!겠)"], re.I),
])
def test_guarded_alternation_finds_what_the_plain_one_finds(patterns, flags):
    guarded = alternation(patterns, flags)
    assert guarded.pattern.startswith("(?=[")  # every entry's first character is known: guarded
    assert _matches(guarded, TEXTS) == _matches(_plain(patterns, flags), TEXTS)


def test_an_entry_that_may_match_empty_or_start_anywhere_drops_the_guard():
    for patterns in (["a?b", "불편"], [r"\w+요", "불편"], ["[^가]x"], [".*"]):
        guarded = alternation(patterns, 0)
        assert not guarded.pattern.startswith("(?=")
        assert _matches(guarded, TEXTS + ["bxb", "요요"]) == _matches(_plain(patterns, 0), TEXTS + ["bxb", "요요"])


def test_case_insensitive_guard_covers_both_cases():
    guarded = alternation(["crash", "Refund"], re.I)
    assert [m.group(0) for m in guarded.finditer("CRASH then refund, Crash")] == ["CRASH", "refund", "Crash"]


def test_taggers_with_user_words_still_match_them():
    tagger = LexiconTagger(extra_negative=["먹튀", "scammy"]).fit()
    out = tagger.transform(["완전 먹튀네요", "so scammy", "좋아요"])
    assert out["sentiment"].tolist()[0] < 0 and out["sentiment"].tolist()[1] < 0 and out["sentiment"].tolist()[2] > 0
    emo = EmotionTagger().fit().transform(["정말 화가 나요!!", "I'm so angry"])
    assert emo["emotion"].notna().all()


def test_ngram_scores_equal_the_matrix_product():
    texts = TEXTS + [None, "배송 지연 너무 심해요 재미없다 재미 없다"]
    grams = sorted(set().union(*(ngrams(t) for t in texts if isinstance(t, str) and t)))
    rng = np.random.RandomState(0)
    weights = {g: float(w) for g, w in zip(grams[::3], rng.normal(size=len(grams[::3])))}
    vocabulary = {g: k for k, g in enumerate(weights)}
    expected = ngram_matrix(texts, vocabulary) @ np.fromiter(weights.values(), float)
    np.testing.assert_allclose(ngram_scores(texts, weights), expected, rtol=0, atol=1e-12)
    assert ngram_scores([], weights).shape == (0,)


def test_ngram_scores_do_not_depend_on_the_hash_seed():
    import subprocess
    import sys

    code = ("from feedmine.tagging.ngrams import ngram_scores, ngrams;"
            "t = ['배송 지연 너무 심해요 재미없다', 'keeps crashing after the update'];"
            "g = sorted(set().union(*map(ngrams, t)));"
            "w = {x: round(((i * 7919) % 1000 - 500) / 997, 5) for i, x in enumerate(g)};"
            "print(repr(ngram_scores(t, w).tolist()))")
    outs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                           env={**__import__("os").environ, "PYTHONHASHSEED": str(seed)}).stdout for seed in (1, 2, 3)}
    assert len(outs) == 1


TRICKY = TEXTS + ["", " ", "a", "ab", "  x  y\tz\n", "ÀB Çd", "ㅋㅋㅋ ㅠㅠ", "\u00a0a\u2003b", "x" * 40,
                  "🙂🙂 a🙂", "İstanbul ß", "\ud800x", "a b c d e", "재미없다 재미 없다 재미없다"]


def test_compiled_ngram_scores_equal_the_matrix_product():
    # weights in 1e-5 steps take the compiled path (the shipped heads' weights are stored so)
    texts = TRICKY + [None, 7]
    grams = sorted(set().union(*(ngrams(t) for t in texts if isinstance(t, str) and t)))
    rng = np.random.RandomState(1)
    weights = {g: round(float(w), 5) for g, w in zip(grams[::2], rng.normal(size=len(grams[::2])))}
    weights["c:abcd"] = 3.0  # longer than any character n-gram: never found, as before
    vocabulary = {g: k for k, g in enumerate(weights)}
    expected = ngram_matrix(texts, vocabulary) @ np.fromiter(weights.values(), float)
    np.testing.assert_allclose(ngram_scores(texts, weights), expected, rtol=0, atol=1e-12)


@pytest.mark.parametrize("ngram_range", [(2, 4), (1, 3), (3, 3)])
def test_compiled_word_gram_counts_equal_scikit_learns(ngram_range):
    from sklearn.feature_extraction.text import CountVectorizer

    from feedmine.text.char_grams import WordGramVocabulary

    vectorizer = CountVectorizer(analyzer="char_wb", ngram_range=ngram_range, dtype=np.float64).fit(TRICKY[::2])
    counts = WordGramVocabulary(vectorizer.vocabulary_, ngram_range)
    assert counts.usable
    expected = vectorizer.transform(TRICKY)
    expected.sort_indices()
    got = counts.counts(TRICKY)
    assert (got != expected).nnz == 0 and np.array_equal(got.indices, expected.indices)
    assert got.shape == expected.shape and counts.counts([]).shape == (0, len(vectorizer.vocabulary_))


def test_tfidf_embedder_vectors_equal_the_scikit_learn_path():
    from feedmine.embed.tfidf import TfidfEmbedder

    emb = TfidfEmbedder(n_components=4, min_df=1, random_state=0).fit(TRICKY[:20])
    fast = emb.transform(TRICKY)
    emb._counter.usable = False  # what an alphabet too large to code falls back to
    np.testing.assert_array_equal(fast, emb.transform(TRICKY))
    refit = emb.fit(["전혀 다른 말", "other words"]).transform(["다른 words"])  # a refit reads its own vocabulary
    assert refit.shape == (1, emb.components_.shape[0]) and np.isfinite(refit).all()


def test_a_vocabulary_whose_alphabet_cannot_be_coded_is_counted_by_scikit_learn():
    from feedmine.text.char_grams import WordGramVocabulary

    wide = {chr(0x4E00 + i) + chr(0x4E00 + i + 1): i for i in range(0, 2 ** 16, 2)}
    assert not WordGramVocabulary(wide, (2, 2)).usable


def test_code_table_finds_exactly_its_codes():
    from feedmine.text.char_grams import CodeTable

    codes = np.array([5, 2 ** 63 + 7, 123456789, 2 ** 40], dtype=np.uint64)
    table = CodeTable(codes, np.array([1, -2, 3, 4]))
    assert [table.get(int(c)) for c in codes] == [1, -2, 3, 4]
    assert table.get(6) == -1 and table.get(2 ** 63 + 8, default=0) == 0


def test_morphemes_are_each_words_own_whatever_the_batch_or_the_cache(monkeypatch):
    from feedmine.tagging import ngrams as ng

    texts = ["너무 불편해요 ㅠㅠ 렉 걸려요", "렉 걸려요", "It keeps CRASHING", "앱이 자꾸 꺼져요 refund", ""]
    ng._WORD_MORPHS.clear()
    together = ng._morphs(texts)
    assert together[2] == [] and together[4] == []  # no Hangul: kiwi is not asked
    for text, morphs in zip(texts[:2], together):  # a text's morphemes are its words', in order
        assert morphs == [m for word in text.split() for m in ng._WORD_MORPHS[word]]
        assert all("/" in m for m in morphs) and morphs
    assert any(m.startswith("refund/") for m in together[3])  # other words of a Korean text too
    monkeypatch.setattr(ng, "WORD_CACHE_SIZE", 2)  # the cache is emptied once past its size...
    ng._WORD_MORPHS.clear()
    alone = [ng._morphs([t])[0] for t in reversed(texts)][::-1]
    assert len(ng._WORD_MORPHS) <= 2 + max(len(t.split()) for t in texts)
    assert alone == together  # ...and one text at a time, in another order, gives the same analyses
