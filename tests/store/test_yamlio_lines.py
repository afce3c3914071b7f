"""The line reader reads exactly what ruamel.yaml (YAML 1.2) reads, or gives up.

``hs.store.yamlio`` reads the plainest record files line by line, in Python, before rapidyaml
and ruamel.yaml are tried (see the comment above ``_line_load``). The guarantee: whatever
it takes, it reads as the exact reader does (``plain(load_document(text))``), and what it
gives up on goes on to rapidyaml and ruamel.yaml as before. Shown here:

* hand-picked texts where YAML readers differ (``no``, ``on``, ``0470123456``, ``1_000``,
  ``0o17``, ``.inf``, ``~``, dates, ``2025-1-5``, quotes, flow lists, comments after
  values, ``#`` and ``: `` inside values, trailing spaces, tabs, a BOM, odd indentation,
  duplicate keys): each is either read as ruamel.yaml reads it or left alone;
* property tests (hypothesis) on generated block documents in and around the layout it
  reads (random nesting and indentation, lists in the key's column, flow lists, comments,
  blank lines, repeated keys, tricky words), on the generated documents of
  ``tests/store/test_yamlio.py``, and on the demo tree; and it does take ordinary records;
* what it returns is fresh data (nothing shared between two reads that a caller could
  change), and its memory of lines is bounded.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hs.store import yamlio
from hs.store.yamlio import NOT_FAST, YamlIssue, decode, fast_load, load_document, plain
from tests.store.test_yamlio import FAMILY, TRICKY, documents, record_files, tree_cases


def canon(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False)


def line_read(text: str) -> Any:
    return yamlio._line_load(text.replace("\r\n", "\n"))


def check(text: str) -> bool:
    """If the line reader takes ``text``, ruamel.yaml reads the same (and rapidyaml too,
    where it takes it). True if the line reader took it."""
    yamlio._LINES.clear()
    cold = line_read(text)
    warm = line_read(text)  # from the memory of lines
    assert canon(cold) == canon(warm) if cold is not yamlio._NO else warm is yamlio._NO
    if cold is yamlio._NO:
        return False
    try:
        exact = plain(load_document(text))
    except YamlIssue as issue:  # pragma: no cover - a failure is the bug we look for
        raise AssertionError(f"line reader took what YAML 1.2 rejects: {issue}\n{text}") \
            from None
    assert canon(cold) == canon(exact), text
    ryml = yamlio._ryml(text.replace("\r\n", "\n"))
    if ryml is not None:
        assert canon(ryml[1]) == canon(exact), text
    assert canon(fast_load(text)) == canon(exact)
    return True


@pytest.fixture(autouse=True)
def fresh_memory() -> Iterator[None]:
    yamlio._LINES.clear()
    yield
    yamlio._LINES.clear()


# --- hand-picked texts -------------------------------------------------------------------

TAKEN: list[tuple[str, Any]] = [
    ("a: no\n", "no"), ("a: on\n", "on"), ("a: NO\n", "NO"), ("a: yes\n", "yes"),
    ("a: y\n", "y"), ("a: Off\n", "Off"), ("a: nan\n", "nan"), ("a: infinity\n", "infinity"),
    ("a: infant\n", "infant"), ("a: 12\n", 12), ("a: 0\n", 0), ("a: -3\n", -3),
    ("a: 1.5\n", 1.5), ("a: 0.25\n", 0.25), ("a: -0.5\n", -0.5), ("a: true\n", True),
    ("a: false\n", False), ("a: null\n", None), ("a:\n", None), ("a:   \n", None),
    ("a: 2025-01-10\n", "2025-01-10"), ("a: 2025-02-30\n", "2025-02-30"),
    ("a: 0000-01-01\n", "0000-01-01"), ("a: 2023-05\n", "2023-05"),
    ("a: it's\n", "it's"), ("a: x - y\n", "x - y"), ("a: a, b\n", "a, b"),
    ("a: Leuven (centrum)\n", "Leuven (centrum)"), ("a: a/b+c.d\n", "a/b+c.d"),
    ("a: two  spaces\n", "two  spaces"), ("a: trailing   \n", "trailing"),
    ("a: b # a comment\n", "b"), ("a: b #\n", "b"), ("a: # only a comment\n", None),
    ("a: [a, b]\n", ["a", "b"]), ("a: [a,b]\n", ["a", "b"]), ("a: []\n", []),
    ("a: [ ]\n", []), ("a: [1990, 1992]\n", [1990, 1992]), ("a: [x y, -1, 1.5, null]\n",
                                                          ["x y", -1, 1.5, None]),
    ("a: [nl]   # home\n", ["nl"]), ("a: élan\n", "élan"), ("a: Ünïcode ü\n", "Ünïcode ü"),
    ("a: 12345678901234567890\n", 12345678901234567890), ("a: 1g1p\n", "1g1p"),
    ("a: 3000 Leuven\n", "3000 Leuven"), ("a: [1g1p, 2x4 wood]\n", ["1g1p", "2x4 wood"]),
    ("a: 12 months\n", "12 months"), ("a: 1_000 km\n", "1_000 km"),
    ("Town 003B2: [Town 003B1]\n", ["Town 003B1"]),
    ("a:\n- x\n- y\nb: 1\n", ["x", "y"]), ("a:\n  - x\n  - y\n", ["x", "y"]),
    ("a:\n- b: 1\n  c: 2\n- b: 3\n", [{"b": 1, "c": 2}, {"b": 3}]),
    ("a:\n- b:\n  - x\n", [{"b": ["x"]}]), ("a:\n- b:\n    c: 1\n", [{"b": {"c": 1}}]),
    ("a:\n    b: 1\n    c:\n    - 2\n", {"b": 1, "c": [2]}),
    ("a:\n\n  # comment\n  b: 1\n\n", {"b": 1}), ("# c\n\na: 1 # c\n", 1),
    ("a:\n- [a, b]\n- []\n", [["a", "b"], []]), ("a: 1\r\n", 1),
]
GIVEN_UP = [
    "a: 0470123456\n", "a: 007\n", "a: 1_000\n", "a: 0o17\n", "a: 0x1F\n", "a: .inf\n",
    "a: .5\n", "a: 1.\n", "a: +5\n", "a: -0\n", "a: ~\n", "a: 1e3\n", "a: 2025-1-5\n",
    "a: 0x1f\n", "a: 12abc\n", "a: 1E5\n", "a: 0b101\n", "a: 1.5e3\n", "a: 2025-01-05t10\n",
    "a: 12:30 pm\n", "a: -1g1p\n",
    "a: 2025-01-05T10:00:00\n", "a: 2025-01-05 10:00:00\n", "a: 12:30\n", "a: True\n",
    "a: NULL\n", "a: FALSE\n", "True: x\n", "null: x\n", "NULL: x\n", "1: x\n",
    "a: 'quoted'\n", 'a: "quoted"\n', "'a': x\n", "a: b: c\n", "a: b:\n", "a: b#c\n",
    "a: x\ty\n", "\ta: 1\n", "a:\ty\n", "\ufeffa: 1\n", "a: b\rc\n", "a: -x\n", "a: - x\n",
    "a: =\n", "a: <<\n", "<<: x\n", "a: @x\n", "a: &x 1\n", "a: *x\n", "a: !t x\n",
    "a: |\n  x\n", "a: >\n  x\n", "a: {b: c}\n", "a: [a, [b]]\n", "a: [a,, b]\n",
    "a: [a, b\n", "a: [a, b,]\n", "a: [a: b]\n", "a: [a]x\n", "a: x]\n", "- x\n", "x\n",
    "a:\n  b: 1\n c: 2\n", "a: b\n  c\n", "a: b\n\n  c\n", "a:\n  b: 1\n   c: 2\n",
    "a: 1\n- x\n", "a:\n-\n  b: 1\n", "a:\n-  x\n", "a:\n- - x\n", "a:\n -x\n",
    "---\na: 1\n", "a: 1\n...\n", "%YAML 1.2\n---\na: 1\n", "a: 1\na: 2\n",
    "a:\n  b: 1\n  b: 2\n", " a: 1\n", "a : 1\n", "a:1\n", "? a\n: 1\n", "",
    "a:\n- x\n  - y\n", "a:\n- x\n - y\n", "a:\n  - x\n    - y\n", "a:\n-xy\n",
    "a:\n-ab: 1\n", "-ab: 1\n", "a:\n- b: 1\n  - c\n", "a:\n- b: 1\n   c: 2\n",
    "# only a comment\n", "k" * 101 + ": x\n", "a: x\u2028y\n", "a: x\xa0y\n",
]


@pytest.mark.parametrize(("text", "value"), TAKEN)
def test_texts_the_line_reader_takes(text: str, value: Any) -> None:
    assert check(text), text
    data = line_read(text)
    assert canon(data[next(iter(data))]) == canon(value)


@pytest.mark.parametrize("text", GIVEN_UP)
def test_texts_the_line_reader_leaves_to_the_others(text: str) -> None:
    assert not check(text), text
    try:  # and the rest reads them as before: the same as ruamel.yaml, or not at all
        exact = canon(plain(load_document(text)))
    except YamlIssue:
        exact = None
    fast = fast_load(text)
    if fast is not NOT_FAST:
        assert canon(fast) == exact, text


def test_it_takes_ordinary_records() -> None:
    record = FAMILY.split("note: |")[0]
    assert check(record)
    assert line_read(record)["referrals"][0]["decisions"][0]["date"] == "2025-01-20"


def test_each_read_gives_fresh_data() -> None:
    text = "a: [x, y]\nb:\n- c: 1\n"
    first, second = line_read(text), line_read(text)
    first["a"].append("z")
    first["b"][0]["c"] = 2
    assert second == {"a": ["x", "y"], "b": [{"c": 1}]}


def test_the_memory_of_lines_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yamlio, "_LINES_MAX", 10)
    for i in range(50):
        assert line_read(f"k{i}: v{i}\nname: x\n") == {f"k{i}": f"v{i}", "name": "x"}
        assert len(yamlio._LINES) <= 10
    long = "note: " + "word " * 40 + "\n"
    assert line_read(long) == {"note": ("word " * 40).strip()}
    assert long.rstrip("\n") not in yamlio._LINES  # long lines are not remembered


# --- property tests ----------------------------------------------------------------------

# words and keys the line reader reads, and ones it must give up on (or read as YAML does)
GOOD_WORDS = ["leuven", "Leuven", "kind-en-gezin", "mon-am", "a b", "x", "it's", "12", "0",
              "1g1p", "3000 Leuven",
              "-3", "1.5", "2025-01-10", "2023-05", "true", "false", "null", "nan", "no",
              "x - y", "a, b", "a/b", "(x)", "é", "x  y", "x #c", "[a, b]", "[a,b]", "[]",
              "[ ]", "[1990, 1992]", "[x y, 2025-01-10]", ""]
BAD_WORDS = [*TRICKY, "True", "Null", "x#c", "x: y", "x:", "[a, [b]]", "[a,, b]",
             "[a, b,]", " ", "[a: b]", "-", "- x"]
GOOD_KEYS = ["a", "b", "name", "date", "x y", "Town 003B2", "k-1", "k.1", "k_1", "é"]
BAD_KEYS = ["True", "null", "1", "a ", " a", "'a'", "-a", "-ab", "a:b", "k" * 101]
words = st.sampled_from(GOOD_WORDS * 4 + BAD_WORDS)
keys = st.sampled_from(GOOD_KEYS * 20 + BAD_KEYS)


@st.composite
def blocks(draw: st.DrawFn, indent: int, depth: int) -> list[str]:
    """Lines of a block mapping or list at ``indent``, mostly in the line reader's layout,
    with some indentation, keys and words it must give up on."""
    kind = draw(st.sampled_from(["map", "map", "seq"])) if depth else "map"
    pad = " " * indent
    out: list[str] = []
    for _ in range(draw(st.integers(1, 4))):
        if draw(st.integers(0, 7)) == 0:
            out.append(draw(st.sampled_from(["", pad + "# c", "# c", "   ", pad + "  # x"])))
        if draw(st.integers(0, 30)) == 0:  # a line out of place
            wobble = " " * draw(st.integers(0, indent + 3))
            out.append(wobble + draw(st.sampled_from(["z: 1", "- z", "z", "z: [1]", "-z",
                                                      "-z: 1", "- z: 1"])))
        head = f"{pad}{draw(keys)}:" if kind == "map" else f"{pad}-"
        child = draw(st.sampled_from(["word", "word", "word", "flow", "none", "block"]))
        if depth >= 3 and child == "block":
            child = "word"
        if child == "word":
            sep = draw(st.sampled_from([" ", " ", "  "]))
            tail = draw(st.sampled_from(["", "", "", " # c", "  ", " #"]))
            out.append(f"{head}{sep}{draw(words)}{tail}")
        elif child == "flow":
            items = draw(st.lists(words.filter(lambda w: not w.startswith("[")), max_size=4))
            out.append(f"{head} [{draw(st.sampled_from([', ', ',', ' , '])).join(items)}]")
        elif child == "none":
            out.append(head + draw(st.sampled_from(["", " # c"])))
        else:
            step = draw(st.sampled_from([2, 2, 4, 1, 3]))
            same_column = kind == "map" and draw(st.booleans())
            inner = indent if same_column else indent + (step if kind == "map" else 2)
            if kind == "seq" and draw(st.booleans()):  # "- key: value" on the dash line
                first = draw(blocks(indent + 2, depth + 1))
                if first and first[0].startswith(" " * (indent + 2)) and \
                        not first[0].lstrip(" ").startswith("-"):
                    out.append(head + " " + first[0][indent + 2:])
                    out.extend(first[1:])
                    continue
            out.append(head)
            lines = draw(blocks(inner, depth + 1))
            if same_column:  # a list in the key's column
                lines = [f"{pad}- x", *lines] if draw(st.booleans()) else lines
            out.extend(lines)
    return out


block_documents = blocks(0, 0).map(lambda lines: "\n".join(lines) + "\n")


@pytest.mark.slow
@settings(max_examples=800, deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
@given(block_documents)
def test_generated_block_documents(text: str) -> None:
    check(text)


@settings(max_examples=100, deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
@given(documents)
def test_the_documents_of_the_reader_tests(text: str) -> None:
    check(text)


@pytest.mark.slow
@settings(max_examples=300, deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
@given(documents)
def test_the_documents_of_the_reader_tests_more(text: str) -> None:
    """The slow tier: the same property on 300 examples instead of 100."""
    test_the_documents_of_the_reader_tests.hypothesis.inner_test(text)


CLEAN = st.sampled_from(["leuven", "Leuven", "kind-en-gezin", "mon-am", "a b", "it's", "12",
                         "0", "-3", "1.5", "2025-01-10", "2023-05", "true", "null", "nan",
                         "x - y", "Town 003A1", "no", "on"])


@st.composite
def clean_documents(draw: st.DrawFn) -> str:
    lines = ["# yaml-language-server: $schema=../../schemas/family.schema.json",
             "schema_version: 1"]
    for i in range(draw(st.integers(1, 6))):
        shape = draw(st.sampled_from(["scalar", "flow", "list", "map", "empty"]))
        if shape == "scalar":
            lines.append(f"k{i}: {draw(CLEAN)}")
        elif shape == "flow":
            lines.append(f"k{i}: [{', '.join(draw(st.lists(CLEAN, max_size=3)))}]")
        elif shape == "empty":
            lines.append(f"k{i}:")
        elif shape == "map":
            lines.append(f"k{i}:")
            for j in range(draw(st.integers(1, 3))):
                lines.append(f"  m{j}: {draw(CLEAN)}")
        else:
            lines.append(f"k{i}:")
            pad = draw(st.sampled_from(["", "  "]))
            for _ in range(draw(st.integers(1, 3))):
                lines.append(f"{pad}- date: {draw(CLEAN)}")
                lines.append(f"{pad}  what: {draw(CLEAN)}")
                if draw(st.booleans()):
                    lines.append(f"{pad}  list:")
                    lines.append(f"{pad}  - {draw(CLEAN)}")
    return "\n".join(lines) + "\n"


@settings(max_examples=200, deadline=None, database=None)
@given(clean_documents())
def test_the_line_reader_takes_ordinary_documents(text: str) -> None:
    """Not vacuous: documents like those hs writes go the quickest way."""
    assert check(text), text


@pytest.mark.parametrize(("tree", "step"), tree_cases())
def test_whole_trees(tree: Path, step: int) -> None:
    files = record_files(tree)[::step]
    taken = 0
    for path in files:
        try:
            text = decode(path.read_bytes())
        except YamlIssue:
            continue
        taken += check(text)
    if len(files) > 20:
        assert taken >= 0.8 * len(files)
