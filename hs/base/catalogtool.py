"""The message catalogues as .po files: a development tool.

    python -m hs.base.catalogtool extract [ROOT]     move in-code catalogues to the .po files
    python -m hs.base.catalogtool check [ROOT]       say what is missing (exit 1 if anything)
    python -m hs.base.catalogtool import-help FILE.. add Dutch help texts from other .po files
    python -m hs.base.catalogtool prune [ROOT]       remove the entries no code uses

``extract`` finds every ``Catalog({...})`` whose argument is a dict literal in the
package's modules (at module level or inside a function; multi-line tuples, implicit
string concatenation and parentheses are read as Python reads them), adds its messages to
``hs/locale/en.po`` and ``hs/locale/nl.po`` with the context ``<namespace>.<key>`` (the
namespace is the module's dotted name without ``hs.``: ``app.workflow``), and rewrites the
call to ``Catalog("<namespace>")``. A message already in the .po files keeps its .po text
(a translator's edit wins); a new one is added. Two in-code catalogues of one module whose
keys clash get a namespace each (``cli.common.report_change``).

``check`` lists: a message without a non-empty English or Dutch text, a message whose
two texts take different ``{fields}``, an in-code catalogue left, and a help text of the
command line (``help=`` and command docstrings in ``hs/cli``, the command table of
``hs/commands.py``) without a Dutch translation (``msgctxt "help"`` in nl.po), and a
stale entry (see ``prune``).

``prune`` removes the entries no code uses, conservatively: a message whose namespace no
``Catalog(...)`` of the code names (nor a module with an in-code catalogue), and a help
entry whose English is no help text of the code (:func:`help_texts`), no literal given to
``help_text(...)`` and none of Typer's and Click's own words (their ``_("...")``, which
hs translates too). A message key of a namespace still in use is kept: keys are often
built (``MSG(f"status.{code}")``), so their use cannot be read from the code. A
namespace given as no literal, or Typer or Click not found, keeps everything of its kind.

This module reads source files only; it imports nothing of hs beyond :mod:`hs.base`.
"""

from __future__ import annotations

import ast
import importlib.util
import string
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from hs.base.i18n import HELP_CONTEXT, LANGS, PoEntry, parse_po

PACKAGE = Path(__file__).resolve().parent.parent
HEADER = ('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
          '"Language: {lang}\\n"\n"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n')


# --- writing .po files --------------------------------------------------------------------

def _quote(text: str) -> str:
    return '"' + (text.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t")
                  .replace("\r", "\\r").replace("\n", "\\n")) + '"'


def _field(keyword: str, text: str) -> list[str]:
    # one line each, even with a newline inside: hs reads such a file quickest
    return [f"{keyword} {_quote(text)}"]


def format_entry(entry: PoEntry) -> str:
    lines = list(entry.comments)
    if entry.ctxt is not None:
        lines += _field("msgctxt", entry.ctxt)
    lines += _field("msgid", entry.msgid)
    if entry.plural is not None:
        lines += _field("msgid_plural", entry.plural)
        for i, text in enumerate(entry.msgstr[:2]):
            lines += _field(f"msgstr[{i}]", text)
    else:
        lines += _field("msgstr", entry.msgstr[0] if entry.msgstr else "")
    return "\n".join(lines) + "\n"


def format_po(lang: str, entries: Iterable[PoEntry]) -> str:
    return "\n".join([HEADER.format(lang=lang)] + [format_entry(e) for e in entries])


class PoFile:
    """A .po file as an ordered list of entries, found by their key."""

    def __init__(self, path: Path, lang: str):
        self.path, self.lang = path, lang
        text = path.read_text(encoding="utf-8") if path.exists() else ""
        self.entries = parse_po(text, path.name)
        self.by_key = {e.key: e for e in self.entries}

    def get(self, ctxt: str | None, msgid: str = "") -> PoEntry | None:
        return self.by_key.get((ctxt, msgid if ctxt in (None, HELP_CONTEXT) else ""))

    def add(self, entry: PoEntry) -> None:
        self.entries.append(entry)
        self.by_key[entry.key] = entry

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(format_po(self.lang, self.entries), encoding="utf-8")


# --- finding in-code catalogues -----------------------------------------------------------

