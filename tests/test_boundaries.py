"""Every threshold and limit of the rules, pinned at its boundary: for each, a corpus just at
the limit and one just past it, on both sketching paths (the reference code and the compiled
kernel), asserting which lines go under which rule, with their evidence.

The near-duplicate thresholds are pinned on a pair whose similarity J this file computes
itself, from the normalized words (`dedup.normalize.tokens`) as |A∩B|/|A∪B| of their
5-word shingle sets: with `threshold = J` the copy goes with similarity J in its evidence,
with the next float above J it stays. Against an earlier run (`--against`), the similarity
is the MinHash estimate k/128: read from the evidence, then pinned the same way.

Each learned rule is pinned at `min_docs` documents of one source (goes) and one fewer
(stays), and with `min_docs` documents spread over two sources (stays), and `source = auto`
where it decides that folders are sources; the word limits at the limit and one word past
it, for the default and for another setting; the shape, affix, teaser, lexicon and
long-line limits by tables of lines in English, Hindi and Arabic.

Removals are compared as (rule, line number) of each non-blank line removed, so that the
blank lines a removal takes along (plan.py) do not blur which lines a rule decided."""
from __future__ import annotations

import json
import math
import random
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

import dedup
from dedup import sketch
from dedup.api import CopyEvidence, LearnedEvidence, PatternEvidence, RepeatEvidence
from dedup.cli import main
from dedup.normalize import tokens

# -- vocabularies: one word each as normalization sees it, no month or weekday name, no
# lexicon phrase's first word, so that random lines match nothing but what a test builds

EN = """river council school market bridge farmer doctor teacher harbour station festival minister police museum
railway factory island mountain village garden library hospital court budget winter summer autumn forest desert
ocean valley meadow harvest orchard vineyard bakery kitchen window doorway ladder basket bottle candle mirror pillow
blanket carpet curtain lantern compass anchor barrel bucket cabinet chimney engineer lawyer nurse pilot sailor soldier
student writer painter singer dancer builder driver baker butcher tailor miner fisher hunter quietly slowly bravely
carefully eagerly gently loudly happily travels carries builds opens closes answers repairs paints plants gathers
measures counts teaches grows sells buys cooks cleans writes sings dances climbs swims walks runs jumps lifts pulls
pushes throws catches holds keeps finds loses wins green yellow purple orange silver golden wooden stone copper
narrow wide deep shallow ancient modern famous humble proud gentle fierce calm stormy sunny cloudy rainy snowy windy
bright dark heavy light rough smooth quiet noisy empty crowded tractor canal tunnel airport stadium theatre cathedral
castle palace cottage barn stable mill warehouse lighthouse fountain statue monument plaza avenue highway footpath
reservoir glacier volcano canyon prairie lagoon estuary delta marsh swamp cliff beach dune pebble elephant tiger
falcon sparrow salmon beetle spider rabbit donkey camel goat sheep horse pigeon owl eagle""".split()

HI = """यूक्रेन के राष्ट्रपति वोलोदिमिर जेलेंस्की रूस हमलों से तंग चुके वो युद्ध रुकवाने लिए एड़ी चोटी का जोर लगा रहे
इसी कड़ी में उन्होंने को अमेरिकी प्रतिनिधिमंडल स्टीव विटकॉफ जेरेड कुशनर साथ एक अहम मीटिंग कोएलिशन ऑफ विलिंग तहत
अमेरिका की इस बैठक कई मुद्दों पर चर्चा जिसमें सबसे ज्यादा था दोनों देशों बीच खत्म करने कूटनीतिक प्रयासों दौरान ने
वादा किया है कि विराम होते ही सुरक्षा गांटी उसकी बाद देश पुनर्निमाण भी अपनी हरकतों बाज नहीं रहा फिर मिसाइल लिया बड़ा
फैसला कहा शुक्रिया आपको बता दें पेरिस हुई हिस्सा पूरी बातचीत मकसद सीजफायर राजी करना सुनिश्चित समर्थन सहयोग अदा
दिशा कदम बात दिया टीमें गारंटी रोकने बुनियादी ढांचे काम जारी विशेष दूत समेत जैरेड जनरल एलेक्स एम्बेसडर चार्ल्स कुश्नर
व्हाइट हाउस सलाहकार जोश ग्रुएनबाम मौजूद विटकोफ यूरोपीय शांति बनाए रखने प्रतिबद्ध कमीशन साझेदारी स्वागत फ्रांस
इमेनुएल मैक्रों ड्रोन पुतिन दावों निकल गई मिले हमले सबूत मौसम पुलिस शहर परीक्षा स्कूल शिक्षक बजट चुनाव सरकार
त्योहार पानी मेला रेल छात्र डॉक्टर बिजली पुल गांव अदालत फसल किसान सड़क बारिश योजना मजदूर मंत्री बाजार नदी अस्पताल
उद्योग""".split()

AR = """المدينة الشارع المدرسة الطالب المعلم الطبيب المستشفى السوق الجسر النهر البحر الجبل الصحراء القرية الحديقة
المكتبة المتحف المصنع المزرعة الفلاح القطار المحطة الطائرة المطار السفينة الميناء الحكومة الوزارة الوزير الرئيس
البرلمان المجلس المحكمة القاضي الشرطة الجيش الحدود الاقتصاد الميزانية الضرائب الأسعار النفط الغاز الكهرباء
المياه الزراعة القمح الشعير التمر الزيتون الشتاء الصيف الخريف الصباح المساء الليل النهار التاريخ الثقافة الفن
الموسيقى الشعر الرواية الكاتب الصحفي الجريدة الإذاعة التلفزيون الهاتف الحاسوب الشبكة البرنامج المشروع الشركة
العامل الموظف الراتب الوظيفة البطالة التعليم الجامعة الامتحان النتيجة الرياضة الملعب الفريق المباراة اللاعب المدرب
الهدف البطولة الكأس الطقس المطر الرياح الحرارة الغيوم الثلج الفيضان الزلزال الحريق الإسعاف المريض الدواء اللقاح
الصحة الغذاء الخبز الحليب اللحم الفاكهة الخضار السكر الملح القهوة الشاي المطعم الفندق السياحة الزوار المسافر
الطريق السيارة الحافلة الشاحنة الوقود المصرف القرض الاستثمار التجارة التصدير الاستيراد السلام الحوار الاتفاق
المفاوضات الوفد السفير العاصمة الإقليم الولاية المحافظة البلدية السكان الأسرة الأطفال الشباب النساء الرجال
الجيران الأصدقاء يكتب يقرأ يسافر يبني يزرع يحصد يدرس يعمل يلعب يفوز يخسر يشتري يبيع يطبخ يغني يرسم""".split()

VOCAB = {"en": EN, "hi": HI, "ar": AR}
STOP = {"en": ".", "hi": "।", "ar": "."}


def test_the_vocabularies_are_one_distinct_word_each():
    for vocab in VOCAB.values():
        assert all(len(tokens(w)) == 1 for w in vocab)
        assert len({tokens(w)[0] for w in vocab}) == len(vocab) >= 150


