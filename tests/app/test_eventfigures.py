"""The figures of volunteer events and signals (hs.app.eventfigures) as `hs kpi` gives
them: each definition on hand-made records, per location and in total (the central
office's events in the total only), through an export and a merge, and on the demo."""

from __future__ import annotations

from pathlib import Path

import pytest

from hs.app.eventfigures import EventFigures, from_json
from hs.app.kpi import KpiCounts, as_json, compute, compute_by_location
from hs.app.rollup import export_data, from_export, merge
from hs.store.load import load_tree
from tests.conftest import write_record

HERENT = """\
schema_version: 1
name: Home-Start Herent
municipalities: [Herent]
active_from: 2019-01-01
"""


def figs(counts: KpiCounts) -> EventFigures:
    """The event and signal figures of ``counts`` (carried in ``KpiCounts.extra``)."""
    return from_json(counts.extra)


def vol(location: str, training: dict[str, str], start: str = "2024-01-01") -> str:
    lines = ["schema_version: 1", f"location: {location}", "gender: f", "birth_year: 1980"]
    if training:
        lines.append("training:")
        lines += [f"  {k}: {v}" for k, v in training.items()]
    lines += ["active:", f"- start: {start}"]
    return "\n".join(lines) + "\n"


MODULES = ("module-resilience", "module-attitude", "module-network")


def modules(*days: str) -> dict[str, str]:
    return dict(zip(MODULES, days, strict=False))


FAMILY = """\
schema_version: 1
location: {location}
referrals:
- date: 2024-06-01
  referrer: caw
  decisions:
  - date: 2024-06-05
    decision: accepted
signals:
{signals}"""


def family(location: str, *signals: tuple[str, str]) -> str:
    return FAMILY.format(location=location, signals="".join(
        f"- date: {day}\n  theme: {theme}\n" for day, theme in signals))


def trajectory(fam: str, kind: str, volunteer: str, start: str) -> str:
    return (f"schema_version: 1\nfamily: {fam}\nkind: {kind}\nstart: {start}\nvolunteers:\n"
            f"- volunteer: {volunteer}\n  start: {start}\n")


def event(kind: str, day: str, location: str | None, attendees: list[str],
          anonymous: int = 0, step: str | None = None) -> str:
    lines = ["schema_version: 1", f"kind: {kind}", f"date: {day}"]
    if location:
        lines.append(f"location: {location}")
    if step:
        lines.append(f"step: {step}")
    if attendees:
        lines.append(f"attendees: [{', '.join(attendees)}]")
    if anonymous:
        lines.append(f"anonymous: {anonymous}")
    return "\n".join(lines) + "\n"


@pytest.fixture
def tree(empty_repo: Path) -> Path:
    root = empty_repo
    write_record(root, "locations/herent.yaml", HERENT)
    # completed in 2025 (third module in 2025), in 2024, not at all (two modules)
    write_record(root, "volunteers/v0000000a.yaml",
                 vol("leuven", modules("2024-11-10", "2024-12-10", "2025-01-12")))
    write_record(root, "volunteers/v0000000b.yaml",
                 vol("leuven", modules("2024-10-01", "2024-10-08", "2024-10-15")))
    write_record(root, "volunteers/v0000000c.yaml",
                 vol("herent", modules("2025-03-01", "2025-03-08")))
    write_record(root, "volunteers/v0000000d.yaml",
                 vol("herent", modules("2025-02-01", "2025-02-08", "2025-02-15")))
    # first buddy trajectory: a in 2025 (after a starter one in 2024), b in 2024
    fams = {"f0000000a": family("leuven", ("2025-02-01", "housing"),
                                ("2025-03-01", "housing"), ("2024-12-01", "childcare")),
            "f0000000b": family("leuven", ("2025-05-01", "childcare")),
            "f0000000c": family("herent", ("2025-06-01", "housing"))}
    for fid, text in fams.items():
        write_record(root, f"families/{fid}.yaml", text)
    write_record(root, "trajectories/t0000000a.yaml",
                 trajectory("f0000000a", "starter", "v0000000a", "2024-07-01")
                 .replace("volunteers:", "end: 2025-03-31\nclose_reason: other\nvolunteers:"))
    write_record(root, "trajectories/t0000000b.yaml",
                 trajectory("f0000000a", "buddy", "v0000000a", "2025-04-01"))
    write_record(root, "trajectories/t0000000c.yaml",
                 trajectory("f0000000b", "buddy", "v0000000b", "2024-11-01"))
    write_record(root, "trajectories/t0000000d.yaml",
                 trajectory("f0000000c", "buddy", "v0000000d", "2025-05-01"))
    events = {
        "e0000000a": event("info-session", "2025-01-20", "leuven", ["v0000000a"], 5),
        "e0000000b": event("info-session", "2024-12-20", "leuven", [], 7),  # other year
        "e0000000c": event("info-session", "2025-02-20", "herent", [], 3),
        "e0000000d": event("intervision", "2025-03-20", "leuven", ["v0000000a", "v0000000b"]),
        "e0000000e": event("intervision", "2025-03-21", "herent", ["v0000000d"], 2),
        "e0000000f": event("module", "2025-02-15", "herent", ["v0000000d"],
                           step="module-network"),
        "e0000000g": event("online", "2025-04-01", None, ["v0000000a", "v0000000d"], 30),
    }
    for eid, text in events.items():
        write_record(root, f"events/{eid}.yaml", text)
    return root


