"""The coordinators' laptops and the recovery key (``hs keys``, and the key part of
``hs init``).

A location's key store (:mod:`hs.store.keys`) is open to every enrolled laptop's identity
and to the location's recovery key. ``hs init`` makes the first identity, the store and
the recovery key; a new laptop prints its public identity (``hs keys request``) and an
enrolled one adds it (``hs keys add``), or the new laptop enrols itself with the recovery
key (``hs keys recover``); ``hs keys remove`` seals the store under a new store key to
those who remain. Changes to the store are not commits: ``hs sync`` carries them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from hs.app.tables import Column, Table
from hs.base.errors import HsError, UsageError
from hs.base.i18n import Catalog
from hs.store import agent
from hs.store import identity as ident
from hs.store.identity import Identity
from hs.store.keys import LAPTOP, RECOVERY, Keys, Recipient

MSG = Catalog("app.keys")

LABEL = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,39}")


def check_label(label: str) -> str:
    if not LABEL.fullmatch(label):
        raise UsageError(MSG("bad-label"))
    return label


def default_label(public: bytes) -> str:
    """A label that names no one: ``laptop-`` and the start of the public identity."""
    return "laptop-" + ident.public_text(public)[len(ident.PUBLIC_PREFIX):][:6]


def need_passphrase() -> str:
    """The passphrase for a new identity, or a one-line refusal."""
    found = ident.new_passphrase()
    if found is None:
        raise UsageError(MSG("need-passphrase"))
    return found


def _own_identity(root: Path, passphrase: str | None) -> bytes:
    """This clone's public identity, made now (with ``passphrase``, else asked) if it has
    none."""
    public = ident.public_of(root)
    if public is None:
        me = Identity.generate()
        ident.save(root, me, passphrase if passphrase is not None else need_passphrase())
        public = me.public
    return public


@dataclass(frozen=True)
class Setup:
    recovery: str  # the recovery key as text, to keep offline
    label: str


def setup(root: Path, passphrase: str, label: str | None = None) -> Setup:
    """``hs init``'s keys: this laptop's identity, an empty key store open to it and to
    a new recovery key."""
    keys = Keys.open(root)
    if keys.present:
        raise HsError(MSG("store-exists"))
    public = _own_identity(root, passphrase)
    name = check_label(label) if label else default_label(public)
    recovery = Identity.generate()
    keys = Keys.new(root, Recipient(public, LAPTOP, name),
                    Recipient(recovery.public, RECOVERY, "recovery"))
    keys.save()
    return Setup(ident.recovery_text(recovery), name)


def has_store(root: Path) -> bool:
    """Whether this clone holds a key store (``hs seal`` makes one where there is none)."""
    return Keys.open(root).present


def request(root: Path) -> str:
    """This laptop's public identity as text (made now if it has none)."""
    return ident.public_text(_own_identity(root, None))


def add(root: Path, public_text: str, label: str) -> None:
    """Open the key store to another laptop."""
    public = ident.parse_public(public_text)
    check_label(label)
    keys = Keys.open(root)
    for r in keys.recipients():
        if r.public == public:
            raise HsError(MSG("enrolled", label=r.label))
        if r.label == label:
            raise UsageError(MSG("label-taken", label=label))
    keys.add_recipient(Recipient(public, LAPTOP, label))
    keys.save()


def remove(root: Path, label: str) -> None:
    """Close the key store to a laptop: sealed again under a new store key to the
    others."""
    keys = Keys.open(root)
    found = [r for r in keys.recipients() if r.label == label and r.kind == LAPTOP]
    if not found:
        raise UsageError(MSG("no-label", label=label))
    if found[0].public == ident.public_of(root):
        raise UsageError(MSG("remove-self", label=label))
    keys.remove_recipient(found[0].public)
    keys.save()


def recover(root: Path, recovery_key: str, label: str | None = None) -> str:
    """Enrol this laptop with the location's recovery key; returns its label."""
    who = ident.parse_recovery(recovery_key)
    if label:
        check_label(label)
    keys = Keys.open(root)
    keys.unlock_with(who)
    public = _own_identity(root, None)
    mine = [r for r in keys.recipients() if r.public == public]
    if mine:
        return mine[0].label
    name = label or default_label(public)
    if any(r.label == name for r in keys.recipients()):
        raise UsageError(MSG("label-taken", label=name))
    keys.add_recipient(Recipient(public, LAPTOP, name))
    keys.save()
    return name


def listing(root: Path) -> Table:
    """The laptops and recovery keys the store is open to, and its counts (no IDs)."""
    keys = Keys.open(root)
    me = ident.public_of(root)
    table = Table(MSG("title"), [Column("label", MSG("h-label")),
                                 Column("kind", MSG("h-kind")),
                                 Column("identity", MSG("h-identity")),
                                 Column("this_laptop", MSG("h-this"))])
    for r in keys.recipients():
        table.rows.append({
            "label": r.label, "kind": r.kind,
            "identity": ident.public_text(r.public)[:18],
            "this_laptop": r.public == me})
    held, erased = keys.counts()
    return Table(table.title, table.columns, table.rows,
                 MSG("caption", keys=held, erased=erased))


def lock() -> bool:
    """End the agent (it forgets every unlocked identity)."""
    ident.forget()
    return agent.stop()
