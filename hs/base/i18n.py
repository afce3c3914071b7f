"""Dutch and English messages.

The texts live in one gettext catalogue per language, ``hs/locale/nl.po`` and
``hs/locale/en.po``, which a translator edits without reading Python. A module names its
messages with a :class:`Catalog` of its own namespace (``MSG = Catalog("app.workflow")``);
a message is the entry whose ``msgctxt`` is ``"<namespace>.<key>"``, its ``msgid`` the
English text, its ``msgstr`` the language's text (``msgstr[0]``/``msgstr[1]`` for a text
with a plural, ``MSG.n(key, count)``). Help texts of the command line are entries with
``msgctxt "help"`` whose ``msgid`` is the English help in the code (:func:`help_text`).

A catalogue is read once per process, and only when a message of its language is needed:
``hs --help`` and a command that prints nothing of it never read it.

A module may still give its messages in the code, ``Catalog({"key": ("english",
"nederlands")})`` (a plural: ``(("one", "many"), ("één", "meer"))``): the development
tool ``python -m hs.base.catalogtool extract`` moves such a literal into the ``.po`` files
and rewrites it to ``Catalog("namespace")``; ``check`` says what is missing.

The language comes from ``--lang``, else ``HS_LANG``, else the locale.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Mapping

from hs.base.readable import format_date

LANGS = ("en", "nl")
LOCALE_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "locale")
HELP_CONTEXT = "help"
_current: str | None = None

# A text: one string, or (singular, plural) for a text with a plural.
Text = str | tuple[str, str]
_TABLES: dict[str, dict[str, Text]] = {}


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


# --- the .po files ---------------------------------------------------------------------

class PoEntry:
    """One entry of a .po file, as this project writes them."""

    __slots__ = ("comments", "ctxt", "msgid", "msgstr", "plural")

    def __init__(self, ctxt: str | None, msgid: str, plural: str | None = None,
                 msgstr: list[str] | None = None, comments: list[str] | None = None):
        self.ctxt = ctxt
        self.msgid = msgid
        self.plural = plural
        self.msgstr = msgstr if msgstr is not None else [""] * (2 if plural else 1)
        self.comments = comments or []

    @property
    def key(self) -> tuple[str | None, str]:
        """What identifies the entry: its context, and for help texts also the msgid."""
        return (self.ctxt, self.msgid if self.ctxt in (None, HELP_CONTEXT) else "")

    def text(self) -> Text:
        """The translation, or the English (msgid) where it is empty."""
        if self.plural is not None:
            one = self.msgstr[0] if self.msgstr and self.msgstr[0] else self.msgid
            many = (self.msgstr[1] if len(self.msgstr) > 1 and self.msgstr[1]
                    else self.plural)
            return (one, many)
        return self.msgstr[0] if self.msgstr and self.msgstr[0] else self.msgid


_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "r": "\r"}
_ESCAPE = re.compile(r"\\(.)")


def _unquote(text: str, where: str) -> str:
    if len(text) < 2 or text[0] != '"' or text[-1] != '"':
        raise ValueError(f"{where}: a string in double quotes expected")
    body = text[1:-1]
    if "\\" not in body:
        return body
    return _ESCAPE.sub(lambda m: _ESCAPES.get(m[1], m[1]), body)


def parse_po(text: str, name: str = "po") -> list[PoEntry]:
    """The entries of a .po file (comments kept, the header entry with msgid "" left
    out)."""
    entries: list[PoEntry] = []
    fields: dict[str, str] = {}
    comments: list[str] = []
    last: str | None = None

    def flush() -> None:
        nonlocal fields, comments, last
        if "msgid" in fields:
            plural = fields.get("msgid_plural")
            if plural is not None:
                msgstr = [fields.get("msgstr[0]", ""), fields.get("msgstr[1]", "")]
            else:
                msgstr = [fields.get("msgstr", "")]
            if fields["msgid"] or "msgctxt" in fields:
                entries.append(PoEntry(fields.get("msgctxt"), fields["msgid"], plural,
                                       msgstr, comments))
        fields, comments, last = {}, [], None

    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.rstrip()
        if not line:
            flush()
            continue
        if line.startswith("#"):
            if "msgid" in fields:
                flush()
            comments.append(raw)
            continue
        if line.startswith('"'):
            if last is None:
                raise ValueError(f"{name}:{number}: a continued string without a keyword")
            fields[last] += _unquote(line, f"{name}:{number}")
            continue
        keyword, _, rest = line.partition(" ")
        if keyword not in ("msgctxt", "msgid", "msgid_plural", "msgstr", "msgstr[0]",
                           "msgstr[1]"):
            raise ValueError(f"{name}:{number}: unknown keyword {keyword!r}")
        if (keyword in ("msgctxt", "msgid") and keyword in fields) or (
                keyword == "msgctxt" and "msgid" in fields):
            flush()
        fields[keyword] = _unquote(rest.strip(), f"{name}:{number}")
        last = keyword
    flush()
    return entries


def po_path(lang: str) -> str:
    return os.path.join(LOCALE_DIR, f"{lang}.po")


_SIMPLE = re.compile(r'^msgctxt "(.*)"\nmsgid "(.*)"\n(?:msgstr "(.*)"|msgid_plural "(.*)"\n'
                     r'msgstr\[0\] "(.*)"\nmsgstr\[1\] "(.*)")$', re.M)


def _simple(text: str) -> dict[str, Text] | None:
    """The texts of a .po file whose every entry has one-line strings (a regular
    expression: the quickest way in Python), or None when one has not."""
    out: dict[str, Text] = {}
    for m in _SIMPLE.finditer(text):
        ctxt, msgid, msgstr, plural, one, many = m.groups()
        if "\\" in m[0]:
            ctxt, msgid = _unquote(f'"{ctxt}"', "po"), _unquote(f'"{msgid}"', "po")
            msgstr, plural, one, many = (None if x is None else _unquote(f'"{x}"', "po")
                                         for x in (msgstr, plural, one, many))
        key = f"{ctxt}\x04{msgid}" if ctxt == HELP_CONTEXT else ctxt
        if plural is None:
            out[key] = msgstr or msgid
        else:
            out[key] = (one or msgid, many or plural)
    return out if len(out) == text.count("\nmsgctxt ") + text.startswith("msgctxt ") else None


def _blocks(text: str) -> dict[str, Text] | None:
    """The texts of a .po file written one entry per paragraph (what gettext tools and
    the catalogue tool write), or None for another layout (then :func:`parse_po`)."""
    out: dict[str, Text] = {}
    for block in text.split("\n\n"):
        fields: dict[str, str] = {}
        last = ""
        for line in block.split("\n"):
            if not line or line[0] == "#":
                continue
            if line[0] == '"':
                if not last:
                    return None
                fields[last] += _unquote(line.rstrip(), "po")
                continue
            keyword, _, rest = line.partition(" ")
            if keyword in fields:
                return None
            fields[keyword] = _unquote(rest.strip(), "po")
            last = keyword
        ctxt = fields.get("msgctxt")
        if ctxt is None:
            continue
        msgid = fields.get("msgid", "")
        if "msgid_plural" in fields:
            out[f"{ctxt}\x04{msgid}" if ctxt == HELP_CONTEXT else ctxt] = (
                fields.get("msgstr[0]") or msgid,
                fields.get("msgstr[1]") or fields["msgid_plural"])
        else:
            out[f"{ctxt}\x04{msgid}" if ctxt == HELP_CONTEXT else ctxt] = (
                fields.get("msgstr") or msgid)
    return out


def table(lang: str) -> dict[str, Text]:
    """The texts of a language by message context (``"help\\x04<msgid>"`` for help
    texts), read from its .po file once per process."""
    found = _TABLES.get(lang)
    if found is None:
        path = po_path(lang)
        try:
            with open(path, encoding="utf-8") as file:
                text = file.read()
        except FileNotFoundError:
            text = ""
        quick = _simple(text)
        if quick is None:
            quick = _blocks(text)
        if quick is None:
            quick = {}
            for entry in parse_po(text, os.path.basename(path)):
                if entry.ctxt == HELP_CONTEXT:
                    quick[f"{HELP_CONTEXT}\x04{entry.msgid}"] = entry.text()
                elif entry.ctxt is not None:
                    quick[entry.ctxt] = entry.text()
        found = _TABLES[lang] = quick
    return found


def help_text(english: str, lang: str | None = None) -> str:
    """A help text of the command line (English in the code) in the language."""
    lang = lang or language()
    if lang == "en" or not english:
        return english
    found = table(lang).get(f"{HELP_CONTEXT}\x04{english}")
    return found if isinstance(found, str) and found else english


def plural_form(count: int, lang: str) -> int:
    """0 for the singular, 1 for the plural (Dutch and English: 1 is singular)."""
    return 0 if count == 1 else 1


def readable_fields(fields: Mapping[str, object], lang: str) -> dict[str, object]:
    """The fields of a message with every date (``datetime.date``, not a datetime) in the
    form for reading of the language ("02/12/2026" in Dutch, ISO in English): the one
    place where a message's dates are formatted, so callers pass dates, not strings."""
    return {k: format_date(v, lang) if type(v) is dt.date else v
            for k, v in fields.items()}


