"""Signatures: batched, and identical to datasketch's.

The batched numpy code is compared with references written here from the spec, never
with the module's own scalar functions, and signatures with datasketch's own
`MinHash(num_perm, seed)` fed the same shingles."""
import numpy as np
import pytest
from datasketch import MinHash, MinHashLSH
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup import hashing, lexicon, sign
from dedup.config import Settings
from dedup.corpus import Document
from dedup.normalize import tokens
from dedup.segment import lines, paragraphs

from .conftest import HINDI, URDU


def spec_word_hash(word: str) -> int:
    """A word's hash: the polynomial over its code points, base 0x100000001B3 mod 2^64,
    its two halves xored."""
    value = 0
    for char in word:
        value = (value * 0x100000001B3 + ord(char)) % 2**64
    return (value ^ (value >> 32)) % 2**32


def spec_shingle_hash(shingle: tuple[str, ...]) -> int:
    """A shingle's hash: its words' hashes combined as h = h * 0x9E3779B1 + word mod 2^32."""
    value = 0
    for word in shingle:
        value = (value * 0x9E3779B1 + spec_word_hash(word)) % 2**32
    return value


def spec_shingles(words: list[str], k: int) -> list[tuple[str, ...]]:
    """Word k-grams; a block shorter than k words is one shingle of all its words."""
    if len(words) < k:
        return [tuple(words)] if words else []
    return [tuple(words[i:i + k]) for i in range(len(words) - k + 1)]


def datasketch_values(words: list[str], num_perm: int, seed: int, k: int = 5) -> list[int]:
    """What datasketch's own MinHash gives for a block's shingles."""
    minhash = MinHash(num_perm=num_perm, seed=seed, hashfunc=spec_shingle_hash)
    minhash.update_batch(spec_shingles(words, k))
    return minhash.hashvalues.tolist()


def datasketch_values_of_hashes(shingle_hashes: list[int], num_perm: int, seed: int) -> list[int]:
    """datasketch's MinHash of a set of shingles given by their 32-bit hashes."""
    minhash = MinHash(num_perm=num_perm, seed=seed, hashfunc=lambda h: h)
    minhash.update_batch(shingle_hashes)
    return minhash.hashvalues.tolist()


def test_spec_hash_values():
    """The spec itself, on values worked out by hand: a one-letter word is its code point."""
    assert spec_word_hash("a") == 97
    assert spec_word_hash("ab") == 106652627936565 % 2**32 ^ (106652627936565 >> 32) == 50229   # 97 * base + 98
    assert spec_shingle_hash(("a", "b")) == (97 * 0x9E3779B1 + 98) % 2**32


def test_batched_word_hashes_follow_the_spec():
    words = tokens(HINDI.read_text("utf-8") + URDU.read_text("utf-8")) + ["𝔘nicode", "x" * 5000, ""]
    assert sign.word_hashes(words).tolist() == [spec_word_hash(w) for w in words]
    assert sign.word_hashes([]).tolist() == []


@pytest.fixture
def small_slices(monkeypatch):
    """Numpy passes of 64 characters: words cross pass boundaries, and a word longer
    than a pass takes the scalar path."""
    sign._powers_below.cache_clear()
    monkeypatch.setattr(sign, "_SLICE", 64)
    yield
    sign._powers_below.cache_clear()


def test_word_hashes_across_passes(small_slices):
    words = tokens(URDU.read_text("utf-8"))[:200] + ["y" * 64, "z" * 65, "आ"]
    assert sign.word_hashes(words).tolist() == [spec_word_hash(w) for w in words]


