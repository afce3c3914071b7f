"""Erasing a family or volunteer: crypto-shredding, one commit with no personal data.

In a sealed repository a record's personal fields (and its trajectories', sealed with
the family's key) are tokens; erasing destroys the key, so those tokens are unreadable
in every revision on every clone once the key store syncs, without rewriting history.
The record is marked ``erased: DATE`` (a plain field); its plain fields stay, so the
figures of past years count it as before (never "unusable").

In a repository that is not sealed there is no key to destroy: the record's (and its
trajectories') personal values are removed from the current files, and earlier revisions
still hold them (docs/privacy.md says how to convert, and how to rewrite history).

``privacy``'s ``hs retention --apply`` calls :func:`erase` for what is due.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from hs.app.sealing import KEY_KINDS, places
from hs.app.workflow import Change, Outcome, Plan, apply
from hs.base.errors import HsError, UsageError
from hs.base.i18n import Catalog
from hs.records.problems import quotable
from hs.store.repo import Repo, today

MSG = Catalog("app.erase")


class AlreadyErased(HsError):
    """Every record given was erased before: nothing to do (one line, no commit)."""


@dataclass(frozen=True)
class Erased:
    """What :func:`erase` did: the outcome of its commit, the records erased and
    whether keys were destroyed (a sealed repository) or plain values removed."""

    outcome: Outcome
    ids: tuple[str, ...]
    sealed: bool


def erase(store: Repo, ids: Sequence[str], *, reason: str, day: dt.date | None = None,
          commit: bool = True) -> Erased:
    """Erase families and volunteers (IDs or unique prefixes) in one commit: each is
    marked ``erased: DAY``; in a sealed repository its key is destroyed (before the
    files are written: what the user confirmed happens even if the commit then fails,
    and running it again marks the record), else its personal values (and those of its
    trajectories) are removed from the current files. ``reason`` is a code (request,
    retention), written in the commit's trailer.

    A command that erases as part of a larger change (``hs retention --apply``: erase and
    coarsen in one commit) uses :func:`plan_erase` and :func:`destroy_keys` on its own
    plan instead."""
    if not quotable(reason, "code"):
        raise UsageError(MSG("bad-reason"))
    on = day or today()
    with store.lock():
        p = Plan(store)
        done = plan_erase(p, ids, on)
        shown = ", ".join(done)
        if _already(p, done):
            raise AlreadyErased(MSG("already", n=len(done), ids=shown))
        sealed = destroy_keys(p, done)
        summary = MSG("erased", n=len(done), ids=shown)
        change = Change("record.erase", summary, summary, tuple(done), on,
                        list(p.files.values()), [] if sealed else [MSG("plain-left")],
                        extra=(("Hs-Reason", reason),))
        outcome = apply(p, change, commit)
    return Erased(outcome, tuple(done), sealed)


def _already(p: Plan, ids: Sequence[str]) -> bool:
    """Whether erasing ``ids`` would change nothing: every file as it is and, in a sealed
    repository, no key of theirs left to destroy."""
    if p.sealer is not None and any(p.sealer.keys.key(rid) is not None for rid in ids):
        return False
    return all((p.repo.root / f.rel).read_text(encoding="utf-8") == f.text
               for f in p.files.values())


def plan_erase(p: Plan, ids: Sequence[str], on: dt.date) -> list[str]:
    """Into a plan: mark each family or volunteer ``erased: ON`` (a record erased before
    keeps its day) and, in a repository that is not sealed, remove its personal values
    and its trajectories'. The full IDs, in order. Call :func:`destroy_keys` before the
    plan is applied."""
    done: list[str] = []
    sealed = p.sealer is not None
    for prefix in ids:
        kind, rid = p.repo.resolve(prefix)
        if kind not in KEY_KINDS:
            raise UsageError(MSG("not-erasable", id=rid, kind=kind))
        if rid in done:
            continue
        doc = p.edit(kind, rid)
        if doc.get("erased") is None:  # erased again: the first day stays
            doc["erased"] = dt.date(on.year, on.month, on.day)
        if not sealed:
            _strip(kind, doc)
        p.put(kind, rid, doc)
        if kind == "family" and not sealed:
            for t in p.index.trajectories_of(rid):
                tdoc = p.edit("trajectory", t.id)
                if _strip("trajectory", tdoc):
                    p.put("trajectory", t.id, tdoc)
        done.append(rid)
    return done


def destroy_keys(p: Plan, ids: Sequence[str]) -> bool:
    """Destroy the keys of these records and save the key store, in a sealed repository
    (whether it is one). Nothing is sealed by this plan after it."""
    if p.sealer is None:
        return False
    keys = p.sealer.keys
    p.sealer = None  # nothing more is sealed in this change, and apply saves nothing
    for rid in ids:
        keys.destroy(rid)
    keys.save()
    return True


def _strip(kind: str, doc: object) -> bool:
    """Remove every personal value from a record's document; whether any was there."""
    found = [(c, k) for c, k, _, shown in places(kind, doc)
             if not shown.startswith("conflicts")]  # a conflict's values: hs resolve
    for container, key in reversed(found):
        del container[key]
    return bool(found)
