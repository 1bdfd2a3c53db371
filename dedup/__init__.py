"""dedup: find duplicated and boilerplate text in multilingual corpora and write the corpus back clean.

    import dedup
    report = dedup.clean("corpus/", "out/")            # a Report: report.json as values
    report = dedup.load_report("out/report.json")
    dedup.restore(report, to="originals/")

The names below are the public API (documented in docs/api.md); they load on first use,
so that `import dedup` costs a git hook nothing.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

__version__ = "0.1.0"

_PUBLIC = {
    "clean": "api", "load_report": "api", "restore": "api", "check": "api",
    "Report": "api", "Document": "api", "Removal": "api", "Kept": "api", "Summary": "api", "Tally": "api", "Skipped": "api",
    "Place": "api", "CopyEvidence": "api", "PatternEvidence": "api", "LearnedEvidence": "api",
    "RepeatEvidence": "api", "PageEvidence": "api", "Evidence": "api", "Restored": "commands.restore", "CheckResult": "api", "Problem": "commands.check",
    "FileError": "errors", "ReportError": "report", "ConfigError": "config", "Progress": "progress",
    "Settings": "config", "DedupError": "errors", "Interrupted": "signals", "interrupts": "signals",
}
__all__ = ["__version__", *_PUBLIC]

if TYPE_CHECKING:
    from .api import (CheckResult, CopyEvidence, Document, Evidence, Kept, LearnedEvidence, PageEvidence,
                      PatternEvidence, Place, Removal, RepeatEvidence, Report, Skipped, Summary, Tally, check, clean,
                      load_report, restore)
    from .commands.check import Problem
    from .commands.restore import Restored
    from .config import ConfigError, Settings
    from .errors import DedupError, FileError
    from .report import ReportError
    from .progress import Progress
    from .signals import Interrupted, interrupts


def __getattr__(name: str):
    if name not in _PUBLIC:
        raise AttributeError(f"module 'dedup' has no attribute {name!r}")
    import importlib
    value = getattr(importlib.import_module(f".{_PUBLIC[name]}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
