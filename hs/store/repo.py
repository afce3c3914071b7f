"""The records repository: one tree, its records looked up by ID, read whole, written one
at a time.

Writing one record goes through :meth:`Repo.write`: validated first, then, under the
tree's lock (:meth:`Repo.lock`, so two hs processes never write at once), written to a
temporary file in the same folder, fsynced, read back and validated again, renamed over
the old file and the folder fsynced (:func:`hs.store.atomic.write_atomic`). Whatever
fails, the old file stays byte for byte. Reading the whole tree is :mod:`hs.store.load`.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from hs.base import portable
from hs.base.clock import today
from hs.base.errors import (
    AmbiguousId,
    GitError,
    HsError,
    InvalidRecord,
    LockBusy,
    RecordNotFound,
    WriteRejected,
)
from hs.base.i18n import Catalog
from hs.records.ids import FOLDER, RecordKind
from hs.records.index import Index
from hs.records.layout import RECORDS
from hs.records.problems import quotable, sort_key
from hs.store import clonesetup, faults, gitstate, journal
from hs.store.atomic import why, write_atomic
from hs.store.cache import CACHE_DIR, ignore_cache_dir
from hs.store.layout import RecordFile, classify, find_root, walk
from hs.store.load import LoadReport, load_tree
from hs.store.notice import say
from hs.store.read import parse_file

if TYPE_CHECKING:  # lazy: for the types only; pydantic stays out of a warm read
    from pydantic import BaseModel


_HELD: dict[str, int] = {}  # trees whose lock this process holds, and how deeply


class Repo:
    """One records repository. Commands get it from :func:`open_repo`."""

    lock_timeout = 10.0  # seconds to wait for another hs process that is writing

    def __init__(self, root: Path):
        self.root = root
        self.records = root / RECORDS
        self._report: LoadReport | None = None
        # told how many files a read parses (set by the command line: progress on a terminal)
        self.progress: Callable[[int, int], None] | None = None

    # reading

    def load(self) -> LoadReport:
        if self._report is None:
            self._report = load_tree(self.root, progress=self.progress)
        return self._report

    @property
    def index(self) -> Index:
        return self.load().index

    def refresh(self) -> None:
        self._report = None

    def path_of(self, kind: RecordKind, rid: str) -> Path:
        rel = self.index.paths.get(rid)
        if rel is not None:
            return self.root / rel
        return self.records / FOLDER[kind] / f"{rid}.yaml"

    def all_ids(self) -> set[str]:
        """Every record ID in the tree, valid or not (from the file names)."""
        return {rf.id for rf in walk(self.root) if rf.kind in FOLDER}

    def resolve(self, prefix: str, kind: RecordKind | None = None) -> tuple[RecordKind, str]:
        """A full ID from an ID or a unique prefix of one (of ``kind`` if given)."""
        files = [rf for rf in walk(self.root) if rf.kind in FOLDER
                 and (kind is None or rf.kind == kind)]
        exact = [rf for rf in files if rf.id == prefix]
        matches = exact or ([rf for rf in files if rf.id.startswith(prefix)] if prefix else [])
        ids = sorted({rf.id for rf in matches})
        what = _MSG(kind or "record")
        if not ids:  # a name typed where the ID goes is not repeated
            given = f"'{prefix}'" if quotable(prefix, "code") else _MSG("not-shown")
            raise RecordNotFound(_MSG("not-found", what=what, id=given))
        if len(ids) > 1:
            shown = ", ".join(ids[:5]) + (" ..." if len(ids) > 5 else "")
            raise AmbiguousId(_MSG("ambiguous", id=prefix, n=len(ids), ids=shown))
        rf = next(r for r in matches if r.id == ids[0])
        return rf.kind, rf.id  # type: ignore[return-value]

    def read_model(self, kind: RecordKind, rid: str) -> BaseModel:
        """One record, fully validated (the model), or InvalidRecord naming the problem."""
        rf = classify(self.root, self.path_of(kind, rid))
        if rf is None:
            raise RecordNotFound(_MSG("not-found", what=_MSG(kind), id=f"'{rid}'"))
        res = parse_file(rf)
        if res.problems:
            raise InvalidRecord(str(res.problems[0]),
                                hint=_MSG("run-validate"))
        # lazy: pydantic and the models only for a command that reads one record whole
        from hs.records.models import MODELS

        return MODELS[kind].model_validate(res.data)

    # writing

    @contextmanager
    def lock(self, timeout: float | None = None) -> Iterator[None]:
        """An exclusive lock on the tree for writers (``.hs/lock``: flock, or the
        filelock library where there is none, :class:`hs.base.portable.FileLock`).

        Another process that holds it makes this wait up to ``timeout`` seconds, then
        :class:`LockBusy`. Within one process the lock is re-entrant (a command that
        holds it can call :meth:`write`, which takes it too).

        Taking it finishes or undoes a write that a killed hs command left
        (:func:`hs.store.journal.recover`); an HsError if that cannot be done now. In
        the middle of a git operation (a rebase...) or on a detached HEAD it is refused
        first (:mod:`hs.store.gitstate`): whatever would be written would be lost."""

        key = str(self.root.resolve())
        if _HELD.get(key):
            _HELD[key] += 1
            try:
                yield
            finally:
                _HELD[key] -= 1
            return
        refuse_git_operation(self.root)
        try:
            (self.root / CACHE_DIR).mkdir(exist_ok=True)
            ignore_cache_dir(self.root)
            held = portable.FileLock(self.root / CACHE_DIR / "lock")
        except OSError as exc:
            raise WriteRejected(_MSG("no-lock", path=self.root / CACHE_DIR,
                                     why=why(exc))) from None
        try:
            deadline = time.monotonic() + (self.lock_timeout if timeout is None else timeout)
            while True:
                if held.try_acquire():
                    break
                if time.monotonic() > deadline:
                    raise LockBusy(_MSG("lock-busy")) from None
                time.sleep(0.05)
            _HELD[key] = 1
            try:
                if journal.pending(self.root):
                    journal.recover(self.root)
                    self.refresh()
                yield
            finally:
                _HELD.pop(key, None)
        finally:
            held.close()  # closing the file releases the lock

    def write(self, path: Path, text: str, check: Callable[[str], None] | None = None,
              *, create: bool = False) -> None:
        """Replace (or create) one record file atomically, after validating ``text``.

        Under the lock: the text is validated as the record of its kind (plus ``check`` if
        given), written to a temporary file next to the target, fsynced, read back and
        validated again, then renamed over the target (keeping its permissions) and the
        folder fsynced. With ``create``, a file or ID that exists already is refused. On
        any failure the old file stays byte for byte, and :class:`WriteRejected` (or the
        error of ``check``) says why."""
        rf = classify(self.root, path)
        if rf is None:
            raise WriteRejected(_MSG("not-a-record", path=path))
        data = text.encode("utf-8")
        self._validate_text(rf, data)
        if check is not None:
            check(text)

        def read_back(back: bytes) -> None:
            if back != data:
                raise WriteRejected(_MSG("read-back", path=rf.rel))
            self._validate_text(rf, back)
            faults.point("tmp")  # the temporary file is written, not yet renamed

        with self.lock():
            if create and (path.exists() or (rf.kind in FOLDER and rf.id in self.all_ids())):
                raise WriteRejected(_MSG("exists", id=rf.id))
            path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(path, data, durable=True, check=read_back, keep_mode=True,
                         os_errors=True)
        self.refresh()

    def _validate_text(self, rf: RecordFile, raw: bytes) -> None:
        res = parse_file(rf, raw)
        if res.problems:
            first = min(res.problems, key=sort_key)
            more = len(res.problems) - 1
            text = str(first) + (_MSG("more-1") if more == 1 else
                                 _MSG("more", n=more) if more else "")
            raise WriteRejected(text)

    # git

    def git(self, *args: str, check: bool = True) -> str:
        return git(self.root, *args, check=check)


def refuse_git_operation(root: Path) -> None:
    """GitError when git is in the middle of an operation or HEAD is detached (read from
    the git folder's files: no git process)."""
    git_dir = gitstate.find_git_dir(root)
    if git_dir is None:
        return
    op = gitstate.operation(git_dir)
    if op is not None:
        raise GitError(gitstate.refusal(git_dir, op))


def git(root: Path, *args: str, check: bool = True, input: str | None = None) -> str:
    """Run git in ``root``; a failure is a GitError with git's own one-line reason."""
    try:
        proc = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True,
                              input=input)
    except FileNotFoundError:
        raise GitError("git is not installed") from None
    if check and proc.returncode != 0:
        reason = (proc.stderr.strip() or proc.stdout.strip()).splitlines()
        raise GitError(f"git {args[0]} failed: {reason[-1] if reason else proc.returncode}")
    return proc.stdout


def open_repo(repo: str | Path | None = None) -> Repo:
    """The repository at ``repo`` (or found from the working folder), set up as a clone
    of hs (:func:`hs.store.clonesetup.ensure`), with the write a killed command left
    finished or undone (unless a writer is at work, or the tree cannot be written: a
    reading command still reads, with one line saying why it could not)."""
    r = Repo(find_root(repo))
    clonesetup.ensure(r.root)
    if journal.pending(r.root):
        try:
            with r.lock(timeout=0):
                pass
        except LockBusy:
            pass  # a writer is at work: the journal is its own
        except HsError as err:
            say(str(err))
    return r


_MSG = Catalog("store.repo")

__all__ = ["Repo", "git", "open_repo", "today"]
