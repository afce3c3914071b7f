# ruff: noqa: E501
"""`hs retention [--apply]`, `hs family|volunteer consent` and `--consent` on the create
commands, on one scenario (today 2026-06-30)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hs.app import retention as app_retention
from hs.store.repo import open_repo
from tests.conftest import SharedTrees, git, invoke

NAMES = ("Zyxwar Quillfeather", "Vexmoor Dandelip", "Plonkridge Ashwhisk", "Glimmerbax Tove")
NOTES = ("Blorptang visit note", "Snorkelwist family note")


def figures(root: Path, year: str) -> object:
    """hs kpi's figures of a year, without the revision they were read from."""
    data = json.loads(ok(root, "kpi", "--year", year, "-f", "json"))
    data.pop("revision")
    return data


def ok(root: Path, *args: str) -> str:
    code, out, err = invoke(root, *args)
    assert code == 0, (args, out, err)
    return out


@pytest.fixture
def scene(shared_tree: SharedTrees, tmp_path: Path,
          monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The scenario's tree (built once, a copy for each test) and its IDs."""
    monkeypatch.setenv("HS_TODAY", "2026-06-30")
    ids = shared_tree("retention-scene", build_scene, tmp_path / "scene")
    ids["root"] = str(tmp_path / "scene")
    return ids


def build_scene(root: Path) -> dict[str, str]:
    ids: dict[str, str] = {}
    ids["vol"] = ok(root, "volunteer", "add", "--location", "leuven", "--gender", "f",
                    "--birth-year", "1980", "--joined", "2023-09-01", "--checked",
                    "2023-08-14", "--capacity", "2", "--name", NAMES[3]).strip()
    ids["youth"] = ok(root, "family", "refer", "--location", "leuven", "--date",
                      "2024-01-08", "--referrer", "kind-en-gezin", "--flag", "youth-care",
                      "--name", NAMES[0], "--consent", "2024-01-08").strip()
    ids["plain"] = ok(root, "family", "refer", "--location", "leuven", "--date",
                      "2024-01-08", "--referrer", "kind-en-gezin", "--name", NAMES[1],
                      "--child", "2023-04", "--parent-birth-year", "1990").strip()
    ids["refused"] = ok(root, "family", "refer", "--location", "leuven", "--date",
                        "2025-01-06", "--referrer", "self", "--name", NAMES[2]).strip()
    ok(root, "family", "refuse", ids["refused"], "--date", "2025-01-20", "--reason",
       "outside-target-group")
    for key, end in (("youth", "2024-12-20"), ("plain", "2025-03-31")):
        ok(root, "family", "accept", ids[key], "--date", "2024-01-15")
        tid = ok(root, "start", ids[key], ids["vol"], "--date", "2024-02-05").strip()
        ids[f"t-{key}"] = tid
        ok(root, "visit", tid, "--date", "2024-03-04", "--minutes", "90", "--note", NOTES[0])
        ok(root, "close", tid, "--date", end, "--reason", "moved")
    ok(root, "volunteer", "stop", ids["vol"], "--date", "2025-04-30", "--reason", "personal")
    return ids


LIST_PLAIN = """\
Record     Kind       Location    Rule                                   Years  Support ended    Ended by                Due           Days overdue
{refused}  family     leuven      family: 1 year(s) after support            1  2025-01-20       refused or withdrawn    2026-01-20             161
{plain__}  family     leuven      family: 1 year(s) after support            1  2025-03-31       last trajectory closed  2026-03-31              91
{volun__}  volunteer  leuven      volunteer: 1 year(s) after the stop        1  2025-04-30       stopped                 2026-04-30              61
"""


def test_retention_lists_what_is_due_with_its_rule(scene: dict[str, str]) -> None:
    root = Path(scene["root"])
    assert ok(root, "retention") == LIST_PLAIN.format(
        refused=scene["refused"], plain__=scene["plain"], volun__=scene["vol"])
    data = json.loads(ok(root, "retention", "-f", "json", "--as-of", "2031-01-01"))
    assert [(d["record"], d["rule"], d["cause"], d["due"]) for d in data] == [
        (scene["refused"], "family", "decision", "2026-01-20"),
        (scene["plain"], "family", "trajectory-end", "2026-03-31"),
        (scene["vol"], "volunteer", "stop", "2026-04-30"),
        (scene["youth"], "family-youth-care", "trajectory-end", "2030-12-20"),
    ]
    # hs due shows it too, within its window
    due = json.loads(ok(root, "due", "-f", "json"))
    assert {d["record"] for d in due if d["what"] == "retention"} == {
        scene["refused"], scene["plain"], scene["vol"]}


RETENTION_80_NL = """\
                                                                         Dagen
                                             Beëindigd                      te
  Record      Soort          Regel           door           Tegen         laat
 ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━
  {refused}   gezin          gezin: 1 jaar   geweigerd of   20/01/2026     161
                             na de           afgehaakt
                             begeleiding
  {plain__}   gezin          gezin: 1 jaar   laatste        31/03/2026      91
                             na de           traject
                             begeleiding     afgesloten
  {volun__}   vrijwilliger   vrijwilliger:   gestopt        30/04/2026      61
                             1 jaar na de
                             stopzetting

                                   3 records
"""


def test_retention_at_80_columns_in_dutch(scene: dict[str, str],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Review 2 #11: at 80 columns the table uses the width: "Tegen" and "Dagen te laat"
    stay, the rule and its cause wrap, the years (said by the rule) go first."""
    root = Path(scene["root"])
    monkeypatch.setenv("COLUMNS", "80")
    out = ok(root, "--lang", "nl", "retention", "-f", "table")
    assert [line.rstrip() for line in out.splitlines()][2:] == RETENTION_80_NL.format(
        refused=scene["refused"], plain__=scene["plain"], volun__=scene["vol"]).splitlines()


def test_apply_refuses_off_a_terminal_without_yes(scene: dict[str, str]) -> None:
    root = Path(scene["root"])
    head = git(root, "rev-parse", "HEAD")
    code, out, err = invoke(root, "retention", "--apply")
    assert (code, out) == (2, "") and "--yes" in err
    assert git(root, "rev-parse", "HEAD") == head
    assert git(root, "status", "--porcelain") == ""


def test_apply_asks_on_a_terminal(scene: dict[str, str],
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from hs.cli import app
    from hs.cli import retention as cli_retention

    root = Path(scene["root"])
    head = git(root, "rev-parse", "HEAD")
    monkeypatch.setattr(cli_retention, "on_terminal", lambda: True)
    r = CliRunner().invoke(app, ["retention", "--apply", "--repo", str(root)], input="n\n")
    assert r.exit_code == 0 and "Erase 3 records" in r.stderr
    assert "nothing was changed" in r.stderr
    assert git(root, "rev-parse", "HEAD") == head
    r = CliRunner().invoke(app, ["retention", "--apply", "--repo", str(root)], input="y\n")
    assert r.exit_code == 0, r.stderr
    assert git(root, "rev-list", "--count", f"{head.strip()}..HEAD").strip() == "1"


def test_apply_reduces_in_one_commit_and_keeps_the_figures(scene: dict[str, str]) -> None:
    root = Path(scene["root"])
    kpi_before, kpi_2024 = figures(root, "2025"), figures(root, "2024")
    commits = int(git(root, "rev-list", "--count", "HEAD"))
    import datetime as dt

    outcome = app_retention.apply(open_repo(root), dt.date(2026, 6, 30))
    assert outcome is not None
    assert int(git(root, "rev-list", "--count", "HEAD")) == commits + 1
    assert sorted(outcome.files) == sorted([
        f"records/families/{scene['refused']}.yaml",
        f"records/families/{scene['plain']}.yaml",
        f"records/trajectories/{scene['t-plain']}.yaml",
        f"records/volunteers/{scene['vol']}.yaml"])
    message = git(root, "log", "-1", "--format=%B")
    assert message.startswith("retention: 3 records reduced")
    assert "Hs-Reason: retention" in message
    for rid in (scene["refused"], scene["plain"], scene["vol"]):  # erased, as hs erase does
        kind = "volunteers" if rid == scene["vol"] else "families"
        assert "erased: 2026-06-30" in (root / f"records/{kind}/{rid}.yaml").read_text()
    fam = (root / f"records/families/{scene['plain']}.yaml").read_text()
    assert NAMES[1] not in fam and "parent_birth_years" not in fam
    assert "coarsened: 2026-06-30" in fam and "born: 2023-04" in fam
    trj = (root / f"records/trajectories/{scene['t-plain']}.yaml").read_text()
    assert NOTES[0] not in trj and "date: 2024-03-04" in trj and "minutes: 90" in trj
    vol = (root / f"records/volunteers/{scene['vol']}.yaml").read_text()
    assert NAMES[3] not in vol and "check_date: 2023-08-01" in vol
    assert "capacity: 2" in vol  # the rules of past trajectories need it
    # the youth-care family is kept (6 years) as it was
    assert NAMES[0] in (root / f"records/families/{scene['youth']}.yaml").read_text()
    assert figures(root, "2025") == kpi_before
    assert figures(root, "2024") == kpi_2024
    assert invoke(root, "validate")[0] == 0
    assert ok(root, "retention") == ""  # nothing left
    assert app_retention.apply(open_repo(root), dt.date(2026, 6, 30)) is None


def test_consent_on_create_by_command_and_in_hs_due(scene: dict[str, str]) -> None:
    root = Path(scene["root"])
    config = root / "records" / "config.yaml"
    config.write_text(config.read_text().replace("consent_since: null",
                                                 "consent_since: 2025-01-01"))
    git(root, "commit", "-qam", "consent asked since 2025")
    fresh = ok(root, "family", "refer", "--location", "leuven", "--date", "2026-06-29",
               "--referrer", "self").strip()
    cand = ok(root, "volunteer", "add", "--location", "leuven", "--gender", "m",
              "--birth-year", "1990").strip()
    agreed = ok(root, "volunteer", "add", "--location", "leuven", "--gender", "m",
                "--birth-year", "1991", "--consent", "2026-06-30").strip()
    lacking = [(d["record"], d["since"]) for d in json.loads(ok(root, "due", "-f", "json"))
               if d["what"] == "consent"]
    # the refused family was referred after consent_since; the others before
    assert lacking == [(scene["refused"], "2025-01-06"), (fresh, "2026-06-29"),
                       (cand, "2026-06-30")]
    assert agreed not in {r for r, _ in lacking}
    code, _, err = invoke(root, "family", "consent", fresh, "--date", "2026-06-30")
    assert code == 0 and err.startswith(f"family {fresh}: consent recorded (2026-06-30)")
    ok(root, "volunteer", "consent", cand, "--date", "today")
    lacking = [d["record"] for d in json.loads(ok(root, "due", "-f", "json"))
               if d["what"] == "consent"]
    assert lacking == [scene["refused"]]
    assert "consent: 2026-06-30" in (root / f"records/families/{fresh}.yaml").read_text()
    code, _, err = invoke(root, "family", "consent", fresh, "--date", "2026-07-01")
    assert code != 0


def test_counts_say_one_record_in_the_singular() -> None:
    from hs.base.i18n import Catalog, set_language

    try:
        for lang, applied in (
                ("en", "retention: 1 record reduced to what the figures need"),
                ("nl", "bewaartermijn: 1 record beperkt tot wat de cijfers nodig hebben")):
            set_language(lang)
            assert Catalog("cli.retention")("n.rows", n=1) == "1 record"
            assert Catalog("app.retention")("applied", n=1) == applied
            assert Catalog("cli.retention")("n.rows", n=2) == "2 records"
    finally:
        set_language("en")


def test_apply_asks_in_dutch_on_a_terminal(scene: dict[str, str],
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from hs.cli import app
    from hs.cli import retention as cli_retention

    root = Path(scene["root"])
    head = git(root, "rev-parse", "HEAD")
    monkeypatch.setattr(cli_retention, "on_terminal", lambda: True)
    args = ["--lang", "nl", "retention", "--apply", "--repo", str(root)]
    r = CliRunner().invoke(app, args, input="nee\n")
    assert r.exit_code == 0 and "Dit kan niet ongedaan gemaakt worden. [j/N]: " in r.stderr
    assert git(root, "rev-parse", "HEAD") == head
    r = CliRunner().invoke(app, args, input="j\n")
    assert r.exit_code == 0, r.stderr
    assert git(root, "rev-list", "--count", f"{head.strip()}..HEAD").strip() == "1"


def test_a_new_repository_asks_consent_from_its_first_day(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    """hs init sets retention.consent_since to its day: hs due lists a family recorded
    without consent from the start."""
    from typer.testing import CliRunner

    from hs.cli import app
    from tests.conftest import LEUVEN

    monkeypatch.setenv("HS_TODAY", "2026-03-02")
    root = tmp_path / "new"
    r = CliRunner().invoke(app, ["init", str(root)])
    assert r.exit_code == 0, r.stderr
    (root / "records" / "locations" / "leuven.yaml").write_text(LEUVEN, encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "a location")
    fid = ok(root, "family", "refer", "--location", "leuven", "--date", "2026-03-02",
             "--referrer", "self").strip()
    due = json.loads(ok(root, "due", "-f", "json"))
    assert [d["record"] for d in due if d["what"] == "consent"] == [fid]
