"""Where dedup keeps what it makes once and reads back on later runs: numba's compiled
kernel and the parsed lexicons. Beside the package where its user may write there; else
in the user's cache folder; else (an install owned by another user, run by a service
with no home of its own) in a folder of this user's own under TMPDIR, made 0700 and
refused if another user owns it: what is read back from it is code, or a pickle.
"""
from __future__ import annotations

import os
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
    """TMPDIR/dedup-<name>-<uid>, this user's own and writable, or None."""
    folder = Path(tempfile.gettempdir()) / f"dedup-{name}-{os.getuid()}"
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        if folder.stat().st_uid != os.getuid() or not writable(folder):
            return None   # another user's folder: what is in it is not ours to load
    except OSError:
        return None
    return folder


def folder(name: str) -> Path | None:
    """Where to keep `name`: the first of the package's own cache folder, the user's
    cache folder for dedup and the private one for `name` that can be written; None if
    none can."""
    for candidate in (PACKAGE, user_cache("dedup")):
        if writable(candidate):
            return candidate
    return private(name)
