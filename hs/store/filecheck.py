"""The checks of one record file, and of the files of a tree: what reading a file finds.

1. file: size, encoding, control characters, YAML syntax, duplicate keys, anchors, aliases,
   tags, directives, several documents (:mod:`hs.store.yamlio`);
2. schema: the file's model (missing, unknown and wrong fields, with "did you mean"), the
   file name as an ID, the ``$schema`` comment line (a warning) (:func:`schema_problems`);
3. files of the tree: files no command reads, IDs used by two files (:func:`file_problems`).

The rules across records are :mod:`hs.rules.checks`; they find the place of a problem
through a :class:`Locator`, which reads a file's positions once.

Every problem carries the file and a 1-based line and column of the key or value at fault,
and a short message for a coordinator, in English or Dutch. Messages never repeat a
name or a note from the file, nor a value in a field where it does not belong: a value is
quoted only when its field is not personal and the value has the form of the field's type
(:func:`shown_value`; docs/design.md).
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Annotated, Any, Union, get_args, get_origin

from hs.base.i18n import Catalog
from hs.records.ids import PREFIX, id_of_path
from hs.records.problems import Problem, did_you_mean, quotable, shape_of, text_fault
from hs.records.spec import KINDS, TYPES, Field, walk
from hs.store.layout import RecordFile, listing_order, stray_files

MSG = Catalog("store.filecheck")

# model validator messages (hs/records/models.py) -> (catalog key, field the problem is in)
_RULES: dict[str, tuple[str, str | None]] = {
    "active_until is before active_from": ("rule-active-order", "active_until"),
    "end is before start": ("rule-end-before", "end"),
    "a period with an end needs a stop_reason": ("rule-period-reason", "end"),
    "stop_reason without an end": ("rule-reason-no-end", "stop_reason"),
    "a refused decision needs a reason": ("rule-decision-reason", "decision"),
    "a withdrawn decision needs a reason": ("rule-decision-reason", "decision"),
    "an accepted decision takes no reason": ("rule-accepted-reason", "reason"),
    "a closed trajectory needs a close_reason": ("rule-close-reason", "end"),
    "close_reason without an end date": ("rule-close-no-end", "close_reason"),
}


# the ID letter and an example ID of each kind with generated IDs (from the spec)
_SHAPES: dict[str, tuple[str, str]] = {kind: (letter, f"{letter}3kq7p2xm")
                                      for kind, letter in PREFIX.items()}


def _doc(text: str, checked: bool = False) -> Any:
    """Where things are in ``text`` (:class:`hs.store.yamlio.Positions`)."""
    from hs.store.yamlio import Positions  # lazy: yamlio stays out of a warm validate

    return Positions(text, checked=checked)


def _unwrap(annotation: Any) -> Any:
    """``X | None`` -> X; ``Annotated[X, ...]`` -> X."""
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
        elif origin is Union or str(origin) == "<class 'types.UnionType'>":
            args = [a for a in get_args(annotation) if a is not type(None)]
            if len(args) != 1:
                return annotation
            annotation = args[0]
        else:
            return annotation


def _expected_fields(model: Any, loc: tuple[str | int, ...]) -> list[str]:
    """Field names allowed at ``loc`` (for 'did you mean'); [] where any key is allowed."""
    from pydantic import BaseModel  # lazy: pydantic only when a file has a problem

    current: Any = model
    for part in loc:
        current = _unwrap(current)
        origin = get_origin(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            if isinstance(part, int):
                return []
            info = current.model_fields.get(part)
            if info is None:
                return []
            current = info.annotation
        elif origin in (list, tuple):
            current = get_args(current)[0] if get_args(current) else Any
        elif origin is dict:
            current = get_args(current)[1] if len(get_args(current)) == 2 else Any
        else:
            return []
    current = _unwrap(current)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    return []


def _loc_text(loc: tuple[str | int, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


_LAZY: dict[str, Any] = {}
#: Files a process checks against the spec (:mod:`hs.records.validate`) before it imports
#: pydantic and the models (a quarter of a second) and asks them: a write checks two or
#: three files, a cold read of a large tree thousands (pydantic's validator is faster).
SPEC_CHECKS = 200
_spec_checked = [0]


def _lazy() -> dict[str, Any]:
    """pydantic and the models, imported on first use (this runs for every file)."""
    if "MODELS" not in _LAZY:  # lazy: pydantic and the models stay out of a warm read
        from pydantic import ValidationError

        from hs.records.models import MODELS

        _LAZY.update(_plain(), ValidationError=ValidationError, MODELS=MODELS)
    return _LAZY


def _plain() -> dict[str, Any]:
    """What every file's check needs besides the models (no pydantic)."""
    if "schema_line" not in _LAZY:  # lazy: the schemas' names stay out of a warm read
        from hs.records.ids import is_valid_id
        from hs.records.schemas import COMMENT_PREFIX, file_name, schema_line

        _LAZY.update(is_valid_id=is_valid_id, COMMENT_PREFIX=COMMENT_PREFIX,
                     file_name=file_name, schema_line=schema_line)
    return _LAZY


