"""Benchmark: the review page of a 20,000-document multilingual corpus in headless Chromium.

    python benchmarks/html_report.py [--docs N] [--repeat R] [--keep DIR]
    python benchmarks/html_report.py --screenshot docs/report-seeds.png   # the README's picture
    python benchmarks/html_report.py --judge-screenshot docs/review-verdicts.png   # the verdict panel

Generates a news corpus in a temporary folder (Hindi, Urdu, Arabic, English and
Swahili sites, each with its teaser lines, widget headings and footers; articles
republished whole, republished with edits, quoting paragraphs of earlier articles,
stored with their body twice; a few documents with HTML payloads and bidi controls),
runs `dedup clean` (which writes report.html), then opens report.html from disk R times
and prints its size and the median times of: the load event, the documents table
drawn, filtering the table by kind, opening a document, and opening the duplicate
clusters. Needs /usr/bin/chromium and playwright (as tests/test_browser.py does).
"""
from __future__ import annotations

import argparse
import itertools
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]

COMMON = {   # real words first (the frequent ones under Zipf's law); the seeds add Hindi and Urdu
    "en": "the of and to in a is that for on was with he it as at by this from they are be or an which have had not "
          "were but their said one all would there been has more who when will government minister president meeting "
          "city people year police report market water school health election court economy workers price village "
          "river bridge festival farmers rain",
    "ar": "في من على إلى أن عن مع هذا التي الذي كان قال وزير الرئيس الحكومة المدينة السوق المياه الشرطة المدرسة "
          "الاقتصاد العمال الانتخابات المحكمة القرية النهر المهرجان المزارعين الأمطار",
    "sw": "na ya wa kwa katika ni la za kwamba serikali rais waziri mkutano mji watu mwaka polisi soko maji shule afya "
          "uchaguzi mahakama uchumi wafanyakazi bei kijiji mto tamasha wakulima mvua",
    "hi": "के में की है और से को का एक ने पर कि यह भी था लिए साथ बैठक सरकार मंत्री राष्ट्रपति शहर लोग साल पुलिस",
    "ur": "کے میں کی ہے اور سے کو کا ایک نے پر کہ یہ بھی تھا لیے ساتھ اجلاس حکومت وزیر صدر شہر لوگ سال پولیس",
}
SYLLABLES = {   # made-up words in each script, behind the real ones
    "hi": [c + v for c in "कखगचजटडतदनपबमयरलवसह" for v in ("", "ा", "ि", "ी", "ु", "े", "ो", "ं", "्र")],
    "ur": list("ابپتٹجچدڈرڑزسشفقکگلمنوہیے"),
    "ar": list("ابتجحدرزسشصطعفقكلمنهوي"),
    "en": [c + v for c in "bcdfghklmnprstvw" for v in "aeiou"],
    "sw": [c + v for c in "bdfghjklmnpstwyz" for v in "aeiou"],
}
SITES = {   # language, paragraph separator, teaser label, boilerplate lines at the end
    "hindi-daily": ("hi", "\n", "ये भी पढ़ें:", ["हमें फेसबुक और ट्विटर पर फॉलो करें"]),
    "urdu-times": ("ur", "\n\n", "یہ بھی پڑھیں:", ["مواضيع ذات صلة", "ہمیں فیس بک اور ٹویٹر پر فالو کریں"]),
    "arab-news": ("ar", "\n", "اقرأ أيضا:", ["مواضيع ذات صلة", "تابعونا على فيسبوك وتويتر"]),
    "city-post": ("en", "\n\n", "Also read:", ["Related articles", "Share this article", "We use cookies to improve your experience."]),
    "habari-leo": ("sw", "\n", "Soma pia:", ["Tufuate kwenye Facebook na Twitter"]),
}
HOSTILE = ['<script>alert("xss")</script>', '"><img src=x onerror=alert(1)>', "javascript:alert(document.cookie)",
           "\u202eevil.exe\u202c text with a right-to-left override"]


def vocabularies() -> dict[str, list[str]]:
    vocab = {lang: words.split() for lang, words in COMMON.items()}
    for path in sorted(SEEDS.glob("*.txt")):
        seed_words = [w.strip(".,:;\"'()“”‘’-۔،") for w in path.read_text("utf-8").split()]
        lang = "hi" if any("\u0900" <= c <= "\u097f" for c in "".join(seed_words[:50])) else "ur"
        vocab[lang] += sorted({w for w in seed_words if len(w) > 1} - set(vocab[lang]))
    for lang, words in vocab.items():
        rng = random.Random(lang)
        words += ["".join(rng.choices(SYLLABLES[lang], k=rng.randint(2, 4))) for _ in range(4000)]
    return vocab


_CUMULATIVE: dict[int, list[float]] = {}


