"""A write killed at any point is finished or undone by the next hs command, with one line
saying which; no record change is ever committed under another command's message, and
no temporary file stays behind.

The kills are real: ``hs`` runs in a child process with ``HS_FAULT=<point>``
(:mod:`hs.store.faults`) and kills itself with SIGKILL there; the store-level property
forks and kills the child the same way at every point of a write of several files."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hs.store import faults, gitops, journal
from hs.store.repo import Repo
from hs.store.transaction import write_change
from tests.conftest import git
from tests.conftest import invoke as hs

VISIT_DAY = "2025-03-03"


def killed(root: Path, point: str, *args: str) -> None:
    """Run ``hs args`` in a child process that kills itself at ``point``."""
    proc = subprocess.run([sys.executable, "-m", "hs", *args, "--repo", str(root)],
                          env={**os.environ, "HS_FAULT": point}, capture_output=True)
    assert proc.returncode == -signal.SIGKILL, proc.stderr


def leftovers(root: Path) -> list[str]:
    """Journal, undo links and temporary files anywhere in the tree."""
    found = [p.relative_to(root).as_posix() for p in root.rglob(".*.tmp")]
    hs_dir = root / ".hs"
    found += [n for n in (journal.JOURNAL, journal.UNDO, journal.NEW)
              if (hs_dir / n).exists()]
    if (hs_dir / journal.LINKS).is_dir():
        found += [f"undo/{n}" for n in os.listdir(hs_dir / journal.LINKS)]
    return found


def visits(root: Path, tid: str) -> int:
    return (root / f"records/trajectories/{tid}.yaml").read_text().count("- date:")


def check_history(root: Path) -> None:
    """Every commit that changes a record names the change in its Hs-Action: a visit is
    added only by a trajectory.visit commit, and each such commit adds one visit."""
    log = git(root, "log", "--format=%H %(trailers:key=Hs-Action,valueonly,separator=)")
    for line in log.splitlines():
        sha, _, action = line.partition(" ")
        diff = git(root, "show", "--format=", "-U0", sha, "--", "records/trajectories")
        added = sum(1 for d in diff.splitlines() if d.startswith("+") and "- date:" in d
                    and "visits" not in d)
        if action.strip() == "trajectory.visit":
            assert added == 1, (action, diff)
        elif action.strip() != "trajectory.start":
            assert added == 0, (action, diff)


EXPECTED = {  # what the next command does with a visit killed at each point
    "journal": "undone", "tmp": "undone", "written": "finished", "staged": "finished",
    "committed": "finished",
}


@pytest.mark.parametrize("point", faults.POINTS)
def test_a_killed_visit_is_finished_or_undone_by_the_next_command(
        traj: tuple[Path, str], point: str) -> None:
    root, tid = traj
    head = git(root, "rev-parse", "HEAD")
    killed(root, point, "visit", tid, "--date", VISIT_DAY)
    if point == "tmp":  # the temporary file holds the record: it is left by the kill
        assert any(n.endswith(".tmp") for n in leftovers(root))
    code, out, err = hs(root, "list", "families")  # a reading command
    assert code == 0 and out.count("\n") == 2  # the header and the family
    outcome = EXPECTED[point]
    if outcome == "finished":
        assert err.startswith("hs: an interrupted change was finished and committed: "
                              f"trajectory {tid}: visit"), err
        assert visits(root, tid) == 1
        assert gitops.parse_message(git(root, "log", "-1", "--format=%B")).trailers[
            "Hs-Action"] == ["trajectory.visit"]
        assert git(root, "rev-list", "--count", f"{head.strip()}..HEAD").strip() == "1"
    else:
        assert err.startswith("hs: an interrupted change was undone, nothing of it is "
                              f"recorded: trajectory {tid}: visit"), err
        assert visits(root, tid) == 0
        assert git(root, "rev-parse", "HEAD") == head
    assert err.count("\n") == 1
    assert leftovers(root) == []
    assert git(root, "status", "--porcelain", "--ignored", "--", "records") == ""
    # the next write commits only its own change, under its own message
    assert hs(root, "visit", tid, "--date", "2025-03-10")[0] == 0
    assert hs(root, "list", "families")[2] == ""  # said once, not again
    check_history(root)


def test_a_retry_after_an_undone_visit_records_it_once(traj: tuple[Path, str]) -> None:
    root, tid = traj
    killed(root, "tmp", "visit", tid, "--date", VISIT_DAY)
    code, _, err = hs(root, "visit", tid, "--date", VISIT_DAY)  # the retry recovers first
    assert code == 0 and "undone" in err
    assert visits(root, tid) == 1
    check_history(root)


def test_a_killed_new_record_is_finished_with_its_own_message(empty_repo: Path) -> None:
    root = empty_repo
    killed(root, "staged", "family", "refer", "--location", "leuven", "--date",
           "2025-01-06", "--referrer", "self")
    assert git(root, "log", "-1", "--format=%s").strip() == "empty records tree"
    err = hs(root, "visit", "t0000000x", "--date", VISIT_DAY)[2]  # any command
    assert "an interrupted change was finished and committed: family " in err
    assert gitops.parse_message(git(root, "log", "-1", "--format=%B")).trailers[
        "Hs-Action"] == ["family.refer"]
    assert git(root, "status", "--porcelain") == ""


def test_a_file_changed_after_the_kill_is_left_alone(traj: tuple[Path, str]) -> None:
    root, tid = traj
    killed(root, "journal", "visit", tid, "--date", VISIT_DAY)
    path = root / f"records/trajectories/{tid}.yaml"
    path.write_text(path.read_text() + "# my own note\n")
    err = hs(root, "list", "families")[2]
    assert "undone" in err and f"1 changed since, left as it is: records/trajectories/{tid}" \
        in err
    assert path.read_text().endswith("# my own note\n")
    assert leftovers(root) == []


def test_a_reader_leaves_the_journal_of_a_live_writer(traj: tuple[Path, str]) -> None:
    root, tid = traj
    repo = Repo(root)
    with repo.lock():
        intent = journal.intent_of(root, "trajectory.visit", "s", "s\n", True,
                                   [(f"records/trajectories/{tid}.yaml", b"x", b"y")])
        journal.begin(root, intent)
        code, _, err = hs(root, "list", "families")
        assert (code, err) == (0, "")
        assert journal.pending(root)
        journal.end(root)


def test_an_unreadable_journal_is_removed_with_one_line(traj: tuple[Path, str]) -> None:
    root, _ = traj
    (root / ".hs" / journal.JOURNAL).write_text("{not json")
    err = hs(root, "list", "families")[2]
    assert err.startswith("hs: removed an unreadable write journal (")
    assert not journal.pending(root)


def test_the_journal_and_temporary_files_are_private(traj: tuple[Path, str],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    root, tid = traj
    monkeypatch.delenv("HS_CLONE_SETUP")  # the clone's info/exclude ignores them
    killed(root, "tmp", "visit", tid, "--date", VISIT_DAY)
    tmp = next(p for p in (root / "records").rglob(".*.tmp"))
    assert tmp.stat().st_mode & 0o077 == 0
    assert (root / ".hs" / journal.JOURNAL).stat().st_mode & 0o077 == 0
    assert git(root, "status", "--porcelain") == ""  # ignored (info/exclude or .gitignore)


# --- the store-level property: any kill point of a write of several files -------------


def _fork_and_kill(repo: Repo, files: list[tuple[str, str]], point: str) -> None:
    pid = os.fork()
    if pid == 0:  # the child: write, and die at the point
        os.environ["HS_FAULT"] = point
        try:
            with repo.lock():
                write_change(repo, files, action="test.write", subject="test: write",
                             message=gitops.CommitMessage("test: write", "test.write"))
        finally:
            os._exit(0)
    _, status = os.waitpid(pid, 0)
    assert os.WIFSIGNALED(status) or os.WEXITSTATUS(status) == 0


STRATEGY = dict(n=st.integers(1, 3), fresh=st.lists(st.booleans(), min_size=3, max_size=3),
                point=st.sampled_from(faults.POINTS), nth=st.integers(1, 3))


def check_kill(root: Path, n: int, fresh: list[bool], point: str, nth: int) -> None:
    """Write n files (new or not), killed at the nth time ``point`` is reached; after the
    next lock the tree is wholly before or wholly after, committed under its message."""
    (root / "records/families").mkdir(parents=True)
    subprocess.run(["git", "init", "-q", "-b", "main", str(root)], check=True)
    rels = [f"records/families/f00000{i}x.yaml" for i in range(n)]
    for rel, new_file in zip(rels, fresh, strict=False):
        if not new_file:
            (root / rel).write_text("old\n")
    (root / "records/config.yaml").write_text("x\n")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "start")
    before = {rel: (root / rel).read_bytes() if (root / rel).exists() else None
              for rel in rels}
    repo = Repo(root)
    repo._validate_text = lambda rf, raw: None  # type: ignore[method-assign]
    files = [(rel, f"new {i}\n") for i, rel in enumerate(rels)]
    _fork_and_kill(repo, files, f"{point}:{nth}")
    with repo.lock():  # recovers
        pass
    after = {rel: (root / rel).read_bytes() if (root / rel).exists() else None
             for rel in rels}
    subject = git(root, "log", "-1", "--format=%s").strip()
    if subject == "test: write":  # finished: every file new, in that one commit
        assert after == {rel: text.encode() for rel, text in files}
    else:  # undone: every file as before, nothing committed
        assert subject == "start"
        assert after == before
    assert git(root, "status", "--porcelain", "--untracked-files=all") == ""
    assert [p for p in root.rglob(".*.tmp")] == []
    assert not journal.pending(root)


@settings(max_examples=20)
@given(**STRATEGY)
def test_every_kill_point_of_a_write_is_recovered(tmp_path_factory: pytest.TempPathFactory,
                                                  n: int, fresh: list[bool], point: str,
                                                  nth: int) -> None:
    check_kill(tmp_path_factory.mktemp("kill"), n, fresh, point, nth)


@pytest.mark.slow
@settings(max_examples=300)
@given(**STRATEGY)
def test_every_kill_point_of_a_write_is_recovered_more(
        tmp_path_factory: pytest.TempPathFactory, n: int, fresh: list[bool], point: str,
        nth: int) -> None:
    check_kill(tmp_path_factory.mktemp("kill"), n, fresh, point, nth)
