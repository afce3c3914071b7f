"""Progress of long work on stderr (cold `hs validate` of a big tree, `hs import`,
`hs match plan`, `hs report`): a line that says what is being done, how far (when the work
says so) and for how long, shown only while stderr is a terminal and removed when the work
ends. When stderr is not a terminal (a pipe, a file, CI, the test runner) nothing at all is
written, so logs and scripts see only the command's own messages."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from hs.base.i18n import Catalog

MSG = Catalog("cli.progress")

#: What a step of the work reports: done so far, out of total (0: unknown).
Step = Callable[[int, int], None]


def _nothing(done: int, total: int) -> None:
    return None


def shown(stream: Any = None) -> bool:
    """Whether progress is shown: stderr (or ``stream``) is a terminal."""
    stream = sys.stderr if stream is None else stream
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # a closed or odd stream: no progress
        return False


@contextmanager
def working(key: str, stream: Any = None, **fields: object) -> Iterator[Step]:
    """Show "<what is done>…" on stderr while the block runs, if stderr is a terminal;
    yields a callback ``step(done, total)`` that adds "done/total" to the line."""
    stream = sys.stderr if stream is None else stream
    if not shown(stream):
        yield _nothing
        return
    from rich.console import Console
    from rich.status import Status

    from hs.records.problems import escape_controls

    label = escape_controls(MSG(key, **fields))
    console = Console(file=stream, highlight=False, stderr=stream is sys.stderr)
    status = Status(label + "…", console=console)

    def step(done: int, total: int) -> None:
        status.update(f"{label}… {done}/{total}" if total else f"{label}… {done}")

    status.start()
    try:
        yield step
    finally:
        status.stop()  # the line is removed (a transient display)
