"""Git's view of a corpus folder: the walk's files found without walking, a warm check
that re-reads only what git says changed, and the walk wherever git's view may not be
the walk's (untracked or unstaged files, symlinks, filters that rewrite bytes)."""
import os
import random
import shutil
import sqlite3
import subprocess

import pytest

from dedup import config, corpus, gitfiles, stages
from dedup.cache import Index
from dedup.commands.check import _members, index_location

from .test_cache import lines_of, run, site_corpus
from .test_classify import paragraph

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def git(root, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
                   cwd=root, check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path, monkeypatch):
    """The site corpus of test_cache in git, with what the walk leaves out beside it:
    a dot folder, a file of another kind, a folder of its own under data/."""
    site_corpus(tmp_path, random.Random(5), footer_in=range(0, 12, 2))
    data = tmp_path / "data"
    rng = random.Random(3)
    for rel in ("sub/deeper/x.txt", ".hidden/y.txt", "drafts/z.md", "notes.log"):
        (data / rel).parent.mkdir(parents=True, exist_ok=True)
        (data / rel).write_text(paragraph(rng, 30) + "\n", encoding="utf-8")
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-qm", "corpus")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PRE_COMMIT", raising=False)
    return tmp_path


@pytest.mark.parametrize("include, exclude", [(None, ()), (("*.txt",), ()), (None, ("drafts",)), (None, ("*/x.txt",))])
def test_git_lists_the_files_the_walk_finds(repo, include, exclude):
    include = include or config.Settings().include
    found = gitfiles.listing("data", include, exclude)
    assert found is not None
    walked = corpus.discover(["data"], include, exclude).sources
    assert list(gitfiles.members(found, include, exclude)) == walked
    assert len(walked) >= 12 and not any(".hidden" in s.path or s.path.endswith(".log") for s in walked)
    os.chdir("data")
    assert list(gitfiles.members(gitfiles.listing(".", include, exclude), include, exclude)) == \
        corpus.discover(["."], include, exclude).sources


@pytest.mark.parametrize("root", ["data", ".", "data/sub"])
def test_the_listed_files_answer_lookups_as_the_walked_ones(repo, root):
    """gitfiles.Listed makes Sources only when asked; what it answers (each file by its
    path, files at places or under a folder, the files per source folder that `source
    = auto` decides by) is what the walk's corpus.Members answers."""
    include = config.Settings().include
    (repo / root / "top-level.txt").write_text("a file right in the corpus folder\n", encoding="utf-8")
    git(repo, "add", "-A")
    listed = gitfiles.members(gitfiles.listing(root, include, ()), include, ())
    walked = corpus.Members(corpus.discover([root], include, ()).sources)
    assert list(listed) == list(walked) and len(listed) == len(walked) >= 2
    assert listed.folder_sizes() == walked.folder_sizes()
    for source in walked:
        assert listed.get(source.path) == source
        assert listed.placed({source.relpath, "not/there.txt"}) == walked.placed({source.relpath, "not/there.txt"})
    assert listed.get(f"{root}/not-there.txt") is None and listed.get("elsewhere/01.txt") is None
    places = {s.relpath for s in list(walked)[::2]}
    assert listed.placed(places) == walked.placed(places)
    for prefix in ("", "sub/", "drafts/", "0", "nothing/"):
        assert listed.under(prefix) == walked.under(prefix)


def test_git_is_not_asked_where_its_view_may_differ_from_the_walk(repo, tmp_path_factory):
    include, exclude = config.Settings().include, ()
    assert gitfiles.listing("data", include, exclude) is not None
    (repo / "data" / ".hidden" / "new.txt").write_text("a dot folder is never walked\n", encoding="utf-8")
    (repo / "data" / "scratch.log").write_text("no corpus file\n", encoding="utf-8")
    assert run("clean", "data", "-o", "data/out").exit_code == 0       # dedup's own output folder
    assert gitfiles.listing("data", include, exclude) is not None
    git(repo, "add", "-f", "data/out")                                  # ... committed: git lists its files
    found = gitfiles.listing("data", include, exclude)
    assert list(gitfiles.members(found, include, exclude)) == corpus.discover(["data"], include, exclude).sources
    assert not any("out/" in s.path for s in gitfiles.members(found, include, exclude))
    os.chdir("data/out")                                                # a corpus folder that is an output
    found = gitfiles.listing(".", include, exclude)
    assert found is not None and list(gitfiles.members(found, include, exclude)) == [] == \
        corpus.discover(["."], include, exclude).sources
    os.chdir(repo)
    git(repo, "rm", "-r", "-q", "--cached", "data/out")
    git(repo, "add", "data/out/00.txt")                                 # one file of it, its marker not
    found = gitfiles.listing("data", include, exclude)
    assert list(gitfiles.members(found, include, exclude)) == corpus.discover(["data"], include, exclude).sources
    git(repo, "rm", "-q", "--cached", "data/out/00.txt")
    (repo / "data" / "new.txt").write_text("an untracked corpus file\n", encoding="utf-8")
    assert gitfiles.listing("data", include, exclude) is None
    git(repo, "add", "data/new.txt")
    assert gitfiles.listing("data", include, exclude) is not None
    with open(repo / "data" / "00.txt", "a", encoding="utf-8") as handle:
        handle.write("an edit not staged\n")
    assert gitfiles.listing("data", include, exclude) is None
    git(repo, "add", "data/00.txt")
    os.symlink("00.txt", repo / "data" / "link.txt")
    git(repo, "add", "data/link.txt")
    assert gitfiles.listing("data", include, exclude) is None            # git lists a symlink, the walk follows it
    assert gitfiles.listing(str(tmp_path_factory.mktemp("no-repo")), include, exclude) is None


