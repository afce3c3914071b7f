"""The catalogue tool: extract moves in-code catalogues to the .po files, check says what
is missing; and the project's own catalogues pass the check."""

from __future__ import annotations

import inspect
import textwrap
from pathlib import Path

import pytest

from hs.base import catalogtool
from hs.base.i18n import PoEntry, parse_po

SOURCE = '''\
"""A module."""

from hs.base.i18n import Catalog

MSG = Catalog({
    "plain": ("a plain text", "een gewone tekst"),
    "multi": ("a text over "
              "two lines with {field}",
              ("een tekst over "
               "twee regels met {field}")),
    "kept": ("old English", "oud Nederlands"),
    "plural": (("one row", "{n} rows"), ("één rij", "{n} rijen")),
    "quote": ('say "hi"\\n', 'zeg "hallo"\\n'),
})


def later(key: str) -> str:
    inner = Catalog({"same": ("one text", "één tekst"), "plain": ("another", "een ander")})
    return inner(key)


class Thing:
    def said(self) -> str:
        return Catalog({"same": ("one text", "één tekst")})("same")
'''


def _tree(tmp_path: Path, source: str = SOURCE) -> Path:
    (tmp_path / "hs" / "mod").mkdir(parents=True)
    (tmp_path / "hs" / "mod" / "x.py").write_text(source, encoding="utf-8")
    (tmp_path / "hs" / "locale").mkdir()
    for lang, text in (("en", "old English"), ("nl", "vertaald door een vertaler")):
        entry = PoEntry("mod.x.kept", "old English", None, [text])
        (tmp_path / "hs" / "locale" / f"{lang}.po").write_text(
            catalogtool.format_po(lang, [entry]), encoding="utf-8")
    return tmp_path


def _po(root: Path, lang: str) -> dict[str | None, PoEntry]:
    text = (root / "hs" / "locale" / f"{lang}.po").read_text(encoding="utf-8")
    return {e.ctxt: e for e in parse_po(text)}


