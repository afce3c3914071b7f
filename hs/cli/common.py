"""Options and helpers shared by the command modules (argument parsing only)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from hs.store.repo import Repo

RepoOpt = Annotated[
    Path | None,
    typer.Option("--repo", help="Records repository (default: HS_REPO, else the nearest "
                 "folder above the working directory with a records tree).",
                 show_default=False),
]
FormatOpt = Annotated[
    str | None,
    typer.Option("--format", "-f", metavar="table|json|csv|markdown|plain",
                 help="Output format (default: a table on a terminal, plain when piped).",
                 show_default=False),
]
DateOpt = Annotated[str, typer.Option("--date", metavar="DATE",
                                      help="The day it happened: YYYY-MM-DD or 'today'.")]
VolArg = Annotated[str, typer.Argument(metavar="VOL", help="Volunteer ID (or a unique "
                                       "prefix of it).", show_default=False)]
NoCommitOpt = Annotated[
    bool,
    typer.Option("--no-commit", help="Stage the change in git but do not commit it."),
]


def open_repo(repo: Path | None) -> Repo:
    from hs.store.repo import open_repo as _open

    return _open(repo)


def parse_date(value: str | None, option: str = "--date") -> dt.date:
    """An ISO date or 'today' (HS_TODAY overrides today); a bad one is a usage error."""
    from hs.base.errors import UsageError
    from hs.store.repo import today

    if value is None or value == "today":
        return today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        from hs.app.workflow import shown
        from hs.base.i18n import language

        text = ("{option}: {value} is geen datum; gebruik JJJJ-MM-DD of 'today'"
                if language() == "nl" else
                "{option}: {value} is not a date; use YYYY-MM-DD or 'today'")
        raise UsageError(text.format(option=option, value=shown(value, "date"))) from None


def parse_optional_date(value: str | None, option: str) -> dt.date | None:
    return None if value is None else parse_date(value, option)


def report_change(outcome: Any) -> None:
    """Print what a change did (a :class:`hs.app.workflow.Outcome`): warnings and a summary on
    stderr, the IDs of new records on stdout (one per line, so scripts can capture them)."""
    import sys

    from hs.base.i18n import Catalog

    msg = Catalog({
        "warning": ("warning: {text}", "waarschuwing: {text}"),
        "committed": ("{summary} [commit {sha}]", "{summary} [commit {sha}]"),
        "staged": ("{summary} [staged, not committed]",
                   "{summary} [klaargezet in git, niet gecommit]"),
        "not-recorded": ("{summary}", "{summary}"),
    })
    from hs.cli.output import message

    for text in outcome.warnings:
        message(msg("warning", text=text))
    sys.stderr.write(msg(outcome.recorded, summary=outcome.summary,
                         sha=(outcome.commit or "")[:10]) + "\n")
    for rid in outcome.created:
        sys.stdout.write(rid + "\n")
