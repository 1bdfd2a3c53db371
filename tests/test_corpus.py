"""Finding, reading and writing files."""
import os

import pytest

from dedup.corpus import Document, InputError, Skipped, discover, encode, read, write_atomic


def test_discover_sorted_recursive_with_globs(write_corpus):
    root = write_corpus({"b.txt": "x", "a/c.md": "x", "a/d.json": "x", ".hidden/e.txt": "x", "skip/f.txt": "x"})
    sources, skipped = discover([str(root)], ("*.txt", "*.md"), ("skip",), None)
    assert [s.relpath for s in sources] == ["a/c.md", "b.txt"]
    assert sources[0].path == f"{root.as_posix()}/a/c.md"
    assert skipped == []


def test_file_given_directly_goes_to_its_name(write_corpus):
    root = write_corpus({"x/y.txt": "x"})
    sources, _ = discover([str(root / "x" / "y.txt")], ("*.txt",), (), None)
    assert sources[0].relpath == "y.txt"


def test_output_inside_input_is_excluded(write_corpus):
    root = write_corpus({"a.txt": "x", "out/a.txt": "x"})
    sources, _ = discover([str(root)], ("*.txt",), (), str(root / "out"))
    assert [s.relpath for s in sources] == ["a.txt"]
    with pytest.raises(InputError, match="output folder is an input"):
        discover([str(root)], ("*.txt",), (), str(root))


def test_two_inputs_writing_the_same_file_is_an_error(write_corpus):
    root = write_corpus({"one/a.txt": "x", "two/a.txt": "y"})
    with pytest.raises(InputError, match="both be written to a.txt"):
        discover([str(root / "one"), str(root / "two")], ("*.txt",), (), None)


def test_symlinked_folder_loop_terminates(write_corpus):
    root = write_corpus({"a.txt": "x"})
    os.symlink(root, root / "loop")
    sources, _ = discover([str(root)], ("*.txt",), (), None)
    assert [s.relpath for s in sources] == ["a.txt"]


def test_read_keeps_bom_and_newlines(write_corpus):
    root = write_corpus({"a.txt": b"\xef\xbb\xbfone\r\ntwo\r"})
    sources, _ = discover([str(root)], ("*.txt",), (), None)
    doc = read(sources[0], False)
    assert isinstance(doc, Document) and doc.text == "\ufeffone\r\ntwo\r"
    assert encode(doc.text) == (root / "a.txt").read_bytes()


def test_undecodable_bytes_round_trip_when_kept(write_corpus):
    raw = b"ok \xff\xfe end\n"
    root = write_corpus({"a.txt": raw})
    sources, _ = discover([str(root)], ("*.txt",), (), None)
    assert read(sources[0], False) == Skipped(sources[0].path, "not UTF-8: undecodable byte at offset 3")
    doc = read(sources[0], True)
    assert doc.bad_bytes_at == 3 and encode(doc.text) == raw


def test_write_atomic_replaces_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "sub" / "f.txt"
    write_atomic(target, b"one")
    write_atomic(target, b"two")
    assert target.read_bytes() == b"two"
    assert os.listdir(target.parent) == ["f.txt"]
