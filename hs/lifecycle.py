"""Lifecycle: statuses derived from dated events, and the rules that connect records.

Nothing here is stored. A family's status on a day follows from its referrals, their
decisions and its trajectories; a volunteer's from the active periods; a trajectory's from
its start and end. So every question "as of date D" is answered from the current files.

Intervals are inclusive: a trajectory is active from ``start`` to ``end`` (its close date)
included. A starter trajectory may end on the day the buddy trajectory starts.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any, Literal

from hs.index import FamilyRow, Index, TrajectoryRow, VolunteerRow
from hs.problems import Problem

FamilyStatus = Literal[
    "unknown", "referred", "refused", "withdrawn", "waiting", "in-trajectory", "closed"
]
VolunteerStatus = Literal["candidate", "active", "stopped"]
TrajectoryStatus = Literal["planned", "active", "closed"]

MAIN_KINDS = ("buddy", "language", "coach")  # trajectories counted as support; not starter


def family_status(index: Index, fam: FamilyRow, day: dt.date) -> FamilyStatus:
    ref = fam.referral_on(day)
    if ref is None:
        return "unknown"
    dec = ref.decision_on(day)
    if dec is None:
        return "referred"
    if dec.decision != "accepted":
        return dec.decision  # type: ignore[return-value]
    main = [t for t in index.trajectories_of(fam.id)
            if t.kind in MAIN_KINDS and t.start >= ref.date and t.start <= day]
    if any(t.active_on(day) for t in main):
        return "in-trajectory"
    if main:
        return "closed"
    return "waiting"


def volunteer_status(vol: VolunteerRow, day: dt.date) -> VolunteerStatus:
    if vol.active_on(day):
        return "active"
    if any(p.start <= day for p in vol.periods):
        return "stopped"
    return "candidate"


def trajectory_status(traj: TrajectoryRow, day: dt.date) -> TrajectoryStatus:
    if traj.start > day:
        return "planned"
    if traj.end is not None and traj.end < day:
        return "closed"
    return "active"


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
    import calendar

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


def tree_rules(at: Any, index: Index) -> list[Problem]:
    """Cross-record lifecycle rules. ``at.problem(rel, loc, code, msg)`` makes a Problem."""
    out: list[Problem] = []
    for fam in index.families.values():
        out.extend(_family_rules(at, index, fam))
    for vol in index.volunteers.values():
        out.extend(_volunteer_rules(at, index, vol))
    for traj in index.trajectories.values():
        out.extend(_trajectory_rules(at, index, traj))
    out.extend(_overlap_rules(at, index))
    out.extend(_capacity_rules(at, index))
    return out


def _family_rules(at: Any, index: Index, fam: FamilyRow) -> list[Problem]:
    rel = index.paths[fam.id]
    out: list[Problem] = []
    prev: dt.date | None = None
    for i, ref in enumerate(fam.referrals):
        if prev is not None and ref.date < prev:
            out.append(at.problem(rel, ("referrals", i, "date"), "date-order",
                                  f"referral {i + 1} ({ref.date}) is dated before the "
                                  f"referral above it ({prev})"))
        prev = ref.date
        last: str | None = None
        last_date = ref.date
        for j, dec in enumerate(ref.decisions):
            loc = ("referrals", i, "decisions", j)
            if dec.date < last_date:
                what = "the referral" if j == 0 else "the decision above it"
                out.append(at.problem(rel, (*loc, "date"), "date-order",
                                      f"{dec.decision} on {dec.date} is before {what} "
                                      f"({last_date})"))
            if last in ("refused", "withdrawn"):
                out.append(at.problem(rel, (*loc, "decision"), "impossible-transition",
                                      f"'{dec.decision}' after '{last}': a {last} referral "
                                      "is final; record a new referral instead"))
            elif last == "accepted" and dec.decision != "withdrawn":
                out.append(at.problem(rel, (*loc, "decision"), "impossible-transition",
                                      f"'{dec.decision}' after 'accepted': an accepted "
                                      "family can only be withdrawn"))
            last = dec.decision
            last_date = max(last_date, dec.date)
        if i < len(fam.referrals) - 1 and last in (None,):
            out.append(at.problem(rel, ("referrals", i + 1, "date"), "impossible-transition",
                                  "a new referral while the one above it has no decision"))
    return out


def _volunteer_rules(at: Any, index: Index, vol: VolunteerRow) -> list[Problem]:
    rel = index.paths[vol.id]
    out: list[Problem] = []
    prev_end: dt.date | None = None
    for i, p in enumerate(vol.periods):
        if i > 0 and prev_end is None:
            out.append(at.problem(rel, ("active", i, "start"), "impossible-transition",
                                  "a new active period while the one above has no end"))
        elif prev_end is not None and p.start <= prev_end:
            out.append(at.problem(rel, ("active", i, "start"), "date-order",
                                  f"active period starts {p.start}, not after the end of "
                                  f"the period above ({prev_end})"))
        prev_end = p.end
    return out


def _trajectory_rules(at: Any, index: Index, t: TrajectoryRow) -> list[Problem]:
    rel = index.paths[t.id]
    out: list[Problem] = []
    fam = index.families.get(t.family)
    if fam is None:
        out.append(at.problem(rel, ("family",), "dangling-reference",
                              f"family '{t.family}' does not exist"))
    else:
        ref = fam.referral_on(t.start)
        accepted = ref.accepted_on() if ref is not None else None
        if accepted is None or accepted > t.start:
            out.append(at.problem(rel, ("start",), "impossible-transition",
                                  f"trajectory starts {t.start} but family {fam.id} is not "
                                  "accepted on that day"))
    if t.end is not None and t.end < t.start:
        out.append(at.problem(rel, ("end",), "date-order",
                              f"close date {t.end} is before the start {t.start}"))
    prev_end: dt.date | None = None
    for i, a in enumerate(t.assignments):
        loc = ("volunteers", i)
        vol = index.volunteers.get(a.volunteer)
        if vol is None:
            out.append(at.problem(rel, (*loc, "volunteer"), "dangling-reference",
                                  f"volunteer '{a.volunteer}' does not exist"))
        if i == 0 and a.start != t.start:
            out.append(at.problem(rel, (*loc, "start"), "date-order",
                                  f"first volunteer starts {a.start}, not on the trajectory "
                                  f"start {t.start}"))
        if i > 0:
            if prev_end is None:
                out.append(at.problem(rel, (*loc, "start"), "impossible-transition",
                                      "a second volunteer while the one above has no end "
                                      "(replace: end the first one)"))
            elif a.start < prev_end:
                out.append(at.problem(rel, (*loc, "start"), "date-order",
                                      f"volunteer starts {a.start}, before the one above "
                                      f"ended ({prev_end})"))
        if t.end is not None and a.start > t.end:
            out.append(at.problem(rel, (*loc, "start"), "date-order",
                                  f"volunteer starts {a.start}, after the close {t.end}"))
        if vol is not None:
            first, last = a.start, a.end or t.end or a.start
            if not any(p.start <= first and (p.end is None or p.end >= first)
                       for p in vol.periods):
                out.append(at.problem(rel, (*loc, "volunteer"), "inactive-volunteer",
                                      f"volunteer {vol.id} is not active on {first}"))
            elif not vol.active_on(last) and a.end is not None:
                out.append(at.problem(rel, (*loc, "end"), "inactive-volunteer",
                                      f"volunteer {vol.id} is not active on {last}"))
            if t.kind != "starter" and t.kind not in vol.roles and not (
                    t.kind == "buddy" and "coach" in vol.roles):
                out.append(at.problem(rel, (*loc, "volunteer"), "wrong-role",
                                      f"volunteer {vol.id} has no '{t.kind}' role",
                                      severity="warning"))
        prev_end = a.end
    start_o = t.start.toordinal()
    end_o = t.end.toordinal() if t.end is not None else None
    prev_v = 0
    for i, day in enumerate(t.visit_days):
        if day < start_o:
            out.append(at.problem(rel, ("visits", i, "date"), "date-order",
                                  f"visit on {dt.date.fromordinal(day)} is before the start "
                                  f"{t.start}"))
        elif end_o is not None and day > end_o:
            out.append(at.problem(rel, ("visits", i, "date"), "date-order",
                                  f"visit on {dt.date.fromordinal(day)} is after the close "
                                  f"{t.end}"))
        elif day < prev_v:
            out.append(at.problem(rel, ("visits", i, "date"), "date-order",
                                  f"visit on {dt.date.fromordinal(day)} is listed after a "
                                  "later one; keep visits in date order"))
        prev_v = max(prev_v, day)
    for i, r in enumerate(t.reviews):
        if r.date < t.start or (t.end is not None and r.date > t.end):
            out.append(at.problem(rel, ("reviews", i, "date"), "date-order",
                                  f"review on {r.date} is outside the trajectory "
                                  f"({t.start} to {t.end or 'now'})"))
    return out


def _overlap_rules(at: Any, index: Index) -> list[Problem]:
    """A family has at most one trajectory at a time; a starter may end on a start day."""
    out: list[Problem] = []
    for fam_id in {t.family for t in index.trajectories.values()}:
        trajs = index.trajectories_of(fam_id)
        for i, a in enumerate(trajs):
            for b in trajs[i + 1:]:
                a_end = a.end or dt.date.max
                if b.start > a_end:
                    continue
                if b.start == a_end and "starter" in (a.kind, b.kind):
                    continue
                if a.kind == "starter" and b.kind == "starter":
                    pass
                rel = index.paths[b.id]
                out.append(at.problem(rel, ("start",), "two-active-trajectories",
                                      f"family {fam_id} already has trajectory {a.id} "
                                      f"active on {b.start}"))
    return out


def _capacity_rules(at: Any, index: Index) -> list[Problem]:
    out: list[Problem] = []
    events: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
    for t in index.trajectories.values():
        if t.kind == "starter":
            continue
        for a in t.assignments:
            end = a.end or t.end
            events[a.volunteer].append((a.start.toordinal(), 1, t.id))
            if end is not None:
                events[a.volunteer].append((end.toordinal() + 1, -1, t.id))
    for vid, evs in events.items():
        vol = index.volunteers.get(vid)
        if vol is None:
            continue
        evs.sort(key=lambda e: (e[0], e[1]))
        n = 0
        for day, delta, tid in evs:
            n += delta
            if delta > 0 and n > vol.capacity:
                rel = index.paths[tid]
                out.append(at.problem(rel, ("volunteers",), "over-capacity",
                                      f"volunteer {vid} has {n} families on "
                                      f"{dt.date.fromordinal(day)}; capacity is "
                                      f"{vol.capacity}", value=False))
                break
    return out
