"""LSH over MinHash signatures: candidate pairs by banding, then verified clusters.

Banding is done with a sort per band instead of a hash table per entry: the same
candidates as datasketch's MinHashLSH with the same (bands, rows), at a fraction of
its memory (see NOTES-minhash.md). Candidates are only candidates: the caller
verifies each by its exact Jaccard similarity.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

_BAND_MIX = np.uint64(0x9E3779B97F4A7C15)


def band_keys(signatures: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """(n, bands) uint64: one key per band, equal when the band's rows are equal."""
    n = signatures.shape[0]
    keys = np.zeros((n, bands), dtype=np.uint64)
    sig = signatures.astype(np.uint64)
    with np.errstate(over="ignore"):
        for band in range(bands):
            key = np.full(n, band + 1, dtype=np.uint64)
            for col in sig[:, band * rows:(band + 1) * rows].T:
                key = (key ^ col) * _BAND_MIX
                key ^= key >> np.uint64(29)
            keys[:, band] = key
    return keys


def candidate_pairs(signatures: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """Pairs (i, j), i < j, that share a band: each member of a bucket is paired with
    the bucket's first (lowest) member and with its predecessor."""
    n = signatures.shape[0]
    if n < 2:
        return np.empty((0, 2), dtype=np.int64)
    keys = band_keys(signatures, bands, rows)
    found = []
    for band in range(bands):
        order = np.argsort(keys[:, band], kind="stable")
        sorted_keys = keys[order, band]
        same = sorted_keys[1:] == sorted_keys[:-1]
        if not same.any():
            continue
        run_start = np.maximum.accumulate(np.where(np.r_[True, ~same], np.arange(n), 0))
        idx = np.flatnonzero(same) + 1
        found.append(np.stack([order[run_start[idx]], order[idx]], axis=1))
        found.append(np.stack([order[idx - 1], order[idx]], axis=1))
    if not found:
        return np.empty((0, 2), dtype=np.int64)
    pairs = np.concatenate(found)
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    pairs = np.sort(pairs, axis=1)
    return np.unique(pairs, axis=0)


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


def near_duplicates(signatures: np.ndarray, bands: int, rows: int, threshold: float,
                    similarity: Callable[[int, int], float], slack: float = 0.15) -> np.ndarray:
    """Verified near-duplicate clusters: representative (lowest member) of each item.

    Candidates whose MinHash estimate is far below the threshold are dropped before
    the exact similarity is computed."""
    pairs = candidate_pairs(signatures, bands, rows)
    if len(pairs):
        pairs = pairs[estimated_similarity(signatures, pairs) >= threshold - slack]
    verified = [p for p in pairs if similarity(int(p[0]), int(p[1])) >= threshold]
    return clusters(signatures.shape[0], np.array(verified, dtype=np.int64).reshape(-1, 2))
