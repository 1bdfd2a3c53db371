"""JSONL and Parquet corpora: a file of records, each with a text field and other fields.

Read as a stream of rows (never a whole file in memory) and written back in the same
format and compression, row by row in their order, with only the text field changed
(a JSONL line keeps every other byte: the new text is spliced into the line) and the
rows that go dropped. A row that cannot be read as a document (invalid JSON or UTF-8,
no text field, not a string) is a bad row: copied through unchanged and listed. A file
that cannot be read at all (a truncated gzip, a corrupt Parquet file) is one error.
pyarrow is imported only when such a file is read: a git hook on text never pays for it.
"""
from __future__ import annotations

import contextlib
import gzip
import hashlib
import io
import json
import os
import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from itertools import takewhile
from pathlib import Path
from typing import Iterator
from urllib.parse import urlsplit

from . import sniff

# name ending -> (format, compression); the longest ending that matches wins
FORMATS = {
    ".jsonl": ("jsonl", None), ".ndjson": ("jsonl", None),
    ".jsonl.gz": ("jsonl", "gzip"), ".ndjson.gz": ("jsonl", "gzip"),
    ".jsonl.zst": ("jsonl", "zstd"), ".ndjson.zst": ("jsonl", "zstd"),
    ".parquet": ("parquet", None),
}
_ENDINGS = tuple(FORMATS)
PARQUET_BATCH = 1024   # rows per Parquet read


class RecordError(Exception):
    """A record file that cannot be read or written as a whole; the message is one line."""


@dataclass(frozen=True)
class Fields:
    text: str = "text"
    id: str = ""          # "" : rows are known by file and row number
    source: str = ""      # the field that says which site a row is from ("": none)
    host: bool = False    # that field is a URL: its host is the site


# scheme://host/... with a host of letters, digits, dots and hyphens only: what urlsplit
# would make of it is plain, and matching it is ten times faster (a row's URL is read twice)
_PLAIN_URL = re.compile(r"(?:[A-Za-z][A-Za-z0-9+.\-]*:)?//([A-Za-z0-9.\-]*)(?:[/?#]|\Z)")


def host_of(url: str) -> str:
    """The site of a URL: its host, lower case, without "www." ("" if it has none)."""
    url = url if "://" in url else "//" + url
    plain = _PLAIN_URL.match(url)
    if plain:   # (urlsplit drops tabs and line breaks: any before the host's end fails the match)
        host = plain.group(1).lower()
    else:
        try:
            host = urlsplit(url).hostname or ""
        except ValueError:   # a malformed URL ("http://[::1")
            return ""
    return host.removeprefix("www.")


def _site(value, fields: Fields) -> str:
    if value is None:
        return ""
    value = str(value)
    return host_of(value) if fields.host else value


@dataclass(frozen=True, slots=True)
class Row:
    number: int              # 1-based: the JSONL line, or the Parquet row
    text: str | None         # None: a bad row (copied through)
    id: str | None = None
    problem: str = ""        # why a bad row is bad
    site: str = ""           # the row's source field ("": none)
    digest: bytes | None = None   # of a JSONL row's bytes: the write stage copies it unparsed if they are the same


def is_text(forced: str = "auto") -> Callable[[str], bool]:
    """is_text(forced)(name): whether kind_of(name, forced) is text, asked of many names."""
    if forced == "auto":
        return lambda name: not name.lower().endswith(_ENDINGS)
    return lambda name: forced == "text"


def kind_of(name: str, forced: str = "auto") -> tuple[str, str | None]:
    """("text", None) or (format, compression) of a file, by its name (or `forced`)."""
    lower = name.lower()
    if forced == "auto" and not lower.endswith(_ENDINGS):   # most files: one C call, not one per format
        return "text", None
    ending = max((e for e in FORMATS if lower.endswith(e)), key=len, default=None)
    if forced not in ("auto", "text"):
        compression = "gzip" if lower.endswith(".gz") else "zstd" if lower.endswith(".zst") else None
        return forced, compression if forced == "jsonl" else None
    if forced == "text" or ending is None:
        return "text", None
    return FORMATS[ending]


def _errors():
    import pyarrow as pa
    return (OSError, EOFError, zlib.error, gzip.BadGzipFile, pa.ArrowException, ValueError)


