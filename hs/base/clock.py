"""The current day: today, or ``HS_TODAY`` (an ISO date) for tests and demonstrations.

(:func:`hs.store.repo.today` reads the same variable for the store and the workflow; the
rules read it here, as they may not import the store.)"""

from __future__ import annotations

import datetime as dt
import os


def today() -> dt.date:
    """Today's date; HS_TODAY (ISO) overrides it."""
    forced = os.environ.get("HS_TODAY")
    if forced:
        return dt.date.fromisoformat(forced)
    return dt.date.today()
