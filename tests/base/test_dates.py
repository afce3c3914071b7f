"""The one reader of days: the forms a coordinator types."""

from __future__ import annotations

import datetime as dt

import pytest

from hs.base.dates import read_date, read_month


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


@pytest.mark.parametrize(("text", "month"), [
    ("2024-03", "2024-03"), ("2024-3", "2024-03"), ("2024/03", "2024-03"),
    ("03/2024", "2024-03"), ("3/2024", "2024-03"), ("03-2024", "2024-03"),
    ("03.2024", "2024-03"), (" maart 2024 ", "2024-03"), ("Maart 2024", "2024-03"),
    ("march 2024", "2024-03"), ("mrt. 2024", "2024-03"), ("okt 2023", "2023-10"),
    ("december 2025", "2025-12"), ("mei-2024", "2024-05"),
])
def test_the_forms_of_a_month(text: str, month: str) -> None:
    assert read_month(text) == month


@pytest.mark.parametrize("text", ["", "13/2024", "2024-13", "00/2024", "03/24", "maand 2024",
                                  "Jan Peeters", "14/03/2024", "2024", "1850-03"])
def test_not_a_month(text: str) -> None:
    assert read_month(text) is None
