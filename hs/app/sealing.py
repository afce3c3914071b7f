"""Sealing personal fields: the keys, sealing what a command writes, revealing one record.

In a sealed repository (``sealed: true`` in ``records/config.yaml``: ``hs init`` sets it,
``hs seal`` converts a repository) every value of a ``personal=True`` field of the spec is
a token (:mod:`hs.records.sealed`) in the record file. A family and a volunteer each have
a key of their own; a trajectory's personal fields are sealed with its family's key.
Events hold no personal field (a conflict's values apart, which a merge copies as they
are: tokens stay tokens).

What reads the whole tree (validate, merges, diffs, KPIs, the waiting list) never opens
a token and needs no key. Names are opened only where one record is shown:
:func:`reveal` (``hs show``, ``hs edit``, the names of a table through
``hs.app.names.display_names``).

The keys come only through :func:`open_keys`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from hs.base.errors import WriteRejected
from hs.base.i18n import Catalog
from hs.records import spec
from hs.store.yamlio import decode, load_plain

if TYPE_CHECKING:
    from hs.store.repo import Repo

MSG = Catalog("app.sealing")

_SEALED = re.compile(spec.SEALED_PATTERN)


def is_token(value: object) -> bool:
    """Whether ``value`` is a sealed token (by its form: no key, no cryptography)."""
    return isinstance(value, str) and _SEALED.fullmatch(value) is not None
#: The kinds whose records own a key.
KEY_KINDS = ("family", "volunteer")


class KeyStore(Protocol):
    """What sealing needs of the key store (:class:`hs.store.keys.Keys` gives it)."""

    def key(self, owner_id: str) -> bytes | None: ...
    def create(self, owner_id: str) -> bytes: ...
    def destroy(self, owner_id: str) -> None: ...
    def erased(self, owner_id: str) -> bool: ...
    def save(self) -> None: ...


def open_keys(store: Repo) -> KeyStore:
    """This clone's key store (:class:`hs.store.keys.Keys`: opened, not yet unlocked;
    the identity is unlocked on the first key asked for)."""
    from hs.store.keys import Keys  # lazy: cryptography only where a key is needed

    return Keys.open(store.root)


# --- which repository, which key --------------------------------------------------------


def is_sealed_repo(store: Repo) -> bool:
    """Whether this repository seals its personal fields (``sealed: true``)."""
    return store.index.config.get("sealed") is True


def owner_of(kind: str, record_id: str, data: Any) -> str | None:
    """The ID whose key seals a record's personal fields: a family's and a volunteer's
    own, a trajectory's family's; None for a kind without one."""
    if kind in KEY_KINDS:
        return record_id
    if kind == "trajectory" and isinstance(data, dict):
        family = data.get("family")
        return family if isinstance(family, str) else None
    return None


_INDEX = re.compile(r"\[[^\]]*\]")


def _conflict_path(kind: str, field: Any) -> str | None:
    """The spec path of a conflict's field (``visits[2026-01-05].note`` ->
    ``visits.note``), if that field is personal."""
    if not isinstance(field, str):
        return None
    path = _INDEX.sub("", field)
    return path if path in spec.personal_paths(kind) else None


def places(kind: str, data: Any) -> Iterator[tuple[Any, Any, str, str]]:
    """Every personal value in a record's data (plain dicts or round-trip nodes):
    ``(container, key, spec_path, shown_path)``; the spec path is what a token is bound
    to, the shown path names the place (``visits[2].note``). A conflict's value counts
    as the field it stands for."""
    if not isinstance(data, dict):
        return
    for path in spec.personal_paths(kind):
        if path == "conflicts.values.value":
            continue
        yield from _walk(data, path.split("."), path, "")
    for i, conflict in enumerate(data.get("conflicts") or ()):
        if not isinstance(conflict, dict):
            continue
        field = _conflict_path(kind, conflict.get("field"))
        values = conflict.get("values")
        if field is None or not isinstance(values, list):
            continue
        for j, value in enumerate(values):
            if isinstance(value, dict) and "value" in value:
                yield value, "value", field, f"conflicts[{i}].values[{j}].value"


def _walk(node: Any, parts: list[str], path: str,
          shown: str) -> Iterator[tuple[Any, Any, str, str]]:
    if not isinstance(node, dict) or parts[0] not in node:
        return
    name = parts[0]
    here = f"{shown}.{name}" if shown else name
    if len(parts) == 1:
        yield node, name, path, here
        return
    inner = node[name]
    if isinstance(inner, list):
        for i, item in enumerate(inner):
            yield from _walk(item, parts[1:], path, f"{here}[{i}]")
    else:
        yield from _walk(inner, parts[1:], path, here)


# --- sealing what a command writes ------------------------------------------------------


class Sealer:
    """Seals the plain personal values of the records one command writes. Opens the key
    store on first need; :meth:`save` stores the keys it created (before the files are
    written, so no token is ever committed without its key)."""

    def __init__(self, store: Repo):
        self.store = store
        self._keys: KeyStore | None = None
        self.created: list[str] = []
        #: owners whose record this change creates (a key may be made for them)
        self.new: set[str] = set()

    @property
    def keys(self) -> KeyStore:
        if self._keys is None:
            self._keys = open_keys(self.store)
        return self._keys

    def key_for(self, owner: str) -> bytes:
        """The owner's key; a new one only for an owner that never had one (a new record,
        or one whose files hold no token yet): a clone without the key of a sealed record
        must not make a second key, which would split the record's values between two."""
        key = self.keys.key(owner)
        if key is None:
            if self.keys.erased(owner):
                raise WriteRejected(MSG("erased-owner", id=owner))
            if owner not in self.new and self._ever_sealed(owner):
                raise WriteRejected(MSG("no-key", id=owner))
            key = self.keys.create(owner)
            self.created.append(owner)
        return key

    def _ever_sealed(self, owner: str) -> bool:
        index = self.store.index
        rels = [index.paths.get(owner)]
        if owner.startswith("f"):
            rels.extend(index.paths.get(t.id) for t in index.trajectories_of(owner))
        for rel in rels:
            if rel is None:
                continue
            try:
                if b"hs1:" in (self.store.root / rel).read_bytes():
                    return True
            except OSError:
                return True
        return False

    def seal(self, kind: str, record_id: str, data: Any, owner: str | None = None) -> int:
        """Seal in place every plain personal value of ``data`` (a whole record, plain
        or round-trip); tokens already there stay byte for byte. The number sealed."""
        owner = owner or owner_of(kind, record_id, data)
        if owner is None:
            return 0
        n = 0
        for container, key, path, _ in list(places(kind, data)):
            n += self._seal_at(container, key, record_id, path, owner)
        return n

    def seal_item(self, kind: str, record_id: str, owner: str | None, list_key: str,
                  item: dict[str, Any]) -> None:
        """Seal the personal values of one entry to be added to ``list_key`` (a visit)."""
        if owner is None:
            return
        for path in spec.personal_paths(kind):
            parts = path.split(".")
            if len(parts) == 2 and parts[0] == list_key and parts[1] in item:
                self._seal_at(item, parts[1], record_id, path, owner)

    def _seal_at(self, container: Any, key: Any, record_id: str, path: str,
                 owner: str) -> int:
        value = container[key]
        if not isinstance(value, str) or _SEALED.fullmatch(value) is not None:
            return 0
        # lazy: cryptography only where a value is sealed
        from hs.records.sealed import seal

        container[key] = seal(self.key_for(owner), record_id, path, str(value))
        return 1

    def save(self) -> None:
        if self._keys is not None and self.created:
            self._keys.save()
            self.created = []




