"""JSONL and Parquet corpora, end to end: the golden corpus's 29 documents as rows give
exactly the decisions they get as files, outputs keep format, compression, row order and
every other field, bad rows are copied through and listed, broken files are one line."""
import gzip
import json
import os
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from hypothesis import given, settings as hsettings, strategies as st

from dedup import html, records, stages
from dedup.cli import main

GOLDEN = Path(__file__).resolve().parent / "golden" / "corpus"


def golden_texts() -> list[tuple[str, str]]:
    """(path as the text run reports it, text) of the golden corpus's readable documents."""
    out = []
    for path in sorted(GOLDEN.rglob("*")):
        if path.is_file():
            try:
                text = path.read_bytes().decode("utf-8")
            except UnicodeDecodeError:
                continue
            if text and "\0" not in text:
                out.append(("corpus/" + path.relative_to(GOLDEN).as_posix(), text))
    return out


def golden_rows() -> list[dict]:
    return [{"id": f"doc-{n}", "url": f"https://{path.split('/')[1]}/{n}", "text": text, "n": n,
             "score": n / 7, "tags": [path.split("/")[1]], "meta": {"from": path}}
            for n, (path, text) in enumerate(golden_texts(), 1)]


def write_jsonl(path: Path, lines: list[str], compression: str | None = None) -> None:
    data = "".join(line + "\n" for line in lines).encode("utf-8")
    if compression == "gzip":
        data = gzip.compress(data)
    elif compression == "zstd":
        with pa.CompressedOutputStream(str(path), "zstd") as out:
            out.write(data)
        return
    path.write_bytes(data)


def read_jsonl(path: Path) -> list[str]:
    if path.name.endswith(".gz"):
        data = gzip.decompress(path.read_bytes())
    elif path.name.endswith(".zst"):
        with pa.CompressedInputStream(pa.OSFile(str(path)), "zstd") as src:
            data = src.read()
    else:
        data = path.read_bytes()
    return data.decode("utf-8").splitlines()


def clean(args: list[str], cwd: Path):
    old = os.getcwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(main, ["clean", *args, "-q"], catch_exceptions=False)
    finally:
        os.chdir(old)


def decisions(report: dict, names: dict[str, str]) -> list:
    """Every document's status and removals, with paths renamed by `names`."""
    def rename(value):
        if isinstance(value, dict):
            return {k: names.get(v, v) if k == "path" else rename(v) for k, v in value.items()}
        if isinstance(value, list):
            return [rename(v) for v in value]
        return value
    return [(names.get(d["path"], d["path"]), d["status"], d["sha256"], d["lines"], rename(d["removed"]))
            for d in report["documents"]]


@pytest.fixture(scope="module")
def text_run(tmp_path_factory):
    """The golden corpus cleaned as text files."""
    out = tmp_path_factory.mktemp("text") / "out"
    result = clean(["corpus", "-o", str(out)], GOLDEN.parent)
    assert result.exit_code == 0, result.output
    return json.loads((out / "report.json").read_text("utf-8")), out


@pytest.mark.parametrize("name,compression", [("data.jsonl", None), ("data.jsonl.gz", "gzip"),
                                              ("data.jsonl.zst", "zstd")])
def test_golden_corpus_as_jsonl_rows_gets_the_decisions_it_gets_as_files(tmp_path, text_run, name, compression):
    text_report, text_out = text_run
    rows = golden_rows()
    lines = [json.dumps(r, ensure_ascii=n % 2 == 0) for n, r in enumerate(rows)]
    write_jsonl(tmp_path / name, lines, compression)
    result = clean([name, "-o", "out", "--id-field", "id"], tmp_path)
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "out" / "report.json").read_text("utf-8"))
    names = {f"{name}:{n}": path for n, (path, _) in enumerate(golden_texts(), 1)}
    assert decisions(report, names) == decisions(text_report, {})
    assert [d["id"] for d in report["documents"]] == [r["id"] for r in rows]
    assert {d["row"] for d in report["documents"]} == set(range(1, len(rows) + 1))

    # the output: same compression, rows in order, removed rows gone, text as the files' cleaned text,
    # and every other byte of a kept line as it was
    out_lines = read_jsonl(tmp_path / "out" / name)
    by_path = {d["path"]: d for d in text_report["documents"]}
    expected = [(line, row) for line, row in zip(lines, rows) if by_path[row["meta"]["from"]]["status"] != "removed"]
    assert len(out_lines) == len(expected)
    for got, (line, row) in zip(out_lines, expected):
        cleaned = (text_out / row["meta"]["from"].removeprefix("corpus/")).read_bytes().decode("utf-8")
        assert json.loads(got) == {**row, "text": cleaned}
        start, stop = records._value_span(line, "text")
        assert got.startswith(line[:start]) and got.endswith(line[stop:])


IDS = [{"a": 1, "b": "é"}, [1, 2], 1.5, None, True, 7, "x-7"]


def test_a_record_id_that_is_not_a_string_is_named_by_its_json_text(tmp_path):
    rows = [{"id": ident, "text": f"Document number {n} about its own subject {n * 7}."} for n, ident in enumerate(IDS)]
    (tmp_path / "data.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), "utf-8")
    assert clean(["data.jsonl", "-o", "out", "--id-field", "id"], tmp_path).exit_code == 0
    report = json.loads((tmp_path / "out" / "report.json").read_text("utf-8"))
    assert [d["id"] for d in report["documents"]] == ['{"a": 1, "b": "é"}', "[1, 2]", "1.5", None, "true", "7", "x-7"]


def test_a_parquet_id_column_of_lists_or_dates_is_named_by_its_text(tmp_path):
    import datetime
    days = [datetime.date(2020, 1, n) for n in (1, 2)]
    table = pa.table({"id": pa.array([[1, 2], None], pa.list_(pa.int64())), "day": pa.array(days),
                      "text": ["The first document's own words.", "The second one, with other words."]})
    pq.write_table(table, tmp_path / "data.parquet")
    for field, expected in (("id", ["[1, 2]", None]), ("day", ["2020-01-01", "2020-01-02"])):
        assert clean(["data.parquet", "-o", field, "--id-field", field], tmp_path).exit_code == 0
        report = json.loads((tmp_path / field / "report.json").read_text("utf-8"))
        assert [d["id"] for d in report["documents"]] == expected


def test_golden_corpus_as_parquet_keeps_the_schema_and_every_other_column(tmp_path, text_run):
    text_report, text_out = text_run
    rows = golden_rows()
    schema = pa.schema([("id", pa.string()), ("url", pa.string()), ("text", pa.large_string()), ("n", pa.int16()), ("score", pa.float32()),
                        ("tags", pa.list_(pa.string()))], metadata={b"origin": b"test"})
    table = pa.Table.from_pylist([{k: r[k] for k in schema.names} for r in rows], schema=schema)
    pq.write_table(table, tmp_path / "data.parquet", row_group_size=5, compression="zstd")
    result = clean(["data.parquet", "-o", "out", "--id-field", "id"], tmp_path)
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "out" / "report.json").read_text("utf-8"))
    names = {f"data.parquet:{n}": path for n, (path, _) in enumerate(golden_texts(), 1)}
    assert decisions(report, names) == decisions(text_report, {})

    out = pq.ParquetFile(tmp_path / "out" / "data.parquet")
    assert out.schema_arrow.equals(pq.ParquetFile(tmp_path / "data.parquet").schema_arrow, check_metadata=True)
    assert out.schema_arrow.field("n").type == pa.int16() and out.schema_arrow.metadata[b"origin"] == b"test"
    assert out.metadata.row_group(0).column(0).compression == "ZSTD"
    got = out.read().to_pylist()
    by_path = {d["path"]: d for d in text_report["documents"]}
    kept = [(row, path) for row, (path, _) in zip(rows, golden_texts()) if by_path[path]["status"] != "removed"]
    assert len(got) == len(kept)
    for got_row, (row, path) in zip(got, kept):
        cleaned = (text_out / path.removeprefix("corpus/")).read_bytes().decode("utf-8")
        assert got_row["text"] == cleaned
        assert {k: got_row[k] for k in ("id", "url", "n", "tags")} == {k: row[k] for k in ("id", "url", "n", "tags")}
        assert got_row["score"] == pytest.approx(row["score"], rel=1e-6)


