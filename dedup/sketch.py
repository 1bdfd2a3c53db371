"""Per-document analysis, run in worker processes: segment, normalize, hash, sign.

A DocSketch holds everything the corpus-wide steps need about one document, and no
text: memory grows with the number of lines, not with the size of the corpus.
"""
from __future__ import annotations

import unicodedata
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
    """The exact-match hash of a sequence of words (the one every block gets)."""
    return sign.sequence_hash(sign.word_hashes64(words).tolist())


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


# A batch with this many characters goes through the compiled kernel; smaller ones
# (a git hook's few files) through the reference code, and never import numba.
COMPILED_CHARS = 32_000


@dataclass
class _Words:
    """One document's examined lines and their words' 64-bit hashes."""
    lines: list[segment.Line]
    examined: np.ndarray     # line index of each examined line
    counts: np.ndarray       # words in each examined line
    word64: np.ndarray       # every word's hash, line after line


def sketch_many(docs: list[Document], settings: Settings, lexicon: Lexicon, compiled: bool | None = None) -> list[DocSketch]:
    """Sketch documents, hashing and signing all their lines and paragraphs in one
    batch. `compiled` forces one path (tests compare them); by default the size decides."""
    if compiled is None:
        compiled = sum(len(doc.text) for doc in docs) >= COMPILED_CHARS
    words = _words_compiled(docs, settings) if compiled else [_words_reference(doc, settings) for doc in docs]
    out, firsts, lasts, offset = [], [], [], 0
    for doc, w in zip(docs, words):
        sk, first, last = _analyse(doc, w, settings, lexicon)
        out.append(sk)
        firsts.append(first + offset)
        lasts.append(last + offset)
        offset += len(w.word64)
    if not docs:
        return []
    first, last = np.concatenate(firsts), np.concatenate(lasts)
    word64 = np.concatenate([w.word64 for w in words])
    if compiled:
        from . import kernel
        a, b = sign.permutations(settings.num_perm, settings.seed)
        exact, flat, offsets, signatures = kernel.blocks(word64, first, last, settings.shingle_size, a, b)
    else:
        exact, flat, offsets, signatures = sign.blocks(word64, first, last, settings.shingle_size,
                                                       settings.num_perm, settings.seed)
    shingles = np.split(flat, offsets[1:-1]) if len(first) else []
    at = 0
    for sk in out:
        n, m = len(sk.line), len(sk.paragraphs)
        sk.hash, sk.paragraph_hash = exact[at:at + n], exact[at + n:at + n + m]
        sk.shingles, sk.paragraph_shingles = shingles[at:at + n], shingles[at + n:at + n + m]
        sk.signature, sk.paragraph_signature = signatures[at:at + n], signatures[at + n:at + n + m]
        at += n + m
    return out


def _examined(lines: list[segment.Line], settings: Settings) -> list[int]:
    return [line.index for line in lines if line.end - line.start <= settings.max_line_chars]


def _words_reference(doc: Document, settings: Settings) -> _Words:
    lines = segment.lines(doc.text)
    examined = _examined(lines, settings)
    per_line = [tokens(doc.text[lines[i].start:lines[i].end]) for i in examined]
    flat = [word for words in per_line for word in words]
    return _Words(lines, np.array(examined, np.int64), np.array([len(w) for w in per_line], np.int64),
                  sign.word_hashes64(flat))


def _words_compiled(docs: list[Document], settings: Settings) -> list[_Words]:
    from . import kernel
    classes, fold = kernel.classes(), kernel.fold_map()
    out = []
    for doc in docs:
        lines = segment.lines(doc.text)
        folded = unicodedata.normalize("NFKC", doc.text).casefold()
        codes = np.frombuffer(folded.encode("utf-32-le", "surrogatepass"), np.uint32)
        starts, ends = kernel.split_lines(codes)
        if len(starts) != len(lines):   # cannot happen (NFKC keeps line breaks): the reference decides
            out.append(_words_reference(doc, settings))
            continue
        examined = np.array(_examined(lines, settings), np.int64)
        counts, word64 = kernel.tokenize(codes, starts[examined], ends[examined], classes, fold)
        out.append(_Words(lines, examined, counts, word64))
    return out


def _analyse(doc: Document, w: _Words, settings: Settings, lexicon: Lexicon) -> tuple[DocSketch, np.ndarray, np.ndarray]:
    """A document's sketch (hashes and signatures still to fill in) and the word
    ranges of its blocks: each content line, then each multi-line paragraph."""
    text = doc.text
    content = w.counts > 0
    line_idx = w.examined[content]
    word_counts = w.counts[content]
    bounds = np.concatenate([[0], np.cumsum(w.counts)])
    first_word, last_word = bounds[:-1][content], bounds[1:][content]
    lex: dict[int, Hit] = {}
    for pos in np.flatnonzero(lexicon.candidates(w.word64, first_word, last_word)).tolist():
        line = w.lines[int(line_idx[pos])]
        raw = text[line.start:line.end]
        hit = lexicon.match(tokens(raw), raw)
        if hit and (pos or hit.kind != "prefix"):   # "Watch: …" as a first line is a title
            lex[pos] = hit
    labels: dict[int, tuple[str, str, int]] = {}
    for pos in np.flatnonzero(word_counts <= settings.teaser_words).tolist():
        line = w.lines[int(line_idx[pos])]
        label = _label(text[line.start:line.end], int(word_counts[pos]), settings)
        if label:
            labels[pos] = label
    # Multi-line paragraphs (hard-wrapped text) are also compared as wholes.
    positions = {index: pos for pos, index in enumerate(line_idx.tolist())}
    paragraphs = []
    for para in segment.paragraphs(text, w.lines):
        members = [positions[i] for i in range(para.first, para.last + 1) if i in positions]
        if len(members) < 2 or members[-1] - members[0] + 1 != len(members):
            continue
        paragraphs.append((members[0], members[-1]))
    p_first = np.array([first_word[a] for a, _ in paragraphs], np.int64)
    p_last = np.array([last_word[b] for _, b in paragraphs], np.int64)
    unexamined = [line.index for line in w.lines if line.end - line.start > settings.max_line_chars]
    sketch = DocSketch(
        path=doc.path, relpath=doc.relpath, lines=len(w.lines),
        line=line_idx, words=word_counts, hash=np.empty(0, np.uint64), shingles=[],
        signature=np.empty((0, settings.num_perm), np.uint32),
        lexicon=lex, label=labels, paragraphs=paragraphs, unexamined=unexamined,
    )
    return sketch, np.concatenate([first_word, p_first]), np.concatenate([last_word, p_last])
