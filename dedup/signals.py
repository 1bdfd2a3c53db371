"""Ctrl-C and SIGTERM: turned into one exception, `Interrupted`, for the whole run, and
held back while a step that must not be cut in half runs. A leaf module: the runner,
the staging folder and the command line all use it."""
from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from typing import Iterator

SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)   # Ctrl-C, kill, the terminal closed


class Interrupted(BaseException):
    """SIGINT, SIGTERM or SIGHUP arrived. A BaseException, so no `except Exception` swallows it."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum
        self.rewritten: tuple[int, int] | None = None   # in-place runs: (files rewritten, files to rewrite)

    @property
    def exit_code(self) -> int:
        return 128 + self.signum


_done = False           # the command's work is done (work_done): a signal now changes nothing
_held = 0               # uninterrupted() blocks entered and not yet left
_pending: list[tuple[int, bool]] = []   # signals that came inside one (and whether interrupts() took
                                        # them), acted on as the outermost ends


def _raise_interrupted(signum, frame) -> None:
    if _done:
        return
    for sig in SIGNALS:   # a second Ctrl-C must not break the clean-up the first one started
        signal.signal(sig, signal.SIG_IGN)
    if _held:
        _pending.append((signum, True))
        return
    raise Interrupted(signum)


def _outside_commands(signum, frame) -> None:
    """The `dedup` process's handler outside a command's interrupts() (launch.py): while
    Python loads dedup's modules, a signal ends the process as one line, as it would in
    the middle of the work; once the work is done, it changes nothing."""
    if _done:
        return
    if sys.stderr is not None:   # (closed: `2>&-`)
        sys.stderr.write("dedup: interrupted\n")
    os._exit(128 + signum)   # nothing under way to clean up


# The signals whoever started the process chose to ignore: `nohup dedup clean … &` must outlive
# the terminal, and a script's `dedup clean … &` its Ctrl-C (a shell ignores SIGINT in a
# background job). Read when this module is first imported, before dedup sets any handler.
_IGNORED_AT_START = frozenset(sig for sig in SIGNALS if signal.getsignal(sig) == signal.SIG_IGN)


def _taken(sig: int) -> bool:
    """Whether dedup handles `sig`: not one its starter ignored."""
    return sig not in _IGNORED_AT_START


def outside_commands() -> None:
    for sig in SIGNALS:
        if _taken(sig):
            signal.signal(sig, _outside_commands)


def ignore() -> dict:
    """Ignore the signals from here on; returns the handlers they had."""
    return {sig: signal.signal(sig, signal.SIG_IGN) for sig in SIGNALS if _taken(sig)}


def work_done() -> None:
    """The command's work is done (a run's output is published whole, its inputs rewritten):
    from here until the process ends, a signal under interrupts() or outside a command
    changes nothing, never an exit status or a line that says the work was cut short.
    (A library caller's own handlers, such as Python's KeyboardInterrupt, are not ours.)"""
    global _done
    _done = True


@contextlib.contextmanager
def interrupts() -> Iterator[None]:
    """Turn SIGINT and SIGTERM into `Interrupted` for the duration (main thread only)."""
    global _done
    _done = False   # a command starts its work
    old = {sig: signal.signal(sig, _raise_interrupted) for sig in SIGNALS if _taken(sig)}
    try:
        yield
    finally:
        for sig, handler in old.items():
            signal.signal(sig, handler)


def _hold(signum, frame) -> None:
    """Stands in, inside uninterrupted(), for a handler that is not interrupts()'s
    (Python's KeyboardInterrupt, the default action): the signal waits for the block's end."""
    _pending.append((signum, False))


@contextlib.contextmanager
def uninterrupted() -> Iterator[None]:
    """Hold SIGINT and SIGTERM back while a step that must not be cut in half runs (a
    rename, one file's rewrite); a signal that came meanwhile is acted on right after:
    as `Interrupted` under interrupts(), else by the handler in force then (Python's
    KeyboardInterrupt, or the default action). Blocking the signals covers this thread
    only, and a signal sent to the process can reach another thread (numpy's BLAS
    threads) whose handler call then runs here at once: so the handlers hold it back too."""
    global _held
    _held += 1
    replaced = {}
    try:
        if threading.current_thread() is threading.main_thread():
            replaced = {sig: signal.signal(sig, _hold) for sig in SIGNALS
                        if signal.getsignal(sig) not in (_raise_interrupted, _hold) and _taken(sig)}
        old = signal.pthread_sigmask(signal.SIG_BLOCK, SIGNALS)
        try:
            yield
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, old)   # a signal held by the mask is taken now
    finally:
        for sig, handler in replaced.items():
            signal.signal(sig, handler)
        _held -= 1
        if not _held and _pending:
            signum, ours = _pending[0]
            _pending.clear()
            if ours:
                raise Interrupted(signum)
            signal.raise_signal(signum)   # the handler in force acts on it now
