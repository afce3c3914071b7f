"""The annual figures ("Home-Start in cijfers"), computed from the records.

Every figure follows the definitions in docs/kpi.md (and domain.md, "Annual KPI
definitions"). The result of a computation is a :class:`KpiCounts`: counts only
(numerators and denominators), never a record; shares and means are derived from it
(:func:`share`, :attr:`ImpactCounts.mean_change`, :func:`as_json`). Because the result
holds counts, the figures of several locations can be merged into national ones
(:func:`merge`), also from the small export files that leave a location
(:func:`export_data`, :func:`read_export`), where every breakdown count between 1 and 4 is
suppressed as ``"<5"``, with secondary suppression where such a count could be worked out
from a total (:func:`suppress`).

A suppressed count is a :class:`Range` (``<5`` is ``Range(1, 4)``); counts are added as
intervals, so a merged figure that depends on a suppressed cell is a range that certainly
holds the true value. Everything here works on the cached index rows (:mod:`hs.records.index`),
never on the pydantic models, and knows nothing of the command line.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from hs.app.eventfigures import EventFigures, figures_by_location
from hs.app.eventfigures import figures as event_figures
from hs.app.eventfigures import from_json as figures_from_json
from hs.app.eventfigures import total as sum_figures
from hs.app.views import check_location
from hs.base.errors import InvalidExport, UsageError
from hs.base.i18n import Catalog
from hs.records.ids import GENDERS
from hs.records.index import FamilyRow, Index
from hs.rules.lifecycle import MAIN_KINDS, family_status
from hs.store.atomic import write_atomic
from hs.store.gitread import Revision
from hs.store.yamlio import YamlIssue, load_plain, new_document

MSG = Catalog({
    "as-of-early": ("--as-of {day} is before the year {year} begins",
                    "--as-of {day} valt voor het begin van het jaar {year}"),
    "bad-year": ("--year: {year} is not a year from {first} to {last}",
                 "--year: {year} is geen jaar van {first} tot {last}"),
    "nothing": ("nothing to merge", "niets om samen te voegen"),
    "periods": ("cannot merge figures of {a} with figures of {b}",
                "cijfers van {a} en van {b} kunnen niet samen"),
    "twice": ("location '{code}' appears twice in the merge",
              "werking '{code}' komt twee keer voor in de samenvoeging"),
    "cannot-read": ("{path}: cannot read: {why}", "{path}: kan niet lezen: {why}"),
    "not-utf8": ("{path}: not UTF-8 text", "{path}: geen UTF-8-tekst"),
    "not-export": ("{where}: not an export file of hs kpi (format {found!r}, expected {want})",
                   "{where}: geen exportbestand van hs kpi (formaat {found!r}, verwacht "
                   "{want})"),
    "missing": ("{where}: '{key}' is missing or not a mapping",
                "{where}: '{key}' ontbreekt of is geen mapping"),
    "count": ("{where}: expected a count or \"<5\", got {got!r}",
              "{where}: verwacht een aantal of \"<5\", niet {got!r}"),
    "number": ("{where}: expected a number, got {got!r}",
               "{where}: verwacht een getal, niet {got!r}"),
    "date": ("{where}: '{got}' is not a date", "{where}: '{got}' is geen datum"),
    "list": ("{where}: '{key}' must be a list", "{where}: '{key}' moet een lijst zijn"),
})

EXPORT_FORMAT = "hs-kpi-export/1"
SUPPRESS_BELOW = 5
WAITING_DAYS_AT_LEAST = 10  # an export gives a median and p90 of at least this many values
YEARS = (1900, 2100)  # the years a figure can be asked for
AGE_BANDS = ("under-19", "19-25", "26-50", "51-65", "66-75", "75+")
DERIVED_PROFILE = ("pregnant-at-referral", "children-0-6", "home-language-other")
BREAKDOWNS = ("profile", "volunteer_gender", "volunteer_age", "referrers", "close_reasons")
# The breakdowns whose cells add up to a total (each volunteer has one gender and one age
# band, each referral one referrer, each closed trajectory one reason): one hidden cell of
# these could be worked out from the total and the other cells.
ADDITIVE = ("volunteer_gender", "volunteer_age", "referrers", "close_reasons")
TOTALS = ("referrals", "accepted", "refused", "withdrawn", "started", "closed",
          "waiting_at_year_end", "families", "children", "support_moments", "volunteers",
          "buddies", "volunteers_new", "volunteers_stopped", "volunteers_returned",
          "locations")


# --- values ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Range:
    """A value known only to lie between ``low`` and ``high`` (both included).

    A count suppressed in an export ("<5") is ``Range(1, 4)``; adding it to an exact count
    gives a range, so merged figures stay honest."""

    low: float
    high: float

    def __str__(self) -> str:
        return f"{_plain(self.low)}-{_plain(self.high)}"


Count = int | Range
Share = float | Range | None


def _plain(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def low(value: Count) -> float:
    return value.low if isinstance(value, Range) else value


def high(value: Count) -> float:
    return value.high if isinstance(value, Range) else value


def add(a: Count, b: Count) -> Count:
    if isinstance(a, int) and isinstance(b, int):
        return a + b
    return Range(low(a) + low(b), high(a) + high(b))


def share(numerator: Count, denominator: Count, digits: int = 4) -> Share:
    """numerator / denominator, rounded; a range if either is one; None if nothing to divide."""
    if isinstance(numerator, int) and isinstance(denominator, int):
        return None if denominator == 0 else round(numerator / denominator, digits)
    den_low, den_high = low(denominator), high(denominator)
    if den_high == 0:
        return None
    num_high = min(high(numerator), den_high)  # a part is never more than the whole
    lo = round(min(low(numerator) / den_high, 1.0), digits)
    hi = round(min(num_high / den_low, 1.0), digits) if den_low > 0 else 1.0
    return lo if lo == hi else Range(lo, hi)


# --- results -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Period:
    """The days counted: 1 January of the year up to 31 December or the --as-of day."""

    first: dt.date
    last: dt.date

    @classmethod
    def of(cls, year: int, as_of: dt.date | None = None) -> Period:
        check_year(year)
        first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
        if as_of is not None:
            if as_of < first:
                raise UsageError(MSG("as-of-early", day=as_of, year=year))
            last = min(last, as_of)
        return cls(first, last)

    def __contains__(self, day: object) -> bool:
        return isinstance(day, dt.date) and self.first <= day <= self.last


@dataclass(frozen=True, slots=True)
class Source:
    """One location's part of merged figures: its code and its revision."""

    location: str | None
    revision: Revision | None


