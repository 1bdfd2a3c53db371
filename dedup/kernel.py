"""The compiled path of sketching: fold, split, tokenize, hash, shingle and sign many
lines per call, in numba.

Python's C code does NFKC and case folding of a whole document at once; everything
after that (the fold table, line breaks, the token automaton, word hashes, shingles,
exact hashes and MinHash signatures) runs here over code points. The reference stays
the `regex` tokenizer of normalize.py and the numpy code of sign.py: tests prove
this path gives the same tokens, hashes and signatures on text of every script.

Importing this module imports numba (half a second, which a git hook checking one
file must not pay): sketch.py imports it only for batches big enough. Compiled code
is cached on disk (numba's cache), so only the first run compiles.
"""
from __future__ import annotations

import hashlib
import os
import sys
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Callable

import numpy as np
import regex

from . import cachedir


def _cache_folder() -> bool:
    """Whether numba can cache compiled code. It keeps it beside this file or in the
    user's cache folder, and raises at the first call where it can write neither: then
    it is given cachedir's private folder (NUMBA_CACHE_DIR, read when numba is
    imported). False only where even that cannot be made."""
    if os.environ.get("NUMBA_CACHE_DIR"):
        return True
    if cachedir.writable(cachedir.PACKAGE) or cachedir.writable(cachedir.user_cache("numba")):
        return True
    folder = cachedir.private("numba")
    if folder is None:
        return False
    os.environ["NUMBA_CACHE_DIR"] = str(folder)
    return True


_CACHED = _cache_folder()
import numba  # noqa: E402  (after NUMBA_CACHE_DIR is settled)

from . import normalize
from .hashing import BASE, MIX, MULTIPLIER


def _numpy_support_without_blas() -> None:
    """Load numba's numpy support now, with scipy's BLAS hidden from it. numba loads it
    when it first loads a function, and checks then for a BLAS by importing
    scipy.linalg: a quarter of a second in every process that sketches, for
    np.dot and the like, which nothing here calls. Where scipy.linalg is already
    loaded there is nothing to save and nothing is hidden."""
    if "numba.np.arraymath" in sys.modules or "scipy.linalg" in sys.modules:
        return
    sys.modules["scipy.linalg.cython_blas"] = None   # importing it raises ImportError
    try:
        import numba.np.arraymath  # noqa: F401
    finally:
        if sys.modules.get("scipy.linalg.cython_blas", 0) is None:
            del sys.modules["scipy.linalg.cython_blas"]


_numpy_support_without_blas()
_jit = numba.njit(cache=_CACHED, nogil=True)   # (uncached, where no folder can be written: compiled each run)
_BASE = np.uint64(BASE)
_MULTIPLIER = np.uint64(MULTIPLIER)
_SEED = np.uint64(MIX)

OTHER, WORD, MARK, UNSPACED, UNSPACED_MARK = 0, 1, 2, 3, 4
DELETED = 0xFFFFFFFF          # in the fold map: the character is dropped
_CODE_POINTS = 0x110000


def _cache_file(name: str, key: str) -> Path | None:
    """Where a table of every code point is kept: beside numba's cache of this module,
    named by what it is made from and the `regex` and Unicode versions."""
    try:
        folder = Path(tokenize._cache._cache_path)
    except AttributeError:   # numba keeps its cache elsewhere: the table is made each run
        return None
    made_from = f"{regex.__version__}|{unicodedata.unidata_version}|{key}".encode()
    return folder / f"kernel.{name}-{hashlib.sha256(made_from).hexdigest()[:16]}.npy"


def _cached(name: str, key: str, make: Callable[[], np.ndarray], dtype=np.uint8) -> np.ndarray:
    """make(), a table of every code point (of `dtype`), from the cache when it is there:
    making one scans all 1.1 M code points with `regex`, a tenth of a second."""
    path = _cache_file(name, key)
    if path is not None:
        try:
            table = np.load(path, allow_pickle=False)
            if table.shape == (_CODE_POINTS,) and table.dtype == dtype:
                return table
        except (OSError, ValueError, EOFError):
            pass
    table = make()
    if path is not None:
        temp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        try:
            with open(temp, "wb") as handle:
                np.save(handle, table, allow_pickle=False)
            os.replace(temp, path)   # whole or not at all, whatever other processes do
        except OSError:
            temp.unlink(missing_ok=True)
    return table


