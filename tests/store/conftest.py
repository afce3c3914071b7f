"""What the tests of the store share: a family record and a tree holding it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import SharedTrees, age, write_record
from tests.conftest import created as new

FAMILY = """\
# yaml-language-server: $schema=../../schemas/family.schema.json
schema_version: 1
location: leuven
name: Familie Janssens
children:
- born: 2023-05
referrals:
- date: 2025-01-10
  referrer: kind-en-gezin
  decisions:
  - date: 2025-01-20
    decision: accepted
note: Grandmother Wilhelmina lives nearby.
"""


FID = "f3kq7p2xm"


@pytest.fixture
def tree(empty_repo: Path) -> Path:
    write_record(empty_repo, f"families/{FID}.yaml", FAMILY)
    age(empty_repo)
    return empty_repo


def make_trajectory(root: Path) -> str:
    """A family referred and accepted, a volunteer, and their trajectory (from
    2025-02-03), each made by its command; the trajectory's ID."""
    fid = new(root, "family", "refer", "--location", "leuven", "--date", "2025-01-06",
              "--referrer", "kind-en-gezin")
    new(root, "family", "accept", fid, "--date", "2025-01-13")
    vid = new(root, "volunteer", "add", "--location", "leuven", "--gender", "f",
              "--birth-year", "1980", "--joined", "2024-09-01", "--checked", "2024-09-01")
    return new(root, "start", fid, vid, "--date", "2025-02-03")


@pytest.fixture
def traj(shared_tree: SharedTrees, tmp_path: Path,
         monkeypatch: pytest.MonkeyPatch) -> tuple[Path, str]:
    """A copy of the tree :func:`make_trajectory` builds (once per session), on
    2025-06-30, and the trajectory's ID."""
    monkeypatch.setenv("HS_TODAY", "2025-06-30")
    root = tmp_path / "repo"
    return root, shared_tree("one-trajectory", make_trajectory, root)