def _surely_valid(kind: str, data: Any) -> bool:
    """Whether the spec alone says the record is valid (see :data:`SPEC_CHECKS`); False
    means: ask the model."""
    if "MODELS" in _LAZY or _spec_checked[0] >= SPEC_CHECKS:
        return False
    _spec_checked[0] += 1
    # lazy: the spec's validator only where pydantic is not imported yet
    from hs.records.validate import surely_valid

    return surely_valid(kind, data)


def schema_problems(rf: RecordFile, text: str, data: Any) -> list[Problem]:
    """Problems of one parsed file against its model (errors, and warnings with severity
    'warning'); [] if it is valid and complete."""
    lazy = _LAZY if "schema_line" in _LAZY else _plain()
    is_valid_id = lazy["is_valid_id"]

    problems: list[Problem] = []
    if (rf.kind in _SHAPES or rf.kind == "location") and not is_valid_id(
            rf.kind, rf.id):
        shape = MSG("location-shape") if rf.kind == "location" else MSG(
            "id-shape", letter=_SHAPES[rf.kind][0], example=_SHAPES[rf.kind][1])
        problems.append(Problem(rf.rel, 1, 1, "bad-id",
                                MSG("bad-id", id=rf.id, kind=rf.kind, shape=shape)))
    if not isinstance(data, dict):
        problems.append(Problem(rf.rel, 1, 1, "not-a-mapping", MSG("not-a-mapping")))
        return problems
    version = data.get("schema_version")
    if version is None or version is True or version is False:
        doc = _doc(text)
        line, col = _first_key(doc) if version is None else _value_pos(doc, ("schema_version",))
        problems.append(Problem(rf.rel, line, col, "schema-version",
                                MSG("version-missing") if version is None
                                else MSG("version-other", version=version)))
        return problems
    if version != 1:
        doc = _doc(text)
        line, col = _value_pos(doc, ("schema_version",))
        shown = _short(version) if quotable(version, "number") else "?"
        problems.append(Problem(rf.rel, line, col, "schema-version",
                                MSG("version-other", version=shown)))
        return problems
    if not _surely_valid(rf.kind, data):
        lazy = _LAZY if "MODELS" in _LAZY else _lazy()
        ValidationError, model = lazy["ValidationError"], lazy["MODELS"][rf.kind]
        try:  # the model's validator itself: model_validate adds a Python call a file
            model.__pydantic_validator__.validate_python(data)
        except ValidationError as exc:
            doc = _doc(text)
            for err in exc.errors(include_url=False):
                problems.append(_from_pydantic(rf.rel, doc, model, err, data, rf.kind))
    problems.extend(_schema_comment(rf, text))
    return problems


_EXPECTED: dict[tuple[str, int], str] = {}


def _schema_comment(rf: RecordFile, text: str) -> list[Problem]:
    """A warning if the file lacks the ``$schema`` line, or if it names another schema."""
    in_tree = rf.rel.startswith("records/")
    depth = rf.rel.count("/") if in_tree else 2
    expected = _EXPECTED.get((rf.kind, depth))
    if expected is None:
        expected = _EXPECTED[rf.kind, depth] = _plain()["schema_line"](rf.kind, depth)
    if in_tree and text.startswith(expected) and text[len(expected):len(expected) + 1] in (
            "\n", ""):
        return []  # the usual case, quickly
    lazy = _plain()
    COMMENT_PREFIX, file_name = lazy["COMMENT_PREFIX"], lazy["file_name"]
    at = text.find("$schema=")
    if at < 0:
        return [Problem(rf.rel, 1, 1, "schema-comment",
                        MSG("comment-missing", line=expected), "warning")]
    start = text.rfind("\n", 0, at) + 1
    end = text.find("\n", at)
    line_text = text[start:end if end >= 0 else len(text)].strip()
    found = line_text[line_text.find("$schema=") + len("$schema="):].split()[0] \
        if "$schema=" in line_text else ""
    want = expected[len(COMMENT_PREFIX):]
    ok = found == want if in_tree else found.endswith("/" + file_name(rf.kind))
    if ok and line_text.startswith("#"):
        return []
    line = text.count("\n", 0, at) + 1
    col = at - start + 1
    return [Problem(rf.rel, line, col, "schema-comment",
                    MSG("comment-wrong", found=found or "?", expected=want), "warning")]


