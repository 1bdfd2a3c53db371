"""Per-document analysis, run in worker processes: segment, normalize, hash, sign.

A DocSketch holds everything the corpus-wide steps need about one document, and no
text: memory grows with the number of lines, not with the size of the corpus.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numpy as np
import regex

from . import segment, sign
from .config import Settings
from .corpus import Document
from .lexicon import Hit, Lexicon
from .normalize import tokens

# A teaser label: a few words, then a colon, a bar, a guillemet or a spaced dash.
_LABEL = regex.compile(r"^(.{1,60}?)(?:\s*[:：|»›]|\s+[-–—]+\s)")
_LABEL_WORDS = 4


@dataclass
class DocSketch:
    path: str
    relpath: str
    lines: int                       # all lines, blank ones included
    line: np.ndarray                 # line index of each content line (non-blank, with words)
    words: np.ndarray                # word count of each content line
    hash: np.ndarray                 # uint64 hash of each content line's normalized words
    shingles: list[np.ndarray]       # sorted unique shingle hashes of each content line
    signature: np.ndarray            # (content lines, num_perm) uint32
    lexicon: dict[int, Hit] = field(default_factory=dict)           # content position -> hit
    label: dict[int, tuple[str, str, int]] = field(default_factory=dict)  # position -> (prefix key, prefix text, rest hash)
    paragraphs: list[tuple[int, int]] = field(default_factory=list)  # multi-line paragraphs: content positions
    paragraph_hash: np.ndarray = field(default_factory=lambda: np.empty(0, np.uint64))
    paragraph_shingles: list[np.ndarray] = field(default_factory=list)
    paragraph_signature: np.ndarray = field(default_factory=lambda: np.empty((0, 0), np.uint32))
    unexamined: list[int] = field(default_factory=list)  # line indexes too long to examine


def text_hash(words: list[str]) -> int:
    digest = hashlib.blake2b(" ".join(words).encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "little")


def _label(raw: str, words: int, settings: Settings) -> tuple[str, str, int] | None:
    """A teaser label ("Also read: <headline>") at the start of a short line."""
    if words > settings.teaser_words:
        return None
    match = _LABEL.match(raw)
    if not match:
        return None
    prefix = tokens(match.group(1))
    rest = tokens(raw[match.end():])
    if not 1 <= len(prefix) <= _LABEL_WORDS or len(rest) < 2:
        return None
    return " ".join(prefix), match.group(1).strip(), text_hash(rest)


def sketch(doc: Document, settings: Settings, lexicon: Lexicon) -> DocSketch:
    text = doc.text
    all_lines = segment.lines(text)
    positions: dict[int, int] = {}   # line index -> content position
    line_idx, word_counts, hashes, word_lists = [], [], [], []
    unexamined = []
    lex: dict[int, Hit] = {}
    labels: dict[int, tuple[str, str, int]] = {}
    for line in all_lines:
        if line.end - line.start > settings.max_line_chars:
            unexamined.append(line.index)
            continue
        raw = text[line.start:line.end]
        words = tokens(raw)
        if not words:
            continue
        pos = len(line_idx)
        positions[line.index] = pos
        line_idx.append(line.index)
        word_counts.append(len(words))
        hashes.append(text_hash(words))
        word_lists.append(words)
        hit = lexicon.match(words)
        if hit:
            lex[pos] = hit
        label = _label(raw, len(words), settings)
        if label:
            labels[pos] = label
    k = settings.shingle_size
    word_hashes = [np.fromiter((sign.word_hash(w) for w in ws), np.uint64, len(ws)) for ws in word_lists]
    line_shingles = [sign.block_shingles(h, k) for h in word_hashes]

    # Multi-line paragraphs (hard-wrapped text) are also compared as wholes.
    paragraphs, para_hash, para_shingles = [], [], []
    for para in segment.paragraphs(text, all_lines):
        members = [positions[i] for i in range(para.first, para.last + 1) if i in positions]
        if len(members) < 2:
            continue
        paragraphs.append((members[0], members[-1]))
        joined = [w for p in members for w in word_lists[p]]
        para_hash.append(text_hash(joined))
        para_shingles.append(sign.block_shingles(np.concatenate([word_hashes[p] for p in members]), k))

    signatures = sign.signatures(line_shingles + para_shingles, settings.num_perm, settings.seed)
    n = len(line_idx)
    return DocSketch(
        path=doc.path, relpath=doc.relpath, lines=len(all_lines),
        line=np.array(line_idx, np.int64), words=np.array(word_counts, np.int64),
        hash=np.array(hashes, np.uint64), shingles=line_shingles, signature=signatures[:n],
        lexicon=lex, label=labels, paragraphs=paragraphs,
        paragraph_hash=np.array(para_hash, np.uint64), paragraph_shingles=para_shingles,
        paragraph_signature=signatures[n:], unexamined=unexamined,
    )
