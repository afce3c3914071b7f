"""Reading and writing YAML record files.

Two readers with one meaning (YAML 1.2, as ruamel.yaml reads it; dates come back as ISO
strings, so that a record's data is JSON data that pydantic validates the same way):

* the **fast reader** parses with rapidyaml (C++) and emits JSON that pydantic validates
  without building Python objects. It takes the plain block YAML that ``hs`` writes and
  people usually type. A file with anything where rapidyaml and YAML 1.2 could disagree
  (anchors, aliases, tags, flow mappings, several documents, tabs, escapes, and plain
  scalars such as ``~``, ``True``, ``0x1F``, ``0470123456``, ``.inf`` or ``1_000``) is
  *hazardous* and goes to the exact reader instead. The conformance tests prove that both
  readers agree on the demo tree and on generated documents.
* the **exact reader** is ruamel.yaml in round-trip mode. It gives positions for every
  key and value (for error messages) and keeps comments, key order and quoting for the
  one file being written (:func:`edit_document` / :func:`dump_document`).

Neither reader ever constructs arbitrary objects.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

MAX_FILE_BYTES = 512 * 1024

_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufeff\ufffe\uffff]")

# Anything below sends a file to the exact reader. False positives only cost time.
_HAZARD_RE = re.compile(
    r"""
      (?:^|[\s\[{,])[&*!][^\s,\]}]          # anchor, alias or tag
    | ^(?:---|\.\.\.|%)                      # document markers, directives
    | ^[ ]*\?(?:[ ]|$)                       # complex key
    | <<[ ]*:                                # merge key
    | \t | \\ | \r                           # tabs, escapes, carriage returns
    | (?:^|[:,\[{]|[ ]-)[ ]*\{               # flow mapping
    | (?:^[ ]*(?:-[ ]+)*|[:,\[][ ]*|[ ]-[ ]+)   # where a plain scalar starts
      (?:~|Null\b|NULL\b|True\b|TRUE\b|False\b|FALSE\b
        |[-+]?\.|\+|[-+]?0[0-9xobXOB_]|-?[0-9][0-9_]*_
        |[-+]?(?:nan|NaN|NAN|inf|Inf|INF)\b
        |[0-9]{4}-[0-9][0-9]?-[0-9][0-9]?[Tt ]+[0-9]
        |[0-9]{4}-(?:[0-9]-[0-9][0-9]?|[0-9][0-9]-[0-9])(?![0-9])
        )
    | ^[ ]*(?:-[ ]+)*(?:[-+.0-9~]|null|true|false)[^:\n]*:(?:[ ]|$)   # odd keys
    | ^[ ]*(?:-[ ]+)*"[^"\n]*$               # multi-line double-quoted scalar
    | ^[^'#\n]*:[ ]+'[^'\n]*$                # multi-line single-quoted scalar
    """,
    re.MULTILINE | re.VERBOSE,
)

_KEY_RE = re.compile(r"^( *)((?:- +)*)([^\s#'\"\-\[{|>][^:#\n]*?|\"[^\"\n]*\"|'[^'\n]*'):(?: |$)",
                     re.MULTILINE)


@dataclass(frozen=True, slots=True)
class YamlIssue(Exception):
    """A problem with a file as YAML (before any schema is applied). 1-based position."""

    line: int
    col: int
    code: str
    message: str


def decode(raw: bytes) -> str:
    """Bytes of a record file as text, or :class:`YamlIssue` for size, encoding, controls."""
    if len(raw) > MAX_FILE_BYTES:
        raise YamlIssue(1, 1, "file-too-large",
                        f"file is {len(raw)} bytes; a record file may be at most "
                        f"{MAX_FILE_BYTES} bytes")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise YamlIssue(line, col, "encoding", "not UTF-8 text") from None
    bad = _CONTROL_RE.search(text)
    if bad is not None:
        line = text.count("\n", 0, bad.start()) + 1
        col = bad.start() - (text.rfind("\n", 0, bad.start()) + 1) + 1
        raise YamlIssue(line, col, "control-character",
                        f"control character U+{ord(bad.group()):04X} in the file")
    if not text.strip():
        raise YamlIssue(1, 1, "empty-file", "the file is empty")
    return text


def is_hazardous(text: str) -> bool:
    return _HAZARD_RE.search(text) is not None


def duplicate_key(text: str) -> tuple[int, int, str] | None:
    """The first key that repeats within its block mapping: (line, col, key), or None.

    Works on the block subset the fast reader accepts (no flow mappings)."""
    scopes: list[tuple[int, set[str]]] = []
    for m in _KEY_RE.finditer(text):
        indent = len(m.group(1))
        dashes = m.group(2)
        key = m.group(3).strip().strip("\"'")
        col = indent + len(dashes)
        if dashes:
            # a new mapping starts inside a sequence item
            while scopes and scopes[-1][0] >= indent:
                scopes.pop()
            scopes.append((col, {key}))
            continue
        while scopes and scopes[-1][0] > col:
            scopes.pop()
        if scopes and scopes[-1][0] == col:
            seen = scopes[-1][1]
            if key in seen:
                line = text.count("\n", 0, m.start()) + 1
                return line, col + 1, key
            seen.add(key)
        else:
            scopes.append((col, {key}))
    return None


@contextlib.contextmanager
def quiet_stderr() -> Iterator[None]:
    """rapidyaml prints parse errors on the C stderr; keep them off the user's screen."""
    try:
        saved = os.dup(2)
    except OSError:
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def fast_json(text: str) -> bytes | None:
    """JSON bytes of a simple block-YAML document, or None where the exact reader must go.

    Raises :class:`YamlIssue` for a duplicate key. Callers doing many files should wrap
    the loop in :func:`quiet_stderr`."""
    if _HAZARD_RE.search(text) is not None:
        return None
    import ryml

    try:
        tree = ryml.parse_in_arena(text.encode("utf-8"))
        out = ryml.emit_json(tree)
    except Exception:
        return None  # the exact reader gives the position and the message
    dup = duplicate_key(text)
    if dup is not None:
        raise YamlIssue(dup[0], dup[1], "duplicate-key", f"key '{dup[2]}' appears twice")
    return out.encode("utf-8") if isinstance(out, str) else bytes(out)


# --- exact reader ------------------------------------------------------------------------


def _yaml(typ: str = "rt") -> Any:
    from ruamel.yaml import YAML

    y = YAML(typ=typ)
    y.preserve_quotes = True
    y.allow_duplicate_keys = False
    y.width = 4096
    y.indent(mapping=2, sequence=2, offset=0)
    return y


def _mark(exc: Exception) -> tuple[int, int]:
    for attr in ("problem_mark", "context_mark"):
        mark = getattr(exc, attr, None)
        if mark is not None:
            return mark.line + 1, mark.column + 1
    return 1, 1


def _check_events(text: str) -> None:
    """Reject what a record must not use: anchors, aliases, tags, several documents."""
    from ruamel.yaml import events as ev
    from ruamel.yaml.error import MarkedYAMLError

    docs = 0
    try:
        for event in _yaml().parse(io.StringIO(text)):
            line, col = event.start_mark.line + 1, event.start_mark.column + 1
            if isinstance(event, ev.DocumentStartEvent):
                docs += 1
                if docs > 1:
                    raise YamlIssue(line, col, "several-documents",
                                    "several YAML documents in one file; one record a file")
            elif isinstance(event, ev.AliasEvent):
                raise YamlIssue(line, col, "alias",
                                "YAML aliases (*name) are not allowed in records")
            elif isinstance(event, ev.NodeEvent) and event.anchor is not None:
                raise YamlIssue(line, col, "anchor",
                                "YAML anchors (&name) are not allowed in records")
            if isinstance(event, ev.NodeEvent) and getattr(event, "tag", None) is not None:
                raise YamlIssue(line, col, "tag",
                                f"YAML tags ({event.tag}) are not allowed in records")
    except MarkedYAMLError as exc:
        line, col = _mark(exc)
        raise YamlIssue(line, col, "yaml-syntax", _one_line(exc.problem or str(exc))) from None


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def load_document(text: str) -> Any:
    """The exact reader: a ruamel.yaml round-trip document (with positions and comments)."""
    from ruamel.yaml.constructor import DuplicateKeyError
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    _check_events(text)
    try:
        return _yaml().load(text)
    except DuplicateKeyError as exc:
        line, col = _mark(exc)
        key = re.search(r'found duplicate key "([^"]*)"', str(exc))
        name = key.group(1) if key else "?"
        raise YamlIssue(line, col, "duplicate-key", f"key '{name}' appears twice") from None
    except MarkedYAMLError as exc:
        line, col = _mark(exc)
        raise YamlIssue(line, col, "yaml-syntax", _one_line(exc.problem or str(exc))) from None
    except (YAMLError, ValueError, TypeError) as exc:
        raise YamlIssue(1, 1, "yaml-syntax", _one_line(str(exc))) from None


def plain(data: Any) -> Any:
    """Round-trip data as JSON data: dates as ISO strings, keys as strings."""
    if isinstance(data, dict):
        return {_key(k): plain(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [plain(v) for v in data]
    if isinstance(data, dt.datetime):
        return data.isoformat()
    if isinstance(data, dt.date):
        return data.isoformat()
    if isinstance(data, bool) or data is None:
        return data
    if isinstance(data, int):
        return int(data)
    if isinstance(data, float):
        return float(data)
    if isinstance(data, str):
        return str(data)
    return data


def _key(k: Any) -> str:
    if isinstance(k, bool):
        return "true" if k else "false"
    if k is None:
        return "null"
    if isinstance(k, dt.date):
        return k.isoformat()
    return str(k)


def load_plain(text: str) -> Any:
    """A document as JSON data by either reader (fast where safe). Raises YamlIssue."""
    fast = fast_json(text)
    if fast is not None:
        import json

        return json.loads(fast)
    return plain(load_document(text))


def position(doc: Any, loc: tuple[str | int, ...]) -> tuple[int, int]:
    """1-based (line, col) of the deepest part of ``loc`` found in a round-trip document.

    A key's position is that of the key; a list item's that of the item."""
    line, col = 1, 1
    node = doc
    for part in loc:
        lc = getattr(node, "lc", None)
        if isinstance(node, dict) and part in node:
            if lc is not None:
                try:
                    kl, kc = lc.key(part)
                    line, col = kl + 1, kc + 1
                except (KeyError, TypeError, AttributeError):
                    pass
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            if lc is not None:
                try:
                    il, ic = lc.item(part)
                    line, col = il + 1, ic + 1
                except (KeyError, TypeError, AttributeError, IndexError):
                    pass
            node = node[part]
        else:
            break
    return line, col


def value_position(doc: Any, loc: tuple[str | int, ...]) -> tuple[int, int]:
    """Like :func:`position` but pointing at the value of the last key where known."""
    if not loc:
        return 1, 1
    parent_loc, last = loc[:-1], loc[-1]
    node = doc
    for part in parent_loc:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return position(doc, loc)
    lc = getattr(node, "lc", None)
    if isinstance(node, dict) and last in node and lc is not None:
        try:
            vl, vc = lc.value(last)
            return vl + 1, vc + 1
        except (KeyError, TypeError, AttributeError):
            pass
    return position(doc, loc)


def dump_document(doc: Any) -> str:
    """A round-trip document as text, in the layout ``hs`` writes."""
    stream = io.StringIO()
    _yaml().dump(doc, stream)
    return stream.getvalue()


def new_document(data: dict[str, Any], header: str | None = None) -> str:
    """Text for a new record file from plain data, with an optional comment header."""
    from ruamel.yaml.comments import CommentedMap

    doc = to_document(data)
    assert isinstance(doc, CommentedMap)
    body = dump_document(doc)
    return (header + "\n" if header else "") + body


def to_document(data: Any) -> Any:
    """Plain data as round-trip nodes (so that dates are written unquoted)."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if isinstance(data, dict):
        m = CommentedMap()
        for k, v in data.items():
            m[k] = to_document(v)
        return m
    if isinstance(data, list):
        s = CommentedSeq(to_document(v) for v in data)
        if data and all(isinstance(v, str | int | float) for v in data) and len(data) <= 12:
            s.fa.set_flow_style()
        return s
    if isinstance(data, str) and _ISO_DATE.match(data):
        return dt.date.fromisoformat(data)
    return data


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
