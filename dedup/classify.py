"""Corpus-wide decisions: which lines are boilerplate or duplicates, and why.

Pure function of the documents' sketches (in sorted path order) and the settings.
Boilerplate rules run first; duplicates are then found among the remaining lines,
and the first occurrence in (path, line) order is always the one kept.
"""
from __future__ import annotations

import functools
import hashlib
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from . import index, sign
from .config import Settings
from .sketch import DocSketch, content_lines, document_shingles

DUPLICATE, NEAR_DUPLICATE, BOILERPLATE = "duplicate", "near-duplicate", "boilerplate"
# More lines with one label than this in a typical document: an interview, not teasers.
_TEASERS_PER_DOCUMENT = 4
# This many different labels in one document: fields of a form or items of a list.
_FIELDS_PER_DOCUMENT = 3


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


def _round(x: float) -> float:
    return round(float(x), 4)


def _where(sk: DocSketch, first: int, last: int | None = None) -> dict:
    """A reference to content lines first..last of a document, 1-based for people."""
    last = first if last is None else last
    return {"path": sk.path, "lines": [int(sk.line[first]) + 1, int(sk.line[last]) + 1]}


@dataclass
class CorpusStats:
    """Corpus-wide counts behind the learned boilerplate rules. `clean` counts them
    over the documents it classifies; `dedup check` classifies a neighbourhood of
    the checked files but takes these counts from its index of the whole corpus."""
    line_documents: dict[int, int]               # short line hash -> documents with it
    templates: dict[str, tuple[str, int]]        # teaser label -> (label as written, documents)


def classify(sketches: list[DocSketch], settings: Settings, stats: CorpusStats | None = None,
             previous=None) -> list[Decision]:
    """`previous`: a previous run's kept corpus (previous.Previous), which comes first:
    what repeats it goes."""
    decisions = [Decision() for _ in sketches]
    _lexicon(sketches, decisions)
    if previous is not None:
        from . import previous as against
        against.flag_documents(sketches, decisions, settings, previous)
    live = _duplicate_documents(sketches, decisions, settings)
    if stats is None:
        stats = corpus_stats([sketches[d] for d in live], settings)
    _repeated_in_document(sketches, decisions, live, settings)
    _frequent_lines(sketches, decisions, live, settings, stats)
    _teaser_templates(sketches, decisions, live, stats)
    if previous is not None:
        against.flag_blocks(sketches, decisions, live, settings, previous)
    _duplicate_paragraphs(sketches, decisions, live, settings)
    _duplicate_lines(sketches, decisions, live, settings)
    return decisions


def _flag(decision: Decision, sk: DocSketch, pos: int, finding: Finding) -> None:
    decision.lines.setdefault(int(sk.line[pos]), finding)


def _flagged(decision: Decision, sk: DocSketch, pos: int) -> bool:
    return int(sk.line[pos]) in decision.lines


def _lexicon(sketches, decisions) -> None:
    for sk, dec in zip(sketches, decisions):
        for pos, hit in sk.lexicon.items():
            _flag(dec, sk, pos, Finding(BOILERPLATE, f"lexicon:{hit.rule}", {"pattern": hit.phrase}))


def content_digest(sk: DocSketch, settings: Settings, content: np.ndarray | None = None) -> bytes | None:
    """What two exact-duplicate documents share: the hash of their content lines."""
    content = content_lines(sk, settings) if content is None else content
    return hashlib.blake2b(sk.hash[content].tobytes(), digest_size=16).digest() if len(content) else None


def _signer(shingles_of: Callable[[int], np.ndarray], settings: Settings) -> Callable[[np.ndarray], np.ndarray]:
    """Signatures of candidate items, signed again from their shingles."""
    return lambda items: sign.signatures([shingles_of(int(i)) for i in items], settings.num_perm, settings.seed)


def _near(keys: np.ndarray, shingles_of: Callable[[int], np.ndarray], settings: Settings) -> np.ndarray:
    return index.near_duplicates(keys, settings.threshold, lambda a, b: sign.jaccard(shingles_of(a), shingles_of(b)),
                                 _signer(shingles_of, settings))


