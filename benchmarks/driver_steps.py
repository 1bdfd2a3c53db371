"""Benchmark: where the driver's time goes in one `dedup clean`: wall seconds and the
driver thread's own CPU seconds in each corpus-wide step (the workers are not counted, so
a step's wall time beyond its CPU time is the driver waiting for them).

    python benchmarks/driver_steps.py CORPUS [--jobs N]

CORPUS is any input `dedup clean` takes (for example the 1 GB file `big_jsonl.py --keep DIR`
builds). The output goes to a temporary folder that is removed afterwards.
"""
from __future__ import annotations

import argparse
import collections
import functools
import shutil
import sys
import tempfile
import time
from pathlib import Path

from dedup import config, index, pipeline, verify
from dedup import table as tables
from dedup.rules import duplicates, learned

STEPS = [(pipeline, "classify"), (duplicates, "duplicate_documents"), (duplicates, "duplicate_paragraphs"),
         (duplicates, "duplicate_lines"), (duplicates, "content_digests"), (index, "near_duplicates"),
         (index, "candidate_codes"), (index, "estimated_similarity"), (verify, "pairs_of"), (index, "_fold_best"),
         (learned, "corpus_stats"), (tables, "concat"), (pipeline, "_write_report")]


def timed(steps) -> tuple[collections.Counter, collections.Counter]:
    """Wrap each (module, name) so that its calls add up their wall and thread CPU time."""
    wall, cpu = collections.Counter(), collections.Counter()
    for module, name in steps:
        func = getattr(module, name)

        @functools.wraps(func)
        def wrapper(*args, func=func, name=name, **kwargs):
            started, used = time.perf_counter(), time.thread_time()
            try:
                return func(*args, **kwargs)
            finally:
                wall[name] += time.perf_counter() - started
                cpu[name] += time.thread_time() - used
        setattr(module, name, wrapper)
    return wall, cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    wall, cpu = timed(STEPS)
    out = Path(tempfile.mkdtemp(prefix="dedup-steps-")) / "out"
    try:
        started, used = time.perf_counter(), time.process_time()
        pipeline.clean([args.corpus], config.Settings(), out, jobs=args.jobs)
        print(f"whole run: {time.perf_counter() - started:.2f} s wall, driver CPU {time.process_time() - used:.2f} s")
    finally:
        shutil.rmtree(out.parent, ignore_errors=True)
    for name in sorted(wall, key=lambda n: -wall[n]):
        print(f"{wall[name]:8.2f} s wall {cpu[name]:8.2f} s CPU  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
