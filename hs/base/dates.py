"""The one reader of a day as a coordinator types it, for the command line and the import.

``2025-03-14``, ``14/03/2025``, ``14-03-2025``, ``14.03.2025`` (also ``4/3/2025``),
``today``/``vandaag`` and ``yesterday``/``gisteren`` (today from :mod:`hs.base.clock`).
"""

from __future__ import annotations

import datetime as dt
import re

from hs.base.clock import today

_ISO = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")
_DMY = re.compile(r"([0-9]{1,2})([/.-])([0-9]{1,2})\2([0-9]{4})")

#: Words for a day relative to today, by how many days back.
WORDS: dict[str, int] = {"today": 0, "vandaag": 0, "yesterday": 1, "gisteren": 1}

#: The forms a date may take, for messages and help.
FORMS = ("YYYY-MM-DD", "DD/MM/YYYY", "DD-MM-YYYY", "today", "yesterday")
FORMS_NL = ("JJJJ-MM-DD", "DD/MM/JJJJ", "DD-MM-JJJJ", "vandaag", "gisteren")


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


def near_word(text: str) -> str | None:
    """The word for a day (``vandaag``, ``yesterday``...) that ``text`` is a slip of
    (``vandag``), if one is near it: a message may offer it as "did you mean"."""
    import difflib  # lazy: start-up time; needed only for a mistyped date

    near = difflib.get_close_matches(text.strip().lower(), list(WORDS), n=1, cutoff=0.7)
    return near[0] if near else None


__all__ = ["FORMS", "FORMS_NL", "WORDS", "near_word", "read_date"]
