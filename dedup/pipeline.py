"""The `clean` job end to end: discover, sketch in parallel, classify, write, report.

Per-document work (reading, sketching, writing) runs on a Runner; the corpus-wide
classification runs once in this process. Every result is a function of the sorted
documents alone, so worker count and file order never change the output.

Everything goes into a staging folder that replaces OUT whole at the end. With
--in-place the report, which lists every span to remove and every original's sha256,
is published (synced to disk) before any input is touched: it is the journal that
`dedup restore` undoes the run from, whatever point the run reached.
"""
from __future__ import annotations

import hashlib
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from . import corpus, html, lexicon, output, plan, report
from .classify import Decision, classify
from .config import Settings
from .corpus import Document, Skipped, Source
from .lexicon import Lexicon
from .runner import Runner, default_jobs, uninterrupted
from .sketch import DocSketch, close_spills, sketch_many, spill

BATCH = 32
SPILL = ".spill"
Progress = Callable[[str, int, int, int], None]   # stage, done, total (0: no count), characters


@dataclass(frozen=True)
class Context:
    """What a worker needs, built once per worker."""
    settings: Settings
    lexicon: Lexicon


def make_context(settings: Settings) -> Context:
    return Context(settings, lexicon.load(settings.lexicons))


def digest(text: str) -> str:
    return hashlib.sha256(corpus.encode(text)).hexdigest()


@dataclass(slots=True)
class Sketched:
    source: Source
    sketch: DocSketch
    sha256: str
    chars: int
    bad_bytes_at: int | None


def sketch_batch(ctx: Context, job: tuple[list[Source], str | None]) -> list[Sketched | Skipped]:
    """Read and sketch a batch of files; with a spill path, their shingles go there."""
    sources, spill_path = job
    read = [(source, corpus.read(source, ctx.settings.decode_errors == "keep")) for source in sources]
    docs = [doc for _, doc in read if isinstance(doc, Document)]
    sketched = sketch_many(docs, ctx.settings, ctx.lexicon)
    if spill_path:
        spill(sketched, spill_path)
    sketches = iter(sketched)
    return [doc if isinstance(doc, Skipped) else
            Sketched(source, next(sketches), digest(doc.text), len(doc.text), doc.bad_bytes_at)
            for source, doc in read]


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

    @classmethod
    def of(cls, item: Sketched) -> "ToWrite":
        return cls(item.source, item.sha256, item.chars, item.bad_bytes_at, item.sketch.lines, item.sketch.unexamined)


def _plan_batch(ctx: Context, jobs: list[tuple[ToWrite, Decision, str, str | None]]) -> list[dict]:
    """Re-read each document and plan its removals; in write mode also write the
    cleaned text under the staging folder. Return each document's report entry."""
    out = []
    for item, decision, mode, stage in jobs:
        doc = corpus.read(item.source, ctx.settings.decode_errors == "keep")
        if isinstance(doc, Skipped) or digest(doc.text) != item.sha256:
            out.append({"path": item.source.path, "error": "changed or vanished during the run; not written"})
            continue
        spans = plan.removals(doc.text, decision)
        cleaned = plan.apply(doc.text, spans)
        status = "kept" if not spans else "cleaned" if cleaned.strip() else "removed"
        if status == "removed":   # only whitespace is left: that goes too, and the report holds it
            spans = plan.cover_whole(doc.text, spans)
        keeps_text = status != "removed"
        target = None
        if mode == "in-place":
            target = item.source.path if keeps_text else None
        elif mode == "write" and keeps_text:
            corpus.write_new(Path(stage) / item.source.relpath, corpus.encode(cleaned))
            target = item.source.relpath
        entry = {
            "path": item.source.path, "relpath": item.source.relpath, "output": target, "status": status,
            "sha256": item.sha256, "chars": item.chars, "lines": item.lines,
            "removed": [s.to_json() for s in spans],
        }
        if item.bad_bytes_at is not None:
            entry["undecodable_byte_at"] = item.bad_bytes_at
        if item.unexamined:
            entry["unexamined_lines"] = [i + 1 for i in item.unexamined]
        out.append(entry)
    return out


def _batches(items: list, size: int = BATCH) -> list[list]:
    return [items[i:i + size] for i in range(0, len(items), size)]


def _map(run: Runner, func, batches: list, stage: str, total: int, progress: Progress | None) -> Iterable:
    done = 0
    for result in run.map(func, batches):
        done += len(result)
        if progress:
            progress(stage, done, total, sum(_chars(item) for item in result))
        yield from result


def _chars(item) -> int:
    return item.chars if isinstance(item, Sketched) else item.get("chars", 0) if isinstance(item, dict) else 0


@dataclass
class InPlace:
    """How far an in-place run got: for the message when it is interrupted."""
    total: int = 0
    done: int = 0
    failed: list = None


