"""Candidate pairs verified by the exact Jaccard similarity of their shingle sets.

A batch of candidate pairs is a job of its own (`Pairs`): where its items' shingles
are (ranges of the batches' stores: spill files, in a `clean`) and which items pair
up. Nothing in it refers to the corpus table, so a job runs wherever the spill files
can be read: in this process, in a local worker or on a Ray worker, and the step
that finds the candidates keeps only what comes back, the similarities. A `Verifier`
runs such jobs, and the banding jobs that find a corpus's candidate documents too."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable, Iterator

import numpy as np

from . import sign
from .hashing import distinct

GAP = 1 << 11   # shingles between two ranges of a store that are still read as one piece (8 KB: at 64 KB a
                # pass of near copies scattered over 1 GB peaked at 82 MB against 38, in the same time)
_GATHERED = 1 << 14   # ranges gathered at a time (sets)


@dataclass(frozen=True)
class Ranges:
    """The shingle sets of `count` items, each the union of ranges [lo, hi) of one
    store's shingles: range k is item owner[k]'s (an item's ranges together, items in
    order; an item without ranges has the empty set)."""
    stores: tuple          # of table.Store: only those the ranges are in
    store: np.ndarray      # per range: its store in `stores`
    lo: np.ndarray
    hi: np.ndarray
    owner: np.ndarray
    count: int


def ranges(stores: tuple, store: np.ndarray, lo: np.ndarray, hi: np.ndarray, owner: np.ndarray,
           count: int) -> Ranges:
    """Ranges in the stores `stores` (`store`: per range, an index into them). Only the
    stores read are kept, so that a job carries no more than its own."""
    used, local = np.unique(np.asarray(store, np.int64), return_inverse=True)
    return Ranges(tuple(stores[i] for i in used.tolist()), local.astype(np.int32).reshape(-1),
                  np.asarray(lo, np.int64), np.asarray(hi, np.int64), np.asarray(owner, np.int64), count)


def sets(items: Ranges) -> tuple[np.ndarray, np.ndarray]:
    """The items' shingle sets, sorted and without repeats, as (flat, offsets): one
    read per run of ranges that lie close together in one store."""
    lo, hi, store = items.lo, items.hi, items.store
    runs = []   # (first range, end range, first shingle, end shingle) of each read
    if len(lo):
        breaks = np.flatnonzero((np.diff(store) != 0) | (np.abs(lo[1:] - hi[:-1]) > GAP)) + 1
        runs = [(a, b, int(lo[a:b].min()), int(hi[a:b].max()))
                for a, b in zip(np.r_[0, breaks].tolist(), np.r_[breaks, len(lo)].tolist())]
    # each run read straight into its place (no piece held beside the whole), and
    # where each range starts in what was read
    read = np.empty(sum(last - first for _, _, first, last in runs), np.uint32)
    base, at = np.empty(len(lo), np.int64), 0
    for a, b, first, last in runs:
        read[at:at + last - first] = items.stores[int(store[a])].shingles_of(first, last)
        base[a:b] = at - first
        at += last - first
    lengths = hi - lo
    ends = np.cumsum(lengths)
    flat = np.empty(int(ends[-1]) if len(ends) else 0, read.dtype)
    for a in range(0, len(lo), _GATHERED):   # a shingle's place in `read` is 8 bytes: a share at a time
        b = min(a + _GATHERED, len(lo))
        first = int(ends[a - 1]) if a else 0
        where = np.repeat(lo[a:b] + base[a:b] - (ends[a:b] - lengths[a:b]), lengths[a:b])
        where += np.arange(first, int(ends[b - 1]))
        flat[first:int(ends[b - 1])] = read[where]
    del read
    offsets = np.zeros(items.count + 1, np.int64)
    np.cumsum(np.bincount(items.owner, weights=lengths, minlength=items.count).astype(np.int64), out=offsets[1:])
    return sign.distinct_sets(flat, offsets)


@dataclass(frozen=True)
class Pairs:
    """A batch of candidate pairs to verify: pair k is items left[k] and right[k]."""
    items: Ranges
    left: np.ndarray
    right: np.ndarray

    def __call__(self) -> np.ndarray:
        return similarities(self)


def pairs_of(pairs: np.ndarray, ranges_of: Callable[[np.ndarray], Ranges]) -> Pairs:
    """The job that verifies `pairs` (n, 2) of item numbers; `ranges_of(items)` says
    where the shingles of those items (increasing) are."""
    items = distinct(pairs)
    return Pairs(ranges_of(items), np.searchsorted(items, pairs[:, 0]), np.searchsorted(items, pairs[:, 1]))


def similarities(job: Pairs) -> np.ndarray:
    """The exact Jaccard similarity of each pair of the job."""
    flat, offsets = sets(job.items)
    return sign.jaccards(flat, offsets, job.left, job.right)


Job = Callable[[], np.ndarray]   # Pairs, or index.Banding: a corpus-wide piece of work that runs itself
Verifier = Callable[[Iterable[Job]], Iterator[np.ndarray]]   # jobs -> their answers, in order


def here(jobs: Iterable[Job]) -> Iterator[np.ndarray]:
    """Jobs done in this process, one after another."""
    return (job() for job in jobs)
