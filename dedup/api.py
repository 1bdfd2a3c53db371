"""The Python API: what the `dedup` command does, as functions over typed values.

    import dedup
    report = dedup.clean(["corpus/"], "out/", settings=dedup.Settings(min_docs=3))
    for doc in report.documents:
        for removal in doc.removed:
            print(doc.path, removal.lines, removal.rule, removal.evidence)

Nothing here prints or exits. Every error dedup detects is a `DedupError` with a one-line
message; an interrupt (SIGINT, SIGTERM, under `interrupts()`) is `Interrupted`.
"""
from __future__ import annotations

import errno
import functools
import inspect
import numbers
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Union

from . import report as report_format
from .config import Settings
from .errors import DedupError, FileError
from .progress import Progress
from .signals import Interrupted

if TYPE_CHECKING:
    from .commands.check import Problem
    from .commands.restore import Restored

PathLike = Union[str, os.PathLike]


# -- the report, typed -------------------------------------------------------------

@dataclass(frozen=True)
class Place:
    """Where a kept copy is: a document, its lines (1-based, inclusive) if a part, and
    the earlier run's output folder if it is in a previous corpus (`against`)."""
    path: str
    lines: tuple[int, int] | None = None
    run: str | None = None


@dataclass(frozen=True)
class CopyEvidence:
    """exact-/near- document, paragraph and line: the copy that stays and the verified
    Jaccard similarity to `matched` (another removed copy) or else to `original`."""
    original: Place
    similarity: float
    matched: Place | None = None
    original_similarity: float | None = None
    kept_by: str | None = None      # the keep policy that chose the original, when not `first`
    estimated: bool = False         # from MinHash signatures (a copy of a previous run)


@dataclass(frozen=True)
class PatternEvidence:
    """lexicon:<lang>/<id>: the phrase of the lexicon that matched; for an item of the
    list a heading of the rule heads ("More on this story", then headlines), that
    heading's line (1-based)."""
    pattern: str
    listed_under: int | None = None


@dataclass(frozen=True)
class LearnedEvidence:
    """frequent-line, small-source, template-shape, site-affix, teaser-template: how many
    documents of the source have the line, its shape, its affix or its label."""
    documents: int
    source: str | None = None
    shape: str | None = None
    affix: str | None = None
    prefix: str | None = None


@dataclass(frozen=True)
class RepeatEvidence:
    """repeated-in-document: how many times in a row the line stands."""
    count: int


@dataclass(frozen=True)
class PageEvidence:
    """page-junk: where the run of short lines stands ("head", "tail" or "body"), its
    first and last line, and the page's first sentence line (head), its last (tail) or
    the sentence line before the run (body)."""
    where: str
    run: tuple[int, int]
    lines: int
    sentence: int


Evidence = Union[CopyEvidence, PatternEvidence, LearnedEvidence, RepeatEvidence, PageEvidence]


@dataclass(frozen=True)
class Removal:
    """One removed span: `text` is exactly what was cut from `chars` of the text."""
    kind: str                   # duplicate, near-duplicate or boilerplate
    rule: str
    lines: tuple[int, int]      # 1-based, inclusive
    chars: tuple[int, int]      # offsets into the decoded text, end exclusive
    text: str
    evidence: Evidence


@dataclass(frozen=True)
class Kept:
    """A removal a verdicts file kept (`clean --verdicts`): the removal as it would
    have been, and `by`, the verdict or override that kept it (docs/report.md)."""
    removal: Removal
    by: dict


@dataclass(frozen=True)
class Document:
    """A document of the run and what was removed from it."""
    path: str
    relpath: str | None         # under its input folder (where a write run put it); None if not recorded
    output: str | None          # its cleaned file, relative to the output folder
    status: str                 # kept, cleaned or removed
    sha256: str                 # of the original
    chars: int
    lines: int
    removed: tuple[Removal, ...]
    file: str | None = None     # a record's file, row (1-based) and id
    row: int = 0
    id: str | None = None
    undecodable_byte_at: int | None = None   # where its first byte that is not UTF-8 is (decode_errors = keep)
    unexamined_lines: tuple[int, ...] = ()   # lines longer than max_line_chars, kept unexamined
    kept_by_verdict: tuple[Kept, ...] = ()   # removals a verdicts file kept


@dataclass(frozen=True)
class Tally:
    """Removed spans and their characters, of one kind or one rule."""
    spans: int
    chars: int


@dataclass(frozen=True)
class Summary:
    """The run's totals, as the command prints them."""
    documents: int
    documents_kept: int
    documents_cleaned: int
    documents_removed: int
    skipped: int
    lines: int
    lines_removed: int
    chars: int
    chars_removed: int
    by_kind: dict[str, Tally]
    by_rule: dict[str, Tally]


