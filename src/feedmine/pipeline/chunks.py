"""Large tables in chunks: the per-item steps run chunk by chunk, so that vectors are never held for
the whole table; what needs the whole table (duplicates, near duplicates, votes, quotes, scores) is
combined after.

Memory is bounded by the chunk: 20,000 rows of the default 640-dimensional vectors are 100 MB, and
every per-row output kept is a few numbers and strings.
"""
from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from ..schema import UNASSIGNED
from .steps import Batch, journey_tags, make_batch, merge_batches, tag_batch

#: rows per chunk of the assign path
CHUNK_ROWS = 20_000


@dataclass
class Assigned:
    """What the assign path keeps of a table: the merged batch and the per-unit placement and tags."""

    batch: Batch
    labels: np.ndarray
    confidence: np.ndarray
    weak: np.ndarray
    tags: pd.DataFrame
    unit_tags: pd.DataFrame
    quotes: dict[int, list[tuple[float, int, str, str]]] = field(default_factory=dict)


def assign_chunks(stages: dict[str, Any], corpus: pd.DataFrame, unit: str, n_quotes: int,
                  progress: bool, chunk_rows: int | None = None) -> Assigned:
    """Embed, place and tag ``corpus`` chunk by chunk (``chunk_rows``, default :data:`CHUNK_ROWS`)."""
    chunk_rows = chunk_rows or CHUNK_ROWS
    matcher = stages["clusterer"].matcher_
    theme_ids, centroids = matcher.centroids()
    quotes = _Quotes(theme_ids, centroids, n_quotes)
    parts, labels, confidence, weak, tags, unit_tags = [], [], [], [], [], []
    with tqdm(total=len(corpus), desc="assign", unit="row", disable=not progress) as bar:
        for start in range(0, len(corpus), chunk_rows):
            chunk = corpus.iloc[start:start + chunk_rows].reset_index(drop=True)
            batch = make_batch(stages, chunk, unit, fitting=False, near=False)
            if batch.distinct:
                lab, conf, score = matcher.match(batch.Z)
                weak.append(~matcher.is_typical(lab, score))
            else:
                lab, conf = np.zeros(0, dtype=np.int64), np.zeros(0)
                weak.append(np.zeros(0, dtype=bool))
            quotes.add(batch, lab)
            item_tags, per_unit = tag_batch(stages["tagger"], batch, stages["embedder"], unit, fitting=False)
            tags.append(item_tags.join(journey_tags(stages["journey"], stages["embedder"], batch, fitting=False)))
            unit_tags.append(per_unit)
            labels.append(lab)
            confidence.append(conf)
            parts.append(batch)
            bar.update(len(chunk))
    merged = merge_batches(parts, corpus.reset_index(drop=True), stages["deduplicator"])
    return Assigned(merged, np.concatenate(labels), np.concatenate(confidence), np.concatenate(weak),
                    pd.concat(tags, ignore_index=True), pd.concat(unit_tags, ignore_index=True), quotes.best())


class _Quotes:
    """Each theme's most typical distinct texts (closest to its fitted centroid), over every chunk."""

    def __init__(self, theme_ids: np.ndarray, centroids: np.ndarray, k: int):
        self.position = {int(t): i for i, t in enumerate(theme_ids)}
        self.centroids, self.k = centroids, k
        self.heaps: dict[int, list[tuple[float, int, str, str]]] = {}
        self.seen = 0

    def add(self, batch: Batch, labels: np.ndarray) -> None:
        if not self.k or not len(labels) or not len(self.centroids):
            self.seen += len(labels)
            return
        first_unit = np.unique(batch.source, return_index=True)[1]
        ids = batch.ids[batch.unit_item[first_unit]]
        Z = batch.Z / np.maximum(np.linalg.norm(batch.Z, axis=1, keepdims=True), 1e-12)
        for d in np.flatnonzero(labels != UNASSIGNED):
            theme = int(labels[d])
            sim = float(Z[d] @ self.centroids[self.position[theme]])
            # ties: the earlier text (a larger negative order) wins, as the describer breaks them
            entry = (round(sim, 12), -(self.seen + int(d)), batch.distinct[d], str(ids[d]))
            heap = self.heaps.setdefault(theme, [])
            if len(heap) < self.k * 4:
                heapq.heappush(heap, entry)
            elif entry > heap[0]:
                heapq.heapreplace(heap, entry)
        self.seen += len(labels)

    def best(self) -> dict[int, list[tuple[float, int, str, str]]]:
        out = {}
        for theme, heap in self.heaps.items():
            picked, texts = [], set()
            for entry in sorted(heap, reverse=True):
                if entry[2].strip() and entry[2] not in texts:  # a quote shown twice wastes a slot
                    texts.add(entry[2])
                    picked.append(entry)
                if len(picked) == self.k:
                    break
            out[theme] = picked
        return out
