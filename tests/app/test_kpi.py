"""KPIs: every key of the annual figures on hand-made records with known answers.

The records of :func:`build_year` (year 2025, two working locations and one that stopped
at the end of 2024) cover: a trajectory that spans the new year, a volunteer replaced
mid-trajectory, a family that waits across the year end (with a starter meanwhile), a
withdrawn and a refused referral, a referral without a decision yet, a volunteer who stops
and returns, a candidate volunteer, a perinatal family (flag) and a pregnant one (expected
birth month), and families of two locations. The expected answers are worked out by hand
in the comments.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from hs.app.eventfigures import KEYS as EVENT_KEYS
from hs.app.kpi import (
    Period,
    Range,
    as_json,
    child_age,
    compute,
    compute_by_location,
    share,
)
from hs.base.errors import HsError, UsageError
from hs.store.load import load_tree
from tests.conftest import write_record

LOCATIONS = {
    "leuven": """\
schema_version: 1
name: Home-Start Leuven
municipalities: [Leuven, Herent, Kessel-Lo]
active_from: 2019-01-01
fte: 0.8
funding:
  local-government: 40000
  donations: 10000.5
""",
    "herent": """\
schema_version: 1
name: Home-Start Herent
municipalities: [Herent, Veltem]
partner: Partner vzw
active_from: 2021-01-01
fte: 0.5
funding: {local-government: 20000}
""",
    # stopped before 2025: not counted in 2025, still reportable for 2024
    "lier": """\
schema_version: 1
name: Home-Start Lier
municipalities: [Lier]
active_from: 2018-01-01
active_until: 2024-12-31
fte: 0.3
""",
}

FAMILIES = {
    # F1: trajectory T1 spans the new year (2024-11-01 .. 2025-10-31), volunteer replaced
    "f00000001": """\
schema_version: 1
location: leuven
municipality: Kessel-Lo
children:
- born: 2020-03
- born: 2015-06
languages: [nl, ar]
flags: [single-parent, no-work-income]
referrals:
- date: 2024-10-01
  referrer: kind-en-gezin
  decisions:
  - date: 2024-10-15
    decision: accepted
""",
    # F2: pregnant at referral, buddy trajectory from 2025-04-15 (64 days after acceptance)
    "f00000002": """\
schema_version: 1
location: leuven
municipality: Leuven
children:
- born: 2025-05
languages: [nl]
referrals:
- date: 2025-02-01
  referrer: huisarts
  expecting: 2025-05
  decisions:
  - date: 2025-02-10
    decision: accepted
""",
    # F3: accepted in November, a starter visits, the buddy starts only in 2026: waiting
    "f00000003": """\
schema_version: 1
location: leuven
languages: [ro]
referrals:
- date: 2025-11-01
  referrer: ocmw
  decisions:
  - date: 2025-11-20
    decision: accepted
""",
    # F4: accepted, then withdrawn
    "f00000004": """\
schema_version: 1
location: leuven
referrals:
- date: 2025-03-01
  referrer: self
  decisions:
  - date: 2025-03-05
    decision: accepted
  - date: 2025-04-01
    decision: withdrawn
    reason: moved
""",
    # F5: refused
    "f00000005": """\
schema_version: 1
location: leuven
referrals:
- date: 2025-05-01
  referrer: cgg
  decisions:
  - date: 2025-05-03
    decision: refused
    reason: outside-target-group
""",
    # F6: referred and accepted in 2024, language trajectory 2025-01-10 .. 2025-12-31
    "f00000006": """\
schema_version: 1
location: leuven
municipality: Gent
children:
- born: 2018-01
languages: [ar]
flags: [newcomer, perinatal]
referrals:
- date: 2024-12-15
  referrer: kind-en-gezin
  decisions:
  - date: 2024-12-20
    decision: accepted
""",
    # F7: supported in 2024 only
    "f00000007": """\
schema_version: 1
location: leuven
children:
- born: 2021-02
languages: [nl]
referrals:
- date: 2023-12-01
  referrer: clb
  decisions:
  - date: 2023-12-05
    decision: accepted
""",
    # F8: referred at the end of the year, no decision yet (not waiting)
    "f00000008": """\
schema_version: 1
location: leuven
referrals:
- date: 2025-12-20
  referrer: school
""",
    # F9 (Herent): buddy trajectory 2025-02-15 .. 2025-08-15, two young children
    "f00000009": """\
