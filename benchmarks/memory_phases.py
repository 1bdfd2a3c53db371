"""Benchmark: where `dedup clean` holds its memory. Runs one clean in this process and
prints, at each step's start and end, the resident set and its peak since the step
before (VmRSS, VmHWM reset through /proc/self/clear_refs; Linux only).

    python benchmarks/saudinewsnet.py --repeat 1 --keep /tmp/snfull/corpus   # all of SaudiNewsNet
    python benchmarks/memory_phases.py /tmp/snfull/corpus [--jobs 1]

The steps: sketching (until the table is joined), joining the sketch table, the corpus-wide
steps, the saved --against index, the write stage, joining record files' parts, report.json,
the review page. Skips where /proc is absent.
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

STATUS, CLEAR_REFS = Path("/proc/self/status"), Path("/proc/self/clear_refs")


def memory() -> tuple[int, int]:
    """(current, peak since the last reset) resident MB of this process."""
    fields = dict(line.split(":", 1) for line in STATUS.read_text().splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]) // 1024, int(fields["VmHWM"].split()[0]) // 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("corpus")
    parser.add_argument("--jobs", type=int, default=1)
    args = parser.parse_args()
    if not STATUS.exists() or not CLEAR_REFS.exists():
        print("skipped: needs Linux's /proc/self/status and clear_refs")
        return
    start = time.perf_counter()

    def mark(step: str) -> None:
        rss, peak = memory()
        print(f"{time.perf_counter() - start:7.2f} s  {step:28s} RSS {rss:5d} MB  peak since the last line {peak:5d} MB")
        CLEAR_REFS.write_text("5")   # resets the peak (VmHWM)

    from dedup import config, corpus, corpus_wide, html, pipeline, previous

    def timed(module, name: str, step: str) -> None:
        func = getattr(module, name)

        def wrapper(*a, **k):
            mark(f"before {step}")
            result = func(*a, **k)
            mark(f"after {step}")
            return result
        setattr(module, name, wrapper)

    timed(corpus_wide, "CorpusWide", "the table joined")
    timed(corpus_wide, "decide", "corpus-wide steps")
    timed(previous, "save", "index save")
    timed(pipeline, "_join_parts", "record files joined")
    timed(pipeline, "_report", "report build")
    timed(html, "write", "review page")
    timed(corpus, "write_atomic", "a file written whole")
    out = Path(tempfile.mkdtemp()) / "out"
    try:
        pipeline.clean([args.corpus], config.Settings(), out, jobs=args.jobs)
        mark("end")
    finally:
        shutil.rmtree(out.parent, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
