"""The hand-written half of the rows: the day helpers their codecs use, and the methods
queries call on them (``active_on``, ``referral_on``, ``volunteer_on``, ...).

The rows themselves, their fields and their tuple codecs are generated from the spec into
:mod:`hs.records.rows` (``python -m hs.records.codegen``); each row class there derives
from the ``<Row>Base`` class of this module when there is one. Like the rows, this module
must not import pydantic or the models: the warm path avoids them.
"""

from __future__ import annotations

import datetime as dt
import marshal
from array import array
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the generated rows import this module
    from hs.records.rows import AssignmentRow, DecisionRow, PeriodRow, ReferralRow

Date = dt.date

_fromord = dt.date.fromordinal


def _o(d: Date | None) -> int | None:
    return None if d is None else d.toordinal()


def _d(n: int | None) -> Date | None:
    return None if n is None else _fromord(n)


_DATES: dict[str, Date] = {}  # the same few thousand dates recur in every record read


def _date(value: Any) -> Date | None:
    if value is None:
        return None
    if isinstance(value, dt.date):
        return value
    found = _DATES.get(value)
    if found is None:
        found = dt.date.fromisoformat(str(value))
        if len(_DATES) < 100_000:
            _DATES[value] = found
    return found


_ORDS: dict[Any, int] = {}  # day (ISO text or date) -> its number, one int object a day


def _n(value: Any) -> int:
    """The day number of a required date of validated data (text or date)."""
    found = _ORDS.get(value)
    if found is None:
        found = (_date(value) or dt.date.min).toordinal()
        if len(_ORDS) < 100_000:
            _ORDS[value] = found
    return found


def _n_or_none(value: Any) -> int | None:
    return None if value is None else _n(value)


class LocationRowBase:
    __slots__ = ()
    active_from: Date
    active_until: Date | None

    def active_on(self, day: Date) -> bool:
        return self.active_from <= day and (self.active_until is None or day <= self.active_until)


class ReferralRowBase:
    __slots__ = ()
    decisions: tuple[DecisionRow, ...]

    def decision_on(self, day: Date) -> DecisionRow | None:
        """The last decision taken on or before ``day``."""
        last = None
        for d in self.decisions:
            if d.date <= day:
                last = d
        return last

    def accepted_on(self) -> Date | None:
        for d in self.decisions:
            if d.decision == "accepted":
                return d.date
        return None


class FamilyRowBase:
    __slots__ = ()
    referrals: tuple[ReferralRow, ...]

    @property
    def referral(self) -> ReferralRow:
        """The current (last) referral."""
        return self.referrals[-1]

    def referral_on(self, day: Date) -> ReferralRow | None:
        """The last referral dated on or before ``day``."""
        found = None
        for r in self.referrals:
            if r.date <= day:
                found = r
        return found


class VolunteerRowBase:
    __slots__ = ()
    periods: tuple[PeriodRow, ...]

    def active_on(self, day: Date) -> bool:
        return any(p.start <= day and (p.end is None or day <= p.end) for p in self.periods)

    def active_between(self, first: Date, last: Date) -> bool:
        return any(p.start <= last and (p.end is None or p.end >= first) for p in self.periods)


class TrajectoryRowBase:
    """A trajectory. ``visit_days`` are the visits' day numbers (``date.toordinal()``);
    they are kept as packed bytes (encoding ``packed_days``) and decoded only when a query
    asks for them; the impact scores likewise (``marshal_pair``). The encoded columns'
    slots are here; the generated row sets them."""

    __slots__ = ("_impact", "_impact_blob", "_visit_days", "_visit_days_blob")
    id: str
    family: str
    kind: str
    start: Date
    end: Date | None
    assignments: tuple[AssignmentRow, ...]
    _visit_days: tuple[int, ...] | None
    _visit_days_blob: bytes | None
    _impact: tuple[dict[str, int], dict[str, int]] | None
    _impact_blob: bytes | None

    @property
    def impact_start(self) -> dict[str, int]:
        return self._impacts()[0]

    @property
    def impact_end(self) -> dict[str, int]:
        return self._impacts()[1]

    def _impacts(self) -> tuple[dict[str, int], dict[str, int]]:
        if self._impact is None:
            start, end = marshal.loads(self._impact_blob or marshal.dumps(({}, {})))
            self._impact = (start, end)
        return self._impact

    @property
    def visit_days(self) -> tuple[int, ...]:
        if self._visit_days is None:
            self._visit_days = tuple(array("i", self._visit_days_blob or b""))
        return self._visit_days

    @visit_days.setter
    def visit_days(self, days: tuple[int, ...]) -> None:
        self._visit_days, self._visit_days_blob = tuple(days), None

    def __repr__(self) -> str:
        return (f"TrajectoryRow(id={self.id!r}, family={self.family!r}, kind={self.kind!r}, "
                f"start={self.start!r}, end={self.end!r}, visits={len(self.visit_days)})")

    def active_on(self, day: Date) -> bool:
        """Started on or before ``day`` and not closed on or before it: on its close date
        a trajectory is closed (the one rule of "active today"; the annual figures count
        it in the year of its close date through :meth:`active_between`)."""
        return self.start <= day and (self.end is None or day < self.end)

    def active_between(self, first: Date, last: Date) -> bool:
        return self.start <= last and (self.end is None or self.end >= first)

    def volunteer_on(self, day: Date) -> str | None:
        found = None
        for a in self.assignments:
            if a.start <= day and (a.end is None or day <= a.end):
                found = a.volunteer
        return found

    @property
    def last_visit(self) -> Date | None:
        days = self.visit_days
        return _fromord(max(days)) if days else None
