"""`hs dossier ID [--out FILE]`: everything held about one family or volunteer."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from hs.base.i18n import Catalog
from hs.cli.common import RepoOpt, open_repo, parse_date

MSG = Catalog("cli.dossier")


def dossier(
    record: Annotated[str, typer.Argument(
        metavar="ID", help="Family or volunteer ID (or a unique prefix of it).",
        show_default=False)],
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", metavar="FILE",
        help="The page to write (Markdown; the JSON goes beside it, FILE with .json). "
        "Default: dossier-ID.md in the current folder. Never inside the repository "
        "(where git could pick it up).", show_default=False)] = None,
    as_of: Annotated[str | None, typer.Option(
        "--as-of", metavar="DATE", help="The date the dossier says it was made.",
        show_default=False)] = None,
    repo: RepoOpt = None,
) -> None:
    """Everything held about one family or volunteer (subject access).

    The record, a family's trajectories (visits, reviews, notes) and signals, a
    volunteer's trajectories and events, and every change from git, as a page in the
    language of hs (--lang) and as JSON. Erased data is reported as erased."""
    from hs.app import dossier as app
    from hs.cli.output import message

    day = parse_date(as_of, "--as-of")
    r = open_repo(repo)
    app.target(r.root, out, "ID")  # refused before anything is read
    d = app.build(r, record, day)
    page, data = app.write(d, app.target(r.root, out, d.id))
    message(MSG("written", id=d.id, page=page, data=data))


def register(app: typer.Typer) -> None:
    app.command("dossier")(dossier)
