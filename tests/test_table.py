"""The corpus table: taking documents and joining batches give the table of those
documents' sketches, row for row."""
import tempfile

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup import lexicon, table
from dedup.config import Settings
from dedup.corpus import Document
from dedup.sketch import sketch_arrays, sketch_many

from .conftest import HINDI, URDU, content_shingles

TEXTS = [
    HINDI.read_text("utf-8"),
    URDU.read_text("utf-8"),
    "Related articles\nRelated articles\nRelated articles\nThe harbour opens again after the storm\n",
    "Also read: the harbour opens again today\nline one of a wrapped\nparagraph of text here\n\nLast updated 22:15 GMT\n",
    "",
    "Ingredients:\nflour and water and salt\nSource: the morning news desk\n",
]
SETTINGS = Settings()
SKETCHES = sketch_many([Document(f"{n}.txt", f"{n}.txt", t) for n, t in enumerate(TEXTS)], SETTINGS, lexicon.load())


def _rows(t: table.Table) -> dict:
    """What a table says of its documents, with its stores read out (not where they are)."""
    def sparse(found):
        return [(int(a), v) for a, v in zip(found.at, found.values)]
    paragraphs = np.arange(len(t.paragraph_hash))
    p_docs = t.doc_of(t.paragraph_first).tolist()
    rows = np.arange(len(t.hash))

    def keys(bands) -> list:
        return [bands.column(b).tolist() for b in range(bands.bands)]
    return {
        "line_keys": keys(t.bands(t.line_blocks, rows, t.doc_of(rows))),
        "paragraph_keys": keys(t.bands(t.paragraph_blocks, paragraphs, np.array(p_docs, np.int64))),
        "cut": t.cut.tolist(), "line": t.line.tolist(), "words": t.words.tolist(), "hash": t.hash.tolist(),
        "unlearned": t.unlearned.tolist(), "site": t.site, "path": list(t.path), "paragraph_cut": t.paragraph_cut.tolist(),
        "paragraphs": list(zip(t.paragraph_first.tolist(), t.paragraph_last.tolist(), t.paragraph_hash.tolist())),
        "lexicon": sparse(t.lexicon), "label": sparse(t.label), "shape": sparse(t.shape), "affix": sparse(t.affix),
        "page": sparse(t.page),
        "shingles": [t.shingles(t.line_blocks, r, d).tolist() for r, d in enumerate(t.doc_of(np.arange(len(t.hash))))],
        "paragraph_shingles": [t.shingles(t.paragraph_blocks, p, d).tolist() for p, d in zip(paragraphs, p_docs)],
        "signatures": t.signatures(np.flatnonzero(t.signature >= 0), SETTINGS.num_perm).tolist(),
        "signed": (t.signature >= 0).tolist(),
    }


def test_the_sketches_have_what_the_table_must_carry():
    both = table.of(SKETCHES)
    assert len(both.lexicon) and len(both.label) and len(both.paragraph_hash) and both.unlearned.any()


@settings(max_examples=40, deadline=None)
@given(st.permutations(range(len(SKETCHES))), st.integers(0, len(SKETCHES)))
def test_taking_documents_is_the_table_of_their_sketches(order, n):
    order = order[:n]
    assert _rows(table.of(SKETCHES).take(np.array(order, np.int64))) == _rows(table.of([SKETCHES[i] for i in order]))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, len(SKETCHES)), min_size=0, max_size=4), st.lists(st.booleans(), min_size=7, max_size=7))
def test_joined_batches_are_the_table_of_all_their_sketches(cuts, saved):
    """Joined from tables in memory or from the files they were saved to (as workers
    hand them over), in any mix."""
    bounds = sorted(set([0, len(SKETCHES), *cuts]))
    parts = [table.of(SKETCHES[a:b]) for a, b in zip(bounds, bounds[1:])]
    with tempfile.TemporaryDirectory() as folder:
        for i, part in enumerate(parts):
            if saved[i]:
                table.save(part, f"{folder}/{i}.table")
                parts[i] = f"{folder}/{i}.table"
        assert _rows(table.concat(parts)) == _rows(table.of(SKETCHES))
    assert parts == [None] * len(parts)   # each part let go once copied


