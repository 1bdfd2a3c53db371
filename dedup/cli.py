"""Command line: turns results into files, a summary and exit codes (0 ok, 2 bad input)."""
from __future__ import annotations

import contextlib
import os
import stat
import sys
from pathlib import Path

import click

from . import __version__, api, backends, budget, config, corpus, journals, records, report, shown
from .commands import check as check_mod
from .errors import DedupError
from .progress import Bars
from .signals import Interrupted, interrupts

SETTINGS_HELP = ("Settings: defaults, then [dedup] in ./setup.cfg, then [tool.dedup] in ./pyproject.toml, "
                 "then these options; each overrides the one before.")


def _fail(message: str) -> None:
    click.echo(f"dedup: error: {message}", err=True)
    sys.exit(2)


def _terminal() -> bool:
    """Whether stderr is a terminal that takes cursor escapes (it may be closed: `dedup
    check 2>&-`; Emacs's shell says TERM=dumb, and shows the escapes as they are)."""
    return sys.stderr is not None and sys.stderr.isatty() and os.environ.get("TERM") != "dumb"


_LINE_START = "\r\033[K" if _terminal() else ""   # over a progress line on a terminal


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


@contextlib.contextmanager
def _stoppable():
    """Ctrl-C, SIGTERM and SIGHUP: one line, exit 130, 143 or 129; clean-up ran as the stack unwound."""
    with interrupts():
        try:
            yield
        except Interrupted as stop:
            click.echo(_LINE_START + "dedup: interrupted", err=True)
            sys.exit(stop.exit_code)


@contextlib.contextmanager
def _errors():
    """Bad input and failed I/O end the command with one line and exit status 2."""
    try:
        yield
    except DedupError as err:
        _fail(str(err))
    except OSError as err:
        _fail(f"{err.filename or ''}: {err.strerror or err}".lstrip(": "))
    except MemoryError:
        _fail("out of memory: a process of the run asked for more than it may have (ulimit, or the machine's "
              "memory); give --memory what the run may use, so that it plans for it, or use fewer workers (-j)")


def _settings(overrides: dict) -> config.Settings:
    """The settings files of this folder, then the command line's, checked together."""
    given = {k: v for k, v in overrides.items() if v not in (None, ())}
    return config.combined(config.layers(Path(".")) + [("command line", given)])


def _progress(enabled: bool) -> Bars | None:
    """Progress bars on stderr, only when it is a terminal (never into a log file)."""
    return Bars() if enabled and _terminal() else None


def _output_failed(err: OSError) -> int:
    """The exit status when the output cannot be written: none and quiet for a reader that
    went away (`| head`, as a shell's own tools end), else one line."""
    if isinstance(err, BrokenPipeError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())   # nothing more goes to the pipe
        return 128 + 13   # as if by SIGPIPE
    try:
        click.echo(f"dedup: error: cannot write the output: {err.strerror or err}", err=True)
    except OSError:
        pass
    return 2


class _Commands(click.Group):
    """dedup's commands, whose usage errors (an unknown option, a bad value) are one line
    like every other error of dedup's, saying where the help is."""

    def main(self, *args, standalone_mode: bool = True, **kwargs):
        if not standalone_mode:
            return super().main(*args, standalone_mode=False, **kwargs)
        try:
            try:
                code = super().main(*args, standalone_mode=False, **kwargs)
            except click.UsageError as err:
                if type(err).__name__ == "NoArgsIsHelpError":   # `dedup` alone: its help, as ever (click 8.2 on)
                    err.show()
                    sys.exit(err.exit_code)
                where = f" (see {err.ctx.command_path} --help)" if err.ctx is not None else ""
                _fail(f"{err.format_message()}{where}")
            except click.ClickException as err:
                err.show()
                sys.exit(err.exit_code)
            except click.Abort:
                click.echo("Aborted!", err=True)
                sys.exit(1)
            code = code if isinstance(code, int) else 0
        except SystemExit as done:
            code = done.code
        except OSError as err:   # what a command prints cannot be written (`dedup check > /dev/full`)
            code = _output_failed(err)
        try:
            if sys.stdout is not None:
                sys.stdout.flush()   # here, not while Python shuts down, where it would be a traceback
        except OSError as err:
            code = _output_failed(err)
        sys.exit(code)

    def invoke(self, ctx):
        """The command; a reader that went away while it printed is dedup's to say (141,
        quiet), before click's main takes that for an error of its own (exit 1, which
        `check` says for new findings)."""
        try:
            return super().invoke(ctx)
        except BrokenPipeError as err:
            sys.exit(_output_failed(err))


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="dedup")
def main() -> None:
    """Find duplicated and boilerplate text in multilingual corpora."""


