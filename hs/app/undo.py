"""`hs undo`: take back the last change hs committed, as one new commit.

A commit is hs's when its message ends in hs's trailers (``Hs-Action:`` and ``Hs-Tool:
hs ...``, :class:`hs.store.gitops.CommitMessage`), which every write of hs gives its
commit and a commit made by hand or a merge does not. The last change can be undone
only while nothing came after it: HEAD is that commit, on a branch (not a detached
HEAD), with one parent (not a merge), and its files have no uncommitted changes. The
undo writes each file of that commit back as its parent held it (a file the commit made
is removed), validated, through the journaled write of every hs change
(:func:`hs.store.transaction.write_change`), and commits it with ``Hs-Action: undo`` and
``Hs-Undoes: <commit>``: the history keeps both. A batch (``hs visit`` of several
trajectories, an import) is one commit, so one undo takes all of it back. An undo is
itself an hs commit, but ``hs undo`` does not undo an undo: it is refused, saying that
``hs undo --redo`` brings the change back (a commit ``Hs-Action: redo``, subject "redo:
S"); ``hs undo`` after a redo undoes the change again. What is printed is what the
commit says: "undone: S" / "redone: S" (in Dutch the subject itself).

"Nothing came after it" also means: the commit was made on this clone. A commit that came
in by ``hs sync`` (a fast-forward or a merge), a pull, a clone, a reset or a rebase was
not: the branch's reflog, which is local to the clone and never fetched, says how the
branch came to point at HEAD, and only ``commit: ...`` (what both of hs's ways of
committing write, :mod:`hs.store.gitops`) counts as made here. Without a reflog (git's
``core.logAllRefUpdates`` off) nothing can be undone.
"""

from __future__ import annotations

from pathlib import Path

from hs.app.workflow import FileChange, Outcome, Plan, check_plan
from hs.base.errors import GitError, HsError, WriteRejected
from hs.base.i18n import Catalog
from hs.records.ids import KIND_OF_FOLDER
from hs.store import gitops
from hs.store.repo import Repo
from hs.store.transaction import write_change

ACTION = "undo"
REDO_ACTION = "redo"
UNDOES = "Hs-Undoes"

MSG = Catalog("app.undo")

#: How the subject of an undo (``app.undo.undo-subject``) and of a redo
#: (``app.undo.redo-subject``) begins, in every language of hs (a test keeps them equal
#: to the catalogues): an undo of an undo is a redo, whoever's language wrote it.
UNDO_PREFIXES = ("undo: ", "ongedaan gemaakt: ")
REDO_PREFIXES = ("redo: ", "opnieuw gedaan: ")


def original_subject(subject: str) -> str:
    """The subject of the change itself, without an undo's or a redo's prefix."""
    for prefix in (*UNDO_PREFIXES, *REDO_PREFIXES):
        if subject.startswith(prefix):
            return subject[len(prefix):]
    return subject


def is_undo(message: gitops.ParsedMessage) -> bool:
    """The commit is an undo of hs (not a redo: older redos had the action ``undo`` and
    a subject "redo: ...")."""
    return (message.trailers.get(gitops.ACTION) == [ACTION]
            and bool(message.trailers.get(UNDOES))
            and not message.subject.startswith(REDO_PREFIXES))


class UndoRefused(HsError):
    """The last commit cannot be undone (the message says why)."""


def _git(root: Path, *args: str, check: bool = True) -> str:
    proc = gitops.run(root, *args, check=check)
    return proc.stdout.decode("utf-8", "replace") if proc.returncode == 0 else ""


def last_hs_commit(root: Path) -> tuple[str, str, gitops.ParsedMessage]:
    """HEAD's commit, its parent and its message, if it is the last commit of hs with
    nothing after it; else :class:`UndoRefused` saying why."""
    if not gitops.state(root).repo:
        raise UndoRefused(MSG("no-git"))
    if not _git(root, "symbolic-ref", "-q", "HEAD", check=False).strip():
        raise UndoRefused(MSG("detached"))
    line = _git(root, "rev-list", "--parents", "-n", "1", "HEAD", check=False).split()
    if not line:
        raise UndoRefused(MSG("no-commit"))
    sha, parents = line[0], line[1:]
    if len(parents) > 1:
        raise UndoRefused(MSG("merge"))
    message = gitops.parse_message(_git(root, "log", "-1", "--format=%B", sha))
    tool = message.trailers.get(gitops.TOOL, [])
    if not message.trailers.get(gitops.ACTION) or not any(t.startswith("hs ") for t in tool):
        raise UndoRefused(MSG("not-hs", sha=sha[:10]))
    if not parents:
        raise UndoRefused(MSG("first"))
    if not made_here(root, sha):
        raise UndoRefused(MSG("not-here", sha=sha[:10]))
    return sha, parents[0], message


