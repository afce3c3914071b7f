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
file's path, size and modification time plus the schema and program versions; a stale or
corrupt cache is rebuilt silently. Writing one record goes through :meth:`Repo.write`:
validated first, written to a temporary file in the same folder, fsynced, read back and
validated again, then renamed over the old file, under a lock.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import marshal
import os
import subprocess
import time
from collections.abc import Callable, Iterable, Iterator
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
from hs.index import ROW_TYPES, Index
from hs.problems import Problem
from hs.yamlio import YamlIssue, decode, fast_json, quiet_stderr

if TYPE_CHECKING:
    from pydantic import BaseModel

RECORDS = "records"
CONFIG_FILE = "config.yaml"
VOCABULARIES_FILE = "vocabularies.yaml"
CACHE_DIR = ".hs"
SPECIAL: dict[str, str] = {CONFIG_FILE: "config", VOCABULARIES_FILE: "vocabularies"}
SPECIAL_KINDS = frozenset(SPECIAL.values())
PARALLEL_THRESHOLD = 4000


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
    """What reading one file gave: its row (None if invalid) and its problems."""

    file: RecordFile
    row: Any = None
    data: dict[str, Any] | None = None
    problems: list[Problem] = field(default_factory=list)


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
            raw = rf.path.read_bytes()
        text = decode(raw)
        fast = fast_json(text)
        if fast is not None:
            data = json.loads(fast)
        else:
            from hs.yamlio import load_document, plain

            data = plain(load_document(text))
    except YamlIssue as issue:
        result.problems.append(Problem(rf.rel, issue.line, issue.col, issue.code,
                                       issue.message))
        return result
    except OSError as exc:
        result.problems.append(Problem(rf.rel, 1, 1, "unreadable", exc.strerror or str(exc)))
        return result
    problems = schema_problems(rf, text, data)
    if problems:
        result.problems.extend(problems)
        return result
    result.data = data
    row_type = ROW_TYPES.get(rf.kind)
    result.row = row_type.from_data(rf.id, data) if row_type is not None else None
    return result


# --- the cache -----------------------------------------------------------------------------

_CACHE_FORMAT = f"index-{SCHEMA_VERSION}-{__version__}-5"
_CACHE_PARTS = ("special", "location", "family", "volunteer", "trajectory")


def _cache_dir(root: Path) -> Path:
    return root / CACHE_DIR / "cache" / _CACHE_FORMAT


