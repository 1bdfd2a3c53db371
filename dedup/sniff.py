"""What a file that is not UTF-8 text is, by its first bytes: named in the line that
skips it (a text file, or a record file named as plain JSONL)."""
from __future__ import annotations

SNIFF = 1 << 16   # bytes looked at for a NUL, which no text holds

FORMATS = (
    (b"\x1f\x8b", "gzip-compressed"), (b"\x28\xb5\x2f\xfd", "zstd-compressed"),
    (b"PK\x03\x04", "zip archive"), (b"PK\x05\x06", "zip archive"), (b"PAR1", "Parquet"),
    (b"BZh", "bzip2-compressed"), (b"\xfd7zXZ\x00", "xz-compressed"), (b"7z\xbc\xaf\x27\x1c", "7-Zip archive"),
    (b"%PDF-", "PDF"), (b"\x89PNG\r\n", "PNG image"), (b"\xff\xd8\xff", "JPEG image"),
    (b"SQLite format 3\x00", "SQLite database"),
)
WIDE_TEXT = ((b"\xff\xfe\x00\x00", "UTF-32"), (b"\x00\x00\xfe\xff", "UTF-32"), (b"\xff\xfe", "UTF-16"),
             (b"\xfe\xff", "UTF-16"))   # (UTF-32's first: it starts as UTF-16's does)


def not_text(head: bytes, what: str = "plain text", nul: bool = True) -> str | None:
    """Why a file starting with `head` is not `what` (None: it may be): a wide encoding,
    a known binary format, or (with `nul`) a NUL byte."""
    for magic, name in WIDE_TEXT:
        if head.startswith(magic):
            return f"{name} text (it starts with that byte-order mark), not UTF-8: convert it (iconv -f {name} -t UTF-8)"
    for magic, name in FORMATS:
        if head.startswith(magic):
            return f"{name} file, not {what}"
    at = head.find(b"\0", 0, SNIFF) if nul else -1
    return f"binary file (NUL byte at offset {at})" if at >= 0 else None
