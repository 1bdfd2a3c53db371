"""report.json: every decision with its evidence, plus the summary printed to people."""
from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from . import __version__, report_parts, shown, userfiles, verdicts
from .errors import DedupError

FORMAT = "dedup-report"
FORMAT_VERSION = 1
KINDS = ("duplicate", "near-duplicate", "boilerplate")


class ReportError(DedupError, ValueError):
    pass


@dataclass(frozen=True, slots=True)
class DocumentEntry:
    """One document of report.json, as the write stage leaves it."""
    path: str                   # as the user sees it ("data.jsonl:17" for a record)
    relpath: str                # under its input folder: where a write run puts it
    output: str | None          # where its cleaned text is (None: nowhere, it went whole)
    status: str                 # kept, cleaned or removed
    sha256: str                 # of the original text
    chars: int
    lines: int
    removed: tuple              # plan.Removal of each span cut, in order
    file: str | None = None     # a record: its file, row (1-based) and id field
    row: int = 0
    id: str | None = None
    undecodable_byte_at: int | None = None   # kept verbatim (--decode-errors keep)
    unexamined_lines: tuple[int, ...] = ()   # 1-based: longer than max_line_chars
    kept_by_verdict: tuple = ()              # removals a verdicts file kept (verdicts.apply)

    def to_json(self) -> dict:
        out = {"path": self.path, "relpath": self.relpath, "output": self.output, "status": self.status,
               "sha256": self.sha256, "chars": self.chars, "lines": self.lines,
               "removed": [r.to_json() for r in self.removed]}
        if self.row:
            out.update(file=self.file, row=self.row, id=self.id)
        if self.undecodable_byte_at is not None:
            out["undecodable_byte_at"] = self.undecodable_byte_at
        if self.unexamined_lines:
            out["unexamined_lines"] = list(self.unexamined_lines)
        if self.kept_by_verdict:
            out["kept_by_verdict"] = list(self.kept_by_verdict)
        return out


def build(documents: list[dict], skipped: list[dict], settings: dict, inputs: list[str],
          output: str | None, mode: str) -> dict:
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "tool_version": __version__,
        "mode": mode,
        "inputs": inputs,
        "output": output,
        "settings": settings,
        "summary": summarize(documents, skipped),
        "documents": documents,
        "skipped": skipped,
    }


def report_id(report: dict) -> str:
    """What names a report for the verdicts judged on its review page: a hash of its
    header and totals, the same however often its page is drawn again. Not of where
    it was written: the same corpus and settings make the same decisions anywhere."""
    head = {key: report.get(key) for key in ("format", "format_version", "tool_version", "mode", "inputs",
                                             "settings", "summary")}
    text = json.dumps(head, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]


class Tally:
    """The summary's counts, added up document by document: the write stage counts its
    batch's documents where it writes them, and the run adds the batches' tallies, so
    no process holds every document to sum them up."""
    __slots__ = ("documents", "status", "lines", "lines_removed", "chars", "spans_by_kind", "chars_by_kind",
                 "spans_by_rule", "chars_by_rule", "kept_by_verdict")

    def __init__(self, documents: Iterable[dict] = ()):
        self.documents = self.lines = self.lines_removed = self.chars = 0
        self.status, self.spans_by_kind, self.chars_by_kind = Counter(), Counter(), Counter()
        self.spans_by_rule, self.chars_by_rule = Counter(), Counter()
        self.kept_by_verdict = Counter()   # verdicts.key_of each kept removal's verdict -> how many
        for doc in documents:
            self.add(doc)

    def add(self, doc: dict) -> None:
        self.documents += 1
        self.status[doc["status"]] += 1
        self.lines += doc["lines"]
        self.chars += doc["chars"]
        for r in doc["removed"]:
            size = r["chars"][1] - r["chars"][0]
            self.spans_by_kind[r["kind"]] += 1
            self.chars_by_kind[r["kind"]] += size
            self.spans_by_rule[r["rule"]] += 1
            self.chars_by_rule[r["rule"]] += size
            self.lines_removed += r["lines"][1] - r["lines"][0] + 1
        for kept in doc.get("kept_by_verdict", ()):
            self.kept_by_verdict[verdicts.key_of(kept["by"])] += 1

    def __iadd__(self, other: "Tally") -> "Tally":
        for name in self.__slots__:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        return self

    def summary(self, skipped: int) -> dict:
        return {
            "documents": self.documents,
            "documents_kept": self.status["kept"],
            "documents_cleaned": self.status["cleaned"],
            "documents_removed": self.status["removed"],
            "skipped": skipped,
            "lines": self.lines,
            "lines_removed": self.lines_removed,
            "chars": self.chars,
            "chars_removed": sum(self.chars_by_kind.values()),
            "by_kind": {k: {"spans": self.spans_by_kind[k], "chars": self.chars_by_kind[k]} for k in KINDS},
            "by_rule": {k: {"spans": self.spans_by_rule[k], "chars": self.chars_by_rule[k]}
                        for k in sorted(self.spans_by_rule)},
        }


