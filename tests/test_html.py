"""The review page's Python side: escaping, data embedding, word diffs, originals, caps."""
import base64
import hashlib
import json
import os
import random
import re
import shutil
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest
import regex
from click.testing import CliRunner
from hypothesis import given, settings, strategies as st
from markupsafe import escape

from dedup import html
from dedup.cli import main

from .conftest import SEEDS

HOSTILE = '<script>alert(1)</script> "><img src=x onerror=alert(1)> javascript:alert(1) </script><!-- \u2028'
LONG = ("The harbour authority said on Monday that ships would be allowed back into the port after the storm, "
        "once divers had checked the sea wall, the two cranes on the northern quay and the fuel depot, and that "
        "fishing boats would go first because the market had been empty for a week.")


def own_text(seed: int) -> str:
    """Paragraphs only one document has, so that a copied passage is not a copied document."""
    rng = random.Random(seed)
    vocabulary = ["".join(rng.choices("bcdfghklmnprstvw", k=3)) + rng.choice("aeiou") for _ in range(400)]
    return "".join(" ".join(rng.choices(vocabulary, k=30)) + ".\n\n" for _ in range(5))


def run(*args, cwd=None):
    old = os.getcwd()
    os.chdir(cwd or old)
    try:
        return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    finally:
        os.chdir(old)


def clean(corpus: Path, out: Path, *options) -> dict:
    result = run("clean", corpus, "-o", out, "-q", *options)
    assert result.exit_code == 0, result.output
    return json.loads((out / "report.json").read_text("utf-8"))


def start_tags(page: str) -> list[str]:
    class Tags(HTMLParser):
        tags: list = []

        def handle_starttag(self, tag, attrs):
            self.tags.append(tag)
    parser = Tags()
    parser.tags = []
    parser.feed(page)
    return parser.tags


def page_json(page: str) -> dict:
    return json.loads(re.search(r'<script type="application/json" id="data">(.*?)</script>', page, re.S).group(1))


# ---- word diffs ------------------------------------------------------------------

def sides(ops):
    return "".join(t for op, t in ops if op != "+"), "".join(t for op, t in ops if op != "-")


def test_word_diff_keeps_graphemes_whole_and_rebuilds_both_sides():
    old = "क्षत्रिय राष्ट्रपति ने कहा कि बैठक सफल रही"
    new = "क्षत्रिया राष्ट्रपति ने कहा बैठक सफल रही"
    ops = html.word_diff(old, new)
    assert sides(ops) == (old, new)
    for op, text in ops:   # every run is whole graphemes: none starts with a vowel sign or virama
        assert not regex.match(r"\p{M}", text)
    changed = [(op, t.strip()) for op, t in ops if op != "="]
    assert ("-", "क्षत्रिय") in changed and ("+", "क्षत्रिया") in changed


def test_arabic_and_urdu_changes_are_whole_words():
    ops = html.word_diff("قال الوزير إن الاجتماع كان مثمرا", "قال الوزير ان الاجتماع كان مثمراً")
    assert [t.strip() for op, t in ops if op != "="] == ["إن", "ان", "مثمرا", "مثمراً"]
    ops = html.word_diff("انہوں نے کہا کہ اجلاس اچھا رہا", "انہوں نے کہا اجلاس بہت اچھا رہا")
    assert [(op, t.strip()) for op, t in ops if op != "="] == [("-", "کہ"), ("+", "بہت")]


def test_long_texts_are_diffed_line_by_line_then_word_by_word(monkeypatch):
    monkeypatch.setattr(html, "DIFF_WORDS", 20)
    old = "".join(f"line {n} says the same thing as it always did here\n" for n in range(30))
    new = old.replace("line 7 says the same", "line 7 says a different")
    ops = html.word_diff(old, new)
    assert sides(ops) == (old, new)
    assert [(op, t) for op, t in ops if op != "="] == [("-", "the same "), ("+", "a different ")]
    assert [op for op, _ in html.word_diff("x " * 30, "y " * 30)] == ["-", "+"]


