"""Tests for the embedder base class, its disk cache and the TF-IDF backend (no neural model is run)."""
import logging
import zipfile

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from feedmine.embed import E5Embedder, Embedder, SentenceTransformerEmbedder, TfidfEmbedder, USEEmbedder
from feedmine.embed.cache import EmbeddingCache, default_cache_dir, text_key

ENCODED: list[list[str]] = []  # every batch any FakeEmbedder was asked to encode


def fake_vector(text: str) -> np.ndarray:
    """A deterministic, deliberately unnormalised vector that differs between texts."""
    codes = [ord(c) for c in text] or [0]
    return np.array([len(text) + 1.0, sum(codes) % 101 + 1.0, max(codes) % 37 + 1.0, 3.0], dtype=np.float64)


def expected(texts):
    v = np.vstack([fake_vector(t) for t in texts])
    return v / np.linalg.norm(v, axis=1, keepdims=True)


class FakeEmbedder(Embedder):
    def __init__(self, version: str = "v1", bad_shape: bool = False, batch_size: int = 2,
                 max_chars: int | None = None, cache_dir=False, progress: bool = False):
        self.version = version
        self.bad_shape = bad_shape
        self.batch_size = batch_size
        self.max_chars = max_chars
        self.cache_dir = cache_dir
        self.progress = progress

    @property
    def model_id(self) -> str:
        return f"fake/{self.version}"

    def _encode(self, texts):
        ENCODED.append(list(texts))
        out = np.vstack([fake_vector(t) for t in texts])
        return out[:-1] if self.bad_shape else out


@pytest.fixture(autouse=True)
def _reset_calls():
    ENCODED.clear()
    yield
    ENCODED.clear()


def encoded_texts():
    return [t for batch in ENCODED for t in batch]


TEXTS = ["배송이 너무 느려요", "app crash", "환불해 주세요 please", "ok", "결제 오류 error 계속 뜸"]


# ----- base class -------------------------------------------------------------------------------

def test_rows_are_l2_normalised_float32_in_input_order():
    X = FakeEmbedder(batch_size=2).transform(TEXTS)  # batches are length-sorted internally
    assert X.dtype == np.float32 and X.shape == (len(TEXTS), 4)
    np.testing.assert_allclose(np.linalg.norm(X, axis=1), 1.0, rtol=1e-6)
    np.testing.assert_allclose(X, expected(TEXTS), rtol=1e-6)


def test_batches_respect_batch_size():
    FakeEmbedder(batch_size=2).transform(TEXTS)
    assert [len(b) for b in ENCODED] == [2, 2, 1]
    assert sorted(encoded_texts()) == sorted(TEXTS)


def test_identical_texts_embedded_once():
    texts = ["same", "other", "same", "same", "other"]
    X = FakeEmbedder().transform(texts)
    assert sorted(encoded_texts()) == ["other", "same"]
    np.testing.assert_array_equal(X[0], X[2])
    np.testing.assert_array_equal(X[0], X[3])
    np.testing.assert_array_equal(X[1], X[4])
    assert not np.allclose(X[0], X[1])


def test_zero_vector_stays_finite():
    class Zero(FakeEmbedder):
        def _encode(self, texts):
            return np.zeros((len(texts), 3))

    X = Zero().transform(["a", "b"])
    assert np.isfinite(X).all() and X.shape == (2, 3)


def test_empty_input():
    assert FakeEmbedder().transform([]).shape[0] == 0
    assert ENCODED == []


@pytest.mark.parametrize("bad", ["fewer rows", "1-D"])
def test_wrong_output_shape_raises(bad):
    if bad == "fewer rows":
        emb = FakeEmbedder(bad_shape=True)
    else:
        class Flat(FakeEmbedder):
            def _encode(self, texts):
                return np.ones(len(texts))
        emb = Flat()
    with pytest.raises(RuntimeError, match="returned shape"):
        emb.transform(["a", "bb", "ccc"])


def test_truncation():
    emb = FakeEmbedder(max_chars=5)
    texts = ["abcdefgh", "abcdexyz", "abc", "abcde"]
    np.testing.assert_array_equal(emb.is_truncated(texts), [True, True, False, False])
    X = emb.transform(texts)
    # what reaches the model is cut to max_chars; texts equal once cut are embedded once
    assert all(len(t) <= 5 for t in encoded_texts())
    assert sorted(encoded_texts()) == ["abc", "abcde"]
    np.testing.assert_array_equal(X[0], X[1])
    np.testing.assert_array_equal(X[0], X[3])


def test_no_truncation_without_limit():
    emb = FakeEmbedder(max_chars=None)
    assert not emb.is_truncated(["x" * 10_000]).any()
    emb.transform(["x" * 10_000])
    assert encoded_texts() == ["x" * 10_000]


def test_fit_returns_self():
    emb = FakeEmbedder()
    assert emb.fit(["a"]) is emb