def sentence(rng: random.Random, vocab: list[str], low: int, high: int) -> str:
    """Words drawn by Zipf's law, as in running text."""
    weights = _CUMULATIVE.setdefault(len(vocab), list(itertools.accumulate(1 / (i + 1) for i in range(len(vocab)))))
    return " ".join(rng.choices(vocab, cum_weights=weights, k=rng.randint(low, high))) + "."


def wrap(text: str, width: int = 76) -> str:
    """Hard-wrap a paragraph, as some sites' extracted text is."""
    lines, line = [], ""
    for word in text.split(" "):
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return "\n".join(lines + [line])


def edit(rng: random.Random, text: str, vocab: list[str], changes: int) -> str:
    """A copy with a few words changed, as a republisher's copy editor would."""
    lines = text.split("\n")
    for _ in range(changes):
        n = rng.randrange(len(lines))
        words = lines[n].split(" ")
        words[rng.randrange(len(words))] = rng.choice(vocab[:300])
        lines[n] = " ".join(words)
    return "\n".join(lines)


def article(rng: random.Random, site: str, vocab: list[str], headlines: list[str], quotes: list[str]) -> str:
    language, separator, teaser, boilerplate = SITES[site]
    title = sentence(rng, vocab, 6, 12).rstrip(".")
    body = [" ".join(sentence(rng, vocab, 8, 25) for _ in range(rng.randint(1, 4))) for _ in range(rng.randint(4, 10))]
    if quotes and rng.random() < 0.08:   # a paragraph taken from an earlier article, sometimes edited
        body.insert(rng.randrange(1, len(body)), edit(rng, rng.choice(quotes), vocab, rng.choice([0, 1, 2])))
    if site == "city-post" and rng.random() < 0.5:
        body = [wrap(p) for p in body]
    for _ in range(rng.choice([0, 1, 1, 2])):
        if headlines:
            body.insert(rng.randrange(1, len(body) + 1), f"{teaser} {rng.choice(headlines)}")
    if rng.random() < 0.02:   # the body stored twice
        body += body
    tail = boilerplate if rng.random() < 0.8 else []
    if language == "ar" and tail and rng.random() < 0.3:
        tail = [tail[0]] * 3 + tail[1:]   # a widget heading repeated
    headlines.append(title)
    quotes.append(body[0])
    return separator.join([title, *body, *tail]) + "\n"


def generate(root: Path, count: int, seed: int = 11) -> int:
    """Write `count` documents under root/<site>/<year>/; return their total size in bytes."""
    rng = random.Random(seed)
    vocab = vocabularies()
    headlines = {site: [] for site in SITES}
    quotes = {site: [] for site in SITES}
    written: list[tuple[str, str]] = []
    size = 0
    for n in range(count):
        site = list(SITES)[n % len(SITES)]
        words = vocab[SITES[site][0]]
        roll = rng.random()
        same_site = [text for s, text in written[-500:] if s == site]
        if same_site and roll < 0.03:      # republished as it was
            text = rng.choice(same_site)
        elif same_site and roll < 0.06:    # republished with edits
            text = edit(rng, rng.choice(same_site), words, rng.randint(1, 6))
        else:
            text = article(rng, site, words, headlines[site], quotes[site])
        if n % 997 == 0:                   # untrusted text that must stay text
            text = text.replace("\n", "\n" + rng.choice(HOSTILE) + "\n", 1)
        written.append((site, text))
        path = root / site / str(2019 + n % 6) / f"{n:06d}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        data = text.encode("utf-8")
        path.write_bytes(data)
        size += len(data)
    return size


def browser(p):
    return p.chromium.launch(executable_path=CHROMIUM, args=ARGS)


def screenshot(target: Path) -> None:
    """The seeds' report, the Hindi article's view: what a reviewer sees."""
    from playwright.sync_api import sync_playwright
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        subprocess.run([sys.executable, "-m", "dedup", "clean", "seeds/", "-o", str(out), "-q"], cwd=ROOT, check=True)
        with sync_playwright() as p:
            b = browser(p)
            page = b.new_page(viewport={"width": 1280, "height": 900})
            page.goto((out / "report.html").as_uri())
            page.locator("#doc-table a", has_text="002_3ad8789db8de2740").click()
            page.locator("#doc-text .line").first.wait_for()
            target.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(target))
            b.close()
    print(f"screenshot: {target}")


def judge_screenshot(target: Path, docs: int = 6000) -> None:
    """The judging view of a sampled page (a generated corpus of `docs` documents): a
    few removals judged with the keyboard, the panel of estimates above them."""
    from playwright.sync_api import sync_playwright
    with tempfile.TemporaryDirectory() as tmp:
        generate(Path(tmp) / "corpus", docs)
        subprocess.run([sys.executable, "-m", "dedup", "clean", "corpus", "-o", "out", "-q"], cwd=tmp, check=True)
        with sync_playwright() as p:
            b = browser(p)
            page = b.new_page(viewport={"width": 1280, "height": 1000})
            page.goto((Path(tmp) / "out" / "report.html").as_uri() + "#judge")
            page.locator("#judge-list .judge").first.wait_for()
            for key in "yyyynyyyyyyyynyyyy":
                page.keyboard.press(key)
            page.evaluate("() => window.scrollTo(0, 0)")
            target.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(target))
            b.close()
    print(f"screenshot: {target}")


