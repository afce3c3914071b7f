"""hs's git pre-commit hook: installed by `hs init` and by the first hs command in a clone,
chained to a hook that was there, refusing a hand-made commit that breaks the tree
(deletions included), skipped by hs's own commits; the setup costs no git process once
done."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hs.base.errors import GitError
from hs.cli import app
from hs.store import clonesetup, gitops
from tests.conftest import commit_all, git, write_record

runner = CliRunner()


@pytest.fixture(autouse=True)
def _setup_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HS_CLONE_SETUP", raising=False)
    monkeypatch.setenv("HS_TODAY", "2025-06-30")


def hs(root: Path | None, *args: str) -> tuple[int, str, str]:
    argv = [*args, "--repo", str(root)] if root is not None else list(args)
    r = runner.invoke(app, argv)
    return r.exit_code, r.stdout, r.stderr


def new(root: Path, *args: str) -> str:
    code, out, err = hs(root, *args)
    assert code == 0, err
    return out.strip()


def commit(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", "commit", "-q", *args], cwd=root, capture_output=True,
                          text=True)


def test_init_installs_the_hook_and_ignores_temporary_files(tmp_path: Path) -> None:
    target = tmp_path / "records-leuven"
    code, _, err = hs(None, "init", str(target))
    assert code == 0, err
    hook = target / ".git/hooks/pre-commit"
    assert clonesetup.SIGNATURE in hook.read_text()
    assert hook.stat().st_mode & 0o111
    assert (target / ".git" / clonesetup.MARKER).exists()
    assert ".*.tmp" in (target / ".gitignore").read_text().splitlines()
    assert ".*.tmp" in (target / ".git/info/exclude").read_text().splitlines()


def test_a_clone_gets_it_from_its_first_command(empty_repo: Path, tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(empty_repo), str(clone))
    assert not (clone / ".git/hooks/pre-commit").exists()
    assert hs(clone, "list", "families")[0] == 0
    assert clonesetup.SIGNATURE in (clone / ".git/hooks/pre-commit").read_text()


def test_once_set_up_no_git_process_runs(empty_repo: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    clonesetup.ensure(empty_repo)
    assert (empty_repo / ".git" / clonesetup.MARKER).exists()

    def no_git(*_: object, **__: object) -> None:
        raise AssertionError("git was run")

    monkeypatch.setattr(gitops, "run", no_git)
    clonesetup.ensure(empty_repo)
    clonesetup.ensure(empty_repo / "records")


def test_a_hook_that_was_there_is_kept_and_run_first(empty_repo: Path) -> None:
    old = empty_repo / ".git/hooks/pre-commit"
    old.write_text("#!/bin/sh\necho local-hook-ran >> \"$(git rev-parse --git-dir)/ran\"\n")
    old.chmod(0o755)
    clonesetup.ensure(empty_repo)
    assert "local-hook-ran" in (empty_repo / ".git/hooks/pre-commit.local").read_text()
    (empty_repo / "x.txt").write_text("x\n")
    git(empty_repo, "add", "x.txt")
    assert commit(empty_repo, "-m", "by hand").returncode == 0
    assert (empty_repo / ".git/ran").read_text() == "local-hook-ran\n"
    clonesetup.install_hook(empty_repo / ".git/hooks", ".")  # again: the local one stays
    assert "local-hook-ran" in (empty_repo / ".git/hooks/pre-commit.local").read_text()


def test_a_failing_local_hook_stops_the_commit(empty_repo: Path) -> None:
    clonesetup.ensure(empty_repo)
    local = empty_repo / ".git/hooks/pre-commit.local"
    local.write_text("#!/bin/sh\necho 'local says no' >&2\nexit 3\n")
    local.chmod(0o755)
    (empty_repo / "x.txt").write_text("x\n")
    git(empty_repo, "add", "x.txt")
    proc = commit(empty_repo, "-m", "by hand")
    assert proc.returncode != 0 and "local says no" in proc.stderr


def referenced_family(root: Path) -> tuple[str, str]:
    fid = new(root, "family", "refer", "--location", "leuven", "--date", "2025-01-06",
              "--referrer", "kind-en-gezin")
    new(root, "family", "accept", fid, "--date", "2025-01-13")
    vid = new(root, "volunteer", "add", "--location", "leuven", "--gender", "f",
              "--birth-year", "1980", "--joined", "2024-09-01", "--checked", "2024-09-01")
    tid = new(root, "start", fid, vid, "--date", "2025-02-03")
    return fid, tid


def test_a_commit_that_only_deletes_a_referenced_record_is_refused(empty_repo: Path) -> None:
    root = empty_repo
    fid, tid = referenced_family(root)  # hs's own commits pass (the hook is installed)
    assert clonesetup.SIGNATURE in (root / ".git/hooks/pre-commit").read_text()
    head = git(root, "rev-parse", "HEAD")
    git(root, "rm", "-q", f"records/families/{fid}.yaml")
    proc = commit(root, "-m", "remove a family")
    assert proc.returncode != 0
    assert f"trajectories/{tid}.yaml" in proc.stdout + proc.stderr
    assert git(root, "rev-parse", "HEAD") == head
    # a valid hand-made commit passes
    git(root, "reset", "-q", "--hard")
    (root / "records/families" / f"{fid}.yaml").write_text(
        (root / "records/families" / f"{fid}.yaml").read_text() + "# checked\n")
    commit_all(root, "a comment by hand")


def test_hs_own_commits_skip_the_hook(empty_repo: Path) -> None:
    root = empty_repo
    clonesetup.ensure(root)
    write_record(root, "families/fbroken01.yaml", "schema_version: 1\nnot a record\n")
    (root / "x.txt").write_text("x\n")
    git(root, "add", "x.txt")
    proc = commit(root, "-m", "by hand")  # the broken record in the tree stops it
    assert proc.returncode != 0 and "fbroken01.yaml" in proc.stdout + proc.stderr
    # hs validated its own change before making it: the hook does not check again
    code, _, err = hs(root, "location", "add", "gent", "--name", "Home-Start Gent",
                      "--municipality", "Gent", "--from", "2020-01-01")
    assert code == 0, err
    assert git(root, "log", "-1", "--format=%s").startswith("location gent")


def test_a_read_only_git_folder_is_left_alone(empty_repo: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_: object, **__: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(clonesetup, "install_hook", refuse)
    clonesetup.ensure(empty_repo)  # no error
    assert not (empty_repo / ".git" / clonesetup.MARKER).exists()


def test_no_setup_outside_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_git(*_: object, **__: object) -> None:
        raise GitError("no")

    monkeypatch.setattr(gitops, "run", no_git)
    clonesetup.ensure(tmp_path)


def test_a_linked_work_tree_uses_the_common_hooks(empty_repo: Path, tmp_path: Path) -> None:
    linked = tmp_path / "linked"
    git(empty_repo, "worktree", "add", "-q", "-b", "side", str(linked))
    assert hs(linked, "list", "families")[0] == 0
    assert clonesetup.SIGNATURE in (empty_repo / ".git/hooks/pre-commit").read_text()
    assert (empty_repo / ".git" / clonesetup.MARKER).exists()


def _open_to_others(top: Path) -> list[str]:
    """Files and folders under ``top`` that the group or others may read or enter."""
    return sorted(p.relative_to(top).as_posix() for p in [top, *top.rglob("*")]
                  if not p.is_symlink() and p.stat().st_mode & 0o077)


def test_init_and_a_clone_keep_git_files_and_hs_files_private(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """core.sharedRepository 0600 in every clone; what git and hs write afterwards is its
    owner's only, also where the user's umask would let others read."""
    import os

    old = os.umask(0o022)
    try:
        target = tmp_path / "records-leuven"
        assert hs(None, "init", str(target))[0] == 0
        assert git(target, "config", "core.sharedRepository").strip() == "0600"
        assert _open_to_others(target / ".git") == []
        clone = tmp_path / "clone"
        git(tmp_path, "clone", "-q", str(target), str(clone))
        assert _open_to_others(clone / ".git") != []  # git clone with the umask 022
        assert hs(clone, "list", "families")[0] == 0
        assert git(clone, "config", "core.sharedRepository").strip() == "0600"
        assert _open_to_others(clone / ".git") == []
        assert _open_to_others(clone / "records") == []
        assert _open_to_others(clone / ".hs") == []  # the cache and the lock
        new(clone, "location", "add", "lier", "--name", "Home-Start Lier", "--municipality",
            "Lier", "--from", "2025-01-01")
        new(clone, "family", "refer", "--location", "lier", "--date", "2025-06-02",
            "--referrer", "self")
        for top in (".git", "records", ".hs"):  # new objects, the new records, the cache
            assert _open_to_others(clone / top) == [], top
        assert os.umask(0o022) == 0o022  # restored after each command
    finally:
        os.umask(old)
