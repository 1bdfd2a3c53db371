"""The review page's sample of a big run: up to N removals of every rule, drawn at
random, the same whatever the batches, workers or parts, and drawn again by
`dedup report` from report.json alone."""
import json
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from dedup import html, sample

from .test_html import clean, own_text, page_json, run

RULES = ["exact-line", "frequent-line", "lexicon:en/share", "near-paragraph"]


@st.composite
def reports(draw):
    """Report entries with removals of a few rules, and cuts into batches."""
    docs = []
    for n in range(draw(st.integers(0, 40))):
        starts = sorted(draw(st.sets(st.integers(0, 500), max_size=6)))
        docs.append({"path": f"d/{n:03d}.txt", "removed": [{"rule": draw(st.sampled_from(RULES)), "chars": [s, s + 1]}
                                                          for s in starts]})
    cuts = sorted(draw(st.sets(st.integers(0, len(docs)), max_size=5)) | {0, len(docs)})
    return docs, cuts


def drawn_of(docs, size, seed) -> dict:
    return sample.of_report(docs, size, seed).drawn({(0, i): d["path"] for i, d in enumerate(docs)}).removals


@settings(max_examples=150, deadline=None)
@given(reports(), st.integers(1, 8), st.integers(0, 3))
def test_a_sample_is_each_rules_smallest_draws_whatever_the_batches(case, size, seed):
    docs, cuts = case
    rules, drawn, doc_of, index = sample.draws(docs, seed)
    expected: dict = {}
    for rule in set(rules):   # by brute force: each rule's `size` smallest (draw, corpus position)
        mine = sorted((int(drawn[k]), int(doc_of[k]), int(index[k])) for k in range(len(rules)) if rules[k] == rule)
        for _, d, n in mine[:size]:
            expected.setdefault(docs[d]["path"], []).append(n)
    assert drawn_of(docs, size, seed) == {path: sorted(ns) for path, ns in sorted(expected.items())}
    merged, paths = sample.Sample(size, seed), {}
    for b, (lo, hi) in enumerate(zip(cuts, cuts[1:])):
        merged.add(b, sample.of_batch(docs[lo:hi], size, seed))
        paths.update({(b, i - lo): docs[i]["path"] for i in range(lo, hi)})
    got = merged.drawn(paths)
    assert got.removals == drawn_of(docs, size, seed)
    assert got.counts == {rule: min(size, rules.count(rule)) for rule in sorted(set(rules))}


def test_another_seed_draws_another_sample_and_the_same_seed_the_same():
    docs = [{"path": f"d/{n}.txt", "removed": [{"rule": "frequent-line", "chars": [0, 5]}]} for n in range(200)]
    assert drawn_of(docs, 10, 0) == drawn_of(docs, 10, 0)
    assert drawn_of(docs, 10, 0) != drawn_of(docs, 10, 1)
    picked = [int(path[2:-4]) for path in drawn_of(docs, 10, 0)]
    assert max(picked) - min(picked) > 100   # spread over the corpus, not its first documents


