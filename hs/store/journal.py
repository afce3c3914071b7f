"""The write journal: an interrupted write is finished or undone by the next hs command.

A command writes its record files and commits them; killed in between (a power cut, a
``kill -9``, a full disk), the files would hold a change that no commit holds, and a later
command would fold it into its own commit, under its own message. So, under the tree's
lock (:meth:`hs.store.repo.Repo.lock`), a write goes:

1. :func:`begin` writes ``.hs/write-journal`` (whole or not at all, fsynced): the command's
   action, its commit message, and for every file it will write the bytes it held before
   (none for a new file) and the git blob ID of the bytes it will hold. Only then is a
   record file touched. The old file is also kept as a hard link ``.hs/write-undo/N`` (no
   space needed), so that an undo works on a full disk.
2. The files are written (:func:`hs.store.atomic.write_atomic`) and committed.
3. :func:`end` removes the journal and the links.

A command that fails on the way undoes what it wrote itself (:func:`undo`) and removes
the journal; if even the undo fails (the disk is full), it renames the journal to
``.hs/write-journal.undo`` and says so. The next hs command (:func:`recover`, run when the lock
is taken and when a repository is opened) then finds the journal:

* every file holds what the command meant to write, and the journal was not marked for
  undo (the process was killed after writing): the change is **finished**, committed
  under the original command's message (nothing to do if that commit was made already);
* otherwise (killed halfway, or marked for undo) it is **undone**: every file that holds
  the new bytes gets its old bytes back (a new file is removed) and its staged change is
  taken out of git's index. A file that was changed since by someone else is left alone.

Either way one line on stderr says which, and the temporary files the killed process
left (``.NAME.PID.tmp`` beside the files it wrote) are removed. The journal holds the
old content of the files it names (personal data, as the files do) only while a write
runs, inside ``.hs/`` (ignored by git, readable by its owner only).
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from hs.base import portable
from hs.base.errors import GitError, HsError, WriteRejected
from hs.base.i18n import Catalog
from hs.store import faults, gitops
from hs.store.atomic import TMP_SUFFIX, why, write_atomic
from hs.store.cache import CACHE_DIR, ignore_cache_dir
from hs.store.notice import say

JOURNAL = "write-journal"
UNDO = "write-journal.undo"
NEW = "write-journal.new"  # the journal being written (a kill there left nothing else)
LINKS = "write-undo"
REMOVED = ""  # the blob ID a file removed by the write "will hold"

MSG = Catalog("store.journal")


@dataclass(frozen=True)
class FileIntent:
    """One file of a write: where, what it held before (None: no file), and the blob ID
    of what it will hold."""

    rel: str
    before: bytes | None
    after: str  # "" (REMOVED): the write removes the file
    dirty: bool = False  # it had uncommitted changes before the write


@dataclass(frozen=True)
class Intent:
    """What a write is about to do (the journal's content)."""

    action: str
    subject: str
    message: str | None  # the commit message; None outside git
    commit: bool  # commit (else only stage)
    files: tuple[FileIntent, ...]

    def to_json(self) -> str:
        return json.dumps({
            "version": 1, "pid": os.getpid(), "action": self.action,
            "subject": self.subject, "message": self.message, "commit": self.commit,
            "files": [{"rel": f.rel, "after": f.after, "dirty": f.dirty,
                       "before": None if f.before is None
                       else base64.b64encode(f.before).decode("ascii")}
                      for f in self.files]})

    @staticmethod
    def from_json(text: str) -> Intent:
        raw = json.loads(text)
        files = tuple(FileIntent(str(f["rel"]),
                                 None if f["before"] is None
                                 else base64.b64decode(f["before"]),
                                 str(f["after"]), bool(f.get("dirty")))
                      for f in raw["files"])
        for f in files:
            if f.rel.startswith("/") or ".." in f.rel.split("/"):
                raise ValueError(f.rel)
        return Intent(str(raw["action"]), str(raw["subject"]), raw["message"],
                      bool(raw["commit"]), files)


def _dir(root: Path) -> Path:
    return root / CACHE_DIR


def pending(root: Path) -> bool:
    """Whether a journal is there (two ``stat`` calls)."""
    folder = _dir(root)
    return any((folder / name).exists() for name in (JOURNAL, UNDO, NEW))


def begin(root: Path, intent: Intent) -> None:
    """Write the journal (before any record file); WriteRejected if it cannot be."""
    folder = _dir(root)
    new = folder / NEW
    try:
        folder.mkdir(exist_ok=True)
        ignore_cache_dir(root)
        fd = os.open(new, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with open(fd, "wb") as fh:
            fh.write(intent.to_json().encode("utf-8"))
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(new, folder / JOURNAL)
        _sync(folder)
    except OSError as exc:
        with contextlib.suppress(OSError):
            new.unlink()
        raise WriteRejected(MSG("no-journal", path=folder / JOURNAL, why=why(exc))) from None
    faults.point("journal")


def _sync(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def keep_old(root: Path, index: int, path: Path) -> None:
    """Keep the file about to be replaced as a hard link ``.hs/write-undo/N`` (best effort: a
    file system without hard links undoes from the journal's copy)."""
    links = _dir(root) / LINKS
    try:
        links.mkdir(exist_ok=True)
        link = links / str(index)
        link.unlink(missing_ok=True)
        os.link(path, link)
    except OSError:
        pass


def end(root: Path) -> None:
    """The write is done (or wholly undone): remove the journal and the links."""
    folder = _dir(root)
    for name in (JOURNAL, UNDO, NEW):
        with contextlib.suppress(OSError):
            (folder / name).unlink()
    _drop_links(root)


def give_up(root: Path) -> None:
    """The write failed and its undo did too: the next command must undo it."""
    with contextlib.suppress(OSError):
        os.replace(_dir(root) / JOURNAL, _dir(root) / UNDO)


def _drop_links(root: Path) -> None:
    links = _dir(root) / LINKS
    try:
        names = os.listdir(links)
    except OSError:
        return
    for name in names:
        with contextlib.suppress(OSError):
            (links / name).unlink()


def _restore(root: Path, index: int, f: FileIntent) -> None:
    """Put a file's old bytes back (remove a new file); OSError if that fails."""
    path = root / f.rel
    if f.before is None:
        path.unlink(missing_ok=True)
        return
    link = _dir(root) / LINKS / str(index)
    try:
        if link.read_bytes() == f.before:
            os.replace(link, path)  # no new space needed: the old file comes back
            return
    except OSError:
        pass
    write_atomic(path, f.before, durable=True, keep_mode=True, os_errors=True)


def undo(root: Path, intent: Intent, git: bool) -> str | None:
    """Undo a write that failed in this process: every file that holds the new bytes gets
    its old bytes back, and (in git) the files that had no changes before are taken out of
    the index again. Returns None when all is undone, else what to tell the user (and the
    journal is kept for the next command)."""
    problem = None
    for i, f in enumerate(intent.files):
        state = _state(root, f)
        if state != "after":
            continue
        try:
            _restore(root, i, f)
        except OSError as exc:
            problem = problem or MSG("undo-failed", path=f.rel, why=why(exc))
    if git and problem is None:
        try:
            _unstage(root, intent)
        except GitError as err:
            problem = MSG("unstage-failed", why=err.message)
    if problem is None:
        end(root)
    else:
        give_up(root)
    return problem


def _unstage(root: Path, intent: Intent) -> None:
    """Take the files this write staged out of git's index again: those whose index
    entry is the new blob, unless they had changes before (then they are left)."""
    mine = {f.rel: f.after for f in intent.files if not f.dirty}
    if not mine:
        return
    listed = gitops.run(root, "ls-files", "-s", "-z", "--", *mine)
    paths = []
    staged = set()
    for entry in listed.stdout.split(b"\0"):
        meta, _, path = entry.partition(b"\t")
        rel = os.fsdecode(path)
        staged.add(rel)
        if rel in mine and meta.split()[1].decode("ascii") == mine[rel]:
            paths.append(rel)
    # a removal staged: the file is gone from the index
    paths.extend(rel for rel, after in mine.items() if after == REMOVED and rel not in staged)
    if not paths:
        return
    head = gitops.run(root, "rev-parse", "--verify", "--quiet", "HEAD", check=False)
    if head.returncode == 0:
        gitops.run(root, "reset", "-q", "--", *paths)
    else:
        gitops.run(root, "rm", "-q", "--cached", "--ignore-unmatch", "--", *paths)


def _state(root: Path, f: FileIntent) -> str:
    """``after`` (holds the new bytes), ``before`` (the old ones) or ``other``."""
    try:
        now: bytes | None = (root / f.rel).read_bytes()
    except FileNotFoundError:
        now = None
    except OSError:
        return "other"
    if now is not None and gitops.blob_id(now) == f.after:
        return "after"
    if now is None and f.after == REMOVED:
        return "after"
    return "before" if now == f.before else "other"


def recover(root: Path) -> None:
    """Finish or undo the write a killed (or failed) command left (see above). Call
    under the tree's lock. Raises HsError when git refuses the commit or the undo (the
    journal stays, for the next command)."""
    folder = _dir(root)
    with contextlib.suppress(OSError):
        (folder / NEW).unlink()  # killed while writing the journal: nothing else was
    marked = (folder / UNDO).exists()
    source = folder / (UNDO if marked else JOURNAL)
    try:
        intent = Intent.from_json(source.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return
    except (OSError, ValueError, KeyError, TypeError):
        with contextlib.suppress(OSError):
            source.unlink()
        say(MSG("unreadable", path=source))
        return
    _clean_temporary(root, intent)
    git = intent.message is not None
    states = [_state(root, f) for f in intent.files]
    if not marked and intent.files and all(s == "after" for s in states):
        _finish(root, intent)
        end(root)
        return
    left = [f.rel for f, s in zip(intent.files, states, strict=True) if s == "other"]
    for i, (f, s) in enumerate(zip(intent.files, states, strict=True)):
        if s == "after":
            try:
                _restore(root, i, f)
            except OSError as exc:
                raise HsError(MSG("pending", reason=f"{f.rel}: {why(exc)}")) from None
    if git:
        try:
            _unstage(root, Intent(intent.action, intent.subject, intent.message,
                                  intent.commit,
                                  tuple(f for f in intent.files if f.rel not in left)))
        except GitError as err:
            raise HsError(MSG("pending", reason=err.message)) from None
    end(root)
    line = MSG("undone", subject=intent.subject)
    if left:
        line += MSG("left", n=len(left), paths=", ".join(left))
    say(line)


def _finish(root: Path, intent: Intent) -> None:
    rels = [f.rel for f in intent.files]
    if intent.message is None:
        say(MSG("finished-plain", subject=intent.subject))
        return
    if intent.commit and _committed(root, intent):
        say(MSG("finished", subject=intent.subject))
        return
    try:
        gitops.record_text(root, rels, intent.message, intent.commit)
    except GitError as err:
        raise HsError(MSG("pending", reason=err.message)) from None
    say(MSG("finished" if intent.commit else "finished-staged", subject=intent.subject))


def _committed(root: Path, intent: Intent) -> bool:
    """Whether HEAD is the commit of this write already (killed after committing)."""
    if intent.message is None:
        return False
    log = gitops.run(root, "log", "-1", "--format=%B", check=False)
    if log.returncode != 0 or \
            log.stdout.decode("utf-8", "replace").strip() != intent.message.strip():
        return False
    rels = [f.rel for f in intent.files]
    listed = gitops.run(root, "ls-tree", "-z", "HEAD", "--", *rels, check=False)
    blobs = {}
    for entry in listed.stdout.split(b"\0"):
        meta, _, path = entry.partition(b"\t")
        if path:
            blobs[os.fsdecode(path)] = meta.split()[-1].decode("ascii")
    return all(blobs.get(f.rel, REMOVED) == f.after for f in intent.files)


def _clean_temporary(root: Path, intent: Intent) -> None:
    """Remove the temporary files a killed write left beside the files it wrote, and in
    ``.hs/`` (the journal's own)."""
    folders = {(root / f.rel).parent for f in intent.files} | {_dir(root)}
    for folder in folders:
        try:
            names = os.listdir(folder)
        except OSError:
            continue
        for name in names:
            if is_temporary(name):
                with contextlib.suppress(OSError):
                    (folder / name).unlink()


def is_temporary(name: str) -> bool:
    """Whether a file name is one of write_atomic's temporary files (``.NAME.PID.tmp``)
    of a process that is gone."""
    if not (name.startswith(".") and name.endswith(TMP_SUFFIX)):
        return False
    stem = name[1:-len(TMP_SUFFIX)]
    _, dot, pid = stem.rpartition(".")
    if not dot or not pid.isdigit():
        return False
    return int(pid) == os.getpid() or not portable.pid_alive(int(pid))


def intent_of(root: Path, action: str, subject: str, message: str | None, commit: bool,
              files: Sequence[tuple[str, bytes | None, bytes | None]],
              dirty: Sequence[str] = ()) -> Intent:
    """An :class:`Intent` from (path, old bytes, new bytes) triples (new None: the file
    is removed)."""
    return Intent(action, subject, message, commit,
                  tuple(FileIntent(rel, before,
                                   REMOVED if after is None else gitops.blob_id(after),
                                   rel in dirty)
                        for rel, before, after in files))


__all__ = ["FileIntent", "Intent", "begin", "end", "give_up", "intent_of", "is_temporary",
           "keep_old", "pending", "recover", "undo"]
