"""Shell completion, answered without building the command line.

The shells (bash, zsh, fish, PowerShell) ask ``hs`` with ``_HS_COMPLETE=complete_<shell>``
and the words typed so far (Typer's protocol: ``COMP_WORDS``/``COMP_CWORD`` for bash,
``_TYPER_COMPLETE_ARGS`` for the others). Building the Typer command line alone takes
longer than the 0.2 s a completion may take, so :func:`answer` answers from
:data:`hs.completetable.TABLE` (the commands, their options and what each option and
argument takes, generated from the command line by ``python -m hs.cli.completion`` and
checked by a test) and from the records' cache: vocabulary codes from the cached
``vocabularies.yaml``, record IDs from the names of the cached files (which are IDs).
Nothing here reads a record's contents, so no name is ever offered. Anything it does not
know (printing or installing the shell's script) goes to Typer.
"""

from __future__ import annotations

import os
import re
import shlex
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from hs.base.i18n import Catalog

SHELLS = ("bash", "zsh", "fish", "powershell", "pwsh")


# --- what an option or argument takes -------------------------------------------------------


def _root(repo: str | None) -> Path | None:
    from hs.store.layout import find_root  # lazy: only when IDs or tree codes are asked

    try:
        return find_root(repo)
    except Exception:  # no records tree here: nothing to offer
        return None


def _cached(root: Path, part: str) -> dict[str, Any]:
    """A part of the cache with the changes its journal holds (rows by file)."""
    from hs.store.cache import overlay, read_part  # lazy: only for IDs and tree codes

    base = read_part(root, part)
    changes = read_part(root, "journal").get(part)
    return overlay(dict(base), changes) if changes else base


def ids_of(kind: str, repo: str | None) -> list[str]:
    """The IDs of the records of ``kind`` (``record``: of every kind): from the cache's
    list of files, else from the file names of the kind's folder (never from a file's
    contents)."""
    from hs.records.ids import FOLDER  # lazy: only for IDs

    root = _root(repo)
    if root is None:
        return []
    kinds = [k for k in FOLDER if kind in (k, "record")]
    folders = tuple(f"records/{FOLDER[k]}/" for k in kinds)
    rels = [rel for rel in _cached(root, "sigs") if rel.startswith(folders)]
    if not rels:
        for folder in folders:
            for top, dirs, files in os.walk(root / folder):
                dirs[:] = [d for d in dirs if not d.startswith(".")]
                rels.extend(f"{top}/{name}" for name in files
                            if name.endswith(".yaml") and not name.startswith("."))
    return sorted({rel[rel.rfind("/") + 1:-len(".yaml")] for rel in rels})


def vocabulary_of(name: str, repo: str | None) -> Mapping[str, Any]:
    """The tree's vocabularies (as the cache holds them), for a vocabulary of the tree."""
    from hs.records.vocabularies import FIXED  # lazy: start-up time

    if name in FIXED:
        return {}
    root = _root(repo)
    if root is None:
        return {}
    for rel, value in _cached(root, "special").items():
        if rel.endswith("vocabularies.yaml") and isinstance(value, dict):
            return value
    return _read_vocabularies(root)


def _read_vocabularies(root: Path) -> dict[str, Any]:
    """The codes of ``records/vocabularies.yaml`` read by their lines (no cache yet)."""
    out: dict[str, Any] = {}
    current: dict[str, Any] | None = None
    try:
        text = (root / "records" / "vocabularies.yaml").read_text(encoding="utf-8")
    except OSError:
        return out
    for line in text.splitlines():
        top = re.match(r"([a-z_]+):\s*$", line)
        if top:
            current = out.setdefault(top.group(1), {})
            continue
        code = re.match(r"  ([a-z0-9][a-z0-9_-]*):", line)
        if code and current is not None:
            current[code.group(1)] = {}
    return out


def candidates(vocabulary: str | None, kind: str | None, incomplete: str,
               repo: str | None) -> list[str]:
    """What may be typed for an option or argument that takes codes of ``vocabulary``
    (the codes, also where a label or alias begins with what was typed) or IDs of
    ``kind``, beginning with ``incomplete``."""
    if kind is not None:
        return [rid for rid in ids_of(kind, repo) if rid.startswith(incomplete)]
    if vocabulary is None:
        return []
    from hs.records.vocabularies import choices, fold  # lazy: start-up time

    typed = fold(incomplete)
    out = []
    for c in choices(vocabulary, vocabulary_of(vocabulary, repo)):
        if c.code.startswith(incomplete) or (typed and any(
                fold(w).startswith(typed) for w in (c.en, c.nl, *c.aliases))):
            out.append(c.code)
    return out


# --- the words typed, and the answer ----------------------------------------------------------


def _split(text: str) -> list[str]:
    try:
        return shlex.split(text)
    except ValueError:
        return text.split()


def typed(shell: str, environ: Mapping[str, str]) -> tuple[list[str], str]:
    """The words after ``hs`` and the word being completed, as each shell gives them
    (as Typer reads them)."""
    if shell == "bash":
        words = _split(environ.get("COMP_WORDS", ""))
        cword = int(environ.get("COMP_CWORD", "0") or 0)
        return words[1:cword], (words[cword] if cword < len(words) else "")
    text = environ.get("_TYPER_COMPLETE_ARGS", "")
    words = _split(text)
    if shell in ("powershell", "pwsh"):
        incomplete = environ.get("_TYPER_COMPLETE_WORD_TO_COMPLETE", "")
        return (words[1:-1] if incomplete else words[1:]), incomplete
    args = words[1:]
    if args and not text.endswith(" "):
        return args[:-1], args[-1]
    return args, ""


