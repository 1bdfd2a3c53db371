"""Per-document analysis, run in worker processes: segment, normalize, hash, sign.

A batch is sketched at once, over its arrays (`sketch_arrays`): `clean` turns that into
a table of columns (table.of_arrays), `check` into a DocSketch per document, which holds
what the corpus-wide steps need about one document, and no text: per content line a
line number, a word count and an exact hash; the shingles that verify a candidate pair
(`Blocks`), the LSH band keys, stored band by band (`Rows`), and the document's own
MinHash. Line and paragraph signatures are not kept: a candidate's is signed again
from its shingles, to the same values.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import regex

from . import affixes, page, segment, shapes, sign
from .config import Settings
from .hashing import band_keys, segment_sums
from .corpus import Document
from .lexicon import HASH_SIGNS, SIGNS, Hit, Lexicon
from .normalize import nfkc, nfkc_keeps_words, tokens

# A teaser label: a few words, then a colon, a bar, a guillemet or a spaced dash.
_LABEL = regex.compile(r"^(.{1,60}?)(?:\s*[:：|»›]|\s+[-–—]+\s)")
_LABEL_END = regex.compile(r"[:：|»›\-–—]")   # a line without one has no label: not matched at all
_LETTER = regex.compile(r"\p{L}")
_LABEL_WORDS = 4
# A sentence's end: what follows a quoting verb ("He added: ... .") ends like this,
# a headline does not. An ellipsis is not an end.
_SENTENCE_END = regex.compile(r"(?<![.…])[.。।۔][\p{Pf}\p{Pe}\"'\s]*$")


class Blocks:
    """The sorted unique shingle hashes of a document's blocks (lines or paragraphs),
    sliced out of one flat array."""
    __slots__ = ("flat", "offsets")

    def __init__(self, flat: np.ndarray, offsets: np.ndarray):
        self.flat = flat
        self.offsets = offsets    # block i is flat[offsets[i]:offsets[i + 1]]

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, i: int) -> np.ndarray:
        return self.span(i, i + 1)

    def span(self, first: int, end: int) -> np.ndarray:
        """Blocks first..end-1 as one array (contiguous in the flat array)."""
        return self.flat[int(self.offsets[first]):int(self.offsets[end])]

    def __iter__(self):
        return (self[i] for i in range(len(self)))


class Rows:
    """A document's LSH band keys, one row of `width` keys per block, stored band by
    band: a (width, count) array."""
    __slots__ = ("flat",)

    def __init__(self, flat: np.ndarray):
        self.flat = flat

    def __len__(self) -> int:
        return self.flat.shape[1]

    def column(self, band: int) -> np.ndarray:
        return self.flat[band]

    def array(self) -> np.ndarray:
        """All the rows, (count, width)."""
        return self.flat.T

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        return self.array() if dtype is None else self.array().astype(dtype)

    def __iter__(self):
        return iter(self.array())

    def __getstate__(self):   # a view pickles as its own rows only
        return np.ascontiguousarray(self.flat)

    def __setstate__(self, state):
        self.flat = state


def document_signatures(sketches: list["DocSketch"], num_perm: int) -> np.ndarray:
    """(len(sketches), num_perm) uint32: the documents' own signatures."""
    out = np.empty((len(sketches), num_perm), np.uint32)
    for n, sk in enumerate(sketches):
        out[n] = sk.document_signature
    return out


def _no_rows() -> Rows:
    return Rows(np.empty((0, 0), np.uint64))


def _no_blocks() -> Blocks:
    return Blocks(np.empty(0, np.uint32), np.zeros(1, np.int64))


