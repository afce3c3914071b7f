"""The git operations of ``hs sync``: the branch, the remote, fetch, merge, push.

Each returns what git did or raises :class:`SyncFailure` with a reason the application
turns into one line (no remote, unreachable, rejected push, uncommitted changes, not on a
branch, a merge git could not finish). The merge of record files is the record merge
driver (:mod:`hs.store.mergedriver`), registered first (:mod:`hs.store.mergesetup`); the
merge is a merge commit, never a rebase.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from hs.records.layout import RECORDS
from hs.store.mergesetup import register


class SyncFailure(Exception):
    """Why sync stopped: ``reason`` is one of no-git, detached, dirty, no-remote,
    unknown-remote, unreachable, rejected, merge-failed, push-failed."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(reason)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class Counts:
    """Commits and record files that differ one way."""

    commits: int
    records: int


def _env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE")}
    env.update({"GIT_TERMINAL_PROMPT": "0", "GIT_MERGE_AUTOEDIT": "no"})
    env.update(extra or {})
    return env


def _git(root: Path, *args: str, extra: dict[str, str] | None = None
         ) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True,
                              env=_env(extra), check=False)
    except OSError:
        raise SyncFailure("no-git") from None


def _last_line(proc: subprocess.CompletedProcess[str]) -> str:
    """git's reason: its first ``fatal:``/``error:`` line, else its last line."""
    lines = (proc.stderr.strip() or proc.stdout.strip()).splitlines()
    for line in lines:
        if line.startswith(("fatal: ", "error: ")):
            return line.split(": ", 1)[1].strip().rstrip(".")
    return lines[-1].strip().rstrip(".") if lines else ""


def prepare(root: Path) -> str:
    """The current branch, after checking the clone can sync (and registering the
    merge driver)."""
    if _git(root, "rev-parse", "--is-inside-work-tree").returncode != 0:
        raise SyncFailure("no-git")
    branch = _git(root, "symbolic-ref", "--quiet", "--short", "HEAD")
    if branch.returncode != 0:
        raise SyncFailure("detached")
    state = _git(root, "status", "--porcelain", "--untracked-files=no")
    if state.stdout.strip():
        raise SyncFailure("dirty", str(len(state.stdout.strip().splitlines())))
    register(root)
    return branch.stdout.strip()


def remote_of(root: Path, branch: str, name: str | None) -> tuple[str, str]:
    """The remote to sync with and the branch there: ``name`` if given, else the
    branch's upstream, else the only remote, else ``origin``."""
    remotes = _git(root, "remote").stdout.split()
    if name is not None:
        if name not in remotes:
            raise SyncFailure("unknown-remote", name)
        return name, _upstream_branch(root, branch, name) or branch
    if not remotes:
        raise SyncFailure("no-remote")
    up = _git(root, "config", "--get", f"branch.{branch}.remote").stdout.strip()
    if up in remotes:
        return up, _upstream_branch(root, branch, up) or branch
    if len(remotes) == 1:
        return remotes[0], branch
    if "origin" in remotes:
        return "origin", branch
    raise SyncFailure("no-remote")


def _upstream_branch(root: Path, branch: str, remote: str) -> str | None:
    if _git(root, "config", "--get", f"branch.{branch}.remote").stdout.strip() != remote:
        return None
    merge = _git(root, "config", "--get", f"branch.{branch}.merge").stdout.strip()
    return merge.removeprefix("refs/heads/") or None


def fetch(root: Path, remote: str, branch: str) -> str | None:
    """Fetch ``branch`` of ``remote``: the commit it points to, or None if the remote
    has no such branch yet."""
    proc = _git(root, "fetch", "--quiet", remote)
    if proc.returncode != 0:
        raise SyncFailure("unreachable", _last_line(proc))
    ref = _git(root, "rev-parse", "--verify", "--quiet", f"refs/remotes/{remote}/{branch}")
    return ref.stdout.strip() or None


def counts(root: Path, frm: str | None, to: str) -> Counts:
    """The commits in ``to`` not in ``frm`` (None: every commit), and the record files
    they change."""
    if frm is None:
        n = _git(root, "rev-list", "--count", to).stdout.strip()
        names = _git(root, "ls-tree", "-r", "--name-only", to, "--", RECORDS).stdout
    else:
        n = _git(root, "rev-list", "--count", f"{frm}..{to}").stdout.strip()
        names = _git(root, "diff", "--name-only", f"{frm}...{to}", "--", RECORDS).stdout
    return Counts(int(n or 0), sum(1 for line in names.splitlines()
                                   if line.strip().endswith(".yaml")))


def merge(root: Path, theirs: str, message: str) -> list[str]:
    """Merge ``theirs`` into the branch (a fast-forward when there is nothing of ours,
    else a merge commit). Returns the files git could not merge, after undoing the
    merge; an empty list when it merged."""
    proc = _git(root, "merge", "--no-edit", "-m", message, theirs,
                extra={"HS_MERGE_THEIRS": theirs})
    if proc.returncode == 0:
        return []
    unmerged = _git(root, "diff", "--name-only", "--diff-filter=U").stdout.split()
    _git(root, "merge", "--abort")
    if not unmerged:
        raise SyncFailure("merge-failed", _last_line(proc))
    return unmerged