def test_rows_sketched_in_small_chunks_give_the_same_report(tmp_path, monkeypatch):
    """Chunking of a record file (how many rows are sketched and spilled together) changes nothing."""
    write_jsonl(tmp_path / "data.jsonl", [json.dumps(r) for r in golden_rows()])
    assert clean(["data.jsonl", "-o", "a"], tmp_path).exit_code == 0
    monkeypatch.setattr(stages, "RECORD_CHUNK", 1)
    assert clean(["data.jsonl", "-o", "b"], tmp_path).exit_code == 0
    a, b = (json.loads((tmp_path / o / "report.json").read_text("utf-8")) for o in "ab")
    assert decisions(a, {}) == decisions(b, {})
    assert (tmp_path / "a" / "data.jsonl").read_bytes() == (tmp_path / "b" / "data.jsonl").read_bytes()


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_jsonl_file_read_and_written_in_parts_gives_the_same_bytes_and_report(tmp_path, monkeypatch, jobs):
    """A big plain JSONL file is cut into parts at line ends, read and written by several
    workers and joined: whatever the part size, the output file and the report are the
    bytes one part gives, bad and blank lines and row numbers included."""
    from dedup import pipeline
    lines = [json.dumps(r, ensure_ascii=False) for r in golden_rows()]
    lines[3:3] = ["", '{"text": "not closed', "   "]            # a blank line, a bad row, spaces
    write_jsonl(tmp_path / "data.jsonl", lines)
    assert clean(["data.jsonl", "-o", "whole", "-j", jobs], tmp_path).exit_code == 0
    whole = (tmp_path / "whole" / "report.json").read_text("utf-8")
    for size in (1, 700, 5_000):
        monkeypatch.setattr(pipeline, "SHARD_BYTES", size)
        out = f"parts-{size}"
        assert clean(["data.jsonl", "-o", out, "-j", jobs], tmp_path).exit_code == 0
        assert (tmp_path / out / "data.jsonl").read_bytes() == (tmp_path / "whole" / "data.jsonl").read_bytes()
        assert (tmp_path / out / "report.json").read_text("utf-8").replace(out, "whole") == whole
        assert sorted(p.name for p in (tmp_path / out).iterdir()) == sorted(p.name for p in (tmp_path / "whole").iterdir())
    report = json.loads(whole)
    assert report["skipped"][0]["path"] == "data.jsonl:5"          # the bad row, numbered as in the file
    assert {d["row"] for d in report["documents"]} == set(range(1, len(lines) + 1)) - {4, 5, 6}


def test_a_jsonl_file_one_of_whose_parts_cannot_be_read_is_skipped_whole(tmp_path, monkeypatch):
    from dedup import pipeline
    write_jsonl(tmp_path / "data.jsonl", ['{"text": "not closed'] + [json.dumps(r) for r in golden_rows()])
    write_jsonl(tmp_path / "other.jsonl", [json.dumps(r) for r in golden_rows()[:3]])
    monkeypatch.setattr(pipeline, "SHARD_BYTES", 2_000)
    real = records.rows

    def failing(file, fmt, compression, fields, span=None):
        if file.endswith("data.jsonl") and span is not None and span.start > 0:
            raise records.RecordError("unreadable JSONL file: [Errno 5] Input/output error")
        return real(file, fmt, compression, fields, span)
    monkeypatch.setattr(records, "rows", failing)
    assert clean(["data.jsonl", "other.jsonl", "-o", "out"], tmp_path).exit_code == 0
    report = json.loads((tmp_path / "out" / "report.json").read_text("utf-8"))
    assert report["skipped"] == [{"path": "data.jsonl", "reason": "unreadable JSONL file: [Errno 5] Input/output error"}]
    assert {d["file"] for d in report["documents"]} == {"other.jsonl"}
    assert "data.jsonl:" not in json.dumps(report)     # its rows are nobody's original: other.jsonl's copies stay
                                                       # (nor is its bad row listed: nothing of it is copied)
    assert sorted(p.name for p in (tmp_path / "out").iterdir() if not p.name.startswith(".")) == [
        "other.jsonl", "report.html", "report.json"]


@pytest.mark.parametrize("parts", [1, 5])
def test_rows_added_to_a_jsonl_file_during_the_run_are_copied_through(tmp_path, monkeypatch, parts):
    from dedup import corpus_wide, pipeline
    if parts > 1:
        monkeypatch.setattr(pipeline, "SHARD_BYTES", 8_000)
    lines = [json.dumps(r) for r in golden_rows()]
    write_jsonl(tmp_path / "data.jsonl", lines)
    real = corpus_wide.classify

    def classify_then_append(*args, **kwargs):
        write_jsonl(tmp_path / "data.jsonl", lines + ['{"text": "A row added while the run was classifying."}'])
        return real(*args, **kwargs)
    monkeypatch.setattr(corpus_wide, "classify", classify_then_append)
    assert clean(["data.jsonl", "-o", "out"], tmp_path).exit_code == 0
    written = read_jsonl(tmp_path / "out" / "data.jsonl")
    assert written[-1] == '{"text": "A row added while the run was classifying."}'
    report = json.loads((tmp_path / "out" / "report.json").read_text("utf-8"))
    assert len(report["documents"]) == len(lines) and report["skipped"] == []


BAD_ROWS = [
    ('{"text": "not closed', "invalid JSON"),
    ('[1, 2]', "not a JSON object (a list)"),
    ('{"id": 3}', "no field 'text'"),
    ('{"text": 42}', "field 'text' is a number, not a string"),
    ('{"text": null}', "field 'text' is null, not a string"),
]


@pytest.mark.parametrize("line, reason", [
    ('"a string"', "not a JSON object (a string)"),
    ('{"text": "a\x01b"}', "invalid JSON (Invalid control character at column 12)"),
    ('{"text": "words", "n": ' + "1" * 5000 + "}", "invalid JSON (Exceeds the limit (4300 digits) for integer "
                                                   "string conversion)"),   # one row, not the whole file
])
def test_a_bad_rows_reason_reads_as_one_phrase(line, reason):
    assert records.parse_row(7, line.encode("utf-8"), records.Fields("text")).problem == reason