@lru_cache(maxsize=1)
def classes() -> np.ndarray:
    """Token class of every code point, from the very character sets of normalize._TOKEN.

    WORD starts or continues a word, MARK only continues one (a combining mark of a
    spaced script), UNSPACED is a token by itself (with the marks after it)."""
    return _cached("classes", "|".join(p for p, _ in _class_patterns()), _classes)


def _class_patterns() -> tuple[tuple[str, int], ...]:
    unspaced = normalize.UNSPACED
    return ((rf"[[\p{{L}}\p{{N}}]--[{unspaced}]]+", WORD), (rf"[\p{{M}}--[{unspaced}]]+", MARK),
            (rf"[[{unspaced}]--\p{{M}}]+", UNSPACED), (rf"[[{unspaced}]&&\p{{M}}]+", UNSPACED_MARK))


def _classes() -> np.ndarray:
    table = np.zeros(_CODE_POINTS, np.uint8)
    every = np.arange(_CODE_POINTS, dtype=np.uint32).tobytes().decode("utf-32-le", "surrogatepass")
    for pattern, value in _class_patterns():
        for match in regex.compile(pattern, regex.V1).finditer(every):
            table[match.start():match.end()] = value
    return table


@lru_cache(maxsize=4)
def char_bits(patterns: tuple[str, ...]) -> np.ndarray:
    """Bit i of every code point's entry: the character class `patterns[i]` holds it;
    bit len(patterns): it is not white space (as str.strip() sees it)."""
    return _cached("bits", "\x00".join(patterns), lambda: _char_bits(patterns), np.uint16)


def _char_bits(patterns: tuple[str, ...]) -> np.ndarray:
    table = np.full(_CODE_POINTS, 1 << len(patterns), np.uint16)
    every = np.arange(_CODE_POINTS, dtype=np.uint32).tobytes().decode("utf-32-le", "surrogatepass")
    for bit, pattern in enumerate(patterns):
        for match in regex.compile(f"(?:{pattern})+").finditer(every):
            table[match.start():match.end()] |= 1 << bit
    spaces = [code for code in range(0x3001) if chr(code).isspace()]   # U+3000 is the last
    table[spaces] &= ~np.uint16(1 << len(patterns))
    return table


@_jit
def line_bits(codes, starts, ends, table):
    """For each line [starts[i], ends[i]) of `codes`: the bits of its characters, or-ed."""
    out = np.zeros(starts.shape[0], np.uint16)
    for li in range(starts.shape[0]):
        value = np.uint16(0)
        for i in range(starts[li], ends[li]):
            value |= table[codes[i]]
        out[li] = value
    return out


@lru_cache(maxsize=1)
def fold_map() -> np.ndarray:
    """normalize's fold table (applied after NFKC and case folding) as an array."""
    table = np.arange(_CODE_POINTS, dtype=np.uint32)
    for code, target in normalize.FOLD.items():
        table[code] = DELETED if target is None else ord(target)
    return table


_MULTIPLE = 0xFFFFFFFE   # in _casefolds' table: the character case-folds to several


def _casefolds() -> np.ndarray:   # (not kept: casefold_map and multiple_casefolds are)
    folds = sorted(normalize.FOLD.items(), key=lambda item: item[0])
    return _cached("casefolds", repr(folds), _make_casefolds, np.uint32)


def _make_casefolds() -> np.ndarray:
    fold = fold_map()
    table = fold.copy()
    every = np.arange(_CODE_POINTS, dtype=np.uint32).tobytes().decode("utf-32-le", "surrogatepass")
    for code, char in enumerate(every):
        folded = char.casefold()
        if folded != char:
            table[code] = fold[ord(folded)] if len(folded) == 1 else _MULTIPLE
    return table


@lru_cache(maxsize=1)
def casefold_map() -> np.ndarray:
    """The fold map after case folding (str.casefold), for text tokenized as it is, not
    NFKC-ed and case-folded first: each character's entry is that of its case folding.
    (Text holding a character that folds to several, multiple_casefolds(), is case-folded
    as a whole first.)"""
    table = _casefolds()
    return np.where(table == _MULTIPLE, fold_map(), table).astype(np.uint32)


@lru_cache(maxsize=1)
def multiple_casefolds() -> np.ndarray:
    """1 for each character that case-folds to several ("ß" to "ss"), else 0: a line_bits table."""
    return (_casefolds() == _MULTIPLE).astype(np.uint8)


