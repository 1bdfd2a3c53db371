"""The review page in a real browser: Debian's Chromium driven by Playwright.

The corpus is the seeds plus a document whose line is copied elsewhere (kept whole),
one with a copy and near-copies (Urdu, Hindi) of lines of the others, a hostile one
(HTML, javascript: and bidi payloads, in its text and its name) and one that is not UTF-8.
A second, large page (232 documents, over 200 clusters, Persian and Marathi lines) tests
paging and sorting. Every test also fails on a console error, a dialog or a request off
the disk."""
import json
import math
import os
import random
import re
import shutil
from pathlib import Path

import pytest

from dedup import html

from .conftest import HINDI, SEEDS, URDU
from .test_html import LONG, clean, run

CHROMIUM = "/usr/bin/chromium"
if not os.path.exists(CHROMIUM):
    pytest.skip(f"{CHROMIUM} is not installed (.ci/run installs Debian's chromium)", allow_module_level=True)
from playwright import sync_api as playwright  # noqa: E402  (a test dependency: missing, it fails)

HOSTILE = ['<script>alert("x")</script>', '"><img src=x onerror=alert(1)>', "javascript:alert(1)",
           "\u202eevil\u202c RLO text"]
HOSTILE_NAME = '"><img src=x onerror=alert(2)>.txt'
WHATEVER = "The harbour authority said on Monday that ships would be allowed in again after the storm.\n"


@pytest.fixture(scope="module")
def browser():
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"])
        yield b
        b.close()


@pytest.fixture(scope="module")
def report_page(tmp_path_factory):
    """A report written by `dedup clean`."""
    root = tmp_path_factory.mktemp("browser")
    corpus = root / "corpus"
    shutil.copytree(SEEDS, corpus)
    urdu_words = URDU.read_text("utf-8").splitlines()[4].split(" ")
    urdu_words[21] = "بڑا"                       # one Urdu word changed: a near-copy
    hindi = HINDI.read_text("utf-8").splitlines()[3].replace("हुई इस बैठक", "हुई लंदन बैठक")
    (corpus / "aa-kept.txt").write_text("Harbour to reopen\n" + LONG + "\n", "utf-8")
    (corpus / "zz-copies.txt").write_text(
        "Copies from elsewhere\n" + LONG + "\n" + " ".join(urdu_words) + "\n" + hindi + "\n", "utf-8")
    (corpus / HOSTILE_NAME).write_text(WHATEVER + "\n".join(HOSTILE) + "\n" + "\n".join(HOSTILE) + "\nShare this article\n",
                                       "utf-8")
    (corpus / "latin1.txt").write_bytes(b"Caf\xe9 prices\nThe caf\xe9 on the square raised its prices again this week.\n"
                                        b"Share this article\n")
    out = root / "out"
    clean(corpus, out, "--decode-errors", "keep")
    return (out / "report.html").as_uri()


def seeds_page(tmp_path_factory, name: str, **limits) -> str:
    """The seeds' report written with these html limits (TEXT_BUDGET=0, ...)."""
    out = tmp_path_factory.mktemp(name) / "out"
    with pytest.MonkeyPatch.context() as patch:
        for limit, value in limits.items():
            patch.setattr(html, limit, value)
        clean(SEEDS, out)
    return (out / "report.html").as_uri()


@pytest.fixture(scope="module")
def small_page(tmp_path_factory):
    """The seeds' report with no room for full texts and little for removed spans."""
    return seeds_page(tmp_path_factory, "small", TEXT_BUDGET=0, SPAN_BUDGET=1000)


def watched(browser, url):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("dialog", lambda d: (problems.append("dialog: " + d.message), d.dismiss()))
    page.on("request", lambda r: None if r.url.startswith("file:") else problems.append("request: " + r.url))
    page.problems = problems
    page.set_default_timeout(5000)
    page.goto(url)
    return page


@pytest.fixture
def page(browser, report_page):
    page = watched(browser, report_page)
    yield page
    assert page.problems == []   # no console errors, dialogs or network requests in any test
    page.close()


def open_doc(page, name: str) -> int:
    if page.locator("#view-overview").is_hidden():   # back to the table first
        page.evaluate("() => { location.hash = '#documents'; }")
        page.locator("#doc-table").wait_for()
    row = page.locator("#doc-table tbody tr", has=page.locator("a", has_text=name))
    index = int(row.get_attribute("data-doc"))
    row.locator("a").click()
    page.locator("#doc-text").wait_for()
    return index


def test_loads_and_lists_every_document(page):
    assert page.locator("#doc-table tbody tr").count() == 6
    assert page.locator("svg.chart").count() == 2
    assert page.locator("svg.chart text", has_text="lexicon:hi/also-read").count() == 1


