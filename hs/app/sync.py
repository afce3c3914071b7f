"""``hs sync`` and ``hs resolve``: two laptops of a location kept in step without git
skills.

``hs sync`` fetches the remote, merges its changes with the record merge driver (a merge
commit; never a rebase), validates the tree, pushes, and says in one line what came in and
what went out. True conflicts stay in the records (:mod:`hs.store.merge`) and are listed
with the problems across records that the merge made (two active trajectories for one
family, a volunteer over capacity), the same way ``hs validate`` lists them.

``hs resolve ID [FIELD] --keep N | --value VALUE`` settles one conflict: the field takes
value N (or the given value) and the conflict leaves the record, in one validated commit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hs.app import workflow
from hs.app.validation import validate_tree
from hs.base.errors import HsError, UsageError
from hs.base.i18n import Catalog
from hs.records import spec
from hs.records.problems import Problem
from hs.store import gitsync
from hs.store.keys import Keys
from hs.store.merge import CONFLICTS, MISSING, set_at
from hs.store.repo import Repo
from hs.store.yamlio import YamlIssue, load_plain, to_document

MSG = Catalog("app.sync")


@dataclass
class SyncResult:
    """What sync did: its summary line, and the problems the tree has after it that it
    did not have before (conflicts, rules across records)."""

    summary: str
    problems: list[Problem] = field(default_factory=list)


def _count(key: str, n: int) -> str:
    return MSG(f"{key}-1") if n == 1 else MSG(key, n=n)


def _fail(exc: gitsync.SyncFailure) -> HsError:
    files = _count("files", int(exc.detail)) if exc.reason == "dirty" else ""
    text = MSG(exc.reason, files=files, detail=exc.detail)
    return UsageError(text) if exc.reason == "unknown-remote" else HsError(text)


def sync(repo: Repo, remote: str | None = None) -> SyncResult:
    """Fetch, merge (record by record), validate, push."""
    root = repo.root
    try:
        with repo.lock():
            return _sync(repo, root, remote)
    except gitsync.SyncFailure as exc:
        raise _fail(exc) from None


def _sync(repo: Repo, root: Path, remote: str | None) -> SyncResult:
    branch = gitsync.prepare(root)
    name, their_branch = gitsync.remote_of(root, branch, remote)
    theirs = gitsync.fetch(root, name, their_branch)
    keys_note = sync_keys(root, name)
    here = gitsync.head(root)
    before = {(p.path, p.code, p.message) for p in _problems(root)}
    cin = gitsync.counts(root, here, theirs) if theirs and here else gitsync.Counts(0, 0)
    if theirs and cin.commits:
        unmerged = gitsync.merge(root, theirs, MSG("merge-message", remote=name,
                                                              branch=their_branch))
        if unmerged:
            raise HsError(MSG("unmerged", files=_count("files", len(unmerged)),
                              paths=", ".join(unmerged), theirs=f"{name}/{their_branch}"))
    repo.refresh()
    after = _problems(root)
    new = [p for p in after if (p.path, p.code, p.message) not in before]
    now = gitsync.head(root)
    cout = gitsync.counts(root, theirs, now) if now else gitsync.Counts(0, 0)
    if now and (cout.commits or theirs is None):
        gitsync.push(root, name, their_branch)
    summary = MSG("summary", remote=name, cin=_count("commits", cin.commits),
                  rin=_count("records", cin.records), cout=_count("commits", cout.commits),
                  rout=_count("records", cout.records))
    pending = [p for p in after if p.severity == "error"]
    if pending:
        summary += _count("problems", len(pending))
    return SyncResult(summary + keys_note, new)


def sync_keys(root: Path, remote: str) -> str:
    """Fetch the remote's key store, merge it with this clone's (union of keys and
    laptops; tombstones and removals win), and push the result if the remote lacks
    anything of it, guarded by a lease so that a store pushed meanwhile by another
    laptop is fetched and merged again, never overwritten. Returns a note for the
    summary line: whether the store came in and/or went out ("" when neither); a key
    store that cannot be synced does not stop the records' sync."""
    came = False
    for _ in range(3):
        lease, theirs = gitsync.fetch_keys(root, remote)
        sent = False
        try:
            keys = Keys.open(root)
            came = came or (theirs is not None and theirs != keys.raw
                            and not keys.was_synced(theirs))
            send = _merge_keys(keys, theirs)
            if send and keys.raw is not None:
                gitsync.push_keys(root, remote, keys.raw, lease)
                keys.mark_synced(keys.raw)
                sent = True
            elif theirs is not None:
                keys.mark_synced(theirs)
        except gitsync.SyncFailure as exc:
            if exc.reason == "rejected":
                continue
            return MSG("keys-not-synced", why=str(_fail(exc)))
        except HsError as exc:
            return MSG("keys-not-synced", why=str(exc))
        finally:
            gitsync.drop_keys_objects(root, remote)
        if not (came or sent):
            return ""
        return MSG("keys-both" if came and sent else "keys-in" if came else "keys-sent")
    return MSG("keys-not-synced", why=MSG("keys-busy"))