# --- revealing one record ---------------------------------------------------------------


def _record(store: Repo, record_id: str, kind: str | None) -> tuple[str, str, Any]:
    found_kind, rid = store.resolve(record_id, kind)  # type: ignore[arg-type]
    path = store.path_of(found_kind, rid)
    return found_kind, rid, load_plain(decode(path.read_bytes()))


def reveal(store: Repo, record_id: str, kind: str | None = None, *,
           keys: KeyStore | None = None, data: Any = None) -> dict[str, str | None]:
    """The personal values of one record, opened: ``{shown path: text}`` (``name``,
    ``visits[2].note``), None where this clone cannot open it (no key, erased). A plain
    value (an unsealed repository) is given as it is. Reads only this record's file
    (or ``data``, the record as read), and opens the key store once (or uses ``keys``)."""
    if data is None:
        kind, record_id, data = _record(store, record_id, kind)
    elif kind is None:
        kind = store.resolve(record_id)[0]
    out: dict[str, str | None] = {}
    owner = owner_of(kind, record_id, data)
    key: bytes | None = None
    for container, name, path, shown in places(kind, data):
        value = container[name]
        if not isinstance(value, str) or _SEALED.fullmatch(value) is None:
            out[shown] = value if isinstance(value, str) else None
            continue
        if key is None and owner is not None:
            keys = keys if keys is not None else open_keys(store)
            key = keys.key(owner)
        out[shown] = _open(key, record_id, path, value)
    return out


