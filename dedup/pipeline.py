"""The `clean` job end to end: discover, sketch in parallel, classify, write, report.

Per-document work (reading, sketching, writing) runs on a Runner; the corpus-wide
classification runs once, in this process (on Ray, on a process of the cluster:
corpus_wide.py). Every result is a function of the sorted documents alone, so worker
count and file order never change the output.

Everything goes into a staging folder that replaces OUT whole at the end. With
--in-place the report, which lists every span to remove and every original's sha256,
is published (synced to disk) before any input is touched: it is the journal that
`dedup restore` undoes the run from, whatever point the run reached.
"""
from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import os
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

import numpy as np

from . import (backends, budget, corpus, corpus_wide, heap, html, journals, lexicon, output, plan, previous, records,
               report, report_parts, sample, verdicts, verify)
from . import table as tables
from .config import Settings
from .corpus import Skipped, Source
from .progress import Progress
from .runner import Runner, default_jobs
from .signals import Interrupted, uninterrupted, work_done
from .table import close_spills
from .rules.findings import Decision
from .sketch import COMPILED_CHARS
from .stages import (UNWRITTEN, RecordPart, Records, WriteJob, Written, diff_batch, load_kernel, make_context,
                     part_file, resolve_source, sketch_table, verify_batch, write_batch)

SPILL = ".spill"
REPORT_PARTS = ".report-parts"   # the write stage's report entries, joined into report.json
SHARD_BYTES = 16 << 20   # text files are read in batches of about this size, a bigger plain JSONL file in parts
MIN_SHARD_BYTES = 1 << 20
PARTS_PER_WORKER = 4     # so that the workers finish together: the last part is a small share of each one's work
BATCH_FILES = 4096       # the most text files in one batch, however small they are


def sizes_of(sources: list[Source]) -> dict[str, int]:
    """Each input file's size in bytes (0 if it cannot be read: the read stage says why)."""
    sizes = {}
    for source in sources:
        try:
            sizes[source.file] = os.path.getsize(source.file)
        except OSError:
            sizes[source.file] = 0
    return sizes


def largest_text(sources: list[Source], sizes: dict[str, int]) -> tuple[Source | None, int, int]:
    """The largest text file, its bytes and its lines: sketched whole, it sets what one
    process needs however small the batches (budget.sketch_one)."""
    largest = max((s for s in sources if s.is_text), key=lambda s: (sizes[s.file], s.path), default=None)
    if largest is None:
        return None, 0, 0
    return largest, sizes[largest.file], _line_count(largest.file)


def check_sketchable(sources: list[Source], sizes: dict[str, int]) -> None:
    """Raise BudgetError if the largest text file could not be sketched in all of this
    machine's memory (its lines are counted only if that could be so)."""
    most = max((sizes[s.file] for s in sources if s.is_text), default=0)
    if budget.sketch_one(most, most) <= budget.machine_memory():   # not even with a line a byte
        return
    largest, size, lines = largest_text(sources, sizes)
    need = budget.sketch_one(size, lines)
    if need > budget.machine_memory():
        raise budget.BudgetError(budget.too_big(largest.path, need))


