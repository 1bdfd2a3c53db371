"""Settings: defaults, setup.cfg / pyproject.toml, clear errors."""
import pytest

from dedup.config import ConfigError, Settings, from_mapping, load


def test_defaults_and_lsh_params_for_the_threshold():
    s = Settings()
    assert (s.shingle_size, s.num_perm, s.threshold) == (5, 128, 0.8)
    bands, rows = s.lsh_params
    assert (bands, rows) == (16, 8)          # what the README states
    # recall at the threshold is high: candidates are verified anyway
    assert 1 - (1 - 0.8 ** rows) ** bands > 0.9
    assert Settings(bands=20, rows=6).lsh_params == (20, 6)


def test_setup_cfg_section(tmp_path):
    (tmp_path / "setup.cfg").write_text("[metadata]\nname = x\n[dedup]\nthreshold = 0.9\ninclude = *.txt, *.text\n")
    s = load(tmp_path)
    assert s.threshold == 0.9 and s.include == ("*.txt", "*.text")


def test_pyproject_overrides_setup_cfg_and_the_command_line_overrides_both(tmp_path):
    (tmp_path / "setup.cfg").write_text("[dedup]\nthreshold = 0.9\nmin_docs = 6\nrepeat_count = 5\n")
    (tmp_path / "pyproject.toml").write_text("[tool.dedup]\nthreshold = 0.7\nmin-docs = 9\n")
    s = load(tmp_path)
    assert (s.threshold, s.min_docs, s.repeat_count) == (0.7, 9, 5)   # setup.cfg alone still counts
    s = from_mapping({"min_docs": "3"}, "command line", s)
    assert (s.threshold, s.min_docs, s.repeat_count) == (0.7, 3, 5)


def test_pyproject_table(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.dedup]\nshingle-size = 3\nexclude = ["drafts/*"]\n')
    s = load(tmp_path)
    assert s.shingle_size == 3 and s.exclude == ("drafts/*",)


@pytest.mark.parametrize("values, message", [
    ({"threshold": "high"}, "threshold = 'high' is not a valid float"),
    ({"threshold": "1.5"}, "threshold must be in (0, 1]"),
    ({"num_perm": "12x"}, "num_perm = '12x' is not a valid int"),
    ({"colour": "red"}, "unknown setting 'colour'"),
    ({"bands": "40", "rows": "8"}, "bands x rows must not exceed num_perm"),
    ({"num_perm": "1025"}, "num_perm must be at most 1024 (4 bytes a permutation in each document's signature; "
                           "128 to 256 is usual)"),
    ({"decode_errors": "ignore"}, "decode_errors must be skip or keep"),
    ({"seed": -1}, "seed must be from 0 to 4294967295 (a 32-bit MinHash seed)"),
    ({"seed": "4294967296"}, "seed must be from 0 to 4294967295 (a 32-bit MinHash seed)"),
    ({"num_perm": float("inf")}, "num_perm = inf is not a valid int"),
    ({"shingle_size": 2.7}, "shingle_size = 2.7 is not a valid int"),
    ({"shingle_size": "2.5"}, "shingle_size = '2.5' is not a valid int"),
    ({"shingle_size": True}, "shingle_size = True is not a valid int"),
    ({"corpus": ["a"]}, "corpus = ['a'] is not a valid str"),
    ({"include": ["*.txt", 3]}, "include = ['*.txt', 3] is not a valid tuple[str, ...]"),
    ({"threshold": [0.8]}, "threshold = [0.8] is not a valid float"),
    ({"bands": "32"}, "bands and rows go together: set both, or neither (0: chosen for the threshold)"),
    ({"rows": "4"}, "bands and rows go together: set both, or neither (0: chosen for the threshold)"),
    ({"exclude": "draft-*.txt old-*.txt"}, "exclude holds 'draft-*.txt old-*.txt', one glob with a space in it: "
                                           "separate globs with commas (or give a list)"),
    ({"include": "*.txt\n*.md *.jsonl"}, "include holds '*.md *.jsonl', one glob with a space in it: separate globs "
                                         "with commas (or give a list)"),
])
def test_malformed_values_are_one_line_errors(values, message):
    with pytest.raises(ConfigError) as err:
        from_mapping(values, "setup.cfg")
    assert str(err.value) == f"setup.cfg: {message}"


