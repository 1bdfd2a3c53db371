"""Benchmark: MinHash signatures of real Arabic lines, dedup's batched numpy kernel
against datasketch's own `MinHash.update_batch`, interleaved, same shingles, same values.

    python benchmarks/signatures.py [--lines N] [--repeat R]

Lines come from SaudiNewsNet (../shared/data/saudinewsnet/, never copied here);
skips with a message where the data is absent.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import zipfile
from pathlib import Path

import numpy as np
from datasketch import MinHash

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from dedup import sign  # noqa: E402
from dedup.normalize import tokens  # noqa: E402

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "saudinewsnet"


def real_lines(limit: int) -> list[str]:
    lines = []
    for archive in sorted(DATA.glob("*.zip")):
        with zipfile.ZipFile(archive) as z:
            for name in sorted(z.namelist()):
                for article in json.loads(z.read(name)):
                    lines += [ln for ln in (article.get("content") or "").splitlines() if ln.strip()]
                    if len(lines) >= limit:
                        return lines[:limit]
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    if not any(DATA.glob("*.zip")):
        print(f"skipped: SaudiNewsNet not found at {DATA}")
        return 0
    lines = real_lines(args.lines)
    shingle_sets = [sign.shingles(tokens(line), 5) for line in lines]
    count = sum(len(s) for s in shingle_sets)
    mb = sum(len(line.encode("utf-8")) for line in lines) / 1e6

    def ours():   # many shingles: the compiled kernel
        return sign.signatures(shingle_sets, 128, 1)

    def numpy_path():   # what a git hook's few files use
        return sign.signatures(shingle_sets, 128, 1, compiled=False)

    def datasketch():
        out = []
        for shingles in shingle_sets:
            m = MinHash(num_perm=128, seed=1, hashfunc=int)
            m.update_batch(shingles.tolist())
            out.append(m.hashvalues)
        return np.array(out, dtype=np.uint32)

    reference = datasketch()
    assert np.array_equal(ours(), reference) and np.array_equal(numpy_path(), reference), \
        "every method must give the same signatures"
    methods = (("dedup, compiled kernel", ours), ("dedup, numpy", numpy_path), ("datasketch update_batch", datasketch))
    times = {label: [] for label, _ in methods}
    for _ in range(args.repeat):   # interleaved, so all see the same machine noise
        for label, fn in methods:
            start = time.perf_counter()
            fn()
            times[label].append(time.perf_counter() - start)
    print(f"{len(lines)} lines, {mb:.1f} MB, {count} shingles, 128 permutations, {args.repeat} runs each")
    base = statistics.median(times["datasketch update_batch"])
    for label, runs in times.items():
        median = statistics.median(runs)
        print(f"  {label:<25} median {median * 1000:8.1f} ms  {count / median / 1e6:6.2f} M shingles/s"
              f"  {base / median:5.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