def _duplicate_documents(sketches, decisions, settings: Settings) -> list[int]:
    """Drop documents that repeat an earlier one; return the indexes of the rest."""
    contents = [content_lines(sk, settings) for sk in sketches]
    candidates = [d for d, c in enumerate(contents) if len(c) and decisions[d].document is None]
    first_with_hash: dict[bytes, int] = {}
    exact_reps = []
    for d in candidates:
        digest = content_digest(sketches[d], settings, contents[d])
        rep = first_with_hash.setdefault(digest, d)
        if rep != d:
            decisions[d].document = Finding(DUPLICATE, "exact-document", {
                "original": {"path": sketches[rep].path}, "similarity": 1.0})
        else:
            exact_reps.append(d)
    if len(exact_reps) > 1:
        bands, rows = settings.lsh_params
        keys = index.band_keys(np.stack([sketches[d].document_signature for d in exact_reps]), bands, rows)
        @functools.lru_cache(maxsize=4096)   # pairs come sorted: a bounded cache serves them
        def shingles_of(i: int) -> np.ndarray:
            d = exact_reps[i]
            return document_shingles(sketches[d], settings, contents[d])

        def signatures_of(items: np.ndarray) -> np.ndarray:   # kept, one per document
            return np.stack([sketches[exact_reps[i]].document_signature for i in items.tolist()])

        reps = index.near_duplicates(keys, settings.threshold, lambda a, b: sign.jaccard(shingles_of(a), shingles_of(b)),
                                     signatures_of)
        for i, r in enumerate(reps):
            if r != i:
                d, rep = exact_reps[i], exact_reps[r]
                similarity = sign.jaccard(shingles_of(i), shingles_of(r))
                kind = DUPLICATE if similarity == 1.0 else NEAR_DUPLICATE
                decisions[d].document = Finding(kind, "near-document", {
                    "original": {"path": sketches[rep].path}, "similarity": _round(similarity)})
    return [d for d in range(len(sketches)) if decisions[d].document is None]


def _repeated_in_document(sketches, decisions, live, settings: Settings) -> None:
    """A short line printed again and again in a row ("Related articles" three times):
    every copy is boilerplate. (Copies apart from each other, like a poem's refrain,
    are left to the duplicate rules.)"""
    for d in live:
        sk, dec = sketches[d], decisions[d]
        hashes = sk.hash.tolist()
        start = 0
        for pos in range(1, len(hashes) + 1):
            if pos < len(hashes) and hashes[pos] == hashes[start]:
                continue
            run = range(start, pos)
            if len(run) >= settings.repeat_count and sk.words[start] <= settings.boilerplate_words:
                for p in run:
                    _flag(dec, sk, p, Finding(BOILERPLATE, "repeated-in-document", {"count": len(run)}))
            start = pos


def short_lines(sk: DocSketch, settings: Settings) -> set[int]:
    """Hashes of a document's lines short enough to be site boilerplate."""
    return set(sk.hash[sk.words <= settings.boilerplate_words].tolist())


def teaser_labels(sk: DocSketch) -> dict[str, tuple[str, int, set[int]]]:
    """A document's evidence for teaser templates: label -> (label as written, lines,
    headline hashes). A document's first line is its title ("Riyadh: King receives …"),
    never a teaser; a document with many different labels is a form, a recipe or a
    list ("Firstly: …", "Secondly: …"): no evidence at all."""
    found: dict[str, tuple[str, int, set[int]]] = {}
    for pos, (key, prefix, rest) in sk.label.items():
        if pos:
            written, n, rests = found.get(key, (prefix, 0, set()))
            found[key] = (written, n + 1, rests | {rest})
    return {} if len(found) >= _FIELDS_PER_DOCUMENT else found


def templates_from(evidence: dict[str, list[tuple[str, int, set[int]]]], settings: Settings) -> dict[str, tuple[str, int]]:
    """Labels that start lines in `min_docs` documents with at least two different
    headlines. Many lines under one label in a typical document is an interview
    ("Q: …"), not teasers."""
    out = {}
    for key, docs in evidence.items():
        rests = set().union(*(r for _, _, r in docs))
        if len(docs) >= settings.min_docs and len(rests) >= 2 \
                and statistics.median(n for _, n, _ in docs) <= _TEASERS_PER_DOCUMENT:
            out[key] = (docs[0][0], len(docs))
    return out


def corpus_stats(sketches: list[DocSketch], settings: Settings) -> CorpusStats:
    line_documents = Counter()
    evidence = defaultdict(list)
    for sk in sketches:
        line_documents.update(short_lines(sk, settings))
        for key, item in teaser_labels(sk).items():
            evidence[key].append(item)
    return CorpusStats({h: n for h, n in line_documents.items() if n >= settings.min_docs},
                       templates_from(evidence, settings))


def _frequent_lines(sketches, decisions, live, settings: Settings, stats: CorpusStats) -> None:
    """A short line found in many documents is site boilerplate: every copy goes.
    Except a document's title: a headline that is also listed in other pages'
    "most read" boxes is content there, and a copy of it is a duplicate, not junk."""
    frequent = stats.line_documents
    for d in live:
        sk, dec = sketches[d], decisions[d]
        titled = len(sk.words) and sk.words[0] >= settings.min_duplicate_words
        for pos, h in enumerate(sk.hash.tolist()):
            if frequent.get(h, 0) >= settings.min_docs and sk.words[pos] <= settings.boilerplate_words \
                    and not (pos == 0 and titled):
                _flag(dec, sk, pos, Finding(BOILERPLATE, "frequent-line", {"documents": frequent[h]}))


