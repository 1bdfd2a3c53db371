"""The output folder: marked as dedup's, staged, and published whole.

Every folder dedup writes carries MARKER, and discovery never enters a folder that has
one, so an output is never read back as input. A run writes into a staging folder next
to OUT and swaps it in at the end (one `renameat2(RENAME_EXCHANGE)` where the system has
it, else two renames that the next run completes), so OUT is always a whole previous
output or a whole new one. Staging folders of runs that were killed are removed by the
next run: a live run holds a lock on its staging folder's marker.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import errno
import fcntl
import hashlib
import json
import os
import re
import shutil
import tempfile
from pathlib import Path

from . import __version__
from .signals import uninterrupted
from .errors import DedupError

MARKER = ".dedup-output"
CACHE_FOLDER = ".dedup_cache"   # check's index, and the dedup-fix hook's report
STAGING = ".dedup-staging"
OLD = ".dedup-old"


class OutputError(DedupError):
    """An output folder that cannot be used; nothing was touched."""


def is_output(folder: str | os.PathLike) -> bool:
    """A folder dedup wrote: it has the marker, or it is an output of dedup 0.1.0, which
    wrote no marker but always a report.json in its own format naming that folder as
    its output (a report.json copied elsewhere, into a project's root beside its
    corpus, names another: that folder is no output)."""
    folder = os.fspath(folder)
    if os.path.lexists(os.path.join(folder, MARKER)):
        return True
    try:
        with open(os.path.join(folder, "report.json"), "rb") as handle:
            head = handle.read(1 << 16)   # "output" comes after the inputs, which may be many
    except OSError:
        return False
    if not head.lstrip(b"{ \r\n\t").startswith(b'"format": "dedup-report"'):
        return False
    named = re.search(rb'\n "output": "((?:[^"\\]|\\.)*)"', head)
    if named is None:
        return False
    try:
        output = json.loads(b'"' + named.group(1) + b'"')
    except ValueError:
        return False
    return os.path.basename(os.path.normpath(output)) == os.path.basename(os.path.normpath(os.path.abspath(folder)))


def write_marker(folder: Path) -> Path:
    marker = folder / MARKER
    if not marker.exists():
        marker.write_text(json.dumps({"format": "dedup-output", "tool_version": __version__,
                                      "note": "written by dedup; never read as input"}) + "\n")
    return marker


def make_cache_folder(folder: Path) -> None:
    """.dedup_cache/: marked as dedup's, and ignoring itself in git. Never through a
    symlink: its marker would make the folder it leads to (a corpus folder) dedup's,
    never read again."""
    if folder.is_symlink():
        raise OSError(errno.ELOOP, "a symlink, which dedup's own folder never is", str(folder))
    folder.mkdir(parents=True, exist_ok=True)
    ignore = folder / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# dedup's local index and reports; never commit them\n*\n")
    write_marker(folder)


def fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux renameat2); False where that is not available."""
    libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    if ctypes.get_errno() in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()), str(a))


NAME_BYTES = 180   # of OUT's name in its staging folder's: that name is 40 bytes longer, and a name holds 255


def _beside(out: Path) -> str:
    """OUT's name as its staging and old folders begin with it: a longer name is cut, with
    a digest of it, so that a legal name of 240 bytes still has a staging folder."""
    name = out.name
    if len(os.fsencode(name)) <= NAME_BYTES:
        return f".{name}"
    digest = hashlib.blake2b(os.fsencode(name), digest_size=6).hexdigest()
    while len(os.fsencode(name)) > NAME_BYTES - len(digest) - 1:   # (cut between characters)
        name = name[:-1]
    return f".{name}~{digest}"


def _leftovers(out: Path) -> list[Path]:
    prefix = f"{_beside(out)}{STAGING}-", f"{_beside(out)}{OLD}-"
    try:
        names = os.listdir(out.parent)
    except OSError:
        return []
    return [out.parent / n for n in sorted(names) if n.startswith(prefix)]


def _is_dead(folder: Path) -> bool:
    """A staging folder whose run is gone: nobody holds its marker's lock."""
    try:
        fd = os.open(folder / MARKER, os.O_RDONLY)
    except FileNotFoundError:   # killed before the marker was written, or an old output
        pid = folder.name.rsplit("-", 1)[-1]
        return not (pid.isdigit() and _alive(int(pid)))
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except OSError:
        return False
    finally:
        os.close(fd)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def recover(out: Path) -> None:
    """Finish or undo what killed runs left next to OUT: a previous output moved aside
    comes back if OUT is missing; dead staging folders go."""
    for folder in _leftovers(out):
        if OLD in folder.name and not os.path.lexists(out):
            os.rename(folder, out)
        elif _is_dead(folder):
            shutil.rmtree(folder, ignore_errors=True)


