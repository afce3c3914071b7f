"""Retention: how long a family's or a volunteer's record is kept after support ends, and
what is left of it then. Written once, here; ``hs retention``, ``hs due`` and the tests use
it.

The period (``retention`` in config.yaml, :func:`settings`): ``years`` (default 1) after
support ended; ``youth_care_years`` (default 6) for a family with the ``youth-care`` profile
flag (child-protection concerns). Support ended (:func:`ended`):

* a family: on the end of its last trajectory, or on its last decision when it was
  refused or withdrew (whichever is later); a family that is referred, waiting or in a
  trajectory has not ended;
* a volunteer: on the end of the last active period once stopped; a candidate who never
  started, on the day of registration (or the last training step, if later).

What is left is declared per field in the record spec (:attr:`hs.records.spec.Field.retention`):
:func:`reduce` applies it to a record's plain data (``keep``; ``coarsen``: a date becomes
the first day of its month; ``drop``).
"""

from __future__ import annotations

import calendar
import copy
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from hs.records import spec
from hs.records.index import FamilyRow, Index, VolunteerRow
from hs.records.rows import (
    F_COARSENED,
    F_CONSENT,
    F_FLAGS,
    F_ID,
    F_LOCATION,
    F_REFERRALS,
    R_DATE,
    R_DECISIONS,
    T_END,
    T_FAMILY,
    T_KIND,
    T_START,
)
from hs.rules.lifecycle import MAIN_KINDS, family_state, volunteer_status

#: The profile flag that makes a family's retention the longer one (see the spec's
#: vocabulary ``profile_flags``).
YOUTH_CARE_FLAG = "youth-care"

RETENTION_DEFAULTS: dict[str, Any] = {"years": 1, "youth_care_years": 6,
                                      "consent_since": None}

RetentionRule = Literal["family", "family-youth-care", "volunteer", "candidate"]
RETENTION_RULES: tuple[RetentionRule, ...] = ("family", "family-youth-care", "volunteer",
                                              "candidate")
#: What support's end is counted from (see :func:`ended`).
EndCause = Literal["trajectory-end", "decision", "stop", "registration"]


@dataclass(frozen=True, slots=True)
class Settings:
    years: int
    youth_care_years: int
    consent_since: dt.date | None


@dataclass(frozen=True, slots=True)
class Retention:
    """A record whose retention runs out on ``due``: the rule, and what it counts from."""

    record: str
    kind: Literal["family", "volunteer"]
    location: str
    rule: RetentionRule
    years: int
    cause: EndCause
    since: dt.date  # the day support ended
    due: dt.date  # the day the record is to be reduced: since + years


def settings(config: Mapping[str, Any]) -> Settings:
    """The ``retention`` section of config.yaml with the defaults filled in."""
    section = config.get("retention") or {}
    since = section.get("consent_since", RETENTION_DEFAULTS["consent_since"])
    if isinstance(since, str):
        since = dt.date.fromisoformat(since)
    return Settings(int(section.get("years", RETENTION_DEFAULTS["years"])),
                    int(section.get("youth_care_years",
                                    RETENTION_DEFAULTS["youth_care_years"])),
                    since if isinstance(since, dt.date) else None)


def add_years(day: dt.date, years: int) -> dt.date:
    """The same day ``years`` later (29 February: the 28th in a common year)."""
    year = day.year + years
    return dt.date(year, day.month, min(day.day, calendar.monthrange(year, day.month)[1]))


def family_ended(index: Index, fam: FamilyRow) -> tuple[EndCause, dt.date] | None:
    """When support of a family ended, and what ended it; None while it goes on (the
    lifecycle's :func:`~hs.rules.lifecycle.family_state` after its latest event).
    :class:`EndScan` gives the same on the cached tuples (tested on the demo records)."""
    st = family_state(index, fam)
    ends = [t.end for t in index.trajectories_of(fam.id) if t.end is not None]
    if any(t.end is None for t in index.trajectories_of(fam.id)):
        return None
    if st.status == "closed":
        return "trajectory-end", max(ends)
    if st.status in ("refused", "withdrawn") and st.since is not None:
        if ends and max(ends) > st.since:
            return "trajectory-end", max(ends)
        return "decision", st.since
    return None


