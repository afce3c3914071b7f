"""The cache in .hs/cache (hs.store.cache): where it is, what it holds, and that a corrupt
or foreign one is never trusted."""

from __future__ import annotations

import marshal
import os
from pathlib import Path

import pytest

from hs import SCHEMA_VERSION
from hs.store import cache
from hs.store.cache import cache_dir
from hs.store.load import load_tree
from tests.conftest import commit_all, git
from tests.store.conftest import FID, age


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


def test_a_corrupt_cache_is_ignored_and_rewritten(tree: Path) -> None:
    load_tree(tree)
    folder = cache_dir(tree)
    for part in folder.iterdir():
        part.write_bytes(b"\x00garbage, not marshal data")
    report = load_tree(tree)
    assert report.parsed == 4 and not report.problems
    assert report.index.families[FID].children == ("2023-05",)
    assert isinstance(_part(folder / "head.marshal"), dict)
    assert cache.intact("family", (folder / "family.marshal").read_bytes())
    assert FID in str(cache.read_part(tree, "family"))


def _part(path: Path) -> object:
    raw = cache.unsealed(path.read_bytes())
    assert raw is not None
    return marshal.loads(raw)


@pytest.mark.parametrize("part", ["family", "sigs", "head", "journal"])
def test_bits_flipped_in_place_are_found_by_the_checksum(tree: Path, part: str) -> None:
    """The token of a part (inode, size, modification time) stays when bytes are changed
    in place and the time is put back: that changed a KPI count (49 for 50) with exit 0.
    The checksum finds it; the part is not trusted, the answer is right, and the part is
    written again."""
    load_tree(tree)
    age(tree)
    load_tree(tree)  # now every file is trusted
    path = cache_dir(tree) / f"{part}.marshal"
    st = path.stat()
    data = path.read_bytes()
    at = data.find(b"2023-05") if part == "family" else len(data) // 2
    assert at > 0
    with open(path, "r+b") as fh:  # in place: the same inode and size
        fh.seek(at)
        fh.write(b"2023-06" if part == "family" else bytes([data[at] ^ 0x10]))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert (path.stat().st_ino, path.stat().st_size, path.stat().st_mtime_ns) == (
        st.st_ino, st.st_size, st.st_mtime_ns)
    report = load_tree(tree)
    assert report.index.families[FID].children == ("2023-05",)
    assert not report.problems
    again = load_tree(tree)  # rebuilt: the checksums hold again
    assert again.index.families[FID].children == ("2023-05",)
    for written in cache_dir(tree).iterdir():
        assert cache.intact(written.name.removesuffix(".marshal"), written.read_bytes())


def test_a_seal_holds_only_for_its_bytes() -> None:
    raw = marshal.dumps({"a": (1, "x")})
    assert bytes(cache.unsealed(cache.sealed(raw)) or b"") == raw
    assert cache.unsealed(b"") is None and cache.unsealed(raw) is None
    assert cache.unsealed(cache.sealed(raw)[:-1]) is None


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
    monkeypatch.setattr(cache, "_fingerprint", "another-build")
    assert load_tree(tree).parsed == 4
    assert [p.name for p in (tree / ".hs" / "cache").iterdir()] == [
        cache_dir(tree).name]  # the old one is cleared away


def test_the_revision_readers_old_file_is_cleared_away_too(tree: Path) -> None:
    """Versions before 0.2 kept the blobs read at a git revision in one file beside the
    cache folders; it is thrown away with the other versions' caches."""
    old = tree / ".hs" / "cache" / f"blobs-{SCHEMA_VERSION}-0.1.0-1.marshal"
    old.parent.mkdir(parents=True, exist_ok=True)
    old.write_bytes(marshal.dumps({}))
    (tree / ".hs" / "cache" / "index-0-old").mkdir()
    load_tree(tree)
    assert [p.name for p in (tree / ".hs" / "cache").iterdir()] == [cache_dir(tree).name]


# --- the kinds' parts in chunks, the part of the IDs' files -----------------------------


