"""Problems found in records: one line each, ``path:line:col: error[code]: message``."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Literal

from hs.base.i18n import Catalog

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
        return (
            f"::{kind} file={self.path},line={self.line},col={self.col},"
            f"title={self.code}::{msg}"
        )


def sort_key(p: Problem) -> tuple[str, int, int, str]:
    return (p.path, p.line, p.col, p.code)


def render(problems: list[Problem], fmt: str) -> str:
    """Problems as text (one line each), JSON (a list of objects) or GitHub annotations."""
    if fmt == "json":
        return json.dumps([p.as_dict() for p in problems], ensure_ascii=False, indent=2)
    if fmt == "github":
        return "\n".join(p.as_github() for p in problems)
    return "\n".join(str(p) for p in problems)


_HINTS = Catalog({
    "did-you-mean": ("; did you mean '{name}'?", "; bedoel je '{name}'?"),
    "valid-codes": ("; valid: {codes}", "; geldig: {codes}"),
})


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
