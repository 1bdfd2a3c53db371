"""`dedup check`: findings against the whole corpus, the index, the baseline."""
import json
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import HINDI, SEEDS, URDU
from .test_classify import paragraph
from .test_cli import report_of, run


def article(rng: random.Random) -> str:
    return "\n\n".join(paragraph(rng, 45) for _ in range(4)) + "\n"


@pytest.fixture
def repo(tmp_path, monkeypatch):
    """A corpus repository: data/ with eight articles; the cwd is its root."""
    rng = random.Random(11)
    data = tmp_path / "data"
    data.mkdir()
    for n in range(8):
        (data / f"article-{n:02d}.txt").write_text(article(rng), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PRE_COMMIT", raising=False)
    return tmp_path


def check(*args):
    return run("check", *args)


def lines_of(result) -> list[str]:
    return [ln for ln in result.output.splitlines() if not ln.startswith("dedup:")]


def test_clean_corpus_passes(repo):
    result = check()
    assert result.exit_code == 0, result.output
    assert lines_of(result) == []
    assert (repo / ".dedup_cache" / ".gitignore").read_text().strip().endswith("*")


def test_doubled_article_is_reported_line_by_line(repo):
    shutil.copy(HINDI, repo / "data" / "hindi.txt")
    result = check("data/hindi.txt")
    assert result.exit_code == 1
    found = lines_of(result)
    assert "data/hindi.txt:8: duplicate of data/hindi.txt:1 (similarity 1.00) [exact-line]" in found
    assert any(f.startswith("data/hindi.txt:2: boilerplate \"ये भी पढ़ें:") and f.endswith("[lexicon:hi/also-read]")
               for f in found)


def test_near_duplicate_of_an_unchanged_file_is_caught_in_either_order(repo):
    old = (repo / "data" / "article-03.txt").read_text("utf-8")
    copy = old.replace(old.split()[5], "बदला", 1).replace(old.split()[40], "नया", 1)
    for name, flagged, original in (("data/zz-new.txt", "data/zz-new.txt", "data/article-03.txt"),
                                    ("data/aa-new.txt", "data/article-03.txt", "data/aa-new.txt")):
        (repo / name).write_text(copy, encoding="utf-8")
        result = check(name)
        assert result.exit_code == 1, result.output
        (line,) = lines_of(result)
        assert line.startswith(f"{flagged}:1: near-duplicate of {original}") and "[near-document]" in line
        os.unlink(repo / name)


def test_split_calls_give_the_verdicts_of_one_call(repo):
    shutil.copy(HINDI, repo / "data" / "hindi.txt")
    shutil.copy(URDU, repo / "data" / "urdu.txt")
    (repo / "data" / "copy.txt").write_text((repo / "data" / "article-05.txt").read_text("utf-8"), encoding="utf-8")
    names = ["data/hindi.txt", "data/urdu.txt", "data/copy.txt", "data/article-01.txt"]
    together = sorted(lines_of(check(*names)))
    apart = sorted(sum((lines_of(check(n)) for n in names), []))
    assert together == apart and len(together) > 10


def test_whole_corpus_check_agrees_with_clean(repo):
    for seed in SEEDS.glob("*.txt"):
        shutil.copy(seed, repo / "data" / seed.name)
    shutil.copy(HINDI, repo / "data" / "again.txt")
    found = {(ln.split(":")[0], int(ln.split(":")[1]), ln.rsplit("[", 1)[1][:-1]) for ln in lines_of(check())}
    assert run("clean", "data", "-o", repo / "out").exit_code == 0
    cleaned = set()
    for doc in report_of(repo / "out")["documents"]:
        for r in doc["removed"]:
            text = r["text"]
            first = r["lines"][0] + text[:len(text) - len(text.lstrip("\r\n \t"))].count("\n")
            cleaned.add((doc["path"], first, r["rule"]))
    assert found == cleaned


def test_cold_warm_and_uncached_results_are_identical_and_a_broken_cache_is_rebuilt(repo):
    shutil.copy(HINDI, repo / "data" / "hindi.txt")
    cold = check("data/hindi.txt").output
    teaser_1 = 'boilerplate "ये भी पढ़ें: अपनी हरकतों से बाज नहीं आ रहा रूस, फिर किया यूक…" [lexicon:hi/also-read]'
    teaser_2 = 'boilerplate "ये भी पढ़ें: ‘यूक्रेन ने नहीं किया ड्रोन अटैक…’ पुतिन के दाव…" [lexicon:hi/also-read]'
    copy = "duplicate of data/hindi.txt:{} (similarity 1.00) [exact-line]"
    assert lines_of(check("data/hindi.txt", "--no-cache")) == [
        f"data/hindi.txt:2: {teaser_1}", f"data/hindi.txt:7: {teaser_2}", f"data/hindi.txt:8: {copy.format(1)}",
        f"data/hindi.txt:9: {teaser_1}", *(f"data/hindi.txt:{n + 7}: {copy.format(n)}" for n in (3, 4, 5, 6)),
        f"data/hindi.txt:14: {teaser_2}"]
    assert cold.splitlines()[-1] == "dedup: 9 new findings" and len(lines_of(check("data/hindi.txt"))) == 9
    warm = check("data/hindi.txt").output
    assert cold == warm == check("data/hindi.txt", "--no-cache").output
    index = repo / ".dedup_cache" / "index.sqlite"
    with open(index, "r+b") as handle:   # scribble over the middle of the database
        handle.seek(4096)
        handle.write(os.urandom(8192))
    assert check("data/hindi.txt").output == cold
    index.write_bytes(b"not a database at all")
    for suffix in ("-wal", "-shm"):
        if os.path.exists(f"{index}{suffix}"):
            os.unlink(f"{index}{suffix}")
    assert check("data/hindi.txt").output == cold


def test_an_edited_file_is_reindexed(repo):
    target = repo / "data" / "article-02.txt"
    assert check("data/article-02.txt").exit_code == 0
    target.write_text(target.read_text("utf-8") + "\n" + (repo / "data" / "article-04.txt").read_text("utf-8"),
                      encoding="utf-8")
    result = check("data/article-02.txt")
    # article-02 sorts first, so it holds the originals and article-04 the copies
    assert result.exit_code == 1
    assert "data/article-04.txt:1: duplicate of data/article-02.txt:9 (similarity 1.00) [exact-line]" in lines_of(result)


def test_settings_and_lexicon_changes_rebuild_the_index(repo):
    shutil.copy(HINDI, repo / "data" / "hindi.txt")
    before = lines_of(check("data/hindi.txt"))
    (repo / "setup.cfg").write_text("[dedup]\nlexicons = no-such.toml\n", encoding="utf-8")
    result = check("data/hindi.txt")
    assert result.exit_code == 2 and "no-such.toml" in result.output   # a bad setting is an error, not a stale cache
    site = repo / "site.toml"
    site.write_text('language = "xx"\n[[rule]]\nid = "thanks"\nmatch = "line"\nphrases = ["nothing like it"]\n',
                    encoding="utf-8")
    (repo / "setup.cfg").write_text("[dedup]\nlexicons = site.toml\n", encoding="utf-8")
    assert lines_of(check("data/hindi.txt")) == before
    site.write_text(site.read_text("utf-8").replace("nothing like it", "जेलेंस्की ने अमेरिका को कहा शुक्रिया"),
                    encoding="utf-8")   # the same settings, another lexicon text: the sketches are stale
    after = lines_of(check("data/hindi.txt"))
    assert "data/hindi.txt:3: boilerplate \"जेलेंस्की ने अमेरिका को कहा शुक्रिया\" [lexicon:xx/thanks]" in after
    assert len(after) == len(before) + 1


def test_baseline_accepts_todays_findings_and_survives_unrelated_edits(repo):
    shutil.copy(HINDI, repo / "data" / "hindi.txt")
    assert check("--write-baseline").exit_code == 0
    baseline = json.loads((repo / ".dedup-baseline.json").read_text("utf-8"))
    assert baseline["format"] == "dedup-baseline" and len(baseline["findings"]) == 9
    assert check("data/hindi.txt").exit_code == 0
    text = (repo / "data" / "hindi.txt").read_text("utf-8")
    (repo / "data" / "hindi.txt").write_text("A new first line about the talks in Paris this week.\n" + text,
                                             encoding="utf-8")
    assert check("data/hindi.txt").exit_code == 0   # same findings, one line lower
    (repo / "data" / "hindi.txt").write_text(text + "\nRelated articles\n", encoding="utf-8")
    result = check("data/hindi.txt")
    assert result.exit_code == 1 and lines_of(result) == ['data/hindi.txt:15: boilerplate "Related articles" '
                                                         '[lexicon:en/related]']


def test_machine_formats(repo):
    shutil.copy(URDU, repo / "data" / "urdu.txt")
    result = check("--format", "json", "data/urdu.txt")
    assert result.exit_code == 1
    findings = json.loads(result.output)
    assert {f["rule"] for f in findings} == {"lexicon:ar/related", "lexicon:en/related"}
    assert findings[0]["path"] == "data/urdu.txt" and findings[0]["line"] == 8
    github = lines_of(check("--format", "github", "data/urdu.txt"))
    assert github[0].startswith("::error file=data/urdu.txt,line=8,title=dedup lexicon%3Aar/related::boilerplate")


def test_names_and_text_that_would_command_a_terminal_or_github_are_shown_inert(repo):
    """A file name holding a newline and a workflow command, or a comma and properties,
    makes no annotation of its own; an escape sequence in a line reaches no terminal;
    a name that is not UTF-8 is written as an escape, in lines and in JSON alike."""
    text = (repo / "data" / "article-00.txt").read_text("utf-8")
    names = ["b\n::warning file=README.md,line=1::injected\n.txt", "c,line=99,title=x.txt"]
    for name in names:
        with open(os.path.join(os.fsencode(repo / "data"), os.fsencode(name)), "w", encoding="utf-8") as handle:
            handle.write(text)
    with open(repo / "data" / "e.txt", "w", encoding="utf-8") as handle:
        handle.write("A line before the widget, long enough to be a sentence of the text.\n"
                     "Share this article \x1b]0;PWNED\x07\x1b[2J\n")
    github = check("--format", "github").output.splitlines()
    assert all(line.startswith("::error file=") or line.startswith("dedup:") for line in github)
    assert "::error file=data/c%2Cline=99%2Ctitle=x.txt,line=1,title=dedup exact-document::duplicate of " \
           "data/article-00.txt (similarity 1.00)" in github
    assert "::error file=data/b\\n%3A%3Awarning file=README.md%2Cline=1%3A%3Ainjected\\n.txt,line=1," \
           "title=dedup exact-document::duplicate of data/article-00.txt (similarity 1.00)" in github
    plain = check().output
    assert "\x1b" not in plain and "\x07" not in plain
    assert 'data/e.txt:2: boilerplate "Share this article \\x1b]0;PWNED\\x07\\x1b[2J" [lexicon:en/share]' in plain


@pytest.mark.parametrize("content, message", [
    ('{"findings": [], "my_notes": "keep me"}', "not a dedup baseline (written by `dedup check --write-baseline`)"),
    ('[1, 2]', "not a dedup baseline (written by `dedup check --write-baseline`)"),
    ('{"format": "dedup-baseline", "format_version": 99, "findings": []}', "baseline format version 99; this "
                                                                              "dedup reads version 1"),
    ('{"format": "dedup-baseline", "format_version": 1, "findings": {"a": 1}}',
     "not a dedup baseline (its findings are no list)"),
    ('{"format": "dedup-baseline", "format_version": 1, "findings": ["a"]}',
     "finding 1 is not a path, a rule and a text, each a string"),
    ('{"format": "dedup-baseline", "format_version": 1, "findings": [{"path": "a", "rule": 1, "text": "t"}]}',
     "finding 1 is not a path, a rule and a text, each a string"),
    ('{"format": ', "not a dedup baseline (broken JSON"),
])
def test_a_file_that_is_no_baseline_is_one_line_and_never_written_over(repo, content, message):
    (repo / "notes.json").write_text(content, "utf-8")
    for args in ((), ("--write-baseline",)):
        result = check("--baseline", "notes.json", *args)
        assert (result.exit_code, result.output) == (2, f"dedup: error: notes.json: {message}" +
                                                     result.output.split(message, 1)[1])
        assert len(result.output.splitlines()) == 1
        assert (repo / "notes.json").read_text("utf-8") == content


def test_a_name_that_is_not_utf8_is_an_escape_in_json_and_the_baseline(repo):
    """(A real process: click's test runner cannot print such a name.)"""
    name = b"data/d\xe9.txt"
    with open(os.fsencode(repo) + b"/" + name, "wb") as handle:
        handle.write((repo / "data" / "article-00.txt").read_bytes())

    def dedup(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "dedup", "check", *args], capture_output=True, cwd=repo)
    assert any(line.startswith(name + b":1: duplicate of") for line in dedup().stdout.splitlines())   # as it is
    as_json = json.loads(dedup("--format", "json").stdout.decode("utf-8"))   # strict UTF-8
    assert "data/d\udce9.txt" in {f["path"] for f in as_json}
    assert dedup("--write-baseline").returncode == 0 and dedup().returncode == 0   # the name matches again
    assert b"data/d\\udce9.txt" in (repo / ".dedup-baseline.json").read_bytes()


