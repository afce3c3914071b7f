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
  assignment solver (:func:`scipy.optimize.linear_sum_assignment`). Nothing is written.

Everything here works on :class:`hs.records.index.Index` rows (no pydantic) and returns
dataclasses; reasons are :class:`Reason` objects that :func:`reason_text` puts into words
(English or Dutch).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from hs.app.agenda import waiting_list
from hs.app.views import check_location
from hs.base.errors import InvalidRecord, RecordNotFound, UsageError
from hs.base.i18n import Catalog, language
from hs.records import enums
from hs.records.ids import TRAJECTORY_KINDS
from hs.records.index import FamilyRow, Index, VolunteerRow
from hs.records.problems import quotable
from hs.records.vocabularies import field_vocabulary
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


@dataclass(frozen=True, slots=True)
class Reason:
    """Why a rule passed or failed, or how a score came about: a message key and its
    fields (codes, numbers, dates), put into words by :func:`reason_text`."""

    key: str
    fields: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RuleCheck:
    rule: str  # one of RULES
    passed: bool
    reason: Reason


@dataclass(frozen=True, slots=True)
class ScorePart:
    name: str  # one of SCORES
    score: float  # 0..1
    weight: float
    reason: Reason

    @property
    def points(self) -> float:
        return self.score * self.weight


@dataclass(frozen=True, slots=True)
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


@dataclass(frozen=True, slots=True)
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


@dataclass(frozen=True, slots=True)
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


@dataclass(frozen=True, slots=True)
class VolunteerFacts:
    """What matching needs to know about a volunteer on a day."""

    volunteer: VolunteerRow
    load: int
    completed: int  # trajectories closed with this volunteer still assigned at the end
    active_since: dt.date | None  # start of the active period holding the day
    free_since: dt.date | None  # without a family since (None: not active or has one)
    own: tuple[RuleCheck, ...] = ()  # the rules that depend on the volunteer alone


def profile(index: Index, fam: FamilyRow, day: dt.date) -> FamilyProfile:
    """The family's profile on ``day``: perinatal, complex, what it calls for, languages,
    neighbouring municipalities, and since when it waits."""
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
    loc = index.locations.get(fam.location)
    near: set[str] = set()
    if loc is not None and fam.municipality:
        here = fam.municipality.casefold()
        for key, values in loc.neighbours.items():
            folded = {v.casefold() for v in values}
            if key.casefold() == here:
                near |= folded
            elif here in folded:
                near.add(key.casefold())
    return FamilyProfile(fam, perinatal, complex_, tuple(needs), frozenset(langs),
                         frozenset(near), accepted, ref.date if ref is not None else None)


def _age_months(born: str, day: dt.date) -> int:
    year, month = (int(p) for p in born.split("-")[:2])
    return (day.year - year) * 12 + (day.month - month)


def facts(index: Index, vol: VolunteerRow, day: dt.date, kind: str = "buddy"
          ) -> VolunteerFacts:
    """The volunteer on ``day``: load, completed trajectories, since when without a family,
    and the hard rules that do not depend on the family (for trajectories of ``kind``)."""
    busy = load(index, vol.id, day)
    completed = 0
    last_end: dt.date | None = None
    for t in index.trajectories_with(vol.id):
        if t.kind == "starter":
            continue
        if t.end is not None and t.end <= day:
            mine = [a for a in t.assignments if a.volunteer == vol.id]
            if any(a.end is None or a.end >= t.end for a in mine):
                completed += 1
        for a in t.assignments:
            if a.volunteer != vol.id:
                continue
            end = a.end or t.end
            if end is not None and end <= day and (last_end is None or end > last_end):
                last_end = end
    # the active period holding the day is the last one begun (periods do not overlap)
    since = (max(p.start for p in vol.periods if p.start <= day) if vol.active_on(day)
             else None)
    free = None
    if since is not None and busy == 0:
        free = max(since, last_end) if last_end is not None else since
    out = VolunteerFacts(vol, busy, completed, since, free)
    own = (_rule_active(out, day), _rule_role(vol, kind), _rule_training(index, vol, day),
           _rule_check(index, vol, day), _rule_capacity(out, kind))
    return VolunteerFacts(vol, busy, completed, since, free, own)


def weights(index: Index) -> dict[str, float]:
    """The score weights: ``matching:`` of records/config.yaml over the defaults."""
    given = index.config.get("matching") or {}
    return {name: float(given.get(name, default)) for name, default in DEFAULT_WEIGHTS.items()}


# --- rules and scores ----------------------------------------------------------------------


def evaluate(fam: FamilyProfile, vol: VolunteerFacts, day: dt.date,
             w: dict[str, float]) -> Candidate:
    """One volunteer against one family: every hard rule and every score. ``vol`` comes
    from :func:`facts` for the same day and the kind asked."""
    rules = (_rule_location(fam.family, vol.volunteer), *vol.own,
             _rule_gender(fam.family, vol.volunteer))
    scores = (
        _part("language", w, *_score_language(fam, vol.volunteer)),
        _part("distance", w, *_score_distance(fam, vol.volunteer)),
        _part("half_days", w, *_score_half_days(fam.family, vol.volunteer)),
        _part("preferences", w, *_score_preferences(fam, vol.volunteer)),
        _part("experience", w, *_score_experience(fam, vol)),
        _part("waiting", w, *_score_waiting(vol, day)),
    )
    return Candidate(vol.volunteer.id, vol.volunteer.municipality, rules, scores)


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


