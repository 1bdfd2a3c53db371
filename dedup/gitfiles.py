"""What git already knows about a corpus folder in a work tree, so that a warm
`dedup check` neither walks nor stats 20,000 files: git keeps their stat data in its
own index and checks it in C (50 ms here, where Python's walk and stat calls took
200), and its list of blob ids says which files changed since the last check.

Only used where git's view is the walk's, file for file: nothing untracked or ignored
that the walk would read (dot folders and dedup's outputs it never reads), no tracked
file changed in the work tree since it was staged, no symlink, submodule or unmerged
file, and blob ids that are the files' own bytes (check.py stops trusting git for an
index the first time a file's bytes are not its blob: a clean/smudge filter, line
endings). Anything else, or no git at all, and the caller walks and stats.
"""
from __future__ import annotations

import hashlib
import os
import re
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from . import corpus, output
from .corpus import Source, enters, taker

# A listing entry of a plain staged file: "H 100644 <blob id> 0\t<path>"; anything else is
# odd (a symlink, a submodule, a merge, a SHA-256 repository; S: not checked out, sparse;
# h: assumed unchanged, so git no longer looks at the work tree's copy).
_PLAIN = re.compile(r"H 100644 [0-9a-f]{40} 0\t|H 100755 [0-9a-f]{40} 0\t")
# Git variables a hook inherits that would make `git -C root` take root for the top.
_LOCATING = ("GIT_DIR", "GIT_WORK_TREE", "GIT_COMMON_DIR")


@dataclass(frozen=True)
class Listing:
    """`git ls-files --stage` of the corpus folder: what the work tree holds there."""
    root: str
    entries: tuple[str, ...]   # "tag mode blob stage\tpath", path relative to root, in git's (byte) order

    def path_of(self, rel: str) -> str:
        """A file's path as discovery shows it: under the folder as given."""
        return rel if self.shown == "." else f"{self.shown}/{rel}"

    @property
    def shown(self) -> str:
        return Path(self.root).as_posix()

    def blobs(self, rels: set[str]) -> dict[str, str]:
        """Path relative to root -> blob id, of these paths."""
        return {rel: entry[9:49] for entry in self.entries if (rel := _path(entry)) in rels}

    def changed_since(self, before: "Listing") -> tuple[set[str], set[str]]:
        """(paths added or changed, paths gone) since `before`."""
        now, then = set(self.entries), set(before.entries)
        changed = {_path(entry) for entry in now - then}
        gone = {_path(entry) for entry in then - now} - changed
        return changed, gone


def _path(entry: str) -> str:
    """The path of a listing entry: after a tag, a 6-digit mode, a 40-digit blob id and a stage."""
    return entry[52:]


