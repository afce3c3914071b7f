"""Writes are refused while git is in the middle of an operation or on a detached HEAD
(the commit would be lost): real git states made by git itself, each refused with exit
1, one line that says the state and the way out, and nothing changed. A linked work tree
(a ``.git`` file) works like the main one."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from hs.store import gitstate
from tests.conftest import commit_all, git
from tests.conftest import invoke as hs


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted((root / "records").rglob("*")) if p.is_file()}


def refer(root: Path) -> tuple[int, str, str]:
    return hs(root, "family", "refer", "--location", "leuven", "--date", "2025-01-06",
              "--referrer", "kind-en-gezin")


def assert_refused(root: Path, *words: str) -> str:
    before, status = snapshot(root), git(root, "status", "--porcelain")
    head = git(root, "rev-parse", "HEAD")
    code, out, err = refer(root)
    assert (code, out) == (1, ""), err
    assert err.count("\n") == 1 and err.startswith("hs: git "), err
    for word in words:
        assert word in err, err
    assert snapshot(root) == before
    assert git(root, "status", "--porcelain") == status
    assert git(root, "rev-parse", "HEAD") == head
    return err


def conflicting_branch(root: Path) -> None:
    """A branch 'other' whose change to a file conflicts with main's (a file that is not a
    record: records merge record by record, through hs's merge driver, without stopping)."""
    notes = root / "notes.txt"
    notes.write_text("Home-Start Leuven\n")
    commit_all(root, "notes")
    git(root, "switch", "-q", "-c", "other")
    notes.write_text(notes.read_text().replace("Home-Start Leuven", "Home-Start Leuven A"))
    commit_all(root, "other side")
    git(root, "switch", "-q", "main")
    notes.write_text(notes.read_text().replace("Home-Start Leuven", "Home-Start Leuven B"))
    commit_all(root, "main side")


def git_fails(root: Path, *args: str) -> None:
    proc = subprocess.run(["git", *args], cwd=root, capture_output=True)
    assert proc.returncode != 0, proc


def test_a_write_works_on_a_branch(empty_repo: Path) -> None:
    assert refer(empty_repo)[0] == 0


def test_refused_in_a_rebase_stopped_on_a_conflict(empty_repo: Path) -> None:
    conflicting_branch(empty_repo)
    git_fails(empty_repo, "rebase", "other")
    err = assert_refused(empty_repo, "rebase", "git rebase --continue", "git rebase --abort")
    assert err == ("hs: git is in the middle of a rebase; a record written now would be "
                   "lost. Finish it with 'git rebase --continue' or stop it with 'git "
                   "rebase --abort', then try again\n")