def test_the_definitions(tree: Path) -> None:
    report = load_tree(tree, use_cache=False)
    assert report.problems == []
    got = as_json(compute(report.index, 2025))
    assert {k: got[k] for k in ("info_session_attendances", "start_training_completed",
                                "volunteers_started_buddy", "intervision_attendances",
                                "events", "signals", "signal_counts")} == {
        "info_session_attendances": 1 + 5 + 3,
        "start_training_completed": 2,  # a and d; b in 2024, c has two modules
        "volunteers_started_buddy": 2,  # a (its starter trajectory does not count) and d
        "intervision_attendances": 2 + 1 + 2,
        "events": {"info-session": 2, "module": 1, "intervision": 2, "online": 1,
                   "other": 0},
        "signals": {"housing": 2, "diagnosis": 0, "health-care": 0, "mental-health-care": 0,
                    "holiday-leisure": 0, "childcare": 1, "school-exclusion": 0,
                    "other": 0},
        "signal_counts": {"housing": 3, "diagnosis": 0, "health-care": 0,
                          "mental-health-care": 0, "holiday-leisure": 0, "childcare": 1,
                          "school-exclusion": 0, "other": 0},
    }


def test_per_location_and_the_central_office_in_the_total_only(tree: Path) -> None:
    index = load_tree(tree, use_cache=False).index
    total, parts = compute_by_location(index, 2025)
    leuven, herent = figs(parts["leuven"]), figs(parts["herent"])
    assert (leuven.info_session_attendances, herent.info_session_attendances) == (6, 3)
    assert (leuven.start_training_completed, herent.start_training_completed) == (1, 1)
    assert (leuven.events["online"], herent.events["online"], figs(total).events["online"]
            ) == (0, 0, 1)
    assert leuven + herent + EventFigures(events={"online": 1}) == figs(total)
    assert figs(compute(index, 2025, location="herent")) == herent


def test_exports_carry_the_figures_and_merge_exactly(tree: Path) -> None:
    index = load_tree(tree, use_cache=False).index
    parts = [from_export(export_data(compute(index, 2025, location=code)), code)
             for code in ("leuven", "herent")]
    merged = merge(parts)
    whole = compute(index, 2025)
    central = EventFigures(events={"online": 1})  # the central office's own export
    assert figs(merged) + central == figs(whole)
    assert from_json(figs(whole).as_json()) == figs(whole)
    with pytest.raises(ValueError, match="not a count"):
        from_json({"events": {"online": -1}})


def test_the_demo_shows_every_figure_in_the_report_s_proportions(demo_repo: Path) -> None:
    """The report (392 volunteers): 172 info-session attendances, 157 completed start
    trainings, 130 started as buddy, 581 intervision attendances, 3 online sessions.
    The demo has 62 volunteers in 2025, about a sixth."""
    got = as_json(compute(load_tree(demo_repo).index, 2025))
    assert got["volunteers"] == 62
    assert got["info_session_attendances"] == 23
    assert got["start_training_completed"] == 23
    assert got["volunteers_started_buddy"] == 21
    assert got["intervision_attendances"] == 98
    assert got["events"] == {"info-session": 8, "module": 15, "intervision": 16,
                             "online": 3, "other": 0}
    assert sum(got["signal_counts"].values()) == 18
    assert all(got["signals"][k] > 0 for k in ("housing", "diagnosis", "childcare"))
