"""Sources (sites): learned boilerplate is counted within one. A document's line hashes,
shapes, affixes and teaser labels are counted as keys mixed with its source, so that one
table of counts (clean's, or dedup check's index) serves every source and rule apart."""
from __future__ import annotations

import functools
import hashlib

import numpy as np

from ..hashing import mix
from ..sketch import DocSketch


@functools.lru_cache(maxsize=4096)
def _site_salt(site: str) -> np.uint64:
    return np.frombuffer(hashlib.blake2b(site.encode("utf-8", "surrogatepass"), digest_size=8).digest(), np.uint64)[0]


def site_keys(sk: DocSketch, hashes: np.ndarray | None = None) -> np.ndarray:
    """A document's line hashes (or other `hashes` of its lines) as counted for
    boilerplate: within its source (site), so that text many independent sources
    share (a quoted decree, wire copy) is never taken for one site's template. One
    source: the hashes themselves."""
    hashes = sk.hash if hashes is None else hashes
    return sites_keys([sk], [hashes]) if sk.site else hashes


def sites_keys(sketches: list[DocSketch], hashes: list[np.ndarray]) -> np.ndarray:
    """site_keys of many documents at once: of `hashes[i]` of `sketches[i]`, concatenated."""
    flat = np.concatenate(hashes) if hashes else np.empty(0, np.uint64)
    salts = np.array([_site_salt(sk.site) if sk.site else 0 for sk in sketches], np.uint64)
    salt = np.repeat(salts, [len(h) for h in hashes])
    sited = np.repeat(np.array([bool(sk.site) for sk in sketches]), [len(h) for h in hashes])
    return np.where(sited, mix(flat, salt), flat)


# shapes, affixes and lines are counted in one table: salts keep them apart
_SHAPE_SALT = np.uint64(0x5A17_5EED_C0DE_F00D)
_AFFIX_SALT = np.uint64(0xAFF1_C0DE_5EED_0001)


def _salted_keys(sk: DocSketch, found: dict, salt: np.uint64) -> dict[int, int]:
    if not found:
        return {}
    positions = list(found)
    keys = site_keys(sk, np.array([found[p][0] for p in positions], np.uint64) ^ salt)
    return dict(zip(positions, keys.tolist()))


def shape_keys(sk: DocSketch) -> dict[int, int]:
    """Position -> key of the line's template shape, as counted (within its source)."""
    return _salted_keys(sk, sk.shape, _SHAPE_SALT)


def affix_keys(sk: DocSketch) -> dict[int, int]:
    """Position -> key of the line's site affix ("… — Site Name"), as counted."""
    return _salted_keys(sk, sk.affix, _AFFIX_SALT)


def site_label(sk: DocSketch, key: str) -> str:
    """A teaser label as counted: within the document's source."""
    return f"{sk.site}\x00{key}" if sk.site else key
