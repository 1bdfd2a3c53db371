"""The incremental index behind `dedup check`: one SQLite file under .dedup_cache/.

For every corpus file it keeps the file's stat and content hash, and the keys that
connect it to other files (line and paragraph hashes, LSH band keys, the document's
digest and band keys), plus its contribution to the corpus-wide boilerplate counts,
which it answers as counts.py's second store. It knows no rule: check.py gives it
each file's Entry. It keeps no sketches: a check sketches the checked files and
their neighbours again from the files themselves (a few dozen files; a pickled
sketch was 7 KB a file, two thirds of the index). The whole index is tied to a fingerprint of the tool version,
the settings and the lexicons: anything else, or a file SQLite cannot read, is
thrown away and rebuilt, never trusted. The folder is local (it ignores itself in git).
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np

from . import __version__, output
from .config import Settings
from .corpus import Members, Source
from .counts import Evidence, LabelEvidence
from .gitfiles import Listing
from .hashing import band_keys, distinct
from .sketch import DocSketch, document_signatures

FOLDER = output.CACHE_FOLDER
SCHEMA = 18  # 3: exact hashes a 64-bit mix of word hashes; 4: one copy of each link; 5: no document band keys kept;
# 6: boilerplate counted per source (site); 7: band keys kept band by band (sketch.Rows); 8: no sketches, link keys
# kept; 9: link keys in a table of their own (a scan of docs reads 2 MB, not 46); 10: paths and label texts as
# bytes (file names that are not UTF-8); 11: git's listing as bytes; 12: the lines a lexicon heading lists;
# 13: lines opening with the copyright sign; 14: a file's ctime too (a copy that keeps the size and mtime
# of the file it replaces, as `cp -p`, `rsync -t` and `tar x` make, is a change); 15: the dot above that
# case folding leaves after i dropped (Turkish İ); 16: lines of hashtags, and contained phrases that a line
# quotes left alone; 17: a full date after a publication label is a timestamp; 18: blogs' comment headings
# A key shared by more files than this (a site's footer line) links each file to
# only the first ones in path order: those are where the originals are.
NEIGHBOURS_PER_KEY = 16
LOCK_TIMEOUT = 30.0   # seconds a check waits for another one that is writing the index
# A file's link keys (2 KB for a news article) fit one to a 4 KB page, half of it empty;
# seven fit a 16 KB page.
PAGE_SIZE = 16384

_TABLES = """
CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE docs (id INTEGER PRIMARY KEY, path BLOB UNIQUE NOT NULL, size INTEGER, mtime_ns INTEGER,
                   ctime_ns INTEGER, sha256 TEXT, digest BLOB, skipped TEXT);
CREATE TABLE doc_keys (doc INTEGER PRIMARY KEY, keys BLOB NOT NULL);
CREATE TABLE links (key INTEGER NOT NULL, doc INTEGER NOT NULL, PRIMARY KEY (key, doc)) WITHOUT ROWID;
CREATE TABLE shorts (key INTEGER NOT NULL, doc INTEGER NOT NULL, copy TEXT NOT NULL);
CREATE INDEX shorts_key ON shorts (key, copy);
CREATE INDEX shorts_doc ON shorts (doc);
CREATE TABLE labels (key BLOB NOT NULL, doc INTEGER NOT NULL, copy TEXT NOT NULL,
                     written BLOB, lines INTEGER, rests TEXT);
CREATE INDEX labels_key ON labels (key, copy);
CREATE INDEX labels_doc ON labels (doc);
CREATE TABLE short_counts (key INTEGER PRIMARY KEY, documents INTEGER NOT NULL);
CREATE TABLE label_counts (key BLOB PRIMARY KEY, documents INTEGER NOT NULL) WITHOUT ROWID;
"""


class CacheError(Exception):
    """The cache file is unusable; the caller rebuilds it."""


def fingerprint(settings: Settings) -> str:
    """What every cached sketch depends on: tool version, settings, lexicon texts."""
    h = hashlib.sha256(f"{__version__}/{SCHEMA}".encode())
    public = settings.public()
    for name in ("include", "exclude", "corpus"):   # which files, not how they are read
        public.pop(name, None)
    h.update(json.dumps(public, sort_keys=True).encode())
    shipped = resources.files("dedup") / "lexicon"
    for entry in sorted(shipped.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            h.update(entry.read_bytes())
    for path in settings.lexicons:
        h.update(Path(path).read_bytes())
    return h.hexdigest()


@dataclass(frozen=True)
class Entry:
    """What the index keeps of one file, as the rules make it (check.py): the sketch its
    link keys come from, its content digest (exact copies share it and count once),
    and what it adds to the counts: its short lines' keys and teaser labels' evidence."""
    sketch: DocSketch
    digest: bytes | None
    shorts: list[int]
    labels: dict[str, Evidence]


def _signed(values) -> list[int]:
    """uint64 keys as SQLite's signed 64-bit integers."""
    return np.asarray(values, dtype=np.uint64).view(np.int64).tolist()


