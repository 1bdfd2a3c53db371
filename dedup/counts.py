"""The corpus-wide counts behind the learned boilerplate rules, behind one interface with
two stores: `MemoryCounts`, counted over the documents `clean` classifies, and
`cache.Index`, `dedup check`'s SQLite index of the whole corpus. The rules
(rules/learned.py) say what a document adds to the counts and ask either store the
same questions, so `clean` and `check` decide from the same numbers; neither store
knows a rule. Both count a document once per key and exact copies once.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np


@dataclass(frozen=True)
class LabelEvidence:
    """What the teaser rule decides a label by, over the documents whose lines it
    starts: `MemoryCounts` sums it up from every document's evidence, the index reads
    it from SQLite without loading thousands of rows."""
    written: str                         # the label as the first of them (in path order) writes it
    documents: int
    lines: tuple[tuple[int, int], ...]   # (lines under the label in a document, documents with that many)
    varied: bool                         # at least two different headlines under it, over all of them


Evidence = tuple[str, int, set[int]]   # one document's, for one label: (as written, lines, headline hashes)


def label_evidence(docs: list[Evidence]) -> LabelEvidence:
    """The summary of documents' evidence for one label, given in path order."""
    lines: dict[int, int] = {}
    for _, n, _ in docs:
        lines[n] = lines.get(n, 0) + 1
    return LabelEvidence(docs[0][0], len(docs), tuple(sorted(lines.items())),
                         len(set().union(*(r for _, _, r in docs))) >= 2)


class Counts(Protocol):
    """The two questions the learned rules ask about the corpus."""

    def line_documents(self, keys: list[int]) -> dict[int, int]:
        """Of these line keys, those in `min_docs` or more documents: key -> documents."""

    def label_evidence(self, labels: list[str]) -> dict[str, LabelEvidence]:
        """Of these teaser labels, those in `min_docs` or more documents, summed up."""


class MemoryCounts:
    """Counts of one run's documents, from every (key, document) pair at once: sorted
    and counted as arrays, never a set per document or a dict entry per pair."""

    def __init__(self, keys: np.ndarray, docs: np.ndarray, labels: dict[str, list[Evidence]], min_docs: int):
        order = np.lexsort((docs, keys))
        keys, docs = keys[order], docs[order]
        first_of_pair = np.r_[True, (keys[1:] != keys[:-1]) | (docs[1:] != docs[:-1])] if len(keys) else \
            np.empty(0, bool)
        counted, documents = np.unique(keys[first_of_pair], return_counts=True)
        frequent = documents >= min_docs
        self._lines = dict(zip(counted[frequent].tolist(), documents[frequent].tolist()))
        self._labels = {key: docs for key, docs in labels.items() if len(docs) >= min_docs}

    def line_documents(self, keys: list[int]) -> dict[int, int]:
        return {key: self._lines[key] for key in keys if key in self._lines}

    def label_evidence(self, labels: list[str]) -> dict[str, LabelEvidence]:
        return {label: label_evidence(self._labels[label]) for label in labels if label in self._labels}
