"""The HTML review report: report.json (plus the original texts) as one self-contained page.

Everything from the corpus travels as JSON inside a non-executable script block and is
put on the page by the page's own script with text nodes only, under a
Content-Security-Policy that allows nothing but that one script and style (by hash).
So corpus text can never become markup. Documents are drawn when opened, so a report
of 20,000 documents opens as fast as the first page of its table.
"""
from __future__ import annotations

import base64
import difflib
import hashlib
import json
from pathlib import Path
from typing import Callable

import jinja2
import numpy as np
import regex
from markupsafe import Markup

from . import corpus, plan, records, sample, segment, shown, verdicts
from .originals import original_of, sha256_of
from .report import ReportError, report_id, summarize

TEXT_BUDGET = 8_000_000      # characters of original text inlined (documents with removals or copies)
SPAN_BUDGET = 12_000_000     # characters of removed spans sent for documents whose text is not inlined
SPAN_CUT = 300               # what is left of each such span once SPAN_BUDGET is spent
DOC_SPANS = 2_000            # removed spans shown of a document whose text is not inlined (and those drawn)
CLUSTER_LIMIT = 500          # duplicate clusters shown side by side
DIFF_WORDS = 4000            # longest stretch (in words) diffed word by word at once
DIFF_BUDGET = 2_000_000      # words diffed in all, over all clusters
DIFF_CHARS = 100_000         # a kept original or a copy longer than this is shown by its place, not diffed
CHART_RULES = 12             # rules drawn in the chart; the rest are summed up as one bar
PAGE_DOCUMENTS = 20_000      # documents listed on a page without a sample (report.json lists every one)
PAGE_REMOVED_CHARS = 40_000_000   # characters removed from them, in all; above, the page shows a sample

# Words as runs of whole graphemes (\X): a diff never splits a Devanagari conjunct
# or an Arabic letter from its marks, and Arabic words are highlighted whole, so
# their letters keep joining. A word keeps the spaces after it, so spaces never
# anchor a diff. Spaces are graphemes too: a stray mark after one stays with it.
_WORDS = regex.compile(r"(?:(?=\s)\X)+|(?:(?!\s)\X)+(?:(?=\s)\X)*")
_PLAIN_WORDS = regex.compile(r"\s+|\S+\s*")
_MARK_AFTER_SPACE = regex.compile(r"\s[\p{gcb=Extend}\p{gcb=SpacingMark}\p{gcb=ZWJ}]|\p{gcb=Prepend}\s")
_FIRST_GRAPHEMES = regex.compile(r"\X{0,%d}" % SPAN_CUT)


def listed(removed: list[np.ndarray]) -> list[list[int]]:
    """Which documents a page without a sample lists, of a report's `documents` given
    in batches by the characters removed from each: every one with removals, then
    those without in order, up to PAGE_DOCUMENTS in all (report.json lists every one)."""
    picked: list[list[int]] = [np.flatnonzero(batch).tolist() for batch in removed]
    room = PAGE_DOCUMENTS - sum(map(len, picked))
    for n, batch in enumerate(removed):
        if room > 0:
            without = np.flatnonzero(np.asarray(batch) == 0)[:room].tolist()
            picked[n].extend(without)
            room -= len(without)
    return [sorted(batch) for batch in picked]


def sampled(removed: list[np.ndarray]) -> bool:
    """Whether a page shows a sample of the removals (sample.py), not every document with
    removals: there are more than sample.FULL_PAGE of them or their removed text is
    over PAGE_REMOVED_CHARS."""
    return sample.needed(sum(int(np.count_nonzero(batch)) for batch in removed),
                         sum(int(np.sum(batch)) for batch in removed), PAGE_REMOVED_CHARS)


def words(text: str) -> list[str]:
    """Words and the spaces between them; joined, they give `text` back. Splitting at
    spaces gives the same words as grapheme matching unless a space and a non-space
    share a grapheme (a mark right after a space), which is checked first: several
    times faster on real text."""
    if _MARK_AFTER_SPACE.search(text):
        return _WORDS.findall(text)
    return _PLAIN_WORDS.findall(text)


def _merge(ops: list[list[str]]) -> list[list[str]]:
    out: list[list[str]] = []
    for op, text in ops:
        if not text:
            continue
        if out and out[-1][0] == op:
            out[-1][1] += text
        else:
            out.append([op, text])
    return out


