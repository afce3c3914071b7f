"""Git as the audit trail: one commit per change, with a message tools can read.

Every command that changes records ends here. The commit holds exactly the files the
command wrote (``git commit --only -- <paths>``, or the same commit made with git's
plumbing when no hook or setting could tell the difference: "the commit by plumbing"
below), never the user's other uncommitted work, and is authored by the git user as
configured. Its message names the action and the record
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
import hashlib
import os
import re
import subprocess
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from hs import __version__
from hs.base.errors import GitError
from hs.base.i18n import Catalog
from hs.store import faults, gitlock, gitstate

MSG = Catalog("store.gitops")

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
    operation: str | None = None  # a git operation in progress (gitstate.OPERATIONS)
    git_dir: Path | None = None
    top: Path | None = None  # the top folder of the work tree

    @property
    def merging(self) -> bool:
        return self.operation is not None


OWN_COMMIT = "HS_OWN_COMMIT"  # set for hs's own commits: its pre-commit hook skips them


def run(root: Path, *args: str, input: bytes | None = None, check: bool = True,
        env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    """``git args`` in ``root``, bytes in and out (blobs, ``-z`` output): the one way git
    is run to its end (:func:`start` starts one that looks at the tree beside the
    caller's work). Raises GitError when git is not installed and, with ``check``, when
    the command fails (with the last line git wrote)."""
    try:
        proc = subprocess.run(["git", *args], cwd=root, capture_output=True, input=input,
                              env=env)
    except FileNotFoundError:
        raise GitError(MSG("no-git")) from None
    if check and proc.returncode != 0:
        said = (proc.stderr.decode("utf-8", "replace").strip()
                or proc.stdout.decode("utf-8", "replace").strip()).splitlines()
        raise GitError(MSG("failed", cmd=next((a for a in args if not a.startswith("-")),
                                              "git"),
                           reason=said[-1] if said else proc.returncode))
    return proc


def _run(root: Path, *args: str, input: str | None = None, check: bool = True,
         env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """:func:`run` with text in and out."""
    proc = run(root, *args, input=None if input is None else input.encode("utf-8"),
               check=check, env=env)
    return subprocess.CompletedProcess(proc.args, proc.returncode,
                                       proc.stdout.decode("utf-8", "replace"),
                                       proc.stderr.decode("utf-8", "replace"))


def state(root: Path) -> GitState:
    try:
        proc = _run(root, "rev-parse", "--is-inside-work-tree", "--git-dir",
                    "--show-toplevel", check=False)
    except GitError:
        return GitState(available=False, repo=False)
    out = proc.stdout.splitlines()
    if proc.returncode != 0 or not out or out[0] != "true":
        return GitState(available=True, repo=False)
    git_dir = Path(out[1]) if len(out) > 1 else Path(".git")
    if not git_dir.is_absolute():
        git_dir = root / git_dir
    top = Path(out[2]) if len(out) > 2 else root
    return GitState(available=True, repo=True, operation=gitstate.operation(git_dir),
                    git_dir=git_dir, top=top)


def preflight(root: Path, commit: bool) -> GitState:
    """Check, before anything is written, that the change can be recorded on a branch.

    Raises GitError when git is in the middle of an operation (a rebase, a merge, ... or
    a detached HEAD: :mod:`hs.store.gitstate`), when git's index is locked
    (:mod:`hs.store.gitlock`, which removes a stale lock) or, with ``commit``, when no
    author identity is configured. Also with ``commit`` false: staging a change in the
    middle of a rebase would mix it into the rebase."""
    st = state(root)
    if not st.repo or st.git_dir is None:
        return st
    if st.operation is not None:
        raise GitError(gitstate.refusal(st.git_dir, st.operation))
    gitlock.check(st.top or root, st.git_dir)
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
    return status(root, paths) or []


def status(root: Path, paths: Sequence[str]) -> list[str] | None:
    """Which of ``paths`` have uncommitted changes now (modified, staged, deleted, not
    tracked: what ``git status`` names); None if git could not tell."""
    if not paths:
        return []
    # --no-optional-locks: git's refreshed index is not written (that would be a new index
    # file, and the next read would list it again: hs.store.ownwrite)
    proc = _run(root, "--no-optional-locks", "status", "--porcelain", "-z",
                "--untracked-files=all", "--", *paths, check=False)
    if proc.returncode != 0:
        return None
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
    return record_text(root, paths, message.text(), commit)


def record_text(root: Path, paths: Sequence[str], message: str,
                commit: bool = True, clean: Collection[str] = ()) -> str | None:
    """:func:`record` with the message's text. The commit runs with ``HS_OWN_COMMIT``
    set: the change was validated before it was written, so hs's pre-commit hook does
    not check the tree again (a hook that was there before hs's still runs).

    ``clean``: paths the caller knows git tracks and held unchanged before the write (git
    status named none of them, and each existed). ``git commit --only`` stages such a
    file itself (and, only when the commit is made, in git's index too), so they are not
    ``git add``-ed first: that would read and write the whole index once more (0.05 s on
    a 50,000-file tree). A new file, or one with changes of its own, is added first. The
    commit by plumbing (below) puts every file in git's index first (``git
    update-index`` for the clean ones, ``git add`` for the others), then commits."""
    removes = any(not os.path.lexists(os.path.join(root, p)) for p in paths)
    old = _plumbing_head(root) if commit and paths and not removes else None
    if old is not None:  # in git's index after this, committed or not (a removal: porcelain)
        sha = _commit_by_plumbing(root, paths, message, old, clean)
        return sha if sha is not None else _commit(root, paths, message)
    to_add = [p for p in paths if p not in clean] if commit else list(paths)
    gone = [p for p in to_add if not os.path.lexists(os.path.join(root, p))]
    if gone:  # removed by the write (hs undo): staged as removed, also a second time
        _run(root, "rm", "-q", "--cached", "--ignore-unmatch", "--", *gone)
        to_add = [p for p in to_add if p not in gone]
    if to_add:
        _run(root, "add", "--", *to_add)
    if not commit:
        return None
    faults.point("staged")
    return _commit(root, paths, message)


def _commit(root: Path, paths: Sequence[str], message: str) -> str:
    """``git commit --only`` of ``paths`` (see :func:`record_text`)."""
    proc = _run(root, "commit", "-q", "--cleanup=verbatim", "-F", "-", "--only", "--",
                *paths, input=message, check=False, env={**os.environ, OWN_COMMIT: "1"})
    if proc.returncode != 0:
        reason = (proc.stderr.strip() or proc.stdout.strip()).splitlines()
        raise GitError(MSG("failed", cmd="commit",
                           reason=reason[-1] if reason else f"exit {proc.returncode}"))
    return head_commit(root)


# --- the commit by plumbing ---------------------------------------------------------------
#
# ``git commit --only`` refreshes git's index before it commits: one lstat() of every
# tracked file (49,000 of them in the 50,000-record benchmark tree, 0.15-0.3 s), with no
# option to skip it. A commit of hs's own needs none of that: it knows the few files it
# wrote. So, when nothing could tell the two apart, the commit is made with git's plumbing
# instead, to the same effect: the files are added to git's index (``git add``, as
# before a porcelain commit), their blobs' IDs asked (``git hash-object``), the trees on
# their way from the top read from HEAD (``git cat-file --batch``: only those), changed
# in Python and written (``git mktree --batch``), then ``git commit-tree`` with the
# message as given and ``git update-ref HEAD NEW OLD`` (which refuses if HEAD moved: a
# compare-and-swap) with the reflog line ``git commit`` writes. The commit holds HEAD's
# tree with exactly these files changed, never the user's other staged work; git's index
# holds the files' new content, as after ``git commit --only``.
#
# The porcelain commit is used instead whenever it could do something the plumbing does
# not: a hook that would run (any of pre-commit, prepare-commit-msg, commit-msg and
# post-commit, in the hooks folder or ``core.hooksPath``, or a ``hook.*`` setting; hs's
# own pre-commit hook does not count, as it exits at once for hs's commits, unless a
# ``pre-commit.local`` beside it would run), signed commits (``commit.gpgSign``), a first
# commit, a records tree below the top of the work tree or in a linked work tree, a
# commit that would change nothing (git's own refusal says so). ``git gc --auto``, which
# ``git commit`` runs after committing, is left to the user's next git command that runs
# it (pull, merge, commit).

_COMMIT_HOOKS = ("pre-commit", "prepare-commit-msg", "commit-msg", "post-commit")
_HS_HOOK = "# hs pre-commit hook"  # hs.store.clonesetup.SIGNATURE (which imports this)
_TRUE = ("true", "yes", "on", "1")


def _plumbing_head(root: Path) -> str | None:
    """HEAD's commit when the commit can be made with plumbing (see above), else None."""
    git_dir = os.path.join(root, ".git")
    if not os.path.isdir(git_dir):
        return None  # not the top of the work tree, or a linked work tree
    proc = run(root, "config", "-z", "--get-regexp",
               r"^(core\.hookspath|commit\.gpgsign|hook\..*)$", check=False)
    hooks = os.path.join(git_dir, "hooks")
    for item in proc.stdout.decode("utf-8", "replace").split("\0"):
        key, _, value = item.partition("\n")
        if key.startswith("hook."):
            return None
        if key == "commit.gpgsign" and value.strip().lower() in _TRUE:
            return None
        if key == "core.hookspath" and value:
            hooks = os.path.join(root, os.path.expanduser(value))
    for name in _COMMIT_HOOKS:
        hook = os.path.join(hooks, name)
        if not os.access(hook, os.X_OK) or os.path.isdir(hook):
            continue
        if name != "pre-commit" or os.access(hook + ".local", os.X_OK):
            return None
        try:
            with open(hook, encoding="utf-8", errors="replace") as fh:
                if _HS_HOOK not in fh.read(4096):
                    return None
        except OSError:
            return None
    return _head_or_none(root)


def _head_or_none(root: Path) -> str | None:
    """The commit HEAD names, None when there is none yet (or git cannot say)."""
    try:
        return head_commit(root)
    except GitError:
        return None


def _commit_by_plumbing(root: Path, paths: Sequence[str], message: str, old: str,
                        clean: Collection[str]) -> str | None:
    """Commit ``paths`` on top of ``old`` with plumbing (see above): the new commit, or
    None when it must be left to ``git commit`` (nothing of the branch changed then;
    the files may be in git's index already, as ``git add`` puts them before a porcelain
    commit). ``clean``: as for :func:`record_text`; these are added with ``git
    update-index`` (a tracked file: no ignore rules to apply), the others with ``git
    add``."""
    tracked = [p for p in paths if p in clean]
    other = [p for p in paths if p not in clean]
    if tracked:
        _run(root, "update-index", "--", *tracked)
    if other:
        _run(root, "add", "--", *other)
    faults.point("staged")
    blobs = _run(root, "hash-object", "--", *paths).stdout.split()
    if len(blobs) != len(paths) or any(len(b) != 40 for b in blobs):
        return None  # not SHA-1 object IDs: git commit decides
    changes: dict[tuple[str, ...], dict[bytes, tuple[bytes, bytes]]] = {}
    for rel, blob in zip(paths, blobs, strict=True):
        parts = rel.replace(os.sep, "/").split("/")
        changes.setdefault(tuple(parts[:-1]), {})[parts[-1].encode()] = (
            b"", bytes.fromhex(blob))  # the mode: the file's in HEAD, else 100644
    folders = {folder[:depth] for folder in changes for depth in range(len(folder) + 1)}
    order = sorted(folders, key=len, reverse=True)  # the deepest first
    read = _read_trees(root, old, order)
    if read is None:
        return None
    bodies, old_root = read
    new_trees: list[tuple[bytes, bytes]] = []  # (ID, body), the deepest first
    ids: dict[tuple[str, ...], bytes] = {}
    for folder in order:
        edits = dict(changes.get(folder, {}))
        for sub, sub_id in ids.items():
            if len(sub) == len(folder) + 1 and sub[:-1] == folder:
                edits[sub[-1].encode()] = (_TREE, sub_id)
        if any(not mode and os.access(os.path.join(root, *folder, name.decode()), os.X_OK)
               for name, (mode, _) in edits.items()):
            return None  # an executable file: git's core.fileMode decides its mode
        body = _edit_tree(bodies[folder], edits)
        if body is None:
            return None
        ids[folder] = hashlib.sha1(b"tree %d\0" % len(body) + body).digest()
        new_trees.append((ids[folder], body))
    if ids[()] == old_root:
        return None  # nothing to commit: git commit says so
    if not _write_trees(root, new_trees):
        return None
    sha = _run(root, "commit-tree", ids[()].hex(), "-p", old, input=message
               ).stdout.strip()
    subject = message.split("\n", 1)[0]
    _run(root, "update-ref", "-m", f"commit: {subject}", "HEAD", sha, old)
    return sha


_TREE = b"40000"
_FILE_MODES = (b"100644", b"100755")


def _edit_tree(body: bytes, edits: dict[bytes, tuple[bytes, bytes]]) -> bytes | None:
    """A tree object's body (``MODE NAME\\0ID`` entries, 20-byte IDs, in git's order) with
    the entries of ``edits`` (name -> mode, binary ID; an empty mode: a file's, as it is
    in the tree, else 100644) put in. An entry that is there gets its new ID in place;
    new entries make the tree sorted again. None when a name changes its kind (a file
    where the tree has a folder, a link or a submodule, or the other way)."""
    found: dict[bytes, int] = {}
    i, n = 0, len(body)
    index = body.index
    while i < n:
        space = index(b" ", i)
        nul = index(b"\0", space)
        name = body[space + 1:nul]
        if name in edits:
            mode, _ = edits[name]
            was = body[i:space]
            if (was == _TREE) != (mode == _TREE) or (mode != _TREE and was not in _FILE_MODES):
                return None
            found[name] = nul + 1
        i = nul + 21
    if i != n:
        return None
    if len(found) == len(edits):  # the usual case: files that are there, changed
        out = bytearray(body)
        for name, at in found.items():
            out[at:at + 20] = edits[name][1]
        return bytes(out)
    entries: dict[bytes, tuple[bytes, bytes]] = {}
    i = 0
    while i < n:
        space = index(b" ", i)
        nul = index(b"\0", space)
        entries[body[space + 1:nul]] = (body[i:space], body[nul + 1:nul + 21])
        i = nul + 21
    for name, (mode, oid) in edits.items():
        entries[name] = (mode or entries.get(name, (b"100644", b""))[0], oid)
    listed = sorted(entries.items(),
                    key=lambda e: e[0] + b"/" if e[1][0] == _TREE else e[0])
    return b"".join(mode + b" " + name + b"\0" + oid for name, (mode, oid) in listed)


def _read_trees(root: Path, commit: str, folders: Sequence[tuple[str, ...]]
                ) -> tuple[dict[tuple[str, ...], bytes], bytes] | None:
    """The body of each folder's tree in ``commit``, read in one ``git cat-file --batch``,
    and the ID of its top tree; a folder the commit lacks is an empty tree. None when git
    answers something this reading does not understand."""
    asked = "".join(f"{commit}:{'/'.join(folder)}\n" for folder in folders)
    out = run(root, "cat-file", "--batch", input=asked.encode()).stdout
    trees: dict[tuple[str, ...], bytes] = {}
    top = b""
    at = 0
    for folder in folders:
        end = out.find(b"\n", at)
        head = out[at:end].split()
        at = end + 1
        if head[-1:] == [b"missing"] and folder:
            trees[folder] = b""
            continue
        if len(head) != 3 or head[1] != b"tree" or len(head[0]) != 40:
            return None
        if not folder:
            top = bytes.fromhex(head[0].decode())
        size = int(head[2])
        trees[folder] = out[at:at + size]
        at += size + 1
    return trees, top


def _write_trees(root: Path, trees: Sequence[tuple[bytes, bytes]]) -> bool:
    """Write the trees (ID, body) as git objects, one ``git hash-object -w -t tree`` each,
    side by side; True when git gave each the ID computed here."""
    procs = []
    try:
        for _tree in trees:
            procs.append(subprocess.Popen(
                ["git", "hash-object", "-w", "-t", "tree", "--stdin"], cwd=root,
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL))
        said = [proc.communicate(body)[0].strip() for proc, (_, body)
                in zip(procs, trees, strict=True)]
    except OSError:
        for proc in procs:
            proc.kill()
            proc.wait()
        return False
    return all(proc.returncode == 0 for proc in procs) and \
        said == [oid.hex().encode() for oid, _ in trees]


def head_commit(root: Path) -> str:
    """The commit HEAD names: read from the branch's file under ``.git`` (a branch just
    committed to has one: git writes a loose ref), else asked of git (a linked work tree,
    packed refs, another ref storage)."""
    git_dir = os.path.join(root, ".git")
    try:
        with open(os.path.join(git_dir, "HEAD"), encoding="utf-8") as fh:
            head = fh.read().strip()
        if head.startswith("ref: refs/heads/"):
            with open(os.path.join(git_dir, *head[5:].split("/")), encoding="utf-8") as fh:
                sha = fh.read().strip()
            if len(sha) in (40, 64) and all(c in "0123456789abcdef" for c in sha):
                return sha
    except (OSError, UnicodeDecodeError):
        pass
    return _run(root, "rev-parse", "HEAD").stdout.strip()


def unstage(root: Path, paths: Sequence[str]) -> None:
    """Put the index entries of ``paths`` back as in HEAD (after a failed commit)."""
    head = _run(root, "rev-parse", "--verify", "--quiet", "HEAD", check=False)
    if head.returncode == 0:
        _run(root, "reset", "-q", "--", *paths, check=False)
    else:
        _run(root, "rm", "-q", "--cached", "--ignore-unmatch", "--", *paths, check=False)


__all__ = ["OWN_COMMIT", "CommitMessage", "GitState", "ParsedMessage", "dirty", "head_commit",
           "init", "parse_message", "preflight", "record", "record_text", "run", "state",
           "status", "unstage"]


# --- what changed in the working tree ---------------------------------------------------
#
# Reading a large records tree starts by finding the files that changed since the cache was
# written. Asking git is cheaper than one stat() per file from Python: git keeps the stat
# data of every tracked file in its index and compares them in C, in several threads
# (``diff-files``). Whether the index itself changed is told by the index file's own
# signature, and when it did, by the listing of every tracked file with its blob ID
# (``ls-files --stage``). These commands run with no GIT_* location variables, so a hook's
# environment cannot point them at another repository, and take no lock, so a user's git
# command never finds the index busy because of hs. Files git does not track are not
# asked of git: the caller finds them in the folders whose modification time changed.

_LOCATION_VARS = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_COMMON_DIR",
                  "GIT_OBJECT_DIRECTORY", "GIT_NAMESPACE", "GIT_ALTERNATE_OBJECT_DIRECTORIES",
                  "GIT_PREFIX")
_PLAIN_MODES = ("100644", "100755")
_LS_ENTRY = re.compile(r"([^ \0]+) ([0-7]+) ([0-9a-f]+) ([0-3])\t([^\0]*)\0")


def _git_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in _LOCATION_VARS}


