"""The documents' sketches as columns: what the corpus-wide rules read.

One row per content line of every document, in corpus order (line index, word count,
exact hash, whether the learned rules leave it), a few columns per document (where its lines
start, its source), and the sparse per-line findings of sketching (lexicon hits,
teaser labels, template shapes, site affixes) as rows of their own keyed by line. A
rule is then a few array operations over the whole corpus, not a loop over documents.
A line is named by its row (`at`): document d's content position p is at
`cut[d] + p`.

What is too big to hold (each line's and paragraph's shingles and band keys, each
document's MinHash) stays where sketching put it: a `Store` per batch, in memory or
in spill files read a piece at a time; the table holds where each block's are.
"""
from __future__ import annotations

import collections
import os
import pickle
import threading
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from . import index
from .hashing import segment_sums
from .sketch import DocSketch, Sketches


_TAKEN = 1 << 16   # strings taken at a time (Texts.take)


@dataclass(frozen=True)
class Texts:
    """Strings held as one UTF-8 buffer and where each ends: a column of mostly
    different short strings (a template shape per line that has a number) as two
    arrays, not an object each, which the allocator keeps in scattered pages once
    most are let go. `texts[i]` is string i."""
    data: np.ndarray    # uint8
    ends: np.ndarray    # int64: string i is data[ends[i-1]:ends[i]]

    @classmethod
    def of(cls, strings) -> "Texts":
        encoded = [s.encode("utf-8", "surrogatepass") for s in strings]
        return cls(np.frombuffer(b"".join(encoded), np.uint8).copy(),
                   np.cumsum([len(e) for e in encoded], dtype=np.int64))

    def __len__(self) -> int:
        return len(self.ends)

    def __getitem__(self, i: int) -> str:
        lo = int(self.ends[i - 1]) if i else 0
        return self.data[lo:int(self.ends[i])].tobytes().decode("utf-8", "surrogatepass")

    def starts(self) -> np.ndarray:
        return np.r_[np.zeros(min(len(self.ends), 1), np.int64), self.ends[:-1]]

    def take(self, rows: np.ndarray, keep: np.ndarray | None = None) -> "Texts":
        """Strings `rows`, in that order; with `keep` (a mask of them), "" where it is False."""
        rows = np.asarray(rows, np.int64)
        lo, hi = self.starts()[rows], self.ends[rows]
        if keep is not None:
            hi = np.where(keep, hi, lo)
        lengths = hi - lo
        ends = np.cumsum(lengths, dtype=np.int64)
        data = np.empty(int(ends[-1]) if len(ends) else 0, np.uint8)
        for a in range(0, len(rows), _TAKEN):   # a byte's source index is 8 bytes: never all at once
            b = min(a + _TAKEN, len(rows))
            first = int(ends[a - 1]) if a else 0
            at = np.repeat(lo[a:b] - (ends[a:b] - lengths[a:b]), lengths[a:b])
            at += np.arange(first, int(ends[b - 1]))
            data[first:int(ends[b - 1])] = self.data[at]
        return Texts(data, ends)

    @classmethod
    def joined(cls, parts: list["Texts"]) -> "Texts":
        shifts = np.cumsum([0] + [len(p.data) for p in parts[:-1]])
        return cls(np.concatenate([p.data for p in parts]) if parts else np.empty(0, np.uint8),
                   np.concatenate([p.ends + shift for p, shift in zip(parts, shifts)]) if parts
                   else np.empty(0, np.int64))


@dataclass(frozen=True)
class Columns:
    """Tuples of numbers and objects held as columns: each number column a uint64
    array, each object column (labels, lexicon hits) a tuple holding one object per
    distinct value, each text column a Texts. A tuple and its numbers as Python
    objects took ~100 bytes more per row. `columns[i]` is row i's tuple."""
    columns: tuple   # of np.ndarray (uint64), tuple or Texts

    @classmethod
    def of(cls, rows: list[tuple], kinds: str) -> "Columns":
        """`kinds`: per field, "n" (a number below 2**64), "o" (a hashable object) or
        "s" (a string, most of them different)."""
        fields = list(zip(*rows)) if rows else [()] * len(kinds)
        return cls(tuple(np.array(f, np.uint64) if k == "n" else Texts.of(f) if k == "s" else _interned(f)
                         for f, k in zip(fields, kinds)))

    def __len__(self) -> int:
        return len(self.columns[0])

    def __getitem__(self, i: int) -> tuple:
        return tuple(int(c[i]) if isinstance(c, np.ndarray) else c[i] for c in self.columns)

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def take(self, rows: np.ndarray) -> "Columns":
        return Columns(tuple(c[rows] if isinstance(c, np.ndarray) else c.take(rows) if isinstance(c, Texts)
                             else tuple(c[i] for i in rows.tolist()) for c in self.columns))


