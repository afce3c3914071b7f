"""`hs edit`, `hs erase`, `hs seal`: personal fields sealed, edited and erased."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from hs.base.i18n import Catalog
from hs.base.terminal import is_terminal
from hs.cli.common import NoCommitOpt, RepoOpt, open_repo, report_change
from hs.cli.confirm import confirm
from hs.cli.setup import LabelOpt, RecoveryOutOpt, give_recovery, keys_first, make_keys

MSG = Catalog("cli.seal")


def _tty() -> bool:
    """Whether someone can answer the question (stdin and stderr are a terminal)."""
    return is_terminal(sys.stdin, sys.stderr)


def edit(
    record_id: Annotated[str, typer.Argument(metavar="ID",
                                             help="A record ID or a unique prefix of one.")],
    repo: RepoOpt = None,
    no_commit: NoCommitOpt = False,
) -> None:
    """Edit a record in $EDITOR, sealed fields included; validated, one commit.

    Names and notes are readable in the editor and sealed again where they changed."""
    from hs.app.editing import edit_record
    from hs.cli.output import message

    def retry(problem: str) -> bool:  # on a terminal: say what is wrong, offer to re-open
        if not _tty():
            return False
        message(problem)
        return confirm(MSG("reopen"), default=True)

    done = edit_record(open_repo(repo), record_id, retry=retry, commit=not no_commit)
    if done.outcome is None:
        message(done.summary)
        return
    report_change(done.outcome)


def erase(
    record_ids: Annotated[list[str], typer.Argument(
        metavar="ID...", help="Families or volunteers (IDs or unique prefixes).",
        show_default=False)],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
    reason: Annotated[str, typer.Option(
        "--reason", metavar="CODE", help="Why, written in the commit: request (the person "
        "asked) or retention.")] = "request",
    repo: RepoOpt = None,
    no_commit: NoCommitOpt = False,
) -> None:
    """Crypto-shred families or volunteers: destroy their keys, one commit.

    Their names and notes become unreadable in every revision on every clone once the
    keys sync; their plain fields still count in the figures."""
    from hs.app.erase import erase as erase_
    from hs.base.errors import UsageError

    r = open_repo(repo)
    ids = [r.resolve(x)[1] for x in record_ids]
    if not yes:
        if not _tty():
            raise UsageError(MSG("need-yes"))
        if not confirm(MSG.n("confirm-n", len(ids), ids=", ".join(ids))):
            raise typer.Exit(1)
    done = erase_(r, ids, reason=reason, commit=not no_commit)
    report_change(done.outcome)


def seal(
    repo: RepoOpt = None,
    no_commit: NoCommitOpt = False,
    label: LabelOpt = None,
    recovery_out: RecoveryOutOpt = None,
) -> None:
    """Seal every name and note of this repository, one commit.

    Creates a key for each family and volunteer; new values are sealed from then on.
    Earlier revisions still hold the plain values (docs/privacy.md). A clone with no key
    store yet (a repository made before keys existed) gets one first, as hs init makes
    it: this laptop's identity, the store, and the recovery key, given once."""
    from hs.app.keys import has_store
    from hs.app.sealrepo import nothing_to_seal, seal_repository
    from hs.cli.output import message

    r = open_repo(repo)
    recovery = None
    if not has_store(r.root):
        recovery = make_keys(r.root, keys_first(label, recovery_out), label)
    outcome = seal_repository(r, commit=not no_commit)
    if recovery is not None:
        give_recovery(recovery, recovery_out)
    if outcome is None:
        message(nothing_to_seal())
        return
    report_change(outcome)


def register(app: typer.Typer) -> None:
    app.command("edit")(edit)
    app.command("erase")(erase)
    app.command("seal")(seal)
