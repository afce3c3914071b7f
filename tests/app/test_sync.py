"""hs sync and hs resolve between two clones through a bare remote, and the merge driver
through a real ``git merge`` (plain ``git pull`` merges record by record)."""

from __future__ import annotations

import random
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hs.cli import app
from hs.store.mergesetup import registered
from tests.conftest import commit_all, git, write_record

FAMILY = """\
schema_version: 1
location: leuven
municipality: Leuven
referrals:
- date: 2025-01-10
  referrer: ocmw
  decisions:
  - date: 2025-01-20
    decision: accepted
"""

VOLUNTEER = """\
schema_version: 1
location: leuven
gender: f
birth_year: 1970
capacity: 3
active:
- start: 2024-01-01
"""

TRAJECTORY = """\
schema_version: 1
family: f{n}
kind: buddy
start: 2025-02-01
volunteers:
- volunteer: vaaaaaaaa
  start: 2025-02-01
visits:
- date: 2025-02-03   # first visit
  minutes: 60
"""

runner = CliRunner()


def hs(root: Path, *args: str, author: str = "Test Coordinator") -> tuple[int, str, str]:
    env = {"GIT_AUTHOR_NAME": author, "GIT_COMMITTER_NAME": author}
    res = runner.invoke(app, [*args, "--repo", str(root)], env=env)
    return res.exit_code, res.stdout, res.stderr


@pytest.fixture
def clones(empty_repo: Path, tmp_path: Path) -> tuple[Path, Path]:
    """Two clones of one bare remote, with a volunteer, 3 families and a trajectory each."""
    write_record(empty_repo, "volunteers/vaaaaaaaa.yaml", VOLUNTEER)
    for i, fid in enumerate(("faaaaaaaa", "fbbbbbbbb", "fcccccccc")):
        write_record(empty_repo, f"families/{fid}.yaml", FAMILY)
        write_record(empty_repo, f"trajectories/t{'abc'[i] * 8}.yaml",
                     TRAJECTORY.format(n=fid[1:]))
    (empty_repo / ".gitattributes").write_text("records/**/*.yaml merge=hs\n")
    commit_all(empty_repo, "trees")
    bare = tmp_path / "remote.git"
    git(tmp_path, "clone", "-q", "--bare", str(empty_repo), str(bare))
    out = []
    for name in ("a", "b"):
        git(tmp_path, "clone", "-q", str(bare), name)
        root = tmp_path / name
        git(root, "config", "user.email", f"{name}@example.org")
        out.append(root)
    return out[0], out[1]


def test_the_first_command_in_a_clone_registers_the_merge_driver(clones: tuple[Path, Path]
                                                                  ) -> None:
    a, _ = clones
    assert not registered(a)
    code, _, _ = hs(a, "due", "--as-of", "2025-03-01")
    assert code == 0
    assert registered(a)
    assert "merge.hs.driver" in git(a, "config", "--list")


def test_sync_joins_visits_and_keeps_a_true_conflict_until_resolved(
        clones: tuple[Path, Path]) -> None:
    a, b = clones
    assert hs(a, "visit", "taaaaaaaa", "--date", "2025-02-10", "--minutes", "45",
              author="Ann")[0] == 0
    assert hs(b, "visit", "taaaaaaaa", "--date", "2025-02-10", "--minutes", "50",
              author="Bert")[0] == 0
    assert hs(b, "visit", "taaaaaaaa", "--date", "2025-02-17", author="Bert")[0] == 0
    code, _, err = hs(a, "sync")
    assert code == 0, err
    assert err.strip() == ("synced with origin: in 0 commit(s), 0 record(s); "
                           "out 1 commit(s), 1 record(s)")
    code, _, err = hs(b, "sync", author="Bert")
    assert code == 0, err
    assert "in 1 commit(s), 1 record(s); out 3 commit(s)" in err
    assert "1 problem(s) to settle" in err
    text = (b / "records/trajectories/taaaaaaaa.yaml").read_text()
    assert "<<<<" not in text and "# first visit" in text
    assert text.count("- date: 2025-02-10") == 1 and "2025-02-17" in text
    code, out, _ = hs(b, "validate")
    assert code == 1
    assert ("error[merge-conflict]: merge conflict: 'visits[2025-02-10].minutes' was "
            "given 2 values on two laptops: 1) Bert, ") in out and "2) Ann, " in out
    code, _, err = hs(b, "due", "--as-of", "2025-03-01")
    assert "visits[2025-02-10].minutes" in err
    code, out, _ = hs(b, "resolve", "taaa")
    assert out.splitlines()[0] == "visits[2025-02-10].minutes:"
    assert out.splitlines()[1].startswith("  1) 50  (Bert, ")
    code, _, err = hs(b, "resolve", "taaa", "visits[2025-02-10].minutes", "--keep", "2")
    assert code == 0, err
    text = (b / "records/trajectories/taaaaaaaa.yaml").read_text()
    assert "minutes: 45" in text and "conflicts" not in text
    assert hs(b, "validate")[0] == 0
    assert hs(b, "sync")[0] == 0
    assert hs(a, "sync")[0] == 0
    assert git(a, "rev-parse", "HEAD") == git(b, "rev-parse", "HEAD")


