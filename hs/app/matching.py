"""Matching: which volunteers could take a family, how well each fits, and a plan for the
whole waiting list.

Two questions, one set of rules and scores (docs/matching.md has the formulas in words):

* :func:`suggest` ranks the volunteers for one family. Every volunteer is checked against
  the *hard rules* (:data:`RULES`); one who fails any is excluded, with the rule that
  excludes them. Every volunteer also gets six *scores* (:data:`SCORES`), each between 0
  and 1, that are weighted (``records/config.yaml`` ``matching:``) and summed.
* :func:`plan` proposes volunteer–family pairs for every family on the waiting list at
  once. Which families get a volunteer follows the waiting list's priority order, the one
  of ``hs waitlist`` (:func:`hs.app.agenda.waiting_list`): a family is left without one only
  if every volunteer it could have is needed by families higher on the list. Which
  volunteer each of those families gets maximises the total score, found by an
  assignment solver (:func:`best_assignment`, per location). Nothing is written.

Everything here works on :class:`hs.records.index.Index` rows (no pydantic) and returns
dataclasses; reasons are :class:`Reason` objects that :func:`reason_text` puts into words
(English or Dutch).
"""

from __future__ import annotations

import datetime as dt
from bisect import insort
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from hs.app.agenda import waiting_list
from hs.base.errors import InvalidRecord, RecordNotFound, UsageError
from hs.base.i18n import Catalog, language
from hs.records import enums
from hs.records.ids import TRAJECTORY_KINDS
from hs.records.index import FamilyRow, Index, TrajectoryRow, VolunteerRow, paused_gc
from hs.records.problems import quotable
from hs.records.rows import (
    T_ASSIGNMENTS,
    T_END,
    T_KIND,
    T_START,
    V_CAPACITY,
    V_ID,
    V_LOCATION,
    V_PERIODS,
    V_ROLES,
)
from hs.rules.lifecycle import (
    MAIN_KINDS,
    check_valid_until,
    family_status,
    load,
    training_complete,
)

RULES = ("location", "active", "role", "training", "check", "capacity", "gender")
SCORES = ("language", "distance", "half_days", "preferences", "experience", "waiting")
# The defaults of hs.records.models.MatchingWeights, repeated here so that this path never needs
# pydantic (a test checks that the two agree).
DEFAULT_WEIGHTS: dict[str, float] = {
    "language": 3.0,
    "distance": 2.0,
    "half_days": 2.0,
    "preferences": 1.0,
    "experience": 1.0,
    "waiting": 1.0,
}
NEEDS = ("perinatal", "young-children", "older-children", "complex")
COMPLEX_FLAGS = ("youth-care", "psychological-vulnerability")
YOUNG_MONTHS = 48  # a child under 4 (0-3 years) is a young child; 4 and up: older
FULL_EXPERIENCE = 3  # completed trajectories that count as full experience
FULL_WAIT_DAYS = 180  # days without a family that count as the full waiting score
NEAR = 0.5  # distance score of a neighbouring municipality
UNMATCHED = ("no-eligible-volunteer", "taken-by-higher-priority")

MSG = Catalog("app.matching")


# --- results -------------------------------------------------------------------------------
#
# The classes made by the thousand in a plan (a reason, rule, score and candidate per pair,
# facts per volunteer, an entry per family) are plain slotted dataclasses, not frozen ones:
# a frozen one's __init__ sets every field through object.__setattr__, three times the
# cost (a tenth of a plan at 50,000 records). None was hashable anyway (a reason holds a
# dict, rows are mutable); nothing changes them after they are made.


@dataclass(slots=True)
class Reason:
    """Why a rule passed or failed, or how a score came about: a message key and its
    fields (codes, numbers, dates), put into words by :func:`reason_text`."""

    key: str
    fields: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class RuleCheck:
    rule: str  # one of RULES
    passed: bool
    reason: Reason


@dataclass(slots=True)
class ScorePart:
    name: str  # one of SCORES
    score: float  # 0..1
    weight: float
    reason: Reason

    @property
    def points(self) -> float:
        return self.score * self.weight


@dataclass(slots=True)
class Candidate:
    """One volunteer checked against one family."""

    volunteer: str
    municipality: str | None
    rules: tuple[RuleCheck, ...]
    scores: tuple[ScorePart, ...]

    @property
    def eligible(self) -> bool:
        return all(r.passed for r in self.rules)

    @property
    def excluded_by(self) -> tuple[str, ...]:
        """The hard rules this volunteer fails, in the order of :data:`RULES`."""
        return tuple(r.rule for r in self.rules if not r.passed)

    @property
    def total(self) -> float:
        return sum(p.points for p in self.scores)

    def score(self, name: str) -> float:
        return next(p.score for p in self.scores if p.name == name)


@dataclass(frozen=True, slots=True)
class Suggestion:
    """The volunteers for one family: eligible ones ranked best first, then the excluded."""

    family: str
    location: str
    day: dt.date
    kind: str
    status: str  # the family's status on ``day`` (hs.rules.lifecycle.family_status)
    weights: dict[str, float]
    eligible: tuple[Candidate, ...]
    excluded: tuple[Candidate, ...]

    @property
    def max_total(self) -> float:
        return sum(self.weights.values())


