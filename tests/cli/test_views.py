# ruff: noqa: E501
"""`hs waitlist`, `hs due`, `hs show`, `hs list ...` through the CLI, on the scenario of
test_agenda.py (day 2025-12-31; COLUMNS=120, NO_COLOR, HS_LANG=en from conftest).

Whole outputs are compared exactly; for the Rich table format, line by line without the
trailing spaces Rich pads lines with."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import get_args

import pytest
from typer.testing import CliRunner

from hs.app.agenda import DUE_WHAT, DueCause
from hs.cli import app
from tests.app.test_agenda import scenario


@pytest.fixture
def repo(empty_repo: Path, today: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    scenario(empty_repo)
    monkeypatch.setenv("HS_REPO", str(empty_repo))
    return empty_repo


def run(*args: str, code: int = 0) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == code, (result.stdout, result.stderr)
    if code == 0:
        assert result.stderr == ""
    return result.stdout


def error(*args: str, code: int) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == code, (result.stdout, result.stderr)
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def rich_lines(text: str) -> list[str]:
    return [line.rstrip() for line in text.splitlines()]


# --- hs waitlist -----------------------------------------------------------------------

WAITLIST_PLAIN = """\
  #  Family     Location    Municipality    Referred    Accepted      Days waiting  Perinatal    Starter    Languages
  1  f0000000c  leuven      Leuven          2025-10-01  2025-10-02              90  2026-01                 nl
  2  f0000000b  leuven      Leuven          2025-09-01  2025-09-05             117  2026-03      v00000002  fr
  3  f0000000d  leuven      Leuven          2025-10-20  2025-11-01              60  yes                     nl
  4  f0000000j  herent      Herent          2025-01-05  2025-01-15             350                          nl
  5  f0000000a  leuven      Leuven          2025-06-01  2025-06-10             204                          nl, ar
"""

WAITLIST_TABLE = """\
Waiting list on 2025-12-31

                                                                          Days
  #   Family      Location   Municipality   Referred     Accepted      waiting   Perinatal       Starter     Languages
 ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━
  1   f0000000c   leuven     Leuven         2025-10-01   2025-10-02         90   yes (2026-01)               nl
  2   f0000000b   leuven     Leuven         2025-09-01   2025-09-05        117   yes (2026-03)   v00000002   fr
  3   f0000000d   leuven     Leuven         2025-10-20   2025-11-01         60   yes                         nl
  4   f0000000j   herent     Herent         2025-01-05   2025-01-15        350                               nl
  5   f0000000a   leuven     Leuven         2025-06-01   2025-06-10        204                               nl, ar

                                                   5 families waiting"""

WAITLIST_MARKDOWN_NL = """\
|   # | Gezin     | Werking   | Gemeente   | Aangemeld   | Aanvaard   |   Dagen wachtend | Perinataal   | Startmaatje   | Talen   |
|-----|-----------|-----------|------------|-------------|------------|------------------|--------------|---------------|---------|
|   1 | f0000000c | leuven    | Leuven     | 2025-10-01  | 2025-10-02 |               90 | 2026-01      |               | nl      |
|   2 | f0000000b | leuven    | Leuven     | 2025-09-01  | 2025-09-05 |              117 | 2026-03      | v00000002     | fr      |
|   3 | f0000000d | leuven    | Leuven     | 2025-10-20  | 2025-11-01 |               60 | ja           |               | nl      |
|   4 | f0000000j | herent    | Herent     | 2025-01-05  | 2025-01-15 |              350 |              |               | nl      |
|   5 | f0000000a | leuven    | Leuven     | 2025-06-01  | 2025-06-10 |              204 |              |               | nl, ar  |
"""

WAITLIST_CSV = """\
rank,family,location,municipality,referred,accepted,days_waiting,perinatal,expecting,starter,languages
1,f0000000c,leuven,Leuven,2025-10-01,2025-10-02,90,yes,2026-01,,nl
2,f0000000b,leuven,Leuven,2025-09-01,2025-09-05,117,yes,2026-03,v00000002,fr
3,f0000000d,leuven,Leuven,2025-10-20,2025-11-01,60,yes,,,nl
4,f0000000j,herent,Herent,2025-01-05,2025-01-15,350,no,,,nl
5,f0000000a,leuven,Leuven,2025-06-01,2025-06-10,204,no,,,"nl, ar"
"""


def test_waitlist_plain(repo: Path) -> None:
    assert run("waitlist") == WAITLIST_PLAIN  # piped: plain by default
    assert run("waitlist", "--format", "plain") == WAITLIST_PLAIN


def test_waitlist_table(repo: Path) -> None:
    assert rich_lines(run("waitlist", "-f", "table", "--no-names")) == WAITLIST_TABLE.splitlines()


def test_waitlist_perinatal_has_one_form_in_dutch(repo: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Finding 18: "ja" and "ja (01/2026)", not "2026-01" beside "ja"."""
    out = run("--lang", "nl", "waitlist", "-f", "table", "--no-names")
    assert "ja (01/2026)" in out and "ja (03/2026)" in out and "2026-01" not in out


