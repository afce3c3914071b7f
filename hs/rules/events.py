"""The rules of volunteer events and of family signals, across records.

An event's attendees must be volunteers of the tree who had not stopped by the day of
the event (a volunteer is registered from the first day the record shows: the
registration, an active period, a training step or a check). Training may come before
registration (people attend the info session and the modules before they register, and
``hs volunteer train`` takes any past day): an event that records a training step
(:func:`event_step`) may be attended before any other date; another event (intervision,
online) not. A start-training module (kind ``module``) names its training step; no other
kind does. An event of another kind records the training step with the same code as its
kind, if the ``training_steps`` vocabulary has one (``info-session``): the mapping is the
two vocabularies, not a table. An event's location, if
any, must exist (none: the central office's event). A family's signals are in date
order and not before the family's first referral.

Each rule is written once here and called by ``hs validate`` (through
:func:`hs.rules.lifecycle.tree_rules`) and by the workflow before it writes
(:func:`attendance_problem`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from hs.base.i18n import Catalog
from hs.records.problems import Problem
from hs.records.rows import E_ATTENDEES, E_ID, E_LOCATION

#: The event kinds whose meaning the rules and the figures know (codes of the
#: ``event_kinds`` vocabulary).
INFO_SESSION = "info-session"
MODULE = "module"
INTERVISION = "intervision"
ONLINE = "online"

_MSG = Catalog("rules.events")


def event_step(kind: str, step: str | None, training_steps: Mapping[str, Any]
               ) -> str | None:
    """The training step that attending an event records: a module's own step; for
    another kind, the training step whose code is the kind's (``info-session``), if the
    ``training_steps`` vocabulary (``training_steps``: code -> entry) has it."""
    if step is not None:
        return step
    if kind != MODULE and kind in training_steps:
        return kind
    return None


def _first_date(vol: Any) -> dt.date | None:
    days = [p.start for p in vol.periods] + list(vol.training.values())
    for day in (vol.check_date, vol.registered):
        if day is not None:
            days.append(day)
    return min(days, default=None)


def not_registered_on(vol: Any, day: dt.date) -> dt.date | None:
    """The first date of the volunteer's record if it is after ``day``, else None."""
    first = _first_date(vol)
    return first if first is not None and day < first else None


def attendance_problem(vol: Any, day: dt.date, kind: str | None = None, *,
                       training: bool = False) -> str | None:
    """Why a volunteer (row) cannot have attended an event of ``kind`` on ``day``, or
    None. A volunteer who stopped and has no later period had stopped; one whose record
    starts after the day was not registered yet, unless the event is training
    (``training``: it records a training step; an info session always is)."""
    periods = vol.periods
    if periods and periods[-1].end is not None and periods[-1].end < day:
        return _MSG("stopped", id=vol.id, end=periods[-1].end, date=day)
    first = not_registered_on(vol, day)
    if not training and kind != INFO_SESSION and first is not None:
        return _MSG("not-yet", id=vol.id, date=day, first=first)
    return None


def event_rules(at: Any, index: Any) -> list[Problem]:
    """The problems of every event of the index."""
    out: list[Problem] = []
    paths, volunteers, locations = index.paths, index.volunteers, index.locations
    steps = index.vocabularies.get("training_steps", {})
    for ev in index.events.values():
        rel = paths.get(ev.id)
        if rel is None:
            continue
        if ev.kind == MODULE and ev.step is None:
            out.append(at.problem(rel, ("kind",), "impossible-transition",
                                  _MSG("module-step")))
        elif ev.kind != MODULE and ev.step is not None:
            out.append(at.problem(rel, ("step",), "impossible-transition", _MSG("step-kind")))
        if ev.location is not None and ev.location not in locations:
            out.append(at.problem(rel, ("location",), "dangling-reference",
                                  _MSG("no-location", id=ev.location)))
        seen: set[str] = set()
        for i, vid in enumerate(ev.attendees):
            if vid in seen:
                out.append(at.problem(rel, ("attendees", i), "duplicate-attendee",
                                      _MSG("twice", id=vid)))
                continue
            seen.add(vid)
            vol = volunteers.get(vid)
            if vol is None:
                out.append(at.problem(rel, ("attendees", i), "dangling-reference",
                                      _MSG("no-volunteer", id=vid)))
                continue
            why = attendance_problem(vol, ev.date, ev.kind,
                                     training=event_step(ev.kind, ev.step, steps) is not None)
            if why is not None:
                out.append(at.problem(rel, ("attendees", i), "date-order", why))
    return out


def signal_rules(at: Any, rel: str, fam: Any) -> list[Problem]:
    """A family's signals: in date order, not before its first referral."""
    out: list[Problem] = []
    first = fam.referrals[0].date if fam.referrals else None
    latest: dt.date | None = None
    for i, s in enumerate(fam.signals):
        if latest is not None and s.date < latest:
            out.append(at.problem(rel, ("signals", i, "date"), "date-order",
                                  _MSG("signal-order", date=s.date, later=latest)))
        elif first is not None and s.date < first:
            out.append(at.problem(rel, ("signals", i, "date"), "date-order",
                                  _MSG("signal-early", date=s.date, first=first)))
        latest = s.date if latest is None else max(latest, s.date)
    return out


def signals_rules(at: Any, index: Any) -> list[Problem]:
    out: list[Problem] = []
    paths = index.paths
    for fam in index.families.values():
        if fam.signals:
            rel = paths.get(fam.id)
            if rel is not None:
                out.extend(signal_rules(at, rel, fam))
    return out


def events_touched(index: Any, changed: Mapping[str, str], volunteers: set[str],
                   places: set[str]) -> tuple[set[str], set[str]]:
    """The events whose problems a change can change, and the volunteers their rules
    read. An event's problems are in its own file and read its attendees and its
    location: so the events changed, those that list one of ``volunteers`` (changed, or
    read by the other rules) and those of a location of ``places`` (changed)."""
    events = {rid for rid, kind in changed.items() if kind == "event"}
    if volunteers or places:
        if index.rows_made("event"):
            events.update(e.id for e in index.events.values()
                          if e.location in places or not volunteers.isdisjoint(e.attendees))
        else:
            events.update(t[E_ID] for t in index.tuples("event")
                          if t[E_LOCATION] in places
                          or not volunteers.isdisjoint(t[E_ATTENDEES]))
    rows = index.rows_of("event", events)
    return events, {vid for e in rows.values() for vid in e.attendees}


def new_attendees(new: Mapping[str, tuple[str, Any, str]]) -> set[str]:
    """The volunteers the events of a change (ID -> (kind, row, file)) list: the rules
    of those events read them, so the small index of the change must hold them."""
    return {vid for kind, row, _ in new.values() if kind == "event" for vid in row.attendees}
