"""Tables as the application gives them: columns and rows of values, rendered by the
command line (:mod:`hs.cli.output`) and the report (:mod:`hs.app.report`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal


@dataclass(frozen=True)
class Column:
    key: str  # JSON key and CSV header: stable, English, snake_case
    header: str  # shown header, in the user's language
    align: Literal["left", "right"] = "left"


@dataclass
class Table:
    title: str
    columns: list[Column]
    rows: list[dict[str, Any]] = field(default_factory=list)
    caption: str | None = None
