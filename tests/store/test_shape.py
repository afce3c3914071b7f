"""The store's shape (issue 10): modules of one job each, made of short functions.

The complexity of each function (at most 25) is ruff's mccabe check (``pyproject.toml``);
the absence of import cycles between the store's modules is a contract of ``lint-imports``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import hs.store

MAX_LINES = 80


def test_no_function_of_the_store_is_longer_than_80_lines() -> None:
    folder = Path(hs.store.__file__).parent
    long: list[str] = []
    for source in sorted(folder.glob("*.py")):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
                lines = (node.end_lineno or node.lineno) - first + 1
                if lines > MAX_LINES:
                    long.append(f"{source.name}:{node.lineno} {node.name} ({lines} lines)")
    assert long == []
