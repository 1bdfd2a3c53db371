"""The Python API, used as a notebook or a pipeline would: only `import dedup` and its
public names, on the seeds and the golden corpus."""
import hashlib
import json
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

import dedup

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
GOLDEN = ROOT / "tests" / "golden"


def _tree(folder: Path) -> dict:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _evidence_json(e) -> dict:
    """Typed evidence back to report.json's shape, to compare with the file."""
    def place(p):
        return None if p is None else {k: v for k, v in
                                       (("path", p.path), ("lines", list(p.lines) if p.lines else None), ("run", p.run))
                                       if v is not None}
    if isinstance(e, dedup.CopyEvidence):
        out = {"original": place(e.original), "similarity": e.similarity, "matched": place(e.matched),
               "original_similarity": e.original_similarity, "kept_by": e.kept_by,
               "estimated": e.estimated or None}
    elif isinstance(e, dedup.PatternEvidence):
        out = {"pattern": e.pattern, "listed_under": e.listed_under}
    elif isinstance(e, dedup.RepeatEvidence):
        out = {"count": e.count}
    elif isinstance(e, dedup.PageEvidence):
        out = {"where": e.where, "run": list(e.run), "lines": e.lines,
               {"head": "first_sentence", "tail": "last_sentence", "body": "sentence_before"}[e.where]: e.sentence}
    else:
        out = {"documents": e.documents, "source": e.source, "shape": e.shape, "affix": e.affix, "prefix": e.prefix}
    return {k: v for k, v in out.items() if v is not None}


def test_clean_writes_the_corpus_and_returns_the_report_it_wrote(tmp_path, capsys):
    report = dedup.clean([SEEDS], tmp_path / "out")
    assert capsys.readouterr() == ("", "")                    # the core never prints
    assert isinstance(report, dedup.Report) and report.mode == "write"
    assert report.path == tmp_path / "out" / "report.json"
    assert "documents" not in vars(report)                   # read from report.json when asked for
    assert report == dedup.load_report(tmp_path / "out")    # the folder or its report.json
    assert report.documents == dedup.load_report(tmp_path / "out").documents
    assert report == dedup.load_report(tmp_path / "out" / "report.json")
    hindi = next(d for d in report.documents if d.path.endswith("002_3ad8789db8de2740.txt"))
    assert hindi.status == "cleaned" and hindi.output == "002_3ad8789db8de2740.txt"
    text = (SEEDS / hindi.path.split("/")[-1]).read_text("utf-8")
    cleaned = (tmp_path / "out" / hindi.output).read_text("utf-8")
    for removal in hindi.removed:                                # each span is exactly what was cut
        assert text[removal.chars[0]:removal.chars[1]] == removal.text
        assert removal.text not in cleaned or removal.kind != "boilerplate"
    teasers = [r for r in hindi.removed if r.rule == "lexicon:hi/also-read"]
    assert teasers and all(r.evidence == dedup.PatternEvidence("ये भी पढ़ें") for r in teasers)
    copies = [r for r in hindi.removed if r.kind == "duplicate"]
    assert copies and all(isinstance(r.evidence, dedup.CopyEvidence) and r.evidence.similarity == 1.0
                          and r.evidence.original.path == hindi.path and r.evidence.original.lines[0] < r.lines[0]
                          for r in copies)
    s = report.summary
    assert s.documents == len(report.documents) == 2
    assert s.chars_removed == sum(r.chars[1] - r.chars[0] for d in report.documents for r in d.removed)
    assert {rule: t.spans for rule, t in s.by_rule.items()} == {
        rule: sum(r.rule == rule for d in report.documents for r in d.removed) for rule in s.by_rule}


