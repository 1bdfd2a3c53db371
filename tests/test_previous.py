"""--against PREVIOUS_OUT: a run removes what repeats an earlier run's kept corpus, from the
index that run saved in its -o, without reading the old corpus; runs chain; an index built
with other settings is refused in one line."""
import json
import random
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from dedup import previous
from dedup.rules import against
from dedup.cli import main

WORDS = ("river city council school market bridge farmer doctor teacher harbour station festival "
         "minister police museum railway factory island mountain village garden library hospital").split()


def _article(seed: int, lines: int = 6) -> str:
    rng = random.Random(seed)
    return "".join(" ".join(rng.choice(WORDS) for _ in range(rng.randint(9, 16))).capitalize() + ".\n"
                   for _ in range(lines))


def _write(folder: Path, texts: dict[str, str]) -> None:
    folder.mkdir(parents=True)
    for name, text in texts.items():
        (folder / name).write_text(text, "utf-8")


def _clean(tmp_path: Path, *args: str):
    result = CliRunner().invoke(main, ["clean", *args, "-q"], catch_exceptions=False)
    return result


def _removed(out: Path) -> dict[str, list]:
    report = json.loads((out / "report.json").read_text("utf-8"))
    return {Path(d["path"]).name: [(r["rule"], r["evidence"].get("original"), r["evidence"].get("similarity"))
                                   for r in d["removed"]] for d in report["documents"]}


def test_a_second_run_removes_what_repeats_the_first_and_keeps_what_is_new(tmp_path):
    old = {f"a{i}.txt": _article(i) for i in range(6)}
    _write(tmp_path / "m1", old)
    assert _clean(tmp_path, str(tmp_path / "m1"), "-o", str(tmp_path / "out1")).exit_code == 0
    near = old["a2.txt"].replace("river", "stream", 1).replace("city", "town", 1)
    quoted = _article(100, 3) + old["a3.txt"].splitlines(keepends=True)[2] + _article(101, 2)
    _write(tmp_path / "m2", {"b0.txt": old["a1.txt"], "b1.txt": near, "b2.txt": quoted, "b3.txt": _article(200),
                            "b4.txt": _article(400) + "\n" + old["a5.txt"]})
    result = _clean(tmp_path, str(tmp_path / "m2"), "-o", str(tmp_path / "out2"), "--against", str(tmp_path / "out1"))
    assert result.exit_code == 0, result.output
    removed = _removed(tmp_path / "out2")
    run = str(tmp_path / "out1")
    assert removed["b0.txt"] == [("exact-document", {"path": f"{tmp_path}/m1/a1.txt", "run": run}, 1.0)]
    [(rule, original, similarity)] = removed["b1.txt"]
    assert (rule, original) == ("near-document", {"path": f"{tmp_path}/m1/a2.txt", "run": run})
    assert 0.8 <= similarity < 1.0
    assert removed["b2.txt"] == [("exact-line", {"path": f"{tmp_path}/m1/a3.txt", "run": run, "lines": [3, 3]}, 1.0)]
    assert removed["b3.txt"] == []
    assert removed["b4.txt"] == [("exact-paragraph", {"path": f"{tmp_path}/m1/a5.txt", "run": run, "lines": [1, 6]},
                                  1.0)] * 6   # a span per line, as for a paragraph copied inside one run
    assert sorted(p.name for p in (tmp_path / "out2").glob("*.txt")) == ["b2.txt", "b3.txt", "b4.txt"]

    # the second run's index holds the first's too: a third run against it sees both
    _write(tmp_path / "m3", {"c0.txt": old["a4.txt"], "c1.txt": _article(200), "c2.txt": _article(300)})
    assert _clean(tmp_path, str(tmp_path / "m3"), "-o", str(tmp_path / "out3"),
                  "--against", str(tmp_path / "out2")).exit_code == 0
    removed = _removed(tmp_path / "out3")
    assert removed["c0.txt"][0][:2] == ("exact-document", {"path": f"{tmp_path}/m1/a4.txt", "run": str(tmp_path / "out1")})
    assert removed["c1.txt"][0][:2] == ("exact-document", {"path": f"{tmp_path}/m2/b3.txt", "run": str(tmp_path / "out2")})
    assert removed["c2.txt"] == []


