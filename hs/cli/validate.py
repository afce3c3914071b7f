"""`hs validate` and `hs schema`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from hs.cli.common import RepoOpt


def validate(
    paths: Annotated[list[Path] | None, typer.Argument(
        help="Files or folders to check (default: the whole records tree).",
        show_default=False)] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", metavar="text|json|github",
                                     help="How to print problems.")] = "text",
    repo: RepoOpt = None,
    no_cache: Annotated[bool, typer.Option("--no-cache",
                                           help="Read every file, ignoring the cache.")] = False,
) -> None:
    """Check records and report every problem, one line each: path:line:col: error[code]."""
    from hs.errors import UsageError
    from hs.problems import render
    from hs.validation import validate_paths

    if fmt not in ("text", "json", "github"):
        raise UsageError(f"--format: '{fmt}' is not one of text, json, github")
    result = validate_paths(paths or [], repo=repo, use_cache=not no_cache)
    problems = result.problems
    if problems or fmt == "json":
        sys.stdout.write(render(problems, fmt) + "\n")
    errors = sum(1 for p in problems if p.severity == "error")
    warnings = len(problems) - errors
    sys.stderr.write(result.summary(errors, warnings) + "\n")
    if errors:
        raise typer.Exit(1)


def schema(
    out: Annotated[Path, typer.Option("--out", help="Folder to write the JSON Schemas to.")]
    = Path("schemas"),
    check: Annotated[bool, typer.Option("--check",
                                        help="Only check that the folder is up to date.")]
    = False,
) -> None:
    """Write the JSON Schemas of the record files (generated from the models)."""
    from hs.schemas import check_schemas, write_schemas

    if check:
        stale = check_schemas(out)
        if stale:
            sys.stderr.write("hs: out of date: " + ", ".join(stale) +
                             " (run 'hs schema')\n")
            raise typer.Exit(1)
        sys.stderr.write(f"schemas in {out} are up to date\n")
        return
    for name in write_schemas(out):
        sys.stderr.write(f"wrote {name}\n")


def register(app: typer.Typer) -> None:
    app.command("validate")(validate)
    app.command("schema")(schema)