def _index(root):
    settings = config.load(root)
    found = gitfiles.listing(settings.corpus, settings.include, settings.exclude)
    members = _members(settings.corpus, settings, found)
    settings = stages.resolve_source(members, settings)
    folder, name = index_location(settings.corpus)
    return Index(folder, settings, name), members, found


def test_a_warm_check_in_git_reads_only_the_files_whose_blob_changed(repo):
    (repo / "setup.cfg").write_text("[dedup]\ncorpus = data\n", encoding="utf-8")
    assert run("check").exit_code == 1                                    # builds the index, keeps git's listing
    idx, members, found = _index(repo)
    assert idx.stale(members, found) == ([], [])
    edited = repo / "data" / "06.txt"
    edited.write_text(edited.read_text("utf-8") + "A closing line added today.\n", encoding="utf-8")
    git(repo, "add", "data/06.txt")
    git(repo, "rm", "-q", "data/07.txt")
    idx, members, found = _index(repo)
    changed, gone = idx.stale(members, found)
    assert [s.path for s, _ in changed] == ["data/06.txt"] and gone == ["data/07.txt"]
    idx.close()


def test_warm_checks_in_git_find_what_a_fresh_index_finds(repo):
    (repo / "setup.cfg").write_text("[dedup]\ncorpus = data\n", encoding="utf-8")
    assert run("check").exit_code == 1
    for n in (0, 2, 4):   # the footer in 3 documents only: no longer boilerplate
        path = repo / "data" / f"{n:02d}.txt"
        path.write_text(path.read_text("utf-8").replace("\nFuata habari zetu kila siku\n", ""), encoding="utf-8")
    git(repo, "add", "-A")
    expected = [f"data/{at}: duplicate of data/06.txt:7 (similarity 1.00) [exact-line]"
                for at in ("08.txt:7", "10.txt:9")]
    assert lines_of(run("check", "data/06.txt")) == expected == lines_of(run("check", "data/06.txt", "--no-cache"))
    git(repo, "rm", "-q", "data/08.txt")
    (repo / "data" / "12.txt").write_text((repo / "data" / "10.txt").read_text("utf-8"), encoding="utf-8")
    git(repo, "add", "-A")
    for path in ("data/06.txt", "data/12.txt", "data/sub/deeper/x.txt"):
        assert lines_of(run("check", path)) == lines_of(run("check", path, "--no-cache")), path
    assert lines_of(run("check")) == lines_of(run("check", "--no-cache"))
    with sqlite3.connect(repo / ".dedup_cache" / index_location("data")[1]) as db:
        paths = {row[0].decode() for row in db.execute("SELECT path FROM docs")}
    assert "data/12.txt" in paths and "data/08.txt" not in paths


def test_bytes_that_are_not_their_blob_make_the_index_stop_trusting_git(repo):
    """A clean filter stores every file upper-cased: the work tree's bytes are not
    the blobs git lists, so git's listing cannot say what changed."""
    git(repo, "config", "filter.upper.clean", "tr a-z A-Z")
    git(repo, "config", "filter.upper.smudge", "cat")
    (repo / ".gitattributes").write_text("*.txt filter=upper\n", encoding="utf-8")
    git(repo, "add", "--renormalize", ".")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "filtered")
    (repo / "setup.cfg").write_text("[dedup]\ncorpus = data\n", encoding="utf-8")
    assert gitfiles.listing("data", config.Settings().include, ()) is not None
    assert run("check").exit_code == 1
    idx, members, found = _index(repo)
    assert not idx.trusts_git() and idx._listing(found) is None
    idx.close()
    path = repo / "data" / "09.txt"   # holds a copy of 02.txt's paragraph; now it does not
    path.write_text(paragraph(random.Random(1), 40) + "\n", encoding="utf-8")
    git(repo, "add", "data/09.txt")
    assert lines_of(run("check", "data/09.txt")) == [] == lines_of(run("check", "data/09.txt", "--no-cache"))


