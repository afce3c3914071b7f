"""Writing a file whole or not at all: the one way hs replaces a file."""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Callable
from pathlib import Path

from hs.base import portable
from hs.base.errors import HsError
from hs.base.i18n import Catalog

MSG = Catalog("store.atomic")


def why(exc: OSError) -> str:
    """An OSError in a few words, in the user's language (never the file's content)."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return MSG("disk-full")
    if exc.errno == errno.EROFS:
        return MSG("read-only")
    if exc.errno in (errno.EACCES, errno.EPERM):
        return MSG("denied")
    if exc.errno == errno.ELOOP:
        return MSG("loop")
    if exc.errno == errno.ENOENT:
        return MSG("missing")
    if exc.errno == errno.EISDIR:
        return MSG("is-folder")
    if exc.errno == errno.ENOTDIR:
        return MSG("not-folder")
    return exc.strerror or type(exc).__name__

TMP_SUFFIX = ".tmp"


def tmp_name(path: Path) -> Path:
    """The temporary file of a write of ``path`` by this process: ``.NAME.PID.tmp``."""
    return path.with_name(f".{path.name}.{os.getpid()}{TMP_SUFFIX}")


def write_atomic(path: Path, content: str | bytes, *, durable: bool = False,
                 check: Callable[[bytes], None] | None = None, keep_mode: bool = False,
                 os_errors: bool = False) -> None:
    """Write a file whole or not at all: a temporary file beside it (``.NAME.PID.tmp``),
    renamed over it. The temporary file never stays behind (unless the process is killed:
    the next hs command removes it, see :mod:`hs.store.journal`), and while it exists
    only its owner can read it (it holds what the file will hold).

    ``durable``: the temporary file is fsynced before the rename and the folder after it
    (the new file survives a power cut). ``check`` is given the bytes read back from the
    temporary file before the rename; whatever it raises stops the write (the old file
    stays byte for byte). ``keep_mode``: the file keeps the permissions of the one it
    replaces. A file that cannot be written is an HsError naming it; with ``os_errors``,
    the OSError itself (for a caller that says it its own way)."""
    tmp = tmp_name(path)
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        old_mode = portable.mode_of(path) if keep_mode and path.exists() else None
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with open(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            if durable:
                os.fsync(fh.fileno())
        if check is not None:
            check(tmp.read_bytes())
        portable.set_mode(tmp, old_mode if old_mode is not None else portable.file_mode())
        os.replace(tmp, path)
        if durable:
            portable.sync_folder(path.parent)
    except OSError as exc:
        if os_errors:
            raise
        raise HsError(MSG("cannot-write", path=path, why=why(exc))) from None
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)


def sync_folder(folder: Path) -> None:
    """Make a folder's entries durable (after a file in it was renamed or removed)."""
    portable.sync_folder(folder)
