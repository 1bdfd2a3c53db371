"""Reading a file the user names beside the corpus (a lexicon, a verdicts file, a
baseline, a report): only a regular file, and, where the file is small by nature, no
bigger than it can be. `/dev/zero` or a FIFO named by mistake must end the command with
one line, not fill the memory or wait forever."""
from __future__ import annotations

import errno
import os
import stat

SMALL = 256 << 20   # bytes: more than any lexicon, verdicts file or baseline dedup writes or reads


def read(path: str | os.PathLike, limit: int | None = SMALL) -> bytes:
    """The file's bytes; OSError (with the path) for one that is not a regular file or
    is bigger than `limit` (None: any size)."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)   # a FIFO opens at once instead of waiting for a writer
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise OSError(errno.EINVAL, "a folder, not a file" if stat.S_ISDIR(st.st_mode) else "not a regular file",
                          os.fspath(path))
        if limit is not None and st.st_size > limit:
            raise OSError(errno.EFBIG, f"{st.st_size:,} bytes, more than the {limit >> 20} MB such a file can be",
                          os.fspath(path))
    except BaseException:
        os.close(fd)
        raise
    with os.fdopen(fd, "rb") as handle:
        return handle.read()
