"""Shell completion answered without Typer (hs.complete): commands, options, codes and
record IDs, in each shell's format; the IDs come from the cache or file names, never from
a record's contents."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from hs import complete
from tests.conftest import created, invoke


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.conftest import DATA, LEUVEN, commit_all, init_git

    root = tmp_path_factory.mktemp("complete") / "repo"
    (root / "records" / "locations").mkdir(parents=True)
    for name in ("vocabularies.yaml", "config.yaml"):
        (root / "records" / name).write_bytes((DATA / name).read_bytes())
    (root / "records" / "locations" / "leuven.yaml").write_text(LEUVEN, encoding="utf-8")
    init_git(root)
    commit_all(root)
    return root


def answer(root: Path, shell: str, line: str, **extra: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HS_", "_TYPER"))}
    env.update(HS_CLONE_SETUP="off", _HS_COMPLETE=f"complete_{shell}", **extra)
    if shell == "bash":
        words = line.split()
        env.update(COMP_WORDS=line,
                   COMP_CWORD=str(len(words) if line.endswith(" ") else len(words) - 1))
    else:
        env["_TYPER_COMPLETE_ARGS"] = line
    return subprocess.run([sys.executable, "-m", "hs"], cwd=root, env=env, text=True,
                          capture_output=True, check=False)


def test_each_shell(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HS_TODAY", "2025-06-30")
    fid = created(tree, "family", "refer", "--location", "leuven", "--date", "2025-01-06",
                  "--referrer", "self", "--name", "Benali")
    assert invoke(tree, "validate")[0] == 0  # the cache holds it
    r = answer(tree, "bash", "hs vi")
    assert (r.returncode, r.stdout, r.stderr) == (0, "visit\n", "")
    assert answer(tree, "bash", "hs family refer --referrer k").stdout == "kind-en-gezin\n"
    assert answer(tree, "bash", "hs family refer --referrer huis").stdout == \
        "huis-van-het-kind\nhuisarts\n"
    assert answer(tree, "bash", "hs volunteer add --available maandag").stdout == \
        "mon-am\nmon-pm\n"
    assert answer(tree, "bash", "hs list families --status w").stdout == \
        "withdrawn\nwaiting\n"
    assert answer(tree, "bash", "hs family accept ").stdout == f"{fid}\n"
    assert answer(tree, "bash", "hs show ").stdout == f"{fid}\nleuven\n"
    assert answer(tree, "bash", "hs family refer --re").stdout == "--referrer\n--repo\n"
    assert answer(tree, "zsh", "hs start f").stdout == f"_arguments '*: :((\"{fid}\"))'\n"
    r = answer(tree, "fish", "hs signal ", _TYPER_COMPLETE_FISH_ACTION="get-args")
    assert r.stdout == f"{fid}\n"
    assert answer(tree, "fish", "hs signal ",
                  _TYPER_COMPLETE_FISH_ACTION="is-args").returncode == 0
    r = answer(tree, "powershell", "hs signal f", _TYPER_COMPLETE_WORD_TO_COMPLETE="f")
    assert r.stdout == f"{fid}::: \n"
    assert "Benali" not in r.stdout


def test_ids_without_a_cache_come_from_file_names(tmp_path: Path) -> None:
    (tmp_path / "records" / "families" / "sub").mkdir(parents=True)
    (tmp_path / "records" / "config.yaml").write_text("schema_version: 1\n")
    for rel in ("families/f11111111.yaml", "families/sub/f22222222.yaml",
                "families/.f3.123.tmp"):
        (tmp_path / "records" / rel).write_text("name: Jan\n")
    assert complete.ids_of("family", str(tmp_path)) == ["f11111111", "f22222222"]


def test_the_table_walk() -> None:
    table = {"": {"commands": ("family", "visit"), "options": {"--lang": (True, None, None)}},
             "family": {"commands": ("refer",)},
             "family refer": {"options": {"--referrer": (True, "genders", None),
                                          "--no-commit": (False, None, None)}},
             "visit": {"args": ((None, "trajectory", True),),
                       "options": {"--date": (True, None, None)}}}
    assert complete.complete(["--lang", "nl"], "fa", table) == ["family"]
    assert complete.complete(["family", "refer", "--no-commit", "--referrer"], "",
                             table) == ["f", "m", "x"]
    assert complete.complete(["family", "refer", "--nope"], "", table) is None
    assert complete.complete(["visit", "--date", "today"], "--", table) == ["--date",
                                                                            "--help"]


def test_typer_answers_what_the_table_does_not_know(tree: Path) -> None:
    r = answer(tree, "bash", "hs --nope ")
    assert r.returncode == 0 and "Traceback" not in r.stderr
