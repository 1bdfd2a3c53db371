"""The index behind `dedup check`: per-file verdicts against it equal `clean`'s on the
whole corpus, its counts follow edits, what it re-reads, when it is rebuilt, its cap
on neighbours, and two hooks building it at once."""
import json
import os
import random
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

import dedup
from dedup import cache
from dedup.cli import main

from .test_classify import paragraph


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def report_of(out: Path) -> dict:
    return json.loads((out / "report.json").read_text("utf-8"))


def lines_of(result) -> list[str]:
    """The findings a check printed (its `dedup: N new findings` line left out)."""
    assert result.exit_code in (0, 1), result.output
    return [ln for ln in result.output.splitlines() if not ln.startswith("dedup:")]


def site_corpus(root: Path, rng: random.Random, footer_in: range) -> None:
    """Articles of a news site: a footer line in some, teasers "Soma pia: <headline>"
    in others, a hard-wrapped paragraph and a near-copied line shared between two."""
    data = root / "data"
    data.mkdir(exist_ok=True)
    shared_paragraph = "\n".join(paragraph(rng, 12) for _ in range(3))
    shared_line = paragraph(rng, 60)
    for n in range(12):
        lines = [paragraph(rng, 9)] + [paragraph(rng, 35) for _ in range(4)]
        if n % 3 == 1:
            lines.insert(2, "Soma pia: " + paragraph(rng, 6).rstrip(".۔।!?\"” "))
        if n in (2, 9):
            lines += ["", shared_paragraph]
        if n in (4, 10):   # the same line, one word changed in the second copy
            words = shared_line.split()
            words[30] = "बदला" if n == 10 else words[30]
            lines.insert(3, " ".join(words))
        if n in footer_in:
            lines += ["", "Fuata habari zetu kila siku"]
        (data / f"{n:02d}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


def findings(lines: list[str]) -> set[tuple[str, int, str]]:
    return {(ln.split(":")[0], int(ln.split(":")[1]), ln.rsplit("[", 1)[1][:-1]) for ln in lines}


def clean_findings(root: Path) -> set[tuple[str, int, str]]:
    out = root / "out"
    assert run("clean", "data", "-o", out, "--dry-run").exit_code == 0
    found = set()
    for doc in report_of(out)["documents"]:
        for r in doc["removed"]:
            text = r["text"]
            found.add((doc["path"], r["lines"][0] + text[:len(text) - len(text.lstrip("\r\n \t"))].count("\n"),
                       r["rule"]))
    return found


def own(lines: list[str], path: str) -> set:
    return {f for f in findings(lines) if f[0] == path}


# What `clean` and `check` find in site_corpus(random.Random(5), footer_in=range(0, 12, 2)):
# (path, first line, rule).
SITE_FINDINGS = {
    ("data/00.txt", 7, "frequent-line"), ("data/02.txt", 11, "frequent-line"), ("data/04.txt", 9, "frequent-line"),
    ("data/06.txt", 7, "frequent-line"), ("data/08.txt", 7, "frequent-line"), ("data/10.txt", 9, "frequent-line"),
    ("data/01.txt", 3, "teaser-template"), ("data/04.txt", 3, "teaser-template"),
    ("data/07.txt", 3, "teaser-template"), ("data/10.txt", 3, "teaser-template"),
    ("data/09.txt", 7, "exact-paragraph"), ("data/09.txt", 8, "exact-paragraph"), ("data/09.txt", 9, "exact-paragraph"),
    ("data/10.txt", 4, "near-line"),
}
PARAGRAPH_COPY = [f"data/09.txt:{n}: duplicate of data/02.txt:7 (similarity 1.00) [exact-paragraph]" for n in (7, 8, 9)]


@pytest.fixture
def site(tmp_path, monkeypatch):
    site_corpus(tmp_path, random.Random(5), footer_in=range(0, 12, 2))
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PRE_COMMIT", raising=False)
    return tmp_path


def test_each_file_checked_alone_gets_the_verdicts_of_clean(site):
    expected = clean_findings(site)
    assert expected == SITE_FINDINGS
    assert findings(lines_of(run("check"))) == expected
    for path in sorted(p.relative_to(site).as_posix() for p in (site / "data").glob("*.txt")):
        assert own(lines_of(run("check", path)), path) == {f for f in expected if f[0] == path}, path


def test_counts_follow_edits_as_a_fresh_index_would(site):
    assert run("check").exit_code == 1           # builds the index
    for n in (0, 2, 4):                          # the footer in 3 documents only: no longer boilerplate
        path = site / "data" / f"{n:02d}.txt"
        path.write_text(path.read_text("utf-8").replace("\nFuata habari zetu kila siku\n", ""), encoding="utf-8")
    # now a line copied from 06.txt (5 words: long enough to be a duplicate)
    expected = [f"data/{at}: duplicate of data/06.txt:7 (similarity 1.00) [exact-line]"
                for at in ("08.txt:7", "10.txt:9")]
    assert lines_of(run("check", "data/06.txt")) == expected
    assert lines_of(run("check", "data/06.txt", "--no-cache")) == expected
    for n in (1, 3):                             # and in 5 again
        path = site / "data" / f"{n:02d}.txt"
        path.write_text(path.read_text("utf-8") + "\nFuata habari zetu kila siku\n", encoding="utf-8")
    expected = ['data/06.txt:7: boilerplate "Fuata habari zetu kila siku" [frequent-line]']
    assert lines_of(run("check", "data/06.txt")) == expected
    assert lines_of(run("check", "data/06.txt", "--no-cache")) == expected
    footers = {("data/01.txt", 8), ("data/03.txt", 7), ("data/06.txt", 7), ("data/08.txt", 7), ("data/10.txt", 9)}
    expected = {f for f in SITE_FINDINGS if f[2] != "frequent-line"} | {(p, n, "frequent-line") for p, n in footers}
    assert findings(lines_of(run("check"))) == expected == clean_findings(site)


def test_a_removed_file_leaves_the_index(site):
    assert lines_of(run("check", "data/09.txt")) == PARAGRAPH_COPY
    os.unlink(site / "data" / "02.txt")   # held the first copy of the shared paragraph
    assert lines_of(run("check", "data/09.txt")) == []
    assert lines_of(run("check", "data/09.txt", "--no-cache")) == []
    with sqlite3.connect(site / ".dedup_cache" / "index.sqlite") as db:
        paths = [row[0].decode() for row in db.execute("SELECT path FROM docs ORDER BY path")]
    assert paths == [f"data/{n:02d}.txt" for n in range(12) if n != 2]


def _has_open(pid: int, path: Path) -> bool:
    try:
        return any(os.readlink(f"/proc/{pid}/fd/{fd}") == str(path) for fd in os.listdir(f"/proc/{pid}/fd"))
    except OSError:   # gone, or a descriptor closed while we looked
        return False


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="needs /proc to see the hooks' open files")
def test_two_hooks_building_the_index_at_once(site):
    """The two hooks really overlap: the test holds the index's write lock until both
    have it open, then both race to create and fill it. Both print the right findings."""
    command = [sys.executable, "-m", "dedup", "check", "data/09.txt", "data/10.txt"]
    env = {**os.environ, "PRE_COMMIT": "1"}
    expected = {f for f in SITE_FINDINGS if f[0] in ("data/09.txt", "data/10.txt")}
    index = site / ".dedup_cache" / "index.sqlite"
    index.parent.mkdir()
    holder = sqlite3.connect(index, isolation_level=None)
    holder.execute("PRAGMA journal_mode = WAL")
    holder.execute("BEGIN IMMEDIATE")
    runs = [subprocess.Popen(command, cwd=site, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(2)]
    try:
        deadline = time.monotonic() + 60
        while not all(_has_open(p.pid, index) for p in runs):
            assert all(p.poll() is None for p in runs), "a hook ended while the index was locked"
            assert time.monotonic() < deadline, "the hooks never opened the index"
            time.sleep(0.02)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    outputs = [p.communicate(timeout=120) for p in runs]
    for p, (out, err) in zip(runs, outputs):
        assert p.returncode == 1 and err == "", err
        assert findings(out.splitlines()) == expected and out.splitlines()[:3] == PARAGRAPH_COPY
    assert outputs[0][0] == outputs[1][0]
    assert subprocess.run(command, cwd=site, env=env, capture_output=True, text=True).stdout == outputs[0][0]


def test_exact_copies_count_once_for_both_frequency_rules(tmp_path, monkeypatch):
    rng = random.Random(8)
    data = tmp_path / "data"
    data.mkdir()
    for n in range(3):   # a teaser and a footer in three articles: not yet boilerplate
        lines = [paragraph(rng, 9), paragraph(rng, 35), "Soma pia: " + paragraph(rng, 6).rstrip(".۔।!?\"” "),
                 paragraph(rng, 35), "", "Fuata habari zetu daima"]
        (data / f"{n:02d}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (data / "03-copy.txt").write_text((data / "01.txt").read_text("utf-8"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    expected = clean_findings(tmp_path)
    assert {rule for _, _, rule in expected} == {"exact-document"}
    assert findings(lines_of(run("check"))) == expected
    for n in range(3):   # (checking 01.txt also names its copy)
        assert own(lines_of(run("check", f"data/{n:02d}.txt")), f"data/{n:02d}.txt") == set()


def test_damage_found_in_the_middle_of_a_run_rebuilds_the_index(site):
    before = run("check", "data/09.txt").output
    assert lines_of(run("check", "data/09.txt")) == PARAGRAPH_COPY
    index = site / ".dedup_cache" / "index.sqlite"
    for offset in range(8192, index.stat().st_size, 3 * 4096):   # pages the open does not read
        with open(index, "r+b") as handle:
            handle.seek(offset + 100)
            handle.write(random.Random(offset).randbytes(300))
    result = run("check", "data/09.txt")
    assert result.output == before and "Traceback" not in result.output
    assert run("check", "data/09.txt").output == before


def test_text_the_index_cannot_decode_is_damage_and_rebuilds_it(site):
    """SQLite reports text that is not UTF-8 as an OperationalError, like a lock: this
    one is damage, so the index is rebuilt and the check answers as before."""
    import sqlite3
    before = run("check", "data/09.txt").output
    index = site / ".dedup_cache" / "index.sqlite"
    with sqlite3.connect(index) as db:
        db.execute("UPDATE docs SET sha256 = CAST(x'ff00ff' AS TEXT)")
    result = run("check", "data/09.txt")
    assert result.exit_code == 1 and result.output == before


def test_a_lock_is_not_damage_and_text_that_cannot_be_decoded_is(tmp_path):
    """What `check` tells apart, on the errors SQLite really raises."""
    import sqlite3

    from dedup.commands.check import _is_damage
    path = tmp_path / "x.sqlite"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE t (v TEXT)")
    holder.execute("INSERT INTO t VALUES (CAST(x'ff' AS TEXT))")
    holder.execute("BEGIN IMMEDIATE")
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    with pytest.raises(sqlite3.OperationalError) as locked:
        other.execute("INSERT INTO t VALUES ('y')")
    holder.execute("ROLLBACK")
    with pytest.raises(sqlite3.OperationalError) as undecodable:
        other.execute("SELECT v FROM t").fetchall()
    assert not _is_damage(locked.value) and _is_damage(undecodable.value)


@pytest.fixture
def pair(tmp_path, monkeypatch):
    """data/a.txt and data/b.txt, indexed; `edit()` then gives b.txt line 2 of a.txt in
    place of its own line of the same size (the same words backwards), keeping its mtime,
    as `cp -p` or `tar x` would; `trust()` makes the index take b.txt's stat as its own
    (a change no stat shows), to see what else makes a check read it again."""
    rng = random.Random(12)
    data = tmp_path / "data"
    data.mkdir()
    line = paragraph(rng, 30)
    backwards = " ".join(reversed(line.split()))
    (data / "a.txt").write_text(f"{paragraph(rng, 9)}\n{line}\n{paragraph(rng, 35)}\n", encoding="utf-8")
    b = data / "b.txt"
    b.write_text(f"{paragraph(rng, 9)}\n{backwards}\n{paragraph(rng, 35)}\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PRE_COMMIT", raising=False)
    assert run("check").exit_code == 0

    def edit() -> os.stat_result:
        st = b.stat()
        b.write_text(b.read_text("utf-8").replace(backwards, line), encoding="utf-8")
        os.utime(b, ns=(st.st_atime_ns, st.st_mtime_ns))
        assert b.stat().st_size == st.st_size and b.stat().st_mtime_ns == st.st_mtime_ns
        return st
    return tmp_path, edit


def trust(root: Path, name: str) -> None:
    st = (root / name).stat()
    db = sqlite3.connect(root / ".dedup_cache" / "index.sqlite")
    with db:
        assert db.execute("UPDATE docs SET ctime_ns = ? WHERE path = ?", (st.st_ctime_ns, name.encode())).rowcount == 1
    db.close()


COPIED_LINE = ["data/b.txt:2: duplicate of data/a.txt:2 (similarity 1.00) [exact-line]"]


def test_a_file_rewritten_with_its_size_and_mtime_kept_is_read_again(pair):
    root, edit = pair
    edit()
    assert lines_of(run("check", "data/b.txt")) == COPIED_LINE   # its ctime tells
    assert lines_of(run("check")) == COPIED_LINE


def test_a_file_whose_mtime_changed_is_read_again_even_at_the_same_size(pair):
    root, edit = pair
    st = edit()
    trust(root, "data/b.txt")
    assert lines_of(run("check", "data/b.txt")) == []   # same stat: the index trusts it
    os.utime(root / "data" / "b.txt", ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    assert lines_of(run("check", "data/b.txt")) == COPIED_LINE
    assert lines_of(run("check")) == COPIED_LINE


@pytest.mark.parametrize("change", ["tool version", "setting", "lexicon text"])
def test_an_index_of_another_version_settings_or_lexicon_is_rebuilt(pair, monkeypatch, change):
    """Seen through a file the index would not re-read (same size, same mtime): a
    rebuilt index reads it again."""
    root, edit = pair
    (root / "site.toml").write_text('language = "sw"\n[[rule]]\nid = "follow"\nmatch = "line"\n'
                                    'phrases = ["Tufuate kwenye mitandao"]\n', encoding="utf-8")
    (root / "pyproject.toml").write_text('[tool.dedup]\nlexicons = ["site.toml"]\n', encoding="utf-8")
    assert run("check").exit_code == 0     # a new index: a lexicon is a setting
    edit()
    trust(root, "data/b.txt")
    assert lines_of(run("check", "data/b.txt")) == []
    if change == "tool version":
        monkeypatch.setattr(dedup, "__version__", dedup.__version__ + ".post1")
        monkeypatch.setattr(cache, "__version__", dedup.__version__, raising=False)
    elif change == "setting":
        (root / "pyproject.toml").write_text('[tool.dedup]\nlexicons = ["site.toml"]\nthreshold = 0.85\n',
                                             encoding="utf-8")
    else:
        own = root / "site.toml"
        own.write_text(own.read_text("utf-8").replace('mitandao"', 'mitandao", "Tufuate sasa"'), encoding="utf-8")
    assert lines_of(run("check", "data/b.txt")) == COPIED_LINE


def test_a_key_in_many_files_links_only_the_first_16(tmp_path, monkeypatch):
    """A line of a.txt copied into 20 later files: checking a.txt sees the files that
    share it up to NEIGHBOURS_PER_KEY (16) in path order, a.txt included, so it names
    15 copies; the whole-corpus check names all 20."""
    assert cache.NEIGHBOURS_PER_KEY == 16
    rng = random.Random(13)
    data = tmp_path / "data"
    data.mkdir()
    line = paragraph(rng, 30)
    (data / "a.txt").write_text(f"{paragraph(rng, 9)}\n{line}\n{paragraph(rng, 35)}\n", encoding="utf-8")
    for n in range(20):
        (data / f"c{n:02d}.txt").write_text(f"{paragraph(rng, 9)}\n{paragraph(rng, 35)}\n{line}\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PRE_COMMIT", raising=False)
    copy = "data/c{:02d}.txt:3: duplicate of data/a.txt:2 (similarity 1.00) [exact-line]"
    assert lines_of(run("check")) == [copy.format(n) for n in range(20)]
    assert lines_of(run("check", "data/a.txt")) == [copy.format(n) for n in range(15)]
    assert lines_of(run("check", "data/c17.txt")) == [copy.format(17)]   # its original is among the first


def test_a_file_name_that_is_not_utf8_is_indexed_and_checked_like_any_other(site):
    """The index keeps paths as bytes: a name read as surrogates goes in and out
    (run as a real process: click's test runner cannot print such a name)."""
    name = b"data/\xff-copy.txt"
    (site / os.fsdecode(name)).write_bytes((site / "data" / "09.txt").read_bytes())

    def check(*args: bytes) -> list[bytes]:
        done = subprocess.run([sys.executable, "-m", "dedup", "check", *args], capture_output=True)
        assert done.returncode == 1, done.stderr
        return done.stdout.splitlines()
    found = check(name)
    assert found == check(name, b"--no-cache")
    assert any(line.startswith(name) and b"duplicate of data/09.txt" in line for line in found), found
    assert check() == check(b"--no-cache")


@pytest.mark.parametrize("seed", range(6))
def test_the_index_sums_up_each_teaser_label_as_clean_does(tmp_path, monkeypatch, seed):
    """The teaser rule's evidence for a label (first written form, documents, lines per
    document, two headlines or not), as the index works it out in SQL, equals what
    `clean` sums up from the documents: labels with one headline only, two in one
    file, interviews (many lines a file), written forms that differ, exact copies.
    And the corpus stats of the two stores are equal."""
    from dedup import corpus, stages, table
    from dedup.commands import check
    from dedup.config import Settings
    from dedup.content import content_digest
    from dedup.counts import label_evidence
    from dedup.rules.learned import asked_by, contributions, corpus_counts, corpus_stats, stats_of
    rng = random.Random(seed)
    data = tmp_path / "data"
    data.mkdir()
    labels = {   # label: its written forms, how many headlines, how many lines a file may have
        "Soma pia": (["Soma pia", "SOMA PIA", "soma pia"], 6, [0, 1, 1, 2]),
        "Habari zaidi": (["Habari zaidi"], 1, [0, 1, 1, 2, 5]),   # always the same headline
        "Kwa ufupi": (["Kwa ufupi"], 6, [0, 1]),                  # one a file: different files differ
        "Swali": (["Swali"], 6, [0, 2, 5, 6]),                    # an interview, in some seeds
        "Tazama": (["Tazama"], 2, [2]),                           # the same two headlines in every file
    }
    pools = {label: [paragraph(rng, 5).rstrip(".") for _ in range(n)] for label, (_, n, _) in labels.items()}
    for n in range(14):
        lines = [paragraph(rng, 9)]
        for label in rng.sample(sorted(labels), 2):   # (three labels in a file: a form, no evidence)
            written, _, counts = labels[label]
            for at in range(rng.choice(counts)):
                headline = pools[label][at] if label == "Tazama" else rng.choice(pools[label])
                lines.insert(rng.randint(1, len(lines)), f"{rng.choice(written)}: {headline}")
        lines += [paragraph(rng, 35) for _ in range(2)]
        (data / f"{n:02d}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for n in rng.sample(range(14), 3):   # exact copies, which count once
        (data / f"{n:02d}-copy.txt").write_text((data / f"{n:02d}.txt").read_text("utf-8"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PRE_COMMIT", raising=False)
    run("check")   # builds the index
    settings = Settings()
    sources = corpus.discover([settings.corpus], settings.include, settings.exclude).sources
    settings = stages.resolve_source(sources, settings)
    sketches, seen = [], set()
    for item in stages.sketch_batch(stages.make_context(settings), (sources, None)):
        digest = content_digest(item.sketch, settings)
        if digest not in seen:   # clean counts the documents it keeps: the first of exact copies
            seen.add(digest)
            sketches.append(item.sketch)
    evidence: dict[str, list] = {}
    for sk in sketches:   # one document at a time: the index counted them in batches
        for key, item in contributions([sk], settings)[0][1].items():
            evidence.setdefault(key, []).append(item)
    frequent = {key: docs for key, docs in evidence.items() if len(docs) >= settings.min_docs}
    assert frequent
    top, name = check.index_location(settings.corpus)
    idx = cache.Index(top, settings, name)
    try:
        assert idx.label_evidence(sorted(evidence)) == {key: label_evidence(docs) for key, docs in frequent.items()}
        memory, (keys, labels) = corpus_counts(table.of(sketches), settings)   # the two stores answer alike
        assert memory.label_evidence(labels) == idx.label_evidence(labels)
        assert memory.line_documents(keys) == idx.line_documents(keys) != {}
        assert stats_of(asked_by(sketches, settings), settings, idx) == corpus_stats(table.of(sketches), settings)   # both stores
    finally:
        idx.close()


def test_neither_store_of_the_counts_knows_a_rule():
    """counts.py's two stores (in memory, and this index) are fed and asked by the rules;
    neither imports them."""
    listed = "import sys, dedup.cache, dedup.counts; print(sorted(m for m in sys.modules if m.startswith('dedup.rules')))"
    done = subprocess.run([sys.executable, "-c", listed], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def _a_folder_where_the_index_goes(root: Path) -> None:
    (root / ".dedup_cache" / "index.sqlite").mkdir(parents=True)


def _a_file_where_the_cache_folder_goes(root: Path) -> None:
    (root / ".dedup_cache").write_text("not a folder\n")


def _a_link_to_a_corpus_folder(root: Path) -> None:
    os.symlink("data", root / ".dedup_cache")


@pytest.mark.parametrize("state, why", [
    (_a_folder_where_the_index_goes, "unable to open database file"),
    (_a_file_where_the_cache_folder_goes, ".dedup_cache: File exists"),
    (_a_link_to_a_corpus_folder, ".dedup_cache: a symlink, which dedup's own folder never is"),
])
def test_an_index_that_cannot_be_used_gives_the_answer_of_a_temporary_one(site, state, why):
    """The check answers as --no-cache does and says why it could not keep its index;
    a link never makes the folder it leads to dedup's (never read again)."""
    fresh = run("check", "--no-cache")
    state(site)
    before = sorted(os.listdir(site / "data"))
    got = run("check")
    assert got.exit_code == fresh.exit_code and lines_of(got) == lines_of(fresh) and lines_of(got)
    assert f"dedup: note: .dedup_cache/index.sqlite cannot be used ({why}); checked with a temporary index " \
           f"instead (slower)" in got.output.splitlines()
    assert sorted(os.listdir(site / "data")) == before
    assert "dedup: note" not in run("check", "-q").output