def test_globs_are_separated_by_commas_or_lines_and_may_hold_a_space():
    assert from_mapping({"include": "*.txt, *.md\nmy notes/*.txt"}, "setup.cfg").include == (
        "*.txt", "*.md", "my notes/*.txt")


def test_whole_numbers_written_as_floats_and_strings_are_taken():
    assert from_mapping({"shingle_size": 3.0, "seed": "7", "threshold": 1}, "pyproject.toml").shingle_size == 3
    assert from_mapping({"seed": "7"}, "setup.cfg").seed == 7


def test_broken_pyproject(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.dedup\n")
    with pytest.raises(ConfigError, match="pyproject.toml"):
        load(tmp_path)


@pytest.mark.parametrize("text", ["[tool]\ndedup = 5\n", 'tool = 5\n[tool2]\nx = 1\n', '[tool]\ndedup = "min_docs=3"\n'])
def test_a_pyproject_whose_tool_or_tool_dedup_is_no_table(tmp_path, text):
    """[tool.dedup] that is not a table is one line; a `tool` key that is no table holds
    no dedup settings (another tool's business)."""
    (tmp_path / "pyproject.toml").write_text(text)
    if text.startswith("tool = 5"):
        assert load(tmp_path) == Settings()
    else:
        with pytest.raises(ConfigError, match=r"pyproject.toml: \[tool.dedup\] must be a table of settings"):
            load(tmp_path)


def test_lsh_optimum_equals_datasketch():
    from datasketch.lsh import _optimal_param

    from dedup.config import Settings, integrate_bands, optimal_bands
    for threshold in (0.5, 0.7, 0.8, 0.9, 0.95):
        for num_perm in (64, 128, 256):
            expected = _optimal_param(threshold, num_perm, 0.05, 0.95)
            assert integrate_bands(threshold, num_perm) == expected
            assert optimal_bands.__wrapped__(threshold, num_perm) == expected   # the defaults' shortcut too
    assert (Settings().threshold, Settings().num_perm) == (0.8, 128)   # the shortcut is the defaults''


def test_settings_are_checked_together_once_every_layer_is_in(tmp_path, monkeypatch):
    """A rule of several settings (keep = sources needs keep_sources; bands x rows <=
    num_perm) holds of what the layers make together, each overriding the one before:
    values split over the files and the command line are taken, and what breaks it
    still is names the layers."""
    from click.testing import CliRunner
    from dedup.cli import main
    from dedup.config import combined, layers
    (tmp_path / "setup.cfg").write_text("[dedup]\nkeep = sources\nbands = 32\nrows = 8\n", "utf-8")
    (tmp_path / "pyproject.toml").write_text('[tool.dedup]\nkeep_sources = ["a"]\n', "utf-8")
    settings = combined(layers(tmp_path) + [("command line", {"num_perm": 256})])
    assert (settings.keep, settings.keep_sources, settings.bands * settings.rows, settings.num_perm) == (
        "sources", ("a",), 256, 256)
    assert combined(layers(tmp_path) + [("command line", {"keep": "first", "num_perm": 256})]).keep == "first"
    with pytest.raises(ConfigError, match=r"setup.cfg \+ .*pyproject.toml: bands x rows must not exceed num_perm"):
        load(tmp_path)
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "a.txt").write_text("A line of text.\n", "utf-8")
    monkeypatch.chdir(tmp_path)
    ran = CliRunner().invoke(main, ["clean", "c", "-o", "out", "-q", "--num-perm", "256"])
    assert ran.exit_code == 0, ran.output
    refused = CliRunner().invoke(main, ["clean", "c", "-o", "out", "-q"])
    assert (refused.exit_code, refused.output) == (
        2, "dedup: error: setup.cfg + pyproject.toml: bands x rows must not exceed num_perm\n")
