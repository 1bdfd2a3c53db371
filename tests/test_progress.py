"""Progress lines fit the terminal. A line as wide as the screen wraps, and then every
redraw starts a new row: a screenful of bars scrolls by. So every line drawn must be at
most cols - 1 characters wide, at any width, read from the real terminal (a pty)."""
import fcntl
import os
import pty
import re
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest

import dedup
from dedup.progress import ERASE, Bars, terminal_width

from .conftest import HINDI, URDU

ESCAPE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def set_size(fd: int, cols: int, rows: int = 24) -> None:
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))


def drawn(shown: str) -> list[str]:
    """Each piece of text drawn from the start of a line: split where the cursor goes
    back (\\r), down (\\n) or the line is erased."""
    return [ESCAPE.sub("", piece) for piece in re.split(r"\r|\n|\x1b\[K", shown)]


def screen(shown: str, cols: int) -> list[str]:
    """The rows a terminal `cols` wide ends up with after `shown`: enough of one to see
    a line that wraps (autowrap: the character after the last column goes to a new row)."""
    rows, col = [""], 0
    for token in re.findall(r"\x1b\[[0-9;?]*[A-Za-z]|.", shown, re.S):
        if token == "\r":
            col = 0
        elif token == "\n":
            rows.append("")
            col = 0
        elif token == "\x1b[K":
            rows[-1] = rows[-1][:col]
        elif not token.startswith("\x1b"):
            if col == cols:
                rows.append("")
                col = 0
            rows[-1] = rows[-1][:col] + token + rows[-1][col + 1:]
            col += 1
    return rows


# --- a real run on a terminal ---------------------------------------------------------

@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """70 files in 3 site folders, each a seed file five times: 2.8 MB, read in 3 batches
    (so the read stage has a rate to show)."""
    root = tmp_path_factory.mktemp("progress") / "corpus"
    for i in range(70):
        (root / f"site{i % 3}").mkdir(parents=True, exist_ok=True)
        (root / f"site{i % 3}" / f"{i:03d}.txt").write_bytes((HINDI if i % 2 else URDU).read_bytes() * 5)
    return root


def run_on_terminal(corpus: Path, out: Path, cols: int, term: str = "xterm") -> str:
    """stderr of `dedup clean` on a pty `cols` wide, up to the summary."""
    leader, follower = pty.openpty()
    set_size(follower, cols)
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")} | {"TERM": term}
    command = [sys.executable, "-m", "dedup", "clean", str(corpus), "-o", str(out), "-j", "1"]
    proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=follower, env=env)
    os.close(follower)
    seen = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:   # EIO: the other side closed
            break
        if not chunk:
            break
        seen += chunk
    os.close(leader)
    assert proc.wait() == 0
    shown = seen.decode("utf-8")
    summary = f"dedup {dedup.__version__}: 70 documents"
    assert summary in shown
    return shown[:shown.index(summary)]


@pytest.mark.parametrize("cols", [80, 40])
def test_a_run_on_a_terminal_draws_lines_that_fit(corpus, tmp_path, cols):
    shown = run_on_terminal(corpus, tmp_path / "out", cols)
    assert max(len(piece) for piece in drawn(shown)) <= cols - 1
    rows = screen(shown, cols)
    assert len(rows) == 3 and rows[2] == ""   # a kept line per counted stage; no row more
    assert rows[0].startswith("dedup: read") and rows[1].startswith("dedup: write")
    assert "70/70" in rows[0] and "70/70" in rows[1]
    if cols == 80:
        assert "[" + "#" * 10 in rows[0] and "MB/s" in rows[0] and "MB/s" in rows[1]
        assert "dedup: classifying 70 documents…" in drawn(shown)
        assert "dedup: writing the report and the review page…" in drawn(shown)


def test_a_dumb_terminal_gets_no_progress_and_no_escapes(corpus, tmp_path):
    """Emacs's shell says TERM=dumb, and would show the escapes as they are."""
    shown = run_on_terminal(corpus, tmp_path / "out", 80, term="dumb")
    assert shown == "" and "\033" not in shown


# --- Bars on a terminal of a width the test sets ----------------------------------------

class Terminal:
    """A stream to a pty whose size is set here; what is written is kept, not sent."""

    def __init__(self, cols: int):
        self.leader, self.follower = pty.openpty()
        self.resize(cols)
        self.written: list[str] = []

    def resize(self, cols: int) -> None:
        set_size(self.follower, cols)

    def fileno(self) -> int:
        return self.follower

    def write(self, text: str) -> None:
        self.written.append(text)

    def flush(self) -> None:
        pass

    def take(self) -> str:
        text, self.written = "".join(self.written), []
        return text

    def close(self) -> None:
        os.close(self.leader)
        os.close(self.follower)


