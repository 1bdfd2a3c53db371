"""What a run keeps of its corpus for the next one (--against reads it: rules/against.py).

Every run saves, in OUT/.dedup-index/, what is left of its corpus after cleaning, as
numpy arrays: each kept document's content digest and MinHash signature, the hashes of
its kept lines (long enough to be duplicates alone) and paragraphs, and where each came
from; plus the settings the hashes depend on. A later run given `--against OUT` removes
what repeats that corpus (documents exactly or nearly, lines and paragraphs exactly)
without reading it again. Near-documents are found by band keys and verified by the
MinHash estimate of their similarity (the old shingles are not kept: they would make
the index about as big as the text). The saved index holds the previous index too, so
monthly runs chain: each is deduplicated against all before it.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .content import content_digests, content_rows
from .rules.findings import Decisions, taken_rows
from .config import Settings
from .corpus import InputError
from .table import Table

FOLDER = ".dedup-index"
FORMAT = 1
ARRAYS = ("digests", "signatures", "line_hash", "line_where", "paragraph_hash", "paragraph_where")
DTYPES = {"digests": np.uint8, "signatures": np.uint32, "line_hash": np.uint64, "line_where": np.int64,
          "paragraph_hash": np.uint64, "paragraph_where": np.int64}
FILES = ("index.json", "paths.json", *(f"{name}.npy" for name in ARRAYS))   # what FOLDER holds
# the settings that change what is hashed and compared: a run against an index built
# with others would compare different things
MATCHING = ("shingle_size", "num_perm", "seed", "threshold", "bands", "rows", "min_duplicate_words",
            "max_line_chars", "lexicons")


@dataclass
class Previous:
    """A previous run's kept corpus, as saved in its OUT."""
    run: str                    # the OUT folder as the user named it
    paths: list[tuple[str, str]]  # each document's run (its OUT as named then) and path (as it reported it)
    digests: np.ndarray         # (documents, 16) uint8 content digests
    signatures: np.ndarray      # (documents, num_perm) uint32
    line_hash: np.ndarray       # (lines,) uint64, sorted
    line_where: np.ndarray      # (lines, 2) int64: document, 1-based line
    paragraph_hash: np.ndarray  # (paragraphs,) uint64, sorted
    paragraph_where: np.ndarray  # (paragraphs, 3) int64: document, first and last 1-based line

    def original(self, doc: int, *lines: int) -> dict:
        run, path = self.paths[doc]
        out = {"path": path, "run": run}
        if lines:
            out["lines"] = [int(x) for x in lines]
        return out


def _matching(settings: Settings) -> dict:
    public = settings.public()
    return {k: public[k] for k in MATCHING}


def load(folder: str, settings: Settings) -> Previous:
    """The index saved in a previous run's OUT; one-line errors for a missing or
    mismatched one."""
    root = Path(folder) / FOLDER
    try:
        meta = json.loads((root / "index.json").read_text("utf-8"))
        arrays = {name: np.load(root / f"{name}.npy", mmap_mode="r") for name in ARRAYS}
        paths = json.loads((root / "paths.json").read_text("utf-8"))
    except FileNotFoundError:
        raise InputError(f"{folder}: no dedup index in it (--against takes the -o folder of an earlier run)") from None
    except (OSError, ValueError, KeyError, EOFError) as err:   # (EOFError: an empty .npy)
        raise InputError(f"{folder}: its dedup index cannot be read ({err or 'an empty file'})") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        found = meta.get("format") if isinstance(meta, dict) else None
        raise InputError(f"{folder}: its dedup index has format {found}, this dedup reads {FORMAT}")
    want = _matching(settings)
    saved = meta.get("settings") if isinstance(meta.get("settings"), dict) else {}
    differ = [f"{k} = {saved.get(k)!r} there, {v!r} here" for k, v in want.items() if saved.get(k) != v]
    if differ:
        raise InputError(f"{folder}: its index was built with other settings ({'; '.join(differ)})")
    problem = _inconsistent(meta, paths, arrays, settings.num_perm)
    if problem:
        raise InputError(f"{folder}: its dedup index is damaged ({problem})")
    # a document of the run that saved the index has no run name: it is the folder it is read from
    return Previous(folder, [(run or folder, path) for run, path in paths], arrays["digests"], arrays["signatures"], arrays["line_hash"],
                    arrays["line_where"], arrays["paragraph_hash"], arrays["paragraph_where"])


