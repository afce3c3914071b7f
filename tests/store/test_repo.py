"""The record store: the cache in .hs/cache, parallel parsing, safe writes, the lock."""

from __future__ import annotations

import marshal
import multiprocessing as mp
import os
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

from hs import SCHEMA_VERSION
from hs.base.errors import LockBusy, WriteRejected
from hs.store import repo as store
from hs.store.repo import Repo, load_tree
from hs.store.yamlio import quiet_stderr
from tests.conftest import commit_all, git, write_record

FAMILY = """\
# yaml-language-server: $schema=../../schemas/family.schema.json
schema_version: 1
location: leuven
name: Familie Janssens
children:
- born: 2023-05
referrals:
- date: 2025-01-10
  referrer: kind-en-gezin
  decisions:
  - date: 2025-01-20
    decision: accepted
note: Grandmother Wilhelmina lives nearby.
"""
FID = "f3kq7p2xm"


def age(root: Path, seconds: int = 60) -> None:
    """Make every file of the tree older, so that the cache trusts it (not 'racy')."""
    for p in (root / "records").rglob("*.yaml"):
        st = p.stat()
        os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns - seconds * 1_000_000_000))


def cache_dir(root: Path) -> Path:
    return store._cache_dir(root)


@pytest.fixture
def tree(empty_repo: Path) -> Path:
    write_record(empty_repo, f"families/{FID}.yaml", FAMILY)
    age(empty_repo)
    return empty_repo


# --- the cache -------------------------------------------------------------------------------


def test_warm_read_parses_nothing(tree: Path) -> None:
    cold = load_tree(tree)
    assert cold.parsed == 4 and not cold.problems
    warm = load_tree(tree)
    assert warm.parsed == 0
    assert warm.index.families[FID] == cold.index.families[FID]
    assert warm.index.vocabularies == cold.index.vocabularies
    assert warm.index.paths == cold.index.paths


def test_cache_is_outside_git_and_holds_no_names_or_notes(tree: Path) -> None:
    commit_all(tree)
    load_tree(tree)
    folder = cache_dir(tree)
    assert folder.is_dir() and folder.parent == tree / ".hs" / "cache"
    assert folder.name.startswith(f"index-{SCHEMA_VERSION}-")
    assert (tree / ".hs" / ".gitignore").read_text() == "*\n"
    assert git(tree, "status", "--porcelain", "--untracked-files=all") == ""
    raw = b"".join(p.read_bytes() for p in folder.iterdir())
    assert b"Janssens" not in raw and b"Wilhelmina" not in raw and b"kind-en-gezin" in raw


def test_a_stale_entry_is_read_again_after_an_edit(tree: Path) -> None:
    load_tree(tree)
    path = tree / "records" / "families" / f"{FID}.yaml"
    path.write_text(FAMILY.replace("2023-05", "2024-05"))  # same size
    st = path.stat()  # another mtime, old enough to be trusted later
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns - 30_000_000_000))
    report = load_tree(tree)
    assert report.parsed == 1
    assert report.index.families[FID].children == ("2024-05",)
    assert load_tree(tree).parsed == 0


def test_an_edit_in_the_same_clock_tick_is_not_missed(tree: Path) -> None:
    """Same size, same mtime (a coarse clock): a file changed this close to the cache
    write is not trusted, so the edit is seen."""
    path = tree / "records" / "families" / f"{FID}.yaml"
    st = path.stat()
    now = time.time_ns()
    os.utime(path, ns=(st.st_atime_ns, now))
    load_tree(tree)
    path.write_text(FAMILY.replace("2023-05", "2024-05"))
    os.utime(path, ns=(st.st_atime_ns, now))
    report = load_tree(tree)
    assert report.index.families[FID].children == ("2024-05",)


def test_a_corrupt_cache_is_ignored_and_rewritten(tree: Path) -> None:
    load_tree(tree)
    folder = cache_dir(tree)
    for part in folder.iterdir():
        part.write_bytes(b"\x00garbage, not marshal data")
    report = load_tree(tree)
    assert report.parsed == 4 and not report.problems
    assert report.index.families[FID].children == ("2023-05",)
    assert isinstance(marshal.loads((folder / "head.marshal").read_bytes()), dict)
    assert isinstance(marshal.loads((folder / "family.marshal").read_bytes()), dict)


