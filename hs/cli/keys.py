"""`hs keys`: the coordinators' laptops and the recovery key of a location's key store."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from hs.base.i18n import Catalog
from hs.cli.common import FormatOpt, RepoOpt, open_repo

MSG = Catalog("cli.keys")

keys_app = typer.Typer(help="Coordinators' laptops and the recovery key: list, request, "
                       "add, remove, recover, lock.", no_args_is_help=True)

LabelOpt = Annotated[str | None, typer.Option(
    "--label", metavar="LABEL", show_default=False,
    help="A name for this laptop in the key store (letters, digits, . _ -; not a "
    "person's name). Default: laptop- and the start of its identity.")]


@keys_app.command("list")
def list_(repo: RepoOpt = None, fmt: FormatOpt = None) -> None:
    """The laptops and recovery keys the key store is open to, and how many data keys it
    holds and has erased (no IDs, no names)."""
    from hs.app.keys import listing
    from hs.cli.output import emit, message, resolve_format

    fmt = resolve_format(fmt)
    table = listing(open_repo(repo).root)
    if fmt not in ("json", "csv"):  # for people: the kind as a word of the language
        for row in table.rows:
            row["kind"] = MSG(f"kind.{row['kind']}")
    caption = table.caption
    if fmt != "table":  # only the terminal table shows its caption
        table.caption = None
    emit(table, fmt)
    if caption and fmt != "table":
        message(caption)


@keys_app.command("request")
def request(repo: RepoOpt = None) -> None:
    """Print this laptop's public identity, for an enrolled laptop to add.

    Makes the identity first if this clone has none (its passphrase from a terminal, or
    from the file HS_PASSPHRASE_FILE names)."""
    from hs.app.keys import request as run_request
    from hs.cli.output import message

    typer.echo(run_request(open_repo(repo).root))
    message(MSG("request"))


@keys_app.command("add")
def add(
    identity: Annotated[str, typer.Argument(
        metavar="IDENTITY", show_default=False,
        help="The new laptop's public identity (hs-id-..., printed by hs keys request).")],
    label: Annotated[str, typer.Option(
        "--label", metavar="LABEL", show_default=False,
        help="A name for the new laptop (letters, digits, . _ -; not a person's name).")],
    repo: RepoOpt = None,
) -> None:
    """Enrol another laptop: open the key store to its public identity."""
    from hs.app.keys import add as run_add
    from hs.cli.output import message

    run_add(open_repo(repo).root, identity, label)
    message(MSG("added", label=label))


@keys_app.command("remove")
def remove(
    label: Annotated[str, typer.Argument(metavar="LABEL", show_default=False,
                                         help="The laptop's label (hs keys list).")],
    repo: RepoOpt = None,
) -> None:
    """Remove a laptop: seal the key store under a new key to the laptops that remain.

    Copies of the key store that laptop holds already stay readable to it."""
    from hs.app.keys import remove as run_remove
    from hs.cli.output import message

    run_remove(open_repo(repo).root, label)
    message(MSG("removed", label=label))


@keys_app.command("recover")
def recover(
    recovery_file: Annotated[Path | None, typer.Option(
        "--recovery-file", metavar="FILE", show_default=False,
        help="A file holding the recovery key (default: asked at the terminal).")] = None,
    label: LabelOpt = None,
    repo: RepoOpt = None,
) -> None:
    """Enrol this laptop with the location's recovery key (after hs sync has fetched the
    key store)."""
    import getpass

    from hs.app.keys import recover as run_recover
    from hs.base.errors import HsError, UsageError
    from hs.cli.output import message
    from hs.store.identity import on_terminal

    root = open_repo(repo).root
    if recovery_file is not None:
        try:
            text = recovery_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            raise HsError(MSG("recovery-file")) from None
    elif on_terminal():
        text = getpass.getpass(MSG("recovery-prompt"))
    else:
        raise UsageError(MSG("recovery-needed"))
    message(MSG("recovered", label=run_recover(root, text, label)))


@keys_app.command("lock")
def lock() -> None:
    """Stop the agent that keeps this session's unlocked identities."""
    from hs.app.keys import lock as run_lock
    from hs.cli.output import message

    message(MSG("locked") if run_lock() else MSG("no-agent"))


def register(app: typer.Typer) -> None:
    app.add_typer(keys_app, name="keys")
