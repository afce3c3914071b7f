"""What every clone of a records repository needs from hs in its git folder, set up once:
by ``hs init`` and by the first hs command in a clone that lacks it (``git clone``).

* hs's own **pre-commit hook**: before every commit made by hand (after editing a record
  in an editor, or deleting one), it runs ``hs validate`` on the whole records tree, so
  that a commit that breaks a rule (a record referring to one that is deleted, say) is
  refused. Deletions are included: the tree is checked as it is, not the files the commit
  names. hs's own commits skip it (``HS_OWN_COMMIT``): they were validated before they
  were made. A hook that was there before is kept as ``pre-commit.local`` and run first;
  the hook goes where git looks for hooks (``core.hooksPath`` too).
* hs's own **post-merge hook**: after a plain ``git pull`` (or ``git merge``) that made a
  merge, it runs ``hs validate`` and shows the problems, if any (a conflict the record
  merge kept, or a rule across records the merge broke: two active trajectories for one
  family, a volunteer over capacity), so that a merge is never committed in silence. It
  cannot undo the merge (git made it); ``hs resolve`` and the records settle it. A hook
  that was there is kept as ``post-merge.local`` and run first, as for pre-commit.
* **Temporary files** of an hs write killed halfway (``.NAME.PID.tmp``) are ignored by
  git (``info/exclude``, for clones whose ``.gitignore`` predates them).
* **Private git files**: ``core.sharedRepository`` is ``0600``, so that every file git
  writes in the git folder from now on (objects, refs, the index, logs) is readable by its
  owner only (folders 0700); what is there already, and the records tree, are made so once
  (:func:`hs.base.private.restrict_tree`). hs's own files are private through its umask
  (:mod:`hs.base.private`).
* the record-aware **merge driver** (:func:`hs.store.mergesetup.register`), checked on
  every command rather than once (one read of ``.git/config``), as it names the Python
  that runs hs, which changes when hs is installed again.

:func:`ensure` is on every command's path: when the clone is set up it costs a few
``stat`` calls (the marker file ``hs-setup-3`` in the common git folder), no git process.
A clone that cannot be set up (a read-only git folder) is left as it is, silently: the
commands still work, and the next one tries again.
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

from hs.base import portable
from hs.base.errors import HsError
from hs.base.private import restrict_tree
from hs.records.layout import RECORDS
from hs.store import gitops, gitstate, mergesetup
from hs.store.cache import CACHE_DIR

OFF = "HS_CLONE_SETUP"  # 'off': leave the git folder alone (the test suite; a CI runner)
#: bump the number when a clone needs more (2: the post-merge hook; 3: private git files)
MARKER = "hs-setup-3"
SHARED = "0600"  # core.sharedRepository: git's files for their owner only
HOOK = "pre-commit"
LOCAL_HOOK = "pre-commit.local"
SIGNATURE = "# hs pre-commit hook"
POST_MERGE = "post-merge"
POST_SIGNATURE = "# hs post-merge hook"
EXCLUDE = ("# hs: temporary files of a write that was interrupted (removed by hs)",
           ".*.tmp")


def ensure(root: Path) -> None:
    """Set up the clone holding the records tree at ``root`` unless it is (see above)."""
    mergesetup.register(root)  # git pull merges record by record
    if os.environ.get(OFF) == "off":
        return
    found = gitstate.locate(root)
    if found is None:
        return
    top, git_dir = found
    common = gitstate.common_dir(git_dir)
    if os.path.exists(common / MARKER):
        return
    try:
        setup(root, top, common)
    except (OSError, HsError):
        return


def setup(root: Path, top: Path, common: Path) -> None:
    """Install the hook and the ignore lines; then the marker."""
    hooks = _hooks_dir(top, common)
    install_hook(hooks, os.path.relpath(root, top))
    install_hook(hooks, os.path.relpath(root, top), POST_MERGE)
    exclude_temporary(common)
    make_private(root, top, common)
    (common / MARKER).write_text("set up by hs: pre-commit and post-merge hooks, info/exclude, "
                                 "private files\n", encoding="utf-8")


def make_private(root: Path, top: Path, common: Path) -> None:
    """``core.sharedRepository`` 0600, and the git folder and records tree private now."""
    gitops.run(top, "config", "core.sharedRepository", SHARED)
    restrict_tree(common)
    restrict_tree(root / RECORDS)
    restrict_tree(root / CACHE_DIR)


def _hooks_dir(top: Path, common: Path) -> Path:
    """Where git looks for hooks (``core.hooksPath`` if set)."""
    proc = gitops.run(top, "rev-parse", "--git-path", "hooks", check=False)
    out = proc.stdout.decode("utf-8", "replace").strip()
    if proc.returncode != 0 or not out:
        return common / "hooks"
    hooks = Path(out)
    return hooks if hooks.is_absolute() else top / hooks


def _validate_function(records: str) -> str:
    """The shell lines both hooks share: ``hs_validate`` runs 'hs validate' on the tree at
    ``records`` with the hs of the Python that installed the hook, else the hs on the
    PATH; 127 if there is none."""
    import shlex  # lazy: only a clone being set up quotes, not every command

    python = shlex.quote(sys.executable)
    return f"""records={shlex.quote(records or ".")}
