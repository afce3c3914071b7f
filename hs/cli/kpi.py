"""`hs kpi` (the annual figures) and `hs report` (the annual page)."""

from __future__ import annotations

import datetime as dt
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from hs.base.terminal import is_terminal
from hs.cli.common import (
    FormatOpt,
    RepoOpt,
    incomplete_json,
    incomplete_line,
    mark_page,
    require_complete,
    unusable_of,
)
from hs.cli.views import WideOpt

if TYPE_CHECKING:
    from hs.app.kpi import KpiCounts
    from hs.app.report import Context
    from hs.records.index import Index
    from hs.store.gitread import Revision

YearOpt = Annotated[int | None, typer.Option(
    "--year", metavar="YYYY", help="The year of the figures.", show_default=False)]
LocationOpt = Annotated[str | None, typer.Option(
    "--location", "-l", metavar="LOC",
    help="One location (its code); default: all locations.", show_default=False)]
AsOfOpt = Annotated[str | None, typer.Option(
    "--as-of", metavar="DATE",
    help="Count only events dated on or before this day (a partial year).",
    show_default=False)]
RevOpt = Annotated[str | None, typer.Option(
    "--rev", metavar="GIT-REV",
    help="Read the records as they were at this git revision (a tag such as report-2025, "
    "a branch, a commit), without touching the working tree.", show_default=False)]
FromOpt = Annotated[bool, typer.Option(
    "--from", help="Merge the exports (of hs kpi --export) in PATH... into national figures.")]
IncompleteOpt = Annotated[bool, typer.Option(
    "--incomplete", help="Give the figures even while some record files cannot be used "
    "(they are left out; the output says so). Without it, such figures are refused.")]
FilesArg = Annotated[list[Path] | None, typer.Argument(
    metavar="PATH", help="Export files, or folders of them, to merge (with --from).",
    show_default=False)]
PublicOpt = Annotated[bool, typer.Option(
    "--public", help="For publication: hide counts from 1 to 4 (and any count they could be "
    "worked out from).")]

MSG: Any = None


def _stdout_is_terminal() -> bool:
    """Whether stdout is a terminal (an HTML page is then written to a file instead)."""
    return is_terminal(sys.stdout)


def _msg(key: str, **fields: object) -> str:
    global MSG
    if MSG is None:
        from hs.base.i18n import Catalog

        MSG = Catalog("cli.kpi")
    return str(MSG(key, **fields))


# --- shared steps ---------------------------------------------------------------------------


def _files_need_from(files: list[Path] | None, from_: bool) -> None:
    """Files are taken only with --from; a year typed as an argument (``hs kpi 2025``)
    is asked about: did you mean --year 2025?"""
    from hs.base.errors import UsageError

    if not files or from_:
        return
    years = [str(f) for f in files if re.fullmatch(r"[0-9]{4}", str(f)) and not f.exists()]
    if len(files) == 1 and years:
        raise UsageError(_msg("year-as-argument", year=years[0]))
    raise UsageError(_msg("files-without-from"))


def _records(repo: Path | None, rev: str | None) -> tuple[Index, Revision]:
    """The index of the working tree (cached rows) or of a git revision, and its revision."""
    from hs.cli.common import open_repo
    from hs.store.gitread import index_at, working_tree_revision

    store = open_repo(repo)
    if rev is not None:
        tree = index_at(store.root, rev)
        index, revision = tree.index, tree.revision
    else:
        index = store.index
        revision = working_tree_revision(store.root)
    return index, revision


def _context(index: Index | None, lang: str) -> Context:
    from hs.app.report import Context, default_vocabularies

    if index is None:
        return Context(default_vocabularies(), {}, lang)
    return Context(index.vocabularies, {c: row.name for c, row in index.locations.items()},
                   lang)


