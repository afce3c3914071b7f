"""The cache of a records tree in ``.hs/cache`` (ignored by git): its parts, their tokens,
the journal, head and the memos other modules keep there.

.hs/cache/<format>/ holds, each part a marshal file written atomically:

  head     what the next run needs to find the changed files cheaply: the token of every
           other part (below), the warnings of the files that have any, the files that
           failed, the folders' modification times, and what git said last time (the
           index file's signature, a digest of the tracked files' listing, the files git
           could not vouch for); written last, so its modification time tells which files
           are old enough to be trusted by their signature;
  sigs     a signature (size, times, inode and mode: see hs.store.read.signature) per valid
           file;
  blobs    git's blob ID of each valid file as it was read;
  special, location, family, volunteer, trajectory: the rows of each kind (config and
           vocabularies for "special"), decoded only when a query first asks for that kind;
  journal  the changes since those parts were written (rows, signatures and blob IDs of
           files read again; None for a file gone). A few edited files only rewrite the
           journal; once it holds more than a limit of changes, every part is written
           whole and the journal starts empty (:mod:`hs.store.load`).

The parts of the kinds' rows are written in chunks (:func:`chunked`): a head of every
row's file, ID and (for trajectories) links, then the rows in chunks of
:data:`CHUNK_ROWS`, each decoded on its own. A whole read decodes every chunk; a change to
a few records decodes only the chunks of the rows it reads (:class:`PartLookup`).

A part's token is its file's inode, size and modification time just after it was
written; head records them. Every part begins with a CRC-32 of its bytes (:func:`sealed`),
checked when it is loaded: a part whose bytes changed under the same token is not
trusted either, and removed (so that the next read writes it again). A part that is not
the file head names (lost, corrupt, or left by a run that died before it wrote head) is
not trusted: a lost journal or list of signatures means starting afresh, a lost part of
rows means reading those files again.
The folder name holds the schema version and a fingerprint of the code that makes the
entries (:func:`cache_format`), so that another version of hs never reads a cache it did
not write. A file that failed is not cached, so it is read (and its problems reported)
again every time. Which files changed since the cache was written is
:mod:`hs.store.plan`.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import marshal
import os
import shutil
import time
import zlib
from pathlib import Path
from typing import Any

from hs import SCHEMA_VERSION, __version__
from hs.base.errors import HsError
from hs.base.i18n import language
from hs.records.ids import KINDS
from hs.records.index import Lookup, LookupFailed, paused_gc, tuple_link
from hs.records.problems import Problem
from hs.store.atomic import write_atomic

CACHE_DIR = ".hs"
KIND_PARTS: tuple[str, ...] = tuple(KINDS)  # one part per record kind of the spec
ROW_PARTS = ("special", *KIND_PARTS)
RACY_NS = 2_000_000_000  # a file changed this close to the cache write is read again
_CACHE_LAYOUT = 10  # 9: a checksum in front of every part; 10: the kinds' parts chunked
_fingerprint: str | None = None
# The packages whose code makes what the cache holds (see cache_format).
CACHE_SOURCES = ("base", "records", "store", "rules")
HISTORY_STEPS = 32  # generations whose changed files head remembers
HISTORY_FILES = 5000  # and at most this many files in all

Token = tuple[int, int, int]
CHUNKED_PARTS = frozenset(KIND_PARTS)  # parts written in chunks (:func:`chunked`)
CHUNK_ROWS = 256  # rows a chunk: a few kB to decode for one row


def cache_format() -> str:
    """The name of the cache's folder: the schema version, hs's version and a fingerprint
    of every source file of the packages that make what the cache holds (rows, readers,
    the problems of records): a change anywhere in them makes a new cache."""
    global _fingerprint
    if _fingerprint is None:
        h = hashlib.blake2b(digest_size=6)
        h.update(f"{SCHEMA_VERSION}-{__version__}-{_CACHE_LAYOUT}".encode())
        package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        for rel in _sources(package):
            try:
                with open(os.path.join(package, rel), "rb") as fh:
                    h.update(rel.encode() + fh.read())
            except OSError:
                h.update(rel.encode())
        _fingerprint = h.hexdigest()
    return f"index-{SCHEMA_VERSION}-{__version__}-{_fingerprint}"


def _sources(package: str) -> list[str]:
    """The source files of :data:`CACHE_SOURCES`, subpackages included, relative to the
    package's folder, in a fixed order (os.walk: pathlib's rglob took 6 ms)."""
    out: list[str] = []
    for folder in CACHE_SOURCES:
        for top, dirs, files in os.walk(os.path.join(package, folder)):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            rel = os.path.relpath(top, package).replace(os.sep, "/")
            out.extend(f"{rel}/{name}" for name in sorted(files) if name.endswith(".py"))
    return out


def cache_dir(root: Path) -> Path:
    """The folder of this version's cache of the tree at ``root``."""
    return root / CACHE_DIR / "cache" / cache_format()


