"""`hs import families|volunteers FILE.csv`: the column mapping, every row checked, all
errors listed with their row, nothing written unless all rows are valid, one commit."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from hs.app.importer import import_csv, read_rows
from hs.cli import app
from hs.store import gitops
from hs.store.repo import open_repo
from tests.conftest import git

runner = CliRunner()


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted((root / "records").rglob("*")) if p.is_file()}


def csv_file(tmp_path: Path, text: str, name: str = "leuven.csv",
             encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


FAMILIES = "\n".join([
    "name,municipality,referral_date,referrer,expecting,children,languages,flags,"
    "accepted_date,refused_date,withdrawn_date,reason,parent_birth_years",
    "Family A,Leuven,2025-01-06,kind-en-gezin,,2023-04;2021-09,ar nl,"
    "single-parent;newcomer,2025-01-13,,,,1990",
    "Family B,Herent,14/01/2025,Huisarts,2025-07,,fr,,,,,,",
    "Family C,Leuven,2025-01-20,Kind en Gezin,,2024-01,,,,2025-01-22,,outside-target-group,",
    "Family D,Leuven,2025-02-01,self,,,,,2025-02-03,,2025-03-01,moved,",
]) + "\n"


def test_import_families(empty_repo: Path, tmp_path: Path) -> None:
    path = csv_file(tmp_path, FAMILIES)
    before = git(empty_repo, "rev-parse", "HEAD")
    r = runner.invoke(app, ["import", "families", str(path), "--location", "leuven",
                            "--repo", str(empty_repo)])
    assert r.exit_code == 0, r.stderr
    ids = r.stdout.split()
    assert len(ids) == 4 and all(i.startswith("f") for i in ids)
    assert git(empty_repo, "rev-list", "--count", f"{before.strip()}..HEAD").strip() == "1"
    msg = gitops.parse_message(git(empty_repo, "log", "-1", "--format=%B"))
    assert msg.subject == "import: 4 families from a spreadsheet"
    assert msg.trailers["Hs-Action"] == ["import.families"]
    assert msg.trailers["Hs-Record"] == ids
    assert msg.trailers["Hs-Count"] == ["4"]
    assert "Family" not in git(empty_repo, "log", "-1", "--format=%B")
    assert git(empty_repo, "status", "--porcelain") == ""
    a, b, c, d = ids
    assert (empty_repo / f"records/families/{a}.yaml").read_text() == (
        "# yaml-language-server: $schema=../../schemas/family.schema.json\n"
        "schema_version: 1\n"
        "location: leuven\n"
        "name: Family A\n"
        "municipality: Leuven\n"
        "household:\n"
        "  parent_birth_years: [1990]\n"
        "children:\n"
        "- born: 2023-04\n"
        "- born: 2021-09\n"
        "languages: [ar, nl]\n"
        "flags: [single-parent, newcomer]\n"
        "referrals:\n"
        "- date: 2025-01-06\n"
        "  referrer: kind-en-gezin\n"
        "  decisions:\n"
        "  - date: 2025-01-13\n"
        "    decision: accepted\n")
    idx = open_repo(empty_repo).index
    assert idx.families[b].referral.date.isoformat() == "2025-01-14"
    assert idx.families[b].referral.referrer == "huisarts"
    assert idx.families[b].referral.expecting == "2025-07"
    assert [(x.decision, x.reason) for x in idx.families[c].referral.decisions] == [
        ("refused", "outside-target-group")]
    assert idx.families[c].referral.referrer == "kind-en-gezin"  # from its label
    assert [x.decision for x in idx.families[d].referral.decisions] == ["accepted",
                                                                        "withdrawn"]
    assert runner.invoke(app, ["validate", "--repo", str(empty_repo)]).exit_code == 0


def test_every_row_error_is_listed_and_nothing_is_written(empty_repo: Path,
                                                           tmp_path: Path) -> None:
    path = csv_file(tmp_path, (
        "name;referral_date;referrer;children;flags;refused_date;reason\n"
        "Good;2025-01-06;self;2023-04;;;\n"
        "Bad date;2025-02-30;self;2023-13;;;\n"
        ";2025-01-06;kind-en-gezn;;singel-parent;;\n"
        "No reason;2025-01-06;self;;;2025-01-08;\n"
        "\n"
        "Early;2025-01-06;self;;;2025-01-01;outside-target-group\n"))
    before = snapshot(empty_repo)
    r = runner.invoke(app, ["import", "families", str(path), "--location", "leuven",
                            "--repo", str(empty_repo)])
    assert r.exit_code == 1
    assert r.stdout == ""
    assert r.stderr.splitlines() == [
        "leuven.csv:3: referral_date: '2025-02-30' is not a date (YYYY-MM-DD or DD/MM/YYYY)",
        "leuven.csv:3: children: '2023-13' is not a month (YYYY-MM or MM/YYYY)",
        "leuven.csv:4: 'kind-en-gezn' is not a code of referrers; did you mean "
        "'kind-en-gezin'? (valid: kind-en-gezin, huis-van-het-kind, wijkgezondheidscentrum,"
        " ocj, caw, ocmw, huisarts, vroedvrouw, ziekenhuis, cgg, buurtwerk, ckg, politie, "
        "clb, 1g1p, cig, school, self, other)",
        "leuven.csv:4: 'singel-parent' is not a code of profile flags; did you mean "
        "'single-parent'? (valid: single-parent, no-work-income, newcomer, "
        "psychological-vulnerability, physical-disability, youth-care, young-parent, "
        "perinatal, other)",
        "leuven.csv:5: refused_date needs a reason",
        "leuven.csv:7: refused_date (2025-01-01) is before referral_date (2025-01-06)",
        "hs: 4 of 5 rows have errors; nothing was imported",
    ]
    assert snapshot(empty_repo) == before
    assert git(empty_repo, "status", "--porcelain") == ""


def test_header_problems_are_row_1(empty_repo: Path, tmp_path: Path) -> None:
    path = csv_file(tmp_path, "name,referal_date,referrer,colour\nA,2025-01-06,self,red\n")
    r = runner.invoke(app, ["import", "families", str(path), "--location", "leuven",
                            "--repo", str(empty_repo)])
    assert r.exit_code == 1
    lines = r.stderr.splitlines()
    assert lines[0] == "leuven.csv:1: unknown column 'referal_date'; did you mean " \
                       "'referral_date'?"
    assert lines[1].startswith("leuven.csv:1: column 4 of the header has no known name (is "
                               "the first row a header?); columns: accepted_date")
    assert lines[2] == "leuven.csv:1: column 'referral_date' is missing"


def test_rule_problems_name_their_row_and_location_is_checked(empty_repo: Path,
                                                              tmp_path: Path) -> None:
    path = csv_file(tmp_path, "location,referral_date,referrer\nleuven,2025-01-06,self\n"
                              "gent,2025-01-06,self\n,2025-01-06,self\n")
    r = runner.invoke(app, ["import", "families", str(path), "--repo", str(empty_repo)])
    assert r.exit_code == 1
    assert r.stderr.splitlines()[:2] == [
        "leuven.csv:3: no location with ID 'gent'",
        "leuven.csv:4: no location: add a 'location' column or use --location"]


def test_dry_run_checks_and_writes_nothing(empty_repo: Path, tmp_path: Path) -> None:
    path = csv_file(tmp_path, FAMILIES)
    before = snapshot(empty_repo)
    r = runner.invoke(app, ["import", "families", str(path), "--location", "leuven",
                            "--dry-run", "--repo", str(empty_repo)])
    assert r.exit_code == 0, r.stderr
    assert r.stdout == ""
    assert r.stderr == "leuven.csv: 4 rows valid; nothing written (--dry-run)\n"
    assert snapshot(empty_repo) == before


def test_dutch_headers_semicolons_bom_and_day_first_dates(empty_repo: Path,
                                                          tmp_path: Path) -> None:
    path = csv_file(tmp_path, "\ufeffNaam;Gemeente;Aanmelddatum;Verwijzer;Kinderen;Talen;"
                              "Aanvaard\n"
                              "Gezin E;Kessel-Lo;3/2/2025;Vroedvrouw;11/2024;ti;10.02.2025\n")
    repo = open_repo(empty_repo)
    result = import_csv(repo, "families", path, location="leu")
    assert result.errors == [] and len(result.created) == 1
    fam = open_repo(empty_repo).index.families[result.created[0]]
    assert (fam.municipality, fam.children, fam.languages) == ("Kessel-Lo", ("2024-11",),
                                                               ("ti",))
    assert fam.referral.date.isoformat() == "2025-02-03"
    assert fam.referral.decisions[0].date.isoformat() == "2025-02-10"


def test_not_utf8_is_refused(empty_repo: Path, tmp_path: Path) -> None:
    path = csv_file(tmp_path, "name,referral_date,referrer\nGezin Hélène,2025-01-06,self\n",
                    encoding="cp1252")
    r = runner.invoke(app, ["import", "families", str(path), "--location", "leuven",
                            "--repo", str(empty_repo)])
    assert r.exit_code == 2
    assert r.stderr == "hs: leuven.csv: not UTF-8 text; save the spreadsheet as 'CSV UTF-8'\n"


def test_read_rows_numbers_rows_as_a_spreadsheet_does(tmp_path: Path) -> None:
    path = csv_file(tmp_path, 'a,b\n1,"two\nlines"\n\n3,4\n')
    header, rows = read_rows(path)
    assert header == ["a", "b"]
    assert rows == [(2, ["1", "two\nlines"]), (4, ["3", "4"])]


VOLUNTEERS = "\n".join([
    "name,gender,birth_year,languages,roles,availability,capacity,preferences,joined,"
    "checked,stopped,stop_reason,info-session,module-resilience,module-attitude,"
    "module-network,get-to-know",
    "Ann,f,1970,nl fr,buddy;coach,mon-am thu-pm,2,perinatal,2023-01-01,2023-01-01,,,"
    "2022-10-01,2022-11-01,2022-11-08,2022-11-15,2022-12-01",
    "Bart,M,1985,nl,,,,,2022-01-01,,2024-06-30,Werk,,,,,",
    "Cleo,v,2003,,,,,,,,,,2025-03-01,,,,",
]) + "\n"


def test_import_volunteers(empty_repo: Path, tmp_path: Path) -> None:
    path = csv_file(tmp_path, VOLUNTEERS, name="vrijwilligers.csv")
    r = runner.invoke(app, ["import", "volunteers", str(path), "--location", "leuven",
                            "--repo", str(empty_repo)])
    assert r.exit_code == 0, r.stderr
    ann, bart, cleo = r.stdout.split()
    msg = gitops.parse_message(git(empty_repo, "log", "-1", "--format=%B"))
    assert msg.subject == "import: 3 volunteers from a spreadsheet"
    assert msg.trailers["Hs-Action"] == ["import.volunteers"]
    assert (empty_repo / f"records/volunteers/{ann}.yaml").read_text() == (
        "# yaml-language-server: $schema=../../schemas/volunteer.schema.json\n"
        "schema_version: 1\n"
        "location: leuven\n"
        "name: Ann\n"
        "gender: f\n"
        "birth_year: 1970\n"
        "languages: [nl, fr]\n"
        "roles: [buddy, coach]\n"
        "availability: [mon-am, thu-pm]\n"
        "capacity: 2\n"
        "preferences: [perinatal]\n"
        "training:\n"
        "  info-session: 2022-10-01\n"
        "  module-resilience: 2022-11-01\n"
        "  module-attitude: 2022-11-08\n"
        "  module-network: 2022-11-15\n"
        "  get-to-know: 2022-12-01\n"
        "check_date: 2023-01-01\n"
        "active:\n"
        "- start: 2023-01-01\n")
    idx = open_repo(empty_repo).index
    assert [(p.start.isoformat(), p.end.isoformat() if p.end else None, p.stop_reason)
            for p in idx.volunteers[bart].periods] == [("2022-01-01", "2024-06-30", "work")]
    assert idx.volunteers[bart].gender == "m"
    assert idx.volunteers[cleo].gender == "f" and idx.volunteers[cleo].periods == ()
    assert runner.invoke(app, ["validate", "--repo", str(empty_repo)]).exit_code == 0


def test_volunteer_row_errors(empty_repo: Path, tmp_path: Path) -> None:
    path = csv_file(tmp_path, "gender,birth_year,roles,stopped,joined\n"
                              "q,19x0,buddy,,\n"
                              "f,1980,buddie,2024-01-01,\n", name="v.csv")
    r = runner.invoke(app, ["import", "volunteers", str(path), "--location", "leuven",
                            "--repo", str(empty_repo)])
    assert r.exit_code == 1
    assert r.stderr.splitlines() == [
        "v.csv:2: gender: 'q' is not f, m or x",
        "v.csv:2: birth_year: the cell is not a whole number",  # not quoted: not a number's form
        "v.csv:3: stopped needs joined and stop_reason",
        "hs: 2 of 2 rows have errors; nothing was imported",
    ]


@pytest.mark.parametrize("kind", ["families", "volunteers"])
def test_import_help_documents_the_columns(kind: str) -> None:
    r = runner.invoke(app, ["import", kind, "--help"])
    assert r.exit_code == 0
    text = " ".join(r.stdout.split())
    for column in (["referral_date", "referrer", "accepted_date", "children"]
                   if kind == "families" else
                   ["gender", "birth_year", "joined", "checked", "info-session"]):
        assert column in text


def test_a_row_with_more_cells_than_the_header_is_a_row_error(empty_repo: Path,
                                                               tmp_path: Path) -> None:
    """A separator typed inside a value (an unquoted 'Peeters, Jan', a second child after
    a comma) makes more cells than the header has: the extra cells were dropped (the
    second child vanished) or shifted a date into the municipality with only a warning.
    It is a row error, with the row's number and no value of it."""
    path = csv_file(tmp_path, (
        "name,municipality,referral_date,referrer,children\n"
        "Good,Leuven,2025-01-06,self,2023-04\n"
        "Two kids,Leuven,2025-01-06,self,2023-04,2024-11\n"
        "Peeters, Jan,Leuven,2025-01-06,self,\n"))
    before = snapshot(empty_repo)
    r = runner.invoke(app, ["import", "families", str(path), "--location", "leuven",
                            "--repo", str(empty_repo)])
    assert r.exit_code == 1
    assert r.stderr.splitlines() == [
        "leuven.csv:3: 6 cells, but the header has 5 columns: a cell holding the separator "
        "',' must be in quotes (nothing of this row was read)",
        "leuven.csv:4: 6 cells, but the header has 5 columns: a cell holding the separator "
        "',' must be in quotes (nothing of this row was read)",
        "hs: 2 of 3 rows have errors; nothing was imported"]
    assert snapshot(empty_repo) == before
    tab = csv_file(tmp_path, "name\treferral_date\treferrer\nA\t2025-01-06\tself\t\n",
                   name="tabs.csv")
    r = runner.invoke(app, ["--lang", "nl", "import", "families", str(tab), "--location",
                            "leuven", "--dry-run", "--repo", str(empty_repo)])
    assert r.exit_code == 1
    assert r.stderr.splitlines()[0] == (
        "tabs.csv:2: 4 cellen, maar de kopregel heeft 3 kolommen: een cel met het "
        "scheidingsteken tab erin moet tussen aanhalingstekens staan (niets van deze rij "
        "werd gelezen)")