def start(root: Path | str, *args: str, stdout: int | IO[bytes] = subprocess.PIPE
          ) -> subprocess.Popen[bytes]:
    """``git args`` started to look at the tree at ``root`` while the caller works on:
    taking no optional lock (it writes no refreshed index), without the variables that
    point git elsewhere (a hook's GIT_DIR, GIT_INDEX_FILE...). Raises OSError when git
    cannot be started."""
    return subprocess.Popen(["git", "--no-optional-locks", "-C", str(root), *args],
                            stdin=subprocess.DEVNULL, stdout=stdout,
                            stderr=subprocess.DEVNULL, env=_git_env())


def stop(proc: subprocess.Popen[bytes]) -> None:
    """End a git started by :func:`start` that is no longer wanted (and reap it)."""
    if proc.poll() is None:
        proc.kill()
    proc.communicate()


def is_top(root: Path | str) -> bool:
    """Whether ``root`` is the top folder of a git work tree (it holds ``.git``)."""
    return os.path.exists(os.path.join(root, ".git"))


def index_signature(root: Path | str) -> tuple[int, int, int] | None:
    """Inode, size and modification time of the repository's index file (None if there is
    none, or ``.git`` is a file, as in a linked work tree): while it stays the same, so
    does every blob ID the index holds."""
    try:
        st = os.stat(os.path.join(root, ".git", "index"))
    except OSError:
        return None
    return st.st_ino, st.st_size, st.st_mtime_ns


