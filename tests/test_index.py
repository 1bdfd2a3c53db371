"""Banding finds planted near-duplicates; clusters keep the lowest member."""
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup import hashing, index, sign


def _pairwise(similarity):
    """A batch's similarities from the similarity of one pair."""
    return lambda pairs: np.array([similarity(i, j) for i, j in pairs.tolist()], np.float64)


def _each_batch(similarity):
    """Similarities of batches of pairs (what near_duplicates asks) from a function of one batch."""
    return lambda batches: map(similarity, batches)


def _each(similarity):
    """Similarities of batches of pairs from the similarity of one pair."""
    return _each_batch(_pairwise(similarity))


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


def _reference(n, keys, similar, threshold):
    """Clusters from scratch: every candidate pair verified, components by search, each
    item's best partner by sorting its edges."""
    edges = {(i, j): similar(i, j) for i, j in index.candidate_pairs(keys).tolist() if similar(i, j) >= threshold}
    rep = list(range(n))
    for start in range(n):
        seen, todo = {start}, [start]
        while todo:
            x = todo.pop()
            for (i, j) in edges:
                for a, b in ((i, j), (j, i)):
                    if a == x and b not in seen:
                        seen.add(b)
                        todo.append(b)
        rep[start] = min(seen)
    match, best = list(range(n)), [1.0] * n
    for a in range(n):
        partners = sorted((-s, b) for (i, j), s in edges.items() for x, b in ((i, j), (j, i)) if x == a)
        if partners:
            best[a], match[a] = -partners[0][0], partners[0][1]
    return rep, match, best


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.integers(0, 3), min_size=3, max_size=3), min_size=2, max_size=24), st.data(),
       st.sampled_from([1, 2, 5, 1 << 13]), st.booleans())
def test_clusters_and_matches_are_the_same_however_the_pairs_are_split_into_passes(rows, data, per_pass, compiled):
    """Verified edges are folded in pass by pass and never held together: the clusters
    (lowest member), matches and similarities are those of every edge at once, for any
    pass size, with union-find compiled or not."""
    import pytest
    keys = np.array(rows, np.uint64)
    n = len(keys)
    table = {(i, j): data.draw(st.sampled_from([0.5, 0.8, 0.9, 1.0])) for i in range(n) for j in range(i + 1, n)}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(index, "_PAIRS_PER_PASS", per_pass)
        patch.setattr(index, "COMPILED_UNIONS", 0 if compiled else 1 << 30)
        found = index.near_duplicates(keys, 0.8, _each(lambda i, j: table[(i, j)]), lambda items: np.zeros((len(items), 4)))
    rep, match, best = _reference(n, keys, lambda i, j: table[(i, j)], 0.8)
    assert found.rep.tolist() == rep and found.match.tolist() == match and found.similarity.tolist() == best


def test_union_of_a_long_chain_in_any_order_gives_its_lowest_item_compiled_or_not(monkeypatch):
    rng = np.random.default_rng(11)
    n = 20_000
    chain = np.stack([np.arange(n - 1), np.arange(1, n)], axis=1)[rng.permutation(n - 1)]
    chain[::2] = chain[::2, ::-1]   # either item first
    other = rng.integers(0, 5000, (3000, 2))
    for limit in (0, 1 << 30):
        monkeypatch.setattr(index, "COMPILED_UNIONS", limit)
        assert index.clusters(n, chain).tolist() == [0] * n
        got = index.clusters(5000, other)
        assert (got <= np.arange(5000)).all() and (got[got] == got).all()
        if limit:
            assert got.tolist() == compiled.tolist()
        compiled = got


def test_clusters_take_lowest_member():
    assert index.clusters(5, np.array([[3, 4], [1, 4], [0, 2]])).tolist() == [0, 1, 0, 1, 1]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 4), st.integers(0, 2)), min_size=1, max_size=60), st.booleans())
def test_each_copy_names_the_earliest_item_of_its_exact_group(rows, one_column):
    """The exact groups the duplicate rules start from: the first item with the same
    hash (or the same row of hashes) stays, every later one names it."""
    from dedup.rules.duplicates import _first_copies
    hashes = np.array(rows, np.uint64)[:, 0] if one_column else np.array(rows, np.uint64)
    key = [tuple(np.atleast_1d(h).tolist()) for h in hashes]
    assert _first_copies(hashes).tolist() == [key.index(k) for k in key]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.integers(0, 30), min_size=2, max_size=2), min_size=1, max_size=60))
def test_candidate_pairs_are_every_pair_sharing_a_bucket_once_in_order(rows):
    """Every member of a bucket is paired with its first and its predecessor; pairs
    come out sorted, lower item first, each once."""
    keys = np.array(rows, np.uint64)
    expected = set()
    for band in range(keys.shape[1]):
        members: dict = {}
        for i, k in enumerate(keys[:, band].tolist()):
            members.setdefault(k, []).append(i)
        for group in members.values():
            expected |= {(group[0], j) for j in group[1:]} | {(a, b) for a, b in zip(group, group[1:])}
    assert index.candidate_pairs(keys).tolist() == sorted([list(p) for p in expected])
    codes = sorted(i * len(keys) + j for i, j in expected)
    for compiled in (False, True):   # every item sorted, or only those kernel.maybe_shared picks
        assert index.candidate_codes(index.Bands.of(keys), compiled=compiled).tolist() == codes


