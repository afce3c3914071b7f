"""The closed enumerations of the records, declared once (plain tuples: cheap to import
anywhere). :mod:`hs.records.spec` gives them to the models as ``Literal`` types."""

from __future__ import annotations

GENDERS: tuple[str, ...] = ("f", "m", "x")
TRAJECTORY_KINDS: tuple[str, ...] = ("buddy", "starter", "language", "coach")
DECISIONS: tuple[str, ...] = ("accepted", "refused", "withdrawn")
REVIEW_KINDS: tuple[str, ...] = ("start", "six-month", "closing", "extension", "other")
WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_PARTS: tuple[str, ...] = ("am", "pm")
HALF_DAYS: tuple[str, ...] = tuple(f"{d}-{p}" for d in WEEKDAYS for p in DAY_PARTS)
