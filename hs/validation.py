"""`hs validate` as a library call: every problem of a tree or of some files."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from hs.errors import UsageError
from hs.i18n import Catalog
from hs.problems import Problem, sort_key

if TYPE_CHECKING:
    from hs.store import RecordFile

MSG = Catalog({
    "clean": ("checked {files} files: no problems", "{files} bestanden nagekeken: geen problemen"),
    "found": ("checked {files} files: {errors} errors, {warnings} warnings",
              "{files} bestanden nagekeken: {errors} fouten, {warnings} waarschuwingen"),
    "no-such-path": ("no such file or folder: {path}", "bestand of map bestaat niet: {path}"),
    "not-record": ("{path}: not a record file (expected records/<kind>/<id>.yaml, "
                   "records/config.yaml or records/vocabularies.yaml)",
                   "{path}: geen recordbestand (verwacht records/<soort>/<id>.yaml, "
                   "records/config.yaml of records/vocabularies.yaml)"),
})


@dataclass
class ValidationResult:
    problems: list[Problem] = field(default_factory=list)
    files: int = 0

    def summary(self, errors: int, warnings: int) -> str:
        if not errors and not warnings:
            return MSG("clean", files=self.files)
        return MSG("found", files=self.files, errors=errors, warnings=warnings)


def _root_of(path: Path) -> Path | None:
    from hs.store import CONFIG_FILE, RECORDS

    p = path.resolve()
    for folder in (p, *p.parents):
        if folder.name == RECORDS and (folder / CONFIG_FILE).is_file():
            return folder.parent
        if (folder / RECORDS / CONFIG_FILE).is_file():
            return folder
    return None


def validate_tree(root: Path, use_cache: bool = True) -> ValidationResult:
    """Every problem of a records tree: per file, then across records."""
    from hs.checks import tree_problems
    from hs.store import load_tree

    report = load_tree(root, use_cache=use_cache)
    problems = list(report.problems)
    problems.extend(tree_problems(root, report.files, report.index))
    problems.sort(key=sort_key)
    return ValidationResult(problems, len(report.files))


def validate_paths(paths: list[Path], repo: Path | None = None,
                   use_cache: bool = True) -> ValidationResult:
    """Problems of the given files and folders (or of the repository's whole tree).

    Files inside a records tree are checked with the whole tree (references and
    lifecycle rules need it); a lone file is checked on its own."""
    from hs.store import find_root, parse_file

    if not paths:
        return validate_tree(find_root(repo), use_cache)
    roots: dict[Path, list[Path]] = {}
    lone: list[Path] = []
    for p in paths:
        if not p.exists():
            raise UsageError(MSG("no-such-path", path=p))
        root = _root_of(p)
        if root is None:
            lone.append(p)
        else:
            roots.setdefault(root, []).append(p.resolve())
    result = ValidationResult()
    for root, wanted in roots.items():
        whole = validate_tree(root, use_cache)
        result.files += whole.files if any(w.is_dir() for w in wanted) else len(
            [w for w in wanted if w.is_file()])
        result.problems.extend(whole.problems)
    for p in lone:
        files = [p] if p.is_file() else sorted(
            f for f in p.rglob("*") if f.suffix in (".yaml", ".yml"))
        for f in files:
            rf = _lone_file(f)
            if rf is None:
                raise UsageError(MSG("not-record", path=f))
            result.files += 1
            result.problems.extend(parse_file(rf).problems)
    result.problems.sort(key=sort_key)
    return result


def _lone_file(path: Path) -> RecordFile | None:
    """A RecordFile for a file outside any records tree, by its folder and name."""
    from hs.ids import KIND_OF_FOLDER
    from hs.store import SPECIAL, RecordFile

    name = path.name
    if name in SPECIAL:
        return RecordFile(SPECIAL[name], SPECIAL[name], path, path.as_posix())
    for parent in path.parents:
        kind = KIND_OF_FOLDER.get(parent.name)
        if kind is not None:
            return RecordFile(kind, name.rsplit(".", 1)[0], path, path.as_posix())
    return None
