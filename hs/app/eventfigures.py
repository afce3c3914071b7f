"""The figures of volunteer events and family signals, per location and in total.

Definitions (year Y, or the period up to ``--as-of``; docs/kpi.md, "Volunteer events and
signals"):

* ``events``: kind -> number of events dated in Y (an event without a location is the
  central office's: it counts in the total, not in a location's column);
* ``info_session_attendances``: at info sessions in Y, the volunteers listed plus the
  people counted who are not volunteers (yet);
* ``intervision_attendances``: the same at intervision meetings;
* ``start_training_completed``: volunteers whose start training was completed in Y: every
  training step marked ``start_training`` in the vocabulary (three modules by default)
  is in their ``training`` and the last of them is in Y;
* ``volunteers_started_buddy``: volunteers whose first buddy trajectory started in Y (the
  day they were first assigned to a trajectory of kind ``buddy``);
* ``signals``: theme -> families with a signal of that theme dated in Y;
  ``signal_counts``: theme -> signals dated in Y.

Everything is a count, so the figures of several locations (or exports) add up exactly.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from hs.records.index import Index
from hs.rules.events import INFO_SESSION, INTERVISION

#: The keys of :meth:`EventFigures.as_json` (``hs kpi --format json``), in order.
KEYS = ("info_session_attendances", "start_training_completed", "volunteers_started_buddy",
        "intervision_attendances", "events", "signals", "signal_counts")
TOTALS = ("info_session_attendances", "start_training_completed", "volunteers_started_buddy",
          "intervision_attendances")
BREAKDOWNS = ("events", "signals", "signal_counts")


@dataclass(frozen=True)
class EventFigures:
    """The event and signal figures of one location, of the central office, or of several."""

    info_session_attendances: int = 0
    start_training_completed: int = 0
    volunteers_started_buddy: int = 0
    intervision_attendances: int = 0
    events: Mapping[str, int] = field(default_factory=dict)
    signals: Mapping[str, int] = field(default_factory=dict)
    signal_counts: Mapping[str, int] = field(default_factory=dict)

    def __add__(self, other: EventFigures) -> EventFigures:
        def added(a: Mapping[str, int], b: Mapping[str, int]) -> dict[str, int]:
            out = dict(a)
            for k, v in b.items():
                out[k] = out.get(k, 0) + v
            return out

        return EventFigures(
            self.info_session_attendances + other.info_session_attendances,
            self.start_training_completed + other.start_training_completed,
            self.volunteers_started_buddy + other.volunteers_started_buddy,
            self.intervision_attendances + other.intervision_attendances,
            added(self.events, other.events), added(self.signals, other.signals),
            added(self.signal_counts, other.signal_counts))

    @property
    def signals_total(self) -> int:
        """Signals dated in the year, all themes."""
        return sum(self.signal_counts.values())

    def as_json(self) -> dict[str, Any]:
        """The keys of ``hs kpi --format json`` (and of an export)."""
        return {k: (dict(getattr(self, k)) if k in BREAKDOWNS else getattr(self, k))
                for k in KEYS}

    def keyed(self, event_kinds: Iterable[str], themes: Iterable[str]) -> EventFigures:
        """The same figures with every code of the vocabularies as a key (0 if none), in
        the vocabulary's order, then any other code found."""
        def fill(found: Mapping[str, int], codes: Iterable[str]) -> dict[str, int]:
            out = {k: found.get(k, 0) for k in codes}
            for k in sorted(found):
                out.setdefault(k, found[k])
            return out

        kinds, themes = list(event_kinds), list(themes)
        return replace(self, events=fill(self.events, kinds),
                       signals=fill(self.signals, themes),
                       signal_counts=fill(self.signal_counts, themes))


def total(parts: Iterable[EventFigures]) -> EventFigures:
    out = EventFigures()
    for p in parts:
        out = out + p
    return out


def start_training_steps(index: Index) -> tuple[str, ...]:
    """The training steps that make up the start training (``start_training: true`` in
    the vocabulary)."""
    return tuple(code for code, entry in index.vocabularies.get("training_steps", {}).items()
                 if isinstance(entry, Mapping) and entry.get("start_training"))


