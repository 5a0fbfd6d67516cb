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
import warnings
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, clone

from ..errors import ColumnNotFoundError, FeedmineError
from ..io.tables import load_corpus
from ..result.result import Result
from ..schema import UNASSIGNED, UNITS
from ..themes.cluster import MIN_ITEMS_TO_CLUSTER
from ..themes.hierarchy import tree_record
from ..themes.theme_map import ThemeLayout
from .assemble import assemble, place
from .stages import STAGES, describe_params, make_stage, versions
from . import chunks
from .chunks import combine_chunks, place_chunks
from .groups import assign_groups, fit_groups
from .workers import for_table
from .steps import (Batch, StepProgress, cluster_batch, journey_tags, make_batch, name_embedder, tag_batch,
                    theme_pairs)

logger = logging.getLogger(__name__)

FIT_STEPS = ("embed", "cluster", "describe", "tag", "score")
#: rows a fit learns themes from at most; longer tables are fitted on a sample and assigned whole
FIT_SAMPLE = 50_000
#: place: every row embedded, matched and tagged chunk by chunk; combine: duplicates over the whole table
ASSIGN_STEPS = ("place", "combine", "score")


class Pipeline(BaseEstimator):
    """feedmine's stages as one estimator: :meth:`fit` a table, then :meth:`assign` or :meth:`update`
    with new ones; :meth:`save` it and :func:`feedmine.load_model` it back.

    Each stage parameter takes an estimator; ``None`` means feedmine's default; ``deduplicator=False``
    turns near-duplicate grouping off; ``journey=JourneyStageMapper()`` maps items to customer-journey
    stages (off by default). ``random_state`` is given to every stage that has a ``random_state``
    parameter, so one seed fixes the whole run. ``unit="sentence"`` splits long items into sentences,
    themes the sentences, and puts each item in every theme one of its sentences belongs to (primary
    first, in ``documents.theme_ids``). ``align_languages`` centres each language's mean embedding
    (learned in fit) so that one problem in Korean and English is one theme. ``fit_sample``: a table
    longer than this is fitted on a seeded random sample of this many rows and then assigned whole
    (None fits every row). ``n_jobs``: processes that place the rows of a long table (more than one
    chunk of :data:`~feedmine.pipeline.chunks.CHUNK_ROWS`): this one and ``n_jobs - 1`` workers; -1 for
    one per CPU, None for this process alone. The output is the same for any ``n_jobs``. A table with a
    group column (``by=``) is analysed per group, in ``group_themes`` "shared" (default) or "separate"
    themes (:mod:`feedmine.pipeline.groups`).

    Fitted attributes: ``result_`` (the Result of the fitted table), ``stages_`` (the fitted stages),
    ``themes_`` (what each known theme is: label, keywords, quotes; ``candidate`` for themes that
    :meth:`update` added), ``tightness_``, ``distinct_pairs_`` (sentence mode), ``columns_`` (the column
    arguments of fit, reused by assign), ``fingerprint_`` (identifies the model as it is now) and
    ``lineage_`` (identifies the fit it grew from; results of one lineage compare theme by theme).
    """

    def __init__(self, cleaner: Any = None, deduplicator: Any = None, embedder: Any = None,
                 clusterer: Any = None, describer: Any = None,
                 tagger: Any = None, journey: Any = None, scorer: Any = None, unit: str = "document",
                 align_languages: bool = True, fit_sample: int | None = FIT_SAMPLE, n_jobs: int | None = None,
                 group_themes: str = "shared", random_state: int | None = 0, progress: bool = True):
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
        self.fit_sample = fit_sample
        self.n_jobs = n_jobs
        self.group_themes = group_themes
        self.random_state = random_state
        self.progress = progress

    # ----- the public paths ---------------------------------------------------------------------
    def fit(self, source: Any, y: Any = None, **columns: Any) -> "Pipeline":
        """Fit the model on a table and keep its Result as ``result_``.

        ``source`` is a DataFrame or a file path; ``columns`` are the column arguments of
        :func:`feedmine.analyze` (``text=``, ``id=``, ``rating=``, ``date=`` …, ``encoding=``). A corpus
        from :func:`~feedmine.io.load_corpus` (columns ``id`` and ``text``) is taken as it is. A table
        longer than ``fit_sample`` rows is fitted on a random sample of that many (seeded) and every row,
        sampled or not, is then placed by the assign path: each comes out once, in input order."""
        corpus, self.columns_ = self._read(source, columns, fitting=True)
        self.group_mode_, self.groups_ = None, None
        if "group" in corpus:  # by=: one analysis per group (pipeline/groups.py)
            fit_groups(self, corpus, lambda model, plain: type(model).fit(model, plain))
            return self
        sample = self._sample(len(corpus))
        fitted = corpus if sample is None else corpus.iloc[sample].reset_index(drop=True)
        progress = StepProgress(FIT_STEPS, self.progress)
        if sample is None:
            batch, placed, meta = self._learn(fitted, progress)
        else:
            early: dict[str, Any] = {}
            try:
                batch, placed, meta = self._learn(fitted, progress, lambda st, b: self._start_early(st, b, corpus, early))
                meta["fit_sample"] = {"n_fitted": int(len(sample)), "n_rows": int(len(corpus))}
                del batch, placed, fitted  # the sample's vectors: not needed while every row is placed
                workers = early.get("workers")
                prepared = workers.stop_preparing() if workers is not None else {}
                self.result_ = self._assign(corpus, mode="fit", meta=meta, workers=workers, prepared=prepared)
            finally:
                if early.get("workers") is not None:
                    early["workers"].close()
            fit_seconds = {f"fit_{k}": v for k, v in progress.close().items()}
            self.result_.meta["seconds"] = {**fit_seconds, **self.result_.meta["seconds"]}
            return self
        tags, unit_tags = self._tags(self.stages_, batch, fitting=True)
        progress.done("tag")
        self.result_, self.stages_["scorer"] = assemble(batch, placed, tags, unit_tags, self.themes_.drop(
            columns="candidate"), self.tightness_, self.stages_["scorer"], self._unit(), self._config(), meta)
        self.result_.meta["seconds"] = progress.close()
        return self

    def _sample(self, n: int) -> np.ndarray | None:
        """Rows to fit on when the table is longer than ``fit_sample`` (sorted, seeded); None for all."""
        if not self.fit_sample or n <= int(self.fit_sample):
            return None
        rng = np.random.RandomState(0 if self.random_state is None else self.random_state)
        return np.sort(rng.choice(n, int(self.fit_sample), replace=False))

    def _learn(self, corpus: pd.DataFrame, progress: "StepProgress",
               embedded: Any = None) -> tuple[Batch, Any, dict[str, Any]]:
        """The model's learning: embed (fit), cluster, place by the rule, describe. Sets ``stages_``,
        ``themes_``, ``tightness_``, ``distinct_pairs_``, ``fingerprint_``, ``lineage_``.
        ``embedded(stages, batch)`` is called once the embedder is fitted, before the clustering."""
        unit = self._unit()
        stages = {name: make_stage(self, name) for name in STAGES}
        batch = make_batch(stages, corpus, unit, fitting=True)
        progress.done("embed")
        if embedded is not None:
            embedded(stages, batch)
        clusterer = stages["clusterer"]
        labels, confidence, reassigned, weak = cluster_batch(clusterer, batch)
        self.distinct_pairs_ = theme_pairs(clusterer) if unit == "sentence" and batch.distinct else None
        xy = ThemeLayout.of(*clusterer.matcher_.centroids()).place(batch.Z) if batch.distinct else None
        placed = place(batch, labels, confidence, reassigned, weak, unit, self.distinct_pairs_, xy)
        progress.done("cluster")
        describer = stages["describer"]
        describer.fit(batch.unit_texts, placed.unit_labels, batch.Z[batch.source] if len(batch.source) else batch.Z,
                      ids=batch.ids[batch.unit_item].tolist(), embed=name_embedder(stages))
        self.themes_ = describer.themes_.assign(candidate=False)
        self.tightness_ = dict(getattr(clusterer, "tightness_", {}))
        progress.done("describe")
        self.stages_ = stages
        self.fingerprint_ = self.lineage_ = self._fingerprint()
        meta = {**self._meta("fit"), "outlier_share_before_reassignment": getattr(clusterer, "outlier_share_", None),
                "rule_agreement": getattr(clusterer, "rule_agreement_", None),
                "min_cluster_size": getattr(clusterer, "min_cluster_size_", None)}
        return batch, placed, meta

    def _meta(self, mode: str) -> dict[str, Any]:
        """What every Result of this model records: the path, the model's identity, its theme tree."""
        return {"mode": mode, "model_fingerprint": self.fingerprint_, "model_lineage": self.lineage_,
                "embedder": getattr(self.stages_["embedder"], "model_id", type(self.stages_["embedder"]).__name__),
                "versions": versions(), "theme_tree": tree_record(self.stages_["clusterer"])}

    def assign(self, source: Any, **columns: Any) -> Result:
        """A Result for new rows in the fitted themes: the same theme ids, a confidence per row, theme
        -1 where no theme fits, tags and per-theme scores of these rows. ``columns`` default to fit's."""
        corpus = self._read(source, columns)[0]
        if self._grouped(corpus):
            return assign_groups(self, corpus, mode="assign")
        return self._assign(corpus, mode="assign")

    def update(self, source: Any, **columns: Any) -> Result:
        """:meth:`assign`, then cluster the rows no theme fits into candidate themes with new ids, which
        join the model (``themes_.candidate``); every row placed before keeps its theme."""
        corpus = self._read(source, columns)[0]
        self._check_fitted()
        if self._grouped(corpus):
            raise FeedmineError("update is not available for a model fitted with by= yet; assign new rows with "
                                "assign(), or fit again on the grown table.")
        Z, texts, ids = self._leftovers(corpus)
        if len(texts) >= MIN_ITEMS_TO_CLUSTER:
            self._grow(Z, texts, ids)
        return self._assign(corpus, mode="update")

    def run(self, source: Any, **columns: Any) -> Result:
        """:meth:`fit` and return the fitted table's Result (what :func:`feedmine.analyze` does)."""
        return self.fit(source, **columns).result_

    def save(self, path: Any, include_result: bool = True) -> Any:
        """Write the fitted model to folder ``path`` as data (JSON, .npz, Parquet; no pickle), atomically;
        ``include_result=False`` leaves out the fitted table's Result (``result_`` is None when loaded)."""
        from .persist import save_grouped, save_model

        if getattr(self, "group_mode_", None) == "separate":
            return save_grouped(self, path, include_result=include_result)
        return save_model(self, path, include_result=include_result)

    @classmethod
    def load(cls, path: Any, embedder: Any = None) -> "Pipeline":
        """A fitted model from a folder :meth:`save` wrote (every file verified); ``embedder`` only when the
        model was fitted with an embedder feedmine cannot save (see :func:`feedmine.load_model`)."""
        from .persist import load_model

        return load_model(cls, path, embedder=embedder)

    # ----- the paths' parts ---------------------------------------------------------------------
    def _start_early(self, stages: dict[str, Any], batch: Batch, corpus: pd.DataFrame, early: dict) -> None:
        """The fit of a long table, once its embedder is fitted on the sample: fit the taggers, and let
        worker processes prepare the table's chunks while the themes are fitted (pipeline/workers.py)."""
        stages["tagger"].fit(batch.unit_texts, batch.langs[batch.unit_item].astype(str).tolist())
        journey_tags(stages["journey"], stages["embedder"], batch, fitting=True)
        workers = for_table(self.n_jobs, len(corpus), stages, type(self))
        if workers is not None and workers.prepare_table(stages, corpus, self._unit()):
            early["workers"] = workers

    def _assign(self, corpus: pd.DataFrame, mode: str, meta: dict[str, Any] | None = None,
                workers: Any = None, prepared: dict | None = None) -> Result:
        self._check_fitted()
        unit, stages = self._unit(), self.stages_
        progress = StepProgress(ASSIGN_STEPS, self.progress)
        n_quotes = getattr(stages["describer"], "n_quotes", 3)
        workers = workers if workers is not None else for_table(self.n_jobs, len(corpus), stages, type(self))
        if workers is not None:
            try:
                workers.use_model(self)
            except FeedmineError as err:  # a stage that is not saved as data: this process places the rest
                logger.info("n_jobs=%s: %s; placing rows here", self.n_jobs, err)
                workers.ref = None  # prepared chunks still come back from the workers
        try:
            chunks_done, quotes = place_chunks(stages, corpus, unit, n_quotes, self.progress, workers=workers,
                                               prepared=prepared)
        finally:
            if workers is not None:
                workers.close()  # before the join: the workers' models are gigabytes
        progress.done("place")
        done = combine_chunks(stages, corpus, chunks_done, quotes)
        del chunks_done
        chunks.release_memory()
        progress.done("combine")
        placed = place(done.batch, done.labels, done.confidence, np.zeros(len(done.labels), dtype=bool), done.weak,
                       unit, self.distinct_pairs_, done.xy)
        themes = self._batch_themes(done.quotes)
        meta = dict(meta) if meta is not None else self._meta(mode)  # fit's own already holds _meta
        result, _ = assemble(done.batch, placed, done.tags, done.unit_tags, themes, self.tightness_,
                             clone(stages["scorer"], safe=False), unit, self._config(), meta)
        progress.done("score")
        result.meta["seconds"] = progress.close()
        return result

    def _leftovers(self, corpus: pd.DataFrame) -> tuple[np.ndarray, list[str], list[str]]:
        """(vectors, texts, ids) of the distinct units of ``corpus`` that no known theme fits."""
        matcher, vectors, texts, ids = self.stages_["clusterer"].matcher_, [], [], []
        for start in range(0, len(corpus), chunks.CHUNK_ROWS):
            batch = make_batch(self.stages_, corpus.iloc[start:start + chunks.CHUNK_ROWS].reset_index(drop=True),
                               self._unit(), fitting=False, near=False)
            if not batch.distinct:
                continue
            left = np.flatnonzero(matcher.match(batch.Z)[0] == UNASSIGNED)
            first_unit = np.unique(batch.source, return_index=True)[1]
            vectors.append(batch.Z[left])
            texts += [batch.distinct[d] for d in left]
            ids += [str(i) for i in batch.ids[batch.unit_item[first_unit[left]]]]
        return (np.vstack(vectors) if vectors else np.zeros((0, 1), np.float32)), texts, ids

    def _grow(self, Z: np.ndarray, texts: list[str], ids: list[str]) -> None:
        """Cluster the unassigned distinct units; their themes become a new generation of the rule."""
        stages, matcher = self.stages_, self.stages_["clusterer"].matcher_
        fresh = clone(stages["clusterer"]).fit(Z)
        if not fresh.n_themes_:
            logger.info("update: the %d unassigned items form no new theme", len(texts))
            return
        offset = int(self.themes_["theme_id"].max()) + 1
        matcher.extend(Z, np.where(fresh.core_labels_ >= 0, fresh.core_labels_ + offset, UNASSIGNED))
        describer = clone(stages["describer"])
        describer.fit(texts, np.where(fresh.labels_ >= 0, fresh.labels_ + offset, UNASSIGNED), Z, ids=ids,
                      embed=name_embedder(stages))
        added = describer.themes_[describer.themes_["theme_id"] >= offset].assign(candidate=True)
        self.themes_ = pd.concat([self.themes_, added], ignore_index=True)
        self.tightness_.update({int(t) + offset: v for t, v in fresh.tightness_.items()})
        if self.distinct_pairs_ is not None:
            self.distinct_pairs_ = theme_pairs(stages["clusterer"])
        self.fingerprint_ = self._fingerprint()
        logger.info("update: %d candidate themes from %d unassigned items", len(added), len(texts))

    def _batch_themes(self, quotes: dict[int, list]) -> pd.DataFrame:
        """The known themes as described at fit, quoted with this table's own most typical feedback."""
        known = self.themes_.drop(columns=["quotes", "quote_ids"])
        if UNASSIGNED not in set(known["theme_id"]):
            known = pd.concat([pd.DataFrame({"theme_id": [UNASSIGNED], "label": ["unassigned"],
                                             "keywords": [[]], "keyword_scores": [[]], "candidate": [False]}),
                               known], ignore_index=True)
        known["quotes"] = [[q[2] for q in quotes.get(int(t), [])] for t in known["theme_id"]]
        known["quote_ids"] = [[q[3] for q in quotes.get(int(t), [])] for t in known["theme_id"]]
        return known

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

    def _grouped(self, corpus: pd.DataFrame) -> bool:
        """Whether ``corpus`` goes through the model's groups; a clear error where table and model disagree."""
        mode = getattr(self, "group_mode_", None)
        if ("group" in corpus) != bool(mode):
            raise FeedmineError("this model was fitted with by=; pass the group column (by=...)" if mode else
                                "this model was fitted without by=, so it has no groups; leave by= out or fit with it.")
        return bool(mode)

    def _check_fitted(self) -> None:
        if getattr(self, "group_mode_", None) == "separate":
            return
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
