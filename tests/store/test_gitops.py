"""Git as the audit trail: one commit per change, only its files, readable trailers."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hs.base.errors import GitError
from hs.store import gitops
from tests.conftest import git, init_git


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "r"
    root.mkdir()
    init_git(root)
    (root / "a.txt").write_text("a\n")
    (root / "b.txt").write_text("b\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "start")
    return root


def _message() -> gitops.CommitMessage:
    return gitops.CommitMessage("family f3kq7p2xm: accepted", "family.accept",
                                ("f3kq7p2xm",), dt.date(2025, 3, 14),
                                (("Hs-Reason", "moved"),))


def test_message_text_has_subject_and_trailers() -> None:
    text = _message().text()
    lines = text.splitlines()
    assert lines[0] == "family f3kq7p2xm: accepted"
    assert lines[1] == ""
    assert lines[2:6] == ["Hs-Action: family.accept", "Hs-Record: f3kq7p2xm",
                          "Hs-Date: 2025-03-14", "Hs-Reason: moved"]
    assert lines[6].startswith("Hs-Tool: hs ")


def test_parse_message_reads_back_the_trailers() -> None:
    msg = _message()
    parsed = gitops.parse_message(msg.text())
    assert parsed.subject == msg.subject
    assert parsed.trailers["Hs-Action"] == ["family.accept"]
    assert parsed.trailers["Hs-Record"] == ["f3kq7p2xm"]
    assert parsed.trailers["Hs-Date"] == ["2025-03-14"]
    several = gitops.CommitMessage("s", "import.families", ("f1", "f2", "f3")).text()
    assert gitops.parse_message(several).trailers["Hs-Record"] == ["f1", "f2", "f3"]
    assert gitops.parse_message("just a subject").trailers == {}


def test_record_commits_only_the_given_paths(repo: Path) -> None:
    (repo / "a.txt").write_text("a changed by hs\n")
    (repo / "b.txt").write_text("b: the user's own edit, not staged\n")
    (repo / "c.txt").write_text("c: the user's own new file, staged\n")
    git(repo, "add", "c.txt")
    sha = gitops.record(repo, ["a.txt"], _message())
    assert sha == git(repo, "rev-parse", "HEAD").strip()
    assert git(repo, "show", "--name-only", "--format=", "HEAD").split() == ["a.txt"]
    status = git(repo, "status", "--porcelain").splitlines()
    assert " M b.txt" in status and "A  c.txt" in status
    body = git(repo, "log", "-1", "--format=%B")
    assert body == _message().text() + "\n"
    trailer = git(repo, "log", "-1", "--format=%(trailers:key=Hs-Action,valueonly)")
    assert trailer.strip() == "family.accept"
    assert git(repo, "log", "-1", "--format=%an").strip() == "Test Coordinator"


def test_record_new_file_and_no_commit_stages(repo: Path) -> None:
    (repo / "new.txt").write_text("new\n")
    before = git(repo, "rev-parse", "HEAD")
    assert gitops.record(repo, ["new.txt"], _message(), commit=False) is None
    assert git(repo, "rev-parse", "HEAD") == before
    assert git(repo, "status", "--porcelain").splitlines() == ["A  new.txt"]
    gitops.record(repo, ["new.txt"], _message())
    assert git(repo, "status", "--porcelain") == ""


def test_a_clean_tracked_file_is_committed_without_git_add(repo: Path) -> None:
    """``clean`` files are staged by ``git commit --only`` itself: the same commit, the
    user's staged and unstaged work left as it was, the index at the new content."""
    (repo / "a.txt").write_text("a changed by hs\n")
    (repo / "b.txt").write_text("b: the user's own edit, not staged\n")
    (repo / "c.txt").write_text("c: the user's own new file, staged\n")
    git(repo, "add", "c.txt")
    (repo / "d.txt").write_text("d: a new file hs writes\n")
    index = repo / ".git" / "index"
    sha = gitops.record_text(repo, ["a.txt", "d.txt"], _message().text(),
                             clean={"a.txt"})
    assert sha == git(repo, "rev-parse", "HEAD").strip()
    assert git(repo, "show", "--name-only", "--format=", "HEAD").split() == ["a.txt",
                                                                             "d.txt"]
    assert git(repo, "status", "--porcelain").splitlines() == [" M b.txt", "A  c.txt"]
    assert git(repo, "show", "HEAD:a.txt") == "a changed by hs\n"
    assert index.exists()


