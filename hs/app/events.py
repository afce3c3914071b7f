"""Volunteer events and family signals: what `hs event` and `hs signal` do.

An event (info session, start-training module, intervision meeting, online session) is
a record of its own (``records/events/``); attendance is by volunteer ID, plus a count
of people who are not volunteers yet. Attending an event that is a training step (a
start-training module: its step; an info session: the step ``info-session``, see
:func:`hs.rules.events.event_step`) writes the step into the volunteer's ``training`` map
in the same commit: that map stays the one record of the steps a volunteer did. Training
may come before the volunteer's registration, as with ``hs volunteer train``.

A signal is a dated entry of a family record (``signals``). ``hs migrate`` turns the
undated signal codes of older records into dated entries (see :func:`migrate_signals`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from ruamel.yaml.comments import CommentedMap

from hs.app.workflow import (
    Change,
    Outcome,
    Plan,
    _node,
    _order,
    _set,
    apply,
    check_code,
    check_plan,
    run,
    said,
)
from hs.base.errors import HsError, TransitionError, UsageError, WriteRejected
from hs.base.i18n import Catalog
from hs.records.ids import FOLDER
from hs.records.layout import RECORDS
from hs.rules.events import MODULE, attendance_problem, event_step, not_registered_on
from hs.store.repo import Repo, today
from hs.store.yamlio import YamlIssue, load_document

MSG = Catalog("app.events")


def _change(p: Plan, action: str, key: str, records: Sequence[str], on: dt.date | None,
            created: Sequence[str] = (), extra: Sequence[tuple[str, str]] = (),
            **fields: object) -> Change:
    # the commit subject: in the language of the command, its dates ISO (audit text)
    return Change(action, MSG(key, **fields), MSG.plain(key, **fields), tuple(records), on,
                  list(p.files.values()), list(p.warnings), tuple(created), tuple(extra))


def _not_future(day: dt.date) -> None:
    if day > today():
        raise TransitionError(MSG("future-date", day=day, today=today()))


# --- events ------------------------------------------------------------------------------


def plan_add_event(p: Plan, kind: str, day: dt.date, *, location: str | None = None,
                   theme: str | None = None, step: str | None = None,
                   count: int = 0) -> Change:
    """A new event record. ``location`` None: the central office's event."""
    kind = check_code(p.index, "event_kinds", kind)
    if step is not None:
        if kind != MODULE:
            raise UsageError(MSG("step-needs-module"))
        step = check_code(p.index, "training_steps", step)
    elif kind == MODULE:
        raise UsageError(MSG("module-needs-step"))
    if not 0 <= count <= 10000:
        raise UsageError(MSG("bad-count", value=count))
    _not_future(day)
    data: dict[str, Any] = {"schema_version": 1, "kind": kind, "date": day}
    if location is not None:
        data["location"] = p.location(location).id
    if theme:
        data["theme"] = theme
    if step is not None:
        data["step"] = step
    if count:
        data["anonymous"] = count
    rid = p.new_id("event")
    p.create("event", rid, data)
    return _change(p, "event.add", "event.add", [rid], day, created=[rid],
                   extra=[("Hs-Kind", kind)], id=rid, kind=said(p.index, "event_kinds", kind),
                   date=day)


def _event(p: Plan, prefix: str) -> Any:
    return p._row("event", p.resolve("event", prefix))


def _step(p: Plan, ev: Any) -> str | None:
    return event_step(ev.kind, ev.step, p.index.vocabularies.get("training_steps", {}))


def plan_attend(p: Plan, event: str, volunteers: Sequence[str]) -> Change:
    """Volunteers attended an event: one edit of the event (and, for an event that is a
    training step, of each volunteer's training map)."""
    if not volunteers:
        raise UsageError(MSG("no-volunteers"))
    ev = _event(p, event)
    step = _step(p, ev)
    vols: list[Any] = []
    for prefix in volunteers:
        vol = p.volunteer(prefix)
        if vol.id in ev.attendees or vol.id in {v.id for v in vols}:
            raise TransitionError(MSG("already-attended", vol=vol.id, id=ev.id))
        problem = attendance_problem(vol, ev.date, ev.kind, training=step is not None)
        if problem is not None:
            hint = (MSG("registered-fix", id=vol.id)
                    if not_registered_on(vol, ev.date) is not None else None)
            raise TransitionError(MSG("attendance", id=ev.id, message=problem), hint=hint)
        vols.append(vol)
    doc = p.edit("event", ev.id)
    if "attendees" not in doc or not isinstance(doc["attendees"], list):
        _set(doc, "attendees", _node([]), _order("event"))
    for vol in vols:
        doc["attendees"].append(vol.id)
    p.put("event", ev.id, doc)
    if step is not None:
        for vol in vols:
            _train(p, vol, step, ev.date)
    ids = [v.id for v in vols]
    return _change(p, "event.attend", "event.attend", [ev.id, *ids], ev.date, id=ev.id,
                   n=len(ids))


def _train(p: Plan, vol: Any, step: str, day: dt.date) -> None:
    old = vol.training.get(step)
    if old is not None and old != day:
        p.warn(MSG("warn-step-other-date", vol=vol.id,
                   step=said(p.index, "training_steps", step), old=old, date=day))
        return
    if old == day:
        return
    doc = p.edit("volunteer", vol.id)
    if "training" not in doc or not isinstance(doc["training"], dict):
        _set(doc, "training", _node({}), _order("volunteer"))
    doc["training"][step] = _node(day)
    p.put("volunteer", vol.id, doc)


