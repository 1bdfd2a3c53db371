"""Page-level junk: the runs of bare short lines around a page's text and in it (menus,
section links, login and share buttons, sidebars, footers).

No corpus count sees these: each page words them its own way, or is its site's only page.
A page's shape does: its text is lines of sentences, and the junk a scraper keeps is runs
of one- to three-word links before the first sentence and after the last. Precision
comes first, so a line is bare (junk-like) only when it has at most SHORT_WORDS words and
none of what content lines carry: sentence punctuation, a digit, a separator or list
marker ("Chad - Sierra Leone", "* Terminator Genisys", "Tel: 0096..."), or a function
word of any of the lexicons' languages (a verse of a poem, a caption: "وما قدر"). A run
of short lines one after another (captions between pictures are apart), `page_junk_lines`
or more of them bare and at least HEAD_SHARE (TAIL_SHARE after the text), wholly before
the page's first sentence line (GOOD_WORDS words or more, with sentence punctuation,
not a lexicon's line like a copyright notice; a teaser's sentence between two such runs
of the head is not it, unless the run after it is the page's share bar: _past_teasers)
goes, and one wholly after its last, unless a line ending in a colon introduces it ("The
results:"; a lexicon's widget, "Follow us:", introduces nothing). Two runs on one side
of the text go with every line between them: a menu's headline teasers. Between the
first and last sentences, a run goes only with BODY_RUN times as many bare lines and no
colon-ended line right before it: a sidebar's links, not a list the text announces. A
page without such a sentence loses nothing (a poem, a table, a list).
"""
from __future__ import annotations

import tomllib
from functools import lru_cache
from importlib import resources

import numpy as np
import regex

SHORT_WORDS = 3
GOOD_WORDS = 8
# Sentence punctuation of the scripts dedup's lexicons cover: Latin, Arabic, Urdu,
# Devanagari and Bengali danda, CJK full stops, the Armenian and Ethiopic full stops.
SENTENCE_CHARS = r"[.!?;…؟؛۔।॥。！？；։።]"
SPOKEN = regex.compile(SENTENCE_CHARS + r"[\p{Pf}\p{Pe}\"'\s]*$")   # a line ending in sentence punctuation
# A line of these alone is a menu's mark, not a line of the page: a close or menu
# button, a separator between links (a table's "%" or "-" is a cell: not among them).
MARKS = regex.compile(r"[\s×✕✖|•·‹›«»☰≡/\u200b\ufeff\p{Co}]+")
LIST_CHARS = r"[*▪●◦‣►▶✓✔■□◆➤]"   # list bullets (the separators' "•" and "·" are among those)
# The share of a run's lines that must be bare: before the first sentence a page has its
# title and menus; after the last, it may go on in verses or a list, so the tail asks more.
HEAD_SHARE, TAIL_SHARE = (2, 3), (3, 4)
TITLE_WORDS = 4   # the head's last line this long is the page's title: no run joins across it
BODY_RUN = 2      # times page_junk_lines: the bare lines of a run between a page's sentences
HEAD, TAIL, BODY = 0, 1, 2


@lru_cache(maxsize=1)
def function_word_set() -> frozenset[str]:
    """data/function_words.toml's words (with their clitics), normalized as words are."""
    from .normalize import tokens
    data = tomllib.loads(resources.files("dedup").joinpath("data/function_words.toml").read_text("utf-8"))
    words = set()
    for language in data.values():
        for word in language["words"]:
            for prefix in ("", *language.get("prefixes", ())):
                words.update(tokens(prefix + word))
    return frozenset(words)


@lru_cache(maxsize=1)
def function_words() -> np.ndarray:
    """The hashes of the function words, as sketching hashes words: sorted."""
    from .sign import word_hashes64
    return np.unique(word_hashes64(sorted(function_word_set())))


def with_function_word(word64: np.ndarray, first: np.ndarray, last: np.ndarray) -> np.ndarray:
    """Which of these rows (words word64[first:last]) hold a function word."""
    lengths = last - first
    if not len(lengths) or not lengths.sum():
        return np.zeros(len(lengths), bool)
    at = np.repeat(first - np.cumsum(np.r_[0, lengths[:-1]]), lengths) + np.arange(lengths.sum())
    table = function_words()
    found = table[np.minimum(np.searchsorted(table, word64[at]), len(table) - 1)] == word64[at]
    return np.add.reduceat(found, np.r_[0, np.cumsum(lengths[:-1])]).astype(bool) & (lengths > 0)