def test_a_hook_refusing_a_commit_without_git_add_leaves_the_index(repo: Path) -> None:
    hook = repo / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\necho 'hook says no' >&2\nexit 1\n")
    hook.chmod(0o755)
    (repo / "a.txt").write_text("changed\n")
    with pytest.raises(GitError, match="hook says no"):
        gitops.record_text(repo, ["a.txt"], _message().text(), clean={"a.txt"})
    assert git(repo, "status", "--porcelain").splitlines() == [" M a.txt"]


def test_status_names_changed_and_untracked_files(repo: Path) -> None:
    (repo / "b.txt").write_text("changed\n")
    (repo / "n.txt").write_text("new\n")
    assert sorted(gitops.status(repo, ["a.txt", "b.txt", "n.txt", "gone.txt"]) or []) == [
        "b.txt", "n.txt"]


def test_head_commit_reads_the_branch_or_asks_git(repo: Path) -> None:
    assert gitops.head_commit(repo) == git(repo, "rev-parse", "HEAD").strip()
    git(repo, "pack-refs", "--all")  # no loose ref left: git is asked
    assert gitops.head_commit(repo) == git(repo, "rev-parse", "HEAD").strip()
    git(repo, "checkout", "-q", "--detach")
    assert gitops.head_commit(repo) == git(repo, "rev-parse", "HEAD").strip()


def test_first_commit_in_a_new_repository(tmp_path: Path) -> None:
    root = tmp_path / "fresh"
    root.mkdir()
    init_git(root)
    (root / "x.txt").write_text("x\n")
    sha = gitops.record(root, ["x.txt"], _message())
    assert sha and git(root, "log", "--format=%s").strip() == "family f3kq7p2xm: accepted"


def test_state_and_dirty(repo: Path, tmp_path: Path) -> None:
    st = gitops.state(repo)
    assert (st.available, st.repo, st.operation, st.top) == (True, True, None, repo)
    plain = tmp_path / "plain"
    plain.mkdir()
    assert gitops.state(plain).repo is False
    assert gitops.dirty(repo, ["a.txt", "b.txt"]) == []
    (repo / "b.txt").write_text("changed\n")
    assert gitops.dirty(repo, ["a.txt", "b.txt"]) == ["b.txt"]


def test_preflight_refuses_during_a_merge(repo: Path) -> None:
    (repo / ".git" / "MERGE_HEAD").write_text(git(repo, "rev-parse", "HEAD"))
    with pytest.raises(GitError, match="merge"):
        gitops.preflight(repo, commit=True)


def test_preflight_refuses_without_an_identity(repo: Path, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME",
                "GIT_COMMITTER_EMAIL"):
        monkeypatch.delenv(var, raising=False)
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    git(repo, "config", "--unset", "user.name")
    git(repo, "config", "--unset", "user.email")
    git(repo, "config", "user.useConfigOnly", "true")
    with pytest.raises(GitError, match="who you are"):
        gitops.preflight(repo, commit=True)
    assert gitops.preflight(repo, commit=False).repo  # staging needs no identity


def test_failed_commit_raises_and_unstage_restores_the_index(repo: Path) -> None:
    hook = repo / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\necho 'hook says no' >&2\nexit 1\n")
    hook.chmod(0o755)
    (repo / "a.txt").write_text("changed\n")
    with pytest.raises(GitError, match="hook says no"):
        gitops.record(repo, ["a.txt"], _message())
    assert git(repo, "status", "--porcelain").splitlines() == ["M  a.txt"]
    gitops.unstage(repo, ["a.txt"])
    assert git(repo, "status", "--porcelain").splitlines() == [" M a.txt"]


_ENTRY = st.tuples(
    st.sampled_from(["H", "S", "h", "M", " ", "HH"]),
    st.sampled_from(["100644", "100755", "120000", "160000", "644", "100648"]),
    st.one_of(st.text("0123456789abcdef", min_size=40, max_size=40),
              st.text("0123456789abcdefABCDEF", min_size=38, max_size=41)),
    st.sampled_from(["0", "1", "3", "4"]),
    st.text(st.characters(blacklist_characters="\0"), max_size=12),
    st.sampled_from([" ", "\t"]))


@settings(max_examples=300, deadline=None)
@given(st.lists(_ENTRY, max_size=6), st.booleans())
def test_the_fast_listing_reads_as_the_pattern_does(entries: list[Any], cut: bool) -> None:
    """The fixed-place reading of ``git ls-files --stage -v -z`` and the reading of usual
    listings either give what the pattern gives or leave the listing to it."""
    from hs.store.gitops import _listing_exact, _listing_fast, _listing_usual

    text = "".join(f"{tag} {mode} {blob} {stage}{sep}{path}\0"
                   for tag, mode, blob, stage, path, sep in entries)
    if cut and text:
        text = text[:-1]
    fast = _listing_fast(text)
    assert fast is None or fast == _listing_exact(text)
    usual = _listing_usual(text)
    assert usual is None or usual == _listing_exact(text)


