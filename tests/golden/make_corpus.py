"""Write the golden corpus (tests/golden/corpus/): small, deterministic, several languages
and layouts, and every rule of dedup firing at least once. It is checked in; this script
says how it was made. Re-run it only to change the corpus on purpose, then update the
expected report with `pytest tests/test_golden.py --update-golden` and read the diff.

    python tests/golden/make_corpus.py
"""
from __future__ import annotations

import random
import shutil
from pathlib import Path

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus"

WORDS = {
    "en": ("council river budget school farmers rain harbour minister court bridge market station doctors "
           "village hospital election teachers museum festival workers factory railway police coast water "
           "price wheat winter summer report plan road fishermen library nurses shops energy").split(),
    "hi": ("सरकार किसान बारिश अस्पताल चुनाव मंत्री अदालत बाजार शहर गांव स्कूल पानी बिजली सड़क रेल पुलिस "
           "डॉक्टर मजदूर फसल मौसम बजट योजना नदी पुल मेला त्योहार शिक्षक छात्र परीक्षा उद्योग").split(),
    "ur": ("حکومت کسان بارش ہسپتال انتخابات وزیر عدالت بازار شہر گاؤں اسکول پانی بجلی سڑک ریل پولیس "
           "ڈاکٹر مزدور فصل موسم بجٹ منصوبہ دریا پل میلہ تہوار استاد طلبہ امتحان صنعت").split(),
    "ar": ("الحكومة المزارعون الأمطار المستشفى الانتخابات الوزير المحكمة السوق المدينة القرية المدرسة "
           "المياه الكهرباء الطريق القطار الشرطة الأطباء العمال المحصول الطقس الميزانية الخطة النهر "
           "الجسر المعرض المهرجان المعلمون الطلاب الامتحانات الصناعة").split(),
    "sw": ("serikali wakulima mvua hospitali uchaguzi waziri mahakama soko jiji kijiji shule maji umeme "
           "barabara reli polisi madaktari wafanyakazi mazao hali bajeti mpango mto daraja maonyesho "
           "tamasha walimu wanafunzi mitihani viwanda").split(),
    "zh": list("政府农民降雨医院选举部长法院市场城市乡村学校用水电力道路铁路警察医生工人庄稼天气预算计划河流桥梁"),
}
SPACED = {"zh": False}


def sentence(rng: random.Random, lang: str, low: int = 12, high: int = 24) -> str:
    words = [rng.choice(WORDS[lang]) for _ in range(rng.randint(low, high))]
    if not SPACED.get(lang, True):
        return "".join(words) + "。"
    end = {"en": ".", "sw": ".", "hi": "।", "ur": "۔", "ar": "."}[lang]
    text = " ".join(words) + end
    return text[0].upper() + text[1:] if lang in ("en", "sw") else text


def title(rng: random.Random, lang: str) -> str:
    return sentence(rng, lang, 6, 9).rstrip(".।۔。")


def article(rng: random.Random, lang: str, paragraphs: int = 3) -> list[str]:
    return [title(rng, lang), ""] + [line for _ in range(paragraphs) for line in (sentence(rng, lang), "")]


def edit(rng: random.Random, text: str, lang: str, changes: int) -> str:
    """The same text with `changes` words replaced: a near-duplicate."""
    words = text.split(" ")
    for _ in range(changes):
        i = rng.randrange(len(words))
        words[i] = rng.choice(WORDS[lang])
    return " ".join(words)


def wrap(text: str, width: int = 60) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return lines + [line]


def write(rel: str, lines: list[str], newline: str = "\n", bom: bool = False) -> None:
    path = CORPUS / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    text = newline.join(lines).rstrip(newline) + newline
    path.write_bytes((("\ufeff" if bom else "") + text).encode("utf-8"))


