"""Worker processes that place chunks of a long table beside this process, and start on them early.

Each worker is spawned once and loads the stages it needs from their saved files (JSON and .npz, no
pickle of the model), written by this process to a private temporary folder and checked against
their SHA-256 before they are read. What the workers hold can change once: while the themes of a
long table are being fitted, they **prepare** chunks with the stages fitted in the fit's first
minute (cleaner, embedder, aligner, taggers; :func:`~feedmine.pipeline.chunks.prepare_chunk`); once
the themes exist they load the whole model and **place** chunks. Why: on 2 cores the fit on a 50,000-
row sample takes ≈ 240 s, of which UMAP runs ≈ 100 s on one thread (its ``random_state`` makes it so)
and the keywords ≈ 50 s, and the second core idled through them; preparing is ≈ 85% of placing a row.
"""
from __future__ import annotations

import logging
import os
import tempfile
import threading
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any

from .chunks import Placed, place_chunk, prepare_chunk, release_memory

logger = logging.getLogger(__name__)

#: the stages that preparing a chunk reads (what is fitted before the themes)
PREPARE_STAGES = ("cleaner", "deduplicator", "embedder", "aligner", "tagger", "journey")


def for_table(n_jobs: int | None, n_rows: int, stages: dict[str, Any], cls: type) -> "Workers | None":
    """Worker processes for a table of ``n_rows`` when ``n_jobs`` asks for them (-1: one per CPU) and
    the table has more than one chunk; None when the embedder is not one a worker can load."""
    from . import codec
    from .chunks import CHUNK_ROWS

    wanted = (os.cpu_count() or 1) if n_jobs == -1 else int(n_jobs or 1)
    n = min(wanted, -(-n_rows // CHUNK_ROWS))
    if n < 2:
        return None
    embedder = stages["embedder"]
    if codec.KNOWN.get(type(embedder).__name__) is not type(embedder):
        logger.info("n_jobs=%s: a custom embedder cannot be sent to worker processes; placing rows here", n_jobs)
        return None
    return Workers(cls, n)


class Workers:
    """``n`` placers of chunks: this process and ``n - 1`` spawned worker processes, each holding what
    :meth:`use_model` or :meth:`use_stages` last gave (``cls`` loads a model). This process places
    chunks too, whenever no worker's chunk is ready: it holds the model already, and a worker's copy
    is ≈ 2 GB (the model, kiwi's, one chunk). Two chunks per worker are queued, so memory stays
    bounded by the chunk size."""

    def __init__(self, cls: type, n: int):
        import multiprocessing

        self.n, self.cls = n, cls
        self._tmp = tempfile.TemporaryDirectory(prefix="feedmine-workers-")
        self.ref: tuple[str, str, str] | None = None  # (kind, folder, digest) the next jobs load
        self._feeder: threading.Thread | None = None
        self._stop = threading.Event()
        self.prepared: list[tuple[int, Future]] = []
        # spawn, not fork: a forked child of a process that ran numba's or OpenMP's thread pools can hang
        self.pool = ProcessPoolExecutor(n - 1, mp_context=multiprocessing.get_context("spawn"),
                                        initializer=_init_worker)

    # ----- what the workers hold ------------------------------------------------------------------
    def use_model(self, model: Any) -> None:
        """The jobs submitted from now on run with fitted ``model``, saved (without its Result) where the
        workers read it; its manifest's checksums verify it when they load it."""
        folder = self._folder("model")
        model.save(folder, include_result=False)
        self.ref = "model", str(folder), ""

    def use_stages(self, stages: dict[str, Any]) -> None:
        """The jobs submitted from now on prepare chunks with these fitted :data:`PREPARE_STAGES`."""
        from .transport import blob_digest, stages_bytes

        blob = stages_bytes(stages, PREPARE_STAGES)
        folder = self._folder("stages")
        folder.mkdir(parents=True)
        for name, data in blob.items():
            (folder / name).write_bytes(data)
        self.ref = "stages", str(folder), blob_digest(blob)  # no manifest: the workers check this digest

    def _folder(self, kind: str) -> Path:
        return Path(self._tmp.name) / f"{kind}-{len(list(Path(self._tmp.name).iterdir()))}"

    # ----- preparing while the themes are fitted ----------------------------------------------------
    def prepare_table(self, stages: dict[str, Any], corpus: Any, unit: str) -> bool:
        """Start preparing every chunk of ``corpus`` with fitted ``stages``; False (and the workers
        closed) when a stage cannot be sent as data."""
        from ..errors import FeedmineError
        from .chunks import CHUNK_ROWS

        try:
            self.use_stages(stages)
        except FeedmineError as err:
            logger.info("%s; no chunks prepared during the fit", err)
            self.close()
            return False
        rows = CHUNK_ROWS
        self.prepare((s, corpus.iloc[s:s + rows].reset_index(drop=True), unit) for s in range(0, len(corpus), rows))
        return True

    def prepare(self, chunks: Any) -> None:
        """Prepare ``chunks`` ((first row, rows, unit) in table order) in the workers, two queued per
        worker, from a thread of this process, until :meth:`stop_preparing`."""
        slots = threading.Semaphore(2 * (self.n - 1))
        ref = self.ref

        def feed() -> None:
            for start, rows, unit in chunks:
                slots.acquire()
                if self._stop.is_set():
                    return
                future = self.pool.submit(_prepare, ref, rows, unit)
                future.add_done_callback(lambda _: slots.release())
                self.prepared.append((start, future))

        self._feeder = threading.Thread(target=feed, name="feedmine-prepare", daemon=True)
        self._feeder.start()
        self._slots = slots

    def stop_preparing(self) -> dict[int, Future]:
        """Stop handing out chunks to prepare; {first row: future} of those a worker has started (the
        rest are dropped: they will be placed whole)."""
        if self._feeder is None:
            return {}
        self._stop.set()
        self._slots.release()  # a feeder waiting for a slot sees the stop
        self._feeder.join()
        started = {start: f for start, f in self.prepared if not f.cancel()}
        logger.info("%d chunks prepared or being prepared while the themes were fitted", len(started))
        return started

    # ----- placing ----------------------------------------------------------------------------------
    def map(self, jobs: Any, local: Any, finish: Any = ()):
        """(first row, :class:`Placed`) for every job, in no fixed order; ``local(job)`` places one here,
        and ``finish`` ((first row, future of its preparation, callable that matches it), in order) are
        the prepared chunks, matched here. The workers keep two chunks each queued; this process
        finishes a prepared chunk, or else places the next one itself, whenever the oldest worker chunk
        is not ready, so no placer waits for another (a fixed share, every n-th chunk here, left the
        workers idle while this process finished its share: 730 rows/s against 800 with two workers and
        this process idle, 60,000 rows)."""
        from threadpoolctl import threadpool_limits

        jobs, finish = iter(jobs), deque(finish)
        pending: deque = deque()  # (first row, a worker's future)
        exhausted = False
        with threadpool_limits(1):  # the workers fill the other cores
            while True:
                queued = sum(not f.done() for _, f in pending)
                while not exhausted and self.ref is not None and queued < 2 * (self.n - 1):
                    job = next(jobs, None)
                    if job is None:
                        exhausted = True
                    else:
                        pending.append((job[2], self.pool.submit(_place, self.ref, self.cls, job)))
                        queued += 1
                if pending and pending[0][1].done():
                    start, future = pending.popleft()
                    yield start, future.result()
                elif finish and (finish[0][1].done() or exhausted):
                    start, _, run = finish.popleft()
                    yield start, run()
                elif not exhausted:
                    job = next(jobs, None)  # rather than wait: place the next chunk here
                    if job is None:
                        exhausted = True
                    else:
                        yield job[2], local(job)
                elif pending:
                    start, future = pending.popleft()
                    yield start, future.result()
                else:
                    return

    def close(self) -> None:
        self._stop.set()
        if self._feeder is not None:
            self._slots.release()
            self._feeder.join()
        self.pool.shutdown(cancel_futures=True)
        self._tmp.cleanup()


_WORKER: dict[str, Any] = {}


def _init_worker() -> None:
    from threadpoolctl import threadpool_limits

    from ..text import tokenize

    # one thread per worker: n workers already fill n cores, and BLAS/OpenMP pools of their own in each
    # would fight over them (stack-notes: OpenMP throughput collapses when oversubscribed)
    _WORKER["threads"] = threadpool_limits(1)
    tokenize.KIWI_THREADS = 1
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True).start()


def _exit_with_parent(parent: int) -> None:
    """End this worker when the process that started it is gone: killed, the parent cannot shut its
    pool down, and a worker blocked sending back a chunk stayed alive (1.8 GB) indefinitely."""
    import time

    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(1)


def _held(ref: tuple[str, str, str], cls: type | None = None) -> Any:
    """What ``ref`` names, loaded once; loading another drops the one held before (their memory)."""
    if _WORKER.get("ref") != ref:
        from .transport import blob_digest, model_from_folder, stages_from_bytes

        kind, folder, digest = ref
        _WORKER.pop("held", None)
        release_memory()
        if kind == "model":
            _WORKER["held"] = model_from_folder(folder, cls).stages_
        else:
            blob = {p.name: p.read_bytes() for p in sorted(Path(folder).iterdir()) if p.is_file()}
            if blob_digest(blob) != digest:
                raise RuntimeError(f"the files in {folder} changed after this process wrote them")
            _WORKER["held"] = stages_from_bytes(blob)
        _WORKER["ref"] = ref
    return _WORKER["held"]


def _prepare(ref: tuple[str, str, str], rows: Any, unit: str) -> Any:
    out = prepare_chunk(_held(ref), rows, unit)
    release_memory()
    return out


def _place(ref: tuple[str, str, str], cls: type, job: tuple) -> Placed:
    out = place_chunk(_held(ref, cls), *job)
    release_memory()
    return out
