"""Small-cell suppression for publication: no count from 1 to 4 shows, and no hidden count
can be worked out by subtracting the shown cells from a total."""

from __future__ import annotations

import itertools
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from hs.app.kpi import KpiCounts, Period, Range, WaitingDays
from hs.app.suppress import suppress, suppress_columns


def counts(**fields: Any) -> KpiCounts:
    return KpiCounts(2025, Period.of(2025), **{"location": "a", **fields})


def test_a_single_hidden_cell_takes_the_next_smallest_with_it() -> None:
    """f 9, m 3, x 0 of 12 volunteers: m alone hidden would be 12 - 9 - 0 = 3."""
    c = suppress(counts(volunteers=12, volunteer_gender={"f": 9, "m": 3, "x": 0}))
    assert c.volunteer_gender == {"f": Range(5, 12), "m": Range(1, 4), "x": 0}
    assert c.volunteers == 12  # the page's total stays
    c = suppress(counts(referrals=38, referrers={"caw": 20, "ocmw": 6, "self": 6,
                                                 "school": 2, "other": 4}))
    assert c.referrers == {"caw": 20, "ocmw": 6, "self": 6, "school": Range(1, 4),
                           "other": Range(1, 4)}  # two hidden: 2 + 4 = 6 has other splits
    c = suppress(counts(referrals=35, referrers={"caw": 20, "ocmw": 6, "self": 6,
                                                 "school": 3, "cgg": 0}))
    assert c.referrers == {"caw": 20, "ocmw": Range(5, 9), "self": 6,
                           "school": Range(1, 4), "cgg": 0}  # equal ones: the first


def test_one_and_five_of_six_is_given_away_by_the_ranges() -> None:
    """1 and 5 of 6 closed: shown as "<5" and "5 or more", 6 splits only as 1 + 5; a third
    cell is hidden too."""
    c = suppress(counts(closed=13, close_reasons={"goals-reached": 5, "moved": 1,
                                                  "other": 7}))
    assert isinstance(c.close_reasons["other"], Range)
    c = suppress(counts(closed=6, close_reasons={"goals-reached": 5, "moved": 1}))
    assert c.close_reasons == {"goals-reached": Range(5, 6), "moved": Range(1, 4)}


def test_profile_flags_and_impact_are_hidden_without_a_total() -> None:
    from hs.app.kpi import ImpactCounts

    c = suppress(counts(families=20, profile={"single-parent": 9, "newcomer": 2},
                        impact={"network": ImpactCounts(3, 3, 6, 9)},
                        waiting_days=WaitingDays(9, 30, 60)))
    assert c.profile == {"single-parent": 9, "newcomer": Range(1, 4)}
    assert c.profile_share("newcomer") == Range(0.05, 0.2)
    assert c.impact["network"] == ImpactCounts(Range(1, 4), 0, 0, 0)
    assert c.waiting_days == WaitingDays(9)  # fewer than 10: no median, no p90


def test_columns_hide_small_totals_and_their_row_partner() -> None:
    a = counts(location="a", families=3, referrals=10, referrers={"caw": 10})
    b = counts(location="b", families=12, referrals=10, referrers={"caw": 10})
    c = counts(location="c", families=20, referrals=2, referrers={"caw": 2})
    total = counts(location=None, families=35, referrals=22, referrers={"caw": 22})
    t, parts = suppress_columns(total, {"a": a, "b": b, "c": c})
    assert parts["a"].families == Range(1, 4)
    assert parts["b"].families == Range(5, 15)  # the next smallest of the row
    assert parts["c"].families == 20
    assert t.families == 35
    assert parts["c"].referrals == Range(1, 4)
    assert parts["c"].referrers["caw"] == Range(1, 4)
    assert isinstance(parts["a"].referrals, Range)  # row partner of c's 2


