"""Run a stage function over batches, serially or in worker processes, and stop at once
on Ctrl-C or SIGTERM.

multiprocessing.Pool is not used: a worker killed while it holds the pool's queue lock
leaves `terminate()` waiting for ever, and a pool replaces workers that a signal killed.
Here each worker has its own pipe; the parent sends it batches, keeps results in order,
and on any exception kills every worker and waits for them, so nothing writes after it
returns. Workers ignore SIGINT and SIGHUP (the parent decides) and die silently on SIGTERM.
Everything a worker needs is passed to it (`init(*init_args)` builds its context), so
the start method can be fork or spawn.
"""
from __future__ import annotations

import contextlib
import os
import queue
import signal
import threading
import time
from typing import Any, Callable, Iterable, Iterator

from . import heap
from .errors import DedupError
from .signals import SIGNALS

DIED = "a worker process was killed (out of memory?); try fewer workers (-j)"
IN_FLIGHT = 2   # batches queued per worker: one running, one waiting


class WorkerDied(DedupError, RuntimeError):
    """A worker process was killed from outside (often by the system, out of memory)."""


def _die_with_parent() -> None:
    """Linux: the kernel kills this worker when the parent dies, even by SIGKILL."""
    import ctypes
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)   # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _worker(conn, init: Callable, init_args: tuple, mask: set, parent: int) -> None:
    _die_with_parent()
    if os.getppid() != parent:   # the parent died before the line above
        return
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_SETMASK, mask)   # blocked while the handlers above were set
    context = init(*init_args)
    while True:
        if not conn.poll():   # idle, maybe for the rest of a stage: give back what the last job freed
            heap.release()
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        seq, func, batch = message
        try:
            result = (seq, True, func(context, batch))
        except Exception as err:   # a bug: the parent raises it
            result = (seq, False, err)
        try:
            conn.send(result)
        except (BrokenPipeError, OSError):
            return
        message = batch = result = None


def _send_all(conn, box: "queue.SimpleQueue", process, failed: list) -> None:
    """Send a worker its jobs, in order, until None (or until its pipe is gone: the
    parent then hears of the dead worker when it reads). A job that cannot be sent (it
    does not pickle) is kept in `failed` and its worker killed: the parent, waiting for
    that job's result, hears of it and raises the error, never a thread's traceback."""
    while True:
        message = box.get()
        if message is None:
            return
        try:
            conn.send(message)
        except (OSError, ValueError):
            return
        except Exception as err:
            failed.append(err)
            process.kill()
            return


class Runner:
    """`map(func, batches)` yields `func(context, batch)` for each batch, in order.
    With jobs <= 1 it runs in this process; otherwise in `jobs` worker processes."""

    def __init__(self, jobs: int, init: Callable[..., Any], init_args: tuple = (), start_method: str = "fork"):
        self.jobs = jobs
        self.workers: list = []
        self._senders: list[tuple[threading.Thread, queue.SimpleQueue]] = []   # map's threads sending jobs, their outboxes
        if jobs <= 1:
            self.context = init(*init_args)
            return
        import multiprocessing   # here: a one-file check (a git hook) runs in-process and never pays its import
        ctx = multiprocessing.get_context(start_method)
        old_mask = signal.pthread_sigmask(signal.SIG_BLOCK, SIGNALS)   # no handler of ours runs in a child
        try:
            for _ in range(jobs):
                parent_end, child_end = ctx.Pipe()
                process = ctx.Process(target=_worker, args=(child_end, init, init_args, old_mask, os.getpid()), daemon=True)
                process.start()
                child_end.close()
                self.workers.append((process, parent_end))
            signal.pthread_sigmask(signal.SIG_SETMASK, old_mask)   # a signal held back is raised here
        except BaseException:
            signal.pthread_sigmask(signal.SIG_SETMASK, old_mask)
            self.terminate()
            raise

    @property
    def parallel(self) -> bool:
        """Whether the batches run in other processes (this one is free meanwhile)."""
        return bool(self.workers)

    def map(self, func: Callable, batches: Iterable) -> Iterator:
        if not self.workers:
            for batch in batches:
                yield func(self.context, batch)
            return
        from multiprocessing.connection import wait
        todo = iter(enumerate(batches))
        busy = {conn: 0 for _, conn in self.workers}
        # No more batches are out (sent, or back and not yet given back) than IN_FLIGHT
        # per worker, however slow the one awaited is: a lazy iterable is never taken whole.
        # Jobs are sent by one thread per worker: a job and a result may both be larger
        # than a pipe's buffer, and the parent must go on reading results while it sends.
        outboxes = {conn: queue.SimpleQueue() for conn in busy}
        failed: list = []   # what a sender could not send
        processes = {conn: process for process, conn in self.workers}
        senders = [(threading.Thread(target=_send_all, args=(conn, box, processes[conn], failed), daemon=True), box)
                   for conn, box in outboxes.items()]
        for sender, box in senders:
            sender.start()
            self._senders.append((sender, box))   # once started: terminate joins it
        waiting: dict[int, Any] = {}
        next_out, sent, exhausted = 0, 0, False
        try:
            while True:
                for conn in busy:
                    while not exhausted and busy[conn] < IN_FLIGHT and sent - next_out < IN_FLIGHT * len(busy):
                        item = next(todo, None)
                        if item is None:
                            exhausted = True
                            break
                        outboxes[conn].put((item[0], func, item[1]))
                        busy[conn] += 1
                        sent += 1
                if next_out == sent and exhausted:
                    return
                for conn in wait([c for c, n in busy.items() if n]):
                    try:
                        seq, ok, value = conn.recv()
                    except (EOFError, OSError):
                        if failed:   # its job could not be sent: that error, not a death
                            raise failed[0]
                        time.sleep(0.05)   # if a signal killed it, let that signal's handler run first
                        raise WorkerDied(DIED) from None
                    busy[conn] -= 1
                    if not ok:
                        raise value
                    waiting[seq] = value
                while next_out in waiting:
                    yield waiting.pop(next_out)
                    next_out += 1
        finally:
            for box in outboxes.values():
                box.put(None)

    def close(self) -> None:
        """Let the workers finish and exit."""
        for process, conn in self.workers:
            with contextlib.suppress(OSError):
                conn.send(None)
        for process, conn in self.workers:
            process.join(5)
        self.terminate()

    def terminate(self) -> None:
        """Kill every worker and wait for it: nothing of theirs runs after this. The
        threads sending them jobs end before their pipes are closed: a pipe closed under
        a send would raise in that thread, a traceback after an interrupt."""
        for _, box in self._senders:
            box.put(None)
        for process, conn in self.workers:
            if process.is_alive():
                process.kill()
        for process, conn in self.workers:
            process.join()
        for sender, _ in self._senders:   # a send in progress fails on the dead worker's pipe
            if sender.is_alive():
                sender.join()
        self._senders = []
        for process, conn in self.workers:
            conn.close()
        self.workers = []

    def __enter__(self) -> "Runner":
        return self

    def __exit__(self, kind, value, tb) -> None:
        if kind is None:
            self.close()
        else:
            self.terminate()


def default_jobs(jobs: int) -> int:
    return jobs or os.cpu_count() or 1
