"""Duplicates: documents, multi-line paragraphs and lines that repeat an earlier one,
exactly (by hash) or nearly (MinHash LSH candidates verified by their exact Jaccard
similarity). The first in the documents' order stays; a near copy's evidence names the
member it was verified against as well as the kept original (clusters are transitive)."""
from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from typing import Callable

import numpy as np

from .. import index, sign
from ..config import Settings
from ..hashing import band_keys
from ..sketch import DocSketch, band_columns, content_lines, document_shingles, document_signatures
from .findings import DUPLICATE, NEAR_DUPLICATE, Finding, flag, flagged, located, rounded


def content_digest(sk: DocSketch, settings: Settings, content: np.ndarray | None = None) -> bytes | None:
    """What two exact-duplicate documents share: the hash of their content lines."""
    content = content_lines(sk, settings) if content is None else content
    return hashlib.blake2b(sk.hash[content].tobytes(), digest_size=16).digest() if len(content) else None


def _signer(shingles_of: Callable[[int], np.ndarray], settings: Settings) -> Callable[[np.ndarray], np.ndarray]:
    """Signatures of candidate items, signed again from their shingles."""
    return lambda items: sign.signatures([shingles_of(int(i)) for i in items], settings.num_perm, settings.seed)


def _near(keys: np.ndarray | index.Bands, shingles_of: Callable[[int], np.ndarray],
          settings: Settings) -> dict[int, "_Near"]:
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
    evidence = {"original": original, "similarity": rounded(similarity)}
    if matched is not None:
        evidence["matched"] = matched
        evidence["original_similarity"] = rounded(original_similarity)
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


def duplicate_documents(sketches, decisions, settings: Settings) -> list[int]:
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
        keys = np.concatenate([band_keys(document_signatures([sketches[d] for d in exact_reps[lo:lo + 4096]],
                                                                   settings.num_perm), bands, rows)
                               for lo in range(0, len(exact_reps), 4096)])

        @functools.lru_cache(maxsize=4096)   # pairs come sorted: a bounded cache serves them
        def shingles_of(i: int) -> np.ndarray:
            d = exact_reps[i]
            return document_shingles(sketches[d], settings, contents[d])

        def signatures_of(items: np.ndarray) -> np.ndarray:   # kept, one per document
            return document_signatures([sketches[exact_reps[i]] for i in items.tolist()], settings.num_perm)

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


def duplicate_paragraphs(sketches, decisions, live, settings: Settings) -> None:
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
        reps = np.array([items[i] for i in exact_reps], np.int64).reshape(-1, 2)
        keys = _bands(sketches, reps[:, 0], reps[:, 1], "paragraph_keys")

        def shingles_of(k: int) -> np.ndarray:
            d, p = items[exact_reps[k]]
            return sketches[d].paragraph_shingles[p]

        near = {exact_reps[k]: _Near(exact_reps[n.original], exact_reps[n.matched], n.similarity, n.original_similarity)
                for k, n in _near(keys, shingles_of, settings).items()}

    def where(i: int) -> dict:
        d, p = items[i]
        return located(sketches[d], *sketches[d].paragraphs[p])
    found = {i: _copy_finding("exact-paragraph", "near-paragraph", where, None, n) for i, n in near.items()}
    found.update({i: _copy_finding("exact-paragraph", "near-paragraph", where, rep, near.get(rep))
                  for i, rep in copies.items()})
    for i, finding in sorted(found.items()):
        d, p = items[i]
        sk = sketches[d]
        first, last = sk.paragraphs[p]
        for pos in range(first, last + 1):
            flag(decisions[d], sk, pos, finding)


def _open_lines(sketches, decisions, live) -> tuple[np.ndarray, np.ndarray]:
    """(document, position) of every content line of the live documents that no rule
    has taken yet, in the documents' order: two arrays, not a tuple per line."""
    docs, positions = [], []
    for d in live:
        sk, taken = sketches[d], decisions[d].lines
        pos = np.arange(len(sk.line), dtype=np.int32)
        if taken:
            pos = pos[~np.isin(sk.line, np.fromiter(taken, np.int64, len(taken)))]
        docs.append(np.full(len(pos), d, np.int32))
        positions.append(pos)
    if not docs:
        return np.empty(0, np.int32), np.empty(0, np.int32)
    return np.concatenate(docs), np.concatenate(positions)


