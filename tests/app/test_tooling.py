"""The files around the records: where the workflow and the hook install hs from, the
repository's schemas for editors, the editor settings."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hs.app import tooling
from hs.cli import app
from hs.records.schemas import KINDS, file_name, schema_line
from hs.store.yamlio import load_plain
from tests.conftest import DATA, invoke

SOURCE = "git+https://github.com/example/hs@v0.2.0"


def init(target: Path, *extra: str) -> tuple[int, str]:
    r = CliRunner().invoke(app, ["init", str(target), *extra])
    return r.exit_code, r.stderr


@pytest.fixture(scope="module")
def repos(tmp_path_factory: pytest.TempPathFactory, passphrase_file: Path
          ) -> dict[str, Path]:
    """Two new repositories: one with an install source, one without (shared: reading
    only)."""
    base = tmp_path_factory.mktemp("tooling")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HS_CLONE_SETUP", "off")
        mp.setenv("HS_PASSPHRASE_FILE", str(passphrase_file))  # hs init makes the keys
        mp.setenv("HS_AGENT", "off")
        mp.setenv("HS_SCRYPT_COST", "10")
        mp.setenv("HS_LANG", "en")
        for var in ("GIT_AUTHOR", "GIT_COMMITTER"):
            mp.setenv(f"{var}_NAME", "Test Coordinator")
            mp.setenv(f"{var}_EMAIL", "coordinator@example.org")
        assert init(base / "with", "--install", SOURCE)[0] == 0
        assert init(base / "without")[0] == 0
    return {"with": base / "with", "without": base / "without"}


# --- the install source --------------------------------------------------------------------


def workflow_step() -> str:
    flow = load_plain((DATA / "validate-workflow.yml").read_text(encoding="utf-8"))
    step = next(s for s in flow["jobs"]["validate"]["steps"] if s.get("name") == "Install hs")
    assert step["shell"] == "bash"
    return str(step["run"])


def run_step(tmp_path: Path, config: str) -> tuple[int, str]:
    """The workflow's install step in a checkout whose config is ``config``, with a
    ``python`` that prints what it was asked to do instead of installing."""
    (tmp_path / "records").mkdir(exist_ok=True)
    (tmp_path / "records" / "config.yaml").write_text(config, encoding="utf-8")
    fake = tmp_path / "bin"
    fake.mkdir(exist_ok=True)
    (fake / "python").write_text('#!/bin/sh\necho "python $*"\n')
    (fake / "python").chmod(0o755)
    env = {**os.environ, "PATH": f"{fake}{os.pathsep}{os.environ['PATH']}"}
    r = subprocess.run(["bash", "-c", workflow_step()], cwd=tmp_path, env=env,
                       capture_output=True, text=True, check=False)
    return r.returncode, r.stdout


@pytest.mark.skipif(shutil.which("bash") is None, reason="no bash")
def test_the_workflow_installs_exactly_the_configured_source(tmp_path: Path) -> None:
    default = (DATA / "config.yaml").read_text(encoding="utf-8")
    code, out = run_step(tmp_path, default)
    assert code == 1
    assert out.startswith("::error file=records/config.yaml::no install source for hs")
    code, out = run_step(tmp_path, default + "install: hs\n")
    assert (code, out) == (1, "::error file=records/config.yaml::install: 'hs' is not a git "
                              "URL pinned to a tag or commit, nor a homestart_hs wheel\n")
    assert run_step(tmp_path, f'install: "{SOURCE}"  # the tag\n') == (
        0, f"python -m pip install --quiet homestart-hs @ {SOURCE}\n")
    wheel = "wheels/homestart_hs-0.2.0-py3-none-any.whl"
    assert run_step(tmp_path, f"install: {wheel}\n") == (
        0, f"python -m pip install --quiet homestart-hs @ file://{tmp_path}/{wheel}\n")
    # never a bare package name, whatever the workflow is given
    assert "install --quiet hs" not in workflow_step()
    assert "HS_PACKAGE" not in workflow_step()


def test_init_writes_the_source_into_the_config_and_the_hook(repos: dict[str, Path]) -> None:
    root = repos["with"]
    config = load_plain((root / "records/config.yaml").read_text(encoding="utf-8"))
    assert config["install"] == SOURCE
    hook = load_plain((root / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    assert hook["repos"][0]["hooks"][0] == {
        "id": "hs-validate", "name": "hs validate (Home-Start records)",
        "entry": "hs validate", "language": "python",
        "additional_dependencies": [f"homestart-hs @ {SOURCE}"],
        "always_run": True, "pass_filenames": False}
    code, out, err = invoke(root, "validate")
    assert (code, out, err) == (0, "", "checked 2 files: no problems\n")


def test_without_a_source_the_hook_fails_and_says_so(repos: dict[str, Path]) -> None:
    root = repos["without"]
    config = load_plain((root / "records/config.yaml").read_text(encoding="utf-8"))
    assert "install" not in config
    hook = load_plain((root / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    entry = hook["repos"][0]["hooks"][0]
    assert (entry["language"], entry["entry"]) == ("fail", tooling.NO_SOURCE)


def test_validate_warns_when_the_hook_and_the_config_differ(tmp_path: Path,
                                                           repos: dict[str, Path]) -> None:
    root = tmp_path / "r"
    shutil.copytree(repos["without"], root)
    config = root / "records/config.yaml"
    config.write_text(config.read_text() + f"install: {SOURCE}\n")
    code, out, _ = invoke(root, "validate")
    want = json.dumps(f"homestart-hs @ {SOURCE}")
    assert (code, out) == (0, ".pre-commit-config.yaml:1:1: warning[install-source]: the hook "
                              "has no source to install hs from; set 'install:' in "
                              "records/config.yaml, then additional_dependencies: "
                              f"[{want}] and language: python here\n")
    (root / ".pre-commit-config.yaml").write_text(tooling.precommit_config(SOURCE))
    assert invoke(root, "validate")[:2] == (0, "")
    config.write_text(config.read_text().replace("v0.2.0", "v0.3.0"))
    assert "warning[install-source]: the hook installs hs from another source" in \
        invoke(root, "validate")[1]


@pytest.mark.parametrize("source", ["hs", "homestart-hs", "git+https://github.com/x/hs",
                                    "https://example.org/hs-3.0.3.whl"])
def test_init_refuses_a_source_that_is_not_this_project_pinned(tmp_path: Path,
                                                              source: str) -> None:
    code, err = init(tmp_path / "r", "--install", source)
    assert (code, err) == (2, "hs: --install: not a git URL of hs pinned to a tag or commit "
                              "(git+https://…/hs@v0.2.0) nor a homestart_hs wheel\n")
    assert not (tmp_path / "r").exists()


def test_validate_refuses_a_bare_package_name_in_the_config(tmp_path: Path,
                                                           repos: dict[str, Path]) -> None:
    root = tmp_path / "r"
    shutil.copytree(repos["with"], root)
    config = root / "records/config.yaml"
    config.write_text(config.read_text().replace(f'install: "{SOURCE}"', "install: hs"))
    code, out, _ = invoke(root, "validate")
    assert (code, out) == (1, "records/config.yaml:8:10: error[invalid-value]: install: does "
                              "not have the expected form\n")


# --- schemas and editors -----------------------------------------------------------------


def test_the_editor_finds_every_schema_by_folder(repos: dict[str, Path]) -> None:
    settings = json.loads((repos["with"] / ".vscode/settings.json").read_text())
    assert settings == {"yaml.schemas": {
        "./schemas/location.schema.json": "records/locations/**/*.yaml",
        "./schemas/family.schema.json": "records/families/**/*.yaml",
        "./schemas/volunteer.schema.json": "records/volunteers/**/*.yaml",
        "./schemas/trajectory.schema.json": "records/trajectories/**/*.yaml",
        "./schemas/event.schema.json": "records/events/**/*.yaml",
        "./schemas/vocabularies.schema.json": "records/vocabularies.yaml",
        "./schemas/config.schema.json": "records/config.yaml"}}
    for schema in settings["yaml.schemas"]:
        assert (repos["with"] / schema).is_file()


def test_editor_settings_keep_the_other_settings(tmp_path: Path) -> None:
    (tmp_path / ".vscode").mkdir()
    (tmp_path / ".vscode/settings.json").write_text('{"editor.tabSize": 2}')
    settings = json.loads(tooling.editor_settings_text(tmp_path))
    assert settings["editor.tabSize"] == 2
    assert len(settings["yaml.schemas"]) == len(KINDS)


@pytest.mark.parametrize("rel", ["records/config.yaml", "records/families/f1.yaml",
                                 "records/families/archive/f1.yaml",
                                 "records/families/archive/2023/f1.yaml"])
def test_the_schema_line_resolves_in_every_folder(tmp_path: Path, repos: dict[str, Path],
                                                 rel: str) -> None:
    """A file in a subfolder of a records folder (docs/records.md allows them) names its
    schema by the path for its depth, and hs validate asks for exactly that line."""
    root = tmp_path
    shutil.copytree(repos["with"] / "schemas", root / "schemas")
    (root / rel).parent.mkdir(parents=True, exist_ok=True)
    kind = "config" if rel.endswith("config.yaml") else "family"
    line = schema_line(kind, rel.count("/"))
    target = (root / rel).parent / line.split("$schema=", 1)[1]
    assert target.resolve() == (root / "schemas" / file_name(kind)).resolve()
    assert target.is_file()


def test_validate_says_when_the_schemas_are_stale(tmp_path: Path,
                                                 repos: dict[str, Path]) -> None:
    root = tmp_path / "r"
    shutil.copytree(repos["with"], root)
    vocab = root / "records/vocabularies.yaml"
    vocab.write_text(vocab.read_text().replace("  school: ", "  basisschool: "))
    warning = ("schemas/family.schema.json:1:1: warning[schema-stale]: the JSON Schema does "
               "not match records/vocabularies.yaml (run 'hs schema')\n")
    assert invoke(root, "validate")[:2] == (0, warning)
    assert invoke(root, "validate")[:2] == (0, warning)  # kept in the cache: the same
    code, _, err = invoke(root, "schema")
    assert (code, err) == (0, f"wrote {root}/schemas/family.schema.json\n")
    assert invoke(root, "validate")[:2] == (0, "")
    family = json.loads((root / "schemas/family.schema.json").read_text())
    referrer = family["$defs"]["Referral"]["properties"]["referrer"]
    assert "basisschool" in referrer["enum"] and "school" not in referrer["enum"]