def _first_key(doc: Any) -> tuple[int, int]:
    return doc.first_key()  # type: ignore[no-any-return]


def _value_pos(doc: Any, loc: tuple[str | int, ...]) -> tuple[int, int]:
    return doc.value(loc)  # type: ignore[no-any-return]


def _key_pos(doc: Any, loc: tuple[str | int, ...]) -> tuple[int, int]:
    return doc.key(loc)  # type: ignore[no-any-return]


def _short(value: Any) -> str:
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 40 else text[:37] + "..."


_PATTERNS = (
    ("^[a-z0-9][a-z0-9-]*$", "code"),
    ("^[a-z][a-z0-9-]{1,29}$", "location-id"),
    ("^f[", "family-id"),
    ("^v[", "volunteer-id"),
    ("^[fvt][", "record-id"),
    ("^[12][0-9]{3}-", "month"),
    ("^[a-z]{2,3}$", "language"),
    ("^(mon|", "half-day"),
)


def _what(err: Any) -> str:
    """A short description of what is wrong with a value, for a coordinator."""
    typ = err["type"]
    ctx = err.get("ctx") or {}
    inp = err.get("input")
    if inp is None and typ not in ("missing", "extra_forbidden"):
        return MSG("empty")
    if typ == "string_type":
        if isinstance(inp, int | float | bool):
            return MSG("text-quotes")
        return MSG("text")
    if typ == "string_too_short":
        return MSG("too-short-text")
    if typ == "string_too_long":
        return MSG("too-long", n=ctx.get("max_length", "?"))
    if typ == "string_pattern_mismatch":
        pattern = str(ctx.get("pattern", ""))
        for name in ("Text", "Note"):
            if pattern == TYPES[name].pattern and isinstance(inp, str):
                return MSG("text-" + (text_fault(inp, name) or "blank"))
        for start, key in _PATTERNS:
            if pattern.startswith(start):
                return MSG(key)
        return MSG("pattern")
    if typ == "too_short":
        return MSG("list-empty", n=ctx.get("min_length", 1))
    if typ == "too_long":
        return MSG("list-long", n=ctx.get("max_length", "?"))
    if typ == "greater_than_equal":
        return MSG("at-least", n=ctx.get("ge"))
    if typ == "less_than_equal":
        return MSG("at-most", n=ctx.get("le"))
    if typ == "greater_than":
        return MSG("more-than", n=ctx.get("gt"))
    if typ == "less_than":
        return MSG("less-than", n=ctx.get("lt"))
    if typ.startswith("int_"):
        return MSG("whole-number")
    if typ.startswith("float_"):
        return MSG("number")
    if typ.startswith("bool_"):
        return MSG("yes-no")
    if typ.startswith("date") or typ.startswith("datetime"):
        return MSG("date")
    if typ == "literal_error":
        values = str(ctx.get("expected", "")).replace("'", "").replace(" or ", ", ")
        return MSG("one-of", values=values)
    if typ == "list_type":
        return MSG("list")
    if typ in ("dict_type", "model_type", "model_attributes_type"):
        return MSG("mapping")
    return MSG("invalid", detail=" ".join(str(err.get("msg", "")).split()))


_FIELDS: dict[str, dict[tuple[str, ...], Field]] = {}


def field_at(kind: str, loc: tuple[str | int, ...]) -> Field | None:
    """The spec's field at a place in a record of ``kind`` (list indexes and mapping keys
    skipped), or None."""
    fields = _FIELDS.get(kind)
    if fields is None:
        fields = _FIELDS[kind] = dict(walk(KINDS[kind].group)) if kind in KINDS else {}
    names = tuple(p for p in loc if isinstance(p, str))
    while names:
        found = fields.get(names)
        if found is not None:
            return found
        names = names[:-1]  # a mapping's key (training: {step: date}) is not a field
    return None


def shown_value(kind: str, loc: tuple[str | int, ...], value: Any) -> bool:
    """Whether a problem at ``loc`` may quote the value found there: the field is not
    personal and the value has the form of the field's type (a date, a number, a code);
    see :func:`hs.records.problems.quotable`."""
    f = field_at(kind, loc)
    if f is None or f.personal:
        return False
    return quotable(value, shape_of(f.type))