def _read_part(root: Path, part: str) -> dict[str, Any]:
    """One part of the cache (``stats`` or a kind), or {} if missing or corrupt."""
    try:
        data = marshal.loads((_cache_dir(root) / f"{part}.marshal").read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        return {}
    return data if isinstance(data, dict) else {}


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


def _write_part(root: Path, part: str, entries: dict[str, Any]) -> None:
    folder = _cache_dir(root)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        ignore = root / CACHE_DIR / ".gitignore"
        if not ignore.exists():
            ignore.write_text("*\n")
        tmp = folder / f".{part}.{os.getpid()}.tmp"
        tmp.write_bytes(marshal.dumps(_shared(entries, {})))
        os.replace(tmp, folder / f"{part}.marshal")
    except OSError:
        pass  # a cache that cannot be written is only slower next time


def _parse_chunk(items: list[tuple[str, str, str, str]]) -> list[tuple[str, Any, list[Problem]]]:
    """Worker: parse files, return (rel, cache value or None, problems)."""
    out: list[tuple[str, Any, list[Problem]]] = []
    gc.freeze()
    with quiet_stderr():
        for kind, rid, path, rel in items:
            res = parse_file(RecordFile(kind, rid, path, rel))
            out.append((rel, _cache_value(res), res.problems))
    return out


def _cache_value(res: FileResult) -> Any:
    if res.problems:
        return None
    if res.row is not None:
        return res.row.to_tuple()
    return res.data


class LoadReport:
    """What a full read did: the index, every file's problems, how many files were parsed."""

    def __init__(self, index: Index, problems: list[Problem],
                 entries: list[tuple[str, str, str, str]], parsed: int, seconds: float):
        self.index = index
        self.problems = problems
        self.entries = entries
        self.parsed = parsed
        self.seconds = seconds

    @property
    def files(self) -> list[RecordFile]:
        """Every file of the tree (made on demand: most queries never need them)."""
        return [RecordFile(*entry) for entry in self.entries]


def load_tree(root: Path, *, use_cache: bool = True, parallel: bool | None = None,
              keep_problems: bool = True) -> LoadReport:
    """Read the whole records tree into an :class:`Index`, using and refreshing the cache.

    The cache has a ``stats`` part (a signature of each valid file's size and
    modification time) and one part per kind with the rows. Files whose signature matches
    are not read at all, and a kind's part is only decoded when a query first asks for
    that kind. Files that failed are read again each time, so their problems are reported
    again; changed files are parsed (in several processes when there are many)."""
    started = time.perf_counter()
    entries = scan(root)
    stats = _read_part(root, "stats") if use_cache else {}
    new_stats: dict[str, int] = {}
    index = Index()
    paths = index.paths
    problems: list[Problem] = []
    todo: list[RecordFile] = []
    sigs: dict[str, int] = {}
    cached: dict[str, list[str]] = {part: [] for part in _CACHE_PARTS}
    stat = os.stat
    get = stats.get
    for kind, rid, path, rel in entries:
        try:
            st = stat(path)
        except OSError:
            continue
        sig = _signature(st.st_size, st.st_mtime_ns)
        if get(rel) == sig:
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
        for rel, value, probs in _parse_many(todo, use_pool):
            kind, rid = by_rel[rel][0], by_rel[rel][1]
            if value is None:
                index.invalid.append(rel)
                if keep_problems:
                    problems.extend(probs)
                continue
            new_stats[rel] = sigs[rel]
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
        _write_part(root, "stats", new_stats)
    return LoadReport(index, problems, entries, len(todo), time.perf_counter() - started)


def _signature(size: int, mtime_ns: int) -> int:
    """One number for a file's size and modification time (sizes stay far below 2**32:
    a larger file is never valid, so never cached)."""
    return (mtime_ns << 32) | (size & 0xFFFFFFFF)


def _part_of(kind: str) -> str:
    return "special" if kind in SPECIAL.values() else kind


def _part_from_rel(rel: str) -> str:
    parts = rel.split("/")
    if len(parts) == 2:
        return "special"
    return KIND_OF_FOLDER.get(parts[1], "special")


def _merge_part(root: Path, part: str, cached_rels: list[str], fresh: dict[str, Any],
                by_rel: dict[str, tuple[str, str, str, str]], write: bool) -> dict[str, Any]:
    """The rows of one kind: cached ones still current, plus the freshly parsed ones.

    A row the cache part should have but lacks (a part lost or corrupt) is parsed now."""
    out: dict[str, Any] = {}
    if cached_rels:
        stored = _read_part(root, part)
        for rel in cached_rels:
            value = stored.get(rel)
            if value is None:
                res = parse_file(RecordFile(*by_rel[rel]))
                value = _cache_value(res)
                if value is None:
                    continue
                write = True
            out[rel] = value
    out.update(fresh)
    if write:
        _write_part(root, part, out)
    return out


def _parse_many(todo: list[RecordFile],
                use_pool: bool) -> list[tuple[str, Any, list[Problem]]]:
    items = [(rf.kind, rf.id, rf.fspath, rf.rel) for rf in todo]
    if not use_pool or (os.cpu_count() or 1) < 2:
        return _parse_chunk(items)
    import concurrent.futures as cf
    import multiprocessing as mp

    workers = min(os.cpu_count() or 2, 8)
    size = max(200, len(items) // (workers * 4))
    chunks = [items[i:i + size] for i in range(0, len(items), size)]
    out: list[tuple[str, Any, list[Problem]]] = []
    ctx = mp.get_context("fork") if hasattr(os, "fork") else mp.get_context()
    with cf.ProcessPoolExecutor(workers, mp_context=ctx) as pool:
        for part in pool.map(_parse_chunk, chunks):
            out.extend(part)
    return out


# --- the repository object -------------------------------------------------------------


class Repo:
    """One records repository. Commands get it from :func:`open_repo`."""

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
    def lock(self, timeout: float = 10.0) -> Iterator[None]:
        """An exclusive lock on the tree for writers (``.hs/lock``, flock)."""
        import fcntl

        (self.root / CACHE_DIR).mkdir(exist_ok=True)
        ignore = self.root / CACHE_DIR / ".gitignore"
        if not ignore.exists():
            ignore.write_text("*\n")
        fd = os.open(self.root / CACHE_DIR / "lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise LockBusy(_MSG("lock-busy")) from None
                    time.sleep(0.05)
            yield
        finally:
            os.close(fd)

    def write(self, path: Path, text: str, check: Callable[[str], None] | None = None) -> None:
        """Replace (or create) one record file atomically, after validating ``text``.

        The text is validated as the record of its kind (plus ``check`` if given), written
        to a temporary file next to the target, fsynced, read back and validated again,
        then renamed over the target. On any failure the old file stays byte for byte."""
        rf = classify(self.root, path)
        if rf is None:
            raise WriteRejected(f"{path}: not a record file of this tree")
        self._validate_text(rf, text.encode("utf-8"))
        if check is not None:
            check(text)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.parent / f".{path.name}.{os.getpid()}.tmp"
        try:
            with open(tmp, "wb") as fh:
                fh.write(text.encode("utf-8"))
                fh.flush()
                os.fsync(fh.fileno())
            self._validate_text(rf, tmp.read_bytes())
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
            raise WriteRejected(str(res.problems[0]))

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


def relative_ids(ids: Iterable[str]) -> list[str]:
    return sorted(ids)


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