def test_import_errors_never_repeat_a_name_in_the_wrong_column(empty_repo: Path,
                                                               tmp_path: Path) -> None:
    """Names typed into every column of a families and a volunteers file (a sheet whose
    columns slid): every row error says the column and what it should hold, never the
    name; a mistyped date is still quoted."""
    name = "Zyxwo Qvistpeeters"
    fam_cols = ["referral_date", "referrer", "expecting", "children", "languages",
                "flags", "accepted_date", "refused_date", "withdrawn_date", "reason",
                "parent_birth_years"]
    rows = ["name,municipality," + ",".join(fam_cols)]
    for i in range(len(fam_cols)):
        cells = ["2025-01-06", "self", "", "", "", "", "", "", "", "", ""]
        cells[i] = name
        rows.append("A,Leuven," + ",".join(cells))
    rows.append("A,Leuven,2025-02-30,self,,,,,,,,,")
    path = csv_file(tmp_path, "\n".join(rows) + "\n")
    r = runner.invoke(app, ["import", "families", str(path), "--location", "leuven",
                            "--repo", str(empty_repo)])
    assert r.exit_code == 1
    assert "Zyxwo" not in r.stderr and "Qvist" not in r.stderr, r.stderr
    assert "referral_date: '2025-02-30' is not a date" in r.stderr
    vol_cols = ["gender", "birth_year", "languages", "roles", "availability", "capacity",
                "preferences", "joined", "checked", "stopped", "stop_reason",
                "info-session"]
    rows = ["name," + ",".join(vol_cols)]
    for i in range(len(vol_cols)):
        cells = ["f", "1980", "", "", "", "", "", "", "", "", "", ""]
        cells[i] = name
        rows.append("B," + ",".join(cells))
    path = csv_file(tmp_path, "\n".join(rows) + "\n", name="v.csv")
    r = runner.invoke(app, ["import", "volunteers", str(path), "--location", "leuven",
                            "--repo", str(empty_repo)])
    assert r.exit_code == 1
    assert "Zyxwo" not in r.stderr and "Qvist" not in r.stderr, r.stderr


