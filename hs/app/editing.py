"""``hs edit ID``: a record edited in ``$EDITOR``, sealed fields included.

The editor gets a readable copy (personal values opened, in a private temporary file,
mode 0600 in a folder only the user can enter, removed afterwards). What comes back is
validated like any write (the record's own checks and the rules across records around
it) and committed as one change. Personal values are sealed again only where they
changed: a value that comes back as it was shown gets its old token back byte for byte
(also when entries were moved), so the diff shows only what the user changed. A value
this clone cannot open is shown as a placeholder and, left as it is, keeps its token.
"""

from __future__ import annotations

import copy
import os
import shlex
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hs.app.sealing import owner_of, places, private_file, readable
from hs.app.workflow import Change, FileChange, Outcome, Plan, apply, check_plan
from hs.base.errors import UsageError, WriteRejected
from hs.base.i18n import Catalog
from hs.rules import checks
from hs.store.filecheck import Locator
from hs.store.layout import RecordFile
from hs.store.read import parse_file
from hs.store.repo import Repo
from hs.store.splice import splice
from hs.store.yamlio import YamlIssue, decode, load_document

MSG = Catalog("app.editing")


@dataclass(frozen=True)
class Edited:
    """What :func:`edit_record` did: the outcome (None: nothing changed)."""

    kind: str
    id: str
    outcome: Outcome | None
    summary: str


Editor = Callable[[Path], int]


def run_editor(path: Path) -> int:
    """Open ``path`` in ``$VISUAL`` or ``$EDITOR``; the editor's exit code."""
    command = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    if not command:
        if shutil.which("vi") is None:
            raise UsageError(MSG("no-editor"))
        command = "vi"
    return subprocess.call([*shlex.split(command), str(path)])


def edit_record(store: Repo, prefix: str, *, editor: Editor = run_editor,
                retry: Callable[[str], bool] | None = None, commit: bool = True) -> Edited:
    """Edit one record in an editor and write it back as one validated commit.

    ``retry(message)``: asked after a rejected edit whether to open the editor again on
    the text as edited (on a terminal); without it, a rejected edit raises and nothing
    changes."""
    kind, rid = store.resolve(prefix)
    path = store.path_of(kind, rid)
    rel = path.relative_to(store.root).as_posix()
    old_text = decode(path.read_bytes())
    old_doc = load_document(old_text)
    shown_doc = copy.deepcopy(old_doc)
    readable(store, kind, rid, shown_doc)
    tokens = _tokens(kind, old_doc, shown_doc)
    shown_text = MSG("header", id=rid) + splice(old_text, shown_doc, load_document(old_text))
    with tempfile.TemporaryDirectory(prefix="hs-edit-") as folder:  # mode 0700
        copy_path = Path(folder) / f"{rid}.yaml"
        private_file(copy_path, shown_text)
        while True:
            code = editor(copy_path)
            if code != 0:
                raise WriteRejected(MSG("editor-failed", code=code))
            edited = copy_path.read_text(encoding="utf-8")
            if edited == shown_text:
                return Edited(kind, rid, None, MSG("unchanged", kind=_label(kind), id=rid))
            try:
                outcome = _write(store, kind, rid, rel, old_text, edited, tokens, commit)
            except (WriteRejected, YamlIssue) as err:
                text = str(err) if isinstance(err, WriteRejected) else \
                    MSG("unreadable", detail=str(err))
                if retry is not None and retry(text):
                    continue
                if isinstance(err, YamlIssue):
                    raise WriteRejected(text) from None
                raise
            return Edited(kind, rid, outcome, MSG("edited", kind=_label(kind), id=rid))


def _label(kind: str) -> str:
    """A record kind as a sentence says it: "family" in English, "gezin" in Dutch."""
    return MSG(f"kind.{kind}")


def _tokens(kind: str, sealed_doc: Any, shown_doc: Any) -> dict[tuple[str, str], str]:
    """(spec path, text as shown) -> the token it came from."""
    shown = {s: (c[k], path) for c, k, path, s in places(kind, shown_doc)}
    out: dict[tuple[str, str], str] = {}
    for c, k, _, s in places(kind, sealed_doc):
        value = c[k]
        if s in shown and isinstance(value, str) and isinstance(shown[s][0], str) \
                and value != shown[s][0]:
            out[(shown[s][1], str(shown[s][0]))] = value
    return out


def _write(store: Repo, kind: str, rid: str, rel: str, old_text: str, edited: str,
           tokens: dict[tuple[str, str], str], commit: bool) -> Outcome:
    edited_doc = load_document(edited)
    new_doc = copy.deepcopy(edited_doc)
    for container, key, path, _ in places(kind, new_doc):
        value = container[key]
        if isinstance(value, str) and (path, value) in tokens:
            container[key] = tokens[(path, value)]  # unchanged: its old token
    text = splice(edited, new_doc, edited_doc)
    if text.startswith("# hs edit "):  # the header this module added
        text = text.split("\n", 1)[1]
    with store.lock():
        if decode((store.root / rel).read_bytes()) != old_text:
            raise WriteRejected(MSG("changed-meanwhile", path=rel))
        p = Plan(store)
        if p.sealer is not None:
            doc = load_document(text)
            before = load_document(text)
            p.sealer.seal(kind, rid, doc, owner_of(kind, rid, doc))
            text = splice(text, doc, before)
        p.files[rel] = FileChange(kind, rid, rel, text, created=False)
        _refuse(rel, [(q.rel, q.line, q.message) for q in check_plan(p)
                      if q.severity == "error"] + _check_across(p, kind, rid, rel, text))
        summary = MSG("edited", kind=_label(kind), id=rid)
        change = Change("record.edit", summary, summary, (rid,), None,
                        list(p.files.values()))
        return apply(p, change, commit)


def _refuse(rel: str, errors: list[tuple[str, int, str]]) -> None:
    """Refuse the edit with every error found (each ``file:line: message``, the line
    left out where a rule does not know it), not only the first: the user fixes them
    all in one go."""
    seen: list[tuple[str, int, str]] = []
    for e in errors:
        if e not in seen:
            seen.append(e)
    if not seen:
        return
    if len(seen) == 1:
        path, line, message = seen[0]
        raise WriteRejected(MSG("rejected", path=f"{path}:{line}" if line else path,
                                message=message))
    lines = [MSG("rejected-all", path=rel, n=len(seen))]
    lines += [f"{path}:{line}: {message}" if line else f"{path}: {message}"
              for path, line, message in seen]
    raise WriteRejected("\n".join(lines))


def _check_across(p: Plan, kind: str, rid: str, rel: str, text: str
                  ) -> list[tuple[str, int, str]]:
    """A hand edit may change any field: the codes and references of the edited record
    are checked too (the workflow's planners check those themselves); the new errors,
    which refuse the edit."""
    res = parse_file(RecordFile(kind, rid, p.repo.root / rel, rel), text.encode("utf-8"))
    if res.problems:
        return []  # the plan's own check says what is wrong
    links = checks.trajectory_links(p.index)
    now = dict(links)
    if kind == "trajectory":
        now[rid] = checks.link_of(res.row)
    _, needed = checks.records_touched(p.index, {rid: kind}, links, now)
    at = Locator(p.repo.root)
    before = checks.record_problems(at, checks.index_of(p.index, needed), only={rid})
    after = checks.record_problems(
        at, checks.index_of(p.index, needed, {rid: (kind, res.row, rel)}), only={rid})
    known = {(q.code, q.message) for q in before}
    return [(rel, q.line, q.message) for q in after
            if q.severity == "error" and (q.code, q.message) not in known]
