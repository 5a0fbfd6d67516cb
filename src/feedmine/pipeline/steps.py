"""The per-item steps both paths share: clean, split into units, embed, align, tag.

The fit path and the assign path run these same functions on their table; only the fit path also
learns (the embedder's TF-IDF block, the language means). Every step is a function of one item and the
fitted state, except where a table is combined on purpose (exact and near duplicates, agreement
replies): those annotate rows of the same table and never change an item's theme. So an item gets the
same vector, and therefore the same theme, whatever batch it comes in.
"""
from __future__ import annotations

import inspect
import logging
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from ..analysis.threads import agreement_votes, is_agreement
from ..schema import NOT_ANALYSED
from ..tagging import item_tags
from ..text.dedup import Sketch
from ..text.metadata_pii import mask_metadata
from ..text.normalize import first_occurrences
from ..tagging.heads import semantic_vectors
from ..themes.units import distinct_theme_pairs, make_units, unique_units

logger = logging.getLogger(__name__)


@dataclass
class Batch:
    """One table on its way through the per-item steps (the same in both paths).

    Rows are the corpus rows; units are what gets a theme (the analysed rows, or their sentences);
    ``distinct`` are the distinct unit texts, embedded and matched once (``source`` maps units to them).
    """

    corpus: pd.DataFrame
    clean: pd.DataFrame
    usable: np.ndarray
    unit_item: np.ndarray
    unit_texts: list[str]
    unit_sentence: np.ndarray
    distinct: list[str]
    source: np.ndarray
    X: np.ndarray
    Z: np.ndarray
    truncated: np.ndarray
    near: tuple[np.ndarray, np.ndarray] | None

    @property
    def n(self) -> int:
        return len(self.corpus)

    @property
    def ids(self) -> np.ndarray:
        return self.corpus["id"].to_numpy(dtype=object)

    @property
    def langs(self) -> np.ndarray:
        return self.clean["lang"].to_numpy(dtype=object)

    @property
    def distinct_langs(self) -> np.ndarray:
        first = np.unique(self.source, return_index=True)[1]
        return self.langs[self.unit_item][first].astype(str)

    @property
    def unit_vectors(self) -> np.ndarray:
        """The embedder's own vectors, one row per unit (what the tagger reads)."""
        return self.X[self.source] if len(self.source) else self.X


def clean_rows(cleaner: Any, corpus: pd.DataFrame) -> pd.DataFrame:
    """The cleaner's table for every row; in a discussion, "+1", "222" and "^" (no letters) say "me too"
    and are analysed, so that they can become votes."""
    clean = cleaner.transform(corpus["text"].tolist(), ids=corpus["id"].tolist())
    if "parent_id" in corpus or "thread_id" in corpus:
        revive = clean["skip_reason"].eq("no_letters").to_numpy() & \
            np.array([is_agreement(t) for t in clean["text_clean"]], dtype=bool)
        clean.loc[revive, "skip_reason"] = None
        clean.loc[revive, "lang"] = "other"
    return clean


def make_batch(stages: dict[str, Any], corpus: pd.DataFrame, unit: str, fitting: bool, near: bool = True) -> Batch:
    """Clean, find near duplicates (``near``), cut into units, embed and align ``corpus``; ``fitting``
    fits the embedder and the aligner on it first (the fit path)."""
    if fitting:
        stages["cleaner"].fit()
    masker = getattr(stages["cleaner"], "masker_", None)
    if masker is not None:  # channel, segment, kept columns and ids carry personal data too
        corpus = mask_metadata(corpus, masker)
    clean = clean_rows(stages["cleaner"], corpus)
    usable = np.flatnonzero(clean["skip_reason"].isna().to_numpy())
    texts = clean["text_clean"].to_numpy(dtype=object)
    langs = clean["lang"].to_numpy(dtype=object)
    near = near_duplicates(stages["deduplicator"] if near else None, texts, usable, corpus["id"].to_numpy(dtype=object))
    unit_item, unit_texts, unit_sentence = make_units(texts, langs, usable, unit)
    distinct, source = unique_units(unit_texts)  # identical texts are embedded and matched once
    embedder = stages["embedder"]
    if fitting and distinct:
        embedder.fit(distinct)
    X = np.asarray(embedder.transform(distinct), dtype=np.float32) if distinct else np.zeros((0, 1), np.float32)
    truncated = np.zeros(len(corpus), dtype=bool)
    if hasattr(embedder, "is_truncated") and len(usable):
        truncated[usable] = embedder.is_truncated([texts[i] for i in usable])
    cap = getattr(stages["cleaner"], "max_chars", None)
    if cap is not None and len(usable):  # cut by the cleaner: analysed in part, kept whole
        raw = corpus["text"].to_numpy(dtype=object)
        truncated[usable] |= np.fromiter((isinstance(raw[i], str) and len(raw[i]) > cap for i in usable),
                                         dtype=bool, count=len(usable))
    batch = Batch(corpus, clean, usable, unit_item, unit_texts, unit_sentence, distinct, source, X, X,
                  truncated, near)
    aligner = stages.get("aligner")
    if aligner is not None and distinct:
        # clustering geometry: languages centred on a common mean so one problem in two languages is
        # one theme (embed/align.py); the tagger keeps the embedder's own vectors
        if fitting:
            aligner.fit(X, batch.distinct_langs)
        batch.Z = aligner.transform(X, batch.distinct_langs)
    return batch