def test_what_a_run_removed_is_not_in_its_index(tmp_path):
    """A removed copy, a removed line: only the kept corpus is saved."""
    text = _article(1)
    _write(tmp_path / "m1", {"a.txt": text, "b.txt": text, "c.txt": _article(2) + text.splitlines(keepends=True)[0]})
    assert _clean(tmp_path, str(tmp_path / "m1"), "-o", str(tmp_path / "out1")).exit_code == 0
    saved = previous.load(str(tmp_path / "out1"), __import__("dedup.config").config.Settings())
    assert [(run, Path(p).name) for run, p in saved.paths] == [(str(tmp_path / "out1"), "a.txt"),
                                                               (str(tmp_path / "out1"), "c.txt")]
    assert len(saved.line_hash) == 6 + 6   # c.txt's copy of a.txt's first line is not there twice
    assert sorted(saved.line_where[:, 0].tolist()) == [0] * 6 + [1] * 6


def test_an_index_with_other_settings_or_none_is_refused_in_one_line(tmp_path):
    _write(tmp_path / "m1", {"a.txt": _article(1)})
    assert _clean(tmp_path, str(tmp_path / "m1"), "-o", str(tmp_path / "out1"), "--shingle-size", "3").exit_code == 0
    result = CliRunner().invoke(main, ["clean", str(tmp_path / "m1"), "-o", str(tmp_path / "out2"),
                                       "--against", str(tmp_path / "out1")])
    assert result.exit_code == 2
    assert result.output == (f"dedup: error: {tmp_path / 'out1'}: its index was built with other settings "
                             "(shingle_size = 3 there, 5 here)\n")
    result = CliRunner().invoke(main, ["clean", str(tmp_path / "m1"), "-o", str(tmp_path / "out2"),
                                       "--against", str(tmp_path / "m1")])
    assert result.exit_code == 2
    assert "no dedup index in it" in result.output and not (tmp_path / "out2").exists()


@pytest.mark.parametrize("damage, message", [
    (lambda ix: (ix / "paths.json").write_text('{"paths": 5}'), "paths.json is not a list of [run, path] pairs"),
    (lambda ix: (ix / "paths.json").write_text("[[null, 1], [null, 2]]"), "paths.json is not a list"),
    (lambda ix: np.save(ix / "signatures.npy", np.load(ix / "signatures.npy")[:1]), "signatures.npy holds (1, 128)"),
    (lambda ix: np.save(ix / "line_where.npy", np.load(ix / "line_where.npy")[:-1]), "line_hash.npy and line_where"),
    (lambda ix: (ix / "index.json").write_text(json.dumps({**json.loads((ix / "index.json").read_text()),
                                                            "documents": 7})), "index.json says 7 documents"),
    (lambda ix: (ix / "index.json").write_text("[1]"), "has format None"),
    (lambda ix: np.save(ix / "digests.npy", np.load(ix / "digests.npy").astype(np.float64)),
     "digests.npy holds float64, not uint8"),
    (lambda ix: (ix / "digests.npy").write_bytes(b""), "its dedup index cannot be read (No data left in file)"),
    (lambda ix: np.save(ix / "line_where.npy", np.load(ix / "line_where.npy") * [10 ** 6, 1]),
     "line_where.npy names documents outside the 2 of paths.json"),
    (lambda ix: np.save(ix / "paragraph_where.npy", np.load(ix / "paragraph_where.npy") * [-1, 1, 1] - [1, 0, 0]),
     "paragraph_where.npy names documents outside the 2 of paths.json"),
])
def test_a_damaged_index_is_refused_in_one_line(tmp_path, damage, message):
    """--against reads the saved files as they are: one edited or cut short is said, never
    read past its end or taken for a smaller corpus."""
    _write(tmp_path / "m1", {"a.txt": _article(1), "b.txt": _article(2)})
    assert _clean(tmp_path, str(tmp_path / "m1"), "-o", str(tmp_path / "out1")).exit_code == 0
    damage(tmp_path / "out1" / previous.FOLDER)
    result = CliRunner().invoke(main, ["clean", str(tmp_path / "m1"), "-o", str(tmp_path / "out2"),
                                       "--against", str(tmp_path / "out1")])
    assert result.exit_code == 2, result.output
    assert result.output.startswith(f"dedup: error: {tmp_path / 'out1'}: ") and message in result.output
    assert result.output.count("\n") == 1 and not (tmp_path / "out2").exists()


