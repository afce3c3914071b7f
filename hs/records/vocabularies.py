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

import difflib
import re
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from hs.base.errors import UnknownCode
from hs.base.i18n import Catalog, language
from hs.records import enums, spec
from hs.records.problems import quotable


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


# --- the closed lists: labels and aliases ------------------------------------------------


class Fixed(NamedTuple):
    """A code of a closed list (:mod:`hs.records.enums`, or a status hs computes), with its
    English and Dutch label and the other words a coordinator types for it."""

    code: str
    en: str
    nl: str
    aliases: tuple[str, ...] = ()


_DAY_WORDS = {"mon": ("Monday", "maandag", "ma"), "tue": ("Tuesday", "dinsdag", "di"),
              "wed": ("Wednesday", "woensdag", "wo"), "thu": ("Thursday", "donderdag", "do"),
              "fri": ("Friday", "vrijdag", "vr"), "sat": ("Saturday", "zaterdag", "za"),
              "sun": ("Sunday", "zondag", "zo")}
_PART_WORDS = {"am": ("morning", "voormiddag", "vm"), "pm": ("afternoon", "namiddag", "nm")}


def _half_days() -> tuple[Fixed, ...]:
    out = []
    for code in enums.HALF_DAYS:
        day, part = code.split("-")
        d_en, d_nl, d_short = _DAY_WORDS[day]
        p_en, p_nl, p_short = _PART_WORDS[part]
        out.append(Fixed(code, f"{d_en} {p_en}", f"{d_nl}{p_nl}",
                         (f"{d_nl}-{p_short}", f"{d_short}-{p_short}", f"{d_nl}-{p_nl}",
                          f"{d_en.lower()}-{part}", f"{d_en.lower()}-{p_en}")))
    return tuple(out)


def _enum(name: str, aliases: Mapping[str, tuple[str, ...]]) -> tuple[Fixed, ...]:
    """A closed enumeration of :mod:`hs.records.enums` whose labels are in the message
    catalogues (:func:`hs.records.enums.label`, for sentences too), with its aliases."""
    return tuple(Fixed(code, enums.label(name, code, "en"), enums.label(name, code, "nl"),
                       aliases.get(code, ())) for code in getattr(enums, name.upper()))


#: The closed lists, by name: the one place their aliases are declared, and the labels of
#: those that are not enumerations with catalogue labels (:func:`_enum`).
FIXED: dict[str, tuple[Fixed, ...]] = {
    "genders": (Fixed("f", "female", "vrouw", ("v", "w", "woman", "vrouwelijk")),
                Fixed("m", "male", "man", ("mannelijk",)),
                Fixed("x", "other", "x", ("anders", "non-binary", "non-binair"))),
    "trajectory_kinds": _enum("trajectory_kinds", {"buddy": ("family buddy",)}),
    "review_kinds": _enum("review_kinds", {"start": ("opstart",),
                                           "six-month": ("zes-maanden",),
                                           "other": ("andere",)}),
    "decisions": _enum("decisions", {"withdrawn": ("ingetrokken",)}),
    "half_days": _half_days(),
    "family_statuses": (Fixed("referred", "referred", "aangemeld"),
                        Fixed("refused", "refused", "geweigerd"),
                        Fixed("withdrawn", "withdrawn", "afgehaakt"),
                        Fixed("waiting", "waiting", "wachtend", ("wachtlijst",)),
                        Fixed("in-trajectory", "in trajectory", "in traject"),
                        Fixed("closed", "closed", "afgesloten")),
    "volunteer_statuses": (Fixed("candidate", "candidate", "kandidaat"),
                           Fixed("active", "active", "actief"),
                           Fixed("stopped", "stopped", "gestopt")),
    "trajectory_statuses": (Fixed("planned", "planned", "gepland"),
                            Fixed("active", "active", "actief"),
                            Fixed("closed", "closed", "afgesloten")),
}

#: Names of the closed lists in messages (English, Dutch).
FIXED_NAMES: dict[str, tuple[str, str]] = {
    "genders": ("genders", "genders"),
    "trajectory_kinds": ("trajectory kinds", "trajectsoorten"),
    "review_kinds": ("review kinds", "soorten gesprekken"),
    "decisions": ("decisions", "beslissingen"),
    "half_days": ("half-days", "dagdelen"),
    "family_statuses": ("family statuses", "statussen van gezinnen"),
    "volunteer_statuses": ("volunteer statuses", "statussen van vrijwilligers"),
    "trajectory_statuses": ("trajectory statuses", "statussen van trajecten"),
}

_M = Catalog("records.vocabularies")

class AmbiguousCode(UnknownCode):
    """A text that names several codes of a vocabulary (the message lists them)."""


MIN_PREFIX = 3  # a prefix of a code or label shorter than this is never guessed


def fold(text: str) -> str:
    """A word as it is compared: lower case, no accents, every run of spaces and
    punctuation as one ``-`` (``"Kind en Gezin"`` and ``kind-en-gezin`` fold alike)."""
    plain = unicodedata.normalize("NFKD", text.strip().lower())
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    return re.sub(r"[\W_]+", "-", plain).strip("-")


