"""hs's own commit noted in the cache's memo of git, so that the next read need not list
git's index again.

After a commit git's index is a new file, and a read that finds a new index compares
every tracked file's blob ID with the cache's (:func:`hs.store.plan.by_git`): at 50,000
records that is ``git ls-files`` (4 MB) with its reading and the cache's blob IDs, about
0.1 s of the next command. When hs made the commit it knows what changed: the files it
wrote. The memo may then name the new index, with those files among the ones git cannot
vouch for (looked at by the next read, one by one), on a proof that nothing else changed
in the index between the read and the commit:

1. before the write (:func:`before`), the index is the one the read vouched for (the
   memo names it), and holds exactly what HEAD holds under ``records`` (``git diff-index
   --cached``: nothing staged), the index file the same before and after git looked;
2. after the commit (:func:`after`), the index differs from that HEAD under ``records``
   in the written files only, and no entry carries a flag (assume-unchanged,
   skip-worktree) or a conflict that the memo does not name already (``git ls-files
   -v``: ``git diff-files`` says nothing of a flagged file, and ``git diff-index`` does
   not see flags), the index file again the same before and after git looked.

So every other tracked file has in the new index the blob it had in the index the read
vouched for, and the cache holds that blob; the files a read must look at whatever git
says are the memo's. Anything else (a file staged before, another writer's change of
the index, a flag set meanwhile, say by a post-commit hook, a commit by another program
meanwhile, no cache yet, git failing or slow) leaves the memo as it is: the next read
lists the index, as it did before.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hs.base.errors import GitError
from hs.records.layout import RECORDS
from hs.store import gitops
from hs.store.cache import read_part, write_part

#: the memo's listing digest after a noted commit: no listing's (16 bytes), so the next
#: listing is compared blob by blob with the cache
NOTED = b"hs-own-commit"
WAIT = 5.0  # seconds git may take to answer; longer, and nothing is noted


@dataclass(frozen=True)
class Vouched:
    """What :func:`before` found: the commit HEAD named and the index (its signature) the
    read vouched for, holding just what that commit holds under ``records``."""

    head: str
    index: tuple[int, int, int]


class Pending:
    """:func:`before` running: ``git diff-index`` looks while the files are written."""

    def __init__(self, root: Path, proc: subprocess.Popen[bytes] | None = None,
                 head: str = "", index: tuple[int, int, int] | None = None) -> None:
        self._root, self._proc, self._head, self._index = root, proc, head, index

    def wait(self) -> Vouched | None:
        """The proof's first half, or None (then nothing is noted)."""
        proc, index = self._proc, self._index
        self._proc = None
        if proc is None or index is None:
            return None
        try:
            clean = proc.wait(timeout=WAIT) == 0
        except subprocess.TimeoutExpired:
            clean = False
            gitops.stop(proc)
        if not clean or gitops.index_signature(self._root) != index:
            return None
        return Vouched(self._head, index)

    def cancel(self) -> None:
        """Stop git if it still looks (the write failed)."""
        proc, self._proc = self._proc, None
        if proc is not None:
            gitops.stop(proc)


def _memo(root: Path) -> dict[str, Any] | None:
    head = read_part(root, "head")
    memo = head.get("git")
    return memo if isinstance(memo, dict) and memo.get("digest") else None


def before(root: Path) -> Pending:
    """Start the proof's first half (see above); call before the write, and
    :meth:`Pending.wait` before the commit touches git's index."""
    index = gitops.index_signature(root)
    memo = _memo(root)
    if index is None or memo is None or memo.get("index") != index:
        return Pending(root)
    try:
        head = gitops.head_commit(root)
        proc = gitops.start(root, "diff-index", "--cached", "--quiet", head, "--", RECORDS,
                            stdout=subprocess.DEVNULL)
    except (OSError, GitError):
        return Pending(root)
    return Pending(root, proc, head, index)


def after(root: Path, vouched: Vouched | None, written: Collection[str]) -> bool:
    """After hs's commit of the files ``written`` (paths from the root): note the new index
    in the memo if the proof holds (see above). Whether it was noted. Never raises for
    what git or the file system do: the commit is made either way."""
    if vouched is None:
        return False
    try:
        return _after(root, vouched, written)
    except (OSError, subprocess.SubprocessError, ValueError):
        return False


def _after(root: Path, vouched: Vouched, written: Collection[str]) -> bool:
    index = gitops.index_signature(root)
    if index is None:
        return False
    asked = [gitops.start(root, *args, "--", RECORDS)
             for args in (("diff-index", "--cached", "--name-only", "-z", "--no-renames",
                           vouched.head), ("ls-files", "-v", "-z"))]
    answers: list[bytes] = []
    for proc in asked:
        try:
            answers.append(proc.communicate(timeout=WAIT)[0])
        except subprocess.TimeoutExpired:
            for each in asked:
                gitops.stop(each)
            return False
    if not all(proc.returncode == 0 for proc in asked) or \
            gitops.index_signature(root) != index:
        return False
    changed_paths, listing = answers
    wrote = {rel.replace(os.sep, "/") for rel in written}
    if not {os.fsdecode(p) for p in changed_paths.split(b"\0") if p} <= wrote:
        return False
    head = read_part(root, "head")
    memo = head.get("git")
    if not isinstance(memo, dict) or memo.get("index") != vouched.index:
        return False
    other = memo.get("other")
    if not flagged(listing) <= set(other if isinstance(other, list) else ()):
        return False
    changed = memo.get("changed")
    head["git"] = {**memo, "index": index, "digest": NOTED,
                   "changed": sorted({*(changed if isinstance(changed, list) else ()),
                                      *wrote})}
    return write_part(root, "head", head) is not None


def flagged(listing: bytes) -> set[str]:
    """The paths of the entries of ``git ls-files -v -z`` whose tag is not ``H``: flagged
    (assume-unchanged, skip-worktree), in conflict, or otherwise not a plain cached
    entry. Two counts in C when there is none (the usual case)."""
    if not listing or (listing.startswith(b"H ")
                       and listing.count(b"\0H ") == listing.count(b"\0") - 1):
        return set()
    return {os.fsdecode(entry[2:]) for entry in listing.split(b"\0")
            if entry and not entry.startswith(b"H ")}