[ -d "$records/records" ] || exit 0
hs_validate() {{
    if [ -x {python} ] && {python} -c 'import hs' >/dev/null 2>&1; then
        {python} -m hs validate --repo "$records"
    elif command -v hs >/dev/null 2>&1; then
        hs validate --repo "$records"
    else
        return 127
    fi
}}
"""


def hook_text(records: str) -> str:
    """The hook script, for a records tree at ``records`` (relative to the work tree)."""
    return f"""#!/bin/sh
{SIGNATURE} (written by hs; hs may rewrite this file).
# It refuses a commit that would leave the records tree broken: 'hs validate' checks
# the whole tree as it is, deleted records included. Put checks of your own in
# {LOCAL_HOOK} beside this file: it runs first. hs's own commits skip the check
# (HS_OWN_COMMIT): they were validated before they were made.
hooks=$(dirname "$0")
if [ -x "$hooks/{LOCAL_HOOK}" ]; then
    "$hooks/{LOCAL_HOOK}" "$@" || exit $?
fi
[ -n "$HS_OWN_COMMIT" ] && exit 0
{_validate_function(records)}hs_validate
rc=$?
[ "$rc" -ne 127 ] && exit "$rc"
echo "hs pre-commit hook: hs is not installed here, the records were not checked" >&2
exit 0
"""


def post_merge_text(records: str) -> str:
    """The post-merge hook script: the problems of the records after a merge, if any."""
    return f"""#!/bin/sh
{POST_SIGNATURE} (written by hs; hs may rewrite this file).
# After a merge (git pull), 'hs validate' says what the records need: a value given on
# both laptops (settle it with 'hs resolve'), or a rule across records the merge broke.
# Put steps of your own in post-merge.local beside this file: it runs first.
hooks=$(dirname "$0")
if [ -x "$hooks/post-merge.local" ]; then
    "$hooks/post-merge.local" "$@"
fi
{_validate_function(records)}out=$(hs_validate 2>&1)
rc=$?
[ "$rc" -ne 0 ] && [ "$rc" -ne 127 ] && echo "$out" >&2
exit 0
"""


def install_hook(hooks: Path, records: str, name: str = HOOK) -> bool:
    """Write hs's hook ``name`` (pre-commit or post-merge); a hook that is not hs's moves
    aside to ``NAME.local`` (kept as it is, and nothing installed, if that name is taken
    too). True if installed."""
    hooks.mkdir(parents=True, exist_ok=True)
    hook = hooks / name
    local = hooks / f"{name}.local"
    signature, text = ((POST_SIGNATURE, post_merge_text(records)) if name == POST_MERGE
                       else (SIGNATURE, hook_text(records)))
    if hook.exists() or hook.is_symlink():
        try:
            ours = signature in hook.read_text(encoding="utf-8", errors="replace")
        except OSError:
            ours = False
        if not ours:
            if local.exists() or local.is_symlink():
                return False
            os.replace(hook, local)
    tmp = hooks / f".{name}.{os.getpid()}.tmp"
    try:
        tmp.write_text(text, encoding="utf-8")
        portable.set_mode(tmp, 0o755)
        os.replace(tmp, hook)
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
    return True


def exclude_temporary(common: Path) -> None:
    """Add the temporary files' pattern to ``info/exclude`` (once)."""
    exclude = common / "info" / "exclude"
    try:
        old = exclude.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        old = ""
    if EXCLUDE[1] in old.splitlines():
        return
    exclude.parent.mkdir(parents=True, exist_ok=True)
    sep = "" if not old or old.endswith("\n") else "\n"
    with open(exclude, "a", encoding="utf-8") as fh:
        fh.write(sep + "\n".join(EXCLUDE) + "\n")


__all__ = ["MARKER", "OFF", "ensure", "exclude_temporary", "hook_text", "install_hook",
           "post_merge_text", "setup"]