def _open_read(file: str, compression: str | None):
    if compression == "gzip":
        return gzip.open(file, "rb")
    if compression == "zstd":
        import pyarrow as pa
        return io.BufferedReader(pa.CompressedInputStream(pa.OSFile(file), "zstd"))
    return open(file, "rb")


def _open_write(file: str, compression: str | None):
    if compression == "gzip":   # no name and no time in the header: the same bytes on every run
        return gzip.GzipFile(filename="", mode="wb", fileobj=open(file, "wb"), mtime=0)
    if compression == "zstd":
        import pyarrow as pa
        return pa.CompressedOutputStream(file, "zstd")
    return open(file, "wb")


def _described(value) -> str:
    return "null" if value is None else {bool: "a boolean", int: "a number", float: "a number", str: "a string",
                                         list: "a list", dict: "an object"}.get(type(value), type(value).__name__)


_BOM = b"\xef\xbb\xbf"


def parse_row(number: int, raw: bytes, fields: Fields) -> Row:
    """The row a JSONL line holds (a bad row says why it is bad), with its bytes' digest."""
    try:
        line = raw.removeprefix(_BOM).decode("utf-8")   # a file saved with a BOM: its first line
    except UnicodeDecodeError as err:
        return Row(number, None, problem=f"not UTF-8 (undecodable byte at offset {err.start})")
    try:
        record = json.loads(line)
    except json.JSONDecodeError as err:   # ("Invalid control character at": the column follows)
        return Row(number, None, problem=f"invalid JSON ({err.msg.removesuffix(' at')} at column {err.colno})")
    except RecursionError:
        return Row(number, None, problem="invalid JSON (nested too deeply to read)")
    except ValueError as err:   # a number Python will not read: "Exceeds the limit (4300 digits) …"
        return Row(number, None, problem=f"invalid JSON ({str(err).split(':')[0]})")
    if not isinstance(record, dict):
        return Row(number, None, problem=f"not a JSON object ({_described(record)})")
    if fields.text not in record:
        return Row(number, None, problem=f"no field {fields.text!r}")
    text = record[fields.text]
    if not isinstance(text, str):
        return Row(number, None, problem=f"field {fields.text!r} is {_described(text)}, not a string")
    if (b"\\ud" in raw or b"\\uD" in raw) and _surrogate(text):
        return Row(number, None, problem=f"field {fields.text!r} holds an escaped lone surrogate "
                                         f"(\\u{ord(_surrogate(text)):04x}), which is no character")
    ident = record.get(fields.id) if fields.id else None
    site = _site(record.get(fields.source), fields) if fields.source else ""
    return Row(number, text, _ident(ident), site=site, digest=line_digest(raw))


