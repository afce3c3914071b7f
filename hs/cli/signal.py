"""`hs signal`: a dated signal of a structural problem seen in a family; `hs migrate`:
records of an older form brought up to date."""

from __future__ import annotations

from typing import Annotated

import typer

from hs.cli.common import (
    DateOpt,
    NoCommitOpt,
    RepoOpt,
    codes,
    ids,
    open_repo,
    parse_date,
    report_change,
)


def signal(
    family: Annotated[str, typer.Argument(metavar="FAM", help="Family ID (or a unique "
                                          "prefix of it).", show_default=False,
                                          autocompletion=ids("family"))],
    theme: Annotated[str, typer.Option(
        "--theme", metavar="CODE", autocompletion=codes("signal_themes"),
        help="Signal theme (vocabulary signal_themes: housing, "
        "diagnosis, childcare...).", show_default=False)],
    date: DateOpt,
    note: Annotated[str | None, typer.Option(
        "--note", metavar="TEXT", help="A short note (personal data: stays in the "
        "record).")] = None,
    repo: RepoOpt = None,
    no_commit: NoCommitOpt = False,
) -> None:
    """Record a signal seen in a family, for the report to governments."""
    from hs.app.events import signal as signal_

    day = parse_date(date)
    report_change(signal_(open_repo(repo), family, theme, day, note, commit=not no_commit))


def migrate(
    repo: RepoOpt = None,
    no_commit: NoCommitOpt = False,
) -> None:
    """Bring records of an older form up to date, in one commit.

    Undated signal codes of a family become signals dated at the family's current
    referral, marked migrated."""
    from hs.app.events import migrate as migrate_
    from hs.app.events import nothing_to_migrate
    from hs.cli.output import message

    outcome = migrate_(open_repo(repo), commit=not no_commit)
    if outcome is None:
        message(nothing_to_migrate())
        return
    report_change(outcome)


def register(app: typer.Typer) -> None:
    app.command("signal")(signal)
    app.command("migrate")(migrate)
