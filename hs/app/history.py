"""A record's history: its changes over time, field by field, read from git.

Every commit that touched the record's file (found by its name, which is the record's ID:
:func:`record_pathspec`) is read as it was then (``git cat-file --batch``), parsed as
plain data and compared with the version before it. Changes made by hand in an editor and
committed with plain git are found like any other; changes not committed yet (the working
tree against the last commit) come last as one revision without a commit.

A change is a field path (``referrals[0].decisions[1].decision``), the old value and the
new one. Lists of scalars (languages, flags) change as a whole; lists of records (referrals,
decisions, visits, reviews, volunteers) are compared item by item, so that a visit added
is one change ``visits[+]`` and an edited visit is ``visits[3].minutes``; an item removed
is ``visits[3]`` with no new value.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any, Literal

from hs.records.layout import RECORDS
from hs.store.gitops import run
from hs.store.yamlio import YamlIssue, decode, load_plain, quiet_stderr

RevisionState = Literal["created", "changed", "unchanged", "deleted", "unreadable"]


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One field of a record changed: ``old`` is None when added, ``new`` when removed."""

    field: str
    old: Any
    new: Any


@dataclass(frozen=True, slots=True)
class Revision:
    """One version of a record file. ``commit`` is None for uncommitted changes.

    ``state``: created (first version: every field is new), changed, unchanged (the file
    changed but its data did not: comments or layout only), deleted, unreadable (the file
    was not valid YAML then; the next version is compared with the last readable one)."""

    commit: str | None
    date: dt.date
    author: str
    subject: str
    path: str
    state: RevisionState
    changes: tuple[FieldChange, ...]


def diff(old: Any, new: Any, path: str = "") -> list[FieldChange]:
    """Field-level changes from ``old`` to ``new`` (plain data), in the new data's order."""
    if old == new:
        return []
    if isinstance(old, dict) and isinstance(new, dict):
        out: list[FieldChange] = []
        for key, value in new.items():
            sub = f"{path}.{key}" if path else str(key)
            if key in old:
                out.extend(diff(old[key], value, sub))
            elif isinstance(value, list) and _has_records([], value):
                out.extend(_diff_items([], value, sub))  # one line per item
            else:
                out.append(FieldChange(sub, None, value))
        for key, value in old.items():
            if key not in new:
                sub = f"{path}.{key}" if path else str(key)
                if isinstance(value, list) and _has_records(value, []):
                    out.extend(_diff_items(value, [], sub))
                else:
                    out.append(FieldChange(sub, value, None))
        return out
    if isinstance(old, list) and isinstance(new, list) and _has_records(old, new):
        return _diff_items(old, new, path)
    return [FieldChange(path, old, new)]


def _has_records(old: list[Any], new: list[Any]) -> bool:
    return any(isinstance(x, dict | list) for x in old) or any(
        isinstance(x, dict | list) for x in new)


def _diff_items(old: list[Any], new: list[Any], path: str) -> list[FieldChange]:
    a = [json.dumps(x, sort_keys=True, default=str) for x in old]
    b = [json.dumps(x, sort_keys=True, default=str) for x in new]
    out: list[FieldChange] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        paired = min(i2 - i1, j2 - j1) if tag == "replace" else 0
        for k in range(paired):
            out.extend(diff(old[i1 + k], new[j1 + k], f"{path}[{j1 + k}]"))
        for k in range(i1 + paired, i2):
            out.append(FieldChange(f"{path}[{k}]", old[k], None))
        for k in range(j1 + paired, j2):
            out.append(FieldChange(f"{path}[+]", None, new[k]))
    return out


# --- git ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Commit:
    sha: str
    date: dt.date
    author: str
    subject: str
    path: str | None  # the file's path (from the git top level) after the commit
    deleted: bool


def _has_commits(root: Path) -> bool:
    return run(root, "rev-parse", "--verify", "-q", "HEAD", check=False).returncode == 0


def record_pathspec(rel: str) -> str:
    """The git pathspec of a record file wherever it is in its kind's folder.

    A record is its ID and the ID is its file name, so its history is the history of that
    file name inside the kind's folder (``records/families/**/f3kq7p2xm.yaml``): a file
    moved to a subfolder (``families/archive/``, by hand or by a tool) is followed by its
    name, and never a file that git finds *similar* (``git log --follow`` takes a new
    small record for a copy of an older one and shows the older one's creation)."""
    parts = rel.split("/")
    name = parts[-1]
    top = parts.index(RECORDS) if RECORDS in parts else len(parts)
    if len(parts) <= top + 2:  # not in a kind's folder (config.yaml): that one file
        return f":(literal){rel}"
    kind_folder = "/".join(parts[:top + 2])
    magic = "".join("\\" + c if c in "*?[]\\" else c for c in name)
    return f":(glob){kind_folder}/**/{magic}"


