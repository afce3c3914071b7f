"""The files around the records that other tools read: the repository's JSON Schemas (for
editors), the editor settings that find them, and where the CI workflow and the
pre-commit hook install hs from.

* The schemas (``schemas/<kind>.schema.json``) are the repository's own: their code fields
  take the codes of its ``records/vocabularies.yaml`` (:mod:`hs.records.schemas`).
  ``hs schema`` writes them, ``hs init`` too, and ``hs validate`` warns when they no
  longer match the vocabularies (:func:`problems`).
* ``.vscode/settings.json`` maps each folder of records to its schema with globs
  (``yaml.schemas``), so the editor finds the schema whatever a file's ``$schema`` line
  says (a file moved into a subfolder by hand).
* ``install:`` of ``records/config.yaml``: a git URL pinned to a tag or commit, or a wheel
  of this project. The workflow reads it; the pre-commit configuration gets it at
  ``hs init --install`` and ``hs validate`` warns when the two differ.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from hs.base.i18n import Catalog
from hs.records.layout import CONFIG_FILE, DISTRIBUTION, INSTALL_PATTERN, RECORDS
from hs.records.problems import Problem
from hs.records.schemas import KINDS, Codes, check_schemas, file_name, write_schemas
from hs.records.spec import KINDS as SPEC_KINDS
from hs.records.vocabularies import BY_NAME

MSG = Catalog("app.tooling")

SCHEMAS = "schemas"
PRECOMMIT = ".pre-commit-config.yaml"
VSCODE = ".vscode/settings.json"
NO_SOURCE = ("no install source for hs: set 'install:' in records/config.yaml (a git URL "
             "of hs pinned to a tag, or a homestart_hs wheel), then put it in "
             "additional_dependencies here and make language: python")


def _data(name: str) -> Path:
    return Path(__file__).resolve().parents[1] / "data" / name


# --- the schemas --------------------------------------------------------------------------


def codes_in(vocabularies: Any) -> Codes:
    """The codes of each vocabulary of a loaded ``vocabularies.yaml`` (None if it is not a
    mapping: then the schemas take any code)."""
    if not isinstance(vocabularies, dict):
        return None
    return {name: [str(c) for c in m] for name, m in vocabularies.items()
            if name in BY_NAME and isinstance(m, dict)}


def vocabulary_codes(root: Path) -> Codes:
    """The codes of the vocabularies of the tree at ``root``; None if it has none that can
    be read (``hs validate`` says why)."""
    # lazy: the YAML reader only where a file is read
    from hs.store.yamlio import YamlIssue, decode, load_plain

    try:
        text = decode((root / RECORDS / "vocabularies.yaml").read_bytes())
        return codes_in(load_plain(text))
    except (OSError, UnicodeDecodeError, YamlIssue, ValueError):
        return None


def default_codes() -> Codes:
    """The codes of the default vocabularies (a new tree's)."""
    # lazy: the YAML reader only where a file is read
    from hs.store.yamlio import decode, load_plain

    return codes_in(load_plain(decode(_data("vocabularies.yaml").read_bytes())))


def write_repo_schemas(root: Path, out: Path | None = None) -> list[str]:
    """Write the schemas of the tree at ``root`` into ``out`` (default ``root/schemas``)."""
    return write_schemas(out or root / SCHEMAS, vocabulary_codes(root))


def stale_schemas(root: Path, out: Path | None = None) -> list[str]:
    return check_schemas(out or root / SCHEMAS, vocabulary_codes(root))


_MEMO = "stale-schemas"


def _signature(root: Path) -> list[tuple[str, int, int]]:
    """What the schemas' staleness depends on, cheaply: the vocabularies' and the
    schemas' sizes and times (the cache is thrown away when hs's code changes)."""
    out: list[tuple[str, int, int]] = []
    for p in (root / RECORDS / "vocabularies.yaml",
              *(root / SCHEMAS / file_name(k) for k in KINDS)):
        try:
            st = p.stat()
            out.append((p.name, st.st_mtime_ns, st.st_size))
        except OSError:
            out.append((p.name, 0, -1))
    return out


def _stale_kept(root: Path) -> list[str]:
    """:func:`stale_schemas`, remembered in the cache while nothing it reads changes (a
    warm ``hs validate`` renders no schema)."""
    # lazy: the cache only for hs validate
    from hs.store.cache import read_memo, write_memo

    sig = _signature(root)
    kept = read_memo(root, _MEMO)
    if isinstance(kept, dict) and kept.get("sig") == sig and isinstance(kept.get("stale"), list):
        return [str(n) for n in kept["stale"]]
    stale = stale_schemas(root)
    write_memo(root, _MEMO, {"sig": sig, "stale": stale})
    return stale


# --- the editor settings ------------------------------------------------------------------


def editor_settings(old: dict[str, Any] | None = None) -> dict[str, Any]:
    """VS Code settings (``old`` kept) whose ``yaml.schemas`` give each kind of file its
    schema by glob, in any subfolder of its folder."""
    out = dict(old or {})
    globs: dict[str, Any] = dict(out.get("yaml.schemas") or {})
    for kind in KINDS:
        if kind in SPEC_KINDS:
            pattern = f"{RECORDS}/{SPEC_KINDS[kind].folder}/**/*.yaml"
        else:
            pattern = f"{RECORDS}/{CONFIG_FILE if kind == 'config' else kind + '.yaml'}"
        globs[f"./{SCHEMAS}/{file_name(kind)}"] = pattern
    out["yaml.schemas"] = globs
    return out


def editor_settings_text(root: Path) -> str:
    """The text of ``.vscode/settings.json`` for the tree at ``root`` (its other settings
    kept; a file that is no JSON object is replaced)."""
    old: dict[str, Any] | None = None
    try:
        loaded = json.loads((root / VSCODE).read_text(encoding="utf-8"))
        old = loaded if isinstance(loaded, dict) else None
    except (OSError, ValueError):
        old = None
    return json.dumps(editor_settings(old), indent=2, ensure_ascii=False) + "\n"


# --- where the workflow and the hook install hs from --------------------------------------


def requirement(install: str) -> str:
    """The pip requirement of an install source: the distribution named, so that pip
    installs exactly this project (a wheel path stays a path: pip reads its name)."""
    if install.startswith("git+") or "://" in install:
        return f"{DISTRIBUTION} @ {install}"
    return install


def precommit_config(install: str | None) -> str:
    """The ``.pre-commit-config.yaml`` that ``hs init`` writes: a hook that installs hs
    from ``install``, or, without one, a hook that fails and says what to set."""
    if install is None:
        hook = (f"        entry: {json.dumps(NO_SOURCE)}\n"
                "        language: fail")
    else:
        hook = ("        entry: hs validate\n"
                "        language: python\n"
                f"        additional_dependencies: [{json.dumps(requirement(install))}]")
    return _data("pre-commit-config.yaml").read_text(encoding="utf-8").replace("@HOOK@", hook)


def config_text(install: str | None) -> str:
    """The default ``records/config.yaml``, with ``install:`` set if given."""
    text = _data("config.yaml").read_text(encoding="utf-8")
    if install is None:
        return text
    return re.sub(r"(?m)^# install: .*$", f"install: {json.dumps(install)}", text, count=1)


def _configured_install(root: Path) -> str | None:
    # lazy: the YAML reader only where a file is read
    from hs.store.yamlio import YamlIssue, decode, load_plain

    try:
        data = load_plain(decode((root / RECORDS / CONFIG_FILE).read_bytes()))
    except (OSError, UnicodeDecodeError, YamlIssue, ValueError):
        return None
    value = data.get("install") if isinstance(data, dict) else None
    return value if isinstance(value, str) else None


def _precommit_problem(root: Path) -> Problem | None:
    """A warning when the pre-commit hook's install source is not ``install:``."""
    # lazy: the YAML reader only where a file is read
    from hs.store.yamlio import YamlIssue, decode, load_plain

    install = _configured_install(root)
    if install is None or not re.match(INSTALL_PATTERN, install):
        return None  # the workflow says so (and the config's own check, or the hook's)
    try:
        data = load_plain(decode((root / PRECOMMIT).read_bytes()))
    except (OSError, UnicodeDecodeError, YamlIssue, ValueError):
        return None
    want = requirement(install)
    hooks = [h for r in (data or {}).get("repos", []) if isinstance(r, dict)
             for h in r.get("hooks", []) if isinstance(h, dict) and h.get("id") == "hs-validate"]
    if not hooks or (data or {}).get("repos", [{}])[0].get("repo") != "local":
        return None  # not hs's own configuration: pre-commit installs from its repo: rev:
    hook = hooks[0]
    deps = hook.get("additional_dependencies") or []
    if hook.get("language") == "python" and deps == [want]:
        return None
    key = "precommit-unset" if hook.get("language") == "fail" else "precommit-stale"
    return Problem(PRECOMMIT, 1, 1, "install-source", MSG(key, want=json.dumps(want)),
                   "warning")


def problems(root: Path) -> list[Problem]:
    """Warnings about the files around the tree: schemas that no longer match the
    vocabularies, a pre-commit hook that installs hs from another source than the
    config's. A tree without schemas/ (or without a pre-commit config) is left alone."""
    out: list[Problem] = []
    if (root / SCHEMAS).is_dir():
        out.extend(Problem(f"{SCHEMAS}/{name}", 1, 1, "schema-stale", MSG("schemas-stale"),
                           "warning") for name in _stale_kept(root))
    found = _precommit_problem(root)
    if found is not None:
        out.append(found)
    return out
