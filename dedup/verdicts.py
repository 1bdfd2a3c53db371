"""A reviewer's verdicts, exported from the review page as verdicts.json, honoured by
later runs: a removal judged wrong is not made again wherever its text recurs (the
same words, by normalized hash), and overrides turn a line, a rule in a source or a
lexicon pattern off. What they keep is listed in the report, never lost silently.

verdicts.json::

    {"format": "dedup-verdicts", "format_version": 1, "report_id": "…",
     "verdicts": [{"document": "a.jsonl:5", "rule": "frequent-line", "text_hash": "…",
                   "verdict": "wrong", "text": "…"}],
     "overrides": [{"keep_line": "<text_hash>"}, {"rule_off": "frequent-line", "source": "a.example"},
                   {"pattern_off": "lexicon:en/share", "pattern": "Share this"}]}
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from . import segment, userfiles
from .errors import DedupError
from .normalize import tokens
from .rules.findings import Decision, Finding

FORMAT = "dedup-verdicts"
FORMAT_VERSION = 1

_TOP = {"format", "format_version", "report_id", "verdicts", "overrides"}
_VERDICT = {"document", "rule", "text_hash", "verdict", "text"}
_OVERRIDES = {"keep_line": {"keep_line", "text"}, "rule_off": {"rule_off", "source"},
              "pattern_off": {"pattern_off", "pattern"}}


class VerdictsError(DedupError, ValueError):
    """A verdicts file that cannot be used: one line says why."""


def _shown(value) -> str:
    """A value of the file as a message quotes it: its repr, cut short (a file may hold
    a value of megabytes)."""
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def text_hash(text: str) -> str:
    """A removal's text as the verdicts name it: the hash of its words, normalized as
    every comparison in dedup is (case, punctuation, digits of any script, …); a text
    without words by its stripped, case-folded characters."""
    words = tokens(text)
    key = "\x1f".join(words) if words else "\x1e" + text.strip().casefold()
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:16]


@dataclass(frozen=True)
class Verdicts:
    """A verdicts file as later runs apply it."""
    file: str
    report_id: str
    judged: int                                           # verdicts in the file, right and wrong
    wrong: dict[tuple[str, str], dict] = field(default_factory=dict)     # (rule, text hash) -> verdict
    keep_lines: dict[str, dict] = field(default_factory=dict)            # text hash -> override
    rules_off: dict[tuple[str, str | None], dict] = field(default_factory=dict)   # (rule, source or None)
    patterns_off: dict[tuple[str, str], dict] = field(default_factory=dict)       # (rule, pattern)

    def keeps(self, finding: Finding, text: str) -> dict | None:
        """Why a removal of `text` by `finding` is not made (the verdict or override, as
        the report names it: see `key_of`), or None."""
        evidence = finding.evidence
        for source in (evidence.get("source"), None):
            if (finding.rule, source) in self.rules_off:
                return {"override": "rule-off", "rule": finding.rule, "source": source}
        if "pattern" in evidence and (finding.rule, evidence["pattern"]) in self.patterns_off:
            return {"override": "pattern-off", "rule": finding.rule, "pattern": evidence["pattern"]}
        digest = text_hash(text)
        if digest in self.keep_lines:
            return {"override": "keep-line", "text_hash": digest}
        if (finding.rule, digest) in self.wrong:
            return {"verdict": "wrong", "rule": finding.rule, "text_hash": digest,
                    "judged": self.wrong[finding.rule, digest]["document"]}
        return None

    def entries(self) -> dict[str, dict]:
        """Every verdict judged wrong and every override, by `key_of` what it keeps."""
        out = {key_of({"verdict": "wrong", "rule": rule, "text_hash": digest}): item
               for (rule, digest), item in self.wrong.items()}
        out.update({key_of({"override": "keep-line", "text_hash": digest}): item
                    for digest, item in self.keep_lines.items()})
        out.update({key_of({"override": "rule-off", "rule": rule, "source": source}): item
                    for (rule, source), item in self.rules_off.items()})
        out.update({key_of({"override": "pattern-off", "rule": rule, "pattern": pattern}): item
                    for (rule, pattern), item in self.patterns_off.items()})
        return dict(sorted(out.items()))


def key_of(by: dict) -> str:
    """The verdict or override a kept removal's `by` names, as one string."""
    if "verdict" in by:
        return json.dumps(["wrong", by["rule"], by["text_hash"]], ensure_ascii=False)
    parts = {"keep-line": ("text_hash",), "rule-off": ("rule", "source"), "pattern-off": ("rule", "pattern")}
    return json.dumps([by["override"], *(by[k] for k in parts[by["override"]])], ensure_ascii=False)