def test_urdu_paragraphs_are_right_to_left_with_their_language(page):
    open_doc(page, "000_5fdcb9c48dad7940")
    lines = page.locator("#doc-text .line")
    for n in (0, 2, 4, 8):   # title, paragraphs, a removed widget heading (labelled in English)
        assert lines.nth(n).evaluate("e => getComputedStyle(e).direction") == "rtl"
    assert lines.nth(2).get_attribute("lang") == "ur"
    assert lines.nth(8).get_attribute("lang") == "ar"           # مواضيع ذات صلة: Arabic's own letters
    assert lines.nth(10).get_attribute("lang") == ""            # "Related articles"
    assert lines.nth(10).evaluate("e => getComputedStyle(e).direction") == "ltr"
    assert "Nastaliq" in lines.nth(2).evaluate("e => getComputedStyle(e).fontFamily")


def test_removed_hindi_teaser_shows_its_rule_and_why(page):
    open_doc(page, "002_3ad8789db8de2740")
    teaser = page.locator("#doc-text .line", has_text="ये भी पढ़ें").first
    assert "rm" in teaser.get_attribute("class")
    assert teaser.locator("del").count() == 1                     # struck through, not only coloured
    assert "removed: lexicon:hi/also-read" in teaser.inner_text()
    assert teaser.get_attribute("lang") == "hi"
    teaser.locator("button.label").click()
    reason = page.locator(".evidence li.target")
    assert "lexicon:hi/also-read" in reason.inner_text() and "ये भी पढ़ें" in reason.inner_text()


def test_duplicate_link_lands_on_the_kept_original(page):
    i = open_doc(page, "002_3ad8789db8de2740")
    page.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")
    page.locator(".evidence a", has_text="line 1 of this document").first.click()
    playwright.expect(page).to_have_url(re.compile(f"#doc-{i}-line-1$"))
    target = page.locator(".line.target")
    playwright.expect(target).to_have_count(1)
    assert target.get_attribute("data-line") == "1" and target.get_attribute("id") == f"doc-{i}-line-1"
    assert target.inner_text().startswith(HINDI.read_text("utf-8").splitlines()[0])   # the Hindi title line
    assert "rm" not in target.get_attribute("class") and "original" in target.get_attribute("class")
    playwright.expect(target).to_be_in_viewport()                # scrolled to it
    # the kept line links back to its copy, line 8
    copies = target.locator(".label.kept a")
    assert [copies.nth(n).get_attribute("href") for n in range(copies.count())] == [f"#doc-{i}-line-8"]


def test_a_link_into_another_document_scrolls_to_its_line(page):
    """The near-copy's evidence links to line 5 of the Urdu article, far below the top."""
    open_doc(page, "zz-copies")
    page.locator(".evidence a", has_text="000_5fdcb9c48dad7940.txt:5").click()
    target = page.locator(".line.target")
    playwright.expect(target).to_have_attribute("data-line", "5")
    assert target.inner_text().startswith(URDU.read_text("utf-8").splitlines()[4][:40])
    playwright.expect(target).to_be_in_viewport()
    assert page.evaluate("() => window.scrollY") > 300   # it was not in view from the top


def test_link_to_an_original_in_a_document_without_removals(page):
    open_doc(page, "zz-copies")
    page.locator(".evidence a", has_text="aa-kept.txt:2").click()
    target = page.locator(".line.target:not(.rm)")   # the view is redrawn on the hash change: wait for it
    playwright.expect(target).to_contain_text("kept; its copies:")
    assert LONG in target.inner_text()
    target.locator("a", has_text="zz-copies.txt:2").click()   # and back to the copy
    playwright.expect(page.locator(".line.target.rm")).to_contain_text("removed: exact-line")


def test_cleaned_only_toggle_hides_removed_lines(page):
    open_doc(page, "002_3ad8789db8de2740")
    removed = page.locator("#doc-text .rm").first
    assert removed.is_visible()
    page.locator("#cleaned-toggle").check()
    assert not removed.is_visible()
    assert page.locator("#doc-text .line:visible").count() == 5


def test_filters_hide_the_rest_and_columns_sort(page):
    page.select_option("#filter-kind", "near-duplicate")
    assert page.locator("#doc-table tbody tr").count() == 1
    assert "zz-copies" in page.locator("#doc-table tbody").inner_text()
    assert page.locator("#filter-count").inner_text() == "1 of 6 documents"
    page.select_option("#filter-kind", "duplicate")
    rows = page.locator("#doc-table tbody").inner_text()
    assert "002_3ad8789db8de2740" in rows and "zz-copies" in rows and "000_5fdcb9c48dad7940" not in rows
    page.select_option("#filter-kind", "none")
    assert page.locator("#doc-table tbody tr").count() == 1   # aa-kept.txt
    page.select_option("#filter-kind", "")
    page.select_option("#filter-rule", "lexicon:ar/related")
    assert page.locator("#doc-table tbody tr").count() == 1
    page.select_option("#filter-rule", "")
    page.fill("#filter-path", "AA-KEPT")
    assert page.locator("#doc-table tbody tr").count() == 1
    page.fill("#filter-path", "")
    page.locator("th[data-key=share] button").click()   # most removed first
    shares = [float(t.rstrip("%")) for t in page.locator("#doc-table tbody td:nth-child(3)").all_inner_texts()]
    assert shares == sorted(shares, reverse=True) and shares[-1] == 0


