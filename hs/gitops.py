"""Git as the audit trail: one commit per change, with a message tools can read.

Every command that changes records ends here. The commit holds exactly the files the
command wrote (``git commit --only -- <paths>``), never the user's other uncommitted work,
and is authored by the git user as configured. Its message names the action and the record
IDs, never a person's name, and ends with trailers::

    family f3kq7p2xm: accepted

    Hs-Action: family.accept
    Hs-Record: f3kq7p2xm
    Hs-Date: 2025-03-14

``Hs-Action`` is ``<kind>.<verb>``: repo.init, location.add, location.stop,
volunteer.add, volunteer.stop, volunteer.train, volunteer.activate, volunteer.check,
family.refer, family.accept, family.refuse, family.withdraw, trajectory.start,
trajectory.visit, trajectory.review, trajectory.close, trajectory.replace,
trajectory.extend, import.families, import.volunteers. ``Hs-Record`` repeats for every
record the change touched (the main record first), ``Hs-Date`` is the date of the event as
the coordinator gave it (not the commit time); some actions add ``Hs-Reason``,
``Hs-Referrer``, ``Hs-Kind``, ``Hs-Review``, ``Hs-Step`` (codes) or ``Hs-Count``; every
commit ends with ``Hs-Tool``. Read them back with
``git log --format='%(trailers:key=Hs-Action,valueonly)'`` or :func:`parse_message`.

A records tree outside git is written all the same; the caller warns that nothing was
recorded.
"""

from __future__ import annotations

import datetime as dt
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from hs import __version__
from hs.errors import GitError
from hs.i18n import Catalog

MSG = Catalog({
    "no-git": ("git is not installed", "git is niet geïnstalleerd"),
    "failed": ("git {cmd} failed: {reason}", "git {cmd} mislukt: {reason}"),
    "merging": ("a merge (or cherry-pick, or revert) is in progress in this git repository; "
                "finish it first (git commit) or use --no-commit",
                "er loopt een merge (of cherry-pick, of revert) in deze git-repository; "
                "rond die eerst af (git commit) of gebruik --no-commit"),
    "who": ("git does not know who you are; set it with git config user.name and git "
            "config user.email",
            "git weet niet wie u bent; stel het in met git config user.name en git config "
            "user.email"),
})

ACTION = "Hs-Action"
RECORD = "Hs-Record"
DATE = "Hs-Date"
TOOL = "Hs-Tool"


@dataclass(frozen=True)
class CommitMessage:
    """What a commit says: a subject line and the trailers."""

    subject: str
    action: str
    records: tuple[str, ...] = ()
    date: dt.date | None = None
    extra: tuple[tuple[str, str], ...] = ()

    def text(self) -> str:
        trailers = [f"{ACTION}: {self.action}"]
        trailers += [f"{RECORD}: {rid}" for rid in self.records]
        if self.date is not None:
            trailers.append(f"{DATE}: {self.date.isoformat()}")
        trailers += [f"{k}: {v}" for k, v in self.extra]
        trailers.append(f"{TOOL}: hs {__version__}")
        return f"{self.subject}\n\n" + "\n".join(trailers) + "\n"


@dataclass(frozen=True)
class ParsedMessage:
    subject: str
    trailers: dict[str, list[str]] = field(default_factory=dict)


def parse_message(text: str) -> ParsedMessage:
    """Subject and trailers (``Key: value`` lines of the last paragraph) of a message."""
    lines = text.strip("\n").splitlines()
    subject = lines[0] if lines else ""
    paragraphs = "\n".join(lines[1:]).strip("\n").split("\n\n")
    trailers: dict[str, list[str]] = {}
    last = paragraphs[-1] if paragraphs and len(lines) > 1 else ""
    for line in last.splitlines():
        key, sep, value = line.partition(": ")
        if sep and key and " " not in key:
            trailers.setdefault(key, []).append(value.strip())
    return ParsedMessage(subject, trailers)


@dataclass(frozen=True)
class GitState:
    """Where the records tree stands with git."""

    available: bool  # git is installed
    repo: bool  # the tree is inside a git work tree
    merging: bool = False


