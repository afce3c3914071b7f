"""Finding the changed files by asking git (hs.store.plan with hs.store.gitops): every way a
file can change under git gives the same index as a read without the cache."""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from hs.store import gitops, load
from hs.store import plan as planning
from hs.store.cache import cache_dir
from hs.store.load import LoadReport, load_tree, prefetch
from tests.conftest import commit_all, git, write_record
from tests.store.conftest import FAMILY, FID, age

FAMILY2 = FAMILY.replace("2023-05", "2021-11").replace("kind-en-gezin", "ocmw")


def snapshot(report: LoadReport) -> dict[str, Any]:
    """Everything a query can see of a read."""
    index = report.index
    return {
        "families": dict(index.families), "volunteers": dict(index.volunteers),
        "trajectories": dict(index.trajectories), "locations": dict(index.locations),
        "config": index.config, "vocabularies": index.vocabularies,
        "paths": dict(index.paths), "invalid": sorted(index.invalid),
        "problems": sorted((p.path, p.line, p.col, p.code) for p in report.problems),
        "warnings": sorted((p.path, p.line, p.col, p.code) for p in report.warnings),
        "files": sorted(e[3] for e in report.entries),
    }


def same_as_cold(root: Path) -> LoadReport:
    """Read with the cache, check it against a read without, return the cached read."""
    warm = load_tree(root)
    assert snapshot(warm) == snapshot(load_tree(root, use_cache=False))
    return warm


def settle(root: Path) -> None:
    """Age every file (so its signature alone would be trusted), refresh git's index and
    read once, so that the next read starts from a cache that trusts everything."""
    age(root)
    refresh(root)
    load_tree(root)


def refresh(root: Path) -> None:
    """Let git note the files' new signatures in its index (as git status does)."""
    subprocess.run(["git", "update-index", "-q", "--refresh"], cwd=root,
                   capture_output=True, check=False)


@pytest.fixture
def tree(empty_repo: Path) -> Path:
    write_record(empty_repo, f"families/{FID}.yaml", FAMILY)
    commit_all(empty_repo)
    settle(empty_repo)
    return empty_repo


def family_path(root: Path, fid: str = FID) -> Path:
    return root / "records" / "families" / f"{fid}.yaml"


