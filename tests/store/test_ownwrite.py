"""hs's own commit noted in the cache's memo of git (hs.store.ownwrite): the next read
does not list git's index, and reads as a read without the cache, whatever else changed
the index meanwhile."""

from __future__ import annotations

import contextlib
import random
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from hs.base.errors import GitError, HsError
from hs.store import faults, gitops, ownwrite
from hs.store.cache import read_part
from hs.store.load import load_tree
from hs.store.repo import Repo
from hs.store.transaction import write_change
from tests.conftest import commit_all, git, write_record
from tests.store.conftest import FAMILY, FID
from tests.store.test_plan import FAMILY2, same_as_cold, settle

OTHER = "f7777777a"
TEXTS = [FAMILY, FAMILY2, FAMILY.replace("2023-05", "2020-01")]


@pytest.fixture
def tree(empty_repo: Path) -> Path:
    """Two families, committed, the cache trusting everything."""
    write_record(empty_repo, f"families/{FID}.yaml", FAMILY)
    write_record(empty_repo, f"families/{OTHER}.yaml", FAMILY2)
    commit_all(empty_repo)
    settle(empty_repo)
    return empty_repo


@pytest.fixture
def listings(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The folders whose tracked files a read lists (git ls-files)."""
    seen: list[str] = []
    real = gitops.start_tracked

    def spy(root: Path, folder: str) -> Any:
        seen.append(folder)
        return real(root, folder)

    monkeypatch.setattr(gitops, "start_tracked", spy)
    return seen


@pytest.fixture
def meanwhile(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Callable[[], None]]]:
    """Actions run when the write reaches a fault point (``{point: action}``), each once:
    another program's git command in the middle of hs's write."""
    actions: dict[str, Callable[[], None]] = {}
    real = faults.point

    def point(name: str) -> None:
        action = actions.pop(name, None)
        if action is not None:
            action()
        real(name)

    monkeypatch.setattr(faults, "point", point)
    yield actions


def hs_write(root: Path, fid: str, text: str) -> None:
    """What a command does: read under the lock, then write one record and commit it."""
    repo = Repo(root)
    with repo.lock():
        load_tree(root)
        write_change(repo, [(f"records/families/{fid}.yaml", text)], action="test.edit",
                     subject=f"family {fid}: edit",
                     message=gitops.CommitMessage(f"family {fid}: edit", "test.edit"))


def noted(root: Path) -> bool:
    memo = read_part(root, "head").get("git")
    return isinstance(memo, dict) and memo.get("digest") == ownwrite.NOTED


def test_the_next_read_after_hs_s_commit_lists_nothing(tree: Path, listings: list[str]
                                                       ) -> None:
    hs_write(tree, FID, FAMILY2)
    assert noted(tree)
    listings.clear()
    report = same_as_cold(tree)  # the written file read again, nothing listed
    assert listings == [] and report.parsed == 1
    assert report.index.families[FID].children == ("2021-11",)
    assert git(tree, "status", "--porcelain") == ""


def test_a_file_staged_before_the_write_leaves_the_memo(tree: Path, listings: list[str]
                                                        ) -> None:
    write_record(tree, f"families/{OTHER}.yaml", FAMILY)
    git(tree, "add", "records")
    hs_write(tree, FID, FAMILY2)
    assert not noted(tree)
    listings.clear()
    report = same_as_cold(tree)
    assert listings and report.index.families[OTHER].children == ("2023-05",)


@pytest.mark.parametrize("point", ["written", "staged", "committed"])
def test_a_staged_file_put_back_meanwhile_leaves_the_memo(
        tree: Path, meanwhile: dict[str, Callable[[], None]], point: str) -> None:
    """A change staged when hs read, then put back as HEAD has it (file and index) while
    hs writes: after the commit the index holds HEAD's version, but the cache the staged
    one, so the memo must not vouch for the new index."""
    write_record(tree, f"families/{OTHER}.yaml", FAMILY)
    git(tree, "add", "records")
    meanwhile[point] = lambda: git(tree, "checkout", "HEAD", "--",
                                   f"records/families/{OTHER}.yaml")
    hs_write(tree, FID, FAMILY2)
    assert not noted(tree)
    assert same_as_cold(tree).index.families[OTHER].children == ("2021-11",)


@pytest.mark.parametrize("point", ["written", "staged", "committed"])
@pytest.mark.parametrize("what", ["add", "commit", "checkout"])
def test_another_program_changing_the_index_meanwhile_leaves_the_memo(
        tree: Path, meanwhile: dict[str, Callable[[], None]], point: str, what: str) -> None:
    """Another program's git command while hs writes (before, during or after its
    commit): staging another record, committing it, or checking an older version of it
    out (the file and the index both changed, so git names neither as changed)."""
    first = git(tree, "rev-parse", "HEAD").strip()
    write_record(tree, f"families/{OTHER}.yaml", FAMILY)
    commit_all(tree, "other changed")
    settle(tree)

    def other() -> None:
        if what == "checkout":
            git(tree, "checkout", first, "--", f"records/families/{OTHER}.yaml")
            return
        write_record(tree, f"families/{OTHER}.yaml", TEXTS[2])
        git(tree, "add", f"records/families/{OTHER}.yaml")
        if what == "commit":
            git(tree, "commit", "-q", "-m", "by another program")

    meanwhile[point] = other
    try:
        hs_write(tree, FID, FAMILY2)
        written = True
    except GitError:  # a commit meanwhile moved the branch: the write is undone
        written = False
    assert written or (what, point) == ("commit", "staged")
    assert not noted(tree)
    report = same_as_cold(tree)
    assert report.index.families[FID].children == ("2021-11",) if written else ("2023-05",)
    assert report.index.families[OTHER].children == (
        ("2021-11",) if what == "checkout" else ("2020-01",))


@pytest.mark.parametrize("flag", ["--assume-unchanged", "--skip-worktree"])
@pytest.mark.parametrize("when", ["committed", "hook", "after"])
def test_a_flag_set_meanwhile_leaves_the_memo(
        tree: Path, meanwhile: dict[str, Callable[[], None]], flag: str, when: str) -> None:
    """git diff-files says nothing of a flagged file, and git diff-index does not see a
    flag: a flag set by another program right after the commit, or by a post-commit hook
    (which runs after the index is written), keeps the memo from naming that index; set
    after hs's write, it changes the index again. The flagged file edited then is read."""
    rel = f"records/families/{OTHER}.yaml"
    if when == "committed":
        meanwhile["committed"] = lambda: git(tree, "update-index", flag, rel)
    elif when == "hook":
        hook = tree / ".git" / "hooks" / "post-commit"
        hook.write_text(f"#!/bin/sh\ngit update-index {flag} {rel}\n")
        hook.chmod(0o755)
    hs_write(tree, FID, FAMILY2)
    if when == "after":
        git(tree, "update-index", flag, rel)
    else:
        assert not noted(tree)
    write_record(tree, f"families/{OTHER}.yaml", FAMILY)
    assert same_as_cold(tree).index.families[OTHER].children == ("2023-05",)