def _interned(values) -> tuple:
    """The values with one object per distinct value."""
    seen: dict = {}
    return tuple(seen.setdefault(v, v) for v in values)


def _joined_values(parts: list[Columns]) -> Columns:
    """Sparse values of several tables, one after another."""
    columns = zip(*(part.columns for part in parts))
    return Columns(tuple(np.concatenate(c) if isinstance(c[0], np.ndarray) else Texts.joined(list(c))
                         if isinstance(c[0], Texts) else _interned(v for piece in c for v in piece)
                         for c in columns))


@dataclass(frozen=True)
class Paths:
    """Each document's path as the report names it, held as its source (each source
    string once) and a row: "source:row" for a record, the source itself for a file
    (row -1). A string per document took ~100 bytes; this takes 12."""
    sources: tuple     # of str
    source: np.ndarray  # int32 per document: its source
    row: np.ndarray     # int64 per document (-1: none)

    @classmethod
    def of(cls, paths) -> "Paths":
        """From the paths themselves: one that ends in ":<row>" (written as a number is)
        is read as source and row, so every path is made again exactly as it was."""
        numbered: dict[str, int] = {}
        source, row = [], []
        for path in paths:
            head, _, tail = path.rpartition(":")
            if head and tail.isdigit() and tail.isascii() and str(int(tail)) == tail:
                path, number = head, int(tail)
            else:
                number = -1
            source.append(numbered.setdefault(path, len(numbered)))
            row.append(number)
        return cls(tuple(numbered), np.array(source, np.int32), np.array(row, np.int64))

    def __len__(self) -> int:
        return len(self.source)

    def __getitem__(self, d: int) -> str:
        source, row = self.sources[self.source[d]], int(self.row[d])
        return source if row < 0 else f"{source}:{row}"

    def __iter__(self):
        return (self[d] for d in range(len(self)))

    def take(self, order: np.ndarray) -> "Paths":
        return Paths(self.sources, self.source[order], self.row[order])

    @classmethod
    def joined(cls, parts: list["Paths"]) -> "Paths":
        """The paths of several tables, one after another."""
        numbered: dict[str, int] = {}
        source = [np.array([numbered.setdefault(s, len(numbered)) for s in p.sources], np.int32)[p.source]
                  if len(p) else np.empty(0, np.int32) for p in parts]
        return cls(tuple(numbered), np.concatenate(source) if parts else np.empty(0, np.int32),
                   np.concatenate([p.row for p in parts]) if parts else np.empty(0, np.int64))


@dataclass(frozen=True)
class Sparse:
    """Rows keyed by content line (`at`, increasing), with a column of values each."""
    at: np.ndarray          # int64
    values: Columns   # per row: what the sketch found there

    def __len__(self) -> int:
        return len(self.at)


# Spill files read by pread, each kept open once read: the least recently read closed past
# OPEN_SPILLS (a run of thousands of small record files has three for each, past a
# process's 1,024 descriptors). One lock: the index is saved from a thread of its own.
OPEN_SPILLS = 64
_SPILL_FILES: collections.OrderedDict[str, int] = collections.OrderedDict()   # spill file -> descriptor
_SPILL_LOCK = threading.Lock()


def _pread(path: str, size: int, offset: int) -> bytes:
    """`size` bytes at `offset` of a spill file."""
    with _SPILL_LOCK:   # held through the read: no other thread closes the descriptor under it
        fd = _SPILL_FILES.get(path)
        if fd is None:
            if len(_SPILL_FILES) >= OPEN_SPILLS:
                os.close(_SPILL_FILES.popitem(last=False)[1])
            fd = _SPILL_FILES[path] = os.open(path, os.O_RDONLY)
        else:
            _SPILL_FILES.move_to_end(path)
        return os.pread(fd, size, offset)


