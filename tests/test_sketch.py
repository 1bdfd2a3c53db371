"""A document's sketch: its content lines, teaser labels, multi-line paragraphs and the
lines too long to examine, as the corpus-wide rules see them."""
import numpy as np
import pytest

from hypothesis import example, given, settings
from hypothesis import strategies as st

from dedup import lexicon, sign
from dedup import table as tables
from dedup.config import Settings
from dedup.corpus import Document
from dedup.normalize import tokens
from dedup.segment import lines
from dedup.sketch import DocSketch, document_signatures, sketch, sketch_many

from .conftest import URDU


def text_hash(words: list[str]) -> int:
    """The exact-match hash every block gets, from its words as strings."""
    return sign.sequence_hash(sign.word_hashes64(words).tolist())
from .test_cli import report_of, run

LEXICON = lexicon.Lexicon()   # no lexicon rules: these tests are about the sketch itself


def sketch_of(text: str, **settings) -> DocSketch:
    return sketch(Document("a.txt", "a.txt", text), Settings(**settings), LEXICON)


def labels_of(*teasers: str) -> list:
    """The teaser label of each line (None for none), after a title line."""
    sk = sketch_of("A title line for the page\n" + "".join(t + "\n" for t in teasers))
    return [sk.label[pos][:2] if pos in sk.label else None for pos in range(1, len(teasers) + 1)]


HEADLINE = "Wakulima wa kahawa wapata bei nzuri sokoni leo asubuhi kwa mara ya kwanza mwaka huu"   # 15 words


def test_teaser_labels_of_one_to_four_words():
    assert labels_of("Habari: " + HEADLINE, "Soma pia: " + HEADLINE, "Soma pia hii leo: " + HEADLINE,
                     "Soma pia hii leo sasa: " + HEADLINE) == [
        ("habari", "Habari"), ("soma pia", "Soma pia"), ("soma pia hii leo", "Soma pia hii leo"), None]


def test_a_teaser_headline_has_at_least_two_words():
    assert labels_of("Soma pia: Kahawa", "Soma pia: Kahawa bei", "Soma pia: Kahawa bei nzuri") == [
        None, ("soma pia", "Soma pia"), ("soma pia", "Soma pia")]


def test_a_teaser_line_has_at_most_teaser_words_words():
    """teaser_words (30) is the longest teaser line, label included."""
    words = HEADLINE.split()
    line_30 = "Soma pia: " + " ".join(words + words[:13])
    line_31 = "Soma pia: " + " ".join(words + words[:14])
    assert [len(tokens(line_30)), len(tokens(line_31))] == [30, 31]
    assert labels_of(line_30, line_31) == [("soma pia", "Soma pia"), None]


def test_a_teaser_label_is_keyed_by_its_headline():
    """Two lines with one label and different headlines: two headline hashes, each the
    hash of the headline's normalized words."""
    sk = sketch_of("Title of the page\nSoma pia: " + HEADLINE + "\nSOMA PIA | Bei ya kahawa yapanda tena\n")
    assert sk.label[1][2] == text_hash(tokens(HEADLINE))
    assert sk.label[2] == ("soma pia", "SOMA PIA", text_hash(["bei", "ya", "kahawa", "yapanda", "tena"]))


def test_paragraph_hashes_cover_all_their_lines():
    """A multi-line paragraph's hash is the hash of all its words, from its first line to
    its last (a 4-line paragraph differs from one that only shares its first lines)."""
    text = URDU.read_text("utf-8")
    text += "\n\n" + "\n".join(text.splitlines()[7:9]) + "\nایک اور سطر\n"
    all_lines = lines(text)
    sk = sketch_of(text)
    spans = [(int(sk.line[a]), int(sk.line[b])) for a, b in sk.paragraphs]
    assert spans == [(4, 5), (7, 10), (12, 14)]
    assert sk.paragraph_hash.dtype == np.uint64
    assert sk.paragraph_hash.tolist() == [text_hash(tokens(text[all_lines[a].start:all_lines[b].end])) for a, b in spans]
    assert len(set(sk.paragraph_hash.tolist())) == 3


@pytest.mark.parametrize("limit", [40, 41])
def test_lines_longer_than_max_line_chars_are_left_unexamined(limit):
    """Longer lines are listed and skipped; every other line, after them too, is examined.
    A line of exactly `max_line_chars` characters is examined."""
    exact = "word " * 7 + "words"                     # 40 characters
    long = "a much longer line " * 3                  # 57 characters
    text = "short first line\n" + long + "\n" + exact + "\nthe last line\n" + long + "\n"
    sk = sketch_of(text, max_line_chars=limit)
    assert len(exact) == 40
    assert sk.unexamined == [1, 4]
    assert sk.line.tolist() == [0, 2, 3]
    assert sketch_of("one line\n").unexamined == []


