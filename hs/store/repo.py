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
:mod:`hs.records.index`, no names or notes), one part per kind, decoded when first asked for. A
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
from hs.base.errors import (
    AmbiguousId,
    GitError,
    InvalidRecord,
    LockBusy,
    RecordNotFound,
    RepoNotFound,
    WriteRejected,
)
from hs.records.ids import FOLDER, KIND_OF_FOLDER, RecordKind, id_of_path, is_valid_id
from hs.records.index import ROW_TYPES, Index, paused_gc
from hs.records.layout import (  # noqa: F401 (used through this module)
    CONFIG_FILE,
    RECORDS,
    SPECIAL,
    SPECIAL_KINDS,
    VOCABULARIES_FILE,
)
from hs.records.problems import Problem
from hs.store import gitops

if TYPE_CHECKING:
    from pydantic import BaseModel

CACHE_DIR = ".hs"
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
    value: Any = None  # the row in its cached tuple form (``to_tuple``)
    data: dict[str, Any] | None = None
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    blob: str | None = None  # git's blob ID of the bytes read
    sig: int | None = None  # the size and modification time of the file read

    @property
    def row(self) -> Any:
        """The index row of a valid record (None for an invalid file, config and
        vocabularies)."""
        if self.value is None:
            return None
        return ROW_TYPES[self.file.kind].from_tuple(self.value)


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


def scan(root: Path, dirs: dict[str, int] | None = None, strays: list[str] | None = None
         ) -> list[tuple[str, str, str, str]]:
    """Every record file of the tree as (kind, id, path, rel), config and vocabularies
    first, then each kind's folder in name order (subfolders after files). With ``dirs``,
    also note the modification time of every folder looked into (by its rel); with
    ``strays``, add to it what :func:`stray_files` gives (from the same listing)."""
    found: list[tuple[str, str, str, str]] = []
    _scan_folder(str(root), RECORDS, found, dirs if dirs is not None else {}, None, strays)
    if strays is not None:
        strays.sort()
    return found


def _scan_folder(root: str, rel: str, found: list[tuple[str, str, str, str]],
                 dirs: dict[str, int], known: dict[str, int] | None = None,
                 strays: list[str] | None = None) -> None:
    """Add the record files of one folder of the tree (``records`` or below) to ``found``,
    and those of its subfolders not in ``known``, noting each folder's modification time
    (taken before it is listed, so that a file added meanwhile changes it again). With
    ``strays``, add the YAML files there that no command reads to it (as
    :func:`stray_files` does, which does not look into a record folder that is a link)."""
    linked: set[str] = set()  # record folders that are symbolic links
    stack = [rel]
    while stack:
        rel_dir = stack.pop()
        parts = rel_dir.split("/")
        path = os.path.join(root, *parts)
        try:
            dirs[rel_dir] = os.stat(path).st_mtime_ns
            with os.scandir(path) as it:
                entries = {e.name: e for e in it}
        except OSError:
            dirs.pop(rel_dir, None)
            continue
        subfolders: list[str] = []
        if len(parts) == 1:
            for name, kind in SPECIAL.items():
                e = entries.get(name)
                if e is not None and e.is_file():
                    found.append((kind, kind, e.path, f"{rel_dir}/{name}"))
            for name in KIND_OF_FOLDER:
                e = entries.get(name)
                if e is not None and e.is_dir():
                    subfolders.append(f"{rel_dir}/{name}")
                    if e.is_symlink():
                        linked.add(f"{rel_dir}/{name}")
            if strays is not None:
                strays.extend(_top_strays(rel_dir, entries))
        else:
            kind = KIND_OF_FOLDER[parts[1]]
            look = strays is not None and "/".join(parts[:2]) not in linked
            for name in sorted(entries):
                if name.startswith("."):
                    continue
                e = entries[name]
                if name.endswith((".yaml", ".yml")) and e.is_file():
                    found.append((kind, name.rsplit(".", 1)[0], e.path, f"{rel_dir}/{name}"))
                elif e.is_dir(follow_symlinks=False):
                    subfolders.append(f"{rel_dir}/{name}")
                elif look and name.lower().endswith((".yaml", ".yml")) and \
                        not name.endswith((".yaml", ".yml")):
                    strays.append(f"{rel_dir}/{name}")  # type: ignore[union-attr]
        if known is not None:
            subfolders = [f for f in subfolders if f not in known]
        stack.extend(reversed(subfolders))


def walk(root: Path) -> list[RecordFile]:
    """Every record file of the tree (config and vocabularies first), in a stable order."""
    return [RecordFile(*entry) for entry in scan(root)]


# --- reading one file --------------------------------------------------------------------


def parse_file(rf: RecordFile, raw: bytes | None = None) -> FileResult:
    """Read, parse and validate one file against its model. Never raises for bad data."""
    from hs.store.filecheck import schema_problems
    from hs.store.yamlio import NOT_FAST, YamlIssue, decode, fast_load

    result = FileResult(rf)
    try:
        if raw is None:
            result.sig, raw = _read_signed(rf.fspath)
        result.blob = gitops.blob_id(raw)
        text = decode(raw)
        data = fast_load(text)
        if data is NOT_FAST:
            from hs.store.yamlio import load_document, plain

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
    result.value = row_type.tuple_of(rf.id, data) if row_type is not None else None
    return result


