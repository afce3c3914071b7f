"""`hs suggest` and `hs match plan` through the command line: tables, formats, --top,
--all, --explain, Dutch, and usage errors."""

from __future__ import annotations

import json
import string
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hs.cli import app
from tests.app.test_matching import family, trajectory, volunteer
from tests.conftest import commit_all, git
from tests.conftest import invoke as run

runner = CliRunner()


@pytest.fixture
def repo(empty_repo: Path, today: str) -> Path:
    """Three waiting families and four volunteers of location leuven (today 2025-12-31).

    f1: Arabic at home, youth-care (complex), prefers mon-am or wed-pm, waiting since March.
    f2: Dutch, expecting (perinatal), Herent, waiting since November.
    f3: French, asked for a man, waiting since January.
    v1: Arabic, Herent, likes complex situations.  v2: Leuven, likes perinatal, active
    since October.  v3: Kessel-Lo, check expired.  v4: a man, Leuven, capacity 2."""
    root = empty_repo
    family(root, "f00000001", languages=["ar"], half_days=["mon-am", "wed-pm"],
           flags=["youth-care"], accepted="2025-03-01")
    family(root, "f00000002", languages=["nl"], children=[], expecting="2026-02",
           municipality="Herent", accepted="2025-11-01")
    family(root, "f00000003", languages=["fr"], gender="m", accepted="2025-01-15")
    volunteer(root, "v00000001", languages=["nl", "ar"], municipality="Herent",
              preferences=["complex"])
    volunteer(root, "v00000002", municipality="Leuven", preferences=["perinatal"],
              active="2025-10-01")
    volunteer(root, "v00000003", municipality="Kessel-Lo", check="2022-01-01")
    volunteer(root, "v00000004", gender="m", municipality="Leuven", capacity=2)
    commit_all(root, "matching records")
    return root


# --- hs suggest ----------------------------------------------------------------------------


def test_suggest_table(repo: Path) -> None:
    code, out, err = run(repo, "suggest", "f00000001", "--format", "table", "--no-names")
    assert (code, err) == (0, "")
    lines = [line.rstrip() for line in out.splitlines()]
    assert lines == [
        "Volunteers for family f00000001 (buddy, 2025-12-31)",
        "",
        "  #   Volunteer   Municipality   language   distance   half-days   preferences"
        "   experience   waiting   total",
        " " + "━" * 109,
        "  1   v00000001   Herent                1        0.5         0.5             1"
        "            0         1       7",
        "  2   v00000004   Leuven                0          1         0.5           0.5"
        "            0         1     4.5",
        "  3   v00000002   Leuven                0          1         0.5             0"
        "            0      0.51    3.51",
    ]


def test_suggest_all_lists_the_excluded_with_their_rules(repo: Path) -> None:
    code, out, _ = run(repo, "suggest", "f00000003", "--all", "-f", "plain")
    assert code == 0
    assert out == (
        "  #  Volunteer    Municipality      language    distance    half-days    "
        "preferences    experience    waiting    total  Excluded by\n"
        "  1  v00000004    Leuven                   0           1            1"
        "            0.5             1          1      6.5\n"
        "     v00000003    Kessel-Lo                0         0.5            1"
        "            0.5             1          1      5.5  record check, gender\n"
        "     v00000002    Leuven                   0           1            1"
        "              0             1       0.51     5.51  gender\n"
        "     v00000001    Herent                   0         0.5            1"
        "              0             1          1        5  gender\n")


def test_suggest_top(repo: Path) -> None:
    def listed(*args: str) -> list[str]:
        code, out, _ = run(repo, "suggest", "f00000001", "-f", "json", *args)
        assert code == 0
        return [row["volunteer"] for row in json.loads(out)]

    assert listed() == ["v00000001", "v00000004", "v00000002"]
    assert listed("--top", "1") == ["v00000001"]
    assert listed("-n", "2") == ["v00000001", "v00000004"]
    assert listed("-n", "0") == ["v00000001", "v00000004", "v00000002"]
    # --top counts eligible volunteers; --all adds every excluded one
    assert listed("-n", "1", "--all") == ["v00000001", "v00000003"]


