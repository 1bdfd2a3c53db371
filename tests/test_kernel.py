"""The compiled path (dedup/kernel.py) against the reference: the `regex` tokenizer of
normalize.py and the numpy code of sign.py. Same tokens, same hashes, same shingles,
same signatures, on text of every script the other tests use and on random Unicode."""
import json
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from dedup import hashing, kernel, lexicon, segment, sign, sketch
from dedup.config import Settings
from dedup.corpus import Document
from dedup.normalize import tokens

from .conftest import HINDI, SEEDS, URDU

GOLDEN = Path(__file__).resolve().parent / "golden" / "corpus"
SCRIPTS = [
    "Hello, World! It's 2024 — naïve café; ﬁne ＦＵＬＬ.",
    "ये भी पढ़ें: कुल और कल, क्षत्रिय; २०२४ में",
    "مواضيع ذات صلة ـ الأخبار؛ ١٢٣ «اقرأ أيضا» بِسْمِ اللَّهِ",
    "یہ بھی پڑھیں: پاکستان ۱۲۳ ہے۔ کیا",
    "中文文本，没有空格。日本語のテキスト、カタカナ。",
    "ภาษาไทย ไม่มีช่องว่าง ເລື່ອງລາວ ខ្មែរ မြန်မာစာ",
    "Ελληνικά ΣΊΣΥΦΟΣ Русский текст ЁЖ עברית ״ציטוט״ 한국어 텍스트",
    "zero\u200bwidth\u200djoin soft\u00adhyphen bidi\u202atext\u202c \u2066iso\u2069 a\u0301e\u0308",
    "তামিল தமிழ் বাংলা ગુજરાતી ਪੰਜਾਬੀ తెలుగు ಕನ್ನಡ മലയാളം සිංහල",
    "caf\udce9 lone\ud800surrogates kept by --decode-errors keep",
    "\u0e31 a Thai mark after a space, a\u0e31 and after a Latin word, \u1031\u1000 Myanmar",
]
LINE_BREAKS = st.sampled_from(["\n", "\r\n", "\r", "\n\n", " \n"])


def compiled_words(text: str, max_line_chars: int = 1_000_000) -> list[list[int]]:
    """The kernel's words of each examined line, as 64-bit hashes."""
    words = sketch._words_compiled([Document("x", "x", text)], Settings(max_line_chars=max_line_chars))[0]
    bounds = np.concatenate([[0], np.cumsum(words.counts)])
    return [words.word64[bounds[i]:bounds[i + 1]].tolist() for i in range(len(words.counts))]


def reference_words(text: str, max_line_chars: int = 1_000_000) -> list[list[int]]:
    return [sign.word_hashes64(tokens(text[line.start:line.end])).tolist()
            for line in segment.lines(text) if line.end - line.start <= max_line_chars]


def test_the_token_classes_are_the_regex_tokenizers_own():
    """Spot checks that the table was built from normalize's sets: a Devanagari vowel
    sign continues a word, a Thai character is a token by itself, a digit starts one."""
    classes = kernel.classes()
    assert classes[ord("a")] == classes[ord("٣")] == classes[ord("क")] == kernel.WORD
    assert classes[ord("\u093f")] == classes[ord("\u0301")] == kernel.MARK      # vowel sign i, acute
    assert classes[ord("中")] == classes[ord("ก")] == classes[ord("カ")] == kernel.UNSPACED
    assert classes[ord("\u0e31")] == kernel.UNSPACED_MARK                        # Thai mai han-akat
    assert classes[ord(" ")] == classes[ord(",")] == classes[ord("\ud800")] == kernel.OTHER
    fold = kernel.fold_map()
    assert fold[0x200B] == kernel.DELETED and fold[ord("ی")] == ord("ي") and fold[ord("٣")] == ord("3")


def test_the_kernel_gives_the_reference_words_on_every_script():
    for text in SCRIPTS + [HINDI.read_text("utf-8"), URDU.read_text("utf-8")]:
        assert compiled_words(text) == reference_words(text), text


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(SCRIPTS), st.text(max_size=40)), min_size=1, max_size=6), st.data())
def test_the_kernel_gives_the_reference_words_on_any_text(parts, data):
    """Random Unicode (marks at line starts, lone surrogates, every break) included:
    normalizing a whole document and then splitting it gives each line's own tokens."""
    text = "".join(part + data.draw(LINE_BREAKS) for part in parts)[:-1]
    assert compiled_words(text) == reference_words(text)


