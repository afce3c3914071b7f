"""The waiting list and the due list (hs.app.agenda), tested on the core directly.

:func:`scenario` builds a small tree (used by test_views.py too) whose every family,
trajectory and volunteer is there for one rule; the expected lists below are worked out by
hand from the dates in it (day: 2025-12-31, default config: six-month review after 182
days, closing after 365, extension 182, no visit 21, undecided 14, check valid 36 months).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from hs.app.agenda import DueItem, WaitingFamily, due, due_settings, waiting_list
from hs.records.index import Index, ReviewRow
from hs.rules.lifecycle import family_status
from hs.store.load import load_tree
from tests.conftest import commit_all, write_record

DAY = dt.date(2025, 12, 31)

HERENT = """\
schema_version: 1
name: Home-Start Herent
municipalities: [Herent]
active_from: 2020-01-01
"""


def family(rid: str, *, referred: str, accepted: str | None = None,
           location: str = "leuven", expecting: str | None = None,
           flags: str = "", languages: str = "[nl]", extra_decision: str = "",
           refused: str | None = None, name: str | None = None) -> tuple[str, str]:
    lines = ["schema_version: 1", f"location: {location}"]
    if name:
        lines.append(f"name: {name}")
    lines += ["municipality: Leuven" if location == "leuven" else "municipality: Herent",
              "children:", "- born: 2023-05", f"languages: {languages}"]
    if flags:
        lines.append(f"flags: [{flags}]")
    lines += ["referrals:", f"- date: {referred}", "  referrer: kind-en-gezin"]
    if expecting:
        lines.append(f"  expecting: {expecting}")
    if accepted or refused:
        lines.append("  decisions:")
    if accepted:
        lines += [f"  - date: {accepted}", "    decision: accepted"]
    if refused:
        lines += [f"  - date: {refused}", "    decision: refused",
                  "    reason: outside-target-group"]
    if extra_decision:
        lines.append(extra_decision)
    return f"families/{rid}.yaml", "\n".join(lines) + "\n"


def volunteer(rid: str, *, start: str = "2020-01-01", check: str | None = "2024-01-01",
              end: str | None = None, roles: str = "[buddy, starter, language, coach]",
              name: str | None = None) -> tuple[str, str]:
    lines = ["schema_version: 1", "location: leuven"]
    if name:
        lines.append(f"name: {name}")
    lines += ["gender: f", "birth_year: 1970", f"roles: {roles}", "capacity: 3"]
    if check:
        lines.append(f"check_date: {check}")
    lines += ["active:", f"- start: {start}"]
    if end:
        lines += [f"  end: {end}", "  stop_reason: personal"]
    return f"volunteers/{rid}.yaml", "\n".join(lines) + "\n"


def trajectory(rid: str, *, fam: str, vol: str, start: str, kind: str = "buddy",
               visits: tuple[str, ...] = (), reviews: tuple[tuple[str, str], ...] = (),
               end: str | None = None) -> tuple[str, str]:
    lines = ["schema_version: 1", f"family: {fam}", f"kind: {kind}", f"start: {start}",
             "volunteers:", f"- volunteer: {vol}", f"  start: {start}"]
    if visits:
        lines.append("visits:")
        lines += [f"- date: {v}" for v in visits]
    if reviews:
        lines.append("reviews:")
        for date, rkind in reviews:
            lines += [f"- date: {date}", f"  kind: {rkind}"]
    if end:
        lines += [f"end: {end}", "close_reason: goals-reached"]
    return f"trajectories/{rid}.yaml", "\n".join(lines) + "\n"


RECORDS = [
    # waiting, not perinatal, no starter
    family("f0000000a", referred="2025-06-01", accepted="2025-06-10", languages="[nl, ar]",
           name="Family Alpha"),
    # waiting, perinatal (expecting 2026-03), with a starter volunteer
    family("f0000000b", referred="2025-09-01", accepted="2025-09-05", expecting="2026-03",
           languages="[fr]"),
    # waiting, perinatal (expecting 2026-01: first)
    family("f0000000c", referred="2025-10-01", accepted="2025-10-02", expecting="2026-01"),
    # waiting, perinatal by flag only (after those with an expected month)
    family("f0000000d", referred="2025-10-20", accepted="2025-11-01", flags="perinatal"),
    # accepted, then a buddy trajectory: waiting only before 2025-04-01
    family("f0000000e", referred="2025-02-20", accepted="2025-03-01"),
    # referred, no decision after two weeks
    family("f0000000f", referred="2025-12-10"),
    # refused
    family("f0000000g", referred="2025-05-01", refused="2025-05-10"),
    # accepted, then withdrawn
    family("f0000000h", referred="2025-08-01", accepted="2025-08-05",
           extra_decision="  - date: 2025-11-15\n    decision: withdrawn\n    reason: moved"),
    # waiting in another location, the longest of all
    family("f0000000j", referred="2025-01-05", accepted="2025-01-15", location="herent"),
    # families of the trajectories below
    family("f0000000k", referred="2025-06-01", accepted="2025-06-10"),
    family("f0000000m", referred="2024-12-01", accepted="2024-12-10"),
    family("f0000000n", referred="2024-05-01", accepted="2024-05-10"),
    family("f0000000p", referred="2025-12-01", accepted="2025-12-05"),
    family("f0000000q", referred="2025-01-01", accepted="2025-01-10"),
    volunteer("v00000001", check="2024-01-01", name="Vera Volunteer"),
    volunteer("v00000002", start="2023-03-01", check=None),  # check missing
    volunteer("v00000003", check="2022-12-20"),  # valid until 2025-12-20: 11 days over
    volunteer("v00000004", check="2023-01-05"),  # valid until 2026-01-05: in 5 days
    volunteer("v00000005", start="2020-01-01", end="2024-12-31", check=None),  # stopped
    # buddy since 2025-04-01, six-month review done, last visit 2025-12-01: no visit
    trajectory("t00000001", fam="f0000000e", vol="v00000001", start="2025-04-01",
               visits=("2025-04-01", "2025-12-01"), reviews=(("2025-10-01", "six-month"),)),
    # buddy since 2025-06-27: six-month review due 2025-12-26
    trajectory("t00000002", fam="f0000000k", vol="v00000001", start="2025-06-27",
               visits=("2025-06-27", "2025-12-29")),
    # buddy since 2024-12-30: closing conversation due 2025-12-30
    trajectory("t00000003", fam="f0000000m", vol="v00000003", start="2024-12-30",
               visits=("2024-12-30", "2025-12-28"), reviews=(("2025-06-30", "six-month"),)),
    # coach since 2024-06-01, extended 2025-06-05: closing due 2025-12-04
    trajectory("t00000004", fam="f0000000n", vol="v00000004", start="2024-06-01",
               kind="coach", visits=("2024-06-01", "2025-12-30"),
               reviews=(("2024-12-01", "six-month"), ("2025-06-05", "extension"))),
    # starter for f0000000b: no reviews or visits are due for a starter
    trajectory("t00000005", fam="f0000000b", vol="v00000002", start="2025-09-10",
               kind="starter"),
    # language buddy since 2025-12-20, no visit yet: due 2026-01-10
    trajectory("t00000006", fam="f0000000p", vol="v00000004", start="2025-12-20",
               kind="language"),
    # closed: nothing is due
    trajectory("t00000007", fam="f0000000q", vol="v00000003", start="2025-02-01",
               end="2025-10-01"),
]


def scenario(root: Path) -> Path:
    """Write the scenario records into an empty repository and commit them."""
    write_record(root, "locations/herent.yaml", HERENT)
    for rel, text in RECORDS:
        write_record(root, rel, text)
    commit_all(root, "scenario records")
    return root


@pytest.fixture
def index(empty_repo: Path) -> Index:
    report = load_tree(scenario(empty_repo))
    assert not report.problems, report.problems
    assert not report.index.invalid
    return report.index


def _d(s: str) -> dt.date:
    return dt.date.fromisoformat(s)


# --- waiting list --------------------------------------------------------------------------


def test_waiting_list_priority_order(index: Index) -> None:
    """Perinatal with an expected month first (earliest month first), then perinatal by
    flag, then everyone else by the longest wait; other locations included."""
    got = waiting_list(index, DAY)
    assert [w.family for w in got] == ["f0000000c", "f0000000b", "f0000000d",
                                        "f0000000j", "f0000000a"]
    assert [w.rank for w in got] == [1, 2, 3, 4, 5]
    assert got[1] == WaitingFamily(2, "f0000000b", "leuven", "Leuven", _d("2025-09-01"),
                                   _d("2025-09-05"), 117, True, "2026-03", "v00000002",
                                   ("fr",))
    assert got[4] == WaitingFamily(5, "f0000000a", "leuven", "Leuven", _d("2025-06-01"),
                                   _d("2025-06-10"), 204, False, None, None, ("nl", "ar"))


def test_waiting_list_location(index: Index) -> None:
    assert [w.family for w in waiting_list(index, DAY, "herent")] == ["f0000000j"]
    assert "f0000000j" not in [w.family for w in waiting_list(index, DAY, "leuven")]


def test_waiting_list_as_of_a_past_day(index: Index) -> None:
    """On 2025-03-15 family e was accepted and not started yet, and the families of
    December were not referred; the days waiting count to that day."""
    got = waiting_list(index, _d("2025-03-15"))
    assert [(w.family, w.days_waiting) for w in got] == [("f0000000j", 59),
                                                          ("f0000000e", 14)]
    # the day before its acceptance, family j is not waiting yet; family q was waiting
    # then, until its trajectory started
    assert [w.family for w in waiting_list(index, _d("2025-01-14"))] == ["f0000000q"]


def test_waiting_list_without_perinatal_priority(index: Index) -> None:
    index.config["perinatal_priority"] = False
    got = waiting_list(index, DAY)
    assert [w.family for w in got] == ["f0000000j", "f0000000a", "f0000000b", "f0000000c",
                                        "f0000000d"]


def test_waiting_agrees_with_lifecycle(index: Index) -> None:
    """The fast waiting rule of the agenda is lifecycle.family_status == 'waiting'."""
    day = _d("2024-04-01")
    while day <= _d("2026-01-31"):
        fast = {w.family for w in waiting_list(index, day)}
        slow = {f.id for f in index.families.values()
                if family_status(index, f, day) == "waiting"}
        assert fast == slow, day
        day += dt.timedelta(days=9)


# --- due ---------------------------------------------------------------------------------

EXPECTED_DUE = [
    DueItem("check", "check-missing", "v00000002", "leuven", _d("2023-03-01"), 1036,
            _d("2023-03-01")),
    DueItem("no-starter", "no-starter", "f0000000j", "herent", _d("2025-01-15"), 350,
            _d("2025-01-15")),
    DueItem("no-starter", "no-starter", "f0000000a", "leuven", _d("2025-06-10"), 204,
            _d("2025-06-10")),
    DueItem("no-starter", "no-starter", "f0000000c", "leuven", _d("2025-10-02"), 90,
            _d("2025-10-02")),
    DueItem("no-starter", "no-starter", "f0000000d", "leuven", _d("2025-11-01"), 60,
            _d("2025-11-01")),
    DueItem("closing", "extension-ends", "t00000004", "leuven", _d("2025-12-04"), 27,
            _d("2025-06-05")),
    DueItem("check", "check-expires", "v00000003", "leuven", _d("2025-12-20"), 11,
            _d("2022-12-20")),
    DueItem("no-visit", "last-visit", "t00000001", "leuven", _d("2025-12-22"), 9,
            _d("2025-12-01")),
    DueItem("undecided", "no-decision", "f0000000f", "leuven", _d("2025-12-24"), 7,
            _d("2025-12-10")),
    DueItem("six-month-review", "no-six-month-review", "t00000002", "leuven",
            _d("2025-12-26"), 5, _d("2025-06-27")),
    DueItem("closing", "no-closing", "t00000003", "leuven", _d("2025-12-30"), 1,
            _d("2024-12-30")),
    # stopped 2024-12-31: the default retention (1 year) is over on 2025-12-31
    DueItem("retention", "support-ended", "v00000005", "leuven", _d("2025-12-31"), 0,
            _d("2024-12-31")),
    DueItem("check", "check-expires", "v00000004", "leuven", _d("2026-01-05"), -5,
            _d("2023-01-05")),
]


def test_due_every_category(index: Index) -> None:
    assert due(index, DAY) == EXPECTED_DUE


def test_due_window(index: Index) -> None:
    """A longer window adds what comes later (the language buddy not visited since the
    start on 2025-12-20 is due 2026-01-10); a window of 0 keeps only what is due now."""
    wider = due(index, DAY, within=14)
    assert wider[-1] == DueItem("no-visit", "no-visits", "t00000006", "leuven",
                                _d("2026-01-10"), -10, _d("2025-12-20"))
    assert wider[:-1] == EXPECTED_DUE
    assert due(index, DAY, within=0) == EXPECTED_DUE[:-1]


def test_due_window_from_config(index: Index) -> None:
    index.config["due"] = {"within_days": 14}
    assert due_settings(index)["within_days"] == 14
    assert due_settings(index)["closing_days"] == 365
    assert len(due(index, DAY)) == len(EXPECTED_DUE) + 1


def test_due_location(index: Index) -> None:
    assert [i.record for i in due(index, DAY, location="herent")] == ["f0000000j"]


def test_due_reviews_after_they_are_held(index: Index) -> None:
    """Once held (on or before the day), a review is no longer due; a closing review ends
    the closing call; an extension moves it by extension_days."""
    t2, t3, t4 = (index.trajectories[f"t0000000{n}"] for n in (2, 3, 4))
    t2.reviews = (ReviewRow(_d("2025-12-27"), "six-month"),)
    t3.reviews = (*t3.reviews, ReviewRow(_d("2025-12-30"), "closing"))
    t4.reviews = (*t4.reviews, ReviewRow(_d("2025-12-03"), "extension"))
    keys = {(i.what, i.record) for i in due(index, DAY)}
    assert ("six-month-review", "t00000002") not in keys
    assert ("closing", "t00000003") not in keys
    assert ("closing", "t00000004") not in keys  # the next closing is 2026-06-03
    assert ("closing", "t00000004") in {(i.what, i.record)
                                        for i in due(index, DAY, within=154)}
    # a review dated after the day does not count yet
    t3.reviews = (*t3.reviews[:-1], ReviewRow(_d("2026-01-02"), "closing"))
    assert ("closing", "t00000003") in {(i.what, i.record) for i in due(index, DAY)}


def test_due_ignores_visits_after_the_day(index: Index) -> None:
    t1 = index.trajectories["t00000001"]
    t1.visit_days = (*t1.visit_days, _d("2026-01-03").toordinal())
    item = next(i for i in due(index, DAY) if i.record == "t00000001")
    assert item.since == _d("2025-12-01")


def test_check_items_follow_the_lifecycle_rules(index: Index) -> None:
    """Who is active and until when a check is valid come from hs.rules.lifecycle
    (VolunteerRow.active_on, check_valid_until), so `hs due` and `hs list volunteers`
    agree, also with another check_validity_months."""
    from hs.records.index import PeriodRow
    from hs.rules.lifecycle import check_valid_until

    # v5 stopped in 2024, came back in 2025-05 (no check): missing since its return
    v5 = index.volunteers["v00000005"]
    v5.periods = (*v5.periods, PeriodRow(_d("2025-05-01"), None, None))
    for months in (36, 12):
        index.config["check_validity_months"] = months
        items = [i for i in due(index, DAY, within=3650) if i.what == "check"]
        assert {i.record for i in items} == {
            v.id for v in index.volunteers.values() if v.active_on(DAY)}
        for i in items:
            vol = index.volunteers[i.record]
            if i.cause == "check-expires":
                assert (i.due, i.since) == (check_valid_until(index, vol), vol.check_date)
        missing = {i.record: i.due for i in items if i.cause == "check-missing"}
        assert missing == {"v00000002": _d("2023-03-01"), "v00000005": _d("2025-05-01")}
    assert next(i for i in items if i.record == "v00000001").due == _d("2025-01-01")
