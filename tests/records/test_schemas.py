"""The JSON Schemas in schemas/: generated from the models, current, and right."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hs.app.tooling import default_codes, vocabulary_codes
from hs.cli import app
from hs.records.schemas import KINDS, check_schemas, file_name, render, schema_line, write_schemas
from hs.store.yamlio import decode, load_plain

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()


def test_the_checked_in_schemas_are_current() -> None:
    """schemas/ holds the schemas of the demo tree (records/), with its vocabularies."""
    assert check_schemas(ROOT / "schemas", vocabulary_codes(ROOT)) == [], \
        "run: hs schema --out schemas"
    assert sorted(p.name for p in (ROOT / "schemas").glob("*.json")) == sorted(
        f"{k}.schema.json" for k in KINDS)


def test_check_finds_a_stale_or_missing_schema(tmp_path: Path) -> None:
    assert write_schemas(tmp_path) == [file_name(k) for k in KINDS]
    assert write_schemas(tmp_path) == []  # nothing to change
    assert check_schemas(tmp_path) == []
    family = tmp_path / "family.schema.json"
    family.write_text(family.read_text().replace('"location"', '"place"'))
    (tmp_path / "config.schema.json").unlink()
    assert check_schemas(tmp_path) == ["family.schema.json", "config.schema.json"]


def test_the_schema_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # outside a records repository: the default vocabularies
    out = tmp_path / "schemas"
    result = runner.invoke(app, ["schema", "--out", str(out)])
    assert result.exit_code == 0
    # one file per record kind, the vocabularies and the config
    assert len(result.stderr.splitlines()) == len(KINDS)
    result = runner.invoke(app, ["schema", "--check", "--out", str(out)])
    assert (result.exit_code, result.stderr) == (0, f"schemas in {out} are up to date\n")
    (out / "volunteer.schema.json").write_text("{}\n")
    result = runner.invoke(app, ["schema", "--check", "--out", str(out)])
    assert result.exit_code == 1
    assert result.stderr == "hs: out of date: volunteer.schema.json (run 'hs schema')\n"


def test_schema_lines() -> None:
    assert schema_line("family", 2) == \
        "# yaml-language-server: $schema=../../schemas/family.schema.json"
    assert schema_line("config", 1) == \
        "# yaml-language-server: $schema=../schemas/config.schema.json"
    assert schema_line("trajectory", 3).endswith("=../../../schemas/trajectory.schema.json")
    with pytest.raises(ValueError):
        schema_line("visit", 2)


def test_each_schema_names_its_kind_and_forbids_unknown_fields() -> None:
    for kind in KINDS:
        schema = json.loads(render(kind))
        assert schema["$id"] == f"{kind}.schema.json"
        assert schema["additionalProperties"] is False
        assert schema["properties"]["schema_version"]["const"] == 1


def record_files() -> list[tuple[str, Path]]:
    out: list[tuple[str, Path]] = []
    folders = {"locations": "location", "families": "family", "volunteers": "volunteer",
               "trajectories": "trajectory"}
    records = ROOT / "records"
    for name, kind in (("config.yaml", "config"), ("vocabularies.yaml", "vocabularies")):
        for base in (records, ROOT / "hs" / "data"):
            if (base / name).is_file():
                out.append((kind, base / name))
    for folder, kind in folders.items():
        out.extend((kind, p) for p in sorted((records / folder).rglob("*.yaml"))[:40])
    return out


def test_records_satisfy_their_schema_and_bad_ones_do_not() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    codes = vocabulary_codes(ROOT)
    validators = {k: jsonschema.Draft202012Validator(
        json.loads(render(k, codes)), format_checker=jsonschema.FormatChecker())
        for k in KINDS}
    files = record_files()
    for kind, path in files:
        data = load_plain(decode(path.read_bytes()))
        errors = [e.message for e in validators[kind].iter_errors(data)]
        assert errors == [], path
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first.endswith(f"schemas/{kind}.schema.json"), path
    family = next((p for k, p in files if k == "family"), None)
    if family is not None:
        data = load_plain(decode(family.read_bytes()))
        data["nickname"] = "x"
        data["referrals"][0]["date"] = "2025-02-30"
        found = {e.validator for e in validators["family"].iter_errors(data)}
        assert found == {"additionalProperties", "format"}


def test_code_fields_take_only_the_repositorys_codes() -> None:
    """A misspelt code is refused in the editor, as hs validate refuses it; codes a
    repository adds are taken; an open vocabulary (languages) stays open."""
    jsonschema = pytest.importorskip("jsonschema")
    codes = {**dict(default_codes() or {}), "referrers": ["kind-en-gezin", "eigen-werking"]}
    family = jsonschema.Draft202012Validator(json.loads(render("family", codes)))
    data = {"schema_version": 1, "location": "leuven",
            "municipality": "Leuven", "languages": ["xx"],
            "referrals": [{"date": "2025-01-02", "referrer": "kind-en-gezn"}],
            "flags": ["no-such-flag"]}
    refused = sorted((tuple(e.absolute_path), e.validator) for e in family.iter_errors(data))
    assert refused == [(("flags", 0), "enum"), (("referrals", 0, "referrer"), "enum")]
    data["referrals"][0]["referrer"] = "eigen-werking"
    data["flags"] = []
    assert [e.message for e in family.iter_errors(data)] == []
    # a decision's reason: a refusal or a withdrawal reason; impact keys: the domains
    refusal, withdrawal = codes["refusal_reasons"][0], codes["withdrawal_reasons"][0]
    decision = json.loads(render("family", codes))["$defs"]["DecisionEvent"]
    reason = next(b for b in decision["properties"]["reason"]["anyOf"] if "enum" in b)
    assert {refusal, withdrawal} <= set(reason["enum"])
    impact = json.loads(render("trajectory", codes))["$defs"]["Impact"]["properties"]
    assert impact["start"]["propertyNames"] == {"enum": sorted(codes["impact_domains"])}
    # without vocabularies (no tree): any code of the right form
    plain = jsonschema.Draft202012Validator(json.loads(render("family")))
    data["referrals"][0]["referrer"] = "kind-en-gezn"
    assert [e.message for e in plain.iter_errors(data)] == []