@dataclass(frozen=True, slots=True)
class ImpactCounts:
    """Start and end scores of one impact domain over the trajectories closed in the year.

    ``n`` trajectories had both scores; ``measured`` of them have known sums (all of them
    unless merged from a suppressed cell), ``sum_start`` and ``sum_end`` add their scores."""

    n: Count = 0
    measured: int = 0
    sum_start: int = 0
    sum_end: int = 0

    @property
    def mean_start(self) -> float | None:
        return round(self.sum_start / self.measured, 2) if self.measured else None

    @property
    def mean_end(self) -> float | None:
        return round(self.sum_end / self.measured, 2) if self.measured else None

    @property
    def mean_change(self) -> float | None:
        if not self.measured:
            return None
        return round((self.sum_end - self.sum_start) / self.measured, 2)

    def __add__(self, other: ImpactCounts) -> ImpactCounts:
        return ImpactCounts(add(self.n, other.n), self.measured + other.measured,
                            self.sum_start + other.sum_start, self.sum_end + other.sum_end)


@dataclass(frozen=True, slots=True)
class WaitingDays:
    """Days from acceptance to start of the trajectories started in the year."""

    n: int = 0
    median: float | Range | None = None
    p90: float | Range | None = None

    @classmethod
    def of(cls, days: Iterable[int]) -> WaitingDays:
        values = sorted(days)
        if not values:
            return cls()
        rank = max(1, math.ceil(0.9 * len(values)))  # nearest rank
        return cls(len(values), _number(statistics.median(values)), values[rank - 1])


def check_year(year: int) -> None:
    """A year figures can be asked for (from 1900 to 2100), else a usage error."""
    if not YEARS[0] <= year <= YEARS[1]:
        raise UsageError(MSG("bad-year", year=year, first=YEARS[0], last=YEARS[1]))


def _number(x: float) -> float:
    return int(x) if float(x).is_integer() else round(x, 1)