def boundaries(text: str) -> set[int]:
    return {m.end() for m in regex.finditer(r"\X", text)} | {0}


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="ab क्षि ि्\u0651ـاب\n\r"), st.text(alphabet="ab क्षि ि्\u0651ـاب\n\r"))
def test_word_diff_always_rebuilds_both_texts_and_cuts_between_graphemes(old, new):
    ops = html.word_diff(old, new)
    assert sides(ops) == (old, new)
    for text, skip in ((old, "+"), (new, "-")):
        at, cuts = 0, set()
        for op, run in ops:
            if op != skip:
                at += len(run)
                cuts.add(at)
        assert cuts <= boundaries(text)


# ---- escaping, CSP, nothing from the network -----------------------------------------

def test_json_for_script_escapes_everything_that_could_end_the_block():
    data = {"text": HOSTILE + "\udcff", "path": "a&b>c"}
    block = html._json_for_script(data)
    assert not set(block) & set("<>&\u2028\u2029")
    assert "\\udcff" in block
    assert json.loads(block) == data


def test_hostile_corpus_never_becomes_markup(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / 'a"><img src=x onerror=alert(1)>.txt').write_text("A title\n" + LONG + "\n" + HOSTILE + "\n", "utf-8")
    (corpus / "b.txt").write_text("Another title\n" + LONG + "\n" + HOSTILE + "\n", "utf-8")
    out = tmp_path / "out"
    clean(corpus, out)
    page = (out / "report.html").read_text("utf-8")
    tags = start_tags(page)
    assert tags.count("script") == 2 and "img" not in tags
    assert "<img" not in page and "<!--" not in page and "onerror=alert(1)>" not in page.split("<script type")[0]
    data = page_json(page)
    assert any(HOSTILE in (d["text"] or "") for d in data["documents"])
    # paths travel in the JSON escaped for JSON only, never HTML-escaped on top
    assert page_json(page)["documents"][0]["path"].endswith('/a"><img src=x onerror=alert(1)>.txt')


def markup_of(page: str) -> str:
    """The page's own markup: everything before the JSON block of corpus data."""
    return page.split('<script type="application/json"')[0]


def test_page_markup_escapes_a_hostile_folder_name_and_rule_id(tmp_path):
    """The header lists the input folders and the chart names the rules, both drawn by
    jinja with autoescape; a user lexicon names its own rules, so a rule id is as
    untrusted as a folder name. A hand-edited report's version and mode too."""
    corpus = tmp_path / '"><img src=x onerror=alert(3)><script>alert(4)<'
    corpus.mkdir()
    (corpus / "a.txt").write_text("Habari za leo ni nzuri sana kwa wakulima wa kahawa.\n"
                                  "Tufuate kwenye mitandao ya kijamii\n", "utf-8")
    lexicon = tmp_path / "site.toml"
    lexicon.write_text('language = "x<script>alert(5)</script>"\n[[rule]]\nid = "\\"><img src=x onerror=alert(6)>"\n'
                       'match = "line"\nphrases = ["Tufuate kwenye mitandao ya kijamii"]\n', "utf-8")
    out = tmp_path / "out"
    report = clean(corpus, out, "--lexicon", lexicon)
    rule = 'lexicon:x<script>alert(5)</script>/"><img src=x onerror=alert(6)>'
    assert list(report["summary"]["by_rule"]) == [rule]
    page = (out / "report.html").read_text("utf-8")
    tags = start_tags(page)
    assert tags.count("script") == 2 and "img" not in tags
    markup = markup_of(page)
    assert "<img" not in markup and "alert(4)<" not in markup and "<script>alert" not in markup
    assert f'<bdi class="path">{escape(str(corpus))}</bdi>' in markup
    assert f"<title>{escape(rule)}: 35 characters in 1 spans</title>" in markup
    assert page_json(page)["summary"]["by_rule"] == {rule: {"spans": 1, "chars": 35}}   # as text, for the script

    report.update(tool_version="<script>alert(7)</script>", mode='"><img src=x onerror=alert(8)>')
    (tmp_path / "edited.json").write_text(json.dumps(report), "utf-8")
    result = run("report", tmp_path / "edited.json", "-o", tmp_path / "edited.html")
    assert result.exit_code == 0, result.output
    page = (tmp_path / "edited.html").read_text("utf-8")
    assert start_tags(page).count("script") == 2 and "img" not in start_tags(page)
    assert f"dedup {escape(report['tool_version'])} · {escape(report['mode'])} · inputs:" in markup_of(page)