schema_version: 1
location: herent
children:
- born: 2022-07
- born: 2023-09
languages: [fr]
flags: [youth-care]
referrals:
- date: 2025-01-05
  referrer: caw
  decisions:
  - date: 2025-01-06
    decision: accepted
""",
}

VOLUNTEERS = {
    # V1: 35 on 31-12-2025, stops on 2025-04-30 (replaced in T1)
    "v00000001": """\
schema_version: 1
location: leuven
gender: f
birth_year: 1990
roles: [buddy]
active:
- start: 2024-06-01
  end: 2025-04-30
  stop_reason: personal
""",
    # V2: new in 2025, 22, takes over T1 and starts T2
    "v00000002": """\
schema_version: 1
location: leuven
gender: m
birth_year: 2003
roles: [buddy]
capacity: 2
active:
- start: 2025-04-01
""",
    # V3: 70, stops in February and returns in September
    "v00000003": """\
schema_version: 1
location: leuven
gender: f
birth_year: 1955
roles: [buddy, language]
active:
- start: 2023-01-01
  end: 2025-02-28
  stop_reason: health
- start: 2025-09-01
""",
    # V4: 76, starter only, new in November
    "v00000004": """\
schema_version: 1
location: leuven
gender: x
birth_year: 1949
roles: [starter]
active:
- start: 2025-11-01
""",
    # V5: stopped at the end of 2024: not a 2025 volunteer
    "v00000005": """\
schema_version: 1
location: leuven
gender: f
birth_year: 1980
roles: [buddy, coach]
active:
- start: 2020-01-01
  end: 2024-12-31
  stop_reason: work
""",
    # V6: 55, language buddy
    "v00000006": """\
schema_version: 1
location: leuven
gender: f
birth_year: 1970
roles: [language]
active:
- start: 2024-01-01
""",
    # V7: a candidate (no active period): not counted
    "v00000007": """\
schema_version: 1
location: leuven
gender: f
birth_year: 1995
""",
    # V8 (Herent): 40, new on 1 January 2025
    "v00000008": """\
schema_version: 1
location: herent
gender: m
birth_year: 1985
roles: [buddy]
active:
- start: 2025-01-01
""",
}

TRAJECTORIES = {
    "t00000001": """\
schema_version: 1
family: f00000001
kind: buddy
start: 2024-11-01
volunteers:
- volunteer: v00000001
  start: 2024-11-01
  end: 2025-04-30
- volunteer: v00000002
  start: 2025-05-01
visits:
- date: 2024-12-10
- date: 2025-01-07
- date: 2025-02-04
- date: 2025-06-03
impact:
  start: {network: 2, self-confidence: 3}
  end: {network: 4, self-confidence: 3}
end: 2025-10-31
close_reason: goals-reached
""",
    "t00000002": """\
schema_version: 1
family: f00000002
kind: buddy
start: 2025-04-15
volunteers:
- volunteer: v00000002
  start: 2025-04-15
visits:
- date: 2025-04-15
- date: 2025-05-13
""",
    "t00000003": """\
schema_version: 1
family: f00000003
kind: starter
start: 2025-12-01
volunteers:
- volunteer: v00000004
  start: 2025-12-01
visits:
- date: 2025-12-05
end: 2026-01-15
close_reason: other
""",
    "t00000004": """\
schema_version: 1
family: f00000003
kind: buddy
start: 2026-01-15
volunteers:
- volunteer: v00000003
  start: 2026-01-15
""",
    "t00000005": """\
schema_version: 1
family: f00000006
kind: language
start: 2025-01-10
volunteers:
- volunteer: v00000006
  start: 2025-01-10
visits:
- date: 2025-12-31
impact:
  start: {network: 1}
  end: {network: 2}
end: 2025-12-31
close_reason: moved
""",
    "t00000006": """\
schema_version: 1
family: f00000009
kind: buddy
start: 2025-02-15
volunteers:
- volunteer: v00000008
  start: 2025-02-15
visits:
- date: 2025-03-01
- date: 2025-03-08
impact:
  start: {network: 3}
  end: {network: 3}
end: 2025-08-15
close_reason: family-stopped
""",
    "t00000007": """\
schema_version: 1
family: f00000007
kind: coach
start: 2024-01-10
volunteers:
- volunteer: v00000005
  start: 2024-01-10
