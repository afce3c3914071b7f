"""Validation: the checks behind ``hs validate``, in tiers like hledger's ``check``.

1. file: size, encoding, control characters, YAML syntax, duplicate keys, anchors, aliases,
   tags, several documents (:mod:`hs.yamlio`);
2. schema: the file's model (missing, unknown and wrong fields, with "did you mean"), the
   file name as an ID (:func:`schema_problems`);
3. tree: references, duplicate IDs, vocabulary codes, dates in order, lifecycle rules
   across records (:func:`tree_problems`).

Every problem carries the file and a 1-based line and column of the key or value at fault.
"""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING, Any

from hs.problems import Problem

if TYPE_CHECKING:
    from hs.store import RecordFile


def _doc(text: str) -> Any:
    from hs.yamlio import YamlIssue, load_document

    try:
        return load_document(text)
    except YamlIssue:
        return None


def _expected_fields(model: Any, loc: tuple[str | int, ...]) -> list[str]:
    """Field names allowed at ``loc`` (for 'did you mean')."""
    from typing import get_args, get_origin

    from pydantic import BaseModel

    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        if isinstance(current, type) and issubclass(current, BaseModel):
            info = current.model_fields.get(part)
            if info is None:
                return []
            current = info.annotation
        # unwrap list[X], X | None
        changed = True
        while changed:
            changed = False
            origin = get_origin(current)
            if origin is not None:
                args = [a for a in get_args(current) if a is not type(None)]
                models = [a for a in args if isinstance(a, type) and issubclass(a, BaseModel)]
                if models:
                    current = models[0]
                    changed = True
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    return []


