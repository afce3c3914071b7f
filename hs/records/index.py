"""Small projections of the records: what queries (waiting list, due, KPIs, matching) need.

Rows hold no names and no notes, and a trajectory's visits only as day numbers, so that the
cache stays small and loads fast (see docs/design.md). Rows are built from validated
models on a cold read and from the cache (as plain tuples, via :mod:`marshal`) on a warm
one. This module must not import pydantic or the models: the warm path avoids them.
"""

from __future__ import annotations

import datetime as dt
import gc
import marshal
from array import array
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

Date = dt.date


# Set by the console script (a short process): objects made while the collector is paused
# are then moved out of its reach for good (gc.freeze), instead of being walked once more by
# the first collection after (15 ms for the rows of 50,000 records). A long-lived process
# (the tests) leaves this off, so that its other garbage stays collectable.
FREEZE_AFTER_PAUSE = False


@contextmanager
def paused_gc(freeze: bool = True) -> Iterator[None]:
    """No garbage collection while many rows are made: they hold no cycles, and the
    collector would otherwise walk every new object again and again (it tripled the
    time to decode the cache). ``freeze``: afterwards, move what was made out of the
    collector's reach if :data:`FREEZE_AFTER_PAUSE` says so."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if freeze and FREEZE_AFTER_PAUSE:
            gc.freeze()
        if enabled:
            gc.enable()

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


@dataclass(slots=True)
class LocationRow:
    id: str
    name: str
    municipalities: tuple[str, ...]
    neighbours: dict[str, tuple[str, ...]]
    partner: str | None
    active_from: Date
    active_until: Date | None
    fte: float | None

    def active_on(self, day: Date) -> bool:
        return self.active_from <= day and (self.active_until is None or day <= self.active_until)

    def to_tuple(self) -> tuple[Any, ...]:
        return (self.id, self.name, self.municipalities,
                {k: v for k, v in self.neighbours.items()}, self.partner,
                self.active_from.toordinal(), _o(self.active_until), self.fte)

    @classmethod
    def from_tuple(cls, t: tuple[Any, ...]) -> LocationRow:
        return cls(t[0], t[1], tuple(t[2]), {k: tuple(v) for k, v in t[3].items()}, t[4],
                   _fromord(t[5]), _d(t[6]), t[7])

    @staticmethod
    def tuple_of(rid: str, d: dict[str, Any]) -> tuple[Any, ...]:
        """What ``from_data(rid, d).to_tuple()`` gives, without making the row."""
        return (rid, d["name"], tuple(d["municipalities"]),
                {k: tuple(v) for k, v in d.get("neighbours", {}).items()}, d.get("partner"),
                _n(d["active_from"]), _n_or_none(d.get("active_until")), d.get("fte"))

    @classmethod
    def from_data(cls, rid: str, d: dict[str, Any]) -> LocationRow:
        return cls.from_tuple(cls.tuple_of(rid, d))


@dataclass(slots=True)
class DecisionRow:
    date: Date
    decision: str  # accepted | refused | withdrawn
    reason: str | None


@dataclass(slots=True)
class ReferralRow:
    date: Date
    referrer: str
    expecting: str | None  # YYYY-MM
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


@dataclass(slots=True)
class FamilyRow:
    id: str
    location: str
    municipality: str | None
    languages: tuple[str, ...]
    flags: tuple[str, ...]
    children: tuple[str, ...]  # birth months YYYY-MM
    parent_birth_years: tuple[int, ...]
    pref_gender: str | None
    pref_half_days: tuple[str, ...]
    dutch_practice: bool
    referrals: tuple[ReferralRow, ...]
    signals: tuple[str, ...]

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

    def to_tuple(self) -> tuple[Any, ...]:
        refs = tuple(
            (r.date.toordinal(), r.referrer, r.expecting,
             tuple((x.date.toordinal(), x.decision, x.reason) for x in r.decisions))
            for r in self.referrals
        )
        return (self.id, self.location, self.municipality, self.languages, self.flags,
                self.children, self.parent_birth_years, self.pref_gender,
                self.pref_half_days, self.dutch_practice, refs, self.signals)

    @classmethod
    def from_tuple(cls, t: tuple[Any, ...]) -> FamilyRow:
        refs = tuple(
            ReferralRow(_fromord(r[0]), r[1], r[2],
                        tuple(DecisionRow(_fromord(x[0]), x[1], x[2]) for x in r[3]))
            for r in t[10]
        )
        return cls(t[0], t[1], t[2], tuple(t[3]), tuple(t[4]), tuple(t[5]), tuple(t[6]),
                   t[7], tuple(t[8]), t[9], refs, tuple(t[11]))

    @staticmethod
    def tuple_of(rid: str, d: dict[str, Any]) -> tuple[Any, ...]:
        """What ``from_data(rid, d).to_tuple()`` gives, without making the row: a cold read
        of a large tree makes one for every file."""
        prefs = d.get("preferences") or {}
        refs = tuple(
            (_n(r["date"]), r["referrer"], r.get("expecting"),
             tuple((_n(x["date"]), x["decision"], x.get("reason"))
                   for x in r.get("decisions", ())))
            for r in d.get("referrals", ())
        )
        household = d.get("household") or {}
        return (rid, d["location"], d.get("municipality"), tuple(d.get("languages", ())),
                tuple(d.get("flags", ())), tuple(c["born"] for c in d.get("children", ())),
                tuple(household.get("parent_birth_years", ())), prefs.get("volunteer_gender"),
                tuple(prefs.get("half_days", ())), bool(prefs.get("dutch_practice", False)),
                refs, tuple(d.get("signals", ())))

    @classmethod
    def from_data(cls, rid: str, d: dict[str, Any]) -> FamilyRow:
        return cls.from_tuple(cls.tuple_of(rid, d))


@dataclass(slots=True)
class PeriodRow:
    start: Date
    end: Date | None
    stop_reason: str | None


@dataclass(slots=True)
class VolunteerRow:
    id: str
    location: str
    municipality: str | None
    gender: str
    birth_year: int
    languages: tuple[str, ...]
    roles: tuple[str, ...]
    availability: tuple[str, ...]
    capacity: int
    preferences: tuple[str, ...]
    training: dict[str, Date]
    check_date: Date | None
    periods: tuple[PeriodRow, ...]

    def active_on(self, day: Date) -> bool:
        return any(p.start <= day and (p.end is None or day <= p.end) for p in self.periods)

    def active_between(self, first: Date, last: Date) -> bool:
        return any(p.start <= last and (p.end is None or p.end >= first) for p in self.periods)

    def to_tuple(self) -> tuple[Any, ...]:
        return (self.id, self.location, self.municipality, self.gender, self.birth_year,
                self.languages, self.roles, self.availability, self.capacity,
                self.preferences, {k: v.toordinal() for k, v in self.training.items()},
                _o(self.check_date),
                tuple((p.start.toordinal(), _o(p.end), p.stop_reason) for p in self.periods))

    @classmethod
    def from_tuple(cls, t: tuple[Any, ...]) -> VolunteerRow:
        return cls(t[0], t[1], t[2], t[3], t[4], tuple(t[5]), tuple(t[6]), tuple(t[7]),
                   t[8], tuple(t[9]), {k: _fromord(v) for k, v in t[10].items()}, _d(t[11]),
                   tuple(PeriodRow(_fromord(p[0]), _d(p[1]), p[2]) for p in t[12]))

    @staticmethod
    def tuple_of(rid: str, d: dict[str, Any]) -> tuple[Any, ...]:
        """What ``from_data(rid, d).to_tuple()`` gives, without making the row."""
        return (rid, d["location"], d.get("municipality"), d["gender"], d["birth_year"],
                tuple(d.get("languages", ())), tuple(d.get("roles", ("buddy",))),
                tuple(d.get("availability", ())), int(d.get("capacity", 1)),
                tuple(d.get("preferences", ())),
                {k: _n(v) for k, v in d.get("training", {}).items()},
                _n_or_none(d.get("check_date")),
                tuple((_n(p["start"]), _n_or_none(p.get("end")), p.get("stop_reason"))
                      for p in d.get("active", ())))

    @classmethod
    def from_data(cls, rid: str, d: dict[str, Any]) -> VolunteerRow:
        return cls.from_tuple(cls.tuple_of(rid, d))


@dataclass(slots=True)
class AssignmentRow:
    volunteer: str
    start: Date
    end: Date | None


@dataclass(slots=True)
class ReviewRow:
    date: Date
    kind: str


class TrajectoryRow:
    """A trajectory. ``visit_days`` are the visits' day numbers (``date.toordinal()``);
    they are kept as packed bytes and decoded only when a query asks for them."""

    __slots__ = ("_impact", "_impact_blob", "_visits", "_visits_blob", "assignments",
                 "close_reason", "end", "family", "id", "kind", "reviews", "start")

    def __init__(self, id: str, family: str, kind: str, start: Date, end: Date | None,
                 close_reason: str | None, assignments: tuple[AssignmentRow, ...],
                 reviews: tuple[ReviewRow, ...], visit_days: tuple[int, ...] | bytes,
                 impact_start: dict[str, int] | bytes, impact_end: dict[str, int] | None = None):
        self.id = id
        self.family = family
        self.kind = kind
        self.start = start
        self.end = end
        self.close_reason = close_reason
        self.assignments = assignments
        self.reviews = reviews
        self._visits: tuple[int, ...] | None
        self._visits_blob: bytes | None
        if isinstance(visit_days, bytes):
            self._visits, self._visits_blob = None, visit_days
        else:
            self._visits, self._visits_blob = tuple(visit_days), None
        self._impact: tuple[dict[str, int], dict[str, int]] | None
        self._impact_blob: bytes | None
        if isinstance(impact_start, bytes):  # both, packed by the cache
            self._impact, self._impact_blob = None, impact_start
        else:
            self._impact, self._impact_blob = (impact_start, impact_end or {}), None

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
        if self._visits is None:
            self._visits = tuple(array("i", self._visits_blob or b""))
        return self._visits

    @visit_days.setter
    def visit_days(self, days: tuple[int, ...]) -> None:
        self._visits, self._visits_blob = tuple(days), None

    def __repr__(self) -> str:
        return (f"TrajectoryRow(id={self.id!r}, family={self.family!r}, kind={self.kind!r}, "
                f"start={self.start!r}, end={self.end!r}, visits={len(self.visit_days)})")

    def active_on(self, day: Date) -> bool:
        """Started on or before ``day`` and not closed before it."""
        return self.start <= day and (self.end is None or day <= self.end)

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

    def to_tuple(self) -> tuple[Any, ...]:
        blob = (self._visits_blob if self._visits is None
                else array("i", self._visits).tobytes())
        return (self.id, self.family, self.kind, self.start.toordinal(), _o(self.end),
                self.close_reason,
                tuple((a.volunteer, a.start.toordinal(), _o(a.end)) for a in self.assignments),
                tuple((r.date.toordinal(), r.kind) for r in self.reviews),
                blob, self._impact_blob if self._impact is None
                else marshal.dumps(self._impact))

    @classmethod
    def from_tuple(cls, t: tuple[Any, ...]) -> TrajectoryRow:
        return cls(t[0], t[1], t[2], _fromord(t[3]), _d(t[4]), t[5],
                   tuple(AssignmentRow(a[0], _fromord(a[1]), _d(a[2])) for a in t[6]),
                   tuple(ReviewRow(_fromord(r[0]), r[1]) for r in t[7]),
                   t[8], t[9])

    @staticmethod
    def tuple_of(rid: str, d: dict[str, Any]) -> tuple[Any, ...]:
        """What ``from_data(rid, d).to_tuple()`` gives, without making the row."""
        impact = d.get("impact") or {}
        return (rid, d["family"], d["kind"], _n(d["start"]), _n_or_none(d.get("end")),
                d.get("close_reason"),
                tuple((a["volunteer"], _n(a["start"]), _n_or_none(a.get("end")))
                      for a in d.get("volunteers", ())),
                tuple((_n(r["date"]), r["kind"]) for r in d.get("reviews", ())),
                array("i", [_n(v["date"]) for v in d.get("visits", ())]).tobytes(),
                marshal.dumps((dict(impact.get("start", {})), dict(impact.get("end", {})))))

    @classmethod
    def from_data(cls, rid: str, d: dict[str, Any]) -> TrajectoryRow:
        return cls.from_tuple(cls.tuple_of(rid, d))


ROW_TYPES: dict[str, Any] = {
    "location": LocationRow,
    "family": FamilyRow,
    "volunteer": VolunteerRow,
    "trajectory": TrajectoryRow,
}


# Positions in the tuple forms of the rows (``to_tuple``), read by whole-tree queries
# through Index.tuples: a family, one of its referrals, a trajectory.
F_ID, F_LOCATION, F_MUNICIPALITY, F_LANGUAGES, F_FLAGS, F_REFERRALS = 0, 1, 2, 3, 4, 10
R_DATE, R_REFERRER, R_EXPECTING, R_DECISIONS = 0, 1, 2, 3  # dates as ordinals
T_ID, T_FAMILY, T_KIND, T_START, T_END, T_ASSIGNMENTS = 0, 1, 2, 3, 4, 6


class Index:
    """Every valid record of a tree as rows, plus the repository's config and vocabularies.

    ``paths`` maps each record ID to its file (relative to the repository root);
    ``invalid`` lists the files that could not be read or validated (``hs validate`` says
    why); queries leave them out. Rows read from the cache are built only when a query
    first asks for their kind (the waiting list never builds a volunteer row)."""

    def __init__(self, *, locations: dict[str, LocationRow] | None = None,
                 families: dict[str, FamilyRow] | None = None,
                 volunteers: dict[str, VolunteerRow] | None = None,
                 trajectories: dict[str, TrajectoryRow] | None = None,
                 config: dict[str, Any] | None = None,
                 vocabularies: dict[str, Any] | None = None,
                 paths: dict[str, str] | None = None) -> None:
        self._rows: dict[str, dict[str, Any]] = {
            "location": locations or {}, "family": families or {},
            "volunteer": volunteers or {}, "trajectory": trajectories or {}}
        self._raw: dict[str, list[tuple[Any, ...]]] = {k: [] for k in ROW_TYPES}
        self._sources: dict[str, Callable[[], list[tuple[Any, ...]]]] = {}
        self.config: dict[str, Any] = config if config is not None else {}
        self.vocabularies: dict[str, Any] = vocabularies if vocabularies is not None else {}
        self._paths: dict[str, str] = paths if paths is not None else {}
        self._paths_source: Callable[[], dict[str, str]] | None = None
        self.invalid: list[str] = []
        self._by_family: dict[str, list[TrajectoryRow]] | None = None
        self._by_volunteer: dict[str, list[TrajectoryRow]] | None = None

    def _decode(self, kind: str) -> None:
        """Read a kind's cached tuples from their source, if not read yet."""
        source = self._sources.pop(kind, None)
        if source is not None:
            with paused_gc():
                self._raw[kind].extend(source())

    def _kind(self, kind: str) -> dict[str, Any]:
        self._decode(kind)
        with paused_gc():
            raw = self._raw[kind]
            rows = self._rows[kind]
            if raw:
                make = ROW_TYPES[kind].from_tuple
                for t in raw:
                    rows[t[0]] = make(t)
                raw.clear()
        return rows

    @property
    def paths(self) -> dict[str, str]:
        """Record ID -> file (relative to the repository root) of every valid record."""
        if self._paths_source is not None:
            source, self._paths_source = self._paths_source, None
            self._paths = {**source(), **self._paths}
        return self._paths

    @paths.setter
    def paths(self, value: dict[str, str]) -> None:
        self._paths, self._paths_source = value, None

    def set_paths_source(self, source: Callable[[], dict[str, str]]) -> None:
        """Where :attr:`paths` comes from, asked the first time it is used."""
        self._paths_source = source

    @property
    def locations(self) -> dict[str, LocationRow]:
        return self._kind("location")

    @property
    def families(self) -> dict[str, FamilyRow]:
        return self._kind("family")

    @property
    def volunteers(self) -> dict[str, VolunteerRow]:
        return self._kind("volunteer")

    @property
    def trajectories(self) -> dict[str, TrajectoryRow]:
        return self._kind("trajectory")

    def rows_made(self, kind: str) -> bool:
        """Whether a kind's rows are made (then :meth:`tuples` would make tuples again)."""
        return bool(self._rows[kind]) and not self._raw[kind] and kind not in self._sources

    def make_rows(self) -> None:
        """Make every kind's rows, the paths and the trajectories by family now, not when
        first asked for (so that processes forked after share them)."""
        for kind in ROW_TYPES:
            self._kind(kind)
        _ = self.paths
        self.trajectories_of("")

    def tuples(self, kind: str) -> list[tuple[Any, ...]]:
        """Every row of a kind in its cached tuple form (``to_tuple``; positions
        ``F_*``, ``R_*``, ``T_*``), without making row objects when they were not made yet:
        a whole-tree query on a large tree reads these (making 50,000 rows costs more than
        the query)."""
        self._decode(kind)
        raw = self._raw[kind]
        rows = self._rows[kind]
        if not rows:
            return list(raw)  # a copy: making the rows later empties the list
        out = {rid: row.to_tuple() for rid, row in rows.items()}
        for t in raw:
            out[t[0]] = t
        return list(out.values())

    def add(self, kind: str, row: Any) -> None:
        self._rows[kind][row.id] = row
        self._by_family = self._by_volunteer = None

    def set_source(self, kind: str, source: Callable[[], list[tuple[Any, ...]]]) -> None:
        """Rows of a kind to read (from the cache) when a query first asks for them."""
        self._sources[kind] = source

    def add_cached(self, kind: str, value: tuple[Any, ...]) -> None:
        """A row as the cache holds it (a tuple whose first item is the ID)."""
        self._raw[kind].append(value)
        self._by_family = self._by_volunteer = None

    def trajectories_of(self, family_id: str) -> list[TrajectoryRow]:
        """A family's trajectories in start order."""
        if self._by_family is None:
            by: dict[str, list[TrajectoryRow]] = defaultdict(list)
            for t in sorted(self.trajectories.values(), key=lambda t: (t.start, t.id)):
                by[t.family].append(t)
            self._by_family = by
        return self._by_family.get(family_id, [])

    def trajectories_with(self, volunteer_id: str) -> list[TrajectoryRow]:
        """Trajectories in which a volunteer was ever assigned, in start order."""
        if self._by_volunteer is None:
            by: dict[str, list[TrajectoryRow]] = defaultdict(list)
            for t in sorted(self.trajectories.values(), key=lambda t: (t.start, t.id)):
                for vid in {a.volunteer for a in t.assignments}:
                    by[vid].append(t)
            self._by_volunteer = by
        return self._by_volunteer.get(volunteer_id, [])

    def label(self, vocabulary: str, code: str, lang: str) -> str:
        entry = self.vocabularies.get(vocabulary, {}).get(code)
        if not entry:
            return code
        return str(entry.get(lang) or entry.get("en") or code)

    def codes(self, vocabulary: str) -> list[str]:
        return list(self.vocabularies.get(vocabulary, {}))


