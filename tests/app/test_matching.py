"""Matching core (hs.app.matching): hard rules, scores, ranking, and the waiting-list plan.

Records are hand-made in the ``empty_repo`` tree (location leuven: Leuven, Herent,
Kessel-Lo; Leuven neighbours Herent and Kessel-Lo) so that the right answer is known."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hs.app import matching as m
from hs.base.i18n import set_language
from hs.records.index import Index
from hs.store.load import load_tree
from tests.conftest import write_record

DAY = dt.date(2025, 12, 31)
STEPS = ("info-session", "module-resilience", "module-attitude", "module-network",
         "get-to-know")


# --- record builders (shared with test_matching_cli) ---------------------------------------


def _list(values: Iterable[str]) -> str:
    return "[" + ", ".join(values) + "]"


def volunteer(root: Path, vid: str, *, location: str = "leuven", gender: str = "f",
              municipality: str | None = "Leuven", languages: Iterable[str] = ("nl",),
              roles: Iterable[str] = ("buddy",),
              availability: Iterable[str] = ("mon-am", "tue-am"), capacity: int = 1,
              preferences: Iterable[str] = (), trained: str | None = "2024-01-20",
              steps: Iterable[str] = STEPS, check: str | None = "2024-01-10",
              active: str | None = "2024-02-01", stopped: str | None = None) -> None:
    lines = ["schema_version: 1", f"location: {location}", f"gender: {gender}",
             "birth_year: 1980"]
    if municipality:
        lines.append(f"municipality: {municipality}")
    lines += [f"languages: {_list(languages)}", f"roles: {_list(roles)}",
              f"availability: {_list(availability)}", f"capacity: {capacity}",
              f"preferences: {_list(preferences)}"]
    if trained:
        lines.append("training:")
        lines += [f"  {s}: {trained}" for s in steps]
    if check:
        lines.append(f"check_date: {check}")
    if active:
        lines += ["active:", f"- start: {active}"]
        if stopped:
            lines += [f"  end: {stopped}", "  stop_reason: personal"]
    write_record(root, f"volunteers/{vid}.yaml", "\n".join(lines) + "\n")


def family(root: Path, fid: str, *, location: str = "leuven",
           municipality: str | None = "Leuven", languages: Iterable[str] = ("nl",),
           flags: Iterable[str] = (), children: Iterable[str] = ("2025-03",),
           gender: str | None = None, half_days: Iterable[str] = (),
           dutch_practice: bool = False, referred: str = "2025-06-01",
           accepted: str | None = "2025-06-10", expecting: str | None = None) -> None:
    lines = ["schema_version: 1", f"location: {location}"]
    if municipality:
        lines.append(f"municipality: {municipality}")
    children = list(children)
    if children:
        lines.append("children:")
        lines += [f"- born: {c}" for c in children]
    lines += [f"languages: {_list(languages)}", f"flags: {_list(flags)}", "preferences:"]
    if gender:
        lines.append(f"  volunteer_gender: {gender}")
    lines += [f"  half_days: {_list(half_days)}",
              f"  dutch_practice: {'true' if dutch_practice else 'false'}",
              "referrals:", f"- date: {referred}", "  referrer: kind-en-gezin"]
    if expecting:
        lines.append(f"  expecting: {expecting}")
    if accepted:
        lines += ["  decisions:", f"  - date: {accepted}", "    decision: accepted"]
    write_record(root, f"families/{fid}.yaml", "\n".join(lines) + "\n")


def trajectory(root: Path, tid: str, fid: str, vid: str, start: str,
               end: str | None = None, kind: str = "buddy",
               replaced: tuple[str, str] | None = None) -> None:
    """A trajectory; ``replaced=(vid2, day)``: ``vid`` ends on ``day``, ``vid2`` follows."""
    lines = ["schema_version: 1", f"family: {fid}", f"kind: {kind}", f"start: {start}",
             "volunteers:", f"- volunteer: {vid}", f"  start: {start}"]
    if replaced:
        lines += [f"  end: {replaced[1]}", f"- volunteer: {replaced[0]}",
                  f"  start: {replaced[1]}"]
    if end:
        lines += [f"end: {end}", "close_reason: goals-reached"]
    write_record(root, f"trajectories/{tid}.yaml", "\n".join(lines) + "\n")


def location(root: Path, code: str, municipalities: Iterable[str],
             neighbours: str = "{}") -> None:
    write_record(root, f"locations/{code}.yaml",
                 f"schema_version: 1\nname: Home-Start {code}\n"
                 f"municipalities: {_list(municipalities)}\nneighbours: {neighbours}\n"
                 "active_from: 2019-01-01\n")


def index_of(root: Path) -> Index:
    report = load_tree(root, use_cache=False)
    assert report.problems == [], [str(p) for p in report.problems]
    return report.index


@pytest.fixture
def en() -> Iterable[None]:
    set_language("en")
    yield
    set_language(None)


def ids(cands: Iterable[m.Candidate]) -> list[str]:
    return [c.volunteer for c in cands]


def part(c: m.Candidate, name: str) -> m.ScorePart:
    return next(p for p in c.scores if p.name == name)


# --- configuration -----------------------------------------------------------------------


def test_default_weights_are_those_of_the_config_model(empty_repo: Path) -> None:
    from hs.records.models import MatchingWeights

    assert MatchingWeights().model_dump() == m.DEFAULT_WEIGHTS
    assert m.weights(index_of(empty_repo)) == m.DEFAULT_WEIGHTS


def test_weights_come_from_the_repository_config(empty_repo: Path) -> None:
    write_record(empty_repo, "config.yaml",
                 "schema_version: 1\nmatching:\n  language: 5\n  waiting: 0\n")
    w = m.weights(index_of(empty_repo))
    assert w == {**m.DEFAULT_WEIGHTS, "language": 5.0, "waiting": 0.0}


# --- hard rules ----------------------------------------------------------------------------


def test_every_hard_rule_excludes_with_its_reason(empty_repo: Path, en: None) -> None:
    root = empty_repo
    location(root, "tienen", ["Tienen"])
    family(root, "f00000001", gender="f")
    volunteer(root, "v0000000a")  # meets every rule
    volunteer(root, "v00000001", location="tienen", municipality="Tienen")
    volunteer(root, "v00000002", stopped="2025-06-30")
    volunteer(root, "v00000003", active=None)
    volunteer(root, "v00000004", roles=["starter"])
    volunteer(root, "v00000005", steps=STEPS[:3])
    volunteer(root, "v00000006", check="2022-01-10")
    volunteer(root, "v00000007", check=None)
    volunteer(root, "v00000008")
    family(root, "f00000002")
    trajectory(root, "t00000001", "f00000002", "v00000008", "2025-07-01")
    volunteer(root, "v00000009", gender="m")
    s = m.suggest(index_of(root), "f00000001", DAY)
    assert ids(s.eligible) == ["v0000000a"]
    excluded = {c.volunteer: c.excluded_by for c in s.excluded}
    assert excluded == {
        "v00000001": ("location",), "v00000002": ("active",), "v00000003": ("active",),
        "v00000004": ("role",), "v00000005": ("training",), "v00000006": ("check",),
        "v00000007": ("check",), "v00000008": ("capacity",), "v00000009": ("gender",),
    }
    # excluded volunteers come in the order of the rules
    assert [c.excluded_by[0] for c in s.excluded] == sorted(
        (c.excluded_by[0] for c in s.excluded), key=m.RULES.index)
    idx = index_of(root)
    words = {c.volunteer: m.reason_text(next(r for r in c.rules if not r.passed).reason, idx)
             for c in s.excluded}
    assert words == {
        "v00000001": "works for location tienen, not leuven",
        "v00000002": "stopped on 2025-06-30",
        "v00000003": "not active yet (a candidate)",
        "v00000004": "has no role for a buddy trajectory (roles: starter)",
        "v00000005": "training not complete: Module: Strength-based work on the network, "
                     "Extended get-to-know conversation",
        "v00000006": "criminal-record check expired on 2025-01-10",
        "v00000007": "no criminal-record check recorded",
        "v00000008": "already has 1 families, capacity 1",
        "v00000009": "the family asked for a woman",
    }


def test_rules_are_judged_on_the_day_asked(empty_repo: Path) -> None:
    family(empty_repo, "f00000001", referred="2024-01-01", accepted="2024-01-05")
    volunteer(empty_repo, "v00000001", check="2024-06-01", active="2024-02-01")
    idx = index_of(empty_repo)
    before = m.suggest(idx, "f00000001", dt.date(2024, 5, 1))
    assert before.excluded[0].excluded_by == ("check",)  # checked only later
    assert ids(m.suggest(idx, "f00000001", dt.date(2024, 7, 1)).eligible) == ["v00000001"]
    after = m.suggest(idx, "f00000001", dt.date(2027, 6, 2))  # 36 months later
    assert after.excluded[0].excluded_by == ("check",)


def test_capacity_two_with_one_family_can_take_one_more(empty_repo: Path) -> None:
    root = empty_repo
    family(root, "f00000001")
    family(root, "f00000002")
    family(root, "f00000003")
    volunteer(root, "v00000001", capacity=2)
    trajectory(root, "t00000001", "f00000002", "v00000001", "2025-07-01")
    idx = index_of(root)
    assert ids(m.suggest(idx, "f00000001", DAY).eligible) == ["v00000001"]
    trajectory(root, "t00000002", "f00000003", "v00000001", "2025-08-01")
    s = m.suggest(index_of(root), "f00000001", DAY)
    assert s.eligible == () and s.excluded[0].excluded_by == ("capacity",)


def test_a_closed_trajectory_frees_the_place(empty_repo: Path) -> None:
    family(empty_repo, "f00000001")
    family(empty_repo, "f00000002")
    volunteer(empty_repo, "v00000001")
    trajectory(empty_repo, "t00000001", "f00000002", "v00000001", "2025-01-01",
               end="2025-11-30")
    assert ids(m.suggest(index_of(empty_repo), "f00000001", DAY).eligible) == ["v00000001"]


def test_role_follows_the_kind_asked(empty_repo: Path) -> None:
    root = empty_repo
    family(root, "f00000001")
    family(root, "f00000002")
    volunteer(root, "v00000001", roles=["coach"])
    volunteer(root, "v00000002", roles=["starter"])
    volunteer(root, "v00000003", roles=["language"])
    trajectory(root, "t00000001", "f00000002", "v00000002", "2025-07-01", kind="buddy")
    idx = index_of(root)
    assert ids(m.suggest(idx, "f00000001", DAY).eligible) == ["v00000001"]  # coach = buddy+
    assert ids(m.suggest(idx, "f00000001", DAY, "coach").eligible) == ["v00000001"]
    assert ids(m.suggest(idx, "f00000001", DAY, "language").eligible) == ["v00000003"]
    # a starter's occasional visits do not count against capacity
    assert ids(m.suggest(idx, "f00000001", DAY, "starter").eligible) == ["v00000002"]


def test_unknown_kind_family_and_invalid_family(empty_repo: Path) -> None:
    from hs.base.errors import InvalidRecord, RecordNotFound, UsageError

    family(empty_repo, "f00000001")
    write_record(empty_repo, "families/f00000002.yaml", "schema_version: 1\nlocation: x\n")
    idx = load_tree(empty_repo, use_cache=False).index
    with pytest.raises(UsageError, match="--kind: 'visit' is not one of"):
        m.suggest(idx, "f00000001", DAY, "visit")
    with pytest.raises(RecordNotFound):
        m.suggest(idx, "f00000009", DAY)
    with pytest.raises(InvalidRecord, match="f00000002 cannot be read"):
        m.suggest(idx, "f00000002", DAY)


# --- scores --------------------------------------------------------------------------------


def test_language_beats_a_nearer_volunteer_only_when_the_family_speaks_no_dutch(
        empty_repo: Path) -> None:
    root = empty_repo
    family(root, "f00000001", languages=["ar"])  # no Dutch at home
    family(root, "f00000002", languages=["nl", "ar"])  # Dutch at home too
    family(root, "f00000003", languages=["ar"], dutch_practice=True)  # wants to practise
    volunteer(root, "v00000001", languages=["nl", "ar"], municipality="Herent")  # farther
    volunteer(root, "v00000002", languages=["nl"], municipality="Leuven")  # nearer
    idx = index_of(root)
    assert ids(m.suggest(idx, "f00000001", DAY).eligible) == ["v00000001", "v00000002"]
    assert ids(m.suggest(idx, "f00000002", DAY).eligible) == ["v00000002", "v00000001"]
    assert ids(m.suggest(idx, "f00000003", DAY).eligible) == ["v00000002", "v00000001"]
    first = m.suggest(idx, "f00000001", DAY).eligible
    assert [part(c, "language").score for c in first] == [1.0, 0.0]
    assert [part(c, "distance").score for c in first] == [0.5, 1.0]


def test_language_score(empty_repo: Path, en: None) -> None:
    root = empty_repo
    family(root, "f00000001", languages=["ar", "fr"])
    family(root, "f00000002", languages=["ar"], dutch_practice=True)
    family(root, "f00000003", languages=[])
    volunteer(root, "v00000001", languages=["fr"])  # Dutch is taken for granted
    volunteer(root, "v00000002", languages=["en"])
    idx = index_of(root)

    def lang(fid: str) -> list[tuple[float, str]]:
        s = m.suggest(idx, fid, DAY)
        return [(part(c, "language").score, m.reason_text(part(c, "language").reason, idx))
                for c in sorted(s.eligible, key=lambda c: c.volunteer)]

    assert lang("f00000001") == [
        (1.0, "shares French with the family"),
        (0.0, "speaks none of the family's languages (Arabic, French)")]
    assert lang("f00000002") == [
        (1.0, "shares Dutch with the family (Dutch: the family wants to practise it)")] * 2
    assert lang("f00000003") == [(0.5, "the family's home languages are not recorded")] * 2


def test_distance_score_uses_neighbours_in_either_direction(empty_repo: Path) -> None:
    root = empty_repo
    family(root, "f00000001", municipality="Herent")
    family(root, "f00000002", municipality=None)
    volunteer(root, "v00000001", municipality="Herent")
    volunteer(root, "v00000002", municipality="Leuven")  # Leuven lists Herent
    volunteer(root, "v00000003", municipality="Kessel-Lo")  # not next to Herent
    volunteer(root, "v00000004", municipality=None)
    idx = index_of(root)
    s = m.suggest(idx, "f00000001", DAY)
    assert {c.volunteer: part(c, "distance").score for c in s.eligible} == {
        "v00000001": 1.0, "v00000002": 0.5, "v00000003": 0.0, "v00000004": 0.0}
    s = m.suggest(idx, "f00000002", DAY)
    assert {part(c, "distance").reason.key for c in s.eligible} == {"distance-unknown"}


def test_half_days_score(empty_repo: Path) -> None:
    root = empty_repo
    family(root, "f00000001", half_days=["mon-am", "tue-am", "wed-pm"])
    family(root, "f00000002", half_days=["wed-pm"])
    family(root, "f00000003", half_days=[])
    volunteer(root, "v00000001", availability=["mon-am", "tue-am", "wed-pm"])
    volunteer(root, "v00000002", availability=["tue-am"])
    volunteer(root, "v00000003", availability=["wed-pm"])
    volunteer(root, "v00000004", availability=[])
    idx = index_of(root)

    def days(fid: str) -> dict[str, float]:
        return {c.volunteer: part(c, "half_days").score
                for c in m.suggest(idx, fid, DAY).eligible}

    assert days("f00000001") == {"v00000001": 1.0, "v00000002": 0.5, "v00000003": 0.5,
                                 "v00000004": 0.0}
    assert days("f00000002") == {"v00000001": 1.0, "v00000002": 0.0, "v00000003": 1.0,
                                 "v00000004": 0.0}
    assert set(days("f00000003").values()) == {1.0}


def test_preferences_score_against_the_family_profile(empty_repo: Path) -> None:
    root = empty_repo
    family(root, "f00000001", children=[], expecting="2026-03")  # perinatal
    family(root, "f00000002", children=["2022-01"])  # 47 months on DAY: young
    family(root, "f00000003", children=["2021-12"])  # 48 months: older
    family(root, "f00000004", children=["2024-05"], flags=["youth-care"])  # young, complex
    family(root, "f00000005", children=[])  # nothing to compare
    volunteer(root, "v00000001", preferences=["perinatal"])
    volunteer(root, "v00000002", preferences=["young-children"])
    volunteer(root, "v00000003", preferences=["older-children", "other"])
    volunteer(root, "v00000004", preferences=["complex"])
    volunteer(root, "v00000005", preferences=[])
    volunteer(root, "v00000006", preferences=["other"])
    idx = index_of(root)

    def prefs(fid: str) -> list[float]:
        s = m.suggest(idx, fid, DAY)
        return [part(c, "preferences").score
                for c in sorted(s.eligible, key=lambda c: c.volunteer)]

    assert prefs("f00000001") == [1.0, 0.0, 0.0, 0.0, 0.5, 0.5]
    assert prefs("f00000002") == [0.0, 1.0, 0.0, 0.0, 0.5, 0.5]
    assert prefs("f00000003") == [0.0, 0.0, 1.0, 0.0, 0.5, 0.5]
    assert prefs("f00000004") == [0.0, 1.0, 0.0, 1.0, 0.5, 0.5]
    assert prefs("f00000005") == [1.0] * 6


def test_experience_counts_completed_trajectories_for_complex_families(
        empty_repo: Path) -> None:
    root = empty_repo
    family(root, "f00000001", flags=["psychological-vulnerability"])
    family(root, "f00000002")
    for i in range(3, 8):
        family(root, f"f0000000{i}", referred="2023-01-01", accepted="2023-01-05")
    volunteer(root, "v00000001", capacity=3, active="2023-01-01")
    volunteer(root, "v00000002", capacity=3, active="2023-01-01")
    trajectory(root, "t00000003", "f00000003", "v00000001", "2023-02-01", end="2024-02-01")
    trajectory(root, "t00000004", "f00000004", "v00000001", "2023-02-01", end="2024-03-01")
    # v2 was replaced half-way by v1: counts for v1, not for v2
    trajectory(root, "t00000005", "f00000005", "v00000002", "2023-02-01", end="2024-04-01",
               replaced=("v00000001", "2023-08-01"))
    # a starter trajectory is no completed trajectory
    trajectory(root, "t00000006", "f00000006", "v00000002", "2023-02-01", end="2023-03-01",
               kind="starter")
    idx = index_of(root)
    s = m.suggest(idx, "f00000001", DAY)
    assert {c.volunteer: part(c, "experience").score for c in s.eligible} == {
        "v00000001": 1.0, "v00000002": 0.0}
    s = m.suggest(idx, "f00000002", DAY)  # not complex: experience does not matter
    assert {part(c, "experience").score for c in s.eligible} == {1.0}
    assert m.facts(idx, idx.volunteers["v00000001"], DAY).completed == 3


def test_waiting_score_counts_days_without_a_family(empty_repo: Path) -> None:
    root = empty_repo
    family(root, "f00000001")
    family(root, "f00000002", referred="2024-01-01", accepted="2024-01-05")
    family(root, "f00000003")
    volunteer(root, "v00000001", active="2025-11-01")  # activated 60 days ago
    volunteer(root, "v00000002", active="2023-01-01")  # last family until 90 days ago
    trajectory(root, "t00000001", "f00000002", "v00000002", "2024-02-01", end="2025-10-02")
    volunteer(root, "v00000003", active="2024-01-01")  # never had a family: 730 days
    volunteer(root, "v00000004", capacity=2)  # has a family now
    trajectory(root, "t00000002", "f00000003", "v00000004", "2025-07-01")
    idx = index_of(root)
    s = m.suggest(idx, "f00000001", DAY)
    got = {c.volunteer: part(c, "waiting").score for c in s.eligible}
    assert got == {"v00000001": 60 / 180, "v00000002": 90 / 180, "v00000003": 1.0,
                   "v00000004": 0.0}


def test_ranking_sums_weighted_scores_and_breaks_ties_by_waiting(empty_repo: Path) -> None:
    root = empty_repo
    family(root, "f00000001", languages=["nl"], half_days=["mon-am"])
    volunteer(root, "v00000001", active="2025-12-01")
    volunteer(root, "v00000002", active="2025-11-01")
    volunteer(root, "v00000003", availability=["fri-pm"], active="2024-01-01")
    idx = index_of(root)
    s = m.suggest(idx, "f00000001", DAY)
    assert ids(s.eligible) == ["v00000002", "v00000001", "v00000003"]
    # language 3x1, distance 2x1, half-days 2x0, preferences 1x0.5 (no preferences
    # stated, the family has a young child), experience 1x1 (not complex), waiting 1x1
    assert s.eligible[2].total == 7.5
    assert s.max_total == 10.0
    write_record(root, "config.yaml", "schema_version: 1\nmatching:\n  half_days: 0\n"
                 "  waiting: 5\n")
    s = m.suggest(index_of(root), "f00000001", DAY)
    assert ids(s.eligible) == ["v00000003", "v00000002", "v00000001"]
    # equal totals: the volunteer who has waited longer comes first, then the ID
    write_record(root, "config.yaml", "schema_version: 1\nmatching:\n  waiting: 0\n")
    s = m.suggest(index_of(root), "f00000001", DAY)
    assert ids(s.eligible) == ["v00000002", "v00000001", "v00000003"]
    assert s.eligible[0].total == s.eligible[1].total


def test_reasons_in_dutch(empty_repo: Path) -> None:
    family(empty_repo, "f00000001", languages=["ar"], gender="m")
    volunteer(empty_repo, "v00000001", languages=["ar"])
    idx = index_of(empty_repo)
    c = m.suggest(idx, "f00000001", DAY).excluded[0]
    set_language("nl")
    try:
        assert m.reason_text(c.rules[-1].reason, idx) == "het gezin vroeg een man"
        assert m.reason_text(part(c, "language").reason, idx) == \
            "deelt Arabisch met het gezin"
        assert m.item_name("half_days") == "dagdelen"
    finally:
        set_language(None)


def test_every_message_has_both_languages_and_the_same_fields() -> None:
    import string

    for key, (en, nl) in m.MSG.messages.items():
        # a text with a plural: its plural form takes every field
        en, nl = (en[1] if isinstance(en, tuple) else en), (nl[1] if isinstance(nl, tuple)
                                                               else nl)
        fields = [{f for _, f, _, _ in string.Formatter().parse(t) if f} for t in (en, nl)]
        assert fields[0] == fields[1], key


# --- the plan ------------------------------------------------------------------------------


def test_a_perinatal_family_is_placed_before_an_older_referral(empty_repo: Path) -> None:
    root = empty_repo
    # the older referral fits the only volunteer better (shared language), yet waits
    family(root, "f00000001", languages=["ar"], referred="2025-01-02", accepted="2025-01-10")
    family(root, "f00000002", languages=["fr"], children=[], expecting="2026-02",
           referred="2025-11-20", accepted="2025-12-01")
    volunteer(root, "v00000001", languages=["ar"])
    idx = index_of(root)
    p = m.plan(idx, DAY)
    assert [(e.priority, e.family, e.perinatal, e.volunteer) for e in p.entries] == [
        (1, "f00000002", True, "v00000001"), (2, "f00000001", False, None)]
    second = p.entries[1]
    assert (second.unmatched, second.eligible, second.taken_by) == (
        "taken-by-higher-priority", ("v00000001",), ("f00000002",))
    assert second.waiting_days == 355
    # without perinatal priority the longest waiting goes first
    write_record(root, "config.yaml", "schema_version: 1\nperinatal_priority: false\n")
    p = m.plan(index_of(root), DAY)
    assert [(e.family, e.volunteer) for e in p.entries] == [
        ("f00000001", "v00000001"), ("f00000002", None)]


def test_the_longest_waiting_family_gets_a_contested_volunteer(empty_repo: Path) -> None:
    root = empty_repo
    family(root, "f00000001", languages=["fr"], accepted="2025-03-01")
    family(root, "f00000002", languages=["ar"], accepted="2025-09-01")  # better fit
    volunteer(root, "v00000001", languages=["ar"])
    p = m.plan(index_of(root), DAY)
    assert [(e.family, e.volunteer) for e in p.pairs] == [("f00000001", "v00000001")]
    s = m.suggest(index_of(root), "f00000002", DAY).eligible[0]
    assert s.total > (p.pairs[0].score or 0)  # priority, not score, decided who is served


def test_a_volunteer_at_capacity_is_never_proposed(empty_repo: Path) -> None:
    root = empty_repo
    family(root, "f00000001", accepted="2025-02-01")
    family(root, "f00000002", accepted="2025-03-01")
    family(root, "f00000003", accepted="2025-04-01")
    family(root, "f00000004", accepted="2025-05-01")
    family(root, "f00000009", referred="2024-01-01", accepted="2024-01-02")
    family(root, "f0000000a", referred="2024-01-01", accepted="2024-01-02")
    volunteer(root, "v00000001")  # capacity 1, load 1: full
    trajectory(root, "t00000001", "f00000009", "v00000001", "2024-02-01")
    volunteer(root, "v00000002", capacity=2)  # capacity 2, load 1: one more
    trajectory(root, "t00000002", "f0000000a", "v00000002", "2024-02-01")
    volunteer(root, "v00000003", capacity=2)  # capacity 2, load 0: two more
    p = m.plan(index_of(root), DAY)
    got = [(e.family, e.volunteer, e.unmatched) for e in p.entries]
    assert got == [("f00000001", "v00000003", None), ("f00000002", "v00000003", None),
                   ("f00000003", "v00000002", None),
                   ("f00000004", None, "taken-by-higher-priority")]
    assert p.entries[3].taken_by == ("f00000001", "f00000002", "f00000003")
    assert "v00000001" not in {e.volunteer for e in p.entries}


def test_families_without_any_eligible_volunteer_say_so(empty_repo: Path) -> None:
    root = empty_repo
    location(root, "tienen", ["Tienen"])
    family(root, "f00000001", gender="m")
    family(root, "f00000002", location="tienen", municipality="Tienen")
    family(root, "f00000003", accepted=None)  # referred, not accepted: not waiting
    volunteer(root, "v00000001")
    idx = index_of(root)
    p = m.plan(idx, DAY)
    assert [(e.family, e.location, e.volunteer, e.unmatched) for e in p.entries] == [
        ("f00000001", "leuven", None, "no-eligible-volunteer"),
        ("f00000002", "tienen", None, "no-eligible-volunteer")]
    p = m.plan(idx, DAY, location="tienen")
    assert [e.family for e in p.entries] == ["f00000002"]
    assert p.total == 0 and p.pairs == ()


def test_the_plan_keeps_the_order_of_the_waiting_list(empty_repo: Path) -> None:
    """One priority rule (hs.app.agenda.waiting_list): perinatal families with an expected
    birth month first, by that month; then those flagged perinatal; then the longest
    waiting. The plan used to put every perinatal family by acceptance date (f1 first)."""
    from hs.app.agenda import waiting_list

    root = empty_repo
    family(root, "f00000001", flags=["perinatal"], accepted="2025-03-01")
    family(root, "f00000002", children=[], expecting="2026-04", accepted="2025-10-01")
    family(root, "f00000003", children=[], expecting="2026-02", accepted="2025-11-01")
    family(root, "f00000004", referred="2024-12-01", accepted="2025-01-01")
    volunteer(root, "v00000001")
    idx = index_of(root)
    waitlist = waiting_list(idx, DAY)
    p = m.plan(idx, DAY)
    assert [(e.priority, e.family) for e in p.entries] == \
        [(w.rank, w.family) for w in waitlist] == \
        [(1, "f00000003"), (2, "f00000002"), (3, "f00000001"), (4, "f00000004")]
    assert [(e.waiting_since, e.waiting_days, e.perinatal) for e in p.entries] == \
        [(w.accepted, w.days_waiting, w.perinatal) for w in waitlist]
    assert [(e.family, e.volunteer) for e in p.pairs] == [("f00000003", "v00000001")]


def test_plan_usage_errors(empty_repo: Path) -> None:
    from hs.base.errors import UsageError

    idx = index_of(empty_repo)
    with pytest.raises(UsageError, match="--location: no location 'gent' \\(known: leuven\\)"):
        m.plan(idx, DAY, location="gent")
    with pytest.raises(UsageError, match="a plan is for buddy, language, coach"):
        m.plan(idx, DAY, kind="starter")


def test_plan_beats_best_pair_first(empty_repo: Path) -> None:
    """Best pair first takes (f1, v1) and leaves f2 the poor v2; the plan crosses them."""
    root = empty_repo
    family(root, "f00000001", languages=["nl"], municipality="Leuven", children=[],
           accepted="2025-03-01")
    family(root, "f00000002", languages=["ar"], municipality="Kessel-Lo", children=[],
           accepted="2025-04-01")
    volunteer(root, "v00000001", languages=["nl", "ar"], municipality="Leuven")
    volunteer(root, "v00000002", languages=["nl"], municipality="Herent")
    idx = index_of(root)
    score = {(f, c.volunteer): c.total for f in ("f00000001", "f00000002")
             for c in m.suggest(idx, f, DAY).eligible}
    assert score == {("f00000001", "v00000001"): 10.0, ("f00000001", "v00000002"): 9.0,
                     ("f00000002", "v00000001"): 9.0, ("f00000002", "v00000002"): 5.0}
    greedy_total, left, free = 0.0, dict(score), {"v00000001", "v00000002"}
    done: set[str] = set()
    while left:
        (f, v), best = max(left.items(), key=lambda kv: kv[1])
        greedy_total += best
        done.add(f)
        free.discard(v)
        left = {k: s for k, s in left.items() if k[0] not in done and k[1] in free}
    p = m.plan(idx, DAY)
    assert greedy_total == 15.0
    assert p.total == 18.0 == max(score[("f00000001", a)] + score[("f00000002", b)]
                                  for a, b in itertools.permutations(
                                      ["v00000001", "v00000002"]))
    assert [(e.family, e.volunteer) for e in p.pairs] == [
        ("f00000001", "v00000002"), ("f00000002", "v00000001")]


def test_plan_serves_more_families_than_best_pair_first(empty_repo: Path) -> None:
    """f1 can have either volunteer, f2 only v1 (v2 is a man, f2 asked for a woman)."""
    root = empty_repo
    family(root, "f00000001", accepted="2025-03-01")
    family(root, "f00000002", gender="f", accepted="2025-04-01")
    volunteer(root, "v00000001", active="2024-01-01")  # waiting longer: scores higher
    volunteer(root, "v00000002", gender="m", active="2025-12-01")
    p = m.plan(index_of(root), DAY)
    assert [(e.family, e.volunteer) for e in p.entries] == [
        ("f00000001", "v00000002"), ("f00000002", "v00000001")]


# --- the solver against brute force -------------------------------------------------------


def brute_force(order: list[str], options: dict[str, list[str]], free: dict[str, int],
                score: dict[tuple[str, str], float]) -> tuple[tuple[bool, ...], float]:
    """The best plan by trying every assignment: first the families served, compared in
    priority order, then the total score."""
    best: tuple[tuple[bool, ...], float] | None = None
    for choice in itertools.product(*[[None, *options[f]] for f in order]):
        used: dict[str, int] = {}
        for v in choice:
            if v is not None:
                used[v] = used.get(v, 0) + 1
        if any(n > free[v] for v, n in used.items()):
            continue
        served = tuple(v is not None for v in choice)
        total = sum(score[(f, v)] for f, v in zip(order, choice, strict=True) if v)
        key = (served, round(total, 9))
        if best is None or key > best:
            best = key
    assert best is not None
    return best


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_plan_solver_equals_brute_force(data: st.DataObject) -> None:
    n_fam = data.draw(st.integers(1, 4))
    n_vol = data.draw(st.integers(1, 3))
    order = [f"f{i}" for i in range(n_fam)]
    vols = [f"v{j}" for j in range(n_vol)]
    free = {v: data.draw(st.integers(0, 2)) for v in vols}
    options = {f: [v for v in vols if data.draw(st.booleans())] for f in order}
    score = {(f, v): data.draw(st.sampled_from([0.0, 0.5, 1.0, 2.5, 4.0, 7.0]))
             for f in order for v in vols}
    chosen = m.priority_families(order, options, free)
    assigned = m.best_assignment(chosen, options, free, lambda f, v: score[(f, v)])
    assert set(assigned) == set(chosen)
    for f, v in assigned.items():
        assert v in options[f]
    for v in vols:
        assert sum(1 for x in assigned.values() if x == v) <= free[v]
    served = tuple(f in assigned for f in order)
    total = sum(score[(f, v)] for f, v in assigned.items())
    assert (served, round(total, 9)) == brute_force(order, options, free, score)


# --- the solver per location against the solver on the whole matrix ------------------------

PLANS = Path(__file__).parent / "data" / "matching_plans_demo.json"


def _plans(index: Index) -> dict[str, list[list[Any]]]:
    out = {}
    for day in (dt.date(2025, 12, 31), dt.date(2025, 6, 30), dt.date(2025, 3, 1)):
        for kind in m.MAIN_KINDS:
            for loc in [None, *sorted(index.locations)]:
                p = m.plan(index, day, loc, kind)
                out[f"{day} {kind} {loc or '*'}"] = [
                    [e.family, e.volunteer, None if e.score is None else round(e.score, 9),
                     e.unmatched, list(e.taken_by)] for e in p.entries]
    return out


def test_the_demo_plans_are_those_of_the_solver_on_the_whole_matrix(demo_repo: Path) -> None:
    """Every plan of the demo (three days, every kind, all locations and each one) as the
    plan of before, which solved one matrix of all families x all free places with
    scipy's linear_sum_assignment (kept in tests/app/data, made by that code): the same
    pairs, also where several plans have the same total."""
    assert _plans(index_of(demo_repo)) == json.loads(PLANS.read_text(encoding="utf-8"))


def test_histories_in_one_pass_are_those_of_each_volunteer(demo_repo: Path) -> None:
    """The plan's one pass over the trajectories gives every volunteer the load, completed
    trajectories and last end that facts finds from the volunteer's own trajectories."""
    index = index_of(demo_repo)
    for day in (dt.date(2025, 12, 31), dt.date(2025, 6, 30), dt.date(2024, 1, 15)):
        past = m.histories(index, day)
        one_by_one = {vid: (m.load(index, vid, day),
                            *m._history(index.trajectories_with(vid), vid, day))
                      for vid in index.volunteers}
        assert {vid: past.get(vid, (0, 0, None)) for vid in index.volunteers} == one_by_one
        assert any(h[0] for h in past.values()) and any(h[1] for h in past.values())
        assert set(past) <= set(index.volunteers) | {
            a.volunteer for t in index.trajectories.values() for a in t.assignments}