def test_bad_rows_are_copied_through_unchanged_and_listed_with_file_line_and_reason(tmp_path):
    good = [json.dumps({"text": f"Row {i} has its own words, a sentence nobody else wrote, number {i}."})
            for i in range(3)]
    dup = json.dumps({"text": "Row 0 has its own words, a sentence nobody else wrote, number 0."})
    lines = [good[0], BAD_ROWS[0][0], good[1], BAD_ROWS[1][0], BAD_ROWS[2][0], dup, BAD_ROWS[3][0], "",
             BAD_ROWS[4][0], good[2]]
    data = "\n".join(lines).encode("utf-8") + b"\n" + b'{"text": "caf\xe9"}\n'
    (tmp_path / "data.jsonl").write_bytes(data)
    result = clean(["data.jsonl", "-o", "out"], tmp_path)
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "out" / "report.json").read_text("utf-8"))
    skipped = {s["path"]: s["reason"] for s in report["skipped"]}
    assert list(skipped) == ["data.jsonl:2", "data.jsonl:4", "data.jsonl:5", "data.jsonl:7", "data.jsonl:9",
                             "data.jsonl:11"]
    for (line, reason), path in zip(BAD_ROWS, ["data.jsonl:2", "data.jsonl:4", "data.jsonl:5", "data.jsonl:7",
                                               "data.jsonl:9"]):
        assert skipped[path].startswith(reason) and skipped[path].endswith("copied through unchanged")
    assert skipped["data.jsonl:11"].startswith("not UTF-8 (undecodable byte at offset 13)")
    # the duplicate row (line 6) is dropped; everything else, blank line and bad bytes included, is as it was
    expected = b"\n".join(line.encode() for n, line in enumerate(lines, 1) if n != 6) + b"\n" + b'{"text": "caf\xe9"}\n'
    assert (tmp_path / "out" / "data.jsonl").read_bytes() == expected
    assert [d["status"] for d in report["documents"]] == ["kept", "kept", "removed", "kept"]


def test_a_row_with_an_escaped_lone_surrogate_or_nested_too_deeply_is_a_bad_row_not_a_crash(tmp_path):
    """JSON can escape half a surrogate pair ("\\ud800"), which no UTF-8 text holds, and
    nest arrays deeper than Python's parser recurses: both are bad rows, copied through;
    a whole pair ("\\ud83d\\ude00", an emoji) is text like any other."""
    rows = ['{"text": "A lone \\ud800 half of a pair in an otherwise ordinary row of words."}',
            '{"text": "Nested too deep.", "m": ' + "[" * 50_000 + "]" * 50_000 + "}",
            '{"text": "An emoji \\ud83d\\ude00 in a row of words, written as its escaped pair."}',
            '{"text": "An emoji \\ud83d\\ude00 in a row of words, written as its escaped pair."}']
    (tmp_path / "data.jsonl").write_text("\n".join(rows) + "\n", "utf-8")
    result = clean(["data.jsonl", "-o", "out"], tmp_path)
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "out" / "report.json").read_text("utf-8"))
    skipped = {s["path"]: s["reason"] for s in report["skipped"]}
    assert skipped["data.jsonl:1"].startswith("field 'text' holds an escaped lone surrogate (\\ud800)")
    assert skipped["data.jsonl:2"].startswith("invalid JSON (nested too deeply to read)")
    assert [d["status"] for d in report["documents"]] == ["kept", "removed"]
    assert (tmp_path / "out" / "data.jsonl").read_text("utf-8") == "\n".join(rows[:3]) + "\n"


def test_a_truncated_gzip_and_a_corrupt_parquet_file_are_one_line_each_and_the_rest_goes_on(tmp_path):
    whole = gzip.compress(b"".join(json.dumps({"text": f"line {i} of a long file of rows"}).encode() + b"\n"
                                   for i in range(2000)))
    (tmp_path / "cut.jsonl.gz").write_bytes(whole[:len(whole) // 2])
    (tmp_path / "bad.parquet").write_bytes(b"PAR1" + os.urandom(200) + b"PAR1")
    (tmp_path / "fine.txt").write_text("A text file that is fine and is kept as it is.\n", "utf-8")
    result = clean([".", "-o", "out"], tmp_path)
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "out" / "report.json").read_text("utf-8"))
    skipped = {s["path"]: s["reason"] for s in report["skipped"]}
    assert skipped["cut.jsonl.gz"].startswith("unreadable gzip-compressed JSONL file: truncated")
    assert skipped["bad.parquet"].startswith("unreadable Parquet file: ")
    assert all("\n" not in reason for reason in skipped.values())
    assert [d["path"] for d in report["documents"]] == ["fine.txt"]
    assert sorted(p.name for p in (tmp_path / "out").iterdir() if not p.name.startswith(".")) == [
        "fine.txt", "report.html", "report.json"]


def test_a_parquet_file_without_a_string_text_column_is_skipped_with_its_columns_named(tmp_path):
    pq.write_table(pa.table({"body": ["some text here for the row"]}), tmp_path / "a.parquet")
    pq.write_table(pa.table({"text": [1, 2]}), tmp_path / "b.parquet")
    assert clean([".", "-o", "out"], tmp_path).exit_code == 0
    report = json.loads((tmp_path / "out" / "report.json").read_text("utf-8"))
    assert report["skipped"] == [
        {"path": "a.parquet", "reason": "Parquet file has no column 'text' (its columns: body)"},
        {"path": "b.parquet", "reason": "Parquet column 'text' is int64, not a string"}]
    assert clean([".", "-o", "out2", "--text-field", "body"], tmp_path).exit_code == 0
    report = json.loads((tmp_path / "out2" / "report.json").read_text("utf-8"))
    assert [d["path"] for d in report["documents"]] == ["a.parquet:1"]


def test_a_parquet_file_with_two_text_columns_is_skipped_saying_so(tmp_path):
    pq.write_table(pa.Table.from_arrays([pa.array(["some text here for the row"]), pa.array(["x"])],
                                        names=["text", "text"]), tmp_path / "a.parquet")
    assert clean([".", "-o", "out"], tmp_path).exit_code == 0
    report = json.loads((tmp_path / "out" / "report.json").read_text("utf-8"))
    assert report["skipped"] == [{"path": "a.parquet", "reason": "Parquet file has 2 columns named 'text': which one "
                                                                  "is meant?"}]


@pytest.mark.parametrize("kind", [pa.dictionary(pa.int32(), pa.string()), pa.string_view(), pa.large_string()])
def test_a_parquet_text_column_in_any_string_layout_is_read_and_written_in_it(tmp_path, kind):
    """Dictionary-encoded strings (pandas' categorical) and string views hold text like
    plain strings: read, cleaned, and written back in the column's own type."""
    shared = "A line that every row of this file repeats, long enough to be a duplicate."
    texts = [f"Row {n} opens with words of its own, number {n}.\n{shared}" for n in range(4)]
    texts += [texts[2], None]   # a whole copy, dropped, and a bad row
    pq.write_table(pa.table({"text": pa.array(texts, kind), "n": pa.array([str(n) for n in range(6)], kind)}),
                   tmp_path / "a.parquet")
    result = clean(["a.parquet", "-o", "out"], tmp_path)
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "out" / "report.json").read_text("utf-8"))
    assert [s["reason"] for s in report["skipped"]] == ["field 'text' is null; copied through unchanged"]
    assert [d["status"] for d in report["documents"]] == ["kept", "cleaned", "cleaned", "cleaned", "removed"]
    written = pq.read_table(tmp_path / "out" / "a.parquet")
    assert written.schema == pq.read_schema(tmp_path / "a.parquet")
    assert written.column("text").to_pylist() == [texts[0]] + [t.split("\n")[0] + "\n" for t in texts[1:4]] + [None]
    assert written.column("n").to_pylist() == ["0", "1", "2", "3", "5"]


