"""Reading the whole records tree into an :class:`~hs.records.index.Index`, through the
cache (:mod:`hs.store.cache`).

Only the files that changed since the cache was written are parsed (:mod:`hs.store.plan`
finds them), in several processes when there are many (:func:`hs.store.read.parse_many`).
The cache holds small projections (the rows of :mod:`hs.records.index`, no names or
notes), one part per kind, decoded when first asked for. A file changed less than two
seconds before the cache was written is read again (a coarse clock could hide a same-size
edit); a stale, corrupt or foreign cache is rebuilt silently; a file that failed is read
again every time. A read is a sequence of named stages (:class:`_Read`).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hs.base.i18n import Catalog
from hs.records.index import Index, paused_gc
from hs.records.layout import CONFIG_FILE, RECORDS, SPECIAL_KINDS
from hs.records.problems import Problem
from hs.store import gitops
from hs.store import plan as planning
from hs.store.cache import (
    RACY_NS,
    ROW_PARTS,
    PartLookup,
    Snapshot,
    new_token,
    next_history,
    overlay,
    part_ok,
    read_lookup,
    read_tokened,
    warning_tuples,
    warnings_of,
    write_part,
)
from hs.store.layout import (
    Entry,
    RecordFile,
    entry_of,
    find_root,
    part_of_rel,
    paths_of,
    scan,
    scan_key,
    unreadable_folders,
)
from hs.store.read import PARALLEL_THRESHOLD, Progress, parse_many

MSG = Catalog("store.load")

JOURNAL_LIMIT = 2000  # changes kept in the journal before the parts are written whole


class LoadReport:
    """What a full read did: the index, every file's errors (``problems``) and warnings,
    how many files were parsed. ``generation`` changes whenever what the cache holds
    changes (a whole-tree result computed from the same generation is still right)."""

    def __init__(self, index: Index, problems: list[Problem],
                 entries: list[Entry] | Callable[[], list[Entry]], parsed: int,
                 seconds: float, warnings: list[Problem] | None = None,
                 generation: str = "", count: int | None = None):
        self.index = index
        self._count = count
        self.problems = problems
        self._entries = entries
        self.parsed = parsed
        self.seconds = seconds
        self.warnings = warnings if warnings is not None else []
        self.generation = generation
        self.strays: list[str] | None = None  # stray files, when the read listed them
        self.history: list[Any] = []  # see changed_since
        self.rels_source: Callable[[], list[str]] | None = None
        # (rel, line) of every file that could not be used (its first error) and every
        # folder that could not be listed (line 0), in path order: see :func:`unusable`
        self.unusable: list[tuple[str, int]] = []

    def changed_since(self, generation: str) -> set[str] | None:
        """The record files (relative paths) whose rows changed, appeared or went since the
        cache held ``generation`` (valid files that became invalid, and back, included);
        None if the cache does not remember that far back."""
        if generation == self.generation:
            return set()
        out: set[str] = set()
        want = self.generation
        for old, new, rels in reversed(self.history):
            if new != want:
                return None
            out.update(rels)
            if old == generation:
                return out
            want = old
        return None

    @property
    def rels(self) -> list[str]:
        """Every record file of the tree (valid or not), relative to the root: from the
        listing if the read made one, else from what the cache holds."""
        if not callable(self._entries) or self.rels_source is None:
            return [e[3] for e in self.entries]
        return self.rels_source()

    @property
    def entries(self) -> list[Entry]:
        """Every file of the tree as (kind, id, path, rel); listed on demand when the
        read did not need to look at every file."""
        if callable(self._entries):
            self._entries = self._entries()
        return self._entries

    @property
    def count(self) -> int:
        """How many record files the tree has (valid or not), without listing them."""
        if self._count is not None and callable(self._entries):
            return self._count
        return len(self.entries)

    @property
    def files(self) -> list[RecordFile]:
        """Every file of the tree (made on demand: most queries never need them)."""
        return [RecordFile(*entry) for entry in self.entries]


# --- asking git early ----------------------------------------------------------------------

_prefetched: tuple[Path, Any] | None = None


def prefetch(repo: str | None) -> None:
    """Start asking git what changed in the tree a command is about to read (``--repo``,
    else as :func:`~hs.store.layout.find_root` finds it), so that git works while Python
    imports the command line; :func:`load_tree` picks the answer up. Does nothing where
    there is no tree or no git."""
    global _prefetched
    try:
        root = find_root(repo)
    except Exception:  # no tree here: the command will say so
        return
    pending = gitops.start_changes(root, RECORDS)
    if pending is not None:
        _prefetched = (root, pending)


def _pending_changes(root: Path) -> Any:
    """The git question prefetched for this tree, else asked now."""
    global _prefetched
    if _prefetched is not None:
        early, pending = _prefetched
        _prefetched = None
        if early == root:
            return pending
        pending.cancel()
    return gitops.start_changes(root, RECORDS)


# --- the read ------------------------------------------------------------------------------


def load_tree(root: Path, *, use_cache: bool = True, parallel: bool | None = None,
              keep_problems: bool = True, progress: Progress | None = None) -> LoadReport:
    """Read the whole records tree into an :class:`Index`, using and refreshing the cache.

    Only the files that changed since the cache was written are parsed, in several
    processes when there are many. A kind's rows are only decoded when a query first asks
    for that kind. Files that failed are read again each time, so their problems are
    reported again. A corrupt or foreign cache is ignored and rewritten.

    The garbage collector is paused throughout: what a read makes holds no cycles, and
    with a large tree's rows in memory every collection walks all of them (it added a
    tenth to a cold read of 50,000 files).

    ``progress(done, total)``, if given, is told how many of the files to parse are
    parsed (a cold or partial read; nothing when every file comes from the cache)."""
    with paused_gc():
        read = _Read(root, parallel, keep_problems, progress)
        report = read.without_cache() if not use_cache else read.with_cache()
        read.note_unusable(report)
    for seen in _watchers:
        seen.append(report)
    return report


# --- what could not be used ----------------------------------------------------------------

_watchers: list[list[LoadReport]] = []


def watch() -> list[LoadReport]:
    """Start collecting the report of every read (a command's notice of the files it
    could not use, said once when it ends); :func:`unwatch` stops it."""
    seen: list[LoadReport] = []
    _watchers.append(seen)
    return seen


def unwatch(seen: list[LoadReport]) -> None:
    if any(w is seen for w in _watchers):
        _watchers[:] = [w for w in _watchers if w is not seen]


@dataclass
class _Fresh:
    """What the files parsed now gave."""

    rows: dict[str, dict[str, Any]] = field(
        default_factory=lambda: {part: {} for part in ROW_PARTS})  # part -> rel -> row
    blobs: dict[str, str] = field(default_factory=dict)
    invalid: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warned: list[Problem] = field(default_factory=list)  # the warnings to report
    kept_warnings: dict[str, Any] = field(default_factory=dict)  # as head keeps them
    first_error: dict[str, int] = field(default_factory=dict)  # invalid file -> its line


class _Read:
    """One read of the tree: :meth:`with_cache` or :meth:`without_cache`, each a sequence
    of stages sharing what the earlier ones found."""

    def __init__(self, root: Path, parallel: bool | None, keep_problems: bool,
                 progress: Progress | None = None):
        self.started = time.perf_counter()
        self.progress = progress
        self.root = root
        self.parallel = parallel
        self.keep_problems = keep_problems
        self.fresh = _Fresh()
        self.index = Index()
        self.dirs: dict[str, int] = {}  # the folders the plan looked at

    # the stages

    def note_unusable(self, report: LoadReport) -> None:
        """Every file that could not be used and every folder of the tree that could not
        be listed (its records are missing from the index): in ``report.unusable``, the
        folders also as problems (``unreadable-folder``) for ``hs validate``. The folders
        are looked at every time, with the cache too (an opendir each)."""
        fresh = self.fresh
        folders = unreadable_folders(str(self.root), list(self.dirs))
        for rel in folders:
            reason = _why_unreadable(self.root, rel)
            if self.keep_problems:
                report.problems.append(Problem(rel, 1, 1, "unreadable-folder",
                                               MSG("unreadable-folder", reason=reason)))
        report.unusable = sorted([*((rel, fresh.first_error.get(rel, 1))
                                    for rel in fresh.invalid),
                                  *((rel, 0) for rel in folders)])

    def without_cache(self) -> LoadReport:
        """List and parse every file; nothing read from or written to the cache."""
        plan = planning.by_stat(self.root, dict, 0)
        self.dirs = plan.dirs
        self.parse(plan)
        fresh, index = self.fresh, self.index
        index.invalid = fresh.invalid
        for part, rows in fresh.rows.items():
            _add_rows(index, part, _in_scan_order(rows) if part != "special" else rows)
        valid = {rel: 0 for rows in fresh.rows.values() for rel in rows}
        index.set_paths_source(lambda: paths_of(valid))
        report = LoadReport(index, fresh.problems, plan.entries or [], len(plan.todo),
                            time.perf_counter() - self.started, fresh.warned)
        report.strays = plan.strays
        return report

    def with_cache(self) -> LoadReport:
        """Parse what changed since the cache was written; keep the changes in the cache
        (a journal, or every part whole when the journal grows long); then head."""
        pending = _pending_changes(self.root)
        self.snap = Snapshot(self.root)
        plan, listing = self.make_plan(pending)
        self.dirs = plan.dirs
        self.recall_warnings(plan)
        self.parse(plan)
        if listing is not None:
            listing.take(plan)
        self.index.invalid = self.fresh.invalid
        changes, dropped = self.journal_changes(plan)
        store = _Store(self.root, self.snap, plan, changes)
        store.keep(self.index)
        return self.report(plan, store, dropped)

    def make_plan(self, pending: Any) -> tuple[planning.Plan, _Listing | None]:
        """Ask git what changed if it can tell, else look at every file (then, in git, list
        the tracked files meanwhile, to ask git next time)."""
        snap = self.snap
        changed: frozenset[str] | None = None
        if pending is not None:
            changed = pending.wait()
            if changed is not None and snap.tokens and "sigs" in snap.tokens:
                plan = planning.by_git(self.root, snap, changed)
                if plan is not None:
                    return plan, None
        listing = None
        if changed is not None:  # remember git's view, for a cheap read next time; git
            listing = _Listing(self.root, changed)  # lists while the files are read
        return planning.by_stat(self.root, snap.sigs, snap.trusted_before), listing

    def recall_warnings(self, plan: planning.Plan) -> None:
        """The warnings of trusted files: said again from the cache, or the file read again
        to say them in this language."""
        snap, fresh, root_s = self.snap, self.fresh, str(self.root)
        old_warned: dict[str, Any] = (snap.head["warnings"] if snap.tokens
                                      and isinstance(snap.head.get("warnings"), dict) else {})
        for rel, said in old_warned.items():
            if rel in plan.gone or rel in plan.sigs:
                continue
            these = warnings_of(rel, said)
            if these is None:
                entry = entry_of(root_s, rel)
                if entry is not None and rel in plan.old_sigs:
                    plan.parse(entry, plan.old_sigs[rel])
                    continue
            fresh.kept_warnings[rel] = said
            if self.keep_problems and these:
                fresh.warned.extend(these)

    def parse(self, plan: planning.Plan) -> None:
        """Parse the files of the plan into :attr:`fresh`."""
        if not plan.todo:
            return
        fresh, keep_problems = self.fresh, self.keep_problems
        kinds = {e[3]: e[0] for e in plan.todo}
        use_pool = (self.parallel if self.parallel is not None
                    else len(plan.todo) >= PARALLEL_THRESHOLD)
        parsed = parse_many(plan.todo, use_pool, progress=self.progress)
        for rel, value, errors, warnings, blob, sig in parsed:
            if keep_problems:
                fresh.warned.extend(warnings)
            if value is None:
                fresh.invalid.append(rel)
                fresh.first_error[rel] = min((p.line for p in errors), default=1)
                if keep_problems:
                    fresh.problems.extend(errors)
                continue
            if warnings:
                fresh.kept_warnings[rel] = warning_tuples(warnings)
            kind = kinds[rel]
            fresh.rows["special" if kind in SPECIAL_KINDS else kind][rel] = value
            if blob is not None:
                fresh.blobs[rel] = blob
            if plan.sigs.get(rel) is None:  # not looked at before: as the reader saw it
                plan.sigs[rel] = sig if sig is not None else 0

    def journal_changes(self, plan: planning.Plan
                        ) -> tuple[dict[str, dict[str, Any]], set[str]]:
        """What changed, as changes to the written parts (None: gone), and the files whose
        rows went. A file read again to the same bytes only changes its signature."""
        fresh = self.fresh
        dropped = set(plan.gone)
        same: dict[str, int | None] = {}  # read again, byte for byte what the cache holds
        if plan.todo:
            dropped |= plan.sigs.keys() & plan.old_sigs.keys()
            known = self.snap.blobs()
            for rows in fresh.rows.values():
                for rel in [rel for rel in rows if rel in dropped
                            and fresh.blobs.get(rel, "") == known.get(rel)]:
                    del rows[rel]
                    dropped.discard(rel)
                    same[rel] = plan.sigs[rel]
        changes: dict[str, dict[str, Any]] = {}
        if dropped or any(fresh.rows.values()):
            changes = {name: dict.fromkeys(dropped & plan.old_sigs.keys(), None)
                       for name in ("sigs", "blobs")}
            for rel in dropped:
                changes.setdefault(part_of_rel(rel), {})[rel] = None
            for part, rows in fresh.rows.items():
                if rows:
                    changes.setdefault(part, {}).update(rows)
                    changes["sigs"].update((rel, plan.sigs[rel]) for rel in rows)
                    changes["blobs"].update((rel, fresh.blobs.get(rel)) for rel in rows)
        if same:  # the same bytes: only the signature is new
            changes.setdefault("sigs", {}).update(same)
        return changes, dropped

    def report(self, plan: planning.Plan, store: _Store, dropped: set[str]) -> LoadReport:
        """Write head (last: its time says what to trust) if anything in it changed; the
        report of the read."""
        root, snap, fresh = self.root, self.snap, self.fresh
        head = snap.head
        generation: str = head["generation"] if isinstance(head.get("generation"), str) else ""
        count = head.get("count") if isinstance(head.get("count"), int) else None
        content_changed = store.compact or bool(dropped) or any(fresh.rows.values())
        if content_changed or count is None:
            count = len(store.final_sigs())
        if plan.git is not None and plan.sigs:
            _not_vouched(plan, fresh)
        # the generation changes when what the cache holds changes: a file read again (even
        # to the same row: its positions may have moved), a file gone or broken
        kept = head.get("history")
        history: list[Any] = kept if store.parts_ok and isinstance(kept, list) else []
        new_generation = generation
        if content_changed:
            new_generation = new_token()
            changed_rels = dropped | {rel for rows in fresh.rows.values() for rel in rows}
            history = next_history(history, generation, new_generation, changed_rels) \
                if store.parts_ok and generation else []
        new_head = {"tokens": store.tokens, "journal": store.journal_token,
                    "warnings": fresh.kept_warnings, "failed": sorted(fresh.invalid),
                    "dirs": plan.dirs or head.get("dirs") or {}, "git": plan.git,
                    "count": count, "generation": new_generation, "history": history,
                    "checked": snap.checked_ns}
        # a folder listed again only because it was too new to trust becomes trusted
        # by a head written with this read's time: else every command lists it again
        settled = 0 < plan.racy_dir_ns < snap.checked_ns - RACY_NS
        if settled or any(new_head[k] != head.get(k) for k in new_head if k != "checked"):
            write_part(root, "head", new_head)
            generation = str(new_head["generation"])
        entries: list[Entry] | Callable[[], list[Entry]] = (
            plan.entries if plan.entries is not None else (lambda: scan(root)))
        report = LoadReport(self.index, fresh.problems, entries, len(plan.todo),
                            time.perf_counter() - self.started, fresh.warned, generation,
                            count + len(fresh.invalid))
        report.strays = plan.strays
        report.history = history
        invalid, final_sigs = fresh.invalid, store.final_sigs
        report.rels_source = lambda: [*final_sigs(), *invalid]
        return report


def _why_unreadable(root: Path, rel: str) -> str:
    try:
        with os.scandir(os.path.join(root, *rel.split("/"))):
            return "?"
    except OSError as exc:
        return exc.strerror or "?"


class _Listing:
    """``git ls-files`` running while the files are read, to remember git's view."""

    def __init__(self, root: Path, changed: frozenset[str]):
        self.changed = changed
        self.index_sig = gitops.index_signature(root)
        self.pending = gitops.start_tracked(root, RECORDS)

    def take(self, plan: planning.Plan) -> None:
        tracked = self.pending.wait()
        if tracked is not None:
            plan.index_blobs = tracked.blobs
            plan.git = planning.git_memo(tracked, self.index_sig, self.changed,
                                         plan.entries or [])


