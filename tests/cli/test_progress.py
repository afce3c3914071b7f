"""Progress on stderr: only when it is a terminal, and gone when the work ends."""

from __future__ import annotations

import io
from pathlib import Path

from typer.testing import CliRunner

from hs.cli import app
from hs.cli.progress import shown, working


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_nothing_when_not_a_terminal() -> None:
    stream = io.StringIO()
    assert not shown(stream)
    with working("validate", stream=stream) as step:
        step(1, 10)
    assert stream.getvalue() == ""


def test_a_line_on_a_terminal_removed_at_the_end() -> None:
    stream = Terminal()
    assert shown(stream)
    with working("import", stream=stream, file="families.csv") as step:
        step(3, 10)
    written = stream.getvalue()
    assert "importing families.csv" in written


def test_commands_write_no_progress_when_stderr_is_not_a_terminal(
        empty_repo: Path, today: str) -> None:
    """The runner's stderr is not a terminal: validate, match plan and report say only
    their own lines."""
    result = CliRunner().invoke(app, ["validate", "--repo", str(empty_repo)])
    assert result.exit_code == 0, result.stderr
    assert result.stderr.count("\n") == 1  # the summary line only
    result = CliRunner().invoke(app, ["match", "plan", "--repo", str(empty_repo)])
    assert "matching the waiting list" not in result.stderr
