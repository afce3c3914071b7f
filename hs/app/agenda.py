"""The coordinator's agenda: the waiting list and what is due, as of a day.

Both are whole-tree queries. They read the cached rows of :mod:`hs.records.index` only (never the
record files, pydantic or ruamel), in one pass over each kind of record, so that they stay
fast on a large tree. Statuses come from :mod:`hs.rules.lifecycle` (on the cached tuples:
:class:`hs.rules.lifecycle.WaitingScan`), so that "waiting" means the same here as in the
KPIs and everywhere else.

Waiting list priority (``config.perinatal_priority``, on by default): perinatal families
first (a referral with an expected birth month, or the ``perinatal`` flag), those with an
expected birth month ordered by it, earliest first; then every other family; within each
group the longest waiting first (earliest acceptance).

What is due (:func:`due`), each with a due date: a six-month review, a closing conversation
(after a year, or after an extension), a trajectory without a visit for
``no_visit_days``, a referral without a decision after ``undecided_days``, a waiting family
without a starter volunteer, an active volunteer whose criminal-record check is missing or
runs out, a family or volunteer without consent (referred or registered since
``retention.consent_since``), a record whose retention runs out (:mod:`hs.rules.retention`:
``hs retention --apply``). An item is listed when its due date is on or before the day plus
the window.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

from hs.records.index import (
    F_FLAGS,
    F_ID,
    F_LANGUAGES,
    F_LOCATION,
    F_MUNICIPALITY,
    R_DATE,
    R_EXPECTING,
    Index,
)
from hs.rules import retention
from hs.rules.lifecycle import MAIN_KINDS, WaitingScan, check_valid_until, trajectory_status

DUE_DEFAULTS: dict[str, int] = {
    "six_month_review_days": 182,
    "closing_days": 365,
    "extension_days": 182,
    "no_visit_days": 21,
    "undecided_days": 14,
    "within_days": 7,
}

DueWhat = Literal["six-month-review", "closing", "no-visit", "undecided", "no-starter",
                  "check", "consent", "retention"]
DUE_WHAT: tuple[DueWhat, ...] = ("six-month-review", "closing", "no-visit", "undecided",
                                 "no-starter", "check", "consent", "retention")
DueCause = Literal[
    "no-six-month-review",  # since = trajectory start
    "no-closing",  # since = trajectory start
    "extension-ends",  # since = date of the (last) extension review
    "last-visit",  # since = last visit
    "no-visits",  # since = trajectory start (no visit logged at all)
    "no-decision",  # since = referral date
    "no-starter",  # since = acceptance
    "check-expires",  # since = check date
    "check-missing",  # since = start of the current active period
    "no-consent",  # since = first referral (family) or registration (volunteer)
    "support-ended",  # since = end of support (hs.rules.retention.ended)
]


@dataclass(frozen=True, slots=True)
class WaitingFamily:
    """One family on the waiting list on a day. ``rank`` is 1 for the first to start."""

    rank: int
    family: str
    location: str
    municipality: str | None
    referred: dt.date
    accepted: dt.date
    days_waiting: int
    perinatal: bool
    expecting: str | None  # expected birth month YYYY-MM, if the referral has one
    starter: str | None  # volunteer ID of the starter trajectory active on the day
    languages: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DueItem:
    """Something that needs the coordinator. ``days_overdue`` < 0: due in that many days."""

    what: DueWhat
    cause: DueCause
    record: str  # a trajectory, family or volunteer ID
    location: str
    due: dt.date
    days_overdue: int
    since: dt.date  # the event the due date counts from (see DueCause)


def due_settings(index: Index) -> dict[str, int]:
    """The ``due`` section of config.yaml with the defaults filled in."""
    section = index.config.get("due") or {}
    return {k: int(section.get(k, v)) for k, v in DUE_DEFAULTS.items()}


def waiting_list(index: Index, day: dt.date, location: str | None = None
                 ) -> list[WaitingFamily]:
    """The families waiting for a buddy on ``day`` (of one location), in priority order."""
    perinatal_first = bool(index.config.get("perinatal_priority", True))
    scan = WaitingScan(index, day)
    day_o = scan.day
    fromord = dt.date.fromordinal
    keyed: list[tuple[tuple[Any, ...], tuple[Any, ...]]] = []
    for fam in index.tuples("family"):
        if location is not None and fam[F_LOCATION] != location:
            continue
        ref = scan.waiting(fam)
        if ref is None:
            continue
        accepted = scan.accepted(ref)
        expecting = ref[R_EXPECTING]
        perinatal = expecting is not None or "perinatal" in fam[F_FLAGS]
        fields = (fam[F_ID], fam[F_LOCATION], fam[F_MUNICIPALITY], fromord(ref[R_DATE]),
                  fromord(accepted), day_o - accepted, perinatal, expecting,
                  scan.starter(fam[F_ID], ref[R_DATE]), tuple(fam[F_LANGUAGES]))
        if perinatal_first and perinatal:
            group = (0, 0, expecting) if expecting else (0, 1, "")
        else:
            group = (1, 0, "")
        keyed.append(((*group, accepted, ref[R_DATE], fam[F_ID]), fields))
    keyed.sort(key=lambda pair: pair[0])
    return [WaitingFamily(rank, *fields) for rank, (_, fields) in enumerate(keyed, 1)]


def due(index: Index, day: dt.date, within: int | None = None,
        location: str | None = None) -> list[DueItem]:
    """Everything due on or before ``day + within`` days (or overdue), by due date.

    ``within`` defaults to ``due.within_days`` of config.yaml."""
    cfg = due_settings(index)
    if within is None:
        within = cfg["within_days"]
    horizon = day + dt.timedelta(days=within)
    items: list[DueItem] = []

    def add(what: DueWhat, cause: DueCause, rid: str, loc: str, when: dt.date,
            since: dt.date) -> None:
        if when <= horizon:
            items.append(DueItem(what, cause, rid, loc, when, (day - when).days, since))

    six = dt.timedelta(days=cfg["six_month_review_days"])
    closing = dt.timedelta(days=cfg["closing_days"])
    extension = dt.timedelta(days=cfg["extension_days"])
    no_visit = dt.timedelta(days=cfg["no_visit_days"])
    undecided = dt.timedelta(days=cfg["undecided_days"])
    day_o = day.toordinal()
    scan = WaitingScan(index, day)  # first: it reads the trajectories before rows are made
    location_of = {fam[F_ID]: fam[F_LOCATION] for fam in index.tuples("family")}

    for t in index.trajectories.values():
        if t.kind not in MAIN_KINDS or trajectory_status(t, day) != "active":
            continue
        loc = location_of.get(t.family, "")
        if location is not None and loc != location:
            continue
        kinds: set[str] = set()
        last_turn: tuple[dt.date, str] | None = None  # last closing or extension review
        for r in t.reviews:
            if r.date > day:
                continue
            kinds.add(r.kind)
            if r.kind in ("closing", "extension") and (last_turn is None
                                                         or r.date >= last_turn[0]):
                last_turn = (r.date, r.kind)
        if not kinds & {"six-month", "closing", "extension"}:
            add("six-month-review", "no-six-month-review", t.id, loc, t.start + six, t.start)
        if last_turn is None:
            add("closing", "no-closing", t.id, loc, t.start + closing, t.start)
        elif last_turn[1] == "extension":
            add("closing", "extension-ends", t.id, loc, last_turn[0] + extension,
                last_turn[0])
        visits = t.visit_days
        last = max(visits) if visits else None
        if last is not None and last > day_o:
            last = max((v for v in visits if v <= day_o), default=None)
        if last is None:
            add("no-visit", "no-visits", t.id, loc, t.start + no_visit, t.start)
        else:
            seen = dt.date.fromordinal(last)
            add("no-visit", "last-visit", t.id, loc, seen + no_visit, seen)

    for fam in index.tuples("family"):
        loc = fam[F_LOCATION]
        if location is not None and loc != location:
            continue
        ref = scan.referral(fam)
        if ref is None:
            continue
        referred = dt.date.fromordinal(ref[R_DATE])
        if scan.decision(ref) is None:  # lifecycle status 'referred'
            add("undecided", "no-decision", fam[F_ID], loc, referred + undecided, referred)
        elif scan.waiting(fam) is not None and scan.starter(fam[F_ID], ref[R_DATE]) is None:
            accepted = dt.date.fromordinal(scan.accepted(ref))
            add("no-starter", "no-starter", fam[F_ID], loc, accepted, accepted)

    for vol in index.volunteers.values():
        if (location is not None and vol.location != location) or not vol.active_on(day):
            continue
        until = check_valid_until(index, vol)
        if vol.check_date is None or until is None:
            # the current active period is the last one begun (periods do not overlap)
            since = max(p.start for p in vol.periods if p.start <= day)
            add("check", "check-missing", vol.id, vol.location, since, since)
        else:
            add("check", "check-expires", vol.id, vol.location, until, vol.check_date)

    consent_since = retention.settings(index.config).consent_since
    if consent_since is not None:
        for fam in index.tuples("family"):
            if location is None or fam[F_LOCATION] == location:
                lacking = retention.family_needs_consent(fam, consent_since)
                if lacking is not None:
                    add("consent", "no-consent", fam[F_ID], fam[F_LOCATION], lacking, lacking)
        for vrow in index.volunteers.values():
            if location is None or vrow.location == location:
                lacking = retention.volunteer_needs_consent(vrow, consent_since)
                if lacking is not None:
                    add("consent", "no-consent", vrow.id, vrow.location, lacking, lacking)
    for kept in retention.due_records(index, horizon, location):
        add("retention", "support-ended", kept.record, kept.location, kept.due, kept.since)

    order = {w: i for i, w in enumerate(DUE_WHAT)}
    items.sort(key=lambda i: (i.due, order[i.what], i.record))
    return items
