from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
HINDI = SEEDS / "002_3ad8789db8de2740.txt"
URDU = SEEDS / "000_5fdcb9c48dad7940.txt"


@pytest.fixture
def write_corpus(tmp_path):
    """Write {relative path: text or bytes} under tmp_path/corpus and return the folder."""
    def write(files: dict, folder: str = "corpus") -> Path:
        root = tmp_path / folder
        for name, content in files.items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_bytes(content.encode("utf-8"))
        root.mkdir(parents=True, exist_ok=True)
        return root
    return write


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true",
                     help="Rewrite tests/golden/expected-report.json from today's code (then read its diff).")


def content_shingles(sk, settings):
    """The reference union of a sketch's content lines' shingles (what whole documents
    are compared by), one line at a time."""
    import numpy as np
    from dedup.sketch import content_lines
    sets = [sk.shingles.span(int(p), int(p) + 1) for p in content_lines(sk, settings)]
    return np.unique(np.concatenate(sets)).astype(np.uint32) if sets else np.empty(0, np.uint32)