class PendingChanges:
    """``git diff-files`` running (see :func:`start_changes`); :meth:`wait` for it."""

    def __init__(self, proc: subprocess.Popen[bytes]):
        self._proc = proc

    def wait(self) -> frozenset[str] | None:
        """The tracked files (paths from the repository root) whose content may differ
        from the index: modified, deleted, changed type. None if git failed."""
        try:
            out, _ = self._proc.communicate(timeout=120)
        except (OSError, subprocess.SubprocessError):
            self._proc.kill()
            self._proc.wait()
            return None
        if self._proc.returncode != 0:
            return None
        return frozenset(os.fsdecode(p) for p in out.split(b"\0") if p)

    def cancel(self) -> None:
        stop(self._proc)


def start_changes(root: Path, folder: str) -> PendingChanges | None:
    """Start asking git which tracked files under ``root/folder`` changed since the index;
    None when ``root`` is not the top of a git work tree or git cannot be started."""
    if not is_top(root):
        return None
    try:
        proc = start(root, "diff-files", "--name-only", "-z", "--relative", "--", folder)
    except OSError:
        return None
    return PendingChanges(proc)


@dataclass(frozen=True)
class Tracked:
    """Every file git tracks under a folder, from ``git ls-files --stage -v``.

    ``digest`` identifies the whole listing (paths, modes, blob IDs): equal digests mean the
    index holds the same content for every tracked file. ``blobs`` maps the path of each
    plain file (stage 0, no special flag) to its blob ID; ``other`` lists the remaining
    entries (symbolic links, conflicts, files marked assume-unchanged or skip-worktree),
    which only a look at the file can settle."""

    digest: bytes
    blobs: dict[str, str]
    other: list[str]


