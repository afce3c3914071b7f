"""The rules across records behind ``hs validate``: vocabulary codes, references, and the
lifecycle rules (:func:`hs.rules.lifecycle.tree_rules`); and which records a change can
touch (:func:`records_touched`: ``hs validate`` checks them again after files changed, the
workflow checks them before it writes).

The checks of one file and of the files of a tree are :mod:`hs.store.filecheck`. A rule
says where a problem is through a locator (:class:`hs.store.filecheck.Locator`, passed in
by the caller), so that this module never reads a file.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from typing import Any, Protocol

from hs.base.clock import today as current_day
from hs.base.i18n import Catalog
from hs.base.workers import in_two_processes
from hs.records.ids import id_of_path
from hs.records.index import F_LOCATION, T_ASSIGNMENTS, T_FAMILY, T_ID, Index
from hs.records.layout import RECORDS, VOCABULARIES_FILE
from hs.records.problems import Problem, suggest
from hs.records.rowcodes import CODES_KNOWN
from hs.records.rows import V_LOCATION
from hs.records.spec import Chosen
from hs.records.vocabularies import CODE_FIELDS, CodeField
from hs.rules.conflicts import conflict_problems
from hs.rules.events import events_touched, new_attendees
from hs.rules.lifecycle import tree_rules


class Locator(Protocol):
    """Where a problem is: what :class:`hs.store.filecheck.Locator` does for a tree."""

    def problem(self, rel: str, loc: tuple[str | int, ...], code: str, msg: str,
                severity: str = "error", value: bool = True) -> Problem: ...

    def exists(self, rel: str) -> bool: ...


MSG = Catalog("rules.checks")


PARALLEL_RECORDS = 4000  # from this many records on, two processes share the rules


def drop_broken(problems: list[Problem], invalid: list[str]) -> list[Problem]:
    """``problems`` less the references to a file that is itself invalid: that file's own
    problems say what is wrong."""
    broken = {id_of_path(rel) for rel in invalid}
    if not broken:
        return problems
    return [p for p in problems if not (p.code == "dangling-reference" and any(
        f"'{b}'" in p.message for b in broken))]


def record_problems(at: Locator, index: Any, parallel: bool = False,
                    only: set[str] | None = None) -> list[Problem]:
    """The problems of the valid records across records: unknown codes, references, the
    lifecycle rules (:func:`hs.rules.lifecycle.tree_rules`). With ``only``, just those in the
    files of these record IDs (the index must then hold what their rules read: see
    :func:`records_around`).

    The checks come in two halves that take about as long. With ``parallel`` (and two
    cores) a forked process does the second half while this one does the first; if it
    fails, this one does both."""
    if parallel and (os.cpu_count() or 1) > 1:
        index.make_rows()  # before the fork, once for both processes
        out = in_two_processes(lambda half: _record_half(index, at, half),
                               Problem.as_tuple, _problem)
    else:
        out = _record_half(index, at, None)
    if only is not None:
        out = [p for p in out if id_of_path(p.path) in only]
    return out


def _problem(t: Any) -> Problem:
    return Problem(*t)


def _record_half(index: Any, at: Locator, half: int | None) -> list[Problem]:
    """One half of :func:`record_problems` (0 or 1), or all of it (None)."""
    out: list[Problem] = []
    if index.vocabularies:
        out.extend(_code_problems(at, index, half))
    elif half != 1 and not at.exists(f"{RECORDS}/{VOCABULARIES_FILE}"):
        out.append(Problem(f"{RECORDS}/{VOCABULARIES_FILE}", 1, 1, "missing-file",
                           MSG("missing-vocabularies")))
    if half != 1:
        out.extend(_reference_problems(at, index))
        out.extend(fact_problems(at, index))
        out.extend(conflict_problems(at, index))
    return out + tree_rules(at, index, half)


# --- impossible facts ------------------------------------------------------------------------
# One rule each, used by hs validate (fact_problems) and by the workflow when it takes the
# values from a command (hs.app.workflow), so that both refuse the same facts.

#: How many months an expected birth may lie before the referral's month (a baby a few
#: weeks late); earlier, the child was born before the family was referred.
EXPECTING_SLACK_MONTHS = 1


def _months(month: str) -> int:
    return int(month[:4]) * 12 + int(month[5:7]) - 1


def child_born_later(born: str, day: dt.date) -> str | None:
    """A child's birth month after ``day`` (today): the message, else None."""
    if born > f"{day.year:04d}-{day.month:02d}":
        return MSG("child-born-later", month=born, today=day)
    return None


