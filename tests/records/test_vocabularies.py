"""The vocabulary registry: every vocabulary once, the fields that use one from the spec,
and a new vocabulary picked up by validate, the labels and the messages from one registry
entry and one ``vocabulary=`` in the spec."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from hs.app import workflow
from hs.app.validation import validate_tree
from hs.base.errors import UnknownCode
from hs.base.i18n import language, set_language
from hs.cli import app, views
from hs.records import codegen, models, spec, vocabularies
from hs.records.index import FamilyRow, Index
from hs.records.problems import Problem
from hs.records.vocabularies import BY_NAME, CODE_FIELDS, VOCABULARIES, Vocabulary, fields_of
from hs.rules import checks


def test_the_file_model_has_every_vocabulary_of_the_registry() -> None:
    fields = models.Vocabularies.model_fields
    assert [n for n in fields if n != "schema_version"] == [v.name for v in VOCABULARIES]
    assert [n for n in fields if n != "schema_version" and fields[n].is_required()] == [
        v.name for v in VOCABULARIES if v.required]


def test_fields_of_a_vocabulary_come_from_the_spec() -> None:
    assert fields_of("referrers") == [("family", ("referrals", "referrer"))]
    assert fields_of("refusal_reasons") == [("family", ("referrals", "decisions", "reason"))]
    assert fields_of("languages") == [("family", ("languages",)), ("volunteer", ("languages",))]
    assert fields_of("training_steps") == [("event", ("step",)), ("volunteer", ("training",))]
    assert fields_of("signal_themes") == [("family", ("signals", "theme"))]
    assert fields_of("event_kinds") == [("event", ("kind",))]
    assert fields_of("funding_sources") == [("location", ("funding",))]
    assert fields_of("impact_domains") == [("trajectory", ("impact", "start")),
                                           ("trajectory", ("impact", "end"))]
    for v in VOCABULARIES:  # every vocabulary is used by a field
        assert fields_of(v.name), v.name


def test_every_checked_code_field_is_in_its_row() -> None:
    """hs validate checks codes on the rows: a field with a checked vocabulary that is not
    in its kind's row could not be checked (put it in the row's columns)."""
    in_rows = {(c.kind, c.file) for fields in CODE_FIELDS.values() for c in fields}
    for kind, path in {(k, p) for v in VOCABULARIES if v.checked for k, p in fields_of(v.name)}:
        assert (kind, path) in in_rows, (kind, path)


def test_views_label_the_fields_the_spec_names() -> None:
    assert views._vocabulary("family", ("referrals", "referrer"), {}) == "referrers"
    assert views._vocabulary("family", ("referrals", "decisions", "reason"),
                             {"decision": "withdrawn"}) == "withdrawal_reasons"
    assert views._vocabulary("family", ("referrals", "decisions", "reason"),
                             {"decision": "accepted"}) is None
    assert views._vocabulary("volunteer", ("preferences",), {}) == "volunteer_preferences"
    assert views._vocabulary("family", ("preferences",), {}) is None
    assert views._vocabulary("volunteer", ("languages",), {}) == "languages"
    assert views._vocabulary("volunteer", ("training", "basis"), {}) is None


class _At:
    def problem(self, rel: str, loc: tuple[str | int, ...], code: str, msg: str,
                severity: str = "error", value: bool = True) -> Problem:
        return Problem(rel, len(loc), 1, code, f"{'.'.join(map(str, loc))}: {msg}")

    def exists(self, rel: str) -> bool:
        return True


def test_a_new_vocabulary_is_a_registry_entry_and_a_field_of_the_spec(
        monkeypatch: pytest.MonkeyPatch) -> None:
    new = Vocabulary("municipalities", "municipalities", "gemeenten")
    family = spec.FAMILY._replace(fields=tuple(
        f._replace(vocabulary="municipalities") if f.name == "municipality" else f
        for f in spec.FAMILY.fields))
    monkeypatch.setitem(spec.KINDS, "family", spec.KINDS["family"]._replace(group=family))
    monkeypatch.setattr(vocabularies, "VOCABULARIES", (*VOCABULARIES, new))
    monkeypatch.setitem(BY_NAME, "municipalities", new)
    # what derives from the spec and the registry, derived again
    monkeypatch.setattr(vocabularies, "VALUE_FIELDS", vocabularies.value_fields())
    fields = vocabularies.code_fields()
    generated: dict[str, Any] = {}
    exec(compile(codegen.codes_source(fields), "rowcodes.py", "exec"), generated)
    monkeypatch.setattr(checks, "CODE_FIELDS", fields)
    monkeypatch.setattr(checks, "CODES_KNOWN", generated["CODES_KNOWN"])

    # the file: the vocabularies model has it
    assert "municipalities" in models.vocabularies_model(vocabularies.VOCABULARIES).model_fields
    # hs validate: an unknown municipality is an unknown code, a known one is not
    label = {"nl": "x", "en": "x"}
    voc = {"referrers": {"self": label}, "municipalities": {"leuven": label}}
    rows = {rid: FamilyRow.from_data(rid, {
        "location": "leuven", "municipality": town,
        "referrals": [{"date": "2025-01-01", "referrer": "self"}]})
        for rid, town in (("f0000000a", "leuven"), ("f0000000b", "lueven"))}
    index = Index(families=rows, vocabularies=voc,
                  paths={rid: f"records/families/{rid}.yaml" for rid in rows})
    found = checks._code_problems(_At(), index, 0)
    assert [(p.path, p.message) for p in found] == [
        ("records/families/f0000000b.yaml",
         "municipality: 'lueven' is not a code of municipalities; did you mean 'leuven'?")]
    # hs show's labels
    assert views._vocabulary("family", ("municipality",), {}) == "municipalities"
    # the workflow's messages name it in the user's language
    before = language()
    try:
        set_language("nl")
        with pytest.raises(UnknownCode, match="geen code van gemeenten"):
            workflow.check_code(index, "municipalities", "lueven")
    finally:
        set_language(before)


def test_funding_sources_are_checked_and_labelled(empty_repo: Path) -> None:
    """A location's funding keys are codes of funding_sources: hs validate names an
    unknown one (at its line), the figures show the labels."""
    loc = empty_repo / "records" / "locations" / "leuven.yaml"
    loc.write_text(loc.read_text(encoding="utf-8")
                   + "funding:\n  local-government: 30000\n  gifts: 5000\n", encoding="utf-8")
    found = [(p.path, p.line, p.message) for p in validate_tree(empty_repo).problems
             if p.code == "unknown-code"]
    assert found == [("records/locations/leuven.yaml", 9, "'gifts' is not a code of "
                      "funding_sources; valid: flemish-government, local-government, funds, "
                      "donations, own-services, other")]
    result = CliRunner().invoke(app, ["--lang", "nl", "kpi", "--year", "2025", "--format",
                                      "plain", "--repo", str(empty_repo)])
    assert "Inkomsten: Lokale besturen" in result.stdout
    # public: true in the vocabulary makes the report's public and private shares
    assert re.search(r"\nInkomsten: Publiek +85,7%\nInkomsten: Privaat +14,3%\n",
                     result.stdout)
