"""One line on stderr for something the store did by itself (an interrupted write
finished or undone, a stale lock removed): the user must know, and stdout stays data."""

from __future__ import annotations

import sys


def say(line: str) -> None:
    """Write ``hs: line`` on stderr (never fails: a closed stderr loses the line)."""
    try:
        sys.stderr.write(f"hs: {line}\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        pass
