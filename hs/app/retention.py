"""``hs retention``: the records whose retention period is over, and ``--apply``.

What is due and the rule that applies come from :mod:`hs.rules.retention`. Applying it to
a family or a volunteer:

1. checks that the reduced records pass ``hs validate`` (else nothing happens);
2. erases it (as ``hs erase`` does, :mod:`hs.app.erase`: marked ``erased``, and in a
   sealed repository its key is destroyed, so its sealed values are unreadable in every
   revision);
3. reduces its record, and for a family the records of its trajectories, to what the
   spec keeps (:attr:`hs.records.spec.Field.retention`: personal and identifying fields
   dropped, some dates coarsened to the first of their month) and marks it
   ``coarsened``: one commit for every record due, with no personal data in its message.

The figures of past years need only what is kept, so ``hs kpi`` for a past year gives the
same figures before and after (tested).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import MutableMapping, MutableSequence, Sequence
from dataclasses import replace
from typing import Any

from hs.app import erase as erasing
from hs.app import workflow
from hs.base.i18n import Catalog
from hs.records.index import Index
from hs.rules import retention
from hs.rules.retention import Retention
from hs.store.repo import Repo

MSG = Catalog("app.retention")

def due(index: Index, day: dt.date, location: str | None = None) -> list[Retention]:
    """The families and volunteers whose retention is over on ``day``, by due date."""
    return retention.due_records(index, day, location)


def _coarsen_in_place(node: Any) -> Any:
    """A value with every date in it coarsened, keeping a round-trip node (and so its
    comments) where it is a mapping or a list."""
    if isinstance(node, MutableMapping):
        for key in list(node):
            node[key] = _coarsen_in_place(node[key])
        return node
    if isinstance(node, MutableSequence) and not isinstance(node, str):
        for i, item in enumerate(node):
            node[i] = _coarsen_in_place(item)
        return node
    return retention.coarsen_date(node)


def _reduce_doc(kind: str, doc: Any) -> bool:
    """Apply the spec's retention to a round-trip document in place; True if it changed."""
    changed = False
    for path, action in retention.changes(kind, doc):
        parent = doc
        for part in path[:-1]:
            parent = parent[part]
        key = path[-1]
        if action == "drop":
            del parent[key]
            changed = True
        else:
            before = repr(parent[key])
            parent[key] = _coarsen_in_place(parent[key])
            changed = changed or repr(parent[key]) != before
    return changed


def plan_reduce(p: workflow.Plan, ids: Sequence[str], day: dt.date) -> workflow.Change:
    """Reduce each family or volunteer of ``ids`` (and a family's trajectories) to what
    retention keeps, marked ``coarsened`` on ``day``."""
    records: list[str] = []
    for rid in ids:
        kind = "family" if rid.startswith("f") else "volunteer"
        row = p.family(rid) if kind == "family" else p.volunteer(rid)
        doc = p.edit(kind, row.id)  # type: ignore[arg-type]
        _reduce_doc(kind, doc)
        workflow._set(doc, "coarsened", day, workflow._order(kind))
        p.put(kind, row.id, doc)  # type: ignore[arg-type]
        records.append(row.id)
        if kind == "family":
            for t in p.index.trajectories_of(row.id):
                tdoc = p.edit("trajectory", t.id)
                if _reduce_doc("trajectory", tdoc):
                    p.put("trajectory", t.id, tdoc)
    n = len(records)
    return workflow.Change("retention.apply", MSG("applied", n=n),
                           MSG("applied", n=n), tuple(records), day,
                           list(p.files.values()), list(p.warnings))


def apply(repo: Repo, day: dt.date, *, location: str | None = None
          ) -> workflow.Outcome | None:
    """Erase and reduce every record due on ``day``, in one commit (None: nothing was
    due). The reduced records are checked first: a record that would not pass means
    nothing is erased. The keys are destroyed only then, before the files are written
    (:func:`hs.app.erase.destroy_keys`)."""
    items = due(repo.index, day, location)
    if not items:
        return None
    ids = [r.record for r in items]
    with repo.lock():
        p = workflow.Plan(repo)
        erasing.plan_erase(p, ids, day)
        change = plan_reduce(p, ids, day)
        warnings = workflow.recheck(p)
        erasing.destroy_keys(p, ids)
        change.warnings.extend(w for w in warnings if w not in change.warnings)
        change = replace(change, extra=(("Hs-Reason", "retention"),))
        return workflow.apply(p, change, checked=True)


# --- consent -------------------------------------------------------------------------------


def plan_consent(p: workflow.Plan, kind: str, prefix: str, day: dt.date) -> workflow.Change:
    """Record the day a family or volunteer was informed and agreed (``consent``)."""
    workflow._not_future(day)
    row = p.family(prefix) if kind == "family" else p.volunteer(prefix)
    doc = p.edit(kind, row.id)  # type: ignore[arg-type]
    workflow._set(doc, "consent", day, workflow._order(kind))
    p.put(kind, row.id, doc)  # type: ignore[arg-type]
    key = f"consent.{kind}"
    return workflow.Change(f"{kind}.consent", MSG(key, id=row.id, date=day),
                           MSG(key, id=row.id, date=day), (row.id,), day,
                           list(p.files.values()), list(p.warnings))


def record_consent(repo: Repo, kind: str, prefix: str, day: dt.date, *,
                   commit: bool = True) -> workflow.Outcome:
    return workflow.run(repo, lambda p: plan_consent(p, kind, prefix, day), commit)
