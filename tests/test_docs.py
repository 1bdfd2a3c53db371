"""The shipped documentation speaks to users: no words about how dedup is developed in
README, docs/, benchmarks/README.md, the lexicon guide or any `--help`, links that lead
somewhere, and a README short enough to read."""
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from dedup.cli import main

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", ROOT / "benchmarks" / "README.md", ROOT / "dedup" / "lexicon" / "README.md",
         *sorted((ROOT / "docs").glob("*.md"))]

# Development vocabulary: units of work, tickets, and one version of the code measured
# against another. Measurement history belongs in git.
DEVELOPMENT = re.compile(r"""
    \b(this|that|the\ previous|previous|last|next|each|every)\ stop\b
  | \bstops?\ \d+
  | \bsession\b
  | \b(issue|ticket|PR)\ ?\#?\d+
  | \b(this|the\ previous|previous|the\ old|the\ new|old|new)\ code\b
  | \bthe\ code\ (before|after)\b
  | \b(before|after)\ this\ change\b
  | \bprevious(ly)?\ (figures?|measured|run\ of\ the\ code)\b
  | \b(target|targets)\b.{0,40}\bnot\ met\b
  | \bwe\ (changed|fixed|tried|rewrote)\b
""", re.IGNORECASE | re.VERBOSE)


def _help_texts() -> dict[str, str]:
    runner = CliRunner()
    texts = {"dedup": runner.invoke(main, ["--help"]).output}
    for name in main.commands:
        texts[f"dedup {name}"] = runner.invoke(main, [name, "--help"]).output
    return texts


def test_the_vocabulary_check_catches_development_narration():
    for sentence in ["measured this stop", "see issue 8", "as in issue #12", "the previous code took 3 s",
                     "this code against the previous stop's", "the target of 0.4 s is not met", "in this session"]:
        assert DEVELOPMENT.search(sentence), sentence
    for sentence in ["the run stops at once", "exit code 2", "a stop word list", "the issue tracker of datasketch"]:
        assert not DEVELOPMENT.search(sentence), sentence


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_documentation_pages_never_narrate_development(page):
    text = page.read_text("utf-8")
    found = [(n, m.group(0)) for n, line in enumerate(text.splitlines(), 1) for m in DEVELOPMENT.finditer(line)]
    assert found == []


def test_help_never_narrates_development():
    for command, text in _help_texts().items():
        assert text.startswith("Usage:"), command
        assert DEVELOPMENT.search(text) is None, (command, DEVELOPMENT.search(text).group(0))


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_relative_links_lead_to_files(page):
    text = page.read_text("utf-8")
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"[a-z]+:", target) or target.startswith("#"):
            continue
        path = (page.parent / target.split("#")[0]).resolve()
        assert path.exists(), f"{page.name}: {target}"


def test_the_readme_opens_with_the_two_commands_and_stays_short():
    text = (ROOT / "README.md").read_text("utf-8")
    assert len(text.splitlines()) <= 200
    first_block = text.split("```sh\n", 1)[1].split("```", 1)[0].splitlines()
    assert first_block[0].startswith("pip install -e . && dedup clean seeds/")
    assert first_block[1].startswith("pip install -e '.[test]' && python -m pytest -q")
    ci = (ROOT / ".ci" / "run").read_text("utf-8")
    assert "python -m pytest -q" in ci and "pip install --quiet -e '.[test]'" in ci
