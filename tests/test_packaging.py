"""The wheel a user installs: built from this tree, its metadata, and the seeds example
run from the wheel's own files (not this checkout's)."""
import email
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import dedup

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("wheel")
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q",
                            "-w", str(folder), str(ROOT)], capture_output=True, text=True)
    assert built.returncode == 0, built.stderr
    (path,) = folder.glob("dedup_corpus-*.whl")
    return path


def test_the_wheel_says_what_it_is_and_what_it_needs(wheel):
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        (meta_name,) = [n for n in names if n.endswith(".dist-info/METADATA")]
        meta = email.message_from_bytes(z.read(meta_name))
        entry_points = z.read(meta_name.replace("METADATA", "entry_points.txt")).decode()
    assert meta["Name"] == "dedup-corpus" and meta["Version"] == dedup.__version__
    assert meta["Requires-Python"] == ">=3.11"
    classifiers = meta.get_all("Classifier")
    assert {f"Programming Language :: Python :: 3.{n}" for n in (11, 12, 13)} <= set(classifiers)
    assert "License :: OSI Approved :: MIT License" in classifiers
    assert meta["Description-Content-Type"] == "text/markdown" and meta.get_payload().startswith("# dedup")
    assert "dedup = dedup.launch:main" in entry_points
    requires = {r.split(">")[0].split("<")[0].split("=")[0].split(";")[0].strip() for r in meta.get_all("Requires-Dist")}
    assert {"datasketch", "regex", "click", "numpy", "numba", "jinja2", "pyarrow"} <= requires
    shipped = {Path(n).name for n in names}
    lexicons = {p.name for p in (ROOT / "dedup" / "lexicon").glob("*.toml")}
    assert lexicons <= shipped and len(lexicons) >= 16
    assert {"report.html.j2", "report.css", "report.js", "calendar.toml", "py.typed"} <= shipped
    assert {p.name for p in (ROOT / "dedup" / "data").glob("*.npy")} <= shipped
    assert not any(n.startswith(("tests/", "benchmarks/")) for n in names)


def test_the_seeds_example_runs_from_the_wheel(wheel, tmp_path):
    """`dedup --version` and `dedup clean seeds/` with the package imported from the
    unpacked wheel, in a folder away from this checkout."""
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as z:
        z.extractall(site)
    env = {"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    run = [sys.executable, "-c", "import sys, dedup; assert dedup.__file__.startswith(sys.argv[1]), dedup.__file__; "
           "from dedup.cli import main; sys.argv = ['dedup', *sys.argv[2:]]; main()", str(site)]
    version = subprocess.run([*run, "--version"], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert version.stdout == f"dedup, version {dedup.__version__}\n", version.stderr
    cleaned = subprocess.run([*run, "clean", str(ROOT / "seeds"), "-o", "out"], cwd=tmp_path, env=env,
                             capture_output=True, text=True)
    assert cleaned.returncode == 0, cleaned.stderr
    assert "removed 14 lines" in cleaned.stderr and (tmp_path / "out" / "report.html").stat().st_size > 10_000
    assert sorted(p.name for p in (tmp_path / "out").glob("*.txt")) == sorted(p.name for p in (ROOT / "seeds").glob("*.txt"))


def test_version_from_the_command_and_the_module():
    script = Path(sys.executable).parent / "dedup"    # the console script pip installed beside this Python
    for command in ([str(script), "--version"], [sys.executable, "-m", "dedup", "--version"]):
        shown = subprocess.run(command, capture_output=True, text=True, check=True).stdout
        assert shown == f"dedup, version {dedup.__version__}\n"
