"""The per-document stages, run by a Runner in worker processes (or in this one):
read and sketch a batch of files; re-read, cut and write a batch of documents.
Pure functions of their explicit inputs (a Context built once per worker, and the
batch), shared by `clean` (pipeline.py) and `check` (check.py)."""
from __future__ import annotations

import dataclasses
import pickle
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import corpus, html, lexicon, plan, records, report, sample, verdicts, verify
from .rules.findings import Decision
from .config import Settings
from .corpus import Document, Skipped, Source, by_fields, folder_site
from .lexicon import Lexicon
from .originals import sha256_of
from .report import DocumentEntry
from . import table as tables
from .sketch import DocSketch, sketch_arrays, sketch_many
from .table import Table
from .verdicts import Verdicts

RECORD_CHUNK = 4_000_000   # characters of documents sketched at once (and spilled together)


@dataclass(frozen=True)
class Context:
    """What a worker needs, built once per worker."""
    settings: Settings
    lexicon: Lexicon
    compiled: bool | None = None   # sketch with the compiled kernel: None = by each batch's size
    verdicts: Verdicts | None = None   # what the write stage keeps (settings.verdicts)


def make_context(settings: Settings, compiled: bool | None = None) -> Context:
    return Context(settings, lexicon.load(settings.lexicons), compiled,
                   verdicts.load(settings.verdicts) if settings.verdicts else None)


# Every line a different sentence, long enough to make shingles, band keys and paragraphs.
_KERNEL_SAMPLE = "\n".join(f"line {n} of a short text that loads the compiled kernel once" for n in range(8))


def load_kernel(settings: Settings) -> None:
    """Load the compiled kernel into this process (numba, and each function a batch
    calls, from its on-disk cache) by sketching a small text through it. Workers forked
    afterwards start with it loaded: each would otherwise spend about a second on it in
    its first batch."""
    sketch_arrays([Document("", "", _KERNEL_SAMPLE)], settings, lexicon.load(settings.lexicons), compiled=True)


@dataclass(frozen=True, slots=True)
class Outline:
    """What writing needs of a document whose sketch went into its batch's table."""
    lines: int
    unexamined: list[int]


@dataclass(slots=True)
class Sketched:
    source: Source
    sketch: DocSketch | Outline
    sha256: str
    chars: int
    bad_bytes_at: int | None
    row: int = 0              # a record's row number in its file (0: the file is the document)
    id: str | None = None     # a record's id field
    digest: bytes | None = None   # a JSONL row's (records.line_digest)


@dataclass(frozen=True, slots=True)
class RecordPart:
    """A JSONL or Parquet file, or a part of a plain JSONL file (`span`), read as one batch:
    a big file is cut into parts so that several workers read it."""
    source: Source
    span: records.Span | None = None   # None: the whole file
    index: int = 0                     # of the file's parts
    count: int = 1

    @property
    def last(self) -> bool:
        return self.index == self.count - 1


@dataclass(frozen=True, slots=True)
class Records:
    """A read batch of record files: one part of a big file, or small files read
    whole, together (each batch costs a sketching pass and five files of its own)."""
    parts: tuple[RecordPart, ...]

    @classmethod
    def one(cls, part: RecordPart) -> "Records":
        return cls((part,))


@dataclass(frozen=True, slots=True)
class RecordFile:
    """A record file or part whose rows were read."""
    part: RecordPart
    rows: int

    @property
    def source(self) -> Source:
        return self.part.source


@dataclass(frozen=True, slots=True)
class Tabled:
    """A read batch for `clean`: its Skipped and RecordFile items in their places, the
    table of its sketches in the file `table` (table.save: the run joins the batches'
    tables one file at a time, never holding every batch's and the whole at once), and
    what writing needs of each document (ToWrite, pickled in the file `to_write`: the
    run never holds every document's, each write job reads its batch's)."""
    items: list
    table: str
    documents: int
    to_write: str
    chars: int   # of the batch's documents