class PendingListing:
    """``git ls-files`` running (see :func:`start_tracked`); :meth:`wait` for it."""

    def __init__(self, proc: subprocess.Popen[bytes] | None, out: IO[bytes] | None = None):
        self._proc = proc
        self._out = out

    def wait(self) -> Tracked | None:
        """What :func:`tracked` returns."""
        proc, out = self._proc, self._out
        if proc is None or out is None:
            return None
        try:
            proc.wait(timeout=120)
            if proc.returncode != 0:
                return None
            out.seek(0)
            return _listing(out.read())
        except (OSError, subprocess.SubprocessError):
            proc.kill()
            proc.wait()
            return None
        finally:
            out.close()


def start_tracked(root: Path, folder: str) -> PendingListing:
    """Start listing the tracked files under ``root/folder``, so that git works while the
    caller reads files; :meth:`PendingListing.wait` gives what :func:`tracked` gives. The
    listing goes to a temporary file, not a pipe: a pipe holds 64 kB, and git would wait
    for the caller to read the rest (4 MB for 50,000 files)."""
    import tempfile  # lazy: 5 ms to import, and only a cold read lists

    out: IO[bytes] | None = None
    try:
        out = tempfile.TemporaryFile()  # noqa: SIM115 (closed by PendingListing.wait)
        proc = start(root, "ls-files", "--stage", "-v", "-z", "--", folder, stdout=out)
    except OSError:
        if out is not None:
            out.close()
        return PendingListing(None)
    return PendingListing(proc, out)


