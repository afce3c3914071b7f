"""Whether a stream is a terminal: the one guarded ``isatty()`` of hs.

Progress, wrapped messages, the table format by default and every question to a person
(a prompt, a passphrase, a yes/no) ask it of their streams."""

from __future__ import annotations

from typing import Any


def is_terminal(*streams: Any) -> bool:
    """Whether every one of ``streams`` is a terminal; a closed stream, or an object that
    is no stream (a test's, a library's replacement), is not."""
    try:
        return all(bool(stream.isatty()) for stream in streams)
    except (AttributeError, ValueError):
        return False
