"""Progress on stderr: only when it is a terminal, counting to the total, in the user's
language, and gone when the work ends; nothing at all when stderr is not a terminal."""

from __future__ import annotations

import io
import os
import re
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hs.base import i18n
from hs.cli import app, progress
from hs.cli.progress import line, reading, shown, working


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> Terminal:
    """Progress goes to a fake terminal; the runner's stderr stays what the command says."""
    stream = Terminal()
    monkeypatch.setattr(progress, "stream", stream)
    return stream


COUNT = re.compile(r"(?<= )(?P<what>[A-Z][^…\r\n]*)… (?P<done>[\d,]+)/(?P<total>[\d,]+)"
                   r" \((?P<pct>\d+)%\)")


def counts(stream: Terminal, what: str) -> list[tuple[int, int]]:
    """The counts drawn on the terminal for ``what``, in order."""
    return [(int(m["done"].replace(",", "")), int(m["total"].replace(",", "")))
            for m in COUNT.finditer(stream.getvalue()) if m["what"] == what]


def old_files(root: Path) -> None:
    """No record file too new to trust: a second read parses nothing."""
    old = time.time() - 60
    for path in (root / "records").rglob("*.yaml"):
        os.utime(path, (old, old))


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_nothing_when_not_a_terminal() -> None:
    stream = io.StringIO()
    assert not shown(stream)
    with working("validate", stream=stream) as step:
        step(1, 10)
        step.reading(5, 10)
    assert stream.getvalue() == ""


def test_a_line_on_a_terminal_removed_at_the_end() -> None:
    stream = Terminal()
    assert shown(stream)
    with working("import", stream=stream, file="families.csv") as step:
        step(3, 10)
    written = stream.getvalue()
    assert "Importing families.csv… 3/10 (30%)" in written
    assert written.endswith("\r\x1b[1A\x1b[2K")  # the line is erased


def test_the_line_in_english_and_dutch_with_thousands_grouped(
        monkeypatch: pytest.MonkeyPatch) -> None:
    assert line("reading the files", 12345, 50000) == "Reading the files… 12,345/50,000 (24%)"
    assert line("reading the files", 7, 0) == "Reading the files… 7"
    monkeypatch.setattr(i18n, "_current", "nl")
    assert line(progress.MSG("reading"), 12345, 50000) == \
        "Bestanden lezen… 12.345/50.000 (24%)"
    assert line("x\x1b[2Jy", 1, 2) == "X\\e[2Jy… 1/2 (50%)"  # nothing steers the terminal


def test_redrawn_at_most_ten_times_a_second_but_always_at_the_end() -> None:
    stream = Terminal()
    with working("validate", stream=stream) as step:
        for done in range(1, 10_001):
            step.reading(done, 10_000)
    said = counts(stream, "Reading the files")
    assert said[-1] == (10_000, 10_000)
    assert len(said) < 20  # 10,000 reports in far less than a second: two or three lines


def test_a_cold_validate_counts_the_files_to_the_total_on_a_terminal(
        demo_repo: Path, terminal: Terminal) -> None:
    from hs.app.validation import validate_paths

    code, _, err = run("validate", "--repo", str(demo_repo))
    assert code == 0, err
    files = validate_paths([], repo=demo_repo).files
    said = counts(terminal, "Reading the files")
    assert said[0] == (0, files) and said[-1] == (files, files)
    assert "Checking the records" in terminal.getvalue()
    assert err == validate_paths([], repo=demo_repo).summary() + "\n"  # only its own line
    # warm: nothing to read, so no count (the line of the check itself only)
    old_files(demo_repo)
    run("validate", "--repo", str(demo_repo))
    terminal.seek(0)
    terminal.truncate()
    run("validate", "--repo", str(demo_repo))
    assert counts(terminal, "Reading the files") == []


