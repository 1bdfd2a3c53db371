"""The Ray backend gives byte-identical outputs and reports to the local one, whatever the
number of workers (1, 2, 7) on a local two-CPU cluster: on the seeds, on the golden corpus as
JSONL rows, and as Parquet."""
import json
import os
import re
import shutil
import time
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


@pytest.mark.parametrize("address, message", [
    ("127.0.0.1:1", "cannot reach a Ray cluster at 127.0.0.1:1: connection refused"),
    ("nosuchhost.invalid:6379", "cannot reach a Ray cluster at nosuchhost.invalid:6379: "),
    ("a-typo", "--address a-typo: give a cluster's HOST:PORT (as `ray start --head` prints it) or auto"),
])
def test_an_address_where_no_cluster_answers_is_one_line_at_once(tmp_path, address, message):
    """Ray itself goes on trying to reach it for good, printing its log lines."""
    started = time.monotonic()
    result = CliRunner().invoke(main, ["clean", str(SEEDS), "-o", str(tmp_path / "out"), "--backend", "ray",
                                       "--address", address])
    assert result.exit_code == 2 and result.output.startswith(f"dedup: error: {message}")
    assert result.output.count("\n") == 1 and time.monotonic() - started < 2 * backends.CONNECT_SECONDS
    assert not ray.is_initialized()


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