@dataclass(slots=True)
class PlanEntry:
    """One family of the waiting list in a plan: its volunteer, or why it has none."""

    priority: int  # place on the waiting list, 1 = first
    family: str
    location: str
    perinatal: bool
    waiting_since: dt.date | None  # day the current referral was accepted
    waiting_days: int
    volunteer: str | None
    score: float | None
    parts: tuple[ScorePart, ...]  # the scores of the proposed pair
    unmatched: str | None  # one of UNMATCHED
    eligible: tuple[str, ...]  # volunteers meeting every rule for this family
    taken_by: tuple[str, ...]  # families higher on the list that get those volunteers


@dataclass(frozen=True, slots=True)
class Plan:
    day: dt.date
    kind: str
    location: str | None
    weights: dict[str, float]
    entries: tuple[PlanEntry, ...]  # every waiting family, in priority order

    @property
    def pairs(self) -> tuple[PlanEntry, ...]:
        return tuple(e for e in self.entries if e.volunteer is not None)

    @property
    def unmatched(self) -> tuple[PlanEntry, ...]:
        return tuple(e for e in self.entries if e.volunteer is None)

    @property
    def total(self) -> float:
        return sum(e.score or 0.0 for e in self.entries)


# --- facts about a family and a volunteer ------------------------------------------------


@dataclass(slots=True)
class FamilyProfile:
    """What matching needs to know about a family on a day."""

    family: FamilyRow
    perinatal: bool
    complex: bool
    needs: tuple[str, ...]  # of NEEDS, what the family's profile calls for
    languages: frozenset[str]  # home languages, plus nl when the family wants to practise
    near: frozenset[str]  # neighbouring municipalities (casefolded), from the location
    waiting_since: dt.date | None
    referred: dt.date | None


@dataclass(slots=True)
class VolunteerFacts:
    """What matching needs to know about a volunteer on a day."""

    volunteer: VolunteerRow
    load: int
    completed: int  # trajectories closed with this volunteer still assigned at the end
    active_since: dt.date | None  # start of the active period holding the day
    free_since: dt.date | None  # without a family since (None: not active or has one)
    own: tuple[RuleCheck, ...] = ()  # the rules that depend on the volunteer alone


def profile(index: Index, fam: FamilyRow, day: dt.date,
            nears: dict[tuple[str, str | None], frozenset[str]] | None = None
            ) -> FamilyProfile:
    """The family's profile on ``day``: perinatal, complex, what it calls for, languages,
    neighbouring municipalities, and since when it waits. ``nears``: the neighbouring
    municipalities already found, by location and municipality (a plan's families share
    them), kept between calls."""
    ref = fam.referral_on(day)
    perinatal = "perinatal" in fam.flags or (ref is not None and ref.expecting is not None)
    complex_ = any(f in fam.flags for f in COMPLEX_FLAGS)
    months = [_age_months(born, day) for born in fam.children]
    needs = []
    if perinatal:
        needs.append("perinatal")
    if any(0 <= m < YOUNG_MONTHS for m in months):
        needs.append("young-children")
    if any(m >= YOUNG_MONTHS for m in months):
        needs.append("older-children")
    if complex_:
        needs.append("complex")
    langs = set(fam.languages)
    if fam.dutch_practice:
        langs.add("nl")
    accepted = None
    if ref is not None:
        dec = ref.decision_on(day)
        if dec is not None and dec.decision == "accepted":
            accepted = dec.date
    where = (fam.location, fam.municipality)
    near = nears.get(where) if nears is not None else None
    if near is None:
        near = _near(index, *where)
        if nears is not None:
            nears[where] = near
    return FamilyProfile(fam, perinatal, complex_, tuple(needs), frozenset(langs),
                         near, accepted, ref.date if ref is not None else None)


def _near(index: Index, location: str, municipality: str | None) -> frozenset[str]:
    """The municipalities (casefolded) next to ``municipality`` by the neighbours of the
    location record, in either direction."""
    loc = index.locations.get(location)
    near: set[str] = set()
    if loc is not None and municipality:
        here = municipality.casefold()
        for key, values in loc.neighbours.items():
            folded = {v.casefold() for v in values}
            if key.casefold() == here:
                near |= folded
            elif here in folded:
                near.add(key.casefold())
    return frozenset(near)


def _age_months(born: str, day: dt.date) -> int:
    year, month = (int(p) for p in born.split("-")[:2])
    return (day.year - year) * 12 + (day.month - month)


History = tuple[int, int, dt.date | None]  # load, completed, last end (see facts)


def facts(index: Index, vol: VolunteerRow, day: dt.date, kind: str = "buddy",
          history: History | None = None) -> VolunteerFacts:
    """The volunteer on ``day``: load, completed trajectories, since when without a family,
    and the hard rules that do not depend on the family (for trajectories of ``kind``).
    ``history``: the volunteer's entry of :func:`histories` for the same day, if made."""
    if history is None:
        busy = load(index, vol.id, day)
        completed, last_end = _history(index.trajectories_with(vol.id), vol.id, day)
    else:
        busy, completed, last_end = history
    # the active period holding the day is the last one begun (periods do not overlap)
    since = (max(p.start for p in vol.periods if p.start <= day) if vol.active_on(day)
             else None)
    free = None
    if since is not None and busy == 0:
        free = max(since, last_end) if last_end is not None else since
    out = VolunteerFacts(vol, busy, completed, since, free)
    out.own = (_rule_active(out, day), _rule_role(vol, kind), _rule_training(index, vol, day),
               _rule_check(index, vol, day), _rule_capacity(out, kind))
    return out


