"""The golden corpus (tests/golden/corpus/, made by tests/golden/make_corpus.py): 29 documents
in six languages where every rule fires. Its whole expected report (every decision, span and
piece of evidence, the summary and the skipped files) is a fixture, so any change to any
decision shows up here as a diff to read. Updating it is deliberate:
`python -m pytest tests/test_golden.py --update-golden`."""
import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from dedup import sketch
from dedup.cli import main
from dedup.plan import rebuild

GOLDEN = Path(__file__).resolve().parent / "golden"
EXPECTED = GOLDEN / "expected-report.json"
RULES = {"exact-document", "near-document", "exact-paragraph", "near-paragraph", "exact-line", "near-line",
         "frequent-line", "teaser-template", "repeated-in-document", "template-shape", "site-affix"}


def _clean(tmp_path) -> tuple[dict, Path]:
    old = os.getcwd()
    os.chdir(GOLDEN)
    try:
        result = CliRunner().invoke(main, ["clean", "corpus", "-o", str(tmp_path / "out"), "-q"],
                                    catch_exceptions=False)
    finally:
        os.chdir(old)
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "out" / "report.json").read_text("utf-8"))
    return report, tmp_path / "out"


def _comparable(report: dict) -> dict:
    """All of the report but where this run wrote it."""
    return {k: v for k, v in report.items() if k != "output"}


@pytest.mark.parametrize("path", ["reference", "compiled"])
def test_the_golden_corpus_gives_the_expected_report(tmp_path, request, monkeypatch, path):
    """On both sketching paths: the reference code and the compiled kernel."""
    monkeypatch.setattr(sketch, "COMPILED_CHARS", 0 if path == "compiled" else 10**15)
    report, _ = _clean(tmp_path)
    if request.config.getoption("--update-golden") and path == "reference":
        EXPECTED.write_text(json.dumps(_comparable(report), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    expected = json.loads(EXPECTED.read_text("utf-8"))
    assert _comparable(report) == expected


def test_the_golden_corpus_exercises_every_rule_and_every_status():
    """So that the fixture above pins each of them (checked on the fixture itself)."""
    expected = json.loads(EXPECTED.read_text("utf-8"))
    rules = set(expected["summary"]["by_rule"])
    assert RULES <= rules
    assert {r.split("/")[0] for r in rules if r.startswith("lexicon:")} >= {"lexicon:en", "lexicon:hi", "lexicon:ur",
                                                                             "lexicon:ar"}
    assert {d["status"] for d in expected["documents"]} == {"kept", "cleaned", "removed"}
    assert {s["reason"].split(":")[0].split(" (")[0] for s in expected["skipped"]} == {
        "empty file", "binary file", "not UTF-8"}


def test_every_golden_original_is_rebuilt_from_its_output_and_the_report(tmp_path):
    report, out = _clean(tmp_path)
    for doc in report["documents"]:
        cleaned = (out / doc["output"]).read_bytes().decode("utf-8") if doc["output"] else ""
        assert rebuild(cleaned, doc["removed"]).encode("utf-8") == (GOLDEN / doc["path"]).read_bytes()
