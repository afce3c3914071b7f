"""Lifecycle: statuses derived from dated events, and the rules that connect records.

Nothing here is stored. A family's status on a day follows from its referrals, their
decisions and its trajectories; a volunteer's from the active periods; a trajectory's from
its start and end. So every question "as of date D" is answered from the current files.

A trajectory is active from ``start`` up to its close date (``end``): on the day it is
closed it is closed, in every list of "today" (:meth:`TrajectoryRow.active_on`, the one
rule; :class:`WaitingScan` and :func:`hs.app.matching.histories` read it on tuples). The
annual figures still count it as active in the year of its close date (an overlap of
days, ``active_between``). A starter trajectory may end on the day the buddy trajectory
starts. Other intervals (a volunteer's periods and assignments, a location's) include
their end day.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, get_args

from hs.base.i18n import Catalog, language
from hs.records.enums import label as enum_label
from hs.records.index import (
    F_ID,
    F_REFERRALS,
    R_DATE,
    R_DECISIONS,
    T_ASSIGNMENTS,
    T_END,
    T_FAMILY,
    T_ID,
    T_KIND,
    T_START,
    FamilyRow,
    Index,
    LocationRow,
    ReferralRow,
    TrajectoryRow,
    VolunteerRow,
)
from hs.records.problems import Problem
from hs.rules.events import event_rules, signals_rules

FamilyStatus = Literal[
    "unknown", "referred", "refused", "withdrawn", "waiting", "in-trajectory", "closed"
]
VolunteerStatus = Literal["candidate", "active", "stopped"]
TrajectoryStatus = Literal["planned", "active", "closed"]
LocationStatus = Literal["planned", "active", "stopped"]
FAMILY_STATUSES: tuple[FamilyStatus, ...] = get_args(FamilyStatus)
VOLUNTEER_STATUSES: tuple[VolunteerStatus, ...] = get_args(VolunteerStatus)
TRAJECTORY_STATUSES: tuple[TrajectoryStatus, ...] = get_args(TrajectoryStatus)

MAIN_KINDS = ("buddy", "language", "coach")  # trajectories counted as support; not starter


# --- a family's status ------------------------------------------------------------------
#
# The one rule, on rows: :func:`_standing`. :func:`family_status` (as of a day, for the
# views, the KPIs, matching and the tree rules) and :func:`family_state` (also as of the
# latest recorded event, for the workflow's checks) read it. :class:`WaitingScan` is its
# fast form on the cached tuples for the waiting list and the due list;
# tests/rules/test_lifecycle.py proves the two agree on every demo record.


@dataclass(frozen=True, slots=True)
class FamilyState:
    """Where a family stands, with what put it there."""

    status: FamilyStatus
    since: dt.date | None  # the date of the event that put it there (None: unknown)
    trajectory: str | None = None  # the main trajectory (in-trajectory / closed)
    starter: str | None = None  # a starter trajectory going on (the last one begun)


def _standing(index: Index, fam: FamilyRow, day: dt.date
              ) -> tuple[FamilyStatus, dt.date | None, TrajectoryRow | None,
                         ReferralRow | None]:
    """A family's status on ``day``, the date of the event that put it there, its main
    trajectory (in-trajectory, closed) and its current referral.

    The current referral is the last one dated on or before the day, its decision the
    last one taken on or before the day. An accepted family waits until a main (not
    starter) trajectory starts on or after the referral; it is in a trajectory while one
    of those is going on, and closed after."""
    ref = fam.referral_on(day)
    if ref is None:
        return "unknown", None, None, None
    dec = ref.decision_on(day)
    if dec is None:
        return "referred", ref.date, None, ref
    if dec.decision != "accepted":
        return dec.decision, dec.date, None, ref  # type: ignore[return-value]
    start = ref.date
    last = going = None
    for t in index.trajectories_of(fam.id):
        if t.kind in MAIN_KINDS and start <= t.start <= day:
            last = t
            if t.end is None or day < t.end:  # TrajectoryRow.active_on
                going = t
    if going is not None:
        return "in-trajectory", going.start, going, ref
    if last is not None:
        return "closed", last.end, last, ref
    return "waiting", dec.date, None, ref


def family_status(index: Index, fam: FamilyRow, day: dt.date) -> FamilyStatus:
    """The family's status on ``day`` (see :func:`_standing`)."""
    return _standing(index, fam, day)[0]


