"""Progress of long work on stderr (cold `hs validate` of a big tree, `hs import`,
`hs match plan`, `hs report`, any command's cold or partial fill of the cache): a line that
says what is being done, how far ("Bestanden lezen… 12.345/50.000 (24%)") and for how long,
shown only while stderr is a terminal and removed when the work ends. When stderr is not a
terminal (a pipe, a file, CI, the test runner) nothing at all is written, so logs and
scripts see only the command's own messages.

The work reports through plain callables ``step(done, total)``: the layers below the
command line take one as an argument (``progress=``) and never import this module. The
line is redrawn at most every :data:`INTERVAL` seconds (and at the end of each count), so
a caller may report as often as it likes."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from hs.base.i18n import Catalog
from hs.base.terminal import is_terminal

MSG = Catalog("cli.progress")

#: What a step of the work reports: done so far, out of total (0: unknown).
Step = Callable[[int, int], None]

INTERVAL = 0.1  # seconds between two redraws of the line, at most
OWN_LEAST = 1000  # a command's own read of fewer files than this shows no line of its own

#: Where progress goes (None: ``sys.stderr`` as it is when the work starts); tests put a
#: fake terminal here.
stream: Any = None


def _nothing(done: int, total: int) -> None:
    return None


def _stream(given: Any = None) -> Any:
    return given if given is not None else stream if stream is not None else sys.stderr


def shown(given: Any = None) -> bool:
    """Whether progress is shown: stderr (or ``given``) is a terminal."""
    return is_terminal(_stream(given))


def line(what: str, done: int, total: int) -> str:
    """The text of the line: what is done (capitalised), how far, in the user's language
    (thousands grouped: "12.345/50.000" in Dutch)."""
    from hs.base.i18n import language
    from hs.base.readable import format_number
    from hs.records.problems import escape_controls

    what = escape_controls(what[:1].upper() + what[1:])
    if done < 0:
        return str(MSG("busy", what=what))
    lang = language()
    shown_done = format_number(done, lang, grouped=True)
    if not total:
        return str(MSG("count-open", what=what, done=shown_done))
    return str(MSG("count", what=what, done=shown_done,
                    total=format_number(total, lang, grouped=True),
                    percent=min(100, done * 100 // total)))


class _Line:
    """The transient line on a terminal (Rich: a spinner and the text, redrawn at once
    when the text changes, else by Rich's own clock for the spinner)."""

    def __init__(self, out: Any, what: str):
        from rich.console import Console
        from rich.live import Live
        from rich.spinner import Spinner

        console = Console(file=out, highlight=False, stderr=out is sys.stderr)
        self.what = what
        self.total = 0
        self.last = 0.0
        self.spinner = Spinner("dots", text=line(what, -1, 0), style="status.spinner")
        # stdout is never taken over (data piped on must not reach the terminal); a
        # message on stderr meanwhile is printed above the line
        self.live = Live(self.spinner, console=console, refresh_per_second=12.5,
                         transient=True, redirect_stdout=False,
                         redirect_stderr=out is sys.stderr)
        self.live.start()

    def show(self, what: str, done: int, total: int) -> None:
        now = time.monotonic()
        if (what, total) == (self.what, self.total) and now - self.last < INTERVAL \
                and not 0 < total <= done:
            return  # redrawn a moment ago: a new count and its end are always drawn
        self.last, self.what, self.total = now, what, total
        self.spinner.update(text=line(what, done, total))
        self.live.refresh()

    def stop(self) -> None:
        self.live.stop()  # the line is removed (a transient display)


class Work:
    """What long work reports to: called as ``step(done, total)`` for its own count;
    :meth:`reading` is the count of files a read of the tree parses."""

    def __init__(self, shown_line: _Line | None, what: str):
        self._line = shown_line
        self.what = what

    def __call__(self, done: int, total: int) -> None:
        if self._line is not None:
            self._line.show(self.what, done, total)

    def reading(self, done: int, total: int) -> None:
        if self._line is not None:
            self._line.show(MSG("reading"), done, total)
            if done >= total:  # read: the line says the work's own words again
                self._line.show(self.what, -1, 0)


_active: list[Work] = []  # the work whose line is on the terminal now
_own: list[_Line] = []  # the line of a read outside any such work


@contextmanager
def working(key: str, stream: Any = None, **fields: object) -> Iterator[Work]:
    """Show "<what is done>…" on stderr while the block runs, if stderr is a terminal;
    yields a :class:`Work`, ``step(done, total)``, that adds "done/total" to the line.
    A read of the tree within the block (:func:`reading`) shows its count on this line."""
    out = _stream(stream)
    if not shown(out) or _active:
        yield Work(None, "")
        return
    stop_reading()
    what = str(MSG(key, **fields))
    work = Work(_Line(out, what), what)
    _active.append(work)
    try:
        yield work
    finally:
        _active.remove(work)
        assert work._line is not None
        work._line.stop()


def reading(done: int, total: int) -> None:
    """The files a read of the tree parses (the ``progress`` a command gives its
    repository): on the line of the work under way, else on a line of its own while a
    read of at least :data:`OWN_LEAST` files lasts."""
    if _active:
        _active[-1].reading(done, total)
        return
    if not _own:
        if done >= total or total < OWN_LEAST or not shown():
            return
        _own.append(_Line(_stream(), MSG("reading")))
    _own[0].show(MSG("reading"), done, total)
    if done >= total:
        stop_reading()


def stop_reading() -> None:
    """Remove the line of a read that did not end (it failed, or was interrupted)."""
    while _own:
        _own.pop().stop()
