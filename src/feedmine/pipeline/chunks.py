"""Large tables in chunks: the per-item steps run chunk by chunk, so that vectors are never held for
the whole table; what needs the whole table (duplicates, near duplicates, votes, quotes, scores) is
combined after.

Memory is bounded by the chunk: 10,000 rows of the default 640-dimensional vectors are 50 MB (a worker
peaks at ≈ 1.7 GB with its model and Kiwi's, 0.3 GB less than at 20,000 rows), and every per-row output
kept is a few numbers and strings.
"""
from __future__ import annotations

import heapq
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from ..schema import UNASSIGNED
from ..themes.theme_map import ThemeLayout
from .steps import Batch, journey_tags, make_batch, merge_batches, tag_batch

#: rows per chunk of the assign path
CHUNK_ROWS = 10_000


def place_chunks(stages: dict[str, Any], corpus: pd.DataFrame, unit: str, n_quotes: int, progress: bool,
                 chunk_rows: int | None = None, workers: Any = None,
                 prepared: dict[int, Any] | None = None) -> tuple[list["Placed"], dict]:
    """Embed, place and tag ``corpus`` chunk by chunk (``chunk_rows``, default :data:`CHUNK_ROWS`);
    ``workers`` (a :class:`~feedmine.pipeline.workers.Workers`) shares them between this process and
    spawned ones; ``prepared``: {first row: future of its :class:`Prepared`} for chunks the workers
    prepared while the themes were fitted (these are only matched, here). Returns the chunks'
    :class:`Placed` in input order and each theme's best quotes over every chunk; :func:`combine_chunks`
    joins them (after the workers are closed, so that their memory is free for the join)."""
    chunk_rows = chunk_rows or CHUNK_ROWS
    prepared = dict(prepared or {})
    release_memory()  # what a fit freed goes back to the system before the long loop
    matcher = stages["clusterer"].matcher_
    layout = ThemeLayout.of(*matcher.centroids())  # once per table, sent with every chunk
    quotes = _Quotes(layout.theme_ids, layout.centroids, n_quotes)
    starts = [s for s in range(0, len(corpus), chunk_rows) if s not in prepared]
    jobs = ((corpus.iloc[s:s + chunk_rows].reset_index(drop=True), unit, s, n_quotes, layout) for s in starts)

    def here(job: tuple) -> Placed:
        out = place_chunk(stages, *job)
        release_memory(collect=False)  # a full collection over this process's large heap costs seconds
        return out

    def finish(start: int, future: Any) -> Placed:
        return finish_chunk(matcher, future.result(), start, n_quotes, layout)

    if workers is not None:
        placed = workers.map(jobs, here, [(s, f, lambda s=s, f=f: finish(s, f)) for s, f in sorted(prepared.items())])
    else:
        placed = ((job[2], here(job)) for job in jobs)
    done: dict[int, Placed] = {}
    with tqdm(total=len(corpus), desc="assign", unit="row", disable=not progress) as bar:
        for start, out in placed:
            quotes.merge(out.quotes)  # the best quotes do not depend on the order chunks come in
            done[start] = out
            bar.update(out.batch.n)
    return [done[s] for s in sorted(done)], quotes.best()


def combine_chunks(stages: dict[str, Any], corpus: pd.DataFrame, done: list["Placed"],
                   quotes: dict) -> "Placed":
    """One :class:`Placed` for the whole table from its chunks': the table-wide parts (exact and near
    duplicates) made again over every row."""
    sketches = [d.sketch for d in done] if all(d.sketch is not None for d in done) else None
    merged = merge_batches([d.batch for d in done], corpus.reset_index(drop=True), stages["deduplicator"], sketches)
    cat = np.concatenate
    return Placed(merged, cat([d.labels for d in done]), cat([d.confidence for d in done]),
                  cat([d.weak for d in done]), pd.concat([d.tags for d in done], ignore_index=True),
                  pd.concat([d.unit_tags for d in done], ignore_index=True), quotes,
                  xy=cat([d.xy for d in done]) if done else np.zeros((0, 2)))


@dataclass
class Placed:
    """One chunk placed and tagged (its vectors dropped): what travels back from a worker."""

    batch: Batch
    labels: np.ndarray
    confidence: np.ndarray
    weak: np.ndarray
    tags: pd.DataFrame
    unit_tags: pd.DataFrame
    quotes: dict[int, list[tuple[float, int, str, str]]]
    sketch: Any = None
    xy: Any = None  # (distinct texts, 2) theme-map positions


def place_chunk(stages: dict[str, Any], chunk: pd.DataFrame, unit: str, start: int, n_quotes: int,
                layout: ThemeLayout) -> Placed:
    """The per-item steps for the rows ``chunk`` (starting at row ``start`` of the table); ``layout``:
    the themes' centroids (which quote candidates are ranked by) and map positions."""
    return finish_chunk(stages["clusterer"].matcher_, prepare_chunk(stages, chunk, unit), start, n_quotes, layout)


