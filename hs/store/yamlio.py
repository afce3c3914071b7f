"""Reading and writing YAML record files.

Two readers with one meaning (YAML 1.2, as ruamel.yaml reads it; dates come back as ISO
strings, so that a record's data is JSON data that pydantic validates the same way):

* the **fast reader** (:func:`fast_load`) first tries the *line reader*, which reads the
  plainest layout (``key: value`` lines with codes, dates, numbers and words, ``[a, b]``
  lists, ``- `` items) a line at a time in Python and gives up on anything else (see the
  comment above ``_line_load``); then it parses with rapidyaml (C++) and emits JSON that
  ``json.loads`` turns into data. It takes the plain block YAML that ``hs`` writes and
  people usually type. A file with anything where rapidyaml and YAML 1.2 could disagree
  is *hazardous* (:func:`is_hazardous`) and goes to the exact reader instead: anchors,
  aliases, tags, directives, several documents, flow mappings, complex and merge keys,
  tabs, escapes, carriage returns other than in CRLF line ends, quoted scalars that go on
  over a line end, and plain scalars such as ``~``, ``True``, ``NULL``, ``0x1F``,
  ``0470123456``, ``0e5``, ``.5``, ``+1``, ``1_000``, ``nan``, ``inf``, ``.inf``, ``@x``,
  a date with a time, or keys such as ``1e3:``. Duplicate keys are found exactly, in the
  parsed JSON (``object_pairs_hook``), not by scanning the text.
* the **exact reader** (:func:`load_document`) is ruamel.yaml in round-trip mode. It gives
  positions for every key and value (for error messages) and keeps comments, key order
  and quoting for the one file being written (:func:`dump_document`). It rejects what a
  record must not use (anchors, aliases, tags, directives, several documents). A date
  that does not exist (``2025-02-30``) is read as text, so that the model reports it
  where it is, as the fast reader does.

Neither reader ever constructs arbitrary objects. The tests prove that both readers give
the same data on the demo tree and on generated documents (hypothesis; the line reader
and the safe-lines prefilter of the hazard scan in tests/store/test_yamlio_lines.py and
tests/store/test_yamlio_prefilter.py), and that what
:func:`new_document` and :func:`dump_document` write reads back to the same data.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import os
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from hs.base.i18n import Catalog

MAX_FILE_BYTES = 512 * 1024

MSG = Catalog("store.yamlio")

_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufeff\ufffe\uffff]")
# bytes that are never part of a control character: printable ASCII, tab, LF, CR (a file
# of only these needs no search)
_PLAIN_BYTES = bytes(range(0x20, 0x7F)) + b"\t\n\r"

# The hazard scan. Plain scalars (keys and values) start at a line start (after any
# "- "), after ": ", and after "[" or "," in a flow list; at such a start, _SUSPICIOUS is
# what the two readers could read differently, or what rapidyaml takes where YAML 1.2 does
# not. False positives only cost time; a miss is a bug that the property tests in
# tests/store/test_yamlio.py are there to find. The pattern starts with a character class and
# each branch checks which character it found, so that the regex engine skips quickly to
# the few places worth a look (keep it that way: it runs on every file).
_SUSPICIOUS = r"""(?=[~NTFIni\-+.0-9'"&*!@`%=<?:|>\]},])(?:
      ~ | Null\b | NULL\b | True\b | TRUE\b | False\b | FALSE\b     # 1.2 null and booleans
    | [-+]?\. | \+ | -_                                             # .5 .inf +1 -_1
    | -?0[0-9xobXOBeE_]                                             # 017 0x1F 0o7 0b1 0e5
    | -?[0-9][0-9_.]*_                                              # 1_000 1.5_0
    | ['"]?[-+]?\.?(?:nan|NaN|NAN|inf|Inf|INF|infinity|Infinity|INFINITY)\b
    | [0-9]{4}-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \n]+[0-9])          # a date with a time
    | [&*!@`%=<]                                                    # anchor alias tag ...
    | \?                                                            # complex key
    | :(?:[ ]|\n|$)                                                 # ': x' as a value
    | [|>][-+]?[0-9]                                                # |2 block indentation
    | [|>][-+]?[ ]*(?:\#[^\n]*)?\n[ ]*\n                               # | then a blank line
    | "[^"\n]*\n                                                    # multi-line "..."
    | '(?:[^'\n]|'')*\n                                             # multi-line '...'
    | (?<!\[)[\]},]                                                 # a: ]  (text to ryml)
    )"""
# keys that YAML 1.2 reads as numbers, null or booleans (1e3: is 1000.0)
_ODD_KEY = r"(?=[-0-9ntf])(?:-?[0-9]|null\b|true\b|false\b)[^:\n,\]]*:(?:[ ]|\n)"

_HAZARD_RE = re.compile(
    rf"""[\n:\[,](?:
        (?<=\n)(?:---|\.\.\.|%|[ ]*[|>]|[ ]*(?:-[ ]+)*(?:{_ODD_KEY}|{_SUSPICIOUS}))
      | (?<=:)(?:[\],]|[ ]+{_SUSPICIOUS})                 # [x:] is a pair to one reader
      | (?<=[\[,])[ ]*(?:{_ODD_KEY}|{_SUSPICIOUS})
    )""",
    re.VERBOSE,
)
# tabs, escapes, lone carriage returns, flow mappings, merge keys: anywhere
_HAZARD_TEXT = ("\t", "\\", "\r", "{", "<<")


def _hazard_scan(text: str) -> bool:
    """The full scan: ``text`` with a line break in front (so that line 1 is a line start
    too)."""
    for needle in _HAZARD_TEXT:
        if needle in text:
            return True
    return _HAZARD_RE.search(text) is not None


# The safe-lines prefilter. The scan above tries its expression at every line break,
# colon, bracket and comma of a file (about 30 us for a record of 700 characters). But
# record files repeat their lines ("  minutes: 90", "    decision: accepted"): 49,000 demo
# files have 1.7 million lines and only 63,000 different ones. A line is *safe* if
#   (a) it holds no '|' or '>' and does not start with spaces and a digit, and
#   (b) the full scan finds nothing in it alone ("\n" + line + "\n").
# A text all of whose lines are safe is not hazardous. Why: a match of _HAZARD_RE (or a
# needle of _HAZARD_TEXT) in "\n" + text that stays within one line, with the line break
# before it and the one after it, is found by the scan of that line alone, because the
# expression looks at nothing outside what it matches but the one character it starts on
# (every lookbehind looks at that character or later, '\b' and '$' look at the next
# character, which is a line break in both). Only two branches can read past the line
# break after a line: a block scalar followed by a blank line ('|' or '>' first: excluded
# by (a)), and a date followed by spaces, line breaks and a digit ("2025-01-05\n  5": the
# digit would start a later line after spaces; excluded by (a)). Every other branch stops
# at the first line break it reads ([ ] and [^\n] classes, '\n' as its last character).
# The safe lines are remembered (per process, bounded), so a typical file needs one split
# and one set lookup per line. A line that is new is checked alone if there are few such
# lines; if there are many (the first files of a run), the full scan reads the text, and
# when it finds nothing the lines that meet (a) are remembered as safe: each line but the
# last has its line break after it in the text, so "\n" + line + "\n" is a part of
# "\n" + text, and a match in that part would be a match in the text (the same argument).
# tests/store/test_yamlio_prefilter.py checks "safe => not hazardous" on generated texts, and
# that every line remembered meets (a) and (b).
_SAFE_LINES: set[str] = set()
_SAFE_LINES_MAX = 50_000  # then start afresh (49,000 demo files have 63,000 different
# lines; a process that reads half of them meets 44,000, about 16 MB)
_SAFE_LINE_LENGTH = 100  # longer lines (notes) are checked, not remembered
_FEW_NEW_LINES = 8  # more new lines than this: the full scan is quicker than each alone
_DIGIT_START = re.compile(r"[ ]*[0-9]")


def _line_safe(line: str) -> bool:
    """(a) and (b) above for one line (without its line break)."""
    return _line_safe_a(line) and not _hazard_scan("\n" + line + "\n")


def _line_safe_a(line: str) -> bool:
    return "|" not in line and ">" not in line and _DIGIT_START.match(line) is None


def _remember(lines: list[str]) -> None:
    known = _SAFE_LINES
    if len(known) + len(lines) > _SAFE_LINES_MAX:
        known.clear()
    known.update(line for line in lines if len(line) <= _SAFE_LINE_LENGTH)


def lines_safe(text: str) -> bool:
    """True if every line of ``text`` is safe, so that ``text`` is certainly not hazardous.

    False says nothing (the full scan decides). ``text`` has its CRLF line ends made LF
    (a lone CR is never safe)."""
    lines = text.split("\n")
    if _SAFE_LINES.issuperset(lines):
        return True
    new = set(lines).difference(_SAFE_LINES)
    for line in new:
        if not _line_safe(line):
            return False
    _remember(list(new))
    return True


def _hazard(text: str) -> bool:
    """``text`` (LF line ends) is hazardous: the full scan finds something (asked only
    when not every line is known safe)."""
    lines = text.split("\n")
    known = _SAFE_LINES
    if known.issuperset(lines):
        return False
    new = set(lines).difference(known)
    if len(new) <= _FEW_NEW_LINES:
        if all(_line_safe(line) for line in new):
            _remember(list(new))
            return False
        return _hazard_scan("\n" + text)
    if _hazard_scan("\n" + text):
        return True
    _remember([line for line in lines[:-1] if line in new and _line_safe_a(line)])
    return False


@dataclass(frozen=True, slots=True)
class YamlIssue(Exception):
    """A problem with a file as YAML (before any schema is applied). 1-based position."""

    line: int
    col: int
    code: str
    message: str


def _line_col(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def decode(raw: bytes) -> str:
    """Bytes of a record file as text, or :class:`YamlIssue` for size, encoding, controls."""
    if len(raw) > MAX_FILE_BYTES:
        raise YamlIssue(1, 1, "file-too-large",
                        MSG("file-too-large", size=len(raw), limit=MAX_FILE_BYTES))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise YamlIssue(line, col, "encoding", MSG("encoding")) from None
    bad = _CONTROL_RE.search(text) if raw.translate(None, _PLAIN_BYTES) else None
    if bad is not None:
        line, col = _line_col(text, bad.start())
        if bad.start() == 0 and bad.group() == "\ufeff":
            raise YamlIssue(1, 1, "control-character", MSG("bom"))
        raise YamlIssue(line, col, "control-character",
                        MSG("control-character", code=f"{ord(bad.group()):04X}"))
    if not text.strip():
        raise YamlIssue(1, 1, "empty-file", MSG("empty-file"))
    return text


def is_hazardous(text: str) -> bool:
    """True if the fast reader must leave ``text`` to the exact reader."""
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    return _hazard(text)


# --- line reader -------------------------------------------------------------------------
#
# Most record files are nothing but "key: value", "key: [a, b]", "key:" and "- ..." lines
# with codes, dates, whole numbers and words, and they repeat their lines from file to
# file. The line reader reads exactly that layout in Python, a line at a time, remembering
# what each line says (so a typical file costs one split, one lookup per line and the
# assembling of its mappings and lists), and gives up on anything else: rapidyaml, then
# ruamel.yaml, read what it gives up on. Its rules, each chosen so that the meaning is the
# one YAML 1.2 (ruamel.yaml) gives, or it gives up:
#
# * indentation with spaces; a line is "[- ]key:", "[- ]key: value" or "- value" (one
#   "- " and one space after it), a comment or blank; " #" starts a comment;
# * a key starts with a letter and holds letters, digits, '_', '.', '-' and single
#   spaces (never true, false or null in any case: YAML reads those as a boolean or null);
# * a value is a flow list "[a, b]" of the values below (no nested lists, no empty items)
#   or: an integer without a leading zero, a decimal number "1.5", a date "2025-01-31" or
#   month "2023-05" (read as text: ruamel.yaml's date is written back as the same text,
#   and a date that does not exist is text to it), true, false, null, or text that starts
#   with a letter and holds letters, digits, spaces and . ' ( ) / + - (and ',' outside a
#   flow list). Text that starts with a letter is text to YAML 1.2 unless it is true, false
#   or null, in any case (which the reader gives up on, except the three lower-case words);
#   text that starts with a digit ("1g1p") is read only if it holds one of the letters
#   g h j k l m p q r s u v w y z, which no number, date or time of YAML 1.2 holds (they
#   use only digits, _ + - . : and the letters of 0b 0o 0x, a-f, e, inf, nan, T, t and Z);
# * a mapping's keys in one column; a nested mapping or list further right, or a list in
#   the key's column; a line further right than it can belong, a key twice, a list item
#   with its content on the next line: give up.
#
# tests/store/test_yamlio_lines.py proves "the line reader takes a text => it reads what
# ruamel.yaml reads" on generated documents, hand-picked texts and the demo tree.

_KEYV, _KEY, _ITEM, _DASH = 0, 1, 2, 3  # kinds of token: key with value, key, item, "- "
_Token = tuple[int, int, str | None, Any]  # column, kind, key, value
_END: _Token = (-1, _DASH, None, None)  # after the last token
_LINE_KEY = re.compile(r"([^\W\d_][\w.-]*(?:[ ][\w.-]+)*):(?:[ ]+(.*))?\Z")
_LINE_TEXT = re.compile(r"[^\W\d_][\w.'()/+,-]*(?:[ ]+[\w.'()/+,-]+)*\Z")
_LINE_FLOW_TEXT = re.compile(r"[^\W\d_][\w.'()/+-]*(?:[ ]+[\w.'()/+-]+)*\Z")
_INT_DIGITS = sys.get_int_max_str_digits() or 1 << 62  # 0: no limit
_LINE_INT = re.compile(r"(?:0|-?[1-9][0-9]*)\Z")
_LINE_FLOAT = re.compile(r"-?(?:0|[1-9][0-9]*)\.[0-9]+\Z")
_LINE_DATE = re.compile(r"[0-9]{4}-[0-9]{2}(?:-[0-9]{2})?\Z")  # read as text (see above)
_LINE_DIGIT_TEXT = re.compile(r"[0-9][\w.'()/+-]*(?:[ ]+[\w.'()/+-]+)*\Z")
_LINE_NOT_NUMBER = re.compile(r"[ghjklmpqrsuvwyzGHJKLMPQRSUVWYZ]")
# a sealed value (hs.records.sealed): a plain scalar, ':' never followed by a space
_LINE_SEALED = re.compile(r"hs1:[A-Za-z0-9_-]+\Z")
_LINE_WORDS: dict[str, Any] = {"true": True, "false": False, "null": None}
_LINE_KEY_MAX = 100  # ruamel.yaml refuses a key of over 1024 characters
_NO: Any = object()
_LINES: dict[str, tuple[_Token, ...] | None] = {}
_LINES_MAX = 50_000  # then start afresh (as _SAFE_LINES)
_LINE_LENGTH = 100  # longer lines (notes) are read, not remembered


class _GiveUp(Exception):
    pass


_SCALARS: dict[Any, Any] = {}  # equal texts and whole numbers read as one object
_SCALARS_MAX = 100_000


def _one(value: Any) -> Any:
    """``value`` (a text or an int), as the object read before for an equal one: codes and
    days recur in every record, and a cache written with marshal then holds each once."""
    if len(_SCALARS) >= _SCALARS_MAX:
        _SCALARS.clear()
    return _SCALARS.setdefault((type(value), value), value)


def _line_scalar(s: str, flow: bool) -> Any:
    first = s[0]
    if first.isdigit() or first == "-":
        if _LINE_INT.match(s):
            if len(s) > _INT_DIGITS:  # int() refuses it: the exact reader says where
                return _NO
            return _one(int(s))
        if _LINE_FLOAT.match(s):
            return float(s)
        if _LINE_DATE.match(s):
            return _one(s)
        if first != "-" and _LINE_DIGIT_TEXT.match(s) and _LINE_NOT_NUMBER.search(s):
            return _one(s)
        return _NO
    if s in _LINE_WORDS:
        return _LINE_WORDS[s]
    if not flow and first == "h" and _LINE_SEALED.match(s):
        return s  # unique: not remembered
    if (_LINE_FLOW_TEXT if flow else _LINE_TEXT).match(s) is None or \
            s.lower() in _LINE_WORDS:
        return _NO
    return _one(s)


def _line_value(s: str) -> Any:
    """A value after "key: " or "- " (a flow list as a tuple), or _NO."""
    if s[0] != "[":
        return _line_scalar(s, False)
    if s[-1] != "]":
        return _NO
    inner = s[1:-1]
    if not inner.strip(" "):
        return ()
    items = []
    for part in inner.split(","):
        part = part.strip(" ")
        if not part:
            return _NO
        value = _line_scalar(part, True)
        if value is _NO:
            return _NO
        items.append(value)
    return tuple(items)


def _line_tokens(line: str) -> tuple[_Token, ...] | None:
    """What one line says, or None if the line reader does not read it."""
    cut = line.find(" #")
    if cut >= 0:
        line = line[:cut]
    body = line.lstrip(" ")
    if not body or body[0] == "#":
        return ()
    col = len(line) - len(body)
    body = body.rstrip(" ")
    out: list[_Token] = []
    if body[0] == "-":
        if body[1:2] != " " or body[2:3] in (" ", ""):
            return None  # "-x", "-  x", a lone "-": not read here
        out.append((col, _DASH, None, None))
        col += 2
        body = body[2:]
        m = _LINE_KEY.match(body)
        if m is None:
            value = _line_value(body)
            if value is _NO:
                return None
            out.append((col, _ITEM, None, value))
            return tuple(out)
    else:
        m = _LINE_KEY.match(body)
        if m is None:
            return None
    key, rest = _one(m.group(1)), m.group(2)
    if key.lower() in _LINE_WORDS or len(key) > _LINE_KEY_MAX:
        return None
    if not rest:
        out.append((col, _KEY, key, None))
    else:
        value = _line_value(rest)
        if value is _NO:
            return None
        out.append((col, _KEYV, key, value))
    return tuple(out)


def _line_load(text: str) -> Any:
    """The data of ``text`` (LF line ends) by the line reader, or _NO."""
    tokens: list[_Token] = []
    extend = tokens.extend
    known = _LINES
    get = known.get
    for line in text.split("\n"):
        found = get(line, _NO)
        if found is _NO:
            found = _line_tokens(line)
            if len(line) <= _LINE_LENGTH:
                if len(known) >= _LINES_MAX:
                    known.clear()
                known[line] = found
        if found is None:
            return _NO
        extend(found)
    if not tokens or tokens[0][0] != 0 or tokens[0][1] > _KEY:
        return _NO  # a record is a mapping
    tokens.append(_END)
    try:
        data, end = _line_mapping(tokens, 0, 0)
    except (_GiveUp, IndexError):
        return _NO
    return data if end == len(tokens) - 1 else _NO


def _line_mapping(tokens: list[_Token], i: int, col: int) -> tuple[dict[str, Any], int]:
    """The block mapping whose first key is ``tokens[i]``, at column ``col``. ``tokens``
    ends with _END, which is left of every column."""
    out: dict[str, Any] = {}
    while True:
        _, kind, key, value = tokens[i]
        if key in out:
            raise _GiveUp  # the exact reader says where
        i += 1
        t = tokens[i]
        c = t[0]
        if kind == _KEYV:
            out[key] = list(value) if type(value) is tuple else value  # type: ignore[index]
        else:
            if c > col:
                if t[1] == _DASH:
                    value, i = _line_sequence(tokens, i, c)
                else:
                    value, i = _line_mapping(tokens, i, c)
                t = tokens[i]
                c = t[0]
            elif c == col and t[1] == _DASH:
                value, i = _line_sequence(tokens, i, col)
                t = tokens[i]
                c = t[0]
            out[key] = value  # type: ignore[index]
        if c == col and t[1] <= _KEY:
            continue
        if c < col:
            return out, i
        raise _GiveUp


def _line_sequence(tokens: list[_Token], i: int, col: int) -> tuple[list[Any], int]:
    """The block list whose first "- " is ``tokens[i]``, at column ``col``."""
    out: list[Any] = []
    while True:
        c, kind, _, value = tokens[i + 1]
        if kind == _ITEM:
            out.append(list(value) if type(value) is tuple else value)
            i += 2
        elif kind <= _KEY:
            # most items are a few "key: value" lines (a visit, a decision): read those
            # here; an item that nests goes to _line_mapping from its first key
            j = i + 1
            item: dict[str, Any] = {}
            while True:
                t = tokens[j]
                if t[1] != _KEYV or t[0] != c or t[2] in item:
                    break
                v = t[3]
                item[t[2]] = list(v) if type(v) is tuple else v  # type: ignore[index]
                j += 1
            if t[0] < c:
                i = j
            else:
                item, i = _line_mapping(tokens, i + 1, c)
            out.append(item)
        else:
            raise _GiveUp
        t = tokens[i]
        c = t[0]
        if c == col and t[1] == _DASH:
            continue
        if c < col or (c == col and t[1] <= _KEY):
            return out, i
        raise _GiveUp


# --- fast reader ---------------------------------------------------------------------------

_quiet_depth = 0


@contextlib.contextmanager
def quiet_stderr() -> Iterator[None]:
    """rapidyaml prints parse errors on the C stderr; keep them off the user's screen.

    Wrap a loop over many files in this once; a single call of the fast reader outside
    it silences stderr by itself."""
    global _quiet_depth
    if _quiet_depth:
        _quiet_depth += 1
        try:
            yield
        finally:
            _quiet_depth -= 1
        return
    try:
        saved = os.dup(2)
    except OSError:
        saved = -1
    devnull = os.open(os.devnull, os.O_WRONLY) if saved >= 0 else -1
    if saved >= 0:
        os.dup2(devnull, 2)
    _quiet_depth += 1
    try:
        yield
    finally:
        _quiet_depth -= 1
        if saved >= 0:
            os.dup2(saved, 2)
            os.close(saved)
            os.close(devnull)


class _Duplicate(Exception):
    pass


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    d = dict(pairs)
    if len(d) != len(pairs):
        raise _Duplicate
    return d


_DECODER = json.JSONDecoder(object_pairs_hook=_pairs)


def _ryml_json(text: str) -> str | None:
    import ryml  # lazy: rapidyaml only when a file is parsed

    try:
        tree = ryml.parse_in_arena(text.encode("utf-8"))
        out = ryml.emit_json(tree)
    except Exception:
        return None  # the exact reader gives the position and the message
    if out is None:
        return None  # no document at all (only comments): the exact reader says so
    return out if isinstance(out, str) else bytes(out).decode("utf-8")


_NOT_FAST: Any = object()


def _ryml(text: str) -> tuple[str, Any] | None:
    """(JSON text, data) by rapidyaml of ``text`` (LF line ends), else None."""
    if _hazard(text):
        return None
    if _quiet_depth:
        out = _ryml_json(text)
    else:
        with quiet_stderr():
            out = _ryml_json(text)
    if out is None:
        return None
    try:
        return out, _DECODER.decode(out)
    except (ValueError, _Duplicate, RecursionError):
        return None


def fast_load(text: str) -> Any:
    """The data of a simple block-YAML document, or :data:`NOT_FAST` where the exact reader
    must go (a hazard, or anything rapidyaml or JSON cannot take).

    The line reader takes the plainest documents; rapidyaml the others it can. A
    duplicate key also sends the file to the exact reader, which says where it is.
    Callers doing many files should wrap the loop in :func:`quiet_stderr`."""
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    data = _line_load(text)
    if data is not _NO:
        return data
    found = _ryml(text)
    return _NOT_FAST if found is None else found[1]


NOT_FAST = _NOT_FAST


def fast_json(text: str) -> bytes | None:
    """JSON bytes of a simple block-YAML document, or None where the exact reader must go
    (a document with a duplicate key too). :func:`fast_load` gives the data directly."""
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    data = _line_load(text)
    if data is not _NO:
        return json.dumps(data, ensure_ascii=False).encode("utf-8")
    found = _ryml(text)
    return None if found is None else found[0].encode("utf-8")


# --- exact reader --------------------------------------------------------------------------

_CONSTRUCTOR: list[Any] = []


def _constructor() -> Any:
    # lazy: ruamel.yaml only for the exact reader
    from ruamel.yaml.constructor import RoundTripConstructor

    class Constructor(RoundTripConstructor):
        """Round trip, but a date that does not exist, ``=`` and ``<<`` are text."""

        def construct_yaml_timestamp(self, node: Any, values: Any = None) -> Any:
            try:
                return super().construct_yaml_timestamp(node, values)
            except ValueError:
                return self.construct_scalar(node)

        def construct_plain_text(self, node: Any) -> Any:
            return str(self.construct_scalar(node))

    Constructor.add_constructor("tag:yaml.org,2002:timestamp",
                                Constructor.construct_yaml_timestamp)
    Constructor.add_constructor("tag:yaml.org,2002:value", Constructor.construct_plain_text)
    Constructor.add_constructor("tag:yaml.org,2002:merge", Constructor.construct_plain_text)
    return Constructor


def _yaml() -> Any:
    """A fresh ruamel.yaml round-trip instance. Never reuse one: a document with a
    ``%YAML 1.1`` directive would leave it reading the next documents as YAML 1.1."""
    from ruamel.yaml import YAML  # lazy: ruamel.yaml only for the exact reader

    if not _CONSTRUCTOR:
        _CONSTRUCTOR.append(_constructor())
    y = YAML(typ="rt")
    y.Constructor = _CONSTRUCTOR[0]
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


_SYNTAX_HINTS = (
    ("mapping values are not allowed", "syntax-colon"),
    ("could not find expected ':'", "syntax-no-colon"),
    ("expected <block end>", "syntax-indent"),
    ("expected a comment or a line break", "syntax-indent"),
    ("while scanning a quoted scalar", "syntax-quote"),
    ("found unexpected end of stream", "syntax-quote"),
    ("'\\t'", "syntax-tab"),
)


def _syntax_issue(exc: Exception) -> YamlIssue:
    line, col = _mark(exc)
    problem = str(getattr(exc, "problem", None) or exc)
    context = str(getattr(exc, "context", None) or "")
    detail = " ".join(problem.split())
    for needle, key in _SYNTAX_HINTS:
        if needle in problem or needle in context:
            if key == "syntax-quote" and getattr(exc, "context_mark", None) is not None:
                line = exc.context_mark.line + 1  # type: ignore[attr-defined]
                col = exc.context_mark.column + 1  # type: ignore[attr-defined]
            return YamlIssue(line, col, "yaml-syntax", MSG("yaml-syntax", detail=MSG(key)))
    start = re.search(r"found character '(.)' that cannot start any token", problem)
    if start is not None:
        return YamlIssue(line, col, "yaml-syntax",
                         MSG("yaml-syntax", detail=MSG("syntax-start", char=start.group(1))))
    return YamlIssue(line, col, "yaml-syntax", MSG("yaml-syntax", detail=detail))


def _check_events(text: str) -> None:
    """Reject what a record must not use: anchors, aliases, tags, directives, several
    documents."""
    from ruamel.yaml import events as ev  # lazy: ruamel.yaml only for the exact reader
    from ruamel.yaml.error import MarkedYAMLError

    docs = 0
    try:
        for event in _yaml().parse(io.StringIO(text)):
            line, col = event.start_mark.line + 1, event.start_mark.column + 1
            if isinstance(event, ev.DocumentStartEvent):
                docs += 1
                if docs > 1:
                    raise YamlIssue(line, col, "several-documents", MSG("several-documents"))
                if getattr(event, "version", None) or getattr(event, "tags", None):
                    raise YamlIssue(1, 1, "directive", MSG("directive"))
            elif isinstance(event, ev.AliasEvent):
                raise YamlIssue(line, col, "alias", MSG("alias"))
            elif isinstance(event, ev.NodeEvent) and event.anchor is not None:
                raise YamlIssue(line, col, "anchor", MSG("anchor"))
            tag = getattr(event, "tag", None)
            if isinstance(event, ev.NodeEvent) and tag is not None:
                shown = str(tag).replace("tag:yaml.org,2002:", "!!")
                raise YamlIssue(line, col, "tag", MSG("tag", tag=shown))
    except MarkedYAMLError as exc:
        raise _syntax_issue(exc) from None
    except RecursionError:
        raise YamlIssue(1, 1, "too-deep", MSG("too-deep")) from None
    except YamlIssue:
        raise
    except Exception:  # ruamel.yaml trips over its own asserts on some odd layouts
        raise YamlIssue(1, 1, "yaml-syntax", MSG("yaml-syntax", detail=MSG("unreadable")))\
            from None


def load_document(text: str, *, checked: bool = False) -> Any:
    """The exact reader: a ruamel.yaml round-trip document (with positions and comments).

    ``checked``: the text is known to be a valid record already (it only needs reading
    for positions), so the pass that looks for anchors, tags and the like is skipped."""
    # lazy: ruamel.yaml only for the exact reader
    from ruamel.yaml.constructor import DuplicateKeyError
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    if not checked:
        _check_events(text)
    try:
        return _yaml().load(text)
    except DuplicateKeyError as exc:
        line, col = _mark(exc)
        key = re.search(r'found duplicate key "([^"]*)"', str(exc))
        name = key.group(1) if key else "?"
        raise YamlIssue(line, col, "duplicate-key", MSG("duplicate-key", key=name)) from None
    except MarkedYAMLError as exc:
        raise _syntax_issue(exc) from None
    except RecursionError:
        raise YamlIssue(1, 1, "too-deep", MSG("too-deep")) from None
    except (YAMLError, ValueError, TypeError) as exc:
        raise YamlIssue(1, 1, "yaml-syntax",
                        MSG("yaml-syntax", detail=" ".join(str(exc).split()))) from None
    except Exception:  # ruamel.yaml trips over its own asserts on some odd layouts
        raise YamlIssue(1, 1, "yaml-syntax", MSG("yaml-syntax", detail=MSG("unreadable")))\
            from None


def plain(data: Any) -> Any:
    """Round-trip data as JSON data: dates as ISO strings, keys as strings.

    Raises :class:`YamlIssue` for a key that is a list or mapping, and for two keys that
    are the same text (``1:`` and ``'1':``)."""
    if isinstance(data, dict):
        out: dict[str, Any] = {}
        for k, v in data.items():
            key = _key(data, k)
            if key in out:
                line, col = _key_position(data, k)
                raise YamlIssue(line, col, "duplicate-key", MSG("duplicate-key", key=key))
            out[key] = plain(v)
        return out
    if isinstance(data, list | tuple):
        return [plain(v) for v in data]
    if isinstance(data, dt.datetime | dt.date):
        return data.isoformat()
    if isinstance(data, bool) or data is None:
        return data
    if isinstance(data, int):
        return int(data)
    if isinstance(data, float):
        return float(data)
    if isinstance(data, str):
        return str(data)
    value = getattr(data, "value", None)  # a TaggedScalar, should one get through
    if isinstance(value, str):
        return value
    return data


def _key_position(mapping: Any, k: Any) -> tuple[int, int]:
    lc = getattr(mapping, "lc", None)
    try:
        kl, kc = lc.key(k)  # type: ignore[union-attr]
        return kl + 1, kc + 1
    except Exception:
        return 1, 1


def _key(mapping: Any, k: Any) -> str:
    if isinstance(k, bool):
        return "true" if k else "false"
    if k is None:
        return "null"
    if isinstance(k, dt.date):
        return k.isoformat()
    if isinstance(k, str | int | float):
        return str(k)
    line, col = _key_position(mapping, k)
    raise YamlIssue(line, col, "complex-key", MSG("complex-key"))


def load_plain(text: str) -> Any:
    """A document as JSON data by either reader (fast where safe). Raises YamlIssue."""
    data = fast_load(text)
    if data is not _NOT_FAST:
        return data
    try:
        return plain(load_document(text))
    except RecursionError:
        raise YamlIssue(1, 1, "too-deep", MSG("too-deep")) from None


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
        value = node[last]
        if value is None or (isinstance(value, dict | list) and value and not _is_flow(value)):
            return position(doc, loc)  # nothing or a block under the key: point at the key
        try:
            vl, vc = lc.value(last)
            return vl + 1, vc + 1
        except (KeyError, TypeError, AttributeError):
            pass
    return position(doc, loc)


def _is_flow(node: Any) -> bool:
    fa = getattr(node, "fa", None)
    return bool(fa is not None and fa.flow_style())


def first_key_position(doc: Any) -> tuple[int, int]:
    """Where the first key of a mapping document is (1, 1 if unknown)."""
    if isinstance(doc, dict) and doc:
        return position(doc, (next(iter(doc)),))
    return 1, 1


# --- positions without ruamel.yaml ------------------------------------------------------
#
# Error messages need the line and column of a key or value. ruamel.yaml finds them, at
# several milliseconds a file; a tree where a vocabulary change makes thousands of records
# wrong would take minutes. For the block layout the fast reader takes, a scan of the lines
# finds the same positions (the tests compare both on generated documents and the demo
# tree); anything it does not follow exactly makes it give up, and ruamel.yaml is used.

Loc = tuple[str | int, ...]
_Entry = tuple[int, int, int, int, str]  # key line, key col, value line, value col, kind


class _Unsure(Exception):
    pass


_COMMENT_OR_BLANK = re.compile(r"[ ]*(?:#.*)?$")


class _LineScan:
    """0-based positions of every key, value and list item of a block YAML document."""

    def __init__(self, text: str):
        self.lines = text.split("\n")
        self.out: dict[Loc, _Entry] = {}
        self.first: tuple[int, int] | None = None

    def meaningful(self, i: int) -> int:
        """The first line at or after ``i`` with content (not blank, not a comment)."""
        lines = self.lines
        while i < len(lines) and _COMMENT_OR_BLANK.match(lines[i]):
            i += 1
        return i

    def indent(self, i: int) -> int:
        line = self.lines[i]
        return len(line) - len(line.lstrip(" "))

    def skip_more_indented(self, i: int, col: int) -> int:
        """Past the lines that belong to a scalar at a column greater than ``col``."""
        lines = self.lines
        while i < len(lines) and (not lines[i].strip() or self.indent(i) > col):
            i += 1
        return self.meaningful(i)

    def run(self) -> None:
        i = self.meaningful(0)
        if i >= len(self.lines) or self.indent(i) != 0 or self.key(i, 0) is None:
            raise _Unsure  # records are mappings
        end = self.node(i, 0, (), -1)
        if end < len(self.lines):
            raise _Unsure

    def node(self, i: int, col: int, loc: Loc, parent: int) -> int:
        content = self.lines[i][col:]
        if content == "-" or content.startswith("- "):
            return self.sequence(i, col, loc)
        key = self.key(i, col)
        if key is not None:
            return self.mapping(i, col, loc)
        if loc and isinstance(loc[-1], int):
            if content[:1] == "[":
                return self.flow(i, col, loc)
            if content[:1] not in ("|", ">"):
                self.scalar_kind(content)
            return self.skip_more_indented(i + 1, parent)
        raise _Unsure

    def sequence(self, i: int, col: int, loc: Loc) -> int:
        index = 0
        while True:
            line = self.lines[i]
            c2 = col + 1
            while c2 < len(line) and line[c2] == " ":
                c2 += 1
            if c2 >= len(line) or line[c2] == "#":
                raise _Unsure  # the item's content on the next line
            here = (*loc, index)
            self.out[here] = (i, c2, i, c2, "item")
            i = self.node(i, c2, here, col)
            if i < len(self.lines) and self.indent(i) == col and (
                    self.lines[i][col:] == "-" or self.lines[i][col:].startswith("- ")):
                index += 1
                continue
            return i

    def key(self, i: int, col: int) -> tuple[str, int] | None:
        """The key at (i, col) and the column just past its colon, or None."""
        line = self.lines[i]
        rest = line[col:]
        if rest[:1] in ("'", '"'):
            q = rest[0]
            j = 1
            text = []
            while True:
                k = rest.find(q, j)
                if k < 0:
                    raise _Unsure
                text.append(rest[j:k])
                if q == "'" and rest[k + 1:k + 2] == "'":
                    text.append("'")
                    j = k + 2
                    continue
                break
            after = rest[k + 1:]
            stripped = after.lstrip(" ")
            if stripped[:1] != ":" or stripped[1:2] not in ("", " "):
                return None
            return "".join(text), col + (len(rest) - len(stripped)) + 1
        m = _PLAIN_KEY.match(rest)
        if m is None:
            return None
        return m.group(1).rstrip(" "), col + m.end()

    def mapping(self, i: int, col: int, loc: Loc) -> int:
        lines = self.lines
        while True:
            found = self.key(i, col)
            if found is None:
                raise _Unsure
            key, after = found
            here = (*loc, key)
            if here in self.out:
                raise _Unsure
            if self.first is None:
                self.first = (i, col)
            line = lines[i]
            v = after
            while v < len(line) and line[v] == " ":
                v += 1
            if v >= len(line) or line[v] == "#":
                j = self.meaningful(i + 1)
                if j < len(lines) and (self.indent(j) > col or (
                        self.indent(j) == col and (lines[j][col:] == "-"
                                                   or lines[j][col:].startswith("- ")))):
                    self.out[here] = (i, col, j, self.indent(j), "block")
                    i = self.node(j, self.indent(j), here, col)
                else:
                    self.out[here] = (i, col, i, v, "none")
                    i = j
            else:
                first = line[v]
                if first == "[":
                    self.out[here] = (i, col, i, v, "flow")
                    i = self.flow(i, v, here)
                elif first in "|>":
                    self.out[here] = (i, col, i, v, "scalar")
                    i = self.skip_more_indented(i + 1, col)
                else:
                    kind = self.scalar_kind(line[v:])
                    self.out[here] = (i, col, i, v, kind)
                    i = self.skip_more_indented(i + 1, col)
            if i < len(lines) and self.indent(i) == col and not (
                    lines[i][col:] == "-" or lines[i][col:].startswith("- ")):
                continue
            if i < len(lines) and self.indent(i) > col:
                raise _Unsure
            return i

    def scalar_kind(self, content: str) -> str:
        if content[:1] in ("'", '"'):
            q = content[0]
            body = content[1:].replace(q * 2, "") if q == "'" else content[1:]
            if q not in body:
                raise _Unsure  # goes on over the line end
            return "scalar"
        if content[:1] in "{&*!%@`":
            raise _Unsure
        value = content.split(" #", 1)[0].rstrip(" ")
        return "none" if value in ("null", "") else "scalar"

    def flow(self, i: int, col: int, loc: Loc) -> int:
        """Items of a flow list starting at (i, col), which may go on over lines."""
        line_no, c = self.flow_items(i, col, loc)
        if not _COMMENT_OR_BLANK.match(self.lines[line_no][c:]):
            raise _Unsure
        return self.meaningful(line_no + 1)

    def flow_items(self, line_no: int, c: int, loc: Loc) -> tuple[int, int]:
        """Record the items of the list whose '[' is at (line_no, c); return the position
        just past its ']'."""
        lines = self.lines
        index = 0
        expect_item = True
        c += 1
        while True:
            line = lines[line_no]
            while c < len(line):
                ch = line[c]
                if ch == "]":
                    return line_no, c + 1
                if ch == ",":
                    if expect_item:
                        raise _Unsure  # [a,, b]
                    expect_item = True
                    c += 1
                    continue
                if ch in "{#":
                    raise _Unsure
                if ch == " ":
                    c += 1
                    continue
                if not expect_item:
                    raise _Unsure  # [a b] across a quote, and the like
                here = (*loc, index)
                self.out[here] = (line_no, c, line_no, c, "item")
                index += 1
                expect_item = False
                if ch == "[":
                    line_no, c = self.flow_items(line_no, c, here)
                    line = lines[line_no]
                    continue
                if ch in "'\"":
                    k = line.find(ch, c + 1)
                    while ch == "'" and k >= 0 and line[k + 1:k + 2] == "'":
                        k = line.find(ch, k + 2)
                    if k < 0:
                        raise _Unsure
                    c = k + 1
                    continue
                while c < len(line) and line[c] not in ",]":
                    if line[c] == "#" and line[c - 1] == " ":
                        raise _Unsure
                    c += 1
            line_no += 1
            c = 0
            if line_no >= len(lines):
                raise _Unsure


_PLAIN_KEY = re.compile(r"([^\s'\"#\[\]{},&*!|>%@`?:-](?:[^:#]|#(?<! #)|:(?=[^ ]))*?)[ ]*:(?: |$)")


class Positions:
    """Where the keys and values of one file are, 1-based; from a line scan where the
    layout allows, else from ruamel.yaml. ``None`` positions are (1, 1)."""

    def __init__(self, text: str, *, checked: bool = True):
        self._scan: dict[Loc, _Entry] | None = None
        self._first: tuple[int, int] | None = None
        self._doc: Any = None
        if not is_hazardous(text) and "\r" not in text:
            scan = _LineScan(text)
            try:
                scan.run()
                self._scan, self._first = scan.out, scan.first
                return
            except (_Unsure, IndexError):
                pass
        try:
            self._doc = load_document(text, checked=checked)
        except (YamlIssue, RecursionError):
            self._doc = None

    @property
    def scanned(self) -> bool:
        return self._scan is not None

    def key(self, loc: Loc) -> tuple[int, int]:
        """Like :func:`position`: the key (or list item) of the deepest part found."""
        if self._scan is None:
            return position(self._doc, loc) if self._doc is not None else (1, 1)
        line, col = 1, 1
        for k in range(1, len(loc) + 1):
            e = self._scan.get(loc[:k])
            if e is None:
                break
            line, col = e[0] + 1, e[1] + 1
        return line, col

    def value(self, loc: Loc) -> tuple[int, int]:
        """Like :func:`value_position`."""
        if self._scan is None:
            return value_position(self._doc, loc) if self._doc is not None else (1, 1)
        if not loc:
            return 1, 1
        e = self._scan.get(loc)
        if e is None or e[4] in ("none", "block", "item"):
            return self.key(loc)
        return e[2] + 1, e[3] + 1

    def first_key(self) -> tuple[int, int]:
        if self._scan is None:
            return first_key_position(self._doc) if self._doc is not None else (1, 1)
        return (self._first[0] + 1, self._first[1] + 1) if self._first else (1, 1)


# --- writing -------------------------------------------------------------------------------


def dump_document(doc: Any) -> str:
    """A round-trip document as text, in the layout ``hs`` writes."""
    stream = io.StringIO()
    _yaml().dump(doc, stream)
    return stream.getvalue()


def new_document(data: dict[str, Any], header: str | None = None) -> str:
    """Text for a new record file from plain data, with an optional comment header."""
    from ruamel.yaml.comments import CommentedMap  # lazy: ruamel.yaml only for a round-trip edit

    doc = to_document(data)
    assert isinstance(doc, CommentedMap)
    body = dump_document(doc)
    return (header + "\n" if header else "") + body


def to_document(data: Any) -> Any:
    """Plain data as round-trip nodes (so that dates are written unquoted)."""
    # lazy: ruamel.yaml only for a round-trip edit
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if isinstance(data, dict):
        m = CommentedMap()
        for k, v in data.items():
            m[k] = to_document(v)
        return m
    if isinstance(data, list):
        s = CommentedSeq(to_document(v) for v in data)
        if data and len(data) <= 12 and all(_flow_safe(v) for v in data):
            s.fa.set_flow_style()
        return s
    if isinstance(data, str) and _ISO_DATE.match(data):
        try:
            return dt.date.fromisoformat(data)
        except ValueError:
            return data  # not a real date: written (quoted) as text
    return data


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Items a short list is written inline for: ``[nl, ar]``. Anything else goes one a line,
# because ruamel.yaml writes some strings unquoted in a flow list that it then reads back
# differently (``[?0]``).
_FLOW_WORD = re.compile(r"^[^\W_](?:[\w .-]*[\w.])?$")


def _flow_safe(value: Any) -> bool:
    if isinstance(value, bool) or value is None:
        return False
    if isinstance(value, int | float):
        return True
    return isinstance(value, str) and _FLOW_WORD.match(value) is not None
