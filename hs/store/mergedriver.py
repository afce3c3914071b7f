"""The git merge driver for record files: ``python -m hs.store.mergedriver %O %A %B %P``.

git calls it with the common ancestor (%O), ours (%A, where the result goes), theirs (%B)
and the file's path (%P), from the top of the work tree. It merges the record
(:func:`hs.store.merge.merge_record`), with each side's values credited to the author and
date of that side's last commit of the file, validates the result as a record of its kind,
and writes it to %A (exit 0). It never breaks git: on a file it cannot merge by record, a
merged file that does not validate, or any unexpected failure, it says so in one line and
falls back to git's own line merge (``git merge-file``: conflict markers, exit 1), which
leaves the conflict to git as if there were no driver.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

from hs.base.i18n import Catalog
from hs.store.layout import classify
from hs.store.merge import Side, Unmergeable, merge_record
from hs.store.read import parse_file

MSG = Catalog("store.mergedriver")


def theirs_revision(root: Path) -> str | None:
    """The commit being merged in: ``hs sync`` names it; ``git merge``/``pull`` sets
    GITHEAD_<sha>; else MERGE_HEAD."""
    named = os.environ.get("HS_MERGE_THEIRS")
    if named:
        return named
    for k in os.environ:
        if k.startswith("GITHEAD_") and len(k) > 20:
            return k.removeprefix("GITHEAD_")
    done = _git(root, "rev-parse", "--git-path", "rebase-merge/done")
    if done and (root / done.strip()).is_file():  # a rebase (git pull --rebase): the
        # commit being replayed is the last one done, "pick <sha> <subject>"
        last = (root / done.strip()).read_text(encoding="utf-8").splitlines()[-1:]
        words = last[0].split() if last else []
        if len(words) > 1:
            return words[1]
    for head in ("MERGE_HEAD", "CHERRY_PICK_HEAD", "REBASE_HEAD"):
        path = _git(root, "rev-parse", "--git-path", head)
        if path and (root / path.strip()).is_file():
            return (root / path.strip()).read_text(encoding="utf-8").split()[0]
    return None


def side(root: Path, rev: str | None, rel: str) -> Side:
    """The author and date of the last commit of ``rel`` in ``rev``."""
    if rev:
        got = _git(root, "log", "-1", "--format=%an%x09%as", rev, "--", rel)
        if got and "\t" in got:
            author, date = got.strip().split("\t", 1)
            if author.strip():
                return Side(author.strip()[:200], date)
    return Side("?", dt.date.today().isoformat())


def run(base: Path, ours: Path, theirs: Path, rel: str, root: Path) -> int:
    """Merge into ``ours``; 0 when merged, else git's own merge's exit code."""
    rf = classify(root, root / rel)
    if rf is None:
        return fallback(base, ours, theirs, rel, "not a record file")
    texts = [p.read_text(encoding="utf-8") for p in (base, ours, theirs)]
    try:
        merged = merge_record(texts[0], texts[1], texts[2], rf.kind,
                              side(root, "HEAD", rel), side(root, theirs_revision(root), rel))
    except Unmergeable as exc:
        return fallback(base, ours, theirs, rel, str(exc))
    # a result that is one side as committed needs no check (nor pydantic's start-up)
    fresh = merged.text not in (texts[1], texts[2])
    if fresh and parse_file(rf, merged.text.encode("utf-8")).problems:
        return fallback(base, ours, theirs, rel, MSG("invalid"))
    ours.write_text(merged.text, encoding="utf-8")
    if merged.conflicts:
        n = len(merged.conflicts)
        conflicts = MSG("conflicts-1") if n == 1 else MSG("conflicts", n=n)
        sys.stderr.write(MSG("merged", path=rel, conflicts=conflicts) + "\n")
    return 0


def fallback(base: Path, ours: Path, theirs: Path, rel: str, why: str) -> int:
    """git's own three-way line merge into ``ours`` (markers on a conflict)."""
    sys.stderr.write(MSG("fallback", path=rel, why=why) + "\n")
    try:
        proc = subprocess.run(["git", "merge-file", "-L", "ours", "-L", "base", "-L",
                               "theirs", str(ours), str(base), str(theirs)], check=False)
        return proc.returncode if proc.returncode != 0 else 0
    except OSError:
        return 1


def main(argv: list[str]) -> int:
    if len(argv) != 4:
        sys.stderr.write("usage: python -m hs.store.mergedriver %O %A %B %P\n")
        return 2
    base, ours, theirs = (Path(a) for a in argv[:3])
    rel = argv[3]
    try:
        return run(base, ours, theirs, rel, Path.cwd())
    except Exception as exc:  # never break git: leave the merge to git itself
        return fallback(base, ours, theirs, rel, type(exc).__name__)


def _git(root: Path, *args: str) -> str | None:
    try:
        proc = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True,
                              check=False)
    except OSError:
        return None
    return proc.stdout if proc.returncode == 0 else None


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
