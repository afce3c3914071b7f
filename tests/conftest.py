"""Shared fixtures: temporary records repositories in git.

* ``empty_repo``: a records repository with the default vocabularies and config, one
  location ``leuven`` and nothing else, committed in a fresh git repository.
* ``demo_repo``: a copy of the bundled demo records (``records/`` of this checkout).

Both are built once per session into a template and copied for each test
(:func:`copy_tree`); a module that builds a costlier tree for many tests can do the same
with :func:`shared_tree`.

Use :func:`write_record` to add hand-made records, and :func:`commit_all` to commit them.
Tests set ``HS_TODAY`` through the ``today`` fixture when they need a fixed date.
"""

from __future__ import annotations

import copy
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar, cast

import pytest
import typer.testing
from hypothesis import settings
from typer.testing import CliRunner

from hs.base import i18n
from hs.cli import app
from hs.store import identity

# The suite is deterministic: property tests draw the same examples on every run, so a
# red CI run always means a change broke something. Set HS_HYPOTHESIS=random to explore.
settings.register_profile("suite", derandomize=True, deadline=None)
settings.register_profile("random", deadline=None)
settings.load_profile("random" if os.environ.get("HS_HYPOTHESIS") == "random" else "suite")

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "hs" / "data"

LEUVEN = """\
schema_version: 1
name: Home-Start Leuven
municipalities: [Leuven, Herent, Kessel-Lo]
neighbours:
  Leuven: [Herent, Kessel-Lo]
active_from: 2019-01-01
"""


# Typer turns the app into Click commands on every CliRunner().invoke: 170 commands
# signatures read again, most of a small command's time. The tree is the same for every
# invocation (the language's help texts are set per command line by hs.cli.localize), so
# the suite builds it once per app.
_COMMANDS: dict[int, tuple[typer.Typer, Any]] = {}
_build_command = typer.testing._get_command


def _command_of(app: typer.Typer) -> Any:
    known = _COMMANDS.get(id(app))
    if known is None or known[0] is not app:
        known = _COMMANDS[id(app)] = (app, _build_command(app))
    return known[1]


typer.testing._get_command = _command_of


def invoke(root: Path, *args: str) -> tuple[int, str, str]:
    """``hs ARGS --repo ROOT`` through Typer's runner: exit code, stdout, stderr."""
    result = CliRunner().invoke(app, [*args, "--repo", str(root)])
    return result.exit_code, result.stdout, result.stderr


def created(root: Path, *args: str) -> str:
    """The ID a creating command prints (it must succeed)."""
    code, out, err = invoke(root, *args)
    assert code == 0, err
    return out.strip()


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True,
                          text=True).stdout


def init_git(root: Path) -> None:
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.name", "Test Coordinator")
    git(root, "config", "user.email", "coordinator@example.org")
    git(root, "config", "commit.gpgsign", "false")


def commit_all(root: Path, message: str = "test records") -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)


def write_record(root: Path, rel: str, text: str) -> Path:
    """Write ``text`` to ``records/<rel>`` (e.g. ``families/f00000001.yaml``)."""
    path = root / "records" / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


T = TypeVar("T")

PASSPHRASE = "correct horse battery staple"


@pytest.fixture(scope="session")
def passphrase_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A file holding the test passphrase (HS_PASSPHRASE_FILE in every test)."""
    path = tmp_path_factory.mktemp("secrets") / "passphrase"
    path.write_text(PASSPHRASE + "\n", encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, passphrase_file: Path) -> None:
    """No test sees the developer's HS_* settings, colours or terminal width."""
    for var in list(os.environ):
        if var.startswith("HS_"):
            monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "120")
    monkeypatch.setenv("HS_LANG", "en")
    monkeypatch.setattr(i18n, "_current", None)  # a command run with --lang nl sets it
    monkeypatch.setattr(identity, "_UNLOCKED", {})  # identities unlocked by other tests
    # no pre-commit hook in the test repositories (tests/store/test_clonesetup.py
    # installs it where it is tested): a hand-made commit of a broken record stays possible
    monkeypatch.setenv("HS_CLONE_SETUP", "off")
    # keys (issue 13): identities unlock from a file, no agent is started, and scrypt is
    # cheap (2^10 instead of 2^17) so that hs init takes milliseconds
    monkeypatch.setenv("HS_PASSPHRASE_FILE", str(passphrase_file))
    monkeypatch.setenv("HS_AGENT", "off")
    monkeypatch.setenv("HS_SCRYPT_COST", "10")
    monkeypatch.setenv("GIT_AUTHOR_NAME", "Test Coordinator")
    monkeypatch.setenv("GIT_AUTHOR_EMAIL", "coordinator@example.org")
    monkeypatch.setenv("GIT_COMMITTER_NAME", "Test Coordinator")
    monkeypatch.setenv("GIT_COMMITTER_EMAIL", "coordinator@example.org")


