"""The records repository: finding it, reading every record fast, writing one safely.

Layout (relative to the repository root)::

    records/config.yaml         settings (check validity, due thresholds, matching weights)
    records/vocabularies.yaml   codes with Dutch and English labels
    records/locations/<code>.yaml
    records/families/<id>.yaml
    records/volunteers/<id>.yaml
    records/trajectories/<id>.yaml

Record folders may have subfolders (say ``families/archive/``); the file name is the ID.
Reading the whole tree goes through a cache in ``.hs/cache`` (ignored by git) keyed by each
file's path, size and modification time, in a folder named after the schema version and a
fingerprint of the code that made it. It holds small projections (the rows of
:mod:`hs.index`, no names or notes), one part per kind, decoded when first asked for. A
file changed less than two seconds before the cache was written is read again (a coarse
clock could hide a same-size edit); a stale, corrupt or foreign cache is rebuilt silently;
a file that failed is read again every time. A cold read of many files parses in
:data:`PARSE_PROCESSES` processes.

Writing one record goes through :meth:`Repo.write`: validated first, then, under the
tree's lock (:meth:`Repo.lock`, so two hs processes never write at once), written to a
temporary file in the same folder, fsynced, read back and validated again, renamed over
the old file and the folder fsynced. Whatever fails, the old file stays byte for byte.
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import marshal
import os
import shutil
import stat
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hs import SCHEMA_VERSION, __version__
from hs.errors import (
    AmbiguousId,
    GitError,
    InvalidRecord,
    LockBusy,
    RecordNotFound,
    RepoNotFound,
    WriteRejected,
)
from hs.ids import FOLDER, KIND_OF_FOLDER, RecordKind, is_valid_id
from hs.index import ROW_TYPES, Index, paused_gc
from hs.problems import Problem
from hs.yamlio import NOT_FAST, YamlIssue, decode, fast_load, quiet_stderr

if TYPE_CHECKING:
    from pydantic import BaseModel

RECORDS = "records"
CONFIG_FILE = "config.yaml"
VOCABULARIES_FILE = "vocabularies.yaml"
CACHE_DIR = ".hs"
SPECIAL: dict[str, str] = {CONFIG_FILE: "config", VOCABULARIES_FILE: "vocabularies"}
SPECIAL_KINDS = frozenset(SPECIAL.values())
PARALLEL_THRESHOLD = 4000
PARSE_PROCESSES = 2  # more add little: the main process merges and the disk is shared


class RecordFile:
    """A file in the records tree: its kind, its ID (the stem) and its path.

    ``path`` may be given as text; the :class:`~pathlib.Path` is made only when asked for
    (making 50,000 of them costs more than reading a warm cache)."""

    __slots__ = ("_path", "id", "kind", "rel")

    def __init__(self, kind: str, id: str, path: Path | str, rel: str):
        self.kind = kind  # location | family | volunteer | trajectory | config | vocabularies
        self.id = id
        self._path = path
        self.rel = rel  # relative to the repository root, with forward slashes

    @property
    def path(self) -> Path:
        if not isinstance(self._path, Path):
            self._path = Path(self._path)
        return self._path

    @property
    def fspath(self) -> str:
        return str(self._path)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RecordFile) and (self.kind, self.id, self.rel) == (
            other.kind, other.id, other.rel)

    def __hash__(self) -> int:
        return hash((self.kind, self.id, self.rel))

    def __repr__(self) -> str:
        return f"RecordFile({self.kind!r}, {self.id!r}, {self.rel!r})"


@dataclass
class FileResult:
    """What reading one file gave: its row (None if invalid), its errors (``problems``)
    and its warnings. A file with only warnings is valid."""

    file: RecordFile
    row: Any = None
    data: dict[str, Any] | None = None
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


def today() -> dt.date:
    """Today's date; HS_TODAY (ISO) overrides it for tests and demonstrations."""
    forced = os.environ.get("HS_TODAY")
    if forced:
        return dt.date.fromisoformat(forced)
    return dt.date.today()


