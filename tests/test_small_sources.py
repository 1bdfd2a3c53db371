"""small-source: a source with too few pages to learn its template from still loses the
bare short lines its pages share; lines other sources share, and lines that carry
content's marks, stay."""
import random

import dedup

WORDS = ("council river budget school farmers harbour minister court bridge market station doctors village "
         "hospital election teachers museum festival workers factory railway police coast water").split()


def sentence(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(14)).capitalize() + "."


def clean(tmp_path, pages: dict[str, list[str]], **changes):
    """Each page at SITE/NAME.txt; the report, and each page's removals by line number."""
    for name, lines in pages.items():
        path = tmp_path / "corpus" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines) + "\n", "utf-8")
    report = dedup.clean(tmp_path / "corpus", settings=dedup.Settings(source="folder", **changes))
    return {d.relpath: {r.lines[0]: r for r in d.removed} for d in report.documents}


def test_the_template_a_small_sources_pages_share_goes_from_every_page(tmp_path):
    rng = random.Random(1)
    menu = ["Home Page", "Opinion", "Sport Results"]
    pages = {f"star/{n}.txt": menu + [sentence(rng), sentence(rng), "Reader Services"] for n in range(3)}
    pages["other/0.txt"] = ["Opinion", sentence(rng), sentence(rng)]       # another source: its own line
    got = clean(tmp_path, pages)
    for n in range(3):
        removed = got[f"star/{n}.txt"]
        assert {line: r.rule for line, r in removed.items()} == {1: "small-source", 2: "small-source",
                                                                  3: "small-source", 6: "small-source"}
        assert removed[1].evidence == dedup.LearnedEvidence(3, "star")
    assert got["other/0.txt"] == {}


def test_a_small_source_keeps_what_content_carries_and_a_big_one_is_left_to_frequent_line(tmp_path):
    rng = random.Random(2)
    shared = ["In the harbour", "Harbour 12 points", "Final table:", "Market - Station"]   # a function word,
    pages = {f"small/{n}.txt": [sentence(rng)] + shared + [sentence(rng)] for n in range(2)}  # digits, a colon, a separator
    pages.update({f"big/{n}.txt": ["Weather", sentence(rng), sentence(rng)] for n in range(5)})
    pages.update({"big/5.txt": ["Weather Desk", sentence(rng)], "big/6.txt": ["Weather Desk", sentence(rng)]})
    got = clean(tmp_path, pages)
    assert all("small-source" not in {r.rule for r in got[f"small/{n}.txt"].values()} for n in range(2))
    assert [got[f"big/{n}.txt"][1].rule for n in range(5)] == ["frequent-line"] * 5
    assert got["big/5.txt"] == got["big/6.txt"] == {}   # in 2 of a big source's 7 pages: not its template


def test_the_rule_counts_only_live_pages_and_needs_two(tmp_path):
    """Copies dropped whole are not pages of their source: one page and its copy leave
    nothing to compare; two pages and two copies of one are a small source."""
    rng = random.Random(3)
    page = ["Home Page", "Opinion", sentence(rng), sentence(rng)]
    got = clean(tmp_path, {"solo/a.txt": page, "solo/b.txt": page})
    assert got["solo/a.txt"] == {}
    other = ["Home Page", "Opinion", sentence(rng), sentence(rng)]
    got = clean(tmp_path / "two", {"duo/a.txt": page, "duo/b.txt": page, "duo/c.txt": page, "duo/d.txt": other})
    assert {line: r.rule for line, r in got["duo/d.txt"].items()} == {1: "small-source", 2: "small-source"}


def test_a_check_leaves_the_rule_out_whether_it_checks_all_files_or_one(tmp_path):
    """Whether a source is small needs all its pages: a check of one file cannot know it,
    so neither does a check of them all (a file's verdicts never depend on the split)."""
    rng = random.Random(4)
    pages = {f"star/{n}.txt": ["Home Page", "Opinion", "Sport Results", sentence(rng), sentence(rng)]
             for n in range(2)}
    assert {r.rule for removed in clean(tmp_path, pages).values() for r in removed.values()} == {"small-source"}
    corpus = tmp_path / "corpus"
    settings = dedup.Settings(source="folder", corpus=str(corpus))
    every = dedup.check(settings=settings, use_cache=False, baseline=None)
    one = dedup.check([corpus / "star" / "1.txt"], settings=settings, use_cache=False, baseline=None)
    in_one = tuple(p for p in every.problems if p.path.endswith("1.txt"))
    assert in_one == one.problems and {p.rule for p in every.problems} == {"exact-line"}   # the copied passage
