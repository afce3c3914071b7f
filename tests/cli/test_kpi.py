"""`hs kpi` on the command line: formats, --location, --by-location, --as-of, --rev
(figures reproduced from an earlier commit), --export and --from, and errors."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hs.cli import app
from tests.app.test_kpi import EXPECTED_2025, FAMILIES, TRAJECTORIES, VOLUNTEERS, build_year, check
from tests.conftest import commit_all, git, write_record
from tests.conftest import invoke as run


@pytest.fixture
def year_repo(empty_repo: Path) -> Path:
    build_year(empty_repo)
    commit_all(empty_repo, "records of 2025")
    return empty_repo


def head(root: Path) -> str:
    return git(root, "rev-parse", "HEAD").strip()


def test_json_has_every_key_and_the_commit(year_repo: Path) -> None:
    code, out, err = run(year_repo, "kpi", "--year", "2025", "--format", "json")
    assert code == 0, err
    got = json.loads(out)
    check(got, EXPECTED_2025)
    assert got["revision"] == {"commit": head(year_repo), "rev": None, "working_tree": True,
                               "dirty": False}
    assert err == ""


HERENT_PLAIN = """\
Source
Figure    Value
Year      2025
Location  herent (Home-Start Herent)
Period    2025-01-01 – 2025-12-31
Revision  working tree at HEAD {head}

Home-Start in figures
Figure                       Value
Families supported               1
Children                         2
Perinatal families               0
Support moments                  2
Volunteers                       1
New volunteers                   1
Trajectories started             1
Trajectories closed              1
Locations                        1
Cities and municipalities        2
Coordinator FTE               0.50

Referrals and trajectories
Figure                                             Value
Referrals                                              1
Accepted                                               1
Refused                                                0
Withdrawn                                              0
Trajectories started                                   1
Trajectories closed                                    1
Families waiting on 31 December 2025                   0
Days from acceptance to start (median)                40
Days from acceptance to start (90th percentile)       40

Trajectories by kind
Figure                       Value
Family buddy: active             1
Family buddy: started            1
Family buddy: closed             1
Starter volunteer: active        0
Language buddy: active           0
Language buddy: started          0
Language buddy: closed           0
Family coach: active             0
Family coach: started            0
Family coach: closed             0

Family profile
Figure                                        Count    Share
Single parent                                     0     0.0%
No income from work                               0     0.0%
Newcomer                                          0     0.0%
Psychological vulnerability                       0     0.0%
Physical disability                               0     0.0%
Youth-care or protection services involved        1   100.0%
Young parent (under 25)                           0     0.0%
Perinatal trajectory                              0     0.0%
Other                                             0     0.0%
of which pregnant at referral                     0        –
Children aged 0 to 6                              1   100.0%
Home language other than Dutch                    1   100.0%

Volunteers
Figure                      Count    Share
Volunteers                      1
Family buddies                  1
New volunteers                  1
Volunteers who stopped          0
Volunteers who came back        0
Women                           0     0.0%
Men                             1   100.0%
Other (x)                       0     0.0%
Under 19                        0     0.0%
Age 19-25                       0     0.0%
Age 26-50                       1   100.0%
Age 51-65                       0     0.0%
Age 66-75                       0     0.0%
Over 75                         0     0.0%

Referrers
Figure                          Value
CAW (general welfare centre)        1

Close reasons
Figure                Value
The family stopped        1

Impact per domain
Figure                  Closed with scores    Start    End    Change
Widening the network                     1     3.00   3.00     ±0.00

Volunteer events
Figure                      Value
Info-session attendances        0
Start training completed        0
Started as family buddy         1
Intervision attendances         0

Signals from the families
Figure              Value
Signals recorded        0

