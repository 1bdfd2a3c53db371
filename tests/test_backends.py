"""The Ray backend gives byte-identical outputs and reports to the local one, whatever the
number of workers (1, 2, 7) on a local two-CPU cluster: on the seeds, on the golden corpus as
JSONL rows, and as Parquet."""
import json
import os
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from dedup import backends
from dedup.cli import main
from tests.conftest import SEEDS
from tests.test_records import golden_rows

ray = pytest.importorskip("ray")


def test_ray_without_a_cluster_or_a_worker_count_starts_one_with_every_core():
    """(First in this file: the other tests share a cluster the fixture below starts.)"""
    assert not ray.is_initialized()
    with backends.RayRunner(0, _context, ("ctx",)) as run:
        assert len(run.actors) == os.cpu_count()
        assert sorted(r[1] for r in run.map(_slow_echo, range(4))) == [0, 1, 2, 3]
    assert not ray.is_initialized()   # the cluster it started is shut down


@pytest.fixture(scope="module")
def cluster():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    yield
    ray.shutdown()


def _corpora(root: Path) -> dict[str, Path]:
    shutil.copytree(SEEDS, root / "seeds")
    (root / "jsonl").mkdir()
    rows = golden_rows()
    (root / "jsonl" / "a.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows[:15]))
    (root / "jsonl" / "b.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows[15:]) + "{broken\n")
    (root / "parquet").mkdir()
    table = pa.Table.from_pylist([{"id": r["id"], "text": r["text"]} for r in rows])
    pq.write_table(table, root / "parquet" / "rows.parquet", row_group_size=4)
    return {"seeds": root / "seeds", "jsonl": root / "jsonl", "parquet": root / "parquet"}


def _files(out: Path) -> dict[str, bytes]:
    files = {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
    report = json.loads(files.pop("report.json"))
    report.pop("output")
    files["report.json"] = json.dumps(report, sort_keys=True).encode()
    files.pop("report.html")   # it embeds the report, output folder included; checked through report.json
    return files


def _clean(corpus: Path, out: Path, *args: str) -> dict[str, bytes]:
    old = os.getcwd()
    os.chdir(corpus.parent)
    try:
        result = CliRunner().invoke(main, ["clean", corpus.name, "-o", str(out), "-q", "--id-field", "id", *args],
                                    catch_exceptions=False)
    finally:
        os.chdir(old)
    assert result.exit_code == 0, result.output
    return _files(out)


def test_ray_gives_the_local_result_byte_for_byte_with_1_2_and_7_workers(tmp_path, cluster):
    for name, corpus in _corpora(tmp_path / "in").items():
        local = _clean(corpus, tmp_path / f"{name}-local", "-j", "2")
        assert len(local) > 1   # outputs besides the report
        for jobs in ("1", "2", "7"):
            got = _clean(corpus, tmp_path / f"{name}-ray-{jobs}", "--backend", "ray", "-j", jobs)
            assert got == local, (name, jobs)


def test_ray_runner_keeps_batch_order_and_builds_each_context_once(cluster):
    with backends.RayRunner(3, _context, ("ctx",)) as run:
        results = list(run.map(_slow_echo, range(20)))
    assert [r[1] for r in results] == list(range(20))
    assert len({r[0] for r in results}) <= 3   # one context per actor


def _context(name):
    return f"{name}-{os.getpid()}"


def _slow_echo(context, n):
    import time
    time.sleep(0.01 * ((n * 7) % 5))   # out-of-order completion
    return context, n


def test_backend_ray_without_ray_is_one_line(monkeypatch, tmp_path):
    import builtins
    real = builtins.__import__

    def no_ray(name, *args, **kwargs):
        if name == "ray" or name.startswith("ray."):
            raise ImportError(name)
        return real(name, *args, **kwargs)
    monkeypatch.setattr(builtins, "__import__", no_ray)
    result = CliRunner().invoke(main, ["clean", str(SEEDS), "-o", str(tmp_path / "out"), "--backend", "ray"])
    assert result.exit_code == 2
    assert result.output == "dedup: error: --backend ray needs Ray: pip install 'dedup-corpus[ray]'\n"
    assert not (tmp_path / "out").exists()


def test_ctrl_c_during_a_ray_run_is_one_line_exit_130_and_nothing_left(tmp_path):
    """A real process: SIGINT while the driver waits in ray.get (Ray wraps what our handler
    raises there) ends the run like a local one."""
    import random
    import signal
    import subprocess
    import sys
    import time
    rng = random.Random(1)
    words = [f"w{i}" for i in range(5000)]
    with open(tmp_path / "big.jsonl", "w") as out:
        for n in range(40000):
            out.write(json.dumps({"text": " ".join(rng.choice(words) for _ in range(60))}) + "\n")
    process = subprocess.Popen([sys.executable, "-m", "dedup", "clean", "big.jsonl", "-o", "out", "-q",
                                "--backend", "ray", "-j", "2"], cwd=tmp_path, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not list(tmp_path.glob(".out.dedup-staging-*")) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert list(tmp_path.glob(".out.dedup-staging-*")), "the run never started"
    time.sleep(1)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert [line for line in err.splitlines() if "Token authentication" not in line] == ["dedup: interrupted"]
    assert not (tmp_path / "out").exists() and not list(tmp_path.glob(".out.dedup-staging-*"))