def test_a_file_written_while_it_was_read_leaves_no_listing_behind(repo, monkeypatch):
    """Its bytes are not the blob git listed, but it was being written: git is still
    trusted, and the next check compares stats instead of trusting that listing."""
    from dedup.commands import check
    (repo / "setup.cfg").write_text("[dedup]\ncorpus = data\n", encoding="utf-8")
    monkeypatch.setattr(gitfiles, "blob_id", lambda data: "0" * 40)
    monkeypatch.setattr(check, "_same_stat", lambda a, b: False)
    assert run("check").exit_code == 1
    idx, members, found = _index(repo)
    assert idx.trusts_git() and idx._listing(found) is None
    idx.close()


def test_a_file_that_could_not_be_read_is_read_by_the_next_check(repo, monkeypatch):
    import pathlib
    (repo / "setup.cfg").write_text("[dedup]\ncorpus = data\n", encoding="utf-8")
    read_bytes = pathlib.Path.read_bytes

    def failing(path):
        if path.name == "09.txt":
            raise PermissionError(13, "Permission denied")
        return read_bytes(path)
    with monkeypatch.context() as patched:
        patched.setattr(pathlib.Path, "read_bytes", failing)
        assert run("check").exit_code == 1
    def indexed() -> set[str]:
        with sqlite3.connect(repo / ".dedup_cache" / index_location("data")[1]) as db:
            return {row[0].decode() for row in db.execute("SELECT path FROM docs")}
    assert "data/09.txt" not in indexed()
    assert run("check", "data/02.txt").exit_code == 1
    assert "data/09.txt" in indexed()


def test_files_git_no_longer_looks_at_are_not_trusted_to_it(repo):
    include = config.Settings().include
    git(repo, "update-index", "--assume-unchanged", "data/03.txt")   # an edit of it would not show
    assert gitfiles.listing("data", include, ()) is None
    git(repo, "update-index", "--no-assume-unchanged", "data/03.txt")
    assert gitfiles.listing("data", include, ()) is not None


def test_a_hook_s_git_variables_do_not_move_the_top_of_the_work_tree(repo, monkeypatch):
    """Git exports GIT_DIR to hooks; with it, `git -C data` would take data/ for the top."""
    include = config.Settings().include
    expected = gitfiles.listing("data", include, ())
    monkeypatch.setenv("GIT_DIR", str(repo / ".git"))
    assert gitfiles.listing("data", include, ()) == expected
    assert list(gitfiles.members(expected, include, ())) == corpus.discover(["data"], include, ()).sources


def test_a_listing_with_a_name_that_is_not_utf8_is_kept_and_read_back(repo):
    import sys
    name = b"data/\xff-copy.txt"
    (repo / os.fsdecode(name)).write_bytes((repo / "data" / "09.txt").read_bytes())
    git(repo, "add", "-A")
    (repo / "setup.cfg").write_text("[dedup]\ncorpus = data\n", encoding="utf-8")

    def check(*args: bytes) -> list[bytes]:
        done = subprocess.run([sys.executable, "-m", "dedup", "check", *args], capture_output=True)
        assert done.returncode == 1, done.stderr
        return done.stdout.splitlines()
    assert check() == check(b"--no-cache")
    idx, members, found = _index(repo)
    assert os.fsdecode(name) in {s.path for s in members}
    assert idx._listing(found) == found and idx.stale(members, found) == ([], [])
    idx.close()
    assert any(line.startswith(name) for line in check(name))


def test_a_kept_listing_not_as_this_version_keeps_it_is_not_trusted(repo):
    """Text where bytes are kept (a damaged index, or one of an older format): the
    check compares stats, answers as a fresh index does, and keeps a listing again."""
    (repo / "setup.cfg").write_text("[dedup]\ncorpus = data\n", encoding="utf-8")
    assert run("check").exit_code == 1
    with sqlite3.connect(repo / ".dedup_cache" / index_location("data")[1]) as db:
        db.execute("UPDATE meta SET value = 'not a listing' WHERE name = 'git_listing'")
    assert lines_of(run("check", "data/09.txt")) == lines_of(run("check", "data/09.txt", "--no-cache"))
    idx, members, found = _index(repo)
    assert idx._listing(found) == found
    idx.close()
