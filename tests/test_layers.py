"""The shape of the package (docs/design.md): the layers hold, and an import waits inside a
function only where start-up time needs it, marked so."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "hs"


def test_the_layers_hold() -> None:
    """import-linter's contract in pyproject.toml: each package imports only those below
    it, imports inside functions included."""
    lint = Path(sys.executable).parent / "lint-imports"
    if not lint.exists():
        pytest.skip("import-linter is not installed (pip install -e '.[test]')")
    done = subprocess.run([str(lint)], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:]


def _type_checking_blocks(tree: ast.Module) -> set[int]:
    """Line numbers of the imports under ``if TYPE_CHECKING:`` (never run)."""
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for inner in ast.walk(node):
                if isinstance(inner, ast.Import | ast.ImportFrom):
                    lines.add(inner.lineno)
    return lines


def lazy_imports_unmarked() -> list[str]:
    """Imports inside a function, outside hs/cli, whose line does not say ``# lazy:``."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if rel.startswith("hs/cli/"):
            continue  # the command line imports each command's work when it runs
        text = path.read_text(encoding="utf-8")
        tree = ast.parse(text)
        skip = _type_checking_blocks(tree)
        lines = text.splitlines()
        for node in ast.walk(tree):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for inner in ast.walk(node):
                if (isinstance(inner, ast.Import | ast.ImportFrom)
                        and inner.lineno not in skip
                        and not _marked(lines, inner.lineno, inner.end_lineno or 0)):
                    found.append(f"{rel}:{inner.lineno}: {lines[inner.lineno - 1].strip()}")
    return sorted(set(found))


def _marked(lines: list[str], first: int, last: int) -> bool:
    """An import says why it waits: ``# lazy:`` on its own lines, or above it on the
    comment or the line that opens its group of imports (through other imports, blank
    lines and comments)."""
    if any("# lazy:" in line for line in lines[first - 1:last]):
        return True
    i = first - 2
    while i >= 0:
        line = lines[i].strip()
        if "# lazy:" in line:
            return True
        if line and not line.startswith(("#", "import ", "from ")):
            return False
        i -= 1
    return False


def test_imports_wait_inside_functions_only_for_start_up_time() -> None:
    assert lazy_imports_unmarked() == []
