"""The review page in a real browser: Debian's Chromium driven by Playwright."""
import os
import shutil

import pytest

from .conftest import SEEDS
from .test_cli import run

CHROMIUM = "/usr/bin/chromium"
playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
pytestmark = pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"{CHROMIUM} is not installed (.ci/run installs it)")

HOSTILE = ['<script>alert("x")</script>', '"><img src=x onerror=alert(1)>', "javascript:alert(1)",
           "\u202eevil\u202c RLO text"]
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
    """A report of the seeds plus a hostile document, written by `dedup clean`."""
    root = tmp_path_factory.mktemp("browser")
    corpus = root / "corpus"
    shutil.copytree(SEEDS, corpus)
    (corpus / "zz-hostile.txt").write_text(WHATEVER + "\n".join(HOSTILE) + "\n" + "\n".join(HOSTILE) + "\n",
                                           encoding="utf-8")
    out = root / "out"
    assert run("clean", corpus, "-o", out).exit_code == 0
    return (out / "report.html").as_uri()


@pytest.fixture
def page(browser, report_page):
    page = browser.new_page()
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("dialog", lambda d: (problems.append("dialog: " + d.message), d.dismiss()))
    page.problems = problems
    page.goto(report_page)
    yield page
    page.close()


def doc_index(page, name: str) -> int:
    return int(page.locator("#doc-table tr", has_text=name).get_attribute("data-doc"))


def test_loads_without_errors_and_lists_documents(page):
    assert page.locator("#doc-table tbody tr").count() == 3
    assert page.problems == []


def test_urdu_paragraphs_are_right_to_left(page):
    page.locator("a", has_text="000_5fdcb9c48dad7940").click()
    first = page.locator("#doc-text .line").first
    assert first.get_attribute("lang") == "ur"
    assert first.evaluate("e => getComputedStyle(e).direction") == "rtl"


def test_removed_hindi_teaser_shows_its_rule(page):
    page.locator("a", has_text="002_3ad8789db8de2740").click()
    teaser = page.locator("#doc-text .line", has_text="ये भी पढ़ें").first
    assert "rm" in teaser.get_attribute("class")
    assert "removed: lexicon:hi/also-read" in teaser.inner_text()
    assert page.locator(".evidence", has_text="lexicon:hi/also-read").count() == 1


def test_duplicate_link_lands_on_the_kept_original(page):
    i = doc_index(page, "002_3ad8789db8de2740")
    page.goto(page.url.split("#")[0] + f"#doc-{i}")
    page.locator(".evidence a", has_text=":1").first.click()
    target = page.locator(".line.target")
    assert target.get_attribute("id") == f"doc-{i}-line-1"
    assert "rm" not in target.get_attribute("class")   # the kept one, not struck through
    assert page.url.endswith(f"#doc-{i}-line-1")


def test_cleaned_only_toggle_hides_removed_lines(page):
    page.locator("a", has_text="002_3ad8789db8de2740").click()
    removed = page.locator("#doc-text .rm").first
    assert removed.is_visible()
    page.locator("#cleaned-toggle").check()
    assert not removed.is_visible()


def test_filter_by_kind_hides_the_rest(page):
    page.select_option("#filter-kind", "duplicate")
    rows = page.locator("#doc-table tbody").inner_text()
    assert "002_3ad8789db8de2740" in rows and "zz-hostile" in rows and "000_5fdcb9c48dad7940" not in rows
    page.select_option("#filter-kind", "")
    page.select_option("#filter-rule", "lexicon:ar/related")
    assert page.locator("#doc-table tbody tr").count() == 1


def test_hostile_text_is_shown_as_text_and_runs_nothing(page):
    page.locator("a", has_text="zz-hostile").click()
    text = page.locator("#doc-text").inner_text()
    assert HOSTILE[0] in text and HOSTILE[1] in text and HOSTILE[2] in text
    assert page.locator("#doc-text img, #doc-text script, main img").count() == 0
    assert page.locator("#doc-text .bidi", has_text="[RLO]").count() >= 1   # a visible badge, not a reordering
    page.locator("#doc-text").evaluate("e => e.scrollIntoView()")
    assert page.problems == []
    assert page.evaluate("() => document.querySelectorAll('script').length") == 2


def test_clusters_view_diffs_the_copies(page):
    page.locator("nav a", has_text="Duplicate clusters").click()
    assert page.locator(".cluster").count() >= 1
    assert page.locator(".cluster .pair").count() >= 1
    assert page.problems == []
