"""Reading record files: one (:func:`parse_file`: read, parse, check against its model) or
many (:func:`parse_many`, in worker processes when there are many).

A file is read with its signature (:func:`read_signed`), taken from the one open file, so
that the cache never pairs a signature with other bytes than those it parsed. The checks
of a file are :mod:`hs.store.filecheck`; the YAML readers :mod:`hs.store.yamlio`.
"""

from __future__ import annotations

import gc
import marshal
import os
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hs.base.i18n import Catalog, language
from hs.base.workers import in_processes
from hs.records.index import ROW_TYPES, paused_gc
from hs.records.problems import Problem
from hs.store import gitops
from hs.store.layout import Entry, RecordFile

MSG = Catalog("store.read")

PARALLEL_THRESHOLD = 4000  # fewer files are parsed in this process
PARSE_PROCESSES = 2  # more add little: the main process merges and the disk is shared

PROGRESS_CHUNK = 500  # files parsed in this process between two reports of progress

#: What a read says of its progress: files parsed so far, out of how many.
Progress = Callable[[int, int], None]

# rel, cache value (None if the file failed), errors, warnings, blob ID, signature
Parsed = tuple[str, Any, list[Problem], list[Problem], str | None, int | None]


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

    @property
    def cached(self) -> Any:
        """What the cache keeps of the file: the row's tuple (config and vocabularies as
        they are); None for a file that failed."""
        if self.problems:
            return None
        if self.value is not None:
            return self.value
        return self.data


def parse_file(rf: RecordFile, raw: bytes | None = None) -> FileResult:
    """Read, parse and validate one file against its model. Never raises for bad data."""
    # lazy: the readers and the checks (yamlio's patterns, pydantic) stay out of a warm read
    from hs.store.filecheck import schema_problems
    from hs.store.yamlio import MAX_FILE_BYTES, NOT_FAST, YamlIssue, decode, fast_load

    result = FileResult(rf)
    try:
        if raw is None:
            result.sig, raw = read_signed(rf.fspath, MAX_FILE_BYTES, _root_of(rf))
        result.blob = gitops.blob_id(raw)
        text = decode(raw)
        if len(text) > HOSTILE_SCAN_FROM:
            _refuse_hostile(text)  # before rapidyaml too, which takes 50 ms at 100 KB
        try:
            data = fast_load(text)
        except ValueError:  # a number too long for int() (the line reader)
            _refuse_hostile(text)
            raise
        if data is NOT_FAST:
            _refuse_hostile(text)  # before the exact reader, which is slow on these
            # lazy: the exact reader (ruamel.yaml) only for what the fast one gives up on
            from hs.store.yamlio import load_document, plain

            data = plain(load_document(text))
    except YamlIssue as issue:
        line = issue.line
        if issue.code == "too-deep" and line == 1:
            line = _deepest_line(text)
        result.problems.append(Problem(rf.rel, line, issue.col, issue.code, issue.message))
        return result
    except RecursionError:
        result.problems.append(Problem(rf.rel, _deepest_line(text), 1, "too-deep",
                                       MSG("too-deep")))
        return result
    except _NotPlain as refused:
        result.problems.append(Problem(rf.rel, 1, 1, refused.code, refused.message))
        return result
    except _TooLarge as large:
        from hs.store.yamlio import MSG as YAML_MSG  # lazy: as above

        result.problems.append(Problem(rf.rel, 1, 1, "file-too-large", YAML_MSG(
            "file-too-large", size=large.size, limit=MAX_FILE_BYTES)))
        return result
    except OSError as exc:
        result.problems.append(Problem(rf.rel, 1, 1, "unreadable",
                                       MSG("unreadable", reason=exc.strerror or "?")))
        return result
    except ValueError:  # a value the readers could not take (never a traceback)
        result.problems.append(Problem(rf.rel, 1, 1, "unreadable",
                                       MSG("unreadable", reason=MSG("bad-value"))))
        return result
    for p in schema_problems(rf, text, data):
        (result.problems if p.severity == "error" else result.warnings).append(p)
    if result.problems:
        return result
    result.data = data
    row_type = ROW_TYPES.get(rf.kind)
    result.value = row_type.tuple_of(rf.id, data) if row_type is not None else None
    return result


# --- what a file may be ------------------------------------------------------------------

LONG_DIGITS = 4300  # int() refuses longer numbers (sys.int_info.default_max_str_digits)
MAX_DEPTH = 100  # deeper flow nesting ([[[...) is refused before the exact reader sees it
HOSTILE_SCAN_FROM = 4096  # larger files are looked at before either reader (smaller ones
# only before the exact reader: a record is a few hundred bytes, and the scan would add a
# tenth to a cold read)
_LONG_NUMBER = re.compile(f"[0-9]{{{LONG_DIGITS + 1}}}")
_DASHES = re.compile(f"^(?:[ ]*-[ \\t]+){{{MAX_DEPTH + 1}}}", re.MULTILINE)  # - - - ...
_FLOW_TOKENS = re.compile(r'"(?:[^"\\\n]|\\.)*"|[\[\]{}\n]')


