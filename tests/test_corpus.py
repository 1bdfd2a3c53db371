"""Finding, reading and writing files."""
import gzip
import os
import socket
from pathlib import Path

import pytest

from dedup import output
from dedup.corpus import Document, InputError, Skipped, discover, encode, read, write_atomic


def test_discover_sorted_recursive_with_globs(write_corpus):
    root = write_corpus({"b.txt": "x", "a/c.md": "x", "a/d.json": "x", ".hidden/e.txt": "x", "skip/f.txt": "x"})
    found = discover([str(root)], ("*.txt", "*.md"), ("skip",))
    assert [s.relpath for s in found.sources] == ["a/c.md", "b.txt"]
    assert found.sources[0].path == f"{root.as_posix()}/a/c.md"
    assert found.skipped == [] and found.outputs == []


def test_file_given_directly_goes_to_its_name(write_corpus):
    root = write_corpus({"x/y.txt": "x"})
    sources = discover([str(root / "x" / "y.txt")], ("*.txt",), ()).sources
    assert sources[0].relpath == "y.txt"


def test_marked_output_folders_are_never_entered(write_corpus):
    root = write_corpus({"a.txt": "x", "out/a.txt": "x", "deep/er/b.txt": "x", "keep/c.txt": "x"})
    output.write_marker(root / "out")
    output.write_marker(root / "deep" / "er")
    found = discover([str(root)], ("*",), ())   # an --include of everything does not bring them back
    assert [s.relpath for s in found.sources] == ["a.txt", "keep/c.txt"]
    assert found.outputs == [f"{root.as_posix()}/deep/er", f"{root.as_posix()}/out"]
    # given directly, an output folder or a file inside one is not read either
    found = discover([str(root / "out"), str(root / "deep" / "er" / "b.txt"), str(root / "keep")], ("*.txt",), ())
    assert [s.relpath for s in found.sources] == ["c.txt"]
    assert found.outputs == [f"{root.as_posix()}/deep/er/b.txt", f"{root.as_posix()}/out"]


def test_an_unmarked_output_of_dedup_0_1_0_is_recognised(write_corpus):
    def report(output):
        return '{\n "format": "dedup-report",\n "format_version": 1,\n "inputs": ["x"],\n "output": "%s"\n}' % output
    root = write_corpus({"a.txt": "x", "dedup-out/a.txt": "x", "dedup-out/report.json": report("runs/dedup-out"),
                         "kept/report.json": report("out"), "kept/report.html": "<!DOCTYPE html>", "kept/c.txt": "x",
                         "mine/report.json": '{"format": "something else"}', "mine/b.txt": "x"})
    found = discover([str(root)], ("*.txt",), ())
    assert [s.relpath for s in found.sources] == ["a.txt", "kept/c.txt", "mine/b.txt"]
    assert found.outputs == [f"{root.as_posix()}/dedup-out"]


def test_a_report_copied_into_a_projects_root_does_not_hide_the_corpus_below_it(write_corpus):
    """A report.json (and its page) kept in a project's root, beside the corpus, names
    another folder as its output: that root is no output, and the corpus under it is
    read, given from there or from inside."""
    root = write_corpus({"report.json": '{\n "format": "dedup-report",\n "format_version": 1,\n "output": "out"\n}',
                         "report.html": "<!DOCTYPE html>", "corpus/a.txt": "x", "corpus/b.txt": "y"})
    for given in (root, root / "corpus"):
        found = discover([str(given)], ("*.txt",), ())
        assert [Path(s.path).name for s in found.sources] == ["a.txt", "b.txt"] and found.outputs == []


def test_two_inputs_writing_the_same_file_is_an_error(write_corpus):
    root = write_corpus({"one/a.txt": "x", "two/a.txt": "y"})
    with pytest.raises(InputError, match="both be written to a.txt"):
        discover([str(root / "one"), str(root / "two")], ("*.txt",), ())


def test_symlinked_folder_loop_terminates(write_corpus):
    root = write_corpus({"a.txt": "x"})
    os.symlink(root, root / "loop")
    sources = discover([str(root)], ("*.txt",), ()).sources
    assert [s.relpath for s in sources] == ["a.txt"]


def test_read_keeps_bom_and_newlines(write_corpus):
    root = write_corpus({"a.txt": b"\xef\xbb\xbfone\r\ntwo\r"})
    sources = discover([str(root)], ("*.txt",), ()).sources
    doc = read(sources[0], False)
    assert isinstance(doc, Document) and doc.text == "\ufeffone\r\ntwo\r"
    assert encode(doc.text) == (root / "a.txt").read_bytes()


def test_undecodable_bytes_round_trip_when_kept(write_corpus):
    raw = b"ok \xff\xfe end\n"
    root = write_corpus({"a.txt": raw})
    sources = discover([str(root)], ("*.txt",), ()).sources
    assert read(sources[0], False) == Skipped(sources[0].path, "not UTF-8: undecodable byte at offset 3")
    doc = read(sources[0], True)
    assert doc.bad_bytes_at == 3 and encode(doc.text) == raw


