"""The `dedup clean` command end to end: golden seeds, modes, determinism, bad input."""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from click.testing import CliRunner

from dedup import previous
from dedup.cli import main
from dedup.plan import rebuild

from .conftest import HINDI, SEEDS, URDU


def run(*args, cwd=None):
    runner = CliRunner()
    if cwd:
        old = os.getcwd()
        os.chdir(cwd)
    try:
        return runner.invoke(main, list(map(str, args)), catch_exceptions=False)
    finally:
        if cwd:
            os.chdir(old)


def report_of(out: Path) -> dict:
    return json.loads((out / "report.json").read_text("utf-8"))


def test_golden_seeds(tmp_path):
    before = {p.name: p.read_bytes() for p in SEEDS.iterdir()}
    out = tmp_path / "out"
    result = run("clean", SEEDS, "-o", out)
    assert result.exit_code == 0, result.output
    urdu = URDU.read_text("utf-8").splitlines(keepends=True)
    hindi = HINDI.read_text("utf-8").splitlines(keepends=True)
    assert (out / URDU.name).read_text("utf-8") == "".join(urdu[:6])
    assert (out / HINDI.name).read_text("utf-8") == "".join(hindi[i] for i in (0, 2, 3, 4, 5))
    assert {p.name: p.read_bytes() for p in SEEDS.iterdir()} == before      # inputs untouched
    report = report_of(out)
    by_line = {(Path(d["path"]).name, r["lines"][1]): r for d in report["documents"] for r in d["removed"]}
    teaser = by_line[(HINDI.name, 2)]
    assert teaser["kind"] == "boilerplate" and teaser["rule"].startswith("lexicon:hi/")
    copy = by_line[(HINDI.name, 8)]
    assert copy["kind"] == "duplicate"
    assert copy["evidence"] == {"original": {"path": f"{SEEDS.as_posix()}/{HINDI.name}", "lines": [1, 1]},
                                "similarity": 1.0}
    related = by_line[(URDU.name, 11)]
    assert related["kind"] == "boilerplate" and related["rule"] == "lexicon:en/related"
    assert "summary" in report and report["summary"]["documents"] == 2
    assert result.output == f"""\
dedup 0.1.0: 2 documents, 25 lines, 7,408 characters
  kept as they were: 0, cleaned: 2, removed whole: 0, skipped: 0
  removed 14 lines, 2,180 characters (29.4%)
    duplicate             5 spans        1,645 chars
    boilerplate           8 spans          535 chars
      exact-line                           5 spans        1,645 chars
      lexicon:ar/related                   3 spans           46 chars
      lexicon:en/related                   1 span            16 chars
      lexicon:hi/also-read                 4 spans          473 chars
  cleaned text in {out.as_posix()}/
  report: {out.as_posix()}/report.json
  review page: {out.as_posix()}/report.html
"""


def test_report_rebuilds_every_original(tmp_path):
    out = tmp_path / "out"
    assert run("clean", SEEDS, "-o", out).exit_code == 0
    for doc in report_of(out)["documents"]:
        cleaned = (out / doc["output"]).read_text("utf-8") if doc["output"] else ""
        assert rebuild(cleaned, doc["removed"]) == Path(doc["path"]).read_text("utf-8")


def test_same_result_whatever_the_worker_count_and_input_order(tmp_path, write_corpus):
    import random
    rng = random.Random(0)
    words = HINDI.read_text("utf-8").split() + URDU.read_text("utf-8").split()
    shared = " ".join(rng.choice(words) for _ in range(30))
    files = {f"d{n:03d}/{n}.txt": "\n".join(
        [" ".join(rng.choice(words) for _ in range(30)), "Fuata habari zetu kila siku", shared])
        for n in range(80)}
    corpus = write_corpus(files)
    outputs = []
    for jobs, order in ((1, None), (2, None), (2, "reversed")):
        out = tmp_path / f"out-{jobs}-{order}"
        args = [corpus / d for d in sorted(os.listdir(corpus))] if order else [corpus]
        if order:
            args = list(reversed(args))
        assert run("clean", *args, "-o", out, "-j", jobs).exit_code == 0
        outputs.append((out, report_of(out)))
    base = {Path(d["path"]).name: d["removed"] for d in outputs[0][1]["documents"]}
    for out, report in outputs[1:]:
        assert {Path(d["path"]).name: d["removed"] for d in report["documents"]} == base
    # each document is in a folder (a source) of its own: the Swahili line is not a site's
    # template but a duplicate, so 79 copies of it go and 79 of the shared line
    assert sum(len(v) for v in base.values()) >= 79 + 79


