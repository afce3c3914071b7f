"""Dutch and English messages.

Each module keeps its own :class:`Catalog`, so that the strings stay next to the code
that uses them. The language comes from ``--lang``, else ``HS_LANG``, else the locale.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

LANGS = ("en", "nl")
_current: str | None = None


def detect_language() -> str:
    for var in ("HS_LANG", "LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = os.environ.get(var, "")
        if not value:
            continue
        code = value.split(":")[0].split("_")[0].split(".")[0].lower()
        if var == "HS_LANG" or code in LANGS:
            return code if code in LANGS else "en"
    return "en"


def set_language(lang: str | None) -> str:
    global _current
    _current = lang if lang in LANGS else detect_language()
    return _current


def language() -> str:
    return _current if _current is not None else set_language(None)


class Catalog:
    """Messages keyed by an identifier, each as (english, dutch) with str.format fields."""

    def __init__(self, messages: Mapping[str, tuple[str, str]]):
        self.messages = dict(messages)

    def __call__(self, key: str, /, **fields: object) -> str:
        en, nl = self.messages[key]
        template = nl if language() == "nl" else en
        return template.format(**fields) if fields else template

    def keys(self) -> list[str]:
        return list(self.messages)
