"""Duplicates: documents, multi-line paragraphs and lines that repeat an earlier one,
exactly (by hash) or nearly (MinHash LSH candidates verified by their exact Jaccard
similarity). The first in the table's order stays; a near copy's evidence names the
member it was verified against as well as the kept original (clusters are transitive).

The three are one procedure (`_copies`) over different items: group the items by their
exact hash, by sorting (the first of a group stays), then find near copies among the
groups' firsts by their band keys."""
from __future__ import annotations

import collections
from dataclasses import dataclass
from typing import Callable, Mapping

import numpy as np

from .. import heap, index, verify
from ..config import Settings
from ..content import content_digests, content_rows, document_ranges
from ..table import Table
from .findings import DUPLICATE, NEAR_DUPLICATE, Finding, located, mark, rounded, taken_rows

PASSAGE_WORDS = 25   # a document's own lines printed again go as a passage of at least this many words
PROSE_WORDS = 8      # and this many a line on average: prose, not a run of labels


@dataclass(frozen=True)
class _Near:
    """Why an item goes as a near-duplicate: the kept original of its cluster, and the
    member it was verified against (the original itself, or another copy: clusters
    are transitive), with both similarities."""
    original: int
    matched: int
    similarity: float            # to `matched`: at least the threshold
    original_similarity: float   # to `original` (may be lower)


def _removed_near(found: index.Clusters, similarities: index.Similarities,
                  sizes: np.ndarray | None) -> tuple[np.ndarray, ...]:
    """Of the items that go as near copies (increasing): each one, its cluster's
    original, the member it matched, the similarity to that and to the original."""
    gone = np.flatnonzero(found.rep != np.arange(len(found.rep)))
    rep, match = found.rep[gone], found.match[gone]
    to_original = np.array(found.similarity[gone])
    other = np.flatnonzero(match != rep)
    if len(other):   # matched with another copy: how similar it is to the original too
        to_original[other] = index.in_passes(np.stack([gone[other], rep[other]], axis=1), sizes, similarities)
    return gone, rep, match, found.similarity[gone], to_original


def _copy_evidence(original: dict, similarity: float, matched: dict | None = None,
                   original_similarity: float | None = None) -> dict:
    """Evidence of a duplicate: the kept original and the similarity to what the copy
    was matched with, which is the original unless `matched` says otherwise."""
    evidence = {"original": original, "similarity": rounded(similarity)}
    if matched is not None:
        evidence["matched"] = matched
        evidence["original_similarity"] = rounded(original_similarity)
    return evidence


def _copy_finding(exact_rule: str, near_rule: str, where: Callable[[int], dict], item: int | None,
                  near: _Near | None) -> Finding:
    """The finding of a copy: of `item` exactly (an exact copy: item is what it repeats),
    or, with `near`, a near-duplicate found by LSH. An exact copy of a block that is
    itself removed as a near-duplicate names that block as matched and its original."""
    if item is not None:   # an exact copy
        if near is None:
            return Finding(DUPLICATE, exact_rule, _copy_evidence(where(item), 1.0))
        return Finding(DUPLICATE, exact_rule, _copy_evidence(where(near.original), 1.0, where(item),
                                                             near.original_similarity))
    kind = DUPLICATE if near.similarity == 1.0 else NEAR_DUPLICATE
    matched = None if near.matched == near.original else where(near.matched)
    return Finding(kind, near_rule, _copy_evidence(where(near.original), near.similarity, matched,
                                                   near.original_similarity))


@dataclass(frozen=True)
class _Copies:
    """Of items in order: each one's exact group (its first item: itself when first), and
    the groups' firsts that are near copies of an earlier item (`near`, increasing),
    with their _Near as columns."""
    rep: np.ndarray
    near: np.ndarray
    original: np.ndarray
    matched: np.ndarray
    similarity: np.ndarray
    original_similarity: np.ndarray

    def _near_at(self, items: np.ndarray) -> np.ndarray:
        """Where each of `items` is in `near` (-1: it is not a near copy)."""
        if not len(self.near):
            return np.full(len(items), -1, np.int64)
        k = np.minimum(np.searchsorted(self.near, items), len(self.near) - 1)
        return np.where(self.near[k] == items, k, -1)

    def _near(self, k: int) -> _Near | None:
        if k < 0:
            return None
        return _Near(int(self.original[k]), int(self.matched[k]), float(self.similarity[k]),
                     float(self.original_similarity[k]))

    def gone(self) -> np.ndarray:
        """The items that go: copies of an earlier item, exact or near."""
        out = self.rep != np.arange(len(self.rep))
        out[self.near] = True
        return out

    def findings(self, items: np.ndarray, rule: str, where: Callable[[int], dict]) -> list[Finding | None]:
        """Why each of `items` goes (None: it stays), as findings of rule `exact-<rule>`
        or `near-<rule>`: made together, the lookups done for all of them at once."""
        exact, near = f"exact-{rule}", f"near-{rule}"
        items = np.asarray(items, np.int64)
        firsts = self.rep[items]
        out: list[Finding | None] = []
        for item, at, first, first_at in zip(items.tolist(), self._near_at(items).tolist(), firsts.tolist(),
                                             self._near_at(firsts).tolist()):
            if at >= 0:
                out.append(_copy_finding(exact, near, where, None, self._near(at)))
            else:
                out.append(None if first == item else _copy_finding(exact, near, where, first, self._near(first_at)))
        return out

    def finding(self, item: int, rule: str, where: Callable[[int], dict]) -> Finding | None:
        return self.findings(np.array([item]), rule, where)[0]


