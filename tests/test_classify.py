"""Corpus-wide decisions on small, realistic corpora."""
import random

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from dedup import lexicon
from dedup.classify import Finding, classify
from dedup.config import Settings
from dedup.corpus import Document
from dedup.normalize import tokens
from dedup.sketch import sketch_many

from .conftest import HINDI, URDU
from .test_cli import run

VOCAB = sorted(set(HINDI.read_text("utf-8").split() + URDU.read_text("utf-8").split()))


def paragraph(rng: random.Random, words: int = 40) -> str:
    return " ".join(rng.choice(VOCAB) for _ in range(words))


def decide(files: dict[str, str], **overrides):
    settings = Settings(**overrides)
    names = sorted(files)
    docs = [Document(n, n, files[n]) for n in names]
    decisions = classify(sketch_many(docs, settings, lexicon.load()), settings)
    return dict(zip(names, decisions))


def removed_rules(decision) -> dict[int, str]:
    return {i + 1: f.rule for i, f in sorted(decision.lines.items())}


def typo(text: str, rng: random.Random, edits: int) -> str:
    words = text.split()
    for _ in range(edits):
        i = rng.randrange(len(words))
        words[i] = words[i][:-1] + "ा"
    return " ".join(words)


def test_document_copy_with_typos_variants_and_digits_is_a_near_duplicate():
    rng = random.Random(1)
    body = [paragraph(rng, 60) + " 2024 یہ کتاب" for _ in range(6)]
    # three typos in the whole article, other digits, Arabic instead of Urdu letters
    copy = [typo(p, rng, 1) if i % 2 else p for i, p in enumerate(body)]
    copy = [p.replace("2024", "۲۰۲۴").replace("ی", "ي").replace("ک", "ك") for p in copy]
    got = decide({"a.txt": "\n".join(body), "b.txt": "\n".join(copy), "c.txt": paragraph(rng)})
    assert got["a.txt"].document is None and not got["a.txt"].lines
    assert got["b.txt"].document.kind == "near-duplicate"
    assert got["b.txt"].document.evidence["original"] == {"path": "a.txt"}
    assert 0.8 <= got["b.txt"].document.evidence["similarity"] < 1
    assert got["c.txt"].document is None


def test_exact_document_copy_with_other_whitespace_and_newlines():
    rng = random.Random(2)
    body = [paragraph(rng) for _ in range(3)]
    got = decide({"a.txt": "\n".join(body), "b.txt": "\r\n\r\n".join(body).replace(" ", "  ")})
    assert got["a.txt"].document is None and got["a.txt"].lines == {}
    assert got["b.txt"].document.rule == "exact-document" and got["b.txt"].document.kind == "duplicate"
    assert got["b.txt"].document.evidence == {"original": {"path": "a.txt"}, "similarity": 1.0}


def test_body_stored_twice_in_one_document_keeps_the_first_copy():
    rng = random.Random(3)
    body = [paragraph(rng, 80), "छोटा सा शीर्षक", paragraph(rng), paragraph(rng)]
    edited = [typo(body[0], rng, 1)] + body[1:]
    got = decide({"a.txt": "\n".join(body + edited)})
    assert removed_rules(got["a.txt"]) == {5: "near-line", 6: "exact-line", 7: "exact-line", 8: "exact-line"}
    assert got["a.txt"].lines[4].evidence["original"] == {"path": "a.txt", "lines": [1, 1]}


def test_lines_copied_from_another_document_point_to_the_original():
    rng = random.Random(4)
    shared = paragraph(rng)
    got = decide({"a.txt": f"{paragraph(rng)}\n{shared}", "b.txt": f"{paragraph(rng)}\n{paragraph(rng)}\n{shared}"})
    assert removed_rules(got["b.txt"]) == {3: "exact-line"}
    assert got["b.txt"].lines[2].evidence == {"original": {"path": "a.txt", "lines": [2, 2]}, "similarity": 1.0}