def _journaled_changes(root: Path) -> None:
    """A few files changed after the cache was written whole: one edited, one gone, one
    new (a family under a new ID), one moved into a subfolder (same ID, another file)."""
    load_tree(root)  # every part written whole
    families = sorted((root / "records" / "families").glob("*.yaml"))
    trajectories = sorted((root / "records" / "trajectories").glob("*.yaml"))
    edited = next(p for p in trajectories[len(trajectories) // 2:]
                  if "minutes: 60" in p.read_text(encoding="utf-8"))
    edited.write_text(edited.read_text(encoding="utf-8").replace(
        "minutes: 60", "minutes: 61", 1), encoding="utf-8")
    families[100].unlink()
    (root / "records" / "families" / f"{FID}.yaml").write_text(
        families[5].read_text(encoding="utf-8"), encoding="utf-8")
    volunteers = sorted((root / "records" / "volunteers").glob("*.yaml"))
    moved = root / "records" / "volunteers" / "sub" / volunteers[9].name
    moved.parent.mkdir()
    volunteers[9].rename(moved)


def test_rows_by_id_links_and_paths_are_those_of_a_read_without_cache(
        demo_repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With the journal holding changes of the parts (a file edited, gone, new, moved), a
    warm read's rows by ID (chunks decoded one by one), the trajectories' links (from the
    part's head) and the map of IDs to files (from its own part) are what a read without
    the cache gives; and none of the kinds is decoded whole for them."""
    monkeypatch.setattr(cache, "CHUNK_ROWS", 16)  # several chunks in the demo's parts
    _journaled_changes(demo_repo)
    load_tree(demo_repo)  # the changes into the journal
    warm = load_tree(demo_repo).index
    whole = load_tree(demo_repo, use_cache=False).index
    assert warm.paths == whole.paths
    assert warm.cached_links() == {t.id: (t.family, tuple(a.volunteer for a in t.assignments))
                                   for t in whole.trajectories.values()}
    for kind, table in (("family", whole.families), ("volunteer", whole.volunteers),
                        ("trajectory", whole.trajectories)):
        for rid, row in table.items():
            assert warm.row(kind, rid).to_tuple() == row.to_tuple()
        assert warm.row(kind, "x0000000") is None
        assert not warm.decoded(kind)
    table = load_tree(demo_repo).index.trajectories  # the table's order, as cached
    wanted = list(table)[::7]
    assert list(warm.rows_of("trajectory", reversed(wanted))) == wanted


def test_a_journal_that_puts_an_id_in_two_files_reads_the_part_whole(
        demo_repo: Path) -> None:
    """A new file with the ID of another one (an error hs validate reports): which one
    counts is settled by the order of the files, so the part is decoded whole and the
    paths come from every file's signature, as without the cache."""
    load_tree(demo_repo)
    families = sorted((root := demo_repo / "records" / "families").glob("*.yaml"))
    (root / "sub").mkdir()
    (root / "sub" / families[4].name).write_text(families[4].read_text(encoding="utf-8"),
                                                  encoding="utf-8")
    load_tree(demo_repo)
    warm = load_tree(demo_repo).index
    whole = load_tree(demo_repo, use_cache=False).index
    rid = families[4].stem
    assert warm.paths == whole.paths
    assert warm.paths[rid] == f"records/families/sub/{rid}.yaml"
    assert warm.row("family", rid).to_tuple() == whole.families[rid].to_tuple()
    assert warm.decoded("family")


def test_a_chunked_part_read_whole_is_the_part_as_given(tree: Path) -> None:
    """A kind's part written in chunks reads back, whole, as the dict it was written from
    (order included), over several chunks."""
    rows = {f"records/families/f{i:08d}.yaml": (f"f{i:08d}", i, "x" * (i % 5))
            for i in range(cache.CHUNK_ROWS * 2 + 3)}
    token = cache.write_part(tree, "family", rows)
    assert token is not None
    got = cache.read_tokened(tree, "family", token)
    assert got == rows and list(got) == list(rows)
    lookup = cache.read_lookup(tree, "family", token, {
        "records/families/f00000001.yaml": None,
        "records/families/f00000300.yaml": ("f00000300", 300, "y"),
        "records/families/new.yaml": ("fnew", -1, "")})
    assert lookup is not None
    assert lookup.get("f00000001") is None
    assert lookup.get("f00000300") == ("f00000300", 300, "y")
    assert lookup.get("f00000511") == rows["records/families/f00000511.yaml"]
    assert lookup.get("fnew") == ("fnew", -1, "")
    assert lookup.place("fnew") == len(rows)
    # an ID that changed in its file: no lookup (the part is read whole)
    assert cache.read_lookup(tree, "family", token, {
        "records/families/f00000002.yaml": ("f99999999", 2, "")}) is None
    assert cache.read_lookup(tree, "family", (0, 0, 0), None) is None


def test_a_chunk_found_corrupt_by_a_lookup_reads_the_files_again(tree: Path) -> None:
    """Bits flipped in place in a chunk (token unchanged) after a read gave the part's
    head: the row asked for by ID is not taken from it; the kind is read whole, which finds
    the part corrupt and reads the files again."""
    load_tree(tree)
    age(tree)
    load_tree(tree)
    index = load_tree(tree).index
    assert index.cached_links() == {}  # the trajectories' head read, no chunk
    path = cache_dir(tree) / "family.marshal"
    st = path.stat()
    data = path.read_bytes()
    at = data.find(b"2023-05")
    with open(path, "r+b") as fh:
        fh.seek(at)
        fh.write(b"2023-06")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert index.row("family", FID).children == ("2023-05",)
    assert index.decoded("family")
    assert load_tree(tree).index.row("family", FID).children == ("2023-05",)
