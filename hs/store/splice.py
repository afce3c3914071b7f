"""Write back an edited record while keeping every untouched line byte for byte.

ruamel.yaml's round trip keeps comments, key order and quoting, but it re-indents the
whole document to one style (``key:   value`` becomes ``key: value``, an indented list
``  - item`` moves to column 0). A coordinator who edits files by hand, or whose editor
formats YAML its own way, should not see a whole file rewritten because ``hs visit``
appended one line. :func:`splice` therefore takes the text ruamel would write and keeps,
from the old text, every mapping entry and list item whose data did not change, down to
the innermost changed node; only changed or new nodes come from ruamel's output, shifted
to the indentation the file already uses. Trailing comments stay where they were.

The result is checked: it must parse to exactly the data of the edited document. If it
does not (an exotic layout this module does not follow), the plain ruamel output is used,
which is correct too, only less faithful to the old layout.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from hs.store.yamlio import dump_document, load_document, load_plain, plain


class _Fallback(Exception):
    """The layout is beyond what splicing handles: use ruamel's output."""


def splice(old_text: str, new_doc: Any, old_doc: Any = None) -> str:
    """The text of ``new_doc`` (an edited round-trip document of ``old_text``), keeping the
    old text of every part whose data is unchanged. ``old_doc``: the document of
    ``old_text`` as :func:`~hs.store.yamlio.load_document` read it, unedited (a copy: the
    caller edits its own), if the caller has it; else it is read again."""
    new_text = dump_document(new_doc)
    if not old_text.endswith("\n"):
        old_text += "\n"
    try:
        if old_doc is None:
            old_doc = load_document(old_text)
        # the dumper's own text: it only needs reading for positions (the checks that
        # load_document makes otherwise are made on the result, by the caller's validation)
        fresh = load_document(new_text, checked=True)
        want = plain(fresh)
        old = _Text(old_text.splitlines(keepends=True))
        new = _Text(new_text.splitlines(keepends=True))
        if not isinstance(old_doc, dict) or not isinstance(fresh, dict) or not old_doc \
                or not fresh:
            return new_text
        o_first = _child_starts(old, old_doc)[0]
        n_first = _child_starts(new, fresh)[0]
        lines = old.lines[:o_first]
        lines += _merge_children(old, old_doc, o_first, len(old.lines),
                                 new, fresh, n_first, len(new.lines))
        result = "".join(lines)
        if load_plain(result) != want:
            return new_text
        return result
    except Exception:
        return new_text


@dataclass
class _Text:
    lines: list[str]


def _key(value: Any) -> str:
    return json.dumps(plain(value), sort_keys=True, default=str)


def _is_filler(line: str) -> bool:
    """A blank or comment-only line (what a tail is made of)."""
    s = line.strip()
    return not s or s.startswith("#")


def _split_tail(text: _Text, start: int, end: int) -> tuple[int, int]:
    """(content end, region end): trailing blank and comment lines form the tail."""
    cut = end
    while cut > start + 1 and _is_filler(text.lines[cut - 1]):
        cut -= 1
    return cut, end


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _child_starts(text: _Text, node: Any) -> list[int]:
    """First line (0-based) of each child of a block collection, in order."""
    starts: list[int] = []
    lc: Any = getattr(node, "lc", None)
    if lc is None:
        raise _Fallback
    if isinstance(node, dict):
        for k in node:
            starts.append(lc.key(k)[0])
    elif isinstance(node, list):
        for i in range(len(node)):
            line, col = lc.item(i)
            src = text.lines[line]
            if col >= 2 and src[col - 2:col - 1] == "-":
                starts.append(line)
            elif line > 0 and text.lines[line - 1].strip() == "-":
                starts.append(line - 1)
            else:
                raise _Fallback
    else:
        raise _Fallback
    if starts != sorted(starts) or len(set(starts)) != len(starts):
        raise _Fallback
    return starts


def _child_col(text: _Text, node: Any, start: int) -> int:
    """Column of the first child: a key's column, or a list item's dash."""
    if isinstance(node, dict):
        lc: Any = getattr(node, "lc", None)
        return int(lc.key(next(iter(node)))[1])
    line = text.lines[start]
    return _indent(line)


def _shift(lines: Sequence[str], by: int) -> list[str]:
    if by == 0:
        return list(lines)
    out: list[str] = []
    for line in lines:
        if not line.strip():
            out.append(line)
        elif by > 0:
            out.append(" " * by + line)
        else:
            if _indent(line) < -by:
                raise _Fallback
            out.append(line[-by:])
    return out


def _is_block(node: Any) -> bool:
    if not isinstance(node, dict | list) or not node:
        return False
    fa = getattr(node, "fa", None)
    return fa is not None and not fa.flow_style()


