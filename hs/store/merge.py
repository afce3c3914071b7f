"""A three-way merge of one record file that knows what a record is.

Two laptops change the same record apart (a visit logged on each, a note mended on one, a
trajectory closed on the other); git's line merge then conflicts, and leaves markers that
break the file. :func:`merge_record` merges the *data* instead, as the record spec
(:mod:`hs.records.spec`) describes it:

* a mapping (the record, a household, a visit, the training steps) merges key by key;
* a list of entries whose group declares an identity (``key=`` in the spec: a visit by its
  date, a review by date and kind, an assignment by volunteer and start...) merges as a
  union on that identity: the same entry on both sides is one entry, merged field by
  field; an entry added on either side is kept; an entry removed on one side and left
  alone on the other is removed. The n-th entry with the same identity (two visits on one
  day) is its own entry;
* a list of plain values without repeats (languages, flags, half-days) merges as a set;
* anything else is one value: the side that changed it wins.

A field given two different values (or an entry removed on one side and changed on the
other) is a *true conflict*: the file keeps one value (ours), and the record's
``conflicts`` list (declared in the spec) keeps both, numbered, with the author and date of
the commit that gave each, until ``hs resolve`` settles it. No conflict markers, ever.

The text is ours, edited: every part whose data did not change keeps its lines, comments
and layout (:func:`hs.store.splice.splice`). A pure function of the three texts; git is
:mod:`hs.store.mergedriver`'s business.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hs.records import spec
from hs.store.splice import splice
from hs.store.yamlio import YamlIssue, load_document, load_plain, to_document


class Unmergeable(Exception):
    """The texts cannot be merged by record (not a mapping, a conflict in a file that
    cannot hold one): git's own merge must do."""


@dataclass(frozen=True)
class Side:
    """Who gave one side's values: the author and ISO date of its last commit."""

    author: str
    date: str


@dataclass
class Merged:
    """The merged text and the fields newly in conflict (paths as ``hs resolve`` takes
    them)."""

    text: str
    conflicts: list[str] = field(default_factory=list)


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()  # a key or entry that is not there

_GROUPS = {g.name: g for g in (*spec.GROUPS, *(k.group for k in spec.KINDS.values()))}
CONFLICTS = "conflicts"


def merge_record(base: str | None, ours: str, theirs: str, kind: str | None,
                 ours_by: Side, theirs_by: Side) -> Merged:
    """Merge ``ours`` and ``theirs``, two edits of ``base`` (None: both added the file),
    as a record of ``kind`` (None: a file without a spec, such as the config, which
    cannot keep a conflict). Raises :class:`Unmergeable`."""
    try:
        b = {} if not base else load_plain(base)
        o = load_plain(ours)
        t = load_plain(theirs)
    except YamlIssue:
        raise Unmergeable("unreadable") from None
    if not (isinstance(b, dict) and isinstance(o, dict) and isinstance(t, dict)):
        raise Unmergeable("not a mapping")
    if o == t or t == b:
        return Merged(ours)
    if o == b:
        return Merged(theirs)
    group = spec.KINDS[kind].group if kind in spec.KINDS else None
    found: list[tuple[str, Any, Any]] = []
    merged = merge_data(b, o, t, group, found)
    if found:
        if group is None:
            raise Unmergeable("conflict")
        add_conflicts(merged, found, ours_by, theirs_by)
    return Merged(_text(ours, merged), [path for path, _, _ in found])


def merge_data(b: Any, o: Any, t: Any, group: spec.Group | None,
               found: list[tuple[str, Any, Any]]) -> Any:
    """The merge of a record's data (``found`` gets each conflict: path, ours, theirs)."""
    return _value(b, o, t, group, "", found)


def _text(ours: str, merged: dict[str, Any]) -> str:
    try:
        old_doc = load_document(ours)
    except YamlIssue:
        raise Unmergeable("unreadable") from None
    return splice(ours, to_document(merged), old_doc)


