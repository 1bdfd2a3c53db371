"""--memory: sizes as people write them, a plan that fits, and a run whose corpus table
is mapped from a file deciding exactly what a run holding it in memory decides."""
import dataclasses
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from dedup import api, budget
from dedup import table as tables
from tests.test_api import _tree

GOLDEN = Path(__file__).parent / "golden" / "corpus"
MiB = 1 << 20


@pytest.mark.parametrize("text, size", [
    ("512M", 512 * MiB), ("512m", 512 * MiB), ("2G", 2 << 30), ("1.5GB", 1536 * MiB), ("800MiB", 800 * MiB),
    ("4t", 4 << 40), ("300000000", 300_000_000), (" 1g ", 1 << 30), ("262144K", 256 * MiB),
])
def test_sizes_as_people_write_them(text, size):
    assert budget.parse(text) == size


@pytest.mark.parametrize("text, says", [
    ("", "not a size"), ("2x", "not a size"), ("-1G", "not a size"), ("nan", "not a size"), ("inf", "not a size"),
    ("G", "not a size"), ("1e400", "not a size"), ("255M", "too little"), ("0", "too little"),
])
def test_what_is_not_a_size_or_too_small_is_refused(text, says):
    with pytest.raises(budget.BudgetError, match=says):
        budget.parse(text)


def _sketching(plan: budget.Plan) -> int:
    workers = budget.DRIVER_BYTES + plan.jobs * (budget.WORKER_BYTES + budget.BATCH_FACTOR * plan.shard_bytes)
    return workers if plan.jobs > 1 else budget.DRIVER_BYTES + budget.BATCH_FACTOR * plan.shard_bytes


def _steps(plan: budget.Plan) -> int:
    return plan.steps + (plan.jobs * budget.WORKER_BYTES if plan.jobs > 1 else 0)


def test_with_room_enough_nothing_changes():
    plan = budget.plan(64 << 30, 8, 16 * MiB, 2 << 30)
    assert (plan.jobs, plan.shard_bytes, plan.fits) == (8, 16 * MiB, True)
    assert plan.table_bytes > 20 << 30


def test_batches_shrink_before_workers_go():
    need = budget.DRIVER_BYTES + 2 * (budget.WORKER_BYTES + budget.BATCH_FACTOR * 16 * MiB)
    plan = budget.plan(need, 2, 16 * MiB, 0)
    assert (plan.jobs, plan.shard_bytes) == (2, 16 * MiB)
    smaller = budget.plan(need - 1, 2, 16 * MiB, 0)
    assert smaller.jobs == 2 and smaller.shard_bytes < 16 * MiB and _sketching(smaller) <= need - 1


def test_workers_go_when_the_smallest_batches_do_not_fit_and_one_always_stays():
    two = budget.DRIVER_BYTES + 2 * (budget.WORKER_BYTES + budget.BATCH_FACTOR * budget.MIN_SHARD_BYTES)
    assert budget.plan(two, 2, 16 * MiB, 0).jobs == 2
    one = budget.plan(two - 1, 2, 16 * MiB, 0)
    assert one.jobs == 1 and one.fits and _sketching(one) <= two - 1
    assert budget.plan(budget.MIN_MEMORY, 16, 16 * MiB, 0).jobs == 1


def test_a_bigger_input_leaves_less_room_for_workers_and_the_table():
    """The corpus-wide steps' working arrays grow with the input: at 2 GB a 512 MiB budget
    runs in one process, and the table gets what the steps leave, halved."""
    small, big = (budget.plan(512 * MiB, 2, 16 * MiB, size) for size in (100 * MiB, 2000 * MiB))
    assert (small.jobs, big.jobs) == (2, 1)
    assert big.steps == budget.DRIVER_BYTES + 2000 * MiB // budget.STEPS_SHARE
    assert big.table_bytes == (512 * MiB - big.steps) // 2
    at_the_edge = budget.DRIVER_BYTES + 2 * budget.WORKER_BYTES + 2000 * MiB // budget.STEPS_SHARE
    assert budget.plan(at_the_edge + 2 * budget.BATCH_FACTOR * MiB, 2, 16 * MiB, 2000 * MiB).jobs == 2
    assert budget.plan(at_the_edge - 1, 2, 16 * MiB, 2000 * MiB).jobs == 1


@pytest.mark.parametrize("memory", [256 * MiB, 300 * MiB, 512 * MiB, 1 << 30, 3 << 30, 16 << 30])
@pytest.mark.parametrize("jobs", [1, 2, 3, 8, 32])
@pytest.mark.parametrize("input_bytes", [0, 200 * MiB, 3 << 30])
def test_a_plan_that_says_it_fits_fits(memory, jobs, input_bytes):
    plan = budget.plan(memory, jobs, 16 * MiB, input_bytes)
    assert 1 <= plan.jobs <= jobs and budget.MIN_SHARD_BYTES <= plan.shard_bytes <= 16 * MiB
    assert plan.fits == (_sketching(plan) <= memory and _steps(plan) <= memory)
    assert plan.fits or plan.jobs == 1
    assert 0 <= plan.table_bytes <= max(memory - _steps(plan), 0) // 2