def find_root(repo: str | Path | None = None, cwd: Path | None = None) -> Path:
    """The repository root: --repo, else HS_REPO, else the nearest folder above the working
    directory that holds ``records/config.yaml``."""
    explicit = repo if repo is not None else os.environ.get("HS_REPO") or None
    if explicit is not None:
        root = Path(explicit).expanduser().resolve()
        if root.name == RECORDS and (root / CONFIG_FILE).is_file():
            root = root.parent
        if not (root / RECORDS / CONFIG_FILE).is_file():
            raise RepoNotFound(f"no records tree at {root} (records/{CONFIG_FILE} missing)",
                               hint="run 'hs init PATH' to create one")
        return root
    here = (cwd or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / RECORDS / CONFIG_FILE).is_file():
            return folder
    raise RepoNotFound("no records repository here or above",
                       hint="use --repo PATH, set HS_REPO, or run 'hs init PATH'")


def classify(root: Path, path: Path) -> RecordFile | None:
    """The kind and ID of a file under ``records/``, or None for a file that is no record."""
    try:
        rel_parts = path.resolve().relative_to((root / RECORDS).resolve()).parts
    except ValueError:
        return None
    if not rel_parts or not path.name.endswith((".yaml", ".yml")):
        return None
    rel = Path(RECORDS, *rel_parts).as_posix()
    if len(rel_parts) == 1:
        kind = SPECIAL.get(rel_parts[0])
        if kind is None:
            return None
        return RecordFile(kind, kind, path, rel)
    kind = KIND_OF_FOLDER.get(rel_parts[0])
    if kind is None:
        return None
    return RecordFile(kind, path.name.rsplit(".", 1)[0], path, rel)


def scan(root: Path) -> list[tuple[str, str, str, str]]:
    """Every record file of the tree as (kind, id, path, rel), config and vocabularies
    first, then each kind's folder in name order (subfolders after files)."""
    base = os.path.join(str(root), RECORDS)
    found: list[tuple[str, str, str, str]] = []
    for name, kind in SPECIAL.items():
        p = os.path.join(base, name)
        if os.path.isfile(p):
            found.append((kind, kind, p, f"{RECORDS}/{name}"))
    for folder, kind in KIND_OF_FOLDER.items():
        top = os.path.join(base, folder)
        if not os.path.isdir(top):
            continue
        stack = [(top, f"{RECORDS}/{folder}")]
        while stack:
            d, rel = stack.pop()
            with os.scandir(d) as it:
                entries = {e.name: e for e in it}
            subfolders = []
            for name in sorted(entries):
                if name.startswith("."):
                    continue
                if name.endswith((".yaml", ".yml")) and entries[name].is_file():
                    found.append((kind, name.rsplit(".", 1)[0], entries[name].path,
                                  f"{rel}/{name}"))
                elif entries[name].is_dir(follow_symlinks=False):
                    subfolders.append((entries[name].path, f"{rel}/{name}"))
            stack.extend(reversed(subfolders))
    return found


def walk(root: Path) -> list[RecordFile]:
    """Every record file of the tree (config and vocabularies first), in a stable order."""
    return [RecordFile(*entry) for entry in scan(root)]


# --- reading one file --------------------------------------------------------------------