def add_conflicts(data: dict[str, Any], found: list[tuple[str, Any, Any]], ours_by: Side,
                  theirs_by: Side) -> None:
    """Keep each conflict in the record's ``conflicts`` list: both values, numbered (the
    first is the one in the file), with author and date; a field in conflict already
    gets the new values after the old ones."""
    kept: list[dict[str, Any]] = list(data.get(CONFLICTS) or [])
    for path, mine, other in found:
        entry = next((c for c in kept if c.get("field") == path), None)
        if entry is None:
            entry = {"field": path, "values": []}
            kept.append(entry)
        for value, by in ((mine, ours_by), (other, theirs_by)):
            item: dict[str, Any] = {}
            if value is not MISSING and value is not None:
                item["value"] = value
            item["author"] = by.author
            item["date"] = by.date
            if item not in entry["values"]:
                entry["values"].append(item)
    data[CONFLICTS] = kept


# --- the merge of values ------------------------------------------------------------------


def _value(b: Any, o: Any, t: Any, group: spec.Group | None, path: str,
           found: list[tuple[str, Any, Any]]) -> Any:
    if o == t or t == b:
        return o
    if o == b:
        return t
    if isinstance(o, dict) and isinstance(t, dict) and (b is MISSING or isinstance(b, dict)):
        return _mapping({} if b is MISSING else b, o, t, group, path, found)
    if isinstance(o, list) and isinstance(t, list) and (b is MISSING or isinstance(b, list)):
        merged = _list([] if b is MISSING else b, o, t, group, path, found)
        if merged is not MISSING:
            return merged
    found.append((path, o, t))
    return o


def _inner_group(group: spec.Group | None, key: str) -> spec.Group | None:
    """The group of a field's values (a nested group, or a list's entries), if any."""
    if group is None:
        return None
    try:
        typ = group.field(key).type
    except KeyError:
        return None
    return _GROUPS.get(typ.removeprefix("list[").removesuffix("]"))


def _order(o: dict[str, Any], t: dict[str, Any]) -> list[str]:
    """Ours' keys in ours' order, with theirs' new keys after the key before them in
    theirs."""
    keys = list(o)
    for i, k in enumerate(t):
        if k in o:
            continue
        before = next((p for p in reversed(list(t)[:i]) if p in keys), None)
        keys.insert(0 if before is None else keys.index(before) + 1, k)
    return keys


def _mapping(b: dict[str, Any], o: dict[str, Any], t: dict[str, Any],
             group: spec.Group | None, path: str, found: list[tuple[str, Any, Any]]
             ) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k in _order(o, t):
        here = f"{path}.{k}" if path else k
        v = _value(b.get(k, MISSING), o.get(k, MISSING), t.get(k, MISSING),
                   _inner_group(group, k), here, found)
        if v is not MISSING:
            out[k] = v
    return out


def _plain_item(v: Any) -> bool:
    return not isinstance(v, dict | list)


def _list(b: list[Any], o: list[Any], t: list[Any], group: spec.Group | None, path: str,
          found: list[tuple[str, Any, Any]]) -> Any:
    """A merged list, or MISSING when the lists must count as one value."""
    if group is not None and group.key:
        if all(isinstance(e, dict) for e in (*b, *o, *t)):
            return _keyed(b, o, t, group, path, found)
        return MISSING
    lists = (b, o, t)
    if all(_plain_item(e) for x in lists for e in x) and all(
            len({_ident_of(e) for e in x}) == len(x) for x in lists):
        base = {_ident_of(e) for e in b}
        mine = {_ident_of(e) for e in o}
        other = {_ident_of(e) for e in t}
        out = [e for e in o if _ident_of(e) in other or _ident_of(e) not in base]
        out += [e for e in t if _ident_of(e) not in mine and _ident_of(e) not in base]
        return out
    return MISSING


def _ident_of(value: Any) -> tuple[str, str]:
    return (type(value).__name__, str(value))


