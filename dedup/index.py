"""LSH over MinHash signatures: candidate pairs by banding, then verified clusters.

Banding is done with a sort per band instead of a hash table per entry: the same
candidates as datasketch's MinHashLSH with the same (bands, rows), at a fraction of
its memory (see NOTES-minhash.md). Candidates are only candidates: the caller
verifies each by its exact Jaccard similarity.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from .hashing import distinct


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


def candidate_pairs(keys: np.ndarray | Bands) -> np.ndarray:
    """Pairs (i, j), i < j, that share a band key: each member of a bucket is paired
    with the bucket's first (lowest) member and with its predecessor. Each pair is one
    integer (i * n + j), made distinct band by band: memory holds the distinct pairs and
    one band's, not every band's (a corpus of near copies pairs the same documents in
    most bands)."""
    keys = keys if isinstance(keys, Bands) else Bands.of(keys)
    n = keys.n
    codes = np.empty(0, np.int64)
    for band in range(keys.bands if n >= 2 else 0):
        column = keys.column(band)
        order = np.argsort(column, kind="stable")
        sorted_keys = column[order]
        del column
        same = sorted_keys[1:] == sorted_keys[:-1]
        if not same.any():
            continue
        run_start = np.maximum.accumulate(np.where(np.r_[True, ~same], np.arange(n), 0))
        idx = np.flatnonzero(same) + 1
        found = [_codes(order[run_start[idx]], order[idx], n), _codes(order[idx - 1], order[idx], n)]
        codes = distinct(np.concatenate([codes, *found]))
    return np.stack([codes // n, codes % n], axis=1) if n else np.empty((0, 2), np.int64)


def _codes(a: np.ndarray, b: np.ndarray, n: int) -> np.ndarray:
    """Pairs of distinct items as one integer each, lower first (n * n fits: n < 2**31)."""
    a, b = a[a != b], b[a != b]
    return np.minimum(a, b) * n + np.maximum(a, b)


def estimated_similarity(signatures: np.ndarray, pairs: np.ndarray) -> np.ndarray:
    """MinHash estimate of each pair's Jaccard similarity (share of equal values)."""
    if not len(pairs):
        return np.empty(0)
    return (signatures[pairs[:, 0]] == signatures[pairs[:, 1]]).mean(axis=1)


def clusters(n: int, pairs: np.ndarray) -> np.ndarray:
    """For each item, the lowest item of its connected component (union-find)."""
    parent = np.arange(n)

    def root(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for i, j in pairs:
        ri, rj = root(int(i)), root(int(j))
        if ri != rj:
            parent[max(ri, rj)] = min(ri, rj)
    return np.array([root(i) for i in range(n)], dtype=np.int64)


# Candidate pairs verified at once: bounds the signatures in memory; and, when the items'
# sizes are known, the shingles of a pass's items (read and sorted at ~30 bytes each).
_PAIRS_PER_PASS = 1 << 13
SHINGLES_PER_PASS = 1 << 21


def passes(pairs: np.ndarray, sizes: np.ndarray | None) -> list[int]:
    """Where passes that verify `pairs` start: at most _PAIRS_PER_PASS pairs each, and pairs
    whose items' sizes add up to at most SHINGLES_PER_PASS (an item counted once per
    pair: a bound on the pass's distinct items), one pair at least."""
    starts = list(range(0, len(pairs), _PAIRS_PER_PASS))
    if sizes is None or not len(pairs):
        return starts
    cost = np.cumsum(sizes[pairs[:, 0]] + sizes[pairs[:, 1]], dtype=np.int64)
    cuts, at = [0], 0
    while True:
        budget = (cost[at - 1] if at else 0) + SHINGLES_PER_PASS
        at = max(int(np.searchsorted(cost, budget, "right")), at + 1)
        if at >= len(pairs):
            break
        cuts.append(at)
    return sorted(set(starts) | set(cuts))


def in_passes(pairs: np.ndarray, sizes: np.ndarray | None, similarities: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """similarities(pairs), asked a pass at a time."""
    starts = passes(pairs, sizes)
    return np.concatenate([similarities(pairs[lo:hi]) for lo, hi in zip(starts, starts[1:] + [len(pairs)])]
                          or [np.empty(0)])


@dataclass(frozen=True)
class Clusters:
    """Verified near-duplicate clusters. Clusters are transitive (a ~ b ~ c puts c with
    a even when c and a are less similar than the threshold), so each item also has
    the member it was verified against: the evidence that holds."""
    rep: np.ndarray          # the lowest member of each item's cluster
    match: np.ndarray        # each item's most similar verified partner (the lowest on ties; itself if none)
    similarity: np.ndarray   # each item's similarity to its match (>= threshold; 1.0 for itself)


def near_duplicates(keys: np.ndarray | Bands, threshold: float, similarities: Callable[[np.ndarray], np.ndarray],
                    signatures_of: Callable[[np.ndarray], np.ndarray], slack: float = 0.15,
                    sizes: np.ndarray | None = None) -> Clusters:
    """Verified near-duplicate clusters of the items.

    Candidates share a band key. Those whose MinHash estimate is far below the
    threshold are dropped before the exact similarity is computed; the estimate
    needs the signatures of the candidates only (`signatures_of(items)`, which signs
    them again from their shingles), never one per item held for the whole corpus.
    `similarities(pairs)`: the exact similarity of each pair (i, j) of a batch; `sizes`
    (of each item, in shingles) bound what a batch reads."""
    n = keys.n if isinstance(keys, Bands) else keys.shape[0]
    pairs = candidate_pairs(keys)
    del keys   # (the caller's were made for this call: not held while verifying)
    verified, similar = [np.empty((0, 2), np.int64)], [np.empty(0)]
    starts = passes(pairs, sizes)
    for lo, hi in zip(starts, starts[1:] + [len(pairs)]):
        chunk = pairs[lo:hi]
        items = distinct(chunk)
        at = np.searchsorted(items, chunk)
        chunk = chunk[estimated_similarity(signatures_of(items), at) >= threshold - slack]
        exact = similarities(chunk) if len(chunk) else np.empty(0)
        verified.append(chunk[exact >= threshold])
        similar.append(exact[exact >= threshold])
    edges, similarity = np.concatenate(verified), np.concatenate(similar)
    match, best = _best_partners(n, edges, similarity)
    return Clusters(clusters(n, edges), match, best)


def _best_partners(n: int, edges: np.ndarray, similarity: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each item's most similar partner over the verified edges (in the edges' order,
    sorted by pair, the first on ties: the lower partner) and that similarity; itself
    and 1.0 for an item without any."""
    match, best = np.arange(n), np.ones(n)
    if len(edges):
        item = np.concatenate([edges[:, 0], edges[:, 1]])
        partner = np.concatenate([edges[:, 1], edges[:, 0]])
        s = np.concatenate([similarity, similarity])
        order = np.lexsort((partner, -s, item))
        first = order[np.r_[True, item[order][1:] != item[order][:-1]]]
        match[item[first]], best[item[first]] = partner[first], s[first]
    return match, best
