"""`hs.cli.confirm`: the one yes/no question, in both languages' words."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from hs.base.i18n import set_language
from hs.cli.confirm import answer, confirm


@pytest.mark.parametrize(("text", "said"), [
    ("j", True), ("Ja", True), ("y", True), ("YES ", True), ("n", False), ("nee", False),
    ("no", False), ("", None), ("jaa", None), ("oui", None)])
def test_answer_takes_dutch_and_english_words(text: str, said: bool | None) -> None:
    assert answer(text) is said


def run(lang: str, default: bool, given: str) -> tuple[str, str]:
    @click.command()
    def ask() -> None:
        click.echo(str(confirm("Verder?", default=default)))

    set_language(lang)
    try:
        r = CliRunner().invoke(ask, input=given)
    finally:
        set_language("en")
    return r.stdout, r.stderr


def test_confirm_asks_in_the_language_and_asks_again_until_yes_or_no() -> None:
    # (the test runner echoes what is typed)
    assert run("nl", False, "misschien\nja\n") == (
        "True\n", "Verder? [j/N]: misschien\nantwoord j (ja) of n (nee)\nVerder? [j/N]: ja\n")
    assert run("nl", False, "\n") == ("False\n", "Verder? [j/N]: \n")
    assert run("nl", True, "\n") == ("True\n", "Verder? [J/n]: \n")
    assert run("en", False, "j\n") == ("True\n", "Verder? [y/N]: j\n")