def _diff_words(a: list[str], b: list[str]) -> list[list[str]]:
    out = []
    # autojunk: the commonest words do not anchor matches, which keeps long texts fast
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b).get_opcodes():
        if tag == "equal":
            out.append(["=", "".join(a[i1:i2])])
        else:
            out += [["-", "".join(a[i1:i2])], ["+", "".join(b[j1:j2])]]
    return out


def word_diff(old: str, new: str) -> list[list[str]]:
    """[op, text] runs turning `old` into `new`, op in = (same), - (only old), + (only new).
    Long texts are matched line by line first, then word by word inside changed lines."""
    if old == new:
        return [["=", old]]
    a, b = words(old), words(new)
    if len(a) <= DIFF_WORDS and len(b) <= DIFF_WORDS:
        return _merge(_diff_words(a, b))
    out = []
    la, lb = old.splitlines(keepends=True), new.splitlines(keepends=True)
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, la, lb, autojunk=False).get_opcodes():
        x, y = "".join(la[i1:i2]), "".join(lb[j1:j2])
        wx, wy = words(x), words(y)
        if tag == "equal":
            out.append(["=", x])
        elif x and y and len(wx) <= DIFF_WORDS and len(wy) <= DIFF_WORDS:
            out += _diff_words(wx, wy)
        else:
            out += [["-", x], ["+", y]]
    return _merge(out)


def word_diffs(pairs: list[tuple[str, str]]) -> list[list[list[str]]]:
    """word_diff of each (old, new) pair: what the page's builder hands to workers."""
    return [word_diff(old, new) for old, new in pairs]


def original_text(doc: dict, base: Path, cleaned_dir: Path | None, mode: str | None) -> str | None:
    """A document's original text, if it can be had exactly (its sha256 matches): from
    its file, from the report alone (a document removed whole), or rebuilt from the
    cleaned file plus the removed spans (after --in-place, or when the input moved)."""
    return original_of(doc, base, cleaned_dir, mode)[0]


class Originals:
    """The original texts the review page needs (documents with removals, and the kept
    originals of copies), read when asked and not kept: the page inlines only
    TEXT_BUDGET characters of them, so holding every removed document's text (hundreds
    of MB on a big corpus) would buy nothing. A text that cannot be had exactly is
    not there (`in` says so). Record rows are read in one pass per file, kept per file."""

    def __init__(self, report: dict, base: Path = Path("."), cleaned_dir: Path | None = None):
        needed = _needed(report)
        self._docs = {doc["path"]: doc for doc in report.get("documents", []) if doc["path"] in needed}
        self._rows_of: dict[str, list[dict]] = {}
        for doc in self._docs.values():
            if doc.get("row"):
                self._rows_of.setdefault(doc["file"], []).append(doc)
        self._base, self._cleaned_dir = base, cleaned_dir
        self._mode, self._settings = report.get("mode"), report.get("settings", {})
        self._row_texts: dict[str, dict[str, str]] = {}
        self._available: dict[str, bool] = {}

    def get(self, path: str, default=None) -> str | None:
        doc = self._docs.get(path)
        if doc is None:
            return default
        if doc.get("row"):
            file = doc["file"]
            if file not in self._row_texts:
                self._row_texts[file] = _row_originals(file, self._rows_of[file], self._base, self._settings)
            text = self._row_texts[file].get(path)
        else:
            text = original_text(doc, self._base, self._cleaned_dir, self._mode)
        self._available[path] = text is not None
        return default if text is None else text

    def __contains__(self, path: str) -> bool:
        if path not in self._available:
            self.get(path)
        return self._available.get(path, False)

    def __getitem__(self, path: str) -> str:
        text = self.get(path)
        if text is None:
            raise KeyError(path)
        return text

    def paths(self) -> list[str]:
        return list(self._docs)


def read_originals(report: dict, base: Path = Path("."), cleaned_dir: Path | None = None) -> dict[str, str]:
    """All the original texts the page needs, read at once (Originals, in a dict); a
    document whose text cannot be had exactly is left out, and the page says so."""
    originals = Originals(report, base, cleaned_dir)
    return {path: text for path in originals.paths() if (text := originals.get(path)) is not None}


def _row_originals(file: str, docs: list[dict], base: Path, settings: dict) -> dict[str, str]:
    """Original texts of record rows, read again from their file (one pass per file)."""
    found = records.texts_as_run(str(base / file), settings, {doc["row"] for doc in docs})
    out = {}
    for doc in docs:
        text = found.get(doc["row"])
        if text is None and doc["status"] == "removed":
            text = plan.rebuild("", doc["removed"])
        if text is not None and sha256_of(text) == doc["sha256"]:
            out[doc["path"]] = text
    return out


