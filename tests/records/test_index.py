"""The index gives one record's rows from the cached tuples as the whole table has them."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from hs.records.index import ROW_TYPES, Index
from hs.store.load import load_tree


def _cached(root: Path) -> Index:
    index = load_tree(root).index
    assert not any(index.rows_made(kind) for kind in ROW_TYPES)
    return index


def _plain(rows: dict[str, Any]) -> list[tuple[str, tuple[Any, ...]]]:
    return [(rid, row.to_tuple()) for rid, row in rows.items()]


def test_rows_one_by_one_are_the_table_rows(demo_repo: Path) -> None:
    """``row`` and ``rows_of`` on a warm read (no row made) give the rows, in the table's
    order, that the whole table (another warm read) gives; unknown IDs are left out."""
    load_tree(demo_repo)  # writes the cache
    whole = load_tree(demo_repo).index
    rng = random.Random(7)
    for kind in ROW_TYPES:
        table = {"location": whole.locations, "family": whole.families,
                 "volunteer": whole.volunteers, "trajectory": whole.trajectories,
                 "event": whole.events}[kind]
        index = _cached(demo_repo)
        ids = list(table)
        assert ids, kind
        for rid in rng.sample(ids, min(5, len(ids))):
            assert index.row(kind, rid).to_tuple() == table[rid].to_tuple()
        assert index.row(kind, "nosuchid") is None
        wanted = set(rng.sample(ids, min(20, len(ids)))) | {"nosuchid"}
        got = index.rows_of(kind, wanted)
        assert _plain(got) == [(r, row.to_tuple()) for r, row in table.items() if r in wanted]
        assert not index.rows_made(kind)  # nothing else was made
        # once the table is made, the same answers from it
        made = {"location": index.locations, "family": index.families,
                "volunteer": index.volunteers, "trajectory": index.trajectories,
                "event": index.events}[kind]
        assert _plain(made) == _plain(table)
        assert _plain(index.rows_of(kind, wanted)) == _plain(got)


def test_a_later_cached_row_wins(demo_repo: Path) -> None:
    """A tuple added after a row was made one by one replaces it (the last one wins, as when
    the whole table is made)."""
    load_tree(demo_repo)
    index = _cached(demo_repo)
    rid, row = next(iter(load_tree(demo_repo).index.trajectories.items()))
    assert index.row("trajectory", rid).to_tuple() == row.to_tuple()
    changed = row.to_tuple()
    changed = (*changed[:4], changed[3] + 5, *changed[5:])  # another end
    index.add_cached("trajectory", changed)
    assert index.row("trajectory", rid).to_tuple() == changed
    assert index.trajectories[rid].to_tuple() == changed
