"""`dedup restore`: the original corpus back, byte for byte, from a report.

A report lists every removed span and each original's sha256, so an original can be
had from its file if that is unchanged, from the cleaned file plus the spans, or from
the report alone for a document removed whole. That is enough to undo an --in-place
run wherever it stopped (file not yet rewritten, rewritten, deleted), and to rebuild
the originals of a normal run elsewhere (`--to DIR`). Every rebuilt text is checked
against its sha256 before it is written.
"""
from __future__ import annotations

import filecmp
import os
import shutil
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .. import corpus, records
from ..errors import DedupError
from ..originals import original_of, read_text, sha256_of


class RestoreError(DedupError, ValueError):
    """The report cannot be restored from as asked."""


@dataclass(frozen=True)
class Restored:
    """What restore did with one document (or record file)."""
    path: str
    state: str          # restored, original (nothing to do) or failed
    reason: str = ""    # for failed: why


def _roots(inputs: list, base: Path) -> set[str]:
    """The run's inputs as restore in place compares paths with them: resolved whole,
    and with their folders resolved only (an input given as a link)."""
    return {root for given in inputs
            for root in (os.path.realpath(base / str(given)), _unlinked(base / str(given)))}


def _target(doc: dict, to: Path | None, base: Path, roots: set[str]) -> Path | None:
    """Where a document is restored to; None when that is outside the folder it belongs
    in (under `to`; in place, inside one of the run's inputs, `roots`): a report edited
    to name other files never makes restore write them."""
    if to is None:
        target = base / doc["path"]
        real = _unlinked(target)
        if any(real == root or real.startswith(root.rstrip(os.sep) + os.sep) for root in roots):
            return target
        return None
    rel = PurePosixPath(doc.get("relpath") or doc.get("output") or PurePosixPath(doc["path"]).name)
    if rel.is_absolute() or ".." in rel.parts:
        return None
    return to / rel


def _unlinked(path: Path) -> str:
    """`path` with its folders resolved but not itself: a symlinked file of the corpus is
    restored where it is (written over by a rename, never through the link)."""
    return os.path.join(os.path.realpath(path.parent), path.name)


def _remove_temporaries(target: Path) -> None:
    """Temporary files a killed rewrite of `target` left beside it."""
    try:
        names = os.listdir(target.parent)
    except OSError:
        return
    for name in names:
        if name.startswith(corpus.temporary_prefix(target.name)) and name.endswith(".tmp"):
            try:
                os.unlink(target.parent / name)
            except OSError:
                pass


def restore(report: dict, report_dir: Path, base: Path = Path("."), to: Path | None = None) -> list[Restored]:
    """Bring back every document of `report`: in place (an --in-place run) or under `to`,
    where a file that is there with other content is never written over."""
    if to is not None and os.path.exists(to) and not os.path.isdir(to):
        raise RestoreError(f"--to {to}: not a folder")
    mode = report.get("mode")
    hint = _elsewhere(report, base) if to is None else ""
    outcomes = []
    rows: dict[str, list[dict]] = {}
    roots = _roots(report.get("inputs", []), base) if to is None else set()
    for doc in report.get("documents", []):
        if doc.get("row"):
            rows.setdefault(doc["file"], []).append(doc)
            continue
        target = _target(doc, to, base, roots)
        if target is None:
            outcomes.append(Restored(doc["path"], "failed", "its path leads out of the target folder"
                                     if to is not None else "its path is not inside the run's inputs"))
            continue
        current = read_text(target)
        if current is not None and sha256_of(current) == doc.get("sha256"):
            outcomes.append(Restored(doc["path"], "original"))
            _remove_temporaries(target)
            continue
        if to is not None and os.path.lexists(target):
            outcomes.append(Restored(doc["path"], "failed", f"{target} is there already, with other content; "
                                                            "not overwritten"))
            continue
        if to is None and doc.get("status") == "removed" and os.path.lexists(target):
            outcomes.append(Restored(doc["path"], "failed", "the run deleted it, and another file is there now "
                                                            "(made since the run?); not overwritten"))
            continue
        text, why = original_of(doc, base, report_dir, mode)
        if text is None:
            outcomes.append(Restored(doc["path"], "failed", why + hint))
            continue
        mode_from = str(target) if target.exists() else None
        try:
            corpus.write_atomic(target, corpus.encode(text), mode_from, durable=True)
        except OSError as err:
            outcomes.append(Restored(doc["path"], "failed", f"cannot be written: {err.strerror or err}"))
            continue
        _remove_temporaries(target)
        outcomes.append(Restored(doc["path"], "restored"))
    elsewhere = _elsewhere(report, base)   # (a record file's original is its input, wherever --to is)
    for file, docs in rows.items():
        outcomes.append(_restore_records(file, docs, base, to, report.get("settings", {}), elsewhere))
    if to is not None:
        for file in _without_documents(report, rows):
            outcomes.append(_restore_copied(file, base, to, report_dir, report.get("inputs", []), elsewhere))
    return outcomes


