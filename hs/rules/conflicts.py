"""The rule behind a merge's true conflicts: a record that holds a field's values from two
laptops (its ``conflicts`` list, left by :mod:`hs.store.merge`) is a problem until
``hs resolve`` settles it. One problem per field, in plain words, each value numbered with
the author and date of the commit that gave it (the values themselves may be names or
notes: ``hs resolve ID`` shows them)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from hs.base.i18n import Catalog
from hs.records.rows import F_CONFLICTS, L_CONFLICTS, T_CONFLICTS, V_CONFLICTS

MSG = Catalog("rules.conflicts")

#: Where each kind's cached tuple holds its conflicts: (field, ((author, day), ...)).
AT: dict[str, int] = {"location": L_CONFLICTS, "family": F_CONFLICTS,
                      "volunteer": V_CONFLICTS, "trajectory": T_CONFLICTS}


@dataclass(frozen=True)
class Conflict:
    """One field in conflict: its record, and the values' authors and dates, in order."""

    kind: str
    record: str
    field: str
    values: tuple[tuple[str, dt.date], ...]


def conflicts_of(index: Any) -> list[Conflict]:
    """Every conflict of the index, from the cached tuples (no rows made)."""
    out = []
    for kind, at in AT.items():
        for t in index.tuples(kind):
            for name, values in t[at]:
                out.append(Conflict(kind, t[0], name, tuple(
                    (author, dt.date.fromordinal(day)) for author, day in values)))
    return out


def conflict_problems(at: Any, index: Any) -> list[Any]:
    """One problem for each field in conflict in any record of the index."""
    out = []
    seen: dict[str, int] = {}
    for c in conflicts_of(index):
        rel = index.paths.get(c.record)
        if rel is None:
            continue
        i = seen.get(c.record, 0)
        seen[c.record] = i + 1
        out.append(at.problem(rel, ("conflicts", i), "merge-conflict", describe(c),
                              value=False))
    return out


def describe(c: Conflict) -> str:
    """A conflict in plain words."""
    values = "; ".join(MSG("value", n=n, author=author, date=day)
                       for n, (author, day) in enumerate(c.values, 1))
    return MSG("conflict", field=c.field, n=len(c.values), values=values, id=c.record)


def conflict_lines(index: Any) -> list[str]:
    """Each conflict of the tree in plain words, a line each (``hs due`` says them on
    stderr; no rows made, no file read)."""
    return [f"{index.paths.get(c.record, c.record)}: {describe(c)}"
            for c in conflicts_of(index)]
