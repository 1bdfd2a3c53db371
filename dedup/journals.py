"""The journals an --in-place OUT holds: its own report.json, the newest run's, and those
of the earlier --in-place runs it replaced that removed anything, under EARLIER/NNN/
(oldest first). A run that rewrites the inputs again must not take away the only record
of what an earlier one removed (the dedup-fix hook writes to the same OUT at every
commit): each rewrite stays undoable, newest first.
"""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from . import report_parts

EARLIER = "earlier"
_HEAD_MARKS = (b'\n "documents": ', b'\n "document_parts": ')


def head(path: Path) -> dict | None:
    """A report's fields before its documents (mode, inputs, summary, ...), read without
    its documents; None if it is not a report dedup wrote."""
    data = b""
    try:
        with open(path, "rb") as handle:
            while True:
                block = handle.read(1 << 20)
                data += block
                ends = [data.find(mark) for mark in _HEAD_MARKS if mark in data]
                if ends or not block:
                    break
    except OSError:
        return None
    if not ends:
        return None
    try:
        fields = json.loads(data[:min(ends)].rstrip(b",") + b"\n}")
    except ValueError:
        return None
    return fields if isinstance(fields, dict) else None


def removed_anything(folder: Path) -> bool:
    """Whether folder holds the journal of an --in-place run that removed something."""
    fields = head(folder / "report.json")
    summary = fields.get("summary") if fields else None
    return bool(fields and fields.get("mode") == "in-place" and isinstance(summary, dict)
                and (summary.get("chars_removed") or summary.get("documents_removed")))


def earlier(out: Path) -> list[Path]:
    """The earlier journals OUT holds, oldest first."""
    folder = out / EARLIER
    if not folder.is_dir():
        return []
    return sorted(entry for entry in folder.iterdir() if (entry / "report.json").is_file())


def older(report: Path) -> tuple[Path, int] | None:
    """The journal to restore after `report` (an OUT's own, or one of its earlier ones),
    and how many are left to restore from it on; None if there are none."""
    folder = report.parent
    if folder.parent.name == EARLIER:
        before = [entry for entry in earlier(folder.parent.parent) if entry.name < folder.name]
    else:
        before = earlier(folder)
    return (before[-1] / "report.json", len(before)) if before else None


def keep_earlier(out: Path, stage: Path) -> int:
    """Put OUT's journals (its earlier ones, then its own if it removed anything) under
    stage/EARLIER, numbered oldest first, before the stage replaces OUT; how many.
    Linked, not copied, where the file system allows."""
    out = Path(os.path.realpath(out))
    journals = earlier(out) + ([out] if removed_anything(out) else [])
    for n, journal in enumerate(journals, 1):
        target = stage / EARLIER / f"{n:03d}"
        target.mkdir(parents=True)
        _link(journal / "report.json", target / "report.json")
        parts = journal / report_parts.FOLDER
        if parts.is_dir():
            shutil.copytree(parts, target / report_parts.FOLDER, copy_function=_link)
    return len(journals)


def _link(source: Path | str, target: Path | str) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)