def volunteer_ended(vol: VolunteerRow) -> tuple[EndCause, dt.date] | None:
    """When a volunteer's engagement ended; None while active (or of unknown start)."""
    if vol.periods:
        last = vol.periods[-1]
        if last.end is None or volunteer_status(vol, dt.date.max) == "active":
            return None
        return "stop", max(p.end for p in vol.periods if p.end is not None)
    if vol.dropped_out is not None:
        return "stop", vol.dropped_out
    signs = [d for d in (vol.registered, *vol.training.values()) if d is not None]
    if not signs:
        return None
    return "registration", max(signs)


def _cutoff(until: dt.date, years: int) -> int:
    """The last day (ordinal) whose retention of ``years`` runs out on or before
    ``until`` (:func:`add_years` never decreases, so every day up to it is due too)."""
    year = until.year - years
    c = dt.date(year, until.month, min(until.day, calendar.monthrange(year, until.month)[1]))
    while add_years(c + dt.timedelta(days=1), years) <= until:
        c += dt.timedelta(days=1)
    while add_years(c, years) > until:
        c -= dt.timedelta(days=1)
    return c.toordinal()


class EndScan:
    """:func:`family_ended` for every family, on the cached tuples (no row objects: the
    due list of a large tree). One pass over the trajectories notes, per family, whether
    one is open, the latest end and the latest start of a main trajectory."""

    __slots__ = ("latest_end", "latest_main", "open")

    def __init__(self, index: Index) -> None:
        self.open: set[str] = set()
        self.latest_end: dict[str, int] = {}
        self.latest_main: dict[str, int] = {}
        for t in index.tuples("trajectory"):
            fam, end = t[T_FAMILY], t[T_END]
            if end is None:
                self.open.add(fam)
            elif end > self.latest_end.get(fam, 0):
                self.latest_end[fam] = end
            if t[T_KIND] in MAIN_KINDS and t[T_START] > self.latest_main.get(fam, 0):
                self.latest_main[fam] = t[T_START]

    def ended(self, fam: tuple[Any, ...]) -> tuple[EndCause, int] | None:
        """(what ended it, the day as an ordinal), or None while support goes on."""
        fid = fam[F_ID]
        if fid in self.open or not fam[F_REFERRALS]:
            return None
        ref = fam[F_REFERRALS][-1]
        decisions = ref[R_DECISIONS]
        if not decisions:
            return None  # referred
        date, decision = decisions[-1][0], decisions[-1][1]
        last_end = self.latest_end.get(fid)
        if decision != "accepted":
            if last_end is not None and last_end > date:
                return "trajectory-end", last_end
            return "decision", date
        started = self.latest_main.get(fid)
        if started is None or started < ref[R_DATE] or last_end is None:
            return None  # waiting
        return "trajectory-end", last_end


def due_records(index: Index, until: dt.date | None = None, location: str | None = None
                ) -> list[Retention]:
    """Every family and volunteer whose retention runs out on or before ``until`` (None:
    whenever), not yet reduced, by due date."""
    cfg = settings(index.config)
    out: list[Retention] = []
    scan = EndScan(index)
    fromord = dt.date.fromordinal
    cutoffs = {} if until is None else {
        y: _cutoff(until, y) for y in {cfg.years, cfg.youth_care_years}}
    for fam in index.tuples("family"):
        if fam[F_COARSENED] is not None or (location is not None
                                             and fam[F_LOCATION] != location):
            continue
        end = scan.ended(fam)
        if end is None:
            continue
        youth = YOUTH_CARE_FLAG in fam[F_FLAGS]
        years = cfg.youth_care_years if youth else cfg.years
        if cutoffs and end[1] > cutoffs[years]:
            continue
        since = fromord(end[1])
        when = add_years(since, years)
        if until is None or when <= until:
            out.append(Retention(fam[F_ID], "family", fam[F_LOCATION],
                                 "family-youth-care" if youth else "family", years,
                                 end[0], since, when))
    for vol in index.volunteers.values():
        if vol.coarsened is not None or (location is not None and vol.location != location):
            continue
        vend = volunteer_ended(vol)
        if vend is None:
            continue
        when = add_years(vend[1], cfg.years)
        if until is None or when <= until:
            out.append(Retention(vol.id, "volunteer", vol.location,
                                 "candidate" if vend[0] == "registration" else "volunteer",
                                 cfg.years, vend[0], vend[1], when))
    out.sort(key=lambda r: (r.due, r.record))
    return out