def link_keys(sketches: list[DocSketch], settings: Settings, digests: list[bytes | None]) -> list[np.ndarray]:
    """For each document (and its content_digest), everything through which another
    file can duplicate it: its distinct keys, sorted, as signed 64-bit integers (what
    the links table holds). The documents' own band keys are made in one call: one at
    a time cost 0.75 ms."""
    whole = [n for n, digest in enumerate(digests) if digest is not None]
    bands, rows = settings.lsh_params
    whole_keys = dict(zip(whole, band_keys(
        document_signatures([sketches[n] for n in whole], settings.num_perm), bands, rows))) if whole else {}
    out = []
    for n, sk in enumerate(sketches):
        parts = [sk.hash, sk.paragraph_hash]
        shingled = sk.words >= settings.shingle_size
        if shingled.any():
            parts.append(sk.keys.array()[shingled].ravel())
        if len(sk.paragraph_keys):
            parts.append(sk.paragraph_keys.array().ravel())
        if digests[n] is not None:
            parts += [np.frombuffer(digests[n][:8], "<u8"), whole_keys[n]]
        out.append(distinct(np.concatenate([np.asarray(p, np.uint64) for p in parts]).view(np.int64)))
    return out


class Index:
    def __init__(self, root: Path, settings: Settings, name: str = "index.sqlite"):
        self.settings = settings
        self.folder = root / FOLDER
        self.file = self.folder / name
        self.fingerprint = fingerprint(settings)
        try:
            self.db = self._open()
        except sqlite3.OperationalError:   # locked by another check: wait was too long; never discard it
            raise
        except (sqlite3.DatabaseError, CacheError):
            self._discard()
            self.db = self._open()

    # -- opening -----------------------------------------------------------
    def _open(self) -> sqlite3.Connection:
        output.make_cache_folder(self.folder)
        db = sqlite3.connect(self.file, timeout=LOCK_TIMEOUT, isolation_level=None)
        try:
            db.execute(f"PRAGMA page_size = {PAGE_SIZE}")   # before anything is written; a no-op on an existing file
            db.execute(f"PRAGMA busy_timeout = {int(LOCK_TIMEOUT * 1000)}")
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("BEGIN IMMEDIATE")
            tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if not tables:   # created inside the transaction: two hooks at once cannot both create it
                for statement in filter(str.strip, _TABLES.split(";")):
                    db.execute(statement)
                db.execute("INSERT INTO meta VALUES ('fingerprint', ?)", (self.fingerprint,))
                db.execute("COMMIT")
            else:
                row = db.execute("SELECT value FROM meta WHERE name = 'fingerprint'").fetchone()
                db.execute("COMMIT")
                if not row or row[0] != self.fingerprint:
                    raise CacheError("made with other settings or another version")
        except BaseException:
            db.close()
            raise
        return db

    def _discard(self) -> None:
        for suffix in ("", "-wal", "-shm"):
            try:
                os.unlink(f"{self.file}{suffix}")
            except FileNotFoundError:
                pass

    def close(self) -> None:
        self.db.close()

    # -- keeping up to date --------------------------------------------------
    @contextlib.contextmanager
    def updating(self):
        """One write transaction: all of it lands or none. The new files' links are
        inserted at the end in key order, which fills the table's pages (inserted in
        the order of files, random keys leave its pages a third empty)."""
        self.db.execute("BEGIN IMMEDIATE")
        self._pending: list[tuple[np.ndarray, int]] = []   # (link keys, doc)
        try:
            yield self
            self._insert_links()
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        finally:
            self._pending = []

    def _insert_links(self, chunk: int = 1 << 16) -> None:
        if not self._pending:
            return
        keys = np.concatenate([k for k, _ in self._pending])
        docs = np.concatenate([np.full(len(k), doc, np.int64) for k, doc in self._pending])
        order = np.lexsort((docs, keys))
        keys, docs = keys[order], docs[order]
        for start in range(0, len(keys), chunk):
            self.db.executemany("INSERT OR IGNORE INTO links VALUES (?, ?)",
                                zip(keys[start:start + chunk].tolist(), docs[start:start + chunk].tolist()))

    def stale(self, sources: Members, found: Listing | None = None
              ) -> tuple[list[tuple[Source, os.stat_result | None]], list[str]]:
        """Files whose size, mtime or ctime changed (or that are new), and indexed paths
        that are gone. Given git's listing of the corpus, and one kept from the last
        refresh of the same files, only the files whose listing entry changed. A
        file listed that cannot be stat'ed comes with None."""
        before = self._listing(found) if found is not None else None
        if before is not None:
            changed_rels, gone_rels = found.changed_since(before)
            return ([(source, _stat(source.file)) for source in sources.placed(changed_rels)],
                    sorted(found.path_of(rel) for rel in gone_rels))
        known = {_text(path): stamp for path, *stamp in
                 self.db.execute("SELECT path, size, mtime_ns, ctime_ns FROM docs")}
        changed = []
        for source in sources:
            st = _stat(source.file)
            if st is None or known.get(source.path) != [st.st_size, st.st_mtime_ns, st.st_ctime_ns]:
                changed.append((source, st))
        present = {s.path for s in sources}
        return changed, [p for p in known if p not in present]

    def _listing(self, found: Listing) -> Listing | None:
        """The listing kept by the last refresh, if it was of the same folder and globs."""
        if not self.trusts_git():
            return None
        rows = dict(self.db.execute("SELECT name, value FROM meta WHERE name IN ('git_files', 'git_listing')"))
        if rows.get("git_files") != _listed(found, self.settings) or not isinstance(rows.get("git_listing"), bytes):
            return None   # none kept, of other files, or not as this version keeps it: compare stats
        listed = _text(rows["git_listing"])
        return Listing(found.root, tuple(listed.split("\0")) if listed else ())

    def keep_listing(self, found: Listing | None) -> None:
        """Keep git's listing that this refresh brought the index up to (None: forget
        any, so the next refresh compares stats)."""
        self.db.execute("DELETE FROM meta WHERE name IN ('git_files', 'git_listing')")
        if found is not None and self.trusts_git():
            self.db.executemany("INSERT INTO meta VALUES (?, ?)", [
                ("git_files", _listed(found, self.settings)), ("git_listing", _raw("\0".join(found.entries)))])

    def trusts_git(self) -> bool:
        """Whether git's blob ids have been the files' own bytes (no filter rewrites them)."""
        return self.db.execute("SELECT 1 FROM meta WHERE name = 'git' AND value = 'distrusted'").fetchone() is None

    def distrust_git(self) -> None:
        """A file's bytes were not the blob git listed: compare stats from now on."""
        self.db.execute("INSERT OR REPLACE INTO meta VALUES ('git', 'distrusted')")

    def sha256_of(self, path: str) -> str | None:
        row = self.db.execute("SELECT sha256 FROM docs WHERE path = ?", (_raw(path),)).fetchone()
        return row[0] if row else None

    def touch(self, path: str, st: os.stat_result) -> None:
        self.db.execute("UPDATE docs SET size = ?, mtime_ns = ?, ctime_ns = ? WHERE path = ?",
                        (st.st_size, st.st_mtime_ns, st.st_ctime_ns, _raw(path)))

    def forget(self, paths: list[str]) -> None:
        for path in paths:
            row = self.db.execute("SELECT id FROM docs WHERE path = ?", (_raw(path),)).fetchone()
            if row:
                self._drop(row[0])
                self.db.execute("DELETE FROM docs WHERE id = ?", row)
                self.db.execute("DELETE FROM doc_keys WHERE doc = ?", row)

    def _drop(self, doc: int) -> None:
        self.db.executemany("DELETE FROM links WHERE key = ? AND doc = ?",
                            ((k, doc) for k in self._link_keys(doc)))
        for table, counts in _COUNTED:
            keys = self.db.execute(f"SELECT key, copy FROM {table} WHERE doc = ?", (doc,)).fetchall()
            self.db.execute(f"DELETE FROM {table} WHERE doc = ?", (doc,))
            for key, copy in keys:
                if not self._has(table, key, copy):
                    self.db.execute(f"UPDATE {counts} SET documents = documents - 1 WHERE key = ?", (key,))
                    self.db.execute(f"DELETE FROM {counts} WHERE key = ? AND documents <= 0", (key,))

    def _has(self, table: str, key, copy: str) -> bool:
        return self.db.execute(f"SELECT 1 FROM {table} WHERE key = ? AND copy = ? LIMIT 1", (key, copy)).fetchone() is not None

    def _add(self, table: str, counts: str, rows: list[tuple]) -> None:
        """Insert (key, doc, copy, ...) rows; a key's count grows when the first of
        a set of exact copies gets it."""
        for row in rows:
            key, _, copy = row[:3]
            first = not self._has(table, key, copy)
            self.db.execute(f"INSERT INTO {table} VALUES ({', '.join('?' * len(row))})", row)
            if first:
                self.db.execute(f"INSERT INTO {counts} VALUES (?, 1) ON CONFLICT (key) DO UPDATE "
                                f"SET documents = documents + 1", (key,))

    def store(self, files: list[tuple[str, os.stat_result, str, Entry | None, str | None]]) -> None:
        """Record files' keys and counts, replacing what was there (inside `updating`):
        (path, stat, sha256, entry or None, why it was skipped or None) each."""
        entries = [entry for _, _, _, entry, _ in files if entry is not None]
        made = iter(link_keys([e.sketch for e in entries], self.settings, [e.digest for e in entries]))
        for path, st, sha256, entry, skipped in files:
            self._store(path, st, sha256, entry, skipped, next(made) if entry is not None else None)

    def _store(self, path, st, sha256, entry: Entry | None, skipped, keys) -> None:
        row = self.db.execute("SELECT id FROM docs WHERE path = ?", (_raw(path),)).fetchone()
        if row:
            self._drop(row[0])
        digest = entry.digest if entry is not None else None
        self.db.execute(
            "INSERT INTO docs (path, size, mtime_ns, ctime_ns, sha256, digest, skipped) VALUES (?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (path) DO UPDATE SET size = excluded.size, mtime_ns = excluded.mtime_ns, "
            "ctime_ns = excluded.ctime_ns, sha256 = excluded.sha256, digest = excluded.digest, "
            "skipped = excluded.skipped",
            (_raw(path), st.st_size, st.st_mtime_ns, st.st_ctime_ns, sha256, digest, skipped))
        doc = self.db.execute("SELECT id FROM docs WHERE path = ?", (_raw(path),)).fetchone()[0]
        if entry is None:
            self.db.execute("DELETE FROM doc_keys WHERE doc = ?", (doc,))
            return
        self.db.execute("INSERT OR REPLACE INTO doc_keys VALUES (?, ?)", (doc, keys.tobytes()))
        self._pending.append((keys, doc))
        copy = digest.hex() if digest is not None else f"#{doc}"   # exact copies share it and count once
        self._add("shorts", "short_counts", [(k, doc, copy) for k in _signed(entry.shorts)])
        self._add("labels", "label_counts", [
            (_raw(key), doc, copy, _raw(written), n, json.dumps(sorted(_signed(sorted(rests)))))
            for key, (written, n, rests) in sorted(entry.labels.items())])

    # -- reading ---------------------------------------------------------------
    def live_paths(self) -> set[str]:
        """The indexed files that were read (not skipped)."""
        return {_text(path) for (path,) in self.db.execute("SELECT path FROM docs WHERE skipped IS NULL")}

    def _link_keys(self, doc: int) -> list[int]:
        row = self.db.execute("SELECT keys FROM doc_keys WHERE doc = ?", (doc,)).fetchone()
        if not row:
            return []
        if len(row[0]) % 8:   # a damaged blob: the caller rebuilds
            raise CacheError("unreadable link keys")
        return np.frombuffer(row[0], dtype=np.int64).tolist()

    def neighbours(self, path: str) -> list[str]:
        """The read files that share a link key with `path` (at most NEIGHBOURS_PER_KEY
        a key, the first in path order), in path order, `path` itself among them;
        none if `path` is not indexed or was skipped."""
        row = self.db.execute("SELECT id FROM docs WHERE path = ? AND skipped IS NULL", (_raw(path),)).fetchone()
        if not row:
            return []
        found = {row[0]}
        # one query a key: SQLite keeps the first few of a footer's thousands of files in a
        # bounded sort (a window over all the keys at once sorted them all: 60 ms, here 15)
        first = ("SELECT l.doc FROM links AS l JOIN docs AS d ON d.id = l.doc WHERE l.key = ? "
                 "ORDER BY d.path LIMIT ?")
        for key in self._link_keys(row[0]):
            found.update(r[0] for r in self.db.execute(first, (key, NEIGHBOURS_PER_KEY)))
        paths = []
        for chunk in _chunks(sorted(found)):
            marks = ",".join("?" * len(chunk))
            paths += [_text(p) for (p,) in self.db.execute(f"SELECT path FROM docs WHERE id IN ({marks})", chunk)]
        return sorted(paths)

    # the counts.Counts interface: what the learned rules ask of the whole corpus
    def line_documents(self, keys: list[int]) -> dict[int, int]:
        return {int(np.int64(key).view(np.uint64)): n for key, n in self._counts("short_counts", _signed(keys))}

    def label_evidence(self, labels: list[str]) -> dict[str, LabelEvidence]:
        return {_text(key): self._label_evidence(key, documents)
                for key, documents in self._counts("label_counts", [_raw(label) for label in labels])}

    def _label_evidence(self, key: bytes, documents: int) -> LabelEvidence:
        """A label's evidence over the indexed files (exact copies once), worked out by
        SQLite: a site's teaser label starts lines in thousands of them. Exact copies
        have the same lines and headlines, so counting copies per line count is exact."""
        run = self.db.execute
        written = run("SELECT l.written FROM labels AS l JOIN docs AS d ON d.id = l.doc WHERE l.key = ? "
                      "ORDER BY d.path LIMIT 1", (key,)).fetchone()[0]
        lines = run("SELECT lines, count(DISTINCT copy) FROM labels WHERE key = ? GROUP BY lines ORDER BY lines",
                    (key,)).fetchall()
        # two headlines: one file has two (its list has a comma), or two files differ
        varied = run("SELECT 1 FROM labels WHERE key = ? AND rests LIKE '%,%' LIMIT 1", (key,)).fetchone() is not None \
            or run("SELECT count(*) FROM (SELECT DISTINCT rests FROM labels WHERE key = ? LIMIT 2)",
                   (key,)).fetchone()[0] >= 2
        return LabelEvidence(_text(written), documents, tuple(lines), varied)

    def _counts(self, table: str, keys: list) -> list[tuple]:
        """(key, documents) for the keys in `min_docs` or more documents."""
        out = []
        for chunk in _chunks(keys):
            marks = ",".join("?" * len(chunk))
            out += self.db.execute(f"SELECT key, documents FROM {table} WHERE key IN ({marks}) AND documents >= ?",
                                   (*chunk, self.settings.min_docs)).fetchall()
        return out


_COUNTED = (("shorts", "short_counts"), ("labels", "label_counts"))


def _raw(text: str) -> bytes:
    """Text as the index keeps it: bytes, so that a file name that is not UTF-8 (read
    as surrogates) goes in and comes out the same; the order is UTF-8's, code points'."""
    return text.encode("utf-8", "surrogateescape")


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", "surrogateescape")


def _stat(path: str) -> os.stat_result | None:
    try:
        return os.stat(path)
    except OSError:
        return None


def _listed(found: Listing, settings: Settings) -> str:
    """Which files a kept listing was of: the folder, as given, and the globs."""
    return json.dumps([found.root, list(settings.include), list(settings.exclude)])


def _chunks(items: list, size: int = 500) -> list[list]:
    return [items[i:i + size] for i in range(0, len(items), size)]
