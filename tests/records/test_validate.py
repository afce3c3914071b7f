"""The spec's validator (:mod:`hs.records.validate`) against the pydantic models: it says
"surely valid" only for records the models accept, and does say it for the records
``hs`` writes and people type (every demo record); what it cannot vouch for goes to the
models, so a file's problems are the same words either way."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from hs.records.ids import FOLDER
from hs.records.models import MODELS
from hs.records.validate import surely_valid
from hs.store import filecheck
from hs.store.layout import RecordFile
from hs.store.yamlio import load_plain
from tests.conftest import ROOT

KINDS = ("location", "family", "volunteer", "trajectory")


def _records() -> list[tuple[str, str, str, Any]]:
    out = []
    for kind in KINDS:
        for path in sorted((ROOT / "records" / FOLDER[kind]).glob("*.yaml")):
            text = path.read_text(encoding="utf-8")
            out.append((kind, path.stem, text, load_plain(text)))
    return out


RECORDS = _records()


def _model_accepts(kind: str, data: Any) -> bool:
    try:
        MODELS[kind].model_validate(data)
    except ValidationError:
        return False
    return True


def test_every_demo_record_is_surely_valid() -> None:
    assert len(RECORDS) > 300
    for kind, rid, _text, data in RECORDS:
        assert _model_accepts(kind, data), rid
        assert surely_valid(kind, data), rid


def test_what_it_leaves_to_the_models() -> None:
    fam = next(copy.deepcopy(d) for k, _r, _t, d in RECORDS if k == "family")
    assert surely_valid("family", fam)
    for change in (
        lambda d: d.update(extra="x"),  # unknown field
        lambda d: d.pop("location"),  # required field missing
        lambda d: d.update(location="Leuven"),  # pattern
        lambda d: d["referrals"][0].update(date="2025-02-30"),  # no such day
        lambda d: d["referrals"][0].update(date=20250101),  # a number for a date
        lambda d: d["referrals"][0].update(date="2025-01-01\n"),
        lambda d: d.update(location="leuven\n"),  # Python's $ would match before it
        lambda d: d.update(referrals=[]),  # min_length
        lambda d: d.update(referrals=tuple(d["referrals"])),  # lax: a tuple for a list
        lambda d: d["household"].update(adults="2"),  # lax: a number as text
        lambda d: d["household"].update(adults=True),
        lambda d: d["referrals"][0].update(decisions=[
            {"date": "2025-01-02", "decision": "refused"}]),  # a rule: needs a reason
        lambda d: d.update(schema_version=1.0),
        lambda d: d.update({1: "x"}),
    ):
        changed = copy.deepcopy(fam)
        change(changed)
        assert not surely_valid("family", changed)
    assert not surely_valid("config", {"schema_version": 1})  # not a kind of the spec
    assert not surely_valid("family", [])


# --- generated records: valid ones and broken ones ---------------------------------------

_TEXTS = st.sampled_from([
    "", " ", "a", "leuven", "Leuven", "x" * 41, "x" * 201, "f3kq7p2xm", "v3kq7p2xm",
    "t3kq7p2xm", "f3kq7p2xm\n", "2025-01-01", "2025-13-01", "2025-02-30", "0999-01-01",
    "2025-1-01", "2025-01", "2025-12", "1899-01", "mon-am", "sun-pm", "mon-am\n", "nl",
    "NL", "buddy", "starter", "accepted", "refused", "withdrawn", "female", "x", "other",
    "start", "closing", "5", "1e3", "true", "null", "é", "a-b", "-a", "ab\nc",
])
_SCALARS = st.one_of(
    _TEXTS, st.none(), st.booleans(),
    st.integers(min_value=-3, max_value=12), st.sampled_from([1900, 2100, 2101, 1440, 1441,
                                                              2 ** 53, 2 ** 63, -(2 ** 70)]),
    st.floats(allow_nan=True, allow_infinity=True), st.sampled_from([0.0, 1.0, 50.0, 50.5]),
    st.just(dt.date(2025, 1, 1)), st.just(dt.datetime(2025, 1, 1, 0, 0)),
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.tuples(inner), st.dictionaries(_TEXTS, inner, max_size=3)),
    max_leaves=6)


def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(data, dict):
        for k, v in data.items():
            out.extend(_paths(v, (*prefix, k)))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            out.extend(_paths(v, (*prefix, i)))
    return out


@st.composite
def _mutated(draw: st.DrawFn) -> tuple[str, Any]:
    kind, _rid, _text, data = draw(st.sampled_from(RECORDS))
    data = copy.deepcopy(data)
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        paths = [p for p in _paths(data) if p]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = data
        for part in path[:-1]:
            parent = parent[part]
        how = draw(st.sampled_from(["value", "value", "value", "drop", "add", "copy"]))
        if how == "value":
            parent[path[-1]] = draw(_VALUES)
        elif how == "drop":
            del parent[path[-1]]
        elif how == "add" and isinstance(parent, dict):
            parent[draw(_TEXTS)] = draw(_VALUES)
        elif how == "copy":  # another valid value of the same place, from another record
            others = [d for k, _r, _t, d in RECORDS if k == kind]
            other = draw(st.sampled_from(others))
            try:
                for part in path:
                    other = other[part]
            except (KeyError, IndexError, TypeError):
                continue
            parent[path[-1]] = copy.deepcopy(other)
    return kind, data


@settings(max_examples=100)
@given(_mutated())
def test_surely_valid_only_where_the_models_accept(case: tuple[str, Any]) -> None:
    kind, data = case
    if surely_valid(kind, data):
        assert _model_accepts(kind, data), data


@pytest.mark.slow
@settings(max_examples=400)
@given(_mutated())
def test_surely_valid_only_where_the_models_accept_more(case: tuple[str, Any]) -> None:
    """The slow tier: the same property on 400 examples instead of 100."""
    test_surely_valid_only_where_the_models_accept.hypothesis.inner_test(case)


@settings(max_examples=150)
@given(_mutated())
def test_a_files_problems_are_the_same_with_or_without_pydantic(
        case: tuple[str, Any]) -> None:
    """What ``hs validate`` and a write say of a file: the same whether the spec's
    validator is asked first (a short process) or only the models (many files)."""
    kind, data = case
    rf = RecordFile(kind, "f3kq7p2xm" if kind == "family" else "x",
                    str(Path("/nonexistent") / f"{kind}.yaml"), f"records/{kind}.yaml")
    text = "# x\n"  # positions are not at issue here: the problems' words are
    with pytest.MonkeyPatch.context() as m:
        m.setattr(filecheck, "_spec_checked", [0])
        m.setattr(filecheck, "_LAZY", {})
        first = _problems(rf, text, data)
    with pytest.MonkeyPatch.context() as m:
        m.setattr(filecheck, "_spec_checked", [filecheck.SPEC_CHECKS])
        second = _problems(rf, text, data)
    assert first == second


def _problems(rf: RecordFile, text: str, data: Any) -> list[tuple[str, str]]:
    try:
        return [(p.code, p.message) for p in filecheck.schema_problems(rf, text, data)]
    except Exception as exc:  # positions of an odd text: the same failure both ways
        return [("raised", type(exc).__name__)]