def test_extract_moves_every_literal_and_rewrites_the_code(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    catalogtool.extract(root)
    code = (root / "hs" / "mod" / "x.py").read_text(encoding="utf-8")
    # two catalogues of the module give "plain" two texts: each gets its own namespace
    assert 'MSG = Catalog("mod.x")\n' in code
    assert 'inner = Catalog("mod.x.later")' in code
    assert 'return Catalog("mod.x.Thing.said")("same")' in code
    assert "Catalog({" not in code
    compile(code, "x.py", "exec")
    nl, en = _po(root, "nl"), _po(root, "en")
    assert {k: (e.msgid, e.msgstr) for k, e in nl.items()} == {
        "mod.x.kept": ("old English", ["vertaald door een vertaler"]),  # the .po's text stays
        "mod.x.plain": ("a plain text", ["een gewone tekst"]),
        "mod.x.multi": ("a text over two lines with {field}",
                        ["een tekst over twee regels met {field}"]),
        "mod.x.plural": ("one row", ["één rij", "{n} rijen"]),
        "mod.x.quote": ('say "hi"\n', ['zeg "hallo"\n']),
        "mod.x.later.same": ("one text", ["één tekst"]),
        "mod.x.later.plain": ("another", ["een ander"]),
        "mod.x.Thing.said.same": ("one text", ["één tekst"]),
    }
    assert nl["mod.x.plural"].plural == en["mod.x.plural"].plural == "{n} rows"
    assert en["mod.x.plain"].msgstr == ["a plain text"]
    assert catalogtool.check(root) == []


def test_extract_twice_changes_nothing(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    catalogtool.extract(root)
    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    assert catalogtool.extract(root) == []
    assert {p: p.read_bytes() for p in root.rglob("*") if p.is_file()} == before


def test_a_catalogue_that_is_no_literal_stays_and_is_reported(tmp_path: Path) -> None:
    root = _tree(tmp_path, 'from hs.base.i18n import Catalog\nX = "x"\n'
                 'MSG = Catalog({"a": (X, "nl")})\n')
    report = catalogtool.extract(root)
    assert report == ["hs/mod/x.py:3: not a plain dict of (english, dutch) strings: left "
                      "in the code"]
    assert "Catalog({" in (root / "hs" / "mod" / "x.py").read_text(encoding="utf-8")
    assert catalogtool.check(root) == [
        "hs/mod/x.py:3: a catalogue in the code (run 'python -m hs.base.catalogtool "
        "extract')"]


def test_check_finds_a_missing_translation_and_wrong_fields(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    catalogtool.extract(root)
    nl = root / "hs" / "locale" / "nl.po"
    text = nl.read_text(encoding="utf-8")
    text = text.replace('msgstr "een gewone tekst"', 'msgstr ""')
    text = text.replace("twee regels met {field}", "twee regels met {veld}")
    nl.write_text(text, encoding="utf-8")
    assert catalogtool.check(root) == [
        "nl.po: mod.x.multi: the fields are not those of the msgid",
        "nl.po: mod.x.plain: no nl text",
    ]


def test_check_lists_help_texts_without_dutch(tmp_path: Path) -> None:
    root = _tree(tmp_path, "")
    (root / "hs" / "cli").mkdir()
    (root / "hs" / "cli" / "x.py").write_text(textwrap.dedent('''\
        import typer
        app = typer.Typer(help="A group.")
        HELP = "From a " "constant."

        @app.command()
        def one(x: int = typer.Option(1, help=HELP)) -> None:
            """The first command.

            With more text."""

        def two() -> None:
            """The second command."""

        def register(a: typer.Typer) -> None:
            a.command("two")(two)
            a.command("three", help="Its own help.")(two)
        '''), encoding="utf-8")
    (root / "hs" / "commands.py").write_text(
        'COMMANDS = {"one": ("x", "One.")}\nROOT_HELP = "Root."\n'
        'ROOT_OPTIONS = (("--a", "Option a."),)\n', encoding="utf-8")
    missing = [line.split("help text without Dutch: ")[1]
               for line in catalogtool.check(root) if "help text without Dutch" in line]
    assert sorted(missing) == sorted(repr(t) for t in [
        "A group.", "From a constant.", "The first command.\n\nWith more text.",
        "The second command.", "Its own help.", "One.", "Root.", "Option a."])
    catalogtool.import_help([_help_po(tmp_path, {"A group.": "Een groep."})], root)
    assert len([line for line in catalogtool.check(root)
                if "help text without Dutch" in line]) == 7


def _help_po(tmp_path: Path, texts: dict[str, str]) -> Path:
    path = tmp_path / "nl-help-x.po"
    path.write_text(catalogtool.format_po("nl", [PoEntry("help", en, None, [nl])
                                                 for en, nl in texts.items()]),
                    encoding="utf-8")
    return path


def test_check_finds_stale_entries_and_prune_removes_them(tmp_path: Path) -> None:
    """An entry no code uses (a namespace no catalogue names, a help text no longer in
    the code) fails the check; prune removes it and keeps what is used: a namespace's
    keys (built keys cannot be read from the code), the help texts of the code, the
    literals given to help_text() and Typer's and Click's own words."""
    root = _tree(tmp_path)  # hs/mod/x.py: a literal catalogue (namespace mod.x)
    catalogtool.extract(root)
    (root / "hs" / "cli").mkdir()
    (root / "hs" / "cli" / "x.py").write_text(textwrap.dedent('''\
        import typer
        from hs.base.i18n import Catalog, help_text
        MSG = Catalog("cli.x")
        app = typer.Typer(help="A group.")
        WORD = help_text("Usage:")
        '''), encoding="utf-8")
    help_po = _help_po(tmp_path, {"A group.": "Een groep.", "Usage:": "Gebruik:",
                                  "Show this message and exit.": "Toon deze hulp.",
                                  "An old option.": "Een oude optie."})
    catalogtool.import_help([help_po], root)
    for lang in ("en", "nl"):
        path = root / "hs" / "locale" / f"{lang}.po"
        entries = parse_po(path.read_text(encoding="utf-8"))
        entries += [PoEntry("cli.x.built-key", "kept", None, ["kept"]),
                    PoEntry("app.gone.key", "gone", None, ["weg"])]
        path.write_text(catalogtool.format_po(lang, entries), encoding="utf-8")
    hint = " (run 'python -m hs.base.catalogtool prune')"
    assert catalogtool.check(root) == [
        "en.po: app.gone.key: no code uses it" + hint,
        "nl.po: help 'An old option.': no code uses it" + hint,
        "nl.po: app.gone.key: no code uses it" + hint]
    assert catalogtool.main(["prune", str(root)]) == 0
    assert catalogtool.check(root) == []
    nl = _po(root, "nl")
    assert "app.gone.key" not in nl and "cli.x.built-key" in nl and "mod.x.kept" in nl
    helps = {e.msgid for e in parse_po((root / "hs" / "locale" / "nl.po").read_text())
             if e.ctxt == "help"}
    assert helps == {"A group.", "Usage:", "Show this message and exit."}


def test_the_project_s_catalogues_are_complete() -> None:
    """Every message in English and Dutch with the same fields, no catalogue left in the
    code, every help text of the command line in Dutch."""
    assert catalogtool.check() == []


def test_the_help_texts_the_check_reads_are_those_of_the_command_line() -> None:
    import typer.main

    from hs.cli import app

    live: set[str] = set()
    stack = [typer.main.get_command(app)]
    while stack:
        cmd = stack.pop()
        live |= {inspect.cleandoc(t) for t in (cmd.help, cmd.short_help) if t}
        live |= {p.help for p in cmd.params if getattr(p, "help", None)}
        stack.extend(getattr(cmd, "commands", {}).values())
    assert live - set(catalogtool.help_texts()) == set()


@pytest.mark.parametrize("args", [[], ["nonsense"]])
def test_main_without_a_subcommand_is_a_usage_error(args: list[str]) -> None:
    assert catalogtool.main(args) == 2