def _merge_children(old: _Text, onode: Any, ostart: int, oend: int,
                    new: _Text, nnode: Any, nstart: int, nend: int) -> list[str]:
    """Lines for the children of one collection: old text where unchanged."""
    if type(onode) is not type(nnode) and not (
            isinstance(onode, dict) and isinstance(nnode, dict)) and not (
            isinstance(onode, list) and isinstance(nnode, list)):
        raise _Fallback
    children = _Children(old, onode, ostart, oend, new, nnode, nstart, nend)
    out = children.mapping() if isinstance(onode, dict) else children.sequence()
    return out + children.tail


class _Children:
    """The children of one collection, in the old text and in the new: each child's
    region (its lines), how far the new ones are shifted to the old indentation, and the
    last old child's trailing comments (which belong after the whole collection)."""

    def __init__(self, old: _Text, onode: Any, ostart: int, oend: int,
                 new: _Text, nnode: Any, nstart: int, nend: int):
        self.old, self.new, self.onode, self.nnode = old, new, onode, nnode
        o_starts = _child_starts(old, onode)
        n_starts = _child_starts(new, nnode)
        if (o_starts and o_starts[0] != ostart) or (n_starts and n_starts[0] != nstart):
            raise _Fallback
        self.o_regions = [(s, o_starts[i + 1] if i + 1 < len(o_starts) else oend)
                          for i, s in enumerate(o_starts)]
        self.n_regions = [(s, n_starts[i + 1] if i + 1 < len(n_starts) else nend)
                          for i, s in enumerate(n_starts)]
        self.shift = _child_col(old, onode, ostart) - _child_col(new, nnode, nstart) \
            if o_starts and n_starts else 0
        self.tail: list[str] = []
        if self.o_regions:
            s, e = self.o_regions[-1]
            cut, _ = _split_tail(old, s, e)
            self.tail = old.lines[cut:e]
            self.o_regions[-1] = (s, cut)

    def old_child(self, i: int) -> list[str]:
        s, e = self.o_regions[i]
        return self.old.lines[s:e]

    def new_child(self, j: int) -> list[str]:
        s, e = self.n_regions[j]
        cut, _ = _split_tail(self.new, s, e)
        return _shift(self.new.lines[s:cut], self.shift)

    def changed(self, i: int, j: int, ov: Any, nv: Any, seq_item: bool) -> list[str]:
        """Old child i became new child j: recurse where both are block collections."""
        old, new = self.old, self.new
        s, e = self.o_regions[i]
        cut, _ = _split_tail(old, s, e)
        own_tail = old.lines[cut:e]
        if _is_block(ov) and _is_block(nv) and (
                (isinstance(ov, dict) and isinstance(nv, dict))
                or (isinstance(ov, list) and isinstance(nv, list))):
            try:
                o_inner = _child_starts(old, ov)[0]
                n_inner = _child_starts(new, nv)[0]
                ns, ne = self.n_regions[j]
                ncut, _ = _split_tail(new, ns, ne)
                if seq_item:
                    # a mapping in a list item starts on the dash line: same first key
                    if not (isinstance(ov, dict) and isinstance(nv, dict)
                            and next(iter(ov)) == next(iter(nv))
                            and o_inner == s and n_inner == ns):
                        raise _Fallback
                elif o_inner <= s or n_inner <= ns:
                    raise _Fallback
                head = old.lines[s:o_inner]
                return head + _merge_children(old, ov, o_inner, cut, new, nv, n_inner,
                                              ncut) + own_tail
            except _Fallback:
                pass
        return self.new_child(j) + own_tail

    def mapping(self) -> list[str]:
        """The children of a mapping, in the new order: old lines for an unchanged key."""
        onode, nnode = self.onode, self.nnode
        out: list[str] = []
        o_index = {k: i for i, k in enumerate(onode)}
        for j, k in enumerate(nnode):
            i = o_index.get(k)
            if i is None:
                out += self.new_child(j)
            elif _key(onode[k]) == _key(nnode[k]):
                out += self.old_child(i)
            else:
                out += self.changed(i, j, onode[k], nnode[k], seq_item=False)
        return out

    def sequence(self) -> list[str]:
        """The items of a list, matched old to new by their content (a diff)."""
        onode, nnode = self.onode, self.nnode
        out: list[str] = []
        okeys = [_key(v) for v in onode]
        nkeys = [_key(v) for v in nnode]
        sm = difflib.SequenceMatcher(None, okeys, nkeys, autojunk=False)
        for op, i1, i2, j1, j2 in sm.get_opcodes():
            if op == "equal":
                for i in range(i1, i2):
                    out += self.old_child(i)
            elif op == "insert":
                for j in range(j1, j2):
                    out += self.new_child(j)
            elif op == "replace":
                pairs = min(i2 - i1, j2 - j1)
                for n in range(pairs):
                    out += self.changed(i1 + n, j1 + n, onode[i1 + n], nnode[j1 + n],
                                        seq_item=True)
                for j in range(j1 + pairs, j2):
                    out += self.new_child(j)
            # delete: the old items go
        return out


__all__ = ["splice"]