Locations and funding
Figure                                           Value
Locations                                            1
Locations run with a partner organisation            1
Partner organisations                      Partner vzw
Cities and municipalities                            2
Coordinator FTE                                   0.50
Income (euros)                                   20000
Income: Public                                  100.0%
Income: Private                                   0.0%
Income: Local governments                       100.0%
"""


def test_plain_tables_one_per_section(year_repo: Path) -> None:
    code, out, err = run(year_repo, "kpi", "--year", "2025", "--location", "herent",
                         "--format", "plain")
    assert code == 0, err
    assert [line.rstrip() for line in out.splitlines()] == \
        HERENT_PLAIN.format(head=head(year_repo)).splitlines()


def test_dutch_headers(year_repo: Path) -> None:
    result = CliRunner().invoke(app, ["--lang", "nl", "kpi", "--year", "2025", "-f", "plain",
                                      "--repo", str(year_repo)])
    assert result.exit_code == 0
    assert "Gezinnen ondersteund" in result.stdout
    assert "Gezinnen op de wachtlijst op 31 december 2025" in result.stdout


def test_by_location_one_column_per_location_and_a_total(year_repo: Path) -> None:
    code, out, _ = run(year_repo, "kpi", "--year", "2025", "--by-location", "-f", "plain")
    assert code == 0
    assert "Figure                       herent    leuven    Total" in out
    assert re.search(r"Referrals +1 +5 +6", out)
    assert re.search(r"Days from acceptance to start \(median\) +40 +42\.5 +40", out)
    code, out, _ = run(year_repo, "kpi", "--year", "2025", "--by-location", "-f", "json")
    data = json.loads(out)
    assert set(data) == {"total", "by_location"}
    assert list(data["by_location"]) == ["herent", "leuven"]
    check(data["total"], EXPECTED_2025)
    code, out, _ = run(year_repo, "kpi", "--year", "2025", "--by-location", "-f", "csv")
    assert out.startswith("section,key,figure,value,herent,leuven,total\n")
    assert "\npath,referrals,Referrals,,1,5,6\n" in out


def _csv(root: Path, lang: str, *args: str) -> list[dict[str, str]]:
    import csv
    import io

    result = CliRunner().invoke(app, ["--lang", lang, "kpi", "--year", "2025", "-f", "csv",
                                      *args, "--repo", str(root)])
    assert result.exit_code == 0, result.stderr
    assert "\n\n" not in result.stdout  # one CSV block, not one per section
    return list(csv.DictReader(io.StringIO(result.stdout)))


@pytest.mark.parametrize("args", [(), ("--by-location",), ("--location", "herent")])
def test_csv_is_one_table_with_a_stable_key_per_row(year_repo: Path,
                                                    args: tuple[str, ...]) -> None:
    """Programs read the CSV by section and key, whatever the language: only the label
    (figure) is translated."""
    en, nl = _csv(year_repo, "en", *args), _csv(year_repo, "nl", *args)
    assert [(r["section"], r["key"]) for r in en] == [(r["section"], r["key"]) for r in nl]
    assert len({(r["section"], r["key"]) for r in en}) == len(en)  # every row named once
    for a, b in zip(en, nl, strict=True):
        assert {k: v for k, v in a.items() if k != "figure"} == \
            {k: v for k, v in b.items() if k != "figure"}
    rows = {(r["section"], r["key"]): r for r in en}
    assert {r["section"] for r in en} == {"source", "headline", "path", "kinds", "profile",
                                          "volunteers", "referrers", "close_reasons",
                                          "impact", "events", "signals", "organisation"}
    value = "total" if args == ("--by-location",) else "value"
    assert rows[("headline", "families")][value] == ("1" if args[1:] else "4")
    assert rows[("source", "year")]["value"] == "2025"
    assert rows[("source", "location")]["value"] == ("herent" if args[1:] else "")
    assert rows[("source", "revision")]["value"] == \
        f"working tree at HEAD {head(year_repo)}"
    if not args:
        assert (rows[("volunteers", "gender_f")]["count"],
                rows[("volunteers", "gender_f")]["share"]) == ("3", "50.0%")
        assert rows[("profile", "pregnant-at-referral")]["share"].endswith("%")
        assert nl[[r["key"] for r in nl].index("families")]["figure"] == "Gezinnen ondersteund"


def test_the_revision_row_follows_the_language(year_repo: Path) -> None:
    result = CliRunner().invoke(app, ["--lang", "nl", "kpi", "--year", "2025", "-f", "plain",
                                      "--repo", str(year_repo)])
    assert result.exit_code == 0
    assert f"Versie    werkmap op HEAD {head(year_repo)}\n" in result.stdout
    git(year_repo, "tag", "report-2025")
    result = CliRunner().invoke(app, ["--lang", "nl", "kpi", "--year", "2025", "--rev",
                                      "report-2025", "-f", "plain", "--repo", str(year_repo)])
    assert f"Versie    commit {head(year_repo)} (report-2025)\n" in result.stdout


def test_as_of(year_repo: Path) -> None:
    code, out, _ = run(year_repo, "kpi", "--year", "2025", "--as-of", "2025-06-30",
                       "-f", "json")
    assert code == 0
    assert code == 0
    got = json.loads(out)
    assert (got["as_of"], got["closed"], got["volunteers"]) == ("2025-06-30", 0, 5)


def test_rev_reproduces_the_published_figures(year_repo: Path) -> None:
    """Figures published from a tag come back exactly after later commits changed the
    records, and reading the tag leaves the working tree alone."""
    git(year_repo, "tag", "report-2025")
    published = head(year_repo)
    _, before, _ = run(year_repo, "kpi", "--year", "2025", "-f", "json")
    # later: a trajectory of 2025 is closed after the fact, a family is added, a record
    # is deleted; all committed
    t2 = year_repo / "records" / "trajectories" / "t00000002.yaml"
    t2.write_text(TRAJECTORIES["t00000002"] + "end: 2025-12-15\nclose_reason: moved\n",
                  encoding="utf-8")
    write_record(year_repo, "families/f0000000a.yaml", FAMILIES["f00000008"])
    (year_repo / "records" / "families" / "f00000005.yaml").unlink()
    commit_all(year_repo, "corrections")
    _, now, _ = run(year_repo, "kpi", "--year", "2025", "-f", "json")
    assert json.loads(now)["closed"] == 4 and json.loads(now)["referrals"] == 6
    status = git(year_repo, "status", "--porcelain")
    t2_text = t2.read_text(encoding="utf-8")

    code, again, err = run(year_repo, "kpi", "--year", "2025", "--rev", "report-2025",
                           "-f", "json")
    assert code == 0, err
    old, new = json.loads(before), json.loads(again)
    assert new["revision"] == {"commit": published, "rev": "report-2025",
                               "working_tree": False, "dirty": False}
    del old["revision"], new["revision"]
    assert new == old
    # the working tree is untouched
    assert git(year_repo, "status", "--porcelain") == status
    assert t2.read_text(encoding="utf-8") == t2_text
    # the tables name the full commit and the tag
    _, out, _ = run(year_repo, "kpi", "--year", "2025", "--rev", "report-2025", "-f", "plain")
    assert f"Revision  commit {published} (report-2025)" in out
    # a commit hash works too, and a second read comes from the blob cache
    _, by_hash, _ = run(year_repo, "kpi", "--year", "2025", "--rev", published, "-f", "json")
    assert json.loads(by_hash)["referrals"] == old["referrals"]


def test_index_at_uses_the_blob_cache(year_repo: Path) -> None:
    from hs.store.gitread import index_at

    first = index_at(year_repo, "HEAD")
    assert first.parsed == first.files > 20
    second = index_at(year_repo, "HEAD")
    assert second.parsed == 0
    assert second.index.families.keys() == first.index.families.keys()
    assert second.index.vocabularies == first.index.vocabularies
    # one changed file: only that one is parsed again
    write_record(year_repo, "families/f0000000a.yaml", FAMILIES["f00000008"])
    commit_all(year_repo, "one more")
    assert index_at(year_repo, "HEAD").parsed == 1


def test_a_blob_cache_that_cannot_be_written_leaves_nothing_behind(year_repo: Path) -> None:
    """The cache is written atomically (hs.store.atomic.write_atomic); when it cannot be
    (here a folder is in its place) the figures come all the same and no temporary file
    stays."""
    from hs.store.cache import part_file
    from hs.store.gitread import BLOB_MEMO, index_at

    cache = part_file(year_repo, f"memo-{BLOB_MEMO}")
    (cache / "in-the-way").mkdir(parents=True)
    tree = index_at(year_repo, "HEAD")
    assert tree.parsed == tree.files > 20
    assert sorted(p.name for p in cache.parent.iterdir()) == [cache.name]
    assert index_at(year_repo, "HEAD").parsed == tree.files  # nothing was cached


def test_uncommitted_changes_are_named(year_repo: Path) -> None:
    write_record(year_repo, "families/f0000000a.yaml", FAMILIES["f00000008"])
    code, out, _ = run(year_repo, "kpi", "--year", "2025", "-f", "plain")
    assert code == 0
    assert f"working tree at HEAD {head(year_repo)}, with uncommitted changes" in out
    _, out, _ = run(year_repo, "kpi", "--year", "2025", "-f", "json")
    assert json.loads(out)["revision"]["dirty"] is True
    assert json.loads(out)["referrals"] == 7


def test_invalid_records_are_left_out_only_when_asked(year_repo: Path) -> None:
    """Figures without a record that cannot be used are refused; with --incomplete they
    are given, marked, and the notice says which file."""
    write_record(year_repo, "families/f0000000b.yaml", "schema_version: 1\nlocation: [\n")
    code, out, err = run(year_repo, "kpi", "--year", "2025", "-f", "json")
    assert (code, out) == (1, "")
    assert "--incomplete" in err
    code, out, err = run(year_repo, "kpi", "--year", "2025", "-f", "json", "--incomplete")
    assert code == 0
    assert json.loads(out)["referrals"] == 6
    assert json.loads(out)["incomplete"] == ["records/families/f0000000b.yaml:3"]
    assert err == ("hs: 1 record file could not be used (records/families/f0000000b.yaml:3); "
                   "run 'hs validate'\n")


def test_rev_errors(year_repo: Path) -> None:
    code, _, err = run(year_repo, "kpi", "--year", "2025", "--rev", "nosuch")
    assert code == 2
    assert err == f"hs: --rev: no commit 'nosuch' in the git repository at {year_repo}\n"
    code, _, err = run(year_repo, "kpi", "--year", "2025", "--rev", "--help")
    assert code == 2


def test_export_and_merge(year_repo: Path, tmp_path: Path) -> None:
    files = []
    for loc in ("leuven", "herent"):
        path = tmp_path / f"{loc}-2025.yaml"
        code, out, err = run(year_repo, "kpi", "--year", "2025", "--location", loc,
                             "--export", str(path))
        assert code == 0, err
        assert out == ""
        assert f"wrote {path}" in err
        files.append(str(path))
    text = Path(files[0]).read_text(encoding="utf-8")
    for rid in (*FAMILIES, *VOLUNTEERS, *TRAJECTORIES):
        assert rid not in text
    assert "format: hs-kpi-export/2" in text
    assert "  huisarts: 1\n" in text  # exact: the export is internal
    assert "  referrals: 5\n" in text
    assert "waiting_histogram:\n  21: 1\n  64: 1\n" in text
    assert f"commit: {head(year_repo)}" in text
    code, out, err = run(year_repo, "kpi", "--from", *files, "-f", "json")
    assert code == 0, err
    merged = json.loads(out)
    code, out, err = run(year_repo, "kpi", "--year", "2025", "-f", "json")
    direct = json.loads(out)
    assert [s["location"] for s in merged.pop("sources")] == ["leuven", "herent"]
    assert merged.pop("revision") is None
    direct.pop("revision")
    assert merged == direct  # every national figure is exact
    code, out, err = run(year_repo, "kpi", "--from", *files, "-f", "csv")
    assert code == 0, err
    assert "\nheadline,families,Families supported,4,,,,,,\n" in out.replace("\r\n", "\n")
    code, out, _ = run(year_repo, "kpi", "--from", str(tmp_path), "--by-location",
                       "-f", "plain")  # a folder of exports
    assert code == 0
    assert "Figure                       herent    leuven    Total" in out  # name order
    assert re.search(r"CAW \(general welfare centre\) +1 +0 +1", out)
    assert re.search(r"Single parent +0\.0% +33\.3% +25\.0%", out)


def test_from_refuses_other_years_duplicates_old_and_public_exports(
        year_repo: Path, tmp_path: Path) -> None:
    a, b, c, pub = (tmp_path / n for n in ("a.yaml", "b.yaml", "c.yaml", "pub.yaml"))
    for path, extra in ((a, ["--year", "2025"]), (b, ["--year", "2024"]),
                        (c, ["--year", "2025"]),
                        (pub, ["--year", "2025", "--public"])):
        code, _, err = run(year_repo, "kpi", "--location", "leuven", "--export", str(path),
                           *extra)
        assert code == 0, err
    for files, message in (
            ([a, b], f"cannot merge exports of different years: {a} is of 2025, {b} of 2024"),
            ([a, c], f"location 'leuven' appears twice in the merge: {a} and {c}"),
            ([pub], f"{pub}: a public export (small counts hidden) cannot be merged")):
        code, out, err = run(year_repo, "kpi", "--from", *map(str, files))
        assert (code, out) == (1, ""), err
        assert err.startswith(f"hs: {message}") and err.count("\n") == 1
    assert "huisarts: <5" in pub.read_text(encoding="utf-8")
    old = tmp_path / "old.yaml"
    old.write_text("format: hs-kpi-export/1\nyear: 2025\n", encoding="utf-8")
    code, _, err = run(year_repo, "kpi", "--from", str(old))
    assert code == 1
    assert err == (f"hs: {old}: export format hs-kpi-export/1 is not hs-kpi-export/2: "
                   "export it again with this version of hs (hs kpi --export)\n")
    empty = tmp_path / "empty"
    empty.mkdir()
    code, _, err = run(year_repo, "kpi", "--from", str(empty))
    assert code == 1
    assert "holds no export file" in err


def test_public_hides_small_counts(year_repo: Path) -> None:
    code, out, err = run(year_repo, "kpi", "--year", "2025", "--public", "-f", "json")
    assert code == 0, err
    data = json.loads(out)
    assert data["families"] == 4  # a total of the page stays
    assert data["referrers"]["caw"] == {"min": 1, "max": 4}
    assert data["perinatal_families"] == {"min": 1, "max": 4}
    assert data["waiting_days"] == {"n": {"min": 1, "max": 4}, "median": None, "p90": None}
    code, out, err = run(year_repo, "kpi", "--year", "2025", "--public", "--by-location",
                         "-f", "json")
    assert code == 0, err
    data = json.loads(out)
    assert data["by_location"]["herent"]["families"] == {"min": 1, "max": 4}
    assert data["by_location"]["leuven"]["families"] == {"min": 1, "max": 4}


def test_by_municipality(year_repo: Path) -> None:
    code, out, err = run(year_repo, "kpi", "--year", "2025", "--location", "leuven",
                         "--by-municipality", "-f", "json")
    assert code == 0, err
    data = json.loads(out)
    parts = data["by_municipality"]
    assert sum(p["families"] for p in parts.values()) == data["total"]["families"]
    assert sum(p["referrals"] for p in parts.values()) == data["total"]["referrals"]


def test_export_needs_one_location(year_repo: Path, tmp_path: Path) -> None:
    code, _, err = run(year_repo, "kpi", "--year", "2025", "--export",
                       str(tmp_path / "x.yaml"))
    assert code == 2
    assert "holds 3 locations (herent, leuven, lier); choose one with --location" in err
    assert not (tmp_path / "x.yaml").exists()


@pytest.mark.parametrize("args, message", [
    (["kpi"], "--year is required"),
    (["kpi", "--year", "2025", "--by-location", "--location", "leuven"], "--by-location"),
    (["kpi", "--from"], "--from needs one or more export files"),
    (["kpi", "--from", "x.yaml", "--rev", "HEAD"], "it does not take --rev"),
    (["kpi", "--year", "2025", "x.yaml"], "files are only taken with --from"),
    (["kpi", "--year", "2025", "--as-of", "someday"], "--as-of: (value not shown) is not a date"),
    (["kpi", "--year", "2025", "--as-of", "2024-05-01"], "is before the year 2025"),
    (["kpi", "--year", "2025", "-f", "xml"], "unknown format 'xml'"),
])
def test_usage_errors(year_repo: Path, args: list[str], message: str) -> None:
    code, out, err = run(year_repo, *args)
    assert code == 2
    assert out == ""
    assert message in err
    assert "Traceback" not in err


def test_unknown_location_and_bad_export(year_repo: Path, tmp_path: Path) -> None:
    for extra in ((), ("--export", str(tmp_path / "gent.yaml"))):
        code, out, err = run(year_repo, "kpi", "--year", "2025", "--location", "gent", *extra)
        assert (code, out) == (2, "")  # a usage error, as in hs list, waitlist, due
        assert err == "hs: --location: no location 'gent' (known: herent, leuven, lier)\n"
    assert not (tmp_path / "gent.yaml").exists()
    bad = tmp_path / "bad.yaml"
    bad.write_text("format: hs-kpi-export/2\nyear: 2025\nperiod: 1\n", encoding="utf-8")
    code, _, err = run(year_repo, "kpi", "--from", str(bad))
    assert code == 1
    assert err == f"hs: {bad}: 'period' is missing or not a mapping\n"


def test_rev_without_records_and_errors_in_dutch(year_repo: Path) -> None:
    empty_tree = git(year_repo, "hash-object", "-t", "tree", "/dev/null").strip()
    bare = git(year_repo, "commit-tree", empty_tree, "-m", "nothing").strip()
    code, _, err = run(year_repo, "kpi", "--year", "2025", "--rev", bare)
    assert code == 2
    assert err == f"hs: --rev: commit {bare} ({bare}) has no records tree " \
                  "(records/config.yaml missing)\n"
    result = CliRunner().invoke(app, ["--lang", "nl", "kpi", "--year", "2025", "--location",
                                      "gent", "--repo", str(year_repo)])
    assert result.exit_code == 2
    assert result.stderr == ("hs: --location: geen werking 'gent' "
                             "(bekend: herent, leuven, lier)\n")


@pytest.mark.parametrize("year", ["0", "10000", "1899", "2101", "-1"])
def test_a_year_out_of_range_is_a_usage_error(year_repo: Path, year: str) -> None:
    for lang, text in (("en", f"hs: --year: {year} is not a year from 1900 to 2100\n"),
                       ("nl", f"hs: --year: {year} is geen jaar van 1900 tot 2100\n")):
        for command in (["kpi"], ["kpi", "--as-of", "2025-06-30"], ["report"]):
            result = CliRunner().invoke(app, ["--lang", lang, *command, "--year", year,
                                              "--repo", str(year_repo)])
            assert (result.exit_code, result.stdout, result.stderr) == (2, "", text)


def test_the_central_office_exports_its_own_events_and_they_merge_once(
        year_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The central office's records repository holds no location: its export carries its
    online sessions, they reach the national figures once, and a second copy is refused."""
    monkeypatch.setenv("HS_TODAY", "2025-12-31")
    central = tmp_path / "central"
    assert CliRunner().invoke(app, ["init", str(central)]).exit_code == 0
    code, _, err = run(central, "event", "add", "--kind", "online", "--date", "2025-04-01",
                       "--count", "40")
    assert code == 0, err
    exports = tmp_path / "exports"
    exports.mkdir()
    code, _, err = run(central, "kpi", "--year", "2025", "--export",
                       str(exports / "central.yaml"))
    assert code == 0, err
    assert err == (f"wrote {exports / 'central.yaml'}: exact counts of the central office "
                   "for 2025, for the central office (internal: never publish it as it is)\n")
    code, _, err = run(year_repo, "kpi", "--year", "2025", "--location", "leuven",
                       "--export", str(exports / "leuven.yaml"))
    assert code == 0, err
    code, out, err = run(year_repo, "kpi", "--from", str(exports), "-f", "json")
    assert code == 0, err
    national = json.loads(out)
    assert national["events"]["online"] == 1
    assert national["info_session_attendances"] == 0
    (exports / "again.yaml").write_text((exports / "central.yaml").read_text())
    code, out, err = run(year_repo, "kpi", "--from", str(exports))
    assert (code, out) == (1, "")
    assert "the central office's export appears twice in the merge" in err