def test_waitlist_markdown_in_dutch(repo: Path) -> None:
    assert run("--lang", "nl", "waitlist", "-f", "markdown") == WAITLIST_MARKDOWN_NL


def test_waitlist_csv(repo: Path) -> None:
    assert run("waitlist", "-f", "csv") == WAITLIST_CSV


def test_waitlist_json(repo: Path) -> None:
    data = json.loads(run("waitlist", "-f", "json"))
    assert [d["family"] for d in data] == ["f0000000c", "f0000000b", "f0000000d",
                                           "f0000000j", "f0000000a"]
    assert data[1] == {
        "rank": 2, "family": "f0000000b", "location": "leuven", "municipality": "Leuven",
        "referred": "2025-09-01", "accepted": "2025-09-05", "days_waiting": 117,
        "perinatal": True, "expecting": "2026-03", "starter": "v00000002",
        "languages": ["fr"],
    }
    assert data[4]["perinatal"] is False and data[4]["expecting"] is None
    assert data[4]["languages"] == ["nl", "ar"]


def test_waitlist_as_of_and_location(repo: Path) -> None:
    assert run("waitlist", "--as-of", "2025-03-15") == """\
  #  Family     Location    Municipality    Referred    Accepted      Days waiting  Perinatal    Starter    Languages
  1  f0000000j  herent      Herent          2025-01-05  2025-01-15              59                          nl
  2  f0000000e  leuven      Leuven          2025-02-20  2025-03-01              14                          nl
"""
    assert [d["family"] for d in json.loads(run("waitlist", "-l", "herent", "-f", "json"))] \
        == ["f0000000j"]


def test_waitlist_empty(repo: Path) -> None:
    result = CliRunner().invoke(app, ["waitlist", "--as-of", "2024-01-01"])
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr == "no families waiting on 2024-01-01\n"
    result = CliRunner().invoke(app, ["--lang", "nl", "waitlist", "--as-of", "2024-01-01"])
    assert result.stderr == "geen wachtende gezinnen op 01/01/2024\n"  # for reading
    assert run("waitlist", "--as-of", "2024-01-01", "-f", "json") == "[]\n"
    assert run("waitlist", "--as-of", "2024-01-01", "-f", "csv").startswith("rank,family,")


# --- hs due ----------------------------------------------------------------------------

DUE_PLAIN = """\
What                   Record     Location    Due           Days overdue  Reason
criminal-record check  v00000002  leuven      2023-03-01            1036  no check on record
no starter volunteer   f0000000j  herent      2025-01-15             350  accepted 2025-01-15
no starter volunteer   f0000000a  leuven      2025-06-10             204  accepted 2025-06-10
no starter volunteer   f0000000c  leuven      2025-10-02              90  accepted 2025-10-02
no starter volunteer   f0000000d  leuven      2025-11-01              60  accepted 2025-11-01
closing conversation   t00000004  leuven      2025-12-04              27  extended 2025-06-05
criminal-record check  v00000003  leuven      2025-12-20              11  checked 2022-12-20
no visit               t00000001  leuven      2025-12-22               9  last visit 2025-12-01
referral undecided     f0000000f  leuven      2025-12-24               7  referred 2025-12-10
six-month review       t00000002  leuven      2025-12-26               5  started 2025-06-27
closing conversation   t00000003  leuven      2025-12-30               1  started 2024-12-30
retention over         v00000005  leuven      2025-12-31               0  support ended 2024-12-31
criminal-record check  v00000004  leuven      2026-01-05           in 5d  checked 2023-01-05
"""