def plan_unattend(p: Plan, event: str, volunteer: str) -> Change:
    """Remove a wrong attendance; a training step the event wrote (same step, same day)
    goes with it."""
    ev = _event(p, event)
    vol = p.volunteer(volunteer)
    if vol.id not in ev.attendees:
        raise TransitionError(MSG("not-attended", vol=vol.id, id=ev.id))
    doc = p.edit("event", ev.id)
    seq = doc["attendees"]
    del seq[[str(x) for x in seq].index(vol.id)]
    if not seq:
        del doc["attendees"]
    p.put("event", ev.id, doc)
    step = _step(p, ev)
    if step is not None and vol.training.get(step) == ev.date:
        vdoc = p.edit("volunteer", vol.id)
        del vdoc["training"][step]
        if not vdoc["training"]:
            del vdoc["training"]
        p.put("volunteer", vol.id, vdoc)
    return _change(p, "event.unattend", "event.unattend", [ev.id, vol.id], ev.date,
                   id=ev.id, vol=vol.id)


def add_event(repo: Repo, kind: str, day: dt.date, *, location: str | None = None,
              theme: str | None = None, step: str | None = None, count: int = 0,
              commit: bool = True) -> Outcome:
    return run(repo, lambda p: plan_add_event(p, kind, day, location=location, theme=theme,
                                              step=step, count=count), commit)


def attend(repo: Repo, event: str, volunteers: Sequence[str], *,
           commit: bool = True) -> Outcome:
    return run(repo, lambda p: plan_attend(p, event, volunteers), commit)


def unattend(repo: Repo, event: str, volunteer: str, *, commit: bool = True) -> Outcome:
    return run(repo, lambda p: plan_unattend(p, event, volunteer), commit)


# --- signals -----------------------------------------------------------------------------


def plan_signal(p: Plan, family: str, theme: str, day: dt.date,
                note: str | None = None) -> Change:
    """A dated signal in a family record, kept in date order."""
    fam = p.family(family)
    theme = check_code(p.index, "signal_themes", theme)
    _not_future(day)
    doc = p.edit("family", fam.id)
    if "signals" not in doc or not isinstance(doc["signals"], list):
        _set(doc, "signals", _node([]), _order("family"))
    entry: dict[str, Any] = {"date": day, "theme": theme}
    if note:
        entry["note"] = note
    seq = doc["signals"]
    pos = len(seq)
    while pos > 0 and isinstance(seq[pos - 1], CommentedMap) and \
            str(seq[pos - 1].get("date", "")) > day.isoformat():
        pos -= 1
    seq.insert(pos, _node(entry))
    p.put("family", fam.id, doc)
    return _change(p, "family.signal", "family.signal", [fam.id], day,
                   extra=[("Hs-Theme", theme)], id=fam.id,
                   theme=said(p.index, "signal_themes", theme), date=day)


def signal(repo: Repo, family: str, theme: str, day: dt.date, note: str | None = None, *,
           commit: bool = True) -> Outcome:
    return run(repo, lambda p: plan_signal(p, family, theme, day, note), commit)


def _referral_date(doc: Any) -> Any:
    """The current referral's date: the last referral's (the spec: the last is current)."""
    refs = doc.get("referrals")
    if isinstance(refs, list) and refs and isinstance(refs[-1], dict):
        return refs[-1].get("date")
    return None


def plan_migrate_signals(p: Plan) -> Change | None:
    """Every family record whose ``signals`` are undated codes: each code becomes an entry
    dated at the family's current referral, marked ``migrated: true``. None if there is
    nothing to migrate."""
    folder = p.repo.root / RECORDS / FOLDER["family"]
    changed: list[str] = []
    for path in sorted(folder.rglob("*.yaml")) if folder.is_dir() else []:
        rel = path.relative_to(p.repo.root).as_posix()
        try:
            doc = load_document(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, YamlIssue):
            raise HsError(MSG("unreadable", path=rel)) from None
        signals = doc.get("signals") if isinstance(doc, dict) else None
        if not isinstance(signals, list) or not any(isinstance(s, str) for s in signals):
            continue
        rid = path.stem
        p.index.paths.setdefault(rid, rel)
        doc = p.edit("family", rid)
        day = _referral_date(doc)
        entries = [{"date": day, "theme": str(s), "migrated": True} if isinstance(s, str)
                   else s for s in doc["signals"]]
        doc["signals"] = _node(entries)  # block style: one entry a few lines
        p.put("family", rid, doc)
        changed.append(rid)
    if not changed:
        return None
    return _change(p, "migrate.signals", "migrate.signals", changed, None, n=len(changed))


def migrate(repo: Repo, *, commit: bool = True) -> Outcome | None:
    """Bring the records to the current form (today: dated signals), one commit.

    Each migrated file must pass its schema; a rule across records that a family now
    breaks (its file was invalid, so nothing checked it) is a warning, not a refusal:
    the migration changes only the form of the signals, and ``hs validate`` says what
    else to mend."""
    with repo.lock():
        p = Plan(repo)
        change = plan_migrate_signals(p)
        if change is None:
            return None
        for q in check_plan(p):
            where = f"{q.rel}:{q.line}" if q.line else q.rel
            if q.line:  # the file itself
                raise WriteRejected(MSG("rejected", path=where, message=q.message))
            change.warnings.append(MSG("warn-rule", path=where, message=q.message))
        return apply(p, change, commit, checked=True)


def nothing_to_migrate() -> str:
    return MSG("migrate.nothing")