def words(lang: str, rng: random.Random, n: int) -> list[str]:
    """n different words."""
    return rng.sample(VOCAB[lang], n)


def phrase(lang: str, rng: random.Random, n: int) -> str:
    """n different words, no full stop (a headline, a footer)."""
    return " ".join(words(lang, rng, n))


def sentence(lang: str, rng: random.Random, n: int = 16) -> str:
    """A line of text too long for any boilerplate rule, like no other."""
    return phrase(lang, rng, n) + STOP[lang]


def one_changed(line: list[str], at: int, lang: str) -> list[str]:
    """The line with word `at` replaced by a word it does not have."""
    new = next(w for w in VOCAB[lang] if w not in line)
    return line[:at] + [new] + line[at + 1:]


def shingles(lines: list[str], k: int = 5) -> set[tuple[str, ...]]:
    """The k-word shingles of each line (a line shorter than k: one shingle of all its words)."""
    out: set[tuple[str, ...]] = set()
    for line in lines:
        w = tokens(line)
        out |= {tuple(w[i:i + k]) for i in range(len(w) - k + 1)} if len(w) >= k else {tuple(w)}
    return out


def jaccard(a: set, b: set) -> float:
    return len(a & b) / len(a | b)


def just_above(x: float) -> float:
    return math.nextafter(x, 2.0)


# -- both sketching paths, for every test of this file ---------------------------------------

@pytest.fixture(autouse=True, params=["reference", "compiled"])
def sketching(request, monkeypatch):
    """As tests/test_golden.py switches them, and checked: every document of the test went
    through the path asked for."""
    compiled = request.param == "compiled"
    monkeypatch.setattr(sketch, "COMPILED_CHARS", 0 if compiled else 10**15)
    used = []
    for name, path in (("_words_compiled", "compiled"), ("_words_reference", "reference")):
        real = getattr(sketch, name)

        def spy(*args, _real=real, _path=path, **kwargs):
            used.append(_path)
            return _real(*args, **kwargs)
        monkeypatch.setattr(sketch, name, spy)
    yield request.param
    if request.node.originalname != "test_the_vocabularies_are_one_distinct_word_each":
        assert set(used) == {request.param}


# -- running the tool -------------------------------------------------------------------------

@dataclass
class Run:
    root: Path
    report: dedup.Report

    def doc(self, relpath: str) -> dedup.Document:
        [doc] = [d for d in self.report.documents if d.relpath == relpath]
        return doc

    @property
    def removed(self) -> dict[str, list[tuple[str, int | str]]]:
        """relpath -> [(rule, line)] for every non-blank line removed ((rule, "document") for a
        document removed as a copy of another)."""
        return {d.relpath: removed_lines(d) for d in self.report.documents}

    def evidence(self, relpath: str) -> list:
        return [r.evidence for r in self.doc(relpath).removed]

    def where(self, place) -> tuple[str, tuple[int, int] | None]:
        """A Place as (path relative to the corpus, lines)."""
        return Path(place.path).relative_to(self.root).as_posix(), place.lines


DOCUMENT_RULES = {"exact-document", "near-document"}


def removed_lines(doc) -> list[tuple[str, int | str]]:
    if len(doc.removed) == 1 and doc.removed[0].rule in DOCUMENT_RULES:
        assert doc.status == "removed" and doc.removed[0].lines == (1, doc.lines)
        return [(doc.removed[0].rule, "document")]
    out = []
    for r in doc.removed:
        first, last = r.lines
        for number, content in zip(range(first, last + 1), r.text.split("\n")):
            if content.strip():
                out.append((r.rule, number))
    return out


def write(folder: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, "utf-8")
    return folder


def clean(tmp_path: Path, files: dict[str, str], **settings) -> Run:
    """`dedup.clean` of these files (the Python API: the whole pipeline, nothing written)."""
    root = write(Path(tempfile.mkdtemp(dir=tmp_path, prefix="corpus-")), files)
    return Run(root, dedup.clean(root, settings=dedup.Settings(**settings), jobs=1))


def text(*lines: str) -> str:
    return "\n".join(lines) + "\n"


def nothing(files: dict[str, str]) -> dict[str, list]:
    return {name: [] for name in files}


# == 1. near-duplicate similarity: threshold =================================================

def _threshold_pair(j: float) -> tuple[float, float]:
    """`threshold = J` and the next float above it, with the same LSH banding (so that
    only the comparison with the threshold differs between the two runs)."""
    above = just_above(j)
    assert 0.75 <= j < 1
    assert dedup.Settings(threshold=j).lsh_params == dedup.Settings(threshold=above).lsh_params
    return j, above


NEAR_LINE = {"en": (60, 30), "hi": (50, 20), "ar": (80, 41)}   # words in the line, the word changed


@pytest.mark.parametrize("lang", NEAR_LINE)
def test_near_line_goes_at_the_threshold_and_stays_just_above_it(tmp_path, lang):
    rng = random.Random(f"near-line-{lang}")
    n, at = NEAR_LINE[lang]
    line = words(lang, rng, n)
    copy = one_changed(line, at, lang)
    files = {"a.txt": text(sentence(lang, rng), "", " ".join(line), "", sentence(lang, rng)),
             "b.txt": text(sentence(lang, rng), "", sentence(lang, rng), "", " ".join(copy))}
    j = jaccard(shingles([" ".join(line)]), shingles([" ".join(copy)]))
    assert j == (n - 4 - 5) / (n - 4 + 5)    # 5 of the n - 4 shingles changed
    at_j, above = _threshold_pair(j)
    run = clean(tmp_path, files, threshold=at_j)
    assert run.removed == {"a.txt": [], "b.txt": [("near-line", 5)]}
    [evidence] = run.evidence("b.txt")
    assert isinstance(evidence, CopyEvidence) and evidence.similarity == round(j, 4)
    assert run.where(evidence.original) == ("a.txt", (3, 3)) and evidence.matched is None
    assert clean(tmp_path, files, threshold=above).removed == nothing(files)


NEAR_PARAGRAPH = {"en": (60, 33), "hi": (48, 20), "ar": (70, 35)}   # words in the paragraph, the word changed


def wrap(words_: list[str], width: int) -> list[str]:
    return [" ".join(words_[i:i + width]) for i in range(0, len(words_), width)]


