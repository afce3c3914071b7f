"""hs sync and hs resolve between two clones through a bare remote, and the merge driver
through a real ``git merge`` (plain ``git pull`` merges record by record)."""

from __future__ import annotations

import datetime as dt
import os
import random
import re
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hs.cli import app
from hs.store import gitsync
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
    assert err.strip() == ("synced with origin: in 0 commits, 0 records; "
                           "out 1 commit, 1 record")
    code, _, err = hs(b, "sync", author="Bert")
    assert code == 0, err
    assert "in 1 commit, 1 record; out 3 commits" in err
    assert "1 problem to settle" in err
    text = (b / "records/trajectories/taaaaaaaa.yaml").read_text()
    assert "<<<<" not in text and "# first visit" in text
    assert text.count("- date: 2025-02-10") == 1 and "2025-02-17" in text
    code, out, _ = hs(b, "validate")
    assert code == 1
    assert ("error[merge-conflict]: merge conflict: 'minutes' (visits[2025-02-10].minutes) "
            "was given 2 values on two laptops: 1) 50 (Bert, ") in out and "2) 45 (Ann, " in out
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


def test_git_pull_rebase_credits_the_replayed_commits_author(clones: tuple[Path, Path]
                                                             ) -> None:
    """In a rebase (``git pull --rebase``) the side being replayed is credited to its
    commit's author, not to "?"."""
    a, b = clones
    hs(a, "visit", "tbbbbbbbb", "--date", "2025-02-10", "--minutes", "40", author="Ann")
    hs(b, "visit", "tbbbbbbbb", "--date", "2025-02-10", "--minutes", "50", author="Bert")
    git(a, "push", "-q")
    hs(b, "due", "--as-of", "2025-03-01")  # registers the driver in b
    proc = subprocess.run(["git", "pull", "--rebase", "-q"], cwd=b, capture_output=True,
                          text=True)
    assert proc.returncode == 0, proc.stderr
    code, out, _ = hs(b, "resolve", "tbbb")
    assert code == 0
    assert out.splitlines()[1:] == [f"  1) 40  (Ann, {dt.date.today().isoformat()})",
                                    f"  2) 50  (Bert, {dt.date.today().isoformat()})"]