@pytest.fixture
def today(monkeypatch: pytest.MonkeyPatch) -> str:
    """Fix 'today' at 2025-12-31 (HS_TODAY)."""
    monkeypatch.setenv("HS_TODAY", "2025-12-31")
    return "2025-12-31"


def age(root: Path, seconds: int = 60) -> None:
    """Make every record file of the tree older, so that the cache trusts it (not 'racy':
    a file changed less than two seconds before the cache was written is read again)."""
    for p in (root / "records").rglob("*.yaml"):
        st = p.stat()
        os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns - seconds * 1_000_000_000))


def _template(tmp_path_factory: pytest.TempPathFactory, name: str,
              build: Callable[[Path], None]) -> Path:
    """A records repository built once per session (and per xdist worker), its git objects
    packed so that a copy is quick, its record files made older (:func:`age`). Tests get
    copies (:func:`copy_tree`), never this."""
    root = tmp_path_factory.mktemp(f"template-{name}") / name
    root.mkdir()
    build(root)
    git(root, "repack", "-a", "-d", "-q")
    git(root, "prune-packed")
    age(root)
    return root


def copy_tree(template: Path, dest: Path) -> Path:
    """A copy of the repository ``template`` at ``dest`` (work tree and ``.git``): the same
    as building it again, in a fraction of the time. Its files are new (new inodes), so a
    cache copied along is not trusted; they keep the template's modification times, so
    once read they are trusted, as the files of a tree built a while ago (a template's are
    made older when it is built): a test's commands do not read every file again because
    the tree was copied less than two seconds before."""
    shutil.copytree(template, dest, symlinks=True, copy_function=shutil.copy2)
    return dest


def _build_empty(root: Path) -> None:
    (root / "records" / "locations").mkdir(parents=True)
    shutil.copy(DATA / "vocabularies.yaml", root / "records" / "vocabularies.yaml")
    shutil.copy(DATA / "config.yaml", root / "records" / "config.yaml")
    (root / "records" / "locations" / "leuven.yaml").write_text(LEUVEN, encoding="utf-8")
    init_git(root)
    commit_all(root, "empty records tree")


def _build_demo(root: Path) -> None:
    shutil.copytree(ROOT / "records", root / "records")
    init_git(root)
    commit_all(root, "demo records")


@pytest.fixture(scope="session")
def _empty_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _template(tmp_path_factory, "repo", _build_empty)


@pytest.fixture(scope="session")
def _demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _template(tmp_path_factory, "demo", _build_demo)


class SharedTrees:
    """Trees that take many commands to build, built once per session (and xdist worker)
    from the empty repository and copied for each test that asks: the fixture
    ``shared_tree``."""

    def __init__(self, factory: pytest.TempPathFactory, empty: Path) -> None:
        self._factory, self._empty = factory, empty
        self._built: dict[str, tuple[Path, object]] = {}

    def __call__(self, name: str, build: Callable[[Path], T], dest: Path) -> T:
        """A copy at ``dest`` of the tree ``build`` makes from the empty repository, and
        (a deep copy of) what ``build`` returned. ``build`` runs in the first test that
        asks, with its environment (set HS_TODAY etc. before calling)."""
        if name not in self._built:
            root = copy_tree(self._empty, self._factory.mktemp(f"shared-{name}") / "repo")
            self._built[name] = (root, build(root))
            age(root)
        template, value = self._built[name]
        copy_tree(template, dest)
        return cast(T, copy.deepcopy(value))


@pytest.fixture(scope="session")
def shared_tree(tmp_path_factory: pytest.TempPathFactory, _empty_template: Path) -> SharedTrees:
    return SharedTrees(tmp_path_factory, _empty_template)


@pytest.fixture
def empty_repo(tmp_path: Path, _empty_template: Path) -> Path:
    return copy_tree(_empty_template, tmp_path / "repo")


@pytest.fixture
def demo_repo(tmp_path: Path, _demo_template: Path) -> Path:
    return copy_tree(_demo_template, tmp_path / "demo")