def _runs(docs: np.ndarray) -> list[tuple[int, int, int]]:
    """(document, start, end) of each run of equal entries of `docs`."""
    cuts = (np.flatnonzero(np.diff(docs)) + 1).tolist()
    return [(int(docs[a]), a, b) for a, b in zip([0] + cuts, cuts + [len(docs)])] if len(docs) else []


def _gather(sketches, docs: np.ndarray, positions: np.ndarray, column: str) -> np.ndarray:
    """One per-line array of the sketches (hash, words) at these lines, in order."""
    parts = [getattr(sketches[d], column)[positions[a:b]] for d, a, b in _runs(docs)]
    return np.concatenate(parts) if parts else np.empty(0)


def _bands(sketches, docs: np.ndarray, positions: np.ndarray, field: str) -> index.Bands:
    """The band keys of these blocks (document, position), in document order, read band
    by band from where the sketches keep them (a spill file, or memory)."""
    parts = [(getattr(sketches[d], field), positions[a:b]) for d, a, b in _runs(docs)]
    width = parts[0][0].width if parts else 0
    return index.Bands(len(docs), width, band_columns(parts))


def duplicate_lines(sketches, decisions, live, settings: Settings) -> None:
    """Lines that repeat an earlier line exactly (after normalization) or nearly.

    A line shorter than `min_duplicate_words` is a duplicate only as part of a repeated
    passage (next to a removed line, or to another short copy): alone, a repeated
    short line is as often a refrain or a label as a copy. Lines are grouped by sorting
    their hashes (a few bytes per line), never by a dict entry per line."""
    docs, positions = _open_lines(sketches, decisions, live)
    hashes = _gather(sketches, docs, positions, "hash")
    words = _gather(sketches, docs, positions, "words")
    _, first, inverse = np.unique(hashes, return_index=True, return_inverse=True)   # first: the earliest copy
    rep = first[inverse.ravel()]
    del hashes, inverse, first
    is_first = rep == np.arange(len(rep))
    near_at = np.flatnonzero(is_first & (words >= settings.shingle_size))
    line_of = lambda i: (int(docs[i]), int(positions[i]))
    near_line = lambda k: line_of(near_at[k])
    long_copy = words >= settings.min_duplicate_words
    copies = [(*line_of(i), line_of(rep[i])) for i in np.flatnonzero(~is_first & long_copy).tolist()]
    pending = {line_of(i): line_of(rep[i]) for i in np.flatnonzero(~is_first & ~long_copy).tolist()}
    near: dict[tuple[int, int], _Near] = {}
    if len(near_at) >= 2:
        keys = _bands(sketches, docs[near_at], positions[near_at], "keys")

        def shingles_of(k: int) -> np.ndarray:
            d, p = near_line(k)
            return sketches[d].shingles[p]

        for k, n in _near(keys, shingles_of, settings).items():
            near[near_line(k)] = n
    where = lambda item: located(sketches[item[0]], item[1])
    for item, n in near.items():
        d, pos = item
        n = _Near(near_line(n.original), near_line(n.matched), n.similarity, n.original_similarity)
        near[item] = n
        flag(decisions[d], sketches[d], pos, _copy_finding("exact-line", "near-line", where, None, n))
    for d, pos, rep in copies:
        flag(decisions[d], sketches[d], pos, _copy_finding("exact-line", "near-line", where, rep, near.get(rep)))
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
            removed_next_to_it = any(0 <= p < len(sk.line) and flagged(dec, sk, p) for p in (pos - 1, pos + 1))
            copies_with_it = any(pending.get((d, pos + step)) == (rep[0], rep[1] + step) for step in (-1, 1))
            if removed_next_to_it or copies_with_it:
                flag(dec, sk, pos, finding_of(rep))
                del pending[(d, pos)]
                changed = True
