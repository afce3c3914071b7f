"""Read-only views: `hs waitlist`, `hs due`, `hs show`, `hs history`, `hs list ...`.

The commands parse options, call :mod:`hs.app.agenda`, :mod:`hs.app.views` and
:mod:`hs.app.history`, and render the result. JSON and CSV carry codes (stable,
documented in docs/views.md); table, plain and markdown carry labels in the user's language.
"""

from __future__ import annotations

import datetime as dt
import sys
from dataclasses import replace as dc_replace
from typing import TYPE_CHECKING, Annotated, Any

import typer

from hs.base.i18n import Catalog, language
from hs.cli.common import (
    FormatOpt,
    RepoOpt,
    codes,
    ids,
    open_repo,
    parse_choice,
    parse_date,
)

if TYPE_CHECKING:
    from hs.app.history import Revision
    from hs.app.views import RecordView
    from hs.cli.output import Column, Table
    from hs.records.index import Index

MSG = Catalog("cli.views")

# Options shared by several commands.
LocationOpt = Annotated[str | None, typer.Option(
    "--location", "-l", metavar="LOC", help="Only this location (its code).",
    show_default=False)]
AsOfOpt = Annotated[str | None, typer.Option(
    "--as-of", metavar="DATE", help="Answer for this day (YYYY-MM-DD or today).",
    show_default=False)]
NamesOpt = Annotated[bool | None, typer.Option(
    "--names/--no-names", show_default=False,
    help="Names beside IDs (read from the record files). Default: shown in a terminal "
    "table unless config.yaml says names: hidden; left out of the other formats.")]
WideOpt = Annotated[bool, typer.Option(
    "--wide", help="In a terminal table, show every column (long text wraps) instead of "
    "fitting the table to the terminal's width.")]

_MACHINE_FORMATS = {"json", "csv", "excel"}  # machine formats: codes; the others: labels


def _start(fmt: str | None) -> tuple[str, bool]:
    """The resolved format (a bad one is a usage error, before any work) and whether the
    output is for people (labels) rather than programs (codes)."""
    from hs.cli.output import resolve_format

    resolved = resolve_format(fmt)
    return resolved, resolved not in _MACHINE_FORMATS


#: Columns of free text: shortened with "…" on a narrow terminal (see hs.app.tables).
_TEXT = {"municipality", "reason", "languages", "roles", "subject", "author", "change",
         "field", "old", "new", "value", "what", "relation"}
#: On a narrow terminal, the column with the highest number is left out first
#: (unlisted: 0, kept the longest).
_PRIORITY = {"languages": 6, "starter": 6, "referred": 5, "roles": 5, "capacity": 5,
             "location": 4, "municipality": 3, "perinatal": 3, "trained": 4,
             "check_valid_until": 2, "accepted": 2, "children": 5, "end": 3,
             "last_visit": 2, "visits": 4, "trajectory": 3, "volunteer": 2, "author": 3,
             "commit": 4, "reason": 1, "kind": 3, "start": 2,
             "anonymous": 2}
#: Text columns that should not be shortened below this (default 8).
_MIN_WIDTH = {"what": 12, "reason": 12, "subject": 12, "change": 14, "field": 12}
#: Text read whole (what is due and why, a commit's subject): wrapped, never shortened.
_WRAPS = {"what", "reason", "subject"}


def _cols(*spec: tuple[str, str] | tuple[str, str, str]) -> list[Column]:
    from hs.cli.output import Column

    out = []
    for s in spec:
        key, head = s[0], s[1]
        align = s[2] if len(s) > 2 else "left"
        out.append(Column(key, MSG(f"h.{head}"), "right" if align == "right" else "left",
                          text=key in _TEXT, priority=_PRIORITY.get(key, 0),
                          min_width=_MIN_WIDTH.get(key, 8), wraps=key in _WRAPS))
    return out


def _yes(value: bool, human: bool) -> Any:
    return (MSG("yes") if value else MSG("no")) if human else value


def _status(code: str, human: bool) -> str:
    return MSG(f"status.{code}") if human else code


