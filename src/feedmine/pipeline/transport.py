"""A fitted model as bytes, and back: how it reaches worker processes (local, Spark, Dask).

The bytes are the files of its saved folder (JSON, .npz, Parquet; no pickle of the model), so a worker
loads it as :func:`feedmine.load_model` does, every file verified, and keeps it for the chunks or
partitions that follow.
"""
from __future__ import annotations

import hashlib
import tempfile
import threading
from pathlib import Path
from typing import Any

from ..errors import FeedmineError

_LOADED: dict[str, Any] = {}
_LOCK = threading.Lock()


def model_bytes(model: Any) -> dict[str, bytes]:
    """The saved folder of fitted ``model`` (without its fitted Result) as {relative path: bytes}."""
    with tempfile.TemporaryDirectory(prefix="feedmine-model-") as tmp:
        folder = Path(model.save(Path(tmp) / "model", include_result=False))
        return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def model_from_bytes(blob: dict[str, bytes], cls: type) -> Any:
    """The model (a ``cls``, i.e. :class:`~feedmine.Pipeline`) of :func:`model_bytes`, loaded and verified
    once per process."""
    key = hashlib.sha256(b"".join(hashlib.sha256(blob[k]).digest() for k in sorted(blob))).hexdigest()
    with _LOCK:
        if key not in _LOADED:
            with tempfile.TemporaryDirectory(prefix="feedmine-model-") as tmp:
                root = Path(tmp, "model").resolve()
                for name, data in blob.items():
                    path = (root / name).resolve()
                    if root not in path.parents:
                        raise FeedmineError(f"a model file name points outside its folder: {name!r}")
                    path.parent.mkdir(parents=True, exist_ok=True)
                    path.write_bytes(data)
                model = cls.load(Path(tmp, "model"))
            model.set_params(progress=False, n_jobs=None)
            for stage in model.stages_.values():  # workers do not draw progress bars
                if hasattr(stage, "get_params") and "progress" in stage.get_params(deep=False):
                    stage.set_params(progress=False)
            _LOADED[key] = model
        return _LOADED[key]