@settings(deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from("ab \r\n\u2028\x85\ufb01\u2460\u0301:|—·٣\u3000\x1f\ufe55"
                                                "AßẞİΣςЁ\xa0\u202f…ی"),
                        max_size=12), max_size=6),
       st.integers(1, 4))
def test_a_batch_is_split_and_tokenized_as_its_documents_one_by_one(texts, max_line_chars):
    """The batch's texts are joined by line breaks and split and tokenized at once: every
    document still gets exactly its own lines (a text ending in \r, in \n, empty, or
    changed by NFKC included), examined and tokenized as the reference does it alone:
    texts tokenized as they are (capitals, a no-break space, an ellipsis) and texts
    NFKC-ed and case-folded first ("ﬁ", "①", "ß" that folds to "ss") side by side."""
    config = Settings(max_line_chars=max_line_chars)
    batch = sketch._words_compiled([Document("x", "x", t) for t in texts], config)
    for text, got in zip(texts, batch):
        want = sketch._words_reference(Document("x", "x", text), config)
        for name in ("starts", "ends", "examined", "counts", "word64", "bits"):
            assert getattr(got, name).tolist() == getattr(want, name).tolist(), (text, name)


def test_lines_too_long_to_examine_are_left_out_by_both():
    text = "short line here\n" + "long " * 50 + "\nanother short one"
    assert compiled_words(text, max_line_chars=100) == reference_words(text, max_line_chars=100)
    assert len(compiled_words(text, max_line_chars=100)) == 2


@given(st.text(alphabet=st.sampled_from("ab\r\n\u2028\x85"), max_size=30))
def test_split_lines_is_segment_lines(text):
    codes = np.frombuffer(text.encode("utf-32-le"), np.uint32)
    starts, ends = kernel.split_lines(codes)
    assert list(zip(starts.tolist(), ends.tolist())) == [(line.start, line.end) for line in segment.lines(text)]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 2**64 - 1), max_size=60), st.lists(st.tuples(st.integers(0, 60), st.integers(0, 12)),
                                                                     max_size=8), st.integers(1, 6))
def test_blocks_are_the_numpy_references(words, spans, k):
    """Exact hashes, sorted unique shingles and signatures of any blocks of words."""
    word64 = np.array(words, np.uint64)
    spans = [(min(f, len(words)), min(f + n, len(words))) for f, n in spans]
    first = np.array([f for f, _ in spans], np.int64)
    last = np.array([e for _, e in spans], np.int64)
    a, b = sign.permutations(16, 7)
    exact, flat, offsets, signatures = kernel.blocks(word64, first, last, k, a, b)
    ref_exact, ref_flat, ref_offsets, ref_signatures = sign.blocks(word64, first, last, k, 16, 7)
    assert exact.tolist() == ref_exact.tolist() == [sign.sequence_hash(words[f:e]) for f, e in spans]
    assert offsets.tolist() == ref_offsets.tolist()
    assert flat.tolist() == ref_flat.tolist()
    assert signatures.tolist() == ref_signatures.tolist()
    for bands, rows in ((4, 4), (16, 1), (3, 5)):
        assert kernel.band_keys(signatures, bands, rows).tolist() == hashing.band_keys(signatures, bands, rows).tolist()


def _documents() -> list[Document]:
    files = sorted(SEEDS.glob("*.txt")) + sorted(p for p in GOLDEN.rglob("*.txt"))
    docs = []
    for path in files:
        try:
            docs.append(Document(str(path), path.name, path.read_bytes().decode("utf-8")))
        except UnicodeDecodeError:
            continue
    headings = "Ingredients:\n2 cups of flour\n\nالمكونات :  \nكوب من الدقيق\nसामग्री：\nएक कप आटा\n"
    return docs + [Document(f"s{i}", f"s{i}", text) for i, text in enumerate(SCRIPTS + [headings])]


def test_a_batch_sketches_the_same_on_both_paths():
    """Everything the corpus-wide steps read: lines, words, hashes, shingles,
    signatures, lexicon hits, teaser labels, paragraphs, unexamined lines."""
    docs, config, lex = _documents(), Settings(), lexicon.load()
    compiled = sketch.sketch_many(docs, config, lex, compiled=True)
    reference = sketch.sketch_many(docs, config, lex, compiled=False)
    assert sum(len(s.lexicon) for s in reference) >= 5 and sum(len(s.label) for s in reference) >= 5
    assert sum(len(s.paragraphs) for s in reference) >= 3 and any(s.document_signature is not None for s in reference)
    assert all(sum(len(getattr(s, name)) for s in reference) >= 3 for name in ("shape", "affix", "headings"))
    for x, y in zip(compiled, reference):
        for name in ("line", "words", "hash", "keys", "paragraph_hash", "paragraph_keys",
                     "document_signature"):
            assert np.array_equal(getattr(x, name), getattr(y, name)), (x.path, name)
        assert [s.tolist() for s in [*x.shingles, *x.paragraph_shingles]] == \
               [s.tolist() for s in [*y.shingles, *y.paragraph_shingles]]
        assert (x.lexicon, x.label, x.paragraphs, x.unexamined, x.lines, x.shape, x.affix, x.headings) == \
               (y.lexicon, y.label, y.paragraphs, y.unexamined, y.lines, y.shape, y.affix, y.headings)


