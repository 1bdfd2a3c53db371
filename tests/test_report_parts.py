"""report.json of a large run: its documents in zstd-compressed parts beside it, the same
bytes whatever the batches, read back by every reader as if they were in one file."""
import errno
import json
import os
import shutil
import subprocess
import sys

import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

import dedup
from dedup import pipeline, report, report_parts

from .conftest import ROOT, SEEDS

GOLDEN_CORPUS = ROOT / "tests" / "golden" / "corpus"


def small_parts(monkeypatch, part_bytes=3_000):
    monkeypatch.setattr(report_parts, "PARTS_ABOVE", 0)
    monkeypatch.setattr(report_parts, "PART_BYTES", part_bytes)


def files(folder) -> dict:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def decompressed(path) -> bytes:
    with pa.CompressedInputStream(str(path), "zstd") as source:
        return source.read()


def test_a_large_report_is_in_parts_that_read_back_as_the_one_file(tmp_path, monkeypatch):
    whole = json.loads((dedup.clean(GOLDEN_CORPUS, tmp_path / "whole").path).read_text("utf-8"))
    small_parts(monkeypatch)
    parted = dedup.clean(GOLDEN_CORPUS, tmp_path / "parted", jobs=2)
    head = json.loads(parted.path.read_text("utf-8"))
    assert "documents" not in head and len(head["document_parts"]) > 2
    assert list(head) == [("document_parts" if k == "documents" else k) for k in whole]   # in its place
    documents = []
    for part in head["document_parts"]:
        data = decompressed(tmp_path / "parted" / part["file"])   # each part is a JSON file of its own
        assert len(data) == part["bytes"]
        listed = json.loads(data)
        assert len(listed) == part["documents"]
        documents += listed
    assert documents == whole["documents"]
    sizes = [part["bytes"] for part in head["document_parts"]]
    assert all(size >= 3_000 for size in sizes[:-1])                # cut at the first document end past the size
    loaded = report.load(parted.path)
    assert {**loaded, "output": None} == {**whole, "output": None}
    assert [d.path for d in parted.documents] == [d["path"] for d in whole["documents"]]
    assert dedup.load_report(tmp_path / "parted").documents == parted.documents


def test_the_parts_are_the_same_bytes_whatever_the_workers_and_batches(tmp_path, monkeypatch):
    small_parts(monkeypatch, 2_000)
    dedup.clean(GOLDEN_CORPUS, tmp_path / "a", jobs=1)
    monkeypatch.setattr(pipeline, "SHARD_BYTES", 1_500)             # many batches, cut elsewhere
    dedup.clean(GOLDEN_CORPUS, tmp_path / "b", jobs=2)
    a, b = files(tmp_path / "a"), files(tmp_path / "b")
    a["report.json"] = a["report.json"].replace(str(tmp_path / "a").encode(), str(tmp_path / "b").encode())
    assert a.keys() == b.keys() and sum(k.startswith(report_parts.FOLDER) for k in a) > 3
    assert a == b


@given(st.lists(st.lists(st.integers(1, 50), max_size=6), max_size=6), st.integers(1, 120))
def test_a_plan_covers_every_document_once_in_order_and_cuts_where_one_list_would(batches, part_bytes):
    """Documents of sizes `batches` (as report.document_lines lays them out: a separator
    before all but a batch's first): the parts hold them all, in order, and are cut at
    the same documents as the one batch of them all would be."""
    def bounds(sizes):
        out = [0]
        for i, size in enumerate(sizes):
            out.append(out[-1] + size + (2 if i else 0))
        return out
    plan = report_parts.plan([bounds(sizes) for sizes in batches], part_bytes)
    order = [(b, i) for b, sizes in enumerate(batches) for i in range(len(sizes))]
    assert [(b, i) for part in plan for b, lo, hi in part for i in range(lo, hi)] == order
    everything = [size for sizes in batches for size in sizes]
    one = report_parts.plan([bounds(everything)], part_bytes)
    assert [sum(hi - lo for _, lo, hi in part) for part in plan] == [hi - lo for [(_, lo, hi)] in one]
    counts = [hi - lo for [(_, lo, hi)] in one]
    ends = [sum(counts[:n + 1]) for n in range(len(counts))]
    for n, end in enumerate(ends):
        start = ends[n - 1] if n else 0
        held = everything[start:end]
        assert sum(held[:-1]) < part_bytes and (sum(held) >= part_bytes or end == len(everything))


def cli(*args, cwd):
    return subprocess.run([sys.executable, "-m", "dedup", *map(str, args)], cwd=cwd, capture_output=True, text=True)


