"""The `hs` command line: a thin layer over the core modules.

Each module of this package registers one command group (or a few top-level commands)
with :func:`register`; commands parse arguments, call the core, and render the result.
Every :class:`hs.errors.HsError` becomes one line on stderr and its exit code here, in
:class:`HsGroup`, and nowhere else.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import typer
from typer.core import TyperGroup
from typer.exceptions import TyperException

from hs import __version__

MODULES = (
    "validate",
    "setup",
    "family",
    "volunteer",
    "trajectory",
    "views",
    "imports",
    "matching",
    "kpi",
    "demo",
)


class HsGroup(TyperGroup):
    """The root group: turns domain errors into one line and an exit code."""

    def invoke(self, ctx: Any) -> Any:
        from hs.errors import HsError

        try:
            return super().invoke(ctx)
        except HsError as err:
            sys.stderr.write(f"hs: {err}\n")
            raise typer.Exit(err.exit_code) from None
        except KeyboardInterrupt:
            sys.stderr.write("hs: interrupted\n")
            raise typer.Exit(130) from None
        except (typer.Exit, typer.Abort, TyperException):
            raise  # usage errors and exits: Typer reports them (usage errors exit 2)
        except Exception as exc:  # the last line of defence: never a traceback
            if os.environ.get("HS_DEBUG"):
                raise
            # The exception's text may quote record data: show only where it happened.
            import traceback

            frame = traceback.extract_tb(exc.__traceback__)[-1]
            where = f"{Path(frame.filename).name}:{frame.lineno}"
            sys.stderr.write(
                f"hs: internal error: {type(exc).__name__} in {where} "
                "(run with HS_DEBUG=1 for details, and please report it)\n"
            )
            raise typer.Exit(1) from None


app = typer.Typer(
    cls=HsGroup,
    name="hs",
    help="Home-Start records: families, volunteers and trajectories in git.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"hs {__version__}\n")
        raise typer.Exit()


@app.callback()
def root(
    lang: str | None = typer.Option(
        None, "--lang", help="Language of messages and headers: nl or en "
        "(default: HS_LANG, else the locale).", metavar="nl|en"),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                 help="Show the version and exit."),
) -> None:
    """Home-Start records: families, volunteers and trajectories in git."""
    from hs.i18n import LANGS, set_language

    if lang is not None and lang not in LANGS:
        raise typer.BadParameter("use nl or en", param_hint="--lang")
    set_language(lang)


def _register() -> None:
    import importlib

    for name in MODULES:
        module = importlib.import_module(f"hs.cli.{name}")
        module.register(app)


_register()


def main() -> None:
    app(prog_name="hs")
