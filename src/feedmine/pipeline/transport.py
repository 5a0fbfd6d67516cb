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


def blob_digest(blob: dict[str, bytes]) -> str:
    """One SHA-256 over a blob's files (names sorted)."""
    return hashlib.sha256(b"".join(k.encode() + hashlib.sha256(blob[k]).digest() for k in sorted(blob))).hexdigest()


def model_from_bytes(blob: dict[str, bytes], cls: type) -> Any:
    """The model (a ``cls``, i.e. :class:`~feedmine.Pipeline`) of :func:`model_bytes`, loaded and verified
    once per process."""
    key = blob_digest(blob)
    with _LOCK:
        if key not in _LOADED:
            _LOADED[key] = model_from_blob(blob, cls)
        return _LOADED[key]


def model_from_blob(blob: dict[str, bytes], cls: type) -> Any:
    """:func:`model_from_bytes` without keeping it."""
    with tempfile.TemporaryDirectory(prefix="feedmine-model-") as tmp:
        root = Path(tmp, "model").resolve()
        for name, data in blob.items():
            path = (root / name).resolve()
            if root not in path.parents:
                raise FeedmineError(f"a model file name points outside its folder: {name!r}")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        return model_from_folder(root, cls)


def model_from_folder(folder: Any, cls: type) -> Any:
    """The model saved in ``folder`` (every file verified by :meth:`~feedmine.Pipeline.load`), set up
    for a worker: no progress bars, no workers of its own."""
    model = cls.load(folder)
    model.set_params(progress=False, n_jobs=None)
    _quiet(model.stages_)
    return model


def stages_bytes(stages: dict[str, Any], names: tuple[str, ...]) -> dict[str, bytes]:
    """Fitted ``stages`` (those of ``names``) as files, the way a saved model holds them: each one's
    class, parameters and learned state as JSON, its arrays in one .npz, custom tagging heads beside."""
    import io
    import json

    import numpy as np

    from .persist import _own_heads, _stage_record

    arrays: dict[str, Any] = {}
    records = {name: _stage_record(name, stages[name], arrays) for name in names}
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    blob = {"stages.json": json.dumps(records, ensure_ascii=False).encode("utf-8"), "arrays.npz": buffer.getvalue()}
    tagger = stages.get("tagger")
    if "tagger" in names and tagger is not None and _own_heads(tagger):
        with tempfile.TemporaryDirectory(prefix="feedmine-heads-") as tmp:
            tagger.heads_.save(Path(tmp, "heads.json"))
            blob["heads.json"] = Path(tmp, "heads.json").read_bytes()
    return blob


def stages_from_bytes(blob: dict[str, bytes]) -> dict[str, Any]:
    """The stages of :func:`stages_bytes` (arrays read with ``allow_pickle=False``)."""
    import io
    import json

    import numpy as np

    from ..tagging.heads import LinearHeads
    from .persist import _load_stage

    records = json.loads(blob["stages.json"].decode("utf-8"))
    with np.load(io.BytesIO(blob["arrays.npz"]), allow_pickle=False) as npz:
        arrays = {k: npz[k] for k in npz.files}
    heads = None
    if "heads.json" in blob:
        with tempfile.TemporaryDirectory(prefix="feedmine-heads-") as tmp:
            Path(tmp, "heads.json").write_bytes(blob["heads.json"])
            heads = LinearHeads.load(Path(tmp, "heads.json"))
    stages = {name: _load_stage(name, record, arrays, heads, None) for name, record in records.items()}
    _quiet(stages)
    return stages


def _quiet(stages: dict[str, Any]) -> None:
    for stage in stages.values():  # workers do not draw progress bars
        if hasattr(stage, "get_params") and "progress" in stage.get_params(deep=False):
            stage.set_params(progress=False)
