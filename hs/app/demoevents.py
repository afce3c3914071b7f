"""The demo's volunteer events and dated signals, made after a region's records.

Everything here draws from its own seeded random generator, so the families,
volunteers and trajectories of the demo stay exactly what they were before events
existed. Proportions follow the annual report 2025 ("Home-Start in cijfers"): per
volunteer, about 0.45 info-session attendances, 0.4 completed start trainings and 1.5
intervision attendances a year; three online sessions of the central office a year.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any, Protocol

from hs.records.ids import ALPHABET, PREFIX, RANDOM_LENGTH

FIRST_YEAR = 2025  # events of the report year only (the demo stays the size it was)
LAST_DAY = dt.date(2025, 12, 31)
INFO = "info-session"
MODULES = ("module-resilience", "module-attitude", "module-network")
CYCLE_DAYS = 182  # a start training twice a year, its modules a week apart
INTERVISION_MONTHS = (2, 5, 9, 11)
INTERVISION_SHARE = 0.56  # of the active buddies, each meeting
ONLINE_DAYS = ((3, 18), (6, 12), (10, 16))
THEMES_INTERVISION = ("Grenzen stellen", "Werken met tolken", "Veerkracht",
                      "Samenwerken met Kind en Gezin", "Armoede en schulden",
                      "Afscheid nemen van een gezin")
THEMES_ONLINE = ("Nieuwsbrief en vorming", "Perinatale steun", "Netwerk versterken")
SIGNAL_NOTES = ("Waits for a social rent.", "Long wait for a diagnosis.",
                "No childcare place found.", "No place in the holiday play.")


class _Site(Protocol):
    code: str
    active_from: dt.date
    active_until: dt.date | None


@dataclass
class DemoEvent:
    id: str
    kind: str
    date: dt.date
    location: str | None
    theme: str | None = None
    step: str | None = None
    attendees: list[str] = field(default_factory=list)
    anonymous: int = 0


def _new_id(rng: random.Random, taken: set[str]) -> str:
    while True:
        candidate = PREFIX["event"] + "".join(rng.choices(ALPHABET, k=RANDOM_LENGTH))
        if candidate not in taken:
            taken.add(candidate)
            return candidate


def _weekday(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    return day


def dated_signals(rng: random.Random, families: list[Any]) -> None:
    """Give each family's signal themes a date after its current referral (and a short
    note now and then): ``fam.dated_signals``, in date order."""
    for fam in families:
        start = fam.current_referral().date
        out = []
        for theme in fam.signals:
            day = min(start + dt.timedelta(days=rng.randint(10, 330)), LAST_DAY)
            note = rng.choice(SIGNAL_NOTES) if rng.random() < 0.2 else None
            out.append((day, theme, note))
        fam.dated_signals = sorted(out, key=lambda s: (s[0], s[1]))


def _sessions(site: _Site, first: dt.date, step: int) -> list[dt.date]:
    out, day = [], first
    last = min(site.active_until or LAST_DAY, LAST_DAY)
    while day <= last:
        if day >= site.active_from:
            out.append(_weekday(day))
        day += dt.timedelta(days=step)
    return out


def _latest(sessions: list[dt.date], before: dt.date) -> dt.date | None:
    found = None
    for day in sessions:
        if day <= before:
            found = day
    return found


def region_events(rng: random.Random, sites: list[Any], volunteers: list[Any],
                  taken: set[str]) -> list[DemoEvent]:
    """The events of a region's locations, from 2023 to the demo's today. A volunteer's
    start-training dates are moved to the sessions they attended (never later than
    before), so the ``training`` map and the events agree; candidates in training
    attend too."""
    events: list[DemoEvent] = []
    for site in sites:
        vols = [v for v in volunteers if v.site.code == site.code]
        events.extend(_training_events(rng, site, vols, taken))
        events.extend(_intervisions(rng, site, vols, taken))
    events.sort(key=lambda e: (e.date, e.location or "", e.kind))
    return events


def _training_events(rng: random.Random, site: Any, vols: list[Any],
                     taken: set[str]) -> list[DemoEvent]:
    offset = rng.randint(0, 60)
    cycles = _sessions(site, dt.date(FIRST_YEAR - 1, 9, 1) + dt.timedelta(days=offset),
                       CYCLE_DAYS)
    infos = _sessions(site, dt.date(FIRST_YEAR - 1, 9, 1) + dt.timedelta(days=offset - 21),
                      CYCLE_DAYS)
    by_day: dict[tuple[str, dt.date], DemoEvent] = {}

    def attend(kind: str, step: str | None, day: dt.date, vid: str | None) -> None:
        ev = by_day.get((step or kind, day))
        if ev is None:
            ev = by_day[(step or kind, day)] = DemoEvent(
                _new_id(rng, taken), kind, day, site.code, step=step)
        if vid is not None:
            ev.attendees.append(vid)

    for v in vols:
        if not all(m in v.training for m in MODULES):
            continue
        cycle = _latest(cycles, v.training[MODULES[0]])
        if cycle is None or cycle.year < FIRST_YEAR:
            continue
        for i, m in enumerate(MODULES):
            v.training[m] = cycle + dt.timedelta(days=7 * i)
            attend("module", m, v.training[m], v.id)
        info = _latest(infos, min(v.training.get(INFO, cycle), cycle - dt.timedelta(days=1)))
        if info is not None and info.year >= FIRST_YEAR:
            v.training[INFO] = info
            attend(INFO, None, info, v.id)
    for day in infos:
        if day.year >= FIRST_YEAR:
            attend(INFO, None, day, None)
    out = [ev for ev in by_day.values() if ev.attendees or ev.kind == INFO]
    for ev in out:
        if ev.kind == INFO:
            ev.anonymous = rng.choice((0, 1, 1, 2, 2, 3))
            ev.theme = None
        ev.attendees.sort()
    return out


def _intervisions(rng: random.Random, site: Any, vols: list[Any],
                  taken: set[str]) -> list[DemoEvent]:
    out = []
    last = min(site.active_until or LAST_DAY, LAST_DAY)
    for year in range(FIRST_YEAR, LAST_DAY.year + 1):
        for month in INTERVISION_MONTHS:
            day = _weekday(dt.date(year, month, rng.randint(8, 24)))
            if day > last or day < site.active_from:
                continue
            active = [v.id for v in vols if "buddy" in v.roles and any(
                p.start <= day and (p.end is None or p.end >= day) for p in v.periods)]
            present = sorted(v for v in active if rng.random() < INTERVISION_SHARE)
            if present:
                out.append(DemoEvent(_new_id(rng, taken), "intervision", day, site.code,
                                     theme=rng.choice(THEMES_INTERVISION),
                                     attendees=present))
    return out


def central_events(rng: random.Random, volunteers: list[Any],
                   taken: set[str]) -> list[DemoEvent]:
    """The central office's online sessions (no location): three a year."""
    out = []
    for year in range(FIRST_YEAR, LAST_DAY.year + 1):
        for (month, day_), theme in zip(ONLINE_DAYS, THEMES_ONLINE, strict=True):
            day = _weekday(dt.date(year, month, day_))
            active = [v.id for v in volunteers if any(
                p.start <= day and (p.end is None or p.end >= day) for p in v.periods)]
            present = sorted(v for v in active if rng.random() < 0.08)
            out.append(DemoEvent(_new_id(rng, taken), "online", day, None, theme=theme,
                                 attendees=present, anonymous=0))
    return out


def event_data(e: DemoEvent) -> dict[str, Any]:
    d: dict[str, Any] = {"schema_version": 1, "kind": e.kind, "date": e.date.isoformat()}
    if e.location is not None:
        d["location"] = e.location
    if e.theme is not None:
        d["theme"] = e.theme
    if e.step is not None:
        d["step"] = e.step
    if e.attendees:
        d["attendees"] = list(e.attendees)
    if e.anonymous:
        d["anonymous"] = e.anonymous
    return d
