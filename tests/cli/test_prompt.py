"""A missing required value is asked on a terminal (with the vocabulary's codes and
labels), read by the command line's readers, asked again when bad; never off a terminal."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from hs.cli import app, prompt
from tests.conftest import git, invoke


@pytest.fixture
def root(empty_repo: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HS_TODAY", "2025-06-30")
    return empty_repo


def test_off_a_terminal_the_usual_usage_error(root: Path) -> None:
    code, out, err = invoke(root, "volunteer", "add", "--location", "leuven",
                            "--birth-year", "1980")
    assert (code, out) == (2, "")
    assert "the option --gender is missing" in err


def test_asked_on_a_terminal_and_asked_again(root: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(prompt, "on_terminal", lambda: True)
    monkeypatch.setenv("HS_LANG", "nl")
    r = CliRunner().invoke(app, ["volunteer", "add", "--location", "leuven", "--birth-year",
                                 "1980", "--repo", str(root)], input="q\nvrouw\n")
    assert r.exit_code == 0, r.stderr
    # review 2 #31: asked by the option's Dutch description, the Dutch words first
    asked = "Gender (een van de codes hierboven): "
    assert r.stderr.startswith(f"  vrouw  f\n  man    m\n  x\n{asked}niet geldig: 'q' is geen "
                               f"code van genders (geldig: vrouw, man, x)\n{asked}vrijwilliger ")
    vid = r.stdout.strip()
    assert "gender: f\n" in (root / "records" / "volunteers" / f"{vid}.yaml").read_text()


def test_arguments_dates_and_several_values(root: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(prompt, "on_terminal", lambda: True)
    r = CliRunner().invoke(app, ["family", "refer", "--location", "leuven", "--repo",
                                 str(root)], input="2025-02-30\n14/02/2025\nkind en gezin\n")
    assert r.exit_code == 0, r.stderr
    assert "not a date: use YYYY-MM-DD, DD/MM/YYYY, today or yesterday\n" in r.stderr
    fid = r.stdout.strip()
    text = (root / "records" / "families" / f"{fid}.yaml").read_text()
    assert "date: 2025-02-14\n" in text and "referrer: kind-en-gezin\n" in text
    git(root, "log", "-1")


def test_ask_reads_several_codes() -> None:
    class Param:
        param_type_name = "argument"
        human_readable_name = "STEP..."
        nargs = -1
        multiple = False
        metavar = "STEP..."
        _custom_shell_complete = None

    answers = iter(["", "gezinsbuddy startmaatje"])
    seen: list[str] = []

    class Ctx:
        def __init__(self) -> None:
            self.params: dict[str, str] = {}
            self.parent = None

    from hs.cli.common import codes

    param = Param()
    param._custom_shell_complete = codes("trajectory_kinds")  # type: ignore[assignment]
    got = prompt.ask(Ctx(), param, read=lambda _p: next(answers), write=seen.append)
    assert got == ["buddy", "starter"]
    assert "give a value (Ctrl-C stops)\n" in seen


def test_a_mistyped_date_word_is_offered(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(prompt, "on_terminal", lambda: True)
    monkeypatch.setenv("HS_LANG", "nl")
    r = CliRunner().invoke(app, ["volunteer", "add", "--location", "leuven", "--birth-year",
                                 "1980", "--gender", "f", "--joined", "vandag", "--repo",
                                 str(root)])
    assert r.exit_code == 2
    assert r.stderr.endswith("is geen datum; bedoelde je 'vandaag'?\n")
    asked = "De dag waarop het gebeurde (JJJJ-MM-DD, DD/MM/JJJJ, vandaag, gisteren): "
    r = CliRunner().invoke(app, ["family", "refer", "--location", "leuven", "--referrer",
                                 "self", "--repo", str(root)], input="gistren\ngisteren\n")
    assert r.exit_code == 0, r.stderr
    assert r.stderr.startswith(f"{asked}geen datum; bedoelde je 'gisteren'?\n{asked}gezin ")


def test_a_new_family_takes_the_only_location_or_asks_for_one(
        root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, err = invoke(root, "family", "refer", "--date", "2025-03-01", "--referrer",
                            "self")
    assert code == 0, err
    fid = out.strip()
    assert "location: leuven\n" in (root / "records" / "families" / f"{fid}.yaml").read_text()
    code, _, err = invoke(root, "location", "add", "gent", "--name", "Home-Start Gent",
                          "--municipality", "Gent", "--from", "2025-01-01")
    assert code == 0, err
    # several: off a terminal the usual usage error
    code, out, err = invoke(root, "family", "refer", "--date", "2025-03-01", "--referrer",
                            "self")
    assert (code, out) == (2, "") and "--location" in err
    # on a terminal asked with the rest, nothing typed lost
    monkeypatch.setattr(prompt, "on_terminal", lambda: True)
    monkeypatch.setenv("HS_LANG", "nl")
    r = CliRunner().invoke(app, ["family", "refer", "--repo", str(root)],
                           input="2025-03-01\nself\nbrugge\nGent\n")
    assert r.exit_code == 0, r.stderr
    asked = "--location (een van de codes hierboven): "
    assert (f"  gent    Home-Start Gent\n  leuven  Home-Start Leuven\n{asked}niet een van de "
            f"keuzes hierboven\n{asked}gezin ") in r.stderr
    fid = r.stdout.strip()
    assert "location: gent\n" in (root / "records" / "families" / f"{fid}.yaml").read_text()


def test_asked_by_the_options_description_in_dutch(root: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Review 2 #31: "Wie het gezin aanmeldde", not "--referrer"."""
    monkeypatch.setattr(prompt, "on_terminal", lambda: True)
    monkeypatch.setenv("HS_LANG", "nl")
    r = CliRunner().invoke(app, ["family", "refer", "--location", "leuven", "--date",
                                 "2025-02-14", "--repo", str(root)], input="self\n")
    assert r.exit_code == 0, r.stderr
    assert "\nWie het gezin aanmeldde (een van de codes hierboven): gezin " in r.stderr
    assert "--referrer" not in r.stderr
