"""Import families or volunteers from a spreadsheet (CSV): a location moves to ``hs``.

Every row is checked as the matching ``hs family refer`` / ``hs volunteer add`` would check
it, and the new records together with the tree rules of ``hs validate``. All errors are
listed, one line each, ``FILE.csv:ROW: message`` (ROW as a spreadsheet numbers it: the
header is row 1). Nothing is written unless every row is valid; then all records are
written and committed as one commit.

The column mapping is in :data:`FAMILY_COLUMNS` and :data:`VOLUNTEER_COLUMNS` and
documented in docs/import.md. Column names are matched case-insensitively, with spaces
and ``-`` read as ``_``; Dutch names are accepted as aliases (:data:`ALIASES`).
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from hs.app.workflow import (
    Change,
    Outcome,
    Plan,
    apply,
    check_code,
    check_plan,
    plan_add_volunteer,
    plan_refer_family,
)
from hs.base.dates import read_date, read_month
from hs.base.errors import HsError, UnknownCode, UsageError
from hs.base.i18n import Catalog, language
from hs.records.problems import quotable, text_fault
from hs.records.vocabularies import chosen_vocabulary, field_vocabulary, parse_code
from hs.store.atomic import why

if TYPE_CHECKING:
    from hs.store.repo import Repo

ImportKind = Literal["families", "volunteers"]

#: Columns of a families file: name -> what it holds.
FAMILY_COLUMNS: dict[str, str] = {
    "location": "location code (or --location for every row)",
    "name": "how the coordinator recognises the family (optional)",
    "municipality": "where the family lives",
    "referral_date": "day the referral came in (required)",
    "referrer": "referrer code or label (required)",
    "expecting": "expected birth month YYYY-MM (perinatal referral)",
    "children": "children's birth months YYYY-MM, separated by ; or spaces",
    "languages": "home language codes (nl, ar...), separated by ; or spaces",
    "flags": "profile flag codes or labels, separated by ;",
    "parent_birth_years": "parents' birth years, separated by ; or spaces",
    "accepted_date": "day the family was accepted",
    "refused_date": "day the family was refused (needs reason)",
    "withdrawn_date": "day the family withdrew (needs reason)",
    "reason": "refusal or withdrawal reason code or label",
    "note": "a note (stays in the record)",
}

#: Columns of a volunteers file. A column named after a training step code
#: (info-session, module-resilience, ...) holds the day that step was done.
VOLUNTEER_COLUMNS: dict[str, str] = {
    "location": "location code (or --location for every row)",
    "name": "name as the coordinator uses it (optional)",
    "gender": "f, m or x (v for vrouw is read as f) (required)",
    "birth_year": "year of birth (required)",
    "municipality": "where the volunteer lives",
    "languages": "language codes, separated by ; or spaces",
    "roles": "buddy, starter, language, coach, separated by ; (default buddy)",
    "availability": "half-days like mon-am thu-pm, separated by ; or spaces",
    "capacity": "families at once (default 1)",
    "preferences": "volunteer preference codes, separated by ;",
    "joined": "first active day (empty: a candidate)",
    "checked": "day the criminal-record extract was checked",
    "stopped": "last active day, if the volunteer stopped (needs stop_reason)",
    "stop_reason": "stop reason code or label",
    "note": "a note (stays in the record)",
}

#: Dutch (and a few other) column names read as the English ones.
ALIASES: dict[str, str] = {
    "werking": "location", "naam": "name", "gemeente": "municipality",
    "woonplaats": "municipality", "aanmelddatum": "referral_date",
    "datum_aanmelding": "referral_date", "aanmelding": "referral_date",
    "verwijzer": "referrer", "doorverwijzer": "referrer", "uitgerekend": "expecting",
    "verwachte_geboorte": "expecting", "kinderen": "children", "talen": "languages",
    "thuistalen": "languages", "kenmerken": "flags", "profiel": "flags",
    "geboortejaren_ouders": "parent_birth_years", "aanvaard": "accepted_date",
    "accepted": "accepted_date", "geweigerd": "refused_date", "refused": "refused_date",
    "afgehaakt": "withdrawn_date", "withdrawn": "withdrawn_date", "reden": "reason",
    "notitie": "note", "opmerking": "note", "geslacht": "gender",
    "geboortejaar": "birth_year", "rollen": "roles", "role": "roles",
    "beschikbaarheid": "availability", "capaciteit": "capacity",
    "voorkeuren": "preferences", "actief_sinds": "joined", "start": "joined",
    "startdatum": "joined", "uittreksel": "checked", "strafregister": "checked",
    "check_date": "checked", "gestopt": "stopped", "einddatum": "stopped",
    "stopreden": "stop_reason", "language": "languages", "flag": "flags",
    "child": "children", "date": "referral_date",
}

#: aliases that are English words (the Dutch name of a column is another alias)
_ENGLISH_ALIASES = frozenset({"accepted", "refused", "withdrawn", "role", "start",
                              "check_date", "language", "flag", "child", "date"})


REQUIRED: dict[str, tuple[str, ...]] = {
    "families": ("referral_date", "referrer"),
    "volunteers": ("gender", "birth_year"),
}

MSG = Catalog("app.importer")


@dataclass(frozen=True)
class RowError:
    """One problem of one row: ``FILE.csv:ROW: message`` (row 1 is the header)."""

    file: str
    row: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.row}: {self.message}"


class ImportRejected(HsError):
    """Rows of an import have errors (listed before it); nothing was written."""


@dataclass
class ImportResult:
    """What an import did (or, with ``dry_run``, would do)."""

    kind: ImportKind
    file: str
    rows: int
    errors: list[RowError] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    dry_run: bool = False
    outcome: Outcome | None = None
    summary: str = ""


# --- reading the file ------------------------------------------------------------------


def _norm(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip().lower())


def read_rows(path: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header and the data rows (with their spreadsheet row numbers) of a CSV file.

    The delimiter is the one of ``,``, ``;`` and tab that the header uses most (Excel in
    Belgium writes ``;``). UTF-8, with or without a byte-order mark."""
    header, data, _ = read_table(path)
    return header, data