def test_the_lexicon_gate_lets_every_hit_through():
    """`Lexicon.candidates` is only a filter: every line `match` hits is a candidate."""
    lex = lexicon.load()
    lines = [line for text in SCRIPTS + [HINDI.read_text("utf-8"), URDU.read_text("utf-8")]
             for line in text.splitlines()]
    lines += ["Related articles", "Read more »", "Share this article", "مواضيع ذات صلة",
              "All rights reserved by us", "© 2024 كل الحقوق محفوظة", "ये भी पढ़ें: कुछ"]
    words = [tokens(line) for line in lines]
    flat = sign.word_hashes64([w for ws in words for w in ws])
    bounds = np.concatenate([[0], np.cumsum([len(ws) for ws in words])]).astype(np.int64)
    gate = lex.candidates(flat, bounds[:-1], bounds[1:])
    hits = [i for i, (ws, line) in enumerate(zip(words, lines)) if ws and lex.match(ws, line)]
    assert len(hits) >= 6
    assert all(gate[i] for i in hits)
    assert gate.sum() < len(lines)   # and it is a filter


_OWN_LEXICON = """language = "xx"
[[rule]]
id = "one-word-contains"
match = "contains"
phrases = ["sponsored"]
[[rule]]
id = "one-word-prefix"
match = "prefix"
separator = false
max_tokens = 4
phrases = ["advert"]
"""


def _gated_and_hit(lex: lexicon.Lexicon, lines: list[str]) -> tuple[np.ndarray, list[bool]]:
    """The gate and the phrase hits of these lines (those with words: the rows sketching
    asks; a line opening with the copyright sign is asked past the gate, by its sign)."""
    lines = [line for line in lines if tokens(line)]
    words = [tokens(line) for line in lines]
    flat = sign.word_hashes64([w for ws in words for w in ws])
    bounds = np.concatenate([[0], np.cumsum([len(ws) for ws in words])]).astype(np.int64)
    return lex.candidates(flat, bounds[:-1], bounds[1:]), [lex.match(ws, line) not in (None, lexicon.SIGN_HIT)
                                                           for ws, line in zip(words, lines)]


@pytest.fixture(scope="module")
def own_lexicon(tmp_path_factory):
    path = tmp_path_factory.mktemp("lexicon") / "xx.toml"
    path.write_text(_OWN_LEXICON, "utf-8")
    return lexicon.load((str(path),))


# words of phrases of every kind (line, prefix, contains; one word and more) and of content
_PHRASE_WORDS = ["all", "rights", "reserved", "we", "use", "cookies", "related", "articles", "read", "more", "share",
                 "this", "also", "sponsored", "advert", "جميع", "الحقوق", "محفوظة", "كل", "ما", "هذا", "اقرأ", "أيضا",
                 "सर्वाधिकार", "सुरक्षित", "ये", "भी", "पढ़ें", "the", "news", "©", "2024", ":"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.sampled_from(_PHRASE_WORDS), min_size=1, max_size=9), min_size=1, max_size=6))
def test_the_lexicon_gate_by_word_pairs_lets_every_hit_through(own_lexicon, lines):
    """Lines made of the lexicons' phrase words, in any order and any grouping into
    lines: the gate (by first words and by pairs of words) passes every line `match` hits."""
    gate, hits = _gated_and_hit(own_lexicon, [" ".join(words) for words in lines])
    assert all(gate[i] for i, hit in enumerate(hits) if hit)


def test_the_lexicon_gate_asks_only_lines_holding_a_phrases_first_two_words(own_lexicon):
    """Common words that start a contained phrase ("we", "all", "ما", "هذا") let a line
    through only together with the phrase's second word, and never across lines."""
    lines = ["we went to the market with all of them", "ما هذا الذي يحدث في كل مكان", "this is all we",
             "use cookies to say", "we", "use cookies", "rights for all", "جميع الطلاب حضروا",
             "We use cookies to improve your experience", "جميع الحقوق محفوظة للموقع", "a sponsored post",
             "advert here now"]
    gate, hits = _gated_and_hit(own_lexicon, lines)
    assert gate.tolist() == [False] * 8 + [True] * 4
    assert hits == [False] * 8 + [True] * 4


