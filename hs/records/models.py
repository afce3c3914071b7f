"""The record models: what a file in ``records/`` may contain.

Every model forbids unknown fields. Status is never stored: it is derived from the dated
events a record holds (referral decisions, trajectory start and end, volunteer active
periods), so that any question "as of date D" can be answered from the current files (see
:mod:`hs.rules.lifecycle`). Vocabulary codes are checked against ``records/vocabularies.yaml`` by
:mod:`hs.rules.checks`, not here, because the vocabularies are data that a location may change.

The models of the records (location, family, volunteer, trajectory and their nested groups)
are built at import from :mod:`hs.records.spec`, and :class:`Vocabularies` from the
registry :mod:`hs.records.vocabularies`; only the repository's settings (:class:`Config`)
and the labels are written here by hand.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, Annotated, Any, Literal, cast

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    StringConstraints,
    ValidatorFunctionWrapHandler,
    WrapValidator,
    create_model,
    model_validator,
)
from pydantic_core import CoreSchema

from hs.records import enums, spec
from hs.records.layout import INSTALL_PATTERN
from hs.records.vocabularies import VOCABULARIES, Vocabulary


def _constrained(c: spec.Constrained) -> Any:
    if c.base == "str":
        return Annotated[str, StringConstraints(
            pattern=c.pattern, min_length=c.min_length, max_length=c.max_length)]
    return Annotated[int, Field(ge=c.ge, le=c.le)]


if TYPE_CHECKING:  # to mypy, each is its base type
    Code = str
    RecordId = str
    LocationId = str
    VolunteerId = str
    FamilyId = str
    YearMonth = str
    Language = str
    HalfDay = str
    Text = str
    Note = str
    Year = int
    Score = int
    Gender = str
    TrajectoryKind = str
    Decision = str
    ReviewKind = str
else:
    Code = _constrained(spec.TYPES["Code"])
    RecordId = _constrained(spec.TYPES["RecordId"])
    LocationId = _constrained(spec.TYPES["LocationId"])
    VolunteerId = _constrained(spec.TYPES["VolunteerId"])
    FamilyId = _constrained(spec.TYPES["FamilyId"])
    YearMonth = _constrained(spec.TYPES["YearMonth"])
    Language = _constrained(spec.TYPES["Language"])
    HalfDay = _constrained(spec.TYPES["HalfDay"])
    Text = _constrained(spec.TYPES["Text"])
    Note = _constrained(spec.TYPES["Note"])
    Year = _constrained(spec.TYPES["Year"])
    Score = _constrained(spec.TYPES["Score"])
    Gender = Literal[spec.GENDERS]
    TrajectoryKind = Literal[spec.TRAJECTORY_KINDS]
    Decision = Literal[spec.DECISIONS]
    ReviewKind = Literal[spec.REVIEW_KINDS]

HALF_DAYS = enums.HALF_DAYS


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=False, str_strip_whitespace=False)


class Record(Strict):
    schema_version: Literal[1] = Field(
        default=1, description="Version of the records format; 1 today."
    )


# --- built from the spec -------------------------------------------------------------------

_NAMES: dict[str, Any] = {"dt": dt, "Code": Code, "RecordId": RecordId,
                          "LocationId": LocationId, "VolunteerId": VolunteerId,
                          "FamilyId": FamilyId, "YearMonth": YearMonth, "Language": Language,
                          "HalfDay": HalfDay, "Text": Text, "Note": Note, "Year": Year,
                          "Score": Score, "Gender": Gender, "TrajectoryKind": TrajectoryKind,
                          "Decision": Decision, "ReviewKind": ReviewKind}


_SEALED = re.compile(spec.SEALED_PATTERN)


def _or_sealed(v: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    """A personal field's value: a sealed value as it is (no key needed), else the
    field's own type."""
    if type(v) is str and _SEALED.fullmatch(v) is not None:
        return v
    return handler(v)


class _SealedSchema:
    """In the JSON Schema, a personal field is its type or a sealed value."""

    @classmethod
    def __get_pydantic_json_schema__(cls, core: CoreSchema,
                                     handler: GetJsonSchemaHandler) -> dict[str, Any]:
        inner = handler(core)
        return {"anyOf": [inner, {"type": "string", "pattern": spec.SEALED_PATTERN}]}


def _field(f: spec.Field) -> tuple[Any, Any]:
    annotation = eval(f.type, {"__builtins__": {"list": list, "dict": dict, "str": str,
                                                "int": int, "float": float, "bool": bool}},
                      _NAMES)  # the spec's type names, nothing else
    if f.personal:
        annotation = Annotated[annotation, WrapValidator(_or_sealed), _SealedSchema]
    kwargs: dict[str, Any] = dict(f.bounds)
    if f.factory is not None:
        kwargs["default_factory"] = (f.factory if callable(f.factory) else
                                     {"list": list, "dict": dict}.get(f.factory)
                                     or _NAMES[f.factory])
    elif not f.required:
        kwargs["default"] = f.default
    if f.description is not None:
        kwargs["description"] = f.description
    return annotation, Field(**kwargs)


