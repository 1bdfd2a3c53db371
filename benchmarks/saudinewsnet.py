"""Benchmark: clean the real SaudiNewsNet Arabic corpus (96 MB) and print MB/s and peak RSS.

    python benchmarks/saudinewsnet.py [--jobs N] [--repeat R] [--limit DOCS] [--days D] [--keep DIR]

The corpus is read from ../shared/data/saudinewsnet/ (its license forbids copying it
into this repository) and laid out as one text file per article (title, blank line,
content) in a temporary folder. Skips with a message where the data is absent.
"""
from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "saudinewsnet"


def extract(target: Path, limit: int | None, days: int | None = None) -> tuple[int, int]:
    """Write one file per article (of the first `days` archives); return (files, bytes)."""
    files = size = 0
    for archive in sorted(DATA.glob("*.zip"))[:days]:
        with zipfile.ZipFile(archive) as z:
            for name in sorted(z.namelist()):
                for n, article in enumerate(json.loads(z.read(name))):
                    if limit is not None and files >= limit:
                        return files, size
                    text = f"{article.get('title') or ''}\n\n{article.get('content') or ''}\n"
                    folder = target / (article.get("source") or "unknown")
                    folder.mkdir(parents=True, exist_ok=True)
                    data = text.encode("utf-8")
                    (folder / f"{Path(name).stem}-{n:05d}.txt").write_bytes(data)
                    files += 1
                    size += len(data)
    return files, size


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--limit", type=int, default=None, help="only the first N articles")
    parser.add_argument("--days", type=int, default=None, help="only the first D daily archives (6: the peers' set)")
    parser.add_argument("--keep", default=None, help="lay the corpus out in DIR and keep it (for bench.sh)")
    args = parser.parse_args()
    if not DATA.is_dir() or not any(DATA.glob("*.zip")):
        print(f"skipped: SaudiNewsNet not found at {DATA}")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        corpus, out = (Path(args.keep) if args.keep else Path(tmp) / "corpus"), Path(tmp) / "out"
        files, size = extract(corpus, args.limit, args.days)
        print(f"corpus: {files} files, {size / 1e6:.1f} MB")
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "dedup", "clean", str(corpus), "-o", str(out),
                            "-j", str(args.jobs), "-q"], check=True)
            times.append(time.perf_counter() - start)
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        summary = json.loads((out / "report.json").read_text("utf-8"))["summary"]
        median = statistics.median(times)
        print(f"runs: {', '.join(f'{t:.1f}s' for t in times)}; median {median:.1f}s, "
              f"{size / 1e6 / median:.1f} MB/s, peak RSS (largest process) {peak:.0f} MB")
        print(f"removed {summary['chars_removed'] / max(summary['chars'], 1):.1%} of characters; "
              f"{summary['documents_removed']} documents removed whole; by rule: "
              + ", ".join(f"{k} {v['spans']}" for k, v in summary["by_rule"].items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
