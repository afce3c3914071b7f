"""`hs undo`: take back the last change hs committed (see :mod:`hs.app.undo`)."""

from __future__ import annotations

import typer

from hs.cli.common import RepoOpt, open_repo, report_change


def undo(repo: RepoOpt = None) -> None:
    """Undo the last hs commit, if nothing came after it.

    Writes every file of that commit back as it was before it (a record it made is
    removed), in one new commit; a batch (several visits, an import) is undone whole.
    Refused, in one line saying why, when the last commit is not hs's (a commit by hand,
    a merge), on a detached HEAD, or when its files have uncommitted changes. 'hs undo'
    again brings the change back."""
    from hs.app.undo import undo as core

    report_change(core(open_repo(repo)))


def register(app: typer.Typer) -> None:
    app.command("undo")(undo)