def _merged(paths: list[Path], year: int | None, repo: Path | None, lang: str,
            ) -> tuple[KpiCounts, dict[str, KpiCounts], Context]:
    from hs.app.rollup import merge, read_exports
    from hs.base.errors import RepoNotFound, UsageError

    if not paths:
        raise UsageError(_msg("from-without-files"))
    parts = [counts for _, counts in read_exports(paths)]
    total = merge(parts)
    if year is not None and year != total.year:
        raise UsageError(_msg("year-mismatch", year=year, found=total.year))
    from hs.cli.common import open_repo

    index: Index | None
    try:
        index = open_repo(repo).index
    except RepoNotFound:
        index = None
    if index is not None and not index.vocabularies:
        index = None
    by_code = dict(sorted((p.location or f"#{i + 1}", p) for i, p in enumerate(parts)))
    return total, by_code, _context(index, lang)


def _publish(total: KpiCounts, parts: dict[str, KpiCounts] | None, public: bool
             ) -> tuple[KpiCounts, dict[str, KpiCounts] | None]:
    """The figures as shown: with ``public``, small cells hidden (hs.app.suppress)."""
    if not public:
        return total, parts
    from hs.app.suppress import suppress, suppress_columns

    if parts is None:
        return suppress(total), None
    return suppress_columns(total, parts)


def _conflicts(options: dict[str, object], key: str) -> None:
    from hs.base.errors import UsageError

    for option, value in options.items():
        if value not in (None, False):
            raise UsageError(_msg(key, option=option))


def _as_of(value: str | None) -> dt.date | None:
    from hs.cli.common import parse_optional_date

    return parse_optional_date(value, "--as-of")


# --- hs kpi -------------------------------------------------------------------------------


def kpi(
    year: YearOpt = None,
    location: LocationOpt = None,
    as_of: AsOfOpt = None,
    rev: RevOpt = None,
    by_location: Annotated[bool, typer.Option(
        "--by-location", help="One column per location and a total.")] = False,
    by_municipality: Annotated[bool, typer.Option(
        "--by-municipality",
        help="One column per municipality the location serves (a family's and a "
        "volunteer's municipality field) and a total.")] = False,
    export: Annotated[Path | None, typer.Option(
        "--export", metavar="FILE",
        help="Write the location's exact counts (no record, ID or name) to a YAML file for "
        "the central office (with --public: small counts hidden, for publication).",
        show_default=False)] = None,
    from_: FromOpt = False,
    files: FilesArg = None,
    public: PublicOpt = False,
    incomplete: IncompleteOpt = False,
    wide: WideOpt = False,
    fmt: FormatOpt = None,
    repo: RepoOpt = None,
) -> None:
    """The annual figures, per location and for all locations.

    The figures of "Home-Start in cijfers". Every figure is defined in docs/kpi.md. The
    output names the commit the figures came from (with --rev: that revision; else HEAD,
    and whether records/ has uncommitted changes)."""
    import json

    from hs.app.kpi import as_json, compute, compute_by_location, compute_by_municipality
    from hs.app.report import kpi_table, kpi_tables
    from hs.app.rollup import write_export
    from hs.base.errors import UsageError
    from hs.base.i18n import language
    from hs.cli.output import emit, message, resolve_format

    fmt = resolve_format(fmt)
    if by_location and location is not None:
        raise UsageError(_msg("by-location-one"))
    if by_location and by_municipality:
        raise UsageError(_msg("by-two"))
    _files_need_from(files, from_)
    parts: dict[str, KpiCounts] | None
    left_out: list[tuple[str, int]] = []
    if from_:
        _conflicts({"--location": location, "--as-of": as_of, "--rev": rev,
                    "--export": export}, "from-conflict")
        if by_municipality:
            raise UsageError(_msg("by-municipality-from"))
        total, merged_parts, ctx = _merged(files or [], year, repo, language())
        parts = merged_parts if by_location else None
    else:
        if year is None:
            raise UsageError(_msg("need-year"))
        day = _as_of(as_of)
        index, revision = _records(repo, rev)
        left_out = unusable_of(index)
        require_complete(left_out, incomplete)
        if export is not None:
            _conflicts({"--by-location": by_location, "--by-municipality": by_municipality},
                       "export-conflict")
            code = location
            if code is None:
                codes = sorted(index.locations)
                if len(codes) > 1:
                    raise UsageError(_msg("export-which", n=len(codes),
                                          codes=", ".join(codes)))
                # no location: the central office's own records (its online sessions)
                code = codes[0] if codes else None
            counts = compute(index, year, location=code, as_of=day, revision=revision)
            write_export(export, counts, public=public)
            if revision.dirty:
                message(_msg("dirty"))
            message(_msg("wrote-public" if public else "wrote-export", path=export,
                         location=code or _msg("central"), year=year))
            return
        if by_location:
            total, parts = compute_by_location(index, year, as_of=day, revision=revision)
        elif by_municipality:
            total, parts = compute_by_municipality(index, year, location=location, as_of=day,
                                                   revision=revision)
        else:
            total = compute(index, year, location=location, as_of=day, revision=revision)
            parts = None
        ctx = _context(index, language())
    total, parts = _publish(total, parts, public)
    if fmt == "json":
        data: Any = as_json(total)
        if parts is not None:
            by = "by_municipality" if by_municipality else "by_location"
            data = {"total": data, by: {k: as_json(v) for k, v in parts.items()}}
        if left_out:
            data["incomplete"] = incomplete_json(left_out)
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        return
    by = "municipality" if by_municipality else "location"
    if fmt in ("csv", "excel"):  # for programs: one table, a stable section and key per row
        table = kpi_table(total, parts, ctx, by)
        if fmt == "excel":
            _decimal_commas(table)
        emit(table, fmt)
        return
    tables = _for_terminal(kpi_tables(total, parts, ctx, by))
    if fmt == "table":
        _for_reading(tables, language())
    emit(tables, fmt, wide=wide)
    if left_out:
        sys.stdout.write(incomplete_line(left_out) + "\n")


