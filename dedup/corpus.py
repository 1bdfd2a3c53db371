"""Corpus I/O at the edges: finding input files, reading them safely, writing atomically."""
from __future__ import annotations

import fnmatch
import hashlib
import os
import re
import stat
from collections.abc import Callable, Iterable
from functools import lru_cache
from dataclasses import dataclass
from pathlib import Path

from . import output, records, sniff
from .errors import DedupError


class InputError(DedupError):
    """Bad input that stops the whole run (a missing path, an unusable output folder)."""


def by_fields(self):
    """__reduce__ of a slots dataclass sent between processes for every document: its
    fields in order (the default looks the fields up for each object, seconds a run)."""
    return type(self), tuple(getattr(self, name) for name in self.__slots__)


@dataclass(frozen=True, slots=True)
class Source:
    path: str       # as the user sees it: the input as given, joined with the relative path
    file: str       # filesystem path to open
    relpath: str    # where it goes under the output folder
    kind: tuple[str, str | None] = ("text", None)   # format and compression (records.kind_of), decided once
    __reduce__ = by_fields

    @property
    def is_text(self) -> bool:
        return self.kind[0] == "text"


@dataclass(frozen=True, slots=True)
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
    return _matcher(tuple(patterns))(name)


@lru_cache(maxsize=64)
def _matcher(patterns: tuple[str, ...]) -> Callable[[str], bool]:
    """Whether a name matches any of these patterns, as one function, for asking it of many names."""
    glob = _glob(patterns)
    if glob is None:
        return lambda name: False
    match, normcase = glob.match, os.path.normcase
    if normcase("A") == "A":   # POSIX: names are compared as they are (20,000 calls fewer in a hook)
        return lambda name: match(name) is not None
    return lambda name: match(normcase(name)) is not None


def enters(folder: str, exclude: tuple[str, ...]) -> bool:
    """Whether discovery goes into a folder of this name: not dot folders, not excluded ones."""
    return not folder.startswith(".") and not _matches(folder, exclude)


@lru_cache(maxsize=64)
def taker(include: tuple[str, ...], exclude: tuple[str, ...]) -> Callable[[str, str], bool]:
    """takes(name, rel): whether a file of this name, at `rel` under the input folder,
    is an input; the globs compiled once, for asking it of every file of a walk."""
    included, excluded = _matcher(include), _matcher(exclude)
    if not exclude:
        return lambda name, rel: included(name)
    return lambda name, rel: included(name) and not excluded(name) and not excluded(rel)


def of_corpus(paths: list[str], root: str, include: tuple[str, ...], exclude: tuple[str, ...], format: str,
              text_only: bool) -> list[str]:
    """The paths among `paths` that belong to the corpus at `root`: inside it, in no
    folder discovery would not enter, taken by the globs and, with `text_only`, text
    files (a folder is kept: its walk applies the globs). What a git hook passes is every
    staged file; the others are not the corpus's."""
    root_real = os.path.realpath(root)
    takes = taker(tuple(include), tuple(exclude))
    out = []
    for given in paths:
        if not os.path.lexists(given):
            raise InputError(f"{given}: no such file or folder")
        rel = os.path.relpath(os.path.realpath(given), root_real).replace(os.sep, "/")
        folders = [] if rel == "." else rel.split("/")[:-1] if not os.path.isdir(given) else rel.split("/")
        if rel == ".." or rel.startswith("../") or not all(enters(folder, exclude) for folder in folders):
            continue
        if os.path.isdir(given) or (takes(os.path.basename(rel), rel)
                                    and not (text_only and records.kind_of(given, format)[0] != "text")):
            out.append(given)
    return out


def _display(path: Path) -> str:
    return path.as_posix()