def test_import_refuses_control_characters_without_repeating_them(empty_repo: Path,
                                                                  tmp_path: Path) -> None:
    path = csv_file(tmp_path, "name,municipality,referral_date,referrer,note\n"
                              "Jan\x1b]0;pwned\x07,Leuven,2025-01-06,self,ok\n"
                              "Jan,Leu\x9bven,2025-01-06,self,\"line\nbreak\x1b[2J\"\n")
    r = runner.invoke(app, ["import", "families", str(path), "--location", "leuven",
                            "--repo", str(empty_repo)])
    assert r.exit_code == 1
    assert r.stderr.splitlines() == [
        "leuven.csv:2: name: the cell holds a control character (an escape sequence can "
        "clear or retitle a terminal)",
        "leuven.csv:3: municipality: the cell holds a control character (an escape "
        "sequence can clear or retitle a terminal)",
        "leuven.csv:3: note: the cell holds a control character (an escape sequence can "
        "clear or retitle a terminal)",
        "hs: 2 of 2 rows have errors; nothing was imported"]


def test_a_file_without_a_header_row_never_repeats_its_first_row(empty_repo: Path,
                                                                 tmp_path: Path) -> None:
    path = csv_file(tmp_path, "Zyxwo Qvistpeeters,Leuven,2025-01-06,self\n"
                              "Family B,Herent,2025-01-07,self\n")
    r = runner.invoke(app, ["import", "families", str(path), "--location", "leuven",
                            "--repo", str(empty_repo)])
    assert r.exit_code == 1
    assert "Zyxwo" not in r.stderr and "Qvist" not in r.stderr
    assert r.stderr.splitlines()[0].startswith(
        "leuven.csv:1: column 1 of the header has no known name (is the first row a "
        "header?)")