def test_plain_git_pull_merges_record_by_record(clones: tuple[Path, Path]) -> None:
    a, b = clones
    hs(a, "visit", "tbbbbbbbb", "--date", "2025-02-10", author="Ann")
    hs(b, "visit", "tbbbbbbbb", "--date", "2025-02-11", author="Bert")
    git(a, "push", "-q")
    hs(b, "due", "--as-of", "2025-03-01")  # registers the driver in b
    proc = subprocess.run(["git", "pull", "--no-rebase", "-q", "--no-edit"], cwd=b,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    text = (b / "records/trajectories/tbbbbbbbb.yaml").read_text()
    assert "2025-02-10" in text and "2025-02-11" in text and "<<<<" not in text


def test_the_driver_falls_back_to_git_on_a_broken_side(clones: tuple[Path, Path]) -> None:
    a, b = clones
    hs(b, "due", "--as-of", "2025-03-01")
    path = "records/trajectories/tcccccccc.yaml"
    (a / path).write_text("family: [broken\n")
    commit_all(a, "broken")
    git(a, "push", "-q")
    hs(b, "visit", "tcccccccc", "--date", "2025-02-10")
    proc = subprocess.run(["git", "pull", "--no-rebase", "--no-edit"], cwd=b,
                          capture_output=True, text=True)
    assert proc.returncode != 0
    assert "git's own merge is used" in proc.stderr
    assert "<<<<<<<" in (b / path).read_text()


@pytest.mark.parametrize("reason", ["no-remote", "dirty", "detached", "unreachable"])
def test_sync_says_in_one_line_why_it_cannot(clones: tuple[Path, Path], reason: str
                                             ) -> None:
    a, _ = clones
    if reason == "no-remote":
        git(a, "remote", "remove", "origin")
    elif reason == "dirty":
        (a / "records/families/faaaaaaaa.yaml").write_text(FAMILY + "signals: []\n")
    elif reason == "detached":
        git(a, "checkout", "-q", "--detach")
    else:
        git(a, "remote", "set-url", "origin", str(a.parent / "nowhere.git"))
    code, out, err = hs(a, "sync")
    assert code == 1 and out == ""
    assert len(err.strip().splitlines()) == 1 and err.startswith("hs: ")
    assert {"no-remote": "no remote", "dirty": "not committed", "detached": "not on a branch",
            "unreachable": "cannot be reached"}[reason] in err


def _random_changes(root: Path, rng: random.Random, n: int, who: str, tag: str) -> set[str]:
    """n random changes offline; what each added, to look for after syncing."""
    added: set[str] = set()
    for i in range(n):
        roll = rng.random()
        if roll < 0.5:
            traj = rng.choice(["taaaaaaaa", "tbbbbbbbb", "tcccccccc"])
            day = f"2025-{rng.randint(3, 11):02d}-{rng.randint(1, 28):02d}"
            code, _, _ = hs(root, "visit", traj, "--date", day, "--minutes",
                              str(rng.randint(30, 90)), author=who)
            if code == 0:
                added.add(f"{traj}:{day}")
        else:
            fid = f"f{tag}{i:07d}".replace("0", "a").replace("1", "b").replace(
                "2", "c").replace("3", "d").replace("4", "e").replace("5", "f").replace(
                "6", "g").replace("7", "h").replace("8", "j").replace("9", "k")
            write_record(root, f"families/{fid}.yaml", FAMILY)
            commit_all(root, "family")
            added.add(fid)
    return added


@pytest.mark.parametrize("n", [pytest.param(12, id="small"),
                               pytest.param(110, id="large", marks=pytest.mark.slow)])
def test_two_clones_with_random_changes_end_on_the_same_tree(
        clones: tuple[Path, Path], n: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HS_TODAY", "2025-12-31")
    a, b = clones
    rng = random.Random(11)
    added = _random_changes(a, rng, n, "Ann", "m") | _random_changes(b, rng, n, "Bert", "n")
    assert hs(a, "sync", author="Ann")[0] == 0
    assert hs(b, "sync", author="Bert")[0] == 0
    assert hs(a, "sync", author="Ann")[0] == 0
    assert git(a, "rev-parse", "HEAD^{tree}") == git(b, "rev-parse", "HEAD^{tree}")
    for item in added:
        if ":" in item:
            traj, day = item.split(":")
            assert f"date: {day}" in (a / f"records/trajectories/{traj}.yaml").read_text()
        else:
            assert (a / f"records/families/{item}.yaml").exists()
    _, out, _ = hs(a, "validate")
    problems = [line for line in out.splitlines() if ": error[" in line]
    assert all("merge-conflict" in p for p in problems), problems
    # each conflict is settled by hs resolve, after which the tree is clean
    for line in problems:
        rid = line.split("/")[2].split(".")[0]
        field = line.split("'")[1]
        assert hs(a, "resolve", rid, field, "--keep", "1")[0] == 0
    assert hs(a, "validate")[0] == 0
