"""The records as they were at a git revision, read from git's object store.

:func:`index_at` lists the records tree of a commit with ``git ls-tree -r`` and reads the
blobs with one ``git cat-file --batch``, through the same parse pipeline as the working
tree (:func:`hs.store.read.parse_many`), into an :class:`hs.records.index.Index`. It never
touches the working tree, the index or HEAD, so a figure published from a tag
(``report-2025``) can be reproduced years later while the records have moved on. Parsed
blobs are kept in the cache (a memo of :mod:`hs.store.cache`) by blob hash (a blob's
content never changes), so a second read of the same or a nearby revision only parses
what differs.

:func:`working_tree_revision` says where the working tree stands: HEAD's full hash, and
whether ``records/`` has uncommitted changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hs.base.errors import GitError, UsageError
from hs.base.i18n import Catalog
from hs.records.index import ROW_TYPES, Index
from hs.records.layout import RECORDS
from hs.records.problems import Problem
from hs.store.cache import read_memo, write_memo
from hs.store.gitops import MSG as GIT_MSG
from hs.store.gitops import run
from hs.store.layout import Entry, kind_of_rel
from hs.store.read import PARALLEL_THRESHOLD, parse_many

MSG = Catalog("store.gitread")

BLOB_MEMO = "git-blobs"  # the memo of the cache that holds the parsed blobs


@dataclass(frozen=True, slots=True)
class Revision:
    """Where the records came from: a commit (full hash), the revision asked for, and
    whether the working tree had uncommitted changes under ``records/``."""

    commit: str | None
    rev: str | None = None  # the --rev the user gave; None for the working tree
    dirty: bool = False

    @property
    def working_tree(self) -> bool:
        return self.rev is None

    def as_json(self) -> dict[str, Any]:
        return {"commit": self.commit, "rev": self.rev, "working_tree": self.working_tree,
                "dirty": self.dirty}


@dataclass
class GitTree:
    """What :func:`index_at` read: the index, the revision, the problems of invalid files."""

    index: Index
    revision: Revision
    problems: list[Problem] = field(default_factory=list)
    files: int = 0
    parsed: int = 0  # files parsed now (not found in the blob cache)


def resolve_commit(root: Path, rev: str) -> str:
    """The full hash of the commit ``rev`` names (a tag, a branch, a hash, HEAD~3)."""
    if not rev or rev.startswith("-"):
        raise UsageError(MSG("bad-rev", rev=rev))
    try:
        out = run(root, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}").stdout
    except GitError:
        raise UsageError(MSG("no-commit", rev=rev, root=root)) from None
    return out.decode().strip()


def working_tree_revision(root: Path) -> Revision:
    """HEAD's full hash (None outside git or before the first commit) and whether
    ``records/`` differs from it (changed, staged or untracked files)."""
    try:
        head = run(root, "rev-parse", "--verify", "--quiet",
                   "HEAD^{commit}").stdout.decode().strip()
    except GitError:
        head = None
    try:
        status = run(root, "status", "--porcelain", "--untracked-files=all", "--",
                     RECORDS).stdout
    except GitError:
        return Revision(head, None, dirty=head is None)
    return Revision(head or None, None, dirty=bool(status.strip()) or not head)


def _ls_tree(root: Path, commit: str) -> list[tuple[str, str, str, str]]:
    """(kind, id, rel, blob) of every record file in the commit, config files first."""
    out = run(root, "ls-tree", "-r", "-z", commit, "--", f"{RECORDS}/").stdout
    found: list[tuple[str, str, str, str]] = []
    for entry in out.split(b"\0"):
        if not entry:
            continue
        meta, _, path = entry.partition(b"\t")
        mode, typ, blob = meta.decode().split()
        if typ != "blob" or mode == "120000":
            continue
        rel = path.decode("utf-8", "surrogateescape")
        kind_id = kind_of_rel(rel)
        if kind_id is not None:
            found.append((kind_id[0], kind_id[1], rel, blob))
    found.sort(key=lambda f: (f[0] not in ("config", "vocabularies"), f[2]))
    return found


def _cat_blobs(root: Path, blobs: list[str]) -> dict[str, bytes]:
    """The contents of blobs, all in one ``git cat-file --batch``."""
    if not blobs:
        return {}
    out = run(root, "cat-file", "--batch", input=("\n".join(blobs) + "\n").encode()).stdout
    contents: dict[str, bytes] = {}
    pos = 0
    for _ in blobs:
        eol = out.index(b"\n", pos)
        header = out[pos:eol].decode().split()
        if len(header) != 3:
            raise GitError(GIT_MSG("failed", cmd="cat-file", reason=" ".join(header)))
        size = int(header[2])
        start = eol + 1
        contents[header[0]] = out[start:start + size]
        pos = start + size + 1
    return contents


def _parse(items: list[tuple[str, str, str, bytes]]) -> list[tuple[Any, list[Problem]]]:
    """Parse (kind, id, rel, raw) blobs into cache values (None if invalid) and errors."""
    entries: list[Entry] = [(kind, rid, rel, rel) for kind, rid, rel, _ in items]
    parsed = parse_many(entries, len(items) >= PARALLEL_THRESHOLD, [raw for *_, raw in items])
    return [(value, errors) for _, value, errors, *_ in parsed]


def _add(index: Index, kind: str, rid: str, rel: str, value: Any) -> None:
    if kind == "config":
        index.config = value
    elif kind == "vocabularies":
        index.vocabularies = value
    else:
        index.add(kind, ROW_TYPES[kind].from_tuple(value))
        index.paths[rid] = rel


def index_at(root: Path, rev: str, *, use_cache: bool = True) -> GitTree:
    """Every record of the commit ``rev`` names, as an index (the working tree untouched).

    Files that are invalid at that revision are left out of the index and listed in
    ``problems`` (with ``index.invalid``), as for the working tree."""
    commit = resolve_commit(root, rev)
    entries = _ls_tree(root, commit)
    if not any(kind == "config" for kind, *_ in entries):
        raise UsageError(MSG("no-tree", commit=commit, rev=rev))
    kept = read_memo(root, BLOB_MEMO) if use_cache else None
    cache: dict[str, Any] = kept if isinstance(kept, dict) else {}
    key_of = {(kind, rid, blob): f"{kind}:{rid}:{blob}" for kind, rid, _, blob in entries}
    todo = [e for e in entries if key_of[(e[0], e[1], e[3])] not in cache]
    problems: list[Problem] = []
    fresh: dict[str, Any] = {}
    if todo:
        raw = _cat_blobs(root, sorted({blob for *_, blob in todo}))
        results = _parse([(kind, rid, rel, raw[blob]) for kind, rid, rel, blob in todo])
        for (kind, rid, _rel, blob), (value, probs) in zip(todo, results, strict=True):
            fresh[key_of[(kind, rid, blob)]] = value
            problems.extend(probs)
    index = Index()
    for kind, rid, rel, blob in entries:
        key = key_of[(kind, rid, blob)]
        value = fresh[key] if key in fresh else cache[key]
        if value is None:
            index.invalid.append(rel)
            if key not in fresh:  # invalid, known from the cache: say why again
                problems.extend(_parse([(kind, rid, rel,
                                         _cat_blobs(root, [blob])[blob])])[0][1])
        else:
            _add(index, kind, rid, rel, value)
    if use_cache and fresh:
        cache.update(fresh)
        write_memo(root, BLOB_MEMO, cache)
    return GitTree(index, Revision(commit, rev, dirty=False), problems, len(entries),
                   len(todo))