def test_next_and_previous_follow_the_filtered_table(page):
    page.select_option("#filter-kind", "boilerplate")
    page.locator("#doc-table a").first.click()
    heading = page.locator("#view-doc h2")   # redrawn on each hash change: expect() waits for it
    page.locator("a[rel=next]").click()
    playwright.expect(heading).to_contain_text("000_5fdcb9c48dad7940")
    page.locator("a[rel=next]").click()
    playwright.expect(heading).to_contain_text("002_3ad8789db8de2740")
    page.locator("a[rel=next]").click()
    playwright.expect(heading).to_contain_text("latin1.txt")
    assert page.locator("a[rel=next]").count() == 0   # four documents have boilerplate
    page.locator("a[rel=prev]").click()
    playwright.expect(heading).to_contain_text("002_3ad8789db8de2740")


def test_undecodable_bytes_are_shown_as_badges(page):
    open_doc(page, "latin1.txt")
    assert page.locator("#doc-text .line").first.inner_text() == "Caf[byte E9] prices"
    assert "Not UTF-8 from byte 3" in page.locator("#view-doc").inner_text()


def test_hostile_text_is_shown_as_text_and_runs_nothing(page):
    page.locator("#doc-table a", has_text="onerror=alert(2)").click()
    text = page.locator("#doc-text").inner_text()
    assert HOSTILE[0] in text and HOSTILE[1] in text and HOSTILE[2] in text
    assert HOSTILE_NAME in page.locator("#view-doc h2").inner_text()
    assert page.locator("img, iframe, object, embed").count() == 0
    assert page.locator("#doc-text .bidi", has_text="[RLO]").count() == 2   # a visible badge, not a reordering
    assert page.evaluate("() => document.querySelectorAll('script').length") == 2
    hrefs = page.evaluate("() => [...document.querySelectorAll('a')].map(a => a.getAttribute('href'))")
    assert all(h.startswith("#") for h in hrefs)


def test_clusters_diff_word_by_word_with_whole_graphemes(page):
    page.locator("nav a", has_text="Duplicate clusters").click()
    page.locator("#near-only").check()
    assert page.locator(".cluster").count() == 2
    assert page.locator(".pair ins", has_text="लंदन").count() == 1
    assert page.locator(".pair del", has_text="इस").count() == 1
    urdu = page.locator(".pair ins", has_text="بڑا")
    assert urdu.inner_text().strip() == "بڑا"                       # the whole word, so its letters join
    assert urdu.evaluate("e => e.closest('.side').getAttribute('lang')") == "ur"


def test_evidence_links_to_its_cluster(page):
    open_doc(page, "zz-copies")
    link = page.locator(".evidence li", has_text="near-line").first.locator("a", has_text="compare side by side")
    href = link.get_attribute("href")
    link.click()
    cluster = page.locator(".cluster.target")   # drawn on the hash change: expect() waits for it
    playwright.expect(cluster).to_be_visible()
    assert cluster.get_attribute("id") == href[1:] and cluster.locator(".pair ins").count() == 1
    assert "zz-copies.txt" in cluster.locator(".pair .caption").nth(1).inner_text()


def test_a_page_over_its_document_limit_says_how_many_it_lists(browser, tmp_path):
    out, corpus = tmp_path / "out", tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    (corpus / "zz-own.txt").write_text(LONG + "\n", "utf-8")   # nothing to remove: the one left out
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(html, "PAGE_DOCUMENTS", 2)
        clean(corpus, out)
    page = watched(browser, (out / "report.html").as_uri())
    assert "Only 2 of 3 documents are listed" in page.locator("#limits").inner_text()
    assert page.locator("#doc-table tbody tr").count() == 2
    assert page.problems == []
    page.close()


