"""Reading the whole tree through the cache (hs.store.load): what a warm read parses,
edits seen, invalid files and warnings, parallel parsing."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from hs.store.load import load_tree
from tests.conftest import write_record
from tests.store.conftest import FAMILY, FID, age


def test_warm_read_parses_nothing(tree: Path) -> None:
    cold = load_tree(tree)
    assert cold.parsed == 4 and not cold.problems
    warm = load_tree(tree)
    assert warm.parsed == 0
    assert warm.index.families[FID] == cold.index.families[FID]
    assert warm.index.vocabularies == cold.index.vocabularies
    assert warm.index.paths == cold.index.paths


def test_a_stale_entry_is_read_again_after_an_edit(tree: Path) -> None:
    load_tree(tree)
    path = tree / "records" / "families" / f"{FID}.yaml"
    path.write_text(FAMILY.replace("2023-05", "2024-05"))  # same size
    st = path.stat()  # another mtime, old enough to be trusted later
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns - 30_000_000_000))
    report = load_tree(tree)
    assert report.parsed == 1
    assert report.index.families[FID].children == ("2024-05",)
    assert load_tree(tree).parsed == 0


def test_an_edit_in_the_same_clock_tick_is_not_missed(tree: Path) -> None:
    """Same size, same mtime (a coarse clock): a file changed this close to the cache
    write is not trusted, so the edit is seen."""
    path = tree / "records" / "families" / f"{FID}.yaml"
    st = path.stat()
    now = time.time_ns()
    os.utime(path, ns=(st.st_atime_ns, now))
    load_tree(tree)
    path.write_text(FAMILY.replace("2023-05", "2024-05"))
    os.utime(path, ns=(st.st_atime_ns, now))
    report = load_tree(tree)
    assert report.index.families[FID].children == ("2024-05",)


def test_invalid_files_are_checked_again_every_time(tree: Path) -> None:
    bad = write_record(tree, "families/f7777777a.yaml",
                       FAMILY.replace("location: leuven", "location: leuven\nlocation: x"))
    age(tree)
    for _ in range(2):
        report = load_tree(tree)
        assert [(p.path, p.line, p.code) for p in report.problems] == [
            (bad.relative_to(tree).as_posix(), 4, "duplicate-key")]
        assert report.index.invalid == [bad.relative_to(tree).as_posix()]
    assert report.parsed == 1


def test_warnings_are_kept_in_the_cache(tree: Path) -> None:
    write_record(tree, "families/f7777777a.yaml", FAMILY.split("\n", 1)[1])
    age(tree)
    for parsed in (5, 0):
        report = load_tree(tree)
        assert report.parsed == parsed
        assert [(p.path, p.line, p.col, p.code, p.severity) for p in report.warnings
                if "families" in p.path] == [
            ("records/families/f7777777a.yaml", 1, 1, "schema-comment", "warning")]
        assert not report.problems


BAD_FOR_RAPIDYAML = "schema_version: 1\nlocation: -\n"


def test_parallel_parse_gives_the_same_result(tree: Path) -> None:
    for i in range(60):
        write_record(tree, f"families/f{i:08d}.yaml".replace("f0", "fa", 1),
                     FAMILY.replace("2025-01-10", f"2025-01-{i % 28 + 1:02d}"))
    write_record(tree, "families/fbbbbbbbb.yaml", BAD_FOR_RAPIDYAML)
    serial = load_tree(tree, use_cache=False, parallel=False)
    parallel = load_tree(tree, use_cache=False, parallel=True)
    assert parallel.index.families == serial.index.families
    assert parallel.problems == serial.problems
    assert [p.code for p in serial.problems] == ["yaml-syntax"]


@pytest.mark.parametrize("parallel", [False, True])
def test_parsing_prints_nothing_on_stderr(tree: Path, parallel: bool) -> None:
    """rapidyaml writes its parse errors to the C stderr; no worker lets them through."""
    for i in range(8):
        write_record(tree, f"families/fbbbbbbb{i}.yaml", BAD_FOR_RAPIDYAML)
    code = textwrap.dedent(f"""
        from pathlib import Path
        from hs.store.load import load_tree
        r = load_tree(Path({str(tree)!r}), use_cache=False, parallel={parallel})
        print(len(r.problems))
    """)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**os.environ, "HS_LANG": "en"}, check=False)
    assert proc.stdout == "8\n"
    assert proc.stderr == ""


def test_a_read_tells_its_progress_only_when_it_parses(demo_repo: Path) -> None:
    """A cold read counts every record file to the total; a warm read parses nothing and
    says nothing; a partial read counts the changed files."""
    old = time.time() - 60  # no file is too new to trust
    for path in (demo_repo / "records").rglob("*.yaml"):
        os.utime(path, (old, old))
    said: list[tuple[int, int]] = []
    report = load_tree(demo_repo, progress=lambda d, t: said.append((d, t)))
    assert said[-1] == (report.parsed, report.parsed) and report.parsed == report.count
    said.clear()
    load_tree(demo_repo, progress=lambda d, t: said.append((d, t)))
    assert said == []
    path = next((demo_repo / "records" / "families").glob("*.yaml"))
    path.write_text(path.read_text() + "\n")
    load_tree(demo_repo, progress=lambda d, t: said.append((d, t)))
    assert said[-1] == (1, 1)