Text = str | tuple[str, str]


@dataclass
class Found:
    """One ``Catalog({...})`` call with a dict literal."""

    path: Path
    module: str  # dotted, without "hs."
    function: str | None  # the enclosing function or class, if any
    call: ast.Call
    messages: dict[str, tuple[Text, Text]] | None  # None: not a literal we can read
    namespace: str = ""


def module_name(path: Path, root: Path) -> str:
    rel = path.relative_to(root).with_suffix("")
    parts = list(rel.parts[1:]) if rel.parts[0] == "hs" else list(rel.parts)
    if parts and parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts) or "hs"


def _text(value: object) -> Text | None:
    if isinstance(value, str):
        return value
    if (isinstance(value, tuple) and len(value) == 2
            and all(isinstance(v, str) for v in value)):
        return (value[0], value[1])
    return None


def _messages(node: ast.Dict) -> dict[str, tuple[Text, Text]] | None:
    try:
        value = ast.literal_eval(node)
    except ValueError:
        return None
    out: dict[str, tuple[Text, Text]] = {}
    for key, pair in value.items():
        if not isinstance(key, str) or not isinstance(pair, tuple) or len(pair) != 2:
            return None
        en, nl = _text(pair[0]), _text(pair[1])
        if en is None or nl is None or isinstance(en, tuple) != isinstance(nl, tuple):
            return None
        out[key] = (en, nl)
    return out


def _is_catalog(call: ast.Call) -> bool:
    func = call.func
    name = func.id if isinstance(func, ast.Name) else (
        func.attr if isinstance(func, ast.Attribute) else "")
    return name == "Catalog" and len(call.args) == 1 and not call.keywords


def find_catalogs(path: Path, root: Path) -> list[Found]:
    tree = ast.parse(path.read_bytes(), str(path))
    module = module_name(path, root)
    found: list[Found] = []

    def visit(node: ast.AST, function: str | None) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                visit(child, child.name if function is None else f"{function}.{child.name}")
                continue
            if isinstance(child, ast.Call) and _is_catalog(child) and isinstance(
                    child.args[0], ast.Dict):
                found.append(Found(path, module, function, child, _messages(child.args[0])))
            visit(child, function)

    visit(tree, None)
    return found


def python_files(root: Path) -> Iterator[Path]:
    pkg = root / "hs"
    for path in sorted(pkg.rglob("*.py")):
        if path.name != "catalogtool.py" or path.parent.name != "base":
            yield path


# --- extract -----------------------------------------------------------------------------

def _assign_namespaces(found: list[Found]) -> None:
    """The module's name, unless two catalogues of one module give a key two texts."""
    by_module: dict[str, list[Found]] = {}
    for f in found:
        by_module.setdefault(f.module, []).append(f)
    for module, group in by_module.items():
        seen: dict[str, tuple[Text, Text]] = {}
        clash = False
        for f in group:
            for key, pair in (f.messages or {}).items():
                if key in seen and seen[key] != pair:
                    clash = True
                seen.setdefault(key, pair)
        for f in group:
            f.namespace = f"{module}.{f.function}" if clash and f.function else module


def _rewrite(path: Path, calls: list[Found]) -> None:
    """Replace each call's dict argument by its namespace (offsets are UTF-8 bytes)."""
    lines = path.read_bytes().splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    data = b"".join(lines)
    spans = []
    for f in calls:
        arg = f.call.args[0]
        assert arg.end_lineno is not None and arg.end_col_offset is not None
        begin = starts[arg.lineno - 1] + arg.col_offset
        end = starts[arg.end_lineno - 1] + arg.end_col_offset
        spans.append((begin, end, f'"{f.namespace}"'.encode()))
    for begin, end, new in sorted(spans, reverse=True):
        data = data[:begin] + new + data[end:]
    path.write_bytes(data)


def _entry(ctxt: str, en: Text, text: Text, reference: str) -> PoEntry:
    comments = [f"#: {reference}"]
    if isinstance(en, tuple):
        forms = list(text) if isinstance(text, tuple) else [text, text]
        return PoEntry(ctxt, en[0], en[1], forms, comments)
    return PoEntry(ctxt, en, None, [text if isinstance(text, str) else text[1]], comments)


