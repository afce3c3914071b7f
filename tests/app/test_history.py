# ruff: noqa: E501
"""Field-level history from git (hs.app.history) and `hs history`."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hs.app.history import FieldChange, diff, record_history
from hs.cli import app
from tests.conftest import commit_all, git, write_record

FAMILY = """\
schema_version: 1
location: leuven
municipality: Leuven
languages: [nl]
referrals:
- date: 2025-01-10
  referrer: kind-en-gezin
"""

TRAJECTORY = """\
schema_version: 1
family: f0000000a
kind: buddy
start: 2025-02-01
volunteers:
- volunteer: v00000001
  start: 2025-02-01
visits:
- date: 2025-02-01
"""

VOLUNTEER = """\
schema_version: 1
location: leuven
gender: f
birth_year: 1970
active:
- start: 2020-01-01
"""


def when(monkeypatch: pytest.MonkeyPatch, stamp: str, author: str = "Test Coordinator"
         ) -> None:
    """The date and author of the next commit."""
    monkeypatch.setenv("GIT_AUTHOR_DATE", stamp)
    monkeypatch.setenv("GIT_COMMITTER_DATE", stamp)
    monkeypatch.setenv("GIT_AUTHOR_NAME", author)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def touch(path: Path, day: str) -> None:
    stamp = dt.datetime.fromisoformat(f"{day}T12:00:00").timestamp()
    os.utime(path, (stamp, stamp))


@pytest.fixture
def family_repo(empty_repo: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A family with five commits (one by hand in an editor, one comment only) and an
    uncommitted change."""
    root = empty_repo
    path = write_record(root, "families/f0000000a.yaml", FAMILY)
    when(monkeypatch, "2025-01-10T10:00:00+01:00")
    commit_all(root, "family: new referral")
    edit(path, "  referrer: kind-en-gezin\n",
         "  referrer: kind-en-gezin\n  decisions:\n  - date: 2025-01-20\n"
         "    decision: accepted\n")
    when(monkeypatch, "2025-01-20T10:00:00+01:00")
    commit_all(root, "family: accept referral")
    # a hand edit in an editor, committed with plain git by someone else
    edit(path, "municipality: Leuven\n", "municipality: Herent  # moved in January\n")
    edit(path, "languages: [nl]", "languages: [nl, ar]")
    when(monkeypatch, "2025-02-01T09:30:00+01:00", "Hand Editor")
    git(root, "commit", "-q", "-a", "-m", "fix municipality")
    # comments only
    edit(path, "schema_version: 1\n", "schema_version: 1\n# checked by the office\n")
    when(monkeypatch, "2025-02-02T09:30:00+01:00")
    commit_all(root, "comment")
    edit(path, "  - date: 2025-01-20", "  - date: 2025-01-21")
    when(monkeypatch, "2025-02-03T09:30:00+01:00")
    commit_all(root, "fix decision date")
    # not committed
    edit(path, "    decision: accepted\n",
         "    decision: accepted\n  - date: 2025-03-01\n    decision: withdrawn\n"
         "    reason: moved\n")
    touch(path, "2025-03-01")
    return root


def test_diff_paths() -> None:
    old = {"a": 1, "household": {"adults": 1}, "languages": ["nl"],
           "referrals": [{"date": "2025-01-10", "decisions": [
               {"date": "2025-01-20", "decision": "accepted"}]}],
           "visits": [{"date": "d1"}, {"date": "d2", "minutes": 30}, {"date": "d3"}],
           "note": "gone"}
    new = {"a": 1, "household": {"adults": 2}, "languages": ["nl", "ar"],
           "referrals": [{"date": "2025-01-10", "decisions": [
               {"date": "2025-01-20", "decision": "accepted"},
               {"date": "2025-02-01", "decision": "withdrawn"}]}],
           "visits": [{"date": "d1"}, {"date": "d2", "minutes": 60}, {"date": "d4"},
                      {"date": "d5"}],
           "end": "2025-03-01"}
    assert diff(old, new) == [
        FieldChange("household.adults", 1, 2),
        FieldChange("languages", ["nl"], ["nl", "ar"]),
        FieldChange("referrals[0].decisions[+]", None,
                    {"date": "2025-02-01", "decision": "withdrawn"}),
        FieldChange("visits[1].minutes", 30, 60),
        FieldChange("visits[2].date", "d3", "d4"),
        FieldChange("visits[+]", None, {"date": "d5"}),
        FieldChange("end", None, "2025-03-01"),
        FieldChange("note", "gone", None),
    ]
    # an item removed from the middle, a changed field deep in a list
    assert diff({"v": [{"d": 1}, {"d": 2}, {"d": 3}]}, {"v": [{"d": 1}, {"d": 3}]}) == [
        FieldChange("v[1]", {"d": 2}, None)]
    assert diff({"r": [{"ds": [{"x": "a"}, {"x": "b"}]}]},
                {"r": [{"ds": [{"x": "a"}, {"x": "c"}]}]}) == [
        FieldChange("r[0].ds[1].x", "b", "c")]
    assert diff({"x": 1}, {"x": 1}) == []


