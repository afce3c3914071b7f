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
PARALLEL_THRESHOLD = 4000


@dataclass(frozen=True, slots=True)
class RecordFile:
    """A file in the records tree: its kind, its ID (the stem) and its path."""

    kind: str  # location | family | volunteer | trajectory | config | vocabularies
    id: str
    path: Path
    rel: str  # path relative to the repository root, with forward slashes


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


def walk(root: Path) -> list[RecordFile]:
    """Every record file of the tree (config and vocabularies first), in a stable order."""
    base = root / RECORDS
    found: list[RecordFile] = []
    for name, kind in SPECIAL.items():
        p = base / name
        if p.is_file():
            found.append(RecordFile(kind, kind, p, f"{RECORDS}/{name}"))
    for folder, kind in KIND_OF_FOLDER.items():
        top = base / folder
        if not top.is_dir():
            continue
        stack = [(top, f"{RECORDS}/{folder}")]
        while stack:
            d, rel = stack.pop()
            with os.scandir(d) as it:
                entries = sorted(it, key=lambda e: e.name)
            for e in entries:
                if e.name.startswith("."):
                    continue
                if e.is_dir(follow_symlinks=False):
                    stack.append((Path(e.path), f"{rel}/{e.name}"))
                elif e.name.endswith((".yaml", ".yml")):
                    found.append(RecordFile(kind, e.name.rsplit(".", 1)[0], Path(e.path),
                                            f"{rel}/{e.name}"))
    return found


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

_CACHE_FORMAT = f"index-{SCHEMA_VERSION}-{__version__}-1"


def _cache_path(root: Path) -> Path:
    return root / CACHE_DIR / "cache" / f"{_CACHE_FORMAT}.marshal"


def _read_cache(root: Path) -> dict[str, Any]:
    try:
        data = marshal.loads(_cache_path(root).read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_cache(root: Path, entries: dict[str, Any]) -> None:
    path = _cache_path(root)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        ignore = root / CACHE_DIR / ".gitignore"
        if not ignore.exists():
            ignore.write_text("*\n")
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(marshal.dumps(entries))
        os.replace(tmp, path)
    except OSError:
        pass  # a cache that cannot be written is only slower next time


def _parse_chunk(items: list[tuple[str, str, str, str]]) -> list[tuple[str, Any, list[Problem]]]:
    """Worker: parse files, return (rel, cache value or None, problems)."""
    out: list[tuple[str, Any, list[Problem]]] = []
    gc.freeze()
    with quiet_stderr():
        for kind, rid, path, rel in items:
            res = parse_file(RecordFile(kind, rid, Path(path), rel))
            out.append((rel, _cache_value(res), res.problems))
    return out


def _cache_value(res: FileResult) -> Any:
    if res.problems:
        return None
    if res.row is not None:
        return res.row.to_tuple()
    return res.data


@dataclass
class LoadReport:
    """What a full read did: the index, every file's problems, how many files were parsed."""

    index: Index
    problems: list[Problem]
    files: list[RecordFile]
    parsed: int
    seconds: float


def load_tree(root: Path, *, use_cache: bool = True, parallel: bool | None = None,
              keep_problems: bool = True) -> LoadReport:
    """Read the whole records tree into an :class:`Index`, using and refreshing the cache.

    Files whose path, size and mtime match the cache are not read at all. Files that fail
    are kept in the cache as failures too, so their problems are found again next time
    (by re-reading only those)."""
    started = time.perf_counter()
    files = walk(root)
    cache = _read_cache(root) if use_cache else {}
    fresh: dict[str, Any] = {}
    index = Index()
    problems: list[Problem] = []
    todo: list[RecordFile] = []
    stats: dict[str, tuple[int, int]] = {}
    for rf in files:
        try:
            st = os.stat(rf.path)
        except OSError:
            continue
        key = (st.st_size, st.st_mtime_ns)
        stats[rf.rel] = key
        hit = cache.get(rf.rel)
        if hit is not None and hit[0] == key[0] and hit[1] == key[1] and hit[2] is not None:
            fresh[rf.rel] = hit
            _add(index, rf, hit[2])
        else:
            todo.append(rf)
    if todo:
        use_pool = parallel if parallel is not None else len(todo) >= PARALLEL_THRESHOLD
        results = _parse_many(todo, use_pool)
        by_rel = {rf.rel: rf for rf in todo}
        for rel, value, probs in results:
            rf = by_rel[rel]
            size, mtime = stats[rel]
            fresh[rel] = (size, mtime, value)
            if value is None:
                index.invalid.append(rel)
                if keep_problems:
                    problems.extend(probs)
            else:
                _add(index, rf, value)
    if use_cache and (todo or len(fresh) != len(cache)):
        _write_cache(root, fresh)
    return LoadReport(index, problems, files, len(todo), time.perf_counter() - started)


def _add(index: Index, rf: RecordFile, value: Any) -> None:
    if rf.kind == "config":
        index.config = value
    elif rf.kind == "vocabularies":
        index.vocabularies = value
    else:
        row = ROW_TYPES[rf.kind].from_tuple(value)
        index.add(rf.kind, row)
        index.paths[rf.id] = rf.rel


def _parse_many(todo: list[RecordFile],
                use_pool: bool) -> list[tuple[str, Any, list[Problem]]]:
    items = [(rf.kind, rf.id, str(rf.path), rf.rel) for rf in todo]
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