@dataclass(frozen=True)
class Skipped:
    """A file or row the run could not use (empty, binary, not UTF-8, a bad row), and why."""
    path: str
    reason: str


@dataclass(frozen=True)
class Report:
    """report.json as values. `path` is where it was read from (None for a run that
    wrote nothing). `documents` and `data` (the JSON itself) are read from `path` when
    first asked for: a run over a large corpus returns its summary without holding
    every document."""
    tool_version: str
    mode: str                   # write, dry-run or in-place
    inputs: tuple[str, ...]
    output: str | None
    settings: dict
    summary: Summary
    skipped: tuple[Skipped, ...]
    outputs_not_read: tuple[str, ...] = ()   # dedup output folders the run found among its inputs and skipped
    path: Path | None = None
    head: dict = field(default=None, repr=False, compare=False)   # the JSON, documents left out or not

    @classmethod
    def from_json(cls, data: dict, path: PathLike | None = None) -> "Report":
        s = data["summary"]
        tallies = {key: {k: Tally(v["spans"], v["chars"]) for k, v in s[key].items()} for key in ("by_kind", "by_rule")}
        counts = {f.name: s[f.name] for f in fields(Summary) if f.name not in tallies}
        report = cls(data["tool_version"], data["mode"], tuple(data["inputs"]), data.get("output"),
                     data["settings"], Summary(**counts, **tallies),
                     tuple(Skipped(item["path"], item["reason"]) for item in data["skipped"]),
                     tuple(data.get("outputs_not_read", ())), Path(path) if path is not None else None, data)
        if "documents" in data:
            report.__dict__["documents"] = tuple(_document(d) for d in data["documents"])
        return report

    @functools.cached_property
    def data(self) -> dict:
        if "documents" in self.head:
            return self.head
        data = report_format.load(self.path)
        if report_format.report_id(data) != report_format.report_id(self.head):   # OUT written again since
            raise report_format.ReportError(f"{self.path}: another run's report is there now; this run's "
                                            f"documents went with it (its summary is still here)")
        return data

    @functools.cached_property
    def documents(self) -> tuple[Document, ...]:
        data = self.data
        try:
            return tuple(_document(d) for d in data["documents"])
        except (KeyError, TypeError, ValueError, AttributeError) as err:
            raise report_format.ReportError(f"{self.path}: not a complete dedup report ({err!r})") from None


def _place(where: dict | None) -> Place | None:
    if where is None:
        return None
    lines = where.get("lines")
    return Place(where["path"], tuple(lines) if lines else None, where.get("run"))


def _evidence(evidence: dict) -> Evidence:
    if "original" in evidence:
        return CopyEvidence(_place(evidence["original"]), evidence["similarity"], _place(evidence.get("matched")),
                            evidence.get("original_similarity"), evidence.get("kept_by"),
                            evidence.get("estimated", False))
    if "pattern" in evidence:
        return PatternEvidence(evidence["pattern"], evidence.get("listed_under"))
    if "count" in evidence:
        return RepeatEvidence(evidence["count"])
    if "where" in evidence:
        return PageEvidence(evidence["where"], tuple(evidence["run"]), evidence["lines"],
                            evidence.get("first_sentence", evidence.get("last_sentence", evidence.get("sentence_before"))))
    return LearnedEvidence(evidence["documents"], evidence.get("source"), evidence.get("shape"),
                           evidence.get("affix"), evidence.get("prefix"))


def _removal(r: dict) -> Removal:
    return Removal(r["kind"], r["rule"], tuple(r["lines"]), tuple(r["chars"]), r["text"], _evidence(r["evidence"]))


def _document(doc: dict) -> Document:
    return Document(doc["path"], doc.get("relpath"), doc["output"], doc["status"], doc["sha256"], doc["chars"],
                    doc["lines"], tuple(_removal(r) for r in doc["removed"]), doc.get("file"), doc.get("row", 0),
                    doc.get("id"), doc.get("undecodable_byte_at"), tuple(doc.get("unexamined_lines", ())),
                    tuple(Kept(_removal(k), k["by"]) for k in doc.get("kept_by_verdict", ())))


def load_report(path: PathLike) -> Report:
    """A run's report.json (or the output folder that holds it) as a Report."""
    path = Path(_path(path, "the report"))
    if path.is_dir():
        path = path / "report.json"
    data = report_format.load(path)
    try:
        return Report.from_json(data, path)
    except (KeyError, TypeError, ValueError, AttributeError) as err:
        raise report_format.ReportError(f"{path}: not a complete dedup report ({err!r})") from None


# -- the commands ------------------------------------------------------------------

