"""What a long run shows a person at a terminal: one line per stage on stderr, redrawn
in place (files done, MB of text, rate, time left, a bar), and a line for each stage
that has no count (classifying, writing the report). The CLI makes no Bars when stderr
is not a terminal: a log file gets only the summary.

Every line is cut to the terminal's width, read again at each redraw so a resized
window is followed: a line as wide as the screen wraps, and then each redraw starts a
new row and the bars scroll by. The last column is left empty too, as some terminals
wrap there. On a narrow screen the parts go in this order: the bar, the MB read so far,
the time left, the rate; the label is shortened (with "…") last."""
from __future__ import annotations

import math
import os
import sys
import time
from typing import Callable, TextIO

Progress = Callable[[str, int, int, int], None]
"""Called as progress(stage, done, total, characters) as each batch finishes; total 0:
a stage without a count."""

REDRAW = 0.1          # seconds between redraws of a stage's line; its last state is always drawn
BAR = (10, 30)        # fewest and most cells of the bar
ERASE = "\r\033[K"    # back to the start of the line, and clear it


def terminal_width(stream: TextIO) -> int:
    """Columns of the terminal `stream` writes to; else $COLUMNS; else 80."""
    try:
        columns = os.get_terminal_size(stream.fileno()).columns
    except (AttributeError, OSError, ValueError):   # not a file, or not a terminal
        columns = 0
    if columns <= 0:   # also a terminal that was never given a size
        try:
            columns = int(os.environ.get("COLUMNS", ""))
        except ValueError:
            columns = 0
    return columns if columns > 0 else 80


def fit(text: str, room: int) -> str:
    """`text` in at most `room` characters, ending in "…" where it was cut."""
    if len(text) <= room:
        return text
    return text[:room - 1] + "…" if room > 0 else ""


def duration(seconds: float) -> str:
    """m:ss, or h:mm:ss."""
    minutes, seconds = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


def counted_line(label: str, done: int, total: int, chars: int, rate: float | None, left: float | None,
                 room: int) -> str:
    """A counted stage's line in at most `room` characters, the richest one that fits:
    label [bar] count MB, rate, time left; then without the bar, the MB, the time, the
    rate; then with the label cut. `rate` is characters a second (files when `chars` is
    0), `left` seconds; None: not known yet."""
    count = f"{done:,}/{total:,}"
    speed = "" if rate is None else f"{rate / 1e6:,.1f} MB/s" if chars else f"{rate:,.0f} files/s"
    amount = ", ".join(filter(None, [f"{chars / 1e6:,.1f} MB" if chars else "", speed]))
    when = "" if left is None else f"{duration(left)} left"
    tails = [" ".join(filter(None, parts)) for parts in ([count, amount, when], [count, speed, when], [count, speed])]
    cells = min(BAR[1], room - len(label) - len(tails[0]) - 4)   # "label [cells] tail"
    if cells >= BAR[0]:
        filled = cells * min(done, total) // total
        return f"{label} [{'#' * filled}{'-' * (cells - filled)}] {tails[0]}"
    for tail in tails:
        if len(label) + 1 + len(tail) <= room:
            return f"{label} {tail}"
    keep = room - len(count) - 1
    return f"{fit(label, keep)} {count}" if keep >= 2 else fit(count, room)


class Bars:
    """Called by the pipeline as progress(stage, done, total, chars): `total` 0 is a
    stage without a count. A finished counted stage keeps its last line; a stage
    without a count is erased by the next one. close() ends the last line.

    The first call of a stage comes after its first batch, at a time unknown here, so
    rate and time left are measured from that first call on."""

    def __init__(self, stream: TextIO | None = None, clock: Callable[[], float] = time.monotonic):
        self.stream = stream or sys.stderr
        self.clock = clock
        self.stage: str | None = None
        self.done = self.total = self.chars = 0
        self.first = (0.0, 0, 0)   # time, files and characters at the stage's first call
        self.updated = 0.0
        self.drawn = -math.inf
        self.pending = False       # an update not drawn yet, held back by REDRAW

    def __call__(self, stage: str, done: int, total: int, chars: int = 0) -> None:
        now = self.clock()
        if stage != self.stage:
            self.close()
            self.stage, self.total, self.chars, self.drawn = stage, total, chars, -math.inf
            self.first = (now, done, chars)
        else:
            self.chars += chars
        self.done, self.updated, self.pending = done, now, True
        if done >= total or now - self.drawn >= REDRAW:
            self._draw()

    def _draw(self) -> None:
        room = terminal_width(self.stream) - 1
        label = f"dedup: {self.stage}"
        if self.total:
            (since, done_then, chars_then), rate, left = self.first, None, None
            seconds, files = self.updated - since, self.done - done_then
            if seconds > 0 and files > 0:
                rate = (self.chars - chars_then if self.chars else files) / seconds
                left = seconds * (self.total - self.done) / files if self.done < self.total else None
            line = counted_line(label, self.done, self.total, self.chars, rate, left, room)
        else:
            line = fit(label + "…", room)
        self._write(ERASE + line)
        self.drawn, self.pending = self.updated, False

    def _write(self, text: str) -> None:
        self.stream.write(text)
        self.stream.flush()

    def close(self) -> None:
        """End the last stage's line, so what follows starts on a clean line."""
        if self.stage is None:
            return
        if self.pending:
            self._draw()
        self._write("\n" if self.total else ERASE)
        self.stage = None