@dataclass(slots=True)
class DocSketch:
    path: str
    relpath: str
    lines: int                       # all lines, blank ones included
    line: np.ndarray                 # line index of each content line (non-blank, with words)
    words: np.ndarray                # word count of each content line
    hash: np.ndarray                 # uint64 hash of each content line's normalized words
    shingles: Blocks = field(default_factory=_no_blocks)       # of each content line
    keys: Rows = field(default_factory=_no_rows)      # LSH band keys of each content line
    lexicon: dict[int, Hit] = field(default_factory=dict)           # content position -> hit
    label: dict[int, tuple[str, str, int]] = field(default_factory=dict)  # position -> (prefix key, prefix text, rest hash)
    paragraphs: list[tuple[int, int]] = field(default_factory=list)  # multi-line paragraphs: content positions
    paragraph_hash: np.ndarray = field(default_factory=lambda: np.empty(0, np.uint64))
    paragraph_shingles: Blocks = field(default_factory=_no_blocks)
    paragraph_keys: Rows = field(default_factory=_no_rows)
    document_signature: np.ndarray | None = None   # (num_perm,) MinHash of the content lines' union
    unexamined: list[int] = field(default_factory=list)  # line indexes too long to examine
    site: str = ""                   # the source (site) whose template boilerplate is learned together
    shape: dict[int, tuple[int, str]] = field(default_factory=dict)   # position -> (shape hash, shape): shapes.py
    affix: dict[int, tuple[int, int, str]] = field(default_factory=dict)  # position -> (affix hash, headline hash, affix)
    headings: list[int] = field(default_factory=list)   # short lines ending in a colon ("Ingredients:"): they introduce content
    numbers: list[int] = field(default_factory=list)    # lines of numbers only: a table's cells
    bare: list[int] = field(default_factory=list)       # bare short lines (page.py): a menu item's shape
    page: dict[int, tuple[int, int, int, int]] = field(default_factory=dict)   # position -> page.junk_runs's run


def content_lines(sk: DocSketch, settings: Settings) -> np.ndarray:
    """Positions of the lines that make up a document's content for whole-document
    comparison (content_mask)."""
    lexicon_at = np.fromiter(sk.lexicon, np.int64, len(sk.lexicon))
    return np.flatnonzero(content_mask(np.array([0, len(sk.line)]), sk.words, lexicon_at, settings))


def _label(raw: str, word64: np.ndarray, settings: Settings) -> tuple[str, str, int] | None:
    """A teaser label ("Also read: <headline>") at the start of a short line whose
    words hash to `word64`. The label ends at punctuation or a space, where no word
    goes on, so the headline's words are the line's words after the label's."""
    if len(word64) > settings.teaser_words:
        return None
    if not _LABEL_END.search(raw):
        return None
    match = _LABEL.match(raw)
    if not match or _SENTENCE_END.search(raw):
        return None
    if not _LETTER.search(match.group(1)):   # "07:49 …", "2024 | …": a time or a date, not a label
        return None
    prefix = tokens(match.group(1))
    rest = word64[len(prefix):]
    if not 1 <= len(prefix) <= _LABEL_WORDS or len(rest) < 2:
        return None
    return " ".join(prefix), match.group(1).strip(), sign.sequence_hash(rest.tolist())


def sketch(doc: Document, settings: Settings, lexicon: Lexicon) -> DocSketch:
    return sketch_many([doc], settings, lexicon)[0]


_HEADING = regex.compile(r"[:：]\s*$")
_COUNTED = regex.compile(r"\s*[^\d\s(（][^\d(（]*[(（]\d[\d,.]*[)）]\s*$")   # "Novembro (150)", "ScanSnap(19)"

# What a short line must hold to be looked at closely, a bit each: a label's end, a digit
# (a shape), a colon (a heading), a separator (an affix). Needed, not enough: a line
# with none of them runs none of those regexes. The bit after them all: the line is not
# blank. Four more say the line holds sentence punctuation or a list bullet (page.py reads
# them), a letter (a line of numbers only has none), the copyright sign (a notice in any
# language, which no word of the lexicons' gate says) or a hash sign (a line of hashtags).
# 16 bits a line.
_LOOKS = (_LABEL_END.pattern, shapes.DIGITS, "[:：]", affixes.SEPARATOR_CHARS, page.SENTENCE_CHARS, page.LIST_CHARS,
          r"\p{L}", SIGNS, HASH_SIGNS)
_LOOK_PATTERNS = tuple(regex.compile(p) for p in _LOOKS)
LABEL_END, DIGIT, COLON, SEPARATOR, SENTENCE, LIST, LETTER, SIGN, HASH = (1 << n for n in range(len(_LOOKS)))
LOOKED = LABEL_END | DIGIT | COLON | SEPARATOR
TEXT = 1 << len(_LOOKS)

# A batch with this many characters goes through the compiled kernel; smaller ones
# (a git hook's few files) through the reference code, and never import numba.
COMPILED_CHARS = 32_000


