"""git's own lock on its index (``index.lock``), left behind by a git command that crashed.

git creates ``<git folder>/index.lock`` while it changes the index and removes it when it
is done; a git command killed halfway leaves it, and every later ``git add`` or ``git
commit`` then fails. Before hs writes, :func:`check` looks at the file:

* it is removed, with one line saying so, only when it is certainly stale: it is older
  than :data:`STALE_AFTER` seconds, this system lists its processes (``/proc``), and no
  running process named ``git...`` works in this work tree or its git folder (its current
  folder is inside one of them, or its command line names one of them). A ``git commit``
  waiting for its message in an editor is a running git process, so its lock is kept;
* otherwise the write is refused before anything is written, naming the file: either a
  git command is running (wait for it), or the file is too young or the processes cannot
  be listed to be sure (then the user removes it after checking).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from hs.base import portable
from hs.base.errors import GitError
from hs.base.i18n import Catalog
from hs.store.gitstate import common_dir
from hs.store.notice import say

STALE_AFTER = 60.0  # seconds; git holds index.lock for less than that, except in an editor

MSG = Catalog("store.gitlock")


def check(top: Path, git_dir: Path) -> None:
    """Remove a stale ``index.lock`` of this work tree or refuse (see above)."""
    lock = git_dir / "index.lock"
    try:
        st = os.stat(lock)
    except OSError:
        return
    if time.time() - st.st_mtime < STALE_AFTER:
        raise GitError(MSG("unsure", path=lock))
    running = git_running((top, git_dir, common_dir(git_dir)))
    if running is None:
        raise GitError(MSG("unsure", path=lock))
    if running:
        raise GitError(MSG("busy", path=lock))
    try:
        if os.stat(lock).st_mtime_ns != st.st_mtime_ns:
            raise GitError(MSG("busy", path=lock))  # taken again meanwhile
        os.unlink(lock)
    except FileNotFoundError:
        return
    except OSError:
        raise GitError(MSG("unsure", path=lock)) from None
    say(MSG("removed", path=lock))


def git_running(places: tuple[Path, ...], proc: str | None = portable.PROC) -> bool | None:
    """Whether a process named ``git...`` works in one of ``places``; None when the
    processes cannot be listed (no ``/proc``: macOS, Windows)."""
    if proc is None:
        return None
    try:
        pids = [name for name in os.listdir(proc) if name.isdigit()]
    except OSError:
        return None
    if not pids:
        return None
    folders = [os.path.realpath(p) for p in places]
    me = str(os.getpid())
    for pid in pids:
        if pid == me:
            continue
        base = os.path.join(proc, pid)
        try:
            with open(os.path.join(base, "comm"), encoding="utf-8", errors="replace") as fh:
                comm = fh.read().strip()
        except OSError:
            continue  # gone, or not ours to see
        if not comm.startswith("git"):
            continue
        try:
            cwd = os.readlink(os.path.join(base, "cwd"))
        except FileNotFoundError:
            continue  # gone, or a zombie (it holds no file)
        except OSError:
            return True  # a git process we cannot look into: assume it is in this one
        if any(cwd == f or cwd.startswith(f + os.sep) for f in folders):
            return True
        try:
            with open(os.path.join(base, "cmdline"), "rb") as fh:
                args = fh.read().decode("utf-8", "replace").split("\0")
        except OSError:
            return True
        if any(f in arg for f in folders for arg in args):
            return True
    return False


__all__ = ["STALE_AFTER", "check", "git_running"]