def family_state(index: Index, fam: FamilyRow, day: dt.date | None = None) -> FamilyState:
    """The family's status on ``day`` (None: after its latest recorded event, future
    dates included), with the event that put it there, its main trajectory and the
    starter trajectory going on (the last one begun since the current referral)."""
    status, since, traj, ref = _standing(index, fam, dt.date.max if day is None else day)
    starter = None
    if ref is not None:
        last = dt.date.max if day is None else day
        for t in index.trajectories_of(fam.id):
            if t.kind == "starter" and ref.date <= t.start <= last and (
                    t.end is None or last < t.end):
                starter = t.id
    return FamilyState(status, since, traj.id if traj is not None else None, starter)


class WaitingScan:
    """:func:`family_state` for every family on one day, on the cached tuples
    (:meth:`hs.records.index.Index.tuples`; positions ``F_*``, ``R_*``, ``T_*``, dates as
    ordinals), so that the waiting list and the due list of a large tree make no row.

    One pass over the trajectories notes, per family, the latest start of a main
    trajectory on or before the day and the starter trajectories going on. Then, for a
    family: its current referral (:meth:`referral`), that referral's decision
    (:meth:`decision`), whether it waits (:meth:`waiting`) and the volunteer of its
    starter trajectory (:meth:`starter`). tests/rules/test_lifecycle.py proves they give
    what :func:`family_state` gives, on every demo record."""

    __slots__ = ("day", "latest_main", "starters")

    def __init__(self, index: Index, day: dt.date) -> None:
        day_o = self.day = day.toordinal()
        latest: dict[str, int] = {}
        starters: dict[str, list[tuple[Any, ...]]] = {}
        main = MAIN_KINDS
        for t in index.tuples("trajectory"):
            start = t[T_START]
            if start > day_o:
                continue
            kind = t[T_KIND]
            if kind == "starter":
                end = t[T_END]
                if end is None or day_o < end:  # TrajectoryRow.active_on
                    starters.setdefault(t[T_FAMILY], []).append(t)
            elif kind in main:
                family = t[T_FAMILY]
                seen = latest.get(family)
                if seen is None or seen < start:
                    latest[family] = start
        self.latest_main = latest
        self.starters = starters

    def referral(self, fam: tuple[Any, ...]) -> tuple[Any, ...] | None:
        """The family's current referral: the last one dated on or before the day."""
        day = self.day
        found: tuple[Any, ...] | None = None
        for r in fam[F_REFERRALS]:
            if r[R_DATE] <= day:
                found = r
        return found

    def decision(self, ref: tuple[Any, ...]) -> str | None:
        """The referral's decision on the day: the last one taken on or before it."""
        day = self.day
        found = None
        for d in ref[R_DECISIONS]:
            if d[0] <= day:
                found = d[1]
        return found

    def waiting(self, fam: tuple[Any, ...]) -> tuple[Any, ...] | None:
        """The current referral of a family waiting on the day, else None."""
        day = self.day
        ref: tuple[Any, ...] | None = None
        for r in fam[F_REFERRALS]:
            if r[R_DATE] <= day:
                ref = r
        if ref is None:
            return None
        decision = None
        for d in ref[R_DECISIONS]:
            if d[0] <= day:
                decision = d[1]
        if decision != "accepted":
            return None
        started = self.latest_main.get(fam[F_ID])
        if started is not None and started >= ref[R_DATE]:
            return None
        return ref

    def starter(self, family: str, since: int) -> str | None:
        """The volunteer, on the day, of the family's starter trajectory going on that
        began on or after ``since`` (the last one begun)."""
        found = None
        for t in self.starters.get(family, ()):
            if t[T_START] >= since and (found is None or
                                        (t[T_START], t[T_ID]) > (found[T_START], found[T_ID])):
                found = t
        if found is None:
            return None
        day = self.day
        volunteer = None
        for vid, start, end in found[T_ASSIGNMENTS]:
            if start <= day and (end is None or day <= end):
                volunteer = vid
        return volunteer

    @staticmethod
    def accepted(ref: tuple[Any, ...]) -> int:
        """When a referral was first accepted (:meth:`ReferralRow.accepted_on`); its own
        date if never."""
        for d in ref[R_DECISIONS]:
            if d[1] == "accepted":
                return int(d[0])
        return int(ref[R_DATE])


