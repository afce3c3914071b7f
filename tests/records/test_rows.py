"""The rows and their codecs, generated from the spec, agree with the models on every
record of the checkout's demo tree: a column out of order cannot pass silently."""

from __future__ import annotations

import datetime as dt
import marshal
from pathlib import Path
from typing import Any

import pytest

from hs.records import codegen, spec
from hs.records.ids import FOLDER, KINDS
from hs.records.models import MODELS
from hs.records.rows import ROW_TYPES, T_IMPACT
from hs.store.yamlio import load_plain
from tests.conftest import ROOT


def test_generated_rows_are_current() -> None:
    assert codegen.main(["--check"]) == 0, "run: python -m hs.records.codegen"


def _files() -> list[tuple[str, str, Path]]:
    out = []
    for kind in KINDS:
        for path in sorted((ROOT / "records" / FOLDER[kind]).glob("*.yaml")):
            out.append((kind, path.stem, path))
    return out


def _value(model: Any, path: str) -> Any:
    """A column's value taken from the validated model by the spec's path."""
    head, _, rest = path.partition(".")
    value = getattr(model, head)
    if not rest:
        return value
    if isinstance(value, list):  # one field of each group of a list
        return [_value(v, rest) for v in value]
    return _value(value, rest)


def _plain(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return tuple(_plain(v) for v in value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _expected(columns: tuple[spec.Col, ...], model: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for col in columns:
        value = _value(model, col.path)
        if col.encoding == "packed_days":
            out[col.name] = tuple(d.toordinal() for d in value)
        elif col.encoding == "marshal_pair":
            a, b = (f.name for f in spec.group_named(type(value).__name__).fields)
            out[f"{col.name}_{a}"] = dict(getattr(value, a))
            out[f"{col.name}_{b}"] = dict(getattr(value, b))
        elif col.row is not None:
            out[col.name] = tuple(_expected(col.columns, v) for v in value)
        else:
            out[col.name] = _plain(value)
    return out


def _actual(columns: tuple[spec.Col, ...], row: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for col in columns:
        if col.encoding == "marshal_pair":
            out[f"{col.name}_start"] = row.impact_start
            out[f"{col.name}_end"] = row.impact_end
        elif col.row is not None:
            out[col.name] = tuple(_actual(col.columns, r) for r in getattr(row, col.name))
        else:
            out[col.name] = _plain(getattr(row, col.name))
    return out


@pytest.mark.parametrize("kind", KINDS)
def test_every_demo_record_gives_the_row_its_model_gives(kind: str) -> None:
    """Each column of the row made from the file's data (``from_data``) holds what the
    validated model holds at the column's path; and ``tuple_of`` is the row's tuple."""
    files = [f for f in _files() if f[0] == kind]
    assert files
    row_type = ROW_TYPES[kind]
    columns = spec.KINDS[kind].row.columns
    for _, rid, path in files:
        data = load_plain(path.read_text(encoding="utf-8"))
        model = MODELS[kind].model_validate(data)
        row = row_type.from_data(rid, data)
        assert row.id == rid
        assert _actual(columns, row) == _expected(columns, model), path
        value = row_type.tuple_of(rid, data)
        again = row.to_tuple()
        if kind == "trajectory":  # the impact scores are packed: compare them unpacked
            at = T_IMPACT
            assert marshal.loads(again[at]) == marshal.loads(value[at])
            again, value = again[:at] + again[at + 1:], value[:at] + value[at + 1:]
        assert again == value, path
        # and the model's own data (defaults filled in, dates as dates) gives the same row
        full = row_type.from_data(rid, MODELS[kind].model_validate(data).model_dump())
        assert _actual(columns, full) == _actual(columns, row), path


def test_row_dates_are_dates() -> None:
    kind, rid, path = next(f for f in _files() if f[0] == "trajectory")
    row = ROW_TYPES[kind].from_data(rid, load_plain(path.read_text(encoding="utf-8")))
    assert isinstance(row.start, dt.date)
