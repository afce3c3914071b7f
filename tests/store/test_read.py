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


@pytest.mark.parametrize("step", [3, pytest.param(1, marks=pytest.mark.slow)])
def test_cached_tuples_make_the_rows_they_came_from(demo_repo: Path, step: int) -> None:
    """A cold read keeps each record as its row's tuple (``tuple_of``) without making the
    row; the row made from it later is the one ``from_data`` makes, and gives the same
    tuple back. Checked on every third record of each kind of the demo tree in the
    default run and on every record in the slow tier, read by the exact reader."""
    from hs.records.index import ROW_TYPES
    from hs.store.yamlio import load_document, plain

    kinds = 0
    seen: dict[str, int] = {}
    for kind, rid, path, _ in scan(demo_repo):
        if kind not in ROW_TYPES:
            continue
        seen[kind] = seen.get(kind, -1) + 1
        if seen[kind] % step:
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


# --- hostile or absurd input: a normal problem at its line, found at once ---------------


def _problems(root: Path, rel: str) -> list[tuple[int, str]]:
    """(line, code) of every error the tree's read finds in ``rel``, read twice (the
    second read goes through the cache: a failed file is read again)."""
    from hs.store.load import load_tree

    seen = []
    for _ in range(2):
        report = load_tree(root)
        seen.append([(p.line, p.code) for p in report.problems if p.path == rel])
        assert rel in report.index.invalid
    assert seen[0] == seen[1]
    return seen[0]


def test_a_number_of_thousands_of_digits_is_a_problem_at_its_line(tree: Path) -> None:
    """int() refuses a number of more than 4,300 digits (ValueError): that was an internal
    error of every command, naming no file. Both readers' paths: the line reader (a plain
    mapping) and the exact reader (a document the fast readers give up on)."""
    plain = FAMILY.replace("note: Grandmother", "household:\n  adults: " + "7" * 5000
                           + "\nnote: Grandmother")
    write_record(tree, "families/f0000000a.yaml", plain)
    odd = "%YAML 1.2\n---\n" + FAMILY.replace("location: leuven", "location: " + "1" * 4400)
    write_record(tree, "families/f0000000b.yaml", odd)
    assert _problems(tree, "records/families/f0000000a.yaml") == [(14, "long-number")]
    assert _problems(tree, "records/families/f0000000b.yaml") == [(5, "long-number")]


@pytest.mark.parametrize(("nested", "line"), [
    ("signals: " + "[" * 4000 + "]" * 4000, 13),  # 8 KB of flow nesting: 10-12 s before
    ("signals:\n" + "- " * 4000 + "x", 14),  # a line of dashes
    ("signals: " + "[a, " * 150 + "]" * 150, 13),  # small: the exact reader's path only
])
def test_deep_nesting_is_a_problem_at_its_line(tree: Path, nested: str, line: int) -> None:
    text = FAMILY.replace("note: Grandmother", nested + "\nnote: Grandmother")
    write_record(tree, "families/f0000000a.yaml", text)
    assert _problems(tree, "records/families/f0000000a.yaml") == [(line, "too-deep")]


def test_the_prescan_refuses_nothing_a_record_may_hold() -> None:
    """Brackets in a quoted note, a long number in quotes below the limit, a few dashes:
    no problem from the pre-scan."""
    read._refuse_hostile('note: "' + "[" * 500 + '"\nn: [[[[1]]]]\nx:\n- - - a\n'
                         + "id: " + "9" * read.LONG_DIGITS + "\n")


def test_a_fifo_is_refused_not_read(tree: Path) -> None:
    """A named pipe named like a record is a problem (reading it would block), with and
    without the cache, also when git is asked what changed."""
    os.mkfifo(tree / "records/families/f0000000f.yaml")
    assert _problems(tree, "records/families/f0000000f.yaml") == [(1, "not-regular")]


def test_a_fifo_as_the_config_says_so(tree: Path) -> None:
    """Not "no records repository here": the file is there, and is no plain file."""
    from hs.base.errors import HsError
    from hs.store.layout import find_root

    config = tree / "records/config.yaml"
    config.unlink()
    os.mkfifo(config)
    with pytest.raises(HsError, match=r"config\.yaml is not a regular file"):
        find_root(tree)
    with pytest.raises(HsError, match=r"config\.yaml is not a regular file"):
        find_root(None, cwd=tree / "records" / "families")