def test_one_bad_row_and_a_missing_file_are_said_plainly(empty_repo: Path,
                                                         tmp_path: Path) -> None:
    """One row of two with an error: "1 of 2 rows has errors" (Dutch: "bevat"); a file
    that is not there is said in the user's language, not by the system's English."""
    path = csv_file(tmp_path, "name,referral_date,referrer\nA,2025-01-06,self\n"
                              "B,2025-01-06,self,extra\n")
    r = runner.invoke(app, ["--lang", "nl", "import", "families", str(path), "--location",
                            "leuven", "--repo", str(empty_repo)])
    assert r.exit_code == 1
    assert r.stderr.splitlines()[-1] == ("hs: 1 van 2 rijen bevat fouten; er werd niets "
                                         "geïmporteerd")
    r = runner.invoke(app, ["--lang", "nl", "import", "families", str(tmp_path / "x.csv"),
                            "--location", "leuven", "--repo", str(empty_repo)])
    assert (r.exit_code, r.stderr) == (2, "hs: x.csv: onleesbaar: bestand of map bestaat "
                                          "niet\n")


def test_cells_are_read_as_the_command_line_reads_them(empty_repo: Path, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch
                                                       ) -> None:
    monkeypatch.setenv("HS_TODAY", "2025-06-30")
    path = csv_file(tmp_path, "name;referral_date;referrer;flags;accepted_date\n"
                              "Gezin F;gisteren;K&G;nieuwkomer|alleenstaand;vandaag\n")
    result = import_csv(open_repo(empty_repo), "families", path, location="leuven")
    assert result.errors == [] and len(result.created) == 1
    fam = open_repo(empty_repo).index.families[result.created[0]]
    assert fam.referral.date.isoformat() == "2025-06-29"
    assert fam.referral.referrer == "kind-en-gezin"
    assert fam.flags == ("newcomer", "single-parent")
    assert fam.referral.decisions[0].date.isoformat() == "2025-06-30"
    vols = csv_file(tmp_path, "gender,birth_year,roles,availability\n"
                              "vrouw,1980,startmaatje;taalmaatje,maandag-vm;do-nm\n",
                    name="vol.csv")
    result = import_csv(open_repo(empty_repo), "volunteers", vols, location="leuven")
    assert result.errors == [], result.errors
    vol = open_repo(empty_repo).index.volunteers[result.created[0]]
    assert (vol.gender, vol.roles, vol.availability) == ("f", ("starter", "language"),
                                                         ("mon-am", "thu-pm"))