def sketch_table(ctx: Context, job: tuple[list[Source] | Records, str]) -> Tabled:
    """A batch read and sketched straight into a table (its documents' arrays, never a
    DocSketch each), its documents' ToWrite in a file beside the spill."""
    made: list[Table] = []
    result = sketch_batch(ctx, job, made)
    sketched = [item for item in result if isinstance(item, Sketched)]
    to_write = f"{job[1]}.write"
    with open(to_write, "wb") as handle:
        pickle.dump([ToWrite.of(item) for item in sketched], handle, pickle.HIGHEST_PROTOCOL)
    table = tables.concat(made) if sketched else tables.of([])   # (a broken record file: none of its rows)
    tables.save(table, f"{job[1]}.table")
    return Tabled([item for item in result if not isinstance(item, Sketched)], f"{job[1]}.table", table.documents,
                  to_write, sum(item.chars for item in sketched))


def sketch_batch(ctx: Context, job: tuple[list[Source] | Records, str | None],
                 tabled: list[Table] | None = None) -> list[Sketched | Skipped | RecordFile]:
    """Read and sketch a batch of text files, or of record files (Records), a
    DocSketch each. With `tabled`, each group of documents sketched together goes there
    as a table instead (its shingles, keys and signatures spilled to the job's path),
    and each Sketched has an Outline."""
    batch, spill_path = job
    sketcher = _Sketcher(ctx, tabled)
    if isinstance(batch, Records):
        return _sketch_records(ctx, batch.parts, spill_path, sketcher)
    out: list = []   # in the batch's order: a document's place is kept until its chunk is sketched
    chunk: list[tuple[int, Source, Document]] = []
    size = chunks = 0

    def flush() -> None:   # the documents read since the last flush, sketched together
        nonlocal chunk, size, chunks
        sketched = sketcher([doc for _, _, doc in chunk], [site_of(source, ctx.settings) for _, source, _ in chunk],
                            f"{spill_path}.{chunks}" if spill_path else None)
        for (at, source, doc), sk in zip(chunk, sketched):
            out[at] = Sketched(source, sk, sha256_of(doc.text), len(doc.text), doc.bad_bytes_at)
        chunk, size, chunks = [], 0, chunks + 1

    for source in batch:
        doc = corpus.read(source, ctx.settings.decode_errors == "keep")
        out.append(doc if isinstance(doc, Skipped) else None)
        if isinstance(doc, Document):
            chunk.append((len(out) - 1, source, doc))
            size += len(doc.text)
            if size >= RECORD_CHUNK:
                flush()
    if chunk:
        flush()
    return out


class _Sketcher:
    """Sketches documents (with their sites) together: as DocSketches; or, with
    `tabled`, as a table appended there (spilled to the path given) and an Outline each."""

    def __init__(self, ctx: Context, tabled: list[Table] | None):
        self.ctx, self.tabled = ctx, tabled

    def __call__(self, docs: list[Document], sites: list[str], spill_path: str | None) -> list[DocSketch | Outline]:
        settings = self.ctx.settings
        if not docs:
            return []
        if self.tabled is not None:
            b = sketch_arrays(docs, settings, self.ctx.lexicon, self.ctx.compiled)
            self.tabled.append(tables.of_arrays(b, sites, [doc.path for doc in docs], spill_path))
            return [Outline(lines, b.unexamined.get(d, [])) for d, lines in enumerate(b.lines)]
        sketched = sketch_many(docs, settings, self.ctx.lexicon, self.ctx.compiled)
        for sk, site in zip(sketched, sites):
            sk.site = site
        return sketched


def fields(settings: Settings) -> records.Fields:
    if settings.source in ("auto", "url"):
        return records.Fields(settings.text_field, settings.id_field, "url", host=True)
    if settings.source.startswith("field:"):
        return records.Fields(settings.text_field, settings.id_field, settings.source.removeprefix("field:"))
    return records.Fields(settings.text_field, settings.id_field)


def site_of(source: Source, settings: Settings, row_site: str = "") -> str:
    """Which source (site) a document is from, for learned boilerplate: the record's
    source field (a URL's host by default), else its folder (see below)."""
    if settings.source == "none":
        return ""
    if row_site or settings.source == "url":
        return row_site
    return folder_site(source)


def resolve_source(sources: list[Source], settings: Settings) -> Settings:
    """`source = auto` on a layout whose folders are not sites (a folder per document,
    most files in folders with fewer than `min_docs` files): sources from the url field
    only, the text files all one source. Decided from the paths alone, so clean and
    check decide alike. (Not with keep = sources, which ranks the folders as named.)"""
    text = [s for s in sources if s.is_text]
    return resolve_by_folders(corpus.Members(text).folder_sizes(), settings)