@dataclass
class _Lines:
    """A batch's lines (their spans in their documents' texts) and the words of the
    examined ones as 64-bit hashes, for all its documents at once."""
    cut: np.ndarray          # (documents + 1,): document d's lines are cut[d]..cut[d+1]-1
    starts: np.ndarray       # first character of each line
    ends: np.ndarray         # end of each line's content
    examined: np.ndarray     # the batch's line index of each examined line, increasing
    counts: np.ndarray       # words in each examined line
    word64: np.ndarray       # every word's hash, line after line
    bits: np.ndarray         # each line's _LOOKS bits, and TEXT if it is not blank

    def __len__(self) -> int:
        return len(self.cut) - 1

    def __getitem__(self, d: int) -> "_Lines":
        """Document d's lines alone (line indexes its own)."""
        lo, hi = int(self.cut[d]), int(self.cut[d + 1])
        e_lo, e_hi = np.searchsorted(self.examined, [lo, hi])
        words = np.concatenate([[0], np.cumsum(self.counts)])
        return _Lines(np.array([0, hi - lo]), self.starts[lo:hi], self.ends[lo:hi], self.examined[e_lo:e_hi] - lo,
                      self.counts[e_lo:e_hi], self.word64[words[e_lo]:words[e_hi]], self.bits[lo:hi])


def _joined(parts: list[_Lines]) -> _Lines:
    """The lines of several batches' documents, one after another."""
    sizes = np.array([len(p.starts) for p in parts], np.int64)
    shift = np.concatenate([[0], np.cumsum(sizes)])
    cut = np.concatenate([[0]] + [p.cut[1:] + shift[i] for i, p in enumerate(parts)])

    def joined(name: str, dtype) -> np.ndarray:
        return np.concatenate([np.empty(0, dtype)] + [getattr(p, name) for p in parts]).astype(dtype, copy=False)
    examined = np.concatenate([np.empty(0, np.int64)] + [p.examined + shift[i] for i, p in enumerate(parts)])
    return _Lines(cut.astype(np.int64), joined("starts", np.int64), joined("ends", np.int64), examined.astype(np.int64),
                  joined("counts", np.int64), joined("word64", np.uint64), joined("bits", np.uint16))


def sketch_many(docs: list[Document], settings: Settings, lexicon: Lexicon, compiled: bool | None = None) -> list[DocSketch]:
    """Sketch documents as one batch (sketch_arrays), a DocSketch each. `compiled`
    forces one path (tests compare them); by default the size decides."""
    if not docs:
        return []
    b = sketch_arrays(docs, settings, lexicon, compiled)
    cut, p_cut = b.rows.cut.tolist(), b.paragraph_cut.tolist()
    block_cut = (b.rows.cut + b.paragraph_cut).tolist()
    p_doc = b.rows.doc[b.paragraph_first]
    paragraphs = list(zip((b.paragraph_first - b.rows.cut[p_doc]).tolist(),
                          (b.paragraph_last - b.rows.cut[p_doc]).tolist()))
    found = {name: _by_document(getattr(b.found, name), b.rows) for name in ("lexicon", "label", "shape", "affix", "page")}
    headings = _by_document(dict.fromkeys(b.found.headings), b.rows)
    numbers = _by_document(dict.fromkeys(b.found.numbers), b.rows)
    bare = _by_document(dict.fromkeys(b.found.bare), b.rows)
    offsets = b.offsets
    out = []
    for d, doc in enumerate(docs):
        lo, hi, at = cut[d], cut[d + 1], block_cut[d]
        n, m = hi - lo, p_cut[d + 1] - p_cut[d]
        b_lo, b_mid, b_hi = offsets[at], offsets[at + n], offsets[at + n + m]
        out.append(DocSketch(
            path=doc.path, relpath=doc.relpath, lines=b.lines[d],
            line=b.rows.line[lo:hi], words=b.rows.words[lo:hi], hash=b.exact[at:at + n],
            shingles=Blocks(b.flat[b_lo:b_mid], offsets[at:at + n + 1] - b_lo),
            keys=Rows(b.keys[:, at:at + n]),
            lexicon=found["lexicon"].get(d, {}), label=found["label"].get(d, {}),
            paragraphs=paragraphs[p_cut[d]:p_cut[d + 1]], paragraph_hash=b.exact[at + n:at + n + m],
            paragraph_shingles=Blocks(b.flat[b_mid:b_hi], offsets[at + n:at + n + m + 1] - b_mid),
            paragraph_keys=Rows(b.keys[:, at + n:at + n + m]),
            document_signature=b.union.get(d), unexamined=b.unexamined.get(d, []),
            shape=found["shape"].get(d, {}), affix=found["affix"].get(d, {}), headings=list(headings.get(d, {})),
            numbers=list(numbers.get(d, {})), bare=list(bare.get(d, {})),
            page=found["page"].get(d, {}),
        ))
    return out


