"""The per-document stages, run by a Runner in worker processes (or in this one):
read and sketch a batch of files; re-read, cut and write a batch of documents.
Pure functions of their explicit inputs (a Context built once per worker, and the
batch), shared by `clean` (pipeline.py) and `check` (check.py)."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from . import corpus, lexicon, plan
from .classify import Decision
from .config import Settings
from .corpus import Document, Skipped, Source
from .lexicon import Lexicon
from .sketch import DocSketch, sketch_many, spill

BATCH = 32   # files per batch: small enough to spread, big enough for the compiled kernel


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


def plan_batch(ctx: Context, jobs: list[tuple[ToWrite, Decision, str, str | None]]) -> list[dict]:
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