def corpus_of_many_removals(folder: Path) -> Path:
    """60 records of two sites: a share button, an also-read teaser and a newsletter line
    (a frequent line per site) in each, a paragraph of the one before in two of three."""
    rows = []
    for n in range(60):
        site = "harbour" if n % 2 else "valley"
        paras = own_text(n).split("\n\n")
        body = [f"Story {n}: " + paras[0], "Share this article", paras[1], own_text(n - 1).split("\n\n")[1] if n % 3 else "",
                paras[3], f"Subscribe to the {site} newsletter for more stories every morning", "Read more: the port reopens"]
        rows.append({"url": f"https://{site}.example/{n}", "text": "\n\n".join(p for p in body if p) + "\n"})
    folder.mkdir()
    (folder / "c.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), "utf-8")
    return folder


@pytest.fixture
def small_limits(monkeypatch):
    """Pages of more than 5 documents with removals show 7 removals of each rule."""
    monkeypatch.setattr(sample, "FULL_PAGE", 5)
    monkeypatch.setattr(sample, "SIZE", 7)


def test_a_run_over_the_limit_pages_a_sample_of_every_rule_the_same_for_any_workers_and_parts(
        tmp_path, monkeypatch, small_limits):
    from dedup import pipeline
    corpus = corpus_of_many_removals(tmp_path / "corpus")
    report = clean(corpus, tmp_path / "one", "-j", "1")
    by_rule = report["summary"]["by_rule"]
    assert len(by_rule) == 4 and min(v["spans"] for v in by_rule.values()) >= 40
    data = page_json((tmp_path / "one" / "report.html").read_text("utf-8"))
    assert data["limits"]["sample"] == {"size": 7, "seed": 0, "rules": {rule: 7 for rule in by_rule}}
    drawn = {d["path"]: [n for n, r in enumerate(d["removed"]) if r.get("drawn")] for d in data["documents"]}
    assert all(drawn.values())                         # every document listed holds a drawn removal
    rules = [d_removed["rule"] for d in data["documents"] for d_removed in d["removed"] if d_removed.get("drawn")]
    assert {rule: rules.count(rule) for rule in by_rule} == {rule: 7 for rule in by_rule}
    assert data["summary"] == report["summary"]        # the run's totals, not the sample's
    expected = drawn_of(report["documents"], 7, 0)
    assert drawn == expected
    monkeypatch.setattr(pipeline, "SHARD_BYTES", 3_000)   # several parts, two workers
    clean(corpus, tmp_path / "parts", "-j", "2")
    page = page_json((tmp_path / "parts" / "report.html").read_text("utf-8"))
    assert {d["path"]: [n for n, r in enumerate(d["removed"]) if r.get("drawn")] for d in page["documents"]} == expected
    # drawn again from report.json alone: the same page
    result = run("report", tmp_path / "one" / "report.json", "-o", tmp_path / "again.html", "--root", tmp_path)
    assert result.exit_code == 0, result.output
    assert page_json((tmp_path / "again.html").read_text("utf-8")) == data


def test_report_sample_and_seed_choose_the_sample(tmp_path):
    corpus = corpus_of_many_removals(tmp_path / "corpus")
    report = clean(corpus, tmp_path / "out")
    assert html.sampled([[html._removed_chars(d) for d in report["documents"]]]) is False   # 60 < 2,000: all of it
    pages = {}
    for seed in (1, 2):
        result = run("report", tmp_path / "out" / "report.json", "-o", tmp_path / f"s{seed}.html", "--root", tmp_path,
                     "--sample", "2", "--seed", seed)
        assert result.exit_code == 0, result.output
        pages[seed] = page_json((tmp_path / f"s{seed}.html").read_text("utf-8"))
        assert pages[seed]["limits"]["sample"] == {"size": 2, "seed": seed, "rules": dict.fromkeys(
            report["summary"]["by_rule"], 2)}
        assert {d["path"]: [n for n, r in enumerate(d["removed"]) if r.get("drawn")]
                for d in pages[seed]["documents"]} == drawn_of(report["documents"], 2, seed)
    assert [d["path"] for d in pages[1]["documents"]] != [d["path"] for d in pages[2]["documents"]]
    result = run("report", tmp_path / "out" / "report.json", "--sample", "0")
    assert result.exit_code == 2 and "--sample" in result.output


def test_the_page_of_a_run_over_the_limit_stays_small_and_its_totals_are_the_reports(tmp_path):
    """2,100 documents with removals, the real limits: the page holds 50 of each rule's
    removals in the documents that hold them, well under 10 MB, with report.json's totals."""
    sites = ("harbour", "valley", "delta")
    folder = tmp_path / "corpus"
    for n in range(2_100):
        site = folder / sites[n % 3]
        site.mkdir(parents=True, exist_ok=True)
        (site / f"{n:05d}.txt").write_text(f"Story {n}\n{own_text(n)}Share this article\n"
                                           f"Subscribe to the {sites[n % 3]} newsletter for more stories\n", "utf-8")
    report = clean(folder, tmp_path / "out", "-j", "2")
    assert sum(1 for d in report["documents"] if d["removed"]) > sample.FULL_PAGE
    page = (tmp_path / "out" / "report.html").read_text("utf-8")
    data = page_json(page)
    assert len(page.encode("utf-8")) < 1_000_000 and data["summary"] == report["summary"]
    by_rule = report["summary"]["by_rule"]
    assert data["limits"]["sample"]["rules"] == {rule: min(50, v["spans"]) for rule, v in by_rule.items()}
    assert len(data["documents"]) <= 50 * len(by_rule) and data["limits"]["documents_total"] == 2_100
