"""The command line in the user's language: help texts, Click's own words, usage errors.

Help texts stay English in the code (``help=`` and docstrings); their Dutch is in
``hs/locale/nl.po`` (``msgctxt "help"``, the English as ``msgid``). :func:`localize` walks
a command tree once it is built and gives every command and option its help in the
current language (the English is kept beside it, so the language may change within one
process). Click's and Typer's own words ("Usage:", "Options", "[required]", "Show this
message and exit.") come from the same entries: their ``gettext`` is replaced by
:func:`hs.base.i18n.help_text` once, here.

The commands of the tree also get two behaviours that make usage errors objects with
what they need to be said in a language (:func:`usage_line` in :mod:`hs.cli` says them):
a mistyped command is a :class:`NoSuchCommand` with the commands it could have been, and
arguments left over are an :class:`ExtraArguments`.
"""

from __future__ import annotations

import inspect
import re
from types import MethodType
from typing import Any

import typer.core
from typer import _types as typer_types
from typer._click import core as click_core  # Typer carries its own copy of Click
from typer._click import exceptions as click_exceptions
from typer._click import formatting as click_formatting
from typer._click import parser as click_parser
from typer._click import types as click_types

from hs.base.i18n import help_text, language


class click:  # the names of Click that hs uses, from Typer's copy
    Group = typer.core.TyperGroup
    Option = typer.core.TyperOption
    UsageError = click_exceptions.UsageError
    NoSuchOption = click_exceptions.NoSuchOption
    MissingParameter = click_exceptions.MissingParameter
    BadOptionUsage = click_exceptions.BadOptionUsage
    BadParameter = click_exceptions.BadParameter
    NoArgsIsHelpError = click_exceptions.NoArgsIsHelpError
    Choice = typer_types.TyperChoice
    IntRange = click_types.IntRange
    FloatRange = click_types.FloatRange
    DateTime = click_types.DateTime
    IntParamType = click_types.IntParamType
    FloatParamType = click_types.FloatParamType
    BoolParamType = click_types.BoolParamType


def _gettext(message: str) -> str:
    return help_text(message)


setattr(typer.core, "_", _gettext)  # noqa: B010  Typer's own words, in the language



class NoSuchCommand(click_exceptions.UsageError):
    """A command name a group does not know, and the ones it knows."""

    def __init__(self, name: str, commands: list[str], ctx: Any = None):
        super().__init__(f"No such command {name!r}.", ctx)
        self.name, self.commands = name, commands


class ExtraArguments(click_exceptions.UsageError):
    """Arguments a command does not take."""

    def __init__(self, args: list[str], ctx: Any = None):
        super().__init__(f"Got unexpected extra arguments ({' '.join(args)})", ctx)
        self.extra = list(args)


def _parse_args(cmd: Any, ctx: Any, args: list[str]) -> list[str]:
    """A command's parse_args: arguments left over are an :class:`ExtraArguments`."""
    allow = ctx.allow_extra_args
    ctx.allow_extra_args = True
    try:
        rest: list[str] = type(cmd).parse_args(cmd, ctx, args)
    except click_exceptions.UsageError as err:
        if err.ctx is None:  # the parser's errors name no command: this one
            err.ctx = ctx
        raise
    finally:
        ctx.allow_extra_args = allow
    if allow:
        return rest
    if ctx.args and not ctx.resilient_parsing:
        raise ExtraArguments(list(ctx.args), ctx)
    return rest


def _resolve_command(group: Any, ctx: Any, args: list[str]) -> Any:
    """A group's resolve_command: a command it does not know is a :class:`NoSuchCommand`."""
    name = args[0] if args else ""
    if (name and not ctx.resilient_parsing and not click_parser._split_opt(name)[0]
            and group.get_command(ctx, name) is None):
        raise NoSuchCommand(name, list(group.list_commands(ctx)), ctx)
    return type(group).resolve_command(group, ctx, args)


def _get_help_option(cmd: Any, ctx: Any) -> Any:
    option = type(cmd).get_help_option(cmd, ctx)
    if option is not None:
        option.help = help_text("Show this message and exit.")
    return option


