"""page-junk: runs of bare short lines before a page's first sentence and after its last
go; what content carries around its text (verses, captions, lists, results) stays."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dedup
from dedup import page
from dedup.errors import DedupError

ARTICLE = [
    "The harbour council approved the new budget for the fishing fleet on Tuesday evening.",
    "Fishermen had asked for repairs to the old pier for more than three years.",
    "The work will begin in spring and should be finished before the summer festival.",
]
MENU = ["Home", "World", "Business", "Technology", "Weather"]
FOOTER = ["Privacy Policy", "Advertise", "Careers", "Newsletters"]


def cleaned(tmp_path, pages: dict[str, list[str]], **changes) -> dict[str, tuple[list[str], list]]:
    """Each page alone in its own site folder, cleaned: its kept lines and its removals."""
    for name, lines in pages.items():
        path = tmp_path / "corpus" / name / "page.txt"
        path.parent.mkdir(parents=True)
        path.write_text("\n".join(lines) + "\n", "utf-8")
    report = dedup.clean(tmp_path / "corpus", tmp_path / "out", settings=dedup.Settings(**changes))
    out = {}
    for doc in report.documents:
        site = doc.relpath.split("/")[0]
        out[site] = ((tmp_path / "out" / doc.output).read_text("utf-8").splitlines(), list(doc.removed))
    return out


def test_a_menu_above_the_article_and_a_footer_below_go_with_their_evidence(tmp_path):
    kept, removed = cleaned(tmp_path, {"star": MENU + ["Harbour council approves pier repairs", ""] + ARTICLE
                                        + [""] + FOOTER})["star"]
    assert kept == ["Harbour council approves pier repairs", ""] + ARTICLE   # the blank line before the footer goes with it
    assert {r.rule for r in removed} == {"page-junk"}
    head = [r for r in removed if r.evidence.where == "head"]
    tail = [r for r in removed if r.evidence.where == "tail"]
    assert [r.text.strip() for r in head] == MENU and [r.text.strip() for r in tail] == FOOTER
    assert head[0].evidence == dedup.PageEvidence("head", (1, 5), 5, 8)    # the first sentence is line 8
    assert tail[0].evidence == dedup.PageEvidence("tail", (12, 15), 4, 10)


def test_a_teasers_sentence_between_two_menus_is_no_start_of_the_text(tmp_path):
    """A sentence alone between two of the head's menus is a teaser's: the text starts at
    the next sentence, and both menus go. One with no menu above it, or with a sentence
    beside it, starts the text."""
    teaser = "Storm closes the coast road for a second night as crews clear fallen trees."
    more = ["Opinion", "Sport", "Culture", "Travel"]
    got = {}
    second = "Schools in the valley stay closed on Friday, the education office said."
    for name, lines in {"teaser": MENU + [teaser] + more + ARTICLE, "lead": [teaser] + more + ARTICLE + FOOTER,
                        "paragraph": MENU + [teaser, second] + more + ARTICLE}.items():
        (tmp_path / name).mkdir()
        got[name] = cleaned(tmp_path / name, {name: lines})[name]
    kept, removed = got["teaser"]
    assert kept == [teaser] + ARTICLE   # (a head's last long line, the title perhaps, stays)
    assert {r.evidence for r in removed} == {dedup.PageEvidence("head", (1, 5), 5, 11),
                                             dedup.PageEvidence("head", (7, 10), 4, 11)}
    kept, removed = got["lead"]
    assert kept == [teaser] + more + ARTICLE and {r.evidence.where for r in removed} == {"tail"}
    kept, removed = got["paragraph"]
    assert kept == [teaser, second] + more + ARTICLE and {r.evidence for r in removed} == {
        dedup.PageEvidence("head", (1, 5), 5, 6)}


def test_a_lead_above_the_share_buttons_is_no_teaser(tmp_path):
    """A sentence between the head's menu and the page's share buttons is the text's
    lead, not a menu's teaser: it stays, though a box of bare lines follows the next
    sentence (a teaser's sentence has a menu after it, not a share bar)."""
    title = "Harbour council approves pier repairs"
    lead = "The fishing fleet gets the repairs it has asked for since the storm three winters ago."
    share = ["Share", "Facebook", "Twitter", "Email"]
    first = "The council voted on Tuesday evening after a long debate in the town hall."
    box = ["Harbour", "Fleet", "Pier", "Budget", "Festival"]
    for name, bar, lead_stays in (("share", share, True), ("menu", ["Opinion", "Sport", "Culture", "Travel"], False)):
        (tmp_path / name).mkdir()
        kept, removed = cleaned(tmp_path / name, {name: MENU + [title, lead] + bar + [first] + box + ARTICLE})[name]
        assert (lead in kept) == lead_stays and (title in kept) == lead_stays, (name, kept)
        assert not set(MENU) & set(kept) and {"Share", "Email"}.isdisjoint(kept)


def test_a_widget_ending_in_a_colon_introduces_no_list(tmp_path):
    """A line ending in a colon introduces the list after the text ("The results:"), but a
    lexicon's widget ending in one ("Follow us:") is no such line: the footer after it goes."""
    results = ["Results:"] + FOOTER
    follow = ["Follow us:"] + FOOTER
    got = {}
    for name, tail in (("results", results), ("follow", follow)):
        (tmp_path / name).mkdir()
        got[name] = cleaned(tmp_path / name, {name: ARTICLE + tail})[name][0]
    assert got["results"] == ARTICLE + results
    assert got["follow"] == ARTICLE


def test_a_lexicon_line_is_no_sentence_of_the_text(tmp_path):
    """A copyright line or a cookie banner below the footer is no last sentence of the
    page's text: the footer above it is the tail's."""
    copyright = "Copyright © 2019 The Harbour Courier Media Group. All rights reserved."
    kept, removed = cleaned(tmp_path, {"star": ARTICLE + FOOTER + [copyright]})["star"]
    assert kept == ARTICLE
    assert [(r.rule, r.text.strip()) for r in removed] == [("page-junk", line) for line in FOOTER] + [
        ("lexicon:en/copyright", copyright)]
    assert removed[0].evidence == dedup.PageEvidence("tail", (4, 7), 4, 3)


def test_what_content_carries_around_its_text_stays(tmp_path):
    pages = {
        "captions": ARTICLE + ["", "Harbour dawn", "", "Market square", "", "Station clock", "", "Old bridge"],
        "colon": ARTICLE + ["The festival prizes went to these groups:", "Harbour Choir", "Valley Dancers",
                            "Station Players", "River Band"],
        "results": ARTICLE + ["Harbour 12", "Valley 9", "Station 7", "River 4"],
        "bullets": ARTICLE + ["* Harbour Choir", "* Valley Dancers", "* Station Players", "* River Band"],
        "verses": ARTICLE + ["in the harbour", "the old pier", "and the boats", "under the rain"],
        "arabic-verses": ["افتتح الوزير المعرض الجديد في المدينة بحضور عدد كبير من الزوار والطلاب."] +
                         ["وما قدر", "الجسر القديم", "ولم يذكر", "المهرجان المعرض"],
        "no-sentence": MENU + ["Harbour Choir", "Valley Dancers"],
        "three": ["Home", "World", "Business"] + ARTICLE,
        "between": ARTICLE[:1] + MENU + ARTICLE[1:],
        "counted-numbers": ARTICLE + ["Top 10 (5)", "Route 9 (12)", "Harbour 12 (4)", "Valley 9 (1)"],
        "counted-with-words": ARTICLE + ["Letters to the editor (5)", "Roses (7)", "Notes from a pier (3)", "Tools (4)"],
    }
    for site, lines in pages.items():   # each alone: they share their article
        kept, removed = cleaned(tmp_path / site, {site: lines})[site]
        assert removed == [], site
        assert kept == lines, site


def test_a_list_of_names_each_with_a_count_goes(tmp_path):
    """A blog's categories or archive with their counts of posts: a count in brackets
    after a name is no digit that makes a line content; the series title with one stays."""
    counts = ["Gardening (12)", "Roses (7)", "Seed Saving (31)", "ScanSnap(19)", "Novembro (150)"]
    lines = ["Harbour diary (2)", ""] + ARTICLE + counts
    kept, removed = cleaned(tmp_path, {"site": lines})["site"]
    assert kept == ["Harbour diary (2)", ""] + ARTICLE
    assert {(r.rule, r.evidence.where) for r in removed} == {("page-junk", "tail")}


def test_lines_other_rules_took_leave_too_few_for_a_run(tmp_path):
    """A run whose lines the lexicon mostly took: the page rule adds no line or two beside
    them (where the page's own text may end)."""
    lines = ARTICLE + ["Opinion Columns", "Related articles", "Most popular", "Advertisement"]
    kept, removed = cleaned(tmp_path, {"site": lines})["site"]
    assert kept == ARTICLE + ["Opinion Columns"]
    assert {r.rule for r in removed} == {"lexicon:en/related", "lexicon:en/advertisement"}


def test_a_menu_parted_by_lines_of_marks_is_one_run(tmp_path):
    """A close button's "×", a "|" or a "›" alone between a menu's links parts no run; a
    table's "%" cell, a "-" and a blank line still do (a table's header, captions)."""
    parted = ["Home", "×", "World", "|", "Business", "› »", "Technology", "\u200b", "Weather"]
    kept, removed = cleaned(tmp_path / "marks", {"site": parted + ARTICLE})["site"]
    assert kept == ["×", "|", "› »", "\u200b"] + ARTICLE   # (not lines of the text: no rule reads them)
    assert {r.rule for r in removed} == {"page-junk"} and len(removed) == len(MENU)
    for cell in ("%", "-", ""):
        lines = ARTICLE + ["Player", cell, "Plays", cell, "Stats", cell, "Snaps"]
        kept, removed = cleaned(tmp_path / f"cell{len(cell)}{cell}", {"site": lines})["site"]
        assert removed == [] and kept == lines, cell


SIDEBAR = ["Trending", "Lifestyle", "Gardening", "Motoring", "Horoscopes", "Recipes Archive", "Photography",
           "Crossword Answers"]


def test_a_sidebar_between_sentences_counts_the_lexicons_widget_among_its_links(tmp_path):
    """No text ends between the text's sentences: a widget the lexicon took ("Trending")
    counts for the run of links it stands in. With one link fewer the run is too short."""
    kept, removed = cleaned(tmp_path / "whole", {"site": ARTICLE[:2] + SIDEBAR + ARTICLE[2:]})["site"]
    assert kept == ARTICLE
    assert [(r.rule, r.text.strip()) for r in removed][0] == ("lexicon:en/related", "Trending")
    assert {r.rule for r in removed[1:]} == {"page-junk"} and removed[1].evidence.where == "body"
    kept, removed = cleaned(tmp_path / "short", {"site": ARTICLE[:2] + SIDEBAR[:-1] + ARTICLE[2:]})["site"]
    assert kept == ARTICLE[:2] + SIDEBAR[1:-1] + ARTICLE[2:]
    assert [r.rule for r in removed] == ["lexicon:en/related"]


def test_the_setting_sets_the_run_and_turns_the_rule_off(tmp_path):
    lines = ["Home", "World", "Business"] + ARTICLE
    kept, removed = cleaned(tmp_path, {"site": lines}, page_junk_lines=3)["site"]
    assert kept == ARTICLE and {r.rule for r in removed} == {"page-junk"}
    (tmp_path / "out").rename(tmp_path / "out3")
    kept, removed = cleaned(tmp_path / "off", {"site": MENU + ARTICLE}, page_junk_lines=0)["site"]
    assert kept == MENU + ARTICLE and removed == []
    with pytest.raises(DedupError, match="page_junk_lines"):
        dedup.Settings(page_junk_lines=1)


def test_function_words_are_found_as_sketching_hashes_them(tmp_path):
    from dedup.normalize import tokens
    from dedup.sign import word_hashes64
    for text, has in [("and the rest", True), ("Home Sports", False), ("وما قدر", True), ("الجسر القديم", False),
                      ("के साथ", True), ("खेल समाचार", False), ("Über uns", True), ("Sport Wetter", False)]:
        words = word_hashes64(tokens(text))
        got = page.with_function_word(words, np.array([0]), np.array([len(words)]))
        assert got.tolist() == [has], text


def reference(cut, line, words, bare, short, sentence, colon, run_lines):
    """junk_runs written plainly, document by document."""
    out = {}
    for d in range(len(cut) - 1):
        rows = list(range(cut[d], cut[d + 1]))
        good = [r for r in rows if words[r] >= page.GOOD_WORDS and sentence[r]]
        if not good:
            continue
        runs, current = [], []
        member = [short[r] and not colon[r] for r in range(len(words))]
        for r in rows:
            if member[r] and current and line[r] == line[current[-1]] + 1:
                current.append(r)
            else:
                if current:
                    runs.append(current)
                current = [r] if member[r] else []
        if current:
            runs.append(current)
        chosen = []
        for run in runs:
            head, tail = run[-1] < good[0], run[0] > good[-1]
            if tail and any(colon[r] for r in range(good[-1], run[0])):
                tail = False
            bare_lines = sum(1 for r in run if bare[r])
            share = 3 * bare_lines >= 2 * len(run) if head else 4 * bare_lines >= 3 * len(run)
            if (head or tail) and bare_lines >= run_lines and share:
                chosen.append((page.HEAD if head else page.TAIL, run))
            elif (not head and not tail and bare_lines >= page.BODY_RUN * run_lines and share
                  and not (run[0] > cut[d] and colon[run[0] - 1])):
                before = max(r for r in good if r < run[0])
                for r in run:
                    out[r] = (page.BODY, run[0] - cut[d], run[-1] - cut[d], before - cut[d])
        titles = [r for r in rows if r < good[0] and words[r] >= page.TITLE_WORDS]
        title = titles[-1] if titles else -1
        groups = [(page.HEAD, False), (page.HEAD, True), (page.TAIL, False)]
        for where, after_title in groups:   # a side's runs, and every row between them, are one
            runs_here = [run for side, run in chosen
                         if side == where and (where == page.TAIL or (run[0] > title) == after_title)]
            if runs_here:
                lo, hi = runs_here[0][0], runs_here[-1][-1]
                sentence_row = good[0] if where == page.HEAD else good[-1]
                for r in range(lo, hi + 1):
                    out[r] = (where, lo - cut[d], hi - cut[d], sentence_row - cut[d])
    return dict(sorted(out.items()))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.tuples(st.integers(1, 12), st.booleans(), st.booleans(), st.booleans(),
                                   st.integers(1, 2), st.booleans()), max_size=25), max_size=6), st.integers(2, 5))