def test_plain_git_pull_without_options_merges_diverged_clones(
        clones: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """A clone set up by hs pulls with a merge when nobody chose how: git itself would
    refuse ("Need to specify how to reconcile divergent branches")."""
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", "/dev/null")  # no pull.* of the developer's
    a, b = clones
    hs(a, "visit", "tbbbbbbbb", "--date", "2025-02-10", author="Ann")
    hs(b, "visit", "tbbbbbbbb", "--date", "2025-02-11", author="Bert")
    git(a, "push", "-q")
    hs(b, "due", "--as-of", "2025-03-01")  # sets the clone up
    proc = subprocess.run(["git", "pull", "-q", "--no-edit"], cwd=b, capture_output=True,
                          text=True)
    assert proc.returncode == 0, proc.stderr
    text = (b / "records/trajectories/tbbbbbbbb.yaml").read_text()
    assert "2025-02-10" in text and "2025-02-11" in text


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


class Offline:
    """A clone's random changes made offline, and what each should leave in the tree."""

    def __init__(self, root: Path, who: str, parity: int, rng: random.Random):
        self.root, self.who, self.parity, self.rng = root, who, parity, rng
        self.visits: set[tuple[str, str]] = set()
        self.families: dict[str, str | None] = {}  # ID -> decision

    def run(self, *args: str) -> str:
        code, out, err = hs(self.root, *args, author=self.who)
        assert code == 0, (args, err)
        return out.strip()

    def visit(self) -> None:
        traj = self.rng.choice(["taaaaaaaa", "tbbbbbbbb"])
        day = dt.date(2025, 3, 1) + dt.timedelta(days=2 * self.rng.randint(0, 130)
                                                 + self.parity)
        self.run("visit", traj, "--date", day.isoformat(), "--minutes",
                 str(self.rng.randint(30, 90)))
        self.visits.add((traj, day.isoformat()))

    def refer(self) -> None:
        fid = self.run("family", "refer", "--location", "leuven", "--date", "2025-06-01",
                       "--referrer", "ocmw")
        self.families[fid] = None

    def decide(self) -> None:
        open_ = [f for f, d in self.families.items() if d is None]
        if not open_:
            return self.refer()
        fid = self.rng.choice(open_)
        if self.rng.random() < 0.5:
            self.run("family", "accept", fid, "--date", "2025-06-05")
            self.families[fid] = "accepted"
        else:
            self.run("family", "refuse", fid, "--date", "2025-06-05", "--reason",
                     "outside-target-group")
            self.families[fid] = "refused"
        return None

    def changes(self, n: int) -> None:
        for _ in range(n):
            roll = self.rng.random()
            (self.visit if roll < 0.5 else self.refer if roll < 0.75 else self.decide)()


@pytest.mark.parametrize("n", [pytest.param(6, id="small", marks=pytest.mark.slow),
                               pytest.param(110, id="large", marks=pytest.mark.slow)])
def test_two_clones_with_random_changes_end_on_the_same_tree(
        clones: tuple[Path, Path], n: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each clone makes n random changes offline (new families, visits to the same
    trajectories, decisions, a close each) and the planted true conflicts; then they sync
    in turn. Both end on the same tree with every change, and the only problems are the
    planted conflicts, which hs resolve settles."""
    monkeypatch.setenv("HS_TODAY", "2025-12-31")
    a, b = clones
    rng = random.Random(11)
    sides = [Offline(a, "Ann", 1, rng), Offline(b, "Bert", 0, rng)]
    for side in sides:
        side.changes(n)
    # the planted conflicts: one visit logged on both laptops with other minutes
    sides[0].run("visit", "taaaaaaaa", "--date", "2025-02-20", "--minutes", "40")
    sides[1].run("visit", "taaaaaaaa", "--date", "2025-02-20", "--minutes", "55")
    sides[0].run("visit", "tbbbbbbbb", "--date", "2025-02-21", "--minutes", "30")
    sides[1].run("visit", "tbbbbbbbb", "--date", "2025-02-21", "--minutes", "35")
    sides[0].run("close", "tcccccccc", "--date", "2025-12-01", "--reason", "goals-reached")
    sides[1].run("close", "tbbbbbbbb", "--date", "2025-12-02", "--reason", "referred-on")
    for side in (*sides, sides[0]):
        code, _, err = hs(side.root, "sync", author=side.who)
        assert code == 0, err
    assert git(a, "rev-parse", "HEAD^{tree}") == git(b, "rev-parse", "HEAD^{tree}")
    for traj, day in sides[0].visits | sides[1].visits:
        assert f"date: {day}" in (a / f"records/trajectories/{traj}.yaml").read_text()
    for fid, decision in {**sides[0].families, **sides[1].families}.items():
        text = (a / f"records/families/{fid}.yaml").read_text()
        assert decision is None or f"decision: {decision}" in text
    assert "close_reason: goals-reached" in (a / "records/trajectories/tcccccccc.yaml"
                                             ).read_text()
    assert "close_reason: referred-on" in (a / "records/trajectories/tbbbbbbbb.yaml"
                                           ).read_text()
    _, out, _ = hs(a, "validate")
    problems = [line for line in out.splitlines() if ": error[" in line]
    # the field as `hs resolve` takes it: the path in brackets after the field's label
    found = {(line.split("/")[2].split(".")[0], line.split("' (")[1].split(")")[0])
             for line in problems}
    assert found == {("taaaaaaaa", "visits[2025-02-20].minutes"),
                     ("tbbbbbbbb", "visits[2025-02-21].minutes")}, problems
    # b merged a's changes into its own: value 1 is b's (in the file), value 2 a's; the
    # minutes are no personal data, so both values are shown
    assert all("merge-conflict" in line and re.search(r"1\) \d+ \(Bert, ", line)
               and re.search(r"2\) \d+ \(Ann, ", line) for line in problems), problems
    for rid, field in found:
        assert hs(a, "resolve", rid, field, "--keep", "2")[0] == 0
    assert hs(a, "validate")[0] == 0
    assert "minutes: 40" in (a / "records/trajectories/taaaaaaaa.yaml").read_text()
    assert hs(a, "sync")[0] == 0 and hs(b, "sync")[0] == 0
    assert git(a, "rev-parse", "HEAD") == git(b, "rev-parse", "HEAD")


def test_a_merge_that_breaks_a_rule_across_records_is_reported(
        clones: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HS_TODAY", "2025-12-31")
    a, b = clones
    for root in (a, b):  # the same waiting family, known to both laptops
        write_record(root, "families/fdddddddd.yaml", FAMILY)
        write_record(root, "volunteers/vbbbbbbbb.yaml", VOLUNTEER)
        commit_all(root, "a waiting family and a volunteer")
    assert hs(a, "start", "fdddddddd", "vbbbbbbbb", "--date", "2025-03-01")[0] == 0
    assert hs(b, "start", "fdddddddd", "vbbbbbbbb", "--date", "2025-03-02")[0] == 0
    assert hs(a, "sync")[0] == 0
    code, _, err = hs(b, "sync")
    assert code == 0
    lines = err.strip().splitlines()
    assert any("family fdddddddd already has trajectory" in line for line in lines[:-1])
    assert "to settle (hs validate lists" in lines[-1]


def test_a_plain_git_pull_that_breaks_a_rule_across_records_says_so(
        clones: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """Without hs sync: the post-merge hook that the clone setup installs runs
    'hs validate' after git made the merge, so the broken rule is said at once."""
    monkeypatch.setenv("HS_TODAY", "2025-12-31")
    monkeypatch.delenv("HS_CLONE_SETUP", raising=False)  # the hooks, as in a real clone
    a, b = clones
    for root in (a, b):
        write_record(root, "families/fdddddddd.yaml", FAMILY)
        write_record(root, "volunteers/vbbbbbbbb.yaml", VOLUNTEER)
        commit_all(root, "a waiting family and a volunteer")
    assert hs(a, "start", "fdddddddd", "vbbbbbbbb", "--date", "2025-03-01")[0] == 0
    assert hs(b, "start", "fdddddddd", "vbbbbbbbb", "--date", "2025-03-02")[0] == 0
    assert "hs post-merge hook" in (b / ".git/hooks/post-merge").read_text()
    assert hs(a, "sync")[0] == 0
    env = {**os.environ, "HS_TODAY": "2025-12-31"}
    pull = subprocess.run(["git", "pull", "-q", "--no-rebase", "--no-edit"], cwd=b,
                          capture_output=True, text=True, env=env)
    assert pull.returncode == 0, pull.stderr
    assert "family fdddddddd already has trajectory" in pull.stderr
    clean = subprocess.run(["git", "pull", "-q", "--no-rebase", "--no-edit"], cwd=a,
                           capture_output=True, text=True, env=env)
    assert clean.returncode == 0 and "hs" not in clean.stderr  # nothing to say: quiet


def test_init_writes_the_attributes_and_registers_the_driver(tmp_path: Path) -> None:
    root = tmp_path / "new"
    code = runner.invoke(app, ["init", str(root)]).exit_code
    assert code == 0
    assert "records/**/*.yaml merge=hs" in (root / ".gitattributes").read_text()
    assert ".gitattributes" in git(root, "ls-files")
    assert registered(root)


def test_a_push_the_remote_rejects_says_to_sync_again(clones: tuple[Path, Path],
                                                       monkeypatch: pytest.MonkeyPatch
                                                       ) -> None:
    a, b = clones
    hs(a, "visit", "taaaaaaaa", "--date", "2025-02-10")
    assert hs(a, "sync")[0] == 0
    hs(b, "visit", "taaaaaaaa", "--date", "2025-02-11")
    stale = git(b, "rev-parse", "origin/main").strip()
    # the remote moves on between the fetch and the push
    with monkeypatch.context() as m:
        m.setattr(gitsync, "fetch", lambda root, remote, branch: stale)
        code, _, err = hs(b, "sync")
    assert (code, err) == (1, "hs: the remote changed meanwhile and refused the push; run "
                              "hs sync again (it fetches again)\n")
    assert hs(b, "sync")[0] == 0


def test_an_unreachable_remote_is_named_by_gits_reason(clones: tuple[Path, Path]) -> None:
    a, _ = clones
    git(a, "remote", "set-url", "origin", "/nonexistent/remote.git")
    code, _, err = hs(a, "sync")
    assert code == 1
    assert err == ("hs: the remote cannot be reached: '/nonexistent/remote.git' does not "
                   "appear to be a git repository; nothing was changed\n")


def test_the_first_sync_of_a_new_repository_lets_plain_git_pull_work(
        empty_repo: Path, tmp_path: Path) -> None:
    """A repository made by hs init and synced to a new remote: the branch then tracks
    the remote's, so a plain ``git pull`` (no arguments) fetches and merges."""
    bare = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(bare))
    git(empty_repo, "remote", "add", "origin", str(bare))
    code, _, err = hs(empty_repo, "sync")
    assert code == 0, err
    assert git(empty_repo, "rev-parse", "--abbrev-ref", "@{upstream}").strip() == "origin/main"
    proc = subprocess.run(["git", "pull", "-q", "--no-edit"], cwd=empty_repo,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_resolve_without_a_conflict_says_so(clones: tuple[Path, Path]) -> None:
    """Listing the conflicts of a record that has none (or none in the field named) is
    an error that says so, not the hint alone with exit 0; a value is listed escaped."""
    a, _ = clones
    assert hs(a, "resolve", "taaa") == (1, "", "hs: taaaaaaaa has no conflicts to settle\n")
    path = a / "records/trajectories/taaaaaaaa.yaml"
    path.write_text(path.read_text() + "conflicts:\n- field: visits[2025-02-03].note\n"
                    "  values:\n  - value: \"\\e[2Jone\"\n    author: Ann\n"
                    "    date: 2025-02-04\n  - value: two\n    author: Bert\n"
                    "    date: 2025-02-05\n")
    code, out, err = hs(a, "resolve", "taaa", "visits[2025-02-03].minutes")
    assert (code, out) == (2, "")
    assert err == ("hs: taaaaaaaa has no conflict in 'visits[2025-02-03].minutes' "
                   "(conflicts: visits[2025-02-03].note)\n")
    code, out, _ = hs(a, "resolve", "taaa")
    assert (code, out) == (0, "visits[2025-02-03].note:\n  1) \\e[2Jone  (Ann, 2025-02-04)\n"
                              "  2) two  (Bert, 2025-02-05)\n")
    before = path.read_text()
    assert hs(a, "resolve", "taaa", "--value", " ") == (
        2, "", "hs: --value is empty: give the field a value, or keep one with --keep N\n")
    assert path.read_text() == before  # an empty value would have written a null


def test_a_file_git_must_merge_by_hand_is_named(clones: tuple[Path, Path]) -> None:
    """config.yaml changed on both laptops: the one line names it and what to merge."""
    a, b = clones
    for root, days in ((a, "28"), (b, "14")):
        path = root / "records/config.yaml"
        path.write_text(path.read_text().replace("no_visit_days: 21", f"no_visit_days: {days}"))
        commit_all(root, "config")
    assert hs(a, "sync")[0] == 0
    code, out, err = hs(b, "sync")
    assert (code, out) == (1, "")
    assert err == ("hs: 1 changed file could not be merged record by record "
                   "(records/config.yaml); nothing was changed: merge by hand with git "
                   "merge origin/main\n")


def test_a_dirty_clone_and_gits_last_line_read_well_in_dutch(
        clones: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """One uncommitted file: no "toont ze" (them) for one; git's reason without its full
    stop before hs's semicolon."""
    a, _ = clones
    (a / "records/families/faaaaaaaa.yaml").write_text(FAMILY + "signals: []\n")
    code, _, err = hs(a, "--lang", "nl", "sync")
    assert (code, err) == (1, "hs: 1 gewijzigd bestand niet vastgelegd: leg eerst vast of "
                              "maak ongedaan (git status toont welke)\n")
    git(a, "checkout", "-q", "records")
    git(a, "remote", "set-url", "origin", "ssh://nohost.invalid/remote.git")
    monkeypatch.setenv("GIT_SSH_COMMAND", "false")  # ssh fails at once, git says why
    code, _, err = hs(a, "sync")
    assert (code, err) == (1, "hs: the remote cannot be reached: Could not read from remote "
                              "repository; nothing was changed\n")


def test_the_summary_reads_as_dutch(clones: tuple[Path, Path]) -> None:
    """What came in and went out: 'ontvangen' and 'verstuurd' (not 'binnen'/'buiten')."""
    a, _ = clones
    hs(a, "visit", "taaaaaaaa", "--date", "2025-02-10")
    code, _, err = hs(a, "--lang", "nl", "sync")
    assert (code, err) == (0, "gesynchroniseerd met origin: ontvangen 0 commits, 0 records; "
                              "verstuurd 1 commit, 1 record\n")


def test_a_conflict_names_the_field_by_its_label_and_shows_plain_values_only(
        clones: tuple[Path, Path]) -> None:
    """A merge conflict in plain data (the municipality) shows both values beside the
    field's label; in personal data (a note) never the values, but where to see them."""
    a, b = clones
    for root, town, note in ((a, "Herent", "seen at home"), (b, "Kessel-Lo", "met at school")):
        path = root / "records/families/fbbbbbbbb.yaml"
        path.write_text(path.read_text().replace("Leuven", town) + f"note: {note}\n")
        git(root, "commit", "-qam", "family fbbbbbbbb: edited")
    assert hs(a, "sync")[0] == 0
    assert hs(b, "sync")[0] == 0
    day = dt.date.today().isoformat()
    nl = dt.date.today().strftime("%d/%m/%Y")
    code, out, _ = hs(b, "validate")
    assert code == 1
    assert [line for line in out.splitlines() if "merge-conflict" in line] == [
        "records/families/fbbbbbbbb.yaml:12:3: error[merge-conflict]: merge conflict: "
        "'municipality' was given 2 values on two laptops: "
        f"1) Kessel-Lo (Test Coordinator, {day}); 2) Herent (Test Coordinator, {day}); "
        "value 1 is in the file; settle it with "
        "'hs resolve fbbbbbbbb municipality --keep N' (or --value VALUE)",
        "records/families/fbbbbbbbb.yaml:20:3: error[merge-conflict]: merge conflict: "
        f"'note' was given 2 values on two laptops: 1) Test Coordinator, {day}; "
        f"2) Test Coordinator, {day}; value 1 "
        "is in the file (the values: see hs show fbbbbbbbb); settle it with "
        "'hs resolve fbbbbbbbb note --keep N' (or --value VALUE)"]
    code, out, _ = hs(b, "--lang", "nl", "validate")
    assert next(line for line in out.splitlines() if "merge-conflict" in line) == (
        "records/families/fbbbbbbbb.yaml:12:3: error[merge-conflict]: conflict na "
        "samenvoegen: 'gemeente' kreeg 2 waarden op twee laptops: "
        f"1) Kessel-Lo (Test Coordinator, {nl}); 2) Herent (Test Coordinator, {nl}); "
        "waarde 1 staat in het bestand; kies met 'hs resolve fbbbbbbbb municipality "
        "--keep N' (of --value WAARDE)")