def close_spills() -> None:
    """Close every spill file (before their folder is removed)."""
    with _SPILL_LOCK:
        while _SPILL_FILES:
            os.close(_SPILL_FILES.popitem()[1])


@dataclass(frozen=True)
class Store:
    """A batch's shingles (uint32, block after block), band keys (uint64, (width, total),
    band after band) and document signatures (uint32 rows of num_perm): arrays, or the
    paths of spill files of their raw bytes."""
    shingles: np.ndarray | str
    keys: np.ndarray | str | None
    total: int
    width: int
    signatures: np.ndarray | str | None

    def shingles_of(self, lo: int, hi: int) -> np.ndarray:
        if isinstance(self.shingles, np.ndarray):
            return self.shingles[lo:hi]
        return np.frombuffer(_pread(self.shingles, (hi - lo) * 4, lo * 4), np.uint32)

    def band(self, band: int, rows: np.ndarray) -> np.ndarray:
        """The band's keys of these rows (one read of the range they span)."""
        if isinstance(self.keys, np.ndarray):
            return self.keys[band][rows]
        lo, hi = int(rows.min()), int(rows.max()) + 1
        data = _pread(self.keys, (hi - lo) * 8, (band * self.total + lo) * 8)
        return np.frombuffer(data, np.uint64)[rows - lo]

    def signatures_of(self, rows: np.ndarray, num_perm: int) -> np.ndarray:
        if isinstance(self.signatures, np.ndarray):
            return self.signatures[rows]
        lo, hi = int(rows.min()), int(rows.max()) + 1
        data = _pread(self.signatures, (hi - lo) * num_perm * 4, lo * num_perm * 4)
        return np.frombuffer(data, np.uint32).reshape(-1, num_perm)[rows - lo]


@dataclass(frozen=True)
class Signed:
    """Where some documents' MinHash signatures are, in order: runs of rows of one
    store each (only the stores read are held, as in verify.Ranges), so that a job
    that reads them carries no more than its own."""
    stores: tuple        # of Store
    rows: tuple          # per store: its rows
    num_perm: int

    @property
    def count(self) -> int:
        return sum(len(rows) for rows in self.rows)

    def chunks(self, size: int):
        """The signatures in order, `size` documents at most at a time, the stores of
        few documents packed together: thousands of one-record files are as many
        stores, and a chunk a store cost a pass of numpy calls for each."""
        held: list[np.ndarray] = []
        count = 0
        for store, rows in zip(self.stores, self.rows):
            for lo in range(0, len(rows), size):
                part = store.signatures_of(rows[lo:lo + size], self.num_perm)
                if held and count + len(part) > size:
                    yield np.concatenate(held)
                    held, count = [], 0
                held.append(part)
                count += len(part)
        if held:
            yield np.concatenate(held) if len(held) > 1 else held[0]


@dataclass(frozen=True)
class Blocks:
    """Lines' or paragraphs' shingles, [lo, hi) in their store's, and band key rows."""
    lo: np.ndarray    # int32 where it fits, else int64
    hi: np.ndarray
    key: np.ndarray   # (-1: none)