def _history(trajectories: Iterable[TrajectoryRow], vid: str, day: dt.date
             ) -> tuple[int, dt.date | None]:
    """Completed trajectories and the last end of an assignment on or before ``day``, of
    the volunteer ``vid`` in ``trajectories`` (those in which they were ever assigned)."""
    completed = 0
    last_end: dt.date | None = None
    for t in trajectories:
        if t.kind == "starter":
            continue
        if t.end is not None and t.end <= day:
            mine = [a for a in t.assignments if a.volunteer == vid]
            if any(a.end is None or a.end >= t.end for a in mine):
                completed += 1
        for a in t.assignments:
            if a.volunteer != vid:
                continue
            end = a.end or t.end
            if end is not None and end <= day and (last_end is None or end > last_end):
                last_end = end
    return completed, last_end


def histories(index: Index, day: dt.date) -> dict[str, History]:
    """:func:`facts`'s ``history`` of every volunteer with a trajectory, in one pass over
    the trajectories' cached tuples (no row objects: 13,878 of them at 50,000 records). A
    volunteer not in it has none: load and completed 0, no end. The same figures as
    :func:`hs.rules.lifecycle.load` and :func:`_history` give one by one, which each
    look at the volunteer's trajectories, sorted: the order does not matter to a count or
    a maximum. Dates as day numbers (``toordinal``), as the tuples hold them."""
    today = day.toordinal()
    busy: dict[str, int] = {}
    done: dict[str, int] = {}
    ends: dict[str, int] = {}
    for t in index.tuples("trajectory"):
        if t[T_KIND] == "starter":
            continue
        assignments = t[T_ASSIGNMENTS]
        end = t[T_END]
        if t[T_START] <= today and (end is None or today < end):  # TrajectoryRow.active_on
            holder = None  # TrajectoryRow.volunteer_on: the last assignment holding it
            for vid, a_start, a_end in assignments:
                if a_start <= today and (a_end is None or today <= a_end):
                    holder = vid
            if holder is not None:
                busy[holder] = busy.get(holder, 0) + 1
        closed = end if end is not None and end <= today else None
        counted: set[str] = set()
        for vid, _, a_end in assignments:
            if closed is not None and vid not in counted and (a_end is None
                                                              or a_end >= closed):
                counted.add(vid)
                done[vid] = done.get(vid, 0) + 1
            last = a_end or end
            if last is not None and last <= today:
                seen = ends.get(vid)
                if seen is None or last > seen:
                    ends[vid] = last
    fromord = dt.date.fromordinal
    return {vid: (busy.get(vid, 0), done.get(vid, 0),
                  fromord(ends[vid]) if vid in ends else None)
            for vid in busy.keys() | done.keys() | ends.keys()}


def weights(index: Index) -> dict[str, float]:
    """The score weights: ``matching:`` of records/config.yaml over the defaults."""
    given = index.config.get("matching") or {}
    return {name: float(given.get(name, default)) for name, default in DEFAULT_WEIGHTS.items()}


# --- rules and scores ----------------------------------------------------------------------


def evaluate(fam: FamilyProfile, vol: VolunteerFacts, day: dt.date,
             w: dict[str, float], memo: dict[tuple[Any, ...], Any] | None = None
             ) -> Candidate:
    """One volunteer against one family: every hard rule and every score. ``vol`` comes
    from :func:`facts` for the same day and the kind asked.

    ``memo``: a dict kept between calls for the same ``day`` and weights (a plan
    evaluates every pair of a location): each rule's and score's result is kept under the
    fields it reads, and made again only for fields not seen yet."""
    f, v = fam.family, vol.volunteer
    if memo is None:
        rules = (_rule_location(f, v), *vol.own, _rule_gender(f, v))
        scores = (
            _part("language", w, *_score_language(fam, v)),
            _part("distance", w, *_score_distance(fam, v)),
            _part("half_days", w, *_score_half_days(f, v)),
            _part("preferences", w, *_score_preferences(fam, v)),
            _part("experience", w, *_score_experience(fam, vol)),
            _part("waiting", w, *_score_waiting(vol, day)),
        )
        return Candidate(v.id, v.municipality, rules, scores)
    get = memo.get
    k_loc, k_gen = ("o", v.location, f.location), ("g", f.pref_gender, v.gender)
    k_lang = ("l", fam.languages, f.languages, v.languages)
    k_dist = ("d", f.municipality, v.municipality, fam.near)
    k_days, k_pref = ("h", f.pref_half_days, v.availability), ("p", fam.needs, v.preferences)
    k_exp, k_wait = ("e", fam.complex, vol.completed), ("w", vol.active_since, vol.free_since)
    if (loc := get(k_loc)) is None:
        loc = memo[k_loc] = _rule_location(f, v)
    if (gen := get(k_gen)) is None:
        gen = memo[k_gen] = _rule_gender(f, v)
    if (lang := get(k_lang)) is None:
        lang = memo[k_lang] = _part("language", w, *_score_language(fam, v))
    if (dist := get(k_dist)) is None:
        dist = memo[k_dist] = _part("distance", w, *_score_distance(fam, v))
    if (days := get(k_days)) is None:
        days = memo[k_days] = _part("half_days", w, *_score_half_days(f, v))
    if (pref := get(k_pref)) is None:
        pref = memo[k_pref] = _part("preferences", w, *_score_preferences(fam, v))
    if (exp := get(k_exp)) is None:
        exp = memo[k_exp] = _part("experience", w, *_score_experience(fam, vol))
    if (wait := get(k_wait)) is None:
        wait = memo[k_wait] = _part("waiting", w, *_score_waiting(vol, day))
    return Candidate(v.id, v.municipality, (loc, *vol.own, gen),
                     (lang, dist, days, pref, exp, wait))


