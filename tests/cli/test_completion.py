"""The completion table is generated from the command line and current; the scripts of
every shell are printed by `hs --show-completion SHELL`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from hs.cli import completion


def test_the_table_is_current() -> None:
    assert completion.TARGET.read_text(encoding="utf-8") == completion.source(), \
        "run python -m hs.cli.completion"


def test_the_table_knows_what_options_take() -> None:
    table = completion.table()
    assert table["family refer"]["options"]["--referrer"] == (True, "referrers", None)
    assert table["visit"]["args"] == ((None, "trajectory", True),)
    assert table["volunteer train"]["args"] == ((None, "volunteer", False),
                                                ("training_steps", None, True))
    assert "undo" in table[""]["commands"]


@pytest.mark.parametrize(("shell", "line"), [
    ("bash", "complete -o default -F _hs_completion hs"),
    ("zsh", "compdef _hs_completion hs"),
    ("fish", "complete --command hs --no-files"),
    ("powershell", "Register-ArgumentCompleter -Native -CommandName hs"),
    ("pwsh", "Register-ArgumentCompleter -Native -CommandName hs"),
])
def test_show_completion(shell: str, line: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("_HS")}
    r = subprocess.run([sys.executable, "-m", "hs", "--show-completion", shell], env=env,
                       capture_output=True, text=True, check=False)
    assert r.returncode == 0, r.stderr
    assert line in r.stdout
    assert "_HS_COMPLETE" in r.stdout


def test_an_unknown_shell_is_one_line() -> None:
    r = subprocess.run([sys.executable, "-m", "hs", "--show-completion", "tcsh"],
                       capture_output=True, text=True, check=False)
    assert (r.returncode, r.stdout) == (2, "")
    assert r.stderr == ("hs: unknown shell 'tcsh'; use one of bash, zsh, fish, powershell, "
                        "pwsh\n")


def test_install_completion(tmp_path: os.PathLike[str]) -> None:
    env = {**os.environ, "HOME": str(tmp_path)}
    env.pop("_HS_COMPLETE", None)
    r = subprocess.run([sys.executable, "-m", "hs", "--install-completion", "bash"], env=env,
                       capture_output=True, text=True, check=False)
    assert r.returncode == 0, r.stderr
    assert "bash completion installed in" in r.stderr
    script = Path(tmp_path, ".bash_completions", "hs.sh")
    assert "_HS_COMPLETE=complete_bash" in script.read_text(encoding="utf-8")