_BLOB = "0123456789abcdef" * 2 + "01234567"


@pytest.mark.parametrize("path", [
    f"records/x H 100644 {_BLOB} 0\tf.yaml",  # an entry's shape inside a path
    "records/a\tb.yaml", "records/ü.yaml", ""])
@pytest.mark.parametrize("tag", ["H", "h", "S"])
def test_the_usual_listing_is_read_whole_or_not_at_all(path: str, tag: str) -> None:
    """A path that holds what looks like an entry is no entry of its own; a flag leaves
    the listing to the exact reading."""
    from hs.store.gitops import _listing_exact, _listing_usual

    text = f"H 100644 {_BLOB} 0\trecords/a.yaml\0{tag} 100644 {_BLOB} 0\t{path}\0"
    usual = _listing_usual(text)
    assert usual is None or usual == _listing_exact(text)
    assert (usual is not None) == (tag == "H")


def test_the_fast_listing_reads_a_real_listing(tmp_path: Path) -> None:
    """On a listing git made (plain files, a link, a file marked assume-unchanged) the fast
    reading answers, as the pattern does; without them, so does the usual one."""
    from hs.store.gitops import _listing_exact, _listing_fast, _listing_usual

    (tmp_path / "records").mkdir()
    for name in ("a.yaml", "b c.yaml", "é.yaml"):
        (tmp_path / "records" / name).write_text(name, encoding="utf-8")
    (tmp_path / "records" / "link.yaml").symlink_to("a.yaml")
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    subprocess.run(["git", "-C", str(tmp_path), "add", "records"], check=True)
    subprocess.run(["git", "-C", str(tmp_path), "update-index", "--assume-unchanged",
                    "records/a.yaml"], check=True)
    raw = subprocess.run(["git", "-C", str(tmp_path), "ls-files", "--stage", "-v", "-z",
                          "--", "records"], capture_output=True, check=True).stdout
    text = raw.decode("utf-8", "surrogateescape")
    fast = _listing_fast(text)
    assert fast is not None and fast == _listing_exact(text)
    assert fast[1] == ["records/a.yaml", "records/link.yaml"]
    assert _listing_usual(text) is None  # a flag and a link: not the usual listing
    subprocess.run(["git", "-C", str(tmp_path), "update-index", "--no-assume-unchanged",
                    "records/a.yaml"], check=True)
    subprocess.run(["git", "-C", str(tmp_path), "rm", "-q", "--cached", "records/link.yaml"],
                   check=True)
    raw = subprocess.run(["git", "-C", str(tmp_path), "ls-files", "--stage", "-v", "-z",
                          "--", "records"], capture_output=True, check=True).stdout
    text = raw.decode("utf-8", "surrogateescape")
    usual = _listing_usual(text)
    assert usual is not None and usual == _listing_exact(text)
    assert sorted(usual[0]) == ["records/a.yaml", "records/b c.yaml", "records/é.yaml"]


# --- the commit by plumbing ----------------------------------------------------------


def _twin(tmp_path: Path, name: str) -> Path:
    root = tmp_path / name
    root.mkdir()
    init_git(root)
    for rel, text in (("a.txt", "a\n"), ("records/families/f1.yaml", "id: f1\n"),
                      ("records/families/f3.yaml", "id: f3\n"),
                      ("records/trajectories/t1.yaml", "id: t1\n"),
                      ("records/famil.yaml", "a file sorted beside the folder\n")):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "start")
    return root


_CHANGES = [
    {"records/families/f1.yaml": "id: f1\nchanged: yes\n"},
    {"records/families/f2.yaml": "id: f2\n"},  # new, between two files
    {"records/events/e1.yaml": "id: e1\n"},  # new, in a new folder
    {"records/families/f3.yaml": "id: f3\nx: 1\n", "records/trajectories/t1.yaml": "t\n",
     "records/families/f0.yaml": "id: f0\n"},
    {"records/famil.yaml": "changed\n", "b.txt": "new at the top\n"},
]


