"""MinHash signatures, computed in batches and identical to datasketch's.

A block's shingles are its word k-grams (a block shorter than k words is one
shingle: all its words). Each word gets a 32-bit polynomial hash, computed for many
words at once; a shingle's hash combines its words' hashes, so no shingle string is
ever built. Signatures use exactly the
permutations and the `affine32` arithmetic of `datasketch.MinHash(num_perm, seed)`,
so `as_minhash()` gives a `LeanMinHash` usable in a `MinHashLSH`.
"""
from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING

import numpy as np

from .hashing import BASE, MIX, MULTIPLIER, distinct

if TYPE_CHECKING:   # importing datasketch at run time costs 0.5 s (scipy)
    from datasketch import LeanMinHash

_MASK = np.uint64(0xFFFFFFFF)
_CHUNK = 1 << 15          # shingles per batch: bounds the (chunk x num_perm) temporary
COMPILED_SHINGLES = 1 << 15   # from this many shingles, signatures are signed by kernel.py
_BASE_INV = pow(BASE, -1, 1 << 64)
_SLICE = 1 << 20          # characters hashed per numpy pass


_MASK64 = 0xFFFFFFFFFFFFFFFF


def word_hash64(word: str) -> int:
    """Reference (scalar) 64-bit hash of one word: a polynomial over its code points."""
    value = 0
    for char in word:
        value = (value * BASE + ord(char)) & _MASK64
    return value


def word_hash(word: str) -> int:
    """Reference (scalar) 32-bit hash of one word: its 64-bit hash folded."""
    value = word_hash64(word)
    return (value ^ (value >> 32)) & 0xFFFFFFFF


def _mix64(z: int) -> int:
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK64
    return z ^ (z >> 31)


def sequence_hash(word64) -> int:
    """The exact-match hash of a block: its words' 64-bit hashes in order, each step
    mixed (splitmix64's finalizer), then the count. Equal words give equal blocks."""
    h = MIX
    for w in word64:
        h = _mix64(h ^ int(w))
    return _mix64(h ^ len(word64))


def _powers(n: int) -> tuple[np.ndarray, np.ndarray]:
    """BASE^k and BASE^-k mod 2^64 for k < n (at least): tables as long as the
    next power of two, up to _SLICE (a git hook hashing one file makes 4 KB of them,
    not 16 MB in 30 ms)."""
    return _powers_below(min(_SLICE, 1 << max(10, (n - 1).bit_length())))


@lru_cache(maxsize=16)
def _powers_below(size: int) -> tuple[np.ndarray, np.ndarray]:
    with np.errstate(over="ignore"):
        up = np.cumprod(np.full(size, BASE, dtype=np.uint64))
        down = np.cumprod(np.full(size, _BASE_INV, dtype=np.uint64))
    one = np.ones(1, dtype=np.uint64)
    return np.concatenate([one, up[:-1]]), np.concatenate([one, down[:-1]])


def word_hashes(words: list[str]) -> np.ndarray:
    """`word_hash` of every word (uint64 holding 32 bits)."""
    return fold32(word_hashes64(words))


def fold32(value: np.ndarray) -> np.ndarray:
    """64-bit word hashes folded to the 32 bits that shingles are made of."""
    return (value ^ (value >> np.uint64(32))) & _MASK


def word_hashes64(words: list[str]) -> np.ndarray:
    """`word_hash64` of every word, computed in numpy passes.

    The words are joined by spaces and hashed with prefix sums: the polynomial hash
    of chars [i, j) is B^(j-1) * (S[j] - S[i]) where S sums c_t * B^-t."""
    out = []
    start = 0
    while start < len(words):
        stop, size = start, 0
        while stop < len(words) and (size + len(words[stop]) + 1 <= _SLICE or stop == start):
            size += len(words[stop]) + 1
            stop += 1
        out.append(_hash_slice(words[start:stop]))
        start = stop
    return np.concatenate(out) if out else np.empty(0, dtype=np.uint64)


def _hash_slice(words: list[str]) -> np.ndarray:
    text = " ".join(words)
    if len(text) > _SLICE:   # one enormous "word": no prefix table that long
        return np.array([word_hash64(w) for w in words], dtype=np.uint64)
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.uint64)
    n = len(codes)
    up, down = _powers(n)
    with np.errstate(over="ignore"):
        prefix = np.zeros(n + 1, dtype=np.uint64)
        np.cumsum(codes * down[:n], out=prefix[1:])
        lengths = np.fromiter((len(w) for w in words), dtype=np.int64, count=len(words))
        ends = np.cumsum(lengths + 1) - 1
        starts = ends - lengths
        return up[ends - 1] * (prefix[ends] - prefix[starts])


