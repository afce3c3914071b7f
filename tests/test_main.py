"""The root command: version, help, languages, and errors turned into exit codes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hs import __version__
from hs.base.errors import HsError, UsageError
from hs.base.i18n import Catalog, set_language
from hs.cli import app

runner = CliRunner()


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout == f"hs {__version__}\n"


def test_help_lists_commands() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    assert "validate" in result.stdout


def test_unknown_command_is_a_usage_error() -> None:
    result = runner.invoke(app, ["frobnicate"])
    assert result.exit_code == 2


def test_bad_language_is_a_usage_error() -> None:
    result = runner.invoke(app, ["--lang", "fr", "validate"])
    assert result.exit_code == 2


def test_no_repository_is_a_usage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["validate"])
    assert result.exit_code == 2
    assert result.stderr.startswith("hs: no records repository here or above")
    assert len(result.stderr.strip().splitlines()) == 1


def test_domain_error_is_one_line_and_exit_1(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    import hs.app.validation

    def boom(*args: object, **kwargs: object) -> None:
        raise HsError("something is wrong", where="records/x.yaml:3:1")

    monkeypatch.setattr(hs.app.validation, "validate_paths", boom)
    result = runner.invoke(app, ["validate"])
    assert result.exit_code == 1
    assert result.stderr == "hs: records/x.yaml:3:1: something is wrong\n"


def test_unexpected_error_is_one_line_not_a_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    import hs.app.validation

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("kaboom")

    monkeypatch.setattr(hs.app.validation, "validate_paths", boom)
    result = runner.invoke(app, ["validate"])
    assert result.exit_code == 1
    assert "Traceback" not in result.stderr + result.stdout
    assert result.stderr.startswith("hs: internal error: RuntimeError in test_main.py:")
    assert "kaboom" not in result.stderr  # exception texts may quote personal data


def test_usage_error_class_exits_2() -> None:
    assert UsageError("x").exit_code == 2
    assert HsError("x").exit_code == 1


def test_catalog_speaks_both_languages() -> None:
    cat = Catalog({"hello": ("hello {who}", "hallo {who}")})
    set_language("nl")
    assert cat("hello", who="Leuven") == "hallo Leuven"
    set_language("en")
    assert cat("hello", who="Leuven") == "hello Leuven"


def test_python_dash_m_runs() -> None:
    proc = subprocess.run([sys.executable, "-m", "hs", "--version"], capture_output=True,
                          text=True, check=False)
    assert proc.returncode == 0
    assert proc.stdout.strip() == f"hs {__version__}"


@pytest.mark.parametrize(("columns", "lang"), [("40", "en"), ("70", "en"), ("120", "en"),
                                               ("70", "nl"), ("40", "nl")])
def test_fast_help_is_exactly_what_typer_prints(columns: str, lang: str) -> None:
    import os

    env = {**os.environ, "COLUMNS": columns, "HS_LANG": lang}
    typer_help = subprocess.run(
        [sys.executable, "-c", "import sys; sys.argv = ['hs', '--help']\n"
         "from hs.cli import main\nmain()"],
        capture_output=True, text=True, env=env, check=False)
    fast_help = subprocess.run([sys.executable, "-m", "hs", "--help"], capture_output=True,
                               text=True, env=env, check=False)
    assert typer_help.returncode == fast_help.returncode == 0
    assert fast_help.stdout == typer_help.stdout
    assert ("Gebruik: hs [OPTIES]" in fast_help.stdout) == (lang == "nl")


def test_fast_help_without_typer(tmp_path: Path) -> None:
    code = ("import sys; sys.argv=['hs','--help']\n"
            "from hs.main import main\n"
            "try:\n    main()\nexcept SystemExit as e:\n    code = e.code\n"
            "assert 'typer' not in sys.modules and 'pydantic' not in sys.modules\n"
            "sys.exit(code)\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("Usage: hs [OPTIONS] COMMAND [ARGS]...")


def test_no_arguments_prints_help_on_stderr_and_exits_2() -> None:
    proc = subprocess.run([sys.executable, "-m", "hs"], capture_output=True, text=True,
                          check=False)
    assert proc.returncode == 2
    assert proc.stderr.startswith("Usage: hs")
    assert proc.stdout == ""


def test_command_table_matches_the_registered_commands() -> None:
    import typer.main

    from hs.commands import COMMANDS

    group = typer.main.get_command(app)
    assert set(group.commands) == set(COMMANDS)  # type: ignore[attr-defined]
    for name, (_, help_) in COMMANDS.items():
        first = (group.commands[name].help or "").strip().splitlines()  # type: ignore[attr-defined]
        assert first and first[0].strip() == help_, name


def test_a_reader_that_stops_reading_is_not_an_error(tmp_path: Path) -> None:
    import os
    import shutil

    from tests.conftest import DATA, LEUVEN, init_git

    root = tmp_path / "repo"
    (root / "records" / "locations").mkdir(parents=True)
    shutil.copy(DATA / "vocabularies.yaml", root / "records")
    shutil.copy(DATA / "config.yaml", root / "records")
    (root / "records" / "locations" / "leuven.yaml").write_text(LEUVEN)
    init_git(root)
    env = {**os.environ, "HS_LANG": "en"}
    proc = subprocess.run(
        f"{sys.executable} -m hs validate --repo {root} --format json | head -c 1",
        shell=True, capture_output=True, text=True, env=env, check=False)
    assert "internal error" not in proc.stderr and "Traceback" not in proc.stderr


def test_yes_and_no_speak_the_users_language() -> None:
    from hs.cli.output import text_value

    set_language("nl")
    assert (text_value(True), text_value(False)) == ("ja", "nee")
    set_language("en")
    assert (text_value(True), text_value(False)) == ("yes", "no")
