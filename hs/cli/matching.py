"""`hs suggest` and `hs match plan`: volunteers for a waiting family, and a plan for the
whole waiting list. The rules, scores and solver live in :mod:`hs.app.matching`."""

from __future__ import annotations

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
from hs.cli.views import NamesOpt, WideOpt, reading_day
from hs.records.enums import TRAJECTORY_KINDS, label

if TYPE_CHECKING:
    from hs.app.matching import Candidate, Plan, Suggestion
    from hs.cli.output import Table
    from hs.records.index import Index

MSG = Catalog("cli.matching")
_STATUS = Catalog("app.workflow")  # a family's status in words: its s-<status> messages

KindOpt = Annotated[
    str,
    typer.Option("--kind", metavar="|".join(TRAJECTORY_KINDS),
                 help="Kind of trajectory the volunteer is sought for.",
                 autocompletion=codes("trajectory_kinds")),
]
DateOpt = Annotated[
    str | None,
    typer.Option("--date", metavar="YYYY-MM-DD|today",
                 help="Match as of this day (default: today).", show_default=False),
]


def _kind(code: str) -> str:
    """A trajectory kind in a Dutch sentence: its label (the code in English)."""
    return label("trajectory_kinds", code, "nl") if language() == "nl" else code


def _codes(fmt: str) -> bool:
    """Whether values are shown as stable codes (JSON, CSV) rather than in words."""
    return fmt in ("json", "csv")


def suggest(
    family: Annotated[str, typer.Argument(metavar="FAM", show_default=False,
                                          help="Family ID or a unique prefix of one.",
                                          autocompletion=ids("family"))],
    top: Annotated[int, typer.Option("--top", "-n", help="How many eligible volunteers to "
                                     "list (0: all).")] = 5,
    all_: Annotated[bool, typer.Option("--all", help="Also list every excluded volunteer "
                                       "with the rules that exclude them.")] = False,
    explain: Annotated[bool, typer.Option("--explain", help="One line per rule and score "
                                          "for each listed volunteer, with the reason.")]
    = False,
    kind: KindOpt = "buddy",
    date: DateOpt = None,
    with_names: NamesOpt = None,
    wide: WideOpt = False,
    fmt: FormatOpt = None,
    repo: RepoOpt = None,
) -> None:
    """Rank the volunteers who could take a family, and say why.

    Best first; volunteers who break a hard rule are left out (--all lists them with the
    rule). The rules, scores and weights: docs/matching.md."""
    from hs.app.matching import suggest as core_suggest
    from hs.base.errors import UsageError
    from hs.cli.output import emit, message, resolve_format

    if top < 0:
        raise UsageError(MSG("bad-top", value=top))
    form = resolve_format(fmt)
    day = parse_date(date)
    r = open_repo(repo)
    _, fid = r.resolve(family, "family")
    index = r.index
    result = core_suggest(index, fid, day, parse_choice(kind, "trajectory_kinds", "--kind")
                          or kind)
    if result.status != "waiting":
        status = result.status
        if language() == "nl":  # in words, as the family's view says it; else its label
            # lazy: hs match plan imports no vocabulary code (a test holds it)
            from hs.records.vocabularies import label as vocabulary_label

            status = (_STATUS(f"s-{status}") if f"s-{status}" in _STATUS
                      else vocabulary_label("family_statuses", status, "nl"))
        message(MSG("not-waiting", family=fid, day=day, status=status))
    listed = list(result.eligible[:top] if top else result.eligible)
    if all_:
        listed += result.excluded
    if not result.eligible:
        message(MSG("none-eligible", family=fid))
    table = (_explain_table(result, listed, index, form) if explain
             else _suggest_table(result, listed, form, all_))
    _names(r, table, {"name": "volunteer"}, form, with_names)
    if explain and form == "table":  # each volunteer's rank, ID and name once, atop
        _group(table.rows, ("rank", "volunteer", "name"))  # their rows
    emit(table, form, wide=wide)