@pytest.mark.parametrize("lang", NEAR_PARAGRAPH)
def test_near_paragraph_goes_at_the_threshold_and_stays_just_above_it(tmp_path, lang):
    """A hard-wrapped paragraph and its copy wrapped at another width with a word changed:
    no line matches a line, the paragraphs match as wholes (their shingles run across lines)."""
    rng = random.Random(f"near-paragraph-{lang}")
    n, at = NEAR_PARAGRAPH[lang]
    para = words(lang, rng, n)
    copy = one_changed(para, at, lang)
    wrap_a, wrap_b = wrap(para, 12), wrap(copy, 9)
    files = {"a.txt": text(sentence(lang, rng), "", *wrap_a),
             "b.txt": text(sentence(lang, rng), "", *wrap_b)}
    j = jaccard(shingles([" ".join(para)]), shingles([" ".join(copy)]))
    assert j == (n - 4 - 5) / (n - 4 + 5)
    # no line of the copy is near any line of the original, even at the threshold
    assert max(jaccard(shingles([x]), shingles([y])) for x in wrap_a for y in wrap_b) < j
    at_j, above = _threshold_pair(j)
    run = clean(tmp_path, files, threshold=at_j)
    lines_b = list(range(3, 3 + len(wrap_b)))
    assert run.removed == {"a.txt": [], "b.txt": [("near-paragraph", line) for line in lines_b]}
    for evidence in run.evidence("b.txt"):
        assert evidence.similarity == round(j, 4)
        assert run.where(evidence.original) == ("a.txt", (3, 2 + len(wrap_a)))
    assert clean(tmp_path, files, threshold=above).removed == nothing(files)


NEAR_DOCUMENT = {"en": (4, 16), "hi": (5, 14), "ar": (3, 20)}   # lines, words in each