def _whole_matrix(families: list[str], options: dict[str, list[str]], free: dict[str, int],
                  score: dict[tuple[str, str], float]) -> dict[str, str]:
    """The solver of before: scipy on the matrix of every family x every free place."""
    np = pytest.importorskip("numpy")
    lsa = pytest.importorskip("scipy.optimize").linear_sum_assignment
    places = [v for v in sorted(free) for _ in range(free[v])]
    matrix = np.full((len(families), len(places)), -np.inf)
    for i, f in enumerate(families):
        for j, v in enumerate(places):
            if v in options[f]:
                matrix[i, j] = score[(f, v)]
    rows, cols = lsa(matrix, maximize=True)
    return {families[int(i)]: places[int(j)] for i, j in zip(rows, cols, strict=True)}


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_the_solver_per_location_picks_what_the_whole_matrix_solver_picks(
        data: st.DataObject) -> None:
    """Random waiting lists over a few locations, with many equal scores: the solver
    per location gives the very pairs scipy gives on the whole matrix."""
    n_loc = data.draw(st.integers(1, 3))
    vols = {f"v{j:02d}": data.draw(st.integers(0, n_loc - 1))
            for j in range(data.draw(st.integers(1, 9)))}
    fams = {f"f{i:02d}": data.draw(st.integers(0, n_loc - 1))
            for i in range(data.draw(st.integers(1, 9)))}
    order = data.draw(st.permutations(sorted(fams)))
    free = {v: data.draw(st.integers(0, 3)) for v in vols}
    options = {f: [v for v in sorted(vols) if vols[v] == fams[f] and data.draw(st.booleans())]
               for f in order}
    score = {(f, v): data.draw(st.sampled_from([0.0, 1.0, 2.0, 2.5, 4.0]))
             for f in order for v in vols}
    chosen = m.priority_families(order, options, free)
    assigned = m.best_assignment(chosen, options, free, lambda f, v: score[(f, v)])
    assert assigned == (_whole_matrix(chosen, options, free, score) if chosen else {})


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(st.data())
def test_the_solver_per_location_picks_what_the_whole_matrix_solver_picks_more(
        data: st.DataObject) -> None:
    """The slow tier: the same property on 300 examples instead of 100."""
    test_the_solver_per_location_picks_what_the_whole_matrix_solver_picks.hypothesis.inner_test(
        data)


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_one_block_is_solved_as_scipy_solves_the_whole_matrix(data: st.DataObject) -> None:
    """``_assign`` on a block of rows and columns gives what scipy gives on the whole
    matrix whose other entries in those rows are forbidden: small integer costs, so that
    the choice among equal costs (which follows the solver's scan of the columns) counts."""
    np = pytest.importorskip("numpy")
    lsa = pytest.importorskip("scipy.optimize").linear_sum_assignment
    width = data.draw(st.integers(1, 10))
    cols = sorted(data.draw(st.sets(st.integers(0, width - 1), min_size=1)))
    n_rows = data.draw(st.integers(1, len(cols)))
    cost = [[float(data.draw(st.integers(0, 2))) for _ in cols] for _ in range(n_rows)]
    whole = np.full((n_rows, width), np.inf)
    for r in range(n_rows):
        for k, c in enumerate(cols):
            whole[r, c] = cost[r][k]
    _, got = lsa(whole)
    assert [cols[k] for k in m._assign(cost, cols, width)] == [int(c) for c in got]


