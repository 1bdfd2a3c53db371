"""Ways real sites word each widget, language by language (tests/phrasings/<language>.json):
for every family of the lexicons (also-read, related, share, follow, subscribe, comments,
advertisement, copyright, cookies, tags, credit, source) three or more phrasings as a
scraper keeps them ("Sign up to our free daily newsletter", "Bereits Abonnent? Hier
anmelden", "Artikel ini telah tayang di Kompas.com dengan judul …"), each with the site or
kind of site that uses it and a line of content that starts the same way or holds the same
words and must stay. Most phrasings were written down from what these sites print; those
"seen on" a page of trafilatura's evaluation set are lines of real pages, read from a local copy
(benchmarks/snippet_eval.py), never stored here but as single lines. A line the lexicons do not catch yet, or a trap they wrongly take, says so in `"known"`
("miss", "trap") with the reason in `"why"`: the test then asserts that it still behaves
so, and fails when a change fixes it, so the entry is updated."""
import json
from importlib import resources
from pathlib import Path

import pytest

from .test_lexicon import rule_of

FOLDER = Path(__file__).resolve().parent / "phrasings"
FAMILIES = {"also-read": "teaser", "related": "teaser"}   # a teaser's label and a list's heading alike


def _cases():
    for path in sorted(FOLDER.glob("*.json")):
        for i, case in enumerate(json.loads(path.read_text("utf-8"))):
            yield pytest.param(path.stem, case, id=f"{path.stem}-{i}-{case['rule']}")


def family(rule: str | None) -> str | None:
    return None if rule is None else FAMILIES.get(rule.split("/")[-1], rule.split("/")[-1])


@pytest.mark.parametrize("language, case", list(_cases()))
def test_a_phrasing_is_boilerplate_of_its_family_and_its_trap_stays(language, case):
    known = case.get("known", [])
    assert not known or case.get("why"), "a known miss or trap says why"
    got = family(rule_of(case["line"]))
    if "miss" in known:
        assert got is None, f"now caught: drop `known` from {case['line']!r}"
    else:
        assert got == family(case["rule"]), case["line"]
    taken = rule_of(case["trap"])
    if "trap" in known:
        assert taken is not None, f"trap now left alone: drop `known` from {case['trap']!r}"
    else:
        assert taken is None, case["trap"]


def test_every_phrasings_file_covers_every_family_and_says_where_each_is_seen():
    shipped = {entry.name[:-len(".toml")] for entry in (resources.files("dedup") / "lexicon").iterdir()
               if entry.name.endswith(".toml")}
    languages = sorted(path.stem for path in FOLDER.glob("*.json"))
    assert len(languages) >= 6 and set(languages) <= shipped
    for language in languages:
        cases = json.loads((FOLDER / f"{language}.json").read_text("utf-8"))
        rules = [case["rule"] for case in cases]
        assert all(rules.count(rule) >= 3 for rule in {*FAMILIES, "share", "follow", "subscribe", "comments",
                                                        "advertisement", "copyright", "cookies", "tags",
                                                        "credit", "source"}), language
        assert all(case.get("seen_on") and case.get("translation") for case in cases), language
