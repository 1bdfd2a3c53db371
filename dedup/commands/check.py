"""`dedup check`: the clean job's findings as linter messages, fast enough for git hooks.

Checking the whole corpus runs `clean`'s classifier over every document, as `clean`
does. Checking some files runs the same classifier, for each checked file on its
own, over the file and its neighbours in the index (every corpus file that shares
a line, a paragraph or an LSH band with it), sketched again from the files, with
the corpus-wide boilerplate counts taken from the index. A file's verdicts
therefore depend only on the file and the corpus, never on which other files are
checked in the same call.

Where this can differ from `clean`: the index counts every distinct document
(exact copies once; `clean` also leaves near-duplicate documents out of its
counts), and a key shared by more than NEIGHBOURS_PER_KEY files links only to the
first of them in path order.
"""
from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import tempfile
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path

from .. import corpus, gitfiles, lexicon, pipeline, plan, records, shown, stages, userfiles, verdicts
from ..cache import FOLDER, CacheError, Entry, Index
from ..classify import Decision, classify
from ..config import Settings
from ..corpus import InputError, Source
from ..normalize import key
from ..rules import learned
from ..content import content_digest
from ..sketch import DocSketch
from ..runner import Runner, default_jobs

BASELINE = ".dedup-baseline.json"
_SNIPPET = 60


@dataclass(frozen=True)
class Problem:
    """One finding of a check, as a linter line: `path:line: message [rule]`."""
    path: str
    line: int
    kind: str
    rule: str
    message: str
    text_key: str      # hash of the flagged text, normalized: what a baseline entry matches

    def text(self) -> str:
        return shown.plain(f"{self.path}:{self.line}: {self.message} [{self.rule}]")

    def github(self) -> str:
        return (f"::error file={shown.github_property(self.path)},line={self.line},"
                f"title={shown.github_property(f'dedup {self.rule}')}::{shown.github_data(self.message)}")


def _text_key(text: str) -> str:
    return hashlib.sha256(key(text).encode("utf-8", "surrogatepass")).hexdigest()[:16]


def _message(removal: plan.Removal) -> str:
    original = removal.evidence.get("original")
    if original:
        where = original["path"] + (f":{original['lines'][0]}" if "lines" in original else "")
        return f"{removal.kind} of {where} (similarity {removal.evidence['similarity']:.2f})"
    snippet = removal.text.strip().splitlines()[0] if removal.text.strip() else ""
    if len(snippet) > _SNIPPET:
        snippet = snippet[:_SNIPPET].rstrip() + "…"
    return f'{removal.kind} "{snippet}"'


def problems_of(path: str, text: str, decision: Decision) -> list[Problem]:
    out = []
    for removal in plan.removals(text, decision):
        leading_blank = len(removal.text) - len(removal.text.lstrip("\r\n \t"))
        line = removal.lines[0] + removal.text[:leading_blank].count("\n")
        out.append(Problem(path, line, removal.kind, removal.rule, _message(removal), _text_key(removal.text)))
    return out


# -- the corpus and the index --------------------------------------------------

def _members(root: str, settings: Settings, found: gitfiles.Listing | None = None) -> corpus.Members:
    """The corpus's text files (a check of JSONL or Parquet rows is not built yet),
    from git's listing where there is one, else by walking the folder."""
    text = records.is_text(settings.format)
    if found is not None:
        return gitfiles.members(found, settings.include, settings.exclude, text)
    sources = corpus.discover([root], settings.include, settings.exclude, settings.format).sources
    return corpus.Members([s for s in sources if s.is_text])


def index_location(root: str) -> tuple[Path, str]:
    """(folder that holds .dedup_cache/, index file name). The index lives at the top
    of the git repository (else at the corpus root), never in whatever subfolder the
    check ran from; its name tells apart checks of another corpus root or from
    another folder, whose paths differ."""
    root_real = Path(os.path.realpath(root))
    top = next((p for p in (root_real, *root_real.parents) if (p / ".git").exists()), root_real)
    where = f"{os.path.relpath(root_real, top)}|{os.path.relpath(os.getcwd(), top)}"
    if where == ".|.":
        return top, "index.sqlite"
    return top, f"index-{hashlib.sha256(where.encode('utf-8', 'surrogatepass')).hexdigest()[:12]}.sqlite"