def _kind(code: str, human: bool) -> str:
    return MSG(f"kind.{code}") if human and f"kind.{code}" in MSG.messages else code


def _show_table(table: Table, fmt: str, empty: str, count_key: str,
                wide: bool = False) -> None:
    """Print a table; for people, an empty one is a message and a full one has a count."""
    from hs.cli.output import emit, message

    if not table.rows and fmt not in _MACHINE_FORMATS:
        message(empty)
        return
    if fmt == "table":
        table.caption = MSG(count_key, n=len(table.rows))
    emit(table, fmt, wide=wide)


def reading_day(day: dt.date, fmt: str) -> str:
    """A day in a title: Belgian in Dutch in a terminal table, else ISO (a message on
    stderr is for reading: ``fmt="table"``)."""
    from hs.base.readable import format_date

    return format_date(day, language()) if fmt == "table" else day.isoformat()


# --- hs waitlist -----------------------------------------------------------------------


def _perinatal(perinatal: bool, expecting: str | None) -> str:
    """The terminal table's Perinatal cell, one form: "ja", or "ja (05/2025)" with the
    expected month (in the reading form: MM/YYYY in Dutch, YYYY-MM in English)."""
    if not (perinatal or expecting):
        return ""
    if not expecting:
        return str(MSG("yes"))
    month = expecting
    if language() == "nl" and len(expecting) == 7 and expecting[4] == "-":
        month = f"{expecting[5:]}/{expecting[:4]}"
    return f"{MSG('yes')} ({month})"


def waitlist(
    location: LocationOpt = None,
    as_of: AsOfOpt = None,
    with_names: NamesOpt = None,
    wide: WideOpt = False,
    fmt: FormatOpt = None,
    repo: RepoOpt = None,
) -> None:
    """The waiting list, in priority order.

    Accepted families without a buddy yet: perinatal families with an expected birth
    month first, then the longest waiting."""
    from hs.app.agenda import waiting_list
    from hs.app.views import check_location
    from hs.cli.output import Table

    fmt, human = _start(fmt)
    r = open_repo(repo)
    day = parse_date(as_of, "--as-of")
    index = r.index
    check_location(index, location)
    entries = waiting_list(index, day, location)
    if human:
        cols = _cols(("rank", "rank", "right"), ("family", "family"),
                     ("location", "location"), ("municipality", "municipality"),
                     ("referred", "referred"), ("accepted", "accepted"),
                     ("days_waiting", "days_waiting", "right"), ("perinatal", "perinatal"),
                     ("starter", "starter"), ("languages", "languages"))
    else:
        cols = _cols(("rank", "rank"), ("family", "family"), ("location", "location"),
                     ("municipality", "municipality"), ("referred", "referred"),
                     ("accepted", "accepted"), ("days_waiting", "days_waiting"),
                     ("perinatal", "perinatal"), ("expecting", "perinatal"),
                     ("starter", "starter"), ("languages", "languages"))
    rows = []
    for e in entries:
        row: dict[str, Any] = {
            "rank": e.rank, "family": e.family, "location": e.location,
            "municipality": e.municipality, "referred": e.referred, "accepted": e.accepted,
            "days_waiting": e.days_waiting, "perinatal": e.perinatal,
            "expecting": e.expecting, "starter": e.starter, "languages": e.languages,
        }
        if human and fmt == "table":  # one form: yes, and the month when known
            row["perinatal"] = _perinatal(e.perinatal, e.expecting)
        elif human:
            row["perinatal"] = e.expecting or (MSG("yes") if e.perinatal else "")
        rows.append(row)
    _with_names(r, cols, rows, {"family_name": "family"}, fmt, with_names)
    title = MSG("t.waitlist", day=reading_day(day, fmt)) + (f" · {location}" if location else "")
    _show_table(Table(title, cols, rows), fmt, MSG("empty.waitlist", day=reading_day(day, "table")),
                "n.waiting", wide)


# --- hs due ----------------------------------------------------------------------------

_DUE_PRIORITY = {"location": 5, "due": 4}


