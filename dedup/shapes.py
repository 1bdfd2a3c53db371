"""Template shapes: short lines that repeat in a site's pages up to their numbers and
the names of months and weekdays ("Last updated at 22:15 GMT", "Comments (3 of 3)",
"4:42 PM on 12/07/2012", dates in every script and calendar, Hijri included).

A line's shape is its words with every word that holds a digit (of any script) masked
as `#` and every month or weekday name (dedup/data/calendar.toml, 18 languages) as `@`.
Only lines with at least one digit have a shape, and only shapes with at least two
words left unmasked count: a numbered list ("3- …"), a bare date or "Article 5" keeps
its text. Shapes are counted per source like frequent lines (rules/learned.py).
"""
from __future__ import annotations

import hashlib
import tomllib
from functools import lru_cache
from importlib import resources

import regex

from .normalize import tokens

DIGITS = r"\p{Nd}"
_DIGIT = regex.compile(DIGITS)
_LETTER = regex.compile(r"\p{L}")
LETTER_WORDS = 2   # unmasked words a shape needs: "Comment number #" is a template, "Article #" is a heading


@lru_cache(maxsize=1)
def calendar() -> frozenset[str]:
    """Every month and weekday name and calendar marker, normalized as words are."""
    data = tomllib.loads(resources.files("dedup").joinpath("data/calendar.toml").read_text("utf-8"))
    return frozenset(word for language in data.values() for names in language.values()
                     for name in names for word in tokens(name))


def shape(raw: str) -> str | None:
    """The line's shape, or None if it has no digit or too few words left."""
    if not _DIGIT.search(raw):
        return None
    names = calendar()
    masked, letters = [], 0
    for word in tokens(raw):
        if _DIGIT.search(word):
            masked.append("#")
        elif word in names:
            masked.append("@")
        else:
            masked.append(word)
            letters += bool(_LETTER.search(word))
    if letters < LETTER_WORDS or "#" not in masked:
        return None
    return " ".join(masked)


def shape_hash(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "little")
