"""What a document is compared by as a whole: its content lines (shingled lines
outside the lexicon), their digest (exact copies) and the union of their shingles
(near copies). Read from the corpus table, for every document at once."""
from __future__ import annotations

import hashlib

import numpy as np

from .config import Settings
from . import verify
from .sketch import DocSketch, content_lines, content_mask
from .table import Table


def content_digest(sk: DocSketch, settings: Settings, content: np.ndarray | None = None) -> bytes | None:
    """What two exact-duplicate documents share: the hash of their content lines."""
    content = content_lines(sk, settings) if content is None else content
    return _digest(sk.hash[content])


def _digest(hashes: np.ndarray) -> bytes | None:
    return hashlib.blake2b(hashes.tobytes(), digest_size=16).digest() if len(hashes) else None


def content_rows(table: Table, settings: Settings) -> np.ndarray:
    """Which rows make up their document's content for whole-document comparison
    (sketch.content_mask), for the whole table at once."""
    return content_mask(table.cut, table.words, table.lexicon.at, settings)


def content_digests(table: Table, content: np.ndarray, docs: np.ndarray | None = None
                    ) -> tuple[np.ndarray, np.ndarray]:
    """Each document's content_digest (`content`: content_rows) as a row of a
    (documents, 16) uint8 array, and which documents have one (a bytes object each
    would be ~60 bytes a document more, held through a corpus-wide step). With `docs`,
    of those documents only, in that order (no array over every row of the table)."""
    if docs is not None:
        return _some_digests(table, content, np.asarray(docs, np.int64))
    out = bytearray(16 * table.documents)
    found = []
    hashes = memoryview(np.ascontiguousarray(table.hash[content]).view(np.uint8))   # content lines' only, in order
    ends = (8 * np.r_[0, np.cumsum(content, dtype=np.int64)][table.cut]).tolist()   # each document's bytes of them
    for d, (lo, hi) in enumerate(zip(ends[:-1], ends[1:])):
        if hi > lo:
            out[16 * d:16 * d + 16] = hashlib.blake2b(hashes[lo:hi], digest_size=16).digest()
            found.append(d)
    has = np.zeros(table.documents, bool)
    has[found] = True
    return np.frombuffer(out, np.uint8).reshape(-1, 16), has


def _some_digests(table: Table, content: np.ndarray, docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    out = bytearray(16 * len(docs))
    has = np.zeros(len(docs), bool)
    cut, hashes = table.cut, table.hash
    for k, d in enumerate(docs.tolist()):
        lo, hi = int(cut[d]), int(cut[d + 1])
        mine = hashes[lo:hi][content[lo:hi]]
        if len(mine):
            out[16 * k:16 * k + 16] = hashlib.blake2b(np.ascontiguousarray(mine).view(np.uint8),
                                                      digest_size=16).digest()
            has[k] = True
    return np.frombuffer(out, np.uint8).reshape(-1, 16), has


def document_ranges(table: Table, content: np.ndarray, docs: np.ndarray) -> verify.Ranges:
    """Where the shingles of documents `docs` (increasing) are, each document's the
    union of its content lines' (`content`: content_rows): what whole documents are
    compared by (verify.sets reads them)."""
    docs = np.asarray(docs, np.int64)
    rows, owner = table.rows_of(docs)
    rows, owner = rows[content[rows]], owner[content[rows]]
    return verify.ranges(table.stores, table.store[docs[owner]], table.line_blocks.lo[rows],
                         table.line_blocks.hi[rows], owner, len(docs))
