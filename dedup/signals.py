"""Ctrl-C and SIGTERM: turned into one exception, `Interrupted`, for the whole run, and
held back while a step that must not be cut in half runs. A leaf module: the runner,
the staging folder and the command line all use it."""
from __future__ import annotations

import contextlib
import signal
from typing import Iterator

SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Interrupted(BaseException):
    """SIGINT or SIGTERM arrived. A BaseException, so no `except Exception` swallows it."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum
        self.rewritten: tuple[int, int] | None = None   # in-place runs: (files rewritten, files to rewrite)

    @property
    def exit_code(self) -> int:
        return 128 + self.signum


_held = 0               # uninterrupted() blocks entered and not yet left
_pending: list[int] = []  # a signal that arrived inside one, raised as the outermost ends


def _raise_interrupted(signum, frame) -> None:
    for sig in SIGNALS:   # a second Ctrl-C must not break the clean-up the first one started
        signal.signal(sig, signal.SIG_IGN)
    if _held:
        _pending.append(signum)
        return
    raise Interrupted(signum)


@contextlib.contextmanager
def interrupts() -> Iterator[None]:
    """Turn SIGINT and SIGTERM into `Interrupted` for the duration (main thread only)."""
    old = {sig: signal.signal(sig, _raise_interrupted) for sig in SIGNALS}
    try:
        yield
    finally:
        for sig, handler in old.items():
            signal.signal(sig, handler)


@contextlib.contextmanager
def uninterrupted() -> Iterator[None]:
    """Hold SIGINT and SIGTERM back while a step that must not be cut in half runs (a
    rename, one file's rewrite); a signal that came meanwhile is acted on right after.
    Blocking the signals covers this thread only: a signal sent to the process can reach
    another thread (numpy's BLAS threads), whose handler call then runs here at once, so
    the handler also holds it back while a block is open."""
    global _held
    old = signal.pthread_sigmask(signal.SIG_BLOCK, SIGNALS)
    _held += 1
    try:
        yield
    finally:
        _held -= 1
        signal.pthread_sigmask(signal.SIG_SETMASK, old)
        if not _held and _pending:
            signum = _pending.pop()
            _pending.clear()
            raise Interrupted(signum)