def _ident(value) -> str | None:
    """A record's id as the report names it: a string as it is, any other value as its
    JSON text (`true`, `[1, 2]`, `{"a": 1}`: what the record holds, not Python's spelling);
    a Parquet value JSON has no type for (a date, bytes) as its text."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, (bool, int, float, list, dict)):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def _surrogate(text: str) -> str | None:
    """The first lone surrogate in `text` (JSON's "\\ud800" escapes one), None if none."""
    try:
        text.encode("utf-8")
        return None
    except UnicodeEncodeError as err:
        return text[err.start]


@dataclass(frozen=True)
class Span:
    """A part of a plain JSONL file: the bytes from `start` (a line's start) to `end`
    (None: to the end of the file, whatever it has then), and the 1-based number of the
    line at `start`. Parts of one file are read and written apart."""
    start: int
    end: int | None
    first: int


def spans(file: str, size: int) -> list[Span]:
    """A plain JSONL file cut into parts of about `size` bytes at line ends; the last
    part goes on to the file's end (rows added during the run are read and copied
    through, as in a file read whole). The line numbers come from counting line ends,
    a read at disk speed in bounded pieces."""
    out, start, first = [], 0, 1
    with open(file, "rb") as handle:
        while True:
            handle.seek(start + size)
            handle.readline()   # to the end of the line the cut fell in
            end = handle.tell()
            if not handle.peek(1):   # nothing after it: the rest is the last part
                break
            out.append(Span(start, end, first))
            first += _line_ends(handle, start, end)
            start = end
    return out + [Span(start, None, first)]


def _line_ends(handle, start: int, end: int) -> int:
    handle.seek(start)
    count = 0
    while start < end:
        block = handle.read(min(end - start, 1 << 20))
        if not block:
            break
        count += block.count(b"\n")
        start += len(block)
    return count


_COMPRESSED = ((b"\x1f\x8b", "gzip", ".gz"), (b"\x28\xb5\x2f\xfd", "zstd", ".zst"))


def _jsonl_lines(file: str, compression: str | None, span: Span | None = None) -> Iterator[tuple[int, bytes]]:
    """(line number, line without its line end) for every line that is not blank.
    A compressed file named as plain JSONL is one RecordError, not a bad row a line."""
    with _open_read(file, compression) as handle:
        if compression is None:
            start = handle.read(16)
            for magic, name, suffix in _COMPRESSED:
                if start.startswith(magic):
                    raise RecordError(f"{name}-compressed, but named as plain JSONL: name it "
                                      f"{Path(file).name}{suffix} to read it")
            # a Parquet file named .jsonl is one line, not a bad row a line (a NUL is a bad row's)
            why = sniff.not_text(start, "JSONL", nul=False)
            if why:
                raise RecordError(why)
            handle.seek(0)
        for number, raw in _numbered(handle, span):
            body = raw.rstrip(b"\r\n")
            if body.strip():
                yield number, body


def _numbered(handle, span: Span | None) -> Iterator[tuple[int, bytes]]:
    """(line number, line) of the file, or of the span of it."""
    if span is None:
        yield from enumerate(handle, 1)
        return
    handle.seek(span.start)
    at = span.start
    for number, raw in enumerate(handle, span.first):
        if span.end is not None and at >= span.end:
            return
        at += len(raw)
        yield number, raw


def rows(file: str, fmt: str, compression: str | None, fields: Fields, span: Span | None = None) -> Iterator[Row]:
    """The file's rows in order (of `span` only, if given); raises RecordError if the
    file itself is broken."""
    try:
        if fmt == "jsonl":
            for number, body in _jsonl_lines(file, compression, span):
                yield parse_row(number, body, fields)
        else:
            yield from _parquet_rows(file, fields)
    except RecordError:
        raise
    except _errors() as err:
        raise RecordError(_broken(file, fmt, compression, err)) from None


def texts_as_run(file: str, settings: dict, wanted: set[int]) -> dict[int, str]:
    """The texts of the `wanted` rows of a file read as the run that wrote a report
    read it (its recorded settings), for the review page and restore."""
    fields = Fields(settings.get("text_field", "text"), settings.get("id_field", ""))
    fmt, compression = kind_of(file, settings.get("format", "auto"))
    return texts(file, fmt, compression, fields, wanted)


def texts(file: str, fmt: str, compression: str | None, fields: Fields, wanted: set[int]) -> dict[int, str]:
    """The texts of the `wanted` rows of a file ({} if it cannot be read); of a JSONL
    file only the wanted rows are parsed, and the file is read up to the last of them."""
    out = {}
    last = max(wanted, default=0)
    if not os.path.isfile(file):   # a report may name a FIFO or a device, which would never end
        return out
    try:
        if fmt == "jsonl":
            lines = takewhile(lambda line: line[0] <= last, _jsonl_lines(file, compression))
            found = (parse_row(number, body, fields) for number, body in lines if number in wanted)
        else:
            found = (row for row in takewhile(lambda row: row.number <= last, rows(file, fmt, compression, fields))
                     if row.number in wanted)
        for row in found:
            if row.text is not None:
                out[row.number] = row.text
    except (RecordError, *_errors()):
        return {}
    return out


def _broken(file: str, fmt: str, compression: str | None, err: Exception) -> str:
    what = {"gzip": "gzip-compressed JSONL", "zstd": "zstd-compressed JSONL"}.get(compression, fmt.replace("jsonl", "JSONL").replace("parquet", "Parquet"))
    detail = str(err).splitlines()[0] if str(err) else type(err).__name__
    if isinstance(err, EOFError):
        detail = "truncated: " + detail
    return f"unreadable {what} file: {detail}"


def _parquet_columns(pf, fields: Fields) -> list[str]:
    import pyarrow as pa
    names = pf.schema_arrow.names
    if fields.text not in names:
        raise RecordError(f"Parquet file has no column {fields.text!r} (its columns: {', '.join(names)})")
    twice = sorted({name for name in (fields.text, fields.id, fields.source) if name and names.count(name) > 1})
    if twice:
        raise RecordError(f"Parquet file has {names.count(twice[0])} columns named {twice[0]!r}: which one is meant?")
    kind = pf.schema_arrow.field(fields.text).type
    if not _is_text(pa, kind):
        raise RecordError(f"Parquet column {fields.text!r} is {kind}, not a string")
    return list(dict.fromkeys([fields.text] + [name for name in (fields.id, fields.source) if name and name in names]))


def _is_text(pa, kind) -> bool:
    """Strings in any of Arrow's layouts: plain, large, views, or dictionary-encoded
    (pandas' categorical columns)."""
    if pa.types.is_dictionary(kind):
        kind = kind.value_type
    return pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_string_view(kind)


@dataclass(frozen=True)
class _Undecodable:
    """A Parquet string that is not UTF-8 (Arrow reads them unchecked): a bad row."""
    at: int


def _values(column) -> list:
    """A column's values; a string column that holds bytes that are not UTF-8 read value
    by value, each such value an _Undecodable (Arrow's to_pylist fails on the batch)."""
    try:
        return column.to_pylist()
    except UnicodeDecodeError:
        import pyarrow as pa
        if pa.types.is_dictionary(column.type):
            column = column.dictionary_decode()
        out = []
        for value in column.cast(pa.large_binary()).to_pylist():
            try:
                out.append(None if value is None else value.decode("utf-8"))
            except UnicodeDecodeError as err:
                out.append(_Undecodable(err.start))
        return out


def _parquet_rows(file: str, fields: Fields) -> Iterator[Row]:
    import pyarrow.parquet as pq
    pf = pq.ParquetFile(file)
    columns = _parquet_columns(pf, fields)
    number = 0
    for batch in pf.iter_batches(batch_size=PARQUET_BATCH, columns=columns):
        values = {name: _values(batch.column(i)) for i, name in enumerate(columns)}
        nothing = [None] * batch.num_rows
        for text, ident, site in zip(values[fields.text], values.get(fields.id, nothing),
                                     values.get(fields.source, nothing)):
            number += 1
            undecodable = next((v for v in (text, ident, site) if isinstance(v, _Undecodable)), None)
            if undecodable is not None:
                yield Row(number, None, problem=f"not UTF-8 (undecodable byte at offset {undecodable.at} of a field)")
            elif text is None:
                yield Row(number, None, problem=f"field {fields.text!r} is null")
            else:
                yield Row(number, text, _ident(ident), site=_site(site, fields) if fields.source else "")


# --- writing -------------------------------------------------------------------------

def _skip_space(line: str, at: int) -> int:
    while at < len(line) and line[at] in " \t\n\r":
        at += 1
    return at


def _value_span(line: str, name: str) -> tuple[int, int]:
    """Where the value of top-level key `name` is in a JSON object's text (the last
    one, as json.loads reads duplicate keys)."""
    decoder = json.JSONDecoder()
    at, found = _skip_space(line, 0) + 1, None
    while True:
        at = _skip_space(line, at)
        if line[at] == "}":
            break
        key, at = json.decoder.scanstring(line, at + 1)
        at = _skip_space(line, _skip_space(line, at) + 1)   # past the ':'
        _, end = decoder.raw_decode(line, at)
        if key == name:
            found = (at, end)
        at = _skip_space(line, end)
        if line[at] == ",":
            at += 1
    if found is None:
        raise KeyError(name)
    return found


def replace_text(line: str, name: str, text: str) -> str:
    """The JSONL line with field `name` set to `text`; every other byte as it was."""
    start, stop = _value_span(line, name)
    return line[:start] + json.dumps(text, ensure_ascii=False) + line[stop:]


def line_digest(body: bytes) -> bytes:
    """What a JSONL row's bytes are checked by when it is written: the same digest, the
    same row as was read."""
    return hashlib.blake2b(body, digest_size=16).digest()


KEEP = True   # what an edit of edit_jsonl returns to copy the line as it is (None: drop it)


def edit_jsonl(file: str, target: str | None, compression: str | None, fields: Fields, span: Span | None,
               edit: Callable[[int, bytes], "str | bool | None"]) -> None:
    """Copy a JSONL file (or the span of it) to `target` (None: nowhere) in one pass,
    asking `edit(line number, line without its end)` of every line that is not blank:
    KEEP copies it as it is, None drops it, a string becomes its text field (every
    other byte as it was). Raises RecordError if the file is broken."""
    try:
        with _open_read(file, compression) as src, \
                (_open_write(target, compression) if target else contextlib.nullcontext()) as out:
            for number, raw in _numbered(src, span):
                body = raw.rstrip(b"\r\n")
                change = edit(number, body) if body.strip() else KEEP
                if out is None or change is None:
                    continue
                if change is KEEP:
                    out.write(raw)
                    continue
                bom = _BOM if body.startswith(_BOM) else b""
                line = replace_text(body[len(bom):].decode("utf-8"), fields.text, change)
                out.write(bom + line.encode("utf-8") + raw[len(body):])
    except _errors() as err:
        raise RecordError(_broken(file, "jsonl", compression, err)) from None


def write_parquet(source_file: str, target: str, fields: Fields, changes: dict[int, str | None]) -> None:
    """Copy a Parquet file to `target` with `changes` applied: row number -> its new
    text, or None to drop the row. Rows not in `changes` are copied as they are.
    (A JSONL file is written by edit_jsonl.)"""
    import pyarrow as pa
    import pyarrow.parquet as pq
    pf = pq.ParquetFile(source_file)
    schema = pf.schema_arrow
    column = schema.get_field_index(fields.text)
    meta = pf.metadata
    codec = _codec(meta.row_group(0).column(column).compression) if meta.num_row_groups else "snappy"
    field = schema.field(column)
    if pa.types.is_dictionary(field.type) and field.type.index_type.bit_width < 32:
        # a pandas category's int8 indices hold 127 texts: the cleaned ones are new texts
        field = field.with_type(pa.dictionary(pa.int32(), field.type.value_type, field.type.ordered))
        schema = schema.set(column, field)
    first = 0
    with pq.ParquetWriter(target, schema, compression=codec) as writer:
        for batch in pf.iter_batches(batch_size=PARQUET_BATCH):
            numbers = range(first + 1, first + batch.num_rows + 1)
            first += batch.num_rows
            texts = batch.column(column)
            if any(n in changes for n in numbers):
                keep = [changes.get(n, "") is not None for n in numbers]
                batch = _filtered(pa, batch.set_column(column, field, _changed(pa, texts, numbers, changes, field.type)),
                                  keep)
            elif texts.type != field.type:
                batch = batch.set_column(column, field, texts.cast(field.type))
            writer.write_batch(batch)


def _changed(pa, texts, numbers: range, changes: dict[int, str | None], kind):
    """A batch's text column with the changed rows' new texts, as type `kind`. Values that
    are not UTF-8 (bad rows, copied through) stay the bytes they were."""
    try:
        return pa.array([changes[n] if n in changes and changes[n] is not None else t
                         for n, t in zip(numbers, texts.to_pylist())], kind)
    except UnicodeDecodeError:
        plain = texts.dictionary_decode() if pa.types.is_dictionary(texts.type) else texts
        raw = [changes[n].encode("utf-8") if n in changes and changes[n] is not None else b
               for n, b in zip(numbers, plain.cast(pa.large_binary()).to_pylist())]
        return pa.array(raw, pa.large_binary()).view(pa.large_string()).cast(kind)


_CODECS = {"uncompressed": "none", "lz4_raw": "lz4"}   # the file's codec names pyarrow's writer spells otherwise
_WRITABLE = {"none", "snappy", "gzip", "brotli", "lz4", "zstd"}


def _codec(name: str) -> str:
    """The codec to write a Parquet file's text column with: its own, or snappy where
    pyarrow writes no such codec (LZO)."""
    codec = _CODECS.get(name.lower(), name.lower())
    return codec if codec in _WRITABLE else "snappy"


def _filtered(pa, batch, keep: list[bool]):
    """The batch's rows where `keep` is true. Arrow filters no string or binary views (no
    kernel as of pyarrow 26), at the top or inside a list, map, struct or union: such a
    column is cut into its runs of kept rows, which concat_arrays joins for any type."""
    try:
        return batch.filter(pa.array(keep))
    except pa.ArrowNotImplementedError:
        pass
    runs, start = [], None
    for n, kept in enumerate([*keep, False]):
        if kept and start is None:
            start = n
        elif not kept and start is not None:
            runs.append((start, n))
            start = None
    columns = []
    for column in batch.columns:
        try:
            columns.append(column.filter(pa.array(keep)))
        except pa.ArrowNotImplementedError:
            columns.append(pa.concat_arrays([column.slice(a, b - a) for a, b in runs] or [column.slice(0, 0)]))
    return pa.RecordBatch.from_arrays(columns, schema=batch.schema)