def test_only_what_is_near_enough_goes_and_every_copy_points_to_the_old_original(tmp_path):
    old = {f"a{i}.txt": _article(i, 10) for i in range(3)}
    x_lines = old["a0.txt"].splitlines(keepends=True)
    y_lines = _article(50, 6).splitlines(keepends=True)
    y_lines[2] = x_lines[0]                       # removed from y in the first run, as a copy of x's first line
    old["y.txt"] = "".join(y_lines)
    _write(tmp_path / "m1", old)
    assert _clean(tmp_path, str(tmp_path / "m1"), "-o", str(tmp_path / "out1")).exit_code == 0
    half = "".join(old["a1.txt"].splitlines(keepends=True)[:6]) + _article(60, 4)   # about 0.4 similar
    _write(tmp_path / "m2", {"b0.txt": old["a2.txt"], "b1.txt": old["a2.txt"], "b2.txt": half,
                             "b3.txt": "".join(y_lines) + "\n" + _article(70, 3)})
    assert _clean(tmp_path, str(tmp_path / "m2"), "-o", str(tmp_path / "out2"),
                  "--against", str(tmp_path / "out1")).exit_code == 0
    removed = _removed(tmp_path / "out2")
    a2 = {"path": f"{tmp_path}/m1/a2.txt", "run": str(tmp_path / "out1")}
    assert removed["b0.txt"] == removed["b1.txt"] == [("exact-document", a2, 1.0)]
    assert {rule for rule, _, _ in removed["b2.txt"]} == {"exact-line"}   # its six old lines, not the document
    # y's paragraph lost a line in the first run, so it is not saved whole: its lines are matched one by one
    assert [(rule, original["path"].rsplit("/", 1)[1], original["lines"]) for rule, original, _ in removed["b3.txt"]] == [
        ("exact-line", "y.txt", [1, 1]), ("exact-line", "y.txt", [2, 2]), ("exact-line", "a0.txt", [1, 1]),
        ("exact-line", "y.txt", [4, 4]), ("exact-line", "y.txt", [5, 5]), ("exact-line", "y.txt", [6, 6])]