def _rejected(n: int, rows: int) -> str:
    return MSG("rejected-1", rows=rows) if n == 1 else MSG("rejected", n=n, rows=rows)


def read_table(path: Path) -> tuple[list[str], list[tuple[int, list[str]]], str]:
    """:func:`read_rows` and the delimiter it found."""
    name = path.name
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise UsageError(MSG("unreadable", file=name, reason=why(exc))) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UsageError(MSG("not-utf8", file=name)) from None
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        rows = list(reader)
    except csv.Error as exc:
        raise UsageError(MSG("unreadable", file=name, reason=exc)) from None
    if not rows or not any(c.strip() for c in rows[0]):
        raise UsageError(MSG("empty", file=name))
    header = rows[0]
    data = [(i + 1, r) for i, r in enumerate(rows) if i > 0 and any(c.strip() for c in r)]
    return header, data, delimiter


# --- cells ---------------------------------------------------------------------------------


class _CellError(Exception):
    pass


class _RowErrors(Exception):
    def __init__(self, messages: list[str]):
        super().__init__("; ".join(messages))
        self.messages = messages


# The vocabulary of each imported code: that of the record field it fills (from the spec).
_REASON = ("referrals", "decisions", "reason")
_VOCABULARY = {
    "referrer": field_vocabulary("family", ("referrals", "referrer")),
    "flags": field_vocabulary("family", ("flags",)),
    "refused": chosen_vocabulary("family", _REASON, "refused"),
    "withdrawn": chosen_vocabulary("family", _REASON, "withdrawn"),
    "preferences": field_vocabulary("volunteer", ("preferences",)),
    "stop_reason": field_vocabulary("volunteer", ("active", "stop_reason")),
    "training": field_vocabulary("volunteer", ("training",), key=True),
}


class _Row:
    """The cells of one data row by column name, with the header's own names."""

    def __init__(self, cells: list[str], where: Mapping[str, int], header: list[str]):
        self.cells, self.where = cells, where
        self.said = {name: header[i].strip() for name, i in where.items()}

    def __call__(self, name: str) -> str:
        i = self.where.get(name)
        return self.cells[i].strip() if i is not None and i < len(self.cells) else ""


