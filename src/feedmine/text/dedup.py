"""Near-duplicate grouping: the same complaint pasted with small edits, and copy-paste spam campaigns.

Exact duplicates are handled by :class:`~feedmine.text.normalize.TextCleaner`; this stage finds texts
that are *almost* the same. Each text is normalised (NFKC, repeat collapse), lower-cased and stripped
of whitespace, cut into character 3-gram shingles, and two texts are near-duplicates when the Jaccard
similarity of their shingle sets reaches ``threshold``. MinHash + LSH banding proposes candidate
pairs in about linear time; every candidate is checked with the exact Jaccard, so LSH can only miss
pairs, never invent them. Verified pairs are joined with union-find, so a group is a connected chain
(A~B, B~C puts A and C together even when A and C alone would fall below the threshold).

Nothing is dropped: every input gets a group id (the position of its group's first member).

>>> from feedmine.text.dedup import NearDuplicateFinder
>>> texts = ["배송이 너무 느려요 환불해 주세요 일주일째 기다리고 있어요", "좋아요",
...          "배송이 너무 느려요 환불해 주세요 일주일째 기다리고 있어요!!", "좋아요",
...          "앱이 자꾸 꺼져요 업데이트 후부터 계속 그래요", "좋아요!"]
>>> NearDuplicateFinder().fit_predict(texts).tolist()
[0, 1, 0, 1, 4, 5]
"""
from __future__ import annotations

import hashlib
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state

from .normalize import TextCleaner
from .shingle_join import SHINGLE, encode_shingles, join_buckets, roots

# a prime just above 2**32: with a, x < 2**32 the product a*x < 2**64 fits uint64 exactly, and
# (a*x mod p) + b < 2**33, so (a*x + b) mod p is computed without overflow
_PRIME = np.uint64(4294967311)


class _UnionFind:
    """Union-find whose root is always the smallest member, so the root *is* the group id."""

    def __init__(self, n: int):
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        parent = self.parent
        root = i
        while parent[root] != root:
            root = parent[root]
        while parent[i] != root:  # path compression keeps long spam chains cheap
            parent[i], i = root, parent[i]
        return root

    def union(self, i: int, j: int) -> None:
        ri, rj = self.find(i), self.find(j)
        if ri != rj:
            lo, hi = (ri, rj) if ri < rj else (rj, ri)
            self.parent[hi] = lo