def _decimal_commas(table: Any) -> None:
    """The figures of the CSV for Belgian Excel (``--format excel``): a decimal comma in
    each number, share and range (the CSV's are written with a decimal point)."""
    import re

    number = re.compile(r"(?<=\d)\.(?=\d)")
    for row in table.rows:
        for key, value in row.items():
            if key not in ("section", "key", "figure") and isinstance(value, str):
                row[key] = number.sub(",", value)


_ISO_DAY = r"\d{4}-\d{2}-\d{2}"


def _for_reading(tables: list[Any], lang: str) -> None:
    """The terminal table's figures in the reading form of ``lang``
    (:mod:`hs.base.readable`): a period's dates as every other date of the terminal
    ("01/01/2025" in Dutch) and a thousands separator in a number of four digits or more
    ("260.000" in Dutch, "260,000" in English); the year stays as it is. The plain,
    Markdown and machine formats keep ISO dates and ungrouped numbers."""
    import re

    from hs.base.readable import format_date

    point = "," if lang == "nl" else "."
    group = "." if lang == "nl" else ","
    number = re.compile(r"^(-?)(\d{4,})(" + re.escape(point) + r"\d+)?(%?)$")
    day = re.compile(_ISO_DAY)

    def grouped(m: re.Match[str]) -> str:
        digits = m[2]
        head = f"{int(digits):,}".replace(",", group)
        return f"{m[1]}{head}{m[3] or ''}{m[4]}"

    for t in tables:
        for row in t.rows:
            if row.get("key") == "year":
                continue
            for key, value in row.items():
                if key in ("key", "figure", "stable") or not isinstance(value, str):
                    continue
                if row.get("key") == "period":
                    row[key] = day.sub(
                        lambda m: format_date(dt.date.fromisoformat(m[0]), lang), value)
                else:
                    row[key] = number.sub(grouped, value)


