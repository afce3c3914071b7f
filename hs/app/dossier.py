"""``hs dossier ID``: everything held about one family or volunteer, for a subject-access
request: a readable page (Markdown, in the user's language, plain enough to print) and
the same as JSON.

What it holds:

* the record itself, every field, personal values included;
* for a family: its trajectories in full (visits, reviews, notes) and its signals; for a
  volunteer: the trajectories they were assigned to (the assignment only: the rest is the
  family's) and the events they attended;
* the history of every one of those records from git (:mod:`hs.app.history`): when, by
  whom, which field; a personal value in an old revision is not repeated, only that it
  changed (the current one is in the record);
* erased data as erased: a record reduced by retention (``coarsened``) or erased
  (``erased``) says so, and a personal value that cannot be read any more is
  "[erased]".

Personal values are read through ONE function, :func:`personal_values` (today: the plain
values in the file; once values are sealed it is :func:`hs.app.sealing.reveal`). The file
is written readable by its owner only (:mod:`hs.base.private`).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from hs.app.history import Revision, record_history
from hs.app.sealing import reveal
from hs.base.errors import GitError, UsageError
from hs.base.i18n import Catalog, language
from hs.base.private import write_private
from hs.records import spec
from hs.records.index import Index
from hs.records.labels import field_label, key_label, label_of, value_label
from hs.store import gitops
from hs.store.repo import Repo
from hs.store.yamlio import decode, load_plain

MSG = Catalog("app.dossier")

#: Every personal field's path in each kind (list indexes left out): its values are read
#: through :func:`personal_values` and never repeated from an old revision.
PERSONAL_PATHS: dict[str, frozenset[tuple[str, ...]]] = {
    kind: frozenset(path for path, f in spec.walk(k.group) if f.personal)
    for kind, k in spec.KINDS.items()
}


def personal_values(repo: Repo, record_id: str, data: Mapping[str, Any]
                    ) -> dict[str, str | None]:
    """THE one place a dossier reads personal values: each personal field's value by its
    path (``visits[2].note``), opened where this clone holds the key
    (:func:`hs.app.sealing.reveal`), None where it cannot be read (erased, no key)."""
    return reveal(repo, record_id, _kind_of(record_id), data=data)


@dataclass
class Part:
    """One record in the dossier: its fields (personal values as read) and its history."""

    kind: str
    id: str
    path: str
    fields: list[tuple[str, Any]]
    history: list[Revision]
    erased: dt.date | None = None
    coarsened: dt.date | None = None
    #: the fields for people: each field's label path and its value with codes labelled
    shown: list[tuple[str, str]] = field(default_factory=list)
    #: says the history's changes for people (None: as stored, paths and codes)
    labeller: Labeller | None = None


@dataclass
class Dossier:
    kind: str  # family | volunteer
    id: str
    day: dt.date
    record: Part
    trajectories: list[Part] = field(default_factory=list)
    assignments: list[tuple[str, str, dt.date, dt.date | None]] = field(default_factory=list)
    events: list[tuple[str, str, dt.date]] = field(default_factory=list)  # id, kind, date
    signals: list[dict[str, Any]] = field(default_factory=list)
    #: the label of each code the page names outside the fields (a signal's theme, an
    #: assignment's trajectory kind, an event's kind), by (vocabulary, code)
    labels: dict[tuple[str, str], str] = field(default_factory=dict)


_INDEX = re.compile(r"\[\d+\]")


def _bare(path: str) -> tuple[str, ...]:
    return tuple(_INDEX.sub("", path).split("."))


def _kind_of(rid: str) -> str:
    return {k.letter: name for name, k in spec.KINDS.items() if k.letter}.get(rid[:1], "")


#: Every field's path in each kind (list indexes left out), to tell a field from a
#: mapping's key (a training step) when a value is labelled.
FIELD_PATHS: dict[str, frozenset[tuple[str, ...]]] = {
    kind: frozenset(path for path, _ in spec.walk(k.group)) for kind, k in spec.KINDS.items()
}


class Leaf(NamedTuple):
    """One value of a record: its path (``referrals[0].decisions[1].date``), its label
    path for people ("aanmeldingen 1 › beslissingen 2 › datum"), the field it is in (list
    indexes and mapping keys left out) and the mapping holding it."""

    path: str
    label: str
    field: tuple[str, ...]
    parent: Mapping[str, Any]
    value: Any


def _leaves(index: Index, kind: str, data: Any, path: str = "", label: str = "",
            bare: tuple[str, ...] = (), parent: Mapping[str, Any] | None = None
            ) -> Iterator[Leaf]:
    """Every leaf value with its path and label path; an empty list or mapping is left
    out. A list of scalars is one leaf (its value the list)."""
    if isinstance(data, Mapping):
        for k, v in data.items():
            if k == "schema_version" and not path:
                continue
            sub = (*bare, str(k))
            if sub in FIELD_PATHS.get(kind, ()):
                name = field_label(str(k))
            else:  # a mapping's key (a training step, an impact domain)
                name, sub = key_label(index, kind, bare, str(k)), bare
            yield from _leaves(index, kind, v, f"{path}.{k}" if path else str(k),
                               f"{label} › {name}" if label else name, sub, data)
    elif isinstance(data, list) and data and all(isinstance(v, Mapping) for v in data):
        for i, v in enumerate(data):
            yield from _leaves(index, kind, v, f"{path}[{i}]", f"{label} {i + 1}", bare,
                               parent)
    elif isinstance(data, list):
        if data:
            yield Leaf(path, label, bare, parent or {}, data)
    else:
        yield Leaf(path, label, bare, parent or {}, data)


def _plain(value: Any) -> Any:
    """A leaf's value as the JSON holds it (a list of scalars joined)."""
    return ", ".join(str(v) for v in value) if isinstance(value, list) else value