def resolve_by_folders(sizes: dict[str, int], settings: Settings) -> Settings:
    """resolve_source from how many text files each folder_site has."""
    if settings.source != "auto" or settings.keep == "sources":   # keep = sources needs them as they are
        return settings
    small = sum(n for n in sizes.values() if n < settings.min_docs)
    if small * 2 > sum(sizes.values()):   # (no text files: 0 > 0)
        return dataclasses.replace(settings, source="url")
    return settings


def row_path(source: Source, row: int) -> str:
    return f"{source.path}:{row}"


def _sketch_records(ctx: Context, parts: tuple[RecordPart, ...], spill_path: str | None,
                    sketcher: _Sketcher) -> list:
    """The rows of record files or a part of one, sketched in chunks of about
    RECORD_CHUNK characters (each chunk's shingles in a spill file of its own): a
    RecordFile for each file or part read, then the rows (bad rows as Skipped). A file
    that cannot be read is one Skipped, none of its rows: several small files are each
    read whole before their rows join a chunk; a part streams, and is all or nothing."""
    out: list = []
    files: list[RecordFile] = []
    chunk: list[tuple[Source, records.Row, Document]] = []
    size = 0

    def flush() -> None:
        nonlocal chunk, size
        sketched = sketcher([doc for _, _, doc in chunk],
                            [site_of(source, ctx.settings, row.site) for source, row, _ in chunk],
                            f"{spill_path}.{len(out)}" if spill_path else None)
        out.extend(Sketched(source, sk, sha256_of(doc.text), len(doc.text), None, row.number, row.id, row.digest)
                   for (source, row, doc), sk in zip(chunk, sketched))
        chunk, size = [], 0

    for part in parts:
        source = part.source
        fmt, compression = source.kind
        count = 0
        try:
            rows = records.rows(source.file, fmt, compression, fields(ctx.settings), part.span)
            for row in rows if len(parts) == 1 else list(rows):
                count += 1
                if row.text is None:
                    out.append(Skipped(row_path(source, row.number), f"{row.problem}; copied through unchanged"))
                elif row.text.strip():
                    chunk.append((source, row, Document(row_path(source, row.number), source.relpath, row.text)))
                    size += len(row.text)
                    if size >= RECORD_CHUNK:
                        flush()
        except records.RecordError as err:
            if len(parts) == 1:
                return [Skipped(source.path, str(err))]
            out.append(Skipped(source.path, str(err)))
            continue
        files.append(RecordFile(part, count))
    if chunk:
        flush()
    return files + out


@dataclass(frozen=True, slots=True)
class ToWrite:
    """What the writing step needs of a sketched document (not its sketch: sending
    31,000 sketches to the workers took longer than the writing)."""
    source: Source
    sha256: str
    chars: int
    bad_bytes_at: int | None
    lines: int
    unexamined: list[int]
    row: int = 0
    id: str | None = None
    digest: bytes | None = None
    __reduce__ = by_fields

    @classmethod
    def of(cls, item: Sketched) -> "ToWrite":
        return cls(item.source, item.sha256, item.chars, item.bad_bytes_at, item.sketch.lines,
                   item.sketch.unexamined, item.row, item.id, item.digest)


@dataclass(frozen=True, slots=True)
class WriteJob:
    """A read batch to write: text documents, or the document rows of the record files
    or part read (`parts`), their ToWrite in the file `to_write` (see Tabled), each with
    its decision. A part is written beside the file's target (`part_file`), and the parts
    are joined in order once all are written. The report entries of the batch's
    documents go to the file `report_part`. `decisions` is a list, or the file it is
    pickled in (corpus_wide.on_cluster)."""
    to_write: str
    decisions: list[Decision] | str
    parts: tuple[RecordPart, ...]   # none: text files
    mode: str
    stage: str
    report_part: str

    def documents(self) -> list[tuple[ToWrite, Decision]]:
        with open(self.to_write, "rb") as handle:
            items = pickle.load(handle)
        decisions = self.decisions
        if isinstance(decisions, str):
            with open(decisions, "rb") as handle:
                decisions = pickle.load(handle)
        if len(items) != len(decisions):
            raise ValueError(f"{self.to_write}: {len(items)} documents, {len(decisions)} decisions")
        return list(zip(items, decisions))