def _rule_role(vol: VolunteerRow, kind: str) -> RuleCheck:
    ok = kind in vol.roles or (kind == "buddy" and "coach" in vol.roles)
    if ok:
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
         kind: str = "buddy") -> Plan:
    """Volunteer–family pairs for the whole waiting list (of one location, or of all).

    Which families get a volunteer: the waiting list in its priority order
    (:func:`hs.app.agenda.waiting_list`, the order of ``hs waitlist``), each family taken in if
    the families already taken in and it can all have a volunteer at once
    (:func:`priority_families`). Which volunteer each gets: the assignment of maximal total
    score among those families (:func:`best_assignment`). Nothing is written."""
    _check_kind(kind, MAIN_KINDS)
    check_location(index, location)
    w = weights(index)
    waiting = waiting_list(index, day, location)
    families = [profile(index, index.families[f.family], day) for f in waiting]
    by_location: dict[str, list[VolunteerFacts]] = {}
    for vol in sorted(index.volunteers.values(), key=lambda r: r.id):
        by_location.setdefault(vol.location, []).append(facts(index, vol, day, kind))
    pair: dict[tuple[str, str], Candidate] = {}
    for prof in families:
        for vf in by_location.get(prof.family.location, []):
            if not all(r.passed for r in vf.own):
                continue  # inactive, untrained, no check, no free place...: never eligible
            c = evaluate(prof, vf, day, w)
            if c.eligible:
                pair[(prof.family.id, vf.volunteer.id)] = c
    free = {vf.volunteer.id: max(0, vf.volunteer.capacity - vf.load)
            for vfs in by_location.values() for vf in vfs}
    order = [p.family.id for p in families]
    options: dict[str, list[str]] = {f: [] for f in order}
    for f, v in pair:
        options[f].append(v)
    chosen = priority_families(order, options, free)
    assigned = best_assignment(chosen, options, free,
                               lambda f, v: pair[(f, v)].total)
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
                           key=order.index)
        cand = pair.get((fid, vid)) if vid is not None else None
        entries.append(PlanEntry(
            place.rank, fid, place.location, place.perinatal, place.accepted,
            place.days_waiting, vid,
            cand.total if cand is not None else None,
            cand.scores if cand is not None else (), unmatched, tuple(options[fid]),
            tuple(taken)))
    return Plan(day, kind, location, w, tuple(entries))


def priority_families(order: Sequence[str], options: dict[str, list[str]],
                      free: dict[str, int]) -> list[str]:
    """The families that get a volunteer when the waiting list goes in ``order``.

    A family is taken in when it and every family taken in before it can all have a
    volunteer at the same time (an augmenting path in the bipartite graph of families and
    volunteers' free places). This greedy rule is exact for this kind of question (the
    families that can be served together form a matroid): no family is left out to let a
    family lower on the list in, and as many families as possible are served."""
    places = [v for v in sorted(free) for _ in range(free[v])]
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
                    free: dict[str, int], score: Callable[[str, str], float]
                    ) -> dict[str, str]:
    """Family -> volunteer for every family of ``families`` (which must be servable
    together), maximising the total score; a volunteer takes at most its free places.
    Solved with :func:`scipy.optimize.linear_sum_assignment` on families x free places."""
    if not families:
        return {}
    import numpy as np  # lazy: start-up time (numpy and scipy take ~0.2 s to import)
    from scipy.optimize import linear_sum_assignment  # lazy: start-up time (see above)

    places = [v for v in sorted(free) for _ in range(free[v])]
    matrix = np.full((len(families), len(places)), -np.inf)
    for i, f in enumerate(families):
        allowed = set(options[f])
        for j, v in enumerate(places):
            if v in allowed:
                matrix[i, j] = score(f, v)
    rows, cols = linear_sum_assignment(matrix, maximize=True)
    return {families[int(i)]: places[int(j)] for i, j in zip(rows, cols, strict=True)}


# --- words ---------------------------------------------------------------------------------

# A reason's fields that hold codes -> their vocabulary: that of the volunteer field compared.
_VOCAB_FIELDS = {"languages": field_vocabulary("volunteer", ("languages",)),
                 "steps": field_vocabulary("volunteer", ("training",), key=True),
                 "prefs": field_vocabulary("volunteer", ("preferences",)),
                 "needs": field_vocabulary("volunteer", ("preferences",))}


def reason_text(reason: Reason, index: Index) -> str:
    """A reason in words, in the user's language (codes become vocabulary labels)."""
    lang = language()
    out: dict[str, Any] = {}
    for key, value in reason.fields.items():
        vocab = _VOCAB_FIELDS.get(key)
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
