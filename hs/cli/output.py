"""Output of tables in every format: table (Rich), json, csv, markdown, plain (tabulate).

Data goes to stdout, messages to stderr. Without ``--format``, a terminal gets a Rich table
and a pipe gets plain text. ``NO_COLOR`` is honoured. JSON is a list of objects whose keys
are the column keys (documented per command in docs/cli.md), with ISO dates and ``null``.

Nothing printed can steer a terminal: a control character in a value (an escape sequence
in a name or note typed by hand into a file) is shown as an escape (``\\e[2J``, ``\\x07``)
in every text format (table, plain, markdown, csv: a CSV is often read on a terminal), and
JSON escapes it as ``\\u001b`` (the same data). :func:`safe` does it for text written
outside a table (``hs show``), and the error printer for messages.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
import sys
from collections.abc import Sequence
from typing import Any, Literal

from hs.app.tables import Column as Column
from hs.app.tables import Table as Table
from hs.records.problems import CONTROLS, escape_controls, json_controls, quotable

Format = Literal["table", "json", "csv", "markdown", "plain"]
FORMATS: tuple[str, ...] = ("table", "json", "csv", "markdown", "plain")


def default_format() -> str:
    return "table" if sys.stdout.isatty() else "plain"


def resolve_format(fmt: str | None) -> str:
    if fmt is None:
        return default_format()
    if fmt not in FORMATS:
        from hs.base.errors import UsageError
        from hs.base.i18n import language

        text = ("onbekend formaat {fmt}; kies uit {all}" if language() == "nl"
                else "unknown format {fmt}; use one of {all}")
        raise UsageError(text.format(fmt=quoted(fmt, "code"), all=", ".join(FORMATS)))
    return fmt


def json_value(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): json_value(v) for k, v in value.items()}
    return value


def text_value(value: Any) -> str:
    kind = type(value)
    if kind is str:  # most cells: answered first (thousands of rows are printed at once)
        return value  # type: ignore[no-any-return]
    if value is None:
        return ""
    if kind is int:
        return str(value)
    if isinstance(value, bool):
        from hs.base.i18n import language

        if language() == "nl":
            return "ja" if value else "nee"
        return "yes" if value else "no"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))
    if isinstance(value, tuple | list):
        return ", ".join(text_value(v) for v in value)
    return str(value)


def _csv_value(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return text_value(value)


def plain_table(headers: list[str], body: list[list[str]], align: Sequence[str]) -> str:
    """What tabulate's "plain" format prints for one-line cells, ten times faster (a
    waiting list of thousands of rows spent most of its time in tabulate)."""
    widths = [len(h) + 2 for h in headers]
    if not body:
        align = ["left"] * len(headers)  # as tabulate, which ignores colalign then
    for row in body:
        for i, cell in enumerate(row):
            if len(cell) > widths[i]:
                widths[i] = len(cell)

    def line(cells: list[str]) -> str:
        return "  ".join(cell.rjust(w) if a == "right" else cell.ljust(w)
                         for cell, w, a in zip(cells, widths, align, strict=True)).rstrip()

    return "\n".join([line(headers), *(line(row) for row in body)])


def safe(text: str) -> str:
    """Text for a terminal: control characters escaped, line feeds and tabs kept."""
    return escape_controls(text, keep="\n\t")


_QUOTED = re.compile(r"""^(?P<q>['"])(?P<v>.*)(?P=q)(?= (is not|does not) )""", re.S)


def quoted(value: str, shape: str) -> str:
    """A value typed on the command line, for a message: quoted when it has the form the
    option takes (``shape``: code, number, date), else "(value not shown)"."""
    if quotable(value, shape):
        return f"'{escape_controls(value)}'"
    from hs.base.i18n import language

    return "(waarde niet getoond)" if language() == "nl" else "(value not shown)"


_PARAM_SHAPES = {"integer": "number", "int": "number", "float": "number",
                 "int range": "number", "float range": "number", "choice": "code",
                 "datetime": "date"}


def usage_text(text: str, err: Any = None) -> str:
    """A usage error of the command line (Click's: ``'Jan Peeters' is not a valid
    integer``) as hs says it: the value given is quoted only when it has the form the
    option takes (a number, a code of a choice, a date:
    :func:`hs.records.problems.quotable`), and control characters are escaped."""
    m = _QUOTED.match(text)
    kind = getattr(getattr(getattr(err, "param", None), "type", None), "name", "")
    shape = _PARAM_SHAPES.get(str(kind), "code")
    if m and not quotable(m["v"], shape):
        text = quoted(m["v"], shape) + text[m.end():]
    return escape_controls(text, keep="\n")


def json_text(data: Any) -> str:
    """Data as indented JSON that no terminal acts on (DEL and C1 controls escaped too)."""
    return json_controls(json.dumps(data, ensure_ascii=False, indent=2))


def render(table: Table, fmt: str) -> str:
    """A table as text in one format (without the trailing newline), control characters
    escaped (see the module's text)."""
    if fmt == "table":
        return _rich(table)
    return safe(_render(table, fmt)) if fmt != "json" else _render(table, fmt)


def _render(table: Table, fmt: str) -> str:
    if fmt == "json":
        return json_text([{c.key: json_value(r.get(c.key)) for c in table.columns}
                          for r in table.rows])
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow([c.key for c in table.columns])
        for r in table.rows:  # for programs: yes/no in every language
            w.writerow([_csv_value(r.get(c.key)) for c in table.columns])
        return buf.getvalue().rstrip("\n")
    if fmt in ("markdown", "plain"):
        body = [[text_value(r.get(c.key)) for c in table.columns] for r in table.rows]
        body = [row if CONTROLS.search("".join(row)) is None else [safe(c) for c in row]
                for row in body]  # cells escaped before they are measured
        align = [c.align for c in table.columns]
        if fmt == "plain" and not any("\n" in cell for row in body for cell in row):
            return plain_table([c.header for c in table.columns], body, align)
        from tabulate import tabulate

        text = tabulate(body, headers=[c.header for c in table.columns],
                        tablefmt="github" if fmt == "markdown" else "plain",
                        colalign=align if body else None, disable_numparse=True)
        return text
    return _rich(table)


def console(stderr: bool = False, width: int | None = None) -> Any:
    from rich.console import Console

    env_width = os.environ.get("COLUMNS")
    if width is None and env_width and env_width.isdigit():
        width = int(env_width)
    return Console(stderr=stderr, width=width, highlight=False,
                   no_color=bool(os.environ.get("NO_COLOR")) or None)


def _rich(table: Table) -> str:
    from rich import box
    from rich.table import Table as RichTable
    from rich.text import Text

    t = RichTable(title=safe(table.title) if table.title else table.title,
                  caption=safe(table.caption) if table.caption else table.caption,
                  box=box.SIMPLE_HEAVY,
                  title_justify="left")
    for c in table.columns:
        t.add_column(c.header, justify=c.align, overflow="fold")
    for r in table.rows:
        t.add_row(*[Text(safe(text_value(r.get(c.key)))) for c in table.columns])  # no markup
    con = console()
    with con.capture() as cap:
        con.print(t)
    return str(cap.get()).rstrip("\n")


def emit(tables: Table | Sequence[Table], fmt: str | None) -> None:
    """Print one table or several (each titled in plain and Markdown)."""
    fmt = resolve_format(fmt)
    many = [tables] if isinstance(tables, Table) else list(tables)
    parts = []
    for t in many:
        text = render(t, fmt)
        if fmt in ("plain", "markdown") and len(many) > 1:
            text = f"{t.title}\n{text}"
        parts.append(text)
    sys.stdout.write("\n\n".join(parts) + "\n")


def message(text: str) -> None:
    """A message for the user (stderr)."""
    sys.stderr.write(escape_controls(text, keep="\n") + "\n")
