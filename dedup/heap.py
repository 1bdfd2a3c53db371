"""Memory a step let go, given back to the system.

glibc's malloc keeps freed memory for reuse: after the first large array is freed it
raises the size from which arrays get pages of their own (up to 32 MB), so most of a
step's temporary arrays then come from the heap, whose free pages stay in the
process's RSS. A corpus-wide step's temporaries are large and what the next step
holds is not; a worker that sketched a batch would hold that batch's peak, idle,
while the corpus-wide steps run. `release()` between steps and after a worker's job
returns those pages in a few milliseconds, where giving every large array pages of
its own costs ~10% of a run."""
from __future__ import annotations

import ctypes
import sys

_LIBC = None


def release() -> None:
    """Return the free pages of the heap to the system (glibc's malloc_trim; elsewhere nothing)."""
    global _LIBC
    if not sys.platform.startswith("linux"):
        return
    if _LIBC is None:
        try:
            _LIBC = ctypes.CDLL(None).malloc_trim
        except (OSError, AttributeError):   # not glibc
            _LIBC = False
    if _LIBC:
        _LIBC(0)
