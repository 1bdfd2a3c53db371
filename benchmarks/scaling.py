"""Benchmark: does `dedup clean` stay flat as the corpus grows? Time per MB and peak
RSS per content line at about 25, 50, 100 and 200 MB of real Arabic news.

    pip install -r benchmarks/requirements.txt
    python benchmarks/scaling.py [--jobs 1] [--out benchmarks/scaling] [--sizes 25,50,100,200]
    python benchmarks/scaling.py --layout jsonl --sizes 250,500,1000,2000 --out benchmarks/scaling-jsonl

Corpora come from ../shared/data/saudinewsnet/ (its license forbids copying it here).
As text files: the first days of it up to each size, and for 200 MB all of it twice, the
second copy with one word changed in every tenth line so that it is not an exact copy;
each run is one process pinned to one core (taskset) when --jobs is 1, and its peak
RSS is the largest process's. As one JSONL file: big_jsonl.py's corpus of near copies,
and the peak RSS of all the run's processes together. Writes OUT.json and OUT.png
(seconds per MB and RSS per line against corpus size). Skips where the data is absent.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "saudinewsnet"


def articles():
    """(source, name, text) of every article, in the archive's order."""
    for archive in sorted(DATA.glob("*.zip")):
        with zipfile.ZipFile(archive) as z:
            for name in sorted(z.namelist()):
                for n, article in enumerate(json.loads(z.read(name))):
                    text = f"{article.get('title') or ''}\n\n{article.get('content') or ''}\n"
                    yield article.get("source") or "unknown", f"{Path(name).stem}-{n:05d}", text


def edited(text: str, salt: str) -> str:
    """One word changed in every tenth line."""
    lines = text.split("\n")
    for i in range(0, len(lines), 10):
        words = lines[i].split(" ")
        if len(words) > 1:
            words[len(words) // 2] = f"{words[len(words) // 2]}{salt}"
            lines[i] = " ".join(words)
    return "\n".join(lines)


def build(target: Path, megabytes: float) -> tuple[int, int, int]:
    """Write a corpus of about `megabytes` MB; return (files, bytes, content lines)."""
    files = size = lines = 0
    copies = 2 if megabytes > 150 else 1
    for copy in range(copies):
        for source, name, text in articles():
            if copies == 1 and size >= megabytes * 1e6:
                return files, size, lines
            if copy:
                text = edited(text, "ـ2")
            data = text.encode("utf-8")
            folder = target / f"copy{copy}" / source
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{name}.txt").write_bytes(data)
            files, size = files + 1, size + len(data)
            lines += sum(1 for line in text.split("\n") if line.strip())
    return files, size, lines


def run(corpus: Path, out: Path, jobs: int) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB, the largest process) of one clean."""
    pin = ["taskset", "-c", "0"] if jobs == 1 and shutil.which("taskset") else []
    command = pin + [sys.executable, "-m", "dedup", "clean", str(corpus), "-o", str(out), "-j", str(jobs), "-q"]
    start = time.perf_counter()
    child = subprocess.Popen(command)
    _, status, usage = os.wait4(child.pid, 0)   # this child's own peak (and its workers')
    wall = time.perf_counter() - start
    if status:
        raise SystemExit(f"dedup clean failed (status {status})")
    return wall, usage.ru_maxrss / 1024


def plot(results: list[dict], target: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    mb = [r["mb"] for r in results]
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.5))
    left.plot(mb, [r["seconds_per_mb"] for r in results], "o-")
    left.set(xlabel="corpus (MB)", ylabel="seconds per MB", title="time per MB", ylim=(0, None))
    right.plot(mb, [r["rss_bytes_per_line"] for r in results], "o-", label="peak RSS / content line")
    right.plot(mb, [r["rss_growth_bytes_per_line"] for r in results], "s--", label="growth from the smallest / line")
    right.set(xlabel="corpus (MB)", ylabel="bytes", title="memory per content line", ylim=(0, None))
    right.legend(fontsize=8)
    fig.suptitle(f"dedup clean -j {results[0]['jobs']} on SaudiNewsNet as {results[0]['layout']} "
                 f"({results[0]['date']})", fontsize=10)
    fig.tight_layout()
    fig.savefig(target, dpi=110)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--sizes", default="25,50,100,200", help="MB, increasing")
    parser.add_argument("--out", default=str(Path(__file__).resolve().parent / "scaling"))
    parser.add_argument("--layout", choices=("text", "jsonl"), default="text",
                        help="text files in a folder per outlet, or one JSONL file of near copies (big_jsonl.py)")
    args = parser.parse_args()
    if args.layout == "jsonl":
        import big_jsonl
        build_corpus, run_clean, name = big_jsonl.build, big_jsonl.run, "corpus.jsonl"
    else:
        build_corpus, run_clean, name = build, run, "corpus"
    if not DATA.is_dir() or not any(DATA.glob("*.zip")):
        print(f"skipped: SaudiNewsNet not found at {DATA}")
        return 0
    results = []
    for megabytes in map(float, args.sizes.split(",")):
        with tempfile.TemporaryDirectory() as tmp:
            corpus = Path(tmp) / name
            files, size, lines = build_corpus(corpus, megabytes)
            wall, peak = run_clean(corpus, Path(tmp) / "out", args.jobs)
        results.append({"mb": round(size / 1e6, 1), "files": files, "content_lines": lines, "seconds": round(wall, 2),
                        "seconds_per_mb": round(wall / (size / 1e6), 4), "peak_rss_mb": round(peak, 1),
                        "rss_bytes_per_line": round(peak * 2**20 / lines), "jobs": args.jobs,
                        "layout": "one JSONL file of near copies" if args.layout == "jsonl" else "text files",
                        "date": time.strftime("%Y-%m-%d")})
        first = results[0]
        for r in results:
            grown = r["content_lines"] - first["content_lines"]
            r["rss_growth_bytes_per_line"] = round((r["peak_rss_mb"] - first["peak_rss_mb"]) * 2**20 / grown) if grown else 0
        print(json.dumps(results[-1]), flush=True)
    Path(args.out + ".json").write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    plot(results, Path(args.out + ".png"))
    print(f"wrote {args.out}.json and {args.out}.png")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main())
