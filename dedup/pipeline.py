"""The `clean` job end to end: discover, sketch in parallel, classify, write, report.

Per-document work (reading, sketching, writing) runs in a process pool; the
corpus-wide classification runs once in this process. Every result is a function of
the sorted documents alone, so worker count and file order never change the output.
"""
from __future__ import annotations

import hashlib
import multiprocessing
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from . import corpus, lexicon, plan, report
from .classify import Decision, classify
from .config import Settings
from .corpus import Document, Skipped, Source
from .sketch import DocSketch, sketch_many

BATCH = 32
Progress = Callable[[str, int, int], None]

_worker: dict = {}


def _init_worker(settings: Settings) -> None:
    _worker["settings"] = settings
    _worker["lexicon"] = lexicon.load(settings.lexicons)


def _digest(text: str) -> str:
    return hashlib.sha256(corpus.encode(text)).hexdigest()


@dataclass
class Sketched:
    source: Source
    sketch: DocSketch
    sha256: str
    chars: int
    bad_bytes_at: int | None


def _sketch_batch(sources: list[Source]) -> list[Sketched | Skipped]:
    settings, lex = _worker["settings"], _worker["lexicon"]
    read = [(source, corpus.read(source, settings.decode_errors == "keep")) for source in sources]
    docs = [doc for _, doc in read if isinstance(doc, Document)]
    sketches = iter(sketch_many(docs, settings, lex))
    return [doc if isinstance(doc, Skipped) else
            Sketched(source, next(sketches), _digest(doc.text), len(doc.text), doc.bad_bytes_at)
            for source, doc in read]


def _write_batch(jobs: list[tuple[Sketched, Decision, str, str | None]]) -> list[dict]:
    """Re-read each document, drop its spans, write it; return its report entry."""
    settings = _worker["settings"]
    out = []
    for item, decision, mode, out_dir in jobs:
        doc = corpus.read(item.source, settings.decode_errors == "keep")
        if isinstance(doc, Skipped) or _digest(doc.text) != item.sha256:
            out.append({"path": item.source.path, "error": "changed or vanished during the run; not written"})
            continue
        spans = plan.removals(doc.text, decision)
        cleaned = plan.apply(doc.text, spans)
        keeps_text = bool(cleaned.strip())
        status = "removed" if not keeps_text else ("cleaned" if spans else "kept")
        target = None
        if mode == "in-place":
            if spans:
                if keeps_text:
                    corpus.write_atomic(Path(item.source.file), corpus.encode(cleaned), item.source.file, durable=True)
                else:
                    os.unlink(item.source.file)
            target = item.source.path if keeps_text else None
        elif mode == "write" and keeps_text:
            corpus.write_atomic(Path(out_dir) / item.source.relpath, corpus.encode(cleaned))
            target = item.source.relpath
        entry = {
            "path": item.source.path, "output": target, "status": status,
            "sha256": item.sha256, "chars": item.chars, "lines": item.sketch.lines,
            "removed": [s.to_json() for s in spans],
        }
        if item.bad_bytes_at is not None:
            entry["undecodable_byte_at"] = item.bad_bytes_at
        if item.sketch.unexamined:
            entry["unexamined_lines"] = [i + 1 for i in item.sketch.unexamined]
        out.append(entry)
    return out


def _batches(items: list, size: int = BATCH) -> list[list]:
    return [items[i:i + size] for i in range(0, len(items), size)]


def _map(pool, func, batches: list[list], stage: str, total: int, progress: Progress | None) -> Iterable:
    done = 0
    results = pool.imap(func, batches) if pool else map(func, batches)
    for batch, result in zip(batches, results):
        done += len(batch)
        if progress:
            progress(stage, done, total)
        yield from result


def clean(inputs: list[str], settings: Settings, out: str | None, mode: str = "write",
          jobs: int = 0, progress: Progress | None = None) -> dict:
    """Clean the corpus at `inputs`; return the report (also written to out/report.json
    by the caller). `mode` is write, in-place or dry-run."""
    lexicon.load(settings.lexicons)   # a broken user lexicon fails here, before any work
    exclude_out = out if mode != "in-place" else None
    sources, skipped = corpus.discover(inputs, settings.include, settings.exclude, exclude_out)
    if not sources and not skipped:
        raise corpus.InputError(f"no input files ({', '.join(settings.include)}) in {' '.join(inputs)}")
    jobs = jobs or os.cpu_count() or 1
    pool = None
    if jobs > 1 and len(sources) > BATCH:
        pool = multiprocessing.get_context("fork").Pool(jobs, _init_worker, (settings,))
    else:
        _init_worker(settings)
    try:
        sketched: list[Sketched] = []
        for item in _map(pool, _sketch_batch, _batches(sources), "read", len(sources), progress):
            if isinstance(item, Skipped):
                skipped.append(item)
            else:
                sketched.append(item)
        decisions = classify([s.sketch for s in sketched], settings)
        jobs_ = [(s, d, mode, out) for s, d in zip(sketched, decisions)]
        documents = []
        for entry in _map(pool, _write_batch, _batches(jobs_), "write", len(jobs_), progress):
            if "error" in entry:
                skipped.append(Skipped(entry["path"], entry["error"]))
            else:
                documents.append(entry)
    finally:
        if pool:
            pool.close()
            pool.join()
    skipped_json = [{"path": s.path, "reason": s.reason} for s in sorted(skipped, key=lambda s: s.path)]
    return report.build(documents, skipped_json, settings.public(), list(inputs),
                        out if mode == "write" else None, mode)