def _read_signed(path: str) -> tuple[int, bytes]:
    """A file's signature (see :func:`_signature`) and its bytes, taken from the one open
    file (so the two agree). Plain ``os`` calls: half the cost of ``open()`` and a
    buffered reader, which counts when a cold read opens 50,000 files."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    try:
        st = os.fstat(fd)
        raw = os.read(fd, st.st_size + 1)
        if len(raw) != st.st_size:  # it grew since fstat, or a short read: read the rest
            parts = [raw]
            while chunk := os.read(fd, 1 << 20):
                parts.append(chunk)
            raw = b"".join(parts)
    finally:
        os.close(fd)
    return _signature(st), raw


# --- the cache -----------------------------------------------------------------------------
#
# .hs/cache/<format>/ holds, each part a marshal file written atomically:
#
#   head     what the next run needs to find the changed files cheaply: the token of every
#            other part (below), the warnings of the files that have any, the files that
#            failed, the folders' modification times, and what git said last time (the
#            index file's signature, a digest of the tracked files' listing, the files git
#            could not vouch for); written last, so its modification time tells which files
#            are old enough to be trusted by their signature;
#   sigs     a signature (size, times, inode and mode: see _signature) per valid file;
#   blobs    git's blob ID of each valid file as it was read;
#   special, location, family, volunteer, trajectory: the rows of each kind (config and
#            vocabularies for "special"), decoded only when a query first asks for that kind;
#   journal  the changes since those parts were written (rows, signatures and blob IDs of
#            files read again; None for a file gone). A few edited files only rewrite the
#            journal; once it holds more than _JOURNAL_LIMIT changes, every part is
#            written whole and the journal starts empty.
#
# A part's token is its file's inode, size and modification time just after it was
# written; head records them. A part that is not the file head names (lost, corrupt, or
# left by a run that died before it wrote head) is not trusted: a lost journal or list of
# signatures means starting afresh, a lost part of rows means reading those files again.
# The folder name holds the schema version and a fingerprint of the code that makes the
# entries, so that another version of hs never reads a cache it did not write. A file that
# failed is not cached, so it is read (and its problems reported) again every time.
#
# Which files changed since the cache was written:
#
# * In the top folder of a git work tree, git is asked (:mod:`hs.store.gitops`). While git's index
#   file keeps its signature (or its listing its digest), every tracked file that
#   ``git diff-files`` does not name has the content the cache was built from; only the
#   files it names, the files git does not track, the files that failed and the folders
#   whose modification time changed (for new files) are looked at. When the index changed
#   (a commit, a checkout, a pull), every tracked file's blob ID is compared with the one
#   read last time. No stat() per file.
# * Elsewhere, and when git fails, every file's size and modification time are compared with
#   the signature of the cached entry.
#
# Either way a file whose signature matches but changed less than two seconds before head
# was written is read again (a coarse clock could hide a same-size edit).

_CACHE_LAYOUT = 8
_KIND_PARTS = ("location", "family", "volunteer", "trajectory")
_CACHE_PARTS = ("special", *_KIND_PARTS)
_MANY_SUSPECTS = 2000  # more files git cannot vouch for are looked at through a listing
_RACY_NS = 2_000_000_000  # a file changed this close to the cache write is read again
_JOURNAL_LIMIT = 2000  # changes kept in the journal before the parts are written whole
_fingerprint: str | None = None
# The packages whose code makes what the cache holds (see _cache_format).
CACHE_SOURCES = ("base", "records", "store", "rules")

Entry = tuple[str, str, str, str]  # kind, id, path, rel (see RecordFile)


def _cache_format() -> str:
    global _fingerprint
    if _fingerprint is None:
        h = hashlib.blake2b(digest_size=6)
        h.update(f"{SCHEMA_VERSION}-{__version__}-{_CACHE_LAYOUT}".encode())
        # Every source file of the packages that make what the cache holds (rows, readers,
        # the problems of records): a change anywhere in them makes a new cache.
        package = Path(__file__).resolve().parents[1]
        for folder in CACHE_SOURCES:
            for source in sorted((package / folder).glob("*.py")):
                try:
                    h.update(source.name.encode() + source.read_bytes())
                except OSError:
                    h.update(source.name.encode())
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


def _read_tokened(root: Path, part: str, token: Any) -> dict[str, Any] | None:
    """A part if it is the file written with ``token`` (what :func:`_write_part` gave),
    else None."""
    if not isinstance(token, tuple):
        return None
    try:
        with open(_cache_dir(root) / f"{part}.marshal", "rb") as fh:
            st = os.fstat(fh.fileno())
            if (st.st_ino, st.st_size, st.st_mtime_ns) != token:
                return None
            raw = fh.read()
        with paused_gc():
            data = marshal.loads(raw)
    except Exception:  # missing, unreadable or corrupt
        return None
    return data if isinstance(data, dict) else None


def _part_ok(root: Path, part: str, token: Any) -> bool:
    """Whether the part's file is still the one written with ``token``."""
    try:
        st = os.stat(_cache_dir(root) / f"{part}.marshal")
    except OSError:
        return False
    return isinstance(token, tuple) and (st.st_ino, st.st_size, st.st_mtime_ns) == token


def _written(root: Path) -> int:
    """When the head part was written (ns), 0 if never."""
    try:
        return os.stat(_cache_dir(root) / "head.marshal").st_mtime_ns
    except OSError:
        return 0


def _write_part(root: Path, part: str, entries: dict[str, Any]
                ) -> tuple[int, int, int] | None:
    """Write one part; its token (the file's inode, size and modification time, which no
    other write gives), or None if it could not be written. Rows come with their equal
    codes made one object already (by :func:`_parse_chunk`, or by marshal when decoded), so
    marshal writes each code once per chunk of files and refers to it after."""
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
        tmp.write_bytes(marshal.dumps(entries))
        os.replace(tmp, folder / f"{part}.marshal")
        st = os.stat(folder / f"{part}.marshal")
    except (OSError, ValueError):
        return None  # a cache that cannot be written is only slower next time
    return st.st_ino, st.st_size, st.st_mtime_ns


