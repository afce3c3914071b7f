"""`hs event add|attend|unattend`, `hs signal`, `hs migrate`, `hs list events` and
`hs show` of an event on the command line: IDs on stdout, messages on stderr, one line
errors with their exit codes, both languages."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from hs.cli import app
from tests.conftest import commit_all, git, write_record


def run(root: Path, *args: str, lang: str = "en") -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["--lang", lang, *args, "--repo", str(root)])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def repo(empty_repo: Path, today: str) -> Path:
    return empty_repo


def add_volunteer(root: Path) -> str:
    code, out, err = run(root, "volunteer", "add", "--location", "leuven", "--gender", "f",
                         "--birth-year", "1980", "--joined", "2025-01-06")
    assert code == 0, err
    return out.strip()


def test_add_attend_list_show_unattend(repo: Path) -> None:
    a, b = add_volunteer(repo), add_volunteer(repo)
    code, out, err = run(repo, "event", "add", "--kind", "module", "--date", "2025-03-01",
                         "--location", "leuven", "--step", "module-attitude",
                         "--theme", "Basishouding")
    assert code == 0, err
    eid = out.strip()
    assert err.startswith(f"event {eid} added: module on 2025-03-01 [commit ")
    count = git(repo, "rev-list", "--count", "HEAD")
    code, out, err = run(repo, "event", "attend", eid, a, b)
    assert (code, out) == (0, "")
    assert err.startswith(f"event {eid}: 2 attendances recorded [commit ")
    assert int(git(repo, "rev-list", "--count", "HEAD")) == int(count) + 1
    code, out, err = run(repo, "list", "events", "--format", "csv")
    assert code == 0, err
    assert out.splitlines() == [
        "id,date,location,kind,step,status,attendees,anonymous",
        f"{eid},2025-03-01,leuven,module,module-attitude,held,2,0"]
    code, out, err = run(repo, "show", eid, lang="nl")
    assert code == 0, err
    assert out.startswith(f"activiteit {eid}: gehouden (stand op 2025-12-31)\n")
    assert "soort: Module van de starttraining\ndatum: 2025-03-01\n" in out
    assert f"vrijwilliger  {a}" in out
    code, out, err = run(repo, "event", "unattend", eid, b)
    assert code == 0, err
    assert err.startswith(f"event {eid}: attendance of volunteer {b} removed [commit ")


def test_errors_are_one_line(repo: Path) -> None:
    a = add_volunteer(repo)
    code, out, err = run(repo, "event", "add", "--kind", "module", "--date", "2025-03-01")
    assert (code, out, err) == (2, "", "hs: a start-training module needs --step (a training "
                                "step code)\n")
    code, _, err = run(repo, "event", "add", "--kind", "modull", "--date", "2025-03-01",
                       lang="nl")
    # a code typed wrong on the command line is a usage error, like a bad date
    assert code == 2 and err.startswith("hs: 'modull' is geen code van soorten activiteiten")
    code, out, err = run(repo, "event", "attend", "ezzzzzzzz", a)
    assert (code, out) == (2, "")  # an ID typed wrong: a usage error
    assert err == "hs: no event with ID 'ezzzzzzzz'\n"
    code, out, err = run(repo, "event", "add", "--kind", "online", "--date", "2025-03-01",
                         "--count", "-2")
    assert (code, err) == (2, "hs: --count must be 0 to 10000, not -2\n")


def test_signal_and_migrate(repo: Path) -> None:
    code, out, err = run(repo, "family", "refer", "--location", "leuven", "--referrer", "caw",
                         "--date", "2025-01-06")
    assert code == 0, err
    fid = out.strip()
    code, out, err = run(repo, "signal", fid, "--theme", "housing", "--date", "2025-02-01",
                         "--note", "Waits for a social rent", lang="nl")
    assert (code, out) == (0, "")
    assert err.startswith(f"gezin {fid}: signaal Betaalbare huisvesting op 01/02/2025 [commit ")
    code, out, _ = run(repo, "show", fid)
    assert "signals:\n  - date: 2025-02-01\n    theme: Affordable housing\n" \
           "    note: Waits for a social rent" in out
    code, out, err = run(repo, "migrate")
    assert (code, out, err) == (0, "", "nothing to migrate: every record has the current "
                                "form\n")
    write_record(repo, "families/f0000000a.yaml",
                 "schema_version: 1\nlocation: leuven\nreferrals:\n- date: 2024-03-01\n"
                 "  referrer: caw\nsignals: [housing]\n")
    commit_all(repo, "an older record")
    code, out, err = run(repo, "validate")
    assert code == 1 and "signals[0]: should be a group of fields" in out
    code, out, err = run(repo, "migrate")
    assert code == 0, err
    assert err.startswith("signals of 1 family record dated (migrated) [commit ")
    assert run(repo, "validate")[0] == 0