def _first_copies(hashes: np.ndarray) -> np.ndarray:
    """Each item's earliest item with the same hash (or row of hashes): a stable sort."""
    order = np.argsort(hashes, kind="stable") if hashes.ndim == 1 else np.lexsort(hashes.T[::-1])
    ordered = hashes[order]
    differs = ordered[1:] != ordered[:-1]
    starts = np.r_[True, differs if hashes.ndim == 1 else differs.any(axis=1)]
    rep = np.empty(len(hashes), np.int64)
    rep[order] = order[starts][np.cumsum(starts) - 1]
    return rep


def _copies(hashes: np.ndarray, nearable: np.ndarray, keys_of: Callable[[np.ndarray], np.ndarray | index.Bands],
            ranges_of: Callable[[np.ndarray], verify.Ranges],
            signatures_of: Callable[[np.ndarray], np.ndarray] | None, settings: Settings,
            sizes: np.ndarray | None = None, verifier: verify.Verifier = verify.here) -> _Copies:
    """Exact groups of `hashes` (one per item, or a row of them), then near copies among
    the groups' `nearable` firsts: candidates by their band keys (`keys_of` those items),
    verified by `verifier` by their shingles (`ranges_of` items, increasing: where their
    shingles are; `sizes`: each item's shingles, if they may be many). `signatures_of`
    items, for the candidates' MinHash estimates (None: every candidate pair verified:
    a line's few shingles are compared exactly sooner than signed again)."""
    none = np.empty(0, np.int64)
    if not len(hashes):
        return _Copies(none, none, none, none, np.empty(0), np.empty(0))
    rep = _first_copies(hashes)
    firsts = np.flatnonzero((rep == np.arange(len(rep))) & nearable)
    if len(firsts) >= 2:
        def similarities(batches):
            return verifier(verify.pairs_of(pairs, lambda ks: ranges_of(firsts[ks])) for pairs in batches)

        signed = None if signatures_of is None else lambda ks: signatures_of(firsts[ks])
        sizes = None if sizes is None else sizes[firsts]
        candidates = keys_of(firsts)
        heap.release()   # what finding them took, before verifying them
        found = index.near_duplicates(candidates, settings.threshold, similarities, signed, sizes=sizes)
        del candidates
        heap.release()
        gone, original, matched, similarity, original_similarity = _removed_near(found, similarities, sizes)
        return _Copies(rep, firsts[gone], firsts[original], firsts[matched], similarity, original_similarity)
    return _Copies(rep, none, none, none, np.empty(0), np.empty(0))


def _block_ranges(table: Table, blocks, rows: np.ndarray, docs: np.ndarray) -> verify.Ranges:
    """Where the shingles of blocks `rows` (of documents `docs`) are."""
    return verify.ranges(table.stores, table.store[docs], blocks.lo[rows], blocks.hi[rows], np.arange(len(rows)),
                         len(rows))