def test_a_budget_the_corpus_wide_steps_cannot_fit_in_is_refused_before_any_work(tmp_path, monkeypatch):
    monkeypatch.setattr(budget, "DRIVER_BYTES", 300 * MiB)   # as if the corpus-wide steps needed that much
    with pytest.raises(budget.BudgetError, match=r"^memory 256M is too little for this corpus: its corpus-wide "
                                                 r"steps need about \d+M"):
        api.clean(GOLDEN, tmp_path / "out", memory="256M")
    assert not (tmp_path / "out").exists()
    api.clean(GOLDEN, tmp_path / "out")   # no budget asked for: the default never refuses


def test_a_file_too_big_to_sketch_in_the_budget_is_refused_before_any_work(tmp_path):
    """One text file is sketched whole whatever the batch size: a budget below what that
    takes is refused, naming the file's share, where the run went past it (a 193 MB
    file under --memory 300M peaked at 1.1 GB)."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "small.txt").write_text("A small file of a few words.\n", "utf-8")
    (corpus / "big.txt").write_text(("word " * 20 + "\n") * 600_000, "utf-8")   # 60 MB
    need = budget.sketch_one((corpus / "big.txt").stat().st_size, 600_001) + MiB - 1 >> 20
    with pytest.raises(budget.BudgetError, match=rf"^memory 256M is too little for this corpus: sketching its "
                                                 rf"largest file takes about {need}M; give at least that, or split"):
        api.clean(corpus, tmp_path / "out", memory="256M")
    assert not (tmp_path / "out").exists()
    assert budget.plan(256 * MiB, 2, 16 * MiB, 60 * MiB).fits   # the same bytes in small files fit
    both = budget.plan(256 * MiB, 1, 16 * MiB, 4 << 30, largest=60 * MiB)   # and too much input besides
    need = budget.sketch_one(60 * MiB) + MiB - 1 >> 20
    assert budget.too_little(256 * MiB, both) == (
        f"--memory 256M is too little for this corpus: its corpus-wide steps need about {both.steps >> 20}M and "
        f"sketching its largest file about {need}M; give at least {max(both.steps >> 20, need)}M")


def test_a_big_file_of_short_lines_is_planned_by_its_lines_too(tmp_path, monkeypatch):
    """Every line of a file sketched whole has its signature and band keys: 4 MB of 20,000
    short lines takes far more than 4 MB of long ones (a 100 MB file of a million lines
    peaked at 1.7 GB, where its bytes alone said 0.5 GB). Refused under a --memory its
    bytes fit in; with none, refused only when it would not fit in the machine."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "lines.txt").write_text("".join(f"line {n} of a list\n" for n in range(200_000)), "utf-8")
    size = (corpus / "lines.txt").stat().st_size
    need = budget.sketch_one(size, 200_001)
    assert budget.sketch_one(size) < 256 * MiB < need
    with pytest.raises(budget.BudgetError, match=rf"sketching its largest file takes about {need + MiB - 1 >> 20}M"):
        api.clean(corpus, tmp_path / "out", memory="256M")
    monkeypatch.setattr(budget, "machine_memory", lambda: need - MiB)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(budget.BudgetError, match=r"^corpus/lines.txt: a text file is one document, sketched whole, "
                                                 r"and this one takes about [\d,]+ MB to sketch, more than this "
                                                 r"machine's [\d,]+ MB; split it into files"):
        api.clean("corpus", tmp_path / "out")
    assert not (tmp_path / "out").exists()
    monkeypatch.setattr(budget, "machine_memory", lambda: need + MiB)
    assert api.clean(corpus, tmp_path / "out").summary.documents == 1


def test_one_big_file_takes_one_workers_room_not_every_workers():
    """Only one batch at a time can be the largest file: with 8 GB and a 600 MB file, 16
    workers keep their 16 MB batches beside it (it cost 13 of them when each was counted
    as holding it)."""
    plan = budget.plan(8 << 30, 16, 16 * MiB, 1 << 30, largest=600 * MiB)
    assert plan.jobs == 16 and plan.shard_bytes == 16 * MiB and plan.fits
    held = 600 * MiB + 15 * 16 * MiB
    assert budget.DRIVER_BYTES + 16 * budget.WORKER_BYTES + budget.BATCH_FACTOR * held <= 8 << 30


