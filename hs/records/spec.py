"""The record spec: every field of every kind of record, declared once.

A record kind (location, family, volunteer, trajectory) and each group nested in one
(household, preferences, referrals with their decisions, active periods, assignments,
visits, reviews, impact) is a :class:`Group` of :class:`Field` entries, in file order. A
field says its name, its type, whether it is required (else its default), which
vocabulary it takes its codes from, whether it is personal data, and its description.
The record kinds also say which fields queries need in the cached row, and in which
order (:class:`Row`).

What derives from here:

* the pydantic models (:mod:`hs.records.models`, built at import) and so the JSON
  Schemas (``hs schema``) and the field tables of ``docs/records.md`` (``hs.docgen``);
* the rows and their tuple codecs (:mod:`hs.records.rows`, generated source:
  ``python -m hs.records.codegen``; ``--check`` in CI);
* through :mod:`hs.records.vocabularies`, which field takes which vocabulary: the code
  checks of ``hs validate``, the labels of ``hs show`` and the messages.

This module is plain data: it imports neither pydantic nor the models, so that any
layer (and the warm read) may read it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any, NamedTuple

from hs.records.enums import (
    DAY_PARTS,
    DECISIONS,
    GENDERS,
    REVIEW_KINDS,
    TRAJECTORY_KINDS,
    WEEKDAYS,
)

# --- closed enumerations (declared in hs.records.enums) -----------------------------------

#: The closed enumerations by the type name the models give them.
ENUMS: dict[str, tuple[str, ...]] = {
    "Gender": GENDERS,
    "TrajectoryKind": TRAJECTORY_KINDS,
    "Decision": DECISIONS,
    "ReviewKind": REVIEW_KINDS,
}


# --- constrained types ---------------------------------------------------------------------


class Constrained(NamedTuple):
    """A named type with constraints: ``base`` ("str" or "int") and pydantic's
    StringConstraints (pattern, min_length, max_length) or number bounds (ge, le)."""

    base: str
    pattern: str | None = None
    min_length: int | None = None
    max_length: int | None = None
    ge: int | None = None
    le: int | None = None


_ID = "[0-9a-hjkmnp-tv-z]{8}"
#: The control characters (C0, DEL, C1) as a regular expression class's inside: never in
#: a text field (tab and line feed are allowed in a note).
_CONTROLS = r"\x00-\x1f\x7f-\x9f"
_TEXT = rf"[^{_CONTROLS}]"
_NOTE = r"[^\x00-\x08\x0b-\x1f\x7f-\x9f]"

TYPES: dict[str, Constrained] = {
    "Code": Constrained("str", pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=40),
    "LocationId": Constrained("str", pattern=r"^[a-z][a-z0-9-]{1,29}$"),
    "VolunteerId": Constrained("str", pattern=rf"^v{_ID}$"),
    "FamilyId": Constrained("str", pattern=rf"^f{_ID}$"),
    "YearMonth": Constrained("str", pattern=r"^[12][0-9]{3}-(0[1-9]|1[0-2])$"),
    "Language": Constrained("str", pattern=r"^[a-z]{2,3}$"),
    "HalfDay": Constrained(
        "str", pattern=rf"^({'|'.join(WEEKDAYS)})-({'|'.join(DAY_PARTS)})$"),
    # one line of text, no control character (an escape sequence would clear or retitle
    # a terminal), not only spaces; a note may also hold tabs and line breaks
    "Text": Constrained("str", pattern=rf"^{_TEXT}*[^\s{_CONTROLS}]{_TEXT}*$",
                        min_length=1, max_length=200),
    "Note": Constrained("str", pattern=rf"^{_NOTE}*[^\s{_CONTROLS}]{_NOTE}*$",
                        min_length=1, max_length=2000),
    "Year": Constrained("int", ge=1900, le=2100),
    "Score": Constrained("int", ge=1, le=5),
}

#: A sealed value (:mod:`hs.records.sealed`): ``hs1:`` and URL-safe base64 of nonce,
#: ciphertext and tag. Every ``personal=True`` field also accepts one, so that a record
#: with sealed values validates, merges and reads without a key.
SEALED_PREFIX = "hs1:"
SEALED_PATTERN = r"^hs1:[A-Za-z0-9_-]{38,11000}$"


# --- fields and groups ---------------------------------------------------------------------


class _Required:
    def __repr__(self) -> str:
        return "REQUIRED"


REQUIRED: Any = _Required()


class Chosen(NamedTuple):
    """A vocabulary chosen by a sibling field's value: a decision's reason is a refusal
    reason when the decision is ``refused``, a withdrawal reason when ``withdrawn``."""

    by: str
    vocabularies: Mapping[str, str]


class Field(NamedTuple):
    """One field of a record or group.

    ``type``: the type as written in the models (``Text | None``, ``list[Code]``, a
    group's name, an enumeration of :data:`ENUMS`, a name of :data:`TYPES`, ``dt.date``).
    ``default``: :data:`REQUIRED`, a value, or with ``factory`` the name of what makes it
    (``list``, ``dict``, a group) or a callable. ``vocabulary``: the vocabulary the
    field's values (a code, or each code of a list) come from; ``key_vocabulary``: the
    vocabulary of a mapping's keys. ``personal``: names, notes, free text (never in a
    message, a log or the cache). ``bounds``: pydantic's ``min_length``, ``ge``, ``le``.
    ``retention``: what ``hs retention --apply`` does to the field once the record's
    retention period is over (:data:`RETENTION`): ``keep`` it (what the figures of past
    years need), ``coarsen`` it (a date becomes the first day of its month) or ``drop`` it
    (whatever could identify a person)."""

    name: str
    type: str
    default: Any = REQUIRED
    factory: str | Callable[[], Any] | None = None
    description: str | None = None
    vocabulary: str | Chosen | None = None
    key_vocabulary: str | None = None
    personal: bool = False
    bounds: Mapping[str, Any] = MappingProxyType({})
    retention: str = "keep"

    @property
    def required(self) -> bool:
        return self.default is REQUIRED and self.factory is None


class Group(NamedTuple):
    """A record kind or a group nested in one: its fields in file order, and the
    model-level rules (functions of the validated model that raise ValueError)."""

    name: str  # the model's class name
    fields: tuple[Field, ...]
    rules: tuple[Callable[[Any], Any], ...] = ()
    doc: str | None = None
    #: For a group listed in a record (visits, reviews, ...): the fields that make an
    #: entry's identity, so that two copies of a record merge entry by entry (a visit by
    #: its date, a review by date and kind: :mod:`hs.store.merge`). Empty: the list is
    #: one value.
    key: tuple[str, ...] = ()

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)


# --- rows ------------------------------------------------------------------------------------


class Col(NamedTuple):
    """One column of a cached row: the field at ``path`` (dotted through groups: a list
    of groups with one field projected, ``children.born``, gives a tuple of that field),
    named ``attr`` in the row (else the field's name). ``columns``: for a list of groups,
    the columns of its nested rows (class ``row``). ``encoding``: a special form in the
    tuple (``packed_days``: the days of a list of dated groups as packed ints;
    ``marshal_pair``: two mappings of a group, marshal'd, decoded on first use).
    ``prefix``: the nested row's positions get constants ``<prefix>_<COLUMN>``."""

    path: str
    attr: str | None = None
    row: str | None = None
    columns: tuple[Col, ...] = ()
    encoding: str | None = None
    prefix: str | None = None

    @property
    def name(self) -> str:
        return self.attr or self.path.rsplit(".", 1)[-1]


class Row(NamedTuple):
    """The cached row of a record kind: class name and columns in tuple order (position
    0 is always the record ID; a new column goes at the end, so positions never move).
    ``prefix``: the positions get constants ``<prefix>_<COLUMN>`` (``F_LOCATION``)."""

    name: str
    prefix: str
    columns: tuple[Col, ...]


class Kind(NamedTuple):
    """A record kind: its top group and its row; ``letter``: the first letter of its
    generated IDs (None: the coordinator chooses the ID, as for locations); ``folder``:
    its folder under ``records/``. Everything that lists the kinds (IDs, folders, cache
    parts, models, schemas) derives from :data:`KINDS`."""

    name: str
    group: Group
    row: Row
    letter: str | None = None
    folder: str = ""


# --- model-level rules (messages: hs.store.filecheck maps them to catalog keys) ------------


def location_order(m: Any) -> Any:
    if m.active_until is not None and m.active_until < m.active_from:
        raise ValueError("active_until is before active_from")
    return m


def decision_reason(m: Any) -> Any:
    if m.decision != "accepted" and m.reason is None:
        raise ValueError(f"a {m.decision} decision needs a reason")
    if m.decision == "accepted" and m.reason is not None:
        raise ValueError("an accepted decision takes no reason")
    return m


def period_rules(m: Any) -> Any:
    if m.end is not None and m.end < m.start:
        raise ValueError("end is before start")
    if m.end is not None and m.stop_reason is None:
        raise ValueError("a period with an end needs a stop_reason")
    if m.end is None and m.stop_reason is not None:
        raise ValueError("stop_reason without an end")
    return m


def end_after_start(m: Any) -> Any:
    if m.end is not None and m.end < m.start:
        raise ValueError("end is before start")
    return m


def close_rules(m: Any) -> Any:
    if m.end is not None and m.close_reason is None:
        raise ValueError("a closed trajectory needs a close_reason")
    if m.end is None and m.close_reason is not None:
        raise ValueError("close_reason without an end date")
    return m


def _buddy() -> list[str]:
    return ["buddy"]


# --- conflicts left by a merge (every record kind) -------------------------------------------

CONFLICT_VALUE = Group("ConflictValue", (
    Field("value", "str | int | float | bool | dict | list | None", None, personal=True,
          retention="drop",
          description="One value of the field (none: the entry was removed)."),
    Field("author", "Text", description="Author of the commit that gave this value."),
    Field("date", "dt.date", description="Date of that commit."),
), key=("author", "date", "value"))

CONFLICT = Group("Conflict", (
    Field("field", "Text", description="The field, e.g. visits[2026-01-05].minutes."),
    Field("values", "list[ConflictValue]", bounds={"min_length": 2},
          description="The values, numbered from 1; the first is the one in the file."),
), key=("field",))


def _conflicts() -> Field:
    return Field("conflicts", "list[Conflict]", factory="list", retention="drop",
                 description="Fields given two values on two laptops, kept by a merge "
                 "until 'hs resolve' settles them (hs sync, git pull).")


def _conflicts_col() -> Col:
    return Col("conflicts", row="ConflictRow", columns=(
        Col("field"), Col("values", row="ConflictValueRow", columns=(
            Col("author"), Col("date")))))


# --- consent and retention (families and volunteers) -----------------------------------------

#: What retention may do to a field (:attr:`Field.retention`).
RETENTION: tuple[str, ...] = ("keep", "coarsen", "drop")


def _consent(who: str) -> Field:
    return Field("consent", "dt.date | None", None,
                 description=f"Day the {who} was told what is kept about them, and for how "
                 "long, and agreed (hs " + who + " consent); 'hs due' lists records "
                 "without it (config.yaml retention.consent_since).")


def _erased() -> Field:
    return Field("erased", "dt.date | None", None, retention="keep",
                 description="Day the record was erased (hs erase): its key is destroyed, so "
                 "its sealed fields are unreadable in every revision; its plain fields still "
                 "count.")


def _coarsened() -> Field:
    return Field("coarsened", "dt.date | None", None,
                 description="Day 'hs retention --apply' reduced the record to what the "
                 "figures of past years need (its retention period was over).")


# --- locations -------------------------------------------------------------------------------

LOCATION = Group("Location", (
    Field("name", "Text", description="Public name, e.g. 'Home-Start Leuven'."),
    Field("municipalities", "list[Text]", bounds={"min_length": 1},
          description="Cities and municipalities the location serves."),
    Field("neighbours", "dict[str, list[str]]", factory="dict",
          description="For matching: municipality -> municipalities that count as near."),
    Field("partner", "Text | None", None,
          description="Partner organisation that runs the location, if any."),
    Field("active_from", "dt.date", description="First day the location worked."),
    Field("active_until", "dt.date | None", None,
          description="Last day, once the location stopped."),
    Field("fte", "float | None", None, bounds={"ge": 0, "le": 50},
          description="Coordinator FTE (location metadata)."),
    Field("funding", "dict[Code, float]", factory="dict", key_vocabulary="funding_sources",
          description="Income per source in euros (location metadata), by funding source "
          "code: the figures show each source's share. Amounts of the reported year; the "
          "figures of an earlier year come from that year's revision (hs kpi --rev)."),
    _conflicts(),
), rules=(location_order,),
    doc="A Home-Start location (werking). Its ID is the file name, a short code.")


# --- families ----------------------------------------------------------------------------------

CHILD = Group("Child", (
    Field("born", "YearMonth", description="Birth month YYYY-MM (never the day)."),
))

HOUSEHOLD = Group("Household", (
    Field("adults", "int", 1, bounds={"ge": 0, "le": 20},
          description="Adults in the household."),
    Field("parent_birth_years", "list[Year]", factory="list", retention="drop",
          description="Birth year of each parent (never the date)."),
))

DECISION_EVENT = Group("DecisionEvent", (
    Field("date", "dt.date"),
    Field("decision", "Decision"),
    Field("reason", "Code | None", None,
          vocabulary=Chosen("decision", {"refused": "refusal_reasons",
                                         "withdrawn": "withdrawal_reasons"}),
          description="Refusal or withdrawal reason code; required for those."),
    Field("note", "Note | None", None, personal=True, retention="drop"),
), rules=(decision_reason,), key=("date", "decision"))

REFERRAL = Group("Referral", (
    Field("date", "dt.date", description="Day the referral came in."),
    Field("referrer", "Code", vocabulary="referrers",
          description="Referrer code (vocabulary 'referrers')."),
    Field("expecting", "YearMonth | None", None,
          description="Expected birth month if the family was expecting at referral "
          "(makes the referral perinatal and pregnant at referral)."),
    Field("decisions", "list[DecisionEvent]", factory="list",
          description="Decision history in date order: accepted, refused or withdrawn."),
), key=("date",))

FAMILY_PREFERENCES = Group("FamilyPreferences", (
    Field("volunteer_gender", "Gender | None", None, retention="drop",
          description="A gender the family asked for, if any (hard rule)."),
    Field("half_days", "list[HalfDay]", factory="list", retention="drop",
          description="Preferred visiting half-days, e.g. mon-am."),
    Field("dutch_practice", "bool", False, retention="drop",
          description="The family wants to practise Dutch with the buddy."),
))

SIGNAL = Group("Signal", (
    Field("date", "dt.date", description="Day the signal was seen."),
    Field("theme", "Code", vocabulary="signal_themes",
          description="Signal theme code (vocabulary 'signal_themes')."),
    Field("note", "Note | None", None, personal=True, retention="drop",
          description="Short note: what was seen (personal data)."),
    Field("migrated", "bool", False,
          description="Made by `hs migrate` from an undated signal code: the date is the "
          "family's referral date then, not the day the signal was seen."),
), key=("date", "theme"))

FAMILY = Group("Family", (
    Field("location", "LocationId"),
    Field("name", "Text | None", None, personal=True, retention="drop",
          description="How the coordinator recognises the family (optional)."),
    Field("municipality", "Text | None", None),
    Field("household", "Household", factory="Household"),
    Field("children", "list[Child]", factory="list"),
    Field("languages", "list[Language]", factory="list", vocabulary="languages",
          description="Home languages, ISO 639 codes (nl, fr, ar...)."),
    Field("flags", "list[Code]", factory="list", vocabulary="profile_flags",
          description="Profile flags (vocabulary 'profile_flags')."),
    Field("preferences", "FamilyPreferences", factory="FamilyPreferences"),
    Field("referrals", "list[Referral]", bounds={"min_length": 1},
          description="Referrals in date order; the last one is current."),
    Field("signals", "list[Signal]", factory="list",
          description="Signals of structural problems seen in the family, in date order "
          "(`hs signal`)."),
    Field("note", "Note | None", None, personal=True, retention="drop"),
    _erased(),
    _consent("family"),
    _coarsened(),
    _conflicts(),
))


# --- volunteers ------------------------------------------------------------------------------

ACTIVE_PERIOD = Group("ActivePeriod", (
    Field("start", "dt.date"),
    Field("end", "dt.date | None", None, description="Last active day, once stopped."),
    Field("stop_reason", "Code | None", None, vocabulary="stop_reasons",
          description="Volunteer stop reason code; required with an end."),
), rules=(period_rules,), key=("start",))

VOLUNTEER = Group("Volunteer", (
    Field("location", "LocationId"),
    Field("name", "Text | None", None, personal=True, retention="drop",
          description="Name as the coordinator uses it."),
    Field("gender", "Gender"),
    Field("birth_year", "Year"),
    Field("municipality", "Text | None", None),
    Field("languages", "list[Language]", factory="list", vocabulary="languages",
          retention="drop"),
    Field("roles", "list[TrajectoryKind]", factory=_buddy,
          description="buddy, starter, language, coach."),
    Field("availability", "list[HalfDay]", factory="list", retention="drop",
          description="Half-days the volunteer can visit."),
    Field("capacity", "int", 1, bounds={"ge": 0, "le": 10}, description="Families at once."),
    Field("preferences", "list[Code]", factory="list", vocabulary="volunteer_preferences",
          retention="drop",
          description="What the volunteer likes to take on (vocabulary "
          "'volunteer_preferences': perinatal, young-children, ...)."),
    Field("registered", "dt.date | None", None,
          description="Day the volunteer was registered (hs volunteer add): retention of "
          "a candidate who never started counts from it."),
    Field("training", "dict[Code, dt.date]", factory="dict", key_vocabulary="training_steps",
          retention="coarsen",
          description="Training step code (vocabulary 'training_steps') -> date done."),
    Field("check_date", "dt.date | None", None, retention="coarsen",
          description="Day the criminal-record extract (model 2) was checked. "
          "The document itself is never stored."),
    Field("active", "list[ActivePeriod]", factory="list",
          description="Active periods in date order; none yet means a candidate."),
    Field("dropped_out", "dt.date | None", None,
          description="Day a candidate who was never active dropped out (hs volunteer "
          "stop of a candidate): status stopped, never counted as a volunteer; retention "
          "counts from it."),
    Field("dropped_out_reason", "Code | None", None, vocabulary="stop_reasons",
          description="Why the candidate dropped out (vocabulary 'stop_reasons')."),
    Field("note", "Note | None", None, personal=True, retention="drop"),
    _erased(),
    _consent("volunteer"),
    _coarsened(),
    _conflicts(),
))


# --- trajectories ----------------------------------------------------------------------------

ASSIGNMENT = Group("Assignment", (
    Field("volunteer", "VolunteerId"),
    Field("start", "dt.date"),
    Field("end", "dt.date | None", None,
          description="Last day with this volunteer, when replaced."),
), rules=(end_after_start,), key=("volunteer", "start"))

VISIT = Group("Visit", (
    Field("date", "dt.date"),
    Field("minutes", "int | None", None, bounds={"ge": 1, "le": 1440}),
    Field("note", "Note | None", None, personal=True, retention="drop"),
), key=("date",))

REVIEW = Group("Review", (
    Field("date", "dt.date"),
    Field("kind", "ReviewKind",
          description="start, six-month (afstemmingsgesprek), closing (afrondingsgesprek), "
          "extension (support goes on after a year), other."),
    # the domains of a review's scores are not checked against impact_domains today
    Field("scores", "dict[Code, Score]", factory="dict",
          description="Impact scores 1-5 per domain, if measured."),
    Field("note", "Note | None", None, personal=True, retention="drop"),
), key=("date", "kind"))

IMPACT = Group("Impact", (
    Field("start", "dict[Code, Score]", factory="dict", key_vocabulary="impact_domains"),
    Field("end", "dict[Code, Score]", factory="dict", key_vocabulary="impact_domains"),
))

TRAJECTORY = Group("Trajectory", (
    Field("family", "FamilyId"),
    Field("kind", "TrajectoryKind"),
    Field("start", "dt.date", description="Day of the first home visit with the coordinator."),
    Field("volunteers", "list[Assignment]", bounds={"min_length": 1},
          description="Volunteers over time; a replaced one stays listed."),
    Field("visits", "list[Visit]", factory="list"),
    Field("reviews", "list[Review]", factory="list"),
    Field("impact", "Impact", factory="Impact"),
    Field("end", "dt.date | None", None, description="Close date."),
    Field("close_reason", "Code | None", None, vocabulary="close_reasons"),
    Field("note", "Note | None", None, personal=True, retention="drop"),
    _conflicts(),
), rules=(close_rules,))


# --- volunteer events ------------------------------------------------------------------------

EVENT = Group("Event", (
    Field("kind", "Code", vocabulary="event_kinds",
          description="Event kind code (vocabulary 'event_kinds': info-session, module, "
          "intervision, online, other)."),
    Field("date", "dt.date", description="Day of the event."),
    Field("location", "LocationId | None", None,
          description="Location that held it; none: the central office (kept in the "
          "central office's own records repository)."),
    Field("theme", "Text | None", None,
          description="Theme or title of the event (never a name or other personal data)."),
    Field("step", "Code | None", None, vocabulary="training_steps",
          description="For a start-training module: the training step it gives "
          "(vocabulary 'training_steps'); attending writes it into the volunteer's "
          "training."),
    Field("attendees", "list[VolunteerId]", factory="list",
          description="Volunteers who attended, by ID."),
    Field("anonymous", "int", 0, bounds={"ge": 0, "le": 10000},
          description="People who attended and are not volunteers (yet): a number, "
          "never names (candidates at an info session)."),
    _conflicts(),
), doc="A volunteer event: info session, start-training module, intervision meeting or "
    "online session, with its attendance.")


#: Every nested group, in the order the models are built (a group before its users).
GROUPS: tuple[Group, ...] = (
    CHILD, HOUSEHOLD, DECISION_EVENT, REFERRAL, FAMILY_PREFERENCES, SIGNAL,
    ACTIVE_PERIOD, ASSIGNMENT, VISIT, REVIEW, IMPACT, CONFLICT_VALUE, CONFLICT,
)


KINDS: dict[str, Kind] = {
    "location": Kind("location", LOCATION, Row("LocationRow", "L", (
        Col("name"), Col("municipalities"), Col("neighbours"), Col("partner"),
        Col("active_from"), Col("active_until"), Col("fte"), Col("funding"), _conflicts_col(),
    )), None, "locations"),
    "family": Kind("family", FAMILY, Row("FamilyRow", "F", (
        Col("location"), Col("municipality"), Col("languages"), Col("flags"),
        Col("children.born", "children"), Col("household.parent_birth_years"),
        Col("preferences.volunteer_gender", "pref_gender"),
        Col("preferences.half_days", "pref_half_days"),
        Col("preferences.dutch_practice"),
        Col("referrals", row="ReferralRow", prefix="R", columns=(
            Col("date"), Col("referrer"), Col("expecting"),
            Col("decisions", row="DecisionRow", columns=(
                Col("date"), Col("decision"), Col("reason"))))),
        Col("signals", row="SignalRow", columns=(Col("date"), Col("theme"))),
        _conflicts_col(), Col("consent"), Col("coarsened"),
    )), "f", "families"),
    "volunteer": Kind("volunteer", VOLUNTEER, Row("VolunteerRow", "V", (
        Col("location"), Col("municipality"), Col("gender"), Col("birth_year"),
        Col("languages"), Col("roles"), Col("availability"), Col("capacity"),
        Col("preferences"), Col("training"), Col("check_date"),
        Col("active", "periods", row="PeriodRow", columns=(
            Col("start"), Col("end"), Col("stop_reason"))), _conflicts_col(),
        Col("registered"), Col("consent"), Col("coarsened"), Col("dropped_out"),
        Col("dropped_out_reason"),
    )), "v", "volunteers"),
    "trajectory": Kind("trajectory", TRAJECTORY, Row("TrajectoryRow", "T", (
        Col("family"), Col("kind"), Col("start"), Col("end"), Col("close_reason"),
        Col("volunteers", "assignments", row="AssignmentRow", columns=(
            Col("volunteer"), Col("start"), Col("end"))),
        Col("reviews", row="ReviewRow", columns=(Col("date"), Col("kind"))),
        Col("visits.date", "visit_days", encoding="packed_days"),
        Col("impact", encoding="marshal_pair"), _conflicts_col(),
    )), "t", "trajectories"),
    "event": Kind("event", EVENT, Row("EventRow", "E", (
        Col("kind"), Col("date"), Col("location"), Col("step"), Col("attendees"),
        Col("anonymous"), _conflicts_col(),
    )), "e", "events"),
}


#: The generated IDs of every kind with a letter (its pattern derives from the kinds).
TYPES["RecordId"] = Constrained(
    "str", pattern=rf"^[{''.join(k.letter for k in KINDS.values() if k.letter)}]{_ID}$")


#: The names of the fields that hold personal data (names, notes, free text), in any
#: record or group: an error message never repeats their values.
PERSONAL_FIELDS: frozenset[str] = frozenset(
    f.name for group in (*GROUPS, *(kind.group for kind in KINDS.values()))
    for f in group.fields if f.personal)


def personal_paths(kind: str) -> tuple[str, ...]:
    """The dotted paths (list indexes left out) of a record kind's personal fields, in
    file order: the places a sealed repository seals (``conflicts.values.value`` apart:
    a conflict's value is sealed as the field it stands for)."""
    return tuple(".".join(path) for path, f in walk(KINDS[kind].group) if f.personal)


def group_named(name: str) -> Group:
    """A record kind's group or a nested group by its class name."""
    for g in (*GROUPS, *(k.group for k in KINDS.values())):
        if g.name == name:
            return g
    raise KeyError(name)


def walk(group: Group, prefix: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Field]]:
    """Every field of a group and of the groups nested in it, with its path (list
    indexes left out), in file order."""
    out: list[tuple[tuple[str, ...], Field]] = []
    names = {g.name for g in GROUPS}
    for f in group.fields:
        path = (*prefix, f.name)
        out.append((path, f))
        inner = f.type.removeprefix("list[").removesuffix("]")
        if inner in names:
            out.extend(walk(group_named(inner), path))
    return out
