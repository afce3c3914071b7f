"""JSON Schemas of the record files, generated from the models (``hs schema``).

One schema per kind of file, ``<kind>.schema.json`` (location, family, volunteer,
trajectory, vocabularies, config), in ``schemas/`` at the root of a records repository.
Every record file names its schema on its first line, relative to the file, so that an
editor with the YAML language server checks it while the coordinator types::

    # yaml-language-server: $schema=../../schemas/family.schema.json

:func:`schema_line` gives that line for a kind and a folder depth; writers use it. The
schemas describe one file each; what needs the whole tree (references, dates across
records) only ``hs validate`` checks.

The schemas are the repository's own: every field whose values (or keys) are codes of a
vocabulary takes only the codes of that repository's ``records/vocabularies.yaml`` (an
``enum``), so an editor refuses ``kind-en-gezn`` as a referrer. ``hs schema`` writes them
(with the vocabularies of the repository it runs in); ``hs validate`` warns when they no
longer match the vocabularies (:func:`check_schemas`). An open vocabulary (``languages``:
labels for any ISO code) stays open. Without vocabularies (``None``) the
code fields take any code of the right form.

This module imports pydantic only when schemas are generated, so :func:`schema_line` is
cheap to use anywhere.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from hs.records import spec
from hs.records.spec import KINDS as SPEC_KINDS
from hs.records.vocabularies import BY_NAME

#: The codes of each vocabulary of a repository (vocabulary name -> codes), as
#: ``records/vocabularies.yaml`` gives them; None: any code.
Codes = Mapping[str, Iterable[str]] | None

# the record kinds of the spec, then the vocabularies and the config
KINDS = (*SPEC_KINDS, "vocabularies", "config")
COMMENT_PREFIX = "# yaml-language-server: $schema="
DRAFT = "https://json-schema.org/draft/2020-12/schema"


def file_name(kind: str) -> str:
    return f"{kind}.schema.json"


def schema_line(kind: str, depth: int) -> str:
    """The ``$schema`` comment line of a file ``depth`` folders below the repository root
    (``records/config.yaml``: 1; ``records/families/f3kq7p2xm.yaml``: 2)."""
    if kind not in KINDS:
        raise ValueError(f"no schema for '{kind}'")
    return f"{COMMENT_PREFIX}{'../' * depth}schemas/{file_name(kind)}"


def depth_of(rel: str) -> int:
    """The folder depth of a path relative to the repository root."""
    return rel.strip("/").count("/")


def schema(kind: str, codes: Codes = None) -> dict[str, Any]:
    """The JSON Schema of one kind of file; with ``codes``, its code fields are enums."""
    # lazy: pydantic and the models only to generate schemas; schema_line is for writers
    from hs.records.models import MODELS

    model = MODELS[kind]
    body = model.model_json_schema(mode="validation")
    out: dict[str, Any] = {"$schema": DRAFT, "$id": file_name(kind)}
    out.update(body)
    out["title"] = f"Home-Start {kind} record" if kind not in ("vocabularies", "config") \
        else f"Home-Start records {kind}"
    if codes is not None and kind in SPEC_KINDS:
        _restrict_codes(out, SPEC_KINDS[kind].group, codes)
    return out


def _restrict_codes(body: dict[str, Any], top: spec.Group, codes: Mapping[str, Iterable[str]],
                    ) -> None:
    """Make every code field of the kind's groups an enum of its vocabulary's codes."""
    defs = body.get("$defs", {})
    groups = [(top, body), *((g, defs[g.name]) for g in spec.GROUPS if g.name in defs)]
    for group, node in groups:
        props = node.get("properties", {})
        for f in group.fields:
            if f.name not in props:
                continue
            if f.vocabulary is not None:
                names = (f.vocabulary,) if isinstance(f.vocabulary, str) \
                    else tuple(dict.fromkeys(f.vocabulary.vocabularies.values()))
                allowed = _codes_of(names, codes)
                if allowed is not None:
                    _enum_strings(props[f.name], allowed)
            if f.key_vocabulary is not None:
                allowed = _codes_of((f.key_vocabulary,), codes)
                if allowed is not None:
                    _enum_keys(props[f.name], allowed)


def _codes_of(names: tuple[str, ...], codes: Mapping[str, Iterable[str]]) -> list[str] | None:
    if any(n not in codes or not BY_NAME[n].checked for n in names):
        return None  # an open vocabulary (languages), or one the file lacks: any code
    return sorted({str(c) for n in names for c in codes[n]})


def _enum_strings(node: Any, allowed: list[str]) -> None:
    """Every string schema inside ``node`` (itself, a list's items, a branch of anyOf)."""
    if not isinstance(node, dict):
        return
    if node.get("type") == "string":
        node["enum"] = allowed
        node.pop("pattern", None)
        node.pop("maxLength", None)
    for key in ("items", "additionalProperties"):
        _enum_strings(node.get(key), allowed)
    for branch in node.get("anyOf", ()):
        _enum_strings(branch, allowed)


def _enum_keys(node: Any, allowed: list[str]) -> None:
    if not isinstance(node, dict):
        return
    if node.get("type") == "object":
        node["propertyNames"] = {"enum": allowed}
    for branch in node.get("anyOf", ()):
        _enum_keys(branch, allowed)


def render(kind: str, codes: Codes = None) -> str:
    return json.dumps(schema(kind, codes), indent=2, ensure_ascii=False) + "\n"


def write_schemas(out: Path, codes: Codes = None) -> list[str]:
    """Write every schema into the folder ``out``; the names of the files that changed."""
    out.mkdir(parents=True, exist_ok=True)
    written: list[str] = []
    for kind in KINDS:
        path = out / file_name(kind)
        text = render(kind, codes)
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            written.append(path.name)
    return written


def check_schemas(out: Path, codes: Codes = None) -> list[str]:
    """The names of the schema files in ``out`` that are missing or out of date."""
    stale: list[str] = []
    for kind in KINDS:
        path = out / file_name(kind)
        try:
            current = path.read_text(encoding="utf-8")
        except OSError:
            current = None
        if current != render(kind, codes):
            stale.append(path.name)
    return stale