@dataclass(frozen=True)
class Table:
    """The corpus (or a batch of it) as columns: see the module's docstring."""
    cut: np.ndarray          # (documents + 1,) int64: document d's lines are rows cut[d]..cut[d+1]-1
    line: np.ndarray         # int32: the line's index in its document
    words: np.ndarray        # int32
    hash: np.ndarray         # uint64
    unlearned: np.ndarray    # bool: a line the learned rules leave: a heading ending in a colon ("Ingredients:"), numbers only
    bare: np.ndarray         # bool: a bare short line (page.py): a menu item's shape
    site: tuple              # per document: its source ("" for none)
    path: Paths              # per document: its path (and row) as the report names it
    paragraph_cut: np.ndarray   # (documents + 1,) int64: document d's multi-line paragraphs, as cut for lines
    paragraph_first: np.ndarray  # int64: the row of each paragraph's first line
    paragraph_last: np.ndarray   # int64: and of its last
    paragraph_hash: np.ndarray   # uint64
    stores: tuple            # of Store
    store: np.ndarray        # int32 per document: its store
    signature: np.ndarray    # int64 per document: its MinHash's row in its store (-1: none)
    line_blocks: Blocks      # per row
    paragraph_blocks: Blocks  # per paragraph
    lexicon: Sparse          # values: (lexicon.Hit,)
    label: Sparse            # values: (prefix key, prefix as written, headline hash)
    shape: Sparse            # values: (shape hash, shape)
    affix: Sparse            # values: (affix hash, headline hash, affix)
    page: Sparse             # values: page.junk_runs's (where, run's first and last, sentence), positions in the document

    @property
    def documents(self) -> int:
        return len(self.cut) - 1

    def doc_of(self, at: np.ndarray) -> np.ndarray:
        """The documents of rows `at`."""
        return np.searchsorted(self.cut, at, "right") - 1

    def per_document(self, values: np.ndarray) -> np.ndarray:
        """The sum of a column over each document's rows."""
        return segment_sums(values, self.cut)

    def rows(self, documents: np.ndarray) -> np.ndarray:
        """A mask of documents as a mask of their rows."""
        return np.repeat(documents, np.diff(self.cut))

    def rows_of(self, docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The rows of documents `docs`, in that order, and each row's place in `docs`."""
        rows, cut = _gather(self.cut, np.asarray(docs, np.int64))
        return rows, np.repeat(np.arange(len(docs)), np.diff(cut))

    def paragraphs_of(self, docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """rows_of for the documents' multi-line paragraphs."""
        paragraphs, cut = _gather(self.paragraph_cut, np.asarray(docs, np.int64))
        return paragraphs, np.repeat(np.arange(len(docs)), np.diff(cut))

    def take(self, order: np.ndarray) -> "Table":
        """The table of documents `order` (distinct, any of them), in that order."""
        order = np.asarray(order, np.int64)
        rows, new_cut = _gather(self.cut, order)
        moved = np.full(len(self.hash), -1, np.int64)   # old row -> new row
        moved[rows] = np.arange(len(rows))
        paragraphs, paragraph_cut = _gather(self.paragraph_cut, order)

        def sparse(found: Sparse) -> Sparse:
            at = moved[found.at]
            by = np.argsort(at, kind="stable")
            by = by[at[by] >= 0]
            return Sparse(at[by], found.values.take(by))

        def blocks(b: Blocks, taken: np.ndarray) -> Blocks:
            return Blocks(b.lo[taken], b.hi[taken], b.key[taken])
        return Table(new_cut, self.line[rows], self.words[rows], self.hash[rows], self.unlearned[rows], self.bare[rows],
                     tuple(self.site[d] for d in order.tolist()), self.path.take(order),
                     paragraph_cut, moved[self.paragraph_first[paragraphs]], moved[self.paragraph_last[paragraphs]],
                     self.paragraph_hash[paragraphs], self.stores, self.store[order], self.signature[order],
                     blocks(self.line_blocks, rows), blocks(self.paragraph_blocks, paragraphs),
                     sparse(self.lexicon), sparse(self.label), sparse(self.shape), sparse(self.affix),
                     sparse(self.page))

    def shingles(self, blocks: Blocks, i: int, doc: int, last: int | None = None) -> np.ndarray:
        """The shingles of block i (a line or a paragraph of document `doc`), or of blocks
        i..last as one array (they are one after another in the store)."""
        last = i if last is None else last
        return self.stores[int(self.store[doc])].shingles_of(int(blocks.lo[i]), int(blocks.hi[last]))

    def bands(self, blocks: Blocks, items: np.ndarray, docs: np.ndarray) -> index.Bands:
        """The band keys of blocks `items` (of documents `docs`, increasing), read band
        by band, one read per store."""
        stores = self.store[docs]
        cuts = np.flatnonzero(np.diff(stores)) + 1
        runs = [(self.stores[int(stores[a])], blocks.key[items[a:b]])
                for a, b in zip([0, *cuts.tolist()], [*cuts.tolist(), len(items)])] if len(items) else []
        width = runs[0][0].width if runs else 0
        return index.Bands(len(items), width, lambda band: np.concatenate([store.band(band, rows) for store, rows in runs])
                           if runs else np.empty(0, np.uint64))

    def signed(self, docs: np.ndarray, num_perm: int) -> Signed:
        """Where the signatures of documents `docs` are, in that order."""
        stores = self.store[docs]
        cuts = np.flatnonzero(np.diff(stores)) + 1
        runs = [(int(stores[a]), self.signature[docs[a:b]])
                for a, b in zip([0, *cuts.tolist()], [*cuts.tolist(), len(docs)]) if b > a]
        return Signed(tuple(self.stores[i] for i, _ in runs), tuple(rows for _, rows in runs), num_perm)

    def signatures(self, docs: np.ndarray, num_perm: int) -> np.ndarray:
        """(len(docs), num_perm) uint32: these documents' own MinHash signatures."""
        out, at = np.empty((len(docs), num_perm), np.uint32), 0
        for signatures in self.signed(docs, num_perm).chunks(max(len(docs), 1)):
            out[at:at + len(signatures)] = signatures
            at += len(signatures)
        return out


def for_index(t: Table) -> Table:
    """The table with only what saving the `--against` index reads (lines, paragraphs,
    paths, lexicon rows, signatures): each block's shingle offsets and key rows, the
    headings and the other findings of sketching are let go, ~18 bytes a line that
    are not held while the outputs are written."""
    none = Blocks(*(np.empty(0, np.int32),) * 3)
    found = {name: Sparse(np.empty(0, np.int64), Columns.of([], kinds))
             for name, kinds in (("label", "oon"), ("shape", "ns"), ("affix", "nno"), ("page", "nnnn"))}
    return replace(t, unlearned=np.empty(0, bool), bare=np.empty(0, bool), line_blocks=none, paragraph_blocks=none, **found)


def _gather(cut: np.ndarray, order: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The rows of documents `order` (document d's rows: cut[d]..cut[d+1]-1), and their cut."""
    lengths = np.diff(cut)[order]
    new_cut = np.zeros(len(order) + 1, np.int64)
    np.cumsum(lengths, out=new_cut[1:])
    return np.repeat(cut[:-1][order] - new_cut[:-1], lengths) + np.arange(new_cut[-1]), new_cut


def of(sketches: list[DocSketch], blocks: bool = True) -> Table:
    """The table of these sketches, in their order. Without `blocks`, no stores: only
    the line columns and sparse rows, which is all the learned rules read (a check
    counts each file's lines on its own, and must not copy its shingles to do it)."""
    lengths = [len(sk.line) for sk in sketches]
    cut = np.zeros(len(sketches) + 1, np.int64)
    np.cumsum(lengths, out=cut[1:])
    unlearned, bare = np.zeros(int(cut[-1]), bool), np.zeros(int(cut[-1]), bool)
    for d, sk in enumerate(sketches):
        if sk.headings or sk.numbers:
            unlearned[cut[d] + np.array(sk.headings + sk.numbers, np.int64)] = True
        if sk.bare:
            bare[cut[d] + np.array(sk.bare, np.int64)] = True

    def joined(name: str, dtype) -> np.ndarray:
        parts = [getattr(sk, name) for sk in sketches]
        return np.concatenate(parts).astype(dtype, copy=False) if parts else np.empty(0, dtype)

    def sparse(name: str, kinds: str) -> Sparse:
        at, values = [], []
        for d, sk in enumerate(sketches):
            found = getattr(sk, name)
            for pos in sorted(found):
                at.append(int(cut[d]) + pos)
                values.append(found[pos] if len(kinds) > 1 else (found[pos],))
        return Sparse(np.array(at, np.int64), Columns.of(values, kinds))

    paragraphs = [len(sk.paragraphs) for sk in sketches]
    paragraph_cut = np.zeros(len(sketches) + 1, np.int64)
    np.cumsum(paragraphs, out=paragraph_cut[1:])
    ends = np.array([p for d, sk in enumerate(sketches) for pair in sk.paragraphs for p in pair], np.int64)
    ends = ends.reshape(-1, 2) + np.repeat(cut[:-1], paragraphs)[:, None]
    if blocks:
        stores, store, signature, line_blocks, paragraph_blocks = _stores(sketches)
    else:
        none = Blocks(*(np.empty(0, np.int32) for _ in range(3)))
        stores, store, signature = (), np.zeros(len(sketches), np.int32), np.full(len(sketches), -1, np.int64)
        line_blocks = paragraph_blocks = none
    return Table(cut, joined("line", np.int32), joined("words", np.int32), joined("hash", np.uint64), unlearned, bare,
                 _interned(sk.site for sk in sketches), Paths.of(sk.path for sk in sketches), paragraph_cut,
                 ends[:, 0], ends[:, 1], joined("paragraph_hash", np.uint64), stores, store, signature,
                 line_blocks, paragraph_blocks, sparse("lexicon", "o"), sparse("label", "oon"), sparse("shape", "ns"),
                 sparse("affix", "nno"), sparse("page", "nnnn"))


def of_arrays(b: Sketches, sites: list[str], paths: list[str], spill_path: str | None = None) -> Table:
    """The table of a batch sketched as arrays (sketch.sketch_arrays), as `of` makes it of
    the batch's DocSketches: its columns taken as they are. With `spill_path`, the
    batch's shingles, band keys and signatures go to spill files of their raw values,
    and its store reads them from there."""
    rows, found = b.rows, b.found
    count = len(rows.doc)
    unlearned = np.zeros(count, bool)
    unlearned[found.headings] = True
    unlearned[found.numbers] = True
    bare = np.zeros(count, bool)
    bare[found.bare] = True
    signed = np.fromiter(b.union, np.int64, len(b.union))
    signature = np.full(len(b.lines), -1, np.int64)
    signature[signed] = np.arange(len(signed))
    signatures = np.stack(list(b.union.values())).astype(np.uint32, copy=False) if len(signed) else None
    shingles = np.ascontiguousarray(b.flat[:int(b.offsets[-1])], np.uint32)
    blocks = len(b.exact)
    keys = np.ascontiguousarray(b.keys, np.uint64)
    if spill_path:
        spilled = [(spill_path, shingles), (f"{spill_path}.keys", keys if blocks else None),
                   (f"{spill_path}.sig", signatures)]
        for path, values in spilled:
            if values is not None:
                with open(path, "wb") as handle:
                    handle.write(values.tobytes())
        shingles, keys, signatures = (path if values is not None else None for path, values in spilled)
    store = Store(shingles, keys, blocks, b.keys.shape[0] if blocks else 0, signatures)

    def blocks_of(block: np.ndarray) -> Blocks:
        return Blocks(_narrow(b.offsets[block]), _narrow(b.offsets[block + 1]), _narrow(block))

    def sparse(values: dict, kinds: str) -> Sparse:
        listed = list(values.values()) if len(kinds) > 1 else [(v,) for v in values.values()]
        return Sparse(np.fromiter(values, np.int64, len(values)), Columns.of(listed, kinds))
    return Table(rows.cut.astype(np.int64), rows.line, rows.words, b.exact[b.block[:count]], unlearned, bare,
                 _interned(sites),
                 Paths.of(paths), b.paragraph_cut.astype(np.int64), b.paragraph_first.astype(np.int64),
                 b.paragraph_last.astype(np.int64), b.exact[b.block[count:]], (store,), np.zeros(len(b.lines), np.int32),
                 signature, blocks_of(b.block[:count]), blocks_of(b.block[count:]), sparse(found.lexicon, "o"),
                 sparse(found.label, "oon"), sparse(found.shape, "ns"), sparse(found.affix, "nno"),
                 sparse(found.page, "nnnn"))


def _stores(sketches: list[DocSketch]) -> tuple:
    """One store holding the sketches' shingles, keys and signatures (joined into one
    array each); each document's store and signature row, each line's and paragraph's
    shingles and key row."""
    memory: dict[str, list] = {"shingles": [], "keys": [], "signatures": []}
    sizes = dict.fromkeys(memory, 0)
    signature = np.full(len(sketches), -1, np.int64)
    blocks: dict[str, list] = {"lines": [], "paragraphs": []}
    for d, sk in enumerate(sketches):
        for kind, shingles, keys in (("lines", sk.shingles, sk.keys), ("paragraphs", sk.paragraph_shingles,
                                                                        sk.paragraph_keys)):
            shift = sizes["shingles"]
            memory["shingles"].append(np.asarray(shingles.flat)[:int(shingles.offsets[-1])])
            sizes["shingles"] += int(shingles.offsets[-1])
            rows = np.full(len(shingles), -1)
            if len(keys):
                memory["keys"].append(keys.flat)
                rows = sizes["keys"] + np.arange(len(keys))
                sizes["keys"] += len(keys)
            blocks[kind].append((shift + shingles.offsets[:-1], shift + shingles.offsets[1:], rows))
        if sk.document_signature is not None:
            signature[d] = sizes["signatures"]
            memory["signatures"].append(np.asarray(sk.document_signature, np.uint32)[None, :])
            sizes["signatures"] += 1
    if not sketches:
        return (), np.zeros(0, np.int32), signature, *(Blocks(*(np.empty(0, np.int32),) * 3) for _ in range(2))
    keys = np.concatenate(memory["keys"], axis=1) if memory["keys"] else np.empty((0, 0), np.uint64)
    store = Store(np.concatenate(memory["shingles"]).astype(np.uint32, copy=False), keys, keys.shape[1], keys.shape[0],
                  np.concatenate(memory["signatures"]) if memory["signatures"] else None)

    def joined(kind: str) -> Blocks:
        parts = blocks[kind]
        return Blocks(*(_narrow(np.concatenate([p[i] for p in parts])) for i in range(3)))
    return (store,), np.zeros(len(sketches), np.int32), signature, joined("lines"), joined("paragraphs")


def _narrow(values: np.ndarray) -> np.ndarray:
    """Offsets as int32 where they fit (a batch's store holds far fewer than 2**31
    shingles): 12 bytes a line less than int64."""
    fits = not len(values) or (int(values.max()) < 2**31 and int(values.min()) >= -2**31)
    return values.astype(np.int32 if fits else np.int64, copy=False)


# The columns a whole table's are joined from: what each runs along (whose count its
# parts add up) and what its values are shifted by (row, store numbers), if anything.
_JOINED = {"line": ("rows", None), "words": ("rows", None), "hash": ("rows", None), "unlearned": ("rows", None), "bare": ("rows", None),
           "line_blocks.lo": ("rows", None), "line_blocks.hi": ("rows", None), "line_blocks.key": ("rows", None),
           "paragraph_first": ("paragraphs", "rows"), "paragraph_last": ("paragraphs", "rows"),
           "paragraph_hash": ("paragraphs", None), "paragraph_blocks.lo": ("paragraphs", None),
           "paragraph_blocks.hi": ("paragraphs", None), "paragraph_blocks.key": ("paragraphs", None),
           "store": ("documents", "stores"), "signature": ("documents", None)}
_SPARSE = ("lexicon", "label", "shape", "affix", "page")


def _column(t: Table, name: str) -> np.ndarray:
    owner, _, field = name.rpartition(".")
    return getattr(getattr(t, owner), field) if owner else getattr(t, name)


def save(t: Table, path: str) -> None:
    """Write a table to a file: what joining needs to know of it first (_sizes), then
    its columns and its stores (in `clean`, the names of their spill files)."""
    with open(path, "wb") as handle:
        pickle.dump(_sizes(t), handle, protocol=5)
        pickle.dump(t, handle, protocol=5)


def load(path: str) -> Table:
    with open(path, "rb") as handle:
        pickle.load(handle)
        return pickle.load(handle)


def _saved_sizes(path: str) -> dict:
    with open(path, "rb") as handle:
        return pickle.load(handle)


def _planned(parts: list[Table | str]) -> tuple[list[dict], dict, dict]:
    """The parts' sizes, where each part's rows start in the whole (per kind counted),
    and each of the whole's columns: its length and type."""
    sizes = [_saved_sizes(t) if isinstance(t, str) else _sizes(t) for t in parts]
    shift = {kind: np.cumsum([0] + [size[kind] for size in sizes]) for kind in _COUNTED}
    columns = {name: (int(shift[along][-1]), np.dtype(np.int32) if name == "store" else
                      np.result_type(*[size[name] for size in sizes])) for name, (along, _) in _JOINED.items()}
    columns.update({name: (int(shift["documents"][-1]) + 1, np.dtype(np.int64)) for name in ("cut", "paragraph_cut")})
    columns.update({name: (int(shift[name][-1]), np.dtype(np.int64)) for name in _SPARSE})
    return sizes, shift, columns


def _allocated(n: int, dtype: np.dtype, mapped: Path | None, name: str) -> np.ndarray:
    """A column of n zeros, in memory or (`mapped`: a folder) mapped from a file there."""
    if mapped is None or n == 0:
        return np.zeros(n, dtype)
    return np.lib.format.open_memmap(mapped / f"{name}.npy", "w+", dtype, (n,))


def concat(parts: list[Table | str], spill: Path | None = None, held: float = float("inf")) -> Table:
    """One table of these tables' documents, in order (each batch's, as they came): each
    a table, or the file `save` wrote it to, read when it is copied (its sizes, saved
    ahead of it, read first). Each part is let go (its place in `parts` emptied) once it
    is copied into the whole's columns: the whole and one part are held, never every part.
    Columns of more than `held` bytes in all are files in the folder `spill`, mapped into
    memory: the system holds of them what the steps read, not all (budget.py)."""
    if not parts:
        return of([])

    def part(i: int) -> Table:
        return load(parts[i]) if isinstance(parts[i], str) else parts[i]
    sizes, shift, columns = _planned(parts)
    mapped = spill if spill is not None and sum(n * t.itemsize for n, t in columns.values()) > held else None
    if mapped is not None:
        mapped.mkdir(parents=True, exist_ok=True)
    out = {name: _allocated(n, dtype, mapped, name) for name, (n, dtype) in columns.items()}
    values: dict[str, list] = {name: [] for name in _SPARSE}
    site, paths, stores = [], [], []
    for i in range(len(parts)):
        t, parts[i] = part(i), None
        at = {kind: int(shift[kind][i]) for kind in shift}
        for name, (along, by) in _JOINED.items():
            column = _column(t, name)
            out[name][at[along]:at[along] + len(column)] = column + at[by] if by else column
        for name, along in (("cut", "rows"), ("paragraph_cut", "paragraphs")):
            own = getattr(t, name)
            out[name][at["documents"] + 1:at["documents"] + len(own)] = own[1:] + at[along]
        for name in _SPARSE:
            found = getattr(t, name)
            out[name][at[name]:at[name] + len(found)] = found.at + at["rows"]
            values[name].append(found.values)
        site.extend(t.site)
        paths.append(t.path)
        stores.extend(t.stores)
        del t
    sparse = [Sparse(out[name], _joined_values(values[name])) for name in _SPARSE]
    line_blocks, paragraph_blocks = (Blocks(*(out[f"{kind}.{f}"] for f in ("lo", "hi", "key")))
                                     for kind in ("line_blocks", "paragraph_blocks"))
    return Table(out["cut"], out["line"], out["words"], out["hash"], out["unlearned"], out["bare"], _interned(site),
                 Paths.joined(paths), out["paragraph_cut"], out["paragraph_first"], out["paragraph_last"],
                 out["paragraph_hash"], tuple(stores), out["store"], out["signature"], line_blocks, paragraph_blocks,
                 *sparse)


_COUNTED = ("rows", "paragraphs", "stores", "documents") + _SPARSE


def _sizes(t: Table) -> dict:
    """What joining needs of a part before it copies it: how many rows, paragraphs,
    stores, documents and sparse rows it has, and each joined column's type."""
    return {"rows": len(t.hash), "paragraphs": len(t.paragraph_hash), "stores": len(t.stores),
            "documents": t.documents, **{name: len(getattr(t, name)) for name in _SPARSE},
            **{name: _column(t, name).dtype for name in _JOINED}}
