"""Sealed values: AEAD tokens bound to a record and a field, readable as plain YAML, and
taken by the models and the spec validator for personal fields without a key."""

from __future__ import annotations

import pytest

from hs.records import sealed
from hs.records.models import KIND_MODELS
from hs.records.validate import surely_valid
from hs.store.yamlio import _line_load, load_plain

KEY = bytes(range(32))
FAMILY = {"location": "leuven", "referrals": [{"date": "2025-01-06", "referrer": "self"}]}


def test_a_token_opens_with_its_key_record_and_field_only() -> None:
    token = sealed.seal(KEY, "f23456789", "name", "Zebedeüs Quackenbush")
    assert sealed.is_sealed(token) and token.startswith("hs1:")
    assert "Zebedeüs" not in token
    assert sealed.open(KEY, "f23456789", "name", token) == "Zebedeüs Quackenbush"
    for key, rid, path in ((sealed.new_key(), "f23456789", "name"),
                           (KEY, "f23456780", "name"), (KEY, "f23456789", "note")):
        with pytest.raises(sealed.Unopenable):
            sealed.open(key, rid, path, token)
    damaged = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    with pytest.raises(sealed.Unopenable):
        sealed.open(KEY, "f23456789", "name", damaged)


def test_each_seal_is_new_but_is_sealed_needs_no_key() -> None:
    a = sealed.seal(KEY, "f23456789", "note", "same")
    b = sealed.seal(KEY, "f23456789", "note", "same")
    assert a != b  # a random nonce: equal texts do not show as equal tokens
    assert [sealed.is_sealed(x) for x in (a, "hs1:short", "Fatima", 3, None)] == [
        True, False, False, False, False]


def test_a_token_is_a_plain_scalar_that_every_reader_takes_as_text() -> None:
    token = sealed.seal(KEY, "f23456789", "note", "x" * 2000)
    text = f"schema_version: 1\nname: {token}\nsignals:\n- date: 2025-01-01\n  note: {token}\n"
    expected = {"schema_version": 1, "name": token,
                "signals": [{"date": "2025-01-01", "note": token}]}
    assert _line_load(text) == expected  # the fast line reader, as ruamel.yaml
    assert load_plain(text) == expected


def test_personal_fields_take_tokens_without_a_key_and_other_fields_do_not() -> None:
    long_note = sealed.seal(KEY, "f23456789", "note", "n" * 2000)  # longer than a Note
    data = {**FAMILY, "name": long_note, "note": long_note,
            "signals": [{"date": "2025-02-01", "theme": "housing", "note": long_note}]}
    assert surely_valid("family", data)
    KIND_MODELS["family"].model_validate(data)
    wrong = {**FAMILY, "municipality": long_note}  # not personal: a Text of 200 at most
    assert not surely_valid("family", wrong)
    with pytest.raises(ValueError):
        KIND_MODELS["family"].model_validate(wrong)