def blob_id(data: bytes) -> str:
    """The id git gives these bytes as a blob (SHA-1 repositories)."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def _run(root: str, commands: list[list[str]]) -> list[list[str]] | None:
    """The NUL-separated output of each git command, run side by side; None if git
    is absent or any of them fails (not a work tree, for one)."""
    env = {k: v for k, v in os.environ.items() if k not in _LOCATING}
    try:
        running = [subprocess.Popen(["git", "-C", root, *args], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                    env=env) for args in commands]
    except OSError:
        return None
    outputs = [process.communicate()[0] for process in running]
    if any(process.returncode for process in running):
        return None
    return [[p for p in out.decode("utf-8", "surrogateescape").split("\0") if p] for out in outputs]


def _read_by_walk(root: str, rel: str, include: tuple[str, ...], exclude: tuple[str, ...]) -> bool:
    """Whether corpus.discover would read this file, or go into this folder ("name/")."""
    *folders, name = rel.split("/")
    if not all(enters(folder, exclude) for folder in folders):
        return False
    if any(output.is_output(os.path.join(root, *folders[:n])) for n in range(1, len(folders) + 1)):
        return False   # in one of dedup's outputs
    return name == "" or taker(tuple(include), tuple(exclude))(name, rel)


def listing(root: str, include: tuple[str, ...], exclude: tuple[str, ...]) -> Listing | None:
    """Git's view of the corpus folder, or None where it may not be the walk's."""
    found = _run(root, [["diff-files", "-z", "--name-only", "--relative", "--", "."],   # work tree ≠ staged
                        ["ls-files", "-z", "--others", "--directory", "--", "."],      # untracked, ignored too
                        ["ls-files", "-z", "-v", "--stage", "--", "."]])
    if found is None:
        return None
    changed, untracked, staged = found
    if any(_read_by_walk(root, rel, include, exclude) for rel in changed + untracked):
        return None
    for entry in staged:
        if not _PLAIN.match(entry) and all(enters(f, exclude) for f in entry.partition("\t")[2].split("/")[:-1]):
            return None
    return Listing(root, tuple(staged))


def members(found: Listing, include: tuple[str, ...], exclude: tuple[str, ...],
            keeps: Callable[[str], bool] = lambda name: True) -> "Listed":
    """The files of the listing that corpus.discover would find, as it would list them:
    by its rules (corpus.enters, corpus.taker, no file of dedup's outputs); of them,
    those whose name `keeps`."""
    base = str(Path(found.root))
    base = base if base.endswith(os.sep) else base + os.sep   # as os.path.join would, 20,000 times
    takes = taker(tuple(include), tuple(exclude))
    entered: dict[str, bool] = {"": not corpus.in_output(found.root)}

    def walked(folder: str) -> bool:
        if folder not in entered:
            parent, _, name = folder.rpartition("/")
            entered[folder] = walked(parent) and enters(name, exclude) and not output.is_output(base + folder)
        return entered[folder]

    rels = []
    for entry in found.entries:
        rel = _path(entry)
        folder, _, name = rel.rpartition("/")
        if (entered[folder] if folder in entered else walked(folder)) and takes(name, rel) and keeps(name):
            rels.append(rel)
    rels.sort()   # path order: every path is the folder as shown, "/", its place under it
    return Listed(found.shown, base, found.root, rels)


class Listed(corpus.Members):
    """The corpus files of git's listing, made into Sources only when asked: a warm
    hook looks up a few of 20,000 (making them all took 30 ms)."""

    def __init__(self, shown: str, base: str, root: str, rels: list[str]):
        super().__init__([])
        self.shown, self.base, self.root, self.rels = shown, base, root, rels
        self._listed: set[str] | None = None
        self._made: list[Source] | None = None

    def _source(self, rel: str) -> Source:
        return Source(rel if self.shown == "." else f"{self.shown}/{rel}", self.base + rel, rel)

    def _has(self, rel: str) -> bool:
        if self._listed is None:
            self._listed = set(self.rels)
        return rel in self._listed

    def __iter__(self):
        if self._made is None:
            self._made = [self._source(rel) for rel in self.rels]
        return iter(self._made)

    def __len__(self) -> int:
        return len(self.rels)

    def get(self, path: str) -> Source | None:
        rel = path if self.shown == "." else path.removeprefix(self.shown + "/") if path.startswith(self.shown + "/") \
            else None
        return self._source(rel) if rel is not None and self._has(rel) else None

    def under(self, prefix: str) -> list[Source]:
        return [self._source(rel) for rel in self.rels if rel.startswith(prefix)]

    def placed(self, relpaths: set[str]) -> list[Source]:
        return [self._source(rel) for rel in sorted(relpaths) if self._has(rel)]

    def folder_sizes(self) -> dict[str, int]:
        """As corpus.folder_site names them: a file's top folder, or for a file directly
        in the corpus folder, that folder's own name."""
        own = os.path.basename(os.path.abspath(self.root))
        sizes: dict[str, int] = {}
        for rel in self.rels:
            site = rel.partition("/")[0] if "/" in rel else own
            sizes[site] = sizes.get(site, 0) + 1
        return sizes
