"""`hs validate`: every problem, one line each, at the right place; nothing changed.

The big table below holds malformed records of many kinds (file, schema and tree
level). For each: exit code 1, exactly the expected problems (code, file, line and
column, all 1-based), one line per problem, no traceback, every file byte for byte as
it was.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hs.cli import app
from hs.records.schemas import schema_line

runner = CliRunner()
DATA = Path(__file__).resolve().parents[2] / "hs" / "data"

LINE = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+):(?P<col>\d+): "
                  r"(?P<sev>error|warning)\[(?P<code>[a-z-]+)\]: (?P<msg>\S.*)$")


def head(kind: str, depth: int = 2) -> str:
    return schema_line(kind, depth) + "\n"


LEUVEN = head("location") + """\
schema_version: 1
name: Home-Start Leuven
municipalities: [Leuven, Herent]
active_from: 2019-01-01
"""
VOLUNTEER = head("volunteer") + """\
schema_version: 1
location: leuven
gender: f
birth_year: 1980
languages: [nl, fr]
availability: [mon-am, thu-pm]
active:
- start: 2024-01-01
"""
FAMILY = head("family") + """\
schema_version: 1
location: leuven
name: Familie Janssens
municipality: Leuven
children:
- born: 2023-05
languages: [nl]
flags: [single-parent]
referrals:
- date: 2025-01-10
  referrer: kind-en-gezin
  decisions:
  - date: 2025-01-20
    decision: accepted
note: Mother works part-time.
"""
TRAJECTORY = head("trajectory") + """\
schema_version: 1
family: f0000000a
kind: buddy
start: 2025-02-01
volunteers:
- volunteer: v0000000a
  start: 2025-02-01