def test_the_table_mapped_from_files_decides_what_the_table_in_memory_decides(tmp_path, monkeypatch):
    """The golden corpus with a table too big for its budget: its columns are files mapped
    into memory, and every output file, the report and the page are those of a run with
    room enough."""
    held = api.clean(GOLDEN, tmp_path / "held", jobs=1)
    joined, concat, plan = [], tables.concat, budget.plan

    def spying(parts, spill=None, held=float("inf")):
        joined.append(concat(parts, spill, held))
        return joined[-1]
    monkeypatch.setattr(tables, "concat", spying)
    monkeypatch.setattr(budget, "plan", lambda *args: dataclasses.replace(plan(*args), table_bytes=0))  # no room
    mapped = api.clean(GOLDEN, tmp_path / "mapped", jobs=1, memory="256M")
    assert [isinstance(t.hash, np.memmap) for t in joined][-1:] == [True]   # the whole corpus's, only
    assert not any(isinstance(t.hash, np.memmap) for t in joined[:-1])
    assert held.summary.lines_removed > 0

    def files(folder):
        return {k: v for k, v in _tree(folder).items() if k not in ("report.json", "report.html")}
    assert files(tmp_path / "mapped") == files(tmp_path / "held")
    for name in ("report.json", "report.html"):
        assert ((tmp_path / "mapped" / name).read_bytes().replace(bytes(tmp_path / "mapped"), bytes(tmp_path / "held"))
                == (tmp_path / "held" / name).read_bytes())


def test_a_budget_for_one_worker_runs_one(tmp_path, monkeypatch):
    from dedup import backends
    asked = []
    runner = backends.runner

    def spying(backend, jobs, *args, **kwargs):
        asked.append(jobs)
        return runner(backend, jobs, *args, **kwargs)
    monkeypatch.setattr(backends, "runner", spying)
    from dedup import pipeline
    monkeypatch.setattr(pipeline, "MIN_SHARD_BYTES", 1)   # batches of a few files: work for two workers
    monkeypatch.setattr(pipeline, "SHARD_BYTES", 4_000)
    api.clean(GOLDEN, tmp_path / "one", jobs=2, memory=budget.MIN_MEMORY)
    api.clean(GOLDEN, tmp_path / "two", jobs=2, memory="64G")
    assert asked == [1, 2]
    assert _tree(tmp_path / "one").keys() == _tree(tmp_path / "two").keys()


@pytest.mark.parametrize("value", [100, "lots", True, 2.5])
def test_the_api_refuses_a_memory_it_cannot_use(tmp_path, value):
    with pytest.raises(api.DedupError, match="memory"):
        api.clean(GOLDEN, tmp_path / "out", memory=value)
    assert not (tmp_path / "out").exists()


def test_the_command_line_says_in_one_line_what_is_wrong_with_a_size(tmp_path):
    run = subprocess.run([sys.executable, "-m", "dedup", "clean", str(GOLDEN), "-o", str(tmp_path / "out"),
                          "--memory", "12 bananas"], capture_output=True, text=True)
    assert run.returncode == 2 and not (tmp_path / "out").exists()
    assert run.stderr.strip().splitlines() == ["dedup: error: --memory: '12 bananas' is not a size "
                                               "(write it as 512M, 2G or 1.5GB)"]


def test_a_compressed_corpus_is_planned_by_its_text_not_its_bytes(tmp_path, monkeypatch):
    """A gzip JSONL file holds about COMPRESSION times its bytes of text: the plan is
    given that, a plain one its size."""
    import gzip
    import json
    rows = "".join(json.dumps({"text": f"line {n} of a record\nanother line {n}\n"}) + "\n" for n in range(200))
    (tmp_path / "plain").mkdir()
    (tmp_path / "packed").mkdir()
    (tmp_path / "plain" / "rows.jsonl").write_text(rows, "utf-8")
    (tmp_path / "packed" / "rows.jsonl.gz").write_bytes(gzip.compress(rows.encode()))
    asked, plan = [], budget.plan
    monkeypatch.setattr(budget, "plan", lambda *args: asked.append(args[3]) or plan(*args))
    for name in ("plain", "packed"):
        api.clean(tmp_path / name, tmp_path / f"out-{name}", jobs=1)
    assert asked == [len(rows.encode()), budget.COMPRESSION * (tmp_path / "packed" / "rows.jsonl.gz").stat().st_size]


def test_a_huge_job_count_is_planned_at_once():
    """-j 99999999999999999999 asked the plan to drop one worker at a time from there: it
    starts at the most that fit with the smallest batches (a subprocess, so that the
    old way is a failed test, not a hung suite)."""
    code = ("from dedup import budget; p = budget.plan(8 << 30, 10**20, 64 << 20, 100 << 20); "
            "print(p.jobs, p.fits)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    jobs, fits = done.stdout.split()
    most = ((8 << 30) - budget.DRIVER_BYTES) // (budget.WORKER_BYTES + budget.BATCH_FACTOR * budget.MIN_SHARD_BYTES)
    assert fits == "True" and 1 < int(jobs) <= most
    assert budget.plan(8 << 30, int(jobs), 64 << 20, 100 << 20) == budget.plan(8 << 30, 10**20, 64 << 20, 100 << 20)
