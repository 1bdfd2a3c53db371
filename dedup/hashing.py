"""The hashing constants and the few numpy helpers that the reference code (sign.py),
the compiled kernel (kernel.py), the LSH (index.py) and the per-source keys share. A
leaf: it imports nothing of dedup's, so those modules need not import each other."""
from __future__ import annotations

import numpy as np

MULTIPLIER = 0x9E3779B1     # odd: combining k word hashes stays a bijection in each word
BASE = 0x100000001B3        # odd base of the polynomial word hash (mod 2^64)
MIX = 0x9E3779B97F4A7C15    # 2^64 / golden ratio, odd: seeds a block's exact hash, mixes band keys
_MIX = np.uint64(MIX)
_SHIFT = np.uint64(29)


def segment_sums(values: np.ndarray, cut: np.ndarray) -> np.ndarray:
    """The int64 sum of values[cut[i]:cut[i + 1]] for each i (0 for an empty one), with
    no running total as long as `values` (8 bytes a line of the corpus)."""
    out = np.zeros(len(cut) - 1, np.int64)
    filled = np.flatnonzero(cut[1:] > cut[:-1])
    if len(filled):
        out[filled] = np.add.reduceat(values, cut[:-1][filled], dtype=np.int64)
    return out


def distinct(values: np.ndarray, own: bool = False) -> np.ndarray:
    """The sorted distinct values of an array, as np.unique gives them; without
    np.unique's first call, which imports numpy.ma (30 ms of a git hook's 0.5 s).
    `own`: `values` (1-d) is the caller's to spend: sorted in place, not copied."""
    if own:
        values.sort()
        out = values
    else:
        out = np.sort(values, axis=None)
    if len(out) < 2:
        return out
    keep = np.empty(len(out), np.bool_)
    keep[0] = True
    np.not_equal(out[1:], out[:-1], out=keep[1:])
    return out[keep]


def mix(keys: np.ndarray, values: np.ndarray) -> np.ndarray:
    """One step of a band key: (key ^ value) * MIX, its high bits folded down. Used
    for LSH bands and to keep each source's keys apart."""
    with np.errstate(over="ignore"):
        mixed = (keys ^ values) * _MIX
    return mixed ^ (mixed >> _SHIFT)


def band_keys(signatures: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """(n, bands) uint64: one key per band, equal when the band's rows are equal
    (kernel.band_keys is the compiled twin)."""
    keys = np.zeros((signatures.shape[0], bands), dtype=np.uint64)
    sig = signatures.astype(np.uint64)
    for band in range(bands):
        keys[:, band] = band_key(sig, band, rows)
    return keys


def band_key(signatures: np.ndarray, band: int, rows: int) -> np.ndarray:
    """Band `band`'s key of each of these signatures (uint64 already): band_keys' column."""
    key = np.full(signatures.shape[0], band + 1, dtype=np.uint64)
    for col in signatures[:, band * rows:(band + 1) * rows].T:
        key = mix(key, col)
    return key