def test_only_a_word_longer_than_a_pass_leaves_numpy(small_slices, monkeypatch):
    """Words are hashed in numpy passes; the scalar reference runs only for a word that
    no pass can hold (here longer than 64 characters), and its hash joins the others'
    as the same 64-bit integers, so shingles across it are right too."""
    scalar = []
    reference = sign.word_hash64
    monkeypatch.setattr(sign, "word_hash64", lambda w: scalar.append(w) or reference(w))
    words = tokens(URDU.read_text("utf-8") + HINDI.read_text("utf-8"))[:400]
    words[100:100] = ["y" * 64, "z" * 65, "आ"]
    hashes = sign.word_hashes(words)
    assert scalar == ["z" * 65]
    assert hashes.dtype == np.uint64 and hashes.tolist() == [spec_word_hash(w) for w in words]
    assert sign.shingles(words[90:120], 5).tolist() == sorted({spec_shingle_hash(s) for s in spec_shingles(words[90:120], 5)})


def test_word_hashes_of_any_python_string():
    """Lone surrogates (what `--decode-errors keep` turns bad bytes into) hash as their
    code points, as in the scalar spec."""
    words = ["caf\udce9", "\ud800", "ok"]
    assert sign.word_hashes(words).tolist() == [spec_word_hash(w) for w in words]


@given(st.lists(st.text(min_size=1, max_size=8), max_size=40))
def test_word_hashes_any_words(words):
    assert sign.word_hashes(words).tolist() == [spec_word_hash(w) for w in words]


def test_shingles_are_word_kgrams():
    words = tokens(URDU.read_text("utf-8"))[:50]
    assert sign.shingles(words, 5).tolist() == sorted({spec_shingle_hash(s) for s in spec_shingles(words, 5)})
    assert len(sign.shingles(words, 5)) == 46
    # a block shorter than k words is one shingle of all its words
    assert sign.shingles(words[:3], 5).tolist() == [spec_shingle_hash(tuple(words[:3]))]
    assert sign.shingles([], 5).tolist() == []


@pytest.mark.parametrize("num_perm, seed", [(128, 1), (64, 42), *sign._DRAWN])
@pytest.mark.parametrize("draw", [sign.permutations, sign.draw_permutations])
def test_permutations_are_datasketch_own(num_perm, seed, draw):
    """Drawn, and read from the file drawn ahead for the default settings."""
    a, b = draw(num_perm, seed)
    reference = MinHash(num_perm=num_perm, seed=seed).permutations
    assert a.dtype == b.dtype == np.uint32
    assert a.tolist() == reference[0].tolist() and b.tolist() == reference[1].tolist()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 40), max_size=30), st.sampled_from([np.uint32, np.uint64, np.int64]))
def test_distinct_is_numpys_unique(values, dtype):
    array = np.array(values, dtype)
    assert hashing.distinct(array).tolist() == np.unique(array).tolist()
    assert hashing.distinct(array).dtype == dtype
    assert hashing.distinct(array.reshape(-1, 1)).tolist() == np.unique(array).tolist()   # flattened, as np.unique does


@pytest.mark.parametrize("num_perm, seed, chunk, compiled", [(128, 1, None, False), (64, 42, None, False),
                                                            (128, 1, 7, False), (128, 1, None, True), (64, 42, None, True)])
def test_signatures_of_real_lines_are_datasketch_minhash(num_perm, seed, chunk, compiled, monkeypatch):
    """Hindi and Urdu lines, long and short, and an empty block, signed in one batch
    (also in chunks of 7 shingles, so that one block's shingles span chunks), by the
    numpy code and by the compiled kernel."""
    if chunk:
        monkeypatch.setattr(sign, "_CHUNK", chunk)
    blocks = [tokens(line) for line in (HINDI.read_text("utf-8") + URDU.read_text("utf-8")).splitlines()]
    blocks += [["अकेला"], []]
    ours = sign.signatures([sign.shingles(words, 5) for words in blocks], num_perm, seed, compiled=compiled)
    assert ours.shape == (len(blocks), num_perm) and ours.dtype == np.uint32
    for words, signature in zip(blocks, ours):
        assert signature.tolist() == datasketch_values(words, num_perm, seed)
    assert ours[-1].tolist() == [2**32 - 1] * num_perm   # datasketch's empty MinHash


