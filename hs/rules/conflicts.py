"""The rule behind a merge's true conflicts: a record that holds a field's values from two
laptops (its ``conflicts`` list, left by :mod:`hs.store.merge`) is a problem until
``hs resolve`` settles it. One problem per field, in plain words: the field's label, each
value numbered with the author and date of the commit that gave it, and the value itself
when it is plain data (a municipality, minutes); a personal field's values (names, notes,
sealed or not) never: the message says to see ``hs show ID``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from hs.base.i18n import Catalog
from hs.records import spec
from hs.records.labels import field_label
from hs.records.rows import F_CONFLICTS, L_CONFLICTS, T_CONFLICTS, V_CONFLICTS

MSG = Catalog("rules.conflicts")

#: A conflict's value shown in its message: a plain scalar, not personal, not sealed.
_SCALARS = (str, int, float, bool)

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
        shown = _shown_values(at, rel, i, c)
        out.append(at.problem(rel, ("conflicts", i), "merge-conflict", describe(c, shown),
                              value=False))
    return out


def _shown_values(at: Any, rel: str, i: int, c: Conflict) -> list[str] | None:
    """The values of the ``i``-th conflict of the file ``rel`` as the message may show
    them, or None: a personal field's (a name, a note: sealed or not), an entry's (it
    may hold a note), or when the locator cannot read the file."""
    if _personal(c.field):
        return None
    read = getattr(at, "plain", None)
    data: Any = read(rel) if read is not None else None
    try:
        entry = data["conflicts"][i]
        if entry["field"] != c.field:
            return None
        values = [v.get("value") for v in entry["values"]]
    except (TypeError, KeyError, IndexError, AttributeError):
        return None
    if len(values) != len(c.values) or not all(
            v is None or (isinstance(v, _SCALARS) and not str(v).startswith("hs1:"))
            for v in values):
        return None
    return [MSG("empty") if v is None else str(v) for v in values]


def _names(path: str) -> list[str]:
    """The field names of a conflict's path (``visits[2026-01-05].minutes``: visits,
    minutes)."""
    return [step.split("[", 1)[0] for step in path.split(".")]


def _personal(path: str) -> bool:
    return any(name in spec.PERSONAL_FIELDS for name in _names(path))


def _field(path: str) -> str:
    """A conflict's field as a person reads it: its label, and the path where it is
    nested (``'Minuten' (visits[2026-01-05].minutes)``)."""
    label = f"'{field_label(_names(path)[-1])}'"
    return label if "." not in path and "[" not in path else f"{label} ({path})"


def describe(c: Conflict, shown: list[str] | None = None) -> str:
    """A conflict in plain words: the field's label, each value numbered with the author
    and date that gave it, the value itself where ``shown`` has it (else: see hs show)."""
    if shown is None:
        values = "; ".join(MSG("value", n=n, author=author, date=day)
                           for n, (author, day) in enumerate(c.values, 1))
        key = "conflict-hidden"
    else:
        pairs = zip(shown, c.values, strict=True)
        values = "; ".join(MSG("value-shown", n=n, value=v, author=author, date=day)
                           for n, (v, (author, day)) in enumerate(pairs, 1))
        key = "conflict-values"
    return MSG(key, field=_field(c.field), n=len(c.values), values=values, id=c.record,
                path=c.field)


def conflict_lines(index: Any) -> list[str]:
    """Each conflict of the tree in plain words, a line each (``hs due`` says them on
    stderr; no rows made, no file read)."""
    return [f"{index.paths.get(c.record, c.record)}: {describe(c)}"
            for c in conflicts_of(index)]
