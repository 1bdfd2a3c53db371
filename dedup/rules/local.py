"""Rules that need only the document itself: the phrase lexicon, and a short line
repeated in a row."""
from __future__ import annotations

import numpy as np

from ..config import Settings
from ..table import Table
from .findings import BOILERPLATE, Finding, mark


def lexicon(table: Table, decisions) -> None:
    """The lines the phrase lexicon matched when each document was sketched."""
    found = table.lexicon
    for d, at, hit in zip(table.doc_of(found.at).tolist(), found.at.tolist(), found.values.columns[0]):
        mark(decisions, table, d, at, Finding(BOILERPLATE, f"lexicon:{hit.rule}", {"pattern": hit.phrase}))


def repeated_in_document(table: Table, decisions, live: np.ndarray, settings: Settings) -> None:
    """A short line printed again and again in a row ("Related articles" three times):
    every copy is boilerplate. (Copies apart from each other, like a poem's refrain,
    are left to the duplicate rules.)"""
    hashes = table.hash
    if not len(hashes):
        return
    again = np.zeros(len(hashes), bool)   # the line repeats the one before it, in the same document
    again[1:] = hashes[1:] == hashes[:-1]
    again[table.cut[:-1][table.cut[:-1] < len(hashes)]] = False
    follows = np.flatnonzero(again)   # few: only these rows are looked at, never one number per row
    first = np.r_[True, np.diff(follows) != 1] if len(follows) else np.empty(0, bool)
    starts = follows[first] - 1   # a run's first line, then its repeats
    lengths = np.diff(np.append(np.flatnonzero(first), len(follows))) + 1
    runs = (lengths >= settings.repeat_count) & (table.words[starts] <= settings.boilerplate_words) & \
        live[table.doc_of(starts)]
    for start, length in zip(starts[runs].tolist(), lengths[runs].tolist()):
        d = int(table.doc_of(np.int64(start)))
        finding = Finding(BOILERPLATE, "repeated-in-document", {"count": length})
        for at in range(start, start + length):
            mark(decisions, table, d, at, finding)