def test_short_repeated_line_alone_survives_but_not_inside_a_repeated_passage():
    rng = random.Random(5)
    refrain = "फिर वही"
    poem = "\n".join([paragraph(rng, 8), refrain, paragraph(rng, 9), refrain, paragraph(rng, 7), refrain])
    subheading, pair = "फिर क्या हुआ", ["मुख्य बातें", "आज का दिन"]     # short lines (< 5 words)
    passage = [paragraph(rng, 12), subheading, paragraph(rng, 12)]
    article = "\n".join([paragraph(rng, 20), *passage, paragraph(rng, 15), *pair, paragraph(rng, 15)])
    copy = "\n".join([paragraph(rng, 20), refrain, paragraph(rng, 15), *passage, paragraph(rng, 16), *pair,
                      paragraph(rng, 16)])
    got = decide({"a-poem.txt": poem, "b-article.txt": article, "c-copy.txt": copy})
    # alone: the poem's refrain and its copy in c-copy.txt (line 2) stay
    assert got["a-poem.txt"].lines == {} and got["b-article.txt"].lines == {}
    # inside a copied passage (lines 4-6), or copied together with another short line (8-9), they go
    assert removed_rules(got["c-copy.txt"]) == {n: "exact-line" for n in (4, 5, 6, 8, 9)}
    originals = {i + 1: f.evidence["original"]["lines"][0] for i, f in got["c-copy.txt"].lines.items()}
    assert originals == {4: 2, 5: 3, 6: 4, 8: 6, 9: 7}
    assert {f.evidence["original"]["path"] for f in got["c-copy.txt"].lines.values()} == {"b-article.txt"}


def test_a_long_line_its_own_document_prints_again_goes_only_inside_a_repeated_passage():
    rng = random.Random(9)
    question = paragraph(rng, 9)                      # asked of each guest of an interview
    interview = "\n".join(part for _ in range(3) for part in (question, paragraph(rng, 25)))
    body = [paragraph(rng, 14), paragraph(rng, 12), paragraph(rng, 16)]
    twice = "\n".join([paragraph(rng, 20)] + body + body)   # a body stored twice in one file
    quoted = "\n".join([paragraph(rng, 20), question, paragraph(rng, 20)])   # the question in another document
    got = decide({"a-interview.txt": interview, "b-twice.txt": twice, "c-quoted.txt": quoted})
    assert got["a-interview.txt"].lines == {}
    assert removed_rules(got["b-twice.txt"]) == {n: "exact-line" for n in (5, 6, 7)}
    assert removed_rules(got["c-quoted.txt"]) == {2: "exact-line"}


def test_a_plan_the_page_prints_again_with_changes_stays_and_a_lead_printed_again_goes():
    """A document's own lines printed again go as a passage of prose (25 words or more,
    8 a line on average): a day's plan whose steps come again around a changed meal stays
    whole; a lead paragraph printed again below the article goes."""
    rng = random.Random(12)
    steps = [paragraph(rng, 5) for _ in range(6)]         # "Eat 60-90 minutes before your workout"...

    def day() -> list[str]:
        return [*steps, paragraph(rng, 12)]                   # 30 words of steps, then the day's meal
    plan = "\n".join([paragraph(rng, 30), *day(), *day(), *day()])

    def article(lead_words: int) -> str:
        lead = paragraph(rng, lead_words)
        return "\n".join([paragraph(rng, 8), lead, paragraph(rng, 40), paragraph(rng, 35), lead])
    got = decide({"a-plan.txt": plan, "b-article.txt": article(25), "c-article.txt": article(24)})
    assert got["a-plan.txt"].lines == {}
    assert removed_rules(got["b-article.txt"]) == {5: "exact-line"}
    assert got["c-article.txt"].lines == {}
    # a day's prose printed again goes when the day is printed again whole, and takes no
    # step with it that is not its passage's
    stretch, cool_down, meal = paragraph(rng, 30), paragraph(rng, 4), paragraph(rng, 12)
    plan = "\n".join(line for _ in range(3) for line in (steps[0], stretch, meal, cool_down, paragraph(rng, 12)))
    assert removed_rules(decide({"a-plan.txt": plan})["a-plan.txt"]) == {
        n: "exact-line" for n in (6, 7, 8, 9, 11, 12, 13, 14)}
    # steps of 8 words a line are prose: the days' repeated steps go
    steps[:] = [paragraph(rng, 8) for _ in range(6)]
    plan = "\n".join([paragraph(rng, 30), *day(), *day()])
    assert removed_rules(decide({"a-plan.txt": plan})["a-plan.txt"]) == {n: "exact-line" for n in range(9, 15)}


