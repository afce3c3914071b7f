"""`hs suggest` and `hs match plan`: volunteers for a waiting family, and a plan for the
whole waiting list. The rules, scores and solver live in :mod:`hs.app.matching`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from hs.base.i18n import Catalog
from hs.cli.common import (
    FormatOpt,
    RepoOpt,
    codes,
    ids,
    open_repo,
    parse_choice,
    parse_date,
)
from hs.records.enums import TRAJECTORY_KINDS

if TYPE_CHECKING:
    from hs.app.matching import Candidate, Plan, Suggestion
    from hs.cli.output import Table
    from hs.records.index import Index

MSG = Catalog({
    "suggest-title": ("Volunteers for family {family} ({kind}, {day})",
                      "Vrijwilligers voor gezin {family} ({kind}, {day})"),
    "explain-title": ("Why: volunteers for family {family} ({kind}, {day})",
                      "Waarom: vrijwilligers voor gezin {family} ({kind}, {day})"),
    "plan-title": ("Proposed matches for the waiting list ({where}, {day})",
                   "Voorgestelde koppelingen voor de wachtlijst ({where}, {day})"),
    "all-locations": ("all locations", "alle werkingen"),
    "rank": ("#", "#"),
    "volunteer": ("volunteer", "vrijwilliger"),
    "municipality": ("municipality", "gemeente"),
    "excluded_by": ("excluded by", "uitgesloten door"),
    "item": ("rule or score", "regel of score"),
    "passed": ("passed", "voldaan"),
    "score": ("score", "score"),
    "weight": ("weight", "gewicht"),
    "points": ("points", "punten"),
    "reason": ("reason", "reden"),
    "priority": ("priority", "voorrang"),
    "family": ("family", "gezin"),
    "location": ("location", "werking"),
    "perinatal": ("perinatal", "perinataal"),
    "waiting_since": ("waiting since", "wacht sinds"),
    "waiting_days": ("days waiting", "dagen wachten"),
    "unmatched": ("unmatched because", "niet gekoppeld want"),
    "taken_by": ("taken by", "genomen door"),
    "no-eligible-volunteer": ("no eligible volunteer", "geen geschikte vrijwilliger"),
    "taken-by-higher-priority": ("eligible volunteers go to families higher on the list",
                                 "geschikte vrijwilligers gaan naar gezinnen hoger op de "
                                 "lijst"),
    "not-waiting": ("note: family {family} is not on the waiting list on {day} ({status})",
                    "let op: gezin {family} staat op {day} niet op de wachtlijst ({status})"),
    "none-eligible": ("no volunteer meets every rule for family {family}; --all shows who "
                      "is excluded and why",
                      "geen vrijwilliger voldoet aan elke regel voor gezin {family}; --all "
                      "toont wie uitgesloten is en waarom"),
    "plan-summary": ("{pairs} proposed pairs (total score {total}); {unmatched} of {families} "
                     "waiting families stay unmatched",
                     "{pairs} voorgestelde koppelingen (totale score {total}); {unmatched} "
                     "van {families} wachtende gezinnen blijven zonder vrijwilliger"),
    "plan-nothing-written": ("nothing was written: confirm each pair with 'hs start'",
                             "er werd niets geschreven: bevestig elke koppeling met "
                             "'hs start'"),
    "bad-top": ("--top: {value} is negative; give a count, or 0 for all",
                "--top: {value} is negatief; geef een aantal, of 0 voor allemaal"),
})

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
        message(MSG("not-waiting", family=fid, day=day, status=result.status))
    listed = list(result.eligible[:top] if top else result.eligible)
    if all_:
        listed += result.excluded
    if not result.eligible:
        message(MSG("none-eligible", family=fid))
    if explain:
        emit(_explain_table(result, listed, index, form), form)
    else:
        emit(_suggest_table(result, listed, form, all_), form)


def _ranks(result: Suggestion) -> dict[str, int]:
    return {c.volunteer: i for i, c in enumerate(result.eligible, 1)}


def _suggest_table(result: Suggestion, listed: list[Candidate], fmt: str,
                   show_excluded: bool) -> Table:
    from hs.app.matching import SCORES, item_name
    from hs.cli.output import Column, Table

    cols = [Column("rank", MSG("rank"), "right"), Column("volunteer", MSG("volunteer")),
            Column("municipality", MSG("municipality"))]
    cols += [Column(s, item_name(s), "right") for s in SCORES]
    cols.append(Column("total", item_name("total"), "right"))
    if show_excluded:
        cols.append(Column("excluded_by", MSG("excluded_by")))
    ranks = _ranks(result)
    rows: list[dict[str, Any]] = []
    for c in listed:
        row: dict[str, Any] = {"rank": ranks.get(c.volunteer), "volunteer": c.volunteer,
                               "municipality": c.municipality}
        for p in c.scores:
            row[p.name] = round(p.score, 2)
        row["total"] = round(c.total, 2)
        row["excluded_by"] = [r if _codes(fmt) else item_name(r) for r in c.excluded_by]
        rows.append(row)
    title = MSG("suggest-title", family=result.family, kind=result.kind, day=result.day)
    return Table(title, cols, rows)


def _explain_table(result: Suggestion, listed: list[Candidate], index: Index,
                   fmt: str) -> Table:
    from hs.app.matching import MSG as CORE
    from hs.app.matching import item_name, number, reason_text
    from hs.cli.output import Column, Table

    cols = [Column("rank", MSG("rank"), "right"), Column("volunteer", MSG("volunteer")),
            Column("item", MSG("item")), Column("passed", MSG("passed")),
            Column("score", MSG("score"), "right"), Column("weight", MSG("weight"), "right"),
            Column("points", MSG("points"), "right"), Column("reason", MSG("reason"))]
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
    title = MSG("explain-title", family=result.family, kind=result.kind, day=result.day)
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
    fmt: FormatOpt = None,
    repo: RepoOpt = None,
) -> None:
    """Propose volunteer–family pairs for the whole waiting list; writes nothing.

    In the order of hs waitlist (perinatal families first, then the longest waiting): a
    family stays unmatched only if the volunteers it could have are needed by families
    higher on the list. Among those
    plans, the one with the highest total score (docs/matching.md)."""
    from hs.app.matching import number
    from hs.app.matching import plan as core_plan
    from hs.cli.output import emit, message, resolve_format

    form = resolve_format(fmt)
    day = parse_date(date)
    result = core_plan(open_repo(repo).index, day, location,
                       parse_choice(kind, "trajectory_kinds", "--kind") or kind)
    emit(_plan_table(result, form), form)
    message(MSG("plan-summary", pairs=len(result.pairs), total=number(result.total),
                unmatched=len(result.unmatched), families=len(result.entries)))
    message(MSG("plan-nothing-written"))


def _plan_table(result: Plan, fmt: str) -> Table:
    from hs.cli.output import Column, Table

    keys = ["priority", "family", "location", "perinatal", "waiting_since", "waiting_days",
            "volunteer", "score", "unmatched", "taken_by"]
    right = {"priority", "waiting_days", "score"}
    cols = [Column(k, MSG(k), "right" if k in right else "left") for k in keys]
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
    return Table(MSG("plan-title", where=where, day=result.day), cols, rows)


def register(app: typer.Typer) -> None:
    app.command("suggest")(suggest)
    group = typer.Typer(name="match", help="Match volunteers to the whole waiting list.",
                        no_args_is_help=True)
    group.command("plan")(plan)
    app.add_typer(group, name="match")