def parse_file(rf: RecordFile, raw: bytes | None = None) -> FileResult:
    """Read, parse and validate one file against its model. Never raises for bad data."""
    from hs.checks import schema_problems

    result = FileResult(rf)
    try:
        if raw is None:
            with open(rf.fspath, "rb") as fh:
                raw = fh.read()
        text = decode(raw)
        data = fast_load(text)
        if data is NOT_FAST:
            from hs.yamlio import load_document, plain

            data = plain(load_document(text))
    except YamlIssue as issue:
        result.problems.append(Problem(rf.rel, issue.line, issue.col, issue.code,
                                       issue.message))
        return result
    except RecursionError:
        result.problems.append(Problem(rf.rel, 1, 1, "too-deep", _MSG("too-deep")))
        return result
    except OSError as exc:
        result.problems.append(Problem(rf.rel, 1, 1, "unreadable",
                                       _MSG("unreadable", reason=exc.strerror or "?")))
        return result
    for p in schema_problems(rf, text, data):
        (result.problems if p.severity == "error" else result.warnings).append(p)
    if result.problems:
        return result
    result.data = data
    row_type = ROW_TYPES.get(rf.kind)
    result.row = row_type.from_data(rf.id, data) if row_type is not None else None
    return result


# --- the cache -----------------------------------------------------------------------------
#
# .hs/cache/<format>/ holds a "stats" part (one signature of size and modification time per
# valid file), a "warnings" part (the warnings of the files that have any), and one part per
# kind with the rows, decoded only when a query first asks for that kind. The folder name
# holds the schema version and a fingerprint of the code that makes the entries, so that
# another version of hs never reads a cache it did not write. A file that failed is not in
# "stats", so it is read (and its problems reported) again every time.

_CACHE_LAYOUT = 6
_CACHE_PARTS = ("special", "location", "family", "volunteer", "trajectory")
_RACY_NS = 2_000_000_000  # a file changed this close to the cache write is read again
_fingerprint: str | None = None


def _cache_format() -> str:
    global _fingerprint
    if _fingerprint is None:
        h = hashlib.blake2b(digest_size=6)
        h.update(f"{SCHEMA_VERSION}-{__version__}-{_CACHE_LAYOUT}".encode())
        here = Path(__file__).resolve().parent
        for name in ("index.py", "models.py", "checks.py", "yamlio.py", "schemas.py"):
            try:
                h.update((here / name).read_bytes())
            except OSError:
                h.update(name.encode())
        _fingerprint = h.hexdigest()
    return f"index-{SCHEMA_VERSION}-{__version__}-{_fingerprint}"


def _cache_dir(root: Path) -> Path:
    return root / CACHE_DIR / "cache" / _cache_format()


def _read_part(root: Path, part: str) -> dict[str, Any]:
    """One part of the cache, or {} if it is missing or corrupt."""
    try:
        raw = (_cache_dir(root) / f"{part}.marshal").read_bytes()
        with paused_gc():
            data = marshal.loads(raw)
    except Exception:  # missing, unreadable or corrupt: start afresh
        return {}
    return data if isinstance(data, dict) else {}


def _written(root: Path) -> int:
    """When the stats part was written (ns), 0 if never."""
    try:
        return os.stat(_cache_dir(root) / "stats.marshal").st_mtime_ns
    except OSError:
        return 0


def _shared(value: Any, seen: dict[Any, Any]) -> Any:
    """The same value with equal short strings and dates as one object, so that marshal
    writes each once and refers to it after (codes repeat in every record)."""
    if isinstance(value, str):
        return seen.setdefault(value, value) if len(value) < 64 else value
    if isinstance(value, tuple):
        return tuple(_shared(v, seen) for v in value)
    if isinstance(value, list):
        return [_shared(v, seen) for v in value]
    if isinstance(value, dict):
        return {_shared(k, seen): _shared(v, seen) for k, v in value.items()}
    if isinstance(value, int) and not isinstance(value, bool) and 700000 < value < 800000:
        return seen.setdefault(("day", value), value)  # day numbers repeat too
    return value


