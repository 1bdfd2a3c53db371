"""Boilerplate learned from the corpus, within each source: lines frequent in a site's
documents, template shapes, site affixes and teaser templates. Their counts are one
CorpusStats, asked of one of counts.py's two stores: the documents `clean` classifies,
or `dedup check`'s index of the whole corpus (fed each file's `contribution`)."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace

import numpy as np

from ..config import Settings
from ..counts import Counts, Evidence, LabelEvidence, MemoryCounts
from ..hashing import distinct
from ..sketch import DocSketch
from ..table import Columns, Sparse, Table, of
from .findings import BOILERPLATE, Finding, counted, mark
from .sources import AFFIX_SALT, SHAPE_SALT, rows_keys, salted_keys, site_label, site_salts

# More lines with one label than this in a typical document: an interview, not teasers.
_TEASERS_PER_DOCUMENT = 4

# This many different labels in one document: fields of a form or items of a list.
_FIELDS_PER_DOCUMENT = 3

# Template shapes are looked for in this many first and last content lines of a document.
SHAPE_HEAD, SHAPE_TAIL = 4, 8


@dataclass
class CorpusStats:
    """Corpus-wide counts behind the learned boilerplate rules. `clean` counts them
    over the documents it classifies; `dedup check` classifies a neighbourhood of
    the checked files but takes these counts from its index of the whole corpus."""
    line_documents: dict[int, int]               # short line's site key -> documents of its site with it
    templates: dict[str, tuple[str, int]]        # site label -> (label as written, documents)


def _keys(table: Table, settings: Settings, live: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(key, document) of every line short enough to be site boilerplate and of every
    template shape and site affix, of the `live` documents (a mask; None: all)."""
    salts = site_salts(table)
    short = table.words <= settings.boilerplate_words
    if live is not None:
        short &= table.rows(live)
    at = np.flatnonzero(short)
    keys, owners = [rows_keys(table, salts, at, table.hash[at])], [table.doc_of(at)]
    for found, salt in ((table.shape, SHAPE_SALT), (table.affix, AFFIX_SALT)):
        if len(found):
            owner = table.doc_of(found.at)
            taken = np.ones(len(owner), bool) if live is None else live[owner]
            keys.append(salted_keys(table, salts, found, salt)[taken])
            owners.append(owner[taken])
    return np.concatenate(keys), np.concatenate(owners)


def _teaser_evidence(table: Table, live: np.ndarray | None = None) -> list[dict[str, Evidence]]:
    """Each document's evidence for teaser templates: label -> (label as written, lines,
    headline hashes). A document's first line is its title ("Riyadh: King receives …"),
    never a teaser; a document with many different labels is a form, a recipe or a
    list ("Firstly: …", "Secondly: …"): no evidence at all."""
    out: list[dict[str, Evidence]] = [{} for _ in range(table.documents)]
    label = table.label
    owners = table.doc_of(label.at).tolist()
    positions = (label.at - table.cut[owners]).tolist() if len(label) else []
    for i, (d, pos) in enumerate(zip(owners, positions)):
        if pos and (live is None or live[d]):
            key, prefix, rest = label.values[i]
            key = site_label(table.site[d], key)
            written, n, rests = out[d].get(key, (prefix, 0, set()))
            out[d][key] = (written, n + 1, rests | {rest})
    return [found if len(found) < _FIELDS_PER_DOCUMENT else {} for found in out]


def _teasers(table: Table, live: np.ndarray | None = None) -> dict[str, list[Evidence]]:
    """The documents' teaser evidence by label, in document order."""
    out: dict[str, list[Evidence]] = defaultdict(list)
    for found in _teaser_evidence(table, live):
        for key, item in found.items():
            out[key].append(item)
    return out


def templates_from(evidence: dict[str, LabelEvidence], settings: Settings) -> dict[str, tuple[str, int]]:
    """Labels that start lines in `min_docs` documents with at least two different
    headlines. Many lines under one label in a typical document is an interview
    ("Q: …"), not teasers."""
    out = {}
    for key, label in evidence.items():
        if label.documents >= settings.min_docs and label.varied and _median(label.lines) <= _TEASERS_PER_DOCUMENT:
            out[key] = (label.written, label.documents)
    return out


def _median(counted: tuple[tuple[int, int], ...]) -> float:
    """The median of values given as (value, how many times) pairs (statistics.median's,
    whose import costs a git hook 4 ms)."""
    values = [value for value, times in sorted(counted) for _ in range(times)]
    middle = len(values) // 2
    return values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2


