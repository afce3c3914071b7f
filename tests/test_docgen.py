"""The docs cannot go stale: generated parts are current and the examples are valid."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from hs.app.validation import validate_paths
from hs.docgen import main as docgen_main
from tests.conftest import DATA, ROOT, init_git

KIND_FOLDER = {"location": "locations", "family": "families", "volunteer": "volunteers",
               "trajectory": "trajectories", "event": "events"}


def test_generated_docs_are_current() -> None:
    assert docgen_main(["--check"]) == 0, "run: python -m hs.docgen"


def _examples() -> dict[str, str]:
    text = (ROOT / "docs" / "records.md").read_text(encoding="utf-8")
    found = {}
    for block in re.findall(r"```yaml\n(.*?)```", text, flags=re.S):
        m = re.search(r"schemas/(\w+)\.schema\.json", block)
        if m:
            found[m.group(1)] = block
    return found


def test_records_doc_has_an_example_of_every_kind() -> None:
    assert set(_examples()) == {"location", "family", "volunteer", "trajectory", "event"}


def test_records_doc_examples_are_valid_together(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    (root / "records").mkdir(parents=True)
    shutil.copy(DATA / "vocabularies.yaml", root / "records")
    shutil.copy(DATA / "config.yaml", root / "records")
    ids = {"location": "leuven", "family": "f3kq7p2xm", "volunteer": "v8h2k4n1q",
           "trajectory": "t5c9w3mde", "event": "e7rn2c4wq"}
    for kind, block in _examples().items():
        folder = root / "records" / KIND_FOLDER[kind]
        folder.mkdir()
        (folder / f"{ids[kind]}.yaml").write_text(block, encoding="utf-8")
    # the trajectory's second volunteer and the Herkenrode location exist in the example
    vol = (root / "records" / "volunteers" / "v8h2k4n1q.yaml").read_text()
    (root / "records" / "volunteers" / "v2m7c4x9d.yaml").write_text(vol)
    loc = (root / "records" / "locations" / "leuven.yaml")
    loc.rename(loc.with_name("leuven.yaml"))
    init_git(root)
    result = validate_paths([], repo=root)
    errors = [str(p) for p in result.problems if p.severity == "error"]
    assert errors == []


def test_glossary_pairs_every_term() -> None:
    rows = [line for line in (ROOT / "docs" / "glossary.md").read_text().splitlines()
            if line.startswith("| ") and not line.startswith("| ---")][1:]
    assert len(rows) > 30
    for row in rows:
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert len(cells) == 3 and all(cells), row
