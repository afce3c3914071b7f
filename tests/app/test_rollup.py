"""The national roll-up: 15 locations export their exact counts, the merge gives exactly
the figures computed over all their records at once (every key of the JSON)."""

from __future__ import annotations

import datetime as dt
import math
import statistics
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hs.app import demo
from hs.app.kpi import KpiCounts, Period, WaitingDays, as_json, compute
from hs.app.rollup import (
    EXPORT_FORMAT,
    export_data,
    export_text,
    from_export,
    merge,
    read_exports,
    write_export,
)
from hs.base.errors import InvalidExport
from hs.records.index import Index
from hs.store.gitread import Revision
from hs.store.load import load_tree
from hs.store.yamlio import load_plain


@pytest.fixture(scope="module")
def fifteen(tmp_path_factory: pytest.TempPathFactory) -> Index:
    """The demo generator's 16 locations (4 regions) less one: 15 locations' records."""
    root = tmp_path_factory.mktemp("rollup") / "repo"
    demo.generate(root, seed=11, scale=4)
    full = load_tree(root, use_cache=False).index
    left_out = sorted(full.locations)[-1]
    families = {k: f for k, f in full.families.items() if f.location != left_out}
    index = Index(
        locations={k: v for k, v in full.locations.items() if k != left_out},
        families=families,
        volunteers={k: v for k, v in full.volunteers.items() if v.location != left_out},
        trajectories={k: t for k, t in full.trajectories.items() if t.family in families},
        config=full.config, vocabularies=full.vocabularies)
    assert len(index.locations) == 15
    return index


def national(paths: list[Path]) -> KpiCounts:
    return merge([counts for _, counts in read_exports(paths)])


def without_provenance(data: dict[str, object]) -> dict[str, object]:
    return {k: v for k, v in data.items() if k not in ("revision", "sources")}


@pytest.mark.parametrize("as_of", [None, dt.date(2025, 6, 30)])
def test_fifteen_exports_merge_into_exactly_the_national_figures(
        fifteen: Index, tmp_path: Path, as_of: dt.date | None) -> None:
    rev = Revision("a" * 40, None, dirty=False)
    for code in sorted(fifteen.locations):
        write_export(tmp_path / f"{code}.yaml",
                     compute(fifteen, 2025, location=code, as_of=as_of, revision=rev))
    merged = national([tmp_path])  # a folder of exports
    direct = compute(fifteen, 2025, as_of=as_of)
    got, want = as_json(merged), as_json(direct)
    assert without_provenance(got) == without_provenance(want)
    assert len(got["sources"]) == 15
    # the figures are not trivial: small and large cells, several waiting times
    assert want["locations"] == 15 and want["families"] > 100
    assert 0 < min(v for v in want["referrers"].values() if v) < 5
    assert want["waiting_days"]["n"] > 50
    assert merged.waiting_histogram == direct.waiting_histogram


def test_an_export_holds_no_record_id_or_name(fifteen: Index) -> None:
    code = sorted(fifteen.locations)[0]
    text = export_text(compute(fifteen, 2025, location=code))
    ids = [*fifteen.families, *fifteen.volunteers, *fifteen.trajectories]
    assert not [rid for rid in ids if rid in text]
    assert "Demo volunteer" not in text and "name:" not in text
    data = export_data(compute(fifteen, 2025, location=code))
    assert data["format"] == EXPORT_FORMAT == "hs-kpi-export/2"
    assert "public" not in data
    assert all(isinstance(v, int) for v in data["referrers"].values())  # exact counts


@given(st.lists(st.lists(st.integers(0, 400), max_size=30), min_size=1, max_size=6))
def test_merged_histograms_give_the_median_and_p90_of_all_values(
        parts: list[list[int]]) -> None:
    """The national median and 90th percentile of merged histograms are those of all
    waiting times: the median as statistics.median, p90 the value at rank ceil(0.9 n)."""
    period = Period.of(2025)
    counts = []
    for i, days in enumerate(parts):
        w = WaitingDays.of(days)
        hist: dict[int, int] = {}
        for d in days:
            hist[d] = hist.get(d, 0) + 1
        counts.append(KpiCounts(2025, period, location=f"l{i}", waiting_days=w,
                                waiting_histogram=hist))
    merged = merge(counts).waiting_days
    values = sorted(d for days in parts for d in days)
    if not values:
        assert merged == WaitingDays()
        return
    median = statistics.median(values)
    assert merged.n == len(values)
    assert merged.median == (int(median) if float(median).is_integer() else round(median, 1))
    assert merged.p90 == values[math.ceil(len(values) * 9 / 10) - 1]


def test_nearest_rank_in_integers() -> None:
    """0.9 * 70 is 63.00000000000001 in floating point: the rank is 63, not 64."""
    w = WaitingDays.of(range(1, 71))
    assert w.p90 == 63


def test_an_export_round_trips(fifteen: Index) -> None:
    code = sorted(fifteen.locations)[0]
    counts = compute(fifteen, 2025, location=code)
    back = from_export(load_plain(export_text(counts)), "x.yaml")
    assert as_json(back) == as_json(counts)


def test_bad_export_files(tmp_path: Path) -> None:
    from hs.app.rollup import read_export

    with pytest.raises(InvalidExport, match="not an export file"):
        from_export({"format": "other"}, "x.yaml")
    with pytest.raises(InvalidExport, match="export it again"):
        from_export({"format": "hs-kpi-export/1"}, "x.yaml")
    with pytest.raises(InvalidExport, match="public export"):
        from_export({"format": EXPORT_FORMAT, "public": True}, "x.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("format: hs-kpi-export/2\nyear: [1\n", encoding="utf-8")
    with pytest.raises(InvalidExport, match=r"bad\.yaml:\d+:\d+"):
        read_export(bad)
    with pytest.raises(InvalidExport, match="cannot read"):
        read_export(tmp_path / "missing.yaml")


def test_merge_refuses_the_same_location_twice_and_other_years() -> None:
    a = KpiCounts(2025, Period.of(2025), location="a")
    with pytest.raises(InvalidExport, match="twice"):
        merge([a, a])
    with pytest.raises(InvalidExport, match="different years"):
        merge([a, KpiCounts(2024, Period.of(2024), location="b")])
    with pytest.raises(InvalidExport, match="different periods"):
        merge([a, KpiCounts(2025, Period.of(2025, dt.date(2025, 6, 30)), location="b")])


def test_extra_figures_travel_through_the_export_and_add_up(tmp_path: Path) -> None:
    """Figures kept in ``extra`` (a count, or code -> count) are exported, merged and
    shown under their own key, like the built-in ones."""
    from hs.app.suppress import suppress

    period = Period.of(2025)
    a = KpiCounts(2025, period, location="a",
                  extra={"intervision_attendances": 40, "events": {"online": 1, "module": 9}})
    b = KpiCounts(2025, period, location="b",
                  extra={"intervision_attendances": 2, "events": {"module": 3}})
    for c in (a, b):
        write_export(tmp_path / f"{c.location}.yaml", c)
    got = as_json(national([tmp_path]))
    assert got["intervision_attendances"] == 42
    assert got["events"] == {"online": 1, "module": 12}
    public = as_json(suppress(a))
    assert public["events"] == {"online": {"min": 1, "max": 4}, "module": 9}
    assert public["intervision_attendances"] == 40