def _group(rows: list[dict[str, Any]], keys: tuple[str, ...]) -> None:
    """Leave ``keys`` blank on a row that continues the previous row's volunteer."""
    previous = None
    for row in rows:
        current = row.get("volunteer")
        if current == previous:
            for key in keys:
                row[key] = None
        previous = current


def _names(r: Any, table: Table, fields: dict[str, str], fmt: str,
           asked: bool | None) -> None:
    """Name columns beside the ID columns (``fields``: new key -> ID key), if the table
    shows names (:func:`hs.app.names.names_shown`), read for these rows only."""
    if not asked and fmt != "table":  # what names_shown says for a format for programs
        return  # (names only when asked), without importing the sealing and YAML code
    from hs.app.names import display_names, names_shown
    from hs.cli.output import Column

    if not names_shown(r, fmt != "table", asked):
        return
    rows = table.rows
    found = display_names(r, [row[src] for row in rows for src in fields.values()
                              if row.get(src)])
    for key, src in fields.items():
        for row in rows:
            row[key] = found.get(row[src]) if row.get(src) else None
    for key, src in reversed(list(fields.items())):
        pos = next(i for i, c in enumerate(table.columns) if c.key == src) + 1
        priority = max(table.columns[pos - 1].priority, 1)
        table.columns.insert(pos, Column(key, MSG("name"), text=True, priority=priority,
                                         min_width=10))  # beside the ID it names


def _ranks(result: Suggestion) -> dict[str, int]:
    return {c.volunteer: i for i, c in enumerate(result.eligible, 1)}


def _suggest_table(result: Suggestion, listed: list[Candidate], fmt: str,
                   show_excluded: bool) -> Table:
    from hs.app.matching import SCORES, item_name
    from hs.cli.output import Column, Table

    cols = [Column("rank", MSG("rank"), "right"), Column("volunteer", MSG("volunteer")),
            Column("municipality", MSG("municipality"), text=True, priority=3)]
    cols += [Column(s, item_name(s), "right", priority=2) for s in SCORES]
    cols.append(Column("total", item_name("total"), "right"))
    if show_excluded:
        cols.append(Column("excluded_by", MSG("excluded_by"), text=True, min_width=12))
    ranks = _ranks(result)
    rows: list[dict[str, Any]] = []
    for c in listed:
        row: dict[str, Any] = {"rank": ranks.get(c.volunteer), "volunteer": c.volunteer,
                               "municipality": c.municipality}
        for p in c.scores:
            row[p.name] = round(p.score, 2)
        row["total"] = round(c.total, 2)
        # a rule failed, said in Dutch as what is wrong ("niet actief", not "actief")
        row["excluded_by"] = [r if _codes(fmt) else MSG(r) if r in MSG else item_name(r)
                              for r in c.excluded_by]
        rows.append(row)
    title = MSG("suggest-title", family=result.family, kind=_kind(result.kind),
                day=reading_day(result.day, fmt))
    return Table(title, cols, rows)


def _explain_table(result: Suggestion, listed: list[Candidate], index: Index,
                   fmt: str) -> Table:
    from hs.app.matching import MSG as CORE
    from hs.app.matching import item_name, number, reason_text
    from hs.cli.output import Column, Table

    cols = [Column("rank", MSG("rank"), "right", priority=4),
            Column("volunteer", MSG("volunteer")),
            Column("item", MSG("item"), text=True, min_width=10),
            Column("passed", MSG("passed"), priority=2),
            Column("score", MSG("score"), "right", priority=3),
            Column("weight", MSG("weight"), "right", priority=3),
            Column("points", MSG("points"), "right"),
            Column("reason", MSG("reason"), text=True, min_width=20, wraps=True)]
    ranks = _ranks(result)
    codes = _codes(fmt)
    rows: list[dict[str, Any]] = []
    for c in listed:
        base = {"rank": ranks.get(c.volunteer), "volunteer": c.volunteer}
        for rule in c.rules:
            rows.append({**base, "item": rule.rule if codes else item_name(rule.rule),
                         "passed": rule.passed, "reason": reason_text(rule.reason, index)})
        for p in c.scores:
            rows.append({**base, "item": p.name if codes else item_name(p.name),
                         "score": round(p.score, 2), "weight": p.weight,
                         "points": round(p.points, 2),
                         "reason": reason_text(p.reason, index)})
        rows.append({**base, "item": "total" if codes else item_name("total"),
                     "points": round(c.total, 2),
                     "reason": CORE("total-sum", max=number(result.max_total))})
    title = MSG("explain-title", family=result.family, kind=_kind(result.kind),
                day=reading_day(result.day, fmt))
    return Table(title, cols, rows)