def complete(args: list[str], incomplete: str, table: Mapping[str, Any] | None = None
             ) -> list[str] | None:
    """The completions of ``incomplete`` after ``args``; None if the table does not know
    the command line (then Typer answers)."""
    if table is None:
        from hs.completetable import TABLE  # lazy: only when completing

        table = TABLE
    path, node, positional, i = "", table[""], 0, 0
    repo: str | None = None
    while i < len(args):
        word = args[i]
        options = node.get("options", {})
        if word.startswith("-"):
            name = word.split("=", 1)[0]
            if name not in options and name not in ("--help", "-h"):
                return None
            takes = options.get(name)
            if takes is not None and takes[0] and "=" not in word:
                if name == "--repo" and i + 1 < len(args):
                    repo = args[i + 1]
                i += 1  # its value
        elif word in node.get("commands", ()):
            path = f"{path} {word}".strip()
            node = table.get(path)
            if node is None:
                return None
            positional = 0
        else:
            positional += 1
        i += 1
    options = node.get("options", {})
    if args and args[-1] in options and options[args[-1]][0] and "=" not in args[-1]:
        _, vocabulary, kind = options[args[-1]]
        return candidates(vocabulary, kind, incomplete, repo)
    if incomplete.startswith("-"):
        return [o for o in (*options, "--help") if o.startswith(incomplete)]
    if node.get("commands"):
        return [c for c in node["commands"] if c.startswith(incomplete)]
    arguments = node.get("args", ())
    if not arguments:
        return []
    at = min(positional, len(arguments) - 1)
    if positional >= len(arguments) and not arguments[-1][2]:
        return []
    vocabulary, kind, _many = arguments[at]
    return candidates(vocabulary, kind, incomplete, repo)


def _format(shell: str, values: list[str]) -> tuple[str, int]:
    """The text and exit code each shell's script expects (Typer's formats)."""
    if shell == "bash":
        return "\n".join(values), 0
    if shell == "zsh":
        if not values:
            return "_files", 0

        def esc(s: str) -> str:
            return (s.replace('"', '""').replace("'", "''").replace("$", "\\$")
                    .replace("`", "\\`").replace(":", r"\\:"))

        return "_arguments '*: :((" + "\n".join(f'"{esc(v)}"' for v in values) + "))'", 0
    if shell == "fish":
        action = os.environ.get("_TYPER_COMPLETE_FISH_ACTION", "")
        if action == "is-args":
            return "", 0 if values else 1
        return "\n".join(values), 0
    return "\n".join(f"{v}::: " for v in values), 0


def answer(environ: Mapping[str, str] | None = None) -> bool:
    """Answer a shell's completion request on stdout, if this module can; False to let
    Typer answer (a request to print the script, or a command line it does not know)."""
    env = os.environ if environ is None else environ
    instruction = env.get("_HS_COMPLETE", "")
    shell = instruction.removeprefix("complete_")
    if not instruction.startswith("complete_") or shell not in SHELLS:
        return False
    try:
        args, incomplete = typed(shell, env)
        values = complete(args, incomplete)
    except Exception:  # a completion never shows a traceback: Typer tries instead
        return False
    if values is None:
        return False
    text, code = _format(shell, values)
    if text:
        sys.stdout.write(text + "\n")
    sys.stdout.flush()
    raise SystemExit(code)


# --- the shell's script: hs --show-completion / --install-completion [SHELL] ---------------

_M = Catalog("complete")


def script_option(argv: list[str]) -> tuple[str, str | None] | None:
    """``(option, shell or None)`` when the command line asks for the completion script
    (``--show-completion [SHELL]``, ``--install-completion [SHELL]``) before any command."""
    for i, word in enumerate(argv):
        name, eq, value = word.partition("=")
        if name in ("--show-completion", "--install-completion"):
            if eq:
                return name, value
            following = argv[i + 1] if i + 1 < len(argv) else None
            return name, following if following and not following.startswith("-") else None
        if word == "--lang":
            continue
        if not word.startswith("-") and (i == 0 or argv[i - 1] != "--lang"):
            return None
    return None


def show_or_install(option: str, shell: str | None) -> int:
    """Print the completion script of ``shell`` (detected when None), or install it."""
    from typer import _completion_shared as shared  # lazy: only for this option

    if shell is None:
        shell = shared._get_shell_name()
        if shell is None:
            sys.stderr.write(_M("no-shell", option=option) + "\n")
            return 2
    if shell not in SHELLS:
        sys.stderr.write(_M("unknown-shell", shell=shell) + "\n")
        return 2
    if option == "--show-completion":
        sys.stdout.write(shared.get_completion_script(
            prog_name="hs", complete_var="_HS_COMPLETE", shell=shell) + "\n")
        return 0
    _, path = shared.install(shell=shell, prog_name="hs", complete_var="_HS_COMPLETE")
    sys.stderr.write(_M("installed", shell=shell, path=path) + "\n")
    return 0
