"""What every command shares (hs.cli.common): the notice of the record files a read could
not use, and the refusal of figures made without them (``hs kpi``, ``hs report``, unless
``--incomplete``). On the scenario of tests/app/test_agenda.py (day 2025-12-31)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hs.cli import app
from tests.app.test_agenda import scenario

BROKEN = "records/trajectories/t00000002.yaml"  # the buddy trajectory of f0000000k
NOTICE = ("hs: 1 record file could not be used (records/trajectories/t00000002.yaml:{line}); "
          "run 'hs validate'\n")


@pytest.fixture
def repo(empty_repo: Path, today: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    scenario(empty_repo)
    monkeypatch.setenv("HS_REPO", str(empty_repo))
    return empty_repo


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def break_file(root: Path) -> int:
    """Bad YAML at the end of a trajectory; the line of the problem."""
    path = root / BROKEN
    text = path.read_text()
    path.write_text(text + "visits: [\n")
    return text.count("\n") + 2


READING = [("waitlist",), ("due",), ("list", "families"), ("list", "trajectories"),
           ("list", "volunteers"), ("show", "f0000000k"), ("suggest", "f0000000d"),
           ("match", "plan")]


def test_every_reading_command_says_what_it_could_not_use(repo: Path) -> None:
    """A broken trajectory made waitlist show its family as waiting and list leave it out,
    both silently (exit 0). Each reading command now says so, every time (the second run
    reads through the cache), in one line on stderr that names no person."""
    line = break_file(repo)
    for _ in range(2):
        for args in READING:
            code, _, err = invoke(*args)
            assert code == 0, args
            assert err.endswith(NOTICE.format(line=line)), args  # after what it says itself
            assert err.count("could not be used") == 1, args
    code, _, err = invoke("--lang", "nl", "waitlist")
    assert err == ("hs: 1 recordbestand kon niet gebruikt worden "
                   f"(records/trajectories/t00000002.yaml:{line}); voer 'hs validate' uit\n")


def test_the_notice_names_a_few_places_and_counts_all(repo: Path) -> None:
    for fid in "bcdef":
        (repo / f"records/families/f0000000{fid}.yaml").write_text("name: [\n")
    code, _, err = invoke("list", "families")
    assert (code, err) == (0, (
        "hs: 5 record files could not be used (records/families/f0000000b.yaml:2, "
        "records/families/f0000000c.yaml:2, records/families/f0000000d.yaml:2, ...); "
        "run 'hs validate'\n"))


def test_nothing_is_said_when_every_file_is_used(repo: Path) -> None:
    assert invoke("waitlist")[2] == ""


@pytest.mark.parametrize("command", [
    ("kpi", "--year", "2025"), ("kpi", "--year", "2025", "--export", "x.yaml"),
    ("report", "--year", "2025"), ("report", "--year", "2025", "--format", "markdown")])
def test_figures_are_refused_while_a_record_cannot_be_used(
        repo: Path, command: tuple[str, ...]) -> None:
    line = break_file(repo)
    code, out, err = invoke(*command)
    assert (code, out) == (1, "")
    assert err == (
        f"hs: 1 record file could not be used (records/trajectories/t00000002.yaml:{line}): "
        "these figures would be incomplete; mend it (see 'hs validate') or ask for "
        "incomplete figures with --incomplete\n")


def test_incomplete_figures_say_so(repo: Path) -> None:
    line = break_file(repo)
    place = f"records/trajectories/t00000002.yaml:{line}"
    marked = ("INCOMPLETE: 1 record file could not be used and is left out of these "
              f"figures ({place})")
    code, out, err = invoke("kpi", "--year", "2025", "--incomplete", "--format", "plain")
    assert (code, err) == (0, NOTICE.format(line=line))
    assert out.splitlines()[-1] == marked
    code, out, _ = invoke("kpi", "--year", "2025", "--incomplete", "--format", "json")
    assert json.loads(out)["incomplete"] == [place]
    code, out, _ = invoke("report", "--year", "2025", "--incomplete", "--format", "markdown")
    assert out.startswith(f"> **{marked}**\n\n")
    code, out, _ = invoke("report", "--year", "2025", "--incomplete")
    assert f'<main><p class="incomplete"><strong>{marked}</strong></p>' in out
    # complete figures are not marked
    (repo / BROKEN).write_text((repo / BROKEN).read_text().replace("visits: [\n", ""))
    code, out, err = invoke("kpi", "--year", "2025", "--incomplete", "--format", "json")
    assert (code, err) == (0, "")
    assert "incomplete" not in json.loads(out)


def _unlistable(monkeypatch: pytest.MonkeyPatch, folder: str) -> None:
    """``folder`` cannot be listed (as without read permission: the tests run as root,
    for whom chmod 000 changes nothing)."""
    real = os.scandir

    def scandir(path: str = ".") -> object:
        if os.fspath(path).endswith(folder):
            raise PermissionError(13, "Permission denied", path)
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)


def test_an_unreadable_folder_is_a_problem_and_said(
        repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An unreadable records/trajectories passed hs validate ("no problems") and kpi
    counted no trajectories. Now: a problem of hs validate (file:line form), the notice
    of every reading command, figures refused."""
    _unlistable(monkeypatch, "records/trajectories")
    code, out, err = invoke("validate")
    assert code == 1
    assert ("records/trajectories:1:1: error[unreadable-folder]: cannot list the folder: "
            "Permission denied; its records are left out") in out.splitlines()
    for _ in range(2):
        code, _, err = invoke("list", "families")
        assert (code, err) == (0, "hs: 1 folder could not be used (records/trajectories/); "
                               "run 'hs validate'\n")
    code, _, err = invoke("kpi", "--year", "2025")
    assert code == 1 and err.startswith("hs: 1 folder could not be used")