def test_refused_in_a_rebase_stopped_at_edit(empty_repo: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    (empty_repo / "x.txt").write_text("x\n")
    commit_all(empty_repo, "one more")
    monkeypatch.setenv("GIT_SEQUENCE_EDITOR", "sed -i -e 's/^pick/edit/'")
    git(empty_repo, "rebase", "-i", "HEAD~1")
    assert (empty_repo / ".git/rebase-merge").is_dir()
    assert_refused(empty_repo, "rebase", "--continue", "--abort")


def test_refused_in_a_merge_cherry_pick_and_revert(empty_repo: Path) -> None:
    conflicting_branch(empty_repo)
    git_fails(empty_repo, "merge", "other")
    assert_refused(empty_repo, "merge", "git commit", "git merge --abort")
    git(empty_repo, "merge", "--abort")
    git_fails(empty_repo, "cherry-pick", "other")
    assert_refused(empty_repo, "cherry-pick", "git cherry-pick --continue",
                   "git cherry-pick --abort")
    git(empty_repo, "cherry-pick", "--abort")
    notes = empty_repo / "notes.txt"
    notes.write_text(notes.read_text().replace("Leuven B", "Leuven C"))
    commit_all(empty_repo, "third")
    git_fails(empty_repo, "revert", "--no-edit", "HEAD~1")
    assert_refused(empty_repo, "revert", "git revert --continue", "git revert --abort")


def test_refused_in_am_and_bisect(empty_repo: Path, tmp_path: Path) -> None:
    conflicting_branch(empty_repo)
    patch = tmp_path / "p.patch"
    patch.write_text(git(empty_repo, "format-patch", "-1", "other", "--stdout"))
    git_fails(empty_repo, "am", str(patch))
    assert_refused(empty_repo, "git am", "git am --continue", "git am --abort")
    git(empty_repo, "am", "--abort")
    git(empty_repo, "bisect", "start")
    assert_refused(empty_repo, "bisect", "git bisect reset")
    git(empty_repo, "bisect", "reset")
    assert refer(empty_repo)[0] == 0


def test_refused_on_a_detached_head(empty_repo: Path) -> None:
    git(empty_repo, "checkout", "-q", "--detach")
    err = assert_refused(empty_repo, "detached", "git switch main")
    assert err.startswith("hs: git is not on a branch")


def test_the_refusal_is_in_dutch(empty_repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    git(empty_repo, "checkout", "-q", "--detach")
    monkeypatch.setenv("HS_LANG", "nl")
    err = assert_refused(empty_repo, "git switch main")
    assert err.startswith("hs: git staat niet op een branch (een losse HEAD)")


def test_a_linked_work_tree_writes_and_is_checked(empty_repo: Path, tmp_path: Path) -> None:
    linked = tmp_path / "linked"
    git(empty_repo, "worktree", "add", "-q", "-b", "side", str(linked))
    assert (linked / ".git").is_file()
    code, out, err = refer(linked)
    assert code == 0 and out.startswith("f"), err
    assert git(linked, "log", "-1", "--format=%s").startswith("family ")
    assert git(linked, "status", "--porcelain") == ""
    git(linked, "checkout", "-q", "--detach")
    assert_refused(linked, "detached")
    assert refer(empty_repo)[0] == 0  # the main work tree is on its branch


@pytest.mark.parametrize(("files", "expected"), [
    ({}, None),
    ({"rebase-merge/": ""}, "rebase"),
    ({"rebase-apply/": ""}, "rebase"),
    ({"rebase-apply/applying": ""}, "am"),
    ({"MERGE_HEAD": "x"}, "merge"),
    ({"CHERRY_PICK_HEAD": "x"}, "cherry-pick"),
    ({"REVERT_HEAD": "x"}, "revert"),
    ({"sequencer/todo": "revert abc x\n"}, "revert"),
    ({"sequencer/todo": "pick abc x\n"}, "cherry-pick"),
    ({"BISECT_LOG": "x"}, "bisect"),
    ({"HEAD": "0123456789abcdef0123456789abcdef01234567\n"}, "detached"),
])
def test_operation_from_the_files(tmp_path: Path, files: dict[str, str],
                                  expected: str | None) -> None:
    gd = tmp_path / "git"
    gd.mkdir()
    (gd / "HEAD").write_text("ref: refs/heads/main\n")
    for name, text in files.items():
        target = gd / name
        if name.endswith("/"):
            target.mkdir(parents=True)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text)
    assert gitstate.operation(gd) == expected


def test_locate_follows_a_git_file(tmp_path: Path) -> None:
    (tmp_path / "real" / "worktrees" / "w").mkdir(parents=True)
    (tmp_path / "real" / "worktrees" / "w" / "commondir").write_text("../..\n")
    (tmp_path / "w" / "sub").mkdir(parents=True)
    (tmp_path / "w" / ".git").write_text(f"gitdir: {tmp_path / 'real/worktrees/w'}\n")
    found = gitstate.locate(tmp_path / "w" / "sub")
    assert found == (tmp_path / "w", tmp_path / "real" / "worktrees" / "w")
    assert gitstate.common_dir(found[1]) == tmp_path / "real"
    assert gitstate.locate(Path("/")) is None
