"""Verdicts from the review page, honoured by later runs: a removal judged wrong is not
made again wherever its text recurs, overrides turn a line, a rule in a source or a
lexicon pattern off, what they keep is in the report, and a bad file is one line."""
import json
from pathlib import Path

import pytest

import dedup
from dedup import verdicts
from dedup.rules.findings import Decision, Finding

from .test_html import clean, run
from .test_sample import corpus_of_many_removals

REPORT_ID = "0123456789abcdef"


def write_verdicts(path: Path, judged=(), overrides=(), **top) -> Path:
    data = {"format": "dedup-verdicts", "format_version": 1, "report_id": REPORT_ID,
            "verdicts": list(judged), "overrides": list(overrides), **top}
    path.write_text(json.dumps(data), "utf-8")
    return path


def removals_of(report: dict, rule: str) -> list[tuple[str, str]]:
    return [(d["path"], r["text"]) for d in report["documents"] for r in d["removed"] if r["rule"] == rule]


@pytest.fixture(scope="module")
def first_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("verdicts")
    corpus = corpus_of_many_removals(root / "corpus")
    return corpus, clean(corpus, root / "out")


def test_text_hash_names_the_same_words_whatever_the_case_punctuation_and_blank_lines():
    assert verdicts.text_hash("\nSubscribe to the newsletter!\n") == verdicts.text_hash("subscribe TO the newsletter")
    assert verdicts.text_hash("Subscribe to the newsletter") != verdicts.text_hash("Subscribe to our newsletter")
    assert verdicts.text_hash("-----") == verdicts.text_hash("  -----\n") != verdicts.text_hash("=====")


def test_a_removal_judged_wrong_stays_wherever_it_recurs_and_the_rest_still_goes(tmp_path, first_run):
    corpus, report = first_run
    frequent = removals_of(report, "frequent-line")
    valley = [(path, text) for path, text in frequent if "valley" in text]
    harbour = [(path, text) for path, text in frequent if "harbour" in text]
    assert len(valley) == len(harbour) == 30
    judged = {"document": valley[0][0], "rule": "frequent-line", "verdict": "wrong",
              "text_hash": verdicts.text_hash(valley[0][1])}
    right = {"document": harbour[0][0], "rule": "frequent-line", "verdict": "right",
             "text_hash": verdicts.text_hash(harbour[0][1])}
    file = write_verdicts(tmp_path / "verdicts.json", [judged, right])
    again = clean(corpus, tmp_path / "out", "--verdicts", file)
    assert removals_of(again, "frequent-line") == harbour               # the valley line stays in all 30
    for rule in ("lexicon:en/share", "lexicon:en/also-read", "exact-line"):
        assert removals_of(again, rule) == removals_of(report, rule)    # nothing else changes
    kept = [(d["path"], k) for d in again["documents"] for k in d.get("kept_by_verdict", [])]
    assert [(path, k["text"]) for path, k in kept] == [(path, text.lstrip("\n")) for path, text in valley]
    assert all(k["by"] == {"verdict": "wrong", "rule": "frequent-line", "text_hash": judged["text_hash"],
                           "judged": valley[0][0]} for _, k in kept)
    output = {json.loads(line)["url"]: json.loads(line)["text"]
              for line in (tmp_path / "out" / "c.jsonl").read_text("utf-8").splitlines()}
    assert sum("Subscribe to the valley newsletter" in text for text in output.values()) == 30
    section = again["verdicts"]
    assert section["file"] == str(file) and section["judged"] == 2 and section["kept"] == 30
    typed = [k for d in dedup.load_report(tmp_path / "out" / "report.json").documents for k in d.kept_by_verdict]
    assert [(k.removal.rule, k.removal.text, k.by["verdict"]) for k in typed] == [
        ("frequent-line", text.lstrip("\n"), "wrong") for _, text in valley]
    assert section["applied"] == [{**judged, "kept": 30}] and section["not_found"] == []
    result = run("restore", tmp_path / "out" / "report.json", "--to", tmp_path / "restored")
    assert result.exit_code == 0, result.output                        # the report still restores the corpus
    assert (tmp_path / "restored" / "c.jsonl").read_bytes() == (corpus / "c.jsonl").read_bytes()


