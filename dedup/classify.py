"""Corpus-wide decisions: which lines are boilerplate or duplicates, and why.

Pure function of the documents' sketches (in sorted path order) and the settings. The
rules live in dedup/rules/, a module per family; this is the order they run in:
per-document boilerplate, documents that repeat a previous run or an earlier document,
boilerplate learned per source, then duplicate paragraphs and lines among what is left.
The first occurrence in the documents' order (`keep`) is always the one kept.
"""
from __future__ import annotations

from typing import Iterator, Mapping

import numpy as np

from . import table as tables, verify
from .config import Settings
from .rules import against, duplicates, learned, local
from .rules.findings import Decision, Decisions, Finding
from .rules.learned import CorpusStats
from .sketch import DocSketch
from .table import Table

__all__ = ["classify", "keep_order", "CorpusStats", "Decision", "Decisions", "Finding", "Ranked"]


def classify(sketches: list[DocSketch] | Table, settings: Settings, stats: CorpusStats | None = None,
             previous=None, verifier: verify.Verifier = verify.here, small_sources: bool = True) -> Decisions | Ranked:
    """`previous`: a previous run's kept corpus (previous.Previous), which comes first:
    what repeats it goes. `small_sources`: apply the small-source rule (it needs every
    page of a source in the table, so a check, which checks files on their own too,
    leaves it out). The copy of a duplicate that stays is the first in the order
    `settings.keep` gives the documents (path order, longest first, or by source).
    `verifier` verifies candidate near copies (by default in this process; a run hands
    the batches of candidate pairs to its workers). `decisions[d]` is document d's Decision."""
    table = sketches if isinstance(sketches, Table) else tables.of(sketches)
    order = keep_order(table, settings)
    if order is None:
        return _classify(table, settings, stats, previous, verifier, small_sources)
    return Ranked(_classify(table.take(order), settings, stats, previous, verifier, small_sources), order,
                  settings.keep)


class Ranked:
    """Decisions made over the documents in another order (`order`: rank -> document),
    read in the documents' own order, each copy's evidence saying which policy chose
    the original it names."""

    def __init__(self, ranked: Decisions, order: np.ndarray, policy: str):
        self._ranked, self._policy = ranked, policy
        self._rank = np.empty(len(order), np.int64)
        self._rank[order] = np.arange(len(order))

    def __len__(self) -> int:
        return len(self._rank)

    def __getitem__(self, doc: int) -> Decision:
        return _kept_by(self._ranked[int(self._rank[doc])], self._policy)

    def of(self, docs: np.ndarray) -> list[Decision]:
        return [_kept_by(d, self._policy) for d in self._ranked.of(self._rank[np.asarray(docs, np.int64)])]

    def dropped(self, doc: int) -> bool:
        return self._ranked.dropped(int(self._rank[doc]))

    def kept(self) -> np.ndarray:
        return self._ranked.kept()[self._rank]

    def lines(self, doc: int) -> Mapping[int, Finding]:
        return self._ranked.lines(int(self._rank[doc]))

    def __iter__(self) -> Iterator[Decision]:
        return (self[d] for d in range(len(self)))


def keep_order(table: Table, settings: Settings) -> np.ndarray | None:
    """The documents in the order whose first copy stays (None: as they are)."""
    if settings.keep == "longest":
        return np.argsort(-table.per_document(table.words), kind="stable")
    if settings.keep == "sources":
        rank: dict[str, int] = {}
        for site in settings.keep_sources:   # best first: a name given again keeps its first place
            rank.setdefault(site, len(rank))
        return np.argsort(np.array([rank.get(site, len(rank)) for site in table.site], np.int64), kind="stable")
    return None


def _kept_by(decision: Decision, policy: str) -> Decision:
    """The decision with each duplicate's evidence saying which policy chose the original."""
    memo: dict[int, Finding] = {}

    def mark(f: Finding | None) -> Finding | None:
        if f is None or "original" not in f.evidence or "run" in f.evidence["original"]:
            return f
        if id(f) not in memo:
            memo[id(f)] = Finding(f.kind, f.rule, {**f.evidence, "kept_by": policy})
        return memo[id(f)]
    return Decision(mark(decision.document), {line: mark(f) for line, f in decision.lines.items()})


def _classify(table: Table, settings: Settings, stats: CorpusStats | None, previous,
              verifier: verify.Verifier, small_sources: bool) -> Decisions:
    decisions = Decisions(table.documents)
    local.lexicon(table, decisions)
    if previous is not None:
        against.flag_documents(table, decisions, settings, previous)
    alive = duplicates.duplicate_documents(table, decisions, settings, verifier)
    if stats is None:
        stats = learned.corpus_stats(table, settings, alive)
    local.repeated_in_document(table, decisions, alive, settings)
    learned.frequent_lines(table, decisions, alive, settings, stats)
    if small_sources:
        learned.small_sources(table, decisions, alive, settings)
    learned.template_shapes(table, decisions, alive, settings, stats)
    learned.site_affixes(table, decisions, alive, settings, stats)
    learned.teaser_templates(table, decisions, alive, stats)
    if previous is not None:
        against.flag_blocks(table, decisions, alive, settings, previous)
    duplicates.duplicate_paragraphs(table, decisions, alive, settings, verifier)
    duplicates.duplicate_lines(table, decisions, alive, settings, verifier)
    local.page_junk(table, decisions, alive, settings)
    return decisions
