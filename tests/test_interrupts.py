"""Real processes interrupted for real: Ctrl-C and SIGTERM to the process group stop the
run at once and leave OUT as it was; SIGKILL at any moment leaves OUT whole, and after
--in-place `dedup restore` gives back every original byte for byte."""
import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import HINDI, URDU

FILES = 2500


@pytest.fixture(scope="module")
def big_corpus(tmp_path_factory):
    """Enough text (2,500 files, ~10 MB) that a run is still going when it is signalled."""
    root = tmp_path_factory.mktemp("big") / "corpus"
    rng = random.Random(7)
    words = HINDI.read_text("utf-8").split() + URDU.read_text("utf-8").split()
    shared = [" ".join(rng.choice(words) for _ in range(20)) for _ in range(50)]
    for n in range(FILES):
        lines = [" ".join(rng.choice(words) for _ in range(rng.randint(8, 40))) for _ in range(12)]
        lines.append(rng.choice(shared))
        if n % 5 == 0:
            lines.append("ये भी पढ़ें: " + " ".join(rng.choice(words) for _ in range(6)))
        text = "\n".join(lines) + "\n"
        if n % 50 == 0:
            text = text + text   # whole body twice
        path = root / f"site{n % 7}" / f"{n:05d}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    for n in range(0, FILES, 100):   # whole copies: deleted by --in-place
        shutil.copy(root / f"site{n % 7}" / f"{n:05d}.txt", root / f"site{n % 7}" / f"{n:05d}-copy.txt")
    return root


def digest_tree(folder: Path) -> dict:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def start(workdir: Path, *args) -> subprocess.Popen:
    """`python -m dedup ARGS` as the leader of its own process group, as a shell runs it."""
    return subprocess.Popen([sys.executable, "-m", "dedup", *map(str, args)], cwd=workdir,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)


def wait_for(condition, timeout=60.0):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("the run never reached the moment to interrupt")
        time.sleep(0.005)


