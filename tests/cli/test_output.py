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
