"""The pipeline as a model that lives: fit once, put new feedback into the known themes, grow, save.

Two paths run over the same per-item steps (:mod:`feedmine.pipeline.steps`)::

    fit     : clean → units → embed (fit) → align (fit) → cluster + place by the matching rule → describe ─┐
    assign  : clean → units → embed       → align       → place by the matching rule ────────────────────────┤
                                                          tag → documents / themes → score → Result ◀────────┘
    update  : assign, then cluster what stayed unassigned into candidate themes (new ids; old ones unchanged)

The fitted items are placed by the rule that places new ones (:mod:`feedmine.themes.match`), so
assigning the rows a model was fitted on gives them their fitted themes, by construction, and an
item's theme never depends on the batch it comes in.

>>> import pandas as pd
>>> from feedmine import Pipeline
>>> from feedmine.embed import TfidfEmbedder
>>> texts = ["배송이 너무 느려요", "배송 지연 심해요", "앱이 계속 꺼져요", "app crashes on start"] * 5
>>> model = Pipeline(embedder=TfidfEmbedder(n_components=4), random_state=0, progress=False).fit(
...     pd.DataFrame({"comment": texts}), text="comment")
>>> len(model.result_.documents) == len(texts)
True
>>> new = model.assign(pd.DataFrame({"comment": ["배송이 너무 느려요", "app crashes on start"]}))
>>> new.documents["theme_id"].tolist() == model.result_.documents["theme_id"].iloc[[0, 3]].tolist()
True
"""
from __future__ import annotations

import hashlib
import json
import logging
import time
import warnings
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, clone
from tqdm.auto import tqdm

from ..errors import ColumnNotFoundError, FeedmineError
from ..io.tables import load_corpus
from ..result.result import Result
from ..schema import UNASSIGNED, UNITS
from ..themes.cluster import MIN_ITEMS_TO_CLUSTER
from ..themes.units import distinct_theme_pairs
from .assemble import assemble, place
from .stages import STAGES, describe_params, make_stage, versions
from .steps import Batch, journey_tags, make_batch, tag_batch

logger = logging.getLogger(__name__)

FIT_STEPS = ("embed", "cluster", "describe", "tag", "score")
ASSIGN_STEPS = ("embed", "match", "tag", "score")