def _by_document(found: dict, rows: "_Rows") -> dict[int, dict]:
    """Findings keyed by row, as {document: {content position: finding}}."""
    out: dict[int, dict] = {}
    at = np.fromiter(found, np.int64, len(found))
    doc = rows.doc[at]
    for d, pos, value in zip(doc.tolist(), (at - rows.cut[doc]).tolist(), found.values()):
        out.setdefault(d, {})[pos] = value
    return out


@dataclass
class Sketches:
    """A batch's sketches as arrays: each content line a row (`rows`), its findings keyed
    by row, its multi-line paragraphs as first and last rows, and the blocks hashed and
    signed: each document's lines then its paragraphs, block after block (`block`: the
    block of each row, then of each paragraph), their shingles `flat[offsets[i]:
    offsets[i + 1]]` and band keys `keys[:, i]`."""
    rows: "_Rows"
    lines: list[int]              # per document: all its lines, blank ones included
    found: "_Found"
    paragraph_first: np.ndarray   # rows
    paragraph_last: np.ndarray
    paragraph_cut: np.ndarray     # (documents + 1,): document d's paragraphs
    exact: np.ndarray             # per block: its exact hash
    flat: np.ndarray
    offsets: np.ndarray
    keys: np.ndarray              # (bands, blocks): band by band
    block: np.ndarray
    union: dict[int, np.ndarray]  # document -> its own MinHash (none: no content lines)
    unexamined: dict[int, list[int]]   # document -> its lines too long to examine


def sketch_arrays(docs: list[Document], settings: Settings, lexicon: Lexicon, compiled: bool | None = None) -> Sketches:
    """Sketch a batch of documents: every step runs over the batch's arrays; only the
    lines that can hold a finding are looked at one by one."""
    if compiled is None:
        compiled = sum(len(doc.text) for doc in docs) >= COMPILED_CHARS
    lines = _words_compiled(docs, settings) if compiled else _joined([_words_reference(doc, settings) for doc in docs])
    rows = _Rows.of(lines)
    found = _findings(docs, lines, rows, settings, lexicon)
    p_first, p_last = _paragraphs(lines, rows)
    p_doc = rows.doc[p_first]
    # each document's blocks together, its lines then its paragraphs, as they are stored
    block_doc = np.concatenate([rows.doc, p_doc])
    order = np.lexsort((np.repeat([0, 1], [len(rows.doc), len(p_doc)]), block_doc))
    first = np.concatenate([rows.first_word, rows.first_word[p_first]])[order]
    last = np.concatenate([rows.last_word, rows.last_word[p_last]])[order]
    kernel = _kernel() if compiled else None
    if compiled:
        a, b = sign.permutations(settings.num_perm, settings.seed)
        exact, flat, offsets, signatures = kernel.blocks(lines.word64, first, last, settings.shingle_size, a, b)
    else:
        exact, flat, offsets, signatures = sign.blocks(lines.word64, first, last, settings.shingle_size,
                                                       settings.num_perm, settings.seed)
    bands, band_rows = settings.lsh_params
    keyed = kernel.band_keys if compiled else band_keys
    keys = np.ascontiguousarray(keyed(signatures, bands, band_rows).T)   # band by band
    block = np.empty(len(order), np.int64)
    block[order] = np.arange(len(order))
    union = _unions(rows, np.fromiter(found.lexicon, np.int64, len(found.lexicon)),
                    lambda chosen: signatures[block[chosen]], settings)
    return Sketches(rows, np.diff(lines.cut).tolist(), found, p_first, p_last,
                    np.searchsorted(p_doc, np.arange(len(docs) + 1)), exact, flat, offsets, keys, block, union,
                    _unexamined(lines, settings))