def sequence_hashes(word64: np.ndarray, first: np.ndarray, last: np.ndarray) -> np.ndarray:
    """`sequence_hash` of every block [first[j], last[j]) of `word64` at once: one numpy
    step per word position, over the blocks that long (longest first, so a slice), not
    one Python step per word (a git hook's few files spent 20 ms there)."""
    lengths = (last - first).astype(np.int64)
    order = np.argsort(-lengths, kind="stable")
    starts, lengths = first[order].astype(np.int64), lengths[order]
    h = np.full(len(order), MIX, np.uint64)
    longest = int(lengths[0]) if len(lengths) else 0
    live = np.searchsorted(-lengths, -np.arange(longest), side="left")   # how many blocks are longer than j
    with np.errstate(over="ignore"):
        for j in range(longest):
            n = live[j]
            h[:n] = _mix64_array(h[:n] ^ word64[starts[:n] + j])
        out = np.empty(len(order), np.uint64)
        out[order] = _mix64_array(h ^ lengths.astype(np.uint64))
    return out


def _mix64_array(z: np.ndarray) -> np.ndarray:
    """_mix64 of every value (uint64 arithmetic wraps as the scalar one masks)."""
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def shingle_hash(word_hashes) -> int:
    """Reference (scalar) hash of one shingle from its words' hashes."""
    value = 0
    for h in word_hashes:
        value = (value * MULTIPLIER + int(h)) & 0xFFFFFFFF
    return value


def shingles(words: list[str], k: int) -> np.ndarray:
    """Sorted, unique 32-bit shingle hashes of a block's words."""
    return block_shingles(word_hashes(words), k)


def kgram_hashes(hashes: np.ndarray, k: int) -> np.ndarray:
    """The shingle hash starting at every position that has k words after it."""
    count = len(hashes) - k + 1
    if count <= 0:
        return np.empty(0, dtype=np.uint32)
    value = np.zeros(count, dtype=np.uint64)
    multiplier = np.uint64(MULTIPLIER)
    with np.errstate(over="ignore"):
        for j in range(k):
            value = (value * multiplier + hashes[j:j + count]) & _MASK
    return value.astype(np.uint32)


def block_shingles(hashes: np.ndarray, k: int) -> np.ndarray:
    """Sorted unique shingle hashes from a block's word hashes; a block shorter
    than k words is one shingle of all its words."""
    if len(hashes) == 0:
        return np.empty(0, dtype=np.uint32)
    return distinct(kgram_hashes(hashes, min(k, len(hashes))))


def blocks(word64: np.ndarray, first: np.ndarray, last: np.ndarray, k: int, num_perm: int, seed: int):
    """For each block of words [first[j], last[j]): its exact hash, its sorted unique
    shingles (flat, with offsets) and its signature. The numpy reference of
    kernel.blocks, and the path of small batches."""
    w32 = fold32(word64)
    kgrams = kgram_hashes(w32, k)
    sets = [block_shingles(w32[f:l], k) if l - f < k else distinct(kgrams[f:l - k + 1])
            for f, l in zip(first.tolist(), last.tolist())]
    exact = sequence_hashes(word64, first, last)
    flat, offsets = joined(sets, np.uint32)
    return exact, flat, offsets, signatures(sets, num_perm, seed)


# (num_perm, seed) -> the file of their permutations drawn ahead, the default settings':
# numpy.random's import and generator cost a git hook 30 ms (tests draw them again).
_DRAWN = {(128, 1): "data/minhash-128-1.npy"}


@lru_cache(maxsize=8)
def permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """datasketch's own permutation parameters (a, b) for (num_perm, seed), as
    `MinHash(num_perm, seed)` draws them for affine32 (tests compare the two): signing
    never imports datasketch, whose import alone takes half a second (scipy)."""
    if (num_perm, seed) in _DRAWN:
        with resources.files("dedup").joinpath(_DRAWN[num_perm, seed]).open("rb") as handle:
            a, b = np.load(handle, allow_pickle=False)
        return a, b
    return draw_permutations(num_perm, seed)


def draw_permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    gen = np.random.RandomState(seed)
    a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return a, b


