"""After a few files changed, ``hs validate`` checks again only the records those changes
can touch, and says exactly what a check of every record says.

``hs.app.validation`` keeps the problems of the records with the cache's generation; the
cache remembers which files changed since (``LoadReport.changed_since``), and
``hs.rules.checks.records_around`` picks the records whose problems they can change. Shown here
on the demo tree: random sequences of the edits a coordinator (or a merge) makes, each
step compared with ``hs validate --no-cache``, which checks everything from the files.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hs.cli import app
from hs.store.load import load_tree

runner = CliRunner()


def validate(root: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["validate", "--repo", str(root), *args])
    assert "Traceback" not in result.stderr, result.stderr
    return result.exit_code, result.stdout


@pytest.fixture
def checked(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """What every check of the records' problems was asked for: the IDs it was to check
    (``only``), None for every record."""
    from hs.rules import checks

    calls: list[object] = []
    real = checks.record_problems

    def counted(*args: object, **kwargs: object) -> object:
        calls.append(kwargs.get("only"))
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(checks, "record_problems", counted)
    return calls


def ids(root: Path, folder: str) -> list[str]:
    return sorted(p.stem for p in (root / "records" / folder).rglob("*.yaml"))


def edit(root: Path, rng: random.Random) -> str:
    """One random change of the tree; what it was (for the failure message)."""
    rec = root / "records"
    families, volunteers = ids(root, "families"), ids(root, "volunteers")
    trajectories = sorted((rec / "trajectories").rglob("*.yaml"))
    fams = sorted((rec / "families").rglob("*.yaml"))
    vols = sorted((rec / "volunteers").rglob("*.yaml"))
    kind = rng.randrange(15)
    if kind == 0:  # a trajectory moves to another family
        p = rng.choice(trajectories)
        text = re.sub(r"^family: \w+", f"family: {rng.choice(families)}", p.read_text(),
                      flags=re.M)
        p.write_text(text)
    elif kind == 1:  # another volunteer in a trajectory
        p = rng.choice(trajectories)
        text = re.sub(r"^- volunteer: \w+", f"- volunteer: {rng.choice(volunteers)}",
                      p.read_text(), count=1, flags=re.M)
        p.write_text(text)
    elif kind == 2:  # a visit before the start, or the start moved
        p = rng.choice(trajectories)
        text = p.read_text()
        if "visits:\n" in text and rng.random() < 0.5:
            text = text.replace("visits:\n", "visits:\n- date: 2019-01-07\n", 1)
        else:
            text = re.sub(r"^start: \S+", "start: 2025-06-02", text, flags=re.M)
        p.write_text(text)
    elif kind == 3:  # a file removed
        p = rng.choice(rng.choice([trajectories, fams, vols]))
        p.unlink()
    elif kind == 4:  # a family refused, or its referral moved
        p = rng.choice(fams)
        text = p.read_text()
        if "decision: accepted" in text and rng.random() < 0.6:
            text = text.replace("decision: accepted",
                                "decision: refused\n    reason: other", 1)
        else:
            text = re.sub(r"^- date: \S+", "- date: 2025-11-30", text, count=1, flags=re.M)
        p.write_text(text)
    elif kind == 5:  # a volunteer stops early, or takes fewer families
        p = rng.choice(vols)
        text = p.read_text()
        if rng.random() < 0.5 and "\n  end:" not in text:
            text = re.sub(r"^(- start: \S+)$", r"\1\n  end: 2024-01-15\n  stop_reason: work",
                          text, count=1, flags=re.M)
        else:
            text = re.sub(r"^capacity: \d+\n", "", text, flags=re.M) + "capacity: 1\n"
        p.write_text(text)
    elif kind == 6:  # the same record twice, in a subfolder
        p = rng.choice(rng.choice([trajectories, fams, vols]))
        (p.parent / "copy").mkdir(exist_ok=True)
        shutil.copy(p, p.parent / "copy" / p.name)
    elif kind == 7:  # a broken file
        p = rng.choice(rng.choice([trajectories, fams, vols]))
        p.write_text(p.read_text() + "  : [\n")
    elif kind == 8:  # a broken file mended (any file ending so)
        for p in [*trajectories, *fams, *vols]:
            if p.read_text().endswith("  : [\n"):
                p.write_text(p.read_text()[:-len("  : [\n")])
                break
    elif kind == 9:  # a second trajectory for a family
        p = rng.choice(trajectories)
        new = p.parent / f"t{rng.randrange(10**8):08d}".replace("t0", "tx", 1)
        text = re.sub(r"^family: \w+", f"family: {rng.choice(families)}", p.read_text(),
                      flags=re.M)
        new.with_suffix(".yaml").write_text(text)
    elif kind == 10:  # only a comment: the same record
        p = rng.choice(rng.choice([trajectories, fams, vols]))
        p.write_text("# checked\n" + p.read_text())
    elif kind == 11:  # an unknown code
        p = rng.choice(trajectories)
        p.write_text(re.sub(r"^kind: \w+", "kind: buddy", p.read_text(), flags=re.M)
                     .replace("close_reason: ", "close_reason: x", 1))
    elif kind == 12:  # a reference to nobody
        p = rng.choice(trajectories)
        p.write_text(re.sub(r"^family: \w+", "family: fzzzzzzzz", p.read_text(),
                            flags=re.M))
    elif kind == 13:  # a volunteer's file replaced by another's (a merge gone wrong)
        a, b = rng.sample(vols, 2)
        b.write_text(a.read_text())
    else:  # a location: its dates moved, removed, or back
        locs = sorted((rec / "locations").glob("*.yaml"))
        gone = rec / "locations" / "gone.yaml.bak"
        if gone.exists():
            name, text = gone.read_text().split("\n", 1)
            (rec / "locations" / name).write_text(text)
            gone.unlink()
        elif rng.random() < 0.3:
            p = rng.choice(locs)
            gone.write_text(f"{p.name}\n{p.read_text()}")
            p.unlink()
        else:
            p = rng.choice(locs)
            text = re.sub(r"^active_from: \S+", f"active_from: 202{rng.randrange(6)}-06-01",
                          p.read_text(), flags=re.M)
            if rng.random() < 0.5 and "active_until" not in text:
                text += "active_until: 2025-03-31\n"
            p.write_text(text)
    return f"edit {kind}"


@pytest.mark.parametrize("seed", [0, *(pytest.param(s, marks=pytest.mark.slow)
                                       for s in (1, 2, 3, 4, 5))])
def test_a_few_changes_are_checked_as_a_full_check_would(
        demo_repo: Path, today: str, seed: int, checked: list[object]) -> None:
    rng = random.Random(seed)
    assert validate(demo_repo) == validate(demo_repo, "--no-cache")
    steps = []
    for _ in range(12):
        for _ in range(rng.choice([1, 1, 2, 3])):
            steps.append(edit(demo_repo, rng))
            if rng.random() < 0.3:  # another command reads the tree: a new generation
                load_tree(demo_repo)
                steps.append("read")
        got = validate(demo_repo)
        assert got == validate(demo_repo, "--no-cache"), steps
    partial = sum(only is not None for only in checked)
    assert partial >= 6, checked  # most steps were checked record by record


@pytest.mark.parametrize("what", ["location", "vocabularies"])
def test_a_location_change_checks_its_records_a_vocabulary_change_all(
        demo_repo: Path, today: str, checked: list[object], what: str) -> None:
    validate(demo_repo)
    checked.clear()
    if what == "location":
        loc = sorted((demo_repo / "records" / "locations").glob("*.yaml"))[0]
        loc.write_text(re.sub(r"^active_from: \S+", "active_from: 2025-06-01",
                              loc.read_text(), flags=re.M))
    else:
        voc = demo_repo / "records" / "vocabularies.yaml"
        voc.write_text(voc.read_text().replace("  goals-reached:", "  goals-reachd:"))
    got = validate(demo_repo)
    assert got == validate(demo_repo, "--no-cache")
    assert got[0] == 1 and "error" in got[1]  # the change made problems
    assert checked and (checked[0] is None) == (what == "vocabularies")


def _problem_tree() -> dict[str, str | bytes | None]:
    """A small tree with a problem of most kinds across records: a volunteer over
    capacity, two trajectories of one family at once, a visit after the close, unknown
    codes, a duplicate ID and a reference to nobody."""
    from tests.cli.test_validate import FAMILY, TRAJECTORY, VOLUNTEER, F, T, V, sub
    from tests.rules.test_checks import CLOSED

    return {
        V: VOLUNTEER + "capacity: 2\npreferences: [perinatal, knitting]\n",
        F: sub(FAMILY, "[single-parent]", "[single-parent, singel]"),
        T: sub(CLOSED, "goals-reached", "goals-reachd") + "- date: 2025-03-02\n",
        "records/families/f0000000b.yaml": FAMILY,
        "records/families/f0000000c.yaml": FAMILY,
        "records/trajectories/t0000000b.yaml": sub(TRAJECTORY, "f0000000a", "f0000000b"),
        "records/trajectories/t0000000c.yaml": sub(TRAJECTORY, "f0000000a", "f0000000c"),
        "records/trajectories/t0000000d.yaml": sub(TRAJECTORY, "f0000000a", "f0000000b"),
        "records/trajectories/t0000000e.yaml": sub(TRAJECTORY, "f0000000a", "f0000000y"),
        "records/families/old/f0000000b.yaml": FAMILY,
    }


@pytest.mark.slow  # each file touched in turn; one file: test_problems_at_one_place_...
def test_touching_any_one_file_keeps_every_problem(tmp_path: Path, today: str) -> None:
    """Each file of a tree full of problems touched alone (a comment added: a new
    reading, the same record): every problem, also those found through other records
    (capacity through the volunteer's other trajectories, overlaps through the family's),
    is still said."""
    from tests.cli.test_validate import make_tree

    make_tree(tmp_path, _problem_tree())
    first = validate(tmp_path)
    codes = {line.split("[", 1)[1].split("]", 1)[0] for line in first[1].splitlines()}
    assert {"over-capacity", "two-active-trajectories", "date-order", "unknown-code",
            "duplicate-id", "dangling-reference"} <= codes, first
    for path in sorted((tmp_path / "records").rglob("*.yaml")):
        path.write_text(path.read_text() + "# touched\n")
        assert validate(tmp_path) == validate(tmp_path, "--no-cache") == first, path


def test_problems_at_one_place_come_in_one_order(tmp_path: Path, today: str) -> None:
    """Problems of one file at one place with one code (a trajectory going on with each of
    its family's others) come in the order of their messages: the same from the memo,
    after a change checked record by record, and in every process. The order of a set of
    problems depends on the hashes of their texts, which Python draws anew for every
    process (PYTHONHASHSEED); it broke the tie at random before."""
    from tests.cli.test_validate import LINE, TRAJECTORY, make_tree

    make_tree(tmp_path, {f"records/trajectories/t0000000{c}.yaml": TRAJECTORY
                         for c in "bcdefg"})
    first = validate(tmp_path)
    found = [LINE.match(line) for line in first[1].splitlines()]
    keys = [(m["path"], int(m["line"]), int(m["col"]), m["code"], m["msg"], m["sev"])
            for m in found if m is not None]
    assert len({k[:4] for k in keys}) < len(keys) - 10, first  # many ties
    assert keys == sorted(keys), first
    assert validate(tmp_path) == first  # from the memo
    touched = tmp_path / "records" / "trajectories" / "t0000000c.yaml"
    touched.write_text(touched.read_text() + "# touched\n")
    assert validate(tmp_path) == validate(tmp_path, "--no-cache") == first
    for seed in ("0", "1"):  # other hashes: fixed, so that the test is the same each time
        proc = subprocess.run([sys.executable, "-m", "hs", "validate", "--no-cache", "--repo",
                               str(tmp_path)], capture_output=True, text=True,
                              env={**os.environ, "PYTHONHASHSEED": seed})
        assert (proc.returncode, proc.stdout) == first, seed


def test_the_cache_remembers_the_changes_of_a_few_generations(demo_repo: Path) -> None:

    first = load_tree(demo_repo)
    fam = sorted((demo_repo / "records" / "families").glob("*.yaml"))
    rels = [str(p.relative_to(demo_repo)) for p in fam[:3]]
    for p in fam[:2]:
        p.write_text(p.read_text() + "# a\n")
    second = load_tree(demo_repo)
    fam[2].unlink()
    third = load_tree(demo_repo)
    assert third.changed_since(third.generation) == set()
    assert third.changed_since(second.generation) == {rels[2]}
    assert third.changed_since(first.generation) == set(rels)
    assert third.changed_since("no such generation") is None
    again = load_tree(demo_repo)  # nothing changed: the same generation, the same memory
    assert again.generation == third.generation
    assert again.changed_since(first.generation) == set(rels)


def test_many_changes_are_forgotten_and_everything_is_checked(
        demo_repo: Path, today: str, monkeypatch: pytest.MonkeyPatch,
        checked: list[object]) -> None:
    from hs.store import cache

    validate(demo_repo)
    monkeypatch.setattr(cache, "HISTORY_FILES", 2)
    for p in sorted((demo_repo / "records" / "trajectories").glob("*.yaml"))[:3]:
        p.write_text(re.sub(r"^family: \w+", "family: fzzzzzzzz", p.read_text(), flags=re.M))
    checked.clear()
    assert validate(demo_repo) == validate(demo_repo, "--no-cache")
    assert checked[0] is None


def test_a_memo_that_cannot_be_read_is_written_again(
        demo_repo: Path, today: str, checked: list[object]) -> None:
    from hs.store.cache import read_memo, write_memo

    first = validate(demo_repo)
    memo = read_memo(demo_repo, "record-problems")
    write_memo(demo_repo, "record-problems", {**memo, "links": "not links"})
    checked.clear()
    assert validate(demo_repo) == first and checked == [None]  # checked again, and kept
    assert validate(demo_repo) == first and checked == [None]


def test_a_memo_made_by_other_code_is_not_trusted(
        demo_repo: Path, today: str, checked: list[object]) -> None:
    """The memo of the records' problems is made by this package's code, which the cache's
    fingerprint does not cover: it carries a fingerprint of its own."""
    from hs.store.cache import read_memo, write_memo

    first = validate(demo_repo)
    memo = read_memo(demo_repo, "record-problems")
    write_memo(demo_repo, "record-problems", {**memo, "code": "other", "problems": []})
    checked.clear()
    assert validate(demo_repo) == first and checked == [None]  # checked again
    assert read_memo(demo_repo, "record-problems")["code"] == memo["code"]


def test_a_memo_holds_for_its_day_only(
        demo_repo: Path, monkeypatch: pytest.MonkeyPatch, checked: list[object]) -> None:
    """A rule may depend on the day (a child born after today): the memo of yesterday's
    problems is not used today, so a problem that the day ended is not shown again."""
    monkeypatch.setenv("HS_TODAY", "2025-12-31")
    first = validate(demo_repo)
    checked.clear()
    assert validate(demo_repo) == first and checked == []  # the memo, same day
    monkeypatch.setenv("HS_TODAY", "2026-01-01")
    validate(demo_repo)
    assert checked == [None]  # a new day: checked again
