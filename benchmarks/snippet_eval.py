"""A held-out multilingual check of page cleaning, from a local copy of trafilatura's
evaluation set (github.com/adbar/trafilatura, tests/: 990 pages of news sites, blogs,
shops and public bodies, mostly German, English and French, each with a few snippets its
text must keep and a few it must lose, chosen by hand).

    git clone https://github.com/adbar/trafilatura /tmp/trafilatura
    python benchmarks/snippet_eval.py build /tmp/trafilatura /tmp/snippets
    dedup clean /tmp/snippets/corpus -o /tmp/snippets/out
    python benchmarks/snippet_eval.py score /tmp/snippets /tmp/snippets/out

Each page becomes text the way page_gold.py makes it (a line per block element, as a plain
scraper writes it), in a folder per site. A snippet the page's text does not hold (in a
script, an attribute, split by markup) is left out of the score. `score` says how many of
the snippets to keep are still in the cleaned text (content kept) and how many of those to
lose are gone (junk removed), whole pages removed counted apart, and lists the snippets to
keep that a rule took, with the rule. The data is only read from where it is; nothing of it
belongs in this repository.
"""
from __future__ import annotations

import argparse
import collections
import json
import re
from pathlib import Path
from urllib.parse import urlparse

from page_gold import Lines

_CHARSET = re.compile(rb"""<meta[^>]+charset=["']?([\w-]+)""", re.I)


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _decoded(data: bytes) -> str:
    found = _CHARSET.search(data[:4096])
    for encoding in ([found.group(1).decode("ascii")] if found else []) + ["utf-8"]:
        try:
            return data.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("cp1252", "replace")


def build(source: Path, target: Path) -> dict:
    pages = json.loads((source / "tests" / "evaldata.json").read_text("utf-8"))
    snippets, dropped = {}, 0
    for url, page in sorted(pages.items()):
        html = next((p for p in (source / "tests" / "eval" / page["file"], source / "tests" / "cache" / page["file"])
                     if p.exists()), None)
        if html is None:
            continue
        parser = Lines()
        parser.feed(_decoded(html.read_bytes()))
        parser.close()
        parser.flush()
        lines = [text.replace("\0", "") for text, _ in parser.lines]   # (a NUL in a page's HTML)
        flat = _flat(" ".join(lines))
        held = {kind: [s for s in map(_flat, page.get(kind, [])) if s and s in flat] for kind in ("with", "without")}
        dropped += sum(len(page.get(kind, [])) - len(held[kind]) for kind in held)
        name = f"{urlparse(url).hostname or 'unknown'}/{Path(page['file']).stem[:60]}.txt"
        path = target / "corpus" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(line + "\n" for line in lines), "utf-8")
        snippets[name] = held
    (target / "snippets.json").write_text(json.dumps(snippets, ensure_ascii=False, indent=0), "utf-8")
    print(f"{len(snippets)} pages, {sum(len(s['with']) for s in snippets.values())} snippets to keep, "
          f"{sum(len(s['without']) for s in snippets.values())} to lose; {dropped} not in a page's text, left out")
    return snippets


def score(target: Path, out: Path, show: int = 40) -> dict:
    snippets = json.loads((target / "snippets.json").read_text("utf-8"))
    report = json.loads((out / "report.json").read_text("utf-8"))
    rules_of = {}
    for doc in report.get("documents", []):
        rules_of[doc["relpath"]] = doc
    tally = collections.Counter()
    lost_to = collections.Counter()
    lost = []
    for name, held in sorted(snippets.items()):
        cleaned = out / name
        flat = _flat(cleaned.read_text("utf-8").replace("\n", " ")) if cleaned.exists() else ""
        whole = not cleaned.exists()
        lines = (target / "corpus" / name).read_text("utf-8").split("\n")
        for snippet in held["with"]:
            tally["with"] += 1
            if snippet in flat:
                tally["kept"] += 1
                continue
            tally["with lost, page removed" if whole else "with lost"] += 1
            rule = _rule_taking(rules_of.get(name), lines, snippet)
            lost_to[rule] += 1
            lost.append((name, rule, snippet))
        for snippet in held["without"]:
            tally["without"] += 1
            if snippet not in flat:
                tally["removed"] += 1
    result = {"pages": len(snippets), "to keep": tally["with"], "kept": tally["kept"],
              "content kept": round(tally["kept"] / max(tally["with"], 1), 4),
              "lost in removed pages": tally["with lost, page removed"],
              "to lose": tally["without"], "removed": tally["removed"],
              "junk removed": round(tally["removed"] / max(tally["without"], 1), 4),
              "lost by rule": dict(lost_to.most_common())}
    print(json.dumps(result, indent=1, ensure_ascii=False))
    for name, rule, snippet in lost[:show]:
        print(f"  lost  {rule:28} {name[:50]:50} {snippet[:90]!r}")
    return result


def _rule_taking(doc: dict | None, lines: list[str], snippet: str) -> str:
    """The rule that removed a line holding part of the snippet."""
    if doc is None:
        return "?"
    for removal in doc.get("removed", []):
        first, last = removal["lines"]
        text = _flat(" ".join(lines[first - 1:last]))
        if text and (text in snippet or snippet in text or snippet[:40] in text):
            return removal["rule"]
    return "whole document" if doc.get("status") == "removed" else "?"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="make corpus/ and snippets.json from a local copy of trafilatura")
    b.add_argument("source", type=Path)
    b.add_argument("target", type=Path)
    s = sub.add_parser("score", help="score a dedup output folder against snippets.json")
    s.add_argument("target", type=Path)
    s.add_argument("out", type=Path)
    s.add_argument("--show", type=int, default=40, help="snippets to keep that were lost, listed (default 40)")
    args = parser.parse_args()
    if args.command == "build":
        build(args.source, args.target)
    else:
        score(args.target, args.out, args.show)


if __name__ == "__main__":
    main()