def _not_vouched(plan: planning.Plan, fresh: _Fresh) -> None:
    """A file read now whose bytes are not the index's (saved while git was asked, or not
    committed) is not vouched for by git next time, whatever diff-files says then."""
    assert plan.git is not None
    read = [rel for rel in plan.sigs if rel in fresh.blobs or rel in fresh.invalid]
    vouched = plan.index_blobs
    plan.git["changed"] = sorted(set(plan.git["changed"]) | {
        rel for rel in read if vouched is None or fresh.blobs.get(rel) != vouched.get(rel)})


class _Store:
    """The changes of a read kept in the cache: in the journal, or (when the journal grows
    long, or a part is lost) every part written whole with the journal in it; the index
    given the parts' rows (decoded when a query first asks for a kind)."""

    def __init__(self, root: Path, snap: Snapshot, plan: planning.Plan,
                 changes: dict[str, dict[str, Any]]):
        self.root, self.snap, self.plan, self.changes = root, snap, plan, changes
        self.journal = dict(snap.journal)
        for name, changed_entries in changes.items():
            self.journal[name] = {**self.journal.get(name, {}), **changed_entries}
        self.tokens = dict(snap.tokens)
        self.parts_ok = bool(snap.tokens) and all(
            part_ok(root, name, snap.tokens.get(name)) for name in (*ROW_PARTS, "blobs"))
        self.compact = (not self.parts_ok
                        or sum(len(v) for v in self.journal.values()) > JOURNAL_LIMIT)
        self.journal_token = snap.head.get("journal")
        self._sigs: dict[str, int] | None = None
        self._paths: dict[str, str] | None = None
        self._paths_token = self.tokens.get("paths")

    def final_sigs(self) -> dict[str, int]:
        """Every valid file's signature after this read (made when first needed)."""
        if self._sigs is None:
            old = self.plan.old_sigs
            self._sigs = overlay(dict(old), self.changes.get("sigs")) if self.changes else old
        return self._sigs

    def paths(self) -> dict[str, str]:
        """Record ID -> file of every valid record after this read: the cache's part of
        them with the journal's and this read's changes of files over it (decoding every
        file's signature and finding each one's ID took 0.08 s at 50,000 records), else
        (no such part, or an ID in two files) from every file's signature."""
        if self._paths is not None:
            return self._paths
        found = read_tokened(self.root, "paths", self._paths_token)
        if found is not None and found.get("unique") is True and isinstance(
                found.get("paths"), dict):
            paths: dict[str, str] = found["paths"]
            if (_paths_changed(paths, self.snap.journal.get("sigs"))
                    and _paths_changed(paths, self.changes.get("sigs"))):
                return paths
        return paths_of(self.final_sigs())

    def keep(self, index: Index) -> None:
        root, snap, tokens = self.root, self.snap, self.snap.tokens
        if self.compact:  # write every part whole, and start a new journal
            for part in ROW_PARTS:
                rows = _part_loader(root, part, tokens.get(part), self.journal.get(part),
                                    self.final_sigs, bool(tokens))()
                self.tokens[part] = write_part(root, part, rows)
                _add_rows(index, part, rows)
            self.tokens["sigs"] = write_part(root, "sigs", self.final_sigs())
            made = paths_of(self.final_sigs())
            self._paths = dict(made)
            self.tokens["paths"] = write_part(root, "paths", {
                "paths": made, "unique": len(made) == _record_files(self.final_sigs())})
            self.tokens["blobs"] = write_part(
                root, "blobs", overlay(dict(snap.blobs()), self.journal.get("blobs")))
            self.journal = {}
        else:
            for part in ROW_PARTS:
                loader = _part_loader(root, part, tokens.get(part), self.journal.get(part),
                                      self.final_sigs)
                if part == "special":
                    _set_special(index, loader())
                else:  # a few rows by ID without decoding the part (a write's)
                    index.set_source(part, _values_of(loader),
                                     _lookup_of(root, part, tokens.get(part),
                                                self.journal.get(part)))
        index.set_paths_source(self.paths)
        if self.changes or self.compact:
            self.journal_token = write_part(root, "journal", self.journal)
            if self.journal_token is None:
                self.tokens = {}  # no journal: nothing written can be trusted