def _checked(paths: list[str], members: corpus.Members, root: str) -> list[Source]:
    """The corpus members among `paths` (files or folders). pre-commit passes every
    staged text file: those outside the corpus or its globs are not ours to check."""
    root_real = os.path.realpath(root)
    out = {}
    for given in paths:
        if not os.path.lexists(given):
            raise InputError(f"{given}: no such file or folder")
        rel = os.path.relpath(os.path.realpath(given), root_real).replace(os.sep, "/")
        if rel.startswith("../"):
            continue
        if os.path.isdir(given):
            out.update({s.path: s for s in members.under("" if rel == "." else rel + "/")})
        else:
            out.update({s.path: s for s in members.placed({rel})})
    return [out[p] for p in sorted(out)]


def _refresh(idx: Index, members: corpus.Members, settings: Settings, jobs: int,
             found: gitfiles.Listing | None) -> dict[str, DocSketch]:
    """Bring the index up to date: re-read only files whose stat (or git's listing
    entry) changed, re-sketch only those whose content changed. Returns those
    sketches, by path."""
    changed, gone = idx.stale(members, found)
    pipeline.check_sketchable([source for source, st in changed if st is not None],
                              {source.file: st.st_size for source, st in changed if st is not None})
    blobs = found.blobs({source.relpath for source, _ in changed}) if found is not None and changed else {}
    to_sketch = []
    fresh: dict[str, DocSketch] = {}
    with idx.updating():
        idx.forget(gone)
        for source, st in changed:
            data = _read(source.file) if st is not None else None
            if data is None:   # gone or unreadable: the listing's state is not the index's
                found = None
                continue
            if found is not None and gitfiles.blob_id(data) != blobs.get(source.relpath):
                if _same_stat(os.stat(source.file), st):   # not being written: git's blobs are not its bytes
                    idx.distrust_git()
                found = None
            sha = hashlib.sha256(data).hexdigest()
            if idx.sha256_of(source.path) == sha:
                idx.touch(source.path, st)
            else:
                to_sketch.append((source, st, sha))
        for batch, results in _sketch(to_sketch, settings, jobs, [st.st_size for _, st, _ in to_sketch]):
            files = []
            entries = iter(_entries([r.sketch for r in results if not isinstance(r, corpus.Skipped)], settings))
            for (source, st, sha), result in zip(batch, results):
                if isinstance(result, corpus.Skipped):
                    files.append((source.path, st, sha, None, result.reason))
                else:
                    files.append((source.path, st, sha, next(entries), None))
                    fresh[source.path] = result.sketch
            idx.store(files)
        idx.keep_listing(found)
    return fresh


def _entries(sketches: list[DocSketch], settings: Settings) -> list[Entry]:
    """What the index keeps of each file: the rules say what it adds to the counts."""
    return [Entry(sk, content_digest(sk, settings), keys, labels)
            for sk, (keys, labels) in zip(sketches, learned.contributions(sketches, settings))]


def _size(path: str) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


def _read(path: str) -> bytes | None:
    try:
        return Path(path).read_bytes()
    except OSError:
        return None


def _same_stat(a: os.stat_result, b: os.stat_result) -> bool:
    return (a.st_size, a.st_mtime_ns, a.st_ctime_ns) == (b.st_size, b.st_mtime_ns, b.st_ctime_ns)


# Below this many bytes to sketch, a check sketches with the reference code: loading
# the compiled kernel (numba, and the scipy it looks for) costs a hook about 1 s, and the
# reference code sketches about 1 M characters a second here (the kernel 3 M once loaded).
KERNEL_BYTES = 2_000_000


def _sketch(items: list, settings: Settings, jobs: int, sizes: list[int]):
    """(batch, its results) for items whose first element is a Source, in batches by
    `sizes` (their bytes, which also decide whether loading the compiled kernel pays)."""
    pipeline.check_sketchable([item[0] for item in items], {item[0].file: size for item, size in zip(items, sizes)})
    batches = pipeline.runs_by_size(items, sizes, pipeline.shard_size(sum(sizes), default_jobs(jobs)))
    jobs = default_jobs(jobs) if len(batches) > 1 else 1
    compiled = None if sum(sizes) >= KERNEL_BYTES else False
    with Runner(jobs, stages.make_context, (settings, compiled)) as run:
        yield from zip(batches, run.map(stages.sketch_batch, [([item[0] for item in b], None) for b in batches]))


def _sketches(paths: list[str], members: corpus.Members, known: dict[str, DocSketch],
              settings: Settings, jobs: int) -> list[DocSketch]:
    """The sketches of these files in path order: those just made, the rest read and
    sketched again (a file that can no longer be read is left out)."""
    wanted = [(source,) for source in map(members.get, [p for p in paths if p not in known]) if source is not None]
    for batch, results in _sketch(wanted, settings, jobs, [_size(item[0].file) for item in wanted]):
        for (source,), result in zip(batch, results):
            if not isinstance(result, corpus.Skipped):
                known[source.path] = result.sketch
    return [known[p] for p in sorted(paths) if p in known]