def volunteer_status(vol: VolunteerRow, day: dt.date) -> VolunteerStatus:
    """Active in a period, stopped after one, else a candidate; a candidate who dropped
    out (``dropped_out``, never active before that day) has stopped from that day."""
    if vol.active_on(day):
        return "active"
    if any(p.start <= day for p in vol.periods):
        return "stopped"
    if vol.dropped_out is not None and vol.dropped_out <= day:
        return "stopped"
    return "candidate"


def trajectory_status(traj: TrajectoryRow, day: dt.date) -> TrajectoryStatus:
    """Planned before its start, active from its start until its close date, closed on
    and after that date (:meth:`TrajectoryRow.active_on` is "active")."""
    if traj.start > day:
        return "planned"
    return "active" if traj.active_on(day) else "closed"


def location_status(loc: LocationRow, day: dt.date) -> LocationStatus:
    if day < loc.active_from:
        return "planned"
    return "active" if loc.active_on(day) else "stopped"


def training_complete(index: Index, vol: VolunteerRow, day: dt.date | None = None) -> bool:
    steps = index.vocabularies.get("training_steps", {})
    required = [code for code, entry in steps.items() if entry.get("required", True)]
    return all(code in vol.training and (day is None or vol.training[code] <= day)
               for code in required)


def check_valid_until(index: Index, vol: VolunteerRow) -> dt.date | None:
    """Last day the volunteer's criminal-record check counts as valid, or None if none."""
    if vol.check_date is None:
        return None
    months = int(index.config.get("check_validity_months", 36))
    return add_months(vol.check_date, months)


def add_months(day: dt.date, months: int) -> dt.date:
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(day.day, last))


def load(index: Index, vol_id: str, day: dt.date) -> int:
    """How many non-starter trajectories a volunteer is assigned to on ``day``."""
    n = 0
    for t in index.trajectories_with(vol_id):
        if t.kind == "starter" or not t.active_on(day):
            continue
        if t.volunteer_on(day) == vol_id:
            n += 1
    return n


# --- tree rules ------------------------------------------------------------------------
#
# The rules that connect records, for ``hs validate`` (through hs.rules.checks) and for the
# commands that check a change before they write it (hs.app.workflow). ``at.problem(rel, loc,
# code, message, severity=..., value=...)`` makes a Problem with the position of ``loc`` in
# the file ``rel``. The index may hold only the records around a change: every lookup
# tolerates a missing record or path.

_MSG = Catalog("rules.lifecycle")


class _Tree:
    """The index's tables, looked up once: the rules below run for every record of a
    tree, and each ``index.families`` (a property) costs a few microseconds."""

    __slots__ = ("families", "index", "locations", "paths", "trajectories", "volunteers")

    def __init__(self, index: Index):
        self.index = index
        self.paths = index.paths
        self.locations = index.locations
        self.families = index.families
        self.volunteers = index.volunteers
        self.trajectories = index.trajectories