def _small(value: object) -> list[object]:
    """Every count from 1 to 4 shown as it is in a JSON value."""
    if isinstance(value, dict):
        if set(value) == {"min", "max"}:
            return []
        return [x for v in value.values() for x in _small(v)]
    return [value] if isinstance(value, int) and not isinstance(value, bool) \
        and 1 <= value <= 4 else []


def test_public_hides_the_small_event_and_signal_counts_of_the_demo(demo_repo: Path) -> None:
    """The event and signal figures (KpiCounts.extra) are suppressed like every other
    breakdown: on the page of all locations their breakdowns, on a page with a column
    per location also each location's totals."""
    keys = ("info_session_attendances", "start_training_completed",
            "volunteers_started_buddy", "intervision_attendances", "events", "signals",
            "signal_counts")
    code, out, err = run(demo_repo, "kpi", "--year", "2025", "-f", "json")
    assert code == 0, err
    exact = json.loads(out)
    assert exact["events"]["online"] == 3 and exact["signals"]["housing"] == 3
    code, out, err = run(demo_repo, "kpi", "--year", "2025", "--public", "-f", "json")
    assert code == 0, err
    data = json.loads(out)
    assert data["events"]["online"] == {"min": 1, "max": 4}
    assert data["signals"]["housing"] == {"min": 1, "max": 4}
    assert data["signals"]["childcare"] == 5  # five families: shown
    assert data["volunteers_started_buddy"] == 21  # a total of several locations stays
    assert _small({k: data[k] for k in keys}) == []
    code, out, err = run(demo_repo, "kpi", "--year", "2025", "--public", "--by-location",
                         "-f", "json")
    assert code == 0, err
    parts = json.loads(out)["by_location"]
    assert parts["herent"]["volunteers_started_buddy"] == {"min": 1, "max": 4}
    for part in parts.values():
        assert _small({k: part[k] for k in keys}) == []
    code, out, err = run(demo_repo, "kpi", "--year", "2025", "--public", "-f", "plain")
    assert code == 0, err
    assert re.search(r"Events: Online session +<5\n", out)
    assert re.search(r"Signals recorded +\d+–\d+\n", out)  # not the exact sum of <5 cells


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_the_demo_figures_fit_80_columns_with_labels_and_the_language_s_decimals(
        demo_repo: Path, lang: str) -> None:
    """Every section of hs kpi on the demo in plain text (what a pipe gets): lines of at
    most 80 characters, labels rather than codes, and a decimal comma in Dutch (no
    thousands separator in a table, so a number stays one word; CSV keeps a point)."""
    for extra in ((), ("--public",)):
        result = CliRunner().invoke(app, ["--lang", lang, "kpi", "--year", "2025", "-f",
                                          "plain", *extra, "--repo", str(demo_repo)])
        assert result.exit_code == 0, result.stderr
        out = result.stdout
        assert [line for line in out.splitlines() if len(line) > 80] == []
        for code in ("local-government", "own-services", "info-session", "childcare",
                     "goals-reached"):
            assert code not in out
    if lang == "nl":
        assert re.search(r"\nFte lokale coördinatoren +3,50\n", out)
        assert re.search(r"\nAlleenstaand ouderschap +36 +48,6%\n", out)
        assert re.search(r"\nInkomsten: Lokale besturen +52,0%\n", out)
        assert re.search(r"\nInkomsten \(euro\) +260000\n", out)
        assert re.search(r"\nVerbreding netwerk +\d+ +\d,\d\d +\d,\d\d +\+\d,\d\d\n", out)
    else:
        assert re.search(r"\nCoordinator FTE +3\.50\n", out)
        assert re.search(r"\nIncome: Local governments +52\.0%\n", out)