# --- the parts' rows in the index --------------------------------------------------------


def _part_loader(root: Path, part: str, token: str | None, changes: dict[str, Any] | None,
                 load_sigs: Callable[[], dict[str, int]], written: bool = True
                 ) -> Callable[[], dict[str, Any]]:
    """The rows of a part: the written part (if the cache was ``written`` before) with the
    journal's changes applied; if the part is not the one head names, its files read
    again (and the part written again)."""

    def load() -> dict[str, Any]:
        rows = read_tokened(root, part, token) if written else {}
        if rows is None:
            root_s = str(root)
            entries = [e for rel in load_sigs() if part_of_rel(rel) == part
                       and (e := entry_of(root_s, rel)) is not None]
            rows = {rel: value for rel, value, *_ in parse_many(
                entries, len(entries) >= PARALLEL_THRESHOLD) if value is not None}
        rows = overlay(rows, changes)
        return rows if part == "special" else _in_scan_order(rows)

    return load


def _record_files(sigs: dict[str, int]) -> int:
    """How many of the files are records (in a kind's folder), as :func:`paths_of` counts."""
    return sum(1 for rel in sigs if rel.count("/") > 1)


def _paths_changed(paths: dict[str, str], changes: dict[str, Any] | None) -> bool:
    """``paths`` (ID -> file, no ID twice) with the files of ``changes`` (file -> its
    signature, None: gone) changed as :func:`paths_of` would find them; False if an ID
    would then be in two files (then :func:`paths_of` must settle which one counts)."""
    for rel, value in (changes or {}).items():
        if rel.count("/") <= 1:
            continue  # not a record's file (config, vocabularies)
        rid = rel[rel.rfind("/") + 1:rel.rfind(".")]  # id_of_path, as paths_of has it
        if value is None:
            if paths.get(rid) == rel:
                del paths[rid]
        elif paths.setdefault(rid, rel) != rel:
            return False
    return True


def _lookup_of(root: Path, part: str, token: Any, changes: dict[str, Any] | None
               ) -> Callable[[], PartLookup | None]:
    return lambda: read_lookup(root, part, token, changes)


def _set_special(index: Index, rows: dict[str, Any]) -> None:
    for rel, value in rows.items():
        if rel.endswith("/" + CONFIG_FILE):
            index.config = value
        else:
            index.vocabularies = value


def _in_scan_order(rows: dict[str, Any]) -> dict[str, Any]:
    """A part's rows, sorted as :func:`scan` finds their files when two share an ID (then
    the last one wins, as in a read without the cache); else as they are."""
    if len({value[0] for value in rows.values()}) == len(rows):
        return rows
    return dict(sorted(rows.items(), key=lambda item: scan_key(item[0])))


def _values_of(loader: Callable[[], dict[str, Any]]) -> Callable[[], list[Any]]:
    return lambda: list(loader().values())


def _add_rows(index: Index, part: str, rows: dict[str, Any]) -> None:
    if part == "special":
        _set_special(index, rows)
    else:
        for value in rows.values():
            index.add_cached(part, value)