CLEAN_EPILOG = f"""\b
Exit status: 0 done; 2 a usage or input error (one line, nothing touched);
130 interrupted (Ctrl-C), 143 terminated (SIGTERM), 129 hung up (the terminal
closed): OUT is left as it was. 141: the reader of its output went away (| head).
{SETTINGS_HELP}"""


@main.command(epilog=CLEAN_EPILOG)
@click.argument("paths", nargs=-1, required=True)
@click.option("-o", "--output", default="dedup-out", show_default=True,
              help="Folder for the cleaned corpus, report.json and report.html. It is replaced whole at the "
                   "end of the run, and never read as input.")
@click.option("--in-place", is_flag=True,
              help="Rewrite the input files (atomically); the report, written to -o before any input is "
                   "touched, is the journal that `dedup restore` undoes the run from.")
@click.option("--dry-run", is_flag=True, help="Write only the report.")
@click.option("--only-corpus", is_flag=True,
              help="Of the PATHS named, clean only the corpus's: under the `corpus` setting's folder, taken by the "
                   "include and exclude globs, and with --in-place text files only; the rest are left alone. For a "
                   "git hook, which names every staged file: none left is nothing to do, not an error.")
@click.option("--force", is_flag=True,
              help="Replace -o even if it is a non-empty folder that dedup did not write (its files are deleted).")
@click.option("-j", "--jobs", type=int, default=0, help="Worker processes (default: all cores).")
@click.option("--memory", metavar="SIZE",
              help="Memory the run may use, all its processes together (e.g. 512M, 4G; default: half the machine's). "
                   "Fewer workers and smaller batches when they would not fit; a big corpus table mapped from a file.")
@click.option("--include", multiple=True, help="File name glob to read (repeatable; default *.txt, *.md, *.jsonl[.gz|.zst], *.parquet).")
@click.option("--exclude", multiple=True, help="File or folder glob to skip (repeatable).")
@click.option("--threshold", type=float, help="Near-duplicate Jaccard similarity (default 0.8).")
@click.option("--shingle-size", type=int, help="Words per shingle (default 5).")
@click.option("--num-perm", type=int, help="MinHash permutations, 2 to 1,024 (default 128).")
@click.option("--min-docs", type=int, help="Documents a line must be in to count as boilerplate (default 4).")
@click.option("--lexicon", "lexicons", multiple=True, help="Extra boilerplate lexicon file (TOML; repeatable).")
@click.option("--decode-errors", type=click.Choice(["skip", "keep"]),
              help="Files that are not UTF-8: skip them, or clean their text and keep the bad bytes as they were.")
@click.option("--format", "format_", type=click.Choice(["auto", "text", "jsonl", "parquet"]),
              help="Read every input as this format (default: by name; *.jsonl[.gz|.zst], *.parquet are records).")
@click.option("--text-field", help="JSONL/Parquet: the field with the text to clean (default text).")
@click.option("--id-field", help="JSONL/Parquet: the field that names a record in the report (default: file and row).")
@click.option("--source", "source_",
              help="What one site is, for learning its boilerplate: auto (a record's url host, else the top "
                   "folder under the input folder), folder, url (records' url host only), none (one site), or field:NAME.")
@click.option("--source-field", help="JSONL/Parquet: the field that says which site a row is from (= --source field:NAME).")
@click.option("--keep", type=click.Choice(["first", "longest", "sources"]),
              help="Which copy of a duplicate stays: the first in path order (default), the longest document, "
                   "or the one from the best source in --keep-sources.")
@click.option("--keep-sources", multiple=True, help="With --keep sources: a source whose copies stay (repeatable, best first).")
@click.option("--backend", type=click.Choice(backends.BACKENDS), default="local", show_default=True,
              help="Where the run works: this machine's processes, or a Ray cluster (its workers read, "
                   "write and verify; one of its processes does the corpus-wide steps; pip install "
                   "'dedup-corpus[ray]'). The result is the same.")
@click.option("--address", help="Ray: the cluster to join (e.g. auto); default: start a local one.")
@click.option("--against", metavar="PREVIOUS_OUT",
              help="Also remove what repeats the corpus of an earlier run, from the index it saved in its -o "
                   "(only what is new is kept; the old corpus is not read again).")
@click.option("--verdicts", "verdicts_file", metavar="FILE",
              help="A verdicts.json exported from a review page: removals judged wrong are not made again wherever "
                   "their text recurs, and its overrides apply; the report lists what they kept.")
