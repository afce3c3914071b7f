"""`hs undo` is a journaled write like any other: killed at any point (also while it
removes a record the undone commit made), the next command finishes or undoes it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from hs.store import journal
from tests.conftest import created, git, invoke

EXPECTED = {"journal": "undone", "written": "finished", "staged": "finished",
            "committed": "finished"}


@pytest.mark.parametrize("point", sorted(EXPECTED))
def test_a_killed_undo_is_finished_or_undone(empty_repo: Path, point: str,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HS_TODAY", "2025-06-30")
    root = empty_repo
    fid = created(root, "family", "refer", "--location", "leuven", "--date", "2025-01-06",
                  "--referrer", "self")
    path = root / "records" / "families" / f"{fid}.yaml"
    head = git(root, "rev-parse", "HEAD").strip()
    proc = subprocess.run([sys.executable, "-m", "hs", "undo", "--repo", str(root)],
                          env={**os.environ, "HS_FAULT": point}, capture_output=True)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    code, _, err = invoke(root, "list", "families")
    assert code == 0
    if EXPECTED[point] == "finished":
        assert err.startswith("hs: an interrupted change was finished and committed: "
                              f"undo: family {fid}: referred"), err
        assert not path.exists()
        assert git(root, "rev-parse", "HEAD~1").strip() == head
    else:
        assert err.startswith("hs: an interrupted change was undone"), err
        assert path.exists()
        assert git(root, "rev-parse", "HEAD").strip() == head
    assert git(root, "status", "--porcelain") == ""
    assert not journal.pending(root)