def tree_rules(at: Any, index: Index, half: int | None = None) -> list[Problem]:
    """Cross-record lifecycle rules. ``at.problem(rel, loc, code, msg)`` makes a Problem.

    ``half`` (0 or 1): only that half of the rules, so that two processes can share the
    work on a large tree; the two halves together are all the rules."""
    tree = _Tree(index)
    out: list[Problem] = []
    for rules, in_half in _RULES:
        if half is None or half == in_half:
            out.extend(rules(at, tree))
    return out


def _families_rules(at: Any, tree: _Tree) -> list[Problem]:
    out: list[Problem] = []
    for fam in tree.families.values():
        out.extend(_family_rules(at, tree, fam))
    return out


def _volunteers_rules(at: Any, tree: _Tree) -> list[Problem]:
    out: list[Problem] = []
    for vol in tree.volunteers.values():
        out.extend(_volunteer_rules(at, tree, vol))
    return out


def _trajectories_rules(at: Any, tree: _Tree) -> list[Problem]:
    out: list[Problem] = []
    for traj in tree.trajectories.values():
        out.extend(_trajectory_rules(at, tree, traj))
    return out


def _main_between(index: Index, fam_id: str, first: dt.date, last: dt.date
                  ) -> list[TrajectoryRow]:
    return [t for t in index.trajectories_of(fam_id)
            if t.kind in MAIN_KINDS and first <= t.start <= last]


def _family_rules(at: Any, tree: _Tree, fam: FamilyRow) -> list[Problem]:
    rel = tree.paths.get(fam.id)
    if rel is None:
        return []
    out: list[Problem] = []
    index = tree.index
    refs = fam.referrals
    for i, ref in enumerate(refs):
        if i > 0:
            prev = refs[i - 1]
            if ref.date < prev.date:
                out.append(at.problem(rel, ("referrals", i, "date"), "date-order",
                                      _MSG("referral-order", n=i + 1, date=ref.date,
                                           prev=prev.date)))
            else:
                dec = prev.decision_on(ref.date)
                if dec is None:
                    out.append(at.problem(rel, ("referrals", i, "date"),
                                          "impossible-transition",
                                          _MSG("referral-pending", date=ref.date)))
                elif dec.decision == "accepted":
                    main = _main_between(index, fam.id, prev.date, ref.date)
                    if not main or any(t.end is None or t.end > ref.date for t in main):
                        out.append(at.problem(rel, ("referrals", i, "date"),
                                              "impossible-transition",
                                              _MSG("referral-open", date=ref.date)))
                for j, d in enumerate(prev.decisions):
                    if d.date > ref.date:
                        out.append(at.problem(rel, ("referrals", i - 1, "decisions", j,
                                                    "date"), "date-order",
                                              _MSG("decision-after-next", decision=d.decision,
                                                   date=d.date, next=ref.date)))
        last: str | None = None
        last_date = ref.date
        for j, dec in enumerate(ref.decisions):
            loc = ("referrals", i, "decisions", j)
            if dec.date < last_date:
                what = _MSG("the-referral") if j == 0 else _MSG("the-decision")
                out.append(at.problem(rel, (*loc, "date"), "date-order",
                                      _MSG("decision-order", decision=dec.decision,
                                           date=dec.date, what=what, before=last_date)))
            if last in ("refused", "withdrawn"):
                out.append(at.problem(rel, (*loc, "decision"), "impossible-transition",
                                      _MSG("after-final", decision=dec.decision, last=last)))
            elif last == "accepted" and dec.decision != "withdrawn":
                out.append(at.problem(rel, (*loc, "decision"), "impossible-transition",
                                      _MSG("after-accepted", decision=dec.decision)))
            elif last == "accepted":
                going = [t for t in _main_between(index, fam.id, ref.date, dec.date)
                         if t.active_on(dec.date)]
                if going:
                    out.append(at.problem(rel, (*loc, "decision"), "impossible-transition",
                                          _MSG("withdrawn-in-trajectory", date=dec.date,
                                               trj=going[0].id)))
            last = dec.decision
            last_date = max(last_date, dec.date)
    return out


