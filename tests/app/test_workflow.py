"""The workflow core (hs.app.workflow), called directly: transitions, refusals, warnings,
the re-check with the tree rules, writing and rolling back, and the splice that keeps a
file's untouched lines."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from hs.app import workflow as wf
from hs.base.errors import (
    AmbiguousId,
    GitError,
    InvalidRecord,
    TransitionError,
    UnknownCode,
    UsageError,
    WriteRejected,
)
from hs.rules.lifecycle import family_status, volunteer_status
from hs.store.repo import Repo, open_repo
from tests.conftest import ROOT, git, write_record

D = dt.date


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


@pytest.fixture
def repo(empty_repo: Path) -> Repo:
    return open_repo(empty_repo)


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted((root / "records").rglob("*")) if p.is_file()}


def family(repo: Repo, day: str = "2025-01-06", accept: str | None = "2025-01-10",
           **options: Any) -> str:
    out = wf.refer_family(repo, d(day), options.pop("referrer", "kind-en-gezin"),
                          location="leuven", **options)
    fid = out.created_id
    assert fid is not None
    if accept:
        wf.accept_family(repo, fid, d(accept))
    return fid


def volunteer(repo: Repo, joined: str | None = "2024-06-01", checked: str | None = "2024-05-01",
              **options: Any) -> str:
    out = wf.add_volunteer(repo, "leuven", options.pop("gender", "f"),
                           options.pop("birth_year", 1975),
                           joined=d(joined) if joined else None,
                           checked=d(checked) if checked else None, **options)
    assert out.created_id is not None
    return out.created_id


def trajectory(repo: Repo, fid: str, vid: str, day: str = "2025-02-01",
               kind: str = "buddy") -> str:
    out = wf.start_trajectory(repo, fid, vid, d(day), kind=kind)
    assert out.created_id is not None
    return out.created_id


def text(repo: Repo, rid: str) -> str:
    rel = repo.index.paths[rid]
    return (repo.root / rel).read_text()


# --- families --------------------------------------------------------------------------


def test_refer_writes_a_new_family_file_and_commits_it(repo: Repo) -> None:
    out = wf.refer_family(repo, d("2025-01-06"), "kind-en-gezin", location="leuven",
                          name="Family Peeters", municipality="Leuven",
                          children=["2023-05"], expecting="2025-06",
                          languages=["nl", "ar"], flags=["single-parent"],
                          parent_birth_years=[1995])
    fid = out.created_id
    assert fid is not None and fid.startswith("f") and len(fid) == 9
    assert out.recorded == "committed" and out.commit
    assert out.files == (f"records/families/{fid}.yaml",)
    assert text(repo, fid) == (
        "# yaml-language-server: $schema=../../schemas/family.schema.json\n"
        "schema_version: 1\n"
        "location: leuven\n"
        "name: Family Peeters\n"
        "municipality: Leuven\n"
        "household:\n"
        "  parent_birth_years: [1995]\n"
        "children:\n"
        "- born: 2023-05\n"
        "languages: [nl, ar]\n"
        "flags: [single-parent]\n"
        "referrals:\n"
        "- date: 2025-01-06\n"
        "  referrer: kind-en-gezin\n"
        "  expecting: 2025-06\n")
    assert out.subject == f"family {fid}: referred (kind-en-gezin)"
    assert "Peeters" not in git(repo.root, "log", "-1", "--format=%B")


def test_accept_refuse_withdraw(repo: Repo) -> None:
    a = family(repo)
    fam = repo.index.families[a]
    assert family_status(repo.index, fam, d("2025-01-20")) == "waiting"
    b = family(repo, accept=None)
    wf.refuse_family(repo, b, d("2025-01-12"), "outside-target-group")
    assert wf.family_state(repo.index, repo.index.families[b]).status == "refused"
    c = family(repo)
    out = wf.withdraw_family(repo, c, d("2025-02-01"), "moved")
    assert out.subject == f"family {c}: withdrawn (moved)"
    st = wf.family_state(repo.index, repo.index.families[c])
    assert (st.status, st.since) == ("withdrawn", d("2025-02-01"))
    assert text(repo, c).endswith(
        "  decisions:\n"
        "  - date: 2025-01-10\n"
        "    decision: accepted\n"
        "  - date: 2025-02-01\n"
        "    decision: withdrawn\n"
        "    reason: moved\n")


def test_decision_refusals(repo: Repo) -> None:
    a = family(repo)
    with pytest.raises(TransitionError, match="already accepted on 2025-01-10"):
        wf.accept_family(repo, a, d("2025-01-11"))
    with pytest.raises(TransitionError, match="can only be withdrawn"):
        wf.refuse_family(repo, a, d("2025-01-11"), "other")
    b = family(repo, accept=None)
    with pytest.raises(TransitionError, match="before the referral"):
        wf.accept_family(repo, b, d("2025-01-01"))
    v = volunteer(repo)
    trajectory(repo, a, v)
    with pytest.raises(TransitionError, match=r"is in trajectory t\w+ \(since 2025-02-01\)"):
        wf.refuse_family(repo, a, d("2025-03-01"), "other")
    with pytest.raises(TransitionError, match="close the trajectory instead"):
        wf.withdraw_family(repo, a, d("2025-03-01"), "moved")
    wf.refuse_family(repo, b, d("2025-01-20"), "needs-other-help")
    with pytest.raises(TransitionError, match="was refused on 2025-01-20"):
        wf.withdraw_family(repo, b, d("2025-02-01"), "moved")


def test_codes_are_checked_with_a_suggestion(repo: Repo) -> None:
    b = family(repo, accept=None)
    with pytest.raises(UnknownCode) as err:
        wf.refuse_family(repo, b, d("2025-01-20"), "outside-targt")
    msg = str(err.value)
    assert "did you mean 'outside-target-group'?" in msg
    assert "valid: outside-target-group, needs-other-help, referred-on, other" in msg
    with pytest.raises(UnknownCode, match="referrers"):
        wf.refer_family(repo, d("2025-01-01"), "kind-en-gezn", location="leuven")
    with pytest.raises(UnknownCode, match="profile flags"):
        wf.refer_family(repo, d("2025-01-01"), "self", location="leuven", flags=["singel"])
    with pytest.raises(UsageError, match="not a month"):
        wf.refer_family(repo, d("2025-01-01"), "self", location="leuven",
                        children=["2023-13"])
    with pytest.raises(UsageError, match="ISO 639"):
        wf.refer_family(repo, d("2025-01-01"), "self", location="leuven",
                        languages=["Klingon"])


def test_new_referral_only_after_the_previous_one_ended(repo: Repo) -> None:
    a = family(repo)
    with pytest.raises(TransitionError, match="has not ended"):
        wf.refer_family(repo, d("2025-03-01"), "self", family=a)
    v = volunteer(repo)
    t = trajectory(repo, a, v)
    wf.close_trajectory(repo, t, d("2025-12-20"), "goals-reached")
    with pytest.raises(TransitionError, match=r"is before trajectory .* closed \(2025-12-20\)"):
        wf.refer_family(repo, d("2025-12-01"), "self", family=a)
    out = wf.refer_family(repo, d("2026-02-01"), "caw", family=a[:4], children=["2026-01"],
                          languages=["fr"])
    assert out.created == () and out.records == (a,)
    assert out.subject == f"family {a}: referred again (caw)"
    fam = repo.index.families[a]
    assert len(fam.referrals) == 2 and fam.children == ("2026-01",)
    assert fam.languages == ("fr",)
    assert wf.family_state(repo.index, fam).status == "referred"
    wf.accept_family(repo, a, d("2026-02-03"))
    t2 = trajectory(repo, a, v, "2026-02-10")
    assert repo.index.trajectories[t2].start == d("2026-02-10")


# --- volunteers -------------------------------------------------------------------------


def test_volunteer_candidate_training_activation(repo: Repo) -> None:
    v = volunteer(repo, joined=None, name="Ann Claes", languages=["nl", "fr"],
                  roles=["buddy", "starter"], availability=["mon-am", "thu-pm"],
                  capacity=2, preferences=["perinatal"])
    vol = repo.index.volunteers[v]
    assert volunteer_status(vol, d("2025-01-01")) == "candidate"
    with pytest.raises(TransitionError, match="required training: info-session, "
                       "module-resilience, module-attitude, module-network, get-to-know"):
        wf.activate_volunteer(repo, v, d("2025-01-01"))
    for step in ("info-session", "module-resilience", "module-attitude", "module-network"):
        wf.train_volunteer(repo, v, step, d("2024-11-01"))
    with pytest.raises(TransitionError, match=r"training: get-to-know \("):
        wf.activate_volunteer(repo, v, d("2025-01-01"))
    with pytest.raises(UnknownCode, match="did you mean 'get-to-know'"):
        wf.train_volunteer(repo, v, "get-to-knw", d("2024-12-01"))
    wf.train_volunteer(repo, v, "get-to-know", d("2024-12-01"))
    out = wf.activate_volunteer(repo, v, d("2025-01-01"))
    assert out.subject == f"volunteer {v}: activated"
    assert volunteer_status(repo.index.volunteers[v], d("2025-01-01")) == "active"
    with pytest.raises(TransitionError, match="already active"):
        wf.activate_volunteer(repo, v, d("2025-02-01"))
    assert "training:\n  info-session: 2024-11-01\n" in text(repo, v)


def test_activate_force_stop_and_return(repo: Repo) -> None:
    v = volunteer(repo, joined=None)
    out = wf.activate_volunteer(repo, v, d("2025-01-01"), force=True)
    assert any("without the required training" in w for w in out.warnings)
    with pytest.raises(UnknownCode, match="stop reasons"):
        wf.stop_volunteer(repo, v, d("2025-03-01"), "bored")
    with pytest.raises(TransitionError, match="before that"):
        wf.stop_volunteer(repo, v, d("2024-12-01"), "work")
    wf.stop_volunteer(repo, v, d("2025-03-01"), "work")
    assert volunteer_status(repo.index.volunteers[v], d("2025-03-02")) == "stopped"
    with pytest.raises(TransitionError, match="stopped on 2025-03-01"):
        wf.stop_volunteer(repo, v, d("2025-04-01"), "work")
    with pytest.raises(TransitionError, match="must start after"):
        wf.activate_volunteer(repo, v, d("2025-03-01"), force=True)
    out = wf.activate_volunteer(repo, v, d("2025-09-01"), force=True)
    assert out.subject == f"volunteer {v}: active again"
    periods = repo.index.volunteers[v].periods
    assert [(p.start, p.end, p.stop_reason) for p in periods] == [
        (d("2025-01-01"), d("2025-03-01"), "work"), (d("2025-09-01"), None, None)]


def test_check_is_recorded_and_not_moved_back(repo: Repo) -> None:
    v = volunteer(repo, checked=None)
    wf.check_volunteer(repo, v, d("2025-01-15"))
    assert repo.index.volunteers[v].check_date == d("2025-01-15")
    with pytest.raises(TransitionError, match="later check"):
        wf.check_volunteer(repo, v, d("2024-01-15"))


def test_stop_warns_when_still_assigned(repo: Repo) -> None:
    v = volunteer(repo)
    t = trajectory(repo, family(repo), v)
    out = wf.stop_volunteer(repo, v, d("2025-05-31"), "health")
    assert out.warnings == (
        f"volunteer {v} is still the volunteer of trajectory {t}; replace them "
        f"(hs replace {t} VOL) or close it",)


# --- trajectories -----------------------------------------------------------------------


def test_start_refusals(repo: Repo) -> None:
    v = volunteer(repo)
    referred = family(repo, accept=None)
    with pytest.raises(TransitionError, match="accept it first"):
        wf.start_trajectory(repo, referred, v, d("2025-02-01"))
    a = family(repo)
    with pytest.raises(TransitionError, match=r"before family .* was accepted"):
        wf.start_trajectory(repo, a, v, d("2025-01-08"))
    candidate = volunteer(repo, joined=None)
    with pytest.raises(TransitionError, match=r"candidate|only active"):
        wf.start_trajectory(repo, a, candidate, d("2025-02-01"))
    stopped = volunteer(repo)
    wf.stop_volunteer(repo, stopped, d("2025-01-31"), "moved")
    with pytest.raises(TransitionError, match="stopped on 2025-01-31"):
        wf.start_trajectory(repo, a, stopped, d("2025-02-01"))
    with pytest.raises(UnknownCode, match="trajectory kinds"):
        wf.start_trajectory(repo, a, v, d("2025-02-01"), kind="buddie")
    trajectory(repo, a, v)
    with pytest.raises(TransitionError, match="already supports 1 family on"):
        wf.start_trajectory(repo, family(repo), v, d("2025-03-01"))
    with pytest.raises(TransitionError, match="is in trajectory"):
        wf.start_trajectory(repo, a, volunteer(repo), d("2025-03-01"))


def test_start_warns_on_missing_or_expired_check(repo: Repo) -> None:
    old = volunteer(repo, checked="2021-01-10")
    out = wf.start_trajectory(repo, family(repo), old, d("2025-02-01"))
    assert out.warnings == (f"the criminal-record check of volunteer {old} (2021-01-10) "
                            "expired on 2024-01-10 (36 months)",)
    none = volunteer(repo, checked=None)
    out = wf.start_trajectory(repo, family(repo), none, d("2025-02-01"))
    assert out.warnings == (f"volunteer {none} has no criminal-record check recorded",)
    assert out.recorded == "committed"


def test_starter_ends_when_the_buddy_trajectory_starts(repo: Repo) -> None:
    a = family(repo)
    s_vol = volunteer(repo, roles=["starter"])
    b_vol = volunteer(repo)
    starter = trajectory(repo, a, s_vol, "2025-01-15", kind="starter")
    wf.record_visit(repo, starter, d("2025-01-20"))
    with pytest.raises(TransitionError, match="already has starter trajectory"):
        wf.start_trajectory(repo, a, b_vol, d("2025-01-21"), kind="starter")
    with pytest.raises(TransitionError, match="has visits after 2025-01-18"):
        wf.start_trajectory(repo, a, b_vol, d("2025-01-18"))
    head = git(repo.root, "rev-parse", "HEAD")
    out = wf.start_trajectory(repo, a, b_vol, d("2025-03-01"))
    buddy = out.created_id
    assert buddy is not None
    assert out.records == (buddy, a, b_vol, starter)
    assert set(out.files) == {f"records/trajectories/{buddy}.yaml",
                              f"records/trajectories/{starter}.yaml"}
    assert any("reason 'other'" in w for w in out.warnings)
    assert git(repo.root, "rev-list", "--count", f"{head.strip()}..HEAD").strip() == "1"
    assert sorted(git(repo.root, "show", "--name-only", "--format=", "HEAD").split()) == \
        sorted(out.files)
    row = repo.index.trajectories[starter]
    assert (row.end, row.close_reason) == (d("2025-03-01"), "other")
    assert family_status(repo.index, repo.index.families[a], d("2025-03-01")) == \
        "in-trajectory"


def test_starter_hand_over_uses_a_proposed_code_when_the_vocabulary_has_it(
        empty_repo: Path) -> None:
    voc = empty_repo / "records" / "vocabularies.yaml"
    voc.write_text(voc.read_text().replace(
        "  volunteer-stopped: {nl: Vrijwilliger stopt, en: The volunteer stopped}\n",
        "  volunteer-stopped: {nl: Vrijwilliger stopt, en: The volunteer stopped}\n"
        "  support-started: {nl: Gezinsbuddy gestart, en: Buddy support started}\n"))
    repo = open_repo(empty_repo)
    a = family(repo)
    starter = trajectory(repo, a, volunteer(repo, roles=["starter"]), "2025-01-15",
                         kind="starter")
    out = wf.start_trajectory(repo, a, volunteer(repo), d("2025-03-01"))
    assert out.warnings == ()
    assert repo.index.trajectories[starter].close_reason == "support-started"


def test_visits_are_kept_in_date_order_and_within_the_trajectory(repo: Repo) -> None:
    t = trajectory(repo, family(repo), volunteer(repo))
    wf.record_visit(repo, t, d("2025-02-10"), minutes=90)
    wf.record_visit(repo, t, d("2025-02-03"), note="first visit")
    out = wf.record_visit(repo, t, d("2025-02-10"))
    assert out.warnings == (f"trajectory {t} already has a visit on 2025-02-10",)
    assert text(repo, t).endswith(
        "visits:\n"
        "- date: 2025-02-03\n"
        "  note: first visit\n"
        "- date: 2025-02-10\n"
        "  minutes: 90\n"
        "- date: 2025-02-10\n")
    with pytest.raises(TransitionError, match="a visit on 2025-01-31 is before trajectory"):
        wf.record_visit(repo, t, d("2025-01-31"))
    wf.close_trajectory(repo, t, d("2025-06-30"), "moved")
    with pytest.raises(TransitionError, match=r"is after trajectory .* closed"):
        wf.record_visit(repo, t, d("2025-07-01"))


def test_review_kinds_and_scores(repo: Repo) -> None:
    t = trajectory(repo, family(repo), volunteer(repo))
    row = repo.index.trajectories[t]
    assert wf.default_review_kind(repo.index, row, d("2025-02-20")) == "start"
    assert wf.default_review_kind(repo.index, row, d("2025-08-01")) == "six-month"
    assert wf.default_review_kind(repo.index, row, d("2026-01-20")) == "closing"
    out = wf.record_review(repo, t, d("2025-02-20"), scores={"network": 2, "housing": 3})
    assert out.subject == f"trajectory {t}: review (start)"
    assert repo.index.trajectories[t].impact_start == {"network": 2, "housing": 3}
    wf.record_review(repo, t, d("2025-08-01"), scores={"network": 3})
    assert wf.default_review_kind(repo.index, repo.index.trajectories[t],
                                  d("2025-03-01")) == "other"
    assert "- date: 2025-08-01\n  kind: six-month\n  scores:\n    network: 3\n" in \
        text(repo, t)
    with pytest.raises(UnknownCode, match="impact domains"):
        wf.record_review(repo, t, d("2025-09-01"), scores={"netwrk": 3})
    with pytest.raises(UsageError, match="between 1 and 5"):
        wf.record_review(repo, t, d("2025-09-01"), scores={"network": 6})
    with pytest.raises(UnknownCode, match="review kinds"):
        wf.record_review(repo, t, d("2025-09-01"), kind="mid")


def test_close_and_its_refusals(repo: Repo) -> None:
    t = trajectory(repo, family(repo), volunteer(repo))
    wf.record_visit(repo, t, d("2025-05-01"))
    with pytest.raises(TransitionError, match="has a visit on 2025-05-01"):
        wf.close_trajectory(repo, t, d("2025-04-30"), "moved")
    with pytest.raises(UnknownCode, match="close reasons"):
        wf.close_trajectory(repo, t, d("2025-06-30"), "done")
    out = wf.close_trajectory(repo, t, d("2026-01-31"), "goals-reached",
                              scores={"network": 4})
    assert out.subject == f"trajectory {t}: closed (goals-reached)"
    row = repo.index.trajectories[t]
    assert (row.end, row.close_reason, row.impact_end) == (
        d("2026-01-31"), "goals-reached", {"network": 4})
    with pytest.raises(TransitionError, match="already closed"):
        wf.close_trajectory(repo, t, d("2026-02-28"), "moved")
    with pytest.raises(TransitionError, match="already closed"):
        wf.extend_trajectory(repo, t, d("2026-01-15"))


def test_replace_and_extend(repo: Repo) -> None:
    first = volunteer(repo)
    second = volunteer(repo)
    t = trajectory(repo, family(repo), first)
    with pytest.raises(TransitionError, match="must start later"):
        wf.replace_volunteer(repo, t, second, d("2025-02-01"))
    with pytest.raises(TransitionError, match="already the volunteer"):
        wf.replace_volunteer(repo, t, first, d("2025-04-01"))
    out = wf.replace_volunteer(repo, t, second[:5], d("2025-04-01"))
    assert out.subject == f"trajectory {t}: volunteer {first} replaced by {second}"
    row = repo.index.trajectories[t]
    assert [(a.volunteer, a.start, a.end) for a in row.assignments] == [
        (first, d("2025-02-01"), d("2025-03-31")), (second, d("2025-04-01"), None)]
    out = wf.extend_trajectory(repo, t, d("2025-10-01"))
    assert out.warnings == (f"trajectory {t} is 242 days old; an extension is usually "
                            "decided after 358 days",)
    assert repo.index.trajectories[t].reviews[-1].kind == "extension"
    out = wf.extend_trajectory(repo, t, d("2026-02-10"))
    assert out.warnings == () and out.subject == f"trajectory {t}: extended"


def test_replace_after_the_volunteer_stopped_ends_on_their_last_day(repo: Repo) -> None:
    first = volunteer(repo)
    t = trajectory(repo, family(repo), first)
    wf.stop_volunteer(repo, first, d("2025-05-15"), "health")
    wf.replace_volunteer(repo, t, volunteer(repo), d("2025-06-02"))
    assert repo.index.trajectories[t].assignments[0].end == d("2025-05-15")
    stopped = volunteer(repo)
    wf.stop_volunteer(repo, stopped, d("2025-05-01"), "work")
    with pytest.raises(TransitionError, match="stopped on 2025-05-01"):
        wf.replace_volunteer(repo, t, stopped, d("2025-07-01"))


def test_capacity_over_time_is_caught_by_the_tree_rules(repo: Repo) -> None:
    """A start that only the rules of hs validate refuse: the volunteer is free on the day
    but has a trajectory starting later, so the new one would overlap it."""
    v = volunteer(repo)
    later = trajectory(repo, family(repo), v, "2025-06-01")
    other = family(repo)
    before = snapshot(repo.root)
    with pytest.raises(WriteRejected, match=f"records/trajectories/{later}.yaml: volunteer "
                       f"{v} has 2 families on 2025-06-01; capacity is 1"):
        wf.start_trajectory(repo, other, v, d("2025-03-01"))
    assert snapshot(repo.root) == before
    assert git(repo.root, "status", "--porcelain") == ""


def test_a_write_makes_only_the_rows_it_reads(repo: Repo) -> None:
    """On a warm cache a change makes the rows of the records around it, not every row:
    the volunteer's other trajectory (read through the cached tuples) is re-checked all the
    same, and the capacity is still enforced."""
    v = volunteer(repo, capacity=2)
    first = trajectory(repo, family(repo), v, "2025-02-01")
    trajectory(repo, family(repo), v, "2025-03-01")
    bystanders = [family(repo) for _ in range(3)]
    fresh = open_repo(repo.root)
    fresh.load()  # the cache brought up to date; the plan reads it again, as a process does
    p = wf.Plan(fresh)
    wf.plan_record_visit(p, first, d("2025-04-01"))
    assert wf.check_plan(p) == []
    assert not any(p.index.rows_made(kind) for kind in ("family", "volunteer", "trajectory"))
    with pytest.raises(TransitionError, match=f"volunteer {v} already supports 2 families "
                       r"on 2025-05-01 \(capacity 2\)"):
        wf.start_trajectory(open_repo(repo.root), bystanders[0], v, d("2025-05-01"))


def test_a_write_decodes_only_the_chunks_of_the_rows_it_reads(repo: Repo) -> None:
    """On a warm cache a visit reads its trajectory, the family, the volunteers and their
    trajectories by ID from the cache's chunks, and the trajectories' links from the part's
    head: no part of families, volunteers or trajectories is decoded whole (at 50,000
    records that took 0.1 s), also with the journal holding changes of those parts."""
    v = volunteer(repo, capacity=2)
    first = trajectory(repo, family(repo), v, "2025-02-01")
    trajectory(repo, family(repo), v, "2025-03-01")
    wf.record_visit(repo, first, d("2025-03-10"))  # the journal holds a trajectory's change
    open_repo(repo.root).load()
    fresh = open_repo(repo.root)
    with fresh.lock():
        p = wf.Plan(fresh)
        change = wf.plan_record_visit(p, first, d("2025-04-01"))
        assert wf.check_plan(p) == []
        out = wf.apply(p, change)
    assert out.recorded == "committed"
    assert not any(p.index.decoded(kind) for kind in ("family", "volunteer", "trajectory"))


# --- locations, IDs, not in git, rollback -------------------------------------------------


def test_location_add_and_stop(repo: Repo) -> None:
    out = wf.add_location(repo, "herent", "Home-Start Herent", ["Herent", "Veltem"],
                          d("2024-01-01"), partner="StapSteen", fte=0.5)
    assert out.created == ("herent",)
    assert (repo.root / "records/locations/herent.yaml").read_text() == (
        "# yaml-language-server: $schema=../../schemas/location.schema.json\n"
        "schema_version: 1\n"
        "name: Home-Start Herent\n"
        "municipalities: [Herent, Veltem]\n"
        "partner: StapSteen\n"
        "active_from: 2024-01-01\n"
        "fte: 0.5\n")
    with pytest.raises(TransitionError, match="already exists"):
        wf.add_location(repo, "herent", "x", ["x"], d("2024-01-01"))
    with pytest.raises(UsageError, match="not a valid location code"):
        wf.add_location(repo, "Herent!", "x", ["x"], d("2024-01-01"))
    with pytest.raises(TransitionError, match="before"):
        wf.stop_location(repo, "herent", d("2023-12-31"))
    out = wf.stop_location(repo, "herent", d("2025-12-31"))
    assert out.subject == "location herent: stopped on 2025-12-31"
    assert repo.index.locations["herent"].active_until == d("2025-12-31")
    with pytest.raises(TransitionError, match="already stopped"):
        wf.stop_location(repo, "herent", d("2026-01-31"))


def test_id_prefixes_and_ambiguity(repo: Repo) -> None:
    a = family(repo)
    t = trajectory(repo, a, volunteer(repo))
    wf.record_visit(repo, t[:3], d("2025-02-03"))
    assert repo.index.trajectories[t].visit_days == (d("2025-02-03").toordinal(),)
    write_record(repo.root, f"trajectories/{t[:4]}zzzzz.yaml", "schema_version: 1\n")
    with pytest.raises(AmbiguousId, match="type more characters"):
        wf.record_visit(repo, t[:4], d("2025-02-10"))
    with pytest.raises(InvalidRecord, match="not a valid record"):
        wf.record_visit(repo, f"{t[:4]}zzzzz", d("2025-02-10"))


def test_outside_git_it_writes_and_warns(empty_repo: Path, tmp_path: Path) -> None:
    import shutil

    plain = tmp_path / "plain"
    shutil.copytree(empty_repo / "records", plain / "records")
    repo = open_repo(plain)
    out = wf.refer_family(repo, d("2025-01-06"), "self", location="leuven")
    assert out.recorded == "not-recorded" and out.commit is None
    assert out.warnings == (f"{plain} is not a git repository: the change is written but "
                            "not recorded in git",)
    assert out.created_id in repo.index.families


def test_no_commit_stages(repo: Repo) -> None:
    head = git(repo.root, "rev-parse", "HEAD")
    out = wf.refer_family(repo, d("2025-01-06"), "self", location="leuven", commit=False)
    assert out.recorded == "staged" and out.commit is None
    assert git(repo.root, "rev-parse", "HEAD") == head
    assert git(repo.root, "status", "--porcelain").splitlines() == [
        f"A  records/families/{out.created_id}.yaml"]


def test_a_failed_commit_leaves_everything_as_it_was(repo: Repo) -> None:
    a = family(repo)
    before = snapshot(repo.root)
    hook = repo.root / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\nexit 1\n")
    hook.chmod(0o755)
    with pytest.raises(GitError, match="nothing was written"):
        wf.withdraw_family(repo, a, d("2025-02-01"), "moved")
    with pytest.raises(GitError, match="nothing was written"):
        wf.refer_family(repo, d("2025-02-01"), "self", location="leuven")
    assert snapshot(repo.root) == before
    assert git(repo.root, "status", "--porcelain") == ""


def test_user_edits_elsewhere_stay_out_of_the_commit(repo: Repo) -> None:
    a = family(repo)
    b = family(repo)
    path_b = repo.root / repo.index.paths[b]
    path_b.write_text(path_b.read_text() + "note: the coordinator's own edit\n")
    out = wf.withdraw_family(repo, a, d("2025-02-01"), "moved")
    assert git(repo.root, "show", "--name-only", "--format=", "HEAD").split() == \
        [repo.index.paths[a]]
    assert git(repo.root, "status", "--porcelain").splitlines() == [
        f" M {repo.index.paths[b]}"]
    assert out.warnings == ()


def test_uncommitted_edits_in_the_same_file_are_named(repo: Repo) -> None:
    a = family(repo)
    path = repo.root / repo.index.paths[a]
    path.write_text(path.read_text() + "note: hand edit\n")
    out = wf.withdraw_family(repo, a, d("2025-02-01"), "moved")
    assert out.warnings == (f"{repo.index.paths[a]} had changes not yet committed; they "
                            "are part of this commit",)


def test_a_record_file_git_does_not_track_is_added_and_committed(repo: Repo) -> None:
    """A write commits a tracked, clean file without ``git add`` first; a file git does
    not track (taken out of the index by hand) is added before the commit all the same,
    and nothing else staged is taken."""
    a = family(repo)
    b = family(repo)
    rel_a, rel_b = repo.index.paths[a], repo.index.paths[b]
    git(repo.root, "rm", "-q", "--cached", rel_a)
    git(repo.root, "commit", "-qm", "untrack a")
    (repo.root / "other.txt").write_text("the user's own file, staged\n")
    git(repo.root, "add", "other.txt")
    wf.withdraw_family(repo, a, d("2025-02-01"), "moved")
    assert git(repo.root, "show", "--name-only", "--format=", "HEAD").split() == [rel_a]
    wf.withdraw_family(repo, b, d("2025-02-01"), "moved")
    assert git(repo.root, "show", "--name-only", "--format=", "HEAD").split() == [rel_b]
    assert git(repo.root, "status", "--porcelain").splitlines() == ["A  other.txt"]


# --- the splice ------------------------------------------------------------------------


HAND_EDITED = """\
# yaml-language-server: $schema=../../schemas/trajectory.schema.json
# Coordinator: this family prefers visits on Thursday.
schema_version: 1
family:   {family}   # aligned by hand
kind: 'buddy'
start: 2025-02-01
volunteers:
  - volunteer: {volunteer}
    start: 2025-02-01     # first home visit with the coordinator