def _teaser_templates(sketches, decisions, live, stats: CorpusStats) -> None:
    """Lines "<label>: <varying headline>" whose label starts short lines in many
    documents: a site's teaser template, in whatever language it is written."""
    for d in live:
        sk, dec = sketches[d], decisions[d]
        for pos, (key, _, _) in sk.label.items():
            if key in stats.templates and pos:
                prefix, documents = stats.templates[key]
                _flag(dec, sk, pos, Finding(BOILERPLATE, "teaser-template",
                                            {"prefix": prefix, "documents": documents}))


def _duplicate_paragraphs(sketches, decisions, live, settings: Settings) -> None:
    """Multi-line paragraphs (hard-wrapped text) that repeat an earlier paragraph."""
    items = [(d, p) for d in live for p in range(len(sketches[d].paragraphs))]
    if not items:
        return
    first_with_hash: dict[int, int] = {}
    exact_reps, found = [], {}
    for i, (d, p) in enumerate(items):
        rep = first_with_hash.setdefault(int(sketches[d].paragraph_hash[p]), i)
        if rep != i:
            found[i] = (rep, 1.0)
        else:
            exact_reps.append(i)
    if len(exact_reps) > 1:
        keys = np.stack([sketches[items[i][0]].paragraph_keys[items[i][1]] for i in exact_reps])

        def shingles_of(k: int) -> np.ndarray:
            d, p = items[exact_reps[k]]
            return sketches[d].paragraph_shingles[p]

        reps = _near(keys, shingles_of, settings)
        for k, r in enumerate(reps):
            if r != k:
                found[exact_reps[k]] = (exact_reps[r], sign.jaccard(shingles_of(k), shingles_of(r)))
    for i, (rep, similarity) in sorted(found.items()):
        d, p = items[i]
        rd, rp = items[rep]
        sk, rsk = sketches[d], sketches[rd]
        exact = similarity == 1.0
        finding = Finding(DUPLICATE if exact else NEAR_DUPLICATE,
                          "exact-paragraph" if exact else "near-paragraph",
                          {"original": _where(rsk, *rsk.paragraphs[rp]), "similarity": _round(similarity)})
        first, last = sk.paragraphs[p]
        for pos in range(first, last + 1):
            _flag(decisions[d], sk, pos, finding)


def _duplicate_lines(sketches, decisions, live, settings: Settings) -> None:
    """Lines that repeat an earlier line exactly (after normalization) or nearly.

    A line shorter than `min_duplicate_words` is a duplicate only as part of a repeated
    passage (next to a removed line, or to another short copy): alone, a repeated
    short line is as often a refrain or a label as a copy."""
    first_seen: dict[int, tuple[int, int]] = {}
    near_items: list[tuple[int, int]] = []
    pending: dict[tuple[int, int], tuple[int, int]] = {}   # short copy -> its original
    for d in live:
        sk, dec = sketches[d], decisions[d]
        for pos, h in enumerate(sk.hash.tolist()):
            if _flagged(dec, sk, pos):
                continue
            rep = first_seen.setdefault(h, (d, pos))
            if rep == (d, pos):
                if sk.words[pos] >= settings.shingle_size:
                    near_items.append((d, pos))
            elif sk.words[pos] >= settings.min_duplicate_words:
                _flag(dec, sk, pos, _exact_line(sketches, rep))
            else:
                pending[(d, pos)] = rep
    if len(near_items) >= 2:
        keys = np.stack([sketches[d].keys[p] for d, p in near_items])

        def shingles_of(k: int) -> np.ndarray:
            d, p = near_items[k]
            return sketches[d].shingles[p]

        reps = _near(keys, shingles_of, settings)
        for k, r in enumerate(reps):
            if r != k:
                d, pos = near_items[k]
                rd, rpos = near_items[r]
                _flag(decisions[d], sketches[d], pos, Finding(NEAR_DUPLICATE, "near-line", {
                    "original": _where(sketches[rd], rpos),
                    "similarity": _round(sign.jaccard(shingles_of(k), shingles_of(r)))}))
    _resolve_short_copies(sketches, decisions, pending)


def _exact_line(sketches, rep: tuple[int, int]) -> Finding:
    return Finding(DUPLICATE, "exact-line", {"original": _where(sketches[rep[0]], rep[1]), "similarity": 1.0})


def _resolve_short_copies(sketches, decisions, pending: dict) -> None:
    """Remove the short copies that sit in a repeated passage, growing passages
    until nothing changes."""
    changed = True
    while changed and pending:
        changed = False
        for (d, pos), rep in sorted(pending.items()):
            sk, dec = sketches[d], decisions[d]
            removed_next_to_it = any(0 <= p < len(sk.line) and _flagged(dec, sk, p) for p in (pos - 1, pos + 1))
            copies_with_it = any(pending.get((d, pos + step)) == (rep[0], rep[1] + step) for step in (-1, 1))
            if removed_next_to_it or copies_with_it:
                _flag(dec, sk, pos, _exact_line(sketches, rep))
                del pending[(d, pos)]
                changed = True