def _paths(inputs: PathLike | Iterable[PathLike]) -> list[str]:
    """The paths given, each a str or os.PathLike naming a path (a DedupError otherwise)."""
    items = [inputs] if isinstance(inputs, (str, os.PathLike)) else inputs
    try:
        if isinstance(items, (bytes, bytearray)):
            raise TypeError
        items = list(items)
    except TypeError:
        raise DedupError(f"paths must be a path or a list of paths, not {inputs!r}") from None
    return [_path(p, "each path") for p in items]


def _path(value, what: str) -> str:
    """`value` as a path string: a str or an os.PathLike of one, with no NUL byte."""
    path = os.fspath(value) if isinstance(value, os.PathLike) else value
    if not isinstance(path, str) or not path or "\0" in path:
        raise DedupError(f"{what} must be a path (a str or a pathlib.Path), not {value!r}")
    return path


def _settings(settings) -> Settings:
    if settings is None:
        return Settings()
    if not isinstance(settings, Settings):
        raise DedupError(f"settings must be a dedup.Settings (e.g. Settings(threshold=0.8)), not "
                         f"{type(settings).__name__}")
    return settings


def _jobs(jobs: int) -> int:
    if not isinstance(jobs, numbers.Integral) or isinstance(jobs, bool) or jobs < 0:
        raise DedupError(f"jobs must be a whole number, 0 or more, not {jobs!r}")
    return int(jobs)


def _memory(memory: int | str | None) -> int | None:
    """The bytes of a `memory` argument (None: the default)."""
    from . import budget
    if memory is None:
        return None
    if isinstance(memory, str):
        return budget.parse(memory, "memory")
    if isinstance(memory, numbers.Real) and not isinstance(memory, (bool, numbers.Integral)) \
            and float(memory).is_integer():
        memory = int(memory)   # 1.5e9 bytes: a whole number written as a float
    if not isinstance(memory, numbers.Integral) or isinstance(memory, bool) or memory < budget.MIN_MEMORY:
        raise DedupError(f"memory must be a whole number of bytes, at least {budget.MIN_MEMORY}, or a size such as "
                         f"'512M', not {memory!r}")
    return int(memory)


_FLAG = re.compile(r"(?<![\w-])(?:-o|--([a-z][a-z-]*))(?![\w-])(?: [A-Z]+\b)?")   # and its metavariable
_SWITCHES = frozenset({"force", "in_place", "dry_run"})   # given as name=True


