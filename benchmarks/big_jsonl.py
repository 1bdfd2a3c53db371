"""Benchmark: memory and time of `dedup clean` on one large JSONL corpus of near copies.

    python benchmarks/big_jsonl.py --megabytes 250,500 [--jobs 1] [--keep DIR] [--memory 512M] [--cgroup 512]

The corpus is SaudiNewsNet (read from ../shared/data/saudinewsnet/; its license forbids
copying it here) written again and again into one JSONL file until it has the size asked:
copy c changes a different word (the c-th from the middle) in every fifth line and leaves
out every tenth article (a different tenth in each copy), so the copies are near, not
exact, duplicates of each other. Each record has the article's `url`, so sources are its
sites. For each size: wall seconds, MB/s, and the peak of the RSS of all of dedup's
processes together and of the driver alone (sampled from /proc every 0.2 s), and per content line. With
--cgroup MB, dedup runs in a memory cgroup of that limit, enforced by the kernel (root; a run killed
there stops the benchmark). Skips where the data is absent.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import zipfile
from pathlib import Path

from ray_jsonl import sampled

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "saudinewsnet"


def articles() -> list[dict]:
    out = []
    for archive in sorted(DATA.glob("*.zip")):
        with zipfile.ZipFile(archive) as z:
            for name in sorted(z.namelist()):
                out.extend(json.loads(z.read(name)))
    return out


def copy_of(text: str, copy: int) -> str:
    """Copy `copy` of a text: in every fifth line a different word (per copy) changed."""
    if not copy:
        return text
    lines = text.split("\n")
    for i in range(0, len(lines), 5):
        words = lines[i].split(" ")
        if len(words) > 1:
            at = (len(words) // 2 + copy) % len(words)
            words[at] = f"{words[at]}{copy}"
            lines[i] = " ".join(words)
    return "\n".join(lines)


def build(target: Path, megabytes: float) -> tuple[int, int, int]:
    """Write the corpus up to `megabytes` MB of text; (records, bytes of text, content lines)."""
    rows = size = lines = 0
    every = articles()
    copy = 0
    with target.open("w", encoding="utf-8") as out:
        while size < megabytes * 1e6:
            for n, article in enumerate(every):
                if copy and n % 10 == copy % 10:   # a different tenth left out of each copy
                    continue
                text = copy_of(f"{article.get('title') or ''}\n\n{article.get('content') or ''}\n", copy)
                url = article.get("url") or f"https://{article.get('source') or 'unknown'}/{n}"
                out.write(json.dumps({"url": url, "source": article.get("source"), "text": text},
                                     ensure_ascii=False) + "\n")
                rows += 1
                size += len(text.encode("utf-8"))
                lines += sum(1 for line in text.split("\n") if line.strip())
                if size >= megabytes * 1e6:
                    break
            copy += 1
    return rows, size, lines


def memory_cgroup(megabytes: int) -> tuple[Path, Path]:
    """A new memory cgroup (v1 or v2; needs root) whose limit the kernel enforces (past
    it, the run is killed, whatever its RSS was sampled at): its folder, and the file a
    process joins it by."""
    for root, limit in ((Path("/sys/fs/cgroup/memory"), "memory.limit_in_bytes"), (Path("/sys/fs/cgroup"), "memory.max")):
        if (root / limit).exists() or (root / "cgroup.controllers").exists():
            group = root / f"dedup-bench-{os.getpid()}"
            group.mkdir(exist_ok=True)
            (group / limit).write_text(str(megabytes << 20))
            return group, group / "cgroup.procs"
    raise SystemExit("--cgroup needs Linux's memory cgroups (and root)")


def run(corpus: Path, out: Path, jobs: int, memory: str | None = None, cgroup: int | None = None
        ) -> tuple[float, float, float]:
    """(wall seconds, peak MB of the RSS of all of the run's processes together, and of
    the driver's alone)."""
    command = [sys.executable, "-m", "dedup", "clean", str(corpus), "-o", str(out), "-j", str(jobs), "-q"]
    command += ["--memory", memory] if memory else []
    group = None
    if cgroup:
        group, procs = memory_cgroup(cgroup)
        command = ["sh", "-c", f'echo $$ > {procs} && exec "$@"', "sh", *command]
    peak = [0, 0]

    def sample(pid: int, tree: dict[int, int]) -> None:
        peak[0] = max(peak[0], sum(tree.values()))
        peak[1] = max(peak[1], tree.get(pid, 0))
    try:
        seconds = sampled(command, sample, 0.2)
    finally:
        if group is not None:
            group.rmdir()
    return seconds, peak[0] / 2**20, peak[1] / 2**20


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", default="250,500", help="corpus sizes, comma-separated")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--keep", default=None, help="keep the corpora in DIR")
    parser.add_argument("--memory", help="dedup's --memory (e.g. 512M)")
    parser.add_argument("--cgroup", type=int, metavar="MB", help="run dedup in a memory cgroup of this limit (root)")
    args = parser.parse_args()
    if not DATA.is_dir() or not any(DATA.glob("*.zip")):
        print(f"skipped: SaudiNewsNet not found at {DATA}")
        return 0
    work = Path(args.keep or tempfile.mkdtemp(prefix="dedup-big-"))
    work.mkdir(parents=True, exist_ok=True)
    results = []
    try:
        for megabytes in (float(m) for m in args.megabytes.split(",")):
            corpus = work / f"corpus-{megabytes:g}MB.jsonl"
            rows, size, lines = build(corpus, megabytes)
            seconds, peak, driver = run(corpus, work / "out", args.jobs, args.memory, args.cgroup)
            results.append({"megabytes": size / 1e6, "records": rows, "content_lines": lines, "seconds": seconds,
                            "mb_per_s": size / 1e6 / seconds, "peak_rss_mb": peak, "driver_peak_rss_mb": driver,
                            "rss_bytes_per_line": peak * 2**20 / lines})
            print(json.dumps(results[-1]), flush=True)
            if not args.keep:
                corpus.unlink()
        if len(results) > 1:
            a, b = results[0], results[-1]
            for key, whose in (("peak_rss_mb", "all processes'"), ("driver_peak_rss_mb", "the driver's")):
                growth = (b[key] - a[key]) * 2**20 / (b["content_lines"] - a["content_lines"])
                print(f"{whose} peak RSS grows by {growth:,.0f} bytes per content line from {a['megabytes']:.0f} "
                      f"to {b['megabytes']:.0f} MB")
    finally:
        shutil.rmtree(work / "out", ignore_errors=True)
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
