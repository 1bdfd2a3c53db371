"""Lines and paragraphs with exact spans, whatever the newline style."""
from hypothesis import given
from hypothesis import strategies as st

from dedup.segment import Paragraph, count, lines, paragraphs

from .conftest import HINDI, URDU


def test_lines_cover_text_with_every_newline_style():
    text = "a\r\nb\n\nc\rd"
    got = lines(text)
    assert [(l.start, l.end, l.stop) for l in got] == [(0, 1, 3), (3, 4, 5), (5, 5, 6), (6, 7, 8), (8, 9, 9)]
    assert "".join(text[l.start:l.stop] for l in got) == text


def test_hindi_seed_without_blank_lines_is_one_run_of_lines():
    """Its 14 lines follow each other with no blank line: one paragraph, lines 0 to 13;
    every line but the last ends with "\\n", the last runs to the end of the file."""
    text = HINDI.read_text("utf-8")
    got = lines(text)
    assert len(got) == 14
    assert [l.stop - l.end for l in got] == [1] * 13 + [0] and got[-1].stop == len(text) == 3763
    assert all(a.stop == b.start for a, b in zip(got, got[1:]))
    assert paragraphs(text, got) == [Paragraph(0, 13)]
    assert text[got[4].start:got[4].end] == "बैठक में कौन-कौन मौजूद?"


def test_urdu_seed_paragraphs_are_separated_by_blank_lines():
    text = URDU.read_text("utf-8")
    paras = [(p.first, p.last) for p in paragraphs(text, lines(text))]
    assert paras == [(0, 0), (2, 2), (4, 5), (7, 10)]


def test_whitespace_only_line_is_blank():
    text = "one\n  \t \ntwo"
    assert [(p.first, p.last) for p in paragraphs(text, lines(text))] == [(0, 0), (2, 2)]


line_text = st.text(alphabet=st.sampled_from(list("ab कि ाश् مو\u200c \t")), max_size=12)
newline = st.sampled_from(["\n", "\r\n", "\r"])
documents = st.lists(st.tuples(line_text, newline), max_size=15).map(
    lambda parts: "".join(t + n for t, n in parts))
trailing = st.tuples(documents, line_text).map(lambda p: p[0] + p[1])


@given(trailing)
def test_lines_partition_any_text(text):
    got = lines(text)
    assert "".join(text[l.start:l.stop] for l in got) == text
    for line in got:
        assert "\r" not in text[line.start:line.end] and "\n" not in text[line.start:line.end]
    assert [l.index for l in got] == list(range(len(got)))
    assert count(text) == len(got)


@given(trailing)
def test_paragraphs_are_maximal_runs_of_non_blank_lines(text):
    got = lines(text)
    paras = paragraphs(text, got)
    inside = {i for p in paras for i in range(p.first, p.last + 1)}
    for line in got:
        assert (line.index in inside) == bool(text[line.start:line.end].strip())
    for a, b in zip(paras, paras[1:]):
        assert b.first > a.last + 1
