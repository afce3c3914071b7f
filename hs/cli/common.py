"""Options and helpers shared by the command modules (argument parsing only)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from hs.store.repo import Repo

class Takes:
    """What an option or argument takes, attached as its ``autocompletion``: codes of a
    vocabulary (``vocabulary``), or IDs of records of a kind (``kind``). Shell completion
    calls it; the prompt for a missing value (:mod:`hs.cli.prompt`) reads it for the
    choices it offers."""

    def __init__(self, *, vocabulary: str | None = None, kind: str | None = None):
        self.vocabulary = vocabulary
        self.kind = kind

    def __call__(self, ctx: Any, incomplete: str) -> list[str]:
        from hs.complete import candidates

        return candidates(self.vocabulary, self.kind, incomplete, repo_of(ctx))


def takes_of(param: Any) -> Takes | None:
    """What a parameter of the command line takes (its :class:`Takes`), if it was given
    one: Typer keeps an ``autocompletion`` inside its own wrappers of it."""
    seen: set[int] = set()
    todo = [getattr(param, "_custom_shell_complete", None)]
    while todo:
        found = todo.pop()
        if isinstance(found, Takes):
            return found
        if found is None or id(found) in seen:
            continue
        seen.add(id(found))
        for cell in getattr(found, "__closure__", None) or ():
            try:
                todo.append(cell.cell_contents)
            except ValueError:  # an empty cell
                continue
    return None


def repo_of(ctx: Any) -> str | None:
    """The ``--repo`` given on the command line being parsed, if any."""
    while ctx is not None:
        value = ctx.params.get("repo")
        if value is not None:
            return str(value)
        ctx = ctx.parent
    return None


def _completer(takes: Takes) -> Callable[..., list[str]]:
    def complete(ctx: Any, incomplete: str) -> list[str]:
        return takes(ctx, incomplete)

    return complete


def codes(vocabulary: str) -> Callable[..., list[str]]:
    """The ``autocompletion`` of an option that takes codes of ``vocabulary``."""
    return _completer(Takes(vocabulary=vocabulary))


def ids(kind: str) -> Callable[..., list[str]]:
    """The ``autocompletion`` of an option or argument that takes a record ID."""
    return _completer(Takes(kind=kind))


RepoOpt = Annotated[
    Path | None,
    typer.Option("--repo", help="Records repository (default: HS_REPO, else the nearest "
                 "folder above the working directory with a records tree).",
                 show_default=False),
]
FormatOpt = Annotated[
    str | None,
    typer.Option("--format", "-f", metavar="table|json|csv|excel|markdown|plain",
                 help="Output format (default: a table on a terminal, plain when piped; "
                 "excel: CSV for Belgian Excel).",
                 show_default=False),
]
DateOpt = Annotated[str, typer.Option("--date", metavar="DATE",
                                      help="The day it happened: YYYY-MM-DD, DD/MM/YYYY, today or "
                                      "yesterday.")]
VolArg = Annotated[str, typer.Argument(metavar="VOL", help="Volunteer ID (or a unique "
                                       "prefix of it).", show_default=False,
                                       autocompletion=ids("volunteer"))]
ConsentOpt = Annotated[
    str | None,
    typer.Option("--consent", metavar="DATE",
                 help="The day they were told what is kept, and for how long, and agreed "
                 "(YYYY-MM-DD or 'today').", show_default=False),
]
NoCommitOpt = Annotated[
    bool,
    typer.Option("--no-commit", help="Stage the change in git but do not commit it."),
]


def open_repo(repo: Path | None) -> Repo:
    """The repository a command works on. Every read of it that finds files it could not
    use is said on stderr when the command ends (:func:`unusable_line`)."""
    from hs.cli.progress import reading
    from hs.store.repo import open_repo as _open

    found = _open(repo)
    found.progress = reading  # a cold or partial read shows how far it is, on a terminal
    _notice_unusable()
    return found


# --- records that could not be used ------------------------------------------------------

_SEEN: list[Any] | None = None  # the reads of the running command (LoadReports)


def _notice_unusable() -> None:
    """Collect the reads of the running command: :func:`end_command` says once, as it
    ends, how many files (and folders) the last one could not use, and where."""
    global _SEEN
    from hs.store import load

    if _SEEN is None:
        _SEEN = load.watch()


def end_command() -> None:
    """Called as every command ends (:class:`hs.cli.HsGroup`): the notice of the records
    its last read could not use, on stderr."""
    global _SEEN
    from hs.cli.progress import stop_reading
    from hs.store import load

    stop_reading()  # a read that failed leaves no line behind
    seen, _SEEN = _SEEN, None
    if seen is None:
        return
    load.unwatch(seen)
    if seen and seen[-1].unusable:
        from hs.cli.output import message

        message(f"hs: {unusable_line(seen[-1].unusable)}")


def notice_given() -> None:
    """No notice as the command ends: it failed with an error (one line), or gave the
    notice in its own words."""
    if _SEEN is not None:
        _SEEN.clear()


def _unusable_msg(key: str, **fields: object) -> str:
    from hs.base.i18n import Catalog

    return Catalog("cli.common")(key, **fields)


SHOWN_PLACES = 3  # places named in the one line; the rest are "..."


def _what_where(places: list[tuple[str, int]]) -> tuple[str, str, int]:
    files = sum(1 for _, line in places if line)
    folders = len(places) - files
    parts = []
    if files:
        parts.append(_unusable_msg("files-1") if files == 1 else _unusable_msg("files",
                                                                               n=files))
    if folders:
        parts.append(_unusable_msg("folders-1") if folders == 1
                     else _unusable_msg("folders", n=folders))
    what = parts[0] if len(parts) == 1 else _unusable_msg("and", a=parts[0], b=parts[1])
    shown = [f"{rel}:{line}" if line else f"{rel}/" for rel, line in places[:SHOWN_PLACES]]
    if len(places) > SHOWN_PLACES:
        shown.append("...")
    return what, ", ".join(shown), len(places)


def unusable_line(places: list[tuple[str, int]]) -> str:
    """One line for the files (``(rel, first error's line)``) and folders (line 0) a
    read could not use: how many, and the first few places (file names are IDs: no
    personal data)."""
    what, where, n = _what_where(places)
    return _unusable_msg("line-1" if n == 1 else "line", what=what, where=where)


def unusable_of(index: Any) -> list[tuple[str, int]]:
    """What the read that made ``index`` could not use: as this command's read of the
    working tree found it, else (a git revision) the index's invalid files."""
    for report in reversed(_SEEN or []):
        if report.index is index:
            return list(report.unusable)
    return [(rel, 1) for rel in sorted(getattr(index, "invalid", []))]


def require_complete(places: list[tuple[str, int]], incomplete: bool) -> None:
    """For figures (kpi, report): refuse them (exit 1) while any record could not be used,
    unless asked for ``incomplete`` ones (then mark them: :func:`incomplete_line`)."""
    from hs.base.errors import HsError

    if places and not incomplete:
        what, where, n = _what_where(places)
        notice_given()
        raise HsError(_unusable_msg("refuse-1" if n == 1 else "refuse", what=what,
                                    where=where))


def incomplete_line(places: list[tuple[str, int]]) -> str:
    """The line that marks figures made without the records that could not be used."""
    what, where, n = _what_where(places)
    return _unusable_msg("marked-1" if n == 1 else "marked", what=what, where=where)


def incomplete_json(places: list[tuple[str, int]]) -> list[str]:
    """The ``incomplete`` key of figures in JSON: the places left out."""
    return [f"{rel}:{line}" if line else f"{rel}/" for rel, line in places]


def mark_page(text: str, fmt: str, places: list[tuple[str, int]]) -> str:
    """A report page (html or markdown) with the line that marks it incomplete on top."""
    import html

    line = incomplete_line(places)
    if fmt == "markdown":
        return f"> **{line}**\n\n{text}"
    at = text.find("<main>")
    note = f'<p class="incomplete"><strong>{html.escape(line)}</strong></p>'
    return text[:at + 6] + note + text[at + 6:] if at >= 0 else note + text


def parse_date(value: str | None, option: str = "--date") -> dt.date:
    """A day as a coordinator types it (:func:`hs.base.dates.read_date`: ISO, DD/MM/YYYY,
    DD-MM-YYYY, today/vandaag, yesterday/gisteren); none is today (HS_TODAY overrides it).
    A bad one is a usage error."""
    from hs.base.dates import read_date
    from hs.base.errors import UsageError
    from hs.store.repo import today

    if value is None:
        return today()
    day = read_date(value)
    if day is not None:
        return day
    from hs.app.workflow import shown
    from hs.base.dates import near_word

    word = near_word(value)
    if word is not None:  # "vandag": did you mean 'vandaag'? A mistyped day word is
        # shown as typed (finding 16); any other text may be a name in the wrong place
        said = f"'{value}'" if value.isalpha() and len(value) <= 12 else shown(value, "date")
        raise UsageError(_date_msg("bad-near", option=option, value=said, word=word))
    typed = shown(value, "date")
    raise UsageError(_date_msg("bad", option=option, value=typed))


def _date_msg(key: str, **fields: object) -> str:
    from hs.base.i18n import Catalog

    return Catalog("cli.common")(key, **fields)


def parse_optional_date(value: str | None, option: str) -> dt.date | None:
    return None if value is None else parse_date(value, option)


def warning(text: str) -> str:
    """A warning as a line of stderr says it: 'warning: ...' in the language."""
    from hs.base.i18n import Catalog

    return Catalog("cli.common")("warning", text=text)


def report_change(outcome: Any) -> None:
    """Print what a change did (a :class:`hs.app.workflow.Outcome`): warnings and a summary on
    stderr, the IDs of new records on stdout (one per line, so scripts can capture them)."""
    import sys

    from hs.base.i18n import Catalog

    msg = Catalog("cli.common")
    from hs.cli.output import message

    for text in outcome.warnings:
        message(warning(text))
    message(msg(outcome.recorded, summary=outcome.summary, sha=(outcome.commit or "")[:10]))
    for rid in outcome.created:
        sys.stdout.write(rid + "\n")


# --- codes: parsing, completion and prompting share what an option takes -------------------


def parse_choice(value: str | None, vocabulary: str, option: str) -> str | None:
    """A filter option's code (``--status wachtend``) as the shared reader reads it
    (:func:`hs.records.vocabularies.parse_code`). A text that could be several codes is a
    usage error listing them; one that names none too, in the one phrasing of an unknown
    code ("'wachtend' is geen code van statussen van trajecten (geldig: gepland, ...)")."""
    if value is None:
        return None
    from hs.base.errors import UnknownCode, UsageError
    from hs.records.vocabularies import AmbiguousCode, parse_code

    try:
        return parse_code(value, vocabulary)
    except AmbiguousCode as err:
        raise UsageError(f"{option}: {err}") from None
    except UnknownCode as err:
        from hs.rules.lifecycle import FAMILY_STATUSES

        if vocabulary == "family_statuses" and value in FAMILY_STATUSES:
            return value  # 'unknown': a status the list has, though no label offers it
        raise UsageError(f"{option}: {err}") from None
