"""Domain errors. The CLI turns every one of them into one line on stderr and an exit code.

Exit codes: 0 ok, 1 data or domain error, 2 usage error.
"""

from __future__ import annotations

DATA_ERROR = 1
USAGE_ERROR = 2


class HsError(Exception):
    """Base of every error `hs` reports to the user. `str(err)` is the one-line message."""

    exit_code = DATA_ERROR

    def __init__(self, message: str, *, where: str | None = None, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.where = where
        self.hint = hint

    def __str__(self) -> str:
        text = f"{self.where}: {self.message}" if self.where else self.message
        if self.hint:
            text += f" ({self.hint})"
        return text


class UsageError(HsError):
    """The command line itself is wrong: a bad option value, a missing argument."""

    exit_code = USAGE_ERROR


class RepoNotFound(UsageError):
    """No records repository at --repo, HS_REPO or above the working directory."""


class RecordNotFound(UsageError):
    """No record has this ID (or unique ID prefix): an ID typed wrong on the command line,
    a usage error (exit 2) like a code typed wrong. A record that exists but whose state
    refuses the change is a domain error (exit 1: :class:`TransitionError`)."""


class AmbiguousId(UsageError):
    """An ID prefix matches more than one record: type more characters (exit 2)."""


class InvalidRecord(HsError):
    """A record file cannot be read or does not satisfy the schema."""


class TransitionError(HsError):
    """A lifecycle transition is not allowed (e.g. starting a family that is not accepted)."""


class UnknownCode(UsageError):
    """A code is not in its vocabulary: a value typed wrong on the command line, a usage
    error (exit 2) like a bad date. A reader of files that meets one says so as a problem
    of the file (exit 1): the import catches it per cell."""


class WriteRejected(HsError):
    """A write was refused; nothing was changed."""


class LockBusy(HsError):
    """Another `hs` process is writing to the same records tree."""


class GitError(HsError):
    """A git command failed."""


class InvalidExport(HsError):
    """A file of aggregated figures (``hs kpi --export``) cannot be read."""