@dataclass(frozen=True)
class KpiCounts:
    """The annual figures of one location or of several, as counts.

    ``profile`` counts families supported per profile flag and derived profile
    (``pregnant-at-referral`` counts perinatal families, its denominator is
    ``profile["perinatal"]``); ``volunteer_gender`` and ``volunteer_age`` count the
    volunteers; ``referrers`` the referrals, ``close_reasons`` the closed trajectories."""

    year: int
    period: Period
    as_of: dt.date | None = None
    location: str | None = None
    revision: Revision | None = None
    sources: tuple[Source, ...] = ()
    referrals: int = 0
    accepted: int = 0
    refused: int = 0
    withdrawn: int = 0
    started: int = 0
    closed: int = 0
    waiting_at_year_end: int = 0
    families: int = 0
    children: int = 0
    support_moments: int = 0
    volunteers: int = 0
    buddies: int = 0
    volunteers_new: int = 0
    volunteers_stopped: int = 0
    volunteers_returned: int = 0
    locations: int = 0
    municipalities: frozenset[str] = frozenset()
    fte: float | None = None
    profile: dict[str, Count] = field(default_factory=dict)
    volunteer_gender: dict[str, Count] = field(default_factory=dict)
    volunteer_age: dict[str, Count] = field(default_factory=dict)
    referrers: dict[str, Count] = field(default_factory=dict)
    close_reasons: dict[str, Count] = field(default_factory=dict)
    impact: dict[str, ImpactCounts] = field(default_factory=dict)
    waiting_days: WaitingDays = field(default_factory=WaitingDays)
    figures: EventFigures = field(default_factory=EventFigures)  # hs/app/eventfigures.py

    def total(self, key: str) -> int:
        value = getattr(self, key)
        assert isinstance(value, int)
        return value

    def profile_share(self, key: str) -> Share:
        den: Count = (self.profile.get("perinatal", 0) if key == "pregnant-at-referral"
                      else self.families)
        return share(self.profile.get(key, 0), den)

    def volunteer_share(self, breakdown: str, key: str) -> Share:
        return share(getattr(self, breakdown).get(key, 0), self.volunteers)


# --- computing ---------------------------------------------------------------------------


@dataclass
class _Acc:
    """What one pass over the records collects for one location (raw, exact)."""

    location: str
    referrals: int = 0
    decisions: Counter[str] = field(default_factory=Counter)
    started: int = 0
    closed: int = 0
    waiting: int = 0
    support_moments: int = 0
    volunteers: int = 0
    buddies: int = 0
    new: int = 0
    stopped: int = 0
    returned: int = 0
    locations: int = 0
    municipalities: set[str] = field(default_factory=set)
    fte: float | None = None
    families: dict[str, dt.date] = field(default_factory=dict)  # family -> latest start
    children: int = 0
    profile: Counter[str] = field(default_factory=Counter)
    gender: Counter[str] = field(default_factory=Counter)
    age: Counter[str] = field(default_factory=Counter)
    referrers: Counter[str] = field(default_factory=Counter)
    close_reasons: Counter[str] = field(default_factory=Counter)
    impact: dict[str, list[int]] = field(default_factory=dict)  # domain -> [n, start, end]
    waiting_days: list[int] = field(default_factory=list)

    def absorb(self, o: _Acc) -> None:
        self.referrals += o.referrals
        self.decisions.update(o.decisions)
        self.started += o.started
        self.closed += o.closed
        self.waiting += o.waiting
        self.support_moments += o.support_moments
        self.volunteers += o.volunteers
        self.buddies += o.buddies
        self.new += o.new
        self.stopped += o.stopped
        self.returned += o.returned
        self.locations += o.locations
        self.municipalities |= o.municipalities
        if o.fte is not None:
            self.fte = (self.fte or 0.0) + o.fte
        self.families.update(o.families)
        self.children += o.children
        for mine, theirs in ((self.profile, o.profile), (self.gender, o.gender),
                             (self.age, o.age), (self.referrers, o.referrers),
                             (self.close_reasons, o.close_reasons)):
            mine.update(theirs)
        for dom, (n, s, e) in o.impact.items():
            cur = self.impact.setdefault(dom, [0, 0, 0])
            cur[0] += n
            cur[1] += s
            cur[2] += e
        self.waiting_days.extend(o.waiting_days)


def age_band(age: int) -> str:
    """The volunteer age band of an age in years (on 31 December)."""
    if age < 19:
        return "under-19"
    if age <= 25:
        return "19-25"
    if age <= 50:
        return "26-50"
    if age <= 65:
        return "51-65"
    if age <= 75:
        return "66-75"
    return "75+"


def child_age(born: str, day: dt.date) -> int | None:
    """Whole years of a child born in month ``YYYY-MM`` on ``day`` (None if not yet born).

    Only the month is known: in the birth month the birthday counts as passed."""
    year, month = int(born[:4]), int(born[5:7])
    if (year, month) > (day.year, day.month):
        return None
    return day.year - year - (1 if day.month < month else 0)


