"""The repository (hs.store.repo): safe writes, the lock."""

from __future__ import annotations

import multiprocessing as mp
import os
from pathlib import Path
from typing import Any

import pytest

from hs.base.errors import LockBusy, WriteRejected
from hs.store import repo as store
from hs.store.repo import Repo
from tests.store.conftest import FAMILY, FID


def family_path(root: Path) -> Path:
    return root / "records" / "families" / f"{FID}.yaml"


def leftovers(root: Path) -> list[str]:
    return sorted(p.name for p in (root / "records").rglob(".*.tmp"))


def test_a_write_replaces_the_file(tree: Path) -> None:
    repo = Repo(tree)
    assert FID in repo.index.families
    new = FAMILY.replace("2023-05", "2024-01")
    repo.write(family_path(tree), new)
    assert family_path(tree).read_text() == new
    assert repo.index.families[FID].children == ("2024-01",)  # refreshed
    assert leftovers(tree) == []


@pytest.mark.parametrize("text, code", [
    (FAMILY.replace("location: leuven", "location: [leuven"), "yaml-syntax"),
    (FAMILY.replace("note:", "note_:"), "unknown-field"),
    (FAMILY.replace("2025-01-20", "2025-02-30"), "invalid-value"),
    ("", "empty-file"),
])
def test_a_rejected_write_changes_nothing(tree: Path, text: str, code: str) -> None:
    path = family_path(tree)
    before = path.read_bytes()
    with pytest.raises(WriteRejected) as err:
        Repo(tree).write(path, text)
    assert f"[{code}]" in str(err.value)
    assert path.read_bytes() == before
    assert leftovers(tree) == []


def test_a_write_refused_by_the_callers_check_changes_nothing(tree: Path) -> None:
    path = family_path(tree)
    before = path.read_bytes()

    def refuse(text: str) -> None:
        raise WriteRejected("not today")

    with pytest.raises(WriteRejected, match="not today"):
        Repo(tree).write(path, FAMILY.replace("2023-05", "2024-01"), check=refuse)
    assert path.read_bytes() == before


def test_a_failing_rename_leaves_the_old_file(tree: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    path = family_path(tree)
    before = path.read_bytes()

    def broken(src: Any, dst: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken)
    with pytest.raises(OSError):
        Repo(tree).write(path, FAMILY.replace("2023-05", "2024-01"))
    assert path.read_bytes() == before
    assert leftovers(tree) == []


def test_a_write_whose_read_back_differs_is_refused(tree: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    path = family_path(tree)
    before = path.read_bytes()
    real = Path.read_bytes

    def flaky(self: Path) -> bytes:
        data = real(self)
        return data.replace(b"2024-01", b"2024-02") if self.name.endswith(".tmp") else data

    monkeypatch.setattr(Path, "read_bytes", flaky)
    with pytest.raises(WriteRejected, match="read back"):
        Repo(tree).write(path, FAMILY.replace("2023-05", "2024-01"))
    assert real(path) == before


def test_a_write_keeps_the_file_permissions(tree: Path) -> None:
    path = family_path(tree)
    path.chmod(0o600)
    Repo(tree).write(path, FAMILY.replace("2023-05", "2024-01"))
    assert path.stat().st_mode & 0o777 == 0o600


def test_create_refuses_an_existing_id(tree: Path) -> None:
    repo = Repo(tree)
    with pytest.raises(WriteRejected, match="exists already"):
        repo.write(family_path(tree), FAMILY, create=True)
    elsewhere = tree / "records" / "families" / "archive" / f"{FID}.yaml"
    with pytest.raises(WriteRejected, match="exists already"):
        repo.write(elsewhere, FAMILY, create=True)
    assert not elsewhere.exists()
    repo.write(tree / "records" / "families" / "f9999999z.yaml", FAMILY, create=True)


def test_a_write_outside_the_record_folders_is_refused(tree: Path) -> None:
    with pytest.raises(WriteRejected, match="not a record file"):
        Repo(tree).write(tree / "records" / "notes.yaml", FAMILY)


def _hold_lock(root: str, ready: Any, release: Any) -> None:
    with Repo(Path(root)).lock():
        ready.set()
        release.wait(20)


def test_the_lock_keeps_a_second_process_out(tree: Path) -> None:
    ctx = mp.get_context("fork")
    ready, release = ctx.Event(), ctx.Event()
    holder = ctx.Process(target=_hold_lock, args=(str(tree), ready, release))
    holder.start()
    try:
        assert ready.wait(20)
        repo = Repo(tree)
        repo.lock_timeout = 0.3
        with pytest.raises(LockBusy), repo.lock():
            pass
        path = family_path(tree)
        before = path.read_bytes()
        with pytest.raises(LockBusy):
            repo.write(path, FAMILY.replace("2023-05", "2024-01"))
        assert path.read_bytes() == before
    finally:
        release.set()
        holder.join(20)
    with Repo(tree).lock(timeout=5):
        pass  # free again once the other process let go


def test_the_lock_is_reentrant_within_a_process(tree: Path) -> None:
    repo = Repo(tree)
    repo.lock_timeout = 0.3
    with repo.lock(), Repo(tree).lock():
        repo.write(family_path(tree), FAMILY.replace("2023-05", "2024-01"))
    assert store._HELD == {}