def read_memo(root: Path, name: str) -> Any:
    """A value another module keeps in the cache (see :func:`write_memo`), or None."""
    return _read_part(root, f"memo-{name}").get("value")


def write_memo(root: Path, name: str, value: Any) -> None:
    """Keep a value (of marshal's types) in the cache, with it thrown away when the cache
    is (another version of hs); a value that cannot be written is simply not kept. Key it
    on :attr:`LoadReport.generation` to know whether it still holds."""
    _write_part(root, f"memo-{name}", {"value": value})


def _new_token() -> str:
    return os.urandom(8).hex()


def _ignore_cache_dir(root: Path) -> None:
    ignore = root / CACHE_DIR / ".gitignore"
    if not ignore.exists():
        ignore.write_text("*\n")


# rel, cache value (None if the file failed), errors, warnings, blob ID
Parsed = tuple[str, Any, list[Problem], list[Problem], str | None, int | None]


def _parse_chunk(items: list[Entry]) -> list[Parsed]:
    """Worker: parse files, return (rel, cache value or None, errors, warnings, blob)."""
    from hs.store.yamlio import quiet_stderr

    out: list[Parsed] = []
    gc.freeze()
    try:  # no collection: the rows hold no cycles, and the collector cost a quarter
        with paused_gc(freeze=False), quiet_stderr():
            for kind, rid, path, rel in items:
                res = parse_file(RecordFile(kind, rid, path, rel))
                out.append((rel, _cache_value(res), res.problems,
                            res.warnings, res.blob, res.sig))
    finally:
        gc.unfreeze()
    return out


def _cache_value(res: FileResult) -> Any:
    if res.problems:
        return None
    if res.value is not None:
        return res.value
    return res.data


def _warning_tuples(problems: list[Problem]) -> tuple[tuple[int, int, str, str, str], ...]:
    from hs.base.i18n import language

    lang = language()
    return tuple((p.line, p.col, p.code, p.message, lang) for p in problems)


def _warnings_of(rel: str, entry: Any) -> list[Problem] | None:
    """Cached warnings as problems; None if they are in another language or look wrong
    (then the file is read again, and they are said in this one)."""
    from hs.base.i18n import language

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
    how many files were parsed. ``generation`` changes whenever what the cache holds
    changes (a whole-tree result computed from the same generation is still right)."""

    def __init__(self, index: Index, problems: list[Problem],
                 entries: list[Entry] | Callable[[], list[Entry]], parsed: int,
                 seconds: float, warnings: list[Problem] | None = None,
                 generation: str = "", count: int | None = None):
        self.index = index
        self._count = count
        self.problems = problems
        self._entries = entries
        self.parsed = parsed
        self.seconds = seconds
        self.warnings = warnings if warnings is not None else []
        self.generation = generation
        self.strays: list[str] | None = None  # stray files, when the read listed them
        self.history: list[Any] = []  # see changed_since
        self.rels_source: Callable[[], list[str]] | None = None

    def changed_since(self, generation: str) -> set[str] | None:
        """The record files (relative paths) whose rows changed, appeared or went since the
        cache held ``generation`` (valid files that became invalid, and back, included);
        None if the cache does not remember that far back."""
        if generation == self.generation:
            return set()
        out: set[str] = set()
        want = self.generation
        for old, new, rels in reversed(self.history):
            if new != want:
                return None
            out.update(rels)
            if old == generation:
                return out
            want = old
        return None

    @property
    def rels(self) -> list[str]:
        """Every record file of the tree (valid or not), relative to the root: from the
        listing if the read made one, else from what the cache holds."""
        if not callable(self._entries) or self.rels_source is None:
            return [e[3] for e in self.entries]
        return self.rels_source()

    @property
    def entries(self) -> list[Entry]:
        """Every file of the tree as (kind, id, path, rel); listed on demand when the
        read did not need to look at every file."""
        if callable(self._entries):
            self._entries = self._entries()
        return self._entries

    @property
    def count(self) -> int:
        """How many record files the tree has (valid or not), without listing them."""
        if self._count is not None and callable(self._entries):
            return self._count
        return len(self.entries)

    @property
    def files(self) -> list[RecordFile]:
        """Every file of the tree (made on demand: most queries never need them)."""
        return [RecordFile(*entry) for entry in self.entries]


def _entry(root: str, rel: str) -> Entry | None:
    """The entry of a path (relative to the root, forward slashes) if it is a record file
    by the rules of :func:`scan`, else None."""
    parts = rel.split("/")
    if len(parts) < 2 or parts[0] != RECORDS:
        return None
    name = parts[-1]
    if len(parts) == 2:
        kind = SPECIAL.get(name)
        return None if kind is None else (kind, kind, os.path.join(root, *parts), rel)
    kind = KIND_OF_FOLDER.get(parts[1])
    if kind is None or not name.endswith((".yaml", ".yml")) or any(
            p.startswith(".") for p in parts[2:]):
        return None
    return kind, name.rsplit(".", 1)[0], os.path.join(root, *parts), rel


@dataclass
class _Plan:
    """What a read must do: the files to parse (with their signatures) and the cached files
    that are gone; every other cached file is trusted as it is."""

    load_sigs: Callable[[], dict[str, int]]
    trusted_before: int
    todo: list[Entry] = field(default_factory=list)
    sigs: dict[str, int | None] = field(default_factory=dict)  # None: taken by the reader
    gone: set[str] = field(default_factory=set)
    missing: set[str] = field(default_factory=set)
    entries: list[Entry] | None = None  # every file, when the plan listed them all
    strays: list[str] | None = None  # the stray files, when the plan listed every folder
    dirs: dict[str, int] = field(default_factory=dict)
    git: dict[str, Any] | None = None  # what to remember of git for the next read
    index_blobs: dict[str, str] | None = None  # the index's blob IDs, when listed

    @property
    def old_sigs(self) -> dict[str, int]:
        return self.load_sigs()

    def check(self, entry: Entry, force: bool = False) -> None:
        """Parse the file unless its signature matches the cache's (and is not racy)."""
        rel = entry[3]
        try:
            st = None if _through_link(entry) else os.stat(entry[2])
        except OSError:
            st = None
        if st is None or not stat.S_ISREG(st.st_mode):  # gone (or no plain file)
            self.missing.add(rel)
            if rel in self.old_sigs:
                self.gone.add(rel)
            return
        sig = _signature(st)
        if not force and self.old_sigs.get(rel) == sig and st.st_mtime_ns < self.trusted_before:
            return
        self.parse(entry, sig)

    def parse(self, entry: Entry, sig: int) -> None:
        if entry[3] not in self.sigs:
            self.todo.append(entry)
        self.sigs[entry[3]] = sig