def _readable(index: Index, kind: str, leaf: Leaf) -> str:
    """A leaf's value for people: codes by their label, yes/no, dates as ISO."""
    def one(v: Any) -> str:
        if isinstance(v, bool):
            return MSG("yes") if v else MSG("no")
        if isinstance(v, str):
            return value_label(index, kind, leaf.field, dict(leaf.parent), v)
        return _value(v)

    if isinstance(leaf.value, list):
        return ", ".join(one(v) for v in leaf.value)
    return one(leaf.value)


def _as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)) if value is not None else None
    except ValueError:
        return None


def _part(repo: Repo, kind: str, rid: str, erased: bool = False) -> Part:
    """One record of the dossier; ``erased``: the person it is about is erased (a value
    that cannot be opened then says so, else that this laptop lacks the key)."""
    rel = repo.index.paths[rid]
    data = load_plain(decode((repo.root / rel).read_bytes()))
    data = data if isinstance(data, dict) else {}
    revealed = personal_values(repo, rid, data)
    gone = MSG("erased") if erased or data.get("erased") is not None else MSG("sealed")
    fields: list[tuple[str, Any]] = []
    shown: list[tuple[str, str]] = []
    for leaf in _leaves(repo.index, kind, data):
        if _bare(leaf.path) in PERSONAL_PATHS[kind]:
            value = revealed.get(leaf.path)
            value = value if value is not None else gone
            fields.append((leaf.path, value))
            shown.append((leaf.label, _value(value)))
        else:
            fields.append((leaf.path, _plain(leaf.value)))
            shown.append((leaf.label, _readable(repo.index, kind, leaf)))
    return Part(kind, rid, rel, fields, record_history(repo.root, rel),
                _as_date(data.get("erased")), _as_date(data.get("coarsened")), shown,
                Labeller(repo.index, kind))