def _needed(report: dict) -> set[str]:
    """Paths whose text the page shows: documents with removals and kept originals."""
    needed = set()
    for doc in report.get("documents", []):
        for r in doc["removed"]:
            needed.add(doc["path"])
            original = r.get("evidence", {}).get("original")
            if original:
                needed.add(original["path"])
    return needed


def _kept_texts(keys: list[tuple], texts: dict[str, str] | Originals, take: Callable[[tuple, str | None], None]) -> None:
    """take(key, the kept original of key) for each (path, lines) key, path by path:
    each original read and split into lines once, however many groups quote it and in
    whatever order (a big file quoted by 500 groups is read once, not 500 times), and
    let go before the next is read. None where the original cannot be had."""
    by_path: dict[str, list[tuple]] = {}
    for key in keys:
        by_path.setdefault(key[0], []).append(key)
    for path, quoted in by_path.items():
        text = texts.get(path)
        ends = [line.stop for line in segment.lines(text)] if text is not None and any(k[1] for k in quoted) else []
        for key in quoted:
            lines = key[1]
            if text is None or not lines:
                take(key, None if text is None else text.strip("\r\n"))
            else:   # lines (first, last), 1-based, each with its line break
                first, last = max(lines[0] - 1, 0), min(lines[1], len(ends))
                take(key, text[ends[first - 1] if first else 0:ends[last - 1]].strip("\r\n") if first < last else "")
        del text, ends


def _clusters(report: dict, texts: dict[str, str] | Originals, index: dict[str, int],
              differ: Callable[[list[tuple[str, str]]], list] = word_diffs) -> tuple[list[dict], int]:
    """Groups of removed copies of one kept original, near-duplicates first (they are
    the ones to read), then the largest; the CLUSTER_LIMIT first, with word diffs while
    the budget lasts (`differ` makes them, all at once). Also returns how many groups
    there are."""
    groups: dict[tuple, dict] = {}
    for doc in report["documents"]:
        spans, run = doc["removed"], 0   # a run: spans that follow each other with nothing kept between
        for n, r in enumerate(spans):
            if n and spans[n - 1]["chars"][1] != r["chars"][0]:
                run += 1
            original = r.get("evidence", {}).get("original")
            if not original or r["kind"] not in ("duplicate", "near-duplicate"):
                continue
            lines = tuple(original.get("lines", ()))
            group = groups.setdefault((original["path"], lines), {
                "path": original["path"], "doc": index.get(original["path"]), "lines": list(lines), "members": []})
            last = group["members"][-1] if group["members"] else None
            if last and last["path"] == doc["path"] and last["rule"] == r["rule"] and last["run"] == run:
                # a paragraph is removed line by line, all with the same evidence (and maybe
                # a line of it by another rule): one copy, with everything cut in between
                last["lines"][1], last["chars"][1] = r["lines"][1], r["chars"][1]
                if last["text"] is not None and last["chars"][1] - last["chars"][0] <= DIFF_CHARS:
                    last["text"] += "".join(s["text"] for s in spans[last["last"] + 1:n + 1])
                else:   # too long to diff or show whole: where it is is enough
                    last["text"] = None
                last["last"] = n
                continue
            group["members"].append({"path": doc["path"], "doc": index[doc["path"]], "lines": list(r["lines"]),
                                     "chars": list(r["chars"]), "kind": r["kind"], "rule": r["rule"],
                                     "similarity": r["evidence"].get("original_similarity", r["evidence"].get("similarity")),
                                     "matched": r["evidence"].get("matched"),
                                     "text": r["text"] if len(r["text"]) <= DIFF_CHARS else None, "run": run, "last": n})

    def order(item):
        (path, lines), group = item
        near = any(m["kind"] == "near-duplicate" for m in group["members"])
        return (not near, -len(group["members"]), path, lines)

    chosen = dict(sorted(groups.items(), key=order)[:CLUSTER_LIMIT])

    def look(key: tuple, kept: str | None) -> None:   # what the page shows of each group, all but the diffs
        group = chosen[key]
        group["available"] = kept is not None
        group["sample"] = kept[:300] if kept else ""   # enough for the page to tell its script
        group["near"] = any(m["kind"] == "near-duplicate" for m in group["members"])
        group["kept_words"] = None if kept and len(kept) > DIFF_CHARS else len(words(kept)) if kept else 0
        for member in group["members"]:
            del member["run"], member["last"]
            text = member["text"] = member["text"].strip("\r\n") if member["text"] is not None else None
            member["diff"] = [["=", text]] if text is not None and kept == text else None   # nothing to diff

    _kept_texts(list(chosen), texts, look)
    budget, diffed = DIFF_BUDGET, {}   # in the groups' order: the first ones are diffed while the budget lasts
    for key, group in chosen.items():
        kept_words = group.pop("kept_words")
        for member in group["members"]:
            if not group["available"] or member["diff"] is not None or member["text"] is None or kept_words is None:
                continue
            cost = kept_words + len(words(member["text"]))
            if cost <= budget:
                diffed.setdefault(key, []).append(member)
                budget -= cost
    diffed_members, pairs = [], []

    def pair(key: tuple, kept: str | None) -> None:
        for member in diffed[key]:
            diffed_members.append(member)
            pairs.append((kept, member["text"]))

    _kept_texts(list(diffed), texts, pair)
    for member, diff in zip(diffed_members, differ(pairs)):
        member["diff"] = diff
    for group in chosen.values():
        for member in group["members"]:
            del member["text"]
    out = list(chosen.values())
    return out, len(groups)


