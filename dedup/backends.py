"""Where the per-document stages run: `local` (this machine's worker processes, the
Runner) or `ray` (actors on a Ray cluster). Both run the same stage functions over the
same batches and hand results back in batch order, so every output and report is
byte-identical whatever the backend, the worker count or the order tasks finish in.

On Ray, each actor builds its Context once, like a local worker. The workers read the
inputs and write into the staging folder by path, so on a cluster of several machines
the inputs and -o must be on storage that every node mounts at the same path.
"""
from __future__ import annotations

import os
import pickle
import signal
import threading
from typing import Any, Callable, Iterable, Iterator

from . import heap
from .runner import DIED, IN_FLIGHT, Runner, WorkerDied
from .signals import SIGNALS, Interrupted
from .errors import DedupError

BACKENDS = ("local", "ray")
RESTARTS = 3   # times Ray restarts a worker whose process died (a node lost, the OOM killer), retrying its batches
STEP_DIED = ("the process of the corpus-wide step was killed (out of memory?); it holds the corpus's table: "
             "run it where a node has more memory")


class BackendError(DedupError):
    """The backend cannot be used (Ray not installed, no cluster at the address)."""


class _Worker:
    """A Ray actor: one stage context, many batches, run from the driver's folder
    (paths in the batches are relative to it; Ray starts workers elsewhere)."""

    def __init__(self, init: Callable, init_args: tuple, cwd: str):
        os.chdir(cwd)
        self.context = init(*init_args)

    def run(self, func: Callable, batch: bytes) -> bytes:
        """func over a batch, both pickled (see ActorPool.map)."""
        return pickle.dumps(func(self.context, pickle.loads(batch)), protocol=pickle.HIGHEST_PROTOCOL)

    def release(self) -> None:
        """Give back what the stage's batches freed: the actor may be idle for a whole
        stage. (Not after each batch: the next one would fault the same pages in again,
        a tenth of a run's CPU time on 1 GB.)"""
        heap.release()


_END = object()


class ActorPool:
    """A stage's batches on a set of actors, in order: what the driver maps with, and what
    a task of the run's own on the cluster (RayRunner.on_cluster) is handed to map with."""

    def __init__(self, actors: list):
        self.actors = actors

    def map(self, func: Callable, batches: Iterable) -> Iterator:
        """func over the batches on the actors, IN_FLIGHT at most on each (the least busy
        gets the next), results in the batches' order. Batches are taken from the
        iterable as actors come free, and no more are out (running, or done and not
        yet given back) than IN_FLIGHT per actor, however slow the batch awaited is: a
        lazy iterable is never held whole (Ray's ActorPool.map submits every batch at once)."""
        import ray
        todo = iter(batches)
        load = [0] * len(self.actors)
        running: dict = {}   # result ref -> (batch number, actor)
        finished: dict = {}  # batch number -> result ref
        sent = done = 0
        exhausted = False
        while True:
            while not exhausted and min(load) < IN_FLIGHT and sent - done < IN_FLIGHT * len(self.actors):
                batch = next(todo, _END)
                if batch is _END:
                    exhausted = True
                    break
                actor = load.index(min(load))
                # pickled here, not by Ray's cloudpickle, which looks up every object of a batch
                # (a write job's decisions are thousands) in Python: a fifth of the driver's time
                running[self.actors[actor].run.remote(func, pickle.dumps(batch, protocol=pickle.HIGHEST_PROTOCOL))] \
                    = (sent, actor)
                load[actor] += 1
                sent += 1
            if done == sent and exhausted:
                return
            if done in finished:
                yield pickle.loads(ray.get(finished.pop(done)))
                done += 1
                continue
            ready, _ = ray.wait(list(running), num_returns=1)
            number, actor = running.pop(ready[0])
            load[actor] -= 1
            finished[number] = ready[0]


class _OnCluster:
    """An actor that runs one function of the run's own (RayRunner.on_cluster) from the
    driver's folder (paths are relative to it; Ray starts its workers elsewhere)."""

    def __init__(self, cwd: str):
        os.chdir(cwd)

    def run(self, func: Callable, *args) -> Any:
        return func(*args)


def _handlers() -> dict:
    """The signal handlers in force in this (the main) thread, to put back after Ray's."""
    if threading.current_thread() is not threading.main_thread():
        return {}
    return {sig: signal.getsignal(sig) for sig in SIGNALS if signal.getsignal(sig) is not None}


CONNECT_SECONDS = 10   # to reach a cluster's address; Ray itself would go on trying for good


def _check_reachable(address: str | None) -> None:
    """One line, soon, for an address where no cluster answers (a typo, a port closed,
    a host down), instead of Ray's retrying without end: a TCP connection to its port."""
    if address is None or address in ("auto", "local"):
        return
    import socket
    host, _, port = address.removeprefix("ray://").rpartition(":")
    if not host or not port.isdigit():
        raise BackendError(f"--address {address}: give a cluster's HOST:PORT (as `ray start --head` prints it) or auto")
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=CONNECT_SECONDS).close()
    except OSError as err:
        why = "no answer" if isinstance(err, TimeoutError) else (err.strerror or str(err)).lower()
        raise BackendError(f"cannot reach a Ray cluster at {address}: {why}") from None


