"""The near-duplicate join's inner loop, compiled: candidate pairs of each LSH bucket verified by the
exact Jaccard of their shingle sets, and joined in a union-find whose root is the smallest member.

Why compiled: on a million rows the candidate pairs run into tens of millions (texts that share half
their words land in one bucket often enough), and Python took ~50 µs a pair to rebuild and compare the
sets. Here each text's shingles are kept once, encoded exactly as sorted 64-bit integers (three code
points of 21 bits each: no hashing, so no collisions), and a pair costs a merge of two sorted arrays.
numba comes with umap-learn, a dependency already.

>>> import numpy as np
>>> flat, starts = encode_shingles(["abcd", "abce", "xyz"])
>>> parent = np.arange(3)
>>> join_buckets(np.array([0, 1, 2]), np.array([0]), np.array([3]), parent, flat, starts[:-1], starts[1:], 0.3)
>>> parent.tolist()  # "abcd" and "abce" share 1 of 3 shingles (0.33 ≥ 0.3): one group, root 0
[0, 0, 2]
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numba import njit

#: characters per shingle (the near-duplicate finder's too)
SHINGLE = 3
_SHORT = np.uint64(1) << np.uint64(63)  # marks a key shorter than a shingle: the key is its own shingle
_ONE = np.uint64(1) << np.uint64(62)  # … and a key of one character


def encode_shingles(keys: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Every key's distinct character 3-grams as sorted uint64 codes, concatenated (``flat``), and
    where each key's codes start (``starts``, one more than keys: key i is ``flat[starts[i]:starts[i+1]]``)."""
    parts, lengths = [], np.zeros(len(keys), dtype=np.int64)
    for i, key in enumerate(keys):
        codes = np.frombuffer(key.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.uint64)
        if len(codes) >= SHINGLE:
            grams = (codes[:-2] << np.uint64(42)) | (codes[1:-1] << np.uint64(21)) | codes[2:]
        elif len(codes) == 2:
            grams = np.array([_SHORT | (codes[0] << np.uint64(21)) | codes[1]], dtype=np.uint64)
        elif len(codes) == 1:
            grams = np.array([_SHORT | _ONE | codes[0]], dtype=np.uint64)
        else:
            grams = np.zeros(0, dtype=np.uint64)
        grams = np.unique(grams)
        parts.append(grams)
        lengths[i] = len(grams)
    flat = np.concatenate(parts) if parts else np.zeros(0, dtype=np.uint64)
    return flat, np.concatenate(([0], np.cumsum(lengths))).astype(np.int64)


@njit(cache=True)
def _find(parent: np.ndarray, i: int) -> int:
    root = i
    while parent[root] != root:
        root = parent[root]
    while parent[i] != root:  # path compression
        nxt = parent[i]
        parent[i] = root
        i = nxt
    return root


@njit(cache=True)
def _jaccard(flat: np.ndarray, begin: np.ndarray, end: np.ndarray, p: int, q: int) -> float:
    a, a_end, b, b_end = begin[p], end[p], begin[q], end[q]
    n_a, n_b = a_end - a, b_end - b
    if n_a == 0 or n_b == 0:
        return 0.0
    inter = 0
    while a < a_end and b < b_end:
        if flat[a] == flat[b]:
            inter += 1
            a += 1
            b += 1
        elif flat[a] < flat[b]:
            a += 1
        else:
            b += 1
    return inter / (n_a + n_b - inter)


@njit(cache=True)
def join_buckets(order: np.ndarray, first: np.ndarray, last: np.ndarray, parent: np.ndarray,
                 flat: np.ndarray, begin: np.ndarray, end: np.ndarray, threshold: float) -> None:
    """For each bucket ``order[first[g]:last[g]]`` (members: indices into ``parent``), join every pair
    not yet in one group whose Jaccard reaches ``threshold``; member p's shingles are
    ``flat[begin[p]:end[p]]``. ``parent`` is updated in place."""
    for g in range(len(first)):
        for x in range(first[g], last[g]):
            p = order[x]
            for y in range(x + 1, last[g]):
                q = order[y]
                rp, rq = _find(parent, p), _find(parent, q)
                if rp != rq and _jaccard(flat, begin, end, p, q) >= threshold:
                    if rp < rq:
                        parent[rq] = rp
                    else:
                        parent[rp] = rq


@njit(cache=True)
def roots(parent: np.ndarray) -> np.ndarray:
    """Each member's group root (the smallest member of its group)."""
    out = np.empty(len(parent), dtype=np.int64)
    for i in range(len(parent)):
        out[i] = _find(parent, i)
    return out
