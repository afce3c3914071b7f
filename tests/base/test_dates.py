"""The one reader of days: the forms a coordinator types."""

from __future__ import annotations

import datetime as dt

import pytest

from hs.base.dates import read_date


@pytest.mark.parametrize(("text", "day"), [
    ("2025-03-14", "2025-03-14"), ("14/03/2025", "2025-03-14"), ("14-03-2025", "2025-03-14"),
    ("4/3/2025", "2025-03-04"), ("4-3-2025", "2025-03-04"), ("14.03.2025", "2025-03-14"),
    (" 2025-3-4 ", "2025-03-04"), ("today", "2025-12-31"), ("vandaag", "2025-12-31"),
    ("Vandaag", "2025-12-31"), ("yesterday", "2025-12-30"), ("gisteren", "2025-12-30"),
])
def test_the_forms_of_a_day(today: str, text: str, day: str) -> None:
    assert read_date(text) == dt.date.fromisoformat(day)


@pytest.mark.parametrize("text", ["", "31/02/2025", "2025-13-01", "14/03/25", "14/03-2025",
                                  "morgen", "Jan Peeters", "2025/03/14", "03/2025"])
def test_not_a_day(today: str, text: str) -> None:
    assert read_date(text) is None