def _part(name: str, w: dict[str, float], score: float, reason: Reason) -> ScorePart:
    return ScorePart(name, score, w[name], reason)


def _rule_location(fam: FamilyRow, vol: VolunteerRow) -> RuleCheck:
    if vol.location == fam.location:
        return RuleCheck("location", True, Reason("location-ok", {"location": vol.location}))
    return RuleCheck("location", False, Reason("location-other", {
        "location": vol.location, "family": fam.location}))


def _rule_active(vol: VolunteerFacts, day: dt.date) -> RuleCheck:
    if vol.active_since is not None:
        return RuleCheck("active", True, Reason("active-ok", {"since": vol.active_since}))
    ends = [p.end for p in vol.volunteer.periods if p.start <= day and p.end is not None]
    if ends:
        return RuleCheck("active", False, Reason("active-stopped", {"end": max(ends)}))
    return RuleCheck("active", False, Reason("active-candidate"))


def _has_role(roles: Sequence[str], kind: str) -> bool:
    """The role rule's test: the role for ``kind``; for a buddy, a coach's also counts."""
    return kind in roles or (kind == "buddy" and "coach" in roles)


def _rule_role(vol: VolunteerRow, kind: str) -> RuleCheck:
    if _has_role(vol.roles, kind):
        return RuleCheck("role", True, Reason("role-ok", {"kind": kind}))
    return RuleCheck("role", False, Reason("role-missing", {"kind": kind,
                                                            "roles": list(vol.roles)}))


def _rule_training(index: Index, vol: VolunteerRow, day: dt.date) -> RuleCheck:
    if training_complete(index, vol, day):
        return RuleCheck("training", True, Reason("training-ok"))
    steps = index.vocabularies.get("training_steps", {})
    missing = [code for code, entry in steps.items() if entry.get("required", True)
               and (code not in vol.training or vol.training[code] > day)]
    return RuleCheck("training", False, Reason("training-missing", {"steps": missing}))


def _rule_check(index: Index, vol: VolunteerRow, day: dt.date) -> RuleCheck:
    until = check_valid_until(index, vol)
    if vol.check_date is None or until is None:
        return RuleCheck("check", False, Reason("check-none"))
    if vol.check_date > day:
        return RuleCheck("check", False, Reason("check-later", {"date": vol.check_date}))
    if until < day:
        return RuleCheck("check", False, Reason("check-expired", {"until": until}))
    return RuleCheck("check", True, Reason("check-ok", {"until": until}))


def _rule_capacity(vol: VolunteerFacts, kind: str) -> RuleCheck:
    if kind == "starter":
        return RuleCheck("capacity", True, Reason("capacity-starter"))
    fields = {"load": vol.load, "capacity": vol.volunteer.capacity}
    if vol.load < vol.volunteer.capacity:
        return RuleCheck("capacity", True, Reason("capacity-ok", fields))
    return RuleCheck("capacity", False, Reason("capacity-full", fields))


def _rule_gender(fam: FamilyRow, vol: VolunteerRow) -> RuleCheck:
    wanted = fam.pref_gender
    if wanted is None:
        return RuleCheck("gender", True, Reason("gender-any"))
    if vol.gender == wanted:
        return RuleCheck("gender", True, Reason("gender-ok", {"gender": wanted}))
    return RuleCheck("gender", False, Reason("gender-other", {"gender": wanted}))


def _score_language(fam: FamilyProfile, vol: VolunteerRow) -> tuple[float, Reason]:
    if not fam.languages:
        return 0.5, Reason("lang-unknown")
    spoken = set(vol.languages) | {"nl"}  # the training is in Dutch: every volunteer has it
    shared = sorted(fam.languages & spoken)
    if not shared:
        return 0.0, Reason("lang-none", {"languages": sorted(fam.languages)})
    key = "lang-practice" if "nl" in shared and "nl" not in fam.family.languages \
        else "lang-shared"
    return 1.0, Reason(key, {"languages": shared})


def _score_distance(fam: FamilyProfile, vol: VolunteerRow) -> tuple[float, Reason]:
    fm, vm = fam.family.municipality, vol.municipality
    if not fm or not vm:
        return 0.0, Reason("distance-unknown")
    fields = {"municipality": vm, "family": fm}
    if fm.casefold() == vm.casefold():
        return 1.0, Reason("distance-same", fields)
    if vm.casefold() in fam.near:
        return NEAR, Reason("distance-near", fields)
    return 0.0, Reason("distance-far", fields)


def _score_half_days(fam: FamilyRow, vol: VolunteerRow) -> tuple[float, Reason]:
    wanted = list(fam.pref_half_days)
    if not wanted:
        return 1.0, Reason("days-any")
    common = [d for d in wanted if d in vol.availability]
    if not common:
        return 0.0, Reason("days-none", {"wanted": wanted})
    enough = min(2, len(wanted))
    return min(len(common), enough) / enough, Reason("days-common", {
        "days": common, "n": len(common), "wanted": wanted, "enough": enough})


