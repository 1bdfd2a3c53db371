"""The review page's pure parts: escaping, data embedding, word diffs, budgets."""
import base64
import hashlib
import json
import re
from html import unescape
from html.parser import HTMLParser

import regex

from dedup import html

from .test_cli import report_of, run

HOSTILE = '<script>alert(1)</script> "><img src=x onerror=alert(1)> javascript:alert(1) </script><!--'


def _start_tags(page: str) -> list[str]:
    class Tags(HTMLParser):
        def __init__(self):
            super().__init__()
            self.tags = []

        def handle_starttag(self, tag, attrs):
            self.tags.append(tag)
    parser = Tags()
    parser.feed(page)
    return parser.tags


def _data(page: str) -> dict:
    block = re.search(r'<script type="application/json" id="data">(.*?)</script>', page, re.S).group(1)
    return json.loads(block)


def test_word_diff_keeps_graphemes_whole_and_rebuilds_both_sides():
    old = "क्षत्रिय राष्ट्रपति ने कहा कि बैठक सफल रही"
    new = "क्षत्रिया राष्ट्रपति ने कहा बैठक सफल रही"
    ops = html.word_diff(old, new)
    assert "".join(t for op, t in ops if op != "+") == old
    assert "".join(t for op, t in ops if op != "-") == new
    for op, text in ops:   # every changed run is whole graphemes: never starts with a mark or virama
        assert not regex.match(r"\p{M}", text)
    changed = [(op, t.strip()) for op, t in ops if op != "="]
    assert ("-", "क्षत्रिय") in changed and ("+", "क्षत्रिया") in changed


def test_arabic_changes_are_whole_words():
    ops = html.word_diff("قال الوزير إن الاجتماع كان مثمرا", "قال الوزير ان الاجتماع كان مثمراً")
    changed = [t.strip() for op, t in ops if op != "="]
    assert changed == ["إن", "ان", "مثمرا", "مثمراً"]


def test_language_from_script():
    assert html.language("یہ بھی پڑھیں") == "ur"
    assert html.language("اقرأ أيضا") == "ar"
    assert html.language("ये भी पढ़ें") == "hi"
    assert html.language("Read more") is None


def test_hostile_text_never_leaves_the_json_block(tmp_path, write_corpus):
    body = "A perfectly ordinary first paragraph about the weather in the hills this week.\n"
    corpus = write_corpus({"a.txt": body + HOSTILE + "\n", "b.txt": "Other text entirely, about trains and rivers.\n" + HOSTILE + "\n"})
    out = tmp_path / "out"
    assert run("clean", corpus, "-o", out).exit_code == 0
    page = (out / "report.html").read_text("utf-8")
    # the payload appears only JSON-escaped: the page has its own elements and no others
    tags = _start_tags(page)
    assert tags.count("script") == 2 and "img" not in tags
    assert "<img" not in page and "<!--" not in page
    data = _data(page)
    texts = [d["text"] for d in data["documents"] if d["text"]]
    assert any(HOSTILE in t for t in texts)


def test_csp_allows_exactly_the_inline_script_and_style(tmp_path):
    out = tmp_path / "out"
    from .conftest import SEEDS
    run("clean", SEEDS, "-o", out)
    page = (out / "report.html").read_text("utf-8")
    csp = unescape(re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page).group(1))
    assert "default-src 'none'" in csp and "unsafe-inline" not in csp and "http" not in csp
    script = re.search(r"<script>(.*?)</script>", page, re.S).group(1)
    style = re.search(r"<style>(.*?)</style>", page, re.S).group(1)
    for code in (script, style):
        digest = base64.b64encode(hashlib.sha256(code.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in csp
    assert not re.search(r"(src|href)=\"(https?:)?//", page)   # nothing from the network


def test_text_budget_is_stated_on_the_page(tmp_path, write_corpus, monkeypatch):
    monkeypatch.setattr(html, "TEXT_BUDGET", 10)
    from .conftest import SEEDS
    out = tmp_path / "out"
    run("clean", SEEDS, "-o", out)
    report = report_of(out)
    data = html.page_data(report, html.read_originals(report))
    assert all(d["text"] is None for d in data["documents"])
    assert data["limits"]["texts_left_out"] == 2


def test_changed_original_is_not_shown(tmp_path, write_corpus):
    corpus = write_corpus({"a.txt": "Share this\nA paragraph of text that is long enough to matter here.\n"})
    out = tmp_path / "out"
    run("clean", corpus, "-o", out)
    (corpus / "a.txt").write_text("changed afterwards\n", encoding="utf-8")
    assert html.read_originals(report_of(out)) == {}


def test_report_command_rerenders_and_rejects_bad_input(tmp_path):
    from .conftest import SEEDS
    out = tmp_path / "out"
    run("clean", SEEDS, "-o", out)
    target = tmp_path / "review.html"
    assert run("report", out / "report.json", "-o", target).exit_code == 0
    assert _data(target.read_text("utf-8"))["summary"] == report_of(out)["summary"]
    (tmp_path / "bad.json").write_text("{}", encoding="utf-8")
    result = run("report", tmp_path / "bad.json", "-o", target)
    assert result.exit_code == 2 and result.output.startswith("dedup: error:")