def tracked(root: Path, folder: str) -> Tracked | None:
    """The tracked files under ``root/folder``; None if git fails, or the listing holds a
    submodule or object IDs that are not SHA-1 (then the caller looks at every file)."""
    return start_tracked(root, folder).wait()


def _listing(raw: bytes) -> Tracked | None:
    """``git ls-files --stage -v -z`` read (see :func:`tracked`)."""
    text = raw.decode("utf-8", "surrogateescape")  # as os.fsdecode does
    found = _listing_usual(text)
    if found is None:
        found = _listing_fast(text)
    if found is None:
        found = _listing_exact(text)
        if found is None:
            return None
    return Tracked(hashlib.blake2b(raw, digest_size=16).digest(), *found)


def _listing_exact(text: str) -> tuple[dict[str, str], list[str]] | None:
    """The plain files' blob IDs and the other paths of a listing, entry by entry through
    the pattern; None for a listing this reading does not understand."""
    entries = _LS_ENTRY.findall(text)
    if text.count("\0") != len(entries):
        return None  # a line this reading does not understand
    blobs: dict[str, str] = {}
    other: list[str] = []
    for tag, mode, blob, stage, path in entries:
        if mode == "160000" or len(blob) != 40:
            return None
        if tag == "H" and stage == "0" and mode in _PLAIN_MODES:
            blobs[path] = blob
        else:
            other.append(path)
    return blobs, other


