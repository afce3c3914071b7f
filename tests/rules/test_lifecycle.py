"""A family's status has one rule (hs.rules.lifecycle), on rows; the waiting list and the
due list read its fast form on the cached tuples (:class:`WaitingScan`). The two must give
the same answers: on every record of the demo tree (``records/`` of this checkout) and of
the hand-made scenario of tests/app/test_agenda.py, on many days (every month end of
2023-2026, and every ninth day).

Also: the workflow's "as of the latest recorded event" is the status on any day after
that event, and a trajectory's status "active" is :meth:`TrajectoryRow.active_on`.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from hs.records.index import F_ID, R_DATE, FamilyRow, Index
from hs.rules.lifecycle import (
    WaitingScan,
    family_state,
    family_status,
    trajectory_status,
)
from hs.store.load import load_tree
from tests.app.test_agenda import scenario
from tests.conftest import DATA, LEUVEN, ROOT, commit_all, init_git


def _month_ends() -> list[dt.date]:
    out = []
    for year in range(2023, 2027):
        for month in range(1, 13):
            first_next = dt.date(year + month // 12, month % 12 + 1, 1)
            out.append(first_next - dt.timedelta(days=1))
    return out


DAYS = sorted({*_month_ends(), *(dt.date(2023, 1, 1) + dt.timedelta(days=n)
                                 for n in range(0, 4 * 366, 9))})


def demo_tree(root: Path) -> Path:
    shutil.copytree(ROOT / "records", root / "records")
    init_git(root)
    commit_all(root, "demo records")
    return root


def scenario_tree(root: Path) -> Path:
    (root / "records" / "locations").mkdir(parents=True)
    shutil.copy(DATA / "vocabularies.yaml", root / "records" / "vocabularies.yaml")
    shutil.copy(DATA / "config.yaml", root / "records" / "config.yaml")
    (root / "records" / "locations" / "leuven.yaml").write_text(LEUVEN, encoding="utf-8")
    init_git(root)
    commit_all(root, "empty records tree")
    return scenario(root)


@pytest.fixture(scope="module", params=["demo", "scenario"])
def tree(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
         ) -> Iterator[tuple[Index, Index]]:
    """The tree as cached tuples (no row made) and as rows, from two loads of it."""
    root = tmp_path_factory.mktemp(request.param)
    (demo_tree if request.param == "demo" else scenario_tree)(root)
    first = load_tree(root)  # parses the files and writes the cache
    assert not first.problems, first.problems
    tuples, rows = load_tree(root).index, load_tree(root).index
    assert not any(tuples.rows_made(kind) for kind in ("family", "trajectory"))
    yield tuples, rows


def test_the_trees_have_every_status(tree: tuple[Index, Index]) -> None:
    """The comparison below means something: every status occurs on some day."""
    _, rows = tree
    seen = {family_status(rows, f, day) for f in rows.families.values() for day in DAYS}
    assert seen == {"unknown", "referred", "refused", "withdrawn", "waiting",
                    "in-trajectory", "closed"}


def test_the_fast_status_is_the_status(tree: tuple[Index, Index]) -> None:
    """WaitingScan (tuples) gives what family_state (rows) gives, family by family."""
    tuples, rows = tree
    for day in DAYS:
        scan = WaitingScan(tuples, day)
        for fam in tuples.tuples("family"):
            row = rows.families[fam[F_ID]]
            state = family_state(rows, row, day)
            ref = scan.referral(fam)
            ref_row = row.referral_on(day)
            where = (fam[F_ID], day)
            if ref_row is None:
                assert ref is None and state.status == "unknown", where
                assert scan.waiting(fam) is None, where
                continue
            assert ref is not None and ref[R_DATE] == ref_row.date.toordinal(), where
            decision = ref_row.decision_on(day)
            assert scan.decision(ref) == (decision.decision if decision else None), where
            assert (scan.decision(ref) is None) == (state.status == "referred"), where
            waiting = scan.waiting(fam)
            assert (waiting is not None) == (state.status == "waiting"), where
            if waiting is None:
                continue
            assert waiting == ref, where
            accepted = ref_row.accepted_on() or ref_row.date
            assert scan.accepted(ref) == accepted.toordinal(), where
            starter = (rows.trajectories[state.starter].volunteer_on(day)
                       if state.starter is not None else None)
            assert scan.starter(fam[F_ID], ref[R_DATE]) == starter, where


def _latest_event(index: Index, fam: FamilyRow) -> dt.date:
    dates = [r.date for r in fam.referrals]
    dates += [d.date for r in fam.referrals for d in r.decisions]
    for t in index.trajectories_of(fam.id):
        dates += [t.start, *([t.end] if t.end is not None else [])]
    return max(dates)


def test_the_latest_status_is_the_status_after_the_last_event(
        tree: tuple[Index, Index]) -> None:
    """What the workflow checks (family_state without a day) is the status on the day
    after the family's latest recorded event."""
    _, rows = tree
    for fam in rows.families.values():
        after = _latest_event(rows, fam) + dt.timedelta(days=1)
        assert family_state(rows, fam) == family_state(rows, fam, after), fam.id


def test_an_active_trajectory_is_one_going_on(tree: tuple[Index, Index]) -> None:
    _, rows = tree
    for t in rows.trajectories.values():
        for day in DAYS:
            assert (trajectory_status(t, day) == "active") == t.active_on(day), (t.id, day)


def test_the_fast_status_agrees_on_the_close_date(tree: tuple[Index, Index]) -> None:
    """The boundary the month ends miss: the day before a trajectory's close date, the
    close date itself (closed: no longer active, also for the family and its starter
    volunteer) and the day after, for the family of every closed trajectory."""
    tuples, rows = tree
    days: dict[dt.date, set[str]] = {}
    for t in rows.trajectories.values():
        if t.end is not None:
            for n in (-1, 0, 1):
                days.setdefault(t.end + dt.timedelta(days=n), set()).add(t.family)
    assert days
    by_id = {fam[F_ID]: fam for fam in tuples.tuples("family")}
    for day, families in days.items():
        scan = WaitingScan(tuples, day)
        for fid in families:
            fam, row = by_id[fid], rows.families[fid]
            state = family_state(rows, row, day)
            where = (fid, day)
            waiting = scan.waiting(fam)
            assert (waiting is not None) == (state.status == "waiting"), where
            ref = scan.referral(fam)
            if ref is not None and state.status in ("waiting", "in-trajectory", "closed"):
                starter = (rows.trajectories[state.starter].volunteer_on(day)
                           if state.starter is not None else None)
                assert scan.starter(fid, ref[R_DATE]) == starter, where
    for t in rows.trajectories.values():
        if t.end is not None and t.end > t.start:
            before = t.end - dt.timedelta(days=1)
            assert trajectory_status(t, before) == "active" and t.active_on(before), t.id
            assert trajectory_status(t, t.end) == "closed" and not t.active_on(t.end), t.id
            if t.kind != "starter":
                assert family_status(rows, rows.families[t.family], t.end) != "in-trajectory" \
                    or any(o.active_on(t.end) for o in rows.trajectories_of(t.family)
                           if o.kind != "starter"), t.id
