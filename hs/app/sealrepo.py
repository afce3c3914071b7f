"""``hs seal``: convert an existing repository so that its personal fields are sealed.

Creates a key for every family and volunteer that has a personal value, seals every
plain personal value of every valid record (a trajectory's with its family's key), sets
``sealed: true`` in ``records/config.yaml``, all in one commit. Tokens already there stay
as they are, so running it again seals only what was typed in plain since. Revisions
before the conversion still hold the plain values: ``docs/privacy.md`` says how to remove
them if the location needs to.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from hs.app.sealing import Sealer, places
from hs.app.workflow import Change, FileChange, Outcome, Plan, apply, recheck
from hs.base.i18n import Catalog
from hs.records.layout import CONFIG_FILE, RECORDS
from hs.records.spec import SEALED_PATTERN
from hs.store.repo import Repo
from hs.store.splice import splice
from hs.store.yamlio import decode, load_document, load_plain

MSG = Catalog("app.sealrepo")

SEALABLE = ("family", "volunteer", "trajectory")


def seal_repository(store: Repo, *, commit: bool = True) -> Outcome | None:
    """Seal every plain personal value and set the config flag, in one commit; None when
    there is nothing to do (sealed already, no plain value left)."""
    with store.lock():
        p = Plan(store)
        sealer = p.sealer or Sealer(store)
        p.sealer = sealer
        n = 0
        for kind in SEALABLE:
            for rid, rel in sorted(_paths(p, kind).items()):
                data = load_plain(decode((store.root / rel).read_bytes()))
                if not any(isinstance(c[k], str) and not _token(c[k])
                           for c, k, _, _ in places(kind, data)):
                    continue
                doc = p.edit(kind, rid)  # type: ignore[arg-type]
                n += sealer.seal(kind, rid, doc)
                p.put(kind, rid, doc)  # type: ignore[arg-type]
        files = len(p.files)
        warnings = recheck(p)
        config_rel = f"{RECORDS}/{CONFIG_FILE}"
        text = (store.root / config_rel).read_text(encoding="utf-8")
        if store.index.config.get("sealed") is not True:
            doc = load_document(text)
            old = load_document(text)
            doc["sealed"] = True
            p.files[config_rel] = FileChange("config", "config", config_rel,
                                             splice(text, doc, old), created=False)
        if not p.files:
            return None
        change = Change("repo.seal", MSG("sealed", n=n, files=files),
                        f"Seal personal fields ({n} values in {files} records)", (), None,
                        list(p.files.values()), [*warnings, MSG("history")])
        return apply(p, change, commit, checked=True)


def _paths(p: Plan, kind: str) -> dict[str, str]:
    tables: dict[str, Mapping[str, object]] = {
        "family": p.index.families, "volunteer": p.index.volunteers,
        "trajectory": p.index.trajectories}
    table = tables[kind]
    return {rid: p.index.paths[rid] for rid in table if rid in p.index.paths}


_SEALED = re.compile(SEALED_PATTERN)


def _token(value: str) -> bool:
    return _SEALED.fullmatch(value) is not None


def nothing_to_seal() -> str:
    return MSG("nothing")