@dataclass
class _Rows:
    """A batch's content lines (examined lines with words), a row each, in order."""
    line_of: np.ndarray      # the batch's line index of each row
    doc: np.ndarray          # its document
    cut: np.ndarray          # (documents + 1,): document d's rows are cut[d]..cut[d+1]-1
    line: np.ndarray         # int32: its line index in its document
    words: np.ndarray        # int32
    first_word: np.ndarray   # its words are word64[first_word:last_word]
    last_word: np.ndarray

    @classmethod
    def of(cls, lines: _Lines) -> "_Rows":
        content = lines.counts > 0
        bounds = np.concatenate([[0], np.cumsum(lines.counts)])
        line_of = lines.examined[content]
        doc = np.searchsorted(lines.cut, line_of, "right") - 1
        cut = np.searchsorted(doc, np.arange(len(lines) + 1))
        return cls(line_of, doc, cut, (line_of - lines.cut[doc]).astype(np.int32),
                   lines.counts[content].astype(np.int32), bounds[:-1][content], bounds[1:][content])


@dataclass
class _Found:
    """The sparse findings of a batch, keyed by row, rows increasing."""
    lexicon: dict = field(default_factory=dict)    # row -> Hit
    label: dict = field(default_factory=dict)      # row -> (prefix key, prefix as written, headline hash)
    shape: dict = field(default_factory=dict)      # row -> (shape hash, shape)
    affix: dict = field(default_factory=dict)      # row -> (affix hash, headline hash, affix)
    headings: list = field(default_factory=list)   # rows
    numbers: list = field(default_factory=list)    # rows of numbers only (a table's cells)
    bare: list = field(default_factory=list)       # rows of bare short lines (page.py)
    page: dict = field(default_factory=dict)       # row -> page.junk_runs's (where, run's first and last, sentence)


def _findings(docs: list[Document], lines: _Lines, rows: _Rows, settings: Settings, lexicon: Lexicon) -> _Found:
    """Lexicon hits, teaser labels, template shapes, headings and site affixes: only the
    lines the lexicon's word gate lets through, and the short lines holding a
    character a check needs, are read as text."""
    found = _Found()
    counted = []
    word64 = lines.word64
    starts, ends = lines.starts, lines.ends

    def each(picked: np.ndarray):
        line_of, doc = rows.line_of[picked], rows.doc[picked]
        for r, d, pos, i in zip(picked.tolist(), doc.tolist(), (picked - rows.cut[doc]).tolist(), line_of.tolist()):
            yield r, pos, docs[d].text[int(starts[i]):int(ends[i])]

    asked = np.flatnonzero(lexicon.candidates(word64, rows.first_word, rows.last_word))
    for r, pos, raw in each(asked):
        hit = lexicon.match_hashes(word64[rows.first_word[r]:rows.last_word[r]].tolist(), raw)
        if hit and (pos or hit.kind != "prefix"):   # "Watch: …" as a first line is a title
            found.lexicon[r] = hit
    bits = lines.bits[rows.line_of]
    looked = np.flatnonzero((rows.words <= settings.teaser_words) & ((bits & LOOKED) != 0))
    numbered = {}   # hits past the word gate: "© 2019 …"; "3 hours ago", "Nov 19, 2019 at 7:34 pm" (a digit's lines)
    unasked = np.ones(len(rows.words), bool)
    unasked[asked] = False
    for r, _, raw in each(np.flatnonzero(((bits & (SIGN | HASH)) != 0) & unasked)):   # "© 2019 …", "#tag #tag"
        hit = lexicon.match_sign(raw, int(rows.words[r])) or lexicon.match_tags(raw)
        if hit:
            numbered[r] = hit
            unasked[r] = False
    for (r, _, raw), has in zip(each(looked), bits[looked].tolist()):
        words = word64[rows.first_word[r]:rows.last_word[r]]
        hit = lexicon.match_numbered(raw, len(words), words.tolist()) if has & DIGIT and unasked[r] else None
        if hit:
            numbered[r] = hit
        label = _label(raw, words, settings) if has & LABEL_END else None
        if label:
            found.label[r] = label
        shape = shapes.shape(raw) if has & DIGIT and len(words) <= settings.boilerplate_words else None
        if shape:
            found.shape[r] = (shapes.shape_hash(shape), shape)
        if has & DIGIT and _COUNTED.match(raw):
            counted.append(r)
        if has & COLON and _HEADING.search(raw):
            found.headings.append(r)
        cut = affixes.split(raw) if has & SEPARATOR else None
        if cut:
            head = words[:cut[0]].tolist()
            found.affix[r] = (shapes.shape_hash(cut[1]), sign.sequence_hash(head), cut[1])
    taken = {**found.lexicon, **numbered}
    sentence = (bits & SENTENCE) != 0
    sentence[np.fromiter(taken, np.int64, len(taken))] = False   # a copyright line, a cookie banner
    good = (rows.words >= page.GOOD_WORDS) & sentence
    listed = _listed(found.lexicon, taken, rows, good, set(found.headings), each)
    sentence[np.fromiter(listed, np.int64, len(listed))] = False
    if numbered or listed:
        found.lexicon = dict(sorted({**listed, **taken}.items()))
    found.numbers = np.flatnonzero((bits & (DIGIT | LETTER)) == DIGIT).tolist()
    short, bare = _short_and_bare(rows, bits, word64, np.array(counted, np.int64))
    found.bare = np.flatnonzero(bare).tolist()
    if settings.page_junk_lines:
        colon_end = np.zeros(len(rows.words), bool)
        colon_end[found.headings] = True
        colon_end[np.fromiter(taken, np.int64, len(taken))] = False   # "Follow us:", "Tags:" introduce no text
        share_bar = np.zeros(len(rows.words), bool)
        share_bar[[r for r, hit in taken.items() if hit.family in SHARE_BAR]] = True
        found.page = page.junk_runs(rows.cut, _places(docs, lines, rows), rows.words, bare, short, sentence,
                                    colon_end, settings.page_junk_lines, share_bar)
    return found