def _volunteer_rules(at: Any, tree: _Tree, vol: VolunteerRow) -> list[Problem]:
    rel = tree.paths.get(vol.id)
    if rel is None:
        return []
    out: list[Problem] = []
    prev_end: dt.date | None = None
    for i, p in enumerate(vol.periods):
        if i > 0 and prev_end is None:
            out.append(at.problem(rel, ("active", i, "start"), "impossible-transition",
                                  _MSG("period-open")))
        elif prev_end is not None and p.start <= prev_end:
            out.append(at.problem(rel, ("active", i, "start"), "date-order",
                                  _MSG("period-order", start=p.start, end=prev_end)))
        prev_end = p.end
    return out


def _period_on(vol: VolunteerRow, day: dt.date) -> Any:
    for p in vol.periods:
        if p.start <= day and (p.end is None or day <= p.end):
            return p
    return None


def _trajectory_rules(at: Any, tree: _Tree, t: TrajectoryRow) -> list[Problem]:
    rel = tree.paths.get(t.id)
    if rel is None:
        return []
    out: list[Problem] = []
    fam = tree.families.get(t.family)
    if fam is None:
        out.append(at.problem(rel, ("family",), "dangling-reference",
                              _MSG("no-family", id=t.family)))
    else:
        ref = fam.referral_on(t.start)
        dec = ref.decision_on(t.start) if ref is not None else None
        if dec is None or dec.decision != "accepted":
            out.append(at.problem(rel, ("start",), "impossible-transition",
                                  _MSG("not-accepted", date=t.start, id=fam.id)))
    if t.end is not None and t.end < t.start:
        out.append(at.problem(rel, ("end",), "date-order",
                              _MSG("end-before-start", end=t.end, start=t.start)))
    prev_end: dt.date | None = None
    for i, a in enumerate(t.assignments):
        loc = ("volunteers", i)
        vol = tree.volunteers.get(a.volunteer)
        if vol is None:
            out.append(at.problem(rel, (*loc, "volunteer"), "dangling-reference",
                                  _MSG("no-volunteer", id=a.volunteer)))
        if i == 0 and a.start != t.start:
            out.append(at.problem(rel, (*loc, "start"), "date-order",
                                  _MSG("first-volunteer", date=a.start, start=t.start)))
        if i > 0:
            if prev_end is None:
                out.append(at.problem(rel, (*loc, "start"), "impossible-transition",
                                      _MSG("second-volunteer")))
            elif a.start < prev_end:
                out.append(at.problem(rel, (*loc, "start"), "date-order",
                                      _MSG("volunteer-overlap", date=a.start, end=prev_end)))
        if t.end is not None and a.start > t.end:
            out.append(at.problem(rel, (*loc, "start"), "date-order",
                                  _MSG("volunteer-after-close", date=a.start, end=t.end)))
        if vol is not None:
            out.extend(_assignment_activity(at, rel, loc, t, a, vol))
            if t.kind != "starter" and t.kind not in vol.roles and not (
                    t.kind == "buddy" and "coach" in vol.roles):
                out.append(at.problem(rel, (*loc, "volunteer"), "wrong-role",
                                      _MSG("wrong-role", id=vol.id, kind=(
                                          t.kind if language() == "en" else enum_label(
                                              "trajectory_kinds", t.kind, language()))),
                                      severity="warning"))
        prev_end = a.end
    out.extend(_visit_rules(at, rel, t))
    for i, r in enumerate(t.reviews):
        if r.date < t.start or (t.end is not None and r.date > t.end):
            out.append(at.problem(rel, ("reviews", i, "date"), "date-order",
                                  _MSG("review-outside", date=r.date, start=t.start,
                                       end=t.end or _MSG("now"))))
    return out