@pytest.mark.parametrize("text", ["", "\n", "only one line", "a\r\nb\rc\n"])
def test_tiny_documents(text):
    assert compiled_words(text) == reference_words(text)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["Also read", "Title", "word", " ", ":", "::", "：", "||", "|", " - ", " — ", "›", "·",
                                 "2024", "٣", "१२", "«", "»", "Jan", ".", "\u3000"]), max_size=12), st.booleans())
@example(["Title", " ", "word", " ", "::", " ", "Title"], True)
@example(["Also read", " ", "१२"], True)
@example(["Also read", " ", "٣"], True)
@example(["Title", "：", "\u3000"], True)
def test_a_line_without_the_looked_for_characters_has_no_label_shape_heading_or_affix(parts, compiled):
    """The characters a short line is looked at for are what the checks need: a line
    that is a label, a shape, a heading or an affix always has its bit, on both paths."""
    from dedup import affixes, shapes
    line = "".join(parts)
    doc = Document("x", "x", line + "\n")
    got = (sketch._words_compiled([doc], Settings()) if compiled else [sketch._words_reference(doc, Settings())])[0]
    bits = int(got.bits[0]) if len(got.bits) else 0
    assert bool(bits & sketch.TEXT) == bool(line.strip())
    for found, bit in ((sketch._LABEL.match(line), sketch.LABEL_END), (shapes.shape(line), sketch.DIGIT),
                       (sketch._HEADING.search(line), sketch.COLON), (affixes.split(line), sketch.SEPARATOR)):
        assert not found or bits & bit, (line, bit)


_FORKED_WORKER = """
import sys
from dedup import stages
from dedup.config import Settings
from dedup.runner import Runner

def loaded(ctx, batch):
    from dedup import kernel
    return [len(getattr(kernel, name).overloads) for name in batch]

if sys.argv[1] == "load":
    stages.load_kernel(Settings())
with Runner(2, stages.make_context, (Settings(),)) as run:
    print(*next(run.map(loaded, [["split_lines", "tokenize", "line_bits", "blocks", "band_keys"]])))
"""


@pytest.mark.parametrize("load", [True, False])
def test_workers_forked_after_load_kernel_start_with_the_sketch_functions_loaded(load):
    import subprocess
    import sys
    done = subprocess.run([sys.executable, "-c", _FORKED_WORKER, "load" if load else "no"],
                          capture_output=True, text=True, check=True, cwd=Path(__file__).resolve().parents[1])
    counts = [int(n) for n in done.stdout.split()]
    assert len(counts) == 5
    assert all(counts) if load else not any(counts)


_LOADED_MODULES = """
import sys
if sys.argv[1] == "scipy first":
    import scipy.linalg
from dedup import stages
from dedup.config import Settings
stages.load_kernel(Settings())
print("scipy.linalg" in sys.modules)
import scipy.linalg.cython_blas   # hidden from numba only while it loaded: importable after
from numba.np import arraymath
print(arraymath._HAVE_BLAS)
"""


@pytest.mark.parametrize("first", ["dedup first", "scipy first"])
def test_loading_the_kernel_does_not_import_scipy_and_leaves_it_importable(first):
    """numba looks for a BLAS by importing scipy.linalg (a quarter of a second a process):
    the kernel calls none, so loading it skips that, and hides nothing afterwards."""
    import subprocess
    import sys
    import importlib.util
    if importlib.util.find_spec("scipy") is None:   # datasketch's dependency: there unless installed apart
        pytest.skip("scipy is not installed")
    done = subprocess.run([sys.executable, "-c", _LOADED_MODULES, first],
                          capture_output=True, text=True, check=True, cwd=Path(__file__).resolve().parents[1])
    scipy_loaded, blas = done.stdout.split()
    assert scipy_loaded == blas == ("True" if first == "scipy first" else "False")


