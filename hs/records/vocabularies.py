"""The vocabulary registry: every vocabulary of ``records/vocabularies.yaml``, declared once.

Each vocabulary has its English and Dutch name (for messages) and whether its codes are
a closed list that ``hs validate`` checks (``languages`` only gives labels to ISO codes).
Which fields take their codes from a vocabulary is not repeated here: it comes from the
``vocabulary=`` and ``key_vocabulary=`` of the fields in :mod:`hs.records.spec`
(:func:`fields_of`, :data:`VALUE_FIELDS`, :data:`KEY_FIELDS`).

The :class:`hs.records.models.Vocabularies` model (the file) derives from this registry.
Adding a vocabulary: one entry here, the codes in ``records/vocabularies.yaml`` (and
``hs/data/vocabularies.yaml`` for new trees), and ``vocabulary="<name>"`` on the fields
that use it.
"""

from __future__ import annotations

from dataclasses import dataclass

from hs.records import spec


@dataclass(frozen=True)
class Vocabulary:
    name: str
    en: str
    nl: str
    checked: bool = True  # hs validate checks that each code used is in it
    required: bool = True  # the file must have it
    steps: bool = False  # entries say whether a step is required (training steps)
    description: str | None = None


VOCABULARIES: tuple[Vocabulary, ...] = (
    Vocabulary("referrers", "referrers", "verwijzers"),
    Vocabulary("refusal_reasons", "refusal reasons", "weigeringsredenen"),
    Vocabulary("withdrawal_reasons", "withdrawal reasons", "redenen van afhaken"),
    Vocabulary("close_reasons", "close reasons", "afsluitredenen"),
    Vocabulary("stop_reasons", "volunteer stop reasons", "stopredenen van vrijwilligers"),
    Vocabulary("profile_flags", "profile flags", "profielkenmerken"),
    Vocabulary("impact_domains", "impact domains", "impactdomeinen"),
    Vocabulary("signal_themes", "signal themes", "signaalthema's"),
    Vocabulary("training_steps", "training steps", "vormingsstappen", steps=True),
    Vocabulary("volunteer_preferences", "volunteer preferences",
               "voorkeuren van vrijwilligers"),
    Vocabulary("languages", "languages", "talen", checked=False, required=False,
               description="Labels for language codes (optional)."),
)

BY_NAME: dict[str, Vocabulary] = {v.name: v for v in VOCABULARIES}

#: (kind, field path (list indexes left out), vocabulary or spec.Chosen) of every field
#: whose values are codes, in file order.
VALUE_FIELDS: tuple[tuple[str, tuple[str, ...], str | spec.Chosen], ...] = tuple(
    (kind, path, f.vocabulary)
    for kind, k in spec.KINDS.items() for path, f in spec.walk(k.group)
    if f.vocabulary is not None)

#: (kind, field path, vocabulary) of every mapping whose keys are codes.
KEY_FIELDS: tuple[tuple[str, tuple[str, ...], str], ...] = tuple(
    (kind, path, f.key_vocabulary)
    for kind, k in spec.KINDS.items() for path, f in spec.walk(k.group)
    if f.key_vocabulary is not None)


def names_of(vocabulary: str | spec.Chosen) -> tuple[str, ...]:
    return (vocabulary,) if isinstance(vocabulary, str) else tuple(
        vocabulary.vocabularies.values())


def fields_of(name: str) -> list[tuple[str, tuple[str, ...]]]:
    """The fields (kind, path) that take their codes (values or keys) from a vocabulary."""
    return [(kind, path) for kind, path, voc in (*VALUE_FIELDS, *KEY_FIELDS)
            if name in names_of(voc)]


def value_vocabulary(kind: str, path: tuple[str, ...]) -> str | spec.Chosen | None:
    """The vocabulary of the values of a field of a kind (path without list indexes)."""
    for k, p, voc in VALUE_FIELDS:
        if k == kind and p == path:
            return voc
    return None


def field_vocabulary(kind: str, path: tuple[str, ...], *, key: bool = False) -> str:
    """The one vocabulary of a field (of its keys with ``key``); KeyError if none."""
    for k, p, voc in KEY_FIELDS if key else VALUE_FIELDS:
        if k == kind and p == path and isinstance(voc, str):
            return voc
    raise KeyError((kind, path))


def message_names() -> dict[str, tuple[str, str]]:
    """``v-<name>`` -> (English, Dutch) name of each vocabulary, for message catalogs."""
    return {f"v-{v.name}": (v.en, v.nl) for v in VOCABULARIES}