class Pipeline(BaseEstimator):
    """feedmine's stages as one estimator: :meth:`fit` a table, then :meth:`assign` or :meth:`update`
    with new ones; :meth:`save` it and :func:`feedmine.load_model` it back.

    Each stage parameter takes an estimator; ``None`` means feedmine's default; ``deduplicator=False``
    turns near-duplicate grouping off; ``journey=JourneyStageMapper()`` maps items to customer-journey
    stages (off by default). ``random_state`` is given to every stage that has a ``random_state``
    parameter, so one seed fixes the whole run. ``unit="sentence"`` splits long items into sentences,
    themes the sentences, and puts each item in every theme one of its sentences belongs to (primary
    first, in ``documents.theme_ids``). ``align_languages`` centres each language's mean embedding
    (learned in fit) so that one problem in Korean and English is one theme.

    Fitted attributes: ``result_`` (the Result of the fitted table), ``stages_`` (the fitted stages),
    ``themes_`` (what each known theme is: label, keywords, quotes; ``candidate`` for themes that
    :meth:`update` added), ``tightness_``, ``distinct_pairs_`` (sentence mode), ``columns_`` (the column
    arguments of fit, reused by assign), ``fingerprint_`` (identifies the model as it is now) and
    ``lineage_`` (identifies the fit it grew from; results of one lineage compare theme by theme).
    """

    def __init__(self, cleaner: Any = None, deduplicator: Any = None, embedder: Any = None,
                 clusterer: Any = None, describer: Any = None,
                 tagger: Any = None, journey: Any = None, scorer: Any = None, unit: str = "document",
                 align_languages: bool = True, random_state: int | None = 0, progress: bool = True):
        self.cleaner = cleaner
        self.deduplicator = deduplicator
        self.embedder = embedder
        self.clusterer = clusterer
        self.describer = describer
        self.tagger = tagger
        self.journey = journey
        self.scorer = scorer
        self.unit = unit
        self.align_languages = align_languages
        self.random_state = random_state
        self.progress = progress

    # ----- the public paths ---------------------------------------------------------------------
    def fit(self, source: Any, y: Any = None, **columns: Any) -> "Pipeline":
        """Fit the model on a table and keep its Result as ``result_``.

        ``source`` is a DataFrame or a file path; ``columns`` are the column arguments of
        :func:`feedmine.analyze` (``text=``, ``id=``, ``rating=``, ``date=`` …, ``encoding=``). A corpus
        from :func:`~feedmine.io.load_corpus` (columns ``id`` and ``text``) is taken as it is."""
        corpus, self.columns_ = self._read(source, columns, fitting=True)
        unit = self._unit()
        stages = {name: make_stage(self, name) for name in STAGES}
        progress = _Steps(FIT_STEPS, self.progress)
        batch = make_batch(stages, corpus, unit, fitting=True)
        progress.done("embed")
        clusterer = stages["clusterer"]
        labels, confidence, reassigned, weak = _cluster(clusterer, batch)
        self.distinct_pairs_ = _pairs(clusterer) if unit == "sentence" and batch.distinct else None
        placed = place(batch, labels, confidence, reassigned, weak, unit, self.distinct_pairs_)
        progress.done("cluster")
        describer = stages["describer"]
        describer.fit(batch.unit_texts, placed.unit_labels, batch.Z[batch.source] if len(batch.source) else batch.Z,
                      ids=batch.ids[batch.unit_item].tolist())
        self.themes_ = describer.themes_.assign(candidate=False)
        self.tightness_ = dict(getattr(clusterer, "tightness_", {}))
        progress.done("describe")
        tags, unit_tags = self._tags(stages, batch, fitting=True)
        progress.done("tag")
        self.stages_ = stages
        self.fingerprint_ = self.lineage_ = self._fingerprint()
        meta = {"mode": "fit", "model_fingerprint": self.fingerprint_, "model_lineage": self.lineage_,
                "outlier_share_before_reassignment": getattr(clusterer, "outlier_share_", None),
                "rule_agreement": getattr(clusterer, "rule_agreement_", None),
                "min_cluster_size": getattr(clusterer, "min_cluster_size_", None),
                "embedder": getattr(stages["embedder"], "model_id", type(stages["embedder"]).__name__),
                "versions": versions()}
        self.result_, stages["scorer"] = assemble(batch, placed, tags, unit_tags, describer.themes_.copy(),
                                                  self.tightness_, stages["scorer"], unit, self._config(), meta)
        self.result_.meta["seconds"] = progress.close()
        return self

    def assign(self, source: Any, **columns: Any) -> Result:
        """A Result for new rows in the fitted themes: the same theme ids, a confidence per row, theme
        -1 where no theme fits, tags and per-theme scores of these rows. ``columns`` default to fit's."""
        return self._assign(self._read(source, columns)[0], mode="assign")

    def update(self, source: Any, **columns: Any) -> Result:
        """:meth:`assign`, then cluster the rows no theme fits into candidate themes with new ids, which
        join the model (``themes_.candidate``); every row placed before keeps its theme."""
        corpus = self._read(source, columns)[0]
        self._check_fitted()
        batch = make_batch(self.stages_, corpus, self._unit(), fitting=False)
        matcher = self.stages_["clusterer"].matcher_
        if batch.distinct:
            labels = matcher.match(batch.Z)[0]
            left = np.flatnonzero(labels == UNASSIGNED)
            if len(left) >= MIN_ITEMS_TO_CLUSTER:
                self._grow(batch, left)
        return self._assign(corpus, mode="update", batch=batch)

    def run(self, source: Any, **columns: Any) -> Result:
        """:meth:`fit` and return the fitted table's Result (what :func:`feedmine.analyze` does)."""
        return self.fit(source, **columns).result_

    def save(self, path: Any) -> Any:
        """Write the fitted model to folder ``path`` as data (JSON, .npz, Parquet; no pickle), atomically."""
        from .persist import save_model

        return save_model(self, path)

    @classmethod
    def load(cls, path: Any, embedder: Any = None) -> "Pipeline":
        """A fitted model from a folder :meth:`save` wrote (every file verified); ``embedder`` only when the
        model was fitted with an embedder feedmine cannot save (see :func:`feedmine.load_model`)."""
        from .persist import load_model

        return load_model(cls, path, embedder=embedder)

    # ----- the paths' parts ---------------------------------------------------------------------
    def _assign(self, corpus: pd.DataFrame, mode: str, batch: Batch | None = None) -> Result:
        self._check_fitted()
        unit, stages = self._unit(), self.stages_
        progress = _Steps(ASSIGN_STEPS, self.progress)
        if batch is None:
            batch = make_batch(stages, corpus, unit, fitting=False)
        progress.done("embed")
        matcher = stages["clusterer"].matcher_
        if batch.distinct:
            labels, confidence, score = matcher.match(batch.Z)
            weak = ~matcher.is_typical(labels, score)
        else:
            labels, confidence, weak = np.zeros(0, dtype=np.int64), np.zeros(0), np.zeros(0, dtype=bool)
        placed = place(batch, labels, confidence, np.zeros(len(labels), dtype=bool), weak, unit, self.distinct_pairs_)
        themes = self._batch_themes(batch, placed)
        progress.done("match")
        tags, unit_tags = self._tags(stages, batch, fitting=False)
        progress.done("tag")
        meta = {"mode": mode, "model_fingerprint": self.fingerprint_, "model_lineage": self.lineage_,
                "embedder": getattr(stages["embedder"], "model_id", type(stages["embedder"]).__name__),
                "versions": versions()}
        result, _ = assemble(batch, placed, tags, unit_tags, themes, self.tightness_,
                             clone(stages["scorer"], safe=False), unit, self._config(), meta)
        result.meta["seconds"] = progress.close()
        return result

    def _grow(self, batch: Batch, left: np.ndarray) -> None:
        """Cluster the unassigned distinct units ``left``; their themes become a new matcher generation."""
        stages, matcher = self.stages_, self.stages_["clusterer"].matcher_
        fresh = clone(stages["clusterer"]).fit(batch.Z[left])
        if not fresh.n_themes_:
            logger.info("update: the %d unassigned items form no new theme", len(left))
            return
        offset = int(self.themes_["theme_id"].max()) + 1
        matcher.extend(batch.Z[left], np.where(fresh.core_labels_ >= 0, fresh.core_labels_ + offset, UNASSIGNED))
        describer = clone(stages["describer"])
        units = np.flatnonzero(np.isin(batch.source, left))
        new_labels = np.where(fresh.labels_ >= 0, fresh.labels_ + offset, UNASSIGNED)
        unit_labels = new_labels[np.searchsorted(left, batch.source[units])]
        describer.fit([batch.unit_texts[u] for u in units], unit_labels, batch.Z[batch.source[units]],
                      ids=batch.ids[batch.unit_item[units]].tolist())
        added = describer.themes_[describer.themes_["theme_id"] >= offset].assign(candidate=True)
        self.themes_ = pd.concat([self.themes_, added], ignore_index=True)
        self.tightness_.update({int(t) + offset: v for t, v in fresh.tightness_.items()})
        if self.distinct_pairs_ is not None:
            self.distinct_pairs_ = _pairs(stages["clusterer"])
        self.fingerprint_ = self._fingerprint()
        logger.info("update: %d candidate themes from %d unassigned items", len(added), len(left))

    def _batch_themes(self, batch: Batch, placed: Any) -> pd.DataFrame:
        """The known themes as described at fit, quoted with this batch's own most typical feedback."""
        describer = self.stages_["describer"]
        known = self.themes_.drop(columns=["quotes", "quote_ids"])
        if UNASSIGNED not in set(known["theme_id"]):
            known = pd.concat([pd.DataFrame({"theme_id": [UNASSIGNED], "label": ["unassigned"],
                                             "keywords": [[]], "keyword_scores": [[]], "candidate": [False]}),
                               known], ignore_index=True)
        vectors = batch.Z[batch.source] if len(batch.source) else batch.Z
        quotes = describer.quotes(batch.unit_texts, placed.unit_labels, vectors, ids=batch.ids[batch.unit_item].tolist())
        themes = known.merge(quotes, on="theme_id", how="left")
        for col in ("quotes", "quote_ids"):
            themes[col] = [v if isinstance(v, list) else [] for v in themes[col]]
        return themes

    def _tags(self, stages: dict[str, Any], batch: Batch, fitting: bool) -> tuple[pd.DataFrame, pd.DataFrame]:
        tags, unit_tags = tag_batch(stages["tagger"], batch, stages["embedder"], self._unit(), fitting)
        return tags.join(journey_tags(stages["journey"], stages["embedder"], batch, fitting)), unit_tags

    def _read(self, source: Any, columns: dict[str, Any], fitting: bool = False) -> tuple[pd.DataFrame, dict]:
        """The corpus of ``source``: explicit column arguments first, then a corpus as it is, then (assign)
        the column arguments fit was given."""
        columns = {k: v for k, v in columns.items() if v is not None}
        if not columns and isinstance(source, pd.DataFrame) and {"id", "text"} <= set(source.columns):
            return source.reset_index(drop=True), {}
        if not columns and not fitting:
            self._check_fitted()
            try:
                return load_corpus(source, **self.columns_), dict(self.columns_)
            except ColumnNotFoundError as err:  # the table of fit had a column this one lacks
                shown = ", ".join(f"{k}={v!r}" for k, v in self.columns_.items())
                err.args = (f"{err.args[0]} (The model was fitted with {shown}; for a table with other columns "
                            "pass them here, e.g. model.assign(table, text=...).)",)
                raise
        return load_corpus(source, **columns), {k: v for k, v in columns.items() if k != "encoding"}

    def _unit(self) -> str:
        if self.unit == "segment":  # the old name: "segment" now means a customer segment only
            warnings.warn("unit='segment' is now unit='sentence'", FutureWarning, stacklevel=3)
            return "sentence"
        if self.unit not in UNITS:
            raise FeedmineError(f"unit must be one of {', '.join(UNITS)}, got {self.unit!r}.")
        return self.unit

    def _check_fitted(self) -> None:
        if not hasattr(self, "stages_"):
            raise FeedmineError("this Pipeline is not fitted yet: call fit(table, text=...) first, or load a "
                                "saved one with feedmine.load_model(folder).")
        if not hasattr(self.stages_["clusterer"], "matcher_"):
            raise FeedmineError(f"the clusterer {type(self.stages_['clusterer']).__name__} has no matching rule "
                                "(matcher_), so new items cannot be placed; use feedmine.ThemeClusterer, which "
                                "takes your reducer and clusterer objects.")

    def _config(self) -> dict[str, Any]:
        config = {name: describe_params(stage) for name, stage in self.stages_.items()}
        config["random_state"] = self.random_state
        return config

    def _fingerprint(self) -> str:
        """A digest of what places items: the parameters, the known themes and the matcher's references."""
        digest = hashlib.sha256(json.dumps(self._config(), sort_keys=True, default=str).encode())
        matcher = self.stages_["clusterer"].matcher_
        for refs, labels in zip(matcher.references_, matcher.reference_labels_):
            digest.update(np.ascontiguousarray(refs).tobytes())
            digest.update(np.ascontiguousarray(labels).tobytes())
        return digest.hexdigest()[:16]


