"""Volunteer events and dated signals through the workflow (hs.app.events): one commit a
command, the training map written with the attendance, refusals that change nothing, the
central office's events in a repository without locations, the signals migration."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from hs.app import events as ev
from hs.app import workflow as wf
from hs.base.errors import TransitionError, UnknownCode, UsageError, WriteRejected
from hs.store.repo import Repo, open_repo
from tests.conftest import DATA, commit_all, git, init_git, write_record


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


@pytest.fixture
def repo(empty_repo: Path, today: str) -> Repo:
    return open_repo(empty_repo)


def volunteer(repo: Repo, joined: str | None = "2025-01-06",
              checked: str = "2024-12-01") -> str:
    out = wf.add_volunteer(repo, "leuven", "f", 1980, joined=d(joined) if joined else None,
                           checked=d(checked))
    assert out.created_id is not None
    return out.created_id


def commits(root: Path) -> int:
    return int(git(root, "rev-list", "--count", "HEAD"))


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted((root / "records").rglob("*")) if p.is_file()}


def test_an_event_is_a_file_of_its_own(repo: Repo) -> None:
    out = ev.add_event(repo, "info-session", d("2025-02-03"), location="leuven",
                       theme="Kennismaking", count=4)
    eid = out.created_id
    assert eid is not None and eid[0] == "e" and len(eid) == 9
    assert out.files == (f"records/events/{eid}.yaml",)
    assert (repo.root / out.files[0]).read_text() == (
        "# yaml-language-server: $schema=../../schemas/event.schema.json\n"
        "schema_version: 1\nkind: info-session\ndate: 2025-02-03\nlocation: leuven\n"
        "theme: Kennismaking\nanonymous: 4\n")
    assert out.recorded == "committed"
    assert git(repo.root, "log", "-1", "--format=%s") == (
        f"event {eid} added: info-session on 2025-02-03\n")


def test_attending_a_module_writes_the_step_into_training_in_the_same_commit(
        repo: Repo) -> None:
    a, b = volunteer(repo), volunteer(repo)
    eid = ev.add_event(repo, "module", d("2025-03-01"), location="leuven",
                       step="module-attitude").created_id
    assert eid is not None
    before = commits(repo.root)
    out = ev.attend(repo, eid, [a, b[:5]])
    assert commits(repo.root) == before + 1
    assert set(out.files) == {f"records/events/{eid}.yaml", f"records/volunteers/{a}.yaml",
                              f"records/volunteers/{b}.yaml"}
    assert out.summary == f"event {eid}: 2 attendances recorded"
    repo.refresh()
    row = repo.index.events[eid]
    assert row.attendees == (a, b)
    for vid in (a, b):
        assert repo.index.volunteers[vid].training == {"module-attitude": d("2025-03-01")}
    # a wrong attendance goes in one command, with the step it wrote
    out = ev.unattend(repo, eid, b)
    repo.refresh()
    assert repo.index.events[eid].attendees == (a,)
    assert repo.index.volunteers[b].training == {}
    assert "training" not in (repo.root / f"records/volunteers/{b}.yaml").read_text()
    assert commits(repo.root) == before + 2


def test_a_step_recorded_on_another_day_is_kept_with_a_warning(repo: Repo) -> None:
    a = volunteer(repo)
    wf.train_volunteer(repo, a, "module-attitude", d("2025-02-01"))
    eid = ev.add_event(repo, "module", d("2025-03-01"), location="leuven",
                       step="module-attitude").created_id
    assert eid is not None
    out = ev.attend(repo, eid, [a])
    assert out.warnings == (f"volunteer {a}: training module-attitude was recorded on "
                            "2025-02-01; kept (the event is on 2025-03-01)",)
    assert out.files == (f"records/events/{eid}.yaml",)


def test_attendance_is_refused_whole_when_one_volunteer_cannot_have_attended(
        repo: Repo) -> None:
    a = volunteer(repo)
    late = volunteer(repo, joined="2025-05-01", checked="2025-04-20")
    stopped = volunteer(repo, joined="2024-01-08")
    wf.stop_volunteer(repo, stopped, d("2025-02-28"), "personal")
    eid = ev.add_event(repo, "intervision", d("2025-03-10"), location="leuven").created_id
    assert eid is not None
    before = snapshot(repo.root)
    with pytest.raises(TransitionError, match=f"volunteer {stopped} had stopped on "
                       "2025-02-28, before the event on 2025-03-10"):
        ev.attend(repo, eid, [a, stopped])
    with pytest.raises(TransitionError, match=f"volunteer {late} was not registered yet "
                       "on 2025-03-10"):
        ev.attend(repo, eid, [late])
    with pytest.raises(TransitionError, match="already listed"):
        ev.attend(repo, eid, [a, a])
    with pytest.raises(UsageError):
        ev.attend(repo, eid, [])
    assert snapshot(repo.root) == before
    # an info session may come before anything else in the record
    info = ev.add_event(repo, "info-session", d("2025-03-10"), location="leuven").created_id
    assert info is not None
    ev.attend(repo, info, [late])


def test_an_info_session_is_the_training_step_and_training_may_come_before_registration(
        repo: Repo) -> None:
    vid = wf.add_volunteer(repo, "leuven", "f", 1980, checked=d("2025-04-01"),
                           registered=d("2025-04-01")).created_id
    assert vid is not None
    info = ev.add_event(repo, "info-session", d("2025-03-01"), location="leuven").created_id
    module = ev.add_event(repo, "module", d("2025-03-08"), location="leuven",
                          step="module-attitude").created_id
    meeting = ev.add_event(repo, "intervision", d("2025-02-20"),
                           location="leuven").created_id
    assert info is not None and module is not None and meeting is not None
    out = ev.attend(repo, info, [vid])
    assert set(out.files) == {f"records/events/{info}.yaml", f"records/volunteers/{vid}.yaml"}
    ev.attend(repo, module, [vid])  # before the registration: training, accepted
    repo.refresh()
    assert repo.index.volunteers[vid].training == {"info-session": d("2025-03-01"),
                                                   "module-attitude": d("2025-03-08")}
    with pytest.raises(TransitionError) as caught:  # not training: refused, fix named
        ev.attend(repo, meeting, [vid])
    assert str(caught.value) == (
        f"event {meeting}: volunteer {vid} was not registered yet on 2025-02-20 (first "
        f"date in the record: 2025-03-01) (if they registered earlier: hs edit {vid}, "
        "field registered)")
    ev.unattend(repo, info, vid)  # the step goes with the attendance
    repo.refresh()
    assert repo.index.volunteers[vid].training == {"module-attitude": d("2025-03-08")}


def test_bad_events_are_refused(repo: Repo) -> None:
    before = snapshot(repo.root)
    with pytest.raises(UsageError, match="a start-training module needs --step"):
        ev.add_event(repo, "module", d("2025-03-01"), location="leuven")
    with pytest.raises(UsageError, match="--step is for a start-training module"):
        ev.add_event(repo, "intervision", d("2025-03-01"), step="module-attitude")
    with pytest.raises(UnknownCode, match="'modull' is not a code of"):
        ev.add_event(repo, "modull", d("2025-03-01"))
    with pytest.raises(UnknownCode, match="'module-juggling'"):
        ev.add_event(repo, "module", d("2025-03-01"), step="module-juggling")
    with pytest.raises(UsageError, match="--count must be 0 to 10000"):
        ev.add_event(repo, "info-session", d("2025-03-01"), count=-1)
    with pytest.raises(TransitionError, match="is after today"):
        ev.add_event(repo, "online", d("2026-01-05"))
    assert snapshot(repo.root) == before


def central_repo(root: Path) -> Repo:
    """The central office's own records repository: no location, no family."""
    (root / "records").mkdir(parents=True)
    shutil.copy(DATA / "vocabularies.yaml", root / "records" / "vocabularies.yaml")
    shutil.copy(DATA / "config.yaml", root / "records" / "config.yaml")
    init_git(root)
    commit_all(root, "central office records")
    return open_repo(root)


