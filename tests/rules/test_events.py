"""The rules of events and signals (hs.rules.events) as `hs validate` reports them: each
problem at its line, and a valid event or signal says nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.test_validate import FAMILY, LINE, head, make_tree, run, sub

E = "records/events/e0000000a.yaml"
F = "records/families/f0000000a.yaml"
V2 = "records/volunteers/v0000000b.yaml"
EVENT = head("event") + """\
schema_version: 1
kind: intervision
date: 2025-03-10
location: leuven
attendees: [v0000000a]
"""
Case = tuple[dict[str, str | bytes | None], list[tuple[str, int, int, str, str]]]

CASES: dict[str, Case] = {
    "valid-event": ({E: EVENT}, []),
    "central-event-without-location": ({E: sub(EVENT, "location: leuven\n", "")}, []),
    "attendee-unknown": (
        {E: sub(EVENT, "[v0000000a]", "[v0000000a, vzzzzzzzz]")},
        [(E, 6, 24, "dangling-reference", "attendee vzzzzzzzz is not a volunteer of this tree")]),
    "attendee-twice": (
        {E: sub(EVENT, "[v0000000a]", "[v0000000a, v0000000a]")},
        [(E, 6, 24, "duplicate-attendee", "volunteer v0000000a is listed twice")]),
    "attendee-not-yet-registered": (
        {E: sub(EVENT, "2025-03-10", "2023-03-10")},
        [(E, 6, 13, "date-order", "volunteer v0000000a was not registered yet on "
          "2023-03-10 (first date in the record: 2024-01-01)")]),
    "info-session-first": (
        {E: sub(sub(EVENT, "2025-03-10", "2023-03-10"), "intervision", "info-session")}, []),
    "module-before-registration": (  # training may come first, as with hs volunteer train
        {E: sub(sub(EVENT, "2025-03-10", "2023-03-10"), "intervision\ndate: 2023-03-10\n"
                "location: leuven\n", "module\ndate: 2023-03-10\nlocation: leuven\n"
                "step: module-attitude\n")}, []),
    "module-without-step": (
        {E: sub(EVENT, "intervision", "module")},
        [(E, 3, 7, "impossible-transition",
          "a start-training module needs a step (a training step code)")]),
    "unknown-location": (
        {E: sub(EVENT, "location: leuven", "location: lier")},
        [(E, 5, 11, "dangling-reference", "location 'lier' does not exist")]),
    "signals-in-order": (
        {F: sub(FAMILY, "note:", "signals:\n- date: 2025-02-01\n  theme: housing\n"
                "- date: 2025-02-01\n  theme: childcare\n  migrated: true\nnote:")}, []),
    "signals-out-of-order-and-early": (
        {F: sub(FAMILY, "note:", "signals:\n- date: 2025-02-01\n  theme: housing\n"
                "- date: 2025-01-20\n  theme: childcare\n- date: 2024-12-01\n"
                "  theme: diagnosis\nnote:")},
        [(F, 19, 9, "date-order", "signal of 2025-01-20 comes after one of 2025-02-01: "
          "keep signals in date order"),
         (F, 21, 9, "date-order", "signal of 2024-12-01 comes after one of 2025-02-01: "
          "keep signals in date order")]),
    "signal-before-referral": (
        {F: sub(FAMILY, "note:", "signals:\n- date: 2024-12-01\n  theme: housing\nnote:")},
        [(F, 17, 9, "date-order", "signal of 2024-12-01 is before the family's first "
          "referral (2025-01-10)")]),
    "undated-signal-codes": (
        {F: sub(FAMILY, "note:", "signals: [housing]\nnote:")},
        [(F, 16, 11, "invalid-value", "signals[0]: should be a group of fields (key: value "
          "lines, indented); an undated signal code: 'hs migrate' dates "
          "it")]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_event_and_signal_rules(tmp_path: Path, name: str) -> None:
    files, expected = CASES[name]
    make_tree(tmp_path, files)
    code, lines, err = run(tmp_path)
    got = []
    for line in lines:
        m = LINE.match(line)
        assert m, line
        got.append((m["path"], int(m["line"]), int(m["col"]), m["code"], m["msg"]))
    assert got == expected, lines
    assert code == (1 if expected else 0), (lines, err)


def test_a_stopped_volunteer_cannot_have_attended(tmp_path: Path) -> None:
    stopped = sub(head("volunteer") + "schema_version: 1\nlocation: leuven\ngender: m\n"
                  "birth_year: 1970\nactive:\n- start: 2024-01-01\n  end: 2025-01-31\n"
                  "  stop_reason: work\n", "", "")
    make_tree(tmp_path, {V2: stopped, E: sub(EVENT, "[v0000000a]", "[v0000000a, v0000000b]")})
    code, lines, _ = run(tmp_path)
    assert code == 1
    assert lines == [f"{E}:6:24: error[date-order]: volunteer v0000000b had stopped on "
                     "2025-01-31, before the event on 2025-03-10"]
