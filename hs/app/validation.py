"""`hs validate` as a library call: every problem of a tree or of some files."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hs.app import tooling
from hs.app.sealing import plain_problems
from hs.base.clock import today
from hs.base.errors import UsageError
from hs.base.i18n import Catalog, language
from hs.records.ids import KIND_OF_FOLDER, id_of_path
from hs.records.index import paused_gc
from hs.records.layout import CONFIG_FILE, RECORDS, SPECIAL
from hs.records.problems import Problem, sort_key
from hs.rules import checks
from hs.store.cache import read_memo, write_memo
from hs.store.filecheck import Locator, file_problems
from hs.store.layout import RecordFile, find_root, known_strays, walk
from hs.store.load import load_tree
from hs.store.read import Progress, parse_file

MSG = Catalog("app.validation")


@dataclass
class ValidationResult:
    """Problems (errors and warnings, sorted by file and position), how many files were
    checked, and how many problems of the tree lie outside the paths asked for."""

    problems: list[Problem] = field(default_factory=list)
    files: int = 0
    elsewhere: int = 0

    @property
    def errors(self) -> int:
        return sum(1 for p in self.problems if p.severity == "error")

    @property
    def warnings(self) -> int:
        return len(self.problems) - self.errors

    def summary(self, errors: int | None = None, warnings: int | None = None) -> str:
        errors = self.errors if errors is None else errors
        warnings = self.warnings if warnings is None else warnings
        text = MSG.n("clean", self.files, files=self.files) if not errors and not warnings \
            else MSG.n("found", self.files, files=self.files,
            errors=MSG("errors-1") if errors == 1 else MSG("errors", n=errors),
            warnings=MSG("warnings-1") if warnings == 1 else MSG("warnings", n=warnings))
        if self.elsewhere:
            text += MSG("elsewhere", n=self.elsewhere)
        return text


def _root_of(path: Path) -> Path | None:

    p = path.resolve()
    for folder in (p, *p.parents):
        if folder.name == RECORDS and (folder / CONFIG_FILE).is_file():
            return folder.parent
        if (folder / RECORDS / CONFIG_FILE).is_file():
            return folder
    return None


def validate_tree(root: Path, use_cache: bool = True,
                  progress: Progress | None = None) -> ValidationResult:
    """Every problem of a records tree: per file, then across records (``progress``: told
    how many files the read parsed, :func:`hs.store.load.load_tree`)."""

    report = load_tree(root, use_cache=use_cache, progress=progress)
    problems = [*report.problems, *report.warnings]
    with paused_gc():  # the rules make many short lists; a collection walks every row
        problems.extend(_across_records(root, report))
    if report.index.config.get("sealed") is True:  # a name typed where a token belongs
        problems.extend(_plain_values(root, report))
    problems.extend(tooling.problems(root))  # the schemas, the hook's install source
    # the message and severity break a tie of sort_key (one place, one code: a trajectory
    # going on with two others), else the set's order would: it hangs on the strings'
    # hashes, drawn anew in every process, and on what the memo kept
    problems = sorted(set(problems), key=lambda p: (sort_key(p), p.message, p.severity))
    return ValidationResult(problems, report.count)


_MEMO = "record-problems"
# The cache's folder is named after the code of the packages below this one; the memo of
# the records' problems is also made here (the merge of kept and re-checked problems), so
# it carries this module's own fingerprint and is not trusted once this code changes.
_MEMO_CODE = hashlib.blake2b(Path(__file__).read_bytes(), digest_size=6).hexdigest()
_INCREMENTAL_FILES = 1000  # more changed files than this: check every record again


def _across_records(root: Path, report: Any) -> list[Problem]:
    """The problems across records: stray files and duplicate IDs, looked at every time
    (:func:`hs.store.filecheck.file_problems`), and the problems of the records
    (:func:`hs.rules.checks.record_problems`), kept in the cache.

    The records' problems depend only on what the cache holds (its generation), the
    language and the day (a date after today is a problem until that day comes). So the
    last result is kept, with the generation it holds for and each trajectory's family and
    volunteers then, and used again: as it is while the
    generation is the same (a warm ``hs validate`` checks nothing twice), and after a few
    files changed (the cache remembers which: :meth:`hs.store.load.LoadReport.changed_since`)
    for everything but the records those changes can touch, which are checked again
    (:func:`hs.rules.checks.records_around`). A change of the config or the vocabularies, or
    of many files, checks every record again."""

    index = report.index
    strays = report.strays if report.strays is not None else known_strays(root)
    out = file_problems(root, report.rels, strays)
    lang, day = language(), today().isoformat()
    found: list[Problem] | None = None
    links: checks.Links | None = None
    old: list[Problem] | None = None
    kept = read_memo(root, _MEMO) if report.generation else None
    if (isinstance(kept, dict) and kept.get("lang") == lang and kept.get("day") == day
            and kept.get("code") == _MEMO_CODE):
        try:
            old = [Problem(*p) for p in kept["problems"]]
            before = {tid: (fid, tuple(vids)) for tid, (fid, vids) in kept["links"].items()}
        except (TypeError, KeyError, ValueError, AttributeError):
            old = None
        changed = report.changed_since(kept.get("generation")) if old is not None else None
        if old is not None and changed == set():
            found = old
        elif old is not None and changed and _incremental(changed):
            ids = {id_of_path(rel): KIND_OF_FOLDER[rel.split("/")[1]] for rel in changed}
            links = checks.trajectory_links(index)
            touched, sub = checks.records_around(index, ids, before, links)
            found = [p for p in old
                     if id_of_path(p.path) not in touched and p.path not in changed]
            found.extend(checks.record_problems(Locator(root), sub, only=touched))
    if found is None:
        found = checks.record_problems(Locator(root), index,
                                       parallel=report.count >= checks.PARALLEL_RECORDS)
    if report.generation and (found is not old or not isinstance(kept, dict)
                              or kept.get("generation") != report.generation):
        if links is None:
            links = checks.trajectory_links(index)
        write_memo(root, _MEMO, {
            "generation": report.generation, "lang": lang, "day": day, "code": _MEMO_CODE,
            "links": links,
            "problems": [p.as_tuple() for p in found]})
    return checks.drop_broken(out + found, index.invalid)


_PLAIN_MEMO = "plain-values"


def _plain_values(root: Path, report: Any) -> list[Problem]:
    """:func:`hs.app.sealing.plain_problems` of a sealed tree, kept in the cache like the
    records' problems: a warm ``hs validate`` reads again only the files that changed
    (the problems hold a file, a line and a message: never a value)."""
    lang = language()
    kept = read_memo(root, _PLAIN_MEMO) if report.generation else None
    found: list[Problem] | None = None
    if isinstance(kept, dict) and kept.get("lang") == lang and \
            kept.get("code") == _MEMO_CODE:
        try:
            old = [Problem(*p) for p in kept["problems"]]
        except (TypeError, KeyError, ValueError):
            old = None
        changed = report.changed_since(kept.get("generation")) if old is not None else None
        if old is not None and changed == set():
            return old
        if old is not None and changed and _incremental(changed):
            found = [p for p in old if p.path not in changed]
            found.extend(plain_problems(root, sorted(changed & set(report.rels))))
    if found is None:
        found = plain_problems(root, report.rels)
    if report.generation:
        write_memo(root, _PLAIN_MEMO, {"generation": report.generation, "lang": lang,
                                       "code": _MEMO_CODE,
                                       "problems": [p.as_tuple() for p in found]})
    return found


def _incremental(changed: set[str]) -> bool:
    """Whether a change of these files can be checked record by record: a few files, all
    records (not the config or the vocabularies)."""
    return len(changed) <= _INCREMENTAL_FILES and all(
        rel.count("/") > 1 for rel in changed)  # in a record folder: no special file


def _under(path: Path, wanted: list[Path]) -> bool:
    return any(path == w or w in path.parents for w in wanted)


def validate_paths(paths: list[Path], repo: Path | None = None,
                   use_cache: bool = True, progress: Progress | None = None
                   ) -> ValidationResult:
    """Problems of the given files and folders (or of the repository's whole tree).

    Files inside a records tree are checked with the whole tree (references and
    lifecycle rules need it), and the problems in those files are reported (the summary
    counts the others); a lone file outside any tree is checked on its own (file and
    schema)."""

    if not paths:
        return validate_tree(find_root(repo), use_cache, progress)
    roots: dict[Path, list[Path]] = {}
    lone: list[Path] = []
    for p in paths:
        if not p.exists():
            raise UsageError(MSG("no-such-path", path=p))
        root = _root_of(p)
        if root is None:
            lone.append(p)
        else:
            roots.setdefault(root.resolve(), []).append(p.resolve())
    result = ValidationResult()
    for root, wanted in roots.items():
        whole = validate_tree(root, use_cache, progress)
        if any(w == root or w == root / "records" for w in wanted):
            result.files += whole.files
            result.problems.extend(whole.problems)
            continue

        result.files += sum(1 for rf in walk(root) if _under(rf.path.resolve(), wanted))
        for prob in whole.problems:
            if _under((root / prob.path).resolve(), wanted):
                result.problems.append(prob)
            else:
                result.elsewhere += 1
    for p in lone:
        files = [p] if p.is_file() else sorted(
            f for f in p.rglob("*") if f.suffix in (".yaml", ".yml"))
        for f in files:
            rf = _lone_file(f)
            if rf is None:
                raise UsageError(MSG("not-record", path=f))
            result.files += 1
            res = parse_file(rf)
            result.problems.extend(res.problems)
            result.problems.extend(res.warnings)
    result.problems.sort(key=sort_key)
    return result


def _lone_file(path: Path) -> RecordFile | None:
    """A RecordFile for a file outside any records tree, by its folder and name."""

    name = path.name
    if name in SPECIAL:
        return RecordFile(SPECIAL[name], SPECIAL[name], path, path.as_posix())
    for parent in path.parents:
        kind = KIND_OF_FOLDER.get(parent.name)
        if kind is not None:
            return RecordFile(kind, name.rsplit(".", 1)[0], path, path.as_posix())
    return None


def tree_problems(root: Any, files: list[tuple[str, str, str, str]], index: Any,
                  parallel: bool | None = None, strays: list[str] | None = None
                  ) -> list[Problem]:
    """Problems that need more than one record: run on the valid records of the tree.
    ``files``: every file of the tree as (kind, id, path, rel), as :func:`hs.store.layout.scan`
    lists them; ``strays``: the stray files, if the caller has them
    (:func:`hs.store.layout.stray_files`, else looked for here).

    That is: stray files and duplicate IDs (:func:`file_problems`), and the problems of
    the records (:func:`record_problems`), less those that only repeat that a file is
    invalid (:func:`drop_broken`)."""
    if parallel is None:
        parallel = len(files) >= checks.PARALLEL_RECORDS
    with paused_gc():  # the rules make many short lists; a collection walks every row
        out = file_problems(root, [e[3] for e in files], strays)
        out.extend(checks.record_problems(Locator(root), index, parallel))
    return checks.drop_broken(out, index.invalid)
