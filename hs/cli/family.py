"""`hs family refer|accept|refuse|withdraw`: a referral and the decision on it."""

from __future__ import annotations

from typing import Annotated

import typer

from hs.cli.common import (
    ConsentOpt,
    DateOpt,
    NoCommitOpt,
    RepoOpt,
    codes,
    ids,
    open_repo,
    parse_date,
    parse_optional_date,
    report_change,
)

family_app = typer.Typer(help="Refer families and decide on their referrals.",
                         no_args_is_help=True)

FamArg = Annotated[str, typer.Argument(metavar="FAM", help="Family ID (or a unique prefix "
                                       "of it).", show_default=False,
                                       autocompletion=ids("family"))]


@family_app.command("refer")
def refer(
    date: DateOpt,
    referrer: Annotated[str, typer.Option("--referrer", metavar="CODE",
                                          help="Who referred the family (vocabulary "
                                          "referrers, e.g. kind-en-gezin, self).",
                                          show_default=False,
                                          autocompletion=codes("referrers"))],
    location: Annotated[str | None, typer.Option(
        "--location", metavar="LOC", help="The location (for a new family: required, "
        "unless only one location is open; asked on a terminal).")]
    = None,
    family: Annotated[str | None, typer.Option(
        "--family", metavar="FAM", autocompletion=ids("family"),
        help="Refer an existing family again (its previous "
        "referral was refused or withdrawn, or its trajectory closed) instead of adding "
        "a new one.")] = None,
    name: Annotated[str | None, typer.Option(
        "--name", help="How the coordinator recognises the family (stays in the record "
        "only).")] = None,
    municipality: Annotated[str | None, typer.Option(
        "--municipality", metavar="NAME", help="Where the family lives.")] = None,
    child: Annotated[list[str] | None, typer.Option(
        "--child", metavar="YYYY-MM", help="A child's birth month; repeat for each "
        "child.")] = None,
    expecting: Annotated[str | None, typer.Option(
        "--expecting", metavar="YYYY-MM",
        help="Expected birth month (makes the referral perinatal).")] = None,
    language: Annotated[list[str] | None, typer.Option(
        "--language", metavar="CODE", help="A home language (ISO 639: nl, fr, ar...); "
        "repeat for several.")] = None,
    flag: Annotated[list[str] | None, typer.Option(
        "--flag", metavar="FLAG", autocompletion=codes("profile_flags"),
        help="A profile flag (vocabulary profile_flags, e.g. "
        "single-parent); repeat for several.")] = None,
    parent_birth_year: Annotated[list[int] | None, typer.Option(
        "--parent-birth-year", metavar="YYYY", help="A parent's birth year; repeat for "
        "each parent.")] = None,
    consent: ConsentOpt = None,
    repo: RepoOpt = None,
    no_commit: NoCommitOpt = False,
) -> None:
    """Record a referral: a new family (prints its ID on stdout), or with --family FAM a
    new referral of a family whose previous referral ended.

    With --family, the options given add to the record: new children, languages and flags
    are added, --municipality and --location replace the old ones."""
    from hs.app.workflow import refer_family

    day = parse_date(date)
    records = open_repo(repo)
    if location is None and family is None:  # needed for a new family: the only one, or asked
        from hs.cli.prompt import only_or_asked

        locations = records.index.locations.values()
        open_ = {loc.id: loc.name for loc in sorted(locations, key=lambda loc: loc.id)
                 if loc.active_until is None or loc.active_until > day}
        location = only_or_asked("--location", open_)
    report_change(refer_family(
        records, day, referrer, location=location, family=family, name=name,
        municipality=municipality, children=child or [], expecting=expecting,
        languages=language or [], flags=flag or [],
        parent_birth_years=parent_birth_year or [],
        consent=parse_optional_date(consent, "--consent"), commit=not no_commit))


@family_app.command("accept")
def accept(family: FamArg, date: DateOpt, repo: RepoOpt = None,
           no_commit: NoCommitOpt = False) -> None:
    """Accept a referred family: it goes on the waiting list."""
    from hs.app.workflow import accept_family

    day = parse_date(date)
    report_change(accept_family(open_repo(repo), family, day, commit=not no_commit))


ReasonOpt = Annotated[str, typer.Option("--reason", metavar="CODE", show_default=False,
                                        help="Reason code (see the vocabulary).",
                                        autocompletion=codes("refusal_reasons"))]
WithdrawReasonOpt = Annotated[str, typer.Option("--reason", metavar="CODE",
                                                show_default=False,
                                                help="Reason code (see the vocabulary).",
                                                autocompletion=codes("withdrawal_reasons"))]


@family_app.command("refuse")
def refuse(family: FamArg, date: DateOpt, reason: ReasonOpt, repo: RepoOpt = None,
           no_commit: NoCommitOpt = False) -> None:
    """Refuse a referred family (reason: vocabulary refusal_reasons)."""
    from hs.app.workflow import refuse_family

    day = parse_date(date)
    report_change(refuse_family(open_repo(repo), family, day, reason,
                                commit=not no_commit))


@family_app.command("withdraw")
def withdraw(family: FamArg, date: DateOpt, reason: WithdrawReasonOpt, repo: RepoOpt = None,
             no_commit: NoCommitOpt = False) -> None:
    """Record that a referred or waiting family withdrew (reason: vocabulary
    withdrawal_reasons). A family in a trajectory is closed with 'hs close' instead."""
    from hs.app.workflow import withdraw_family

    day = parse_date(date)
    report_change(withdraw_family(open_repo(repo), family, day, reason,
                                  commit=not no_commit))


@family_app.command("consent")
def consent_cmd(family: FamArg, date: DateOpt, repo: RepoOpt = None,
                no_commit: NoCommitOpt = False) -> None:
    """Record the day the family was told what is kept about them, and for how long, and
    agreed."""
    from hs.app.retention import record_consent

    day = parse_date(date)
    report_change(record_consent(open_repo(repo), "family", family, day,
                                 commit=not no_commit))


def register(app: typer.Typer) -> None:
    app.add_typer(family_app, name="family")
