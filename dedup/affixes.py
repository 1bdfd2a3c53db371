"""Site affixes: a page's title line "Headline — Site Name" beside the article's own
headline "Headline". The affix (what follows the last separator) is the site's name or
section: once it is frequent in the source, the affixed copy is boilerplate and the
plain headline stays (the duplicate rules would otherwise keep the first, affixed line
and remove the headline as its near-duplicate).
"""
from __future__ import annotations

import regex

from .normalize import tokens

# " — ", " – ", " - ", " | ", " :: ", " · ", " « ": spaced separators only (a hyphen inside a word is not one)
_SEPARATOR = regex.compile(r"\s+(?:[-–—|·•«»]|::|\|\|)\s+")
SEPARATOR_CHARS = r"[-–—|·•«»:]"   # a line without one has no separator
HEAD_WORDS = 2     # a headline has at least this many words
AFFIX_WORDS = 6    # a site name or section has at most this many


def split(raw: str) -> tuple[int, str] | None:
    """(words of the headline before the last separator, the affix as words), if the
    line looks like "headline <separator> affix"."""
    parts = list(_SEPARATOR.finditer(raw))
    if not parts:
        return None
    cut = parts[-1]
    head, affix = tokens(raw[:cut.start()]), tokens(raw[cut.end():])
    if len(head) < HEAD_WORDS or not 1 <= len(affix) <= AFFIX_WORDS:
        return None
    return len(head), " ".join(affix)
