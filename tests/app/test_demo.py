"""The demo generator: deterministic, valid, realistic in its proportions, and scalable."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hs.app import demo
from hs.app.kpi import compute
from hs.app.report import Context, kpi_tables, public_funding_share
from hs.app.validation import validate_tree
from hs.cli import app
from hs.records.index import FamilyRow, Index
from hs.rules.lifecycle import MAIN_KINDS, family_status, volunteer_status
from hs.store.load import load_tree

ROOT = Path(__file__).resolve().parents[2]
END = dt.date(2025, 12, 31)
Y_FIRST, Y_LAST = dt.date(2025, 1, 1), dt.date(2025, 12, 31)


def files_of(root: Path) -> dict[str, bytes]:
    base = root / "records"
    return {p.relative_to(base).as_posix(): p.read_bytes()
            for p in sorted(base.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def default_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("demo") / "repo"
    demo.generate(root)
    return root


@pytest.fixture(scope="module")
def index(default_tree: Path) -> Index:
    return load_tree(default_tree, use_cache=False).index


# --- determinism ---------------------------------------------------------------------------


def test_same_seed_same_bytes(tmp_path: Path, default_tree: Path) -> None:
    demo.generate(tmp_path / "again")
    assert files_of(tmp_path / "again") == files_of(default_tree)


def test_other_seed_other_records(tmp_path: Path, default_tree: Path) -> None:
    demo.generate(tmp_path / "other", seed=7)
    ours, theirs = files_of(default_tree), files_of(tmp_path / "other")
    assert ours["vocabularies.yaml"] == theirs["vocabularies.yaml"]
    assert set(ours) != set(theirs)  # other IDs, so other file names


def test_checked_in_demo_is_the_default_output(default_tree: Path) -> None:
    """records/ of this checkout is exactly `hs demo generate . --seed 2025`."""
    ours, fresh = files_of(ROOT), files_of(default_tree)
    stale = sorted(name for name in set(ours) | set(fresh) if ours.get(name) != fresh.get(name))
    assert not stale, f"records/ is out of date ({len(stale)} files, e.g. {stale[:3]}); " \
        "run 'hs demo generate . --force' in the repository"


def test_region_zero_is_the_same_at_every_scale() -> None:
    one = [(f.rel, f.text) for f in demo.demo_files(11, 1)]
    two = [(f.rel, f.text) for f in demo.demo_files(11, 2)]
    assert two[: len(one)] == one
    assert len(two) > 1.8 * len(one)


# --- validity and format -----------------------------------------------------------------


def test_default_demo_validates_without_problems(default_tree: Path) -> None:
    result = validate_tree(default_tree, use_cache=False)
    assert [str(p) for p in result.problems] == []
    records = [p for p in (default_tree / "records").rglob("*.yaml")]
    assert result.files == len(records) > 300


@pytest.mark.parametrize("seed", [1, 2])
def test_other_seeds_at_scale_two_validate(tmp_path: Path, seed: int) -> None:
    demo.generate(tmp_path, seed=seed, scale=2)
    result = validate_tree(tmp_path, use_cache=False)
    assert [str(p) for p in result.problems] == []


def test_files_read_back_and_match_the_hs_layout(default_tree: Path) -> None:
    """Every file takes the fast reader and is valid data in canonical form (what
    hs.records.models.dump gives). On a sample (every sixth file and every file with a comment;
    ruamel is slow): the direct emitter writes what hs.store.yamlio.new_document writes for the
    same data, and the exact reader reads the same data as the fast one."""
    from hs.records.models import MODELS, dump
    from hs.store.yamlio import fast_json, load_document, load_plain, new_document, plain

    base = default_tree / "records"
    folders = {"locations": "location", "families": "family", "volunteers": "volunteer",
               "trajectories": "trajectory"}
    checked = sampled = 0
    for folder, kind in folders.items():
        for path in sorted((base / folder).glob("*.yaml")):
            text = path.read_text(encoding="utf-8")
            lines = text.split("\n")
            assert lines[0] == f"# yaml-language-server: $schema=../../schemas/{kind}.schema.json"
            assert lines[1] == "schema_version: 1"
            assert fast_json(text) is not None, f"{path.name} needs the slow reader"
            data = load_plain(text)
            bare = "\n".join(line for line in lines[1:] if not line.startswith("#"))
            if checked % 6 == 0 or len(bare) < len(text) - len(lines[0]) - 1:
                assert plain(load_document(text)) == data
                assert new_document(data, lines[0]) == lines[0] + "\n" + bare
                sampled += 1
            record = MODELS[kind].model_validate(data)
            assert dump(record) == {k: v for k, v in data.items() if k != "schema_version"}
            checked += 1
    assert checked > 300 and sampled > 50


def test_emit_matches_new_document_on_every_shape() -> None:
    from hs.store.yamlio import load_plain, new_document

    data = {"schema_version": 1, "name": "Home-Start Demo", "fte": 0.5, "flag": True,
            "list": ["a", "b-c"], "years": [1990, 1992], "nested": {"k": {"x": 1}},
            "items": [{"date": "2025-01-02", "inner": [{"a": "2025-01", "b": 2}]},
                      {"date": "2025-02-03"}]}
    head = demo.header("family")
    assert demo.emit(data, head) == new_document(data, head)
    assert load_plain(demo.emit(data, head)) == data
    with pytest.raises(ValueError):
        demo.emit({"empty": []})


def test_some_files_carry_coordinator_comments(default_tree: Path) -> None:
    commented = [p for p in (default_tree / "records").rglob("*.yaml")
                 if any(line.startswith("# ") and "yaml-language-server" not in line
                        for line in p.read_text(encoding="utf-8").splitlines()[1:])]
    assert 3 <= len(commented) <= 40


# --- what the demo holds -------------------------------------------------------------------


def supported(index: Index) -> list[str]:
    return [f.id for f in index.families.values()
            if any(t.kind in MAIN_KINDS and t.active_between(Y_FIRST, Y_LAST)
                   for t in index.trajectories_of(f.id))]


def test_sizes(index: Index) -> None:
    assert len(index.locations) == 4
    assert len(index.families) == 150
    assert 70 <= len(index.volunteers) <= 95
    assert 95 <= len(index.trajectories) <= 125


def test_profile_shares_match_the_annual_report(index: Index) -> None:
    fams = [index.families[i] for i in supported(index)]
    n = len(fams)
    assert n >= 60

    def share(pred: Callable[[FamilyRow], bool]) -> float:
        return sum(1 for f in fams if pred(f)) / n

    for flag in ("single-parent", "no-work-income", "newcomer", "psychological-vulnerability",
                 "physical-disability", "youth-care", "young-parent", "perinatal"):
        got = sum(1 for f in fams if flag in f.flags) / n
        assert got == pytest.approx(demo.PROFILE_SHARES[flag], abs=0.03), flag
    assert share(lambda f: any(lang != "nl" for lang in f.languages)) == pytest.approx(
        0.67, abs=0.03)
    assert share(lambda f: any(b >= "2019-01" for b in f.children)) == pytest.approx(
        0.65, abs=0.03)
    perinatal = [f for f in fams if "perinatal" in f.flags]
    pregnant = [f for f in perinatal if any(r.expecting for r in f.referrals)]
    assert len(pregnant) / len(perinatal) == pytest.approx(0.39, abs=0.05)


def test_volunteer_gender_and_age_bands(index: Index) -> None:
    vols = [v for v in index.volunteers.values() if v.active_between(Y_FIRST, Y_LAST)]
    assert sum(v.gender == "f" for v in vols) / len(vols) == pytest.approx(0.78, abs=0.03)
    for lo, hi, share in demo.AGE_BANDS:
        got = sum(lo <= 2025 - v.birth_year <= hi for v in vols) / len(vols)
        assert got == pytest.approx(share, abs=0.03), (lo, hi)
    for v in index.volunteers.values():
        if v.periods:
            assert v.periods[0].start.year - v.birth_year >= 18, v.id


def test_every_referral_outcome(index: Index) -> None:
    decisions = Counter((d.decision, d.reason) for f in index.families.values()
                        for r in f.referrals for d in r.decisions)
    for reason in demo.REFUSAL_REASONS:
        assert decisions[("refused", reason)] > 0, reason
    for reason in demo.WITHDRAWAL_REASONS:
        assert decisions[("withdrawn", reason)] > 0, reason
    fams = list(index.families.values())
    withdrawn_waiting = [f for f in fams if [d.decision for d in f.referral.decisions]
                         == ["accepted", "withdrawn"]]
    withdrawn_undecided = [f for f in fams if [d.decision for d in f.referral.decisions]
                           == ["withdrawn"]]
    pending = [f for f in fams if not f.referral.decisions]
    assert withdrawn_waiting and withdrawn_undecided and pending
    assert any(len(f.referrals) > 1 for f in fams)
    statuses = Counter(family_status(index, f, END) for f in fams)
    assert set(statuses) >= {"referred", "refused", "withdrawn", "waiting",
                             "in-trajectory", "closed"}


def test_waiting_families_and_starters(index: Index) -> None:
    waiting = [f for f in index.families.values() if family_status(index, f, END) == "waiting"]
    assert 12 <= len(waiting) <= 30
    with_starter = [f for f in waiting if any(
        t.kind == "starter" and t.end is None for t in index.trajectories_of(f.id))]
    assert with_starter
    handed_over = 0
    for f in index.families.values():
        trajs = index.trajectories_of(f.id)
        for a, b in itertools.pairwise(trajs):
            if a.kind == "starter" and b.kind != "starter":
                assert a.end == b.start
                handed_over += 1
    assert handed_over >= 2
    for t in index.trajectories.values():
        if t.kind == "starter" and len(t.visit_days) > 2:
            gaps = [b - a for a, b in itertools.pairwise(t.visit_days)]
            assert min(gaps) >= 12  # now and then, not weekly


def test_perinatal_families_are_expecting_at_referral(index: Index) -> None:
    expecting = [f for f in index.families.values() if any(r.expecting for r in f.referrals)]
    assert expecting
    for f in expecting:
        assert "perinatal" in f.flags
        ref = next(r for r in f.referrals if r.expecting)
        assert ref.expecting is not None and ref.expecting > ref.date.isoformat()[:7]


def test_trajectories_kinds_reviews_and_impact(index: Index) -> None:
    trajs = list(index.trajectories.values())
    kinds = Counter(t.kind for t in trajs)
    assert kinds["buddy"] > 60 and kinds["language"] >= 3 and kinds["coach"] >= 2
    assert {t.close_reason for t in trajs if t.end} >= {
        "goals-reached", "family-stopped", "moved", "referred-on", "volunteer-stopped",
        "other"}
    reviews = Counter(r.kind for t in trajs for r in t.reviews)
    assert reviews["six-month"] and reviews["extension"] and reviews["closing"]
    closed = [t for t in trajs if t.impact_end]
    assert len(closed) > 20
    for dom in demo.CORE_DOMAINS:
        gain = sum(t.impact_end[dom] - t.impact_start[dom] for t in closed) / len(closed)
        assert gain >= 0.5, dom
    for dom in ("wellbeing", "basic-needs"):
        assert sum(t.impact_start[dom] for t in closed) / len(closed) >= 4
    # weekly visits, with gaps for holidays and illness
    year_long = [t for t in trajs if t.kind == "buddy" and t.end is not None
                 and (t.end - t.start).days >= 330]
    for t in year_long:
        weeks = (t.end - t.start).days / 7  # type: ignore[operator]
        assert 0.5 * weeks <= len(t.visit_days) <= 0.95 * weeks, t.id
    christmas = dt.date(2024, 12, 25).toordinal()
    assert not any(christmas - 3 <= d <= christmas + 3 for t in trajs for d in t.visit_days
                   if d != t.start.toordinal())
    assert all(t.start.weekday() < 5 for t in trajs if t.kind != "starter")


def test_volunteers_replaced_stopped_returned_in_training(index: Index) -> None:
    replaced = [t for t in index.trajectories.values() if len(t.assignments) > 1]
    assert replaced
    for t in replaced:
        for a, b in itertools.pairwise(t.assignments):
            assert a.end is not None and b.start == a.end + dt.timedelta(days=1)
    stopped_mid = [t for t in replaced if any(
        p.end == t.assignments[0].end
        for p in index.volunteers[t.assignments[0].volunteer].periods)]
    assert stopped_mid
    vols = list(index.volunteers.values())
    assert any(len(v.periods) > 1 and v.periods[-1].start.year == 2025 and v.periods[-1].end
               is None for v in vols)
    statuses = Counter(volunteer_status(v, END) for v in vols)
    assert statuses["candidate"] >= 3 and statuses["stopped"] >= 10
    assert {p.stop_reason for v in vols for p in v.periods if p.end} >= {
        "personal", "work", "health", "other"}
    active = [v for v in vols if v.active_on(END)]
    assert all(v.availability for v in vols)
    assert any(v.check_date is None for v in active)
    expired = [v for v in active if v.check_date is not None
               and v.check_date < dt.date(2022, 12, 31)]
    assert 1 <= len(expired) <= 3
    assert any(v.capacity == 2 for v in vols)
    idle = [v for v in active if not any(
        t.active_on(END) for t in index.trajectories_with(v.id))]
    assert len(idle) >= 5  # volunteers free for the waiting list


def test_every_section_of_the_figures_is_in_the_report_s_proportions(index: Index) -> None:
    """hs kpi --year 2025 on the demo: no section is empty, and the figures are in the
    proportions of the annual report: income 59% public (Flemish government 7%, local
    governments 52%), 41% private (funds 12%, donations 11%, own services 16%, other 2%);
    a third of the locations with a partner (5 of 15); about one volunteer started as a
    family buddy for three volunteers (130 of 392), like the new volunteers."""
    got = compute(index, 2025)
    funding = got.funding
    whole = sum(funding.values())
    shares = {k: round(100 * v / whole) for k, v in funding.items()}
    assert shares == {"flemish-government": 7, "local-government": 52, "funds": 12,
                      "donations": 11, "own-services": 16, "other": 2}
    assert list(funding) == sorted(funding)  # every source of the vocabulary, in JSON order
    assert set(funding) == set(index.vocabularies["funding_sources"])
    public = frozenset(k for k, e in index.vocabularies["funding_sources"].items()
                       if e.get("public"))
    assert public == {"flemish-government", "local-government"}
    assert public_funding_share(got, public) == 0.59
    assert public_funding_share(got, public, private=True) == 0.41
    assert got.with_partner == 1 and got.partners == frozenset({"Demo Partner vzw"})
    assert got.fte == 3.5
    volunteers = got.total("volunteers")
    started_buddy = got.extra["volunteers_started_buddy"]
    assert isinstance(volunteers, int) and isinstance(started_buddy, int)
    assert 0.28 <= started_buddy / volunteers <= 0.40  # the report: 130 / 392 = 0.33
    assert 0.28 <= got.total("volunteers_new") / volunteers <= 0.42
    tables = kpi_tables(got, ctx=Context(index.vocabularies, lang="en"))
    for table in tables:
        values = [v for row in table.rows for k, v in row.items() if k not in ("key", "figure")]
        assert any(v not in ("0", "\u2013", "", "0.0%") for v in values), table.title


def test_stopped_location_keeps_its_history(index: Index) -> None:
    lier = index.locations["lier"]
    assert lier.active_until == dt.date(2025, 12, 31)
    fams = [f for f in index.families.values() if f.location == "lier"]
    assert any(t.kind in MAIN_KINDS and t.start.year == 2025
               for f in fams for t in index.trajectories_of(f.id))
    for f in fams:
        after = END + dt.timedelta(days=1)
        assert family_status(index, f, after) in ("closed", "refused", "withdrawn")
        for t in index.trajectories_of(f.id):
            assert t.end is not None and t.end <= lier.active_until
    for v in index.volunteers.values():
        if v.location == "lier":
            assert all(p.end is not None and p.end <= lier.active_until for p in v.periods)


def test_no_real_looking_personal_data(default_tree: Path) -> None:
    base = default_tree / "records"
    for path in (base / "families").glob("*.yaml"):
        assert "\nname:" not in path.read_text(encoding="utf-8")
    for path in (base / "volunteers").glob("*.yaml"):
        name = re.search(r"^name: (.*)$", path.read_text(encoding="utf-8"), re.MULTILINE)
        assert name is not None and re.fullmatch(r"Demo volunteer \d+", name.group(1))
    readme = (base / "README.md").read_text(encoding="utf-8")
    assert "fictional" in readme


# --- scale and the command -------------------------------------------------------------------


def test_scale_keeps_proportions_and_unique_ids(tmp_path: Path) -> None:
    summary = demo.generate(tmp_path, scale=3)
    assert summary.locations == 12
    assert summary.families == 450
    idx = load_tree(tmp_path, use_cache=False).index
    assert len(idx.paths) == summary.records
    assert {loc.id for loc in idx.locations.values()} >= {"leuven", "area001a", "area002d"}
    fams = [idx.families[i] for i in supported(idx)]
    assert sum("single-parent" in f.flags for f in fams) / len(fams) == pytest.approx(
        0.48, abs=0.03)


def test_records_option_sets_the_number_of_regions() -> None:
    assert demo.regions_for(50_000) == pytest.approx(132, abs=5)
    assert demo.regions_for(1) == 1
    files = list(demo.demo_files(3, demo.regions_for(1000)))
    # the nearest whole number of regions: within half a region (plus the central events)
    assert abs(len(files) - 1000) <= demo.RECORDS_PER_REGION * 0.6


def test_cli_generate_refuse_and_force(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "repo"
    result = runner.invoke(app, ["demo", "generate", str(out), "--seed", "3"])
    assert result.exit_code == 0, result.stderr
    assert "wrote 3" in result.stderr and result.stdout == ""
    before = files_of(out)
    again = runner.invoke(app, ["demo", "generate", str(out)])
    assert again.exit_code == 2
    assert again.stderr.startswith("hs: ") and "--force" in again.stderr
    assert files_of(out) == before
    forced = runner.invoke(app, ["demo", "generate", str(out), "--force", "--seed", "4"])
    assert forced.exit_code == 0
    assert files_of(out) != before
    both = runner.invoke(app, ["demo", "generate", str(out), "--scale", "2", "--records", "9"])
    assert both.exit_code == 2 and "not both" in both.stderr


def test_force_never_replaces_real_records(empty_repo: Path) -> None:
    before = files_of(empty_repo)
    result = CliRunner().invoke(app, ["demo", "generate", str(empty_repo), "--force"])
    assert result.exit_code == 2
    assert "not a generated demo" in result.stderr
    assert files_of(empty_repo) == before


def test_cli_default_seed_is_the_library_default() -> None:
    from hs.cli import demo as cli_demo

    assert cli_demo.DEFAULT_SEED == demo.DEFAULT_SEED


def test_cli_unwritable_target_is_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["demo", "generate", str(blocker)])
    assert result.exit_code == 1
    assert result.stderr.startswith("hs: cannot write the demo to ")
    assert result.stderr.count("\n") == 1