def test_an_unreadable_subfolder_is_said(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    archive = repo / "records/families/archive"
    archive.mkdir()
    (repo / "records/families/f0000000b.yaml").rename(archive / "f0000000b.yaml")
    assert invoke("list", "families")[2] == ""
    _unlistable(monkeypatch, "records/families/archive")
    for _ in range(2):
        code, _, err = invoke("list", "families")
        assert (code, err) == (0, "hs: 1 folder could not be used "
                               "(records/families/archive/); run 'hs validate'\n")


def test_a_file_without_read_permission_is_said(
        repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = os.open

    def no_read(path: str, flags: int, mode: int = 0o777, **kw: object) -> int:
        if os.fspath(path).endswith(BROKEN):
            raise PermissionError(13, "Permission denied", path)
        return real(path, flags, mode, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", no_read)
    os.utime(repo / BROKEN)  # changed: read again
    code, _, err = invoke("waitlist")
    assert (code, err) == (0, NOTICE.format(line=1))
    code, out, _ = invoke("validate")
    assert (f"{BROKEN}:1:1: error[unreadable]: cannot read the file: Permission denied"
            in out.splitlines())


def test_a_file_name_with_control_characters_is_printed_escaped(demo_repo: Path) -> None:
    """An odd file name in records/ (a broken record named with an escape sequence):
    hs validate lists it escaped, and a command's notice of the files it could not use on
    stderr too (it went out raw before), so nothing printed steers the terminal."""
    families = demo_repo / "records" / "families"
    (families / "f\x1b[31mx.yaml").write_text("x: [\n")
    code, out, err = invoke("validate", "--repo", str(demo_repo))
    assert code == 1
    assert "records/families/f\\e[31mx.yaml:2:1: error[yaml-syntax]" in out
    assert "\x1b" not in out + err
    code, _, err = invoke("waitlist", "--repo", str(demo_repo))
    assert code == 0
    assert err == ("hs: 1 record file could not be used (records/families/f\\e[31mx.yaml:2); "
                   "run 'hs validate'\n")
