"""`dedup restore`: every original back, byte for byte, from a report; what cannot be
restored is said, with the reason."""
import hashlib
import json
import os
import shutil
from pathlib import Path

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dedup import corpus as corpus_mod
from dedup.cli import main

from .conftest import HINDI, SEEDS, URDU


def run(*args, cwd):
    old = os.getcwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(main, list(map(str, args)), catch_exceptions=False)
    finally:
        os.chdir(old)


def tree(folder: Path) -> dict:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def seeded(tmp_path) -> Path:
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    shutil.copy(HINDI, corpus / "zz-copy.txt")      # a whole duplicate: deleted in place
    (corpus / "plain.txt").write_bytes(b"Nothing to remove in this one.\r\n")
    os.chmod(corpus / "plain.txt", 0o640)
    return corpus


def test_in_place_then_restore_is_the_identity_and_says_what_it_did(tmp_path):
    corpus = seeded(tmp_path)
    before = tree(corpus)
    result = run("clean", "--in-place", "corpus", "-o", "journal", cwd=tmp_path)
    assert result.exit_code == 0, result.output
    assert not (corpus / "zz-copy.txt").exists()
    assert tree(corpus) != before
    assert "1 deleted" in result.output and "undo: dedup restore journal/report.json" in result.output
    restored = run("restore", "journal/report.json", cwd=tmp_path)
    assert restored.exit_code == 0, restored.output
    assert tree(corpus) == before
    assert oct(os.stat(corpus / "plain.txt").st_mode & 0o777) == "0o640"   # never rewritten
    lines = restored.output.splitlines()
    assert sorted(lines[:-1]) == [f"restored corpus/{n}" for n in sorted([HINDI.name, URDU.name, "zz-copy.txt"])]
    assert lines[-1] == "dedup: 3 restored, 1 already original, 0 not restored"
    again = run("restore", "journal/report.json", cwd=tmp_path)       # safe to run twice
    assert again.exit_code == 0 and again.output == "dedup: 0 restored, 4 already original, 0 not restored\n"


def test_restore_reaches_every_point_of_a_cut_run(tmp_path):
    """One file not yet rewritten, one rewritten, one deleted, one rewrite's temporary left."""
    corpus = seeded(tmp_path)
    before = tree(corpus)
    assert run("clean", "--dry-run", "corpus", "-o", "plan", cwd=tmp_path).exit_code == 0
    report = json.loads((tmp_path / "plan" / "report.json").read_text("utf-8"))
    report["mode"] = "in-place"                       # the journal of a run cut short
    for doc in report["documents"]:
        doc["output"] = doc["path"] if doc["status"] != "removed" else None
    (tmp_path / "journal.json").write_text(json.dumps(report), encoding="utf-8")
    by_name = {Path(d["path"]).name: d for d in report["documents"]}
    from dedup.plan import apply_json
    hindi = by_name[HINDI.name]
    (corpus / HINDI.name).write_text(apply_json(HINDI.read_text("utf-8"), hindi["removed"]), encoding="utf-8")
    os.unlink(corpus / "zz-copy.txt")
    (corpus / f".{URDU.name}.dedup-4242.tmp").write_text("half")
    result = run("restore", "journal.json", cwd=tmp_path)
    assert result.exit_code == 0, result.output
    assert tree(corpus) == before                     # the temporary is gone too
    assert result.output.splitlines()[-1] == "dedup: 2 restored, 2 already original, 0 not restored"


def test_what_cannot_be_restored_is_listed_with_its_reason(tmp_path):
    corpus = seeded(tmp_path)
    assert run("clean", "--in-place", "corpus", "-o", "journal", cwd=tmp_path).exit_code == 0
    (corpus / HINDI.name).write_text("edited after the run\n", encoding="utf-8")
    os.unlink(corpus / "plain.txt")                   # kept as it was, so the report holds no text of it
    result = run("restore", "journal/report.json", cwd=tmp_path)
    assert result.exit_code == 1
    out = result.output.splitlines()
    assert f"not restored corpus/{HINDI.name}: changed since the run: the text rebuilt from it does not match " \
           f"the original's sha256" in out
    assert "not restored corpus/plain.txt: corpus/plain.txt is gone, and the report holds only the " \
           "removed spans" in out
    assert out[-1] == "dedup: 2 restored, 0 already original, 2 not restored"
    assert (corpus / HINDI.name).read_text("utf-8") == "edited after the run\n"   # never overwritten