@pytest.mark.parametrize(("lang", "amount", "period"), [
    ("nl", "260.000", "01/01/2025 – 31/12/2025"), ("en", "260,000", "2025-01-01 – 2025-12-31")])
def test_the_terminal_table_groups_thousands_and_reads_the_period(
        demo_repo: Path, monkeypatch: pytest.MonkeyPatch, lang: str, amount: str,
        period: str) -> None:
    """Finding 18: the terminal table groups thousands per language and shows the period
    as every other date of the terminal; the year stays 2025; plain keeps 260000."""
    monkeypatch.setenv("COLUMNS", "120")
    result = CliRunner().invoke(app, ["--lang", lang, "kpi", "--year", "2025", "-f",
                                      "table", "--repo", str(demo_repo)])
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    label = r"(Inkomsten \(euro\)|Income \(euros\))"
    assert re.search(r"\n +" + label + " +" + re.escape(amount) + r"\n", out)
    assert period in out
    assert re.search(r" 2025\n", out) and "2.025" not in out and "2,025" not in out


def test_by_municipality_shows_no_value_for_what_is_not_split(demo_repo: Path) -> None:
    """Location metadata, volunteer events and signals are not split per municipality:
    a municipality's column has a dash (no value), not a 0 that reads as a count."""
    code, out, err = run(demo_repo, "kpi", "--year", "2025", "--location", "herkenrode",
                         "--by-municipality", "-f", "plain")
    assert code == 0, err
    assert "Figure                       Alken    Diepenbeek    Hasselt    Herk-de-Stad    " \
        "Zonhoven    Total" in out
    assert re.search(r"\nFamilies supported +2 +4 +13 +2 +6 +27\n", out)
    assert re.search(r"\nLocations( +–){5} +1\n", out)
    assert re.search(r"\nStarted as family buddy( +–){5} +11\n", out)
    assert re.search(r"\nSignals recorded( +–){5} +7\n", out)
    assert re.search(r"\nIncome: Local governments( +–){5} +36\.1%\n", out)
    rows = {(r["section"], r["key"]): r for r in _csv(demo_repo, "en", "--location",
                                                         "herkenrode", "--by-municipality")}
    assert (rows[("events", "volunteers_started_buddy")]["Alken"],
            rows[("events", "volunteers_started_buddy")]["total"]) == ("", "11")


