"""Site-aware rules on small corpora that show both the junk caught and the content kept:
learned boilerplate counted per source, template shapes, site affixes, which copy is
kept, and near-duplicate evidence that names the block actually matched."""
import dataclasses
import json
import random
import shutil
import subprocess
from pathlib import Path

from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from dedup import table
from dedup.rules import learned
from dedup.cli import main
from dedup.normalize import tokens

WORDS = ("river city council school market bridge farmer doctor teacher harbour station festival minister "
         "police museum railway factory island mountain village garden library hospital court budget").split()


def sentence(rng: random.Random, n: int = 14) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def body(seed: int, lines: int = 4) -> list[str]:
    rng = random.Random(seed)
    return [sentence(rng) for _ in range(lines)]


def run(tmp_path: Path, files: dict[str, str], *args: str) -> dict:
    root = tmp_path / "corpus"
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, "utf-8")
    out = tmp_path / ("out" + "-".join(args).replace("/", "_"))
    result = CliRunner().invoke(main, ["clean", str(root), "-o", str(out), "-q", *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads((out / "report.json").read_text("utf-8"))


def removed(report: dict) -> dict[str, list[tuple[str, str, dict]]]:
    """document (relative to the corpus) -> [(rule, removed text without its line end, evidence)]"""
    return {d["relpath"]: [(r["rule"], r["text"].strip(), r["evidence"]) for r in d["removed"]]
            for d in report["documents"]}


DECREE = ["بسم الله الرحمن الرحيم", "الرقم : أ / 267",
          "نحن سلمان بن عبدالعزيز آل سعود ملك المملكة العربية السعودية بعد الاطلاع على النظام الأساسي للحكم",
          "وبناء على ما عرضه علينا رئيس الديوان الملكي أمرنا بما هو آت أولا يعفى من منصبه",
          "ثانيا يبلغ أمرنا هذا للجهات المختصة لاعتماده وتنفيذه", "سلمان بن عبدالعزيز آل سعود"]


def test_learned_boilerplate_counts_within_a_source_and_text_many_sources_share_stays_once(tmp_path):
    files = {}
    for n in range(5):   # one site's template: "Next Previous" in every page of paper-a
        files[f"paper-a/{n}.txt"] = "\n".join(body(n) + ["Next Previous"]) + "\n"
    for n in range(8):   # eight outlets quote the same decree, each once among its other stories
        files[f"outlet-{n}/decree.txt"] = "\n".join(body(100 + n, 2) + DECREE) + "\n"
        for k in range(3):
            files[f"outlet-{n}/story-{k}.txt"] = "\n".join(body(200 + 10 * n + k)) + "\n"
    report = removed(run(tmp_path, files))
    for n in range(5):
        assert report[f"paper-a/{n}.txt"] == [("frequent-line", "Next Previous", {"documents": 5, "source": "paper-a"})]
    assert report["outlet-0/decree.txt"] == []   # the first copy of the decree is whole
    for n in range(1, 8):   # later copies go as duplicates of the first, their short lines with them
        rules = [(rule, text) for rule, text, _ in report[f"outlet-{n}/decree.txt"]]
        assert rules == [("exact-line", line) for line in DECREE]
        assert all(ev["original"]["path"].endswith("outlet-0/decree.txt") for _, _, ev in report[f"outlet-{n}/decree.txt"])
    # with one source for everything, the decree's short lines are "frequent" again: the setting says so
    one = removed(run(tmp_path, files, "--source", "none"))
    assert ("frequent-line", "بسم الله الرحمن الرحيم", {"documents": 8}) in one["outlet-0/decree.txt"]


def templated_site() -> dict[str, str]:
    """Five pages of a site with template lines that differ by numbers and months, and
    lines of the same shape only once each."""
    files = {}
    months = ["January", "March", "July", "October", "December"]
    for n in range(5):
        files[f"site/{n}.txt"] = "\n".join(
            [f"The river diaries part {n + 1}"] + body(n, 3) + [f"Highest temperature {40 + n} degrees today"]
            + body(10 + n, 6) + [f"Last updated at {10 + n}:{15 + n} GMT, {n + 3} {months[n]} 2015, from our desk",
                       f"Comments ({n + 1} of {n + 4})", f"Article {n + 1}", f"{n + 1}- {sentence(random.Random(n), 6)}"]) + "\n"
    return files


def test_template_shapes_catch_lines_that_differ_by_numbers_and_months_and_keep_lists_and_headings(tmp_path):
    files = templated_site()
    report = removed(run(tmp_path, files))
    for n in range(5):
        got = report[f"site/{n}.txt"]
        assert [(rule, ev["shape"], ev["documents"]) for rule, _, ev in got] == [
            ("template-shape", "last updated at # # gmt # @ # from our desk", 5), ("template-shape", "comments # of #", 5)]
    # a series' titles (first lines), a daily report's data line inside the text, a heading
    # with one word besides its number, and numbered list items are content


def test_a_heading_that_ends_in_a_colon_stays_in_every_recipe(tmp_path):
    files = {f"recipes/{n}.txt": "\n".join([sentence(random.Random(n), 6), "Ingredients:"] + body(n, 3) +
                                           ["Method:"] + body(50 + n, 2) + ["Print this recipe now"]) + "\n"
             for n in range(5)}
    report = removed(run(tmp_path, files))
    for n in range(5):
        assert [(rule, text) for rule, text, _ in report[f"recipes/{n}.txt"]] == [("frequent-line", "Print this recipe now")]


def test_a_page_title_with_the_site_name_goes_and_the_headline_stays(tmp_path):
    files = {}
    for n in range(5):
        rng = random.Random(n)
        headline = " ".join(rng.choice(WORDS) for _ in range(8)).capitalize()
        files[f"courier/{n}.txt"] = "\n".join([f"{headline} — The Daily Courier", "", headline] + body(n)) + "\n"
    files["courier/5.txt"] = "\n".join(["Harbour council opens the new library — The Daily Courier"] + body(5)) + "\n"
    report = removed(run(tmp_path, files))
    for n in range(5):
        [(rule, text, evidence)] = report[f"courier/{n}.txt"]
        assert rule == "site-affix" and text.endswith("— The Daily Courier")
        assert evidence == {"affix": "the daily courier", "documents": 6, "source": "courier"}
    assert report["courier/5.txt"] == []   # no plain headline beside it: the title is the only headline
    # an affix seen once is not a site's: nothing goes
    report = removed(run(tmp_path / "two", {"courier/0.txt": files["courier/0.txt"], "courier/1.txt": files["courier/1.txt"]}))
    assert {rule for doc in report.values() for rule, _, _ in doc} <= {"near-line"}


def test_keep_chooses_which_copy_stays_and_says_so(tmp_path):
    article = "\n".join(body(7, 6)) + "\n"
    longer = article + body(8, 1)[0] + "\n"   # about 0.86 similar
    files = {"aggregator/story.txt": article, "paper/story.txt": longer, "wire/story.txt": article}
    first = removed(run(tmp_path, files))
    assert first["aggregator/story.txt"] == [] and first["wire/story.txt"][0][0] == "exact-document"
    by_source = removed(run(tmp_path, files, "--keep", "sources", "--keep-sources", "wire"))
    assert by_source["wire/story.txt"] == []
    again = removed(run(tmp_path / "again", files, "--keep", "sources", "--keep-sources", "wire", "--keep-sources",
                        "aggregator", "--keep-sources", "wire"))   # a name given again keeps its first place
    assert again["wire/story.txt"] == [] and again["aggregator/story.txt"]
    [(rule, _, evidence)] = by_source["aggregator/story.txt"]
    assert rule == "exact-document" and evidence["original"]["path"].endswith("wire/story.txt")
    assert evidence["kept_by"] == "sources"
    longest = removed(run(tmp_path, files, "--keep", "longest"))
    assert longest["paper/story.txt"] == []
    [(rule, _, evidence)] = longest["aggregator/story.txt"]
    assert rule == "near-document" and evidence["original"]["path"].endswith("paper/story.txt")
    assert evidence["kept_by"] == "longest" and 0.8 <= evidence["similarity"] < 1
    # the wire's copy is exactly the aggregator's, which went as a near copy of the paper's: both are named
    [(rule, _, evidence)] = longest["wire/story.txt"]
    assert rule == "exact-document" and evidence["original"]["path"].endswith("paper/story.txt")
    assert evidence["matched"]["path"].endswith("aggregator/story.txt") and evidence["similarity"] == 1.0
    assert evidence["original_similarity"] == longest["aggregator/story.txt"][0][2]["similarity"]


def _shingles(text: str) -> set:
    words = tokens(text)
    return {tuple(words[i:i + 5]) for i in range(len(words) - 4)}


def test_a_near_duplicate_in_a_transitive_cluster_names_the_copy_it_matched_and_both_similarities(tmp_path):
    rng = random.Random(5)
    a = [rng.choice(WORDS) + str(i) for i in range(200)]   # distinct words: shingles are all different
    b = list(a)
    for i in (30, 90, 150):
        b[i] = "changed" + str(i)
    c = list(b)
    for i in (60, 120, 180):
        c[i] = "altered" + str(i)
    texts = {"a.txt": " ".join(a) + "\n", "b.txt": " ".join(b) + "\n", "c.txt": " ".join(c) + "\n"}
    jab, jbc, jac = (len(_shingles(texts[x]) & _shingles(texts[y])) / len(_shingles(texts[x]) | _shingles(texts[y]))
                     for x, y in (("a.txt", "b.txt"), ("b.txt", "c.txt"), ("a.txt", "c.txt")))
    assert jab >= 0.8 and jbc >= 0.8 and jac < 0.8
    report = removed(run(tmp_path, texts))
    [(rule, _, evidence)] = report["b.txt"]
    assert rule == "near-document" and evidence["similarity"] == round(jab, 4) and "matched" not in evidence
    [(rule, _, evidence)] = report["c.txt"]
    assert rule == "near-document"
    assert evidence["original"]["path"].endswith("a.txt") and evidence["matched"]["path"].endswith("b.txt")
    assert evidence["similarity"] == round(jbc, 4) >= 0.8 and evidence["original_similarity"] == round(jac, 4)


def test_rows_from_one_host_are_one_source(tmp_path):
    rows = []
    for n in range(6):
        host = "news.example" if n % 2 else "www.other.example"
        rows.append({"url": f"https://{host}/story/{n}", "text": "\n".join(body(n) + ["Printed from the archive desk"]) + "\n"})
    (tmp_path / "rows.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), "utf-8")
    result = CliRunner().invoke(main, ["clean", str(tmp_path / "rows.jsonl"), "-o", str(tmp_path / "out"), "-q",
                                       "--min-docs", "3"])
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "out" / "report.json").read_text("utf-8"))
    found = [(d["row"], r["evidence"]) for d in report["documents"] for r in d["removed"]]
    assert found == [(n + 1, {"documents": 3, "source": "other.example" if n % 2 == 0 else "news.example"})
                     for n in range(6)]



def test_a_folder_per_document_is_not_a_site_each(tmp_path, monkeypatch):
    """crawl/<page id>/page.txt: folders that hold fewer than min_docs files are not sites,
    so the template is learned across them (source = auto resolves to url: one source for text)."""
    files = {f"page-{n}/page.txt": "\n".join(body(n) + ["Printed from the archive desk"]) + "\n" for n in range(6)}
    report = run(tmp_path, files)
    assert report["settings"]["source"] == "url"
    assert all(removed(report)[f"page-{n}/page.txt"] == [("frequent-line", "Printed from the archive desk",
                                                          {"documents": 6})] for n in range(6))
    explicit = removed(run(tmp_path, files, "--source", "folder"))   # asked for: each folder its own source,
    assert explicit["page-0/page.txt"] == []                          # so the line is a duplicate, first kept
    assert all([rule for rule, _, _ in explicit[f"page-{n}/page.txt"]] == ["exact-line"] for n in range(1, 6))
    # `dedup check` decides the layout alike, from the walk and from git's listing
    monkeypatch.chdir(tmp_path / "corpus")
    monkeypatch.delenv("PRE_COMMIT", raising=False)
    footer = [f"page-{n}/page.txt:5: boilerplate \"Printed from the archive desk\" [frequent-line]" for n in range(6)]
    for in_git in (False, True) if shutil.which("git") else (False,):
        if in_git:
            for args in (["init", "-q"], ["add", "-A"]):
                subprocess.run(["git", *args], check=True, capture_output=True)
        for args, expected in ((["check"], footer), (["check", "page-3/page.txt"], footer[3:4])):
            found = CliRunner().invoke(main, args, catch_exceptions=False).output.splitlines()
            assert [line for line in found if not line.startswith("dedup:")] == expected, (in_git, args)


def test_corpus_counts_are_each_documents_short_lines_counted_once(tmp_path):
    """learned.corpus_stats counts by sorting one array; what it counts is defined per
    document (contributions: one document once per key). Both agree on the golden corpus
    (several sites, shapes, affixes, teasers) with each document's source set, and
    with every source taken away, and a key in fewer than min_docs documents is left out."""
    import dataclasses
    from collections import Counter
    from dedup import stages
    from dedup.config import Settings
    from dedup.corpus import discover
    from dedup.rules import learned
    golden = Path(__file__).parent / "golden" / "corpus"
    settings = Settings()
    found = discover([str(golden)], settings.include, settings.exclude)
    settings = stages.resolve_source(found.sources, settings)
    context = stages.make_context(settings)
    sketches = [item.sketch for source in found.sources for item in stages.sketch_batch(context, ([source], None))
                if isinstance(item, stages.Sketched)]
    unsited = [dataclasses.replace(sk, site="") for sk in sketches]   # documents of no known source
    mixed = [unsited[n] if n % 3 == 0 else sk for n, sk in enumerate(sketches)]
    assert len({sk.site for sk in sketches}) >= 3 and any(sk.shape for sk in sketches)
    counted = []
    for docs in (sketches, unsited, mixed, sketches[:7]):
        each = Counter(key for sk in docs for key in learned.contributions([sk], settings)[0][0])
        expected = {key: n for key, n in each.items() if n >= settings.min_docs}
        assert learned.corpus_stats(table.of(docs), settings).line_documents == expected
        counted.append(len(expected))
    assert counted[0] > 0 and counted[1] > 0 and len(each) > counted[3] == 0   # keys in too few documents: left out


@given(st.lists(st.tuples(st.integers(0, 9), st.integers(1, 4)), min_size=1, max_size=8, unique_by=lambda t: t[0]))
def test_the_median_of_counted_values_is_statistics_median(counted):
    import statistics
    assert learned._median(tuple(counted)) == statistics.median(v for v, times in counted for _ in range(times))


def test_shape_texts_of_lines_too_few_to_count_are_let_go_and_decisions_stay(tmp_path):
    """with_countable_shapes keeps a shape's text exactly where its shape is on min_docs
    lines or more, and classifying the golden corpus with it decides the same, evidence
    and all (a removed template-shape line names its shape)."""
    from collections import Counter
    from dedup import stages
    from dedup.classify import classify
    from dedup.config import Settings
    from dedup.corpus import discover
    for name, text in templated_site().items():
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    settings = Settings()
    found = discover([str(Path(__file__).parent / "golden" / "corpus"), str(tmp_path)], settings.include,
                     settings.exclude)
    settings = stages.resolve_source(found.sources, settings)
    context = stages.make_context(settings)
    whole = table.of([item.sketch for source in found.sources for item in stages.sketch_batch(context, ([source], None))
                      if isinstance(item, stages.Sketched)])
    for min_docs in (settings.min_docs, 2, 5):   # 5: the site's template lines, each on 5 lines
        tuned = dataclasses.replace(settings, min_docs=min_docs)
        pruned = learned.with_countable_shapes(whole, tuned)
        lines = Counter(int(h) for h, _ in whole.shape.values)
        assert [text if lines[h] >= min_docs else "" for h, text in whole.shape.values] == \
               [text for _, text in pruned.shape.values]
        assert 0 < sum(n >= min_docs for n in lines.values()) < len(lines)
        decided = list(classify(whole, tuned))
        assert list(classify(pruned, tuned)) == decided
        assert any(f.rule == "template-shape" for d in decided for f in d.lines.values())