def part_file(root: Path, part: str) -> Path:
    """The file of one part of the cache (a memo's part is ``memo-<name>``)."""
    return cache_dir(root) / f"{part}.marshal"


def read_part(root: Path, part: str) -> dict[str, Any]:
    """One part of the cache, or {} if it is missing or corrupt (its checksum says so)."""
    try:
        with open(part_file(root, part), "rb") as fh:
            data = _decoded(fh, part)
    except Exception:  # missing, unreadable or corrupt: start afresh (and write it again)
        return {}
    return data if isinstance(data, dict) else {}


def read_tokened(root: Path, part: str, token: Any) -> dict[str, Any] | None:
    """A part if it is the file written with ``token`` (what :func:`write_part` gave),
    else None."""
    if not isinstance(token, tuple):
        return None
    try:
        with open(part_file(root, part), "rb") as fh:
            st = os.fstat(fh.fileno())
            if (st.st_ino, st.st_size, st.st_mtime_ns) != token:
                return None
            data = _decoded(fh, part)
    except _Corrupt:  # the file head names, but its bytes changed since: not trusted,
        _discard(root, part)  # and gone, so that the next read writes it again
        return None
    except Exception:  # missing, unreadable or corrupt
        return None
    return data if isinstance(data, dict) else None


def intact(part: str, data: bytes) -> bool:
    """Whether the bytes of a part's file match their checksums (each chunk's too)."""
    try:
        _decoded(io.BytesIO(data), part)
    except Exception:  # corrupt (or not a part at all)
        return False
    return True


class _Corrupt(Exception):
    """A part's bytes do not match their checksum."""


def _decoded(fh: Any, part: str) -> Any:
    """The content of a part's open file (a chunked part's chunks decoded and joined);
    raises :class:`_Corrupt` if a checksum does not match."""
    if part in CHUNKED_PARTS:
        head, _ = _chunked_head(fh)
        return _whole(head, fh.read())
    raw = unsealed(fh.read())
    if raw is None:
        raise _Corrupt
    with paused_gc():
        return marshal.loads(raw)


def part_ok(root: Path, part: str, token: Any) -> bool:
    """Whether the part's file is still the one written with ``token``."""
    try:
        st = os.stat(part_file(root, part))
    except OSError:
        return False
    return isinstance(token, tuple) and (st.st_ino, st.st_size, st.st_mtime_ns) == token


def written(root: Path) -> int:
    """When the head part was written (ns), 0 if never."""
    try:
        return os.stat(part_file(root, "head")).st_mtime_ns
    except OSError:
        return 0


def write_part(root: Path, part: str, entries: dict[str, Any]) -> Token | None:
    """Write one part; its token (the file's inode, size and modification time, which no
    other write gives), or None if it could not be written. Rows come with their equal
    codes made one object already (by the reader, or by marshal when decoded), so
    marshal writes each code once per chunk of files and refers to it after."""
    folder = cache_dir(root)
    try:
        if not folder.is_dir():
            _make_cache_dir(root, folder)
        target = part_file(root, part)
        write_atomic(target, chunked(part, entries) if part in CHUNKED_PARTS
                     else sealed(marshal.dumps(entries)))
        st = os.stat(target)
    except (OSError, ValueError, HsError):
        return None  # a cache that cannot be written is only slower next time
    return st.st_ino, st.st_size, st.st_mtime_ns


# --- the kinds' parts in chunks ---------------------------------------------------------
# A write reads a few rows of a kind (a visit: its trajectory, the family, the volunteers
# and their trajectories); decoding the families' and volunteers' parts whole for them
# took 0.06 s at 50,000 records, and the trajectories' links 0.04 s more.


