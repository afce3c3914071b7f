"""`hs sync` and `hs resolve`: keep a location's laptops in step, settle merge conflicts."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from hs.base.i18n import Catalog
from hs.cli.common import NoCommitOpt, RepoOpt, ids, open_repo, report_change

MSG = Catalog("cli.sync")


def sync(
    remote: Annotated[str | None, typer.Option(
        "--remote", metavar="NAME", show_default=False,
        help="The remote to sync with (default: the branch's upstream, else the only "
        "remote, else origin).")] = None,
    repo: RepoOpt = None,
) -> None:
    """Fetch, merge (record by record), validate, push.

    The remote's changes are merged with a merge commit (never a rebase): visits,
    reviews, decisions and the like logged on two laptops are joined; a field given two
    values keeps one in the file and both in the record, listed by 'hs validate' and
    'hs due' until 'hs resolve' settles it. One line says what came in and went out."""
    from hs.app.sync import sync as run_sync
    from hs.cli.output import message

    r = open_repo(repo)
    result = run_sync(r, remote)
    for p in result.problems:
        message(str(p))
    message(result.summary)


def resolve(
    record: Annotated[str, typer.Argument(metavar="ID", help="The record (ID or a "
                                          "unique prefix).", show_default=False,
                                          autocompletion=ids("record"))],
    field: Annotated[str | None, typer.Argument(
        metavar="[FIELD]", help="The field in conflict, as 'hs validate' names it "
        "(needed when the record has several).", show_default=False)] = None,
    keep: Annotated[int | None, typer.Option(
        "--keep", metavar="N", help="Keep value N of the conflict.",
        show_default=False)] = None,
    value: Annotated[str | None, typer.Option(
        "--value", metavar="VALUE", help="Give the field a new value instead.",
        show_default=False)] = None,
    repo: RepoOpt = None,
    no_commit: NoCommitOpt = False,
) -> None:
    """Settle a true conflict left by a merge.

    Without --keep or --value, lists the record's conflicts with their numbered values."""
    from hs.app.sync import MSG as RESOLVE_MSG
    from hs.app.sync import conflicts
    from hs.app.sync import resolve as run_resolve
    from hs.base.errors import HsError, UsageError
    from hs.cli.output import message, safe

    r = open_repo(repo)
    if keep is None and value is None:
        kind, rid, pending = conflicts(r, record)
        if not pending:
            raise HsError(RESOLVE_MSG("no-conflicts", id=rid))
        if field is not None and all(c.field != field for c in pending):
            raise UsageError(RESOLVE_MSG("no-field", id=rid, field=field,
                                         fields=", ".join(c.field for c in pending)))
        opened = _opener(r, kind, rid)  # the coordinator reads the values here
        for c in pending:
            if field is not None and c.field != field:
                continue
            typer.echo(safe(MSG("field", field=c.field)))
            for n, (v, author, date) in enumerate(c.values, 1):
                shown = MSG("removed") if v is None else opened(v)
                typer.echo(safe(MSG("value", n=n, value=shown, author=author, date=date)))
        message(MSG("hint", id=rid))
        return
    report_change(run_resolve(r, record, field, keep, value, commit=not no_commit))


def _opener(r: Any, kind: str, rid: str) -> Any:
    """Opens the sealed values of a record's conflicts ("[sealed]" without the key)."""
    from hs.app.sealing import Opener, owner_of
    from hs.store.yamlio import YamlIssue, decode, load_plain

    try:
        data = load_plain(decode(r.path_of(kind, rid).read_bytes()))
    except (OSError, ValueError, YamlIssue):  # an unreadable file: no owner from it
        data = None
    return Opener(r, kind, rid, owner_of(kind, rid, data))


def register(app: typer.Typer) -> None:
    app.command("sync")(sync)
    app.command("resolve")(resolve)
