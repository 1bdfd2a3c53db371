"""The HTML review report: report.json (plus the original texts) as one self-contained page.

Everything from the corpus travels as JSON inside a non-executable script block and is
put on the page by the page's own script with textContent only, under a
Content-Security-Policy that allows nothing but that one script and style (by hash).
So corpus text can never become markup. Documents are drawn on demand, so a report of
20,000 documents opens as fast as the table of its first page.
"""
from __future__ import annotations

import base64
import difflib
import hashlib
import json
from importlib import resources
from pathlib import Path

import jinja2
import regex
from markupsafe import Markup

from . import corpus, segment

TEXT_BUDGET = 8_000_000      # characters of original text inlined, documents with removals first
CLUSTER_LIMIT = 500          # duplicate clusters shown side by side
DIFF_TOKENS = 4000           # longest text (in words) that gets a word diff
DIFF_BUDGET = 2_000_000      # words diffed in all, over all clusters

# Words as runs of whole graphemes (\X): a diff never splits a Devanagari conjunct
# or an Arabic letter from its marks, and Arabic words are highlighted whole.
# A word keeps the spaces after it, so spaces never anchor a diff.
_WORDS = regex.compile(r"\s+|(?:(?!\s)\X)+\s*")
_URDU = regex.compile(r"[ٹڈڑںےۓہھ]")
_ARABIC = regex.compile(r"\p{Arabic}")
_DEVANAGARI = regex.compile(r"\p{Devanagari}")


def words(text: str) -> list[str]:
    """Words and the spaces between them; joined, they give `text` back."""
    return _WORDS.findall(text)


def word_diff(old: str, new: str) -> list[list[str]]:
    """[op, text] runs turning `old` into `new`, op in = (same), - (only old), + (only new)."""
    if old == new:
        return [["=", old]]
    a, b = words(old), words(new)
    if len(a) > DIFF_TOKENS or len(b) > DIFF_TOKENS:
        return [["-", old], ["+", new]]
    out: list[list[str]] = []
    # autojunk: spaces and the commonest words do not anchor matches, which keeps
    # long texts fast (difflib is quadratic in the worst case)
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b).get_opcodes():
        if tag == "equal":
            out.append(["=", "".join(a[i1:i2])])
        else:
            if i2 > i1:
                out.append(["-", "".join(a[i1:i2])])
            if j2 > j1:
                out.append(["+", "".join(b[j1:j2])])
    return out


def language(text: str) -> str | None:
    """A `lang` for a block when its script says it: Urdu letters, Arabic, Devanagari."""
    sample = text[:2000]
    if _URDU.search(sample):
        return "ur"
    if _ARABIC.search(sample):
        return "ar"
    if _DEVANAGARI.search(sample):
        return "hi"
    return None


def read_originals(report: dict, base: Path = Path(".")) -> dict[str, str]:
    """Original texts whose file still has the content the report describes (same
    sha256); a changed or missing file is left out and the page says so."""
    out = {}
    for doc in report.get("documents", []):
        path = base / doc["path"]
        try:
            data = path.read_bytes()
        except OSError:
            continue
        if hashlib.sha256(data).hexdigest() == doc.get("sha256"):
            out[doc["path"]] = data.decode("utf-8", "surrogateescape")
    return out


def _line_texts(text: str) -> list[str]:
    return [text[line.start:line.stop] for line in segment.lines(text)]