# ----- cache ------------------------------------------------------------------------------------

def test_cache_hit_on_second_run(tmp_path):
    first = FakeEmbedder(cache_dir=tmp_path).transform(TEXTS)
    assert sorted(encoded_texts()) == sorted(TEXTS)
    ENCODED.clear()
    second = FakeEmbedder(cache_dir=tmp_path).transform(TEXTS)  # a fresh object: read from disk
    assert ENCODED == []
    np.testing.assert_array_equal(first, second)


def test_an_interrupted_run_keeps_the_batches_it_finished_and_a_rerun_resumes(tmp_path):
    class StopsAfterTwoBatches(FakeEmbedder):
        def _encode(self, texts):
            if len(ENCODED) == 2:
                raise KeyboardInterrupt  # Ctrl-C during the third batch
            return super()._encode(texts)

    ENCODED.clear()
    with pytest.raises(KeyboardInterrupt):
        StopsAfterTwoBatches(cache_dir=tmp_path).transform(TEXTS)
    done = encoded_texts()
    assert len(done) == 4  # two batches of two, both already on disk
    ENCODED.clear()
    resumed = FakeEmbedder(cache_dir=tmp_path).transform(TEXTS)
    assert sorted(encoded_texts()) == sorted(set(TEXTS) - set(done))  # only what was lost
    ENCODED.clear()
    np.testing.assert_array_equal(resumed, FakeEmbedder(cache_dir=False).transform(TEXTS))


def test_cache_embeds_only_new_texts(tmp_path):
    FakeEmbedder(cache_dir=tmp_path).transform(TEXTS[:3])
    ENCODED.clear()
    X = FakeEmbedder(cache_dir=tmp_path).transform(TEXTS[::-1])
    assert sorted(encoded_texts()) == sorted(TEXTS[3:])
    np.testing.assert_allclose(X, expected(TEXTS[::-1]), rtol=1e-6)


def test_cache_is_per_model_and_max_chars(tmp_path):
    FakeEmbedder(cache_dir=tmp_path, version="v1").transform(["hello there"])
    ENCODED.clear()
    FakeEmbedder(cache_dir=tmp_path, version="v2").transform(["hello there"])
    assert encoded_texts() == ["hello there"]
    ENCODED.clear()
    FakeEmbedder(cache_dir=tmp_path, version="v1", max_chars=5).transform(["hello there"])
    assert encoded_texts() == ["hello"]


def test_cache_disabled(tmp_path, monkeypatch):
    default = tmp_path / "default"
    monkeypatch.setenv("FEEDMINE_CACHE_DIR", str(default))
    FakeEmbedder(cache_dir=False).transform(TEXTS)
    FakeEmbedder(cache_dir=False).transform(TEXTS)
    assert len(encoded_texts()) == 2 * len(TEXTS)
    assert not default.exists()


def test_cache_dir_none_uses_default(tmp_path, monkeypatch):
    monkeypatch.setenv("FEEDMINE_CACHE_DIR", str(tmp_path / "env"))
    assert default_cache_dir() == tmp_path / "env"
    FakeEmbedder(cache_dir=None).transform(["a b"])
    assert list((tmp_path / "env").rglob("shard-*.npz"))


