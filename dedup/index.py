"""LSH over MinHash signatures: candidate pairs by banding, then verified clusters.

Banding is done with a sort per band instead of a hash table per entry: the same
candidates as datasketch's MinHashLSH with the same (bands, rows), at a fraction of
its memory (see NOTES-minhash.md). Of a band's many items only those a bitmap of
their keys says may share one are sorted (kernel.maybe_shared). Candidates are only candidates: the caller
verifies each by its exact Jaccard similarity.
"""
from __future__ import annotations

from dataclasses import dataclass
from collections import deque
from typing import Callable, Iterable, Protocol

import numpy as np

from . import heap
from .hashing import band_key, distinct


@dataclass(frozen=True)
class Bands:
    """Band keys read one band at a time: `column(b)` is every item's key of band b.
    Keys kept on disk are grouped without ever holding all bands in memory."""
    n: int
    bands: int
    column: Callable[[int], np.ndarray]

    @classmethod
    def of(cls, keys: np.ndarray) -> "Bands":
        """An (n, bands) array of keys in memory."""
        return cls(keys.shape[0], keys.shape[1] if keys.ndim == 2 else 0, lambda band: keys[:, band])


@dataclass(frozen=True)
class Candidates:
    """Candidate pairs of n items found elsewhere (by Banding jobs): sorted distinct codes."""
    n: int
    codes: np.ndarray


class Signed(Protocol):
    """Where n items' MinHash signatures are (table.Signed): read a piece at a time."""
    count: int

    def chunks(self, size: int) -> Iterable[np.ndarray]: ...


BANDS_PER_JOB = 4   # a banding job holds this many keys per item
RELEASE_ITEMS = 1 << 16   # candidate_codes of this many items gives the heap back after each band


@dataclass(frozen=True)
class Banding:
    """A job: the candidate codes (candidate_codes) of bands `bands` of the items
    whose signatures `signed` holds. Nothing in it refers to the corpus table, so the
    bands of a corpus's documents are bucketed by workers, a few bands each, and
    the process that asks holds only the distinct candidates, never the keys."""
    signed: Signed
    bands: tuple
    rows: int

    def __call__(self) -> np.ndarray:
        n = self.signed.count
        keys, at = np.empty((len(self.bands), n), np.uint64), 0
        for signatures in self.signed.chunks(4096):
            wide = signatures.astype(np.uint64)
            for k, band in enumerate(self.bands):
                keys[k, at:at + len(wide)] = band_key(wide, band, self.rows)
            at += len(wide)
        return candidate_codes(Bands(n, len(self.bands), keys.__getitem__))


def banding(signed: Signed, bands: int, rows: int) -> list[Banding]:
    """The jobs that find the candidates of items `signed` in all `bands` bands."""
    return [Banding(signed, tuple(range(lo, min(lo + BANDS_PER_JOB, bands))), rows)
            for lo in range(0, bands, BANDS_PER_JOB)]


def merged(found: Iterable[np.ndarray]) -> np.ndarray:
    """The distinct codes of several jobs' answers, folded in as they come."""
    codes = np.empty(0, np.int64)
    for more in found:
        joined = np.concatenate([codes, more])
        del codes, more
        codes = distinct(joined, own=True)
        del joined
        heap.release()
    return codes


def candidate_pairs(keys: np.ndarray | Bands) -> np.ndarray:
    """Pairs (i, j), i < j, that share a band key: each member of a bucket is paired
    with the bucket's first (lowest) member and with its predecessor; sorted, each once."""
    keys = keys if isinstance(keys, Bands) else Bands.of(keys)
    return _decoded(candidate_codes(keys), keys.n)


COMPILED_BUCKETS = 1 << 14   # from this many items, kernel.maybe_shared picks the ones to sort


def candidate_codes(keys: Bands, compiled: bool | None = None) -> np.ndarray:
    """candidate_pairs, each pair as one integer (i * n + j), sorted: made distinct band
    by band, so memory holds the distinct pairs and one band's, not every band's (a
    corpus of near copies pairs the same documents in most bands). `compiled`: only the
    items kernel.maybe_shared picks are sorted (None: for COMPILED_BUCKETS items or more)."""
    n = keys.n
    compiled = compiled if compiled is not None else n >= COMPILED_BUCKETS
    codes = np.empty(0, np.int64)
    for band in range(keys.bands if n >= 2 else 0):
        column = keys.column(band)
        order = _by_key(column, compiled)
        sorted_keys = column[order]
        del column
        same = sorted_keys[1:] == sorted_keys[:-1]
        del sorted_keys
        if not same.any():
            continue
        run_start = np.arange(len(order))   # where each item's run of equal keys starts (in place: one array)
        run_start[1:][same] = 0
        np.maximum.accumulate(run_start, out=run_start)
        idx = np.flatnonzero(same) + 1
        del same
        found = [_codes(order[run_start[idx]], order[idx], n)]
        del run_start
        found.append(_codes(order[idx - 1], order[idx], n))
        del order, idx
        joined = np.concatenate([codes, *found])
        del codes, found
        codes = distinct(joined, own=True)
        del joined
        if n >= RELEASE_ITEMS:
            heap.release()   # the band's temporaries: each band's codes are more than the last's
    return codes


