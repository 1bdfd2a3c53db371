"""Which removals the review page shows of a run with too many to show them all: a
random sample of every rule's removals (stratified by rule), so each rule can be
judged from the page whatever its share of the run.

A removal's draw is a hash of the seed, its document's path and where it starts; a
rule's sample is its `size` removals with the smallest draws. That is the same
sample whatever order or batches the documents come in, so each write job keeps only
its own smallest draws, the run merges them, and `dedup report --sample N --seed S`
draws it again from report.json alone.
"""
from __future__ import annotations

import hashlib
import heapq
from dataclasses import dataclass, field

import numpy as np

from .hashing import mix

SIZE = 50            # removals of each rule on a sampled page
SEED = 0
FULL_PAGE = 2_000    # documents with removals a page shows all of; above, it shows a sample

_ROUND = np.uint64(0x632BE59BD9B4E019)

Draw = tuple[int, int, int, int]   # (draw, batch, document in the batch, removal in the document)


def _document_key(seed: int, path: str) -> int:
    digest = hashlib.blake2b(f"{seed}\0{path}".encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "little")


def draws(documents: list[dict], seed: int) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
    """Every removal of these report entries: its rule, draw (uint64), document and
    removal index."""
    rules, keys, starts, doc_of, index = [], [], [], [], []
    for d, doc in enumerate(documents):
        if not doc["removed"]:
            continue
        key = _document_key(seed, doc["path"])
        for n, r in enumerate(doc["removed"]):
            rules.append(r["rule"])
            keys.append(key)
            starts.append(r["chars"][0])
            doc_of.append(d)
            index.append(n)
    drawn = mix(mix(np.array(keys, np.uint64), np.array(starts, np.uint64)), _ROUND)
    return rules, drawn, np.array(doc_of, np.int64), np.array(index, np.int64)


def of_batch(documents: list[dict], size: int = SIZE, seed: int = SEED) -> dict[str, list[tuple[int, int, int]]]:
    """Per rule, the `size` removals of a batch's report entries with the smallest
    draws, as (draw, document, removal), smallest first."""
    rules, drawn, doc_of, index = draws(documents, seed)
    by_rule: dict[str, list[int]] = {}
    for n, rule in enumerate(rules):
        by_rule.setdefault(rule, []).append(n)
    out = {}
    for rule in sorted(by_rule):
        at = np.array(by_rule[rule], np.int64)
        order = np.lexsort((index[at], doc_of[at], drawn[at]))[:size]
        out[rule] = [(int(drawn[at[k]]), int(doc_of[at[k]]), int(index[at[k]])) for k in order]
    return out


@dataclass
class Sample:
    """A run's sample: per rule its drawn removals, (draw, batch, document, removal),
    smallest draw first; merged batch by batch in corpus order, so ties (equal
    draws) go to the earlier removal whatever the batches were."""
    size: int = SIZE
    seed: int = SEED
    rules: dict[str, list[Draw]] = field(default_factory=dict)

    def add(self, batch: int, drawn: dict[str, list[tuple[int, int, int]]]) -> None:
        for rule, items in drawn.items():
            mine = [(key, batch, doc, n) for key, doc, n in items]
            self.rules[rule] = heapq.nsmallest(self.size, heapq.merge(self.rules.get(rule, []), mine))

    def removals(self) -> dict[tuple[int, int], list[int]]:
        """(batch, document) -> the indices of its drawn removals, in order."""
        out: dict[tuple[int, int], list[int]] = {}
        for items in self.rules.values():
            for _, batch, doc, n in items:
                out.setdefault((batch, doc), []).append(n)
        return {at: sorted(out[at]) for at in sorted(out)}

    def drawn(self, paths: dict[tuple[int, int], str]) -> "Drawn":
        """The sample as the page shows it, its documents named by `paths` (of
        `removals()`'s keys)."""
        return Drawn(self.size, self.seed, {rule: len(items) for rule, items in sorted(self.rules.items())},
                     {paths[at]: removals for at, removals in self.removals().items()})


def of_report(documents: list[dict], size: int = SIZE, seed: int = SEED) -> Sample:
    """The sample of a whole report's documents (one batch)."""
    out = Sample(size, seed)
    out.add(0, of_batch(documents, size, seed))
    return out


def needed(with_removals: int, removed_chars: int, chars_limit: int) -> bool:
    """Whether a page shows a sample rather than every document with removals."""
    return with_removals > FULL_PAGE or removed_chars > chars_limit


@dataclass(frozen=True)
class Drawn:
    """What a sampled page shows of its sample: the size and seed it was drawn with,
    how many removals of each rule, and which removals of each listed document."""
    size: int
    seed: int
    counts: dict[str, int]
    removals: dict[str, list[int]]   # document path -> indices of its drawn removals
