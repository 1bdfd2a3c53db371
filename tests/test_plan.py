"""Spans to drop, applying them, and rebuilding the original byte for byte."""
from hypothesis import given
from hypothesis import strategies as st

from dedup import segment
from dedup.classify import Decision, Finding
from dedup.plan import apply, rebuild, removals

from .conftest import URDU

F = Finding("boilerplate", "test", {})


def _decide(text: str, removed_lines: set[int]) -> Decision:
    return Decision(lines={i: F for i in removed_lines})


def test_removed_paragraph_takes_its_blank_line():
    text = URDU.read_text("utf-8")
    spans = removals(text, _decide(text, {7, 8, 9, 10}))
    cleaned = apply(text, spans)
    assert cleaned == "".join(text.splitlines(keepends=True)[:6])
    assert spans[0].lines == (7, 8)          # the blank line 7 goes with line 8
    assert rebuild(cleaned, [s.to_json() for s in spans]) == text


def test_first_paragraph_takes_the_blank_line_after_it():
    text = "junk\n\nkept one\n\nkept two\n"
    assert apply(text, removals(text, _decide(text, {0}))) == "kept one\n\nkept two\n"


def test_middle_paragraph_removed_leaves_single_separator():
    text = "a\r\n\r\nb\r\n\r\nc\r\n"
    assert apply(text, removals(text, _decide(text, {2}))) == "a\r\n\r\nc\r\n"


def test_part_of_a_paragraph_removes_just_its_lines():
    text = "one\ntwo\nthree\n\nfour"
    assert apply(text, removals(text, _decide(text, {1}))) == "one\nthree\n\nfour"


def test_whole_document_finding():
    text = "x\ny\n"
    decision = Decision(document=Finding("duplicate", "exact-document", {}))
    spans = removals(text, decision)
    assert apply(text, spans) == ""
    assert rebuild("", [s.to_json() for s in spans]) == text


line_text = st.text(alphabet=st.sampled_from(list("ab कि مو \t\ufeff")), max_size=8)
newline = st.sampled_from(["\n", "\r\n", "\r"])
texts = st.lists(st.tuples(line_text, newline), max_size=14).map(lambda p: "".join(t + n for t, n in p))


@given(texts, st.data())
def test_rebuild_inverts_any_cleaning(text, data):
    content = [l.index for l in segment.lines(text) if not segment.is_blank(text, l)]
    chosen = data.draw(st.sets(st.sampled_from(content))) if content else set()
    spans = removals(text, _decide(text, chosen))
    cleaned = apply(text, spans)
    assert rebuild(cleaned, [s.to_json() for s in spans]) == text
    # spans are disjoint, ordered, and each one's text is the original's
    for a, b in zip(spans, spans[1:]):
        assert a.chars[1] <= b.chars[0]
    for s in spans:
        assert text[s.chars[0]:s.chars[1]] == s.text
    # every kept non-blank line is still there, in order, byte for byte
    kept = [text[l.start:l.stop] for l in segment.lines(text) if l.index not in chosen and l.index in content]
    position = 0
    for piece in kept:
        found = cleaned.find(piece.rstrip("\r\n"), position)
        assert found >= 0
        position = found


def test_a_document_removed_whole_is_one_span_of_all_its_lines():
    for text, lines in (("one line, no terminator", (1, 1)), ("a\nb\n", (1, 2)), ("a\r\n\r\nb", (1, 3))):
        spans = removals(text, Decision(document=F))
        assert [(s.lines, s.chars, s.text) for s in spans] == [(lines, (0, len(text)), text)]


def test_a_first_paragraph_after_leading_blank_lines_takes_the_blank_lines_after_it():
    text = "\n\njunk\n\nkept\n"
    spans = removals(text, _decide(text, {2}))
    assert [(s.lines, s.text) for s in spans] == [((3, 4), "junk\n\n")]
    assert apply(text, spans) == "\n\nkept\n"


def test_every_removed_paragraph_takes_one_separator():
    """A paragraph whose separator another one already took does not stop the ones after it
    from taking theirs (one separator each: the one before the kept text stays)."""
    text = "p1\n\np2\n\np3\n\nkept\n"
    spans = removals(text, _decide(text, {0, 2, 4}))
    assert [(s.lines, s.text) for s in spans] == [((1, 2), "p1\n\n"), ((3, 3), "p2\n"), ((4, 5), "\np3\n")]
    assert apply(text, spans) == "\nkept\n"


def test_cover_whole_stretches_each_finding_over_the_whitespace_after_it():
    from dedup.plan import cover_whole
    text = "\n  \nshare\n\n\nfollow\n \nlike\n\n"
    spans = removals(text, _decide(text, {2, 5, 7}))
    whole = cover_whole(text, spans)
    assert [(s.chars, s.lines) for s in spans] == [((4, 12), (3, 5)), ((12, 19), (6, 6)), ((19, 26), (7, 8))]
    assert [(s.chars, s.lines) for s in whole] == [((0, 12), (1, 5)), ((12, 19), (6, 6)), ((19, 27), (7, 9))]
    assert "".join(s.text for s in whole) == text
    assert [s.rule for s in whole] == ["test"] * 3 and cover_whole(text, []) == []