def summarize(documents: list[dict], skipped: list[dict]) -> dict:
    return Tally(documents).summary(len(skipped))


def dumps(report: dict) -> bytes:
    return b"".join(chunks(report))


def chunks(report: dict, document_parts: list[Path] | None = None):
    """The report as JSON in UTF-8, readable in any script, in pieces: written as it is
    encoded, never held whole. A document per line and each of its removals on a line
    of its own, so a diff of two reports reads by document and span (and json's C
    encoder does the work: an indented dump of a large report takes many seconds).
    Undecodable bytes that were kept live in the text as lone surrogates; they are
    written as \\udcXX escapes, which load back. With `document_parts`, the documents
    are those files' bytes (`document_lines` of consecutive runs of documents), in order,
    in place of report["documents"]: the same bytes as the documents in the dict."""
    yield _utf8("{\n")
    for n, (key, value) in enumerate(report.items()):
        yield _utf8(("" if not n else ",\n") + f" {json.dumps(key)}: ")
        if key == "documents" and document_parts is not None:
            yield from _joined(document_parts)
        elif key == "documents" and isinstance(value, list) and value:
            yield _utf8("[\n")
            for i, doc in enumerate(value):
                yield _utf8(("" if not i else ",\n") + "  " + _document_line(doc))
            yield _utf8("\n ]")
        else:
            yield _utf8(json.dumps(value, ensure_ascii=False, indent=1).replace("\n", "\n "))
    yield _utf8("\n}\n")


def document_lines(documents: list[dict]) -> tuple[bytes, list[int]]:
    """Documents as report.json lists them, for a part of its list: the bytes, and the
    bounds of each document's piece in them (n + 1 offsets; see entry)."""
    pieces, bounds = [], [0]
    for i, doc in enumerate(documents):
        pieces.append(_utf8(("" if not i else ",\n") + "  " + _document_line(doc)))
        bounds.append(bounds[-1] + len(pieces[-1]))
    return b"".join(pieces), bounds


def entry(piece: bytes) -> dict:
    """A document back from its piece of document_lines."""
    return json.loads(piece.lstrip(b",\n "))


def _joined(parts: list[Path]):
    """The documents list from files of document_lines, empty ones left out."""
    parts = [part for part in parts if part.stat().st_size]
    if not parts:
        yield b"[]"
        return
    yield b"[\n"
    for i, part in enumerate(parts):
        if i:
            yield b",\n"
        with open(part, "rb") as handle:
            while piece := handle.read(1 << 20):
                yield piece
    yield b"\n ]"


def _document_line(doc: dict) -> str:
    removed = doc.get("removed")
    if not isinstance(removed, list) or not removed:
        return json.dumps(doc, ensure_ascii=False)
    head = json.dumps({k: v for k, v in doc.items() if k != "removed"}, ensure_ascii=False)
    spans = ",\n   ".join(json.dumps(r, ensure_ascii=False) for r in removed)
    return f'{head[:-1]}, "removed": [\n   {spans}\n  ]}}'


def _utf8(text: str) -> bytes:
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:   # lone surrogates (kept undecodable bytes): as escapes
        return shown.json_text(text).encode("utf-8")


def load(path: str | Path) -> dict:
    try:
        report = json.loads(userfiles.read(path, limit=None))
    except OSError as err:
        raise ReportError(f"{path}: cannot read ({err.strerror})") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise ReportError(f"{path}: not a JSON report ({err})") from None
    except RecursionError:
        raise ReportError(f"{path}: not a dedup report (nested too deeply to read)") from None
    if not isinstance(report, dict) or report.get("format") != FORMAT:
        raise ReportError(f"{path}: not a dedup report")
    for key, kind in (("settings", dict), ("inputs", list), ("skipped", list)):
        if key in report and not isinstance(report[key], kind):
            raise ReportError(f"{path}: not a dedup report (its {key} is {type(report[key]).__name__}, "
                              f"not {kind.__name__})")
    if report.get("format_version") != FORMAT_VERSION:
        raise ReportError(f"{path}: report format version {report.get('format_version')!r} is not supported")
    if "document_parts" in report:   # a large run's: its documents are beside it (report_parts)
        try:
            documents = report_parts.read(Path(path).parent, report["document_parts"])
        except ValueError as err:
            raise ReportError(f"{path}: {err}") from None
        report = _replaced(report, "document_parts", "documents", documents)
    if not isinstance(report.get("documents"), list):   # (an edited report: restore would find nothing to do)
        raise ReportError(f"{path}: not a dedup report (it lists no documents)")
    for n, doc in enumerate(report["documents"]):
        damage = _damage(doc)
        if damage:
            raise ReportError(f"{path}: not a report as dedup writes it: document {n + 1} {damage}")
    return report