class _Cells:
    """The cells of one row, read by column name; a bad cell is noted, not raised, so
    that every problem of a row is reported at once."""

    def __init__(self, get: Callable[[str], str]):
        self.get = get
        self.errors: list[str] = []
        # a column as the coordinator's file names it ("aanmelddatum"), for the messages
        self.said: Mapping[str, str] = getattr(get, "said", {})

    def __call__(self, name: str) -> str:
        return self.get(name)

    def parse(self, fn: Callable[[str, str], Any], name: str,
              value: str | None = None) -> Any:
        text = self.get(name) if value is None else value
        if not text:
            return None
        try:
            return fn(text, self.said.get(name, name))
        except _CellError as exc:
            self.errors.append(str(exc))
            return None

    def code(self, index: Any, vocabulary: str, value: str) -> str:
        try:
            return _code(index, vocabulary, value)
        except HsError as exc:
            self.errors.append(str(exc))
            return value

    def fail(self, message: str) -> None:
        self.errors.append(message)

    def done(self) -> None:
        if self.errors:
            raise _RowErrors(self.errors)


def _shown(value: str, shape: str) -> str:
    """A cell quoted in a message only when it has the form its column takes (a mistyped
    date, a code): a name in the wrong column is never repeated (docs/design.md)."""
    return f"'{value}'" if quotable(value, shape) else MSG("the-cell")


def _texts(cell: _Cells) -> None:
    """Text cells with a control character (only spaces reads as empty)."""
    for name in ("name", "municipality", "note"):
        value = cell(name)
        if value and text_fault(value, "Note" if name == "note" else "Text") == "control":
            cell.fail(MSG("text-control", name=name))


def _date(value: str, name: str) -> dt.date:
    """A date cell, read as the command line reads ``--date`` (:func:`hs.base.dates.read_date`)."""
    value = value.strip()
    day = read_date(value)
    if day is not None:
        return day
    raise _CellError(MSG("bad-date", name=name, value=_shown(value, "date")))


def _month(value: str, name: str) -> str:
    """A month cell, read as the command line reads ``--child`` (:func:`read_month`)."""
    value = value.strip()
    month = read_month(value)
    if month is not None:
        return month
    raise _CellError(MSG("bad-month", name=name, value=_shown(value, "date")))


def _int(value: str, name: str) -> int:
    try:
        return int(value.strip())
    except ValueError:
        raise _CellError(MSG("bad-int", name=name, value=_shown(value.strip(), "number"))
                         ) from None


def _list(value: str, by_semicolon: bool = False) -> list[str]:
    """Items of a cell: separated by ; , | (and spaces unless the items may hold them)."""
    pattern = r"[;,|]+" if by_semicolon else r"[;,|\s]+"
    return [v.strip() for v in re.split(pattern, value) if v.strip()]


def _code(index: Any, vocabulary: str, value: str) -> str:
    """A code from a cell, read as the command line reads one (:func:`check_code`: the
    code, its Dutch or English label or an alias, case and accents ignored). An unknown
    one raises UnknownCode (the nearest code, or the candidates)."""
    return check_code(index, vocabulary, value.strip())


# --- rows -> planner calls -----------------------------------------------------------------


def _column_names(known: set[str]) -> list[str]:
    """The columns a file may have, as the user's language names them: in Dutch the
    Dutch name (the first Dutch alias) where a column has one."""
    return sorted(_said_column(name) for name in known)


def _said_column(name: str) -> str:
    """A column as the user's language names it (in Dutch its first Dutch alias)."""
    if language() == "nl":
        for alias, column in ALIASES.items():
            if column == name and alias not in _ENGLISH_ALIASES:
                return alias
    return name


def _columns(kind: ImportKind, header: list[str], index: Any,
             file: str) -> tuple[dict[str, int], list[RowError]]:
    known = set(FAMILY_COLUMNS if kind == "families" else VOLUNTEER_COLUMNS)
    steps = set(index.codes(_VOCABULARY["training"])) if kind == "volunteers" else set()
    step_names = {_norm(s): s for s in steps}
    where: dict[str, int] = {}
    errors: list[RowError] = []
    for i, raw in enumerate(header):
        if not raw.strip():
            continue
        n = _norm(raw)
        n = ALIASES.get(n, n)
        if n in step_names:
            n = "training:" + step_names[n]
        elif n not in known:
            near = difflib.get_close_matches(n, sorted(known | set(step_names)), n=1,
                                             cutoff=0.6)
            hint = MSG("near", name=near[0]) if near else MSG(
                "columns", names=", ".join(_column_names(known)))
            # a misspelt column is named; anything else may be a first row of data (a
            # sheet without a header): said by its position, never quoted
            errors.append(RowError(file, 1, MSG("unknown-column", name=raw.strip(),
                                                near=hint) if near else MSG(
                "unknown-column-at", n=i + 1, near=hint)))
            continue
        if n in where:
            errors.append(RowError(file, 1, MSG("twice", name=raw.strip())))
            continue
        where[n] = i
    for name in REQUIRED[kind]:
        if name not in where:
            errors.append(RowError(file, 1, MSG("missing-column", name=_said_column(name))))
    return where, errors