def _collect(index: Index, period: Period, only: str | None) -> dict[str, _Acc]:
    accs: dict[str, _Acc] = {}

    def acc(location: str) -> _Acc:
        a = accs.get(location)
        if a is None:
            a = accs[location] = _Acc(location)
        return a

    first, last = period.first, period.last
    for loc in index.locations.values():
        if only is not None and loc.id != only:
            continue
        a = acc(loc.id)
        if loc.active_from <= last and (loc.active_until is None or loc.active_until >= first):
            a.locations += 1
            a.municipalities.update(loc.municipalities)
            if loc.fte is not None:
                a.fte = (a.fte or 0.0) + loc.fte

    for fam in index.families.values():
        if only is not None and fam.location != only:
            continue
        a = acc(fam.location)
        for ref in fam.referrals:
            if first <= ref.date <= last:
                a.referrals += 1
                a.referrers[ref.referrer] += 1
            for dec in ref.decisions:
                if first <= dec.date <= last:
                    a.decisions[dec.decision] += 1
        if family_status(index, fam, last) == "waiting":
            a.waiting += 1

    lo, hi = first.toordinal(), last.toordinal()
    for t in index.trajectories.values():
        owner = index.families.get(t.family)
        if owner is None or (only is not None and owner.location != only):
            continue
        a = acc(owner.location)
        a.support_moments += sum(1 for d in t.visit_days if lo <= d <= hi)
        if t.kind not in MAIN_KINDS or t.start > last:
            continue
        if t.start >= first:
            a.started += 1
            referral = owner.referral_on(t.start)
            accepted = referral.accepted_on() if referral is not None else None
            if accepted is not None and accepted <= t.start:
                a.waiting_days.append((t.start - accepted).days)
        end = t.end if t.end is not None and t.end <= last else None
        if end is not None and end >= first:
            a.closed += 1
            a.close_reasons[t.close_reason or "other"] += 1
            for dom, s in t.impact_start.items():
                e = t.impact_end.get(dom)
                if e is not None:
                    cur = a.impact.setdefault(dom, [0, 0, 0])
                    cur[0] += 1
                    cur[1] += s
                    cur[2] += e
        if end is None or end >= first:
            prev = a.families.get(owner.id)
            if prev is None or t.start > prev:
                a.families[owner.id] = t.start

    for a in accs.values():
        for fid, start in a.families.items():
            _profile(a, index.families[fid], start, last)

    for v in index.volunteers.values():
        if only is not None and v.location != only:
            continue
        a = acc(v.location)
        periods = [p for p in v.periods if p.start <= last]
        if not any(p.end is None or p.end >= first for p in periods):
            continue
        a.volunteers += 1
        if "buddy" in v.roles:
            a.buddies += 1
        a.gender[v.gender] += 1
        a.age[age_band(period.first.year - v.birth_year)] += 1
        starts = [p.start for p in periods]
        first_start = min(starts)
        if first <= first_start:
            a.new += 1
        if any(first <= s and s != first_start for s in starts):
            a.returned += 1
        if any(p.end is not None and first <= p.end <= last for p in periods):
            a.stopped += 1
    return accs


def _profile(a: _Acc, fam: FamilyRow, start: dt.date, last: dt.date) -> None:
    """Count one supported family's children and profile."""
    ages = [age for age in (child_age(born, last) for born in fam.children) if age is not None]
    a.children += len(ages)
    for flag in set(fam.flags):
        a.profile[flag] += 1
    ref = fam.referral_on(start)
    pregnant = ref is not None and ref.expecting is not None
    if pregnant and "perinatal" not in fam.flags:
        a.profile["perinatal"] += 1
    if pregnant:
        a.profile["pregnant-at-referral"] += 1
    if any(age <= 6 for age in ages):
        a.profile["children-0-6"] += 1
    if any(lang != "nl" for lang in fam.languages):
        a.profile["home-language-other"] += 1


