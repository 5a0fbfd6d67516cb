"""The fast tier: e5's own tokenizer, the static table, its adaptation and its saved state.

A toy teacher (hashed character trigrams) stands in for e5 so that these run in seconds; one slow
test builds the real table from the installed e5.
"""
from __future__ import annotations

import hashlib

import numpy as np
import pytest

import feedmine as fm
from feedmine.embed.e5_vocab import E5Vocabulary
from feedmine.embed.static import StaticEmbedder, adapt_table, vocabulary_rows
from feedmine.pipeline import codec


class TrigramTeacher:
    """A deterministic teacher: unit sum of hashed character-trigram vectors (32 dimensions)."""

    model_id = "toy-trigrams"
    dim = 32

    def __init__(self):
        self.calls = 0

    def transform(self, texts):
        self.calls += len(texts)
        out = np.zeros((len(texts), self.dim))
        for i, t in enumerate(texts):
            t = f"  {t.lower()} "
            for j in range(len(t) - 2):
                h = int(hashlib.md5(t[j:j + 3].encode()).hexdigest()[:8], 16)
                out[i, h % self.dim] += 1.0 if (h >> 8) % 2 else -1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return (out / np.where(norms == 0, 1, norms)).astype(np.float32)

    def get_params(self, deep=False):
        return {}


TEXTS = ([f"the app crashes when I open page {i}" for i in range(20)]
         + [f"배송이 {i}일째 안 와요 너무 느려요" for i in range(20)]
         + [f"refund for order {i} never arrived" for i in range(20)]
         + [f"로그인이 안 돼요 비밀번호 {i}번 바꿨어요" for i in range(20)])


@pytest.fixture(scope="module")
def fitted():
    return StaticEmbedder(teacher=TrigramTeacher(), max_latin_pieces=3000, adapt=60, steps=60,
                          random_state=0, progress=False).fit(TEXTS)


def test_e5_tokenizer_reads_the_installed_model():
    vocab = E5Vocabulary.load()
    assert len(vocab.pieces) == 250_002
    ids = vocab.tokenize(["배송이 너무 느려요", "delivery is slow", ""])
    assert len(ids) == 3 and ids[2] == []
    pieces = [vocab.pieces[i] for i in ids[0]]
    assert "".join(pieces).replace("\u2581", "") == "배송이너무느려요"
    assert all(i != 3 for i in ids[0] + ids[1])  # no unknown pieces in plain Korean and English


def test_vocabulary_keeps_hangul_and_the_likeliest_latin_pieces():
    vocab = E5Vocabulary.load()
    rows = vocabulary_rows(vocab, 1000)
    pieces = [vocab.pieces[i] for i in rows]
    assert any("배송" in p for p in pieces)
    latin = [i for i in rows if vocab.pieces[i].lstrip("\u2581").isascii() and vocab.pieces[i].strip("\u2581").isalpha()]
    assert 0 < len(latin) <= 1000
    assert len(np.unique(rows)) == len(rows) and rows.min() > 3


def test_vectors_are_unit_and_do_not_depend_on_the_batch(fitted):
    together = fitted.transform(TEXTS)
    assert together.shape == (len(TEXTS), TrigramTeacher.dim)
    assert np.allclose(np.linalg.norm(together, axis=1), 1, atol=1e-5)
    alone = np.vstack([fitted.transform([t]) for t in TEXTS[::7]])
    assert np.allclose(alone, together[::7], atol=1e-6)
    assert fitted.transform([]).shape == (0, TrigramTeacher.dim)


def test_adaptation_moves_the_table_towards_the_teacher():
    teacher = TrigramTeacher()
    plain = StaticEmbedder(teacher=teacher, max_latin_pieces=3000, adapt=0, progress=False).fit(TEXTS)
    adapted = StaticEmbedder(teacher=teacher, max_latin_pieces=3000, adapt=80, steps=200,
                             random_state=0, progress=False).fit(TEXTS)
    target = teacher.transform(TEXTS)
    before = (plain.transform(TEXTS) * target).sum(axis=1).mean()
    after = (adapted.transform(TEXTS) * target).sum(axis=1).mean()
    assert after > before + 0.1
    assert len(adapted.adapted_rows_) > 0 and plain.imitates is None
    assert adapted.imitates == "toy-trigrams"


