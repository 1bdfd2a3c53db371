"""The index behind `dedup check`: per-file verdicts against it equal `clean`'s on the
whole corpus, its counts follow edits, and two hooks can build it at once."""
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from .test_check import lines_of
from .test_classify import paragraph
from .test_cli import report_of, run


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


@pytest.fixture
def site(tmp_path, monkeypatch):
    site_corpus(tmp_path, random.Random(5), footer_in=range(0, 12, 2))
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PRE_COMMIT", raising=False)
    return tmp_path


def test_each_file_checked_alone_gets_the_verdicts_of_clean(site):
    expected = clean_findings(site)
    rules = {rule for _, _, rule in expected}
    assert {"frequent-line", "teaser-template", "exact-paragraph", "near-line"} <= rules
    assert findings(lines_of(run("check"))) == expected
    for path in sorted(p.relative_to(site).as_posix() for p in (site / "data").glob("*.txt")):
        assert own(lines_of(run("check", path)), path) == {f for f in expected if f[0] == path}, path


def test_counts_follow_edits_as_a_fresh_index_would(site):
    assert run("check").exit_code == 1           # builds the index
    for n in (0, 2, 4):                          # the footer in 3 documents only: no longer boilerplate
        path = site / "data" / f"{n:02d}.txt"
        path.write_text(path.read_text("utf-8").replace("\nFuata habari zetu kila siku\n", ""), encoding="utf-8")
    warm = lines_of(run("check", "data/06.txt"))
    assert not any("frequent-line" in ln for ln in warm)
    assert warm == lines_of(run("check", "data/06.txt", "--no-cache"))
    for n in (1, 3):                             # and in 5 again
        path = site / "data" / f"{n:02d}.txt"
        path.write_text(path.read_text("utf-8") + "\nFuata habari zetu kila siku\n", encoding="utf-8")
    warm = lines_of(run("check", "data/06.txt"))
    assert any("[frequent-line]" in ln for ln in warm)
    assert warm == lines_of(run("check", "data/06.txt", "--no-cache"))
    assert findings(lines_of(run("check"))) == clean_findings(site)


def test_a_removed_file_leaves_the_index(site):
    assert run("check").exit_code == 1
    os.unlink(site / "data" / "02.txt")   # held the first copy of the shared paragraph
    result = lines_of(run("check", "data/09.txt"))
    assert not any("exact-paragraph" in ln for ln in result)
    assert result == lines_of(run("check", "data/09.txt", "--no-cache"))


def test_two_hooks_building_the_index_at_once(site):
    command = [sys.executable, "-m", "dedup", "check", "data/09.txt", "data/10.txt"]
    env = {**os.environ, "PRE_COMMIT": "1"}
    runs = [subprocess.Popen(command, cwd=site, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(2)]
    outputs = [p.communicate(timeout=120) for p in runs]
    for p, (out, err) in zip(runs, outputs):
        assert p.returncode == 1 and err == "", err
    assert outputs[0][0] == outputs[1][0] and "data/09.txt" in outputs[0][0]
    assert outputs[0][0] == subprocess.run(command, cwd=site, env=env, capture_output=True, text=True).stdout


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
    index = site / ".dedup_cache" / "index.sqlite"
    for offset in range(8192, index.stat().st_size, 3 * 4096):   # pages the open does not read
        with open(index, "r+b") as handle:
            handle.seek(offset + 100)
            handle.write(random.Random(offset).randbytes(300))
    result = run("check", "data/09.txt")
    assert result.output == before and "Traceback" not in result.output
    assert run("check", "data/09.txt").output == before