class _NotPlain(Exception):
    """A record file that is no plain file of the tree (:func:`read_signed`)."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


class _TooLarge(Exception):
    """A file larger than the limit (only its first bytes were read)."""

    def __init__(self, size: int):
        super().__init__(size)
        self.size = size


def _root_of(rf: RecordFile) -> str | None:
    """The tree's root folder, from a record file's path and its path in the tree."""
    path, rel = rf.fspath, rf.rel
    tail = os.sep + rel.replace("/", os.sep)
    return path[:-len(tail)] or os.sep if path.endswith(tail) else None


def _refuse_hostile(text: str) -> None:
    """Refuse, at its line and in a pass of a few milliseconds, what the exact reader takes
    seconds on or breaks over: a number longer than int() takes (anywhere: a quoted one is
    text, but it is no value of a record either), and nesting deeper than
    :data:`MAX_DEPTH` in flow style (``[[[...``) or as a line of dashes (``- - - ...``)
    (the exact reader's time grows with the square of the depth: 10 s at 8 KB)."""
    # lazy: only on the exact reader's path
    from hs.store.yamlio import MSG as YAML_MSG
    from hs.store.yamlio import YamlIssue

    line = _long_number_line(text)
    if line is not None:
        raise YamlIssue(line, 1, "long-number", MSG("long-number", limit=_digits()))
    dashes = _DASHES.search(text)
    if dashes is not None:
        line = text.count("\n", 0, dashes.start()) + 1
        raise YamlIssue(line, 1, "too-deep", YAML_MSG("too-deep"))
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return
    depth, line = 0, 1
    for m in _FLOW_TOKENS.finditer(text):
        c = m.group()
        if c == "\n":
            line += 1
        elif c in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                raise YamlIssue(line, 1, "too-deep", YAML_MSG("too-deep"))
        elif c in "]}":
            depth = max(0, depth - 1)
        else:
            line += c.count("\n")


def _digits() -> str:
    """:data:`LONG_DIGITS` as the language writes it (4,300 or 4.300)."""
    return f"{LONG_DIGITS:,}".replace(",", "." if language() == "nl" else ",")


def _long_number_line(text: str) -> int | None:
    found = _LONG_NUMBER.search(text)
    return None if found is None else text.count("\n", 0, found.start()) + 1


def _deepest_line(text: str) -> int:
    """The line where the block nesting is deepest (its indentation and leading dashes),
    for a "too deep" found without a line."""
    best, best_line = -1, 1
    for n, line in enumerate(text.split("\n"), 1):
        body = line.lstrip(" ")
        depth = len(line) - len(body)
        while body.startswith("- "):
            body = body[2:].lstrip(" ")
            depth += 2
        if depth > best:
            best, best_line = depth, n
    return best_line


def read_signed(path: str, limit: int | None = None, root: str | None = None
                ) -> tuple[int, bytes]:
    """A file's signature (see :func:`signature`) and its bytes, taken from the one open
    file (so the two agree). Plain ``os`` calls: half the cost of ``open()`` and a
    buffered reader, which counts when a cold read opens 50,000 files.

    Only a regular file is read (a FIFO, a device or a folder is refused without blocking
    on it); with ``root``, a symbolic link is only followed to a file inside that folder;
    with ``limit``, a larger file is refused by its size, and never more than ``limit`` + 1
    bytes are read (a file that grows meanwhile)."""
    flags = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags | (getattr(os, "O_NOFOLLOW", 0) if root else 0))
    except OSError as exc:
        if root is None or not os.path.islink(path):
            raise
        if not _inside(os.path.realpath(path), root):
            raise _NotPlain("outside-tree", MSG("outside")) from None
        del exc
        fd = os.open(path, flags)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise _NotPlain("not-regular", MSG("not-regular", what=MSG(_what(st.st_mode))))
        if limit is not None and st.st_size > limit:
            raise _TooLarge(st.st_size)
        want = st.st_size + 1
        raw = os.read(fd, want)
        if len(raw) != st.st_size:  # it grew since fstat, or a short read: read the rest
            parts = [raw]
            got = len(raw)
            while (limit is None or got <= limit) and (chunk := os.read(fd, 1 << 20)):
                parts.append(chunk)
                got += len(chunk)
            raw = b"".join(parts)
            if limit is not None and len(raw) > limit:
                raise _TooLarge(len(raw))
    finally:
        os.close(fd)
    return signature(st), raw


def _inside(path: str, root: str) -> bool:
    real_root = os.path.realpath(root)
    return path == real_root or path.startswith(real_root.rstrip(os.sep) + os.sep)


def _what(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "fifo"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device"
    if stat.S_ISSOCK(mode):
        return "socket"
    if stat.S_ISDIR(mode):
        return "folder"
    return "other"


def signature(st: os.stat_result) -> int:
    """One number for what a file's stat says of its content: size, modification and
    change times, inode and mode. The change time cannot be set by hand, so a file
    replaced by another of the same size and modification time (cp -p, rsync -t, two
    saves in one clock tick) or made unreadable is read again."""
    return hash((st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_mode))


# --- many files ----------------------------------------------------------------------------


def parse_many(todo: list[Entry], use_pool: bool, raws: list[bytes] | None = None,
               progress: Progress | None = None) -> list[Parsed]:
    """Parse files (with ``raws``, these bytes instead of the files' own, one per entry),
    in :data:`PARSE_PROCESSES` worker processes if ``use_pool`` (forked, so they start
    with everything imported; rapidyaml's messages on stderr are silenced in each).
    ``progress(done, total)`` is told how many files are parsed: in this process as each
    chunk's answer comes back from a worker, else after every :data:`PROGRESS_CHUNK`
    files (never per file: it must cost nothing)."""
    out: list[Parsed] | None = None
    take = unpacked if progress is None else _counted(progress, len(todo))
    if use_pool and raws is None:  # kinds differ in cost: many small chunks
        out = in_processes(parse_packed, list(todo), take, processes=PARSE_PROCESSES,
                           pieces=16, least=50)
    elif use_pool and raws is not None:
        out = in_processes(_parse_given_packed, list(zip(todo, raws, strict=True)),
                           take, processes=PARSE_PROCESSES, pieces=16, least=50)
    if out is not None:
        return out
    if progress is None:
        return parse_chunk(todo, raws)
    out = []
    progress(0, len(todo))
    for at in range(0, len(todo), PROGRESS_CHUNK):
        out.extend(parse_chunk(todo[at:at + PROGRESS_CHUNK],
                               None if raws is None else raws[at:at + PROGRESS_CHUNK]))
        progress(len(out), len(todo))
    return out


def _counted(progress: Progress, total: int) -> Callable[[bytes | list[Parsed]], list[Parsed]]:
    """:func:`unpacked`, telling ``progress`` how many files the answers so far hold."""
    counted = [0]
    progress(0, total)

    def take(part: bytes | list[Parsed]) -> list[Parsed]:
        rows = unpacked(part)
        counted[0] += len(rows)
        progress(counted[0], total)
        return rows

    return take


def parse_chunk(items: list[Entry], raws: list[bytes] | None = None) -> list[Parsed]:
    """Worker: parse files (with ``raws``, these bytes, one per entry)."""
    # lazy: yamlio stays out of a warm read
    from hs.store.yamlio import quiet_stderr

    out: list[Parsed] = []
    gc.freeze()
    try:  # no collection: the rows hold no cycles, and the collector cost a quarter
        with paused_gc(freeze=False), quiet_stderr():
            if raws is None:
                for kind, rid, path, rel in items:
                    res = parse_file(RecordFile(kind, rid, path, rel))
                    out.append((rel, res.cached, res.problems, res.warnings, res.blob,
                                res.sig))
            else:
                for (kind, rid, path, rel), raw in zip(items, raws, strict=True):
                    res = parse_file(RecordFile(kind, rid, path, rel), raw)
                    out.append((rel, res.cached, res.problems, res.warnings, res.blob,
                                res.sig))
    finally:
        gc.unfreeze()
    return out


def parse_packed(items: list[Entry]) -> bytes | list[Parsed]:
    """Worker: :func:`parse_chunk`, its results sent as one marshal text of columns
    (half the cost of pickling the rows a file at a time, on both sides); as they are if
    marshal cannot take them."""
    return _packed(parse_chunk(items))


def _parse_given_packed(items: list[tuple[Entry, bytes]]) -> bytes | list[Parsed]:
    """Worker: :func:`parse_packed` of (entry, bytes) pairs."""
    return _packed(parse_chunk([item[0] for item in items], [item[1] for item in items]))


def _packed(out: list[Parsed]) -> bytes | list[Parsed]:
    try:
        return marshal.dumps((
            [r[0] for r in out], [r[1] for r in out],
            [[p.as_tuple() for p in r[2]] for r in out],
            [[p.as_tuple() for p in r[3]] for r in out],
            [r[4] for r in out], [r[5] for r in out]))
    except ValueError:
        return out


def unpacked(part: bytes | list[Parsed]) -> list[Parsed]:
    """The results :func:`parse_packed` sent."""
    if not isinstance(part, bytes):
        return part
    rels, values, errors, warnings, blobs, sigs = marshal.loads(part)
    return [(rel, value, [Problem(*p) for p in errs], [Problem(*p) for p in warns], blob, sig)
            for rel, value, errs, warns, blob, sig in zip(rels, values, errors, warnings,
                                                           blobs, sigs, strict=True)]
