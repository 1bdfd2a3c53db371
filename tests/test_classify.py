"""Corpus-wide decisions on small, realistic corpora."""
import random

import pytest

from dedup import lexicon
from dedup.classify import classify
from dedup.config import Settings
from dedup.corpus import Document
from dedup.sketch import sketch_many

from .conftest import HINDI, URDU

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