def test_overrides_keep_a_line_everywhere_turn_a_rule_off_in_a_source_and_a_pattern_off(tmp_path, first_run):
    corpus, report = first_run
    copied = removals_of(report, "exact-line")[0][1]
    file = write_verdicts(tmp_path / "verdicts.json", overrides=[
        {"keep_line": verdicts.text_hash(copied), "text": copied},
        {"rule_off": "frequent-line", "source": "harbour.example"},
        {"pattern_off": "lexicon:en/share", "pattern": "Share this article"},
        {"pattern_off": "lexicon:en/share", "pattern": "no such pattern"}])
    again = clean(corpus, tmp_path / "out", "--verdicts", file)
    assert [text for _, text in removals_of(again, "exact-line")] == [
        text for _, text in removals_of(report, "exact-line") if verdicts.text_hash(text) != verdicts.text_hash(copied)]
    assert all("valley" in text for _, text in removals_of(again, "frequent-line"))
    assert removals_of(again, "frequent-line") and not removals_of(again, "lexicon:en/share")
    assert removals_of(again, "lexicon:en/also-read") == removals_of(report, "lexicon:en/also-read")
    section = again["verdicts"]
    assert {json.dumps(a, sort_keys=True): a["kept"] for a in section["applied"]} == {
        json.dumps({"keep_line": verdicts.text_hash(copied), "text": copied, "kept": 1}, sort_keys=True): 1,
        json.dumps({"rule_off": "frequent-line", "source": "harbour.example", "kept": 30}, sort_keys=True): 30,
        json.dumps({"pattern_off": "lexicon:en/share", "pattern": "Share this article", "kept": 60}, sort_keys=True): 60}
    assert section["not_found"] == [{"pattern_off": "lexicon:en/share", "pattern": "no such pattern", "kept": 0}]


def test_a_verdict_on_text_no_longer_there_is_reported_not_an_error(tmp_path, first_run):
    corpus, _ = first_run
    gone = {"document": "c.jsonl:99", "rule": "frequent-line", "verdict": "wrong",
            "text_hash": verdicts.text_hash("a line this corpus never had")}
    again = clean(corpus, tmp_path / "out", "--verdicts", write_verdicts(tmp_path / "v.json", [gone]))
    assert again["verdicts"]["not_found"] == [{**gone, "kept": 0}] and again["verdicts"]["kept"] == 0


def test_a_paragraph_removed_by_one_finding_is_kept_whole_when_a_line_of_it_is_judged_wrong():
    text = "Title\nfirst line of the quoted paragraph\nsecond line of it\n\nown text\n"
    quoted = Finding("duplicate", "exact-paragraph", {"original": {"path": "a.txt", "lines": [3, 4]}})
    other = Finding("boilerplate", "frequent-line", {"documents": 9})
    judged = verdicts.Verdicts("v.json", REPORT_ID, 1, wrong={
        ("exact-paragraph", verdicts.text_hash("second line of it")): {"document": "b.txt"}})
    decision, kept = verdicts.apply(judged, text, Decision(None, {1: quoted, 2: quoted, 4: other}))
    assert decision.lines == {4: other}
    assert [(k["lines"], k["text"]) for k in kept] == [([2, 3], "first line of the quoted paragraph\nsecond line of it\n")]
    whole = Finding("duplicate", "exact-document", {"original": {"path": "a.txt"}})
    judged = verdicts.Verdicts("v.json", REPORT_ID, 1, wrong={("exact-document", verdicts.text_hash(text)): {"document": "b"}})
    decision, kept = verdicts.apply(judged, text, Decision(whole, {}))
    assert decision.document is None and kept[0]["lines"] == [1, 5] and kept[0]["chars"] == [0, len(text)]


