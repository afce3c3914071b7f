"""The one reader of a day as a coordinator types it, for the command line and the import.

``2025-03-14``, ``14/03/2025``, ``14-03-2025``, ``14.03.2025`` (also ``4/3/2025``),
``today``/``vandaag`` and ``yesterday``/``gisteren`` (today from :mod:`hs.base.clock`).

And of a month (a child's birth month, an expected birth): ``2024-03``, ``03/2024``,
``3-2024``, ``03.2024``, ``maart 2024``/``march 2024``/``mrt 2024`` (:func:`read_month`).
"""

from __future__ import annotations

import datetime as dt
import re

from hs.base.clock import today

_ISO = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")
_DMY = re.compile(r"([0-9]{1,2})([/.-])([0-9]{1,2})\2([0-9]{4})")

_YM = re.compile(r"([0-9]{4})[-/.]([0-9]{1,2})")
_MY = re.compile(r"([0-9]{1,2})[/.-]([0-9]{4})")
_NAMED = re.compile(r"([^\W\d_]+)\.?[\s-]*([0-9]{4})")

#: Month names (Dutch and English, whole and short), by number.
MONTH_NAMES: dict[str, int] = {
    name: number
    for number, names in enumerate((
        ("januari", "january", "jan"), ("februari", "february", "feb"),
        ("maart", "march", "mrt", "mar", "maa"), ("april", "apr"),
        ("mei", "may"), ("juni", "june", "jun"), ("juli", "july", "jul"),
        ("augustus", "august", "aug"), ("september", "sep", "sept"),
        ("oktober", "october", "okt", "oct"), ("november", "nov"),
        ("december", "dec")), start=1)
    for name in names
}

#: Words for a day relative to today, by how many days back.
WORDS: dict[str, int] = {"today": 0, "vandaag": 0, "yesterday": 1, "gisteren": 1}

#: The forms a date may take, for messages and help.
FORMS = ("YYYY-MM-DD", "DD/MM/YYYY", "DD-MM-YYYY", "today", "yesterday")
FORMS_NL = ("JJJJ-MM-DD", "DD/MM/JJJJ", "DD-MM-JJJJ", "vandaag", "gisteren")

#: The forms a month may take, for messages and help.
MONTH_FORMS = ("YYYY-MM", "MM/YYYY", "MM-YYYY", "march 2024")
MONTH_FORMS_NL = ("JJJJ-MM", "MM/JJJJ", "MM-JJJJ", "maart 2024")


def read_date(text: str) -> dt.date | None:
    """The day ``text`` names, or None if it names none (a wrong form, or no such day)."""
    value = text.strip()
    back = WORDS.get(value.lower())
    if back is not None:
        return today() - dt.timedelta(days=back)
    m = _ISO.fullmatch(value)
    if m:
        y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
    else:
        m = _DMY.fullmatch(value)
        if not m:
            return None
        d, mo, y = int(m.group(1)), int(m.group(3)), int(m.group(4))
    try:
        return dt.date(y, mo, d)
    except ValueError:
        return None


def read_month(text: str) -> str | None:
    """The month ``text`` names as ``YYYY-MM``, or None if it names none.

    The one reader of a month for the command line (``--child``, ``--expecting``) and the
    import: ``2024-03``, ``2024/3``, ``03/2024``, ``3-2024``, ``03.2024``, ``maart 2024``,
    ``march 2024``, ``mrt. 2024`` (case ignored). Years before 1900 or after 2999 are none."""
    value = text.strip()
    m = _YM.fullmatch(value)
    if m:
        year, month = int(m.group(1)), int(m.group(2))
    elif (m := _MY.fullmatch(value)):
        month, year = int(m.group(1)), int(m.group(2))
    elif (m := _NAMED.fullmatch(value)):
        named = MONTH_NAMES.get(m.group(1).lower())
        if named is None:
            return None
        month, year = named, int(m.group(2))
    else:
        return None
    if not (1 <= month <= 12 and 1900 <= year <= 2999):
        return None
    return f"{year:04d}-{month:02d}"


def near_word(text: str) -> str | None:
    """The word for a day (``vandaag``, ``yesterday``...) that ``text`` is a slip of
    (``vandag``), if one is near it: a message may offer it as "did you mean"."""
    import difflib  # lazy: start-up time; needed only for a mistyped date

    near = difflib.get_close_matches(text.strip().lower(), list(WORDS), n=1, cutoff=0.7)
    return near[0] if near else None


__all__ = ["FORMS", "FORMS_NL", "MONTH_FORMS", "MONTH_FORMS_NL", "MONTH_NAMES", "WORDS",
           "near_word", "read_date", "read_month"]
