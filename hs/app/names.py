"""Names for display: the one function that reads the ``name`` field of records for the
tables of the command line (`hs waitlist`, `hs due`, `hs suggest`, `hs match plan`, the
related records of `hs show`, `hs list ...`).

Names are personal data: they are read here, file by file, for the records of the rows
shown only (never the whole tree, and never through the cache, which holds no names), and
never go to commit messages, logs or errors. Nothing else reads a name field for display,
so that this function is the one place that opens sealed (encrypted) names for tables
(:func:`hs.app.sealing.shown_name`: the name where this clone holds the key, "[sealed]"
where it does not, "[erased]" after erasure).

Whether a table shows them is :func:`names_shown`: a terminal table does by default,
unless ``--no-names`` or the repository's setting ``names: hidden`` (config.yaml, for a
shared screen); the machine formats only with ``--names``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from hs.app.sealing import KeyStore, is_token, open_keys, shown_name
from hs.store.yamlio import YamlIssue, decode, load_plain, quiet_stderr

if TYPE_CHECKING:
    from hs.store.repo import Repo

#: The values of ``names`` in config.yaml.
NAMES_SETTINGS = ("shown", "hidden")


def display_names(repo: Repo, ids: Iterable[str]) -> dict[str, str]:
    """The ``name`` of each record of ``ids`` that has one and can be read (a record
    without a name, a trajectory, an unreadable file: left out)."""
    index = repo.index
    out: dict[str, str] = {}
    seen: set[str] = set()
    keys: KeyStore | None = None
    with quiet_stderr():
        for rid in ids:
            if rid in seen:
                continue
            seen.add(rid)
            rel = index.paths.get(rid)
            if rel is None:
                continue
            try:
                data = load_plain(decode((repo.root / rel).read_bytes()))
            except (OSError, YamlIssue):
                continue
            value = data.get("name") if isinstance(data, dict) else None
            if is_token(value):  # opened here, and only here
                keys = keys if keys is not None else open_keys(repo)
                value = shown_name(repo, rid, repo.resolve(rid)[0], keys=keys, data=data)
            if value is not None and str(value).strip():
                out[rid] = str(value)
    return out


def names_shown(repo: Repo, machine: bool, asked: bool | None) -> bool:
    """Whether a table shows names: ``asked`` is ``--names`` (True), ``--no-names``
    (False) or neither (None); ``machine``: a format for programs (json, csv, excel,
    plain, markdown), which shows names only when asked."""
    if asked is not None:
        return asked
    if machine:
        return False
    return bool(repo.index.config.get("names", "shown") != "hidden")