def test_suggest_json_and_csv_use_codes(repo: Path) -> None:
    code, out, _ = run(repo, "suggest", "f00000003", "--all", "-f", "json")
    assert code == 0
    rows = json.loads(out)
    assert list(rows[0]) == ["rank", "volunteer", "municipality", "language", "distance",
                             "half_days", "preferences", "experience", "waiting", "total",
                             "excluded_by"]
    assert [(r["rank"], r["volunteer"], r["excluded_by"]) for r in rows] == [
        (1, "v00000004", []), (None, "v00000003", ["check", "gender"]),
        (None, "v00000002", ["gender"]), (None, "v00000001", ["gender"])]
    assert rows[0]["total"] == 6.5
    code, out, _ = run(repo, "suggest", "f00000003", "--all", "-f", "csv")
    assert out.splitlines()[:3] == [
        "rank,volunteer,municipality,language,distance,half_days,preferences,experience,"
        "waiting,total,excluded_by",
        "1,v00000004,Leuven,0,1,1,0.5,1,1,6.5,",
        ',v00000003,Kessel-Lo,0,0.5,1,0.5,1,1,5.5,"check, gender"']


def test_suggest_markdown_in_dutch(repo: Path) -> None:
    code, out, _ = run(repo, "--lang", "nl", "suggest", "f00000003", "-n", "1", "--all",
                       "-f", "markdown")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split("|")[1:-1] == [
        "   # ", " Vrijwilliger   ", " Gemeente   ", "   taal ", "   afstand ",
        "   dagdelen ", "   voorkeuren ", "   ervaring ", "   wachttijd ", "   totaal ",
        " Uitgesloten want                                  "]
    # the reason as what is wrong (review finding 28), not the rule's name
    assert "| geen geldig uittreksel, gender niet zoals gewenst |" in lines[3]


def test_suggest_explain(repo: Path) -> None:
    code, out, _ = run(repo, "suggest", "f00000001", "--explain", "-n", "1", "-f", "plain")
    assert code == 0
    assert [line.rstrip() for line in out.splitlines()] == [
        "  #  Volunteer    Rule or score    Passed      Score    Weight    Points  Reason",
        "  1  v00000001    location         yes                                    "
        "works for location leuven",
        "  1  v00000001    active           yes                                    "
        "active since 2024-02-01",
        "  1  v00000001    role             yes                                    "
        "has the role for a buddy trajectory",
        "  1  v00000001    training         yes                                    "
        "training complete",
        "  1  v00000001    record check     yes                                    "
        "criminal-record check valid until 2027-01-10",
        "  1  v00000001    capacity         yes                                    "
        "has 0 families now, capacity 1",
        "  1  v00000001    gender           yes                                    "
        "the family asked for no particular gender",
        "  1  v00000001    language                         1         3         3  "
        "shares Arabic with the family",
        "  1  v00000001    distance                       0.5         2         1  "
        "lives in Herent, next to Leuven where the family lives",
        "  1  v00000001    half-days                      0.5         2         1  "
        "free on mon-am: 1 of the half-days the family asks (mon-am, wed-pm); "
        "2 give the full score",
        "  1  v00000001    preferences                      1         1         1  "
        "stated preference fits the family: Complex situations",
        "  1  v00000001    experience                       0         1         0  "
        "completed 0 trajectories (the family is flagged complex; 3 count fully)",
        "  1  v00000001    waiting                          1         1         1  "
        "has waited 699 days for a family (since 2024-02-01; 180 count fully)",
        "  1  v00000001    total                                                7  "
        "sum of the weighted scores (at most 10)",
    ]


def test_suggest_explain_json_has_every_rule_and_score_per_volunteer(repo: Path) -> None:
    code, out, _ = run(repo, "suggest", "f00000003", "--explain", "--all", "-f", "json")
    assert code == 0
    rows = json.loads(out)
    assert list(rows[0]) == ["rank", "volunteer", "item", "passed", "score", "weight",
                             "points", "reason"]
    items = ["location", "active", "role", "training", "check", "capacity", "gender",
             "language", "distance", "half_days", "preferences", "experience", "waiting",
             "total"]
    by_vol: dict[str, list[str]] = {}
    for r in rows:
        by_vol.setdefault(r["volunteer"], []).append(r["item"])
    assert list(by_vol) == ["v00000004", "v00000003", "v00000002", "v00000001"]
    assert all(v == items for v in by_vol.values())
    failed = [(r["volunteer"], r["item"], r["reason"]) for r in rows if r["passed"] is False]
    assert failed == [
        ("v00000003", "check", "criminal-record check expired on 2025-01-01"),
        ("v00000003", "gender", "the family asked for a man"),
        ("v00000002", "gender", "the family asked for a man"),
        ("v00000001", "gender", "the family asked for a man")]


