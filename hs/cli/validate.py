"""`hs validate` and `hs schema`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from hs.cli.common import RepoOpt


def validate(
    paths: Annotated[list[Path] | None, typer.Argument(
        help="Files or folders to check (default: the whole records tree).",
        show_default=False)] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", metavar="text|json|github",
                                     help="How to print problems: one line each (text), "
                                     "a JSON list of objects with the keys path, line, col, "
                                     "code, message and severity, or GitHub workflow "
                                     "annotations.")] = "text",
    repo: RepoOpt = None,
    no_cache: Annotated[bool, typer.Option("--no-cache",
                                           help="Read every file, ignoring the cache.")] = False,
) -> None:
    """Check records and report every problem, one line each.

    Each problem is 'path:line:col: error[code]: message' (or warning[code]). Exit 0 if
    there are no errors (warnings are shown but do not fail), 1 if there are, 2 for a
    usage error."""
    from hs.app.validation import validate_paths
    from hs.base.errors import UsageError
    from hs.cli.output import message
    from hs.records.problems import render

    if fmt not in ("text", "json", "github"):
        from hs.cli.output import quoted

        raise UsageError(_MSG("bad-format", fmt=quoted(fmt, "code")))
    from hs.cli.progress import working

    with working("validate") as work:
        result = validate_paths(paths or [], repo=repo, use_cache=not no_cache,
                                progress=work.reading)
    problems = result.problems
    if problems or fmt == "json":
        sys.stdout.write(render(problems, fmt) + "\n")
    errors = sum(1 for p in problems if p.severity == "error")
    warnings = len(problems) - errors
    message(result.summary(errors, warnings))
    if errors:
        raise typer.Exit(1)


def schema(
    out: Annotated[Path | None, typer.Option(
        "--out", help="Folder to write the JSON Schemas to (default: schemas/ of the "
        "records repository, else ./schemas).", show_default=False)] = None,
    check: Annotated[bool, typer.Option("--check",
                                        help="Only check that the folder is up to date.")]
    = False,
    repo: RepoOpt = None,
) -> None:
    """Write the JSON Schemas of the record files.

    Generated from the models, one per kind: location, family, volunteer, trajectory,
    vocabularies, config (<kind>.schema.json). Their code fields take the codes of the
    repository's records/vocabularies.yaml (outside a repository: the default
    vocabularies); run it again after changing the vocabularies ('hs validate' says when)."""
    from hs.app.tooling import SCHEMAS, default_codes, vocabulary_codes
    from hs.base.errors import RepoNotFound
    from hs.cli.output import message
    from hs.records.schemas import check_schemas, write_schemas
    from hs.store.layout import find_root

    try:
        root: Path | None = find_root(repo)
    except RepoNotFound:
        if repo is not None:
            raise
        root = None
    codes = vocabulary_codes(root) if root is not None else default_codes()
    if out is None:
        out = (root or Path.cwd()) / SCHEMAS
    if check:
        stale = check_schemas(out, codes)
        if stale:
            message(_MSG("stale", names=", ".join(stale)))
            raise typer.Exit(1)
        message(_MSG("current", out=out))
        return
    written = write_schemas(out, codes)
    for name in written:
        message(_MSG("wrote", path=out / name))
    if not written:
        message(_MSG("current", out=out))


class _Messages:
    """The messages of this module, loaded on first use (keeps 'hs --help' fast)."""

    _cat: Any = None

    def __call__(self, key: str, **fields: object) -> str:
        if self._cat is None:
            from hs.base.i18n import Catalog

            self._cat = Catalog("cli.validate")
        return str(self._cat(key, **fields))


_MSG = _Messages()


def register(app: typer.Typer) -> None:
    app.command("validate")(validate)
    app.command("schema")(schema)