def _through_link(entry: Entry) -> bool:
    """Whether a file lies in a subfolder (below its kind's folder) that is a symbolic
    link: :func:`scan` does not follow those, so neither does any other way of reading."""
    rel = entry[3]
    parts = rel.split("/")
    if len(parts) <= 3:
        return False
    base = entry[2][:len(entry[2]) - len(rel)]
    return any(os.path.islink(base + os.sep.join(parts[:i])) for i in range(3, len(parts)))


def _plan_by_stat(root: Path, load_sigs: Callable[[], dict[str, int]],
                  trusted_before: int) -> _Plan:
    """Look at every file: its signature against the cached one. With nothing cached,
    every file is read, and its signature taken by the reader from the open file."""
    plan = _Plan(load_sigs, trusted_before)
    plan.strays = []
    plan.entries = scan(root, plan.dirs, plan.strays)
    old = plan.old_sigs
    if not old:
        plan.todo = list(plan.entries)
        plan.sigs = dict.fromkeys(e[3] for e in plan.entries)
        return plan
    _check_all(plan, plan.entries, old, trusted_before)
    plan.gone |= old.keys() - {e[3] for e in plan.entries}
    return plan


def _check_all(plan: _Plan, entries: list[Entry], old: dict[str, int],
               trusted_before: int) -> None:
    """:meth:`_Plan.check` for many listed files (plain files, as :func:`scan` lists
    them), written out: it is one stat() a file on a large tree."""
    stat_, get = os.stat, old.get
    for entry in entries:
        try:
            st = stat_(entry[2])
        except OSError:
            plan.missing.add(entry[3])
            if entry[3] in old:
                plan.gone.add(entry[3])
            continue
        sig = _signature(st)
        if get(entry[3]) != sig or st.st_mtime_ns >= trusted_before:
            plan.parse(entry, sig)


def _git_memo(listing: Any, index_sig: Any, changed: frozenset[str],
              entries: list[Entry]) -> dict[str, Any]:
    """What to remember of git after a read that listed every file."""
    other = set(listing.other)
    return {"index": index_sig, "digest": listing.digest, "changed": sorted(changed),
            "other": listing.other,
            "untracked": [e[3] for e in entries
                          if e[3] not in listing.blobs and e[3] not in other]}


def _plan_by_git(root: Path, head: dict[str, Any], changed: frozenset[str],
                 load_sigs: Callable[[], dict[str, int]], trusted_before: int,
                 load_blobs: Callable[[], dict[str, str]]) -> _Plan | None:
    """Ask git (see the comment above); None if git cannot tell."""
    root_s = str(root)
    last = head.get("git")
    dirs = head.get("dirs")
    if not isinstance(last, dict) or not last.get("digest") or not isinstance(dirs, dict) \
            or not dirs:
        return None
    index_sig = gitops.index_signature(root)
    listing = None
    if index_sig is None or last.get("index") != index_sig:
        listing = gitops.tracked(root, RECORDS)
        if listing is None:
            return None
        if listing.digest == last.get("digest"):
            listing = None  # the index was written again, with the same content
    # files git cannot vouch for: changed since the index, not tracked, failed last time,
    # or special (symbolic links, conflicts, flagged); and those found new in a folder
    untracked: set[str] = set(last.get("untracked", ()))
    other = list(listing.other) if listing is not None else list(last.get("other", ()))
    suspects: set[str] = set(changed) | untracked | set(last.get("changed", ())) | set(
        other) | set(head.get("failed", ()))
    plan = _Plan(load_sigs, trusted_before)
    for rel_dir, mtime in dirs.items():
        folder = os.path.join(root_s, *rel_dir.split("/"))
        try:
            if rel_dir.count("/") > 1 and os.path.islink(folder):
                continue  # now a link, which scan does not follow: as if gone
            st = os.stat(folder)
        except OSError:
            continue  # its files are gone: git names the tracked ones, the rest are suspects
        plan.dirs[rel_dir] = st.st_mtime_ns
        if st.st_mtime_ns == mtime and mtime < trusted_before:
            continue
        found: list[Entry] = []  # a file added, removed or renamed in this folder
        _scan_folder(root_s, rel_dir, found, plan.dirs, dirs)
        old_sigs = plan.old_sigs
        for entry in found:
            if entry[3] not in old_sigs and entry[3] not in suspects:
                suspects.add(entry[3])
                untracked.add(entry[3])
    if listing is not None:  # the index changed: compare every tracked file's blob
        vouched = plan.index_blobs = listing.blobs
        known = load_blobs()
        doubtful = changed | set(other) | set(head.get("failed", ()))
        # a clean tracked file holds its blob: the cache is right if it read that blob
        suspects -= {rel for rel in suspects if rel not in doubtful
                     and rel in vouched and vouched[rel] == known.get(rel)}
        for rel in [rel for rel, blob in vouched.items()
                    if blob != known.get(rel) and rel not in doubtful]:
            stale = _entry(root_s, rel)
            if stale is not None:
                plan.check(stale, force=True)  # clean, but not what the cache holds
        # cached files git no longer tracks (git rm --cached): look at them
        suspects |= plan.old_sigs.keys() - vouched.keys()
        tracked = vouched.keys() | set(other)
        untracked = {rel for rel in suspects | untracked if rel not in tracked}
    if len(suspects) > _MANY_SUSPECTS:  # most of the tree (say, never committed): list it
        plan.strays = []
        plan.entries = scan(root, plan.dirs, plan.strays)
        listed = {e[3] for e in plan.entries}
        _check_all(plan, [e for e in plan.entries if e[3] in suspects
                          and e[3] not in plan.sigs], plan.old_sigs, trusted_before)
        for rel in suspects - listed:
            plan.missing.add(rel)
            if rel in plan.old_sigs:
                plan.gone.add(rel)
        suspects = set()
    for rel in suspects:
        if rel in plan.sigs:
            continue
        suspect = _entry(root_s, rel)
        if suspect is None:
            plan.missing.add(rel)
            if rel in plan.old_sigs:
                plan.gone.add(rel)
            continue
        plan.check(suspect)
    plan.git = {"index": index_sig,
                "digest": listing.digest if listing is not None else last.get("digest"),
                "changed": sorted(changed), "other": other,
                "untracked": sorted(untracked - plan.missing)}
    return plan