@pytest.mark.slow
@settings(max_examples=400, deadline=None)
@given(st.data())
def test_one_block_is_solved_as_scipy_solves_the_whole_matrix_more(
        data: st.DataObject) -> None:
    """The slow tier: the same property on 400 examples instead of 150."""
    test_one_block_is_solved_as_scipy_solves_the_whole_matrix.hypothesis.inner_test(data)


def test_a_plan_needs_neither_numpy_nor_scipy(demo_repo: Path) -> None:
    """The plan is solved in Python (docs/matching.md says why): neither is imported."""
    import subprocess
    import sys

    code = ("import sys, datetime as dt; from pathlib import Path; "
            "from hs.store.load import load_tree; from hs.app import matching as m; "
            f"p = m.plan(load_tree(Path({str(demo_repo)!r})).index, dt.date(2025, 12, 31)); "
            "assert p.pairs; print(sorted({'numpy', 'scipy'} & set(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"


# --- the plan's fast path against the one implementation of each rule and score -----------

FAST_DAYS = (dt.date(2025, 12, 31), dt.date(2025, 6, 30), dt.date(2024, 1, 15))


def test_the_plans_volunteer_filter_on_tuples_is_that_of_the_rules(demo_repo: Path) -> None:
    """The plan keeps a volunteer's cached tuple only when active on the day and with the
    role (``_active_in``, ``_has_role``): on every demo volunteer, every day and kind, the
    same answers as ``VolunteerRow.active_on`` and the role rule, so no volunteer whose own
    rules pass is left out before the rules see them."""
    index = index_of(demo_repo)
    tuples = {t[0]: t for t in index.tuples("volunteer")}
    assert tuples.keys() == index.volunteers.keys()
    seen = set()
    for day in (*FAST_DAYS, dt.date(2023, 1, 1)):
        for vid, vol in index.volunteers.items():
            active = m._active_in(tuples[vid][12], day.toordinal())
            assert active == vol.active_on(day), (vid, day)
            for kind in m.TRAJECTORY_KINDS:
                role = m._has_role(tuples[vid][6], kind)
                assert role == m._rule_role(vol, kind).passed
                seen.add((active, role))
    assert seen == {(True, True), (True, False), (False, True), (False, False)}


def test_the_plans_totals_are_those_of_evaluate_on_every_demo_pair(demo_repo: Path) -> None:
    """``_Points.totals`` (six look-ups a pair, no Candidate) gives every pair of a waiting
    demo family and a volunteer of its location whose own rules pass the very total of
    :func:`m.evaluate` (to the bit), and lists exactly the volunteers evaluate finds
    eligible: on three days and every kind of a plan."""
    index = index_of(demo_repo)
    w = m.weights(index)
    checked = 0
    for day in FAST_DAYS:
        families = [m.profile(index, index.families[f.family], day)
                    for f in m.waiting_list(index, day)]
        past = m.histories(index, day)
        for kind in m.MAIN_KINDS:
            points = m._Points(day, w)
            vols = [m.facts(index, v, day, kind, past.get(v.id, (0, 0, None)))
                    for v in sorted(index.volunteers.values(), key=lambda v: v.id)]
            vols = [vf for vf in vols if all(r.passed for r in vf.own)]
            scored = [points.volunteer(vf) for vf in vols]
            for prof in families:
                here = [s for s in scored if s[0].volunteer.location == prof.family.location]
                got = points.totals(prof, here)
                want = [(vf.volunteer.id, c.total) for vf in vols
                        if (c := m.evaluate(prof, vf, day, w)).eligible]
                assert got == want, (day, kind, prof.family.id)
                checked += len(got)
    assert checked > 200


def test_a_profile_with_the_plans_neighbours_memo_is_the_profile(demo_repo: Path) -> None:
    """The neighbours a plan keeps by location and municipality (``nears``) give every
    demo family the profile it has without them."""
    index = index_of(demo_repo)
    nears: dict[tuple[str, str | None], frozenset[str]] = {}
    for fam in index.families.values():
        assert m.profile(index, fam, FAST_DAYS[0], nears) == m.profile(index, fam, FAST_DAYS[0])
    assert any(nears.values()) and len(nears) < len(index.families)