# --- consent -------------------------------------------------------------------------------


def family_needs_consent(fam: tuple[Any, ...], since: dt.date | None) -> dt.date | None:
    """The day from which a family (its cached tuple) lacks consent: its first referral
    since ``consent_since``; None if it has consent, or consent is not asked of it."""
    if since is None or fam[F_CONSENT] is not None or fam[F_COARSENED] is not None:
        return None
    first = since.toordinal()
    referred = [r[R_DATE] for r in fam[F_REFERRALS] if r[R_DATE] >= first]
    return dt.date.fromordinal(min(referred)) if referred else None


def volunteer_needs_consent(vol: VolunteerRow, since: dt.date | None) -> dt.date | None:
    """The same for a volunteer: registered (or first active) since ``consent_since``."""
    if since is None or vol.consent is not None or vol.coarsened is not None:
        return None
    first = vol.registered or (vol.periods[0].start if vol.periods else None)
    return first if first is not None and first >= since else None


# --- what is left --------------------------------------------------------------------------


def coarsen_date(value: Any) -> Any:
    """A date (or ISO date text) as the first day of its month, in the same form."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.replace(day=1)
    if isinstance(value, str) and len(value) == 10:
        return value[:8] + "01"
    return value


def _coarsen(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _coarsen(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_coarsen(v) for v in value]
    return coarsen_date(value)


def changes(kind: str, data: Mapping[str, Any]) -> list[tuple[tuple[str | int, ...], str]]:
    """What retention does to one record's plain data: each path (keys and list
    indexes) that the spec says to ``drop`` or ``coarsen``, with that action, for the
    values the record holds."""
    out: list[tuple[tuple[str | int, ...], str]] = []

    def walk(group: spec.Group, node: Mapping[str, Any], path: tuple[str | int, ...]) -> None:
        names = {g.name for g in spec.GROUPS}
        for f in group.fields:
            if f.name not in node:
                continue
            here = (*path, f.name)
            if f.retention != "keep":
                out.append((here, f.retention))
                continue
            inner = f.type.removeprefix("list[").removesuffix("]")
            value = node[f.name]
            if inner in names:
                sub = spec.group_named(inner)
                if isinstance(value, list):
                    for i, item in enumerate(value):
                        if isinstance(item, Mapping):
                            walk(sub, item, (*here, i))
                elif isinstance(value, Mapping):
                    walk(sub, value, here)

    walk(spec.KINDS[kind].group, data, ())
    return out


def reduce(kind: str, data: Mapping[str, Any], day: dt.date) -> dict[str, Any]:
    """A copy of a record's plain data as retention leaves it on ``day``: fields the spec
    marks ``drop`` removed, ``coarsen`` coarsened, the rest kept; ``coarsened`` set."""
    out: dict[str, Any] = copy.deepcopy(dict(data))
    for path, action in changes(kind, out):
        parent: Any = out
        for part in path[:-1]:
            parent = parent[part]
        if action == "drop":
            del parent[path[-1]]
        else:
            parent[path[-1]] = _coarsen(parent[path[-1]])
    out["coarsened"] = day
    return out
