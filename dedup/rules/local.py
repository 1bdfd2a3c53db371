"""Rules that need only the document itself: the phrase lexicon, and a short line
repeated in a row."""
from __future__ import annotations

from ..config import Settings
from .findings import BOILERPLATE, Finding, flag


def lexicon(sketches, decisions) -> None:
    """The lines the phrase lexicon matched when each document was sketched."""
    for sk, dec in zip(sketches, decisions):
        for pos, hit in sk.lexicon.items():
            flag(dec, sk, pos, Finding(BOILERPLATE, f"lexicon:{hit.rule}", {"pattern": hit.phrase}))


def repeated_in_document(sketches, decisions, live, settings: Settings) -> None:
    """A short line printed again and again in a row ("Related articles" three times):
    every copy is boilerplate. (Copies apart from each other, like a poem's refrain,
    are left to the duplicate rules.)"""
    for d in live:
        sk, dec = sketches[d], decisions[d]
        hashes = sk.hash.tolist()
        start = 0
        for pos in range(1, len(hashes) + 1):
            if pos < len(hashes) and hashes[pos] == hashes[start]:
                continue
            run = range(start, pos)
            if len(run) >= settings.repeat_count and sk.words[start] <= settings.boilerplate_words:
                for p in run:
                    flag(dec, sk, p, Finding(BOILERPLATE, "repeated-in-document", {"count": len(run)}))
            start = pos
