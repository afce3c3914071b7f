"""The record-aware three-way merge (:mod:`hs.store.merge`): unit cases and properties."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from hs.records import spec
from hs.store.layout import classify
from hs.store.merge import MISSING, Side, Unmergeable, merge_record, set_at
from hs.store.read import parse_file
from hs.store.yamlio import dump_document, load_document, load_plain, new_document, to_document

ROOT = Path("/nonexistent-tree")
ANN = Side("Ann", "2026-01-10")
BERT = Side("Bert", "2026-01-11")

HEAD = """\
# a trajectory
schema_version: 1
family: f3kq7p2xm
kind: buddy
start: 2025-01-01
volunteers:
- volunteer: v3kq7p2xm
  start: 2025-01-01
"""


def traj(*visits: str) -> str:
    return HEAD + ("visits:\n" + "".join(visits) if visits else "")


def visit(day: str, minutes: int | None = None, note: str | None = None) -> str:
    return (f"- date: {day}\n" + (f"  minutes: {minutes}\n" if minutes else "")
            + (f"  note: {note}\n" if note else ""))


def valid(text: str) -> bool:
    rf = classify(ROOT, ROOT / "records/trajectories/t3kq7p2xm.yaml")
    assert rf is not None
    return not parse_file(rf, text.encode()).problems


def test_the_same_visit_on_both_sides_is_one_and_other_visits_join() -> None:
    base = traj(visit("2025-02-01", 60))
    ours = traj(visit("2025-02-01", 60), visit("2025-02-08", 45))
    theirs = traj(visit("2025-02-01", 60), visit("2025-02-08", 45), visit("2025-02-15"))
    got = merge_record(base, ours, theirs, "trajectory", ANN, BERT)
    assert got.text == theirs and got.conflicts == []


def test_differing_minutes_of_one_visit_are_a_conflict_kept_in_the_record() -> None:
    base = traj(visit("2025-02-01", 60))
    ours = traj(visit("2025-02-01", 60), visit("2025-02-08", 45))
    theirs = traj(visit("2025-02-01", 60), visit("2025-02-08", 50, "ok"))
    got = merge_record(base, ours, theirs, "trajectory", ANN, BERT)
    assert got.conflicts == ["visits[2025-02-08].minutes"]
    assert got.text == traj(visit("2025-02-01", 60), visit("2025-02-08", 45, "ok")) + (
        "conflicts:\n- field: visits[2025-02-08].minutes\n  values:\n"
        "  - value: 45\n    author: Ann\n    date: 2026-01-10\n"
        "  - value: 50\n    author: Bert\n    date: 2026-01-11\n")
    assert valid(got.text)


def test_fields_edited_on_each_side_merge_and_comments_stay() -> None:
    base = HEAD + "note: x   # keep me\n"
    ours = HEAD.replace("kind: buddy", "kind: starter  # the kind") + "note: x   # keep me\n"
    theirs = HEAD + "note: x   # keep me\nend: 2025-06-01\nclose_reason: goals-met\n"
    got = merge_record(base, ours, theirs, "trajectory", ANN, BERT)
    assert got.conflicts == []
    assert "kind: starter  # the kind" in got.text and "note: x   # keep me" in got.text
    assert load_plain(got.text)["close_reason"] == "goals-met"


def test_a_deletion_on_one_side_is_a_deletion() -> None:
    base = traj(visit("2025-02-01"), visit("2025-02-08"))
    ours = traj(visit("2025-02-01"))
    theirs = traj(visit("2025-02-01"), visit("2025-02-08"), visit("2025-02-15"))
    got = merge_record(base, ours, theirs, "trajectory", ANN, BERT)
    assert [v["date"] for v in load_plain(got.text)["visits"]] == ["2025-02-01",
                                                                    "2025-02-15"]


def test_a_conflict_in_a_file_without_a_spec_is_left_to_git() -> None:
    try:
        merge_record("a: 1\n", "a: 2\n", "a: 3\n", None, ANN, BERT)
    except Unmergeable:
        return
    raise AssertionError("merged")


# --- properties ---------------------------------------------------------------------------

DAYS = [(dt.date(2025, 2, 1) + dt.timedelta(days=i)).isoformat() for i in range(12)]
visits_st = st.dictionaries(st.sampled_from(DAYS), st.sampled_from([None, 30, 60]),
                            max_size=6)


def text_of(vs: dict[str, Any]) -> str:
    data = load_plain(HEAD)
    if vs:
        data["visits"] = [{"date": d, **({"minutes": m} if m else {})}
                          for d, m in sorted(vs.items())]
    return "# a trajectory\n" + new_document(data)


@given(visits_st, visits_st, visits_st)
def test_merging_always_gives_a_valid_record_with_every_visit(
        b: dict[str, Any], o: dict[str, Any], t: dict[str, Any]) -> None:
    # sides that only add visits and change minutes (no removals)
    o, t = {**b, **o}, {**b, **t}
    base, ours, theirs = text_of(b), text_of(o), text_of(t)
    got = merge_record(base, ours, theirs, "trajectory", ANN, BERT)
    assert valid(got.text)
    days = {v["date"] for v in load_plain(got.text).get("visits", [])}
    assert days == set(o) | set(t)
    other = merge_record(base, theirs, ours, "trajectory", BERT, ANN)
    assert sorted(got.conflicts) == sorted(other.conflicts)
    if not got.conflicts:  # symmetric where nothing conflicts
        assert load_plain(got.text) == load_plain(other.text)


@given(visits_st, visits_st)
def test_a_side_without_change_gives_the_other_side(b: dict[str, Any],
                                                    o: dict[str, Any]) -> None:
    base, ours = text_of(b), text_of(o)
    assert merge_record(base, ours, base, "trajectory", ANN, BERT).text == ours
    assert merge_record(base, base, ours, "trajectory", ANN, BERT).text == ours


def test_a_conflict_path_names_the_field_hs_resolve_sets() -> None:
    text = traj(visit("2025-02-01", 60), visit("2025-02-01", 30), visit("2025-02-08"))
    doc = load_document(text)
    group = spec.KINDS["trajectory"].group
    set_at(doc, group, "visits[2025-02-01#2].minutes", 45, to_document)
    set_at(doc, group, "visits[2025-02-08]", MISSING, to_document)
    set_at(doc, group, "note", "mended", to_document)
    assert [v.get("minutes") for v in load_plain(dump_document(doc))["visits"]] == [60, 45]
    assert load_plain(dump_document(doc))["note"] == "mended"


def test_an_entry_removed_on_one_side_and_changed_on_the_other_is_kept_as_a_conflict(
        ) -> None:
    base = traj(visit("2025-02-01"), visit("2025-02-08"))
    ours = traj(visit("2025-02-01"))
    theirs = traj(visit("2025-02-01"), visit("2025-02-08", 50))
    got = merge_record(base, ours, theirs, "trajectory", ANN, BERT)
    assert got.conflicts == ["visits[2025-02-08]"]
    data = load_plain(got.text)
    assert len(data["visits"]) == 1  # ours: removed
    assert data["conflicts"][0]["values"] == [
        {"author": "Ann", "date": "2026-01-10"},
        {"value": {"date": "2025-02-08", "minutes": 50}, "author": "Bert",
         "date": "2026-01-11"}]
    assert valid(got.text)
