"""Messages from the .po files: reading them, plurals, the language, and the Dutch
wording checked against docs/glossary.md."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from hs.base import i18n
from hs.base.catalogtool import format_po
from hs.base.i18n import Catalog, PoEntry, parse_po, set_language

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def lang() -> Iterator[None]:
    yield
    set_language(None)


def _table(path: str) -> dict[str, i18n.Text]:
    out: dict[str, i18n.Text] = {}
    for entry in parse_po(Path(path).read_text(encoding="utf-8")):
        key = f"help\x04{entry.msgid}" if entry.ctxt == "help" else entry.ctxt
        assert key is not None
        out[key] = entry.text()
    return out


@pytest.mark.parametrize("lang_", ["en", "nl"])
def test_the_three_readers_of_a_po_file_agree(lang_: str) -> None:
    path = i18n.po_path(lang_)
    text = Path(path).read_text(encoding="utf-8")
    quick = i18n._simple(text)
    assert quick is not None  # the file as the tool writes it: the quickest reader
    assert quick == i18n._blocks(text) == _table(path)


def test_a_po_file_edited_by_a_translator_tool_reads_the_same() -> None:
    # multi-line strings, escapes, comments, no blank line between two entries
    text = ('msgid ""\nmsgstr ""\n"Language: nl\\n"\n\n'
            '# translator\'s note\n#: hs/x.py\nmsgctxt "x.a"\nmsgid ""\n"two "\n"lines"\n'
            'msgstr ""\n"twee "\n"regels \\"quoted\\"\\n"\n'
            'msgctxt "x.b"\nmsgid "one"\nmsgid_plural "{n} rows"\nmsgstr[0] "één rij"\n'
            'msgstr[1] "{n} rijen"\n\n'
            'msgctxt "help"\nmsgid "Help."\nmsgstr ""\n')
    entries = parse_po(text)
    assert [(e.ctxt, e.msgid, e.plural, e.msgstr) for e in entries] == [
        ("x.a", "two lines", None, ['twee regels "quoted"\n']),
        ("x.b", "one", "{n} rows", ["één rij", "{n} rijen"]),
        ("help", "Help.", None, [""]),
    ]
    assert entries[0].comments == ["# translator's note", "#: hs/x.py"]
    assert i18n._simple(text) is None and i18n._blocks(text) is None  # the slow reader
    assert parse_po(format_po("nl", entries))[1].msgstr == ["één rij", "{n} rijen"]


def test_plurals_take_the_form_for_the_count(lang: None) -> None:
    msg = Catalog("app.importer")
    set_language("nl")
    assert msg("dry-run", file="a.csv", n=1) == "a.csv: 1 rij geldig; niets geschreven " \
        "(--dry-run)"
    assert msg.n("dry-run", 0, file="a.csv") == "a.csv: 0 rijen geldig; niets geschreven " \
        "(--dry-run)"
    set_language("en")
    assert msg.n("dry-run", 1, file="a.csv") == "a.csv: 1 row valid; nothing written " \
        "(--dry-run)"
    assert msg("dry-run", file="a.csv", n=2) == "a.csv: 2 rows valid; nothing written " \
        "(--dry-run)"
    capacity = Catalog("app.workflow")
    set_language("nl")
    assert capacity("capacity-full", id="v1", n=1, date="2025-01-01", capacity=1) == (
        "vrijwilliger v1 ondersteunt op 2025-01-01 al 1 gezin (capaciteit 1)")


def test_an_in_code_catalogue_still_works(lang: None) -> None:
    msg = Catalog({"a": ("one {x}", "een {x}"), "p": (("1 row", "{n} rows"),
                                                      ("1 rij", "{n} rijen"))})
    set_language("nl")
    assert (msg("a", x=1), msg.n("p", 3), msg("p", n=1)) == ("een 1", "3 rijen", "1 rij")
    assert msg.english("a", x=2) == "one 2"
    assert "a" in msg and msg.keys() == ["a", "p"]


def test_a_catalogue_gives_its_messages_as_english_and_dutch() -> None:
    msg = Catalog("cli")
    assert msg.messages["lang"] == ("use nl or en", "gebruik nl of en")
    assert "lang" in msg and "nonsense" not in msg


def test_the_po_files_are_read_only_when_a_message_is_needed() -> None:
    code = ("import sys; sys.argv = ['hs', '--help']\nfrom hs.base import i18n\n"
            "from hs.main import main\ntry:\n    main()\nexcept SystemExit:\n    pass\n"
            "assert i18n._TABLES == {}, list(i18n._TABLES)\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={"HS_LANG": "en", "PATH": "/usr/bin:/bin"}, check=False)
    assert proc.returncode == 0, proc.stderr


def test_the_po_files_are_in_the_wheel() -> None:
    import tomllib

    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "locale/*.po" in data["tool"]["setuptools"]["package-data"]["hs"]


# --- the Dutch wording -------------------------------------------------------------------


def _forbidden() -> list[tuple[str, str]]:
    """The words docs/glossary.md says are not to be used, and what to use instead."""
    text = (ROOT / "docs" / "glossary.md").read_text(encoding="utf-8")
    section = text.split("## One word per concept (checked)", 1)[1]
    rows = [line.split("|")[1:3] for line in section.splitlines()
            if line.startswith("| ") and not line.startswith("| not this")]
    return [(bad.strip(), good.strip()) for bad, good in rows]


def test_the_glossary_lists_forbidden_words() -> None:
    assert ("u", "je") in _forbidden() and ("afgerond", "afgesloten") in _forbidden()


def _dutch_texts() -> list[tuple[str, str]]:
    out = []
    for entry in parse_po(Path(i18n.po_path("nl")).read_text(encoding="utf-8")):
        for text in entry.msgstr:
            out.append((entry.ctxt or "", text))
    return out


def test_the_dutch_catalogue_uses_the_glossary_s_words() -> None:
    found = []
    for bad, good in _forbidden():
        flags = 0 if bad in ("u", "uw") else re.IGNORECASE  # 'U+0007' is no address
        pattern = re.compile(rf"(?<![\w+-]){re.escape(bad)}(?![\w+-])", flags)
        found += [f"{ctxt}: '{bad}' (use '{good}'): {text[:60]}"
                  for ctxt, text in _dutch_texts() if pattern.search(text)]
    assert found == []


def test_the_glossary_check_finds_a_forbidden_word(tmp_path: Path) -> None:
    pattern = re.compile(r"(?<![\w+-])u(?![\w+-])")
    assert pattern.search("weet niet wie u bent")
    assert not pattern.search("stuurteken U+0007") and not pattern.search("uur")


def test_a_translation_keeps_the_english_fields() -> None:
    # the same {fields} in both languages (a plural's singular may leave out {n})
    import string

    def fields(text: str) -> set[str]:
        return {f[1] for f in string.Formatter().parse(text) if f[1]}

    en = {e.ctxt: e for e in parse_po(Path(i18n.po_path("en")).read_text(encoding="utf-8"))}
    for entry in parse_po(Path(i18n.po_path("nl")).read_text(encoding="utf-8")):
        if entry.ctxt == "help":
            continue
        assert entry.ctxt in en, entry.ctxt
        assert fields(entry.msgstr[-1]) == fields(en[entry.ctxt].msgstr[-1]), entry.ctxt


def test_po_entries_round_trip() -> None:
    entry = PoEntry("a.b", 'x "y"\n\tz', None, ["ä \\ b"], ["#: here"])
    assert [(e.ctxt, e.msgid, e.msgstr, e.comments)
            for e in parse_po(format_po("nl", [entry]))] == [
        ("a.b", 'x "y"\n\tz', ["ä \\ b"], ["#: here"])]


def test_date_fields_are_written_for_reading_in_the_language(lang: None) -> None:
    import datetime as dt

    msg = Catalog({"on": ("visit on {date}", "steunmoment op {date}"),
                   "n": (("{n} visit since {date}", "{n} visits since {date}"),
                         ("{n} steunmoment sinds {date}", "{n} steunmomenten sinds {date}"))})
    day = dt.date(2026, 12, 2)
    set_language("nl")
    assert msg("on", date=day) == "steunmoment op 02/12/2026"
    assert msg.n("n", 2, date=day) == "2 steunmomenten sinds 02/12/2026"
    # a commit subject is audit text: its dates stay ISO, in the command's language
    assert msg.plain("on", date=day) == "steunmoment op 2026-12-02"
    # a datetime is not a day, a string is left as given
    assert msg("on", date="2026-12-02") == "steunmoment op 2026-12-02"
    set_language("en")
    assert msg("on", date=day) == "visit on 2026-12-02"
