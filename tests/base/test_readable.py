"""Numbers and dates for reading: one implementation for the terminal and the report."""

from __future__ import annotations

import datetime as dt

import pytest

from hs.base.readable import format_date, format_number, format_percent


@pytest.mark.parametrize(("value", "lang", "digits", "grouped", "text"), [
    (3.5, "nl", 2, False, "3,50"),
    (3.5, "en", 2, False, "3.50"),
    (3.5, "nl", None, False, "3,5"),
    (104.68, "nl", None, False, "104,68"),
    (10984, "nl", None, True, "10.984"),
    (10984, "en", None, True, "10,984"),
    (1234.5, "nl", 1, True, "1.234,5"),
    (7, "nl", None, False, "7"),
])
def test_format_number(value: float, lang: str, digits: int | None, grouped: bool,
                       text: str) -> None:
    assert format_number(value, lang, digits, grouped) == text


def test_format_percent_and_date() -> None:
    assert format_percent(0.486, "nl") == "48,6%"
    assert format_percent(0.486, "en") == "48.6%"
    day = dt.date(2025, 3, 4)
    assert format_date(day, "nl") == "04/03/2025"
    assert format_date(day, "en") == "2025-03-04"
    assert format_date(day, "nl", long=True) == "4 maart 2025"
    assert format_date(day, "en", long=True) == "4 March 2025"


def test_the_report_formats_through_this_module() -> None:
    """The HTML report's figures are this module's (no second implementation)."""
    from hs.app import report

    assert report.fmt_dec(3.5, "nl") == "3,50"
    assert report.fmt_int(10984, "nl") == "10.984"
    assert report.fmt_date(dt.date(2025, 12, 31), "nl") == "31 december 2025"
    assert report.fmt_share(0.486, "nl", 1) == "48,6%"