def test_content_rows_are_each_sketchs_content_lines():
    """The table's content rows (what the driver compares whole documents by) are the
    lines sketching took the document's own MinHash of."""
    from dedup.content import content_rows
    from dedup.sketch import content_lines
    both = table.of(SKETCHES)
    rows = content_rows(both, SETTINGS)
    assert any(len(sk.lexicon) for sk in SKETCHES)
    for d, sk in enumerate(SKETCHES):
        assert np.flatnonzero(rows[both.cut[d]:both.cut[d + 1]]).tolist() == content_lines(sk, SETTINGS).tolist()


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(0, len(SKETCHES) - 1), unique=True))
def test_content_digests_are_each_documents_own_and_none_without_content(order):
    """Every document's digest over the table, in any order (how exact copies of documents are
    found) is the one of its sketch alone; a document with no content line has none."""
    from dedup.content import content_digest, content_digests, content_rows
    t = table.of(SKETCHES).take(np.array(order, np.int64))
    digests, has = content_digests(t, content_rows(t, SETTINGS))
    expected = [content_digest(SKETCHES[d], SETTINGS) for d in order]
    assert has.tolist() == [e is not None for e in expected]
    assert [bytes(row) if h else None for row, h in zip(digests, has)] == expected
    assert None in [content_digest(sk, SETTINGS) for sk in SKETCHES]   # (the empty text)


@settings(max_examples=40, deadline=None)
@given(st.sets(st.integers(0, len(SKETCHES) - 1)), st.lists(st.integers(0, len(SKETCHES)), max_size=3))
def test_document_ranges_read_each_documents_union_of_content_shingles(chosen, cuts):
    """Documents read together (neighbours in one range, across batches' stores) give
    each document's own union of its content lines' shingles, sorted and distinct."""
    from dedup import verify
    from dedup.content import content_rows, document_ranges
    bounds = sorted(set([0, len(SKETCHES), *cuts]))
    both = table.concat([table.of(SKETCHES[a:b]) for a, b in zip(bounds, bounds[1:])])
    docs = np.array(sorted(chosen), np.int64)
    flat, offsets = verify.sets(document_ranges(both, content_rows(both, SETTINGS), docs))
    assert len(offsets) == len(docs) + 1
    for k, d in enumerate(docs.tolist()):
        assert flat[offsets[k]:offsets[k + 1]].tolist() == content_shingles(SKETCHES[d], SETTINGS).tolist()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 2**64 - 1), st.sampled_from(["", "a", "Ab", "a"]), st.integers(0, 2**64 - 1)),
                max_size=12), st.integers(0, 12), st.data())
def test_columns_give_back_the_rows_they_hold_taken_and_joined(rows, cut, data):
    """Sparse values held as columns read as the tuples they were made of, whole, in
    any selection and joined one after another; each distinct string is held once."""
    import pickle
    from dedup.table import Columns, _joined_values
    held = Columns.of(rows, "non")
    assert list(held) == rows and len(held) == len(rows)
    picked = data.draw(st.lists(st.integers(0, max(len(rows) - 1, 0)), max_size=len(rows))) if rows else []
    assert list(held.take(np.array(picked, np.int64))) == [rows[i] for i in picked]
    first, second = Columns.of(rows[:cut], "non"), Columns.of(rows[cut:], "non")
    joined = _joined_values([pickle.loads(pickle.dumps(first)), pickle.loads(pickle.dumps(second))])
    assert list(joined) == rows
    assert len({id(s) for s in joined.columns[1]}) == len(set(joined.columns[1]))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.one_of(st.sampled_from(["a.jsonl", "b/c.txt", "x:", "x:1", "x:01", ":7", "x:٣"]),
                                   st.builds(lambda s, n: f"{s}:{n}", st.sampled_from(["a.jsonl", "d:e"]),
                                             st.integers(0, 2**40)),
                                   st.text(max_size=6)), max_size=8), max_size=4),
       st.data())
def test_paths_held_as_source_and_row_are_every_path_as_it_was(parts, data):
    """Any path, one that looks like "source:row" or not, is made again exactly: one by
    one, taken in any order, and after joining several tables' paths; each source once."""
    from dedup.table import Paths
    held = [Paths.of(part) for part in parts]
    for paths, part in zip(held, parts):
        assert list(paths) == part and len(paths) == len(part)
        assert len(set(paths.sources)) == len(paths.sources)
        order = np.array(data.draw(st.permutations(range(len(part)))), np.int64)
        assert list(paths.take(order)) == [part[i] for i in order.tolist()]
    joined = Paths.joined(held)
    assert list(joined) == [p for part in parts for p in part]
    assert len(set(joined.sources)) == len(joined.sources)