def _commits(root: Path, rel: str) -> list[_Commit]:
    """Commits that touched the record's file (by its name, never by similarity: see
    :func:`record_pathspec`), oldest first."""
    if not _has_commits(root):
        return []
    out = run(root, "log", "--no-renames", "--name-status", "-z",
              "--format=%x1e%H%x1f%aI%x1f%an%x1f%s", "--", record_pathspec(rel)).stdout
    commits: list[_Commit] = []
    for chunk in out.decode("utf-8", "replace").split("\x1e"):
        if not chunk.strip("\0\n"):
            continue
        head, _, rest = chunk.partition("\0")
        sha, when, author, subject = [*head.split("\x1f"), "", "", ""][:4]
        tokens = [t.strip("\n") for t in rest.strip("\n").split("\0") if t.strip("\n")]
        # (status, path) pairs: a move is one path deleted and one added in a commit
        entries = list(zip(tokens[0::2], tokens[1::2], strict=False))
        kept = [p for s, p in entries if not s.startswith("D")]
        path = kept[-1] if kept else (entries[-1][1] if entries else None)
        deleted = bool(entries) and not kept
        commits.append(_Commit(sha, dt.datetime.fromisoformat(when).date(), author,
                               subject, path, deleted))
    commits.reverse()
    return commits


def _blobs(root: Path, specs: list[str]) -> list[bytes | None]:
    """Contents of ``rev:path`` specs in one ``git cat-file --batch`` (None if missing)."""
    if not specs:
        return []
    out = run(root, "cat-file", "--batch",
              input="".join(s + "\n" for s in specs).encode()).stdout
    blobs: list[bytes | None] = []
    pos = 0
    for _ in specs:
        end = out.index(b"\n", pos)
        header = out[pos:end].split()
        pos = end + 1
        if len(header) < 3 or header[1] != b"blob":
            blobs.append(None)
            continue
        size = int(header[2])
        blobs.append(out[pos:pos + size])
        pos += size + 1
    return blobs


def _parse(raw: bytes | None) -> dict[str, Any] | None:
    """A version's data, or None when it is not a YAML mapping."""
    if raw is None:
        return None
    with quiet_stderr():  # (YamlIssue must not pass through this context manager)
        try:
            data = load_plain(decode(raw))
        except YamlIssue:
            data = None
    return data if isinstance(data, dict) else None


def record_history(root: Path, rel: str) -> list[Revision]:
    """Every version of the record file ``rel`` (relative to ``root``), oldest first, with
    the field changes from the version before; uncommitted changes last."""
    commits = _commits(root, rel)
    blobs = _blobs(root, [f"{c.sha}:{c.path}" for c in commits if c.path and not c.deleted])
    it = iter(blobs)
    revisions: list[Revision] = []
    last: dict[str, Any] | None = None
    last_raw: bytes | None = None
    for c in commits:
        if c.path is None:
            continue  # a merge: its changes are in the commits it merged
        raw = None if c.deleted else next(it)
        rev, last, last_raw = _revision(c.sha, c.date, c.author, c.subject, c.path, raw,
                                        c.deleted, last, last_raw)
        revisions.append(rev)
    path = root / rel
    try:
        raw_now: bytes | None = path.read_bytes()
        mtime = dt.date.fromtimestamp(os.stat(path).st_mtime)
    except OSError:
        raw_now, mtime = None, dt.date.today()
    if raw_now != last_raw and not (raw_now is None and not revisions):
        rev, _, _ = _revision(None, mtime, "", "", rel, raw_now, raw_now is None, last,
                              last_raw)
        revisions.append(rev)
    return revisions


def _revision(commit: str | None, date: dt.date, author: str, subject: str, path: str,
              raw: bytes | None, deleted: bool, last: dict[str, Any] | None,
              last_raw: bytes | None
              ) -> tuple[Revision, dict[str, Any] | None, bytes | None]:
    """A revision and the (data, bytes) that the next one is compared with."""
    if deleted:
        return (Revision(commit, date, author, subject, path, "deleted", ()), None, None)
    data = _parse(raw)
    if data is None:
        return (Revision(commit, date, author, subject, path, "unreadable", ()), last, raw)
    if last is None:
        changes = tuple(c for c in diff({}, data) if c.field != "schema_version")
        state: RevisionState = "created"
    else:
        changes = tuple(diff(last, data))
        state = "changed" if changes else "unchanged"
    return Revision(commit, date, author, subject, path, state, changes), data, raw