def test_adapt_table_lowers_a_loss_it_can_lower():
    rng = np.random.RandomState(0)
    table = rng.normal(size=(30, 8)).astype(np.float32)
    bags = (rng.rand(200, 30) < 0.2).astype(np.float32)
    from scipy import sparse

    truth = rng.normal(size=(30, 8))
    targets = bags @ truth
    targets /= np.linalg.norm(targets, axis=1, keepdims=True)
    rows, vectors, weights, loss = adapt_table(table, np.ones(30, np.float32), sparse.csr_matrix(bags),
                                               targets.astype(np.float32), 300, 0.05, rng)
    start = 1 - ((bags @ table) / np.linalg.norm(bags @ table, axis=1, keepdims=True) * targets).sum(1).mean()
    assert loss < start / 3
    assert len(rows) == len(vectors) == len(weights)


def test_same_seed_same_table_and_state_round_trip(fitted):
    again = StaticEmbedder(teacher=TrigramTeacher(), max_latin_pieces=3000, adapt=60, steps=60,
                           random_state=0, progress=False).fit(TEXTS)
    assert np.array_equal(again.transform(TEXTS), fitted.transform(TEXTS))
    data, arrays = fitted.get_state()
    restored = StaticEmbedder(teacher=TrigramTeacher(), max_latin_pieces=3000, adapt=60, steps=60,
                              progress=False).set_state(data, arrays)
    assert np.array_equal(restored.transform(TEXTS), fitted.transform(TEXTS))
    wrong = StaticEmbedder(teacher=TrigramTeacher(), max_latin_pieces=2000, progress=False)
    with pytest.raises(ValueError, match="static vocabulary"):
        wrong.set_state(data, arrays)


def test_long_texts_are_cut_and_flagged(fitted):
    long = "앱이 자꾸 꺼져요 " * 400
    assert fitted.is_truncated([long, "short"]).tolist() == [True, False]
    assert np.allclose(fitted.transform([long]), fitted.transform([long[:2000]]))


def test_fast_tier_in_a_pipeline_saves_and_loads(tmp_path):
    texts = TEXTS * 2
    emb = fm.embed.HybridEmbedder(semantic=StaticEmbedder(teacher=TrigramTeacher(), max_latin_pieces=3000,
                                                          adapt=60, steps=40, progress=False), progress=False)
    model = fm.Pipeline(embedder=emb, random_state=0, progress=False).fit(
        __import__("pandas").DataFrame({"id": range(len(texts)), "text": texts}), text="text", id="id")
    model.save(tmp_path / "m")
    loaded = fm.Pipeline.load(tmp_path / "m", embedder=fm.embed.HybridEmbedder(
        semantic=StaticEmbedder(teacher=TrigramTeacher(), max_latin_pieces=3000, adapt=60, steps=40,
                                progress=False), progress=False))
    new = __import__("pandas").DataFrame({"id": ["a", "b"], "text": [TEXTS[3], TEXTS[25]]})
    a, b = model.assign(new), loaded.assign(new)
    assert a.documents["theme_id"].tolist() == b.documents["theme_id"].tolist()
    state, arrays = codec.get_state(model.stages_["embedder"])
    assert "semantic_state" in state and any(k.startswith("semantic.") for k in arrays)


def test_fast_is_a_known_embedder_name():
    emb = fm.api.make_embedder("fast", progress=False)
    assert isinstance(emb.semantic, StaticEmbedder)


@pytest.mark.slow
def test_real_table_is_close_to_e5_on_paraphrases():
    """Built from the installed e5 (minutes the first time on a machine; the e5 cache keeps it)."""
    from feedmine.embed import E5Embedder

    pairs = [("배송이 너무 느려요", "택배가 너무 늦게 와요"), ("the app keeps crashing", "app crashes all the time"),
             ("환불은 언제 되나요", "환불 처리 언제 돼요"), ("I can't log in", "login does not work")]
    emb = StaticEmbedder(adapt=0, progress=False).fit([])
    a = emb.transform([p[0] for p in pairs])
    b = emb.transform([p[1] for p in pairs])
    sims = a @ b.T
    assert (np.diag(sims)[:, None] >= sims).all(axis=1).mean() >= 0.75
    assert emb.imitates is None and "static(" in emb.model_id
    del E5Embedder