def plan(
    location: Annotated[str | None, typer.Option(
        "--location", metavar="LOC", help="Only this location's waiting list (default: "
        "every location).", show_default=False)] = None,
    kind: Annotated[str, typer.Option("--kind", metavar="|".join(
        k for k in TRAJECTORY_KINDS if k != "starter"),
                                      help="Kind of trajectory to plan.",
                                      autocompletion=codes("trajectory_kinds"))] = "buddy",
    date: DateOpt = None,
    with_names: NamesOpt = None,
    wide: WideOpt = False,
    fmt: FormatOpt = None,
    repo: RepoOpt = None,
) -> None:
    """Propose volunteer–family pairs for the whole waiting list; writes nothing.

    In the order of hs waitlist (perinatal families first, then the longest waiting): a
    family stays unmatched only if the volunteers it could have are needed by families
    higher on the list. Among those
    plans, the one with the highest total score (docs/matching.md)."""
    from hs.app.matching import plan as core_plan
    from hs.base.i18n import language
    from hs.base.readable import format_number
    from hs.cli.output import emit, message, resolve_format

    form = resolve_format(fmt)
    day = parse_date(date)
    from hs.cli.progress import working

    r = open_repo(repo)
    with working("plan") as step:
        result = core_plan(r.index, day, location, kind if kind in TRAJECTORY_KINDS
                           else parse_choice(kind, "trajectory_kinds", "--kind") or kind, step)
    table = _plan_table(result, form)
    _names(r, table, {"family_name": "family", "volunteer_name": "volunteer"}, form,
           with_names)
    emit(table, form, wide=wide)
    message(MSG("plan-summary", pairs=len(result.pairs),
                total=format_number(round(result.total, 2), language()),
                unmatched=len(result.unmatched), families=len(result.entries)))
    message(MSG("plan-nothing-written"))


def _plan_table(result: Plan, fmt: str) -> Table:
    from hs.cli.output import Column, Table

    keys = ["priority", "family", "location", "perinatal", "waiting_since", "waiting_days",
            "volunteer", "score", "unmatched", "taken_by"]
    right = {"priority", "waiting_days", "score"}
    text = {"unmatched", "taken_by"}  # taken_by: IDs, shortened between them
    drop = {"location": 4, "perinatal": 3, "waiting_since": 2, "waiting_days": 5,
            "score": 1, "taken_by": 6}
    cols = [Column(k, MSG(k), "right" if k in right else "left", text=k in text,
                   priority=drop.get(k, 0), min_width=12, wraps=k == "unmatched")
            for k in keys]
    codes = _codes(fmt)
    rows = []
    for e in result.entries:
        reason = None if e.unmatched is None else e.unmatched if codes else MSG(e.unmatched)
        rows.append({"priority": e.priority, "family": e.family, "location": e.location,
                     "perinatal": e.perinatal, "waiting_since": e.waiting_since,
                     "waiting_days": e.waiting_days, "volunteer": e.volunteer,
                     "score": None if e.score is None else round(e.score, 2),
                     "unmatched": reason, "taken_by": list(e.taken_by)})
    where = result.location or MSG("all-locations")
    return Table(MSG("plan-title", where=where, day=reading_day(result.day, fmt)), cols, rows)


def register(app: typer.Typer) -> None:
    app.command("suggest")(suggest)
    group = typer.Typer(name="match", help="Match volunteers to the whole waiting list.",
                        no_args_is_help=True)
    group.command("plan")(plan)
    app.add_typer(group, name="match")