def test_a_normal_run_is_rebuilt_elsewhere_with_to(tmp_path):
    corpus = seeded(tmp_path)
    before = tree(corpus)
    assert run("clean", "corpus", "-o", "out", cwd=tmp_path).exit_code == 0
    refused = run("restore", "out/report.json", cwd=tmp_path)
    assert refused.exit_code == 2
    assert refused.output == ("dedup: error: out/report.json: this run left its inputs as they were; "
                              "give a folder to rebuild the originals in (--to DIR)\n")
    shutil.rmtree(corpus)                             # the originals are gone: out/ and the report suffice
    result = run("restore", "out/report.json", "--to", "back", cwd=tmp_path)
    assert result.exit_code == 0, result.output
    assert tree(tmp_path / "back") == before


def test_a_report_path_that_leads_out_of_the_target_is_refused(tmp_path):
    corpus = seeded(tmp_path)
    assert run("clean", "corpus", "-o", "out", cwd=tmp_path).exit_code == 0
    report = json.loads((tmp_path / "out" / "report.json").read_text("utf-8"))
    report["documents"][0]["relpath"] = "../../escaped.txt"
    (tmp_path / "out" / "report.json").write_text(json.dumps(report), encoding="utf-8")
    result = run("restore", "out/report.json", "--to", "back", cwd=tmp_path)
    assert result.exit_code == 1
    first = report["documents"][0]["path"]
    assert f"not restored {first}: its path leads out of the target folder" in result.output.splitlines()
    assert not (tmp_path.parent / "escaped.txt").exists()
    # one bad path does not stop the others: every other document is rebuilt under back/
    others = [d["relpath"] for d in report["documents"][1:]]
    assert others and all((tmp_path / "back" / rel).is_file() for rel in others)
    assert result.output.splitlines()[-1] == (f"dedup: {len(others)} restored, 0 already original, 1 not restored (under back)")


def test_an_in_place_report_naming_files_outside_the_runs_inputs_writes_none_of_them(tmp_path):
    """A journal edited to name other files (up the tree, absolute) makes restore write
    nothing there; the documents inside the run's inputs are still restored."""
    work = tmp_path / "work"
    work.mkdir()
    corpus = seeded(work)
    before = tree(corpus)
    assert run("clean", "--in-place", "corpus", "-o", "journal", cwd=work).exit_code == 0
    report = json.loads((work / "journal" / "report.json").read_text("utf-8"))
    removed = next(d for d in report["documents"] if d["status"] == "removed")
    text = "owned\n"
    evil = [tmp_path / "up.txt", tmp_path / "abs.txt"]
    forged = []
    for path in ("../up.txt", str(evil[1]), "corpus/../../up.txt"):
        doc = json.loads(json.dumps(removed))
        doc.update(path=path, relpath=Path(path).name, sha256=hashlib.sha256(text.encode()).hexdigest(),
                   removed=[dict(removed["removed"][0], lines=[1, 1], chars=[0, len(text)], text=text)])
        forged.append(doc)
    report["documents"] += forged
    (work / "journal" / "report.json").write_text(json.dumps(report), encoding="utf-8")
    result = run("restore", "journal/report.json", cwd=work)
    assert result.exit_code == 1
    for doc in forged:
        assert f"not restored {doc['path']}: its path is not inside the run's inputs" in result.output.splitlines()
    assert not any(path.exists() for path in evil)
    assert tree(corpus) == before


