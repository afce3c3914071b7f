"""The annual figures ("Home-Start in cijfers"), computed from the records.

Every figure follows the definitions in docs/kpi.md (and domain.md, "Annual KPI
definitions"). The result of a computation is a :class:`KpiCounts`: counts only
(numerators and denominators, and the waiting days as a histogram), never a record; shares,
means, the median and the 90th percentile are derived from it (:func:`share`,
:attr:`ImpactCounts.mean_change`, :class:`WaitingDays`, :func:`as_json`). Because the
result holds counts, the figures of several locations merge into exact national ones
(:mod:`hs.app.rollup`); figures for publication hide their small cells
(:mod:`hs.app.suppress`), which shows a hidden count as a :class:`Range` (``<5`` is
``Range(1, 4)``). Everything here works on the cached index rows (:mod:`hs.records.index`),
never on the pydantic models, and knows nothing of the command line.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from hs.app.eventfigures import figures as event_figures
from hs.app.eventfigures import figures_by_location
from hs.app.views import check_location
from hs.base.errors import UsageError
from hs.base.i18n import Catalog
from hs.records.enums import TRAJECTORY_KINDS
from hs.records.ids import GENDERS
from hs.records.index import FamilyRow, Index, TrajectoryRow, VolunteerRow
from hs.rules.lifecycle import MAIN_KINDS, family_status
from hs.store.atomic import write_atomic
from hs.store.gitread import Revision

MSG = Catalog("app.kpi")

SUPPRESS_BELOW = 5  # published figures hide counts from 1 to 4 (hs.app.suppress)
YEARS = (1900, 2100)  # the years a figure can be asked for
AGE_BANDS = ("under-19", "19-25", "26-50", "51-65", "66-75", "75+")
DERIVED_PROFILE = ("pregnant-at-referral", "children-0-6", "home-language-other")
BREAKDOWNS = ("profile", "volunteer_gender", "volunteer_age", "referrers", "close_reasons",
              "started_by_kind", "closed_by_kind", "active_by_kind")
# The breakdowns whose cells add up to a total (each volunteer has one gender and one age
# band, each referral one referrer, each closed trajectory one reason and one kind): one
# hidden cell of these could be worked out from the total and the other cells.
ADDITIVE = {"volunteer_gender": "volunteers", "volunteer_age": "volunteers",
            "referrers": "referrals", "close_reasons": "closed",
            "started_by_kind": "started", "closed_by_kind": "closed"}
TOTALS = ("referrals", "accepted", "refused", "withdrawn", "started", "closed",
          "waiting_at_year_end", "families", "children", "support_moments", "volunteers",
          "buddies", "volunteers_new", "volunteers_stopped", "volunteers_returned",
          "locations")
#: Location metadata that are not counts of people (never hidden).
METADATA_TOTALS = ("locations",)


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
    """Days from acceptance to start of the trajectories started in the year: ``n``, the
    median and the 90th percentile (nearest rank)."""

    n: Count = 0
    median: float | Range | None = None
    p90: float | Range | None = None

    @classmethod
    def of(cls, days: Iterable[int]) -> WaitingDays:
        return cls.of_histogram(Counter(days))

    @classmethod
    def of_histogram(cls, histogram: Mapping[int, int]) -> WaitingDays:
        """The figures of the values a histogram (days -> how many) holds: the same as of
        the values themselves, so that merged histograms give exact national figures."""
        n = sum(histogram.values())
        if not n:
            return cls()
        ordered = sorted((d, k) for d, k in histogram.items() if k)

        def nth(i: int) -> int:  # the i-th value (0-based) in sorted order
            seen = 0
            for day, k in ordered:
                seen += k
                if i < seen:
                    return day
            raise IndexError(i)

        if n % 2:
            median: float = nth(n // 2)
        else:
            median = (nth(n // 2 - 1) + nth(n // 2)) / 2
        rank = max(1, (9 * n + 9) // 10)  # nearest rank: ceil(0.9 n), in integers
        return cls(n, _number(median), nth(rank - 1))


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
    volunteers; ``referrers`` the referrals, ``close_reasons`` the closed trajectories;
    ``started_by_kind`` and ``closed_by_kind`` the main trajectories started and closed,
    ``active_by_kind`` the trajectories of every kind (starter too) active in the period.
    ``waiting_histogram`` counts the trajectories started per number of waiting days
    (``waiting_days`` is computed from it). ``partners``, ``with_partner`` (locations run
    with a partner organisation) and ``funding`` (income per source, euros) are location
    metadata. ``extra`` holds further figures by their JSON key, each a count or a map of
    code -> count that adds up over locations (volunteer events, signals): the export, the
    merge and the suppression carry them as they do the built-in counts."""

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
    partners: frozenset[str] = frozenset()
    with_partner: int = 0
    funding: dict[str, float] = field(default_factory=dict)
    profile: dict[str, Count] = field(default_factory=dict)
    volunteer_gender: dict[str, Count] = field(default_factory=dict)
    volunteer_age: dict[str, Count] = field(default_factory=dict)
    referrers: dict[str, Count] = field(default_factory=dict)
    close_reasons: dict[str, Count] = field(default_factory=dict)
    started_by_kind: dict[str, Count] = field(default_factory=dict)
    closed_by_kind: dict[str, Count] = field(default_factory=dict)
    active_by_kind: dict[str, Count] = field(default_factory=dict)
    impact: dict[str, ImpactCounts] = field(default_factory=dict)
    waiting_days: WaitingDays = field(default_factory=WaitingDays)
    waiting_histogram: dict[int, int] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    def total(self, key: str) -> Count:
        """A total (a :class:`Range` where published figures hide it)."""
        value = getattr(self, key)
        assert isinstance(value, int | Range)
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
    partners: set[str] = field(default_factory=set)
    with_partner: int = 0
    funding: Counter[str] = field(default_factory=Counter)
    families: dict[str, dt.date] = field(default_factory=dict)  # family -> latest start
    children: int = 0
    profile: Counter[str] = field(default_factory=Counter)
    gender: Counter[str] = field(default_factory=Counter)
    age: Counter[str] = field(default_factory=Counter)
    referrers: Counter[str] = field(default_factory=Counter)
    close_reasons: Counter[str] = field(default_factory=Counter)
    started_kind: Counter[str] = field(default_factory=Counter)
    closed_kind: Counter[str] = field(default_factory=Counter)
    active_kind: Counter[str] = field(default_factory=Counter)
    impact: dict[str, list[int]] = field(default_factory=dict)  # domain -> [n, start, end]
    waiting_days: Counter[int] = field(default_factory=Counter)  # days -> trajectories

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
        self.partners |= o.partners
        self.with_partner += o.with_partner
        self.funding.update(o.funding)
        self.families.update(o.families)
        self.children += o.children
        for mine, theirs in ((self.profile, o.profile), (self.gender, o.gender),
                             (self.age, o.age), (self.referrers, o.referrers),
                             (self.close_reasons, o.close_reasons),
                             (self.started_kind, o.started_kind),
                             (self.closed_kind, o.closed_kind),
                             (self.active_kind, o.active_kind)):
            mine.update(theirs)
        for dom, (n, s, e) in o.impact.items():
            cur = self.impact.setdefault(dom, [0, 0, 0])
            cur[0] += n
            cur[1] += s
            cur[2] += e
        self.waiting_days.update(o.waiting_days)


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