def _left_out(spans: list[dict]) -> dict:
    """What the page says of a document's removed spans it does not show: how many, their
    characters, by kind, and their rules (the table counts and filters by them)."""
    kinds: dict[str, int] = {}
    for r in spans:
        kinds[r["kind"]] = kinds.get(r["kind"], 0) + 1
    return {"spans": len(spans), "chars": sum(r["chars"][1] - r["chars"][0] for r in spans), "kinds": kinds,
            "rules": sorted({r["rule"] for r in spans})}


def page_data(report: dict, texts: dict[str, str] | Originals, differ: Callable = word_diffs,
              drawn: sample.Drawn | None = None) -> dict:
    """What the page's script draws: documents (full texts within the budget, removed
    spans always, the drawn ones marked), duplicate clusters, and the limits that
    applied (of them, how many of the run's documents the report given lists: see
    `listed`; and the sample, if the page shows one)."""
    docs = report["documents"]
    index = {d["path"]: i for i, d in enumerate(docs)}
    needed = _needed(report)
    budget, inlined = TEXT_BUDGET, {}
    for doc in docs:   # in report order (sorted paths), so what fits is predictable
        text = texts.get(doc["path"])
        if doc["path"] in needed and text is not None and len(text) <= budget:
            inlined[doc["path"]] = text
            budget -= len(text)
    rows, span_budget, spans_cut = [], SPAN_BUDGET, 0
    for doc in docs:
        text = inlined.get(doc["path"])
        missing = None
        if text is None and doc["path"] in needed:
            missing = "budget" if doc["path"] in texts else "unavailable"
        spans = doc["removed"]
        marked = set(drawn.removals.get(doc["path"], ())) if drawn else set()
        left_out = None
        if text is None and len(spans) > DOC_SPANS:   # the first ones and those drawn; the rest counted
            shown_at = sorted(set(range(DOC_SPANS)) | marked)
            left_out = _left_out([r for n, r in enumerate(spans) if n >= DOC_SPANS and n not in marked])
            spans = [spans[n] for n in shown_at]
            marked = {k for k, n in enumerate(shown_at) if n in marked}
        removed = [{k: v for k, v in r.items() if k != "text"} for r in spans]
        for n in marked:
            removed[n]["drawn"] = True
        for r, source in zip(removed, spans):   # what a verdict on it names (verdicts.py)
            if r.get("drawn") or not drawn:
                r["hash"] = verdicts.text_hash(source["text"])
        if text is None:   # the spans are all the page shows of this document
            for r, source in zip(removed, spans):
                r["text"] = source["text"]
                if len(r["text"]) > max(span_budget, SPAN_CUT):
                    kept = _FIRST_GRAPHEMES.match(r["text"]).group()   # never half a letter
                    r["text"], r["cut"] = kept, len(r["text"]) - len(kept)
                    spans_cut += 1
                span_budget = max(span_budget - len(r["text"]), 0)
        row = {"path": doc["path"], "status": doc["status"], "chars": doc["chars"], "lines": doc["lines"],
               "removed": removed, "text": text, "missing": missing}
        if left_out:
            row["left_out"] = left_out
        for extra in ("undecodable_byte_at", "unexamined_lines", "id", "kept_by_verdict"):
            if extra in doc:
                row[extra] = doc[extra]
        rows.append(row)
    clusters, clusters_total = _clusters(report, texts, index, differ)
    return {
        "report_id": report_id(report), "summary": report.get("summary", {}), "skipped": report.get("skipped", []),
        "documents": rows, "clusters": clusters,
        "limits": {"documents_listed": len(rows),
                   "documents_total": max(report.get("summary", {}).get("documents", 0), len(rows)),
                   "text_budget": TEXT_BUDGET,
                   "over_budget": sum(1 for r in rows if r["missing"] == "budget"),
                   "unavailable": sum(1 for r in rows if r["missing"] == "unavailable"),
                   "span_budget": SPAN_BUDGET, "spans_cut": spans_cut,
                   "doc_spans": DOC_SPANS, "spans_left_out": sum(1 for r in rows if "left_out" in r),
                   "cluster_limit": CLUSTER_LIMIT, "clusters_total": clusters_total,
                   "diff_budget": DIFF_BUDGET,
                   "diffs_left_out": sum(1 for c in clusters for m in c["members"]
                                         if m["diff"] is None and c["available"]),
                   "sample": drawn and {"size": drawn.size, "seed": drawn.seed, "rules": drawn.counts}},
    }


