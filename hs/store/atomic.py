"""Writing a file whole or not at all."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from hs.base.errors import HsError
from hs.base.i18n import Catalog

MSG = Catalog({
    "cannot-write": ("{path}: cannot write: {why}", "{path}: kan niet schrijven: {why}"),
})


def write_atomic(path: Path, content: str | bytes) -> None:
    """Write a file whole or not at all: a temporary file beside it (``.NAME.PID.tmp``),
    renamed over it. A file that cannot be written is an HsError naming it; the temporary
    file never stays behind."""

    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        if isinstance(content, str):
            tmp.write_text(content, encoding="utf-8")
        else:
            tmp.write_bytes(content)
        os.replace(tmp, path)
    except OSError as exc:
        raise HsError(MSG("cannot-write", path=path, why=exc.strerror or exc)) from None
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