def group_is_gone(pgid: int) -> bool:
    """No process of the group is alive. An exited worker whose parent was killed is
    reaped by init, which may take its time: a zombie has not outlived anyone."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()   # after "pid (name)": state, ppid, pgrp, ...
        except OSError:   # gone while listed
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            return False
    return True


def staging(workdir: Path) -> list[Path]:
    return [p for p in workdir.iterdir() if ".dedup-staging-" in p.name]


def staged_files(workdir: Path) -> int:
    try:
        return sum(1 for s in staging(workdir) for p in s.rglob("*.txt"))
    except FileNotFoundError:   # a folder the run removed while it was walked: ask again
        return 0


def assert_out_matches_its_report(out: Path) -> None:
    import json
    from dedup import previous
    report = json.loads((out / "report.json").read_text("utf-8"))
    listed = {d["output"] for d in report["documents"] if d["output"]}
    on_disk = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    index = {f"{previous.FOLDER}/{name}" for name in previous.FILES}
    assert on_disk == listed | {"report.json", "report.html", ".dedup-output"} | index


@pytest.fixture
def workdir(tmp_path, big_corpus):
    shutil.copytree(big_corpus, tmp_path / "corpus")
    return tmp_path


MOMENTS = {
    "reading": lambda w: bool(staging(w)),            # the staging folder exists, nothing written yet
    "writing": lambda w: staged_files(w) >= 200,      # cleaned files are being written
}


@pytest.mark.parametrize("sig, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143), (signal.SIGHUP, 129)])
@pytest.mark.parametrize("moment", sorted(MOMENTS))
def test_interrupt_stops_every_process_at_once_and_leaves_out_as_it_was(workdir, sig, code, moment):
    done = start(workdir, "clean", "corpus", "-o", "out", "-j", "2", "-q")   # a previous complete output
    assert done.wait(120) == 0, done.stderr.read()
    before = digest_tree(workdir / "out")
    inputs = digest_tree(workdir / "corpus")
    run = start(workdir, "clean", "corpus", "-o", "out", "-j", "2")
    wait_for(lambda: MOMENTS[moment](workdir) or run.poll() is not None)
    assert run.poll() is None, "the run ended before it could be interrupted"
    sent = time.monotonic()
    os.killpg(run.pid, sig)
    stdout, stderr = run.communicate(timeout=10)
    wait_for(lambda: group_is_gone(run.pid), timeout=2)
    assert time.monotonic() - sent < 2.0
    assert run.returncode == code
    assert stderr == "dedup: interrupted\n", stderr   # one line, no traceback from any process
    assert stdout == ""
    assert digest_tree(workdir / "out") == before      # OUT as it was
    assert staging(workdir) == []                      # the staging folder is gone
    assert digest_tree(workdir / "corpus") == inputs
    time.sleep(0.3)                                    # and nothing writes after the exit
    assert digest_tree(workdir / "out") == before and staging(workdir) == []


def test_kill_9_while_writing_leaves_the_previous_output_whole(workdir):
    done = start(workdir, "clean", "corpus", "-o", "out", "-j", "2", "-q")
    assert done.wait(120) == 0
    before = digest_tree(workdir / "out")
    os.unlink(workdir / "corpus" / "site0" / "00000.txt")   # the next output differs from the first
    run = start(workdir, "clean", "corpus", "-o", "out", "-j", "2", "-q")
    wait_for(lambda: staged_files(workdir) >= 300 or run.poll() is not None)
    os.kill(run.pid, signal.SIGKILL)                 # the parent only: its workers must not outlive it
    run.wait(10)
    wait_for(lambda: group_is_gone(run.pid), timeout=2)
    assert digest_tree(workdir / "out") == before
    assert_out_matches_its_report(workdir / "out")
    assert staging(workdir)                          # left behind by the killed run ...
    again = start(workdir, "clean", "corpus", "-o", "out", "-j", "2", "-q")
    assert again.wait(120) == 0, again.stderr.read()
    assert staging(workdir) == []                    # ... and removed by the next one
    assert_out_matches_its_report(workdir / "out")
    assert "site0/00000.txt" not in digest_tree(workdir / "out")   # no stale file of a deleted input


@pytest.mark.parametrize("after", [1, 400])
def test_kill_9_during_in_place_then_restore_gives_back_every_byte(workdir, after):
    originals = digest_tree(workdir / "corpus")
    run = start(workdir, "clean", "--in-place", "corpus", "-o", "journal", "-j", "2", "-q")

    def rewritten() -> int:
        now = digest_tree(workdir / "corpus") if (workdir / "journal").exists() else originals
        return sum(now.get(k) != v for k, v in originals.items())
    wait_for(lambda: rewritten() >= after or run.poll() is not None)
    os.killpg(run.pid, signal.SIGKILL)
    run.wait(10)
    assert rewritten() >= after, "the run ended before it was killed"
    restore = subprocess.run([sys.executable, "-m", "dedup", "restore", "journal/report.json"], cwd=workdir,
                             capture_output=True, text=True)
    assert restore.returncode == 0, restore.stdout + restore.stderr
    assert digest_tree(workdir / "corpus") == originals
    assert "0 not restored" in restore.stderr


def test_sigterm_during_in_place_says_how_to_undo(workdir):
    originals = digest_tree(workdir / "corpus")
    run = start(workdir, "clean", "--in-place", "corpus", "-o", "journal", "-j", "2")
    wait_for(lambda: (workdir / "journal").exists() or run.poll() is not None)
    os.killpg(run.pid, signal.SIGTERM)
    _, stderr = run.communicate(timeout=10)
    assert run.returncode == 143
    assert stderr.startswith("dedup: interrupted after rewriting ")
    assert stderr.rstrip().endswith("`dedup restore journal/report.json` puts them back")
    assert len(stderr.strip().splitlines()) == 1
    restore = subprocess.run([sys.executable, "-m", "dedup", "restore", "journal/report.json"], cwd=workdir,
                             capture_output=True, text=True)
    assert restore.returncode == 0
    assert digest_tree(workdir / "corpus") == originals


def test_interrupting_check_rolls_its_index_back_and_the_next_check_works(workdir):
    run = start(workdir, "check", "--corpus", "corpus", "-j", "2")
    wait_for(lambda: any((workdir / "corpus" / ".dedup_cache").glob("index*.sqlite")) or run.poll() is not None)
    time.sleep(0.5)                                  # in the middle of indexing
    assert run.poll() is None
    os.killpg(run.pid, signal.SIGINT)
    stdout, stderr = run.communicate(timeout=10)
    assert (run.returncode, stderr, stdout) == (130, "dedup: interrupted\n", "")
    wait_for(lambda: group_is_gone(run.pid), timeout=2)
    again = subprocess.run([sys.executable, "-m", "dedup", "check", "--corpus", "corpus", "-j", "2"], cwd=workdir,
                           capture_output=True, text=True, timeout=300)
    assert again.returncode == 1, again.stderr     # the planted duplicates and teasers are found
    assert "[exact-document]" in again.stdout and "[lexicon:hi/also-read]" in again.stdout
    assert "Traceback" not in again.stderr


def test_a_worker_killed_by_the_system_ends_the_run_with_one_line_and_out_as_it_was(workdir):
    """The OOM killer's SIGKILL to one worker, not to the run: exit 2, one line that says
    what to try, no traceback, OUT as it was and no staging folder left."""
    done = start(workdir, "clean", "corpus", "-o", "out", "-j", "2", "-q")
    assert done.wait(120) == 0, done.stderr.read()
    before = digest_tree(workdir / "out")
    run = start(workdir, "clean", "corpus", "-o", "out", "-j", "2", "-q")
    wait_for(lambda: MOMENTS["reading"](workdir) or run.poll() is not None)
    children = Path(f"/proc/{run.pid}/task/{run.pid}/children").read_text().split()
    assert children, "the run has no workers"
    os.kill(int(children[0]), signal.SIGKILL)
    stdout, stderr = run.communicate(timeout=30)
    assert run.returncode == 2
    assert stderr == "dedup: error: a worker process was killed (out of memory?); try fewer workers (-j)\n"
    assert digest_tree(workdir / "out") == before and staging(workdir) == []


def _catches_sigterm(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    caught = next(line for line in status.splitlines() if line.startswith("SigCgt:")).split()[1]
    return bool(int(caught, 16) & (1 << (signal.SIGTERM - 1)))


@pytest.mark.parametrize("sig, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_while_python_loads_dedup_is_one_line_too(tmp_path, sig, code):
    """The command's handlers are in place before numpy, click and the rest load (a third
    of a second): a signal then ends it as one line and 128 + its number, where Python's
    own handling printed a KeyboardInterrupt traceback (SIGTERM: nothing at all)."""
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "a.txt").write_text("Nothing to do here.\n", "utf-8")
    run = start(tmp_path, "clean", "corpus", "-o", "out")
    wait_for(lambda: _catches_sigterm(run.pid) or run.poll() is not None)
    maps = Path(f"/proc/{run.pid}/maps").read_text()
    assert "_multiarray_umath" not in maps, "the handlers came only after numpy was loaded"
    run.send_signal(sig)
    out, err = run.communicate(timeout=60)
    assert run.returncode == code and err == "dedup: interrupted\n", err
    assert not (tmp_path / "out").exists() and not list(tmp_path.glob(".out.dedup-staging*"))


@pytest.mark.parametrize("sig", [signal.SIGHUP, signal.SIGINT])
def test_a_run_started_with_a_signal_ignored_outlives_it(workdir, sig):
    """`nohup dedup clean … &`: the hang-up the closing terminal sends is ignored as its
    starter asked, and the run finishes; without nohup it is an interrupt (exit 129). So
    is a Ctrl-C that a script's `dedup clean … &` was started to ignore."""
    run = subprocess.Popen([sys.executable, "-m", "dedup", "clean", "corpus", "-o", "out", "-j", "2", "-q"],
                           cwd=workdir, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           start_new_session=True, preexec_fn=lambda: signal.signal(sig, signal.SIG_IGN))
    wait_for(lambda: MOMENTS["reading"](workdir) or run.poll() is not None)
    os.killpg(run.pid, sig)
    stdout, stderr = run.communicate(timeout=120)
    assert run.returncode == 0 and stderr == "", stderr
    assert (workdir / "out" / "report.json").is_file() and staging(workdir) == []


