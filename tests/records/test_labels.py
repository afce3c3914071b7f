"""The labels of the record fields: one per field name of the spec, in both languages."""

from __future__ import annotations

from hs.records import labels, spec


def test_every_field_of_the_spec_has_a_label_in_both_languages() -> None:
    names = {f.name for k in spec.KINDS.values() for _, f in spec.walk(k.group)}
    names |= {f.name for g in spec.GROUPS for f in g.fields}
    missing = sorted(n for n in names if n not in labels.FIELDS)
    assert not missing
    for name in names:
        en, nl = labels.field_label(name, "en"), labels.field_label(name, "nl")
        assert en and nl, name
    assert labels.field_label("referrer", "nl") == "aanmelder"
    assert labels.field_label("info-session", "nl") == "info-session"  # not a field


def test_labels_are_only_the_spec_fields() -> None:
    """No label for a field the spec does not have (one declaration per fact)."""
    names = {f.name for k in spec.KINDS.values() for _, f in spec.walk(k.group)}
    names |= {f.name for g in spec.GROUPS for f in g.fields}
    assert set(labels.FIELDS.messages) == names
