"""The national roll-up: a location's export to the central office, and the merge.

The central office does not hold the locations' records: each location sends its
aggregates (:func:`export_text`, written by ``hs kpi --export``) and the office merges them
(:func:`read_exports`, :func:`merge`, ``hs kpi --from``). An export is internal to the
organisation and never published as it is, so it carries **exact** counts: every total,
every breakdown cell (small ones too), the numerators of every share (never a rounded
share), the impact sums, and the waiting days as a histogram (days -> trajectories). From
those, every national figure is exactly the figure computed over all records at once, the
median and the 90th percentile of waiting days included. Never a record, an ID or a name of
a person leaves a location. Figures for publication hide their small cells afterwards
(:mod:`hs.app.suppress`); an export written for publication (``--public``) says so and is
refused by the merge.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from hs.app.kpi import (
    BREAKDOWNS,
    TOTALS,
    Count,
    ImpactCounts,
    KpiCounts,
    Period,
    Range,
    Revision,
    Source,
    WaitingDays,
    add,
)
from hs.app.suppress import suppress
from hs.base.errors import InvalidExport
from hs.base.i18n import Catalog
from hs.store.atomic import write_atomic
from hs.store.yamlio import YamlIssue, load_plain, new_document

MSG = Catalog("app.rollup")

FORMAT_NAME = "hs-kpi-export"
FORMAT_VERSION = 2
EXPORT_FORMAT = f"{FORMAT_NAME}/{FORMAT_VERSION}"

HEADER = ("# Home-Start annual figures of one location, for the central office: exact\n"
          "# counts only (no record, no ID, no name). Internal: never publish this file as "
          "it is;\n"
          "# publish with hs kpi --public or hs report --public (small counts hidden).\n"
          "# Merge several with: hs kpi --from FILE-OR-FOLDER...")
PUBLIC_HEADER = ("# Home-Start annual figures of one location, for publication: counts from "
                 "1 to 4\n# hidden as \"<5\" (and where needed a second count as a range). "
                 "Not for hs kpi --from.")


# --- writing -----------------------------------------------------------------------------


def _cell(value: Count) -> int | str:
    if isinstance(value, Range):
        if (value.low, value.high) == (1, 4):
            return "<5"
        return f"{value.low:g}-{value.high:g}"
    return value


def export_data(counts: KpiCounts, public: bool = False) -> dict[str, Any]:
    """The plain data of an export file: one location's exact counts (``public``: with
    small cells hidden, for publication, and marked so that no merge takes it)."""
    c = suppress(counts) if public else counts
    rev = c.revision
    data: dict[str, Any] = {"format": EXPORT_FORMAT}
    if public:
        data["public"] = True
    data.update({
        "year": c.year,
        "location": c.location,
        "as_of": c.as_of.isoformat() if c.as_of else None,
        "period": {"first": c.period.first.isoformat(), "last": c.period.last.isoformat()},
        "revision": None if rev is None else {"commit": rev.commit, "rev": rev.rev,
                                               "dirty": rev.dirty},
        "totals": {k: _cell(c.total(k)) for k in TOTALS},
        "municipalities": sorted(c.municipalities),
        "fte": c.fte,
        "partners": sorted(c.partners),
        "with_partner": c.with_partner,
        "funding": dict(c.funding),
        **{name: {k: _cell(v) for k, v in getattr(c, name).items()} for name in BREAKDOWNS},
        "impact": {dom: ({"n": _cell(i.n)} if isinstance(i.n, Range) else
                         {"n": i.n, "sum_start": i.sum_start, "sum_end": i.sum_end})
                   for dom, i in c.impact.items()},
        "extra": {key: ({k: _cell(v) for k, v in value.items()} if isinstance(value, dict)
                        else _cell(value)) for key, value in c.extra.items()},
    })
    if public:
        w = c.waiting_days
        data["waiting_days"] = {"n": _cell(w.n), "median": w.median, "p90": w.p90}
    else:
        data["waiting_histogram"] = {int(d): k for d, k in c.waiting_histogram.items()}
    return data


def export_text(counts: KpiCounts, public: bool = False) -> str:
    return new_document(export_data(counts, public),
                        header=PUBLIC_HEADER if public else HEADER)


def write_export(path: Path, counts: KpiCounts, public: bool = False) -> None:
    """Write an export file atomically (:func:`write_atomic`)."""
    write_atomic(path, export_text(counts, public))


# --- reading -------------------------------------------------------------------------------


def _count(raw: Any, where: str) -> int:
    if isinstance(raw, int) and not isinstance(raw, bool) and raw >= 0:
        return raw
    raise InvalidExport(MSG("count", where=where, got=raw))


def _number_or_none(raw: Any, where: str) -> float | None:
    if raw is None:
        return None
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        return raw
    raise InvalidExport(MSG("number", where=where, got=raw))


def _mapping(data: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, Mapping):
        raise InvalidExport(MSG("missing", where=where, key=key))
    return value


def _date(raw: Any, where: str) -> dt.date:
    try:
        return dt.date.fromisoformat(str(raw))
    except ValueError:
        raise InvalidExport(MSG("date", where=where, got=raw)) from None


def _strings(data: Mapping[str, Any], key: str, where: str) -> frozenset[str]:
    raw = data.get(key) or []
    if not isinstance(raw, list):
        raise InvalidExport(MSG("list", where=where, key=key))
    return frozenset(str(m) for m in raw)


def check_format(data: Any, where: str) -> None:
    """An export of this format version, and not a public one; else a one-line error."""
    found = data.get("format") if isinstance(data, Mapping) else None
    if not isinstance(found, str) or not found.startswith(f"{FORMAT_NAME}/"):
        raise InvalidExport(MSG("not-export", where=where, found=found, want=EXPORT_FORMAT))
    if found != EXPORT_FORMAT:
        raise InvalidExport(MSG("old-format", where=where, found=found, want=EXPORT_FORMAT))
    if isinstance(data, Mapping) and data.get("public"):
        raise InvalidExport(MSG("public", where=where))


def from_export(data: Any, where: str) -> KpiCounts:
    """Exact counts from the data of an export file (as :func:`export_data` writes it)."""
    check_format(data, where)
    year = data.get("year")
    if not isinstance(year, int) or isinstance(year, bool):
        raise InvalidExport(MSG("number", where=f"{where}: year", got=year))
    period_raw = _mapping(data, "period", where)
    period = Period(_date(period_raw.get("first"), where), _date(period_raw.get("last"), where))
    totals_raw = _mapping(data, "totals", where)
    totals: dict[str, Any] = {k: _count(totals_raw.get(k, 0), f"{where}: totals.{k}")
                              for k in TOTALS}
    breakdowns: dict[str, Any] = {}
    for name in BREAKDOWNS:
        raw = _mapping(data, name, where)
        breakdowns[name] = {str(k): _count(v, f"{where}: {name}.{k}") for k, v in raw.items()}
    impact: dict[str, ImpactCounts] = {}
    for dom, raw in _mapping(data, "impact", where).items():
        if not isinstance(raw, Mapping):
            raise InvalidExport(MSG("missing", where=f"{where}: impact", key=dom))
        n = _count(raw.get("n", 0), f"{where}: impact.{dom}.n")
        sums = [raw.get("sum_start", 0), raw.get("sum_end", 0)]
        if not all(isinstance(s, int) and not isinstance(s, bool) for s in sums):
            raise InvalidExport(MSG("number", where=f"{where}: impact.{dom}", got=sums))
        impact[str(dom)] = ImpactCounts(n, n, sums[0], sums[1])
    histogram: dict[int, int] = {}
    for day, k in _mapping(data, "waiting_histogram", where).items():
        d = _count(int(day) if isinstance(day, str) and day.isdigit() else day,
                   f"{where}: waiting_histogram")
        histogram[d] = histogram.get(d, 0) + _count(k, f"{where}: waiting_histogram.{day}")
    funding_raw = _mapping(data, "funding", where)
    funding: dict[str, float] = {}
    for k, v in funding_raw.items():
        amount = _number_or_none(v, f"{where}: funding.{k}")
        if amount is not None:
            funding[str(k)] = amount
    extra: dict[str, Any] = {}
    for key, value in _mapping(data, "extra", where).items():
        extra[str(key)] = ({str(k): _count(v, f"{where}: extra.{key}.{k}")
                            for k, v in value.items()} if isinstance(value, Mapping)
                           else _count(value, f"{where}: extra.{key}"))
    rev = data.get("revision")
    revision = None
    if isinstance(rev, Mapping):
        revision = Revision(rev.get("commit"), rev.get("rev"), bool(rev.get("dirty")))
    as_of = data.get("as_of")
    location = data.get("location")
    with_partner = _count(data.get("with_partner", 0), f"{where}: with_partner")
    return KpiCounts(
        year=year, period=period, as_of=None if as_of is None else _date(as_of, where),
        location=None if location is None else str(location), revision=revision,
        **totals, municipalities=_strings(data, "municipalities", where),
        fte=_number_or_none(data.get("fte"), f"{where}: fte"),
        partners=_strings(data, "partners", where), with_partner=with_partner,
        funding=funding, **breakdowns, impact=impact,
        waiting_days=WaitingDays.of_histogram(histogram),
        waiting_histogram=dict(sorted(histogram.items())), extra=extra,
    )


def read_export(path: Path) -> KpiCounts:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidExport(MSG("cannot-read", path=path, why=exc.strerror or exc)) from None
    except UnicodeDecodeError:
        raise InvalidExport(MSG("not-utf8", path=path)) from None
    try:
        data = load_plain(text)
    except YamlIssue as issue:
        raise InvalidExport(f"{path}:{issue.line}:{issue.col}: {issue.message}") from None
    return from_export(data, str(path))


def export_files(paths: list[Path]) -> list[Path]:
    """The export files of ``paths``: a file as it is, a folder's ``*.yaml`` and ``*.yml``
    files (not its subfolders), in name order."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            found = sorted(q for q in p.iterdir()
                           if q.is_file() and q.suffix in (".yaml", ".yml"))
            if not found:
                raise InvalidExport(MSG("nothing", where=p))
            out += found
        else:
            out.append(p)
    return out