#: Where a family's figures go (its location, or its municipality), and a volunteer's.
FamilyKey = Callable[[FamilyRow], str]
VolunteerKey = Callable[[VolunteerRow], str]


def _by_location_family(fam: FamilyRow) -> str:
    return fam.location


def _by_location_volunteer(v: VolunteerRow) -> str:
    return v.location


class _Collector:
    """One pass over the records into one :class:`_Acc` per key (a location by default;
    a municipality for :func:`compute_by_municipality`)."""

    def __init__(self, index: Index, period: Period, only: str | None,
                 family_key: FamilyKey = _by_location_family,
                 volunteer_key: VolunteerKey = _by_location_volunteer) -> None:
        self.index, self.period, self.only = index, period, only
        self.family_key, self.volunteer_key = family_key, volunteer_key
        self.accs: dict[str, _Acc] = {}

    def acc(self, key: str) -> _Acc:
        a = self.accs.get(key)
        if a is None:
            a = self.accs[key] = _Acc(key)
        return a

    def run(self, with_locations: bool = True) -> dict[str, _Acc]:
        if with_locations:
            self.locations()
        self.families()
        self.trajectories()
        for a in self.accs.values():
            for fid, start in a.families.items():
                _profile(a, self.index.families[fid], start, self.period.last)
        self.volunteers()
        return self.accs

    def locations(self) -> None:
        first, last = self.period.first, self.period.last
        for loc in self.index.locations.values():
            if self.only is not None and loc.id != self.only:
                continue
            a = self.acc(loc.id)
            if loc.active_from <= last and (loc.active_until is None
                                            or loc.active_until >= first):
                a.locations += 1
                a.municipalities.update(loc.municipalities)
                if loc.fte is not None:
                    a.fte = (a.fte or 0.0) + loc.fte
                if loc.partner is not None:
                    a.partners.add(loc.partner)
                    a.with_partner += 1
                a.funding.update(loc.funding)

    def families(self) -> None:
        first, last = self.period.first, self.period.last
        for fam in self.index.families.values():
            if self.only is not None and fam.location != self.only:
                continue
            a = self.acc(self.family_key(fam))
            for ref in fam.referrals:
                if first <= ref.date <= last:
                    a.referrals += 1
                    a.referrers[ref.referrer] += 1
                for dec in ref.decisions:
                    if first <= dec.date <= last:
                        a.decisions[dec.decision] += 1
            if family_status(self.index, fam, last) == "waiting":
                a.waiting += 1

    def trajectories(self) -> None:
        first, last = self.period.first, self.period.last
        lo, hi = first.toordinal(), last.toordinal()
        for t in self.index.trajectories.values():
            owner = self.index.families.get(t.family)
            if owner is None or (self.only is not None and owner.location != self.only):
                continue
            a = self.acc(self.family_key(owner))
            a.support_moments += sum(1 for d in t.visit_days if lo <= d <= hi)
            if t.start > last:
                continue
            end = t.end if t.end is not None and t.end <= last else None
            if end is None or end >= first:
                a.active_kind[t.kind] += 1
            if t.kind in MAIN_KINDS:
                self.main_trajectory(a, t, owner, end)

    def main_trajectory(self, a: _Acc, t: TrajectoryRow, owner: FamilyRow,
                        end: dt.date | None) -> None:
        first = self.period.first
        if t.start >= first:
            a.started += 1
            a.started_kind[t.kind] += 1
            referral = owner.referral_on(t.start)
            accepted = referral.accepted_on() if referral is not None else None
            if accepted is not None and accepted <= t.start:
                a.waiting_days[(t.start - accepted).days] += 1
        if end is not None and end >= first:
            a.closed += 1
            a.closed_kind[t.kind] += 1
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

    def volunteers(self) -> None:
        first, last = self.period.first, self.period.last
        for v in self.index.volunteers.values():
            if self.only is not None and v.location != self.only:
                continue
            periods = [p for p in v.periods if p.start <= last]
            if not any(p.end is None or p.end >= first for p in periods):
                continue
            a = self.acc(self.volunteer_key(v))
            a.volunteers += 1
            if "buddy" in v.roles:
                a.buddies += 1
            a.gender[v.gender] += 1
            a.age[age_band(first.year - v.birth_year)] += 1
            starts = [p.start for p in periods]
            first_start = min(starts)
            if first <= first_start:
                a.new += 1
            if any(first <= s and s != first_start for s in starts):
                a.returned += 1
            if any(p.end is not None and first <= p.end <= last for p in periods):
                a.stopped += 1