def _places(docs: list[Document], lines: _Lines, rows: _Rows) -> np.ndarray:
    """Each row's place among the batch's lines, a line of a menu's marks alone (a "×",
    a "|", a "›", page.MARKS) not counted: a menu's items with such lines between them
    are consecutive lines to page.junk_runs. A blank line, a table's "%" or "-" and a
    line too long to examine still part them."""
    wordless = lines.examined[lines.counts == 0]
    wordless = wordless[(lines.bits[wordless] & TEXT) != 0]
    owner = np.searchsorted(lines.cut, wordless, "right") - 1
    marks = np.zeros(len(lines.bits), bool)
    marks[[i for i, d in zip(wordless.tolist(), owner.tolist())
           if page.MARKS.fullmatch(docs[d].text, int(lines.starts[i]), int(lines.ends[i]))]] = True
    return np.cumsum(~marks)[rows.line_of]


SHARE_BAR = frozenset({"share", "follow"})   # rules whose lines make a page's share bar (page.py)
# Rules whose phrase alone on its line heads a list ("More on this story", "Related", "Tags")
LIST_HEADINGS = frozenset({"related", "also-read", "tags"})
LIST_ITEM_WORDS = 20   # a list's item is a headline, a name, a date or a number: no longer than this


def _listed(hits: dict, taken: dict, rows: "_Rows", good: np.ndarray, colon_ended: set, each) -> dict:
    """The items of the lists that lexicon headings head. A heading is a LIST_HEADINGS
    phrase of two words or more alone on its line, after the page's first sentence line
    (`good`: page.py's), ending in neither a colon nor sentence punctuation: a menu's
    "More", the teasers above a page's title, a teaser's label whose headline is on the
    next line ("Don't miss:", then a shop's box the text holds) and a line of dialogue
    ("Это интересно!") head none. Its items are the lines after it that do not end like
    a sentence and have at most LIST_ITEM_WORDS words (headlines, their dates, names,
    numbers), up to the first that does or ends in a colon (lines the lexicon took,
    `taken`, are passed over), and at least two of them: a teaser's dek, the article's
    next paragraph or a list of its own ends the list."""
    out: dict = {}
    for r, hit in hits.items():
        d = int(rows.doc[r])
        if hit.family not in LIST_HEADINGS or int(rows.words[r]) < 2 or r in colon_ended or (
                hit.kind != "line" and int(rows.words[r]) != len(tokens(hit.phrase))) or (
                not good[int(rows.cut[d]):r].any()):
            continue
        if page.SPOKEN.search(next(each(np.array([r])))[2]):   # "Это интересно!", "Don't miss it.": said, not a heading
            continue
        end = int(rows.cut[d + 1])
        after = np.array([n for n in range(r + 1, end) if n not in taken or n in colon_ended], np.int64)
        items = []
        for n, _, raw in each(after):
            if rows.words[n] > LIST_ITEM_WORDS or _SENTENCE_END.search(raw) or n in colon_ended:
                break
            items.append(n)
        if len(items) >= 2:
            listed = Hit(hit.rule, hit.phrase, "listed", int(rows.line[r]))
            out.update((n, listed) for n in items if n not in out)
    return out


