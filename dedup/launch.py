"""The `dedup` command's entry point. Its handling of Ctrl-C and SIGTERM is in place
before Python loads the rest of dedup (a third of a second, numpy and click among it),
so a signal at any moment ends the command as one line, never a traceback."""
from __future__ import annotations

from . import signals


def main() -> None:
    signals.outside_commands()
    from .cli import main as command
    try:
        command()
    finally:
        signals.ignore()   # the command is over (and Python, shutting down, would put its own handlers back)
