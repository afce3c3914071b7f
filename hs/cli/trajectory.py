"""`hs start|visit|review|close|replace|extend`: a trajectory from the first home visit
to the close."""

from __future__ import annotations

import re
from typing import Annotated

import typer

from hs.cli.common import (
    DateOpt,
    NoCommitOpt,
    RepoOpt,
    VolArg,
    codes,
    ids,
    open_repo,
    parse_date,
    report_change,
)
from hs.records.enums import REVIEW_KINDS, TRAJECTORY_KINDS

TrjArg = Annotated[str, typer.Argument(metavar="TRJ", help="Trajectory ID (or a unique "
                                       "prefix of it).", show_default=False,
                                       autocompletion=ids("trajectory"))]
ScoreOpt = Annotated[list[str] | None, typer.Option(
    "--score", metavar="DOMAIN=N", autocompletion=codes("impact_domains"),
    help="An impact score 1-5 for a domain (vocabulary "
    "impact_domains), e.g. network=3; repeat for several.")]
NoteOpt = Annotated[str | None, typer.Option(
    "--note", help="A note (stays in the record only).")]


def parse_scores(values: list[str] | None) -> dict[str, int]:
    """``["network=3", ...]`` as a dict; a malformed one is a usage error."""
    from hs.base.errors import UsageError
    from hs.base.i18n import Catalog

    msg = Catalog("cli.trajectory")
    out: dict[str, int] = {}
    for value in values or []:
        domain, sep, number = value.partition("=")
        if not sep or not domain.strip() or not re.fullmatch(r"[0-9]{1,3}", number.strip()):
            raise UsageError(msg("bad", value=value))
        out[domain.strip()] = int(number)
    return out


def start(
    family: Annotated[str, typer.Argument(metavar="FAM", help="Family ID (or a unique "
                                          "prefix).", show_default=False,
                                          autocompletion=ids("family"))],
    volunteer: VolArg,
    date: DateOpt,
    kind: Annotated[str, typer.Option("--kind", metavar="|".join(TRAJECTORY_KINDS),
                                      help="Kind of trajectory.",
                                      autocompletion=codes("trajectory_kinds"))] = "buddy",
    note: NoteOpt = None,
    repo: RepoOpt = None,
    no_commit: NoCommitOpt = False,
) -> None:
    """Start a trajectory: match a volunteer to a family.

    The family must be accepted and waiting; DATE is the first home visit. Prints the new
    trajectory's ID on stdout.

    A starter trajectory (--kind starter) supports a family while it waits; it ends on the
    day the family's buddy, language or coach trajectory starts, in the same commit. A
    missing or expired criminal-record check gives a warning, not a refusal."""
    from hs.app.workflow import start_trajectory

    day = parse_date(date)
    report_change(start_trajectory(open_repo(repo), family, volunteer, day, kind=kind,
                                   note=note, commit=not no_commit))


def visit(
    trajectories: Annotated[list[str], typer.Argument(
        metavar="TRJ...", help="Trajectory IDs (or unique prefixes); a visit in each.",
        show_default=False, autocompletion=ids("trajectory"))],
    dates: Annotated[list[str], typer.Option(
        "--date", metavar="DATE", show_default=False,
        help="The day of the visit: YYYY-MM-DD, DD/MM/YYYY, today or yesterday; repeat "
        "for several (a visit on each).")],
    minutes: Annotated[int | None, typer.Option("--minutes", min=1, max=1440,
                                                help="How long each visit took.")] = None,
    note: NoteOpt = None,
    repo: RepoOpt = None,
    no_commit: NoCommitOpt = False,
) -> None:
    """Log a home visit (support moment) in a trajectory.

    With several trajectories and dates, a visit in every trajectory on every date, in one
    commit; if one is refused, nothing is written ('hs undo' takes a batch back)."""
    from hs.app.workflow import record_visit, record_visits

    days = [parse_date(d) for d in dates]
    r = open_repo(repo)
    if len(trajectories) == 1 and len(days) == 1:
        report_change(record_visit(r, trajectories[0], days[0], minutes=minutes, note=note,
                                   commit=not no_commit))
    else:
        report_change(record_visits(r, trajectories, days, minutes=minutes, note=note,
                                    commit=not no_commit))


def review(
    trajectory: TrjArg,
    date: DateOpt,
    kind: Annotated[str | None, typer.Option(
        "--kind", metavar="|".join(REVIEW_KINDS), autocompletion=codes("review_kinds"),
        help="Kind of review (default from the trajectory's age: start in the first three "
        "months, six-month until about nine months, closing after).")] = None,
    score: ScoreOpt = None,
    note: NoteOpt = None,
    repo: RepoOpt = None,
    no_commit: NoCommitOpt = False,
) -> None:
    """Record a review of a trajectory, with impact scores.

    Scores go to the trajectory's start impact if it has none yet, else on the review."""
    from hs.app.workflow import record_review

    day = parse_date(date)
    scores = parse_scores(score)
    report_change(record_review(open_repo(repo), trajectory, day, kind=kind, scores=scores,
                                note=note, commit=not no_commit))


def close(
    trajectory: TrjArg,
    date: DateOpt,
    reason: Annotated[str, typer.Option("--reason", metavar="CODE", show_default=False,
                                        help="Close reason (vocabulary close_reasons).",
                                        autocompletion=codes("close_reasons"))],
    score: ScoreOpt = None,
    note: NoteOpt = None,
    repo: RepoOpt = None,
    no_commit: NoCommitOpt = False,
) -> None:
    """Close a trajectory with a reason and end scores.

    Scores go to the trajectory's end impact."""
    from hs.app.workflow import close_trajectory

    day = parse_date(date)
    scores = parse_scores(score)
    report_change(close_trajectory(open_repo(repo), trajectory, day, reason, scores=scores,
                                   note=note, commit=not no_commit))


def replace(
    trajectory: TrjArg,
    volunteer: VolArg,
    date: DateOpt,
    repo: RepoOpt = None,
    no_commit: NoCommitOpt = False,
) -> None:
    """Replace the volunteer of a running trajectory.

    The new volunteer starts on DATE; the old one's assignment ends the day before (or on
    their last active day, if they stopped earlier). The trajectory goes on."""
    from hs.app.workflow import replace_volunteer

    day = parse_date(date)
    report_change(replace_volunteer(open_repo(repo), trajectory, volunteer, day,
                                    commit=not no_commit))


def extend(
    trajectory: TrjArg,
    date: DateOpt,
    score: ScoreOpt = None,
    note: NoteOpt = None,
    repo: RepoOpt = None,
    no_commit: NoCommitOpt = False,
) -> None:
    """Extend a trajectory after a year.

    Records a review of kind extension."""
    from hs.app.workflow import extend_trajectory

    day = parse_date(date)
    scores = parse_scores(score)
    report_change(extend_trajectory(open_repo(repo), trajectory, day, scores=scores,
                                    note=note, commit=not no_commit))


def register(app: typer.Typer) -> None:
    app.command("start")(start)
    app.command("visit")(visit)
    app.command("review")(review)
    app.command("close")(close)
    app.command("replace")(replace)
    app.command("extend")(extend)
