"""What the rules decide, and the few helpers every rule family shares."""
from __future__ import annotations

from dataclasses import dataclass, field

from ..table import Table

DUPLICATE, NEAR_DUPLICATE, BOILERPLATE = "duplicate", "near-duplicate", "boilerplate"


@dataclass(frozen=True)
class Finding:
    kind: str
    rule: str
    evidence: dict


@dataclass
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
