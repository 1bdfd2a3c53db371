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
from .page import SPOKEN

DIGITS = r"\p{Nd}"
_DIGIT = regex.compile(DIGITS)
_LETTER = regex.compile(r"\p{L}")
LETTER_WORDS = 2   # unmasked words a shape needs: "Comment number #" is a template, "Article #" is a heading


NAMES = ("months", "weekdays", "markers")
STAMP_WORDS = 24                  # a date-and-time line has at most this many words
# other words a dated date-and-time line may hold, before the stamp or after its "by": its byline's
# name or agency ("Reuters November 18, 2019 11:03 PM", "Chris Davies - Nov 19, 2019, 10:31 pm CST")
BYLINE_WORDS = 3
_BY = frozenset({"by", "von", "par", "por", "oleh"})   # "… 7:45 am PST by Joe Rossignol": a byline's own word
# what a comment's header ends in after its author's name, date and time (a stamp's byline then)
_COMMENTER = regex.compile(r"\s+(?:said|says|wrote|writes|sagt|schrieb|a dit|écrit|dijo|escribió|disse|escreveu)"
                           r"\s*:\s*$", regex.IGNORECASE)
_WORD = regex.compile(r"(?<![\p{Nd}\p{L}\p{M}'’])\p{L}[\p{L}\p{M}'’]*")   # not "th" of "19th"
_DASHED_DATE = regex.compile(r"(?<![\p{Nd}/-])(?:\p{Nd}{4}[/-]\p{Nd}{1,2}[/-]\p{Nd}{1,2}"
                             r"|\p{Nd}{1,2}[/-]\p{Nd}{1,2}[/-](?:\p{Nd}{4}|\p{Nd}{2}))(?![\p{Nd}/-])")
# a label's colon ("Termin: 27.03.2020, 18:30 Uhr", an event's date) or one that ends the line
# ("Nachtrag 22.04.2020 10:30 Uhr:", what follows is the text's): no byline's
_LABEL = regex.compile(r"(\p{L}[\p{L}\p{M}'’]*)\s*:")
_MERIDIEM_END = regex.compile(r"[ap]\.m\.\s*$", regex.IGNORECASE)   # "… 10:31 a.m." ends no sentence
# a stamp word a title-case headline capitalizes ("Polls Close At 8:00 PM On November 5"), a byline does not
_TITLE_CASED = frozenset({"At", "On", "Of", "By"})
_CLOCK = regex.compile(r"\p{Nd}\s?(?:[:：hH]|[時时点點])\s?\p{Nd}\p{Nd}")   # "7:34", "١٠:٣٠", "10h30", "10時30分"
# "18.40" (the Guardian's "Last modified on Thu 12 Sep 2024 18.40 BST", "31.10.2023, 19.18 Uhr"): a clock
# only with a date and a `stamp` word beside, since "March 2024: 3.50" is a figure and "9.30 A.M." an hour
_DOT_CLOCK = regex.compile(r"(?<![\p{Nd}.])(?:[01]?[0-9]|2[0-3])\.[0-5][0-9](?![\p{Nd}.])")
_NUMERIC_DATE = regex.compile(r"\p{Nd}{1,2}\.\s?\p{Nd}{1,2}\.\s?\p{Nd}{2,4}")
# Opening hours, a programme's slot: "08:30 - 12:00 Uhr", "Montag - Freitag: 08.00 - 16.00 Uhr"
_TIME = r"\p{Nd}{1,2}\s?[:：.hH]\s?\p{Nd}\p{Nd}"
_HOURS = regex.compile(rf"{_TIME}(?:\s?(?:am|pm|a\.m\.|p\.m\.|uhr|h))?\s*(?:[-–—~]|bis|to|until)\s*{_TIME}",
                       regex.IGNORECASE)


@lru_cache(maxsize=1)
def _calendar_data() -> dict:
    return tomllib.loads(resources.files("dedup").joinpath("data/calendar.toml").read_text("utf-8"))


@lru_cache(maxsize=1)
def calendar() -> frozenset[str]:
    """Every month and weekday name and calendar marker, normalized as words are."""
    return frozenset(word for language in _calendar_data().values() for key in NAMES
                     for name in language.get(key, ()) for word in tokens(name))


@lru_cache(maxsize=1)
def _stamp_words() -> dict[str, str]:
    """Each word a date-and-time line may hold besides its numbers -> its language: the
    month and weekday names and the `stamp` words ("updated", "am", "الساعة")."""
    words: dict[str, str] = {}
    for language, lists in _calendar_data().items():
        for key in (*NAMES, "stamp"):
            for name in lists.get(key, ()):
                for word in tokens(name):
                    words.setdefault(word, language)
    return words


@lru_cache(maxsize=1)
def _stamp_only() -> frozenset[str]:
    """The `stamp` words that are no month or weekday name ("modified", "bst", "uhr")."""
    names = calendar()
    return frozenset(word for lists in _calendar_data().values() for name in lists.get("stamp", ())
                     for word in tokens(name) if word not in names)


