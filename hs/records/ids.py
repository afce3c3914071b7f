"""Record IDs.

An ID is one kind letter and eight random characters from a 32-letter alphabet without
look-alikes (no i, l, o, u): ``f3kq7p2xm``. It reveals nothing about the person, is short
enough to read over the phone, and 40 random bits make a clash between two clones that
create records at the same time without talking to each other negligible (about one in a
million when each creates 1,000 records apart); within one tree an ID is never reused.
Locations are the exception: their ID is the short code the coordinator chooses
(``leuven``). Wherever an ID is expected, a unique prefix of it is accepted.
"""

from __future__ import annotations

import re
import secrets
from typing import Literal, cast

from hs.records import enums, spec

ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
RANDOM_LENGTH = 8

# The type checker needs the names spelled out; a test checks they are the spec's kinds.
RecordKind = Literal["location", "family", "volunteer", "trajectory", "event"]
#: The record kinds, their ID letters and folders: all from the record spec.
KINDS: tuple[RecordKind, ...] = cast(tuple[RecordKind, ...], tuple(spec.KINDS))
PREFIX: dict[RecordKind, str] = {cast(RecordKind, name): k.letter
                                 for name, k in spec.KINDS.items() if k.letter is not None}
FOLDER: dict[RecordKind, str] = {cast(RecordKind, name): k.folder
                                 for name, k in spec.KINDS.items()}
KIND_OF_FOLDER: dict[str, RecordKind] = {folder: kind for kind, folder in FOLDER.items()}

RECORD_ID_RE = re.compile(rf"^[{''.join(PREFIX.values())}][{ALPHABET}]{{{RANDOM_LENGTH}}}$")
LOCATION_ID_RE = re.compile(r"^[a-z][a-z0-9-]{1,29}$")
_RESERVED = {"true", "false", "null", "yes", "no", "on", "off"}


def new_id(kind: RecordKind, taken: set[str] | frozenset[str] = frozenset()) -> str:
    """A fresh random ID for a record of a kind with an ID letter, not in ``taken``."""
    if kind not in PREFIX:
        raise ValueError("a location's ID is the code the coordinator chooses")
    while True:
        candidate = PREFIX[kind] + "".join(
            secrets.choice(ALPHABET) for _ in range(RANDOM_LENGTH)
        )
        if candidate not in taken:
            return candidate


def id_of_path(rel: str) -> str:
    """The record ID a record file's path names: its file name without the extension."""
    return rel[rel.rfind("/") + 1:rel.rfind(".")]


def is_valid_id(kind: RecordKind, value: str) -> bool:
    if kind not in PREFIX:
        return bool(LOCATION_ID_RE.match(value)) and value not in _RESERVED
    return bool(RECORD_ID_RE.match(value)) and value[0] == PREFIX[kind]


def kind_of_id(value: str) -> RecordKind | None:
    """The kind an ID (or prefix) names by its first letter, if it is a generated one."""
    if len(value) >= 1 and RECORD_ID_RE.match(value.ljust(RANDOM_LENGTH + 1, "0")):
        for kind, letter in PREFIX.items():
            if value[0] == letter:
                return kind
    return None


TRAJECTORY_KINDS: tuple[str, ...] = enums.TRAJECTORY_KINDS
GENDERS: tuple[str, ...] = enums.GENDERS