def born_later(year: int, day: dt.date) -> str | None:
    """A birth year (a volunteer's, a parent's) after ``day``'s year: the message."""
    if year > day.year:
        return MSG("born-later", year=year, this=day.year)
    return None


def expecting_early(expecting: str, referral: dt.date) -> str | None:
    """An expected birth month long before the referral's day: the message."""
    if _months(expecting) < referral.year * 12 + referral.month - 1 - EXPECTING_SLACK_MONTHS:
        return MSG("expecting-early", month=expecting, date=referral)
    return None


def fact_problems(at: Locator, index: Any, day: dt.date | None = None) -> list[Problem]:
    """Impossible facts in families and volunteers as of ``day`` (today): a child born
    after today, a volunteer or parent born after this year, an expected birth long
    before its referral."""
    day = day or current_day()
    out: list[Problem] = []
    paths = index.paths
    this_year = day.year
    last_month = f"{day.year:04d}-{day.month:02d}"
    for fam in index.families.values():
        rel = paths.get(fam.id)
        if rel is None:
            continue
        for i, born in enumerate(fam.children):
            if born > last_month:
                out.append(at.problem(rel, ("children", i, "born"), "impossible-fact",
                                      child_born_later(born, day) or ""))
        for i, year in enumerate(fam.parent_birth_years):
            if year > this_year:
                out.append(at.problem(rel, ("household", "parent_birth_years", i),
                                      "impossible-fact", born_later(year, day) or ""))
        for i, ref in enumerate(fam.referrals):
            if ref.expecting is not None:
                msg = expecting_early(ref.expecting, ref.date)
                if msg is not None:
                    out.append(at.problem(rel, ("referrals", i, "expecting"),
                                          "impossible-fact", msg))
    for vol in index.volunteers.values():
        rel = paths.get(vol.id)
        if rel is not None and vol.birth_year > this_year:
            out.append(at.problem(rel, ("birth_year",), "impossible-fact",
                                  born_later(vol.birth_year, day) or ""))
    return out


Links = dict[str, tuple[str, tuple[str, ...]]]  # trajectory ID -> (family, volunteers)
New = Mapping[str, tuple[str, Any, str]]  # record ID -> (kind, row, file) as a change makes it


def trajectory_links(index: Any) -> Links:
    """Each trajectory's family and volunteers (from the rows if they are made, else as
    the cache keeps them, else from the cached tuples, without making rows)."""
    if index.rows_made("trajectory"):
        return {t.id: link_of(t) for t in index.trajectories.values()}
    cached = index.cached_links() if isinstance(index, Index) else None
    if cached is not None:  # kept beside the cached rows: none decoded
        return cached
    return {t[T_ID]: (t[T_FAMILY], tuple([a[0] for a in t[T_ASSIGNMENTS]]))
            for t in index.tuples("trajectory")}


def link_of(traj: Any) -> tuple[str, tuple[str, ...]]:
    """A trajectory row's family and volunteers."""
    return traj.family, tuple(a.volunteer for a in traj.assignments)


def records_around(index: Any, changed: Mapping[str, str], before: Links, now: Links
                   ) -> tuple[set[str], Any]:
    """The records whose problems a change of the records ``changed`` can change
    (:func:`records_touched`), and an index with just them and what their rules read
    (:func:`index_of`), as ``index`` holds them."""
    touched, needed = records_touched(index, changed, before, now)
    return touched, index_of(index, needed)