# -- checking --------------------------------------------------------------------

def _problems(members: corpus.Members, sketches, decisions, settings: Settings,
              judged: verdicts.Verdicts | None) -> list[Problem]:
    """The findings of these decisions as problems, with the flagged text re-read,
    less what the verdicts keep."""
    out = []
    for sk, decision in zip(sketches, decisions):
        if decision.document or decision.lines:
            doc = corpus.read(members.get(sk.path), settings.decode_errors == "keep")
            if isinstance(doc, corpus.Document):
                decision = plan.sparing(decision, doc.text, sk.unexamined)
                out.extend(problems_of(sk.path, doc.text, verdicts.apply(judged, doc.text, decision)[0]))
    return out


def _involves(decision: Decision, checked: str) -> Decision:
    """Only the findings whose kept original is the checked file."""
    def from_checked(finding) -> bool:
        return finding is not None and finding.evidence.get("original", {}).get("path") == checked
    return Decision(decision.document if from_checked(decision.document) else None,
                    {i: f for i, f in decision.lines.items() if from_checked(f)})


def check_index(idx: Index, members: corpus.Members, checked: list[Source] | None,
                settings: Settings, fresh: dict[str, DocSketch] | None = None, jobs: int = 1,
                judged: verdicts.Verdicts | None = None) -> list[Problem]:
    """The problems of the checked files (None: all) against the indexed corpus, less
    what the verdicts keep; `fresh` holds sketches already made this run, by path."""
    known = dict(fresh or {})
    if checked is None:   # the whole corpus: what `clean` decides (but small-source)
        live = idx.live_paths()
        ordered = _sketches([s.path for s in members if s.path in live], members, known, settings, jobs)
        return _problems(members, ordered, classify(ordered, settings, small_sources=False), settings, judged)
    out: list[Problem] = []
    for source in checked:
        ordered = _sketches(idx.neighbours(source.path), members, known, settings, 1)
        if source.path not in {sk.path for sk in ordered}:
            continue
        decisions = classify(ordered, settings, learned.stats_of(learned.asked_by(ordered, settings), settings, idx),
                             small_sources=False)
        decisions = [d if sk.path == source.path else _involves(d, source.path) for sk, d in zip(ordered, decisions)]
        out.extend(_problems(members, ordered, decisions, settings, judged))
    return sorted(set(out), key=lambda p: (p.path, p.line, p.rule))


def _shown(path: Path) -> str:
    """A path as the user would type it from here."""
    rel = os.path.relpath(path)
    return Path(rel).as_posix() if not rel.startswith("..") else Path(path).as_posix()


@dataclass
class Result:
    problems: list[Problem]
    checked: set[str] | None   # paths of the checked files; None: the whole corpus
    unused_index: str | None = None   # why the corpus's index could not be used (a temporary one was)


def check(paths: list[str], settings: Settings, use_cache: bool = True, jobs: int = 0) -> Result:
    """Problems in `paths` (files or folders; none = the whole corpus) against the corpus."""
    lexicon.load(settings.lexicons)
    judged = verdicts.load(settings.verdicts) if settings.verdicts else None
    root = settings.corpus
    if not os.path.isdir(root):
        why = "is not a folder" if os.path.lexists(root) else "does not exist"
        raise InputError(f"{root}: the corpus folder {why} (setting `corpus`)")
    found = gitfiles.listing(root, settings.include, settings.exclude) if use_cache else None
    members = _members(root, settings, found)
    settings = stages.resolve_by_folders(members.folder_sizes(), settings)
    if not members:
        text_globs = [g for g in settings.include if records.kind_of(g, settings.format)[0] == "text"]
        raise InputError(f"no corpus files ({', '.join(text_globs)}) in {root} (setting `corpus`)")
    checked = _checked(paths, members, root) if paths else None
    if checked is not None and len(checked) == len(members):
        checked = None
    names = None if checked is None else {s.path for s in checked}
    if checked == []:
        return Result([], names)
    with tempfile.TemporaryDirectory() as scratch:
        cache_root, name = index_location(root) if use_cache else (Path(scratch), "index.sqlite")
        unused = None
        for attempt in (1, 2, 3):   # damage found mid-run: rebuild it, once (and once for a temporary index)
            try:
                idx = Index(cache_root, settings, name)
            except (sqlite3.OperationalError, OSError) as err:
                if _locked(err):   # by another check, for too long
                    raise InputError(f"{_shown(Path(cache_root, FOLDER, name))}: {err}") from None
                if cache_root == Path(scratch):
                    raise
                unused = f"{_shown(Path(cache_root, FOLDER, name))} cannot be used ({_why(err)})"
                cache_root, name = Path(scratch), "index.sqlite"   # the same answer, from a temporary index
                continue
            try:
                fresh = _refresh(idx, members, settings, jobs, found)
                return Result(check_index(idx, members, checked, settings, fresh, jobs, judged), names, unused)
            except (CacheError, sqlite3.DatabaseError) as err:
                if isinstance(err, sqlite3.OperationalError) and not _is_damage(err):   # locked, full, read-only
                    if _locked(err) or cache_root == Path(scratch):
                        raise InputError(f"{_shown(idx.file)}: {err}") from None
                    unused = f"{_shown(idx.file)} cannot be used ({_why(err)})"
                    cache_root, name = Path(scratch), "index.sqlite"
                    continue
                if attempt == 3:
                    raise InputError(f"{_shown(idx.file)}: damaged index could not be rebuilt ({err})") from None
                idx.close()
                idx._discard()
            finally:
                idx.close()
    raise AssertionError("unreachable")


