"""Small-cell suppression for published figures (``hs kpi --public``, ``hs report --public``).

Figures published per location or per municipality could point at a family: a count from
1 to 4 is hidden. The rules (docs/kpi.md, "Publishing: --public"):

* **Primary**: every count from 1 to 4 of every breakdown (profile, volunteers' gender and
  age, referrers, close reasons, trajectories by kind, impact ``n``), and every count
  from 1 to 4 of a location's figures or of a column per location or per municipality
  (their totals too); the totals of several locations together stay. It is shown as
  ``<5`` (``Range(1, 4)``); a share beside it becomes the range of shares it allows.
* **Secondary**: cells that add up to a shown total form a *line* (a breakdown adding up to
  its total; one figure across the location or municipality columns adding up to the
  total column). If the hidden cells of a line could be worked out from the total and the
  shown cells (one hidden cell; or two whose ranges leave one split, as 1 and 5 of 6),
  the smallest shown non-zero cell of the line is hidden too, until no line gives a hidden
  count away. Such a cell (5 or more) is shown as the range it is known to lie in, from 5
  to the sum of the line's hidden cells.
* The waiting-time median and 90th percentile need 10 trajectories behind them (with
  fewer, the 90th percentile is one family's wait).

Location metadata (locations, municipalities, FTE, partners, funding) is not about people
and is never hidden. Nothing here reads records.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from hs.app.kpi import (
    ADDITIVE,
    BREAKDOWNS,
    METADATA_TOTALS,
    SUPPRESS_BELOW,
    TOTALS,
    ImpactCounts,
    KpiCounts,
    Range,
    WaitingDays,
)

WAITING_DAYS_AT_LEAST = 10  # a published median and p90 stand for at least this many values

Cell = tuple[str, str, str]  # (scope: "" for the total or a column's code, figure, key)


@dataclass(frozen=True)
class _Line:
    total: int
    total_cell: Cell | None  # the total's own cell, if it can be hidden
    cells: tuple[Cell, ...]


def _cells(c: KpiCounts, scope: str, with_totals: bool) -> dict[Cell, int]:
    out: dict[Cell, int] = {}
    if with_totals:
        for k in TOTALS:
            if k not in METADATA_TOTALS:
                out[(scope, "totals", k)] = _int(c.total(k))
    for name in BREAKDOWNS:
        for k, v in getattr(c, name).items():
            out[(scope, name, k)] = _int(v)
    for dom, imp in c.impact.items():
        out[(scope, "impact", dom)] = _int(imp.n)
    for key, value in c.extra.items():
        if isinstance(value, Mapping):
            for k, v in value.items():
                out[(scope, f"extra.{key}", k)] = _int(v)
        elif with_totals:
            out[(scope, "extra", key)] = _int(value)
    return out


def _int(value: Any) -> int:
    assert isinstance(value, int), "suppress takes exact counts"
    return value


def _lines(c: KpiCounts, scope: str, with_totals: bool) -> list[_Line]:
    lines = []
    for name, total in ADDITIVE.items():
        cells = tuple((scope, name, k) for k in getattr(c, name))
        lines.append(_Line(_int(c.total(total)),
                           (scope, "totals", total) if with_totals else None, cells))
    return lines


def _feasible(values: list[tuple[int, int]], s: int) -> list[tuple[int, int]]:
    """Each hidden cell's interval, knowing the cells' bounds and that they sum to ``s``."""
    los = sum(lo for lo, _ in values)
    his = sum(hi for _, hi in values)
    return [(max(lo, s - (his - hi)), min(hi, s - (los - lo))) for lo, hi in values]


class _Suppressor:
    def __init__(self, values: dict[Cell, int], lines: list[_Line]) -> None:
        self.values = values
        self.lines = lines
        self.hidden = {c for c, v in values.items() if 0 < v < SUPPRESS_BELOW}

    def hidden_sum(self, line: _Line) -> int:
        return sum(self.values[c] for c in line.cells if c in self.hidden)

    def bounds(self, cell: Cell) -> tuple[int, int]:
        """What a reader is shown of a hidden cell: ``<5`` or from 5 to a line's hidden sum."""
        v = self.values[cell]
        if v < SUPPRESS_BELOW:
            return 1, SUPPRESS_BELOW - 1
        sums = [self.hidden_sum(line) for line in self.lines if cell in line.cells
                and (line.total_cell is None or line.total_cell not in self.hidden)]
        return SUPPRESS_BELOW, max(SUPPRESS_BELOW, min(sums, default=v))

    def gives_away(self, line: _Line) -> bool:
        if line.total_cell is not None and line.total_cell in self.hidden:
            return False  # the total is not shown: nothing to subtract from
        hidden = [c for c in line.cells if c in self.hidden and self.values[c] > 0]
        if not hidden:
            return False
        intervals = _feasible([self.bounds(c) for c in hidden], self.hidden_sum(line))
        return any(lo >= hi for lo, hi in intervals)

    def run(self) -> set[Cell]:
        changed = True
        while changed:
            changed = False
            for line in self.lines:
                if not self.gives_away(line):
                    continue
                shown = [c for c in line.cells if c not in self.hidden and self.values[c] > 0]
                if shown:
                    self.hidden.add(min(shown, key=lambda c: (self.values[c], line.cells
                                                              .index(c))))
                    changed = True
        return self.hidden


