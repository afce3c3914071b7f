"""A stale ``index.lock``: the message names the file; it is removed (with one line) only
when it is old and no git process works in the repository."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hs.cli import app
from hs.store import gitlock
from tests.conftest import git

runner = CliRunner()


def refer(root: Path) -> tuple[int, str]:
    r = runner.invoke(app, ["family", "refer", "--location", "leuven", "--date",
                            "2025-01-06", "--referrer", "self", "--repo", str(root)])
    return r.exit_code, r.stderr


def lock_file(root: Path, age: float) -> Path:
    lock = root / ".git" / "index.lock"
    lock.write_bytes(b"")
    then = time.time() - age
    os.utime(lock, (then, then))
    return lock


def test_a_stale_lock_is_removed_with_one_line(empty_repo: Path) -> None:
    lock = lock_file(empty_repo, 3600)
    code, err = refer(empty_repo)
    assert code == 0, err
    assert err.startswith(f"hs: removed {lock}, left by a git command that stopped"), err
    assert not lock.exists()
    assert git(empty_repo, "status", "--porcelain") == ""


def test_a_young_lock_is_kept_and_named(empty_repo: Path) -> None:
    lock = lock_file(empty_repo, 1)
    code, err = refer(empty_repo)
    assert (code, err) == (1, f"hs: git's index is locked: {lock} exists. If no git "
                              "command is running, remove that file, then try again\n")
    assert lock.exists()
    assert git(empty_repo, "status", "--porcelain") == ""


def test_the_lock_of_a_running_git_is_kept(empty_repo: Path) -> None:
    lock = lock_file(empty_repo, 3600)
    # a git process working in this repository (waiting for input, as a 'git commit' in
    # its editor waits for the user)
    proc = subprocess.Popen(["git", "cat-file", "--batch"], cwd=empty_repo,
                            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        time.sleep(0.3)
        code, err = refer(empty_repo)
        assert code == 1
        assert err == (f"hs: git's index is locked by a git command that is running "
                       f"({lock}); wait for it to finish, then try again\n")
        assert lock.exists()
    finally:
        proc.kill()
        proc.wait()


def test_git_running_reads_proc(tmp_path: Path) -> None:
    proc = tmp_path / "proc"
    repo = tmp_path / "repo"
    repo.mkdir()
    (proc / "7").mkdir(parents=True)
    (proc / "7" / "comm").write_text("git\n")
    (proc / "7" / "cmdline").write_bytes(b"git\0status\0")
    os.symlink(tmp_path, proc / "7" / "cwd")  # elsewhere
    assert gitlock.git_running((repo,), str(proc)) is False
    (proc / "7" / "cmdline").write_bytes(b"git\0-C\0" + str(repo).encode() + b"\0status\0")
    assert gitlock.git_running((repo,), str(proc)) is True
    (proc / "7" / "cmdline").write_bytes(b"git\0status\0")
    os.unlink(proc / "7" / "cwd")
    os.symlink(repo / "records", proc / "7" / "cwd")
    assert gitlock.git_running((repo,), str(proc)) is True
    (proc / "7" / "comm").write_text("vim\n")
    assert gitlock.git_running((repo,), str(proc)) is False
    assert gitlock.git_running((repo,), str(tmp_path / "none")) is None


def test_without_proc_the_lock_is_never_removed(empty_repo: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    lock = lock_file(empty_repo, 3600)
    monkeypatch.setattr(gitlock, "git_running", lambda places: None)
    code, err = refer(empty_repo)
    assert code == 1 and f"{lock} exists" in err
    assert lock.exists()