def finished_run_signalled(tmp_path, patch: str, *options: str) -> Path:
    """`dedup clean` of a doubled article in a process that `patch` (Python) makes signal
    itself once the work is done: the run must end as done, exit 0 and its whole summary,
    never 130 (which says OUT is as it was) or no word at all. Returns the corpus."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(HINDI, corpus)
    shutil.copy(HINDI, corpus / "copy.txt")
    code = (f"import os, sys\n{patch}sys.argv = ['dedup', 'clean', 'corpus', '-o', 'out', *{list(options)!r}]\n"
            "from dedup.launch import main\nmain()\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "interrupted" not in done.stderr and "review page: out/report.html" in done.stderr
    assert (tmp_path / "out" / "report.json").is_file()
    return corpus


@pytest.mark.parametrize("mode", ["write", "in-place"])
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_as_the_finished_run_returns_changes_nothing(tmp_path, sig, mode):
    """A signal the moment the run returns, its OUT published (and, in place, every input
    rewritten)."""
    corpus = finished_run_signalled(tmp_path, "from dedup import pipeline\n"
                                              "real = pipeline.clean\n"
                                              "def signalled(*args, **kwargs):\n"
                                              "    result = real(*args, **kwargs)\n"
                                              f"    os.kill(os.getpid(), {int(sig)})\n"
                                              "    return result\n"
                                              "pipeline.clean = signalled\n",
                                    *(["--in-place"] if mode == "in-place" else []))
    assert (corpus / "copy.txt").exists() == (mode == "write")   # in place, the copy went


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_once_out_is_published_changes_nothing(tmp_path, sig):
    """A signal while the run's summary is being written, OUT already new, and another as
    the process ends."""
    finished_run_signalled(tmp_path, "from dedup import report\n"
                                     "summary = report.summary_text\n"
                                     "def signalled(*args):\n"
                                     f"    os.kill(os.getpid(), {int(sig)})\n"
                                     "    return summary(*args)\n"
                                     "report.summary_text = signalled\n"
                                     "import atexit\n"
                                     f"atexit.register(lambda: os.kill(os.getpid(), {int(sig)}))\n")