def _score_preferences(fam: FamilyProfile, vol: VolunteerRow) -> tuple[float, Reason]:
    if not fam.needs:
        return 1.0, Reason("prefs-nothing")
    stated = [p for p in NEEDS if p in vol.preferences]
    if not stated:
        return 0.5, Reason("prefs-none", {"needs": list(fam.needs)})
    fit = [p for p in stated if p in fam.needs]
    if fit:
        return 1.0, Reason("prefs-fit", {"prefs": fit})
    return 0.0, Reason("prefs-other", {"prefs": stated, "needs": list(fam.needs)})


def _score_experience(fam: FamilyProfile, vol: VolunteerFacts) -> tuple[float, Reason]:
    if not fam.complex:
        return 1.0, Reason("exp-not-needed")
    return min(vol.completed, FULL_EXPERIENCE) / FULL_EXPERIENCE, Reason("exp-count", {
        "n": vol.completed, "full": FULL_EXPERIENCE})


def _score_waiting(vol: VolunteerFacts, day: dt.date) -> tuple[float, Reason]:
    if vol.active_since is None:
        return 0.0, Reason("wait-inactive")
    if vol.free_since is None:
        return 0.0, Reason("wait-busy")
    days = (day - vol.free_since).days
    return min(days, FULL_WAIT_DAYS) / FULL_WAIT_DAYS, Reason("wait-days", {
        "days": days, "since": vol.free_since, "full": FULL_WAIT_DAYS})


# --- suggest -------------------------------------------------------------------------------


def _check_kind(kind: str, allowed: Sequence[str] = TRAJECTORY_KINDS) -> None:
    if kind not in TRAJECTORY_KINDS:
        shown = f"'{kind}'" if quotable(kind, "code") else MSG("not-shown")
        raise UsageError(MSG("bad-kind", kind=shown, kinds=", ".join(TRAJECTORY_KINDS)))
    if kind not in allowed:
        raise UsageError(MSG("plan-kind", kind=kind, kinds=", ".join(allowed)))


def family_row(index: Index, family_id: str) -> FamilyRow:
    fam = index.families.get(family_id)
    if fam is not None:
        return fam
    if any(rel.rsplit("/", 1)[-1].rsplit(".", 1)[0] == family_id for rel in index.invalid):
        raise InvalidRecord(MSG("invalid-family", id=family_id), hint=MSG("run-validate"))
    raise RecordNotFound(MSG("no-family", id=family_id))


def suggest(index: Index, family_id: str, day: dt.date, kind: str = "buddy") -> Suggestion:
    """Every volunteer checked against one family: the eligible ones ranked by total score
    (ties: longer waiting first, then ID), the excluded ones after them, by first failed
    rule, then by total."""
    _check_kind(kind)
    fam = family_row(index, family_id)
    prof = profile(index, fam, day)
    w = weights(index)
    cands = [evaluate(prof, facts(index, v, day, kind), day, w)
             for v in index.volunteers.values()]
    eligible = sorted((c for c in cands if c.eligible), key=_rank_key)
    excluded = sorted((c for c in cands if not c.eligible),
                      key=lambda c: (RULES.index(c.excluded_by[0]), -round(c.total, 9),
                                     c.volunteer))
    return Suggestion(fam.id, fam.location, day, kind, family_status(index, fam, day), w,
                      tuple(eligible), tuple(excluded))


def _rank_key(c: Candidate) -> tuple[float, float, str]:
    return (-round(c.total, 9), -c.score("waiting"), c.volunteer)


# --- plan ----------------------------------------------------------------------------------


def plan(index: Index, day: dt.date, location: str | None = None,
         kind: str = "buddy", progress: Callable[[int, int], None] | None = None) -> Plan:
    """Volunteer–family pairs for the whole waiting list (of one location, or of all).

    Which families get a volunteer: the waiting list in its priority order
    (:func:`hs.app.agenda.waiting_list`, the order of ``hs waitlist``), each family taken in if
    the families already taken in and it can all have a volunteer at once
    (:func:`priority_families`). Which volunteer each gets: the assignment of maximal total
    score among those families (:func:`best_assignment`). Nothing is written.
    ``progress(done, total)`` is told the groups (locations) solved."""
    # Without the collector: what a plan makes holds no cycles, and the collector only
    # walked it. In a short process (one command) what is left is then frozen out of its
    # reach, or the first collections after the plan walk it all the same (15-20 ms).
    with paused_gc():
        return _plan(index, day, location, kind, progress)


