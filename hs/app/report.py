"""The annual figures for people: tables for ``hs kpi``, the page for ``hs report``.

Three renderings of the same :class:`hs.app.kpi.KpiCounts` (and optionally one per location):

* :func:`kpi_tables`: one :class:`hs.app.tables.Table` per section of the annual report, for
  people (one value column, or one per location and a total), and :func:`kpi_table`: the
  same rows in one table for programs (CSV), each with a stable ``section`` and ``key``;
* :func:`render_html`: the self-contained "Home-Start in cijfers" page, with inline SVG
  charts, print CSS and no external asset (no font, script or image is fetched);
* :func:`render_markdown`: the same content as Markdown tables (with text bars).

Labels come in English and Dutch; the page takes its language as an argument (Dutch by
default), the tables follow the user's language. Codes are shown with the labels of the
records' vocabularies. Nothing here reads records or knows the command line.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import textwrap
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib.resources import files
from typing import Any

from hs.app.eventfigures import TOTALS as FIGURE_TOTALS
from hs.app.kpi import (
    AGE_BANDS,
    DERIVED_PROFILE,
    SUPPRESS_BELOW,
    UNKNOWN_MUNICIPALITY,
    Count,
    KpiCounts,
    Range,
    Revision,
    Share,
    add,
    high,
    low,
)
from hs.app.tables import Column, Table
from hs.base.i18n import Catalog, language
from hs.base.readable import format_date, format_number
from hs.records.ids import GENDERS, TRAJECTORY_KINDS
from hs.rules.lifecycle import MAIN_KINDS
from hs.store.yamlio import load_plain

LABELS = Catalog("app.report")

# chart colours (the screenshot test looks for them)
COLOURS = {
    "path": "#3d5a80",
    "profile": "#1f6f8b",
    "gender-f": "#d1495b",
    "gender-m": "#00798c",
    "gender-x": "#edae49",
    "age": "#6a4c93",
    "referrers": "#2e7d32",
    "close_reasons": "#8d5524",
    "impact-start": "#9aa5b1",
    "impact-end": "#e07a1f",
}


def t(key: str, lang: str | None = None, **fields: object) -> str:
    """A label in ``lang`` (default: the user's language)."""
    if lang is None:
        return LABELS(key, **fields)
    return LABELS.say(lang, key, **fields)


@dataclass
class Context:
    """What rendering needs besides the counts: vocabularies, location names, language."""

    vocabularies: Mapping[str, Any] = field(default_factory=dict)
    names: Mapping[str, str] = field(default_factory=dict)
    lang: str = "en"

    def code(self, vocabulary: str, code: str) -> str:
        entry = self.vocabularies.get(vocabulary, {}).get(code)
        if not entry:
            return code
        return str(entry.get(self.lang) or entry.get("en") or code)

    def name(self, location: str | None) -> str:
        if location is None:
            return t("all-locations", self.lang)
        return self.names.get(location, location)

    def t(self, key: str, **fields: object) -> str:
        return t(key, self.lang, **fields)


def default_vocabularies() -> dict[str, Any]:
    """The bundled default vocabularies (for merged figures outside a records tree)."""
    text = files("hs").joinpath("data", "vocabularies.yaml").read_text(encoding="utf-8")
    data = load_plain(text)
    return data if isinstance(data, dict) else {}


# --- numbers in words ------------------------------------------------------------------------


#: The number language of tables in Dutch: a decimal comma and no thousands separator
#: (a number stays one token in a column); ``""`` is the same with a decimal point (CSV).
TABLE_NL = "nl-table"


def fmt_int(n: float, lang: str) -> str:
    """A whole number for people: 10.984 in Dutch, 10,984 in English, 10984 for tables
    (``lang=""`` or :data:`TABLE_NL`: no grouping). Formatting: :mod:`hs.base.readable`."""
    if not lang or lang == TABLE_NL:
        return str(round(n))
    return format_number(round(n), lang, grouped=True)


def fmt_dec(x: float, lang: str, digits: int = 2) -> str:
    grouped = bool(lang) and lang != TABLE_NL
    return format_number(x, "nl" if lang in ("nl", TABLE_NL) else "en", digits, grouped)


def fmt_count(value: Count | None, lang: str) -> str:
    if value is None:
        return "\u2013"
    if isinstance(value, Range):
        if (value.low, value.high) == (1, SUPPRESS_BELOW - 1):
            return f"<{SUPPRESS_BELOW}"
        return f"{fmt_int(value.low, lang)}\u2013{fmt_int(value.high, lang)}"
    return fmt_int(value, lang)


def _pct(x: float, lang: str, digits: int) -> str:
    return fmt_dec(x * 100, lang, digits)


def fmt_share(value: Share, lang: str, digits: int = 0) -> str:
    if value is None:
        return "\u2013"
    if isinstance(value, Range):
        return f"{_pct(value.low, lang, digits)}\u2013{_pct(value.high, lang, digits)}%"
    return f"{_pct(value, lang, digits)}%"


def fmt_days(value: float | Range | None, lang: str) -> str:
    if value is None:
        return "\u2013"
    if isinstance(value, Range):
        return f"{fmt_days(value.low, lang)}\u2013{fmt_days(value.high, lang)}"
    return fmt_int(value, lang) if float(value).is_integer() else fmt_dec(value, lang, 1)


def fmt_change(x: float | None, lang: str) -> str:
    if x is None:
        return "\u2013"
    sign = "+" if x > 0 else ("\u2212" if x < 0 else "\u00b1")
    return sign + fmt_dec(abs(x), lang)


def fmt_date(day: dt.date, lang: str) -> str:
    return format_date(day, lang, long=True)


def revision_text(rev: Revision | None, lang: str | None = None) -> str:
    """Where figures came from, with the full commit hash."""
    if rev is None:
        return t("rev-unknown", lang)
    if rev.rev is not None:
        if rev.commit is not None and rev.rev != rev.commit:
            return t("rev-asked", lang, commit=rev.commit, rev=rev.rev)
        return t("rev-commit", lang, commit=rev.commit)
    if rev.commit is None:
        return t("rev-none", lang)
    return t("rev-dirty" if rev.dirty else "rev-head", lang, commit=rev.commit)


def provenance(c: KpiCounts, lang: str | None = None) -> list[tuple[str, str]]:
    """(who, revision text) for the figures: one pair, or one per merged location."""
    if c.sources:
        return [(s.location or "?", revision_text(s.revision, lang)) for s in c.sources]
    return [(c.location or "", revision_text(c.revision, lang))]


# --- sections: which figures, in which order ----------------------------------------------


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    value: Callable[[KpiCounts], Any]  # a Count, Share, float or None
    kind: str  # count | share | days | fte | impact


def _headline_rows(ctx: Context) -> list[Row]:
    def total(key: str) -> Row:
        return Row(key, ctx.t(key), lambda c: c.total(key), "count")

    return [
        total("families"), total("children"),
        Row("perinatal_families", ctx.t("perinatal_families"),
            lambda c: c.profile.get("perinatal", 0), "count"),
        total("support_moments"),
        total("volunteers"), total("volunteers_new"), total("started"), total("closed"),
        Row("locations", ctx.t("locations"), lambda c: c.locations, "count"),
        Row("municipalities", ctx.t("municipalities"), lambda c: len(c.municipalities),
            "count"),
        Row("fte", ctx.t("fte"), lambda c: c.fte, "fte"),
    ]


def _path_rows(ctx: Context, last: dt.date) -> list[Row]:
    rows = [Row(k, ctx.t(k), (lambda c, k=k: c.total(k)), "count")  # type: ignore[misc]
            for k in ("referrals", "accepted", "refused", "withdrawn", "started", "closed")]
    rows.append(Row("waiting_at_year_end",
                    ctx.t("waiting_at_year_end", day=fmt_date(last, ctx.lang)),
                    lambda c: c.waiting_at_year_end, "count"))
    rows.append(Row("waiting_days_median", ctx.t("waiting-median"),
                    lambda c: c.waiting_days.median, "days"))
    rows.append(Row("waiting_days_p90", ctx.t("waiting-p90"),
                    lambda c: c.waiting_days.p90, "days"))
    return rows


def _profile_rows(ctx: Context, c: KpiCounts) -> list[Row]:
    rows: list[Row] = []
    for key in c.profile:
        label = ctx.t(key) if key in DERIVED_PROFILE else ctx.code("profile_flags", key)
        rows.append(Row(key, label, (lambda c, k=key: c.profile_share(k)),  # type: ignore[misc]
                        "share"))
    return rows


def _volunteer_rows(ctx: Context) -> list[Row]:
    rows = [Row(k, ctx.t(k), (lambda c, k=k: c.total(k)), "count")  # type: ignore[misc]
            for k in ("volunteers", "buddies", "volunteers_new", "volunteers_stopped",
                      "volunteers_returned")]
    for g in GENDERS:
        rows.append(Row(f"gender_{g}", ctx.t(f"gender-{g}"),
                        (lambda c, g=g: c.volunteer_share("volunteer_gender", g)),  # type: ignore[misc]
                        "share"))
    for band in AGE_BANDS:
        rows.append(Row(f"age_{band}", age_label(band, ctx.lang),
                        (lambda c, b=band: c.volunteer_share("volunteer_age", b)),  # type: ignore[misc]
                        "share"))
    return rows


def kind_rows(ctx: Context) -> list[Row]:
    """Trajectories by kind: active (every kind), started and closed (main kinds)."""
    rows = []
    for kind in TRAJECTORY_KINDS:
        name = ctx.t(f"kind-{kind}")
        rows.append(Row(f"active_{kind}", ctx.t("active-kind", kind=name),
                        (lambda c, k=kind: c.active_by_kind.get(k, 0)),  # type: ignore[misc]
                        "count"))
        if kind in MAIN_KINDS:
            rows.append(Row(f"started_{kind}", ctx.t("started-kind", kind=name),
                            (lambda c, k=kind: c.started_by_kind.get(k, 0)),  # type: ignore[misc]
                            "count"))
            rows.append(Row(f"closed_{kind}", ctx.t("closed-kind", kind=name),
                            (lambda c, k=kind: c.closed_by_kind.get(k, 0)),  # type: ignore[misc]
                            "count"))
    return rows


def funding_share(c: KpiCounts, source: str) -> float | None:
    whole = sum(c.funding.values())
    return round(c.funding.get(source, 0.0) / whole, 4) if whole else None


def public_funding_share(c: KpiCounts, public: frozenset[str], private: bool = False
                         ) -> float | None:
    """The share of the income from public sources (``public: true`` in the
    funding_sources vocabulary), or from the others."""
    whole = sum(c.funding.values())
    part = sum(v for k, v in c.funding.items() if (k in public) != private)
    return round(part / whole, 4) if whole else None


def organisation_rows(ctx: Context, columns: list[KpiCounts]) -> list[Row]:
    """Location metadata: locations, partners, municipalities, FTE, funding."""
    rows = [
        Row("locations", ctx.t("locations"), lambda c: c.locations, "count"),
        Row("with_partner", ctx.t("with_partner"), lambda c: c.with_partner, "count"),
        Row("partners", ctx.t("partners"), lambda c: ", ".join(sorted(c.partners)) or "\u2013",
            "text"),
        Row("municipalities", ctx.t("municipalities"), lambda c: len(c.municipalities),
            "count"),
        Row("fte", ctx.t("fte"), lambda c: c.fte, "fte"),
    ]
    found = {k for c in columns for k in c.funding}
    # the vocabulary's order (public sources first), then any other code
    sources = [k for k in ctx.vocabularies.get("funding_sources", {}) if k in found]
    sources += sorted(found - set(sources))
    if sources:
        rows.append(Row("funding", ctx.t("funding-total"),
                        lambda c: sum(c.funding.values()) if c.funding else None, "amount"))
        public = frozenset(k for k, entry in ctx.vocabularies.get("funding_sources", {}).items()
                           if isinstance(entry, dict) and entry.get("public"))
        if public:  # the report: public 59%, private 41%
            rows.append(Row("public_funding", ctx.t("funding-public"),
                            lambda c: public_funding_share(c, public), "share"))
            rows.append(Row("private_funding", ctx.t("funding-private"),
                            lambda c: public_funding_share(c, public, True), "share"))
    for source in sources:
        rows.append(Row(f"funding_{source}",
                        ctx.t("funding-share", source=ctx.code("funding_sources", source)),
                        (lambda c, k=source: funding_share(c, k)), "share"))  # type: ignore[misc]
    return rows


def age_label(band: str, lang: str | None) -> str:
    if band in ("under-19", "75+"):
        return t(f"age-{band}", lang)
    return t("age-band", lang, band=band)


def _count_rows(ctx: Context, vocabulary: str, attr: str,
                columns: list[KpiCounts]) -> list[Row]:
    keys: list[str] = []
    for c in columns:
        for k, v in getattr(c, attr).items():
            if k not in keys and v != 0:
                keys.append(k)
    return [Row(k, ctx.code(vocabulary, k),
                (lambda c, k=k: getattr(c, attr).get(k, 0)), "count")  # type: ignore[misc]
            for k in keys]


def _impact_domains(columns: list[KpiCounts]) -> list[str]:
    keys: list[str] = []
    for c in columns:
        for dom, imp in c.impact.items():
            if dom not in keys and imp.n != 0:
                keys.append(dom)
    return keys


# --- tables for hs kpi ----------------------------------------------------------------------


def _cell(kind: str, value: Any, lang: str) -> str:
    if kind == "count":
        return fmt_count(value, lang)
    if kind == "share":
        return fmt_share(value, lang, 1)
    if kind == "days":
        return fmt_days(value, lang)
    if kind == "fte":
        return "\u2013" if value is None else fmt_dec(value, lang)
    if kind == "amount":
        return "\u2013" if value is None else fmt_int(value, lang)
    return str(value)


SECTIONS = ("source", "headline", "path", "kinds", "profile", "volunteers", "referrers",
            "close_reasons", "impact", "events", "signals", "organisation")


def kpi_tables(total: KpiCounts, parts: Mapping[str, KpiCounts] | None = None,
               ctx: Context | None = None, by: str = "location") -> list[Table]:
    """One table per section of the annual report. With ``parts``: one column per
    location (or municipality, ``by``) and a total; else a value column (and a count
    column for shares)."""
    return [table for _, table in _kpi_sections(total, parts, ctx, people=True, by=by)]


def kpi_table(total: KpiCounts, parts: Mapping[str, KpiCounts] | None = None,
              ctx: Context | None = None, by: str = "location") -> Table:
    """Every row of :func:`kpi_tables` in one table, for programs: ``section`` (one of
    :data:`SECTIONS`) and ``key`` (the figure's key or code) are stable in every language,
    then the label (``figure``) and the value columns of all sections (a section leaves
    the columns of the others empty); no value (a dash) is an empty cell. Only the
    ``figure`` column follows the language: the source's location is its code (empty for
    all locations) and the revision is said in English."""
    ctx = ctx or Context(lang=language())
    sections = _kpi_sections(total, parts, ctx, by=by)
    columns = [Column("section", ctx.t("section")), Column("key", ctx.t("key"))]
    for _, table in sections:
        for col in table.columns:
            if all(c.key != col.key for c in columns):
                columns.append(col)
    rows = []
    for name, table in sections:
        for row in table.rows:
            cells = {k: (None if v == "\u2013" else v) for k, v in row.items()}
            if "stable" in cells:  # the source's value for programs
                cells["value"] = cells.pop("stable")
            rows.append({"section": name, **cells})
    return Table(ctx.t("headline"), columns, rows)


#: Figures that are not split per municipality (location metadata, volunteer events and
#: signals): a municipality's column shows no value (a dash) rather than 0.
WHOLE_LOCATION = ("locations", "municipalities", "fte")
WHOLE_SECTIONS = ("events", "signals", "organisation")


def _kpi_sections(total: KpiCounts, parts: Mapping[str, KpiCounts] | None,
                  ctx: Context | None, people: bool = False,
                  by: str = "location") -> list[tuple[str, Table]]:
    ctx = ctx or Context(lang=language())
    # numbers in tables: no grouping; for people in Dutch a decimal comma, for programs
    # (CSV) a decimal point (labels in ctx.lang)
    lang = TABLE_NL if people and ctx.lang == "nl" else ""
    scopes: list[tuple[str, str, KpiCounts]]
    if parts is not None:
        scopes = [(code, code, c) for code, c in parts.items()]
        scopes.append(("total", ctx.t("total"), total))
    else:
        scopes = [("value", ctx.t("value"), total)]
    columns = [c for _, _, c in scopes]
    first = Column("figure", ctx.t("figure"))

    def table(title: str, rows: list[Row], with_counts: Callable[[KpiCounts, str], Any]
              | None = None, whole: bool = False) -> Table:
        cols = [first]
        if parts is None and with_counts is not None:
            cols += [Column("count", ctx.t("count"), "right"),
                     Column("share", ctx.t("share"), "right")]
        else:
            cols += [Column(key, header, "right") for key, header, _ in scopes]
        out = Table(title, cols)
        for row in rows:
            cells: dict[str, Any] = {"key": row.key, "figure": row.label}
            if parts is None and with_counts is not None:
                cells["count"] = fmt_count(with_counts(total, row.key), lang)
                cells["share"] = ("" if row.kind == "count" else
                                  _cell(row.kind, row.value(total), lang))
            else:
                unsplit = by == "municipality" and (whole or row.key in WHOLE_LOCATION)
                for key, _, c in scopes:
                    cells[key] = ("\u2013" if unsplit and key != "total" else
                                  _cell(row.kind, row.value(c), lang))
            out.rows.append(cells)
        return out

    src = Table(ctx.t("source"), [first, Column("value", ctx.t("value"))])
    src.rows.append({"key": "year", "figure": ctx.t("year"), "value": str(total.year)})
    src.rows.append({"key": "location", "figure": ctx.t("location"),
                     "value": ctx.name(total.location) if total.location is None else
                     f"{total.location} ({ctx.name(total.location)})",
                     "stable": total.location})
    src.rows.append({"key": "period", "figure": ctx.t("period"),
                     "value": f"{total.period.first.isoformat()} \u2013 "
                              f"{total.period.last.isoformat()}"})
    for (who, text), (_, english) in zip(provenance(total, ctx.lang), provenance(total, "en"),
                                         strict=True):
        if total.sources:
            key, label = f"revision.{who}", f"{ctx.t('revision')} {who}"
        else:
            key, label = "revision", ctx.t("revision")
        src.rows.append({"key": key, "figure": label, "value": text, "stable": english})

    def profile_count(c: KpiCounts, key: str) -> Any:
        return c.profile.get(key, 0)

    def volunteer_count(c: KpiCounts, key: str) -> Any:
        if key.startswith("gender_"):
            return c.volunteer_gender.get(key[7:], 0)
        if key.startswith("age_"):
            return c.volunteer_age.get(key[4:], 0)
        return c.total(key)

    impact = Table(ctx.t("impact"), [first])
    domains = _impact_domains(columns)
    if parts is None:
        impact.columns += [Column("n", ctx.t("n"), "right"),
                           Column("start", ctx.t("start"), "right"),
                           Column("end", ctx.t("end"), "right"),
                           Column("change", ctx.t("change"), "right")]
        for dom in domains:
            imp = total.impact[dom]
            impact.rows.append({
                "key": dom, "figure": ctx.code("impact_domains", dom),
                "n": fmt_count(imp.n, lang),
                "start": "\u2013" if imp.mean_start is None else fmt_dec(imp.mean_start, lang),
                "end": "\u2013" if imp.mean_end is None else fmt_dec(imp.mean_end, lang),
                "change": fmt_change(imp.mean_change, lang)})
    else:
        impact.columns += [Column(key, header, "right") for key, header, _ in scopes]
        for dom in domains:
            cells: dict[str, Any] = {"key": dom, "figure": ctx.code("impact_domains", dom)}
            for key, _, c in scopes:
                part = c.impact.get(dom)
                cells[key] = ("\u2013" if part is None or part.n == 0 else
                              f"{fmt_change(part.mean_change, lang)} "
                              f"(n={fmt_count(part.n, lang)})")
            impact.rows.append(cells)

    return [
        ("source", src),
        ("headline", table(ctx.t("headline"), _headline_rows(ctx))),
        ("path", table(ctx.t("path"), _path_rows(ctx, total.period.last))),
        ("kinds", table(ctx.t("kinds"), kind_rows(ctx))),
        ("profile", table(ctx.t("profile"), _profile_rows(ctx, total), profile_count)),
        ("volunteers", table(ctx.t("volunteers-section"), _volunteer_rows(ctx),
                             volunteer_count)),
        ("referrers", table(ctx.t("referrers"),
                            _count_rows(ctx, "referrers", "referrers", columns))),
        ("close_reasons", table(ctx.t("close_reasons"),
                                _count_rows(ctx, "close_reasons", "close_reasons", columns))),
        ("impact", impact),
        # events and signals, below (not split per municipality)
        *_event_sections(ctx, columns, lambda title, rows: table(title, rows, whole=True)),
        ("organisation", table(ctx.t("organisation"), organisation_rows(ctx, columns),
                               whole=True)),
    ]


# --- volunteer events and signals (hs/app/eventfigures.py) -----------------------------------

EVENT_LABELS = Catalog("app.report")


def _et(ctx: Context, key: str, **fields: object) -> str:
    return EVENT_LABELS.say(ctx.lang, key, **fields)


def _fig(c: KpiCounts, key: str) -> Count:
    """An event or signal total of ``c`` (``KpiCounts.extra``; a range when hidden)."""
    value = c.extra.get(key, 0)
    return value if isinstance(value, int | Range) else 0


def _figs(c: KpiCounts, key: str) -> dict[str, Count]:
    """An event or signal breakdown of ``c`` (code -> count)."""
    value = c.extra.get(key)
    return dict(value) if isinstance(value, dict) else {}


def _signals_total(c: KpiCounts) -> Count:
    """Signals dated in the year, all themes."""
    out: Count = 0
    for v in _figs(c, "signal_counts").values():
        out = add(out, v)
    return out


def _event_rows(ctx: Context, columns: list[KpiCounts]) -> list[Row]:
    rows = [Row(k, _et(ctx, k), (lambda c, k=k: _fig(c, k)), "count")  # type: ignore[misc]
            for k in FIGURE_TOTALS]
    kinds = [k for c in columns for k, v in _figs(c, "events").items() if high(v)]
    for kind in dict.fromkeys(kinds):
        rows.append(Row(f"events.{kind}",
                        _et(ctx, "events-of-kind", kind=ctx.code("event_kinds", kind)),
                        (lambda c, k=kind: _figs(c, "events").get(k, 0)), "count"))  # type: ignore[misc]
    return rows


def _signal_rows(ctx: Context, columns: list[KpiCounts]) -> list[Row]:
    themes = [k for c in columns for k, v in _figs(c, "signals").items() if high(v)]
    rows = [Row(f"signals.{theme}",
                _et(ctx, "signals-of-theme", theme=ctx.code("signal_themes", theme)),
                (lambda c, k=theme: _figs(c, "signals").get(k, 0)), "count")  # type: ignore[misc]
            for theme in dict.fromkeys(themes)]
    rows.append(Row("signals_total", _et(ctx, "signals_total"), _signals_total, "count"))
    return rows


def _event_sections(ctx: Context, columns: list[KpiCounts],
                    table: Callable[[str, list[Row]], Table]) -> list[tuple[str, Table]]:
    """The sections of ``hs kpi`` for volunteer events and for signals."""
    return [("events", table(_et(ctx, "events-section"), _event_rows(ctx, columns))),
            ("signals", table(_et(ctx, "signals-section"), _signal_rows(ctx, columns)))]


def signals_chart_items(c: KpiCounts, ctx: Context) -> list[tuple[str, Any, str]]:
    """The themes with families that signalled them, most first: (label, value, text)."""
    found = sorted(((k, v) for k, v in _figs(c, "signals").items() if high(v)),
                   key=lambda kv: (-low(kv[1]), kv[0]))
    return [(ctx.code("signal_themes", k), v, fmt_count(v, ctx.lang)) for k, v in found]


def signals_note(c: KpiCounts, ctx: Context) -> str:
    """The note under the signals: the year, and how many signals (one: singular)."""
    n = _signals_total(c)
    if n == 1:
        return _et(ctx, "signals-note-1", year=c.year)
    return _et(ctx, "signals-note", year=c.year, n=fmt_count(n, ctx.lang))


def signals_html(c: KpiCounts, ctx: Context) -> str:
    """The "Signalen uit de gezinnen" section of the HTML page."""
    chart = hbar_chart(signals_chart_items(c, ctx), COLOURS["referrers"], "signals-chart")
    note = signals_note(c, ctx)
    return "\n".join([
        f'<section id="signals"><h2>{_e(_et(ctx, "signals-section"))}</h2>',
        chart or f'<p class="note">{_e(ctx.t("no-data"))}</p>',
        f'<p class="note">{_e(note)}</p></section>'])


def signals_markdown(c: KpiCounts, ctx: Context) -> list[str]:
    """The signals section of the Markdown page."""
    items = signals_chart_items(c, ctx)
    top = max([_bounds(v)[1] for _, v, _ in items] + [1.0])  # a hidden count is a range
    out = ["", f"## {_et(ctx, 'signals-section')}", ""]
    out.append(_md_table([ctx.t("figure"), ctx.t("count"), ""],
                         [[lbl, text, _text_bar(v, top)] for lbl, v, text in items],
                         bar=True) if items else ctx.t("no-data"))
    out += ["", _md_text(signals_note(c, ctx))]
    return out


# --- SVG charts -------------------------------------------------------------------------------


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _bounds(value: Any) -> tuple[float, float]:
    if value is None:
        return 0.0, 0.0
    if isinstance(value, Range):
        return float(value.low), float(value.high)
    return float(value), float(value)


def wrap_label(label: str, chars: int = 32) -> list[str]:
    """A label in at most two lines of about ``chars`` characters (cut with an ellipsis)."""
    if len(label) <= chars:
        return [label]
    cut = label.rfind(" ", 0, chars + 1)
    if cut <= 0:
        cut = chars
    first, rest = label[:cut].rstrip(), label[cut:].strip()
    if len(rest) > chars:
        rest = rest[:chars - 1].rstrip() + "\u2026"
    return [first, rest]


def _label_text(x: float, y_mid: float, lines: list[str], anchor: str = "end") -> str:
    """SVG text of one or two lines, vertically centred on ``y_mid``."""
    if len(lines) == 1:
        return (f'<text x="{x}" y="{y_mid + 4:.1f}" text-anchor="{anchor}" class="label">'
                f"{_e(lines[0])}</text>")
    return (f'<text x="{x}" y="{y_mid - 3:.1f}" text-anchor="{anchor}" class="label">'
            f'<tspan x="{x}">{_e(lines[0])}</tspan>'
            f'<tspan x="{x}" dy="14">{_e(lines[1])}</tspan></text>')


def hbar_chart(items: list[tuple[str, Any, str]], colour: str, name: str,
               maximum: float | None = None, width: int = 560) -> str:
    """Horizontal bars: (label, value or Range, value text) per row. A range is drawn
    solid to its low end and light to its high end."""
    if not items:
        return ""
    label_w, text_w = 230, 64
    bar_w = width - label_w - text_w
    top = maximum if maximum is not None else max(_bounds(v)[1] for _, v, _ in items) or 1.0
    labels = [wrap_label(label) for label, _, _ in items]
    heights = [26 if len(lines) == 1 else 36 for lines in labels]
    height = sum(heights) + 4
    parts = [f'<svg class="chart {name}" role="img" viewBox="0 0 {width} {height}" '
             f'width="100%" preserveAspectRatio="xMinYMin meet" '
             f'xmlns="http://www.w3.org/2000/svg">']
    y = 2
    for (_label, value, text), lines, row_h in zip(items, labels, heights, strict=True):
        mid = y + row_h / 2
        bar_h = 18
        top_y = mid - bar_h / 2
        lo, hi = _bounds(value)
        w_lo, w_hi = bar_w * lo / top, bar_w * hi / top
        parts.append(_label_text(label_w - 8, mid, lines))
        parts.append(f'<rect x="{label_w}" y="{top_y:.1f}" width="{bar_w}" '
                     f'height="{bar_h}" class="track"/>')
        if w_hi > w_lo:
            parts.append(f'<rect x="{label_w}" y="{top_y:.1f}" width="{w_hi:.1f}" '
                         f'height="{bar_h}" fill="{colour}" fill-opacity="0.35"/>')
        if w_lo > 0:
            parts.append(f'<rect x="{label_w}" y="{top_y:.1f}" width="{w_lo:.1f}" '
                         f'height="{bar_h}" fill="{colour}"/>')
        parts.append(f'<text x="{width - text_w + 8}" y="{mid + 4:.1f}" class="value">'
                     f'{_e(text)}</text>')
        y += row_h
    parts.append("</svg>")
    return "".join(parts)


def stacked_chart(items: list[tuple[str, Any, str, str]], name: str,
                  width: int = 560) -> str:
    """One 100% bar in segments (label, share, text, colour), with a legend below."""
    bar_h, legend_h = 40, 24
    height = bar_h + 12 + legend_h * ((len(items) + 2) // 3)
    parts = [f'<svg class="chart {name}" role="img" viewBox="0 0 {width} {height}" '
             f'width="100%" preserveAspectRatio="xMinYMin meet" '
             f'xmlns="http://www.w3.org/2000/svg">']
    parts.append(f'<rect x="0" y="0" width="{width}" height="{bar_h}" class="track"/>')
    x = 0.0
    for _label, value, text, colour in items:
        lo, _ = _bounds(value)
        w = width * lo
        if w > 0:
            parts.append(f'<rect x="{x:.1f}" y="0" width="{w:.1f}" height="{bar_h}" '
                         f'fill="{colour}"/>')
            if w > 44:
                parts.append(f'<text x="{x + w / 2:.1f}" y="{bar_h / 2 + 5}" '
                             f'text-anchor="middle" class="inbar">{_e(text)}</text>')
        x += w
    col_w = width / 3
    for i, (label, _value, text, colour) in enumerate(items):
        lx = (i % 3) * col_w
        ly = bar_h + 12 + (i // 3) * legend_h
        parts.append(f'<rect x="{lx:.1f}" y="{ly}" width="14" height="14" fill="{colour}"/>')
        parts.append(f'<text x="{lx + 20:.1f}" y="{ly + 12}" class="label">'
                     f'{_e(label)} {_e(text)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def column_chart(items: list[tuple[str, Any, str]], colour: str, name: str,
                 width: int = 560) -> str:
    """Vertical columns (label, share or Range, text)."""
    plot_h, label_h, top_pad = 150, 22, 22
    height = plot_h + label_h + top_pad
    top = max([_bounds(v)[1] for _, v, _ in items] + [0.0]) or 1.0
    slot = width / max(1, len(items))
    bar_w = slot * 0.6
    parts = [f'<svg class="chart {name}" role="img" viewBox="0 0 {width} {height}" '
             f'width="100%" preserveAspectRatio="xMinYMin meet" '
             f'xmlns="http://www.w3.org/2000/svg">']
    base = top_pad + plot_h
    parts.append(f'<line x1="0" y1="{base}" x2="{width}" y2="{base}" class="axis"/>')
    for i, (label, value, text) in enumerate(items):
        lo, hi = _bounds(value)
        x = i * slot + (slot - bar_w) / 2
        h_lo, h_hi = plot_h * lo / top, plot_h * hi / top
        if h_hi > h_lo:
            parts.append(f'<rect x="{x:.1f}" y="{base - h_hi:.1f}" width="{bar_w:.1f}" '
                         f'height="{h_hi:.1f}" fill="{colour}" fill-opacity="0.35"/>')
        if h_lo > 0:
            parts.append(f'<rect x="{x:.1f}" y="{base - h_lo:.1f}" width="{bar_w:.1f}" '
                         f'height="{h_lo:.1f}" fill="{colour}"/>')
        parts.append(f'<text x="{x + bar_w / 2:.1f}" y="{base - h_hi - 6:.1f}" '
                     f'text-anchor="middle" class="value">{_e(text)}</text>')
        parts.append(f'<text x="{x + bar_w / 2:.1f}" y="{base + 16}" text-anchor="middle" '
                     f'class="label">{_e(label)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def dumbbell_chart(items: list[tuple[str, float, float, str]], name: str,
                   width: int = 560) -> str:
    """Start and end mean score (1 to 5) per domain, joined by a line ("" without any)."""
    if not items:
        return ""
    row_h, label_w, text_w, top_pad = 34, 250, 60, 22
    plot_w = width - label_w - text_w
    height = top_pad + row_h * len(items) + 4

    def x(score: float) -> float:
        return label_w + plot_w * (score - 1) / 4

    parts = [f'<svg class="chart {name}" role="img" viewBox="0 0 {width} {height}" '
             f'width="100%" preserveAspectRatio="xMinYMin meet" '
             f'xmlns="http://www.w3.org/2000/svg">']
    for score in range(1, 6):
        parts.append(f'<line x1="{x(score):.1f}" y1="{top_pad - 4}" x2="{x(score):.1f}" '
                     f'y2="{height - 2}" class="grid"/>')
        parts.append(f'<text x="{x(score):.1f}" y="{top_pad - 8}" text-anchor="middle" '
                     f'class="tick">{score}</text>')
    for i, (label, start, end, text) in enumerate(items):
        cy = top_pad + i * row_h + row_h / 2
        parts.append(_label_text(label_w - 10, cy, wrap_label(label, 36)))
        parts.append(f'<line x1="{x(start):.1f}" y1="{cy:.1f}" x2="{x(end):.1f}" '
                     f'y2="{cy:.1f}" stroke="{COLOURS["impact-end"]}" stroke-width="4"/>')
        parts.append(f'<circle cx="{x(start):.1f}" cy="{cy:.1f}" r="8" '
                     f'fill="{COLOURS["impact-start"]}"/>')
        parts.append(f'<circle cx="{x(end):.1f}" cy="{cy:.1f}" r="8" '
                     f'fill="{COLOURS["impact-end"]}"/>')
        parts.append(f'<text x="{width - text_w + 10}" y="{cy + 5:.1f}" class="value">'
                     f'{_e(text)}</text>')
    parts.append("</svg>")
    return "".join(parts)


# --- the page ----------------------------------------------------------------------------------

CSS = """
:root { --ink: #1d2433; --muted: #5b6475; --line: #d9dee7; --accent: #1f6f8b; }
* { box-sizing: border-box; }
body { margin: 0; font-family: "DejaVu Sans", "Helvetica Neue", Arial, sans-serif;
       color: var(--ink); background: #fff; font-size: 15px; line-height: 1.4; }
main { max-width: 1140px; margin: 0 auto; padding: 24px 28px 40px; }
header { border-bottom: 4px solid var(--accent); margin-bottom: 18px; padding-bottom: 8px; }
h1 { font-size: 30px; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 0 0 10px; color: var(--accent); }
h3 { font-size: 15px; margin: 12px 0 6px; color: var(--muted); }
.sub { margin: 0; color: var(--muted); }
.tiles { display: grid; grid-template-columns: repeat(5, minmax(0, 1fr)); gap: 10px;
         margin: 0 0 18px; }
.tile { border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px; }
.tile b { display: block; font-size: 26px; line-height: 1.1; color: var(--accent); }
.tile span { font-size: 13px; color: var(--muted); }
.grid { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 18px 28px; }
section { margin: 0 0 16px; break-inside: avoid; page-break-inside: avoid; }
section.wide { grid-column: 1 / -1; }
.note { font-size: 12px; color: var(--muted); margin: 4px 0 0; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { padding: 4px 8px; border-bottom: 1px solid var(--line); text-align: right; }
th:first-child, td:first-child { text-align: left; white-space: nowrap; }
thead th { color: var(--muted); font-weight: 600; }
tr.total td { font-weight: 700; border-top: 2px solid var(--ink); }
svg.chart { display: block; max-width: 100%; height: auto; }
svg.impact-chart { max-width: 760px; }
svg .label { font-size: 12px; fill: var(--ink); }
svg .value { font-size: 12px; fill: var(--ink); font-weight: 600; }
svg .tick { font-size: 11px; fill: var(--muted); }
svg .inbar { font-size: 13px; fill: #fff; font-weight: 700; }
svg .track { fill: #f1f3f7; }
svg .axis { stroke: var(--muted); stroke-width: 1; }
svg .grid { stroke: var(--line); stroke-width: 1; }
.legend { font-size: 12px; color: var(--muted); }
.legend i { display: inline-block; width: 12px; height: 12px; margin: 0 4px -1px 10px;
            border-radius: 6px; }
footer { margin-top: 18px; padding-top: 8px; border-top: 1px solid var(--line);
         font-size: 12px; color: var(--muted); }
code { font-size: 12px; word-break: break-all; }
@page { size: A4; margin: 14mm; }
.tiles.four { grid-template-columns: repeat(4, minmax(0, 1fr)); }
@media print {
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  main { max-width: none; padding: 0; }
}
@media (max-width: 820px) { main { padding: 12px; } }
@media print, (max-width: 820px) {
  body { font-size: 10pt; }
  .tiles { gap: 6px; }
  .tiles.four { grid-template-columns: repeat(2, minmax(0, 1fr)); }
  .tile { padding: 6px 8px; }
  .tile b { font-size: 16pt; }
  .tile span { font-size: 8pt; }
  .grid { grid-template-columns: minmax(0, 1fr); gap: 6px; }
  table { font-size: 7.5pt; }
  th, td { padding: 3px 3px; }
  h1 { font-size: 20pt; }
  h2 { font-size: 13pt; }
  section, .tile, table, svg { break-inside: avoid; page-break-inside: avoid; }
}
"""


def _tile(value: str, label: str) -> str:
    return f'<div class="tile"><b>{_e(value)}</b><span>{_e(label)}</span></div>'


def _html_table(header: list[str], rows: list[list[str]], total: list[str] | None) -> str:
    out = ["<table><thead><tr>", *(f"<th>{_e(h)}</th>" for h in header), "</tr></thead><tbody>"]
    for r in rows:
        out.append("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in r) + "</tr>")
    if total is not None:
        out.append('<tr class="total">' + "".join(f"<td>{_e(c)}</td>" for c in total)
                   + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


LOCATION_COLUMNS = ("families", "children", "support_moments", "volunteers", "started",
                    "closed", "referrals", "waiting_at_year_end")


def _location_rows(total: KpiCounts, parts: Mapping[str, KpiCounts],
                   ctx: Context, by: str = "location",
                   ) -> tuple[list[str], list[list[str]], list[str]]:
    """The table per location (``by="location"``) or per municipality: a row each and a
    total row (FTE only per location: it is location metadata)."""
    lang = ctx.lang
    day = total.period.last.strftime("%d/%m")
    fte = by == "location"
    header = [ctx.t(by), *(ctx.t(f"col-{k}", day=day) for k in LOCATION_COLUMNS),
              *([ctx.t("col-fte")] if fte else [])]

    def row(name: str, c: KpiCounts) -> list[str]:
        return [name, *(fmt_count(c.total(k), lang) for k in LOCATION_COLUMNS),
                *(["\u2013" if c.fte is None else fmt_dec(c.fte, lang)] if fte else [])]

    def name(code: str) -> str:
        if not fte:
            return ctx.t("unknown-municipality") if code == UNKNOWN_MUNICIPALITY else code
        return _short(ctx.name(code))

    rows = [row(name(code), c) for code, c in parts.items()]
    return header, rows, row(ctx.t("total"), total)


def _short(name: str) -> str:
    """A location's name without the "Home-Start " every name starts with."""
    rest = name.removeprefix("Home-Start ").strip()
    return rest or name


def _sections(total: KpiCounts, ctx: Context) -> dict[str, Any]:
    """The content shared by the HTML page and the Markdown file."""
    lang = ctx.lang
    c = total
    profile = [(label, c.profile_share(key), fmt_share(c.profile_share(key), lang))
               for key, label in ((r.key, r.label) for r in _profile_rows(ctx, c))]
    gender = [(ctx.t(f"gender-{g}"), c.volunteer_share("volunteer_gender", g),
               fmt_share(c.volunteer_share("volunteer_gender", g), lang),
               COLOURS[f"gender-{g}"]) for g in c.volunteer_gender if g in GENDERS]
    ages = [(age_label(b, lang) if b in ("under-19", "75+") else b,
             c.volunteer_share("volunteer_age", b),
             fmt_share(c.volunteer_share("volunteer_age", b), lang))
            for b in AGE_BANDS if b != "under-19" or c.volunteer_age.get(b, 0) != 0]
    referrers = sorted(((ctx.code("referrers", k), v, fmt_count(v, lang))
                        for k, v in c.referrers.items() if v != 0),
                       key=lambda item: -_bounds(item[1])[1])
    close_reasons = sorted(((ctx.code("close_reasons", k), v, fmt_count(v, lang))
                            for k, v in c.close_reasons.items() if v != 0),
                           key=lambda item: -_bounds(item[1])[1])
    impact = [(ctx.code("impact_domains", dom), imp.mean_start, imp.mean_end,
               fmt_change(imp.mean_change, lang))
              for dom, imp in c.impact.items()
              if imp.mean_start is not None and imp.mean_end is not None]
    impact.sort(key=lambda item: -(item[2] - item[1]))
    path = [(ctx.t(k), c.total(k), fmt_count(c.total(k), lang))
            for k in ("referrals", "accepted", "refused", "withdrawn", "started", "closed")]
    path.append((ctx.t("waiting_at_year_end", day=fmt_date(c.period.last, lang)),
                 c.waiting_at_year_end, fmt_count(c.waiting_at_year_end, lang)))
    kinds = [[ctx.t(f"kind-{k}"), fmt_count(c.active_by_kind.get(k, 0), lang),
              fmt_count(c.started_by_kind.get(k, 0), lang) if k in MAIN_KINDS else "\u2013",
              fmt_count(c.closed_by_kind.get(k, 0), lang) if k in MAIN_KINDS else "\u2013"]
             for k in TRAJECTORY_KINDS]
    return {"profile": profile, "gender": gender, "ages": ages, "referrers": referrers,
            "close_reasons": close_reasons, "impact": impact, "path": path, "kinds": kinds}


def _kinds_header(ctx: Context) -> list[str]:
    return [ctx.t("kind"), ctx.t("col-active"), ctx.t("col-started"), ctx.t("col-closed")]


def _profile_note(c: KpiCounts, ctx: Context) -> str:
    key = "profile-note-1" if c.families == 1 else "profile-note"
    return ctx.t(key, n=fmt_count(c.families, ctx.lang),
                 perinatal=fmt_count(c.profile.get("perinatal", 0), ctx.lang))


def _organisation(c: KpiCounts, ctx: Context) -> list[list[str]]:
    return [[r.label, _cell(r.kind, r.value(c), ctx.lang)]
            for r in organisation_rows(ctx, [c])]


def _subtitle(c: KpiCounts, ctx: Context) -> str:
    lang = ctx.lang
    who = ctx.name(c.location)
    text = f"{who} \u00b7 " + ctx.t("period-text", first=fmt_date(c.period.first, lang),
                                    last=fmt_date(c.period.last, lang))
    if c.as_of is not None and c.period.last < dt.date(c.year, 12, 31):
        text += " \u00b7 " + ctx.t("provisional", day=fmt_date(c.period.last, lang))
    return text


def _provenance_text(c: KpiCounts, ctx: Context, public: bool = False) -> list[str]:
    lines = []
    if public:
        lines.append(ctx.t("public-text", k=SUPPRESS_BELOW - 1, below=SUPPRESS_BELOW))
    if c.sources:
        lines.append(ctx.t("merged-text-1") if len(c.sources) == 1 else
                     ctx.t("merged-text", n=len(c.sources)))
        for who, text in provenance(c, ctx.lang):
            lines.append(f"{ctx.name(who)}: {text}")
    else:
        lines.append(ctx.t("computed-from", what=revision_text(c.revision, ctx.lang)))
    return lines


def render_html(total: KpiCounts, parts: Mapping[str, KpiCounts] | None = None,
                ctx: Context | None = None, *, public: bool = False,
                by: str = "location") -> str:
    """The self-contained annual page (inline CSS and SVG, no external asset)."""
    ctx = ctx or Context(lang="nl")
    lang = ctx.lang
    c = total
    s = _sections(c, ctx)
    title = ctx.t("title", year=c.year)
    tiles = [
        (fmt_count(c.families, lang), ctx.t("families")),
        (fmt_count(c.children, lang), ctx.t("children")),
        (fmt_count(c.support_moments, lang), ctx.t("support_moments")),
        (fmt_count(c.started, lang), ctx.t("started")),
        (fmt_count(c.closed, lang), ctx.t("closed")),
        (fmt_count(c.volunteers, lang), ctx.t("volunteers")),
        (fmt_count(c.volunteers_new, lang), ctx.t("volunteers_new")),
        (fmt_count(c.locations, lang), ctx.t("locations")),
        (fmt_count(len(c.municipalities), lang), ctx.t("municipalities")),
        ("\u2013" if c.fte is None else fmt_dec(c.fte, lang), ctx.t("fte")),
    ]
    vol_tiles = [
        (fmt_count(c.volunteers, lang), ctx.t("volunteers")),
        (fmt_count(c.buddies, lang), ctx.t("buddies")),
        (fmt_count(c.volunteers_new, lang), ctx.t("volunteers_new")),
        (fmt_count(c.volunteers_stopped, lang), ctx.t("volunteers_stopped")),
    ]
    w = c.waiting_days
    out = [
        "<!DOCTYPE html>",
        f'<html lang="{_e(lang)}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)}</title><style>{CSS}</style></head><body><main>",
        f"<header><h1>{_e(title)}</h1><p class=\"sub\">{_e(_subtitle(c, ctx))}</p></header>",
        '<section class="tiles" id="headline">', *(_tile(v, lbl) for v, lbl in tiles),
        "</section>",
        '<div class="grid">',
        f'<section id="path"><h2>{_e(ctx.t("path"))}</h2>',
        hbar_chart(s["path"], COLOURS["path"], "path-chart"),
        f'<p class="note">{_e(ctx.t("waiting-median"))}: {_e(fmt_days(w.median, lang))}'
        f' \u00b7 {_e(ctx.t("waiting-p90"))}: {_e(fmt_days(w.p90, lang))}</p></section>',
        f'<section id="profile"><h2>{_e(ctx.t("profile"))}</h2>',
        hbar_chart(s["profile"], COLOURS["profile"], "profile-chart", maximum=1.0),
        f'<p class="note">{_e(_profile_note(c, ctx))}</p>'
        "</section>",
        f'<section id="volunteers"><h2>{_e(ctx.t("volunteers-section"))}</h2>',
        '<div class="tiles four">',
        *(_tile(v, lbl) for v, lbl in vol_tiles), "</div>",
        f"<h3>{_e(ctx.t('gender'))}</h3>",
        stacked_chart(s["gender"], "gender-chart"),
        f"<h3>{_e(ctx.t('age'))}</h3>",
        column_chart(s["ages"], COLOURS["age"], "age-chart"),
        "</section>",
        f'<section id="referrers"><h2>{_e(ctx.t("referrers"))}</h2>',
        hbar_chart(s["referrers"], COLOURS["referrers"], "referrers-chart")
        or f'<p class="note">{_e(ctx.t("no-data"))}</p>',
        "</section>",
        f'<section id="close-reasons"><h2>{_e(ctx.t("close_reasons"))}</h2>',
        hbar_chart(s["close_reasons"], COLOURS["close_reasons"], "close-reasons-chart")
        or f'<p class="note">{_e(ctx.t("no-data"))}</p>',
        "</section>",
        f'<section id="kinds"><h2>{_e(ctx.t("kinds"))}</h2>',
        _html_table(_kinds_header(ctx), s["kinds"], None), "</section>",
        f'<section id="impact" class="wide"><h2>{_e(ctx.t("impact"))}</h2>',
        '<p class="legend">'
        f'<i style="background:{COLOURS["impact-start"]}"></i>{_e(ctx.t("start"))}'
        f'<i style="background:{COLOURS["impact-end"]}"></i>{_e(ctx.t("end"))}</p>',
        dumbbell_chart(s["impact"], "impact-chart", width=800)
        or f'<p class="note">{_e(ctx.t("no-data"))}</p>',
        f'<p class="note">{_e(ctx.t("impact-note", year=c.year))}</p></section>',
        signals_html(c, ctx),
        f'<section id="organisation"><h2>{_e(ctx.t("organisation"))}</h2>',
        _html_table([ctx.t("figure"), ctx.t("value")], _organisation(c, ctx), None),
        "</section>",
    ]
    if parts and len(parts) > 1:
        header, rows, total_row = _location_rows(c, parts, ctx, by)
        section = "municipalities" if by == "municipality" else "locations"
        out += [f'<section id="{section}" class="wide"><h2>{_e(ctx.t(f"per-{by}"))}</h2>',
                _html_table(header, rows, total_row), "</section>"]
    out.append("</div>")
    out.append('<footer id="revision">' + "<br>".join(
        _code_hashes(_e(line)) for line in _provenance_text(c, ctx, public)) + "</footer>")
    out.append("</main></body></html>\n")
    return "\n".join(out)


def _code_hashes(text: str) -> str:
    """Wrap 40-hex commit hashes in <code>."""
    return re.sub(r"\b([0-9a-f]{40})\b", r"<code>\1</code>", text)


def _md_table(header: list[str], rows: list[list[str]], bar: bool = False) -> str:
    """A Markdown table: the first column left, the others right (a bar column left)."""
    def esc(x: str) -> str:
        return x.replace("|", "\\|")

    align = ["---", *(["---:"] * (len(header) - 1))]
    if bar:
        align[-1] = "---"
    lines = ["| " + " | ".join(esc(h) for h in header) + " |", "|" + "|".join(align) + "|"]
    lines += ["| " + " | ".join(esc(c) for c in r) + " |" for r in rows]
    return "\n".join(lines)


MD_WIDTH = 80  # a Markdown page reads in an 80-column terminal too


def _md_tables(header: list[str], rows: list[list[str]]) -> str:
    """:func:`_md_table`, split into tables of the first column and as many of the next
    columns as fit in :data:`MD_WIDTH` (a table with a column per location)."""
    def width(cols: list[int]) -> int:
        return max(len("| " + " | ".join(r[i] for i in cols) + " |")
                   for r in [header, *rows])

    groups: list[list[int]] = []
    for i in range(1, len(header)):
        if groups and width([0, *groups[-1], i]) <= MD_WIDTH:
            groups[-1].append(i)
        else:
            groups.append([i])
    return "\n\n".join(_md_table([header[0], *(header[i] for i in g)],
                                  [[r[0], *(r[i] for i in g)] for r in rows])
                        for g in groups)


def _md_text(text: str) -> str:
    """A paragraph in lines of at most :data:`MD_WIDTH` (Markdown joins them again)."""
    return textwrap.fill(text, MD_WIDTH, break_long_words=False, break_on_hyphens=False)


def _text_bar(value: Any, top: float, width: int = 20) -> str:
    lo, _ = _bounds(value)
    n = round(width * lo / top) if top else 0
    return "\u2588" * n


def render_markdown(total: KpiCounts, parts: Mapping[str, KpiCounts] | None = None,
                    ctx: Context | None = None, *, public: bool = False,
                    by: str = "location") -> str:
    """The annual page as Markdown: the same sections as tables, with text bars."""
    ctx = ctx or Context(lang="nl")
    lang = ctx.lang
    c = total
    s = _sections(c, ctx)
    out = [f"# {ctx.t('title', year=c.year)}", "", _subtitle(c, ctx), ""]
    out += [f"## {ctx.t('headline')}", ""]
    out.append(_md_table([ctx.t("figure"), ctx.t("value")],
                         [[r.label, _cell(r.kind, r.value(c), lang)]
                          for r in _headline_rows(ctx)]))
    out += ["", f"## {ctx.t('path')}", ""]
    out.append(_md_table([ctx.t("figure"), ctx.t("value")],
                         [[r.label, _cell(r.kind, r.value(c), lang)]
                          for r in _path_rows(ctx, c.period.last)]))
    out += ["", f"## {ctx.t('profile')}", ""]
    out.append(_md_table([ctx.t("figure"), ctx.t("share"), ""],
                         [[lbl, text, _text_bar(v, 1.0)] for lbl, v, text in s["profile"]],
                         bar=True))
    out += ["", _md_text(_profile_note(c, ctx))]
    out += ["", f"## {ctx.t('volunteers-section')}", ""]
    rows = [[r.label, _cell(r.kind, r.value(c), lang), ""] for r in _volunteer_rows(ctx)
            if r.kind == "count"]
    rows += [[lbl, text, _text_bar(v, 1.0)] for lbl, v, text, _ in s["gender"]]
    rows += [[age_label(band, lang), fmt_share(c.volunteer_share("volunteer_age", band), lang),
              _text_bar(c.volunteer_share("volunteer_age", band), 1.0)] for band in AGE_BANDS]
    out.append(_md_table([ctx.t("figure"), ctx.t("value"), ""], rows, bar=True))
    out += ["", f"## {ctx.t('referrers')}", ""]
    top = max([_bounds(v)[1] for _, v, _ in s["referrers"]] + [1.0])
    out.append(_md_table([ctx.t("figure"), ctx.t("count"), ""],
                         [[lbl, text, _text_bar(v, top)] for lbl, v, text in s["referrers"]],
                         bar=True))
    out += ["", f"## {ctx.t('close_reasons')}", ""]
    top = max([_bounds(v)[1] for _, v, _ in s["close_reasons"]] + [1.0])
    out.append(_md_table([ctx.t("figure"), ctx.t("count"), ""],
                         [[lbl, text, _text_bar(v, top)]
                          for lbl, v, text in s["close_reasons"]], bar=True)
               if s["close_reasons"] else ctx.t("no-data"))
    out += ["", f"## {ctx.t('kinds')}", ""]
    out.append(_md_table(_kinds_header(ctx), s["kinds"]))
    out += ["", f"## {ctx.t('impact')}", ""]
    out.append(_md_table([ctx.t("domain"), ctx.t("start"), ctx.t("end"), ctx.t("change")],
                         [[lbl, fmt_dec(a, lang), fmt_dec(b, lang), ch]
                          for lbl, a, b, ch in s["impact"]])
               if s["impact"] else ctx.t("no-data"))
    out += ["", _md_text(ctx.t("impact-note", year=c.year))]
    out += signals_markdown(c, ctx)
    out += ["", f"## {ctx.t('organisation')}", ""]
    out.append(_md_table([ctx.t("figure"), ctx.t("value")], _organisation(c, ctx)))
    if parts and len(parts) > 1:
        header, loc_rows, total_row = _location_rows(c, parts, ctx, by)
        out += ["", f"## {ctx.t(f'per-{by}')}", ""]
        out.append(_md_tables(header, [*loc_rows, [f"**{x}**" for x in total_row]]))
    out += ["", "---", ""]
    out += [_md_text(line) + "  " for line in _provenance_text(c, ctx, public)]
    return "\n".join(out).rstrip() + "\n"