def identities(entries: list[dict[str, Any]], key: tuple[str, ...]
               ) -> list[tuple[tuple[str, ...], int]]:
    """Each entry's identity: its key fields' values, and which of the entries with those
    values it is (0 for the first)."""
    seen: dict[tuple[str, ...], int] = {}
    out = []
    for e in entries:
        ident = tuple("" if e.get(k) is None else str(e.get(k)) for k in key)
        n = seen.get(ident, 0)
        seen[ident] = n + 1
        out.append((ident, n))
    return out


def entry_label(ident: tuple[str, ...], n: int) -> str:
    """How a path names an entry: ``visits[2026-01-05]``, ``reviews[2026-03-01
    six-month]``, the second visit of a day ``visits[2026-01-05#2]``."""
    return " ".join(ident) + (f"#{n + 1}" if n else "")


def _keyed(b: list[dict[str, Any]], o: list[dict[str, Any]], t: list[dict[str, Any]],
           group: spec.Group, path: str, found: list[tuple[str, Any, Any]]
           ) -> list[dict[str, Any]]:
    key = group.key
    bs = dict(zip(identities(b, key), b, strict=True))
    os_ = dict(zip(identities(o, key), o, strict=True))
    ts = dict(zip(identities(t, key), t, strict=True))
    order = list(os_)
    in_order = order == sorted(order)
    for ident in ts:
        if ident in os_:
            continue
        if in_order:
            at = next((i for i, x in enumerate(order) if x > ident), len(order))
            order.insert(at, ident)
        else:
            order.append(ident)
    out = []
    for ident in order:
        v = _value(bs.get(ident, MISSING), os_.get(ident, MISSING), ts.get(ident, MISSING),
                   group, f"{path}[{entry_label(*ident)}]", found)
        if v is not MISSING:
            out.append(v)
    return out


# --- settling a conflict (hs resolve) ----------------------------------------------------


def parse_path(path: str) -> list[str | tuple[str, str]]:
    """A conflict's path as steps: a key, or (list key, entry label)."""
    steps: list[str | tuple[str, str]] = []
    for part in _split(path):
        if "[" in part and part.endswith("]"):
            name, label = part[:-1].split("[", 1)
            steps.append((name, label))
        else:
            steps.append(part)
    return steps


def _split(path: str) -> list[str]:
    parts, depth, cur = [], 0, ""
    for ch in path:
        if ch == "." and depth == 0:
            parts.append(cur)
            cur = ""
            continue
        depth += ch == "["
        depth -= ch == "]"
        cur += ch
    parts.append(cur)
    return parts


def set_at(doc: Any, group: spec.Group, path: str, value: Any,
           make: Callable[[Any], Any]) -> None:
    """Set the field at a conflict's ``path`` in a round-trip document (MISSING: remove
    it, or the entry). ``make`` turns plain data into round-trip nodes."""
    steps = parse_path(path)
    node: Any = doc
    g: spec.Group | None = group
    for i, step in enumerate(steps):
        last = i == len(steps) - 1
        if isinstance(step, tuple):
            name, label = step
            sub = _inner_group(g, name)
            entries = node.get(name) if isinstance(node, dict) else None
            if sub is None or not isinstance(entries, list):
                raise KeyError(path)
            labels = [entry_label(*x) for x in identities(list(entries), sub.key)]
            if last and value is MISSING:
                if label in labels:
                    del entries[labels.index(label)]
                return
            if label not in labels:
                if not last:
                    raise KeyError(path)
                entries.append(make(value))
                return
            if last:
                entries[labels.index(label)] = make(value)
                return
            node, g = entries[labels.index(label)], sub
            continue
        if not isinstance(node, dict):
            raise KeyError(path)
        if last:
            if value is MISSING:
                node.pop(step, None)
            else:
                node[step] = make(value)
            return
        if step not in node:
            node[step] = make({})
        node, g = node[step], _inner_group(g, step)
