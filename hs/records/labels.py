"""What a person reads for a record's fields and codes: a field's label (one per field
name, in English and Dutch: ``referrer`` is "aanmelder" wherever it occurs) and a value's
label (a vocabulary code's label from the repository's vocabularies, a closed list's
from :data:`hs.records.vocabularies.FIXED`). ``hs show`` and ``hs dossier`` read
them; the machine formats (JSON) keep the keys and codes.

The labels are keyed by the spec's field names; ``tests/records/test_labels.py`` checks
that every field of :mod:`hs.records.spec` has one."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from hs.base.i18n import Catalog, language
from hs.records import spec
from hs.records.index import Index
from hs.records.vocabularies import FIXED, field_vocabulary, value_vocabulary

FIELDS = Catalog("records.labels")

#: The closed lists whose codes have labels (:data:`hs.records.vocabularies.FIXED`), by
#: the spec's type name.
_ENUM_LABELS = {"Gender": "genders", "TrajectoryKind": "trajectory_kinds",
                "Decision": "decisions", "ReviewKind": "review_kinds", "HalfDay": "half_days"}
_TYPE_NAME = re.compile(r"^(?:list\[)?(\w+)")


def field_label(name: str, lang: str | None = None) -> str:
    """The label of a field (by its name) in ``lang`` (default: the current language);
    the name itself for a key the spec does not declare (a mapping's key)."""
    return FIELDS.say(lang or language(), name) if name in FIELDS else name


@cache
def _enums(kind: str) -> dict[tuple[str, ...], str]:
    """The enumeration (its LABELS name) of each field of a kind that holds one."""
    out: dict[tuple[str, ...], str] = {}
    group = spec.KINDS[kind].group if kind in spec.KINDS else None
    if group is None:
        return out
    for path, f in spec.walk(group):
        m = _TYPE_NAME.match(f.type)
        if m and m.group(1) in _ENUM_LABELS:
            out[path] = _ENUM_LABELS[m.group(1)]
    return out


def vocabulary_at(kind: str, path: tuple[str, ...], parent: dict[str, Any]) -> str | None:
    """The vocabulary of a value at ``path`` (field names, list indexes left out) of a
    record of ``kind``, from the spec's ``vocabulary=`` (a decision's reason: the one its
    decision chooses)."""
    found = value_vocabulary(kind, path)
    if isinstance(found, spec.Chosen):
        return found.vocabularies.get(str(parent.get(found.by)))
    return found


def label_of(index: Index, vocabulary: str, code: str, lang: str | None = None) -> str:
    """The label of a code of a vocabulary of the repository or of a closed list
    (:data:`hs.records.vocabularies.FIXED`) in ``lang``; the code itself if it has none."""
    lang = lang or language()
    if vocabulary in FIXED:
        for fixed in FIXED[vocabulary]:
            if fixed.code == code:
                return fixed.nl if lang == "nl" else fixed.en
        return code
    return index.label(vocabulary, code, lang)


def value_label(index: Index, kind: str, path: tuple[str, ...], parent: dict[str, Any],
                code: str, lang: str | None = None) -> str:
    """The label of the code ``code`` at ``path`` of a record (its vocabulary's, or its
    closed enumeration's), in ``lang``; the code itself where it has none."""
    lang = lang or language()
    vocab = vocabulary_at(kind, path, parent)
    if vocab is not None:
        return index.label(vocab, code, lang)
    enum = _enums(kind).get(path)
    return label_of(index, enum, code, lang) if enum is not None else code


def key_label(index: Index, kind: str, path: tuple[str, ...], key: str,
              lang: str | None = None) -> str:
    """The label of a mapping's key at ``path`` (a training step, an impact domain, a
    funding source: the field's ``key_vocabulary``), else the key itself."""
    try:
        vocab = field_vocabulary(kind, path, key=True)
    except KeyError:
        return key
    return index.label(vocab, key, lang or language())
