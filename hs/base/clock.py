"""The current day: today, or ``HS_TODAY`` (an ISO date) for tests and demonstrations.

The one place that reads ``HS_TODAY``: the rules, the store (``hs.store.repo.today``
re-exports it) and the workflow all ask here."""

from __future__ import annotations

import datetime as dt
import os

from hs.base.errors import UsageError
from hs.base.i18n import Catalog

_M = Catalog("base.clock")


def today() -> dt.date:
    """Today's date; HS_TODAY (ISO) overrides it."""
    forced = os.environ.get("HS_TODAY")
    if forced:
        try:
            return dt.date.fromisoformat(forced)
        except ValueError:
            raise UsageError(_M("bad_today")) from None
    return dt.date.today()
