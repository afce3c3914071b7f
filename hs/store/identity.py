"""A coordinator laptop's identity: an X25519 key pair whose private half is kept
encrypted with a passphrase, and unlocked once per session.

The identity file lives in the clone's common git folder (``.git/hs/identity``; outside
git, ``.hs/private/identity``): outside the work tree, so never committed, and outside git's
objects, so never fetched, pushed or packed; ``git clone`` does not copy it. It holds the
public key in plain and the private key sealed with ChaCha20-Poly1305 under a key derived
from the passphrase by scrypt (cost 2^17 by default; ``HS_SCRYPT_COST`` sets the exponent
for a new identity, which the test suite lowers to stay fast; the file records the cost it
was made with). The folder and file are readable by their owner only.

Unlocking, in order: this process unlocked it already; the agent holds it
(:mod:`hs.store.agent`); ``HS_PASSPHRASE_FILE`` (a file holding the passphrase: scripts,
tests, CI; no agent is started); a prompt on a terminal, after which the agent keeps it
for the session. Without any of them the identity stays locked (None).

Public identities and recovery keys are written as text with a 3-byte checksum, so that a
mistyped or cut-off key is refused rather than used.
"""

from __future__ import annotations

import base64
import contextlib
import getpass
import hashlib
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from hs.base import portable
from hs.base.errors import HsError, UsageError
from hs.base.i18n import Catalog
from hs.base.terminal import is_terminal
from hs.store import agent, gitstate

PASSFILE = "HS_PASSPHRASE_FILE"
TRIES = 3  # passphrases asked at a terminal before the command ends (exit 1)
COST = "HS_SCRYPT_COST"  # log2 of scrypt's n for a new identity
DEFAULT_COST = 17
FORMAT = "hs-identity-1"
PUBLIC_PREFIX = "hs-id-"
RECOVERY_PREFIX = "HS-RECOVERY-"

MSG = Catalog("store.identity")


@dataclass(frozen=True)
class Identity:
    """An unlocked X25519 private key (a laptop's, or the location's recovery key)."""

    private: X25519PrivateKey

    @classmethod
    def generate(cls) -> Identity:
        return cls(X25519PrivateKey.generate())

    @property
    def public(self) -> bytes:
        return self.private.public_key().public_bytes_raw()

    def raw(self) -> bytes:
        return self.private.private_bytes_raw()

    def exchange(self, peer: bytes) -> bytes:
        return self.private.exchange(X25519PublicKey.from_public_bytes(peer))


# --- where ---------------------------------------------------------------------------


def home(root: Path) -> Path:
    """The private folder of this clone for hs's keys: ``<common git folder>/hs``, or
    ``.hs/private`` outside git."""
    found = gitstate.locate(root)
    if found is None:
        return Path(root) / ".hs" / "private"
    return gitstate.common_dir(found[1]) / "hs"


def identity_path(root: Path) -> Path:
    return home(root) / "identity"


def private_folder(folder: Path) -> Path:
    """Make ``folder`` (and its missing parents) readable by its owner only."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    portable.restrict(folder)
    return folder


def write_private(path: Path, data: bytes) -> None:
    """Write a file whole or not at all, readable by its owner only."""
    private_folder(path.parent)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with open(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)


# --- text forms ------------------------------------------------------------------------


def _check(raw: bytes) -> bytes:
    return hashlib.sha256(b"hs-key-text" + raw).digest()[:3]


def public_text(public: bytes) -> str:
    """A public identity as text: ``hs-id-`` and 56 base32 letters."""
    return PUBLIC_PREFIX + base64.b32encode(public + _check(public)).decode().lower()


def parse_public(text: str) -> bytes:
    given = text.strip().lower()
    raw = _decode(given, PUBLIC_PREFIX.lower())
    if raw is None and given.startswith(PUBLIC_PREFIX.lower()):  # a letter lost or typo
        raise UsageError(MSG("mistyped-public"))
    if raw is None:
        raise UsageError(MSG("bad-public", prefix=PUBLIC_PREFIX))
    return raw


def recovery_text(identity: Identity) -> str:
    """The recovery key as text, in groups of four for copying by hand."""
    body = base64.b32encode(identity.raw() + _check(identity.raw())).decode()
    return RECOVERY_PREFIX + "-".join(body[i:i + 4] for i in range(0, len(body), 4))


def parse_recovery(text: str) -> Identity:
    cleaned = "".join(ch for ch in text.upper() if ch.isalnum())
    raw = _decode(cleaned, RECOVERY_PREFIX.replace("-", ""))
    if raw is None:
        raise UsageError(MSG("bad-recovery", prefix=RECOVERY_PREFIX))
    return Identity(X25519PrivateKey.from_private_bytes(raw))


def _decode(text: str, prefix: str) -> bytes | None:
    if not text.startswith(prefix):
        return None
    try:
        data = base64.b32decode(text[len(prefix):].upper())
    except ValueError:
        return None
    if len(data) != 35 or _check(data[:32]) != data[32:]:
        return None
    return data[:32]


# --- the file --------------------------------------------------------------------------


def _kdf(passphrase: str, salt: bytes, cost: int) -> bytes:
    return Scrypt(salt=salt, length=32, n=2 ** cost, r=8, p=1).derive(
        passphrase.encode("utf-8"))


def _cost() -> int:
    try:
        return max(1, min(22, int(os.environ.get(COST, DEFAULT_COST))))
    except ValueError:
        return DEFAULT_COST


def save(root: Path, identity: Identity, passphrase: str) -> Path:
    """Write ``identity`` as this clone's, sealed with ``passphrase``."""
    salt, nonce, cost = os.urandom(16), os.urandom(12), _cost()
    sealed = ChaCha20Poly1305(_kdf(passphrase, salt, cost)).encrypt(
        nonce, identity.raw(), identity.public)
    b64 = base64.b64encode
    data = {"format": FORMAT, "public": b64(identity.public).decode(), "kdf": "scrypt",
            "cost": cost, "r": 8, "p": 1, "salt": b64(salt).decode(),
            "nonce": b64(nonce).decode(), "sealed": b64(sealed).decode()}
    path = identity_path(root)
    write_private(path, (json.dumps(data, indent=1) + "\n").encode())
    _UNLOCKED[identity.public] = identity
    return path


