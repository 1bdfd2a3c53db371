"""The corpus-wide step of a run: the read batches' tables joined into one and
classified. A local run takes it in its own process; a run on Ray hands it to a process
of the cluster (`on_cluster`, run by backends.RayRunner.on_cluster), so that the driver
holds the run's plan and the batches' small results, never the corpus's table: that
process saves each write job's decisions and the run's index under the staging folder,
and the driver hands the write jobs their files.
"""
from __future__ import annotations

import pickle
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import heap, previous, verify
from . import table as tables
from .classify import classify
from .config import Settings
from .rules import learned
from .table import close_spills

DECISIONS = ".decisions"   # under the staging folder: a write job's decisions each (a run on Ray)


@dataclass(frozen=True)
class CorpusWide:
    """What the step reads: the batches' table files in order, the documents of them to
    keep (None: all; a record file one of whose parts could not be read is left out
    whole), and where the joined table's columns spill past `held` bytes."""
    parts: list[str]
    keep: np.ndarray | None
    spill: str
    held: float
    settings: Settings


def decide(job: CorpusWide, previous_run=None, verifier: verify.Verifier = verify.here):
    """The joined table and its decisions (classify's)."""
    table = tables.concat(list(job.parts), Path(job.spill), job.held)
    if job.keep is not None:
        table = table.take(job.keep)
    table = learned.with_countable_shapes(table, job.settings)
    heap.release()   # the batches' tables, now one
    decisions = classify(table, job.settings, previous=previous_run, verifier=verifier)
    heap.release()
    return table, decisions


def on_cluster(job: CorpusWide, against: str | None, writes: list[range], stage: str, verifies, pool) -> int:
    """decide() on a process of a Ray cluster, candidate near copies verified on the run's
    actors (`pool`, by the stage function `verifies`): saves the decisions of the write
    job of each range of documents in `writes` (decisions_file) and the run's index
    (previous.save), and returns the number of documents. Run again from the start if
    its process dies, it writes the same files."""
    folder = Path(stage) / DECISIONS
    shutil.rmtree(folder, ignore_errors=True)
    shutil.rmtree(Path(stage) / previous.FOLDER, ignore_errors=True)
    folder.mkdir()
    before = previous.load(against, job.settings) if against else None
    try:
        table, decisions = decide(job, before, lambda batches: pool.map(verifies, batches))
        for n, documents in enumerate(writes):
            with open(decisions_file(stage, n), "wb") as handle:
                pickle.dump(decisions.of(np.arange(documents.start, documents.stop)), handle,
                            pickle.HIGHEST_PROTOCOL)
        previous.save(Path(stage), tables.for_index(table), decisions, job.settings, before)
        return table.documents
    finally:
        close_spills()


def decisions_file(stage: str, job: int) -> str:
    """Where on_cluster saves write job `job`'s decisions."""
    return str(Path(stage) / DECISIONS / f"{job:06d}.pkl")