def completed_on(training: Mapping[str, dt.date], steps: tuple[str, ...]) -> dt.date | None:
    """The day a volunteer completed the start training (the last of its steps), or None."""
    if not steps or any(s not in training for s in steps):
        return None
    return max(training[s] for s in steps)


def by_location(index: Index, first: dt.date, last: dt.date,
                only: str | None = None) -> dict[str | None, EventFigures]:
    """The figures of the period ``first``..``last`` per location (``None``: the central
    office's events), in one pass over the events, volunteers, trajectories and families.
    ``only``: just that location's."""
    events: dict[str | None, Counter[str]] = {}
    info: Counter[str | None] = Counter()
    intervision: Counter[str | None] = Counter()
    for ev in index.events.values():
        if not first <= ev.date <= last or (only is not None and ev.location != only):
            continue
        events.setdefault(ev.location, Counter())[ev.kind] += 1
        present = len(ev.attendees) + ev.anonymous
        if ev.kind == INFO_SESSION:
            info[ev.location] += present
        elif ev.kind == INTERVISION:
            intervision[ev.location] += present

    steps = start_training_steps(index)
    first_buddy: dict[str, dt.date] = {}
    for t in index.trajectories.values():
        if t.kind != "buddy":
            continue
        for a in t.assignments:
            prev = first_buddy.get(a.volunteer)
            if prev is None or a.start < prev:
                first_buddy[a.volunteer] = a.start
    trained: Counter[str | None] = Counter()
    started: Counter[str | None] = Counter()
    for v in index.volunteers.values():
        if only is not None and v.location != only:
            continue
        done = completed_on(v.training, steps)
        if done is not None and first <= done <= last:
            trained[v.location] += 1
        begun = first_buddy.get(v.id)
        if begun is not None and first <= begun <= last:
            started[v.location] += 1

    families: dict[str | None, Counter[str]] = {}
    counts: dict[str | None, Counter[str]] = {}
    for fam in index.families.values():
        if not fam.signals or (only is not None and fam.location != only):
            continue
        themes = [s.theme for s in fam.signals if first <= s.date <= last]
        if themes:
            counts.setdefault(fam.location, Counter()).update(themes)
            families.setdefault(fam.location, Counter()).update(set(themes))

    places = {*events, *info, *intervision, *trained, *started, *families}
    return {p: EventFigures(info[p], trained[p], started[p], intervision[p],
                            dict(events.get(p, {})), dict(families.get(p, {})),
                            dict(counts.get(p, {})))
            for p in places}


def figures(index: Index, first: dt.date, last: dt.date,
            location: str | None = None) -> EventFigures:
    """The figures of one location, or of all of them and the central office
    (``location=None``), with every code of the vocabularies as a key."""
    found = total(by_location(index, first, last, location).values())
    return found.keyed(index.codes("event_kinds"), index.codes("signal_themes"))


def figures_by_location(index: Index, first: dt.date, last: dt.date, codes: Iterable[str]
                        ) -> tuple[EventFigures, dict[str, EventFigures]]:
    """The total (the central office's events included) and the figures of each location
    of ``codes``, in one pass."""
    parts = by_location(index, first, last)
    kinds, themes = index.codes("event_kinds"), index.codes("signal_themes")
    return (total(parts.values()).keyed(kinds, themes),
            {c: parts.get(c, EventFigures()).keyed(kinds, themes) for c in codes})


# --- export -------------------------------------------------------------------------------


def from_json(data: Any) -> EventFigures:
    """The figures from the keys :meth:`EventFigures.as_json` writes (missing keys: 0, as
    in exports written before these figures existed). ValueError on a bad value."""
    if data is None:
        return EventFigures()
    if not isinstance(data, Mapping):
        raise ValueError("not a mapping")

    def count(value: Any, where: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"{where}: {value!r} is not a count")
        return value

    def mapping(key: str) -> dict[str, int]:
        raw = data.get(key) or {}
        if not isinstance(raw, Mapping):
            raise ValueError(f"{key}: not a mapping")
        return {str(k): count(v, f"{key}.{k}") for k, v in raw.items()}

    totals = [count(data.get(k, 0), k) for k in TOTALS]
    return EventFigures(totals[0], totals[1], totals[2], totals[3], mapping("events"),
                        mapping("signals"), mapping("signal_counts"))
