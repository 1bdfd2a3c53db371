"""What the rules decide, and the few helpers every rule family shares."""
from __future__ import annotations

import marshal
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Callable, Iterator, Mapping

import numpy as np

from ..table import Table

DUPLICATE, NEAR_DUPLICATE, BOILERPLATE = "duplicate", "near-duplicate", "boilerplate"


class Finding:
    """Why a rule removes something: its kind, its rule and the evidence (a small
    dict). The evidence is kept marshalled, ~100 bytes instead of the ~600 of nested
    dicts: a run holds a finding for every removed line and document until it writes
    them. `evidence` gives a fresh dict each time it is read."""
    __slots__ = ("kind", "rule", "_evidence")

    def __init__(self, kind: str, rule: str, evidence: dict):
        self.kind, self.rule, self._evidence = kind, rule, marshal.dumps(evidence)

    @property
    def evidence(self) -> dict:
        return marshal.loads(self._evidence)

    def __eq__(self, other) -> bool:
        return (isinstance(other, Finding) and (self.kind, self.rule) == (other.kind, other.rule)
                and self.evidence == other.evidence)

    def __hash__(self) -> int:
        return hash((self.kind, self.rule))

    def __repr__(self) -> str:
        return f"Finding({self.kind!r}, {self.rule!r}, {self.evidence!r})"

    def __reduce__(self):
        return _finding, (self.kind, self.rule, self._evidence)


def _finding(kind: str, rule: str, evidence: bytes) -> Finding:
    out = Finding.__new__(Finding)
    out.kind, out.rule, out._evidence = kind, rule, evidence
    return out


@dataclass(slots=True)
class Decision:
    """What happens to one document: dropped whole, or these lines removed."""
    document: Finding | None = None
    lines: dict[int, Finding] = field(default_factory=dict)   # line index -> finding


def rounded(x: float) -> float:
    return round(float(x), 4)


def located(table: Table, first: int, last: int | None = None) -> dict:
    """A reference to the table's rows first..last (of one document), 1-based for people."""
    last = first if last is None else last
    return {"path": table.path[int(table.doc_of(first))], "lines": [int(table.line[first]) + 1, int(table.line[last]) + 1]}


class Decisions:
    """What the rules decide for each document of a table, held for the whole corpus at
    a few bytes per document: which are dropped whole and by what (a finding, or an
    item of a group of findings made when asked: `drop_all`), and the lines taken, for
    the documents that have any. `decisions[d]` is document d's Decision."""

    def __init__(self, documents: int):
        self._group = np.full(documents, -1, np.int32)   # -1: kept; else which of _groups
        self._item = np.zeros(documents, np.int64)       # its item there
        self._groups: list = [self._listed]
        self._findings: list[Finding] = []
        self._lines: dict[int, dict[int, Finding]] = {}

    def _listed(self, items: np.ndarray) -> list[Finding]:
        return [self._findings[i] for i in items.tolist()]

    def __len__(self) -> int:
        return len(self._group)

    def dropped(self, doc: int) -> bool:
        return bool(self._group[doc] >= 0)

    def kept(self) -> np.ndarray:
        """The mask of the documents no rule dropped whole."""
        return self._group < 0

    def drop(self, doc: int, finding: Finding) -> None:
        self._group[doc], self._item[doc] = 0, len(self._findings)
        self._findings.append(finding)

    def drop_all(self, docs: np.ndarray, items: np.ndarray, findings_of: Callable[[np.ndarray], list[Finding]]
                 ) -> None:
        """Drop documents `docs`, each for the finding of its item (`findings_of` items:
        theirs, in order), made when asked for, many at once, so that a corpus of copies
        holds two numbers per copy, not its evidence."""
        self._group[docs], self._item[docs] = len(self._groups), items
        self._groups.append(findings_of)

    def lines(self, doc: int) -> Mapping[int, Finding]:
        """The lines taken so far in document `doc` (line index -> finding); read only."""
        lines = self._lines.get(doc)
        return _NONE if lines is None else MappingProxyType(lines)

    def take(self, doc: int, line: int, finding: Finding) -> None:
        """Remove line `line` of document `doc` for `finding`, unless a rule that ran
        before has taken it."""
        self._lines.setdefault(doc, {}).setdefault(line, finding)

    def documents(self, docs: np.ndarray) -> list[Finding | None]:
        """Why each of documents `docs` is dropped whole (None: it is not)."""
        docs = np.asarray(docs, np.int64)
        groups = self._group[docs]
        out: list[Finding | None] = [None] * len(docs)
        for group in np.unique(groups[groups >= 0]).tolist():
            chosen = np.flatnonzero(groups == group)
            for k, finding in zip(chosen.tolist(), self._groups[group](self._item[docs[chosen]])):
                out[k] = finding
        return out

    def document(self, doc: int) -> Finding | None:
        group = int(self._group[doc])
        return None if group < 0 else self._groups[group](self._item[doc:doc + 1])[0]

    def of(self, docs: np.ndarray) -> list[Decision]:
        """The decisions of documents `docs`, made together."""
        return [Decision(finding, dict(self.lines(d))) for d, finding in zip(np.asarray(docs).tolist(),
                                                                              self.documents(docs))]

    def __getitem__(self, doc: int) -> Decision:
        return Decision(self.document(doc), dict(self.lines(doc)))

    def __iter__(self) -> Iterator[Decision]:
        for lo in range(0, len(self), 4096):
            yield from self.of(np.arange(lo, min(lo + 4096, len(self))))


_NONE: Mapping[int, Finding] = MappingProxyType({})


def mark(decisions: Decisions, table: Table, doc: int, at: int, finding: Finding) -> None:
    """Remove the table's row `at` (a line of document `doc`) for `finding`, unless a rule
    that ran before has taken it."""
    decisions.take(doc, int(table.line[at]), finding)


def taken_rows(table: Table, decisions: Decisions, docs: np.ndarray) -> np.ndarray:
    """Which rows of documents `docs` a rule took, one more row (always False) past the
    table's last, so a paragraph that ends there has a row after it."""
    taken = np.zeros(len(table.hash) + 1, bool)
    for d in docs.tolist():
        flagged = decisions.lines(d)
        if flagged:
            lo, hi = int(table.cut[d]), int(table.cut[d + 1])
            taken[lo:hi] = _taken(table.line[lo:hi], flagged)
    return taken


def _taken(line: np.ndarray, flagged: Mapping[int, object]) -> np.ndarray:
    """Which of a document's content lines (their line indexes `line`, increasing) a
    rule took: the keys of `flagged`."""
    taken = np.zeros(len(line), bool)
    if flagged and len(line):
        wanted = np.fromiter(flagged, np.int64, len(flagged))
        at = np.minimum(np.searchsorted(line, wanted), len(line) - 1)
        taken[at[line[at] == wanted]] = True
    return taken


def counted(site: str, documents: int) -> dict:
    """Evidence of a learned rule: in how many documents, of which source."""
    return {"documents": documents, "source": site} if site else {"documents": documents}