def extract(root: Path = PACKAGE.parent) -> list[str]:
    """Move every in-code catalogue into the .po files; returns what it did, a line
    each."""
    report: list[str] = []
    locale = root / "hs" / "locale"
    po = {lang: PoFile(locale / f"{lang}.po", lang) for lang in LANGS}
    found = [f for path in python_files(root) for f in find_catalogs(path, root)]
    _assign_namespaces(found)
    done: dict[Path, list[Found]] = {}
    for f in found:
        rel = f.path.relative_to(root).as_posix()
        if f.messages is None:
            report.append(f"{rel}:{f.call.lineno}: not a plain dict of (english, dutch) "
                          "strings: left in the code")
            continue
        for key, (en, nl) in f.messages.items():
            ctxt = f"{f.namespace}.{key}"
            for lang, text in (("en", en), ("nl", nl)):
                have = po[lang].get(ctxt)
                if have is None:
                    po[lang].add(_entry(ctxt, en, text, rel))
                elif _english(have) != en:
                    report.append(f"{rel}: {ctxt}: the .po text is kept ({lang}), the code "
                                  "had another")
        done.setdefault(f.path, []).append(f)
    for path, calls in done.items():
        _rewrite(path, calls)
        report.append(f"{path.relative_to(root).as_posix()}: {len(calls)} catalogue(s) "
                      "moved to the .po files")
    for file in po.values():
        file.save()
    return report


def _english(entry: PoEntry) -> Text:
    return (entry.msgid, entry.plural) if entry.plural is not None else entry.msgid


# --- help texts in the code -----------------------------------------------------------------

def _constants(tree: ast.Module) -> dict[str, str]:
    out: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            value = node.value
            if value is None:
                continue
            try:
                text = ast.literal_eval(value)
            except ValueError:
                continue
            for target in targets:
                if isinstance(target, ast.Name) and isinstance(text, str):
                    out[target.id] = text
    return out


def _command_decorated(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    for dec in node.decorator_list:
        call = dec.func if isinstance(dec, ast.Call) else dec
        if isinstance(call, ast.Attribute) and call.attr in ("command", "callback"):
            # the help= given wins over the docstring
            return not (isinstance(dec, ast.Call)
                        and any(k.arg == "help" for k in dec.keywords))
    return False


def help_texts(root: Path = PACKAGE.parent) -> dict[str, str]:
    """Every help text of the command line in the code, and where it is."""
    out: dict[str, str] = {}
    for path in sorted((root / "hs" / "cli").rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        tree = ast.parse(path.read_bytes(), rel)
        names = _constants(tree)
        functions = {f.name: ast.get_docstring(f) or "" for f in ast.walk(tree)
                     if isinstance(f, ast.FunctionDef | ast.AsyncFunctionDef)}
        for node in ast.walk(tree):
            if isinstance(node, ast.keyword) and node.arg == "help":
                value = node.value
                text: object = None
                if isinstance(value, ast.Name):
                    text = names.get(value.id)
                else:
                    try:
                        text = ast.literal_eval(value)
                    except ValueError:
                        text = None
                if isinstance(text, str) and text:
                    out.setdefault(text, f"{rel}:{node.value.lineno}")
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and \
                    _command_decorated(node):
                doc = ast.get_docstring(node)
                if doc:
                    out.setdefault(doc, f"{rel}:{node.lineno}")
            # app.command("name")(function): the function's docstring
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Call)
                    and isinstance(node.func.func, ast.Attribute)
                    and node.func.func.attr in ("command", "callback")
                    and not any(k.arg == "help" for k in node.func.keywords)
                    and node.args and isinstance(node.args[0], ast.Name)):
                doc = functions.get(node.args[0].id)
                if doc:
                    out.setdefault(doc, f"{rel}:{node.lineno}")
    commands = root / "hs" / "commands.py"
    if not commands.exists():
        return out
    tree = ast.parse(commands.read_bytes(), "hs/commands.py")
    for node in tree.body:
        if not isinstance(node, ast.Assign | ast.AnnAssign) or node.value is None:
            continue
        target = node.targets[0] if isinstance(node, ast.Assign) else node.target
        if not isinstance(target, ast.Name):
            continue
        found: object = ast.literal_eval(node.value) if target.id in (
            "COMMANDS", "ROOT_HELP", "ROOT_OPTIONS") else None
        if target.id == "COMMANDS" and isinstance(found, dict):
            texts = [help_ for _, help_ in found.values()]
        elif target.id == "ROOT_OPTIONS" and isinstance(found, tuple):
            texts = [help_ for _, help_ in found]
        elif target.id == "ROOT_HELP" and isinstance(found, str):
            texts = [found]
        else:
            continue
        for text in texts:
            out.setdefault(str(text), f"hs/commands.py:{node.lineno}")
    return out