def _without_documents(report: dict, rows: dict) -> list[str]:
    """The record files the run copied through whole: all their rows bad (listed as
    FILE:ROW under `skipped`), none a document."""
    files = []
    for item in report.get("skipped", []):
        file, _, row = str(item.get("path", "")).rpartition(":")
        if row.isdigit() and file and file not in rows and str(item.get("reason", "")).endswith(
                "copied through unchanged") and file not in files:
            files.append(file)
    return files


def _relpath(file: str, inputs: list) -> str | None:
    """Where discovery put `file` under OUT: its path under the input folder it was
    found in, or its name if it was named itself (None: under no input)."""
    for given in map(str, inputs):
        folder = given.rstrip("/")
        if file == folder:
            return PurePosixPath(file).name
        if folder in (".", "") or file.startswith(folder + "/"):
            return file if folder in (".", "") else file[len(folder) + 1:]
    return None


def _restore_copied(file: str, base: Path, to: Path, report_dir: Path | None, inputs: list, hint: str) -> Restored:
    """A record file the run copied through whole, copied under `to` from its input if
    that is the same as the run's copy in OUT (what checks it: no row of it is in the
    report)."""
    rel = _relpath(file, inputs)
    if rel is None or PurePosixPath(rel).is_absolute() or ".." in PurePosixPath(rel).parts:
        return Restored(file, "failed", "its path leads out of the target folder")
    source, copy, target = base / file, (report_dir / rel) if report_dir is not None else None, to / rel
    if copy is None or not copy.is_file():
        return Restored(file, "failed", "all its rows were bad rows, and OUT holds no copy to check its input against")
    if not source.is_file() or not filecmp.cmp(source, copy, shallow=False):
        return Restored(file, "failed", "the input changed or is gone (all its rows were bad rows: the run "
                                        "copied it through whole)" + hint)
    return _copied(file, source, target)


def _copied(file: str, source: Path, target: Path) -> Restored:
    """A record file's input copied to `target` under --to, where nothing or the same is."""
    if os.path.lexists(target):
        if not os.path.islink(target) and filecmp.cmp(source, target, shallow=False):
            return Restored(file, "original")
        return Restored(file, "failed", f"{target} is there already, with other content; not overwritten")
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    return Restored(file, "restored")


def _elsewhere(report: dict, base: Path) -> str:
    """What a reason adds when none of the run's inputs is under `base`: restore was run
    from another folder than the run (or the whole corpus is gone)."""
    inputs = [str(given) for given in report.get("inputs", [])]
    if not inputs or any(os.path.lexists(base / given) for given in inputs):
        return ""
    where = "the current folder" if base == Path(".") else base.as_posix()
    return f" (none of the run's inputs is in {where}: give the folder `dedup clean` ran in with --root)"


def _restore_records(file: str, docs: list[dict], base: Path, to: Path | None, settings: dict, hint: str
                     ) -> Restored:
    """A JSONL or Parquet input is never rewritten (no --in-place for records), and the
    report does not hold the other fields of the rows it dropped: its original is the
    input file itself, checked row by row against the report, and copied under `to`."""
    source = base / file
    texts = records.texts_as_run(str(source), settings, {doc["row"] for doc in docs})
    if any(texts.get(doc["row"]) is None or sha256_of(texts[doc["row"]]) != doc.get("sha256") for doc in docs):
        return Restored(file, "failed", "the input changed or is gone, and a record file's original is its input "
                                       "(the report does not hold the other fields of the rows it removed)" + hint)
    if to is None:
        return Restored(file, "original")
    rel = PurePosixPath(docs[0].get("relpath") or PurePosixPath(file).name)
    if rel.is_absolute() or ".." in rel.parts:
        return Restored(file, "failed", "its path leads out of the target folder")
    target = to / rel
    return _copied(file, source, target)