DUE_TABLE = """\
Due by 2026-01-07

  What                    Record      Location   Due          Days overdue   Reason
 ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━
  criminal-record check   v00000002   leuven     2023-03-01           1036   no check on record
  no starter volunteer    f0000000j   herent     2025-01-15            350   accepted 2025-01-15
  no starter volunteer    f0000000a   leuven     2025-06-10            204   accepted 2025-06-10
  no starter volunteer    f0000000c   leuven     2025-10-02             90   accepted 2025-10-02
  no starter volunteer    f0000000d   leuven     2025-11-01             60   accepted 2025-11-01
  closing conversation    t00000004   leuven     2025-12-04             27   extended 2025-06-05
  criminal-record check   v00000003   leuven     2025-12-20             11   checked 2022-12-20
  no visit                t00000001   leuven     2025-12-22              9   last visit 2025-12-01
  referral undecided      f0000000f   leuven     2025-12-24              7   referred 2025-12-10
  six-month review        t00000002   leuven     2025-12-26              5   started 2025-06-27
  closing conversation    t00000003   leuven     2025-12-30              1   started 2024-12-30
  retention over          v00000005   leuven     2025-12-31              0   support ended 2024-12-31
  criminal-record check   v00000004   leuven     2026-01-05          in 5d   checked 2023-01-05

                                               13 items"""

DUE_MARKDOWN = """\
| What                  | Record    | Location   | Due        |   Days overdue | Reason                        |
|-----------------------|-----------|------------|------------|----------------|-------------------------------|
| criminal-record check | v00000002 | leuven     | 2023-03-01 |           1036 | no check on record            |
| no starter volunteer  | f0000000a | leuven     | 2025-06-10 |            204 | accepted 2025-06-10           |
| no starter volunteer  | f0000000c | leuven     | 2025-10-02 |             90 | accepted 2025-10-02           |
| no starter volunteer  | f0000000d | leuven     | 2025-11-01 |             60 | accepted 2025-11-01           |
| closing conversation  | t00000004 | leuven     | 2025-12-04 |             27 | extended 2025-06-05           |
| criminal-record check | v00000003 | leuven     | 2025-12-20 |             11 | checked 2022-12-20            |
| no visit              | t00000001 | leuven     | 2025-12-22 |              9 | last visit 2025-12-01         |
| referral undecided    | f0000000f | leuven     | 2025-12-24 |              7 | referred 2025-12-10           |
| six-month review      | t00000002 | leuven     | 2025-12-26 |              5 | started 2025-06-27            |
| closing conversation  | t00000003 | leuven     | 2025-12-30 |              1 | started 2024-12-30            |
| retention over        | v00000005 | leuven     | 2025-12-31 |              0 | support ended 2024-12-31      |
| criminal-record check | v00000004 | leuven     | 2026-01-05 |          in 5d | checked 2023-01-05            |
| no visit              | t00000006 | leuven     | 2026-01-10 |         in 10d | started 2025-12-20; no visits |
"""


def test_due_plain(repo: Path) -> None:
    assert run("due") == DUE_PLAIN


def test_due_table(repo: Path) -> None:
    assert rich_lines(run("due", "-f", "table", "--no-names")) == DUE_TABLE.splitlines()


def test_due_markdown_within_and_location(repo: Path) -> None:
    assert run("due", "-f", "markdown", "--within", "14", "-l", "leuven") == DUE_MARKDOWN


def test_due_csv_and_json(repo: Path) -> None:
    assert run("due", "-f", "csv", "-l", "herent") == (
        "what,record,location,due,days_overdue,cause,since,reason\n"
        "no-starter,f0000000j,herent,2025-01-15,350,no-starter,2025-01-15,"
        "accepted 2025-01-15\n")
    data = json.loads(run("due", "-f", "json"))
    assert [d["what"] for d in data] == [
        "check", "no-starter", "no-starter", "no-starter", "no-starter", "closing", "check",
        "no-visit", "undecided", "six-month-review", "closing", "retention", "check"]
    assert data[5] == {"what": "closing", "record": "t00000004", "location": "leuven",
                       "due": "2025-12-04", "days_overdue": 27, "cause": "extension-ends",
                       "since": "2025-06-05", "reason": "extended 2025-06-05"}


def test_due_window_from_config_and_as_of(repo: Path) -> None:
    config = repo / "records" / "config.yaml"
    config.write_text(config.read_text().replace("within_days: 7", "within_days: 14"))
    assert "t00000006" in run("due")
    # a year earlier: volunteer 5 was still active (without a check), the coach
    # trajectory had its six-month review but no visit since its start, and the buddy
    # trajectory that started the day before needed nothing yet
    assert run("due", "--as-of", "2024-12-31", "-f", "csv") == """\
what,record,location,due,days_overdue,cause,since,reason
check,v00000005,leuven,2020-01-01,1826,check-missing,2020-01-01,no check on record
check,v00000002,leuven,2023-03-01,671,check-missing,2023-03-01,no check on record
no-visit,t00000004,leuven,2024-06-22,192,last-visit,2024-06-01,last visit 2024-06-01
"""