def _finish(acc: _Acc, index: Index, year: int, period: Period, as_of: dt.date | None,
            location: str | None, revision: Revision | None) -> KpiCounts:
    def keyed(counter: Counter[str], keys: Iterable[str]) -> dict[str, Count]:
        out: dict[str, Count] = {k: counter.get(k, 0) for k in keys}
        for k in sorted(counter):
            out.setdefault(k, counter[k])
        return out

    flags = [*index.codes("profile_flags"), *DERIVED_PROFILE]
    domains = index.codes("impact_domains")
    impact = {dom: ImpactCounts() for dom in domains}
    for dom in sorted(acc.impact):
        n, s, e = acc.impact[dom]
        impact[dom] = ImpactCounts(n, n, s, e)
    return KpiCounts(
        year=year, period=period, as_of=as_of, location=location, revision=revision,
        referrals=acc.referrals, accepted=acc.decisions["accepted"],
        refused=acc.decisions["refused"], withdrawn=acc.decisions["withdrawn"],
        started=acc.started, closed=acc.closed, waiting_at_year_end=acc.waiting,
        families=len(acc.families), children=acc.children,
        support_moments=acc.support_moments, volunteers=acc.volunteers,
        buddies=acc.buddies, volunteers_new=acc.new, volunteers_stopped=acc.stopped,
        volunteers_returned=acc.returned, locations=acc.locations,
        municipalities=frozenset(acc.municipalities),
        fte=None if acc.fte is None else round(acc.fte, 2),
        profile=keyed(acc.profile, flags),
        volunteer_gender=keyed(acc.gender, GENDERS),
        volunteer_age=keyed(acc.age, AGE_BANDS),
        referrers=keyed(acc.referrers, index.codes("referrers")),
        close_reasons=keyed(acc.close_reasons, index.codes("close_reasons")),
        impact=impact,
        waiting_days=WaitingDays.of(acc.waiting_days),
    )


def compute(index: Index, year: int, *, location: str | None = None,
            as_of: dt.date | None = None, revision: Revision | None = None) -> KpiCounts:
    """The figures of ``year`` for one location, or for all of them (``location=None``)."""
    check_location(index, location)
    period = Period.of(year, as_of)
    total = _Acc(location or "")
    for part in _collect(index, period, location).values():
        total.absorb(part)
    counts = _finish(total, index, year, period, as_of, location, revision)
    return replace(counts, figures=event_figures(index, period.first, period.last, location))


def compute_by_location(index: Index, year: int, *, as_of: dt.date | None = None,
                        revision: Revision | None = None
                        ) -> tuple[KpiCounts, dict[str, KpiCounts]]:
    """The figures for all locations together and per location (in one pass).

    Locations without any figure in the year (say one that stopped earlier) are left out
    of the per-location part."""
    period = Period.of(year, as_of)
    accs = _collect(index, period, None)
    total = _Acc("")
    for part in accs.values():
        total.absorb(part)
    parts: dict[str, KpiCounts] = {}
    ev_total, ev_parts = figures_by_location(index, period.first, period.last, accs)
    for code in sorted(accs):
        counts = _finish(accs[code], index, year, period, as_of, code, revision)
        if _has_figures(counts):
            parts[code] = replace(counts, figures=ev_parts[code])
    return replace(_finish(total, index, year, period, as_of, None, revision),
                   figures=ev_total), parts


def _has_figures(c: KpiCounts) -> bool:
    return bool(c.locations or any(c.total(k) for k in TOTALS))


# --- privacy: suppression and merging ----------------------------------------------------


def _suppress_cell(value: Count) -> Count:
    if isinstance(value, int) and 0 < value < SUPPRESS_BELOW:
        return Range(1, SUPPRESS_BELOW - 1)
    return value


def _suppress_breakdown(cells: Mapping[str, Count], additive: bool) -> dict[str, Count]:
    """Every count from 1 to 4 as ``Range(1, 4)``. In a breakdown that adds up to a total
    (``additive``), a single hidden cell could be worked out from the total and the other
    cells; then the next smallest non-zero cell (the first key of equal ones) is hidden
    too, as the range its value is known to lie in from the total: with the small cell
    ``a`` (1 to 4) and this cell ``b``, ``a + b`` is known, so ``b`` lies between
    ``a + b - 4`` and ``a + b - 1`` (and is at least 5)."""
    out = {k: _suppress_cell(v) for k, v in cells.items()}
    hidden = [k for k, v in out.items() if v != cells[k]]
    if not additive or len(hidden) != 1:
        return out
    shown = {k: v for k, v in out.items() if isinstance(v, int) and v > 0}
    if not shown:
        return out  # the cell is the whole total (below 5): see docs/kpi.md, limits
    small, other = cells[hidden[0]], min(shown, key=shown.__getitem__)
    both = low(small) + low(cells[other])
    out[other] = Range(max(SUPPRESS_BELOW, both - (SUPPRESS_BELOW - 1)), both - 1)
    return out