def build(repo: Repo, prefix: str, day: dt.date) -> Dossier:
    """Everything held about the family or volunteer ``prefix`` (an ID or unique prefix)."""
    kind, rid = repo.resolve(prefix)
    if kind not in ("family", "volunteer"):
        raise UsageError(MSG("not-person", id=rid))
    index = repo.index
    subject = _part(repo, kind, rid)
    out = Dossier(kind, rid, day, subject)
    if kind == "family":
        for t in index.trajectories_of(rid):
            out.trajectories.append(_part(repo, "trajectory", t.id,
                                          erased=subject.erased is not None))
        data = load_plain(decode((repo.root / out.record.path).read_bytes()))
        out.signals = [{k: v for k, v in s.items() if k != "note"}  # notes: the record's
                       for s in (data.get("signals") or [])
                       if isinstance(s, Mapping)]
    else:
        for t in index.trajectories_with(rid):
            for a in t.assignments:
                if a.volunteer == rid:
                    out.assignments.append((t.id, t.kind, a.start, a.end))
        for e in index.events.values():
            if rid in e.attendees:
                out.events.append((e.id, e.kind, e.date))
        out.events.sort(key=lambda x: (x[2], x[0]))
    lang = language()
    codes = [("signal_themes", str(sig.get("theme"))) for sig in out.signals]
    codes += [("trajectory_kinds", kind) for _, kind, _, _ in out.assignments]
    codes += [("event_kinds", kind) for _, kind, _ in out.events]
    for vocab, code in codes:
        out.labels[vocab, code] = label_of(index, vocab, code, lang)
    return out


# --- the page and the JSON -----------------------------------------------------------------


def _value(value: Any) -> str:
    if value is None:
        return MSG("removed")
    text = value.isoformat() if isinstance(value, dt.date) else str(value)
    return text.replace("\n", " / ")


class _Personal:
    """Stands for a personal value of an old revision (never repeated)."""

    def __repr__(self) -> str:
        return MSG("personal-changed")


PERSONAL = _Personal()


def redacted(kind: str, path: str, value: Any) -> Any:
    """A value of an old revision at ``path`` with every personal value in it replaced by
    :data:`PERSONAL` (a visit added holds its note)."""
    if value is None:
        return None
    if _bare(path.replace("[+]", "[0]")) in PERSONAL_PATHS[kind]:
        return PERSONAL
    if isinstance(value, Mapping):
        return {k: redacted(kind, f"{path}.{k}", v) for k, v in value.items()}
    if isinstance(value, list):
        return [redacted(kind, f"{path}[{i}]", v) for i, v in enumerate(value)]
    return value