def test_csp_allows_exactly_the_inline_script_and_style(tmp_path):
    clean(SEEDS, tmp_path / "out")
    page = (tmp_path / "out" / "report.html").read_text("utf-8")
    csp = unescape(re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page).group(1))
    assert csp.startswith("default-src 'none';") and "unsafe" not in csp and "http" not in csp and "data:" not in csp
    script = re.search(r"<script>(.*?)</script>", page, re.S).group(1)
    style = re.search(r"<style>(.*?)</style>", page, re.S).group(1)
    for code in (script, style):
        digest = base64.b64encode(hashlib.sha256(code.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in csp
    assert not re.search(r"(src|href|url)\s*[=(]\s*[\"']?(https?:)?//", page)   # nothing from the network
    assert "innerHTML" not in script and "insertAdjacentHTML" not in script and "eval(" not in script


def test_css_uses_logical_properties_only():
    css = (Path(html.__file__).parent / "templates" / "report.css").read_text("utf-8")
    assert not re.search(r"\b(left|right)\b|margin-top|padding-bottom|text-align:\s*(left|right)", css)
    for font in ("Noto Sans Devanagari", "Noto Naskh Arabic", "Noto Nastaliq Urdu"):
        assert font in css


# ---- what the page gets --------------------------------------------------------------

def test_kept_original_without_removals_is_inlined_so_links_can_land(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("First title\n" + LONG + "\n", "utf-8")
    (corpus / "b.txt").write_text("Second title\n" + LONG + "\n" + own_text(2), "utf-8")
    report = clean(corpus, tmp_path / "out")
    docs = {Path(d["path"]).name: d for d in page_json((tmp_path / "out" / "report.html").read_text("utf-8"))["documents"]}
    assert docs["a.txt"]["status"] == "kept" and docs["a.txt"]["text"].endswith(LONG + "\n")
    assert docs["b.txt"]["removed"][0]["evidence"]["original"]["lines"] == [2, 2]
    assert "text" not in docs["b.txt"]["removed"][0]   # the full text is there: spans are not sent twice
    assert report["documents"][1]["removed"][0]["text"] == LONG + "\n"


def test_texts_over_the_budget_are_left_out_and_counted(tmp_path, monkeypatch):
    report = clean(SEEDS, tmp_path / "out")
    monkeypatch.setattr(html, "TEXT_BUDGET", 4000)   # room for the first seed only
    data = html.page_data(report, html.read_originals(report))
    assert [d["text"] is not None for d in data["documents"]] == [True, False]
    assert data["documents"][1]["missing"] == "budget" and data["limits"]["over_budget"] == 1
    assert all("text" in r for r in data["documents"][1]["removed"])   # its spans still are


def test_listed_takes_every_document_with_removals_then_the_rest_up_to_the_limit(monkeypatch):
    monkeypatch.setattr(html, "PAGE_DOCUMENTS", 4)
    assert html.listed([[0, 50], [0]]) == [[0, 1], [0]]                     # within the limit: every one
    assert html.listed([[0, 50, 0], [80, 30], [0, 10]]) == [[1], [0, 1], [1]]     # no place left for the rest
    monkeypatch.setattr(html, "PAGE_DOCUMENTS", 5)
    assert html.listed([[0, 50, 0], [80, 30], [0, 10]]) == [[0, 1], [0, 1], [1]]  # one place: the first
    monkeypatch.setattr(html, "PAGE_DOCUMENTS", 2)
    assert html.listed([[0, 5, 0], [5, 5]]) == [[1], [0, 1]]   # documents with removals are never left out


def test_a_page_samples_above_either_limit(monkeypatch):
    monkeypatch.setattr(html, "PAGE_REMOVED_CHARS", 100)
    monkeypatch.setattr(html.sample, "FULL_PAGE", 3)
    assert not html.sampled([[0, 50, 0], [20], [0, 30]])        # 3 documents, 100 characters
    assert html.sampled([[0, 50, 0], [20], [0, 31]])            # 101 characters
    assert html.sampled([[1, 1, 0], [1], [0, 1]])               # 4 documents


def test_a_report_over_the_page_limits_is_listed_in_part_and_says_so(tmp_path, monkeypatch):
    """report.json has every document; the page those with removals, then the rest up
    to PAGE_DOCUMENTS, the run's totals, and how many it lists. Over the limit of
    removed text, it lists only the documents that hold its sample."""
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    for n in range(4):
        (corpus / f"own-{n}.txt").write_text(own_text(n), "utf-8")
    monkeypatch.setattr(html, "PAGE_DOCUMENTS", 3)
    report = clean(corpus, tmp_path / "out")
    data = page_json((tmp_path / "out" / "report.html").read_text("utf-8"))
    paths = [d["path"] for d in report["documents"]]
    with_removals = [d["path"] for d in report["documents"] if d["removed"]]
    assert len(paths) == 6 and len(with_removals) == 2
    assert [d["path"] for d in data["documents"]] == [p for p in paths if p in with_removals
                                                      or p == next(q for q in paths if q not in with_removals)]
    assert data["limits"]["documents_listed"] == 3 and data["limits"]["documents_total"] == 6
    assert data["summary"] == report["summary"] and data["limits"]["sample"] is None
    monkeypatch.setattr(html, "PAGE_DOCUMENTS", 6)
    monkeypatch.setattr(html, "PAGE_REMOVED_CHARS", min(html._removed_chars(d) for d in report["documents"]
                                                        if d["removed"]))
    clean(corpus, tmp_path / "out2")
    data = page_json((tmp_path / "out2" / "report.html").read_text("utf-8"))
    assert [d["path"] for d in data["documents"]] == with_removals and data["limits"]["documents_total"] == 6
    assert data["limits"]["sample"]["rules"] == {rule: min(counts["spans"], 50)
                                                 for rule, counts in report["summary"]["by_rule"].items()}


def test_the_page_reads_originals_only_when_it_asks_for_them(tmp_path, monkeypatch):
    """html.write's Originals: the same page as with every text read up front, but a
    text is read when the page asks for it, not all of them held from the start."""
    report = clean(SEEDS, tmp_path / "out")
    monkeypatch.setattr(html, "TEXT_BUDGET", 4000)   # room for the first seed only
    opened = []
    real = html.original_text
    monkeypatch.setattr(html, "original_text", lambda doc, *a: opened.append(doc["path"]) or real(doc, *a))
    lazy = html.Originals(report)
    assert opened == []                                   # nothing read before it is asked for
    assert html.page_data(report, lazy) == html.page_data(report, html.read_originals(report))
    first, second = (d["path"] for d in report["documents"])
    assert second in lazy and lazy.get("not/in/the/report") is None and "not/in/the/report" not in lazy
    assert lazy[first] == html.read_originals(report)[first]


def test_removed_spans_beyond_their_budget_are_cut_and_counted(tmp_path, monkeypatch):
    report = clean(SEEDS, tmp_path / "out")
    monkeypatch.setattr(html, "TEXT_BUDGET", 0)
    monkeypatch.setattr(html, "SPAN_BUDGET", 400)
    data = html.page_data(report, html.read_originals(report))
    spans = [(r, source) for d, doc in zip(data["documents"], report["documents"])
             for r, source in zip(d["removed"], doc["removed"])]
    cut = [(r, source) for r, source in spans if "cut" in r]
    assert cut and data["limits"]["spans_cut"] == len(cut)
    for r, source in cut:
        assert source["text"].startswith(r["text"]) and len(r["text"]) + r["cut"] == len(source["text"])
    # whole spans: the first ones, within the budget, and short ones (no longer than a cut one)
    assert sum(len(r["text"]) for r, _ in spans if "cut" not in r and len(r["text"]) > html.SPAN_CUT) <= 400


def test_changed_original_is_not_shown_but_rebuilt_from_the_cleaned_file(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Title\nShare this\n" + LONG + "\n", "utf-8")
    out = tmp_path / "out"
    report = clean(corpus, out)
    original = (corpus / "a.txt").read_text("utf-8")
    (corpus / "a.txt").write_text("changed afterwards\n", encoding="utf-8")
    assert html.read_originals(report, cleaned_dir=tmp_path / "elsewhere") == {}
    assert html.read_originals(report, cleaned_dir=out) == {report["documents"][0]["path"]: original}
    (out / "a.txt").write_text("also changed\n", encoding="utf-8")
    assert html.read_originals(report, cleaned_dir=out) == {}
    data = html.page_data(report, {})
    assert data["documents"][0]["missing"] == "unavailable" and data["limits"]["unavailable"] == 1


def test_in_place_run_still_shows_the_originals(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    before = {p.name: p.read_text("utf-8") for p in corpus.iterdir()}
    out = tmp_path / "out"
    clean(corpus, out, "--in-place")
    data = page_json((out / "report.html").read_text("utf-8"))
    assert {Path(d["path"]).name: d["text"] for d in data["documents"]} == before


def test_clusters_merge_a_paragraph_and_put_near_duplicates_first(tmp_path):
    paragraph = "\n".join(LONG[i:i + 70] for i in range(0, len(LONG), 70))
    near = paragraph.replace("Monday", "Tuesday")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text(f"A\n\n{own_text(1)}{paragraph}\n", "utf-8")
    (corpus / "b.txt").write_text(f"B\n\n{own_text(2)}{paragraph}\n", "utf-8")
    (corpus / "c.txt").write_text(f"C\n\n{own_text(3)}{near}\n", "utf-8")
    report = clean(corpus, tmp_path / "out")
    clusters = html.page_data(report, html.read_originals(report))["clusters"]
    assert len(clusters) == 1 and clusters[0]["near"]
    members = {Path(m["path"]).name: m for m in clusters[0]["members"]}
    assert members["b.txt"]["diff"] == [["=", paragraph]]   # one copy of the paragraph, not one per line
    changed = [(op, t.strip()) for op, t in members["c.txt"]["diff"] if op != "="]
    assert changed == [("-", "Monday"), ("+", "Tuesday")]


def test_a_copy_interrupted_by_another_rule_is_still_one_copy():
    original = "Title\nalpha beta gamma\nthe\ndelta epsilon\n"
    copy = "Other\nalpha beta gamma\nthe\ndelta epsilon zeta\n\nKept line.\nalpha beta gamma\n"
    ev = {"original": {"path": "a", "lines": [2, 4]}, "similarity": 0.9}

    def span(rule, kind, start, stop, evidence, text=copy):
        lines = [text.count("\n", 0, start) + 1, text.count("\n", 0, stop - 1) + 1]
        return {"kind": kind, "rule": rule, "lines": lines, "chars": [start, stop], "text": text[start:stop],
                "evidence": evidence}
    at = [copy.index(t) for t in ("alpha", "the\n", "delta", "Kept")] + [copy.rindex("alpha")]
    report = {"documents": [
        {"path": "a", "status": "kept", "chars": len(original), "lines": 4, "removed": []},
        {"path": "b", "status": "cleaned", "chars": len(copy), "lines": 7, "removed": [
            span("near-paragraph", "near-duplicate", at[0], at[1], ev),
            span("frequent-line", "boilerplate", at[1], at[2], {"documents": 9}),
            span("near-paragraph", "near-duplicate", at[2], at[3] - 1, ev),
            span("near-paragraph", "near-duplicate", at[4], len(copy), ev)]}]}
    members = html.page_data(report, {"a": original})["clusters"][0]["members"]
    assert [m["lines"] for m in members] == [[2, 4], [7, 7]]   # the later copy, after kept text, is its own
    assert sides(members[0]["diff"]) == ("alpha beta gamma\nthe\ndelta epsilon", "alpha beta gamma\nthe\ndelta epsilon zeta")


class CountedTexts(dict):
    """Originals that count how often each is read."""
    def __init__(self, *args):
        super().__init__(*args)
        self.reads = {}

    def get(self, path, default=None):
        self.reads[path] = self.reads.get(path, 0) + 1
        return super().get(path, default)

    def __getitem__(self, path):
        return self.get(path)


def test_an_original_quoted_by_many_clusters_is_read_once_and_each_gets_its_own_lines():
    texts = {"a": "".join(f"line a{n} of the first file\n" for n in range(1, 40)),
             "c": "".join(f"line c{n} of the other\r\n" for n in range(1, 40))}
    originals = CountedTexts(texts)
    quoted = [("a", 3), ("c", 5), ("a", 1), ("c", 39), ("a", 39), ("c", 2), ("a", 20)]
    copy, spans = "", []
    for path, n in quoted:   # each line of b a copy of one line of a or c, the last one changed
        line = texts[path].splitlines()[n - 1] + ("" if n != 20 else " and more")
        spans.append({"kind": "duplicate" if n != 20 else "near-duplicate", "rule": "exact-line", "lines": [0, 0],
                      "chars": [len(copy), len(copy) + len(line) + 1], "text": line + "\n",
                      "evidence": {"original": {"path": path, "lines": [n, n]}, "similarity": 1.0}})
        copy += line + "\n"
        copy += "kept between\n"   # each copy its own group member
    report = {"documents": [{"path": p, "status": "kept", "removed": []} for p in ("a", "c")] +
              [{"path": "b", "status": "cleaned", "removed": spans}]}
    clusters, count = html._clusters(report, originals, {"a": 0, "c": 1, "b": 2})
    assert count == len(quoted)
    assert originals.reads == {"a": 2, "c": 1}   # a twice: once more for the one copy that is diffed
    by_key = {(g["path"], g["lines"][0]): g for g in clusters}
    for path, n in quoted:
        group = by_key[path, n]
        assert group["sample"] == texts[path].splitlines()[n - 1] and group["available"]
        if n != 20:
            assert group["members"][0]["diff"] == [["=", group["sample"]]]
    assert sides(by_key["a", 20]["members"][0]["diff"]) == ("line a20 of the first file", "line a20 of the first file and more")


def test_cluster_and_diff_caps_are_counted(tmp_path, monkeypatch):
    rng = random.Random(5)
    vocabulary = ["".join(rng.choices("bcdfghklmnprstvw", k=3)) + rng.choice("aeiou") for _ in range(500)]
    lines = [" ".join(rng.choices(vocabulary, k=40)) + "." for _ in range(4)]
    edited = [line.rsplit(" ", 1)[0] + " changed." for line in lines]
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Title\n\n" + own_text(1) + "\n\n".join(lines) + "\n", "utf-8")
    (corpus / "b.txt").write_text("Other\n\n" + own_text(2) + "\n\n".join(edited) + "\n", "utf-8")
    report = clean(corpus, tmp_path / "out")
    monkeypatch.setattr(html, "CLUSTER_LIMIT", 3)
    monkeypatch.setattr(html, "DIFF_BUDGET", 100)   # room for one diff of two 40-word lines
    data = html.page_data(report, html.read_originals(report))
    assert len(data["clusters"]) == 3 and data["limits"]["clusters_total"] == 4
    assert [m["diff"] is not None for c in data["clusters"] for m in c["members"]] == [True, False, False]
    assert data["limits"]["diffs_left_out"] == 2


def test_rule_chart_shows_the_largest_rules_then_the_rest(monkeypatch):
    summary = {"by_kind": {"boilerplate": {"spans": 5, "chars": 50}},
               "by_rule": {f"rule-{n}": {"spans": 1, "chars": 10 * n} for n in range(1, 6)}}
    monkeypatch.setattr(html, "CHART_RULES", 2)
    bars = html.charts({"summary": summary, "documents": []})["rule"]
    assert [b["label"] for b in bars] == ["rule-5", "rule-4", "3 other rules"]
    assert bars[2]["chars"] == 60 and bars[2]["size"] == 1 and bars[0]["size"] == 50 / 60


# ---- the `report` command ---------------------------------------------------------------

def test_report_command_rerenders_a_filtered_report(tmp_path):
    out = tmp_path / "out"
    report = clean(SEEDS, out)
    report["documents"] = report["documents"][:1]
    (tmp_path / "filtered.json").write_text(json.dumps(report), "utf-8")
    target = tmp_path / "review.html"
    result = run("report", tmp_path / "filtered.json", "-o", target)
    assert result.exit_code == 0, result.output
    page = target.read_text("utf-8")
    data = page_json(page)
    assert len(data["documents"]) == 1 and data["documents"][0]["text"]
    assert data["summary"]["documents"] == 1 and data["summary"]["chars_removed"] == 62   # recounted


def test_report_command_rejects_bad_input(tmp_path):
    target = tmp_path / "review.html"
    for content in ("{}", '{"format": "dedup-report", "format_version": 1, "documents": [{"path": "a"}]}', "not json"):
        (tmp_path / "bad.json").write_text(content, encoding="utf-8")
        result = run("report", tmp_path / "bad.json", "-o", target)
        assert result.exit_code == 2 and result.output.startswith("dedup: error:"), result.output
    result = run("report", tmp_path / "missing.json", "-o", target)
    assert result.exit_code == 2 and not target.exists()


def test_report_writes_over_an_html_page_only(tmp_path):
    """-o naming the report itself (after --in-place, the journal restore reads), another
    data file or a folder is refused in one line, leaving it as it was; an earlier page
    is written over."""
    out = tmp_path / "out"
    clean(SEEDS, out)
    source = out / "report.json"
    before = source.read_bytes()
    (tmp_path / "notes.txt").write_text("my notes\n", "utf-8")
    os.mkfifo(tmp_path / "fifo")
    for target, says in ((source, "exists and is not an HTML page"), (tmp_path / "notes.txt", "is not an HTML page"),
                         (tmp_path, "is a folder"), (tmp_path / "fifo", "is not a regular file"),
                         (Path("/dev/null"), "is not a regular file")):
        result = run("report", source, "-o", target)
        assert result.exit_code == 2 and result.output.startswith(f"dedup: error: -o: {target} "), result.output
        assert says in result.output and result.output.count("\n") == 1
    assert source.read_bytes() == before and (tmp_path / "notes.txt").read_text("utf-8") == "my notes\n"
    page = out / "report.html"
    page.write_text("<!DOCTYPE html><html>an old page</html>", "utf-8")
    assert run("report", source, "-o", page).exit_code == 0 and "an old page" not in page.read_text("utf-8")


@pytest.mark.parametrize("mode", ["--dry-run", None])
def test_clean_writes_the_page_next_to_report_json(tmp_path, mode):
    out = tmp_path / "out"
    clean(SEEDS, out, *([mode] if mode else []))
    page = (out / "report.html").read_text("utf-8")
    assert page.startswith("<!DOCTYPE html>") and 'lang="en"' in page
    assert page_json(page)["summary"]["documents"] == 2


@settings(max_examples=2000, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=40)
       | st.text(alphabet=" \t\n\r\u200d\u0301\u093f\u0915aب\u064e\u2028\u0085\x1c\u0e33\u0600\u1160\U0001F1E6", max_size=30))
def test_the_fast_word_split_is_the_grapheme_split_on_any_text(text):
    """Splitting at spaces is only taken where it gives the grapheme regex's words."""
    assert html.words(text) == html._WORDS.findall(text)
    assert "".join(html.words(text)) == text


def test_a_document_shown_by_its_spans_shows_the_first_ones_and_the_drawn_and_counts_the_rest(monkeypatch):
    from dedup import sample
    monkeypatch.setattr(html, "DOC_SPANS", 3)
    spans = [{"kind": "boilerplate" if n % 2 else "duplicate", "rule": f"rule-{n % 3}", "lines": [n + 1, n + 1],
              "chars": [10 * n, 10 * n + 10], "text": f"line {n:4d}\n", "evidence": {}} for n in range(10)]
    report = {"documents": [{"path": "a", "status": "cleaned", "chars": 100, "lines": 10, "removed": spans}]}
    drawn = sample.Drawn(5, 1, {"rule-1": 1}, {"a": [7]})
    [doc] = html.page_data(report, {}, drawn=drawn)["documents"]
    assert [r["lines"][0] for r in doc["removed"]] == [1, 2, 3, 8]
    assert [bool(r.get("drawn")) for r in doc["removed"]] == [False, False, False, True]
    assert [r["text"] for r in doc["removed"]] == ["line    0\n", "line    1\n", "line    2\n", "line    7\n"]
    assert doc["left_out"] == {"spans": 6, "chars": 60, "kinds": {"duplicate": 3, "boilerplate": 3},
                               "rules": ["rule-0", "rule-1", "rule-2"]}
    inlined = html.page_data(report, {"a": "".join(r["text"] for r in spans)}, drawn=drawn)["documents"][0]
    assert len(inlined["removed"]) == 10 and "left_out" not in inlined   # its text shows every span


def test_a_copy_too_long_to_diff_is_shown_by_its_place(monkeypatch):
    """A copy (a paragraph removed line by line with what lies between) longer than
    DIFF_CHARS is not joined into one text nor diffed, nor is a kept original that long:
    one 48 MB file of repeated sentences spent 25 s and 1.4 GB counting their words."""
    monkeypatch.setattr(html, "DIFF_CHARS", 40)
    original = "alpha beta gamma\nshort line\n" + "a long line of the original text here\n"
    copy = "alpha beta gamma\nshort line\nother\nalpha beta gamma\n"
    ev = lambda lines: {"original": {"path": "a", "lines": lines}, "similarity": 1.0}
    spans = [{"kind": "duplicate", "rule": "exact-line", "lines": [n, n], "chars": [lo, hi], "text": copy[lo:hi],
              "evidence": ev(lines)} for n, lo, hi, lines in ((1, 0, 17, [1, 1]), (2, 17, 28, [2, 2]), (3, 28, 34, [9, 9]),
                                                             (4, 34, 51, [1, 1]))]
    report = {"documents": [{"path": "a", "status": "kept", "removed": []},
                            {"path": "b", "status": "cleaned", "removed": spans}]}
    clusters, _ = html._clusters(report, {"a": original}, {"a": 0, "b": 1})
    by_lines = {tuple(g["lines"]): g for g in clusters}
    [merged] = by_lines[1, 1]["members"]   # lines 1-4 of b: one copy of a's first line, 51 characters
    assert merged["lines"] == [1, 4] and merged["diff"] is None and "text" not in merged
    assert by_lines[2, 2]["members"][0]["diff"] == [["=", "short line"]]


def test_a_report_naming_a_fifo_or_a_device_draws_its_page_without_reading_them(tmp_path):
    """A hand-edited report may name a FIFO (a read that never ends) or /dev/zero (one
    that never stops): neither is read, as a text file or as a record file, and those
    documents show their removed spans only; restore lists them as not restored."""
    shutil.copytree(SEEDS, tmp_path / "seeds")
    (tmp_path / "rows.jsonl").write_text('{"text": "A row.\\nA row."}\n', "utf-8")
    assert run("clean", "seeds", "rows.jsonl", "-o", "out", cwd=tmp_path).exit_code == 0
    os.mkfifo(tmp_path / "fifo")
    report = json.loads((tmp_path / "out" / "report.json").read_text("utf-8"))
    texts = [d for d in report["documents"] if not d.get("row")]
    texts[0]["path"], texts[1]["path"] = "fifo", "/dev/zero"
    for doc in report["documents"]:
        if doc.get("row"):
            doc["file"], doc["path"] = "fifo", f"fifo:{doc['row']}"
    (tmp_path / "edited.json").write_text(json.dumps(report), "utf-8")
    code = ("import signal, sys\n"
            "signal.alarm(60)\n"   # a read that hangs fails the test instead of hanging it
            "from dedup.launch import main\n"
            "sys.argv = ['dedup'] + sys.argv[1:]\n"
            "main()\n")
    import subprocess
    import sys
    for args in (["report", "edited.json", "-o", "page.html"], ["restore", "edited.json", "--to", "back"]):
        done = subprocess.run([sys.executable, "-c", code, *args], cwd=tmp_path, capture_output=True, text=True,
                              timeout=120)
        assert done.returncode in (0, 1) and "Traceback" not in done.stderr, done.stderr
    assert (tmp_path / "page.html").is_file()
    assert "not restored fifo:" in done.stdout and "not restored /dev/zero:" in done.stdout
