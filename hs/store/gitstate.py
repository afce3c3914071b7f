"""Where git stands, read from the files in the git folder: no git process.

A write commits on the current branch. In the middle of a rebase, cherry-pick, revert,
``git am``, bisect or merge, or on a detached HEAD, that commit would be dropped by the
next ``git rebase --abort`` or ``git switch``: :func:`operation` names the state so that
the write can be refused before anything is written (:func:`refusal` says how to get out
of it). Everything here is a few ``stat`` calls and the read of a small file.

A linked work tree (``git worktree add``) has a ``.git`` file that points to its own git
folder (``.git/worktrees/NAME``), which holds its HEAD and its operations in progress;
the hooks, the configuration and ``info/exclude`` are in the common git folder it points
to (``commondir``).
"""

from __future__ import annotations

import os
from pathlib import Path

from hs.base.i18n import Catalog

MSG = Catalog("store.gitstate")

OPERATIONS = ("rebase", "am", "merge", "cherry-pick", "revert", "bisect", "detached")


def locate(root: Path | str) -> tuple[Path, Path] | None:
    """The top folder of the work tree holding ``root`` and its git folder (``.git``, or
    the folder a ``.git`` file points to), found by looking upwards; None outside git."""
    here = os.path.abspath(root)
    while True:
        dot = os.path.join(here, ".git")
        if os.path.isdir(dot):
            return Path(here), Path(dot)
        if os.path.isfile(dot):
            try:
                with open(dot, encoding="utf-8") as fh:
                    line = fh.readline().strip()
            except (OSError, UnicodeDecodeError):
                return None
            if not line.startswith("gitdir:"):
                return None
            target = line[len("gitdir:"):].strip()
            return Path(here), Path(os.path.normpath(os.path.join(here, target)))
        up = os.path.dirname(here)
        if up == here:
            return None
        here = up


def find_git_dir(root: Path | str) -> Path | None:
    """The git folder of the work tree holding ``root`` (see :func:`locate`)."""
    found = locate(root)
    return found[1] if found else None


def common_dir(git_dir: Path) -> Path:
    """The common git folder (hooks, config, refs) of a git folder: itself, or the one its
    ``commondir`` file names (a linked work tree)."""
    try:
        with open(git_dir / "commondir", encoding="utf-8") as fh:
            target = fh.readline().strip()
    except (OSError, UnicodeDecodeError):
        return git_dir
    return Path(os.path.normpath(os.path.join(git_dir, target))) if target else git_dir


def operation(git_dir: Path) -> str | None:
    """The git operation in progress in this work tree (one of :data:`OPERATIONS`), or
    None when HEAD is on a branch and nothing is in progress."""
    def there(name: str) -> bool:
        return os.path.exists(os.path.join(git_dir, name))

    if there("rebase-merge"):
        return "rebase"
    if there("rebase-apply"):
        return "am" if there(os.path.join("rebase-apply", "applying")) else "rebase"
    if there("MERGE_HEAD"):
        return "merge"
    if there("CHERRY_PICK_HEAD"):
        return "cherry-pick"
    if there("REVERT_HEAD"):
        return "revert"
    todo = os.path.join(git_dir, "sequencer", "todo")
    if os.path.exists(todo):  # a cherry-pick or revert of several commits, stopped
        try:
            with open(todo, encoding="utf-8", errors="replace") as fh:
                first = fh.readline().split()
        except OSError:
            first = []
        return "revert" if first[:1] == ["revert"] else "cherry-pick"
    if there("BISECT_LOG"):
        return "bisect"
    try:
        with open(os.path.join(git_dir, "HEAD"), encoding="utf-8", errors="replace") as fh:
            head = fh.readline()
    except OSError:
        return None  # not a git folder we can read: git itself will say so
    if not head.startswith("ref:"):
        return "detached"
    return None


def refusal(git_dir: Path, op: str) -> str:
    """What to tell the user when a write is refused because of ``op``."""
    if op != "detached":
        return MSG(op)
    common = common_dir(git_dir)
    try:
        packed = (common / "packed-refs").read_text(encoding="utf-8", errors="replace")
    except OSError:
        packed = ""
    branch = next((b for b in ("main", "master")
                   if (common / "refs" / "heads" / b).exists()
                   or f" refs/heads/{b}\n" in packed), "<branch>")
    return MSG("detached", branch=branch)


__all__ = ["OPERATIONS", "common_dir", "find_git_dir", "locate", "operation", "refusal"]