def _plan(index: Index, day: dt.date, location: str | None, kind: str,
          progress: Callable[[int, int], None] | None = None) -> Plan:
    _check_kind(kind, MAIN_KINDS)
    if location is not None:
        # lazy: the views (and the YAML reader they import) only for a --location
        from hs.app.views import check_location

        check_location(index, location)
    w = weights(index)
    waiting = waiting_list(index, day, location)
    nears: dict[tuple[str, str | None], frozenset[str]] = {}
    families = [profile(index, index.row("family", f.family), day, nears) for f in waiting]
    places = {p.family.location for p in families}
    # every volunteer's free places, as the solver's columns are those of all volunteers
    # (the order of its choice among equal plans depends on them; see best_assignment),
    # from the cached tuples: a row is made only for a volunteer who may take a family
    free: dict[str, int] = {}
    past = histories(index, day)
    nothing: History = (0, 0, None)
    today = day.toordinal()
    latest = {t[V_ID]: t for t in index.tuples("volunteer")}  # the last of an ID, as rows
    candidates: list[str] = []
    for vid, t in latest.items():
        busy = past.get(vid, nothing)[0]
        capacity = t[V_CAPACITY]
        free[vid] = max(0, capacity - busy)
        if t[V_LOCATION] in places and (kind == "starter" or busy < capacity) \
                and _active_in(t[V_PERIODS], today) and _has_role(t[V_ROLES], kind):
            candidates.append(vid)  # full, inactive, without the role: never eligible
    candidates.sort()  # a location's volunteers by ID, as every list of a plan
    scores = _Points(day, w)
    by_location: dict[str, list[_Scored]] = {}
    facts_of: dict[str, VolunteerFacts] = {}
    for vid in candidates:
        vol = index.row("volunteer", vid)
        vf = facts(index, vol, day, kind, past.get(vid, nothing))
        if all(r.passed for r in vf.own):  # else never eligible: no free place...
            by_location.setdefault(vol.location, []).append(scores.volunteer(vf))
            facts_of[vid] = vf
    order = [p.family.id for p in families]
    options: dict[str, list[str]] = {}
    for prof in families:  # location passes for every volunteer of by_location's list;
        wanted = prof.family.pref_gender  # gender: evaluate would exclude the others
        options[prof.family.id] = [v[1] for v in by_location.get(prof.family.location, ())
                                   if wanted is None or v[2] == wanted]
    chosen = priority_families(order, options, free)
    totals: dict[tuple[str, str], float] = {}  # scores only where the solver needs them:
    profiles = {p.family.id: p for p in families}  # the families that are served
    for fid in chosen:
        prof = profiles[fid]
        for vid, total in scores.totals(prof, by_location[prof.family.location]):
            totals[(fid, vid)] = total
    assigned = best_assignment(chosen, options, free, lambda f, v: totals[(f, v)],
                               progress)
    memo: dict[tuple[Any, ...], Any] = {}
    rank = {f: i for i, f in enumerate(order)}
    holders: dict[str, list[str]] = {}
    for f, v in assigned.items():
        holders.setdefault(v, []).append(f)
    entries = []
    for prof, place in zip(families, waiting, strict=True):
        fid = prof.family.id
        vid = assigned.get(fid)
        unmatched = None
        taken: list[str] = []
        if vid is None:
            unmatched = UNMATCHED[1] if options[fid] else UNMATCHED[0]
            taken = sorted({g for v in options[fid] for g in holders.get(v, [])},
                           key=rank.__getitem__)
        cand = evaluate(prof, facts_of[vid], day, w, memo) if vid is not None else None
        entries.append(PlanEntry(
            place.rank, fid, place.location, place.perinatal, place.accepted,
            place.days_waiting, vid,
            totals[(fid, vid)] if vid is not None else None,  # = cand.total, to the bit
            cand.scores if cand is not None else (), unmatched, tuple(options[fid]),
            tuple(taken)))
    return Plan(day, kind, location, w, tuple(entries))


def _active_in(periods: Iterable[tuple[int, int | None, Any]], today: int) -> bool:
    """:meth:`VolunteerRow.active_on` on a volunteer's cached periods (day numbers): a
    period holds the day. A plan asks it before it makes the volunteer's row."""
    return any(start <= today and (end is None or today <= end) for start, end, _ in periods)


class _Points:
    """The total score of pairs for a plan, made as :func:`evaluate` makes it: each score
    kept under the fields it reads (those of ``evaluate``'s memo), here by a number given
    to the family's fields and one to the volunteer's, so that a pair costs six look-ups
    and no :class:`Candidate` (a plan makes those only for the pairs it proposes)."""

    def __init__(self, day: dt.date, w: dict[str, float]) -> None:
        self.day, self.w = day, w
        self.keys = _Numbers()  # the fields read -> their number
        self.tables: dict[tuple[str, int], dict[int, float]] = {}  # (score, family's)

    def volunteer(self, vf: VolunteerFacts) -> _Scored:
        """The volunteer with the numbers of the fields each score reads of them."""
        v, key = vf.volunteer, self.keys.__getitem__
        return (vf, v.id, v.gender, key(("l", v.languages)), key(("d", v.municipality)),
                key(("h", v.availability)), key(("p", v.preferences)),
                key(("e", vf.completed)), key(("w", vf.active_since, vf.free_since)))

    def totals(self, fam: FamilyProfile, vols: Sequence[_Scored]) -> list[tuple[str, float]]:
        """The ID of each volunteer of ``vols`` (from :meth:`volunteer`) whose gender the
        family accepts (the gender rule: evaluate would exclude the others), with the
        total score of the pair: the total of :func:`evaluate`'s candidate, to the bit."""
        f, key, w, day = fam.family, self.keys.__getitem__, self.w, self.day
        table = self.tables.setdefault
        lang = table(("l", key(("l", fam.languages, f.languages))), {})
        dist = table(("d", key(("d", f.municipality, fam.near))), {})
        days = table(("h", key(("h", f.pref_half_days))), {})
        pref = table(("p", key(("p", fam.needs))), {})
        exp = table(("e", key(("e", fam.complex))), {})
        wait = table(("w", 0), {})
        wanted = f.pref_gender
        out = []
        for vf, vid, gender, kl, kd, kh, kp, ke, kw in vols:
            if wanted is not None and gender != wanted:
                continue
            # a score's points as ScorePart.points makes them: score x weight
            if (a := lang.get(kl)) is None:
                a = lang[kl] = _score_language(fam, vf.volunteer)[0] * w["language"]
            if (b := dist.get(kd)) is None:
                b = dist[kd] = _score_distance(fam, vf.volunteer)[0] * w["distance"]
            if (c := days.get(kh)) is None:
                c = days[kh] = _score_half_days(f, vf.volunteer)[0] * w["half_days"]
            if (d := pref.get(kp)) is None:
                d = pref[kp] = _score_preferences(fam, vf.volunteer)[0] * w["preferences"]
            if (e := exp.get(ke)) is None:
                e = exp[ke] = _score_experience(fam, vf)[0] * w["experience"]
            if (g := wait.get(kw)) is None:
                g = wait[kw] = _score_waiting(vf, day)[0] * w["waiting"]
            out.append((vid, sum((a, b, c, d, e, g))))  # as Candidate.total sums them
        return out