def vocabulary_label(name: str, lang: str) -> str:
    """A vocabulary's or closed list's name in a language, for messages."""
    if name in FIXED_NAMES:
        en, nl = FIXED_NAMES[name]
        return nl if lang == "nl" else en
    return name_of(name, lang) if name in BY_NAME else name


def choices(name: str, vocabularies: Mapping[str, Any] | None = None) -> tuple[Fixed, ...]:
    """The codes of a vocabulary with their labels and aliases: a closed list of
    :data:`FIXED`, or a vocabulary of the tree's ``vocabularies.yaml`` (``vocabularies``:
    the file's data, as the index holds it)."""
    if name in FIXED:
        return FIXED[name]
    out = []
    for code, entry in ((vocabularies or {}).get(name) or {}).items():
        entry = entry if isinstance(entry, Mapping) else {}
        out.append(Fixed(str(code), str(entry.get("en", code)), str(entry.get("nl", code)),
                         tuple(str(a) for a in entry.get("aliases", ()) or ())))
    return tuple(out)


def label(name: str, code: str, lang: str,
          vocabularies: Mapping[str, Any] | None = None) -> str:
    """The label of a code in a language (the code itself if it has none)."""
    for c in choices(name, vocabularies):
        if c.code == code:
            return c.nl if lang == "nl" else c.en
    return code


def _quoted(text: str) -> str:
    return f"'{text}'" if quotable(text, "code") else _M("not-shown")


def _found(words: Mapping[str, set[str]], key: str) -> set[str]:
    """The codes whose folded word is ``key``, else begins with it, else has it as a word."""
    found = set(words.get(key, set()))
    if not found and len(key) >= MIN_PREFIX:
        found = {code for word, cs in words.items() if word.startswith(key) for code in cs}
    if not found and len(key) > MIN_PREFIX:  # a word within a label ("basishouding")
        found = {code for word, cs in words.items() if f"-{key}" in f"-{word}"
                 for code in cs}
    return found


def _common_prefixes(options: Sequence[Fixed]) -> tuple[str, ...]:
    """First words (folded, with their ``-``) that labels of half the codes (two or more)
    begin with and go on after, as ``module-`` of "Module: Werken aan veerkracht in
    gezinnen" (not ``monday-`` of the fourteen half-days)."""
    codes_by_first: dict[str, set[str]] = {}
    for c in options:
        for text in (c.en, c.nl):
            head, dash, rest = fold(text).partition("-")
            if dash and rest:
                codes_by_first.setdefault(head + "-", set()).add(c.code)
    least = max(2, (len(options) + 1) // 2)
    return tuple(sorted(p for p, cs in codes_by_first.items() if len(cs) >= least))


def _bare(word: str, prefixes: Sequence[str]) -> str:
    """``word`` without a shared first word (``module-veerkracht`` -> ``veerkracht``)."""
    for prefix in prefixes:
        if word.startswith(prefix) and len(word) > len(prefix):
            return word[len(prefix):]
    return word


def parse_code(text: str, name: str, vocabularies: Mapping[str, Any] | None = None) -> str:
    """The code ``text`` names in vocabulary ``name``: the code itself, its Dutch or
    English label or an alias (case, accents and ``-``/space ignored), else a unique
    beginning of one of them, else a unique beginning of a word within a label. Raises
    :class:`hs.base.errors.UnknownCode` for none (with the nearest code) and
    :class:`AmbiguousCode` for several (listing them); the text is quoted only when it has the
    form of a code (a name typed in the wrong place is never repeated)."""
    options = choices(name, vocabularies)
    codes = [c.code for c in options]
    if text in codes:
        return text
    key = fold(text)
    words: dict[str, set[str]] = {}
    for c in options:
        for word in (c.code, c.en, c.nl, *c.aliases):
            words.setdefault(fold(word), set()).add(c.code)
    found = _found(words, key)
    prefixes = _common_prefixes(options)
    bare = _bare(key, prefixes)
    if not found and bare != key:  # "module-veerkracht": the labels' "Module: " dropped
        found = _found(words, bare)
    if len(found) == 1:
        return next(iter(found))
    lang = language()
    vocab = vocabulary_label(name, lang)
    # in Dutch the codes are named by their Dutch labels (the reader takes those too)
    said = {c.code: (c.nl if lang == "nl" and c.nl else c.code) for c in options}
    if found:
        raise AmbiguousCode(_M("ambiguous", code=_quoted(text), vocab=vocab,
                             candidates=", ".join(said[c] for c in codes if c in found)))
    # ranked without the prefix the labels share ("Module: "): it says nothing of which
    bare_words = {word: set(cs) for word, cs in words.items()}
    for word, cs in words.items():
        bare_words.setdefault(_bare(word, prefixes), set()).update(cs)
    near = difflib.get_close_matches(bare, list(bare_words), n=1, cutoff=0.6)
    hint = ""
    if near:
        hint = _M("near", code=said[sorted(bare_words[near[0]], key=codes.index)[0]])
    raise UnknownCode(_M("unknown", code=_quoted(text), vocab=vocab, near=hint,
                         valid=", ".join(said[c] for c in codes)))
