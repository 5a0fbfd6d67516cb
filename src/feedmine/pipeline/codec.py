"""Stages as plain data: their parameters as JSON, what they learned as JSON and named arrays.

Loading builds objects only of the feedmine classes listed in :data:`KNOWN`, from their parameters;
nothing is imported by a name read from a file and nothing is unpickled. A parameter that holds an
object of another library (a scikit-learn reducer, say) is recorded by its repr and comes back as the
parameter's default, with a warning; :func:`feedmine.load_model` takes stage objects to use instead.
"""
from __future__ import annotations

import inspect
import logging
import warnings
from typing import Any

import numpy as np

from ..analysis.score import ThemeScorer
from ..embed.align import LanguageAligner
from ..embed.e5 import E5Embedder
from ..embed.hybrid import HybridEmbedder
from ..embed.sentence_transformers import SentenceTransformerEmbedder
from ..embed.static import StaticEmbedder
from ..embed.tfidf import TfidfEmbedder
from ..embed.use import USEEmbedder
from ..tagging.heads import LinearHeads
from ..tagging.journey import JourneyStageMapper
from ..tagging.journey_cues import compile_cues
from ..tagging.lexicon import LexiconTagger
from ..tagging.tagger import FeedbackTagger
from ..text.dedup import NearDuplicateFinder
from ..text.normalize import TextCleaner
from ..text.pii import PiiMasker
from ..text.tokenize import KeywordTokenizer
from ..themes.cluster import ThemeClusterer
from ..themes.describe import ThemeDescriber
from ..themes.match import ThemeMatcher

logger = logging.getLogger(__name__)

#: the classes a saved model may name; nothing else is ever built from a file
KNOWN = {cls.__name__: cls for cls in (
    TextCleaner, PiiMasker, NearDuplicateFinder, HybridEmbedder, E5Embedder, USEEmbedder, TfidfEmbedder,
    SentenceTransformerEmbedder, StaticEmbedder, LanguageAligner, ThemeClusterer, ThemeMatcher, ThemeDescriber, KeywordTokenizer,
    FeedbackTagger, LexiconTagger, JourneyStageMapper, ThemeScorer)}