def _json_for_script(data: dict) -> str:
    return "".join(_json_pieces(data))


def _json_pieces(data: dict):
    """JSON safe inside a <script> element: no '<', '>', '&' or line separators as
    such, and undecodable bytes (lone surrogates) as \\udcXX escapes. In pieces, one
    per item of each top-level list, so the page's data is never one string."""
    yield "{"
    for n, (key, value) in enumerate(data.items()):
        yield ("," if n else "") + _script_safe(key) + ":"
        if isinstance(value, list):
            yield "["
            for i, item in enumerate(value):
                yield ("," if i else "") + _script_safe(item)
            yield "]"
        else:
            yield _script_safe(value)
    yield "}"


def _script_safe(value) -> str:
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                         ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escape)
    return shown.json_text(text)


def _printable(text: str) -> str:
    """Text for the page's own markup: lone surrogates (undecodable bytes) as U+FFFD."""
    return shown.SURROGATE.sub("\ufffd", str(text))


def _csp_hash(code: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(code.encode("utf-8")).digest()).decode() + "'"


def _bars(entries: list[tuple[str, str, int, int]]) -> list[dict]:
    """Bars of a chart: label, kind (its colour), chars, spans, length in 0..1."""
    top = max([chars for _, _, chars, _ in entries] + [1])
    return [{"label": label, "kind": kind, "chars": chars, "spans": spans, "size": chars / top}
            for label, kind, chars, spans in entries]


def charts(report: dict) -> dict:
    """Removed characters by kind and by rule (the CHART_RULES largest, then the rest)."""
    summary = report.get("summary", {})
    kind_of = {r["rule"]: r["kind"] for doc in report.get("documents", []) for r in doc["removed"]}
    by_kind = [(k, k, v["chars"], v["spans"]) for k, v in summary.get("by_kind", {}).items()]
    rules = sorted(summary.get("by_rule", {}).items(), key=lambda kv: (-kv[1]["chars"], kv[0]))
    by_rule = [(rule, kind_of.get(rule, "other"), v["chars"], v["spans"]) for rule, v in rules[:CHART_RULES]]
    rest = rules[CHART_RULES:]
    if rest:
        by_rule.append((f"{len(rest)} other rules", "other",
                        sum(v["chars"] for _, v in rest), sum(v["spans"] for _, v in rest)))
    return {"kind": _bars(by_kind), "rule": _bars(by_rule)}


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.PackageLoader("dedup", "templates"), autoescape=True,
                             undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    env.filters["num"] = lambda n: f"{n:,}"
    env.filters["printable"] = _printable
    return env


_DOC_FIELDS = {"path": str, "status": str, "chars": int, "lines": int, "removed": list}
_REMOVAL_FIELDS = {"kind": str, "rule": str, "evidence": dict, "lines": list, "chars": list, "text": str}


def _has(item, fields: dict) -> bool:
    return isinstance(item, dict) and all(isinstance(item.get(k), t) for k, t in fields.items())