def test_suggest_explain_in_dutch(repo: Path) -> None:
    code, out, _ = run(repo, "--lang", "nl", "suggest", "f00000003", "--explain", "--all",
                       "-f", "csv")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "rank,volunteer,item,passed,score,weight,points,reason"
    assert "v00000003,check,no,,,,uittreksel strafregister verlopen op 2025-01-01" in out
    assert "v00000004,gender,yes,,,,het gezin vroeg een man" in out


def test_suggest_accepts_an_id_prefix_and_a_date(repo: Path) -> None:
    code, out, _ = run(repo, "suggest", "f0000000" + "3", "-f", "json", "--date",
                       "2025-06-01")
    assert code == 0
    assert [r["volunteer"] for r in json.loads(out)] == ["v00000004"]
    code, _, err = run(repo, "suggest", "f0000", "-f", "json")
    assert code == 2 and "matches 3 records" in err  # a typing mistake: usage


def test_suggest_says_when_the_family_is_not_waiting_or_nobody_fits(repo: Path) -> None:
    trajectory(repo, "t00000001", "f00000002", "v00000002", "2025-12-15")
    code, out, err = run(repo, "suggest", "f00000002", "-f", "json")
    assert code == 0
    assert err == "note: family f00000002 is not on the waiting list on 2025-12-31 " \
        "(in-trajectory)\n"
    code, out, err = run(repo, "suggest", "f00000003", "--kind", "coach", "-f", "json")
    assert (code, json.loads(out)) == (0, [])
    assert err == "no volunteer meets every rule for family f00000003; --all shows who " \
        "is excluded and why\n"
    code, _, err = run(repo, "family", "withdraw", "f00000003", "--date", "2025-12-01",
                       "--reason", "moved")
    assert code == 0, err
    code, out, err = run(repo, "--lang", "nl", "suggest", "f00000003", "-f", "json")
    assert err == "let op: gezin f00000003 staat op 31/12/2025 niet op de wachtlijst " \
        "(afgehaakt)\n"  # a label, not the code, also where no phrase says it


@pytest.mark.parametrize(("args", "code", "message"), [
    (["suggest", "f00000001", "--top", "-1"], 2,
     "hs: --top: -1 is negative; give a count, or 0 for all\n"),
    (["suggest", "f00000001", "--kind", "friend"], 2,
     "hs: --kind: 'friend' is not a code of trajectory kinds (valid: buddy, starter, "
     "language, coach)\n"),
    (["suggest", "f00000001", "--kind", "Jan Peeters"], 2,
     "hs: --kind: the value given is not a code of trajectory kinds (valid: buddy, "
     "starter, language, coach)\n"),
    (["suggest", "f00000001", "--date", "yesterdy"], 2,  # a mistyped day word: offered
     "hs: --date: 'yesterdy' is not a date; did you mean 'yesterday'?\n"),
    (["suggest", "f00000001", "--format", "xml"], 2,
     "hs: unknown format 'xml'; use one of table, json, csv, excel, markdown, plain\n"),
    (["suggest", "f00000009"], 2, "hs: no family with ID 'f00000009'\n"),
    (["suggest", "v00000001"], 2, "hs: no family with ID 'v00000001'\n"),
    (["match", "plan", "--location", "gent"], 2,
     "hs: --location: no location 'gent' (known: leuven)\n"),
    (["match", "plan", "--kind", "starter"], 2,
     "hs: --kind: a plan is for buddy, language, coach trajectories, not 'starter'\n"),
    (["match", "plan", "--date", "2025-13-01"], 2,
     "hs: --date: '2025-13-01' is not a date; use YYYY-MM-DD, DD/MM/YYYY, DD-MM-YYYY, "
     "'today' or 'yesterday'\n"),
])
def test_usage_and_data_errors(repo: Path, args: list[str], code: int, message: str) -> None:
    got, out, err = run(repo, *args)
    assert (got, out, err) == (code, "", message)