def test_views_inside_other_columns_survive_a_dropped_row(tmp_path):
    """Arrow has no filter for string views inside a list or a struct either: a file
    with such columns beside its text loses a duplicate row, every column as it was."""
    shared = "A line that every row of this file repeats, long enough to be a duplicate."
    texts = [f"Row {n} opens with words of its own, number {n}.\n{shared}" for n in range(3)]
    texts.append(texts[1])
    tags = pa.array([["a", "b"], ["c"], [], ["d"]], pa.list_(pa.string_view()))
    pairs = pa.array([{"k": f"v{n}", "n": n} for n in range(4)], pa.struct([("k", pa.string_view()), ("n", pa.int32())]))
    pq.write_table(pa.table({"text": texts, "tags": tags, "pairs": pairs}), tmp_path / "a.parquet")
    result = clean(["a.parquet", "-o", "out"], tmp_path)
    assert result.exit_code == 0, result.output
    written = pq.read_table(tmp_path / "out" / "a.parquet")
    assert written.schema == pq.read_schema(tmp_path / "a.parquet")
    assert written.column("tags").to_pylist() == [["a", "b"], ["c"], []]
    assert [p["k"] for p in written.column("pairs").to_pylist()] == ["v0", "v1", "v2"]


def test_views_in_maps_fixed_size_lists_and_unions_survive_a_dropped_row(tmp_path):
    shared = "A line that every row of this file repeats, long enough to be a duplicate."
    texts = [f"Row {n} opens with words of its own, number {n}.\n{shared}" for n in range(5)]
    texts[3] = texts[1]
    meta = pa.array([[(f"k{n}", f"v{n}")] for n in range(5)], pa.map_(pa.string_view(), pa.string_view()))
    pairs = pa.array([[f"a{n}", f"b{n}"] for n in range(5)], pa.list_(pa.string_view(), 2))
    either = pa.UnionArray.from_sparse(pa.array([0] * 5, pa.int8()), [pa.array([f"u{n}" for n in range(5)],
                                                                                  pa.string_view())])
    batch = pa.RecordBatch.from_arrays([pa.array(texts), meta, pairs, either], names=["text", "meta", "pairs", "either"])
    kept = [n for n in range(5) if n != 3]
    done = records._filtered(pa, batch, [n != 3 for n in range(5)])   # (Parquet stores no union: filtered here)
    assert done.schema == batch.schema and done.column(3).to_pylist() == [f"u{n}" for n in kept]
    pq.write_table(pa.table({"text": texts, "meta": meta, "pairs": pairs}), tmp_path / "a.parquet")
    result = clean(["a.parquet", "-o", "out"], tmp_path)
    assert result.exit_code == 0, result.output
    written = pq.read_table(tmp_path / "out" / "a.parquet")
    assert written.schema == pq.read_schema(tmp_path / "a.parquet")
    assert written.column("meta").to_pylist() == [[(f"k{n}", f"v{n}")] for n in kept]
    assert written.column("pairs").to_pylist() == [[f"a{n}", f"b{n}"] for n in kept]


def test_a_pandas_category_of_many_texts_is_written_with_wider_indices(tmp_path):
    """int8 indices hold 127 texts; the cleaned texts are new ones beside them."""
    shared = "A line that every row of this file repeats, long enough to be a duplicate."
    texts = [f"Row {n} opens with words of its own, number {n}.\n{shared}" for n in range(100)]
    pq.write_table(pa.table({"text": pa.array(texts * 2).dictionary_encode().cast(
        pa.dictionary(pa.int8(), pa.string()))}), tmp_path / "a.parquet")
    result = clean(["a.parquet", "-o", "out"], tmp_path)
    assert result.exit_code == 0, result.output
    written = pq.read_table(tmp_path / "out" / "a.parquet").column("text")
    assert written.type == pa.dictionary(pa.int32(), pa.string())
    assert written.to_pylist() == [texts[0]] + [t.split("\n")[0] + "\n" for t in texts[1:]]


@pytest.mark.parametrize("codec, stored", [("none", "UNCOMPRESSED"), ("gzip", "GZIP"), ("lz4", "LZ4")])
def test_a_parquet_file_is_written_with_its_own_codec_uncompressed_too(tmp_path, codec, stored):
    shared = "A line that every row of this file repeats, long enough to be a duplicate."
    texts = [f"Row {n} opens with words of its own, number {n}.\n{shared}" for n in range(3)]
    pq.write_table(pa.table({"text": texts}), tmp_path / "a.parquet", compression=codec)
    result = clean(["a.parquet", "-o", "out"], tmp_path)
    assert result.exit_code == 0, result.output
    out = pq.ParquetFile(tmp_path / "out" / "a.parquet")
    assert out.metadata.row_group(0).column(0).compression == stored and out.metadata.num_rows == 3


def test_a_parquet_value_that_is_not_utf8_is_a_bad_row_copied_through_byte_for_byte(tmp_path):
    """Arrow reads strings unchecked, and other writers write them so: the row is listed,
    copied as it was, and the file's other rows are cleaned."""
    values = [f"Row {n} opens with words of its own, number {n}.\nRelated articles".encode() for n in range(6)]
    values[2] = b"bad \xff\xfe bytes in this row"
    pq.write_table(pa.table({"text": pa.array(values, pa.binary()).view(pa.string())}), tmp_path / "a.parquet")
    result = clean(["a.parquet", "-o", "out"], tmp_path)
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "out" / "report.json").read_text("utf-8"))
    assert report["skipped"] == [{"path": "a.parquet:3", "reason": "not UTF-8 (undecodable byte at offset 4 of a "
                                                                   "field); copied through unchanged"}]
    written = pq.read_table(tmp_path / "out" / "a.parquet").column("text").cast(pa.large_binary()).to_pylist()
    assert written[2] == values[2] and len(written) == 6
    assert [d["status"] for d in report["documents"]] == ["cleaned"] * 5


def test_a_binary_file_named_as_jsonl_is_one_line_and_a_nul_in_a_row_is_that_rows(tmp_path):
    pq.write_table(pa.table({"text": [f"row {n}\n" * 50 for n in range(20)]}), tmp_path / "data.jsonl")
    (tmp_path / "nul.jsonl").write_bytes(b'{"text": "a clean row of words here"}\n{"text": "a \0 b"}\n')
    result = clean([".", "-o", "out"], tmp_path)
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "out" / "report.json").read_text("utf-8"))
    assert report["skipped"] == [{"path": "data.jsonl", "reason": "Parquet file, not JSONL"},
                                 {"path": "nul.jsonl:2", "reason": "invalid JSON (Invalid control character at "
                                                                   "column 13); copied through unchanged"}]


def test_in_place_refuses_record_files_before_touching_anything(tmp_path):
    (tmp_path / "data.jsonl").write_text('{"text": "x y z"}\n', "utf-8")
    result = CliRunner().invoke(main, ["clean", str(tmp_path / "data.jsonl"), "--in-place", "-o",
                                       str(tmp_path / "out")])
    assert result.exit_code == 2
    assert result.output.strip().endswith("--in-place rewrites text files only; write JSONL and Parquet corpora to -o")
    assert not (tmp_path / "out").exists()