def test_long_chains_of_near_copies_cut_into_parts_of_any_size_give_the_local_result_on_ray(tmp_path, cluster,
                                                                                            monkeypatch):
    """Chains of near copies (each record the one before with a word changed, so its two
    ends are far apart) across the parts of one JSONL file: whatever the part size and
    the number of Ray workers, the files of a local one-process run."""
    import random
    from dedup import pipeline
    rng = random.Random(5)
    words = [f"w{i}" for i in range(400)]
    rows = []
    for chain in range(6):   # neighbours share about 0.9 of their shingles, ends of a chain none
        text = [rng.choice(words) for _ in range(100)]
        for step in range(30):
            text[rng.randrange(100)] = f"c{chain}s{step}"
            rows.append({"id": f"r{chain}-{step}", "text": " ".join(text) + "\n"})
    rng.shuffle(rows)
    corpus = tmp_path / "in" / "chains"
    corpus.mkdir(parents=True)
    (corpus / "rows.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    local = _clean(corpus, tmp_path / "local", "-j", "1")
    report = json.loads(local["report.json"])
    assert report["summary"]["by_rule"]["near-document"]["spans"] == 6 * 29   # each chain, but for its first
    for size in (3_000, 20_000):
        monkeypatch.setattr(pipeline, "MIN_SHARD_BYTES", 1)
        monkeypatch.setattr(pipeline, "SHARD_BYTES", size)
        for jobs in ("1", "2", "5"):
            assert _clean(corpus, tmp_path / f"ray-{size}-{jobs}", "--backend", "ray", "-j", jobs) == local, (size, jobs)


def test_the_review_pages_word_diffs_made_by_ray_workers_give_the_local_page(tmp_path, cluster):
    """More near copies than one process diffs alone: the diffs go to the Ray workers."""
    import random
    from dedup import pipeline
    rng = random.Random(4)
    words = SEEDS.joinpath("002_3ad8789db8de2740.txt").read_text("utf-8").split()
    base = [rng.choice(words) for _ in range(60)]
    corpus = tmp_path / "in" / "copies"
    corpus.mkdir(parents=True)
    for n in range(2 * pipeline.DIFF_PAIRS):
        copy = list(base)
        copy[rng.randrange(60)] = f"x{n}"
        (corpus / f"d{n:03d}.txt").write_text(" ".join(copy) + "\n", encoding="utf-8")
    pages = {}
    for name, args in (("local", ["-j", "2"]), ("ray", ["--backend", "ray", "-j", "2"])):
        _clean(corpus, tmp_path / name, *args)
        pages[name] = (tmp_path / name / "report.html").read_bytes().replace(str(tmp_path / name).encode(), b"OUT")
    assert pages["ray"] == pages["local"] and pages["local"].count(b'"diff":[[') > pipeline.DIFF_PAIRS


def test_ray_runner_keeps_batch_order_and_builds_each_context_once(cluster):
    with backends.RayRunner(3, _context, ("ctx",)) as run:
        results = list(run.map(_slow_echo, range(20)))
    assert [r[1] for r in results] == list(range(20))
    assert len({r[0] for r in results}) <= 3   # one context per actor


@pytest.mark.parametrize("backend", ["ray", "local"])
def test_a_runner_takes_batches_only_as_its_workers_come_free(backend, request):
    """A lazy iterable of batches (the write stage makes each job's decisions as it is
    sent) is never taken whole: at most IN_FLIGHT batches per worker are out at once,
    even while the first is slow and others finish."""
    from dedup.runner import IN_FLIGHT, Runner
    taken = []

    def batches():
        for n in range(40):
            taken.append(n)
            yield n
    if backend == "ray":
        request.getfixturevalue("cluster")
    with (backends.RayRunner if backend == "ray" else Runner)(2, _context, ("ctx",)) as run:
        results = run.map(_slow_echo, batches())
        first = next(results)
        assert len(taken) <= 2 * IN_FLIGHT + 1
        rest = list(results)
    assert [r[1] for r in [first, *rest]] == list(range(40))


def _context(name):
    return f"{name}-{os.getpid()}"


def _slow_echo(context, n):
    import time
    time.sleep(0.5 if n == 0 else 0.01 * ((n * 7) % 5))   # out-of-order completion, the first last
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


def _dies_once(context, job):
    """Kills its own worker process the first time it is given batch 5 (a marker file
    says it did), as a lost node or the OOM killer would."""
    import signal
    n, folder = job
    marker = Path(folder) / f"died-{n}"
    if n == 5 and not marker.exists():
        marker.touch()
        os.kill(os.getpid(), signal.SIGKILL)
    return n, os.getpid()


def test_a_batch_whose_worker_process_died_runs_again_on_a_restarted_worker(tmp_path, cluster):
    with backends.RayRunner(2, _context, ("ctx",)) as run:
        results = list(run.map(_dies_once, [(n, str(tmp_path)) for n in range(12)]))
    assert (tmp_path / "died-5").exists()
    assert [n for n, _ in results] == list(range(12))


def _worker_pids(name: bytes = b"ray::_Worker") -> list[int]:
    """The processes of this cluster's dedup workers (Ray names them after the actor), or
    (b"ray::_OnCluster") of the one that runs a step of the run its own (RayRunner.on_cluster)."""
    pids = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and (entry / "cmdline").read_bytes().startswith(name):
                pids.append(int(entry.name))
        except OSError:
            pass
    return pids


def test_on_ray_the_driver_neither_joins_the_batches_tables_nor_classifies(tmp_path, cluster, monkeypatch):
    """The corpus-wide step runs as a task of the cluster: in this process (the driver)
    it would raise. The driver hands each write job the file of its decisions."""
    from dedup import corpus_wide, table
    corpus = _corpora(tmp_path / "in")["jsonl"]
    local = _clean(corpus, tmp_path / "local", "-j", "2")

    def not_here(*args, **kwargs):
        raise AssertionError("the driver ran the corpus-wide step")
    monkeypatch.setattr(corpus_wide, "decide", not_here)
    monkeypatch.setattr(table, "concat", not_here)
    assert _clean(corpus, tmp_path / "ray", "--backend", "ray", "-j", "2") == local


def test_a_worker_killed_while_sketching_the_corpus_wide_task_and_a_worker_while_writing_change_nothing(
        tmp_path, cluster):
    """SIGKILL to a worker process in the per-batch stage, to the task of the corpus-wide
    step, and to a worker in the write stage: Ray restarts them and runs their batches
    (the task) again; every file is the local run's."""
    import random
    import signal
    import threading
    import time
    rng = random.Random(2)
    words = [f"w{i}" for i in range(3000)]
    lines = [" ".join(rng.choice(words) for _ in range(12)) for _ in range(400)]
    corpus = tmp_path / "in" / "rows"
    corpus.mkdir(parents=True)
    with open(corpus / "big.jsonl", "w") as out:
        for n in range(12000):
            text = "\n".join(rng.choice(lines) if rng.random() < 0.3 else " ".join(rng.choice(words) for _ in range(12))
                             for _ in range(8))
            out.write(json.dumps({"id": f"r{n}", "text": text}) + "\n")
    local = _clean(corpus, tmp_path / "local", "-j", "2")
    killed = []

    def kill_when(pattern: str, name: bytes = b"ray::_Worker") -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            staging = list(tmp_path.glob(".ray.dedup-staging-*"))
            pids = _worker_pids(name)
            if staging and pids and list(staging[0].glob(pattern)):
                os.kill(pids[0], signal.SIGKILL)
                killed.append(pattern)
                return
            time.sleep(0.02)

    def killer() -> None:
        kill_when(".spill/*.table")        # a batch has been sketched: the others are running
        kill_when(".decisions", b"ray::_OnCluster")   # the corpus-wide step has begun, on the cluster
        kill_when(".report-parts/*.json")  # a batch has been written
    thread = threading.Thread(target=killer, daemon=True)
    thread.start()
    got = _clean(corpus, tmp_path / "ray", "--backend", "ray", "-j", "2")
    thread.join()
    assert killed == [".spill/*.table", ".decisions", ".report-parts/*.json"]
    assert got == local


def _sleeps(seconds: float, pool) -> float:
    time.sleep(seconds)
    return seconds


def test_an_interrupted_driver_stops_its_step_on_a_cluster_that_outlives_it(cluster):
    """A step the driver runs on the cluster (the corpus-wide step) is let go once it
    is done; on Ctrl-C (KeyboardInterrupt in an API caller) while the driver waits for
    it, its process is killed, not left running."""
    import signal
    import threading

    def gone() -> bool:
        deadline = time.monotonic() + 5
        while _worker_pids(b"ray::_OnCluster") and time.monotonic() < deadline:
            time.sleep(0.05)
        return not _worker_pids(b"ray::_OnCluster")

    def interrupt() -> None:
        deadline = time.monotonic() + 60
        while not _worker_pids(b"ray::_OnCluster") and time.monotonic() < deadline:
            time.sleep(0.02)
        os.kill(os.getpid(), signal.SIGINT)
    with backends.RayRunner(1, _context, ("ctx",)) as run:
        assert run.on_cluster(_sleeps, 0.1) == 0.1
        assert gone()
        with pytest.raises(KeyboardInterrupt):
            threading.Thread(target=interrupt, daemon=True).start()
            run.on_cluster(_sleeps, 60)
        assert gone()   # else it would sleep on for a minute


def _verifies_after_dying_once(context, job):
    """stages.verify_batch, but the first job of each kind (a band of the documents
    bucketed, a pass of candidates verified) kills its worker process (a file beside
    OUT's staging folder says it did)."""
    import signal
    from dedup import verify
    spill = job.items.stores[0].shingles if isinstance(job, verify.Pairs) else job.signed.stores[0].signatures
    died = Path(spill).parents[2] / f"died-{type(job).__name__}"
    if not died.exists():
        died.touch()
        os.kill(os.getpid(), signal.SIGKILL)
    return job()


def test_a_worker_killed_while_verifying_near_copies_changes_nothing(tmp_path, cluster, monkeypatch):
    """SIGKILL to a worker in the middle of corpus-wide steps, bucketing the documents'
    bands and verifying candidate pairs: Ray restarts it and the job runs again; every
    file is the local one-process run's."""
    from dedup import pipeline
    from tests.test_verify import _chains
    import random
    corpus = tmp_path / "in" / "chains"
    corpus.mkdir(parents=True)
    (corpus / "rows.jsonl").write_text("".join(json.dumps(r) + "\n" for r in _chains(random.Random(9))))
    local = _clean(corpus, tmp_path / "local", "-j", "1")
    monkeypatch.setattr(pipeline, "MIN_SHARD_BYTES", 1)
    monkeypatch.setattr(pipeline, "SHARD_BYTES", 8_000)
    monkeypatch.setattr(pipeline, "verify_batch", _verifies_after_dying_once)
    (tmp_path / "out").mkdir()
    got = _clean(corpus, tmp_path / "out" / "ray", "--backend", "ray", "-j", "2")
    assert (tmp_path / "out" / "died-Banding").exists() and (tmp_path / "out" / "died-Pairs").exists()
    assert got == local


def _always_dies(context, n):
    import signal
    if n == 2:
        os.kill(os.getpid(), signal.SIGKILL)
    return n


def test_a_batch_that_kills_its_worker_every_time_ends_the_run_with_one_line(cluster):
    from dedup.runner import WorkerDied
    with pytest.raises(WorkerDied, match=f"restarted it {backends.RESTARTS} times"):
        with backends.RayRunner(2, _context, ("ctx",)) as run:
            list(run.map(_always_dies, range(4)))


def _maps_dying_batches(batches, pool):
    return list(pool.map(_always_dies, batches))


def _dies_itself(pool):
    import signal
    os.kill(os.getpid(), signal.SIGKILL)


def test_a_worker_or_the_step_itself_dying_for_good_in_a_step_on_the_cluster_is_one_line(cluster):
    """In a step the driver runs on the cluster: a batch that kills its worker every time
    ends the run as it does in a stage; the step's own process killed every time, with a
    message of its own (fewer workers would not help it)."""
    from dedup.runner import DIED, WorkerDied
    with backends.RayRunner(2, _context, ("ctx",)) as run:
        with pytest.raises(WorkerDied, match=re.escape(f"{DIED}; Ray restarted it {backends.RESTARTS} times")):
            run.on_cluster(_maps_dying_batches, list(range(4)))
    with backends.RayRunner(1, _context, ("ctx",)) as run:
        with pytest.raises(WorkerDied, match=re.escape(f"{backends.STEP_DIED}; Ray restarted it")):
            run.on_cluster(_dies_itself)


def test_against_a_previous_run_ray_gives_the_local_result(tmp_path, cluster):
    """The --against index is loaded by the corpus-wide step where it runs, not kept by the driver."""
    corpora = _corpora(tmp_path / "in")
    _clean(corpora["seeds"], tmp_path / "previous", "-j", "1")
    before = str(tmp_path / "previous")
    local = _clean(corpora["jsonl"].parent, tmp_path / "local", "-j", "2", "--against", before)
    assert _clean(corpora["jsonl"].parent, tmp_path / "ray", "--backend", "ray", "-j", "2", "--against", before) == local
    report = json.loads((tmp_path / "ray" / "report.json").read_text("utf-8"))
    assert any("run" in r["evidence"].get("original", {}) for d in report["documents"] for r in d["removed"])


def test_sigterm_on_ray_is_one_line_and_status_143(tmp_path):
    """Ray puts in a SIGTERM handler of its own when it starts (exit status 15, no word):
    dedup's is put back, so a run on Ray ends as a local one does."""
    import signal
    import subprocess
    import sys
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for n in range(400):
        (corpus / f"{n:03d}.txt").write_text(f"Article {n} about the harbour and its boats, line one.\n" * 40, "utf-8")
    run = subprocess.Popen([sys.executable, "-m", "dedup", "clean", str(corpus), "-o", str(tmp_path / "out"),
                            "--backend", "ray", "-j", "1"], stderr=subprocess.PIPE, text=True,
                           env={**os.environ, "RAY_USAGE_STATS_ENABLED": "0"})
    deadline = time.monotonic() + 120
    while not list(tmp_path.glob(".out.dedup-staging*")) and run.poll() is None:   # Ray has started by then
        assert time.monotonic() < deadline
        time.sleep(0.01)
    run.send_signal(signal.SIGTERM)
    _, err = run.communicate(timeout=120)
    assert run.returncode == 143, err
    assert err.splitlines()[-1].endswith("dedup: interrupted")
    assert not (tmp_path / "out").exists() and not list(tmp_path.glob(".out.dedup-staging*"))
