"""Reading record files (hs.store.read): a file with its signature, the rows cached as
tuples, what the workers send back."""

from __future__ import annotations

import marshal
import os
from pathlib import Path

import pytest

from hs.store import read
from hs.store.layout import scan
from hs.store.yamlio import quiet_stderr
from tests.conftest import write_record
from tests.store.conftest import FAMILY
from tests.store.test_load import BAD_FOR_RAPIDYAML


def test_cached_tuples_make_the_rows_they_came_from(demo_repo: Path) -> None:
    """A cold read keeps each record as its row's tuple (``tuple_of``) without making the
    row; the row made from it later is the one ``from_data`` makes, and gives the same
    tuple back. Checked on every record of the demo tree, read by the exact reader."""
    from hs.records.index import ROW_TYPES
    from hs.store.yamlio import load_document, plain

    kinds = 0
    for kind, rid, path, _ in scan(demo_repo):
        if kind not in ROW_TYPES:
            continue
        data = plain(load_document(Path(path).read_text(encoding="utf-8")))
        row_type = ROW_TYPES[kind]
        value = row_type.tuple_of(rid, data)
        row = row_type.from_tuple(value)
        again = row.to_tuple()
        if kind == "trajectory":  # the impact scores are packed: compare them unpacked
            assert marshal.loads(again[9]) == marshal.loads(value[9])
            again, value = again[:9], value[:9]
        assert again == value, path
        kinds |= 1 << list(ROW_TYPES).index(kind)
    assert kinds == (1 << len(ROW_TYPES)) - 1  # every kind of the spec


def test_equal_codes_are_read_as_one_object(tmp_path: Path) -> None:
    """The line reader gives equal short texts (codes, days) and numbers as one object, so
    that the cache, written with marshal, holds each once."""
    from hs.store.yamlio import fast_load

    a = fast_load("kind: buddy\nflags: [newcomer, single-parent]\nyear: 1987\n"
                  "start: 2025-01-10\n")
    b = fast_load("kind: buddy  # again\nflags: [single-parent]\nborn: 1987\n"
                  "other: 2025-01-10\n")
    assert a == {"kind": "buddy", "flags": ["newcomer", "single-parent"], "year": 1987,
                 "start": "2025-01-10"}
    assert a["kind"] is b["kind"] and a["flags"][1] is b["flags"][0]
    assert a["year"] is b["born"] and a["start"] is b["other"]
    key_a, key_b = (next(k for k in d if k == "kind") for d in (a, b))
    assert key_a is key_b


def test_a_file_is_read_with_its_signature(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_bytes(b"a: 1\n" * 5000)
    sig, raw = read.read_signed(str(path))
    assert raw == path.read_bytes() and sig == read.signature(path.stat())
    empty = tmp_path / "empty.yaml"
    empty.write_bytes(b"")
    assert read.read_signed(str(empty))[1] == b""
    with pytest.raises(FileNotFoundError):
        read.read_signed(str(tmp_path / "gone.yaml"))


def test_a_short_read_is_read_to_the_end(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                         ) -> None:
    """Network and FUSE file systems may give fewer bytes than asked for in one read."""
    path = tmp_path / "x.yaml"
    path.write_bytes(b"a: 1\n" * 300)
    real = os.read
    monkeypatch.setattr(os, "read", lambda fd, n: real(fd, min(n, 100)))
    assert read.read_signed(str(path))[1] == path.read_bytes()


def test_worker_results_travel_as_marshal_columns(tree: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """What a worker sends back (one marshal text a chunk) is what it found: values,
    errors, warnings, blob IDs and signatures; what marshal cannot take goes as it is."""
    write_record(tree, "families/fbbbbbbbb.yaml", BAD_FOR_RAPIDYAML)
    write_record(tree, "families/fcccccccc.yaml", FAMILY.split("\n", 1)[1])  # a warning
    entries = scan(tree)
    direct = read.parse_chunk(entries)
    packed = read.parse_packed(entries)
    assert isinstance(packed, bytes)
    assert read.unpacked(packed) == direct
    assert {len(r[2]) for r in direct} == {0, 1} and {len(r[3]) for r in direct} == {0, 1}
    odd = [("records/x.yaml", object(), [], [], None, None)]
    monkeypatch.setattr(read, "parse_chunk", lambda items: odd)
    assert read.unpacked(read.parse_packed(entries)) == odd


def test_quiet_stderr_nests() -> None:
    fd_before = os.fstat(2)
    with quiet_stderr():
        inner = os.fstat(2)
        with quiet_stderr():
            assert os.fstat(2) == inner
        assert os.fstat(2) == inner
    after = os.fstat(2)
    assert (after.st_ino, after.st_dev) == (fd_before.st_ino, fd_before.st_dev)
