"""Segmentation: a document's lines and paragraphs with their exact character spans.

Lines are the unit of boilerplate and of duplicates; paragraphs (runs of non-blank
lines) let hard-wrapped text match as a whole. Spans index the original text, so a
cleaning deletes spans and leaves every kept character as it was.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

# A line ends at \r\n, \n or \r; the last line may have no terminator.
_BREAK = re.compile(r"\r\n|\r|\n")


class Line(NamedTuple):   # a tuple: a document's lines are made by the hundred
    index: int   # 0-based line number
    start: int   # first character
    end: int     # end of the content, before the line terminator
    stop: int    # end including the terminator

    @property
    def number(self) -> int:
        return self.index + 1


@dataclass(frozen=True)
class Paragraph:
    first: int   # index of its first line
    last: int    # index of its last line (inclusive)


def lines(text: str) -> list[Line]:
    """Every line of `text`, blank ones included, covering it without gaps."""
    out = []
    start = 0
    for match in _BREAK.finditer(text):
        out.append(Line(len(out), start, match.start(), match.end()))
        start = match.end()
    if start < len(text):
        out.append(Line(len(out), start, len(text), len(text)))
    return out


def count(text: str) -> int:
    """len(lines(text)), without making the lines."""
    breaks = text.count("\n") + text.count("\r") - text.count("\r\n")
    return breaks + (not text.endswith(("\n", "\r")) if text else 0)


def is_blank(text: str, line: Line) -> bool:
    return not text[line.start:line.end].strip()


def paragraphs(text: str, all_lines: list[Line]) -> list[Paragraph]:
    """Runs of consecutive non-blank lines."""
    out: list[Paragraph] = []
    first = None
    for line in all_lines:
        if is_blank(text, line):
            if first is not None:
                out.append(Paragraph(first, line.index - 1))
                first = None
        elif first is None:
            first = line.index
    if first is not None:
        out.append(Paragraph(first, all_lines[-1].index))
    return out