@click.option("-q", "--quiet", is_flag=True, help="No progress or summary.")
def clean(paths, output, in_place, dry_run, only_corpus, force, jobs, memory, include, exclude, threshold,
          shingle_size, num_perm, min_docs, lexicons, decode_errors, format_, text_field, id_field, source_,
          source_field, keep, keep_sources, backend, address, against, verdicts_file, quiet) -> None:
    """Clean the corpus at PATHS (files and folders) into -o, with a report of every removal."""
    if in_place and dry_run:
        _fail("--in-place and --dry-run exclude each other")
    if jobs < 0:
        _fail("--jobs must not be negative")
    if not output.strip():
        _fail("-o is empty: name the output folder")
    quiet = quiet or bool(os.environ.get("PRE_COMMIT"))
    out = Path(output)
    with _errors(), interrupts():
        try:
            settings = _settings({"include": include, "exclude": exclude, "threshold": threshold,
                                  "shingle_size": shingle_size, "num_perm": num_perm, "min_docs": min_docs,
                                  "lexicons": lexicons, "decode_errors": decode_errors, "format": format_,
                                  "text_field": text_field, "id_field": id_field,
                                  "source": f"field:{source_field}" if source_field is not None else source_,
                                  "keep": keep, "keep_sources": keep_sources, "verdicts": verdicts_file})
            if only_corpus:
                paths = corpus.of_corpus(list(paths), settings.corpus, settings.include, settings.exclude,
                                         settings.format, text_only=in_place)
                if in_place and settings.format == "auto":   # a folder's record files too are left alone
                    settings = settings.replace(exclude=settings.exclude + tuple(f"*{e}" for e in records.FORMATS))
                if not paths:
                    if not quiet:
                        click.echo("dedup: none of the paths named is the corpus's; nothing to do", err=True)
                    return
            bars = _progress(not quiet)
            try:
                # the API's own function: its errors name the options (-o), not the API's arguments (output)
                result = api.clean.__wrapped__(paths, out, settings=settings, dry_run=dry_run, in_place=in_place,
                                               force=force, jobs=jobs, backend=backend, address=address,
                                               against=against, progress=bars,
                                               memory=budget.parse(memory) if memory is not None else None)
            finally:
                if bars:
                    bars.close()
        except Interrupted as stop:
            message = "dedup: interrupted"
            if stop.rewritten:
                message += (f" after rewriting {stop.rewritten[0]} of {stop.rewritten[1]} input files; "
                            f"`dedup restore {(out / 'report.json').as_posix()}` puts them back")
            click.echo(_LINE_START + message, err=True)
            sys.exit(stop.exit_code)
        if not quiet:
            click.echo(report.summary_text(result.head, (out / "report.json").as_posix()), err=True)
            click.echo(f"  review page: {(out / 'report.html').as_posix()}", err=True)


CHECK_EPILOG = f"""\b
Exit status: 0 nothing new; 1 new findings; 2 a usage or input error (one line);
130/143/129 interrupted; 141 the reader of its output went away (| head).
{SETTINGS_HELP}"""


@main.command("check", epilog=CHECK_EPILOG)
@click.argument("paths", nargs=-1)
@click.option("--format", "fmt", type=click.Choice(["text", "json", "github"]), default="text", show_default=True,
              help="Findings as linter lines, JSON, or GitHub annotations.")
@click.option("--corpus", "corpus_root", help="Corpus folder the files are checked against (default: setting `corpus`, `.`).")
@click.option("--baseline", default=check_mod.BASELINE, show_default=True, help="Accepted findings file.")
@click.option("--write-baseline", is_flag=True, help="Accept today's findings: write them to the baseline file.")
@click.option("--no-cache", is_flag=True, help="Build the index from scratch in a temporary folder.")
@click.option("-j", "--jobs", type=int, default=0, help="Worker processes for files to (re)index (default: all cores).")
@click.option("--verdicts", "verdicts_file", metavar="FILE",
              help="A verdicts.json exported from a review page: what it judged wrong is not a finding "
                   "(default: setting `verdicts`).")
@click.option("-q", "--quiet", is_flag=True, help="Findings only.")
def check(paths, fmt, corpus_root, baseline, write_baseline, no_cache, jobs, verdicts_file, quiet) -> None:
    """Check PATHS (default: the whole corpus) against the corpus; exit 1 on new findings."""
    quiet = quiet or bool(os.environ.get("PRE_COMMIT"))
    if jobs < 0:
        _fail("--jobs must not be negative")
    with _errors(), _stoppable():
        settings = _settings({"corpus": corpus_root, "verdicts": verdicts_file})
        result = api.check.__wrapped__(paths, settings=settings, baseline=None if write_baseline else baseline,
                                       use_cache=not no_cache, jobs=jobs)
        problems, new = list(result.problems), list(result.new)
        if result.unused_index and not quiet:
            click.echo(f"dedup: note: {result.unused_index}; checked with a temporary index instead (slower)",
                       err=True)
        if write_baseline:   # today's findings, and what the baseline accepts in files not checked
            accepted = check_mod.load_baseline(Path(baseline))
            text = check_mod.baseline_json(problems, accepted, result.checked)
            corpus.write_atomic(Path(baseline), text.encode("utf-8"))
            if not quiet:
                click.echo(f"dedup: {_count(len(problems), 'finding')} accepted in {baseline}", err=True)
            return
    if fmt == "json":
        click.echo(check_mod.as_json(new), nl=False)
    else:
        for problem in new:
            click.echo(problem.github() if fmt == "github" else problem.text())
    if not quiet and fmt == "text":
        accepted_n = len(problems) - len(new)
        click.echo(f"dedup: {_count(len(new), 'new finding')}"
                   + (f" ({accepted_n:,} accepted in {baseline})" if accepted_n else ""), err=True)
    sys.exit(1 if new else 0)