def test_junk_runs_are_the_plain_definition(documents, run_lines):
    lengths = [len(rows) for rows in documents]
    cut = np.r_[0, np.cumsum(lengths)].astype(np.int64)
    flat = [row for rows in documents for row in rows]
    words = np.array([r[0] for r in flat], np.int64)
    short = np.array([(r[1] or r[5]) and r[0] <= page.SHORT_WORDS for r in flat], bool)
    bare = np.array([r[1] and r[0] <= page.SHORT_WORDS for r in flat], bool)   # every bare line is short
    sentence = np.array([r[2] for r in flat], bool)
    colon = np.array([r[3] for r in flat], bool)
    line = np.zeros(len(flat), np.int64)   # gaps of one or two lines: blank lines between some rows
    for d in range(len(documents)):
        at = 0
        for r in range(cut[d], cut[d + 1]):
            line[r] = at
            at += flat[r][4]
    got = page.junk_runs(cut, line, words, bare, short, sentence, colon, run_lines)
    assert got == reference(cut, line, words, bare, short, sentence, colon, run_lines)
    assert list(got) == sorted(got)


@pytest.mark.parametrize("bare_lines, kept", [(8, True), (9, False)])
def test_a_run_between_sentences_needs_three_in_four_lines_bare(bare_lines, kept):
    # a sentence, then bare lines and three short lines that are not bare, then a sentence
    kinds = ["sentence"] + ["bare"] * bare_lines + ["short"] * 3 + ["sentence"]
    words = np.array([12 if k == "sentence" else 2 for k in kinds], np.int64)
    bare = np.array([k == "bare" for k in kinds])
    short = np.array([k != "sentence" for k in kinds])
    sentence = ~short
    runs = page.junk_runs(np.array([0, len(kinds)]), np.arange(len(kinds)), words, bare, short, sentence,
                          np.zeros(len(kinds), bool), 4)
    assert (runs == {}) == kept
    if not kept:
        assert set(runs) == set(range(1, len(kinds) - 1))
        assert set(runs.values()) == {(page.BODY, 1, len(kinds) - 2, 0)}