def test_near_documents_takes_the_most_similar_candidate_at_or_over_the_threshold():
    import numpy as np
    from dedup.config import Settings
    settings = Settings()
    bands, rows = settings.lsh_params
    rng = np.random.default_rng(0)
    old = rng.integers(0, 2**32, (3, settings.num_perm), dtype=np.uint64).astype(np.uint32)
    old[2, :bands * rows // 2] = old[1, :bands * rows // 2]   # shares half its bands with document 1

    def changed(sig, share):   # the first band kept, so the two are candidates whatever the share
        out = sig.copy()
        n = int(round(share * settings.num_perm))
        out[rows:rows + n] = out[rows:rows + n] ^ 1
        return out
    empty = np.empty((0,), np.uint64)
    prev = previous.Previous("old", [("old", f"d{i}") for i in range(3)], np.zeros((3, 16), np.uint8), old,
                             empty, np.empty((0, 2), np.int64), empty, np.empty((0, 3), np.int64))
    new = np.stack([changed(old[0], 0.1), changed(old[0], 0.3), changed(old[2], 0.0), rng.integers(
        0, 2**32, settings.num_perm, dtype=np.uint64).astype(np.uint32)])
    found = against.near_documents(prev, new, settings)
    assert found[0] == (0, round(1 - round(0.1 * settings.num_perm) / settings.num_perm, 4))
    assert found[1] is None            # a candidate, but about 0.7 similar
    assert found[2] == (2, 1.0)        # document 1 is a candidate too (half the bands), and less similar
    assert found[3] is None


def _index_reference(table, decisions, settings):
    """What the index holds, document by document: the kept documents' lines long enough
    to be copies alone and not taken, and their paragraphs of which no line was taken,
    each as (hash, where), in hash order (stable)."""
    from dedup.content import content_digests, content_rows
    _, has = content_digests(table, content_rows(table, settings))
    lines, paragraphs, doc = [], [], 0
    for d in range(table.documents):
        if not has[d] or decisions.dropped(d):
            continue
        taken = set(decisions.lines(d))
        for r in range(int(table.cut[d]), int(table.cut[d + 1])):
            if table.words[r] >= settings.min_duplicate_words and int(table.line[r]) not in taken:
                lines.append((int(table.hash[r]), [doc, int(table.line[r]) + 1]))
        for p in range(int(table.paragraph_cut[d]), int(table.paragraph_cut[d + 1])):
            first, last = int(table.paragraph_first[p]), int(table.paragraph_last[p])
            if not any(int(table.line[r]) in taken for r in range(first, last + 1)):
                paragraphs.append((int(table.paragraph_hash[p]), [doc, int(table.line[first]) + 1, int(table.line[last]) + 1]))
        doc += 1
    return sorted(lines, key=lambda x: x[0]), sorted(paragraphs, key=lambda x: x[0])


def test_the_index_holds_each_kept_documents_untaken_lines_and_paragraphs(tmp_path):
    """Saved from the whole table at once: the same lines and paragraphs, with the same
    places, as read document by document; with the default order and --keep longest."""
    import numpy as np
    from dedup import lexicon
    from dedup import table as tables
    from dedup.classify import classify
    from dedup.config import Settings
    from dedup.corpus import Document
    from dedup.sketch import sketch_many
    rng = random.Random(5)
    texts = {}
    for i in range(24):
        blocks = [_article(rng.randrange(60), rng.randint(1, 4)) for _ in range(rng.randint(1, 4))]
        if i % 5 == 1:
            blocks.insert(1, "Related articles\n" * 3)   # taken by repeated-in-document, inside a paragraph
        texts[f"d{i:02d}.txt"] = "\n".join(blocks)
    texts["e00.txt"] = texts["d03.txt"]   # a copy: dropped
    for keep in ("first", "longest"):
        settings = Settings(keep=keep)
        docs = [Document(name, name, text) for name, text in sorted(texts.items())]
        table = tables.of(sketch_many(docs, settings, lexicon.load()))
        decisions = classify(table, settings)
        folder = tmp_path / keep
        folder.mkdir()
        previous.save(folder, tables.for_index(table), decisions, settings, None)
        saved = {name: np.load(folder / previous.FOLDER / f"{name}.npy") for name in previous.ARRAYS}
        lines, paragraphs = _index_reference(table, decisions, settings)
        assert len(paragraphs) >= 5 and len(lines) >= 50
        assert [(int(h), w) for h, w in zip(saved["line_hash"], saved["line_where"].tolist())] == lines
        assert [(int(h), w) for h, w in zip(saved["paragraph_hash"], saved["paragraph_where"].tolist())] == paragraphs
        assert any(decisions.lines(d) for d in range(table.documents))