@pytest.mark.parametrize("junk", [b"\x00garbage", marshal.dumps({"x": 1}),
                                  marshal.dumps({f"records/families/{FID}.yaml": "junk"}),
                                  marshal.dumps({f"records/families/{FID}.yaml": ("v", 1)})])
def test_a_corrupt_part_is_read_again_from_the_files(tree: Path, junk: bytes) -> None:
    load_tree(tree)
    age(tree)
    load_tree(tree)  # now every file is trusted
    (cache_dir(tree) / "family.marshal").write_bytes(junk)
    report = load_tree(tree)
    assert report.parsed == 0
    assert report.index.families[FID].children == ("2023-05",)
    assert load_tree(tree).index.families[FID].children == ("2023-05",)


def test_a_cache_of_another_version_is_not_read(tree: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    load_tree(tree)
    monkeypatch.setattr(store, "_fingerprint", "another-build")
    assert load_tree(tree).parsed == 4
    assert [p.name for p in (tree / ".hs" / "cache").iterdir()] == [
        cache_dir(tree).name]  # the old one is cleared away


def test_invalid_files_are_checked_again_every_time(tree: Path) -> None:
    bad = write_record(tree, "families/f7777777a.yaml",
                       FAMILY.replace("location: leuven", "location: leuven\nlocation: x"))
    age(tree)
    for _ in range(2):
        report = load_tree(tree)
        assert [(p.path, p.line, p.code) for p in report.problems] == [
            (bad.relative_to(tree).as_posix(), 4, "duplicate-key")]
        assert report.index.invalid == [bad.relative_to(tree).as_posix()]
    assert report.parsed == 1


def test_warnings_are_kept_in_the_cache(tree: Path) -> None:
    write_record(tree, "families/f7777777a.yaml", FAMILY.split("\n", 1)[1])
    age(tree)
    for parsed in (5, 0):
        report = load_tree(tree)
        assert report.parsed == parsed
        assert [(p.path, p.line, p.col, p.code, p.severity) for p in report.warnings
                if "families" in p.path] == [
            ("records/families/f7777777a.yaml", 1, 1, "schema-comment", "warning")]
        assert not report.problems


# --- parallel parsing ------------------------------------------------------------------------

BAD_FOR_RAPIDYAML = "schema_version: 1\nlocation: -\n"


def test_parallel_parse_gives_the_same_result(tree: Path) -> None:
    for i in range(60):
        write_record(tree, f"families/f{i:08d}.yaml".replace("f0", "fa", 1),
                     FAMILY.replace("2025-01-10", f"2025-01-{i % 28 + 1:02d}"))
    write_record(tree, "families/fbbbbbbbb.yaml", BAD_FOR_RAPIDYAML)
    serial = load_tree(tree, use_cache=False, parallel=False)
    parallel = load_tree(tree, use_cache=False, parallel=True)
    assert parallel.index.families == serial.index.families
    assert parallel.problems == serial.problems
    assert [p.code for p in serial.problems] == ["yaml-syntax"]


@pytest.mark.parametrize("parallel", [False, True])
def test_parsing_prints_nothing_on_stderr(tree: Path, parallel: bool) -> None:
    """rapidyaml writes its parse errors to the C stderr; no worker lets them through."""
    for i in range(8):
        write_record(tree, f"families/fbbbbbbb{i}.yaml", BAD_FOR_RAPIDYAML)
    code = textwrap.dedent(f"""
        from pathlib import Path
        from hs.store.repo import load_tree
        r = load_tree(Path({str(tree)!r}), use_cache=False, parallel={parallel})
        print(len(r.problems))
    """)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**os.environ, "HS_LANG": "en"}, check=False)
    assert proc.stdout == "8\n"
    assert proc.stderr == ""