@pytest.mark.parametrize("compiled", [False, True])
def test_a_documents_sketch_bands_lines_paragraphs_and_itself_as_datasketch_signs_them(compiled):
    """The band keys `clean` uses are those of datasketch's signatures: of every content
    line, of every multi-line paragraph (shingles run across its line breaks) and of
    the document's own MinHash is datasketch's of its content lines' shingles together;
    the shingles kept are the ones signed."""
    from dedup.sketch import sketch_many

    from .conftest import content_shingles
    text = URDU.read_text("utf-8")
    config = Settings()
    bands, rows = config.lsh_params
    sk = sketch_many([Document("u.txt", "u.txt", text)], config, lexicon.load(), compiled=compiled)[0]
    all_lines = lines(text)
    content = [l for l in all_lines if tokens(text[l.start:l.end])]
    assert sk.line.tolist() == [l.index for l in content]

    def keys_of(words):
        return hashing.band_keys(np.array([datasketch_values(words, 128, 1)], np.uint32), bands, rows)[0].tolist()
    assert len(sk.keys) == len(content) == len(sk.shingles)
    for line, keys, shingled in zip(content, sk.keys, sk.shingles):
        words = tokens(text[line.start:line.end])
        assert keys.tolist() == keys_of(words)
        assert shingled.tolist() == sign.shingles(words, 5).tolist()
    multi = [p for p in paragraphs(text, all_lines) if p.last > p.first]
    assert multi and [(int(sk.line[a]), int(sk.line[b])) for a, b in sk.paragraphs] == [(p.first, p.last) for p in multi]
    for para, keys in zip(multi, sk.paragraph_keys):
        assert keys.tolist() == keys_of(tokens(text[all_lines[para.first].start:all_lines[para.last].end]))
    union = content_shingles(sk, config)
    expected = [datasketch_values_of_hashes(union.tolist(), 128, 1)]
    assert sk.document_signature.tolist() == expected[0]


@pytest.mark.parametrize("compiled", [False, True])
def test_a_documents_own_minhash_leaves_out_its_lexicon_lines(compiled):
    """A teaser the lexicon takes ("Also read: …", long enough to be shingled) is not
    part of what the document is compared by as a whole."""
    from dedup.sketch import sketch_many

    from .conftest import content_shingles
    text = ("The council met on Monday to discuss the budget\n"
            "Also read: the river rose again in the valley today\n"
            "Farmers in the north expect a good harvest this year\n")
    config = Settings()
    sk = sketch_many([Document("a.txt", "a.txt", text)] * 2, config, lexicon.load(), compiled=compiled)[1]
    assert list(sk.lexicon) == [1] and sk.words[1] >= config.shingle_size
    union = content_shingles(sk, config)
    first, _, third = text.splitlines()
    assert union.tolist() == np.union1d(sign.shingles(tokens(first), 5), sign.shingles(tokens(third), 5)).tolist()
    assert sk.document_signature.tolist() == datasketch_values_of_hashes(union.tolist(), 128, 1)


@settings(max_examples=30, deadline=None)
@given(st.integers(min_value=0, max_value=2**16), st.sampled_from([16, 64, 128]), st.booleans())
def test_signatures_are_datasketch_values(seed, num_perm, compiled):
    rng = np.random.default_rng(seed)
    sets = [np.unique(rng.integers(0, 2**32, size=n, dtype=np.uint64).astype(np.uint32)) for n in (1, 7, 300, 0)]
    ours = sign.signatures(sets, num_perm, seed, compiled=compiled)
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
    lean = sign.as_minhash(sigs[0], 1)
    assert lean.hashvalues.tolist() == datasketch_values(words, 128, 1) and lean.seed == 1
    lsh = MinHashLSH(threshold=0.8, num_perm=128)
    lsh.insert("original", lean)
    lsh.insert("urdu", sign.as_minhash(sigs[2], 1))
    assert lsh.query(sign.as_minhash(sigs[1], 1)) == ["original"]
    assert sign.jaccard(sets[0], sets[1]) > 0.8