def _in_api_terms(func):
    """func, with the options its errors name as the command line spells them ("choose
    another -o, or --force") named as its arguments and settings are ("output",
    "force=True"): a caller of the API has no options. The command line calls
    func itself (`__wrapped__`)."""
    names = set(inspect.signature(func).parameters) | {f.name for f in fields(Settings)} | _SWITCHES

    def spoken(match: re.Match) -> str:
        if match.group(1) is None:
            return "output"
        name = match.group(1).replace("-", "_")
        if name not in names:
            return match.group(0)
        return f"{name}=True" if name in _SWITCHES else name

    @functools.wraps(func)
    def called(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except DedupError as err:
            if len(err.args) == 1 and isinstance(err.args[0], str):
                err.args = (_FLAG.sub(spoken, err.args[0]),)
            raise
    return called


@_in_api_terms
def clean(inputs: PathLike | Iterable[PathLike], output: PathLike | None = None, *,
          settings: Settings | None = None, dry_run: bool = False, in_place: bool = False,
          force: bool = False, jobs: int = 0, backend: str = "local", address: str | None = None,
          against: PathLike | None = None, memory: int | str | None = None,
          progress: Progress | None = None) -> Report:
    """Clean the corpus at `inputs` (files and folders) into the folder `output`: the
    cleaned corpus, report.json and report.html, published whole at the end (`dry_run`:
    the two reports only). With `output` None nothing is written and the report is only
    returned. `in_place` rewrites the inputs instead, after writing the report to
    `output` as the journal that `restore` undoes the run from. `settings` default to
    `Settings()` (not the config files: `Settings.from_files(".")` reads those).
    `memory` (bytes, or a size such as "512M" or "2G") is what the run's processes may
    hold together, half the machine's by default: it sets the workers, their batches and
    whether the corpus table is mapped from a file, never what is removed.
    An interrupt (Interrupted, or KeyboardInterrupt) during an in-place run's rewriting
    says how far it got in its `rewritten` attribute (files done, files to do)."""
    from . import backends, pipeline   # here: `import dedup` stays cheap for a git hook
    paths = _paths(inputs)
    output = _path(output, "output") if output is not None else None
    against = _path(against, "against") if against is not None else None
    if progress is not None and not callable(progress):
        raise DedupError(f"progress must be a function of (stage, done, total, chars) or None, not {progress!r}")
    if not paths:
        raise DedupError("no input paths given")
    settings = _settings(settings)
    if in_place and dry_run:
        raise DedupError("in_place and dry_run exclude each other")
    if in_place and output is None:
        raise DedupError("in_place needs an output folder for its journal (the report)")
    jobs = _jobs(jobs)
    if backend not in backends.BACKENDS:
        raise DedupError(f"backend must be one of {', '.join(backends.BACKENDS)}, not {backend!r}")
    if address is not None and backend != "ray":
        raise DedupError("address is for the ray backend")
    memory = _memory(memory)
    mode = "in-place" if in_place else "dry-run" if dry_run or output is None else "write"
    scratch = None if output is not None else tempfile.mkdtemp(prefix="dedup-")
    out = Path(output) if output is not None else Path(scratch, "out")
    state = pipeline.InPlace()
    try:
        data = pipeline.clean(paths, settings, out, mode, jobs, progress, force, state, backend, address,
                              os.fspath(against) if against is not None else None, memory)
        if output is None:   # the report goes with the scratch folder: read it now
            data = report_format.load(out / "report.json")
    except (Interrupted, KeyboardInterrupt) as stop:
        if state.total:
            stop.rewritten = (state.done, state.total)
        raise
    except DedupError:
        raise
    except OSError as err:
        if state.total:   # the journal is published and inputs are being rewritten: say how to undo it
            raise FileError(err.errno, f"{err.strerror} after rewriting {state.done} of {state.total} input files; "
                                       f"`dedup restore {(out / 'report.json').as_posix()}` puts them back",
                            err.filename) from err
        if err.filename is None and err.errno in (errno.ENOSPC, errno.EDQUOT):   # a write into the staging folder
            raise FileError(err.errno, f"{err.strerror} while the run wrote its output; OUT is left as it was",
                            str(out)) from err
        raise FileError.of(err) from err
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
    # where it is whatever folder the caller moves to: its documents are read from there when asked for
    return Report.from_json(data, Path(os.path.abspath(out / "report.json")) if output is not None else None)


@_in_api_terms
def restore(report: Report | PathLike, to: PathLike | None = None, *, root: PathLike = ".") -> list["Restored"]:
    """Bring back the original files of a run, byte for byte, from its report: in place
    after an in-place run (wherever it stopped), or under the folder `to` for any run.
    `root` is the folder the report's paths are relative to (where the run ran)."""
    from .commands import restore as restoring
    if not isinstance(report, Report):
        report = load_report(report)
    to = _path(to, "to") if to is not None else None
    root = _path(root, "root")
    if to is None and report.mode != "in-place":
        where = report.path.as_posix() if report.path else "this report"
        raise restoring.RestoreError(f"{where}: this run left its inputs as they were; "
                                     "give a folder to rebuild the originals in (--to DIR)")
    folder = report.path.parent if report.path is not None else None
    try:
        return restoring.restore(report.data, folder, Path(root), Path(to) if to is not None else None)
    except OSError as err:
        raise FileError.of(err) from err


@dataclass(frozen=True)
class CheckResult:
    """What `check` found: every finding in the checked files, and those of them that
    the baseline does not accept (what a hook fails on)."""
    problems: tuple[Problem, ...]
    new: tuple[Problem, ...]
    checked: frozenset[str] | None      # the checked files; None: the whole corpus
    unused_index: str | None = None     # why .dedup_cache's index could not be used (a temporary one was)


@_in_api_terms
def check(paths: PathLike | Iterable[PathLike] = (), *, settings: Settings | None = None,
          baseline: PathLike | None = ".dedup-baseline.json", use_cache: bool = True, jobs: int = 0) -> CheckResult:
    """Check `paths` (files or folders; none: the whole corpus) against the corpus at
    the setting `corpus`, as `dedup check` does, with its index in .dedup_cache/
    (`use_cache` False: a temporary one). `baseline` names the accepted findings file."""
    from .commands import check as checking
    jobs = _jobs(jobs)
    settings = _settings(settings)
    baseline = _path(baseline, "baseline") if baseline is not None else None
    try:
        result = checking.check(_paths(paths), settings, use_cache=use_cache, jobs=jobs)
        accepted = checking.load_baseline(Path(baseline)) if baseline is not None else None
    except OSError as err:
        raise FileError.of(err) from err
    new = checking.new_problems(result.problems, accepted) if accepted is not None else result.problems
    checked = frozenset(result.checked) if result.checked is not None else None
    return CheckResult(tuple(result.problems), tuple(new), checked, result.unused_index)