def test_quiet_stderr_nests() -> None:
    fd_before = os.fstat(2)
    with quiet_stderr():
        inner = os.fstat(2)
        with quiet_stderr():
            assert os.fstat(2) == inner
        assert os.fstat(2) == inner
    after = os.fstat(2)
    assert (after.st_ino, after.st_dev) == (fd_before.st_ino, fd_before.st_dev)


# --- writing ---------------------------------------------------------------------------------


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


# --- a cold read's pieces ----------------------------------------------------------------------


def test_cached_tuples_make_the_rows_they_came_from(demo_repo: Path) -> None:
    """A cold read keeps each record as its row's tuple (``tuple_of``) without making the
    row; the row made from it later is the one ``from_data`` makes, and gives the same
    tuple back. Checked on every record of the demo tree, read by the exact reader."""
    from hs.records.index import ROW_TYPES
    from hs.store.yamlio import load_document, plain

    kinds = 0
    for kind, rid, path, _ in store.scan(demo_repo):
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
    assert kinds == 0b1111


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
    sig, raw = store._read_signed(str(path))
    assert raw == path.read_bytes() and sig == store._signature(path.stat())
    empty = tmp_path / "empty.yaml"
    empty.write_bytes(b"")
    assert store._read_signed(str(empty))[1] == b""
    with pytest.raises(FileNotFoundError):
        store._read_signed(str(tmp_path / "gone.yaml"))


def test_the_listing_finds_the_stray_files_as_a_walk_does(tmp_path: Path) -> None:
    """A cold read lists every folder once and notes the stray files as it goes; it finds
    what :func:`hs.store.repo.stray_files` finds walking the tree, in every place one can be."""
    records = tmp_path / "records"
    for rel in ["config.yaml", "vocabularies.yaml", "Config.YAML", "notes.yml",
                "families/f00000001.yaml", "families/f00000002.YAML",
                "families/f00000003.Yml", "families/readme.txt", "families/.hidden.YAML",
                "families/old/f00000004.yaml", "families/old/deeper/f00000005.YaMl",
                "famlies/f00000006.yaml", "famlies/sub/f00000007.yml", "attic/x.YAML",
                "volunteers/v00000001.yaml", "trajectories/t00000001.yml",
                ".git-like/x.yaml", "config.yaml.bak"]:
        path = records / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("a: 1\n")
    (records / "families" / "dir.yaml").mkdir()
    (records / "families" / "dir.yaml" / "f00000008.YAML").write_text("a: 1\n")
    (records / "locations").mkdir()
    os.symlink(records / "attic", records / "locations" / "linked")  # not followed
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "x.YAML").write_text("a: 1\n")
    os.symlink(elsewhere, records / "volunteers" / "link.yaml")
    linked_root = tmp_path / "linked-tree"
    (linked_root / "records").mkdir(parents=True)
    (tmp_path / "real-families").mkdir()
    (tmp_path / "real-families" / "f00000009.YAML").write_text("a: 1\n")
    os.symlink(tmp_path / "real-families", linked_root / "records" / "families")

    for root in (tmp_path, linked_root):
        strays: list[str] = []
        store.scan(root, {}, strays)
        assert strays == store.stray_files(root), root
    strays = []
    store.scan(tmp_path, {}, strays)
    assert strays == sorted([
        "records/Config.YAML", "records/notes.yml", "records/families/f00000002.YAML",
        "records/families/f00000003.Yml", "records/families/old/deeper/f00000005.YaMl",
        "records/famlies/f00000006.yaml", "records/famlies/sub/f00000007.yml",
        "records/attic/x.YAML", "records/families/dir.yaml/f00000008.YAML"])


