"""MinHash signatures, computed in batches and identical to datasketch's.

A block's shingles are its word k-grams (a block shorter than k words is one
shingle: all its words). Each word gets a 32-bit CRC; a shingle's hash combines its
words' hashes, so no shingle string is ever built. Signatures use exactly the
permutations and the `affine32` arithmetic of `datasketch.MinHash(num_perm, seed)`,
so `as_minhash()` gives a `LeanMinHash` usable in a `MinHashLSH`.
"""
from __future__ import annotations

import zlib
from functools import lru_cache

import numpy as np
from datasketch import LeanMinHash, MinHash

_MASK = np.uint64(0xFFFFFFFF)
_MULTIPLIER = 0x9E3779B1  # odd: combining k word hashes stays a bijection in each word
_CHUNK = 1 << 15          # shingles per batch: bounds the (chunk x num_perm) temporary


def word_hash(word: str) -> int:
    return zlib.crc32(word.encode("utf-8", "surrogatepass"))


def shingle_hash(word_hashes) -> int:
    """Reference (scalar) hash of one shingle from its words' hashes."""
    value = 0
    for h in word_hashes:
        value = (value * _MULTIPLIER + h) & 0xFFFFFFFF
    return value


def shingles(words: list[str], k: int) -> np.ndarray:
    """Sorted, unique 32-bit shingle hashes of a block's words."""
    hashes = np.fromiter((word_hash(w) for w in words), dtype=np.uint64, count=len(words))
    return block_shingles(hashes, k)


def block_shingles(hashes: np.ndarray, k: int) -> np.ndarray:
    """Sorted unique shingle hashes from a block's word hashes (uint64 holding 32 bits)."""
    n = len(hashes)
    if n == 0:
        return np.empty(0, dtype=np.uint32)
    width = min(k, n)
    count = n - width + 1
    value = np.zeros(count, dtype=np.uint64)
    multiplier = np.uint64(_MULTIPLIER)
    for j in range(width):
        value = (value * multiplier + hashes[j:j + count]) & _MASK
    return np.unique(value.astype(np.uint32))


@lru_cache(maxsize=8)
def permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """datasketch's own permutation parameters (a, b) for (num_perm, seed)."""
    a, b = MinHash(num_perm=num_perm, seed=seed).permutations
    return a.astype(np.uint32), b.astype(np.uint32)


def _fmix32(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's finalizer, as datasketch applies it before the permutations."""
    h = h ^ (h >> np.uint32(16))
    h = h * np.uint32(0x85EBCA6B)
    h = h ^ (h >> np.uint32(13))
    h = h * np.uint32(0xC2B2AE35)
    return h ^ (h >> np.uint32(16))


def signatures(shingle_sets: list[np.ndarray], num_perm: int, seed: int) -> np.ndarray:
    """One MinHash signature per shingle set, as a (len(sets), num_perm) uint32 array.

    All sets are processed together in chunks: one numpy pass per chunk, never a
    Python loop per shingle. An empty set gets datasketch's empty value (all 2^32-1).
    """
    a, b = permutations(num_perm, seed)
    out = np.full((len(shingle_sets), num_perm), 0xFFFFFFFF, dtype=np.uint32)
    sizes = np.fromiter((len(s) for s in shingle_sets), dtype=np.int64, count=len(shingle_sets))
    if not sizes.sum():
        return out
    owners = np.repeat(np.arange(len(shingle_sets)), sizes)
    flat = _fmix32(np.concatenate(shingle_sets).astype(np.uint32))
    with np.errstate(over="ignore"):
        for lo in range(0, len(flat), _CHUNK):
            chunk = flat[lo:lo + _CHUNK]
            owner = owners[lo:lo + _CHUNK]
            values = chunk[:, None] * a[None, :] + b[None, :]
            starts = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
            mins = np.minimum.reduceat(values, starts, axis=0)
            rows = owner[starts]
            out[rows] = np.minimum(out[rows], mins)
    return out


def as_minhash(signature: np.ndarray, seed: int) -> LeanMinHash:
    """A datasketch LeanMinHash holding this signature (for MinHashLSH and friends)."""
    return LeanMinHash(seed=seed, hashvalues=signature, scheme="affine32")


def jaccard(x: np.ndarray, y: np.ndarray) -> float:
    """Exact Jaccard similarity of two sorted unique shingle arrays."""
    if not len(x) and not len(y):
        return 1.0
    common = len(np.intersect1d(x, y, assume_unique=True))
    return common / (len(x) + len(y) - common)