@pytest.mark.parametrize("compiled", [False, True])
@pytest.mark.parametrize("spilled", [False, True])
def test_a_batch_sketched_as_arrays_is_the_table_of_its_sketches(tmp_path, compiled, spilled):
    """`clean` makes each batch's table straight from its arrays: the same columns, and
    the same shingles, band keys and signatures read back from its store (from its
    spill files when it has them) as the table of its DocSketches."""
    docs = [Document(f"{n}.txt", f"{n}.txt", t) for n, t in enumerate(TEXTS * 2)]
    sketches = sketch_many(docs, SETTINGS, lexicon.load(), compiled=compiled)
    got = table.of_arrays(sketch_arrays(docs, SETTINGS, lexicon.load(), compiled), [""] * len(docs),
                          [doc.path for doc in docs], str(tmp_path / "b.u32") if spilled else None)
    assert all(isinstance(getattr(got.stores[0], name), str) == spilled for name in ("shingles", "keys", "signatures"))
    assert _rows(got) == _rows(table.of(sketches))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(st.integers(-5, 2**40), max_size=5), max_size=8), st.booleans())
def test_per_document_sums_are_each_documents_own_empty_ones_zero(docs, as_bool):
    """segment_sums, what per-document totals are made by: each document's rows summed,
    0 for a document without rows, whatever comes before or after it."""
    from dedup.hashing import segment_sums
    values = [v > 0 if as_bool else v for doc in docs for v in doc]
    cut = np.cumsum([0] + [len(doc) for doc in docs])
    array = np.array(values, bool if as_bool else np.int64)
    assert segment_sums(array, cut).tolist() == [sum(int(v) for v in values[lo:hi]) for lo, hi in zip(cut, cut[1:])]


@given(st.lists(st.lists(st.text(max_size=12), max_size=8), min_size=1, max_size=4), st.randoms(use_true_random=False))
def test_texts_hold_strings_as_a_buffer_taken_and_joined_as_lists_would_be(parts, rng):
    """Texts (a column of strings in one UTF-8 buffer) read back each string, lone
    surrogates and empty strings too; take (in any order, with "" where not kept) and
    joined give what the same on lists gives."""
    from dedup.table import Texts
    texts = [Texts.of(p) for p in parts]
    assert [[t[i] for i in range(len(t))] for t in texts] == parts
    whole, flat = Texts.joined(texts), [s for p in parts for s in p]
    assert [whole[i] for i in range(len(whole))] == flat
    rows = [rng.randrange(len(flat)) for _ in range(len(flat))] if flat else []
    keep = [rng.random() < 0.5 for _ in rows]
    taken = whole.take(np.array(rows, np.int64), np.array(keep, bool))
    assert [taken[i] for i in range(len(taken))] == [flat[r] if k else "" for r, k in zip(rows, keep)]
    assert Texts.of(["a\udc80b", ""])[0] == "a\udc80b"   # a lone surrogate (from a broken file)


@given(st.lists(st.integers(0, 9), min_size=1, max_size=40), st.integers(1, 12))
@settings(max_examples=100, deadline=None)
def test_signatures_come_in_order_in_chunks_that_pack_small_stores(rows_per_store, size):
    """Signed.chunks: every signature once, in order, at most `size` rows a chunk, and as
    few chunks as packing whole stores' pieces allows (one-record files are a store each)."""
    rng = np.random.default_rng(len(rows_per_store) * 100 + size)
    stores, rows, expected = [], [], []
    for n in rows_per_store:
        sigs = rng.integers(0, 2**32, (n + 2, 4), dtype=np.uint32)
        picked = np.sort(rng.choice(n + 2, n, replace=False)).astype(np.int64)
        stores.append(table.Store(np.empty(0, np.uint32), None, 0, 0, sigs))
        rows.append(picked)
        expected.extend(sigs[picked])
    chunks = list(table.Signed(tuple(stores), tuple(rows), 4).chunks(size))
    assert all(1 <= len(c) <= size for c in chunks)
    got = np.concatenate(chunks) if chunks else np.empty((0, 4), np.uint32)
    assert got.tolist() == np.array(expected, np.uint32).reshape(-1, 4).tolist()
    pieces = [min(size, n - lo) for n in rows_per_store for lo in range(0, n, size)]
    assert len(chunks) <= max(len(pieces), 1) and (sum(pieces) == 0 or len(chunks) <= -(-2 * sum(pieces) // size))
