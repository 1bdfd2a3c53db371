"""The one base class of the errors dedup reports to its user."""


class DedupError(Exception):
    """Something the user can fix: a bad path, setting, lexicon, report or output
    folder. The message is one line that names it; the command line prints it after
    `dedup: error:` and exits with status 2."""