def shown_name(store: Repo, record_id: str, kind: str | None = None, *,
               keys: KeyStore | None = None, data: Any = None) -> str | None:
    """A family's or volunteer's name as a table shows it: the name, "[sealed]" where
    this clone lacks the key, "[erased]" after erasure, None if it has none. For
    ``hs.app.names.display_names``: open the key store once and pass it as ``keys``
    (and the record as read as ``data``)."""
    if kind is None:
        kind, record_id = store.resolve(record_id)
    if data is None:
        data = load_plain(decode(store.path_of(kind, record_id).read_bytes()))  # type: ignore[arg-type]
    if not isinstance(data, dict) or not isinstance(data.get("name"), str):
        return None
    keys = keys if keys is not None else open_keys(store)
    name = reveal(store, record_id, kind, keys=keys, data=data).get("name")
    if name is not None:
        return name
    return MSG("erased") if data.get("erased") is not None or keys.erased(record_id) \
        else MSG("sealed")


def _open(key: bytes | None, record_id: str, path: str, token: str) -> str | None:
    if key is None:
        return None
    # lazy: cryptography only where a value is opened
    from hs.records.sealed import Unopenable
    from hs.records.sealed import open as open_token

    try:
        return open_token(key, record_id, path, token)
    except Unopenable:
        return None


def readable(store: Repo, kind: str, record_id: str, data: Any, *,
             keys: KeyStore | None = None) -> Any:
    """``data`` (a record as read) with each sealed value opened, or a placeholder:
    "[sealed]" where this clone lacks the key, "[erased]" once the record (or its
    family) is erased. For showing one record; changes ``data`` in place."""
    opened = reveal(store, record_id, kind, keys=keys, data=data)
    shut = [(c, n) for c, n, _, shown in list(places(kind, data))
            if opened.get(shown) is None and isinstance(c[n], str)]
    for container, name, _, shown in places(kind, data):
        text = opened.get(shown)
        if text is not None:
            container[name] = text
    if shut:
        owner = owner_of(kind, record_id, data)
        erased = isinstance(data, dict) and data.get("erased") is not None
        if not erased and owner is not None:
            erased = _erased_owner(store, owner, keys)
        for container, name in shut:
            container[name] = MSG("erased") if erased else MSG("sealed")
    return data


