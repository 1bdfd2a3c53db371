"""A public English dev set with per-line gold for page-level boilerplate, from a local
copy of the article extraction benchmark (github.com/scrapinghub/article-extraction-benchmark:
181 news and blog pages of 181 sites, their HTML and each page's article body).

    git clone https://github.com/scrapinghub/article-extraction-benchmark /tmp/aeb
    python benchmarks/page_gold.py /tmp/aeb /tmp/pages
    dedup clean /tmp/pages/corpus -o /tmp/pages/out
    python ../shared/eval/score_lines.py /tmp/pages/gold.json /tmp/pages/out

Each page becomes text the way a plain scraper writes it: the body's text, a line per block
element (paragraph, heading, list item, table cell, div...), scripts, styles and forms left
out. A line is content when its words are a run of the article body's words (a short line
only within the article's span or as a paragraph of its own), or when it is the page's
first-level heading, the headline a corpus keeps (a line the page prints more often than the
article has it is content that many times, the first ones); every other line is junk: menus,
bylines, share and related-story widgets, comments, footers. OUT/corpus/HOST/PAGE.txt and
OUT/gold.json ({path: [[line, "content" or "junk"], ...]}, the format score_lines.py reads).
The data is only read from where it is; nothing of it belongs in this repository.
"""
from __future__ import annotations

import argparse
import gzip
import json
import re
import unicodedata
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlparse

BLOCKS = {"address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "figcaption", "figure",
          "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol", "p", "pre",
          "section", "table", "td", "th", "tr", "ul", "caption", "summary", "details"}
SKIPPED = {"script", "style", "noscript", "template", "svg", "head", "select", "button", "iframe", "form"}
LONG = 6   # words: a line this long found in the article is the article's wherever it is
VOID = {"br", "hr", "img", "input", "meta", "link", "source", "wbr", "area", "base", "col", "embed", "param", "track"}


class Lines(HTMLParser):
    """The text of a page, a line per block element; each line says whether it came from an h1."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.lines: list[tuple[str, bool]] = []
        self.current: list[str] = []
        self.skip = 0
        self.h1 = 0
        self.in_h1 = False

    def flush(self):
        text = re.sub(r"\s+", " ", "".join(self.current)).strip()
        if text:
            self.lines.append((text, self.in_h1))
        self.current = []
        self.in_h1 = self.h1 > 0

    def handle_starttag(self, tag, attrs):
        if tag in SKIPPED and tag not in VOID:
            self.skip += 1
        elif tag in BLOCKS:
            self.flush()
            if tag == "h1":
                self.h1 += 1
                self.in_h1 = True

    def handle_endtag(self, tag):
        if tag in SKIPPED and tag not in VOID:
            self.skip = max(0, self.skip - 1)
        elif tag in BLOCKS:
            self.flush()
            if tag == "h1":
                self.h1 = max(0, self.h1 - 1)
                self.in_h1 = self.h1 > 0

    def handle_data(self, data):
        if not self.skip:
            self.current.append(data)


def words(text: str) -> list[str]:
    text = unicodedata.normalize("NFKC", text).lower()
    return re.findall(r"\w+", text)


def labelled(html: str, body: str) -> list[list[str]]:
    parser = Lines()
    parser.feed(html)
    parser.close()
    parser.flush()
    article = " " + " ".join(words(body)) + " "
    paragraphs = {" ".join(words(p)) for p in body.split("\n")}
    found = [bool(w) and f" {' '.join(w)} " in article for w in (words(text) for text, _ in parser.lines)]
    long = [n for n, (text, _) in enumerate(parser.lines) if found[n] and len(words(text)) >= LONG]
    first, last = (long[0], long[-1]) if long else (0, -1)
    out, used = [], {}
    for n, (text, headline) in enumerate(parser.lines):
        # a short line is the article's only inside it, or where it is a paragraph of its own:
        # a menu item or a tag that happens to be a phrase of the article is not
        content = headline or (found[n] and (len(words(text)) >= LONG or first <= n <= last
                                             or " ".join(words(text)) in paragraphs))
        key = " ".join(words(text))
        if content and not headline:   # a passage the page prints twice is the article's once
            used[key] = used.get(key, 0) + 1
            content = used[key] <= article.count(f" {key} ")
        out.append([text, "content" if content else "junk"])
    return out


def build(source: Path, target: Path) -> dict:
    truth = json.loads((source / "ground-truth.json").read_text("utf-8"))
    gold = {}
    for page in sorted((source / "html").glob("*.html.gz")):
        key = page.name.split(".")[0]
        if key not in truth:
            continue
        html = gzip.decompress(page.read_bytes()).decode("utf-8", "replace")
        lines = labelled(html, truth[key]["articleBody"])
        host = urlparse(truth[key].get("url", "")).hostname or "unknown"
        name = f"{host}/{key[:16]}.txt"
        path = target / "corpus" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(text + "\n" for text, _ in lines), "utf-8")
        gold[name] = lines
    (target / "gold.json").write_text(json.dumps(gold, ensure_ascii=False), "utf-8")
    return gold


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", type=Path, help="a local copy of the article extraction benchmark")
    parser.add_argument("target", type=Path, help="where to write corpus/ and gold.json")
    args = parser.parse_args()
    gold = build(args.source, args.target)
    lines = [label for page in gold.values() for _, label in page]
    print(f"{len(gold)} pages, {len(lines):,} lines: {lines.count('content'):,} content, "
          f"{lines.count('junk'):,} junk -> {args.target}/corpus, {args.target}/gold.json")


if __name__ == "__main__":
    main()