def _shown(value: Any) -> str:
    if value is PERSONAL:
        return MSG("personal-changed")
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k}: {_shown(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_shown(v) for v in value) + "]"
    return _value(value)


_STEP = re.compile(r"([^.\[]+)((?:\[[^\]]*\])*)")


class Labeller:
    """A change of the history for people: its field path by the fields' labels
    (``referrals[0].decisions[+]`` -> "aanmeldingen 1 › beslissingen (nieuw)") and its values
    with each key and code by its label, as the record's fields are shown."""

    def __init__(self, index: Index, kind: str):
        self.index, self.kind = index, kind

    def _steps(self, path: str) -> list[tuple[str, str]]:
        return [(m[1], m[2]) for m in _STEP.finditer(path)]

    def path(self, path: str) -> str:
        out: list[str] = []
        bare: tuple[str, ...] = ()
        for name, marks in self._steps(path):
            sub = (*bare, name)
            if sub in FIELD_PATHS.get(self.kind, ()):
                label, bare = field_label(name), sub
            else:
                label = key_label(self.index, self.kind, bare, name)
            for mark in re.findall(r"\[([^\]]*)\]", marks):
                label += (f" {int(mark) + 1}" if mark.isdigit() else
                          f" {MSG('added')}" if mark == "+" else f" {mark}")
            out.append(label)
        return " › ".join(out) if out else path

    def bare(self, path: str) -> tuple[str, ...]:
        bare: tuple[str, ...] = ()
        for name, _ in self._steps(path):
            if (*bare, name) in FIELD_PATHS.get(self.kind, ()):
                bare = (*bare, name)
        return bare

    def shown(self, value: Any, bare: tuple[str, ...],
              parent: Mapping[str, Any] | None = None) -> str:
        if value is PERSONAL:
            return MSG("personal-changed")
        if isinstance(value, Mapping):
            parts = []
            for k, v in value.items():
                sub = (*bare, str(k))
                if sub in FIELD_PATHS.get(self.kind, ()):
                    parts.append(f"{field_label(str(k))}: {self.shown(v, sub, value)}")
                else:
                    name = key_label(self.index, self.kind, bare, str(k))
                    parts.append(f"{name}: {self.shown(v, bare, value)}")
            return "{" + ", ".join(parts) + "}"
        if isinstance(value, list):
            return "[" + ", ".join(self.shown(v, bare, parent) for v in value) + "]"
        if isinstance(value, bool):
            return MSG("yes") if value else MSG("no")
        if isinstance(value, str):
            return value_label(self.index, self.kind, bare, dict(parent or {}), value)
        return _value(value)


def _history_lines(part: Part) -> list[str]:
    lines: list[str] = []
    say = part.labeller
    for rev in part.history:
        subject = rev.subject if rev.commit else MSG("uncommitted")
        lines.append("- " + MSG("by", date=rev.date.isoformat(), author=rev.author or "-",
                                subject=subject))
        for c in rev.changes:
            old = redacted(part.kind, c.field, c.old)
            new = redacted(part.kind, c.field, c.new)
            if say is None:
                before = f"{_shown(old)} → " if old is not None else ""
                lines.append(f"  - `{c.field}`: {before}{_shown(new)}")
                continue
            bare = say.bare(c.field)
            before = f"{say.shown(old, bare)} → " if old is not None else ""
            after = say.shown(new, bare) if new is not None else MSG("removed")
            lines.append(f"  - {say.path(c.field)}: {before}{after}")
    return lines


def _part_lines(part: Part) -> list[str]:
    lines: list[str] = []
    if part.erased is not None:
        lines += [MSG("erased-record", day=part.erased.isoformat()), ""]
    if part.coarsened is not None:
        lines += [MSG("coarsened-record", day=part.coarsened.isoformat()), ""]
    lines += [f"- {label}: {value}" for label, value in part.shown]
    return lines


def markdown(d: Dossier) -> str:
    """The dossier as a page (Markdown: headings and lists, readable as it is, printed)."""
    lines = [f"# {MSG(f'title.{d.kind}', id=d.id)}", "",
             MSG("made", day=d.day.isoformat()), "", f"## {MSG('s.record')}", ""]
    lines += _part_lines(d.record)
    if d.kind == "family":
        lines += ["", f"## {MSG('s.signals')}", ""]
        lines += [f"- {_value(s.get('date'))}: "
                  f"{d.labels.get(('signal_themes', str(s.get('theme'))), s.get('theme'))}"
                  for s in d.signals] or [
            MSG("none")]
        lines += ["", f"## {MSG('s.trajectories')}", ""]
        if not d.trajectories:
            lines.append(MSG("none"))
        for t in d.trajectories:
            lines += [f"### {MSG('trajectory', id=t.id)}", "", *_part_lines(t), ""]
    else:
        lines += ["", f"## {MSG('s.assignments')}", ""]
        lines += [f"- {tid} ({d.labels.get(('trajectory_kinds', tkind), tkind)}): " + MSG(
            "assignment", start=start.isoformat(),
            end=end.isoformat() if end else MSG("open-end"))
            for tid, tkind, start, end in d.assignments] or [MSG("none")]
        lines += ["", f"## {MSG('s.events')}", ""]
        lines += ["- " + MSG("event", date=date.isoformat(),
                             kind=d.labels.get(("event_kinds", kind), kind), id=eid)
                  for eid, kind, date in d.events] or [MSG("none")]
    lines += ["", f"## {MSG('s.history')}", ""]
    for part in (d.record, *d.trajectories):
        lines += [f"### {part.id}", "", *_history_lines(part), ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def _json_value(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_value(v) for v in value]
    return value


def _json_history(kind: str, value: Any) -> Any:
    if value is PERSONAL:
        return {"personal": True}
    if isinstance(value, Mapping):
        return {str(k): _json_history(kind, v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_history(kind, v) for v in value]
    return _json_value(value)


def _json_part(part: Part) -> dict[str, Any]:
    return {
        "kind": part.kind, "id": part.id, "file": part.path,
        "erased": _json_value(part.erased), "coarsened": _json_value(part.coarsened),
        "fields": {path: _json_value(v) for path, v in part.fields},
        "history": [{
            "commit": rev.commit, "date": rev.date.isoformat(), "author": rev.author,
            "subject": rev.subject, "state": rev.state,
            "changes": [{"field": c.field,
                         "old": _json_history(part.kind, redacted(part.kind, c.field, c.old)),
                         "new": _json_history(part.kind, redacted(part.kind, c.field, c.new))}
                        for c in rev.changes],
        } for rev in part.history],
    }


def as_json(d: Dossier) -> dict[str, Any]:
    out: dict[str, Any] = {"kind": d.kind, "id": d.id, "made": d.day.isoformat(),
                           "language": language(), "record": _json_part(d.record)}
    if d.kind == "family":
        out["signals"] = _json_value(d.signals)
        out["trajectories"] = [_json_part(t) for t in d.trajectories]
    else:
        out["assignments"] = [{"trajectory": t, "kind": k, "start": s.isoformat(),
                               "end": e.isoformat() if e else None}
                              for t, k, s, e in d.assignments]
        out["events"] = [{"event": i, "kind": k, "date": dd.isoformat()}
                         for i, k, dd in d.events]
    return out


def work_tree(root: Path) -> Path:
    """The folder git would pick files up from: the work tree holding ``root`` (the
    repository's root itself where it is not in git)."""
    try:
        proc = gitops.run(root, "rev-parse", "--show-toplevel", check=False)
    except GitError:  # no git installed: the repository's root
        return root.resolve()
    top = proc.stdout.decode("utf-8", "surrogateescape").strip() \
        if proc.returncode == 0 else ""
    return Path(top).resolve() if top else root.resolve()


def _inside(path: Path, folder: Path) -> bool:
    path = path.resolve()
    return path == folder or folder in path.parents


def target(root: Path, out: Path | None, rid: str, here: Path | None = None) -> Path:
    """Where the dossier of ``rid`` goes: ``out``, or ``dossier-ID.md`` in the current
    folder; never inside the repository's work tree, where one ``git add .`` would
    commit a name (a :class:`UsageError` saying to give --out outside it)."""
    top = work_tree(root)
    if out is not None:
        if _inside(out, top):
            raise UsageError(MSG("out-inside"))
        return out
    folder = here if here is not None else Path.cwd()
    if _inside(folder, top):
        raise UsageError(MSG("here-inside"))
    return folder / f"dossier-{rid}.md"


def write(d: Dossier, out: Path) -> tuple[Path, Path]:
    """Write the page to ``out`` (``.md``) and the JSON beside it (``.json``), both
    readable by their owner only; the two paths."""
    page = out if out.suffix else out.with_suffix(".md")
    data = page.with_suffix(".json")
    if data == page:
        data = page.with_name(page.name + ".json")
    write_private(page, markdown(d).encode("utf-8"))
    write_private(data, (json.dumps(as_json(d), ensure_ascii=False, indent=2) + "\n")
                  .encode("utf-8"))
    return page, data
