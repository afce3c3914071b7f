"""`hs event add|attend|unattend`: volunteer events (info sessions, start-training
modules, intervision meetings, online sessions) and who attended."""

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

event_app = typer.Typer(
    help="Volunteer events (info sessions, training modules, intervision) and attendance.",
    no_args_is_help=True)

EventArg = Annotated[str, typer.Argument(metavar="EVENT", help="Event ID (or a unique "
                                         "prefix of it).", show_default=False,
                                         autocompletion=ids("event"))]


@event_app.command("add")
def add(
    kind: Annotated[str, typer.Option(
        "--kind", metavar="info-session|module|intervision|online",
        autocompletion=codes("event_kinds"),
        help="Kind of event (vocabulary event_kinds).", show_default=False)],
    date: DateOpt,
    location: Annotated[str | None, typer.Option(
        "--location", metavar="LOC", help="The location that held it. Without it the "
        "event is the central office's (in its own records repository).")] = None,
    theme: Annotated[str | None, typer.Option(
        "--theme", metavar="TEXT", help="Theme or title (never a name).")] = None,
    step: Annotated[str | None, typer.Option(
        "--step", metavar="CODE", autocompletion=codes("training_steps"),
        help="For a start-training module: its training step "
        "(vocabulary training_steps); attending writes it into the volunteer's "
        "training.")] = None,
    count: Annotated[int, typer.Option(
        "--count", metavar="N", help="People who attended and are not volunteers (yet), "
        "as a number: candidates at an info session.")] = 0,
    repo: RepoOpt = None,
    no_commit: NoCommitOpt = False,
) -> None:
    """Add an event. Prints the new event's ID on stdout."""
    from hs.app.events import add_event

    day = parse_date(date)
    report_change(add_event(open_repo(repo), kind, day, location=location, theme=theme,
                            step=step, count=count, commit=not no_commit))


@event_app.command("attend")
def attend(
    event: EventArg,
    volunteers: Annotated[list[str], typer.Argument(
        metavar="VOL...", help="Volunteers who attended (IDs or unique prefixes).",
        show_default=False, autocompletion=ids("volunteer"))],
    repo: RepoOpt = None,
    no_commit: NoCommitOpt = False,
) -> None:
    """Record that volunteers attended an event, in one commit. At a start-training
    module, each volunteer's training records the module's step on the event's day; at
    an info session, the step info-session. Training may come before the registration."""
    from hs.app.events import attend as attend_

    report_change(attend_(open_repo(repo), event, volunteers, commit=not no_commit))


@event_app.command("unattend")
def unattend(
    event: EventArg,
    volunteer: Annotated[str, typer.Argument(
        metavar="VOL", help="Volunteer ID (or a unique prefix of it).", show_default=False,
        autocompletion=ids("volunteer"))],
    repo: RepoOpt = None,
    no_commit: NoCommitOpt = False,
) -> None:
    """Remove a wrong attendance (and the training step the event recorded with it)."""
    from hs.app.events import unattend as unattend_

    report_change(unattend_(open_repo(repo), event, volunteer, commit=not no_commit))


def register(app: typer.Typer) -> None:
    app.add_typer(event_app, name="event")
