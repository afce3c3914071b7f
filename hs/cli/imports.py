"""`hs import families|volunteers FILE.csv`: move a location off a spreadsheet."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from hs.cli.common import NoCommitOpt, RepoOpt, open_repo

import_app = typer.Typer(
    help="Import families or volunteers from a spreadsheet (CSV).\n\nSee docs/import.md. "
    "Every row is checked; nothing is written unless all rows are valid; the import is "
    "one commit.",
    no_args_is_help=True)

FileArg = Annotated[Path, typer.Argument(metavar="FILE.csv", help="The spreadsheet, saved "
                                         "as CSV (UTF-8; separated by , or ;).",
                                         show_default=False)]
LocationOpt = Annotated[str | None, typer.Option(
    "--location", metavar="LOC", help="Location of every row without a 'location' "
    "column value.")]
DryRunOpt = Annotated[bool, typer.Option(
    "--dry-run", help="Check every row and write nothing.")]

FAMILY_HELP = """Import families: one row per family, one referral each.

Columns (header row, any order, case-insensitive; Dutch names work too):
location, name, municipality, referral_date (required), referrer (required: code or
label), expecting (YYYY-MM), children (birth months YYYY-MM; separate several with ;),
languages (nl; ar), flags (codes or labels; separate with ;), parent_birth_years,
accepted_date, refused_date, withdrawn_date, reason (refusal or withdrawal reason),
note. Dates: YYYY-MM-DD or DD/MM/YYYY.

Prints the new IDs on stdout, in row order. Errors: FILE.csv:ROW: message (the header is
row 1)."""

VOLUNTEER_HELP = """Import volunteers: one row per volunteer.

Columns (header row, any order, case-insensitive; Dutch names work too):
location, name, gender (required: f, m, x), birth_year (required), municipality,
languages, roles (buddy; starter; language; coach), availability (mon-am; thu-pm),
capacity, preferences, joined (first active day; empty: a candidate), checked
(criminal-record check), stopped and stop_reason, note, and one column per training
step named by its code (info-session, module-resilience, module-attitude,
module-network, get-to-know) holding the day it was done. Dates: YYYY-MM-DD or
DD/MM/YYYY.

Prints the new IDs on stdout, in row order. Errors: FILE.csv:ROW: message (the header is
row 1)."""


def _run(kind: str, file: Path, location: str | None, dry_run: bool, repo: Path | None,
         no_commit: bool) -> None:
    from hs.app.importer import ImportRejected, import_csv
    from hs.cli.common import report_change, warning
    from hs.cli.output import message
    from hs.cli.progress import working

    r = open_repo(repo)
    with working("import", file=file.name) as step:
        result = import_csv(r, kind, file, location=location,  # type: ignore[arg-type]
                            dry_run=dry_run, commit=not no_commit, progress=step)
    for err in result.errors:
        message(str(err))
    if result.errors:
        raise ImportRejected(result.summary)
    if result.outcome is not None:
        for w in result.warnings:
            if w not in result.outcome.warnings:
                message(warning(w))
        report_change(result.outcome)
        return
    for w in result.warnings:
        message(warning(w))
    message(result.summary)


@import_app.command("families", help=FAMILY_HELP)
def families(file: FileArg, location: LocationOpt = None, dry_run: DryRunOpt = False,
             repo: RepoOpt = None, no_commit: NoCommitOpt = False) -> None:
    _run("families", file, location, dry_run, repo, no_commit)


@import_app.command("volunteers", help=VOLUNTEER_HELP)
def volunteers(file: FileArg, location: LocationOpt = None, dry_run: DryRunOpt = False,
               repo: RepoOpt = None, no_commit: NoCommitOpt = False) -> None:
    _run("volunteers", file, location, dry_run, repo, no_commit)


def register(app: typer.Typer) -> None:
    app.add_typer(import_app, name="import")
