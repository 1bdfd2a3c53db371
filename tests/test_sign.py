"""Signatures: batched, and identical to datasketch's."""
import numpy as np
from datasketch import MinHash, MinHashLSH
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup import sign
from dedup.normalize import tokens

from .conftest import HINDI, URDU


def test_batched_word_hashes_equal_the_scalar_reference():
    words = tokens(HINDI.read_text("utf-8") + URDU.read_text("utf-8")) + ["𝔘nicode", "x" * 5000]
    assert sign.word_hashes(words).tolist() == [sign.word_hash(w) for w in words]


@given(st.lists(st.text(min_size=1, max_size=8), max_size=40))
def test_word_hashes_any_words(words):
    assert sign.word_hashes(words).tolist() == [sign.word_hash(w) for w in words]


def test_shingles_are_word_kgrams():
    words = tokens(URDU.read_text("utf-8"))[:50]
    expected = {sign.shingle_hash([sign.word_hash(w) for w in words[i:i + 5]]) for i in range(len(words) - 4)}
    assert sign.shingles(words, 5).tolist() == sorted(expected)
    # a block shorter than k words is one shingle of all its words
    assert sign.shingles(words[:3], 5).tolist() == [sign.shingle_hash([sign.word_hash(w) for w in words[:3]])]


@settings(max_examples=30, deadline=None)
@given(st.integers(min_value=0, max_value=2**16), st.sampled_from([16, 64, 128]))
def test_signatures_are_datasketch_values(seed, num_perm):
    rng = np.random.default_rng(seed)
    sets = [np.unique(rng.integers(0, 2**32, size=n, dtype=np.uint64).astype(np.uint32)) for n in (1, 7, 300, 0)]
    ours = sign.signatures(sets, num_perm, seed)
    for values, signature in zip(sets, ours):
        reference = MinHash(num_perm=num_perm, seed=seed, hashfunc=lambda x: x)
        for v in values.tolist():
            reference.update(v)
        assert signature.tolist() == reference.hashvalues.tolist()


def test_signatures_work_in_datasketch_lsh():
    text = HINDI.read_text("utf-8").splitlines()[0]
    words = tokens(text)
    edited = words[:]
    edited[10] = "विटकोफ"
    sets = [sign.shingles(words, 5), sign.shingles(edited, 5), sign.shingles(tokens(URDU.read_text("utf-8")), 5)]
    sigs = sign.signatures(sets, 128, 1)
    lsh = MinHashLSH(threshold=0.8, num_perm=128)
    lsh.insert("original", sign.as_minhash(sigs[0], 1))
    lsh.insert("urdu", sign.as_minhash(sigs[2], 1))
    assert lsh.query(sign.as_minhash(sigs[1], 1)) == ["original"]
    assert sign.jaccard(sets[0], sets[1]) > 0.8


def test_jaccard():
    a = np.array([1, 2, 3, 4], dtype=np.uint32)
    b = np.array([3, 4, 5], dtype=np.uint32)
    assert sign.jaccard(a, b) == 2 / 5
    assert sign.jaccard(a, a) == 1.0