class NearDuplicateFinder(BaseEstimator):
    """Group near-identical texts with MinHash + LSH, verified by exact Jaccard.

    Parameters
    ----------
    threshold : float
        Minimum Jaccard similarity of the character 3-gram shingle sets (of the normalised,
        lower-cased, whitespace-free text) for two texts to be joined. 1.0 joins only identical sets.
    num_perm : int
        MinHash permutations (signature length). Must be a multiple of ``bands``.
    bands : int
        LSH bands; two texts become a candidate pair when all ``num_perm // bands`` values of one band
        agree. 16 bands of 4 rows find a pair at Jaccard 0.8 with probability ~0.9999 and one at 0.5
        with ~0.64 (those are then rejected by the exact check).
    min_chars : int
        Texts shorter than this (after normalisation, without whitespace) are only grouped when exactly
        equal: "좋아요" said by 50 people is agreement, not a campaign, and 3-gram Jaccard on a few
        characters is noise ("좋아요" vs "좋아요!" is 0.5, "별로요" vs "별로예요" is 0.25).
    random_state : int, RandomState or None
        Seed for the MinHash functions. Results are exact for pairs LSH proposes, so seeds only change
        which borderline pairs are proposed.

    Attributes
    ----------
    group_ : ndarray of int, shape (n_texts,)
        Group id per text: the input position of the group's first member (singletons: their own).
    group_size_ : ndarray of int, shape (n_texts,)
        Size of each text's group (1 for singletons); ``group_size_ >= 2`` flags near-duplicates.
    n_groups_ : int
        Number of distinct groups, singletons included.
    """

    def __init__(self, threshold: float = 0.8, num_perm: int = 64, bands: int = 16, min_chars: int = 10,
                 random_state: Any = 0):
        self.threshold = threshold
        self.num_perm = num_perm
        self.bands = bands
        self.min_chars = min_chars
        self.random_state = random_state

    def _check_params(self) -> None:
        if not 0 < self.threshold <= 1:
            raise ValueError(f"threshold must be in (0, 1], got {self.threshold!r}")
        if not isinstance(self.num_perm, int) or not isinstance(self.bands, int) or self.bands < 1 \
                or self.num_perm < 1 or self.num_perm % self.bands:
            raise ValueError(f"num_perm ({self.num_perm!r}) must be a positive multiple of bands ({self.bands!r})")
        if not isinstance(self.min_chars, int) or self.min_chars < 0:
            raise ValueError(f"min_chars must be a non-negative int, got {self.min_chars!r}")

    def fit(self, texts: Sequence[Any], y: Any = None) -> "NearDuplicateFinder":
        texts = list(texts)
        return self.fit_sketch(texts, self.sketch(texts))

    def sketch(self, texts: Sequence[Any]) -> "Sketch":
        """What :meth:`fit_sketch` needs of each text, computed text by text — so chunk by chunk, in
        worker processes: a 16-byte digest of its key, the key's length, one 64-bit hash per LSH band
        of its MinHash signature (not the whole signature), and the key itself for the exact check
        (a key is smaller than its shingles; only the candidates' are cut into shingles, in the join).
        Keys are kept for the first text of each key only: a copy is joined by its digest."""
        self._check_params()
        keys = [_key(t) for t in texts]
        digests = [hashlib.blake2b(k.encode("utf-8", "surrogatepass"), digest_size=16).digest() for k in keys]
        lengths = np.fromiter((len(k) for k in keys), dtype=np.int64, count=len(keys))
        bands = np.zeros((len(keys), self.bands), dtype=np.uint64)
        first: dict[bytes, int] = {}
        for i, d in enumerate(digests):  # one signature per distinct key (500 copies of a spam line: one)
            if lengths[i] >= max(self.min_chars, 1):
                first.setdefault(d, i)
        compared = [keys[i] if first.get(d) == i else "" for i, d in enumerate(digests)]
        if first:
            unique = list(first.values())
            hashed = _band_hashes(self._minhash([_shingles(keys[i]) for i in unique]), self.bands)
            where = {d: r for r, d in enumerate(first)}
            rows = [i for i in range(len(keys)) if lengths[i] >= max(self.min_chars, 1)]
            bands[rows] = hashed[[where[digests[i]] for i in rows]]
        return Sketch(digests, lengths, bands, compared)

    def fit_sketch(self, texts: Sequence[Any], sketch: "Sketch") -> "NearDuplicateFinder":
        """Group ``texts`` from their :meth:`sketch` (of these texts, in this order; sketches of
        consecutive chunks joined with :meth:`Sketch.join`). Candidates are verified on ``texts``."""
        self._check_params()
        n = len(texts)
        if len(sketch.lengths) != n:
            raise ValueError(f"a sketch of {len(sketch.lengths)} texts for {n} texts")
        uf = _UnionFind(n)
        # exact duplicates of the key are joined outright; only one representative per key goes on to
        # the bands, so 500 copies of one spam line cost one entry, not 125,000 candidate pairs
        first: dict[bytes, int] = {}
        reps: list[int] = []
        for i in range(n):
            if not sketch.lengths[i]:
                continue  # empty / non-text: always a singleton
            j = first.setdefault(sketch.digests[i], i)
            if j != i:
                uf.union(j, i)
            elif sketch.lengths[i] >= self.min_chars:
                reps.append(i)
        if len(reps) > 1:
            self._join_candidates(sketch, reps, uf)
        group = np.fromiter((uf.find(i) for i in range(n)), dtype=np.int64, count=n)
        _, inverse, counts = np.unique(group, return_inverse=True, return_counts=True)
        self.group_ = group
        self.group_size_ = counts[inverse].astype(np.int64)
        self.n_groups_ = int(len(counts))
        return self

    def fit_predict(self, texts: Sequence[Any], y: Any = None) -> np.ndarray:
        return self.fit(texts).group_

    def _minhash(self, shingles: list[set[str]]) -> np.ndarray:
        """MinHash signatures, shape (n_docs, num_perm), with universal hashes (a*x + b) mod p."""
        rng = check_random_state(self.random_state)
        a = rng.randint(1, 2**32, size=self.num_perm, dtype=np.uint64)
        b = rng.randint(0, 2**32, size=self.num_perm, dtype=np.uint64)
        # crc32 is stable across processes (Python's hash() of str is salted per run)
        cache: dict[str, int] = {}
        flat: list[int] = []
        lengths = np.empty(len(shingles), dtype=np.int64)
        for d, doc in enumerate(shingles):
            for s in doc:
                h = cache.get(s)
                if h is None:
                    h = cache[s] = zlib.crc32(s.encode("utf-8", "surrogatepass"))
                flat.append(h)
            lengths[d] = len(doc)
        x = np.asarray(flat, dtype=np.uint64)
        starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
        signatures = np.empty((len(shingles), self.num_perm), dtype=np.uint64)
        # one permutation at a time: memory stays O(total shingles), not O(total shingles * num_perm)
        for k in range(self.num_perm):
            hashed = (a[k] * x % _PRIME + b[k]) % _PRIME
            signatures[:, k] = np.minimum.reduceat(hashed, starts)
        return signatures

    def _join_candidates(self, sketch: "Sketch", reps: list[int], uf: _UnionFind) -> None:
        """Join the representatives ``reps`` that share a band bucket and pass the exact check
        (compiled: :mod:`~feedmine.text.shingle_join`); groups go into ``uf``."""
        bands = sketch.bands[reps]
        buckets = []  # per band: members of buckets of two or more, bucket by bucket, and where each starts
        candidate = np.zeros(len(reps), dtype=bool)
        for band in range(bands.shape[1]):
            _, bucket = np.unique(bands[:, band], return_inverse=True)
            shared = np.flatnonzero(np.bincount(bucket)[bucket] >= 2)
            if len(shared):
                order = shared[np.argsort(bucket[shared], kind="stable")]
                edges = np.flatnonzero(np.diff(bucket[order])) + 1
                buckets.append((order.astype(np.int64), np.concatenate(([0], edges)).astype(np.int64),
                                np.concatenate((edges, [len(order)])).astype(np.int64)))
                candidate[shared] = True
        if not buckets:
            return
        # shingles only for texts that share a bucket with another (in real feedback: few)
        flat, starts = encode_shingles([sketch.keys[r] if c else "" for r, c in zip(reps, candidate)])
        parent = np.arange(len(reps), dtype=np.int64)
        for order, first, last in buckets:
            join_buckets(order, first, last, parent, flat, starts[:-1], starts[1:], float(self.threshold))
        for p, r in enumerate(roots(parent).tolist()):
            if r != p:
                uf.union(reps[p], reps[r])


