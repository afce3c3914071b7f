"""The vocabulary registry: every vocabulary once, the fields that use one from the spec,
and a new vocabulary picked up by validate, the labels and the messages from one registry
entry and one ``vocabulary=`` in the spec."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML
from typer.testing import CliRunner

from hs.app import workflow
from hs.app.validation import validate_tree
from hs.base import i18n
from hs.base.errors import UnknownCode
from hs.base.i18n import language, set_language
from hs.cli import app
from hs.records import codegen, labels, models, spec, vocabularies
from hs.records.index import FamilyRow, Index
from hs.records.problems import Problem
from hs.records.vocabularies import (
    BY_NAME,
    CODE_FIELDS,
    FIXED,
    VOCABULARIES,
    AmbiguousCode,
    Vocabulary,
    fields_of,
    fold,
    parse_code,
)
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
    assert labels.vocabulary_at("family", ("referrals", "referrer"), {}) == "referrers"
    assert labels.vocabulary_at("family", ("referrals", "decisions", "reason"),
                             {"decision": "withdrawn"}) == "withdrawal_reasons"
    assert labels.vocabulary_at("family", ("referrals", "decisions", "reason"),
                             {"decision": "accepted"}) is None
    assert labels.vocabulary_at("volunteer", ("preferences",), {}) == "volunteer_preferences"
    assert labels.vocabulary_at("family", ("preferences",), {}) is None
    assert labels.vocabulary_at("volunteer", ("languages",), {}) == "languages"
    assert labels.vocabulary_at("volunteer", ("training", "basis"), {}) is None


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
    assert labels.vocabulary_at("family", ("municipality",), {}) == "municipalities"
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


# --- the one reader of codes -------------------------------------------------------------


TREE = {
    "referrers": {"kind-en-gezin": {"nl": "Kind en Gezin", "en": "Kind en Gezin (agency)"},
                  "huis-van-het-kind": {"nl": "Huis van het Kind", "en": "Family centre"},
                  "huisarts": {"nl": "Huisarts", "en": "General practitioner"},
                  "self": {"nl": "Gezin zelf", "en": "The family itself"}},
    "training_steps": {"module-resilience": {"nl": "Module: veerkracht", "en": "M1"},
                       "module-attitude": {"nl": "Module: basishouding", "en": "M2"},
                       "info-session": {"nl": "Infosessie", "en": "Info session"}},
}


@pytest.mark.parametrize(("text", "name", "code"), [
    ("kind-en-gezin", "referrers", "kind-en-gezin"),
    ("Kind en Gezin", "referrers", "kind-en-gezin"),
    ("KIND EN GEZIN", "referrers", "kind-en-gezin"),
    ("general practitioner", "referrers", "huisarts"),
    ("gezin zelf", "referrers", "self"),
    ("infosessie", "training_steps", "info-session"),
    ("v", "genders", "f"), ("vrouw", "genders", "f"), ("F", "genders", "f"),
    ("man", "genders", "m"), ("startmaatje", "trajectory_kinds", "starter"),
    ("Gezinsbuddy", "trajectory_kinds", "buddy"), ("taalmaatje", "trajectory_kinds", "language"),
    ("maandag-vm", "half_days", "mon-am"), ("maandagvoormiddag", "half_days", "mon-am"),
    ("do-nm", "half_days", "thu-pm"), ("Donderdag namiddag", "half_days", "thu-pm"),
    ("wachtend", "family_statuses", "waiting"), ("in traject", "family_statuses",
                                                 "in-trajectory"),
    ("afstemmingsgesprek", "review_kinds", "six-month"), ("geweigerd", "decisions", "refused"),
    ("Ingetrokken", "decisions", "withdrawn"), ("afgesloten", "trajectory_statuses", "closed"),
    ("huis van", "referrers", "huis-van-het-kind"),  # a unique beginning
])
def test_a_code_its_labels_and_aliases(text: str, name: str, code: str) -> None:
    assert parse_code(text, name, TREE) == code


def test_accents_are_ignored() -> None:
    tree = {"languages": {"uk": {"nl": "Oekraïens", "en": "Ukrainian"}}}
    assert parse_code("oekraiens", "languages", tree) == "uk"


def test_ambiguity_is_refused_with_the_candidates() -> None:
    with pytest.raises(AmbiguousCode) as err:
        parse_code("module", "training_steps", TREE)
    assert str(err.value) == ("'module' could be several codes of training steps: "
                              "module-resilience, module-attitude; type one of them")
    with pytest.raises(AmbiguousCode, match="huis-van-het-kind, huisarts"):
        parse_code("hui", "referrers", TREE)


def test_an_unknown_code_names_the_nearest_in_one_line(monkeypatch: pytest.MonkeyPatch
                                                      ) -> None:
    with pytest.raises(UnknownCode) as err:
        parse_code("kind-en-gezn", "referrers", TREE)
    assert str(err.value) == ("'kind-en-gezn' is not a code of referrers; did you mean "
                              "'kind-en-gezin'? (valid: kind-en-gezin, huis-van-het-kind, "
                              "huisarts, self)")
    monkeypatch.setenv("HS_LANG", "nl")
    monkeypatch.setattr(i18n, "_current", None)
    with pytest.raises(UnknownCode) as err:
        parse_code("Kind en Gezn", "referrers", TREE)  # not the form of a code: not repeated
    # in Dutch the codes by their Dutch labels (the reader takes those too)
    assert str(err.value) == ("de gegeven waarde is geen code van verwijzers; bedoelde je "
                              "'Kind en Gezin'? (geldig: Kind en Gezin, Huis van het Kind, "
                              "Huisarts, Gezin zelf)")


def test_every_closed_list_is_its_enumeration() -> None:
    from hs.records import enums
    from hs.rules import lifecycle

    codes = {name: tuple(c.code for c in FIXED[name]) for name in FIXED}
    assert codes["genders"] == enums.GENDERS
    assert codes["trajectory_kinds"] == enums.TRAJECTORY_KINDS
    assert codes["review_kinds"] == enums.REVIEW_KINDS
    assert codes["decisions"] == enums.DECISIONS
    assert codes["half_days"] == enums.HALF_DAYS
    assert set(codes["family_statuses"]) == set(lifecycle.FAMILY_STATUSES) - {"unknown"}
    assert set(codes["volunteer_statuses"]) == set(lifecycle.VOLUNTEER_STATUSES)
    assert set(codes["trajectory_statuses"]) == set(lifecycle.TRAJECTORY_STATUSES)
    for name, options in FIXED.items():  # no word names two codes of one list
        words: dict[str, str] = {}
        for c in options:
            for w in {fold(x) for x in (c.code, c.en, c.nl, *c.aliases)}:
                assert words.setdefault(w, c.code) == c.code, (name, w)


#: The training steps as hs/data/vocabularies.yaml declares them for a new tree.
NEW_TREE: dict[str, Any] = YAML(typ="safe").load(
    (Path(__file__).parents[2] / "hs" / "data" / "vocabularies.yaml").read_text())


@pytest.mark.parametrize(("text", "code"), [
    ("module-veerkracht", "module-resilience"), ("veerkracht", "module-resilience"),
    ("module-basishouding", "module-attitude"), ("basishouding", "module-attitude"),
    ("module-netwerk", "module-network"), ("netwerk", "module-network"),
    ("kennismaking", "get-to-know"), ("infosessie", "info-session"),
])
def test_training_steps_typed_the_dutch_way(text: str, code: str) -> None:
    """Review 2 #15: a module named by its theme, with or without "module-"."""
    assert parse_code(text, "training_steps", NEW_TREE) == code


def test_the_labels_shared_first_word_is_no_reason_to_suggest(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Every module's label begins "Module: ": "module-veerkracht" is read without it (also
    in a tree without the aliases), and a slip is ranked without it (not 'Krachtgericht
    werken aan netwerk' for its "kracht")."""
    monkeypatch.setenv("HS_LANG", "nl")
    monkeypatch.setattr(i18n, "_current", None)
    old = {"training_steps": {
        code: {k: v for k, v in entry.items() if k != "aliases"}
        for code, entry in NEW_TREE["training_steps"].items()}}
    assert parse_code("module-veerkracht", "training_steps", old) == "module-resilience"
    with pytest.raises(UnknownCode) as err:
        parse_code("module-veerkrakt", "training_steps", NEW_TREE)
    assert str(err.value).startswith(
        "'module-veerkrakt' is geen code van vormingsstappen; bedoelde je 'Module: Werken "
        "aan veerkracht in gezinnen'? (geldig: ")