@pytest.mark.parametrize("keep", ["first", "longest"])
def test_every_rules_evidence_is_typed_as_report_json_has_it(tmp_path, keep):
    """The golden corpus fires every rule: each removal's evidence has the type of its
    rule's family and holds exactly what report.json holds (with `kept_by` when a keep
    policy chose the original)."""
    report = dedup.clean(GOLDEN / "corpus", tmp_path / "out", settings=dedup.Settings(keep=keep))
    data = json.loads((tmp_path / "out" / "report.json").read_text("utf-8"))
    families = {"exact": dedup.CopyEvidence, "near": dedup.CopyEvidence, "lexicon": dedup.PatternEvidence,
                "repeated": dedup.RepeatEvidence, "frequent": dedup.LearnedEvidence,
                "template": dedup.LearnedEvidence, "site": dedup.LearnedEvidence, "teaser": dedup.LearnedEvidence,
                "page": dedup.PageEvidence, "small": dedup.LearnedEvidence}
    seen = set()
    for doc, raw in zip(report.documents, data["documents"], strict=True):
        assert (doc.path, doc.status, doc.sha256, doc.lines) == (raw["path"], raw["status"], raw["sha256"], raw["lines"])
        for removal, raw_removal in zip(doc.removed, raw["removed"], strict=True):
            family = removal.rule.split("-")[0].split(":")[0]
            assert isinstance(removal.evidence, families[family]), removal.rule
            assert _evidence_json(removal.evidence) == raw_removal["evidence"]
            assert [removal.kind, removal.rule, list(removal.lines), list(removal.chars), removal.text] == [
                raw_removal[k] for k in ("kind", "rule", "lines", "chars", "text")]
            seen.add(removal.rule.split(":")[0])
    assert {"exact-document", "near-document", "exact-line", "near-line", "frequent-line", "template-shape",
            "site-affix", "teaser-template", "repeated-in-document", "lexicon", "page-junk", "small-source"} <= seen
    assert [(s.path, s.reason) for s in report.skipped] == [(s["path"], s["reason"]) for s in data["skipped"]]
    kept_by = {r.evidence.kept_by for d in report.documents for r in d.removed if isinstance(r.evidence, dedup.CopyEvidence)}
    assert kept_by == ({None} if keep == "first" else {"longest"})


def test_without_an_output_folder_nothing_is_written(tmp_path, monkeypatch):
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    before = _tree(tmp_path)
    monkeypatch.chdir(tmp_path)
    report = dedup.clean(str(corpus))                         # one path, as a string
    assert report.mode == "dry-run" and report.path is None and report.output is None
    assert report.summary.lines_removed > 0
    assert _tree(tmp_path) == before


def test_settings_are_validated_and_read_from_the_config_files(tmp_path):
    with pytest.raises(dedup.DedupError, match="threshold must be a float"):
        dedup.Settings(threshold="high")
    with pytest.raises(dedup.DedupError, match=r"threshold must be in \(0, 1\]"):
        dedup.Settings(threshold=1.5)
    with pytest.raises(dedup.DedupError, match="unknown setting 'treshold'"):
        dedup.Settings().replace(treshold=0.9)
    with pytest.raises(dedup.ConfigError, match="unknown setting 'min_doc'"):
        dedup.Settings(min_doc=3)                                      # misspelt when made, as when replaced
    assert dedup.Settings(include="*.txt").include == ("*.txt",)
    (tmp_path / "setup.cfg").write_text("[dedup]\nmin_docs = 3\nthreshold = 0.7\n", "utf-8")
    (tmp_path / "pyproject.toml").write_text("[tool.dedup]\nthreshold = 0.9\n", "utf-8")
    settings = dedup.Settings.from_files(tmp_path)
    assert (settings.min_docs, settings.threshold) == (3, 0.9)       # pyproject.toml comes last
    assert settings.replace(min_docs=5).min_docs == 5 and settings.min_docs == 3
    for bad in ({"min_docs": 3.7}, {"min_docs": "3"}, {"text_field": None}, {"threshold": True}):
        with pytest.raises(dedup.DedupError):                          # replace() is as strict as the constructor
            settings.replace(**bad)
    numeric = dedup.Settings(threshold=np.float64(0.9), min_docs=np.int64(3), corpus=Path("data"),
                             lexicons=[Path("mine.toml")])             # numpy numbers and paths, as users pass them
    assert (numeric.threshold, numeric.min_docs, numeric.corpus, numeric.lexicons) == (0.9, 3, "data", ("mine.toml",))
    assert type(numeric.threshold) is float and type(numeric.min_docs) is int