visits:
- date: 2025-02-01
- date: 2025-02-08
"""
F = "records/families/f0000000a.yaml"
V = "records/volunteers/v0000000a.yaml"
T = "records/trajectories/t0000000a.yaml"


def make_tree(root: Path, files: dict[str, str | bytes | None]) -> None:
    """A valid tree (one location, volunteer, family, trajectory) changed by ``files``
    (relative path -> new text or bytes; None removes the file)."""
    base: dict[str, str | bytes | None] = {
        "records/config.yaml": (DATA / "config.yaml").read_text(encoding="utf-8"),
        "records/vocabularies.yaml": (DATA / "vocabularies.yaml").read_text(encoding="utf-8"),
        "records/locations/leuven.yaml": LEUVEN,
        V: VOLUNTEER,
        F: FAMILY,
        T: TRAJECTORY,
    }
    base.update(files)
    for rel, content in base.items():
        if content is None:
            continue
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted((root / "records").rglob("*")) if p.is_file()}


def run(root: Path, *args: str) -> tuple[int, list[str], str]:
    result = runner.invoke(app, ["validate", "--repo", str(root), *args])
    return result.exit_code, result.stdout.splitlines(), result.stderr


def parsed(lines: list[str]) -> list[tuple[str, int, int, str, str]]:
    out = []
    for line in lines:
        m = LINE.match(line)
        assert m, line
        out.append((m["path"], int(m["line"]), int(m["col"]), m["sev"], m["code"]))
    return out


def test_the_base_tree_is_clean(tmp_path: Path) -> None:
    make_tree(tmp_path, {})
    code, lines, err = run(tmp_path)
    assert (code, lines) == (0, [])
    assert err == "checked 6 files: no problems\n"


def sub(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


Case = tuple[dict[str, str | bytes | None], list[tuple[str, int, int, str]]]

CASES: dict[str, Case] = {
    # --- file level -----------------------------------------------------------------------
    "file-too-large": ({F: FAMILY + "# " + "x" * 600_000 + "\n"},
                       [(F, 1, 1, "file-too-large")]),
    "not-utf8": ({F: FAMILY.encode().replace(b"Janssens", b"Jan\xffsens")},
                 [(F, 4, 18, "encoding")]),
    "control-character": ({F: sub(FAMILY, "Leuven", "Leu\x07ven")},
                          [(F, 5, 18, "control-character")]),
    "byte-order-mark": ({F: "\ufeff" + FAMILY}, [(F, 1, 1, "control-character")]),
    "empty-file": ({F: "\n  \n"}, [(F, 1, 1, "empty-file")]),
    "only-comments": ({F: "# nothing here\n"}, [(F, 1, 1, "not-a-mapping")]),
    "bad-indentation": ({F: sub(FAMILY, "municipality: Leuven", " municipality: Leuven")},
                        [(F, 5, 14, "yaml-syntax")]),
    "unclosed-quote": ({F: sub(FAMILY, "name: Familie Janssens", 'name: "Familie Janssens')},
                       [(F, 4, 7, "yaml-syntax")]),
    "tab-indentation": ({F: sub(FAMILY, "  referrer:", "\treferrer:")},
                        [(F, 12, 1, "yaml-syntax")]),
    "colon-in-value": ({F: sub(FAMILY, "note: Mother works part-time.",
                               "note: Mother: works part-time.")},
                       [(F, 16, 13, "yaml-syntax")]),
    "duplicate-key": ({F: sub(FAMILY, "languages: [nl]", "languages: [nl]\nlocation: leuven")},
                      [(F, 9, 1, "duplicate-key")]),
    "duplicate-nested-key": ({F: sub(FAMILY, "    decision: accepted",
                                     "    decision: accepted\n    date: 2025-01-21")},
                             [(F, 16, 5, "duplicate-key")]),
    "anchor": ({F: sub(FAMILY, "languages: [nl]", "languages: &l [nl]")},
               [(F, 8, 12, "anchor")]),
    "alias": ({F: sub(FAMILY, "flags: [single-parent]", "flags: *l")}, [(F, 9, 8, "alias")]),
    "tag": ({F: sub(FAMILY, "municipality: Leuven", "municipality: !!str Leuven")},
            [(F, 5, 15, "tag")]),
    "several-documents": ({F: FAMILY + "---\nschema_version: 1\n"},
                          [(F, 17, 1, "several-documents")]),
    "directive": ({F: "%YAML 1.1\n---\n" + FAMILY}, [(F, 1, 1, "directive")]),
    "complex-key": ({F: FAMILY + "? [a, b]\n: c\n"}, [(F, 17, 3, "complex-key")]),
    "too-deep": ({F: FAMILY + "deep: " + "[" * 400 + "]" * 400 + "\n"},
                 [(F, 17, 1, "too-deep")]),
    # --- schema level ---------------------------------------------------------------------
    "not-a-mapping": ({F: head("family") + "- schema_version: 1\n"},
                      [(F, 1, 1, "not-a-mapping")]),
    "schema-version-missing": ({F: sub(FAMILY, "schema_version: 1\n", "")},
                               [(F, 2, 1, "schema-version")]),
    "schema-version-other": ({F: sub(FAMILY, "schema_version: 1", "schema_version: 2")},
                             [(F, 2, 17, "schema-version")]),
    "unknown-field": ({F: sub(FAMILY, "municipality:", "municipalty:")},
                      [(F, 5, 1, "unknown-field")]),
    "unknown-nested-field": ({F: sub(FAMILY, "  referrer: kind-en-gezin",
                                     "  referrer: kind-en-gezin\n  remark: urgent")},
                             [(F, 13, 3, "unknown-field")]),
    "missing-field": ({V: sub(VOLUNTEER, "gender: f\n", "")}, [(V, 2, 1, "missing-field")]),
    "missing-nested-field": ({F: sub(FAMILY, "- date: 2025-01-10\n  referrer",
                                     "- referrer")},
                             [(F, 11, 3, "missing-field")]),
    "not-a-date": ({F: sub(FAMILY, "2025-01-20", "2025-02-30")},
                   [(F, 14, 11, "invalid-value")]),
    "number-for-text": ({F: sub(FAMILY, "municipality: Leuven", "municipality: 3000")},
                        [(F, 5, 15, "invalid-value")]),
    "leading-zero-code": ({F: sub(FAMILY, "flags: [single-parent]", "flags: [007]")},
                          [(F, 9, 9, "invalid-value")]),
    "not-one-of": ({V: sub(VOLUNTEER, "gender: f", "gender: q")},
                   [(V, 4, 9, "invalid-value")]),
    "not-a-list": ({V: sub(VOLUNTEER, "languages: [nl, fr]", "languages: nl")},
                   [(V, 6, 12, "invalid-value")]),
    "out-of-range": ({V: sub(VOLUNTEER, "birth_year: 1980", "birth_year: 1980\ncapacity: 20")},
                     [(V, 6, 11, "invalid-value")]),
    "bad-half-day": ({V: sub(VOLUNTEER, "thu-pm", "thursday")},
                     [(V, 7, 24, "invalid-value")]),
    "bad-file-name": ({"records/families/family-1.yaml": FAMILY},
                      [("records/families/family-1.yaml", 1, 1, "bad-id")]),
    "decision-without-reason": ({F: sub(FAMILY, "decision: accepted", "decision: refused")},
                                [(F, 15, 15, "invalid-value")]),
    "bad-code": ({F: sub(FAMILY, "[single-parent]", "[Single Parent]")},
                 [(F, 9, 9, "invalid-value")]),
    "empty-value": ({F: sub(FAMILY, "referrer: kind-en-gezin", "referrer:")},
                    [(F, 12, 3, "invalid-value")]),
    "bad-month": ({F: sub(FAMILY, "born: 2023-05", "born: 2023-5")},
                  [(F, 7, 9, "invalid-value")]),
    "bad-reference-id": ({T: sub(TRAJECTORY, "volunteer: v0000000a", "volunteer: v1")},
                         [(T, 7, 14, "invalid-value")]),
    "closed-without-reason": ({T: TRAJECTORY + "end: 2025-03-01\n"},
                              [(T, 12, 6, "invalid-value")]),
    # --- tree level -----------------------------------------------------------------------
    "unknown-location": ({V: sub(VOLUNTEER, "location: leuven", "location: lueven")},
                         [(V, 3, 11, "dangling-reference")]),
    "unknown-volunteer": ({T: sub(TRAJECTORY, "volunteer: v0000000a", "volunteer: v0000000b")},
                          [(T, 7, 14, "dangling-reference")]),
    "duplicate-id": ({"records/families/archive/f0000000a.yaml": FAMILY},
                     [("records/families/archive/f0000000a.yaml", 1, 1, "duplicate-id")]),
    "unknown-code": ({F: sub(FAMILY, "referrer: kind-en-gezin", "referrer: kind-en-gezn")},
                     [(F, 12, 13, "unknown-code")]),
    "visit-before-start": ({T: sub(TRAJECTORY, "- date: 2025-02-08", "- date: 2025-01-08")},
                           [(T, 11, 9, "date-order")]),
    "decision-before-referral": ({F: sub(FAMILY, "  - date: 2025-01-20", "  - date: 2025-01-02")},
                               [(F, 14, 11, "date-order")]),
    "decision-after-refusal": ({F: sub(FAMILY, "    decision: accepted",
                                       "    decision: refused\n    reason: other\n"
                                       "  - date: 2025-01-25\n    decision: accepted")},
                               [(F, 18, 15, "impossible-transition")]),
    "two-active-trajectories": ({"records/trajectories/t0000000b.yaml":
                                 sub(TRAJECTORY, "2025-02-01\nvolunteers",
                                     "2025-03-01\nvolunteers").replace(
                                     "start: 2025-02-01\nvisits", "start: 2025-03-01\nvisits")
                                 .replace("- date: 2025-02-01\n- date: 2025-02-08\n",
                                          "- date: 2025-03-01\n")},
                                [("records/trajectories/t0000000b.yaml", 5, 8,
                                  "two-active-trajectories"),
                                 ("records/trajectories/t0000000b.yaml", 7, 14,
                                  "over-capacity")]),
    "over-capacity": ({"records/families/f0000000b.yaml": FAMILY,
                       "records/trajectories/t0000000b.yaml":
                       sub(TRAJECTORY, "family: f0000000a", "family: f0000000b")},
                      [("records/trajectories/t0000000b.yaml", 7, 14, "over-capacity")]),
    "volunteer-not-active": ({V: sub(VOLUNTEER, "- start: 2024-01-01", "- start: 2025-03-01")},
                             [(T, 7, 14, "inactive-volunteer")]),
    "trajectory-before-acceptance": ({T: TRAJECTORY.replace("2025-02-01", "2025-01-15")
                                      .replace("2025-02-08", "2025-01-22")},
                                     [(T, 5, 8, "impossible-transition")]),
    "referral-before-location": ({"records/locations/leuven.yaml":
                                  sub(LEUVEN, "2019-01-01", "2025-01-15")},
                                 [(F, 11, 9, "location-inactive"),
                                  (V, 9, 10, "location-inactive")]),
    "new-referral-while-in-trajectory": ({F: sub(FAMILY, "note:", "- date: 2025-06-01\n"
                                                 "  referrer: self\nnote:")},
                                         [(F, 16, 9, "impossible-transition")]),
    "new-referral-while-undecided": ({"records/families/f0000000b.yaml": sub(
        FAMILY, "  decisions:\n  - date: 2025-01-20\n    decision: accepted\n",
        "- date: 2025-03-01\n  referrer: self\n")},
        [("records/families/f0000000b.yaml", 13, 9, "impossible-transition")]),
    "withdrawn-during-trajectory": ({F: sub(FAMILY, "    decision: accepted",
                                            "    decision: accepted\n  - date: 2025-03-01\n"
                                            "    decision: withdrawn\n    reason: moved")},
                                    [(F, 17, 15, "impossible-transition")]),
    "referral-after-location-stopped": ({"records/locations/leuven.yaml":
                                         LEUVEN + "active_until: 2025-01-05\n"},
                                        [(F, 11, 9, "location-inactive"),
                                         (T, 5, 8, "location-inactive")]),
    "stray-file": ({"records/famlies/f0000000c.yaml": FAMILY},
                   [("records/famlies/f0000000c.yaml", 1, 1, "stray-file")]),
    "capital-extension": ({"records/families/f0000000b.YAML": FAMILY},
                          [("records/families/f0000000b.YAML", 1, 1, "stray-file")]),
    "missing-vocabularies": ({"records/vocabularies.yaml": None},
                             [("records/vocabularies.yaml", 1, 1, "missing-file")]),
    "invalid-vocabularies": ({"records/vocabularies.yaml":
                              sub((DATA / "vocabularies.yaml").read_text(encoding="utf-8"),
                                  "  caw:", "  CAW:")},
                             [("records/vocabularies.yaml", 11, 3, "invalid-value")]),
}


def test_there_are_enough_kinds() -> None:
    assert len(CASES) >= 30
    codes = {c for _, problems in CASES.values() for *_, c in problems}
    assert len(codes) >= 25


@pytest.mark.parametrize("name", list(CASES))
def test_malformed_records(tmp_path: Path, name: str) -> None:
    files, expected = CASES[name]
    make_tree(tmp_path, files)
    before = snapshot(tmp_path)
    for attempt in ("cold", "warm"):
        code, lines, err = run(tmp_path)
        assert "Traceback" not in "\n".join(lines) + err
        assert code == 1, (attempt, lines, err)
        got = [(path, line, col, c) for path, line, col, sev, c in parsed(lines)
               if sev == "error"]
        assert got == sorted(expected), (attempt, lines)
        assert len(err.splitlines()) == 1 and err.startswith("checked ")
        assert all("Janssens" not in line and "part-time" not in line for line in lines)
    assert snapshot(tmp_path) == before


# --- the message texts -----------------------------------------------------------------


def problems_of(root: Path, files: dict[str, str | bytes | None]) -> list[str]:
    make_tree(root, files)
    return run(root)[1]


def test_messages_say_what_to_do(tmp_path: Path) -> None:
    lines = problems_of(tmp_path, {
        F: sub(sub(sub(FAMILY, "municipality: Leuven", "municipalty: 3000"),
                   "kind-en-gezin", "kind-en-gezn"), "2025-01-20", "20-01-2025"),
        V: sub(VOLUNTEER, "birth_year: 1980", "birth_year: 1980\ncapacity: 0470123456"),
    })
    assert lines == [
        f"{F}:5:1: error[unknown-field]: unknown field 'municipalty'; did you mean "
        "'municipality'?",
        f"{F}:14:11: error[invalid-value]: referrals[0].decisions[0].date: is not a date; "
        "write it as YYYY-MM-DD, like 2025-01-31 (got '20-01-2025')",
        f"{V}:6:11: error[invalid-value]: capacity: must be at most 10 (got 470123456)",
    ]
    lines = problems_of(tmp_path, {F: sub(FAMILY, "municipality: Leuven", "municipality: 3000")})
    assert lines == [f"{F}:5:15: error[invalid-value]: municipality: should be text; write "
                     "it in quotes to keep it as text (and any leading zero), like "
                     "'0470123456'"]
    lines = problems_of(tmp_path, {F: sub(FAMILY, "kind-en-gezin", "kind-en-gezn")})
    assert lines == [f"{F}:12:13: error[unknown-code]: 'kind-en-gezn' is not a code of "
                     "referrers; did you mean 'kind-en-gezin'?"]


def test_a_personal_value_is_never_repeated(tmp_path: Path) -> None:
    lines = problems_of(tmp_path, {F: sub(FAMILY, "name: Familie Janssens",
                                          "name: " + "Janssens " * 30)})
    assert lines == [f"{F}:4:7: error[invalid-value]: name: is too long (at most 200 "
                     "characters)"]


def test_messages_in_dutch(tmp_path: Path) -> None:
    from hs.base.i18n import set_language

    make_tree(tmp_path, {F: sub(FAMILY, "municipality:", "municipalty:")})
    try:
        result = runner.invoke(app, ["--lang", "nl", "validate", "--repo", str(tmp_path)])
    finally:
        set_language("en")
    assert result.exit_code == 1
    assert result.stdout == (f"{F}:5:1: error[unknown-field]: onbekend veld 'municipalty'; "
                             "bedoel je 'municipality'?\n")
    assert result.stderr == "6 bestanden nagekeken: 1 fout, 0 waarschuwingen\n"


# --- warnings, formats, paths, exit codes ------------------------------------------------


def test_warnings_do_not_fail(tmp_path: Path) -> None:
    make_tree(tmp_path, {F: FAMILY.split("\n", 1)[1],
                         V: sub(VOLUNTEER, "../../schemas/volunteer",
                                "../schemas/volunteer")})
    code, lines, err = run(tmp_path)
    assert code == 0
    assert lines == [
        f"{F}:1:1: warning[schema-comment]: no '$schema' comment line, so editors cannot "
        "check the file as you type; add this as the first line: "
        "# yaml-language-server: $schema=../../schemas/family.schema.json",
        f"{V}:1:25: warning[schema-comment]: the '$schema' comment points to "
        "../schemas/volunteer.schema.json; expected ../../schemas/volunteer.schema.json",
    ]
    assert err == "checked 6 files: 0 errors, 2 warnings\n"


def test_what_is_open_when_a_location_stopped_is_a_warning(tmp_path: Path) -> None:
    waiting = sub(FAMILY, "2025-01-20", "2025-01-21")
    make_tree(tmp_path, {"records/locations/leuven.yaml": LEUVEN + "active_until: 2025-06-30\n",
                         "records/families/f0000000b.yaml": waiting})
    code, lines, _ = run(tmp_path)
    assert code == 0
    assert parsed(lines) == [
        ("records/families/f0000000b.yaml", 11, 9, "warning", "location-stopped"),
        (T, 5, 8, "warning", "location-stopped"),
        (V, 9, 10, "warning", "location-stopped"),
    ]
    assert lines[1].endswith("trajectory still open but location leuven stopped on "
                             "2025-06-30; close it")


def test_the_schema_comment_depends_on_the_folder_depth(tmp_path: Path) -> None:
    deep = "records/families/archive/2024/f0000000b.yaml"
    make_tree(tmp_path, {deep: head("family", 4) + FAMILY.split("\n", 1)[1]})
    assert run(tmp_path)[:2] == (0, [])


def test_json_format(tmp_path: Path) -> None:
    make_tree(tmp_path, {V: sub(VOLUNTEER, "gender: f", "gender: q")})
    code, lines, _ = run(tmp_path, "--format", "json")
    assert code == 1
    assert json.loads("\n".join(lines)) == [{
        "path": V, "line": 4, "col": 9, "code": "invalid-value",
        "message": "gender: should be one of: f, m, x (got 'q')", "severity": "error"}]
    make_tree(tmp_path, {V: VOLUNTEER})
    code, lines, _ = run(tmp_path, "--format", "json")
    assert (code, json.loads("\n".join(lines))) == (0, [])


def test_github_format(tmp_path: Path) -> None:
    make_tree(tmp_path, {V: sub(VOLUNTEER, "gender: f", "gender: q"),
                         F: FAMILY.split("\n", 1)[1]})
    code, lines, _ = run(tmp_path, "--format", "github")
    assert code == 1
    assert lines == [
        f"::warning file={F},line=1,col=1,title=schema-comment::no '$schema' comment "
        "line, so editors cannot check the file as you type; add this as the first line: "
        "# yaml-language-server: $schema=../../schemas/family.schema.json",
        f"::error file={V},line=4,col=9,title=invalid-value::gender: should be one of: "
        "f, m, x (got 'q')",
    ]


def test_paths_limit_what_is_reported(tmp_path: Path) -> None:
    make_tree(tmp_path, {V: sub(VOLUNTEER, "gender: f", "gender: q"),
                         F: sub(FAMILY, "municipality:", "municipalty:")})
    code, lines, err = run(tmp_path, str(tmp_path / F))
    assert code == 1
    assert [p[0] for p in parsed(lines)] == [F]
    assert err == ("checked 1 file: 1 error, 0 warnings; 1 more in other files of the tree "
                   "(run 'hs validate' to see them)\n")
    code, lines, _ = run(tmp_path, str(tmp_path / "records" / "volunteers"))
    assert code == 1 and [p[0] for p in parsed(lines)] == [V]
    code, lines, _ = run(tmp_path, str(tmp_path / "records" / "locations"))
    assert (code, lines) == (0, [])
    code, lines, _ = run(tmp_path, str(tmp_path / "records"))
    assert code == 1 and len(lines) == 2


def test_a_file_outside_a_tree_is_checked_alone(tmp_path: Path) -> None:
    folder = tmp_path / "mail" / "families"
    folder.mkdir(parents=True)
    good = folder / "f0000000a.yaml"
    good.write_text(FAMILY)
    result = runner.invoke(app, ["validate", str(good)])
    assert (result.exit_code, result.stdout) == (0, "")
    good.write_text(sub(FAMILY, "municipality:", "municipalty:"))
    result = runner.invoke(app, ["validate", str(good)])
    assert result.exit_code == 1
    assert result.stdout.startswith(f"{good.as_posix()}:5:1: error[unknown-field]")


@pytest.mark.parametrize("args, message", [
    (["--format", "xml"], "hs: --format: 'xml' is not one of text, json, github\n"),
    (["records/nowhere.yaml"], "hs: no such file or folder: records/nowhere.yaml\n"),
])
def test_usage_errors_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                             args: list[str], message: str) -> None:
    make_tree(tmp_path, {})
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["validate", *args])
    assert result.exit_code == 2
    assert result.stderr == message


def test_a_yaml_file_that_is_no_record_is_a_usage_error(tmp_path: Path) -> None:
    other = tmp_path / "notes.yaml"
    other.write_text("a: 1\n")
    result = runner.invoke(app, ["validate", str(other)])
    assert result.exit_code == 2
    assert "not a record file" in result.stderr


def test_the_cache_gives_the_same_answer(tmp_path: Path) -> None:
    make_tree(tmp_path, {V: sub(VOLUNTEER, "gender: f", "gender: q"),
                         F: FAMILY.split("\n", 1)[1]})
    first = run(tmp_path)
    assert first == run(tmp_path) == run(tmp_path, "--no-cache")
    for p in (tmp_path / "records").rglob("*.yaml"):
        st = p.stat()
        os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns - 60_000_000_000))
    run(tmp_path)
    assert run(tmp_path) == first  # from the cache: the warning is still there


def test_the_demo_tree_is_valid(tmp_path: Path) -> None:
    demo = Path(__file__).resolve().parents[2] / "records"
    if not (demo / "config.yaml").is_file():
        pytest.skip("no demo tree in records/")
    shutil.copytree(demo, tmp_path / "records")
    code, lines, _ = run(tmp_path)
    assert [line for line in lines if "error[" in line] == []
    assert code == 0


def test_the_pre_commit_hook_and_the_workflow() -> None:
    from hs.store.yamlio import load_plain

    root = Path(__file__).resolve().parents[2]
    hooks = load_plain((root / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    hook = next(h for h in hooks if h["id"] == "hs-validate")
    assert (hook["entry"], hook["language"]) == ("hs validate", "python")
    # always, not only when a record file is among the commit's (non-deleted) files: a
    # commit that only deletes a record is checked too
    assert hook["always_run"] is True and hook["pass_filenames"] is False
    from hs.app.tooling import precommit_config

    source = "git+https://github.com/example/hs@v0.2.0"
    config = load_plain(precommit_config(source))
    local = config["repos"][0]["hooks"][0]
    assert (local["entry"], local["always_run"], local["pass_filenames"]) == (
        "hs validate", True, False)
    assert (local["language"], local["additional_dependencies"]) == (
        "python", [f"homestart-hs @ {source}"])
    flow = load_plain((DATA / "validate-workflow.yml").read_text(encoding="utf-8"))
    assert set(flow["on"]) == {"push", "pull_request", "workflow_dispatch"}
    steps = flow["jobs"]["validate"]["steps"]
    assert steps[-1]["run"] == "hs validate --no-cache --format github"


# --- the problems across records are kept while the tree does not change -----------------


def age_tree(root: Path) -> None:
    for p in (root / "records").rglob("*.yaml"):
        st = p.stat()
        os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns - 60_000_000_000))


def test_problems_across_records_are_kept_until_the_tree_changes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from hs.rules import checks

    make_tree(tmp_path, {T: sub(TRAJECTORY, "family: f0000000a", "family: f0000000z")})
    age_tree(tmp_path)
    calls: list[int] = []
    real = checks.record_problems

    def counted(*args: object, **kwargs: object) -> object:
        calls.append(1)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(checks, "record_problems", counted)
    first = run(tmp_path)
    assert parsed(first[1]) == [(T, 3, 9, "error", "dangling-reference")]
    assert run(tmp_path) == first and len(calls) == 1  # nothing changed: not checked again
    st = (tmp_path / T).stat()  # the same bytes with another time: read, but no change
    os.utime(tmp_path / T, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))
    assert run(tmp_path) == first and len(calls) == 1
    # a comment line moves the problem down: the file is read again, the rules run again
    (tmp_path / T).write_text("# moved\n" + sub(TRAJECTORY, "family: f0000000a",
                                                "family: f0000000z"), encoding="utf-8")
    assert parsed(run(tmp_path)[1]) == [(T, 4, 9, "error", "dangling-reference")]
    assert len(calls) == 2
    # a stray file is no record, so no change of the cache: it is looked for every time
    (tmp_path / "records" / "famlies").mkdir()
    (tmp_path / "records" / "famlies" / "x.yaml").write_text("a: 1\n")
    assert ("records/famlies/x.yaml", 1, 1, "error", "stray-file") in parsed(
        run(tmp_path)[1])
    # another language: the messages are said again in it
    from hs.base.i18n import set_language

    assert len(calls) == 2
    try:
        result = runner.invoke(app, ["--lang", "nl", "validate", "--repo", str(tmp_path)])
    finally:
        set_language("en")
    assert result.stderr.startswith("6 bestanden nagekeken")
    assert len(calls) == 3