def duplicate_documents(table: Table, decisions, settings: Settings, verifier: verify.Verifier = verify.here
                        ) -> np.ndarray:
    """Drop documents that repeat an earlier one; return the mask of the rest (near
    copies verified by `verifier`)."""
    content = content_rows(table, settings)
    digests, has = content_digests(table, content)
    items = np.flatnonzero(has & decisions.kept())
    hashes = digests[items].view(np.uint64)
    del digests

    def keys_of(chosen: np.ndarray) -> index.Candidates:
        """Bucketed a few bands at a time by `verifier`'s workers, from the documents'
        signatures: this process holds the distinct candidates, never the band keys."""
        jobs = index.banding(table.signed(items[chosen], settings.num_perm), *settings.lsh_params)
        return index.Candidates(len(chosen), index.merged(verifier(jobs)))

    shingles = table.per_document(np.where(content, table.line_blocks.hi - table.line_blocks.lo, 0))
    copies = _copies(hashes, np.ones(len(items), bool), keys_of,
                     lambda chosen: document_ranges(table, content, items[chosen]),
                     lambda chosen: table.signatures(items[chosen], settings.num_perm), settings, shingles[items],
                     verifier)
    paths = table.path
    where = lambda i: {"path": paths[items[i]]}
    gone = np.flatnonzero(copies.gone())
    decisions.drop_all(items[gone], gone, lambda chosen: copies.findings(chosen, "document", where))
    return decisions.kept()


def duplicate_paragraphs(table: Table, decisions, live: np.ndarray, settings: Settings,
                         verifier: verify.Verifier = verify.here) -> None:
    """Multi-line paragraphs (hard-wrapped text) that repeat an earlier paragraph."""
    items = np.flatnonzero(live[table.doc_of(table.paragraph_first)])
    docs = table.doc_of(table.paragraph_first[items])
    copies = _copies(table.paragraph_hash[items], np.ones(len(items), bool),
                     lambda chosen: table.bands(table.paragraph_blocks, items[chosen], docs[chosen]),
                     lambda chosen: _block_ranges(table, table.paragraph_blocks, items[chosen], docs[chosen]), None, settings,
                     verifier=verifier)
    first, last = table.paragraph_first[items], table.paragraph_last[items]
    where = lambda i: located(table, int(first[i]), int(last[i]))
    gone = np.flatnonzero(copies.gone())
    for i, finding in zip(gone.tolist(), copies.findings(gone, "paragraph", where)):
        for at in range(int(first[i]), int(last[i]) + 1):
            mark(decisions, table, int(docs[i]), at, finding)


def _open_rows(table: Table, decisions, live: np.ndarray) -> np.ndarray:
    """The rows of every content line of the live documents that no rule has taken yet."""
    return np.flatnonzero(table.rows(live) & ~taken_rows(table, decisions, np.flatnonzero(live))[:-1])


def duplicate_lines(table: Table, decisions, live: np.ndarray, settings: Settings,
                    verifier: verify.Verifier = verify.here) -> None:
    """Lines that repeat an earlier line exactly (after normalization) or nearly.

    A line shorter than `min_duplicate_words`, and a line its own document holds
    before (but not right above it), is a duplicate only as part of a repeated passage
    (next to a removed line, or to another such copy): alone, it is as often a refrain,
    a label or a question asked of each guest as a copy. Lines are grouped by sorting
    their hashes (a few bytes per line), never by a dict entry per line."""
    at = _open_rows(table, decisions, live)
    docs = table.doc_of(at)
    words = table.words[at]
    copies = _copies(table.hash[at], words >= settings.shingle_size,
                     lambda chosen: table.bands(table.line_blocks, at[chosen], docs[chosen]),
                     lambda chosen: _block_ranges(table, table.line_blocks, at[chosen], docs[chosen]), None, settings,
                     verifier=verifier)
    where = lambda i: located(table, int(at[i]))
    copy = copies.rep != np.arange(len(at))
    # a long line copied from another document goes, and one printed again right below
    # itself; one that its own document prints again elsewhere (a question asked of each
    # guest, a step of each day's plan) only in a passage
    long_copy = words >= settings.min_duplicate_words
    below = np.r_[False, (docs[1:] == docs[:-1]) & (table.hash[at[1:]] == table.hash[at[:-1]])
                  & (table.line[at[1:]] == table.line[at[:-1]] + 1)]
    alone = long_copy & ((docs[copies.rep] != docs) | below)
    for chosen in (copies.near, np.flatnonzero(copy & alone)):
        for i, finding in zip(chosen.tolist(), copies.findings(chosen, "line", where)):
            mark(decisions, table, int(docs[i]), int(at[i]), finding)
    finding_of = lambda row: copies.finding(int(np.searchsorted(at, row)), "line", where)
    pending = {int(at[i]): int(at[copies.rep[i]]) for i in np.flatnonzero(copy & ~alone).tolist()}
    own = {row: original for row, original in pending.items() if table.doc_of(row) == table.doc_of(original)}
    passages = _own_passages(table, decisions, own, finding_of)
    # a near copy of a line of its own document (a day's changed meal) takes no copy beside it
    own_near = at[copies.near[docs[copies.original] == docs[copies.near]]]
    _resolve_short_copies(table, decisions, {row: original for row, original in pending.items() if row not in passages},
                          finding_of, own, passages | set(own_near.tolist()))