def _damage(doc) -> str | None:
    """What is wrong with a document entry of an edited report, if anything: what restore
    and the page read of it, each of its type."""
    if not isinstance(doc, dict):
        return f"is {type(doc).__name__}, not an object"
    for key, kinds in (("path", str), ("status", str), ("removed", list), ("sha256", (str, type(None))),
                       ("relpath", (str, type(None))), ("output", (str, type(None))), ("file", str),
                       ("row", int)):
        if (key in doc and not isinstance(doc[key], kinds)) or (key in ("path", "removed") and key not in doc):
            return f"has a {key} of type {type(doc.get(key)).__name__}"
    for key in ("chars", "lines"):
        if key in doc and not _whole(doc[key]):
            return f"has a {key} of type {type(doc[key]).__name__}, not a whole number"
    unexamined = doc.get("unexamined_lines", [])
    if not isinstance(unexamined, list) or not all(_whole(line) for line in unexamined):
        return "has unexamined_lines that are not a list of line numbers"
    for removal in doc["removed"]:
        if not isinstance(removal, dict) or not isinstance(removal.get("text"), str) \
                or not isinstance(removal.get("rule"), str) or not _pair(removal.get("chars")) \
                or not _pair(removal.get("lines")) or not isinstance(removal.get("evidence", {}), dict):
            return "has a removal of the wrong shape"
        evidence = removal.get("evidence", {})
        for place in ("original", "matched"):
            where = evidence.get(place, {"path": ""})
            if not isinstance(where, dict) or not isinstance(where.get("path"), str) \
                    or ("lines" in where and not _pair(where["lines"])):
                return f"has a removal whose evidence's {place} is not a path (and lines)"
    return None


def _whole(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _pair(value) -> bool:
    return isinstance(value, list) and len(value) == 2 and all(_whole(v) for v in value)


def in_parts(report: dict, listing: list[dict]) -> dict:
    """The report as report.json holds it when its documents are in parts (`listing`)."""
    return _replaced(report, "documents", "document_parts", listing)


def _replaced(report: dict, key: str, new_key: str, value) -> dict:
    """`report` with `key` and its value replaced, in its place (report.json keeps its order)."""
    return {(new_key if k == key else k): (value if k == key else v) for k, v in report.items()}


def _n(n: int, noun: str, plural: str | None = None) -> str:
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"


def _spans(counts: dict) -> str:
    return "span " if counts["spans"] == 1 else "spans"


def summary_text(report: dict, report_path: str | None) -> str:
    s = report["summary"]
    lines = [
        f"dedup {report['tool_version']}: {_n(s['documents'], 'document')}, {_n(s['lines'], 'line')}, "
        f"{_n(s['chars'], 'character')}",
        f"  kept as they were: {s['documents_kept']:,}, cleaned: {s['documents_cleaned']:,}, "
        f"removed whole: {s['documents_removed']:,}, skipped: {s['skipped']:,}",
        f"  removed {_n(s['lines_removed'], 'line')}, {_n(s['chars_removed'], 'character')} "
        f"({100 * s['chars_removed'] / max(s['chars'], 1):.1f}%)",
    ]
    for kind, counts in s["by_kind"].items():
        if counts["spans"]:
            lines.append(f"    {kind:<15} {counts['spans']:>7,} {_spans(counts)} {counts['chars']:>12,} chars")
    for rule, counts in s["by_rule"].items():
        lines.append(f"      {rule:<30} {counts['spans']:>7,} {_spans(counts)} {counts['chars']:>12,} chars")
    for item in report["skipped"][:10]:
        lines.append(f"  skipped {item['path']}: {item['reason']}")
    if len(report["skipped"]) > 10:
        lines.append(f"  ... and {len(report['skipped']) - 10:,} more skipped (see the report)")
    outputs = report.get("outputs_not_read", [])
    if outputs:
        shown = ", ".join(outputs[:5]) + (f" and {len(outputs) - 5:,} more" if len(outputs) > 5 else "")
        lines.append(f"  not read: {_n(len(outputs), 'dedup output folder')} ({shown})")
    if report["mode"] == "write" and report["output"]:
        lines.append(f"  cleaned text in {report['output']}/")
    elif report["mode"] == "in-place":
        rewritten = s["documents_cleaned"]
        lines.append(f"  inputs rewritten in place: {rewritten:,} cleaned, {s['documents_removed']:,} deleted")
        if s["documents_removed"]:
            lines.append(f"  deleted files (duplicates of others as a whole) are listed in "
                         f"{report_path or 'the report'} with status \"removed\"")
        lines.append(f"  undo: dedup restore {report_path or 'REPORT.json'}")
    if report_path:
        lines.append(f"  report: {report_path}")
    return "\n".join(lines)