@dataclass(frozen=True, slots=True)
class Written:
    """What writing a batch leaves for the run: its documents' report entries are in the
    file `report_part` (report.document_lines, `bounds` there), summed up in `tally`;
    `removed` has each document's removed characters (the review page picks by it),
    `sample` the batch's share of the page's sample (sample.of_batch). Arrays, not
    lists: the driver holds them for every document until the report is written."""
    report_part: str
    bounds: np.ndarray     # int64, documents + 1
    removed: np.ndarray    # int64
    sample: dict
    tally: report.Tally
    skipped: list[Skipped]
    chars: int


def part_file(target: Path, part: RecordPart) -> Path:
    """Where a part of a record file is written: the target itself for a whole file."""
    return target if part.count == 1 else target.with_name(f".{target.name}.dedup-part-{part.index:06d}")


def _cleaned(text: str, decision: Decision, judged: Verdicts | None,
             unexamined: Sequence[int] = ()) -> tuple[list, str, str, list]:
    """(spans to remove, the text without them, status, what the verdicts kept);
    `unexamined`: the document's lines too long to examine, which stay (plan.sparing)."""
    decision, kept = verdicts.apply(judged, text, plan.sparing(decision, text, unexamined))
    spans = plan.removals(text, decision)
    cleaned = plan.apply(text, spans)
    status = "kept" if not spans else "cleaned" if cleaned.strip() else "removed"
    if status == "removed":   # only whitespace is left: that goes too, and the report holds it
        spans = plan.cover_whole(text, spans)
    return spans, cleaned, status, kept


def _entry(item: ToWrite, path: str, target: str | None, status: str, spans: list, kept: list = ()) -> DocumentEntry:
    return DocumentEntry(path, item.source.relpath, target, status, item.sha256, item.chars, item.lines,
                         tuple(spans), item.source.path if item.row else None, item.row, item.id,
                         item.bad_bytes_at, tuple(i + 1 for i in item.unexamined), tuple(kept))


UNWRITTEN = "changed or vanished during the run; not written"


def _unwritten(source: Source) -> Skipped:
    return Skipped(source.path, UNWRITTEN)


def write_batch(ctx: Context, job: WriteJob) -> Written:
    """Re-read each document and plan its removals; in write mode also write the
    cleaned text under the staging folder. Each document's report entry goes to the
    job's report part (what could not be written is skipped instead)."""
    entries, skipped = _write_record_files(ctx, job) if job.parts else _write_texts(ctx, job)
    documents = [entry.to_json() for entry in entries]
    data, bounds = report.document_lines(documents)
    with open(job.report_part, "wb") as handle:
        handle.write(data)
    removed = np.fromiter((sum(r["chars"][1] - r["chars"][0] for r in doc["removed"]) for doc in documents), np.int64,
                          len(documents))
    return Written(job.report_part, np.array(bounds, np.int64), removed, sample.of_batch(documents, sample.SIZE),
                   report.Tally(documents), skipped, sum(doc["chars"] for doc in documents))


def _write_texts(ctx: Context, job: WriteJob) -> tuple[list[DocumentEntry], list[Skipped]]:
    out, skipped = [], []
    for item, decision in job.documents():
        doc = corpus.read(item.source, ctx.settings.decode_errors == "keep")
        if isinstance(doc, Skipped) or sha256_of(doc.text) != item.sha256:
            skipped.append(_unwritten(item.source))
            continue
        spans, cleaned, status, kept = _cleaned(doc.text, decision, ctx.verdicts, item.unexamined)
        target = None
        if job.mode == "in-place":
            target = item.source.path if status != "removed" else None
        elif job.mode == "write" and status != "removed":
            corpus.write_new(Path(job.stage) / item.source.relpath, corpus.encode(cleaned))
            target = item.source.relpath
        out.append(_entry(item, item.source.path, target, status, spans, kept))
    return out, skipped


def _write_record_files(ctx: Context, job: WriteJob) -> tuple[list[DocumentEntry], list[Skipped]]:
    """_write_records of each file or part of the job, with its own documents."""
    documents: dict[str, list[tuple[ToWrite, Decision]]] = {part.source.path: [] for part in job.parts}
    for item, decision in job.documents():
        documents[item.source.path].append((item, decision))
    entries, skipped = [], []
    for part in job.parts:
        done, failed = _write_records(ctx, job, part, documents[part.source.path])
        entries.extend(done)
        skipped.extend(failed)
    return entries, skipped