class _Numbers(dict[tuple[Any, ...], int]):
    """A number for every key asked, the next one for a new key."""

    def __missing__(self, key: tuple[Any, ...]) -> int:
        number = self[key] = len(self)
        return number


# a volunteer for :class:`_Points`: facts, ID, gender, and the numbers of their fields
_Scored = tuple[VolunteerFacts, str, str, int, int, int, int, int, int]


def priority_families(order: Sequence[str], options: dict[str, list[str]],
                      free: dict[str, int]) -> list[str]:
    """The families that get a volunteer when the waiting list goes in ``order``.

    A family is taken in when it and every family taken in before it can all have a
    volunteer at the same time (an augmenting path in the bipartite graph of families and
    volunteers' free places). This greedy rule is exact for this kind of question (the
    families that can be served together form a matroid): no family is left out to let a
    family lower on the list in, and as many families as possible are served."""
    # only the places of volunteers some family could have (the others change nothing)
    wanted = {v for f in order for v in options[f]}
    places = [v for v in sorted(wanted & free.keys()) for _ in range(free[v])]
    slots_of: dict[str, list[int]] = {}
    for i, v in enumerate(places):
        slots_of.setdefault(v, []).append(i)
    holder: list[str | None] = [None] * len(places)

    def augment(f: str, seen: set[int]) -> bool:
        for v in options[f]:
            for s in slots_of.get(v, []):
                if s in seen:
                    continue
                seen.add(s)
                h = holder[s]
                if h is None or augment(h, seen):
                    holder[s] = f
                    return True
        return False

    return [f for f in order if augment(f, set())]


def best_assignment(families: Sequence[str], options: dict[str, list[str]],
                    free: dict[str, int], score: Callable[[str, str], float],
                    progress: Callable[[int, int], None] | None = None) -> dict[str, str]:
    """Family -> volunteer for every family of ``families`` (which must be servable
    together), maximising the total score; a volunteer takes at most its free places.

    An assignment problem on families x free places (the places listed by volunteer ID),
    solved one group at a time: the families and volunteers that options connect (a
    location at most, as location is a hard rule). Each group is solved by
    :func:`_assign`, the shortest augmenting path algorithm of
    ``scipy.optimize.linear_sum_assignment``, step for step, so that among equally good
    plans it picks the one that solver picks on the whole matrix (docs/matching.md).
    ``progress(done, total)`` is told the groups solved."""
    if not families:
        return {}
    places = [v for v in sorted(free) for _ in range(free[v])]
    wanted = {v for f in families for v in options[f]}
    columns: dict[str, list[int]] = {}  # of the volunteers some family could have
    for j, v in enumerate(places):
        if v in wanted:
            columns.setdefault(v, []).append(j)
    out: dict[str, str] = {}
    groups = _groups(families, options, columns)
    for done, (rows, cols) in enumerate(groups):
        if progress is not None:
            progress(done, len(groups))
        cost = []
        for i in rows:
            f = families[i]
            allowed = {v: -score(f, v) for v in options[f] if v in columns}  # a place's
            get = allowed.get  # cost, by its volunteer
            cost.append([get(places[j], _INF) for j in cols])
        for r, c in enumerate(_assign(cost, cols, len(places))):
            out[families[rows[r]]] = places[cols[c]]
    if progress is not None:
        progress(len(groups), len(groups))
    return out


_INF = float("inf")


def _groups(families: Sequence[str], options: dict[str, list[str]],
            columns: dict[str, list[int]]) -> list[tuple[list[int], list[int]]]:
    """The connected parts of the graph of families (rows, by place in ``families``) and
    volunteers' places (columns): (rows, columns), each in ascending order."""
    parent: dict[str | int, str | int] = {}  # a family by its place (int), a volunteer

    def find(x: str | int) -> str | int:  # by ID (str): they never meet
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for i, f in enumerate(families):
        for v in options[f]:
            if v in columns:
                parent[find(v)] = find(i)
    rows: dict[str | int, list[int]] = {}
    for i in range(len(families)):
        rows.setdefault(find(i), []).append(i)
    cols: dict[str | int, list[int]] = {}
    for v, js in columns.items():
        if v in parent:
            cols.setdefault(find(v), []).extend(js)
    return [(r, sorted(cols.get(key, []))) for key, r in rows.items()]