def _overlay(base: dict[str, Any], changes: dict[str, Any] | None) -> dict[str, Any]:
    """``base`` with the changes of the journal applied (None: the entry is gone)."""
    for rel, value in (changes or {}).items():
        if value is None:
            base.pop(rel, None)
        else:
            base[rel] = value
    return base


def _part_loader(root: Path, part: str, token: str | None, changes: dict[str, Any] | None,
                 load_sigs: Callable[[], dict[str, int]], written: bool = True
                 ) -> Callable[[], dict[str, Any]]:
    """The rows of a part: the written part (if the cache was ``written`` before) with the
    journal's changes applied; if the part is not the one head names, its files read
    again (and the part written again)."""

    def load() -> dict[str, Any]:
        rows = _read_tokened(root, part, token) if written else {}
        if rows is None:
            root_s = str(root)
            entries = [e for rel in load_sigs() if _part_from_rel(rel) == part
                       and (e := _entry(root_s, rel)) is not None]
            rows = {rel: value for rel, value, *_ in _parse_many(
                entries, len(entries) >= PARALLEL_THRESHOLD) if value is not None}
        rows = _overlay(rows, changes)
        return rows if part == "special" else _in_scan_order(rows)

    return load


def _set_special(index: Index, rows: dict[str, Any]) -> None:
    for rel, value in rows.items():
        if rel.endswith("/" + CONFIG_FILE):
            index.config = value
        else:
            index.vocabularies = value


def _scan_key(rel: str) -> list[tuple[int, str]]:
    """Sorts paths in the order :func:`scan` finds them (in each folder its files by name,
    then its subfolders by name)."""
    parts = rel.split("/")
    return [(1, p) for p in parts[:-1]] + [(0, parts[-1])]


def _paths_of(sigs: dict[str, int]) -> dict[str, str]:
    """Record ID -> file, for the cached files of the record folders. Of two files with
    the same ID (an error ``hs validate`` reports) the one :func:`scan` finds last wins, as
    in a read without the cache."""
    rels = [rel for rel in sigs if rel.count("/") > 1]
    out = {id_of_path(rel): rel for rel in rels}
    if len(out) == len(rels):
        return out  # no ID twice (the usual case): no order to settle
    out = {}
    for rel in rels:
        rid = id_of_path(rel)
        seen = out.get(rid)
        if seen is None or _scan_key(rel) > _scan_key(seen):
            out[rid] = rel
    return out


def _in_scan_order(rows: dict[str, Any]) -> dict[str, Any]:
    """A part's rows, sorted as :func:`scan` finds their files when two share an ID (then
    the last one wins, as in a read without the cache); else as they are."""
    if len({value[0] for value in rows.values()}) == len(rows):
        return rows
    return dict(sorted(rows.items(), key=lambda item: _scan_key(item[0])))


_prefetched: tuple[Path, Any] | None = None


def prefetch(repo: str | None) -> None:
    """Start asking git what changed in the tree a command is about to read (``--repo``,
    else as :func:`find_root` finds it), so that git works while Python imports the
    command line; :func:`load_tree` picks the answer up. Does nothing where there is no
    tree or no git."""
    global _prefetched
    try:
        root = find_root(repo)
    except Exception:  # no tree here: the command will say so
        return
    pending = gitops.start_changes(root, RECORDS)
    if pending is not None:
        _prefetched = (root, pending)


def _pending_changes(root: Path) -> Any:
    """The git question prefetched for this tree, else asked now."""
    global _prefetched
    if _prefetched is not None:
        early, pending = _prefetched
        _prefetched = None
        if early == root:
            return pending
        pending.cancel()
    return gitops.start_changes(root, RECORDS)


def load_tree(root: Path, *, use_cache: bool = True, parallel: bool | None = None,
              keep_problems: bool = True) -> LoadReport:
    """Read the whole records tree into an :class:`Index`, using and refreshing the cache.

    Only the files that changed since the cache was written are parsed (see the comment
    above on how they are found), in several processes when there are many. A kind's rows
    are only decoded when a query first asks for that kind. Files that failed are read
    again each time, so their problems are reported again. A corrupt or foreign cache is
    ignored and rewritten.

    The garbage collector is paused throughout: what a read makes holds no cycles, and
    with a large tree's rows in memory every collection walks all of them (it added a
    tenth to a cold read of 50,000 files)."""
    with paused_gc():
        return _load_tree(root, use_cache, parallel, keep_problems)