def _fmix32(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's finalizer, as datasketch applies it before the permutations."""
    h = h ^ (h >> np.uint32(16))
    h = h * np.uint32(0x85EBCA6B)
    h = h ^ (h >> np.uint32(13))
    h = h * np.uint32(0xC2B2AE35)
    return h ^ (h >> np.uint32(16))


def signatures(shingle_sets: list[np.ndarray], num_perm: int, seed: int, compiled: bool | None = None) -> np.ndarray:
    """One MinHash signature per shingle set, as a (len(sets), num_perm) uint32 array.

    All sets are processed together in chunks: one numpy pass per chunk, never a
    Python loop per shingle. An empty set gets datasketch's empty value (all 2^32-1).
    Many shingles go through the compiled kernel (same values, no temporary of
    chunk x num_perm); `compiled` forces one path (tests compare them).
    """
    a, b = permutations(num_perm, seed)
    out = np.full((len(shingle_sets), num_perm), 0xFFFFFFFF, dtype=np.uint32)
    sizes = np.fromiter((len(s) for s in shingle_sets), dtype=np.int64, count=len(shingle_sets))
    if not sizes.sum():
        return out
    if compiled if compiled is not None else sizes.sum() >= COMPILED_SHINGLES:
        from . import kernel   # numba: only for sets big enough to repay its import
        offsets = np.concatenate([[0], np.cumsum(sizes)])
        return kernel.set_signatures(np.concatenate(shingle_sets).astype(np.uint32), offsets, a, b)
    owners = np.repeat(np.arange(len(shingle_sets)), sizes)
    flat = _fmix32(np.concatenate(shingle_sets).astype(np.uint32))
    with np.errstate(over="ignore"):
        for lo in range(0, len(flat), _CHUNK):
            chunk = flat[lo:lo + _CHUNK]
            owner = owners[lo:lo + _CHUNK]
            values = a[:, None] * chunk[None, :] + b[:, None]   # (num_perm, shingles): reduceat along rows
            starts = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])   # runs 4x faster than down columns
            mins = np.minimum.reduceat(values, starts, axis=1).T
            rows = owner[starts]
            out[rows] = np.minimum(out[rows], mins)
    return out


def as_minhash(signature: np.ndarray, seed: int) -> LeanMinHash:
    """A datasketch LeanMinHash holding this signature (for MinHashLSH and friends)."""
    from datasketch import LeanMinHash
    return LeanMinHash(seed=seed, hashvalues=signature, scheme="affine32")


def jaccard(x: np.ndarray, y: np.ndarray) -> float:
    """Exact Jaccard similarity of two sorted unique shingle arrays."""
    if not len(x) and not len(y):
        return 1.0
    common = len(np.intersect1d(x, y, assume_unique=True))
    return common / (len(x) + len(y) - common)


def distinct_sets(flat: np.ndarray, offsets: np.ndarray, compiled: bool | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Each set flat[offsets[j]:offsets[j + 1]] sorted and without repeats: (flat, offsets)
    of the results. Many shingles go through the compiled kernel."""
    if compiled if compiled is not None else len(flat) >= COMPILED_SHINGLES:
        from . import kernel
        return kernel.distinct_sets(flat, offsets.astype(np.int64))
    sets = [distinct(flat[lo:hi]) for lo, hi in zip(offsets[:-1].tolist(), offsets[1:].tolist())]
    return joined(sets, flat.dtype)


def jaccards(flat: np.ndarray, offsets: np.ndarray, left: np.ndarray, right: np.ndarray,
             compiled: bool | None = None) -> np.ndarray:
    """`jaccard` of sets left[k] and right[k] for every k, of the sorted unique sets
    flat[offsets[j]:offsets[j + 1]]: a compiled merge per pair when there are many."""
    if compiled if compiled is not None else len(left) * 64 >= COMPILED_SHINGLES:
        from . import kernel
        return kernel.jaccards(flat, offsets.astype(np.int64), left.astype(np.int64), right.astype(np.int64))
    return np.array([jaccard(flat[offsets[i]:offsets[i + 1]], flat[offsets[j]:offsets[j + 1]])
                     for i, j in zip(left.tolist(), right.tolist())], np.float64)


def joined(sets: list[np.ndarray], dtype) -> tuple[np.ndarray, np.ndarray]:
    """Arrays as one (flat, offsets)."""
    offsets = np.zeros(len(sets) + 1, np.int64)
    np.cumsum([len(x) for x in sets], out=offsets[1:])
    return (np.concatenate(sets).astype(dtype, copy=False) if sets else np.empty(0, dtype)), offsets
