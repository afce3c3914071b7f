"""Output formats: the fast plain renderer prints exactly what tabulate prints."""

from __future__ import annotations

import datetime as dt
from typing import Any
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tabulate import tabulate

import hs.cli.output as output_module
from hs.base import i18n
from hs.cli.output import Column, Table, emit, plain_table, render, shorten

cells = st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")),
                max_size=12)


@given(st.integers(1, 5).flatmap(lambda n: st.tuples(
    st.lists(cells, min_size=n, max_size=n),
    st.lists(st.lists(cells, min_size=n, max_size=n), max_size=6),
    st.lists(st.sampled_from(["left", "right"]), min_size=n, max_size=n))))
def test_plain_table_is_tabulate_plain(case: tuple[list[str], list[list[str]], list[str]]) -> None:
    headers, body, align = case
    if any(c != c.strip() or "  " in c for c in [*headers, *(x for r in body for x in r)]):
        return  # tabulate trims cells; hs never renders cells with outer spaces
    expected = tabulate(body, headers=headers, tablefmt="plain",
                        colalign=align if body else None, disable_numparse=True)
    assert plain_table(headers, body, align) == expected


def test_render_plain_uses_the_columns_alignment() -> None:
    table = Table("t", [Column("id", "ID"), Column("n", "Days", "right")],
                  [{"id": "f1", "n": 5}, {"id": "f22", "n": 123}])
    assert render(table, "plain") == "ID      Days\nf1         5\nf22      123"


HOSTILE = "Jan\x1b]0;pwned\x07\x1b[2J\x9b1m\x7f\rX"


def test_no_format_prints_a_control_character() -> None:
    """A value with terminal escape sequences (OSC title, clear screen, BEL, a C1 CSI,
    DEL, a carriage return) is escaped in every text format; JSON keeps the same data
    with every control escaped by JSON's own rules."""
    import json

    table = Table("t\x1b[2J", [Column("id", "ID"), Column("name", "Name")],
                  [{"id": "f1", "name": HOSTILE}, {"id": "f2", "name": ["a\x07", "b"]}])
    for fmt in ("table", "plain", "markdown", "csv", "json"):
        out = render(table, fmt)
        assert not any(ch in out for ch in "\x1b\x07\x9b\x7f\r"), (fmt, out)
        if fmt == "json":
            assert json.loads(out)[0]["name"] == HOSTILE
        else:
            assert "Jan\\e]0;pwned\\x07\\e[2J\\x9b1m\\x7f\\rX" in out, (fmt, out)
    assert render(table, "plain").splitlines()[1:] == [
        "f1    Jan\\e]0;pwned\\x07\\e[2J\\x9b1m\\x7f\\rX", "f2    a\\x07, b"]


def test_a_message_is_escaped(capsys: object) -> None:
    from hs.cli.output import message

    message("a\x1b[2Jb\nc")
    assert capsys.readouterr().err == "a\\e[2Jb\nc\n"  # type: ignore[attr-defined]


def _sample() -> Table:
    cols = [Column("id", "ID"), Column("name", "Name", text=True, priority=1, min_width=10),
            Column("municipality", "Municipality", text=True, priority=3),
            Column("referred", "Referred", priority=5), Column("accepted", "Accepted"),
            Column("days", "Days waiting", "right"),
            Column("reason", "Reason", text=True, min_width=12)]
    rows = [{"id": "f3kq7p2xm", "name": "Benali-El Khattabi", "municipality": "Sint-Niklaas",
             "referred": dt.date(2026, 2, 3), "accepted": dt.date(2026, 2, 17),
             "days": 120, "reason": "accepted 2026-02-17; no starter volunteer yet"},
            {"id": "fx8c4m2pa", "name": "Peeters", "municipality": "Leuven",
             "referred": dt.date(2025, 12, 1), "accepted": dt.date(2025, 12, 2),
             "days": 7, "reason": "referred 2025-12-01"}]
    return Table("Waiting list", cols, rows)


def test_a_table_fits_80_columns_whole_values_shortened_text() -> None:
    """At 80 columns the lowest-priority column (referred) is left out, IDs, dates and
    numbers stay whole, the text columns are shortened with "…" between words."""
    lines = render(_sample(), "table", width=80).splitlines()
    assert lines == [
        "Waiting list",
        "",
        "                                                          Days",
        "  ID          Name           Municipal…   Accepted     waiting   Reason",
        " " + "━" * 78,
        "  f3kq7p2xm   Benali-El…     Sint-Nikl…   2026-02-17       120   accepted…",
        "  fx8c4m2pa   Peeters        Leuven       2025-12-02         7   referred…",
    ]