def _locked(err: Exception) -> bool:
    return isinstance(err, sqlite3.OperationalError) and "locked" in str(err).lower()


def _why(err: Exception) -> str:
    if isinstance(err, OSError) and err.strerror:
        return f"{_shown(Path(err.filename))}: {err.strerror}" if err.filename else err.strerror
    return str(err)


def _is_damage(err: sqlite3.OperationalError) -> bool:
    """SQLite reports some damage (text that is not UTF-8) as an OperationalError too;
    a lock held too long, a full disk or an unopenable file are not damage."""
    message = str(err).lower()
    return not any(word in message for word in ("locked", "full", "unable to open", "readonly", "read-only"))


# -- baseline --------------------------------------------------------------------

def _baseline_key(p: Problem) -> tuple[str, str, str]:
    return (p.path, p.rule, p.text_key)


def load_baseline(path: Path) -> Counter:
    """The accepted findings of a baseline file (none if there is no file); a file that
    is not one baseline_json wrote is refused, never read as one nor written over."""
    if not path.exists():
        return Counter()
    try:
        data = json.loads(userfiles.read(path, limit=None).decode("utf-8"))
    except ValueError as err:
        raise InputError(f"{path}: not a dedup baseline (broken JSON: {err})"[:300]) from None
    except RecursionError:
        raise InputError(f"{path}: not a dedup baseline (nested too deeply to read)") from None
    if not isinstance(data, dict) or data.get("format") != "dedup-baseline":
        raise InputError(f"{path}: not a dedup baseline (written by `dedup check --write-baseline`)")
    if data.get("format_version") != 1:
        raise InputError(f"{path}: baseline format version {data.get('format_version')!r}; this dedup reads "
                         f"version 1"[:300])
    findings = data.get("findings")
    if not isinstance(findings, list):
        raise InputError(f"{path}: not a dedup baseline (its findings are no list)")
    out = Counter()
    for n, entry in enumerate(findings, 1):
        key = tuple(entry.get(field) for field in ("path", "rule", "text")) if isinstance(entry, dict) else ()
        if len(key) != 3 or not all(isinstance(value, str) for value in key):
            raise InputError(f"{path}: finding {n} is not a path, a rule and a text, each a string")
        out[key] += 1
    return out


def new_problems(problems: list[Problem], baseline: Counter) -> list[Problem]:
    """Problems not accepted in the baseline. Entries match by file, rule and the
    flagged text, so they survive edits elsewhere in the file."""
    left = Counter(baseline)
    out = []
    for p in problems:
        k = _baseline_key(p)
        if left[k] > 0:
            left[k] -= 1
        else:
            out.append(p)
    return out


def baseline_json(problems: list[Problem], keep: Counter, checked_paths: set[str] | None) -> str:
    """The baseline after accepting `problems`; entries of files not checked are kept."""
    entries = Counter(_baseline_key(p) for p in problems)
    if checked_paths is not None:
        entries.update({k: n for k, n in keep.items() if k[0] not in checked_paths})
    rows = [{"path": p, "rule": r, "text": t} for (p, r, t), n in sorted(entries.items()) for _ in range(n)]
    return shown.json_text(json.dumps({"format": "dedup-baseline", "format_version": 1, "findings": rows},
                                      ensure_ascii=False, indent=1)) + "\n"


def as_json(problems: list[Problem]) -> str:
    return shown.json_text(json.dumps([asdict(p) for p in problems], ensure_ascii=False, indent=1)) + "\n"