end: 2024-12-20
close_reason: goals-reached
""",
}


def build_year(root: Path) -> None:
    """Write the records of this module into the records tree at ``root``."""
    for code, text in LOCATIONS.items():
        write_record(root, f"locations/{code}.yaml", text)
    for rid, text in FAMILIES.items():
        write_record(root, f"families/{rid}.yaml", text)
    for rid, text in VOLUNTEERS.items():
        write_record(root, f"volunteers/{rid}.yaml", text)
    for rid, text in TRAJECTORIES.items():
        write_record(root, f"trajectories/{rid}.yaml", text)


ZERO_FLAGS = {"psychological-vulnerability": 0.0, "physical-disability": 0.0,
              "young-parent": 0.0, "other": 0.0}

# Worked out by hand from the records above.
EXPECTED_2025: dict[str, object] = {
    "year": 2025,
    "location": None,
    "as_of": None,
    "period": {"first": "2025-01-01", "last": "2025-12-31"},
    # F2, F3, F4, F5, F8, F9 (F1, F6 in 2024; F7 in 2023)
    "referrals": 6,
    "accepted": 4,  # F2, F3, F4, F9
    "refused": 1,  # F5
    "withdrawn": 1,  # F4
    "started": 3,  # T2, T5, T6 (T3 is a starter, T4 starts in 2026)
    "closed": 3,  # T1, T5, T6
    "waiting_at_year_end": 1,  # F3 (F8 undecided, F4 withdrawn)
    "families": 4,  # F1 (T1 spans the new year), F2, F6, F9
    "children": 6,  # 2 + 1 + 1 + 2
    "support_moments": 9,  # T1 3 (not the 2024 visit), T2 2, T3 1 (starter), T5 1, T6 2
    "volunteers": 6,  # V1, V2, V3, V4, V6, V8 (V5 stopped in 2024, V7 a candidate)
    "buddies": 4,  # V1, V2, V3, V8
    "volunteers_new": 3,  # V2, V4, V8
    "volunteers_stopped": 2,  # V1, V3
    "volunteers_returned": 1,  # V3
    "locations": 2,  # Leuven, Herent (Lier stopped at the end of 2024)
    "municipalities": 4,  # Leuven, Herent, Kessel-Lo, Veltem
    "fte": 1.3,
    "partners": ["Partner vzw"],  # Herent runs with a partner organisation
    "with_partner": 1,
    "funding": {"donations": 10000.5, "local-government": 60000},  # Lier stopped
    "perinatal_families": 2,  # F2 (expecting at referral), F6 (flag)
    "started_by_kind": {"buddy": 2, "language": 1, "coach": 0},  # T2, T6; T5
    "closed_by_kind": {"buddy": 2, "language": 1, "coach": 0},  # T1, T6; T5
    # T1, T2, T6; T3 (starter, from 1 December); T5; T7 (coach) closed in 2024
    "active_by_kind": {"buddy": 3, "starter": 1, "language": 1, "coach": 0},
    "profile": {
        "single-parent": 0.25, "no-work-income": 0.25, "newcomer": 0.25,
        "youth-care": 0.25, "perinatal": 0.5, **ZERO_FLAGS,
        "pregnant-at-referral": 0.5,  # F2 of the perinatal F2 and F6
        "children-0-6": 0.75,  # F1 (born 2020-03), F2, F9; not F6 (born 2018-01)
        "home-language-other": 0.75,  # F1 (ar), F6 (ar), F9 (fr); not F2 (nl)
    },
    "volunteer_gender": {"f": 0.5, "m": 0.3333, "x": 0.1667},
    "volunteer_age": {"under-19": 0.0, "19-25": 0.1667, "26-50": 0.3333, "51-65": 0.1667,
                      "66-75": 0.1667, "75+": 0.1667},
    "referrers": {"huisarts": 1, "ocmw": 1, "self": 1, "cgg": 1, "school": 1, "caw": 1},
    "close_reasons": {"goals-reached": 1, "moved": 1, "family-stopped": 1},
    "impact": {
        "network": {"n": 3, "start": 2.0, "end": 3.0, "change": 1.0},
        "self-confidence": {"n": 1, "start": 3.0, "end": 3.0, "change": 0.0},
    },
    # T5 21 days (2024-12-20 .. 2025-01-10), T6 40, T2 64: nearest-rank p90 is the 3rd
    "waiting_days": {"n": 3, "median": 40, "p90": 64},
}


def nonzero(d: dict[str, object]) -> dict[str, object]:
    """A breakdown without its zero cells (the JSON lists every vocabulary code)."""
    return {k: v for k, v in d.items() if v != 0}


def nonempty_impact(d: dict[str, dict[str, object]]) -> dict[str, dict[str, object]]:
    return {k: v for k, v in d.items() if v["n"] != 0}


def check(got: dict[str, object], expected: dict[str, object]) -> None:
    """``got`` (as_json) has exactly the expected values; breakdowns compared without
    their zero cells, after checking that those are zero (or null for impact)."""
    for key, value in expected.items():
        actual = got[key]
        if key in ("referrers", "close_reasons"):
            assert isinstance(actual, dict)
            assert nonzero(actual) == value, key
        elif key == "impact":
            assert isinstance(actual, dict)
            assert nonempty_impact(actual) == value, key
            for dom, v in actual.items():
                if dom not in value:  # type: ignore[operator]
                    assert v == {"n": 0, "start": None, "end": None, "change": None}
        else:
            assert actual == value, key


@pytest.fixture
def year_repo(empty_repo: Path) -> Path:
    build_year(empty_repo)
    return empty_repo


@pytest.fixture
def index(year_repo: Path):  # type: ignore[no-untyped-def]
    report = load_tree(year_repo, use_cache=False)
    assert report.problems == []
    return report.index


def test_the_records_are_valid(year_repo: Path) -> None:
    from hs.app.validation import validate_tree

    problems = [p for p in validate_tree(year_repo).problems if p.severity == "error"]
    assert problems == []


def test_every_key_of_2025(index) -> None:  # type: ignore[no-untyped-def]
    got = as_json(compute(index, 2025))
    check(got, EXPECTED_2025)
    assert set(got) == {*EXPECTED_2025, "revision", "counts", *EVENT_KEYS}
    assert got["counts"]["profile"]["perinatal"] == 2
    assert got["counts"]["volunteer_gender"] == {"f": 3, "m": 2, "x": 1}
    assert got["counts"]["volunteer_age"] == {"under-19": 0, "19-25": 1, "26-50": 2,
                                              "51-65": 1, "66-75": 1, "75+": 1}


def test_one_location(index) -> None:  # type: ignore[no-untyped-def]
    got = as_json(compute(index, 2025, location="herent"))
    check(got, {
        "location": "herent", "referrals": 1, "accepted": 1, "refused": 0, "withdrawn": 0,
        "started": 1, "closed": 1, "waiting_at_year_end": 0, "families": 1, "children": 2,
        "support_moments": 2, "volunteers": 1, "buddies": 1, "volunteers_new": 1,
        "volunteers_stopped": 0, "volunteers_returned": 0, "locations": 1,
        "municipalities": 2, "fte": 0.5,
        "referrers": {"caw": 1}, "close_reasons": {"family-stopped": 1},
        "impact": {"network": {"n": 1, "start": 3.0, "end": 3.0, "change": 0.0}},
        "waiting_days": {"n": 1, "median": 40, "p90": 40},
        "volunteer_gender": {"f": 0.0, "m": 1.0, "x": 0.0},
    })
    assert got["profile"]["youth-care"] == 1.0
    assert got["profile"]["pregnant-at-referral"] is None  # no perinatal family


def test_by_location_adds_up_to_the_total(index) -> None:  # type: ignore[no-untyped-def]
    total, parts = compute_by_location(index, 2025)
    assert list(parts) == ["herent", "leuven"]  # Lier has nothing in 2025
    assert as_json(total) == as_json(compute(index, 2025))
    assert as_json(parts["leuven"]) == as_json(compute(index, 2025, location="leuven"))
    assert parts["leuven"].referrals + parts["herent"].referrals == total.referrals
    # a location that stopped is still reportable for its years
    assert compute(index, 2024, location="lier").locations == 1


def test_by_municipality(index) -> None:  # type: ignore[no-untyped-def]
    """F1 lives in Kessel-Lo, F2 in Leuven, F6 in Gent (not served by Leuven: "?"), the
    others have no municipality ("?"); volunteers have none."""
    from hs.app.kpi import compute_by_municipality

    total, parts = compute_by_municipality(index, 2025, location="leuven")
    assert as_json(total) == as_json(compute(index, 2025, location="leuven"))
    assert list(parts) == ["Kessel-Lo", "Leuven", "?"]
    got = {name: (c.families, c.children, c.referrals, c.volunteers, c.started)
           for name, c in parts.items()}
    assert got == {"Kessel-Lo": (1, 2, 0, 0, 0),  # F1 (T1 from 2024)
                   "Leuven": (1, 1, 1, 0, 1),  # F2, T2
                   "?": (1, 1, 4, 5, 1)}  # F6 (T5); F3, F4, F5, F8 referred
    for key in ("families", "children", "referrals", "volunteers", "started", "closed",
                "support_moments", "waiting_at_year_end"):
        assert sum(c.total(key) for c in parts.values()) == total.total(key), key  # type: ignore[misc]
    assert parts["?"].locations == 0 and parts["?"].fte is None  # metadata: the total's


def test_as_of_counts_only_events_on_or_before_the_day(index) -> None:  # type: ignore[no-untyped-def]
    got = as_json(compute(index, 2025, as_of=dt.date(2025, 6, 30)))
    check(got, {
        "as_of": "2025-06-30", "period": {"first": "2025-01-01", "last": "2025-06-30"},
        "referrals": 4, "accepted": 3, "refused": 1, "withdrawn": 1,
        "started": 3, "closed": 0,  # T1, T5, T6 close later in the year
        "waiting_at_year_end": 0,  # F3 is not referred yet
        "families": 4, "children": 6,  # F2's baby born 2025-05 counts
        "support_moments": 7, "volunteers": 5,  # V4 starts in November
        "volunteers_new": 2, "volunteers_stopped": 2, "volunteers_returned": 0,
        "close_reasons": {}, "impact": {},
    })


def test_as_of_before_the_year_is_a_usage_error(index) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(UsageError):
        compute(index, 2025, as_of=dt.date(2024, 12, 31))


def test_unknown_location_is_a_usage_error(index) -> None:  # type: ignore[no-untyped-def]
    """The same check, message and exit code (2) as every other --location
    (hs.app.views.check_location)."""
    with pytest.raises(UsageError, match="--location: no location 'gent' "
                                         r"\(known: herent, leuven, lier\)"):
        compute(index, 2025, location="gent")


@pytest.mark.parametrize("year", [0, 1899, 2101, 10000, -5])
def test_a_year_out_of_range_is_a_usage_error(index, year: int) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(UsageError, match=f"--year: {year} is not a year from 1900 to 2100"):
        compute(index, year)
    with pytest.raises(UsageError):
        Period.of(year)


def test_years_at_the_bounds(index) -> None:  # type: ignore[no-untyped-def]
    assert compute(index, 1900).referrals == 0
    assert compute(index, 2100).period == Period(dt.date(2100, 1, 1), dt.date(2100, 12, 31))


def test_the_next_year(index) -> None:  # type: ignore[no-untyped-def]
    got = as_json(compute(index, 2026))
    check(got, {"started": 1, "families": 2,  # F2 (open T2) and F3 (T4)
                "waiting_at_year_end": 0, "volunteers_new": 0})


def test_child_age_from_the_birth_month() -> None:
    assert child_age("2019-12", dt.date(2025, 12, 31)) == 6
    assert child_age("2019-12", dt.date(2025, 11, 30)) == 5
    assert child_age("2025-12", dt.date(2025, 12, 31)) == 0
    assert child_age("2026-01", dt.date(2025, 12, 31)) is None


def test_write_atomic_writes_whole_or_not_at_all(tmp_path: Path) -> None:
    """The one atomic file write (hs kpi --export, hs report --out, the git blob cache)."""
    from hs.app.kpi import write_atomic

    target = tmp_path / "out.txt"
    write_atomic(target, "één\n")
    assert target.read_text(encoding="utf-8") == "één\n"
    write_atomic(target, b"\x00\x01")
    assert target.read_bytes() == b"\x00\x01"
    folder = tmp_path / "folder"
    (folder / "inside").mkdir(parents=True)
    with pytest.raises(HsError, match=f"{folder}: cannot write: "):
        write_atomic(folder, "x")  # a folder is in the way: nothing changes
    assert (folder / "inside").is_dir()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["folder", "out.txt"]  # no .tmp
    with pytest.raises(HsError, match="cannot write"):
        write_atomic(tmp_path / "missing" / "out.txt", "x")


def test_share() -> None:
    assert share(1, 3) == 0.3333
    assert share(0, 0) is None
    assert share(Range(1, 4), 10) == Range(0.1, 0.4)
    assert share(Range(1, 4), Range(2, 8)) == Range(0.125, 1.0)