def apply(verdicts: Verdicts | None, text: str, decision: Decision) -> tuple[Decision, list[dict]]:
    """The decision without the removals the verdicts keep, and what they keep (report
    entries: the removal as it would have been, and `by`: the verdict or override). A
    paragraph removed by one finding is kept whole when a line of it is kept."""
    if verdicts is None or (decision.document is None and not decision.lines):
        return decision, []
    lines = segment.lines(text)
    if decision.document is not None:
        by = verdicts.keeps(decision.document, text)
        if not by:
            return decision, []
        return Decision(), [_kept(decision.document, 1, max(len(lines), 1), 0, len(text), text, by)]
    runs: list[list[int]] = []   # consecutive lines removed by one finding (a paragraph's lines)
    for i in sorted(decision.lines):
        if runs and runs[-1][-1] == i - 1 and decision.lines[runs[-1][-1]] == decision.lines[i]:
            runs[-1].append(i)
        else:
            runs.append([i])
    left, kept = dict(decision.lines), []
    for run in runs:
        finding = decision.lines[run[0]]
        by = next(filter(None, (verdicts.keeps(finding, text[lines[i].start:lines[i].end]) for i in run)), None)
        if by:
            for i in run:
                del left[i]
            first, last = lines[run[0]], lines[run[-1]]
            kept.append(_kept(finding, first.number, last.number, first.start, last.stop, text, by))
    return Decision(None, left), kept


def _kept(finding: Finding, first: int, last: int, start: int, stop: int, text: str, by: dict) -> dict:
    return {"kind": finding.kind, "rule": finding.rule, "lines": [first, last], "chars": [start, stop],
            "text": text[start:stop], "evidence": finding.evidence, "by": by}


def load(path: str | Path) -> Verdicts:
    """A verdicts file, checked: one VerdictsError line for anything wrong with it."""
    name = str(path)
    try:
        data = json.loads(userfiles.read(path).decode("utf-8"))
    except OSError as err:
        raise VerdictsError(f"{name}: cannot read the verdicts file: {err.strerror}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise VerdictsError(f"{name}: not a verdicts file: broken JSON ({err})") from None
    except RecursionError:
        raise VerdictsError(f"{name}: not a verdicts file: nested too deeply to read") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        what = data.get("format") if isinstance(data, dict) else None
        raise VerdictsError(f"{name}: not a verdicts file" + (f" (it is a {what[:80]})" if isinstance(what, str) else "")
                            + "; export one from the review page")
    if data.get("format_version") != FORMAT_VERSION:
        raise VerdictsError(f"{name}: verdicts format version {_shown(data.get('format_version'))}; "
                            f"this dedup reads version {FORMAT_VERSION}")
    _fields(name, "the file", data, _TOP)
    report_id = data.get("report_id")
    if not isinstance(report_id, str) or len(report_id) != 16 or not all(c in "0123456789abcdef" for c in report_id):
        raise VerdictsError(f"{name}: report_id {_shown(report_id)} is not the id of a dedup report")
    verdicts = data.get("verdicts", [])
    overrides = data.get("overrides", [])
    if not isinstance(verdicts, list) or not isinstance(overrides, list):
        raise VerdictsError(f"{name}: verdicts and overrides must be lists")
    wrong: dict = {}
    for n, item in enumerate(verdicts, 1):
        _fields(name, f"verdict {n}", item, _VERDICT, required=("document", "rule", "text_hash", "verdict"))
        if item["verdict"] not in ("right", "wrong"):
            raise VerdictsError(f"{name}: verdict {n}: verdict must be right or wrong, not {_shown(item['verdict'])}")
        if item["verdict"] == "wrong":
            wrong[item["rule"], item["text_hash"]] = item
    keep_lines, rules_off, patterns_off = {}, {}, {}
    for n, item in enumerate(overrides, 1):
        kind = next((k for k in _OVERRIDES if isinstance(item, dict) and k in item), None)
        if kind is None:
            raise VerdictsError(f"{name}: override {n} is none of {', '.join(_OVERRIDES)}")
        _fields(name, f"override {n}", item, _OVERRIDES[kind], required=(kind,), optional_none=("source",))
        if kind == "keep_line":
            keep_lines[item["keep_line"]] = item
        elif kind == "rule_off":
            rules_off[item["rule_off"], item.get("source")] = item
        else:
            if "pattern" not in item:
                raise VerdictsError(f"{name}: override {n}: pattern_off needs the pattern")
            patterns_off[item["pattern_off"], item["pattern"]] = item
    return Verdicts(name, report_id, len(verdicts), wrong, keep_lines, rules_off, patterns_off)


def _fields(name: str, what: str, item, allowed: set[str], required: tuple = (), optional_none: tuple = ()) -> None:
    if not isinstance(item, dict):
        raise VerdictsError(f"{name}: {what} is not an object")
    unknown = sorted(set(item) - allowed)
    if unknown:
        raise VerdictsError(f"{name}: {what} has an unknown field {_shown(unknown[0])}")
    for key in required:
        if key not in item:
            raise VerdictsError(f"{name}: {what} lacks the field {_shown(key)}")
    for key, value in item.items():
        if key == "format_version" or (key in optional_none and value is None) or key in ("verdicts", "overrides"):
            continue
        if not isinstance(value, str):
            raise VerdictsError(f"{name}: {what}: {key} must be a string, not {_shown(value)}")


def section(judged: Verdicts, kept: dict[str, int]) -> dict:
    """What report.json says of the verdicts a run applied: the file, how much each
    verdict and override kept, and those that found nothing to keep (their text no
    longer removed, or no longer there): reported, not an error."""
    applied, not_found = [], []
    for key, item in judged.entries().items():
        (applied if kept.get(key) else not_found).append({**item, "kept": kept.get(key, 0)})
    return {"file": judged.file, "report_id": judged.report_id, "judged": judged.judged,
            "kept": sum(kept.values()), "applied": applied, "not_found": not_found}