def made_here(root: Path, sha: str) -> bool:
    """The branch points at ``sha`` because a commit on this clone put it there: the last
    entry of the branch's reflog is ``commit: ...`` to ``sha`` (not a merge, a
    fast-forward of ``hs sync`` or a pull, a clone, a reset, a rebase or an amend)."""
    branch = _git(root, "symbolic-ref", "-q", "HEAD", check=False).strip()
    if not branch:
        return False
    last = _git(root, "log", "-g", "-n", "1", "--format=%H%x09%gs", branch,
                check=False).strip()
    got, _, how = last.partition("\t")
    return got == sha and how.startswith("commit: ")


def _changed(root: Path, parent: str, sha: str) -> list[tuple[str, str]]:
    """(status A/M/D, path) of every file the commit changed."""
    raw = gitops.run(root, "diff-tree", "-r", "-z", "--no-renames", "--name-status",
                     parent, sha).stdout.decode("utf-8", "surrogateescape")
    parts = [p for p in raw.split("\0") if p]
    return [(parts[i][0], parts[i + 1]) for i in range(0, len(parts) - 1, 2)]


def _check(p: Plan, files: list[tuple[str, str | None]]) -> None:
    """Each file as it will be must be a valid record; with no file removed, the rules
    across the records around them must hold too (as for any change of hs). A file the
    undo removes was made by the commit undone: the tree goes back to what it was before
    it, which hs had validated."""
    removed = any(text is None for _, text in files)
    for rel, text in files:
        parts = rel.split("/")
        if text is None or len(parts) < 3 or parts[1] not in KIND_OF_FOLDER:
            continue
        kind = KIND_OF_FOLDER[parts[1]]
        rid = parts[-1].removesuffix(".yaml")
        p.files[rel] = FileChange(kind, rid, rel, text, created=False)
    problems = check_plan(p)
    for q in problems:
        if q.severity != "error":
            continue
        if removed and not any(q.rel == rel for rel, _ in files):
            continue  # a rule across records that still sees the removed record
        raise WriteRejected(MSG("rejected", path=q.rel, message=q.message))


def undo(repo: Repo, *, redo: bool = False) -> Outcome:
    """Revert the last hs commit (see the module's text), as one new commit. An undo is
    refused; ``redo``: the last commit must be an undo, which is reverted."""
    root = repo.root
    with repo.lock():
        p = Plan(repo)
        sha, parent, message = last_hs_commit(root)
        if redo and not is_undo(message):
            raise UndoRefused(MSG("no-redo", sha=sha[:10]))
        if not redo and is_undo(message):
            raise UndoRefused(MSG("is-undo", sha=sha[:10]))
        changed = _changed(root, parent, sha)
        for _status, rel in changed:
            if not rel.startswith("records/"):
                raise UndoRefused(MSG("outside", path=rel))
        rels = [rel for _, rel in changed]
        dirty = gitops.status(root, rels) if rels else []
        if dirty:
            raise UndoRefused(MSG("dirty", path=dirty[0]))
        files: list[tuple[str, str | None]] = []
        for status, rel in changed:
            if status == "A":
                files.append((rel, None))
            else:
                blob = gitops.run(root, "show", f"{parent}:{rel}").stdout
                files.append((rel, blob.decode("utf-8")))
        _check(p, files)
        original = original_subject(message.subject)
        action = REDO_ACTION if redo else ACTION
        if redo:
            new_subject = MSG("redo-subject", subject=original)
            text = MSG("redone", subject=original)
        else:
            new_subject = MSG("undo-subject", subject=original)
            text = MSG("summary", subject=original)
        records = tuple(message.trailers.get(gitops.RECORD, []))
        commit_message = gitops.CommitMessage(new_subject, action, records, None,
                                              ((UNDOES, sha),))
        try:
            new = write_change(repo, files, action=action, subject=commit_message.subject,
                               message=commit_message, commit=True)
        except GitError as err:
            raise GitError(err.message) from None
    return Outcome(action, text, commit_message.subject, records, (), tuple(rels), (),
                   "committed", new)


__all__ = ["ACTION", "REDO_ACTION", "UNDOES", "UndoRefused", "is_undo", "last_hs_commit",
           "made_here", "original_subject", "undo"]