_USUAL = re.compile("H 100(?:644|755) ([0-9a-f]{40}) 0\t([^\0]*)\0")
_USUAL_WIDTH = 53  # the characters of an entry besides its path


def _listing_usual(text: str) -> tuple[dict[str, str], list[str]] | None:
    """What :func:`_listing_exact` gives, when every entry is a plain file with no flag
    and no conflict (tag ``H``, stage 0): one pass of a pattern in C, a third faster than
    :func:`_listing_fast`; None for anything else. The matches must tile the text, one
    an entry: as many as entries, and as long together as the text (a match inside an
    odd path cannot pass for an entry)."""
    found = _USUAL.findall(text)
    if len(found) != text.count("\0") or \
            _USUAL_WIDTH * len(found) + sum(len(path) for _, path in found) != len(text):
        return None
    return {path: blob for blob, path in found}, []


_FAST_MODES = frozenset(("100644", "100755", "120000"))
_HEX = re.compile(r"[0-9a-f]*")


def _listing_fast(text: str) -> tuple[dict[str, str], list[str]] | None:
    """What :func:`_listing_exact` gives, when every entry has the usual shape (a one-letter
    tag, a plain file's or a link's mode, a SHA-1, a stage, a path: read at fixed places,
    with no pattern to match, in a third of the time; a large tree's every command after a
    commit lists the index); None for anything else (then the pattern decides)."""
    entries = text.split("\0")
    if entries.pop() != "":
        return None
    blobs: dict[str, str] = {}
    other: list[str] = []
    ids: list[str] = []
    plain, fast_modes = _PLAIN_MODES, _FAST_MODES
    for e in entries:
        if len(e) < 53 or e[1] != " " or e[8] != " " or e[49] != " " or e[51] != "\t" \
                or e[0] == " " or e[2:8] not in fast_modes or e[50] not in "0123":
            return None
        blob = e[9:49]
        ids.append(blob)
        if e[0] == "H" and e[50] == "0" and e[2:8] in plain:
            blobs[e[52:]] = blob
        else:
            other.append(e[52:])
    if _HEX.fullmatch("".join(ids)) is None:
        return None
    return blobs, other


def blob_id(data: bytes) -> str:
    """The ID git gives a file with these bytes (SHA-1 of ``blob <size>\\0<data>``)."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()
