"""A record checked against its spec without pydantic: is it valid for certain?

:func:`surely_valid` says True only for data that the pydantic model of the kind
(:mod:`hs.records.models`) accepts; for anything else (an invalid record, or a value in a
form that pydantic's lax mode might or might not take: a number as text, a date as a
number, a tuple for a list) it says False, and the caller asks the model, which says
what is wrong in the usual words. So the messages never differ, and a command that
writes a valid record (the usual case) never imports pydantic, which with the models
built from the spec costs about a quarter of a second.

It reads only :mod:`hs.records.spec`: the fields, their types, bounds and defaults, and
the groups' rules (run on the values as the model would hold them: dates as dates).
``tests/records/test_validate.py`` compares it with the models on the demo records and
on generated valid and invalid ones.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from hs.records import spec

__all__ = ["surely_valid"]


class _Unsure(Exception):
    """The value is invalid, or in a form only pydantic can judge."""


Check = Callable[[Any], Any]  # the value as the model holds it, or _Unsure

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_BIG = 2 ** 53  # numbers beyond this are left to pydantic


def _str(v: Any) -> Any:
    if type(v) is not str:
        raise _Unsure
    return v


def _int(v: Any) -> Any:
    if type(v) is not int or not -_BIG < v < _BIG:
        raise _Unsure
    return v


def _float(v: Any) -> Any:
    if type(v) is int:
        if not -_BIG < v < _BIG:
            raise _Unsure
        return float(v)
    if type(v) is not float or not math.isfinite(v):
        raise _Unsure
    return v


def _bool(v: Any) -> Any:
    if type(v) is not bool:
        raise _Unsure
    return v


def _date(v: Any) -> Any:
    if type(v) is dt.date:
        return v
    if type(v) is not str or _DATE.fullmatch(v) is None or v < "1000":
        raise _Unsure
    try:
        return dt.date.fromisoformat(v)
    except ValueError:
        raise _Unsure from None


def _bounded(check: Check, bounds: Any) -> Check:
    """``check`` with pydantic's ``min_length``, ``max_length``, ``ge`` and ``le``."""
    if not bounds:
        return check
    least, most = bounds.get("min_length"), bounds.get("max_length")
    ge, le = bounds.get("ge"), bounds.get("le")
    unknown = set(bounds) - {"min_length", "max_length", "ge", "le"}
    if unknown:
        raise ValueError(f"bounds the spec validator does not know: {sorted(unknown)}")

    def bounded(v: Any) -> Any:
        out = check(v)
        if out is None:  # an optional field's None: its bounds hold for a value
            return out
        if (least is not None and len(out) < least) or (most is not None
                                                         and len(out) > most):
            raise _Unsure
        if (ge is not None and out < ge) or (le is not None and out > le):
            raise _Unsure
        return out

    return bounded


def _constrained(c: spec.Constrained) -> Check:
    base = _str if c.base == "str" else _int
    pattern = re.compile(c.pattern) if c.pattern is not None else None
    bounds = {k: v for k, v in (("min_length", c.min_length), ("max_length", c.max_length),
                                ("ge", c.ge), ("le", c.le)) if v is not None}
    checked = _bounded(base, bounds)
    if pattern is None:
        return checked

    def matching(v: Any) -> Any:
        out = checked(v)
        # pydantic's patterns (Rust) end at the end of the text; Python's $ also before a
        # final newline: a text with one is left to pydantic
        if "\n" in out or pattern.search(out) is None:
            raise _Unsure
        return out

    return matching


def _literal(values: tuple[str, ...]) -> Check:
    allowed = frozenset(values)

    def literal(v: Any) -> Any:
        if type(v) is not str or v not in allowed:
            raise _Unsure
        return v

    return literal


def _split(inner: str) -> tuple[str, str]:
    """``K, V`` of ``dict[K, V]`` (V may hold brackets and commas)."""
    depth = 0
    for i, ch in enumerate(inner):
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
        elif ch == "," and depth == 0:
            return inner[:i].strip(), inner[i + 1:].strip()
    raise ValueError(f"not a mapping type: dict[{inner}]")


