"""The portability module: each POSIX-only call with its fallback, the fallbacks run on
Linux too (the capability switched off), so that what Windows runs is tested."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from hs.base import portable
from hs.base.workers import in_processes, in_two_processes
from hs.records.problems import Problem
from tests.conftest import invoke

needs_posix = pytest.mark.skipif(not portable.POSIX, reason="the POSIX calls themselves")


@pytest.fixture(params=["flock", "filelock"])
def lock_kind(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "flock" and not portable.FLOCK:
        pytest.skip("no flock here")
    monkeypatch.setattr(portable, "FLOCK", request.param == "flock")
    return str(request.param)


def test_a_file_lock_excludes_another_until_released(tmp_path: Path, lock_kind: str) -> None:
    first, second = portable.FileLock(tmp_path / "lock"), portable.FileLock(tmp_path / "lock")
    assert first.try_acquire()
    assert not second.try_acquire()
    first.release()
    assert second.try_acquire()
    second.close()
    assert (tmp_path / "lock").exists()  # the file stays: the next command opens it


def test_a_lock_in_a_folder_that_cannot_be_written_is_an_oserror(tmp_path: Path,
                                                                 lock_kind: str) -> None:
    with pytest.raises(OSError):
        portable.FileLock(tmp_path / "no-such-folder" / "lock")


def test_the_trees_lock_without_flock(empty_repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A write takes the tree's lock through the filelock library where there is no flock
    (Windows); a second writer then waits and gives up."""
    monkeypatch.setattr(portable, "FLOCK", False)
    code, out, err = invoke(empty_repo, "location", "add", "gent", "--name", "Home-Start Gent",
                            "--municipality", "Gent", "--from", "2020-01-01")
    assert (code, out) == (0, "gent\n"), err
    other = portable.FileLock(empty_repo / ".hs" / "lock")
    assert other.try_acquire()
    try:
        monkeypatch.setenv("HS_LOCK_TIMEOUT", "0")
        from hs.base.errors import LockBusy
        from hs.store.repo import Repo

        with pytest.raises(LockBusy), Repo(empty_repo).lock(timeout=0):
            pass
    finally:
        other.release()


def _half(h: int) -> list[Problem]:
    return [Problem(f"r{h}", 1, 1, "c", "m")]


def _problem(t: tuple[str, int, int, str, str, str]) -> Problem:
    return Problem(*t)  # type: ignore[arg-type]


@pytest.mark.parametrize("off", ["FORK", "SIGMASK"])
def test_two_halves_without_fork_or_signal_masks(monkeypatch: pytest.MonkeyPatch,
                                                 off: str) -> None:
    monkeypatch.setattr(portable, off, False)
    out = in_two_processes(_half, Problem.as_tuple, _problem)
    assert [p.path for p in out] == ["r0", "r1"]


def test_a_pool_without_fork_spawns(monkeypatch: pytest.MonkeyPatch) -> None:
    """Where fork is missing the pool's workers are spawned (they import what they run):
    the answer is the same."""
    if (os.cpu_count() or 1) < 2:
        pytest.skip("one CPU: no pool")
    monkeypatch.setattr(portable, "FORK", False)
    assert portable.pool_context().get_start_method() == "spawn"
    items = list(range(100, 0, -1))
    # each chunk sorted in a worker, joined in the chunks' order
    out = in_processes(sorted, items, list, processes=2, pieces=2, least=10)
    assert out == [n for i in range(0, 100, 25) for n in sorted(items[i:i + 25])]


def test_fork_is_refused_where_there_is_none(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(portable, "FORK", False)
    assert not portable.can_fork()
    with pytest.raises(OSError):
        portable.fork()


def _gone_pid() -> int:
    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()
    return p.pid


@needs_posix
def test_whether_a_process_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    gone = _gone_pid()
    assert portable.pid_alive(os.getpid())
    assert not portable.pid_alive(gone)
    # without kill(pid, 0) and not on Windows: unknown, so alive (what it left is kept)
    monkeypatch.setattr(portable, "KILL0", False)
    monkeypatch.setattr(portable, "WINDOWS", False)
    assert portable.pid_alive(gone)
    assert portable.pid_alive(os.getpid())


def test_a_temporary_file_of_an_unknown_process_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    from hs.store.journal import is_temporary

    gone = _gone_pid()
    if portable.KILL0:
        assert is_temporary(f".f1.yaml.{gone}.tmp")
    monkeypatch.setattr(portable, "KILL0", False)
    monkeypatch.setattr(portable, "WINDOWS", False)
    assert not is_temporary(f".f1.yaml.{gone}.tmp")
    assert is_temporary(f".f1.yaml.{os.getpid()}.tmp")  # this process's own


@needs_posix
def test_modes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    f, d = tmp_path / "f", tmp_path / "d"
    f.write_text("x")
    d.mkdir()
    portable.restrict(f)
    portable.restrict(d)
    assert (portable.mode_of(f), portable.mode_of(d)) == (0o600, 0o700)
    portable.set_mode(f, 0o644)
    assert portable.mode_of(f) == 0o644
    monkeypatch.setattr(portable, "MODES", False)  # Windows: nothing to set or keep
    portable.restrict(f)
    portable.set_mode(f, 0o600)
    assert portable.mode_of(f) is None
    monkeypatch.setattr(portable, "MODES", True)
    assert portable.mode_of(f) == 0o644


def test_a_write_without_modes_or_folder_sync(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from hs.store.atomic import write_atomic

    monkeypatch.setattr(portable, "MODES", False)
    monkeypatch.setattr(portable, "FOLDER_SYNC", False)
    target = tmp_path / "f.yaml"
    write_atomic(target, "a: 1\n", durable=True, keep_mode=True)
    write_atomic(target, "a: 2\n", durable=True, keep_mode=True)
    assert target.read_text() == "a: 2\n"
    assert [p.name for p in tmp_path.iterdir()] == ["f.yaml"]


def test_no_process_list_means_unsure(tmp_path: Path) -> None:
    from hs.store.gitlock import git_running

    assert git_running((tmp_path,), proc=None) is None
    if portable.PROC is not None:
        assert git_running((tmp_path,)) is False


def test_only_the_portability_module_makes_posix_only_calls() -> None:
    """fcntl, fork, signal masks, chmod, kill and /proc are asked for in one place."""
    root = Path(__file__).resolve().parents[2] / "hs"
    needles = ("import fcntl", "os.fork", "pthread_sigmask", "os.chmod", ".chmod(",
               "os.kill", '"/proc', "os.getuid", "os.geteuid", "os.umask", "signal.SIG")
    found = sorted(f"{p.relative_to(root)}: {n}" for p in root.rglob("*.py")
                   if p.name != "portable.py" for n in needles if n in p.read_text())
    assert found == []