def _collect(index: Index, period: Period, only: str | None) -> dict[str, _Acc]:
    return _Collector(index, period, only).run()


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


def keyed(counter: Mapping[str, int], keys: Iterable[str]) -> dict[str, Count]:
    """Every key of a vocabulary (0 if not counted), then any other key counted."""
    out: dict[str, Count] = {k: counter.get(k, 0) for k in keys}
    for k in sorted(counter):
        out.setdefault(k, counter[k])
    return out


def _finish(acc: _Acc, index: Index, year: int, period: Period, as_of: dt.date | None,
            location: str | None, revision: Revision | None) -> KpiCounts:
    flags = [*index.codes("profile_flags"), *DERIVED_PROFILE]
    domains = index.codes("impact_domains")
    impact = {dom: ImpactCounts() for dom in domains}
    for dom in sorted(acc.impact):
        n, s, e = acc.impact[dom]
        impact[dom] = ImpactCounts(n, n, s, e)
    histogram = {d: acc.waiting_days[d] for d in sorted(acc.waiting_days)}
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
        partners=frozenset(acc.partners), with_partner=acc.with_partner,
        funding={k: round(acc.funding[k], 2) for k in sorted(acc.funding)},
        profile=keyed(acc.profile, flags),
        volunteer_gender=keyed(acc.gender, GENDERS),
        volunteer_age=keyed(acc.age, AGE_BANDS),
        referrers=keyed(acc.referrers, index.codes("referrers")),
        close_reasons=keyed(acc.close_reasons, index.codes("close_reasons")),
        started_by_kind=keyed(acc.started_kind, MAIN_KINDS),
        closed_by_kind=keyed(acc.closed_kind, MAIN_KINDS),
        active_by_kind=keyed(acc.active_kind, TRAJECTORY_KINDS),
        impact=impact,
        waiting_days=WaitingDays.of_histogram(histogram),
        waiting_histogram=histogram,
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
    return replace(counts, extra=event_figures(index, period.first, period.last,
                                               location).as_json())


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
            parts[code] = replace(counts, extra=ev_parts[code].as_json())
    return replace(_finish(total, index, year, period, as_of, None, revision),
                   extra=ev_total.as_json()), parts