def test_files_outside_the_corpus_globs_are_ignored_and_bad_paths_fail(repo):
    (repo / "notes.py").write_text("print('not a corpus file')\n", encoding="utf-8")
    assert check("notes.py").exit_code == 0
    result = check("data/missing.txt")
    assert result.exit_code == 2 and result.output.startswith("dedup: error:") and "Traceback" not in result.output
    result = check("--corpus", "nowhere")
    assert result.exit_code == 2 and "corpus folder does not exist" in result.output


def test_quiet_under_pre_commit(repo, monkeypatch):
    shutil.copy(URDU, repo / "data" / "urdu.txt")
    monkeypatch.setenv("PRE_COMMIT", "1")
    result = check("data/urdu.txt")
    assert result.exit_code == 1
    assert result.output.splitlines() == ['data/urdu.txt:8: boilerplate "مواضيع ذات صلة" [lexicon:ar/related]',
                                          'data/urdu.txt:9: boilerplate "مواضيع ذات صلة" [lexicon:ar/related]',
                                          'data/urdu.txt:10: boilerplate "مواضيع ذات صلة" [lexicon:ar/related]',
                                          'data/urdu.txt:11: boilerplate "Related articles" [lexicon:en/related]']


def test_no_corpus_file_is_an_error_like_clean(repo):
    for path in (repo / "data").iterdir():
        path.rename(path.with_suffix(".json"))
    result = check()
    assert result.exit_code == 2
    assert result.output == "dedup: error: no corpus files (*.txt, *.md) in . (setting `corpus`)\n"


