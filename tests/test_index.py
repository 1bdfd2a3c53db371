"""Banding finds planted near-duplicates; clusters keep the lowest member."""
import numpy as np

from dedup import hashing, index, sign


def _each(similarity):
    """A batch similarity (near_duplicates asks for a batch of pairs) from one of a pair."""
    return lambda pairs: np.array([similarity(i, j) for i, j in pairs.tolist()], np.float64)


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
    pairs = {tuple(p) for p in index.candidate_pairs(hashing.band_keys(sigs, 16, 8)).tolist()}
    planted = {(i, 30 + i) for i in range(10)}
    assert planted <= pairs
    assert len(pairs - planted) <= 2


def test_near_duplicates_are_verified_by_exact_similarity():
    rng = np.random.default_rng(3)
    sets = _sets(rng)
    sigs = sign.signatures(sets, 128, 1)
    keys = hashing.band_keys(sigs, 16, 8)
    signed = []
    def signatures_of(items):
        signed.extend(items.tolist())
        return sigs[items]
    found = index.near_duplicates(keys, 0.8, _each(lambda i, j: sign.jaccard(sets[i], sets[j])), signatures_of)
    reps = found.rep
    assert found.match[30:].tolist() == list(range(10)) and found.match[10:30].tolist() == list(range(10, 30))
    assert all(found.similarity[30 + i] == sign.jaccard(sets[i], sets[30 + i]) >= 0.8 for i in range(10))
    assert reps[:30].tolist() == list(range(30))
    assert reps[30:].tolist() == list(range(10))
    assert set(range(10)) | set(range(30, 40)) <= set(signed) and len(signed) <= 24   # candidates only
    # a similarity function that rejects everything leaves everything alone
    reps = index.near_duplicates(keys, 0.8, _each(lambda i, j: 0.0), signatures_of).rep
    assert reps.tolist() == list(range(40))


def test_candidates_far_below_the_threshold_by_their_estimate_are_not_verified(monkeypatch):
    """The MinHash estimate screens candidates before the exact similarity; with a
    pass smaller than the candidates, every pass is screened."""
    monkeypatch.setattr(index, "_PAIRS_PER_PASS", 3)
    rng = np.random.default_rng(3)
    sets = _sets(rng)
    sigs = sign.signatures(sets, 128, 1)
    keys = hashing.band_keys(sigs, 16, 8)
    asked = []
    def similarity(i, j):
        asked.append((i, j))
        return sign.jaccard(sets[i], sets[j])
    unlike = sigs.copy()
    unlike[30:35] = sigs[30:35] ^ np.uint32(1)     # their estimate falls to 0: never verified
    reps = index.near_duplicates(keys, 0.8, _each(similarity), lambda items: unlike[items]).rep
    assert reps[30:35].tolist() == list(range(30, 35)) and reps[35:].tolist() == list(range(5, 10))
    assert {(i, 30 + i) for i in range(5, 10)} <= set(asked) and not {(i, 30 + i) for i in range(5)} & set(asked)


def test_each_member_of_a_transitive_cluster_names_the_member_it_was_verified_against():
    """a ~ b ~ c with a and c below the threshold: c is in a's cluster, matched to b."""
    similar = {(0, 1): 0.85, (1, 2): 0.9, (0, 2): 0.7, (2, 3): 0.95, (0, 3): 0.95}
    keys = np.zeros((4, 1), np.uint64)   # one bucket: each paired with its first and its predecessor
    found = index.near_duplicates(keys, 0.8, _each(lambda i, j: similar.get((i, j), 0.0)), lambda items: np.zeros((len(items), 4)))
    assert found.rep.tolist() == [0, 0, 0, 0]
    assert found.match.tolist() == [3, 2, 3, 0]           # the most similar partner; 3: 0 and 2 tie, the lower wins
    assert found.similarity.tolist() == [0.95, 0.9, 0.95, 0.95]


def test_clusters_take_lowest_member():
    assert index.clusters(5, np.array([[3, 4], [1, 4], [0, 2]])).tolist() == [0, 1, 0, 1, 1]
