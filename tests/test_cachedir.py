"""Where what dedup makes once is kept: the first writable of the package's folder,
the user's cache and a private folder under TMPDIR that no other user owns."""
import os
import pwd
import shutil
import tempfile

import pytest

from dedup import cachedir


def test_the_first_writable_folder_is_taken_and_a_private_one_last(tmp_path, monkeypatch):
    package, home = tmp_path / "package", tmp_path / "home"
    monkeypatch.setattr(cachedir, "PACKAGE", package)
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    assert cachedir.folder("lexicons") == package
    package.rmdir()
    package.write_text("a file, not a folder")
    mine = cachedir.folder("lexicons")
    assert mine.parent == home / "dedup"   # a folder of this install's own there
    shutil.rmtree(home / "dedup")
    (home / "dedup").write_text("")
    private = cachedir.folder("lexicons")
    assert private.parent == tmp_path / "tmp" / f"dedup-lexicons-{os.getuid()}" and private.name == mine.name
    assert private.parent.stat().st_mode & 0o777 == 0o700


@pytest.mark.skipif(os.getuid() != 0, reason="needs root to give the folder to another user")
def test_a_private_folder_another_user_owns_is_never_used(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    planted = tmp_path / f"dedup-lexicons-{os.getuid()}"
    planted.mkdir(mode=0o700)
    os.chmod(planted, 0o777)   # ours, but anyone may write in it
    assert cachedir.private("lexicons") is None
    os.chmod(planted, 0o700)
    assert cachedir.private("lexicons") == planted
    os.chown(planted, pwd.getpwnam("nobody").pw_uid, -1)   # another user's
    assert cachedir.private("lexicons") is None
    planted.rmdir()
    planted.symlink_to(tmp_path / "a-file")   # a link
    assert cachedir.private("lexicons") is None
    monkeypatch.setattr(cachedir, "PACKAGE", tmp_path / "a-file" / "x")
    (tmp_path / "a-file").write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "a-file"))
    assert cachedir.folder("lexicons") is None