def _inconsistent(meta: dict, paths, arrays: dict, num_perm: int) -> str | None:
    """What does not fit together in a saved index (None: all of it does): its files
    are read as they are, so one edited or cut short must be found here."""
    if not isinstance(paths, list) or not all(
            isinstance(p, list) and len(p) == 2 and isinstance(p[1], str) and (p[0] is None or isinstance(p[0], str))
            for p in paths):
        return "paths.json is not a list of [run, path] pairs"
    n = len(paths)
    shapes = {"digests": (n, 16), "signatures": (n, num_perm)}
    for name, shape in shapes.items():
        if arrays[name].shape != shape:
            return f"{name}.npy holds {arrays[name].shape}, not {shape} for {n} documents"
    for kind, width in (("line", 2), ("paragraph", 3)):
        hashes, where = arrays[f"{kind}_hash"], arrays[f"{kind}_where"]
        if hashes.ndim != 1 or where.shape != (len(hashes), width):
            return f"{kind}_hash.npy and {kind}_where.npy do not match"
    for name, kind in DTYPES.items():
        if arrays[name].dtype != kind:
            return f"{name}.npy holds {arrays[name].dtype}, not {np.dtype(kind)}"
    for name in ("line_where", "paragraph_where"):   # each names a document of paths.json
        where = arrays[name]
        if len(where) and (int(where[:, 0].min()) < 0 or int(where[:, 0].max()) >= n):
            return f"{name}.npy names documents outside the {n} of paths.json"
    if meta.get("documents") != n:
        return f"index.json says {meta.get('documents')} documents, paths.json lists {n}"
    return None


def _sorted(hashes: list, where: list, width: int) -> tuple[np.ndarray, np.ndarray]:
    h = np.array(hashes, np.uint64)
    w = np.array(where, np.int64).reshape(-1, width)
    order = np.argsort(h, kind="stable")
    return h[order], w[order]


def save(folder: Path, table: Table, decisions: Decisions, settings: Settings,
         previous: Previous | None) -> None:
    """Save what this run keeps, after `previous`'s own kept corpus, into folder/FOLDER:
    .npy arrays (the same bytes for the same corpus; read memory-mapped). `decisions`:
    classify's (Decisions, or classify.Ranked, read alike)."""
    paths = list(previous.paths) if previous else []
    kept = np.flatnonzero(decisions.kept())
    digests, has = content_digests(table, content_rows(table, settings), kept)
    kept, digests = kept[has], digests[has]   # the documents whose digests and signatures are saved
    first = len(paths)
    paths.extend((None, table.path[d]) for d in kept.tolist())
    taken = taken_rows(table, decisions, kept)
    rows, owner = table.rows_of(kept)
    alone = (table.words[rows] >= settings.min_duplicate_words) & ~taken[rows]
    line_hash, line_at = _sorted(table.hash[rows[alone]], np.stack(
        [first + owner[alone], table.line[rows[alone]].astype(np.int64) + 1], axis=1), 2)
    paragraphs, owner = table.paragraphs_of(kept)
    ends = np.stack([table.paragraph_first[paragraphs], table.paragraph_last[paragraphs] + 1], axis=1)
    untouched = np.add.reduceat(taken, ends.ravel())[::2] == 0 if len(paragraphs) else np.empty(0, bool)
    paragraphs, owner, ends = paragraphs[untouched], owner[untouched], ends[untouched]
    paragraph_hash, paragraph_at = _sorted(table.paragraph_hash[paragraphs], np.stack(
        [first + owner, table.line[ends[:, 0]].astype(np.int64) + 1, table.line[ends[:, 1] - 1].astype(np.int64) + 1],
        axis=1), 3)
    new_digests = digests
    new_signatures = table.signatures(kept, settings.num_perm)
    if previous is not None:
        new_digests = np.concatenate([previous.digests, new_digests])
        new_signatures = np.concatenate([previous.signatures, new_signatures])
        line_hash, line_at = _merged(previous.line_hash, previous.line_where, line_hash, line_at)
        paragraph_hash, paragraph_at = _merged(previous.paragraph_hash, previous.paragraph_where,
                                               paragraph_hash, paragraph_at)
    root = folder / FOLDER
    root.mkdir()
    arrays = dict(zip(ARRAYS, (new_digests, new_signatures, line_hash, line_at, paragraph_hash, paragraph_at)))
    for name, array in arrays.items():
        np.save(root / f"{name}.npy", np.ascontiguousarray(array))
    (root / "paths.json").write_text(json.dumps(paths), "utf-8")   # \u escapes: a name's bad bytes too
    (root / "index.json").write_text(json.dumps({"format": FORMAT, "settings": _matching(settings),
                                                 "documents": len(paths)}, indent=1), "utf-8")


def _merged(h1, w1, h2, w2) -> tuple[np.ndarray, np.ndarray]:
    """Two sorted hash lists as one, the older entry first among equal hashes."""
    h = np.concatenate([h1, h2])
    w = np.concatenate([w1, w2])
    order = np.argsort(h, kind="stable")
    return h[order], w[order]