def name_embedder(stages: dict[str, Any]) -> Any:
    """``texts -> vectors`` in the clustering space (the fitted embedder, then the aligner): how the
    describer compares a theme's candidate names with the theme (themes/naming.py)."""
    from ..text.language import detect_language

    embedder, aligner = stages["embedder"], stages.get("aligner")

    def embed(texts: list[str]) -> np.ndarray:
        X = np.asarray(embedder.transform(list(texts)), dtype=np.float32)
        if aligner is not None and len(texts):
            X = aligner.transform(X, np.array([detect_language(t) for t in texts], dtype=str))
        return X

    return embed


def merge_batches(parts: list[Batch], corpus: pd.DataFrame, deduplicator: Any,
                  sketches: list[Any] | None = None) -> Batch:
    """One Batch of ``corpus`` from the Batches of its consecutive chunks, without their vectors; the
    table-wide annotations (exact and near duplicates) are made again over the whole table, the near
    duplicates from the chunks' ``sketches`` (:meth:`NearDuplicateFinder.sketch`) when given."""
    rows = np.cumsum([0] + [p.n for p in parts])
    units = np.cumsum([0] + [len(p.distinct) for p in parts])
    clean = pd.concat([p.clean for p in parts], ignore_index=True)
    clean["duplicate_of"] = pd.Series(first_occurrences(clean["text_clean"], corpus["id"].astype(str),
                                                        clean["skip_reason"].isna()), dtype=object)
    usable = np.concatenate([p.usable + r for p, r in zip(parts, rows)]).astype(int)
    texts = clean["text_clean"].to_numpy(dtype=object)
    empty = np.zeros((0, 1), dtype=np.float32)
    return Batch(corpus, clean, usable,
                 np.concatenate([p.unit_item + r for p, r in zip(parts, rows)]).astype(int),
                 [t for p in parts for t in p.unit_texts], np.concatenate([p.unit_sentence for p in parts]),
                 [t for p in parts for t in p.distinct],
                 np.concatenate([p.source + u for p, u in zip(parts, units)]).astype(int), empty, empty,
                 np.concatenate([p.truncated for p in parts]),
                 near_duplicates(deduplicator, texts, usable, corpus["id"].to_numpy(dtype=object),
                                 None if sketches is None or deduplicator is None
                                 else Sketch.join(sketches, deduplicator.bands)))


def near_duplicates(finder: Any, texts: np.ndarray, usable: np.ndarray, ids: np.ndarray, sketch: Any = None):
    """(id of the group's first row or None, group size) per row: pasted edits and campaigns in this table."""
    if finder is None:
        return None
    of = np.full(len(texts), None, dtype=object)
    size = np.zeros(len(texts), dtype=int)
    if len(usable):
        if sketch is not None and hasattr(finder, "fit_sketch"):
            finder.fit_sketch([texts[i] for i in usable], sketch)
        else:
            finder.fit([texts[i] for i in usable])
        first = usable[finder.group_]
        grouped = finder.group_size_ >= 2
        of[usable] = np.where(grouped & (first != usable), ids[first], None)
        size[usable] = finder.group_size_
    return of, size


def vote_rows(batch: Batch, labels: np.ndarray) -> dict[int, int]:
    """Row → the parent's theme, for analysed replies that only agree (feedmine.analysis.threads)."""
    corpus = batch.corpus
    if not ("parent_id" in corpus or "thread_id" in corpus) or not len(batch.usable):
        return {}
    table = corpus[[c for c in ("id", "parent_id", "thread_id") if c in corpus]].copy()
    table["text_clean"] = batch.clean["text_clean"].to_numpy(dtype=object)
    table["theme_id"] = pd.array(np.where(labels == NOT_ANALYSED, 0, labels), dtype="Int64")
    table.loc[labels == NOT_ANALYSED, "theme_id"] = pd.NA
    votes = agreement_votes(table, parent="parent_id" if "parent_id" in table else None,
                            thread="thread_id" if "thread_id" in table else None)
    row_of = {str(i): r for r, i in enumerate(corpus["id"])}
    return {row_of[str(i)]: int(t) for i, t in zip(votes["id"], votes["votes_for_theme"])
            if pd.notna(t) and labels[row_of[str(i)]] != NOT_ANALYSED}


