"""Sealed values: a personal field's value as ciphertext in the record file.

A sealed value (a *token*) is ``hs1:`` and the URL-safe base64 (no padding) of a random
96-bit nonce followed by the ChaCha20-Poly1305 ciphertext and tag of the UTF-8 text
(``cryptography``'s AEAD, nothing home-made). The associated data binds the token to its
place: the record ID and the field's path in the spec (dotted, list indexes left out:
``name``, ``visits.note``, ``referrals.decisions.note``), so a token copied into another
record or another field does not open. The field's path leaves indexes out so that a
visit inserted before another keeps every token valid (a value that did not change is
never sealed again). A token is a plain YAML scalar (letters, digits, ``-``, ``_``, ``:``).

Whether a text *is* a token needs no key and no cryptography (:data:`hs.records.spec.
SEALED_PATTERN`); validation, merges, diffs and every bulk read see tokens as opaque text.
"""

from __future__ import annotations

import base64
import os
import re

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

from hs.records.spec import SEALED_PATTERN, SEALED_PREFIX

__all__ = ["KEY_BYTES", "Unopenable", "is_sealed", "new_key", "open", "seal"]

KEY_BYTES = 32
_NONCE = 12
_SEALED = re.compile(SEALED_PATTERN)


class Unopenable(ValueError):
    """The token does not open with this key at this place (another key, another record
    or field, or a damaged token). Says nothing about the value."""


def new_key() -> bytes:
    """A fresh random key for one family or volunteer."""
    return ChaCha20Poly1305.generate_key()


def _aad(record_id: str, path: str) -> bytes:
    return f"hs1\x00{record_id}\x00{path}".encode()


def is_sealed(value: object) -> bool:
    """Whether ``value`` is a token (by its form only: no key needed)."""
    return type(value) is str and _SEALED.fullmatch(value) is not None


def seal(key: bytes, record_id: str, path: str, plain: str) -> str:
    """The token of ``plain`` for the field ``path`` of record ``record_id``."""
    nonce = os.urandom(_NONCE)
    ct = ChaCha20Poly1305(key).encrypt(nonce, plain.encode("utf-8"), _aad(record_id, path))
    return SEALED_PREFIX + base64.urlsafe_b64encode(nonce + ct).decode("ascii").rstrip("=")


def open(key: bytes, record_id: str, path: str, token: str) -> str:
    """The text sealed in ``token``; :class:`Unopenable` if it does not open here."""
    if not is_sealed(token):
        raise Unopenable("not a sealed value")
    body = token[len(SEALED_PREFIX):]
    try:
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        plain = ChaCha20Poly1305(key).decrypt(raw[:_NONCE], raw[_NONCE:],
                                              _aad(record_id, path))
        return plain.decode("utf-8")
    except (InvalidTag, ValueError):
        raise Unopenable("the sealed value does not open with this key here") from None