def _visit_rules(at: Any, rel: str, t: TrajectoryRow) -> list[Problem]:
    """Visits within the trajectory and in date order."""
    days = t.visit_days
    if not days:
        return []
    start_o = t.start.toordinal()
    end_o = t.end.toordinal() if t.end is not None else None
    if days[0] >= start_o and (end_o is None or days[-1] <= end_o) and \
            list(days) == sorted(days):
        return []  # in order, so the first and the last are the bounds: nothing to say
    out: list[Problem] = []
    prev_v = 0
    for i, day in enumerate(days):
        when = dt.date.fromordinal(day)
        if day < start_o:
            out.append(at.problem(rel, ("visits", i, "date"), "date-order",
                                  _MSG("visit-before", date=when, start=t.start)))
        elif end_o is not None and day > end_o:
            out.append(at.problem(rel, ("visits", i, "date"), "date-order",
                                  _MSG("visit-after", date=when, end=t.end)))
        elif day < prev_v:
            out.append(at.problem(rel, ("visits", i, "date"), "date-order",
                                  _MSG("visit-order", date=when)))
        prev_v = max(prev_v, day)
    return out


def _assignment_activity(at: Any, rel: str, loc: tuple[str | int, ...], t: TrajectoryRow,
                         a: Any, vol: VolunteerRow) -> list[Problem]:
    """The volunteer must be active on the first day of the assignment, and, if it has an
    end, until that end. (An assignment that runs to the trajectory's close while the
    volunteer stopped earlier is what happens when a volunteer stops and the trajectory
    then closes; the commands warn about it when it happens.)"""
    period = _period_on(vol, a.start)
    if period is None:
        return [at.problem(rel, (*loc, "volunteer"), "inactive-volunteer",
                           _MSG("inactive-on", id=vol.id, date=a.start))]
    if a.end is not None and period.end is not None and a.end > period.end:
        return [at.problem(rel, (*loc, "end"), "inactive-volunteer",
                           _MSG("stopped-before", id=vol.id, date=period.end, end=a.end))]
    return []


def _overlap_rules(at: Any, tree: _Tree) -> list[Problem]:
    """A family has at most one trajectory at a time; a starter may end on a start day."""
    out: list[Problem] = []
    index = tree.index
    for fam_id in sorted({t.family for t in tree.trajectories.values()}):
        trajs = index.trajectories_of(fam_id)
        if len(trajs) < 2:
            continue
        for i, a in enumerate(trajs):
            for b in trajs[i + 1:]:
                a_end = a.end or dt.date.max
                if b.start > a_end:
                    continue
                if b.start == a_end and "starter" in (a.kind, b.kind):
                    continue
                rel = tree.paths.get(b.id)
                if rel is None:
                    continue
                out.append(at.problem(rel, ("start",), "two-active-trajectories",
                                      _MSG("two-active", id=fam_id, other=a.id,
                                           date=b.start)))
    return out


def _capacity_rules(at: Any, tree: _Tree) -> list[Problem]:
    out: list[Problem] = []
    events: dict[str, list[tuple[int, int, str, int]]] = defaultdict(list)
    starts: dict[str, int] = defaultdict(int)
    for t in tree.trajectories.values():
        if t.kind == "starter":
            continue
        for i, a in enumerate(t.assignments):
            end = a.end or t.end
            starts[a.volunteer] += 1
            events[a.volunteer].append((a.start.toordinal(), 1, t.id, i))
            if end is not None:
                events[a.volunteer].append((end.toordinal() + 1, -1, t.id, i))
    for vid in sorted(events):
        evs = events[vid]
        vol = tree.volunteers.get(vid)
        if vol is None:
            continue
        if starts[vid] <= vol.capacity:
            continue  # no more assignments than the capacity: never over it
        # by day, ends (-1) before starts, then trajectory; the assignment's index as the
        # last key keeps the order in which one trajectory's events were added
        evs.sort()
        n = 0
        for day, delta, tid, i in evs:
            n += delta
            if delta > 0 and n > vol.capacity:
                rel = tree.paths.get(tid)
                if rel is not None:
                    out.append(at.problem(rel, ("volunteers", i, "volunteer"), "over-capacity",
                                          _MSG("over-capacity", id=vid, n=n,
                                               date=dt.date.fromordinal(day),
                                               capacity=vol.capacity)))
                break
    return out