def test_restore_in_place_takes_symlinked_files_and_a_symlinked_single_file_input(tmp_path):
    """The check that a path is inside the run's inputs resolves folders, not the file:
    a corpus file that is a link to a file elsewhere is the corpus's, and so is an input
    given as a link."""
    work = tmp_path / "work"
    (work / "outside").mkdir(parents=True)
    corpus = seeded(work)
    (work / "outside" / "linked.txt").write_text("A file kept elsewhere, linked into the corpus.\n", "utf-8")
    (work / "outside" / "single.txt").write_text("Another file kept elsewhere, given as an input.\n", "utf-8")
    os.symlink("../outside/linked.txt", corpus / "linked.txt")
    os.symlink("outside/single.txt", work / "single.txt")
    before = tree(corpus)
    assert run("clean", "--in-place", "corpus", "single.txt", "-o", "journal", cwd=work).exit_code == 0
    result = run("restore", "journal/report.json", cwd=work)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1].endswith(" 0 not restored") and tree(corpus) == before


def test_in_place_cleans_a_linked_file_under_its_own_name_and_leaves_the_link(tmp_path):
    """A link to another file of the corpus is that file: it is rewritten under its own
    name, listed once, and the link stays a link to it."""
    corpus = seeded(tmp_path)
    os.symlink(HINDI.name, corpus / "a-link.txt")
    before = tree(corpus)
    assert run("clean", "--in-place", "corpus", "-o", "journal", cwd=tmp_path).exit_code == 0
    assert os.readlink(corpus / "a-link.txt") == HINDI.name
    assert (corpus / HINDI.name).read_bytes() != before[HINDI.name]   # cleaned
    report = json.loads((tmp_path / "journal" / "report.json").read_text("utf-8"))
    assert f"corpus/{HINDI.name}" in [d["path"] for d in report["documents"]]
    assert [s["path"] for s in report["skipped"]] == ["corpus/a-link.txt"]
    assert run("restore", "journal/report.json", cwd=tmp_path).exit_code == 0
    assert tree(corpus) == before and os.path.islink(corpus / "a-link.txt")


def test_in_place_leaves_a_link_to_a_file_outside_the_inputs_as_it_was(tmp_path):
    """A link whose target is no input is read and judged like any file, but neither
    replaced by its cleaned text nor written through: it is listed as not rewritten."""
    corpus = seeded(tmp_path)
    shutil.copy(HINDI, tmp_path / "outside.txt")            # a doubled article: its copy lines go
    os.symlink("../outside.txt", corpus / "linked.txt")
    before, outside = tree(corpus), (tmp_path / "outside.txt").read_bytes()
    result = run("clean", "--in-place", "corpus", "-o", "journal", cwd=tmp_path)
    assert result.exit_code == 0, result.output
    assert os.readlink(corpus / "linked.txt") == "../outside.txt" and (tmp_path / "outside.txt").read_bytes() == outside
    report = json.loads((tmp_path / "journal" / "report.json").read_text("utf-8"))
    assert {"path": "corpus/linked.txt", "reason": "a symbolic link to a file outside the inputs; --in-place writes "
            "neither over the link nor through it: left as it was (clean it with -o)"} in report["skipped"]
    assert "corpus/linked.txt" not in [d["path"] for d in report["documents"]]
    assert run("restore", "journal/report.json", cwd=tmp_path).exit_code == 0
    assert tree(corpus) == before and os.path.islink(corpus / "linked.txt")


def test_a_file_of_the_longest_legal_name_is_rewritten_and_restored(tmp_path):
    """A rewrite's temporary file beside a file whose name takes nearly all of the 255
    bytes a name may have: named by a digest of it, so the run and restore both work."""
    corpus = seeded(tmp_path)
    long_name = "z" * 251 + ".txt"
    shutil.copy(URDU, corpus / long_name)              # a whole copy: deleted in place
    (corpus / ("y" * 251 + ".txt")).write_text(URDU.read_text("utf-8") + "Related articles\n", "utf-8")
    before = tree(corpus)
    assert run("clean", "--in-place", "corpus", "-o", "journal", cwd=tmp_path).exit_code == 0
    assert not (corpus / long_name).exists() and tree(corpus) != before
    (corpus / f"{corpus_mod.temporary_prefix(long_name)}4242.tmp").write_text("half")   # a killed rewrite's
    result = run("restore", "journal/report.json", cwd=tmp_path)
    assert result.exit_code == 0, result.output
    assert tree(corpus) == before


