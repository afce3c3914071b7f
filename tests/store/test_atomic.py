"""Writing a file whole or not at all (hs.store.atomic): the old file stays byte for byte
when anything fails, and no temporary file stays behind."""

from __future__ import annotations

from pathlib import Path

import pytest

from hs.base.errors import HsError
from hs.store.atomic import write_atomic


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


@pytest.mark.parametrize("durable", [False, True])
def test_a_file_is_replaced_whole(tmp_path: Path, durable: bool) -> None:
    path = tmp_path / "x.yaml"
    write_atomic(path, "a: 1\n", durable=durable)
    write_atomic(path, b"a: 2\n", durable=durable)
    assert path.read_bytes() == b"a: 2\n"
    assert leftovers(tmp_path) == []


def test_a_check_of_what_was_written_can_stop_the_write(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text("old\n")
    seen: list[bytes] = []

    def refuse(back: bytes) -> None:
        seen.append(back)
        raise ValueError("not this")

    with pytest.raises(ValueError, match="not this"):
        write_atomic(path, "new\n", check=refuse)
    assert seen == [b"new\n"] and path.read_text() == "old\n"
    assert leftovers(tmp_path) == []


def test_the_permissions_can_be_kept(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text("old\n")
    path.chmod(0o600)
    write_atomic(path, "new\n", keep_mode=True)
    assert path.stat().st_mode & 0o777 == 0o600


def test_a_file_that_cannot_be_written_is_an_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.mkdir()  # a folder in its place
    with pytest.raises(HsError, match=r"x\.yaml: cannot write"):
        write_atomic(path, "new\n")
    with pytest.raises(OSError):
        write_atomic(path, "new\n", os_errors=True)
    assert leftovers(tmp_path) == []
