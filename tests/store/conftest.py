"""What the tests of the store share: a family record and a tree holding it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import write_record

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


def age(root: Path, seconds: int = 60) -> None:
    """Make every file of the tree older, so that the cache trusts it (not 'racy')."""
    for p in (root / "records").rglob("*.yaml"):
        st = p.stat()
        os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns - seconds * 1_000_000_000))


@pytest.fixture
def tree(empty_repo: Path) -> Path:
    write_record(empty_repo, f"families/{FID}.yaml", FAMILY)
    age(empty_repo)
    return empty_repo