def records_touched(index: Any, changed: Mapping[str, str], before: Links, now: Links
                    ) -> tuple[set[str], dict[str, set[str]]]:
    """The records whose problems a change of the records ``changed`` (ID -> kind: a
    location, family, volunteer or trajectory file edited, added or removed) can change,
    and, by kind, the records their rules read. ``before`` and ``now``: the trajectories'
    links before the change and after it. ``hs validate`` checks these records again
    after files changed; the workflow compares their problems before and after a change.

    A family's problems read its location and its trajectories; a trajectory's, its
    family (and its location), its volunteers, the family's other trajectories (overlaps)
    and the volunteers' other trajectories (capacity); a volunteer's, its location. So a
    changed location touches its families and volunteers; a changed family, its
    trajectories; a changed volunteer, its trajectories; a changed trajectory, its family
    and volunteers before and after, and through them their trajectories."""
    fams = {rid for rid, kind in changed.items() if kind == "family"}
    vols = {rid for rid, kind in changed.items() if kind == "volunteer"}
    trajs = {rid for rid, kind in changed.items() if kind == "trajectory"}
    places = {rid for rid, kind in changed.items() if kind == "location"}
    if places:  # a location's families and volunteers (and so their trajectories)
        fams.update(_located(index, "family", places))
        vols.update(_located(index, "volunteer", places))
    for tid in trajs:
        for link in (before.get(tid), now.get(tid)):
            if link is not None:
                fams.add(link[0])
                vols.update(link[1])
    trajs |= _linked(now, fams, vols)  # their trajectories
    touched = fams | vols | trajs
    # what their rules read: each trajectory's family, volunteers, and their trajectories
    link_fams: set[str] = set()
    link_vols: set[str] = set()
    for tid in trajs:
        link = now.get(tid)
        if link is not None:
            link_fams.add(link[0])
            link_vols.update(link[1])
    need_trajs = trajs | _linked(now, link_fams, link_vols)
    need_fams = set(fams)
    need_vols = set(vols)
    for tid in need_trajs:
        link = now.get(tid)
        if link is not None:
            need_fams.add(link[0])
            need_vols.update(link[1])
    events, event_vols = events_touched(index, changed, vols, places)  # hs/rules/events.py
    return touched | events, {"family": need_fams, "volunteer": need_vols | event_vols,
                              "trajectory": need_trajs, "event": events}


def _linked(links: Links, fams: set[str], vols: set[str]) -> set[str]:
    """The trajectories (of ``links``) of these families or volunteers: one pass over the
    links, no map of every family's and volunteer's trajectories made."""
    if not vols:
        return {tid for tid, (fid, _) in links.items() if fid in fams}
    apart = vols.isdisjoint
    return {tid for tid, (fid, vids) in links.items() if fid in fams or not apart(vids)}


_TABLE = {"family": "families", "volunteer": "volunteers", "trajectory": "trajectories"}


def _located(index: Any, kind: str, places: set[str]) -> list[str]:
    """The families or volunteers of these locations."""
    if index.rows_made(kind):
        return [r.id for r in getattr(index, _TABLE[kind]).values() if r.location in places]
    at = F_LOCATION if kind == "family" else V_LOCATION
    return [t[0] for t in index.tuples(kind) if t[at] in places]


