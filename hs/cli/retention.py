"""`hs retention [--apply]`: the records whose retention period is over, and applying it."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from hs.base.i18n import Catalog
from hs.base.terminal import is_terminal
from hs.cli.common import FormatOpt, RepoOpt, open_repo, parse_date, report_change
from hs.cli.confirm import confirm

MSG = Catalog("cli.retention")


def on_terminal() -> bool:
    """Whether someone can answer a question (stdin and stderr are a terminal)."""
    return is_terminal(sys.stdin, sys.stderr)


def retention(
    apply: Annotated[bool, typer.Option(
        "--apply", help="Erase and reduce every record listed, in one commit (asks first "
        "on a terminal).")] = False,
    yes: Annotated[bool, typer.Option(
        "--yes", "-y", help="Do not ask before --apply (needed when not on a terminal).")]
    = False,
    location: Annotated[str | None, typer.Option(
        "--location", "-l", metavar="LOC", help="Only this location (its code).",
        show_default=False)] = None,
    as_of: Annotated[str | None, typer.Option(
        "--as-of", metavar="DATE", help="Answer for this day (YYYY-MM-DD or today).",
        show_default=False)] = None,
    fmt: FormatOpt = None,
    repo: RepoOpt = None,
) -> None:
    """What retention makes due; --apply erases and reduces it.

    Families are kept retention.years (1) after support ended (the end of the last
    trajectory, or the last decision for a family refused or withdrawn), and
    retention.youth_care_years (6) with the youth-care flag; volunteers retention.years
    after their stop (or registration, for a candidate who never started). Applying
    keeps what the figures of past years need (docs/privacy.md)."""
    from hs.app import retention as app
    from hs.app.views import check_location
    from hs.base.errors import UsageError
    from hs.cli.output import Column, Table, emit, message, resolve_format
    from hs.cli.views import reading_day

    fmt = resolve_format(fmt)
    human = fmt not in ("json", "csv")
    r = open_repo(repo)
    day = parse_date(as_of, "--as-of")
    check_location(r.index, location)
    items = app.due(r.index, day, location)
    if apply:
        if not items:
            message(MSG("empty", day=reading_day(day, "table")))
            return
        if not yes:
            if not on_terminal():
                raise UsageError(MSG("need-yes"))
            if not confirm(MSG("confirm", n=len(items))):
                message(MSG("cancelled"))
                return
        outcome = app.apply(r, day, location=location)
        if outcome is not None:
            report_change(outcome)
        return
    keys = ("record", "kind", "location", "rule", "years", "since", "cause", "due",
            "days_overdue")
    heads = {"cause": "ended", "since": "since"}
    # at 80 columns: the rule and its cause wrap (they say why), the years (the rule says
    # them) and the day support ended go first, then the location
    wraps = {"rule", "cause"}
    drop = {"years": 3, "since": 2, "location": 1}
    cols = [Column(k, MSG(f"h.{heads.get(k, k)}"),
                   "right" if k in ("years", "days_overdue") else "left",
                   text=k in wraps, priority=drop.get(k, 0),
                   min_width=12 if k in wraps else 8, wraps=k in wraps) for k in keys]
    rows = [{
        "record": i.record,
        "kind": MSG(f"kind.{i.kind}") if human else i.kind,
        "location": i.location,
        "rule": MSG(f"rule.{i.rule}", years=i.years) if human else i.rule,
        "years": i.years, "since": i.since,
        "cause": MSG(f"cause.{i.cause}") if human else i.cause,
        "due": i.due, "days_overdue": (day - i.due).days,
    } for i in items]
    if not rows and human:
        message(MSG("empty", day=reading_day(day, "table")))
        return
    table = Table(MSG("t.retention", day=reading_day(day, fmt)), cols, rows)
    if fmt == "table":
        table.caption = MSG("n.rows", n=len(rows))
    emit(table, fmt)


def register(app: typer.Typer) -> None:
    app.command("retention")(retention)
