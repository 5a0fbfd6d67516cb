"""On-disk embedding cache keyed by model and text hash.

Re-running an analysis on the same (or growing) data embeds only texts not seen before. The cache stores
SHA-256 digests and vectors only, never the text, so masked or unmasked feedback never lands on disk
through it. Each write is a new shard file written atomically, so two processes sharing a cache
cannot corrupt each other's shards.
"""
from __future__ import annotations

import hashlib
import logging
import os
import re
import tempfile
import zipfile
from pathlib import Path

import numpy as np

logger = logging.getLogger(__name__)


def default_cache_dir() -> Path:
    """``$FEEDMINE_CACHE_DIR``, else ``$XDG_CACHE_HOME/feedmine``, else ``~/.cache/feedmine``."""
    if os.environ.get("FEEDMINE_CACHE_DIR"):
        return Path(os.environ["FEEDMINE_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "feedmine"


#: a cache key: the SHA-256 of the text
KEY_BYTES = 32


def text_key(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8")).digest()


class EmbeddingCache:
    """Vectors of one model, looked up by text digest."""

    def __init__(self, root: str | os.PathLike, model_id: str):
        safe = re.sub(r"[^A-Za-z0-9._-]+", "_", model_id)[:100]
        digest = hashlib.sha256(model_id.encode()).hexdigest()[:10]
        self.dir = Path(root) / f"{safe}-{digest}"
        self._index: dict[bytes, np.ndarray] | None = None
        self._width: int | None = None

    def _load(self) -> dict[bytes, np.ndarray]:
        if self._index is None:
            self._index = {}
            for shard in sorted(self.dir.glob("shard-*.npz")):
                try:
                    with np.load(shard) as data:
                        keys, vectors = data["keys"], data["vectors"]
                # a damaged shard costs a re-embed, not a crash (a cut-off .npz raises BadZipFile, an
                # empty one EOFError)
                except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
                    logger.warning("ignoring unreadable embedding cache shard %s: %s", shard, exc)
                    continue
                problem = self._shard_problem(keys, vectors)
                if problem:  # not trusted: its texts are embedded again and written to a new shard
                    logger.warning("ignoring embedding cache shard %s: %s", shard.name, problem)
                    continue
                for k, v in zip(keys, vectors):
                    self._index[k.tobytes()] = v
        return self._index

    def _shard_problem(self, keys: np.ndarray, vectors: np.ndarray) -> str | None:
        """Why a shard's arrays cannot be what :meth:`put` wrote (None when they can): keys of 32 bytes,
        one finite float vector per key, all shards of one width."""
        if keys.ndim != 2 or keys.shape[1] != KEY_BYTES or keys.dtype != np.uint8:
            return f"keys of shape {keys.shape} and type {keys.dtype}, expected (n, {KEY_BYTES}) bytes"
        if vectors.ndim != 2 or len(vectors) != len(keys) or not np.issubdtype(vectors.dtype, np.floating):
            return f"{len(keys)} keys but vectors of shape {vectors.shape} and type {vectors.dtype}"
        if self._width is not None and vectors.shape[1] != self._width:
            return f"vectors of width {vectors.shape[1]}, the other shards hold {self._width}"
        if not np.isfinite(vectors).all():
            return "vectors with NaN or infinite values"
        self._width = vectors.shape[1]
        return None

    def get(self, keys: list[bytes]) -> list[np.ndarray | None]:
        index = self._load()
        return [index.get(k) for k in keys]

    def put(self, keys: list[bytes], vectors: np.ndarray) -> None:
        if not keys:
            return
        self.dir.mkdir(parents=True, exist_ok=True)
        key_arr = np.frombuffer(b"".join(keys), dtype=np.uint8).reshape(len(keys), -1)
        name = hashlib.sha256(b"".join(sorted(keys))).hexdigest()[:16]
        fd, tmp = tempfile.mkstemp(dir=self.dir, suffix=".tmp.npz")
        os.close(fd)
        np.savez(tmp, keys=key_arr, vectors=vectors.astype(np.float32))
        os.replace(tmp, self.dir / f"shard-{name}.npz")
        index = self._load()
        for k, v in zip(keys, vectors):
            index[k] = v