def _for_terminal(tables: list[Any]) -> list[Any]:
    """The figures' tables fitted to a terminal (:func:`hs.cli.output.fit`): the figure's
    label may be shortened; on a narrow terminal the columns of the last locations (or
    municipalities) are left out first, the total and the count of a share never."""
    from dataclasses import replace

    from hs.app.report import LABELS

    for t in tables:
        if not t.rows and t.columns:  # an empty section says so, as the HTML report does
            empty = "impact-none" if t.title == LABELS("impact") else "no-data"
            t.rows = [{t.columns[0].key: _msg(empty)}]
        t.columns = [replace(c, text=True, min_width=20) if i == 0
                     else c if c.key in ("total", "value", "count")
                     else replace(c, priority=1)
                     for i, c in enumerate(t.columns)]
    return tables


# --- hs report ------------------------------------------------------------------------------


def report(
    ctx: typer.Context,
    year: YearOpt = None,
    location: LocationOpt = None,
    as_of: AsOfOpt = None,
    rev: RevOpt = None,
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", metavar="FILE", help="Write the page to FILE (default: stdout).",
        show_default=False)] = None,
    fmt: Annotated[str, typer.Option(
        "--format", "-f", metavar="html|markdown", help="Page format.")] = "html",
    by_municipality: Annotated[bool, typer.Option(
        "--by-municipality",
        help="A table per municipality the location serves instead of per location.")
    ] = False,
    from_: FromOpt = False,
    files: FilesArg = None,
    public: PublicOpt = False,
    incomplete: IncompleteOpt = False,
    repo: RepoOpt = None,
) -> None:
    """Write the annual report page (HTML or Markdown).

    The page "Home-Start in cijfers": a self-contained HTML file with charts (or
    Markdown). Dutch unless the root option --lang says otherwise."""

    from hs.app.kpi import compute, compute_by_location, compute_by_municipality
    from hs.app.report import render_html, render_markdown
    from hs.base.errors import UsageError
    from hs.cli.output import message
    from hs.store.atomic import write_atomic

    if fmt not in ("html", "markdown"):
        raise UsageError(_msg("report-format", fmt=fmt))
    if out is None and fmt == "html" and _stdout_is_terminal():
        raise UsageError(_msg("report-terminal", year=year or "JJJJ"))
    lang = ctx.find_root().params.get("lang") or "nl"
    _files_need_from(files, from_)
    parts: dict[str, KpiCounts] | None = None
    left_out: list[tuple[str, int]] = []
    if from_:
        _conflicts({"--location": location, "--as-of": as_of, "--rev": rev}, "from-conflict")
        if by_municipality:
            raise UsageError(_msg("by-municipality-from"))
        total, parts, context = _merged(files or [], year, repo, lang)
    else:
        if year is None:
            raise UsageError(_msg("need-year"))
        day = _as_of(as_of)
        from hs.cli.progress import working

        with working("report") as step:  # stages: the records read, the figures computed
            step(0, 2)
            index, revision = _records(repo, rev)
            step(1, 2)
            left_out = unusable_of(index)
            require_complete(left_out, incomplete)
            if by_municipality:
                total, parts = compute_by_municipality(index, year, location=location,
                                                       as_of=day, revision=revision)
            elif location is None:
                total, parts = compute_by_location(index, year, as_of=day, revision=revision)
            else:
                total = compute(index, year, location=location, as_of=day,
                                revision=revision)
            step(2, 2)
        context = _context(index, lang)
        if revision.dirty:
            message(_msg("dirty"))
    total, parts = _publish(total, parts, public)
    render = render_markdown if fmt == "markdown" else render_html
    text = render(total, parts, context, public=public,
                  by="municipality" if by_municipality else "location")
    if left_out:
        text = mark_page(text, fmt, left_out)
    if out is None:
        sys.stdout.write(text)
        return
    write_atomic(out, text)
    message(_msg("wrote", path=out))


def register(app: typer.Typer) -> None:
    app.command("kpi")(kpi)
    app.command("report")(report)
