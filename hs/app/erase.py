"""TEMPORARY placeholder: erasing a family or volunteer (crypto-shredding its key) is built
by helper ``seal``; the lead replaces this module by theirs at merge. It exists so that
``hs retention --apply`` (:mod:`hs.app.retention`) can call the final signature now."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from hs.base.errors import HsError
from hs.base.i18n import Catalog

MSG = Catalog({
    "not-yet": ("erasing records is not yet available in this version of hs; "
                "nothing was changed",
                "records wissen kan nog niet in deze versie van hs; er is niets gewijzigd"),
})


class EraseUnavailable(HsError):
    """TEMPORARY: erasing is not built yet."""


def erase(store: Any, ids: Sequence[str], *, reason: str) -> Any:
    """TEMPORARY: always refuses (see the module's text)."""
    raise EraseUnavailable(MSG("not-yet"))