def test_missing_family_argument_is_a_usage_error(repo: Path) -> None:
    code, out, err = run(repo, "suggest")
    assert code == 2 and out == ""
    assert err == "hs: the argument FAM is missing (see 'hs suggest --help')\n"


# --- hs match plan -------------------------------------------------------------------------


def test_plan_table(repo: Path) -> None:
    code, out, err = run(repo, "match", "plan", "-f", "plain")
    assert code == 0
    assert out == (
        "  Priority  Family     Location    Perinatal    Waiting since      Days waiting  "
        "Volunteer      Score  Unmatched because    Taken by\n"
        "         1  f00000002  leuven      yes          2025-11-01                   60  "
        "v00000002       8.51\n"
        "         2  f00000003  leuven      no           2025-01-15                  350  "
        "v00000004        6.5\n"
        "         3  f00000001  leuven      no           2025-03-01                  305  "
        "v00000001          7\n")
    assert err == ("3 proposed pairs (total score 22.01); 0 of 3 waiting families stay "
                   "unmatched\nnothing was written: confirm each pair with 'hs start'\n")


def test_plan_shows_who_stays_unmatched_and_why(repo: Path) -> None:
    # v1 and v2 now have a family each: v4 (capacity 2) is left for three families,
    # and f3 alone may have him (it asked for a man)
    for i, vid in enumerate(["v00000001", "v00000002"], start=5):
        family(repo, f"f0000000{i}", referred="2024-01-01", accepted="2024-01-02")
        trajectory(repo, f"t0000000{i}", f"f0000000{i}", vid, "2024-03-01")
    family(repo, "f00000007", location="leuven", accepted="2025-12-01", gender="x")
    commit_all(repo, "more")
    code, out, err = run(repo, "match", "plan", "--location", "leuven", "-f", "json")
    assert code == 0
    rows = json.loads(out)
    assert list(rows[0]) == ["priority", "family", "location", "perinatal", "waiting_since",
                             "waiting_days", "volunteer", "score", "unmatched", "taken_by"]
    assert [(r["family"], r["volunteer"], r["unmatched"], r["taken_by"]) for r in rows] == [
        ("f00000002", "v00000004", None, []),
        ("f00000003", "v00000004", None, []),
        ("f00000001", None, "taken-by-higher-priority", ["f00000002", "f00000003"]),
        ("f00000007", None, "no-eligible-volunteer", []),
    ]
    assert err.startswith("2 proposed pairs (total score ")
    code, out, _ = run(repo, "--lang", "nl", "match", "plan", "-f", "plain")
    assert "geschikte vrijwilligers gaan naar gezinnen hoger op de lijst" in out
    assert "f00000002, f00000003" in out
    assert "geen geschikte vrijwilliger" in out


def test_plan_and_waitlist_agree_on_the_order(repo: Path) -> None:
    """`hs match plan` takes its priority order from `hs waitlist` (one rule): a family
    flagged perinatal comes after those with an expected birth month, whatever their
    acceptance dates."""
    family(repo, "f00000005", flags=["perinatal"], accepted="2025-02-01")
    family(repo, "f00000006", children=[], expecting="2026-05", accepted="2025-12-01")
    commit_all(repo, "more perinatal families")
    _, out, _ = run(repo, "waitlist", "-f", "json")
    waitlist = [(r["rank"], r["family"]) for r in json.loads(out)]
    _, out, _ = run(repo, "match", "plan", "-f", "json")
    plan = [(r["priority"], r["family"]) for r in json.loads(out)]
    assert plan == waitlist == [(1, "f00000002"), (2, "f00000006"), (3, "f00000005"),
                                (4, "f00000003"), (5, "f00000001")]


def test_plan_writes_nothing(repo: Path) -> None:
    before = {p: p.read_bytes() for p in (repo / "records").rglob("*.yaml")}
    code, _, _ = run(repo, "match", "plan", "-f", "csv")
    assert code == 0
    assert {p: p.read_bytes() for p in (repo / "records").rglob("*.yaml")} == before
    assert git(repo, "status", "--porcelain") == ""


