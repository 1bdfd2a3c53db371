"""Corpus text and file names written where they could do harm as they are: into JSON
(a name that is not UTF-8 holds lone surrogates, which UTF-8 cannot encode), onto a
terminal (an escape sequence in a line clears the screen or retitles the window) and into
GitHub's workflow commands (a newline or a comma in a name starts a command of its own)."""
from __future__ import annotations

import regex

SURROGATE = regex.compile(r"[\ud800-\udfff]")
_CONTROL = regex.compile(r"[\p{Cc}\u2028\u2029\u202a-\u202e\u2066-\u2069]")   # (bidi overrides too)


def json_text(text: str) -> str:
    """JSON text (already escaped) whose lone surrogates become \\u escapes: UTF-8 then
    encodes it, and a JSON reader gives back the same string."""
    return SURROGATE.sub(lambda m: "\\u%04x" % ord(m.group()), text)


def plain(text: str) -> str:
    """`text` for a terminal or a log: control and bidi-override characters as visible
    escapes (\\x1b, \\u202e), every other character as it is (a name's bytes that are not
    UTF-8 go out as they are, so that the name can be found)."""
    return _CONTROL.sub(lambda m: repr(m.group())[1:-1] if ord(m.group()) < 0x100 else "\\u%04x" % ord(m.group()),
                        text)


def github_property(value: str) -> str:
    """A value of a GitHub workflow command's property (file=, title=)."""
    return github_data(value).replace(":", "%3A").replace(",", "%2C")


def github_data(value: str) -> str:
    """A GitHub workflow command's message."""
    return plain(value).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