HEADLINES = ["Harbour master retires after forty years at sea", "12 March 2024",
             "Ferry timetable changes for the winter months", "9 March 2024"]


def test_a_list_heading_after_the_text_takes_the_headlines_and_dates_it_lists(tmp_path):
    """"More on this story" lists headlines and their dates: they go with it, with the
    heading's line as evidence, up to the first line that ends like a sentence."""
    pages = {"star": ["Harbour council approves pier repairs"] + ARTICLE + ["More on this story"] + HEADLINES
             + ["The council meets again in April to review the plans for the new pier."]}
    kept, removed = cleaned(tmp_path, pages)["star"]
    assert kept == ["Harbour council approves pier repairs"] + ARTICLE + pages["star"][-1:]
    listed = [r for r in removed if r.evidence.listed_under is not None]
    assert [r.text.strip() for r in listed] == HEADLINES
    assert {(r.rule, r.evidence) for r in listed} == {
        ("lexicon:en/related", dedup.PatternEvidence("More on this story", 5))}


@pytest.mark.parametrize("heading, items, why", [
    ("Related reading:", HEADLINES, "a heading ending in a colon announces the text's own list"),
    ("More on this story", HEADLINES[:1] + ARTICLE[:1], "one line before a sentence is no list"),
    ("Related", HEADLINES, "a heading of one word may be a menu's link"),
    ("More on this story!", HEADLINES, "a line ending in sentence punctuation is said, not a heading"),
    ("More on this story", HEADLINES[:1] + [" ".join(["word"] * 21)] + HEADLINES[1:2],
     "a line of more than 20 words ends the list"),
])
def test_what_a_list_heading_does_not_take(tmp_path, heading, items, why):
    kept, removed = cleaned(tmp_path, {"star": ["Harbour council approves pier repairs"] + ARTICLE + [heading]
                                       + items})["star"]
    assert kept == ["Harbour council approves pier repairs"] + ARTICLE + items, why
    assert [r.text.strip() for r in removed] == [heading]


