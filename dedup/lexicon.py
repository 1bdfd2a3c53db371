"""Boilerplate lexicon: per-language phrase lists shipped as TOML data files.

A rule matches a line by its normalized words: `line` (the whole line is the
phrase; a `#` in it stands for any word holding a digit: "# hours ago" is "3 hours
ago" and "32M ago" is "# ago"), `prefix` (the line starts with it: a teaser and its
headline) or `contains` (the phrase inside a short line). A prefix must be followed by
punctuation or a symbol ("Also read: …", "ये भी पढ़ें: …") unless the rule says
`separator = false`, or by a person's name where it says `names = true` (a byline: "By
Jill Disis, CNN Business"). The format: docs/lexicon.md.
"""
from __future__ import annotations

import os
import tomllib
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
import regex

from . import cachedir, shapes, sign, userfiles
from .hashing import distinct
from .normalize import separated_after, tokens, written_words
from .page import function_word_set
from .errors import DedupError

MATCH_KINDS = ("line", "prefix", "contains")
DEFAULT_MAX_TOKENS = 30
RULE_KEYS = frozenset({"id", "match", "phrases", "max_tokens", "separator", "names", "quoted"})
NUMBER = "#"   # in a line phrase: any word holding a digit
STAMP = "date and time"   # the phrase a timestamp hit names
_DIGIT = regex.compile(shapes.DIGITS)   # a word holding a digit of any script
# A line opening with the copyright sign ("© 2019 The Hollywood Reporter", "Copyright ⓒ
# Entermedia. 무단전재 및 재배포 금지") is a notice in any language: the sign is no word, so no
# phrase can hold it. Up to SIGN_WORDS words: a site's footer notice runs long.
SIGNS = "[©ⓒⒸ]"
SIGN_WORDS = 60
FOREIGN_WORDS = 6   # a contained phrase followed by this many words of other scripts is quoted
_SIGNED = regex.compile(rf"\s*(?:copyright\s*)?{SIGNS}", regex.IGNORECASE)
# A line of hashtags alone ("#能登半島地震 #石川県 #被災地支援", "هاشتاج: #الأهلي #الدوري_المصري"): a
# story's tags in any language, two or more, after a label of a few words and a colon at most.
# A markdown heading ("# Title", "## Title") has a space or another "#" after its sign.
HASH_SIGNS = "[#＃]"
_TAG = r"[#＃][\p{L}\p{N}\p{M}_]*\p{L}[\p{L}\p{N}\p{M}_]*"
_TAGGED = regex.compile(rf"\s*(?:[^\s#＃:：][^#＃:：]{{0,40}}[:：]\s*)?{_TAG}(?:[\s,،、|]+{_TAG})+[\s,،、|.]*")
NAMES = "names"   # what a `names = true` prefix rule needs after its phrase
QUOTED = "quoted"   # what a `quoted = true` prefix rule needs after its phrase: a quoted title to the line's end
_LEADING_NUMBER = regex.compile(r"\s*\p{Nd}[\p{Nd},.]*\s")   # a counted prefix's number: "12 responses to …"
_OPENING_QUOTES, _CLOSING_QUOTES = "\"'“‘„‚«‹「『", "\"'”’“‘»›」』"
NAME_WORDS = 4    # a byline's name has at most this many words ("Troy L. Smith", "Mary Clare Jalonick")
# Words that join names ("By Mike Wuerthele and Malcolm Owen") and lower-case particles inside a name
# ("Ludwig van Beethoven", "Ana de Armas", "Nasser al Khelaifi").
_NAME_JOINERS = frozenset({"and", "und", "et", "y", "e", "dan"})
_PARTICLES = frozenset({"van", "von", "de", "der", "den", "da", "das", "do", "dos", "di", "del", "della", "du",
                        "la", "le", "bin", "ibn", "al", "el", "ben", "ter", "ten"})
_NAME_ENDS = regex.compile(r"[,;|/·•(\[–—-]|\s-|\p{Nd}")   # after a name: its outlet, title or date
_SENTENCE_END = regex.compile(r"\p{Ll}{3}[.!?]\W*$")   # "… around the block.": a sentence, not a byline