def _own_passages(table: Table, decisions, own: dict[int, int], finding_of: Callable[[int], Finding]) -> set[int]:
    """Remove a document's copies of its own lines (`own`: row -> the earlier row it copies)
    where they make a passage printed again: copies of consecutive lines, in their order
    (lines other rules took, on either side, do not break it), of prose: `PASSAGE_WORDS`
    words or more, `PROSE_WORDS` a line on average, and whole: where the copies next to
    it (past at most one line of the document's own) carry the copy on in order, it is
    part of a block printed again with a line left out or changed. A body or a lead
    paragraph stored twice goes; a card, a table or a day's plan that the page prints
    again with changes (a label, a price, a meal) stays whole. Returns the rows removed."""
    def taken(first: int, last: int) -> bool:   # every row strictly between first and last is removed
        lines = decisions.lines(int(table.doc_of(first)))
        return all(int(table.line[row]) in lines for row in range(first + 1, last))

    def untaken(row: int, step: int) -> int | None:   # the first row from row + step on that no rule took
        d = int(table.doc_of(row))
        lines = decisions.lines(d)
        row += step
        while table.cut[d] <= row < table.cut[d + 1] and int(table.line[row]) in lines:
            row += step
        return row if table.cut[d] <= row < table.cut[d + 1] else None

    def next_copy(row: int, step: int) -> int | None:   # the next copy on that side, past one line of its own
        found = untaken(row, step)
        if found is not None and found not in own:
            found = untaken(found, step)
        return found if found in own else None

    def changed(passage: list[int]) -> bool:   # the copy goes on past a line left out or changed
        before, after = next_copy(passage[0], -1), next_copy(passage[-1], 1)
        return ((before is not None and own[before] < own[passage[0]])
                or (after is not None and own[after] > own[passage[-1]]))

    passage: list[int] = []
    removed: set[int] = set()
    for row in [*sorted(own), None]:
        if row is not None and passage:
            last = passage[-1]
            if (table.doc_of(row) == table.doc_of(last) and own[last] < own[row]
                    and taken(last, row) and taken(own[last], own[row])):
                passage.append(row)
                continue
        words = table.words[passage]
        if int(words.sum()) >= max(PASSAGE_WORDS, PROSE_WORDS * len(passage)) and not changed(passage):
            for at in passage:
                mark(decisions, table, int(table.doc_of(at)), at, finding_of(at))
            removed.update(passage)
        passage = [] if row is None else [row]
    return removed


def _resolve_short_copies(table: Table, decisions, pending: dict[int, int], finding_of: Callable[[int], Finding],
                          own: Mapping[int, int], own_copies: set[int]) -> None:
    """Remove the short copies (`pending`: row -> the row it copies) that sit in a
    repeated passage, growing passages until nothing changes. A copy of a line of its
    own document (in `own`) goes here only next to a line removed by another rule than
    as a copy of its own document's lines (`own_copies`: the passages `_own_passages`
    removed, near copies): a menu the footer prints again beside the footer's
    boilerplate goes, the unchanged steps beside a changed day's plan stay.

    A copy that goes stays gone and makes its neighbours' case only stronger (a copy
    beside it is now beside a removed line), so what goes does not depend on the order
    copies are looked at: each is looked at once, and again only when a neighbour goes
    (a passage of n copies is n looks, not n passes over every copy)."""
    def beside(row: int, step: int) -> bool:   # row + step is a line of row's document
        d = int(table.doc_of(row))
        return table.cut[d] <= row + step < table.cut[d + 1]

    def goes(row: int, d: int) -> bool:
        original, lines = pending[row], decisions.lines(d)
        removed_next_to_it = any(beside(row, step) and int(table.line[row + step]) in lines
                                 and not (row in own and row + step in own_copies) for step in (-1, 1))
        return removed_next_to_it or (row not in own and any(
            beside(row, step) and beside(original, step) and pending.get(row + step) == original + step
            for step in (-1, 1)))   # a copy of its original's neighbour beside it

    waiting = collections.deque(sorted(pending))
    while waiting:
        row = waiting.popleft()
        d = int(table.doc_of(row))
        if row in pending and goes(row, d):
            mark(decisions, table, d, row, finding_of(row))
            del pending[row]
            waiting.extend(row + step for step in (-1, 1) if row + step in pending)
