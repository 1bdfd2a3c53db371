"""Rules that need only the document itself: the phrase lexicon, a short line repeated
in a row, and the runs of short lines around a page's text (page.py)."""
from __future__ import annotations

import numpy as np

from .. import page
from ..config import Settings
from ..table import Table
from .findings import BOILERPLATE, Finding, mark

LEXICON_RULE = "lexicon:"   # the rule names of the lexicon's hits begin so


def lexicon(table: Table, decisions) -> None:
    """The lines the phrase lexicon matched when each document was sketched."""
    found = table.lexicon
    for d, at, hit in zip(table.doc_of(found.at).tolist(), found.at.tolist(), found.values.columns[0]):
        evidence = {"pattern": hit.phrase, **({"listed_under": hit.under + 1} if hit.kind == "listed" else {})}
        mark(decisions, table, d, at, Finding(BOILERPLATE, f"{LEXICON_RULE}{hit.rule}", evidence))


def repeated_in_document(table: Table, decisions, live: np.ndarray, settings: Settings) -> None:
    """A short line printed again and again in a row ("Related articles" three times):
    every copy is boilerplate, unless it is a heading or a line of numbers (a table's
    cells: Table.unlearned). (Copies apart from each other, like a poem's refrain, are
    left to the duplicate rules.)"""
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
        live[table.doc_of(starts)] & ~table.unlearned[starts]
    for start, length in zip(starts[runs].tolist(), lengths[runs].tolist()):
        d = int(table.doc_of(np.int64(start)))
        finding = Finding(BOILERPLATE, "repeated-in-document", {"count": length})
        for at in range(start, start + length):
            mark(decisions, table, d, at, finding)


def page_junk(table: Table, decisions, live: np.ndarray, settings: Settings) -> None:
    """The runs of short, mostly bare lines before a page's first sentence or after its last,
    as sketching found them (page.junk_runs), in documents still alive. A line another
    rule took stays that rule's, and a run goes only if `page_junk_lines` of its lines
    are left to it: the page rule adds runs of its own, never a line or two beside junk
    other rules found (where a page's own text may end or begin). Between the text's
    sentences, where no text ends, the lexicon's widgets in a run count for it too
    ("Trending" among a sidebar's links)."""
    found = table.page
    if not len(found):
        return
    docs = table.doc_of(found.at)
    runs: dict[tuple[int, tuple], list[int]] = {}   # (document, its run) -> the run's rows left to this rule
    widgets: dict[tuple[int, tuple], int] = {}      # and how many of its rows the lexicon took
    for d, at, run in zip(docs.tolist(), found.at.tolist(), found.values):
        if not live[d]:
            continue
        taken = decisions.lines(d).get(int(table.line[at]))
        if taken is None:
            runs.setdefault((d, run), []).append(at)
        elif taken.rule.startswith(LEXICON_RULE):
            widgets[d, run] = widgets.get((d, run), 0) + 1
    line = table.line
    for (d, run), rows in runs.items():
        where, first, last, sentence = run
        counted = len(rows) + (widgets.get((d, run), 0) if where == page.BODY else 0)
        if counted < settings.page_junk_lines * (page.BODY_RUN if where == page.BODY else 1):
            continue
        base = int(table.cut[d])
        side, edge = {page.HEAD: ("head", "first_sentence"), page.TAIL: ("tail", "last_sentence"),
                      page.BODY: ("body", "sentence_before")}[where]
        finding = Finding(BOILERPLATE, "page-junk", {
            "where": side, "run": [int(line[base + first]) + 1, int(line[base + last]) + 1], "lines": last - first + 1,
            edge: int(line[base + sentence]) + 1})
        for at in rows:
            mark(decisions, table, d, at, finding)