@main.command("report", epilog="Exit status: 0 written; 2 a usage or input error (one line); 130/143/129 interrupted.")
@click.argument("report_json", metavar="REPORT.json")
@click.option("-o", "--output", default="report.html", show_default=True, help="The HTML file to write.")
@click.option("--root", default=".", show_default=True,
              help="Folder the report's paths are relative to (where `dedup clean` ran).")
@click.option("--sample", "sample_size", type=click.IntRange(min=1), metavar="N",
              help="Show a random sample of N removals of every rule, in the documents that hold them "
                   "(default: every document with removals, or 50 of every rule when there are more than "
                   "2,000 such documents).")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True,
              help="Which random sample --sample draws: the same seed draws the same removals.")
def report_command(report_json, output, root, sample_size, seed) -> None:
    """Render a report.json as a self-contained HTML page for review."""
    with _errors(), _stoppable():
        if not output.strip():
            raise DedupError("-o is empty: name the page's file")
        _check_page_target(Path(output))
        data = report.load(Path(report_json))
        # originals are read under --root, or rebuilt from the cleaned files beside the report
        from . import html
        try:
            html.write(data, Path(output), Path(root), cleaned_dir=Path(report_json).parent, size=sample_size,
                       seed=seed)
        except (TypeError, KeyError, AttributeError, IndexError, ValueError) as err:   # an edited report's evidence
            raise report.ReportError(f"{report_json}: not a report as dedup writes it (a value of the wrong type: "
                                     f"{err})") from None
    click.echo(f"dedup: review page written to {output}", err=True)


def _check_page_target(output: Path) -> None:
    """The page is written over a file only when that file is an HTML page: never over
    the report it is drawn from (after --in-place, the only way back), nor other data."""
    if output.is_dir():
        raise DedupError(f"-o: {output} is a folder; name the page's file (e.g. {output / 'report.html'})")
    try:
        if not stat.S_ISREG(os.stat(output).st_mode):   # a pipe or a device: never opened (a FIFO would block)
            raise DedupError(f"-o: {output} is not a regular file; name the page's file")
        with open(output, "rb") as handle:
            head = handle.read(512).lstrip().lower()
    except FileNotFoundError:
        return
    if not head.startswith((b"<!doctype html", b"<html")):
        raise DedupError(f"-o: {output} exists and is not an HTML page; not overwritten (name another file)")


RESTORE_EPILOG = """\b
Exit status: 0 every document is back (or never changed); 1 some could not be
restored (each is listed with the reason); 2 a usage or input error; 130/143/129 interrupted.
Running it again is safe: files already original are left alone."""


@main.command("restore", epilog=RESTORE_EPILOG)
@click.argument("report_json", metavar="REPORT.json")
@click.option("--to", "to", help="Rebuild the originals under this folder (at their paths relative to their "
                                 "input folder) instead of in place. Needed for a run that was not --in-place.")
@click.option("--root", default=".", show_default=True,
              help="Folder the report's paths are relative to (where `dedup clean` ran).")
def restore_command(report_json, to, root) -> None:
    """Bring back the original files of a `dedup clean` run, byte for byte, from its report.

    After --in-place it undoes the run wherever it stopped (a file not yet rewritten,
    rewritten, or deleted as a duplicate); every restored file is checked against the
    original's sha256."""
    with _errors(), _stoppable():
        outcomes = api.restore.__wrapped__(Path(report_json), to, root=root)
    counts = {state: sum(o.state == state for o in outcomes) for state in ("restored", "original", "failed")}
    for o in outcomes:
        if o.state == "restored":   # (a name's newline or escape shown, never acted on)
            click.echo(f"restored {shown.plain(o.path)}")
        elif o.state == "failed":
            click.echo(f"not restored {shown.plain(o.path)}: {shown.plain(o.reason)}")
    click.echo(f"dedup: {counts['restored']:,} restored, {counts['original']:,} already original, "
               f"{counts['failed']:,} not restored" + (f" (under {to})" if to else ""), err=True)
    older = journals.older(Path(report_json))
    if older is not None:
        click.echo(f"dedup: {older[1]} earlier --in-place run(s) of this OUT can be undone too, newest first: "
                   f"next, dedup restore {older[0].as_posix()}", err=True)
    sys.exit(1 if counts["failed"] else 0)
