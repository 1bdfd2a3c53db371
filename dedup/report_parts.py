"""report.json of a large run: its documents list in compressed parts beside it.

Up to PARTS_ABOVE bytes of documents, report.json holds them itself. Above, report.json
holds "document_parts" where "documents" would be: a list of {"file", "documents",
"bytes"}, each file (report.documents/NNNNN.json.zst beside report.json) the next
documents of the list as a JSON array, zstd-compressed (`zstd -dc FILE` reads it),
"bytes" its size uncompressed. A report a person opens stays small; the documents are
a third of their size on disk; and `report.load` reads both forms.

The parts are cut at the first document end past PART_BYTES of the list, so they are
the same whatever batches wrote the documents; each is compressed by a worker.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Callable, Iterator

import numpy as np

PARTS_ABOVE = 256 << 20   # bytes of documents report.json holds itself
PART_BYTES = 64 << 20     # bytes of documents (uncompressed) per part
FOLDER = "report.documents"
CODEC = "zstd"
CHUNK = 4 << 20
_SEP = b",\n"


def plan(bounds: list[list[int]], part_bytes: int) -> list[list[tuple[int, int, int]]]:
    """Where each part's documents are in the batches' report parts (report.document_lines,
    whose n + 1 `bounds` each batch gives): per part, its (batch, first, end) documents.
    A document's size is counted without the separator before it, which depends on
    where its batch began."""
    sizes = [np.diff(np.asarray(b, dtype=np.int64)) for b in bounds]
    for s in sizes:
        s[1:] -= len(_SEP)
    starts = np.cumsum([0] + [len(s) for s in sizes])
    ends = np.cumsum(np.concatenate(sizes)) if starts[-1] else np.zeros(0, np.int64)
    parts, first = [], 0
    while first < len(ends):
        base = ends[first - 1] if first else 0
        last = int(np.searchsorted(ends, base + part_bytes, side="left"))   # the document that reaches the size
        end = min(last + 1, len(ends))
        ranges = []
        for batch in range(len(bounds)):
            lo, hi = max(first, starts[batch]), min(end, starts[batch + 1])
            if lo < hi:
                ranges.append((batch, int(lo - starts[batch]), int(hi - starts[batch])))
        parts.append(ranges)
        first = end
    return parts


def part_name(n: int) -> str:
    return f"{FOLDER}/{n:05d}.json.zst"


def write_part(context, job: tuple[str, list[tuple[str, int, int]], bool]) -> int:
    """One part, in a worker: `job` is (its path, the byte ranges of the report parts
    that hold its documents, whether to sync it to disk). Returns its size uncompressed."""
    import pyarrow as pa   # here: reading a small report never pays for it
    path, ranges, durable = job
    size = 0
    with pa.CompressedOutputStream(path, CODEC) as sink:
        for n, (file, lo, hi) in enumerate(ranges):
            with open(file, "rb") as handle:
                handle.seek(lo)
                if handle.read(len(_SEP)) != _SEP:   # the batch's first document: no separator before it
                    handle.seek(lo)
                size += sink.write(b"[\n" if not n else _SEP)
                left = hi - handle.tell()
                while left > 0:   # a few MB at a time: the part is never in memory whole
                    chunk = handle.read(min(left, CHUNK))
                    if not chunk:
                        raise OSError(f"{file} ends before its listed documents do")
                    size += sink.write(chunk)
                    left -= len(chunk)
        size += sink.write(b"\n]\n")
    if durable:
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    return size


def write(folder: Path, files: list[str], bounds: list[list[int]], mapper: Callable[..., Iterator],
          durable: bool) -> list[dict]:
    """The documents of the batches' report parts (`files`, `bounds`) as parts under
    `folder`; their listing for report.json, in order."""
    (folder / FOLDER).mkdir(exist_ok=True)
    parts = plan(bounds, PART_BYTES)
    jobs = []
    for n, ranges in enumerate(parts):
        byte_ranges = [(files[b], int(bounds[b][lo]), int(bounds[b][hi])) for b, lo, hi in ranges]
        jobs.append((str(folder / part_name(n)), byte_ranges, durable))
    listing = []
    for n, (ranges, size) in enumerate(zip(parts, mapper(write_part, jobs))):
        listing.append({"file": part_name(n), "documents": sum(hi - lo for _, lo, hi in ranges), "bytes": size})
    return listing


def read(folder: Path, listing) -> list[dict]:
    """The documents of a report in parts, back as one list. A part that is missing,
    damaged or not what report.json says raises ValueError with one line."""
    import pyarrow as pa
    if not isinstance(listing, list):
        raise ValueError("its document_parts is not a list")
    documents = []
    for entry in listing:
        if not isinstance(entry, dict) or not isinstance(entry.get("file"), str):
            raise ValueError("its document_parts lists something that is not a part")
        name = entry["file"]
        if Path(name).is_absolute() or ".." in Path(name).parts:
            raise ValueError(f"its part {name} is outside its folder")
        path = folder / name
        try:
            with pa.CompressedInputStream(str(path), CODEC) as source:
                data = source.read()
        except FileNotFoundError:
            raise ValueError(f"its part {name} is missing") from None
        except (OSError, pa.ArrowException) as err:
            raise ValueError(f"its part {name} cannot be read ({str(err).splitlines()[0]})") from None
        if len(data) != entry.get("bytes"):
            raise ValueError(f"its part {name} holds {len(data):,} bytes, not the {entry.get('bytes')} it lists")
        try:
            part = json.loads(data)
        except (json.JSONDecodeError, UnicodeDecodeError) as err:
            raise ValueError(f"its part {name} is not JSON ({err})") from None
        if not isinstance(part, list) or len(part) != entry.get("documents"):
            raise ValueError(f"its part {name} does not hold the {entry.get('documents')} documents it lists")
        documents.extend(part)
    return documents