def test_the_review_page_reads_row_originals_from_their_file(tmp_path):
    write_jsonl(tmp_path / "data.jsonl", [json.dumps(r) for r in golden_rows()])
    assert clean(["data.jsonl", "-o", "out", "--id-field", "id"], tmp_path).exit_code == 0
    report = json.loads((tmp_path / "out" / "report.json").read_text("utf-8"))
    texts = html.read_originals(report, tmp_path)
    with_removals = [d for d in report["documents"] if d["removed"]]
    assert with_removals and all(texts[d["path"]] == golden_rows()[d["row"] - 1]["text"] for d in with_removals)
    data = html.page_data(report, texts)
    assert [d["id"] for d in data["documents"]] == [r["id"] for r in golden_rows()]


def test_kind_of_names_and_forced_formats():
    assert records.kind_of("a/b.JSONL.GZ") == ("jsonl", "gzip")
    assert records.kind_of("x.ndjson.zst") == ("jsonl", "zstd")
    assert records.kind_of("x.parquet") == ("parquet", None)
    assert records.kind_of("x.json") == ("text", None)
    assert records.kind_of("x.jsonl", "text") == ("text", None)
    assert records.kind_of("dump.gz", "jsonl") == ("jsonl", "gzip")
    assert records.kind_of("rows", "parquet") == ("parquet", None)


json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
                           lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
                           max_leaves=8)


@hsettings(max_examples=300, deadline=None)
@given(st.dictionaries(st.text(), json_values, max_size=5), st.text(), st.text(), st.booleans(),
       st.sampled_from([(", ", ": "), (",", ":"), (" , ", " : ")]))
def test_replace_text_changes_the_text_field_and_no_other_byte(record, old, new, ascii_only, separators):
    record = {**record, "text": old}
    line = json.dumps(record, ensure_ascii=ascii_only, separators=separators)
    got = records.replace_text(line, "text", new)
    assert json.loads(got) == {**record, "text": new}
    start, stop = records._value_span(line, "text")
    assert json.loads(line[start:stop]) == old
    assert got == line[:start] + json.dumps(new, ensure_ascii=False) + line[stop:]


@pytest.mark.parametrize("parts", [1, 5])
@pytest.mark.parametrize("change", ["a row edited", "rows cut off"])
def test_a_record_file_that_changes_during_the_run_is_not_written(tmp_path, monkeypatch, change, parts):
    from dedup import corpus_wide, pipeline
    if parts > 1:
        monkeypatch.setattr(pipeline, "SHARD_BYTES", 4_000)
    write_jsonl(tmp_path / "data.jsonl", [json.dumps(r) for r in golden_rows()])
    real = corpus_wide.classify

    def classify_then_edit(*args, **kwargs):
        rows = golden_rows()
        if change == "a row edited":
            rows[3]["text"] += "\nA line added while the run was classifying."
        else:
            rows = rows[:-2]
        write_jsonl(tmp_path / "data.jsonl", [json.dumps(r) for r in rows])
        return real(*args, **kwargs)
    monkeypatch.setattr(corpus_wide, "classify", classify_then_edit)
    assert clean(["data.jsonl", "-o", "out"], tmp_path).exit_code == 0
    report = json.loads((tmp_path / "out" / "report.json").read_text("utf-8"))
    assert report["skipped"] == [{"path": "data.jsonl", "reason": "changed or vanished during the run; not written"}]
    assert report["documents"] == [] and not (tmp_path / "out" / "data.jsonl").exists()


def test_the_review_page_rebuilds_removed_rows_from_the_report_when_their_file_is_gone(tmp_path):
    write_jsonl(tmp_path / "data.jsonl", [json.dumps(r) for r in golden_rows()])
    assert clean(["data.jsonl", "-o", "out"], tmp_path).exit_code == 0
    report = json.loads((tmp_path / "out" / "report.json").read_text("utf-8"))
    (tmp_path / "data.jsonl").unlink()
    texts = html.read_originals(report, tmp_path)
    removed = [d for d in report["documents"] if d["status"] == "removed"]
    assert removed and set(texts) == {d["path"] for d in removed}
    assert all(texts[d["path"]] == golden_rows()[d["row"] - 1]["text"] for d in removed)


def test_restore_of_a_record_run_checks_the_input_and_copies_it_whole(tmp_path):
    write_jsonl(tmp_path / "data.jsonl", [json.dumps(r) for r in golden_rows()], "gzip")
    (tmp_path / "data.jsonl").rename(tmp_path / "data.jsonl.gz")
    assert clean(["data.jsonl.gz", "-o", "out"], tmp_path).exit_code == 0
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        same = CliRunner().invoke(main, ["restore", "out/report.json"])
        to = CliRunner().invoke(main, ["restore", "out/report.json", "--to", "back"])
        assert (tmp_path / "back" / "data.jsonl.gz").read_bytes() == (tmp_path / "data.jsonl.gz").read_bytes()
        assert not list(tmp_path.glob("data.jsonl.gz:*"))   # never a file named after a row
        rows = golden_rows()
        rows[0]["text"] = "changed"
        write_jsonl(tmp_path / "data.jsonl.gz", [json.dumps(r) for r in rows], "gzip")
        changed = CliRunner().invoke(main, ["restore", "out/report.json", "--to", "again"])
    finally:
        os.chdir(old)
    assert same.exit_code == 2 and "this run left its inputs as they were" in same.output
    assert to.exit_code == 0 and "restored data.jsonl.gz" in to.output
    assert changed.exit_code == 1 and "not restored data.jsonl.gz: the input changed or is gone" in changed.output


def test_a_jsonl_file_with_a_bom_and_crlf_line_ends_keeps_both(tmp_path):
    rows = golden_rows()
    first = next(n for n, r in enumerate(rows) if r["meta"]["from"].endswith("en-courier/00.txt"))
    rows = [rows[first]] + rows[:first] + rows[first + 1:]   # a page of the courier first: a row that is cleaned
    data = "\ufeff" + "".join(json.dumps(r, ensure_ascii=False) + "\r\n" for r in rows)
    (tmp_path / "data.jsonl").write_bytes(data.encode("utf-8"))
    assert clean(["data.jsonl", "-o", "out"], tmp_path).exit_code == 0
    report = json.loads((tmp_path / "out" / "report.json").read_text("utf-8"))
    assert report["skipped"] == [] and report["documents"][0]["row"] == 1   # the first row is read, BOM and all
    out = (tmp_path / "out" / "data.jsonl").read_bytes()
    assert out.startswith(b"\xef\xbb\xbf{") and out.count(b"\r\n") == out.count(b"\n")
    kept = [json.loads(line) for line in out.decode("utf-8-sig").splitlines()]
    by_row = {d["row"]: d for d in report["documents"]}
    assert len(kept) == sum(1 for d in report["documents"] if d["status"] != "removed")
    assert kept[0]["id"] == rows[0]["id"] and by_row[1]["status"] == "cleaned"
    assert kept[0]["text"] != rows[0]["text"]   # its text was cleaned, through the BOM
    assert {k: v for k, v in kept[0].items() if k != "text"} == {k: v for k, v in rows[0].items() if k != "text"}


@hsettings(max_examples=300, deadline=None)
@given(st.text(max_size=8), st.sampled_from(["", *records.FORMATS, ".TXT", ".JSONL.GZ", ".txt.zst", ".gz"]),
       st.sampled_from(["auto", "text", "jsonl", "parquet"]))
