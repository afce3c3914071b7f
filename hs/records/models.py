"""The record models: what a file in ``records/`` may contain.

Every model forbids unknown fields. Status is never stored: it is derived from the dated
events a record holds (referral decisions, trajectory start and end, volunteer active
periods), so that any question "as of date D" can be answered from the current files (see
:mod:`hs.rules.lifecycle`). Vocabulary codes are checked against ``records/vocabularies.yaml`` by
:mod:`hs.rules.checks`, not here, because the vocabularies are data that a location may change.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

Code = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=40)]
RecordId = Annotated[str, StringConstraints(pattern=r"^[fvt][0-9a-hjkmnp-tv-z]{8}$")]
LocationId = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]{1,29}$")]
VolunteerId = Annotated[str, StringConstraints(pattern=r"^v[0-9a-hjkmnp-tv-z]{8}$")]
FamilyId = Annotated[str, StringConstraints(pattern=r"^f[0-9a-hjkmnp-tv-z]{8}$")]
YearMonth = Annotated[str, StringConstraints(pattern=r"^[12][0-9]{3}-(0[1-9]|1[0-2])$")]
Language = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}$")]
HalfDay = Annotated[
    str, StringConstraints(pattern=r"^(mon|tue|wed|thu|fri|sat|sun)-(am|pm)$")
]
Text = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Note = Annotated[str, StringConstraints(min_length=1, max_length=2000)]
Year = Annotated[int, Field(ge=1900, le=2100)]
Score = Annotated[int, Field(ge=1, le=5)]
Gender = Literal["f", "m", "x"]
TrajectoryKind = Literal["buddy", "starter", "language", "coach"]
Decision = Literal["accepted", "refused", "withdrawn"]
ReviewKind = Literal["start", "six-month", "closing", "extension", "other"]

HALF_DAYS = tuple(f"{d}-{p}" for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
                  for p in ("am", "pm"))


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=False, str_strip_whitespace=False)


class Record(Strict):
    schema_version: Literal[1] = Field(
        default=1, description="Version of the records format; 1 today."
    )


# --- locations ---------------------------------------------------------------------------


class Location(Record):
    """A Home-Start location (werking). Its ID is the file name, a short code."""

    name: Text = Field(description="Public name, e.g. 'Home-Start Leuven'.")
    municipalities: list[Text] = Field(
        min_length=1, description="Cities and municipalities the location serves."
    )
    neighbours: dict[str, list[str]] = Field(
        default_factory=dict,
        description="For matching: municipality -> municipalities that count as near.",
    )
    partner: Text | None = Field(
        default=None, description="Partner organisation that runs the location, if any."
    )
    active_from: dt.date = Field(description="First day the location worked.")
    active_until: dt.date | None = Field(
        default=None, description="Last day, once the location stopped."
    )
    fte: float | None = Field(
        default=None, ge=0, le=50, description="Coordinator FTE (location metadata)."
    )

    @model_validator(mode="after")
    def _order(self) -> Location:
        if self.active_until is not None and self.active_until < self.active_from:
            raise ValueError("active_until is before active_from")
        return self


# --- families ------------------------------------------------------------------------------


class Child(Strict):
    born: YearMonth = Field(description="Birth month YYYY-MM (never the day).")


class Household(Strict):
    adults: int = Field(default=1, ge=0, le=20, description="Adults in the household.")
    parent_birth_years: list[Year] = Field(
        default_factory=list, description="Birth year of each parent (never the date)."
    )


class DecisionEvent(Strict):
    date: dt.date
    decision: Decision
    reason: Code | None = Field(
        default=None, description="Refusal or withdrawal reason code; required for those."
    )
    note: Note | None = None

    @model_validator(mode="after")
    def _reason(self) -> DecisionEvent:
        if self.decision != "accepted" and self.reason is None:
            raise ValueError(f"a {self.decision} decision needs a reason")
        if self.decision == "accepted" and self.reason is not None:
            raise ValueError("an accepted decision takes no reason")
        return self


class Referral(Strict):
    date: dt.date = Field(description="Day the referral came in.")
    referrer: Code = Field(description="Referrer code (vocabulary 'referrers').")
    expecting: YearMonth | None = Field(
        default=None,
        description="Expected birth month if the family was expecting at referral "
        "(makes the referral perinatal and pregnant at referral).",
    )
    decisions: list[DecisionEvent] = Field(
        default_factory=list,
        description="Decision history in date order: accepted, refused or withdrawn.",
    )


class FamilyPreferences(Strict):
    volunteer_gender: Gender | None = Field(
        default=None, description="A gender the family asked for, if any (hard rule)."
    )
    half_days: list[HalfDay] = Field(
        default_factory=list, description="Preferred visiting half-days, e.g. mon-am."
    )
    dutch_practice: bool = Field(
        default=False, description="The family wants to practise Dutch with the buddy."
    )


class Family(Record):
    location: LocationId
    name: Text | None = Field(
        default=None, description="How the coordinator recognises the family (optional)."
    )
    municipality: Text | None = None
    household: Household = Field(default_factory=Household)
    children: list[Child] = Field(default_factory=list)
    languages: list[Language] = Field(
        default_factory=list, description="Home languages, ISO 639 codes (nl, fr, ar...)."
    )
    flags: list[Code] = Field(
        default_factory=list, description="Profile flags (vocabulary 'profile_flags')."
    )
    preferences: FamilyPreferences = Field(default_factory=FamilyPreferences)
    referrals: list[Referral] = Field(
        min_length=1, description="Referrals in date order; the last one is current."
    )
    signals: list[Code] = Field(
        default_factory=list, description="Signal themes seen (vocabulary 'signal_themes')."
    )
    note: Note | None = None


# --- volunteers ----------------------------------------------------------------------------


class ActivePeriod(Strict):
    start: dt.date
    end: dt.date | None = Field(default=None, description="Last active day, once stopped.")
    stop_reason: Code | None = Field(
        default=None, description="Volunteer stop reason code; required with an end."
    )

    @model_validator(mode="after")
    def _check(self) -> ActivePeriod:
        if self.end is not None and self.end < self.start:
            raise ValueError("end is before start")
        if self.end is not None and self.stop_reason is None:
            raise ValueError("a period with an end needs a stop_reason")
        if self.end is None and self.stop_reason is not None:
            raise ValueError("stop_reason without an end")
        return self


class Volunteer(Record):
    location: LocationId
    name: Text | None = Field(default=None, description="Name as the coordinator uses it.")
    gender: Gender
    birth_year: Year
    municipality: Text | None = None
    languages: list[Language] = Field(default_factory=list)
    roles: list[TrajectoryKind] = Field(
        default_factory=lambda: list[TrajectoryKind](["buddy"]),
        description="buddy, starter, language, coach."
    )
    availability: list[HalfDay] = Field(
        default_factory=list, description="Half-days the volunteer can visit."
    )
    capacity: int = Field(default=1, ge=0, le=10, description="Families at once.")
    preferences: list[Code] = Field(
        default_factory=list,
        description="What the volunteer likes to take on (vocabulary "
        "'volunteer_preferences': perinatal, young-children, ...).",
    )
    training: dict[Code, dt.date] = Field(
        default_factory=dict,
        description="Training step code (vocabulary 'training_steps') -> date done.",
    )
    check_date: dt.date | None = Field(
        default=None,
        description="Day the criminal-record extract (model 2) was checked. "
        "The document itself is never stored.",
    )
    active: list[ActivePeriod] = Field(
        default_factory=list,
        description="Active periods in date order; none yet means a candidate.",
    )
    note: Note | None = None


# --- trajectories --------------------------------------------------------------------------


class Assignment(Strict):
    volunteer: VolunteerId
    start: dt.date
    end: dt.date | None = Field(
        default=None, description="Last day with this volunteer, when replaced."
    )

    @model_validator(mode="after")
    def _order(self) -> Assignment:
        if self.end is not None and self.end < self.start:
            raise ValueError("end is before start")
        return self


class Visit(Strict):
    date: dt.date
    minutes: int | None = Field(default=None, ge=1, le=1440)
    note: Note | None = None


class Review(Strict):
    date: dt.date
    kind: ReviewKind = Field(
        description="start, six-month (afstemmingsgesprek), closing (afrondingsgesprek), "
        "extension (support goes on after a year), other."
    )
    scores: dict[Code, Score] = Field(
        default_factory=dict, description="Impact scores 1-5 per domain, if measured."
    )
    note: Note | None = None


class Impact(Strict):
    start: dict[Code, Score] = Field(default_factory=dict)
    end: dict[Code, Score] = Field(default_factory=dict)


class Trajectory(Record):
    family: FamilyId
    kind: TrajectoryKind
    start: dt.date = Field(description="Day of the first home visit with the coordinator.")
    volunteers: list[Assignment] = Field(
        min_length=1, description="Volunteers over time; a replaced one stays listed."
    )
    visits: list[Visit] = Field(default_factory=list)
    reviews: list[Review] = Field(default_factory=list)
    impact: Impact = Field(default_factory=Impact)
    end: dt.date | None = Field(default=None, description="Close date.")
    close_reason: Code | None = None
    note: Note | None = None

    @model_validator(mode="after")
    def _close(self) -> Trajectory:
        if self.end is not None and self.close_reason is None:
            raise ValueError("a closed trajectory needs a close_reason")
        if self.end is None and self.close_reason is not None:
            raise ValueError("close_reason without an end date")
        return self


# --- repository-wide files ---------------------------------------------------------------


class Label(Strict):
    nl: Text
    en: Text


class StepLabel(Label):
    required: bool = Field(default=True, description="Needed before a first family.")


class Vocabularies(Record):
    """Codes with a Dutch and an English label. Every vocabulary has ``other``."""

    referrers: dict[Code, Label]
    refusal_reasons: dict[Code, Label]
    withdrawal_reasons: dict[Code, Label]
    close_reasons: dict[Code, Label]
    stop_reasons: dict[Code, Label]
    profile_flags: dict[Code, Label]
    impact_domains: dict[Code, Label]
    signal_themes: dict[Code, Label]
    training_steps: dict[Code, StepLabel]
    volunteer_preferences: dict[Code, Label]
    languages: dict[Code, Label] = Field(
        default_factory=dict, description="Labels for language codes (optional)."
    )


class DueSettings(Strict):
    six_month_review_days: int = Field(default=182, ge=1)
    closing_days: int = Field(default=365, ge=1)
    extension_days: int = Field(default=182, ge=1)
    no_visit_days: int = Field(default=21, ge=1)
    undecided_days: int = Field(default=14, ge=1)
    within_days: int = Field(default=7, ge=0)


class MatchingWeights(Strict):
    language: float = 3.0
    distance: float = 2.0
    half_days: float = 2.0
    preferences: float = 1.0
    experience: float = 1.0
    waiting: float = 1.0


class Config(Record):
    """``records/config.yaml``: settings of this records repository."""

    check_validity_months: int = Field(
        default=36, ge=1, le=120,
        description="How long a criminal-record check stays valid.",
    )
    due: DueSettings = Field(default_factory=DueSettings)
    matching: MatchingWeights = Field(default_factory=MatchingWeights)
    perinatal_priority: bool = Field(
        default=True, description="Perinatal families go first on the waiting list."
    )


MODELS: dict[str, type[Record]] = {
    "location": Location,
    "family": Family,
    "volunteer": Volunteer,
    "trajectory": Trajectory,
    "vocabularies": Vocabularies,
    "config": Config,
}


def dump(record: BaseModel) -> dict[str, Any]:
    """A record as plain data for writing: defaults and empty fields left out."""
    return record.model_dump(mode="json", exclude_defaults=True)