def test_the_central_office_records_its_online_sessions_without_a_location(
        tmp_path: Path, today: str) -> None:
    repo = central_repo(tmp_path / "central")
    out = ev.add_event(repo, "online", d("2025-04-01"), theme="Nieuwsbrief", count=40)
    assert out.recorded == "committed"
    repo.refresh()
    assert [(e.kind, e.location, e.anonymous) for e in repo.index.events.values()] == [
        ("online", None, 40)]


def test_a_signal_is_a_dated_entry_kept_in_date_order(repo: Repo) -> None:
    fid = wf.refer_family(repo, d("2025-01-06"), "caw", location="leuven").created_id
    assert fid is not None
    ev.signal(repo, fid, "housing", d("2025-03-01"), "Waits for a social rent")
    out = ev.signal(repo, fid, "childcare", d("2025-02-01"))
    assert out.subject == f"family {fid}: signal childcare on 2025-02-01"
    assert "social rent" not in git(repo.root, "log", "--format=%B")
    text = (repo.root / f"records/families/{fid}.yaml").read_text()
    assert text.endswith("signals:\n- date: 2025-02-01\n  theme: childcare\n"
                         "- date: 2025-03-01\n  theme: housing\n"
                         "  note: Waits for a social rent\n")
    repo.refresh()
    assert [(s.date, s.theme) for s in repo.index.families[fid].signals] == [
        (d("2025-02-01"), "childcare"), (d("2025-03-01"), "housing")]
    with pytest.raises(UnknownCode, match="'hausing' is not a code of signal themes"):
        ev.signal(repo, fid, "hausing", d("2025-03-01"))


