"""`dedup check` as a real pre-commit hook in a real git repository."""
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import HINDI, SEEDS

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def sh(cwd, *cmd, check=True):
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org",
           "PRE_COMMIT_HOME": str(cwd.parent / "pre-commit-home")}
    env.pop("PRE_COMMIT", None)
    result = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if check and result.returncode:
        raise AssertionError(f"{cmd} failed:\n{result.stdout}")
    return result


@pytest.fixture
def corpus_repo(tmp_path):
    """A git repository with a committed corpus and this project's hooks, run from
    this checkout (`repo: local`, the same entries as .pre-commit-hooks.yaml)."""
    repo = tmp_path / "corpus"
    (repo / "data").mkdir(parents=True)
    shutil.copy(SEEDS / "000_5fdcb9c48dad7940.txt", repo / "data" / "urdu.txt")
    text = (repo / "data" / "urdu.txt").read_text("utf-8")
    (repo / "data" / "urdu.txt").write_text(text.split("مواضيع ذات صلة")[0], encoding="utf-8")  # a clean start
    (repo / ".pre-commit-config.yaml").write_text(f"""
repos:
  - repo: local
    hooks:
      - id: dedup-check
        name: dedup check
        entry: {sys.executable} -m dedup check
        language: system
        types: [text]
        require_serial: true
""", encoding="utf-8")
    (repo / ".gitignore").write_text(".dedup_cache/\n", encoding="utf-8")
    sh(repo, "git", "init", "-q", "-b", "main")
    sh(repo, "git", "add", ".")
    sh(repo, "git", "commit", "-q", "-m", "corpus")
    sh(repo, sys.executable, "-m", "pre_commit", "install")
    return repo


def commit(repo, message="add"):
    sh(repo, "git", "add", "-A")
    return sh(repo, "git", "commit", "-m", message, check=False)


def test_the_manifest_is_valid():
    sh(ROOT, sys.executable, "-m", "pre_commit", "validate-manifest", ".pre-commit-hooks.yaml")


def test_doubled_article_is_rejected_with_the_lines(corpus_repo):
    shutil.copy(HINDI, corpus_repo / "data" / "hindi.txt")
    result = commit(corpus_repo)
    assert result.returncode != 0
    assert "data/hindi.txt:8: duplicate of data/hindi.txt:1 (similarity 1.00) [exact-line]" in result.stdout
    assert "dedup check" in result.stdout and "Failed" in result.stdout


def test_clean_commit_passes(corpus_repo):
    (corpus_repo / "data" / "weather.txt").write_text(
        "Heavy rain is expected across the northern districts on Thursday, the weather office said.\n\n"
        "Farmers were advised to delay the sowing of wheat until the ground dries out next week.\n",
        encoding="utf-8")
    result = commit(corpus_repo)
    assert result.returncode == 0, result.stdout
    assert re.search(r"^dedup check\.+Passed$", result.stdout, re.M), result.stdout   # it ran, and passed
    assert "weather.txt" in sh(corpus_repo, "git", "show", "--stat", "HEAD").stdout


def test_near_duplicate_of_a_committed_file_is_caught(corpus_repo):
    text = (corpus_repo / "data" / "urdu.txt").read_text("utf-8")
    (corpus_repo / "data" / "urdu2.txt").write_text(text.replace("پوتن", "پیوٹن", 2), encoding="utf-8")
    result = commit(corpus_repo)
    assert result.returncode != 0
    assert "data/urdu2.txt:1: near-duplicate of data/urdu.txt (similarity 0.9" in result.stdout


def test_baselined_finding_passes(corpus_repo):
    shutil.copy(HINDI, corpus_repo / "data" / "hindi.txt")
    sh(corpus_repo, sys.executable, "-m", "dedup", "check", "--write-baseline")
    result = commit(corpus_repo)
    assert result.returncode == 0, result.stdout
    assert "dedup check" in result.stdout and "Passed" in result.stdout


