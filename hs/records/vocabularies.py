"""The vocabulary registry: every vocabulary of ``records/vocabularies.yaml``, declared once.

Each vocabulary has its English and Dutch name (for messages) and whether its codes are
a closed list that ``hs validate`` checks (``languages`` only gives labels to ISO codes).
Which fields take their codes from a vocabulary is not repeated here: it comes from the
``vocabulary=`` and ``key_vocabulary=`` of the fields in :mod:`hs.records.spec`
(:func:`fields_of`, :data:`VALUE_FIELDS`, :data:`KEY_FIELDS`).

The :class:`hs.records.models.Vocabularies` model (the file) derives from this registry.
Adding a vocabulary: one entry here, the codes in ``records/vocabularies.yaml`` (and
``hs/data/vocabularies.yaml`` for new trees), and ``vocabulary="<name>"`` on the fields
that use it (then ``python -m hs.records.codegen`` for validate's fast path).
"""

from __future__ import annotations

from typing import NamedTuple

from hs.records import spec


class Vocabulary(NamedTuple):
    name: str
    en: str
    nl: str
    checked: bool = True  # hs validate checks that each code used is in it
    required: bool = True  # the file must have it
    steps: bool = False  # entries say whether a step is required (training steps)
    funding: bool = False  # entries say whether a source is public money (funding sources)
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
    Vocabulary("event_kinds", "event kinds", "soorten activiteiten", required=False,
               description="Kinds of volunteer events: info-session, module, intervision, "
               "online, other (optional; a tree without it records no events)."),
    Vocabulary("funding_sources", "funding sources", "inkomstenbronnen", required=False,
               funding=True,
               description="Sources of a location's income (its funding): "
               "flemish-government, local-government, funds, donations, own-services, "
               "other (optional; a tree without it records no funding)."),
    Vocabulary("languages", "languages", "talen", checked=False, required=False,
               description="Labels for language codes (optional)."),
)

BY_NAME: dict[str, Vocabulary] = {v.name: v for v in VOCABULARIES}


def value_fields() -> tuple[tuple[str, tuple[str, ...], str | spec.Chosen], ...]:
    """(kind, field path (list indexes left out), vocabulary or spec.Chosen) of every field
    of the spec whose values are codes, in file order."""
    return tuple((kind, path, f.vocabulary)
                 for kind, k in spec.KINDS.items() for path, f in spec.walk(k.group)
                 if f.vocabulary is not None)


def key_fields() -> tuple[tuple[str, tuple[str, ...], str], ...]:
    """(kind, field path, vocabulary) of every mapping of the spec whose keys are codes."""
    return tuple((kind, path, f.key_vocabulary)
                 for kind, k in spec.KINDS.items() for path, f in spec.walk(k.group)
                 if f.key_vocabulary is not None)


VALUE_FIELDS = value_fields()
KEY_FIELDS = key_fields()


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


# --- the codes of the rows, for hs validate ----------------------------------------------------


class CodeField(NamedTuple):
    """A field of a kind's row whose codes ``hs validate`` checks: where it is in the row
    (``row``: attributes through nested rows, each but the last a tuple of rows), where in
    the file (``file``: field names, list indexes left out), its vocabulary (or the
    vocabularies a sibling chooses), and how it holds codes (``form``: ``one`` code or
    None, a ``list`` of codes, the ``keys`` of a mapping)."""

    kind: str
    row: tuple[str, ...]
    file: tuple[str, ...]
    vocabulary: str | spec.Chosen
    form: str
    optional: bool


def _checked(vocabulary: str | spec.Chosen) -> bool:
    return all(BY_NAME[n].checked for n in names_of(vocabulary))


def name_of(vocabulary: str, lang: str) -> str:
    """A vocabulary's name in a language (``en`` or ``nl``), for messages."""
    v = BY_NAME[vocabulary]
    return v.nl if lang == "nl" else v.en


def _code_fields(kind: str, group: spec.Group, columns: tuple[spec.Col, ...],
                 row: tuple[str, ...], file: tuple[str, ...]) -> list[CodeField]:
    out: list[CodeField] = []
    for col in columns:
        if col.row is not None:
            sub = spec.group_named(group.field(col.path).type[5:-1])
            out.extend(_code_fields(kind, sub, col.columns, (*row, col.name),
                                    (*file, col.path)))
            continue
        if col.encoding == "marshal_pair":
            sub = spec.group_named(group.field(col.path).type)
            out.extend(CodeField(kind, (*row, f"{col.name}_{f.name}"), (*file, col.path, f.name),
                                 f.key_vocabulary, "keys", False)
                       for f in sub.fields if f.key_vocabulary and _checked(f.key_vocabulary))
            continue
        g, parts = group, col.path.split(".")
        for part in parts[:-1]:
            g = spec.group_named(g.field(part).type.removeprefix("list[").removesuffix("]"))
        f = g.field(parts[-1])
        here, there = (*row, col.name), (*file, *parts)
        if f.vocabulary is not None and _checked(f.vocabulary):
            form = "list" if f.type.startswith("list[") else "one"
            out.append(CodeField(kind, here, there, f.vocabulary, form,
                                 f.type.endswith(" | None")))
        if f.key_vocabulary is not None and _checked(f.key_vocabulary):
            out.append(CodeField(kind, here, there, f.key_vocabulary, "keys", False))
    return out


def _file_order(kind: str) -> dict[tuple[str, ...], int]:
    return {path: i for i, (path, _) in enumerate(spec.walk(spec.KINDS[kind].group))}


def code_fields() -> dict[str, tuple[CodeField, ...]]:
    """Per kind, the row fields whose codes hs validate checks, in the order of the file."""
    out: dict[str, tuple[CodeField, ...]] = {}
    for kind, k in spec.KINDS.items():
        order = _file_order(kind)
        found = _code_fields(kind, k.group, k.row.columns, (), ())
        out[kind] = tuple(sorted(found, key=lambda c: order[c.file]))
    return out


CODE_FIELDS = code_fields()


def chosen_vocabulary(kind: str, path: tuple[str, ...], choice: str) -> str:
    """The vocabulary a field takes when its sibling says ``choice`` (a decision's reason
    when the decision is ``refused``: refusal_reasons); KeyError if none."""
    found = value_vocabulary(kind, path)
    if not isinstance(found, spec.Chosen):
        raise KeyError((kind, path))
    return found.vocabularies[choice]