def test_excel_is_the_csv_with_semicolons_and_decimal_commas(year_repo: Path) -> None:
    """--format excel: the CSV's rows, for Belgian Excel (a byte-order mark, `;`, a
    decimal comma in the figures, never in the keys) and for people (the table's headers,
    review 2 #12)."""
    import csv
    import io

    result = CliRunner().invoke(app, ["kpi", "--year", "2025", "-f", "excel",
                                      "--repo", str(year_repo)])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("\ufeffSection;Key;Figure;Value;Count;Share;")
    rows = {(r["Section"], r["Key"]): r for r in csv.DictReader(
        io.StringIO(result.stdout.removeprefix("\ufeff")), delimiter=";")}
    plain = {(r["section"], r["key"]): r for r in _csv(year_repo, "en")}
    assert rows.keys() == plain.keys()
    assert rows[("volunteers", "gender_f")]["Share"] == "50,0%"
    assert rows[("source", "year")]["Value"] == "2025"


@pytest.mark.parametrize("command", ["kpi", "report"])
def test_a_year_given_as_an_argument_is_asked_about(empty_repo: Path, command: str,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    code, _out, err = run(empty_repo, command, "2025")
    assert (code, err) == (2, "hs: did you mean --year 2025?\n")
    monkeypatch.setenv("HS_LANG", "nl")
    code, _out, err = run(empty_repo, command, "2025")
    assert (code, err) == (2, "hs: bedoelde je --year 2025?\n")
    code, _out, err = run(empty_repo, command, "2025", "2024")
    assert (code, err) == (2, "hs: bestanden alleen met --from\n")


def test_report_on_a_terminal_asks_for_a_file_instead_of_printing_html(
        year_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Review finding 22: 122 lines of HTML in the terminal help nobody; a pipe still gets
    the page (`hs report > page.html`), and --out or markdown work on a terminal."""
    root = year_repo
    monkeypatch.setattr("hs.cli.kpi._stdout_is_terminal", lambda: True)
    code, out, err = run(root, "--lang", "nl", "report", "--year", "2025")
    assert (code, out) == (2, "")
    assert err == ("hs: een HTML-pagina lees je niet in de terminal: schrijf ze naar een "
                   "bestand met --out BESTAND (bijvoorbeeld --out jaarverslag-2025.html), "
                   "of gebruik --format markdown\n")
    code, out, _ = run(root, "report", "--year", "2025", "--out", str(tmp_path / "p.html"))
    assert code == 0 and (tmp_path / "p.html").read_text().startswith("<!DOCTYPE html>")
    monkeypatch.setattr("hs.cli.kpi._stdout_is_terminal", lambda: False)
    code, out, _ = run(root, "report", "--year", "2025")
    assert code == 0 and out.startswith("<!DOCTYPE html>")
