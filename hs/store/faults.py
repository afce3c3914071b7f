"""Named points in the write path where a test can kill hs (``HS_FAULT=<point>``).

The fault tests run ``hs`` with ``HS_FAULT`` set to one of :data:`POINTS`; when the write
reaches that point the process kills itself with SIGKILL (no clean-up, no ``finally``),
as a power cut or ``kill -9`` would. ``<point>`` may end in ``:N`` to stop at the N-th
time the point is reached (from 1). Unset, each point costs one dictionary lookup.
"""

from __future__ import annotations

import os

from hs.base import portable

POINTS = (
    "journal",  # the journal is written, no record file yet
    "tmp",  # a record's temporary file is written, not yet renamed over the record
    "written",  # a record file is replaced (once per file)
    "staged",  # every file is written and staged, not committed
    "committed",  # the commit is made, the journal not yet removed
)

_SEEN: dict[str, int] = {}


def point(name: str) -> None:
    """Kill this process here if ``HS_FAULT`` names this point (see above)."""
    wanted = os.environ.get("HS_FAULT")
    if not wanted:
        return
    where, _, nth = wanted.partition(":")
    if where != name:
        return
    _SEEN[name] = _SEEN.get(name, 0) + 1
    if _SEEN[name] == (int(nth) if nth.isdigit() else 1):
        portable.kill_hard(os.getpid())


__all__ = ["POINTS", "point"]