def _model(group: spec.Group, base: type[BaseModel]) -> type[BaseModel]:
    validators: dict[str, Any] = {f"_rule_{i}": model_validator(mode="after")(rule)
                  for i, rule in enumerate(group.rules)}
    fields: dict[str, Any] = {f.name: _field(f) for f in group.fields}
    model = create_model(group.name, __base__=base, __doc__=group.doc,
                         __module__=__name__, __validators__=validators, **fields)
    _NAMES[group.name] = model
    return cast(type[BaseModel], model)


for _group in spec.GROUPS:
    _model(_group, Strict)

Child = _NAMES["Child"]
Household = _NAMES["Household"]
DecisionEvent = _NAMES["DecisionEvent"]
Referral = _NAMES["Referral"]
FamilyPreferences = _NAMES["FamilyPreferences"]
ActivePeriod = _NAMES["ActivePeriod"]
Assignment = _NAMES["Assignment"]
Visit = _NAMES["Visit"]
Review = _NAMES["Review"]
Impact = _NAMES["Impact"]
ConflictValue = _NAMES["ConflictValue"]
Conflict = _NAMES["Conflict"]
Location: type[Record] = cast(type[Record], _model(spec.LOCATION, Record))
Family: type[Record] = cast(type[Record], _model(spec.FAMILY, Record))
Volunteer: type[Record] = cast(type[Record], _model(spec.VOLUNTEER, Record))
Trajectory: type[Record] = cast(type[Record], _model(spec.TRAJECTORY, Record))
#: Every record kind's model, by kind, in the spec's order.
KIND_MODELS: dict[str, type[Record]] = {
    "location": Location, "family": Family, "volunteer": Volunteer, "trajectory": Trajectory,
    **{name: cast(type[Record], _model(k.group, Record)) for name, k in spec.KINDS.items()
       if k.group.name not in _NAMES}}
Signal = _NAMES["Signal"]
Event: type[Record] = KIND_MODELS["event"]


# --- repository-wide files ---------------------------------------------------------------


class Label(Strict):
    nl: Text
    en: Text
    aliases: list[Text] = Field(
        default_factory=list, description="Other words for the code that hs reads as the "
        "code on the command line and in an import (e.g. [K&G])")


class StepLabel(Label):
    required: bool = Field(default=True, description="Needed before a first family.")
    start_training: bool = Field(
        default=False, description="A module of the start training: a volunteer has "
        "completed the start training on the day of the last of these steps.")


class FundingLabel(Label):
    public: bool = Field(default=False, description="Public money (a government's "
                         "subsidy); else private (funds, donations, own services).")


def _vocabulary(v: Vocabulary) -> tuple[Any, Any]:
    kwargs: dict[str, Any] = {} if v.required else {"default_factory": dict}
    if v.description is not None:
        kwargs["description"] = v.description
    label: Any = StepLabel if v.steps else FundingLabel if v.funding else Label
    annotation: Any = dict[Code, label]
    return annotation, Field(**kwargs)


def vocabularies_model(registry: tuple[Vocabulary, ...]) -> type[Record]:
    """The model of ``records/vocabularies.yaml``: one mapping code -> labels per
    vocabulary of the registry."""
    return cast(type[Record], create_model(  # type: ignore[call-overload]
        "Vocabularies", __base__=Record, __module__=__name__,
        __doc__="Codes with a Dutch and an English label. Every vocabulary has ``other``.",
        **{v.name: _vocabulary(v) for v in registry}))


Vocabularies = vocabularies_model(VOCABULARIES)


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


class RetentionSettings(Strict):
    years: int = Field(
        default=1, ge=1, le=30,
        description="Years a family's or volunteer's record is kept after support ended "
        "(hs retention).")
    youth_care_years: int = Field(
        default=6, ge=1, le=30,
        description="Years for a family with the youth-care profile flag.")
    consent_since: dt.date | None = Field(
        default=None,
        description="From this day on, families referred and volunteers registered are "
        "asked for consent: hs due lists those without it (none: not listed).")


class Config(Record):
    """``records/config.yaml``: settings of this records repository."""

    install: str | None = Field(
        default=None, pattern=INSTALL_PATTERN,
        description="Where the CI workflow and the pre-commit hook install hs from: a git "
        "URL pinned to a tag or commit (git+https://…/hs@v0.2.0) or a homestart_hs "
        "wheel (URL or path).",
    )
    check_validity_months: int = Field(
        default=36, ge=1, le=120,
        description="How long a criminal-record check stays valid.",
    )
    due: DueSettings = Field(default_factory=DueSettings)
    matching: MatchingWeights = Field(default_factory=MatchingWeights)
    perinatal_priority: bool = Field(
        default=True, description="Perinatal families go first on the waiting list."
    )
    names: Literal["shown", "hidden"] = Field(
        default="shown",
        description="Names beside IDs in the terminal tables: shown, or hidden (a shared "
        "screen; --names shows them for one command).",
    )
    sealed: bool = Field(
        default=False, description="Personal fields (names, notes) are sealed: stored as "
        "ciphertext, each family and volunteer with its own key (hs init sets it; hs seal "
        "converts a repository). A plain value in a personal field is then a problem.")
    retention: RetentionSettings = Field(default_factory=RetentionSettings)


MODELS: dict[str, type[Record]] = {
    **KIND_MODELS,
    "vocabularies": Vocabularies,
    "config": Config,
}


def dump(record: BaseModel) -> dict[str, Any]:
    """A record as plain data for writing: defaults and empty fields left out."""
    return record.model_dump(mode="json", exclude_defaults=True)