def test_a_block_the_page_prints_again_with_a_line_left_out_or_changed_stays_whole():
    """Copies of a document's own lines go as a passage only when it is printed again
    whole: where the copy goes on past a line left out or changed (a menu for each of
    three eating plans, a tip left out, a meal changed), it is a table printed again."""
    rng = random.Random(14)
    head = [paragraph(rng, 2), paragraph(rng, 6), paragraph(rng, 25), paragraph(rng, 9)]   # 42 words, 4 lines
    tip, tail = paragraph(rng, 8), [paragraph(rng, 3), paragraph(rng, 5)]
    intro = paragraph(rng, 30)

    def got(second: list[str]) -> dict[int, str]:
        plan = "\n".join([intro, *head, tip, *tail, paragraph(rng, 20), *second, paragraph(rng, 20)])
        return removed_rules(decide({"plan.txt": plan})["plan.txt"])
    assert got([*head, tip, *tail]) == {n: "exact-line" for n in range(10, 17)}   # printed again whole
    assert got([*head, *tail]) == {}                                    # the tip left out
    assert got([*head, paragraph(rng, 8), *tail]) == {}                 # the tip changed
    assert got([head[0], paragraph(rng, 6), *head[2:], tip, *tail]) == {}   # its second line changed
    # a line changed a little is a near copy: it goes, and takes no unchanged line beside it
    changed = head[2].split()
    changed[-1] = "बदला"
    assert got([*head[:2], " ".join(changed), head[3], tip, *tail]) == {12: "near-line"}


def test_frequent_short_line_in_an_unknown_language_is_boilerplate_everywhere():
    rng = random.Random(6)
    footer = "Tufuate kwenye mitandao ya kijamii"   # Swahili: no lexicon knows it
    files = {f"{n}.txt": f"{paragraph(rng)}\n{footer}\n{paragraph(rng)}" for n in range(5)}
    got = decide(files)
    for name in files:
        assert removed_rules(got[name]) == {2: "frequent-line"}
        assert got[name].lines[1].evidence == {"documents": 5}
    # below min_docs it is a duplicate: the first copy stays
    got = decide(dict(list(files.items())[:3]))
    assert [removed_rules(got[n]) for n in sorted(got)] == [{}, {2: "exact-line"}, {2: "exact-line"}]


def test_a_tables_cells_are_no_template_and_no_repeat():
    """Lines of numbers only recur on a site's pages and in a row in one table: they stay
    (the words around them still go as the site's template)."""
    rng = random.Random(12)
    footer = "Tufuate kwenye mitandao ya kijamii"
    files = {f"{n}.txt": "\n".join([paragraph(rng), footer, str(10 + n), "100", str(20 + n), paragraph(rng)])
             for n in range(5)}                                     # "100" in every page of the site
    files["5.txt"] = "\n".join([paragraph(rng), "Pos", "0", "0", "0", "7", paragraph(rng)])
    got = decide(files)
    assert [removed_rules(got[f"{n}.txt"]) for n in range(6)] == [{2: "frequent-line"}] * 5 + [{}]


def test_teaser_template_in_an_unknown_language():
    rng = random.Random(7)
    files = {f"{n}.txt": f"{paragraph(rng)}\nSoma pia: {paragraph(rng, 7)}\n{paragraph(rng)}\n"
                         f"Alisema: {paragraph(rng, 8)}." for n in range(5)}
    got = decide(files)
    for name in files:
        assert removed_rules(got[name]) == {2: "teaser-template"}
        assert got[name].lines[1].evidence == {"prefix": "Soma pia", "documents": 5}


def test_teaser_template_needs_varying_headlines():
    """The same label before the same headline in five documents is a copied line (the
    first copy stays), not a site template; with a different headline in each, it is one.
    (Lines of 18 words: too long for frequent-line, short enough for a teaser.)"""
    rng = random.Random(10)

    def headline() -> str:
        return "Soma pia: " + paragraph(rng, 16).rstrip(".۔।!?\"” ")
    same = headline()
    files = {f"{n}.txt": f"{paragraph(rng)}\n{same}\n{paragraph(rng)}" for n in range(5)}
    got = decide(files)
    assert [removed_rules(got[f"{n}.txt"]) for n in range(5)] == [{}] + [{2: "exact-line"}] * 4
    assert got["4.txt"].lines[1].evidence == {"original": {"path": "0.txt", "lines": [2, 2]}, "similarity": 1.0}
    files = {f"{n}.txt": f"{paragraph(rng)}\n{headline()}\n{paragraph(rng)}" for n in range(5)}
    got = decide(files)
    assert [removed_rules(got[f"{n}.txt"]) for n in range(5)] == [{2: "teaser-template"}] * 5


def test_heading_printed_three_times_in_a_row():
    rng = random.Random(8)
    text = "\n".join([paragraph(rng), "", "Habari zinazohusiana", "Habari zinazohusiana", "Habari zinazohusiana"])
    assert removed_rules(decide({"a.txt": text})["a.txt"]) == {3: "repeated-in-document", 4: "repeated-in-document",
                                                              5: "repeated-in-document"}