def _merge_keys(keys: Keys, theirs: bytes | None) -> bool:
    """This clone's store merged with the remote's (saved); True if the remote needs
    the result."""
    if theirs is None:
        return keys.present
    if not keys.present or keys.raw == theirs:
        if not keys.present:
            keys.adopt(theirs)
        return False
    state = keys.state()
    if state == "closed":  # not open to this laptop: it cannot have added anything
        keys.adopt(theirs)
        return False
    if state == "locked":
        keys.require()  # raises: the store is locked
    if not keys.opens(theirs) and keys.was_synced(theirs):
        return True  # ours grew from it (enrolled since with the recovery key)
    send = keys.merge(theirs)
    keys.save()
    return send


def _problems(root: Path) -> list[Problem]:
    return validate_tree(root).problems


# --- hs resolve ------------------------------------------------------------------------


@dataclass(frozen=True)
class Pending:
    """One conflict of a record, read whole (values included, for the coordinator)."""

    field: str
    values: tuple[tuple[Any, str, str], ...]  # (value or None, author, date)


def conflicts(repo: Repo, prefix: str) -> tuple[str, str, list[Pending]]:
    """A record's kind, ID and conflicts, with their values."""
    kind, rid = repo.resolve(prefix)
    try:
        data = load_plain(repo.path_of(kind, rid).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, YamlIssue):
        data = {}
    out = []
    for c in (data.get(CONFLICTS) or []) if isinstance(data, dict) else []:
        out.append(Pending(str(c.get("field")), tuple(
            (v.get("value"), str(v.get("author")), str(v.get("date")))
            for v in c.get("values") or [])))
    return kind, rid, out


def resolve(repo: Repo, prefix: str, field_path: str | None, keep: int | None,
            value: str | None, commit: bool = True) -> workflow.Outcome:
    """Settle one conflict: the field takes value ``keep`` (or ``value``)."""
    if (keep is None) == (value is None):
        raise UsageError(MSG("keep-or-value"))
    if value is not None and not value.strip():
        raise UsageError(MSG("empty-value"))

    def build(p: workflow.Plan) -> workflow.Change:
        kind, rid, pending = conflicts(repo, prefix)
        if not pending:
            raise HsError(MSG("no-conflicts", id=rid))
        fields = ", ".join(c.field for c in pending)
        if field_path is None:
            if len(pending) > 1:
                raise UsageError(MSG("which", id=rid, n=len(pending), fields=fields))
            chosen = pending[0]
        else:
            found = [c for c in pending if c.field == field_path]
            if not found:
                raise UsageError(MSG("no-field", id=rid, field=field_path, fields=fields))
            chosen = found[0]
        if keep is not None:
            if not 1 <= keep <= len(chosen.values):
                raise UsageError(MSG("no-number", n=keep, count=len(chosen.values)))
            new = chosen.values[keep - 1][0]
            new = MISSING if new is None else new
        else:
            new = _parse(value or "")
        doc = p.edit(kind, rid)  # type: ignore[arg-type]
        try:
            set_at(doc, spec.KINDS[kind].group, chosen.field, new, to_document)
        except KeyError:
            raise HsError(MSG("cannot-set", field=chosen.field, id=rid)) from None
        kept = doc.get(CONFLICTS) or []
        for i, c in enumerate(list(kept)):
            if c.get("field") == chosen.field:
                del kept[i]
                break
        if not kept and CONFLICTS in doc:
            del doc[CONFLICTS]
        p.put(kind, rid, doc)  # type: ignore[arg-type]
        return workflow.Change(
            f"{kind}.resolve", MSG("resolved", id=rid, field=chosen.field),
            MSG("resolved", id=rid, field=chosen.field), (rid,),
            None, list(p.files.values()), list(p.warnings))

    return workflow.run(repo, build, commit)


def _parse(text: str) -> Any:
    """A value given on the command line, read as YAML reads it (a number, a date...)."""
    try:
        data = load_plain(f"v: {text}\n")
    except YamlIssue:
        return text
    v = data.get("v") if isinstance(data, dict) else text
    return text if isinstance(v, dict | list) else v


__all__ = ["SyncResult", "conflicts", "resolve", "sync"]