def test_a_sampled_page_says_so_and_a_rule_of_its_sample_filters_the_table(browser, tmp_path):
    """Over the limit, the page lists the documents holding up to SIZE removals of each
    rule: it says so, shows each rule's count in the run beside its count in the
    sample, a click on a rule lists its documents, and a drawn removal says it is."""
    from .test_sample import corpus_of_many_removals
    corpus = corpus_of_many_removals(tmp_path / "corpus")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(html.sample, "FULL_PAGE", 5)
        patch.setattr(html.sample, "SIZE", 3)
        report = clean(corpus, tmp_path / "out")
    page = watched(browser, (tmp_path / "out" / "report.html").as_uri())
    assert "a random sample of up to 3 removals of every rule (seed 0)" in page.locator("#limits").inner_text()
    by_rule = report["summary"]["by_rule"]
    rows = page.eval_on_selector_all("#sample-table tbody tr", "rows => rows.map(r => [...r.cells].map(c => c.innerText))")
    assert rows == [[rule, f"{by_rule[rule]['spans']:,}", "3"] for rule in sorted(by_rule)]
    listed = page.locator("#doc-table tbody tr").count()
    assert 3 <= listed <= 3 * len(by_rule)
    page.locator("#sample-table button", has_text="lexicon:en/share").click()
    shares = page.locator("#doc-table tbody tr").count()
    assert shares == 3 < listed and page.locator("#filter-rule").input_value() == "lexicon:en/share"   # one a document
    page.locator("#doc-table tbody tr a").first.click()
    page.locator(".evidence li.drawn").first.wait_for()   # drawn on the hash change
    assert "in the sample" in page.locator(".evidence li.drawn").first.inner_text()
    assert page.problems == []
    page.close()


def wilson(hits: int, n: int) -> tuple[float, float]:
    z = 1.96
    p = hits / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


def test_removals_are_judged_with_the_keyboard_kept_over_a_reload_and_estimated_per_rule(browser, tmp_path):
    """The sample's removals, rule by rule: y and n judge the current one and move on, k
    goes back, u undoes the last verdict; a reload keeps them; the panel gives each
    rule's precision with its 95% Wilson interval and the wrong removals to expect."""
    from .test_sample import corpus_of_many_removals
    corpus = corpus_of_many_removals(tmp_path / "corpus")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(html.sample, "FULL_PAGE", 5)
        patch.setattr(html.sample, "SIZE", 3)
        report = clean(corpus, tmp_path / "out")
    uri = (tmp_path / "out" / "report.html").as_uri()
    page = watched(browser, uri + "#judge")
    cards = page.locator("#judge-list .judge")
    playwright.expect(cards).to_have_count(12)   # 3 of each of the 4 rules, a rule after another
    rules = page.eval_on_selector_all("#judge-list .judge", "cards => cards.map(c => c.dataset.rule)")
    assert rules == [rule for rule in sorted(report["summary"]["by_rule"]) for _ in range(3)]
    for key in "ynn":
        page.keyboard.press(key)
    assert page.locator(".judge.current").get_attribute("id") == "judge-3"
    page.keyboard.press("u")                       # the third verdict undone, and back to it
    assert page.locator(".judge.current").get_attribute("id") == "judge-2"
    page.keyboard.press("y")
    page.keyboard.press("k")
    page.keyboard.press("k")
    assert page.locator(".judge.current").get_attribute("id") == "judge-1"
    page.reload()
    playwright.expect(cards).to_have_count(12)
    classes = page.eval_on_selector_all("#judge-list .judge", "cards => cards.map(c => c.className)")
    assert ["judged-ok" in classes[0], "judged-wrong" in classes[1], "judged-ok" in classes[2]] == [True] * 3
    assert not any("judged" in c for c in classes[3:])
    rule = rules[0]
    total = report["summary"]["by_rule"][rule]["spans"]
    lo, hi = wilson(2, 3)
    row = page.eval_on_selector(f"#judge-table tr[data-rule='{rule}']", "r => [...r.cells].map(c => c.innerText)")
    assert row == [rule, f"{total:,}", "3", "3", "1", f"66.7% ({100 * lo:.1f}%–{100 * hi:.1f}%)",
                   f"{round(total / 3):,} ({round(total * (1 - hi)):,}–{round(total * (1 - lo)):,})"]
    other = page.eval_on_selector(f"#judge-table tr[data-rule='{rules[3]}']", "r => [...r.cells].map(c => c.innerText)")
    assert other[2:] == ["3", "0", "0", "", ""]
    page.locator("#judge-3 button", has_text="wrong").click()   # buttons judge too
    assert "judged-wrong" in page.locator("#judge-3").get_attribute("class")
    assert page.problems == []
    page.close()