def _write_part(root: Path, part: str, entries: dict[str, Any],
                share: dict[str, Any] | None = None) -> None:
    """Write one part. Values in ``share`` (default: all) first get their equal codes
    made one object; values decoded from the cache are shared already (marshal keeps
    them so), so after a few edits only the fresh rows need that pass."""
    folder = _cache_dir(root)
    try:
        if not folder.is_dir():
            folder.mkdir(parents=True, exist_ok=True)
            _ignore_cache_dir(root)
            for other in folder.parent.iterdir():  # caches of other versions
                if other != folder and other.name.startswith("index-"):
                    if other.is_dir():
                        shutil.rmtree(other, ignore_errors=True)
                    else:
                        other.unlink(missing_ok=True)
        tmp = folder / f".{part}.{os.getpid()}.tmp"
        if share is None:
            entries = _shared(entries, {})
        else:
            seen: dict[Any, Any] = {}
            entries = {k: _shared(v, seen) if k in share else v for k, v in entries.items()}
        tmp.write_bytes(marshal.dumps(entries))
        os.replace(tmp, folder / f"{part}.marshal")
    except (OSError, ValueError):
        pass  # a cache that cannot be written is only slower next time


def _ignore_cache_dir(root: Path) -> None:
    ignore = root / CACHE_DIR / ".gitignore"
    if not ignore.exists():
        ignore.write_text("*\n")


Parsed = tuple[str, Any, list[Problem], list[Problem]]  # rel, cache value, errors, warnings


def _parse_chunk(items: list[tuple[str, str, str, str]]) -> list[Parsed]:
    """Worker: parse files, return (rel, cache value or None, errors, warnings)."""
    out: list[Parsed] = []
    gc.freeze()
    try:
        with quiet_stderr():
            for kind, rid, path, rel in items:
                res = parse_file(RecordFile(kind, rid, path, rel))
                out.append((rel, _cache_value(res), res.problems, res.warnings))
    finally:
        gc.unfreeze()
    return out


def _cache_value(res: FileResult) -> Any:
    if res.problems:
        return None
    if res.row is not None:
        return res.row.to_tuple()
    return res.data


def _warning_tuples(problems: list[Problem]) -> tuple[tuple[int, int, str, str, str], ...]:
    from hs.i18n import language

    lang = language()
    return tuple((p.line, p.col, p.code, p.message, lang) for p in problems)


def _warnings_of(rel: str, entry: Any) -> list[Problem] | None:
    """Cached warnings as problems; None if they are in another language or look wrong
    (then the file is read again, and they are said in this one)."""
    from hs.i18n import language

    lang = language()
    out = []
    try:
        for line, col, code, message, said_in in entry:
            if said_in != lang:
                return None
            out.append(Problem(rel, line, col, code, message, "warning"))
    except (TypeError, ValueError):
        return None
    return out


class LoadReport:
    """What a full read did: the index, every file's errors (``problems``) and warnings,
    how many files were parsed."""

    def __init__(self, index: Index, problems: list[Problem],
                 entries: list[tuple[str, str, str, str]], parsed: int, seconds: float,
                 warnings: list[Problem] | None = None):
        self.index = index
        self.problems = problems
        self.entries = entries
        self.parsed = parsed
        self.seconds = seconds
        self.warnings = warnings if warnings is not None else []

    @property
    def files(self) -> list[RecordFile]:
        """Every file of the tree (made on demand: most queries never need them)."""
        return [RecordFile(*entry) for entry in self.entries]