def test_hard_wrapped_paragraph_copy_matches_as_a_paragraph():
    rng = random.Random(9)
    words = paragraph(rng, 60).split()
    wrap_a = "\n".join(" ".join(words[i:i + 12]) for i in range(0, 60, 12))
    wrap_b = "\n".join(" ".join(words[i:i + 9]) for i in range(0, 60, 9))
    text = f"{paragraph(rng)}\n\n{wrap_a}\n\n{paragraph(rng)}\n\n{wrap_b}\n"
    got = decide({"a.txt": text})["a.txt"]
    rules = set(removed_rules(got).values())
    assert rules == {"exact-paragraph"}
    assert sorted(i + 1 for i in got.lines) == list(range(11, 18))


def test_titles_lists_and_interviews_are_not_teaser_templates():
    """Each would be a template without its exception: "Dubai: …" titles in twelve
    documents must not count for the one document that has it inside (line 3),
    three or more labels make a list, six "Q:" lines a document make an interview."""
    rng = random.Random(8)
    files = {}
    for i in range(6):
        title = lambda: f"Dubai: {paragraph(rng, 6)}"              # "Place: headline" titles
        items = "\n".join(f"{n}: {paragraph(rng, 8)}" for n in ("Firstly", "Secondly", "Thirdly"))
        interview = "\n".join(f"Q: {paragraph(rng, 7)}\n{paragraph(rng, 20)}." for _ in range(6))
        files[f"list-{i}.txt"] = f"{title()}\n{paragraph(rng)}\n{items}\n"
        files[f"talk-{i}.txt"] = f"{title()}\n{paragraph(rng)}\n{interview}\n"
    files["news.txt"] = f"{paragraph(rng, 9)}\n{paragraph(rng)}\n{title()}\n{paragraph(rng)}\n"
    assert all(not d.lines and not d.document for d in decide(files).values())


def test_a_title_listed_in_other_pages_sidebars_stays_but_navigation_goes():
    rng = random.Random(9)
    headline = "Heat wave grips the east of the kingdom this week"
    files = {"a.txt": f"{headline}\n{paragraph(rng)}\n"}
    for i in range(4):
        files[f"b{i}.txt"] = f"Skip to main content\n{paragraph(rng)}\nMost read\n{headline}\n"
    got = decide(files)
    assert removed_rules(got["a.txt"]) == {}
    for i in range(4):
        assert removed_rules(got[f"b{i}.txt"]) == {1: "frequent-line", 3: "lexicon:en/related", 4: "frequent-line"}


UNSPACED = {   # a sentence and a one-letter typo in it
    "lao": ("ນະຄອນຫຼວງວຽງຈັນເປັນເມືອງຫຼວງຂອງສາທາລະນະລັດປະຊາທິປະໄຕປະຊາຊົນລາວ ແລະ ເປັນເມືອງໃຫຍ່ທີ່ສຸດຂອງປະເທດ "
            "ຕັ້ງຢູ່ແຄມແມ່ນ້ຳຂອງ", "ໃຫຍ່", "ໃຫ່ຍ"),
    "khmer": ("រាជធានីភ្នំពេញគឺជាទីក្រុងធំជាងគេនៃព្រះរាជាណាចក្រកម្ពុជា ហើយជាមជ្ឈមណ្ឌលសេដ្ឋកិច្ចរបស់ប្រទេស "
              "ស្ថិតនៅលើទន្លេមេគង្គ", "មជ្ឈមណ្ឌល", "មជ្ឈមណ្ឌុល"),
    "myanmar": ("ရန်ကုန်မြို့သည်မြန်မာနိုင်ငံ၏အကြီးဆုံးမြို့ဖြစ်ပြီး စီးပွားရေးဗဟိုချက်ဖြစ်သည် "
                "ဧရာဝတီမြစ်ဝကျွန်းပေါ်တွင်တည်ရှိပြီး မြို့တွင်လူဦးရေငါးသန်းကျော်နေထိုင်သည်", "ဗဟို", "ဗဟုိ"),
}


@pytest.mark.parametrize("script", UNSPACED)
def test_near_copies_in_unspaced_scripts_match_character_by_character(script):
    """A line of Lao, Khmer or Myanmar has only a few spaces: as words it would be too
    short to compare, as characters a one-letter typo leaves it a near-duplicate."""
    sentence, old, new = UNSPACED[script]
    rng = random.Random(11)
    got = decide({"a.txt": f"{paragraph(rng)}\n{sentence}\n",
                  "b.txt": f"{paragraph(rng)}\n{sentence.replace(old, new)}\n"})
    assert removed_rules(got["a.txt"]) == {} and removed_rules(got["b.txt"]) == {2: "near-line"}
    evidence = got["b.txt"].lines[1].evidence
    assert evidence["original"] == {"path": "a.txt", "lines": [2, 2]} and 0.84 <= evidence["similarity"] < 0.87