@pytest.fixture
def no_stat_plan(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail if a read falls back to looking at every file."""
    def refuse(*args: Any) -> Any:
        raise AssertionError("looked at every file")

    monkeypatch.setattr(planning, "by_stat", refuse)


def test_a_warm_read_in_git_looks_at_no_file(tree: Path, no_stat_plan: None) -> None:
    report = load_tree(tree)
    assert report.parsed == 0
    assert report.index.families[FID].children == ("2023-05",)


def test_an_edit_is_seen_without_looking_at_every_file(tree: Path, no_stat_plan: None
                                                         ) -> None:
    path = family_path(tree)
    path.write_text(FAMILY.replace("2023-05", "2024-05"))  # same size
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns - 30_000_000_000))
    report = load_tree(tree)
    assert report.parsed == 1
    assert report.index.families[FID].children == ("2024-05",)
    again = load_tree(tree)  # still modified: looked at (by its signature), not read
    assert again.parsed == 0 and again.index.families[FID].children == ("2024-05",)


def test_undoing_an_edit_with_git_is_seen(tree: Path, no_stat_plan: None) -> None:
    path = family_path(tree)
    path.write_text(FAMILY.replace("2023-05", "2024-05"))
    assert load_tree(tree).index.families[FID].children == ("2024-05",)
    git(tree, "checkout", "--", path.relative_to(tree).as_posix())
    assert load_tree(tree).index.families[FID].children == ("2023-05",)


def test_new_and_removed_files_are_seen(tree: Path, no_stat_plan: None) -> None:
    other = write_record(tree, "families/f7777777a.yaml", FAMILY2)
    deeper = write_record(tree, "families/archive/f7777777b.yaml", FAMILY2)
    report = load_tree(tree)
    assert set(report.index.families) == {FID, "f7777777a", "f7777777b"}
    assert report.index.paths["f7777777b"] == "records/families/archive/f7777777b.yaml"
    settle(tree)
    deeper.write_text(FAMILY)  # untracked, edited in place: its folder does not change
    st = deeper.stat()
    os.utime(deeper, ns=(st.st_atime_ns, st.st_mtime_ns - 30_000_000_000))
    assert load_tree(tree).index.families["f7777777b"].children == ("2023-05",)
    other.unlink()
    family_path(tree).unlink()  # tracked
    report = load_tree(tree)
    assert set(report.index.families) == {"f7777777b"}
    assert FID not in report.index.paths


def test_a_commit_is_not_a_reason_to_read_again(tree: Path) -> None:
    family_path(tree).write_text(FAMILY2)
    assert load_tree(tree).parsed == 1
    commit_all(tree)
    report = load_tree(tree)  # the index changed; the blob is the one read
    assert report.parsed == 0
    assert report.index.families[FID].children == ("2021-11",)


def test_switching_branches_is_seen(tree: Path) -> None:
    git(tree, "checkout", "-q", "-b", "other")
    family_path(tree).write_text(FAMILY2)
    write_record(tree, "families/f7777777a.yaml", FAMILY)
    commit_all(tree)
    settle(tree)
    git(tree, "checkout", "-q", "main")
    age(tree)  # old modification times: only the blob IDs tell
    report = same_as_cold(tree)
    assert set(report.index.families) == {FID}
    assert report.index.families[FID].children == ("2023-05",)


def test_a_file_git_is_told_not_to_look_at_is_looked_at(tree: Path) -> None:
    rel = family_path(tree).relative_to(tree).as_posix()
    git(tree, "update-index", "--assume-unchanged", rel)
    load_tree(tree)
    family_path(tree).write_text(FAMILY2)
    assert "records/families" not in git(tree, "diff-files", "--name-only")
    assert load_tree(tree).index.families[FID].children == ("2021-11",)


def test_a_failing_tracked_file_is_reported_every_time(tree: Path, no_stat_plan: None
                                                       ) -> None:
    bad = write_record(tree, "families/f7777777a.yaml", "schema_version: 1\nlocation: [\n")
    commit_all(tree)
    for _ in range(3):
        report = load_tree(tree)
        assert [p.path for p in report.problems] == [bad.relative_to(tree).as_posix()]


def test_without_git_every_file_is_looked_at(tree: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gitops, "start_changes", lambda root, folder: None)
    family_path(tree).write_text(FAMILY2)
    assert load_tree(tree).index.families[FID].children == ("2021-11",)


def test_a_git_that_fails_gives_way_to_looking_at_every_file(
        tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tree / "nowhere"))  # no git to start
    family_path(tree).write_text(FAMILY2)
    assert load_tree(tree).index.families[FID].children == ("2021-11",)


def test_a_hooks_git_variables_do_not_mislead_the_read(tree: Path, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch
                                                       ) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    git(elsewhere, "init", "-q")
    monkeypatch.setenv("GIT_DIR", str(elsewhere / ".git"))
    monkeypatch.setenv("GIT_INDEX_FILE", str(elsewhere / ".git" / "index"))
    family_path(tree).write_text(FAMILY2)
    assert load_tree(tree).index.families[FID].children == ("2021-11",)


@pytest.mark.parametrize("compact", [False, True])
def test_a_cache_left_half_written_is_never_trusted(tree: Path, compact: bool,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Each file of the cache is written atomically, head last; a run that dies between
    two of them leaves some files of the new state with the others of the old. Whichever
    mix, the next read gives what a read without the cache gives."""
    if compact:
        monkeypatch.setattr(load, "JOURNAL_LIMIT", 0)  # every change writes all parts
    folder = cache_dir(tree)
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    family_path(tree).write_text(FAMILY2)
    write_record(tree, "families/f7777777a.yaml", FAMILY)
    load_tree(tree)
    after = {p.name: p.read_bytes() for p in folder.iterdir()}
    assert after != before
    for name in sorted(before.keys() | after.keys()):
        for old_one in (True, False):  # this file old and the rest new, or the reverse
            for p in folder.iterdir():
                p.unlink()
            for n in before.keys() | after.keys():
                content = (before if (n == name) == old_one else after).get(n)
                if content is not None:
                    (folder / n).write_bytes(content)
            try:
                same_as_cold(tree)
            except AssertionError as exc:
                raise AssertionError(f"{name} {'old' if old_one else 'new'}") from exc


def test_a_prefetched_answer_is_used_once_and_only_for_its_tree(
        tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[Path] = []
    real = gitops.start_changes

    def counting(root: Path, folder: str) -> Any:
        started.append(root)
        return real(root, folder)

    monkeypatch.setattr(gitops, "start_changes", counting)
    prefetch(str(tree))
    assert started == [tree]
    load_tree(tree)
    assert started == [tree]  # picked up, not asked again
    load_tree(tree)
    assert started == [tree, tree]
    prefetch(str(tree))
    other = tmp_path / "nothing-here"
    prefetch(str(other))  # no tree: nothing started, the earlier one stays
    assert len(started) == 3
    load_tree(tree)
    assert len(started) == 3


@pytest.mark.parametrize(("seed", "journal", "many"), [
    (0, 2000, 2000), *(pytest.param(s, j, m, marks=pytest.mark.slow) for s, j, m in (
        (1, 2000, 2000), (2, 2000, 2000), (3, 2000, 2000), (4, 3, 2000), (5, 3, 2000),
        (6, 2000, 0))),
    (7, 3, 0)])
def test_any_sequence_of_changes_reads_as_without_the_cache(
        empty_repo: Path, seed: int, journal: int, many: int,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Edits, additions, removals, commits, checkouts, branch switches, moves, ageing,
    folders where files were and broken files in a random order: after each step the
    cached read equals a read without the cache (with a journal written whole after every
    change or two, or rarely; with the files git cannot vouch for looked at one by one,
    or through a listing)."""
    monkeypatch.setattr(load, "JOURNAL_LIMIT", journal)
    monkeypatch.setattr(planning, "MANY_SUSPECTS", many)
    rnd = random.Random(seed)
    root = empty_repo
    ids = [f"f77777{n:03d}" for n in range(6)]
    texts = [FAMILY, FAMILY2, FAMILY.replace("2023-05", "2020-01"),
             "schema_version: 1\nlocation: [\n"]
    for step in range(30):
        action = rnd.choice(["write", "write", "remove", "commit", "checkout", "age",
                             "subfolder", "refresh", "switch", "move", "folder"])
        fid = rnd.choice(ids)
        at = root / "records" / "families" / f"{fid}.yaml"
        if at.is_dir() and action in ("write", "folder"):
            shutil.rmtree(at)
        if action == "write":
            write_record(root, f"families/{fid}.yaml", rnd.choice(texts))
        elif action == "folder":  # a folder where a file was (or is): with a record in it
            if at.exists():
                at.unlink()
            if rnd.random() < 0.5:  # and git told to forget the file
                git(root, "rm", "-q", "--cached", "--ignore-unmatch", "--",
                    f"records/families/{fid}.yaml")
            write_record(root, f"families/{fid}.yaml/{rnd.choice(ids)}.yaml",
                         rnd.choice(texts[:3]))
        elif action == "subfolder":
            write_record(root, f"families/old/{fid}.yaml", rnd.choice(texts[:3]))
        elif action == "remove":
            for p in (root / "records" / "families").rglob(f"{fid}.yaml"):
                shutil.rmtree(p) if p.is_dir() else p.unlink()
        elif action == "commit":
            git(root, "add", "-A")
            git(root, "commit", "-q", "--allow-empty", "-m", f"step {step}")
        elif action == "checkout":
            git(root, "checkout", "-q", "--", "records")
        elif action == "switch":  # to another branch, or back (refused if it would lose work)
            branch = "main" if step % 2 else f"side{step}"
            subprocess.run(["git", "checkout", "-q", *(["-b"] if branch != "main" else []),
                            branch], cwd=root, capture_output=True, check=False)
        elif action == "move":
            for p in (root / "records" / "families").glob(f"{fid}.yaml"):
                (p.parent / "old").mkdir(exist_ok=True)
                p.rename(p.parent / "old" / p.name)
        elif action == "age":
            age(root, rnd.choice([5, 60]))
        else:
            refresh(root)
        try:
            same_as_cold(root)
        except AssertionError as exc:
            raise AssertionError(f"seed {seed}, step {step} ({action} {fid})") from exc


def test_a_record_that_is_a_symbolic_link_is_followed(tree: Path) -> None:
    target = tree / "elsewhere.yaml"
    target.write_text(FAMILY2)
    link = tree / "records" / "families" / "f7777777a.yaml"
    link.symlink_to(target)
    commit_all(tree)
    settle(tree)
    target.write_text(FAMILY)  # git sees the link unchanged; the record changed
    age(tree)
    report = same_as_cold(tree)
    assert report.index.families["f7777777a"].children == ("2023-05",)


def test_listing_of_tracked_files(tree: Path) -> None:
    listing = gitops.tracked(tree, "records")
    assert listing is not None
    rel = f"records/families/{FID}.yaml"
    assert listing.blobs[rel] == gitops.blob_id(family_path(tree).read_bytes())
    assert listing.other == []
    assert gitops.tracked(tree / "records" / "nowhere", "records") is None


# --- found in review: each read with the cache equals one without -------------------------


@pytest.mark.parametrize("in_git", [True, False])
def test_a_file_replaced_by_one_of_the_same_size_and_time_is_read_again(
        tree: Path, in_git: bool) -> None:
    """cp -p, rsync -t or two saves in one clock tick: the change time tells."""
    a = write_record(tree, "families/f7777777a.yaml", FAMILY)
    b = write_record(tree, "families/f7777777b.yaml", FAMILY.replace("2023-05", "2024-06"))
    st = a.stat()
    os.utime(b, ns=(st.st_atime_ns, st.st_mtime_ns))
    if in_git:
        commit_all(tree)
    else:
        (tree / ".git").rename(tree / ".git-away")
    settle(tree)
    os.replace(b, a)
    assert same_as_cold(tree).index.families["f7777777a"].children == ("2024-06",)


def test_a_subfolder_that_becomes_a_link_is_not_followed(tree: Path) -> None:
    write_record(tree, "families/old/f7777777a.yaml", FAMILY2)
    commit_all(tree)
    settle(tree)
    old = tree / "records" / "families" / "old"
    old.rename(tree / "elsewhere")
    old.symlink_to(tree / "elsewhere")
    report = same_as_cold(tree)  # scan does not follow linked subfolders; nor does the cache
    assert "f7777777a" not in report.index.families


@pytest.mark.parametrize("forgotten", [False, True])
def test_a_folder_where_a_cached_file_was_is_looked_into(tree: Path, forgotten: bool
                                                         ) -> None:
    """A record file replaced by a folder of the same name that holds a record (git told
    to forget the file, or not): the read finds the record in the folder, as a read
    without the cache does, though every other name in the kind's folder is known."""
    path = family_path(tree)
    path.unlink()
    if forgotten:
        git(tree, "rm", "-q", "--cached", "--", f"records/families/{FID}.yaml")
    write_record(tree, f"families/{FID}.yaml/f7777777a.yaml", FAMILY2)
    report = same_as_cold(tree)
    assert "f7777777a" in report.index.families and FID not in report.index.families


def test_a_save_while_git_is_asked_is_not_lost_after_a_checkout(tree: Path) -> None:
    path = family_path(tree)
    path.write_text(FAMILY2)
    commit_all(tree)
    prefetch(str(tree))  # git diff-files runs: the file is clean
    time.sleep(0.3)
    path.write_text(FAMILY.replace("2023-05", "2024-06"))  # saved meanwhile
    load_tree(tree)  # reads it (the index changed), but git did not name it
    git(tree, "checkout", "--", "records")  # the save undone
    assert same_as_cold(tree).index.families[FID].children == ("2021-11",)


def test_warnings_of_a_file_gone_do_not_outlive_a_cache_started_afresh(
        tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    warned = write_record(tree, "families/f7777777a.yaml", FAMILY.split("\n", 1)[1])
    settle(tree)
    assert load_tree(tree).warnings
    warned.unlink()
    (cache_dir(tree) / "sigs.marshal").unlink()  # as a run that died would leave
    assert all("f7777777a" not in p.path for p in same_as_cold(tree).warnings)


def test_a_folder_too_new_to_trust_is_listed_again_once(tree: Path,
                                                        monkeypatch: pytest.MonkeyPatch
                                                        ) -> None:
    """A folder changed just before the cache was written is listed again by the next
    read (its time alone is not trusted); once it is old enough, that read writes the
    cache's head with its own time, so the reads after it do not list it again."""
    from hs.store import cache

    racy = 300_000_000  # 0.3 s instead of 2 s: the test waits for it
    monkeypatch.setattr(cache, "RACY_NS", racy)
    monkeypatch.setattr(load, "RACY_NS", racy)
    write_record(tree, "families/f2bbbbbbb.yaml", FAMILY2.replace(FID, "f2bbbbbbb"))
    commit_all(tree)
    refresh(tree)
    load_tree(tree)  # notes the folder's new time, too close to the write to trust
    listed: list[str] = []
    real, real_look = planning.scan_folder, planning._nothing_new

    def spy(root_s: str, rel_dir: str, *args: Any) -> None:
        listed.append(rel_dir)
        real(root_s, rel_dir, *args)

    def look(folder: str, rel_dir: str, *args: Any) -> bool:
        listed.append(rel_dir)  # listed to see whether anything in it is new
        return real_look(folder, rel_dir, *args)

    monkeypatch.setattr(planning, "scan_folder", spy)
    monkeypatch.setattr(planning, "_nothing_new", look)
    time.sleep(racy * 1.5 / 1e9)
    load_tree(tree)
    assert "records/families" in listed
    listed.clear()
    load_tree(tree)
    assert listed == []
    same_as_cold(tree)
