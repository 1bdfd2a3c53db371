"""Candidate pairs verified as jobs of their own: the shingle sets read back from ranges of
stores in memory or in spill files, the jobs run by a clean's workers."""
import json
import os
import pickle
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup import index, sign, verify
from dedup.table import Store, close_spills
from tests.test_cli import run


def _stores(tmp_path, rng, count: int) -> list[Store]:
    """Stores of random shingles (few distinct values, so sets overlap), every other
    one in a spill file."""
    stores = []
    for n in range(count):
        shingles = rng.integers(0, 50, int(rng.integers(1, 400))).astype(np.uint32)
        if n % 2:
            path = tmp_path / f"{n}.u32"
            path.write_bytes(shingles.tobytes())
            stores.append(Store(str(path), None, 0, 0, None))
        else:
            stores.append(Store(shingles, None, 0, 0, None))
    return stores


def _array(store: Store) -> np.ndarray:
    if isinstance(store.shingles, np.ndarray):
        return store.shingles
    return np.fromfile(store.shingles, np.uint32)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 6), st.integers(0, 12), st.sampled_from([0, 3, 50, verify.GAP]))
def test_sets_are_each_items_union_of_its_ranges_however_the_reads_are_cut(tmp_path_factory, seed, count, items, gap):
    """Items made of ranges in several stores, some in spill files, read in runs of
    close ranges (any gap): each item's set is the sorted union of its ranges, an item
    without ranges the empty set; the similarities are their Jaccard similarities."""
    rng = np.random.default_rng(seed)
    stores = _stores(tmp_path_factory.mktemp("stores"), rng, count)
    store, lo, hi, owner, expected = [], [], [], [], []
    for item in range(items):
        parts = []
        for _ in range(int(rng.integers(0, 4))):
            s = int(rng.integers(0, count))
            size = len(_array(stores[s]))
            a = int(rng.integers(0, size))
            b = int(rng.integers(a, size + 1))
            store.append(s), lo.append(a), hi.append(b), owner.append(item)
            parts.append(_array(stores[s])[a:b])
        expected.append(np.unique(np.concatenate(parts or [np.empty(0, np.uint32)])))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(verify, "GAP", gap)
        ranges = verify.ranges(tuple(stores), np.array(store, np.int64), np.array(lo), np.array(hi),
                               np.array(owner, np.int64), items)
        flat, offsets = verify.sets(ranges)
        assert [flat[offsets[k]:offsets[k + 1]].tolist() for k in range(items)] == [e.tolist() for e in expected]
        pairs = np.array([(i, j) for i in range(items) for j in range(i + 1, items)], np.int64).reshape(-1, 2)
        job = verify.pairs_of(pairs, lambda chosen: verify.ranges(
            tuple(stores), *(np.array(x, np.int64)[np.isin(owner, chosen)] for x in (store, lo, hi)),
            np.searchsorted(chosen, np.array(owner, np.int64)[np.isin(owner, chosen)]), len(chosen)))
        got = verify.similarities(job)
    close_spills()
    assert got.tolist() == [sign.jaccard(expected[i], expected[j]) for i, j in pairs.tolist()]


def test_a_job_carries_only_the_stores_it_reads(tmp_path):
    """A job goes to a worker as the paths of its own spill files, not as the corpus's."""
    stores = _stores(tmp_path, np.random.default_rng(1), 40)
    ranges = verify.ranges(tuple(stores), np.array([39, 3, 3]), np.array([0, 0, 1]), np.array([1, 1, 1]),
                           np.array([0, 1, 1]), 2)
    assert [s.shingles for s in ranges.stores] == [stores[3].shingles, stores[39].shingles]
    assert ranges.store.tolist() == [1, 0, 0]
    assert len(pickle.dumps(verify.pairs_of(np.array([[0, 1]]), lambda items: ranges))) < 2000


def _chains(rng: random.Random, chains: int = 6, steps: int = 30) -> list[dict]:
    """Records each of which is the one before it with a word changed: neighbours are
    near copies, the ends of a chain far apart."""
    words = [f"w{i}" for i in range(400)]
    rows = []
    for chain in range(chains):
        text = [rng.choice(words) for _ in range(100)]
        for step in range(steps):
            text[rng.randrange(100)] = f"c{chain}s{step}"
            rows.append({"id": f"r{chain}-{step}", "text": " ".join(text) + "\n"})
    rng.shuffle(rows)
    return rows


def test_a_runs_workers_verify_the_candidates_to_the_one_process_result(tmp_path, monkeypatch):
    """With two workers, no candidate pair is verified and no band of the documents
    bucketed in the run's own process (it would fail here), and the outputs and report
    are those of a one-process run."""
    from dedup import pipeline
    corpus = tmp_path / "in"
    corpus.mkdir()
    (corpus / "rows.jsonl").write_text("".join(json.dumps(r) + "\n" for r in _chains(random.Random(8))))
    monkeypatch.setattr(pipeline, "MIN_SHARD_BYTES", 1)
    monkeypatch.setattr(pipeline, "SHARD_BYTES", 8_000)
    monkeypatch.setattr(index, "_PAIRS_PER_PASS", 7)   # many batches of pairs in flight at once
    outputs = {}
    for jobs in (1, 2):
        if jobs == 2:
            def similarities(job, parent=os.getpid(), original=verify.similarities):
                assert os.getpid() != parent, "verified in the run's own process"
                return original(job)
            monkeypatch.setattr(verify, "similarities", similarities)

            def banded(job, parent=os.getpid(), original=index.Banding.__call__):
                assert os.getpid() != parent, "bucketed in the run's own process"
                return original(job)
            monkeypatch.setattr(index.Banding, "__call__", banded)
        out = tmp_path / f"out-{jobs}"
        result = run("clean", corpus, "-o", out, "-j", jobs, "--id-field", "id")
        assert result.exit_code == 0, result.output
        report = json.loads((out / "report.json").read_text())
        report.pop("output")
        outputs[jobs] = (report, (out / "rows.jsonl").read_bytes())
    assert outputs[2] == outputs[1]
    assert outputs[1][0]["summary"]["by_rule"]["near-document"]["spans"] == 6 * 29


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(0, 60), st.sampled_from([1, 3, 4, 16]), st.integers(1, 3))
def test_banding_jobs_find_the_candidates_all_bands_at_once_find(seed, count, per_job, stores):
    """Whatever the bands per job and however the documents' signatures are split
    among stores, the jobs' merged answers are candidate_codes of all the band keys."""
    from dedup.hashing import band_keys
    from dedup.table import Signed
    rng = np.random.default_rng(seed)
    signatures = rng.integers(0, 3, (count, 32)).astype(np.uint32)   # few values: many shared bands
    cuts = np.sort(rng.integers(0, count + 1, stores - 1)).tolist()
    parts = np.split(np.arange(count), cuts)
    signed = Signed(tuple(Store(None, None, 0, 0, signatures[rows][::-1].copy()) for rows in parts),
                    tuple(np.arange(len(rows))[::-1].copy() for rows in parts), 32)
    old, index.BANDS_PER_JOB = index.BANDS_PER_JOB, per_job
    try:
        jobs = index.banding(signed, 16, 2)
    finally:
        index.BANDS_PER_JOB = old
    assert [job.bands for job in jobs] == [tuple(range(lo, min(lo + per_job, 16))) for lo in range(0, 16, per_job)]
    whole = index.candidate_codes(index.Bands.of(band_keys(signatures, 16, 2)))
    assert np.array_equal(index.merged(verify.here(jobs)), whole)
    assert count < 8 or len(whole)   # (two signatures share none of 16 bands one time in 7; eight, never)
