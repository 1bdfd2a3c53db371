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
    line_documents: dict[int, int]               # short line's site key -> documents of its site with it
    templates: dict[str, tuple[str, int]]        # site label -> (label as written, documents)


def classify(sketches: list[DocSketch], settings: Settings, stats: CorpusStats | None = None,
             previous=None) -> list[Decision]:
    """`previous`: a previous run's kept corpus (previous.Previous), which comes first:
    what repeats it goes. The copy of a duplicate that stays is the first in the order
    `settings.keep` gives the documents (path order, longest first, or by source)."""
    order = keep_order(sketches, settings)
    if order is None:
        return _classify(sketches, settings, stats, previous)
    ranked = _classify([sketches[i] for i in order], settings, stats, previous)
    decisions: list[Decision] = [None] * len(sketches)
    for rank, i in enumerate(order):
        decisions[i] = _kept_by(ranked[rank], settings.keep)
    return decisions


def keep_order(sketches: list[DocSketch], settings: Settings) -> list[int] | None:
    """The documents in the order whose first copy stays (None: as they are)."""
    if settings.keep == "longest":
        key = lambda i: (-int(sketches[i].words.sum()), i)
    elif settings.keep == "sources":
        rank = {site: n for n, site in enumerate(settings.keep_sources)}
        key = lambda i: (rank.get(sketches[i].site, len(rank)), i)
    else:
        return None
    return sorted(range(len(sketches)), key=key)


def _kept_by(decision: Decision, policy: str) -> Decision:
    """The decision with each duplicate's evidence saying which policy chose the original."""
    memo: dict[int, Finding] = {}

    def mark(f: Finding | None) -> Finding | None:
        if f is None or "original" not in f.evidence or "run" in f.evidence["original"]:
            return f
        if id(f) not in memo:
            memo[id(f)] = Finding(f.kind, f.rule, {**f.evidence, "kept_by": policy})
        return memo[id(f)]
    return Decision(mark(decision.document), {line: mark(f) for line, f in decision.lines.items()})


def _classify(sketches: list[DocSketch], settings: Settings, stats: CorpusStats | None, previous) -> list[Decision]:
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
    _template_shapes(sketches, decisions, live, settings, stats)
    _site_affixes(sketches, decisions, live, settings, stats)
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


def _near(keys: np.ndarray, shingles_of: Callable[[int], np.ndarray], settings: Settings) -> dict[int, "_Near"]:
    similarity = lambda a, b: sign.jaccard(shingles_of(a), shingles_of(b))
    return _removed_near(index.near_duplicates(keys, settings.threshold, similarity, _signer(shingles_of, settings)),
                         similarity)


@dataclass(frozen=True)
class _Near:
    """Why an item goes as a near-duplicate: the kept original of its cluster, and the
    member it was verified against (the original itself, or another copy: clusters
    are transitive), with both similarities."""
    original: int
    matched: int
    similarity: float            # to `matched`: at least the threshold
    original_similarity: float   # to `original` (may be lower)


def _removed_near(found: index.Clusters, similarity: Callable[[int, int], float]) -> dict[int, _Near]:
    out = {}
    for i, r in enumerate(found.rep.tolist()):
        if r != i:
            m, s = int(found.match[i]), float(found.similarity[i])
            out[i] = _Near(r, m, s, s if m == r else similarity(i, r))
    return out


def _copy_evidence(original: dict, similarity: float, matched: dict | None = None,
                   original_similarity: float | None = None) -> dict:
    """Evidence of a duplicate: the kept original and the similarity to what the copy
    was matched with, which is the original unless `matched` says otherwise."""
    evidence = {"original": original, "similarity": _round(similarity)}
    if matched is not None:
        evidence["matched"] = matched
        evidence["original_similarity"] = _round(original_similarity)
    return evidence


def _copy_finding(exact_rule: str, near_rule: str, where: Callable[[int], dict], item: int | None,
                  near: _Near | None) -> Finding:
    """The finding of a copy: of `item` exactly (an exact copy: item is what it repeats),
    or, with `near`, a near-duplicate found by LSH. An exact copy of a block that is
    itself removed as a near-duplicate names that block as matched and its original."""
    if item is not None:   # an exact copy
        if near is None:
            return Finding(DUPLICATE, exact_rule, _copy_evidence(where(item), 1.0))
        return Finding(DUPLICATE, exact_rule, _copy_evidence(where(near.original), 1.0, where(item),
                                                             near.original_similarity))
    kind = DUPLICATE if near.similarity == 1.0 else NEAR_DUPLICATE
    matched = None if near.matched == near.original else where(near.matched)
    return Finding(kind, near_rule, _copy_evidence(where(near.original), near.similarity, matched,
                                                   near.original_similarity))