def test_verdicts_exported_from_the_page_are_honoured_by_the_next_clean(browser, tmp_path):
    """The loop: judge in the page, choose an override, export verdicts.json, clean again
    with it: the removal judged wrong stays wherever its text recurs, the override
    applies, everything else is removed as before."""
    from .test_sample import corpus_of_many_removals
    corpus = corpus_of_many_removals(tmp_path / "corpus")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(html.sample, "FULL_PAGE", 5)
        patch.setattr(html.sample, "SIZE", 3)
        first = clean(corpus, tmp_path / "out")
    page = browser.new_page(accept_downloads=True)
    page.goto((tmp_path / "out" / "report.html").as_uri() + "#judge")
    cards = page.locator("#judge-list .judge")
    playwright.expect(cards).to_have_count(12)
    rules = page.eval_on_selector_all("#judge-list .judge", "cards => cards.map(c => c.dataset.rule)")
    wrong = rules.index("frequent-line")
    page.keyboard.press("y")                        # the first removal is right
    for _ in range(wrong - 1):
        page.keyboard.press("j")
    page.keyboard.press("n")                        # the first frequent line is wrong
    judged_text = "".join(page.locator(f"#judge-{wrong} del").all_inner_texts()).strip()
    share = rules.index("lexicon:en/share")
    page.locator(f"#judge-{share} label.override", has_text="off").locator("input").check()
    with page.expect_download() as download:
        page.locator("#export-verdicts").click()
    file = tmp_path / "verdicts.json"
    download.value.save_as(file)
    page.close()
    exported = json.loads(file.read_text("utf-8"))
    assert [v["verdict"] for v in exported["verdicts"]] == ["right", "wrong"]
    assert exported["overrides"] == [{"pattern_off": "lexicon:en/share", "pattern": "Share this article"}]
    again = clean(corpus, tmp_path / "again", "--verdicts", file)

    def texts(report, rule):
        return [r["text"].strip() for d in report["documents"] for r in d["removed"] if r["rule"] == rule]
    assert judged_text and judged_text in texts(first, "frequent-line") and judged_text not in texts(again, "frequent-line")
    assert texts(again, "frequent-line") == [t for t in texts(first, "frequent-line") if t != judged_text]
    assert texts(again, "lexicon:en/share") == [] and texts(again, "exact-line") == texts(first, "exact-line")
    assert again["verdicts"]["kept"] == 30 + 60 and again["verdicts"]["not_found"] == []
    page = watched(browser, (tmp_path / "again" / "report.html").as_uri() + "#doc-0")   # c.jsonl:1
    assert "Kept by the verdicts file: lexicon:en/share (line 3, pattern-off)" in page.locator(".kept-by-verdict").inner_text()
    assert page.problems == []
    page.close()


def test_over_budget_documents_show_their_removed_spans_and_say_so(browser, small_page):
    page = watched(browser, small_page)
    limits = page.locator("#limits")
    assert "2 documents beyond the 0-character budget" in limits.inner_text() and "cut" in limits.inner_text()
    open_doc(page, "002_3ad8789db8de2740")
    text = page.locator("#doc-text")
    assert "over the page's budget" in text.inner_text()
    assert text.locator(".rm").count() == 9 and "removed: lexicon:hi/also-read (lines 2–2)" in text.inner_text()
    assert "more characters not in this page" in text.inner_text()
    page.locator(".evidence a", has_text="line 1 of this document").first.click()
    assert "Line 1 is not shown" in page.locator("#line-missing").inner_text()
    assert page.problems == []
    page.close()


@pytest.fixture(scope="module")
def few_spans_page(tmp_path_factory):
    """The seeds' report with no room for full texts and three removed spans a document."""
    return seeds_page(tmp_path_factory, "few", TEXT_BUDGET=0, DOC_SPANS=3)


def test_a_document_with_more_spans_than_the_page_shows_counts_them_all(browser, few_spans_page, small_page):
    """A document shown by its removed spans shows the first DOC_SPANS of them and says
    how many more there are; its counts, share and rules are the whole document's."""
    pages = [watched(browser, url) for url in (few_spans_page, small_page)]
    few, every = pages
    assert "2 documents show only their first 3 removed spans" in few.locator("#limits").inner_text()
    table = [p.locator("#doc-table tbody tr", has=p.locator("a", has_text="002_3ad8789db8de2740")).inner_text()
             for p in pages]
    assert table[0] == table[1]   # the same counts and share as with every span shown
    headers = []
    for p in pages:
        open_doc(p, "002_3ad8789db8de2740")
        headers.append(p.locator("#view-doc p.note").first.inner_text())
    assert headers[0] == headers[1] and "9 removed spans" in headers[0]
    text = few.locator("#doc-text")
    assert text.locator(".rm").count() == 3
    assert "… and 6 more removed spans (" in text.locator("p.left-out").inner_text()
    assert every.locator("#doc-text p.left-out").count() == 0
    for p in pages:
        assert p.problems == []
        p.close()


# ---- a large report: paging, sorting, clusters; Persian and Marathi lines ----------------

PERSIAN = ("خبر\u200cگزاری تهران: این یک خبر مهم از تهران است که دیروز منتشر شد و همه از آن صحبت می\u200cکنند\n"
           "سلام دوستان\n"        # no letter of its own: the language of its (Persian) document
           "مطالب مرتبط\n"        # removed: lexicon:fa/related
           "المكتبة الوطنية\n")   # Arabic's own letters (ة ك ي): Arabic