def test_a_plan_for_programs_imports_no_names_sealing_or_vocabulary_code(repo: Path) -> None:
    """A plan in a format for programs, on a warm cache, shows no names (only when asked)
    and puts no reason into words: it imports neither hs.app.names (sealing, the YAML
    reader) nor the vocabulary registry nor hs.app.views (start-up time, issue 12)."""
    import os
    import subprocess
    import sys

    run(repo, "waitlist", "-f", "csv")  # the cache warm
    code = ("import sys; from hs.main import main; sys.argv = ['hs', 'match', 'plan', '-f', "
            "'plain', '--kind', 'buddy']\ntry:\n    main()\nexcept SystemExit:\n    pass\n"
            "print(sorted({'hs.app.names', 'hs.app.sealing', 'hs.records.vocabularies', "
            "'hs.app.views'} & set(sys.modules)), file=sys.stderr)")
    env = {k: v for k, v in os.environ.items() if k != "HS_REPO"}
    r = subprocess.run([sys.executable, "-c", code], cwd=repo, env=env, capture_output=True,
                       text=True, check=True)
    assert "f00000001" in r.stdout
    assert r.stderr.splitlines()[-1] == "[]"


def test_match_without_a_subcommand_shows_help(repo: Path) -> None:
    result = runner.invoke(app, ["match"])
    assert result.exit_code in (0, 2)  # click prints the help; versions differ on the code
    assert "plan" in result.stdout + result.stderr


def test_cli_messages_have_both_languages_with_the_same_fields() -> None:
    from hs.cli.matching import MSG

    for key, (en, nl) in MSG.messages.items():
        fields = [{f for _, f, _, _ in string.Formatter().parse(t) if f} for t in (en, nl)]
        assert fields[0] == fields[1], key


def test_docs_name_every_rule_score_and_reason() -> None:
    from hs.app import matching as m
    from tests.conftest import ROOT

    text = (ROOT / "docs" / "matching.md").read_text(encoding="utf-8")
    for code in (*m.RULES, *m.SCORES, *m.UNMATCHED):
        assert f"`{code}`" in text, code
    assert f"min(d, {m.FULL_WAIT_DAYS}) / {m.FULL_WAIT_DAYS}" in text
    assert f"min(n, {m.FULL_EXPERIENCE}) / {m.FULL_EXPERIENCE}" in text
    for name, weight in m.DEFAULT_WEIGHTS.items():
        assert f"  {name}: {weight}" in text


def _named(root: Path) -> None:
    """Names in two records (added as the last line of each file)."""
    for rel, name in (("families/f00000001.yaml", "Benali-El Khattabi"),
                      ("volunteers/v00000001.yaml", "Mieke Van den Broeck")):
        path = root / "records" / rel
        path.write_text(path.read_text(encoding="utf-8") + f"name: {name}\n",
                        encoding="utf-8")
    commit_all(root, "names")