def suppress(counts: KpiCounts) -> KpiCounts:
    """The counts as they may leave a location: every breakdown count from 1 to 4 becomes
    ``Range(1, 4)`` ("<5"); where that leaves a single hidden cell in a breakdown that
    adds up to a total, the next smallest cell is hidden too (:func:`_suppress_breakdown`).
    An impact domain with ``n`` from 1 to 4 loses its sums; the median and 90th percentile
    of fewer than 10 waiting times are left out. Totals stay exact."""
    changes: dict[str, Any] = {name: _suppress_breakdown(getattr(counts, name),
                                                         name in ADDITIVE)
                               for name in BREAKDOWNS}
    impact: dict[str, ImpactCounts] = {}
    for dom, imp in counts.impact.items():
        cell = _suppress_cell(imp.n)
        impact[dom] = imp if cell == imp.n else ImpactCounts(cell, 0, 0, 0)
    changes["impact"] = impact
    w = counts.waiting_days
    if w.n < WAITING_DAYS_AT_LEAST:
        changes["waiting_days"] = WaitingDays(w.n)
    return replace(counts, **changes)


def merge(parts: list[KpiCounts]) -> KpiCounts:
    """National figures from the figures of several locations (exports or computed).

    Counts are added (a range where a part is one). The waiting-time median and 90th
    percentile cannot be merged from aggregates: the merge gives the range of the parts'
    values (exact if only one part has any)."""
    if not parts:
        raise UsageError(MSG("nothing"))
    head = parts[0]
    for p in parts[1:]:
        if p.year != head.year or p.period != head.period:
            raise UsageError(MSG("periods", a=f"{head.period.first}..{head.period.last}",
                                 b=f"{p.period.first}..{p.period.last}"))
    seen: set[str] = set()
    for p in parts:
        for src in p.sources or (Source(p.location, p.revision),):
            if src.location is not None and src.location in seen:
                raise UsageError(MSG("twice", code=src.location))
            if src.location is not None:
                seen.add(src.location)
    totals: dict[str, Any] = {k: sum(p.total(k) for p in parts) for k in TOTALS}
    ftes = [p.fte for p in parts if p.fte is not None]
    breakdowns: dict[str, Any] = {}
    for name in BREAKDOWNS:
        merged: dict[str, Count] = {}
        for p in parts:
            for k, v in getattr(p, name).items():
                merged[k] = add(merged.get(k, 0), v)
        breakdowns[name] = merged
    impact: dict[str, ImpactCounts] = {}
    for p in parts:
        for dom, imp in p.impact.items():
            impact[dom] = impact.get(dom, ImpactCounts()) + imp
    sources = tuple(s for p in parts for s in (p.sources or (Source(p.location, p.revision),)))
    return KpiCounts(
        year=head.year, period=head.period, as_of=head.as_of, location=None, revision=None,
        sources=sources, **totals,
        municipalities=frozenset().union(*(p.municipalities for p in parts)),
        fte=round(sum(ftes), 2) if ftes else None,
        **breakdowns, impact=impact,
        waiting_days=_merge_waiting([p.waiting_days for p in parts]),
        figures=sum_figures(p.figures for p in parts),
    )


def _merge_waiting(parts: list[WaitingDays]) -> WaitingDays:
    n = sum(w.n for w in parts)
    having = [w for w in parts if w.n]

    def spread(values: list[float | Range | None]) -> float | Range | None:
        known = [v for v in values if v is not None]
        if not known:
            return None
        if len(having) == 1 and len(known) == 1:
            return known[0]
        lows = [low(v) if isinstance(v, Range) else v for v in known]
        highs = [high(v) if isinstance(v, Range) else v for v in known]
        return Range(min(lows), max(highs))

    return WaitingDays(n, spread([w.median for w in having]), spread([w.p90 for w in having]))


# --- JSON ----------------------------------------------------------------------------------


def json_value(value: Count | Share | float) -> Any:
    if isinstance(value, Range):
        return {"min": value.low, "max": value.high}
    return value


