"""Which files a read must parse: what changed since the cache was written.

* In the top folder of a git work tree, git is asked (:mod:`hs.store.gitops`,
  :func:`by_git`). While git's index file keeps its signature (or its listing its
  digest), every tracked file that ``git diff-files`` does not name has the content the
  cache was built from; only the files it names, the files git does not track, the files
  that failed and the folders whose modification time changed (for new files) are looked
  at. When the index changed (a commit, a checkout, a pull), every tracked file's blob ID
  is compared with the one read last time. No stat() per file.
* Elsewhere, and when git fails, every file's size and modification time are compared
  with the signature of the cached entry (:func:`by_stat`).

Either way a file whose signature matches but changed less than two seconds before head
was written is read again (a coarse clock could hide a same-size edit). When git names
many files whose content is what the cache read (git's stat data stale), the read lets
git refresh its index once (:mod:`hs.store.load`, ``_refresh_stale_index``).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Mapping, Set
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hs.records.layout import RECORDS
from hs.store import gitops
from hs.store.cache import Snapshot
from hs.store.layout import Entry, entry_of, scan, scan_folder, through_link
from hs.store.read import signature

MANY_SUSPECTS = 2000  # more files git cannot vouch for are looked at through a listing


@dataclass
class Plan:
    """What a read must do: the files to parse (with their signatures) and the cached files
    that are gone; every other cached file is trusted as it is."""

    load_sigs: Callable[[], dict[str, int]]
    trusted_before: int
    todo: list[Entry] = field(default_factory=list)
    sigs: dict[str, int | None] = field(default_factory=dict)  # None: taken by the reader
    gone: set[str] = field(default_factory=set)
    missing: set[str] = field(default_factory=set)
    entries: list[Entry] | None = None  # every file, when the plan listed them all
    strays: list[str] | None = None  # the stray files, when the plan listed every folder
    dirs: dict[str, int] = field(default_factory=dict)
    git: dict[str, Any] | None = None  # what to remember of git for the next read
    index_blobs: dict[str, str] | None = None  # the index's blob IDs, when listed
    # the latest modification time of a folder listed only because it changed too close
    # to the last cache write to be trusted, not because it changed since (0: none)
    racy_dir_ns: int = 0

    @property
    def old_sigs(self) -> dict[str, int]:
        return self.load_sigs()

    def check(self, entry: Entry, force: bool = False) -> None:
        """Parse the file unless its signature matches the cache's (and is not racy)."""
        rel = entry[3]
        try:
            st = None if through_link(entry) else os.stat(entry[2])
        except OSError:
            st = None
        if st is None or stat.S_ISDIR(st.st_mode):  # gone (or now a folder)
            self.lose(rel)
            return  # a FIFO, a device...: read, and refused as a problem (hs.store.read)
        sig = signature(st)
        if not force and self.old_sigs.get(rel) == sig and st.st_mtime_ns < self.trusted_before:
            return
        self.parse(entry, sig)

    def parse(self, entry: Entry, sig: int) -> None:
        if entry[3] not in self.sigs:
            self.todo.append(entry)
        self.sigs[entry[3]] = sig

    def lose(self, rel: str) -> None:
        """A file is not there (any more)."""
        self.missing.add(rel)
        if rel in self.old_sigs:
            self.gone.add(rel)


def by_stat(root: Path, load_sigs: Callable[[], dict[str, int]], trusted_before: int
            ) -> Plan:
    """Look at every file: its signature against the cached one. With nothing cached,
    every file is read, and its signature taken by the reader from the open file."""
    plan = Plan(load_sigs, trusted_before)
    plan.strays = []
    plan.entries = scan(root, plan.dirs, plan.strays)
    old = plan.old_sigs
    if not old:
        plan.todo = list(plan.entries)
        plan.sigs = dict.fromkeys(e[3] for e in plan.entries)
        return plan
    _check_all(plan, plan.entries, old, trusted_before)
    plan.gone |= old.keys() - {e[3] for e in plan.entries}
    return plan


def _check_all(plan: Plan, entries: list[Entry], old: dict[str, int],
               trusted_before: int) -> None:
    """:meth:`Plan.check` for many listed files (plain files, as :func:`scan` lists
    them), written out: it is one stat() a file on a large tree."""
    stat_, get = os.stat, old.get
    for entry in entries:
        try:
            st = stat_(entry[2])
        except OSError:
            plan.missing.add(entry[3])
            if entry[3] in old:
                plan.gone.add(entry[3])
            continue
        sig = signature(st)
        if get(entry[3]) != sig or st.st_mtime_ns >= trusted_before:
            plan.parse(entry, sig)


def git_memo(listing: Any, index_sig: Any, changed: frozenset[str],
             entries: list[Entry]) -> dict[str, Any]:
    """What to remember of git after a read that listed every file."""
    other = set(listing.other)
    return {"index": index_sig, "digest": listing.digest, "changed": sorted(changed),
            "other": listing.other,
            "untracked": [e[3] for e in entries
                          if e[3] not in listing.blobs and e[3] not in other]}