def read_exports(paths: list[Path]) -> list[tuple[Path, KpiCounts]]:
    """Every export of ``paths`` (files or folders), checked to merge: one year, one
    period, each location once."""
    parts = [(p, read_export(p)) for p in export_files(paths)]
    check_mergeable(parts)
    return parts


def check_mergeable(parts: list[tuple[Path, KpiCounts]]) -> None:
    if not parts:
        raise InvalidExport(MSG("none"))
    head_path, head = parts[0]
    seen: dict[str, Path] = {}
    for path, p in parts:
        if p.year != head.year:
            raise InvalidExport(MSG("years", a=head_path, ya=head.year, b=path, yb=p.year))
        if p.period != head.period:
            raise InvalidExport(MSG("periods", a=head_path, b=path,
                                    pa=f"{head.period.first}..{head.period.last}",
                                    pb=f"{p.period.first}..{p.period.last}"))
        if not p.sources:  # one location's export, or the central office's (no location)
            code = p.location or ""  # "": the central office
            if code in seen:
                raise InvalidExport(MSG("twice" if code else "central-twice", code=code,
                                        a=seen[code], b=path))
            seen[code] = path


# --- merging -----------------------------------------------------------------------------


def merge(parts: list[KpiCounts]) -> KpiCounts:
    """National figures from the exact figures of several locations: every count is the
    sum, the waiting-days histogram the sum of the histograms (so the median and the 90th
    percentile are those of all trajectories), the impact sums the sums. Exactly the
    figures computed over all records at once."""
    check_mergeable([(Path(p.location or f"#{i + 1}"), p) for i, p in enumerate(parts)])
    head = parts[0]
    totals: dict[str, Any] = {}
    for k in TOTALS:
        value: Count = 0
        for p in parts:
            value = add(value, p.total(k))
        totals[k] = value
    ftes = [p.fte for p in parts if p.fte is not None]
    breakdowns: dict[str, Any] = {}
    for name in BREAKDOWNS:
        merged: dict[str, Count] = {}
        for p in parts:
            for k, v in getattr(p, name).items():
                merged[k] = add(merged.get(k, 0), v)
        breakdowns[name] = merged
    impact: dict[str, ImpactCounts] = {}
    for p in parts:
        for dom, imp in p.impact.items():
            impact[dom] = impact.get(dom, ImpactCounts()) + imp
    histogram: dict[int, int] = {}
    for p in parts:
        for day, many in p.waiting_histogram.items():
            histogram[day] = histogram.get(day, 0) + many
    funding: dict[str, float] = {}
    for p in parts:
        for source, amount in p.funding.items():
            funding[source] = funding.get(source, 0.0) + amount
    extra: dict[str, Any] = {}
    for p in parts:
        for key, value in p.extra.items():
            if isinstance(value, Mapping):
                into = extra.setdefault(key, {})
                for k, v in value.items():
                    into[k] = add(into.get(k, 0), v)
            else:
                extra[key] = add(extra.get(key, 0), value)
    sources = tuple(s for p in parts for s in (p.sources or (Source(p.location, p.revision),)))
    return KpiCounts(
        year=head.year, period=head.period, as_of=head.as_of, location=None, revision=None,
        sources=sources, **totals,
        municipalities=frozenset().union(*(p.municipalities for p in parts)),
        fte=round(sum(ftes), 2) if ftes else None,
        partners=frozenset().union(*(p.partners for p in parts)),
        with_partner=sum(p.with_partner for p in parts),
        funding={k: round(funding[k], 2) for k in sorted(funding)},
        **breakdowns, impact=impact,
        waiting_days=WaitingDays.of_histogram(histogram),
        waiting_histogram=dict(sorted(histogram.items())), extra=extra,
    )