def test_worker_results_travel_as_marshal_columns(tree: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """What a worker sends back (one marshal text a chunk) is what it found: values,
    errors, warnings, blob IDs and signatures; what marshal cannot take goes as it is."""
    write_record(tree, "families/fbbbbbbbb.yaml", BAD_FOR_RAPIDYAML)
    write_record(tree, "families/fcccccccc.yaml", FAMILY.split("\n", 1)[1])  # a warning
    entries = store.scan(tree)
    direct = store._parse_chunk(entries)
    packed = store._parse_packed(entries)
    assert isinstance(packed, bytes)
    assert store._unpacked(packed) == direct
    assert {len(r[2]) for r in direct} == {0, 1} and {len(r[3]) for r in direct} == {0, 1}
    odd = [("records/x.yaml", object(), [], [], None, None)]
    monkeypatch.setattr(store, "_parse_chunk", lambda items: odd)
    assert store._unpacked(store._parse_packed(entries)) == odd


def test_stray_files_are_remembered_while_no_folder_changes(
        tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    walks: list[int] = []
    real = store.stray_files

    def counted(root: Path, dirs: dict[str, int] | None = None) -> list[str]:
        walks.append(1)
        return real(root, dirs)

    monkeypatch.setattr(store, "stray_files", counted)
    attic = tree / "records" / "attic"
    attic.mkdir()
    age_folders(tree)
    assert store.known_strays(tree) == [] and len(walks) == 1
    assert store.known_strays(tree) == [] and len(walks) == 1  # nothing changed
    steps: list[tuple[Any, list[str]]] = [
        (lambda: (attic / "a.yaml").write_text("a: 1\n"), ["records/attic/a.yaml"]),
        (lambda: (attic / "a.yaml").rename(attic / "b.yml"), ["records/attic/b.yml"]),
        (lambda: (attic / "deeper").mkdir(), ["records/attic/b.yml"]),
        (lambda: (attic / "deeper" / "c.YAML").write_text("a: 1\n"),
         ["records/attic/b.yml", "records/attic/deeper/c.YAML"]),
        (lambda: (tree / "records" / "families" / "X.YAML").write_text("a: 1\n"),
         ["records/attic/b.yml", "records/attic/deeper/c.YAML",
          "records/families/X.YAML"]),
        (lambda: shutil.rmtree(attic), ["records/families/X.YAML"]),
    ]
    for n, (change, expected) in enumerate(steps, start=2):
        change()
        age_folders(tree)
        assert store.known_strays(tree) == expected == store.stray_files(tree)
        assert len(walks) == 2 * n - 1  # walked again once (and once by the check above)
        assert store.known_strays(tree) == expected and len(walks) == 2 * n - 1


def age_folders(root: Path, seconds: int = 60) -> None:
    for p in [root / "records", *(p for p in (root / "records").rglob("*") if p.is_dir())]:
        st = p.stat()
        os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns - seconds * 1_000_000_000))


def test_a_folder_changed_just_before_the_walk_is_walked_again(
        tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    walks: list[int] = []
    real = store.stray_files
    monkeypatch.setattr(store, "stray_files",
                        lambda root, dirs=None: walks.append(1) or real(root, dirs))
    (tree / "records" / "attic").mkdir()  # just now
    assert store.known_strays(tree) == [] and store.known_strays(tree) == []
    assert len(walks) == 2  # too fresh to be trusted
    age_folders(tree)
    store.known_strays(tree)
    assert store.known_strays(tree) == [] and len(walks) == 3


def test_a_short_read_is_read_to_the_end(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                         ) -> None:
    """Network and FUSE file systems may give fewer bytes than asked for in one read."""
    path = tmp_path / "x.yaml"
    path.write_bytes(b"a: 1\n" * 300)
    real = os.read
    monkeypatch.setattr(os, "read", lambda fd, n: real(fd, min(n, 100)))
    assert store._read_signed(str(path))[1] == path.read_bytes()


def test_a_folder_put_back_with_its_old_time_is_looked_into_again(tree: Path) -> None:
    attic = tree / "records" / "attic"
    attic.mkdir()
    age_folders(tree)
    assert store.known_strays(tree) == []
    before = (tree / "records").stat()
    copy = tree / "attic-copy"
    shutil.copytree(attic, copy)
    (copy / "x.yaml").write_text("a: 1\n")
    shutil.copystat(attic, copy)  # as cp -a or rsync -t leave it: the old time
    shutil.rmtree(attic)
    copy.rename(attic)
    os.utime(tree / "records", ns=(before.st_atime_ns, before.st_mtime_ns))
    assert store.known_strays(tree) == ["records/attic/x.yaml"]
