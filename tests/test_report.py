"""report.json: round trip, summary, clear errors."""
import json

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from dedup import report
from dedup.report import ReportError


def _doc(removed):
    return {"path": "a.txt", "output": "a.txt", "status": "cleaned", "sha256": "0", "chars": 100, "lines": 5,
            "removed": removed}


SPAN = {"kind": "boilerplate", "rule": "lexicon:hi/also-read", "lines": [2, 3], "chars": [10, 30],
        "text": "ये भी पढ़ें\ud8ff\n\n", "evidence": {"pattern": "ये भी पढ़ें"}}


def test_dump_and_load_keep_undecodable_bytes(tmp_path):
    built = report.build([_doc([SPAN])], [], {"threshold": 0.8}, ["corpus"], "out", "write")
    path = tmp_path / "report.json"
    path.write_bytes(report.dumps(built))
    raw = path.read_text("utf-8")                    # valid UTF-8 ...
    assert "ये भी पढ़ें" in raw and "\\ud8ff" in raw    # ... readable, with the bad byte escaped
    assert report.load(path) == built


def test_a_document_per_line_and_a_span_per_line_in_pieces(monkeypatch):
    """So that two reports diff by document and removal; written in pieces, and the
    pieces are the whole report (nothing held back, nothing cut in a string)."""
    other = {**SPAN, "lines": [4, 4], "text": "x\n"}
    built = report.build([_doc([SPAN, other]), _doc([]), {**_doc([]), "path": "b\udcff.txt"}], [],
                         {"threshold": 0.8}, ["corpus"], "out", "write")
    pieces = list(report.chunks(built))
    assert len(pieces) > 5 and all(isinstance(p, bytes) for p in pieces)
    text = b"".join(pieces).decode("utf-8")
    assert json.loads(text) == json.loads(report.dumps(built).decode("utf-8"))
    lines = text.splitlines()
    start = lines.index(' "documents": [')
    assert lines[start + 1].startswith('  {"path": "a.txt"') and lines[start + 1].endswith('"removed": [')
    assert json.loads(lines[start + 2].rstrip(",")) == SPAN and "\\ud8ff" in lines[start + 2]
    assert json.loads(lines[start + 3]) == other and lines[start + 4] == "  ]},"
    assert json.loads(lines[start + 5].rstrip(",")) == _doc([])
    assert "\\udcff" in lines[start + 6] and lines[start + 7] in (" ]", " ],")


def test_summary_counts_by_kind_and_rule():
    s = report.summarize([_doc([SPAN]), _doc([])], [{"path": "x", "reason": "empty file"}])
    assert s["documents"] == 2 and s["skipped"] == 1 and s["chars_removed"] == 20 and s["lines_removed"] == 2
    assert s["by_kind"]["boilerplate"] == {"spans": 1, "chars": 20}
    assert s["by_rule"] == {"lexicon:hi/also-read": {"spans": 1, "chars": 20}}


