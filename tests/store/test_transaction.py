"""A write either happens whole or says exactly what happened: a full disk (a real small
file system, when the tests may mount one; and ENOSPC injected at every step of the
write) leaves the record as it was and says nothing was written, or says truthfully that
the file changed; a retry never records the change twice."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from hs.base.errors import GitError
from hs.store import gitops, journal, transaction
from tests.conftest import git
from tests.conftest import invoke as hs

DAY = "2025-03-03"


def visits(root: Path, tid: str) -> int:
    return (root / f"records/trajectories/{tid}.yaml").read_text().count("- date:")


def state(root: Path, tid: str) -> tuple[bytes, str, str]:
    return ((root / f"records/trajectories/{tid}.yaml").read_bytes(),
            git(root, "rev-parse", "HEAD"), git(root, "status", "--porcelain"))


def assert_truthful(root: Path, tid: str, before: tuple[bytes, str, str], code: int,
                    err: str) -> None:
    """Either the visit is committed, or nothing changed and the error says so, or the
    error says the file holds the change (and the next command undoes it)."""
    assert err.count("\n") <= 1, err
    if code == 0:
        assert visits(root, tid) == 1
        assert git(root, "status", "--porcelain") == ""
        return
    assert code == 1 and "internal error" not in err, err
    if "nothing was written" in err:
        assert state(root, tid) == before, err
    else:
        assert "the next hs command" in err, err


def retry(root: Path, tid: str) -> None:
    """With room again: the next command recovers, the retry records the visit once."""
    code, _, err = hs(root, "visit", tid, "--date", DAY)
    if code != 0:  # recorded already (the first try succeeded): refused as a duplicate
        assert visits(root, tid) == 1, err
    assert visits(root, tid) == 1
    assert git(root, "status", "--porcelain") == ""
    assert not journal.pending(root)


# --- a real full disk -------------------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "small"
    mount.mkdir()
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)],
                          capture_output=True)
    if proc.returncode != 0:
        pytest.skip("cannot mount a small file system here (not root?)")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def fill(folder: Path, leave: int) -> Path:
    """Fill the file system of ``folder`` but ``leave`` bytes."""
    filler = folder / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT)
    try:
        block = b"\0" * 65536
        while True:
            try:
                os.write(fd, block)
            except OSError as exc:
                if exc.errno != errno.ENOSPC:
                    raise
                if len(block) == 1:
                    break
                block = block[:len(block) // 2]
        size = os.fstat(fd).st_size
        os.ftruncate(fd, max(0, size - leave))
    finally:
        os.close(fd)
    return filler


@pytest.mark.parametrize("free_kib", [4, pytest.param(8, marks=pytest.mark.slow),
                                      pytest.param(12, marks=pytest.mark.slow), 16])
def test_a_visit_on_a_full_disk_is_whole_or_truthful(
        traj: tuple[Path, str], small_disk: Path, free_kib: int) -> None:
    src, tid = traj
    root = small_disk / "repo"
    shutil.copytree(src, root, symlinks=True)
    hs(root, "list", "families")  # a warm cache, as on a coordinator's laptop
    before = state(root, tid)
    filler = fill(small_disk, free_kib * 1024)
    code, _, err = hs(root, "visit", tid, "--date", DAY)
    assert_truthful(root, tid, before, code, err)
    filler.unlink()
    retry(root, tid)


# --- ENOSPC at each step, injected --------------------------------------------------------


def enospc(*_: object, **__: object) -> None:
    raise OSError(errno.ENOSPC, "No space left on device")


def test_no_room_for_the_journal(traj: tuple[Path, str],
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    root, tid = traj
    before = state(root, tid)
    monkeypatch.setattr(journal.os, "fsync", enospc)
    code, _, err = hs(root, "visit", tid, "--date", DAY)
    assert (code, err) == (1, f"hs: cannot write {root}/.hs/write-journal: the disk is full; "
                              "nothing was written\n")
    assert state(root, tid) == before
    monkeypatch.undo()
    retry(root, tid)


def test_no_room_for_the_record(traj: tuple[Path, str],
                                monkeypatch: pytest.MonkeyPatch) -> None:
    root, tid = traj
    before = state(root, tid)
    real = os.replace

    def replace(a: object, b: object) -> None:
        if str(b).endswith(f"{tid}.yaml"):
            enospc()
        real(a, b)  # type: ignore[arg-type]

    monkeypatch.setattr("hs.store.atomic.os.replace", replace)
    code, _, err = hs(root, "visit", tid, "--date", DAY)
    assert (code, err) == (1, f"hs: cannot write records/trajectories/{tid}.yaml: the disk "
                              "is full; nothing was written\n")
    assert state(root, tid) == before
    assert not journal.pending(root)
    monkeypatch.undo()
    retry(root, tid)


def test_no_room_for_the_commit(traj: tuple[Path, str],
                                monkeypatch: pytest.MonkeyPatch) -> None:
    root, tid = traj
    before = state(root, tid)

    def fail(*_: object, **__: object) -> None:
        raise GitError("git commit failed: No space left on device")

    monkeypatch.setattr(gitops, "record_text", fail)
    code, _, err = hs(root, "visit", tid, "--date", DAY)
    assert (code, err) == (1, "hs: git commit failed: No space left on device; nothing "
                              "was written\n")
    assert state(root, tid) == before
    monkeypatch.undo()
    retry(root, tid)


def test_no_room_to_undo_says_the_file_changed(traj: tuple[Path, str],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    root, tid = traj
    before = state(root, tid)

    def fail(*_: object, **__: object) -> None:
        raise GitError("git commit failed: No space left on device")

    monkeypatch.setattr(gitops, "record_text", fail)
    monkeypatch.setattr(journal, "_restore", enospc)
    code, _, err = hs(root, "visit", tid, "--date", DAY)
    assert (code, err) == (
        1, f"hs: records/trajectories/{tid}.yaml: the change could not be undone (the disk "
           "is full): the file holds it, but it is not committed; the next hs command "
           "undoes it\n")
    assert visits(root, tid) == 1 and state(root, tid)[1] == before[1]
    monkeypatch.undo()
    code, _, err = hs(root, "list", "families")
    assert err.startswith("hs: an interrupted change was undone"), err
    assert state(root, tid) == before
    retry(root, tid)


def test_no_room_to_unstage_says_the_index_holds_it(traj: tuple[Path, str],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    root, tid = traj
    real = gitops.record_text

    def stage_then_fail(r: Path, paths: list[str], message: str,
                        commit: bool = True) -> None:
        real(r, paths, message, commit=False)
        raise GitError("git commit failed: No space left on device")

    def no_unstage(*_: object) -> None:
        raise GitError("git reset failed: No space left on device")

    monkeypatch.setattr(gitops, "record_text", stage_then_fail)
    monkeypatch.setattr(journal, "_unstage", no_unstage)
    code, _, err = hs(root, "visit", tid, "--date", DAY)
    assert code == 1 and "git's index still holds it staged" in err, err
    assert visits(root, tid) == 0
    monkeypatch.undo()
    assert "undone" in hs(root, "list", "families")[2]
    assert git(root, "status", "--porcelain") == ""
    retry(root, tid)


def test_write_change_outside_git_needs_no_message(tmp_path: Path) -> None:
    from hs.store.repo import Repo

    root = tmp_path / "plain"
    (root / "records/families").mkdir(parents=True)
    repo = Repo(root)
    repo._validate_text = lambda rf, raw: None  # type: ignore[method-assign]
    with repo.lock():
        assert transaction.write_change(repo, [("records/families/f1.yaml", "x\n")],
                                        action="a", subject="s", message=None) is None
    assert (root / "records/families/f1.yaml").read_text() == "x\n"
    assert not journal.pending(root)