def main() -> None:
    rng = random.Random(2026)
    shutil.rmtree(CORPUS, ignore_errors=True)

    # English news site: a masthead line on every page (frequent-line), lexicon footers,
    # one page stored twice (exact-document), one republished with edits (near-document),
    # the page title "Headline | The Harbour Courier" above the headline (site-affix) and
    # the desk's filing time under it (template-shape).
    masthead = "The Harbour Courier, morning edition"
    pages = []
    for n in range(6):
        lines = article(rng, "en")
        lines.insert(2, masthead)
        lines[:0] = [f"{lines[0]} | The Harbour Courier", ""]
        lines.insert(3, f"Filed at {8 + n}:{10 + 7 * n} GMT by the night desk")
        lines += ["Share this article", "", "Follow us on Twitter"] if n % 2 == 0 else ["Related articles"]
        pages.append(lines)
        write(f"en-courier/{n:02d}.txt", lines)
    write("en-courier/06-reprint.txt", pages[1])
    body = [edit(rng, line, "en", 1) if len(line.split()) > 8 and " | " not in line else line for line in pages[3]]
    write("en-courier/07-edited.txt", body)

    # English blog: hard-wrapped paragraphs; a later post quotes one whole (exact-paragraph)
    # and another with one word changed (near-paragraph); CRLF line ends.
    long_para = " ".join(sentence(rng, "en", 14, 18) for _ in range(3))
    first = [title(rng, "en"), ""] + wrap(long_para) + [""] + wrap(sentence(rng, "en", 30, 40))
    write("en-blog/2024-01-first.txt", first, newline="\r\n")
    write("en-blog/2024-02-quote.txt", [title(rng, "en"), ""] + wrap(sentence(rng, "en", 25, 30)) + [""]
          + wrap(long_para), newline="\r\n")
    write("en-blog/2024-03-edit.txt", [title(rng, "en"), ""] + wrap(edit(rng, long_para, "en", 1)) + [""]
          + wrap(sentence(rng, "en", 25, 30)), newline="\r\n")

    # Hindi: "also read" teasers (lexicon), a body stored twice in one file (exact-line), a
    # line copied from another article with a spelling change (near-line), a BOM.
    hindi = []
    for n in range(4):
        lines = article(rng, "hi")
        lines.insert(3, "ये भी पढ़ें: " + title(rng, "hi"))
        hindi.append(lines)
    hindi[1] = hindi[1] + hindi[1][2:]
    hindi[2].insert(5, edit(rng, hindi[0][4], "hi", 1))
    for n, lines in enumerate(hindi):
        write(f"hi-samachar/{n:02d}.txt", lines, bom=n == 3)

    # Urdu: a widget heading three times in a row (repeated-in-document) and lexicon lines.
    for n in range(3):
        lines = article(rng, "ur")
        lines += ["ویڈیو گیلری", "ویڈیو گیلری", "ویڈیو گیلری", "", "یہ بھی پڑھیں"] if n == 0 else \
                 ["مواضيع ذات صلة", "Related articles"]
        write(f"ur-akhbar/{n:02d}.txt", lines)

    # Arabic wire copy: a near-duplicate chain A -> B -> C, each one word from the one before.
    chain = article(rng, "ar", 4)
    for n in range(3):
        write(f"ar-wire/{n:02d}.txt", chain)
        chain = list(chain)
        chain[2 + 2 * n] = edit(rng, chain[2 + 2 * n], "ar", 1)

    # Swahili: a teaser label "Soma pia: <headline>" that starts lines in many documents with
    # varying headlines (teaser-template), and one label with the same headline every time,
    # which is no template.
    for n in range(5):
        lines = article(rng, "sw")
        lines.insert(3, "Soma pia: " + title(rng, "sw"))
        lines.insert(5, "Imeandikwa na: Mwandishi Wetu")
        write(f"sw-habari/{n:02d}.txt", lines)

    # Chinese: compared character by character; one article repeats a paragraph of another.
    zh = [article(rng, "zh") for _ in range(2)]
    zh[1].insert(4, zh[0][2])
    for n, lines in enumerate(zh):
        write(f"zh-xinwen/{n:02d}.txt", lines)

    # Odd files: empty, binary, not UTF-8; a document that is only boilerplate.
    (CORPUS / "odd").mkdir(parents=True)
    (CORPUS / "odd" / "empty.txt").write_bytes(b"")
    (CORPUS / "odd" / "latin1.txt").write_bytes("caf\u00e9 cr\u00e8me\n".encode("latin-1"))
    (CORPUS / "odd" / "binary.txt").write_bytes(b"\x00\x01\x02")
    write("odd/widget.txt", ["", "Related articles", "", "Share this article"])

    # A portal's pages as a scraper writes them, one page of each site: a menu above the
    # article and a footer below (page-junk); around other pages' text, runs that must
    # stay: captions apart from each other, a list introduced by a colon, results with
    # digits, and a poem of short verses with no sentence at all.
    menu = ["Home", "World", "Business", "Technology", "Science", "Weather"]
    footer = ["Privacy Policy", "Cookie Settings", "Advertise", "Careers", "Newsletters"]
    write("en-portal/daily-star/page.txt", menu + [title(rng, "en"), ""] + article(rng, "en")[2:] + [""] + footer)
    captions = [item for caption in ("Harbour at dawn", "Market square", "Station clock", "River bridge")
                for item in ("", caption)]
    write("en-portal/coast-news/page.txt", [title(rng, "en"), ""] + article(rng, "en")[2:] + captions)
    write("en-portal/valley-times/page.txt", [title(rng, "en"), "", sentence(rng, "en"), sentence(rng, "en"),
          "The council published the winners of the summer festival prizes:",
          "Harbour Choir", "Valley Dancers", "Station Players", "River Band", "",
          "Final table", "Harbour 12 points", "Valley 9 points", "Station 7 points", "River 4 points"])
    write("ar-adab/poem.txt", ["قصيدة المدينة", "", "المدينة والنهر", "الجسر القديم", "المعلمون الطلاب",
                               "القطار الطريق", "المهرجان المعرض"])

    # A blog of two pages, too few to learn its template from by counting: the bare lines
    # both pages share go (small-source); a bare line of one page stays.
    for n, extra in enumerate(["Guest Post", None]):
        header = ["Harbour Notes", "Archive", "Contact"] + ([extra] if extra else [])
        write(f"en-notes/{n:02d}.txt", header + ["", title(rng, "en"), ""] + article(rng, "en")[2:])

    # A menu whose items carry a year or a function word among bare ones ("Budget 2019",
    # "Sign In") is still one run (two in three of its lines bare, enough at a page's
    # head); the verses after an elegy's prose, bare only two in three, stay (a tail's
    # run must be three in four bare).
    mixed = ["Home", "News", "Sign In", "Sport", "Budget 2019", "Opinion"]
    write("en-portal/harbour-herald/page.txt", mixed + [title(rng, "en"), ""] + article(rng, "en")[2:])
    verses = ["السوق القديم", "وما قدر", "المزارعون العمال", "فهم أصغر", "المياه الكهرباء", "الشرطة المحكمة"]
    write("ar-adab/elegy.txt", [title(rng, "ar"), ""] + article(rng, "ar")[2:] + [""] + verses)

    # Two menus at a page's head go with the headline teasers between them; runs on both
    # sides of the title go, each alone, and the title stays.
    teasers = ["Harbour council approves the new bridge budget", "Station reopens after the winter floods"]
    write("en-portal/bay-chronicle/page.txt", ["Latest", "Politics", "Commerce", "Culture"] + teasers +
          ["Markets", "Obituaries", "Classifieds", "Crosswords"] + [title(rng, "en"), ""] + article(rng, "en")[2:])
    write("en-portal/lake-gazette/page.txt", ["Front Page", "Sections", "Puzzles", "Letters", title(rng, "en"),
          "Instagram", "Mastodon", "Tumblr", "Podcasts", ""] + article(rng, "en")[2:])

    # Between a page's sentences, a sidebar of eight bare links goes; a list of as many
    # names that a line ending in a colon announces stays.
    body = article(rng, "en")
    sidebar = ["Trending", "Lifestyle", "Gardening", "Motoring", "Horoscopes", "Recipes Archive", "Photography",
               "Crossword Answers"]
    names = ["Amina Yusuf", "Carlos Mendes", "Priya Raman", "Tomas Novak", "Leila Haddad", "Kenji Sato",
             "Grace Mensah", "Olga Ivanova"]
    write("en-portal/river-post/page.txt", body[:4] + sidebar + [""] + body[4:] +
          ["The festival jury named its members:"] + names + ["", sentence(rng, "en")])


    # A blog's category list with each category's count of posts at a page's tail goes
    # (a count after a name is not a digit that makes a line content); the title of the
    # second part of a series, one line with a count, stays.
    categories = ["Categories", "Composting (12)", "Roses (7)", "Seed Saving (31)", "Tools (4)"]
    write("en-diary/garden.txt", [title(rng, "en") + " (2)", ""] + article(rng, "en")[2:] + categories)

    # After the text, the headlines and dates a "More on this story" heading lists go with
    # it; the titles a heading ending in a colon announces, and a list that a paragraph
    # ends before it has two lines, stay.
    write("en-portal/tide-times/page.txt", article(rng, "en") + [
        "More on this story", title(rng, "en"), "12 March 2024", title(rng, "en"), "9 March 2024", "",
        "Related reading:", title(rng, "en"), title(rng, "en"), "", sentence(rng, "en"), "",
        "Most popular", title(rng, "en"), sentence(rng, "en")])


if __name__ == "__main__":
    main()