@dataclass
class Sketch:
    """Per text: key digest, key length, band hashes, and the key where it is its key's first text
    ("" otherwise) (:meth:`NearDuplicateFinder.sketch`)."""

    digests: list[bytes]
    lengths: np.ndarray
    bands: np.ndarray
    keys: list[str]

    @staticmethod
    def join(parts: Sequence["Sketch"], n_bands: int) -> "Sketch":
        """The sketch of consecutive chunks' texts, in order."""
        if not parts:
            return Sketch([], np.zeros(0, dtype=np.int64), np.zeros((0, n_bands), dtype=np.uint64), [])
        return Sketch([d for p in parts for d in p.digests], np.concatenate([p.lengths for p in parts]),
                      np.vstack([p.bands for p in parts]), [k for p in parts for k in p.keys])


_CLEANER = TextCleaner(mask_pii=False).fit()


def _key(text: Any) -> str:
    """The text as compared: normalised (NFKC, repeats collapsed), lower-cased, without whitespace."""
    return "".join(_CLEANER.normalize(text).lower().split()) if isinstance(text, str) else ""


def _band_hashes(signatures: np.ndarray, bands: int) -> np.ndarray:
    """One 64-bit hash per band of rows of ``signatures``: equal bands give equal hashes, so every pair
    the bands propose is still proposed; a different band colliding (about 1 in 10^19 per pair) only
    adds a candidate, which the exact Jaccard then checks."""
    rows = signatures.shape[1] // bands
    out = np.zeros((len(signatures), bands), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for band in range(bands):
            h = np.full(len(signatures), 1469598103934665603, dtype=np.uint64)
            for r in range(rows):
                h = (h ^ signatures[:, band * rows + r]) * np.uint64(1099511628211)
            out[:, band] = h
    return out


def _shingles(key: str) -> set[str]:
    if len(key) < SHINGLE:  # only reachable with min_chars < 3: the whole key is its one shingle
        return {key}
    return {key[i:i + SHINGLE] for i in range(len(key) - SHINGLE + 1)}


def campaign_table(texts: Sequence[Any], groups: Sequence[int], ids: Sequence[Any] | None = None,
                   customers: Sequence[Any] | None = None) -> pd.DataFrame:
    """One row per group of two or more texts, largest first.

    Columns: ``group_id``, ``size``, ``n_customers`` (distinct non-missing customers; only when
    ``customers`` is given), ``first_id`` (id of the first member, or its position), ``example`` (the
    first member's text). A campaign posted 40 times by 2 accounts reads very differently from one
    complaint echoed by 40 customers, hence the customer count.

    >>> campaign_table(["a b c d e", "x", "a b c d e!"], [0, 1, 0], ids=["r1", "r2", "r3"],
    ...                customers=["u1", "u2", "u1"]).values.tolist()
    [[0, 2, 1, 'r1', 'a b c d e']]
    """
    texts = list(texts)
    groups = np.asarray(groups, dtype=np.int64)
    if len(groups) != len(texts):
        raise ValueError(f"got {len(texts)} texts but {len(groups)} group ids")
    ids = [str(i) for i in ids] if ids is not None else [str(i) for i in range(len(texts))]
    if len(ids) != len(texts):
        raise ValueError(f"got {len(texts)} texts but {len(ids)} ids")
    frame = pd.DataFrame({"group_id": groups, "pos": np.arange(len(texts))})
    if customers is not None:
        customers = list(customers)
        if len(customers) != len(texts):
            raise ValueError(f"got {len(texts)} texts but {len(customers)} customers")
        frame["customer"] = pd.Series(customers, dtype=object)
    columns = ["group_id", "size"] + (["n_customers"] if customers is not None else []) + ["first_id", "example"]
    grouped = frame.groupby("group_id", sort=True)
    out = grouped.agg(size=("pos", "size"), first=("pos", "min"))
    if customers is not None:
        out["n_customers"] = grouped["customer"].nunique(dropna=True)  # each customer counted once
    out = out[out["size"] >= 2].reset_index()
    out["first_id"] = [ids[p] for p in out["first"]]
    out["example"] = pd.Series([texts[p] for p in out["first"]], dtype=object)
    out = out.sort_values(["size", "group_id"], ascending=[False, True], kind="stable")
    return out[columns].reset_index(drop=True)