def by_git(root: Path, snap: Snapshot, changed: frozenset[str]) -> Plan | None:
    """Ask git (see above); None if git cannot tell. ``changed``: the files
    ``git diff-files`` names."""
    head = snap.head
    last = head.get("git")
    dirs = head.get("dirs")
    if not isinstance(last, dict) or not last.get("digest") or not isinstance(dirs, dict) \
            or not dirs:
        return None
    index_sig = gitops.index_signature(root)
    listing = None
    if index_sig is None or last.get("index") != index_sig:
        listing = gitops.tracked(root, RECORDS)
        if listing is None:
            return None
        if listing.digest == last.get("digest"):
            listing = None  # the index was written again, with the same content
    # files git cannot vouch for: changed since the index, not tracked, failed last time,
    # or special (symbolic links, conflicts, flagged); and those found new in a folder
    untracked: set[str] = set(last.get("untracked", ()))
    other = list(listing.other) if listing is not None else list(last.get("other", ()))
    failed = set(head.get("failed", ()))
    suspects: set[str] = set(changed) | untracked | set(last.get("changed", ())) | set(
        other) | failed
    plan = Plan(snap.sigs, snap.trusted_before)
    _look_into_folders(plan, str(root), dirs, suspects, untracked)
    if listing is not None:  # the index changed: compare every tracked file's blob
        untracked = _compare_blobs(plan, str(root), listing, snap.blobs(),
                                   changed | set(other) | failed, suspects, untracked)
    if len(suspects) > MANY_SUSPECTS:  # most of the tree (say, never committed): list it
        _check_listed(plan, root, suspects)
    else:
        _check_suspects(plan, str(root), suspects)
    plan.git = {"index": index_sig,
                "digest": listing.digest if listing is not None else last.get("digest"),
                "changed": sorted(changed), "other": other,
                "untracked": sorted(untracked - plan.missing)}
    return plan


def _look_into_folders(plan: Plan, root_s: str, dirs: dict[str, int], suspects: set[str],
                       untracked: set[str]) -> None:
    """Note every folder's modification time; list those changed since the last read, and
    add the files found there that the cache does not hold to ``suspects`` and
    ``untracked``."""
    for rel_dir, mtime in dirs.items():
        folder = os.path.join(root_s, *rel_dir.split("/"))
        try:
            if rel_dir.count("/") > 1 and os.path.islink(folder):
                continue  # now a link, which scan does not follow: as if gone
            st = os.stat(folder)
        except OSError:
            continue  # its files are gone: git names the tracked ones, the rest are suspects
        plan.dirs[rel_dir] = st.st_mtime_ns
        if st.st_mtime_ns == mtime:
            if mtime < plan.trusted_before:
                continue
            plan.racy_dir_ns = max(plan.racy_dir_ns, mtime)
        if "/" in rel_dir and _nothing_new(folder, rel_dir, plan.old_sigs, suspects):
            continue
        found: list[Entry] = []  # a file added, removed or renamed in this folder
        scan_folder(root_s, rel_dir, found, plan.dirs, dirs)
        old_sigs = plan.old_sigs
        for entry in found:
            if entry[3] not in old_sigs and entry[3] not in suspects:
                suspects.add(entry[3])
                untracked.add(entry[3])


def _nothing_new(folder: str, rel_dir: str, known: Mapping[str, int],
                 suspects: Set[str]) -> bool:
    """Whether a kind's folder (or one below it) holds nothing but files the cache or the
    suspects know, and no folder: then listing it as :func:`scan_folder` does would find
    nothing new. Names with a dot in front aside, which no read looks at. One listing
    with no stat() and a lookup a name (a folder of 14,000 files in 8 ms, against 23);
    anything else (a name not known, a folder, a folder where a file was, an error) is
    left to the full listing."""
    prefix = rel_dir + "/"
    try:
        with os.scandir(folder) as entries:
            for e in entries:
                name = e.name
                if name[0] != "." and (e.is_dir(follow_symlinks=False) or (
                        prefix + name not in known and prefix + name not in suspects)):
                    return False
    except OSError:
        return False
    return True


def _compare_blobs(plan: Plan, root_s: str, listing: gitops.Tracked, known: dict[str, str],
                   doubtful: Set[str], suspects: set[str], untracked: set[str]) -> set[str]:
    """After the index changed: a clean tracked file whose blob is the one the cache read
    is no suspect; one whose blob is not is read again. Cached files git no longer tracks
    become suspects. The files git does not track, as it is now."""
    vouched = plan.index_blobs = listing.blobs
    # a clean tracked file holds its blob: the cache is right if it read that blob
    suspects -= {rel for rel in suspects if rel not in doubtful
                 and rel in vouched and vouched[rel] == known.get(rel)}
    for rel in [rel for rel, blob in vouched.items()
                if blob != known.get(rel) and rel not in doubtful]:
        stale = entry_of(root_s, rel)
        if stale is not None:
            plan.check(stale, force=True)  # clean, but not what the cache holds
    # cached files git no longer tracks (git rm --cached): look at them
    suspects |= plan.old_sigs.keys() - vouched.keys()
    tracked = vouched.keys() | set(listing.other)
    return {rel for rel in suspects | untracked if rel not in tracked}


def _check_listed(plan: Plan, root: Path, suspects: set[str]) -> None:
    """Look at the suspects through a listing of the whole tree."""
    plan.strays = []
    plan.entries = scan(root, plan.dirs, plan.strays)
    listed = {e[3] for e in plan.entries}
    _check_all(plan, [e for e in plan.entries if e[3] in suspects
                      and e[3] not in plan.sigs], plan.old_sigs, plan.trusted_before)
    for rel in suspects - listed:
        plan.lose(rel)


def _check_suspects(plan: Plan, root_s: str, suspects: set[str]) -> None:
    """Look at each suspect by itself."""
    for rel in suspects:
        if rel in plan.sigs:
            continue
        suspect = entry_of(root_s, rel)
        if suspect is None:
            plan.lose(rel)
            continue
        plan.check(suspect)
