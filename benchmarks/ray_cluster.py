"""Benchmark: `dedup clean --backend ray` on a real two-node Ray cluster started on this
machine (`ray start --head` and a second `ray start --address`, one CPU and a temp dir
each), at several sizes of the near-copy corpus; the wall time and the peak RSS of each
kind of process, sampled from /proc: the driver, the largest batch worker (ray::_Worker)
and the corpus-wide step (ray::_OnCluster).

    python benchmarks/ray_cluster.py --megabytes 250,1000,2000 [--keep DIR]

The corpus is big_jsonl.py's (SaudiNewsNet repeated with changes, read from
../shared/data/saudinewsnet/; skips with a message where it is absent). Needs
`pip install -e '.[ray]'`. At the end it stops the cluster with `ray stop --force`, which
stops every Ray process of this user on the machine: run it where no other cluster is.
"""
from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import big_jsonl

RAY = Path(sys.executable).with_name("ray")
ENV = {**os.environ, "RAY_AUTH_MODE": "disabled", "RAY_USAGE_STATS_ENABLED": "0"}   # a throwaway local cluster
ROLES = {b"ray::_Worker": "worker", b"ray::_OnCluster": "corpus-wide step"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _rss_mib(pid: str) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS"):
                return int(line.split()[1]) / 1024
    return 0.0


def _sample(driver: int, peaks: dict, stop: threading.Event) -> None:
    """The peak RSS of the driver and of each role's largest process, every 0.1 s."""
    while not stop.is_set():
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                if int(entry) == driver:
                    role = "driver"
                else:
                    with open(f"/proc/{entry}/cmdline", "rb") as handle:
                        name = handle.read().split(b"\0")[0]
                    role = next((r for prefix, r in ROLES.items() if name.startswith(prefix)), None)   # ".run" while busy
                if role:
                    peaks[role] = max(peaks.get(role, 0.0), _rss_mib(entry))
            except OSError:
                pass
        stop.wait(0.1)


def run(corpus: Path, out: Path, address: str) -> tuple[float, dict]:
    shutil.rmtree(out, ignore_errors=True)
    start = time.monotonic()
    process = subprocess.Popen([sys.executable, "-m", "dedup", "clean", str(corpus), "-o", str(out), "-q",
                                "--backend", "ray", "--address", address, "-j", "2"], env=ENV)
    peaks: dict = {}
    stop = threading.Event()
    sampler = threading.Thread(target=_sample, args=(process.pid, peaks, stop), daemon=True)
    sampler.start()
    code = process.wait()
    stop.set()
    sampler.join()
    if code:
        raise SystemExit(f"dedup exited with {code}")
    return time.monotonic() - start, peaks


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", default="250,1000,2000", help="corpus sizes, comma-separated")
    parser.add_argument("--keep", default=None, help="keep the corpora in DIR")
    args = parser.parse_args()
    if not big_jsonl.DATA.exists():
        print(f"skipped: {big_jsonl.DATA} is absent")
        return 0
    work = Path(args.keep or tempfile.mkdtemp(prefix="dedup-ray-cluster-"))
    work.mkdir(parents=True, exist_ok=True)
    temp = Path(tempfile.mkdtemp(prefix="ray", dir="/tmp"))   # short: a socket's path has at most 107 bytes
    address = f"127.0.0.1:{_free_port()}"
    try:
        subprocess.run([str(RAY), "start", "--head", "--port", address.split(":")[1], "--num-cpus", "1",
                        "--include-dashboard", "false", "--temp-dir", str(temp / "head"), "--disable-usage-stats"],
                       env=ENV, check=True, capture_output=True)
        subprocess.run([str(RAY), "start", "--address", address, "--num-cpus", "1", "--temp-dir", str(temp / "node")],
                       env=ENV, check=True, capture_output=True)
        print("| input | records | wall | MB/s | driver | largest worker | corpus-wide step |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        for megabytes in [int(m) for m in args.megabytes.split(",")]:
            corpus = work / f"{megabytes}m.jsonl"
            records = big_jsonl.build(corpus, megabytes)[0] if not corpus.exists() else sum(1 for _ in open(corpus))
            wall, peaks = run(corpus, work / f"out-{megabytes}", address)
            print(f"| {megabytes} MB | {records:,} | {wall:.1f} s | {megabytes / wall:.1f} | "
                  f"{peaks.get('driver', 0):.0f} MiB | {peaks.get('worker', 0):.0f} MiB | "
                  f"{peaks.get('corpus-wide step', 0):.0f} MiB |", flush=True)
    finally:
        subprocess.run([str(RAY), "stop", "--force"], env=ENV, capture_output=True)
        shutil.rmtree(temp, ignore_errors=True)
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