@pytest.mark.parametrize("change", _CHANGES)
def test_the_plumbing_commit_is_the_commit_git_commit_makes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: dict[str, str]) -> None:
    """The same files committed by plumbing in one repository and by ``git commit --only``
    in its twin (a hook there: the porcelain commit), at the same time: the same commit
    ID, the same index and status, the same reflog line; the user's staged and unstaged
    work stays out of both."""
    for var in ("GIT_AUTHOR_DATE", "GIT_COMMITTER_DATE"):
        monkeypatch.setenv(var, "2025-03-14T10:00:00+01:00")
    plumbed, porcelain = _twin(tmp_path, "plumbed"), _twin(tmp_path, "porcelain")
    hook = porcelain / ".git" / "hooks" / "commit-msg"
    hook.write_text("#!/bin/sh\nexit 0\n")
    hook.chmod(0o755)
    shas = []
    for root in (plumbed, porcelain):
        (root / "a.txt").write_text("the user's own edit, staged\n")
        git(root, "add", "a.txt")
        (root / "records/families/f1.yaml").write_text(
            (root / "records/families/f1.yaml").read_text() + "# the user's, unstaged\n"
            if "records/families/f1.yaml" not in change else change[
                "records/families/f1.yaml"])
        for rel, text in change.items():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_text(text)
        tracked = set(git(root, "ls-files").split())
        clean = {rel for rel in change if rel in tracked}
        shas.append(gitops.record_text(root, list(change), _message().text(), clean=clean))
    assert shas[0] == shas[1] == git(plumbed, "rev-parse", "HEAD").strip()
    for what in (("ls-files", "-s"), ("status", "--porcelain"), ("reflog", "-1"),
                 ("show", "--stat", "--format=%B", "HEAD")):
        assert git(plumbed, *what) == git(porcelain, *what)
    assert git(plumbed, "fsck", "--strict", "--no-dangling") == ""


def test_plumbing_is_left_when_git_commit_would_do_more(repo: Path,
                                                       monkeypatch: pytest.MonkeyPatch
                                                       ) -> None:
    """No ``git commit`` process without a reason; hs's own pre-commit hook is none (it
    exits at once for hs's commits), another hook, a ``pre-commit.local`` beside hs's or
    signing are."""
    from hs.store.clonesetup import hook_text

    ran: list[str] = []
    real = gitops.run

    def spy(root: Path, *args: str, **kw: Any) -> Any:
        ran.append(args[0])
        return real(root, *args, **kw)

    monkeypatch.setattr(gitops, "run", spy)
    hooks = repo / ".git" / "hooks"

    def commit_once(n: int) -> bool:
        ran.clear()
        (repo / "a.txt").write_text(f"change {n}\n")
        gitops.record_text(repo, ["a.txt"], _message().text(), clean={"a.txt"})
        assert git(repo, "status", "--porcelain") == ""
        return "commit" in ran

    assert not commit_once(1)
    (hooks / "pre-commit").write_text(hook_text("."))
    (hooks / "pre-commit").chmod(0o755)
    assert not commit_once(2)
    (hooks / "pre-commit.local").write_text("#!/bin/sh\nexit 0\n")
    (hooks / "pre-commit.local").chmod(0o755)
    assert commit_once(3)
    (hooks / "pre-commit.local").unlink()
    (hooks / "post-commit").write_text("#!/bin/sh\nexit 0\n")
    (hooks / "post-commit").chmod(0o755)
    assert commit_once(4)
    (hooks / "post-commit").chmod(0o644)  # git does not run it either
    assert not commit_once(5)
    git(repo, "config", "commit.gpgsign", "true")
    assert gitops._plumbing_head(repo) is None
    git(repo, "config", "commit.gpgsign", "false")
    elsewhere = repo.parent / "hooks"
    elsewhere.mkdir()
    git(repo, "config", "core.hooksPath", str(elsewhere))
    (elsewhere / "commit-msg").write_text("#!/bin/sh\nexit 0\n")
    (elsewhere / "commit-msg").chmod(0o755)
    assert commit_once(6)


def test_the_plumbing_commit_refuses_when_the_branch_moved(repo: Path,
                                                          monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    """``update-ref`` with the old value: a branch that moved since HEAD was read is not
    overwritten."""
    first = git(repo, "rev-parse", "HEAD").strip()
    (repo / "b.txt").write_text("b moved on\n")
    git(repo, "commit", "-q", "-am", "moved")
    moved = git(repo, "rev-parse", "HEAD").strip()
    monkeypatch.setattr(gitops, "_head_or_none", lambda root: first)
    (repo / "a.txt").write_text("changed\n")
    with pytest.raises(GitError):
        gitops.record_text(repo, ["a.txt"], _message().text(), clean={"a.txt"})
    assert git(repo, "rev-parse", "HEAD").strip() == moved