def _overdue(days: int) -> int | str:
    """The days overdue as a person reads them: a number, or for what is not due yet
    "in 2d" (the machine formats keep the negative number)."""
    return days if days >= 0 else MSG("ahead", n=-days)


_DUE_MIN_WIDTH = {"what": 16, "reason": 18, "name": 8}


def due(
    location: LocationOpt = None,
    within: Annotated[int | None, typer.Option(
        "--within", metavar="DAYS", min=0,
        help="Look this many days ahead (default: due.within_days of config.yaml, 7).",
        show_default=False)] = None,
    as_of: AsOfOpt = None,
    with_names: NamesOpt = None,
    wide: WideOpt = False,
    fmt: FormatOpt = None,
    repo: RepoOpt = None,
) -> None:
    """What needs the coordinator soon.

    Six-month reviews, closing conversations, missing visits, undecided referrals,
    waiting families without a starter volunteer, criminal-record checks; by due date
    (what is not due yet: "in Nd"; in json, csv and excel negative days overdue)."""
    from hs.app.agenda import due as due_items
    from hs.app.agenda import due_settings
    from hs.app.views import check_location
    from hs.cli.output import Table, message

    fmt, human = _start(fmt)
    r = open_repo(repo)
    day = parse_date(as_of, "--as-of")
    index = r.index
    check_location(index, location)
    if within is None:
        within = due_settings(index)["within_days"]
    items = due_items(index, day, within, location)
    from hs.rules.conflicts import conflict_lines  # merge conflicts left: hs resolve

    for line in conflict_lines(index):
        message(line)
    cols = _cols(("what", "what"), ("record", "record"), ("location", "location"),
                 ("due", "due"), ("days_overdue", "days_overdue", "right"),
                 ("reason", "reason"))
    if not human:
        cols[-1:-1] = _cols(("cause", "reason"), ("since", "date"))
    rows = [{
        "what": MSG(f"what.{i.what}") if human else i.what,
        "record": i.record, "location": i.location, "due": i.due,
        "days_overdue": _overdue(i.days_overdue) if human else i.days_overdue,
        "cause": i.cause, "since": i.since,
        "reason": MSG(f"cause.{i.cause}", since=reading_day(i.since, fmt)),
    } for i in items]
    if names_shown(r, fmt != "table", with_names):  # a trajectory: its family's name
        for row in rows:
            t = index.row("trajectory", str(row["record"]))
            row["named"] = t.family if t is not None else row["record"]
        _with_names(r, cols, rows, {"name": "named"}, fmt, True, at="record")
    if human:  # at 80 columns: the location, then the due date (told by the days) go
        # first, so that what is due and why get their room
        cols = [dc_replace(c, priority=_DUE_PRIORITY.get(c.key, c.priority),
                           min_width=_DUE_MIN_WIDTH.get(c.key, c.min_width)) for c in cols]
    until = day + dt.timedelta(days=within)
    title = MSG("t.due", day=reading_day(until, fmt)) + (f" · {location}" if location else "")
    _show_table(Table(title, cols, rows), fmt, MSG("empty.due", day=reading_day(until, "table")),
                "n.due", wide)


# --- hs list ---------------------------------------------------------------------------

_LIST_HELP = ("List families, volunteers, trajectories or events.\n\n"
              "Names in a terminal table unless --no-names; in other formats only with "
              "--names.")
list_app = typer.Typer(help=_LIST_HELP, no_args_is_help=True,
                       context_settings={"help_option_names": ["-h", "--help"]})


def _with_names(r: Any, cols: list[Column], rows: list[dict[str, Any]],
                fields: dict[str, str], fmt: str, asked: bool | None,
                at: str | None = None, headers: dict[str, str] | None = None) -> None:
    """Add name columns if the table shows names (:func:`hs.app.names.names_shown`):
    ``fields`` maps a new key to the key of the ID it names; each goes after that ID's
    column (or after ``at``), headed "Name" (or as ``headers`` says for its key). The
    names are read for these rows only."""
    from hs.app.names import display_names
    from hs.cli.output import Column

    if not names_shown(r, fmt != "table", asked):
        return
    ids = [row[src] for row in rows for src in fields.values() if row.get(src)]
    found = display_names(r, ids)
    for key, src in fields.items():
        for row in rows:
            row[key] = found.get(row[src]) if row.get(src) else None
    for key, src in reversed(list(fields.items())):
        pos = next(i for i, c in enumerate(cols) if c.key == (at or src)) + 1
        header = (headers or {}).get(key) or MSG("h.name")  # beside the ID it names
        # left out with its ID (just before it), never before the reason of a row
        priority = max(cols[pos - 1].priority, 1)
        cols.insert(pos, Column(key, header, text=True, priority=priority, min_width=10))