def test_settings_read_from_another_folder_take_their_paths_from_there(tmp_path, monkeypatch):
    """What `dedup check` run in that folder would use: its corpus (by default the folder
    itself), its verdicts and lexicons, wherever the caller is."""
    repo = tmp_path / "repo"
    (repo / "data").mkdir(parents=True)
    monkeypatch.chdir(tmp_path)
    assert dedup.Settings.from_files(repo).corpus == str(repo)
    (repo / "pyproject.toml").write_text('[tool.dedup]\ncorpus = "data"\nverdicts = "v.json"\n'
                                         'lexicons = ["own.toml", "/abs/other.toml"]\n', "utf-8")
    settings = dedup.Settings.from_files("repo")
    assert (settings.corpus, settings.verdicts, settings.lexicons) == (
        os.path.join("repo", "data"), os.path.join("repo", "v.json"), (os.path.join("repo", "own.toml"), "/abs/other.toml"))
    monkeypatch.chdir(repo)
    assert dedup.Settings.from_files(".").corpus == "data"              # as the command line reads them


def test_a_returned_reports_documents_are_read_wherever_the_caller_has_moved(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    shutil.copytree(SEEDS, "corpus")
    report = dedup.clean(["corpus"], "out")
    monkeypatch.chdir("/")
    assert report.path.is_absolute() and len(report.documents) == 2


def test_the_apis_errors_name_its_arguments_not_the_command_lines_options(tmp_path):
    (tmp_path / "notmine").mkdir()
    (tmp_path / "notmine" / "file").write_text("keep", "utf-8")
    with pytest.raises(dedup.DedupError) as caught:
        dedup.clean(SEEDS, tmp_path / "notmine")
    assert "choose another output, or force=True" in str(caught.value) and "--" not in str(caught.value)
    with pytest.raises(dedup.DedupError) as caught:
        dedup.clean(SEEDS, tmp_path / "o", against=SEEDS)
    assert "against takes the output folder of an earlier run" in str(caught.value)
    report = dedup.clean(SEEDS, tmp_path / "out")
    with pytest.raises(dedup.DedupError, match=r"rebuild the originals in \(to\)$"):
        dedup.restore(report)
    with pytest.raises(dedup.ReportError):                              # exported, as the docs name it
        dedup.load_report(SEEDS / "000_5fdcb9c48dad7940.txt")


def test_settings_change_what_is_removed(tmp_path, write_corpus):
    line = "Subscribe to our weekly digest for market news and analysis"
    corpus = write_corpus({f"site/{n}.txt": f"Story {n} opens with its own first line here.\n"
                           f"A sentence of content that is unique to story number {n}, told once.\n{line}\n"
                           for n in range(3)})
    default = dedup.clean(corpus)                                   # min_docs 4: three pages teach nothing
    lowered = dedup.clean(corpus, settings=dedup.Settings(min_docs=3))
    assert default.summary.by_rule.get("frequent-line") is None
    assert lowered.summary.by_rule["frequent-line"].spans == 3


def test_errors_are_dedup_errors_with_one_line(tmp_path):
    cases = [
        lambda: dedup.clean(tmp_path / "missing", tmp_path / "out"),
        lambda: dedup.clean(SEEDS, SEEDS.parent),                         # an output that holds an input
        lambda: dedup.clean(SEEDS, in_place=True),                        # no folder for the journal
        lambda: dedup.clean(SEEDS, tmp_path / "o", in_place=True, dry_run=True),
        lambda: dedup.clean([], tmp_path / "out"),
        lambda: dedup.load_report(tmp_path / "nothing.json"),
        lambda: dedup.clean(SEEDS, tmp_path / "out", backend="dask"),
        lambda: dedup.clean(SEEDS, tmp_path / "out", address="auto"),    # an address is for Ray
        lambda: dedup.clean(SEEDS, tmp_path / "out", jobs="2"),
        lambda: dedup.check(SEEDS, jobs=-1),
        lambda: dedup.clean(SEEDS, tmp_path / "out", settings=dedup.Settings(lexicons=(str(tmp_path / "x.toml"),))),
    ]
    for case in cases:
        with pytest.raises(dedup.DedupError) as caught:
            case()
        assert str(caught.value) and "\n" not in str(caught.value)
    report = json.loads((ROOT / "tests" / "golden" / "expected-report.json").read_text("utf-8"))
    report["summary"]["by_kind"] = []
    (tmp_path / "damaged.json").write_text(json.dumps(report), "utf-8")
    with pytest.raises(dedup.DedupError, match="not a complete dedup report"):
        dedup.load_report(tmp_path / "damaged.json")


def test_a_failed_write_is_a_dedup_error_and_an_os_error(tmp_path, monkeypatch):
    from dedup import stages

    def broken_disk(path, data):
        raise OSError(5, "Input/output error", str(path))
    monkeypatch.setattr(stages.corpus, "write_new", broken_disk)
    with pytest.raises(dedup.FileError) as caught:
        dedup.clean(SEEDS, tmp_path / "out", jobs=1)
    assert isinstance(caught.value, dedup.DedupError) and isinstance(caught.value, OSError)
    assert "Input/output error" in str(caught.value) and not (tmp_path / "out").exists()


def test_an_output_under_a_file_is_refused_before_any_work(tmp_path):
    (tmp_path / "a-file").write_text("not a folder", "utf-8")
    with pytest.raises(dedup.DedupError, match=f"{tmp_path / 'a-file'} is a file, not a folder"):
        dedup.clean(SEEDS, tmp_path / "a-file" / "out")


def test_restore_undoes_an_in_place_run_and_rebuilds_any_run_elsewhere(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    original = _tree(corpus)
    report = dedup.clean(corpus, tmp_path / "journal", in_place=True)
    assert report.mode == "in-place" and _tree(corpus) != original
    outcomes = dedup.restore(report)
    assert {o.state for o in outcomes} == {"restored"} and _tree(corpus) == original
    assert {o.state for o in dedup.restore(tmp_path / "journal" / "report.json")} == {"original"}   # twice: harmless
    written = dedup.clean(corpus, tmp_path / "out")
    with pytest.raises(dedup.DedupError, match="left its inputs as they were"):
        dedup.restore(written)
    shutil.rmtree(corpus)
    assert {o.state for o in dedup.restore(written, to=tmp_path / "back")} == {"restored"}
    assert _tree(tmp_path / "back") == original


def test_check_finds_what_a_commit_brings_in_and_honours_the_baseline(tmp_path, monkeypatch):
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    monkeypatch.chdir(tmp_path)
    settings = dedup.Settings(corpus="corpus")
    whole = dedup.check(settings=settings, use_cache=False)
    assert whole.checked is None and whole.new == whole.problems
    rules = {p.rule for p in whole.problems}
    assert {"exact-line", "lexicon:hi/also-read", "lexicon:ar/related"} <= rules
    hindi = "corpus/002_3ad8789db8de2740.txt"
    one = dedup.check(hindi, settings=settings, use_cache=False)
    assert one.checked == {hindi} and {p.path for p in one.problems} == {hindi}
    accepted = [{"path": p.path, "rule": p.rule, "text": p.text_key} for p in one.problems[:2]]
    Path("accepted.json").write_text(json.dumps({"format": "dedup-baseline", "format_version": 1,
                                                 "findings": accepted}), "utf-8")
    again = dedup.check(hindi, settings=settings, baseline="accepted.json", use_cache=False)
    assert list(again.new) == list(one.problems[2:])


def test_progress_is_called_for_every_stage(tmp_path):
    calls = []
    dedup.clean(SEEDS, tmp_path / "out", progress=lambda *args: calls.append(args))
    stages = [c[0] for c in calls]
    assert stages[0] == "read" and "write" in stages and any(s.startswith("classifying") for s in stages)
    read = [c for c in calls if c[0] == "read"]
    assert read[-1][1:3] == (2, 2) and sum(c[3] for c in read) == sum(len(p.read_text("utf-8"))
                                                                       for p in SEEDS.glob("*.txt"))


def test_the_public_names_are_the_documented_ones():
    assert dedup.__version__ and set(dedup.__all__) <= set(dir(dedup))
    for name in dedup.__all__:
        assert getattr(dedup, name) is not None
    with pytest.raises(AttributeError):
        dedup.no_such_name


@pytest.mark.parametrize("in_place", [False, True])
def test_a_signal_while_out_is_swapped_in_ends_a_write_run_as_done(tmp_path, monkeypatch, in_place):
    """Publishing holds signals back; one that came meanwhile used to be acted on right
    after, so a write run said `interrupted` (130: OUT as it was) with OUT new. A write
    run is over once OUT is swapped in: it returns its report. After --in-place, the
    inputs are still to rewrite: it stops, saying how far it got."""
    import os
    import signal
    from dedup import output
    from dedup.signals import Interrupted, interrupts
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    publish = output.Staging.publish

    def signalled(self, durable=False):
        os.kill(os.getpid(), signal.SIGTERM)   # held back until the block that publishes ends
        publish(self, durable)
    monkeypatch.setattr(output.Staging, "publish", signalled)
    with interrupts():
        if in_place:
            with pytest.raises(Interrupted) as stop:
                dedup.clean(corpus, tmp_path / "out", in_place=True)
            assert stop.value.rewritten == (0, 2)
        else:
            report = dedup.clean(corpus, tmp_path / "out")
            assert report.summary.lines_removed == 14
    assert (tmp_path / "out" / "report.json").is_file() and not list(tmp_path.glob(".out.dedup-staging*"))


def test_a_full_disk_says_which_output_it_was_writing(tmp_path, monkeypatch):
    """A write that fails for lack of room carries no file name (the OS's message alone,
    `No space left on device`, said nothing of where): it names OUT, left as it was."""
    import errno
    import os
    from dedup import corpus

    def full(path, data):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    monkeypatch.setattr(corpus, "write_new", full)
    with pytest.raises(dedup.FileError) as err:
        dedup.clean(SEEDS, tmp_path / "out")
    assert str(err.value) == f"{tmp_path / 'out'}: No space left on device while the run wrote its output; OUT is left as it was"
    assert not (tmp_path / "out").exists() and not list(tmp_path.glob(".out.dedup-staging*"))


def test_a_signal_while_a_swap_that_fails_is_an_interrupt_and_out_stays_as_it_was(tmp_path, monkeypatch):
    """If swapping OUT in fails while a signal waits, the signal stands in for the error:
    the run is interrupted (OUT as it was), never reported done without OUT."""
    import errno
    import os
    import signal
    from dedup import output
    from dedup.signals import Interrupted, interrupts

    def failing(self, durable=False):
        os.kill(os.getpid(), signal.SIGTERM)
        raise OSError(errno.EBUSY, "Device or resource busy")
    monkeypatch.setattr(output.Staging, "publish", failing)
    with interrupts(), pytest.raises(Interrupted):
        dedup.clean(SEEDS, tmp_path / "out")
    assert not (tmp_path / "out").exists() and not list(tmp_path.glob(".out.dedup-staging*"))


@pytest.mark.parametrize("call, message", [
    (lambda: dedup.clean(["c"], None, settings={"threshold": 0.8}), "settings must be a dedup.Settings"),
    (lambda: dedup.check(settings={}), "settings must be a dedup.Settings"),
    (lambda: dedup.clean(None), "paths must be a path or a list of paths, not None"),
    (lambda: dedup.clean(b"c"), "paths must be a path or a list of paths, not b'c'"),
    (lambda: dedup.clean([1, 2]), "each path must be a path (a str or a pathlib.Path), not 1"),
    (lambda: dedup.clean(["c\0"]), "each path must be a path (a str or a pathlib.Path), not 'c\\x00'"),
    (lambda: dedup.clean(["c"], b"o"), "output must be a path"),
    (lambda: dedup.clean(["c"], "o", against=5), "against must be a path"),
    (lambda: dedup.clean(["c"], "o", progress=5), "progress must be a function"),
    (lambda: dedup.load_report(None), "the report must be a path"),
    (lambda: dedup.restore({}), "the report must be a path"),
    (lambda: dedup.check([1]), "each path must be a path"),
    (lambda: dedup.Settings.from_files(5), "the folder to read settings from must be a path, not 5"),
    (lambda: dedup.Settings.from_files("no/such"), "no/such: not a folder (give the folder that holds setup.cfg"),
    (lambda: dedup.Settings.from_files("c/a.txt"), "c/a.txt: not a folder"),
    (lambda: dedup.check(baseline=5), "baseline must be a path (a str or a pathlib.Path), not 5"),
    (lambda: dedup.check(baseline=b"b.json"), "baseline must be a path"),
    (lambda: dedup.clean(["c"], "o", memory="abc"), "memory: 'abc' is not a size"),
    (lambda: dedup.check(settings=dedup.Settings(corpus="c/a.txt")), "c/a.txt: the corpus folder is not a folder"),
    (lambda: dedup.check(settings=dedup.Settings(corpus="nowhere")), "nowhere: the corpus folder does not exist"),
])
def test_arguments_of_the_wrong_type_are_a_dedup_error(tmp_path, monkeypatch, call, message):
    """Never a TypeError or an AttributeError from inside."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "a.txt").write_text("A line of text.\n", "utf-8")
    with pytest.raises(dedup.DedupError) as err:
        call()
    assert str(err.value).startswith(message)


def test_a_reports_documents_are_never_another_runs(tmp_path, monkeypatch):
    """The documents are read from OUT when asked: if another run wrote OUT since, they
    are not this run's, and that is said, not answered with the other run's."""
    monkeypatch.chdir(tmp_path)
    for name, text in (("a", "A first article about the harbour.\n"), ("b", "A second article, on the valley.\n")):
        (tmp_path / name).mkdir()
        (tmp_path / name / "x.txt").write_text(text, "utf-8")
    first = dedup.clean(["a"], "out")
    again = dedup.clean(["a"], "out")   # the same run again: the same report
    assert [d.path for d in first.documents] == ["a/x.txt"] == [d.path for d in again.documents]
    before = dedup.clean(["a"], "out")
    dedup.clean(["b"], "out")
    with pytest.raises(dedup.DedupError, match="another run's report is there now"):
        before.documents


def test_numpy_numbers_and_whole_floats_are_taken_for_jobs_and_memory(tmp_path):
    import numpy as np
    report = dedup.clean(SEEDS, tmp_path / "out", jobs=np.int64(1), memory=np.int64(1 << 30))
    assert report.summary.lines_removed == 14
    assert dedup.clean(SEEDS, tmp_path / "out2", memory=1.5e9).summary.lines_removed == 14
    for memory in (1.5, 2.5e9 + 0.5, True):
        with pytest.raises(dedup.DedupError, match="memory must be a whole number of bytes"):
            dedup.clean(SEEDS, tmp_path / "out3", memory=memory)
    with pytest.raises(dedup.DedupError, match="jobs must be a whole number"):
        dedup.clean(SEEDS, tmp_path / "out3", jobs=1.5)
