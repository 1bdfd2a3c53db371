"""Boilerplate learned from the corpus, within each source: lines frequent in a site's
documents, template shapes, site affixes and teaser templates. Their counts are one
CorpusStats, asked of one of counts.py's two stores: the documents `clean` classifies,
or `dedup check`'s index of the whole corpus (fed each file's `contribution`)."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from ..config import Settings
from ..counts import Counts, Evidence, LabelEvidence, MemoryCounts
from ..hashing import distinct
from ..sketch import DocSketch
from .findings import BOILERPLATE, Finding, counted, flag
from .sources import affix_keys, shape_keys, site_keys, site_label, sites_keys

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


def short_lines(sk: DocSketch, settings: Settings) -> set[int]:
    """Keys (site_keys) of a document's lines short enough to be site boilerplate, and
    of their template shapes."""
    return (set(site_keys(sk)[sk.words <= settings.boilerplate_words].tolist()) | set(shape_keys(sk).values())
            | set(affix_keys(sk).values()))


def teaser_labels(sk: DocSketch) -> dict[str, Evidence]:
    """A document's evidence for teaser templates: label -> (label as written, lines,
    headline hashes). A document's first line is its title ("Riyadh: King receives …"),
    never a teaser; a document with many different labels is a form, a recipe or a
    list ("Firstly: …", "Secondly: …"): no evidence at all."""
    found: dict[str, Evidence] = {}
    for pos, (key, prefix, rest) in sk.label.items():
        key = site_label(sk, key)
        if pos:
            written, n, rests = found.get(key, (prefix, 0, set()))
            found[key] = (written, n + 1, rests | {rest})
    return {} if len(found) >= _FIELDS_PER_DOCUMENT else found


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


def corpus_counts(sketches: list[DocSketch], settings: Settings) -> tuple[MemoryCounts, Asked]:
    """What these documents add to the counts (as `contribution` defines it for one
    document), for all of them at once: every line key of every document in one array;
    and every key and label they have, which is what classifying them asks."""
    evidence = defaultdict(list)
    extra: list[np.ndarray] = []   # shape and affix keys, already within their source
    for d, sk in enumerate(sketches):
        salted = list(shape_keys(sk).values()) + list(affix_keys(sk).values())
        if salted:
            extra.append(np.array([[d, k] for k in salted], np.uint64))
        for key, item in teaser_labels(sk).items():
            evidence[key].append(item)
    short = [sk.hash[sk.words <= settings.boilerplate_words] for sk in sketches]
    keys = sites_keys(sketches, short)
    docs = np.repeat(np.arange(len(sketches), dtype=np.uint64), [len(h) for h in short])
    if extra:
        more = np.concatenate(extra)
        docs, keys = np.concatenate([docs, more[:, 0]]), np.concatenate([keys, more[:, 1]])
    return MemoryCounts(keys, docs, evidence, settings.min_docs), (distinct(keys).tolist(), sorted(evidence))


def contribution(sk: DocSketch, settings: Settings) -> tuple[list[int], dict[str, Evidence]]:
    """What one document adds to the counts: its short lines' keys, sorted, and its
    teaser labels' evidence (what the check index stores for each file)."""
    return sorted(short_lines(sk, settings)), teaser_labels(sk)


def asked_by(sketches: list[DocSketch], settings: Settings) -> Asked:
    """The keys and labels these documents have, one by one (a check's few files)."""
    return (sorted(set().union(*(short_lines(sk, settings) for sk in sketches))),
            sorted({site_label(sk, key) for sk in sketches for key, _, _ in sk.label.values()}))


def stats_of(asked: Asked, settings: Settings, counts: Counts) -> CorpusStats:
    """The counts the rules need, from either store."""
    keys, labels = asked
    return CorpusStats(counts.line_documents(keys), templates_from(counts.label_evidence(labels), settings))