def junk_runs(cut: np.ndarray, place: np.ndarray, words: np.ndarray, bare: np.ndarray, short: np.ndarray,
              sentence: np.ndarray, colon_end: np.ndarray, run_lines: int,
              share_bar: np.ndarray | None = None) -> dict[int, tuple[int, int, int, int]]:
    """The rows (content lines, document d's cut[d]..cut[d+1]-1; rows at consecutive `place`s
    are consecutive lines) in junk runs, each
    with (HEAD, TAIL or BODY, its run's first and last row, and the page's first
    sentence row, its last, or the sentence row before the run), all as positions in
    their document. `bare`: the row is a bare short
    line (see above); `short`: it is a short line that may hold a digit or a function
    word but nothing else a bare line may not (every bare line is short); `sentence`:
    it holds sentence punctuation; `colon_end`: it ends in a colon; `share_bar`: a
    lexicon took it as a share or follow line.

    A run is short lines on consecutive lines, at least `run_lines` and HEAD_SHARE
    (TAIL_SHARE) of them bare: a menu's "Budget 2019" or "In Perspective" does not cut
    it in two, and a poem's verses or a list of phone numbers, short but seldom bare,
    never make one."""
    n = len(words)
    if not n:
        return {}
    good = (words >= GOOD_WORDS) & sentence
    doc = np.searchsorted(cut, np.arange(n), "right") - 1
    starts = cut[:-1]
    good_rows = np.flatnonzero(good)
    first = np.full(len(starts), -1, np.int64)   # each document's first and last sentence row
    last = np.full(len(starts), -1, np.int64)
    if len(good_rows):   # rows ascend, so a document's sentence rows are consecutive here
        good_doc = doc[good_rows]
        change = good_doc[1:] != good_doc[:-1]
        opens, closes = np.r_[True, change], np.r_[change, True]
        first[good_doc[opens]] = good_rows[opens]
        last[good_doc[closes]] = good_rows[closes]
    # runs of short rows on consecutive lines of one document
    short = short & ~colon_end   # a line ending in a colon introduces what follows it
    edge = np.r_[True, (doc[1:] != doc[:-1]) | ~short[:-1] | ~short[1:] | (place[1:] != place[:-1] + 1)]
    run_start = np.flatnonzero(short & edge)
    run_end = np.flatnonzero(short & np.r_[edge[1:], True])   # inclusive
    bare_before = np.r_[0, np.cumsum(bare & short)]
    bare_in = bare_before[run_end + 1] - bare_before[run_start]
    d = doc[run_start]
    length = run_end - run_start + 1
    menu = (bare_in >= run_lines) & (HEAD_SHARE[1] * bare_in >= HEAD_SHARE[0] * length)
    shares = np.r_[0, np.cumsum(share_bar if share_bar is not None else np.zeros(n, bool))]
    _past_teasers(first, good_rows, doc, run_start[menu], run_end[menu], shares)
    has = first[d] >= 0
    head = has & (run_end < first[d])
    tail = has & (run_start > last[d])
    colons = np.r_[0, np.cumsum(colon_end)]   # a colon-ended row from the last sentence on introduces the tail
    tail &= colons[run_start] == colons[np.maximum(last[d], 0)]
    share = np.where(head, HEAD_SHARE[1] * bare_in >= HEAD_SHARE[0] * length,
                     TAIL_SHARE[1] * bare_in >= TAIL_SHARE[0] * length)
    # between sentences, a run twice as long (a sidebar's links), unless a colon-ended
    # line right before it introduces it (a list the text announces)
    introduced = colon_end[np.maximum(run_start - 1, 0)] & (doc[np.maximum(run_start - 1, 0)] == d) & (run_start > 0)
    body = has & (run_start > first[d]) & (run_end < last[d]) & ~introduced & (bare_in >= BODY_RUN * run_lines)
    body &= TAIL_SHARE[1] * bare_in >= TAIL_SHARE[0] * length
    chosen = np.flatnonzero(((head | tail) & (bare_in >= run_lines) & share) | body)
    # runs on one side of one page's text are one run with the lines between them (a
    # menu's headline teasers, its section names with a digit or a function word), but
    # never across the head's last line of TITLE_WORDS or more: the page's title
    title = np.full(len(starts), -1, np.int64)
    long_rows = np.flatnonzero(words >= TITLE_WORDS)
    before = long_rows[first[doc[long_rows]] > long_rows]
    before_doc = doc[before]
    last_before = np.r_[before_doc[1:] != before_doc[:-1], True][:len(before)]   # rows ascend: each document's last
    title[before_doc[last_before]] = before[last_before]
    spans: dict[tuple[int, int, int], list[int]] = {}   # (document, where, after the title or first row) -> rows
    for r in chosen.tolist():
        dd = int(d[r])
        if body[r]:   # alone
            key = (dd, BODY, int(run_start[r]))
        else:
            key = (dd, HEAD if head[r] else TAIL, int(head[r] and run_start[r] > title[dd]))
        span = spans.setdefault(key, [int(run_start[r]), int(run_end[r])])
        span[1] = int(run_end[r])
    out: dict[int, tuple[int, int, int, int]] = {}
    for (dd, where, _), (lo, hi) in sorted(spans.items(), key=lambda item: item[1][0]):
        base = int(starts[dd])
        sentence_row = {HEAD: first[dd], TAIL: last[dd]}.get(where)
        if sentence_row is None:   # the sentence before the run
            sentence_row = good_rows[np.searchsorted(good_rows, lo) - 1]
        info = (where, lo - base, hi - base, int(sentence_row) - base)
        for row in range(lo, hi + 1):
            out[row] = info
    return out


def _past_teasers(first: np.ndarray, good_rows: np.ndarray, doc: np.ndarray,
                  menu_start: np.ndarray, menu_end: np.ndarray, shares: np.ndarray) -> None:
    """Move each page's first sentence row (`first`, in place) past the sentences of its
    head's teasers: a sentence row with a menu's run before it and another between it
    and the next sentence row. The text starts at a sentence after no menu, at one
    whose next sentence follows with no menu between, or at one whose next run is the
    page's share bar (`shares`: share-bar rows before each row): the lead above the
    share buttons."""
    run_doc, good_doc = doc[menu_start], doc[good_rows]   # both ascend
    for dd in np.unique(run_doc).tolist():
        lo, hi = np.searchsorted(run_doc, [dd, dd + 1])
        starts, ends = menu_start[lo:hi], menu_end[lo:hi]
        rows = good_rows[slice(*np.searchsorted(good_doc, [dd, dd + 1]))]
        at = 0
        while at + 1 < len(rows):
            row, after = int(rows[at]), int(rows[at + 1])
            between = np.flatnonzero((starts > row) & (ends < after))
            if not (np.any(ends < row) and len(between)):
                break
            if shares[ends[between[0]] + 1] > shares[starts[between[0]]]:
                break
            at += 1
        if len(rows):
            first[dd] = rows[at]