@pytest.fixture(scope="module")
def hook_home(tmp_path_factory):
    """One pre-commit home for the manifest's hooks: their environment is built once."""
    return tmp_path_factory.mktemp("pre-commit-home")


def try_repo(repo, home, *args):
    """The hooks as .pre-commit-hooks.yaml declares them, installed from this checkout."""
    env = {**os.environ, "PRE_COMMIT_HOME": str(home)}
    env.pop("PRE_COMMIT", None)
    return subprocess.run([sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), *args], cwd=repo, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=600)


def stage_doubled_article(repo):
    shutil.copy(HINDI, repo / "data" / "hindi.txt")
    sh(repo, "git", "add", "data/hindi.txt")


def test_the_dedup_fix_hook_cleans_staged_files_in_place_and_can_be_undone(corpus_repo, hook_home):
    stage_doubled_article(corpus_repo)
    result = try_repo(corpus_repo, hook_home, "dedup-fix", "--files", "data/hindi.txt")
    assert result.returncode == 1, result.stdout
    assert re.search(r"^dedup fix \(remove duplicates and boilerplate\)\.+Failed$", result.stdout, re.M)
    assert "files were modified by this hook" in result.stdout
    hindi = HINDI.read_text("utf-8").splitlines(keepends=True)
    assert (corpus_repo / "data" / "hindi.txt").read_text("utf-8") == "".join(hindi[i] for i in (0, 2, 3, 4, 5))
    status = sh(corpus_repo, "git", "status", "--porcelain").stdout
    assert status.splitlines() == ["AM data/hindi.txt"]   # .dedup_cache/ holds the report and is not in git
    undo = sh(corpus_repo, sys.executable, "-m", "dedup", "restore", ".dedup_cache/fix/report.json")
    assert "1 restored" in undo.stdout
    assert sh(corpus_repo, "git", "diff", "--stat").stdout == ""   # back to what was staged


def test_the_dedup_fix_hook_leaves_staged_files_that_are_not_the_corpus_alone(corpus_repo, hook_home):
    """pre-commit names every staged text file: a script with a repeated line, a JSONL
    file (which --in-place cannot rewrite) and a text file outside the `corpus` folder
    are not the corpus's; the corpus file beside them is cleaned as ever."""
    (corpus_repo / "pyproject.toml").write_text('[tool.dedup]\ncorpus = "data"\n', "utf-8")
    script = 'def f():\n    print("the value is computed from the inputs given to this function")\n' * 2
    (corpus_repo / "tool.py").write_text(script, "utf-8")
    (corpus_repo / "notes.txt").write_text(HINDI.read_text("utf-8"), "utf-8")
    (corpus_repo / "data" / "rows.jsonl").write_text('{"text": "a row"}\n', "utf-8")
    stage_doubled_article(corpus_repo)
    sh(corpus_repo, "git", "add", "-A")
    staged = ["data/hindi.txt", "data/rows.jsonl", "notes.txt", "pyproject.toml", "tool.py"]
    result = try_repo(corpus_repo, hook_home, "dedup-fix", "--files", *staged)
    assert result.returncode == 1 and "files were modified by this hook" in result.stdout, result.stdout
    assert sh(corpus_repo, "git", "diff", "--name-only").stdout.split() == ["data/hindi.txt"]
    result = try_repo(corpus_repo, hook_home, "dedup-fix", "--files", "notes.txt", "tool.py")
    assert result.returncode == 0, result.stdout                       # none of the corpus's: nothing to do


def test_the_dedup_check_all_hook_checks_the_whole_corpus_at_the_manual_stage(corpus_repo, hook_home):
    stage_doubled_article(corpus_repo)
    result = try_repo(corpus_repo, hook_home, "dedup-check-all", "--hook-stage", "manual")
    assert result.returncode == 1, result.stdout
    assert re.search(r"^dedup check \(whole corpus\)\.+Failed$", result.stdout, re.M)
    assert "data/hindi.txt:8: duplicate of data/hindi.txt:1 (similarity 1.00) [exact-line]" in result.stdout
