"""The record merge driver, registered in every clone.

git reads which files take which merge driver from ``.gitattributes`` (``hs init`` writes
it: :data:`ATTRIBUTES`) and the driver's command from the clone's own config, which a
clone never copies. So the first ``hs`` command in a clone that lacks it registers it:
``merge.hs.name`` and ``merge.hs.driver`` (this Python, ``-m hs.store.mergedriver``), and,
for a repository whose ``.gitattributes`` does not name the driver (made before it
existed), the same line in ``.git/info/attributes``, which is not committed; and
``pull.rebase false`` unless the clone or the user chose how to pull. Then a plain
``git pull`` merges record files the way ``hs sync`` does.

The check costs one read of ``.git/config`` (no git process) on every command.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

DRIVER = "hs"
NAME = "hs record merge (visits, reviews... as a union; conflicts kept in the record)"
ATTRIBUTES = "records/**/*.yaml merge=hs\n"


def driver_command() -> str:
    """The command git runs for a record file: this Python and the driver module."""
    return f'"{sys.executable}" -m hs.store.mergedriver %O %A %B %P'


def registered(root: Path) -> bool:
    """Whether this clone's config names the driver with this Python (one file read;
    a work tree whose ``.git`` is not a folder asks git)."""
    git = root / ".git"
    try:
        if git.is_dir():
            text = (git / "config").read_text(encoding="utf-8", errors="replace")
            return '[merge "hs"]' in text and sys.executable in text
        if not git.exists():
            return True  # not a git work tree: nothing to register
    except OSError:
        return True  # unreadable: leave it to git
    got = _git(root, "config", "--get", f"merge.{DRIVER}.driver")
    return got is not None and sys.executable in got


def register(root: Path) -> bool:
    """Register the driver in the clone at ``root`` unless it is; True if it did. Never
    raises: a clone it cannot write keeps git's own merge."""
    if registered(root):
        return False
    ok = (_git(root, "config", f"merge.{DRIVER}.name", NAME) is not None
          and _git(root, "config", f"merge.{DRIVER}.driver", driver_command()) is not None)
    if ok:
        _attributes(root)
        if _git(root, "config", "--get", "pull.rebase") is None and _git(
                root, "config", "--get", "pull.ff") is None:
            # git (2.27+) refuses a plain `git pull` of diverged branches until told how:
            # merge, as hs sync does (a rebase is credited correctly too, if chosen)
            _git(root, "config", "pull.rebase", "false")
    return ok


def _attributes(root: Path) -> None:
    """The attribute line in ``.git/info/attributes`` if ``.gitattributes`` lacks it."""
    try:
        own = root / ".gitattributes"
        if own.is_file() and "merge=hs" in own.read_text(encoding="utf-8"):
            return
        common = _git(root, "rev-parse", "--git-common-dir")
        if common is None:
            return
        info = (root / common.strip()) / "info"
        info.mkdir(parents=True, exist_ok=True)
        path = info / "attributes"
        old = path.read_text(encoding="utf-8") if path.exists() else ""
        if "merge=hs" not in old:
            path.write_text(old + ("" if not old or old.endswith("\n") else "\n")
                            + ATTRIBUTES, encoding="utf-8")
    except OSError:
        return


def _git(root: Path, *args: str) -> str | None:
    env = {k: v for k, v in os.environ.items()
           if k not in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_CONFIG")}
    try:
        proc = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True,
                              env=env, check=False)
    except OSError:
        return None
    return proc.stdout if proc.returncode == 0 else None