def corpus_stats(sketches: list[DocSketch], settings: Settings) -> CorpusStats:
    """The counts of short_lines and teaser_labels over these documents."""
    counts, asked = corpus_counts(sketches, settings)
    return stats_of(asked, settings, counts)


def frequent_lines(sketches, decisions, live, settings: Settings, stats: CorpusStats) -> None:
    """A short line found in many documents of a source is its template: every copy
    goes. Except a document's title (a headline that is also listed in other pages'
    "most read" boxes is content there, and a copy of it is a duplicate, not junk), and
    a heading that ends in a colon: a recipe's "Ingredients:" introduces its content."""
    frequent = stats.line_documents
    docs = [sketches[d] for d in live]
    if not frequent or not docs:
        return
    keys = sites_keys(docs, [sk.hash for sk in docs])   # every line at once; only the hits one by one
    short = np.concatenate([sk.words for sk in docs]) <= settings.boilerplate_words
    starts = np.cumsum([0] + [len(sk.hash) for sk in docs])
    hits = np.flatnonzero(short & np.isin(keys, np.fromiter(frequent, np.uint64, len(frequent))))
    for i, n in zip(hits.tolist(), (np.searchsorted(starts, hits, "right") - 1).tolist()):
        sk, dec, pos, h = docs[n], decisions[live[n]], i - int(starts[n]), int(keys[i])
        titled = sk.words[0] >= settings.min_duplicate_words
        if frequent[h] >= settings.min_docs and not (pos == 0 and titled) and pos not in sk.headings:
            flag(dec, sk, pos, Finding(BOILERPLATE, "frequent-line", counted(sk, frequent[h])))


def template_shapes(sketches, decisions, live, settings: Settings, stats: CorpusStats) -> None:
    """Short lines whose shape (shapes.py: numbers and month names masked) is in many
    documents of their source: a site's template ("Last updated at 22:15 GMT"), which
    sits around the text (in its first SHAPE_HEAD or last SHAPE_TAIL lines), not inside
    it, where a line of a daily report ("Highest temperature 45 degrees") is content.
    Never a document's first line: its title ("How the ideologue thinks 5", a series)."""
    frequent = stats.line_documents
    for d in live:
        sk, dec = sketches[d], decisions[d]
        tail = len(sk.line) - SHAPE_TAIL
        for pos, key in shape_keys(sk).items():
            if frequent.get(key, 0) >= settings.min_docs and 0 < pos and (pos < SHAPE_HEAD or pos >= tail):
                flag(dec, sk, pos, Finding(BOILERPLATE, "template-shape",
                                            {"shape": sk.shape[pos][1], **counted(sk, frequent[key])}))


def site_affixes(sketches, decisions, live, settings: Settings, stats: CorpusStats) -> None:
    """A line "Headline — Site Name" in a document that also has the plain "Headline",
    where the affix ends lines in many documents of the source: the affixed copy goes,
    the headline stays."""
    frequent = stats.line_documents
    for d in live:
        sk, dec = sketches[d], decisions[d]
        keys = affix_keys(sk)
        if not keys:
            continue
        lines = set(sk.hash.tolist())
        for pos, key in keys.items():
            _, head, affix = sk.affix[pos]
            if frequent.get(key, 0) >= settings.min_docs and head in lines:
                flag(dec, sk, pos, Finding(BOILERPLATE, "site-affix", {"affix": affix, **counted(sk, frequent[key])}))


def teaser_templates(sketches, decisions, live, stats: CorpusStats) -> None:
    """Lines "<label>: <varying headline>" whose label starts short lines in many
    documents: a site's teaser template, in whatever language it is written."""
    for d in live:
        sk, dec = sketches[d], decisions[d]
        for pos, (key, _, _) in sk.label.items():
            key = site_label(sk, key)
            if key in stats.templates and pos:
                prefix, documents = stats.templates[key]
                flag(dec, sk, pos, Finding(BOILERPLATE, "teaser-template", {"prefix": prefix, **counted(sk, documents)}))