def test_report_and_restore_read_a_journal_in_parts(tmp_path, monkeypatch):
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    shutil.copy(next(SEEDS.iterdir()), corpus / "zz-copy.txt")      # a whole copy: deleted in place
    before = files(corpus)
    small_parts(monkeypatch, 100)
    dedup.clean(corpus, tmp_path / "journal", in_place=True)
    assert files(corpus) != before and len(os.listdir(tmp_path / "journal" / report_parts.FOLDER)) == 3
    page = cli("report", "journal/report.json", "-o", "page.html", cwd=tmp_path)
    assert page.returncode == 0, page.stderr
    assert "zz-copy.txt" in (tmp_path / "page.html").read_text("utf-8")
    restored = cli("restore", "journal/report.json", cwd=tmp_path)
    assert restored.returncode == 0, restored.stderr
    assert files(corpus) == before


def test_an_in_place_journal_rewritten_after_a_failure_is_one_file_again(tmp_path, monkeypatch):
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    shutil.copy(next(SEEDS.iterdir()), corpus / "zz-copy.txt")
    small_parts(monkeypatch, 100)
    real = pipeline.rewrite_inputs

    def changed_first(journal, state):
        (corpus / "zz-copy.txt").write_text("changed by someone during the run\n", "utf-8")
        return real(journal, state)
    monkeypatch.setattr(pipeline, "rewrite_inputs", changed_first)
    result = dedup.clean(corpus, tmp_path / "journal", in_place=True)
    assert not (tmp_path / "journal" / report_parts.FOLDER).exists()
    data = json.loads((tmp_path / "journal" / "report.json").read_text("utf-8"))
    assert "document_parts" not in data and "zz-copy.txt" not in {os.path.basename(d["path"]) for d in data["documents"]}
    assert {s.reason for s in result.skipped} == {"changed during the run; not rewritten"}


def test_an_input_that_cannot_be_rewritten_is_left_and_listed_and_the_others_are_rewritten(tmp_path):
    """A file whose rewrite fails (here its temporary's name is taken by a folder; a
    read-only folder or a full disk alike) stays as it was, listed with the reason."""
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    shutil.copy(next(SEEDS.iterdir()), corpus / "zz-copy.txt")
    blocked = sorted(p.name for p in SEEDS.iterdir())[1]
    before = (corpus / blocked).read_bytes()
    (corpus / f".{blocked}.dedup-{os.getpid()}.tmp").mkdir()
    result = dedup.clean(corpus, tmp_path / "journal", in_place=True)
    assert (corpus / blocked).read_bytes() == before and not (corpus / "zz-copy.txt").exists()
    assert [(os.path.basename(s.path), s.reason.split(":")[0]) for s in result.skipped] == [
        (blocked, "could not be rewritten")]
    assert result.skipped[0].reason.endswith("; left as it was")
    assert cli("restore", "journal/report.json", cwd=tmp_path).returncode == 0


def test_a_failure_after_inputs_were_rewritten_says_how_to_undo(tmp_path, monkeypatch):
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    real = pipeline.rewrite_inputs

    def then_full(journal, state):
        real(journal, state)
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(pipeline, "rewrite_inputs", then_full)
    with pytest.raises(dedup.DedupError) as failed:
        dedup.clean(corpus, tmp_path / "journal", in_place=True)
    assert str(failed.value) == ("No space left on device after rewriting 2 of 2 input files; "
                                 f"`dedup restore {(tmp_path / 'journal' / 'report.json').as_posix()}` puts them back")


def damage_missing(part):
    part.unlink()


def damage_truncated(part):
    part.write_bytes(part.read_bytes()[:-7])


def damage_garbage(part):
    part.write_bytes(b"not zstd at all")


def damage_other_json(part):
    with pa.CompressedOutputStream(str(part), "zstd") as sink:
        sink.write(b'[{"path": "x"}]')


@pytest.mark.parametrize("damage", [damage_missing, damage_truncated, damage_garbage, damage_other_json])
def test_a_damaged_part_is_one_line_and_exit_2(tmp_path, monkeypatch, damage):
    small_parts(monkeypatch, 100)
    dedup.clean(SEEDS, tmp_path / "out")
    damage(tmp_path / "out" / report_parts.FOLDER / "00001.json.zst")
    for command in (["report", "out/report.json", "-o", "page.html"], ["restore", "out/report.json", "--to", "back"]):
        result = cli(*command, cwd=tmp_path)
        assert result.returncode == 2, result.stderr
        assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
        assert "report.documents/00001.json.zst" in result.stderr


def test_a_listing_that_points_outside_its_folder_is_refused(tmp_path, monkeypatch):
    small_parts(monkeypatch)
    dedup.clean(SEEDS, tmp_path / "out")
    data = json.loads((tmp_path / "out" / "report.json").read_text("utf-8"))
    data["document_parts"][0]["file"] = "../secret.json.zst"
    (tmp_path / "out" / "report.json").write_text(json.dumps(data), "utf-8")
    with pytest.raises(report.ReportError, match="outside its folder"):
        report.load(tmp_path / "out" / "report.json")
