"""The closed enumerations of the records, declared once (plain tuples: cheap to import
anywhere). :mod:`hs.records.spec` gives them to the models as ``Literal`` types."""

from __future__ import annotations

from hs.base.i18n import Catalog

GENDERS: tuple[str, ...] = ("f", "m", "x")
TRAJECTORY_KINDS: tuple[str, ...] = ("buddy", "starter", "language", "coach")
DECISIONS: tuple[str, ...] = ("accepted", "refused", "withdrawn")
REVIEW_KINDS: tuple[str, ...] = ("start", "six-month", "closing", "extension", "other")
WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_PARTS: tuple[str, ...] = ("am", "pm")
HALF_DAYS: tuple[str, ...] = tuple(f"{d}-{p}" for d in WEEKDAYS for p in DAY_PARTS)

# The Dutch and English labels of the closed enumerations' codes, for sentences (the
# open vocabularies' labels are in each repository's vocabularies.yaml).
LABELS = Catalog("records.enums")


def label(enum: str, code: str, lang: str) -> str:
    """The label of a closed enumeration's code (``enum``: trajectory_kinds, review_kinds,
    decisions) in a language; the code itself if it has none."""
    key = f"{enum}.{code}"
    return LABELS.say(lang, key) if key in LABELS else code