def _location_rules(at: Any, tree: _Tree) -> list[Problem]:
    """Records of a location must fall within its active period. What is still open when a
    location stopped is a warning: the coordinator is to close it."""
    out: list[Problem] = []

    def outside(rel: str, loc: tuple[str | int, ...], what: str, day: dt.date,
                location: Any) -> None:
        if day < location.active_from:
            problem = _MSG("location-not-yet", what=what, date=day, id=location.id,
                           start=location.active_from)
            out.append(at.problem(rel, loc, "location-inactive",
                                  _MSG("location-start-fix", problem=problem,
                                       id=location.id)))
        elif location.active_until is not None and day > location.active_until:
            out.append(at.problem(rel, loc, "location-inactive",
                                  _MSG("location-stopped", what=what, date=day,
                                       id=location.id, end=location.active_until)))

    index, paths, locations, families = tree.index, tree.paths, tree.locations, tree.families
    a_referral, a_trajectory, a_period = _MSG("a-referral"), _MSG("a-trajectory"), \
        _MSG("a-period")
    for fam in families.values():
        location = locations.get(fam.location)
        rel = paths.get(fam.id)
        if location is None or rel is None:
            continue
        for i, ref in enumerate(fam.referrals):
            outside(rel, ("referrals", i, "date"), a_referral, ref.date, location)
        until = location.active_until
        if until is not None and fam.referrals and \
                family_status(index, fam, until) == "waiting" and \
                fam.referral.date <= until:
            out.append(at.problem(rel, ("referrals", len(fam.referrals) - 1, "date"),
                                  "location-stopped",
                                  _MSG("location-waiting", id=location.id, end=until),
                                  severity="warning"))
    for t in tree.trajectories.values():
        owner = families.get(t.family)
        rel = paths.get(t.id)
        if owner is None or rel is None:
            continue
        location = locations.get(owner.location)
        if location is None:
            continue
        outside(rel, ("start",), a_trajectory, t.start, location)
        until = location.active_until
        if until is not None and t.start <= until and (t.end is None or t.end > until):
            out.append(at.problem(rel, ("end",) if t.end is not None else ("start",),
                                  "location-stopped",
                                  _MSG("location-open-trajectory", id=location.id, end=until),
                                  severity="warning"))
    for vol in tree.volunteers.values():
        location = locations.get(vol.location)
        rel = paths.get(vol.id)
        if location is None or rel is None:
            continue
        for i, p in enumerate(vol.periods):
            outside(rel, ("active", i, "start"), a_period, p.start, location)
        until = location.active_until
        if until is not None and vol.periods:
            p = vol.periods[-1]
            if p.start <= until and (p.end is None or p.end > until):
                out.append(at.problem(rel, ("active", len(vol.periods) - 1, "start"),
                                      "location-stopped",
                                      _MSG("location-open-period", id=location.id, end=until),
                                      severity="warning"))
    return out


# Every rule over the whole tree, in the order tree_rules runs them, with the half it
# belongs to (the halves take about as long on the demo tree).
_RULES: tuple[tuple[Callable[[Any, _Tree], list[Problem]], int], ...] = (
    (_families_rules, 0),
    (_volunteers_rules, 1),
    (_trajectories_rules, 1),
    (_overlap_rules, 0),
    (_capacity_rules, 0),
    (_location_rules, 0),
    (lambda at, tree: event_rules(at, tree.index), 1),  # hs/rules/events.py
    (lambda at, tree: signals_rules(at, tree.index), 0),
)