def test_default_cache_dir_xdg(tmp_path, monkeypatch):
    monkeypatch.delenv("FEEDMINE_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert default_cache_dir() == tmp_path / "feedmine"


def test_cache_files_contain_no_raw_text(tmp_path):
    secrets = ["김철수 고객님 환불 요청 010-1234-5678", "customer jane.doe@example.com card declined",
               "배송이 너무 느려요", "app crash"]
    FakeEmbedder(cache_dir=tmp_path, batch_size=1).transform(secrets)
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert files
    for path in files:
        data = path.read_bytes()
        for text in secrets:
            for encoding in ("utf-8", "utf-16-le", "utf-32-le"):
                assert text.encode(encoding) not in data, (path, text, encoding)
        # npz is a zip: look inside the (possibly compressed) members too
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as zf:
                for member in zf.namelist():
                    inner = zf.read(member)
                    for text in secrets:
                        assert text.encode("utf-8") not in inner
                        assert text.encode("utf-32-le") not in inner  # numpy's unicode arrays


def test_cache_stores_sha256_keys(tmp_path):
    FakeEmbedder(cache_dir=tmp_path).transform(["abc"])
    cache = EmbeddingCache(tmp_path, "fake/v1|max_chars=None")
    import hashlib
    hit = cache.get([hashlib.sha256("abc".encode()).digest()])[0]
    assert hit is not None
    np.testing.assert_allclose(hit, expected(["abc"])[0], rtol=1e-6)
    assert text_key("abc") == hashlib.sha256(b"abc").digest()


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty"])
def test_corrupt_shard_ignored_with_warning(tmp_path, caplog, damage):
    FakeEmbedder(cache_dir=tmp_path).transform(TEXTS)
    shards = list(tmp_path.rglob("shard-*.npz"))
    assert shards
    for shard in shards:
        data = shard.read_bytes()
        shard.write_bytes({"garbage": b"this is not an npz file at all",
                           "truncated": data[: len(data) // 2],
                           "empty": b""}[damage])
    ENCODED.clear()
    with caplog.at_level(logging.WARNING, logger="feedmine.embed.cache"):
        X = FakeEmbedder(cache_dir=tmp_path).transform(TEXTS)
    assert "unreadable embedding cache shard" in caplog.text
    assert sorted(encoded_texts()) == sorted(TEXTS)  # re-embedded
    np.testing.assert_allclose(X, expected(TEXTS), rtol=1e-6)
    # and the cache heals: the next run is served from disk
    ENCODED.clear()
    FakeEmbedder(cache_dir=tmp_path).transform(TEXTS)
    assert ENCODED == []


def test_leftover_temp_files_are_not_read(tmp_path):
    FakeEmbedder(cache_dir=tmp_path).transform(["a"])
    cache_dir = next(tmp_path.iterdir())
    (cache_dir / "tmpabc.tmp.npz").write_bytes(b"half written")
    ENCODED.clear()
    FakeEmbedder(cache_dir=tmp_path).transform(["a"])
    assert ENCODED == []


# ----- TfidfEmbedder ----------------------------------------------------------------------------

CORPUS = ["배송이 느려요", "배송은 느림", "배송 너무 늦어요", "app crash", "app crashes on start",
          "결제 오류", "결제가 안 돼요", "refund please", "환불해 주세요", "great app"]


def cos(a, b):
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def test_tfidf_deterministic_with_random_state():
    a = TfidfEmbedder(n_components=5, random_state=0).fit_transform(CORPUS)
    b = TfidfEmbedder(n_components=5, random_state=0).fit_transform(CORPUS)
    np.testing.assert_array_equal(a, b)


def test_tfidf_korean_char_ngrams_group_inflected_forms():
    emb = TfidfEmbedder(n_components=8, random_state=0).fit(CORPUS)
    X = emb.transform(["배송이 느려요", "배송은 느림", "app crash"])
    assert cos(X[0], X[1]) > cos(X[0], X[2]) + 0.2


def test_tfidf_output_normalised_float32():
    emb = TfidfEmbedder(n_components=4, random_state=0).fit(CORPUS)
    X = emb.transform(CORPUS + ["완전히 새로운 문장"])
    assert X.dtype == np.float32 and X.shape == (len(CORPUS) + 1, 4)
    norms = np.linalg.norm(X, axis=1)
    assert np.all((np.abs(norms - 1) < 1e-5) | (norms < 1e-6))


def test_tfidf_components_capped_for_small_inputs():
    X = TfidfEmbedder(n_components=256, random_state=0).fit_transform(["aa bb", "cc dd", "aa cc"])
    assert X.shape[0] == 3 and 1 <= X.shape[1] <= 2


def test_tfidf_transform_before_fit():
    with pytest.raises(NotFittedError):
        TfidfEmbedder().transform(["x"])


def test_tfidf_truncation():
    emb = TfidfEmbedder(max_chars=4, n_components=2, random_state=0).fit(CORPUS)
    np.testing.assert_array_equal(emb.is_truncated(["12345", "1234"]), [True, False])
    # only the first max_chars characters count
    np.testing.assert_allclose(emb.transform(["배송이 느려요"]), emb.transform(["배송이 "]), atol=1e-6)
    assert not TfidfEmbedder(max_chars=None).is_truncated(["x" * 100_000]).any()


# ----- scikit-learn parameters -------------------------------------------------------------------

@pytest.mark.parametrize("make", [
    lambda: E5Embedder(prefix="passage", num_threads=1, batch_size=8, max_chars=100, cache_dir="/tmp/x",
                       progress=False),
    lambda: USEEmbedder(threads=1, batch_size=4, max_chars=50, cache_dir=False, progress=False),
    lambda: SentenceTransformerEmbedder("some/local-model", device="cpu", batch_size=3, max_chars=77,
                                        cache_dir=None, progress=False),
    lambda: TfidfEmbedder(n_components=7, ngram_range=(1, 3), min_df=1, max_chars=None, random_state=4),
])
def test_get_params_round_trip_with_clone(make):
    emb = make()
    params = emb.get_params()
    copy = clone(emb)
    assert type(copy) is type(emb) and copy is not emb
    assert copy.get_params() == params
    # and set_params reaches the attribute the backend reads
    copy.set_params(max_chars=11)
    assert copy.max_chars == 11 and emb.max_chars == params["max_chars"]


def test_model_ids_separate_caches_without_loading_models():
    assert E5Embedder(prefix="query").model_id != E5Embedder(prefix="passage").model_id
    assert "my-model" in SentenceTransformerEmbedder("my-model").model_id
    assert USEEmbedder().model_id
