"""The documents' sketches as columns: what the corpus-wide rules read.

One row per content line of every document, in corpus order (line index, word count,
exact hash, whether it is a heading), a few columns per document (where its lines
start, its source), and the sparse per-line findings of sketching (lexicon hits,
teaser labels, template shapes, site affixes) as rows of their own keyed by line. A
rule is then a few array operations over the whole corpus, not a loop over documents.
A line is named by its row (`at`): document d's content position p is at
`cut[d] + p`.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .sketch import DocSketch


@dataclass(frozen=True)
class Sparse:
    """Rows keyed by content line (`at`, increasing), with a column of values each."""
    at: np.ndarray          # int64
    values: tuple           # per row: whatever the sketch found there

    def __len__(self) -> int:
        return len(self.at)


@dataclass(frozen=True)
class Table:
    cut: np.ndarray          # (documents + 1,) int64: document d's lines are rows cut[d]..cut[d+1]-1
    line: np.ndarray         # int32: the line's index in its document
    words: np.ndarray        # int32
    hash: np.ndarray         # uint64
    heading: np.ndarray      # bool: a short line ending in a colon ("Ingredients:")
    site: tuple              # per document: its source ("" for none)
    path: tuple              # per document: its path (and row) as the report names it
    paragraph_cut: np.ndarray   # (documents + 1,) int64: document d's multi-line paragraphs, as cut for lines
    paragraph_first: np.ndarray  # int64: the row of each paragraph's first line
    paragraph_last: np.ndarray   # int64: and of its last
    paragraph_hash: np.ndarray   # uint64
    lexicon: Sparse          # values: lexicon.Hit
    label: Sparse            # values: (prefix key, prefix as written, headline hash)
    shape: Sparse            # values: (shape hash, shape)
    affix: Sparse            # values: (affix hash, headline hash, affix)

    @property
    def documents(self) -> int:
        return len(self.cut) - 1

    def doc_of(self, at: np.ndarray) -> np.ndarray:
        """The documents of rows `at`."""
        return np.searchsorted(self.cut, at, "right") - 1

    def rows(self, documents: np.ndarray) -> np.ndarray:
        """A mask of documents as a mask of their rows."""
        return np.repeat(documents, np.diff(self.cut))


def of(sketches: list[DocSketch]) -> Table:
    """The table of these sketches, in their order."""
    lengths = [len(sk.line) for sk in sketches]
    cut = np.zeros(len(sketches) + 1, np.int64)
    np.cumsum(lengths, out=cut[1:])
    heading = np.zeros(int(cut[-1]), bool)
    for d, sk in enumerate(sketches):
        if sk.headings:
            heading[cut[d] + np.array(sk.headings, np.int64)] = True

    def joined(name: str, dtype) -> np.ndarray:
        parts = [getattr(sk, name) for sk in sketches]
        return np.concatenate(parts).astype(dtype, copy=False) if parts else np.empty(0, dtype)

    def sparse(name: str) -> Sparse:
        at, values = [], []
        for d, sk in enumerate(sketches):
            found = getattr(sk, name)
            for pos in sorted(found):
                at.append(int(cut[d]) + pos)
                values.append(found[pos])
        return Sparse(np.array(at, np.int64), tuple(values))

    paragraphs = [len(sk.paragraphs) for sk in sketches]
    paragraph_cut = np.zeros(len(sketches) + 1, np.int64)
    np.cumsum(paragraphs, out=paragraph_cut[1:])
    ends = np.array([p for d, sk in enumerate(sketches) for pair in sk.paragraphs for p in pair], np.int64)
    ends = ends.reshape(-1, 2) + np.repeat(cut[:-1], paragraphs)[:, None]
    return Table(cut, joined("line", np.int32), joined("words", np.int32), joined("hash", np.uint64), heading,
                 tuple(sk.site for sk in sketches), tuple(sk.path for sk in sketches), paragraph_cut,
                 ends[:, 0], ends[:, 1], joined("paragraph_hash", np.uint64),
                 sparse("lexicon"), sparse("label"), sparse("shape"), sparse("affix"))
