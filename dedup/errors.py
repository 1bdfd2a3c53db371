"""The one base class of the errors dedup reports to its user."""


class DedupError(Exception):
    """Something the user can fix: a bad path, setting, lexicon, report or output
    folder. The message is one line that names it; the command line prints it after
    `dedup: error:` and exits with status 2."""


class FileError(DedupError, OSError):
    """A file or folder dedup needed could not be read or written (an OSError too)."""

    def __str__(self) -> str:
        return f"{self.filename}: {self.strerror}" if self.filename else str(self.strerror or self.args)

    @classmethod
    def of(cls, err: OSError) -> "FileError":
        return cls(err.errno, err.strerror or str(err), err.filename)