def test_the_index_lives_at_the_repository_root_whatever_folder_it_runs_from(repo, monkeypatch):
    (repo / ".git").mkdir()                       # the top of a git repository
    shutil.copy(HINDI, repo / "data" / "hindi.txt")
    monkeypatch.chdir(repo / "data")
    result = check("hindi.txt")
    assert result.exit_code == 1
    assert lines_of(result)[0].startswith("hindi.txt:")
    assert not (repo / "data" / ".dedup_cache").exists()
    indexes = sorted(p.name for p in (repo / ".dedup_cache").glob("index*.sqlite"))
    assert len(indexes) == 1 and indexes[0].startswith("index-")   # another root's paths: its own file
    monkeypatch.chdir(repo)
    assert check("data/hindi.txt").exit_code == 1
    assert sorted(p.name for p in (repo / ".dedup_cache").glob("index*.sqlite")) == sorted(indexes + ["index.sqlite"])


def test_a_dedup_output_in_the_corpus_is_not_checked_against(repo):
    """A preview `dedup clean .` leaves dedup-out/ in the repository: its copies are no originals."""
    shutil.copy(URDU, repo / "data" / "urdu.txt")
    assert run("clean", ".", "-q").exit_code == 0
    assert (repo / "dedup-out" / "data" / "urdu.txt").exists()
    result = check("data/urdu.txt")
    assert "dedup-out" not in result.output
    assert (repo / ".dedup_cache" / ".dedup-output").exists()   # the index folder is marked too