MARATHI = ("पुण्यातील शाळा आजपासून सुरू होणार असल्याची माहिती शिक्षण विभागाने दिली\n"   # ळ: Marathi
           "हे पण वाचा: पुण्यात जोरदार पाऊस\n")                                     # removed; no ळ: hi
GENERATED = 230


def generated_documents(rng: random.Random) -> list[dict]:
    """Report entries as a generator or a hand filter may write them: 0-3 spans of each
    kind, every copy with its own kept original (one cluster each), some removed whole."""
    docs, originals = [], iter(range(10**6))
    for n in range(GENERATED):
        chars, removed, at = rng.randint(300, 3000), [], 0
        if n % 17 == 5:   # removed whole, as a copy of the document before it
            evidence = {"original": {"path": f"docs/{n - 1:03d}.txt"}, "similarity": 1.0}
            removed.append({"kind": "duplicate", "rule": "exact-document", "lines": [1, 3], "chars": [0, chars],
                            "text": "x" * (chars - 1) + "\n", "evidence": evidence})
        else:
            for kind in ("duplicate", "near-duplicate", "boilerplate"):
                for _ in range(rng.randint(0, 3 if kind == "boilerplate" else 2)):
                    size = rng.randint(10, 60)
                    if kind == "boilerplate":
                        rule, evidence = "frequent-line", {"documents": 9}
                    else:
                        rule = "exact-line" if kind == "duplicate" else "near-line"
                        evidence = {"original": {"path": f"docs/{rng.randrange(GENERATED):03d}.txt",
                                                 "lines": [next(originals) + 1] * 2}, "similarity": 0.9}
                    removed.append({"kind": kind, "rule": rule, "lines": [len(removed) + 1] * 2,
                                    "chars": [at, at + size], "text": "y" * (size - 1) + "\n", "evidence": evidence})
                    at += size
        status = "removed" if n % 17 == 5 else "cleaned" if removed else "kept"
        docs.append({"path": f"docs/{n:03d}.txt", "output": None, "status": status, "sha256": "0" * 64,
                     "chars": chars, "lines": 12, "removed": removed})
    return docs


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    """`dedup clean` of a Persian and a Marathi document, its report.json extended by
    generated entries, drawn again by `dedup report --root`: (page URL, documents)."""
    root = tmp_path_factory.mktemp("big")
    (root / "corpus").mkdir()
    (root / "corpus" / "fa.txt").write_text(PERSIAN, "utf-8")
    (root / "corpus" / "mr.txt").write_text(MARATHI, "utf-8")
    out = root / "out"
    old = os.getcwd()
    os.chdir(root)
    try:
        report = clean(Path("corpus"), Path("out"), "--dry-run")
    finally:
        os.chdir(old)
    assert [d["path"] for d in report["documents"]] == ["corpus/fa.txt", "corpus/mr.txt"]
    report["documents"] += generated_documents(random.Random(21))
    (out / "report.json").write_text(json.dumps(report), "utf-8")
    result = run("report", out / "report.json", "-o", out / "big.html", "--root", root)
    assert result.exit_code == 0, result.output
    return (out / "big.html").as_uri(), report["documents"]


@pytest.fixture
def big_page(browser, big):
    page = watched(browser, big[0])
    yield page
    assert page.problems == []
    page.close()


def table_rows(page) -> list[int]:
    return page.eval_on_selector_all("#doc-table tbody tr", "rows => rows.map(r => Number(r.dataset.doc))")


def test_the_documents_table_shows_100_rows_a_page(big_page, big):
    total = len(big[1])
    assert total == 232
    assert table_rows(big_page) == list(range(100))
    assert big_page.locator("#page").inner_text() == "page 1 of 3" and big_page.locator("#prev").is_disabled()
    big_page.locator("#next").click()
    assert table_rows(big_page) == list(range(100, 200)) and big_page.locator("#page").inner_text() == "page 2 of 3"
    big_page.locator("#next").click()
    assert table_rows(big_page) == list(range(200, total)) and big_page.locator("#next").is_disabled()
    big_page.locator("#prev").click()
    assert table_rows(big_page) == list(range(100, 200))
    assert big_page.locator("#filter-count").inner_text() == "232 of 232 documents"


def column_values(docs: list[dict]) -> dict[str, list]:
    """Each column's value per document, as the table sorts it."""
    share = [sum(r["chars"][1] - r["chars"][0] for r in d["removed"]) / d["chars"] for d in docs]
    out = {"path": [d["path"] for d in docs], "status": [d["status"] for d in docs], "share": share}
    for kind in ("duplicate", "near-duplicate", "boilerplate"):
        out[kind] = [sum(r["kind"] == kind for r in d["removed"]) for d in docs]
    return out


