"""The safe-lines prefilter of the fast reader never lets a hazard through.

``hs.store.yamlio.lines_safe`` proves a text harmless line by line (and remembers safe lines),
so that most files skip the full hazard scan. The guarantee: a text it accepts is one the
full scan finds nothing in, so ``is_hazardous`` gives the answer the full scan alone gives,
and the fast reader reads exactly what it read before (what ruamel.yaml reads, YAML 1.2;
``tests/store/test_yamlio.py`` proves that part). Shown here:

* hand-picked texts where YAML readers differ, and texts where a hazard crosses a line
  break (a date, then a digit on a later line; a block scalar, then a blank line;
  quoted text over a line end);
* property tests (hypothesis): "accepted => the full scan finds nothing", and
  ``is_hazardous`` equal to the full scan, on the generated documents of
  ``tests/store/test_yamlio.py`` and on texts stitched from risky line fragments;
* the prefilter is not vacuous (it takes the lines hs writes), and its memory is bounded.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hs.store import yamlio
from hs.store.yamlio import decode, is_hazardous, lines_safe
from tests.store.test_yamlio import FAMILY, TRICKY, assert_same, documents, record_files, trees


def full_scan(text: str) -> bool:
    """The hazard scan without the prefilter (what is_hazardous was before it)."""
    return yamlio._hazard_scan("\n" + text.replace("\r\n", "\n"))


def check(text: str) -> bool:
    """The guarantee on one text, with a cold and a warm memory of safe lines; returns
    whether the prefilter took it."""
    yamlio._SAFE_LINES.clear()
    cold = lines_safe(text.replace("\r\n", "\n"))
    warm = lines_safe(text.replace("\r\n", "\n"))
    assert cold == warm, text
    if cold:
        assert not full_scan(text), text
    assert is_hazardous(text) == full_scan(text), text
    return cold


@pytest.fixture(autouse=True)
def fresh_memory() -> Iterator[None]:
    yamlio._SAFE_LINES.clear()
    yield
    yamlio._SAFE_LINES.clear()


# --- hand-picked texts -------------------------------------------------------------------

SAFE = [
    "a: no\n", "a: on\n", "a: NO\n", "a: yes\n", "a: y\n", "a: Off\n",
    "a: 12:30\n", "a: 2025-01-10\n", "a: 2025-1-5\n", "a: 2025-02-30\n", "a: 2023-05\n",
    "a: 1e3\n", "a: 12\n", "a: -3\n", "a: 1.5\n", "a: true\n", "a: null\n",
    "a: infant\n", "a: nanny\n",
    "key: 'quoted'\n", "key: \"quoted\"\n", "- [a, b]\n", "a: [nl, ar]\n",
    "a: b # a comment\n", "a: b#c\n", "# a: 1\n", "a: b   \n", "a:\n  - x\n  - y\n",
    "a: x: y\n",  # invalid YAML; both readers reject it (the fast reader gives up)
    "a: x]\n", "a: 2025-01-05\nb: 3\n",  # a later line starts with a key, not with a digit
    "a: 2025-01-05\n- 3\n",
    FAMILY.split("note: |")[0],
]
HAZARDOUS = [
    "a: ~\n", "a: 0470123456\n", "a: 0o17\n", "a: 017\n", "a: 1_000\n", "a: .inf\n",
    "a: -.Inf\n", "a: .5\n", "a: +5\n", "a: True\n", "a: NULL\n", "a: 0x1F\n",
    "a: infinity\n", "a: nan\n", "a: =\n", "a: <<\n", "a: @x\n", "a: &x 1\n", "a: *x\n",
    "a: !x 1\n", "a: ? x\n",
    "a: : x\n", "a: 2025-01-05T10:00:00\n", "a: 2025-01-05 10:00:00\n",
    "a: 'it\n  goes on'\n", "a: \"it\n  goes on\"\n", "a: |\n\n  x\n", "a: |2\n   x\n",
    "a: [x:]\n", "a: [?x]\n", "a: ]\n", "a: {b: c}\n", "a: b\\c\n",
    "a:\tb\n", "a: b\rc\n", "1e3: x\n", "null: x\n", "true: x\n", "---\na: 1\n",
    "%YAML 1.2\n---\na: 1\n", "...\n", "a: 1\n...\n",
]
# not hazardous, but the prefilter leaves them to the full scan (rule (a))
NOT_TAKEN = ["a: >\n  x\n", "a: |\n  x\n", "a: 1 > 0\n", "a: x | y\n", "a:\n  5\n",
             "a: b\n  5 c\n"]
# hazards that cross a line break: each line alone is harmless to the full scan
ACROSS_LINES = [
    "a: 2025-01-05\n  5\n",
    "a: 2025-01-05\n\n   7 x\n",
    "- 2025-01-05\n  10\n",
    "a: |\n\n  text\n",
    "a: >-\n\n  text\n",
]


@pytest.mark.parametrize("text", SAFE)
def test_texts_the_prefilter_takes(text: str) -> None:
    assert check(text), text
    assert not is_hazardous(text)
    assert_same(text)  # and the fast reader reads them as YAML 1.2 does, or gives up


@pytest.mark.parametrize("text", HAZARDOUS + ACROSS_LINES)
def test_texts_the_prefilter_leaves_to_the_full_scan(text: str) -> None:
    assert not check(text), text
    assert is_hazardous(text)
    assert yamlio._ryml(text) is None  # rapidyaml never sees it
    assert_same(text)  # the line reader may take a few ('nan' is text), as YAML 1.2 does


@pytest.mark.parametrize("text", NOT_TAKEN)
def test_harmless_texts_the_full_scan_decides(text: str) -> None:
    assert not check(text), text
    assert not is_hazardous(text)
    assert_same(text)


@pytest.mark.parametrize("text", ACROSS_LINES)
def test_hazards_across_a_line_break_are_not_missed(text: str) -> None:
    """Each line alone passes the full scan; only the text as a whole is hazardous, and
    the prefilter must not take it even when every line is in its memory already."""
    lines = text.split("\n")
    assert not any(full_scan(line + "\n") for line in lines)
    assert full_scan(text)
    for line in lines:
        if yamlio._line_safe(line):
            yamlio._SAFE_LINES.add(line)
    assert not lines_safe(text)
    assert is_hazardous(text)


def test_crlf_line_ends_trailing_spaces_and_bom() -> None:
    text = "a: b  \r\nc: [d, e]\r\n"
    assert not is_hazardous(text)
    assert assert_same(text)
    assert not check("a: b\rc: d\n")  # a lone carriage return
    with pytest.raises(yamlio.YamlIssue):  # a BOM never reaches a reader
        decode("\ufeffa: 1\n".encode())


# --- property tests ----------------------------------------------------------------------


@settings(max_examples=100, deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
@given(documents)
def test_generated_documents(text: str) -> None:
    check(text)


@pytest.mark.slow
@settings(max_examples=200, deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
@given(documents)
def test_generated_documents_more(text: str) -> None:
    """The slow tier: the same property on 200 examples instead of 100."""
    test_generated_documents.hypothesis.inner_test(text)


FRAGMENTS = [
    *TRICKY, "", " ", "  ", "- ", "-", ": ", ":", "key: ", "  key: ", "- key: ", "a", "x y",
    "2025-01-05", "2025-1-5", "2025-01-05 ", "1", "5", "07", "  5", "   7", "|", ">", "|-",
    ">2", "'", "\"", "''", "[", "]", ", ", ",", "#", " #", "# c", "{", "}", "\\", "\t",
    "\r", "T10:00", "t", " 10:00", "nan", ".inf", "~", "True", "null", "1e3", "&", "*",
    "!", "?", "%", "@", "`", "=", "<<", "...", "---",
]
line_texts = st.lists(st.sampled_from(FRAGMENTS), max_size=5).map("".join)
stitched = st.lists(line_texts, min_size=1, max_size=8).map("\n".join)


@settings(max_examples=250, deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
@given(stitched, st.booleans())
def test_texts_stitched_from_risky_fragments(text: str, newline: bool) -> None:
    check(text + "\n" if newline else text)


@pytest.mark.slow
@settings(max_examples=1000, deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
@given(stitched, st.booleans())
def test_texts_stitched_from_risky_fragments_more(text: str, newline: bool) -> None:
    """The slow tier: the same property on 1000 examples instead of 250."""
    test_texts_stitched_from_risky_fragments.hypothesis.inner_test(text, newline)


@settings(max_examples=300, deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
@given(st.lists(st.sampled_from(SAFE + HAZARDOUS + ACROSS_LINES + NOT_TAKEN), min_size=1,
                max_size=4))
def test_hand_picked_texts_joined(parts: list[str]) -> None:
    """With a warm memory: the lines of earlier texts are remembered."""
    text = "".join(parts)
    for part in parts:
        lines_safe(part)
    if lines_safe(text):
        assert not full_scan(text), text
    assert is_hazardous(text) == full_scan(text)


@settings(max_examples=150, deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
@given(st.lists(st.one_of(stitched, documents), min_size=1, max_size=6),
       st.sampled_from([0, 2, 8]))
def test_what_the_full_scan_teaches_is_safe(texts: list[str], few: int) -> None:
    """When many lines are new, the full scan decides and its harmless texts teach their
    lines: every line remembered meets both rules, and is_hazardous stays the full scan."""
    original = yamlio._FEW_NEW_LINES
    yamlio._FEW_NEW_LINES = few
    try:
        for text in texts:
            assert is_hazardous(text) == full_scan(text), text
            assert is_hazardous(text + "\n") == full_scan(text + "\n"), text
        assert all(yamlio._line_safe(line) for line in yamlio._SAFE_LINES)
    finally:
        yamlio._FEW_NEW_LINES = original


def test_a_harmless_text_teaches_its_lines_but_not_its_last() -> None:
    text = "a: 1\nb: [x, y]\nc: x\n  5 more\nd: x"  # '  5 more' breaks rule (a)
    yamlio._FEW_NEW_LINES = 0
    try:
        assert not is_hazardous(text)
    finally:
        yamlio._FEW_NEW_LINES = 8
    assert {"a: 1", "b: [x, y]", "c: x"} == yamlio._SAFE_LINES
    # the last line has no line break after it: harmless there, not everywhere
    yamlio._FEW_NEW_LINES = 0
    try:
        assert not is_hazardous("x: 1\ny: 2\nb: 'open")
    finally:
        yamlio._FEW_NEW_LINES = 8
    assert "b: 'open" not in yamlio._SAFE_LINES
    assert is_hazardous("b: 'open\nc: 1\n")


# --- not vacuous, and bounded ------------------------------------------------------------


@pytest.mark.parametrize("tree", trees(), ids=lambda p: p.name)
def test_whole_trees(tree: Path) -> None:
    """On the demo tree of this checkout the prefilter takes most files, and never one
    the full scan would send to the exact reader."""
    taken = 0
    files = record_files(tree)
    for path in files:
        try:
            text = decode(path.read_bytes())
        except yamlio.YamlIssue:
            continue
        taken += check(text)
    if len(files) > 20:
        assert taken >= 0.8 * len(files)


def test_the_memory_of_safe_lines_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yamlio, "_SAFE_LINES_MAX", 10)
    for i in range(50):
        assert lines_safe(f"k{i}: v{i}\nname: x\n")
        assert len(yamlio._SAFE_LINES) <= 10
    long = "note: " + "word " * 40 + "\n"
    assert lines_safe(long)
    assert long.rstrip("\n") not in yamlio._SAFE_LINES  # long lines are not remembered
