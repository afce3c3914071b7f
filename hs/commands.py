"""The table of top-level commands, and `hs --help` without importing Typer.

This module must stay free of Typer, Rich and pydantic: the console script
(:func:`hs.main.main`) answers ``hs``, ``hs -h`` and ``hs --help`` from it alone, which
takes a third of the time of building the command line. A test checks that the text is
exactly what Typer prints, and that the table matches what the command modules register.
"""

from __future__ import annotations

import shutil
import textwrap

# Every top-level command or group: its module and its one-line help. `hs` builds only the
# module a command line needs (Typer spends ~4 ms per command reading signatures), and
# `hs --help` lists this table without building any command. A test checks that the table
# matches what the modules register.
# Commands that never read a records tree (the others do, so `hs` asks git what changed
# in it while Python is still importing the command line).
NO_TREE = frozenset({"init", "demo", "schema"})

COMMANDS: dict[str, tuple[str, str]] = {
    "init": ("setup", "Create a new records repository at PATH."),
    "location": ("setup", "Add and stop locations."),
    "family": ("family", "Refer families and decide on their referrals."),
    "volunteer": ("volunteer", "Register volunteers, their training, checks and stops."),
    "event": ("event", "Volunteer events (info sessions, training modules, intervision) and "
              "attendance."),
    "signal": ("signal", "Record a signal seen in a family, for the report to governments."),
    "start": ("trajectory", "Start a trajectory: match a volunteer to a family."),
    "visit": ("trajectory", "Log a home visit (support moment) in a trajectory."),
    "review": ("trajectory", "Record a review of a trajectory, with impact scores."),
    "close": ("trajectory", "Close a trajectory with a reason and end scores."),
    "replace": ("trajectory", "Replace the volunteer of a running trajectory."),
    "extend": ("trajectory", "Extend a trajectory after a year."),
    "undo": ("undo", "Undo the last hs commit, if nothing came after it."),
    "waitlist": ("views", "The waiting list, in priority order."),
    "due": ("views", "What needs the coordinator soon."),
    "show": ("views", "Show one record in full, with its status and related records."),
    "list": ("views", "List families, volunteers, trajectories or events."),
    "history": ("views", "A record's changes over time, field by field, from git."),
    "suggest": ("matching", "Rank the volunteers who could take a family, and say why."),
    "match": ("matching", "Match volunteers to the whole waiting list."),
    "kpi": ("kpi", "The annual figures, per location and for all locations."),
    "report": ("kpi", "Write the annual report page (HTML or Markdown)."),
    "import": ("imports", "Import families or volunteers from a spreadsheet (CSV)."),
    "sync": ("sync", "Fetch, merge (record by record), validate, push."),
    "resolve": ("sync", "Settle a true conflict left by a merge."),
    "keys": ("keys", "Coordinators' laptops and the recovery key: list, request, add, "
             "remove, recover, lock."),
    "retention": ("retention", "What retention makes due; --apply erases and reduces it."),
    "dossier": ("dossier", "Everything held about one family or volunteer (subject access)."),
    "validate": ("validate", "Check records and report every problem, one line each."),
    "migrate": ("signal", "Bring records of an older form up to date, in one commit."),
    "schema": ("validate", "Write the JSON Schemas of the record files."),
    "demo": ("demo", "Generate the fictional demo records."),
    "edit": ("seal", "Edit a record in $EDITOR, sealed fields included; validated, one "
             "commit."),
    "erase": ("seal", "Crypto-shred families or volunteers: destroy their keys, one commit."),
    "seal": ("seal", "Seal every name and note of this repository, one commit."),
}

ROOT_HELP = "Home-Start records: families, volunteers and trajectories in git."
ROOT_OPTIONS: tuple[tuple[str, str], ...] = (
    ("--lang nl|en", "Language of messages and headers: nl or en (default: HS_LANG, else "
     "the locale)."),
    ("--version", "Show the version and exit."),
    ("--install-completion [SHELL]", "Install shell completion (bash, zsh, fish, "
     "powershell; default: this shell)."),
    ("--show-completion [SHELL]", "Print the shell completion script, to install it by "
     "hand."),
    ("-h, --help", "Show this message and exit."),
)


def _dl(rows: list[tuple[str, str]], width: int, indent: int = 2) -> list[str]:
    first_col = min(max(len(a) for a, _ in rows), 30) + 2
    text_width = max(width - first_col - 2, 10)
    out = []
    for first, second in rows:
        lines = textwrap.wrap(second, text_width) or [""]
        if len(first) <= first_col - 2:
            out.append(" " * indent + first + " " * (first_col - len(first)) + lines[0])
        else:
            out.append(" " * indent + first)
            out.append(" " * (first_col + indent) + lines[0])
        out.extend(" " * (first_col + indent) + line for line in lines[1:])
    return out


def root_help(width: int | None = None) -> str:
    """The text of `hs --help`, as click formats it, in the language (the help texts'
    Dutch is in hs/locale/nl.po)."""
    from hs.base.i18n import help_text  # lazy: only for the help

    if width is None:
        width = max(min(shutil.get_terminal_size().columns, 80) - 2, 50)
    lines = [f"{help_text('Usage:')} hs {help_text('[OPTIONS]')} "
             f"{help_text('COMMAND [ARGS]...')}", ""]
    lines += textwrap.wrap(help_text(ROOT_HELP), width, initial_indent="  ",
                           subsequent_indent="  ")
    lines += ["", help_text("Options") + ":"]
    lines += _dl([(first, help_text(second)) for first, second in ROOT_OPTIONS], width)
    lines += ["", help_text("Commands") + ":"]
    lines += _dl([(name, help_text(help_)) for name, (_, help_) in COMMANDS.items()], width)
    return "\n".join(lines) + "\n"


def command_word(argv: list[str]) -> str | None:
    """The command a command line names: its first word that is not an option (or the
    value of ``--lang``)."""
    skip = False
    for word in argv:
        if skip:
            skip = False
            continue
        if word == "--lang":
            skip = True
            continue
        if word.startswith("-"):
            continue
        return word
    return None


def repo_option(argv: list[str]) -> str | None:
    """The value of ``--repo`` on a command line, if given."""
    for i, word in enumerate(argv):
        if word == "--repo" and i + 1 < len(argv):
            return argv[i + 1]
        if word.startswith("--repo="):
            return word[len("--repo="):]
    return None