def _write_records(ctx: Context, job: WriteJob, part: RecordPart, documents: list[tuple[ToWrite, Decision]]
                   ) -> tuple[list[DocumentEntry], list[Skipped]]:
    """Re-read a record file or part, plan each document row's removals, and in write
    mode write it again under the staging folder: rows in their order, bad rows as
    they were, the text field cleaned, rows removed whole left out. A JSONL file in
    one pass (_write_jsonl); a Parquet file read, then written."""
    if part.source.kind[0] == "jsonl":
        return _write_jsonl(ctx, job, part, documents)
    source = part.source
    fmt, compression = source.kind
    wanted = {item.row: (item, decision) for item, decision in documents}
    changes: dict[int, str | None] = {}
    out = []
    changed = [], [_unwritten(source)]
    try:
        for row in records.rows(source.file, fmt, compression, fields(ctx.settings), part.span):
            if row.number not in wanted:
                continue
            item, decision = wanted.pop(row.number)
            if row.text is None or sha256_of(row.text) != item.sha256:
                return changed
            spans, cleaned, status, kept = _cleaned(row.text, decision, ctx.verdicts, item.unexamined)
            if spans:
                changes[row.number] = cleaned if status != "removed" else None
            out.append(_entry(item, row_path(source, row.number), _row_target(job, source, status), status, spans,
                              kept))
    except records.RecordError:
        return changed
    if wanted:
        return changed
    if job.mode == "write":
        target = part_file(Path(job.stage) / source.relpath, part)
        target.parent.mkdir(parents=True, exist_ok=True)
        records.write_parquet(source.file, str(target), fields(ctx.settings), changes)
    return out, []


def _row_target(job: WriteJob, source: Source, status: str) -> str | None:
    return source.relpath if job.mode == "write" and status != "removed" else None


class _Changed(Exception):
    """A row is not the one that was read."""


def _write_jsonl(ctx: Context, job: WriteJob, part: RecordPart, documents: list[tuple[ToWrite, Decision]]
                 ) -> tuple[list[DocumentEntry], list[Skipped]]:
    """_write_records of a JSONL file or part, in one pass: a row is known to be the one
    read by its bytes' digest, so a row with nothing to remove is copied as it is,
    never parsed again."""
    source = part.source
    wanted = {item.row: (item, decision) for item, decision in documents}
    settings_fields = fields(ctx.settings)
    out = []

    def edit(number: int, body: bytes):
        if number not in wanted:
            return records.KEEP
        item, decision = wanted.pop(number)
        if records.line_digest(body) != item.digest:
            raise _Changed
        path = row_path(source, number)
        if decision.document is None and not decision.lines:
            out.append(_entry(item, path, _row_target(job, source, "kept"), "kept", []))
            return records.KEEP
        row = records.parse_row(number, body, settings_fields)
        if row.text is None:   # (its bytes are those read: the text is too, its sha256 not computed again)
            raise _Changed
        spans, cleaned, status, kept = _cleaned(row.text, decision, ctx.verdicts, item.unexamined)
        out.append(_entry(item, path, _row_target(job, source, status), status, spans, kept))
        return records.KEEP if not spans else cleaned if status != "removed" else None

    target = part_file(Path(job.stage) / source.relpath, part) if job.mode == "write" else None
    if target is not None:
        target.parent.mkdir(parents=True, exist_ok=True)
    try:
        records.edit_jsonl(source.file, str(target) if target else None, source.kind[1], settings_fields,
                           part.span, edit)
        if wanted:
            raise _Changed
    except (_Changed, records.RecordError):
        if target is not None:
            target.unlink(missing_ok=True)
        return [], [_unwritten(source)]
    return out, []


def diff_batch(ctx: Context, pairs: list[tuple[str, str]]) -> list:
    """The review page's word diffs of these (kept, copy) pairs, made in a worker."""
    return html.word_diffs(pairs)


def verify_batch(ctx: Context, job: verify.Job):
    """A batch of candidate near copies verified (verify.Pairs), or a few bands of the
    documents bucketed (index.Banding), in a worker."""
    return job()