def import_help(files: Iterable[Path], root: Path = PACKAGE.parent) -> list[str]:
    """Add the help entries (msgctxt "help") of other .po files to nl.po (an entry there
    already is kept)."""
    po = PoFile(root / "hs" / "locale" / "nl.po", "nl")
    report = []
    for file in files:
        for entry in parse_po(file.read_text(encoding="utf-8"), file.name):
            if entry.ctxt != HELP_CONTEXT or not entry.msgstr[0]:
                continue
            have = po.get(HELP_CONTEXT, entry.msgid)
            if have is None:
                po.add(PoEntry(HELP_CONTEXT, entry.msgid, None, [entry.msgstr[0]],
                               [f"#: {file.name}"]))
                report.append(f"{file.name}: added {entry.msgid[:50]!r}")
            elif not have.msgstr[0]:
                have.msgstr = [entry.msgstr[0]]
    po.save()
    return report


# --- stale entries -------------------------------------------------------------------------

def _live_namespaces(root: Path) -> set[str] | None:
    """The namespaces the code's catalogues use (a literal ``Catalog({...})``: its
    module's); None if one is given as no literal (then none is known unused)."""
    out: set[str] = set()
    for path in python_files(root):
        module = module_name(path, root)
        source = path.read_bytes()
        if b"Catalog" not in source:
            continue
        for node in ast.walk(ast.parse(source, str(path))):
            if not (isinstance(node, ast.Call) and _is_catalog(node)):
                continue
            arg = node.args[0]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                out.add(arg.value)
            elif isinstance(arg, ast.Dict):
                out.add(module)
            else:
                return None
    return out


def _tool_words() -> set[str] | None:
    """Typer's and Click's own words (the texts they pass to ``_``/``ngettext``), which
    hs gives in Dutch from help entries; None if either cannot be found."""
    out: set[str] = set()
    for name in ("typer", "click"):
        found = importlib.util.find_spec(name)
        if found is None or found.origin is None:
            return None
        for path in sorted(Path(found.origin).parent.rglob("*.py")):
            source = path.read_bytes()
            if b"_(" not in source:
                continue
            for node in ast.walk(ast.parse(source, str(path))):
                if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                        and node.func.id in ("_", "gettext", "ngettext")):
                    out |= {a.value for a in node.args
                            if isinstance(a, ast.Constant) and isinstance(a.value, str)}
    return out


def _live_help(root: Path) -> set[str] | None:
    """Every English text a help entry may be asked for; None: not known."""
    words = _tool_words()
    if words is None:
        return None
    out = set(help_texts(root)) | words
    for path in python_files(root):
        source = path.read_bytes()
        if b"help_text" not in source:
            continue
        for node in ast.walk(ast.parse(source, str(path))):
            if (isinstance(node, ast.Call) and node.args
                    and isinstance(node.args[0], ast.Constant)
                    and isinstance(node.args[0].value, str)
                    and (getattr(node.func, "id", None) == "help_text"
                         or getattr(node.func, "attr", None) == "help_text")):
                out.add(node.args[0].value)
    return out


def stale(root: Path = PACKAGE.parent) -> list[tuple[str, PoEntry]]:
    """The entries of the .po files that no code uses (see the module's text), with
    their language."""
    locale = root / "hs" / "locale"
    po = {lang: PoFile(locale / f"{lang}.po", lang) for lang in LANGS}
    namespaces = _live_namespaces(root)
    helps = _live_help(root)
    out: list[tuple[str, PoEntry]] = []
    for lang in LANGS:
        for entry in po[lang].entries:
            if entry.ctxt == HELP_CONTEXT:
                if helps is not None and entry.msgid not in helps:
                    out.append((lang, entry))
            elif entry.ctxt and namespaces is not None and not any(
                    entry.ctxt.startswith(ns + ".") for ns in namespaces):
                out.append((lang, entry))
    return out