def stamp_language(raw: str, labelled: bool | None = None) -> str | None:
    """The language of a line that is a date and a time ("November 19, 2019 at 7:34 pm",
    "Updated 1:39 am EST, Wednesday, November 20, 2019", "نشر في ١٢ مارس ٢٠١٩ الساعة ١٠:٣٠"):
    a clock time, and besides numbers only month and weekday names and calendar.toml's
    `stamp` words, one at least (a line of numbers alone may be a table's). A clock
    written with a dot counts beside a date and a `stamp` word; two times joined as a
    span ("08:30 - 12:00 Uhr") are opening hours, no stamp. A dated line may hold up to
    BYLINE_WORDS other words, each capitalized, before the stamp or after its "by", if it
    neither ends like a sentence nor labels anything ("Reuters November 18, 2019 11:03 PM";
    not "Termin: 27.03.2020, 18:30 Uhr"), and a comment's header may end in its verb
    ("… at 6:34 am said:"). None for any other line."""
    line = _COMMENTER.sub("", raw)   # "Alex on September 17, 2018 at 6:34 am said:": a comment's header
    commented, raw = line != raw, line
    dotted = False
    if not _CLOCK.search(raw):
        if not _DOT_CLOCK.search(raw):   # (`labelled` False: the caller knows the line holds no label's word)
            return None if labelled is False else _published_date(raw, tokens(raw))
        dotted = True
    if _HOURS.search(raw):
        return None
    words = tokens(raw)
    if len(words) > STAMP_WORDS:
        return None
    if dotted and (_stamp_only().isdisjoint(words) or (calendar().isdisjoint(words) and not _NUMERIC_DATE.search(raw))):
        return None
    known, language, others, bylined, stamped, named = _stamp_words(), None, 0, commented, False, False
    for n, word in enumerate(words):
        if _DIGIT.search(word):
            stamped, named = True, False
            continue
        of = known.get(word)
        if of is None and word in _BY:   # a byline's "by", before a name ("… PST by Joe Rossignol")
            after = words[n + 1] if n + 1 < len(words) else ""
            if not after or after in known or _DIGIT.search(after):
                return None
            bylined = named = True
            continue
        if of is None:
            others += 1
            # names come before the stamp or after its "by": a quote's speaker ("On November 19 at 10:30,
            # Johnson said:") and an event's name ("09.05.2020 18:00 Uhr Atlantik Weine") after it
            if others > BYLINE_WORDS or (stamped and not named):
                return None
            continue
        stamped, named = True, False
        language = language or of
    if (others or bylined) and not (_dated(raw, words) and not SPOKEN.search(_MERIDIEM_END.sub("", raw))
                                    and not _labelled(raw, known) and _named(raw, known)):
        return None
    return language


def _published_date(raw: str, words: list[str]) -> str | None:
    """The language of a line that is a full date without a clock time after a
    publication label of calendar.toml's `published` ("Updated: 06 December 2019",
    "Veröffentlichung: 2. Februar 2022", "به‌روز شده ۵ نوامبر ۲۰۲۴"): besides the label
    and the date only `stamp` words ("Published Mar 04, 2024 • 3 minute read"). A date
    alone, or after any other word, is None: a diary's or an event's heading."""
    if len(words) > STAMP_WORDS or _published().keys().isdisjoint(words) or not _full_date(raw, words):
        return None
    labels, known, language = _published(), _stamp_words(), None
    at = 0
    while at < len(words):
        found = next(((len(label), of) for label, of in labels.get(words[at], ())
                      if tuple(words[at:at + len(label)]) == label), None)
        if found:
            language = language or found[1]
            at += found[0]
            continue
        if not _DIGIT.search(words[at]) and words[at] not in known:
            return None
        at += 1
    return language


def _full_date(raw: str, words: list[str]) -> bool:
    """A day, a month and a year: in numbers ("05.06.2024", "2024-06-05"), or a month's
    name with two numbers beside (a day and a year)."""
    if _NUMERIC_DATE.search(raw) or _DASHED_DATE.search(raw):
        return True
    return not _months().isdisjoint(words) and sum(bool(_DIGIT.search(w)) for w in words) >= 2


def published_firsts() -> frozenset[str]:
    """The first words of the `published` labels, normalized."""
    return frozenset(_published())


@lru_cache(maxsize=1)
def _published() -> dict[str, list[tuple[tuple[str, ...], str]]]:
    """calendar.toml's `published` labels by their first word: (words, language), longest first."""
    out: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for language, lists in _calendar_data().items():
        for label in lists.get("published", ()):
            words = tuple(tokens(label))
            out.setdefault(words[0], []).append((words, language))
    for entries in out.values():
        entries.sort(key=lambda entry: -len(entry[0]))
    return out


def _labelled(raw: str, known: dict[str, str]) -> bool:
    """Whether a word not the calendar's labels what follows it, or the line ends in a colon."""
    return raw.rstrip().endswith((":", "：")) or any(m.group(1).casefold() not in known for m in _LABEL.finditer(raw))


def _named(raw: str, known: dict[str, str]) -> bool:
    """Whether every word of the line other than the calendar's is capitalized, as a
    byline's names are ("The vote is at 9:00 on November 19" is a sentence's words; in a
    script without capitals a name cannot be told from a word, and none is taken), and
    none of the calendar's is capitalized as a title's are, but the first."""
    words = _WORD.findall(raw)
    return all(word[0].isupper() for word in words if word.casefold() not in known and word.casefold() not in _BY) \
        and not any(word in _TITLE_CASED for word in words[1:])


def _dated(raw: str, words: list[str]) -> bool:
    """Whether the line holds a date: a month's name, or a date in numbers ("20.11.2019", "2019-11-20")."""
    return not _months().isdisjoint(words) or bool(_NUMERIC_DATE.search(raw) or _DASHED_DATE.search(raw))


@lru_cache(maxsize=1)
def _months() -> frozenset[str]:
    return frozenset(word for language in _calendar_data().values() for name in language.get("months", ())
                     for word in tokens(name))


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
