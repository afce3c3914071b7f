"""A dated item inserted as text (:func:`hs.store.insert.insert_dated`) gives exactly the
text of the round trip (ruamel.yaml and the splice, as the workflow edits), or declines."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hs.app.workflow import _node
from hs.store.insert import insert_dated
from hs.store.splice import splice
from hs.store.yamlio import load_document
from tests.conftest import ROOT

TRAJECTORIES = [p.read_text(encoding="utf-8")
                for p in sorted((ROOT / "records" / "trajectories").glob("*.yaml"))]


def round_trip(text: str, key: str, item: dict[str, Any]) -> str:
    """What the workflow writes without the insertion (plan_record_visit's round trip)."""
    doc = load_document(text)
    old = copy.deepcopy(doc)
    items = doc[key]
    day = dt.date.fromisoformat(item["date"])
    pos = len(items)
    while pos > 0 and dt.date.fromisoformat(str(items[pos - 1]["date"])) > day:
        pos -= 1
    items.insert(pos, _node({**item, "date": day}))
    return splice(text, doc, old)


def _days(text: str) -> list[str]:
    doc = load_document(text)
    days = sorted({str(v["date"]) for v in doc.get("visits") or []})
    out = set(days[:1] + days[-1:] + days[len(days) // 2:len(days) // 2 + 1])
    for d in list(out):
        day = dt.date.fromisoformat(d)
        out.update(str(day + dt.timedelta(days=n)) for n in (-1, 1))
    return sorted(out) or ["2025-06-01"]


@pytest.mark.parametrize(("start", "step"), [
    (0, 20), *(pytest.param(start, 2, marks=pytest.mark.slow) for start in (0, 1))])
def test_every_demo_trajectory_as_the_round_trip_writes_it(start: int, step: int) -> None:
    """Every twentieth demo trajectory in the default run (a minute and more for all of
    them: the slow tier, in two halves that run on two cores)."""
    taken = 0
    for text in TRAJECTORIES[start::step]:
        for day in _days(text):
            for item in ({"date": day}, {"date": day, "minutes": 90}):
                fast = insert_dated(text, "visits", item)
                if fast is not None:
                    taken += 1
                    assert fast == round_trip(text, "visits", item), (text, item)
    assert taken > 500 // step  # the demo's layout is the plain one


SAMPLE = """\
# yaml-language-server: $schema=../../schemas/trajectory.schema.json
schema_version: 1
family: f3kq7p2xm
kind: buddy
start: 2025-02-11
volunteers:
- volunteer: v3kq7p2xm
  start: 2025-02-11
visits:
- date: 2025-02-11
  minutes: 120
- date: 2025-02-18
- date: 2025-02-25
  minutes: 90
reviews:
- date: 2025-03-01
  kind: start
"""


def test_it_declines_what_is_not_the_plain_layout() -> None:
    item = {"date": "2025-02-20"}
    assert insert_dated(SAMPLE, "visits", item) is not None
    for text in (
        SAMPLE.replace("- date: 2025-02-18\n", "- date: 2025-02-18\n# a comment\n"),
        SAMPLE.replace("- date: 2025-02-18\n", "- date: 2025-02-18\n\n"),
        SAMPLE.replace("visits:\n", "visits: # the visits\n"),
        SAMPLE.replace("- date: 2025-02-18\n", "- minutes: 30\n  date: 2025-02-18\n"),
        SAMPLE.replace("- date: 2025-02-18\n", "- date: '2025-02-18'\n"),
        SAMPLE.replace("  minutes: 90\n", "  note: |\n    two\n    lines\n"),
        SAMPLE.replace("reviews:\n", "# reviews\nreviews:\n"),
        SAMPLE.replace("\n", "\r\n"),
        SAMPLE.rstrip("\n"),
        SAMPLE.replace("visits:\n- date: 2025-02-11\n  minutes: 120\n", ""),
    ):
        assert insert_dated(text, "visits", item) is None, text
    assert insert_dated(SAMPLE, "visits", {"date": "2025-02-20", "note": "x y"}) is None
    assert insert_dated(SAMPLE, "visits", {"minutes": 5, "date": "2025-02-20"}) is None


_LINE = st.sampled_from(["  minutes: 60\n", "  note: a note\n", "  minutes: 1440\n"])


@st.composite
def _layouts(draw: st.DrawFn) -> str:
    """The sample with other indentations, items, fields and what follows the list."""
    pad = " " * draw(st.sampled_from([0, 2, 4]))
    days = sorted(draw(st.lists(st.dates(dt.date(2025, 2, 11), dt.date(2025, 12, 31)),
                                min_size=1, max_size=6)))
    items = "".join(f"{pad}- date: {d}\n" + "".join(pad + line for line in draw(
        st.lists(_LINE, max_size=2, unique=True))) for d in days)
    tail = draw(st.sampled_from(["reviews:\n- date: 2025-03-01\n  kind: start\n", "",
                                 "end: 2025-12-31\nclose_reason: other\n",
                                 "# the end\n"]))
    head = SAMPLE[:SAMPLE.index("visits:\n")]
    return f"{head}visits:\n{items}{tail}"


@settings(max_examples=50)
@given(_layouts(), st.dates(dt.date(2025, 2, 1), dt.date(2026, 1, 31)),
       st.sampled_from([None, 45]))
def test_generated_layouts_insert_as_the_round_trip(text: str, day: dt.date,
                                                    minutes: int | None) -> None:
    item: dict[str, Any] = {"date": str(day)}
    if minutes is not None:
        item["minutes"] = minutes
    fast = insert_dated(text, "visits", item)
    if fast is not None:
        assert fast == round_trip(text, "visits", item)


@pytest.mark.slow
@settings(max_examples=150)
@given(_layouts(), st.dates(dt.date(2025, 2, 1), dt.date(2026, 1, 31)),
       st.sampled_from([None, 45]))
def test_generated_layouts_insert_as_the_round_trip_more(text: str, day: dt.date,
                                                         minutes: int | None) -> None:
    """The slow tier: the same property on 150 examples instead of 50."""
    test_generated_layouts_insert_as_the_round_trip.hypothesis.inner_test(text, day, minutes)