def test_in_place_and_dry_run(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    reference = tmp_path / "ref"
    run("clean", SEEDS, "-o", reference)
    dry = tmp_path / "dry"
    assert run("clean", corpus, "-o", dry, "--dry-run").exit_code == 0
    assert sorted(p.name for p in dry.iterdir()) == [".dedup-index", ".dedup-output", "report.html", "report.json"]
    assert run("clean", corpus, "-o", tmp_path / "rep", "--in-place").exit_code == 0
    for name in (HINDI.name, URDU.name):
        assert (corpus / name).read_bytes() == (reference / name).read_bytes()
    assert report_of(tmp_path / "rep")["mode"] == "in-place"
    assert run("clean", corpus, "--in-place", "--dry-run").exit_code == 2


def test_crlf_bom_and_whitespace_are_kept_byte_for_byte(tmp_path, write_corpus):
    text = "\ufeffFirst line  \r\nये भी पढ़ें: कोई शीर्षक यहाँ\r\n\r\n\tIndented kept\r\nlast\rmixed\n"
    corpus = write_corpus({"a.txt": text})
    out = tmp_path / "out"
    assert run("clean", corpus, "-o", out).exit_code == 0
    assert (out / "a.txt").read_bytes() == text.replace("ये भी पढ़ें: कोई शीर्षक यहाँ\r\n", "").encode("utf-8")


def test_output_inside_input_is_not_scanned(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    for _ in range(2):   # the second run must not read the first run's output
        result = run("clean", ".", cwd=corpus)
        assert result.exit_code == 0
        assert report_of(corpus / "dedup-out")["summary"]["documents"] == 2


def test_output_equal_to_input_is_refused(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    result = run("clean", corpus, "-o", corpus)
    assert result.exit_code == 2
    assert "output folder is an input" in result.output


def test_missing_path(tmp_path):
    result = run("clean", tmp_path / "nope", "-o", tmp_path / "out")
    assert result.exit_code == 2
    assert result.output.strip() == f"dedup: error: {tmp_path / 'nope'}: no such file or folder"


def test_empty_folder(tmp_path):
    (tmp_path / "empty").mkdir()
    result = run("clean", tmp_path / "empty", "-o", tmp_path / "out")
    assert result.exit_code == 2
    assert "no input files" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_bad_files_are_skipped_and_listed(tmp_path, write_corpus):
    corpus = write_corpus({
        "empty.txt": b"",
        "binary.txt": b"abc\x00def",
        "latin1.txt": "caf\u00e9 au lait\n".encode("latin-1"),
        "good.txt": "A good line of text that stays here.\n",
    })
    os.symlink("loop.txt", corpus / "loop.txt")           # a symlink loop
    os.symlink("missing-target", corpus / "dangling.txt")
    out = tmp_path / "out"
    result = run("clean", corpus, "-o", out)
    assert result.exit_code == 0, result.output
    skipped = {Path(s["path"]).name: s["reason"] for s in report_of(out)["skipped"]}
    assert skipped["empty.txt"] == "empty file"
    assert skipped["binary.txt"] == "binary file (NUL byte at offset 3)"
    assert skipped["latin1.txt"] == "not UTF-8: undecodable byte at offset 3"
    assert skipped["loop.txt"].startswith("unreadable")
    assert skipped["dangling.txt"].startswith("unreadable")
    assert (out / "good.txt").exists()
    assert "Traceback" not in result.output


def test_undecodable_bytes_kept_when_asked(tmp_path, write_corpus):
    data = "plain caf\u00e9\nये भी पढ़ें: कुछ भी\n".encode("utf-8") + b"bad \xe9 byte\n"
    corpus = write_corpus({"mixed.txt": data})
    out = tmp_path / "out"
    assert run("clean", corpus, "-o", out, "--decode-errors", "keep").exit_code == 0
    assert (out / "mixed.txt").read_bytes() == b"plain caf\xc3\xa9\nbad \xe9 byte\n"
    doc = report_of(out)["documents"][0]
    assert doc["undecodable_byte_at"] == len("plain caf\u00e9\nये भी पढ़ें: कुछ भी\n".encode("utf-8")) + 4


def test_unreadable_file(tmp_path, write_corpus, monkeypatch):
    """A file the user cannot read: chmod 000, and since root reads it anyway, the kernel's
    answer to anyone else (EACCES) is injected for that one file when the tests run as root."""
    corpus = write_corpus({"secret.txt": "text\n", "ok.txt": "other text\n"})
    (corpus / "secret.txt").chmod(0)
    if os.geteuid() == 0:
        real_open = os.open

        def deny(path, flags, *args, **kwargs):
            if os.fspath(path).endswith("secret.txt"):
                raise PermissionError(13, "Permission denied", os.fspath(path))
            return real_open(path, flags, *args, **kwargs)
        monkeypatch.setattr(os, "open", deny)
    out = tmp_path / "out"
    result = run("clean", corpus, "-o", out, "-j", "1")
    assert result.exit_code == 0, result.output
    assert f"skipped {corpus.as_posix()}/secret.txt: unreadable: Permission denied" in result.output
    assert "Traceback" not in result.output
    assert sorted(os.listdir(out)) == [".dedup-index", ".dedup-output", "ok.txt", "report.html", "report.json"]


def test_single_100_mb_line(tmp_path, write_corpus):
    big = ("क" * 1000 + " ") * 100_000
    corpus = write_corpus({"big.txt": big, "small.txt": "a small file of text\n"})
    out = tmp_path / "out"
    result = run("clean", corpus, "-o", out, "-j", "1")
    assert result.exit_code == 0
    assert (out / "big.txt").stat().st_size == len(big.encode("utf-8"))
    doc = [d for d in report_of(out)["documents"] if d["path"].endswith("big.txt")][0]
    assert doc["unexamined_lines"] == [1]


def test_malformed_config_value(tmp_path):
    (tmp_path / "setup.cfg").write_text("[dedup]\nthreshold = high\n")
    result = run("clean", SEEDS, "-o", tmp_path / "out", cwd=tmp_path)
    assert result.exit_code == 2
    assert result.output.strip() == "dedup: error: setup.cfg: threshold = 'high' is not a valid float"


def test_config_from_pyproject_and_command_line(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.dedup]\nmin-docs = 7\nthreshold = 0.9\n")
    out = tmp_path / "out"
    assert run("clean", SEEDS, "-o", out, "--threshold", "0.85", cwd=tmp_path).exit_code == 0
    settings = report_of(out)["settings"]
    assert (settings["min_docs"], settings["threshold"]) == (7, 0.85)


def test_python_dash_m_and_installed_command(tmp_path):
    out = tmp_path / "out"
    done = subprocess.run([sys.executable, "-m", "dedup", "clean", str(SEEDS), "-o", str(out)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "report:" in done.stderr
    exe = shutil.which("dedup")
    if exe is None:
        pytest.skip("dedup is not installed on PATH (pip install -e .)")
    out2 = tmp_path / "out2"
    done = subprocess.run([exe, "clean", str(SEEDS), "-o", str(out2), "-q"], capture_output=True, text=True)
    assert done.returncode == 0 and done.stderr == ""
    assert (out / HINDI.name).read_bytes() == (out2 / HINDI.name).read_bytes()


def out_files(out: Path) -> set[str]:
    """OUT's files, but the index every run saves (tests/test_previous.py)."""
    files = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    index = {f"{previous.FOLDER}/{name}" for name in previous.FILES}
    assert index <= files
    return files - index


def git(cwd, *args):
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}
    return subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True).stdout


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_a_preview_then_in_place_loses_nothing_and_restore_gives_a_clean_git_status(tmp_path):
    """The sequence that deleted a user's corpus: `dedup clean .`, then `dedup clean --in-place .`."""
    repo = tmp_path / "repo"
    shutil.copytree(SEEDS, repo / "news")
    shutil.copy(HINDI, repo / "news" / "zz-hindi-copy.txt")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "corpus")
    preview = run("clean", ".", cwd=repo)
    assert preview.exit_code == 0
    assert out_files(repo / "dedup-out") >= {f"news/{HINDI.name}", f"news/{URDU.name}"}
    result = run("clean", "--in-place", ".", cwd=repo)
    assert result.exit_code == 0, result.output
    assert "not read: 1 dedup output folder (dedup-out)" in result.output
    report = report_of(repo / "dedup-out")
    assert report["mode"] == "in-place" and report["summary"]["documents"] == 3
    assert {d["path"]: d["status"] for d in report["documents"]} == {
        f"news/{URDU.name}": "cleaned", f"news/{HINDI.name}": "cleaned", "news/zz-hindi-copy.txt": "removed"}
    assert (repo / "news" / HINDI.name).exists() and (repo / "news" / URDU.name).exists()
    assert not (repo / "news" / "zz-hindi-copy.txt").exists()       # the whole copy is deleted ...
    assert "1 deleted" in result.output
    assert out_files(repo / "dedup-out") == {".dedup-output", "report.json", "report.html"}   # no stale preview
    restored = run("restore", "dedup-out/report.json", cwd=repo)    # ... and comes back
    assert restored.exit_code == 0, restored.output
    assert git(repo, "status", "--porcelain", "--untracked-files=no") == ""


def test_a_second_run_reads_no_earlier_output(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    assert run("clean", ".", cwd=corpus).exit_code == 0
    result = run("clean", ".", "-o", "cleaned", "--include", "*", cwd=corpus)
    assert result.exit_code == 0, result.output
    assert report_of(corpus / "cleaned")["summary"]["documents"] == 2
    assert report_of(corpus / "cleaned")["outputs_not_read"] == ["dedup-out"]
    assert "not read: 1 dedup output folder (dedup-out)" in result.output


def test_out_is_exactly_what_its_report_lists_after_a_rerun(tmp_path, write_corpus):
    corpus = write_corpus({"a.txt": "Alpha text that stays in the corpus for good.\n",
                           "b.txt": "Beta text that is deleted before the second run.\n",
                           "c.txt": "Gamma text that becomes a copy of the first file.\n"})
    out = tmp_path / "out"
    assert run("clean", corpus, "-o", out).exit_code == 0
    assert out_files(out) == {".dedup-output", "a.txt", "b.txt", "c.txt", "report.json", "report.html"}
    os.unlink(corpus / "b.txt")
    shutil.copy(corpus / "a.txt", corpus / "c.txt")
    assert run("clean", corpus, "-o", out).exit_code == 0
    report = report_of(out)
    assert {d["relpath"]: (d["status"], d["output"]) for d in report["documents"]} == {
        "a.txt": ("kept", "a.txt"), "c.txt": ("removed", None)}
    assert out_files(out) == {".dedup-output", "a.txt", "report.json", "report.html"}
    assert sorted(os.listdir(tmp_path)) == ["corpus", "out"]   # no staging folder or temporary left


def test_a_folder_of_the_users_own_is_refused_as_output_unless_forced(tmp_path):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "thesis.txt").write_text("my own work\n")
    result = run("clean", SEEDS, "-o", mine)
    assert result.exit_code == 2
    assert result.output == (f"dedup: error: {mine}: not empty and not a dedup output folder; "
                             "choose another -o, or --force to replace its contents\n")
    assert sorted(os.listdir(mine)) == ["thesis.txt"]
    assert sorted(os.listdir(tmp_path)) == ["mine"]          # nothing touched, nothing staged
    forced = run("clean", SEEDS, "-o", mine, "--force", "-q")
    assert forced.exit_code == 0
    assert out_files(mine) == {".dedup-output", HINDI.name, URDU.name, "report.json", "report.html"}


def test_an_output_that_holds_the_input_is_refused(tmp_path):
    corpus = tmp_path / "work" / "corpus"
    shutil.copytree(SEEDS, corpus)
    result = run("clean", corpus, "-o", tmp_path / "work", "--force")
    assert result.exit_code == 2 and "is inside the output folder" in result.output
    assert sorted(os.listdir(corpus)) == sorted(os.listdir(SEEDS))


def test_a_fifo_does_not_hang_the_run(tmp_path, write_corpus):
    corpus = write_corpus({"a.txt": "A line of ordinary text here.\n"})
    os.mkfifo(corpus / "pipe.txt")
    done = subprocess.run([sys.executable, "-m", "dedup", "clean", str(corpus), "-o", str(tmp_path / "out")],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert f"skipped {corpus.as_posix()}/pipe.txt: a FIFO (named pipe); not read" in done.stderr


def test_whole_duplicates_are_not_written_and_counts_are_plural_only_when_plural(tmp_path, write_corpus):
    text = HINDI.read_text("utf-8")
    corpus = write_corpus({"a.txt": text, "b.txt": text})
    out = tmp_path / "out"
    result = run("clean", corpus, "-o", out)
    assert result.exit_code == 0
    assert out_files(out) == {".dedup-output", "a.txt", "report.json", "report.html"}
    doc = {d["relpath"]: d for d in report_of(out)["documents"]}["b.txt"]
    assert (doc["status"], doc["output"], doc["removed"][0]["rule"]) == ("removed", None, "exact-document")
    assert doc["removed"][0]["evidence"]["original"] == {"path": f"{corpus.as_posix()}/a.txt"}
    lines = result.output.splitlines()
    assert lines[0] == "dedup 0.1.0: 2 documents, 28 lines, 7,526 characters"
    assert "      exact-document                       1 span         3,763 chars" in lines
    assert lines[-1] == f"  review page: {out.as_posix()}/report.html"
    one = run("clean", corpus / "a.txt", "-o", tmp_path / "one")
    assert one.output.splitlines()[0] == "dedup 0.1.0: 1 document, 14 lines, 3,763 characters"


@pytest.mark.parametrize("args, message", [
    (["clean", "-j", "abc", "c", "-o", "o"], "Invalid value for '-j' / '--jobs': 'abc' is not a valid integer. "
                                            "(see dedup clean --help)"),
    (["clean", "--nope"], "No such option '--nope'. (Did you mean one of: '--force', '--in-place', '--num-perm'?) "
                          "(see dedup clean --help)"),
    (["clean"], "Missing argument 'PATHS...'. (see dedup clean --help)"),
    (["nocmd"], "No such command 'nocmd'. (see dedup --help)"),
    (["clean", "c", "-o", ""], "-o is empty: name the output folder"),
    (["report", "r.json", "-o", " "], "-o is empty: name the page's file"),
])
def test_a_usage_error_is_one_line_saying_where_the_help_is(args, message):
    result = CliRunner().invoke(main, args, prog_name="dedup")
    assert result.exit_code == 2 and result.output == f"dedup: error: {message}\n"


@pytest.mark.parametrize("command, codes", [
    ("clean", ["0 done", "2 a usage or input error", "130 interrupted", "143 terminated", "129 hung up"]),
    ("check", ["0 nothing new", "1 new findings", "2 a usage or input error", "130/143/129 interrupted"]),
    ("restore", ["0 every document is back", "1 some could not be", "2 a usage or input error"]),
    ("report", ["0 written", "2 a usage or input error"]),
])
def test_help_lists_exit_codes_and_where_settings_come_from(command, codes):
    text = " ".join(run(command, "--help").output.split())
    for code in codes:
        assert code in text
    if command in ("clean", "check"):
        assert "[dedup] in ./setup.cfg, then [tool.dedup] in ./pyproject.toml, then these options" in text


def test_include_and_exclude_choose_the_files(tmp_path, write_corpus):
    corpus = write_corpus({"a.txt": "Alpha text of the first kind here.\n", "b.text": "Beta text of another kind.\n",
                           "notes.md": "Notes in markdown form right here.\n",
                           "drafts/c.txt": "A draft that is not to be read.\n", "d.txt": "Delta text kept too.\n"})
    out = tmp_path / "out"
    result = run("clean", corpus, "-o", out, "--include", "*.txt", "--include", "*.text",
                 "--exclude", "drafts", "--exclude", "d.*")
    assert result.exit_code == 0, result.output
    assert [d["relpath"] for d in report_of(out)["documents"]] == ["a.txt", "b.text"]
    assert report_of(out)["settings"]["include"] == ["*.txt", "*.text"]
    default = run("clean", corpus, "-o", tmp_path / "default")
    assert [d["relpath"] for d in report_of(tmp_path / "default")["documents"]] == [
        "a.txt", "d.txt", "drafts/c.txt", "notes.md"]


def test_report_root_finds_the_originals_where_clean_ran(tmp_path):
    work = tmp_path / "work"
    shutil.copytree(SEEDS, work / "seeds")
    assert run("clean", "seeds", "-o", "out", "--dry-run", cwd=work).exit_code == 0   # no cleaned files to rebuild from
    page = tmp_path / "page.html"
    from dedup.html import read_originals
    report = report_of(work / "out")
    assert read_originals(report, tmp_path) == {}                  # from the wrong folder: nothing found
    assert set(read_originals(report, work)) == {f"seeds/{HINDI.name}", f"seeds/{URDU.name}"}
    kept_line = URDU.read_text("utf-8").splitlines()[2]             # kept, copied nowhere: only in the full text
    assert len(kept_line) > 40
    with_root = run("report", work / "out" / "report.json", "-o", page, "--root", work, cwd=tmp_path)
    assert with_root.exit_code == 0 and with_root.output == f"dedup: review page written to {page}\n"
    assert kept_line[:40] in page.read_text("utf-8")
    without = run("report", work / "out" / "report.json", "-o", page, cwd=tmp_path)
    assert without.exit_code == 0
    assert kept_line[:40] not in page.read_text("utf-8")


def _corpus_of(tmp_path, files: int) -> Path:
    corpus = tmp_path / "corpus"
    for i in range(files):
        (corpus / f"site{i % 3}").mkdir(parents=True, exist_ok=True)
        shutil.copy(HINDI if i % 2 else URDU, corpus / f"site{i % 3}" / f"{i:03d}.txt")
    return corpus


def test_a_log_file_gets_only_the_summary(tmp_path):
    """stderr redirected to a file: the summary alone, no progress and no carriage
    returns (what a terminal sees is tests/test_progress.py's)."""
    corpus = _corpus_of(tmp_path, 70)
    command = [sys.executable, "-m", "dedup", "clean", str(corpus), "-o", str(tmp_path / "out"), "-j", "1"]
    with open(tmp_path / "log.txt", "wb") as log:
        assert subprocess.run(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=log).returncode == 0
    logged = (tmp_path / "log.txt").read_text("utf-8")
    assert "\r" not in logged and "read" not in logged.splitlines()[0] and logged.startswith("dedup 0.1.0: 70 documents")


def test_the_review_pages_word_diffs_are_made_by_the_workers_to_the_same_page(tmp_path, write_corpus):
    """Word diffs of more copies than one worker job holds: the page made with two
    workers is the page made by one process, byte for byte, and every copy has its diff."""
    import random
    import re
    from dedup import pipeline
    rng = random.Random(3)
    words = HINDI.read_text("utf-8").split() + URDU.read_text("utf-8").split()
    base = [rng.choice(words) for _ in range(60)]
    files = {}
    for n in range(3 * pipeline.DIFF_PAIRS):
        copy = list(base)
        copy[rng.randrange(60)] = f"बदला{n}"
        files[f"d{n:03d}.txt"] = " ".join(copy) + "\n"
    corpus = write_corpus(files)
    pages = []
    for jobs in (1, 2):
        out = tmp_path / f"out-{jobs}"
        assert run("clean", corpus, "-o", out, "-j", jobs).exit_code == 0
        pages.append((out / "report.html").read_bytes())
    assert pages[0] == pages[1]
    data = json.loads(re.search(rb'<script type="application/json" id="data">(.*?)</script>', pages[0], re.S).group(1))
    members = [m for c in data["clusters"] for m in c["members"]]
    assert len(members) > 2 * pipeline.DIFF_PAIRS and all(m["diff"] for m in members)
    assert all(any(op == "+" and "बदला" in text for op, text in m["diff"]) for m in members)


@given(st.lists(st.tuples(st.text(max_size=40), st.text(max_size=40)), min_size=1, max_size=60),
       st.integers(1, 12))
def test_word_diff_jobs_keep_the_pairs_in_order_in_few_even_shares(pairs, parts):
    from dedup import pipeline
    shares = pipeline._shares(pairs, parts)
    assert [pair for share in shares for pair in share] == pairs
    assert 1 <= len(shares) <= parts and all(shares)
    cost = [len(a) + len(b) for a, b in pairs]
    for share in shares:   # none more than its part of the text and one pair
        assert sum(len(a) + len(b) for a, b in share) <= sum(cost) / parts + max(cost)


@pytest.mark.parametrize("command, expected", [
    (["clean", "corpus", "-o", "out", "--lexicon", "{side}"], "cannot read lexicon {side}: not a regular file"),
    (["clean", "corpus", "-o", "out", "--verdicts", "{side}"], "{side}: cannot read the verdicts file: not a regular file"),
    (["check", "--corpus", "corpus", "--baseline", "{side}", "corpus/a.txt"], "{side}: not a regular file"),
    (["restore", "{side}"], "{side}: cannot read (not a regular file)"),
])
@pytest.mark.parametrize("kind", ["fifo", "device", "folder"])
def test_a_side_file_that_is_no_regular_file_is_one_line(tmp_path, command, expected, kind):
    """A lexicon, verdicts file, baseline or report named by mistake as /dev/zero would
    fill the memory, and a FIFO would wait forever for a writer: both are refused."""
    (tmp_path / "corpus").mkdir()
    shutil.copy(HINDI, tmp_path / "corpus" / "a.txt")
    side = "/dev/zero"
    if kind == "fifo":
        side = str(tmp_path / "pipe")
        os.mkfifo(side)
    elif kind == "folder":
        side = str(tmp_path / "corpus")
        expected = expected.replace("not a regular file", "a folder, not a file") if command[0] != "restore" else \
            "{side}/report.json: cannot read (No such file or directory)"   # (restore OUT reads OUT/report.json)
    done = subprocess.run([sys.executable, "-m", "dedup", *(a.format(side=side) for a in command)], cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and done.stderr == f"dedup: error: {expected.format(side=side)}\n"
    assert not (tmp_path / "out").exists()


def test_a_side_file_too_big_to_be_one_is_refused(tmp_path):
    from dedup import userfiles
    (tmp_path / "big.toml").write_bytes(b"#" * ((1 << 20) + 1))
    with pytest.raises(OSError, match=r"1,048,577 bytes, more than the 1 MB such a file can be"):
        userfiles.read(tmp_path / "big.toml", 1 << 20)
    assert len(userfiles.read(tmp_path / "big.toml", None)) == (1 << 20) + 1


def test_running_out_of_memory_is_one_line(tmp_path, monkeypatch):
    """(A 300 MB line under `ulimit -v 4000000` runs out so; here the run is made to.)"""
    from dedup import pipeline

    def short_of_memory(*args, **kwargs):
        raise MemoryError
    monkeypatch.setattr(pipeline, "clean", short_of_memory)
    result = CliRunner().invoke(main, ["clean", str(SEEDS), "-o", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert result.output.startswith("dedup: error: out of memory: ") and result.output.count("\n") == 1


def test_an_output_folder_in_a_folder_that_cannot_be_written_is_named_as_given(tmp_path):
    """Not the staging folder dedup makes beside OUT, which the user never named."""
    locked = tmp_path / "locked"
    locked.mkdir()
    os.chmod(locked, 0o555)
    prefix = []
    if os.geteuid() == 0:   # root writes anywhere unless it gives that up
        if not shutil.which("setpriv"):
            pytest.skip("needs setpriv to drop root's right to write anywhere")
        prefix = ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--"]
    done = subprocess.run([*prefix, sys.executable, "-m", "dedup", "clean", str(SEEDS), "-o", str(locked / "out")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert done.stderr == f"dedup: error: {locked / 'out'}: cannot be written in {locked}: Permission denied\n"


@pytest.mark.parametrize("name, command, expected", [
    ("pyproject.toml", ["check"], "pyproject.toml: nested too deeply to read"),
    ("deep.toml", ["clean", "corpus", "-o", "out", "--lexicon", "deep.toml"],
     "deep.toml: not a valid TOML lexicon (nested too deeply to read)"),
    ("deep.json", ["clean", "corpus", "-o", "out", "--verdicts", "deep.json"],
     "deep.json: not a verdicts file: nested too deeply to read"),
    ("deep.json", ["check", "--corpus", "corpus", "--baseline", "deep.json", "corpus/a.txt"],
     "deep.json: not a dedup baseline (nested too deeply to read)"),
])
def test_a_settings_or_side_file_nested_too_deeply_is_one_line(tmp_path, name, command, expected):
    (tmp_path / "corpus").mkdir()
    shutil.copy(HINDI, tmp_path / "corpus" / "a.txt")
    depth = 100_000
    (tmp_path / name).write_text(("a = " if name.endswith(".toml") else "") + "[" * depth + "]" * depth + "\n")
    done = subprocess.run([sys.executable, "-m", "dedup", *command], cwd=tmp_path, capture_output=True, text=True,
                          timeout=60)
    assert (done.returncode, done.stderr) == (2, f"dedup: error: {expected}\n")


@pytest.mark.parametrize("name", ["report.json", "report.html"])
def test_an_input_whose_copy_would_take_the_name_of_outs_own_file_is_refused(tmp_path, name):
    """Else its cleaned copy and the report overwrite each other and the run says nothing.
    In place nothing is copied: the same input is cleaned."""
    corpus = tmp_path / "in"
    corpus.mkdir()
    (corpus / name).write_text("Harbour cranes and quay article.\nShare this article\n", "utf-8")
    shutil.copy(HINDI, corpus / "hindi.txt")
    args = ["clean", str(corpus), "--include", "*.json", "--include", "*.html", "--include", "*.txt",
            "--format", "text"]
    result = run(*args, "-o", tmp_path / "out")
    assert result.exit_code == 2 and not (tmp_path / "out").exists()
    assert result.output.endswith(f"where the run writes its own {name}; rename it, or give a folder above it "
                                  f"as the input\n")
    assert run(*args, "-o", tmp_path / "journal", "--in-place").exit_code == 0
    assert "Share this article" not in (corpus / name).read_text("utf-8")


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
@pytest.mark.parametrize("command", [["check", "--no-cache", "corpus/copy.txt"], ["restore", "out/report.json", "--to", "back"],
                                     ["--help"]])
def test_output_that_cannot_be_written_is_one_line(tmp_path, command):
    """stdout on a full disk: one line and status 2, never a traceback (nor one while
    Python shuts down and flushes it)."""
    (tmp_path / "corpus").mkdir()
    shutil.copy(HINDI, tmp_path / "corpus" / "a.txt")
    shutil.copy(HINDI, tmp_path / "corpus" / "copy.txt")
    assert run("clean", tmp_path / "corpus", "-o", tmp_path / "out").exit_code == 0
    with open("/dev/full", "w") as full:
        done = subprocess.run([sys.executable, "-m", "dedup", *command], cwd=tmp_path, stdout=full,
                              stderr=subprocess.PIPE, text=True, timeout=120)
    assert done.returncode == 2
    assert done.stderr.splitlines()[-1] == "dedup: error: cannot write the output: No space left on device"
    assert "Traceback" not in done.stderr


def test_only_corpus_in_place_on_a_folder_rewrites_its_text_files_and_leaves_its_records(tmp_path, monkeypatch):
    """As it does with the files named one by one (what a git hook passes)."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "corpus").mkdir()
    record = '{"text": "A record with enough words to be a document of its own here."}\n'
    (tmp_path / "corpus" / "a.jsonl").write_text(record, "utf-8")
    (tmp_path / "corpus" / "t.txt").write_text("A text file with a sentence of words in it.\nShare this article\n",
                                               "utf-8")
    result = CliRunner().invoke(main, ["clean", "corpus", "--only-corpus", "--in-place", "-o", "journal", "-q"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "corpus" / "t.txt").read_text("utf-8") == "A text file with a sentence of words in it.\n"
    assert (tmp_path / "corpus" / "a.jsonl").read_text("utf-8") == record
    report = json.loads((tmp_path / "journal" / "report.json").read_text("utf-8"))
    assert [d["path"] for d in report["documents"]] == ["corpus/t.txt"]


@pytest.mark.parametrize("command", [["check", "--format", "json"], ["clean", ".", "-o", "../out"]])
def test_a_reader_that_went_away_is_exit_141_never_1(tmp_path, command):
    """`dedup check … | consumer` where the consumer ends first: 1 would say new findings."""
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "a.txt").write_text("One document of its own, with nothing else to find.\n", "utf-8")
    read_end, write_end = os.pipe()
    os.close(read_end)
    done = subprocess.run([sys.executable, "-m", "dedup", *command], cwd=tmp_path / "corpus", stdout=write_end,
                          stderr=write_end if command[0] == "clean" else subprocess.PIPE, timeout=120)
    os.close(write_end)
    assert done.returncode == 141