def _duplicate_documents(sketches, decisions, settings: Settings) -> list[int]:
    """Drop documents that repeat an earlier one; return the indexes of the rest."""
    contents = [content_lines(sk, settings) for sk in sketches]
    candidates = [d for d, c in enumerate(contents) if len(c) and decisions[d].document is None]
    first_with_hash: dict[bytes, int] = {}
    exact_reps, copies = [], []
    for d in candidates:
        digest = content_digest(sketches[d], settings, contents[d])
        rep = first_with_hash.setdefault(digest, d)
        if rep != d:
            copies.append((d, rep))
        else:
            exact_reps.append(d)
    near: dict[int, _Near] = {}
    if len(exact_reps) > 1:
        bands, rows = settings.lsh_params
        keys = index.band_keys(np.stack([sketches[d].document_signature for d in exact_reps]), bands, rows)
        @functools.lru_cache(maxsize=4096)   # pairs come sorted: a bounded cache serves them
        def shingles_of(i: int) -> np.ndarray:
            d = exact_reps[i]
            return document_shingles(sketches[d], settings, contents[d])

        def signatures_of(items: np.ndarray) -> np.ndarray:   # kept, one per document
            return np.stack([sketches[exact_reps[i]].document_signature for i in items.tolist()])

        similarity = lambda a, b: sign.jaccard(shingles_of(a), shingles_of(b))
        found = _removed_near(index.near_duplicates(keys, settings.threshold, similarity, signatures_of), similarity)
        near = {exact_reps[i]: _Near(exact_reps[n.original], exact_reps[n.matched], n.similarity, n.original_similarity)
                for i, n in found.items()}
    where = lambda d: {"path": sketches[d].path}
    for d, n in near.items():
        decisions[d].document = _copy_finding("exact-document", "near-document", where, None, n)
    for d, rep in copies:
        decisions[d].document = _copy_finding("exact-document", "near-document", where, rep, near.get(rep))
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


@functools.lru_cache(maxsize=4096)
def _site_salt(site: str) -> np.uint64:
    return np.frombuffer(hashlib.blake2b(site.encode("utf-8", "surrogatepass"), digest_size=8).digest(), np.uint64)[0]


def site_keys(sk: DocSketch, hashes: np.ndarray | None = None) -> np.ndarray:
    """A document's line hashes (or other `hashes` of its lines) as counted for
    boilerplate: within its source (site), so that text many independent sources
    share (a quoted decree, wire copy) is never taken for one site's template. One
    source: the hashes themselves."""
    hashes = sk.hash if hashes is None else hashes
    if not sk.site:
        return hashes
    with np.errstate(over="ignore"):
        mixed = (hashes ^ _site_salt(sk.site)) * np.uint64(index.BAND_MIX)
    return mixed ^ (mixed >> np.uint64(29))


_SHAPE_SALT = np.uint64(0x5A17_5EED_C0DE_F00D)   # shapes and lines are counted in one table: apart


_AFFIX_SALT = np.uint64(0xAFF1_C0DE_5EED_0001)


def _salted_keys(sk: DocSketch, found: dict, salt: np.uint64) -> dict[int, int]:
    if not found:
        return {}
    positions = list(found)
    keys = site_keys(sk, np.array([found[p][0] for p in positions], np.uint64) ^ salt)
    return dict(zip(positions, keys.tolist()))


def shape_keys(sk: DocSketch) -> dict[int, int]:
    """Position -> key of the line's template shape, as counted (within its source)."""
    return _salted_keys(sk, sk.shape, _SHAPE_SALT)


def affix_keys(sk: DocSketch) -> dict[int, int]:
    """Position -> key of the line's site affix ("… — Site Name"), as counted."""
    return _salted_keys(sk, sk.affix, _AFFIX_SALT)


def site_label(sk: DocSketch, key: str) -> str:
    """A teaser label as counted: within the document's source."""
    return f"{sk.site}\x00{key}" if sk.site else key


def short_lines(sk: DocSketch, settings: Settings) -> set[int]:
    """Keys (site_keys) of a document's lines short enough to be site boilerplate, and
    of their template shapes."""
    return (set(site_keys(sk)[sk.words <= settings.boilerplate_words].tolist()) | set(shape_keys(sk).values())
            | set(affix_keys(sk).values()))


def teaser_labels(sk: DocSketch) -> dict[str, tuple[str, int, set[int]]]:
    """A document's evidence for teaser templates: label -> (label as written, lines,
    headline hashes). A document's first line is its title ("Riyadh: King receives …"),
    never a teaser; a document with many different labels is a form, a recipe or a
    list ("Firstly: …", "Secondly: …"): no evidence at all."""
    found: dict[str, tuple[str, int, set[int]]] = {}
    for pos, (key, prefix, rest) in sk.label.items():
        key = site_label(sk, key)
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
    """A short line found in many documents of a source is its template: every copy
    goes. Except a document's title (a headline that is also listed in other pages'
    "most read" boxes is content there, and a copy of it is a duplicate, not junk), and
    a heading that ends in a colon: a recipe's "Ingredients:" introduces its content."""
    frequent = stats.line_documents
    for d in live:
        sk, dec = sketches[d], decisions[d]
        titled = len(sk.words) and sk.words[0] >= settings.min_duplicate_words
        headings = set(sk.headings)
        for pos, h in enumerate(site_keys(sk).tolist()):
            if frequent.get(h, 0) >= settings.min_docs and sk.words[pos] <= settings.boilerplate_words \
                    and not (pos == 0 and titled) and pos not in headings:
                _flag(dec, sk, pos, Finding(BOILERPLATE, "frequent-line", _counted(sk, frequent[h])))


