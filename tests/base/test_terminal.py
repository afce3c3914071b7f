"""The one guarded isatty() (hs.base.terminal)."""

from __future__ import annotations

import io
from typing import Any

from hs.base.terminal import is_terminal


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_every_stream_must_be_a_terminal() -> None:
    assert is_terminal(Tty())
    assert is_terminal(Tty(), Tty())
    assert not is_terminal(Tty(), io.StringIO())
    assert not is_terminal(io.StringIO())


def test_a_closed_or_odd_stream_is_no_terminal() -> None:
    closed = io.StringIO()
    closed.close()
    odd: Any = object()
    assert not is_terminal(closed)  # isatty() on a closed stream raises ValueError
    assert not is_terminal(odd)
    assert not is_terminal(Tty(), odd)