def chunked(part: str, entries: dict[str, Any]) -> bytes:
    """A kind's part as written: a head (its CRC-32 and length in front) with the files
    (in the part's order), the rows' IDs, for trajectories each one's links
    (:func:`hs.records.index.tuple_link`), and where each chunk of :data:`CHUNK_ROWS` rows
    lies after it, with its CRC-32; then the chunks, each a marshal text of its own. The
    head alone is read for a few rows, and only their chunks after it."""
    values = list(entries.values())
    chunks = [marshal.dumps(values[i:i + CHUNK_ROWS])
              for i in range(0, len(values), CHUNK_ROWS)]
    spans: list[tuple[int, int, int]] = []
    at = 0
    for chunk in chunks:
        spans.append((at, len(chunk), zlib.crc32(chunk)))
        at += len(chunk)
    head: dict[str, Any] = {"rels": tuple(entries), "ids": tuple([v[0] for v in values]),
                            "rows": CHUNK_ROWS, "spans": tuple(spans)}
    if part == "trajectory":
        head["links"] = tuple([tuple_link(v) for v in values])
    raw = marshal.dumps(head)
    size = len(raw).to_bytes(_SEAL_BYTES, "little")
    return (zlib.crc32(raw, zlib.crc32(size)).to_bytes(_SEAL_BYTES, "little") + size + raw
            + b"".join(chunks))


def _chunked_head(fh: Any) -> tuple[dict[str, Any], int]:
    """The head of a chunked part's open file, and where its chunks begin."""
    front = fh.read(2 * _SEAL_BYTES)
    if len(front) != 2 * _SEAL_BYTES:
        raise _Corrupt
    size = int.from_bytes(front[_SEAL_BYTES:], "little")
    raw = fh.read(size)
    if len(raw) != size or zlib.crc32(raw, zlib.crc32(front[_SEAL_BYTES:])) != \
            int.from_bytes(front[:_SEAL_BYTES], "little"):
        raise _Corrupt
    with paused_gc():
        head = marshal.loads(raw)
    if not isinstance(head, dict) or len(head.get("rels", ())) != len(head.get("ids", ())):
        raise _Corrupt
    return head, 2 * _SEAL_BYTES + size


def _chunk(data: bytes | memoryview, span: tuple[int, int, int]) -> list[Any]:
    at, size, crc = span
    piece = data[at:at + size]
    if len(piece) != size or zlib.crc32(piece) != crc:
        raise _Corrupt
    with paused_gc():
        rows: list[Any] = marshal.loads(piece)
    return rows


def _whole(head: dict[str, Any], rest: bytes) -> dict[str, Any]:
    """A chunked part as a dict of file -> row: every chunk checked and decoded."""
    values: list[Any] = []
    data = memoryview(rest)
    for span in head["spans"]:
        values.extend(_chunk(data, span))
    rels = head["rels"]
    if len(values) != len(rels):
        raise _Corrupt
    return dict(zip(rels, values, strict=True))