def push(root: Path, remote: str, branch: str) -> None:
    """Push HEAD to ``branch`` of ``remote``; a branch that tracks nothing yet (a clone
    made by ``hs init``, first synced) then tracks it, so a plain ``git pull`` works too."""
    local = _git(root, "symbolic-ref", "--quiet", "--short", "HEAD").stdout.strip()
    tracks = _git(root, "config", "--get", f"branch.{local}.remote").stdout.strip()
    upstream = () if tracks or not local else ("--set-upstream",)
    proc = _git(root, "push", "--quiet", *upstream, remote, f"HEAD:refs/heads/{branch}")
    if proc.returncode == 0:
        return
    text = proc.stderr
    if "non-fast-forward" in text or "fetch first" in text:
        raise SyncFailure("rejected")
    raise SyncFailure("push-failed", _last_line(proc))


def head(root: Path) -> str | None:
    proc = _git(root, "rev-parse", "--verify", "--quiet", "HEAD")
    return proc.stdout.strip() or None


# --- the key store's ref ---------------------------------------------------------------
# The key store travels as refs/hs/keys: one parentless commit holding one file, `keys`,
# force-updated (old versions are not kept). It is built and pushed straight from
# objects, with no local ref (so no reflog); the objects it leaves in this clone (the
# ones fetched, the ones made) are removed after the push when they are loose, so the
# clone's git folder keeps no old copy (the live copy is the file in .git/hs/).

KEYS_REF = "refs/hs/keys"
KEYS_FILE = "keys"


def _fetched_ref(remote: str) -> str:
    return f"refs/hs-fetched/{remote}/keys"


def fetch_keys(root: Path, remote: str) -> tuple[str | None, bytes | None]:
    """The remote's key store: the commit its ref names and the file's bytes, or
    (None, None) when the remote has none."""
    proc = _git(root, "fetch", "--quiet", "--prune", "--no-write-fetch-head", remote,
                f"+refs/hs/*:refs/hs-fetched/{remote}/*")
    if proc.returncode != 0:
        raise SyncFailure("unreachable", _last_line(proc))
    sha = _git(root, "rev-parse", "--verify", "--quiet",
               _fetched_ref(remote)).stdout.strip()
    if not sha:
        return None, None
    blob = subprocess.run(["git", "cat-file", "blob", f"{sha}:{KEYS_FILE}"], cwd=root,
                          capture_output=True, env=_env(), check=False)
    return sha, (blob.stdout if blob.returncode == 0 else None)


def _keys_commit(root: Path, data: bytes) -> list[str]:
    """The objects of a key store commit: [commit, tree, blob]."""
    blob = subprocess.run(["git", "hash-object", "-w", "--stdin"], cwd=root, input=data,
                          capture_output=True, env=_env(), check=True).stdout.decode().strip()
    tree = subprocess.run(
        ["git", "mktree"], cwd=root, input=f"100644 blob {blob}\t{KEYS_FILE}\n",
        capture_output=True, text=True, env=_env(), check=True).stdout.strip()
    fixed = {"GIT_AUTHOR_NAME": "hs", "GIT_AUTHOR_EMAIL": "hs@localhost",
             "GIT_COMMITTER_NAME": "hs", "GIT_COMMITTER_EMAIL": "hs@localhost",
             "GIT_AUTHOR_DATE": "@0 +0000", "GIT_COMMITTER_DATE": "@0 +0000"}
    commit = _git(root, "commit-tree", tree, "-m", "hs key store", extra=fixed).stdout.strip()
    return [commit, tree, blob]


def push_keys(root: Path, remote: str, data: bytes, lease: str | None) -> None:
    """Replace the remote's key store with ``data``, only if it still is ``lease`` (the
    commit fetched; None: it had none). A remote that changed meanwhile: ``rejected``."""
    made = _keys_commit(root, data)
    proc = _git(root, "push", "--quiet", f"--force-with-lease={KEYS_REF}:{lease or ''}",
                remote, f"{made[0]}:{KEYS_REF}")
    drop_keys_objects(root, remote, made)
    if proc.returncode == 0:
        return
    if "stale info" in proc.stderr or "rejected" in proc.stderr:
        raise SyncFailure("rejected")
    raise SyncFailure("push-failed", _last_line(proc))


def drop_keys_objects(root: Path, remote: str, made: list[str] | None = None) -> None:
    """Forget the fetched key store ref and remove the loose objects of old key stores
    (fetched or made here): they are reachable from nothing else."""
    shas = list(made or [])
    sha = _git(root, "rev-parse", "--verify", "--quiet", _fetched_ref(remote)).stdout.strip()
    if sha:
        shas += [sha, *_git(root, "rev-parse", f"{sha}^{{tree}}",
                            f"{sha}:{KEYS_FILE}").stdout.split()]
        _git(root, "update-ref", "-d", _fetched_ref(remote))
    objects = Path(_git(root, "rev-parse", "--git-path", "objects").stdout.strip())
    if not objects.is_absolute():
        objects = root / objects
    for s in shas:
        if len(s) == 40 and s.isalnum():
            (objects / s[:2] / s[2:]).unlink(missing_ok=True)