@_jit
def split_lines(codes):
    """[start, end) of every line of a text given as code points: lines end at \\r\\n,
    \\r or \\n, as in segment.lines."""
    n = codes.shape[0]
    starts = np.empty(n + 1, np.int64)
    ends = np.empty(n + 1, np.int64)
    count = 0
    start = 0
    i = 0
    while i < n:
        c = codes[i]
        if c == 10 or c == 13:
            starts[count] = start
            ends[count] = i
            count += 1
            if c == 13 and i + 1 < n and codes[i + 1] == 10:
                i += 1
            start = i + 1
        i += 1
    if start < n:
        starts[count] = start
        ends[count] = n
        count += 1
    return starts[:count], ends[:count]


@_jit
def tokenize(codes, starts, ends, cls, fold):
    """Words of each line [starts[i], ends[i]) of `codes` (NFKC-ed, case-folded code
    points), after the fold map: the word count of each line and each word's 64-bit
    polynomial hash (sign.word_hash64), in order. The automaton is normalize._TOKEN's:
    a word starts at a WORD character and goes on over WORD and MARK characters; an
    UNSPACED character is a token with the marks after it."""
    counts = np.zeros(starts.shape[0], np.int64)
    hashes = np.empty(codes.shape[0], np.uint64)
    t = 0
    for li in range(starts.shape[0]):
        state = 0          # 0: outside a token, 1: in a word, 2: in an unspaced token
        value = np.uint64(0)
        first = t
        for i in range(starts[li], ends[li]):
            code = fold[codes[i]]
            if code == DELETED:
                continue
            kind = cls[code]
            extend = (state == 1 and (kind == WORD or kind == MARK)) or \
                     (state == 2 and (kind == MARK or kind == UNSPACED_MARK))
            if extend:
                value = value * _BASE + np.uint64(code)
                continue
            if state != 0:
                hashes[t] = value
                t += 1
                state = 0
            if kind == WORD:
                state = 1
                value = np.uint64(code)
            elif kind == UNSPACED or kind == UNSPACED_MARK:
                state = 2
                value = np.uint64(code)
        if state != 0:
            hashes[t] = value
            t += 1
        counts[li] = t - first
    return counts, hashes[:t]


@_jit
def blocks(word64, first, last, k, a, b):
    """For each block of words [first[j], last[j]): its exact hash (sign.sequence_hash),
    its sorted unique shingle hashes (flat, with offsets) and its MinHash signature,
    all as sign.py computes them."""
    mask32 = np.uint64(0xFFFFFFFF)
    count = first.shape[0]
    perms = a.shape[0]
    exact = np.empty(count, np.uint64)
    offsets = np.zeros(count + 1, np.int64)
    total = 0
    for j in range(count):
        n = last[j] - first[j]
        total += n - min(k, n) + 1 if n > 0 else 0
    flat = np.empty(total, np.uint32)
    signatures = np.full((count, perms), np.uint32(0xFFFFFFFF), np.uint32)
    a32 = a.astype(np.uint32)
    b32 = b.astype(np.uint32)
    at = 0
    for j in range(count):
        s, n = first[j], last[j] - first[j]
        exact[j] = _sequence_hash(word64, s, n)
        if n == 0:
            offsets[j + 1] = at
            continue
        width = min(k, n)
        grams = np.empty(n - width + 1, np.uint32)
        for p in range(n - width + 1):
            value = np.uint64(0)
            for q in range(width):
                w = word64[s + p + q]
                value = (value * _MULTIPLIER + ((w ^ (w >> np.uint64(32))) & mask32)) & mask32
            grams[p] = np.uint32(value)
        grams.sort()
        for p in range(grams.shape[0]):
            if p and grams[p] == grams[p - 1]:
                continue
            flat[at] = grams[p]
            at += 1
            h = np.uint32(_fmix32(np.uint64(grams[p])))
            signature = signatures[j]
            for m in range(perms):   # (h * a + b) mod 2**32, a branchless minimum: vector code
                signature[m] = min(signature[m], np.uint32(h * a32[m] + b32[m]))
        offsets[j + 1] = at
    return exact, flat[:at], offsets, signatures


@_jit
def set_signatures(flat, offsets, a, b):
    """sign.signatures of the shingle sets flat[offsets[j]:offsets[j + 1]], compiled:
    no (shingles x permutations) temporary, whatever the number of sets."""
    count, perms = offsets.shape[0] - 1, a.shape[0]
    out = np.full((count, perms), np.uint32(0xFFFFFFFF), np.uint32)
    a32, b32 = a.astype(np.uint32), b.astype(np.uint32)
    for j in range(count):
        signature = out[j]
        for p in range(offsets[j], offsets[j + 1]):
            h = np.uint32(_fmix32(np.uint64(flat[p])))
            for m in range(perms):   # as in blocks
                signature[m] = min(signature[m], np.uint32(h * a32[m] + b32[m]))
    return out


