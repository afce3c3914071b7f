"""`hs undo`: take back the last change hs committed (see :mod:`hs.app.undo`)."""

from __future__ import annotations

from typing import Annotated

import typer

from hs.cli.common import RepoOpt, open_repo, report_change


def undo(
    redo: Annotated[bool, typer.Option(
        "--redo", help="Bring back the change the last 'hs undo' took back (only right "
        "after that undo).")] = False,
    repo: RepoOpt = None,
) -> None:
    """Undo the last hs commit, if nothing came after it.

    Writes every file of that commit back as it was before it (a record it made is
    removed), in one new commit; a batch (several visits, an import) is undone whole.
    Only a commit made by hs on this clone is undone: refused, in one line saying why,
    when the last commit is not hs's (a commit by hand, a merge), came in from another
    clone (hs sync, a pull), on a detached HEAD, or when its files have uncommitted
    changes. An undo is not undone by 'hs undo' again: 'hs undo --redo' brings the change
    back (and 'hs undo' after that takes it back again)."""
    from hs.app.undo import undo as core

    report_change(core(open_repo(repo), redo=redo))


def register(app: typer.Typer) -> None:
    app.command("undo")(undo)