def test_a_table_at_60_leaves_out_more_columns_never_breaks_a_value() -> None:
    lines = render(_sample(), "table", width=60).splitlines()
    assert all(len(line) <= 60 for line in lines)
    assert lines[2:] == [
        "                              Days",
        "  ID          Accepted     waiting   Reason",
        " " + "━" * 58,
        "  f3kq7p2xm   2026-02-17       120   accepted 2026-02-17;…",
        "  fx8c4m2pa   2025-12-02         7   referred 2025-12-01",
    ]


def test_wide_shows_every_column_wrapping_text_only() -> None:
    lines = render(_sample(), "table", width=80, wide=True).splitlines()
    assert "Referred" in lines[3] or "Referred" in lines[2]
    text = "\n".join(lines)
    for value in ("f3kq7p2xm", "fx8c4m2pa", "2026-02-03", "2026-02-17", "2025-12-02"):
        assert value in text  # never broken
    assert "…" not in text


def test_piped_table_keeps_every_column_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COLUMNS", raising=False)
    lines = render(_sample(), "table").splitlines()
    assert lines[2].split() == ["ID", "Name", "Municipality", "Referred", "Accepted",
                                "Days", "waiting", "Reason"]
    assert lines[4].split() == ["f3kq7p2xm", "Benali-El", "Khattabi", "Sint-Niklaas",
                                "2026-02-03", "2026-02-17", "120", "accepted",
                                "2026-02-17;", "no", "starter", "volunteer", "yet"]
    assert "…" not in "\n".join(lines)