def test_plan_at_80_columns_with_names_in_dutch(repo: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    _named(repo)
    monkeypatch.setenv("COLUMNS", "80")
    code, out, err = run(repo, "--lang", "nl", "match", "plan", "-f", "table")
    assert code == 0, err
    assert [line.rstrip() for line in out.splitlines()] == PLAN_80_NL.splitlines()
    code, out, err = run(repo, "match", "plan", "-f", "csv")
    assert "Benali" not in out and "Mieke" not in out  # a machine format: IDs only


def test_suggest_at_80_columns_with_names(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _named(repo)
    monkeypatch.setenv("COLUMNS", "80")
    code, out, err = run(repo, "suggest", "f00000001", "-f", "table")
    assert code == 0, err
    assert [line.rstrip() for line in out.splitlines()] == SUGGEST_80.splitlines()


PLAN_80_NL = """\
Voorgestelde koppelingen voor de wachtlijst (alle werkingen, 31/12/2025)

  Voorrang   Gezin       Naam             Vrijwilliger   Naam            Score
 ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━
         1   f00000002                    v00000002                       8,51
         2   f00000003                    v00000004                        6,5
         3   f00000001   Benali-El…       v00000001      Mieke Van…          7"""

SUGGEST_80 = """\
Volunteers for family f00000001 (buddy, 2025-12-31)

  #   Volunteer   Name                 language   distance   half-days   total
 ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━
  1   v00000001   Mieke Van den…              1        0.5         0.5       7
  2   v00000004                               0          1         0.5     4.5
  3   v00000002                               0          1         0.5    3.51"""


def test_suggest_explain_table_names_each_volunteer_once(
        repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Findings 11 (review 1) and 11 (review 2): at 80 columns the rank, ID and name head
    a volunteer's rows once, the name beside the ID, and the reason wraps onto more lines
    instead of ending in "…"; headers capitalised as in the other tables."""
    monkeypatch.setenv("COLUMNS", "80")
    code, out, _ = run(repo, "suggest", "f00000001", "--explain", "-n", "1", "-f", "table")
    assert code == 0
    assert [line.rstrip() for line in out.splitlines()][2:] == [
        "  #   Volunteer   Rule or sc…   Passed   Score   Points   Reason",
        " " + "━" * 78,
        "  1   v00000001   location      yes                       works for location",
        "                                                          leuven",
        "                  active        yes                       active since",
        "                                                          2024-02-01",
        "                  role          yes                       has the role for a",
        "                                                          buddy trajectory",
        "                  training      yes                       training complete",
        "                  record…       yes                       criminal-record",
        "                                                          check valid until",
        "                                                          2027-01-10",
        "                  capacity      yes                       has 0 families now,",
        "                                                          capacity 1",
        "                  gender        yes                       the family asked for",
        "                                                          no particular gender",
        "                  language                   1        3   shares Arabic with",
        "                                                          the family",
        "                  distance                 0.5        1   lives in Herent,",
        "                                                          next to Leuven where",
        "                                                          the family lives",
        "                  half-days                0.5        1   free on mon-am: 1 of",
        "                                                          the half-days the",
        "                                                          family asks (mon-am,",
        "                                                          wed-pm); 2 give the",
        "                                                          full score",
        "                  preferences                1        1   stated preference",
        "                                                          fits the family:",
        "                                                          Complex situations",
        "                  experience                 0        0   completed 0",
        "                                                          trajectories (the",
        "                                                          family is flagged",
        "                                                          complex; 3 count",
        "                                                          fully)",
        "                  waiting                    1        1   has waited 699 days",
        "                                                          for a family (since",
        "                                                          2024-02-01; 180",
        "                                                          count fully)",
        "                  total                               7   sum of the weighted",
        "                                                          scores (at most 10)",
    ]
    _named(repo)
    code, out, _ = run(repo, "--lang", "nl", "suggest", "f00000001", "--explain", "-n", "1",
                       "-f", "table")
    assert code == 0
    assert [line.rstrip() for line in out.splitlines()][2:] == [
        "  #   Vrijwilliger   Naam          Regel of s…   Punten   Reden",
        " " + "━" * 78,
        "  1   v00000001      Mieke Van…    werking                werkt voor werking",
        "                                                          leuven",
        "                                   actief                 actief sinds",
        "                                                          2024-02-01",
        "                                   rol                    heeft de rol voor",
        "                                                          een traject van",
        "                                                          soort gezinsbuddy",
        "                                   vorming                vorming volledig",
        "                                   strafregis…            uittreksel",
        "                                                          strafregister geldig",
        "                                                          tot 2027-01-10",
        "                                   capaciteit             heeft nu 0 gezinnen,",
        "                                                          capaciteit 1",
        "                                   gender                 het gezin vroeg geen",
        "                                                          bepaald gender",
        "                                   taal               3   deelt Arabisch met",
        "                                                          het gezin",
        "                                   afstand            1   woont in Herent,",
        "                                                          naast Leuven waar",
        "                                                          het gezin woont",
        "                                   dagdelen           1   vrij op mon-am: 1",
        "                                                          van de dagdelen die",
        "                                                          het gezin vraagt",
        "                                                          (mon-am, wed-pm); 2",
        "                                                          geven de volle score",
        "                                   voorkeuren         1   opgegeven voorkeur",
        "                                                          past bij het gezin:",
        "                                                          Complexe situaties",
        "                                   ervaring           0   rondde 0 trajecten",
        "                                                          af (het gezin is als",
        "                                                          complex gemarkeerd;",
        "                                                          3 tellen volledig)",
        "                                   wachttijd          1   wacht 699 dagen op",
        "                                                          een gezin (sinds",
        "                                                          2024-02-01; 180",
        "                                                          tellen volledig)",
        "                                   totaal             7   som van de gewogen",
        "                                                          scores (hoogstens",
        "                                                          10)",
    ]
