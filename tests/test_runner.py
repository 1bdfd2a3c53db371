"""The runner: results in order on any backend, bugs raised, dead workers noticed."""
import os
import signal
import threading
import time

import pytest

from dedup.runner import Runner, WorkerDied
from dedup.signals import Interrupted, interrupts, uninterrupted


def _init(offset):
    return {"offset": offset, "pid": os.getpid()}


def _add(ctx, batch):
    return [x + ctx["offset"] for x in batch], ctx["pid"]


def _fail_on_three(ctx, batch):
    if 3 in batch:
        raise ValueError("three")
    return batch


def _die(ctx, batch):
    os.kill(os.getpid(), signal.SIGKILL)


@pytest.mark.parametrize("jobs", [1, 2, 3])
def test_results_come_in_order_with_the_context_built_once_per_worker(jobs):
    batches = [[i, i + 100] for i in range(40)]
    with Runner(jobs, _init, (1000,)) as run:
        results = list(run.map(_add, batches))
    assert [r for r, _ in results] == [[i + 1000, i + 1100] for i in range(40)]
    pids = {pid for _, pid in results}
    assert (pids == {os.getpid()}) if jobs == 1 else (os.getpid() not in pids and 1 <= len(pids) <= jobs)


def test_a_bug_in_a_worker_is_raised_in_the_parent():
    with pytest.raises(ValueError, match="three"):
        with Runner(2, _init, (0,)) as run:
            list(run.map(_fail_on_three, [[1], [2], [3], [4]]))
    assert run.workers == []


def test_a_worker_killed_from_outside_is_an_error_not_a_hang():
    with pytest.raises(WorkerDied):
        with Runner(2, _init, (0,)) as run:
            list(run.map(_die, [[1], [2]]))


def test_terminate_leaves_no_worker_alive():
    run = Runner(2, _init, (0,))
    processes = [p for p, _ in run.workers]
    assert all(p.is_alive() for p in processes)
    run.terminate()
    assert not any(p.is_alive() for p in processes)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_signals_become_interrupted_with_the_shell_exit_code(sig):
    before = signal.getsignal(sig)
    with pytest.raises(Interrupted) as caught:
        with interrupts():
            os.kill(os.getpid(), sig)
            for _ in range(1000):   # the handler runs between two bytecodes
                pass
    assert caught.value.exit_code == 128 + sig
    assert signal.getsignal(sig) is before   # handlers put back


def _echo_big(ctx, batch):
    return batch * 2


def _alarm(signum, frame):
    raise TimeoutError("the runner hung")


@pytest.mark.parametrize("start_method", ["fork", "spawn"])
def test_batches_and_results_bigger_than_a_pipe_buffer_both_ways_do_not_hang(start_method):
    """A record file's write job and its result are megabytes: the parent must never
    block sending a job while the worker blocks sending a result. Also: spawn works."""
    batches = [bytes([n]) * 3_000_000 for n in range(8)]
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(60)
    try:
        with Runner(2, _init, (0,), start_method=start_method) as run:
            results = list(run.map(_echo_big, batches))
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    assert results == [b * 2 for b in batches]


def test_a_signal_inside_an_uninterrupted_block_waits_for_its_end_even_with_other_threads():
    """A signal sent to the process reaches a thread that does not block it (here a
    sleeping one, as numpy's BLAS threads are), and Python runs the handler in the main
    thread at once: the block must still finish before Interrupted is raised."""
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    reached = []
    try:
        with interrupts():
            try:
                with uninterrupted():
                    os.kill(os.getpid(), signal.SIGINT)
                    for _ in range(20):
                        time.sleep(0.005)   # the handler has run by now
                    reached.append("end of block")
                raise AssertionError("Interrupted was not raised when the block ended")
            except Interrupted as stop_signal:
                assert stop_signal.exit_code == 130
    finally:
        stop.set()
        other.join()
    assert reached == ["end of block"]