def test_dutch_terminal_table_reads_dates_and_decimals_the_belgian_way(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HS_LANG", "nl")
    monkeypatch.setattr(i18n, "_current", None)
    table = Table("t", [Column("day", "Dag"), Column("fte", "Fte", "right")],
                  [{"day": dt.date(2025, 3, 14), "fte": 3.5}])
    assert render(table, "table", width=80).splitlines()[2:] == [
        "  Dag          Fte",
        " ━━━━━━━━━━━━━━━━━━",
        "  14/03/2025   3,5",
    ]
    # the machine formats keep ISO dates and decimal points
    assert render(table, "plain") == "Dag           Fte\n2025-03-14    3.5"
    assert render(table, "csv") == "day,fte\n2025-03-14,3.5"


@pytest.mark.parametrize(("text", "width", "short"), [
    ("accepted 2026-02-17", 12, "accepted…"),
    ("Sint-Niklaas", 10, "Sint-Nikl…"),
    ("Demo volunteer 12", 10, "Demo volu…"),
    ("v1, v2, v3", 8, "v1, v2,…"),
    ("Leuven", 10, "Leuven"),
])
def test_shorten_cuts_between_words_when_that_keeps_enough(text: str, width: int,
                                                            short: str) -> None:
    assert shorten(text, width) == short


def test_excel_is_csv_for_belgian_excel() -> None:
    table = Table("t", [Column("id", "ID"), Column("share", "Share"),
                        Column("day", "Day"), Column("note", "Note")],
                  [{"id": "f1", "share": 48.6, "day": dt.date(2025, 3, 14),
                    "note": "a; b"}])
    assert render(table, "excel") == 'ID;Share;Day;Note\nf1;48,6;2025-03-14;"a; b"'
    assert render(table, "csv") == 'id,share,day,note\nf1,48.6,2025-03-14,a; b'


def test_excel_speaks_the_users_language(monkeypatch: pytest.MonkeyPatch) -> None:
    """Review 2 #12: excel is for people: the headers of the table (wrapped ones on one
    line) and ja/nee in Dutch; csv keeps the keys and yes/no for programs."""
    from hs.base import i18n

    monkeypatch.setenv("HS_LANG", "nl")
    monkeypatch.setattr(i18n, "_current", None)
    table = Table("t", [Column("family", "Gezin"), Column("days", "Dagen\nwachtend"),
                        Column("perinatal", "Perinataal"), Column("share", "Aandeel")],
                  [{"family": "f1", "days": 351, "perinatal": True, "share": 0.5},
                   {"family": "f2", "days": 3, "perinatal": False, "share": 1.25}])
    assert render(table, "excel") == ("Gezin;Dagen wachtend;Perinataal;Aandeel\n"
                                      "f1;351;ja;0,5\nf2;3;nee;1,25")
    assert render(table, "csv") == ("family,days,perinatal,share\n"
                                    "f1,351,yes,0.5\nf2,3,no,1.25")


def test_emit_excel_writes_utf8_with_a_byte_order_mark() -> None:
    table = Table("t", [Column("name", "Name")], [{"name": "Zoë"}])
    import io
    import sys

    buf = io.BytesIO()
    wrapper = io.TextIOWrapper(buf, encoding="ascii")
    old, sys.stdout = sys.stdout, wrapper
    try:
        emit(table, "excel")
        wrapper.flush()
    finally:
        sys.stdout = old
    assert buf.getvalue() == "\ufeffName\nZoë\n".encode()


def test_markdown_escapes_bars_and_line_breaks() -> None:
    table = Table("t", [Column("id", "ID"), Column("note", "Note | remark")],
                  [{"id": "f1", "note": "a | b\nc"}])
    assert render(table, "markdown") == (
        "| ID   | Note \\| remark   |\n"
        "|------|------------------|\n"
        "| f1   | a \\| b<br>c      |")


def test_wide_at_80_never_breaks_a_value_and_keeps_every_column() -> None:
    """--wide on a narrow terminal: the table is as wide as it needs, IDs, dates and
    numbers whole, text wrapped between words only (review finding 2)."""
    lines = render(_sample(), "table", width=50, wide=True).splitlines()
    text = "\n".join(lines)
    header = " ".join(lines[2:4])
    for head in ("ID", "Name", "Municipality", "Referred", "Accepted", "waiting", "Reason"):
        assert head in header
    for value in ("f3kq7p2xm", "fx8c4m2pa", "2026-02-03", "2026-02-17", "2025-12-02",
                  "Sint-Niklaas", "Benali-El"):
        assert value in text
    assert "…" not in text
    assert max(len(line) for line in lines) > 50


def test_wide_wraps_text_to_fit_when_it_can() -> None:
    lines = render(_sample(), "table", width=110, wide=True).splitlines()
    assert max(len(line) for line in lines) <= 110
    assert "2026-02-17;" in "\n".join(lines)


def test_an_empty_column_is_left_out_before_text_is_shortened() -> None:
    """Finding 18: an empty Municipality costs no other column its room."""
    table = _sample()
    for row in table.rows:
        row["municipality"] = None
    lines = render(table, "table", width=80).splitlines()
    assert "Municipality" not in "\n".join(lines)
    assert "Referred" in lines[3]  # left out at 80 while Municipality was there


def test_a_message_wraps_between_words_never_inside_an_id_or_date(capsys: object) -> None:
    """Finding 8: "met vrijwilliger v / djf425xk" no more."""
    from hs.cli.output import message

    message("traject t3xhhxa66 gestart op 14/02/2025 met vrijwilliger vdjf425xk voor "
            "gezin f87wspkqw", width=40)
    assert capsys.readouterr().err.splitlines() == [  # type: ignore[attr-defined]
        "traject t3xhhxa66 gestart op 14/02/2025",
        "met vrijwilliger vdjf425xk voor gezin",
        "f87wspkqw"]
    message("  - a-very-long-code-that-does-not-fit-here and more", width=20)
    assert capsys.readouterr().err.splitlines() == [  # type: ignore[attr-defined]
        "  -",
        "  a-very-long-code-that-does-not-fit-here",
        "  and more"]


class _Terminal:
    """A stream that says it is a terminal."""

    def __init__(self) -> None:
        self.text = ""

    def isatty(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self.text += text
        return len(text)

    def flush(self) -> None:
        return None


def test_a_message_wraps_to_the_terminal_only_on_a_terminal(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from hs.cli.output import message

    monkeypatch.setenv("COLUMNS", "20")
    text = "hs: records/families/f\x1b[31mx.yaml could not be used at all"
    terminal = _Terminal()
    message(text, stream=terminal)
    assert terminal.text.splitlines() == [
        "hs:", "records/families/f\\e[31mx.yaml", "could not be used at", "all"]
    message(text)  # not a terminal: one line, escaped
    assert capsys.readouterr().err == text.replace("\x1b", "\\e") + "\n"
    message("Kies\x07: ", stream=terminal, end="")  # a question: not ended, flushed
    assert terminal.text.endswith("all\nKies\\x07: ")


def test_every_line_on_stderr_goes_through_the_one_printer() -> None:
    """No module of hs.cli writes to stderr itself (each such write once printed record
    data unescaped, or unwrapped): :func:`hs.cli.output.message` does, and the progress
    line (Rich, its text escaped). Click's own prompt of a yes/no answer is given an
    escaped question."""
    import re
    from pathlib import Path

    import hs.cli

    direct = re.compile(r"sys\.stderr\.write|file=sys\.stderr|err=True|stderr\.write")
    found = []
    for path in sorted(Path(hs.cli.__file__).parent.glob("*.py")):
        for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if direct.search(text):
                found.append(f"{path.name}:{number}")
    assert found == ["confirm.py:34"], found


# The terminal table's direct renderer (issue 12) against Rich, byte for byte

_words = st.text(alphabet=st.sampled_from(list("abcXYZ019 -…éß中文ｱ한😀·")), max_size=14)
_column = st.builds(
    lambda key, header, align, kind, min_width: Column(
        key, header, align=align, text=kind != "value", wraps=kind == "wraps",
        min_width=min_width),
    st.just(""), _words.filter(lambda h: h.strip() != ""), st.sampled_from(["left", "right"]),
    st.sampled_from(["value", "text", "wraps"]), st.integers(1, 12))
_odd = st.sampled_from(["a\nb", "tab\there", " lead", "trail ", " "])  # Rich's own way
_cell = st.integers(0, 299).flatmap(lambda n: _odd if n == 0 else st.one_of(
    _words.map(str.strip), st.integers(-5, 99_999), st.none(), st.booleans(),
    st.dates(dt.date(2000, 1, 1), dt.date(2030, 12, 31)), st.just("[bold]x[/] :smile:"),
    st.floats(0, 1000, allow_nan=False).map(lambda f: round(f, 1))))


@st.composite
def _tables(draw: st.DrawFn) -> Table:
    cols = draw(st.lists(_column, min_size=1, max_size=7))
    cols = [Column(f"c{i}", c.header, align=c.align, text=c.text, wraps=c.wraps,
                   min_width=c.min_width) for i, c in enumerate(cols)]
    rows = draw(st.lists(st.lists(_cell, min_size=len(cols), max_size=len(cols)),
                         min_size=0, max_size=10))
    title = draw(st.sampled_from(["Waiting list", "", "A title [b]long[/b] :smile: enough "
                                  "to wrap over more than one line of a narrow table 中文"]))
    caption = draw(st.sampled_from([None, "3 rows", "a caption that is long and has words "
                                    "in it so it wraps, 48,6% 😀"]))
    return Table(title, cols, [{c.key: v for c, v in zip(cols, r, strict=True)}
                               for r in rows], caption=caption)


def _console_as(force_terminal: bool | None) -> Any:
    """hs's console, forced to be a terminal (colour, unless NO_COLOR) or not."""
    from rich.console import Console

    real = output_module.console

    def made(stderr: bool = False, width: int | None = None) -> Console:
        con: Console = real(stderr=stderr, width=width)
        if force_terminal is None:
            return con
        return Console(width=con.width, highlight=False, force_terminal=force_terminal,
                       no_color=con.no_color or None)
    return made


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_tables(), st.integers(40, 200), st.booleans(),
       st.sampled_from([None, True, False]), st.booleans(), st.booleans())
def test_the_direct_terminal_table_is_byte_for_byte_rich(
        table: Table, width: int, wide: bool, terminal: bool | None, no_color: bool,
        columns_env: bool) -> None:
    """Whatever the table (kinds of column, alignments, widths, wide characters, empty
    cells, titles and captions that wrap or hold markup) and the console (a terminal or
    not, with colour or NO_COLOR, COLUMNS or a width given), the terminal table is the
    same text as Rich's for every row."""
    env = {"NO_COLOR": "1" if no_color else "", "COLUMNS": str(width) if columns_env else ""}
    given_width = None if columns_env else width
    with mock.patch.dict("os.environ", env), \
            mock.patch.object(output_module, "console", _console_as(terminal)):
        fast = render(table, "table", width=given_width, wide=wide)
        with mock.patch.object(output_module, "_fast_rows", lambda *a: None):
            slow = render(table, "table", width=given_width, wide=wide)
    assert fast == slow


def test_a_long_table_is_written_directly_not_by_rich() -> None:
    """Of a table of one-line cells Rich lays out only the first row."""
    table = _sample()
    table.rows = table.rows * 50
    with mock.patch.object(output_module, "_rich_rows", side_effect=AssertionError):
        lines = render(table, "table", width=80).splitlines()
    assert len(lines) == 5 + 100
    assert lines[5:7] == [
        "  f3kq7p2xm   Benali-El…     Sint-Nikl…   2026-02-17       120   accepted…",
        "  fx8c4m2pa   Peeters        Leuven       2025-12-02         7   referred…",
    ]


def test_when_rich_lays_the_rows_out_otherwise_rich_prints_the_whole_table() -> None:
    """If Rich's lines of the rows it laid out are not the direct ones, every row is
    Rich's (the rows it already had are not printed twice)."""
    table = _sample()
    table.rows = table.rows * 3
    with mock.patch.object(output_module, "_fast_rows", lambda *a: None):
        expected = render(table, "table", width=80)
    with mock.patch.object(output_module, "_spliced", lambda *a: None):
        assert render(table, "table", width=80) == expected
    assert len(expected.splitlines()) == 5 + 6