class PartLookup(Lookup):
    """The rows of a chunked part, with the journal's changes over them, by ID: a row's
    chunk is read and decoded when it is first asked for (from the file the head was read
    from: another file, or a chunk whose checksum fails, raises :class:`LookupFailed`).
    Made only when every ID is once in the part as the journal leaves it
    (:func:`read_lookup`), so that no order of files has to settle which of two rows
    counts."""

    def __init__(self, head: dict[str, Any], changes: dict[str, Any] | None,
                 path: Path, token: Token, base: int):
        self._head, self._path, self._token, self._base = head, path, token, base
        self._rows: int = head["rows"]
        ids: tuple[str, ...] = head["ids"]
        n = len(ids)
        self._pos: dict[str, int] = dict(zip(ids, range(n), strict=True))
        self._extra: dict[str, Any] = {}  # ID -> row from the journal
        self._gone: set[str] = set()
        self._chunks: dict[int, list[Any]] = {}
        self.unique = len(self._pos) == n
        if not changes or not self.unique:
            return
        at = dict(zip(head["rels"], range(n), strict=True))
        added = n
        for rel, value in changes.items():
            i = at.get(rel)
            if i is not None:  # a file of the part changed (or gone)
                if value is None:
                    self._gone.add(ids[i])
                    del self._pos[ids[i]]
                elif value[0] != ids[i]:
                    self.unique = False  # an ID changed in its file: the whole part
                    return
                else:
                    self._extra[ids[i]] = value
            elif value is not None:  # a new file: after the part's rows
                if value[0] in self._pos:
                    self.unique = False
                    return
                self._extra[value[0]] = value
                self._pos[value[0]] = added
                added += 1

    def get(self, rid: str) -> Any:
        """The row (a tuple) of ``rid``, None if the part has none."""
        row = self._extra.get(rid)
        if row is not None:
            return row
        i = self._pos.get(rid)
        if i is None:
            return None
        k, at = divmod(i, self._rows)
        chunk = self._chunks.get(k)
        if chunk is None:
            chunk = self._chunks[k] = self._read_chunk(k)
        return chunk[at]

    def _read_chunk(self, k: int) -> list[Any]:
        at, size, crc = self._head["spans"][k]
        try:
            with open(self._path, "rb") as fh:
                st = os.fstat(fh.fileno())
                if (st.st_ino, st.st_size, st.st_mtime_ns) != self._token:
                    raise LookupFailed(self._path.name)
                fh.seek(self._base + at)
                return _chunk(fh.read(size), (0, size, crc))
        except (OSError, ValueError, EOFError, TypeError, _Corrupt):
            raise LookupFailed(self._path.name) from None

    def place(self, rid: str) -> int | None:
        """Where the row of ``rid`` stands in the part's table (None: not there)."""
        return self._pos.get(rid)

    def links(self) -> dict[str, tuple[str, tuple[str, ...]]] | None:
        """Each trajectory's family and volunteers (a trajectories' part only)."""
        links = self._head.get("links")
        if links is None:
            return None
        out = dict(zip(self._head["ids"], links, strict=True))
        for rid in self._gone:
            del out[rid]
        for rid, row in self._extra.items():
            out[rid] = tuple_link(row)
        return out


def read_lookup(root: Path, part: str, token: Any,
                changes: dict[str, Any] | None) -> PartLookup | None:
    """A part's :class:`PartLookup` if it is the chunked file written with ``token`` (its
    head read, none of its chunks) and every ID is in it once (with the journal's
    ``changes`` over it), else None (then the part is read whole)."""
    if part not in CHUNKED_PARTS or not isinstance(token, tuple):
        return None
    path = part_file(root, part)
    try:
        with open(path, "rb") as fh:
            st = os.fstat(fh.fileno())
            if (st.st_ino, st.st_size, st.st_mtime_ns) != token:
                return None
            head, base = _chunked_head(fh)
        lookup = PartLookup(head, changes, path, token, base)
    except Exception:  # missing, unreadable or corrupt: read whole (and so again)
        return None
    return lookup if lookup.unique else None


# --- the checksum of a part ---------------------------------------------------------------
# A part's token (inode, size, modification time) says it is the file head names, not that
# its bytes are still those written: bits flipped in place with the time put back changed
# a KPI count. So each part carries a CRC-32 of its bytes in front, checked when it is
# loaded (12 ms for the 22 MB of every part of a 50,000-file tree).

_SEAL_BYTES = 4


def sealed(raw: bytes) -> bytes:
    """A part's bytes as written: their CRC-32 (4 bytes, little-endian), then the bytes."""
    return zlib.crc32(raw).to_bytes(_SEAL_BYTES, "little") + raw


def unsealed(data: bytes) -> memoryview | None:
    """The bytes of a part as written by :func:`sealed` (no copy), or None if they do not
    match their checksum (corrupt, truncated, tampered with, or of another format)."""
    if len(data) < _SEAL_BYTES:
        return None
    raw = memoryview(data)[_SEAL_BYTES:]
    if zlib.crc32(raw) != int.from_bytes(data[:_SEAL_BYTES], "little"):
        return None
    return raw


def _discard(root: Path, part: str) -> None:
    """Remove a part found corrupt: head no longer matches it, so the next read rebuilds
    it (every part written whole)."""
    with contextlib.suppress(OSError):  # a cache that cannot be changed is only slower
        part_file(root, part).unlink()


def _make_cache_dir(root: Path, folder: Path) -> None:
    """Make this version's cache folder, and throw away the caches of other versions
    (their folders, and the revision reader's file of versions before 0.2)."""
    folder.mkdir(parents=True, exist_ok=True)
    ignore_cache_dir(root)
    for other in folder.parent.iterdir():
        if other != folder and (other.name.startswith("index-")
                                or other.name.startswith("blobs-")):
            if other.is_dir():
                shutil.rmtree(other, ignore_errors=True)
            else:
                other.unlink(missing_ok=True)


