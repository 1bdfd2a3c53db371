"""How a run fits in the memory it is given (`--memory`): how many worker processes,
how big the batches they read, and whether the corpus table the corpus-wide steps
read is held in memory or mapped from a file in the run's staging folder.

The budget is for all of the run's processes together. What each part takes was
measured on near copies of Arabic news (benchmarks/big_jsonl.py): a worker holds its
interpreter and compiled kernel (shared with the others until written to) and about
four bytes per byte of the batch it sketches (one big text file, sketched whole, more:
see ONE_FILE_BYTES); the driver its interpreter and the
corpus-wide steps' working arrays; the table about 100 bytes per content line. A
table over its share is written to a file and mapped: the system then keeps in memory
the pages a step reads and drops them when it needs the room. None of this changes
what a run decides, only where it holds it.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

from .errors import DedupError

WORKER_BYTES = 112 << 20   # a worker before its batch: interpreter, numpy, the kernel
BATCH_FACTOR = 4           # a batch's working set, per byte of input
# One text file is one document, sketched whole: its text, its code points, and a MinHash
# signature and band keys for every line. Measured on single files of 20-100 MB (English
# and Arabic, one long line to a million short ones): 5.8-7.5 bytes per byte and 770-1,430
# per line besides; the larger of each, rounded up, so that a file refused is one that
# would not have fitted.
ONE_FILE_BYTES = 8
ONE_FILE_LINE_BYTES = 1_500
DRIVER_BYTES = 96 << 20    # the driver before the corpus-wide steps: interpreter, numpy, the kernel
STEPS_SHARE = 8            # the corpus-wide steps' working arrays, besides the table: an eighth of the input's bytes
COMPRESSION = 4            # a gzip or zstd file's, or a Parquet file's, text: about four times its bytes
MIN_SHARD_BYTES = 1 << 20
MIN_MEMORY = 256 << 20     # below this a run does not start
_UNITS = {"": 1, "B": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}


class BudgetError(DedupError, ValueError):
    """A --memory value that cannot be read or is too small."""


def parse(text: str, name: str = "--memory") -> int:
    """Bytes of a size as people write it: 512M, 2G, 1.5GB, 800MiB, 4096 (bytes); `name`:
    what the messages call the value."""
    value = text.strip().upper().replace("IB", "").removesuffix("B") if text else ""
    number, unit = (value[:-1], value[-1]) if value[-1:] in _UNITS and value[-1:].isalpha() else (value, "")
    try:
        size = float(number)
    except ValueError:
        raise BudgetError(f"{name}: {text!r} is not a size (write it as 512M, 2G or 1.5GB)") from None
    if not size >= 0 or size == float("inf"):
        raise BudgetError(f"{name}: {text!r} is not a size (write it as 512M, 2G or 1.5GB)")
    size = int(size * _UNITS[unit])
    if size < MIN_MEMORY:
        raise BudgetError(f"{name}: {text} is too little to run in; give at least {MIN_MEMORY >> 20}M")
    return size


def default_memory() -> int:
    """Half the memory of this machine, or of the container (cgroup) the run is in if
    that is less: room for the rest of what a laptop runs."""
    return max(machine_memory() // 2, MIN_MEMORY)


def text_bytes(file_bytes: int, compressed: bool) -> int:
    """About how many bytes of text a file of `file_bytes` holds."""
    return file_bytes * COMPRESSION if compressed else file_bytes


@dataclass(frozen=True)
class Plan:
    jobs: int          # worker processes (1: the run's own process)
    shard_bytes: int   # the most input bytes in one batch
    table_bytes: int   # the most bytes of corpus table held in memory; a bigger one is mapped from a file
    fits: bool         # whether the corpus-wide steps' working arrays fit at all (they grow with the corpus)
    steps: int         # the bytes those steps are estimated to need
    one_file: int = 0  # and sketching the largest file, which no batch size makes smaller


def _batch(memory: int, jobs: int, shard_bytes: int) -> int:
    """The biggest batch (at most shard_bytes) that `jobs` workers can sketch at once."""
    room = memory - DRIVER_BYTES if jobs == 1 else memory - DRIVER_BYTES - jobs * WORKER_BYTES
    return min(shard_bytes, max(room // (jobs * BATCH_FACTOR), MIN_SHARD_BYTES))


def plan(memory: int, jobs: int, shard_bytes: int, input_bytes: int, largest: int = 0, largest_lines: int = 0) -> Plan:
    """Workers and batches that fit in `memory` bytes, batches made smaller first (never
    below MIN_SHARD_BYTES), then workers fewer (never below one). Two moments set it:
    sketching (the workers each with a batch, the driver small) and the corpus-wide steps
    (the driver's working arrays, which grow with the input, beside the idle workers).
    Half of what the steps leave, the table may hold; a table bigger than that is mapped.
    `largest`: the biggest single file of text (of `largest_lines` lines), which is
    sketched whole whatever the batch."""
    steps = DRIVER_BYTES + input_bytes // STEPS_SHARE
    whole = sketch_one(largest, largest_lines) - DRIVER_BYTES if largest else 0

    def fits(j: int, shard: int) -> bool:
        held = BATCH_FACTOR * (j - 1) * shard + max(BATCH_FACTOR * shard, whole)   # one batch may be the largest file
        sketching = DRIVER_BYTES + held if j == 1 else DRIVER_BYTES + j * WORKER_BYTES + held
        return sketching <= memory and steps + (j * WORKER_BYTES if j > 1 else 0) <= memory
    # no more workers than fit with the smallest batches: the loop below starts there
    most = min((memory - DRIVER_BYTES) // (WORKER_BYTES + BATCH_FACTOR * MIN_SHARD_BYTES),
               (memory - steps) // WORKER_BYTES)
    jobs = max(min(jobs, most), 1)
    while jobs > 1 and not fits(jobs, _batch(memory, jobs, shard_bytes)):
        jobs -= 1
    shard = _batch(memory, jobs, shard_bytes)
    idle = jobs * WORKER_BYTES if jobs > 1 else 0
    return Plan(jobs, shard, max(memory - steps - idle, 0) // 2, fits(jobs, shard), steps,
                sketch_one(largest, largest_lines) if largest else 0)


def sketch_one(text_bytes: int, lines: int = 0) -> int:
    """The bytes one process takes to sketch a text file of `text_bytes` and `lines`."""
    return DRIVER_BYTES + max(BATCH_FACTOR * text_bytes, ONE_FILE_BYTES * text_bytes + ONE_FILE_LINE_BYTES * lines)


def machine_memory() -> int:
    """The memory of this machine, or of the container (cgroup) the run is in if that is less."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        total = 8 << 30
    for limit in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            with open(limit) as handle:
                total = min(total, int(handle.read().strip()))
        except (OSError, ValueError):   # absent, or "max": no limit
            pass
    return total


def too_big(path: str, need: int) -> str:
    """Why a text file cannot be cleaned on this machine at all."""
    return (f"{path}: a text file is one document, sketched whole, and this one takes about "
            f"{_size_text(need)} to sketch, more than this machine's {_size_text(machine_memory())}; split it into "
            f"files, one document each, or write its documents as JSONL records")


def _size_text(size: int) -> str:
    return f"{size >> 20:,} MB" if size < 10 << 30 else f"{size / (1 << 30):,.0f} GB"


def too_little(memory: int, plan: Plan) -> str:
    """Why `memory` cannot hold a run whose plan does not fit."""
    given = memory + (1 << 20) - 1 >> 20
    steps, one_file = (n + (1 << 20) - 1 >> 20 for n in (plan.steps, plan.one_file))
    if plan.steps <= memory < plan.one_file:
        return (f"--memory {given}M is too little for this corpus: sketching its largest file takes about "
                f"{one_file}M; give at least that, or split the file")
    if plan.one_file > memory:
        return (f"--memory {given}M is too little for this corpus: its corpus-wide steps need about {steps}M "
                f"and sketching its largest file about {one_file}M; give at least {max(steps, one_file)}M")
    return (f"--memory {given}M is too little for this corpus: its corpus-wide steps "
            f"need about {steps}M; give at least that")