def test_any_command_shows_its_cold_read_of_a_large_tree(
        demo_repo: Path, terminal: Terminal, monkeypatch: pytest.MonkeyPatch) -> None:
    """A command without progress of its own (hs waitlist) shows the files its cold read
    parses, on a line of its own that is removed when the read ends; a small read none."""
    monkeypatch.setattr(progress, "OWN_LEAST", 10)
    code, out, err = run("waitlist", "--repo", str(demo_repo))
    assert code == 0, err
    said = counts(terminal, "Reading the files")
    assert said and said[-1][0] == said[-1][1] > 10
    assert terminal.getvalue().endswith("\x1b[2K")  # removed
    assert not progress._own
    terminal.seek(0)
    terminal.truncate()
    monkeypatch.setattr(progress, "OWN_LEAST", 10_000)
    (demo_repo / ".hs").rename(demo_repo / "old-cache")
    assert run("waitlist", "--repo", str(demo_repo))[1] == out
    assert terminal.getvalue() == ""


def test_a_read_line_left_by_a_failed_read_is_removed_as_the_command_ends(
        terminal: Terminal, monkeypatch: pytest.MonkeyPatch) -> None:
    from hs.cli.common import end_command

    monkeypatch.setattr(progress, "OWN_LEAST", 10)
    reading(0, 100)
    reading(40, 100)
    assert progress._own
    end_command()
    assert not progress._own
    assert terminal.getvalue().endswith("\x1b[2K")


def test_import_counts_its_rows(empty_repo: Path, terminal: Terminal, tmp_path: Path,
                                today: str) -> None:
    path = tmp_path / "families.csv"
    path.write_text("referral_date,referrer,children\n2025-01-10,self,2024-09\n"
                    "2025-01-11,self,2024-10\n2025-01-12,self,2024-11\n")
    code, out, err = run("import", "families", str(path), "--location", "leuven",
                         "--repo", str(empty_repo))
    assert code == 0, err
    said = counts(terminal, "Importing families.csv")
    assert said[0] == (0, 3) and said[-1] == (3, 3)
    assert len(out.split()) == 3


def test_match_plan_counts_its_groups_and_report_its_stages(
        demo_repo: Path, terminal: Terminal, today: str) -> None:
    code, _, err = run("match", "plan", "--repo", str(demo_repo))
    assert code == 0, err
    said = counts(terminal, "Matching the waiting list")
    assert said[-1][0] == said[-1][1] > 1  # one group a location at most
    code, _, err = run("report", "--year", "2025", "--repo", str(demo_repo))
    assert code == 0, err
    said = counts(terminal, "Computing the figures")
    assert said[0] == (0, 2) and said[-1] == (2, 2)


def test_commands_write_no_progress_when_stderr_is_not_a_terminal(
        demo_repo: Path, today: str, tmp_path: Path) -> None:
    """The runner's stderr is not a terminal: a cold validate, an import, match plan and
    report say only their own lines, byte for byte."""
    from hs.app.validation import validate_paths

    code, _, err = run("validate", "--repo", str(demo_repo))
    assert err == validate_paths([], repo=demo_repo).summary() + "\n"
    _, _, err = run("match", "plan", "--repo", str(demo_repo))
    assert err.splitlines() == [line for line in err.splitlines()
                                if not line.startswith(("Matching", "Reading"))]
    assert "\x1b" not in err and "\r" not in err and "…" not in err
    code, _, err = run("report", "--year", "2025", "--repo", str(demo_repo))
    assert (code, err) == (0, "")
    path = tmp_path / "families.csv"
    path.write_text("referral_date,referrer,children\n2025-01-10,self,2024-09\n")
    code, _, err = run("import", "families", str(path), "--location", "leuven",
                       "--repo", str(demo_repo), "--dry-run")
    assert code == 0, err
    assert "\x1b" not in err and "\r" not in err and "…" not in err
    assert not progress._own and not progress._active


def test_stdout_is_never_taken_over_while_the_line_is_shown(
        terminal: Terminal, monkeypatch: pytest.MonkeyPatch) -> None:
    """Data piped on (stdout) stays on stdout while stderr shows the line."""
    import sys

    out = io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    with working("plan") as step:
        step(1, 2)
        assert sys.stdout is out
        print("data")
    assert out.getvalue() == "data\n"
    assert "data" not in terminal.getvalue()