def test_long_lines_are_kept_and_listed_in_the_report(tmp_path, write_corpus):
    """max_line_chars from setup.cfg: the long line stays as it was and is listed; the
    copy after it is still found."""
    body = ("The council met on Tuesday and agreed the budget for the coming year.\n"
            "The harbour will be dredged before the fishing season opens in spring.\n")   # a passage
    long = "x" * 120 + "\n"
    corpus = write_corpus({"a.txt": body + long + body})
    (tmp_path / "setup.cfg").write_text("[dedup]\nmax_line_chars = 100\n")
    out = tmp_path / "out"
    result = run("clean", corpus, "-o", out, "-j", "1", cwd=tmp_path)
    assert result.exit_code == 0, result.output
    (doc,) = report_of(out)["documents"]
    assert doc["unexamined_lines"] == [3]
    assert [(r["rule"], r["lines"]) for r in doc["removed"]] == [("exact-line", [4, 4]), ("exact-line", [5, 5])]
    assert (out / "a.txt").read_text("utf-8") == body + long


LABEL_PARTS = st.sampled_from(["Also read", "ये भी पढ़ें", "یہ بھی پڑھیں", "اقرأ أيضا", "Soma pia", "中文", "ไทย",
                               "cafe\u0301", "x\u200d", "٣ أخبار", "Ｆｕｌｌ", "a\u0e31"])
SEPARATORS = st.sampled_from([":", " :", "：", " |", " »", "›", " - ", " — ", " –– ", ":\u200b", "\u0301:"])


@settings(max_examples=300, deadline=None)
@given(LABEL_PARTS, SEPARATORS, st.text(max_size=40), st.lists(LABEL_PARTS, max_size=4))
def test_a_labels_headline_is_the_lines_words_after_the_labels(label, separator, noise, headline):
    """The teaser label's headline hash is taken from the line's own word hashes: it
    must be the hash of the headline tokenized on its own, as it was computed before."""
    from dedup.sketch import _LABEL, _label
    raw = label + separator + " ".join(headline + [noise])
    config = Settings()
    found = _label(raw, sign.word_hashes64(tokens(raw)), config)
    match = _LABEL.match(raw)
    if found is None:
        return
    assert found[2] == text_hash(tokens(raw[match.end():]))


def test_a_label_is_found_and_its_headline_hashed_on_its_own():
    from dedup.sketch import _label
    raw = "ये भी पढ़ें: कोई शीर्षक यहाँ लिखा"
    found = _label(raw, sign.word_hashes64(tokens(raw)), Settings())
    assert found == ("ये भी पढ़ें", "ये भी पढ़ें", text_hash(["कोई", "शीर्षक", "यहाँ", "लिखा"]))


