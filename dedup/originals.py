"""A document's original text, exactly: from its file if that is unchanged, else rebuilt
from the cleaned file and the report's removed spans, or from the report alone for a
document removed whole; always checked against the original's sha256. What `restore`
writes back and what the review page shows."""
from __future__ import annotations

import hashlib
from pathlib import Path

from . import corpus, plan, userfiles


def sha256_of(text: str) -> str:
    """Of a text as its file holds it (kept undecodable bytes included)."""
    return hashlib.sha256(corpus.encode(text)).hexdigest()


def read_text(path: Path, limit: int | None = None) -> str | None:
    """A file's text, undecodable bytes kept as surrogates; None if it cannot be read, is
    no regular file (a report may name a FIFO or a device), or holds more than `limit`
    bytes."""
    try:
        return userfiles.read(path, limit).decode("utf-8", "surrogateescape")
    except OSError:
        return None


def _most_bytes(doc: dict) -> int | None:
    """The most bytes a document of the report's `chars` can be (4 a character)."""
    chars = doc.get("chars")
    return 4 * chars + 4 if isinstance(chars, int) and not isinstance(chars, bool) and chars >= 0 else None


def original_of(doc: dict, base: Path, cleaned_dir: Path | None, mode: str | None) -> tuple[str | None, str]:
    """(the document's original text, "") if it can be had exactly, else (None, why not)."""
    text = read_text(base / doc["path"], _most_bytes(doc))
    if text is not None and sha256_of(text) == doc.get("sha256"):
        return text, ""
    if doc.get("status") == "removed":
        text = plan.rebuild("", doc["removed"])
    elif doc.get("output") and (mode == "in-place" or cleaned_dir is not None):
        cleaned_file = base / doc["output"] if mode == "in-place" else cleaned_dir / doc["output"]
        cleaned = read_text(cleaned_file, _most_bytes(doc))
        if cleaned is None:
            return None, f"{cleaned_file.as_posix()} is gone, and the report holds only the removed spans"
        text = plan.rebuild(cleaned, doc["removed"])
    else:
        return None, "the file is gone or changed, and the report holds only the removed spans"
    if sha256_of(text) != doc.get("sha256"):
        return None, "changed since the run: the text rebuilt from it does not match the original's sha256"
    return text, ""
