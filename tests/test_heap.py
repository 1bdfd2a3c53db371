"""heap.release gives the pages of freed arrays back to the system (in a process of its own)."""
import subprocess
import sys

import pytest

SCRIPT = r"""
import numpy as np
from dedup import heap

def rss():
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS")) // 1024

big = np.ones(16 << 20, np.uint8); del big        # glibc now puts arrays below 16 MB in its heap
pieces = [np.ones(1 << 20, np.uint8) for _ in range(300)]
held = rss()
del pieces[::2]                                    # holes between arrays still held: no top to shrink
freed = rss()
heap.release()
print(held, freed, rss())
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's heap")
def test_release_returns_the_pages_of_arrays_freed_inside_the_heap():
    held, freed, released = map(int, subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                                                    check=True).stdout.split())
    assert freed > held - 50, "freed arrays in the heap stay in the RSS until released"
    assert released < freed - 100