def _cluster(clusterer: Any, batch: Batch) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(theme, confidence, reassigned, weak) per distinct unit, from the fitted clusterer."""
    clusterer.fit(batch.Z)  # with nothing to analyse, a clusterer that knows no theme
    if not batch.distinct:
        return np.zeros(0, dtype=int), np.zeros(0), np.zeros(0, dtype=bool), np.zeros(0, dtype=bool)
    labels = np.asarray(clusterer.labels_)
    matcher = getattr(clusterer, "matcher_", None)
    weak = ~matcher.is_typical(labels, clusterer.scores_) if matcher is not None else \
        np.asarray(clusterer.reassigned_, dtype=bool)
    return labels, np.asarray(clusterer.confidence_), np.asarray(clusterer.reassigned_, dtype=bool), weak


def _pairs(clusterer: Any) -> dict[tuple[int, int], bool] | None:
    """Which known themes are about different things, from the matcher's members (all generations)."""
    matcher = getattr(clusterer, "matcher_", None)
    if matcher is None or not matcher.references_:
        return None
    return distinct_theme_pairs(np.vstack(matcher.references_), np.concatenate(matcher.reference_labels_))


class _Steps:
    """A progress bar over the steps of a path, and the seconds each took."""

    def __init__(self, steps: tuple[str, ...], show: bool):
        self.bar = tqdm(total=len(steps), desc="feedmine", unit="step", disable=not show)
        self.start, self.seconds = time.perf_counter(), {}

    def done(self, name: str) -> None:
        now = time.perf_counter()
        self.seconds[name] = round(now - self.start, 3)
        self.start = now
        self.bar.set_postfix_str(name)
        self.bar.update(1)

    def close(self) -> dict[str, float]:
        self.bar.close()
        return self.seconds
