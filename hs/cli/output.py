"""Output of tables in every format: table (Rich), json, csv, excel, markdown, plain
(tabulate).

Data goes to stdout, messages to stderr. Without ``--format``, a terminal gets a Rich table
and a pipe gets plain text. ``NO_COLOR`` is honoured. JSON is a list of objects whose keys
are the column keys (documented per command in docs/cli.md), with ISO dates and ``null``.

The terminal table is for reading: numbers and dates in the user's language
(:mod:`hs.base.readable`: "48,6%", "14/03/2025" in Dutch), fitted to the terminal's width
(:func:`fit`: text shortened with "…" or, in a column that ``wraps``, wrapped onto more
lines, columns left out by priority, IDs, dates, codes and numbers never broken;
``--wide`` shows every column; Rich lays out the title, header and caption, the rows
are written directly, :func:`_fast_rows`, the same text as Rich's). The machine formats
keep ISO dates and decimal points;
``excel`` is CSV for Belgian Excel, for people (``;``, a decimal comma, UTF-8 with a
byte-order mark, the column headers and ``ja``/``nee`` in the user's language, as the
terminal table; ``csv`` and ``json`` keep the column keys and ``yes``/``no``). Markdown
cells escape ``|`` and line breaks.

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
from hs.base.readable import format_date, format_number
from hs.base.terminal import is_terminal
from hs.records.problems import CONTROLS, escape_controls, json_controls, quotable

Format = Literal["table", "json", "csv", "excel", "markdown", "plain"]
FORMATS: tuple[str, ...] = ("table", "json", "csv", "excel", "markdown", "plain")
#: Formats read by programs: codes rather than labels, IDs only unless --names.
MACHINE_FORMATS = frozenset({"json", "csv", "excel"})


def default_format() -> str:
    return "table" if is_terminal(sys.stdout) else "plain"


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


def _excel_value(value: Any) -> str:
    """A cell for Belgian Excel, for people: a decimal comma, ``ja``/``nee`` in Dutch
    (ISO dates, which Excel reads as dates)."""
    if isinstance(value, float):
        return text_value(value).replace(".", ",")
    if isinstance(value, tuple | list):
        return ", ".join(_excel_value(v) for v in value)
    return text_value(value)


def readable_value(value: Any, lang: str) -> str:
    """A cell of the terminal table: dates and numbers in the user's language
    (:mod:`hs.base.readable`), anything else as :func:`text_value`."""
    if isinstance(value, dt.date):
        return format_date(value, lang)
    if isinstance(value, float):
        return format_number(value, lang)
    if isinstance(value, tuple | list):
        return ", ".join(readable_value(v, lang) for v in value)
    return text_value(value)


def _markdown_cell(cell: str) -> str:
    """A Markdown table cell: a ``|`` escaped, line breaks as ``<br>``."""
    return cell.replace("|", "\\|").replace("\n", "<br>")


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


def render(table: Table, fmt: str, width: int | None = None, wide: bool = False) -> str:
    """A table as text in one format (without the trailing newline), control characters
    escaped (see the module's text). ``width``: the terminal table's width (default: the
    terminal's, or every column whole when stdout is not a terminal); ``wide``: every
    column, wrapping text only."""
    if fmt == "table":
        return _rich(table, width, wide)
    return safe(_render(table, fmt)) if fmt != "json" else _render(table, fmt)


def _render(table: Table, fmt: str) -> str:
    if fmt == "json":
        return json_text([{c.key: json_value(r.get(c.key)) for c in table.columns}
                          for r in table.rows])
    if fmt in ("csv", "excel"):
        buf = io.StringIO()
        excel = fmt == "excel"
        w = csv.writer(buf, lineterminator="\n", delimiter=";" if excel else ",")
        cell = _excel_value if excel else _csv_value
        # csv is for programs (the keys, yes/no in every language); excel for people
        # (the headers of the terminal table, ja/nee in Dutch)
        w.writerow([" ".join(c.header.split()) if excel else c.key for c in table.columns])
        for r in table.rows:
            w.writerow([cell(r.get(c.key)) for c in table.columns])
        return buf.getvalue().rstrip("\n")
    if fmt in ("markdown", "plain"):
        body = [[text_value(r.get(c.key)) for c in table.columns] for r in table.rows]
        body = [row if CONTROLS.search("".join(row)) is None else [safe(c) for c in row]
                for row in body]  # cells escaped before they are measured
        align = [c.align for c in table.columns]
        headers = [c.header for c in table.columns]
        if fmt == "markdown":
            body = [[_markdown_cell(c) for c in row] for row in body]
            headers = [_markdown_cell(h) for h in headers]
        if fmt == "plain" and not any("\n" in cell for row in body for cell in row):
            return plain_table(headers, body, align)
        from tabulate import tabulate

        text = tabulate(body, headers=headers,
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


#: What Rich's box adds to the columns' widths: a padding each side and one separator
#: between columns, and one at each edge (SIMPLE_HEAVY: 3 per column, plus 1).
def _frame(n: int) -> int:
    return 3 * n + 1


def _width_of(cell: str) -> int:
    if cell.isascii() and cell.isprintable():  # most cells: one column a character
        return len(cell)
    from rich.cells import cell_len

    return max((cell_len(line) for line in cell.split("\n")), default=0)


def fit(columns: list[Column], cells: list[list[str]], width: int | None,
        wide: bool = False) -> list[tuple[int, int]]:
    """Which columns a table of ``width`` characters shows, and how wide each is: pairs of
    (column position, width). IDs, dates, codes and numbers keep their whole width (only
    a header may wrap between words); text columns get at least their ``min_width`` (or
    their whole width if smaller), shortened with "…" (a column that ``wraps``: wrapped
    between words, at least as wide as its longest word); when that does not fit, columns
    are left out, the highest ``priority`` first, the rightmost of equal priority first,
    never the first column. The room left goes to the shortened texts, evenly, then to
    the wrapped headers. A column with no value in any row is left out first, before
    anything is shortened. ``width=None``: every column whole. ``wide``: every column,
    IDs, dates, codes and numbers whole, text wrapped between its words (never narrower
    than its longest word) only as far as needed to fit ``width``: the table may be
    wider than ``width``."""
    whole, least = [], []
    for i, c in enumerate(columns):
        values = max((_width_of(row[i]) for row in cells), default=0)
        if c.text:
            w = max(values, _width_of(c.header))
            whole.append(w)
            floor = c.min_width
            if c.wraps:  # wrapped between words: never narrower than its longest word
                floor = max([floor] + [_width_of(word) for row in cells
                                       for word in row[i].split()])
            least.append(min(w, floor))
        else:  # never narrower than a value; the header may wrap between its words
            whole.append(max(values, _width_of(c.header)))
            least.append(max(values, max((_width_of(word) for word in c.header.split()),
                                         default=0)))
    keep = list(range(len(columns)))
    if width is None:
        return [(i, whole[i]) for i in keep]
    if wide:
        return _fit_wide(columns, cells, width, whole)
    if cells and _frame(len(keep)) + sum(whole) > width:  # empty columns go first
        keep = [i for i in keep if i == 0 or any(row[i] for row in cells)]

    def need(kept: list[int]) -> int:
        return _frame(len(kept)) + sum(least[i] for i in kept)

    while len(keep) > 1 and need(keep) > width:
        keep.remove(max(keep[1:], key=lambda i: (columns[i].priority, i)))
    sizes = {i: least[i] for i in keep}
    room = width - need(keep)
    growing = [i for i in keep if columns[i].text and sizes[i] < whole[i]]
    while room > 0 and growing:  # share the room out evenly among the shortened texts
        share = max(1, room // len(growing))
        for i in list(growing):
            add = min(share, whole[i] - sizes[i], room)
            sizes[i] += add
            room -= add
            if sizes[i] >= whole[i]:
                growing.remove(i)
            if room <= 0:
                break
    for i in keep:  # then a header on one line
        add = min(whole[i] - sizes[i], room)
        if add > 0:
            sizes[i] += add
            room -= add
    return [(i, sizes[i]) for i in keep]


def _fit_wide(columns: list[Column], cells: list[list[str]], width: int,
              whole: list[int]) -> list[tuple[int, int]]:
    """:func:`fit` for ``--wide``: the widest text column is narrowed first, a column at
    a time, down to its longest word (or ``min_width``)."""
    from rich.cells import cell_len

    sizes = list(whole)
    floor = list(whole)
    for i, c in enumerate(columns):
        if c.text:
            words = [w for row in cells for w in row[i].split()] + c.header.split()
            longest = max((cell_len(w) for w in words), default=0)
            floor[i] = min(whole[i], max(c.min_width, longest))
    over = _frame(len(columns)) + sum(sizes) - width
    while over > 0:
        narrower = [i for i in range(len(columns)) if sizes[i] > floor[i]]
        if not narrower:
            break  # wider than the terminal: nothing is broken
        i = max(narrower, key=lambda j: (sizes[j], j))
        sizes[i] -= 1
        over -= 1
    return list(enumerate(sizes))


def shorten(text: str, width: int) -> str:
    """Each line of ``text`` in ``width`` characters, ending in "…": cut between words
    when that keeps two thirds of it, else within the last word (a long name); a word
    with a digit (a date, an ID, a number) is never cut: shown whole or not at all."""
    from rich.cells import cell_len, set_cell_size

    out = []
    for line in text.split("\n"):
        if cell_len(line) <= width:
            out.append(line)
            continue
        room = max(width - 1, 0)
        head = set_cell_size(line, room)
        whole_word = len(head) < len(line) and line[len(head)] == " "
        cut = head.rfind(" ")
        word = line[cut + 1:].split(" ", 1)[0]
        if not whole_word and (cut >= room * 2 // 3 or any(ch.isdigit() for ch in word)):
            head = head[:max(cut, 0)]  # the last word did not fit whole: left out
        head = head.rstrip()
        out.append(head + "…")
    return "\n".join(out)


def _rich(table: Table, width: int | None = None, wide: bool = False) -> str:
    from rich import box
    from rich.table import Table as RichTable
    from rich.text import Text

    from hs.base.i18n import language

    lang = language()
    con = console(width=width)
    if width is None and (con.is_terminal or os.environ.get("COLUMNS", "").isdigit()):
        width = con.width  # else piped: every column whole
    cells = [[safe(readable_value(r.get(c.key), lang)) for c in table.columns]
             for r in table.rows]
    shown = fit(table.columns, cells, width, wide)
    t = RichTable(title=safe(table.title) if table.title else table.title,
                  caption=safe(table.caption) if table.caption else table.caption,
                  box=box.SIMPLE_HEAVY, title_justify="left")
    for i, size in shown:
        c = table.columns[i]
        if c.text and (wide or c.wraps):  # wrapped between words, never shortened
            t.add_column(c.header, justify=c.align, width=size, min_width=size,
                         overflow="fold")
        elif c.text:
            t.add_column(c.header, justify=c.align, width=size, no_wrap=True,
                         overflow="ellipsis")
        else:
            t.add_column(c.header, justify=c.align, width=size, min_width=size,
                         overflow="fold")
    shown_rows = [[row[i] if wide or not table.columns[i].text or table.columns[i].wraps
                   else shorten(row[i], size) for i, size in shown] for row in cells]
    if width is None or wide:  # as wide as the table needs (its title may wrap)
        width = max(_frame(len(shown)) + sum(size for _, size in shown),
                    0 if width is None else width)
    con = console(width=width)
    layout = [(table.columns[i].align, size, bool(table.columns[i].text and not wide
                                                   and not table.columns[i].wraps))
              for i, size in shown]
    fast = _fast_rows(shown_rows, layout, con) if len(shown_rows) > 1 else None
    probes = [0]
    if fast is not None:  # and the first row Rich wraps, to check that too
        probes += [n for n, row in enumerate(fast) if n > 0 and len(row) > 1][:1]
    for n in probes if fast is not None else range(len(shown_rows)):
        t.add_row(*[Text(cell) for cell in shown_rows[n]])  # Text: no markup
    with con.capture() as cap:
        con.print(t)
    lines = [line.rstrip() for line in str(cap.get()).split("\n")]
    if fast is not None:
        spliced = _spliced(lines, fast, probes, _frame(len(shown)) + sum(s for _, s in shown))
        if spliced is None:  # Rich laid the table out otherwise: Rich prints every row
            return _rich_rows(table, t, shown_rows, probes, con)
        lines = spliced
    return "\n".join(lines).rstrip("\n")  # no padding, no blank line after the table


def _rich_rows(table: Table, t: Any, rows: list[list[str]], probes: list[int],
               con: Any) -> str:
    """The terminal table laid out wholly by Rich."""
    from rich.text import Text

    t.rows.clear()
    for c in t.columns:
        c._cells.clear()
    for row in rows:
        t.add_row(*[Text(cell) for cell in row])
    with con.capture() as cap:
        con.print(t)
    lines = [line.rstrip() for line in str(cap.get()).split("\n")]
    return "\n".join(lines).rstrip("\n")


def _fast_rows(rows: list[list[str]], columns: Sequence[tuple[str, int, bool]],
               con: Any) -> list[list[str]] | None:
    """The body of the terminal table as Rich prints it (SIMPLE_HEAVY: a space at each
    edge, a padding each side of a cell, a space between columns; lines right-stripped),
    row by row: Rich's table layout costs about 0.6 ms a row, so a table of thousands
    of rows took seconds. ``columns``: (alignment, width, not wrapped). A cell on one
    line within its column (no line break, no tab, no space at either end) is written
    directly; any other is wrapped by Rich's own :meth:`rich.text.Text.wrap`, as in its
    table. None when the table is wider than the console (Rich would narrow it).
    :func:`_spliced` checks the first row, and the first of more lines, against Rich."""
    from rich.cells import cell_len, set_cell_size
    from rich.text import Text

    if _frame(len(columns)) + sum(size for _, size, _ in columns) > con.width:
        return None
    out = []
    for row in rows:
        parts: list[list[str]] = []
        height = 1
        for cell, (align, size, no_wrap) in zip(row, columns, strict=True):
            if cell.isascii():
                n = len(cell) if cell.isprintable() else size + 1
            else:
                n = size + 1 if "\n" in cell or "\t" in cell else cell_len(cell)
            if n <= size and not (cell and (cell[0].isspace() or cell[-1].isspace())):
                pad = size - n
                if align == "right":
                    parts.append([" " * pad + cell])
                elif align == "center":
                    parts.append([" " * (pad // 2) + cell + " " * (pad - pad // 2)])
                else:
                    parts.append([cell + " " * pad])
                continue
            wrapped = Text(cell).wrap(con, size, justify=align,  # type: ignore[arg-type]
                                      overflow="ellipsis" if no_wrap else "fold",
                                      no_wrap=no_wrap)
            parts.append([set_cell_size(line.plain, size) for line in wrapped] or [" " * size])
            height = max(height, len(parts[-1]))
        if height == 1:
            out.append([("  " + "   ".join(p[0] for p in parts)).rstrip()])
            continue
        blank = [" " * size for _, size, _ in columns]
        out.append([("  " + "   ".join(p[k] if k < len(p) else blank[j]
                                       for j, p in enumerate(parts))).rstrip()
                    for k in range(height)])
    return out


def _spliced(lines: list[str], rows: list[list[str]], probes: list[int],
             table_width: int) -> list[str] | None:
    """Rich's lines of the table with only the ``probes`` rows, those replaced by all
    ``rows`` (after the header's rule); None when Rich's lines of those rows are not
    what :func:`_fast_rows` wrote (Rich laid the table out otherwise)."""
    rule = " " + "━" * (table_width - 2)
    try:
        at = lines.index(rule) + 1
    except ValueError:
        return None
    mine = [line for n in probes for line in rows[n]]
    if lines[at:at + len(mine)] != mine:
        return None
    return lines[:at] + [line for row in rows for line in row] + lines[at + len(mine):]


def emit(tables: Table | Sequence[Table], fmt: str | None, wide: bool = False) -> None:
    """Print one table or several (each titled in plain and Markdown). ``wide``: the
    terminal table shows every column (see :func:`render`)."""
    fmt = resolve_format(fmt)
    many = [tables] if isinstance(tables, Table) else list(tables)
    parts = []
    for t in many:
        text = render(t, fmt, wide=wide)
        if fmt in ("plain", "markdown") and len(many) > 1:
            text = f"{t.title}\n{text}"
        parts.append(text)
    text = "\n\n".join(parts) + "\n"
    if fmt == "excel":  # UTF-8 with a byte-order mark, whatever the terminal's encoding
        sys.stdout.flush()
        sys.stdout.buffer.write(("\ufeff" + text).encode("utf-8"))
        sys.stdout.buffer.flush()
        return
    sys.stdout.write(text)


def message(text: str, width: int | None = None, end: str = "\n",
            stream: Any = None) -> None:
    """A message for the user (stderr, or ``stream``), its control characters escaped
    (line feeds kept) and wrapped between words to ``width`` (default: the terminal's when
    the stream is one, else not wrapped; 0: never). The one way text reaches stderr in
    :mod:`hs.cli` (errors, summaries, warnings, questions: ``end=""``, flushed)."""
    out = stream if stream is not None else sys.stderr
    if width is None and is_terminal(out):
        import shutil

        width = shutil.get_terminal_size().columns
    text = escape_controls(text, keep="\n")
    if width:  # a question's space before the answer stays
        body = text.rstrip(" ")
        text = wrap_words(body, width) + text[len(body):]
    out.write(text + end)
    if not end:
        out.flush()


def wrap_words(text: str, width: int) -> str:
    """Each line of ``text`` wrapped between words to ``width``: a word (an ID, a date, a
    code, a number, a path) is never broken, a longer one stands on its own line; the
    indentation of a line is kept on the lines it wraps to."""
    import textwrap

    out = []
    for line in text.split("\n"):
        indent = line[:len(line) - len(line.lstrip(" "))]
        out.extend(textwrap.wrap(line, width, break_long_words=False, break_on_hyphens=False,
                                 subsequent_indent=indent, drop_whitespace=True) or [line])
    return "\n".join(out)