def _recoverable(shown: dict[str, Any], total: int, values: dict[str, int]) -> bool:
    """Whether some hidden cell has one value in every split the page allows."""
    hidden = [k for k, v in shown.items() if isinstance(v, Range)]
    rest = total - sum(v for v in shown.values() if isinstance(v, int))
    options = [range(int(shown[k].low), int(shown[k].high) + 1) for k in hidden]
    seen: dict[str, set[int]] = {k: set() for k in hidden}
    for combo in itertools.product(*options):
        if sum(combo) == rest:
            for k, v in zip(hidden, combo, strict=True):
                seen[k].add(v)
    assert all(values[k] in seen[k] for k in hidden)  # the truth stays possible
    return any(len(s) == 1 for k, s in seen.items() if values[k] > 0)


@given(st.lists(st.integers(0, 12), min_size=2, max_size=5))
def test_no_hidden_cell_follows_from_the_total(cells: list[int]) -> None:
    values = {f"r{i}": v for i, v in enumerate(cells)}
    total = sum(cells)
    c = suppress(counts(referrals=total, referrers=values))
    for k, v in c.referrers.items():
        assert v == values[k] or isinstance(v, Range)
        assert not (isinstance(v, int) and 0 < v < 5)
    shown_nonzero = [v for v in c.referrers.values() if isinstance(v, int) and v > 0]
    hidden = [k for k, v in c.referrers.items() if isinstance(v, Range)]
    if hidden and shown_nonzero:
        assert not _recoverable(dict(c.referrers), total, values)


@given(st.lists(st.lists(st.integers(0, 9), min_size=3, max_size=3), min_size=2,
                max_size=4))
def test_no_hidden_cell_follows_from_a_row_or_a_column(grid: list[list[int]]) -> None:
    """Locations (columns) with referrals per referrer (rows): with the total column shown,
    no hidden cell of a column or a row can be worked out from its line, unless the line
    has no shown non-zero cell left to hide (the documented limit)."""
    codes = ("caw", "ocmw", "self")
    parts = {f"l{i}": counts(location=f"l{i}", referrals=sum(col),
                             referrers=dict(zip(codes, col, strict=True)))
             for i, col in enumerate(grid)}
    total = counts(location=None, referrals=sum(map(sum, grid)),
                   referrers={k: sum(col[j] for col in grid) for j, k in enumerate(codes)})
    t, shown = suppress_columns(total, parts)
    lines: list[tuple[Any, dict[str, Any], dict[str, int]]] = []
    for code, c in shown.items():  # down each column, where its total is shown
        lines.append((c.referrals, dict(c.referrers), dict(parts[code].referrers)))
    for k in codes:  # along each row, where the total column's cell is shown
        lines.append((t.referrers[k], {code: c.referrers[k] for code, c in shown.items()},
                      {code: parts[code].referrers[k] for code in parts}))
    lines.append((t.referrals, {code: c.referrals for code, c in shown.items()},
                  {code: parts[code].referrals for code in parts}))
    for line_total, cells, truth in lines:
        if isinstance(line_total, Range):
            continue
        for k, v in cells.items():
            assert v == truth[k] or isinstance(v, Range)
            assert not (isinstance(v, int) and 0 < v < 5)
        hidden = [k for k, v in cells.items() if isinstance(v, Range)]
        if hidden and any(isinstance(v, int) and v > 0 for v in cells.values()):
            assert not _recoverable(cells, line_total, truth)


def test_a_location_page_hides_its_small_totals_the_national_page_does_not() -> None:
    one = suppress(counts(location="a", families=3, refused=1, referrals=12))
    assert (one.families, one.refused, one.referrals) == (Range(1, 4), Range(1, 4), 12)
    assert one.locations == 0  # metadata is never hidden
    national = suppress(counts(location=None, locations=2, families=3, refused=1))
    assert (national.families, national.refused) == (3, 1)
    alone = suppress(counts(location=None, locations=1, families=3))  # a location's tree
    assert alone.families == Range(1, 4)
