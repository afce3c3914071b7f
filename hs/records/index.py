"""Small projections of the records: what queries (waiting list, due, KPIs, matching) need.

The rows and their tuple codecs are generated from :mod:`hs.records.spec` into
:mod:`hs.records.rows` (their methods: :mod:`hs.records.rowbase`); this module re-exports
them and holds the :class:`Index` of a tree. Rows hold no names and no notes, and a
trajectory's visits only as day numbers, so that the cache stays small and loads fast (see
docs/design.md). Rows are built from validated models on a cold read and from the cache
(as plain tuples, via :mod:`marshal`) on a warm one. This module must not import pydantic
or the models: the warm path avoids them.
"""

from __future__ import annotations

import gc
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from hs.records.rowbase import Date
from hs.records.rows import (
    F_FLAGS,
    F_ID,
    F_LANGUAGES,
    F_LOCATION,
    F_MUNICIPALITY,
    F_REFERRALS,
    R_DATE,
    R_DECISIONS,
    R_EXPECTING,
    R_REFERRER,
    ROW_TYPES,
    T_ASSIGNMENTS,
    T_END,
    T_FAMILY,
    T_ID,
    T_KIND,
    T_START,
    AssignmentRow,
    DecisionRow,
    EventRow,
    FamilyRow,
    LocationRow,
    PeriodRow,
    ReferralRow,
    ReviewRow,
    TrajectoryRow,
    VolunteerRow,
)

__all__ = [
    "F_FLAGS",
    "F_ID",
    "F_LANGUAGES",
    "F_LOCATION",
    "F_MUNICIPALITY",
    "F_REFERRALS",
    "ROW_TYPES",
    "R_DATE",
    "R_DECISIONS",
    "R_EXPECTING",
    "R_REFERRER",
    "T_ASSIGNMENTS",
    "T_END",
    "T_FAMILY",
    "T_ID",
    "T_KIND",
    "T_START",
    "AssignmentRow",
    "Date",
    "DecisionRow",
    "FamilyRow",
    "Index",
    "LocationRow",
    "PeriodRow",
    "ReferralRow",
    "ReviewRow",
    "TrajectoryRow",
    "VolunteerRow",
    "paused_gc",
    "short_process",
]


# Whether objects made while the collector is paused are then moved out of its reach for
# good (gc.freeze), instead of being walked once more by the first collection after (15 ms
# for the rows of 50,000 records). Only a short process asks for it (the console script,
# through short_process()); a long-lived one (the tests) leaves it off, so that its other
# garbage stays collectable.
_freeze_after_pause = False


def short_process() -> None:
    """Say that this process is short (one command): rows made while the collector is
    paused are frozen out of its reach afterwards (:func:`paused_gc`)."""
    global _freeze_after_pause
    _freeze_after_pause = True


@contextmanager
def paused_gc(freeze: bool = True) -> Iterator[None]:
    """No garbage collection while many rows are made: they hold no cycles, and the
    collector would otherwise walk every new object again and again (it tripled the
    time to decode the cache). ``freeze``: afterwards, move what was made out of the
    collector's reach if this is a short process (:func:`short_process`)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if freeze and _freeze_after_pause:
            gc.freeze()
        if enabled:
            gc.enable()


def tuple_link(t: tuple[Any, ...]) -> tuple[str, tuple[str, ...]]:
    """A trajectory's family and volunteers, from its cached tuple."""
    return t[T_FAMILY], tuple([a[0] for a in t[T_ASSIGNMENTS]])


class LookupFailed(Exception):
    """A :class:`Lookup` could not read a row it holds (its file changed or is corrupt):
    the kind is then decoded whole."""


class Lookup:
    """What :meth:`Index.set_source` may be given besides a kind's source: its rows by ID
    without decoding the whole kind (:class:`hs.store.cache.PartLookup`)."""

    def get(self, rid: str) -> tuple[Any, ...] | None:
        raise NotImplementedError

    def place(self, rid: str) -> int | None:
        raise NotImplementedError

    def links(self) -> dict[str, tuple[str, tuple[str, ...]]] | None:
        raise NotImplementedError