def _short_and_bare(rows: "_Rows", bits: np.ndarray, word64: np.ndarray,
                    counted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """page.py's short lines of the batch (few words, no label end, separator, sentence
    punctuation or list bullet) and, of those, its bare lines: no function word, and
    no digit but in a count after a name (`counted`: "Novembro (150)", an archive's or
    a category list's entry)."""
    short = (rows.words <= page.SHORT_WORDS) & ((bits & (LABEL_END | SEPARATOR | SENTENCE | LIST)) == 0)
    without_digits = (bits & DIGIT) == 0
    without_digits[counted] = True
    candidates = np.flatnonzero(short & without_digits)
    bare = np.zeros(len(rows.words), bool)
    bare[candidates] = ~page.with_function_word(word64, rows.first_word[candidates], rows.last_word[candidates])
    return short, bare


def _unions(rows: _Rows, lexicon_rows: np.ndarray, signatures_of, settings: Settings) -> dict[int, np.ndarray]:
    """Each document's own MinHash: the minimum of its content lines' signatures
    (`signatures_of(rows)`), as content_lines picks them."""
    chosen = np.flatnonzero(content_mask(rows.cut, rows.words, lexicon_rows, settings))
    if not len(chosen):
        return {}
    doc = rows.doc[chosen]
    starts = np.flatnonzero(np.r_[True, doc[1:] != doc[:-1]])
    union = np.minimum.reduceat(signatures_of(chosen), starts, axis=0)
    return dict(zip(doc[starts].tolist(), union))


def content_mask(cut: np.ndarray, words: np.ndarray, lexicon_at: np.ndarray, settings: Settings) -> np.ndarray:
    """Which rows (lines, document d's cut[d]..cut[d+1]-1) make up their document's
    content for whole-document comparison: shingled lines outside the lexicon (in a
    document without any: every line outside it)."""
    outside = np.ones(len(words), bool)
    outside[lexicon_at] = False
    long_enough = outside & (words >= settings.shingle_size)
    none = segment_sums(long_enough, cut) == 0
    return long_enough | (outside & np.repeat(none, np.diff(cut)))


def _unexamined(lines: _Lines, settings: Settings) -> dict[int, list[int]]:
    """Per document, the lines too long to examine (most documents have none)."""
    long = np.flatnonzero(lines.ends - lines.starts > settings.max_line_chars)
    doc = np.searchsorted(lines.cut, long, "right") - 1
    out: dict[int, list[int]] = {}
    for d, i in zip(doc.tolist(), (long - lines.cut[doc]).tolist()):
        out.setdefault(d, []).append(i)
    return out


def _words_reference(doc: Document, settings: Settings) -> _Lines:
    """_Lines of one document, by segment and the regex tokenizer."""
    lines = segment.lines(doc.text)
    starts = np.array([line.start for line in lines], np.int64)
    ends = np.array([line.end for line in lines], np.int64)
    examined = np.flatnonzero(ends - starts <= settings.max_line_chars)
    per_line = [tokens(doc.text[starts[i]:ends[i]]) for i in examined.tolist()]
    flat = [word for words in per_line for word in words]
    bits = np.array([_bits(doc.text[line.start:line.end]) for line in lines], np.uint16)
    return _Lines(np.array([0, len(lines)], np.int64), starts, ends, examined,
                  np.array([len(w) for w in per_line], np.int64), sign.word_hashes64(flat), bits)


def _bits(line: str) -> int:
    found = sum(1 << n for n, pattern in enumerate(_LOOK_PATTERNS) if pattern.search(line))
    return found | (TEXT if line.strip() else 0)


def _kernel():
    from . import kernel   # numba: imported only when a batch is big enough
    return kernel


def _words_compiled(docs: list[Document], settings: Settings) -> _Lines:
    """_Lines of the batch, its texts split into lines and tokenized in one call each:
    joined by line breaks, which end a line in both the raw and the normalized text
    (NFKC and case folding leave them be), so a line is one document's, found by where
    it starts. Most texts are tokenized as they are, case folding in the kernel's fold
    map: those whose words NFKC leaves alone and that hold no character that case-folds
    to several; the others are NFKC-ed and case-folded first, and tokenized apart."""
    kernel = _kernel()
    raw_sizes = np.array([len(doc.text) for doc in docs], np.int64)
    raw_codes = _code_points("\n".join(doc.text for doc in docs))
    raw_starts, raw_ends, raw_owner = _joined_lines(kernel, raw_codes, raw_sizes)
    bits = kernel.line_bits(raw_codes, raw_starts, raw_ends, kernel.char_bits(_LOOKS))
    every = np.arange(len(docs) + 1)
    raw_cut = np.searchsorted(raw_owner, every)
    multiple = np.r_[0, np.cumsum(kernel.line_bits(raw_codes, raw_starts, raw_ends, kernel.multiple_casefolds()))]
    as_is = (multiple[raw_cut[1:]] == multiple[raw_cut[:-1]]) & np.fromiter(
        (nfkc_keeps_words(doc.text) for doc in docs), bool, len(docs))
    folded = np.flatnonzero(~as_is)   # the documents NFKC-ed and case-folded first
    normalized = [nfkc(docs[d].text).casefold() for d in folded.tolist()]
    codes = _code_points("\n".join(normalized))
    starts, ends, owner = _joined_lines(kernel, codes, np.array([len(t) for t in normalized], np.int64))
    cut = np.searchsorted(owner, np.arange(len(folded) + 1))
    same = as_is.copy()   # else (it cannot happen: NFKC keeps line breaks) the reference decides
    same[folded] = np.diff(raw_cut)[folded] == np.diff(cut)
    examined = np.flatnonzero((raw_ends - raw_starts <= settings.max_line_chars) & same[raw_owner])
    doc_of = raw_owner[examined]
    plain = as_is[doc_of]
    counts = np.empty(len(examined), np.int64)
    counts[plain], plain_words = kernel.tokenize(raw_codes, raw_starts[examined[plain]], raw_ends[examined[plain]],
                                                 kernel.classes(), kernel.casefold_map())
    del raw_codes
    of_folded = np.empty(len(docs), np.int64)
    of_folded[folded] = np.arange(len(folded))
    at = examined[~plain] - raw_cut[doc_of[~plain]] + cut[of_folded[doc_of[~plain]]]   # in the normalized text
    counts[~plain], folded_words = kernel.tokenize(codes, starts[at], ends[at], kernel.classes(), kernel.fold_map())
    word64 = np.empty(int(counts.sum()), np.uint64)
    firsts = np.cumsum(counts) - counts
    word64[_spread(firsts[plain], counts[plain])] = plain_words
    word64[_spread(firsts[~plain], counts[~plain])] = folded_words
    offsets = np.concatenate([[0], np.cumsum(raw_sizes + 1)])[raw_owner]
    lines = _Lines(raw_cut.astype(np.int64), raw_starts - offsets, raw_ends - offsets, examined.astype(np.int64),
                   counts, word64, bits)
    if same.all():
        return lines
    return _joined([lines[d] if same[d] else _words_reference(doc, settings) for d, doc in enumerate(docs)])


def _spread(firsts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """The positions of runs of `counts` items starting at `firsts`, one run after another."""
    total = int(counts.sum())
    return np.repeat(firsts - (np.cumsum(counts) - counts), counts) + np.arange(total)


def _joined_lines(kernel, codes: np.ndarray, sizes: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Lines [start, end) of documents of these sizes joined by line breaks, and the
    document each is of; a line that starts at a joining break is nobody's and left out."""
    starts, ends = kernel.split_lines(codes)
    bounds = np.cumsum(sizes + 1)                    # one past each document's joining break
    owner = np.searchsorted(bounds, starts, "right")
    joining = starts == bounds[np.minimum(owner, len(bounds) - 1)] - 1
    keep = ~joining & (owner < len(sizes))
    return starts[keep], ends[keep], owner[keep]


def _code_points(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), np.uint32)


def _paragraphs(lines: _Lines, rows: _Rows) -> tuple[np.ndarray, np.ndarray]:
    """The batch's multi-line paragraphs (runs of non-blank lines, as
    segment.paragraphs finds them) as their first and last rows: hard-wrapped text is
    also compared as a whole. A content line is never blank; a blank line ends a run
    and other lines are passed over; no run goes on into the next document."""
    if not len(rows.doc):
        return np.empty(0, np.int64), np.empty(0, np.int64)
    blank = (lines.bits & TEXT) == 0
    run = np.cumsum(blank)[rows.line_of] + rows.doc   # the blank lines before a content line, and its document
    first = np.flatnonzero(np.r_[True, run[1:] != run[:-1]])
    last = np.r_[first[1:], len(run)] - 1
    return first[last > first], last[last > first]