@dataclass
class Prepared:
    """A chunk cleaned, embedded, tagged and sketched: all of placing it that needs no themes (so it
    can run while the themes are still being fitted); :func:`finish_chunk` matches it."""

    batch: Batch
    tags: pd.DataFrame
    unit_tags: pd.DataFrame
    sketch: Any = None


def prepare_chunk(stages: dict[str, Any], chunk: pd.DataFrame, unit: str) -> Prepared:
    """The steps of placing ``chunk`` that read the cleaner, embedder, aligner, taggers and the
    near-duplicate finder only. The embedder's own vectors are dropped (the tags are made); the
    aligned ones stay for matching."""
    batch = make_batch(stages, chunk, unit, fitting=False, near=False)
    item_tags, per_unit = tag_batch(stages["tagger"], batch, stages["embedder"], unit, fitting=False)
    tags = item_tags.join(journey_tags(stages["journey"], stages["embedder"], batch, fitting=False))
    finder = stages["deduplicator"]  # near duplicates need the whole table: each chunk sketches its texts
    texts = batch.clean["text_clean"].to_numpy(dtype=object)
    sketch = finder.sketch([texts[i] for i in batch.usable]) if hasattr(finder, "sketch") else None
    # the parent holds the table already: of the chunk's rows only the ids travel back
    return Prepared(replace(batch, corpus=batch.corpus[["id"]], X=np.zeros((0, 1), dtype=np.float32)),
                    tags, per_unit, sketch)


def finish_chunk(matcher: Any, prepared: Prepared, start: int, n_quotes: int, layout: ThemeLayout) -> Placed:
    """``prepared`` matched to the themes and put on the map, its quote candidates kept, its vectors dropped."""
    batch = prepared.batch
    if batch.distinct:
        lab, conf, score = matcher.match(batch.Z)
        weak = ~matcher.is_typical(lab, score)
    else:
        lab, conf, weak = np.zeros(0, dtype=np.int64), np.zeros(0), np.zeros(0, dtype=bool)
    quotes = _Quotes(layout.theme_ids, layout.centroids, n_quotes)
    quotes.add(batch, lab, start)
    xy = layout.place(batch.Z) if batch.distinct else np.zeros((0, 2))
    empty = np.zeros((0, 1), dtype=np.float32)
    return Placed(replace(batch, X=empty, Z=empty), lab, conf, weak, prepared.tags, prepared.unit_tags,
                  quotes.heaps, prepared.sketch, xy)


def release_memory(collect: bool = True) -> None:
    """Collect garbage (``collect``) and hand freed heap pages back to the system (glibc's
    ``malloc_trim``): after a fit the allocator keeps gigabytes of freed pages that the resident size
    still counts, and a worker's resident size crept up by ≈ 25 MB a chunk without it."""
    import ctypes
    import gc

    if collect:
        gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc (macOS, Windows, musl): nothing to trim
        pass


class _Quotes:
    """Each theme's most typical distinct texts (closest to its fitted centroid), over every chunk."""

    def __init__(self, theme_ids: np.ndarray, centroids: np.ndarray, k: int):
        self.position = {int(t): i for i, t in enumerate(theme_ids)}
        self.centroids, self.k = centroids, k
        self.heaps: dict[int, list[tuple[float, int, str, str]]] = {}

    def add(self, batch: Batch, labels: np.ndarray, start: int) -> None:
        """Candidates of the chunk whose first row is row ``start`` of the table."""
        if not self.k or not len(labels) or not len(self.centroids):
            return
        first_unit = np.unique(batch.source, return_index=True)[1]
        first_row = batch.unit_item[first_unit]
        ids = batch.ids[first_row]
        Z = batch.Z / np.maximum(np.linalg.norm(batch.Z, axis=1, keepdims=True), 1e-12)
        for d in np.flatnonzero(labels != UNASSIGNED):
            theme = int(labels[d])
            sim = float(Z[d] @ self.centroids[self.position[theme]])
            # ties: the earlier text (a larger negative row number) wins, as the describer breaks them
            self._push(theme, (round(sim, 12), -(start + int(first_row[d])), batch.distinct[d], str(ids[d])))

    def _push(self, theme: int, entry: tuple[float, int, str, str]) -> None:
        heap = self.heaps.setdefault(theme, [])
        if len(heap) < self.k * 4:
            heapq.heappush(heap, entry)
        elif entry > heap[0]:
            heapq.heapreplace(heap, entry)

    def merge(self, heaps: dict[int, list[tuple[float, int, str, str]]]) -> None:
        """Take in the candidates another chunk kept."""
        for theme, entries in heaps.items():
            for entry in entries:
                self._push(theme, entry)

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