def check_target(out: Path, inputs: list[str], force: bool) -> None:
    """Refuse an OUT that would destroy something: an input or a folder holding one, a
    file, or a non-empty folder that dedup did not write (unless `force`)."""
    out_real = os.path.realpath(out)
    for given in inputs:
        real = os.path.realpath(given)
        if real == out_real:
            raise OutputError(f"{given}: the output folder is an input; choose another -o")
        if real.startswith(out_real.rstrip(os.sep) + os.sep):
            raise OutputError(f"{given}: is inside the output folder {out}; choose another -o")
    if os.path.lexists(out) and not out.is_dir():
        raise OutputError(f"{out}: the output exists and is not a folder")
    above = next((parent for parent in Path(out).absolute().parents if os.path.exists(parent)), None)
    if above is not None and not above.is_dir():   # (mkdir would say "File exists")
        raise OutputError(f"{out}: {above} is a file, not a folder; the output folder cannot be made in it")
    if out.is_dir() and os.path.ismount(out_real):   # a volume's root, which no rename can replace
        raise OutputError(f"{out}: is a mount point; OUT is published by renaming a folder made beside it, "
                          f"so give a folder inside it (e.g. -o {out / 'dedup-out'})")
    if out.is_dir() and not is_output(out) and any(os.scandir(out)) and not force:
        raise OutputError(f"{out}: not empty and not a dedup output folder; "
                         f"choose another -o, or --force to replace its contents")


class Staging:
    """A fresh folder next to OUT that becomes OUT on publish(), or vanishes."""

    def __init__(self, out: Path):
        self.out = Path(os.path.realpath(out))   # a symlinked OUT: the folder it points at is replaced
        self.published = False
        self.path, self._lock = None, None

    def open(self) -> "Staging":
        """Make the folder. Made by `with Staging(out)`, a signal cannot come between
        making it and the block that removes it (a signal is acted on as a call returns,
        and `with` enters without one)."""
        try:
            self._make(self.out)
        except BaseException:   # a signal held back while making it is raised as the block ends
            if self.path is not None:
                shutil.rmtree(self.path, ignore_errors=True)
            if self._lock is not None:
                os.close(self._lock)
            raise
        return self

    def _make(self, out: Path) -> None:
        with uninterrupted():   # an interrupt must not leave a folder that no one removes
            if out.parent.name == CACHE_FOLDER:   # the dedup-fix hook's report
                make_cache_folder(out.parent)
            out.parent.mkdir(parents=True, exist_ok=True)
            recover(out)
            try:
                self.path = Path(tempfile.mkdtemp(prefix=f"{_beside(out)}{STAGING}-", suffix=f"-{os.getpid()}",
                                                  dir=out.parent))
            except OSError as err:   # named by OUT, not by the staging folder the user never asked for
                raise OSError(err.errno, f"cannot be written in {out.parent}: {err.strerror}", str(out)) from None
            umask = os.umask(0o022)
            os.umask(umask)
            os.chmod(self.path, 0o777 & ~umask)   # as a plain mkdir would make it, not mkdtemp's 0700
            self._lock = os.open(write_marker(self.path), os.O_RDONLY)
            fcntl.flock(self._lock, fcntl.LOCK_EX)

    def publish(self, durable: bool = False) -> None:
        """Swap the staged folder in for OUT. `durable`: synced to disk first (the report
        of an in-place run is its journal)."""
        with uninterrupted():
            if durable:
                fsync_dir(self.path)
            if os.path.lexists(self.out):
                if not _exchange(self.path, self.out):
                    old = self.out.parent / f"{_beside(self.out)}{OLD}-{os.getpid()}"
                    os.rename(self.out, old)
                    os.rename(self.path, self.out)
                    self.path = old
                shutil.rmtree(self.path, ignore_errors=True)   # now the previous output
            else:
                os.rename(self.path, self.out)
            if durable:
                fsync_dir(self.out.parent)
            self.published = True

    def discard(self) -> None:
        with uninterrupted():
            if not self.published:
                shutil.rmtree(self.path, ignore_errors=True)
            os.close(self._lock)

    def __enter__(self) -> "Staging":
        return self.open()

    def __exit__(self, *exc) -> None:
        self.discard()