def test_due_in_dutch(repo: Path) -> None:
    out = run("--lang", "nl", "due", "-l", "herent")
    assert out == (
        "Wat               Record     Werking    Tegen         Te laat (dagen)  Reden\n"
        "geen startmaatje  f0000000j  herent     2025-01-15                350  "
        "aanvaard 2025-01-15\n")


def test_due_at_80_columns_gives_what_and_reason_their_room(
        repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Finding 11: the location and the due date go first; the days column's header
    on two lines split between words. Finding 29: what is not due yet reads "over 5d"
    (due in 5 days), not -5, in as narrow a column."""
    monkeypatch.setenv("COLUMNS", "80")
    lines = rich_lines(run("--lang", "nl", "due", "-f", "table", "--no-names"))
    assert lines[2:5] == [
        "                                                 Te laat",
        "  Wat                   Record      Tegen        (dagen)   Reden",
        " " + "━" * 78,
    ]
    # what is due and why wrap between words (never "…"), the date column kept
    assert lines[-4:-2] == [
        "  uittreksel            v00000004   05/01/2026   over 5d   gecontroleerd",
        "  strafregister                                            05/01/2023"]


def test_due_for_programs_has_stable_codes_in_every_language(repo: Path) -> None:
    """`what`, `cause` and `since` are codes and dates, the same in English and Dutch;
    only `reason` (an explanation for people) follows the language."""
    en = json.loads(run("due", "-f", "json"))
    nl = json.loads(run("--lang", "nl", "due", "-f", "json"))
    assert [{k: v for k, v in d.items() if k != "reason"} for d in en] == \
        [{k: v for k, v in d.items() if k != "reason"} for d in nl]
    assert {d["cause"] for d in en} <= set(get_args(DueCause))
    assert {d["what"] for d in en} <= set(DUE_WHAT)
    assert (en[5]["reason"], nl[5]["reason"]) == ("extended 2025-06-05", "verlengd 2025-06-05")
    assert run("--lang", "nl", "due", "-f", "csv").splitlines()[0] == \
        "what,record,location,due,days_overdue,cause,since,reason"


# --- hs show ---------------------------------------------------------------------------

SHOW_TRAJECTORY = """\
trajectory t00000004: active (as of 2025-12-31)
file: records/trajectories/t00000004.yaml

family: f0000000n
kind: family coach
start: 2024-06-01
volunteers:
  - volunteer: v00000004
    start: 2024-06-01
visits:
  - date: 2024-06-01
  - date: 2025-12-30
reviews:
  - date: 2024-12-01
    kind: six-month review
  - date: 2025-06-05
    kind: extension

Related    ID         Kind    Status         Start       End    Family    Volunteer
family     f0000000n          in trajectory
volunteer  v00000004          active         2024-06-01
"""

SHOW_FAMILY = """\
family f0000000a: waiting (as of 2025-12-31)
file: records/families/f0000000a.yaml

location: leuven
name: Family Alpha
municipality: Leuven
children:
  - born: 2023-05
languages: Dutch, Arabic
referrals:
  - date: 2025-06-01
    referrer: Kind en Gezin (child and family agency)
    decisions:
      - date: 2025-06-10
        decision: accepted
"""

SHOW_VOLUNTEER_NL = """\
vrijwilliger v00000001: actief (stand op 2025-12-31)
bestand: records/volunteers/v00000001.yaml

werking: leuven
naam: Vera Volunteer
gender: vrouw
geboortejaar: 1970
rollen: gezinsbuddy, startmaatje, taalmaatje, gezinscoach
capaciteit: 3
uittreksel strafregister: 2024-01-01
actieve periodes:
  - start: 2020-01-01

Verwant    ID         Soort        Status    Start       Einde    Gezin      Vrijwilliger
traject    t00000001  gezinsbuddy  actief    2025-04-01           f0000000e
traject    t00000002  gezinsbuddy  actief    2025-06-27           f0000000k
"""

SHOW_FAMILY_NL = """\
gezin f0000000a: wachtend (stand op 2025-12-31)
bestand: records/families/f0000000a.yaml

werking: leuven
naam: Family Alpha
gemeente: Leuven
kinderen:
  - geboren: 2023-05
talen: Nederlands, Arabisch
aanmeldingen:
  - datum: 2025-06-01
    aanmelder: Kind en Gezin
    beslissingen:
      - datum: 2025-06-10
        beslissing: aanvaard
"""


def test_show_trajectory(repo: Path) -> None:
    assert run("show", "t00000004") == SHOW_TRAJECTORY


def test_show_family_by_prefix(repo: Path) -> None:
    assert run("show", "f0000000a") == SHOW_FAMILY
    out = run("show", "f0000000e", "--as-of", "2025-03-15")
    assert out.splitlines()[0] == "family f0000000e: waiting (as of 2025-03-15)"
    assert out.splitlines()[-1].split() == ["trajectory", "t00000001", "buddy", "planned",
                                            "2025-04-01", "v00000001"]


def test_show_says_fields_and_codes_by_their_labels(repo: Path) -> None:
    """In Dutch (and English) hs show names each field and code by its label, as the
    tables do; the machine formats keep the keys and codes (test_show_json)."""
    assert run("--lang", "nl", "show", "f0000000a") == SHOW_FAMILY_NL
    assert rich_lines(run("--lang", "nl", "show", "v00000001")) == \
        rich_lines(SHOW_VOLUNTEER_NL)


def test_show_names_each_related_record_beside_its_own_id(repo: Path) -> None:
    """Finding 33: a trajectory row's volunteer is named beside the volunteer's ID (not
    beside the trajectory's), under a header that says whose name it is."""
    out = run("--lang", "nl", "show", "f0000000e", "--names")
    assert out.splitlines()[-2:] == [
        "Verwant    ID         Naam    Soort        Status    Start       Einde    Gezin    "
        "Naam (gezin)    Vrijwilliger    Naam (vrijwilliger)",
        "traject    t00000001          gezinsbuddy  actief    2025-04-01                   "
        "                 v00000001       Vera Volunteer"]
    out = run("show", "t00000001", "--names")  # a trajectory: its family and volunteer
    assert out.splitlines()[-3:] == [
        "Related    ID         Name            Kind    Status         Start       End    "
        "Family    Name (family)    Volunteer    Name (volunteer)",
        "family     f0000000e                          in trajectory",
        "volunteer  v00000001  Vera Volunteer          active         2025-04-01"]


def test_show_json(repo: Path) -> None:
    data = json.loads(run("show", "v00000001", "-f", "json"))
    assert data == {"id": "v00000001", "kind": "volunteer", "status": "active",
                    "data": {"schema_version": 1, "location": "leuven",
                             "name": "Vera Volunteer", "gender": "f", "birth_year": 1970,
                             "roles": ["buddy", "starter", "language", "coach"],
                             "capacity": 3, "check_date": "2024-01-01",
                             "active": [{"start": "2020-01-01"}]}}
    assert json.loads(run("show", "leuven", "-f", "json"))["status"] == "active"


def test_show_json_of_a_trajectory_keeps_the_record_kind(repo: Path) -> None:
    """A trajectory has a field ``kind`` of its own (buddy, language...): it stays in
    ``data`` and does not replace the record kind."""
    data = json.loads(run("show", "t00000006", "-f", "json"))
    assert list(data) == ["id", "kind", "status", "data"]
    assert (data["id"], data["kind"], data["status"]) == ("t00000006", "trajectory", "active")
    assert data["data"]["kind"] == "language"
    assert data["data"]["family"] == "f0000000p"


def test_show_csv_and_markdown(repo: Path) -> None:
    assert run("show", "t00000005", "-f", "csv") == """\
field,value
kind,trajectory
id,t00000005
status,active
data.schema_version,1
data.family,f0000000b
data.kind,starter
data.start,2025-09-10
data.volunteers[0].volunteer,v00000002
data.volunteers[0].start,2025-09-10
"""
    md = run("show", "v00000004", "-f", "markdown")
    assert "| active[0].start | 2020-01-01" in md
    assert "| trajectory | t00000006 | language buddy | active" in md


def test_show_errors(repo: Path) -> None:
    assert error("show", "f9", code=2) == "hs: no record with ID 'f9'"
    assert error("show", "t0", code=2) == (
        "hs: ID prefix 't0' matches 7 records: t00000001, t00000002, t00000003, "
        "t00000004, t00000005 ...; type more characters")
    assert error("show", "t00000001", "-f", "yaml", code=2).startswith(
        "hs: unknown format 'yaml'")


def test_show_invalid_record(repo: Path) -> None:
    path = repo / "records" / "families" / "f0000000a.yaml"
    path.write_text(path.read_text().replace("location: leuven", "location: [oops"))
    line = error("show", "f0000000a", code=1)
    assert line.startswith("hs: records/families/f0000000a.yaml:")
    assert line.endswith("(run 'hs validate' for every problem)")
    dutch = error("--lang", "nl", "show", "f0000000a", code=1)
    assert dutch.endswith("('hs validate' toont alle problemen)")


# --- hs list ---------------------------------------------------------------------------

FAMILIES_PLAIN = """\
ID         Location    Municipality    Status         Referred    Accepted    Trajectory    Volunteer      Children  Languages
f0000000j  herent      Herent          waiting        2025-01-05  2025-01-15                                      1  nl
f0000000n  leuven      Leuven          in trajectory  2024-05-01  2024-05-10  t00000004     v00000004             1  nl
f0000000m  leuven      Leuven          in trajectory  2024-12-01  2024-12-10  t00000003     v00000003             1  nl
f0000000q  leuven      Leuven          closed         2025-01-01  2025-01-10  t00000007     v00000003             1  nl
f0000000e  leuven      Leuven          in trajectory  2025-02-20  2025-03-01  t00000001     v00000001             1  nl
f0000000g  leuven      Leuven          refused        2025-05-01                                                  1  nl
f0000000a  leuven      Leuven          waiting        2025-06-01  2025-06-10                                      1  nl, ar
f0000000k  leuven      Leuven          in trajectory  2025-06-01  2025-06-10  t00000002     v00000001             1  nl
f0000000h  leuven      Leuven          withdrawn      2025-08-01  2025-08-05                                      1  nl
f0000000b  leuven      Leuven          waiting        2025-09-01  2025-09-05                                      1  fr
f0000000c  leuven      Leuven          waiting        2025-10-01  2025-10-02                                      1  nl
f0000000d  leuven      Leuven          waiting        2025-10-20  2025-11-01                                      1  nl
f0000000p  leuven      Leuven          in trajectory  2025-12-01  2025-12-05  t00000006     v00000004             1  nl
f0000000f  leuven      Leuven          referred       2025-12-10                                                  1  nl
"""


def test_list_families(repo: Path) -> None:
    assert run("list", "families") == FAMILIES_PLAIN
    assert "Family Alpha" not in run("list", "families")  # no names by default


def test_list_families_filters_and_names(repo: Path) -> None:
    assert run("list", "families", "-s", "waiting", "-l", "leuven", "--names",
               "-f", "csv") == """\
id,name,location,municipality,status,referred,accepted,trajectory,volunteer,children,languages
f0000000a,Family Alpha,leuven,Leuven,waiting,2025-06-01,2025-06-10,,,1,"nl, ar"
f0000000b,,leuven,Leuven,waiting,2025-09-01,2025-09-05,,,1,fr
f0000000c,,leuven,Leuven,waiting,2025-10-01,2025-10-02,,,1,nl
f0000000d,,leuven,Leuven,waiting,2025-10-20,2025-11-01,,,1,nl
"""
    data = json.loads(run("list", "families", "--status", "in-trajectory", "--as-of",
                          "2025-03-15", "-f", "json"))
    assert [d["id"] for d in data] == ["f0000000n", "f0000000m", "f0000000q"]
    assert data[2] == {"id": "f0000000q", "location": "leuven", "municipality": "Leuven",
                       "status": "in-trajectory", "referred": "2025-01-01",
                       "accepted": "2025-01-10", "trajectory": "t00000007",
                       "volunteer": "v00000003", "children": 1, "languages": ["nl"]}


def test_list_volunteers(repo: Path) -> None:
    assert run("list", "volunteers", "--status", "active", "--names", "-f",
               "markdown") == """\
| ID        | Name           | Location   | Municipality   | Status   | Roles                                        | Languages   |   Capacity |   Families | Trained   | Check valid until   |
|-----------|----------------|------------|----------------|----------|----------------------------------------------|-------------|------------|------------|-----------|---------------------|
| v00000001 | Vera Volunteer | leuven     |                | active   | buddy, starter, language buddy, family coach |             |          3 |          2 | no        | 2027-01-01          |
| v00000002 |                | leuven     |                | active   | buddy, starter, language buddy, family coach |             |          3 |          0 | no        |                     |
| v00000003 |                | leuven     |                | active   | buddy, starter, language buddy, family coach |             |          3 |          1 | no        | 2025-12-20          |
| v00000004 |                | leuven     |                | active   | buddy, starter, language buddy, family coach |             |          3 |          2 | no        | 2026-01-05          |
"""
    data = json.loads(run("list", "volunteers", "--role", "coach", "-s", "stopped",
                          "-f", "json"))
    assert data == [{"id": "v00000005", "location": "leuven", "municipality": None,
                     "status": "stopped", "roles": ["buddy", "starter", "language", "coach"],
                     "languages": [], "capacity": 3, "load": 0, "trained": False,
                     "check_valid_until": None}]


def test_list_trajectories(repo: Path) -> None:
    assert run("list", "trajectories", "--volunteer", "v00000004") == """\
ID         Family     Location    Kind            Status    Start       End    Volunteer      Visits  Last visit
t00000004  f0000000n  leuven      family coach    active    2024-06-01         v00000004           2  2025-12-30
t00000006  f0000000p  leuven      language buddy  active    2025-12-20         v00000004           0
"""
    assert run("list", "trajectories", "-k", "buddy", "-s", "closed", "-f", "csv",
               "--names") == """\
id,family,family_name,location,kind,status,start,end,volunteer,volunteer_name,visits,last_visit
t00000007,f0000000q,,leuven,buddy,closed,2025-02-01,2025-10-01,v00000003,,0,
"""
    data = json.loads(run("list", "trajectories", "--family", "f0000000b", "-f", "json"))
    assert [(d["id"], d["kind"], d["volunteer"]) for d in data] == [
        ("t00000005", "starter", "v00000002")]


def test_list_errors(repo: Path) -> None:
    # one phrasing for an unknown code (review finding 34), in Dutch with the labels
    assert error("list", "families", "--status", "bogus", code=2) == (
        "hs: --status: 'bogus' is not a code of family statuses (valid: referred, refused, "
        "withdrawn, waiting, in-trajectory, closed)")
    assert error("--lang", "nl", "list", "families", "--status", "Jan Peeters", code=2) == (
        "hs: --status: de gegeven waarde is geen code van statussen van gezinnen (geldig: "
        "aangemeld, geweigerd, afgehaakt, wachtend, in traject, afgesloten)")
    assert error("--lang", "nl", "list", "trajectories", "--status", "wachtend",
                 code=2) == (
        "hs: --status: 'wachtend' is geen code van statussen van trajecten (geldig: "
        "gepland, actief, afgesloten)")
    assert error("list", "volunteers", "-l", "nowhere", code=2) == (
        "hs: --location: no location 'nowhere' (known: herent, leuven)")
    assert error("list", "trajectories", "--volunteer", "v0", code=2).startswith(
        "hs: ID prefix 'v0' matches 5 records")
    assert error("list", "trajectories", "-f", "xml", code=2).startswith(
        "hs: unknown format 'xml'")


def test_errors_of_the_agenda_commands(repo: Path) -> None:
    assert error("waitlist", "--format", "html", code=2) == (
        "hs: unknown format 'html'; use one of table, json, csv, excel, markdown, plain")
    assert error("due", "-f", "html", code=2).startswith("hs: unknown format")
    assert error("waitlist", "--as-of", "31/13/2025", code=2) == (
        "hs: --as-of: '31/13/2025' is not a date; use YYYY-MM-DD, DD/MM/YYYY, DD-MM-YYYY, 'today' or 'yesterday'")
    assert error("due", "--location", "gent", code=2).startswith(
        "hs: --location: no location 'gent'")


def test_waitlist_reads_only_the_index(repo: Path) -> None:
    """The waiting list and the due list never load pydantic, the models, ruamel or Rich
    (warm cache, plain output)."""
    env = {**os.environ, "HS_REPO": str(repo)}
    for command in ("waitlist", "due"):
        subprocess.run([sys.executable, "-m", "hs", command], env=env, check=True,
                       capture_output=True)  # warm the cache
        proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "hs", command],
                              env=env, check=True, capture_output=True, text=True)
        modules = {line.rsplit("|", 1)[-1].strip() for line in proc.stderr.splitlines()}
        assert "hs.records.models" not in modules
        assert not {m for m in modules
                    if m.startswith(("pydantic", "ruamel", "rich", "hs.rules.checks"))}


