"""`hs init` and `hs location add|stop`: a new records repository and its locations."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from hs.cli.common import DateOpt, NoCommitOpt, RepoOpt, open_repo, parse_date, report_change


def init(
    path: Annotated[Path, typer.Argument(help="Folder for the new records repository "
                                         "(created if missing).", show_default=False)],
    install: Annotated[str | None, typer.Option(
        "--install", metavar="SOURCE",
        help="Where the CI workflow and the pre-commit hook install hs from: a git URL of "
        "hs pinned to a tag or commit (git+https://.../hs@v0.2.0) or a homestart_hs wheel. "
        "Kept as 'install:' in records/config.yaml.", show_default=False)] = None,
    no_commit: NoCommitOpt = False,
) -> None:
    """Create a new records repository at PATH.

    Runs git init (unless PATH is inside a git work tree already), writes the records tree
    with the default config and vocabularies (records/config.yaml,
    records/vocabularies.yaml), the JSON Schemas for editors (schemas/), a CI workflow
    (.github/workflows/hs-validate.yml) and a pre-commit config that install hs from
    --install and run 'hs validate' (without --install they fail and say so), VS Code
    settings that give each record file its schema (.vscode/settings.json), a
    .gitignore that keeps the cache (.hs/) and spreadsheets out of git, a .gitattributes
    that merges record files record by record, and makes the first commit. It installs
    hs's git pre-commit hook, which runs 'hs validate' before every commit made by hand (a
    hook that was there is kept as pre-commit.local and run first), and registers the
    record merge driver; a clone gets both from its first hs command. Then add a
    location: hs location add."""
    from hs.app.workflow import init_repository
    from hs.store import clonesetup

    outcome = init_repository(path, commit=not no_commit, install=install)
    clonesetup.ensure(path.expanduser().resolve())
    report_change(outcome)


location_app = typer.Typer(help="Add and stop locations.",
                           no_args_is_help=True)


@location_app.command("add")
def location_add(
    code: Annotated[str, typer.Argument(metavar="LOC", help="Short code that is the "
                                        "location's ID, e.g. leuven (lower case, digits, -).",
                                        show_default=False)],
    name: Annotated[str, typer.Option("--name", help="Public name, e.g. "
                                      "'Home-Start Leuven'.", show_default=False)],
    municipality: Annotated[list[str], typer.Option(
        "--municipality", metavar="NAME", help="A municipality the location serves "
        "(repeat for several).", show_default=False)],
    from_: Annotated[str, typer.Option("--from", metavar="DATE",
                                       help="First day the location works.")] = "today",
    partner: Annotated[str | None, typer.Option(
        "--partner", help="Partner organisation that runs the location.")] = None,
    fte: Annotated[float | None, typer.Option(
        "--fte", min=0, max=50, help="Coordinator FTE.")] = None,
    repo: RepoOpt = None,
    no_commit: NoCommitOpt = False,
) -> None:
    """Add a location. Prints its code on stdout."""
    from hs.app.workflow import add_location

    day = parse_date(from_, "--from")
    r = open_repo(repo)
    report_change(add_location(r, code, name, municipality, day, partner=partner, fte=fte,
                               commit=not no_commit))


@location_app.command("stop")
def location_stop(
    code: Annotated[str, typer.Argument(metavar="LOC", help="The location's code.",
                                        show_default=False)],
    date: DateOpt,
    repo: RepoOpt = None,
    no_commit: NoCommitOpt = False,
) -> None:
    """Record the last day a location worked. Its history stays reportable."""
    from hs.app.workflow import stop_location

    day = parse_date(date)
    report_change(stop_location(open_repo(repo), code, day, commit=not no_commit))


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    app.add_typer(location_app, name="location")
