"""Benchmark: `dedup check` as a pre-commit hook on a 20,000-document corpus in git.

    python benchmarks/check_hook.py [--docs N] [--repeat R] [--keep DIR] [--warm N [--against CODE_DIR]]

Generates a multilingual news corpus (Hindi, Urdu, Arabic, English, Swahili; some
documents stored twice, some nearly twice, some with their body doubled, site
teasers and footers), commits it to a fresh git repository, then measures, side by
side (cold, warm, cold, warm, ...):

- cold: `dedup check` of the whole corpus with no cache (builds .dedup_cache/);
- warm: one corpus file edited, then `dedup check <that file>` with the cache
  (the way pre-commit calls it after `git add`);
- clean: `dedup clean` of the same corpus, for the ratio of the index build to it;
- with --warm N, N more warm checks; with --against CODE_DIR too, each one also run with
  that code (PYTHONPATH) right after, on the same index (a version of the same index
  format), for a ratio from pairs a few seconds apart.

Prints every run and the medians. The repository is deleted unless --keep is given.
"""
from __future__ import annotations

import argparse
import itertools
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
ENGLISH = ("the of and to in a is that for on was with he it as at by this from they are be or an "
           "which have had not were but their said one all would there been has more who when will "
           "government minister president meeting city people year police report market water school "
           "health election court economy workers price village river bridge festival farmers rain").split()
ARABIC = ("في من على إلى أن عن مع هذا التي الذي كان قال وزير الرئيس الحكومة المدينة السوق المياه "
          "الشرطة المدرسة الاقتصاد العمال الانتخابات المحكمة القرية النهر المهرجان المزارعين الأمطار").split()
SWAHILI = ("na ya wa kwa katika ni la za kwamba serikali rais waziri mkutano mji watu mwaka polisi "
           "soko maji shule afya uchaguzi mahakama uchumi wafanyakazi bei kijiji mto tamasha wakulima mvua").split()
SITES = {   # language, teaser label, footer
    "hindi-daily": ("hi", "ये भी पढ़ें:", "हमें फेसबुक और ट्विटर पर फॉलो करें"),
    "urdu-times": ("ur", "یہ بھی پڑھیں:", "ہمیں فیس بک اور ٹویٹر پر فالو کریں"),
    "arab-news": ("ar", "اقرأ أيضا:", "تابعونا على فيسبوك وتويتر"),
    "city-post": ("en", "Also read:", "Follow us on Facebook and Twitter"),
    "habari-leo": ("sw", "Soma pia:", "Tufuate kwenye Facebook na Twitter"),
}


SYLLABLES = {   # for made-up words of each script, behind the real common words
    "hi": [c + v for c in "कखगचजटडतदनपबमयरलवसह" for v in ("", "ा", "ि", "ी", "ु", "े", "ो", "ं")],
    "ur": list("ابپتجچدرزسشفقکگلمنوہی"),
    "ar": list("ابتجحدرزسشصطعفقكلمنهوي"),
    "en": [c + v for c in "bcdfghklmnprstvw" for v in "aeiou"],
    "sw": [c + v for c in "bdfghjklmnpstwyz" for v in "aeiou"],
}


def made_up_words(language: str, count: int) -> list[str]:
    rng = random.Random(language)
    return ["".join(rng.choices(SYLLABLES[language], k=rng.randint(2, 4))) for _ in range(count)]


def vocabularies() -> dict[str, list[str]]:
    """Real words (from the seeds, or common words) first, then made-up ones in the
    same script: Zipf's law makes the first ones the frequent ones."""
    hindi = urdu = []
    for path in sorted(SEEDS.glob("*.txt")):
        words = [w for w in path.read_text("utf-8").split() if w.isalpha() or len(w) > 2]
        if any("\u0900" <= c <= "\u097f" for c in "".join(words[:50])):
            hindi = words
        else:
            urdu = words
    out = {"hi": sorted(set(hindi)) or ENGLISH, "ur": sorted(set(urdu)) or ARABIC,
           "ar": ARABIC, "en": ENGLISH, "sw": SWAHILI}
    for language, words in out.items():
        random.Random(3).shuffle(words)
        words += made_up_words(language, 5000)
    return out


def sentence(rng: random.Random, vocab: list[str], low: int, high: int) -> str:
    """Words drawn with Zipf's law, as in running text."""
    weights = _ZIPF.setdefault(len(vocab), list(itertools.accumulate(1 / (i + 1) for i in range(len(vocab)))))
    return " ".join(rng.choices(vocab, cum_weights=weights, k=rng.randint(low, high))) + "."


_ZIPF: dict[int, list[float]] = {}


def article(rng: random.Random, vocab: list[str], teaser: str, footer: str, headlines: list[str]) -> str:
    title = sentence(rng, vocab, 7, 12).rstrip(".")
    body = [sentence(rng, vocab, 15, 60) for _ in range(rng.randint(6, 16))]
    if headlines and rng.random() < 0.6:
        body.insert(rng.randrange(1, len(body)), f"{teaser} {rng.choice(headlines)}")
    lines = [title, *body]
    if rng.random() < 0.02:            # the body stored twice
        lines += body
    if rng.random() < 0.7:
        lines.append(footer)
    headlines.append(title)
    return "\n".join(lines) + "\n"


