"""Sources (sites): learned boilerplate is counted within one. A document's line hashes,
shapes, affixes and teaser labels are counted as keys mixed with its source, so that one
table of counts (clean's, or dedup check's index) serves every source and rule apart."""
from __future__ import annotations

import functools
import hashlib

import numpy as np

from ..hashing import mix
from ..table import Sparse, Table

# shapes, affixes and lines are counted in one table: salts keep them apart
SHAPE_SALT = np.uint64(0x5A17_5EED_C0DE_F00D)
AFFIX_SALT = np.uint64(0xAFF1_C0DE_5EED_0001)


@functools.lru_cache(maxsize=4096)
def _site_salt(site: str) -> np.uint64:
    return np.frombuffer(hashlib.blake2b(site.encode("utf-8", "surrogatepass"), digest_size=8).digest(), np.uint64)[0]


def site_salts(table: Table) -> np.ndarray:
    """Each document's source as the salt mixed into its keys (0: no source, whose
    keys are the hashes themselves; a source's salt is 0 once in 2^64)."""
    return np.array([_site_salt(site) if site else 0 for site in table.site], np.uint64)


def rows_keys(table: Table, salts: np.ndarray, at: np.ndarray, hashes: np.ndarray) -> np.ndarray:
    """`hashes` of the table's rows `at` as counted for boilerplate: within their
    document's source, so that text many independent sources share (a quoted decree,
    wire copy) is never taken for one site's template."""
    salt = salts[table.doc_of(at)]
    return np.where(salt != 0, mix(hashes, salt), hashes)


def salted_keys(table: Table, salts: np.ndarray, found: Sparse, salt: np.uint64) -> np.ndarray:
    """The keys, as counted, of the table's template shapes or site affixes (`found`:
    table.shape or table.affix, whose values start with the hash)."""
    hashes = found.values.columns[0] ^ salt
    return rows_keys(table, salts, found.at, hashes)


def site_label(site: str, key: str) -> str:
    """A teaser label as counted: within the document's source."""
    return f"{site}\x00{key}" if site else key