def _from_pydantic(rel: str, doc: Any, model: Any, err: Any, data: Any = None,
                   kind: str = "") -> Problem:
    raw_loc = tuple(err["loc"])
    is_key = bool(raw_loc) and raw_loc[-1] == "[key]"
    loc: tuple[str | int, ...] = tuple(p for p in raw_loc if not (
        isinstance(p, str) and (p.startswith("[") or p.startswith("function-"))))
    typ = err["type"]
    # a key is named only when it has the form of a field name or a code (a name typed
    # as a key is not repeated)
    where = _loc_text(tuple(p if isinstance(p, int) or quotable(p, "code") else "?"
                            for p in loc))
    if typ == "extra_forbidden":
        line, col = _key_pos(doc, loc)
        allowed = _expected_fields(model, loc[:-1])
        name = str(loc[-1]) if loc and quotable(loc[-1], "code") else "?"
        near = difflib.get_close_matches(name, allowed, n=1, cutoff=0.6)
        hint = did_you_mean(near[0]) if near else (
            MSG("allowed", names=", ".join(allowed)) if allowed else "")
        return Problem(rel, line, col, "unknown-field", MSG("unknown-field", where=where,
                                                            hint=hint))
    if typ == "missing":
        line, col = _key_pos(doc, loc[:-1]) if len(loc) > 1 else _first_key(doc)
        return Problem(rel, line, col, "missing-field", MSG("missing-field", where=where))
    if typ == "value_error":
        text = str(err.get("msg", ""))
        text = text.removeprefix("Value error, ")
        rule = _RULES.get(text)
        if rule is not None:
            key, field_name = rule
            decision = (err.get("input") or {}).get("decision", "") \
                if isinstance(err.get("input"), dict) else ""
            floc = (*loc, field_name) if field_name else loc
            line, col = _value_pos(doc, floc) if _has(data, floc) else _key_pos(doc, loc)
            return Problem(rel, line, col, "invalid-value",
                           MSG("value", where=_loc_text(floc) or "record",
                               what=MSG(key, decision=decision)))
        line, col = _key_pos(doc, loc)
        return Problem(rel, line, col, "invalid-value",
                       MSG("value", where=where or "record", what=text))
    line, col = _key_pos(doc, loc) if is_key else _value_pos(doc, loc)
    what = _what(err)
    inp = err.get("input")
    if typ != "string_type" and shown_value(kind, loc, inp):
        what += MSG("got", value=_short(inp))
    if len(loc) == 2 and loc[0] == "signals" and isinstance(inp, str):
        what += MSG("signal-code")  # the undated form of an older hs
    return Problem(rel, line, col, "invalid-value", MSG("value", where=where, what=what))


def _has(doc: Any, loc: tuple[str | int, ...]) -> bool:
    node = doc
    for part in loc:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return False
    return True


class Locator:
    """Turns (file, key path) into positions, parsing each file at most once."""

    def __init__(self, root: Path):
        self.root = root
        self.docs: dict[str, Any] = {}

    def problem(self, rel: str, loc: tuple[str | int, ...], code: str, msg: str,
                severity: str = "error", value: bool = True) -> Problem:
        if rel not in self.docs:
            try:
                text = (self.root / rel).read_text(encoding="utf-8")
                self.docs[rel] = _doc(text, checked=True)  # a valid record: read once
            except (OSError, UnicodeDecodeError):
                self.docs[rel] = None
        doc = self.docs[rel]
        if doc is None:
            line, col = 1, 1
        else:
            line, col = _value_pos(doc, loc) if value else _key_pos(doc, loc)
        return Problem(rel, line, col, code, msg, severity)  # type: ignore[arg-type]

    def exists(self, rel: str) -> bool:
        return (self.root / rel).exists()

    def plain(self, rel: str) -> Any:
        """A file's data (None if unreadable): what a merge conflict's message may show."""
        from hs.store.yamlio import YamlIssue, load_plain  # lazy: as _doc

        try:
            return load_plain((self.root / rel).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, YamlIssue):
            return None


def file_problems(root: Any, rels: list[str], strays: list[str] | None = None
                  ) -> list[Problem]:
    """Stray files (``strays``, else looked for) and IDs used by two files (``rels``:
    every record file of the tree, valid or not)."""
    out = [Problem(rel, 1, 1, "stray-file", MSG("stray-file"))
           for rel in (strays if strays is not None else stray_files(root))]
    rels = [rel for rel in rels if rel.count("/") > 1]  # not config.yaml, vocabularies.yaml
    if len({id_of_path(rel) for rel in rels}) == len(rels):
        return out  # no ID twice (the usual case)
    by_id: dict[str, list[str]] = {}
    for rel in rels:
        by_id.setdefault(id_of_path(rel), []).append(rel)
    for rid, found in by_id.items():
        if len(found) > 1:  # the first the listing finds is the ID's file
            first, *others = sorted(found, key=listing_order)
            out.extend(Problem(rel, 1, 1, "duplicate-id",
                               MSG("duplicate-id", id=rid, other=first)) for rel in others)
    return out