@pytest.mark.parametrize("records", [False, True])
def test_a_read_batch_travels_as_a_table_that_says_what_its_sketches_say(tmp_path, records):
    """What a worker sends back (a table, pickled) is what it sketched: every line's
    number, words and hash, every block's shingles and band keys, every document's
    signature, the reads around them (skipped files and bad rows) in their places."""
    import json
    import pickle
    from dedup import corpus, stages
    rng = np.random.default_rng(7)
    texts = [URDU.read_text("utf-8"), "", "\n".join(" ".join(f"w{rng.integers(0, 50)}" for _ in range(9)) for _ in range(6)),
             "Also read: the harbour opens again today\n\nx\ny y y\n" * 3, "a b c\n" * 2]
    folder = tmp_path / "in"
    folder.mkdir()
    if records:
        rows = [json.dumps({"text": t, "url": f"https://s{n % 2}.example/{n}"}) for n, t in enumerate(texts)]
        (folder / "c.jsonl").write_text("\n".join(rows[:2] + ["{bad"] + rows[2:]) + "\n", "utf-8")
    else:
        for n, t in enumerate(texts):
            (folder / f"{n}.txt").write_text(t, "utf-8")
    settings_ = Settings()
    sources = corpus.discover([str(folder)], settings_.include, settings_.exclude, settings_.format).sources
    batch = stages.Records.one(stages.RecordPart(sources[0])) if records else sources
    spills = tmp_path / "spill"
    spills.mkdir()
    context = stages.make_context(settings_, compiled=True)
    sent = stages.sketch_table(context, (batch, str(spills / "0.u32")))
    back = pickle.loads(pickle.dumps(sent))
    assert back.items == sent.items
    read = stages.sketch_batch(context, (batch, str(spills / "1.u32")))
    assert sent.items == [item for item in read if not isinstance(item, stages.Sketched)]
    sketched = [item for item in read if isinstance(item, stages.Sketched)]
    sketches = [item.sketch for item in sketched]
    with open(sent.to_write, "rb") as handle:   # what writing needs of each document, in order
        assert pickle.load(handle) == [stages.ToWrite.of(item) for item in sketched]
    assert len(sketched) == 4 and sent.chars == sum(item.chars for item in sketched)   # not the empty text, nor the bad row
    table = tables.load(back.table)
    assert back.documents == table.documents
    assert table.documents == 4 and [sk.path for sk in sketches] == list(table.path)
    num_perm = settings_.num_perm
    assert np.array_equal(table.signatures(np.arange(4), num_perm), document_signatures(sketches, num_perm))
    for d, sk in enumerate(sketches):
        lo, hi = table.cut[d], table.cut[d + 1]
        for column in ("line", "words", "hash"):
            assert np.array_equal(getattr(table, column)[lo:hi], getattr(sk, column))
        rows = np.arange(lo, hi)
        assert all(np.array_equal(table.shingles(table.line_blocks, r, d), sk.shingles[r - lo]) for r in rows)
        keys = table.bands(table.line_blocks, rows, np.full(len(rows), d))
        assert np.array_equal(np.stack([keys.column(b) for b in range(keys.bands)], axis=1), sk.keys.array())
        ps = np.arange(table.paragraph_cut[d], table.paragraph_cut[d + 1])
        assert [(int(table.paragraph_first[p] - lo), int(table.paragraph_last[p] - lo)) for p in ps] == \
            [tuple(pair) for pair in sk.paragraphs]
        assert all(np.array_equal(table.shingles(table.paragraph_blocks, p, d), sk.paragraph_shingles[i])
                   for i, p in enumerate(ps))
        assert {int(a - lo): v for a, v in zip(table.label.at, table.label.values) if lo <= a < hi} == sk.label
        assert {int(a - lo): v for a, v in zip(table.lexicon.at, table.lexicon.values.columns[0]) if lo <= a < hi} == sk.lexicon


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(st.sampled_from(["two words", "one", "", "  \u3000", "***", "- -", "\x1f", "x " * 40]),
                         max_size=9), min_size=1, max_size=5),
       st.booleans())
def test_paragraphs_are_runs_of_two_or_more_content_lines_between_blank_lines(docs, compiled):
    """Found for a whole batch at once (either path), each document's paragraphs are
    segment.paragraphs' runs of non-blank lines, as their first and last content line:
    a blank line (white space only) ends a run, a line without words (punctuation) or
    too long to examine is passed over, and no run goes on into the next document."""
    from dedup.segment import paragraphs
    from dedup.sketch import sketch_many
    texts = ["\n".join(lines_) + "\n" for lines_ in docs]
    config = Settings(max_line_chars=60)
    sketched = sketch_many([Document(f"d{n}", f"d{n}", t) for n, t in enumerate(texts)], config, LEXICON,
                           compiled=compiled)
    for text, sk in zip(texts, sketched):
        position = {int(line): p for p, line in enumerate(sk.line)}
        want = []
        for run in paragraphs(text, lines(text)):
            inside = [position[i] for i in range(run.first, run.last + 1) if i in position]
            if len(inside) >= 2:
                want.append((inside[0], inside[-1]))
        assert sk.paragraphs == want, text


@pytest.mark.parametrize("compiled", [True, False])
def test_a_line_opening_with_the_copyright_sign_is_a_notice_in_any_language(compiled):
    """The sign is no word, so no phrase holds it: a line that opens with it (after
    "Copyright", in any case) is a copyright notice, up to SIGN_WORDS words; the sign
    inside a sentence is not."""
    notices = ["© 2019 The Hollywood Reporter", "Copyright ⓒ Entermedia. 무단전재 및 재배포 금지", "©Reuters",
               "  Ⓒ 2024 شبكة الجزيرة", "© " + "word " * lexicon.SIGN_WORDS]
    others = ["The © sign was first used on maps and books in 1909.", "© " + "word " * (lexicon.SIGN_WORDS + 1),
              "Copyright law protects the authors of books © not at all"]
    assert hits_below_a_title(notices + others, compiled) == [[lexicon.SIGN_HIT]] * len(notices) + [[]] * len(others)