def generate(root: Path, count: int, seed: int = 7) -> list[Path]:
    rng = random.Random(seed)
    vocab = vocabularies()
    headlines: dict[str, list[str]] = {site: [] for site in SITES}
    texts: list[tuple[Path, str]] = []
    for n in range(count):
        site = list(SITES)[n % len(SITES)]
        language, teaser, footer = SITES[site]
        path = root / "data" / site / f"{2020 + n % 5}" / f"{n:06d}.txt"
        roll = rng.random()
        if texts and roll < 0.02:        # a document stored again
            text = rng.choice(texts)[1]
        elif texts and roll < 0.04:      # ... with small edits
            words = rng.choice(texts)[1].split(" ")
            for _ in range(3):
                i = rng.randrange(len(words))
                words[i] = words[i][::-1]
            text = " ".join(words)
        else:
            text = article(rng, vocab[language], teaser, footer, headlines[site])
        texts.append((path, text))
    for path, text in texts:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")
    return [p for p, _ in texts]


# As a hook runs in a user's repository: with Python's bytecode cache (a sandbox that
# sets PYTHONDONTWRITEBYTECODE makes every run compile dedup's modules again: +60 ms).
ENV = {**{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}, "PRE_COMMIT": "1"}


def run(cmd: list[str], cwd: Path) -> tuple[float, subprocess.CompletedProcess]:
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=ENV)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        sys.exit(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stderr}")
    return elapsed, done


def interleaved(root: Path, dedup: str, targets: list[Path], against: str | None) -> None:
    """Warm one-file checks of these files, each edited first; with `against`, each also
    with that code right after (the machine's speed drifts by the minute: compare pairs)."""
    codes = {"this code": None, **({f"against {against}": against} if against else {})}
    times: dict[str, list[float]] = {name: [] for name in codes}
    for n, target in enumerate(targets):
        for name, code in codes.items():
            with target.open("a", encoding="utf-8") as handle:
                handle.write(f"Another closing line, number {n}, for {name}.\n")
            subprocess.run(["git", "add", str(target)], cwd=root, check=True)
            env = {**ENV, "PYTHONPATH": code} if code else ENV
            start = time.perf_counter()
            subprocess.run([dedup, "check", target.relative_to(root).as_posix()], cwd=root, capture_output=True,
                           env=env)
            times[name].append(time.perf_counter() - start)
    for name, seconds in times.items():
        print(f"{len(seconds)} more warm one-file checks, {name}: median {statistics.median(seconds):.3f} s "
              f"({' '.join(f'{s:.2f}' for s in seconds)})")
    if against:
        this, other = times.values()
        print(f"this code / against, median of the pairs: {statistics.median(a / b for a, b in zip(this, other)):.2f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", help="build the repository here and keep it")
    parser.add_argument("--warm", type=int, default=0, help="then this many more warm one-file checks")
    parser.add_argument("--against", help="a copy of other dedup code (same index format): each of the --warm "
                                          "checks is run with it too (PYTHONPATH), interleaved, on the same index")
    args = parser.parse_args()
    dedup = shutil.which("dedup") or sys.exit("dedup is not installed (pip install -e .)")
    root = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="dedup-hook-"))
    try:
        root.mkdir(parents=True, exist_ok=True)
        files = generate(root, args.docs)
        (root / "setup.cfg").write_text("[dedup]\ncorpus = data\n")
        size = sum(p.stat().st_size for p in files)
        git = ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.org"]
        subprocess.run(["git", "init", "-q"], cwd=root, check=True)
        subprocess.run(["git", "add", "-A"], cwd=root, check=True)
        subprocess.run([*git, "commit", "-qm", "corpus"], cwd=root, check=True)
        print(f"corpus: {len(files):,} documents, {size / 1e6:.1f} MB, in git at {root}")
        rng = random.Random(1)
        cold, warm, clean = [], [], []
        for r in range(args.repeat):
            out = Path(tempfile.mkdtemp(prefix="dedup-hook-clean-")) / "out"
            seconds, _ = run([dedup, "clean", "data", "-o", str(out), "-q"], root)   # the same corpus, cleaned
            shutil.rmtree(out.parent)
            clean.append(seconds)
            print(f"  clean whole corpus  run {r + 1}: {seconds:7.2f} s")
            for cache in root.rglob(".dedup_cache"):
                shutil.rmtree(cache)
            seconds, done = run([dedup, "check"], root)
            cold.append(seconds)
            print(f"  cold whole corpus   run {r + 1}: {seconds:7.2f} s  ({len(done.stdout.splitlines()):,} findings)")
            target = rng.choice(files)
            with target.open("a", encoding="utf-8") as handle:   # an edit, as a commit would bring
                handle.write(f"An added closing line number {r} for this article, written today.\n")
            subprocess.run(["git", "add", str(target)], cwd=root, check=True)
            rel = target.relative_to(root).as_posix()
            seconds, done = run([dedup, "check", rel], root)
            warm.append(seconds)
            print(f"  warm one file       run {r + 1}: {seconds:7.2f} s  ({len(done.stdout.splitlines())} findings in {rel})")
        cold_m, warm_m = statistics.median(cold), statistics.median(warm)
        print(f"median cold whole-corpus check: {cold_m:.2f} s")
        print(f"median warm one-file check:     {warm_m:.3f} s")
        print(f"warm is {cold_m / warm_m:.0f}x faster; under 1 s: {'yes' if warm_m < 1 else 'NO'}")
        print(f"median clean of the same corpus: {statistics.median(clean):.2f} s; "
              f"cold check / clean = {cold_m / statistics.median(clean):.2f}")
        cache = sum(p.stat().st_size for p in root.rglob(".dedup_cache/*"))
        print(f"cache size: {cache / 1e6:.0f} MB")
        if args.warm:
            interleaved(root, dedup, rng.sample(files, args.warm), args.against)
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