def test_the_items_that_may_share_a_key_include_every_one_that_does():
    """kernel.maybe_shared: a superset of the items whose key another has, and (its
    bitmap being 8 bits or more per item) not many more."""
    from dedup import kernel
    rng = np.random.default_rng(5)
    keys = rng.integers(0, 2**63, 200_000, dtype=np.int64).astype(np.uint64)
    keys[rng.integers(0, len(keys), 3_000)] = keys[rng.integers(0, len(keys), 3_000)]
    values, counts = np.unique(keys, return_counts=True)
    sharing = np.flatnonzero(np.isin(keys, values[counts > 1]))
    picked = kernel.maybe_shared(keys)
    assert np.all(np.diff(picked) > 0) and set(sharing.tolist()) <= set(picked.tolist())
    assert len(picked) < len(sharing) + len(keys) // 8


@settings(max_examples=80, deadline=None)
@given(st.sets(st.tuples(st.integers(0, 7), st.integers(0, 7)).filter(lambda p: p[0] < p[1]), max_size=20),
       st.data())
def test_each_item_matches_its_most_similar_partner_the_lowest_on_ties(edges, data):
    """An item's match is its most similar verified partner; on equal similarity, the
    lowest; an item without partners is its own match at 1.0."""
    edges = sorted(edges)
    sims = [data.draw(st.sampled_from([0.8, 0.9, 1.0])) for _ in edges]
    match, best = list(range(8)), [1.0] * 8
    for a in range(8):
        partners = sorted((-s, b) for (i, j), s in zip(edges, sims) for x, b in ((i, j), (j, i)) if x == a)
        if partners:
            best[a], match[a] = -partners[0][0], partners[0][1]
    got_match, got_best = np.arange(8), np.full(8, -1.0)
    index._fold_best(got_match, got_best, np.array(edges, np.int64).reshape(-1, 2), np.array(sims))
    got_best[got_best < 0] = 1.0
    assert got_match.tolist() == match and got_best.tolist() == best


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 19), st.integers(0, 19)), max_size=60),
       st.lists(st.integers(0, 50), min_size=20, max_size=20), st.integers(1, 120), st.integers(1, 9))
def test_passes_cover_every_pair_once_within_their_bounds(pairs, sizes, shingles, per_pass):
    """Passes go over the pairs in order, each at most so many pairs and, unless it is
    a single pair, items whose sizes (counted once per pair) fit the shingle budget."""
    import pytest
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(index, "SHINGLES_PER_PASS", shingles)
        patch.setattr(index, "_PAIRS_PER_PASS", per_pass)
        pairs, sizes = np.array(pairs, np.int64).reshape(-1, 2), np.array(sizes, np.int64)
        starts = index.passes(pairs, sizes)
        assert starts == sorted(set(starts)) and (not len(pairs) or starts[0] == 0)
        for lo, hi in zip(starts, starts[1:] + [len(pairs)]):
            assert 0 < hi - lo <= per_pass
            assert hi - lo == 1 or sizes[pairs[lo:hi]].sum() <= shingles
        assert index.passes(pairs, None) == list(range(0, len(pairs), per_pass))


def test_passes_bounded_by_size_find_the_same_clusters(monkeypatch):
    rng = np.random.default_rng(5)
    sets = _sets(rng)
    sigs = sign.signatures(sets, 128, 1)
    keys = hashing.band_keys(sigs, 16, 8)
    similar = _pairwise(lambda i, j: sign.jaccard(sets[i], sets[j]))
    whole = index.near_duplicates(keys, 0.8, _each_batch(similar), lambda items: sigs[items])
    monkeypatch.setattr(index, "SHINGLES_PER_PASS", 500)   # two or three sets a pass
    asked = []
    def batch(pairs):
        asked.append(len(np.unique(pairs)))
        return similar(pairs)
    cut = index.near_duplicates(keys, 0.8, _each_batch(batch), lambda items: sigs[items], sizes=np.array([len(s) for s in sets]))
    assert len(asked) >= 5 and max(asked) <= 3
    for name in ("rep", "match", "similarity"):
        assert getattr(cut, name).tolist() == getattr(whole, name).tolist()


def test_similarities_asked_in_passes_come_back_in_the_pairs_order(monkeypatch):
    monkeypatch.setattr(index, "SHINGLES_PER_PASS", 10)
    pairs = np.array([[0, 5], [1, 2], [3, 4], [0, 1], [2, 5]], np.int64)
    sizes = np.array([4, 3, 6, 1, 2, 5])
    calls = []
    def similarities(batch):
        calls.append(len(batch))
        return batch[:, 0] * 10.0 + batch[:, 1]
    got = index.in_passes(pairs, sizes, _each_batch(similarities))
    assert got.tolist() == [5.0, 12.0, 34.0, 1.0, 25.0] and len(calls) >= 3
    assert index.in_passes(pairs[:0], sizes, _each_batch(similarities)).tolist() == []