def _near_documents(lang: str, seed: str) -> tuple[list[str], list[str], int]:
    """A document (lines apart: no multi-line paragraph) and its copy with one word of its
    second line changed."""
    rng = random.Random(seed)
    count, size = NEAR_DOCUMENT[lang]
    lines = [words(lang, rng, size) for _ in range(count)]
    copy = [lines[0], one_changed(lines[1], size // 2, lang)] + lines[2:]
    return [" ".join(w) for w in lines], [" ".join(w) for w in copy], count


def apart(lines: list[str]) -> str:
    return "\n\n".join(lines) + "\n"


@pytest.mark.parametrize("lang", NEAR_DOCUMENT)
def test_near_document_goes_at_the_threshold_and_stays_just_above_it(tmp_path, lang):
    """Above the threshold the copy stays as a document, and its unchanged lines go as
    exact copies of lines (the changed one is too changed to be a near line)."""
    original, copy, count = _near_documents(lang, f"near-document-{lang}")
    rng = random.Random(f"other-{lang}")
    files = {"a.txt": apart(original), "b.txt": apart(copy), "c.txt": apart([sentence(lang, rng) for _ in range(3)])}
    j = jaccard(shingles(original), shingles(copy))
    assert jaccard(shingles([original[1]]), shingles([copy[1]])) < j - 0.1   # the changed line is no near line
    at_j, above = _threshold_pair(j)
    run = clean(tmp_path, files, threshold=at_j)
    assert run.removed == {"a.txt": [], "b.txt": [("near-document", "document")], "c.txt": []}
    [evidence] = run.evidence("b.txt")
    assert evidence.similarity == round(j, 4) and run.where(evidence.original) == ("a.txt", None)
    assert run.doc("b.txt").removed[0].kind == "near-duplicate"
    run = clean(tmp_path, files, threshold=above)
    unchanged = [2 * i + 1 for i in range(count) if i != 1]
    assert run.removed == {"a.txt": [], "b.txt": [("exact-line", n) for n in unchanged], "c.txt": []}


# -- against an earlier run: the MinHash estimate ---------------------------------------------

def cli_clean(corpus: Path, out: Path, *args: str) -> dict:
    """The real command, `dedup clean CORPUS -o OUT ARGS`: its report.json."""
    result = CliRunner().invoke(main, ["clean", str(corpus), "-o", str(out), "-q", *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads((out / "report.json").read_text("utf-8"))


def cli_removed(report: dict, root: Path) -> dict[str, list]:
    """relpath -> [(rule, line, evidence with paths relative to the corpus)] for every
    non-blank line removed, as removed_lines()."""
    def relative(evidence: dict) -> dict:
        original = dict(evidence.get("original", {}))
        if "path" in original:
            original["path"] = Path(original["path"]).relative_to(root).as_posix()
        return {**evidence, "original": original} if original else evidence
    out = {}
    for d in report["documents"]:
        out[d["relpath"]] = found = []
        for r in d["removed"]:
            if r["rule"] in DOCUMENT_RULES:
                assert d["status"] == "removed" and r["lines"] == [1, d["lines"]] and len(d["removed"]) == 1
                found.append((r["rule"], "document", relative(r["evidence"])))
                continue
            first, last = r["lines"]
            found += [(r["rule"], n, relative(r["evidence"]))
                      for n, line in zip(range(first, last + 1), r["text"].split("\n")) if line.strip()]
    return out


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_near_document_against_an_earlier_run_goes_at_the_estimate_and_stays_just_above(tmp_path, lang,
                                                                                         monkeypatch):
    """The similarity to a previous run's document is the share of equal MinHash values,
    k/128: found at a low threshold, then the earlier corpus is run again with threshold
    exactly k/128 (the copy goes, estimated) and with the next float (it stays; its
    unchanged lines go as exact copies of the earlier run's lines)."""
    monkeypatch.chdir(tmp_path)   # no setup.cfg or pyproject.toml but the defaults
    original, copy, count = _near_documents(lang, f"against-{lang}")
    rng = random.Random(f"against-other-{lang}")
    old = write(tmp_path / "m1", {"a.txt": apart(original), "c.txt": apart([sentence(lang, rng) for _ in range(3)])})
    new = write(tmp_path / "m2", {"b.txt": apart(copy)})
    j = jaccard(shingles(original), shingles(copy))

    def against(threshold: float, name: str) -> list:
        """Run the earlier corpus, then the new one against it, both with this threshold."""
        args = ["--threshold", repr(threshold)]
        cli_clean(old, tmp_path / f"out-{name}", *args)
        report = cli_clean(new, tmp_path / f"new-{name}", *args, "--against", str(tmp_path / f"out-{name}"))
        return cli_removed(report, old)["b.txt"]

    [(rule, _, evidence)] = against(0.5, "probe")
    assert rule == "near-document" and evidence["estimated"] is True
    k = round(evidence["similarity"] * 128)
    assert evidence["similarity"] == round(k / 128, 4) and abs(k / 128 - j) < 0.1 and k < 128
    estimate = k / 128
    run = str(tmp_path / "out-at")
    assert against(estimate, "at") == [("near-document", "document", {
        "original": {"path": "a.txt", "run": run}, "similarity": round(estimate, 4), "estimated": True})]
    run = str(tmp_path / "out-above")
    assert against(just_above(estimate), "above") == [
        ("exact-line", 2 * i + 1, {"original": {"path": "a.txt", "run": run, "lines": [2 * i + 1] * 2},
                                   "similarity": 1.0})
        for i in range(count) if i != 1]


@pytest.mark.parametrize("limit", [5, 3])
def test_a_line_of_min_duplicate_words_repeats_an_earlier_run_one_word_fewer_does_not(tmp_path, limit, monkeypatch):
    """Only lines of `min_duplicate_words` words or more are saved and matched alone."""
    monkeypatch.chdir(tmp_path)
    rng = random.Random(f"against-short-{limit}")
    at, below = phrase("hi", rng, limit), phrase("hi", rng, limit - 1)
    old = write(tmp_path / "m1", {"a.txt": apart([sentence("hi", rng), at, sentence("hi", rng), below])})
    new = write(tmp_path / "m2", {"b.txt": apart([sentence("hi", rng), below, sentence("hi", rng), at])})
    settings = {} if limit == 5 else {"min_duplicate_words": limit}
    out1 = tmp_path / "out1"
    dedup.clean(old, out1, settings=dedup.Settings(**settings), jobs=1)
    run = Run(old, dedup.clean(new, tmp_path / "out2", settings=dedup.Settings(**settings), jobs=1, against=out1))
    assert run.removed == {"b.txt": [("exact-line", 7)]}
    [evidence] = run.evidence("b.txt")
    assert run.where(evidence.original) == ("a.txt", (3, 3)) and evidence.original.run == str(out1)


# == 2. min_docs: each learned rule counts the documents of one source ========================

MONTHS = {"en": ["January", "March", "July", "October", "December", "April"],
          "hi": ["जनवरी", "मार्च", "जुलाई", "अक्टूबर", "दिसंबर", "अप्रैल"],
          "ar": ["يناير", "مارس", "يوليو", "أكتوبر", "ديسمبر", "أبريل"]}
ARABIC_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def updated(lang: str, i: int) -> str:
    """A site's "last updated" line, its numbers and month different in each document i."""
    h, m, d, month = 10 + i, 15 + i, 3 + i, MONTHS[lang][i % 6]
    return {"en": f"Updated at {h}:{m} GMT on {d} {month} 2015 in London",
            "hi": f"अंतिम अपडेट {h}:{m} बजे {d} {month} 2015 दिल्ली में",
            "ar": f"آخر تحديث الساعة {h}:{m} يوم {d} {month} 2015 في الرياض".translate(ARABIC_DIGITS)}[lang]


SHAPE = {"en": "updated at # # gmt on # @ # in london", "hi": "अंतिम अपडेट # # बजे # @ # दिल्ली में",
         "ar": "اخر تحديث الساعه # # يوم # @ # في الرياض"}
FOOTER = {"en": "Printed from the archive desk today", "hi": "यह खबर हमारे संवाददाता ने भेजी है",
          "ar": "نشر هذا الخبر في النسخة الورقية"}
AFFIX = {"en": ("The Daily Courier", "the daily courier"), "hi": ("दैनिक समाचार पत्र", "दैनिक समाचार पत्र"),
         "ar": ("صحيفة الوطن اليومية", "صحيفه الوطن اليوميه")}
LABEL = {"en": "From the archive", "hi": "पुरानी कहानी", "ar": "من الأرشيف"}


def learned_document(rule: str, lang: str, i: int, rng: random.Random) -> tuple[str, int]:
    """Document i of a source with the feature of `rule`, and the line it is on."""
    s = lambda: sentence(lang, rng)
    if rule == "frequent-line":
        return text(s(), s(), FOOTER[lang], s()), 3
    if rule == "template-shape":
        return text(s(), updated(lang, i), s(), s()), 2
    if rule == "site-affix":
        headline = phrase(lang, rng, 8)
        return text(f"{headline} — {AFFIX[lang][0]}", "", headline, s(), s()), 1
    if rule == "teaser-template":
        return text(s(), s(), f"{LABEL[lang]}: {phrase(lang, rng, 7)}", s()), 3
    raise AssertionError(rule)


def learned_evidence(rule: str, lang: str, documents: int, source: str) -> LearnedEvidence:
    extra = {"template-shape": {"shape": SHAPE[lang]}, "site-affix": {"affix": AFFIX[lang][1]},
             "teaser-template": {"prefix": LABEL[lang]}}.get(rule, {})
    return LearnedEvidence(documents, source, **extra)


LAYOUTS = {   # documents with the feature in each source, for min_docs m
    "min_docs in one source": lambda m: [("site", m)],
    "one fewer": lambda m: [("site", m - 1)],
    "min_docs over two sources": lambda m: [("site-a", m - m // 2), ("site-b", m // 2)],
}


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("lang, min_docs", [("en", 4), ("hi", 4), ("ar", 4), ("en", 3)])   # the default, and another
@pytest.mark.parametrize("rule", ["frequent-line", "template-shape", "site-affix", "teaser-template"])
def test_a_learned_rule_needs_min_docs_documents_of_one_source(tmp_path, rule, lang, min_docs, layout):
    """(source = folder: a site is the folder a file is in, whatever its size.) Short of
    min_docs in one source, the footer is a line and its copies (the first stays); the
    other features differ in every document and stay."""
    rng = random.Random(f"{rule}-{lang}-{layout}-{min_docs}")
    files, lines = {}, {}
    for source, count in LAYOUTS[layout](min_docs):
        for i in range(count):
            files[f"{source}/{i}.txt"], lines[f"{source}/{i}.txt"] = learned_document(rule, lang, len(files), rng)
    settings = {"source": "folder"} if min_docs == 4 else {"source": "folder", "min_docs": min_docs}
    run = clean(tmp_path, files, **settings)
    if layout == "min_docs in one source":
        assert run.removed == {name: [(rule, line)] for name, line in lines.items()}
        for name in files:
            assert run.evidence(name) == [learned_evidence(rule, lang, min_docs, "site")]
    elif rule == "frequent-line":
        first, *later = sorted(files)
        assert run.removed == {first: [], **{name: [("exact-line", 3)] for name in later}}
        assert {run.where(e.original) for name in later for e in run.evidence(name)} == {(first, (3, 3))}
    else:
        assert run.removed == nothing(files)


# == 3. word limits ==========================================================================

def _setting(name: str, limit: int, default: int) -> dict:
    return {} if limit == default else {name: limit}


AT_AND_PAST = [pytest.param(0, id="at"), pytest.param(1, id="past")]


@pytest.mark.parametrize("past", AT_AND_PAST)
@pytest.mark.parametrize("limit", [12, 8])
def test_a_frequent_line_has_at_most_boilerplate_words(tmp_path, limit, past):
    """A footer of `boilerplate_words` words in min_docs documents goes everywhere; one
    word longer, it is a line and its copies."""
    rng = random.Random(f"frequent-{limit}-{past}")
    footer = phrase("hi", rng, limit + past)
    files = {f"site/{i}.txt": text(sentence("hi", rng), sentence("hi", rng), footer, sentence("hi", rng))
             for i in range(4)}
    run = clean(tmp_path, files, **_setting("boilerplate_words", limit, 12))
    if not past:
        assert run.removed == {name: [("frequent-line", 3)] for name in files}
    else:
        assert run.removed == {"site/0.txt": [], **{f"site/{i}.txt": [("exact-line", 3)] for i in (1, 2, 3)}}


@pytest.mark.parametrize("past", AT_AND_PAST)
@pytest.mark.parametrize("limit", [12, 8])
def test_a_line_repeated_in_a_row_has_at_most_boilerplate_words(tmp_path, limit, past):
    rng = random.Random(f"repeated-{limit}-{past}")
    heading = phrase("ar", rng, limit + past)
    files = {"a.txt": text(sentence("ar", rng), "", heading, heading, heading, "", sentence("ar", rng))}
    run = clean(tmp_path, files, **_setting("boilerplate_words", limit, 12))
    if not past:
        assert run.removed == {"a.txt": [("repeated-in-document", n) for n in (3, 4, 5)]}
        assert run.evidence("a.txt") == [RepeatEvidence(3)] * 3
    else:   # a line and its two copies
        assert run.removed == {"a.txt": [("exact-line", 4), ("exact-line", 5)]}


@pytest.mark.parametrize("past", AT_AND_PAST)
@pytest.mark.parametrize("limit", [12, 8])
def test_a_template_shape_line_has_at_most_boilerplate_words(tmp_path, limit, past):
    rng = random.Random(f"shape-words-{limit}-{past}")
    tail = phrase("en", rng, limit + past - 5)   # after "Filed at H:M by": 5 words

    def filed(i: int) -> str:
        return f"Filed at {10 + i}:{20 + i} by {tail}"
    assert len(tokens(filed(0))) == limit + past
    files = {f"site/{i}.txt": text(sentence("en", rng), filed(i), sentence("en", rng), sentence("en", rng))
             for i in range(4)}
    run = clean(tmp_path, files, **_setting("boilerplate_words", limit, 12))
    assert run.removed == ({name: [("template-shape", 2)] for name in files} if not past else nothing(files))


@pytest.mark.parametrize("past", AT_AND_PAST)
@pytest.mark.parametrize("limit", [30, 20])
def test_a_teaser_line_has_at_most_teaser_words(tmp_path, limit, past):
    rng = random.Random(f"teaser-words-{limit}-{past}")
    label = LABEL["en"]   # three words

    def teaser() -> str:
        return f"{label}: {phrase('en', rng, limit + past - 3)}"
    files = {f"site/{i}.txt": text(sentence("en", rng), sentence("en", rng), teaser(), sentence("en", rng))
             for i in range(4)}
    assert all(len(tokens(t.splitlines()[2])) == limit + past for t in files.values())
    run = clean(tmp_path, files, **_setting("teaser_words", limit, 30))
    assert run.removed == ({name: [("teaser-template", 3)] for name in files} if not past else nothing(files))


@pytest.mark.parametrize("past", AT_AND_PAST)
@pytest.mark.parametrize("limit", [30, 20])
def test_a_title_with_a_site_affix_has_at_most_teaser_words(tmp_path, limit, past):
    """Past the limit the affix is not looked for, and the duplicate rules keep the title
    and remove the headline under it as its near copy."""
    rng = random.Random(f"affix-words-{limit}-{past}")
    files = {}
    for i in range(4):
        headline = phrase("en", rng, limit + past - 3)
        files[f"site/{i}.txt"] = text(f"{headline} — {AFFIX['en'][0]}", "", headline, sentence("en", rng))
    run = clean(tmp_path, files, **_setting("teaser_words", limit, 30))
    expected = ("site-affix", 1) if not past else ("near-line", 3)
    assert run.removed == {name: [expected] for name in files}


@pytest.mark.parametrize("past", AT_AND_PAST)
@pytest.mark.parametrize("limit", [5, 3])
def test_a_repeated_line_alone_has_at_least_min_duplicate_words(tmp_path, limit, past):
    rng = random.Random(f"alone-{limit}-{past}")
    line = phrase("hi", rng, limit - past)
    files = {"a.txt": text(sentence("hi", rng), "", line, "", sentence("hi", rng)),
             "b.txt": text(sentence("hi", rng), "", sentence("hi", rng), "", line)}
    run = clean(tmp_path, files, **_setting("min_duplicate_words", limit, 5))
    assert run.removed == ({"a.txt": [], "b.txt": [("exact-line", 5)]} if not past else nothing(files))


@pytest.mark.parametrize("past", AT_AND_PAST)
@pytest.mark.parametrize("limit", [5, 3])
def test_a_first_line_of_min_duplicate_words_is_a_title_not_a_frequent_line(tmp_path, limit, past):
    """A first line in every document of a source: with `min_duplicate_words` words it is
    each one's title (the copies go as duplicates, the first stays), shorter it is the
    site's navigation."""
    rng = random.Random(f"title-{limit}-{past}")
    first = phrase("ar", rng, limit - past)
    files = {f"site/{i}.txt": text(first, sentence("ar", rng), sentence("ar", rng)) for i in range(4)}
    run = clean(tmp_path, files, **_setting("min_duplicate_words", limit, 5))
    if not past:
        assert run.removed == {"site/0.txt": [], **{f"site/{i}.txt": [("exact-line", 1)] for i in (1, 2, 3)}}
    else:
        assert run.removed == {name: [("frequent-line", 1)] for name in files}


@pytest.mark.parametrize("past", AT_AND_PAST)
@pytest.mark.parametrize("limit", [3, 4])
def test_repeat_count_lines_in_a_row(tmp_path, limit, past):
    """`repeat_count` times in a row is boilerplate; once fewer, a short heading and its
    short copies, which alone are not duplicates."""
    rng = random.Random(f"repeat-{limit}-{past}")
    heading = {3: "Habari zinazohusiana", 4: "صور الحدث"}[limit]
    files = {"a.txt": text(sentence("en", rng), *[heading] * (limit - past), sentence("en", rng))}
    run = clean(tmp_path, files, **_setting("repeat_count", limit, 3))
    rows = list(range(2, 2 + limit - past))
    assert run.removed == ({"a.txt": [("repeated-in-document", n) for n in rows]} if not past else nothing(files))
    assert run.evidence("a.txt") == ([RepeatEvidence(limit)] * limit if not past else [])


@pytest.mark.parametrize("past", AT_AND_PAST)
@pytest.mark.parametrize("k", [5, 3])
def test_a_document_is_compared_by_its_lines_of_shingle_size_words(tmp_path, k, past):
    """Two documents that differ in one line only: a line of fewer than `shingle_size` words
    is not part of a document's content (an exact copy), one of `shingle_size` words is (a
    near copy, the similarity counting that line as one shingle)."""
    rng = random.Random(f"content-{k}-{past}")
    body = [sentence("en", rng) for _ in range(3)]
    x, y = phrase("en", rng, k - past), phrase("en", rng, k - past)
    files = {"a.txt": apart(body + [x]), "b.txt": apart(body + [y])}
    run = clean(tmp_path, files, **_setting("shingle_size", k, 5))
    if past:
        assert run.removed == {"a.txt": [], "b.txt": [("exact-document", "document")]}
        assert run.evidence("b.txt")[0].similarity == 1.0
    else:
        j = jaccard(shingles(body + [x], k), shingles(body + [y], k))
        assert j == 3 * (16 - k + 1) / (3 * (16 - k + 1) + 2)
        assert run.removed == {"a.txt": [], "b.txt": [("near-document", "document")]}
        assert run.evidence("b.txt")[0].similarity == round(j, 4)


# == 4. where a template shape is looked for, what makes a shape and an affix =================

SHAPED = {   # content position -> a template line of document i (each its own shape)
    0: lambda i: f"Part {i + 1} of the river diaries",
    1: lambda i: f"Filed at {10 + i}:{20 + i} by the night desk",
    3: lambda i: f"Reading time {i + 3} minutes",
    4: lambda i: f"Page views {i + 7} thousand today",
    5: lambda i: f"Photo gallery with {i + 9} pictures",
    6: lambda i: f"Comments closed after {i + 2} days",
    13: lambda i: f"Last updated at {11 + i}:{40 + i} GMT by the desk",
}


def test_a_template_shape_goes_in_the_first_shape_head_and_last_shape_tail_content_lines_never_the_first(tmp_path):
    """Fourteen content lines (blank lines do not count): positions 1-3 are the head
    (SHAPE_HEAD = 4 lines with the title, which never goes), 6-13 the tail (SHAPE_TAIL = 8);
    4 and 5 (the 9th from the bottom) are inside the text. Every shape is in all four
    documents of the site."""
    rng = random.Random("positions")
    files, numbers = {}, {}
    for i in range(4):
        content = [SHAPED[p](i) if p in SHAPED else sentence("en", rng) for p in range(14)]
        lines = [content[0], ""] + content[1:6] + [""] + content[6:13] + ["", content[13]]
        numbers = {p: lines.index(content[p]) + 1 for p in SHAPED}
        files[f"site/{i}.txt"] = text(*lines)
    run = clean(tmp_path, files)
    assert run.removed == {name: [("template-shape", numbers[p]) for p in (1, 3, 6, 13)] for name in files}
    assert [e.shape for e in run.evidence("site/0.txt")] == ["filed at # # by the night desk", "reading time # minutes",
                                                            "comments closed after # days", "last updated at # # gmt by the desk"]


@pytest.mark.parametrize("line, shaped", [
    (lambda i: f"Page views {i + 5}", True),                 # two words besides the number
    (lambda i: f"Views {i + 5}", False),                     # one: a heading ("Article 5")
    (lambda i: f"Updated on {MONTHS['en'][i]} {i + 5}", True),
    (lambda i: f"Updated {MONTHS['en'][i]} {i + 5}", False),  # a month name is masked, not a word
    (lambda i: f"عدد المشاهدات {i + 5}".translate(ARABIC_DIGITS), True),
    (lambda i: f"المشاهدات {i + 5}".translate(ARABIC_DIGITS), False),
    (lambda i: f"कुल {i + 5} टिप्पणियां", True),
    (lambda i: f"टिप्पणियां {i + 5}", False),
], ids=["en-2", "en-1", "en-month-2", "en-month-1", "ar-2", "ar-1", "hi-2", "hi-1"])
def test_a_shape_needs_letter_words_unmasked_words(tmp_path, line, shaped):
    rng = random.Random("letter-words")
    files = {f"site/{i}.txt": text(sentence("en", rng), line(i), sentence("en", rng)) for i in range(4)}
    run = clean(tmp_path, files)
    assert run.removed == ({name: [("template-shape", 2)] for name in files} if shaped else nothing(files))


@pytest.mark.parametrize("headline_words, affix, affix_words, removed", [
    (8, "The Valley Voice of the North", 6, True),           # an affix of AFFIX_WORDS = 6 words
    (8, "The Valley Voice of the Far North", 7, False),
    (2, "The Daily Courier", 3, True),                       # after a headline of HEAD_WORDS = 2 words
    (1, "The Daily Courier", 3, False),
    (8, "صحيفة الوطن اليومية في المدينة المنورة", 6, True),
    (8, "صحيفة الوطن اليومية في المدينة المنورة الجديدة", 7, False),
], ids=["en-affix-6", "en-affix-7", "en-head-2", "en-head-1", "ar-affix-6", "ar-affix-7"])
def test_a_site_affix_has_at_most_affix_words_after_a_headline_of_head_words(tmp_path, headline_words, affix,
                                                                           affix_words, removed):
    """A title "Headline — Affix" above its plain headline, in every document of a site."""
    assert len(tokens(affix)) == affix_words
    lang = "ar" if affix[0] > "z" else "en"
    rng = random.Random(f"affix-{headline_words}-{affix_words}-{lang}")
    files = {}
    for i in range(4):
        headline = phrase(lang, rng, headline_words)
        files[f"site/{i}.txt"] = text(f"{headline} — {affix}", "", headline, sentence(lang, rng), sentence(lang, rng))
    run = clean(tmp_path, files)
    assert run.removed == ({name: [("site-affix", 1)] for name in files} if removed else nothing(files))
    if removed:
        assert run.evidence("site/0.txt")[0].affix == " ".join(tokens(affix))


# == 5. the other limits: teasers, lexicon phrases, long lines ===============================

LONG_LABEL = "Internationally unforgettable photojournalism retrospectives"


def teasers(label: str, count: int, rng: random.Random, lang: str = "en", headline: int = 7) -> list[str]:
    return [f"{label}: {phrase(lang, rng, headline)}" for _ in range(count)]


def _teaser_case(name: str, i: int, rng: random.Random) -> tuple[list[str], list[int]]:
    """Document i of a teaser case: its lines, and those that are teasers when the label is
    a template (1-based)."""
    s = lambda: sentence("en", rng)
    if name.startswith("per-document"):   # _TEASERS_PER_DOCUMENT = 4 lines a document, the median of them
        counts = [int(c) for c in name.split("-")[2:]]
        count = counts[i % len(counts)]
        return [s(), *teasers("From the archive", count, rng), s()], list(range(2, 2 + count))
    if name.startswith("labels"):         # _FIELDS_PER_DOCUMENT = 3 labels make a form
        labels = ["From the archive", "Watch again", "Listen again"][:int(name.rsplit("-", 1)[1])]
        return [s(), *[teasers(label, 1, rng)[0] for label in labels], s()], list(range(2, 2 + len(labels)))
    if name.startswith("label-words"):    # _LABEL_WORDS = 4 words
        label = {"4": "From our weekend archive", "5": "From our own weekend archive"}[name.rsplit("-", 1)[1]]
        return [s(), s(), teasers(label, 1, rng)[0]], [3]
    if name.startswith("label-chars"):    # a label of at most 60 characters (four words either way)
        label = LONG_LABEL if name.endswith("60") else LONG_LABEL.replace(" ", "  ", 1)
        return [s(), s(), teasers(label, 1, rng)[0]], [3]
    if name.startswith("headline"):       # a headline of at least 2 words
        return [s(), s(), teasers("From the archive", 1, rng, headline=int(name.rsplit("-", 1)[1]))[0]], [3]
    if name == "first-line":              # never a document's first line (its title) ...
        return [*teasers("From the archive", 1, rng), s(), *teasers("From the archive", 1, rng)], [3]
    if name == "first-lines-do-not-count":   # ... nor counted: two documents have it only there
        return ([*teasers("From the archive", 1, rng), s(), s()] if i < 2 else
                [s(), s(), *teasers("From the archive", 1, rng)]), [3]
    raise AssertionError(name)


TEASER_CASES = {"per-document-4": True, "per-document-5": False,
                "per-document-4-4-4-5": True, "per-document-4-5-5-4": False,   # medians 4 (the mean: 4.25) and 4.5
                "labels-2": True, "labels-3": False,
                "label-words-4": True, "label-words-5": False, "label-chars-60": True, "label-chars-61": False,
                "headline-2": True, "headline-1": False, "first-line": True, "first-lines-do-not-count": False}


@pytest.mark.parametrize("case", TEASER_CASES)
def test_teaser_template_limits(tmp_path, case):
    assert len(LONG_LABEL) == 60 and len(tokens(LONG_LABEL)) == 4
    rng = random.Random(f"teaser-{case}")
    files, lines = {}, {}
    for i in range(4):
        doc, lines[f"site/{i}.txt"] = _teaser_case(case, i, rng)
        files[f"site/{i}.txt"] = text(*doc)
    run = clean(tmp_path, files)
    if TEASER_CASES[case]:
        assert run.removed == {name: [("teaser-template", n) for n in lines[name]] for name in files}
    else:
        assert run.removed == nothing(files)


@pytest.mark.parametrize("past", AT_AND_PAST)
@pytest.mark.parametrize("lang, phrase_, rule, max_tokens", [
    ("en", "Also read:", "lexicon:en/also-read", 30),      # a prefix: lexicon.DEFAULT_MAX_TOKENS
    ("hi", "ये भी पढ़ें:", "lexicon:hi/also-read", 30),
    ("en", "Follow us on", "lexicon:en/follow", 16),       # the rule's own max_tokens
    ("en", "All rights reserved", "lexicon:en/copyright", 25),   # contained at the end of the line
], ids=["en-also-read", "hi-also-read", "en-follow", "en-contains"])
def test_a_lexicon_phrase_matches_lines_of_at_most_max_tokens_words(tmp_path, lang, phrase_, rule, max_tokens, past):
    rng = random.Random(f"lexicon-{rule}-{past}")
    rest = phrase(lang, rng, max_tokens + past - len(tokens(phrase_)))
    line = f"{rest.capitalize()}. {phrase_}" if rule.endswith("copyright") else f"{phrase_} {rest}"
    assert len(tokens(line)) == max_tokens + past
    files = {"a.txt": text(sentence(lang, rng), "", line, "", sentence(lang, rng))}
    run = clean(tmp_path, files)
    assert run.removed == ({"a.txt": [(rule, 3)]} if not past else nothing(files))
    assert run.evidence("a.txt") == ([PatternEvidence(phrase_.rstrip(":"))] if not past else [])


@pytest.mark.parametrize("past", AT_AND_PAST)
def test_a_date_and_time_line_has_at_most_stamp_words(tmp_path, past):
    """A publication stamp ("Updated 14:35 March 12 2024 …"): calendar words, numbers and a clock
    time, up to shapes.STAMP_WORDS words (a page prints "Published … | Updated …" on one line)."""
    from dedup.shapes import STAMP_WORDS
    rng = random.Random(f"stamp-{past}")
    line = "Updated 14:35 " + " ".join(["March"] * (STAMP_WORDS + past - 3))
    assert len(tokens(line)) == STAMP_WORDS + past
    files = {"a.txt": text(sentence("en", rng), "", line, "", sentence("en", rng))}
    run = clean(tmp_path, files)
    assert run.removed == ({"a.txt": [("lexicon:en/timestamp", 3)]} if not past else nothing(files))


BYLINE_NAMES = ["Reuters", "Chris", "Davies", "Staff"]


@pytest.mark.parametrize("line", [f"Gary M on September 17, 2018 at 8:50 pm {verb}"
                                  for verb in ("said:", "says:", "schrieb:", "a dit :")] + [
    "Posted by Michael David Smith on November 19, 2019, 6:21 AM EST",   # "by" is the byline's own
    "5:45 AM PST 11/19/2019 by Patrick Shanley",
    "Nov 18, 2019 at 9:24 pm ET • 2 min read",                            # a reading time beside
    "Reuters November 19th, 2019 11:03 PM",
    "Reuters Nov 19, 2019 10:31 a.m.",                                    # "a.m." ends no sentence
])
def test_a_comments_header_and_a_bylines_stamp_are_their_authors_stamps(tmp_path, line):
    rng = random.Random(line)
    files = {"a.txt": text(sentence("en", rng), "", line, "", sentence("en", rng))}
    assert clean(tmp_path, files).removed == {"a.txt": [("lexicon:en/timestamp", 3)]}


@pytest.mark.parametrize("past", AT_AND_PAST)
def test_a_dated_stamp_holds_at_most_byline_words_names_beside_it(tmp_path, past):
    """A byline's stamp ("Chris Davies - Nov 19, 2019, 10:31 pm CST"): the date and time may
    have up to shapes.BYLINE_WORDS capitalized words beside them, one more and it stays."""
    from dedup.shapes import BYLINE_WORDS
    rng = random.Random(f"byline-{past}")
    line = " ".join(BYLINE_NAMES[:BYLINE_WORDS + past]) + " - Nov 19, 2019, 10:31 pm CST"
    files = {"a.txt": text(sentence("en", rng), "", line, "", sentence("en", rng))}
    run = clean(tmp_path, files)
    assert run.removed == ({"a.txt": [("lexicon:en/timestamp", 3)]} if not past else nothing(files))


@pytest.mark.parametrize("line", [
    "The vote is at 9:00 on November 19",             # a sentence's words, in lower case
    "Reuters November 18, 2019 11:03 PM.",            # it ends like a sentence
    "Reuters Desk at 11:03 PM",                       # no date
    "Riyadh Bureau 12/11/2019 10:22 عاجل",            # a word of a script without capitals
    "Mayor Jones said: 10:30 on Monday",              # who said what, undated
    "By 10:30 pm",                                    # "by" a time, not a name
    "Register by Nov 19 at 5:00 pm",
    "Polls Close At 8:00 PM On November 5",           # a title-case headline
    "On November 19 at 10:30, Johnson said:",         # a quote's speaker, after the time
    "Speaking at 10:30 on November 19, Johnson said:",
    "Arsenal 3-1-2 Chelsea 15:00 PM",                 # a formation, no date
    "Call Smith 555-12-3456 at 10:30 am",             # a phone number, no date
    "09.05.2020 18:00 Uhr Atlantik Weine",            # an event's name, after its date
    "Termin: 27.03.2020, 18:30 Uhr",                  # a label's colon: an event's date
    "Nachtrag 22.04.2020 10:30 Uhr:",                 # it introduces the text after it
])
def test_a_stamp_with_other_words_is_a_byline_only_if_dated_named_and_unsaid(tmp_path, line):
    rng = random.Random(line)
    files = {"a.txt": text(sentence("en", rng), "", line, "", sentence("en", rng))}
    assert clean(tmp_path, files).removed == nothing(files)


@pytest.mark.parametrize("past", AT_AND_PAST)
def test_a_line_of_max_line_chars_is_examined_one_character_longer_is_not(tmp_path, past):
    """Characters are code points: a newspaper emoji (outside the BMP) counts as one."""
    rng = random.Random(f"long-line-{past}")
    long = phrase("ar", rng, 30) + " 📰"
    files = {"a.txt": text(sentence("ar", rng, 8), "", long),
             "b.txt": text(sentence("ar", rng, 8), "", sentence("ar", rng, 8), "", long)}
    assert max(len(line) for t in files.values() for line in t.splitlines() if line != long) < len(long) - 1
    run = clean(tmp_path, files, max_line_chars=len(long) - past)
    unexamined = {d["relpath"]: d.get("unexamined_lines", []) for d in run.report.data["documents"]}
    if not past:
        assert run.removed == {"a.txt": [], "b.txt": [("exact-line", 5)]}
        assert unexamined == {"a.txt": [], "b.txt": []}
    else:
        assert run.removed == nothing(files)
        assert unexamined == {"a.txt": [3], "b.txt": [5]}


@pytest.mark.parametrize("near", [False, True])
def test_a_copy_of_a_document_keeps_its_lines_too_long_to_examine(tmp_path, near):
    """A line too long to examine is never compared, so never known to be a copy: a
    document that is otherwise a copy (exact or near) of another loses every other line,
    for that finding, and keeps it (it was removed whole, the long line with it)."""
    rng = random.Random(f"unexamined-{near}")
    article = [sentence("en", rng, 12) for _ in range(6)]
    copy = [*article[:5], article[5].replace(article[5].split()[3], "changed")] if near else article
    long = phrase("ar", rng, 40)
    files = {"a.txt": text(*article), "b.txt": text(long, *copy)}
    run = clean(tmp_path, files, max_line_chars=len(long) - 1)
    rule = "near-document" if near else "exact-document"
    assert run.removed == {"a.txt": [], "b.txt": [(rule, n) for n in range(2, 8)]}
    doc = run.doc("b.txt")
    assert doc.status == "cleaned" and doc.unexamined_lines == (1,)
    assert {r.evidence.original.path for r in doc.removed} == {str(run.root / "a.txt")}


@pytest.mark.parametrize("varied", [True, False])
def test_a_teaser_template_needs_two_different_headlines(tmp_path, varied):
    """Under the label, two headlines between four documents are a template; one headline
    in all four is a line and its copies (17 words: too long for a frequent line)."""
    rng = random.Random(f"varied-{varied}")
    headlines = teasers("From the archive", 2, rng, headline=14)
    files = {f"site/{i}.txt": text(sentence("en", rng), headlines[i % 2 if varied else 0], sentence("en", rng))
             for i in range(4)}
    run = clean(tmp_path, files)
    if varied:
        assert run.removed == {name: [("teaser-template", 2)] for name in files}
    else:
        assert run.removed == {"site/0.txt": [], **{f"site/{i}.txt": [("exact-line", 2)] for i in (1, 2, 3)}}


FOLDERS = {   # (files in the big folder, in a second folder, single-file folders) -> sources are the folders
    "half in small folders": ((4, 0, 4), True),
    "more than half": ((4, 0, 5), False),
    "a folder of min_docs - 1 files is small": ((4, 3, 2), False),
    "of min_docs files is not": ((4, 4, 7), True),
}


@pytest.mark.parametrize("case", FOLDERS)
def test_source_auto_takes_folders_as_sources_unless_most_files_are_in_folders_under_min_docs(tmp_path, case):
    """(stages.resolve_by_folders.) A footer in every document: with folders as sources it is
    learned in the big folder and a line and its copies elsewhere; as one source (the layout
    is a folder per page), it is learned in all of them."""
    (big, second, singles), by_folder = FOLDERS[case]
    rng = random.Random(f"folders-{case}")
    footer = FOOTER["en"]
    names = ([f"paper/{i}.txt" for i in range(big)] + [f"desk/{i}.txt" for i in range(second)]
             + [f"page-{i}/page.txt" for i in range(singles)])
    files = {name: text(sentence("en", rng), sentence("en", rng), footer) for name in names}
    run = clean(tmp_path, files)
    assert run.report.settings["source"] == ("auto" if by_folder else "url")
    if by_folder:   # learned in each folder of min_docs files, a line and its copies in the others
        folder = lambda name: name.split("/")[0]
        sites = {f for f in map(folder, names) if sum(folder(n) == f for n in names) >= 4}
        first, *later = sorted(n for n in names if folder(n) not in sites)
        assert run.removed == {**{n: [("frequent-line", 3)] for n in names if folder(n) in sites},
                               first: [], **{n: [("exact-line", 3)] for n in later}}
        assert run.evidence("paper/0.txt") == [LearnedEvidence(big, "paper")]
    else:
        assert run.removed == {name: [("frequent-line", 3)] for name in names}
        assert run.evidence(names[0]) == [LearnedEvidence(len(names))]


@pytest.mark.parametrize("k", [5, 3])
def test_a_line_of_shingle_size_words_is_compared_for_near_copies(tmp_path, k):
    """A line of `shingle_size` words is one shingle: with threshold 1/2 it is the near
    original of the same words and one more. (A shorter line is one shingle of other
    length, never similar to a longer line: the limit has no other side to see.)"""
    rng = random.Random(f"shingle-line-{k}")
    more = words("ar", rng, k + 1)
    short, longer = " ".join(more[:k]), " ".join(more)
    assert jaccard(shingles([short], k), shingles([longer], k)) == 0.5
    files = {"a.txt": text(sentence("ar", rng), "", short), "b.txt": text(sentence("ar", rng), "", longer)}
    run = clean(tmp_path, files, threshold=0.5, **_setting("shingle_size", k, 5))
    assert run.removed == {"a.txt": [], "b.txt": [("near-line", 3)]}
    assert run.evidence("b.txt")[0].similarity == 0.5


# == case folding of the Turkish İ ==========================================================

def test_a_turkish_heading_is_the_same_words_however_it_is_capitalized(tmp_path):
    """Case folding turns İ into i and a dot above; the dot is dropped, so "İLGİLİ
    HABERLER", "İlgili haberler" and "ilgili haberler" are one heading, on both paths."""
    body = text("Ankara'da bugün yapılan toplantıda yeni bütçe taslağı milletvekillerine sunuldu.",
                "Taslak önümüzdeki hafta genel kurulda görüşülecek ve oylamaya sunulacak.")
    spellings = ["İLGİLİ HABERLER", "İlgili haberler", "ilgili haberler", "Ilgili Haberler", "DİĞER HABERLER"]
    files = {f"{n}.txt": body.replace("\n", f"\n{heading}\n", 1) for n, heading in enumerate(spellings)}
    files = {name: t.replace("bugün", f"bugün {name[0]}. kez").replace("hafta", f"{name[0]}. hafta")
             for name, t in files.items()}   # no line of one a copy of another's
    run = clean(tmp_path, files, min_docs=10)
    assert run.removed == {name: [("lexicon:tr/related", 2)] for name in files}