@pytest.fixture
def terminal():
    made = []

    def make(cols: int) -> Terminal:
        made.append(Terminal(cols))
        return made[-1]
    yield make
    for t in made:
        t.close()


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def a_run(bars: Bars, clock: Clock, files: int = 30_676) -> None:
    """The calls of a corpus read at 5 files and 12,000 characters a step of 0.05 s."""
    for done in range(0, files + 1, 5):
        bars("read", min(done + 5, files), files, 12_000)
        clock.now += 0.05
    bars(f"classifying {files:,} documents", 0, 0, 0)
    clock.now += 3
    bars("write", files, files, 0)
    bars("writing the report and the review page", 0, 0, 0)
    bars.close()


@pytest.mark.parametrize("cols", [200, 80, 40, 20, 10])
def test_every_line_fits_the_width(terminal, cols):
    clock = Clock()
    t = terminal(cols)
    a_run(Bars(t, clock), clock, files=2000)
    shown = t.take()
    pieces = [p for p in drawn(shown) if p]
    assert pieces and max(len(p) for p in pieces) <= cols - 1
    assert len(screen(shown, cols)) == 3   # the read and write lines kept, the cursor below
    useful = "2,000/2,000" if cols > 10 else "2,000/2,…"
    assert any(useful in p for p in pieces)
    if cols >= 80:
        assert any(p.startswith("dedup: read [") and "MB/s" in p and "left" in p for p in pieces)
        assert "dedup: writing the report and the review page…" in pieces


def parts(line: str) -> dict:
    return {"bar": " [" in line, "MB": " MB," in line, "time left": " left" in line,
            "rate": "MB/s" in line, "label": line.startswith("dedup: read ")}


def test_on_a_narrower_screen_the_parts_go_in_order(terminal):
    """The same Bars, as its terminal is narrowed one column at a time: the width is read
    at each redraw, and the bar goes first, then the MB, the time left, the rate; the
    label is cut last; the count stays while it fits."""
    clock, t = Clock(), terminal(200)
    bars = Bars(t, clock)
    bars("read", 1, 30_676, 500)
    t.take()
    lines = {}
    for cols in range(200, 1, -1):
        t.resize(cols)
        clock.now += 1
        bars("read", 6880 + cols, 30_676, 2400 * 1000)
        lines[cols] = t.take().removeprefix(ERASE)
        assert len(lines[cols]) <= cols - 1 and "\n" not in lines[cols]
        bar = re.search(r" \[([#-]*)\] ", lines[cols])
        assert bar is None or 10 <= len(bar[1]) <= 30, lines[cols]
    order = ["bar", "MB", "time left", "rate", "label"]
    seen = {cols: parts(line) for cols, line in lines.items()}
    assert all(seen[200].values()) and all(seen[80].values())
    for cols, present in seen.items():
        for gone_first, gone_later in zip(order, order[1:]):
            assert not present[gone_first] or present[gone_later], (cols, lines[cols])
        if cols < 200:
            assert all(present[p] <= seen[cols + 1][p] for p in order), (cols, lines[cols])
    for part in order:   # each part goes at some width
        assert not all(seen[cols][part] for cols in seen), part
    assert lines[40] == "dedup: read 6,920/30,676 2.4 MB/s"
    assert lines[20] == "dedup… 6,900/30,676"


def test_a_stage_without_a_count_is_cut_to_fit(terminal):
    t = terminal(20)
    bars = Bars(t, Clock())
    bars("classifying 30,676 documents", 0, 0, 0)
    assert t.take() == ERASE + "dedup: classifying…"
    bars.close()
    assert t.take() == ERASE   # erased: what follows starts on a clean line


def test_redraws_are_throttled_but_the_last_state_is_drawn(terminal):
    clock, t = Clock(), terminal(80)
    bars = Bars(t, clock)
    for done in range(1, 1001):
        bars("read", done, 1000, 100)
        clock.now += 0.0005   # 1000 calls in half a second
    lines = [p for p in drawn(t.take()) if p]
    assert 5 <= len(lines) <= 7 and "1,000/1,000" in lines[-1]
    bars("write", 1, 10, 100)
    clock.now += 0.01
    bars("write", 5, 10, 100)   # held back: too soon after the last redraw
    assert "5/10" not in t.take()
    bars.close()
    assert t.take().endswith("5/10 0.0 MB, 0.0 MB/s 0:00 left\n")   # drawn before the line ends


def test_close_ends_the_line_once(terminal):
    t = terminal(80)
    bars = Bars(t, Clock())
    bars.close()
    assert t.take() == ""
    bars("read", 1, 2, 0)
    bars.close()
    bars.close()
    assert t.take() == ERASE + "dedup: read [###############---------------] 1/2\n"


def test_the_width_falls_back_to_columns_then_80(terminal, monkeypatch):
    import io
    monkeypatch.setenv("COLUMNS", "33")
    assert terminal_width(io.StringIO()) == 33
    unsized = terminal(0)   # a terminal never given a size reports 0 columns
    assert terminal_width(unsized) == 33
    assert terminal_width(terminal(50)) == 50
    monkeypatch.delenv("COLUMNS")
    assert terminal_width(io.StringIO()) == 80 and terminal_width(unsized) == 80
    monkeypatch.setenv("COLUMNS", "wide")
    assert terminal_width(io.StringIO()) == 80
