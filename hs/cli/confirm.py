"""The one yes/no question of hs: ``confirm(text)``, in the language of hs.

Dutch asks "[j/N]" and English "[y/N]"; both accept either language's words
(j/ja/y/yes, n/nee/no), so a Dutch user typing "j" and a script answering "y" both work.
An empty answer takes the default; anything else asks again. Every yes/no prompt of the
CLI goes through here (not ``typer.confirm``, whose words are English only)."""

from __future__ import annotations

import click

from hs.base.i18n import Catalog

MSG = Catalog("cli.confirm")

YES = frozenset({"j", "ja", "y", "yes"})
NO = frozenset({"n", "nee", "no"})


def answer(text: str) -> bool | None:
    """True for a yes, False for a no, None for anything else (an empty answer too)."""
    word = text.strip().lower()
    return True if word in YES else False if word in NO else None


def confirm(text: str, *, default: bool = False) -> bool:
    """Ask ``text`` on stderr until the answer is yes or no; empty is ``default``.
    End of input (or Ctrl-C) aborts, as Click's own prompts do."""
    from hs.cli.output import message, safe

    choices = MSG("default-yes") if default else MSG("default-no")
    while True:  # click reads the answer; the question is escaped as every message is
        given = click.prompt(safe(f"{text} {choices}"), default="", show_default=False,
                             err=True, prompt_suffix=" ")
        if not given.strip():
            return default
        said = answer(given)
        if said is not None:
            return said
        message(MSG("again"))