def _apply(c: KpiCounts, scope: str, sup: _Suppressor, with_totals: bool) -> KpiCounts:
    def shown(cell: Cell, value: int) -> int | Range:
        if cell not in sup.hidden:
            return value
        lo, hi = sup.bounds(cell)
        return Range(lo, hi)

    changes: dict[str, Any] = {}
    if with_totals:
        for k in TOTALS:
            if k not in METADATA_TOTALS:
                changes[k] = shown((scope, "totals", k), _int(c.total(k)))
    for name in BREAKDOWNS:
        changes[name] = {k: shown((scope, name, k), _int(v))
                         for k, v in getattr(c, name).items()}
    impact: dict[str, ImpactCounts] = {}
    for dom, imp in c.impact.items():
        n = shown((scope, "impact", dom), _int(imp.n))
        impact[dom] = imp if n == imp.n else ImpactCounts(n, 0, 0, 0)
    changes["impact"] = impact
    extra: dict[str, Any] = {}
    for key, value in c.extra.items():
        if isinstance(value, Mapping):
            extra[key] = {k: shown((scope, f"extra.{key}", k), _int(v))
                          for k, v in value.items()}
        else:
            extra[key] = shown((scope, "extra", key), _int(value)) if with_totals else value
    changes["extra"] = extra
    w = c.waiting_days
    if _int(w.n) < WAITING_DAYS_AT_LEAST:
        small = 0 < _int(w.n) < SUPPRESS_BELOW
        changes["waiting_days"] = WaitingDays(Range(1, SUPPRESS_BELOW - 1) if small else w.n)
    changes["waiting_histogram"] = {}
    return replace(c, **changes)


def _one_location(c: KpiCounts) -> bool:
    """Figures of one location (``--location``, or a records tree of one location)."""
    return c.location is not None or _int(c.locations) <= 1


def suppress(counts: KpiCounts) -> KpiCounts:
    """One published set of figures: its breakdown cells hidden; a location's totals too
    (its page is one location's column), while the totals of several locations together
    stay."""
    one = _one_location(counts)
    values = _cells(counts, "", with_totals=one)
    sup = _Suppressor(values, _lines(counts, "", with_totals=one))
    sup.run()
    return _apply(counts, "", sup, with_totals=one)


def suppress_columns(total: KpiCounts, parts: Mapping[str, KpiCounts]
                     ) -> tuple[KpiCounts, dict[str, KpiCounts]]:
    """A published page with a column per location or municipality and a total column:
    the breakdowns of every column and the totals of the part columns hidden (of the total
    column too when it is one location's), with secondary suppression down each column
    and along each row."""
    one = _one_location(total)
    values = _cells(total, "", with_totals=one)
    lines = _lines(total, "", with_totals=one)
    for code, c in parts.items():
        values.update(_cells(c, code, with_totals=True))
        lines += _lines(c, code, with_totals=True)
    rows: dict[tuple[str, str], list[Cell]] = {}
    for scope, name, key in values:
        if scope:
            rows.setdefault((name, key), []).append((scope, name, key))
    for (name, key), cells in rows.items():
        if name == "totals":
            lines.append(_Line(_int(total.total(key)), ("", name, key) if one else None,
                               tuple(cells)))
        elif name == "extra":
            lines.append(_Line(_int(total.extra.get(key, 0)),
                               ("", name, key) if one else None, tuple(cells)))
        elif ("", name, key) in values:
            lines.append(_Line(values[("", name, key)], ("", name, key), tuple(cells)))
    sup = _Suppressor(values, lines)
    sup.run()
    return (_apply(total, "", sup, with_totals=one),
            {code: _apply(c, code, sup, with_totals=True) for code, c in parts.items()})


__all__ = ["WAITING_DAYS_AT_LEAST", "suppress", "suppress_columns"]