def test_a_list_heading_above_the_pages_first_sentence_lists_nothing(tmp_path):
    """A heading among the head's links ("More stories" in a menu) would take the page's
    title and byline with it: before the first sentence, a heading lists nothing."""
    head = ["More stories", "Harbour council approves pier repairs", "By Mary Keane"]
    kept, removed = cleaned(tmp_path, {"star": head + ARTICLE})["star"]
    assert kept == head[1:2] + ARTICLE
    assert [(r.rule, r.text.strip()) for r in removed] == [("lexicon:en/related", "More stories"),
                                                           ("lexicon:en/source", "By Mary Keane")]   # a byline


def test_list_headings_in_other_scripts_take_their_lists(tmp_path):
    """The same in Hindi and Arabic: a danda or a full stop ends the list."""
    hindi = ["नगर निगम ने पुल की मरम्मत के लिए बजट को मंज़ूरी दी और काम अगले महीने शुरू होगा।",
             "ये भी पढ़ें", "बंदरगाह के मास्टर चालीस साल बाद सेवानिवृत्त", "सर्दियों में नौका की समय सारिणी बदली",
             "परिषद अप्रैल में फिर से बैठक करेगी।"]
    arabic = ["وافق المجلس البلدي على ميزانية إصلاح الرصيف القديم للصيادين يوم الثلاثاء الماضي.",
              "مواضيع ذات صلة", "تقاعد مدير الميناء بعد أربعين عاما", "تغيير مواعيد العبارات في الشتاء",
              "ويجتمع المجلس مرة أخرى في أبريل."]
    got = cleaned(tmp_path, {"hi": hindi, "ar": arabic})
    for site, lines in (("hi", hindi), ("ar", arabic)):
        kept, removed = got[site]
        assert kept == [lines[0], lines[-1]]
        assert [r.evidence.listed_under for r in removed] == [None, 2, 2]
