"""The workflow commands through the CLI, in temporary git repositories: what each prints,
the one commit each makes (message and trailers), --no-commit, refusals that write
nothing, warnings, replacement, extension, the starter hand-over, `hs init`, and a whole
year of one location."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TypeVar

import pytest
from typer.testing import CliRunner, Result

from hs.cli import app
from hs.store import gitops
from tests.conftest import git

runner = CliRunner()
T = TypeVar("T")


def hs(root: Path | None, *args: str) -> Result:
    argv = [*args, "--repo", str(root)] if root is not None else list(args)
    return runner.invoke(app, argv)


def ok(root: Path, *args: str) -> str:
    """Run a command that must succeed; its stdout."""
    r = hs(root, *args)
    assert r.exit_code == 0, (args, r.stdout, r.stderr)
    return r.stdout


def new(root: Path, *args: str) -> str:
    """Run a command that creates a record: stdout is exactly its ID."""
    out = ok(root, *args)
    assert out.count("\n") == 1, out
    return out.strip()


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted((root / "records").rglob("*")) if p.is_file()}


def head(root: Path) -> str:
    return git(root, "rev-parse", "HEAD").strip()


def last_commit(root: Path) -> gitops.ParsedMessage:
    return gitops.parse_message(git(root, "log", "-1", "--format=%B"))


def changed_files(root: Path, rev: str = "HEAD") -> list[str]:
    return sorted(git(root, "show", "--name-only", "--format=", rev).split())


def refused(root: Path, *args: str, match: str, code: int = 1) -> str:
    """The command is refused: exit code, one line on stderr, nothing written or staged."""
    before, commit = snapshot(root), head(root)
    r = hs(root, *args)
    assert r.exit_code == code, (args, r.stdout, r.stderr)
    err = r.stderr
    assert err.count("\n") == 1 and err.startswith("hs: "), err
    assert match in err, err
    assert r.stdout == ""
    assert snapshot(root) == before
    assert git(root, "status", "--porcelain") == ""
    assert head(root) == commit
    return err


@pytest.fixture
def root(empty_repo: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HS_TODAY", "2026-06-30")
    return empty_repo


def a_family(root: Path, referred: str = "2025-01-06", accepted: str | None = "2025-01-13",
             *extra: str) -> str:
    fid = new(root, "family", "refer", "--location", "leuven", "--date", referred,
              "--referrer", "kind-en-gezin", *extra)
    if accepted:
        ok(root, "family", "accept", fid, "--date", accepted)
    return fid


def a_volunteer(root: Path, *extra: str, checked: str = "2024-09-01") -> str:
    return new(root, "volunteer", "add", "--location", "leuven", "--gender", "f",
               "--birth-year", "1980", "--joined", "2024-09-01", "--checked", checked,
               *extra)


# --- hs init -----------------------------------------------------------------------------


def test_init_makes_a_repository_that_validates_clean(tmp_path: Path) -> None:
    target = tmp_path / "records-leuven"
    r = hs(None, "init", str(target))
    assert r.exit_code == 0, r.stderr
    assert r.stdout.startswith("HS-RECOVERY-")  # the recovery key, shown once (issue 13)
    for rel in ("records/config.yaml", "records/vocabularies.yaml", ".gitignore",
                ".pre-commit-config.yaml", "README.md", "records/families/.gitkeep"):
        assert (target / rel).is_file(), rel
    workflow = Path(__file__).resolve().parents[2] / "hs/data/validate-workflow.yml"
    if workflow.is_file():
        assert (target / ".github/workflows/hs-validate.yml").read_bytes() == \
            workflow.read_bytes()
    else:
        assert "hs-validate.yml not written" in r.stderr
    assert ".hs/" in (target / ".gitignore").read_text().splitlines()
    log = git(target, "log", "--format=%s").splitlines()
    assert log == ["records repository created"]
    assert last_commit(target).trailers["Hs-Action"] == ["repo.init"]
    assert git(target, "status", "--porcelain") == ""
    v = hs(target, "validate")
    assert v.exit_code == 0, v.stdout
    assert "no problems" in v.stderr
    # the tree works at once, and the cache stays out of git
    assert new(target, "location", "add", "leuven", "--name", "Home-Start Leuven",
               "--municipality", "Leuven", "--from", "2019-01-01") == "leuven"
    assert git(target, "status", "--porcelain") == ""
    assert hs(target, "validate").exit_code == 0
    again = hs(None, "init", str(target))
    assert again.exit_code == 1
    assert "already holds a records tree" in again.stderr


def test_init_inside_an_existing_git_repository_keeps_its_files(tmp_path: Path) -> None:
    target = tmp_path / "existing"
    target.mkdir()
    git(target, "init", "-q", "-b", "main")
    (target / ".gitignore").write_text("secret.txt\n")
    (target / "README.md").write_text("# ours\n")
    assert hs(None, "init", str(target)).exit_code == 0
    assert (target / "README.md").read_text() == "# ours\n"
    assert (target / ".gitignore").read_text().startswith("secret.txt\n")
    assert ".hs/" in (target / ".gitignore").read_text()


# --- each command: its output and its one commit ----------------------------------------


def test_each_command_makes_one_commit_with_message_and_trailers(root: Path) -> None:
    commits = int(git(root, "rev-list", "--count", "HEAD"))

    def step(expected_subject: str, action: str, records: list[str], date: str | None,
             files: list[str]) -> None:
        nonlocal commits
        commits += 1
        assert int(git(root, "rev-list", "--count", "HEAD")) == commits
        msg = last_commit(root)
        assert msg.subject == expected_subject
        assert msg.trailers["Hs-Action"] == [action]
        assert msg.trailers.get("Hs-Record", []) == records
        assert msg.trailers.get("Hs-Date") == ([date] if date else None)
        assert changed_files(root) == sorted(files)
        assert git(root, "log", "-1", "--format=%an <%ae>").strip() == \
            "Test Coordinator <coordinator@example.org>"
        assert git(root, "status", "--porcelain") == ""

    fid = new(root, "family", "refer", "--location", "leuven", "--date", "2025-01-06",
              "--referrer", "huisarts", "--child", "2024-02", "--language", "ar")
    fam_file = f"records/families/{fid}.yaml"
    step(f"family {fid}: referred (huisarts)", "family.refer", [fid], "2025-01-06",
         [fam_file])
    r = hs(root, "family", "accept", fid, "--date", "2025-01-13")
    assert r.stdout == ""
    assert r.stderr.startswith(f"family {fid}: accepted [commit ")
    step(f"family {fid}: accepted", "family.accept", [fid], "2025-01-13", [fam_file])
    vid = a_volunteer(root)
    step(f"volunteer {vid}: added, active from 2024-09-01", "volunteer.add", [vid],
         "2024-09-01", [f"records/volunteers/{vid}.yaml"])
    tid = new(root, "start", fid, vid, "--date", "2025-02-03")
    trj_file = f"records/trajectories/{tid}.yaml"
    step(f"trajectory {tid}: started (buddy) for family {fid} with volunteer {vid}",
         "trajectory.start", [tid, fid, vid], "2025-02-03", [trj_file])
    assert ok(root, "visit", tid, "--date", "2025-02-10", "--minutes", "90") == ""
    step(f"trajectory {tid}: visit on 2025-02-10", "trajectory.visit", [tid], "2025-02-10",
         [trj_file])
    ok(root, "review", tid, "--date", "2025-02-17", "--score", "network=2")
    step(f"trajectory {tid}: review (start)", "trajectory.review", [tid], "2025-02-17",
         [trj_file])
    ok(root, "close", tid, "--date", "2025-06-27", "--reason", "moved", "--score",
       "network=3")
    step(f"trajectory {tid}: closed (moved)", "trajectory.close", [tid], "2025-06-27",
         [trj_file])
    ok(root, "volunteer", "stop", vid, "--date", "2025-06-30", "--reason", "personal")
    step(f"volunteer {vid}: stopped (personal)", "volunteer.stop", [vid], "2025-06-30",
         [f"records/volunteers/{vid}.yaml"])
    ok(root, "location", "stop", "leuven", "--date", "2025-06-30")
    step("location leuven: stopped on 2025-06-30", "location.stop", ["leuven"],
         "2025-06-30", ["records/locations/leuven.yaml"])
    assert hs(root, "validate").exit_code == 0


def test_no_commit_leaves_the_change_staged(root: Path) -> None:
    commit = head(root)
    fid = new(root, "family", "refer", "--location", "leuven", "--date", "2025-01-06",
              "--referrer", "self", "--no-commit")
    assert head(root) == commit
    assert git(root, "status", "--porcelain").splitlines() == [
        f"A  records/families/{fid}.yaml"]
    r = hs(root, "family", "accept", fid, "--date", "2025-01-07", "--no-commit")
    assert "[staged, not committed]" in r.stderr
    assert head(root) == commit
    assert "decision: accepted" in git(root, "diff", "--cached")


def test_commit_messages_never_hold_names(root: Path) -> None:
    fid = a_family(root, "2025-01-06", "2025-01-13", "--name", "Fatima El Amrani",
                   "--municipality", "Leuven")
    vid = a_volunteer(root, "--name", "Jan Peeters")
    tid = new(root, "start", fid, vid, "--date", "2025-02-03", "--note", "Jan meets Fatima")
    ok(root, "visit", tid, "--date", "2025-02-10", "--note", "Fatima was ill")
    log = git(root, "log", "--format=%B%n%an")
    for word in ("Fatima", "Amrani", "Jan", "Peeters"):
        assert word not in log
    assert "Fatima El Amrani" in (root / f"records/families/{fid}.yaml").read_text()


# --- refusals ---------------------------------------------------------------------------


def test_refused_transitions_write_nothing(root: Path) -> None:
    waiting = a_family(root)
    referred = a_family(root, accepted=None)
    vid = a_volunteer(root)
    stopped = a_volunteer(root)
    ok(root, "volunteer", "stop", stopped, "--date", "2025-01-31", "--reason", "moved")
    candidate = new(root, "volunteer", "add", "--location", "leuven", "--gender", "m",
                    "--birth-year", "1990")
    tid = new(root, "start", waiting, vid, "--date", "2025-02-03")
    ok(root, "close", tid, "--date", "2025-05-30", "--reason", "goals-reached")
    other = a_family(root)

    refused(root, "family", "refuse", waiting, "--date", "2025-03-01", "--reason", "other",
            match=f"family {waiting}'s trajectory {tid} closed on 2025-05-30")
    refused(root, "start", referred, vid, "--date", "2025-03-01",
            match=f"family {referred} is not decided on yet")
    refused(root, "visit", tid, "--date", "2025-02-01",
            match="a visit on 2025-02-01 is before trajectory")
    refused(root, "visit", tid, "--date", "2025-06-01",
            match="a visit on 2025-06-01 is after trajectory")
    refused(root, "start", other, stopped, "--date", "2025-03-01",
            match=f"volunteer {stopped} stopped on 2025-01-31")
    refused(root, "start", other, candidate, "--date", "2025-03-01",
            match=f"volunteer {candidate} is a candidate")
    refused(root, "family", "accept", waiting, "--date", "2025-03-01",
            match="closed on 2025-05-30")
    refused(root, "close", tid, "--date", "2025-06-01", "--reason", "moved",
            match="already closed")
    refused(root, "family", "refer", "--family", other, "--date", "2025-03-01",
            "--referrer", "self", match="has not ended")
    refused(root, "volunteer", "activate", candidate, "--date", "2025-03-01",
            match="required training")
    refused(root, "visit", "tzzzzzzzz", "--date", "2025-03-01", code=2,
            match="no trajectory with ID 'tzzzzzzzz'")  # a typing mistake: usage
    refused(root, "visit", tid, "--date", "2025-13-01", code=2,
            match="'2025-13-01' is not a date")
    refused(root, "review", tid, "--date", "2025-03-01", "--score", "network", code=2,
            match="not DOMAIN=N")


def test_unknown_codes_list_the_valid_ones_and_suggest(root: Path) -> None:
    fid = a_family(root, accepted=None)
    err = refused(root, "family", "refuse", fid[:5], "--date", "2025-02-01", "--reason",
                  "outside-targt", match="did you mean 'outside-target-group'?", code=2)
    assert "(valid: outside-target-group, needs-other-help, referred-on, other)" in err
    refused(root, "family", "refer", "--location", "leuven", "--date", "2025-02-01",
            "--referrer", "kind en gezn", match="did you mean 'kind-en-gezin'?", code=2)
    refused(root, "volunteer", "add", "--location", "leuven", "--gender", "q",
            "--birth-year", "1980", match="'q' is not a code of genders", code=2)


def test_messages_in_dutch(root: Path) -> None:
    fid = a_family(root)
    r = runner.invoke(app, ["--lang", "nl", "family", "accept", fid, "--date", "2025-02-01",
                            "--repo", str(root)])
    assert r.exit_code == 1
    assert r.stderr == f"hs: over gezin {fid} werd al beslist op 13/01/2025 (aanvaard)\n"
    r = runner.invoke(app, ["--lang", "nl", "family", "withdraw", fid, "--date",
                            "2025-02-01", "--reason", "moved", "--repo", str(root)])
    # the code as the vocabulary's Dutch label; the commit subject in the command's
    # language (docs/design.md), the trailer a code
    assert r.stderr.startswith(f"gezin {fid}: afgehaakt (Verhuisd) [commit ")
    assert last_commit(root).subject == f"gezin {fid}: afgehaakt (Verhuisd)"
    assert last_commit(root).trailers["Hs-Reason"] == ["moved"]


def test_id_prefixes_are_accepted(root: Path) -> None:
    fid = a_family(root)
    vid = a_volunteer(root)
    tid = new(root, "start", fid[:4], vid[:4], "--date", "2025-02-03")
    ok(root, "visit", tid[:3], "--date", "2025-02-10")
    assert last_commit(root).trailers["Hs-Record"] == [tid]


# --- warnings, replacement, extension, starter hand-over --------------------------------


def test_expired_check_warns_and_goes_on(root: Path) -> None:
    fid = a_family(root)
    vid = a_volunteer(root, checked="2021-03-01")
    r = hs(root, "start", fid, vid, "--date", "2025-02-03")
    assert r.exit_code == 0
    assert r.stderr.splitlines()[0] == (
        f"warning: the criminal-record check of volunteer {vid} (2021-03-01) expired on "
        "2024-03-01 (36 months)")
    ok(root, "volunteer", "check", vid, "--date", "2025-03-01")
    assert last_commit(root).subject == f"volunteer {vid}: criminal-record check recorded"
    fid2 = a_family(root)
    vid2 = new(root, "volunteer", "add", "--location", "leuven", "--gender", "m",
               "--birth-year", "1960", "--joined", "2024-01-01", "--capacity", "2")
    r = hs(root, "start", fid2, vid2, "--date", "2025-02-03")
    assert f"volunteer {vid2} has no criminal-record check" in r.stderr


def test_replacement_and_extension(root: Path) -> None:
    fid = a_family(root)
    first = a_volunteer(root)
    second = a_volunteer(root)
    tid = new(root, "start", fid, first, "--date", "2025-02-03")
    ok(root, "volunteer", "stop", first, "--date", "2025-04-30", "--reason", "health")
    ok(root, "replace", tid, second, "--date", "2025-05-12")
    msg = last_commit(root)
    assert msg.subject == f"trajectory {tid}: volunteer {first} replaced by {second}"
    assert msg.trailers["Hs-Record"] == [tid, first, second]
    text = (root / f"records/trajectories/{tid}.yaml").read_text()
    assert (f"volunteers:\n- volunteer: {first}\n  start: 2025-02-03\n  end: 2025-04-30\n"
            f"- volunteer: {second}\n  start: 2025-05-12\n") in text
    r = hs(root, "extend", tid, "--date", "2026-02-02", "--note", "more support needed")
    assert r.exit_code == 0 and r.stderr.startswith(
        f"trajectory {tid}: extended [commit ")
    assert last_commit(root).trailers["Hs-Review"] == ["extension"]
    assert "- date: 2026-02-02\n  kind: extension\n  note: more support needed\n" in \
        (root / f"records/trajectories/{tid}.yaml").read_text()
    assert hs(root, "validate").exit_code == 0


def test_starter_support_ends_on_the_buddy_start_in_one_commit(root: Path) -> None:
    fid = a_family(root)
    starter_vol = a_volunteer(root, "--role", "starter")
    buddy_vol = a_volunteer(root)
    starter = new(root, "start", fid, starter_vol, "--kind", "starter", "--date",
                  "2025-01-20")
    ok(root, "visit", starter, "--date", "2025-01-27", "--note", "read a letter together")
    before = head(root)
    buddy = new(root, "start", fid, buddy_vol, "--date", "2025-03-03")
    assert git(root, "rev-list", "--count", f"{before}..HEAD").strip() == "1"
    assert changed_files(root) == sorted([f"records/trajectories/{buddy}.yaml",
                                          f"records/trajectories/{starter}.yaml"])
    msg = last_commit(root)
    assert msg.subject == (f"trajectory {buddy}: started (buddy) for family {fid} with "
                           f"volunteer {buddy_vol}; starter trajectory {starter} closed")
    assert msg.trailers["Hs-Record"] == [buddy, fid, buddy_vol, starter]
    assert (root / f"records/trajectories/{starter}.yaml").read_text().endswith(
        "end: 2025-03-03\nclose_reason: other\n")
    assert hs(root, "validate").exit_code == 0


def test_volunteer_path_through_the_cli(root: Path) -> None:
    vid = new(root, "volunteer", "add", "--location", "leuven", "--gender", "x",
              "--birth-year", "2001", "--language", "nl", "--language", "uk", "--role",
              "buddy", "--role", "language", "--available", "mon-am", "--available",
              "thu-pm", "--preference", "young-children", "--municipality", "Herent")
    assert last_commit(root).subject == f"volunteer {vid}: added as candidate"
    for step in ("info-session", "module-resilience", "module-attitude", "module-network",
                 "get-to-know"):
        ok(root, "volunteer", "train", vid, step, "--date", "2025-03-01")
    assert last_commit(root).trailers["Hs-Step"] == ["get-to-know"]
    ok(root, "volunteer", "activate", vid, "--date", "2025-03-10")
    text = (root / f"records/volunteers/{vid}.yaml").read_text()
    assert text.endswith("training:\n  info-session: 2025-03-01\n"
                         "  module-resilience: 2025-03-01\n  module-attitude: 2025-03-01\n"
                         "  module-network: 2025-03-01\n  get-to-know: 2025-03-01\n"
                         "active:\n- start: 2025-03-10\n")
    assert "languages: [nl, uk]\nroles: [buddy, language]\n" \
           "availability: [mon-am, thu-pm]\npreferences: [young-children]\n" in text


def test_a_comment_and_odd_formatting_survive_hs_visit(root: Path) -> None:
    fid = a_family(root)
    vid = a_volunteer(root)
    tid = new(root, "start", fid, vid, "--date", "2025-02-03")
    path = root / f"records/trajectories/{tid}.yaml"
    hand = (
        "# yaml-language-server: $schema=../../schemas/trajectory.schema.json\n"
        "# The family asked for Thursday mornings. -- coordinator\n"
        "schema_version: 1\n"
        f"family:     {fid}    # aligned\n"
        "kind: \"buddy\"\n"
        "start: 2025-02-03\n"
        "volunteers:\n"
        f"  - volunteer: {vid}\n"
        "    start: 2025-02-03\n"
        "visits:\n"
        "  - {date: 2025-02-06, minutes: 90}   # first visit, with me\n"
        "\n"
        "  - date: 2025-02-13\n"
        "    note: >-\n"
        "      a folded\n"
        "      note\n"
        "# end of the visits\n"
        "reviews: []\n")
    path.write_text(hand)
    git(root, "commit", "-qam", "tidy by hand")
    ok(root, "visit", tid, "--date", "2025-02-20", "--minutes", "60")
    assert path.read_text() == hand.replace(
        "      note\n",
        "      note\n  - date: 2025-02-20\n    minutes: 60\n")
    assert git(root, "show", "--format=", "--numstat", "HEAD").split()[:2] == ["2", "0"]


# --- a year of one location ---------------------------------------------------------------


def test_a_year_of_one_location(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HS_TODAY", "2026-02-28")
    start_commits = int(git(root, "rev-list", "--count", "HEAD"))
    # volunteers: three active buddies, a starter, and a candidate who is trained
    ann = a_volunteer(root, "--name", "Ann", "--language", "nl", "--language", "fr")
    bart = a_volunteer(root, "--name", "Bart", "--capacity", "2")
    chris = a_volunteer(root, "--name", "Chris")
    sam = a_volunteer(root, "--name", "Sam", "--role", "starter")
    dana = new(root, "volunteer", "add", "--location", "leuven", "--gender", "f",
               "--birth-year", "1999", "--name", "Dana")
    for step in ("info-session", "module-resilience", "module-attitude", "module-network"):
        ok(root, "volunteer", "train", dana, step, "--date", "2025-03-15")
    ok(root, "volunteer", "train", dana, "get-to-know", "--date", "2025-04-01")
    ok(root, "volunteer", "check", dana, "--date", "2025-04-01")
    ok(root, "volunteer", "activate", dana, "--date", "2025-04-02")

    # referrals and decisions
    f1 = a_family(root, "2025-01-06", "2025-01-13", "--child", "2023-04", "--flag",
                  "single-parent", "--language", "ar")
    f2 = a_family(root, "2025-01-20", "2025-01-27", "--expecting", "2025-05")
    f3 = a_family(root, "2025-02-03", None)
    ok(root, "family", "refuse", f3, "--date", "2025-02-10", "--reason", "needs-other-help")
    f4 = a_family(root, "2025-02-17", "2025-02-24")
    f5 = a_family(root, "2025-03-03", None)
    ok(root, "family", "withdraw", f5, "--date", "2025-03-20", "--reason", "no-contact")
    f6 = a_family(root, "2025-09-01", "2025-09-08")

    # starts: f2 gets a starter first; a buddy on 2025-03-03 ends it
    t1 = new(root, "start", f1, ann, "--date", "2025-02-03")
    s2 = new(root, "start", f2, sam, "--kind", "starter", "--date", "2025-02-01")
    ok(root, "visit", s2, "--date", "2025-02-12", "--minutes", "45")
    t2 = new(root, "start", f2, bart, "--date", "2025-03-03")
    t4 = new(root, "start", f4, chris, "--date", "2025-03-10")

    # weekly visits: t1 all year, t2 until the close, t4 with a replacement
    def weekly(tid: str, first: str, weeks: int) -> None:
        import datetime as dt

        day = dt.date.fromisoformat(first)
        for _ in range(weeks):
            ok(root, "visit", tid, "--date", day.isoformat(), "--minutes", "90")
            day += dt.timedelta(days=7)

    weekly(t1, "2025-02-10", 6)
    weekly(t2, "2025-03-10", 4)
    weekly(t4, "2025-03-17", 3)
    ok(root, "review", t1, "--date", "2025-02-24", "--score", "network=2", "--score",
       "self-confidence=2")
    ok(root, "volunteer", "stop", chris, "--date", "2025-05-31", "--reason", "work")
    ok(root, "replace", t4, dana, "--date", "2025-06-09")
    weekly(t4, "2025-06-09", 2)
    ok(root, "review", t1, "--date", "2025-08-04", "--score", "network=3")
    ok(root, "review", t4, "--date", "2025-09-15", "--kind", "six-month")
    ok(root, "close", t2, "--date", "2025-10-31", "--reason", "family-stopped")
    t6 = new(root, "start", f6, bart, "--date", "2025-11-03")
    ok(root, "visit", t6, "--date", "2025-11-10")
    ok(root, "review", t1, "--date", "2026-01-26", "--kind", "closing")
    ok(root, "close", t1, "--date", "2026-01-30", "--reason", "goals-reached", "--score",
       "network=4", "--score", "self-confidence=4")

    # the files
    index_ok = hs(root, "validate")
    assert index_ok.exit_code == 0, index_ok.stdout
    from hs.store.repo import open_repo

    idx = open_repo(root).index
    assert len(idx.families) == 6 and len(idx.volunteers) == 5
    assert len(idx.trajectories) == 5
    assert idx.trajectories[s2].end == idx.trajectories[t2].start
    assert [a.volunteer for a in idx.trajectories[t4].assignments] == [chris, dana]
    assert str(idx.trajectories[t4].assignments[0].end) == "2025-05-31"
    assert len(idx.trajectories[t1].visit_days) == 6
    assert idx.trajectories[t1].impact_start == {"network": 2, "self-confidence": 2}
    assert idx.trajectories[t1].impact_end == {"network": 4, "self-confidence": 4}
    assert [r.kind for r in idx.trajectories[t1].reviews] == ["start", "six-month",
                                                             "closing"]

    # the commits: one per command, each with its action; no names anywhere
    log = git(root, "log", f"-{200}", "--format=%(trailers:key=Hs-Action,valueonly)%x00")
    actions = [a.strip() for a in log.split("\0") if a.strip()]
    made = int(git(root, "rev-list", "--count", "HEAD")) - start_commits
    assert len(actions) == made
    counts = {a: actions.count(a) for a in set(actions)}
    assert counts == {
        "volunteer.add": 5, "volunteer.train": 5, "volunteer.check": 1,
        "volunteer.activate": 1, "volunteer.stop": 1, "family.refer": 6,
        "family.accept": 4, "family.refuse": 1, "family.withdraw": 1,
        "trajectory.start": 5, "trajectory.visit": 17, "trajectory.review": 4,
        "trajectory.replace": 1, "trajectory.close": 2}
    full = git(root, "log", "--format=%B")
    for name in ("Ann", "Bart", "Chris", "Sam", "Dana"):
        assert name not in full
    assert git(root, "status", "--porcelain") == ""

    # the views of helper D, where present
    wl = hs(root, "waitlist", "--as-of", "2025-08-31", "--format", "json")
    if wl.exit_code == 0:
        rows = json.loads(wl.stdout)
        assert [r["family"] for r in rows] == []
        wl = hs(root, "waitlist", "--as-of", "2025-09-30", "--format", "json")
        assert [r["family"] for r in json.loads(wl.stdout)] == [f6]
    due = hs(root, "due", "--as-of", "2025-12-31", "--format", "json")
    if due.exit_code == 0:
        records = {r["record"] for r in json.loads(due.stdout)}
        assert t1 in records  # a year old on 2026-02-03, the closing conversation is near


# --- review findings ---------------------------------------------------------------------


def test_an_event_after_today_is_refused_and_nothing_is_written(root: Path) -> None:
    fid = a_family(root)
    vid = a_volunteer(root)
    tid = new(root, "start", fid, vid, "--date", "2025-02-03")
    refused(root, "visit", tid, "--date", "2026-07-01", match="is after today (2026-06-30)")
    refused(root, "family", "refer", "--location", "leuven", "--date", "2099-01-01",
                   "--referrer", "self", match="is after today")
    refused(root, "close", tid, "--date", "2026-07-01", "--reason", "goals-reached",
            match="is after today")


def test_a_score_with_a_non_ascii_digit_is_a_usage_error(root: Path) -> None:
    fid = a_family(root)
    vid = a_volunteer(root)
    tid = new(root, "start", fid, vid, "--date", "2025-02-03")
    refused(root, "close", tid, "--date", "2025-12-01", "--reason", "goals-reached",
                   "--score", "network=²", match="is not DOMAIN=N", code=2)


def test_init_refused_for_want_of_a_git_identity_leaves_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME",
                "GIT_COMMITTER_EMAIL"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "nogitconfig"))
    target = tmp_path / "new" / "repo"
    r = hs(None, "init", str(target))
    assert r.exit_code == 1 and r.stderr.startswith("hs: git does not know who you are")
    assert not (tmp_path / "new").exists()


def test_init_where_no_folder_can_be_made_is_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    r = hs(None, "init", str(blocker / "repo"))
    assert r.exit_code == 1
    assert r.stderr.startswith(f"hs: cannot create a records repository at {blocker}/repo")
    assert r.stderr.count("\n") == 1


def test_a_volunteer_joined_without_training_is_added_with_a_warning(root: Path) -> None:
    r = hs(root, "volunteer", "add", "--location", "leuven", "--gender", "f",
           "--birth-year", "1970", "--joined", "2025-01-01", "--checked", "2024-12-01")
    assert r.exit_code == 0
    vid = r.stdout.strip()
    assert (f"warning: volunteer {vid} is active without recorded training (info-session, "
            "module-resilience, module-attitude, module-network, get-to-know)") in r.stderr


# --- hostile input ------------------------------------------------------------------------


ESCAPES = ["Jan\x1b[2J", "\x1b]0;pwned\x07", "Jan\x07", "Jan\x9b1m", "Jan\x7f", "Jan\rX"]


def cases(values: list[str], forms: list[T], every: bool) -> list[tuple[str, T]]:
    """Each value with each form (``every``: the slow tier), or in the default run each
    value and each form once (the values taken in turn), which proves the same per value
    and per form with a fraction of the commands."""
    if every:
        return [(v, f) for v in values for f in forms]
    return [(values[i % len(values)], f) for i, f in enumerate(forms)] + [
        (v, forms[i % len(forms)]) for i, v in enumerate(values) if i >= len(forms)]


EVERY = pytest.mark.parametrize("every", [False, pytest.param(True, marks=pytest.mark.slow)])


@EVERY
def test_control_characters_are_refused_on_input_and_never_echoed(root: Path,
                                                                  every: bool) -> None:
    """A name, municipality or note with a terminal escape sequence is refused with one
    line that names the option and does not repeat the value; nothing is written."""
    fid = a_family(root)
    vid = a_volunteer(root)
    tid = new(root, "start", fid, vid, "--date", "2025-02-03")
    forms: list[tuple[tuple[str, ...], str]] = [
        (("family", "refer", "--location", "leuven", "--date", "2025-02-01",
          "--referrer", "self", "--name"), "--name"),
        (("family", "refer", "--location", "leuven", "--date", "2025-02-01",
          "--referrer", "self", "--municipality"), "--municipality"),
        (("volunteer", "add", "--location", "leuven", "--gender", "f",
          "--birth-year", "1980", "--name"), "--name"),
        (("visit", tid, "--date", "2025-03-01", "--note"), "--note"),
        (("location", "add", "gent", "--municipality", "Gent", "--name"), "--name")]
    for bad, (head, option) in cases(ESCAPES, forms, every):
        args = (*head, bad)
        err = refused(root, *args, code=2, match=f"hs: {option} holds a control "
                      "character (an escape sequence can clear or retitle a terminal)")
        assert "Jan" not in err and "pwned" not in err and "\x1b" not in err
    # a note keeps its line breaks and tabs
    ok(root, "visit", tid, "--date", "2025-03-01", "--note", "first\n\tsecond")


def test_a_name_of_only_spaces_is_refused(root: Path) -> None:
    refused(root, "family", "refer", "--location", "leuven", "--date", "2025-02-01",
            "--referrer", "self", "--name", "   ", code=2,
            match="hs: --name holds only spaces; give a value or leave the option out")
    refused(root, "volunteer", "add", "--location", "leuven", "--gender", "f",
            "--birth-year", "1980", "--municipality", "   ", code=2,
            match="hs: --municipality holds only spaces")


def test_an_error_message_escapes_what_it_quotes(root: Path) -> None:
    """An ID typed with an escape sequence, or a name typed where the ID goes, is not
    repeated; an ID of the right form is."""
    r = hs(root, "show", "f\x1b]0;pwned\x07")
    assert r.exit_code == 2
    assert r.stderr == "hs: no record with ID (value not shown)\n"
    r = hs(root, "history", "Jan Qvistpeeters")
    assert (r.exit_code, r.stderr) == (2, "hs: no record with ID (value not shown)\n")
    r = hs(root, "show", "f9")
    assert (r.exit_code, r.stderr) == (2, "hs: no record with ID 'f9'\n")
    r = hs(root, "due", "--within", "\x1b[2J")
    assert r.exit_code == 2 and "\x1b" not in r.stderr
    assert r.stderr == ("hs: invalid value for --within: a number from 0 to … "
                        "(see 'hs due --help')\n")


NAMES = ["Jan Qvistpeeters", "Qvist", "Marie-Zyxwo Brtz"]


@EVERY
def test_input_errors_never_repeat_a_misplaced_name(root: Path, every: bool) -> None:
    """A name typed where a date, month, code, language or half-day belongs: the error
    says which option and what it should be, without the name."""
    fid = a_family(root)
    N = "\0name"  # where the name goes
    forms = [
        ("family", "refer", "--location", "leuven", "--date", N,
         "--referrer", "self"),
        ("family", "refer", "--location", "leuven", "--date", "2025-02-01",
         "--referrer", N),
        ("family", "refer", "--location", "leuven", "--date", "2025-02-01",
         "--referrer", "self", "--child", N),
        ("family", "refer", "--location", "leuven", "--date", "2025-02-01",
         "--referrer", "self", "--expecting", N),
        ("family", "refer", "--location", "leuven", "--date", "2025-02-01",
         "--referrer", "self", "--language", N),
        ("family", "refer", "--location", "leuven", "--date", "2025-02-01",
         "--referrer", "self", "--flag", N),
        ("family", "refuse", fid, "--date", "2025-02-01", "--reason", N),
        ("volunteer", "add", "--location", "leuven", "--gender", N,
         "--birth-year", "1980"),
        ("volunteer", "add", "--location", "leuven", "--gender", "f",
         "--birth-year", "1980", "--availability", N),
        ("location", "add", N, "--name", "X", "--municipality", "Gent"),
        # Click's usage errors (a number option, a format) and hs's own
        ("volunteer", "add", "--location", "leuven", "--gender", "f",
         "--birth-year", N),
        ("due", "--within", N), ("list", "families", "-f", N),
        ("validate", "-f", N), ("waitlist", "--as-of", N)]
    for name, form in cases(NAMES, forms, every):
        args = tuple(name if a == N else a for a in form)
        r = hs(root, *args)
        assert r.exit_code in (1, 2), (args, r.stderr)
        assert all(w not in r.stderr for w in name.replace("-", " ").split()), (
            args, r.stderr)


def test_a_month_typed_the_belgian_way_is_read_as_the_import_reads_it(root: Path) -> None:
    """``--child 03/2024`` and ``--expecting maart 2026`` (issue 12, review 2 #7): the
    command line reads a month with the import's reader (hs.base.dates.read_month) and
    stores it as YYYY-MM."""
    fid = new(root, "family", "refer", "--location", "leuven", "--date", "2026-01-10",
              "--referrer", "self", "--child", "03/2024", "--child", "maart 2025",
              "--expecting", "3-2026")
    text = (root / "records" / "families" / f"{fid}.yaml").read_text()
    assert "born: 2024-03" in text and "born: 2025-03" in text
    assert "expecting: 2026-03" in text
    refused(root, "family", "refer", "--location", "leuven", "--date", "2026-01-10",
            "--referrer", "self", "--child", "13/2024", code=2,
            match="hs: --child '13/2024' is not a month (YYYY-MM, MM/YYYY or march 2024)")


def test_impossible_facts_are_refused_on_input(root: Path, tmp_path: Path) -> None:
    """The rules of hs validate (hs.rules.checks), applied to what a command is given;
    today is 2026-06-30 here."""
    refused(root, "volunteer", "add", "--location", "leuven", "--gender", "f",
            "--birth-year", "2030", match="hs: birth year 2030 is after this year (2026)")
    refused(root, "family", "refer", "--location", "leuven", "--date", "2026-01-10",
            "--referrer", "self", "--child", "2026-08",
            match="hs: a child born in 2026-08, after today (2026-06-30): a child on the "
            "way is the referral's 'expecting'")
    refused(root, "family", "refer", "--location", "leuven", "--date", "2026-01-10",
            "--referrer", "self", "--parent-birth-year", "2027",
            match="hs: birth year 2027 is after this year (2026)")
    refused(root, "family", "refer", "--location", "leuven", "--date", "2026-01-10",
            "--referrer", "self", "--expecting", "2025-03",
            match="hs: the expected birth (2025-03) is long before the referral "
            "(2026-01-10)")
    fid = a_family(root, "2025-01-06", None)
    ok(root, "family", "refuse", fid, "--date", "2025-01-08", "--reason", "other")
    refused(root, "family", "refer", "--family", fid, "--date", "2026-01-10",
            "--referrer", "self", "--expecting", "2025-03", match="is long before")
    # possible: born this month, due last month, born this year
    new(root, "family", "refer", "--location", "leuven", "--date", "2026-06-10",
        "--referrer", "self", "--child", "2026-06", "--expecting", "2026-05")
    new(root, "volunteer", "add", "--location", "leuven", "--gender", "f",
        "--birth-year", "2026")
    path = tmp_path / "f.csv"
    path.write_text("referral_date,referrer,children\n2026-01-10,self,2026-09\n")
    r = hs(root, "import", "families", str(path), "--location", "leuven")
    assert r.exit_code == 1
    assert r.stderr.splitlines()[0] == (
        "f.csv:2: a child born in 2026-09, after today (2026-06-30): a child on the way "
        "is the referral's 'expecting'")


def test_values_that_are_not_personal_are_shown(root: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HS_LANG", "nl")
    # a location ID in another case is the location
    fid = new(root, "family", "refer", "--location", "Leuven", "--date", "2025-01-06",
              "--referrer", "kind-en-gezin")
    assert "location: leuven\n" in (root / "records" / "families" / f"{fid}.yaml").read_text()
    # a mistyped one: not repeated (it could be a name), the nearest location offered
    refused(root, "family", "refer", "--location", "Leuvn", "--date", "2025-01-06",
            "--referrer", "kind-en-gezin", code=2,
            match="geen werking met ID (waarde niet getoond); bedoelde je 'leuven'?")
    # an ID of the right shape, in any case, is quoted
    refused(root, "close", "T3K4M5N6P", "--date", "2025-03-01", "--reason", "goals-met",
            code=2, match="geen traject met ID 'T3K4M5N6P'")
    refused(root, "family", "accept", "Peeters Jan", "--date", "2025-01-06", code=2,
            match="geen gezin met ID (waarde niet getoond)")
    # a mistyped date word: shown as typed (a date holds no personal data), the word offered
    refused(root, "family", "accept", fid, "--date", "vandag", code=2,
            match="--date: 'vandag' is geen datum; bedoelde je 'vandaag'?")
    refused(root, "family", "accept", fid, "--date", "2025-02-30", code=2,
            match="--date: '2025-02-30' is geen datum")


def test_a_referral_before_the_location_started_names_the_fix(root: Path) -> None:
    """`hs location add` starts a location today unless --from says otherwise; a referral
    of last week is then refused, and the message says how to move the start."""
    ok(root, "location", "add", "herent", "--name", "Home-Start Herent", "--municipality",
       "Herent")
    msg = refused(root, "--lang", "nl", "family", "refer", "--location", "herent", "--date",
                  "2026-06-23", "--referrer", "self", match="werking herent begon pas")
    assert msg.endswith("maar werking herent begon pas op 30/06/2026; als de werking vroeger "
                        "begon: hs edit herent, veld active_from (er werd niets geschreven)\n")