_SPECIAL = ((stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISSOCK, "a socket"),
            (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"))


def special_kind(mode: int) -> str | None:
    """What a file that is not a regular file or folder is; None for those two."""
    for test, name in _SPECIAL:
        if test(mode):
            return name
    return None


@dataclass
class Found:
    """What discovery saw: the files to read, the files it will not read and why, and
    the dedup output folders it did not enter."""
    sources: list[Source]
    skipped: list[Skipped]
    outputs: list[str]


def _walk(folder: str, folder_real: str, rel: str, include, exclude, found: Found, files) -> None:
    """Files under `folder` as (path, relative path, real path, a symlink), with os.scandir:
    a git hook walks 20,000 files in well under a second. Dot folders, excluded
    folders, symlinked folders and dedup's output folders are not entered; FIFOs,
    sockets and devices are listed and never opened."""
    takes = taker(tuple(include), tuple(exclude))
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as err:
        found.skipped.append(Skipped(_display(Path(folder)), f"unreadable folder: {err.strerror}"))
        return
    for entry in entries:
        name, entry_rel = entry.name, rel + entry.name
        try:
            is_dir, is_link = entry.is_dir(), entry.is_symlink()
        except OSError:   # a symlink loop: listed, and reading it says what is wrong
            is_dir, is_link = False, True
        if is_dir:
            if is_link or not enters(name, exclude):
                continue
            if output.is_output(entry.path):
                found.outputs.append(_display(Path(entry.path)))
                continue
            _walk(entry.path, os.path.join(folder_real, name), entry_rel + "/", include, exclude, found, files)
        elif takes(name, entry_rel):
            if not is_link and not entry.is_file(follow_symlinks=False):
                kind = special_kind(entry.stat(follow_symlinks=False).st_mode)
                if kind:
                    found.skipped.append(Skipped(_display(Path(entry.path)), f"{kind}; not read"))
                    continue
            real = os.path.realpath(entry.path) if is_link else os.path.join(folder_real, name)
            files.append((entry.path, entry_rel, real, is_link))


def _in_output(folder_real: str, memo: dict) -> str | None:
    """The dedup output folder that `folder_real` is in (or is), if any."""
    if folder_real not in memo:
        parent = os.path.dirname(folder_real)
        if output.is_output(folder_real):
            memo[folder_real] = folder_real
        else:
            memo[folder_real] = None if parent == folder_real else _in_output(parent, memo)
    return memo[folder_real]


class Members:
    """A corpus's files in path order, to look up by path or by their place under the
    corpus folder (`dedup check`'s view of the corpus): here a walk's Sources;
    gitfiles.Listed makes them from git's listing only when asked."""

    def __init__(self, sources: list[Source]):
        self._sources = sources
        self._by_path: dict[str, Source] | None = None

    def __iter__(self):
        return iter(self._sources)

    def __len__(self) -> int:
        return len(self._sources)

    def get(self, path: str) -> Source | None:
        if self._by_path is None:
            self._by_path = {s.path: s for s in self._sources}
        return self._by_path.get(path)

    def under(self, prefix: str) -> list[Source]:
        """The files whose place under the corpus folder starts with `prefix` ("" for all)."""
        return [s for s in self._sources if s.relpath.startswith(prefix)]

    def placed(self, relpaths: set[str]) -> list[Source]:
        """The files at these places under the corpus folder, in path order."""
        return [s for s in self._sources if s.relpath in relpaths]

    def folder_sizes(self) -> dict[str, int]:
        """How many files each folder_site has (what `source = auto` decides by)."""
        sizes: dict[str, int] = {}
        for s in self._sources:
            site = folder_site(s)
            sizes[site] = sizes.get(site, 0) + 1
        return sizes


def folder_site(source: Source) -> str:
    """The folder a file is from, as a source: the top folder under the input folder."""
    if "/" in source.relpath:   # corpus/<site>/…: the top folder under the input folder
        return source.relpath.split("/", 1)[0]
    # a file directly in an input folder, or given itself: the folder it is in, by name,
    # so that `dedup clean corpus` and `dedup clean corpus/*` see the same sources
    return os.path.basename(os.path.dirname(os.path.abspath(source.file)))


def in_output(folder: str) -> bool:
    """Whether a folder is one of dedup's outputs or inside one: never read."""
    return _in_output(os.path.realpath(folder), {}) is not None


def discover(inputs: list[str], include: tuple[str, ...], exclude: tuple[str, ...], format: str = "auto") -> Found:
    """Input files in sorted path order, each with its format (by its name, or `format`
    for every one). A dedup output folder is never read, whatever the globs: not entered
    when walking, and an input inside one is left out."""
    found = Found([], [], [])
    listed: list[tuple[str, str, str, str, bool]] = []   # (shown path, file, relative path, real path, a link)
    memo: dict = {}
    for given in inputs:
        root = Path(given)
        if not os.path.lexists(root):
            raise InputError(f"{given}: no such file or folder")
        root_real = os.path.realpath(root)
        is_dir = root.is_dir()
        if _in_output(root_real if is_dir else os.path.dirname(root_real), memo):
            found.outputs.append(_display(root))
            continue
        if is_dir:
            files: list[tuple[str, str, str, bool]] = []
            _walk(str(root), root_real, "", include, exclude, found, files)
            shown = _display(root)
            listed.extend((rel if shown == "." else f"{shown}/{rel}", file, rel, real, link)
                          for file, rel, real, link in files)
        else:
            kind = special_kind(os.stat(root).st_mode) if os.path.exists(root) else None
            if kind:   # named, as found in a folder: a FIFO would block the run, a device feed it for ever
                found.skipped.append(Skipped(_display(root), f"{kind}; not read"))
                continue
            listed.append((_display(root), str(root), root.name, root_real, root.is_symlink()))
    sources: dict[str, Source] = {}
    targets: set[str] = set()
    for shown_path, file, rel, _, _ in _read_once(listed, found):
        if rel in targets:
            raise InputError(f"{shown_path}: two inputs would both be written to {rel}")
        targets.add(rel)
        sources[shown_path] = Source(shown_path, file, rel, records.kind_of(file, format))
    found.sources = [sources[k] for k in sorted(sources)]
    found.skipped.sort(key=lambda s: s.path)
    found.outputs.sort()
    return found


def _read_once(listed: list[tuple[str, str, str, str, bool]], found: Found) -> list[tuple[str, str, str, str, bool]]:
    """The files listed, each real file once: by a name that is no symlink if it has
    one (a link to a file of the corpus leaves that file to be cleaned under its own
    name, and the link as it is), else by its first name in path order. Every other
    name is listed under `skipped` with the name it is read by."""
    by_real: dict[str, list[tuple[str, str, str, str, bool]]] = {}
    for item in listed:
        by_real.setdefault(item[3], []).append(item)
    chosen = []
    for names in by_real.values():
        names.sort(key=lambda item: (item[4], item[0]))   # (a link, its path)
        chosen.append(names[0])
        for other in names[1:]:
            if other[0] != names[0][0]:   # (the same name given twice is read once, unlisted)
                what = "a link to" if other[4] else "the same file as"
                found.skipped.append(Skipped(other[0], f"{what} {names[0][0]}, which is read; not read twice"))
    return chosen


def read(source: Source, keep_bad_bytes: bool) -> Document | Skipped:
    """Read one file; anything wrong with it becomes a Skipped with a one-line reason.
    Only regular files are opened (a FIFO would block, a device could act)."""
    try:
        st = os.stat(source.file)
        if stat.S_ISDIR(st.st_mode):
            return Skipped(source.path, "is a folder")
        kind = special_kind(st.st_mode)
        if kind:
            return Skipped(source.path, f"{kind}; not read")
        with open(source.file, "rb", opener=lambda f, flags: os.open(f, flags | os.O_NONBLOCK)) as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):   # swapped since the stat
                return Skipped(source.path, "not a regular file; not read")
            data = handle.read()
    except OSError as err:
        return Skipped(source.path, f"unreadable: {err.strerror or err}")
    if not data:
        return Skipped(source.path, "empty file")
    why = sniff.not_text(data)
    if why:
        return Skipped(source.path, why)
    try:
        return Document(source.path, source.relpath, data.decode("utf-8"))
    except UnicodeDecodeError as err:
        if not keep_bad_bytes:
            return Skipped(source.path, f"not UTF-8: undecodable byte at offset {err.start}")
        return Document(source.path, source.relpath, data.decode("utf-8", "surrogateescape"), err.start)


def encode(text: str) -> bytes:
    """Inverse of read(): undecodable bytes that were kept go back out unchanged."""
    return text.encode("utf-8", "surrogateescape")


def write_new(path: Path, data: bytes) -> None:
    """Write a file straight to its name, folders made as needed: for files in a
    staging folder, which nobody sees before it is published whole (a temporary name
    and a rename per file would cost more than reading the corpus)."""
    try:
        handle = open(path, "wb")
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(path, "wb")
    with handle:
        handle.write(data)


NAME_MAX = 255   # bytes in a file's name, on every file system dedup writes to


def temporary_prefix(name: str) -> str:
    """How the temporary files of a rewrite of `name` begin (then the process id and
    ".tmp"): ".NAME.dedup-", or, for a name too long to take that, a digest of the name
    in its place, so that a legal name is never one a rewrite cannot make."""
    prefix = f".{name}.dedup-"
    if len(os.fsencode(prefix)) + 32 <= NAME_MAX:
        return prefix
    return f".{hashlib.sha256(os.fsencode(name)).hexdigest()[:32]}.dedup-"


def write_atomic(path: Path, data: bytes | Iterable[bytes], mode_from: str | None = None, durable: bool = False) -> None:
    """Write via a temporary file in the same folder and rename over the target, so a
    reader never sees half a file; `data` may come in pieces. `durable` also syncs it
    to disk first (for files that replace the user's own)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.parent / f"{temporary_prefix(path.name)}{os.getpid()}.tmp"
    try:
        with open(tmp, "wb") as handle:
            for piece in [data] if isinstance(data, bytes) else data:
                handle.write(piece)
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