def names_shown(r: Any, machine: bool, asked: bool | None) -> bool:
    from hs.app.names import names_shown as shown

    return shown(r, machine, asked)


@list_app.command("families")
def list_families(
    location: LocationOpt = None,
    status: Annotated[str | None, typer.Option(
        "--status", "-s", metavar="STATUS", show_default=False,
        autocompletion=codes("family_statuses"),
        help="Only this status on the day: referred, refused, withdrawn, waiting, "
        "in-trajectory, closed.")] = None,
    as_of: AsOfOpt = None,
    with_names: NamesOpt = None,
    wide: WideOpt = False,
    fmt: FormatOpt = None,
    repo: RepoOpt = None,
) -> None:
    """Families with their status on a day (default today)."""
    from hs.app.views import list_families as core
    from hs.cli.output import Table

    fmt, human = _start(fmt)
    r = open_repo(repo)
    day = parse_date(as_of, "--as-of")
    items = core(r.index, day, location, parse_choice(status, "family_statuses", "--status"))
    cols = _cols(("id", "id"), ("location", "location"), ("municipality", "municipality"),
                 ("status", "status"), ("referred", "referred"), ("accepted", "accepted"),
                 ("trajectory", "trajectory"), ("volunteer", "volunteer"),
                 ("children", "children", "right"), ("languages", "languages"))
    rows = [{"id": f.id, "location": f.location, "municipality": f.municipality,
             "status": _status(f.status, human), "referred": f.referred,
             "accepted": f.accepted, "trajectory": f.trajectory, "volunteer": f.volunteer,
             "children": f.children, "languages": f.languages} for f in items]
    _with_names(r, cols, rows, {"name": "id"}, fmt, with_names)
    _show_table(Table(MSG("t.families", day=reading_day(day, fmt)), cols, rows), fmt,
                MSG("empty.list"), "n.families", wide)


@list_app.command("volunteers")
def list_volunteers(
    location: LocationOpt = None,
    status: Annotated[str | None, typer.Option(
        "--status", "-s", metavar="STATUS", show_default=False,
        autocompletion=codes("volunteer_statuses"),
        help="Only this status on the day: candidate, active, stopped.")] = None,
    role: Annotated[str | None, typer.Option(
        "--role", metavar="ROLE", show_default=False, autocompletion=codes("trajectory_kinds"),
        help="Only volunteers with this role: buddy, starter, language, coach.")] = None,
    as_of: AsOfOpt = None,
    with_names: NamesOpt = None,
    wide: WideOpt = False,
    fmt: FormatOpt = None,
    repo: RepoOpt = None,
) -> None:
    """Volunteers with their status, load and criminal-record check on a day."""
    from hs.app.views import list_volunteers as core
    from hs.cli.output import Table

    fmt, human = _start(fmt)
    r = open_repo(repo)
    day = parse_date(as_of, "--as-of")
    items = core(r.index, day, location,
                 parse_choice(status, "volunteer_statuses", "--status"),
                 parse_choice(role, "trajectory_kinds", "--role"))
    cols = _cols(("id", "id"), ("location", "location"), ("municipality", "municipality"),
                 ("status", "status"), ("roles", "roles"), ("languages", "languages"),
                 ("capacity", "capacity", "right"), ("load", "load", "right"),
                 ("trained", "trained"), ("check_valid_until", "check_valid_until"))
    rows = [{"id": v.id, "location": v.location, "municipality": v.municipality,
             "status": _status(v.status, human),
             "roles": tuple(_kind(k, human) for k in v.roles), "languages": v.languages,
             "capacity": v.capacity, "load": v.load, "trained": _yes(v.trained, human),
             "check_valid_until": v.check_valid_until} for v in items]
    _with_names(r, cols, rows, {"name": "id"}, fmt, with_names)
    _show_table(Table(MSG("t.volunteers", day=reading_day(day, fmt)), cols, rows), fmt,
                MSG("empty.list"), "n.volunteers", wide)