# -- the edges of every rule: evidence, boundaries, the whole-document content -------------

WORDS = sorted({w for w in VOCAB if tokens(w) == [w]})   # one word each, as normalization sees it


def distinct(rng: random.Random, n: int) -> list[str]:
    """n different words: no 5-gram of them repeats, so Jaccard values are exact fractions."""
    return rng.sample(WORDS, n)


def one_word_changed(words: list[str], at: int) -> list[str]:
    new = next(w for w in WORDS if w not in words)
    return words[:at] + [new] + words[at + 1:]


def test_near_copy_of_a_line_records_its_exact_similarity():
    """A 60-word line (56 shingles) and its copy with one word changed share 51 of 61
    shingles: the report records 51/61 to four places. Two lines in the whole corpus
    are enough to compare."""
    rng = random.Random(21)
    line = distinct(rng, 60)
    got = decide({"a.txt": " ".join(line) + "\n" + " ".join(one_word_changed(line, 30)) + "\n"})["a.txt"]
    assert got.document is None
    assert got.lines == {1: Finding("near-duplicate", "near-line", {
        "original": {"path": "a.txt", "lines": [1, 1]}, "similarity": round(51 / 61, 4)})}


def test_near_copy_of_a_hard_wrapped_paragraph():
    """Wrapped at other widths, with one word changed, no line matches a line: the two
    paragraphs match as wholes, and the evidence names all the original's lines."""
    rng = random.Random(22)
    words = distinct(rng, 60)
    edited = one_word_changed(words, 33)
    wrap_a = "\n".join(" ".join(words[i:i + 12]) for i in range(0, 60, 12))        # lines 1-5
    wrap_b = "\n".join(" ".join(edited[i:i + 9]) for i in range(0, 60, 9))         # lines 7-13
    got = decide({"a.txt": f"{wrap_a}\n\n{wrap_b}\n"})["a.txt"]
    finding = Finding("near-duplicate", "near-paragraph", {"original": {"path": "a.txt", "lines": [1, 5]},
                                                          "similarity": round(51 / 61, 4)})
    assert got.document is None and got.lines == {i: finding for i in range(6, 13)}


def test_exact_copy_of_a_hard_wrapped_paragraph_in_another_document():
    rng = random.Random(23)
    words = paragraph(rng, 60).split()
    wrap_a = "\n".join(" ".join(words[i:i + 12]) for i in range(0, 60, 12))
    wrap_b = "\n".join(" ".join(words[i:i + 9]) for i in range(0, 60, 9))
    got = decide({"a.txt": f"{paragraph(rng)}\n\n{wrap_a}\n", "b.txt": f"{paragraph(rng)}\n\n{wrap_b}\n"})
    finding = Finding("duplicate", "exact-paragraph", {"original": {"path": "a.txt", "lines": [3, 7]},
                                                      "similarity": 1.0})
    assert got["a.txt"].lines == {} and got["b.txt"].lines == {i: finding for i in range(2, 9)}


def test_a_copy_with_its_lines_in_another_order_is_a_duplicate_document():
    """Not byte-identical content, yet every shingle is shared: similarity 1, so it is a
    `duplicate` (not a near one) found by the `near-document` rule."""
    rng = random.Random(24)
    body = [paragraph(rng) for _ in range(4)]
    got = decide({"a.txt": "\n".join(body), "b.txt": "\n".join(body[2:] + body[:2])})
    assert got["a.txt"].document is None and got["a.txt"].lines == {}
    assert got["b.txt"].document == Finding("duplicate", "near-document",
                                            {"original": {"path": "a.txt"}, "similarity": 1.0})


def test_whole_document_content_leaves_out_lexicon_and_short_lines():
    """A document's content is its lines of `shingle_size` words or more outside the
    lexicon: another teaser or subheading does not make a copy new, a 5-word line does;
    a document of short lines only is compared by all its lines."""
    rng = random.Random(25)
    body = [paragraph(rng) for _ in range(3)]
    teaser = "ये भी पढ़ें: " + paragraph(rng, 8)
    menu = "\n".join(["मुख्य बातें", "आज का दिन", "फिर क्या हुआ"])
    got = decide({
        "a.txt": "\n".join(body),
        "b.txt": "\n".join([body[0], teaser, "छोटा सा शीर्षक", body[1], body[2]]),
        "c.txt": "\n".join(body + [" ".join(distinct(rng, 5))]),
        "d.txt": menu, "e.txt": menu + "\n",
    })
    assert got["b.txt"].document == Finding("duplicate", "exact-document",
                                            {"original": {"path": "a.txt"}, "similarity": 1.0})
    c = got["c.txt"].document
    assert (c.kind, c.rule, c.evidence["original"]) == ("near-duplicate", "near-document", {"path": "a.txt"})
    assert 0.8 <= c.evidence["similarity"] < 1
    assert got["d.txt"].document is None and got["d.txt"].lines == {}
    assert got["e.txt"].document == Finding("duplicate", "exact-document",
                                            {"original": {"path": "d.txt"}, "similarity": 1.0})


