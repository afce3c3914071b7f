"""`hs init` and `hs location add|stop`: a new records repository and its locations."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from hs.base.i18n import Catalog
from hs.base.terminal import is_terminal
from hs.cli.common import DateOpt, NoCommitOpt, RepoOpt, open_repo, parse_date, report_change

MSG = Catalog("cli.setup")


LabelOpt = Annotated[str | None, typer.Option(
    "--label", metavar="LABEL", show_default=False,
    help="A name for this laptop in the key store (letters, digits, . _ -; not a "
    "person's name). Default: laptop- and the start of its identity.")]
RecoveryOutOpt = Annotated[Path | None, typer.Option(
    "--recovery-out", metavar="FILE", show_default=False,
    help="Write the location's recovery key to FILE (a new file, readable by you "
    "only) instead of printing it.")]


def keys_first(label: str | None, recovery_out: Path | None) -> str:
    """Before anything is made for a new key store: the label and the recovery file
    checked, and the new identity's passphrase (refused with no terminal and no file)."""
    from hs.app.keys import check_label, need_passphrase
    from hs.base.errors import UsageError

    if label is not None:
        check_label(label)
    if recovery_out is not None and recovery_out.exists():
        raise UsageError(MSG("recovery-exists", path=recovery_out))
    return need_passphrase()


def make_keys(root: Path, passphrase: str, label: str | None) -> str:
    """This laptop's identity and a new key store; the recovery key, to give once
    (:func:`give_recovery`)."""
    from hs.app.keys import setup as setup_keys

    return setup_keys(root, passphrase, label).recovery


def init(
    path: Annotated[Path, typer.Argument(help="Folder for the new records repository "
                                         "(created if missing).", show_default=False)],
    install: Annotated[str | None, typer.Option(
        "--install", metavar="SOURCE",
        help="Where the CI workflow and the pre-commit hook install hs from: a git URL of "
        "hs pinned to a tag or commit (git+https://.../hs@v0.2.0) or a homestart_hs wheel. "
        "Kept as 'install:' in records/config.yaml.", show_default=False)] = None,
    no_commit: NoCommitOpt = False,
    label: LabelOpt = None,
    recovery_out: RecoveryOutOpt = None,
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
    location: hs location add.

    It also makes this laptop's identity (its passphrase asked twice at the terminal, or
    read from the file HS_PASSPHRASE_FILE names; with neither, init refuses), the key store
    of the families' and volunteers' keys, and the location's recovery key, printed once
    (or written to --recovery-out): keep it offline, it enrols a new laptop when every
    enrolled one is lost."""
    from hs.app.workflow import init_repository
    from hs.store import clonesetup

    passphrase = keys_first(label, recovery_out)  # refused before anything is made
    outcome = init_repository(path, commit=not no_commit, install=install)
    root = path.expanduser().resolve()
    clonesetup.ensure(root)
    recovery = make_keys(root, passphrase, label)
    report_change(outcome)
    give_recovery(recovery, recovery_out)


def _terminal_width() -> int | None:
    import shutil
    import sys

    return shutil.get_terminal_size().columns if is_terminal(sys.stdout) else None


def recovery_line(text: str, width: int | None) -> str:
    """The recovery key on one line of at most ``width`` characters, so that a terminal
    does not split it: in groups of four, else of eight, else without dashes (``hs keys
    recover`` reads every form: it keeps letters and digits only)."""
    if width is None or len(text) <= width:
        return text
    head, _, body = text.partition("-")
    prefix, _, body = body.partition("-")
    start = f"{head}-{prefix}-"
    plain = body.replace("-", "")
    eights = start + "-".join(plain[i:i + 8] for i in range(0, len(plain), 8))
    return eights if len(eights) <= width else start + plain


def give_recovery(text: str, out: Path | None) -> None:
    """The recovery key, once: to a new owner-only file, else on stdout."""
    import os

    from hs.cli.output import message

    if out is None:
        message(MSG("recovery-shown"))
        typer.echo(recovery_line(text, _terminal_width()))
        return
    try:
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with open(fd, "w", encoding="utf-8") as fh:
            fh.write(text + "\n")
    except OSError as exc:
        message(MSG("recovery-unwritable", path=out, why=exc.strerror or type(exc).__name__))
        typer.echo(text)
        return
    message(MSG("recovery-written", path=out))


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
