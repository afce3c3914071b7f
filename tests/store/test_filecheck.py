"""The checks of one file (hs.store.filecheck): what a message may repeat of a file, and
text fields with control characters or only spaces."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from hs.records.problems import Problem, render
from hs.records.spec import KINDS, walk
from hs.store.filecheck import schema_problems
from hs.store.layout import RecordFile

BASE: dict[str, dict[str, Any]] = {
    "location": {"schema_version": 1, "name": "Home-Start Leuven", "municipalities":
                 ["Leuven"], "neighbours": {"Leuven": ["Herent"]}, "partner": "CAW",
                 "active_from": "2019-01-01", "active_until": None, "fte": 1.5},
    "family": {"schema_version": 1, "location": "leuven", "name": "A", "municipality":
               "Leuven", "household": {"adults": 2, "parent_birth_years": [1990]},
               "children": [{"born": "2023-04"}], "languages": ["nl"],
               "flags": ["newcomer"], "preferences": {"volunteer_gender": "f",
                                                      "half_days": ["mon-am"],
                                                      "dutch_practice": True},
               "referrals": [{"date": "2025-01-06", "referrer": "self",
                              "expecting": "2025-07", "decisions": [
                                  {"date": "2025-01-08", "decision": "refused",
                                   "reason": "other", "note": "n"}]}],
               "signals": [{"date": "2025-01-10", "theme": "housing", "note": "n"}],
               "note": "n"},
    "volunteer": {"schema_version": 1, "location": "leuven", "name": "B", "gender": "f",
                  "birth_year": 1980, "municipality": "Leuven", "languages": ["nl"],
                  "roles": ["buddy"], "availability": ["mon-am"], "capacity": 1,
                  "preferences": ["perinatal"], "training": {"info-session": "2024-01-01"},
                  "check_date": "2024-01-02", "active": [
                      {"start": "2024-02-01", "end": "2024-06-01", "stop_reason": "moved"}],
                  "note": "n"},
    "trajectory": {"schema_version": 1, "family": "f00000001", "kind": "buddy",
                   "start": "2025-02-01", "volunteers": [
                       {"volunteer": "v00000001", "start": "2025-02-01",
                        "end": "2025-03-01"}],
                   "visits": [{"date": "2025-02-01", "minutes": 60, "note": "n"}],
                   "reviews": [{"date": "2025-03-01", "kind": "start",
                                "scores": {"network": 3}, "note": "n"}],
                   "impact": {"start": {"network": 2}, "end": {"network": 3}},
                   "end": "2025-06-01", "close_reason": "goals-reached", "note": "n"},
    "event": {"schema_version": 1, "kind": "module", "date": "2025-04-18",
              "location": "leuven", "theme": "t", "step": "module-attitude",
              "attendees": ["v00000001"], "anonymous": 2},
}
IDS = {"location": "leuven", "family": "f00000001", "volunteer": "v00000001",
       "trajectory": "t00000001", "event": "e00000001"}
FOLDERS = {"location": "locations", "family": "families", "volunteer": "volunteers",
           "trajectory": "trajectories", "event": "events"}

#: Distinctive names and personal values as a coordinator might put them in the wrong
#: field: none of them may appear in any message.
NAMES = ["Zyxwo Brtzelmann", "Jan Qvistpeeters", "Qvist", "qvistpeeters@example.org",
         "Rue Qvist 12", "0470 12 34 5x"]


def problems_of(kind: str, data: dict[str, Any]) -> list[Problem]:
    rel = f"records/{FOLDERS[kind]}/{IDS[kind]}.yaml"
    text = json.dumps(data, ensure_ascii=False, indent=1)  # JSON is YAML
    return [p for p in schema_problems(RecordFile(kind, IDS[kind], rel, rel), text, data)
            if p.code != "schema-comment"]


def put(data: Any, path: tuple[str, ...], value: Any) -> bool:
    """Set the field at ``path`` (into the first item of each list) to ``value``."""
    node = data
    for part in path[:-1]:
        node = node.get(part) if isinstance(node, dict) else None
        if isinstance(node, list):
            node = node[0] if node else None
        if node is None:
            return False
    if not isinstance(node, dict):
        return False
    old = node.get(path[-1])
    if isinstance(old, list) and old and not isinstance(old[0], dict):
        node[path[-1]] = [value]  # one item of a list of values
    elif isinstance(old, dict) and old and all(not isinstance(v, dict) for v in old.values()):
        node[path[-1]] = {next(iter(old)): value}  # a mapping's value
    else:
        node[path[-1]] = value
    return True


def test_the_base_records_are_valid() -> None:
    for kind, data in BASE.items():
        assert [str(p) for p in problems_of(kind, data)] == [], kind


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_no_message_repeats_a_misplaced_name(kind: str) -> None:
    """A name (or an address, a phone number) typed into any field of any record: every
    message of hs validate, as text, JSON and GitHub annotations (which end up in CI
    logs), says where and what is wrong without repeating it."""
    seen = 0
    for path, _field in walk(KINDS[kind].group):
        for name in NAMES:
            data = copy.deepcopy(BASE[kind])
            if not put(data, path, name):
                continue
            problems = problems_of(kind, data)
            for fmt in ("text", "json", "github"):
                out = render(problems, fmt)
                for word in name.split():
                    assert len(word) < 4 or word not in out, (path, fmt, out)
            seen += 1
            # a mapping key too (training steps, scores, neighbours)
            data = copy.deepcopy(BASE[kind])
            for sub in (data.get(path[0]),):
                if isinstance(sub, dict) and sub and len(path) == 1:
                    sub[name] = next(iter(sub.values()))
                    out = render(problems_of(kind, data), "github")
                    assert "Qvist" not in out and "Zyxwo" not in out, (path, out)
    assert seen > 20


def test_a_value_of_the_fields_form_is_still_quoted() -> None:
    """A mistyped date, an out-of-range number or a code that is not one are quoted: they
    help to find the mistake and are not personal."""
    data = copy.deepcopy(BASE["family"])
    data["children"] = [{"born": "2023-13"}]
    data["household"]["adults"] = 25
    data["preferences"]["volunteer_gender"] = "q"
    out = [p.message for p in problems_of("family", data)]
    assert out == ["household.adults: must be at most 20 (got 25)",
                   "children[0].born: use a month as YYYY-MM, like 2023-05 (got '2023-13')",
                   "preferences.volunteer_gender: should be one of: f, m, x (got 'q')"]


@pytest.mark.parametrize("value", ["\x1b[2J", "Jan\x1b]0;pwned\x07", "a\x07b", "a\x9bb",
                                   "a\x7fb", "a\rb", "a\nb", "a\tb"])
def test_a_control_character_in_a_text_field_is_a_problem(value: str) -> None:
    data = copy.deepcopy(BASE["family"])
    data["name"] = value
    data["municipality"] = value
    msgs = [str(p) for p in problems_of("family", data)]
    assert [m.split(": ", 1)[1] for m in msgs] == [
        "error[invalid-value]: name: holds a control character (an escape sequence that "
        "can clear or retitle a terminal); remove it",
        "error[invalid-value]: municipality: holds a control character (an escape sequence "
        "that can clear or retitle a terminal); remove it"]
    assert "\x1b" not in "".join(msgs) and "Jan" not in "".join(msgs)


def test_a_note_keeps_line_breaks_and_tabs_but_no_other_control() -> None:
    data = copy.deepcopy(BASE["volunteer"])
    data["note"] = "first line\n\tsecond line"
    assert problems_of("volunteer", data) == []
    data["note"] = "first line\n\x1b[2J"
    assert [p.message for p in problems_of("volunteer", data)] == [
        "note: holds a control character (an escape sequence that can clear or retitle a "
        "terminal); remove it"]


def test_a_text_of_only_spaces_is_a_problem() -> None:
    data = copy.deepcopy(BASE["volunteer"])
    data["name"] = "   "
    data["note"] = " \n\t "
    assert [p.message for p in problems_of("volunteer", data)] == [
        "name: holds only spaces; give a value or remove the line",
        "note: holds only spaces; give a value or remove the line"]