def test_restore_never_writes_over_a_file_made_where_the_run_deleted_one(tmp_path):
    corpus = seeded(tmp_path)
    assert run("clean", "--in-place", "corpus", "-o", "journal", cwd=tmp_path).exit_code == 0
    assert not (corpus / "zz-copy.txt").exists()
    (corpus / "zz-copy.txt").write_text("a new file of the user's\n", "utf-8")
    result = run("restore", "journal/report.json", cwd=tmp_path)
    assert result.exit_code == 1
    assert "not restored corpus/zz-copy.txt: the run deleted it, and another file is there now (made since " \
           "the run?); not overwritten" in result.output.splitlines()
    assert (corpus / "zz-copy.txt").read_text("utf-8") == "a new file of the user's\n"


def test_restore_to_a_folder_never_writes_over_a_file_that_is_there(tmp_path):
    """--to writes only where nothing is, or where the original already is: a file of the
    user's in the way (a text or a record file) is listed as not restored, and kept; a
    --to that is a file is one line, exit 2."""
    corpus = seeded(tmp_path)
    (corpus / "rows.jsonl").write_text('{"text": "A row of a record file, kept as it is."}\n', "utf-8")
    before = tree(corpus)
    assert run("clean", "corpus", "-o", "out", cwd=tmp_path).exit_code == 0
    back = tmp_path / "back"
    back.mkdir()
    (back / "plain.txt").write_text("my notes\n", "utf-8")
    (back / "rows.jsonl").write_text("my rows\n", "utf-8")
    (back / "zz-copy.txt").symlink_to(tmp_path / "elsewhere.txt")
    result = run("restore", "out/report.json", "--to", "back", cwd=tmp_path)
    assert result.exit_code == 1
    for name in ("plain.txt", "rows.jsonl", "zz-copy.txt"):
        assert f"not restored corpus/{name}: back/{name} is there already, with other content; not overwritten" \
            in result.output.splitlines()
    assert (back / "plain.txt").read_text("utf-8") == "my notes\n" and (back / "rows.jsonl").read_text("utf-8") == \
        "my rows\n" and not (tmp_path / "elsewhere.txt").exists()
    for name in ("plain.txt", "rows.jsonl", "zz-copy.txt"):
        (back / name).unlink()
    again = run("restore", "out/report.json", "--to", "back", cwd=tmp_path)   # the rest, and what is back already
    assert again.exit_code == 0, again.output
    assert tree(back) == before
    assert run("restore", "out/report.json", "--to", "back", cwd=tmp_path).output.endswith(
        f"0 restored, {len(before)} already original, 0 not restored (under back)\n")
    (tmp_path / "file").write_text("x")
    refused = run("restore", "out/report.json", "--to", "file", cwd=tmp_path)
    assert (refused.exit_code, refused.output) == (2, "dedup: error: --to file: not a folder\n")


def test_in_place_runs_into_the_same_out_keep_every_journal_and_restore_newest_first(tmp_path):
    """The dedup-fix hook's flow: a run, a file added, a run, a run that finds nothing,
    all to one OUT. The journals of the runs that removed anything stay (OUT/earlier/001, 002);
    restoring the newest first, as each restore says, brings back the originals."""
    corpus = seeded(tmp_path)
    before = tree(corpus)
    assert run("clean", "--in-place", "corpus", "-o", "fix", cwd=tmp_path).exit_code == 0
    first = tree(corpus)
    (corpus / "new.txt").write_bytes(b"A file added after the first run.\r\nRelated articles\r\n")
    edited = tree(corpus)
    assert run("clean", "--in-place", "corpus", "-o", "fix", cwd=tmp_path).exit_code == 0
    assert tree(corpus) == {**first, "new.txt": b"A file added after the first run.\r\n"}   # its boilerplate went
    assert run("clean", "--in-place", "corpus", "-o", "fix", cwd=tmp_path).exit_code == 0   # nothing to remove
    fix = tmp_path / "fix"
    assert sorted(p.name for p in (fix / "earlier").iterdir()) == ["001", "002"]
    assert not (fix / "earlier" / "001" / "earlier").exists()
    steps = [("fix/report.json", tree(corpus), "2 earlier --in-place run(s) of this OUT can be undone too, newest first: "
                                        "next, dedup restore fix/earlier/002/report.json"),
             ("fix/earlier/002/report.json", edited, "1 earlier --in-place run(s) of this OUT can be undone too, "
                                                     "newest first: next, dedup restore fix/earlier/001/report.json"),
             ("fix/earlier/001/report.json", {**before, "new.txt": edited["new.txt"]}, None)]
    for journal, expected, hint in steps:
        result = run("restore", journal, cwd=tmp_path)
        assert result.exit_code == 0, result.output
        assert tree(corpus) == expected
        assert (f"dedup: {hint}" in result.output.splitlines()) if hint else "earlier" not in result.output
    assert run("clean", "corpus", "-o", "fix", cwd=tmp_path).exit_code == 0   # a run that writes copies
    assert run("clean", "--in-place", "corpus", "-o", "fix", cwd=tmp_path).exit_code == 0
    assert not (fix / "earlier").exists()              # its OUT was no journal: nothing to keep