def as_json(c: KpiCounts) -> dict[str, Any]:
    """The figures as one JSON object (keys documented in docs/kpi.md)."""
    out: dict[str, Any] = {
        "year": c.year,
        "location": c.location,
        "as_of": c.as_of.isoformat() if c.as_of else None,
        "period": {"first": c.period.first.isoformat(), "last": c.period.last.isoformat()},
        "revision": c.revision.as_json() if c.revision else None,
    }
    if c.sources:
        out["sources"] = [{"location": s.location,
                           "revision": s.revision.as_json() if s.revision else None}
                          for s in c.sources]
    for key in TOTALS:
        out[key] = c.total(key)
    out["municipalities"] = len(c.municipalities)
    out["fte"] = c.fte
    out["profile"] = {k: json_value(c.profile_share(k)) for k in c.profile}
    out["volunteer_gender"] = {k: json_value(c.volunteer_share("volunteer_gender", k))
                               for k in c.volunteer_gender}
    out["volunteer_age"] = {k: json_value(c.volunteer_share("volunteer_age", k))
                            for k in c.volunteer_age}
    out["referrers"] = {k: json_value(v) for k, v in c.referrers.items()}
    out["close_reasons"] = {k: json_value(v) for k, v in c.close_reasons.items()}
    out["impact"] = {dom: {"n": json_value(i.n), "start": i.mean_start, "end": i.mean_end,
                           "change": i.mean_change} for dom, i in c.impact.items()}
    w = c.waiting_days
    out["waiting_days"] = {"n": w.n, "median": json_value(w.median), "p90": json_value(w.p90)}
    out.update(c.figures.as_json())  # events and signals (hs/app/eventfigures.py)
    out["counts"] = {
        "profile": {k: json_value(v) for k, v in c.profile.items()},
        "volunteer_gender": {k: json_value(v) for k, v in c.volunteer_gender.items()},
        "volunteer_age": {k: json_value(v) for k, v in c.volunteer_age.items()},
    }
    return out


# --- export files ---------------------------------------------------------------------------


def _export_value(value: Count) -> int | str:
    if isinstance(value, Range):
        if (value.low, value.high) == (1, SUPPRESS_BELOW - 1):
            return f"<{SUPPRESS_BELOW}"
        return f"{_plain(value.low)}-{_plain(value.high)}"
    return value


def export_data(counts: KpiCounts) -> dict[str, Any]:
    """The plain data of an export file: suppressed counts of one location, no record."""
    c = suppress(counts)
    w = c.waiting_days
    rev = c.revision
    return {
        "format": EXPORT_FORMAT,
        "year": c.year,
        "location": c.location,
        "as_of": c.as_of.isoformat() if c.as_of else None,
        "period": {"first": c.period.first.isoformat(), "last": c.period.last.isoformat()},
        "revision": None if rev is None else {"commit": rev.commit, "rev": rev.rev,
                                               "dirty": rev.dirty},
        "totals": {k: c.total(k) for k in TOTALS},
        "municipalities": sorted(c.municipalities),
        "fte": c.fte,
        **{name: {k: _export_value(v) for k, v in getattr(c, name).items()}
           for name in BREAKDOWNS},
        "impact": {dom: ({"n": _export_value(i.n)} if isinstance(i.n, Range) else
                         {"n": i.n, "sum_start": i.sum_start, "sum_end": i.sum_end})
                   for dom, i in c.impact.items() if i.n != 0},
        "waiting_days": {"n": w.n, "median": w.median, "p90": w.p90},
        "events": c.figures.as_json(),  # events and signals: exact counts
    }


def export_text(counts: KpiCounts) -> str:
    header = ("# Home-Start annual figures of one location: counts only, no records.\n"
              f"# Counts from 1 to {SUPPRESS_BELOW - 1} of a breakdown are written as "
              f"\"<{SUPPRESS_BELOW}\" (and, where\n"
              "# one such count could be worked out from a total, the next smallest count "
              "as a range);\n"
              "# totals are exact.\n"
              "# Merge several with: hs kpi --from FILE...")
    return new_document(export_data(counts), header=header)


def write_export(path: Path, counts: KpiCounts) -> None:
    """Write an export file atomically (:func:`write_atomic`)."""
    write_atomic(path, export_text(counts))


def _count(raw: Any, where: str) -> Count:
    if isinstance(raw, bool):
        raise InvalidExport(MSG("count", where=where, got=raw))
    if isinstance(raw, int) and raw >= 0:
        return raw
    if isinstance(raw, str):
        text = raw.strip()
        if text == f"<{SUPPRESS_BELOW}":
            return Range(1, SUPPRESS_BELOW - 1)
        parts = text.split("-")
        if len(parts) == 2 and all(p.isdigit() for p in parts):
            return Range(int(parts[0]), int(parts[1]))
    raise InvalidExport(MSG("count", where=where, got=raw))


def _number_or_none(raw: Any, where: str) -> float | None:
    if raw is None:
        return None
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        return raw
    raise InvalidExport(MSG("number", where=where, got=raw))


def _mapping(data: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any]:
    value = data.get(key)
    if not isinstance(value, Mapping):
        raise InvalidExport(MSG("missing", where=where, key=key))
    return value