def test_an_index_locked_too_long_is_one_line_and_is_not_thrown_away(repo, monkeypatch):
    import sqlite3

    from dedup import cache
    assert check().exit_code == 0                      # the index exists
    index = repo / ".dedup_cache" / "index.sqlite"
    holder = sqlite3.connect(index, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")                  # another hook is writing
    monkeypatch.setattr(cache, "LOCK_TIMEOUT", 0.2)
    (repo / "data" / "article-00.txt").write_text("An edit that needs the index to be written.\n" * 3)
    try:
        result = check("data/article-00.txt")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.exit_code == 2
    assert result.output == "dedup: error: .dedup_cache/index.sqlite: database is locked\n"
    rows = sqlite3.connect(index).execute("SELECT count(*) FROM docs").fetchone()[0]
    assert rows == 8                                   # the other hook's index is still there


def test_the_corpus_setting_from_setup_cfg(repo):
    (repo / "other").mkdir()
    shutil.copy(HINDI, repo / "other" / "hindi.txt")
    (repo / "setup.cfg").write_text("[dedup]\ncorpus = other\n", encoding="utf-8")
    result = check()
    assert result.exit_code == 1
    assert {ln.split(":")[0] for ln in lines_of(result)} == {"other/hindi.txt"}   # data/ is not the corpus


def test_write_baseline_on_some_files_keeps_the_other_files_entries_sorted(repo):
    shutil.copy(HINDI, repo / "data" / "hindi.txt")
    shutil.copy(URDU, repo / "data" / "urdu.txt")
    assert check("--write-baseline").exit_code == 0
    whole = json.loads((repo / ".dedup-baseline.json").read_text("utf-8"))["findings"]
    assert {e["path"] for e in whole} == {"data/hindi.txt", "data/urdu.txt"}
    (repo / "data" / "urdu.txt").write_text(URDU.read_text("utf-8") + "\nRelated posts\n", encoding="utf-8")
    assert check("--write-baseline", "data/urdu.txt").exit_code == 0
    after = json.loads((repo / ".dedup-baseline.json").read_text("utf-8"))["findings"]
    assert [e for e in after if e["path"] == "data/hindi.txt"] == [e for e in whole if e["path"] == "data/hindi.txt"]
    assert len([e for e in after if e["path"] == "data/urdu.txt"]) == \
        len([e for e in whole if e["path"] == "data/urdu.txt"]) + 1
    assert after == sorted(after, key=lambda e: (e["path"], e["rule"], e["text"]))


def test_a_hook_sized_check_never_loads_the_compiled_kernel(tmp_path, monkeypatch):
    """Loading numba (and the scipy it looks for) costs a hook about a second: a check
    with less than KERNEL_BYTES to sketch uses the reference code, even where the file
    and its neighbours together pass the per-batch COMPILED_CHARS."""
    import sys
    import types

    import dedup
    from dedup import sketch
    from dedup.commands import check as check_module
    rng = random.Random(8)
    data = tmp_path / "data"
    data.mkdir()
    for n in range(20):   # all share a footer: each file's neighbours are 16 others
        text = "\n\n".join(paragraph(rng, 60) for _ in range(6)) + "\n\nFuata habari zetu kila siku\n"
        (data / f"{n:02d}.txt").write_text(text, encoding="utf-8")
    hood = sum(p.stat().st_size for p in sorted(data.iterdir())[:17])
    assert sketch.COMPILED_CHARS < hood and hood * 3 < check_module.KERNEL_BYTES
    used = []

    def kernel_attribute(name):
        if name.startswith("__"):   # what introspection asks of any module
            raise AttributeError(name)
        used.append(name)
        raise AssertionError(f"the compiled kernel was used ({name})")
    forbidden = types.ModuleType("dedup.kernel")
    forbidden.__getattr__ = kernel_attribute
    monkeypatch.setitem(sys.modules, "dedup.kernel", forbidden)
    monkeypatch.setattr(dedup, "kernel", forbidden, raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PRE_COMMIT", raising=False)
    assert run("check", "--corpus", "data").exit_code == 1
    with open(data / "05.txt", "a", encoding="utf-8") as handle:
        handle.write("\nA closing line added today to this one article.\n")
    assert run("check", "--corpus", "data", "data/05.txt").exit_code == 1
    assert used == []


def test_a_file_too_big_to_sketch_on_this_machine_is_one_line_before_it_is_read(repo, monkeypatch):
    """A text file is sketched whole; one that could not be in all of the machine's
    memory is named at once (it was read whole, then sketched, until the system killed
    the hook). Files that are nowhere near it are not read to count their lines."""
    from dedup import budget, pipeline
    from dedup.commands import check as check_mod
    counted, read, reading = [], [], check_mod._read
    monkeypatch.setattr(pipeline, "_line_count", lambda file: counted.append(file) or 1)
    monkeypatch.setattr(check_mod, "_read", lambda path: read.append(Path(path).name) or reading(path))
    assert check().exit_code == 0 and counted == []
    (repo / "data" / "big.txt").write_text("a line of a list\n" * 20_000, "utf-8")
    need = budget.sketch_one((repo / "data" / "big.txt").stat().st_size, 1)
    monkeypatch.setattr(budget, "machine_memory", lambda: need - 1)
    result = check()
    assert result.exit_code == 2
    assert result.output.startswith("dedup: error: data/big.txt: a text file is one document, sketched whole, "
                                    "and this one takes about")
    assert len(result.output.splitlines()) == 1 and [Path(f).name for f in counted] == ["big.txt"]
    assert "big.txt" not in read