def _stale_line(lang: str, entry: PoEntry) -> str:
    what = f"help {entry.msgid[:60]!r}" if entry.ctxt == HELP_CONTEXT else entry.ctxt
    return f"{lang}.po: {what}: no code uses it"


def prune(root: Path = PACKAGE.parent) -> list[str]:
    """Remove the stale entries from the .po files; returns what it removed, a line
    each."""
    found = stale(root)
    locale = root / "hs" / "locale"
    for lang in LANGS:
        keys = {e.key for la, e in found if la == lang}
        if not keys:
            continue
        po = PoFile(locale / f"{lang}.po", lang)
        po.entries = [e for e in po.entries if e.key not in keys]
        po.save()
    return [_stale_line(lang, e) + " (removed)" for lang, e in found]


# --- check ---------------------------------------------------------------------------------

def _fields(text: str) -> set[str]:
    try:
        return {f[1] for f in string.Formatter().parse(text) if f[1]}
    except ValueError:
        return {"<unbalanced braces>"}


def check(root: Path = PACKAGE.parent) -> list[str]:
    """Every problem of the catalogues, a line each (empty: all is well)."""
    problems: list[str] = []
    locale = root / "hs" / "locale"
    po = {lang: PoFile(locale / f"{lang}.po", lang) for lang in LANGS}
    messages = {e.ctxt for lang in LANGS for e in po[lang].entries
                if e.ctxt not in (None, HELP_CONTEXT)}
    for ctxt in sorted(m for m in messages if m):
        texts = {}
        for lang in LANGS:
            entry = po[lang].get(ctxt)
            if entry is None or not all(entry.msgstr) or not entry.msgid:
                problems.append(f"{lang}.po: {ctxt}: no {lang} text")
                continue
            texts[lang] = entry.msgstr
            if entry.plural is not None and len(entry.msgstr) < 2:
                problems.append(f"{lang}.po: {ctxt}: a plural needs msgstr[0] and msgstr[1]")
        if len(texts) == 2:
            en, nl = po["en"].get(ctxt), po["nl"].get(ctxt)
            assert en is not None and nl is not None
            if (en.msgid, en.plural) != (nl.msgid, nl.plural):
                problems.append(f"{ctxt}: en.po and nl.po have another msgid")
            wanted = _fields(en.msgid) | _fields(en.plural or "")
            for lang in LANGS:
                for text in texts[lang]:
                    if _fields(text) - wanted - {"count"} or (
                            not (en.plural) and _fields(text) != wanted):
                        problems.append(f"{lang}.po: {ctxt}: the fields are not those of "
                                        "the msgid")
    for path in python_files(root):
        for f in find_catalogs(path, root):
            problems.append(f"{path.relative_to(root).as_posix()}:{f.call.lineno}: a "
                            "catalogue in the code (run 'python -m hs.base.catalogtool "
                            "extract')")
    for text, where in help_texts(root).items():
        entry = po["nl"].get(HELP_CONTEXT, text)
        if entry is None or not entry.msgstr[0]:
            problems.append(f"{where}: help text without Dutch: {text[:60]!r}")
    problems += [_stale_line(lang, e) + " (run 'python -m hs.base.catalogtool prune')"
                 for lang, e in stale(root)]
    return problems


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] not in ("extract", "check", "import-help", "prune"):
        sys.stderr.write(__doc__.split("\n\n")[1] + "\n")
        return 2
    if args[0] == "import-help":
        lines = import_help([Path(a) for a in args[1:]])
        code = 0
    else:
        root = Path(args[1]) if len(args) > 1 else PACKAGE.parent
        lines = (extract(root) if args[0] == "extract" else prune(root)
                 if args[0] == "prune" else check(root))
        code = 1 if args[0] == "check" and lines else 0
    for line in lines:
        sys.stdout.write(line + "\n")
    return code


if __name__ == "__main__":
    raise SystemExit(main())