def test_a_document_without_words_is_kept_and_matches_nothing(tmp_path, monkeypatch):
    """Punctuation only: no content line, nothing to compare as a whole, in `clean`'s
    decisions and in `dedup check`'s index alike (no traceback, no finding)."""
    settings = Settings()
    docs = [Document(n, n, "---\n* * *\n") for n in ("a.txt", "b.txt")]
    sketches = sketch_many(docs, settings, lexicon.load())
    assert [(d.document, d.lines) for d in classify(sketches, settings)] == [(None, {}), (None, {})]
    (tmp_path / "data").mkdir()
    for name in ("a.txt", "b.txt"):
        (tmp_path / "data" / name).write_text("---\n* * *\n", encoding="utf-8")
    (tmp_path / "data" / "c.txt").write_text(paragraph(random.Random(34)) + "\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = run("check", "data")
    assert (result.exit_code, result.output) == (0, "dedup: 0 new findings\n")


def test_lexicon_line_evidence_and_the_copies_after_it():
    """A lexicon line is boilerplate with its pattern; the lines after it are still
    compared (a copy below a teaser is found)."""
    rng = random.Random(26)
    shared = paragraph(rng)
    got = decide({"a.txt": f"{paragraph(rng)}\n{shared}\n",
                  "b.txt": f"{paragraph(rng)}\nये भी पढ़ें: {paragraph(rng, 8)}\n{shared}\n"})
    assert got["b.txt"].lines == {
        1: Finding("boilerplate", "lexicon:hi/also-read", {"pattern": "ये भी पढ़ें"}),
        2: Finding("duplicate", "exact-line", {"original": {"path": "a.txt", "lines": [2, 2]}, "similarity": 1.0})}


def test_repeated_in_document_at_the_top_and_up_to_boilerplate_words():
    """Three in a row is boilerplate from the first line on, for lines of up to 12 words
    (`boilerplate_words`); a 13-word line three times is a line and its two copies."""
    rng = random.Random(27)
    heading, twelve, thirteen = "Habari zinazohusiana", paragraph(rng, 12), paragraph(rng, 13)
    text = "\n".join([heading] * 3 + [paragraph(rng)] + [twelve] * 3 + [paragraph(rng)] + [thirteen] * 4)
    got = decide({"a.txt": text})["a.txt"]
    assert {i: f for i, f in got.lines.items() if i < 8} == {
        i: Finding("boilerplate", "repeated-in-document", {"count": 3}) for i in (0, 1, 2, 4, 5, 6)}
    copy = Finding("duplicate", "exact-line", {"original": {"path": "a.txt", "lines": [9, 9]}, "similarity": 1.0})
    assert {i: f for i, f in got.lines.items() if i >= 8} == {9: copy, 10: copy, 11: copy}


def test_a_run_in_a_row_ends_with_its_document():
    """Two copies at the end of one file and one at the start of the next are not three
    in a row: runs are counted within a document."""
    rng = random.Random(29)
    heading = "Habari zinazohusiana"
    got = decide({"a.txt": "\n".join([paragraph(rng), heading, heading]),
                  "b.txt": "\n".join([heading, paragraph(rng)]),
                  "c.txt": "\n".join([paragraph(rng)] + [heading] * 3)})
    assert not got["a.txt"].lines and not got["b.txt"].lines
    assert got["c.txt"].lines == {i: Finding("boilerplate", "repeated-in-document", {"count": 3}) for i in (1, 2, 3)}


def test_short_copies_of_two_documents_ends_are_not_a_passage():
    """Two short lines in a row that copy the last line of one file and the first of the
    next are not a repeated passage: the lines they copy are not next to each other."""
    rng = random.Random(30)
    end, start = "habari za jioni", "karibu tena kesho"
    got = decide({"a.txt": "\n".join([paragraph(rng), end]), "b.txt": "\n".join([start, paragraph(rng)]),
                  "c.txt": "\n".join([paragraph(rng), end, start, paragraph(rng)])})
    assert not any(got[name].lines for name in got)
    passage = decide({"a.txt": "\n".join([paragraph(rng), end, start]),
                      "c.txt": "\n".join([paragraph(rng), end, start, paragraph(rng)])})
    assert sorted(passage["c.txt"].lines) == [1, 2]


def test_frequent_line_of_boilerplate_words_and_a_five_word_title():
    """A 12-word line in exactly `min_docs` documents is boilerplate everywhere, a 13-word
    one is not (its first copy stays); a title of `min_duplicate_words` words stays where
    it is the title."""
    rng = random.Random(28)
    twelve, thirteen = " ".join(distinct(rng, 12)), " ".join(distinct(rng, 13))
    title = "Heat wave grips the east"
    files = {"a.txt": f"{title}\n{paragraph(rng)}\n"}
    files.update({f"b{i}.txt": f"{paragraph(rng)}\n{twelve}\n{paragraph(rng)}\n{thirteen}\n{title}\n"
                  for i in range(4)})
    got = decide(files)
    assert got["a.txt"].lines == {}
    copy = Finding("duplicate", "exact-line", {"original": {"path": "b0.txt", "lines": [4, 4]}, "similarity": 1.0})
    for i in range(4):
        assert got[f"b{i}.txt"].lines == {1: Finding("boilerplate", "frequent-line", {"documents": 4}),
                                          **({3: copy} if i else {}),
                                          4: Finding("boilerplate", "frequent-line", {"documents": 5})}


def teaser(rng: random.Random, label: str = "Soma pia") -> str:
    return f"{label}: " + paragraph(rng, 7).rstrip(".۔।!?\"”، ")


def test_teaser_template_at_its_limits():
    """Exactly `min_docs` documents, four teasers in each (an interview has more), and
    the label as the first document writes it."""
    rng = random.Random(29)
    files = {f"{n}.txt": "\n\n".join([paragraph(rng)] + [teaser(rng, "Soma Pia" if n == 0 else "Soma pia")
                                                         for _ in range(4)] + [paragraph(rng)])
             for n in range(4)}
    got = decide(files)
    finding = Finding("boilerplate", "teaser-template", {"prefix": "Soma Pia", "documents": 4})
    for name in files:
        assert got[name].lines == {i: finding for i in (2, 4, 6, 8)}


def test_two_headlines_are_enough_to_vary():
    """Four documents, two headlines after the label between them: a template, every copy
    goes (not a line and its copies)."""
    rng = random.Random(30)
    headlines = [teaser(rng), teaser(rng)]
    files = {f"{n}.txt": f"{paragraph(rng)}\n{headlines[n % 2]}\n{paragraph(rng)}" for n in range(4)}
    got = decide(files)
    assert [removed_rules(got[f"{n}.txt"]) for n in range(4)] == [{2: "teaser-template"}] * 4


def test_subheadings_shared_by_two_articles_stay():
    """The same two short subheadings in two articles, with other text under each:
    not a repeated passage, so not duplicates."""
    rng = random.Random(31)
    got = decide({name: "\n".join([paragraph(rng), "मुख्य बातें", paragraph(rng), "आगे क्या होगा", paragraph(rng)])
                  for name in ("a.txt", "b.txt")})
    assert got["a.txt"].lines == {} and got["b.txt"].lines == {}


def test_short_copies_join_a_passage_from_either_side_until_nothing_changes():
    """Short copies go when a removed line is next to them: after a copied first line,
    and before a copied paragraph through another short copy (found on a second pass:
    their originals are apart, so they are not copied together)."""
    rng = random.Random(32)
    p = [paragraph(rng, 20) for _ in range(4)]
    s = ["मुख्य बातें", "आज का दिन", "फिर क्या हुआ"]
    a = [p[0], s[0], p[1], s[1], p[2], s[2], p[3]]
    b = [p[0], s[0], paragraph(rng, 20), s[2], s[1], p[2], paragraph(rng, 20)]
    got = decide({"a.txt": "\n".join(a), "b.txt": "\n".join(b)})
    assert got["a.txt"].lines == {}
    originals = {i + 1: f.evidence["original"]["lines"][0] for i, f in got["b.txt"].lines.items()}
    assert removed_rules(got["b.txt"]) == {n: "exact-line" for n in (1, 2, 4, 5, 6)}
    assert originals == {1: 1, 2: 2, 4: 6, 5: 4, 6: 5}


def test_a_long_passage_of_short_copies_grown_from_one_end_is_looked_at_line_by_line_once(monkeypatch):
    """A passage of 300 short lines copied after the text, removed from its far end (a
    lexicon's line after it) back to its first line: every copy goes, and the copies
    are looked at a few times each, not once a pass for each line the passage grows by
    (a 4,000-line list took 35 s so)."""
    from dedup.table import Table
    rng = random.Random(34)
    short = [" ".join(distinct(rng, 3)) for _ in range(300)]
    text = "\n".join([paragraph(rng, 20), *short, paragraph(rng, 20), *short, "Related articles"]) + "\n"
    looks = []
    doc_of = Table.doc_of
    monkeypatch.setattr(Table, "doc_of", lambda self, row: looks.append(row) or doc_of(self, row))
    got = decide({"a.txt": text})["a.txt"]
    copies = {i + 1: f.rule for i, f in got.lines.items() if i > 301}
    assert copies == {n: "exact-line" for n in range(303, 603)} | {603: "lexicon:en/related"}
    assert len(looks) < 20 * len(short)


def test_a_line_of_shingle_size_words_is_compared_for_near_copies():
    """Five words make one shingle: with `threshold` 0.5, the same five words and one
    more (Jaccard 1/2) are a near-duplicate line."""
    rng = random.Random(33)
    six = distinct(rng, 6)
    got = decide({"a.txt": f"{paragraph(rng)}\n{' '.join(six[:5])}\n",
                  "b.txt": f"{paragraph(rng)}\n{' '.join(six)}\n"}, threshold=0.5)
    assert got["a.txt"].lines == {}
    assert got["b.txt"].lines == {1: Finding("near-duplicate", "near-line", {
        "original": {"path": "a.txt", "lines": [2, 2]}, "similarity": 0.5})}


def test_decisions_keep_the_first_rule_per_line_and_make_a_group_finding_when_asked():
    """Decisions: a line keeps the finding of the first rule that took it; documents
    dropped as a group hold an item each until their finding is asked for."""
    import numpy as np
    from dedup.rules.findings import Decision, Decisions
    asked = []

    def finding_of(item: int) -> Finding:
        return Finding("duplicate", "exact-document", {"original": {"path": f"doc{item}"}, "similarity": 1.0})

    def findings_of(items) -> list[Finding]:
        asked.append(items.tolist())
        return [finding_of(i) for i in items.tolist()]
    decisions = Decisions(5)
    first = Finding("boilerplate", "frequent-line", {"documents": 4})
    decisions.take(1, 3, first)
    decisions.take(1, 3, Finding("boilerplate", "template-shape", {"documents": 9}))
    alone = Finding("duplicate", "exact-document", {"original": {"path": "elsewhere"}, "similarity": 1.0})
    decisions.drop(0, alone)
    decisions.drop_all(np.array([2, 4]), np.array([7, 9]), findings_of)
    assert asked == [] and decisions.kept().tolist() == [False, True, False, True, False]
    assert [decisions.dropped(d) for d in range(5)] == [True, False, True, False, True]
    assert decisions[4] == Decision(finding_of(9)) and decisions[2].document.evidence["original"] == {"path": "doc7"}
    assert list(decisions) == [Decision(alone), Decision(None, {3: first}), Decision(finding_of(7)), Decision(),
                               Decision(finding_of(9))]
    asked.clear()
    together = decisions.of(np.arange(5))
    assert asked == [[7, 9]] and together == list(decisions)   # a group's findings made together
    with pytest.raises(TypeError):
        decisions.lines(1)[4] = first   # read only: rules take lines through `take`


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(st.sampled_from([0, 1, 2]), max_size=9), min_size=1, max_size=4))
@example([[0, 0, 1, 1, 1, 0, 0], [0, 0], [0, 1, 1, 1]])
def test_runs_in_a_row_are_found_in_every_document_whatever_comes_around_them(docs):
    """Each run of three or more equal short lines in a row within a document goes,
    every line of it, with its length as the count; nothing across documents."""
    import itertools
    rng = random.Random(len(docs))
    short = ["Habari zinazohusiana", "Soma zaidi"]
    files, expected = {}, {}
    for n, picks in enumerate(docs):
        lines = [paragraph(rng)] + [short[p] if p < 2 else paragraph(rng) for p in picks]
        files[f"{n}.txt"] = "\n".join(lines)
        at, runs = 0, {}
        for line, group in itertools.groupby(lines):
            count = len(list(group))
            if line in short and count >= 3:
                runs.update({i: count for i in range(at, at + count)})
            at += count
        expected[f"{n}.txt"] = runs
    got = decide(files)
    for path, runs in expected.items():
        assert {i: f.evidence["count"] for i, f in got[path].lines.items()
                if f.rule == "repeated-in-document"} == runs
