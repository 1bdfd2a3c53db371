"""From decisions to edits: the exact character spans to drop from each document,
applying them, and rebuilding the original from the cleaned text plus the spans."""
from __future__ import annotations

import bisect
from dataclasses import dataclass

from . import segment
from .rules.findings import Decision


@dataclass(frozen=True)
class Removal:
    kind: str
    rule: str
    evidence: dict
    lines: tuple[int, int]   # 1-based, inclusive (blank lines taken along included)
    chars: tuple[int, int]   # [start, stop) in the original text
    text: str                # exactly original[start:stop]

    def to_json(self) -> dict:
        return {"kind": self.kind, "rule": self.rule, "lines": list(self.lines),
                "chars": list(self.chars), "text": self.text, "evidence": self.evidence}


def sparing(decision: Decision, text: str, unexamined) -> Decision:
    """A document dropped whole keeps its lines too long to examine (`unexamined`, their
    indexes): they were never compared, so not known to be copies of anything. Its other
    lines that are not blank go instead, each for the same finding."""
    if decision.document is None or not unexamined:
        return decision
    kept = set(unexamined)
    return Decision(None, {line.index: decision.document for line in segment.lines(text)
                           if line.index not in kept and text[line.start:line.end].strip()})


def removals(text: str, decision: Decision) -> list[Removal]:
    """The spans to drop, in order. A removed line goes with its line terminator; a
    paragraph removed whole also takes the blank lines that separated it from the
    text before it (or after it, when it opens the document)."""
    if decision.document is not None:
        f = decision.document
        return [Removal(f.kind, f.rule, f.evidence, (1, max(segment.count(text), 1)), (0, len(text)), text)]
    if not decision.lines:
        return []
    all_lines = segment.lines(text)
    # (first line, last line) of each removed stretch, keyed by its first content line
    spans: dict[int, list] = {i: [i, i, f] for i, f in decision.lines.items()}
    taken: set[int] = set()
    paragraphs = segment.paragraphs(text, all_lines)
    for n, para in enumerate(paragraphs):
        if not all(i in decision.lines for i in range(para.first, para.last + 1)):
            continue
        if n:
            blanks = range(paragraphs[n - 1].last + 1, para.first)
        else:
            blanks = range(para.last + 1, paragraphs[1].first if len(paragraphs) > 1 else len(all_lines))
        blanks = [i for i in blanks if i not in taken]
        if not blanks:
            continue
        taken.update(blanks)
        if blanks[0] < para.first:
            spans[para.first][0] = blanks[0]
        else:
            spans[para.last][1] = blanks[-1]
    out = []
    for _, (first, last, finding) in sorted(spans.items()):
        start, stop = all_lines[first].start, all_lines[last].stop
        out.append(Removal(finding.kind, finding.rule, finding.evidence,
                           (first + 1, last + 1), (start, stop), text[start:stop]))
    return out


def cover_whole(text: str, spans: list[Removal]) -> list[Removal]:
    """For a document whose cleaning leaves only whitespace (so it is removed whole):
    the same findings, each stretched over the whitespace that follows it (the first
    also over what precedes it), so that together they hold the whole text and the
    report alone rebuilds it."""
    if not spans:
        return spans
    starts = [line.start for line in segment.lines(text)]
    line_of = lambda offset: bisect.bisect_right(starts, offset)   # 1-based
    out = []
    for n, r in enumerate(spans):
        start = 0 if n == 0 else r.chars[0]
        stop = spans[n + 1].chars[0] if n + 1 < len(spans) else len(text)
        out.append(Removal(r.kind, r.rule, r.evidence, (line_of(start), line_of(max(stop - 1, start))),
                           (start, stop), text[start:stop]))
    return out


def _cut(text: str, ranges) -> str:
    kept, at = [], 0
    for start, stop in ranges:
        kept.append(text[at:start])
        at = stop
    kept.append(text[at:])
    return "".join(kept)


def apply(text: str, spans: list[Removal]) -> str:
    """The cleaned text: the original minus the removed spans, every other byte kept."""
    return _cut(text, [r.chars for r in spans])


def apply_json(text: str, spans: list[dict]) -> str:
    """apply() for the spans as a report lists them."""
    return _cut(text, sorted(tuple(s["chars"]) for s in spans))


def rebuild(cleaned: str, spans: list[dict]) -> str:
    """The original text from the cleaned text and the report's spans for it."""
    out, at, consumed = [], 0, 0
    for span in sorted(spans, key=lambda s: s["chars"][0]):
        start, stop = span["chars"]
        keep = start - consumed
        out.append(cleaned[at:at + keep])
        out.append(span["text"])
        at += keep
        consumed = stop
    out.append(cleaned[at:])
    return "".join(out)
