"""Problems found in records: one line each, ``path:line:col: error[code]: message``."""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from typing import Any, Literal

from hs.base.i18n import Catalog
from hs.records.spec import ENUMS, TYPES

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Problem:
    path: str
    line: int
    col: int
    code: str
    message: str
    severity: Severity = "error"

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: {self.severity}[{self.code}]: {self.message}"

    def as_dict(self) -> dict[str, object]:
        return asdict(self)

    def as_tuple(self) -> tuple[str, int, int, str, str, Severity]:
        """The fields in order, as ``Problem(*t)`` takes them back (for marshal)."""
        return (self.path, self.line, self.col, self.code, self.message, self.severity)

    def as_github(self) -> str:
        kind = "error" if self.severity == "error" else "warning"
        msg = self.message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        path = self.path.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A") \
            .replace(",", "%2C").replace(":", "%3A")
        return escape_controls(
            f"::{kind} file={path},line={self.line},col={self.col},"
            f"title={self.code}::{msg}")


def sort_key(p: Problem) -> tuple[str, int, int, str]:
    return (p.path, p.line, p.col, p.code)


def render(problems: list[Problem], fmt: str) -> str:
    """Problems as text (one line each), JSON (a list of objects) or GitHub annotations;
    a control character (in a file name, say) is escaped in each (:func:`escape_controls`)."""
    if fmt == "json":
        return json_controls(json.dumps([p.as_dict() for p in problems], ensure_ascii=False,
                                        indent=2))
    if fmt == "github":
        return "\n".join(p.as_github() for p in problems)
    return escape_controls("\n".join(str(p) for p in problems), keep="\n")


# --- control characters ---------------------------------------------------------------------

#: Every control character: C0, DEL and C1 (U+0080-U+009F, which some terminals read as
#: ESC sequences too).
CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CONTROLS_BUT_LF = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")
_CONTROLS_BUT_LF_TAB = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_JSON_RAW = re.compile(r"[\x7f-\x9f]")  # json.dumps escapes the others itself
_NAMES = {"\t": "\\t", "\n": "\\n", "\r": "\\r", "\x1b": "\\e"}


def _escaped(m: re.Match[str]) -> str:
    char = m.group()
    return _NAMES.get(char) or f"\\x{ord(char):02x}"


def escape_controls(text: str, keep: str = "") -> str:
    """``text`` with every control character shown as an escape (``\\e``, ``\\x07``,
    ``\\x9b``, ``\\r``), so that nothing printed can move the cursor, clear or retitle a
    terminal. ``keep``: ``"\\n"`` or ``"\\n\\t"`` keep line feeds (and tabs) as they are."""
    pattern = (CONTROLS if not keep else _CONTROLS_BUT_LF if keep == "\n"
               else _CONTROLS_BUT_LF_TAB)
    if pattern.search(text) is None:
        return text
    return pattern.sub(_escaped, text)


def json_controls(text: str) -> str:
    """JSON text (from ``json.dumps(..., ensure_ascii=False)``) with DEL and the C1
    controls escaped as ``\\u0080``...: the same data, and nothing a terminal acts on."""
    if _JSON_RAW.search(text) is None:
        return text
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def text_fault(value: str, type_name: str = "Text") -> str | None:
    """What is wrong with a text for a ``Text`` or ``Note`` field (the pattern of
    :data:`hs.records.spec.TYPES`): ``"control"`` (a control character), ``"blank"``
    (nothing but spaces), or None."""
    if re.fullmatch(TYPES[type_name].pattern or "", value):
        return None
    allowed = _CONTROLS_BUT_LF_TAB if type_name == "Note" else CONTROLS
    return "control" if allowed.search(value) else "blank"


# --- which values a message may quote --------------------------------------------------------

#: The shape a value must have to be quoted in a message, by the form of its field's type
#: (docs/design.md, "Messages never quote a misplaced value").
_SHAPES = {
    "date": re.compile(r"[0-9][0-9./ :T+-]{0,29}"),
    "number": re.compile(r"[+-]?[0-9][0-9_.,eE+-]{0,29}"),
    "code": re.compile(r"[a-z0-9][a-z0-9_-]{0,39}"),
    # a record or location ID: a code, or a generated ID in any case ("F87WSPKQW")
    "id": re.compile(r"[a-z0-9][a-z0-9_-]{0,39}|(?i:[a-z][0-9a-hjkmnp-tv-z]{8})"),
}
_FORMS = {"dt.date": "date", "YearMonth": "date", "int": "number", "float": "number",
          "Year": "number", "Score": "number", "bool": "code", "Code": "code",
          "LocationId": "code", "RecordId": "code", "FamilyId": "code",
          "VolunteerId": "code", "Language": "code", "HalfDay": "code",
          **{name: "code" for name in ENUMS}}


def shape_of(type_text: str) -> str | None:
    """The form a field's type takes (``date``, ``number``, ``code``), or None for text
    and groups: from the type as the spec writes it (``dt.date | None``, ``list[Code]``,
    ``dict[Code, dt.date]`` for its values)."""
    t = type_text.split("|")[0].strip()
    if t.startswith("list[") or t.startswith("dict["):
        t = t[t.index("[") + 1:-1].split(",")[-1].strip()
    return _FORMS.get(t)


def quotable(value: Any, shape: str | None) -> bool:
    """Whether a message may quote ``value``, found in (or given for) a field whose type
    has the form ``shape``: only a value that has that form itself (a mistyped date, an
    unknown code, a number out of range). Anything else may be personal data in the
    wrong place (a name typed into a birth month) and is described, never quoted. A
    personal field (``personal=True`` in the spec) has no shape: nothing is quoted."""
    if shape is None or isinstance(value, bool) or value is None:
        return False
    if isinstance(value, int | float):
        return shape == "number"
    return isinstance(value, str) and _SHAPES[shape].fullmatch(value) is not None


_HINTS = Catalog("records.problems")


def did_you_mean(name: str) -> str:
    """The hint that names the value a mistyped one was probably meant to be."""
    return _HINTS("did-you-mean", name=name)


def suggest(code: str, valid: list[str]) -> str:
    """A hint for an unknown code: the nearest valid one, else the valid ones."""
    import difflib  # lazy: start-up time (4 ms, for every command; needed only here)

    near = difflib.get_close_matches(code, valid, n=1, cutoff=0.5)
    if near:
        return did_you_mean(near[0])
    shown = valid if len(valid) <= 12 else [*valid[:12], "..."]
    return _HINTS("valid-codes", codes=", ".join(shown))
