"""Ask for a required option or argument that was not given, on a terminal.

One mechanism for every command: :func:`enable` wraps how each required parameter of a
command takes its value, so that a missing one is asked for (with the vocabulary's codes
and their labels in the user's language, for a parameter that takes codes) when stdin
and stdout are both a terminal. The answer is read by the same readers as the command
line (:func:`hs.base.dates.read_date`, :func:`hs.records.vocabularies.parse_code`); a bad
one is said in one line and asked again. Off a terminal nothing is asked: the usual
usage error (exit 2).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from hs.base.i18n import Catalog, language
from hs.base.terminal import is_terminal

MSG = Catalog("cli.prompt")


def on_terminal() -> bool:
    """Whether a missing value may be asked: stdin and stdout are both a terminal."""
    return is_terminal(sys.stdin, sys.stdout)


def _name(param: Any) -> str:
    if getattr(param, "param_type_name", "") == "option":
        return str(max(param.opts, key=len))
    return str(param.human_readable_name)


def _asked(param: Any) -> str:
    """What a prompt asks for: the parameter's help in the user's language (given by
    :func:`hs.cli.translate.localize`) up to its first ``:``, ``(``, ``;`` or sentence end
    ("De dag waarop het gebeurde", "Wie het gezin aanmeldde"), else its name."""
    import re

    text = " ".join(str(getattr(param, "help", "") or "").split())
    head = re.split(r": | \(|; |\. |\.$", text, maxsplit=1)[0].strip()
    return head if 3 <= len(head) <= 60 else _name(param)


def _is_date(param: Any) -> bool:
    return _name(param) in ("--date", "--as-of", "--from", "--joined", "--checked") or \
        str(getattr(param, "metavar", "") or "").startswith("DATE")


def _input(prompt: str) -> str:
    """A line typed on the terminal; the question goes to stderr (stdout is for data)."""
    _write(prompt)
    line = sys.stdin.readline()
    if not line:
        raise EOFError
    return line


def _write(text: str) -> None:
    """A question or a list of choices on stderr, through the one printer of messages
    (control characters escaped; not wrapped: a question ends where the answer is typed,
    the choices are aligned)."""
    from hs.cli.output import message

    message(text, width=0, end="")


def ask(ctx: Any, param: Any, read: Callable[[str], str] | None = None,
        write: Callable[[str], Any] | None = None) -> Any:
    """The value of ``param`` asked on the terminal, read by the command line's readers;
    asked again until it is good. A list for a parameter that takes several."""

    from hs.cli.common import repo_of, takes_of

    read = read or _input
    write = write or _write

    takes = takes_of(param)
    many = bool(getattr(param, "multiple", False)) or getattr(param, "nargs", 1) == -1
    asked = _asked(param)
    vocabulary = takes.vocabulary if takes is not None else None
    vocabularies: Any = None
    if vocabulary is not None:
        from hs.complete import vocabulary_of
        from hs.records.vocabularies import choices

        vocabularies = {vocabulary: vocabulary_of(vocabulary, repo_of(ctx)).get(vocabulary, {})}
        options = choices(vocabulary, vocabularies)
        if language() == "nl":  # the Dutch word first, as hs reads it; the code beside
            width = max((len(c.nl) for c in options), default=0)
            for c in options:
                # the same two-column line, its columns swapped: label, then code
                write((MSG("choices", code=c.nl, width=width, label=c.code)
                       if c.nl != c.code else f"  {c.code}") + "\n")
        else:
            width = max((len(c.code) for c in options), default=0)
            for c in options:
                write(MSG("choices", code=c.code, width=width, label=c.en) + "\n")
        prompt = MSG("choose", name=asked)
    elif _is_date(param):
        prompt = MSG("date", name=asked)
    else:
        prompt = MSG("ask", name=asked)
    if many:
        prompt = MSG("many", name=prompt)
    while True:
        text = _answer(prompt, read, write)
        try:
            values = [_one(param, word, vocabulary, vocabularies, ctx)
                      for word in (text.split() if many else [text])]
        except _Bad as bad:
            write(str(bad) + "\n")
            continue
        return values if many else values[0]


class _Bad(Exception):
    pass


def _one(param: Any, text: str, vocabulary: str | None, vocabularies: Any, ctx: Any) -> Any:
    from hs.base.errors import HsError

    if vocabulary is not None:
        from hs.records.vocabularies import parse_code

        try:
            return parse_code(text, vocabulary, vocabularies if vocabularies and
                              vocabularies.get(vocabulary) else None)
        except HsError as err:
            raise _Bad(MSG("bad", why=str(err))) from None
    if _is_date(param):
        from hs.base.dates import near_word, read_date

        day = read_date(text)
        if day is None:
            word = near_word(text)
            raise _Bad(MSG("bad-date") if word is None else MSG("bad-date-near", word=word))
        return day.isoformat()
    try:
        param.type.convert(text, param, ctx)
    except Exception as exc:  # click's BadParameter: its one line
        raise _Bad(MSG("bad", why=getattr(exc, "message", None) or str(exc))) from None
    return text


def only_or_asked(name: str, options: dict[str, str],
                  read: Callable[[str], str] | None = None,
                  write: Callable[[str], Any] | None = None) -> str | None:
    """The value of an option a command needs only in some cases (``--location`` for a
    new family), from ``options`` (code -> label, neither personal): the only one, else
    asked on a terminal (the codes and labels listed; a code in any case or a label is
    taken, anything else asked again), else None (the command says it is needed)."""

    if len(options) == 1:
        return next(iter(options))
    if not options or (not on_terminal() and read is None):
        return None
    read = read or _input
    write = write or _write
    width = max(len(code) for code in options)
    for code, label in options.items():
        write(MSG("choices", code=code, width=width, label=label) + "\n")
    folded = {key.strip().casefold(): code for code, label in options.items()
              for key in (code, label)}
    prompt = MSG("choose", name=name)
    while True:
        text = _answer(prompt, read, write)
        if text.casefold() in folded:
            return folded[text.casefold()]
        write(MSG("not-listed") + "\n")


def _answer(prompt: str, read: Callable[[str], str], write: Callable[[str], Any]) -> str:
    """One non-empty answer to ``prompt`` (asked again while empty); Ctrl-D aborts."""
    import typer

    while True:
        try:
            text = read(f"{prompt}: ").strip()
        except EOFError:
            write("\n")
            raise typer.Abort() from None
        if text:
            return text
        write(MSG("empty") + "\n")


def _wrap(param: Any) -> None:
    if getattr(param, "_hs_prompt", False) or not param.required:
        return
    consume = param.consume_value

    def consume_value(ctx: Any, opts: Any) -> Any:
        value, source = consume(ctx, opts)
        if param.value_is_missing(value) and not ctx.resilient_parsing and on_terminal():
            value = ask(ctx, param)
        return value, source

    param.consume_value = consume_value
    param._hs_prompt = True


def enable(command: Any) -> Any:
    """Let ``command`` (and every command under it) ask for its missing required
    parameters on a terminal. Returns the command."""
    for param in getattr(command, "params", ()):
        _wrap(param)
    for sub in (getattr(command, "commands", None) or {}).values():
        enable(sub)
    return command