def tag_batch(tagger: Any, batch: Batch, embedder: Any, unit: str, fitting: bool) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(tags per analysed item in the order of ``usable``, tags per unit)."""
    langs = batch.langs[batch.unit_item].astype(str).tolist()
    accepts = inspect.signature(tagger.transform).parameters
    if fitting:
        tagger.fit(batch.unit_texts, langs)
    if "embeddings" in accepts:
        unit_tags = tagger.transform(batch.unit_texts, langs, embeddings=batch.unit_vectors, embedder=embedder)
    else:
        unit_tags = tagger.transform(list(batch.unit_texts), langs)
    unit_tags = unit_tags.reset_index(drop=True)
    if unit == "document":
        return unit_tags, unit_tags  # one unit per analysed item, in the same order
    return item_tags(unit_tags, batch.unit_item, batch.unit_texts, batch.usable,
                     getattr(tagger, "neutral_band", 0.2)), unit_tags


def journey_tags(mapper: Any, embedder: Any, batch: Batch, fitting: bool) -> pd.DataFrame:
    """Journey stage per analysed item (a cue-decided sentence first, then the most similar). Fitting
    also fixes the centre of the similarities on the fitted items, so a later item is placed alone."""
    if mapper is None or not len(batch.usable):
        return pd.DataFrame(index=range(len(batch.usable)))
    if fitting:
        mapper.fit(item_vectors=semantic_vectors(embedder, batch.X, _mapper_model_id(mapper)))
    vectors = semantic_vectors(embedder, batch.unit_vectors, mapper.model_id_)
    if vectors is None:
        logger.info("journey stages skipped: the embedder is not %s", mapper.model_id_)
        return pd.DataFrame(index=range(len(batch.usable)))
    per_unit = mapper.transform(vectors, texts=batch.unit_texts)
    position = {int(item): k for k, item in enumerate(batch.usable)}
    best = pd.DataFrame({"item": [position[int(i)] for i in batch.unit_item],
                         "cue": ~per_unit["journey_cue"].isin(["similarity", "default"]).to_numpy(),
                         "sim": per_unit["journey_similarity"].to_numpy()})
    # a sentence whose stage a cue named beats one placed by similarity or by default
    pick = best.sort_values(["item", "cue", "sim"], ascending=[True, False, False],
                            kind="stable").drop_duplicates("item").index
    out = per_unit.iloc[pick].copy()
    out.index = best.loc[pick, "item"].to_numpy()
    return out.sort_index()


def _mapper_model_id(mapper: Any) -> str:
    """The embedding the journey mapper compares in (its own embedder's; e5 by default)."""
    if mapper.embedder is not None:
        return getattr(mapper.embedder, "model_id", type(mapper.embedder).__name__)
    from ..embed.e5 import E5Embedder

    return E5Embedder().model_id


class StepProgress:
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


def cluster_batch(clusterer: Any, batch: Batch) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(theme, confidence, reassigned, weak) per distinct unit, from the fitted clusterer."""
    clusterer.fit(batch.Z)  # with nothing to analyse, a clusterer that knows no theme
    if not batch.distinct:
        return np.zeros(0, dtype=int), np.zeros(0), np.zeros(0, dtype=bool), np.zeros(0, dtype=bool)
    labels = np.asarray(clusterer.labels_)
    matcher = getattr(clusterer, "matcher_", None)
    weak = ~matcher.is_typical(labels, clusterer.scores_) if matcher is not None else \
        np.asarray(clusterer.reassigned_, dtype=bool)
    return labels, np.asarray(clusterer.confidence_), np.asarray(clusterer.reassigned_, dtype=bool), weak


def theme_pairs(clusterer: Any) -> dict[tuple[int, int], bool] | None:
    """Which known themes are about different things, from the matcher's members (all generations)."""
    matcher = getattr(clusterer, "matcher_", None)
    if matcher is None or not matcher.references_:
        return None
    return distinct_theme_pairs(np.vstack(matcher.references_), np.concatenate(matcher.reference_labels_))
