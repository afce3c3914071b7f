"""Writing a file whole or not at all: the one way hs replaces a file."""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Callable
from pathlib import Path

from hs.base.errors import HsError
from hs.base.i18n import Catalog

MSG = Catalog({
    "cannot-write": ("{path}: cannot write: {why}", "{path}: kan niet schrijven: {why}"),
})


def write_atomic(path: Path, content: str | bytes, *, durable: bool = False,
                 check: Callable[[bytes], None] | None = None, keep_mode: bool = False,
                 os_errors: bool = False) -> None:
    """Write a file whole or not at all: a temporary file beside it (``.NAME.PID.tmp``),
    renamed over it. The temporary file never stays behind.

    ``durable``: the temporary file is fsynced before the rename and the folder after it
    (the new file survives a power cut). ``check`` is given the bytes read back from the
    temporary file before the rename; whatever it raises stops the write (the old file
    stays byte for byte). ``keep_mode``: the file keeps the permissions of the one it
    replaces. A file that cannot be written is an HsError naming it; with ``os_errors``,
    the OSError itself (for a caller that says it its own way)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        if isinstance(content, str):
            with open(tmp, "w", encoding="utf-8") as text:
                text.write(content)
                if durable:
                    text.flush()
                    os.fsync(text.fileno())
        else:
            with open(tmp, "wb") as fh:
                fh.write(content)
                if durable:
                    fh.flush()
                    os.fsync(fh.fileno())
        if check is not None:
            check(tmp.read_bytes())
        if keep_mode and path.exists():
            os.chmod(tmp, stat.S_IMODE(os.stat(path).st_mode))
        os.replace(tmp, path)
        if durable:
            _sync_folder(path.parent)
    except OSError as exc:
        if os_errors:
            raise
        raise HsError(MSG("cannot-write", path=path, why=exc.strerror or exc)) from None
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)


def _sync_folder(folder: Path) -> None:
    dir_fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