def _family_call(get: Callable[[str], str], location: str | None, index: Any
                 ) -> Callable[[Plan], Any]:
    """Parse a families row into a call of :func:`hs.app.workflow.plan_refer_family`."""
    cell = _Cells(get)
    _texts(cell)
    loc: str = cell("location") or location or ""
    if not loc:
        cell.fail(MSG("no-location"))
    for name in REQUIRED["families"]:
        if not cell(name):
            cell.fail(MSG("required", name=name))
    ref_day = cell.parse(_date, "referral_date")
    kids = [cell.parse(_month, "children", v) for v in _list(cell("children"))]
    expecting = cell.parse(_month, "expecting")
    years = [cell.parse(_int, "parent_birth_years", v)
             for v in _list(cell("parent_birth_years"))]
    events: list[tuple[str, dt.date, str]] = []
    for col, what in (("accepted_date", "accepted"), ("refused_date", "refused"),
                      ("withdrawn_date", "withdrawn")):
        day = cell.parse(_date, col)
        if day is not None:
            events.append((what, day, col))
    reason = cell("reason")
    whats = [e[0] for e in events]
    if "refused" in whats and len(whats) > 1:
        cell.fail(MSG("refused-and-other"))
    if reason and not any(w in ("refused", "withdrawn") for w in whats):
        cell.fail(MSG("reason-unused"))
    prev: tuple[str, dt.date] | None = ("referral_date", ref_day) if ref_day else None
    for what, day, col in events:
        if prev is not None and day < prev[1]:
            cell.fail(MSG("order", later=col, b=day, earlier=prev[0], a=prev[1]))
        if what != "accepted" and not reason:
            cell.fail(MSG("needs-reason", name=col))
        prev = (col, day)
    referrer = cell.code(index, _VOCABULARY["referrer"], cell("referrer")) \
        if cell("referrer") else ""
    flags = [cell.code(index, _VOCABULARY["flags"], f)
             for f in _list(cell("flags"), by_semicolon=True)]
    decisions: list[tuple[str, dt.date, str | None]] = []
    for what, day, _col in events:
        code = None
        if what == "refused" and reason:
            code = cell.code(index, _VOCABULARY["refused"], reason)
        elif what == "withdrawn" and reason:
            code = cell.code(index, _VOCABULARY["withdrawn"], reason)
        decisions.append((what, day, code))
    cell.done()
    languages = [v.lower() for v in _list(cell("languages"))]

    def call(p: Plan) -> Any:
        return plan_refer_family(
            p, ref_day, referrer, location=loc, name=cell("name") or None,
            municipality=cell("municipality") or None, children=kids, expecting=expecting,
            languages=languages, flags=flags, parent_birth_years=years,
            note=cell("note") or None, decisions=decisions)

    return call


def _volunteer_call(get: Callable[[str], str], location: str | None,
                    training_cols: list[str], index: Any) -> Callable[[Plan], Any]:
    """Parse a volunteers row into a call of :func:`hs.app.workflow.plan_add_volunteer`."""
    cell = _Cells(get)
    _texts(cell)
    loc: str = cell("location") or location or ""
    if not loc:
        cell.fail(MSG("no-location"))
    for name in REQUIRED["volunteers"]:
        if not cell(name):
            cell.fail(MSG("required", name=name))
    gender = cell("gender").strip()
    if gender:
        try:
            gender = parse_code(gender, "genders")
        except UnknownCode:
            cell.fail(MSG("bad-gender", value=_shown(cell("gender"), "code")))
    birth_year = cell.parse(_int, "birth_year")
    joined = cell.parse(_date, "joined")
    checked = cell.parse(_date, "checked")
    stopped = cell.parse(_date, "stopped")
    if cell("stopped") and (not cell("joined") or not cell("stop_reason")):
        cell.fail(MSG("stop-needs"))
    if stopped is not None and joined is not None and stopped < joined:
        cell.fail(MSG("order", later="stopped", b=stopped, earlier="joined", a=joined))
    capacity = cell.parse(_int, "capacity")
    training: dict[str, dt.date] = {}
    for col in training_cols:
        step = col.split(":", 1)[1]
        day = cell.parse(_date, col) if cell(col) else None
        if day is not None:
            training[step] = day
    prefs = [cell.code(index, _VOCABULARY["preferences"], v)
             for v in _list(cell("preferences"), by_semicolon=True)]
    stop_reason = cell.code(index, _VOCABULARY["stop_reason"], cell("stop_reason")) \
        if cell("stop_reason") else ""
    cell.done()
    roles = [v.lower() for v in _list(cell("roles"))]
    availability = [v.lower() for v in _list(cell("availability"))]
    languages = [v.lower() for v in _list(cell("languages"))]

    def call(p: Plan) -> Any:
        stop = (stopped, stop_reason) if stopped else None
        return plan_add_volunteer(
            p, loc, gender, birth_year, name=cell("name") or None, languages=languages,
            roles=roles, municipality=cell("municipality") or None, joined=joined,
            checked=checked, availability=availability, capacity=capacity,
            preferences=prefs, note=cell("note") or None, training=training, stopped=stop)

    return call


