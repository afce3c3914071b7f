"""The files of a records tree (hs.store.layout): the stray files, found by the listing
and remembered while no folder changes."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from hs.base import i18n
from hs.base.errors import RepoNotFound
from hs.store import layout


def test_the_listing_finds_the_stray_files_as_a_walk_does(tmp_path: Path) -> None:
    """A cold read lists every folder once and notes the stray files as it goes; it finds
    what :func:`hs.store.layout.stray_files` finds walking the tree, in every place one can be."""
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
        layout.scan(root, {}, strays)
        assert strays == layout.stray_files(root), root
    strays = []
    layout.scan(tmp_path, {}, strays)
    assert strays == sorted([
        "records/Config.YAML", "records/notes.yml", "records/families/f00000002.YAML",
        "records/families/f00000003.Yml", "records/families/old/deeper/f00000005.YaMl",
        "records/famlies/f00000006.yaml", "records/famlies/sub/f00000007.yml",
        "records/attic/x.YAML", "records/families/dir.yaml/f00000008.YAML"])


def test_stray_files_are_remembered_while_no_folder_changes(
        tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    walks: list[int] = []
    real = layout.stray_files

    def counted(root: Path, dirs: dict[str, int] | None = None) -> list[str]:
        walks.append(1)
        return real(root, dirs)

    monkeypatch.setattr(layout, "stray_files", counted)
    attic = tree / "records" / "attic"
    attic.mkdir()
    age_folders(tree)
    assert layout.known_strays(tree) == [] and len(walks) == 1
    assert layout.known_strays(tree) == [] and len(walks) == 1  # nothing changed
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
        assert layout.known_strays(tree) == expected == layout.stray_files(tree)
        assert len(walks) == 2 * n - 1  # walked again once (and once by the check above)
        assert layout.known_strays(tree) == expected and len(walks) == 2 * n - 1


def age_folders(root: Path, seconds: int = 60) -> None:
    for p in [root / "records", *(p for p in (root / "records").rglob("*") if p.is_dir())]:
        st = p.stat()
        os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns - seconds * 1_000_000_000))


def test_a_folder_changed_just_before_the_walk_is_walked_again(
        tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    walks: list[int] = []
    real = layout.stray_files
    monkeypatch.setattr(layout, "stray_files",
                        lambda root, dirs=None: walks.append(1) or real(root, dirs))
    (tree / "records" / "attic").mkdir()  # just now
    assert layout.known_strays(tree) == [] and layout.known_strays(tree) == []
    assert len(walks) == 2  # too fresh to be trusted
    age_folders(tree)
    layout.known_strays(tree)
    assert layout.known_strays(tree) == [] and len(walks) == 3


def test_a_folder_put_back_with_its_old_time_is_looked_into_again(tree: Path) -> None:
    attic = tree / "records" / "attic"
    attic.mkdir()
    age_folders(tree)
    assert layout.known_strays(tree) == []
    before = (tree / "records").stat()
    copy = tree / "attic-copy"
    shutil.copytree(attic, copy)
    (copy / "x.yaml").write_text("a: 1\n")
    shutil.copystat(attic, copy)  # as cp -a or rsync -t leave it: the old time
    shutil.rmtree(attic)
    copy.rename(attic)
    os.utime(tree / "records", ns=(before.st_atime_ns, before.st_mtime_ns))
    assert layout.known_strays(tree) == ["records/attic/x.yaml"]


def test_no_records_tree_is_said_in_dutch(tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Under HS_LANG=nl "no records repository" is Dutch too, with or without --repo."""
    monkeypatch.setattr(i18n, "_current", "nl")
    with pytest.raises(RepoNotFound) as here:
        layout.find_root(cwd=tmp_path)
    assert str(here.value) == ("geen records-map hier of in een map erboven (gebruik "
                               "--repo MAP, zet HS_REPO, of maak er een met 'hs init MAP')")
    with pytest.raises(RepoNotFound) as given:
        layout.find_root(tmp_path)
    assert str(given.value) == (f"geen records-map in {tmp_path.resolve()} (records/config.yaml "
                                "ontbreekt) (maak ze met 'hs init MAP')")