def _assign(cost: list[list[float]], cols: Sequence[int], width: int) -> list[int]:
    """The column (an index into ``cols``) of each row of ``cost`` that minimises the
    total cost (``inf``: not allowed); there are at most as many rows as columns and every
    row can have one.

    The rows and columns are one block of a larger matrix, ``width`` columns wide, whose
    other entries in these rows and columns are ``inf``; ``cols`` are the block's columns
    there. This is the shortest augmenting path algorithm of scipy's
    ``linear_sum_assignment`` (Crouse, "On implementing 2D rectangular assignment
    algorithms", 2016; scipy/optimize/rectangular_lsap) run on that larger matrix, with
    the same arithmetic in the same order: its columns are scanned in the order in which
    the solver scans the larger matrix's (which the choice among equal costs depends on),
    and the columns outside the block, which cost ``inf`` to every row here, are skipped
    (the solver never picks them). So the result is the solver's, on the block alone."""
    nr, nc = len(cost), len(cols)
    u = [0.0] * nr
    v = [0.0] * nc
    col4row = [-1] * nr
    row4col = [-1] * nc
    path = [-1] * nc
    local = {c: k for k, c in enumerate(cols)}
    start = sorted((width - 1 - c, local[c]) for c in cols)
    for cur in range(nr):
        spc = [_INF] * nc
        sr = [False] * nr
        sc = [False] * nc
        # the solver's list of remaining columns: place p holds column width-1-p until a
        # column is taken out (then the last one moves to its place); ``slots`` are the
        # places that hold this block's columns, in order
        slots = start.copy()
        moved: dict[int, int] = {}
        remaining = width
        min_val = 0.0
        i = cur
        sink = -1
        while sink == -1:
            index = -1
            lowest = _INF
            sr[i] = True
            ci, ui = cost[i], u[i]
            for n, (_, j) in enumerate(slots):
                r = min_val + ci[j] - ui - v[j]
                if r < spc[j]:
                    path[j] = i
                    spc[j] = r
                if spc[j] < lowest or (spc[j] == lowest and row4col[j] == -1):
                    lowest = spc[j]
                    index = n
            min_val = lowest
            if min_val == _INF:
                raise ValueError("cost matrix is infeasible")
            place, j = slots.pop(index)
            if row4col[j] == -1:
                sink = j
            else:
                i = row4col[j]
            sc[j] = True
            remaining -= 1
            last = moved.get(remaining, width - 1 - remaining)
            moved[place] = last
            if place != remaining and last in local:  # it moves from the end to ``place``
                slots.remove((remaining, local[last]))
                insort(slots, (place, local[last]))
        u[cur] += min_val
        for k in range(nr):
            if sr[k] and k != cur:
                u[k] += min_val - spc[col4row[k]]
        for k in range(nc):
            if sc[k]:
                v[k] -= min_val - spc[k]
        j = sink
        while True:
            i = path[j]
            row4col[j] = i
            col4row[i], j = j, col4row[i]
            if i == cur:
                break
    return col4row


# --- words ---------------------------------------------------------------------------------

# A reason's fields that hold codes -> their vocabulary: that of the volunteer field compared.
# Made on first use: the registry is imported only where a reason is put into words (a plan
# in plain, CSV or JSON has none).
_VOCAB_FIELDS: dict[str, str] = {}


def _vocab_fields() -> dict[str, str]:
    if not _VOCAB_FIELDS:
        # lazy: the vocabulary registry (and the spec it walks) only for reasons in words
        from hs.records.vocabularies import field_vocabulary

        _VOCAB_FIELDS.update({
            "languages": field_vocabulary("volunteer", ("languages",)),
            "steps": field_vocabulary("volunteer", ("training",), key=True),
            "prefs": field_vocabulary("volunteer", ("preferences",)),
            "needs": field_vocabulary("volunteer", ("preferences",))})
    return _VOCAB_FIELDS


def reason_text(reason: Reason, index: Index) -> str:
    """A reason in words, in the user's language (codes become vocabulary labels)."""
    lang = language()
    out: dict[str, Any] = {}
    for key, value in reason.fields.items():
        vocab = _vocab_fields().get(key)
        if vocab is not None:
            out[key] = ", ".join(index.label(vocab, c, lang) for c in value) or "-"
        elif key == "gender":
            out[key] = MSG(f"gender-{value}")
        elif key in ("kind", "roles") and lang == "nl":  # trajectory kinds, by label
            codes = [value] if isinstance(value, str) else list(value)
            out[key] = ", ".join(enums.label("trajectory_kinds", c, lang) for c in codes)
        elif isinstance(value, list | tuple):
            out[key] = ", ".join(str(v) for v in value) or "-"
        elif isinstance(value, dt.date):
            out[key] = value.isoformat()
        else:
            out[key] = value
    return MSG(reason.key, **out)


def item_name(code: str) -> str:
    """The name of a rule or a score (or 'total') in the user's language."""
    return MSG(code)


def number(value: float) -> str:
    """A score or weight for messages: at most two decimals, no trailing zeros."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text or "0"
