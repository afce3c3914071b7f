"""Volunteer events for `hs list events` and `hs show`: read only, from the rows (no
pydantic, no ruamel.yaml: a warm read stays light)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from hs.base.errors import UsageError
from hs.base.i18n import Catalog
from hs.records.index import Index
from hs.rules.lifecycle import volunteer_status

MSG = Catalog("app.eventviews")

#: An event's status on a day: held (on or before it) or planned (after it).
EVENT_STATUSES = ("held", "planned")


@dataclass(frozen=True, slots=True)
class EventItem:
    id: str
    date: dt.date
    location: str | None  # None: the central office's
    kind: str
    step: str | None
    status: str
    attendees: int  # volunteers listed
    anonymous: int  # people who are not volunteers (yet)


def event_status(date: dt.date, day: dt.date) -> str:
    return "held" if date <= day else "planned"


def list_events(index: Index, day: dt.date, location: str | None = None,
                kind: str | None = None, year: int | None = None) -> list[EventItem]:
    """Events (of a location, of a kind, of a year) by date, location, ID."""
    if kind is not None and kind not in index.codes("event_kinds"):
        raise UsageError(MSG("bad-kind", value=kind,
                             valid=", ".join(index.codes("event_kinds"))))
    if year is not None and not 1900 <= year <= 2100:
        raise UsageError(MSG("bad-year", value=year))
    out = [EventItem(e.id, e.date, e.location, e.kind, e.step, event_status(e.date, day),
                     len(e.attendees), e.anonymous)
           for e in index.events.values()
           if (location is None or e.location == location)
           and (kind is None or e.kind == kind)
           and (year is None or e.date.year == year)]
    out.sort(key=lambda e: (e.date, e.location or "", e.id))
    return out


def event_related(index: Index, rid: str, day: dt.date
                  ) -> tuple[str, list[tuple[str, str, str]]]:
    """An event's status on ``day`` and its related records: (kind, ID, status) of each
    attendee (the volunteer's status on the event's day) and of its location."""
    ev = index.events[rid]
    related: list[tuple[str, str, str]] = []
    for vid in ev.attendees:
        vol: Any = index.volunteers.get(vid)
        related.append(("volunteer", vid,
                        volunteer_status(vol, ev.date) if vol is not None else "unknown"))
    return event_status(ev.date, day), related