# --- names beside IDs, and tables that fit the terminal (issue 12) ----------------------

WAITLIST_80 = """\
Waiting list on 2025-12-31

                                                          Days
  #   Family      Name         Municip…   Accepted     waiting   Perinatal
 ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━
  1   f0000000c                Leuven     2025-10-02        90   yes (2026-01)
  2   f0000000b                Leuven     2025-09-05       117   yes (2026-03)
  3   f0000000d                Leuven     2025-11-01        60   yes
  4   f0000000j                Herent     2025-01-15       350
  5   f0000000a   Family…      Leuven     2025-06-10       204

                               5 families waiting"""


def test_waitlist_at_80_columns_has_names_and_fits(repo: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    assert rich_lines(run("waitlist", "-f", "table")) == WAITLIST_80.splitlines()


DUE_80_NL = """\
Te doen tegen 07/01/2026

                                                 Te laat
  Wat                    Record      Naam        (dagen)   Reden
 ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━
  uittreksel             v00000002                  1036   geen uittreksel
  strafregister                                            gekend
  geen startmaatje       f0000000j                   350   aanvaard 15/01/2025
  geen startmaatje       f0000000a   Family…         204   aanvaard 10/06/2025
  geen startmaatje       f0000000c                    90   aanvaard 02/10/2025
  geen startmaatje       f0000000d                    60   aanvaard 01/11/2025
  afrondingsgesprek      t00000004                    27   verlengd 05/06/2025
  uittreksel             v00000003                    11   gecontroleerd
  strafregister                                            20/12/2022
  geen bezoek            t00000001                     9   laatste bezoek
                                                           01/12/2025
  aanmelding zonder      f0000000f                     7   aangemeld
  beslissing                                               10/12/2025
  afstemmingsgesprek     t00000002                     5   gestart 27/06/2025
  afrondingsgesprek      t00000003                     1   gestart 30/12/2024
  bewaartermijn          v00000005                     0   begeleiding
  voorbij                                                  beëindigd
                                                           31/12/2024
  uittreksel             v00000004               over 5d   gecontroleerd
  strafregister                                            05/01/2023

                                    13 taken"""


def test_due_at_80_columns_in_dutch_belgian_dates(repo: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Dutch reads dd/mm/yyyy in the terminal table; a trajectory is named by its family."""
    monkeypatch.setenv("COLUMNS", "80")
    assert rich_lines(run("--lang", "nl", "due", "-f", "table")) == DUE_80_NL.splitlines()
    # the machine formats keep ISO dates
    assert "2023-03-01" in run("--lang", "nl", "due", "-f", "plain")


def test_no_names_and_the_repository_setting_hide_names(repo: Path) -> None:
    shown = run("list", "volunteers", "-f", "table", "--wide")
    assert "Vera" in shown
    assert "Vera" not in run("list", "volunteers", "-f", "table", "--no-names")
    config = repo / "records" / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "names: hidden\n",
                      encoding="utf-8")
    hidden = run("list", "volunteers", "-f", "table", "--wide")
    assert "Vera" not in hidden and "Name" not in hidden
    assert "Vera" in run("list", "volunteers", "-f", "table", "--wide", "--names")


def test_machine_formats_keep_ids_only_unless_names(repo: Path) -> None:
    for fmt in ("plain", "csv", "json", "markdown", "excel"):
        assert "Family Alpha" not in run("waitlist", "-f", fmt), fmt
        assert "Family Alpha" in run("waitlist", "-f", fmt, "--names"), fmt
    assert run("waitlist", "-f", "csv", "--names", "-l", "leuven").splitlines()[0] == (
        "rank,family,family_name,location,municipality,referred,accepted,days_waiting,"
        "perinatal,expecting,starter,languages")


def test_names_are_read_for_the_rows_shown_only(repo: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    from hs.app import names

    asked: list[str] = []
    real = names.display_names

    def spy(r: object, ids: list[str]) -> dict[str, str]:
        ids = list(ids)
        asked.extend(ids)
        return real(r, ids)  # type: ignore[arg-type]

    monkeypatch.setattr(names, "display_names", spy)
    run("waitlist", "-f", "table", "-l", "herent")
    assert asked == ["f0000000j"]


#: Every table command of the scenario, for the width check.
TABLE_COMMANDS = [
    ["waitlist"], ["due"], ["list", "families"], ["list", "volunteers"],
    ["list", "trajectories"], ["list", "events"], ["show", "f0000000e"],
    ["show", "v00000001"], ["show", "t00000001"], ["history", "t00000001"],
    ["suggest", "f0000000c", "--all"], ["suggest", "f0000000c", "--all", "--explain"],
    ["match", "plan"], ["kpi", "--year", "2025"], ["kpi", "--year", "2025", "--by-location"],
]
_ID = re.compile(r"[ftve]0{4}[0-9a-z]*")
_DATE = re.compile(r"\d{4}-[\d-]*|\d\d/[\d/]*")


@pytest.mark.parametrize("width", [80, 60])
@pytest.mark.parametrize("lang", ["en", "nl"])
def test_every_table_fits_the_width_and_breaks_no_id_or_date(
        repo: Path, monkeypatch: pytest.MonkeyPatch, width: int, lang: str) -> None:
    monkeypatch.setenv("COLUMNS", str(width))
    for args in TABLE_COMMANDS:
        result = CliRunner().invoke(app, ["--lang", lang, *args, "-f", "table"])
        assert result.exit_code == 0, (args, result.stderr)
        lines = result.stdout.splitlines()
        if args[0] == "show":  # the record's own text before its related records
            lines = lines[lines.index(next(x for x in lines if "━" in x)) - 2:]
        for line in lines:
            assert len(line.rstrip()) <= width, (args, line)
            for found in _ID.findall(line):
                assert len(found) == 9, (args, line)
            for found in _DATE.findall(line):
                assert len(found) in (7, 10), (args, line)