Asked = tuple[list[int], list[str]]   # the line keys and the teaser labels whose counts the rules need


def corpus_counts(table: Table, settings: Settings, live: np.ndarray | None = None) -> tuple[MemoryCounts, Asked]:
    """What the `live` documents add to the counts (as `contribution` defines it for one
    document), for all of them at once: every (key, document) pair in two arrays; and
    every key and label they have, which is what classifying them asks."""
    keys, owners = _keys(table, settings, live)
    evidence = _teasers(table, live)
    return MemoryCounts(keys, owners, evidence, settings.min_docs), (distinct(keys).tolist(), sorted(evidence))


def contributions(sketches: list[DocSketch], settings: Settings) -> list[tuple[list[int], dict[str, Evidence]]]:
    """What each document adds to the counts: its short lines' keys, sorted, and its
    teaser labels' evidence (what the check index stores for each file); for a batch
    at once, as one table."""
    table = of(sketches, blocks=False)
    keys, owners = _keys(table, settings)
    order = np.lexsort((keys, owners))
    keys, owners = keys[order], owners[order]
    cuts = np.searchsorted(owners, np.arange(table.documents + 1))
    return [(distinct(keys[cuts[d]:cuts[d + 1]]).tolist(), found)
            for d, found in enumerate(_teaser_evidence(table))]


def asked_by(sketches: list[DocSketch], settings: Settings) -> Asked:
    """The keys and labels these documents have (a check's few files)."""
    table = of(sketches, blocks=False)
    owners = table.doc_of(table.label.at).tolist()
    return (distinct(_keys(table, settings)[0]).tolist(),
            sorted({site_label(table.site[d], value[0]) for d, value in zip(owners, table.label.values)}))


def stats_of(asked: Asked, settings: Settings, counts: Counts) -> CorpusStats:
    """The counts the rules need, from either store."""
    keys, labels = asked
    return CorpusStats(counts.line_documents(keys), templates_from(counts.label_evidence(labels), settings))


def corpus_stats(table: Table, settings: Settings, live: np.ndarray | None = None) -> CorpusStats:
    """The counts of the `live` documents' short lines and teaser labels."""
    counts, asked = corpus_counts(table, settings, live)
    return stats_of(asked, settings, counts)


def frequent_lines(table: Table, decisions, live: np.ndarray, settings: Settings, stats: CorpusStats) -> None:
    """A short line found in many documents of a source is its template: every copy
    goes. Except a document's title (a headline that is also listed in other pages'
    "most read" boxes is content there, and a copy of it is a duplicate, not junk), and
    a heading that ends in a colon (a recipe's "Ingredients:" introduces its content) and
    a line of numbers only (a table's cells recur on a site's pages)."""
    frequent = stats.line_documents
    if not frequent:
        return
    at = np.flatnonzero(table.rows(live) & (table.words <= settings.boilerplate_words))
    keys = rows_keys(table, site_salts(table), at, table.hash[at])
    hit = np.isin(keys, np.fromiter(frequent, np.uint64, len(frequent)))
    at, keys = at[hit], keys[hit]
    docs = table.doc_of(at)
    first = table.cut[docs]
    titled = table.words[first] >= settings.min_duplicate_words
    keep = ~((at == first) & titled) & ~table.unlearned[at]
    for a, d, h in zip(at[keep].tolist(), docs[keep].tolist(), keys[keep].tolist()):
        if frequent[h] >= settings.min_docs:
            mark(decisions, table, d, a, Finding(BOILERPLATE, "frequent-line", counted(table.site[d], frequent[h])))


def small_sources(table: Table, decisions, live: np.ndarray, settings: Settings) -> None:
    """A source with too few documents to learn its template from (2 to `min_docs` - 1):
    a bare short line (page.py: a menu item's shape, no function word, no digit) in two
    or more of its documents is its template, and every copy goes. Counted within the
    source, so a line independent sources share is never taken."""
    if not table.documents:
        return
    names, site = np.unique(np.array(table.site, dtype=object), return_inverse=True)
    pages = np.bincount(site[live], minlength=len(names))
    small = (pages >= 2) & (pages < settings.min_docs) & (names != "")
    at = np.flatnonzero(table.rows(live & small[site]) & table.bare & ~table.unlearned)
    if not len(at):
        return
    keys, docs = rows_keys(table, site_salts(table), at, table.hash[at]), table.doc_of(at)
    order = np.lexsort((docs, keys))
    keys, docs, at = keys[order], docs[order], at[order]
    first_in_doc = np.r_[True, (keys[1:] != keys[:-1]) | (docs[1:] != docs[:-1])]
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    spread = np.add.reduceat(first_in_doc, starts)   # documents of the source holding each line
    held = np.repeat(spread, np.diff(np.r_[starts, len(keys)]))
    for a, d, n in zip(at[held >= 2].tolist(), docs[held >= 2].tolist(), held[held >= 2].tolist()):
        mark(decisions, table, d, a, Finding(BOILERPLATE, "small-source", counted(table.site[d], n)))


