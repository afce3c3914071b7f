"""Numbers and dates for reading, in the user's language: the one implementation used by
the terminal tables and messages (:mod:`hs.cli.output`) and the HTML report
(:mod:`hs.app.report`).

Dutch reads a decimal comma ("48,6%", "3,50"), a point between thousands when grouped
("10.984") and Belgian dates ("14/03/2025"); English a decimal point, a comma between
thousands and ISO dates. Files and the machine formats (plain, csv, json, markdown) do not
use this module: they keep ISO dates and decimal points, so scripts do not break.
"""

from __future__ import annotations

import datetime as dt

MONTHS = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
    "nl": ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
           "september", "oktober", "november", "december"),
}


def _dutch(text: str) -> str:
    """English separators (1,234.5) turned Dutch (1.234,5)."""
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def format_number(value: float, lang: str, digits: int | None = None,
                  grouped: bool = False) -> str:
    """A number for reading: ``digits`` decimals (None: a whole number as such, else up to
    two decimals without trailing zeros), a thousands separator when ``grouped``."""
    if digits is None:
        if float(value).is_integer():
            text = f"{round(value):,}" if grouped else str(round(value))
        else:
            text = f"{value:,.2f}" if grouped else f"{value:.2f}"
            text = text.rstrip("0").rstrip(".")
    else:
        text = f"{value:,.{digits}f}" if grouped else f"{value:.{digits}f}"
    return _dutch(text) if lang == "nl" else text


def format_percent(share: float, lang: str, digits: int = 1) -> str:
    """A share (0.486) as a percentage for reading: "48,6%" in Dutch, "48.6%" in English."""
    return format_number(share * 100, lang, digits) + "%"


def format_date(day: dt.date, lang: str, long: bool = False) -> str:
    """A date for reading: "14/03/2025" in Dutch, "2025-03-14" in English; ``long``: the
    month in words ("14 maart 2025", "14 March 2025")."""
    if long:
        month = MONTHS.get(lang, MONTHS["en"])[day.month - 1]
        return f"{day.day} {month} {day.year}"
    if lang == "nl":
        return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"
    return day.isoformat()
