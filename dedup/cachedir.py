"""Where dedup keeps what it makes once and reads back on later runs: numba's compiled
kernel and the parsed lexicons. Beside the package where its user may write there; else
in the user's cache folder; else (an install owned by another user, run by a service
with no home of its own) in a folder of this user's own under TMPDIR, made 0700 and
refused if another user owns it: what is read back from it is code, or a pickle.
"""
from __future__ import annotations

import hashlib
import os
import stat
import tempfile
from pathlib import Path

PACKAGE = Path(__file__).parent / "__pycache__"


def writable(folder: Path) -> bool:
    """Whether a file can be made in `folder` (made first if need be)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            return True
    except OSError:
        return False


def user_cache(name: str) -> Path:
    """The user's cache folder for `name` (XDG_CACHE_HOME, or ~/.cache)."""
    return Path(os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache")) / name


def private(name: str) -> Path | None:
    """TMPDIR/dedup-<name>-<uid>: a folder (no link), this user's own, that no one else may
    write, and writable; or None."""
    folder = Path(tempfile.gettempdir()) / f"dedup-{name}-{os.getuid()}"
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        info = folder.lstat()
        if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o022 \
                or not writable(folder):
            return None   # a link, another user's folder, or one others may write: not ours to load from
    except OSError:
        return None
    return folder


def folder(name: str) -> Path | None:
    """Where to keep `name`: the first of the package's own cache folder, the user's
    cache folder for dedup and the private one for `name` that can be written; None if
    none can. Outside the package, each install has a folder of its own (named by where
    it is), so two installs never take each other's store for stale."""
    if writable(PACKAGE):
        return PACKAGE
    install = hashlib.sha256(str(PACKAGE.parent.resolve()).encode()).hexdigest()[:12]
    if writable(user_cache("dedup") / install):
        return user_cache("dedup") / install
    shared = private(name)
    return shared / install if shared is not None and writable(shared / install) else None