def load_tree(root: Path, *, use_cache: bool = True, parallel: bool | None = None,
              keep_problems: bool = True) -> LoadReport:
    """Read the whole records tree into an :class:`Index`, using and refreshing the cache.

    Files whose signature (size and modification time) matches the cache are not read
    at all, unless they changed less than two seconds before the cache was written (a
    coarse clock could hide a same-size edit). A kind's part is only decoded when a query
    first asks for that kind. Files that failed are read again each time, so their
    problems are reported again; changed files are parsed (in several processes when
    there are many). A corrupt or foreign cache is ignored and rewritten."""
    started = time.perf_counter()
    entries = scan(root)
    stats = _read_part(root, "stats") if use_cache else {}
    trusted_before = _written(root) - _RACY_NS if stats else 0
    warned_part = _read_part(root, "warnings") if use_cache and stats else {}
    new_stats: dict[str, int] = {}
    new_warned: dict[str, Any] = {}
    index = Index()
    paths = index.paths
    problems: list[Problem] = []
    warned: list[Problem] = []
    todo: list[RecordFile] = []
    sigs: dict[str, int] = {}
    cached: dict[str, list[str]] = {part: [] for part in _CACHE_PARTS}
    stat_ = os.stat
    get = stats.get
    for kind, rid, path, rel in entries:
        try:
            st = stat_(path)
        except OSError:
            continue
        sig = _signature(st.st_size, st.st_mtime_ns)
        if get(rel) == sig and st.st_mtime_ns < trusted_before:
            if rel in warned_part:
                these = _warnings_of(rel, warned_part[rel])
                if these is None:
                    sigs[rel] = sig
                    todo.append(RecordFile(kind, rid, path, rel))
                    continue
                new_warned[rel] = warned_part[rel]
                if keep_problems:
                    warned.extend(these)
            new_stats[rel] = sig
            if kind in SPECIAL_KINDS:
                cached["special"].append(rel)
            else:
                cached[kind].append(rel)
                paths[rid] = rel
        else:
            sigs[rel] = sig
            todo.append(RecordFile(kind, rid, path, rel))
    fresh: dict[str, dict[str, Any]] = {part: {} for part in _CACHE_PARTS}
    by_rel = {e[3]: e for e in entries}
    if todo:
        use_pool = parallel if parallel is not None else len(todo) >= PARALLEL_THRESHOLD
        for rel, value, errors, warnings in _parse_many(todo, use_pool):
            kind, rid = by_rel[rel][0], by_rel[rel][1]
            if keep_problems:
                warned.extend(warnings)
            if value is None:
                index.invalid.append(rel)
                if keep_problems:
                    problems.extend(errors)
                continue
            new_stats[rel] = sigs[rel]
            if warnings:
                new_warned[rel] = _warning_tuples(warnings)
            fresh[_part_of(kind)][rel] = value
            if kind in FOLDER:
                paths[rid] = rel
    removed = stats.keys() - new_stats.keys()
    changed = {part for part, rows in fresh.items() if rows}
    changed |= {_part_from_rel(rel) for rel in removed}
    # config and vocabularies are small and needed by nearly every query
    special = _merge_part(root, "special", cached["special"], fresh["special"], by_rel,
                          use_cache and "special" in changed)
    for rel, value in special.items():
        if by_rel[rel][0] == "config":
            index.config = value
        else:
            index.vocabularies = value
    for part in _CACHE_PARTS[1:]:
        def loader(part: str = part) -> list[tuple[Any, ...]]:
            return list(_merge_part(root, part, cached[part], fresh[part], by_rel,
                                    use_cache and part in changed).values())
        if cached[part] and not (use_cache and part in changed):
            index.set_source(part, loader)
        else:
            for value in loader():
                index.add_cached(part, value)
    if use_cache and (todo or removed):
        _write_part(root, "warnings", new_warned)
        _write_part(root, "stats", new_stats)  # last: its time tells what to trust
    return LoadReport(index, problems, entries, len(todo), time.perf_counter() - started,
                      warned)


def _signature(size: int, mtime_ns: int) -> int:
    """One number for a file's size and modification time (sizes stay far below 2**32:
    a larger file is never valid, so never cached)."""
    return (mtime_ns << 32) | (size & 0xFFFFFFFF)


def _part_of(kind: str) -> str:
    return "special" if kind in SPECIAL_KINDS else kind


def _part_from_rel(rel: str) -> str:
    parts = rel.split("/")
    if len(parts) == 2:
        return "special"
    return KIND_OF_FOLDER.get(parts[1], "special")


def _usable(part: str, rid: str, value: Any) -> bool:
    """A cached value of the right shape (a row tuple of that ID; the config or the
    vocabularies as a mapping)."""
    if part == "special":
        return isinstance(value, dict)
    return isinstance(value, tuple) and len(value) > 1 and value[0] == rid