def check_shape(report: dict) -> None:
    """A report edited by hand (say, filtered) must still have what the page reads."""
    if not isinstance(report.get("documents"), list):
        raise ReportError("the report has no list of documents")
    for doc in report["documents"]:
        if not _has(doc, _DOC_FIELDS) or not all(_has(r, _REMOVAL_FIELDS) and len(r["lines"]) == len(r["chars"]) == 2
                                                 for r in doc["removed"]):
            where = doc.get("path") if isinstance(doc, dict) else doc
            raise ReportError(f"document {where!r} in the report lacks a field ({', '.join(_DOC_FIELDS)}; "
                              f"removals: {', '.join(_REMOVAL_FIELDS)})")


def render(report: dict, texts: dict[str, str] | Originals, picked: bool = False,
           drawn: sample.Drawn | None = None) -> str:
    """The whole page as a string: a pure function of the report and the original texts.
    Totals are recounted from the documents, so a filtered report shows its own, and
    the page lists what `listed` picks of them, or a sample. `picked`: the report's
    documents are already what the page lists, its totals the run's, and `drawn` its
    sample if it shows one."""
    return "".join(pieces(report, texts, picked, drawn=drawn))


def _removed_chars(doc: dict) -> int:
    return sum(r["chars"][1] - r["chars"][0] for r in doc["removed"])


def _picked(report: dict, size: int | None = None, seed: int = sample.SEED) -> tuple[dict, sample.Drawn | None]:
    """The report with its totals recounted and the documents the page lists: what
    `listed` picks, or those holding a sample of `size` removals of each rule (None:
    sample.SIZE, if the report is too big to list whole). And the sample, if any."""
    docs = report["documents"]
    removed = [[_removed_chars(d) for d in docs]]
    summary = summarize(docs, report.get("skipped", []))
    if size is None and not sampled(removed):
        return {**report, "summary": summary, "documents": [docs[i] for i in listed(removed)[0]]}, None
    drawn = sample.of_report(docs, sample.SIZE if size is None else size, seed).drawn(
        {(0, i): d["path"] for i, d in enumerate(docs) if d["removed"]})
    return {**report, "summary": summary, "documents": [d for d in docs if d["path"] in drawn.removals]}, drawn


def pieces(report: dict, texts: dict[str, str] | Originals, picked: bool = False, differ: Callable = word_diffs,
           checked: bool = False, drawn: sample.Drawn | None = None):
    """The page in pieces as the template makes them (a page of tens of MB is never
    held whole, nor its UTF-8 copy). `differ`: as in _clusters; `checked`: the report's
    shape was checked already; `picked`, `drawn`: as in render."""
    if not checked:
        check_shape(report)
    if not picked:
        report, drawn = _picked(report)
    env = _environment()
    script = env.loader.get_source(env, "report.js")[0]
    style = env.loader.get_source(env, "report.css")[0]
    csp = (f"default-src 'none'; script-src {_csp_hash(script)}; style-src {_csp_hash(style)}; "
           "base-uri 'none'; form-action 'none'")
    summary = report.get("summary", {})
    data = page_data(report, texts, differ, drawn)
    return env.get_template("report.html.j2").generate(
        csp=csp, script=Markup(script), style=Markup(style), data=map(Markup, _json_pieces(data)),
        summary=summary, charts=charts(report), tool_version=report.get("tool_version", "?"),
        mode=report.get("mode", "?"), inputs=report.get("inputs", []),
        removed_share=summary.get("chars_removed", 0) / max(summary.get("chars", 0), 1))


def write(report: dict, target: Path, base: Path = Path("."), cleaned_dir: Path | None = None,
          picked: bool = False, differ: Callable = word_diffs, drawn: sample.Drawn | None = None,
          size: int | None = None, seed: int = sample.SEED) -> None:
    """Render the report, reading the originals from `base` (or rebuilding them from the
    cleaned files in `cleaned_dir`, by default the target's folder), and write it
    atomically. `picked`, `drawn`: as in render; `differ`: as in _clusters; `size`,
    `seed`: the sample to draw of a report not picked (as in _picked)."""
    check_shape(report)
    if not picked:
        report, drawn = _picked(report, size, seed)
    cleaned_dir = target.parent if cleaned_dir is None else cleaned_dir
    page = pieces(report, Originals(report, base, cleaned_dir), picked=True, differ=differ, checked=True, drawn=drawn)
    corpus.write_atomic(target, (piece.encode("utf-8") for piece in page))