UNKNOWN_MUNICIPALITY = "?"


def compute_by_municipality(index: Index, year: int, *, location: str | None = None,
                            as_of: dt.date | None = None, revision: Revision | None = None
                            ) -> tuple[KpiCounts, dict[str, KpiCounts]]:
    """The figures of one location (or all) and per municipality: a family's figures go
    to the municipality in its record, a volunteer's to theirs; a record without one (or
    with one the locations do not serve) goes to ``"?"``. Location metadata (FTE,
    locations, partners) stay with the total. Municipalities without any figure are left
    out."""
    check_location(index, location)
    period = Period.of(year, as_of)
    total = compute(index, year, location=location, as_of=as_of, revision=revision)
    served = total.municipalities

    def where(name: str | None) -> str:
        return name if name is not None and name in served else UNKNOWN_MUNICIPALITY

    accs = _Collector(index, period, location, lambda f: where(f.municipality),
                      lambda v: where(v.municipality)).run(with_locations=False)
    parts: dict[str, KpiCounts] = {}
    for name in sorted(accs, key=lambda k: (k == UNKNOWN_MUNICIPALITY, k)):
        counts = _finish(accs[name], index, year, period, as_of, location, revision)
        if _has_figures(counts):
            parts[name] = counts
    return total, parts


def _has_figures(c: KpiCounts) -> bool:
    return bool(c.locations or any(c.total(k) for k in TOTALS))


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
        out[key] = json_value(c.total(key))
    out["municipalities"] = len(c.municipalities)
    out["fte"] = c.fte
    out["partners"] = sorted(c.partners)
    out["with_partner"] = c.with_partner
    out["funding"] = dict(c.funding)
    out["perinatal_families"] = json_value(c.profile.get("perinatal", 0))
    out["profile"] = {k: json_value(c.profile_share(k)) for k in c.profile}
    out["volunteer_gender"] = {k: json_value(c.volunteer_share("volunteer_gender", k))
                               for k in c.volunteer_gender}
    out["volunteer_age"] = {k: json_value(c.volunteer_share("volunteer_age", k))
                            for k in c.volunteer_age}
    out["referrers"] = {k: json_value(v) for k, v in c.referrers.items()}
    out["close_reasons"] = {k: json_value(v) for k, v in c.close_reasons.items()}
    for name in ("started_by_kind", "closed_by_kind", "active_by_kind"):
        out[name] = {k: json_value(v) for k, v in getattr(c, name).items()}
    out["impact"] = {dom: {"n": json_value(i.n), "start": i.mean_start, "end": i.mean_end,
                           "change": i.mean_change} for dom, i in c.impact.items()}
    for key, value in c.extra.items():
        out[key] = ({k: json_value(v) for k, v in value.items()} if isinstance(value, dict)
                    else json_value(value))
    w = c.waiting_days
    out["waiting_days"] = {"n": json_value(w.n), "median": json_value(w.median),
                           "p90": json_value(w.p90)}
    out["counts"] = {
        "profile": {k: json_value(v) for k, v in c.profile.items()},
        "volunteer_gender": {k: json_value(v) for k, v in c.volunteer_gender.items()},
        "volunteer_age": {k: json_value(v) for k, v in c.volunteer_age.items()},
    }
    return out


__all__ = ["AGE_BANDS", "BREAKDOWNS", "TOTALS", "ImpactCounts", "KpiCounts", "Period",
           "Range", "Revision", "Source", "WaitingDays", "add", "as_json", "check_year",
           "compute", "compute_by_location", "compute_by_municipality", "share",
           "write_atomic"]
