"""Files hs cannot read or write, and numbers out of range, are one clear line (exit 1 or
2), never an internal error: a read-only records folder, a read-only file system, an
unwritable cache folder, a symbolic link loop, 'hs due --within 999999999999'."""

from __future__ import annotations

import errno
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import git
from tests.conftest import invoke as hs


def refer(root: Path) -> tuple[int, str, str]:
    return hs(root, "family", "refer", "--location", "leuven", "--date", "2025-01-06",
              "--referrer", "self")


def one_line(err: str) -> None:
    assert err.count("\n") == 1 and err.startswith("hs: "), err
    assert "internal error" not in err


def test_due_within_a_huge_number(empty_repo: Path) -> None:
    code, out, err = hs(empty_repo, "due", "--within", "999999999999")
    assert (code, out, err) == (2, "", "hs: a number or date is out of range (dates run "
                                      "from the year 1 to 9999)\n")


def test_a_symlink_loop_in_records(empty_repo: Path) -> None:
    folder = empty_repo / "records/families"
    folder.mkdir(exist_ok=True)
    os.symlink("b.yaml", folder / "a.yaml")
    os.symlink("a.yaml", folder / "b.yaml")
    os.symlink(".", folder / "again")
    for args in (("list", "families"), ("validate",), ("due",), ("waitlist",)):
        code, _, err = hs(empty_repo, *args)
        assert code in (0, 1), (args, err)
        assert "internal error" not in err, (args, err)


def test_an_os_error_anywhere_is_one_line(empty_repo: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    def denied(*_: object, **__: object) -> None:
        raise PermissionError(errno.EACCES, "Permission denied", "records/families")

    monkeypatch.setattr("hs.app.workflow.plan_refer_family", denied)
    code, out, err = refer(empty_repo)
    assert (code, out, err) == (1, "", "hs: records/families: permission denied\n")


@pytest.fixture
def mounted(tmp_path: Path, empty_repo: Path) -> Iterator[Path]:
    """The repository on a small file system of its own (root only)."""
    mount = tmp_path / "fs"
    mount.mkdir()
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(mount)],
                          capture_output=True)
    if proc.returncode != 0:
        pytest.skip("cannot mount a file system here (not root?)")
    try:
        subprocess.run(["cp", "-a", str(empty_repo), str(mount / "repo")], check=True)
        yield mount / "repo"
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def read_only(path: Path) -> None:
    subprocess.run(["mount", "--bind", str(path), str(path)], check=True)
    subprocess.run(["mount", "-o", "remount,bind,ro", str(path)], check=True)


def test_a_read_only_file_system(mounted: Path) -> None:
    root = mounted
    hs(root, "list", "families")
    subprocess.run(["mount", "-o", "remount,ro", str(root.parent)], check=True)
    code, out, err = refer(root)
    assert (code, out) == (1, "")
    assert err == (f"hs: cannot write in {root}/.hs (the file system is read-only); nothing "
                   "was written\n")
    for args in (("list", "families"), ("validate",), ("due",)):
        code, _, err = hs(root, *args)
        assert code == 0 and err.count("\n") <= 1 and "internal" not in err, (args, err)


def test_a_read_only_records_folder(mounted: Path) -> None:
    root = mounted
    (root / "records/families").mkdir(exist_ok=True)
    read_only(root / "records/families")
    try:
        code, out, err = refer(root)
        assert (code, out) == (1, "")
        one_line(err)
        assert err.startswith("hs: cannot write records/families/f") and err.endswith(
            ".yaml: the file system is read-only; nothing was written\n"), err
        assert git(root, "status", "--porcelain") == ""
        assert not (root / ".hs/write-journal").exists()
    finally:
        subprocess.run(["umount", str(root / "records/families")], check=True)


def test_an_unwritable_cache_folder(mounted: Path) -> None:
    root = mounted
    (root / ".hs").mkdir(exist_ok=True)
    read_only(root / ".hs")
    try:
        for args in (("list", "families"), ("validate",), ("due",), ("kpi", "--year",
                                                                      "2025")):
            code, _, err = hs(root, *args)
            assert code in (0, 1) and err.count("\n") <= 2 and "internal" not in err, \
                (args, err)
        code, _, err = refer(root)
        assert code == 1
        assert err == (f"hs: cannot write in {root}/.hs (the file system is read-only); "
                       "nothing was written\n")
    finally:
        subprocess.run(["umount", str(root / ".hs")], check=True)