def test_write_atomic_replaces_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "sub" / "f.txt"
    write_atomic(target, b"one")
    write_atomic(target, b"two")
    assert target.read_bytes() == b"two"
    assert os.listdir(target.parent) == ["f.txt"]


def test_fifos_sockets_and_devices_are_listed_and_never_opened(write_corpus, tmp_path):
    root = write_corpus({"a.txt": "text"})
    os.mkfifo(root / "pipe.txt")      # opening it for reading would block the run for ever
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(root / "sock.txt"))
    os.symlink("/dev/null", root / "null.txt")
    try:
        found = discover([str(root)], ("*.txt",), ())
        reasons = {os.path.basename(s.path): s.reason for s in found.skipped}
        assert reasons == {"pipe.txt": "a FIFO (named pipe); not read", "sock.txt": "a socket; not read"}
        by_name = {os.path.basename(s.path): s for s in found.sources}
        assert sorted(by_name) == ["a.txt", "null.txt"]   # a symlink: what it points at is known on reading
        assert read(by_name["null.txt"], False) == Skipped(by_name["null.txt"].path, "a character device; not read")
        for named, kind in ((root / "pipe.txt", "a FIFO (named pipe)"), (Path("/dev/zero"), "a character device"),
                            (root / "null.txt", "a character device")):   # named on the command line
            given = discover([str(named)], ("*.txt",), (), "jsonl")   # (a JSONL row per line: /dev/zero has none)
            assert given.sources == [] and [s.reason for s in given.skipped] == [f"{kind}; not read"]
    finally:
        sock.close()


@pytest.mark.parametrize("data, name", [
    (gzip.compress(b"text\n"), "gzip-compressed"), (b"\x28\xb5\x2f\xfd" + b"x" * 20, "zstd-compressed"),
    (b"PK\x03\x04" + b"x" * 20, "zip archive"), (b"PAR1" + b"x" * 20, "Parquet"), (b"%PDF-1.7\n", "PDF"),
])
def test_compressed_and_binary_formats_are_named(write_corpus, data, name):
    root = write_corpus({"a.txt": data})
    source = discover([str(root)], ("*.txt",), ()).sources[0]
    assert read(source, False) == Skipped(source.path, f"{name} file, not plain text")


def test_an_unreadable_folder_is_listed_and_the_rest_is_read(write_corpus, monkeypatch):
    root = write_corpus({"ok/a.txt": "x", "locked/b.txt": "y"})
    real_scandir = os.scandir

    def scandir(path):
        if os.fspath(path).endswith("locked"):
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)
    monkeypatch.setattr(os, "scandir", scandir)
    found = discover([str(root)], ("*.txt",), ())
    assert [s.relpath for s in found.sources] == ["ok/a.txt"]
    assert found.skipped == [Skipped(f"{root.as_posix()}/locked", "unreadable folder: Permission denied")]


def test_a_nested_file_given_again_beside_its_folder_is_read_once(write_corpus):
    root = write_corpus({"a/b/c.txt": "x", "a/d.txt": "y"})
    sources = discover([str(root), str(root / "a" / "b" / "c.txt")], ("*.txt",), ()).sources
    assert [s.relpath for s in sources] == ["a/b/c.txt", "a/d.txt"]


def test_a_symlinked_file_is_read_once_under_its_own_name_and_the_link_is_listed(write_corpus, tmp_path):
    """A link to a file of the corpus leaves that file to be cleaned under its own name
    (never dropped unlisted); links to one file outside it are read by the first."""
    root = write_corpus({"b.txt": "x", "c.txt": "z"})
    os.symlink("b.txt", root / "a-link.txt")
    outside = tmp_path / "elsewhere.txt"
    outside.write_text("y")
    os.symlink(outside, root / "o1.txt")
    os.symlink(outside, root / "o2.txt")
    found = discover([str(root)], ("*.txt",), ())
    assert [s.relpath for s in found.sources] == ["b.txt", "c.txt", "o1.txt"]
    assert [(s.path.split("/")[-1], s.reason.split("/")[-1]) for s in found.skipped] == [
        ("a-link.txt", "b.txt, which is read; not read twice"), ("o2.txt", "o1.txt, which is read; not read twice")]
    assert all(s.reason.startswith("a link to ") for s in found.skipped)
    again = discover([str(root), str(root / "b.txt")], ("*.txt",), ())   # a file given twice: read once
    assert [s.relpath for s in again.sources] == ["b.txt", "c.txt", "o1.txt"]


def test_a_file_deep_inside_an_output_folder_is_not_read(write_corpus):
    root = write_corpus({"out/sub/deeper/x.txt": "x", "y.txt": "y"})
    output.write_marker(root / "out")
    found = discover([str(root / "out" / "sub" / "deeper" / "x.txt"), str(root / "y.txt")], ("*.txt",), ())
    assert [s.relpath for s in found.sources] == ["y.txt"]