def _load_tree(root: Path, use_cache: bool, parallel: bool | None, keep_problems: bool
               ) -> LoadReport:
    started = time.perf_counter()
    pending = _pending_changes(root) if use_cache else None
    head = _read_part(root, "head") if use_cache else {}
    tokens: dict[str, Any] = head["tokens"] if isinstance(head.get("tokens"), dict) else {}
    checked_ns = time.time_ns()  # before any file is looked at
    looked = head.get("checked") if isinstance(head.get("checked"), int) else 0
    trusted_before = min(_written(root), looked or _written(root)) - _RACY_NS if tokens else 0
    old_journal: dict[str, dict[str, Any]] = {}
    if tokens:
        found = _read_tokened(root, "journal", head.get("journal"))
        if found is None or not _part_ok(root, "sigs", tokens.get("sigs")):
            tokens = {}  # the journal or the list of files is lost: start afresh
        else:
            old_journal = found
    loaded: dict[str, Any] = {}

    def load_sigs() -> dict[str, int]:
        """Every valid file's signature, as the cache (parts and journal) holds it."""
        if "sigs" not in loaded:
            found = _read_tokened(root, "sigs", tokens.get("sigs")) if tokens else None
            loaded["sigs"] = _overlay(found or {}, old_journal.get("sigs"))
        return loaded["sigs"]  # type: ignore[no-any-return]

    def load_blobs() -> dict[str, str]:
        if "blobs" not in loaded:
            found = _read_tokened(root, "blobs", tokens.get("blobs")) if tokens else None
            loaded["blobs"] = _overlay(found or {}, old_journal.get("blobs"))
        return loaded["blobs"]  # type: ignore[no-any-return]

    plan: _Plan | None = None
    changed: frozenset[str] | None = None
    if pending is not None:
        changed = pending.wait()
        if changed is not None and tokens and "sigs" in tokens:
            plan = _plan_by_git(root, head, changed, load_sigs, trusted_before, load_blobs)
    listing: gitops.PendingListing | None = None
    index_sig: Any = None
    if plan is None:
        if changed is not None:  # remember git's view, for a cheap read next time; git
            index_sig = gitops.index_signature(root)  # lists while the files are read
            listing = gitops.start_tracked(root, RECORDS)
        plan = _plan_by_stat(root, load_sigs, trusted_before)
    root_s = str(root)

    # warnings of trusted files: said again from the cache, or read again in this language
    old_warned: dict[str, Any] = (head["warnings"] if tokens
                                  and isinstance(head.get("warnings"), dict) else {})
    new_warned: dict[str, Any] = {}
    warned: list[Problem] = []
    for rel, said in old_warned.items():
        if rel in plan.gone or rel in plan.sigs:
            continue
        these = _warnings_of(rel, said)
        if these is None:
            entry = _entry(root_s, rel)
            if entry is not None and rel in plan.old_sigs:
                plan.parse(entry, plan.old_sigs[rel])
                continue
        new_warned[rel] = said
        if keep_problems and these:
            warned.extend(these)

    index = Index()
    problems: list[Problem] = []
    invalid: list[str] = []
    fresh: dict[str, dict[str, Any]] = {part: {} for part in _CACHE_PARTS}
    new_blobs: dict[str, str] = {}
    kinds = {e[3]: e[0] for e in plan.todo}
    if plan.todo:
        use_pool = parallel if parallel is not None else len(plan.todo) >= PARALLEL_THRESHOLD
        for rel, value, errors, warnings, blob, sig in _parse_many(plan.todo, use_pool):
            if keep_problems:
                warned.extend(warnings)
            if value is None:
                invalid.append(rel)
                if keep_problems:
                    problems.extend(errors)
                continue
            if warnings:
                new_warned[rel] = _warning_tuples(warnings)
            fresh[_part_of(kinds[rel])][rel] = value
            if blob is not None:
                new_blobs[rel] = blob
            if plan.sigs.get(rel) is None:  # not looked at before: as the reader saw it
                plan.sigs[rel] = sig if sig is not None else 0
    if listing is not None and changed is not None:
        tracked = listing.wait()
        if tracked is not None:
            plan.index_blobs = tracked.blobs
            plan.git = _git_memo(tracked, index_sig, changed, plan.entries or [])
    index.invalid = invalid
    if not use_cache:
        for part, rows in fresh.items():
            _add_rows(index, part, _in_scan_order(rows) if part != "special" else rows)
        valid = {rel: 0 for rows in fresh.values() for rel in rows}
        index.set_paths_source(lambda: _paths_of(valid))
        report = LoadReport(index, problems, plan.entries or [], len(plan.todo),
                            time.perf_counter() - started, warned)
        report.strays = plan.strays
        return report

    # what changed, as a journal of changes to the written parts (None: gone); the parts
    # themselves are written again only when the journal grows long
    dropped = set(plan.gone)
    same: dict[str, int | None] = {}  # read again, byte for byte what the cache holds
    if plan.todo:
        dropped |= plan.sigs.keys() & plan.old_sigs.keys()
        known = load_blobs()
        for rows in fresh.values():
            for rel in [rel for rel in rows if rel in dropped
                        and new_blobs.get(rel, "") == known.get(rel)]:
                del rows[rel]
                dropped.discard(rel)
                same[rel] = plan.sigs[rel]
    changes: dict[str, dict[str, Any]] = {}
    if dropped or any(fresh.values()):
        changes = {name: dict.fromkeys(dropped & plan.old_sigs.keys(), None)
                   for name in ("sigs", "blobs")}
        for rel in dropped:
            changes.setdefault(_part_from_rel(rel), {})[rel] = None
        for part, rows in fresh.items():
            if rows:
                changes.setdefault(part, {}).update(rows)
                changes["sigs"].update((rel, plan.sigs[rel]) for rel in rows)
                changes["blobs"].update((rel, new_blobs.get(rel)) for rel in rows)
    if same:  # the same bytes: only the signature is new
        changes.setdefault("sigs", {}).update(same)
    journal = dict(old_journal)
    for name, changed_entries in changes.items():
        journal[name] = {**journal.get(name, {}), **changed_entries}
    content_changed = bool(dropped) or any(fresh.values())
    sigs_now: dict[str, int] | None = None  # the final signatures, made when needed

    def final_sigs() -> dict[str, int]:
        nonlocal sigs_now
        if sigs_now is None:
            sigs_now = (_overlay(dict(plan.old_sigs), changes.get("sigs")) if changes
                        else plan.old_sigs)
        return sigs_now

    new_tokens = dict(tokens)
    parts_ok = bool(tokens) and all(
        _part_ok(root, name, tokens.get(name)) for name in (*_CACHE_PARTS, "blobs"))
    compact = not parts_ok or sum(len(v) for v in journal.values()) > _JOURNAL_LIMIT
    if compact:  # write every part whole, with the journal in it, and start a new journal
        for part in _CACHE_PARTS:
            rows = _part_loader(root, part, tokens.get(part), journal.get(part),
                                final_sigs, bool(tokens))()
            new_tokens[part] = _write_part(root, part, rows)
            _add_rows(index, part, rows)
        for name, loader in (("sigs", final_sigs), ("blobs", load_blobs)):
            whole = loader() if name == "sigs" else _overlay(dict(loader()),
                                                              journal.get("blobs"))
            new_tokens[name] = _write_part(root, name, whole)
        journal = {}
        content_changed = True
    else:
        for part in _CACHE_PARTS:
            loader = _part_loader(root, part, tokens.get(part), journal.get(part),
                                  final_sigs)
            if part == "special":
                _set_special(index, loader())
            else:
                index.set_source(part, _values_of(loader))
    index.set_paths_source(lambda: _paths_of(final_sigs()))

    generation: str = head["generation"] if isinstance(head.get("generation"), str) else ""
    count = head.get("count") if isinstance(head.get("count"), int) else None
    if content_changed or count is None:
        count = len(final_sigs())
    journal_token = head.get("journal")
    if changes or compact:
        journal_token = _write_part(root, "journal", journal)
        if journal_token is None:
            new_tokens = {}  # no journal: nothing written can be trusted
    # the generation changes when what the cache holds changes: a file read again (even
    # to the same row: its positions may have moved), a file gone or broken
    if plan.git is not None and plan.sigs:
        # a file read now whose bytes are not the index's (saved while git was asked, or
        # not committed) is not vouched for by git next time, whatever diff-files says then
        read = [rel for rel in plan.sigs if rel in new_blobs or rel in invalid]
        vouched = plan.index_blobs
        plan.git["changed"] = sorted(set(plan.git["changed"]) | {
            rel for rel in read if vouched is None or new_blobs.get(rel) != vouched.get(rel)})
    kept = head.get("history")
    history: list[Any] = kept if parts_ok and isinstance(kept, list) else []
    new_generation = generation
    if content_changed:
        new_generation = _new_token()
        changed_rels = dropped | {rel for rows in fresh.values() for rel in rows}
        history = _next_history(history, generation, new_generation, changed_rels) \
            if parts_ok and generation else []
    new_head = {"tokens": new_tokens, "journal": journal_token, "warnings": new_warned,
                "failed": sorted(invalid), "dirs": plan.dirs or head.get("dirs") or {},
                "git": plan.git, "count": count, "generation": new_generation,
                "history": history, "checked": checked_ns}
    if any(new_head[k] != head.get(k) for k in new_head if k != "checked"):
        _write_part(root, "head", new_head)  # last: its time says what to trust
        generation = str(new_head["generation"])
    entries: list[Entry] | Callable[[], list[Entry]] = (
        plan.entries if plan.entries is not None else (lambda: scan(root)))
    report = LoadReport(index, problems, entries, len(plan.todo),
                        time.perf_counter() - started, warned, generation, count + len(invalid))
    report.strays = plan.strays
    report.history = history
    report.rels_source = lambda: [*final_sigs(), *invalid]
    return report