# ----- parameters ----------------------------------------------------------------------------------
def encode(value: Any) -> Any:
    """A parameter value as JSON: primitives as they are; tuples, int-keyed dicts and feedmine
    estimators tagged; tagging heads by reference (saved beside); anything else by its repr."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, tuple):
        return {"__tuple__": [encode(v) for v in value]}
    if isinstance(value, list):
        return [encode(v) for v in value]
    if isinstance(value, dict):
        if all(isinstance(k, str) for k in value):
            return {k: encode(v) for k, v in value.items()}
        return {"__items__": [[encode(k), encode(v)] for k, v in value.items()]}
    if isinstance(value, (set, frozenset)):
        return {"__set__": sorted(encode(v) for v in value)}
    if isinstance(value, LinearHeads):
        return {"__heads__": "heads.json"}
    if type(value).__name__ in KNOWN and type(value) is KNOWN[type(value).__name__]:
        return {"__estimator__": type(value).__name__, "params": encode(value.get_params(deep=False))}
    return {"__object__": repr(value)}


def decode(value: Any, heads: LinearHeads | None = None) -> Any:
    if isinstance(value, list):
        return [decode(v, heads) for v in value]
    if not isinstance(value, dict):
        return value
    if "__tuple__" in value:
        return tuple(decode(v, heads) for v in value["__tuple__"])
    if "__items__" in value:
        return {decode(k, heads): decode(v, heads) for k, v in value["__items__"]}
    if "__set__" in value:
        return set(decode(v, heads) for v in value["__set__"])
    if "__heads__" in value:
        return heads
    if "__estimator__" in value:
        return build(value["__estimator__"], value["params"], heads)
    return {k: decode(v, heads) for k, v in value.items()}


def build(name: str, params: dict[str, Any], heads: LinearHeads | None = None) -> Any:
    """An object of the known class ``name`` from its encoded parameters."""
    if name not in KNOWN:
        raise ValueError(f"unknown class {name!r} in a saved model (known: {', '.join(sorted(KNOWN))})")
    cls = KNOWN[name]
    defaults = {k: p.default for k, p in inspect.signature(cls).parameters.items()}
    kwargs = {}
    for key, raw in params.items():
        if key not in defaults:
            raise ValueError(f"{name} has no parameter {key!r}; the model was saved by another feedmine")
        if isinstance(raw, dict) and "__object__" in raw:
            warnings.warn(f"{name}.{key} was {raw['__object__']}, which is not saved as data; it is back at its "
                          f"default {defaults[key]!r}. Pass the stage to load_model() to use yours.", stacklevel=4)
            continue
        kwargs[key] = decode(raw, heads)
    return cls(**kwargs)


# ----- learned state --------------------------------------------------------------------------------
def get_state(stage: Any) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """What a fitted stage learned (JSON, arrays); nothing for stages that learn nothing from data."""
    if isinstance(stage, (TfidfEmbedder, LanguageAligner, StaticEmbedder)):
        return stage.get_state()
    if isinstance(stage, HybridEmbedder):
        data, arrays = stage.lexical_.get_state()
        out = {"lexical": {"class": type(stage.lexical_).__name__, "params": encode(stage.lexical_.get_params())},
               "lexical_state": data, "semantic_dim": getattr(stage, "semantic_dim_", None)}
        if hasattr(stage.semantic_, "get_state"):  # a semantic block that learned from the data (the fast tier)
            semantic, learned = stage.semantic_.get_state()
            out["semantic_state"] = semantic
            arrays = {**arrays, **{f"semantic.{k}": v for k, v in learned.items()}}
        return out, arrays
    if isinstance(stage, ThemeClusterer):
        return stage.matcher_.get_state()
    if isinstance(stage, JourneyStageMapper):
        data = {"stages": stage.stages_, "phrases": stage.phrases_, "cues": stage.cues_,
                "names_ko": stage.names_ko_, "default_stage": stage.default_stage_, "model_id": stage.model_id_}
        arrays = {"stage_vectors": stage.stage_vectors_, "phrase_vectors": stage.phrase_vectors_,
                  "phrase_stage": stage.phrase_stage_}
        if stage.center_ is not None:
            arrays["center"] = stage.center_
        return data, arrays
    return {}, {}


def set_state(stage: Any, data: dict[str, Any], arrays: dict[str, np.ndarray]) -> Any:
    """``stage`` as fitted, from :func:`get_state`'s output."""
    if isinstance(stage, (TfidfEmbedder, LanguageAligner, StaticEmbedder)):
        return stage.set_state(data, arrays)
    if isinstance(stage, HybridEmbedder):
        semantic = E5Embedder(progress=stage.progress) if stage.semantic is None else stage.semantic
        if "semantic_state" in data:
            learned = {k[len("semantic."):]: v for k, v in arrays.items() if k.startswith("semantic.")}
            stage.semantic_ = semantic.set_state(data["semantic_state"], learned)
        else:
            stage.semantic_ = semantic.fit() if hasattr(semantic, "fit") else semantic
        lexical = build(data["lexical"]["class"], data["lexical"]["params"])
        stage.lexical_ = lexical.set_state(data["lexical_state"], {k: v for k, v in arrays.items()
                                                                   if not k.startswith("semantic.")})
        if data.get("semantic_dim") is not None:
            stage.semantic_dim_ = int(data["semantic_dim"])
        return stage
    if isinstance(stage, ThemeClusterer):
        stage.matcher_ = ThemeMatcher(stage.match_neighbors, stage.reassign_fence,
                                      "all" if stage.reassign == "all" else "threshold",
                                      stage.match_references).set_state(data, arrays)
        return stage
    if isinstance(stage, JourneyStageMapper):
        return _set_journey(stage, data, arrays)
    if hasattr(stage, "fit") and isinstance(stage, (TextCleaner, FeedbackTagger, LexiconTagger)):
        return stage.fit()  # nothing learned from data: the fit loads patterns and shipped weights
    return stage


def _set_journey(stage: JourneyStageMapper, data: dict[str, Any], arrays: dict[str, np.ndarray]) -> Any:
    stage.stages_, stage.phrases_, stage.cues_ = list(data["stages"]), data["phrases"], data["cues"]
    stage.names_ko_, stage.default_stage_, stage.model_id_ = data["names_ko"], data["default_stage"], data["model_id"]
    stage.cue_patterns_ = compile_cues(stage.cues_)
    stage.stage_vectors_ = np.asarray(arrays["stage_vectors"], dtype=np.float64)
    stage.phrase_vectors_ = np.asarray(arrays["phrase_vectors"], dtype=np.float64)
    stage.phrase_stage_ = np.asarray(arrays["phrase_stage"], dtype=np.int64)
    stage.center_ = np.asarray(arrays["center"], dtype=np.float64) if "center" in arrays else None
    stage.embedder_ = stage.embedder if stage.embedder is not None else E5Embedder(progress=False)
    return stage