def import_csv(repo: Repo, kind: ImportKind, path: Path, *, location: str | None = None,
               dry_run: bool = False, commit: bool = True,
               progress: Callable[[int, int], None] | None = None) -> ImportResult:
    """Import every row of ``path`` as a new family or volunteer, in one commit.

    If any row is invalid, the result lists every row error (``errors``, in row order,
    ``summary`` says how many rows) and nothing is written. With ``dry_run``, everything
    is checked and nothing written. ``progress(done, total)`` is told the rows done."""
    file = path.name
    header, rows, sep = read_table(path)
    with repo.lock():
        p = Plan(repo)
        if location is not None:
            location = p.resolve("location", location)
        where, errors = _columns(kind, header, p.index, file)
        if errors:
            return ImportResult(kind, file, len(rows), errors, dry_run=dry_run,
                                summary=MSG("rejected-header"))
        training_cols = [c for c in where if c.startswith("training:")]
        row_of: dict[str, int] = {}
        created: list[str] = []
        warnings: list[str] = []
        for done, (number, cells) in enumerate(rows):
            if progress is not None:
                progress(done, len(rows))
            if len(cells) > len(header):
                # the extra cells would be dropped, or every cell after a separator
                # typed inside a value would land in the next column
                errors.append(RowError(file, number, MSG(
                    "extra-cells", n=len(cells), m=len(header),
                    sep=MSG("tab") if sep == "\t" else f"'{sep}'")))
                continue

            cell = _Row(cells, where, header)

            before = len(p.warnings)
            try:
                if kind == "families":
                    call = _family_call(cell, location, p.index)
                else:
                    call = _volunteer_call(cell, location, training_cols, p.index)
                change = call(p)
            except _RowErrors as exc:
                errors.extend(RowError(file, number, m) for m in exc.messages)
                continue
            except HsError as exc:
                errors.append(RowError(file, number, str(exc)))
                continue
            for rid in change.created:
                created.append(rid)
                row_of[f"records/{kind}/{rid}.yaml"] = number
            warnings += [str(RowError(file, number, w)) for w in p.warnings[before:]]
        if progress is not None:
            progress(len(rows), len(rows))
        if not errors:
            for q in check_plan(p):
                number = row_of.get(q.rel, 0)
                if q.severity == "error":
                    errors.append(RowError(file, number, q.message))
                else:
                    warnings.append(str(RowError(file, number, q.message)))
        if errors:
            errors.sort(key=lambda e: e.row)
            return ImportResult(kind, file, len(rows), errors, dry_run=dry_run,
                                summary=_rejected(len({e.row for e in errors}),
                                                  len(rows)))
        result = ImportResult(kind, file, len(rows), [], created, warnings, dry_run)
        if not rows:
            result.summary = MSG("nothing", file=file)
            return result
        if dry_run:
            result.summary = MSG("dry-run", file=file, n=len(rows))
            return result
        key = f"import.{kind}"
        extra = (("Hs-Count", str(len(created))),)
        text = MSG(key, n=len(created))  # the commit subject too: the command's language
        change = Change(key, text, text, tuple(created), None, list(p.files.values()), [],
                        tuple(created), extra)
        outcome = apply(p, change, commit, checked=True)
        result.outcome = outcome
        result.summary = outcome.summary
        result.warnings += list(outcome.warnings)
        return result


__all__ = ["ALIASES", "FAMILY_COLUMNS", "VOLUNTEER_COLUMNS", "ImportRejected",
           "ImportResult", "RowError", "import_csv", "read_rows"]