def _template_shapes(sketches, decisions, live, settings: Settings, stats: CorpusStats) -> None:
    """Short lines whose shape (shapes.py: numbers and month names masked) is in many
    documents of their source: a site's template ("Last updated at 22:15 GMT"). Never a
    document's first line: that is its title ("How the ideologue thinks 5", a series)."""
    frequent = stats.line_documents
    for d in live:
        sk, dec = sketches[d], decisions[d]
        for pos, key in shape_keys(sk).items():
            if frequent.get(key, 0) >= settings.min_docs and pos:
                _flag(dec, sk, pos, Finding(BOILERPLATE, "template-shape",
                                            {"shape": sk.shape[pos][1], **_counted(sk, frequent[key])}))


def _site_affixes(sketches, decisions, live, settings: Settings, stats: CorpusStats) -> None:
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
                _flag(dec, sk, pos, Finding(BOILERPLATE, "site-affix", {"affix": affix, **_counted(sk, frequent[key])}))


def _counted(sk: DocSketch, documents: int) -> dict:
    """Evidence of a learned rule: in how many documents, of which source."""
    return {"documents": documents, "source": sk.site} if sk.site else {"documents": documents}


def _teaser_templates(sketches, decisions, live, stats: CorpusStats) -> None:
    """Lines "<label>: <varying headline>" whose label starts short lines in many
    documents: a site's teaser template, in whatever language it is written."""
    for d in live:
        sk, dec = sketches[d], decisions[d]
        for pos, (key, _, _) in sk.label.items():
            key = site_label(sk, key)
            if key in stats.templates and pos:
                prefix, documents = stats.templates[key]
                _flag(dec, sk, pos, Finding(BOILERPLATE, "teaser-template", {"prefix": prefix, **_counted(sk, documents)}))


def _duplicate_paragraphs(sketches, decisions, live, settings: Settings) -> None:
    """Multi-line paragraphs (hard-wrapped text) that repeat an earlier paragraph."""
    items = [(d, p) for d in live for p in range(len(sketches[d].paragraphs))]
    if not items:
        return
    first_with_hash: dict[int, int] = {}
    exact_reps, copies = [], {}
    for i, (d, p) in enumerate(items):
        rep = first_with_hash.setdefault(int(sketches[d].paragraph_hash[p]), i)
        if rep != i:
            copies[i] = rep
        else:
            exact_reps.append(i)
    near: dict[int, _Near] = {}
    if len(exact_reps) > 1:
        keys = np.stack([sketches[items[i][0]].paragraph_keys[items[i][1]] for i in exact_reps])

        def shingles_of(k: int) -> np.ndarray:
            d, p = items[exact_reps[k]]
            return sketches[d].paragraph_shingles[p]

        near = {exact_reps[k]: _Near(exact_reps[n.original], exact_reps[n.matched], n.similarity, n.original_similarity)
                for k, n in _near(keys, shingles_of, settings).items()}

    def where(i: int) -> dict:
        d, p = items[i]
        return _where(sketches[d], *sketches[d].paragraphs[p])
    found = {i: _copy_finding("exact-paragraph", "near-paragraph", where, None, n) for i, n in near.items()}
    found.update({i: _copy_finding("exact-paragraph", "near-paragraph", where, rep, near.get(rep))
                  for i, rep in copies.items()})
    for i, finding in sorted(found.items()):
        d, p = items[i]
        sk = sketches[d]
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
    copies: list[tuple[int, int, tuple[int, int]]] = []
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
                copies.append((d, pos, rep))
            else:
                pending[(d, pos)] = rep
    near: dict[tuple[int, int], _Near] = {}
    if len(near_items) >= 2:
        keys = np.stack([sketches[d].keys[p] for d, p in near_items])

        def shingles_of(k: int) -> np.ndarray:
            d, p = near_items[k]
            return sketches[d].shingles[p]

        for k, n in _near(keys, shingles_of, settings).items():
            near[near_items[k]] = n
    where = lambda item: _where(sketches[item[0]], item[1])
    for item, n in near.items():
        d, pos = item
        n = _Near(near_items[n.original], near_items[n.matched], n.similarity, n.original_similarity)
        near[item] = n
        _flag(decisions[d], sketches[d], pos, _copy_finding("exact-line", "near-line", where, None, n))
    for d, pos, rep in copies:
        _flag(decisions[d], sketches[d], pos, _copy_finding("exact-line", "near-line", where, rep, near.get(rep)))
    _resolve_short_copies(sketches, decisions, pending,
                          lambda rep: _copy_finding("exact-line", "near-line", where, rep, near.get(rep)))


def _resolve_short_copies(sketches, decisions, pending: dict, finding_of: Callable[[tuple[int, int]], Finding]) -> None:
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
                _flag(dec, sk, pos, finding_of(rep))
                del pending[(d, pos)]
                changed = True
