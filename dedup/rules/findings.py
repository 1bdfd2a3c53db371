"""What the rules decide, and the few helpers every rule family shares."""
from __future__ import annotations

import marshal
from dataclasses import dataclass, field

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


def mark(decisions: list[Decision], table: Table, doc: int, at: int, finding: Finding) -> None:
    """Remove the table's row `at` (a line of document `doc`) for `finding`, unless a rule
    that ran before has taken it."""
    decisions[doc].lines.setdefault(int(table.line[at]), finding)


def counted(site: str, documents: int) -> dict:
    """Evidence of a learned rule: in how many documents, of which source."""
    return {"documents": documents, "source": site} if site else {"documents": documents}