def _clusters(report: dict, texts: dict[str, str], index: dict[str, int]) -> tuple[list[dict], int]:
    """Groups of removals that point at the same kept original, with word diffs
    (the CLUSTER_LIMIT largest), and how many groups there are."""
    groups: dict[tuple, dict] = {}
    for doc in report["documents"]:
        for r in doc["removed"]:
            original = r["evidence"].get("original")
            if not original or r["kind"] not in ("duplicate", "near-duplicate"):
                continue
            lines = tuple(original.get("lines", ()))
            group = groups.setdefault((original["path"], lines), {
                "path": original["path"], "doc": index.get(original["path"]), "lines": list(lines),
                "members": []})
            group["members"].append({"path": doc["path"], "doc": index[doc["path"]], "lines": r["lines"],
                                     "rule": r["rule"], "similarity": r["evidence"].get("similarity"),
                                     "text": r["text"]})
    out, budget = [], DIFF_BUDGET
    for (path, lines), group in sorted(groups.items(), key=lambda kv: (-len(kv[1]["members"]), kv[0])):
        if len(out) >= CLUSTER_LIMIT:
            break
        kept = None
        if path in texts:
            all_lines = _line_texts(texts[path])
            kept = "".join(all_lines[lines[0] - 1:lines[1]]) if lines else texts[path]
        group["text"] = kept
        for member in group["members"]:
            text = member.pop("text")
            cost = 0 if kept is None else len(kept) // 6 + len(text) // 6   # about the words of both
            member["diff"] = None
            if kept is not None and cost <= budget:
                member["diff"] = word_diff(kept, text)
                budget -= cost
        out.append(group)
    return out, len(groups)


def page_data(report: dict, texts: dict[str, str]) -> dict:
    """What the page's script draws: documents (texts within the budget), clusters."""
    docs = report["documents"]
    index = {d["path"]: i for i, d in enumerate(docs)}
    budget = TEXT_BUDGET
    inlined = {}
    for doc in sorted(docs, key=lambda d: (not d["removed"], d["path"])):
        text = texts.get(doc["path"])
        if text is not None and doc["removed"] and len(text) <= budget:
            inlined[doc["path"]] = text
            budget -= len(text)
    missing_texts = sum(1 for d in docs if d["removed"] and d["path"] not in inlined)
    clusters, clusters_total = _clusters(report, texts, index)
    rows = []
    for doc in docs:
        text = inlined.get(doc["path"])
        sample = text or "".join(r["text"] for r in doc["removed"][:3])
        rows.append({
            "path": doc["path"], "status": doc["status"], "chars": doc["chars"], "lines": doc["lines"],
            "removed": doc["removed"], "text": text, "lang": language(sample) if sample else None,
        })
    return {
        "summary": report.get("summary", {}), "tool_version": report.get("tool_version"),
        "mode": report.get("mode"), "inputs": report.get("inputs", []), "skipped": report.get("skipped", []),
        "documents": rows, "clusters": clusters,
        "limits": {"text_budget": TEXT_BUDGET, "texts_left_out": missing_texts,
                   "cluster_limit": CLUSTER_LIMIT, "clusters_total": clusters_total},
    }


def _json_for_script(data: dict) -> str:
    """JSON safe inside a <script> element: no '<', '>', '&' or line separators as such."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                         ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escape)
    return text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")


def _csp_hash(code: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(code.encode("utf-8")).digest()).decode() + "'"


def render(report: dict, texts: dict[str, str]) -> str:
    """The whole page as a string."""
    folder = resources.files("dedup") / "templates"
    script = (folder / "report.js").read_text("utf-8")
    style = (folder / "report.css").read_text("utf-8")
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    template = env.from_string((folder / "report.html.j2").read_text("utf-8"))
    csp = (f"default-src 'none'; script-src {_csp_hash(script)}; style-src {_csp_hash(style)}; "
           "img-src data:; base-uri 'none'; form-action 'none'")
    return template.render(
        csp=csp, script=Markup(script), style=Markup(style), data=Markup(_json_for_script(page_data(report, texts))),
        summary=report.get("summary", {}), tool_version=report.get("tool_version", "?"),
        inputs=report.get("inputs", []))


def write(report: dict, target: Path, base: Path = Path(".")) -> None:
    """Render the report (reading the originals from `base`) and write it atomically."""
    html = render(report, read_originals(report, base))
    corpus.write_atomic(target, html.encode("utf-8", "surrogatepass"))
