"""The retention rule (hs.rules.retention): when support ended, which period applies, and
what the spec says retention does to each field."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from hs.records import spec
from hs.records.index import F_ID, Index
from hs.rules import retention
from hs.store.load import load_tree
from tests.app.test_agenda import family, scenario, trajectory, volunteer
from tests.conftest import commit_all, write_record
from tests.rules.test_lifecycle import demo_tree


def _d(s: str) -> dt.date:
    return dt.date.fromisoformat(s)


CANDIDATE = """\
schema_version: 1
location: leuven
gender: m
birth_year: 1990
training:
  info-session: 2024-03-05
registered: 2024-02-01
"""


@pytest.fixture
def index(empty_repo: Path) -> Index:
    scenario(empty_repo)
    for rel, text in (
            family("f0000000r", referred="2023-01-02", refused="2023-01-09",
                   flags="youth-care"),
            family("f0000000s", referred="2023-01-02", accepted="2023-01-09"),
            trajectory("t0000000s", fam="f0000000s", vol="v00000001", start="2023-02-01",
                       end="2024-02-29"),
            volunteer("v0000000c", start="2019-01-01", end="2023-06-30")):
        write_record(empty_repo, rel, text)
    write_record(empty_repo, "volunteers/v0000000k.yaml", CANDIDATE)
    commit_all(empty_repo, "retention records")
    report = load_tree(empty_repo)
    assert not report.problems, report.problems
    return report.index


def test_what_is_due_and_the_rule_that_applies(index: Index) -> None:
    due = {r.record: (r.rule, r.years, r.cause, r.since, r.due)
           for r in retention.due_records(index)}
    # refused, with the youth-care flag: six years from the decision
    assert due["f0000000r"] == ("family-youth-care", 6, "decision", _d("2023-01-09"),
                                _d("2029-01-09"))
    # a closed trajectory ending on 29 February: the 28th a year later
    assert due["f0000000s"] == ("family", 1, "trajectory-end", _d("2024-02-29"),
                                _d("2025-02-28"))
    # refused and withdrawn families of the scenario: from the decision
    assert due["f0000000g"][2:4] == ("decision", _d("2025-05-10"))
    assert due["f0000000h"][2:4] == ("decision", _d("2025-11-15"))
    assert due["v0000000c"] == ("volunteer", 1, "stop", _d("2023-06-30"), _d("2024-06-30"))
    # a candidate who never started: from registration, or a later training step
    assert due["v0000000k"] == ("candidate", 1, "registration", _d("2024-03-05"),
                                _d("2025-03-05"))
    # waiting, referred, in a trajectory, active: not due
    for rid in ("f0000000a", "f0000000f", "f0000000k", "v00000001"):
        assert rid not in due
    until = retention.due_records(index, _d("2025-03-01"))
    assert [r.record for r in until] == ["v0000000c", "f0000000s"]
    index.config["retention"] = {"years": 2, "youth_care_years": 10}
    due2 = {r.record: r.due for r in retention.due_records(index)}
    assert due2["f0000000r"] == _d("2033-01-09") and due2["v0000000c"] == _d("2025-06-30")


def test_every_personal_field_is_dropped_and_the_figures_fields_kept() -> None:
    for kind in spec.KINDS.values():
        for path, f in spec.walk(kind.group):
            assert f.retention in spec.RETENTION, path
            if f.personal:
                assert f.retention == "drop", (kind.name, path)
    # what the annual figures read stays (docs/kpi.md)
    for kind, names in (("family", ("location", "municipality", "children", "flags",
                                    "languages", "referrals", "signals")),
                        ("volunteer", ("location", "gender", "birth_year", "roles",
                                       "active"))):
        group = spec.KINDS[kind].group
        assert all(group.field(n).retention == "keep" for n in names)


def test_reduce_follows_the_spec() -> None:
    data = {"schema_version": 1, "location": "leuven", "name": "X", "gender": "f",
            "birth_year": 1970, "training": {"info-session": "2024-03-05"},
            "check_date": _d("2023-08-14"), "availability": ["mon-am"], "note": "n",
            "active": [{"start": "2019-01-01", "end": "2023-06-30",
                        "stop_reason": "personal"}]}
    assert retention.reduce("volunteer", data, _d("2025-01-01")) == {
        "schema_version": 1, "location": "leuven", "gender": "f", "birth_year": 1970,
        "training": {"info-session": "2024-03-01"}, "check_date": _d("2023-08-01"),
        "active": [{"start": "2019-01-01", "end": "2023-06-30",
                    "stop_reason": "personal"}],
        "coarsened": _d("2025-01-01")}
    assert data["name"] == "X"  # a copy
    paths = retention.changes("trajectory", {"visits": [{"date": "2024-01-01", "note": "a"},
                                                        {"date": "2024-01-02"}],
                                             "note": "b"})
    assert paths == [(("visits", 0, "note"), "drop"), (("note",), "drop")]


def test_the_scan_on_tuples_is_the_lifecycle_rule(index: Index, tmp_path: Path) -> None:
    """EndScan (cached tuples, no rows) gives family_ended (family_state), on every family
    of the demo tree and of this one."""
    demo = load_tree(demo_tree(tmp_path)).index
    for idx in (index, demo):
        scan = retention.EndScan(idx)
        seen = set()
        for fam in idx.tuples("family"):
            fast = scan.ended(fam)
            slow = retention.family_ended(idx, idx.families[fam[F_ID]])
            assert (fast and (fast[0], dt.date.fromordinal(fast[1]))) == slow, fam[F_ID]
            seen.add(slow and slow[0])
        assert seen == {None, "decision", "trajectory-end"}


def test_consent_is_asked_from_consent_since(index: Index) -> None:
    since = _d("2025-06-01")
    fams = {f[F_ID]: f for f in index.tuples("family")}
    fam = fams["f0000000a"]  # referred 2025-06-01
    assert retention.family_needs_consent(fam, since) == _d("2025-06-01")
    assert retention.family_needs_consent(fam, None) is None
    assert retention.family_needs_consent(fams["f0000000g"], since) is None
    assert retention.volunteer_needs_consent(index.volunteers["v0000000k"],
                                             _d("2024-01-01")) == _d("2024-02-01")
    assert retention.settings({"retention": {"consent_since": "2025-06-01"}}
                              ).consent_since == since


def test_the_cutoff_is_the_last_day_due() -> None:
    for until in (_d("2025-02-28"), _d("2024-02-29"), _d("2025-03-01"), _d("2025-12-31")):
        for years in (1, 4, 6):
            cut = dt.date.fromordinal(retention._cutoff(until, years))
            assert retention.add_years(cut, years) <= until
            assert retention.add_years(cut + dt.timedelta(days=1), years) > until