def run(root: Path, *args: str, input: bytes | None = None,
        check: bool = True) -> subprocess.CompletedProcess[bytes]:
    """``git args`` in ``root``, bytes in and out (blobs, ``-z`` output): the one place
    that starts git. Raises GitError when git is not installed and, with ``check``, when
    the command fails (with the last line git wrote)."""
    try:
        proc = subprocess.run(["git", *args], cwd=root, capture_output=True, input=input)
    except FileNotFoundError:
        raise GitError(MSG("no-git")) from None
    if check and proc.returncode != 0:
        said = (proc.stderr.decode("utf-8", "replace").strip()
                or proc.stdout.decode("utf-8", "replace").strip()).splitlines()
        raise GitError(MSG("failed", cmd=args[0],
                           reason=said[-1] if said else proc.returncode))
    return proc


def _run(root: Path, *args: str, input: str | None = None,
         check: bool = True) -> subprocess.CompletedProcess[str]:
    """:func:`run` with text in and out."""
    proc = run(root, *args, input=None if input is None else input.encode("utf-8"),
               check=check)
    return subprocess.CompletedProcess(proc.args, proc.returncode,
                                       proc.stdout.decode("utf-8", "replace"),
                                       proc.stderr.decode("utf-8", "replace"))


def state(root: Path) -> GitState:
    try:
        proc = _run(root, "rev-parse", "--is-inside-work-tree", "--git-dir", check=False)
    except GitError:
        return GitState(available=False, repo=False)
    out = proc.stdout.split()
    if proc.returncode != 0 or not out or out[0] != "true":
        return GitState(available=True, repo=False)
    git_dir = Path(out[1]) if len(out) > 1 else Path(".git")
    if not git_dir.is_absolute():
        git_dir = root / git_dir
    merging = any((git_dir / name).exists()
                  for name in ("MERGE_HEAD", "CHERRY_PICK_HEAD", "REVERT_HEAD"))
    return GitState(available=True, repo=True, merging=merging)


def preflight(root: Path, commit: bool) -> GitState:
    """Check, before anything is written, that the commit can be made.

    Raises GitError when a merge is in progress or no author identity is configured."""
    st = state(root)
    if not st.repo:
        return st
    if st.merging:
        raise GitError(MSG("merging"))
    if commit:
        preflight_identity(root)
    return st


def preflight_identity(folder: Path) -> None:
    """GitError unless git knows who commits (checked in ``folder``, any folder)."""
    proc = _run(folder, "var", "GIT_AUTHOR_IDENT", check=False)
    if proc.returncode != 0:
        raise GitError(MSG("who"))


def dirty(root: Path, paths: Sequence[str]) -> list[str]:
    """Which of ``paths`` (relative to ``root``) have uncommitted changes now."""
    if not paths:
        return []
    proc = _run(root, "status", "--porcelain", "-z", "--untracked-files=all", "--",
                *paths, check=False)
    if proc.returncode != 0:
        return []
    out = []
    for entry in proc.stdout.split("\0"):
        if len(entry) > 3:
            out.append(entry[3:])
    return out


def init(root: Path) -> None:
    """``git init`` the folder (with branch main)."""
    _run(root, "init", "-q", "-b", "main")


def record(root: Path, paths: Sequence[str], message: CommitMessage,
           commit: bool = True) -> str | None:
    """Stage ``paths`` and, if ``commit``, commit exactly them. Returns the commit hash."""
    _run(root, "add", "--", *paths)
    if not commit:
        return None
    proc = _run(root, "commit", "-q", "--cleanup=verbatim", "-F", "-", "--only", "--",
                *paths, input=message.text(), check=False)
    if proc.returncode != 0:
        reason = (proc.stderr.strip() or proc.stdout.strip()).splitlines()
        raise GitError(MSG("failed", cmd="commit",
                           reason=reason[-1] if reason else f"exit {proc.returncode}"))
    return _run(root, "rev-parse", "HEAD").stdout.strip()


def unstage(root: Path, paths: Sequence[str]) -> None:
    """Put the index entries of ``paths`` back as in HEAD (after a failed commit)."""
    head = _run(root, "rev-parse", "--verify", "--quiet", "HEAD", check=False)
    if head.returncode == 0:
        _run(root, "reset", "-q", "--", *paths, check=False)
    else:
        _run(root, "rm", "-q", "--cached", "--ignore-unmatch", "--", *paths, check=False)


__all__ = ["CommitMessage", "GitState", "ParsedMessage", "dirty", "init", "parse_message",
           "preflight", "record", "run", "state", "unstage"]