OLD_FAMILY = """\
# yaml-language-server: $schema=../../schemas/family.schema.json
schema_version: 1
location: leuven
referrals:
- date: 2024-03-01
  referrer: caw
  decisions:
  - date: 2024-03-05
    decision: withdrawn
    reason: moved
- date: 2025-02-10   # came back
  referrer: ocmw
signals: [housing, childcare]  # seen at intake
note: Keep this comment and this note.
"""


def test_migrate_dates_the_old_signal_codes_at_the_current_referral(repo: Repo) -> None:
    write_record(repo.root, "families/f0000000a.yaml", OLD_FAMILY)
    commit_all(repo.root, "an older record")
    repo.refresh()
    assert "f0000000a" not in repo.index.families  # the old form is invalid now
    out = ev.migrate(repo)
    assert out is not None
    assert out.files == ("records/families/f0000000a.yaml",)
    assert out.subject == "signals of 1 family record dated (migrated)"
    text = (repo.root / "records/families/f0000000a.yaml").read_text()
    assert text == OLD_FAMILY.replace(
        "signals: [housing, childcare]  # seen at intake\n",
        "signals:                       # seen at intake\n"  # the comment stays put
        "- date: 2025-02-10\n  theme: housing\n  migrated: true\n"
        "- date: 2025-02-10\n  theme: childcare\n  migrated: true\n")
    repo.refresh()
    fam = repo.index.families["f0000000a"]
    assert [(s.date, s.theme) for s in fam.signals] == [(d("2025-02-10"), "housing"),
                                                        (d("2025-02-10"), "childcare")]
    assert ev.migrate(repo) is None  # nothing left to do


def test_migrate_warns_about_rules_the_old_file_hid_and_refuses_a_bad_form(
        repo: Repo) -> None:
    hidden = OLD_FAMILY.replace("  decisions:\n  - date: 2024-03-05\n    decision: withdrawn\n"
                                "    reason: moved\n", "")
    write_record(repo.root, "families/f0000000a.yaml", hidden)
    commit_all(repo.root, "an older record with a problem of its own")
    out = ev.migrate(repo)
    assert out is not None and out.recorded == "committed"
    assert len(out.warnings) == 1
    assert out.warnings[0].startswith("records/families/f0000000a.yaml: a new referral on "
                                      "2025-02-10 while the referral above it has no "
                                      "decision yet")
    write_record(repo.root, "families/f0000000b.yaml",
                 OLD_FAMILY.replace("[housing, childcare]", "[housing, 7]"))
    before = snapshot(repo.root)
    with pytest.raises(WriteRejected, match=r"records/families/f0000000b\.yaml:"):
        ev.migrate(repo)
    assert snapshot(repo.root) == before