# --- catalogues ------------------------------------------------------------------------

class Catalog:
    """The messages of a namespace, by key, with str.format fields.

    ``Catalog("app.workflow")`` reads them from the .po files; ``Catalog({"key":
    ("english", "dutch")})`` holds them in the code until ``catalogtool extract`` moves
    them."""

    def __init__(self, messages: str | Mapping[str, tuple[Text, Text]]):
        self._messages: dict[str, tuple[Text, Text]] = {}
        self._loaded = False
        if isinstance(messages, str):
            self.namespace: str | None = messages
        else:
            self.namespace = None
            self._messages = dict(messages)

    def text(self, key: str, lang: str | None = None) -> Text:
        """The template of a message in a language (the current one by default)."""
        lang = lang or language()
        if self.namespace is None:
            en, nl = self._messages[key]
            return nl if lang == "nl" else en
        try:
            return table(lang)[f"{self.namespace}.{key}"]
        except KeyError:
            if lang != "en":  # a message not translated yet: say it in English
                return self.text(key, "en")
            raise KeyError(f"{self.namespace}.{key}") from None

    def __call__(self, key: str, /, **fields: object) -> str:
        """A message; one with a plural takes the form for its field ``n``."""
        return self.say(language(), key, **fields)

    def say(self, lang: str, key: str, /, **fields: object) -> str:
        """A message in a given language (a plural: the form for the field ``n``); a
        field that is a date is written for reading (:func:`readable_fields`)."""
        return self._format(lang, key, readable_fields(fields, lang))

    def plain(self, key: str, /, **fields: object) -> str:
        """A message in the current language with its dates left ISO: for machine and
        audit text that a person reads too, such as the subject of a commit."""
        return self._format(language(), key, fields)

    def _format(self, lang: str, key: str, fields: Mapping[str, object]) -> str:
        template = self.text(key, lang)
        if isinstance(template, tuple):
            n = fields.get("n")
            template = template[plural_form(n, lang) if isinstance(n, int) else 1]
        return template.format(**fields) if fields else template

    def n(self, key: str, count: int, /, **fields: object) -> str:
        """A message with a plural: the form for ``count`` (given to the text as ``{n}``
        unless the fields name it otherwise)."""
        lang = language()
        template = self.text(key, lang)
        if isinstance(template, tuple):
            template = template[plural_form(count, lang)]
        return template.format(**{"n": count, **readable_fields(fields, lang)})

    def english(self, key: str, /, **fields: object) -> str:
        """The English text of a message, whatever the language."""
        return self.say("en", key, **fields)

    @property
    def messages(self) -> dict[str, tuple[Text, Text]]:
        """Every message of the catalogue as (english, dutch), by key."""
        if self.namespace is not None and not self._loaded:
            prefix = f"{self.namespace}."
            en, nl = table("en"), table("nl")
            self._messages = {k[len(prefix):]: (text, nl.get(k, text))
                              for k, text in en.items() if k.startswith(prefix)}
            self._loaded = True
        return self._messages

    def __contains__(self, key: str) -> bool:
        return key in self.messages

    def keys(self) -> list[str]:
        return list(self.messages)