def test_restore_from_another_folder_says_where_to_run_it(tmp_path):
    seeded(tmp_path)
    assert run("clean", "--in-place", "corpus", "-o", "journal", cwd=tmp_path).exit_code == 0
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = run("restore", "../journal/report.json", cwd=elsewhere)
    assert result.exit_code == 1
    hint = " (none of the run's inputs is in the current folder: give the folder `dedup clean` ran in with --root)"
    failed = [line for line in result.output.splitlines() if line.startswith("not restored")]
    assert failed and all(line.endswith(hint) for line in failed)
    assert run("restore", "../journal/report.json", "--root", "..", cwd=elsewhere).exit_code == 0
    shutil.rmtree(tmp_path / "corpus")   # the corpus gone: what the report alone holds still comes back
    gone = run("restore", "journal/report.json", cwd=tmp_path)
    assert gone.exit_code == 1 and f"restored corpus/{HINDI.name}" not in gone.output.splitlines()
    assert "restored corpus/zz-copy.txt" in gone.output.splitlines()   # removed whole: rebuilt from the report


def test_a_report_with_no_documents_is_refused_not_restored_as_nothing(tmp_path):
    corpus = seeded(tmp_path)
    assert run("clean", "--in-place", "corpus", "-o", "journal", cwd=tmp_path).exit_code == 0
    report = json.loads((tmp_path / "journal" / "report.json").read_text("utf-8"))
    del report["documents"]
    (tmp_path / "edited.json").write_text(json.dumps(report), "utf-8")
    result = CliRunner().invoke(main, ["restore", str(tmp_path / "edited.json")])
    assert result.exit_code == 2
    assert result.output == f"dedup: error: {tmp_path / 'edited.json'}: not a dedup report (it lists no documents)\n"


LINES = st.sampled_from([
    "ये भी पढ़ें: कोई शीर्षक यहाँ", "مواضيع ذات صلة", "Related articles", "Share this article",
    "यह एक लंबी पंक्ति है जिसमें कई शब्द हैं और जो दोहराई जा सकती है", "A line that may well be repeated in other files.",
    "اقرأ أيضا: عنوان آخر", "", "  ", "Short one", "پاکستان میں آج موسم خوشگوار رہا اور بارش کا امکان ہے",
])
DOCS = st.lists(st.tuples(st.lists(LINES, min_size=0, max_size=8), st.sampled_from(["\n", "\r\n"]),
                          st.booleans()), min_size=1, max_size=6)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(docs=DOCS)
