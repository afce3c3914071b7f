"""Output formats: the fast plain renderer prints exactly what tabulate prints."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from tabulate import tabulate

from hs.cli.output import Column, Table, plain_table, render

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
