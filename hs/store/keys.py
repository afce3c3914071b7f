"""The key store: each family's and volunteer's data key, outside the versioned history.

One file per clone, ``<common git folder>/hs/keys`` (beside the identity, see
:mod:`hs.store.identity`), readable by its owner only, written whole or not at all. It is
JSON with:

* ``wraps``: the *store key* (random, 32 bytes, new at every save) wrapped to each
  recipient: every enrolled coordinator laptop and the location's recovery key. A wrap is
  X25519 with a fresh ephemeral key, HKDF-SHA256 over the shared secret (salt: both
  public keys) and ChaCha20-Poly1305 (the construction of age's X25519 recipients);
* ``box``: the payload sealed with the store key (ChaCha20-Poly1305): the data keys by
  owner ID, the erased IDs (tombstones), the recipients with their labels and kinds, the
  removed recipients, and the location's *store secret* (random, kept for ever; a key
  store whose secret differs is not this location's and is never merged: someone who
  knows the public identities cannot slip in a forged store);
* ``erased``: the erased IDs again, in plain, so a clone without keys can say "erased"
  rather than "locked" (only a display; merges use the sealed list).

Two stores merge (:meth:`Keys.merge`, used by ``hs sync``) as a union of keys,
recipients and tombstones; a tombstone wins over a key and a removed recipient over an
added one, so a merge never brings back an erased key or a removed laptop.

The store is decrypted lazily, on the first :meth:`Keys.key` (or any call that needs the
payload), with this clone's identity unlocked then (:func:`hs.store.identity.unlock`).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from hs.base import portable
from hs.base.errors import HsError, UsageError
from hs.base.i18n import Catalog
from hs.store import identity as ident
from hs.store.identity import Identity

FORMAT = "hs-keys-1"
WRAP_INFO = b"hs-keys-1 wrap"
BOX_AAD = b"hs-keys-1 box"
LAPTOP, RECOVERY = "laptop", "recovery"

MSG = Catalog("store.keys")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _unb64(text: object) -> bytes:
    return base64.b64decode(str(text), validate=True)


def _kek(shared: bytes, eph: bytes, to: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=eph + to,
                info=WRAP_INFO).derive(shared)


def wrap(store_key: bytes, to: bytes) -> dict[str, str]:
    """The store key wrapped to the public key ``to``."""
    eph = X25519PrivateKey.generate()
    eph_pub = eph.public_key().public_bytes_raw()
    shared = eph.exchange(X25519PublicKey.from_public_bytes(to))
    nonce = os.urandom(12)
    sealed = ChaCha20Poly1305(_kek(shared, eph_pub, to)).encrypt(nonce, store_key, to)
    return {"to": _b64(to), "eph": _b64(eph_pub), "nonce": _b64(nonce), "key": _b64(sealed)}


def unwrap(wraps: list[dict[str, str]], who: Identity) -> bytes | None:
    """The store key, from the wrap addressed to ``who``; None if none is."""
    me = who.public
    for w in wraps:
        try:
            if _unb64(w["to"]) != me:
                continue
            eph = _unb64(w["eph"])
            kek = _kek(who.exchange(eph), eph, me)
            return ChaCha20Poly1305(kek).decrypt(_unb64(w["nonce"]), _unb64(w["key"]), me)
        except (KeyError, ValueError, InvalidTag):
            continue
    return None


@dataclass(frozen=True)
class Recipient:
    public: bytes
    kind: str  # laptop | recovery
    label: str


@dataclass
class Payload:
    """What the store key seals."""

    secret: bytes
    keys: dict[str, bytes] = field(default_factory=dict)
    erased: set[str] = field(default_factory=set)
    recipients: dict[bytes, Recipient] = field(default_factory=dict)
    removed: set[bytes] = field(default_factory=set)

    def to_json(self) -> bytes:
        return json.dumps({
            "secret": _b64(self.secret),
            "keys": {k: _b64(v) for k, v in sorted(self.keys.items())},
            "erased": sorted(self.erased),
            "recipients": [{"public": _b64(r.public), "kind": r.kind, "label": r.label}
                           for r in sorted(self.recipients.values(),
                                           key=lambda r: (r.kind, r.label, r.public))],
            "removed": sorted(_b64(p) for p in self.removed),
        }, sort_keys=True).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> Payload:
        data = json.loads(raw)
        recipients = {}
        for r in data["recipients"]:
            pub = _unb64(r["public"])
            recipients[pub] = Recipient(pub, str(r["kind"]), str(r["label"]))
        return cls(_unb64(data["secret"]), {str(k): _unb64(v) for k, v in data["keys"].items()},
                   {str(e) for e in data["erased"]}, recipients,
                   {_unb64(p) for p in data["removed"]})

    def same(self, other: Payload) -> bool:
        return self.to_json() == other.to_json()


def seal(payload: Payload) -> bytes:
    """The key store file's bytes for ``payload``, under a new store key."""
    store_key, nonce = ChaCha20Poly1305.generate_key(), os.urandom(12)
    box = ChaCha20Poly1305(store_key).encrypt(nonce, payload.to_json(), BOX_AAD)
    wraps = [wrap(store_key, r.public) for r in sorted(
        payload.recipients.values(), key=lambda r: (r.kind, r.label))]
    data = {"format": FORMAT, "wraps": wraps, "erased": sorted(payload.erased),
            "nonce": _b64(nonce), "box": _b64(box)}
    return (json.dumps(data, indent=1) + "\n").encode()