def test_jaccard():
    a = np.array([1, 2, 3, 4], dtype=np.uint32)
    b = np.array([3, 4, 5], dtype=np.uint32)
    assert sign.jaccard(a, b) == 2 / 5
    assert sign.jaccard(a, a) == 1.0


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(st.integers(0, 40), max_size=30), min_size=1, max_size=8), st.data(), st.booleans())
def test_sets_and_their_jaccards_in_a_batch_are_each_pairs(raw, data, compiled):
    """distinct_sets sorts each set and drops its repeats; jaccards of pairs of them
    are `jaccard` of each pair, compiled or not."""
    flat, offsets = sign.joined([np.array(x, np.uint32) for x in raw], np.uint32)
    sets, set_offsets = sign.distinct_sets(flat, offsets, compiled=compiled)
    assert [sets[a:b].tolist() for a, b in zip(set_offsets, set_offsets[1:])] == [sorted(set(x)) for x in raw]
    pairs = data.draw(st.lists(st.tuples(st.integers(0, len(raw) - 1), st.integers(0, len(raw) - 1)), max_size=12))
    left = np.array([i for i, _ in pairs], np.int64)
    right = np.array([j for _, j in pairs], np.int64)
    got = sign.jaccards(sets, set_offsets, left, right, compiled=compiled)
    one = [sign.jaccard(np.unique(np.array(raw[i], np.uint32)), np.unique(np.array(raw[j], np.uint32))) for i, j in pairs]
    assert got.tolist() == one


def test_jaccard_with_an_empty_set():
    """Two empty sets are the same set (1.0); an empty set shares nothing with a
    non-empty one (0.0), whichever side it is on."""
    words = tokens(URDU.read_text("utf-8"))[:20]
    full, empty = sign.shingles(words, 5), sign.shingles([], 5)
    assert len(full) == 16 and len(empty) == 0
    assert sign.jaccard(empty, empty) == 1.0
    assert sign.jaccard(full, empty) == 0.0
    assert sign.jaccard(empty, full) == 0.0


def test_the_scalar_references_follow_the_spec():
    """`word_hash` and `shingle_hash`, the module's scalar references, on real words."""
    words = tokens(HINDI.read_text("utf-8"))[:40] + ["𝔘nicode", "x" * 300]
    assert [sign.word_hash(w) for w in words] == [spec_word_hash(w) for w in words]
    for shingle in spec_shingles(words, 5):
        assert sign.shingle_hash([spec_word_hash(w) for w in shingle]) == spec_shingle_hash(shingle)
    top = 2**32 - 1
    assert sign.shingle_hash(np.array([top, top], dtype=np.uint64)) == (top * 0x9E3779B1 + top) % 2**32


def test_empty_blocks_give_empty_32_bit_arrays():
    """The documented types hold for empty input too: 32-bit shingle hashes, 64-bit
    word-hash slots."""
    assert sign.shingles([], 5).dtype == np.uint32
    assert sign.block_shingles(np.empty(0, dtype=np.uint64), 5).dtype == np.uint32
    short = sign.kgram_hashes(sign.word_hashes(["a", "b"]), 5)
    assert short.dtype == np.uint32 and short.tolist() == []
    assert sign.kgram_hashes(sign.word_hashes(["a", "b", "c"]), 2).dtype == np.uint32
    assert sign.word_hashes([]).dtype == np.uint64


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, (1 << 64) - 1), max_size=40),
       st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40)), max_size=12))
def test_sequence_hashes_of_many_blocks_are_each_blocks_sequence_hash(words, spans):
    """Blocks of any lengths, empty, overlapping or repeated, in any order."""
    word64 = np.array(words, np.uint64)
    spans = [(min(a, b, len(words)), min(max(a, b), len(words))) for a, b in spans]
    first, last = np.array([f for f, _ in spans], np.int64), np.array([e for _, e in spans], np.int64)
    assert sign.sequence_hashes(word64, first, last).tolist() == [sign.sequence_hash(words[f:e]) for f, e in spans]