def test_record_history(family_repo: Path) -> None:
    revs = record_history(family_repo, "records/families/f0000000a.yaml")
    assert [(r.subject, r.state, r.author, r.date.isoformat()) for r in revs] == [
        ("family: new referral", "created", "Test Coordinator", "2025-01-10"),
        ("family: accept referral", "changed", "Test Coordinator", "2025-01-20"),
        ("fix municipality", "changed", "Hand Editor", "2025-02-01"),
        ("comment", "unchanged", "Test Coordinator", "2025-02-02"),
        ("fix decision date", "changed", "Test Coordinator", "2025-02-03"),
        ("", "changed", "", "2025-03-01"),
    ]
    assert revs[-1].commit is None
    assert all(r.commit is not None and len(r.commit) == 40 for r in revs[:-1])
    assert revs[0].changes[0] == FieldChange("location", None, "leuven")
    assert revs[2].changes == (FieldChange("municipality", "Leuven", "Herent"),
                               FieldChange("languages", ["nl"], ["nl", "ar"]))
    assert revs[4].changes == (
        FieldChange("referrals[0].decisions[0].date", "2025-01-20", "2025-01-21"),)
    assert revs[5].changes == (FieldChange(
        "referrals[0].decisions[+]", None,
        {"date": "2025-03-01", "decision": "withdrawn", "reason": "moved"}),)


HISTORY_PLAIN = """\
Date        Commit       Author            Subject                  Field                           Change
2025-01-10  {c0}      Test Coordinator  family: new referral     location                        leuven
                                                                    municipality                    Leuven
                                                                    languages                       [nl]
                                                                    referrals[+]                    {{date: 2025-01-10, referrer: kind-en-gezin}}
2025-01-20  {c1}      Test Coordinator  family: accept referral  referrals[0].decisions[+]       {{date: 2025-01-20, decision: accepted}}
2025-02-01  {c2}      Hand Editor       fix municipality         municipality                    Leuven -> Herent
                                                                    languages                       [nl] -> [nl, ar]
2025-02-02  {c3}      Test Coordinator  comment                  (comments or layout only)
2025-02-03  {c4}      Test Coordinator  fix decision date        referrals[0].decisions[0].date  2025-01-20 -> 2025-01-21
2025-03-01  uncommitted                                             referrals[0].decisions[+]       {{date: 2025-03-01, decision: withdrawn, reason: moved}}
"""


def _short_commits(root: Path) -> dict[str, str]:
    shas = git(root, "log", "--reverse", "--format=%h", "--abbrev=7", "--",
               "records/families").split()
    return {f"c{i}": sha for i, sha in enumerate(shas)}


