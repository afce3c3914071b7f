"""`hs volunteer add|stop|train|activate|check`: a volunteer's path, from candidate to
active (and stopped, and back)."""

from __future__ import annotations

from typing import Annotated

import typer

from hs.cli.common import (
    ConsentOpt,
    DateOpt,
    NoCommitOpt,
    RepoOpt,
    VolArg,
    codes,
    open_repo,
    parse_date,
    parse_optional_date,
    report_change,
)

volunteer_app = typer.Typer(
    help="Register volunteers, their training, checks and stops.",
    no_args_is_help=True)


@volunteer_app.command("add")
def add(
    location: Annotated[str, typer.Option("--location", metavar="LOC",
                                          help="The volunteer's location.",
                                          show_default=False)],
    gender: Annotated[str, typer.Option("--gender", metavar="f|m|x",
                                        help="Gender: f, m or x.", show_default=False,
                                        autocompletion=codes("genders"))],
    birth_year: Annotated[int, typer.Option("--birth-year", metavar="YYYY",
                                            help="Year of birth (never the date).",
                                            show_default=False)],
    name: Annotated[str | None, typer.Option(
        "--name", help="Name as the coordinator uses it (stays in the record only).")]
    = None,
    language: Annotated[list[str] | None, typer.Option(
        "--language", metavar="CODE", help="A language spoken (ISO 639: nl, fr, ar...); "
        "repeat for several.")] = None,
    role: Annotated[list[str] | None, typer.Option(
        "--role", metavar="buddy|starter|language|coach",
        autocompletion=codes("trajectory_kinds"),
        help="A role; repeat for several (default: buddy).")] = None,
    municipality: Annotated[str | None, typer.Option(
        "--municipality", metavar="NAME", help="Where the volunteer lives.")] = None,
    joined: Annotated[str | None, typer.Option(
        "--joined", metavar="DATE", help="Active from this day. Without it the volunteer "
        "is a candidate until training is recorded and 'hs volunteer activate'.")] = None,
    checked: Annotated[str | None, typer.Option(
        "--checked", metavar="DATE",
        help="Day the criminal-record extract (model 2) was checked.")] = None,
    registered: Annotated[str | None, typer.Option(
        "--registered", metavar="DATE",
        help="Day the volunteer registered (default: today, for a candidate), for work "
        "entered later: events they attended are checked against it.")] = None,
    available: Annotated[list[str] | None, typer.Option(
        "--available", metavar="HALF-DAY", autocompletion=codes("half_days"),
        help="A half-day the volunteer can visit, "
        "e.g. mon-am, thu-pm; repeat for several.")] = None,
    capacity: Annotated[int | None, typer.Option(
        "--capacity", min=0, max=10, help="How many families at once (default 1).")] = None,
    preference: Annotated[list[str] | None, typer.Option(
        "--preference", metavar="CODE", autocompletion=codes("volunteer_preferences"),
        help="What the volunteer likes to take on "
        "(vocabulary volunteer_preferences); repeat for several.")] = None,
    consent: ConsentOpt = None,
    repo: RepoOpt = None,
    no_commit: NoCommitOpt = False,
) -> None:
    """Add a volunteer. Prints the new volunteer's ID on stdout."""
    from hs.app.workflow import add_volunteer
    from hs.store.repo import today

    joined_day = parse_optional_date(joined, "--joined")
    checked_day = parse_optional_date(checked, "--checked")
    r = open_repo(repo)
    report_change(add_volunteer(
        r, location, gender, birth_year, name=name, languages=language or [],
        roles=role or [], municipality=municipality, joined=joined_day,
        checked=checked_day, availability=available or [], capacity=capacity,
        preferences=preference or [], day=today(),
        registered=parse_optional_date(registered, "--registered"),
        consent=parse_optional_date(consent, "--consent"), commit=not no_commit))


@volunteer_app.command("consent")
def consent_cmd(volunteer: VolArg, date: DateOpt, repo: RepoOpt = None,
                no_commit: NoCommitOpt = False) -> None:
    """Record the day the volunteer was told what is kept about them, and for how long,
    and agreed."""
    from hs.app.retention import record_consent

    day = parse_date(date)
    report_change(record_consent(open_repo(repo), "volunteer", volunteer, day,
                                 commit=not no_commit))


@volunteer_app.command("stop")
def stop(
    volunteer: VolArg,
    date: DateOpt,
    reason: Annotated[str, typer.Option("--reason", metavar="CODE",
                                        help="Stop reason (vocabulary stop_reasons).",
                                        show_default=False,
                                        autocompletion=codes("stop_reasons"))],
    repo: RepoOpt = None,
    no_commit: NoCommitOpt = False,
) -> None:
    """Record that a volunteer stopped (DATE is their last active day). A candidate who
    was never active and drops out is recorded the same way (dropped_out: status stopped,
    never counted as a volunteer)."""
    from hs.app.workflow import stop_volunteer

    day = parse_date(date)
    report_change(stop_volunteer(open_repo(repo), volunteer, day, reason,
                                 commit=not no_commit))


@volunteer_app.command("train")
def train(
    volunteer: VolArg,
    steps: Annotated[list[str], typer.Argument(
        metavar="STEP...", help="Training steps (vocabulary training_steps: info-session, "
        "module-resilience, module-attitude, module-network, get-to-know).",
        show_default=False, autocompletion=codes("training_steps"))],
    date: DateOpt,
    repo: RepoOpt = None,
    no_commit: NoCommitOpt = False,
) -> None:
    """Record training steps the volunteer did (several: one commit)."""
    from hs.app.workflow import train_steps, train_volunteer

    day = parse_date(date)
    r = open_repo(repo)
    if len(steps) == 1:
        report_change(train_volunteer(r, volunteer, steps[0], day, commit=not no_commit))
    else:
        report_change(train_steps(r, volunteer, steps, day, commit=not no_commit))


@volunteer_app.command("activate")
def activate(
    volunteer: VolArg,
    date: DateOpt,
    force: Annotated[bool, typer.Option(
        "--force", help="Activate even though required training is missing.")] = False,
    repo: RepoOpt = None,
    no_commit: NoCommitOpt = False,
) -> None:
    """Make a candidate active (or a stopped volunteer active again: a new active period).

    Refuses when a required training step is missing, unless --force."""
    from hs.app.workflow import activate_volunteer

    day = parse_date(date)
    report_change(activate_volunteer(open_repo(repo), volunteer, day, force=force,
                                     commit=not no_commit))


@volunteer_app.command("check")
def check(
    volunteer: VolArg,
    date: DateOpt,
    repo: RepoOpt = None,
    no_commit: NoCommitOpt = False,
) -> None:
    """Record a new check of the volunteer's criminal-record extract (only the date)."""
    from hs.app.workflow import check_volunteer

    day = parse_date(date)
    report_change(check_volunteer(open_repo(repo), volunteer, day, commit=not no_commit))


def register(app: typer.Typer) -> None:
    app.add_typer(volunteer_app, name="volunteer")
