"""Normalization and tokenization for matching only: the output text is never touched.

Every comparison in dedup (exact hashes, shingles, lexicon phrases, teaser prefixes)
goes through `tokens()`, so two lines that differ only in case, punctuation,
diacritics, letter variants, digit script or invisible characters compare equal.
"""
from __future__ import annotations

import re
import unicodedata

import numpy as np
import regex

# Scripts written without spaces between words: every character is a token, so
# word n-gram shingles become character n-grams there.
UNSPACED = r"\p{Han}\p{Hiragana}\p{Katakana}\p{Thai}\p{Lao}\p{Khmer}\p{Myanmar}"
# A word starts with a letter or digit and keeps its combining marks: Devanagari
# vowel signs and virama are \p{M}, and `re`'s \w would split words at them.
_TOKEN = regex.compile(
    rf"[{UNSPACED}]\p{{M}}*|[[\p{{L}}\p{{N}}]--[{UNSPACED}]][[\p{{L}}\p{{M}}\p{{N}}]--[{UNSPACED}]]*",
    regex.V1,
)


def _fold_table() -> dict[int, str | None]:
    # Digits of every script become ASCII digits. `re`'s \d is exactly category Nd in
    # the interpreter's own Unicode database, and scanning one string with it costs a
    # git hook 2 ms where asking unicodedata of every code point cost 40.
    every = "".join(np.arange(lo, hi, dtype="<u4").tobytes().decode("utf-32-le")   # surrogates hold no digits
                    for lo, hi in ((0, 0xD800), (0xE000, 0x20000)))
    table: dict[int, str | None] = {ord(digit): str(unicodedata.decimal(digit)) for digit in re.findall(r"\d", every)}
    # Invisible characters: zero-width space/joiners, word joiner, BOM, soft hyphen,
    # bidi controls (ALM U+061C included); Arabic tatweel.
    for code in (0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x00AD, 0x0640, 0x061C,
                 *range(0x200E, 0x2010), *range(0x202A, 0x202F), *range(0x2066, 0x206A)):
        table[code] = None
    # The dot above that case folding leaves after i from the Turkish İ ("İLGİLİ" folds to
    # "i̇lgi̇li̇"): the word is that of "ilgili" however it is capitalized.
    table[0x0307] = None
    # Arabic harakat, superscript alef and Quranic annotation marks.
    for code in (*range(0x064B, 0x0660), 0x0670, *range(0x06D6, 0x06EE), *range(0x0610, 0x061B)):
        table[code] = None
    # Arabic / Persian / Urdu letter variants that writers use interchangeably.
    variants = {
        "ي": "ىیےۍېێ",      # yeh: Arabic alef maksura, Farsi yeh, Urdu yeh barree ...
        "ك": "کڪ",          # kaf: Farsi/Urdu keheh
        "ه": "ہھەۀۂةۃ",     # heh: Urdu heh goal, do-chashmi heh, ae, taa marbuta
        "ا": "أإآٱٲٳ",      # alef with hamza / madda / wasla
        "و": "ؤ",
    }
    for base, others in variants.items():
        for char in others:
            table[ord(char)] = base
    return table


FOLD = _fold_table()


# What most web text needs NFKC for: no-break spaces and the ellipsis. Any character may
# be replaced by its own NFKC form first without changing the text's (NFKC decomposes
# character by character before it composes), and str.replace is fast.
_COMMON_COMPAT = {char: unicodedata.normalize("NFKC", char) for char in "\xa0\u202f\u2026"}


def nfkc(text: str) -> str:
    """unicodedata.normalize("NFKC", text), for a whole document: Python normalizes all
    of a text that is not NFKC already, slowly (0.6 s of 21 M characters of news in which
    a third of the articles have a no-break space), so the common characters are
    replaced first, then only the lines that still need it are normalized (the same
    result: a line break is a starter that nothing composes with)."""
    if unicodedata.is_normalized("NFKC", text):
        return text
    for char, folded in _COMMON_COMPAT.items():
        text = text.replace(char, folded)
    if unicodedata.is_normalized("NFKC", text):
        return text
    return "\n".join(line if unicodedata.is_normalized("NFKC", line) else unicodedata.normalize("NFKC", line)
                     for line in text.split("\n"))


def nfkc_keeps_words(text: str) -> bool:
    """True when NFKC changes nothing in `text` but the common characters above, which
    are no word's and are between words before and after (spaces, the ellipsis): its
    words are then those of the text as it is, case-folded character by character."""
    if unicodedata.is_normalized("NFKC", text):
        return True
    for char, folded in _COMMON_COMPAT.items():
        text = text.replace(char, folded)
    return unicodedata.is_normalized("NFKC", text)


def normalize(text: str) -> str:
    """Return `text` folded for matching: NFKC, case folding, invisible characters,
    Arabic diacritics and letter variants, digits of all scripts."""
    return unicodedata.normalize("NFKC", text).casefold().translate(FOLD)


def tokens(text: str) -> list[str]:
    """Words of `text` after normalization; punctuation of every script is dropped."""
    return _TOKEN.findall(normalize(text))


def written_words(text: str) -> tuple[str, list[tuple[int, int]]]:
    """`text` in NFKC, its case kept, and the spans of its words there: the words tokens()
    finds, as written (a byline's capitals tell a name from a heading)."""
    shown = unicodedata.normalize("NFKC", text)
    return shown, [m.span() for m in _TOKEN.finditer(shown)]


def key(text: str) -> str:
    """The normalized form of `text` as one string: its tokens joined by spaces."""
    return " ".join(tokens(text))


# A comma joins a sentence's clauses ("Sur le même sujet, le ministre …"); it separates
# a label only from a name of a few words after it ("Image source, Getty Images").
_COMMAS = frozenset(",،、，﹐﹑")
_AFTER_COMMA = 5
# An opening quote begins a quoted name or title, which a sentence or a heading holds as
# well as a label: 'More “Questions” for your opponent', 'Watch "The Crown" tonight'.
_QUOTES = frozenset("\"'“‘„‚")


_JOINERS = ("-", "\u2010", "\u2011")
# A line that opens with a quote which closes right after the phrase quotes it, as a title
# or a slogan ('«بخوانید» عنوان کمپین …', '“Read more” is the campaign'): not a label.
_OPENING = frozenset("\"'“‘„‚«‹「『")
_CLOSING = frozenset("\"'”’“‘»›」』")


def separated_after(text: str, count: int) -> bool:
    """True when punctuation or a symbol stands between word `count` and the next word
    of `text` ("Also read: …" is a teaser, "Also read the report" is prose), a comma
    only before at most _AFTER_COMMA more words, an opening quote or a hyphen that joins
    two words never."""
    norm = normalize(text)
    found = [(m.start(), m.end()) for m in _TOKEN.finditer(norm)]
    if len(found) <= count:
        return True   # the phrase is the whole line
    gap = norm[found[count - 1][1]:found[count][0]]
    if set(norm[:found[0][0]]) & _OPENING and set(gap) & _CLOSING:
        return False   # the phrase is quoted
    if gap in _JOINERS:
        return False   # a hyphen between two words, no space: one word ("पढ़ें-लिखें"), not a label's end
    between = [ch for ch in gap if not ch.isspace() and ch not in _QUOTES]
    if any(ch not in _COMMAS for ch in between):
        return True
    return bool(between) and len(found) - count <= _AFTER_COMMA