def _outer(raw: bytes, where: Path | str) -> dict[str, Any]:
    try:
        data = json.loads(raw)
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ValueError
        return data
    except (ValueError, UnicodeDecodeError):
        raise HsError(MSG("bad-store", path=where)) from None


def open_sealed(raw: bytes, who: Identity, where: Path | str) -> Payload | None:
    """The payload of a key store file, opened by ``who``; None if not addressed to it."""
    data = _outer(raw, where)
    store_key = unwrap(list(data.get("wraps") or []), who)
    if store_key is None:
        return None
    try:
        plain = ChaCha20Poly1305(store_key).decrypt(_unb64(data["nonce"]),
                                                    _unb64(data["box"]), BOX_AAD)
        return Payload.from_json(plain)
    except (KeyError, ValueError, TypeError, InvalidTag):
        raise HsError(MSG("bad-store", path=where)) from None


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """An exclusive lock on the key store of this clone (``keys.lock`` beside it),
    waited for (another hs process of this clone saves its keys in a moment)."""
    ident.private_folder(path.parent)
    lock = portable.FileLock(path.with_name("keys.lock"))
    try:
        while not lock.try_acquire():
            time.sleep(0.02)
        yield
    finally:
        lock.close()


def store_path(root: Path) -> Path:
    return ident.home(root) / "keys"


