"""Read-only views of records: lists with filters, and one record in full.

Lists are whole-tree queries over the cached rows of :mod:`hs.records.index`; they carry IDs and
codes, never names or notes. Names are read from the record files only when asked for
(:func:`names`). :func:`record_view` reads one record file in full (the user asked to see
it) and adds its status as of a day and the records related to it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from hs.app.eventviews import event_related
from hs.base.errors import InvalidRecord, UsageError
from hs.base.i18n import Catalog
from hs.records.ids import TRAJECTORY_KINDS
from hs.records.index import FamilyRow, Index, TrajectoryRow
from hs.records.problems import quotable
from hs.rules.lifecycle import (
    FAMILY_STATUSES,
    MAIN_KINDS,
    TRAJECTORY_STATUSES,
    VOLUNTEER_STATUSES,
    check_valid_until,
    family_status,
    load,
    location_status,
    training_complete,
    trajectory_status,
    volunteer_status,
)
from hs.store.yamlio import decode, load_plain

if TYPE_CHECKING:
    from hs.store.repo import Repo

MSG = Catalog("app.views")


def _check_choice(option: str, value: str | None, choices: tuple[str, ...]) -> None:
    if value is not None and value not in choices:
        shown = f"'{value}'" if quotable(value, "code") else MSG("not-shown")
        raise UsageError(MSG("not-one-of", option=option, value=shown,
                             choices=", ".join(choices)))


def check_location(index: Index, location: str | None) -> None:
    """A --location value must be a location of the tree: else a usage error (exit 2).
    Every command that takes --location checks it here."""
    if location is not None and location not in index.locations:
        known = ", ".join(sorted(index.locations)) or MSG("none")
        raise UsageError(MSG("no-location", code=location, known=known))


# --- lists ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FamilyItem:
    id: str
    location: str
    municipality: str | None
    status: str
    referred: dt.date | None  # date of the referral current on the day
    accepted: dt.date | None
    trajectory: str | None  # the main trajectory active on the day, else the last one
    volunteer: str | None  # the volunteer of that trajectory on the day
    children: int
    languages: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class VolunteerItem:
    id: str
    location: str
    municipality: str | None
    status: str
    roles: tuple[str, ...]
    languages: tuple[str, ...]
    capacity: int
    load: int  # non-starter trajectories on the day
    trained: bool  # every required training step done by the day
    check_valid_until: dt.date | None


@dataclass(frozen=True, slots=True)
class TrajectoryItem:
    id: str
    family: str
    location: str
    kind: str
    status: str
    start: dt.date
    end: dt.date | None
    volunteer: str | None  # on the day, else the last one assigned
    visits: int  # visits on or before the day
    last_visit: dt.date | None


def _current_main(trajs: list[TrajectoryRow], day: dt.date) -> TrajectoryRow | None:
    last = None
    for t in trajs:
        if t.kind in MAIN_KINDS and t.start <= day:
            if t.active_on(day):
                return t
            last = t
    return last


def _volunteer_of(t: TrajectoryRow, day: dt.date) -> str | None:
    on = t.volunteer_on(min(day, t.end or day))
    if on is None and t.assignments:
        return t.assignments[-1].volunteer if t.start <= day else t.assignments[0].volunteer
    return on


def list_families(index: Index, day: dt.date, location: str | None = None,
                  status: str | None = None) -> list[FamilyItem]:
    """Families (of a location, with a status on ``day``) by location, referral date, ID."""
    _check_choice("--status", status, FAMILY_STATUSES)
    check_location(index, location)
    out: list[FamilyItem] = []
    for fam in index.families.values():
        if location is not None and fam.location != location:
            continue
        st = family_status(index, fam, day)
        if status is not None and st != status:
            continue
        out.append(_family_item(index, fam, st, day))
    out.sort(key=lambda f: (f.location, f.referred or dt.date.min, f.id))
    return out


def _family_item(index: Index, fam: FamilyRow, status: str, day: dt.date) -> FamilyItem:
    ref = fam.referral_on(day)
    accepted = None
    if ref is not None:
        dec = ref.decision_on(day)
        accepted = ref.accepted_on() if dec is not None else None
        if accepted is not None and accepted > day:
            accepted = None
    traj = _current_main(index.trajectories_of(fam.id), day)
    return FamilyItem(fam.id, fam.location, fam.municipality, status,
                      ref.date if ref is not None else None, accepted,
                      traj.id if traj is not None else None,
                      _volunteer_of(traj, day) if traj is not None else None,
                      sum(1 for born in fam.children if born <= f"{day:%Y-%m}"),
                      fam.languages)


def list_volunteers(index: Index, day: dt.date, location: str | None = None,
                    status: str | None = None, role: str | None = None
                    ) -> list[VolunteerItem]:
    """Volunteers (of a location, with a status on ``day``, with a role) by location, ID."""
    _check_choice("--status", status, VOLUNTEER_STATUSES)
    _check_choice("--role", role, TRAJECTORY_KINDS)
    check_location(index, location)
    out: list[VolunteerItem] = []
    for vol in index.volunteers.values():
        if location is not None and vol.location != location:
            continue
        if role is not None and role not in vol.roles:
            continue
        st = volunteer_status(vol, day)
        if status is not None and st != status:
            continue
        out.append(VolunteerItem(vol.id, vol.location, vol.municipality, st, vol.roles,
                                 vol.languages, vol.capacity, load(index, vol.id, day),
                                 training_complete(index, vol, day),
                                 check_valid_until(index, vol)))
    out.sort(key=lambda v: (v.location, v.id))
    return out


def list_trajectories(index: Index, day: dt.date, location: str | None = None,
                      status: str | None = None, kind: str | None = None,
                      volunteer: str | None = None, family: str | None = None
                      ) -> list[TrajectoryItem]:
    """Trajectories (filtered) by location, start, ID. ``volunteer``: ever assigned."""
    _check_choice("--status", status, TRAJECTORY_STATUSES)
    _check_choice("--kind", kind, TRAJECTORY_KINDS)
    check_location(index, location)
    if volunteer is not None:
        pool = index.trajectories_with(volunteer)
    elif family is not None:
        pool = index.trajectories_of(family)
    else:
        pool = list(index.trajectories.values())
    day_o = day.toordinal()
    out: list[TrajectoryItem] = []
    for t in pool:
        if family is not None and t.family != family:
            continue
        if kind is not None and t.kind != kind:
            continue
        fam = index.families.get(t.family)
        loc = fam.location if fam is not None else ""
        if location is not None and loc != location:
            continue
        st = trajectory_status(t, day)
        if status is not None and st != status:
            continue
        seen = [v for v in t.visit_days if v <= day_o]
        out.append(TrajectoryItem(t.id, t.family, loc, t.kind, st, t.start, t.end,
                                  _volunteer_of(t, day), len(seen),
                                  dt.date.fromordinal(max(seen)) if seen else None))
    out.sort(key=lambda t: (t.location, t.start, t.id))
    return out


# --- one record ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Related:
    """A record related to the one shown: a family's trajectories, a trajectory's family
    and volunteers, a volunteer's trajectories."""

    kind: str  # family | trajectory | volunteer
    id: str
    status: str
    trajectory_kind: str | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    family: str | None = None  # for a volunteer's trajectory
    volunteer: str | None = None  # for a family's trajectory: the volunteer on the day


