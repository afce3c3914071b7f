"""The cache in .hs/cache (hs.store.cache): where it is, what it holds, and that a corrupt
or foreign one is never trusted."""

from __future__ import annotations

import marshal
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
