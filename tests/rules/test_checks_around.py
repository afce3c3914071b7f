"""Which records a change touches (:func:`hs.rules.checks.records_touched`) is one rule for
``hs validate`` after files changed and for the workflow's check before it writes.

Its contract, on random changes of the demo tree (``records/`` of this checkout) and of
the hand-made scenario of tests/app/test_agenda.py: the records it does not name have the
same problems before and after the change; those it names have, in the small index of
:func:`hs.rules.checks.index_of`, the problems they have in the whole tree, before and
after. So the problems a change adds are found there, as the workflow looks for them.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from typing import Any

import pytest

from hs.records.ids import id_of_path
from hs.records.index import ROW_TYPES, Index
from hs.rules.checks import Links, New, index_of, link_of, records_touched, trajectory_links
from hs.rules.lifecycle import tree_rules
from hs.store.load import load_tree
from tests.rules.test_lifecycle import demo_tree, scenario_tree

Found = set[tuple[str, str, str, str]]


class _At:
    def problem(self, rel: str, loc: tuple[str | int, ...], code: str, msg: str,
                severity: str = "error", value: bool = True) -> tuple[str, str, str, str]:
        return (rel, code, msg, severity)


def _problems(index: Index) -> Found:
    return set(tree_rules(_At(), index))


@pytest.fixture(scope="module", params=["demo", "scenario"])
def tree(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
         ) -> Iterator[Index]:
    root = tmp_path_factory.mktemp(request.param)
    (demo_tree if request.param == "demo" else scenario_tree)(root)
    index = load_tree(root).index
    index.make_rows()
    yield index


def _day(rng: random.Random) -> int:
    return dt.date(2023, 1, 1).toordinal() + rng.randrange(3 * 365)


def _edit(index: Index, rng: random.Random, n: int) -> New:
    """One to three records changed at random (a new trajectory sometimes), in ways that
    make or mend problems of the rules across records."""
    fams, vols = sorted(index.families), sorted(index.volunteers)
    trajs, places = sorted(index.trajectories), sorted(index.locations)
    new: dict[str, tuple[str, Any, str]] = {}
    for _ in range(rng.randint(1, 3)):
        what = rng.choice(["trajectory", "trajectory", "new-trajectory", "family",
                           "volunteer"])
        if what == "new-trajectory":
            rid, kind = f"t9{n:04d}{len(new):03d}", "trajectory"
            start = _day(rng)
            t: list[Any] = [rid, rng.choice(fams), rng.choice(["buddy", "starter"]), start,
                            None, None, ((rng.choice(vols), start, None),), (), b"",
                            index.trajectories[trajs[0]].to_tuple()[9], ()]
            rel = f"records/trajectories/{rid}.yaml"
        elif what == "trajectory":
            rid, kind = rng.choice(trajs), "trajectory"
            t = list(index.trajectories[rid].to_tuple())
            change = rng.randrange(3)
            if change == 0:
                t[1] = rng.choice(fams)
            elif change == 1:
                t[6] = ((rng.choice(vols), t[3], None),)
            else:
                shift = rng.randint(-300, 300)
                t[3] += shift
                t[6] = tuple((v, s + shift, e) for v, s, e in t[6])
            rel = index.paths[rid]
        elif what == "family":
            rid, kind = rng.choice(fams), "family"
            t = list(index.families[rid].to_tuple())
            if rng.random() < 0.5:
                t[1] = rng.choice(places)
            else:
                t[10] = tuple((d, r, e, decisions[:-1]) for d, r, e, decisions in t[10])
            rel = index.paths[rid]
        else:
            rid, kind = rng.choice(vols), "volunteer"
            t = list(index.volunteers[rid].to_tuple())
            t[8] = 1
            if t[12] and rng.random() < 0.7:
                start, _end, _reason = t[12][-1]
                t[12] = (*t[12][:-1], (start, start + rng.randrange(200), "personal"))
            rel = index.paths[rid]
        new[rid] = (kind, ROW_TYPES[kind].from_tuple(tuple(t)), rel)
    return new


def _whole(index: Index, new: New) -> Index:
    """The whole tree with the changed records."""
    tables: dict[str, dict[str, Any]] = {
        "family": dict(index.families), "volunteer": dict(index.volunteers),
        "trajectory": dict(index.trajectories)}
    paths = dict(index.paths)
    for rid, (kind, row, rel) in new.items():
        tables[kind][rid] = row
        paths[rid] = rel
    return Index(locations=dict(index.locations), families=tables["family"],
                 volunteers=tables["volunteer"], trajectories=tables["trajectory"],
                 config=index.config, vocabularies=index.vocabularies, paths=paths)


def _of(found: Found, ids: set[str], inside: bool = True) -> Found:
    return {p for p in found if (id_of_path(p[0]) in ids) == inside}


def test_a_change_is_checked_around_it(tree: Index) -> None:
    """Changes one after the other: the tree gathers problems as it goes."""
    rng = random.Random(10)
    old = _problems(tree)
    links: Links = trajectory_links(tree)
    added_somewhere = 0
    for n in range(150):
        new = _edit(tree, rng, n)
        now = {**links, **{rid: link_of(row) for rid, (kind, row, _) in new.items()
                           if kind == "trajectory"}}
        changed = {rid: kind for rid, (kind, _, _) in new.items()}
        touched, needed = records_touched(tree, changed, links, now)
        assert set(changed) <= touched
        after = _problems(_whole(tree, new))
        assert _of(after, touched, False) == _of(old, touched, False), new
        small_before = _problems(index_of(tree, needed))
        small_after = _problems(index_of(tree, needed, new))
        assert _of(small_before, touched) == _of(old, touched), new
        assert _of(small_after, touched) == _of(after, touched), new
        added_somewhere += bool(after - old)
        tree, links, old = _whole(tree, new), now, after
    assert added_somewhere > 30  # the changes were not all harmless
    assert len(old) > 50
