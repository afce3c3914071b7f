"""A dated item put into a record's list by inserting its lines: the round trip without
ruamel.yaml, for the plain layout ``hs`` writes.

``hs visit`` adds one visit to a trajectory; the round trip (:mod:`hs.store.splice`)
reads the file with ruamel.yaml twice and writes it once to do so, a tenth of a second
even on a small tree. :func:`insert_dated` does it as text where the list is in the
plain layout ``hs`` writes and people keep (``key:`` at the top level, then items
``- date: YYYY-MM-DD`` each followed by its ``  field: value`` lines, no comment or blank
line among them, the next top-level key or the end of the file after them): the new
item's lines go where the round trip puts the item (after the last item with a date not
later than its own), in the layout the round trip gives them. Anything else is left to
the round trip (``None``). The result is checked: read back, it must be the old data with
the item in its place.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from hs.store.yamlio import YamlIssue, load_plain

_ITEM = re.compile(r"( *)- date: ([0-9]{4}-[0-9]{2}-[0-9]{2})\n")
_PLAIN_VALUE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}|[1-9][0-9]{0,5}")
_TOP_KEY = re.compile(r"[a-z_]+:( |\n)")


def insert_dated(text: str, key: str, item: Mapping[str, Any]) -> str | None:
    """``text`` with ``item`` (its first field ``date``, an ISO date; the others whole
    numbers) inserted into the top-level list ``key``, after its last item dated no later;
    None if the text or the item is not in the plain layout (then use the round trip)."""
    fields = list(item.items())
    if not fields or fields[0][0] != "date" or not text.endswith("\n"):
        return None
    for name, value in fields:
        shown = str(value)
        if not re.fullmatch(r"[a-z_]+", name) or type(value) not in (str, int) \
                or not _PLAIN_VALUE.fullmatch(shown):
            return None
    day = str(fields[0][1])
    lines = text.splitlines(keepends=True)
    found = _block(lines, key)
    if found is None:
        return None
    dash, starts, end = found
    dates = [_ITEM.fullmatch(lines[i]).group(2) for i in starts]  # type: ignore[union-attr]
    pos = len(starts)
    while pos > 0 and dates[pos - 1] > day:
        pos -= 1
    at = starts[pos] if pos < len(starts) else end
    pad = " " * dash
    new_lines = [f"{pad}- date: {day}\n"] + [f"{pad}  {name}: {value}\n"
                                              for name, value in fields[1:]]
    result = "".join(lines[:at] + new_lines + lines[at:])
    return result if _same_but_one(text, result, key, pos, fields) else None


def _block(lines: list[str], key: str) -> tuple[int, list[int], int] | None:
    """Where the top-level list ``key`` is: its items' dash column, the line of each item
    and the line after the list; None if it is not in the plain layout."""
    heads = [i for i, line in enumerate(lines) if line == f"{key}:\n"]
    if len(heads) != 1 or heads[0] + 1 >= len(lines):
        return None
    first = _ITEM.fullmatch(lines[heads[0] + 1])
    if first is None:
        return None
    dash = len(first.group(1))
    inner = " " * (dash + 2)
    starts: list[int] = []
    i = heads[0] + 1
    while i < len(lines):
        line = lines[i]
        if line.startswith(" " * dash + "- "):
            if _ITEM.fullmatch(line) is None or len(line) - len(line.lstrip(" ")) != dash:
                return None
            starts.append(i)
        elif not (line.startswith(inner) and line[len(inner):len(inner) + 1].isalpha()):
            break
        i += 1
    if i < len(lines) and _TOP_KEY.match(lines[i]) is None:
        return None  # a comment, a blank line or another layout after the list
    return dash, starts, i


def _same_but_one(old: str, new: str, key: str, pos: int,
                  fields: list[tuple[str, Any]]) -> bool:
    """Whether ``new`` reads as ``old`` with the item at ``pos`` of ``key``."""
    try:
        before, after = load_plain(old), load_plain(new)
    except (YamlIssue, RecursionError, ValueError):
        return False
    if not isinstance(before, dict) or not isinstance(before.get(key), list):
        return False
    want = dict(before)
    want[key] = [*before[key][:pos], {name: value for name, value in fields},
                 *before[key][pos:]]
    return bool(after == want)
