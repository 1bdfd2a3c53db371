"""What a document is compared by as a whole: its content lines (shingled lines
outside the lexicon), their digest (exact copies) and the union of their shingles
(near copies). Read from the corpus table, for every document at once."""
from __future__ import annotations

import hashlib

import numpy as np

from .config import Settings
from .hashing import distinct
from .sketch import DocSketch, content_lines
from .table import Table


def content_digest(sk: DocSketch, settings: Settings, content: np.ndarray | None = None) -> bytes | None:
    """What two exact-duplicate documents share: the hash of their content lines."""
    content = content_lines(sk, settings) if content is None else content
    return _digest(sk.hash[content])


def _digest(hashes: np.ndarray) -> bytes | None:
    return hashlib.blake2b(hashes.tobytes(), digest_size=16).digest() if len(hashes) else None


def content_rows(table: Table, settings: Settings) -> np.ndarray:
    """Which rows make up their document's content for whole-document comparison:
    shingled lines outside the lexicon (in a document without any: every line outside
    it). As sketch.content_lines, for the whole table at once."""
    outside = np.ones(len(table.hash), bool)
    outside[table.lexicon.at] = False
    long_enough = outside & (table.words >= settings.shingle_size)
    return long_enough | (outside & table.rows(table.per_document(long_enough) == 0))


def content_digests(table: Table, content: np.ndarray) -> list[bytes | None]:
    """Each document's content_digest (`content`: content_rows)."""
    return [_digest(table.hash[lo:hi][content[lo:hi]]) for lo, hi in zip(table.cut[:-1].tolist(), table.cut[1:].tolist())]


def document_shingles(table: Table, content: np.ndarray, d: int) -> np.ndarray:
    """The union of a document's content lines' shingles: what whole documents are
    compared by (one read for all of them)."""
    lo = int(table.cut[d])
    rows = lo + np.flatnonzero(content[lo:table.cut[d + 1]])
    if not len(rows):
        return np.empty(0, np.uint32)
    blocks = table.line_blocks
    every = table.shingles(blocks, int(rows[0]), d, int(rows[-1]))
    base = blocks.lo[rows[0]]
    return distinct(np.concatenate([every[blocks.lo[r] - base:blocks.hi[r] - base] for r in rows.tolist()]))
