"""Shared helpers for the benchmark scripts: data loading, timing and peak-memory measurement."""
from __future__ import annotations

import json
import os
import resource
import threading
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("FEEDMINE_SHARED_DATA", ROOT.parent / "shared" / "data"))
RESULTS = ROOT / "benchmarks" / "results"
CACHE = ROOT / "benchmarks" / ".cache"


def load_dataset(name: str) -> tuple[list[str], pd.Series, str]:
    """(texts, labels, label description) of a labelled benchmark set in ../shared/data."""
    if name == "banking77":
        df = pd.read_csv(SHARED / "banking77" / "test.csv")
        return df["text"].tolist(), df["category"], "77 intents"
    if name == "banking77-train":  # held out from every tuning run: used to check the defaults generalise
        df = pd.read_csv(SHARED / "banking77" / "train.csv")
        return df["text"].tolist(), df["category"], "77 intents"
    if name == "parakqc":
        df = pd.read_csv(SHARED / "parakqc" / "parakqc.csv")
        return df["text"].tolist(), df["paraphrase_group"], "1,000 paraphrase groups"
    raise ValueError(f"unknown dataset {name!r}")


class PeakMemory:
    """Peak resident memory of this process during a block, sampled every 20 ms (MiB)."""

    def __enter__(self) -> "PeakMemory":
        self.start_rss = _rss_mib()
        self.peak = self.start_rss
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        self.t0 = time.perf_counter()
        return self

    def _sample(self) -> None:
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, _rss_mib())

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self.t0
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, _rss_mib())
        self.added = self.peak - self.start_rss


class TreeMemory:
    """Peak of the summed resident memory of this process and all its descendants (MiB), sampled every
    0.2 s: what a run with worker processes takes from the machine. ``timeline``: (seconds since start,
    this process's MiB, the tree's MiB) once a second, for the memory-over-time plot."""

    def start(self) -> "TreeMemory":
        self.peak = 0.0
        self.timeline: list[tuple[float, float, float]] = []
        self._t0 = time.perf_counter()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        last = -1.0
        while not self._stop.wait(0.2):
            tree = _tree_rss_mib(os.getpid())
            self.peak = max(self.peak, tree)
            now = time.perf_counter() - self._t0
            if now - last >= 1.0:
                last = now
                self.timeline.append((round(now, 1), round(_own_rss_mib(), 1), round(tree, 1)))

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return self.peak


def _own_rss_mib() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _tree_rss_mib(root: int) -> float:
    children: dict[int, list[int]] = {}
    rss: dict[int, float] = {}
    page = os.sysconf("SC_PAGE_SIZE") / 2**20
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{entry}/statm") as f:
                rss[int(entry)] = int(f.read().split()[1]) * page
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry))
    total, todo = 0.0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0.0)
        todo += children.get(pid, [])
    return total


def _rss_mib() -> float:
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:  # not Linux: fall back to the lifetime peak
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def write_results(name: str, payload: dict) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False, default=str), encoding="utf-8")
    return path


def load_maalej():
    """maalej_app_reviews with ``text`` = title + ". " + comment (the title alone when they match) and
    ``n_problem_labels`` = how many of bug / feature / user experience the review carries."""
    import numpy as np
    import pandas as pd

    df = pd.read_csv(SHARED / "maalej_app_reviews" / "maalej_app_reviews.csv", keep_default_na=False)
    title, comment = df["title"].astype(str).str.strip(), df["comment"].astype(str).str.strip()
    df["text"] = np.where((title != "") & (title != comment), title + ". " + comment, comment)
    df["n_problem_labels"] = df[["is_bug", "is_feature", "is_user_experience"]].sum(axis=1)
    return df