def test_is_text_says_what_kind_of_says(stem, ending, forced):
    name = stem + ending
    assert records.is_text(forced)(name) == (records.kind_of(name, forced)[0] == "text")


@hsettings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.just(""), st.just("   "), st.text(max_size=40).map(lambda t: json.dumps({"text": t}))),
                max_size=40),
       st.sampled_from(["\n", "\r\n"]), st.booleans(), st.integers(1, 300))
def test_parts_of_a_jsonl_file_tile_it_and_give_its_rows(tmp_path_factory, lines, newline, last_newline, size):
    """Whatever the part size: parts that follow each other from byte 0 to the open end,
    whose rows, numbers included, are the rows of the file read whole."""
    path = tmp_path_factory.mktemp("spans") / "data.jsonl"
    path.write_bytes((newline.join(lines) + (newline if last_newline and lines else "")).encode("utf-8"))
    fields = records.Fields()
    parts = records.spans(str(path), size)
    assert parts[0].start == 0 and parts[-1].end is None and parts[0].first == 1
    assert all(a.end == b.start for a, b in zip(parts, parts[1:]))
    assert [row for part in parts for row in records.rows(str(path), "jsonl", None, fields, part)] == \
        list(records.rows(str(path), "jsonl", None, fields))


def test_format_reads_every_input_as_one_format(tmp_path):
    """--format decides once, for every input, whatever its name: JSONL rows in a .txt
    file are records with --format jsonl, and a .jsonl file is one text with --format text."""
    rows = [json.dumps(r, ensure_ascii=False) for r in golden_rows()[:6]]
    write_jsonl(tmp_path / "rows.txt", rows)
    as_records = clean(["rows.txt", "-o", "a", "--format", "jsonl"], tmp_path)
    assert as_records.exit_code == 0, as_records.output
    report = json.loads((tmp_path / "a" / "report.json").read_text("utf-8"))
    assert [d["path"] for d in report["documents"]] == [f"rows.txt:{n}" for n in range(1, 7)]
    assert all(json.loads(line)["id"] for line in read_jsonl(tmp_path / "a" / "rows.txt"))   # still JSONL
    write_jsonl(tmp_path / "data.jsonl", rows)
    as_text = clean(["data.jsonl", "-o", "b", "--format", "text"], tmp_path)
    assert as_text.exit_code == 0, as_text.output
    report = json.loads((tmp_path / "b" / "report.json").read_text("utf-8"))
    assert [(d["path"], d["lines"]) for d in report["documents"]] == [("data.jsonl", 6)]


def test_text_files_and_jsonl_files_make_enough_batches_for_every_worker(tmp_path):
    """Batches of at most SHARD_BYTES, and at least PARTS_PER_WORKER per worker over all
    the text files and plain JSONL files (never below MIN_SHARD_BYTES): a file of 40 MB
    on 2 workers is 8 parts, not 3 of which one worker would read two."""
    from dedup import corpus, pipeline
    from dedup.config import Settings
    for name, size in (("a.jsonl", 30 << 20), ("b.jsonl", 2 << 20), ("c.jsonl.gz", 90 << 20), ("d.txt", 8 << 20)):
        with open(tmp_path / name, "wb") as handle:
            handle.truncate(size)   # sparse: only the sizes matter here
    settings = Settings()
    sources = corpus.discover([str(tmp_path)], settings.include, settings.exclude, settings.format).sources
    assert pipeline.shard_bytes(sources, 2) == 5 << 20                      # 40 MB / (4 x 2)
    assert pipeline.shard_bytes(sources, 1) == 10 << 20
    assert pipeline.shard_bytes(sources, 64) == pipeline.MIN_SHARD_BYTES
    assert pipeline.shard_bytes(sources[:1], 1) == (30 << 20) // 4
    with open(tmp_path / "a.jsonl", "wb") as handle:
        handle.truncate(300 << 20)
    assert pipeline.shard_bytes(sources[:1], 1) == pipeline.SHARD_BYTES     # 300 MB on one worker: the cap


def test_text_files_go_in_batches_of_about_the_shard_size_and_at_most_batch_files(tmp_path, monkeypatch):
    from dedup import corpus, pipeline
    from dedup.config import Settings
    sizes = [300, 500, 100, 900, 50, 50, 50, 2_000, 10, 10]
    for n, size in enumerate(sizes):
        (tmp_path / f"{n:02d}.txt").write_bytes(b"x" * size)
    (tmp_path / "05b.jsonl").write_text('{"text": "a row"}\n')   # a record file ends the text batch before it
    settings = Settings()
    sources = corpus.discover([str(tmp_path)], settings.include, settings.exclude, settings.format).sources
    batches = pipeline._read_batches(sources, settings, 1_000)
    shape = [[s.relpath for s in b] if isinstance(b, list) else b.parts[0].source.relpath for b in batches]
    assert shape == [["00.txt", "01.txt", "02.txt"], ["03.txt", "04.txt", "05.txt"], "05b.jsonl", ["06.txt"],
                     ["07.txt"], ["08.txt", "09.txt"]]
    monkeypatch.setattr(pipeline, "BATCH_FILES", 2)
    assert [len(b) for b in pipeline._read_batches(sources, settings, 10_000) if isinstance(b, list)] == [2, 2, 2, 2, 2]


def test_small_record_files_are_read_together_and_a_big_one_alone_or_in_parts(tmp_path, monkeypatch):
    """Record files of at most a shard's text go in batches of several, read whole (a
    compressed or Parquet file counted by the text it holds); a bigger one is a batch
    of its own, a plain JSONL file in parts; text files between them end a run."""
    from dedup import budget, corpus, pipeline
    from dedup.config import Settings
    monkeypatch.setattr(pipeline, "BATCH_FILES", 3)
    for name in ("a", "b", "c", "d"):
        write_jsonl(tmp_path / f"{name}.jsonl", ['{"text": "a short row"}'] * 10)     # 240 bytes each
    (tmp_path / "e.txt").write_text("a text file")
    write_jsonl(tmp_path / "f.jsonl", ['{"text": "a short row"}'] * 100)              # 2,400: in parts
    write_jsonl(tmp_path / "g.jsonl.gz", [json.dumps({"text": os.urandom(40).hex()}) for _ in range(10)], "gzip")
    write_jsonl(tmp_path / "h.jsonl", ['{"text": "a short row"}'] * 10)
    settings = Settings()
    sources = corpus.discover([str(tmp_path)], settings.include, settings.exclude, settings.format).sources

    def shape(batches):
        return [[s.relpath for s in b] if isinstance(b, list) else
                [(p.source.relpath, p.index, p.count) for p in b.parts] for b in batches]
    assert shape(pipeline._read_batches(sources, settings, 1_000))[:6] == [
        [("a.jsonl", 0, 1), ("b.jsonl", 0, 1), ("c.jsonl", 0, 1)], [("d.jsonl", 0, 1)], ["e.txt"],
        [("f.jsonl", 0, 3)], [("f.jsonl", 1, 3)], [("f.jsonl", 2, 3)]]
    gz = budget.text_bytes((tmp_path / "g.jsonl.gz").stat().st_size, True)   # more than the file's bytes
    assert gz > 1_000 and shape(pipeline._read_batches(sources, settings, gz + 240))[-1] == [
        ("g.jsonl.gz", 0, 1), ("h.jsonl", 0, 1)]
    assert shape(pipeline._read_batches(sources, settings, gz - 1))[-2:] == [[("g.jsonl.gz", 0, 1)], [("h.jsonl", 0, 1)]]