def test_in_place_then_restore_is_the_identity_on_any_small_corpus(tmp_path_factory, docs):
    base = tmp_path_factory.mktemp("prop")
    corpus = base / "corpus"
    corpus.mkdir()
    for n, (lines, newline, bom) in enumerate(docs):
        text = ("\ufeff" if bom else "") + newline.join(lines)
        (corpus / f"sub{n % 2}").mkdir(exist_ok=True)
        (corpus / f"sub{n % 2}" / f"{n}.txt").write_bytes(text.encode("utf-8"))
    before = {k: hashlib.sha256(v).hexdigest() for k, v in tree(corpus).items()}
    result = run("clean", "--in-place", "corpus", "-o", "journal", "-j", "1", cwd=base)
    if result.exit_code == 2:                         # nothing readable (all files empty)
        assert "no input files" in result.output or "skipped" in result.output
        return
    assert result.exit_code == 0, result.output
    restored = run("restore", "journal/report.json", cwd=base)
    assert restored.exit_code == 0, restored.output
    assert {k: hashlib.sha256(v).hexdigest() for k, v in tree(corpus).items()} == before


def test_a_document_left_with_only_whitespace_is_removed_whole_and_rebuilt_from_the_report(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    text = "\r\n\nمواضيع ذات صلة\n  \n\nRelated articles\n\n"
    (corpus / "widget.txt").write_text(text, encoding="utf-8")
    (corpus / "blank.txt").write_text("  \n\n", encoding="utf-8")   # nothing to remove: kept as it is
    assert run("clean", "corpus", "-o", "out", cwd=tmp_path).exit_code == 0
    report = json.loads((tmp_path / "out" / "report.json").read_text("utf-8"))
    docs = {Path(d["path"]).name: d for d in report["documents"]}
    assert docs["widget.txt"]["status"] == "removed" and docs["widget.txt"]["output"] is None
    assert "".join(r["text"] for r in docs["widget.txt"]["removed"]) == text
    assert [r["rule"] for r in docs["widget.txt"]["removed"]] == ["lexicon:ar/related", "lexicon:en/related"]
    assert [r["lines"] for r in docs["widget.txt"]["removed"]] == [[1, 5], [6, 7]]
    assert (docs["blank.txt"]["status"], docs["blank.txt"]["output"]) == ("kept", "blank.txt")
    assert (tmp_path / "out" / "blank.txt").read_bytes() == b"  \n\n"
    shutil.rmtree(corpus)
    assert run("restore", "out/report.json", "--to", "back", cwd=tmp_path).exit_code == 0
    assert (tmp_path / "back" / "widget.txt").read_bytes() == text.encode("utf-8")


def test_original_of_says_where_the_text_comes_from_or_why_it_cannot(tmp_path):
    from dedup.originals import original_of
    corpus = seeded(tmp_path)
    hindi = HINDI.read_text("utf-8")
    assert run("clean", "corpus", "-o", "out", cwd=tmp_path).exit_code == 0
    written = {Path(d["path"]).name: d for d in json.loads((tmp_path / "out" / "report.json").read_text())["documents"]}
    doc = written[HINDI.name]
    assert original_of(doc, tmp_path, None, "write") == (hindi, "")        # the input is unchanged
    os.unlink(corpus / HINDI.name)
    assert original_of(doc, tmp_path, None, "write") == (
        None, "the file is gone or changed, and the report holds only the removed spans")
    assert original_of(doc, tmp_path, tmp_path / "out", "write") == (hindi, "")   # from out/ plus the spans
    os.unlink(tmp_path / "out" / HINDI.name)
    assert original_of(doc, tmp_path, tmp_path / "out", "write") == (
        None, f"{(tmp_path / 'out' / HINDI.name).as_posix()} is gone, and the report holds only the removed spans")
    assert original_of(written["zz-copy.txt"], tmp_path, None, "write") == (hindi, "")   # removed whole
    shutil.copy(HINDI, corpus / HINDI.name)
    assert run("clean", "--in-place", "corpus", "-o", "journal", cwd=tmp_path).exit_code == 0
    in_place = {Path(d["path"]).name: d for d in
                json.loads((tmp_path / "journal" / "report.json").read_text())["documents"]}
    assert original_of(in_place[HINDI.name], tmp_path, None, "in-place") == (hindi, "")   # the rewritten input


def test_restore_keeps_each_files_mode_and_reads_reports_without_relpath(tmp_path):
    corpus = seeded(tmp_path)
    os.chmod(corpus / HINDI.name, 0o640)
    (corpus / f".{HINDI.name}.notes.tmp").write_text("mine")       # not a temporary of dedup's
    (tmp_path / "notes.tmp").write_text("mine too")
    assert run("clean", "--in-place", "corpus", "-o", "journal", cwd=tmp_path).exit_code == 0
    assert run("restore", "journal/report.json", cwd=tmp_path).exit_code == 0
    assert os.stat(corpus / HINDI.name).st_mode & 0o777 == 0o640
    assert (corpus / f".{HINDI.name}.notes.tmp").exists() and (tmp_path / "notes.tmp").exists()
    (corpus / "sub").mkdir()
    os.rename(corpus / "plain.txt", corpus / "sub" / "plain.txt")
    assert run("clean", "corpus", "-o", "out", cwd=tmp_path).exit_code == 0
    report = json.loads((tmp_path / "out" / "report.json").read_text("utf-8"))
    for doc in report["documents"]:   # as dedup 0.1.0 wrote them
        del doc["relpath"]
    (tmp_path / "out" / "report.json").write_text(json.dumps(report), encoding="utf-8")
    result = run("restore", "out/report.json", "--to", "back", cwd=tmp_path)
    assert result.exit_code == 0, result.output
    assert sorted(os.listdir(tmp_path / "back")) == sorted([HINDI.name, URDU.name, "sub", "zz-copy.txt"])
    assert (tmp_path / "back" / "sub" / "plain.txt").read_bytes() == b"Nothing to remove in this one.\r\n"   # by its output
    assert (tmp_path / "back" / "zz-copy.txt").read_bytes() == HINDI.read_bytes()   # removed: by its file name


def test_restore_to_rebuilds_a_record_file_of_bad_rows_only_and_says_root_from_elsewhere(tmp_path):
    """The run copied such a file through whole and the report holds none of its rows:
    its input is copied under --to if it is the run's copy in OUT. Run from another
    folder, a record file's reason says to give --root."""
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "a.jsonl").write_text('{"id": 1, "text": "One ordinary record with enough words to be a '
                                                 'document here."}\n', "utf-8")
    (tmp_path / "corpus" / "b.jsonl").write_text('{"id": 2, "text": null}\n{"id": 3, "text": 7}\n', "utf-8")
    assert run("clean", "corpus", "-o", "out", cwd=tmp_path).exit_code == 0
    result = run("restore", "out/report.json", "--to", "back", cwd=tmp_path)
    assert result.exit_code == 0, result.output
    assert tree(tmp_path / "back") == tree(tmp_path / "corpus")
    (tmp_path / "elsewhere").mkdir()
    result = run("restore", "../out/report.json", "--to", "../again", cwd=tmp_path / "elsewhere")
    assert result.exit_code == 1
    reasons = [line for line in result.output.splitlines() if line.startswith("not restored")]
    assert len(reasons) == 2 and all(line.endswith("give the folder `dedup clean` ran in with --root)")
                                     for line in reasons)
    (tmp_path / "corpus" / "b.jsonl").write_text('{"id": 2, "text": null}\n', "utf-8")   # changed since the run
    result = run("restore", "out/report.json", "--to", "third", cwd=tmp_path)
    assert "not restored corpus/b.jsonl: the input changed or is gone (all its rows were bad rows: the run copied " \
           "it through whole)" in result.output.splitlines()


def test_restore_shows_a_names_control_characters_never_acts_on_them(tmp_path):
    """A newline in a name would split its line in two, an escape sequence clear the screen."""
    (tmp_path / "corpus").mkdir()
    for name in ("new\nline.txt", "esc\x1b[2Jclear.txt"):
        (tmp_path / "corpus" / name).write_text(f"A document named {name!r}, with a line of its own.\n", "utf-8")
    assert run("clean", "corpus", "-o", "out", cwd=tmp_path).exit_code == 0
    result = run("restore", "out/report.json", "--to", "back", cwd=tmp_path)
    assert result.exit_code == 0, result.output
    assert sorted(line for line in result.output.splitlines() if line.startswith("restored")) == [
        "restored corpus/esc\\x1b[2Jclear.txt", "restored corpus/new\\nline.txt"]