def hits_below_a_title(lines: list[str], compiled: bool) -> list[list]:
    """The lexicon hits of each line, sketched as the second line of a page of its own."""
    docs = [Document(f"d{n}", f"d{n}", "A first line of the page\n" + line) for n, line in enumerate(lines)]
    return [list(sk.lexicon.values()) for sk in sketch_many(docs, Settings(), lexicon.load(()), compiled=compiled)]


@pytest.mark.parametrize("compiled", [True, False])
def test_a_line_of_hashtags_is_a_tag_list_in_any_language(compiled):
    """Two or more hashtags alone on a line, or after a short label and a colon, are a
    story's tags; a markdown heading, a sentence that ends in hashtags, a lone hashtag
    or numbers after hash signs are not."""
    tags = ["#能登半島地震 #石川県 #被災地支援", "هاشتاج: #الأهلي #الدوري_المصري", "#enflasyon, #asgariücret, #TÜİK",
            "#बाढीपहिरो #मनसुन #विपद्", "＃台風 ＃大雨"]
    others = ["# A heading in markdown", "## Two signs, a heading", "So proud of the team! #WorldCup #Champions",
              "#MeToo", "#1 #2 #3", "Ranked #4 in the world, #1 at home", "C# and F# on the same runtime"]
    assert hits_below_a_title(tags + others, compiled) == [[lexicon.TAGS_HIT]] * len(tags) + [[]] * len(others)


@pytest.mark.parametrize("compiled", [True, False])
def test_a_counted_prefix_passes_the_word_gate_after_any_number(compiled):
    """The gate knows a counted phrase by its words after the number, anywhere in a line."""
    lines = ["12 Responses to “Council approves new budget”", "1,204 thoughts on “Hello world!”",
             "3 Gedanken zu „Need for Speed“", "12 responses to the survey were negative"]
    assert [[hit.rule for hit in hits] for hits in hits_below_a_title(lines, compiled)] == [
        ["en/comments"], ["en/comments"], ["de/comments"], []]


BATCH_LINES = ["", "   ", "ये भी पढ़ें: सरकार ने नई योजना की घोषणा की", "Related articles", "مواضيع ذات صلة",
               "Also read: the river rose again in the valley", "Updated 12:30, 4 May 2024", "Ingredients:",
               "Rain falls on the market town | The Daily Example", "one two three four five six seven eight",
               "a line " * 30, "***", "Watch: the storm over the coast tonight", "© 2019 The Daily Example",
               "#storm #coast"]


@settings(max_examples=80, deadline=None)
@given(st.lists(st.lists(st.sampled_from(BATCH_LINES), max_size=8), min_size=1, max_size=5), st.booleans())
@example([["one two three four five six seven eight"], ["Ingredients:", "Related articles"]], True)
def test_a_batch_sketches_each_document_as_it_would_be_sketched_alone(docs, compiled):
    """Sketching runs over a whole batch's arrays at once; no finding, paragraph, hash,
    band key or signature of one document lands in another's, and none is lost."""
    config = Settings(max_line_chars=100)
    lex = lexicon.load(())
    texts = ["\n".join(lines_) for lines_ in docs]
    batch = sketch_many([Document(f"d{n}", f"d{n}", t) for n, t in enumerate(texts)], config, lex, compiled=compiled)
    for n, (text, got) in enumerate(zip(texts, batch)):
        alone = sketch_many([Document(f"d{n}", f"d{n}", text)], config, lex, compiled=compiled)[0]
        for name in ("lines", "lexicon", "label", "shape", "affix", "headings", "paragraphs", "unexamined"):
            assert getattr(got, name) == getattr(alone, name), (text, name)
        for name in ("line", "words", "hash", "paragraph_hash"):
            assert getattr(got, name).tolist() == getattr(alone, name).tolist(), (text, name)
        for name in ("shingles", "paragraph_shingles"):
            assert [b.tolist() for b in getattr(got, name)] == [b.tolist() for b in getattr(alone, name)], (text, name)
        for name in ("keys", "paragraph_keys"):
            assert np.array_equal(getattr(got, name).array(), getattr(alone, name).array()), (text, name)
        if alone.document_signature is None:
            assert got.document_signature is None
        else:
            assert got.document_signature.tolist() == alone.document_signature.tolist(), text
