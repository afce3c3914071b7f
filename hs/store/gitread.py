"""The records as they were at a git revision, read from git's object store.

:func:`index_at` lists the records tree of a commit with ``git ls-tree -r`` and reads the
blobs with one ``git cat-file --batch``, through the same parse pipeline as the working
tree (:func:`hs.store.repo.parse_file`), into an :class:`hs.records.index.Index`. It never
touches the working tree, the index or HEAD, so a figure published from a tag
(``report-2025``) can be reproduced years later while the records have moved on. Parsed
blobs are cached in ``.hs/cache`` by blob hash (a blob's content never changes), so a
second read of the same or a nearby revision only parses what differs.

:func:`working_tree_revision` says where the working tree stands: HEAD's full hash, and
whether ``records/`` has uncommitted changes.
"""

from __future__ import annotations

import marshal
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hs import SCHEMA_VERSION, __version__
from hs.base.errors import GitError, HsError, UsageError
from hs.base.i18n import Catalog
from hs.records.ids import KIND_OF_FOLDER
from hs.records.index import ROW_TYPES, Index
from hs.records.problems import Problem
from hs.store.atomic import write_atomic
from hs.store.gitops import MSG as GIT_MSG
from hs.store.gitops import run

MSG = Catalog({
    "bad-rev": ("--rev: '{rev}' is not a git revision", "--rev: '{rev}' is geen git-revisie"),
    "no-commit": ("--rev: no commit '{rev}' in the git repository at {root}",
                  "--rev: geen commit '{rev}' in de git-repository in {root}"),
    "no-tree": ("--rev: commit {commit} ({rev}) has no records tree (records/config.yaml "
                "missing)",
                "--rev: commit {commit} ({rev}) heeft geen records (records/config.yaml "
                "ontbreekt)"),
})

RECORDS = "records"
_SPECIAL = {"config.yaml": "config", "vocabularies.yaml": "vocabularies"}
_CACHE_NAME = f"blobs-{SCHEMA_VERSION}-{__version__}-1.marshal"
PARALLEL_THRESHOLD = 4000



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


def _classify(rel: str) -> tuple[str, str] | None:
    """(kind, id) of a path in the records tree, as :func:`hs.store.repo.walk` sees it."""
    parts = rel.split("/")
    if len(parts) < 2 or parts[0] != RECORDS:
        return None
    name = parts[-1]
    if not name.endswith((".yaml", ".yml")) or any(p.startswith(".") for p in parts[1:]):
        return None
    if len(parts) == 2:
        kind = _SPECIAL.get(name)
        return None if kind is None else (kind, kind)
    folder_kind = KIND_OF_FOLDER.get(parts[1])
    if folder_kind is None:
        return None
    return folder_kind, name.rsplit(".", 1)[0]


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
        kind_id = _classify(rel)
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


def _cache_file(root: Path) -> Path:
    return root / ".hs" / "cache" / _CACHE_NAME


def _read_cache(root: Path) -> dict[str, Any]:
    try:
        data = marshal.loads(_cache_file(root).read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_cache(root: Path, cache: dict[str, Any]) -> None:
    path = _cache_file(root)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        ignore = root / ".hs" / ".gitignore"
        if not ignore.exists():
            ignore.write_text("*\n")
        write_atomic(path, marshal.dumps(cache))
    except (OSError, HsError):
        pass  # a cache that cannot be written is only slower next time


def _parse_items(items: list[tuple[str, str, str, bytes]]
                 ) -> list[tuple[Any, list[Problem]]]:
    """Worker: parse (kind, id, rel, raw) blobs into cache values (None if invalid)."""
    from hs.store.repo import RecordFile, parse_file
    from hs.store.yamlio import quiet_stderr

    out: list[tuple[Any, list[Problem]]] = []
    with quiet_stderr():
        for kind, rid, rel, raw in items:
            res = parse_file(RecordFile(kind, rid, Path(rel), rel), raw)
            if res.problems:
                out.append((None, res.problems))
            elif res.value is not None:
                out.append((res.value, []))
            else:
                out.append((res.data, []))
    return out


def _parse_all(items: list[tuple[str, str, str, bytes]]
               ) -> list[tuple[Any, list[Problem]]]:
    if len(items) < PARALLEL_THRESHOLD or (os.cpu_count() or 1) < 2:
        return _parse_items(items)
    import concurrent.futures as cf
    import multiprocessing as mp

    workers = min(os.cpu_count() or 2, 8)
    size = max(200, len(items) // (workers * 4))
    chunks = [items[i:i + size] for i in range(0, len(items), size)]
    ctx = mp.get_context("fork") if hasattr(os, "fork") else mp.get_context()
    out: list[tuple[Any, list[Problem]]] = []
    with cf.ProcessPoolExecutor(workers, mp_context=ctx) as pool:
        for part in pool.map(_parse_items, chunks):
            out.extend(part)
    return out


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
    cache = _read_cache(root) if use_cache else {}
    key_of = {(kind, rid, blob): f"{kind}:{rid}:{blob}" for kind, rid, _, blob in entries}
    todo = [e for e in entries if key_of[(e[0], e[1], e[3])] not in cache]
    problems: list[Problem] = []
    fresh: dict[str, Any] = {}
    if todo:
        raw = _cat_blobs(root, sorted({blob for *_, blob in todo}))
        results = _parse_all([(kind, rid, rel, raw[blob]) for kind, rid, rel, blob in todo])
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
                problems.extend(_parse_items([(kind, rid, rel,
                                               _cat_blobs(root, [blob])[blob])])[0][1])
        else:
            _add(index, kind, rid, rel, value)
    if use_cache and fresh:
        cache.update(fresh)
        _write_cache(root, cache)
    return GitTree(index, Revision(commit, rev, dirty=False), problems, len(entries),
                   len(todo))
