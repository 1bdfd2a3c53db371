"""The output folder: refused when it would destroy something, staged, swapped in whole,
and what killed runs left behind is cleaned up."""
import os
import subprocess
import sys

import pytest

from dedup import output
from dedup.output import OutputError, Staging, check_target


def tree(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_refuses_a_folder_of_the_users_own_unless_forced(tmp_path):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("mine")
    with pytest.raises(OutputError, match="not empty and not a dedup output folder"):
        check_target(mine, [str(tmp_path / "corpus")], force=False)
    check_target(mine, [str(tmp_path / "corpus")], force=True)
    (tmp_path / "empty").mkdir()
    check_target(tmp_path / "empty", [str(tmp_path / "corpus")], force=False)   # empty: fine
    output.write_marker(mine)
    check_target(mine, [str(tmp_path / "corpus")], force=False)                # ours: fine


def test_refuses_an_output_that_is_or_holds_an_input_even_when_forced(tmp_path):
    (tmp_path / "corpus" / "sub").mkdir(parents=True)
    with pytest.raises(OutputError, match="the output folder is an input"):
        check_target(tmp_path / "corpus", [str(tmp_path / "corpus")], force=True)
    with pytest.raises(OutputError, match="is inside the output folder"):
        check_target(tmp_path, [str(tmp_path / "corpus" / "sub")], force=True)
    (tmp_path / "file").write_text("x")
    with pytest.raises(OutputError, match="exists and is not a folder"):
        check_target(tmp_path / "file", [str(tmp_path / "corpus")], force=True)
    for under in (tmp_path / "file" / "out", tmp_path / "file" / "out" / "deeper"):   # (mkdir: "File exists")
        with pytest.raises(OutputError, match=f"{tmp_path / 'file'} is a file, not a folder; the output folder "
                                              "cannot be made in it"):
            check_target(under, [str(tmp_path / "corpus")], force=True)


@pytest.mark.skipif(not os.path.ismount("/proc"), reason="needs a mount point to name")
def test_refuses_a_mount_point_before_any_work_saying_to_name_a_folder_inside_it(tmp_path):
    """OUT is published by renaming a folder made beside it, which a volume's root (a
    container's mounted output folder) never allows: said at once, not after the run."""
    with pytest.raises(OutputError, match=r"^/proc: is a mount point; .* give a folder inside it \(e.g. -o /proc/dedup-out\)"):
        check_target(output.Path("/proc"), [str(tmp_path / "corpus")], force=True)


def test_publish_replaces_the_whole_folder(tmp_path):
    out = tmp_path / "out"
    with Staging(out) as stage:
        (stage.path / "a.txt").write_text("first")
        (stage.path / "stale.txt").write_text("old")
        stage.publish()
    assert tree(out) == {".dedup-output": tree(out)[".dedup-output"], "a.txt": b"first", "stale.txt": b"old"}
    with Staging(out) as stage:
        (stage.path / "a.txt").write_text("second")
        assert tree(out)["a.txt"] == b"first"        # OUT untouched until published
        stage.publish(durable=True)
    assert sorted(tree(out)) == [".dedup-output", "a.txt"] and tree(out)["a.txt"] == b"second"
    assert sorted(os.listdir(tmp_path)) == ["out"]   # nothing left beside it


def test_a_run_that_fails_leaves_out_as_it_was(tmp_path):
    out = tmp_path / "out"
    with Staging(out) as stage:
        (stage.path / "a.txt").write_text("first")
        stage.publish()
    before = tree(out)
    with pytest.raises(RuntimeError):
        with Staging(out) as stage:
            (stage.path / "a.txt").write_text("half")
            raise RuntimeError
    assert tree(out) == before
    assert sorted(os.listdir(tmp_path)) == ["out"]


KILLED = """
import os, sys
from pathlib import Path
from dedup.output import Staging
stage = Staging(Path(sys.argv[1])).open()
(stage.path / "half.txt").write_text("half")
os._exit(9)      # as if killed: no clean-up runs
"""


def test_the_next_run_removes_what_a_killed_run_left(tmp_path):
    out = tmp_path / "out"
    subprocess.run([sys.executable, "-c", KILLED, str(out)], check=False)
    assert [n for n in os.listdir(tmp_path) if ".dedup-staging-" in n]   # left behind
    with Staging(out) as stage:
        stage.publish()
    assert sorted(os.listdir(tmp_path)) == ["out"]
    assert sorted(os.listdir(out)) == [".dedup-output"]


def test_a_live_runs_staging_folder_is_not_taken(tmp_path):
    out = tmp_path / "out"
    first = Staging(out).open()
    (first.path / "a.txt").write_text("in progress")
    second = Staging(out).open()           # recover() runs here and must spare `first`
    assert (first.path / "a.txt").read_text() == "in progress" and first.path != second.path
    second.discard()
    first.discard()


def test_a_previous_output_moved_aside_comes_back(tmp_path):
    out = tmp_path / "out"
    aside = tmp_path / ".out.dedup-old-12345"   # killed between the two renames of a swap
    aside.mkdir()
    output.write_marker(aside)
    (aside / "a.txt").write_text("previous")
    output.recover(out)
    assert tree(out)["a.txt"] == b"previous" and not aside.exists()


def test_a_symlinked_out_replaces_the_folder_it_points_at(tmp_path):
    real = tmp_path / "real"
    with Staging(real) as stage:
        (stage.path / "a.txt").write_text("first")
        stage.publish()
    (tmp_path / "link").symlink_to(real)
    with Staging(tmp_path / "link") as stage:
        (stage.path / "a.txt").write_text("second")
        stage.publish()
    assert (tmp_path / "link").is_symlink() and (real / "a.txt").read_text() == "second"
    assert sorted(os.listdir(tmp_path)) == ["link", "real"]


def test_exchange_swaps_two_folders_in_one_step(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x").write_text("from a")
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "y").write_text("from b")
    assert output._exchange(tmp_path / "a", tmp_path / "b") is True   # Linux has renameat2
    assert os.listdir(tmp_path / "a") == ["y"] and os.listdir(tmp_path / "b") == ["x"]
    with pytest.raises(FileNotFoundError) as err:
        output._exchange(tmp_path / "a", tmp_path / "missing")
    assert (err.value.errno, err.value.strerror, err.value.filename) == (2, "No such file or directory",
                                                                        str(tmp_path / "a"))


def test_without_renameat2_two_renames_give_the_same_result(tmp_path, monkeypatch):
    monkeypatch.setattr(output, "_exchange", lambda a, b: False)
    out = tmp_path / "out"
    for text in ("first", "second"):
        with Staging(out) as stage:
            (stage.path / "a.txt").write_text(text)
            stage.publish()
    assert tree(out)["a.txt"] == b"second" and sorted(tree(out)) == [".dedup-output", "a.txt"]
    assert sorted(os.listdir(tmp_path)) == ["out"]


def test_a_staging_folder_without_its_marker_is_judged_by_its_pid(tmp_path):
    out = tmp_path / "out"
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead, live = int(done.stdout), os.getpid()
    for pid in (dead, live):   # killed between making the folder and writing its marker
        (tmp_path / f".out.dedup-staging-abc{pid}-{pid}").mkdir()
    output.recover(out)
    assert sorted(os.listdir(tmp_path)) == [f".out.dedup-staging-abc{live}-{live}"]


@pytest.mark.parametrize("umask, mode", [(0o022, 0o755), (0o027, 0o750)])
def test_the_published_folder_has_the_mode_a_plain_mkdir_gives(tmp_path, umask, mode):
    old = os.umask(umask)
    try:
        with Staging(tmp_path / "deep" / "er" / "out") as stage:   # missing parents are made
            stage.publish()
    finally:
        os.umask(old)
    assert os.stat(tmp_path / "deep" / "er" / "out").st_mode & 0o777 == mode


def test_an_output_under_dedup_cache_makes_that_folder_marked_and_ignored_by_git(tmp_path):
    with Staging(tmp_path / ".dedup_cache" / "fix") as stage:
        stage.publish()
    cache = tmp_path / ".dedup_cache"
    assert (cache / ".gitignore").read_text().splitlines()[-1] == "*"
    assert output.is_output(cache) and output.is_output(cache / "fix")


def test_the_marker_says_what_wrote_the_folder(tmp_path):
    import json
    marker = output.write_marker(tmp_path)
    assert json.loads(marker.read_text()) == {"format": "dedup-output", "tool_version": "0.1.0",
                                              "note": "written by dedup; never read as input"}
    assert marker.read_text().endswith("}\n")


@pytest.mark.parametrize("where", ["write_marker", "flock"])
def test_an_interrupt_while_the_staging_folder_is_made_leaves_nothing(tmp_path, monkeypatch, where):
    """A signal held back while the folder is made is raised as that block ends: the
    folder goes, and the lock's descriptor is closed if it was opened."""
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt
    fds = set(os.listdir("/proc/self/fd"))
    monkeypatch.setattr(output.fcntl if where == "flock" else output, where, interrupted)
    with pytest.raises(KeyboardInterrupt):
        Staging(tmp_path / "out").open()
    assert os.listdir(tmp_path) == []
    assert set(os.listdir("/proc/self/fd")) == fds


def test_the_staging_folder_is_named_after_its_run(tmp_path):
    """So that a run killed before its marker is written is judged by its pid."""
    with Staging(tmp_path / "out") as stage:
        assert stage.path.name.startswith(".out.dedup-staging-") and stage.path.name.endswith(f"-{os.getpid()}")


def test_a_staging_folder_whose_marker_cannot_be_opened_is_left_alone(tmp_path, monkeypatch):
    folder = tmp_path / ".out.dedup-staging-abc-1"
    folder.mkdir()
    output.write_marker(folder)
    real_open = os.open
    def refused(path, *args, **kwargs):
        if str(path).endswith(output.MARKER):
            raise PermissionError(13, "Permission denied")
        return real_open(path, *args, **kwargs)
    monkeypatch.setattr(os, "open", refused)
    output.recover(tmp_path / "out")
    assert folder.exists()


@pytest.mark.parametrize("name", ["o" * 240, "अ" * 84])   # 240 and 252 bytes: legal names, longer than staging's
def test_an_output_folder_of_a_long_legal_name_is_published(tmp_path, name):
    from click.testing import CliRunner
    from dedup.cli import main
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "a.txt").write_text("One document with a line of its own in it.\n", "utf-8")
    result = CliRunner().invoke(main, ["clean", str(tmp_path / "corpus"), "-o", str(tmp_path / name), "-q"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / name / "report.json").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["corpus", name])   # no staging folder left