def _line_count(file: str) -> int:
    """The lines of a text file (0 if it cannot be read: the read stage says why)."""
    lines = 0
    try:
        with open(file, "rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 24), b""):
                lines += chunk.count(b"\n")
    except OSError:
        return 0
    return lines + 1


def shard_bytes(sources: list[Source], workers: int, sizes: dict[str, int] | None = None) -> int:
    """The size of the batches text files are read in and of the parts plain JSONL files
    are cut into (shard_size of their bytes)."""
    sizes = sizes_of(sources) if sizes is None else sizes
    return shard_size(sum(sizes[s.file] for s in sources if s.kind in (("text", None), ("jsonl", None))), workers)


def shard_size(total: int, workers: int) -> int:
    """SHARD_BYTES, or less, so that `total` bytes make PARTS_PER_WORKER shards for each worker."""
    return min(SHARD_BYTES, max(total // (PARTS_PER_WORKER * max(workers, 1)), MIN_SHARD_BYTES))


def runs_by_size(items: list, sizes: list[int], part_bytes: int) -> list[list]:
    """`items` in order, in runs of at most `part_bytes` by `sizes` (an item bigger than
    that alone) and of at most BATCH_FILES items."""
    runs: list[list] = []
    total = 0
    for item, size in zip(items, sizes):
        if runs and len(runs[-1]) < BATCH_FILES and total + size <= part_bytes:
            runs[-1].append(item)
            total += size
        else:
            runs.append([item])
            total = size
    return runs


def _compiled(sizes: dict[str, int], batches: int) -> bool:
    """Whether the batches, on average, are big enough for the compiled kernel."""
    return sum(sizes.values()) >= batches * COMPILED_CHARS


def _read_batches(sources: list[Source], settings: Settings, part_bytes: int = SHARD_BYTES,
                  sizes: dict[str, int] | None = None) -> list[list[Source] | Records]:
    """Text files in batches of about `part_bytes` (runs_by_size); record files of at
    most that much text likewise, read whole, together; a bigger record file a batch of
    its own or, for a plain JSONL file, parts of about `part_bytes` each; in order."""
    sizes = sizes_of(sources) if sizes is None else sizes
    out: list[list[Source] | Records] = []
    run: list[Source] = []   # text files, or small record files, since the last file of another kind

    def flush() -> None:
        texts = run[0].is_text
        for files in runs_by_size(run, [_text_bytes(s, sizes) for s in run], part_bytes):
            out.append(files if texts else Records(tuple(RecordPart(s, _whole(s)) for s in files)))
        run.clear()

    for source in sources:
        small = source.is_text or _text_bytes(source, sizes) <= part_bytes
        if run and not (small and source.is_text == run[0].is_text):
            flush()
        if small:
            run.append(source)
            continue
        fmt, compression = source.kind
        try:
            spans = records.spans(source.file, part_bytes) if fmt == "jsonl" and compression is None else [None]
        except OSError:   # the read stage says what is wrong with it
            spans = [None]
        out.extend(Records.one(RecordPart(source, span, n, len(spans))) for n, span in enumerate(spans))
    if run:
        flush()
    return out


def _text_bytes(source: Source, sizes: dict[str, int]) -> int:
    """About how many bytes of text a file holds (a compressed or Parquet file more than its own)."""
    fmt, compression = source.kind
    return budget.text_bytes(sizes[source.file], compression is not None or fmt == "parquet")


def _whole(source: Source) -> records.Span | None:
    """The span of a record file read whole (what records.spans gives a small file)."""
    return records.Span(0, None, 1) if source.kind == ("jsonl", None) else None


def _files_done(batch: list[Source] | Records) -> int:
    """The input files a read batch finishes: for the progress shown."""
    return len(batch) if isinstance(batch, list) else sum(part.last for part in batch.parts)


@dataclass(frozen=True)
class _Read:
    """What the run keeps of a read batch until it is written: the record files or part
    it read (none: text files), the file of its documents' ToWrite, and how many."""
    parts: tuple[RecordPart, ...]
    to_write: str
    documents: int


def _check_own_names(sources: list[Source]) -> None:
    """Refuse an input whose cleaned copy would take a name OUT's own files have (its
    report, review page, saved index, marker, or the run's working folders)."""
    own = {"report.json", "report.html", output.MARKER, previous.FOLDER, report_parts.FOLDER, SPILL, REPORT_PARTS,
           corpus_wide.DECISIONS}
    for source in sources:
        top = source.relpath.split("/", 1)[0]
        if top in own:
            raise corpus.InputError(f"{source.path}: its cleaned copy would be OUT/{source.relpath}, where the run "
                                    f"writes its own {top}; rename it, or give a folder above it as the input")


def _write_batches(read: list[_Read], mode: str, stage: Path) -> list[tuple[WriteJob, range]]:
    """A write job per read batch, in corpus order, with the range of its documents in
    the table (the read batches' documents, in order), its decisions not yet filled in
    (see _with_decisions); none for text files that were all skipped. Each job's report
    entries go to a file of its own under REPORT_PARTS."""
    jobs, first = [], 0
    for batch in read:
        if batch.documents or batch.parts:
            jobs.append((WriteJob(batch.to_write, [], batch.parts, mode, str(stage),
                                  str(stage / REPORT_PARTS / f"{len(jobs):06d}.json")),
                         range(first, first + batch.documents)))
        first += batch.documents
    return jobs


def _with_decisions(writes: list[tuple[WriteJob, range]], decisions) -> Iterator[WriteJob]:
    """Each write job with its documents' decisions, made when a worker is ready for
    it: the run holds the decisions of the jobs in flight, not every document's."""
    for job, documents in writes:
        yield dataclasses.replace(job, decisions=decisions.of(np.arange(documents.start, documents.stop)))


def _copies_kept(run: Runner, writes: list[tuple[WriteJob, range]], written: list[Written], decisions,
                 rounds: int = 3) -> list[Written]:
    """The write jobs again whose documents repeat one that changed or vanished before it
    was written (stages.UNWRITTEN): the copy goes with its original, or its text is in no
    file of OUT. Each such removal is dropped, and the job written again; until no other
    original went, at most `rounds` times."""
    for _ in range(rounds):
        gone = {s.path for batch in written for s in batch.skipped if s.reason == UNWRITTEN}
        if not gone:
            break
        redo = {}
        for n, (job, documents) in enumerate(writes):
            found = decisions.of(np.arange(documents.start, documents.stop))
            kept = [_without_copies_of(decision, gone) for decision in found]
            if any(a is not b for a, b in zip(found, kept)):
                redo[n] = dataclasses.replace(job, decisions=kept)
        if not redo:
            break
        for n, again in zip(redo, run.map(write_batch, list(redo.values()))):
            written[n] = again
    return written


def _without_copies_of(decision: Decision, gone: set[str]) -> Decision:
    """The decision without the removals of copies whose original is among `gone`
    (the same object when there are none)."""
    def of_gone(finding) -> bool:
        original = finding.evidence.get("original") if finding is not None else None
        return isinstance(original, dict) and original.get("path") in gone
    document = None if of_gone(decision.document) else decision.document
    lines = {line: f for line, f in decision.lines.items() if not of_gone(f)}
    if document is decision.document and len(lines) == len(decision.lines):
        return decision
    return Decision(document, lines)


def _mapped(run: Runner, func, batches: list, stage: str, total: int, progress: Progress | None,
            counts: list[int], chars) -> Iterable:
    """func over the batches, in order; the progress counts `counts[i]` for batch i and
    the characters `chars(result)`."""
    done = 0
    for n, result in enumerate(run.map(func, batches)):
        done += counts[n]
        if progress:
            progress(stage, done, total, chars(result))
        yield result


class _Meanwhile:
    """func(*args) in a thread of its own (`thread`), or at once: work for this process
    while its workers do theirs. `result()` waits for it and raises what it raised."""

    def __init__(self, thread: bool, func, *args):
        self._error: BaseException | None = None
        self._thread = None   # (a thread holds its arguments until it has run: none is made to run nothing)
        if thread:
            self._thread = threading.Thread(target=self._run, args=(func, args), daemon=True)
            self._thread.start()
        else:
            func(*args)

    def _run(self, func, args) -> None:
        try:
            func(*args)
        except BaseException as err:   # raised again by result(), in the caller's thread
            self._error = err
        finally:   # the thread's heap (an arena of its own) would keep its freed pages until the run's end
            heap.release()

    def wait(self) -> None:
        if self._thread is not None:
            self._thread.join()

    def result(self) -> None:
        self.wait()
        if self._error is not None:
            raise self._error


@dataclass
class InPlace:
    """How far an in-place run got: for the message when it is interrupted."""
    total: int = 0
    done: int = 0
    failed: list = None


def clean(inputs: list[str], settings: Settings, out: Path, mode: str = "write",
          jobs: int = 0, progress: Progress | None = None, force: bool = False,
          state: InPlace | None = None, backend: str = "local", address: str | None = None,
          against: str | None = None, memory: int | None = None) -> dict:
    """Clean the corpus at `inputs` and publish OUT (cleaned files in write mode,
    report.json and report.html in every mode); return the report. `mode` is write,
    in-place or dry-run. `memory`: the bytes the run's processes may hold together
    (budget.py; default: budget.default_memory())."""
    lexicon.load(settings.lexicons)   # a broken user lexicon fails here, before any work
    judged = verdicts.load(settings.verdicts) if settings.verdicts else None   # and a bad verdicts file
    output.check_target(out, inputs, force)
    found = corpus.discover(inputs, settings.include, settings.exclude, settings.format)
    if not found.sources and not found.skipped:
        also = f" (dedup output folders are never read: {', '.join(found.outputs)})" if found.outputs else ""
        raise corpus.InputError(f"no input files ({', '.join(settings.include)}) in {' '.join(inputs)}{also}")
    sources, skipped = found.sources, list(found.skipped)
    if mode == "write":
        _check_own_names(sources)
    settings = resolve_source(sources, settings)
    if mode == "in-place":
        held = [s.path for s in sources if not s.is_text]
        if held:
            raise corpus.InputError(f"{held[0]}: --in-place rewrites text files only; "
                                    "write JSONL and Parquet corpora to -o")
    local = backend == "local"   # on a cluster the workers' memory is theirs; the budget is this machine's
    before = previous.load(against, settings) if against else None   # (a damaged index fails here, before any work)
    if not local:
        before = None   # the corpus-wide step loads it where it runs
    sizes = sizes_of(sources)
    largest, largest_bytes, largest_lines = largest_text(sources, sizes)
    fits = budget.plan(memory or budget.default_memory(), default_jobs(jobs) if local else 1,
                       shard_bytes(sources, default_jobs(jobs), sizes),
                       sum(_text_bytes(s, sizes) for s in sources), largest_bytes, largest_lines)
    if memory and not fits.fits:
        raise budget.BudgetError(budget.too_little(memory, fits))
    if not memory and local and fits.one_file > budget.machine_memory():
        raise budget.BudgetError(budget.too_big(largest.path, fits.one_file))
    read_batches = _read_batches(sources, settings, fits.shard_bytes, sizes)
    if local:
        jobs = min(fits.jobs, len(read_batches)) if len(read_batches) > 1 else 1
        if jobs > 1 and _compiled(sizes, len(read_batches)):
            load_kernel(settings)   # once here, before the workers are forked, not once in each
    elif jobs > len(read_batches):   # no more workers than batches to give them
        jobs = max(len(read_batches), 1)
    # workers first, so that none of them inherits the staging folder's lock
    with backends.runner(backend, jobs, make_context, (settings,), address) as run, output.Staging(out) as stage:
        saving = None
        try:
            spills = stage.path / SPILL   # shingles on disk: the corpus-wide steps read only the candidates'
            spills.mkdir()
            batches = [(batch, str(spills / f"{n:06d}.u32")) for n, batch in enumerate(read_batches)]
            read: list[_Read] = []
            parts: list[tables.Table] = []
            for result in _mapped(run, sketch_table, batches, "read", len(sources), progress,
                                  [_files_done(batch) for batch in read_batches], lambda result: result.chars):
                parts.append(result.table)
                read_parts = []
                for item in result.items:
                    if isinstance(item, Skipped):
                        skipped.append(item)
                    else:   # a record file or part the batch read
                        read_parts.append(item.part)
                read.append(_Read(tuple(read_parts), result.to_write, result.documents))
            read, skipped, keep = _whole_files(read, skipped)
            total = sum(batch.documents for batch in read)
            if progress:
                progress(f"classifying {total:,} documents", 0, 0, 0)
            step = corpus_wide.CorpusWide(parts, keep, str(spills / "table"), fits.table_bytes, settings)
            del parts, keep
            (stage.path / REPORT_PARTS).mkdir()
            writes = _write_batches(read, mode, stage.path)
            if local:
                table, decisions = corpus_wide.decide(step, before, _pooled_verifier(run))
                # the index is saved while the workers write (in this process: before they do)
                saving = _Meanwhile(run.parallel, previous.save, stage.path, tables.for_index(table), decisions,
                                    settings, before)
                del table
                to_write = _with_decisions(writes, decisions)
            else:   # on the cluster, which saves each write job's decisions and the index
                run.on_cluster(corpus_wide.on_cluster, step, against, [documents for _, documents in writes],
                               str(stage.path), verify_batch)
                decisions = None
                to_write = (dataclasses.replace(job, decisions=corpus_wide.decisions_file(str(stage.path), n))
                            for n, (job, _) in enumerate(writes))
            del before, step
            written = list(_mapped(run, write_batch, to_write, "write", total, progress,
                                   [len(documents) for _, documents in writes], lambda w: w.chars))
            if decisions is not None:
                written = _copies_kept(run, writes, written, decisions)
            del decisions, to_write
            if saving is not None:
                saving.result()
            heap.release()
            close_spills()
            shutil.rmtree(spills)
            shutil.rmtree(stage.path / corpus_wide.DECISIONS, ignore_errors=True)
            for batch in written:
                skipped.extend(batch.skipped)
            written, skipped = _join_parts([job for job, _ in writes], written, skipped, stage.path, mode)
            if progress:
                progress("writing the report and the review page", 0, 0, 0)
            tally = report.Tally()
            for batch in written:
                tally += batch.tally
            result = _report(tally, skipped, found.outputs, settings, inputs, out, mode)
            if judged is not None:
                result["verdicts"] = verdicts.section(judged, tally.kept_by_verdict)
            _write_report(result, stage.path, written, durable=mode == "in-place", differ=_pooled_diffs(run),
                          mapper=run.map)
            shutil.rmtree(stage.path / REPORT_PARTS)
            if mode == "in-place":   # the journals of earlier --in-place runs into OUT are kept
                journals.keep_earlier(out, stage.path)
            try:
                with uninterrupted():   # an interrupt after this tells how to undo: both or neither
                    stage.publish(durable=mode == "in-place")
                    if state is not None and mode == "in-place":   # from here on, inputs may change
                        state.total = sum(int(np.count_nonzero(batch.removed)) for batch in written)
                    elif mode != "in-place":
                        work_done()
            except Interrupted:
                if mode == "in-place" or not stage.published:   # (a failed swap: the signal stood in for its error)
                    raise
                # it came while OUT was being swapped in: OUT is this run's, whole, and the run is over
        except BaseException:
            run.terminate()   # no worker writes into the staging folder once it is removed
            if saving is not None:
                saving.wait()
            close_spills()
            raise
    if mode == "in-place":
        state = state if state is not None else InPlace()
        journal = report.load(out / "report.json")
        rewrite_inputs(journal, state)
        if state.failed:   # the journal must not claim what was not done
            failed = {path for path, _ in state.failed}
            journal["documents"] = [d for d in journal["documents"] if d["path"] not in failed]
            journal["skipped"] = _skipped_json(skipped + [Skipped(path, reason) for path, reason in state.failed])
            journal["summary"] = report.summarize(journal["documents"], journal["skipped"])
            corpus.write_atomic(out / "report.json", report.chunks(journal), durable=True)
            shutil.rmtree(out / report_parts.FOLDER, ignore_errors=True)   # the journal is now whole in one file
            html.write(journal, out / "report.html", cleaned_dir=out)
        work_done()
        return journal
    del result["documents"]   # they are in report.json (api.Report reads them from there when asked)
    return result


def _whole_files(read: list[_Read], skipped: list[Skipped]) -> tuple[list[_Read], list[Skipped], np.ndarray | None]:
    """A record file one of whose parts could not be read is skipped whole: its other
    parts' rows are left out too (of the table too: the documents to keep of it, None
    if all), and it is listed once."""
    skipped = list(dict.fromkeys(skipped))   # every part of a file may say the same (a compressed file named .jsonl)
    broken = {s.path for s in skipped} & {part.source.path for batch in read for part in batch.parts}
    if not broken:
        return read, skipped, None

    def whole(batch: _Read) -> bool:
        return not any(part.source.path in broken for part in batch.parts)
    kept, first = [], 0
    for batch in read:
        if whole(batch):
            kept.append(np.arange(first, first + batch.documents))
        first += batch.documents
    read = [batch for batch in read if whole(batch)]
    return read, _listed_once(skipped, broken), np.concatenate([np.empty(0, np.int64), *kept])


def _listed_once(skipped: list[Skipped], files: set[str]) -> list[Skipped]:
    """`skipped` with each of `files` listed once, with its first reason, and none of
    its rows (bad rows of a file that is not written are not copied through)."""
    listed: set[str] = set()
    out = []
    for item in skipped:
        file, _, row = item.path.rpartition(":")
        if item.path in files:
            if item.path not in listed:
                listed.add(item.path)
                out.append(item)
        elif not (file in files and row.isdigit()):
            out.append(item)
    return out


def _join_parts(writes: list[WriteJob], written: list[Written], skipped: list[Skipped], stage: Path,
                mode: str) -> tuple[list[Written], list[Skipped]]:
    """The parts of each record file written in parts, joined in order into its target.
    A file one of whose parts could not be written is not written at all: its rows are
    left out of the report and it is listed once, as a whole file is."""
    parts: dict[str, list] = {}
    for job in writes:
        for part in job.parts:
            if part.count > 1:
                parts.setdefault(part.source.path, []).append(part)
    if not parts:
        return written, skipped
    failed = {s.path for s in skipped} & set(parts)
    for path, file_parts in parts.items():
        target = stage / file_parts[0].source.relpath
        pieces = [part_file(target, part) for part in file_parts]
        if mode == "write" and path not in failed:
            with open(target, "wb") as joined:
                for piece in pieces:
                    with open(piece, "rb") as handle:
                        _append(handle, joined)
        for piece in pieces:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(piece)
    written = [batch for job, batch in zip(writes, written) if not any(p.source.path in failed for p in job.parts)]
    return written, _listed_once(skipped, failed)


def _append(source, target) -> None:
    """Copy a whole file's bytes to the end of another, in the kernel where it can."""
    try:
        while os.copy_file_range(source.fileno(), target.fileno(), 1 << 30):
            pass
    except OSError:   # a file system without it: through this process
        shutil.copyfileobj(source, target, 1 << 20)


def _path_order(path: str) -> tuple[str, int]:
    """Paths in order, a file's rows ("data.jsonl:9") by row number."""
    file, _, row = path.rpartition(":")
    return (file, int(row)) if file and row.isdigit() else (path, 0)


def _skipped_json(skipped: list[Skipped]) -> list[dict]:
    return [{"path": s.path, "reason": s.reason} for s in sorted(skipped, key=lambda s: _path_order(s.path))]


def _report(tally: report.Tally, skipped, outputs, settings, inputs, out, mode) -> dict:
    """The report without its documents (they are in the write stage's report parts)."""
    result = report.build([], _skipped_json(skipped), settings.public(), list(inputs),
                          out.as_posix() if mode == "write" else None, mode)
    result["summary"] = tally.summary(len(skipped))
    result["outputs_not_read"] = outputs
    return result


def _here(func, jobs):
    return (func(None, job) for job in jobs)


def _write_report(result: dict, folder: Path, written: list[Written], durable: bool,
                  differ=html.word_diffs, mapper=_here) -> None:
    """report.json, its documents joined from the report parts (or, past
    report_parts.PARTS_ABOVE, compressed in parts beside it by `mapper`'s workers); and
    the review page, of the documents html.listed picks or those holding the sample the
    batches drew, read back from them (its word diffs by `differ`)."""
    parts = [Path(batch.report_part) for batch in written]
    if sum(int(batch.bounds[-1]) for batch in written) > report_parts.PARTS_ABOVE:
        listing = report_parts.write(folder, [str(p) for p in parts], [batch.bounds for batch in written],
                                     mapper, durable)
        corpus.write_atomic(folder / "report.json", report.chunks(report.in_parts(result, listing)),
                            durable=durable)
    else:
        corpus.write_atomic(folder / "report.json", report.chunks(result, parts), durable=durable)
    drawn = None
    if html.sampled([batch.removed for batch in written]):
        drawn = sample.Sample(sample.SIZE)
        for n, batch in enumerate(written):
            drawn.add(n, batch.sample)
        at = list(drawn.removals())
        picked = [[doc for b, doc in at if b == n] for n in range(len(written))]
    else:
        picked = html.listed([batch.removed for batch in written])
    documents, paths = [], {}
    for n, (batch, chosen) in enumerate(zip(written, picked)):
        if chosen:
            with open(batch.report_part, "rb") as handle:
                data = handle.read()
            for i in chosen:
                documents.append(report.entry(data[int(batch.bounds[i]):int(batch.bounds[i + 1])]))
                paths[n, i] = documents[-1]["path"]
    html.write({**result, "documents": documents}, folder / "report.html", cleaned_dir=folder, picked=True,
               differ=differ, drawn=drawn and drawn.drawn(paths))


def _pooled_verifier(run) -> verify.Verifier:
    """Candidate near copies verified by the run's workers, a batch of pairs each (they
    read the candidates' shingles from the spill files); this process folds the
    verified edges into clusters as the batches come back, in order."""
    if not run.parallel:
        return verify.here
    return lambda jobs: run.map(verify_batch, jobs)


DIFF_PAIRS = 32   # fewer word diffs than this are made in this process


def _pooled_diffs(run):
    """The review page's word diffs made by the run's workers, a share each: the page is
    otherwise built by this process alone while they wait."""
    def differ(pairs: list[tuple[str, str]]) -> list:
        if not run.parallel or len(pairs) <= DIFF_PAIRS:
            return html.word_diffs(pairs)
        jobs = _shares(pairs, PARTS_PER_WORKER * run.jobs)
        return [diff for done in run.map(diff_batch, jobs) for diff in done]
    return differ


def _shares(pairs: list[tuple[str, str]], parts: int) -> list[list[tuple[str, str]]]:
    """The pairs in order, cut into at most `parts` runs of about the same length of
    text: few jobs, so that sending them costs little, and even, so that the workers
    finish together."""
    ends = np.cumsum([len(old) + len(new) for old, new in pairs])
    cuts = np.searchsorted(ends, ends[-1] * np.arange(1, parts) / parts, side="right")
    bounds = sorted({0, *cuts.tolist(), len(pairs)})
    return [pairs[lo:hi] for lo, hi in zip(bounds, bounds[1:]) if hi > lo]


def rewrite_inputs(result: dict, state: InPlace) -> None:
    """Apply the published journal to the inputs, one file at a time. Each rewrite is
    atomic and synced, and runs with signals held back, so an interrupt lands between
    two files; a file that changed since it was read, or that cannot be written, is
    left alone and listed (`state.failed`)."""
    todo = [d for d in result["documents"] if d["removed"]]
    state.total, state.failed = len(todo), []
    for doc in todo:
        file = doc["path"]
        with uninterrupted():
            if os.path.islink(file):   # its target is no input (one is read under its own name)
                state.failed.append((file, "a symbolic link to a file outside the inputs; --in-place writes neither "
                                           "over the link nor through it: left as it was (clean it with -o)"))
                continue
            try:
                data = Path(file).read_bytes()
            except OSError as err:
                state.failed.append((file, f"unreadable when rewriting: {err.strerror}; not rewritten"))
                continue
            if hashlib.sha256(data).hexdigest() != doc["sha256"]:
                state.failed.append((file, "changed during the run; not rewritten"))
                continue
            try:
                if doc["status"] == "removed":
                    os.unlink(file)
                else:
                    text = data.decode("utf-8", "surrogateescape")
                    cleaned = plan.apply_json(text, doc["removed"])
                    corpus.write_atomic(Path(file), corpus.encode(cleaned), file, durable=True)
            except OSError as err:   # (a read-only folder, a full disk): this file stays as it was
                state.failed.append((file, f"could not be {'deleted' if doc['status'] == 'removed' else 'rewritten'}"
                                           f": {err.strerror or err}; left as it was"))
                continue
            state.done += 1