@list_app.command("trajectories")
def list_trajectories(
    location: LocationOpt = None,
    status: Annotated[str | None, typer.Option(
        "--status", "-s", metavar="STATUS", show_default=False,
        autocompletion=codes("trajectory_statuses"),
        help="Only this status on the day: planned, active, closed.")] = None,
    kind: Annotated[str | None, typer.Option(
        "--kind", "-k", metavar="KIND", show_default=False,
        autocompletion=codes("trajectory_kinds"),
        help="Only this kind: buddy, starter, language, coach.")] = None,
    volunteer: Annotated[str | None, typer.Option(
        "--volunteer", metavar="ID", show_default=False,
        help="Only trajectories this volunteer was ever assigned to (ID or prefix).")]
    = None,
    family: Annotated[str | None, typer.Option(
        "--family", metavar="ID", show_default=False,
        help="Only this family's trajectories (ID or prefix).")] = None,
    as_of: AsOfOpt = None,
    with_names: NamesOpt = None,
    wide: WideOpt = False,
    fmt: FormatOpt = None,
    repo: RepoOpt = None,
) -> None:
    """Trajectories with their status, volunteer and visits on a day."""
    from hs.app.views import list_trajectories as core
    from hs.cli.output import Table

    fmt, human = _start(fmt)
    r = open_repo(repo)
    day = parse_date(as_of, "--as-of")
    vol_id = r.resolve(volunteer, "volunteer")[1] if volunteer is not None else None
    fam_id = r.resolve(family, "family")[1] if family is not None else None
    items = core(r.index, day, location,
                 parse_choice(status, "trajectory_statuses", "--status"),
                 parse_choice(kind, "trajectory_kinds", "--kind"), vol_id, fam_id)
    cols = _cols(("id", "id"), ("family", "family"), ("location", "location"),
                 ("kind", "kind"), ("status", "status"), ("start", "start"),
                 ("end", "end"), ("volunteer", "volunteer"), ("visits", "visits", "right"),
                 ("last_visit", "last_visit"))
    rows = [{"id": t.id, "family": t.family, "location": t.location,
             "kind": _kind(t.kind, human), "status": _status(t.status, human),
             "start": t.start, "end": t.end, "volunteer": t.volunteer, "visits": t.visits,
             "last_visit": t.last_visit} for t in items]
    _with_names(r, cols, rows, {"family_name": "family", "volunteer_name": "volunteer"},
                fmt, with_names)
    _show_table(Table(MSG("t.trajectories", day=reading_day(day, fmt)), cols, rows), fmt,
                MSG("empty.list"), "n.trajectories", wide)


@list_app.command("events")
def list_events(
    location: LocationOpt = None,
    kind: Annotated[str | None, typer.Option(
        "--kind", "-k", metavar="KIND", show_default=False,
        help="Only this kind: info-session, module, intervision, online.")] = None,
    year: Annotated[int | None, typer.Option(
        "--year", metavar="YYYY", show_default=False, help="Only events of this year.")]
    = None,
    as_of: AsOfOpt = None,
    wide: WideOpt = False,
    fmt: FormatOpt = None,
    repo: RepoOpt = None,
) -> None:
    """Volunteer events with their attendance (volunteers, and others as a number)."""
    from hs.app.eventviews import list_events as core
    from hs.cli.output import Table

    fmt, human = _start(fmt)
    r = open_repo(repo)
    day = parse_date(as_of, "--as-of")
    items = core(r.index, day, location, kind, year)
    labels = r.index.vocabularies.get("event_kinds", {})
    cols = _cols(("id", "id"), ("date", "date"), ("location", "location"), ("kind", "kind"),
                 ("attendees", "attendees", "right"), ("anonymous", "anonymous", "right"))
    if fmt in _MACHINE_FORMATS:  # a table keeps to 80 columns: `hs show` has the rest
        cols[4:4] = _cols(("step", "step"), ("status", "status"))

    def kind_label(code: str) -> str:
        entry = labels.get(code)
        return str(entry.get(language(), code)) if human and isinstance(entry, dict) else code

    rows = [{"id": e.id, "date": e.date,
             "location": e.location or (MSG("central") if human else None),
             "kind": kind_label(e.kind), "step": e.step, "status": _status(e.status, human),
             "attendees": e.attendees, "anonymous": e.anonymous} for e in items]
    _show_table(Table(MSG("t.events"), cols, rows), fmt, MSG("empty.list"), "n.events",
                wide)