class Index:
    """Every valid record of a tree as rows, plus the repository's config and vocabularies.

    ``paths`` maps each record ID to its file (relative to the repository root);
    ``invalid`` lists the files that could not be read or validated (``hs validate`` says
    why); queries leave them out. Rows read from the cache are built only when a query
    first asks for their kind (the waiting list never builds a volunteer row)."""

    def __init__(self, *, locations: dict[str, LocationRow] | None = None,
                 families: dict[str, FamilyRow] | None = None,
                 volunteers: dict[str, VolunteerRow] | None = None,
                 trajectories: dict[str, TrajectoryRow] | None = None,
                 events: dict[str, EventRow] | None = None,
                 config: dict[str, Any] | None = None,
                 vocabularies: dict[str, Any] | None = None,
                 paths: dict[str, str] | None = None) -> None:
        given = {"location": locations, "family": families, "volunteer": volunteers,
                 "trajectory": trajectories, "event": events}
        self._rows: dict[str, dict[str, Any]] = {k: given.get(k) or {} for k in ROW_TYPES}
        self._raw: dict[str, list[tuple[Any, ...]]] = {k: [] for k in ROW_TYPES}
        self._sources: dict[str, Callable[[], list[tuple[Any, ...]]]] = {}
        # a kind's rows by ID while its source is not decoded (made when first asked for;
        # None: there is none, decode the kind)
        self._lookups: dict[str, Callable[[], Lookup | None] | Lookup | None] = {}
        self.config: dict[str, Any] = config if config is not None else {}
        self.vocabularies: dict[str, Any] = vocabularies if vocabularies is not None else {}
        self._paths: dict[str, str] = paths if paths is not None else {}
        self._paths_source: Callable[[], dict[str, str]] | None = None
        self.invalid: list[str] = []
        self._by_family: dict[str, list[TrajectoryRow]] | None = None
        self._by_volunteer: dict[str, list[TrajectoryRow]] | None = None
        # rows made one at a time from the cached tuples (:meth:`row`), by kind and ID
        self._by_id: dict[str, dict[str, tuple[Any, ...]]] = {}
        self._some: dict[str, dict[str, Any]] = {k: {} for k in ROW_TYPES}
        self._pos: dict[str, dict[str, int]] = {}  # ID -> place in the kind's table

    def _decode(self, kind: str) -> None:
        """Read a kind's cached tuples from their source, if not read yet."""
        source = self._sources.pop(kind, None)
        if source is not None:
            with paused_gc():
                self._raw[kind].extend(source())

    def _kind(self, kind: str) -> dict[str, Any]:
        self._decode(kind)
        raw = self._raw[kind]
        rows = self._rows[kind]
        if raw:  # (made already: no pause; a plan asks for the locations once a family)
            with paused_gc():
                make = ROW_TYPES[kind].from_tuple
                for t in raw:
                    rows[t[0]] = make(t)
                raw.clear()
                self._by_id.pop(kind, None)
                self._pos.pop(kind, None)
                self._some[kind].clear()
        return rows

    def _lookup(self, kind: str) -> Lookup | None:
        """The kind's rows by ID if its source is not decoded yet and nothing was added to
        it (else None: decode it)."""
        if kind not in self._sources or self._raw[kind] or self._rows[kind]:
            return None
        found = self._lookups.get(kind)
        if callable(found) and not isinstance(found, Lookup):
            found = self._lookups[kind] = found()
        return found if isinstance(found, Lookup) else None

    def _looked_up(self, kind: str, lookup: Lookup, rid: str) -> Any:
        some = self._some[kind]
        row = some.get(rid)
        if row is None:
            t = lookup.get(rid)
            if t is None:
                return None
            row = some[rid] = ROW_TYPES[kind].from_tuple(t)
        return row

    def _drop_lookup(self, kind: str) -> None:
        """A lookup that failed: the kind is decoded whole from now on."""
        self._lookups[kind] = None
        self._some[kind].clear()

    def cached_links(self) -> dict[str, tuple[str, tuple[str, ...]]] | None:
        """Each trajectory's family and volunteers as the cache keeps them beside the
        trajectories' rows, without decoding those (None if it does not)."""
        lookup = self._lookup("trajectory")
        return lookup.links() if lookup is not None else None

    def row(self, kind: str, rid: str) -> Any:
        """One record's row (None if there is no valid record ``rid`` of ``kind``), made
        from its cached tuple alone when the kind's rows are not made yet: a change to a few
        records on a large tree needs their rows, not 50,000 of them (nor, when the cache
        has it in chunks, the decoding of the whole kind)."""
        lookup = self._lookup(kind)
        if lookup is not None:
            try:
                return self._looked_up(kind, lookup, rid)
            except LookupFailed:
                self._drop_lookup(kind)
        self._decode(kind)
        raw = self._raw[kind]
        if not raw:
            return self._rows[kind].get(rid)
        some = self._some[kind]
        row = some.get(rid)
        if row is None:
            t = self._tuples_by_id(kind).get(rid)
            if t is None:
                return self._rows[kind].get(rid)
            row = some[rid] = ROW_TYPES[kind].from_tuple(t)
        return row

    def _tuples_by_id(self, kind: str) -> dict[str, tuple[Any, ...]]:
        """A kind's cached tuples by ID, made once; the last tuple of an ID wins, as when
        every row is made."""
        by_id = self._by_id.get(kind)
        if by_id is None:
            by_id = self._by_id[kind] = {t[0]: t for t in self._raw[kind]}
        return by_id

    def rows_of(self, kind: str, ids: Iterable[str]) -> dict[str, Any]:
        """The rows of those of the records ``ids`` of ``kind`` that exist, in the order of
        the kind's table (as :attr:`families` and the others list them), made one at a time
        from the cached tuples when the kind's rows are not made yet (see :meth:`row`)."""
        lookup = self._lookup(kind)
        if lookup is not None:
            ids = list(ids)
            places = {rid: at for rid in set(ids) if (at := lookup.place(rid)) is not None}
            try:
                return {rid: self._looked_up(kind, lookup, rid)
                        for rid in sorted(places, key=places.__getitem__)}
            except LookupFailed:
                self._drop_lookup(kind)
        self._decode(kind)
        wanted = set(ids)
        if not self._raw[kind] or self._rows[kind]:  # made (or partly: make them all)
            return {rid: row for rid, row in self._kind(kind).items() if rid in wanted}
        by_id = self._tuples_by_id(kind)
        found = [rid for rid in wanted if rid in by_id]
        if len(found) > 1:
            pos = self._pos.get(kind)
            if pos is None:
                pos = self._pos[kind] = {rid: i for i, rid in enumerate(by_id)}
            found.sort(key=pos.__getitem__)
        return {rid: self.row(kind, rid) for rid in found}

    @property
    def paths(self) -> dict[str, str]:
        """Record ID -> file (relative to the repository root) of every valid record."""
        if self._paths_source is not None:
            source, self._paths_source = self._paths_source, None
            self._paths = {**source(), **self._paths}
        return self._paths

    @paths.setter
    def paths(self, value: dict[str, str]) -> None:
        self._paths, self._paths_source = value, None

    def set_paths_source(self, source: Callable[[], dict[str, str]]) -> None:
        """Where :attr:`paths` comes from, asked the first time it is used."""
        self._paths_source = source

    @property
    def locations(self) -> dict[str, LocationRow]:
        return self._kind("location")

    @property
    def families(self) -> dict[str, FamilyRow]:
        return self._kind("family")

    @property
    def volunteers(self) -> dict[str, VolunteerRow]:
        return self._kind("volunteer")

    @property
    def trajectories(self) -> dict[str, TrajectoryRow]:
        return self._kind("trajectory")

    @property
    def events(self) -> dict[str, EventRow]:
        return self._kind("event")

    def table(self, kind: str) -> dict[str, Any]:
        """A kind's rows by ID (what :attr:`families` and the others give)."""
        return self._kind(kind)

    def decoded(self, kind: str) -> bool:
        """Whether a kind's cached tuples were read whole (or came whole, not from a part
        of the cache decoded when first asked for)."""
        return kind not in self._sources

    def rows_made(self, kind: str) -> bool:
        """Whether a kind's rows are made (then :meth:`tuples` would make tuples again)."""
        return bool(self._rows[kind]) and not self._raw[kind] and kind not in self._sources

    def make_rows(self) -> None:
        """Make every kind's rows, the paths and the trajectories by family now, not when
        first asked for (so that processes forked after share them)."""
        for kind in ROW_TYPES:
            self._kind(kind)
        _ = self.paths
        self.trajectories_of("")

    def tuples(self, kind: str) -> list[tuple[Any, ...]]:
        """Every row of a kind in its cached tuple form (``to_tuple``; positions
        ``F_*``, ``R_*``, ``T_*``), without making row objects when they were not made yet:
        a whole-tree query on a large tree reads these (making 50,000 rows costs more than
        the query)."""
        self._decode(kind)
        raw = self._raw[kind]
        rows = self._rows[kind]
        if not rows:
            return list(raw)  # a copy: making the rows later empties the list
        out = {rid: row.to_tuple() for rid, row in rows.items()}
        for t in raw:
            out[t[0]] = t
        return list(out.values())

    def add(self, kind: str, row: Any) -> None:
        self._rows[kind][row.id] = row
        self._some[kind].pop(row.id, None)
        self._by_family = self._by_volunteer = None

    def set_source(self, kind: str, source: Callable[[], list[tuple[Any, ...]]],
                   lookup: Callable[[], Lookup | None] | None = None) -> None:
        """Rows of a kind to read (from the cache) when a query first asks for them;
        ``lookup``: where a few of them can be read by ID without that (see :meth:`row`)."""
        self._sources[kind] = source
        self._lookups[kind] = lookup

    def add_cached(self, kind: str, value: tuple[Any, ...]) -> None:
        """A row as the cache holds it (a tuple whose first item is the ID), after those
        of the kind's source (read now, if it was not: the last tuple of an ID wins)."""
        self._decode(kind)
        self._raw[kind].append(value)
        if kind in self._by_id:  # rows were made one by one: this tuple may replace one
            del self._by_id[kind]
            self._pos.pop(kind, None)
        some = self._some[kind]
        if some:
            some.pop(value[0], None)
        self._by_family = self._by_volunteer = None

    def trajectories_of(self, family_id: str) -> list[TrajectoryRow]:
        """A family's trajectories in start order."""
        if self._by_family is None:
            by: dict[str, list[TrajectoryRow]] = defaultdict(list)
            for t in sorted(self.trajectories.values(), key=lambda t: (t.start, t.id)):
                by[t.family].append(t)
            self._by_family = by
        return self._by_family.get(family_id, [])

    def trajectories_with(self, volunteer_id: str) -> list[TrajectoryRow]:
        """Trajectories in which a volunteer was ever assigned, in start order."""
        if self._by_volunteer is None:
            by: dict[str, list[TrajectoryRow]] = defaultdict(list)
            for t in sorted(self.trajectories.values(), key=lambda t: (t.start, t.id)):
                for vid in {a.volunteer for a in t.assignments}:
                    by[vid].append(t)
            self._by_volunteer = by
        return self._by_volunteer.get(volunteer_id, [])

    def label(self, vocabulary: str, code: str, lang: str) -> str:
        entry = self.vocabularies.get(vocabulary, {}).get(code)
        if not entry:
            return code
        return str(entry.get(lang) or entry.get("en") or code)

    def codes(self, vocabulary: str) -> list[str]:
        return list(self.vocabularies.get(vocabulary, {}))