@pytest.mark.parametrize("content, message", [
    (b"{not json", "not a JSON report"),
    (json.dumps({"format": "other"}).encode(), "not a dedup report"),
    (json.dumps({"format": "dedup-report", "format_version": 99}).encode(), "version 99 is not supported"),
    (json.dumps({"format": "dedup-report", "format_version": "1"}).encode(), "version '1' is not supported"),
    (json.dumps({"format": report.FORMAT, "format_version": report.FORMAT_VERSION, "settings": None}).encode(),
     "its settings is NoneType, not dict"),
    (json.dumps({"format": report.FORMAT, "format_version": report.FORMAT_VERSION, "inputs": "corpus"}).encode(),
     "its inputs is str, not list"),
    (b'{"format": "dedup-report", "x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "nested too deeply"),
])
def test_load_rejects_bad_reports(tmp_path, content, message):
    path = tmp_path / "r.json"
    path.write_bytes(content)
    with pytest.raises(ReportError, match=message):
        report.load(path)
    with pytest.raises(ReportError, match="cannot read"):
        report.load(tmp_path / "missing.json")


_texts = st.text(st.characters(blacklist_categories=("Cs",)) | st.sampled_from(["\udcff", "\n", "\"", "<"]),
                 max_size=12)
_spans = st.builds(lambda kind, text, n: {"kind": kind, "rule": f"rule-{n}", "lines": [n, n + 1],
                                         "chars": [n, n + len(text)], "text": text, "evidence": {"documents": n}},
                   st.sampled_from(report.KINDS), _texts, st.integers(1, 9))
_documents = st.builds(lambda path, status, removed, chars: {"path": path, "status": status, "sha256": "0",
                                                             "chars": chars, "lines": 3, "removed": removed},
                       _texts, st.sampled_from(["kept", "cleaned", "removed"]), st.lists(_spans, max_size=3),
                       st.integers(0, 99))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(documents=st.lists(_documents, max_size=7), cuts=st.lists(st.integers(0, 7), max_size=4))
def test_report_joined_from_parts_is_the_report_itself(tmp_path, documents, cuts):
    """The write stage writes each batch's documents to a part of their own and the run
    joins them: the same bytes as the whole report written at once, for any cut of the
    documents into parts (empty ones included); each part gives its documents back, and
    the batches' tallies add up to the summary."""
    whole = report.build(documents, [{"path": "x", "reason": "empty"}], {"threshold": 0.8}, ["c"], "out", "write")
    bounds = [0] + sorted(min(c, len(documents)) for c in cuts) + [len(documents)]
    parts, tally = [], report.Tally()
    for n, (lo, hi) in enumerate(zip(bounds, bounds[1:])):
        data, offsets = report.document_lines(documents[lo:hi])
        parts.append(tmp_path / f"{n}.json")
        parts[-1].write_bytes(data)
        assert [report.entry(data[a:b]) for a, b in zip(offsets, offsets[1:])] == documents[lo:hi]
        tally += report.Tally(documents[lo:hi])
    assert b"".join(report.chunks(whole, parts)) == report.dumps(whole)
    assert tally.summary(1) == whole["summary"]


def _edited(tmp_path, edit):
    """The seeds' report, cleaned by a real run, edited by hand as `edit` does."""
    import shutil
    from click.testing import CliRunner
    from dedup.cli import main
    from .conftest import SEEDS
    corpus = tmp_path / "in"
    shutil.copytree(SEEDS, corpus)
    assert CliRunner().invoke(main, ["clean", str(corpus), "-o", str(tmp_path / "out"), "-q"]).exit_code == 0
    data = json.loads((tmp_path / "out" / "report.json").read_text("utf-8"))
    edit(data)
    (tmp_path / "edited.json").write_text(json.dumps(data), "utf-8")
    return tmp_path / "edited.json"


def _set(path: list, value):
    def edit(data):
        at = data
        for key in path[:-1]:
            at = at[key]
        at[path[-1]] = value
    return edit


@pytest.mark.parametrize("edit, why", [
    (_set(["documents", 0, "path"], None), "document 1 has a path of type NoneType"),
    (_set(["documents", 1, "path"], 5), "document 2 has a path of type int"),
    (_set(["documents", 0], "a string"), "document 1 is str, not an object"),
    (_set(["documents", 0, "removed", 0, "chars"], ["0", 3]), "document 1 has a removal of the wrong shape"),
    (_set(["documents", 0, "removed", 0, "text"], None), "document 1 has a removal of the wrong shape"),
    (_set(["documents", 0, "sha256"], 7), "document 1 has a sha256 of type int"),
    (_set(["documents", 0, "unexamined_lines"], 5), "document 1 has unexamined_lines that are not a list of line "
                                                    "numbers"),
    (_set(["documents", 0, "chars"], 12.5), "document 1 has a chars of type float, not a whole number"),
    (_set(["documents", 0, "removed", 0, "evidence", "original"], {"path": 5, "lines": "x"}),
     "document 1 has a removal whose evidence's original is not a path (and lines)"),
    (_set(["documents", 0, "removed", 0, "evidence", "matched"], {"path": "a.txt", "lines": [1]}),
     "document 1 has a removal whose evidence's matched is not a path (and lines)"),
])
def test_a_hand_edited_report_of_the_wrong_shape_is_one_line(tmp_path, edit, why):
    path = _edited(tmp_path, edit)
    with pytest.raises(ReportError) as err:
        report.load(path)
    assert str(err.value) == f"{path}: not a report as dedup writes it: {why}"


def test_a_report_whose_evidence_was_edited_into_another_type_draws_no_page(tmp_path):
    import subprocess
    import sys

    def original_as_text(data):
        for doc in data["documents"]:
            for removal in doc["removed"]:
                if "original" in removal["evidence"]:
                    removal["evidence"]["original"] = "just a string"
    path = _edited(tmp_path, original_as_text)
    done = subprocess.run([sys.executable, "-m", "dedup", "report", str(path), "-o", str(tmp_path / "page.html")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and done.stderr.startswith(f"dedup: error: {path}: not a report as dedup writes it")
    assert done.stderr.count("\n") == 1 and not (tmp_path / "page.html").exists()