visits:
  - date: 2025-02-06
    minutes: 90

  - {{date: 2025-02-13, minutes: 60}}
# reviews come here
reviews: []
note: >
  folded text
  over two lines
"""


def test_splice_keeps_untouched_lines_byte_for_byte(repo: Repo) -> None:
    from hs.store.splice import splice
    from hs.store.yamlio import load_document

    old = HAND_EDITED.format(family="f00000001", volunteer="v00000001")
    doc = load_document(old)
    from ruamel.yaml.comments import CommentedMap

    doc["visits"].append(CommentedMap(date=d("2025-02-20")))
    doc["volunteers"][0]["end"] = d("2025-03-31")
    doc.insert(len(doc) - 1, "end", d("2025-12-01"))
    new = splice(old, doc)
    assert new == old.replace(
        "    start: 2025-02-01     # first home visit with the coordinator\n",
        "    start: 2025-02-01     # first home visit with the coordinator\n"
        "    end: 2025-03-31\n").replace(
        "  - {date: 2025-02-13, minutes: 60}\n",
        "  - {date: 2025-02-13, minutes: 60}\n  - date: 2025-02-20\n").replace(
        "note: >\n", "end: 2025-12-01\nnote: >\n")


@pytest.mark.slow
def test_splice_with_the_unedited_copy_is_splice(repo: Repo) -> None:
    """The unedited document handed over (what the workflow keeps, a deep copy of what it
    read) splices as reading the old text again does, on every demo trajectory."""
    import copy

    from ruamel.yaml.comments import CommentedMap

    from hs.store.splice import splice
    from hs.store.yamlio import load_document

    files = sorted((ROOT / "records" / "trajectories").glob("*.yaml"))
    assert files
    for path in files:
        old = path.read_text(encoding="utf-8")
        doc = load_document(old)
        pristine = copy.deepcopy(doc)
        doc.setdefault("visits", []).append(CommentedMap(date=d("2025-12-30")))
        assert splice(old, doc, pristine) == splice(old, doc), path.name


def test_splice_falls_back_to_ruamel_when_it_cannot_follow(repo: Repo) -> None:
    from hs.store.splice import splice
    from hs.store.yamlio import dump_document, load_document

    old = "a: 1\nlist:\n-\n    x: 1\n- y: 2\n"
    doc = load_document(old)
    doc["list"][0]["x"] = 5
    assert load_document(splice(old, doc)) == load_document(dump_document(doc))


def test_visit_on_a_hand_edited_file(repo: Repo) -> None:
    a = family(repo)
    v = volunteer(repo)
    t = trajectory(repo, a, v)
    path = repo.root / repo.index.paths[t]
    old = HAND_EDITED.format(family=a, volunteer=v)
    path.write_text(old)
    git(repo.root, "commit", "-qam", "hand edit")
    wf.record_visit(repo, t, d("2025-02-20"), minutes=75)
    assert path.read_text() == old.replace(
        "  - {date: 2025-02-13, minutes: 60}\n",
        "  - {date: 2025-02-13, minutes: 60}\n  - date: 2025-02-20\n    minutes: 75\n")


def test_every_message_has_both_languages_with_the_same_fields() -> None:
    import string

    from hs.app import importer
    from hs.store import gitops

    def fields(text: str) -> set[str]:
        return {f[1] for f in string.Formatter().parse(text) if f[1]}

    for catalog in (wf.MSG, importer.MSG, gitops.MSG):
        for key, (en, nl) in catalog.messages.items():
            # a text with a plural: its plural form takes every field
            en, nl = (en[1] if isinstance(en, tuple) else en), (
                nl[1] if isinstance(nl, tuple) else nl)
            assert en and nl, key
            assert fields(en) == fields(nl), key


def test_a_new_family_needs_a_location(repo: Repo) -> None:
    with pytest.raises(UsageError, match="--location is required"):
        wf.refer_family(repo, d("2025-01-06"), "self")


def test_a_visit_imports_neither_pydantic_nor_ruamel(repo: Repo) -> None:
    """A visit logged on a warm cache validates what it writes against the spec alone
    (no pydantic, no models: a quarter of a second of a short command) and inserts its
    lines without the round trip (no ruamel.yaml)."""
    tid = trajectory(repo, family(repo), volunteer(repo))
    wf.record_visit(repo, tid, d("2025-02-24"), minutes=60)  # the list is there
    env = {**os.environ, "HS_REPO": str(repo.root), "HS_TODAY": "2025-03-31"}
    subprocess.run([sys.executable, "-m", "hs", "validate"], env=env, check=True,
                   capture_output=True)  # warm the cache
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "hs", "visit", tid,
                           "--date", "2025-03-03"], env=env, check=True,
                          capture_output=True, text=True)
    modules = {line.rsplit("|", 1)[-1].strip() for line in proc.stderr.splitlines()}
    assert "hs.records.models" not in modules
    assert not {m for m in modules if m.startswith(("pydantic", "ruamel"))}
    assert f"trajectory {tid}: visit on 2025-03-03" in proc.stderr


def test_init_says_records_map_in_dutch(monkeypatch: pytest.MonkeyPatch) -> None:
    from hs.base import i18n

    monkeypatch.setenv("HS_LANG", "nl")
    monkeypatch.setattr(i18n, "_current", None)
    assert wf.MSG("repo.init") == "records-map aangemaakt"  # the glossary's word
    assert wf.MSG("repo.init-done", path="x") == "records-map aangemaakt in x"