def _live_rows(table: Table, found, live: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Of sparse rows `found`: the documents and content positions, and which are of live documents."""
    owners = table.doc_of(found.at)
    return owners, found.at - table.cut[owners], live[owners]


def with_countable_shapes(table: Table, settings: Settings) -> Table:
    """The table with a template shape's text kept only where the shape is on
    `min_docs` lines or more: one on fewer lines cannot be in `min_docs` documents of
    its source, and the text is only ever read as the evidence of a line the rule
    removes. Most shapes are one line's own (a headline with a number in it). For a
    run that counts its own table (`clean`), not one whose counts come from elsewhere
    (`dedup check`)."""
    found = table.shape
    if not len(found):
        return table
    hashes, texts = found.values.columns
    _, inverse, lines = np.unique(hashes, return_inverse=True, return_counts=True)
    countable = (lines >= settings.min_docs)[inverse.reshape(-1)]
    texts = texts.take(np.arange(len(texts)), keep=countable)
    return replace(table, shape=Sparse(found.at, Columns((hashes, texts))))


def template_shapes(table: Table, decisions, live: np.ndarray, settings: Settings, stats: CorpusStats) -> None:
    """Short lines whose shape (shapes.py: numbers and month names masked) is in many
    documents of their source: a site's template ("Last updated at 22:15 GMT"), which
    sits around the text (in its first SHAPE_HEAD or last SHAPE_TAIL lines), not inside
    it, where a line of a daily report ("Highest temperature 45 degrees") is content.
    Never a document's first line: its title ("How the ideologue thinks 5", a series)."""
    frequent, found = stats.line_documents, table.shape
    if not frequent or not len(found):
        return
    owners, positions, alive = _live_rows(table, found, live)
    lines = np.diff(table.cut)[owners]
    around = alive & (positions > 0) & ((positions < SHAPE_HEAD) | (positions >= lines - SHAPE_TAIL))
    keys = salted_keys(table, site_salts(table), found, SHAPE_SALT)
    for i in np.flatnonzero(around).tolist():
        n, d = frequent.get(int(keys[i]), 0), int(owners[i])
        if n >= settings.min_docs:
            mark(decisions, table, d, int(found.at[i]), Finding(BOILERPLATE, "template-shape", {
                "shape": found.values[i][1], **counted(table.site[d], n)}))


def site_affixes(table: Table, decisions, live: np.ndarray, settings: Settings, stats: CorpusStats) -> None:
    """A line "Headline — Site Name" in a document that also has the plain "Headline",
    where the affix ends lines in many documents of the source: the affixed copy goes,
    the headline stays."""
    frequent, found = stats.line_documents, table.affix
    if not frequent or not len(found):
        return
    owners, _, alive = _live_rows(table, found, live)
    keys = salted_keys(table, site_salts(table), found, AFFIX_SALT)
    for i in np.flatnonzero(alive).tolist():
        n, d = frequent.get(int(keys[i]), 0), int(owners[i])
        _, head, affix = found.values[i]
        if n >= settings.min_docs and (table.hash[table.cut[d]:table.cut[d + 1]] == np.uint64(head)).any():
            mark(decisions, table, d, int(found.at[i]), Finding(BOILERPLATE, "site-affix", {
                "affix": affix, **counted(table.site[d], n)}))


def teaser_templates(table: Table, decisions, live: np.ndarray, stats: CorpusStats) -> None:
    """Lines "<label>: <varying headline>" whose label starts short lines in many
    documents: a site's teaser template, in whatever language it is written."""
    found = table.label
    if not stats.templates or not len(found):
        return
    owners, positions, alive = _live_rows(table, found, live)
    for i in np.flatnonzero(alive & (positions > 0)).tolist():
        d = int(owners[i])
        key = site_label(table.site[d], found.values[i][0])
        if key in stats.templates:
            prefix, documents = stats.templates[key]
            mark(decisions, table, d, int(found.at[i]), Finding(BOILERPLATE, "teaser-template", {
                "prefix": prefix, **counted(table.site[d], documents)}))
