"""Names for display: read for the rows shown, through one function."""

from __future__ import annotations

import ast
from pathlib import Path

from hs.app.names import display_names, names_shown
from hs.store.repo import open_repo
from tests.app.test_agenda import scenario


def test_display_names_reads_the_asked_records_only(empty_repo: Path, today: str) -> None:
    scenario(empty_repo)
    repo = open_repo(empty_repo)
    assert display_names(repo, ["f0000000a", "v00000001", "f0000000b", "t00000001",
                                "f0000000a", "fnothere0"]) == {
        "f0000000a": "Family Alpha", "v00000001": "Vera Volunteer"}


def test_names_shown_by_format_option_and_setting(empty_repo: Path) -> None:
    repo = open_repo(empty_repo)
    assert names_shown(repo, machine=False, asked=None)
    assert not names_shown(repo, machine=True, asked=None)
    assert names_shown(repo, machine=True, asked=True)
    assert not names_shown(repo, machine=False, asked=False)
    config = empty_repo / "records" / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "names: hidden\n",
                      encoding="utf-8")
    repo = open_repo(empty_repo)
    assert not names_shown(repo, machine=False, asked=None)
    assert names_shown(repo, machine=False, asked=True)


def test_no_other_module_reads_a_name_for_display() -> None:
    """Only hs/app/names.py looks up the ``name`` key of a record read for display (with
    hs/app/sealing.py, which opens it there; the workflow writes names; the importer and
    the demo make them)."""
    root = Path(__file__).parents[2] / "hs"
    allowed = {"app/names.py", "app/sealing.py", "app/workflow.py", "app/importer.py",
               "app/demo.py", "store/merge.py"}
    for path in root.rglob("*.py"):
        rel = path.relative_to(root).as_posix()
        if rel in allowed:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "get" and node.args
                    and isinstance(node.args[0], ast.Constant)
                    and node.args[0].value == "name"):
                raise AssertionError(f"{rel} reads a record's name")
