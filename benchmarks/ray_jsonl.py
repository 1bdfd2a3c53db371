"""Benchmark: all of SaudiNewsNet as JSONL, cleaned by the local and the Ray backend with 1
and 2 workers, interleaved; MB/s, peak RSS of the driver and of the largest worker, and a
check that every backend wrote the same bytes.

    python benchmarks/ray_jsonl.py [--repeat R] [--days D] [--keep DIR]

The corpus is read from ../shared/data/saudinewsnet/ (never copied into this repository)
and written as one JSONL file per daily archive (url, date, source, title, text), 14
outlets mixed. Skips with a message where the data is absent. Needs `pip install -e '.[ray]'`.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "saudinewsnet"
SETUPS = [("local", "1"), ("ray", "1"), ("local", "2"), ("ray", "2")]


def extract(target: Path, days: int | None) -> tuple[int, int]:
    """One JSONL file per daily archive; returns (rows, bytes of text)."""
    target.mkdir(parents=True, exist_ok=True)
    rows = size = 0
    for archive in sorted(DATA.glob("*.zip"))[:days]:
        with zipfile.ZipFile(archive) as z, open(target / f"{archive.stem}.jsonl", "w", encoding="utf-8") as out:
            for name in sorted(z.namelist()):
                for article in json.loads(z.read(name)):
                    text = f"{article.get('title') or ''}\n\n{article.get('content') or ''}\n"
                    out.write(json.dumps({"url": article.get("url"), "date": article.get("date_extracted"),
                                          "source": article.get("source"), "title": article.get("title"),
                                          "text": text}, ensure_ascii=False) + "\n")
                    rows += 1
                    size += len(text.encode("utf-8"))
    return rows, size


def _tree(root: int) -> dict[int, int]:
    """RSS in bytes of `root` and all its descendants."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(entry))
            rss[int(entry)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, IndexError, ValueError):
            continue
    out, todo = {}, [root]
    while todo:
        pid = todo.pop()
        out[pid] = rss.get(pid, 0)
        todo += children.get(pid, [])
    return out


def sampled(command: list[str], sample, every: float) -> float:
    """Run `command`, calling sample(pid, {pid: RSS bytes} of its process tree) every
    `every` seconds while it runs; its wall seconds. A failed command stops the benchmark."""
    start = time.perf_counter()
    process = subprocess.Popen(command)
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            sample(process.pid, _tree(process.pid))
            time.sleep(every)
    watcher = threading.Thread(target=watch)
    watcher.start()
    code = process.wait()
    seconds = time.perf_counter() - start
    done.set()
    watcher.join()
    if code:
        raise SystemExit(f"{' '.join(command)} failed with {code}")
    return seconds


def run(corpus: Path, out: Path, backend: str, jobs: str) -> tuple[float, float, float]:
    """(seconds, driver peak RSS MB, largest other process's peak RSS MB)."""
    cmd = [sys.executable, "-m", "dedup", "clean", str(corpus), "-o", str(out), "-q", "-j", jobs,
           "--backend", backend, "--id-field", "url"]
    peaks = {"driver": 0, "worker": 0}

    def sample(pid: int, tree: dict[int, int]) -> None:
        peaks["driver"] = max(peaks["driver"], tree.pop(pid, 0))
        peaks["worker"] = max([peaks["worker"], *tree.values()])
    seconds = sampled(cmd, sample, 0.5)
    return seconds, peaks["driver"] / 2**20, peaks["worker"] / 2**20


def fingerprint(out: Path) -> dict[str, bytes]:
    files = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    report = json.loads(files.pop("report.json"))
    report.pop("output")
    files.pop("report.html")
    files["report.json"] = json.dumps(report, sort_keys=True).encode()
    return files


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--days", type=int, default=None)
    parser.add_argument("--keep", default=None, help="lay the JSONL corpus out in DIR and keep it")
    args = parser.parse_args()
    if not DATA.is_dir() or not any(DATA.glob("*.zip")):
        print(f"skipped: SaudiNewsNet not found at {DATA}")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(args.keep) if args.keep else Path(tmp) / "corpus"
        rows, size = extract(corpus, args.days)
        print(f"corpus: {rows:,} rows in {len(list(corpus.glob('*.jsonl')))} JSONL files, {size / 1e6:.1f} MB of text")
        first = sorted(corpus.glob("*.jsonl"))[0]   # warm-up: numba's cache, Ray's first start
        for backend, _ in SETUPS[:2]:
            run(first, Path(tmp) / "warm-up", backend, "1")
        results: dict[tuple, list] = {s: [] for s in SETUPS}
        prints = {}
        for _ in range(args.repeat):
            for backend, jobs in SETUPS:   # interleaved: the machine's noise spreads over all of them
                out = Path(tmp) / f"out-{backend}-{jobs}"
                results[(backend, jobs)].append(run(corpus, out, backend, jobs))
                prints[(backend, jobs)] = fingerprint(out)
        same = all(p == prints[SETUPS[0]] for p in prints.values())
        base = statistics.median(r[0] for r in results[("local", "1")])
        print("| backend | workers | wall (median) | MB/s | vs local -j 1 | driver peak RSS | largest worker RSS |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        for (backend, jobs), runs in results.items():
            wall = statistics.median(r[0] for r in runs)
            print(f"| {backend} | {jobs} | {wall:.1f} s | {size / 1e6 / wall:.2f} | {base / wall:.2f}× | "
                  f"{max(r[1] for r in runs):.0f} MB | {max(r[2] for r in runs):.0f} MB |")
        print("runs: " + "; ".join(f"{b} -j {j}: " + ", ".join(f"{r[0]:.1f}" for r in rs) for (b, j), rs in results.items()))
        print("outputs and reports identical across backends and worker counts:", same)
        return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