def _by_key(column: np.ndarray, compiled: bool) -> np.ndarray:
    """Items sorted by key, and among equal keys by item: every item, or (`compiled`)
    only those whose key may be shared, most keys of a band being one item's alone."""
    if not compiled:
        return np.argsort(column, kind="stable")
    from . import kernel   # numba: only for many items
    maybe = kernel.maybe_shared(np.ascontiguousarray(column))
    return maybe[np.argsort(column[maybe], kind="stable")]


def _decoded(codes: np.ndarray, n: int) -> np.ndarray:
    return np.stack([codes // n, codes % n], axis=1) if n else np.empty((0, 2), np.int64)


def _codes(a: np.ndarray, b: np.ndarray, n: int) -> np.ndarray:
    """Pairs of distinct items as one integer each, lower first (n * n fits: n < 2**31)."""
    differ = a != b
    a, b = a[differ], b[differ]
    low = np.minimum(a, b)
    np.maximum(a, b, out=b)
    low *= n
    low += b
    return low


def estimated_similarity(signatures: np.ndarray, pairs: np.ndarray) -> np.ndarray:
    """MinHash estimate of each pair's Jaccard similarity (share of equal values)."""
    if not len(pairs):
        return np.empty(0)
    return (signatures[pairs[:, 0]] == signatures[pairs[:, 1]]).mean(axis=1)


def clusters(n: int, pairs: np.ndarray) -> np.ndarray:
    """For each item, the lowest item of its connected component (union-find)."""
    parent = np.arange(n)
    union(parent, pairs)
    return roots(parent)


COMPILED_UNIONS = 1 << 12   # from this many pairs, union runs in kernel.py


def union(parent: np.ndarray, pairs: np.ndarray, compiled: bool | None = None) -> None:
    """Join the components of each pair's items in the union-find forest `parent` (in
    place), the lower root becoming the parent: every item's parent is never above it,
    so the root of a component is its lowest item, whatever order pairs come in.
    `compiled`: in kernel.py (None: if there are COMPILED_UNIONS pairs)."""
    if len(pairs) and (compiled if compiled is not None else len(pairs) >= COMPILED_UNIONS):
        from . import kernel   # numba: only for many pairs
        kernel.union(parent, np.ascontiguousarray(pairs[:, 0]), np.ascontiguousarray(pairs[:, 1]))
        return

    def root(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for i, j in pairs.tolist():
        ri, rj = root(i), root(j)
        if ri != rj:
            parent[max(ri, rj)] = min(ri, rj)


def roots(parent: np.ndarray) -> np.ndarray:
    """Each item's root in the forest (its component's lowest item), by pointer jumping."""
    out = parent.copy()
    while True:
        up = out[out]
        if np.array_equal(up, out):
            return out
        out = up


# Candidate pairs verified at once: bounds the signatures in memory; and, when the items'
# sizes are known, the shingles of a pass's items (read and sorted at ~30 bytes each).
_PAIRS_PER_PASS = 1 << 13
SHINGLES_PER_PASS = 1 << 21
# Passes between two heap.release() while verifying: a pass's temporaries land in the
# holes that finding the candidates left in the heap, which would otherwise all come
# back into the resident set one pass after another.
RELEASE_PASSES = 32


def passes(pairs: np.ndarray, sizes: np.ndarray | None) -> list[int]:
    """Where passes that verify `pairs` start: at most _PAIRS_PER_PASS pairs each, and pairs
    whose items' sizes add up to at most SHINGLES_PER_PASS (an item counted once per
    pair: a bound on the pass's distinct items), one pair at least."""
    cost = None if sizes is None or not len(pairs) else np.cumsum(sizes[pairs[:, 0]] + sizes[pairs[:, 1]],
                                                                  dtype=np.int64)
    return _pass_starts(len(pairs), cost)


def _code_passes(codes: np.ndarray, n: int, sizes: np.ndarray | None) -> list[int]:
    """passes() of pairs given as codes, never decoded all at once."""
    if sizes is None or not len(codes):
        return _pass_starts(len(codes), None)
    cost = np.empty(len(codes), np.int64)
    for lo in range(0, len(codes), 1 << 20):
        chunk = codes[lo:lo + (1 << 20)]
        cost[lo:lo + len(chunk)] = sizes[chunk // n] + sizes[chunk % n]
    return _pass_starts(len(codes), np.cumsum(cost, out=cost))


def _pass_starts(count: int, cost: np.ndarray | None) -> list[int]:
    """Pass starts of `count` pairs whose running cost is `cost` (None: any)."""
    starts = list(range(0, count, _PAIRS_PER_PASS))
    if cost is None:
        return starts
    cuts, at = [0], 0
    while True:
        budget = (cost[at - 1] if at else 0) + SHINGLES_PER_PASS
        at = max(int(np.searchsorted(cost, budget, "right")), at + 1)
        if at >= count:
            break
        cuts.append(at)
    return sorted(set(starts) | set(cuts))


Similarities = Callable[[Iterable[np.ndarray]], Iterable[np.ndarray]]
"""Batches of pairs (n, 2) -> the exact similarity of each pair, batch by batch in order:
so that the batches may be verified together, by workers."""


def in_passes(pairs: np.ndarray, sizes: np.ndarray | None, similarities: Similarities) -> np.ndarray:
    """similarities(pairs), asked a pass at a time."""
    starts = passes(pairs, sizes)
    return np.concatenate([*similarities(pairs[lo:hi] for lo, hi in zip(starts, starts[1:] + [len(pairs)])),
                           np.empty(0)])


@dataclass(frozen=True)
class Clusters:
    """Verified near-duplicate clusters. Clusters are transitive (a ~ b ~ c puts c with
    a even when c and a are less similar than the threshold), so each item also has
    the member it was verified against: the evidence that holds."""
    rep: np.ndarray          # the lowest member of each item's cluster
    match: np.ndarray        # each item's most similar verified partner (the lowest on ties; itself if none)
    similarity: np.ndarray   # each item's similarity to its match (>= threshold; 1.0 for itself)


def near_duplicates(keys: np.ndarray | Bands | Candidates, threshold: float, similarities: Similarities,
                    signatures_of: Callable[[np.ndarray], np.ndarray] | None, slack: float = 0.15,
                    sizes: np.ndarray | None = None) -> Clusters:
    """Verified near-duplicate clusters of the items.

    Candidates share a band key (`keys`: the items' band keys, or the candidates
    found already). Those whose MinHash estimate is far below the
    threshold are dropped before the exact similarity is computed; the estimate
    needs the signatures of the candidates only (`signatures_of(items)`), never one
    per item held for the whole corpus. None: every candidate is verified (items of
    a few shingles, such as lines, are compared exactly sooner than signed again).
    `similarities`: the exact similarity of each pair (i, j) of each batch; `sizes`
    (of each item, in shingles) bound what a batch reads."""
    if isinstance(keys, Candidates):
        n, codes = keys.n, keys.codes
    else:
        keys = keys if isinstance(keys, Bands) else Bands.of(keys)
        n, codes = keys.n, candidate_codes(keys)
    del keys   # (the caller's were made for this call: not held while verifying)
    parent, match, best = np.arange(n), np.arange(n), np.full(n, -1.0)
    starts = _code_passes(codes, n, sizes)
    asked: deque[np.ndarray] = deque()   # the batches sent and not yet answered, in order
    compiled = len(codes) >= COMPILED_UNIONS   # every pass's edges, if there are many in all

    def batches():
        for lo, hi in zip(starts, starts[1:] + [len(codes)]):
            chunk = _decoded(codes[lo:hi], n)
            if signatures_of is not None:
                items = distinct(chunk)
                at = np.searchsorted(items, chunk)
                chunk = chunk[estimated_similarity(signatures_of(items), at) >= threshold - slack]
            if len(chunk):
                asked.append(chunk)
                yield chunk
    for k, exact in enumerate(similarities(batches()), 1):   # each pass's edges folded in, none held
        chunk = asked.popleft()
        edges, similarity = chunk[exact >= threshold], exact[exact >= threshold]
        union(parent, edges, compiled)
        _fold_best(match, best, edges, similarity)
        if k % RELEASE_PASSES == 0:
            heap.release()
    best[best < 0] = 1.0
    return Clusters(roots(parent), match, best)


def _fold_best(match: np.ndarray, best: np.ndarray, edges: np.ndarray, similarity: np.ndarray) -> None:
    """Fold more verified edges into each item's best partner so far (`best` -1: none
    yet): a higher similarity wins, then a lower partner. Each edge comes once, so
    folding them in any number of parts gives what all of them at once give."""
    if not len(edges):
        return
    item = np.concatenate([edges[:, 0], edges[:, 1]])
    partner = np.concatenate([edges[:, 1], edges[:, 0]])
    s = np.concatenate([similarity, similarity])
    order = np.lexsort((partner, -s, item))
    first = order[np.r_[True, item[order][1:] != item[order][:-1]]]
    item, partner, s = item[first], partner[first], s[first]
    better = (s > best[item]) | ((s == best[item]) & (partner < match[item]))
    match[item[better]], best[item[better]] = partner[better], s[better]