def test_history_plain(family_repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HS_REPO", str(family_repo))
    result = CliRunner().invoke(app, ["history", "f0000000a"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout == HISTORY_PLAIN.format(**_short_commits(family_repo))


def test_history_table_keeps_brackets(family_repo: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Rich would read "[nl]" as markup; values are shown as they are."""
    monkeypatch.setenv("HS_REPO", str(family_repo))
    result = CliRunner().invoke(app, ["history", "f0000000a", "-f", "table"])
    assert result.exit_code == 0, result.stderr
    lines = [line.rstrip() for line in result.stdout.splitlines()]
    assert lines[0] == "History of f0000000a"
    assert any(line.endswith("languages               [nl]") for line in lines)
    assert any(line.endswith("languages               [nl] -> [nl, ar]") for line in lines)


def test_history_markdown_in_dutch(family_repo: Path,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HS_REPO", str(family_repo))
    result = CliRunner().invoke(app, ["--lang", "nl", "history", "f0000000a", "-f",
                                      "markdown"])
    lines = result.stdout.splitlines()
    assert lines[0].split("|")[1:-1] == [
        " Datum      ", " Commit          ", " Auteur           ",
        " Onderwerp               ", " Veld                           ",
        " Wijziging                                              "]
    assert lines[-1].startswith("| 2025-03-01 | niet vastgelegd |")
    assert "(enkel opmaak of commentaar)" in result.stdout


def test_history_json_and_csv(family_repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HS_REPO", str(family_repo))
    result = CliRunner().invoke(app, ["history", "f0", "-f", "json"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert [d["state"] for d in data] == ["created", "changed", "changed", "unchanged",
                                          "changed", "changed"]
    assert data[2] == {
        "commit": data[2]["commit"], "date": "2025-02-01", "author": "Hand Editor",
        "subject": "fix municipality", "state": "changed",
        "changes": [{"field": "municipality", "old": "Leuven", "new": "Herent"},
                    {"field": "languages", "old": ["nl"], "new": ["nl", "ar"]}]}
    assert data[-1]["commit"] is None
    assert data[-1]["changes"] == [{"field": "referrals[0].decisions[+]", "old": None,
                                    "new": {"date": "2025-03-01", "decision": "withdrawn",
                                            "reason": "moved"}}]
    result = CliRunner().invoke(app, ["history", "f0", "-f", "csv"])
    lines = result.stdout.splitlines()
    assert lines[0] == "date,commit,author,subject,state,field,old,new"
    assert lines[-1] == ('2025-03-01,,,,changed,referrals[0].decisions[+],,'
                         '"{date: 2025-03-01, decision: withdrawn, reason: moved}"')
    assert lines[8].startswith("2025-02-02,") and lines[8].endswith(",comment,unchanged,,,")
    assert len(lines) == 11


def test_history_of_visits_through_a_move(empty_repo: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Visits added are one line each; an edited visit is a field; the history follows
    the file into a subfolder (moved with plain git)."""
    root = empty_repo
    path = write_record(root, "trajectories/t00000001.yaml", TRAJECTORY)
    when(monkeypatch, "2025-02-01T10:00:00+01:00")
    commit_all(root, "trajectory: start")
    with path.open("a") as fh:
        fh.write("- date: 2025-02-08\n  minutes: 60\n- date: 2025-02-15\n")
    when(monkeypatch, "2025-02-15T10:00:00+01:00")
    commit_all(root, "trajectory: log visits")
    (root / "records" / "trajectories" / "archive").mkdir()
    git(root, "mv", "records/trajectories/t00000001.yaml",
        "records/trajectories/archive/t00000001.yaml")
    when(monkeypatch, "2025-03-01T10:00:00+01:00")
    commit_all(root, "archive")
    moved = root / "records" / "trajectories" / "archive" / "t00000001.yaml"
    edit(moved, "  minutes: 60", "  minutes: 90")
    when(monkeypatch, "2025-03-02T10:00:00+01:00")
    commit_all(root, "fix minutes")
    monkeypatch.setenv("HS_REPO", str(root))
    result = CliRunner().invoke(app, ["history", "t00000001", "-f", "json"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert [(d["subject"], d["state"]) for d in data] == [
        ("trajectory: start", "created"), ("trajectory: log visits", "changed"),
        ("archive", "unchanged"), ("fix minutes", "changed")]
    assert [c["field"] for c in data[0]["changes"]] == [
        "family", "kind", "start", "volunteers[+]", "visits[+]"]
    assert data[1]["changes"] == [
        {"field": "visits[+]", "old": None, "new": {"date": "2025-02-08", "minutes": 60}},
        {"field": "visits[+]", "old": None, "new": {"date": "2025-02-15"}}]
    assert data[3]["changes"] == [{"field": "visits[1].minutes", "old": 60, "new": 90}]


def test_history_of_an_uncommitted_record_and_an_unreadable_version(
        empty_repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = empty_repo
    path = write_record(root, "volunteers/v00000001.yaml", VOLUNTEER)
    touch(path, "2025-04-01")
    revs = record_history(root, "records/volunteers/v00000001.yaml")
    assert [(r.commit, r.state, r.date.isoformat()) for r in revs] == [
        (None, "created", "2025-04-01")]
    when(monkeypatch, "2025-04-02T10:00:00+01:00")
    commit_all(root, "volunteer")
    path.write_text(VOLUNTEER.replace("gender: f", "gender: [f"))
    when(monkeypatch, "2025-04-03T10:00:00+01:00")
    commit_all(root, "broken by hand")
    path.write_text(VOLUNTEER.replace("birth_year: 1970", "birth_year: 1971"))
    when(monkeypatch, "2025-04-04T10:00:00+01:00")
    commit_all(root, "repaired")
    revs = record_history(root, "records/volunteers/v00000001.yaml")
    assert [r.state for r in revs] == ["created", "unreadable", "changed"]
    assert revs[2].changes == (FieldChange("birth_year", 1970, 1971),)
    monkeypatch.setenv("HS_REPO", str(root))
    result = CliRunner().invoke(app, ["history", "v00000001"])
    assert "(not readable as YAML)" in result.stdout


def test_history_errors(family_repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HS_REPO", str(family_repo))
    write_record(family_repo, "families/f0000000b.yaml", FAMILY)
    for args, code, start in (
            (["history", "f9"], 2, "hs: no record with ID 'f9'"),
            (["history", "f0"], 2, "hs: ID prefix 'f0' matches 2 records"),
            (["history", "f0000000a", "-f", "yaml"], 2, "hs: unknown format 'yaml'")):
        result = CliRunner().invoke(app, args)
        assert result.exit_code == code
        assert result.stdout == ""
        assert len(result.stderr.splitlines()) == 1
        assert result.stderr.startswith(start)


def test_history_finds_the_file_in_the_index(family_repo: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """The command takes the record's path from the index (``repo.index.paths``) and
    walks the records tree itself only for a file too invalid to be in the index."""
    import sys

    import hs.store.layout

    monkeypatch.setenv("HS_REPO", str(family_repo))
    callers: list[str] = []
    walk = hs.store.layout.walk

    def counted(root: Path) -> list[hs.store.layout.RecordFile]:
        callers.append(sys._getframe(1).f_globals["__name__"])
        return walk(root)

    monkeypatch.setattr(hs.store.layout, "walk", counted)
    result = CliRunner().invoke(app, ["history", "f0000000a", "-f", "json"])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)[0]["subject"] == "family: new referral"
    assert "hs.cli.views" not in callers
    path = family_repo / "records" / "families" / "f0000000a.yaml"
    path.write_text(path.read_text().replace("location: leuven", "location: [oops"))
    callers.clear()
    result = CliRunner().invoke(app, ["history", "f0000000a", "-f", "json"])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)[-1]["state"] == "unreadable"
    assert callers.count("hs.cli.views") == 1


def test_history_without_git_is_one_error_in_both_languages(
        family_repo: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """git is started in one place (hs.store.gitops.run): its errors are the same everywhere."""
    from hs.base.errors import GitError
    from hs.base.i18n import set_language

    monkeypatch.setenv("PATH", str(tmp_path))  # no git on the PATH
    try:
        for lang, text in (("en", "git is not installed"), ("nl", "git is niet geïnstalleerd")):
            set_language(lang)
            with pytest.raises(GitError) as err:
                record_history(family_repo, "records/families/f0000000a.yaml")
            assert str(err.value) == text
    finally:
        set_language(None)


@pytest.mark.parametrize("step", [4, pytest.param(1, marks=pytest.mark.slow)])
def test_history_of_many_small_similar_records_is_each_records_own(
        empty_repo: Path, monkeypatch: pytest.MonkeyPatch, step: int) -> None:
    """Twenty small families referred one after another by `hs family refer`: git finds
    most of them similar to an older one, and `git log --follow` showed the older one's
    creation and "name: <other name> -> <this name>" in a new record's history. Each
    record's history is its own: one version, its own name, nothing else (asked of every
    fourth record and the last in the default run, of each in the slow tier)."""
    root = empty_repo
    monkeypatch.setenv("HS_REPO", str(root))
    runner = CliRunner()
    ids: dict[str, str] = {}
    for n in range(20):
        name = f"Family {n:02d}"
        result = runner.invoke(app, ["family", "refer", "--date", "2025-01-10",
                                     "--referrer", "kind-en-gezin", "--location", "leuven",
                                     "--name", name, "--municipality", "Leuven"])
        assert result.exit_code == 0, result.stderr
        ids[result.stdout.strip()] = name
    asked = list(ids.items())
    for rid, name in [*asked[:-1:step], asked[-1]]:
        result = runner.invoke(app, ["history", rid, "-f", "json"])
        assert result.exit_code == 0, result.stderr
        data = json.loads(result.stdout)
        assert [d["state"] for d in data] == ["created"], (rid, data)
        assert {"field": "name", "old": None, "new": name} in data[0]["changes"]
        assert name in result.stdout and "->" not in result.stdout
        others = set(ids.values()) - {name}
        assert not any(other in result.stdout for other in others)


def test_history_follows_a_record_by_its_name_not_by_similarity(
        empty_repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A record moved to a subfolder is followed by its file name (its ID), also when it
    is edited in the same commit (no similarity needed); a copy of an older record under
    a new ID is a new record whose history starts with its own creation."""
    root = empty_repo
    old = write_record(root, "families/f0000000a.yaml", FAMILY)
    when(monkeypatch, "2025-01-10T10:00:00+01:00")
    commit_all(root, "family a")
    write_record(root, "families/f0000000b.yaml", FAMILY.replace("Leuven", "Herent"))
    when(monkeypatch, "2025-01-11T10:00:00+01:00")
    commit_all(root, "family b: a copy of a")
    (root / "records" / "families" / "archive").mkdir()
    moved = root / "records" / "families" / "archive" / "f0000000a.yaml"
    moved.write_text("schema_version: 1\nlocation: leuven\nmunicipality: Kessel-Lo\n"
                     "languages: [fr]\nreferrals:\n- date: 2025-01-10\n"
                     "  referrer: self\n")
    old.unlink()
    when(monkeypatch, "2025-01-12T10:00:00+01:00")
    commit_all(root, "a: moved and rewritten")
    revs = record_history(root, "records/families/archive/f0000000a.yaml")
    assert [(r.subject, r.state, r.path) for r in revs] == [
        ("family a", "created", "records/families/f0000000a.yaml"),
        ("a: moved and rewritten", "changed", "records/families/archive/f0000000a.yaml")]
    assert FieldChange("municipality", "Leuven", "Kessel-Lo") in revs[1].changes
    revs = record_history(root, "records/families/f0000000b.yaml")
    assert [(r.subject, r.state) for r in revs] == [("family b: a copy of a", "created")]
    assert FieldChange("municipality", None, "Herent") in revs[0].changes


def test_history_escapes_control_characters(empty_repo: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """A name with escape sequences typed by hand into a file (YAML escapes) is shown
    escaped by `hs history` in every format; JSON keeps the data."""
    root = empty_repo
    path = write_record(root, "families/f0000000a.yaml", FAMILY)
    commit_all(root, "family")
    edit(path, "municipality: Leuven\n",
         'municipality: Leuven\nname: "Jan\\e]0;pwned\\a\\e[2J\\x9b"\n')
    commit_all(root, "hand edit")
    monkeypatch.setenv("HS_REPO", str(root))
    for fmt in ("table", "plain", "markdown", "csv", "json"):
        result = CliRunner().invoke(app, ["history", "f0000000a", "-f", fmt])
        assert result.exit_code == 0, result.stderr
        assert not any(c in result.stdout for c in "\x1b\x07\x9b"), (fmt, result.stdout)
        if fmt == "json":
            assert json.loads(result.stdout)[1]["changes"] == [
                {"field": "name", "old": None, "new": "Jan\x1b]0;pwned\x07\x1b[2J\x9b"}]
        else:
            assert "Jan\\e]0;pwned\\x07\\e[2J\\x9b" in result.stdout, (fmt, result.stdout)