def index_of(index: Any, needed: Mapping[str, set[str]], new: New | None = None) -> Index:
    """An index with the records ``needed`` (by kind, from :func:`records_touched`) and
    every location, as ``index`` holds them, or, with ``new``, with those rows over
    them (the records as a change makes them)."""
    paths = index.paths
    sub_paths: dict[str, str] = {}
    tables: dict[str, dict[str, Any]] = {}
    if new:  # the volunteers a changed event lists now (hs/rules/events.py)
        needed = {**needed, "volunteer": needed.get("volunteer", set()) | new_attendees(new)}
    for kind in ("family", "volunteer", "trajectory", "event"):
        wanted = needed.get(kind, set())
        rows = index.rows_of(kind, wanted)  # made from the cache one by one if need be
        for rid in rows:
            if rid in paths:
                sub_paths[rid] = paths[rid]
        tables[kind] = rows
    locations = dict(index.locations)
    for lid in locations:
        if lid in paths:
            sub_paths[lid] = paths[lid]
    for rid, (kind, row, rel) in (new or {}).items():
        if kind == "location":
            locations[rid] = row
        elif rid in needed.get(kind, ()):
            tables[kind][rid] = row
        else:
            continue
        sub_paths[rid] = rel
    return Index(locations=locations, families=tables["family"],
                 volunteers=tables["volunteer"], trajectories=tables["trajectory"],
                 events=tables["event"],
                 config=index.config, vocabularies=index.vocabularies, paths=sub_paths)


def _reference_problems(at: Locator, index: Any) -> list[Problem]:
    out: list[Problem] = []
    paths, locations = index.paths, index.locations
    for table in (index.families, index.volunteers):
        for row in table.values():
            if row.location in locations:
                continue
            rel = paths.get(row.id)
            if rel is not None:
                out.append(at.problem(rel, ("location",), "dangling-reference",
                                      MSG("no-location", id=row.location)))
    return out


def _code_problems(at: Locator, index: Any, half: int | None = None) -> list[Problem]:
    """Codes that are not in their vocabulary. Each record's codes are first looked up
    all at once in sets (:mod:`hs.records.rowcodes`, generated from the spec); only a
    record with an unknown code goes code by code (in the order of its file), to say
    where (:data:`hs.records.vocabularies.CODE_FIELDS`). ``half``: 0 for families and
    volunteers, 1 for trajectories (see :func:`tree_problems`)."""
    voc = index.vocabularies
    known: dict[str, frozenset[str]] = {}

    def codes(vocab: str) -> frozenset[str]:
        found = known.get(vocab)
        if found is None:
            found = known[vocab] = frozenset(voc.get(vocab, {}))
        return found

    out: list[Problem] = []

    def check(rel: str, loc: tuple[str | int, ...], vocab: str, code: str | None,
              key: bool = False) -> None:
        if code is None or code in codes(vocab):
            return
        valid = list(voc.get(vocab, {}))
        out.append(at.problem(rel, loc, "unknown-code",
                              MSG("unknown-code", code=code, vocabulary=vocab,
                                  hint=suggest(code, valid)),
                              value=not key))

    paths = index.paths
    # every kind with code fields (from the spec); half 0: families and volunteers
    kinds = [k for k, fields in CODE_FIELDS.items() if fields and (
        half is None or (k in ("family", "volunteer")) == (half == 0))]
    for kind, table in ((k, index.table(k)) for k in kinds):
        clean = CODES_KNOWN[kind](codes)
        fields = CODE_FIELDS[kind]
        for row in table.values():
            rel = paths.get(row.id)
            if rel is None or clean(row):
                continue
            for field in fields:
                _locate(row, field, 0, (), rel, check)
    return out


def _locate(obj: Any, field: CodeField, depth: int, loc: tuple[str | int, ...], rel: str,
            check: Any) -> None:
    """Check each code of ``field`` in ``obj`` (a row or a nested row) one by one."""
    attr = field.row[depth]
    value = getattr(obj, attr)
    if depth + 1 < len(field.row):  # a tuple of nested rows
        for i, item in enumerate(value):
            _locate(item, field, depth + 1, (*loc, field.file[depth], i), rel, check)
        return
    where = (*loc, *field.file[depth:])
    vocab = field.vocabulary
    if isinstance(vocab, Chosen):
        chosen = vocab.vocabularies.get(getattr(obj, vocab.by))
        if chosen is not None:
            check(rel, where, chosen, value)
    elif field.form == "one":
        check(rel, where, vocab, value)
    elif field.form == "list":
        for i, code in enumerate(value):
            check(rel, (*where, i), vocab, code)
    else:
        for code in value:
            check(rel, (*where, code), vocab, code, key=True)