_HISTORY_STEPS = 32  # generations whose changed files head remembers
_HISTORY_FILES = 5000  # and at most this many files in all


def _next_history(history: list[Any], old: str, new: str, changed: set[str]) -> list[Any]:
    """The generations head remembers, with what changed between each and the next (see
    :meth:`LoadReport.changed_since`), one step longer: ``old`` became ``new``."""
    out = [step for step in history if isinstance(step, list) and len(step) == 3]
    out.append([old, new, sorted(changed)])
    while out and (len(out) > _HISTORY_STEPS or sum(len(s[2]) for s in out) > _HISTORY_FILES):
        out.pop(0)
    return out


def _values_of(loader: Callable[[], dict[str, Any]]) -> Callable[[], list[Any]]:
    return lambda: list(loader().values())


def _add_rows(index: Index, part: str, rows: dict[str, Any]) -> None:
    if part == "special":
        _set_special(index, rows)
    else:
        for value in rows.values():
            index.add_cached(part, value)


def _signature(st: os.stat_result) -> int:
    """One number for what a file's stat says of its content: size, modification and
    change times, inode and mode. The change time cannot be set by hand, so a file
    replaced by another of the same size and modification time (cp -p, rsync -t, two
    saves in one clock tick) or made unreadable is read again."""
    return hash((st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_mode))


