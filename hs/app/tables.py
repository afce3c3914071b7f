"""Tables as the application gives them: columns and rows of values, rendered by the
command line (:mod:`hs.cli.output`) and the report (:mod:`hs.app.report`).

On a narrow terminal a table is fitted to the width (:func:`hs.cli.output.render`): a
column that is ``text`` (names, notes, municipalities, reasons) may be shortened with
"…" down to ``min_width``, or, when it ``wraps`` (a reason, what is due: text that says
what to do), wrapped between its words onto more lines; any other column (IDs, dates,
codes, numbers) is never broken or shortened. When even that does not fit, columns are
left out, the highest ``priority`` number first (0: kept the longest; the first column
is always kept); a
column with no value in any row goes before anything is shortened. ``--wide`` shows every
column, IDs, dates, codes and numbers whole and text wrapped between words: the table is
as wide as it needs, wider than the terminal if it must. Piped output keeps every column
whole.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal


@dataclass(frozen=True)
class Column:
    key: str  # JSON key and CSV header: stable, English, snake_case
    header: str  # shown header, in the user's language
    align: Literal["left", "right"] = "left"
    text: bool = False  # free text: may be shortened with "…" on a narrow terminal
    priority: int = 0  # on a narrow terminal, the highest number is left out first
    min_width: int = 8  # a text column is not shortened below this
    wraps: bool = False  # text that is read whole (a reason, what is due): wrapped
    # between its words onto more lines instead of shortened with "…"


@dataclass
class Table:
    title: str
    columns: list[Column]
    rows: list[dict[str, Any]] = field(default_factory=list)
    caption: str | None = None
