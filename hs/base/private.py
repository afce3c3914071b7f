"""Files only their owner can read: what hs writes holds personal data.

The policy lives here; the system calls behind it in :mod:`hs.base.portable`, which does
nothing where the system has no POSIX modes (Windows: a user's files are private through
their profile's access lists).

* :func:`private_umask`: every file and folder the running command creates (a record it
  writes, the cache, the write journal, a dossier, a temporary file, and what the git
  processes it starts write: objects, refs, a checked-out record) is created without
  any access for the group or others (umask 077). Set for the length of a command
  (:class:`hs.cli.HsGroup`).
* :func:`restrict`: one existing file or folder made private (0600, a folder 0700).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from hs.base import portable

PRIVATE_UMASK = 0o077
POSIX = os.name == "posix"


def private_umask() -> int | None:
    """Set the umask to 077; the one it replaces (None where there is no umask)."""
    return portable.set_umask(PRIVATE_UMASK)


def restore_umask(old: int | None) -> None:
    if old is not None:
        portable.set_umask(old)


def restrict(path: Path) -> None:
    """Take every access of the group and others away from ``path`` (not following a
    symbolic link); a file or folder that cannot be changed is left as it is."""
    if not POSIX:
        return
    try:
        st = os.lstat(path)
        if stat.S_ISLNK(st.st_mode):
            return
        mode = stat.S_IMODE(st.st_mode)
        if mode & 0o077:
            portable.set_mode(path, mode & 0o700)
    except OSError:
        pass


def restrict_tree(top: Path) -> None:
    """:func:`restrict` on a folder and everything in it (not following links)."""
    if not POSIX or not top.is_dir():
        return
    restrict(top)
    for folder, dirs, files in os.walk(top):
        base = Path(folder)
        for name in (*dirs, *files):
            restrict(base / name)


def write_private(path: Path, data: bytes) -> None:
    """Write a new file (or replace one) that only its owner can read or write."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        restrict(path)  # a file that was there keeps its mode through O_TRUNC
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)