def test_without_interrupts_a_ctrl_c_inside_an_uninterrupted_block_is_a_keyboard_interrupt_after_it():
    """Python's own SIGINT handler (a library user's notebook): the block still ends
    first, then the KeyboardInterrupt comes, and the handler in force is as it was."""
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    reached = []
    before = signal.signal(signal.SIGINT, signal.default_int_handler)   # Python's own, whatever ran before
    try:
        with pytest.raises(KeyboardInterrupt):
            with uninterrupted():
                os.kill(os.getpid(), signal.SIGINT)
                for _ in range(20):
                    time.sleep(0.005)
                reached.append("end of block")
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    finally:
        signal.signal(signal.SIGINT, before)
        stop.set()
        other.join()
    assert reached == ["end of block"]


_KEPT: list = []


def _fragment(ctx, megabytes):
    """Allocate `megabytes` 1 MB arrays from the heap and free every other one: what is
    freed sits in holes that the heap cannot give back by shrinking."""
    import numpy as np
    np.ones(8 << 20, np.uint8)   # freed at once: glibc then serves 1 MB blocks from its heap, not mmap
    arrays = [np.ones(1 << 20, np.uint8) for _ in range(megabytes)]
    _KEPT.extend(arrays[::2])
    return _rss_mb(ctx, None)


def _rss_mb(ctx, _):
    """(this worker, its resident memory in MB)"""
    with open("/proc/self/status") as status:
        return os.getpid(), next(int(line.split()[1]) // 1024 for line in status if line.startswith("VmRSS"))


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="reads /proc")
def test_an_idle_worker_gives_back_the_memory_its_last_job_freed():
    """A worker waits, idle, while the corpus-wide steps run: it must not hold the peak
    of the batch it last sketched."""
    with Runner(2, _init, (0,)) as run:
        worker, at_peak = list(run.map(_fragment, [400]))[0]
        time.sleep(0.5)   # the worker is idle: nothing is queued for it
        after = [rss for pid, rss in run.map(_rss_mb, [None] * 4) if pid == worker]
    assert after and at_peak - after[0] >= 150, (at_peak, after)


def _sleep(ctx, batch):
    time.sleep(30)


def _awaited(jobs) -> None:
    """The first result, as the run would take it; the workers' end is expected."""
    try:
        next(jobs, None)
    except (WorkerDied, OSError, ValueError):
        pass


def test_terminating_while_a_big_job_is_being_sent_ends_its_sender_without_an_error(monkeypatch):
    """A job bigger than a pipe's buffer is half sent to a worker that is busy when the
    run ends (an interrupt): terminate() kills the workers, waits for the threads that
    send them jobs and only then closes their pipes; no thread dies with a traceback."""
    errors = []
    monkeypatch.setattr(threading, "excepthook", lambda args: errors.append(args.exc_value))
    for _ in range(5):
        run = Runner(2, _init, (0,))
        jobs = run.map(_sleep, [b"x" * (8 << 20)] * 6)   # each worker: one running, one stuck in its pipe
        waiting = threading.Thread(target=_awaited, args=(jobs,), daemon=True)
        waiting.start()
        time.sleep(0.3)
        senders = [sender for sender, _ in run._senders]
        assert len(senders) == 2 and all(sender.is_alive() for sender in senders)
        run.terminate()
        assert not any(sender.is_alive() for sender in senders)
        waiting.join(5)
    assert errors == []


def test_a_job_that_cannot_be_sent_is_raised_in_the_parent_not_a_thread_traceback_and_a_hang(monkeypatch):
    """The thread sending a worker its jobs hit an error only a bug makes (a job that does
    not pickle): it died with a traceback of its own and the parent waited for ever for
    that job's result. The error is now the parent's to raise."""
    errors, outcome = [], []
    monkeypatch.setattr(threading, "excepthook", lambda args: errors.append(args.exc_value))

    def run_it():
        try:
            with Runner(2, _init, (0,)) as run:
                list(run.map(_add, [[1], [2], lambda: 3, [4]]))
        except Exception as err:
            outcome.append(err)
    thread = threading.Thread(target=run_it, daemon=True)
    thread.start()
    thread.join(60)
    assert not thread.is_alive(), "the parent waited for ever"
    assert len(outcome) == 1 and not isinstance(outcome[0], WorkerDied) and "pickle" in str(outcome[0]).lower()
    assert errors == []