def test_the_kernel_is_loaded_before_the_workers_only_when_the_batches_are_big_enough(tmp_path, monkeypatch):
    from dedup import config, pipeline
    calls = []
    monkeypatch.setattr(pipeline, "load_kernel", lambda settings: calls.append(settings))
    monkeypatch.setattr(pipeline, "MIN_SHARD_BYTES", 1)   # batches of a quarter of the files for each worker
    small, big = tmp_path / "small", tmp_path / "big"
    for folder, words in ((small, 5), (big, 1000)):
        folder.mkdir()
        for n in range(64):
            (folder / f"{n:03d}.txt").write_text(" ".join(f"w{n}x{i}" for i in range(words)) + "\n")
    for folder, jobs in ((small, 2), (big, 1), (big, 2)):
        pipeline.clean([str(folder)], config.Settings(), tmp_path / f"out-{folder.name}-{jobs}", jobs=jobs)
    assert len(calls) == 1   # the big files, on two workers
    sizes = pipeline.sizes_of(pipeline.corpus.discover([str(big)], ("*.txt",), (), "auto").sources)
    batches = sum(s.stat().st_size for s in big.iterdir()) // sketch.COMPILED_CHARS
    assert pipeline._compiled(sizes, batches) and not pipeline._compiled(sizes, batches + 1)


def test_code_point_tables_are_kept_and_a_damaged_one_is_made_again(tmp_path, monkeypatch):
    """kernel's tables of every code point come from their cache file once made; a
    file that is damaged, or not such a table, is made again and replaced."""
    path = tmp_path / "table.npy"
    monkeypatch.setattr(kernel, "_cache_file", lambda name, key: path)
    made = []

    def make():
        made.append(1)
        return kernel._classes()

    first = kernel._cached("classes", "key", make)
    assert path.exists() and len(made) == 1
    assert np.array_equal(kernel._cached("classes", "key", make), first) and len(made) == 1
    for damage in (b"not a table", path.read_bytes()[:1000]):
        path.write_bytes(damage)
        assert np.array_equal(kernel._cached("classes", "key", make), first)
    np.save(path, np.zeros(10, np.uint8))
    assert np.array_equal(kernel._cached("classes", "key", make), first) and len(made) == 4
    assert np.array_equal(np.load(path), first)
    assert np.array_equal(kernel.classes(), first)   # the module's own, cached or made


def _as_nobody(*command: str) -> list[str]:
    return ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", *command]


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0 or not shutil.which("setpriv"),
                    reason="runs dedup as another user: needs root and setpriv")
def test_a_user_who_can_write_neither_the_install_nor_a_home_gets_compiled_code_cached_in_tmp():
    """A service account runs an install it does not own, with no home: numba can cache
    neither beside the code nor in ~/.cache, and raised at the first compiled call. The
    run now caches in a folder of that user's own under TMPDIR, and the next run reads it;
    the parsed lexicons are kept in one of their own there too."""
    work = Path(tempfile.mkdtemp(prefix="dedup-nobody-", dir="/tmp"))
    try:
        os.chmod(work, 0o777)
        env = {k: v for k, v in os.environ.items() if k not in ("NUMBA_CACHE_DIR", "XDG_CACHE_HOME")}
        env.update(HOME="/nonexistent", TMPDIR=str(work / "tmp"))
        (work / "tmp").mkdir(mode=0o777)
        os.chmod(work / "tmp", 0o777)
        probe = subprocess.run(_as_nobody(sys.executable, "-c", "import dedup"), env=env, capture_output=True)
        if probe.returncode:
            pytest.skip(f"user nobody cannot run this interpreter: {probe.stderr.decode()[-200:]}")
        corpus = work / "corpus"
        corpus.mkdir()
        for n in range(60):   # past sketch.COMPILED_CHARS: the compiled kernel is loaded
            (corpus / f"{n:02d}.txt").write_text(f"Article {n} opens on its own line of several words.\n"
                                                 + "A line every article shares, long enough to be one.\n" * 3
                                                 + f"Its own closing sentence number {n} is here today. " * 12 + "\n")
        os.chmod(corpus, 0o755)
        for run in ("first", "second"):
            out = work / f"out-{run}"
            done = subprocess.run(_as_nobody(sys.executable, "-m", "dedup", "clean", str(corpus), "-o", str(out),
                                             "-q"), env=env, capture_output=True, text=True, cwd=work)
            assert done.returncode == 0 and "Traceback" not in done.stderr, (run, done.stderr[-2000:])
            assert json.loads((out / "report.json").read_text("utf-8"))["summary"]["lines_removed"] > 0
        uid = pwd.getpwnam('nobody').pw_uid
        cache = work / "tmp" / f"dedup-numba-{uid}"
        assert cache.is_dir() and any(cache.rglob("*.nbi"))
        assert list((work / "tmp" / f"dedup-lexicons-{uid}").glob("*/lexicons-*.pickle"))   # parsed once, kept
    finally:
        shutil.rmtree(work, ignore_errors=True)