def test_every_column_sorts_both_ways(big_page, big):
    """Text columns ascend first, numbers descend first; a second click reverses; ties
    keep path order. The first page then shows the first 100 of the whole order."""
    values = column_values(big[1])
    first_ascending = {"path": False, "status": True}   # path: already ascending, so a click reverses it
    for key, column in values.items():
        assert len(set(column)) > 2, key                # enough different values to show an order
        ascending = first_ascending.get(key, False)
        for _ in range(2):
            big_page.locator(f"th[data-key='{key}'] button").click()
            by_index = sorted(range(len(column)))
            expected = sorted(by_index, key=lambda i: column[i], reverse=not ascending)   # stable: ties by index
            assert table_rows(big_page) == expected[:100], (key, ascending)
            aria = big_page.locator(f"th[data-key='{key}']").get_attribute("aria-sort")
            assert aria == ("ascending" if ascending else "descending")
            ascending = not ascending
        big_page.locator("#next").click()
        big_page.locator("#next").click()
        assert table_rows(big_page) == expected[200:]   # the last page, in the same order


def test_duplicate_clusters_are_shown_50_a_page(big_page, big):
    copies = [r for d in big[1] for r in d["removed"] if r["kind"] in ("duplicate", "near-duplicate")]
    total, near = len(copies), sum(r["kind"] == "near-duplicate" for r in copies)
    assert 200 < total <= html.CLUSTER_LIMIT and near > 50
    big_page.locator("nav a", has_text="Duplicate clusters").click()
    playwright.expect(big_page.locator(".cluster")).to_have_count(50)   # drawn on the hash change
    pages = math.ceil(total / 50)
    ids = lambda: big_page.eval_on_selector_all(".cluster", "boxes => boxes.map(b => b.id)")
    assert ids() == [f"cluster-{k}" for k in range(50)]
    pager = big_page.locator("#view-clusters .pager").first
    assert f"page 1 of {pages}" in pager.inner_text()
    for n in range(1, pages):
        pager.locator("button", has_text="Next").click()
        assert ids() == [f"cluster-{k}" for k in range(50 * n, min(50 * n + 50, total))]
        assert f"page {n + 1} of {pages}" in pager.inner_text()
    assert pager.locator("button", has_text="Next").is_disabled()
    big_page.locator("#near-only").check()          # near-duplicates come first: clusters 0 .. near-1
    assert ids() == [f"cluster-{k}" for k in range(50)]
    assert f"page 1 of {math.ceil(near / 50)}" in pager.inner_text()
    big_page.locator("#near-only").uncheck()
    big_page.goto(big[0] + "#cluster-175")          # a link to a cluster opens its page
    playwright.expect(big_page.locator("#cluster-175.target")).to_be_visible()
    assert ids() == [f"cluster-{k}" for k in range(150, min(200, total))]


def test_persian_and_marathi_lines_get_their_lang(big_page):
    big_page.goto(big_page.url.split("#")[0] + "#doc-0")
    lines = big_page.locator("#doc-text .line")
    playwright.expect(lines).to_have_count(4)
    assert [lines.nth(n).get_attribute("lang") for n in range(4)] == ["fa", "fa", "fa", "ar"]
    assert "Naskh" in lines.nth(0).evaluate("e => getComputedStyle(e).fontFamily")
    assert lines.nth(0).evaluate("e => getComputedStyle(e).direction") == "rtl"
    big_page.goto(big_page.url.split("#")[0] + "#doc-1")
    playwright.expect(big_page.locator("#view-doc h2")).to_contain_text("corpus/mr.txt")
    assert [lines.nth(n).get_attribute("lang") for n in range(2)] == ["mr", "hi"]
    assert "Devanagari" in lines.nth(0).evaluate("e => getComputedStyle(e).fontFamily")


def test_paths_and_patterns_sit_in_bdi(page):
    paths = page.eval_on_selector_all("#doc-table tbody tr", "rows => rows.map(r => r.dataset.doc)")
    in_bdi = page.eval_on_selector_all("#doc-table tbody a > bdi.path", "bs => bs.map(b => b.textContent)")
    assert len(in_bdi) == len(paths) == 6 and any(p.endswith(HOSTILE_NAME) for p in in_bdi)
    assert page.locator("header bdi.path").count() == 1          # the input folder, in the page's own markup
    open_doc(page, "002_3ad8789db8de2740")
    assert page.locator("#view-doc h2 > bdi.path").inner_text().endswith("/002_3ad8789db8de2740.txt")
    pattern = page.locator(".evidence bdi", has_text="ये भी पढ़ें").first
    assert pattern.inner_text() == "ये भी पढ़ें" and pattern.get_attribute("dir") == "auto"
    assert pattern.get_attribute("lang") == "hi"
    open_doc(page, "zz-copies")
    link = page.locator(".evidence a", has_text="aa-kept.txt:2")
    assert link.locator("bdi.path").inner_text().endswith("/aa-kept.txt")
    page.locator("nav a", has_text="Duplicate clusters").click()
    playwright.expect(page.locator(".cluster").first).to_be_visible()   # drawn on the hash change
    assert page.locator(".cluster h3 bdi.path").count() == page.locator(".cluster").count() > 0


