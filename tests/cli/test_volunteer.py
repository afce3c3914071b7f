"""`hs volunteer train VOL STEP [STEP ...]`: several training steps in one commit;
`hs volunteer add --registered`; `hs volunteer stop` of a candidate."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hs.store import gitops
from tests.conftest import created, git, invoke


@pytest.fixture
def vid(empty_repo: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("HS_TODAY", "2025-06-30")
    return created(empty_repo, "volunteer", "add", "--location", "leuven", "--gender", "m",
                   "--birth-year", "1975")


def test_several_steps_one_commit(empty_repo: Path, vid: str) -> None:
    root = empty_repo
    before = git(root, "rev-parse", "HEAD").strip()
    code, out, err = invoke(root, "volunteer", "train", vid, "info-session", "Infosessie",
                            "basishouding", "get-to-know", "--date", "14/03/2025")
    assert (code, out) == (0, ""), err
    assert err.startswith(f"volunteer {vid}: training info-session, module-attitude, "
                          "get-to-know done [commit ")
    assert git(root, "rev-list", "--count", f"{before}..HEAD").strip() == "1"
    message = gitops.parse_message(git(root, "log", "-1", "--format=%B"))
    assert message.trailers["Hs-Step"] == ["info-session", "module-attitude", "get-to-know"]
    text = (root / "records" / "volunteers" / f"{vid}.yaml").read_text()
    assert text.endswith("training:\n  info-session: 2025-03-14\n  module-attitude: "
                         "2025-03-14\n  get-to-know: 2025-03-14\n")


def test_a_bad_step_refuses_all(empty_repo: Path, vid: str) -> None:
    root = empty_repo
    before = git(root, "rev-parse", "HEAD").strip()
    code, out, err = invoke(root, "volunteer", "train", vid, "info-session", "module",
                            "--date", "2025-03-14")
    assert (code, out) == (2, "")
    assert err == ("hs: module: 'module' could be several codes of training steps: "
                   "module-resilience, module-attitude, module-network; type one of them\n")
    assert git(root, "rev-parse", "HEAD").strip() == before
    assert git(root, "status", "--porcelain") == ""


def test_steps_by_their_dutch_labels_in_dutch(empty_repo: Path, vid: str,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HS_LANG", "nl")
    code, out, err = invoke(empty_repo, "volunteer", "train", vid, "info-session",
                            "module-resilience", "--date", "14/03/2025")
    assert (code, out) == (0, ""), err
    assert err.startswith(f"vrijwilliger {vid}: vorming Infosessie, Module: Werken aan "
                          "veerkracht in gezinnen gevolgd [commit ")


def test_registered_gives_the_day_for_work_entered_later(empty_repo: Path,
                                                        monkeypatch: pytest.MonkeyPatch
                                                        ) -> None:
    """A volunteer added today who attended an intervision last week: --registered (read
    by the shared date reader) says when they registered; without it the attendance is
    refused, naming the fix."""
    monkeypatch.setenv("HS_TODAY", "2025-06-30")
    late = created(empty_repo, "volunteer", "add", "--location", "leuven", "--gender", "m",
                   "--birth-year", "1975")
    early = created(empty_repo, "volunteer", "add", "--location", "leuven", "--gender", "f",
                    "--birth-year", "1980", "--registered", "16/06/2025")
    text = (empty_repo / "records" / "volunteers" / f"{early}.yaml").read_text()
    assert "registered: 2025-06-16\n" in text
    eid = created(empty_repo, "event", "add", "--kind", "intervision", "--date", "2025-06-23",
                  "--location", "leuven")
    code, _, err = invoke(empty_repo, "event", "attend", eid, late)
    assert (code, err) == (1, f"hs: event {eid}: volunteer {late} was not registered yet on "
                              "2025-06-23 (first date in the record: 2025-06-30) (if they "
                              f"registered earlier: hs edit {late}, field registered)\n")
    assert invoke(empty_repo, "event", "attend", eid, early)[0] == 0
    code, _, err = invoke(empty_repo, "volunteer", "add", "--location", "leuven", "--gender",
                          "f", "--birth-year", "1980", "--registered", "2025-07-01")
    assert code == 1 and "2025-07-01" in err
    code, _, err = invoke(empty_repo, "volunteer", "add", "--location", "leuven", "--gender",
                          "f", "--birth-year", "1980", "--registered", "morgen")
    assert code == 2, err


def test_a_candidate_who_drops_out_is_stopped_and_never_counted(
        empty_repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HS_TODAY", "2025-06-30")
    vid = created(empty_repo, "volunteer", "add", "--location", "leuven", "--gender", "f",
                  "--birth-year", "1980", "--registered", "2025-05-01")
    code, out, err = invoke(empty_repo, "--lang", "nl", "volunteer", "stop", vid, "--date",
                            "2025-06-20", "--reason", "personal")
    assert (code, out) == (0, ""), err
    assert err.startswith(f"kandidaat {vid} haakte af: ")
    text = (empty_repo / "records" / "volunteers" / f"{vid}.yaml").read_text()
    assert "dropped_out: 2025-06-20\ndropped_out_reason: personal\n" in text
    assert "active" not in text
    message = gitops.parse_message(git(empty_repo, "log", "-1", "--format=%B"))
    assert message.trailers["Hs-Action"] == ["volunteer.stop"]
    code, out, _ = invoke(empty_repo, "list", "volunteers", "--status", "stopped",
                          "--format", "csv")
    assert code == 0 and vid in out
    code, out, _ = invoke(empty_repo, "list", "volunteers", "--status", "candidate",
                          "--format", "csv")
    assert code == 0 and vid not in out
    code, out, _ = invoke(empty_repo, "kpi", "--year", "2025", "--format", "json")
    assert code == 0
    figures = json.loads(out)
    found = {k: v for k, v in _walk(figures)
             if k in ("volunteers", "volunteers_new", "volunteers_stopped")}
    assert found and set(found.values()) == {0}, found  # never a volunteer
    code, _, err = invoke(empty_repo, "volunteer", "stop", vid, "--date", "2025-06-21",
                          "--reason", "personal")
    assert (code, err) == (1, f"hs: candidate {vid} dropped out already on 2025-06-20\n")
    assert invoke(empty_repo, "validate")[0] == 0
    other = created(empty_repo, "volunteer", "add", "--location", "leuven", "--gender", "f",
                    "--birth-year", "1980", "--registered", "2025-05-01")
    code, _, err = invoke(empty_repo, "volunteer", "stop", other, "--date", "2025-04-01",
                          "--reason", "personal")
    assert (code, err) == (1, f"hs: candidate {other} cannot drop out on 2025-04-01, before "
                              "the first date of the record (2025-05-01)\n")


def _walk(data: Any) -> Iterator[tuple[str, Any]]:
    if isinstance(data, dict):
        for k, v in data.items():
            yield k, v
            yield from _walk(v)
    elif isinstance(data, list):
        for v in data:
            yield from _walk(v)
