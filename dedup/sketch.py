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
# A sentence's end: what follows a quoting verb ("He added: ... .") ends like this,
# a headline does not. An ellipsis is not an end.
_SENTENCE_END = regex.compile(r"(?<![.…])[.。।۔][\p{Pf}\p{Pe}\"'\s]*$")


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
    if not regex.search(r"\p{L}", match.group(1)):   # "07:49 …", "2024 | …": a time or a date, not a label
        return None
    if not 1 <= len(prefix) <= _LABEL_WORDS or len(rest) < 2 or _SENTENCE_END.search(raw):
        return None
    return " ".join(prefix), match.group(1).strip(), text_hash(rest)


def sketch(doc: Document, settings: Settings, lexicon: Lexicon) -> DocSketch:
    return sketch_many([doc], settings, lexicon)[0]


def sketch_many(docs: list[Document], settings: Settings, lexicon: Lexicon) -> list[DocSketch]:
    """Sketch documents, signing all their lines and paragraphs in one batch."""
    out = [_analyse(doc, settings, lexicon) for doc in docs]
    blocks = [s for sk in out for s in sk.shingles + sk.paragraph_shingles]
    signatures = sign.signatures(blocks, settings.num_perm, settings.seed)
    at = 0
    for sk in out:
        n, m = len(sk.shingles), len(sk.paragraph_shingles)
        sk.signature = signatures[at:at + n]
        sk.paragraph_signature = signatures[at + n:at + n + m]
        at += n + m
    return out


def _analyse(doc: Document, settings: Settings, lexicon: Lexicon) -> DocSketch:
    text = doc.text
    all_lines = segment.lines(text)
    positions: dict[int, int] = {}   # line index -> content position
    line_idx, word_counts, hashes, all_words = [], [], [], []
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
        all_words.extend(words)
        hit = lexicon.match(words, raw)
        if hit and (pos or hit.kind != "prefix"):   # "Watch: …" as a first line is a title
            lex[pos] = hit
        label = _label(raw, len(words), settings)
        if label:
            labels[pos] = label
    k = settings.shingle_size
    word_hashes = sign.word_hashes(all_words)
    kgrams = sign.kgram_hashes(word_hashes, k)
    bounds = np.concatenate([[0], np.cumsum(word_counts, dtype=np.int64)])

    def shingles_of(first_word: int, end_word: int) -> np.ndarray:
        if end_word - first_word < k:
            return sign.block_shingles(word_hashes[first_word:end_word], k)
        return np.unique(kgrams[first_word:end_word - k + 1])

    line_shingles = [shingles_of(bounds[p], bounds[p + 1]) for p in range(len(line_idx))]
    # Multi-line paragraphs (hard-wrapped text) are also compared as wholes.
    paragraphs, para_hash, para_shingles = [], [], []
    for para in segment.paragraphs(text, all_lines):
        members = [positions[i] for i in range(para.first, para.last + 1) if i in positions]
        if len(members) < 2 or members[-1] - members[0] + 1 != len(members):
            continue
        paragraphs.append((members[0], members[-1]))
        para_hash.append(text_hash(all_words[bounds[members[0]]:bounds[members[-1] + 1]]))
        para_shingles.append(shingles_of(bounds[members[0]], bounds[members[-1] + 1]))
    empty = np.empty((0, settings.num_perm), dtype=np.uint32)
    return DocSketch(
        path=doc.path, relpath=doc.relpath, lines=len(all_lines),
        line=np.array(line_idx, np.int64), words=np.array(word_counts, np.int64),
        hash=np.array(hashes, np.uint64), shingles=line_shingles, signature=empty,
        lexicon=lex, label=labels, paragraphs=paragraphs,
        paragraph_hash=np.array(para_hash, np.uint64), paragraph_shingles=para_shingles,
        paragraph_signature=empty, unexamined=unexamined,
    )