@dataclass(frozen=True, slots=True)
class RecordView:
    kind: str  # location | family | volunteer | trajectory
    id: str
    path: str  # relative to the repository root
    status: str
    day: dt.date
    data: dict[str, Any]  # the file's data as it is (plain JSON data)
    related: tuple[Related, ...]


def record_view(repo: Repo, prefix: str, day: dt.date) -> RecordView:
    """One record by ID or unique prefix, in full, with status and related records."""
    kind, rid = repo.resolve(prefix)
    index = repo.index
    rel = index.paths.get(rid)
    if rel is None:
        report = repo.load()
        problem = next((p for p in report.problems
                        if p.path.rsplit("/", 1)[-1].rsplit(".", 1)[0] == rid), None)
        raise InvalidRecord(str(problem) if problem else MSG("not-valid", id=rid),
                            hint=MSG("run-validate"))
    data = load_plain(decode((repo.root / rel).read_bytes()))
    related: list[Related] = []
    status: str
    if kind == "family":
        fam = index.families[rid]
        status = family_status(index, fam, day)
        for t in index.trajectories_of(rid):
            related.append(Related("trajectory", t.id, trajectory_status(t, day), t.kind,
                                   t.start, t.end, volunteer=_volunteer_of(t, day)))
    elif kind == "volunteer":
        vol = index.volunteers[rid]
        status = volunteer_status(vol, day)
        for t in index.trajectories_with(rid):
            related.append(Related("trajectory", t.id, trajectory_status(t, day), t.kind,
                                   t.start, t.end, family=t.family))
    elif kind == "trajectory":
        traj = index.trajectories[rid]
        status = trajectory_status(traj, day)
        fam_row = index.families.get(traj.family)
        related.append(Related("family", traj.family,
                               family_status(index, fam_row, day) if fam_row else "unknown"))
        for a in traj.assignments:
            vol_row = index.volunteers.get(a.volunteer)
            related.append(Related("volunteer", a.volunteer,
                                   volunteer_status(vol_row, day) if vol_row else "unknown",
                                   start=a.start, end=a.end))
    elif kind == "event":  # hs/app/eventviews.py
        status, attended = event_related(index, rid, day)
        related.extend(Related(k, i, st) for k, i, st in attended)
    else:
        status = location_status(index.locations[rid], day)
    return RecordView(kind, rid, rel, status, day, data, tuple(related))