class RayRunner:
    """The Runner's interface on Ray: `map(func, batches)` yields results in order."""

    def __init__(self, jobs: int, init: Callable, init_args: tuple = (), address: str | None = None):
        try:
            import ray
        except ImportError:
            raise BackendError("--backend ray needs Ray: pip install 'dedup-corpus[ray]'") from None
        self._ray = ray
        self._started = not ray.is_initialized()
        if self._started:
            _check_reachable(address)
            handlers = _handlers()
            try:
                # a local cluster gets the workers asked for, or (0) every core Ray finds
                ray.init(address=address, num_cpus=None if address else (jobs or None), include_dashboard=False,
                         log_to_driver=False, configure_logging=False)
            except (ConnectionError, RuntimeError, ValueError) as err:
                raise BackendError(f"cannot start or reach Ray at {address or 'a local cluster'}: "
                                   f"{str(err).splitlines()[0]}") from None
            except SystemExit as stop:   # a SIGTERM while Ray starts, by the handler Ray puts in meanwhile
                ray.shutdown()
                if stop.code in SIGNALS:
                    raise Interrupted(int(stop.code)) from None
                raise
            finally:   # Ray's own SIGTERM handler out again (exit status 15, no word, its agents left running)
                for sig, handler in handlers.items():
                    signal.signal(sig, handler)
        cpus = ray.cluster_resources().get("CPU", 1.0)
        count = jobs or max(int(cpus), 1)
        self.jobs = count
        # A batch is a pure function of its inputs and writes only files of its own, whole:
        # run again on a restarted worker, it gives the same result and the same files.
        actor = ray.remote(_Worker).options(num_cpus=min(1.0, cpus / count), max_restarts=RESTARTS,
                                            max_task_retries=RESTARTS)
        self.actors = [actor.remote(init, init_args, os.getcwd()) for _ in range(count)]
        self.pool = ActorPool(self.actors)
        self._steps: list = []   # the actors on_cluster runs functions on

    parallel = True   # the batches run in Ray's workers

    def map(self, func: Callable, batches: Iterable) -> Iterator:
        try:
            yield from self.pool.map(func, batches)
            # the stage is over and every actor idle: a few milliseconds, never a task left behind
            self._ray.get([actor.release.remote() for actor in self.actors])
        except BaseException as err:
            raise self._translated(err) from None

    def on_cluster(self, func: Callable, *args) -> Any:
        """func(*args, pool) run by a process of the cluster, not by this one, and its
        result: `pool.map(func, batches)` runs batches on this runner's actors, in order.
        The process (an actor of its own, which holds no CPU: the batches' actors hold
        them) is let go once func returns, or killed with the others (terminate). If it
        dies, Ray starts it again and func runs again from the start: func must write
        nothing it does not write whole."""
        actor = self._ray.remote(_OnCluster).options(num_cpus=0, max_restarts=RESTARTS, max_task_retries=RESTARTS)
        step = actor.remote(os.getcwd())
        try:
            self._steps.append(step)
            return self._ray.get(step.run.remote(func, *args, self.pool))
        except self._ray.exceptions.RayTaskError as err:   # what func raised (a batch's worker that kept dying too)
            raise self._translated(err.cause if isinstance(err.cause, BaseException) else err) from None
        except self._ray.exceptions.RayActorError:   # the step's own process, killed RESTARTS + 1 times
            raise WorkerDied(f"{STEP_DIED}; Ray restarted it {RESTARTS} times") from None
        except BaseException as err:
            raise self._translated(err) from None
        finally:
            if step in self._steps:   # (not if terminate killed it)
                self._steps.remove(step)
                self._ray.kill(step)   # and with it what func held

    def _translated(self, err: BaseException) -> BaseException:
        """What the run raises for an error out of Ray: a worker that kept dying is
        WorkerDied; Ctrl-C inside ray.get comes back wrapped (a SystemError)."""
        if isinstance(err, self._ray.exceptions.RayActorError):   # restarted RESTARTS times, and killed again
            return WorkerDied(f"{DIED}; Ray restarted it {RESTARTS} times")
        return _interruption(err) or err

    def terminate(self) -> None:
        for worker in self.actors + self._steps:
            self._ray.kill(worker)
        self.actors, self._steps = [], []
        if self._started and self._ray.is_initialized():
            self._ray.shutdown()
            self._started = False

    close = terminate

    def __enter__(self) -> "RayRunner":
        return self

    def __exit__(self, kind, value, tb) -> None:
        self.terminate()


def _interruption(err: BaseException) -> Interrupted | None:
    """The Interrupted that `err` was raised from, if any: our signal handler runs inside
    Ray's C code when a signal comes while it waits, and Ray wraps what it raised."""
    seen = set()
    while err is not None and id(err) not in seen:
        if isinstance(err, Interrupted):
            return err
        seen.add(id(err))
        err = err.__cause__ or err.__context__
    return None


def runner(backend: str, jobs: int, init: Callable, init_args: tuple = (), address: str | None = None):
    """A Runner (local) or a RayRunner for `jobs` workers (0: every CPU the backend has)."""
    if backend == "ray":
        return RayRunner(jobs, init, init_args, address)
    return Runner(jobs, init, init_args)