class LexiconError(DedupError, ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Hit:
    rule: str      # "<language>/<rule id>"
    phrase: str    # the phrase as written in the lexicon
    kind: str      # line, prefix or contains; or listed: an item of the list a heading of the rule heads
    under: int = -1   # listed: the heading's line (its index in the document)

    @property
    def family(self) -> str:
        """The rule's id without its language: "share" of "en/share"."""
        return self.rule.rpartition("/")[2]

    def __reduce__(self):   # its fields in order: half the time of the default to unpickle the stored lexicons
        return Hit, (self.rule, self.phrase, self.kind, self.under)


SIGN_HIT = Hit("any/copyright", "©", "prefix")   # what a line opening with the copyright sign is
TAGS_HIT = Hit("any/tags", "#", "line")          # what a line of hashtags is


@dataclass
class Lexicon:
    # normalized phrase words -> hit, for `line` rules
    whole: dict[tuple[str, ...], Hit] = field(default_factory=dict)
    # first word -> [(phrase words, max tokens, needs separator, hit)], for `prefix` and `contains`
    prefixes: dict[str, list[tuple[tuple[str, ...], int, bool, Hit]]] = field(default_factory=dict)
    contained: dict[str, list[tuple[tuple[str, ...], int, bool, Hit]]] = field(default_factory=dict)
    # a prefix phrase after a number ("# responses to"): by its first word after the number, as prefixes
    counted: dict[str, list[tuple[tuple[str, ...], int, bool, Hit]]] = field(default_factory=dict)
    # line phrases with a number: their words, each NUMBER where the line has a word with a digit
    numbered: dict[tuple[str, ...], Hit] = field(default_factory=dict)
    numbered_max: int = 0
    languages: list[str] = field(default_factory=list)
    _gate: list | None = field(default=None, repr=False, compare=False)
    _by_hash: tuple | None = field(default=None, repr=False, compare=False)

    def add_rule(self, language: str, rule: dict, source: str) -> None:
        if not isinstance(rule, dict):
            raise LexiconError(f"{source}: every rule is a [[rule]] table, not {type(rule).__name__} {rule!r}"[:200])
        rule_id, kind, phrases = rule.get("id"), rule.get("match"), rule.get("phrases")
        if not isinstance(rule_id, str) or kind not in MATCH_KINDS or not isinstance(phrases, list) or not phrases:
            raise LexiconError(f"{source}: every [[rule]] needs id, match ({'/'.join(MATCH_KINDS)}) and phrases")
        unknown = sorted(set(rule) - RULE_KEYS)
        if unknown:
            raise LexiconError(f"{source}: rule {rule_id!r} has an unknown key {unknown[0]!r} "
                               f"(a rule's keys: {', '.join(sorted(RULE_KEYS))})"[:300])
        odd = next((phrase for phrase in phrases if not isinstance(phrase, str)), None)
        if odd is not None:
            raise LexiconError(f"{source}: phrase {odd!r} of rule {rule_id!r} is not a string"[:300])
        max_tokens = rule.get("max_tokens", DEFAULT_MAX_TOKENS)
        if not isinstance(max_tokens, int) or max_tokens < 1:
            raise LexiconError(f"{source}: max_tokens of rule {rule_id!r} must be a positive integer")
        separator = rule.get("separator", kind == "prefix")
        if not isinstance(separator, bool):
            raise LexiconError(f"{source}: separator of rule {rule_id!r} must be true or false")
        names = rule.get("names", False)
        if not isinstance(names, bool) or (names and kind != "prefix"):
            raise LexiconError(f"{source}: names of rule {rule_id!r} must be true or false, and only a prefix's")
        quoted = rule.get("quoted", False)
        if not isinstance(quoted, bool) or (quoted and (kind != "prefix" or names)):
            raise LexiconError(f"{source}: quoted of rule {rule_id!r} must be true or false, and only a prefix's "
                               "without names")
        # what must follow a prefix: a separator, anything, a name or a quoted title
        after = NAMES if names else QUOTED if quoted else separator
        self._gate = self._by_hash = None
        for phrase in phrases:
            numbered = kind == "line" and NUMBER in str(phrase)
            counted = kind == "prefix" and str(phrase).lstrip().startswith(NUMBER)
            if counted:
                phrase = str(phrase).lstrip()[len(NUMBER):].strip()
            words = tuple(tokens(str(phrase).replace(NUMBER, " 0 ") if numbered else str(phrase)))
            if not words:
                raise LexiconError(f"{source}: phrase {phrase!r} of rule {rule_id!r} has no words")
            hit = Hit(f"{language}/{rule_id}", f"{NUMBER} {phrase}" if counted else str(phrase), kind)
            if numbered:
                if set(_masked(words)) == {NUMBER}:
                    raise LexiconError(f"{source}: phrase {phrase!r} of rule {rule_id!r} is only numbers")
                self.numbered.setdefault(_masked(words), hit)
                self.numbered_max = max(self.numbered_max, len(words))
            elif kind == "line":
                self.whole.setdefault(words, hit)
            else:
                table = self.counted if counted else self.prefixes if kind == "prefix" else self.contained
                table.setdefault(words[0], []).append((words, max_tokens, after, hit))

    def candidates(self, word64: np.ndarray, first: np.ndarray, last: np.ndarray) -> np.ndarray:
        """Which lines (words word64[first[i]:last[i]]) `match` could hit, by word
        hashes: a line as long as a line phrase that starts with its first word, a line
        short enough for a prefix rule whose first two words (or one word) it starts
        with, or for a contained phrase whose first two words it holds together. Only
        these are tokenized again as strings: a gate by single words lets through every
        line holding "we", "all" or "ما"."""
        if self._gate is None:
            self._gate = _Gate.of(self)
        gate = self._gate
        lengths = last - first
        out = np.zeros(len(first), bool)
        if not len(first):
            return out
        firsts = word64[first]
        pairs = _pair_hashes(word64)   # pairs[i]: words i and i+1 (the last one: word i alone)
        two = lengths >= 2
        out |= gate.line_keys.holds(_line_keys(firsts, lengths))
        out |= (lengths <= gate.single_max) & gate.single_starts.holds(firsts)
        out |= two & (lengths <= gate.pair_max) & gate.pair_starts.holds(pairs[first])
        if len(gate.contained) or len(gate.contained_words):
            inside = gate.contained.holds(pairs)
            inside[last[lengths > 0] - 1] = False   # a line's last word and the next line's first
            inside |= gate.contained_words.holds(word64)
            seen = np.concatenate([[0], np.cumsum(inside)])
            out |= (lengths <= gate.contained_max) & (seen[last] > seen[first])
        return out

    def _word_hashes(self) -> dict[str, int]:
        """Every word of the phrases -> its sign.word_hash64, hashed in one call."""
        phrases = [*self.whole, *(entry[0] for table in (self.prefixes, self.contained, self.counted)
                                  for entries in table.values() for entry in entries)]
        words = sorted({w for phrase in phrases for w in phrase})
        return dict(zip(words, sign.word_hashes64(words).tolist()))

    def match(self, words: list[str], raw: str) -> Hit | None:
        """The first rule that matches a line (its text `raw`, its normalized `words`), or None."""
        return (_match((self.whole, self.prefixes, self.contained, _reporting()[0], self.counted), words, raw)
                or self.match_numbered(raw, len(words), words) or self.match_sign(raw, len(words))
                or self.match_tags(raw))

    def match_numbered(self, raw: str, count: int, words: list | None = None) -> Hit | None:
        """The line phrase with numbers that the line (its text `raw`, of `count` words)
        is, or its language's `timestamp` if it is a date and a time (shapes.stamp_language),
        or None. Sketching asks it of the short lines holding a digit. `words`: the line's
        normalized words or their hashes, if the caller has them (a line without a
        publication label's word is then never tokenized for one)."""
        if not _DIGIT.search(raw):
            return None
        hit = self.numbered.get(_masked(tokens(raw))) if count <= self.numbered_max else None
        labelled = None if words is None else not _published_words().isdisjoint(words)
        language = None if hit else shapes.stamp_language(raw, labelled=labelled)
        return hit or (Hit(f"{language}/timestamp", STAMP, "line") if language else None)

    @staticmethod
    def match_sign(raw: str, count: int) -> Hit | None:
        """SIGN_HIT if the line (`raw`, of `count` words) opens with the copyright sign.
        Sketching asks it of the lines holding the sign."""
        return SIGN_HIT if count <= SIGN_WORDS and _SIGNED.match(raw) else None

    @staticmethod
    def match_tags(raw: str) -> Hit | None:
        """TAGS_HIT if the line is hashtags alone, or after a short label. Sketching asks
        it of the lines holding a hash sign."""
        return TAGS_HIT if _TAGGED.fullmatch(raw) else None

    def match_hashes(self, hashes: list[int], raw: str) -> Hit | None:
        """match, given the line's words as their 64-bit hashes (sign.word_hash64), as
        sketching has them: the same hits, without tokenizing the line again."""
        if self._by_hash is None:
            hashed = self._word_hashes()
            key = lambda words: tuple(hashed[w] for w in words)
            by_first = lambda table: {hashed[first]: [(key(words), max_tokens, separator, hit)
                                                                for words, max_tokens, separator, hit in entries]
                                      for first, entries in table.items()}
            self._by_hash = ({key(words): hit for words, hit in self.whole.items()},
                             by_first(self.prefixes), by_first(self.contained), _reporting()[1],
                             by_first(self.counted))
        return (_match(self._by_hash, hashes, raw) or self.match_numbered(raw, len(hashes), hashes)
                or self.match_sign(raw, len(hashes)) or self.match_tags(raw))


def _match(tables: tuple[dict, dict, dict], words: list, raw: str) -> Hit | None:
    """Lexicon.match over tables keyed by words or by their hashes, alike."""
    whole, prefixes, contained, reporting, counted = tables
    if not words:
        return None
    hit = whole.get(tuple(words))
    if hit:
        return hit
    n = len(words)
    for phrase, max_tokens, after, hit in prefixes.get(words[0], ()):
        if n <= max_tokens and tuple(words[:len(phrase)]) == phrase:
            if _follows(after, raw, len(phrase)):
                return hit
    number = _LEADING_NUMBER.match(raw) if counted else None
    skip = len(tokens(number.group())) if number else n   # the number's words ("1,204" is two)
    for phrase, max_tokens, after, hit in counted.get(words[skip], ()) if skip < n else ():
        if n <= max_tokens and tuple(words[skip:skip + len(phrase)]) == phrase:
            if _follows(after, raw, skip + len(phrase)):
                return hit
    if contained:
        for i, word in enumerate(words):
            for phrase, max_tokens, _, hit in contained.get(word, ()):
                if (n <= max_tokens and tuple(words[i:i + len(phrase)]) == phrase
                        and not _reported(words, i, i + len(phrase), reporting)
                        and not _followed_in_other_script(raw, i, i + len(phrase))):
                    return hit
    return None


def _reported(words: list, start: int, end: int, reporting: dict) -> bool:
    """Whether the line's words outside [start, end) (a contained phrase) hold a verb
    that attributes speech (data/reporting.toml): the line quotes the widget's words."""
    for i, word in enumerate(words):
        if start <= i < end:
            continue
        for phrase in reporting.get(word, ()):
            if tuple(words[i:i + len(phrase)]) == phrase:
                return True
    return False


def _followed_in_other_script(raw: str, start: int, end: int) -> bool:
    """Whether the line runs on after a contained phrase (its words [start, end) of
    `raw`) for at least FOREIGN_WORDS words, all of scripts the phrase is not written
    in: a sentence of another language that quotes it ("All Rights Reserved लिखकर बेची
    जा रही थीं नकली किताबें …", "books sold marked 'All Rights Reserved' …"). A site's
    notice ends with its phrase, or holds it after the same notice in its own language."""
    words = tokens(raw)
    inside = {_script(word) for word in words[start:end]}
    after = [script for script in map(_script, words[end:]) if script]
    return len(after) >= FOREIGN_WORDS and not inside & set(after)


def _script(word: str) -> str | None:
    """The script of a word's first letter (Han and kana as one), None without letters."""
    letter = next((ch for ch in word if ch.isalpha()), None)
    if letter is None:
        return None
    script = unicodedata.name(letter, "?").split(" ")[0]
    return "CJK" if script in ("HIRAGANA", "KATAKANA") else script


@lru_cache(maxsize=1)
def _published_words() -> frozenset:
    """The first words of calendar.toml's publication labels, as words and as their
    hashes: a line with none is no published date (shapes.stamp_language's `labelled`)."""
    firsts = sorted(shapes.published_firsts())
    return frozenset(firsts) | frozenset(sign.word_hashes64(firsts).tolist())


@lru_cache(maxsize=1)
def _reporting() -> tuple[dict, dict]:
    """data/reporting.toml's phrases by their first word, as words and as their hashes
    (sign.word_hashes64), for _reported."""
    data = tomllib.loads(resources.files("dedup").joinpath("data/reporting.toml").read_text("utf-8"))
    phrases = sorted({tuple(tokens(phrase)) for language in data.values() for phrase in language["words"]})
    words = sorted({w for phrase in phrases for w in phrase})
    hashed = dict(zip(words, sign.word_hashes64(words).tolist()))
    by_word: dict = {}
    by_hash: dict = {}
    for phrase in phrases:
        by_word.setdefault(phrase[0], []).append(phrase)
        by_hash.setdefault(hashed[phrase[0]], []).append(tuple(hashed[w] for w in phrase))
    return by_word, by_hash


def _follows(after, raw: str, count: int) -> bool:
    """Whether what follows a prefix phrase of `count` words is what its rule asks
    (`after`): a separator (True), anything (False) or names (NAMES)."""
    if after == NAMES:
        return names_after(raw, count)
    if after == QUOTED:
        return quoted_after(raw, count)
    return not after or separated_after(raw, count)


def quoted_after(raw: str, count: int) -> bool:
    """True when a quoted title follows the first `count` words of `raw` to the line's
    end, a colon at most after it: a blog's comment heading ("12 Responses to “Council
    approves new budget”", "3 Gedanken zu „Need for Speed“"). A sentence that counts
    responses goes on in words ("12 responses to the survey were negative")."""
    shown, spans = written_words(raw)
    if len(spans) <= count:
        return False
    rest = shown[spans[count - 1][1]:].strip().rstrip(":：").rstrip()
    return len(rest) > 2 and rest[0] in _OPENING_QUOTES and rest[-1] in _CLOSING_QUOTES


def names_after(raw: str, count: int) -> bool:
    """True when what follows the first `count` words of `raw` is a byline's names: one
    or more, joined by "and" (or a comma), each of one to NAME_WORDS words that begin
    with a capital ("van", "de" inside), up to the line's end or a separator, a digit or
    a comma, after which come the outlet, a title or a date ("By Tess Bonn - 11/19/19
    06:56 AM EST"). After a phrase of one word ("By", "Por") one name word must be in
    capitals (REUTERS) or there must be two: "By Car" is a guide's heading; a capital
    function word ("By The Numbers") is never a name, nor is a line ending in a sentence."""
    shown, spans = written_words(raw)
    if len(spans) <= count:
        return False
    rest = shown[spans[count - 1][1]:].lstrip(" :-–—|»›")
    end = _NAME_ENDS.search(rest)
    names, after = (rest[:end.start()], rest[end.start():]) if end else (rest, "")
    if _SENTENCE_END.search(after or names):
        return False   # "By Monday morning, the queue stretched around the block."
    _, spans = written_words(names)
    words = [names[a:b] for a, b in spans]
    function_words = function_word_set()
    run = longest = 0
    for word in words:
        lower = word.casefold()
        if lower in _NAME_JOINERS:
            if not run:
                return False
            run = 0
        elif run and lower in _PARTICLES:
            continue
        elif word[0].isupper() and (len(word) == 1 or lower not in function_words):   # "L." an initial
            run += 1
            longest = max(longest, run)
            if run > NAME_WORDS:
                return False
        else:
            return False   # a lower-case word: a heading or a sentence, not a name
    if not run:
        return False       # nothing after the phrase, or a name joined to nothing
    return count > 1 or longest > 1 or any(len(w) > 1 and w.isupper() for w in words)


def _masked(words) -> tuple[str, ...]:
    return tuple(NUMBER if _DIGIT.search(word) else word for word in words)


def _hashes(hashes) -> _HashSet:
    return _HashSet(distinct(np.array(list(hashes), np.uint64)))


_PAIR = np.uint64(0x9E3779B97F4A7C15)
_LENGTH = np.uint64(0xC2B2AE3D27D4EB4F)


def _line_keys(first_words: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """A hash of a line's first word and its number of words: a `line` phrase can only
    be a line as long as itself, so the gate asks both."""
    return first_words ^ (lengths.astype(np.uint64) * _LENGTH)


def _pair_hashes(word64: np.ndarray) -> np.ndarray:
    """A hash of each word and the word after it (of the last word: that word's own)."""
    out = word64 * _PAIR
    out[:-1] ^= word64[1:]
    return out


def _phrase_pairs(phrases) -> _HashSet:
    """The pair hashes of the phrases' first two words (given as their hashes)."""
    return _hashes(_pair_hashes(np.array(p[:2], np.uint64))[0] for p in phrases)


class _HashSet:
    """A sorted set of 64-bit hashes asked of millions of words at once: a bitmap of
    2**18 slots picks the few that may be members (a gather, a fifth of the cost of a
    binary search), and only those are searched for."""
    _BITS = 18

    def __init__(self, hashes: np.ndarray):
        self.sorted = hashes
        self.slots = np.zeros(1 << self._BITS, bool)
        self.slots[self._slot(hashes)] = True

    def __len__(self) -> int:
        return len(self.sorted)

    @classmethod
    def _slot(cls, values: np.ndarray) -> np.ndarray:
        return ((values * _PAIR) >> np.uint64(64 - cls._BITS)).astype(np.intp)

    def holds(self, values: np.ndarray) -> np.ndarray:
        out = self.slots[self._slot(values)]
        maybe = np.flatnonzero(out)
        if len(maybe):
            found = values[maybe]
            at = np.minimum(np.searchsorted(self.sorted, found), len(self.sorted) - 1)
            out[maybe] = self.sorted[at] == found
        return out


@dataclass(frozen=True)
class _Gate:
    """Lexicon.candidates's sorted hash sets and the longest line each lets through."""
    line_keys: _HashSet       # whole-line phrases' first words with their lengths (_line_keys)
    single_starts: _HashSet   # one-word prefix phrases
    single_max: int
    pair_starts: _HashSet     # the first two words of longer prefix phrases
    pair_max: int
    contained_words: _HashSet   # one-word contained phrases (and counted prefixes: "# comments")
    contained: _HashSet         # the first two words of longer contained (and counted prefix) phrases
    contained_max: int

    @classmethod
    def of(cls, lexicon: "Lexicon") -> "_Gate":
        def split(table: dict) -> tuple[list, list]:   # entries of one-word phrases, of longer ones
            entries = [entry for listed in table.values() for entry in listed]
            return [e for e in entries if len(e[0]) == 1], [e for e in entries if len(e[0]) > 1]
        hashed = lexicon._word_hashes()
        most = lambda entries: max((entry[1] for entry in entries), default=0)
        first = lambda entries: _hashes(hashed[entry[0][0]] for entry in entries)
        pairs = lambda entries: _phrase_pairs([hashed[w] for w in entry[0][:2]] for entry in entries)
        single, longer = split(lexicon.prefixes)
        one, more = split(lexicon.contained)
        counted_one, counted_more = split(lexicon.counted)   # a counted prefix's words stand after its number
        one, more = one + counted_one, more + counted_more
        whole = list(lexicon.whole)
        firsts = np.array([hashed[words[0]] for words in whole], np.uint64)
        lengths = np.array([len(words) for words in whole], np.int64)
        return cls(_hashes(_line_keys(firsts, lengths)), first(single), most(single), pairs(longer), most(longer), first(one), pairs(more), most(one + more))


def _load_file(lexicon: Lexicon, data: bytes, source: str) -> None:
    try:
        doc = tomllib.loads(data.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise LexiconError(f"{source}: not a valid TOML lexicon ({err})") from None
    except RecursionError:
        raise LexiconError(f"{source}: not a valid TOML lexicon (nested too deeply to read)") from None
    language = doc.get("language")
    if not isinstance(language, str) or not isinstance(doc.get("rule"), list):
        raise LexiconError(f"{source}: a lexicon needs `language = \"..\"` and [[rule]] tables")
    unknown = sorted(set(doc) - {"language", "name", "rule"})
    if unknown:
        raise LexiconError(f"{source}: unknown key {unknown[0]!r} (a lexicon holds language, name and [[rule]] "
                           "tables)"[:300])
    for rule in doc["rule"]:
        lexicon.add_rule(language, rule, source)
    lexicon.languages.append(language)


def load(extra: tuple[str, ...] = ()) -> Lexicon:
    """The shipped lexicons plus the user's own files (same format)."""
    shipped = resources.files("dedup") / "lexicon"
    files = [(f"lexicon/{entry.name}", entry.read_bytes())
             for entry in sorted(shipped.iterdir(), key=lambda e: e.name) if entry.name.endswith(".toml")]
    for path in extra:
        try:
            files.append((path, userfiles.read(path)))
        except OSError as err:
            raise LexiconError(f"cannot read lexicon {path}: {err.strerror}") from None
    return _parsed(tuple(files[:len(files) - len(extra)]), tuple(files[len(files) - len(extra):]))


@lru_cache(maxsize=4)
def _parsed(shipped: tuple[tuple[str, bytes], ...], extra: tuple[tuple[str, bytes], ...]) -> Lexicon:
    """A lexicon of these (name, text) files, parsed once per process: a check makes
    a context for each of its steps. The files are read every time, so an edited
    lexicon is parsed again. The shipped files come parsed from the disk cache when it
    has them; the user's are parsed each run."""
    lexicon = _stored(shipped)
    for source, data in extra:
        _load_file(lexicon, data, source)
    return lexicon


_STORE = "lexicons-{}.pickle"


def _parsed_files(files: tuple[tuple[str, bytes], ...]) -> Lexicon:
    lexicon = Lexicon()
    for source, data in files:
        _load_file(lexicon, data, source)
    return lexicon


def store_folder() -> Path | None:
    """Where parsed lexicons are kept between runs (cachedir.py); None: nowhere."""
    return cachedir.folder("lexicons")


def _stored(files: tuple[tuple[str, bytes], ...]) -> Lexicon:
    """A new Lexicon of these files: unpickled from store_folder(), where it is named by a
    digest of the files and of the code that parses them (each module's size and time),
    or parsed (~0.2 s, a quarter of a one-file `dedup check`) and put there for the next
    run. A folder that cannot be written or a file that cannot be read costs only the parse."""
    import hashlib
    import pickle
    digest = hashlib.sha256(f"{pickle.HIGHEST_PROTOCOL}".encode())
    for module in sorted(Path(__file__).parent.glob("*.py")):
        stat = module.stat()
        digest.update(f"\0{module.name}\0{stat.st_size}\0{stat.st_mtime_ns}".encode())
    for name, data in files:
        digest.update(b"\0%d\0%s\0" % (len(data), name.encode()) + data)
    folder = store_folder()
    if folder is None:
        return _parsed_files(files)
    path = folder / _STORE.format(digest.hexdigest()[:24])
    try:
        stored = pickle.loads(path.read_bytes())
        if isinstance(stored, Lexicon):
            return stored
    except Exception:   # absent, or not a whole pickle: parse it again
        pass
    lexicon = _parsed_files(files)
    try:
        path.parent.mkdir(exist_ok=True)
        for old in path.parent.glob(_STORE.format("*")):   # another version's, or other files'
            old.unlink(missing_ok=True)
        partial = path.with_name(f"{path.name}.{os.getpid()}")
        partial.write_bytes(pickle.dumps(lexicon, pickle.HIGHEST_PROTOCOL))
        os.replace(partial, path)
    except OSError:
        pass
    return lexicon