def _read(path: Path) -> dict[str, object]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ValueError
        return data
    except (OSError, ValueError, UnicodeDecodeError):
        raise HsError(MSG("bad-file", path=path)) from None


def public_of(root: Path) -> bytes | None:
    """This clone's public identity, or None if it has none (no unlocking)."""
    path = identity_path(root)
    if not path.exists():
        return None
    try:
        return base64.b64decode(str(_read(path)["public"]))
    except (KeyError, ValueError):
        raise HsError(MSG("bad-file", path=path)) from None


def _open_sealed(data: dict[str, object], passphrase: str) -> Identity | None:
    b64d = base64.b64decode
    public = b64d(str(data["public"]))
    key = _kdf(passphrase, b64d(str(data["salt"])), int(str(data["cost"])))
    try:
        raw = ChaCha20Poly1305(key).decrypt(b64d(str(data["nonce"])),
                                            b64d(str(data["sealed"])), public)
    except InvalidTag:
        return None
    return Identity(X25519PrivateKey.from_private_bytes(raw))


# --- passphrases -----------------------------------------------------------------------


def on_terminal() -> bool:
    """Whether a passphrase can be asked (stdin and stderr are a terminal)."""
    return is_terminal(sys.stdin, sys.stderr)


def passphrase_from_file() -> str | None:
    """The passphrase ``HS_PASSPHRASE_FILE`` names (its first line), or None if unset."""
    name = os.environ.get(PASSFILE)
    if not name:
        return None
    try:
        with open(name, encoding="utf-8") as fh:
            text = fh.readline().rstrip("\r\n")
    except (OSError, UnicodeDecodeError):
        raise HsError(MSG("passfile", var=PASSFILE)) from None
    if not text:
        raise HsError(MSG("empty"))
    return text


def new_passphrase() -> str | None:
    """A passphrase for a new identity: from ``HS_PASSPHRASE_FILE``, else asked twice on a
    terminal (up to :data:`TRIES` times when the two differ, then a usage error); None
    when there is neither."""
    given = passphrase_from_file()
    if given is not None:
        return given
    if not on_terminal():
        return None
    for attempt in range(TRIES):
        first = getpass.getpass(MSG("prompt-new"))
        if not first:
            raise HsError(MSG("empty"))
        if getpass.getpass(MSG("prompt-again")) == first:
            return first
        if attempt < TRIES - 1:  # a typo: asked again, not the command ended
            sys.stderr.write(MSG("differ-again") + "\n")
            sys.stderr.flush()
    raise UsageError(MSG("differ-times", n=TRIES))  # nothing wrong with the data


# --- unlocking -------------------------------------------------------------------------

_UNLOCKED: dict[bytes, Identity] = {}


def unlock(root: Path) -> Identity | None:
    """This clone's identity unlocked (see the module's text), or None: the clone has
    none, or it is locked and there is no passphrase file and no terminal."""
    path = identity_path(root)
    if not path.exists():
        return None
    data = _read(path)
    public = base64.b64decode(str(data["public"]))
    if public in _UNLOCKED:
        return _UNLOCKED[public]
    found = _unlock(data, public)
    if found is not None:
        _UNLOCKED[public] = found
    return found


def _unlock(data: dict[str, object], public: bytes) -> Identity | None:
    held = agent.fetch(public)
    if held is not None:
        return Identity(X25519PrivateKey.from_private_bytes(held))
    given = passphrase_from_file()
    if given is not None:
        found = _open_sealed(data, given)
        if found is None:
            raise HsError(MSG("wrong"))
        return found
    if not on_terminal():
        return None
    for attempt in range(TRIES):
        found = _open_sealed(data, getpass.getpass(MSG("prompt")))
        if found is not None:
            agent.hold(public, found.raw())
            return found
        if attempt < TRIES - 1:  # said, not a silent second prompt
            sys.stderr.write(MSG("try-again") + "\n")
            sys.stderr.flush()
    raise HsError(MSG("wrong"))


def forget() -> None:
    """Forget the identities this process unlocked (tests)."""
    _UNLOCKED.clear()
