"""What a long run shows a person at a terminal: one progress bar per stage on stderr
(files done, MB of text, rate, time left), and a line for each stage that has no
count (classifying, writing the report). Nothing at all when stderr is not a
terminal: a log file gets only the summary."""
from __future__ import annotations

import sys
import time

import click


class Bars:
    """Called by the pipeline as progress(stage, done, total, chars): `total` 0 is a
    stage without a count."""

    def __init__(self, stream=None):
        self.stream = stream or sys.stderr
        self.stage = None
        self.bar = None
        self.chars = 0
        self.started = time.monotonic()

    def __call__(self, stage: str, done: int, total: int, chars: int = 0) -> None:
        if stage != self.stage:
            self._finish()
            self.stage, self.chars, self.started = stage, 0, time.monotonic()
            if total:
                self.bar = click.progressbar(length=total, label=f"dedup: {stage}", file=self.stream,
                                             show_eta=True, show_pos=True, item_show_func=self._rate, width=24)
                self.bar.__enter__()
            else:
                click.echo(f"\r\033[Kdedup: {stage}…", file=self.stream, nl=False)
        if self.bar is not None:
            self.chars += chars
            self.bar.update(done - self.bar.pos, current_item=done)

    def _rate(self, done) -> str | None:
        if done is None:
            return None
        seconds = max(time.monotonic() - self.started, 1e-6)
        text = f"{self.chars / 1e6:,.1f} MB, {self.chars / 1e6 / seconds:,.1f} MB/s" if self.chars else \
            f"{done / seconds:,.0f} files/s"
        return text

    def _finish(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None
        elif self.stage is not None:
            click.echo("\r\033[K", file=self.stream, nl=False)

    def close(self) -> None:
        """End the last stage's line, so the summary starts on a clean line."""
        self._finish()
        self.stage = None