def _ms(runs: list[float]) -> str:
    return f"median {statistics.median(runs) * 1000:6.0f} ms  ({', '.join(f'{r * 1000:.0f}' for r in runs)})"


def measure(docs: int, repeat: int, keep: Path | None) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="dedup-html-")) if keep is None else keep
    try:
        corpus, out = tmp / "corpus", tmp / "out"
        size = generate(corpus, docs)
        print(f"corpus: {docs:,} documents, {size / 1e6:.1f} MB")
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "dedup", "clean", "corpus", "-o", "out", "-q"], cwd=tmp, check=True)
        print(f"dedup clean (report.json and report.html included): {time.perf_counter() - start:.1f} s")
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "dedup", "report", "out/report.json", "-o", "out/again.html"],
                       cwd=tmp, check=True, capture_output=True)
        print(f"dedup report (re-render alone): {time.perf_counter() - start:.1f} s")
        page_file = out / "report.html"
        summary = json.loads((out / "report.json").read_bytes())["summary"]
        print(f"removed: {100 * summary['chars_removed'] / summary['chars']:.1f}% of characters, "
              f"{summary['documents_removed']:,} documents whole")
        print(f"report.json: {(out / 'report.json').stat().st_size / 1e6:.1f} MB")
        browse(page_file, repeat)
    finally:
        if keep is None:
            shutil.rmtree(tmp, ignore_errors=True)


def browse(page_file: Path, repeat: int) -> None:
    """A review page opened from disk in headless Chromium, `repeat` times: load, table,
    filter, a document, the clusters."""
    from playwright.sync_api import sync_playwright
    print(f"report.html: {page_file.stat().st_size / 1e6:.1f} MB")
    times: dict[str, list[float]] = {k: [] for k in ("load event", "table drawn", "filter by kind",
                                                      "open a document", "open clusters")}
    with sync_playwright() as p:
        b = browser(p)
        for _ in range(repeat):
            page = b.new_page(viewport={"width": 1280, "height": 900})
            errors = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            start = time.perf_counter()
            page.goto(page_file.as_uri(), wait_until="load")
            times["load event"].append(time.perf_counter() - start)
            limits = page.evaluate("() => JSON.parse(document.getElementById('data').textContent).limits")
            page.locator("#doc-table tbody tr").first.wait_for()
            times["table drawn"].append(time.perf_counter() - start)
            start = time.perf_counter()
            page.select_option("#filter-kind", "near-duplicate")
            page.locator("#filter-count").wait_for()
            times["filter by kind"].append(time.perf_counter() - start)
            start = time.perf_counter()
            page.locator("#doc-table tbody tr a").first.click()
            page.locator("#doc-text .line").first.wait_for()
            page.evaluate("() => new Promise(requestAnimationFrame)")
            times["open a document"].append(time.perf_counter() - start)
            start = time.perf_counter()
            page.locator("nav a", has_text="Duplicate clusters").click()
            page.locator(".cluster").first.wait_for()
            page.evaluate("() => new Promise(requestAnimationFrame)")
            times["open clusters"].append(time.perf_counter() - start)
            if errors:
                sys.exit(f"errors on the page: {errors}")
            page.close()
        b.close()
    sample = limits.get("sample")
    if sample:
        print(f"page sample: {sum(sample['rules'].values()):,} removals of {len(sample['rules'])} rules "
              f"in {limits['documents_listed']:,} documents")
    print(f"page limits: {limits['over_budget']:,} documents shown by their removed spans only, "
          f"{limits['spans_cut']:,} spans cut, {min(limits['clusters_total'], limits['cluster_limit']):,} "
          f"of {limits['clusters_total']:,} clusters, {limits['diffs_left_out']:,} copies without a word diff")
    print(f"headless Chromium, {repeat} runs:")
    for label, runs in times.items():
        print(f"  {label:<16} {_ms(runs)}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="build the corpus and report in this folder and keep them")
    parser.add_argument("--screenshot", type=Path, help="only save a screenshot of the seeds' report here")
    parser.add_argument("--judge-screenshot", type=Path, help="only save a screenshot of the judging view here")
    parser.add_argument("--page", type=Path, help="only open this report.html (of any run) in Chromium and time it")
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        print(f"skipped: {CHROMIUM} is not installed (apt-get install chromium)")
        return 0
    if args.screenshot:
        screenshot(args.screenshot.resolve())
    elif args.judge_screenshot:
        judge_screenshot(args.judge_screenshot.resolve())
    elif args.page:
        browse(args.page.resolve(), args.repeat)
    else:
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
        measure(args.docs, args.repeat, args.keep)
    return 0


if __name__ == "__main__":
    sys.exit(main())