# --- hs show ---------------------------------------------------------------------------

def _scalar(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(MSG("yes") if value else MSG("no"))
    return str(value)


class _Readable:
    """A record's data as indented, YAML-like text for people: each field by its label
    and each code by its label, in the current language (:mod:`hs.records.labels`)."""

    def __init__(self, index: Index, kind: str):
        # lazy: only hs show reads the spec's labels; the other views start without it
        from hs.records import labels, spec

        self.index, self.kind, self.lang = index, kind, language()
        self.labels = labels
        group = spec.KINDS[kind].group if kind in spec.KINDS else None
        self.fields = {p for p, _ in spec.walk(group)} if group is not None else set()
        self.lines: list[str] = []

    def value(self, value: Any, path: tuple[str, ...], parent: dict[str, Any]) -> str:
        def one(v: Any) -> str:
            if isinstance(v, str):
                return str(self.labels.value_label(self.index, self.kind, path, parent, v,
                                                   self.lang))
            return _scalar(v)

        if isinstance(value, list):
            return ", ".join(one(v) for v in value)
        return one(value)

    def mapping(self, data: dict[str, Any], indent: int, path: tuple[str, ...],
                first_prefix: str | None = None) -> None:
        pad = " " * indent
        for i, (key, value) in enumerate(data.items()):
            lead = first_prefix if (i == 0 and first_prefix is not None) else pad
            sub = (*path, str(key))
            if sub in self.fields:
                name = self.labels.field_label(str(key), self.lang)
            else:  # a mapping's key (a training step, an impact domain): its value is
                name = self.labels.key_label(self.index, self.kind, path, str(key),
                                             self.lang)
                sub = path  # the field's own
            if isinstance(value, dict) and value:
                self.lines.append(f"{lead}{name}:")
                self.mapping(value, indent + 2, sub)
            elif isinstance(value, list) and any(isinstance(v, dict) for v in value):
                self.lines.append(f"{lead}{name}:")
                for item in value:
                    if isinstance(item, dict) and item:
                        self.mapping(item, indent + 4, sub, " " * (indent + 2) + "- ")
                    else:
                        self.lines.append(f"{pad}  - {_scalar(item)}")
            else:
                text = self.value(value, sub, data)
                if "\n" in text:
                    self.lines.append(f"{lead}{name}:")
                    self.lines.extend(f"{pad}  {line}" for line in text.splitlines())
                else:
                    self.lines.append(f"{lead}{name}: {text}".rstrip())


def _flatten(data: Any, path: str = "") -> list[tuple[str, Any]]:
    if isinstance(data, dict):
        out: list[tuple[str, Any]] = []
        for k, v in data.items():
            out.extend(_flatten(v, f"{path}.{k}" if path else str(k)))
        return out
    if isinstance(data, list) and any(isinstance(v, dict | list) for v in data):
        out = []
        for i, v in enumerate(data):
            out.extend(_flatten(v, f"{path}[{i}]"))
        return out
    return [(path, data)]


def _related_table(view: RecordView, human: bool, r: Any, fmt: str,
                   asked: bool | None) -> Table:
    from hs.cli.output import Table

    cols = _cols(("relation", "relation"), ("id", "id"), ("kind", "kind"),
                 ("status", "status"), ("start", "start"), ("end", "end"),
                 ("family", "family"), ("volunteer", "volunteer"))
    rows = [{"relation": MSG(f"record.{x.kind}") if human else x.kind, "id": x.id,
             "kind": _kind(x.trajectory_kind, human) if x.trajectory_kind else None,
             "status": _status(x.status, human) if f"status.{x.status}" in MSG.messages
             else x.status,
             "start": x.start, "end": x.end, "family": x.family, "volunteer": x.volunteer,
             # a family or volunteer is named beside its own ID, a trajectory is not
             "named": x.id if x.kind in ("family", "volunteer") else None}
            for x in view.related]
    _with_names(r, cols, rows, {"family_name": "family", "volunteer_name": "volunteer"},
                fmt, asked, headers={"family_name": MSG("family-name"),
                                     "volunteer_name": MSG("volunteer-name")})
    _with_names(r, cols, rows, {"name": "named"}, fmt, asked, at="id")
    return Table(MSG("t.related"), cols, rows)


def show(
    record_id: Annotated[str, typer.Argument(metavar="ID",
                                             help="A record ID or a unique prefix of one.",
                                             autocompletion=ids("record"))],
    as_of: AsOfOpt = None,
    with_names: NamesOpt = None,
    wide: WideOpt = False,
    fmt: FormatOpt = None,
    repo: RepoOpt = None,
) -> None:
    """Show one record in full, with its status and related records.

    Names and notes included: you asked for this record."""
    from hs.app.sealing import readable as readable_data
    from hs.app.views import record_view
    from hs.cli.output import Table, emit

    fmt, human = _start(fmt)
    r = open_repo(repo)
    day = parse_date(as_of, "--as-of")
    view = record_view(r, record_id, day)
    # names and notes opened here, for this one record ("[sealed]" without the key)
    readable_data(r, view.kind, view.id, view.data)
    if fmt == "json":
        payload = {"id": view.id, "kind": view.kind, "status": view.status,
                   "data": view.data}
        from hs.cli.output import json_text

        sys.stdout.write(json_text(payload) + "\n")
        return
    kind_label = MSG(f"record.{view.kind}")
    if fmt in ("csv", "markdown"):
        # CSV: the record's fields under data., as in JSON (a trajectory has its own kind)
        fields = [("kind", view.kind), ("id", view.id), ("status", view.status),
                  *_flatten(view.data, "data" if fmt == "csv" else "")]
        cols = _cols(("field", "field"), ("value", "value"))
        table = Table(MSG("t.record", kind=kind_label, id=view.id), cols,
                      [{"field": f, "value": v} for f, v in fields])
        tables = [table]
        if fmt == "markdown" and view.related:
            tables.append(_related_table(view, human, r, fmt, with_names))
        emit(tables, fmt)
        return
    readable = _Readable(r.index, view.kind)
    data = {k: v for k, v in view.data.items() if k != "schema_version"}
    readable.mapping(data, 0, ())
    status = _status(view.status, True) if f"status.{view.status}" in MSG.messages \
        else view.status
    out = [MSG("show.status", kind=kind_label, id=view.id, status=status,
               day=reading_day(day, fmt)),
           MSG("show.file", path=view.path), "", *readable.lines]
    from hs.cli.output import safe

    sys.stdout.write(safe("\n".join(out)) + "\n")
    if view.related:
        sys.stdout.write("\n")
        emit(_related_table(view, human, r, fmt, with_names), fmt, wide=wide)


# --- hs history ------------------------------------------------------------------------

_MAX_VALUE = 60


def _compact(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_compact(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_compact(v) for v in value) + "]"
    return " ".join(str(value).split())


def _short(value: Any) -> str:
    text = _compact(value)
    return text if len(text) <= _MAX_VALUE else text[:_MAX_VALUE - 1] + "…"


def _change(old: Any, new: Any) -> str:
    """For people: the new value of an added field, "old -> new", or "old -> (removed)"."""
    if old is None:
        return _short(new)
    return f"{_short(old)} -> {_short(new) if new is not None else MSG('removed')}"


def _history_json(revisions: list[Revision]) -> str:
    out = [{"commit": rev.commit, "date": rev.date.isoformat(), "author": rev.author,
            "subject": rev.subject, "state": rev.state,
            "changes": [{"field": c.field, "old": c.old, "new": c.new}
                        for c in rev.changes]} for rev in revisions]
    from hs.cli.output import json_text

    return json_text(out)


def _opened(r: Any, kind: str, rid: str, rel: str, revisions: list[Any]) -> list[Any]:
    """The revisions with each sealed value opened where this clone holds the key
    ("[sealed]" where not): the history is read by the coordinator on the terminal."""
    import dataclasses

    from hs.app.sealing import Opener, owner_of
    from hs.store.yamlio import YamlIssue, decode, load_plain

    try:
        data = load_plain(decode((r.root / rel).read_bytes()))
    except (OSError, ValueError, YamlIssue):  # an unreadable file: no owner from it
        data = None
    owner = owner_of(kind, rid, data)
    if owner is None and kind == "trajectory":  # the file is gone: its family from git
        owner = next((c.new for rev in revisions for c in rev.changes
                      if c.field == "family" and isinstance(c.new, str)), None)
    opener = Opener(r, kind, rid, owner)
    return [dataclasses.replace(rev, changes=type(rev.changes)(
        dataclasses.replace(c, old=opener(c.old), new=opener(c.new)) for c in rev.changes))
        for rev in revisions]


def history(
    record_id: Annotated[str, typer.Argument(metavar="ID",
                                             help="A record ID or a unique prefix of one.",
                                             autocompletion=ids("record"))],
    wide: WideOpt = False,
    fmt: FormatOpt = None,
    repo: RepoOpt = None,
) -> None:
    """A record's changes over time, field by field, from git.

    Oldest first; hand edits and uncommitted changes included."""
    from hs.app.history import record_history
    from hs.cli.output import Table, emit

    fmt, human = _start(fmt)
    r = open_repo(repo)
    kind, rid = r.resolve(record_id)
    rel = r.index.paths.get(rid)
    if rel is None:  # an invalid file is not in the index: find it in the tree
        from hs.store.layout import walk

        rel = next(rf.rel for rf in walk(r.root) if rf.id == rid and rf.kind == kind)
    revisions = _opened(r, kind, rid, rel, record_history(r.root, rel))
    if fmt == "json":
        sys.stdout.write(_history_json(revisions) + "\n")  # escaped by json_text
        return
    if human:
        cols = _cols(("date", "date"), ("commit", "commit"), ("author", "author"),
                     ("subject", "subject"), ("field", "field"), ("change", "change"))
    else:
        cols = _cols(("date", "date"), ("commit", "commit"), ("author", "author"),
                     ("subject", "subject"), ("state", "status"), ("field", "field"),
                     ("old", "old"), ("new", "new"))
    rows: list[dict[str, Any]] = []
    for rev in revisions:
        head: dict[str, Any] = {"date": rev.date, "commit": rev.commit or "",
                                "author": rev.author, "subject": rev.subject,
                                "state": rev.state}
        if human:
            head["commit"] = rev.commit[:7] if rev.commit else MSG("uncommitted")
            changes = [{"field": c.field, "change": _change(c.old, c.new)}
                       for c in rev.changes]
        else:
            changes = [{"field": c.field, "old": _compact(c.old), "new": _compact(c.new)}
                       for c in rev.changes]
        if not changes:
            marker = {"unchanged": "hist.unchanged", "deleted": "hist.deleted",
                      "unreadable": "hist.unreadable"}.get(rev.state)
            changes = [{"field": MSG(marker) if (marker and human) else ""}]
        rows.append({**head, **changes[0]})
        rows.extend(changes[1:] if human else [{**head, **c} for c in changes[1:]])
    emit(Table(MSG("t.history", id=rid), cols, rows), fmt, wide=wide)


def register(app: typer.Typer) -> None:
    app.command("waitlist")(waitlist)
    app.command("due")(due)
    app.command("show")(show)
    app.command("history")(history)
    app.add_typer(list_app, name="list", help=_LIST_HELP)
