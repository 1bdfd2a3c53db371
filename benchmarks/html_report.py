"""Benchmark: the review page of a 20,000-document corpus in headless Chromium.

    python benchmarks/html_report.py [--docs N] [--repeat R]
    python benchmarks/html_report.py --screenshot docs/report-seeds.png   # the README's picture

Generates the multilingual corpus of benchmarks/check_hook.py, runs `dedup clean`,
then opens report.html from disk R times and prints its size and the medians of:
time to the load event, time until the documents table is drawn, and time to open
one document view (a near-duplicate, after filtering the table). Needs /usr/bin/chromium and playwright (as the tests do).
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from check_hook import generate  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]


def browser(p):
    return p.chromium.launch(executable_path=CHROMIUM, args=ARGS)


def screenshot(target: Path) -> None:
    from playwright.sync_api import sync_playwright
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        subprocess.run([sys.executable, "-m", "dedup", "clean", "seeds/", "-o", str(out), "-q"], cwd=ROOT, check=True)
        with sync_playwright() as p:
            b = browser(p)
            page = b.new_page(viewport={"width": 1280, "height": 1000})
            page.goto((out / "report.html").as_uri())
            page.locator("a", has_text="002_3ad8789db8de2740").click()
            page.wait_for_timeout(200)
            page.screenshot(path=str(target), full_page=False)
            b.close()
    print(f"screenshot: {target}")


def measure(docs: int, repeat: int) -> None:
    from playwright.sync_api import sync_playwright
    with tempfile.TemporaryDirectory() as tmp:
        corpus, out = Path(tmp) / "corpus", Path(tmp) / "out"
        generate(corpus, docs)
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "dedup", "clean", str(corpus), "-o", str(out), "-q"], cwd=tmp, check=True)
        print(f"{docs} documents cleaned in {time.perf_counter() - start:.1f} s")
        page_file = out / "report.html"
        print(f"report.html: {page_file.stat().st_size / 1e6:.1f} MB")
        loads, tables, views = [], [], []
        with sync_playwright() as p:
            b = browser(p)
            for _ in range(repeat):
                page = b.new_page()
                errors = []
                page.on("pageerror", lambda e: errors.append(str(e)))
                start = time.perf_counter()
                page.goto(page_file.as_uri(), wait_until="load")
                loads.append(time.perf_counter() - start)
                page.locator("#doc-table tbody tr").first.wait_for()
                tables.append(time.perf_counter() - start)
                page.select_option("#filter-kind", "near-duplicate")
                start = time.perf_counter()
                page.locator("#doc-table tbody tr a").first.click()
                page.locator("#doc-text .line").first.wait_for()
                views.append(time.perf_counter() - start)
                assert not errors, errors
                page.close()
            b.close()
        for label, runs in (("load event", loads), ("table drawn", tables), ("open a document", views)):
            print(f"  {label:<16} median {statistics.median(runs) * 1000:7.0f} ms  "
                  f"({', '.join(f'{r * 1000:.0f}' for r in runs)})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--screenshot", type=Path, help="only save a screenshot of the seeds' report here")
    args = parser.parse_args()
    if not Path(CHROMIUM).exists() or shutil.which("chromium") is None:
        print(f"skipped: {CHROMIUM} not installed (apt-get install chromium)")
        return 0
    if args.screenshot:
        screenshot(args.screenshot.resolve())
    else:
        measure(args.docs, args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