def test_english_labels_inside_corpus_text_are_lang_en_and_ltr(page):
    open_doc(page, "000_5fdcb9c48dad7940")
    heading = page.locator("#doc-text .line").nth(7)             # مواضيع ذات صلة (×3), removed
    assert heading.evaluate("e => getComputedStyle(e).direction") == "rtl"
    label = heading.locator("button.label")
    assert label.inner_text() == "removed: lexicon:ar/related"
    assert (label.get_attribute("lang"), label.get_attribute("dir")) == ("en", "ltr")
    assert label.evaluate("e => getComputedStyle(e).direction") == "ltr"
    labels = page.eval_on_selector_all("#view-doc .label", "ls => ls.map(l => [l.lang, l.dir])")
    assert len(labels) >= 4 and set(map(tuple, labels)) == {("en", "ltr")}   # in the text and the evidence
    open_doc(page, "002_3ad8789db8de2740")
    kept = page.locator("#doc-text .line.original .label.kept").first
    assert kept.inner_text().startswith("kept; its copies:")
    assert (kept.get_attribute("lang"), kept.get_attribute("dir")) == ("en", "ltr")


def test_every_evidence_field_is_shown(browser, tmp_path):
    """The shape of a template-shape line, the affix of a site-affix title, the keep policy
    that chose an original and an estimated similarity against an earlier run: each
    shown beside its removal."""
    golden = Path(__file__).resolve().parent / "golden" / "corpus"
    clean(golden, tmp_path / "golden", "--keep", "longest")
    page = watched(browser, (tmp_path / "golden" / "report.html").as_uri())
    open_doc(page, "en-courier/00.txt")
    evidence = page.locator(".evidence").inner_text()
    assert "shape “filed at # # gmt by the night desk”" in evidence and "site affix “the harbour courier”" in evidence
    report = json.loads((tmp_path / "golden" / "report.json").read_text("utf-8"))
    chosen = next(d["path"] for d in report["documents"] if any(r["evidence"].get("kept_by") for r in d["removed"]))
    open_doc(page, chosen.removeprefix("corpus/"))
    assert "the copy kept chosen by keep = longest" in page.locator(".evidence").inner_text()
    open_doc(page, "en-portal/tide-times/page.txt")   # a headline listed under "More on this story", line 9
    listed = page.locator(".evidence li", has_text="listed under its heading").first
    assert "pattern “More on this story”" in listed.inner_text()
    listed.locator("a", has_text="line 9").click()
    page.wait_for_function("location.hash.endsWith('-line-9')")
    assert page.problems == []
    page.close()
    (tmp_path / "new").mkdir()
    words = HINDI.read_text("utf-8").replace("हुई इस बैठक", "हुई लंदन बैठक")   # a near copy of an earlier document
    (tmp_path / "new" / "again.txt").write_text(words, "utf-8")
    run_before = tmp_path / "first"
    clean(SEEDS, run_before)
    clean(tmp_path / "new", tmp_path / "second", "--against", run_before)
    page = watched(browser, (tmp_path / "second" / "report.html").as_uri())
    open_doc(page, "again.txt")
    shown = page.locator(".evidence").inner_text()
    assert "near-document" in shown and "estimated from MinHash signatures" in shown and "in the earlier run" in shown
    assert page.problems == []
    page.close()


def test_a_sources_name_in_an_overrides_label_shows_its_bidi_controls_as_badges(browser, tmp_path):
    """"turn frequent-line off in <source>" holds the corpus's folder name: a U+202E in it is
    a visible [RLO], never a raw control that reorders the label."""
    words = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigma".split()
    rng = random.Random(5)
    site = tmp_path / "corpus" / "site\u202eevil"
    site.mkdir(parents=True)
    for n in range(5):
        body = [" ".join(rng.choice(words) for _ in range(25)).capitalize() + "." for _ in range(3)]
        (site / f"p{n}.txt").write_text("\n".join(body[:2] + ["Footer line of the harbour site"] + body[2:]) + "\n",
                                        "utf-8")
    clean(tmp_path / "corpus", tmp_path / "out")
    page = watched(browser, (tmp_path / "out" / "report.html").as_uri() + "#judge")
    label = page.locator("label.override", has_text="off in").first
    assert label.locator(".bidi").inner_text() == "[RLO]"
    raw = page.evaluate("""() => { const out = [], walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      let n; while ((n = walk.nextNode())) if (n.data.includes('\\u202e') && n.parentElement.tagName !== 'SCRIPT')
        out.push(n.data); return out; }""")
    assert raw == [] and page.problems == []
    page.close()