def _part_of(kind: str) -> str:
    return "special" if kind in SPECIAL_KINDS else kind


def _part_from_rel(rel: str) -> str:
    parts = rel.split("/")
    if len(parts) == 2:
        return "special"
    return KIND_OF_FOLDER.get(parts[1], "special")


def _parse_many(todo: list[Entry], use_pool: bool) -> list[Parsed]:
    """Parse files, in :data:`PARSE_PROCESSES` worker processes if ``use_pool`` (forked, so
    they start with everything imported; rapidyaml's messages on stderr are silenced in
    each)."""
    items = list(todo)
    workers = min(os.cpu_count() or 1, PARSE_PROCESSES)
    if not use_pool or workers < 2 or not hasattr(os, "fork"):
        return _parse_chunk(items)
    import concurrent.futures as cf
    import multiprocessing as mp

    size = max(50, len(items) // (workers * 16))  # kinds differ in cost: many small chunks
    chunks = [items[i:i + size] for i in range(0, len(items), size)]
    out: list[Parsed] = []
    try:  # (load_tree, the caller, pauses the collector while the results come in)
        with cf.ProcessPoolExecutor(workers, mp_context=mp.get_context("fork")) as pool:
            for part in pool.map(_parse_packed, chunks):
                out.extend(_unpacked(part))
    except (OSError, cf.process.BrokenProcessPool):
        return _parse_chunk(items)  # no processes to be had: do it here
    return out


def _parse_packed(items: list[Entry]) -> bytes | list[Parsed]:
    """Worker: :func:`_parse_chunk`, its results sent as one marshal text of columns
    (half the cost of pickling the rows a file at a time, on both sides); as they are if
    marshal cannot take them."""
    out = _parse_chunk(items)
    try:
        return marshal.dumps((
            [r[0] for r in out], [r[1] for r in out],
            [[p.as_tuple() for p in r[2]] for r in out],
            [[p.as_tuple() for p in r[3]] for r in out],
            [r[4] for r in out], [r[5] for r in out]))
    except ValueError:
        return out


def _unpacked(part: bytes | list[Parsed]) -> list[Parsed]:
    if not isinstance(part, bytes):
        return part
    rels, values, errors, warnings, blobs, sigs = marshal.loads(part)
    return [(rel, value, [Problem(*p) for p in errs], [Problem(*p) for p in warns], blob, sig)
            for rel, value, errs, warns, blob, sig in zip(rels, values, errors, warnings,
                                                           blobs, sigs, strict=True)]


def stray_files(root: Path, dirs: dict[str, tuple[int, int]] | None = None) -> list[str]:
    """YAML files under ``records/`` that no command reads: outside the record folders
    (say ``records/famlies/x.yaml``) or with an extension in capitals (``X.YAML``). With
    ``dirs``, note there the signature of every folder looked into (:func:`_folder_sig`,
    taken before it is listed; (-1, -1) for one that could not be listed)."""
    return _strays_below(str(root / RECORDS), RECORDS, False, dirs)


def known_strays(root: Path) -> list[str]:
    """:func:`stray_files`, as the cache remembers them while no folder under
    ``records/`` changed (a file added, removed or renamed changes its folder's time; a
    file edited in place cannot become stray or stop being one). A folder changed within
    two seconds before the last walk is walked again (a coarse clock could hide a second
    change), as for the record files."""
    kept = read_memo(root, "strays")
    if isinstance(kept, dict):
        try:  # a folder changed just before the last walk might change again unseen
            trusted = int(kept["walked"]) - _RACY_NS
            if all(_folder_sig(os.path.join(root, rel)) == sig and sig[0] < trusted
                   for rel, sig in kept["dirs"].items()):
                return [str(rel) for rel in kept["found"]]
        except (OSError, TypeError, KeyError, AttributeError, ValueError):
            pass
    dirs: dict[str, tuple[int, int]] = {}
    walked = time.time_ns()
    found = stray_files(root, dirs)
    write_memo(root, "strays", {"found": found, "dirs": dirs, "walked": walked})
    return found


def _folder_sig(path: str) -> tuple[int, int]:
    """A folder's modification time and inode: a folder put back with its old time
    (``cp -a``, ``rsync -t``, a link to a copy) is another inode."""
    st = os.stat(path)
    return st.st_mtime_ns, st.st_ino


def _top_strays(rel: str, entries: dict[str, os.DirEntry[str]]) -> list[str]:
    """The stray files in ``records/`` itself and in its folders that are not record
    folders (see :func:`stray_files`), from the listing of ``records/``."""
    out: list[str] = []
    for name in sorted(entries):
        e = entries[name]
        if name.startswith("."):
            continue
        if e.is_dir(follow_symlinks=False):
            if name not in KIND_OF_FOLDER:
                out.extend(_strays_below(e.path, f"{rel}/{name}", False))
        elif name.lower().endswith((".yaml", ".yml")) and name not in SPECIAL:
            out.append(f"{rel}/{name}")
    return out


def _strays_below(folder_path: str, folder_rel: str, known_folder: bool,
                  dirs: dict[str, tuple[int, int]] | None = None) -> list[str]:
    out: list[str] = []
    stack: list[tuple[str, str, bool]] = [(folder_path, folder_rel, known_folder)]
    while stack:
        folder, rel, known = stack.pop()
        try:
            if dirs is not None:  # before the listing: a file added meanwhile changes it
                dirs[rel] = (-1, -1)
                dirs[rel] = _folder_sig(folder)
            with os.scandir(folder) as it:
                entries = list(it)
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
        from hs.records.models import MODELS

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
            from hs.records.problems import sort_key

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
    from hs.base.i18n import Catalog

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
