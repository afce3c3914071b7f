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
from dataclasses import dataclass, field
from typing import Any

from hs.base.i18n import Catalog
from hs.base.workers import in_processes
from hs.records.index import ROW_TYPES, paused_gc
from hs.records.problems import Problem
from hs.store import gitops
from hs.store.layout import Entry, RecordFile

MSG = Catalog({
    "too-deep": ("the data is nested too deeply", "de gegevens zijn te diep genest"),
    "unreadable": ("cannot read the file: {reason}", "kan het bestand niet lezen: {reason}"),
})

PARALLEL_THRESHOLD = 4000  # fewer files are parsed in this process
PARSE_PROCESSES = 2  # more add little: the main process merges and the disk is shared

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
    from hs.store.yamlio import NOT_FAST, YamlIssue, decode, fast_load

    result = FileResult(rf)
    try:
        if raw is None:
            result.sig, raw = read_signed(rf.fspath)
        result.blob = gitops.blob_id(raw)
        text = decode(raw)
        data = fast_load(text)
        if data is NOT_FAST:
            # lazy: the exact reader (ruamel.yaml) only for what the fast one gives up on
            from hs.store.yamlio import load_document, plain

            data = plain(load_document(text))
    except YamlIssue as issue:
        result.problems.append(Problem(rf.rel, issue.line, issue.col, issue.code,
                                       issue.message))
        return result
    except RecursionError:
        result.problems.append(Problem(rf.rel, 1, 1, "too-deep", MSG("too-deep")))
        return result
    except OSError as exc:
        result.problems.append(Problem(rf.rel, 1, 1, "unreadable",
                                       MSG("unreadable", reason=exc.strerror or "?")))
        return result
    for p in schema_problems(rf, text, data):
        (result.problems if p.severity == "error" else result.warnings).append(p)
    if result.problems:
        return result
    result.data = data
    row_type = ROW_TYPES.get(rf.kind)
    result.value = row_type.tuple_of(rf.id, data) if row_type is not None else None
    return result


def read_signed(path: str) -> tuple[int, bytes]:
    """A file's signature (see :func:`signature`) and its bytes, taken from the one open
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
    return signature(st), raw


def signature(st: os.stat_result) -> int:
    """One number for what a file's stat says of its content: size, modification and
    change times, inode and mode. The change time cannot be set by hand, so a file
    replaced by another of the same size and modification time (cp -p, rsync -t, two
    saves in one clock tick) or made unreadable is read again."""
    return hash((st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_mode))


# --- many files ----------------------------------------------------------------------------


def parse_many(todo: list[Entry], use_pool: bool, raws: list[bytes] | None = None
               ) -> list[Parsed]:
    """Parse files (with ``raws``, these bytes instead of the files' own, one per entry),
    in :data:`PARSE_PROCESSES` worker processes if ``use_pool`` (forked, so they start
    with everything imported; rapidyaml's messages on stderr are silenced in each)."""
    out: list[Parsed] | None = None
    if use_pool and raws is None:  # kinds differ in cost: many small chunks
        out = in_processes(parse_packed, list(todo), unpacked, processes=PARSE_PROCESSES,
                           pieces=16, least=50)
    elif use_pool and raws is not None:
        out = in_processes(_parse_given_packed, list(zip(todo, raws, strict=True)),
                           unpacked, processes=PARSE_PROCESSES, pieces=16, least=50)
    return out if out is not None else parse_chunk(todo, raws)


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
