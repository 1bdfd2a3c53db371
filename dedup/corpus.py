"""Corpus I/O at the edges: finding input files, reading them safely, writing atomically."""
from __future__ import annotations

import fnmatch
import os
import re
from functools import lru_cache
from dataclasses import dataclass
from pathlib import Path

BINARY_SNIFF = 1 << 16


class InputError(Exception):
    """Bad input that stops the whole run (a missing path, an unusable output folder)."""


@dataclass(frozen=True)
class Source:
    path: str       # as the user sees it: the input as given, joined with the relative path
    file: str       # filesystem path to open
    relpath: str    # where it goes under the output folder


@dataclass(frozen=True)
class Skipped:
    path: str
    reason: str


@dataclass(frozen=True)
class Document:
    path: str
    relpath: str
    text: str
    bad_bytes_at: int | None = None   # byte offset of the first undecodable byte (kept verbatim)


@lru_cache(maxsize=64)
def _glob(patterns: tuple[str, ...]) -> re.Pattern | None:
    """All patterns as one compiled regex (fnmatch's own translation)."""
    if not patterns:
        return None
    return re.compile("|".join(fnmatch.translate(os.path.normcase(p)) for p in patterns))


def _matches(name: str, patterns: tuple[str, ...]) -> bool:
    glob = _glob(tuple(patterns))
    return bool(glob and glob.match(os.path.normcase(name)))


def _display(path: Path) -> str:
    return path.as_posix()


def _walk(folder: str, folder_real: str, rel: str, include, exclude, out_real, skipped, files) -> None:
    """Files under `folder` as (path, relative path, real path), with os.scandir:
    a git hook walks 20,000 files in well under a second. Dot folders, excluded
    folders, symlinked folders and the output folder are not entered."""
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as err:
        skipped.append(Skipped(_display(Path(folder)), f"unreadable folder: {err.strerror}"))
        return
    for entry in entries:
        name, entry_rel = entry.name, rel + entry.name
        try:
            is_dir, is_link = entry.is_dir(), entry.is_symlink()
        except OSError:   # a symlink loop: listed, and reading it says what is wrong
            is_dir, is_link = False, True
        if is_dir:
            if is_link or name.startswith(".") or _matches(name, exclude):
                continue
            real = os.path.join(folder_real, name)
            if out_real and (real + os.sep).startswith(out_real + os.sep):
                continue
            _walk(entry.path, real, entry_rel + "/", include, exclude, out_real, skipped, files)
        elif _matches(name, include) and not _matches(name, exclude) and not _matches(entry_rel, exclude):
            real = os.path.realpath(entry.path) if is_link else os.path.join(folder_real, name)
            files.append((entry.path, entry_rel, real))


def discover(inputs: list[str], include: tuple[str, ...], exclude: tuple[str, ...],
             out: str | None) -> tuple[list[Source], list[Skipped]]:
    """Input files in sorted path order; the output folder is never scanned."""
    out_real = os.path.realpath(out) if out else None
    sources: dict[str, Source] = {}
    skipped: list[Skipped] = []
    seen_real: set[str] = set()
    targets: set[str] = set()
    for given in inputs:
        root = Path(given)
        if not os.path.lexists(root):
            raise InputError(f"{given}: no such file or folder")
        root_real = os.path.realpath(root)
        if out_real and (root_real == out_real):
            raise InputError(f"{given}: the output folder is an input; choose another -o or use --in-place")
        if root.is_dir():
            files: list[tuple[str, str, str]] = []
            _walk(str(root), root_real, "", include, exclude, out_real, skipped, files)
            shown = _display(root)
            files = [(rel if shown == "." else f"{shown}/{rel}", file, rel, real) for file, rel, real in files]
        else:
            files = [(_display(root), str(root), root.name, root_real)]
        for shown_path, file, rel, real in files:
            if real in seen_real:
                continue
            seen_real.add(real)
            if rel in targets:
                raise InputError(f"{shown_path}: two inputs would both be written to {rel}")
            targets.add(rel)
            sources[shown_path] = Source(shown_path, file, rel)
    return [sources[k] for k in sorted(sources)], skipped


def read(source: Source, keep_bad_bytes: bool) -> Document | Skipped:
    """Read one file; anything wrong with it becomes a Skipped with a one-line reason."""
    try:
        data = Path(source.file).read_bytes()
    except IsADirectoryError:
        return Skipped(source.path, "is a folder")
    except OSError as err:
        return Skipped(source.path, f"unreadable: {err.strerror or err}")
    if not data:
        return Skipped(source.path, "empty file")
    nul = data.find(b"\0", 0, BINARY_SNIFF)
    if nul >= 0:
        return Skipped(source.path, f"binary file (NUL byte at offset {nul})")
    try:
        return Document(source.path, source.relpath, data.decode("utf-8"))
    except UnicodeDecodeError as err:
        if not keep_bad_bytes:
            return Skipped(source.path, f"not UTF-8: undecodable byte at offset {err.start}")
        return Document(source.path, source.relpath, data.decode("utf-8", "surrogateescape"), err.start)


def encode(text: str) -> bytes:
    """Inverse of read(): undecodable bytes that were kept go back out unchanged."""
    return text.encode("utf-8", "surrogateescape")


def write_atomic(path: Path, data: bytes, mode_from: str | None = None, durable: bool = False) -> None:
    """Write via a temporary file in the same folder and rename over the target, so a
    reader never sees half a file. `durable` also syncs it to disk first (for files
    that replace the user's own)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.parent / f".{path.name}.{os.getpid()}.tmp"
    try:
        with open(tmp, "wb") as handle:
            handle.write(data)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        if mode_from:
            os.chmod(tmp, os.stat(mode_from).st_mode & 0o7777)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
