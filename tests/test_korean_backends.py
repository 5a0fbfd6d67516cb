"""The optional Korean analysers (KoNLPy Okt, MeCab-ko) behind KeywordTokenizer, run for real."""
from __future__ import annotations

import builtins
import pickle

import pytest

from feedmine.errors import FeedmineError
from feedmine.text import korean
from feedmine.text.tokenize import KeywordTokenizer

BACKENDS = ["kiwi", "okt", "mecab"]
PARTICLES = ("이", "가", "은", "는", "을", "를", "에", "에서", "도", "만", "의", "으로", "로")
ENDINGS = ("어요", "아요", "습니다", "네요", "았", "었", "요")


# Okt runs in a Java VM (JPype). A JVM started inside the test process made later tests that use
# numba/torch segfault (seen: exit 139 in test_pipeline after these tests), so Okt is exercised in one
# separate worker process that lives for the whole module.
_OKT_WORKER = r"""
import json, pickle, sys
from feedmine.text.tokenize import KeywordTokenizer
for line in sys.stdin:
    req = json.loads(line)
    tok = KeywordTokenizer(korean_backend="okt", **req["params"])
    if req["pickle"]:
        tok = pickle.loads(pickle.dumps(tok))
    print(json.dumps(tok.tokenize_many(req["texts"]), ensure_ascii=False), flush=True)
"""


@pytest.fixture(scope="module")
def okt_worker():
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-c", _OKT_WORKER], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            text=True, encoding="utf-8")
    yield proc
    proc.stdin.close()
    proc.wait(timeout=60)


class _OktInWorker:
    """KeywordTokenizer(korean_backend="okt") whose work happens in the worker process."""

    def __init__(self, proc, params, pickled=False):
        self.proc, self.params, self.pickled = proc, params, pickled

    def tokenize_many(self, texts):
        import json

        self.proc.stdin.write(json.dumps({"params": self.params, "texts": list(texts), "pickle": self.pickled},
                                         ensure_ascii=False) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        assert line, "the Okt worker process died"
        return json.loads(line)

    def tokenize(self, text):
        return self.tokenize_many([text])[0]


@pytest.fixture
def _tok(request):
    def make(backend: str, pickled: bool = False, **kw):
        kw.setdefault("bigrams", False)
        if backend == "okt":
            pytest.importorskip("konlpy", reason="install feedmine[konlpy]")
            return _OktInWorker(request.getfixturevalue("okt_worker"), kw, pickled)
        if backend == "mecab":
            pytest.importorskip("mecab", reason="install feedmine[mecab]")
        tok = KeywordTokenizer(korean_backend=backend, **kw)
        return pickle.loads(pickle.dumps(tok)) if pickled else tok
    return make


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("text", ["배송이", "배송은", "배송을", "배송도", "배송만", "배송에서", "배송의 문제"])
def test_particles_are_stripped(_tok, backend, text):
    # (MeCab reads a lone "배송의" as 배 + 송의 (a name); in a sentence it is analysed correctly.)
    assert _tok(backend).tokenize(text)[0] == "배송"
    assert _tok(backend).tokenize(text) in (["배송"], ["배송", "문제"])


@pytest.mark.parametrize("backend", BACKENDS)
def test_adjective_becomes_a_stem_plus_da(_tok, backend):
    tokens = _tok(backend).tokenize("배송이 너무 느려요")
    assert tokens == ["배송", "느리다"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_laughter_and_crying_dropped(_tok, backend):
    tok = _tok(backend)
    assert tok.tokenize("ㅋㅋㅋㅋ ㅠㅠ") == []
    assert tok.tokenize("배송 느려요 ㅋㅋ ㅠㅠ") == tok.tokenize("배송 느려요")


@pytest.mark.parametrize("backend", BACKENDS)
def test_no_particle_ending_or_whole_eojeol_comes_out(_tok, backend):
    texts = ["배송이 너무 느려요", "환불을 받았습니다", "메일을 못 받았어요", "날씨는 좋네요",
             "앱에서 로그인은 됐어요", "카드가 등록되지 않네요", "상담원이 전화를 안 받아요"]
    eojeol = {w for t in texts for w in t.split()}
    for tokens in _tok(backend, bigrams=True).tokenize_many(texts):
        for t in tokens:
            for part in t.split(" "):
                assert part not in PARTICLES, (backend, tokens)
                assert part not in eojeol or part in {"배송", "환불", "메일", "날씨"}, (backend, tokens)
                assert part.endswith("다") or not part.endswith(ENDINGS), (backend, tokens)


@pytest.mark.parametrize("backend", BACKENDS)
def test_negation_fused_and_stopwords_shared(_tok, backend):
    tok = _tok(backend)
    assert tok.tokenize("로그인이 되지 않아요") == ["로그인", "안되다"]
    assert tok.tokenize("로그인이 안 돼요") == ["로그인", "안되다"]
    tokens = tok.tokenize("환불 받을 수 없어요 진짜")
    assert "환불" in tokens and "없다" in tokens and not {"수", "진짜"} & set(tokens)
    assert _tok(backend, stopwords=["배송"]).tokenize("배송이 느려요") == ["느리다"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_user_words_kept_whole_and_english_follows_english_rules(_tok, backend):
    tok = _tok(backend, user_words=["토스뱅크"])
    assert tok.tokenize("토스뱅크 송금 오류") == ["토스뱅크", "송금", "오류"]
    assert "error" in _tok(backend).tokenize("결제 error 계속 떠요")


@pytest.mark.parametrize("backend", ["okt", "mecab"])
def test_bigrams_and_pickle(_tok, backend):
    tok = _tok(backend, bigrams=True)
    assert "고객 센터" in tok.tokenize("고객 센터 연결이 안 돼요")
    again = _tok(backend, bigrams=True, pickled=True)
    assert again.tokenize("배송이 느려요") == tok.tokenize("배송이 느려요")


@pytest.mark.parametrize("backend, module, hint", [("okt", "konlpy", "feedmine[konlpy]"),
                                                   ("mecab", "mecab", "feedmine[mecab]")])
def test_missing_package_is_a_clear_error(backend, module, hint, monkeypatch):
    real_import = builtins.__import__

    def fake_import(name, *args, **kwargs):
        if name == module or name.startswith(module + "."):
            raise ImportError(f"No module named {name!r}")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(korean, "_CACHE", {})
    monkeypatch.setattr(builtins, "__import__", fake_import)
    with pytest.raises(FeedmineError, match=rf"pip install '{hint}'".replace("[", r"\[").replace("]", r"\]")):
        KeywordTokenizer(korean_backend=backend).tokenize("배송이 느려요")
    # English-only text never touches the Korean analyser.
    assert KeywordTokenizer(korean_backend=backend).tokenize("slow delivery") == ["slow", "delivery", "slow delivery"]


def test_importing_feedmine_does_not_import_optional_analysers():
    import subprocess
    import sys

    code = ("import sys, feedmine, feedmine.text.tokenize, feedmine.themes; "
            "print(any(m in sys.modules for m in ('konlpy', 'mecab', 'jpype')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
