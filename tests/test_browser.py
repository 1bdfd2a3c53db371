"""The review page in a real browser: Debian's Chromium driven by Playwright.

The corpus is the seeds plus a document whose line is copied elsewhere (kept whole),
one with a copy and near-copies (Urdu, Hindi) of lines of the others, a hostile one
(HTML, javascript: and bidi payloads, in its text and its name) and one that is not UTF-8.
Every test also fails on a console error, a dialog or a request off the disk."""
import os
import shutil

import pytest

from dedup import html

from .conftest import HINDI, SEEDS, URDU
from .test_html import LONG, clean

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
    (corpus / HOSTILE_NAME).write_text(WHATEVER + "\n".join(HOSTILE) + "\n" + "\n".join(HOSTILE) + "\n", "utf-8")
    (corpus / "latin1.txt").write_bytes(b"Caf\xe9 prices\nThe caf\xe9 on the square raised its prices again this week.\n"
                                        b"Share this article\n")
    out = root / "out"
    clean(corpus, out, "--decode-errors", "keep")
    return (out / "report.html").as_uri()


@pytest.fixture(scope="module")
def small_page(tmp_path_factory):
    """The seeds' report with no room for full texts and little for removed spans."""
    out = tmp_path_factory.mktemp("small") / "out"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(html, "TEXT_BUDGET", 0)
        patch.setattr(html, "SPAN_BUDGET", 1000)
        clean(SEEDS, out)
    return (out / "report.html").as_uri()


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
    page.locator(".evidence a", has_text="line 1 of this document").first.click()
    target = page.locator(f"#doc-{i}-line-1.target")
    playwright.expect(target).to_be_visible()
    assert target.get_attribute("id") == f"doc-{i}-line-1"
    assert "rm" not in target.get_attribute("class") and "original" in target.get_attribute("class")
    assert page.url.endswith(f"#doc-{i}-line-1")
    assert target.is_visible()


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
    playwright.expect(heading).to_contain_text("002_3ad8789db8de2740")
    page.locator("a[rel=next]").click()
    playwright.expect(heading).to_contain_text("latin1.txt")
    assert page.locator("a[rel=next]").count() == 0   # three documents have boilerplate
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
    page.locator(".evidence li", has_text="near-line").first.locator("a", has_text="compare side by side").click()
    cluster = page.locator(".cluster.target")
    assert cluster.is_visible() and cluster.locator(".pair ins").count() == 1


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