class Formatter(click_formatting.HelpFormatter):
    """Click's help formatter, its usage line in the language."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, prefix if prefix is not None else
                            help_text("Usage:") + " ")


class Context(click_core.Context):
    formatter_class = Formatter


_ENGLISH = "_hs_english"

#: The metavars (and the value types Typer shows as metavars) in Dutch; the others are
#: codes or record kinds, the same in both languages (CODE, FAM, LOC, DATE).
_METAVARS_NL = {"YYYY-MM-DD": "JJJJ-MM-DD", "YYYY-MM": "JJJJ-MM", "YYYY": "JJJJ",
                "PATH": "PAD", "<str>": "<tekst>", "<path>": "<pad>",
                "<int range>": "<getal>", "<float range>": "<getal>", "<int>": "<getal>",
                "<integer>": "<getal>", "<float>": "<getal>"}
#: Metavars that are words (a day, a name), in Dutch; record kinds (FAM, LOC, VOL, TRJ,
#: ID) and CODE stay as they are.
_WORDS_NL = {"DATE": "DATUM", "NAME": "NAAM", "DOMAIN": "DOMEIN", "HALF-DAY": "HALVE-DAG",
             "DAYS": "DAGEN", "FILE": "BESTAND", "TEXT": "TEKST", "VALUE": "WAARDE",
             "KIND": "SOORT", "ROLE": "ROL", "SOURCE": "BRON", "IDENTITY": "IDENTITEIT",
             "STEP": "STAP", "THEME": "THEMA"}
_METAVAR_RE = re.compile("|".join(
    [re.escape(k) for k in _METAVARS_NL]
    + [rf"(?<![A-Za-z-]){re.escape(k)}(?![A-Za-z-])" for k in
       sorted(_WORDS_NL, key=len, reverse=True)]))
_CHOICES_RE = re.compile(r"[a-z][a-z0-9-]*(\|[a-z][a-z0-9-]*)+")
_DEFAULT_WORD_RE = re.compile(r": (today|yesterday)\]")


def _make_metavar(param: Any, *args: Any, **kwargs: Any) -> str:
    """A parameter's metavar in the language (``PAD``, ``JJJJ-MM``, ``<tekst>``,
    ``DATUM``; codes of a closed list as the Dutch words hs reads: ``v|m|x``)."""
    text: str = type(param).make_metavar(param, *args, **kwargs)
    if language() == "nl":
        if _CHOICES_RE.fullmatch(text):
            return dutch_choices(text)
        text = _METAVAR_RE.sub(lambda m: _METAVARS_NL.get(m[0]) or _WORDS_NL[m[0]], text)
    return text


def dutch_word(option: Any) -> str:
    """The Dutch word for a code of a closed list (a :class:`Fixed`) that hs reads as that
    code: the code itself when the Dutch label begins with it (``m``: man), else an alias
    shorter than the label (``v``: vrouw), else the label (``startmaatje``)."""
    from hs.records.vocabularies import fold

    label = fold(option.nl)
    if label.startswith(option.code):
        return str(option.code)
    short = [fold(a) for a in option.aliases if len(fold(a)) < len(label)
             and fold(a) != fold(option.en)]
    return short[0] if short else label


def dutch_choices(metavar: str) -> str:
    """``f|m|x`` in Dutch (``v|m|x``) when its codes are those of one closed list of the
    registry (:data:`hs.records.vocabularies.FIXED`); else as it is."""
    from hs.records.vocabularies import FIXED

    codes = metavar.split("|")
    for options in FIXED.values():
        by_code = {o.code: o for o in options}
        if all(c in by_code for c in codes):
            return "|".join(dutch_word(by_code[c]) for c in codes)
    return metavar


def _get_help_record(param: Any, ctx: Any) -> tuple[str, str] | None:
    """A parameter's line of help; a default that is a day's word (``today``) in the
    language: "[standaard: vandaag]"."""
    record: tuple[str, str] | None = type(param).get_help_record(param, ctx)
    if record is None or language() != "nl":
        return record
    words = {"today": "vandaag", "yesterday": "gisteren"}
    return record[0], _DEFAULT_WORD_RE.sub(lambda m: f": {words[m[1]]}]", record[1])


def _translate(obj: Any, attrs: tuple[str, ...], lang: str) -> None:
    english = obj.__dict__.get(_ENGLISH)
    if english is None:
        english = {a: getattr(obj, a, None) for a in attrs}
        setattr(obj, _ENGLISH, english)
    for attr, text in english.items():
        if isinstance(text, str) and text:
            new = help_text(inspect.cleandoc(text), lang) if lang != "en" else text
            if new == inspect.cleandoc(text):
                new = text
            setattr(obj, attr, new)


def localize(command: Any, lang: str | None = None) -> Any:
    """Give a command tree the help texts of the language (the current one); returns the
    command."""
    lang = lang or language()
    stack = [command]
    while stack:
        cmd = stack.pop()
        if cmd.__dict__.get("_hs_lang") == lang:
            continue
        if "_hs_lang" not in cmd.__dict__:  # the behaviours, once
            if hasattr(cmd, "commands"):
                cmd.resolve_command = MethodType(_resolve_command, cmd)
            else:
                cmd.parse_args = MethodType(_parse_args, cmd)
            cmd.get_help_option = MethodType(_get_help_option, cmd)
            cmd.context_class = Context
            for param in cmd.params:
                param.make_metavar = MethodType(_make_metavar, param)
                param.get_help_record = MethodType(_get_help_record, param)
        _translate(cmd, ("help", "short_help", "options_metavar", "subcommand_metavar"),
                   lang)
        for param in cmd.params:
            _translate(param, ("help",), lang)
        cmd._hs_lang = lang
        stack.extend(getattr(cmd, "commands", {}).values())
    return command