def test_a_flag_the_memo_names_already_is_no_obstacle(tree: Path) -> None:
    """A file flagged before the read is among the memo's files to look at: the commit
    is noted all the same, and the flagged file edited later is read."""
    rel = f"records/families/{OTHER}.yaml"
    git(tree, "update-index", "--assume-unchanged", rel)
    load_tree(tree)
    hs_write(tree, FID, FAMILY2)
    assert noted(tree)
    write_record(tree, f"families/{OTHER}.yaml", FAMILY)
    assert same_as_cold(tree).index.families[OTHER].children == ("2023-05",)


@pytest.mark.parametrize(("listing", "found"), [
    (b"", set()),
    (b"H records/a.yaml\0H records/b.yaml\0", set()),
    (b"h records/a.yaml\0H records/b.yaml\0", {"records/a.yaml"}),
    (b"H records/a.yaml\0S records/b H c.yaml\0", {"records/b H c.yaml"}),
    (b"H records/a.yaml\0M records/b.yaml\0M records/b.yaml\0", {"records/b.yaml"})])
def test_flagged_entries_are_those_not_tagged_h(listing: bytes, found: set[str]) -> None:
    assert ownwrite.flagged(listing) == found


def test_a_removal_is_noted_and_read(tree: Path, listings: list[str]) -> None:
    repo = Repo(tree)
    with repo.lock():
        load_tree(tree)
        write_change(repo, [(f"records/families/{OTHER}.yaml", None)], action="test.undo",
                     subject="undo", message=gitops.CommitMessage("undo", "test.undo"))
    listings.clear()
    report = same_as_cold(tree)
    assert OTHER not in report.index.families


@pytest.mark.parametrize("seed", [0, *(pytest.param(s, marks=pytest.mark.slow)
                                       for s in range(1, 6))])
def test_hs_writes_among_other_programs_read_as_without_the_cache(
        tree: Path, meanwhile: dict[str, Callable[[], None]], seed: int) -> None:
    """hs's writes and other programs' git commands (during a write too: staging,
    committing, checking out, resetting, flagging) in a random order: after each step the
    cached read equals a read without the cache."""
    rnd = random.Random(seed)
    ids = [FID, OTHER, "f7777777b"]
    commits = [git(tree, "rev-parse", "HEAD").strip()]
    for step in range(16):
        fid = rnd.choice(ids)
        rel = f"records/families/{fid}.yaml"

        def other(rel: str = rel) -> None:
            choice = rnd.choice(["add", "commit", "checkout", "reset", "edit", "flag"])
            if choice == "flag":  # refused by git for a file it does not track
                subprocess.run(["git", "update-index", rnd.choice(
                    ["--assume-unchanged", "--no-assume-unchanged"]), rel], cwd=tree,
                    capture_output=True, check=False)
            elif choice == "checkout":
                git(tree, "checkout", rnd.choice(commits), "--", "records")
            elif choice == "reset":
                git(tree, "reset", "-q", "--hard", rnd.choice(commits))
            else:
                write_record(tree, rel.split("/", 1)[1].split("/", 1)[1], rnd.choice(TEXTS))
                if choice != "edit":
                    git(tree, "add", "records")
                if choice == "commit":
                    git(tree, "commit", "-q", "--allow-empty", "-m", "another program")
                    commits.append(git(tree, "rev-parse", "HEAD").strip())

        action = rnd.choice(["hs", "hs", "hs", "other", "during"])
        if action == "other":
            other()
        else:
            if action == "during":
                meanwhile[rnd.choice(["written", "staged", "committed"])] = other
            with contextlib.suppress(HsError):  # refused by what changed meanwhile
                hs_write(tree, fid, rnd.choice(TEXTS))
            meanwhile.clear()
            commits.append(git(tree, "rev-parse", "HEAD").strip())
        try:
            same_as_cold(tree)
        except AssertionError as exc:
            raise AssertionError(f"seed {seed}, step {step} ({action} {fid})") from exc