class Keys:
    """The data keys of one clone (see the module's text)."""

    def __init__(self, root: Path, raw: bytes | None):
        self.root = root
        self.path = store_path(root)
        self.raw = raw
        self._payload: Payload | None = None
        self._tried = False
        self.dirty = False

    @classmethod
    def open(cls, root: Path) -> Keys:
        """The key store of the clone at ``root`` (not decrypted yet)."""
        path = store_path(root)
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            raw = None
        except OSError:
            raise HsError(MSG("bad-store", path=path)) from None
        return cls(root, raw)

    @classmethod
    def new(cls, root: Path, laptop: Recipient, recovery: Recipient) -> Keys:
        """A new, empty key store for a new location (``hs init``)."""
        keys = cls(root, None)
        keys._payload = Payload(os.urandom(32), recipients={
            laptop.public: laptop, recovery.public: recovery})
        keys._tried = keys.dirty = True
        return keys

    @property
    def present(self) -> bool:
        return self.raw is not None or self._payload is not None

    # --- unlocking --------------------------------------------------------------------

    def _unlocked(self) -> Payload | None:
        """The payload, decrypted with this laptop's identity on first use; None when
        there is no store, no identity, or it is locked."""
        if self._payload is None and not self._tried:
            self._tried = True
            if self.raw is None:
                return None
            me = ident.unlock(self.root)
            if me is not None:
                self._payload = open_sealed(self.raw, me, self.path)
        return self._payload

    def state(self) -> str:
        """``open`` (decrypted), ``none`` (no store), ``locked`` (this laptop's identity is
        locked), ``closed`` (no identity here, or the store is not addressed to it)."""
        if self._unlocked() is not None:
            return "open"
        if self.raw is None:
            return "none"
        if ident.identity_path(self.root).exists() and ident.unlock(self.root) is None:
            return "locked"
        return "closed"

    def require(self) -> Payload:
        """The payload, or the one-line reason it cannot be had."""
        found = self._unlocked()
        if found is not None:
            return found
        if self.raw is None:
            raise HsError(MSG("no-store"))
        if not ident.identity_path(self.root).exists():
            raise HsError(MSG("no-identity"))
        if ident.unlock(self.root) is None:
            raise HsError(MSG("locked"))
        raise HsError(MSG("not-enrolled"))

    def unlock_with(self, who: Identity) -> Payload:
        """Open the store with another identity (the recovery key)."""
        if self.raw is None:
            raise HsError(MSG("no-store"))
        found = open_sealed(self.raw, who, self.path)
        if found is None:
            raise UsageError(MSG("recovery-no"))
        self._payload, self._tried = found, True
        return found

    # --- the interface of the records' sealing ----------------------------------------

    def key(self, owner_id: str) -> bytes | None:
        """The 32-byte data key of a family or volunteer; None when this clone does not
        hold it, it is erased, or the identity is locked and there is no terminal."""
        found = self._unlocked()
        if found is None or owner_id in found.erased:
            return None
        return found.keys.get(owner_id)

    def create(self, owner_id: str) -> bytes:
        """A new random key for a new family or volunteer."""
        found = self.require()
        if owner_id in found.erased:
            raise HsError(MSG("erased", id=owner_id))
        if owner_id in found.keys:
            raise HsError(MSG("exists", id=owner_id))
        key = os.urandom(32)
        found.keys[owner_id] = key
        self.dirty = True
        return key

    def destroy(self, owner_id: str) -> None:
        """Crypto-shred: the key is gone and a tombstone keeps it gone after merges."""
        found = self.require()
        found.keys.pop(owner_id, None)
        if owner_id not in found.erased:
            found.erased.add(owner_id)
            self.dirty = True

    def erased(self, owner_id: str) -> bool:
        found = self._unlocked()
        if found is not None:
            return owner_id in found.erased
        if self.raw is None:
            return False
        return owner_id in set(_outer(self.raw, self.path).get("erased") or [])

    def save(self) -> None:
        """Write the store (whole or not at all, owner-only), if it changed. Under a lock
        on the store, and merged first with what another hs process of this clone saved
        since this one read it (two commands at once both keep their keys)."""
        if not self.dirty or self._payload is None:
            return
        with _locked(self.path):
            try:
                current: bytes | None = self.path.read_bytes()
            except FileNotFoundError:
                current = None
            if current is not None and current != self.raw:
                me = ident.unlock(self.root)
                theirs = open_sealed(current, me, self.path) if me is not None else None
                if theirs is not None and theirs.secret == self._payload.secret:
                    self._payload = merge_payloads(self._payload, theirs)
            self.raw = seal(self._payload)
            ident.write_private(self.path, self.raw)
        self.dirty = False

    # --- recipients and counts (hs keys) ----------------------------------------------

    def recipients(self) -> list[Recipient]:
        return sorted(self.require().recipients.values(), key=lambda r: (r.kind, r.label))

    def counts(self) -> tuple[int, int]:
        """Data keys held, IDs erased."""
        found = self.require()
        return len(found.keys), len(found.erased)

    def add_recipient(self, who: Recipient) -> None:
        found = self.require()
        found.removed.discard(who.public)
        found.recipients[who.public] = who
        self.dirty = True

    def remove_recipient(self, public: bytes) -> None:
        """Remove a recipient; the next save seals under a new store key to the others."""
        found = self.require()
        found.recipients.pop(public, None)
        found.removed.add(public)
        self.dirty = True

    # --- sync ---------------------------------------------------------------------------

    def adopt(self, raw: bytes) -> None:
        """Take another clone's store as this clone's (this clone had none)."""
        _outer(raw, "refs/hs/keys")
        self.raw, self._payload, self._tried = raw, None, False
        with _locked(self.path):
            ident.write_private(self.path, raw)

    def opens(self, raw: bytes) -> bool:
        """Whether this laptop's identity opens another key store."""
        me = ident.unlock(self.root)
        return me is not None and open_sealed(raw, me, "refs/hs/keys") is not None

    def mark_synced(self, raw: bytes) -> None:
        """Remember the remote's key store as it was when this clone last synced it
        (its digest, in ``keys.synced``)."""
        ident.write_private(self.path.with_name("keys.synced"),
                            hashlib.sha256(raw).hexdigest().encode())

    def was_synced(self, raw: bytes) -> bool:
        """The remote's store is the one this clone last synced: this clone's store
        grew from it, so it may replace it even if this laptop cannot open it (a laptop
        enrolled since with the recovery key)."""
        try:
            seen = self.path.with_name("keys.synced").read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError):
            return False
        return seen == hashlib.sha256(raw).hexdigest()

    def merge(self, raw: bytes) -> bool:
        """Merge another clone's store into this one (not saved yet). True when the
        result differs from the other store (so it must be sent back)."""
        mine = self.require()
        me = ident.unlock(self.root)
        theirs = open_sealed(raw, me, "refs/hs/keys") if me is not None else None
        if theirs is None:
            raise HsError(MSG("unreadable-other"))
        if theirs.secret != mine.secret:
            raise HsError(MSG("foreign"))
        merged = merge_payloads(mine, theirs)
        if not merged.same(mine):
            self._payload, self.dirty = merged, True
        return not merged.same(theirs)


def merge_payloads(a: Payload, b: Payload) -> Payload:
    """The union of two payloads: tombstones win over keys, removals over recipients."""
    erased = a.erased | b.erased
    removed = a.removed | b.removed
    keys = {k: v for k, v in {**b.keys, **a.keys}.items() if k not in erased}
    recipients = {p: r for p, r in {**b.recipients, **a.recipients}.items()
                  if p not in removed}
    return Payload(a.secret, keys, erased, recipients, removed)