def test_a_huge_file_is_refused_by_its_size_without_reading_it(
        tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A 1 GiB file (sparse) is refused with its size; never more than the limit + 1 bytes
    are read of it."""
    from hs.store.yamlio import MAX_FILE_BYTES

    huge = tree / "records/families/f0000000h.yaml"
    with open(huge, "wb") as fh:
        fh.truncate(1 << 30)
    real_read, asked = os.read, []

    def counting(fd: int, n: int) -> bytes:
        asked.append(n)
        return real_read(fd, n)

    monkeypatch.setattr(os, "read", counting)
    assert _problems(tree, "records/families/f0000000h.yaml") == [(1, "file-too-large")]
    assert max(asked) <= MAX_FILE_BYTES + 1
    res = read.parse_file(read.RecordFile("family", "f0000000h", str(huge),
                                          "records/families/f0000000h.yaml"))
    assert f"file is {1 << 30} bytes" in res.problems[0].message


def test_a_file_growing_while_read_is_cut_at_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_bytes(b"a: 1\n" * 100)
    with pytest.raises(read._TooLarge):
        read.read_signed(str(path), limit=100)
    assert read.read_signed(str(path), limit=500)[1] == path.read_bytes()


def test_a_link_out_of_the_tree_is_refused(tree: Path, tmp_path: Path) -> None:
    """A record file that is a symbolic link to a file outside the tree is not read (it
    could be any file of the computer); a link to a file inside the tree is."""
    outside = tmp_path / "elsewhere.yaml"
    outside.write_text(FAMILY)
    (tree / "records/families/f0000000e.yaml").symlink_to(outside)
    (tree / "records/families/f0000000k.yaml").symlink_to(
        tree / "records/families/f3kq7p2xm.yaml")
    assert _problems(tree, "records/families/f0000000e.yaml") == [(1, "outside-tree")]
    from hs.store.load import load_tree

    report = load_tree(tree)
    assert [p for p in report.problems if "f0000000k" in p.path] == []
    assert "f0000000k" in report.index.families


def test_no_reader_raises_for_a_long_number() -> None:
    """The readers other commands use on one file (show, history) say a long number is
    bad YAML; they raised ValueError (an internal error) before."""
    from hs.store.yamlio import NOT_FAST, YamlIssue, fast_load, load_plain

    text = "schema_version: 1\nadults: " + "1" * 5000 + "\n"
    assert fast_load(text) is NOT_FAST
    with pytest.raises(YamlIssue):
        load_plain(text)


def test_a_device_is_refused_and_a_broken_link_is_as_gone(tree: Path) -> None:
    """A link to a device (inside or outside the tree) is refused, never read; a broken
    link named like a record is not listed, with or without the cache."""
    from hs.store.load import load_tree

    (tree / "records/families/f0000000d.yaml").symlink_to("/dev/zero")
    (tree / "records/families/f0000000b.yaml").symlink_to(tree / "nowhere.yaml")
    assert _problems(tree, "records/families/f0000000d.yaml") == [(1, "outside-tree")]
    for use_cache in (False, True, True):
        report = load_tree(tree, use_cache=use_cache)
        assert not [p for p in report.problems if "f0000000b" in p.path]


@pytest.mark.parametrize("use_pool", [False, True])
def test_progress_counts_the_files_parsed_to_the_total_a_chunk_at_a_time(
        demo_repo: Path, use_pool: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    """Told in this process, as chunks are parsed or come back from the workers: never a
    report per file, the count rising to the total, the same results as without it."""
    todo = list(scan(demo_repo))
    monkeypatch.setattr(read, "PROGRESS_CHUNK", 100)
    said: list[tuple[int, int]] = []
    parsed = read.parse_many(todo, use_pool, progress=lambda d, t: said.append((d, t)))
    assert parsed == read.parse_many(todo, False)
    assert said[0] == (0, len(todo)) and said[-1] == (len(todo), len(todo))
    assert [d for d, _ in said] == sorted(d for d, _ in said)
    assert {t for _, t in said} == {len(todo)}
    assert len(said) <= len(todo) // 50 + 3  # a chunk at a time (50 at least), not a file