def _date(raw: Any, where: str) -> dt.date:
    try:
        return dt.date.fromisoformat(str(raw))
    except ValueError:
        raise InvalidExport(MSG("date", where=where, got=raw)) from None


def from_export(data: Any, where: str) -> KpiCounts:
    """Counts from the data of an export file (as :func:`export_data` writes it)."""
    if not isinstance(data, Mapping) or data.get("format") != EXPORT_FORMAT:
        found = data.get("format") if isinstance(data, Mapping) else None
        raise InvalidExport(MSG("not-export", where=where, found=found, want=EXPORT_FORMAT))
    year = data.get("year")
    if not isinstance(year, int) or isinstance(year, bool):
        raise InvalidExport(MSG("number", where=f"{where}: year", got=year))
    period_raw = _mapping(data, "period", where)
    period = Period(_date(period_raw.get("first"), where), _date(period_raw.get("last"), where))
    totals_raw = _mapping(data, "totals", where)
    totals: dict[str, Any] = {}
    for key in TOTALS:
        value = totals_raw.get(key, 0)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise InvalidExport(MSG("count", where=f"{where}: totals.{key}", got=value))
        totals[key] = value
    breakdowns: dict[str, Any] = {}
    for name in BREAKDOWNS:
        raw = _mapping(data, name, where)
        breakdowns[name] = {str(k): _count(v, f"{where}: {name}.{k}") for k, v in raw.items()}
    impact: dict[str, ImpactCounts] = {}
    for dom, raw in _mapping(data, "impact", where).items():
        if not isinstance(raw, Mapping):
            raise InvalidExport(MSG("missing", where=f"{where}: impact", key=dom))
        n = _count(raw.get("n", 0), f"{where}: impact.{dom}.n")
        if isinstance(n, Range):
            impact[str(dom)] = ImpactCounts(n, 0, 0, 0)
        else:
            sums = [raw.get("sum_start", 0), raw.get("sum_end", 0)]
            if not all(isinstance(s, int) and not isinstance(s, bool) for s in sums):
                raise InvalidExport(MSG("number", where=f"{where}: impact.{dom}", got=sums))
            impact[str(dom)] = ImpactCounts(n, n, sums[0], sums[1])
    w = _mapping(data, "waiting_days", where)
    wn = w.get("n", 0)
    if not isinstance(wn, int) or isinstance(wn, bool):
        raise InvalidExport(MSG("count", where=f"{where}: waiting_days.n", got=wn))
    rev = data.get("revision")
    revision = None
    if isinstance(rev, Mapping):
        revision = Revision(rev.get("commit"), rev.get("rev"), bool(rev.get("dirty")))
    munis = data.get("municipalities") or []
    if not isinstance(munis, list):
        raise InvalidExport(MSG("list", where=where, key="municipalities"))
    as_of = data.get("as_of")
    location = data.get("location")
    return KpiCounts(
        year=year, period=period, as_of=None if as_of is None else _date(as_of, where),
        location=None if location is None else str(location), revision=revision,
        **totals, municipalities=frozenset(str(m) for m in munis),
        fte=_number_or_none(data.get("fte"), f"{where}: fte"),
        **breakdowns, impact=impact,
        waiting_days=WaitingDays(wn, _number_or_none(w.get("median"), f"{where}: median"),
                                 _number_or_none(w.get("p90"), f"{where}: p90")),
        figures=_figures_of(data, where),
    )


def _figures_of(data: Mapping[str, Any], where: str) -> EventFigures:
    try:
        return figures_from_json(data.get("events"))
    except ValueError as err:
        raise InvalidExport(MSG("count", where=f"{where}: events", got=err)) from None


def read_export(path: Path) -> KpiCounts:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidExport(MSG("cannot-read", path=path, why=exc.strerror or exc)) from None
    except UnicodeDecodeError:
        raise InvalidExport(MSG("not-utf8", path=path)) from None
    try:
        data = load_plain(text)
    except YamlIssue as issue:
        raise InvalidExport(f"{path}:{issue.line}:{issue.col}: {issue.message}") from None
    return from_export(data, str(path))


__all__ = ["AGE_BANDS", "BREAKDOWNS", "TOTALS", "ImpactCounts", "KpiCounts", "Period",
           "Range", "Revision", "Source", "WaitingDays", "add", "as_json", "check_year",
           "compute", "compute_by_location", "export_data", "from_export", "merge",
           "read_export", "share", "suppress", "write_atomic", "write_export"]