def ignore_cache_dir(root: Path) -> None:
    """Tell git to ignore ``.hs`` (a ``.gitignore`` inside it)."""
    ignore = root / CACHE_DIR / ".gitignore"
    if not ignore.exists():
        ignore.write_text("*\n")


def read_memo(root: Path, name: str) -> Any:
    """A value another module keeps in the cache (see :func:`write_memo`), or None."""
    return read_part(root, f"memo-{name}").get("value")


def write_memo(root: Path, name: str, value: Any) -> None:
    """Keep a value (of marshal's types) in the cache, with it thrown away when the cache
    is (another version of hs); a value that cannot be written is simply not kept. Key it
    on :attr:`hs.store.load.LoadReport.generation` to know whether it still holds."""
    write_part(root, f"memo-{name}", {"value": value})


def new_token() -> str:
    """A new generation's name."""
    return os.urandom(8).hex()


def overlay(base: dict[str, Any], changes: dict[str, Any] | None) -> dict[str, Any]:
    """``base`` with the changes of the journal applied (None: the entry is gone)."""
    for rel, value in (changes or {}).items():
        if value is None:
            base.pop(rel, None)
        else:
            base[rel] = value
    return base


class Snapshot:
    """What the cache holds as a read starts: head, the tokens of the parts it still
    trusts, the journal, and (read when first asked for) every valid file's signature
    and blob ID. A file changed less than two seconds before the cache was written (or
    last checked) is not trusted by its signature: ``trusted_before``."""

    def __init__(self, root: Path, use_cache: bool = True):
        self.root = root
        self.head: dict[str, Any] = read_part(root, "head") if use_cache else {}
        head = self.head
        tokens = head["tokens"] if isinstance(head.get("tokens"), dict) else {}
        self.checked_ns = time.time_ns()  # before any file is looked at
        looked = head.get("checked") if isinstance(head.get("checked"), int) else 0
        self.trusted_before = (min(written(root), looked or written(root)) - RACY_NS
                               if tokens else 0)
        self.journal: dict[str, dict[str, Any]] = {}
        if tokens:
            found = read_tokened(root, "journal", head.get("journal"))
            if found is None or not part_ok(root, "sigs", tokens.get("sigs")):
                tokens = {}  # the journal or the list of files is lost: start afresh
            else:
                self.journal = found
        self.tokens: dict[str, Any] = tokens
        self._sigs: dict[str, int] | None = None
        self._blobs: dict[str, str] | None = None

    def sigs(self) -> dict[str, int]:
        """Every valid file's signature, as the cache (parts and journal) holds it."""
        if self._sigs is None:
            found = read_tokened(self.root, "sigs", self.tokens.get("sigs")) \
                if self.tokens else None
            self._sigs = overlay(found or {}, self.journal.get("sigs"))
        return self._sigs

    def blobs(self) -> dict[str, str]:
        """Every valid file's blob ID, as the cache (parts and journal) holds it."""
        if self._blobs is None:
            found = read_tokened(self.root, "blobs", self.tokens.get("blobs")) \
                if self.tokens else None
            self._blobs = overlay(found or {}, self.journal.get("blobs"))
        return self._blobs


def warning_tuples(problems: list[Problem]) -> tuple[tuple[int, int, str, str, str], ...]:
    """Warnings as head keeps them: with the language they were said in."""
    lang = language()
    return tuple((p.line, p.col, p.code, p.message, lang) for p in problems)


def warnings_of(rel: str, entry: Any) -> list[Problem] | None:
    """Cached warnings as problems; None if they are in another language or look wrong
    (then the file is read again, and they are said in this one)."""
    lang = language()
    out: list[Problem] = []
    try:
        for line, col, code, message, said_in in entry:
            if said_in != lang:
                return None
            out.append(Problem(rel, line, col, code, message, "warning"))
    except (TypeError, ValueError):
        return None
    return out


def next_history(history: list[Any], old: str, new: str, changed: set[str]) -> list[Any]:
    """The generations head remembers, with what changed between each and the next (see
    :meth:`hs.store.load.LoadReport.changed_since`), one step longer: ``old`` became
    ``new``."""
    out = [step for step in history if isinstance(step, list) and len(step) == 3]
    out.append([old, new, sorted(changed)])
    while out and (len(out) > HISTORY_STEPS or sum(len(s[2]) for s in out) > HISTORY_FILES):
        out.pop(0)
    return out