def many_small_record_files(folder: Path) -> list[str]:
    """The golden rows spread over small JSONL, gzip JSONL and Parquet files, with an
    empty file, a file of one bad row, a broken file and a file that breaks after some
    rows among them; the names, sorted."""
    rows = golden_rows()
    folder.mkdir()
    names = []
    for n in range(0, len(rows), 3):
        chunk = [json.dumps(r, ensure_ascii=False) for r in rows[n:n + 3]]
        kind = n // 3 % 3
        name = f"{n:03d}." + ("jsonl", "jsonl.gz", "parquet")[kind]
        if kind == 2:
            pq.write_table(pa.Table.from_pylist(rows[n:n + 3]), folder / name)
        else:
            write_jsonl(folder / name, chunk, "gzip" if kind == 1 else None)
        names.append(name)
    write_jsonl(folder / "004-empty.jsonl", [])
    write_jsonl(folder / "007-bad.jsonl", ['{"text": "not closed'])
    (folder / "010-broken.parquet").write_bytes(b"PAR1" + b"\x00" * 100 + b"PAR1")
    whole = gzip.compress(b"".join(json.dumps({"text": f"row {i} of a file cut short"}).encode() + b"\n"
                                   for i in range(2000)))
    (folder / "013-cut.jsonl.gz").write_bytes(whole[:len(whole) // 2])   # rows, then an error
    return sorted(names + ["004-empty.jsonl", "007-bad.jsonl", "010-broken.parquet", "013-cut.jsonl.gz"])


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_small_record_files_read_together_give_the_bytes_each_read_alone_gives(tmp_path, monkeypatch, jobs):
    """Many small record files read in shared batches: every output file, the report and
    the saved index are the bytes a run reading each file as a batch of its own gives,
    the broken file skipped with its one line, the empty and the bad-row files written."""
    from dedup import pipeline
    many_small_record_files(tmp_path / "corpus")
    assert clean(["corpus", "-o", "together", "-j", jobs], tmp_path).exit_code == 0
    real = pipeline._read_batches
    alone = []

    def one_a_batch(sources, settings, part_bytes=pipeline.SHARD_BYTES, sizes=None):
        batches = real(sources, settings, 1, sizes)
        alone.extend(batches)
        return batches
    monkeypatch.setattr(pipeline, "_read_batches", one_a_batch)
    assert clean(["corpus", "-o", "alone", "-j", jobs], tmp_path).exit_code == 0
    assert alone and all(len(batch.parts) == 1 for batch in alone)

    def files(out):
        return {p.relative_to(tmp_path / out).as_posix(): p.read_bytes() for p in sorted((tmp_path / out).rglob("*"))
                if p.is_file() and p.name != "report.html"}
    together = files("together")
    assert together.keys() == files("alone").keys()
    for name, data in files("alone").items():
        assert together[name] == (data.replace(b"alone", b"together") if name == "report.json" else data), name
    report = json.loads(together["report.json"])
    assert {s["path"] for s in report["skipped"]} == {"corpus/007-bad.jsonl:1", "corpus/010-broken.parquet",
                                                      "corpus/013-cut.jsonl.gz"}
    assert {"004-empty.jsonl", "007-bad.jsonl"} <= {name.split("/")[-1] for name in together}
    assert any(d["status"] != "kept" for d in report["documents"])


def test_a_small_record_file_that_changes_during_the_run_is_the_only_one_of_its_batch_not_written(tmp_path,
                                                                                                   monkeypatch):
    from dedup import corpus_wide
    names = many_small_record_files(tmp_path / "corpus")
    edited = tmp_path / "corpus" / "000.jsonl"
    real = corpus_wide.classify

    def classify_then_edit(*args, **kwargs):
        edited.write_text(edited.read_text("utf-8").replace("e", "é"), "utf-8")
        return real(*args, **kwargs)
    monkeypatch.setattr(corpus_wide, "classify", classify_then_edit)
    assert clean(["corpus", "-o", "out"], tmp_path).exit_code == 0
    report = json.loads((tmp_path / "out" / "report.json").read_text("utf-8"))
    assert {"path": "corpus/000.jsonl", "reason": "changed or vanished during the run; not written"} in report["skipped"]
    assert not any(d["path"].startswith("corpus/000.jsonl:") for d in report["documents"])
    written = {p.name for p in (tmp_path / "out").iterdir() if not p.name.startswith((".", "report."))}
    assert written == set(names) - {"000.jsonl", "010-broken.parquet", "013-cut.jsonl.gz"}


def test_the_write_stage_parses_only_the_rows_it_cuts(tmp_path, monkeypatch):
    """Every row is parsed once when read; when written, a row with nothing to remove is
    known by its bytes' digest and copied as it is: only the rows with removals are
    parsed again."""
    from collections import Counter
    from dedup import pipeline
    write_jsonl(tmp_path / "data.jsonl", [json.dumps(r) for r in golden_rows()])
    parsed, stage = Counter(), ["other"]
    real_parse, real_sketch, real_write = records.parse_row, pipeline.sketch_table, pipeline.write_batch

    def parse(number, raw, fields):
        parsed.update([(stage[0], number)])
        return real_parse(number, raw, fields)

    def in_stage(name, func):
        def run(*args):
            stage[0] = name
            try:
                return func(*args)
            finally:
                stage[0] = "other"
        return run
    monkeypatch.setattr(records, "parse_row", parse)
    monkeypatch.setattr(pipeline, "sketch_table", in_stage("read", real_sketch))
    monkeypatch.setattr(pipeline, "write_batch", in_stage("write", real_write))
    assert clean(["data.jsonl", "-o", "out", "-j", "1"], tmp_path).exit_code == 0
    report = json.loads((tmp_path / "out" / "report.json").read_text("utf-8"))
    cut = {d["row"] for d in report["documents"] if d["removed"]}
    assert cut and len(cut) < len(report["documents"])
    assert +Counter({key: n for key, n in parsed.items() if key[0] != "other"}) == Counter(
        {**{("read", d["row"]): 1 for d in report["documents"]}, **{("write", row): 1 for row in cut}})
    kept = [line for n, line in enumerate((tmp_path / "data.jsonl").read_text("utf-8").splitlines(), 1)
            if n not in cut]
    assert [line for line in (tmp_path / "out" / "data.jsonl").read_text("utf-8").splitlines()
            if line in kept] == kept


def _named(data: bytes, out: str) -> bytes:
    """A run's file with its output folder's name (as a path or a value) as OUT."""
    return data.replace(f'"{out}"'.encode(), b'"OUT"').replace(f"{out}/".encode(), b"OUT/")


def test_a_batch_of_text_files_sketched_in_chunks_gives_what_it_gives_at_once(tmp_path, monkeypatch):
    """Text files read together are sketched a few characters at a time (a binary file
    among them): the same outputs and report as all at once."""
    from dedup import stages
    rows = golden_rows()
    for n, row in enumerate(rows):
        (tmp_path / "corpus" / row["tags"][0]).mkdir(parents=True, exist_ok=True)
        (tmp_path / "corpus" / row["tags"][0] / f"{n:02d}.txt").write_text(row["text"], encoding="utf-8")
    (tmp_path / "corpus" / rows[0]["tags"][0] / "05-binary.txt").write_bytes(b"\x00\x01binary")
    results = {}
    for name, chunk in (("whole", stages.RECORD_CHUNK), ("chunked", 700)):
        monkeypatch.setattr(stages, "RECORD_CHUNK", chunk)
        assert clean(["corpus", "-o", name, "-j", "1"], tmp_path).exit_code == 0
        results[name] = {p.relative_to(tmp_path / name).as_posix(): _named(p.read_bytes(), name)
                         for p in sorted((tmp_path / name).rglob("*")) if p.is_file()}
    assert results["chunked"] == results["whole"]
    report = json.loads(results["whole"]["report.json"])
    assert report["skipped"] and report["summary"]["documents_removed"] + report["summary"]["documents_cleaned"] > 0


@pytest.mark.parametrize("compression", [None, "gzip"])
def test_the_wanted_rows_texts_are_read_up_to_the_last_of_them(tmp_path, monkeypatch, compression):
    """The review page and restore read the rows they need again: the file is read only
    as far as the last of them, so a gzip stream cut off after it still gives them."""
    data = "".join(json.dumps({"text": f"row {n} text"}) + "\n" for n in range(1, 2001)).encode()
    path = tmp_path / ("rows.jsonl.gz" if compression else "rows.jsonl")
    path.write_bytes(gzip.compress(data)[:-2000] if compression else data)
    read = []
    lines = records._jsonl_lines

    def counted(*args):
        for number, body in lines(*args):
            read.append(number)
            yield number, body
    monkeypatch.setattr(records, "_jsonl_lines", counted)
    got = records.texts(str(path), "jsonl", compression, records.Fields("text", ""), {2, 5})
    assert got == {2: "row 2 text", 5: "row 5 text"} and max(read) <= 6


def _host_by_urlsplit(url: str) -> str:
    """host_of as urllib alone says it."""
    from urllib.parse import urlsplit
    try:
        return (urlsplit(url if "://" in url else "//" + url).hostname or "").removeprefix("www.")
    except ValueError:
        return ""


_URL_PARTS = st.sampled_from(["http", "HTTPS", "h-t+t.p", "1http", "", " http", "ftp"])
_HOST_CHARS = st.sampled_from(list("abcXYZ09.-_@:[]%/?# \t\n") + ["www.", "ب", "ı", "ｅ", "\u200b"])


@hsettings(max_examples=400, deadline=None)
@given(_URL_PARTS, st.sampled_from(["://", ":/", "//", ":", ""]), st.lists(_HOST_CHARS, max_size=12),
       st.sampled_from(["", "/path?q=http://other.org", "#x", "?a=b"]), st.text(max_size=20))
def test_a_urls_site_is_the_host_urlsplit_finds(scheme, separator, host, rest, noise):
    """The fast way to a plain URL's host gives what urllib's urlsplit gives, on URLs
    plain and odd (ports, users, brackets, tabs, non-ASCII hosts, no scheme) and on any text."""
    url = scheme + separator + "".join(host) + rest
    assert records.host_of(url) == _host_by_urlsplit(url)
    assert records.host_of(noise) == _host_by_urlsplit(noise)


def test_a_corpus_of_many_small_record_files_runs_in_a_hundred_file_descriptors(tmp_path):
    """Each record file is a batch with spill files of its own, read by the corpus-wide
    step: they are not all kept open (300 files of one record took 900 descriptors and
    ended in "Too many open files" under the common limit of 1,024 at 700 files)."""
    import resource
    import subprocess
    import sys
    folder = tmp_path / "rows"
    folder.mkdir()
    for i in range(300):
        text = f"Record {i} is about item {i * 7} and nothing else.\nThe same closing line of every record here."
        (folder / f"{i:04d}.jsonl").write_text(json.dumps({"text": text}) + "\n", "utf-8")

    def few_descriptors():
        resource.setrlimit(resource.RLIMIT_NOFILE, (100, 100))
    run = subprocess.run([sys.executable, "-m", "dedup", "clean", "rows", "-o", "out", "-q", "-j", "2"], cwd=tmp_path,
                         capture_output=True, text=True, preexec_fn=few_descriptors, timeout=300)
    assert run.returncode == 0, run.stderr
    report = json.loads((tmp_path / "out" / "report.json").read_text("utf-8"))
    assert report["summary"]["documents"] == 300 and report["summary"]["lines_removed"] == 300   # the closing line: boilerplate


@pytest.mark.parametrize("compression,suffix", [("gzip", ".gz"), ("zstd", ".zst")])
def test_a_compressed_file_named_as_plain_jsonl_is_one_line_not_a_bad_row_a_line(tmp_path, compression, suffix):
    """Read as plain JSONL it was thousands of "not UTF-8" rows; it is one skipped file,
    named once however many parts it was cut into, saying what to name it."""
    rows = [json.dumps({"text": f"Row {n} of a file whose compressed name was lost."}) for n in range(50)]
    write_jsonl(tmp_path / "packed", rows, compression)
    (tmp_path / "data.jsonl").write_bytes((tmp_path / "packed").read_bytes() + os.urandom(3 << 20))   # more than one part
    result = CliRunner().invoke(main, ["clean", str(tmp_path / "data.jsonl"), "-o", str(tmp_path / "out"), "-j", "2"])
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "out" / "report.json").read_text("utf-8"))
    assert report["documents"] == [] and len(report["skipped"]) == 1
    name = "gzip" if suffix == ".gz" else "zstd"
    assert report["skipped"][0]["reason"] == (f"{name}-compressed, but named as plain JSONL: name it "
                                               f"data.jsonl{suffix} to read it")


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_copy_whose_original_changed_before_it_was_written_stays(tmp_path, monkeypatch, jobs):
    """The original is skipped, not written: its copies, whole or a line of them, keep
    their text, or it would be in no file of OUT (the input has it, untouched)."""
    from dedup import corpus_wide
    story = ("The harbour council met on Tuesday to discuss the new ferry timetable for the winter.\n"
             "Several residents asked for an earlier morning crossing to reach the mainland schools.\n")
    (tmp_path / "corpus" / "a").mkdir(parents=True)
    (tmp_path / "corpus" / "z").mkdir()
    (tmp_path / "corpus" / "a" / "first.txt").write_text(story, "utf-8")
    (tmp_path / "corpus" / "z" / "copy.txt").write_text(story, "utf-8")
    other = "A letter to the editor about something else entirely, in words of its own.\n" + story.splitlines()[1] + "\n"
    (tmp_path / "corpus" / "z" / "other.txt").write_text(other, "utf-8")
    real = corpus_wide.classify

    def classify_then_edit(*args, **kwargs):
        (tmp_path / "corpus" / "a" / "first.txt").write_text(story + "A line added meanwhile.\n", "utf-8")
        return real(*args, **kwargs)
    monkeypatch.setattr(corpus_wide, "classify", classify_then_edit)
    result = clean(["corpus", "-o", "out", "-j", jobs], tmp_path)
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "out" / "report.json").read_text("utf-8"))
    assert report["skipped"] == [{"path": "corpus/a/first.txt", "reason": "changed or vanished during the run; not written"}]
    assert (tmp_path / "out" / "z" / "copy.txt").read_text("utf-8") == story
    assert (tmp_path / "out" / "z" / "other.txt").read_text("utf-8") == other
    assert [d["status"] for d in report["documents"]] == ["kept", "kept"]