def _merge_part(root: Path, part: str, cached_rels: list[str], fresh: dict[str, Any],
                by_rel: dict[str, tuple[str, str, str, str]], write: bool) -> dict[str, Any]:
    """The rows of one kind: cached ones still current, plus the freshly parsed ones.

    A row the cache part should have but lacks or holds in another shape (a part lost or
    corrupt) is parsed now."""
    out: dict[str, Any] = {}
    if cached_rels:
        stored = _read_part(root, part)
        for rel in cached_rels:
            value = stored.get(rel)
            if not _usable(part, by_rel[rel][1], value):
                res = parse_file(RecordFile(*by_rel[rel]))
                value = _cache_value(res)
                if value is None:
                    continue
                write = True
            out[rel] = value
    out.update(fresh)
    if write:
        _write_part(root, part, out, share=fresh if cached_rels else None)
    return out


def _parse_many(todo: list[RecordFile], use_pool: bool) -> list[Parsed]:
    """Parse files, in :data:`PARSE_PROCESSES` worker processes if ``use_pool`` (forked, so
    they start with everything imported; rapidyaml's messages on stderr are silenced in
    each)."""
    items = [(rf.kind, rf.id, rf.fspath, rf.rel) for rf in todo]
    workers = min(os.cpu_count() or 1, PARSE_PROCESSES)
    if not use_pool or workers < 2 or not hasattr(os, "fork"):
        return _parse_chunk(items)
    import concurrent.futures as cf
    import multiprocessing as mp

    size = max(50, len(items) // (workers * 4))
    chunks = [items[i:i + size] for i in range(0, len(items), size)]
    out: list[Parsed] = []
    try:
        with cf.ProcessPoolExecutor(workers, mp_context=mp.get_context("fork")) as pool:
            for part in pool.map(_parse_chunk, chunks):
                out.extend(part)
    except (OSError, cf.process.BrokenProcessPool):
        return _parse_chunk(items)  # no processes to be had: do it here
    return out


def stray_files(root: Path) -> list[str]:
    """YAML files under ``records/`` that no command reads: outside the record folders
    (say ``records/famlies/x.yaml``) or with an extension in capitals (``X.YAML``)."""
    base = root / RECORDS
    out: list[str] = []
    stack: list[tuple[str, str, bool]] = [(str(base), RECORDS, False)]
    while stack:
        folder, rel, known = stack.pop()
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError:
            continue
        for e in entries:
            if e.name.startswith("."):
                continue
            if e.is_dir(follow_symlinks=False):
                inside = known or (rel == RECORDS and e.name in KIND_OF_FOLDER)
                stack.append((e.path, f"{rel}/{e.name}", inside))
                continue
            lower = e.name.lower()
            if not lower.endswith((".yaml", ".yml")):
                continue
            if known:
                if not e.name.endswith((".yaml", ".yml")):
                    out.append(f"{rel}/{e.name}")
            elif not (rel == RECORDS and e.name in SPECIAL):
                out.append(f"{rel}/{e.name}")
    return sorted(out)


# --- the repository object -------------------------------------------------------------


_HELD: dict[str, int] = {}  # trees whose lock this process holds, and how deeply


class Repo:
    """One records repository. Commands get it from :func:`open_repo`."""

    lock_timeout = 10.0  # seconds to wait for another hs process that is writing

    def __init__(self, root: Path):
        self.root = root
        self.records = root / RECORDS
        self._report: LoadReport | None = None

    # reading

    def load(self) -> LoadReport:
        if self._report is None:
            self._report = load_tree(self.root)
        return self._report

    @property
    def index(self) -> Index:
        return self.load().index

    def refresh(self) -> None:
        self._report = None

    def path_of(self, kind: RecordKind, rid: str) -> Path:
        rel = self.index.paths.get(rid)
        if rel is not None:
            return self.root / rel
        return self.records / FOLDER[kind] / f"{rid}.yaml"

    def all_ids(self) -> set[str]:
        """Every record ID in the tree, valid or not (from the file names)."""
        return {rf.id for rf in walk(self.root) if rf.kind in FOLDER}

    def resolve(self, prefix: str, kind: RecordKind | None = None) -> tuple[RecordKind, str]:
        """A full ID from an ID or a unique prefix of one (of ``kind`` if given)."""
        files = [rf for rf in walk(self.root) if rf.kind in FOLDER
                 and (kind is None or rf.kind == kind)]
        exact = [rf for rf in files if rf.id == prefix]
        matches = exact or ([rf for rf in files if rf.id.startswith(prefix)] if prefix else [])
        ids = sorted({rf.id for rf in matches})
        what = _MSG(kind or "record")
        if not ids:
            raise RecordNotFound(_MSG("not-found", what=what, id=prefix))
        if len(ids) > 1:
            shown = ", ".join(ids[:5]) + (" ..." if len(ids) > 5 else "")
            raise AmbiguousId(_MSG("ambiguous", id=prefix, n=len(ids), ids=shown))
        rf = next(r for r in matches if r.id == ids[0])
        return rf.kind, rf.id  # type: ignore[return-value]

    def read_model(self, kind: RecordKind, rid: str) -> BaseModel:
        """One record, fully validated (the model), or InvalidRecord naming the problem."""
        rf = classify(self.root, self.path_of(kind, rid))
        if rf is None:
            raise RecordNotFound(_MSG("not-found", what=_MSG(kind), id=rid))
        res = parse_file(rf)
        if res.problems:
            raise InvalidRecord(str(res.problems[0]),
                                hint=_MSG("run-validate"))
        from hs.models import MODELS

        return MODELS[kind].model_validate(res.data)

    # writing

    @contextmanager
    def lock(self, timeout: float | None = None) -> Iterator[None]:
        """An exclusive lock on the tree for writers (``.hs/lock``, flock).

        Another process that holds it makes this wait up to ``timeout`` seconds, then
        :class:`LockBusy`. Within one process the lock is re-entrant (a command that
        holds it can call :meth:`write`, which takes it too)."""
        import fcntl

        key = str(self.root.resolve())
        if _HELD.get(key):
            _HELD[key] += 1
            try:
                yield
            finally:
                _HELD[key] -= 1
            return
        (self.root / CACHE_DIR).mkdir(exist_ok=True)
        _ignore_cache_dir(self.root)
        fd = os.open(self.root / CACHE_DIR / "lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            deadline = time.monotonic() + (self.lock_timeout if timeout is None else timeout)
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise LockBusy(_MSG("lock-busy")) from None
                    time.sleep(0.05)
            _HELD[key] = 1
            try:
                yield
            finally:
                _HELD.pop(key, None)
        finally:
            os.close(fd)  # closing the file releases the lock

    def write(self, path: Path, text: str, check: Callable[[str], None] | None = None,
              *, create: bool = False) -> None:
        """Replace (or create) one record file atomically, after validating ``text``.

        Under the lock: the text is validated as the record of its kind (plus ``check`` if
        given), written to a temporary file next to the target, fsynced, read back and
        validated again, then renamed over the target (keeping its permissions) and the
        folder fsynced. With ``create``, a file or ID that exists already is refused. On
        any failure the old file stays byte for byte, and :class:`WriteRejected` (or the
        error of ``check``) says why."""
        rf = classify(self.root, path)
        if rf is None:
            raise WriteRejected(_MSG("not-a-record", path=path))
        data = text.encode("utf-8")
        self._validate_text(rf, data)
        if check is not None:
            check(text)
        with self.lock():
            if create and (path.exists() or (rf.kind in FOLDER and rf.id in self.all_ids())):
                raise WriteRejected(_MSG("exists", id=rf.id))
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.parent / f".{path.name}.{os.getpid()}.tmp"
            try:
                with open(tmp, "wb") as fh:
                    fh.write(data)
                    fh.flush()
                    os.fsync(fh.fileno())
                back = tmp.read_bytes()
                if back != data:
                    raise WriteRejected(_MSG("read-back", path=rf.rel))
                self._validate_text(rf, back)
                if path.exists():
                    os.chmod(tmp, stat.S_IMODE(os.stat(path).st_mode))
                os.replace(tmp, path)
                dir_fd = os.open(path.parent, os.O_RDONLY)
                try:
                    os.fsync(dir_fd)
                finally:
                    os.close(dir_fd)
            finally:
                if tmp.exists():
                    tmp.unlink()
        self.refresh()

    def _validate_text(self, rf: RecordFile, raw: bytes) -> None:
        res = parse_file(rf, raw)
        if res.problems:
            from hs.problems import sort_key

            first = min(res.problems, key=sort_key)
            more = len(res.problems) - 1
            text = str(first) + (_MSG("more-1") if more == 1 else
                                 _MSG("more", n=more) if more else "")
            raise WriteRejected(text)

    # git

    def git(self, *args: str, check: bool = True) -> str:
        return git(self.root, *args, check=check)


def git(root: Path, *args: str, check: bool = True, input: str | None = None) -> str:
    """Run git in ``root``; a failure is a GitError with git's own one-line reason."""
    try:
        proc = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True,
                              input=input)
    except FileNotFoundError:
        raise GitError("git is not installed") from None
    if check and proc.returncode != 0:
        reason = (proc.stderr.strip() or proc.stdout.strip()).splitlines()
        raise GitError(f"git {args[0]} failed: {reason[-1] if reason else proc.returncode}")
    return proc.stdout


def open_repo(repo: str | Path | None = None) -> Repo:
    return Repo(find_root(repo))


def _msg_catalog() -> Any:
    from hs.i18n import Catalog

    return Catalog({
        "record": ("record", "record"),
        "location": ("location", "werking"),
        "family": ("family", "gezin"),
        "volunteer": ("volunteer", "vrijwilliger"),
        "trajectory": ("trajectory", "traject"),
        "not-found": ("no {what} with ID '{id}'", "geen {what} met ID '{id}'"),
        "ambiguous": ("ID prefix '{id}' matches {n} records: {ids}; type more characters",
                      "ID-begin '{id}' past bij {n} records: {ids}; typ meer tekens"),
        "run-validate": ("run 'hs validate' for every problem",
                         "'hs validate' toont alle problemen"),
        "lock-busy": ("another hs command is writing to this records tree; try again",
                      "een ander hs-commando schrijft in deze records; probeer opnieuw"),
        "not-a-record": ("{path}: not a record file of this tree",
                         "{path}: geen recordbestand van deze records"),
        "exists": ("a record with ID '{id}' exists already", "er is al een record met ID '{id}'"),
        "read-back": ("{path}: the file read back differs from what was written; nothing "
                      "was changed", "{path}: het teruggelezen bestand verschilt van wat "
                      "geschreven werd; er is niets veranderd"),
        "more-1": (" (and 1 more problem)", " (en nog 1 probleem)"),
        "more": (" (and {n} more problems)", " (en nog {n} problemen)"),
        "too-deep": ("the data is nested too deeply", "de gegevens zijn te diep genest"),
        "unreadable": ("cannot read the file: {reason}", "kan het bestand niet lezen: {reason}"),
    })


class _LazyMsg:
    _cat: Any = None

    def __call__(self, key: str, **fields: object) -> str:
        if self._cat is None:
            self._cat = _msg_catalog()
        return str(self._cat(key, **fields))


_MSG = _LazyMsg()

__all__ = ["Repo", "find_root", "is_valid_id", "load_tree", "open_repo", "parse_file",
           "today", "walk"]