@pytest.mark.parametrize("encoding, name", [("utf-16", "UTF-16"), ("utf-32", "UTF-32")])
def test_a_wide_text_file_is_named_as_what_it_is(write_corpus, encoding, name):
    """UTF-16 or UTF-32 text with its byte-order mark: no "binary file", but how to convert it."""
    from dedup.corpus import Source
    root = write_corpus({})
    (root / "wide.txt").write_bytes("Bonjour à tous\n".encode(encoding))   # (Python writes the mark)
    got = read(Source("wide.txt", str(root / "wide.txt"), "wide.txt"), False)
    assert got == Skipped("wide.txt", f"{name} text (it starts with that byte-order mark), not UTF-8: convert it "
                                      f"(iconv -f {name} -t UTF-8)")


def test_read_a_folder_and_the_binary_sniff(write_corpus):
    from dedup.corpus import Source
    root = write_corpus({"d/x.txt": "x"})
    assert read(Source("d", str(root / "d"), "d"), False) == Skipped("d", "is a folder")
    (root / "two.txt").write_bytes(b"ab\x00cd\x00ef")
    source = Source("two.txt", str(root / "two.txt"), "sub/two.txt")
    assert read(source, False) == Skipped("two.txt", "binary file (NUL byte at offset 2)")
    (root / "late.txt").write_bytes(b"a" * 70_000 + b"\x00")   # past the 64 KiB sniffed: read as text
    late = read(Source("late.txt", str(root / "late.txt"), "sub/late.txt"), False)
    assert isinstance(late, Document) and late.relpath == "sub/late.txt" and len(late.text) == 70_001
    (root / "bad.txt").write_bytes(b"caf\xe9")
    kept = read(Source("bad.txt", str(root / "bad.txt"), "sub/bad.txt"), True)
    assert (kept.path, kept.relpath, kept.bad_bytes_at) == ("bad.txt", "sub/bad.txt", 3)


def test_a_file_swapped_for_a_fifo_between_stat_and_open_is_not_read(write_corpus, monkeypatch):
    """The opened file is checked again: a regular file at stat time may be something
    else by the time it is opened (its fstat says so; here it is made to say so)."""
    import stat as stat_module
    from dedup.corpus import Source
    root = write_corpus({"a.txt": "text"})
    real_fstat = os.fstat
    monkeypatch.setattr(os, "fstat", lambda fd: os.stat_result((stat_module.S_IFIFO | 0o644,) + tuple(real_fstat(fd))[1:]))
    assert read(Source("a.txt", str(root / "a.txt"), "a.txt"), False) == Skipped("a.txt", "not a regular file; not read")


def test_write_atomic_makes_folders_keeps_the_mode_and_cleans_up_after_a_failure(tmp_path):
    model = tmp_path / "model.txt"
    model.write_bytes(b"m")
    os.chmod(model, 0o640)
    target = tmp_path / "a" / "b" / "f.txt"
    write_atomic(target, b"data", str(model))
    assert target.read_bytes() == b"data" and os.stat(target).st_mode & 0o7777 == 0o640
    with pytest.raises(FileNotFoundError):
        write_atomic(target, b"new", str(tmp_path / "no-such-model"))
    assert target.read_bytes() == b"data" and os.listdir(target.parent) == ["f.txt"]


def test_of_corpus_keeps_the_named_paths_a_walk_of_the_corpus_would_take(tmp_path, monkeypatch):
    from dedup.corpus import of_corpus
    monkeypatch.chdir(tmp_path)
    for name in ("data/a.txt", "data/b.md", "data/rows.jsonl", "data/tool.py", "data/.hidden/c.txt",
                 "data/drafts/d.txt", "data/sub/e.txt", "notes.txt"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("text")
    named = ["data/a.txt", "data/b.md", "data/rows.jsonl", "data/tool.py", "data/.hidden/c.txt", "data/drafts/d.txt",
             "data/sub/e.txt", "notes.txt", "data/sub"]
    include, exclude = ("*.txt", "*.md", "*.jsonl"), ("drafts",)
    assert of_corpus(named, "data", include, exclude, "auto", text_only=False) == [
        "data/a.txt", "data/b.md", "data/rows.jsonl", "data/sub/e.txt", "data/sub"]
    assert of_corpus(named, "data", include, exclude, "auto", text_only=True) == [
        "data/a.txt", "data/b.md", "data/sub/e.txt", "data/sub"]
    assert of_corpus(named, ".", include, (), "auto", text_only=True) == [
        "data/a.txt", "data/b.md", "data/drafts/d.txt", "data/sub/e.txt", "notes.txt", "data/sub"]
    with pytest.raises(InputError, match="gone.txt: no such file or folder"):
        of_corpus(["gone.txt"], ".", include, exclude, "auto", text_only=True)
