"""JSON Schemas of the record files, generated from the models (``hs schema``).

One schema per kind of file, ``<kind>.schema.json`` (location, family, volunteer,
trajectory, vocabularies, config), in ``schemas/`` at the root of a records repository.
Every record file names its schema on its first line, relative to the file, so that an
editor with the YAML language server checks it while the coordinator types::

    # yaml-language-server: $schema=../../schemas/family.schema.json

:func:`schema_line` gives that line for a kind and a folder depth; writers use it. The
schemas describe one file each; what needs the whole tree (references, codes in the
vocabularies, dates across records) only ``hs validate`` checks.

This module imports pydantic only when schemas are generated, so :func:`schema_line` is
cheap to use anywhere.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hs.records.spec import KINDS as SPEC_KINDS

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


def schema(kind: str) -> dict[str, Any]:
    """The JSON Schema of one kind of file."""
    # lazy: pydantic and the models only to generate schemas; schema_line is for writers
    from hs.records.models import MODELS

    model = MODELS[kind]
    body = model.model_json_schema(mode="validation")
    out: dict[str, Any] = {"$schema": DRAFT, "$id": file_name(kind)}
    out.update(body)
    out["title"] = f"Home-Start {kind} record" if kind not in ("vocabularies", "config") \
        else f"Home-Start records {kind}"
    return out


def render(kind: str) -> str:
    return json.dumps(schema(kind), indent=2, ensure_ascii=False) + "\n"


def write_schemas(out: Path) -> list[str]:
    """Write every schema into the folder ``out``; the names of the files that changed."""
    out.mkdir(parents=True, exist_ok=True)
    written: list[str] = []
    for kind in KINDS:
        path = out / file_name(kind)
        text = render(kind)
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            written.append(path.name)
    return written


def check_schemas(out: Path) -> list[str]:
    """The names of the schema files in ``out`` that are missing or out of date."""
    stale: list[str] = []
    for kind in KINDS:
        path = out / file_name(kind)
        try:
            current = path.read_text(encoding="utf-8")
        except OSError:
            current = None
        if current != render(kind):
            stale.append(path.name)
    return stale
