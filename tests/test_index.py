"""Banding finds planted near-duplicates; clusters keep the lowest member."""
import numpy as np

from dedup import index, sign


def _sets(rng, n_base=30, size=200):
    base = [np.unique(rng.integers(0, 2**32, size, dtype=np.uint64).astype(np.uint32)) for _ in range(n_base)]
    edited = []
    for s in base[:10]:          # planted: ~90% of shingles kept
        keep = s[rng.random(len(s)) < 0.95]
        extra = rng.integers(0, 2**32, len(s) - len(keep), dtype=np.uint64).astype(np.uint32)
        edited.append(np.unique(np.concatenate([keep, extra])))
    return base + edited


def test_candidates_include_planted_pairs_and_few_others():
    rng = np.random.default_rng(7)
    sets = _sets(rng)
    sigs = sign.signatures(sets, 128, 1)
    pairs = {tuple(p) for p in index.candidate_pairs(sigs, 16, 8).tolist()}
    planted = {(i, 30 + i) for i in range(10)}
    assert planted <= pairs
    assert len(pairs - planted) <= 2


def test_near_duplicates_are_verified_by_exact_similarity():
    rng = np.random.default_rng(3)
    sets = _sets(rng)
    sigs = sign.signatures(sets, 128, 1)
    reps = index.near_duplicates(sigs, 16, 8, 0.8, lambda i, j: sign.jaccard(sets[i], sets[j]))
    assert reps[:30].tolist() == list(range(30))
    assert reps[30:].tolist() == list(range(10))
    # a similarity function that rejects everything leaves everything alone
    reps = index.near_duplicates(sigs, 16, 8, 0.8, lambda i, j: 0.0)
    assert reps.tolist() == list(range(40))


def test_clusters_take_lowest_member():
    assert index.clusters(5, np.array([[3, 4], [1, 4], [0, 2]])).tolist() == [0, 1, 0, 1, 1]
