"""Settings: defaults in code, then setup.cfg [dedup], then pyproject.toml [tool.dedup],
then the command line, each overriding the one before."""
from __future__ import annotations

import configparser
import dataclasses
import functools
import numbers
import os
import re
import tomllib
from dataclasses import dataclass, fields
from functools import lru_cache
from pathlib import Path

from .errors import DedupError


class ConfigError(DedupError, ValueError):
    """A setting that is unknown, of the wrong type or out of range."""


# integrate_bands() of the default settings, worked out ahead: it costs every start of
# a git hook 30 ms. tests/test_config.py works it out again.
_DEFAULT_BANDS = {(0.8, 128): (16, 8)}


MAX_PERM = 1024   # past this a signature costs more than the text it stands for, and picking bands minutes


@lru_cache(maxsize=None)
def optimal_bands(threshold: float, num_perm: int) -> tuple[int, int]:
    return _DEFAULT_BANDS.get((threshold, num_perm)) or integrate_bands(threshold, num_perm)


def integrate_bands(threshold: float, num_perm: int) -> tuple[int, int]:
    """datasketch's optimal (bands, rows) for a threshold, weighted 0.05 false
    positives / 0.95 false negatives, integrated with numpy: datasketch's own
    `_optimal_param` needs scipy, whose import alone costs a git hook 0.9 s.
    tests/test_config.py checks both agree."""
    import numpy as np
    below = np.linspace(0.0, threshold, 2001)
    above = np.linspace(threshold, 1.0, 2001)
    best, choice = float("inf"), (0, 0)
    for b in range(1, num_perm + 1):
        for r in range(1, num_perm // b + 1):
            fp = np.trapezoid(1 - (1 - below ** r) ** b, below)
            fn = np.trapezoid((1 - above ** r) ** b, above)
            error = 0.05 * fp + 0.95 * fn
            if error < best:
                best, choice = error, (b, r)
    return choice


@dataclass(frozen=True)
class Settings:
    """Every setting of a run, by the names the config files use; validated when made.

    `Settings(threshold=0.9)`, `Settings.from_files(".")` (setup.cfg, then
    pyproject.toml), `settings.replace(min_docs=3)`. Raises ConfigError."""
    shingle_size: int = 5            # words per shingle
    num_perm: int = 128              # MinHash permutations
    seed: int = 1                    # MinHash seed (datasketch's `seed`)
    threshold: float = 0.8           # near-duplicate Jaccard similarity
    bands: int = 0                   # LSH bands x rows; 0 = chosen for the threshold
    rows: int = 0
    min_docs: int = 4                # a short line or teaser prefix in this many documents is boilerplate
    boilerplate_words: int = 12      # "short": lines of at most this many words can be frequent boilerplate
    teaser_words: int = 30           # teaser lines ("<prefix>: <headline>") have at most this many words
    repeat_count: int = 3            # a short line this often in one document is boilerplate
    page_junk_lines: int = 4         # a run of this many bare short lines at a page's head or tail is junk; 0: off
    min_duplicate_words: int = 5     # shorter lines are duplicates only inside a repeated passage
    include: tuple[str, ...] = ("*.txt", "*.md", "*.jsonl", "*.jsonl.gz", "*.jsonl.zst", "*.parquet")
    exclude: tuple[str, ...] = ()
    lexicons: tuple[str, ...] = ()   # the user's own lexicon files, added to the shipped ones
    decode_errors: str = "skip"      # skip the file, or keep: clean the text, keep the bad bytes as they were
    max_line_chars: int = 1_000_000  # longer lines are kept unexamined
    corpus: str = "."                # corpus root for `dedup check`
    format: str = "auto"             # of every input file: auto (by name), text, jsonl or parquet
    text_field: str = "text"         # JSONL/Parquet: the field that holds a record's text
    id_field: str = ""               # JSONL/Parquet: the field that names a record ("": file and row)
    source: str = "auto"             # what one site is, for learned boilerplate: auto, folder, none, field:NAME
    keep: str = "first"              # which copy of a duplicate stays: first (path order), longest, sources
    keep_sources: tuple[str, ...] = ()   # keep = sources: the sources whose copies stay, best first
    verdicts: str = ""               # a verdicts.json exported from the review page: removals judged wrong stay

    def __post_init__(self) -> None:
        for f in fields(self):
            object.__setattr__(self, f.name, _typed(f.name, f.type, getattr(self, f.name)))
        checks = [
            (self.shingle_size >= 1, "shingle_size must be at least 1"),
            (0 <= self.seed < 1 << 32, "seed must be from 0 to 4294967295 (a 32-bit MinHash seed)"),
            (self.num_perm >= 2, "num_perm must be at least 2"),
            (self.num_perm <= MAX_PERM, f"num_perm must be at most {MAX_PERM} (4 bytes a permutation in each "
                                        "document's signature; 128 to 256 is usual)"),
            (0.0 < self.threshold <= 1.0, "threshold must be in (0, 1]"),
            (self.bands >= 0 and self.rows >= 0, "bands and rows must not be negative"),
            ((self.bands == 0) == (self.rows == 0), "bands and rows go together: set both, or neither (0: chosen "
                                                    "for the threshold)"),
            (self.bands * self.rows <= self.num_perm, "bands x rows must not exceed num_perm"),
            (self.min_docs >= 2, "min_docs must be at least 2"),
            (self.repeat_count >= 2, "repeat_count must be at least 2"),
            (self.page_junk_lines == 0 or self.page_junk_lines >= 2, "page_junk_lines must be 0 (off) or at least 2"),
            (self.decode_errors in ("skip", "keep"), "decode_errors must be skip or keep"),
            (self.max_line_chars >= 1, "max_line_chars must be positive"),
            (self.format in ("auto", "text", "jsonl", "parquet"), "format must be auto, text, jsonl or parquet"),
            (bool(self.text_field), "text_field must not be empty"),
            (self.keep in ("first", "longest", "sources"), "keep must be first, longest or sources"),
            (self.keep != "sources" or bool(self.keep_sources), "keep = sources needs keep_sources"),
            (self.source in ("auto", "folder", "url", "none") or (self.source.startswith("field:") and len(self.source) > 6),
             "source must be auto, folder, url, none or field:NAME"),
        ]
        for ok, message in checks:
            if not ok:
                raise ConfigError(message)
        for name in ("include", "exclude"):
            joined = next((glob for glob in getattr(self, name) if len(_GLOB_WORDS.findall(glob)) > 1), None)
            if joined is not None:
                raise ConfigError(f"{name} holds {joined!r}, one glob with a space in it: separate globs with commas "
                                  "(or give a list)")

    @classmethod
    def from_files(cls, directory: str | Path = ".") -> "Settings":
        """The defaults, then `[dedup]` in DIRECTORY/setup.cfg, then `[tool.dedup]` in
        DIRECTORY/pyproject.toml, as the command line reads them there: the paths they
        hold (corpus, verdicts, lexicons; the corpus is DIRECTORY by default) are taken
        from DIRECTORY, as they are when dedup runs in it."""
        if not isinstance(directory, (str, os.PathLike)):
            raise ConfigError(f"the folder to read settings from must be a path, not {directory!r}")
        if not os.path.isdir(directory):
            raise ConfigError(f"{os.fspath(directory)}: not a folder (give the folder that holds setup.cfg "
                              "or pyproject.toml)")
        settings = load(Path(directory))
        there = lambda path: os.path.normpath(os.path.join(directory, path)) if path else path
        return settings.replace(corpus=there(settings.corpus), verdicts=there(settings.verdicts),
                                lexicons=tuple(map(there, settings.lexicons)))

    def replace(self, **changes) -> "Settings":
        """A copy with these settings changed (validated as when made)."""
        unknown = sorted(set(changes) - set(_FIELDS))
        if unknown:
            raise ConfigError(f"unknown setting {unknown[0]!r}")
        return dataclasses.replace(self, **changes)

    @property
    def lsh_params(self) -> tuple[int, int]:
        """(bands, rows): explicit, or datasketch's optimum weighted toward recall,
        since every candidate is verified by its exact similarity anyway."""
        if self.bands and self.rows:
            return self.bands, self.rows
        return optimal_bands(self.threshold, self.num_perm)

    def public(self) -> dict:
        """The settings as recorded in a report."""
        out = dataclasses.asdict(self)
        out["bands"], out["rows"] = self.lsh_params
        return {k: list(v) if isinstance(v, tuple) else v for k, v in out.items()}


_FIELDS = {f.name: f for f in fields(Settings)}
_GLOB_WORDS = re.compile(r"\S*[*?[]\S*")   # a glob's words: "*.txt *.md" is two globs written as one


def _checked_init(init):
    """Settings' own __init__, which names a misspelt setting as a ConfigError (a
    dataclass's TypeError says "unexpected keyword argument")."""
    @functools.wraps(init)
    def checked(self, *args, **changes):
        unknown = sorted(set(changes) - set(_FIELDS))
        if unknown:
            raise ConfigError(f"unknown setting {unknown[0]!r}")
        init(self, *args, **changes)
    return checked


Settings.__init__ = _checked_init(Settings.__init__)


def _typed(name: str, kind: str, value):
    """`value` as the field's type: a tuple of strings from a list or tuple of strings
    or paths (or one of them), a string from a path, an int from any integer, a float
    from any real number; a bool, or anything else of the wrong type, is refused."""
    if kind.startswith("tuple"):
        items = (value,) if isinstance(value, (str, os.PathLike)) else value
        if isinstance(items, (list, tuple)) and all(isinstance(v, (str, os.PathLike)) for v in items):
            return tuple(os.fspath(v) for v in items)
        raise ConfigError(f"{name} must be a list of strings, not {value!r}")
    wanted = {"int": numbers.Integral, "float": numbers.Real, "str": (str, os.PathLike)}[kind]
    if not isinstance(value, wanted) or isinstance(value, bool):
        raise ConfigError(f"{name} must be {'an' if kind == 'int' else 'a'} {kind}, not {value!r}")
    return os.fspath(value) if kind == "str" else int(value) if kind == "int" else float(value)


def _convert(name: str, value, source: str):
    """A setting as a file or the command line gives it (a string, or TOML's own types),
    as its field's type; a value of another type (a list for a string, 2.7 for an
    integer, inf) is refused, never made into something else."""
    kind = _FIELDS[name].type
    try:
        if kind.startswith("tuple"):
            if isinstance(value, str):
                value = [v for part in value.splitlines() for v in part.split(",")]
            if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
                raise TypeError
            return tuple(v.strip() for v in value if v.strip())
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise TypeError
        if kind == "int":
            number = float(value) if isinstance(value, float) else int(value)
            if isinstance(number, float) and not number.is_integer():
                raise ValueError
            return int(number)
        if kind == "float":
            return float(value)
        if not isinstance(value, str):
            raise TypeError
        return value.strip()
    except (TypeError, ValueError, OverflowError):
        raise ConfigError(f"{source}: {name} = {value!r} is not a valid {kind}") from None


def _changes(values: dict, source: str) -> dict:
    """One layer's settings, each name known and its value of the right type (what the
    values must be together is checked once all layers are in: `combined`)."""
    changes = {}
    for raw_name, value in values.items():
        name = raw_name.replace("-", "_")
        if name not in _FIELDS:
            raise ConfigError(f"{source}: unknown setting {raw_name!r}")
        changes[name] = _convert(name, value, source)
    return changes


def combined(layers: list[tuple[str, dict]]) -> Settings:
    """The defaults, then each layer (its source, its settings) over the ones before; a
    rule that values break together names the layers that set any."""
    changes, named = {}, []
    for source, values in layers:
        layer = _changes(values, source)
        if layer:
            changes.update(layer)
            named.append(source)
    try:
        return Settings(**changes)
    except ConfigError as err:
        raise ConfigError(f"{' + '.join(named)}: {err}") from None


def from_mapping(values: dict, source: str, base: Settings | None = None) -> Settings:
    """`base` (default: the defaults) with these settings over it."""
    changes = _changes(values, source)
    try:
        return dataclasses.replace(base or Settings(), **changes)
    except ConfigError as err:
        raise ConfigError(f"{source}: {err}") from None


def layers(directory: Path = Path(".")) -> list[tuple[str, dict]]:
    """The settings files of `directory`, in the order they apply: setup.cfg [dedup], then
    pyproject.toml [tool.dedup]."""
    out = []
    setup_cfg = directory / "setup.cfg"
    if setup_cfg.is_file():
        parser = configparser.ConfigParser(interpolation=None)
        try:
            parser.read(setup_cfg, encoding="utf-8")
        except (configparser.Error, UnicodeDecodeError) as err:
            raise ConfigError(f"{setup_cfg}: {str(err).splitlines()[0]}") from None
        if parser.has_section("dedup"):
            out.append((str(setup_cfg), dict(parser["dedup"])))
    pyproject = directory / "pyproject.toml"
    if pyproject.is_file():
        try:
            tool = tomllib.loads(pyproject.read_text("utf-8")).get("tool", {})
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
            raise ConfigError(f"{pyproject}: {err}") from None
        except RecursionError:
            raise ConfigError(f"{pyproject}: nested too deeply to read") from None
        table = tool.get("dedup") if isinstance(tool, dict) else None   # (a `tool` that is no table holds none)
        if table is not None and not isinstance(table, dict):
            raise ConfigError(f"{pyproject}: [tool.dedup] must be a table of settings, not {type(table).__name__} "
                              f"{table!r}"[:200])
        if table:
            out.append((str(pyproject), table))
    return out


def load(directory: Path = Path(".")) -> Settings:
    """Settings from `directory`: defaults, then setup.cfg [dedup], then pyproject.toml
    [tool.dedup] (each overrides the one before; the command line comes last)."""
    return combined(layers(directory))