class Opener:
    """Opens the sealed tokens in values of one record that a command shows its user on
    the terminal (``hs history``'s old and new values, ``hs resolve``'s conflicting
    values): each token is the opened text where this clone holds the owner's key, else
    "[sealed]" ("[erased]" once the owner is erased). Where a value sat (``visits[+]``,
    ``visits[2026-01-05].note``) need not be known: a token opens only with the path it
    was sealed for, so each personal path of the kind is tried. The key store is opened
    on the first token only (a plain repository never asks for a passphrase). Never for
    logs or commit messages."""

    def __init__(self, store: Repo, kind: str, record_id: str, owner: str | None,
                 *, keys: KeyStore | None = None):
        self.store, self.kind, self.record_id, self.owner = store, kind, record_id, owner
        self._keys = keys
        self._key: bytes | None = None
        self._asked = False
        self._erased = False

    def _ask(self) -> None:
        self._asked = True
        if self.owner is None:
            return
        keys = self._keys if self._keys is not None else open_keys(self.store)
        self._key = keys.key(self.owner)
        self._erased = self._key is None and keys.erased(self.owner)

    def text(self, token: str) -> str:
        """One token opened, or the placeholder."""
        if not self._asked:
            self._ask()
        for path in spec.personal_paths(self.kind) if self.kind in spec.KINDS else ():
            opened = _open(self._key, self.record_id, path, token)
            if opened is not None:
                return opened
        return MSG("erased") if self._erased else MSG("sealed")

    def __call__(self, value: Any) -> Any:
        """``value`` (text, or lists and mappings of them) with every token opened."""
        if isinstance(value, str):
            return self.text(value) if _SEALED.fullmatch(value) is not None else value
        if isinstance(value, dict):
            return {k: self(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return type(value)(self(v) for v in value)
        return value


def _erased_owner(store: Repo, owner: str, keys: KeyStore | None) -> bool:
    keys = keys if keys is not None else open_keys(store)
    return keys.erased(owner)


def private_file(path: Path, text: str) -> None:
    """Write ``text`` to a new file only its owner can read."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)


# --- plain values where sealed ones belong (hs validate) ----------------------------------

#: A line that gives a personal field a value: ``name:`` at the top of a family or
#: volunteer, ``note:`` anywhere (as a key or the first key of a list entry). A sealed
#: value is a plain scalar ``hs1:...``; anything else there (text, a quoted or block
#: scalar) is a plain value. ``null``/``~``/empty: no value.
_PERSONAL_LINE = re.compile(
    rb"^(?:(?P<top>name)|[ ]*(?:-[ ]+)*note):[ ]*(?P<value>[^\n#]*?)[ ]*(?:#.*)?$",
    re.MULTILINE)
_NO_VALUE = {b"", b"null", b"~", b"Null", b"NULL"}
_TOKEN_LINE = re.compile(rb"hs1:[A-Za-z0-9_-]+")
PLAIN_KINDS = {"families": "family", "volunteers": "volunteer",
               "trajectories": "trajectory"}


#: A personal field inside a flow collection (``- {date: 2025-01-06, note: ...}``,
#: ``signals: [{theme: housing, note: ...}]``): after ``{`` or ``,``, the value up to the
#: next ``,``, ``}`` or ``]`` (a quoted value with a comma is cut there: still plain).
_FLOW_PERSONAL = re.compile(
    rb"[{,][ ]*(?P<key>name|note)[ ]*:[ ]*(?P<value>[^,}\]\n#]*?)[ ]*(?=[,}\]\n#]|$)",
    re.MULTILINE)


def plain_lines(raw: bytes, kind: str) -> list[int]:
    """The lines (from 1) of a record file where a personal field holds a plain value,
    in the block layout (``note: ...`` on a line of its own) and in flow collections
    (``- {date: 2025-01-06, note: ...}``), as the readers read both."""
    if b"name" not in raw and b"note" not in raw:
        return []
    out = set()
    for m in _PERSONAL_LINE.finditer(raw):
        if m.group("top") is not None and kind == "trajectory":
            continue
        if _plain(m.group("value")):
            out.add(raw.count(b"\n", 0, m.start()) + 1)
    if b"{" in raw:
        for m in _FLOW_PERSONAL.finditer(raw):
            if m.group("key") == b"name" and kind == "trajectory":
                continue
            if _plain(m.group("value")):
                out.add(raw.count(b"\n", 0, m.start()) + 1)
    return sorted(out)


def _plain(value: bytes) -> bool:
    """Whether a personal field's value as written is plain (not empty, not a token)."""
    return value not in _NO_VALUE and _TOKEN_LINE.fullmatch(value) is None


def plain_problems(root: Path, rels: list[str]) -> list[Any]:
    """``hs validate`` in a sealed repository: one error per plain value typed into a
    personal field (file:line, never the value), to be sealed with ``hs edit ID`` or
    ``hs seal``. Reads only the files of families, volunteers and trajectories."""
    # lazy: problems only for hs validate
    from hs.records.problems import Problem

    out = []
    for rel in rels:
        parts = rel.split("/")
        kind = PLAIN_KINDS.get(parts[1]) if len(parts) == 3 else None
        if kind is None or not rel.endswith(".yaml"):
            continue
        try:
            raw = (root / rel).read_bytes()
        except OSError:
            continue
        for line in plain_lines(raw, kind):
            out.append(Problem(rel, line, 1, "plain-personal",
                               MSG("plain-personal", id=parts[2].removesuffix(".yaml"))))
    return out