def _type(text: str, groups: dict[str, Check]) -> Check:
    """The check of a spec type as written in a field (``Text | None``, ``list[Code]``,
    ``dict[Code, dt.date]``, a group's name)."""
    text = text.strip()
    if text.endswith("| None"):
        inner = _type(text.removesuffix("| None"), groups)

        def optional(v: Any) -> Any:
            return None if v is None else inner(v)

        return optional
    if text.startswith("list[") and text.endswith("]"):
        item = _type(text[5:-1], groups)

        def listed(v: Any) -> Any:
            if type(v) is not list:
                raise _Unsure
            return [item(x) for x in v]

        return listed
    if text.startswith("dict[") and text.endswith("]"):
        key_text, value_text = _split(text[5:-1])
        key, value = _type(key_text, groups), _type(value_text, groups)

        def mapping(v: Any) -> Any:
            if type(v) is not dict:
                raise _Unsure
            return {key(k): value(x) for k, x in v.items()}

        return mapping
    simple: dict[str, Check] = {"str": _str, "int": _int, "float": _float, "bool": _bool,
                                "dt.date": _date}
    if text in simple:
        return simple[text]
    if text in spec.TYPES:
        return _constrained(spec.TYPES[text])
    if text in spec.ENUMS:
        return _literal(spec.ENUMS[text])
    if text in groups:
        return groups[text]
    if "|" in text or text in ("dict", "list"):  # any value (a conflict's): the models judge
        return _unsure
    raise ValueError(f"a type the spec validator does not know: {text}")


_SEALED = re.compile(spec.SEALED_PATTERN)


def _or_sealed(check: Check) -> Check:
    """A personal field's check: a sealed value as it is, as the models take it."""

    def sealed_or(v: Any) -> Any:
        if type(v) is str and _SEALED.fullmatch(v) is not None:
            return v
        return check(v)

    return sealed_or


def _unsure(v: Any) -> Any:
    raise _Unsure


def _schema_version(v: Any) -> Any:
    if type(v) is not int or v != 1:
        raise _Unsure
    return v


def _made(groups: dict[str, Check], name: str) -> Callable[[], Any]:
    return lambda: groups[name]({})


def _constant(value: Any) -> Callable[[], Any]:
    return lambda: value


def _group(group: spec.Group, groups: dict[str, Check], record: bool) -> Check:
    """The check of a group: a mapping of its fields only, the required ones present,
    each field's value checked, then the group's rules on the values as the model holds
    them."""
    fields: dict[str, Check] = {}
    defaults: dict[str, Callable[[], Any]] = {}
    required: list[str] = []
    if record:
        fields["schema_version"] = _schema_version
        defaults["schema_version"] = lambda: 1
    for f in group.fields:
        fields[f.name] = _bounded(_type(f.type, groups), f.bounds)
        if f.personal:
            fields[f.name] = _or_sealed(fields[f.name])
        if f.required:
            required.append(f.name)
        elif f.factory is not None:
            factory = f.factory
            if callable(factory):
                defaults[f.name] = factory
            elif factory in ("list", "dict"):
                defaults[f.name] = list if factory == "list" else dict
            else:  # a group: the model's defaults, as the rules would see them
                defaults[f.name] = _made(groups, factory)
        else:
            defaults[f.name] = _constant(f.default)
    rules = group.rules

    def check(v: Any) -> Any:
        if type(v) is not dict:
            raise _Unsure
        for name in required:
            if name not in v:
                raise _Unsure
        values: dict[str, Any] = {}
        for name, x in v.items():
            field_check = fields.get(name) if type(name) is str else None
            if field_check is None:
                raise _Unsure  # an unknown field (extra="forbid")
            values[name] = field_check(x)
        for name, make in defaults.items():
            if name not in values:
                values[name] = make()
        model = SimpleNamespace(**values)
        for rule in rules:
            try:
                rule(model)
            except Exception:  # a rule broken (ValueError), or one that cannot tell
                raise _Unsure from None
        return model

    return check


def _build() -> dict[str, Check]:
    groups: dict[str, Check] = {}
    for group in spec.GROUPS:  # a group before its users
        groups[group.name] = _group(group, groups, record=False)
    return {name: _group(kind.group, groups, record=True)
            for name, kind in spec.KINDS.items()}


_KINDS: dict[str, Check] = _build()


def surely_valid(kind: str, data: Any) -> bool:
    """True if the model of ``kind`` (a record kind of the spec) surely accepts ``data``;
    False if it does not, or if only the model can tell (then ask it). Never raises."""
    check = _KINDS.get(kind)
    if check is None:
        return False
    try:
        check(data)
    except _Unsure:
        return False
    except RecursionError:
        return False
    return True