@pytest.mark.parametrize("content, message", [
    ("{not json", "broken JSON"),
    (json.dumps({"format": "dedup-report", "format_version": 1}), "not a verdicts file (it is a dedup-report)"),
    (json.dumps({"format": "dedup-verdicts", "format_version": 2, "report_id": REPORT_ID}), "format version 2"),
    (json.dumps({"format": "dedup-verdicts", "format_version": 1, "report_id": "out/report.json"}),
     "is not the id of a dedup report"),
    (json.dumps({"format": "dedup-verdicts", "format_version": 1, "report_id": REPORT_ID, "extra": 1}),
     "unknown field 'extra'"),
    (json.dumps({"format": "dedup-verdicts", "format_version": 1, "report_id": REPORT_ID,
                 "verdicts": [{"document": "a", "rule": "r", "text_hash": "h", "verdict": "maybe"}]}),
     "verdict 1: verdict must be right or wrong"),
    (json.dumps({"format": "dedup-verdicts", "format_version": 1, "report_id": REPORT_ID,
                 "overrides": [{"turn_off": "r"}]}), "override 1 is none of keep_line, rule_off, pattern_off"),
    (json.dumps({"format": "dedup-verdicts", "format_version": 1, "report_id": "z" * 1_000_000}),
     "report_id 'zzzzz"),
    (json.dumps({"format": "dedup-verdicts", "format_version": 1, "report_id": REPORT_ID,
                 "verdicts": [{"document": "a", "rule": "r", "text_hash": ["h"] * 100_000, "verdict": "wrong"}]}),
     "text_hash must be a string, not ['h', 'h'"),
])
@pytest.mark.parametrize("command", ["clean", "check"])
def test_a_bad_verdicts_file_is_one_line_and_exit_2(tmp_path, first_run, content, message, command):
    corpus, _ = first_run
    (tmp_path / "bad.json").write_text(content, "utf-8")
    if command == "clean":
        result = run("clean", corpus, "-o", tmp_path / "out", "-q", "--verdicts", tmp_path / "bad.json")
    else:
        result = run("check", "--corpus", corpus, "--no-cache", "-q", "--verdicts", tmp_path / "bad.json")
    assert result.exit_code == 2 and message in result.output and len(result.output.strip().splitlines()) == 1
    assert len(result.output) < 300   # a value of megabytes is quoted cut short
    assert not (tmp_path / "out").exists()


def test_check_honours_the_verdicts_file_from_the_option_or_the_config(tmp_path, first_run):
    """The records as text files, a folder per site, as a corpus repository holds them."""
    records, report = first_run
    corpus = tmp_path / "corpus"
    for n, line in enumerate((records / "c.jsonl").read_text("utf-8").splitlines()):
        row = json.loads(line)
        site = corpus / row["url"].split("/")[2].split(".")[0]
        site.mkdir(parents=True, exist_ok=True)
        (site / f"{n:02d}.txt").write_text(row["text"], "utf-8")
    valley = next(text for _, text in removals_of(report, "frequent-line") if "valley" in text)
    file = write_verdicts(tmp_path / "verdicts.json", [{"document": "c.jsonl:1", "rule": "frequent-line",
                                                        "verdict": "wrong", "text_hash": verdicts.text_hash(valley)}])

    def findings(*options) -> list[dict]:
        result = run("check", "--corpus", corpus, "--no-cache", "--format", "json", "-q", *options, cwd=tmp_path)
        assert result.exit_code == 1, result.output
        return [p for p in json.loads(result.output) if p["rule"] == "frequent-line"]
    before = findings()
    assert len(before) == 60
    after = findings("--verdicts", file)
    assert len(after) == 30 and all("/harbour/" in p["path"] for p in after)
    (tmp_path / "setup.cfg").write_text(f"[dedup]\nverdicts = {file.name}\n", "utf-8")
    assert findings() == after
