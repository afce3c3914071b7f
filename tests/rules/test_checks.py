"""The rules across records take their quick paths only where nothing is to be said.

``hs.rules.checks`` looks a record's vocabulary codes up in sets first, and ``hs.rules.lifecycle``
skips a trajectory's visits when they are in order within its dates, and a volunteer's
capacity when there are no more assignments than the capacity. These cases are the
ones where a quick path must give way: each unknown code of every vocabulary a record
names, visits out of order and after the close, a capacity above 1 that is exceeded
and one that is not, an assignment whose trajectory lists the same volunteer twice.
``tests/cli/test_validate.py`` has the other rules.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.test_validate import (
    FAMILY,
    LINE,
    TRAJECTORY,
    VOLUNTEER,
    F,
    T,
    V,
    make_tree,
    run,
    sub,
)

CLOSED = sub(TRAJECTORY, "visits:", "end: 2025-03-01\nclose_reason: goals-reached\nvisits:")

NOT_ACCEPTED = "trajectory starts 2025-02-01 but family f0000000a is not accepted on that day"
Case = tuple[dict[str, str | bytes | None], list[tuple[str, int, int, str, str]]]

CASES: dict[str, Case] = {
    "unknown-signal": (
        {F: sub(FAMILY, "note:", "signals:\n- date: 2025-02-01\n  theme: housing\n"
                "- date: 2025-02-02\n  theme: hausing\nnote:")},
        [(F, 20, 10, "unknown-code",
          "'hausing' is not a code of signal_themes; did you mean 'housing'?")]),
    "unknown-event-kind-and-step": (
        {"records/events/e0000000a.yaml":
         "schema_version: 1\nkind: modul\ndate: 2025-03-01\nstep: module-juggling\n"},
        [("records/events/e0000000a.yaml", 2, 7, "unknown-code",
          "'modul' is not a code of event_kinds; did you mean 'module'?"),
         ("records/events/e0000000a.yaml", 4, 7, "impossible-transition",
          "only a start-training module (kind module) has a step"),
         ("records/events/e0000000a.yaml", 4, 7, "unknown-code",
          "'module-juggling' is not a code of training_steps; did you mean "
          "'module-resilience'?")]),
    "unknown-flag": (
        {F: sub(FAMILY, "[single-parent]", "[single-parent, singel]")},
        [(F, 9, 24, "unknown-code",
          "'singel' is not a code of profile_flags; did you mean 'single-parent'?")]),
    "unknown-withdrawal-reason": (
        {F: sub(FAMILY, "    decision: accepted",
                "    decision: withdrawn\n    reason: movd")},
        [(F, 16, 13, "unknown-code",
          "'movd' is not a code of withdrawal_reasons; did you mean 'moved'?"),
         (T, 5, 8, "impossible-transition", NOT_ACCEPTED)]),
    "unknown-refusal-reason": (
        {F: sub(FAMILY, "    decision: accepted", "    decision: refused\n    reason: nope")},
        [(F, 16, 13, "unknown-code",
          "'nope' is not a code of refusal_reasons; valid: outside-target-group, "
          "needs-other-help, referred-on, other"),
         (T, 5, 8, "impossible-transition", NOT_ACCEPTED)]),
    "unknown-referrer-second-referral": (
        {F: sub(FAMILY, "    decision: accepted",
                "    decision: refused\n    reason: other\n"
                "- date: 2025-01-25\n  referrer: nobody")},
        [(F, 18, 13, "unknown-code",
          "'nobody' is not a code of referrers; valid: kind-en-gezin, huis-van-het-kind, "
          "wijkgezondheidscentrum, ocj, caw, ocmw, huisarts, vroedvrouw, ziekenhuis, cgg, "
          "buurtwerk, ckg, ..."),
         (T, 5, 8, "impossible-transition", NOT_ACCEPTED)]),
    "unknown-stop-reason": (
        {V: VOLUNTEER + "  end: 2024-06-01\n  stop_reason: tired-of-it\n"},
        [(T, 7, 14, "inactive-volunteer",
          "volunteer v0000000a is not active on 2025-02-01"),
         (V, 11, 16, "unknown-code",
          "'tired-of-it' is not a code of stop_reasons; valid: personal, work, health, "
          "moved, other")]),
    "unknown-preference": (
        {V: VOLUNTEER + "preferences: [perinatal, knitting]\n"},
        [(V, 10, 26, "unknown-code",
          "'knitting' is not a code of volunteer_preferences; valid: perinatal, "
          "young-children, older-children, complex, other")]),
    "unknown-training-step": (
        {V: VOLUNTEER + "training:\n  module-juggling: 2024-01-01\n"},
        [(V, 11, 3, "unknown-code",
          "'module-juggling' is not a code of training_steps; did you mean "
          "'module-resilience'?")]),
    "unknown-close-reason": (
        {T: sub(CLOSED, "goals-reached", "goals-reachd")},
        [(T, 10, 15, "unknown-code",
          "'goals-reachd' is not a code of close_reasons; did you mean 'goals-reached'?")]),
    "unknown-impact-domain": (
        {T: TRAJECTORY + "impact:\n  start:\n    wellbeing: 3\n    wellbeeing: 4\n"
                         "  end:\n    moods: 2\n"},
        [(T, 15, 5, "unknown-code",
          "'wellbeeing' is not a code of impact_domains; did you mean 'wellbeing'?"),
         (T, 17, 5, "unknown-code",
          "'moods' is not a code of impact_domains; valid: network, self-confidence, "
          "self-reliance, future, participation, local-services, school-culture, mobility, "
          "housing, income, atmosphere, wellbeing, ...")]),
    "visits-out-of-order": (
        {T: TRAJECTORY + "- date: 2025-02-15\n- date: 2025-02-10\n"},
        [(T, 13, 9, "date-order",
          "visit on 2025-02-10 is listed after a later one; keep visits in date order")]),
    "visit-after-close": (
        {T: CLOSED + "- date: 2025-03-02\n"},
        [(T, 14, 9, "date-order", "visit on 2025-03-02 is after the close 2025-03-01")]),
    "visit-before-start-and-out-of-order": (
        {T: sub(TRAJECTORY, "- date: 2025-02-01\n",
                "- date: 2025-02-09\n- date: 2025-01-31\n")},
        [(T, 11, 9, "date-order", "visit on 2025-01-31 is before the start 2025-02-01"),
         (T, 12, 9, "date-order",
          "visit on 2025-02-08 is listed after a later one; keep visits in date order")]),
    "capacity-2-exceeded": (
        {V: VOLUNTEER + "capacity: 2\n",
         "records/families/f0000000b.yaml": FAMILY,
         "records/families/f0000000c.yaml": FAMILY,
         "records/trajectories/t0000000b.yaml": sub(TRAJECTORY, "f0000000a", "f0000000b"),
         "records/trajectories/t0000000c.yaml": sub(TRAJECTORY, "f0000000a", "f0000000c")},
        [("records/trajectories/t0000000c.yaml", 7, 14, "over-capacity",
          "volunteer v0000000a has 3 families on 2025-02-01; capacity is 2")]),
    "capacity-2-kept": (
        {V: VOLUNTEER + "capacity: 2\n",
         "records/families/f0000000b.yaml": FAMILY,
         "records/trajectories/t0000000b.yaml": sub(TRAJECTORY, "f0000000a", "f0000000b")},
        []),
    "same-volunteer-twice-in-one-trajectory": (
        {T: sub(TRAJECTORY, "  start: 2025-02-01\n",
                "  start: 2025-02-01\n- volunteer: v0000000a\n  start: 2025-02-05\n")},
        [(T, 9, 14, "over-capacity",
          "volunteer v0000000a has 2 families on 2025-02-05; capacity is 1"),
         (T, 10, 10, "impossible-transition",
          "a second volunteer while the one above has no end (to replace, end the first one)")]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_quick_paths_give_way(tmp_path: Path, name: str) -> None:
    files, expected = CASES[name]
    make_tree(tmp_path, files)
    code, lines, err = run(tmp_path)
    got = []
    for line in lines:
        m = LINE.match(line)
        assert m, line
        if m["code"] != "schema-comment":
            got.append((m["path"], int(m["line"]), int(m["col"]), m["code"], m["msg"]))
    assert got == expected, lines
    assert code == (1 if expected else 0), (lines, err)


# --- the two halves of the rules, in two processes ------------------------------------------


def _tree_problems(root: Path, parallel: bool) -> list[tuple[object, ...]]:
    from hs.app.validation import tree_problems
    from hs.records.problems import sort_key
    from hs.store.load import load_tree

    report = load_tree(root, use_cache=False)
    found = tree_problems(root, report.entries, report.index, parallel=parallel)
    return [(p.path, p.line, p.col, p.code, p.message, p.severity)
            for p in sorted(found, key=sort_key)]


def _every_case_at_once() -> dict[str, str | bytes | None]:
    """One tree with a problem of each half: a stray file, an unknown code of each kind of
    record, a duplicate ID, trajectory, capacity and location rules."""
    return {
        F: sub(FAMILY, "[single-parent]", "[single-parent, singel]"),
        V: VOLUNTEER + "preferences: [perinatal, knitting]\n",
        T: sub(CLOSED, "goals-reached", "goals-reachd") + "- date: 2025-03-02\n",
        "records/families/f0000000b.yaml": FAMILY,
        "records/trajectories/t0000000b.yaml": sub(TRAJECTORY, "f0000000a", "f0000000b"),
        "records/families/old/f0000000b.yaml": FAMILY,
        "records/famlies/f0000000d.yaml": FAMILY,
    }


@pytest.mark.parametrize("name", [*CASES, "all-at-once"])
def test_two_processes_find_what_one_finds(tmp_path: Path, name: str) -> None:
    files = _every_case_at_once() if name == "all-at-once" else CASES[name][0]
    make_tree(tmp_path, files)
    one = _tree_problems(tmp_path, parallel=False)
    assert _tree_problems(tmp_path, parallel=True) == one
    if name == "all-at-once":  # both halves had something to say
        codes = {p[3] for p in one}
        assert {"unknown-code", "stray-file", "duplicate-id", "over-capacity",
                "date-order"} <= codes, one


def test_the_halves_together_are_every_rule(tmp_path: Path) -> None:
    from hs.rules import checks, lifecycle
    from hs.store.filecheck import Locator
    from hs.store.load import load_tree

    make_tree(tmp_path, _every_case_at_once())
    report = load_tree(tmp_path, use_cache=False)
    index, at = report.index, Locator(tmp_path)
    every = lifecycle.tree_rules(at, index)
    halves = lifecycle.tree_rules(at, index, 0) + lifecycle.tree_rules(at, index, 1)
    assert sorted(map(str, halves)) == sorted(map(str, every)) and every
    whole = checks._code_problems(at, index)
    assert sorted(map(str, checks._code_problems(at, index, 0)
                      + checks._code_problems(at, index, 1))) == sorted(map(str, whole))
    assert len(whole) == 3


# --- impossible facts ----------------------------------------------------------------------


def test_impossible_facts_are_problems(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                       ) -> None:
    """A child born after today, a volunteer or a parent born after this year, an expected
    birth long before the referral: each one problem at its line; today is HS_TODAY."""
    monkeypatch.setenv("HS_TODAY", "2025-06-15")
    make_tree(tmp_path, {
        F: sub(sub(FAMILY, "- born: 2023-05", "- born: 2023-05\n- born: 2025-07\n"
                   "household:\n  parent_birth_years: [1990, 2026]"),
               "  referrer: kind-en-gezin", "  referrer: kind-en-gezin\n  expecting: 2024-11"),
        V: sub(VOLUNTEER, "birth_year: 1980", "birth_year: 2030"),
    })
    code, lines, _ = run(tmp_path)
    assert code == 1
    assert [line.split(": ", 1)[1] for line in lines] == [
        "error[impossible-fact]: a child born in 2025-07, after today (2025-06-15): a child "
        "on the way is the referral's 'expecting'",
        "error[impossible-fact]: birth year 2026 is after this year (2025)",
        "error[impossible-fact]: the expected birth (2024-11) is long before the referral "
        "(2025-01-10); a child born by then goes under children",
        "error[impossible-fact]: birth year 2030 is after this year (2025)"]
    assert [line.split(": ", 1)[0] for line in lines] == [
        f"{F}:8:9", f"{F}:10:30", f"{F}:16:14", f"{V}:5:13"]
    # the month of today, a birth due last month, a volunteer born this year: possible
    make_tree(tmp_path, {
        F: sub(sub(FAMILY, "- born: 2023-05", "- born: 2025-06"),
               "  referrer: kind-en-gezin", "  referrer: kind-en-gezin\n  expecting: 2024-12"),
        V: sub(VOLUNTEER, "birth_year: 1980", "birth_year: 2025"),
    })
    assert run(tmp_path)[:2] == (0, [])