def _loc_text(loc: tuple[str | int, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def schema_problems(rf: RecordFile, text: str, data: Any) -> list[Problem]:
    """Problems of one parsed file against its model; [] if it is valid."""
    from pydantic import ValidationError

    from hs.ids import is_valid_id
    from hs.models import MODELS

    problems: list[Problem] = []
    if rf.kind in ("location", "family", "volunteer", "trajectory") and not is_valid_id(
            rf.kind, rf.id):  # type: ignore[arg-type]
        problems.append(Problem(rf.rel, 1, 1, "bad-id",
                                f"file name '{rf.id}' is not a valid {rf.kind} ID"))
    if not isinstance(data, dict):
        problems.append(Problem(rf.rel, 1, 1, "not-a-mapping",
                                "a record file must be a mapping of fields (key: value)"))
        return problems
    model = MODELS[rf.kind]
    version = data.get("schema_version")
    if version is None:
        problems.append(Problem(rf.rel, 1, 1, "schema-version",
                                "schema_version is missing (this hs writes 1)"))
        return problems
    if version != 1:
        doc = _doc(text)
        line, col = _value_pos(doc, ("schema_version",))
        problems.append(Problem(rf.rel, line, col, "schema-version",
                                f"schema_version {version!r} is not supported "
                                "(this hs reads 1)"))
        return problems
    try:
        model.model_validate(data)
    except ValidationError as exc:
        doc = _doc(text)
        for err in exc.errors(include_url=False):
            problems.append(_from_pydantic(rf.rel, doc, model, err))
    return problems


def _value_pos(doc: Any, loc: tuple[str | int, ...]) -> tuple[int, int]:
    from hs.yamlio import value_position

    return value_position(doc, loc) if doc is not None else (1, 1)


def _key_pos(doc: Any, loc: tuple[str | int, ...]) -> tuple[int, int]:
    from hs.yamlio import position

    return position(doc, loc) if doc is not None else (1, 1)


def _from_pydantic(rel: str, doc: Any, model: Any, err: Any) -> Problem:
    loc: tuple[str | int, ...] = tuple(p for p in err["loc"] if not (
        isinstance(p, str) and ("[" in p or p.startswith("function-"))))
    typ = err["type"]
    where = _loc_text(loc)
    if typ == "extra_forbidden":
        line, col = _key_pos(doc, loc)
        allowed = _expected_fields(model, loc[:-1])
        name = str(loc[-1]) if loc else "?"
        near = difflib.get_close_matches(name, allowed, n=1, cutoff=0.6)
        hint = f"; did you mean '{near[0]}'?" if near else (
            f"; allowed here: {', '.join(allowed)}" if allowed else "")
        return Problem(rel, line, col, "unknown-field", f"unknown field '{where}'{hint}")
    if typ == "missing":
        line, col = _key_pos(doc, loc[:-1]) if len(loc) > 1 else (1, 1)
        return Problem(rel, line, col, "missing-field", f"required field '{where}' is missing")
    line, col = _value_pos(doc, loc)
    msg = str(err["msg"])
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, "):]
    inp = err.get("input")
    shown = ""
    if isinstance(inp, str | int | float | bool) and not isinstance(inp, dict):
        text = str(inp)
        shown = f" (got {text[:40]!r})" if len(text) <= 40 else ""
    if typ == "string_type" and isinstance(inp, int) and not isinstance(inp, bool):
        msg += "; write it in quotes to keep it as text (and any leading zero)"
    code = "invalid-value" if where else "invalid-record"
    return Problem(rel, line, col, code, f"{where or 'record'}: {msg}{shown}")


# --- tier 3: across records --------------------------------------------------------------


class _Located:
    """Turns (file, key path) into positions, parsing each file at most once."""

    def __init__(self, root: Any):
        self.root = root
        self.docs: dict[str, Any] = {}

    def problem(self, rel: str, loc: tuple[str | int, ...], code: str, msg: str,
                severity: str = "error", value: bool = True) -> Problem:
        if rel not in self.docs:
            try:
                text = (self.root / rel).read_text(encoding="utf-8")
                self.docs[rel] = _doc(text)
            except OSError:
                self.docs[rel] = None
        doc = self.docs[rel]
        line, col = _value_pos(doc, loc) if value else _key_pos(doc, loc)
        return Problem(rel, line, col, code, msg, severity)  # type: ignore[arg-type]


def _suggest(code: str, valid: list[str]) -> str:
    near = difflib.get_close_matches(code, valid, n=1, cutoff=0.5)
    return f"; did you mean '{near[0]}'?" if near else f"; valid: {', '.join(valid)}"


def tree_problems(root: Any, files: list[RecordFile], index: Any) -> list[Problem]:
    """Problems that need more than one record: run on the valid records of the tree."""
    from hs.lifecycle import tree_rules

    at = _Located(root)
    out: list[Problem] = []
    # duplicate IDs (same file name twice in the records tree)
    seen: dict[str, str] = {}
    for rf in files:
        if rf.kind in ("config", "vocabularies"):
            continue
        if rf.id in seen:
            out.append(Problem(rf.rel, 1, 1, "duplicate-id",
                               f"ID '{rf.id}' is also used by {seen[rf.id]}"))
        else:
            seen[rf.id] = rf.rel
    if not index.vocabularies:
        out.append(Problem("records/vocabularies.yaml", 1, 1, "missing-file",
                           "records/vocabularies.yaml is missing or invalid"))
        return out
    out.extend(_code_problems(at, index))
    out.extend(tree_rules(at, index))
    # a reference to a file that is itself invalid is reported there, not here
    broken = {rel.rsplit("/", 1)[-1].rsplit(".", 1)[0] for rel in index.invalid}
    return [p for p in out if not (p.code == "dangling-reference" and any(
        f"'{b}'" in p.message for b in broken))]


def _code_problems(at: _Located, index: Any) -> list[Problem]:
    voc = index.vocabularies
    out: list[Problem] = []

    def check(rel: str, loc: tuple[str | int, ...], vocab: str, code: str | None,
              key: bool = False) -> None:
        if code is None:
            return
        valid = list(voc.get(vocab, {}))
        if code not in valid:
            out.append(at.problem(rel, loc, "unknown-code",
                                  f"'{code}' is not a code of {vocab}{_suggest(code, valid)}",
                                  value=not key))

    for v in voc.values():
        if isinstance(v, dict) and v and "other" not in v:
            pass  # 'other' is recommended, not required
    for f in index.families.values():
        rel = index.paths[f.id]
        if f.location not in index.locations:
            out.append(at.problem(rel, ("location",), "dangling-reference",
                                  f"location '{f.location}' does not exist"))
        for i, r in enumerate(f.referrals):
            check(rel, ("referrals", i, "referrer"), "referrers", r.referrer)
            for j, d in enumerate(r.decisions):
                if d.decision == "refused":
                    check(rel, ("referrals", i, "decisions", j, "reason"), "refusal_reasons",
                          d.reason)
                elif d.decision == "withdrawn":
                    check(rel, ("referrals", i, "decisions", j, "reason"),
                          "withdrawal_reasons", d.reason)
        for i, flag in enumerate(f.flags):
            check(rel, ("flags", i), "profile_flags", flag)
        for i, s in enumerate(f.signals):
            check(rel, ("signals", i), "signal_themes", s)
    for v in index.volunteers.values():
        rel = index.paths[v.id]
        if v.location not in index.locations:
            out.append(at.problem(rel, ("location",), "dangling-reference",
                                  f"location '{v.location}' does not exist"))
        for i, p in enumerate(v.periods):
            check(rel, ("active", i, "stop_reason"), "stop_reasons", p.stop_reason)
        for i, pref in enumerate(v.preferences):
            check(rel, ("preferences", i), "volunteer_preferences", pref)
        for step in v.training:
            check(rel, ("training", step), "training_steps", step, key=True)
    for t in index.trajectories.values():
        rel = index.paths[t.id]
        check(rel, ("close_reason",), "close_reasons", t.close_reason)
        for part in ("start", "end"):
            scores = t.impact_start if part == "start" else t.impact_end
            for dom in scores:
                check(rel, ("impact", part, dom), "impact_domains", dom, key=True)
    return out
