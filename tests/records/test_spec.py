"""The record spec: the models derive from it field by field, and its enumerations are the
ones every reader uses."""

from __future__ import annotations

import datetime as dt
from typing import Any, get_args

import pytest
from pydantic import ValidationError

from hs.records import enums, ids, models, rowcodes, rows, schemas, spec
from hs.records.index import Index
from hs.records.vocabularies import BY_NAME
from hs.store import cache


@pytest.mark.parametrize("group", [*spec.GROUPS, *(k.group for k in spec.KINDS.values())],
                         ids=lambda g: g.name)
def test_model_has_the_fields_of_the_spec(group: spec.Group) -> None:
    model: Any = getattr(models, group.name)
    fields = model.model_fields
    own = [n for n in fields if n != "schema_version"]
    assert own == [f.name for f in group.fields]
    for f in group.fields:
        info = fields[f.name]
        assert info.is_required() == f.required, f.name
        assert info.description == f.description, f.name
        if not f.required and f.factory is None:
            assert info.default == f.default, f.name


def test_enumerations_are_declared_once() -> None:
    assert ids.GENDERS is spec.GENDERS is enums.GENDERS
    assert ids.TRAJECTORY_KINDS is spec.TRAJECTORY_KINDS is enums.TRAJECTORY_KINDS
    assert get_args(models.Gender) == spec.GENDERS
    assert get_args(models.TrajectoryKind) == spec.TRAJECTORY_KINDS
    assert get_args(models.Decision) == spec.DECISIONS
    assert get_args(models.ReviewKind) == spec.REVIEW_KINDS
    assert models.HALF_DAYS == enums.HALF_DAYS == tuple(
        f"{d}-{p}" for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
        for p in ("am", "pm"))


def test_every_vocabulary_of_the_spec_is_registered() -> None:
    for _, f in [pf for k in spec.KINDS.values() for pf in spec.walk(k.group)]:
        for voc in (f.vocabulary, f.key_vocabulary):
            names = [] if voc is None else [voc] if isinstance(voc, str) \
                else list(voc.vocabularies.values())
            for name in names:
                assert name in BY_NAME, (f.name, name)


def test_personal_fields_are_the_names_and_notes() -> None:
    personal = {(kind, path) for kind, k in spec.KINDS.items()
                for path, f in spec.walk(k.group) if f.personal}
    # a conflict's values may be a name or a note
    assert {p[-1] for _, p in personal} == {"name", "note", "value"}
    assert ("family", ("name",)) in personal
    assert ("trajectory", ("visits", "note")) in personal


@pytest.mark.parametrize(("model", "data", "message"), [
    (models.Location, {"name": "x", "municipalities": ["a"], "active_from": "2024-02-01",
                       "active_until": "2024-01-01"}, "active_until is before active_from"),
    (models.DecisionEvent, {"date": "2024-01-01", "decision": "refused"},
     "a refused decision needs a reason"),
    (models.DecisionEvent, {"date": "2024-01-01", "decision": "accepted", "reason": "x"},
     "an accepted decision takes no reason"),
    (models.ActivePeriod, {"start": "2024-01-02", "end": "2024-01-01", "stop_reason": "x"},
     "end is before start"),
    (models.ActivePeriod, {"start": "2024-01-01", "end": "2024-01-02"},
     "a period with an end needs a stop_reason"),
    (models.ActivePeriod, {"start": "2024-01-01", "stop_reason": "x"},
     "stop_reason without an end"),
    (models.Assignment, {"volunteer": "v3kq7p2xm", "start": "2024-01-02",
                         "end": "2024-01-01"}, "end is before start"),
])
def test_model_rules_attached_by_the_spec(model: Any, data: dict[str, Any],
                                          message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        model.model_validate(data)


def test_volunteer_roles_default_to_buddy() -> None:
    v = models.Volunteer.model_validate({"location": "leuven", "gender": "f",
                                         "birth_year": 1980})
    assert v.roles == ["buddy"]  # type: ignore[attr-defined]  # built from the spec
    assert models.dump(v) == {"location": "leuven", "gender": "f", "birth_year": 1980}
    assert isinstance(models.Trajectory.model_fields["start"].annotation, type)
    assert models.Trajectory.model_fields["start"].annotation is dt.date


def test_the_kinds_are_declared_once_in_the_spec() -> None:
    """IDs, folders, models, schemas, cache parts, index tables and the code checks all
    list the kinds of the spec: a new kind is one entry in ``spec.KINDS``."""
    kinds = tuple(spec.KINDS)
    assert kinds == ("location", "family", "volunteer", "trajectory", "event")
    assert get_args(ids.RecordKind) == kinds == ids.KINDS
    assert ids.PREFIX == {"family": "f", "volunteer": "v", "trajectory": "t", "event": "e"}
    assert ids.FOLDER["event"] == "events"
    assert ids.kind_of_id("e3kq7p2xm") == "event" and ids.is_valid_id("event", "e3kq7p2xm")
    assert ids.new_id("event")[0] == "e"
    assert tuple(models.KIND_MODELS) == kinds
    assert (*kinds, "vocabularies", "config") == schemas.KINDS
    assert kinds == cache.KIND_PARTS
    assert tuple(rows.ROW_TYPES) == tuple(rowcodes.CODES_KNOWN) == kinds
    assert all(Index().table(k) == {} for k in kinds)
