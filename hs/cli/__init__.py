"""The `hs` command line: a thin layer over the core modules.

Each module of this package registers one command group (or a few top-level commands)
with :func:`register`; commands parse arguments, call the core, and render the result.
Every :class:`hs.base.errors.HsError` becomes one line on stderr and its exit code here, in
:class:`HsGroup`, and nowhere else.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import typer
import typer.main
from typer.core import TyperGroup
from typer.exceptions import TyperException

from hs import __version__
from hs.commands import COMMANDS, command_word


def _MSG(key: str, **fields: object) -> str:
    from hs.base.i18n import Catalog

    return Catalog({
        "interrupted": ("interrupted", "onderbroken"),
        "internal": ("internal error: {error} in {where} (run with HS_DEBUG=1 for details, "
                     "and please report it)",
                     "interne fout: {error} in {where} (HS_DEBUG=1 toont details; "
                     "meld het ons alsjeblieft)"),
        "lang": ("use nl or en", "gebruik nl of en"),
        "overflow": ("a number or date is out of range (dates run from the year 1 to 9999)",
                     "een getal of datum valt buiten het bereik (datums lopen van het jaar 1 "
                     "tot 9999)"),
        "os": ("{path}: {why}", "{path}: {why}"),
        "os-nopath": ("cannot read or write a file: {why}",
                      "kan een bestand niet lezen of schrijven: {why}"),
    })(key, **fields)


MODULES = tuple(dict.fromkeys(module for module, _ in COMMANDS.values()))


class HsGroup(TyperGroup):
    """The root group: turns domain errors into one line and an exit code."""

    def list_commands(self, ctx: Any) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        from hs.cli.prompt import enable

        found = super().get_command(ctx, cmd_name)
        if found is None and cmd_name in COMMANDS and not _FULL:
            # a command line whose command was not built (e.g. 'hs --lang nl due')
            found = _full_group().get_command(ctx, cmd_name)
        # a required value not given is asked for on a terminal (hs.cli.prompt)
        return enable(found) if found is not None else None

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        rows = [(name, help_) for name, (_, help_) in COMMANDS.items()]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def invoke(self, ctx: Any) -> Any:
        from hs.base.errors import HsError
        from hs.cli.common import end_command, notice_given

        ctx.call_on_close(end_command)  # it says what the command's reads could not use
        try:
            return super().invoke(ctx)
        except HsError as err:
            notice_given()  # an error is one line
            from hs.records.problems import escape_controls  # no escape sequence from data

            sys.stderr.write(f"hs: {escape_controls(str(err), keep=chr(10))}\n")
            raise typer.Exit(err.exit_code) from None
        except KeyboardInterrupt:
            sys.stderr.write(f"hs: {_MSG('interrupted')}\n")
            raise typer.Exit(130) from None
        except BrokenPipeError:
            # the reader stopped reading (hs list ... | head): nothing is wrong with hs
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            raise typer.Exit(0) from None
        except (typer.Exit, typer.Abort, TyperException) as err:
            if isinstance(getattr(err, "message", None), str):  # a usage error quotes input
                from hs.cli.output import usage_text

                setattr(err, "message", usage_text(getattr(err, "message"), err))  # noqa: B009, B010
                from hs.cli.output import dutch_usage

                dutch_usage(err)
            raise  # usage errors and exits: Typer reports them (usage errors exit 2)
        except OverflowError:  # e.g. 'hs due --within 999999999999': past year 9999
            sys.stderr.write(f"hs: {_MSG('overflow')}\n")
            raise typer.Exit(2) from None
        except OSError as exc:  # a file hs could not read or write (permissions, a loop)
            sys.stderr.write(f"hs: {_os_error(exc)}\n")
            raise typer.Exit(1) from None
        except Exception as exc:  # the last line of defence: never a traceback
            if os.environ.get("HS_DEBUG"):
                raise
            # The exception's text may quote record data: show only where it happened.
            import traceback

            frame = traceback.extract_tb(exc.__traceback__)[-1]
            where = f"{Path(frame.filename).name}:{frame.lineno}"
            sys.stderr.write(f"hs: {_MSG('internal', error=type(exc).__name__, where=where)}\n")
            raise typer.Exit(1) from None


def _os_error(exc: OSError) -> str:
    """An OSError as one line: the file (a path: record IDs, no personal data) and why."""
    from hs.store.atomic import why

    if exc.filename is None:
        return _MSG("os-nopath", why=why(exc))
    return _MSG("os", path=os.fsdecode(exc.filename), why=why(exc))


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"hs {__version__}\n")
        raise typer.Exit()


def root(
    lang: str | None = typer.Option(
        None, "--lang", help="Language of messages and headers: nl or en "
        "(default: HS_LANG, else the locale).", metavar="nl|en"),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                 help="Show the version and exit."),
    install_completion: str | None = typer.Option(
        None, "--install-completion", metavar="[SHELL]", show_default=False,
        help="Install shell completion (bash, zsh, fish, powershell; default: this shell)."),
    show_completion: str | None = typer.Option(
        None, "--show-completion", metavar="[SHELL]", show_default=False,
        help="Print the shell completion script, to install it by hand."),
) -> None:
    """Home-Start records: families, volunteers and trajectories in git."""
    from hs.base.i18n import LANGS, set_language

    asked = install_completion or show_completion
    if asked is not None:  # hs.main answers these before Typer; here for 'hs --lang nl ...'
        from hs.complete import show_or_install

        raise typer.Exit(show_or_install("--install-completion" if install_completion
                                         else "--show-completion", asked))
    if lang is not None and lang not in LANGS:
        raise typer.BadParameter(_MSG("lang"), param_hint="--lang")
    set_language(lang)


def build_app(modules: tuple[str, ...] = MODULES) -> typer.Typer:
    """The root app with the commands of ``modules`` (all of them by default)."""
    import importlib

    new = typer.Typer(
        cls=HsGroup,
        name="hs",
        help="Home-Start records: families, volunteers and trajectories in git.",
        no_args_is_help=True,
        add_completion=False,
        rich_markup_mode=None,
        pretty_exceptions_enable=False,
        context_settings={"help_option_names": ["-h", "--help"]},
    )
    new.callback()(root)
    for name in modules:
        importlib.import_module(f"hs.cli.{name}").register(new)
    return new


_FULL: typer.Typer | None = None


def _full_group() -> Any:
    global _FULL
    if _FULL is None:
        _FULL = build_app()
    return typer.main.get_command(_FULL)


def __getattr__(name: str) -> Any:
    # `from hs.cli import app` (tests, docs) gets the app with every command
    if name == "app":
        global _FULL
        if _FULL is None:
            _FULL = build_app()
        return _FULL
    raise AttributeError(name)


def _modules_for(argv: list[str]) -> tuple[str, ...]:
    """The module the command line names (first word that is not an option)."""
    entry = COMMANDS.get(command_word(argv) or "")
    return (entry[0],) if entry else ()


def main() -> None:
    build_app(_modules_for(sys.argv[1:]))(prog_name="hs")


def complete_main() -> None:
    """Shell completion that :mod:`hs.complete` left to Typer: the whole command line,
    with Typer's formats for each shell."""
    from typer._completion_classes import completion_init

    completion_init()
    build_app()(prog_name="hs")