def clean(inputs: list[str], settings: Settings, out: Path, mode: str = "write",
          jobs: int = 0, progress: Progress | None = None, force: bool = False,
          state: InPlace | None = None) -> dict:
    """Clean the corpus at `inputs` and publish OUT (cleaned files in write mode,
    report.json and report.html in every mode); return the report. `mode` is write,
    in-place or dry-run."""
    lexicon.load(settings.lexicons)   # a broken user lexicon fails here, before any work
    output.check_target(out, inputs, force)
    found = corpus.discover(inputs, settings.include, settings.exclude)
    if not found.sources and not found.skipped:
        also = f" (dedup output folders are never read: {', '.join(found.outputs)})" if found.outputs else ""
        raise corpus.InputError(f"no input files ({', '.join(settings.include)}) in {' '.join(inputs)}{also}")
    sources, skipped = found.sources, list(found.skipped)
    jobs = default_jobs(jobs) if len(sources) > BATCH else 1
    # workers first, so that none of them inherits the staging folder's lock
    with Runner(jobs, make_context, (settings,)) as run, output.Staging(out) as stage:
        try:
            spills = stage.path / SPILL   # shingles on disk: the corpus-wide steps read only the candidates'
            spills.mkdir()
            batches = [(batch, str(spills / f"{n:06d}.u32")) for n, batch in enumerate(_batches(sources))]
            sketched: list[Sketched] = []
            for item in _map(run, sketch_batch, batches, "read", len(sources), progress):
                if isinstance(item, Skipped):
                    skipped.append(item)
                else:
                    sketched.append(item)
            if progress:
                progress(f"classifying {len(sketched):,} documents", 0, 0, 0)
            decisions = classify([s.sketch for s in sketched], settings)
            close_spills()
            shutil.rmtree(spills)
            jobs_ = [(ToWrite.of(s), d, mode, str(stage.path)) for s, d in zip(sketched, decisions)]
            del sketched   # the sketches are not needed any more
            documents = []
            for entry in _map(run, _plan_batch, _batches(jobs_), "write", len(jobs_), progress):
                if "error" in entry:
                    skipped.append(Skipped(entry["path"], entry["error"]))
                else:
                    documents.append(entry)
            if progress:
                progress("writing the report and the review page", 0, 0, 0)
            result = _report(documents, skipped, found.outputs, settings, inputs, out, mode)
            _write_report(result, stage.path, durable=mode == "in-place")
            with uninterrupted():   # an interrupt after this tells how to undo: both or neither
                stage.publish(durable=mode == "in-place")
                if state is not None and mode == "in-place":   # from here on, inputs may change
                    state.total = sum(1 for d in documents if d["removed"])
        except BaseException:
            run.terminate()   # no worker writes into the staging folder once it is removed
            close_spills()
            raise
    if mode == "in-place":
        state = state if state is not None else InPlace()
        rewrite_inputs(result, state)
        if state.failed:   # the journal must not claim what was not done
            failed = {path for path, _ in state.failed}
            documents = [d for d in documents if d["path"] not in failed]
            skipped += [Skipped(path, reason) for path, reason in state.failed]
            result = _report(documents, skipped, found.outputs, settings, inputs, out, mode)
            _write_report(result, out, durable=True)
    return result


def _report(documents, skipped, outputs, settings, inputs, out, mode) -> dict:
    skipped_json = [{"path": s.path, "reason": s.reason} for s in sorted(skipped, key=lambda s: s.path)]
    result = report.build(documents, skipped_json, settings.public(), list(inputs),
                          out.as_posix() if mode == "write" else None, mode)
    result["outputs_not_read"] = outputs
    return result


def _write_report(result: dict, folder: Path, durable: bool) -> None:
    corpus.write_atomic(folder / "report.json", report.chunks(result), durable=durable)
    html.write(result, folder / "report.html", cleaned_dir=folder)


def rewrite_inputs(result: dict, state: InPlace) -> None:
    """Apply the published journal to the inputs, one file at a time. Each rewrite is
    atomic and synced, and runs with signals held back, so an interrupt lands between
    two files; a file that changed since it was read is left alone."""
    todo = [d for d in result["documents"] if d["removed"]]
    state.total, state.failed = len(todo), []
    for doc in todo:
        file = doc["path"]
        with uninterrupted():
            try:
                data = Path(file).read_bytes()
            except OSError as err:
                state.failed.append((file, f"unreadable when rewriting: {err.strerror}; not rewritten"))
                continue
            if hashlib.sha256(data).hexdigest() != doc["sha256"]:
                state.failed.append((file, "changed during the run; not rewritten"))
                continue
            if doc["status"] == "removed":
                os.unlink(file)
            else:
                text = data.decode("utf-8", "surrogateescape")
                cleaned = plan.apply_json(text, doc["removed"])
                corpus.write_atomic(Path(file), corpus.encode(cleaned), file, durable=True)
            state.done += 1

