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
from hs.rules.lifecycle import family_state, volunteer_status

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
    """When support of a family ended, and what ended it; None while it goes on."""
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
    signs = [d for d in (vol.registered, *vol.training.values()) if d is not None]
    if not signs:
        return None
    return "registration", max(signs)


def due_records(index: Index, until: dt.date | None = None, location: str | None = None
                ) -> list[Retention]:
    """Every family and volunteer whose retention runs out on or before ``until`` (None:
    whenever), not yet reduced, by due date."""
    cfg = settings(index.config)
    out: list[Retention] = []
    for fam in index.families.values():
        if fam.coarsened is not None or (location is not None and fam.location != location):
            continue
        end = family_ended(index, fam)
        if end is None:
            continue
        youth = YOUTH_CARE_FLAG in fam.flags
        years = cfg.youth_care_years if youth else cfg.years
        when = add_years(end[1], years)
        if until is None or when <= until:
            out.append(Retention(fam.id, "family", fam.location,
                                 "family-youth-care" if youth else "family", years,
                                 end[0], end[1], when))
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


def family_needs_consent(fam: FamilyRow, since: dt.date | None) -> dt.date | None:
    """The day from which a family lacks consent (its first referral since
    ``consent_since``), or None (it has consent, or consent is not asked of it)."""
    if since is None or fam.consent is not None or fam.coarsened is not None:
        return None
    referred = [r.date for r in fam.referrals if r.date >= since]
    return min(referred) if referred else None


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
