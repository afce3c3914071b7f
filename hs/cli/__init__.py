"""The `hs` command line: a thin layer over the core modules.

Each module of this package registers one command group (or a few top-level commands)
with :func:`register`; commands parse arguments, call the core, and render the result.
Every :class:`hs.base.errors.HsError` becomes one line on stderr and its exit code here, in
:class:`HsGroup`, and nowhere else; so does every usage error of Click (:func:`usage_line`
says it in the user's language from the exception's class and fields). The command tree
gets its help texts in the user's language from :func:`hs.cli.translate.localize`.
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
from hs.base.i18n import Catalog, help_text
from hs.cli.translate import ExtraArguments, NoSuchCommand, click, localize
from hs.commands import COMMANDS, command_word

_MSG = Catalog("cli")

MODULES = tuple(dict.fromkeys(module for module, _ in COMMANDS.values()))


class HsGroup(TyperGroup):
    """The root group: turns domain errors and usage errors into one line and an exit
    code."""

    def make_context(self, info_name: str | None, args: list[str],
                     parent: Any = None, **extra: Any) -> Any:
        localize(self)
        try:
            return super().make_context(info_name, args, parent, **extra)
        except click.UsageError as err:
            raise one_line(err) from None

    def list_commands(self, ctx: Any) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        from hs.cli.prompt import enable

        found = super().get_command(ctx, cmd_name)
        if found is None and cmd_name in COMMANDS and not _FULL:
            # a command line whose command was not built (e.g. 'hs --lang nl due')
            found = _full_group().get_command(ctx, cmd_name)
        # in the user's language; a required value not given is asked for on a terminal
        return enable(localize(found)) if found is not None else None

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        rows = [(name, help_text(help_)) for name, (_, help_) in COMMANDS.items()]
        with formatter.section(help_text("Commands")):
            formatter.write_dl(rows)

    def invoke(self, ctx: Any) -> Any:
        from hs.base.errors import HsError
        from hs.cli.common import end_command, notice_given

        ctx.call_on_close(end_command)  # it says what the command's reads could not use
        from hs.base.private import private_umask, restore_umask

        old_umask = private_umask()  # what hs and its git create: its owner's only
        ctx.call_on_close(lambda: restore_umask(old_umask))
        try:
            return super().invoke(ctx)
        except HsError as err:
            notice_given()  # an error is one line
            _say(f"hs: {err}")  # no escape sequence from data
            raise typer.Exit(err.exit_code) from None
        except KeyboardInterrupt:
            _say(f"hs: {_MSG('interrupted')}")
            raise typer.Exit(130) from None
        except BrokenPipeError:
            # the reader stopped reading (hs list ... | head): nothing is wrong with hs
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            raise typer.Exit(0) from None
        except click.UsageError as err:
            raise one_line(err) from None
        except (typer.Exit, typer.Abort, TyperException):
            raise  # exits: Typer reports them
        except OverflowError:  # e.g. 'hs due --within 999999999999': past year 9999
            _say(f"hs: {_MSG('overflow')}")
            raise typer.Exit(2) from None
        except OSError as exc:  # a file hs could not read or write (permissions, a loop)
            _say(f"hs: {_os_error(exc)}")
            raise typer.Exit(1) from None
        except Exception as exc:  # the last line of defence: never a traceback
            if os.environ.get("HS_DEBUG"):
                raise
            # The exception's text may quote record data: show only where it happened.
            import traceback

            frame = traceback.extract_tb(exc.__traceback__)[-1]
            where = f"{Path(frame.filename).name}:{frame.lineno}"
            _say(f"hs: {_MSG('internal', error=type(exc).__name__, where=where)}")
            raise typer.Exit(1) from None


def _say(text: str, stream: Any = None) -> None:
    """An error's line on stderr, through the one printer of messages (control
    characters escaped, wrapped on a terminal)."""
    from hs.cli.output import message

    message(text, stream=stream)


def one_line(err: Any) -> Any:
    """A usage error of Click shown as hs shows every error: one line, ``hs: ...``, in
    the user's language, said from the exception's class and fields (exit 2). The help a
    group prints when it is given no command is left as it is."""
    if isinstance(err, click.NoArgsIsHelpError):
        return err
    text = usage_line(err)

    def show(file: Any = None) -> None:
        from hs.cli.common import notice_given

        notice_given()
        _say(f"hs: {text}", file)

    setattr(err, "show", show)  # noqa: B010
    return err


def _option_names(cmd: Any) -> list[str]:
    return [name for p in getattr(cmd, "params", ()) if isinstance(p, click.Option)
            for name in (*p.opts, *p.secondary_opts)]


def _param_name(param: Any) -> str:
    if isinstance(param, click.Option):
        return "/".join(param.opts)
    return str(param.human_readable_name).upper()


def _suggestion(word: str, choices: list[str]) -> str:
    import difflib

    close = difflib.get_close_matches(word, choices, n=1)
    return _MSG("did-you-mean", match=close[0]) if close else ""


def _bad_value(err: Any) -> str:
    """What is wrong with a value, from its parameter's type (a value given is not
    repeated: it may be a name typed in the wrong place)."""
    kind = getattr(err.param, "type", None)
    if isinstance(kind, click.Choice):
        return _MSG("choose", choices=", ".join(str(c) for c in kind.choices))
    if isinstance(kind, click.IntRange | click.FloatRange):
        low = "" if kind.min is None else str(kind.min)
        high = "" if kind.max is None else str(kind.max)
        return _MSG("range", low=low or "…", high=high or "…")
    if isinstance(kind, click.IntParamType):
        return _MSG("integer")
    if isinstance(kind, click.FloatParamType):
        return _MSG("number")
    if isinstance(kind, click.DateTime):
        return _MSG("date", formats=", ".join(kind.formats))
    if isinstance(kind, click.BoolParamType):
        return _MSG("bool")
    from hs.cli.output import usage_text  # our own message, or Click's for other types

    return usage_text(err.message, err)


def usage_line(err: Any) -> str:
    """A usage error as one line in the user's language."""
    from hs.records.problems import escape_controls

    cmd = err.ctx.command_path if err.ctx is not None else "hs"
    see = _MSG("see", command=cmd)
    if isinstance(err, NoSuchCommand):
        text = _MSG("no-command", name=err.name) + _suggestion(err.name, err.commands)
    elif isinstance(err, click.NoSuchOption):
        choices = _option_names(err.ctx.command) if err.ctx is not None else []
        text = _MSG("no-option", name=err.option_name) + _suggestion(err.option_name,
                                                                     choices)
    elif isinstance(err, click.MissingParameter):
        name = _param_name(err.param) if err.param is not None else "?"
        kind = err.param_type or getattr(err.param, "param_type_name", "option")
        key = "missing-argument" if kind == "argument" else "missing-option"
        text = _MSG(key, name=name)
    elif isinstance(err, click.BadOptionUsage):
        found = next((p for p in getattr(err.ctx, "command", None).params  # type: ignore[union-attr]
                      if isinstance(p, click.Option) and err.option_name in p.opts), None) \
            if err.ctx is not None else None
        text = _MSG("no-value" if found is not None and found.is_flag else "needs-value",
                    name=err.option_name)
    elif isinstance(err, click.BadParameter):
        name = err.param_hint if isinstance(err.param_hint, str) else (
            _param_name(err.param) if err.param is not None else "")
        text = _MSG("bad-value", name=name, why=_bad_value(err)) if name else _bad_value(err)
    elif isinstance(err, ExtraArguments):
        text = _MSG("extra", n=len(err.extra))
    else:
        text = err.message
    return escape_controls(f"{text} {see}")


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


def _lang(ctx: typer.Context, value: str | None) -> str | None:
    """--lang is read first, so that the help and the usage errors are in its language."""
    from hs.base.i18n import LANGS, set_language

    if value is not None and value not in LANGS:
        raise typer.BadParameter(_MSG("lang"), param_hint="--lang")
    set_language(value)
    localize(ctx.find_root().command)
    return value


def root(
    lang: str | None = typer.Option(
        None, "--lang", help="Language of messages and headers: nl or en "
        "(default: HS_LANG, else the locale).", metavar="nl|en", is_eager=True,
        callback=_lang),
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
    from hs.base.i18n import set_language

    asked = install_completion or show_completion
    if asked is not None:  # hs.main answers these before Typer; here for 'hs --lang nl ...'
        from hs.complete import show_or_install

        raise typer.Exit(show_or_install("--install-completion" if install_completion
                                         else "--show-completion", asked))
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