@_jit
def distinct_sets(flat, offsets):
    """sign.distinct_sets, compiled: each set flat[offsets[j]:offsets[j + 1]] sorted, without repeats."""
    out = np.empty_like(flat)
    count = offsets.shape[0] - 1
    new = np.zeros(count + 1, np.int64)
    at = 0
    for j in range(count):
        lo, hi = offsets[j], offsets[j + 1]
        if hi > lo:
            ordered = np.sort(flat[lo:hi])
            out[at] = ordered[0]
            at += 1
            for p in range(1, hi - lo):
                if ordered[p] != ordered[p - 1]:
                    out[at] = ordered[p]
                    at += 1
        new[j + 1] = at
    return out[:at], new


@_jit
def jaccards(flat, offsets, left, right):
    """sign.jaccards, compiled: one merge of two sorted sets per pair."""
    out = np.empty(left.shape[0], np.float64)
    for k in range(left.shape[0]):
        i, end_i = offsets[left[k]], offsets[left[k] + 1]
        j, end_j = offsets[right[k]], offsets[right[k] + 1]
        total = (end_i - i) + (end_j - j)
        common = 0
        while i < end_i and j < end_j:
            if flat[i] == flat[j]:
                common += 1
                i += 1
                j += 1
            elif flat[i] < flat[j]:
                i += 1
            else:
                j += 1
        out[k] = 1.0 if total == 0 else common / (total - common)
    return out


@_jit
def union(parent, left, right):
    """index.union, compiled: path halving, the lower root made the parent."""
    for k in range(left.shape[0]):
        x = left[k]
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        y = right[k]
        while parent[y] != y:
            parent[y] = parent[parent[y]]
            y = parent[y]
        if x < y:
            parent[y] = x
        elif y < x:
            parent[x] = y


@_jit
def maybe_shared(keys):
    """The items (increasing) whose key another item may share: those whose key's hash
    falls in a bit of a bitmap that two or more keys set. Every item that shares its
    key is among them, and few others (the bitmap has 8 bits or more per item, and
    fits in a cache where a table of the keys would not)."""
    n = keys.shape[0]
    size = 1 << 16
    while size < 8 * n:
        size *= 2
    mask = np.uint64(size - 1)
    seen = np.zeros(size >> 3, np.uint8)
    twice = np.zeros(size >> 3, np.uint8)
    for i in range(n):
        h = keys[i] * np.uint64(0x9E3779B97F4A7C15)
        h = (h ^ (h >> np.uint64(29))) & mask
        byte, bit = h >> np.uint64(3), np.uint8(1) << np.uint8(h & np.uint64(7))
        if seen[byte] & bit:
            twice[byte] |= bit
        else:
            seen[byte] |= bit
    picked = np.zeros(n, np.bool_)
    for i in range(n):
        h = keys[i] * np.uint64(0x9E3779B97F4A7C15)
        h = (h ^ (h >> np.uint64(29))) & mask
        picked[i] = twice[h >> np.uint64(3)] & (np.uint8(1) << np.uint8(h & np.uint64(7))) != 0
    return np.flatnonzero(picked)


@_jit
def band_keys(signatures, bands, rows):
    """hashing.band_keys, compiled: one key per band of each signature."""
    n = signatures.shape[0]
    keys = np.empty((n, bands), np.uint64)
    mix = np.uint64(MIX)
    for i in range(n):
        for band in range(bands):
            key = np.uint64(band + 1)
            for col in range(band * rows, (band + 1) * rows):
                key = (key ^ np.uint64(signatures[i, col])) * mix
                key ^= key >> np.uint64(29)
            keys[i, band] = key
    return keys


@_jit
def _fmix32(h):
    mask32 = np.uint64(0xFFFFFFFF)
    h = h ^ (h >> np.uint64(16))
    h = (h * np.uint64(0x85EBCA6B)) & mask32
    h = h ^ (h >> np.uint64(13))
    h = (h * np.uint64(0xC2B2AE35)) & mask32
    return h ^ (h >> np.uint64(16))


@_jit
def _mix64(z):
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


@_jit
def _sequence_hash(word64, s, n):
    h = _SEED
    for q in range(n):
        h = _mix64(h ^ word64[s + q])
    return _mix64(h ^ np.uint64(n))
