"""--against: what repeats a previous run's kept corpus (previous.Previous) goes; the
previous copy is the original. Documents exactly (by content digest) or nearly (by
band keys, verified by the MinHash estimate: the old shingles are not kept); paragraphs
and lines exactly."""
from __future__ import annotations

import numpy as np

from ..config import Settings
from ..content import content_digests, content_rows
from ..hashing import band_keys
from ..previous import Previous
from ..table import Table
from .findings import DUPLICATE, NEAR_DUPLICATE, Decisions, Finding


def _find(sorted_hashes: np.ndarray, h: int) -> int | None:
    """Index of the first entry with hash `h`, if any."""
    i = int(np.searchsorted(sorted_hashes, np.uint64(h)))
    return i if i < len(sorted_hashes) and int(sorted_hashes[i]) == h else None


def near_documents(previous: Previous, signatures: np.ndarray, settings: Settings) -> list[tuple[int, float] | None]:
    """For each new signature, the previous document it nearly duplicates (estimated
    similarity >= threshold; the most similar, then the first) and that similarity."""
    bands, rows = settings.lsh_params
    out: list[tuple[int, float] | None] = [None] * len(signatures)
    if not len(previous.signatures) or not len(signatures):
        return out
    old_keys = band_keys(previous.signatures, bands, rows)
    new_keys = band_keys(signatures, bands, rows)
    candidates: list[set[int]] = [set() for _ in range(len(signatures))]
    for band in range(bands):
        order = np.argsort(old_keys[:, band], kind="stable")
        column = old_keys[order, band]
        lo = np.searchsorted(column, new_keys[:, band], "left")
        hi = np.searchsorted(column, new_keys[:, band], "right")
        for i in np.flatnonzero(hi > lo).tolist():
            candidates[i].update(order[lo[i]:hi[i]].tolist())
    for i, found in enumerate(candidates):
        if found:
            olds = np.array(sorted(found))
            similarity = (previous.signatures[olds] == signatures[i]).mean(axis=1)
            best = int(np.argmax(similarity))   # the first of the most similar
            if similarity[best] >= settings.threshold:
                out[i] = (int(olds[best]), round(float(similarity[best]), 4))
    return out


def flag_documents(table: Table, decisions: Decisions, settings: Settings, previous: Previous) -> None:
    """Documents that repeat a previous document, exactly or nearly."""
    old = {previous.digests[i].tobytes(): i for i in range(len(previous.digests) - 1, -1, -1)}
    near_of = []
    digests, has = content_digests(table, content_rows(table, settings))
    for d in np.flatnonzero(has).tolist():
        digest = digests[d].tobytes()
        if digest in old:
            decisions.drop(d, Finding(DUPLICATE, "exact-document", {
                "original": previous.original(old[digest]), "similarity": 1.0}))
        else:
            near_of.append(d)
    found = near_documents(previous, table.signatures(np.array(near_of, np.int64), settings.num_perm), settings)
    for d, hit in zip(near_of, found):
        if hit is not None:
            doc, similarity = hit
            decisions.drop(d, Finding(DUPLICATE if similarity == 1.0 else NEAR_DUPLICATE, "near-document", {
                "original": previous.original(doc), "similarity": similarity, "estimated": True}))


def flag_blocks(table: Table, decisions: Decisions, live: np.ndarray, settings: Settings,
                previous: Previous) -> None:
    """Paragraphs and lines (long enough to be duplicates alone) that repeat a
    previous one exactly."""
    for d in np.flatnonzero(live).tolist():
        lo, hi = int(table.cut[d]), int(table.cut[d + 1])
        for p in range(int(table.paragraph_cut[d]), int(table.paragraph_cut[d + 1])):
            at = _find(previous.paragraph_hash, int(table.paragraph_hash[p]))
            if at is not None:
                doc, a, b = previous.paragraph_where[at].tolist()
                finding = Finding(DUPLICATE, "exact-paragraph", {"original": previous.original(doc, a, b),
                                                                 "similarity": 1.0})
                for row in range(int(table.paragraph_first[p]), int(table.paragraph_last[p]) + 1):
                    decisions.take(d, int(table.line[row]), finding)
        for row, h in zip(range(lo, hi), table.hash[lo:hi].tolist()):
            line = int(table.line[row])
            if table.words[row] < settings.min_duplicate_words or line in decisions.lines(d):
                continue
            at = _find(previous.line_hash, h)
            if at is not None:
                doc, number = previous.line_where[at].tolist()
                decisions.take(d, line, Finding(DUPLICATE, "exact-line", {
                    "original": previous.original(doc, number, number), "similarity": 1.0}))
