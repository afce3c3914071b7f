"""The coordinator's workflow: every change to the records, as one typed function each.

A function here checks the transition against the derived statuses of
:mod:`hs.rules.lifecycle` (as of the latest events in the files), builds the new text of every
file it touches (a new file from plain data; an existing one through the ruamel round
trip and :func:`hs.store.splice.splice`, so that comments and untouched lines stay byte for
byte), re-checks the affected records with the tree rules of ``hs validate`` as they would
be after the change, and only then writes, all under the tree's lock, and records the
change in git as one commit (:mod:`hs.store.gitops`). A refused change writes nothing.

Every function returns an :class:`Outcome`; errors are :mod:`hs.base.errors` classes whose
message is one line. Nothing here knows about Typer or Rich.

Transitions (``hs`` command → function):

==========================  ===========================================================
location add / stop         :func:`add_location`, :func:`stop_location`
volunteer add / stop        :func:`add_volunteer`, :func:`stop_volunteer`
volunteer train / activate  :func:`train_volunteer`, :func:`activate_volunteer`
volunteer check             :func:`check_volunteer`
family refer                :func:`refer_family` (a new family, or ``family=`` an existing
                            one whose previous referral ended: refused, withdrawn, or its
                            trajectory closed)
family accept / refuse /    :func:`accept_family`, :func:`refuse_family`,
withdraw                    :func:`withdraw_family`
start / visit / review /    :func:`start_trajectory`, :func:`record_visit`,
close                       :func:`record_review`, :func:`close_trajectory`
replace / extend            :func:`replace_volunteer`, :func:`extend_trajectory`
==========================  ===========================================================
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import re
import shutil
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, Literal

from hs.app import tooling
from hs.app.sealing import KEY_KINDS, Sealer, is_sealed_repo
from hs.base.dates import read_month
from hs.base.errors import (
    GitError,
    HsError,
    InvalidRecord,
    RecordNotFound,
    TransitionError,
    UnknownCode,
    UsageError,
    WriteRejected,
)
from hs.base.i18n import Catalog, language
from hs.base.readable import format_date
from hs.records import enums, spec
from hs.records.ids import (
    FOLDER,
    RecordKind,
    id_of_path,
    is_valid_id,
    new_id,
)
from hs.records.index import FamilyRow, Index, TrajectoryRow, VolunteerRow
from hs.records.layout import CONFIG_FILE, INSTALL_PATTERN, RECORDS
from hs.records.problems import Problem, quotable, text_fault
from hs.records.schemas import schema_line
from hs.records.vocabularies import parse_code
from hs.rules import checks
from hs.rules.lifecycle import (
    FamilyState,
    check_valid_until,
    family_state,
    family_status,
    load,
    training_complete,
    tree_rules,
    volunteer_status,
)
from hs.store import gitops
from hs.store.insert import insert_dated
from hs.store.layout import RecordFile
from hs.store.read import parse_file
from hs.store.repo import Repo, today
from hs.store.splice import splice
from hs.store.transaction import write_change
from hs.store.yamlio import YamlIssue, dump_document, load_document

REVIEW_KINDS = enums.REVIEW_KINDS
#: Close reason for a starter trajectory that ends because the family's buddy (or
#: language or coach) trajectory starts. Used when the location's vocabulary has it;
#: otherwise the starter is closed with ``other``.
STARTER_HANDOVER_REASON = "support-started"
_LANG_RE = re.compile(r"^[a-z]{2,3}$")

MSG = Catalog("app.workflow")
_KIND_MSG = Catalog("store.repo")  # the kinds' names, as the store's messages say them


def _en(key: str, **fields: object) -> str:
    """The text of a commit subject: in the language of the command (docs/design.md)."""
    return MSG.plain(key, **fields)


# --- results --------------------------------------------------------------------------


@dataclass(frozen=True)
class FileChange:
    """The new text of one record file (``rel`` relative to the repository root)."""

    kind: str
    id: str
    rel: str
    text: str
    created: bool


@dataclass
class Change:
    """A change prepared but not yet written: what :func:`apply` writes and commits."""

    action: str  # Hs-Action trailer: "family.accept"
    summary: str  # in the user's language
    subject: str  # the commit subject: the summary, in the language of the command
    records: tuple[str, ...]  # the main record first
    date: dt.date | None
    files: list[FileChange]
    warnings: list[str] = field(default_factory=list)
    created: tuple[str, ...] = ()  # IDs of new records, in order
    extra: tuple[tuple[str, str], ...] = ()  # more trailers


Recorded = Literal["committed", "staged", "not-recorded"]


@dataclass(frozen=True)
class Outcome:
    """What a written change did."""

    action: str
    summary: str
    subject: str
    records: tuple[str, ...]
    created: tuple[str, ...]
    files: tuple[str, ...]
    warnings: tuple[str, ...]
    recorded: Recorded
    commit: str | None = None

    @property
    def created_id(self) -> str | None:
        return self.created[0] if self.created else None


# --- the plan: a change being prepared under the lock --------------------------------


def _header(kind: str, depth: int = 2) -> str:
    """The first line of a new record file: the JSON Schema for editors."""
    line = schema_line(kind, depth).rstrip("\n")
    return line if line.startswith("#") else f"# {line}"


def _node(data: Any) -> Any:
    """Plain data as round-trip nodes: block mappings, short scalar lists in flow style.
    Strings stay strings (the dumper quotes any that would read as something else)."""
    # lazy: ruamel.yaml only for a round-trip edit or a new file (a visit inserts lines)
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if isinstance(data, Mapping):
        m = CommentedMap()
        for k, v in data.items():
            m[k] = _node(v)
        return m
    if isinstance(data, list | tuple):
        s = CommentedSeq(_node(v) for v in data)
        if data and len(data) <= 12 and all(
                isinstance(v, str | int | float) and not isinstance(v, bool) for v in data):
            s.fa.set_flow_style()
        return s
    if isinstance(data, dt.date):
        # a fresh object each time: ruamel writes one object met twice as an anchor
        return dt.date(data.year, data.month, data.day)
    return data


def _order(model: str, path: str = "") -> list[str]:
    """Field order of a record kind (or of a group nested in it by attribute path), as
    the spec (and so the model) lists them, for new keys."""
    group = spec.KINDS[model].group
    names = ["schema_version"]
    for part in filter(None, path.split(".")):
        group = {"referral": spec.REFERRAL, "decision": spec.DECISION_EVENT,
                 "period": spec.ACTIVE_PERIOD, "assignment": spec.ASSIGNMENT,
                 "impact": spec.IMPACT, "review": spec.REVIEW,
                 "visit": spec.VISIT, "household": spec.HOUSEHOLD}[part]
        names = []
    return [*names, *(f.name for f in group.fields)]


def _set(mapping: Any, key: str, value: Any, order: Sequence[str]) -> None:
    """Set ``key`` in a round-trip mapping; a new key goes where the model puts it."""
    value = _node(value) if isinstance(value, dt.date) else value
    if key in mapping:
        mapping[key] = value
        return
    pos = 0
    if key in order:
        before = set(order[:order.index(key)])
        for i, k in enumerate(mapping):
            if k in before:
                pos = i + 1
    else:
        pos = len(mapping)
    mapping.insert(pos, key, value)


class _At:
    """Problem factory for the tree rules without positions (messages only)."""

    def problem(self, rel: str, loc: tuple[str | int, ...], code: str, msg: str,
                severity: str = "error", value: bool = True) -> Any:
        return Problem(rel, 0, 0, code, msg, severity)  # type: ignore[arg-type]


class Plan:
    """A change being prepared: the index as read under the lock and the new file texts.

    Planner functions (``plan_*``) add to one plan; :func:`apply` checks and writes it.
    Several planners may add to the same plan (an import adds many records)."""

    def __init__(self, repo: Repo):
        self.repo = repo
        repo.refresh()
        self.index: Index = repo.index
        self.files: dict[str, FileChange] = {}
        self.warnings: list[str] = []
        self._taken: set[str] | None = None
        self._docs: dict[str, tuple[str, Any, Any]] = {}
        #: seals the personal values written, in a sealed repository (else None)
        self.sealer: Sealer | None = Sealer(repo) if is_sealed_repo(repo) else None

    # reading

    def resolve(self, kind: RecordKind, prefix: str) -> str:
        """The full ID of a record of ``kind`` from its ID or a unique prefix."""
        if prefix in self.index.paths and self._kind_of(prefix) == kind:
            return prefix
        for fc in self.files.values():
            if fc.created and fc.kind == kind and fc.id == prefix:
                return prefix
        try:
            return self.repo.resolve(prefix, kind)[1]
        except RecordNotFound:
            folded = prefix.strip().lower()  # IDs are lower case: "Gent" is gent
            if folded and folded != prefix:
                with contextlib.suppress(RecordNotFound):
                    return self.repo.resolve(folded, kind)[1]
        raise RecordNotFound(self._not_found(kind, prefix))

    def _not_found(self, kind: RecordKind, prefix: str) -> str:
        """No record of ``kind`` has the ID ``prefix``: the ID quoted when it has the shape
        of one (never a name typed in the wrong place), and for a location the nearest
        location ID (not personal) offered."""
        import difflib  # lazy: start-up time; needed only for a mistyped ID

        near = ""
        if kind == "location":
            found = difflib.get_close_matches(prefix.strip().lower(),
                                              sorted(self.index.locations), n=1, cutoff=0.6)
            near = MSG("near-id", id=found[0]) if found else ""
        return MSG("no-such-id", what=_KIND_MSG(kind), id=shown(prefix, "id"), near=near)

    def _kind_of(self, rid: str) -> str | None:
        rel = self.index.paths.get(rid)
        if rel is None:
            return None
        folder = rel.split("/")[1] if "/" in rel else ""
        return {v: k for k, v in FOLDER.items()}.get(folder)

    def _row(self, kind: RecordKind, rid: str) -> Any:
        row = self.index.row(kind, rid)
        if row is None:
            path = self.repo.path_of(kind, rid)
            rel = path.relative_to(self.repo.root).as_posix()
            raise InvalidRecord(MSG("invalid-record", path=rel), hint=MSG("run-validate"))
        return row

    def family(self, prefix: str) -> FamilyRow:
        row: FamilyRow = self._row("family", self.resolve("family", prefix))
        return row

    def volunteer(self, prefix: str) -> VolunteerRow:
        row: VolunteerRow = self._row("volunteer", self.resolve("volunteer", prefix))
        return row

    def trajectory(self, prefix: str) -> TrajectoryRow:
        row: TrajectoryRow = self._row("trajectory", self.resolve("trajectory", prefix))
        return row

    def location(self, prefix: str) -> Any:
        return self._row("location", self.resolve("location", prefix))

    def new_id(self, kind: RecordKind) -> str:
        if self._taken is None:
            self._taken = self.repo.all_ids()
        rid = new_id(kind, taken=self._taken)
        self._taken.add(rid)
        return rid

    # writing (into the plan)

    def _rel(self, kind: RecordKind, rid: str) -> str:
        rel = self.index.paths.get(rid)
        return rel if rel is not None else f"records/{FOLDER[kind]}/{rid}.yaml"

    def edit(self, kind: RecordKind, rid: str) -> Any:
        """The round-trip document of a record, to modify and hand back with :meth:`put`."""
        rel = self._rel(kind, rid)
        if rel in self._docs:
            return self._docs[rel][1]
        planned = self.files.get(rel)
        try:
            text = (planned.text if planned is not None and not planned.created
                    else (self.repo.root / rel).read_text(encoding="utf-8"))
            doc = load_document(text)
        except (OSError, UnicodeDecodeError, YamlIssue):
            raise InvalidRecord(MSG("invalid-record", path=rel),
                                hint=MSG("run-validate")) from None
        # an unedited copy for splice: a fifth of the cost of reading the text again
        self._docs[rel] = (text, doc, copy.deepcopy(doc))
        return doc

    def put(self, kind: RecordKind, rid: str, doc: Any) -> None:
        """The edited document of an existing record, as its new text."""
        rel = self._rel(kind, rid)
        old_text, _, old_doc = self._docs[rel]
        if self.sealer is not None:  # only plain values: a token stays byte for byte
            self.sealer.seal(kind, rid, doc)
        self.files[rel] = FileChange(kind, rid, rel, splice(old_text, doc, old_doc),
                                     created=False)

    def insert(self, kind: RecordKind, rid: str, key: str, item: Mapping[str, Any]) -> bool:
        """Put a dated item into the list ``key`` of a record by inserting its lines, where
        the file is in the plain layout (:func:`hs.store.insert.insert_dated`: the text the
        round trip gives, without it); False if not (then :meth:`edit` and :meth:`put`)."""
        rel = self._rel(kind, rid)
        planned = self.files.get(rel)
        if rel in self._docs or (planned is not None and planned.created):
            return False
        try:  # a file the plan changed already (a batch) is inserted into again
            text = (planned.text if planned is not None
                    else (self.repo.root / rel).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            return False
        entry = {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in item.items()}
        if self.sealer is not None:
            owner = rid if kind in KEY_KINDS else self._owner(kind, rid)
            self.sealer.seal_item(kind, rid, owner, key, entry)
        new = insert_dated(text, key, entry)
        if new is None:
            return False
        self.files[rel] = FileChange(kind, rid, rel, new, created=False)
        return True

    def create(self, kind: RecordKind, rid: str, data: Mapping[str, Any]) -> None:
        """A new record file from plain data (schema header first, block style)."""
        rel = f"records/{FOLDER[kind]}/{rid}.yaml"
        if rel in self.files or (self.repo.root / rel).exists():
            raise WriteRejected(MSG("file-exists", path=rel))
        if self.sealer is not None:
            data = copy.deepcopy(dict(data))
            self.sealer.new.add(rid)
            self.sealer.seal(kind, rid, data)
        text = _header(kind) + "\n" + dump_document(_node(data))
        self.files[rel] = FileChange(kind, rid, rel, text, created=True)

    def _owner(self, kind: RecordKind, rid: str) -> str | None:
        """The owner of a record's key (a trajectory's family) from the index."""
        if kind == "trajectory":
            row = self.index.row("trajectory", rid)
            return row.family if row is not None else None
        return None

    def warn(self, text: str) -> None:
        if text not in self.warnings:
            self.warnings.append(text)

    def change(self, action: str, key: str, records: Sequence[str], on: dt.date | None,
               created: Sequence[str] = (), extra: Sequence[tuple[str, str]] = (),
               **fields: object) -> Change:
        return Change(action, MSG(key, **fields), _en(key, **fields), tuple(records), on,
                      list(self.files.values()), list(self.warnings), tuple(created),
                      tuple(extra))


# --- checks of arguments ---------------------------------------------------------------


def said(index: Index | None, vocabulary: str, code: str) -> str:
    """A code as a sentence says it: in Dutch its Dutch label (the vocabulary's, or a
    closed enumeration's: trajectory_kinds, review_kinds, decisions); in English the code
    itself, which scripts and the trailers use."""
    lang = language()
    if lang == "en":
        return code
    if vocabulary in ("trajectory_kinds", "review_kinds", "decisions"):
        return enums.label(vocabulary, code, lang)
    return code if index is None else index.label(vocabulary, code, lang)


def shown(value: str, shape: str) -> str:
    """A value given on the command line, quoted in a message only when it has the form
    the option takes (``shape``: date, number, code; :func:`hs.records.problems.quotable`):
    a name typed in the wrong place is never repeated."""
    return f"'{value}'" if quotable(value, shape) else MSG("not-shown")


def check_text(value: str | None, option: str, type_name: str = "Text") -> str | None:
    """``value`` if it is fit for a text field (no control character; not only spaces),
    else :class:`UsageError` naming ``option`` and not the value."""
    if value is None:
        return None
    fault = text_fault(value, type_name)
    if fault is not None:
        raise UsageError(MSG("text-" + fault, option=option))
    return value


def check_code(index: Index, vocabulary: str, code: str) -> str:
    """The code ``code`` names in the tree's vocabulary: the code, its Dutch or English
    label or an alias (:func:`hs.records.vocabularies.parse_code`, the one reader of codes
    for the command line and the import), else :class:`UnknownCode` naming the nearest
    code, or the candidates when it could be several."""
    valid = index.codes(vocabulary)
    if code in valid:
        return code
    return parse_code(code, vocabulary, {vocabulary: {
        c: index.vocabularies.get(vocabulary, {}).get(c) for c in valid}})


def _check_fixed(code: str, vocabulary: str) -> str:
    """The code ``code`` names in a closed list (:data:`hs.records.vocabularies.FIXED`)."""
    return parse_code(code, vocabulary)


def _check_languages(values: Iterable[str], index: Index | None = None) -> list[str]:
    """ISO 639 codes; a language's label in the tree's vocabulary (``Arabisch``) is read
    as its code."""
    out: list[str] = []
    known = index.vocabularies.get("languages") if index is not None else None
    for v in values:
        if not _LANG_RE.match(v) and known:
            with contextlib.suppress(UnknownCode):
                v = parse_code(v, "languages", {"languages": known})
        if not _LANG_RE.match(v):
            raise UsageError(MSG("bad-language", value=shown(v, "code")))
        if v not in out:
            out.append(v)
    return out


def _check_month(value: str, what: str) -> str:
    """``value`` as ``YYYY-MM``, read as the import reads a month (:func:`read_month`)."""
    month = read_month(value)
    if month is None:
        raise UsageError(MSG("bad-month", what=what, value=shown(value, "date")))
    return month


def _check_scores(index: Index, scores: Mapping[str, int]) -> dict[str, int]:
    out: dict[str, int] = {}
    for domain, value in scores.items():
        code = check_code(index, "impact_domains", domain)
        if not 1 <= int(value) <= 5:
            raise UsageError(MSG("bad-score", domain=said(index, "impact_domains", code),
                                 value=value))
        out[code] = int(value)
    return out


def _check_year(value: int) -> int:
    if not 1900 <= value <= 2100:
        raise UsageError(MSG("bad-year", value=value))
    return value


def _check_facts(*, children: Sequence[str] = (), expecting: str | None = None,
                 referral: dt.date | None = None, years: Sequence[int] = ()) -> None:
    """The impossible facts of :mod:`hs.rules.checks` (the rules ``hs validate`` applies),
    refused before anything is planned."""
    now = today()
    faults = [checks.child_born_later(c, now) for c in children]
    faults += [checks.born_later(y, now) for y in years]
    if expecting is not None and referral is not None:
        faults.append(checks.expecting_early(expecting, referral))
    for fault in faults:
        if fault is not None:
            raise TransitionError(fault)


def _unique(values: Iterable[str]) -> list[str]:
    out: list[str] = []
    for v in values:
        if v not in out:
            out.append(v)
    return out


# --- locations ---------------------------------------------------------------------------


def _not_future(day: dt.date) -> None:
    """Events are recorded after they happen: a date after today is refused."""
    if day > today():
        raise TransitionError(MSG("future-date", day=day, today=today()))


def plan_add_location(p: Plan, code: str, name: str, municipalities: Sequence[str],
                      active_from: dt.date, partner: str | None = None,
                      fte: float | None = None) -> Change:
    if not is_valid_id("location", code):
        raise UsageError(MSG("bad-location-code", value=shown(code, "code")))
    check_text(name, "--name")
    check_text(partner, "--partner")
    for m in municipalities:
        check_text(m, "--municipality")
    if code in p.index.locations or code in p.repo.all_ids() or \
            (p.repo.records / "locations" / f"{code}.yaml").exists():
        raise TransitionError(MSG("location-exists", id=code))
    data: dict[str, Any] = {"schema_version": 1, "name": name,
                            "municipalities": _unique(municipalities)}
    if partner:
        data["partner"] = partner
    data["active_from"] = active_from
    if fte is not None:
        data["fte"] = fte
    p.create("location", code, data)
    return p.change("location.add", "location.add", [code], active_from, created=[code],
                    id=code)


def plan_stop_location(p: Plan, location: str, day: dt.date) -> Change:
    loc = p.location(location)
    if loc.active_until is not None:
        raise TransitionError(MSG("location-stopped", id=loc.id, date=loc.active_until))
    if day < loc.active_from:
        raise TransitionError(MSG("before-location", date=day, id=loc.id,
                                  start=loc.active_from))
    fams = sum(1 for f in p.index.families.values() if f.location == loc.id
               and family_status(p.index, f, day) in ("waiting", "in-trajectory"))
    vols = sum(1 for v in p.index.volunteers.values() if v.location == loc.id
               and v.active_on(day))
    if fams or vols:
        p.warn(MSG("warn-open-location", id=loc.id, families=fams, volunteers=vols,
                   date=day))
    doc = p.edit("location", loc.id)
    _set(doc, "active_until", day, _order("location"))
    p.put("location", loc.id, doc)
    return p.change("location.stop", "location.stop", [loc.id], day, id=loc.id, date=day)


# --- volunteers --------------------------------------------------------------------------


def plan_add_volunteer(p: Plan, location: str, gender: str, birth_year: int, *,
                       name: str | None = None, languages: Sequence[str] = (),
                       roles: Sequence[str] = (), municipality: str | None = None,
                       joined: dt.date | None = None, checked: dt.date | None = None,
                       availability: Sequence[str] = (), capacity: int | None = None,
                       preferences: Sequence[str] = (), note: str | None = None,
                       training: Mapping[str, dt.date] | None = None,
                       stopped: tuple[dt.date, str] | None = None,
                       day: dt.date | None = None, consent: dt.date | None = None,
                       registered: dt.date | None = None) -> Change:
    """A new volunteer: active from ``joined``, else a candidate registered on
    ``registered`` (default ``day``, today on the command line)."""
    check_text(name, "--name")
    check_text(municipality, "--municipality")
    check_text(note, "--note", "Note")
    loc = p.location(location)
    gender = _check_fixed(gender, "genders")
    _check_year(birth_year)
    _check_facts(years=[birth_year])
    langs = _check_languages(languages, p.index)
    role_list = (_unique(_check_fixed(r, "trajectory_kinds") for r in roles) or ["buddy"])
    availability = [_check_fixed(h, "half_days") for h in availability]
    prefs = [check_code(p.index, "volunteer_preferences", c) for c in _unique(preferences)]
    steps = {check_code(p.index, "training_steps", s): d for s, d in (training or {}).items()}
    if capacity is not None and not 0 <= capacity <= 10:
        raise UsageError(MSG("bad-capacity", value=capacity))
    if registered is not None:
        _not_future(registered)
        if joined is not None and joined < registered:
            raise TransitionError(MSG("joined-before-registered", joined=joined,
                                       registered=registered))
    when = joined or registered or day
    if when is not None and not loc.active_on(when):
        p.warn(MSG("warn-location-inactive", id=loc.id, date=when))
    rid = p.new_id("volunteer")
    data: dict[str, Any] = {"schema_version": 1, "location": loc.id}
    if name:
        data["name"] = name
    data["gender"] = gender
    data["birth_year"] = birth_year
    if municipality:
        data["municipality"] = municipality
    if langs:
        data["languages"] = langs
    data["roles"] = role_list
    if availability:
        data["availability"] = _unique(availability)
    if capacity is not None:
        data["capacity"] = capacity
    if prefs:
        data["preferences"] = prefs
    if registered is not None:
        data["registered"] = registered
    elif joined is None and day is not None:  # a candidate: retention counts from it
        data["registered"] = day
    if steps:
        data["training"] = steps
    if checked is not None:
        data["check_date"] = checked
    if joined is not None:
        period: dict[str, Any] = {"start": joined}
        if stopped is not None:
            period["end"] = stopped[0]
            period["stop_reason"] = check_code(p.index, "stop_reasons", stopped[1])
        data["active"] = [period]
    if note:
        data["note"] = note
    if consent is not None:
        _not_future(consent)
        data["consent"] = consent
    p.create("volunteer", rid, data)
    if joined is not None:
        required = [c for c, e in p.index.vocabularies.get("training_steps", {}).items()
                    if e.get("required", True) and c not in steps]
        if required:  # an existing volunteer moved in: say what the records lack
            p.warn(MSG("warn-joined-untrained", id=rid, steps=", ".join(
                said(p.index, "training_steps", s) for s in required)))
        return p.change("volunteer.add", "volunteer.add", [rid], joined, created=[rid],
                        id=rid, date=joined)
    return p.change("volunteer.add", "volunteer.add-candidate", [rid], registered or day,
                    created=[rid], id=rid)


def plan_stop_volunteer(p: Plan, volunteer: str, day: dt.date, reason: str) -> Change:
    _not_future(day)
    vol = p.volunteer(volunteer)
    reason = check_code(p.index, "stop_reasons", reason)
    if not vol.periods:
        return _drop_out(p, vol, day, reason)
    _require_active_volunteer(vol, day, stopping=True)
    for t in p.index.trajectories_with(vol.id):
        if t.end is None and t.assignments and t.assignments[-1].volunteer == vol.id \
                and t.assignments[-1].end is None:
            p.warn(MSG("warn-still-assigned", id=vol.id, trj=t.id))
    doc = p.edit("volunteer", vol.id)
    period = doc["active"][-1]
    order = _order("volunteer", "period")
    _set(period, "end", day, order)
    _set(period, "stop_reason", reason, order)
    p.put("volunteer", vol.id, doc)
    return p.change("volunteer.stop", "volunteer.stop", [vol.id], day,
                    extra=[("Hs-Reason", reason)], id=vol.id,
                    reason=said(p.index, "stop_reasons", reason))


def _drop_out(p: Plan, vol: VolunteerRow, day: dt.date, reason: str) -> Change:
    """A candidate who was never active stops: ``dropped_out`` and its reason, so the
    record says they are not coming (status stopped, never counted as a volunteer;
    retention counts from that day). ``hs volunteer activate`` later still works."""
    if vol.dropped_out is not None:
        raise TransitionError(MSG("candidate-dropped-already", id=vol.id,
                                   date=vol.dropped_out))
    signs = [d for d in (vol.registered, *vol.training.values()) if d is not None]
    if signs and day < min(signs):
        raise TransitionError(MSG("candidate-stop-before", id=vol.id, date=day,
                                   first=min(signs)))
    doc = p.edit("volunteer", vol.id)
    order = _order("volunteer")
    _set(doc, "dropped_out", day, order)
    _set(doc, "dropped_out_reason", reason, order)
    p.put("volunteer", vol.id, doc)
    text = MSG("candidate-dropped", id=vol.id, reason=said(p.index, "stop_reasons", reason))
    return Change("volunteer.stop", text, text, (vol.id,), day, list(p.files.values()),
                  list(p.warnings), (), (("Hs-Reason", reason),))


def _require_active_volunteer(vol: VolunteerRow, day: dt.date, stopping: bool = False) -> None:
    """The volunteer must be active on ``day`` (for a stop: in an open last period)."""
    if not vol.periods:
        raise TransitionError(MSG("vol-candidate", id=vol.id))
    last = vol.periods[-1]
    if stopping:
        if last.end is not None:
            raise TransitionError(MSG("vol-stopped", id=vol.id, date=last.end))
        if day < last.start:
            raise TransitionError(MSG("vol-stop-before", id=vol.id, start=last.start,
                                      date=day))
        return
    status = volunteer_status(vol, day)
    if status == "active":
        return
    if status == "candidate":
        raise TransitionError(MSG("vol-not-yet", id=vol.id, date=vol.periods[0].start))
    ended = [pr.end for pr in vol.periods if pr.end is not None and pr.end < day]
    later = [pr.start for pr in vol.periods if pr.start > day]
    if later:
        raise TransitionError(MSG("vol-not-yet", id=vol.id, date=min(later)))
    raise TransitionError(MSG("vol-stopped", id=vol.id, date=max(ended)))


def plan_train_volunteer(p: Plan, volunteer: str, step: str, day: dt.date) -> Change:
    _not_future(day)
    vol = p.volunteer(volunteer)
    step = check_code(p.index, "training_steps", step)
    old = vol.training.get(step)
    if old is not None and old != day:
        p.warn(MSG("warn-training-again", step=said(p.index, "training_steps", step),
                   id=vol.id, old=old, date=day))
    doc = p.edit("volunteer", vol.id)
    if "training" not in doc or not isinstance(doc["training"], dict):
        _set(doc, "training", _node({}), _order("volunteer"))
    doc["training"][step] = _node(day)
    p.put("volunteer", vol.id, doc)
    return p.change("volunteer.train", "volunteer.train", [vol.id], day,
                    extra=[("Hs-Step", step)], id=vol.id,
                    step=said(p.index, "training_steps", step))


def plan_activate_volunteer(p: Plan, volunteer: str, day: dt.date,
                            force: bool = False) -> Change:
    vol = p.volunteer(volunteer)
    if vol.periods:
        last = vol.periods[-1]
        if last.end is None:
            raise TransitionError(MSG("vol-active", id=vol.id, date=last.start))
        if day <= last.end:
            raise TransitionError(MSG("vol-restart-order", id=vol.id, end=last.end))
    if not training_complete(p.index, vol, day):
        steps = p.index.vocabularies.get("training_steps", {})
        missing = [c for c, e in steps.items() if e.get("required", True)
                   and (c not in vol.training or vol.training[c] > day)]
        if not force:
            raise TransitionError(MSG("training-missing", id=vol.id, steps=", ".join(
                said(p.index, "training_steps", s) for s in missing)))
        p.warn(MSG("warn-forced", id=vol.id, steps=", ".join(
            said(p.index, "training_steps", s) for s in missing)))
    _warn_check(p, vol, day)
    doc = p.edit("volunteer", vol.id)
    if "active" not in doc or not isinstance(doc["active"], list):
        _set(doc, "active", _node([]), _order("volunteer"))
    doc["active"].append(_node({"start": day}))
    p.put("volunteer", vol.id, doc)
    key = "volunteer.reactivate" if vol.periods else "volunteer.activate"
    return p.change("volunteer.activate", key, [vol.id], day, id=vol.id)


def plan_check_volunteer(p: Plan, volunteer: str, day: dt.date) -> Change:
    _not_future(day)
    vol = p.volunteer(volunteer)
    if vol.check_date is not None and vol.check_date > day:
        raise TransitionError(MSG("check-later", id=vol.id, date=vol.check_date))
    doc = p.edit("volunteer", vol.id)
    _set(doc, "check_date", day, _order("volunteer"))
    p.put("volunteer", vol.id, doc)
    return p.change("volunteer.check", "volunteer.check", [vol.id], day, id=vol.id)


def _warn_check(p: Plan, vol: VolunteerRow, day: dt.date) -> None:
    until = check_valid_until(p.index, vol)
    if until is None:
        p.warn(MSG("warn-no-check", id=vol.id))
    elif until < day:
        p.warn(MSG("warn-check-expired", id=vol.id, date=vol.check_date, until=until,
                   months=int(p.index.config.get("check_validity_months", 36))))


# --- families ----------------------------------------------------------------------------


def _family_error(fam: FamilyRow, st: FamilyState) -> TransitionError:
    """The refusal that explains the family's current status."""
    if st.status == "referred":
        return TransitionError(MSG("fam-referred", id=fam.id, date=st.since))
    if st.status == "refused":
        return TransitionError(MSG("fam-refused", id=fam.id, date=st.since))
    if st.status == "withdrawn":
        return TransitionError(MSG("fam-withdrawn", id=fam.id, date=st.since))
    if st.status == "in-trajectory":
        return TransitionError(MSG("fam-in-trajectory", id=fam.id, trj=st.trajectory,
                                   date=st.since))
    if st.status == "closed":
        return TransitionError(MSG("fam-closed", id=fam.id, trj=st.trajectory,
                                   date=st.since))
    return TransitionError(MSG("fam-accepted-final", id=fam.id, date=st.since))


def _family_data(p: Plan, *, municipality: str | None, children: Sequence[str],
                 expecting: str | None, languages: Sequence[str], flags: Sequence[str],
                 parent_birth_years: Sequence[int], loc: Any, day: dt.date
                 ) -> tuple[list[str], list[str], list[str], list[int]]:
    kids = [_check_month(c, "--child") for c in children]
    langs = _check_languages(languages, p.index)
    flag_list = [check_code(p.index, "profile_flags", f) for f in _unique(flags)]
    years = [_check_year(y) for y in parent_birth_years]
    _check_facts(children=kids, expecting=expecting, referral=day, years=years)
    if municipality and loc.municipalities and municipality not in loc.municipalities:
        p.warn(MSG("warn-municipality", id=loc.id,
                   valid=", ".join(loc.municipalities)))
    return kids, langs, flag_list, years


def plan_refer_family(p: Plan, day: dt.date, referrer: str, *,
                      location: str | None = None, family: str | None = None,
                      name: str | None = None, municipality: str | None = None,
                      children: Sequence[str] = (), expecting: str | None = None,
                      languages: Sequence[str] = (), flags: Sequence[str] = (),
                      parent_birth_years: Sequence[int] = (), note: str | None = None,
                      decisions: Sequence[tuple[str, dt.date, str | None]] = (),
                      consent: dt.date | None = None) -> Change:
    """A new family (``location`` required), or a new referral of ``family``.

    ``decisions`` (for an import): (accepted|refused|withdrawn, date, reason) events
    recorded with a new family's referral, in date order."""
    check_text(name, "--name")
    check_text(municipality, "--municipality")
    check_text(note, "--note", "Note")
    _not_future(day)
    referrer = check_code(p.index, "referrers", referrer)
    if expecting is not None:
        expecting = _check_month(expecting, "--expecting")
    if family is not None:
        return _rerefer(p, family, day, referrer, location=location, name=name,
                        municipality=municipality, children=children, expecting=expecting,
                        languages=languages, flags=flags,
                        parent_birth_years=parent_birth_years, consent=consent)
    if location is None:
        raise UsageError(MSG("need-location"))
    loc = p.location(location)
    if not loc.active_on(day):
        p.warn(MSG("warn-location-inactive", id=loc.id, date=day))
    kids, langs, flag_list, years = _family_data(
        p, municipality=municipality, children=children, expecting=expecting,
        languages=languages, flags=flags, parent_birth_years=parent_birth_years, loc=loc,
        day=day)
    rid = p.new_id("family")
    data: dict[str, Any] = {"schema_version": 1, "location": loc.id}
    if name:
        data["name"] = name
    if municipality:
        data["municipality"] = municipality
    if years:
        data["household"] = {"parent_birth_years": years}
    if kids:
        data["children"] = [{"born": k} for k in kids]
    if langs:
        data["languages"] = langs
    if flag_list:
        data["flags"] = flag_list
    referral: dict[str, Any] = {"date": day, "referrer": referrer}
    if expecting:
        referral["expecting"] = expecting
    events: list[dict[str, Any]] = []
    for what, when, reason in decisions:
        event: dict[str, Any] = {"date": when, "decision": what}
        if what == "refused":
            event["reason"] = check_code(p.index, "refusal_reasons", reason or "")
        elif what == "withdrawn":
            event["reason"] = check_code(p.index, "withdrawal_reasons", reason or "")
        events.append(event)
    if events:
        referral["decisions"] = events
    data["referrals"] = [referral]
    if note:
        data["note"] = note
    if consent is not None:
        _not_future(consent)
        data["consent"] = consent
    p.create("family", rid, data)
    return p.change("family.refer", "family.refer", [rid], day, created=[rid],
                    extra=[("Hs-Referrer", referrer)], id=rid,
                    referrer=said(p.index, "referrers", referrer))


def _rerefer(p: Plan, family: str, day: dt.date, referrer: str, *, location: str | None,
             name: str | None, municipality: str | None, children: Sequence[str],
             expecting: str | None, languages: Sequence[str], flags: Sequence[str],
             parent_birth_years: Sequence[int], consent: dt.date | None = None) -> Change:
    fam = p.family(family)
    st = family_state(p.index, fam)
    if st.status not in ("refused", "withdrawn", "closed"):
        label = MSG(f"s-{st.status}") if f"s-{st.status}" in MSG.messages else st.status
        raise TransitionError(MSG("fam-open", id=fam.id, date=fam.referral.date,
                                  status=label))
    if st.starter is not None:
        raise TransitionError(MSG("fam-starter-open", id=fam.id, trj=st.starter))
    if st.since is not None and day < st.since:
        key = "before-end" if st.status == "closed" else "before-decision"
        raise TransitionError(MSG(key, date=day, id=fam.id, ref=st.since,
                                  trj=st.trajectory))
    loc = p.location(location or fam.location)
    kids, langs, flag_list, years = _family_data(
        p, municipality=municipality, children=children, expecting=expecting,
        languages=languages, flags=flags, parent_birth_years=parent_birth_years, loc=loc,
        day=day)
    doc = p.edit("family", fam.id)
    order = _order("family")
    if location is not None and loc.id != fam.location:
        doc["location"] = loc.id
    if name:
        _set(doc, "name", name, order)
    if municipality:
        _set(doc, "municipality", municipality, order)
    if years:
        if "household" not in doc:
            _set(doc, "household", _node({}), order)
        known = list(doc["household"].get("parent_birth_years", []))
        if any(y not in known for y in years):
            _set(doc["household"], "parent_birth_years",
                 _node(known + [y for y in years if y not in known]),
                 _order("family", "household"))
    for key, values, item in (("children", kids, True), ("languages", langs, False),
                              ("flags", flag_list, False)):
        if not values:
            continue
        if key not in doc:
            _set(doc, key, _node([]), order)
        seq = doc[key]
        have = [c["born"] for c in seq] if item else list(seq)
        for v in values:
            if v not in have:
                seq.append(_node({"born": v}) if item else v)
    referral: dict[str, Any] = {"date": day, "referrer": referrer}
    if expecting:
        referral["expecting"] = expecting
    doc["referrals"].append(_node(referral))
    if consent is not None:
        _not_future(consent)
        _set(doc, "consent", consent, order)
    p.put("family", fam.id, doc)
    return p.change("family.refer", "family.rerefer", [fam.id], day,
                    extra=[("Hs-Referrer", referrer)], id=fam.id,
                    referrer=said(p.index, "referrers", referrer))


def _decide(p: Plan, family: str, day: dt.date, decision: str,
            reason: str | None) -> FamilyRow:
    _not_future(day)
    fam = p.family(family)
    st = family_state(p.index, fam)
    ref = fam.referral
    if decision == "withdrawn":
        if st.status == "in-trajectory":
            raise TransitionError(MSG("fam-in-trajectory-withdraw", id=fam.id,
                                      trj=st.trajectory))
        if st.status not in ("referred", "waiting"):
            raise _family_error(fam, st)
        if st.starter is not None:
            raise TransitionError(MSG("fam-starter-open", id=fam.id, trj=st.starter))
        future = [t for t in p.index.trajectories_of(fam.id)
                  if t.start >= ref.date and t.start > day]
        if future:
            raise TransitionError(MSG("fam-future-trajectory", id=fam.id, trj=future[0].id,
                                      date=future[0].start))
    elif st.status != "referred":
        if st.status in ("in-trajectory", "closed", "refused", "withdrawn"):
            raise _family_error(fam, st)
        last = ref.decisions[-1]
        if decision == "accepted":
            raise TransitionError(MSG("fam-decided", id=fam.id,
                                      decision=said(p.index, "decisions", last.decision),
                                      date=last.date))
        raise TransitionError(MSG("fam-accepted-final", id=fam.id, date=last.date))
    if day < ref.date:
        raise TransitionError(MSG("before-referral", date=day, id=fam.id, ref=ref.date))
    if ref.decisions and day < ref.decisions[-1].date:
        raise TransitionError(MSG("before-decision", date=day, id=fam.id,
                                  ref=ref.decisions[-1].date))
    doc = p.edit("family", fam.id)
    referral = doc["referrals"][-1]
    if "decisions" not in referral or not isinstance(referral["decisions"], list):
        _set(referral, "decisions", _node([]), _order("family", "referral"))
    event: dict[str, Any] = {"date": day, "decision": decision}
    if reason is not None:
        event["reason"] = reason
    referral["decisions"].append(_node(event))
    p.put("family", fam.id, doc)
    return fam


def plan_accept_family(p: Plan, family: str, day: dt.date) -> Change:
    fam = _decide(p, family, day, "accepted", None)
    return p.change("family.accept", "family.accept", [fam.id], day, id=fam.id)


def plan_refuse_family(p: Plan, family: str, day: dt.date, reason: str) -> Change:
    reason = check_code(p.index, "refusal_reasons", reason)
    fam = _decide(p, family, day, "refused", reason)
    return p.change("family.refuse", "family.refuse", [fam.id], day,
                    extra=[("Hs-Reason", reason)], id=fam.id,
                    reason=said(p.index, "refusal_reasons", reason))


def plan_withdraw_family(p: Plan, family: str, day: dt.date, reason: str) -> Change:
    reason = check_code(p.index, "withdrawal_reasons", reason)
    fam = _decide(p, family, day, "withdrawn", reason)
    return p.change("family.withdraw", "family.withdraw", [fam.id], day,
                    extra=[("Hs-Reason", reason)], id=fam.id,
                    reason=said(p.index, "withdrawal_reasons", reason))


# --- trajectories ------------------------------------------------------------------------


def _volunteer_for(p: Plan, vol: VolunteerRow, day: dt.date, kind: str,
                   fam: FamilyRow | None) -> None:
    """Checks and warnings for assigning ``vol`` to a trajectory of ``kind`` on ``day``."""
    _require_active_volunteer(vol, day)
    if kind != "starter":
        n = load(p.index, vol.id, day)
        if n >= vol.capacity:
            raise TransitionError(MSG("capacity-full", id=vol.id, n=n, date=day,
                                      capacity=vol.capacity))
    elif "starter" not in vol.roles:
        p.warn(MSG("warn-starter-role", id=vol.id))
    _warn_check(p, vol, day)
    if fam is not None and fam.location != vol.location:
        p.warn(MSG("warn-location", vol=vol.id, vloc=vol.location, fam=fam.id,
                   floc=fam.location))


def plan_start_trajectory(p: Plan, family: str, volunteer: str, day: dt.date,
                          kind: str = "buddy", note: str | None = None) -> Change:
    check_text(note, "--note", "Note")
    kind = _check_fixed(kind, "trajectory_kinds")
    fam = p.family(family)
    vol = p.volunteer(volunteer)
    st = family_state(p.index, fam)
    if st.status != "waiting":
        raise _family_error(fam, st)
    accepted = fam.referral.decisions[-1].date
    if day < accepted:
        raise TransitionError(MSG("before-accept", date=day, id=fam.id, ref=accepted))
    _volunteer_for(p, vol, day, kind, fam)
    starter: TrajectoryRow | None = None
    if st.starter is not None:
        starter = p.index.row("trajectory", st.starter)
        if kind == "starter":
            raise TransitionError(MSG("fam-starter-exists", id=fam.id, trj=starter.id,
                                      date=starter.start))
        if starter.start > day:
            raise TransitionError(MSG("starter-later", trj=starter.id, id=fam.id,
                                      date=starter.start, day=day))
        if any(v > day.toordinal() for v in starter.visit_days) or any(
                r.date > day for r in starter.reviews):
            raise TransitionError(MSG("starter-visits-after", trj=starter.id, date=day))
    rid = p.new_id("trajectory")
    data: dict[str, Any] = {"schema_version": 1, "family": fam.id, "kind": kind,
                            "start": day, "volunteers": [{"volunteer": vol.id, "start": day}]}
    if note:
        data["note"] = note
    p.create("trajectory", rid, data)
    records = [rid, fam.id, vol.id]
    if starter is None:
        return p.change("trajectory.start", "trajectory.start", records, day, created=[rid],
                        extra=[("Hs-Kind", kind)], id=rid,
                        kind=said(p.index, "trajectory_kinds", kind), family=fam.id,
                        volunteer=vol.id)
    reason = STARTER_HANDOVER_REASON
    if reason not in p.index.codes("close_reasons"):
        reason = "other"
        p.warn(MSG("warn-starter-other", trj=starter.id, code=STARTER_HANDOVER_REASON))
    doc = p.edit("trajectory", starter.id)
    order = _order("trajectory")
    _set(doc, "end", day, order)
    _set(doc, "close_reason", reason, order)
    p.put("trajectory", starter.id, doc)
    return p.change("trajectory.start", "trajectory.start-handover", [*records, starter.id],
                    day, created=[rid], extra=[("Hs-Kind", kind)], id=rid,
                    kind=said(p.index, "trajectory_kinds", kind),
                    family=fam.id, volunteer=vol.id, starter=starter.id)


def _within(traj: TrajectoryRow, day: dt.date, what: str) -> None:
    """``day`` must be within the trajectory (start to close, both included)."""
    if day < traj.start:
        raise TransitionError(MSG("traj-before-start", what=MSG(what), date=day, id=traj.id,
                                  start=traj.start))
    if traj.end is not None and day > traj.end:
        raise TransitionError(MSG("traj-after-close", what=MSG(what), date=day, id=traj.id,
                                  end=traj.end))


def plan_record_visit(p: Plan, trajectory: str, day: dt.date, minutes: int | None = None,
                      note: str | None = None) -> Change:
    check_text(note, "--note", "Note")
    _not_future(day)
    traj = p.trajectory(trajectory)
    _within(traj, day, "what-visit")
    if day.toordinal() in traj.visit_days:
        p.warn(MSG("warn-same-day-visit", id=traj.id, date=day))
    current = traj.volunteer_on(day)
    vol = p.index.row("volunteer", current) if current else None
    if vol is not None and not vol.active_on(day):
        ends = [pr.end for pr in vol.periods if pr.end is not None and pr.end < day]
        if ends:
            p.warn(MSG("warn-visit-stopped", id=traj.id, vol=vol.id, date=max(ends)))
    visit: dict[str, Any] = {"date": day}
    if minutes is not None:
        visit["minutes"] = minutes
    if note:
        visit["note"] = note
    if not p.insert("trajectory", traj.id, "visits", visit):
        doc = p.edit("trajectory", traj.id)
        if "visits" not in doc or not isinstance(doc["visits"], list):
            _set(doc, "visits", _node([]), _order("trajectory"))
        visits = doc["visits"]
        pos = len(visits)
        while pos > 0 and _as_date(visits[pos - 1].get("date")) > day:
            pos -= 1
        visits.insert(pos, _node(visit))
        p.put("trajectory", traj.id, doc)
    return p.change("trajectory.visit", "trajectory.visit", [traj.id], day, id=traj.id,
                    date=day)


def _as_date(value: Any) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return dt.date.min


def default_review_kind(index: Index, traj: TrajectoryRow, day: dt.date) -> str:
    """The review kind ``hs review`` assumes from the trajectory's age on ``day``.

    Before half of ``due.six_month_review_days``: ``start`` (``other`` if the trajectory
    has a start review already); before the midpoint between the six-month review and
    ``due.closing_days``: ``six-month`` (or ``other`` if it has one); later: ``closing``."""
    due = index.config.get("due") or {}
    six = int(due.get("six_month_review_days", 182))
    closing = int(due.get("closing_days", 365))
    age = (day - traj.start).days
    kinds = {r.kind for r in traj.reviews}
    if age < six // 2:
        return "other" if "start" in kinds else "start"
    if age < (six + closing) // 2:
        return "other" if "six-month" in kinds else "six-month"
    return "closing"


def _add_review(p: Plan, traj: TrajectoryRow, day: dt.date, kind: str,
                scores: Mapping[str, int], note: str | None) -> None:
    _not_future(day)
    doc = p.edit("trajectory", traj.id)
    order = _order("trajectory")
    review: dict[str, Any] = {"date": day, "kind": kind}
    if scores and traj.impact_start:
        review["scores"] = dict(scores)
    elif scores:
        if "impact" not in doc or not isinstance(doc["impact"], dict):
            _set(doc, "impact", _node({}), order)
        _set(doc["impact"], "start", _node(dict(scores)), _order("trajectory", "impact"))
        doc["impact"]["start"].fa.set_block_style()
    if note:
        review["note"] = note
    if "reviews" not in doc or not isinstance(doc["reviews"], list):
        _set(doc, "reviews", _node([]), order)
    reviews = doc["reviews"]
    pos = len(reviews)
    while pos > 0 and _as_date(reviews[pos - 1].get("date")) > day:
        pos -= 1
    node = _node(review)
    if "scores" in review:
        node["scores"].fa.set_block_style()
    reviews.insert(pos, node)
    p.put("trajectory", traj.id, doc)


def plan_record_review(p: Plan, trajectory: str, day: dt.date, kind: str | None = None,
                       scores: Mapping[str, int] | None = None,
                       note: str | None = None) -> Change:
    check_text(note, "--note", "Note")
    traj = p.trajectory(trajectory)
    if kind is not None:
        kind = _check_fixed(kind, "review_kinds")
    checked = _check_scores(p.index, scores or {})
    _within(traj, day, "what-review")
    kind = kind or default_review_kind(p.index, traj, day)
    _add_review(p, traj, day, kind, checked, note)
    return p.change("trajectory.review", "trajectory.review", [traj.id], day,
                    extra=[("Hs-Review", kind)], id=traj.id,
                    kind=said(p.index, "review_kinds", kind))


def plan_extend_trajectory(p: Plan, trajectory: str, day: dt.date,
                           scores: Mapping[str, int] | None = None,
                           note: str | None = None) -> Change:
    check_text(note, "--note", "Note")
    traj = p.trajectory(trajectory)
    checked = _check_scores(p.index, scores or {})
    if traj.end is not None:
        raise TransitionError(MSG("traj-closed", id=traj.id, date=traj.end))
    _within(traj, day, "what-extension")
    due = p.index.config.get("due") or {}
    limit = int(due.get("closing_days", 365)) - int(due.get("within_days", 7))
    age = (day - traj.start).days
    if age < limit:
        p.warn(MSG("warn-early-extension", id=traj.id, days=age, limit=limit))
    _add_review(p, traj, day, "extension", checked, note)
    return p.change("trajectory.extend", "trajectory.extend", [traj.id], day,
                    extra=[("Hs-Review", "extension")], id=traj.id)


def plan_close_trajectory(p: Plan, trajectory: str, day: dt.date, reason: str,
                          scores: Mapping[str, int] | None = None,
                          note: str | None = None) -> Change:
    check_text(note, "--note", "Note")
    _not_future(day)
    traj = p.trajectory(trajectory)
    reason = check_code(p.index, "close_reasons", reason)
    checked = _check_scores(p.index, scores or {})
    if traj.end is not None:
        raise TransitionError(MSG("traj-closed", id=traj.id, date=traj.end))
    _within(traj, day, "what-close")
    last_visit = traj.last_visit
    if last_visit is not None and last_visit > day:
        raise TransitionError(MSG("close-before", id=traj.id, what=MSG("what-visit"),
                                  last=last_visit, date=day))
    later_reviews = [r.date for r in traj.reviews if r.date > day]
    if later_reviews:
        raise TransitionError(MSG("close-before", id=traj.id, what=MSG("what-review"),
                                  last=max(later_reviews), date=day))
    later_assign = [a.start for a in traj.assignments if a.start > day]
    if later_assign:
        raise TransitionError(MSG("close-before", id=traj.id, what=MSG("what-assignment"),
                                  last=max(later_assign), date=day))
    doc = p.edit("trajectory", traj.id)
    order = _order("trajectory")
    if checked:
        if "impact" not in doc or not isinstance(doc["impact"], dict):
            _set(doc, "impact", _node({}), order)
        impact = doc["impact"]
        if traj.impact_end:
            p.warn(MSG("warn-impact-end", id=traj.id))
            for k, v in checked.items():
                impact["end"][k] = v
        else:
            _set(impact, "end", _node(checked), _order("trajectory", "impact"))
            impact["end"].fa.set_block_style()
    _set(doc, "end", day, order)
    _set(doc, "close_reason", reason, order)
    if note:
        if doc.get("note"):
            doc["note"] = f"{doc['note']}\n{note}"
        else:
            _set(doc, "note", note, order)
    p.put("trajectory", traj.id, doc)
    return p.change("trajectory.close", "trajectory.close", [traj.id], day,
                    extra=[("Hs-Reason", reason)], id=traj.id,
                    reason=said(p.index, "close_reasons", reason))


def plan_replace_volunteer(p: Plan, trajectory: str, volunteer: str,
                           day: dt.date) -> Change:
    traj = p.trajectory(trajectory)
    vol = p.volunteer(volunteer)
    if traj.end is not None and day > traj.end:
        raise TransitionError(MSG("traj-closed", id=traj.id, date=traj.end))
    _within(traj, day, "what-replacement")
    last = traj.assignments[-1]
    if last.volunteer == vol.id and (last.end is None or last.end >= day):
        raise TransitionError(MSG("same-volunteer", id=vol.id, trj=traj.id))
    if last.end is None and last.start >= day:
        raise TransitionError(MSG("replace-same-day", old=last.volunteer, id=traj.id,
                                  date=last.start))
    if last.end is not None and last.end >= day:
        raise TransitionError(MSG("replace-order", id=traj.id, date=last.start))
    fam = p.index.row("family", traj.family)
    _volunteer_for(p, vol, day, traj.kind, fam)
    doc = p.edit("trajectory", traj.id)
    seq = doc["volunteers"]
    if last.end is None:
        end = day - dt.timedelta(days=1)
        old = p.index.row("volunteer", last.volunteer)
        if old is not None and not old.active_on(end):
            # the old volunteer stopped before: the assignment ends on their last day
            ends = [pr.end for pr in old.periods if pr.end is not None
                    and last.start <= pr.end <= end]
            if ends:
                end = max(ends)
        _set(seq[-1], "end", end, _order("trajectory", "assignment"))
    seq.append(_node({"volunteer": vol.id, "start": day}))
    p.put("trajectory", traj.id, doc)
    return p.change("trajectory.replace", "trajectory.replace",
                    [traj.id, last.volunteer, vol.id], day, id=traj.id, old=last.volunteer,
                    new=vol.id)


# --- checking and writing a plan ------------------------------------------------------


@dataclass(frozen=True)
class PlanProblem:
    """A problem the plan's files would have: ``rel`` is the file, ``line`` 0 if unknown."""

    rel: str
    line: int
    message: str
    severity: str = "error"


def check_plan(p: Plan) -> list[PlanProblem]:
    """What ``hs validate`` would say about the plan's files after the change.

    Each file must pass its schema; the lifecycle rules on the records around the change
    must raise nothing they did not raise before. Returns the new problems (errors and
    warnings), for every file.

    The records around the change are those whose problems it can change
    (:func:`hs.rules.checks.records_touched`, as ``hs validate`` finds them after files
    changed). A location's own records are left out: stopping a location warns about
    what is still open there itself."""
    out: list[PlanProblem] = []
    rows: dict[str, tuple[str, Any, str]] = {}
    for fc in p.files.values():
        rf = RecordFile(fc.kind, fc.id, p.repo.root / fc.rel, fc.rel)
        res = parse_file(rf, fc.text.encode("utf-8"))
        if res.problems:
            out.extend(PlanProblem(fc.rel, q.line, q.message) for q in res.problems)
        else:
            rows[fc.id] = (fc.kind, res.row, fc.rel)
    if out:
        return out
    changed = {rid: kind for rid, (kind, _row, _rel) in rows.items() if kind != "location"}
    links = checks.trajectory_links(p.index)
    now = {**links, **{rid: checks.link_of(row) for rid, (kind, row, _rel) in rows.items()
                       if kind == "trajectory"}}
    touched, needed = checks.records_touched(p.index, changed, links, now)
    before = tree_rules(_At(), checks.index_of(p.index, needed))
    after = tree_rules(_At(), checks.index_of(p.index, needed, rows))
    known = {(q.path, q.code, q.message) for q in before}
    return [PlanProblem(q.path, 0, q.message, q.severity) for q in after
            if (q.path, q.code, q.message) not in known and id_of_path(q.path) in touched]


def recheck(p: Plan) -> list[str]:
    """:func:`check_plan`, raising :class:`WriteRejected` on the first error; returns the
    new warnings."""
    problems = check_plan(p)
    for q in problems:
        if q.severity == "error":
            where = f"{q.rel}:{q.line}" if q.line else q.rel
            raise WriteRejected(MSG("rejected", path=where, message=q.message))
    return [MSG("warn-rule", path=q.rel, message=q.message) for q in problems]


def apply(p: Plan, change: Change, commit: bool = True, checked: bool = False) -> Outcome:
    """Check the plan (unless the caller did: ``checked``), write its files and record
    them in git as one commit.

    Call under ``repo.lock()`` (the ``run`` helper does). If anything fails, every file is
    as it was."""
    root = p.repo.root
    files = list(p.files.values())
    rels = [fc.rel for fc in files]
    asked = _Background(_git_state, root, commit, rels)  # git looks while Python checks
    warnings = list(change.warnings)
    try:
        for w in ([] if checked else recheck(p)):
            if w not in warnings:
                warnings.append(w)
    finally:
        asked.wait()  # a refused change too: no git left running behind it
    st, status = asked.result()
    was_dirty = status or []
    if not st.available:
        warnings.append(MSG("warn-no-git"))
    elif not st.repo:
        warnings.append(MSG("warn-not-repo", root=root))
    if commit:
        for rel in was_dirty:
            if (root / rel).exists():
                warnings.append(MSG("warn-dirty", path=rel))
    message = gitops.CommitMessage(change.subject, change.action, change.records,
                                   change.date, change.extra) if st.repo else None
    if p.sealer is not None:  # the keys first: no token is written without its key
        p.sealer.save()
    try:  # journaled: a kill is finished or undone by the next command (hs.store.journal)
        sha = write_change(p.repo, [(fc.rel, fc.text) for fc in files], action=change.action,
                           subject=change.subject, message=message, commit=commit,
                           dirty=was_dirty,
                           # git status names paths from the top of the work tree
                           status_known=status is not None and gitops.is_top(root))
    except GitError as err:
        raise GitError(MSG("git-failed", message=err.message)) from None
    recorded: Recorded = ("committed" if commit else "staged") if st.repo else "not-recorded"
    return Outcome(change.action, change.summary, change.subject, change.records,
                   change.created, tuple(rels), tuple(warnings), recorded, sha)


def _git_state(root: Path, commit: bool,
               rels: list[str]) -> tuple[gitops.GitState, list[str] | None]:
    """Whether the commit can be made (:func:`hs.store.gitops.preflight`, which raises if
    not) and which of the files had uncommitted changes before the write (None if git
    could not tell)."""
    st = gitops.preflight(root, commit)
    return st, (gitops.status(root, rels) if st.repo else [])


class _Background:
    """A function run in a thread: git's answers (a process each, 0.1 s on a large tree)
    come while Python re-checks the plan. :meth:`result` gives its result or raises its
    error, so a refusal of the check still comes first."""

    def __init__(self, fn: Callable[..., Any], *args: Any):
        self._result: Any = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(fn, args), daemon=True)
        self._thread.start()

    def _run(self, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
        try:
            self._result = fn(*args)
        except BaseException as exc:  # handed to the caller by result()
            self._error = exc

    def wait(self) -> None:
        self._thread.join()

    def result(self) -> Any:
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._result


def run(repo: Repo, build: Callable[[Plan], Change], commit: bool = True) -> Outcome:
    """Prepare a change under the tree's lock, then check, write and commit it."""
    with repo.lock():
        p = Plan(repo)
        change = build(p)
        return apply(p, change, commit)


# --- a new records repository ------------------------------------------------------


RECORD_FOLDERS = tuple(FOLDER.values())  # one per record kind of the spec
WORKFLOW_TEMPLATE = "validate-workflow.yml"
WORKFLOW_TARGET = ".github/workflows/hs-validate.yml"


#: What ``hs init`` adds to the default config: a new repository is sealed from the start
#: (the demo's and the tests' trees, copies of the default config, stay plain), and asks
#: consent of every family and volunteer from its first day (:func:`_new_config`).
SEALED_CONFIG = ("# Names and notes are stored sealed (ciphertext), each family and volunteer "
                 "with its own key.\nsealed: true\n")


def _new_config(text: str) -> str:
    """The config of a new repository: the default one, sealed, and with
    ``retention.consent_since`` today, so that ``hs due`` lists every family and volunteer
    recorded without consent from the start (an older repository sets the day itself)."""
    text = text.replace("  consent_since: null\n", f"  consent_since: {today().isoformat()}\n")
    return text + SEALED_CONFIG


def _data(name: str) -> Path:
    return Path(__file__).resolve().parents[1] / "data" / name


def init_repository(path: Path, *, commit: bool = True,
                    install: str | None = None) -> Outcome:
    """A new records repository at ``path``: git (unless already inside a work tree), the
    records tree with the default config and vocabularies, the JSON Schemas, a CI workflow
    and a pre-commit config that run ``hs validate``, the cache ignored, a first commit.

    Files that exist already (a README, a .gitignore) are kept; the .gitignore gets the
    cache line if it lacks it. Refuses a folder that already holds a records tree.
    ``install``: where the CI workflow and the pre-commit hook install hs from (``install:``
    of the config; :mod:`hs.app.tooling`)."""
    root = path.expanduser().resolve()
    if (root / RECORDS / CONFIG_FILE).exists():
        raise TransitionError(MSG("init-exists", path=root))
    if root.exists() and not root.is_dir():
        raise UsageError(MSG("init-not-folder", path=root))
    if (root / RECORDS).exists() and any((root / RECORDS).iterdir()):
        raise TransitionError(MSG("init-records-folder", path=root / RECORDS))
    # Everything that can refuse is checked before anything is made, and a folder this
    # call made is removed again if a later step fails.
    if commit and shutil.which("git"):
        probe = next((p for p in (root, *root.parents) if p.is_dir()), Path.cwd())
        gitops.preflight_identity(probe)
    if install is not None and not re.match(INSTALL_PATTERN, install):
        raise UsageError(MSG("init-bad-install"))
    created = not root.exists()
    try:
        return _init_in(root, commit, install)
    except OSError as exc:
        if created:
            shutil.rmtree(root, ignore_errors=True)
        raise WriteRejected(MSG("init-failed", path=root,
                                reason=exc.strerror or type(exc).__name__)) from None
    except BaseException:
        if created:
            shutil.rmtree(root, ignore_errors=True)
        raise


def _init_in(root: Path, commit: bool, install: str | None) -> Outcome:
    warnings: list[str] = []
    root.mkdir(parents=True, exist_ok=True)
    st = gitops.state(root)
    if st.available and not st.repo:
        gitops.init(root)
        st = gitops.state(root)
    if st.repo:
        gitops.preflight(root, commit)
    else:
        warnings.append(MSG("warn-no-git") if not st.available
                        else MSG("warn-not-repo", root=root))
    written: list[str] = []

    def put(rel: str, text: str, keep: bool = True) -> None:
        target = root / rel
        if keep and target.exists():
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        written.append(rel)

    put(f"{RECORDS}/{CONFIG_FILE}", _new_config(tooling.config_text(install)))
    put(f"{RECORDS}/vocabularies.yaml",
        _data("vocabularies.yaml").read_text(encoding="utf-8"))
    for folder in RECORD_FOLDERS:
        put(f"{RECORDS}/{folder}/.gitkeep", "")
    ignore = root / ".gitignore"
    template = _data("gitignore").read_text(encoding="utf-8")
    if ignore.exists():
        old = ignore.read_text(encoding="utf-8")
        if not any(line.strip() in (".hs", ".hs/", "/.hs/", "/.hs") for line in
                   old.splitlines()):
            put(".gitignore", old + ("" if old.endswith("\n") or not old else "\n")
                + template, keep=False)
    else:
        put(".gitignore", template)
    put(tooling.PRECOMMIT, tooling.precommit_config(install))
    put(tooling.VSCODE, tooling.editor_settings_text(root), keep=False)
    put(".gitattributes", _data("gitattributes").read_text(encoding="utf-8"))
    put("README.md", _data("records-readme.md").read_text(encoding="utf-8"))
    workflow = _data(WORKFLOW_TEMPLATE)
    if workflow.is_file():
        put(WORKFLOW_TARGET, workflow.read_text(encoding="utf-8"))
    else:
        warnings.append(MSG("warn-no-workflow", path=WORKFLOW_TARGET))
    before = set((root / "schemas").glob("*.json")) if (root / "schemas").exists() \
        else set()
    tooling.write_repo_schemas(root)
    for f in sorted((root / "schemas").glob("*.json")):
        if f not in before:
            written.append(f"schemas/{f.name}")
    sha: str | None = None
    if st.repo and written:
        message = gitops.CommitMessage(_en("repo.init"), "repo.init", (), None)
        sha = gitops.record(root, written, message, commit)
    recorded: Recorded = ("committed" if commit else "staged") if st.repo else "not-recorded"
    return Outcome("repo.init", MSG("repo.init-done", path=root), _en("repo.init"), (), (),
                   tuple(written), tuple(warnings), recorded, sha)


# --- the public functions: one per command ------------------------------------------


def add_location(repo: Repo, code: str, name: str, municipalities: Sequence[str],
                 active_from: dt.date, *, partner: str | None = None,
                 fte: float | None = None, commit: bool = True) -> Outcome:
    return run(repo, lambda p: plan_add_location(p, code, name, municipalities, active_from,
                                                 partner, fte), commit)


def stop_location(repo: Repo, location: str, day: dt.date, *, commit: bool = True) -> Outcome:
    return run(repo, lambda p: plan_stop_location(p, location, day), commit)


def add_volunteer(repo: Repo, location: str, gender: str, birth_year: int, *,
                  commit: bool = True, **options: Any) -> Outcome:
    """Options: name, languages, roles, municipality, joined, checked, availability,
    capacity, preferences, note (see :func:`plan_add_volunteer`)."""
    return run(repo, lambda p: plan_add_volunteer(p, location, gender, birth_year,
                                                  **options), commit)


def stop_volunteer(repo: Repo, volunteer: str, day: dt.date, reason: str, *,
                   commit: bool = True) -> Outcome:
    return run(repo, lambda p: plan_stop_volunteer(p, volunteer, day, reason), commit)


def train_volunteer(repo: Repo, volunteer: str, step: str, day: dt.date, *,
                    commit: bool = True) -> Outcome:
    return run(repo, lambda p: plan_train_volunteer(p, volunteer, step, day), commit)


def activate_volunteer(repo: Repo, volunteer: str, day: dt.date, *, force: bool = False,
                       commit: bool = True) -> Outcome:
    return run(repo, lambda p: plan_activate_volunteer(p, volunteer, day, force), commit)


def check_volunteer(repo: Repo, volunteer: str, day: dt.date, *,
                    commit: bool = True) -> Outcome:
    return run(repo, lambda p: plan_check_volunteer(p, volunteer, day), commit)


def refer_family(repo: Repo, day: dt.date, referrer: str, *, commit: bool = True,
                 **options: Any) -> Outcome:
    """Options: location, family, name, municipality, children, expecting, languages,
    flags, parent_birth_years, note (see :func:`plan_refer_family`)."""
    return run(repo, lambda p: plan_refer_family(p, day, referrer, **options), commit)


def accept_family(repo: Repo, family: str, day: dt.date, *, commit: bool = True) -> Outcome:
    return run(repo, lambda p: plan_accept_family(p, family, day), commit)


def refuse_family(repo: Repo, family: str, day: dt.date, reason: str, *,
                  commit: bool = True) -> Outcome:
    return run(repo, lambda p: plan_refuse_family(p, family, day, reason), commit)


def withdraw_family(repo: Repo, family: str, day: dt.date, reason: str, *,
                    commit: bool = True) -> Outcome:
    return run(repo, lambda p: plan_withdraw_family(p, family, day, reason), commit)


def start_trajectory(repo: Repo, family: str, volunteer: str, day: dt.date, *,
                     kind: str = "buddy", note: str | None = None,
                     commit: bool = True) -> Outcome:
    return run(repo, lambda p: plan_start_trajectory(p, family, volunteer, day, kind, note),
               commit)


def record_visit(repo: Repo, trajectory: str, day: dt.date, *, minutes: int | None = None,
                 note: str | None = None, commit: bool = True) -> Outcome:
    return run(repo, lambda p: plan_record_visit(p, trajectory, day, minutes, note), commit)


def _item(item: str, build: Callable[[], Any], batch: bool) -> Any:
    """One item of a batch: its refusal names the item (an ID, a date, a code)."""
    try:
        return build()
    except HsError as err:
        if batch:
            err.message = MSG("batch-item", item=item, message=err.message)
        raise


def plan_record_visits(p: Plan, trajectories: Sequence[str], days: Sequence[dt.date],
                       minutes: int | None = None, note: str | None = None) -> Change:
    """A visit in every trajectory on every day, as one change: each checked as a single
    visit is (the first refused one refuses the whole batch, naming it)."""
    done: list[tuple[str, dt.date]] = []
    last: Change | None = None
    batch = len(set(trajectories)) * len(set(days)) > 1
    for trajectory in _unique(trajectories):
        trj = _item(trajectory, partial(p.trajectory, trajectory), batch).id
        for day in sorted(set(days)):
            if (trj, day) in done:
                continue
            last = _item(f"{trj} {day.isoformat()}",
                         partial(plan_record_visit, p, trj, day, minutes, note), batch)
            done.append((trj, day))
    if last is None:
        raise UsageError(MSG("batch-empty"))
    if len(done) == 1:
        return last
    ids = list(dict.fromkeys(t for t, _ in done))
    dates = sorted({d for _, d in done})
    which = (MSG("n-trajectories-1", id=ids[0]) if len(ids) == 1
             else MSG("n-trajectories", n=len(ids)))
    which_en = (_en("n-trajectories-1", id=ids[0]) if len(ids) == 1
                else _en("n-trajectories", n=len(ids)))
    shown_dates = ", ".join(format_date(d, language()) for d in dates)
    change = p.change("trajectory.visit", "trajectory.visits", ids, None,
                      extra=[("Hs-Date", d.isoformat()) for d in dates], n=len(done),
                      trajectories=which, dates=shown_dates)
    change.subject = _en("trajectory.visits", n=len(done), trajectories=which_en,
                         dates=", ".join(d.isoformat() for d in dates))
    return change


def record_visits(repo: Repo, trajectories: Sequence[str], days: Sequence[dt.date], *,
                  minutes: int | None = None, note: str | None = None,
                  commit: bool = True) -> Outcome:
    """Visits in several trajectories on several days (every one on every day): one
    commit, or nothing written at all."""
    return run(repo, lambda p: plan_record_visits(p, trajectories, days, minutes, note),
               commit)


def plan_train_steps(p: Plan, volunteer: str, steps: Sequence[str], day: dt.date) -> Change:
    """Several training steps of one volunteer on one day, as one change."""
    done: list[str] = []
    last: Change | None = None
    for step in steps:
        last = _item(step, partial(plan_train_volunteer, p, volunteer, step, day),
                     len(steps) > 1)
        code = dict(last.extra).get("Hs-Step", step)
        if code not in done:
            done.append(code)
    if last is None:
        raise UsageError(MSG("batch-empty"))
    if len(done) == 1:
        return last
    vid = last.records[0]
    return p.change("volunteer.train", "volunteer.train-many", [vid], day,
                    extra=[("Hs-Step", s) for s in done], id=vid,
                    steps=", ".join(said(p.index, "training_steps", s) for s in done))


def train_steps(repo: Repo, volunteer: str, steps: Sequence[str], day: dt.date, *,
                commit: bool = True) -> Outcome:
    return run(repo, lambda p: plan_train_steps(p, volunteer, steps, day), commit)


def record_review(repo: Repo, trajectory: str, day: dt.date, *, kind: str | None = None,
                  scores: Mapping[str, int] | None = None, note: str | None = None,
                  commit: bool = True) -> Outcome:
    return run(repo, lambda p: plan_record_review(p, trajectory, day, kind, scores, note),
               commit)


def close_trajectory(repo: Repo, trajectory: str, day: dt.date, reason: str, *,
                     scores: Mapping[str, int] | None = None, note: str | None = None,
                     commit: bool = True) -> Outcome:
    return run(repo, lambda p: plan_close_trajectory(p, trajectory, day, reason, scores,
                                                     note), commit)


def replace_volunteer(repo: Repo, trajectory: str, volunteer: str, day: dt.date, *,
                      commit: bool = True) -> Outcome:
    return run(repo, lambda p: plan_replace_volunteer(p, trajectory, volunteer, day), commit)


def extend_trajectory(repo: Repo, trajectory: str, day: dt.date, *,
                      scores: Mapping[str, int] | None = None, note: str | None = None,
                      commit: bool = True) -> Outcome:
    return run(repo, lambda p: plan_extend_trajectory(p, trajectory, day, scores, note),
               commit)


__all__ = [
    "Change", "FamilyState", "FileChange", "Outcome", "Plan", "accept_family",
    "activate_volunteer", "add_location", "add_volunteer", "apply", "check_code",
    "check_volunteer", "close_trajectory", "default_review_kind", "extend_trajectory",
    "family_state", "record_review", "record_visit", "refer_family", "refuse_family",
    "replace_volunteer", "run", "start_trajectory", "stop_location", "stop_volunteer",
    "train_volunteer", "withdraw_family",
]
