"""What the rules decide, and the few helpers every rule family shares."""
from __future__ import annotations

from dataclasses import dataclass, field

from ..sketch import DocSketch
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


def located(sk: DocSketch, first: int, last: int | None = None) -> dict:
    """A reference to content lines first..last of a document, 1-based for people."""
    last = first if last is None else last
    return {"path": sk.path, "lines": [int(sk.line[first]) + 1, int(sk.line[last]) + 1]}


def flag(decision: Decision, sk: DocSketch, pos: int, finding: Finding) -> None:
    decision.lines.setdefault(int(sk.line[pos]), finding)


def mark(decisions: list[Decision], table: Table, doc: int, at: int, finding: Finding) -> None:
    """flag the table's row `at` (a line of document `doc`)."""
    decisions[doc].lines.setdefault(int(table.line[at]), finding)


def flagged(decision: Decision, sk: DocSketch, pos: int) -> bool:
    return int(sk.line[pos]) in decision.lines


def counted(site: str, documents: int) -> dict:
    """Evidence of a learned rule: in how many documents, of which source."""
    return {"documents": documents, "source": site} if site else {"documents": documents}
