"""`hs undo`: the last hs commit taken back as one journaled commit; refused in one line
when something came after it or it is not hs's."""

from __future__ import annotations

from pathlib import Path

import pytest

from hs.store import gitops
from tests.conftest import commit_all, created, git, invoke


@pytest.fixture
def root(empty_repo: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HS_TODAY", "2025-06-30")
    return empty_repo


def tree(root: Path) -> str:
    return git(root, "rev-parse", "HEAD^{tree}").strip()


def a_trajectory(root: Path) -> str:
    fid = created(root, "family", "refer", "--location", "leuven", "--date", "2025-01-06",
                  "--referrer", "self")
    assert invoke(root, "family", "accept", fid, "--date", "2025-01-13")[0] == 0
    vid = created(root, "volunteer", "add", "--location", "leuven", "--gender", "f",
                  "--birth-year", "1980", "--joined", "2024-09-01", "--checked", "2024-09-01")
    return created(root, "start", fid, vid, "--date", "2025-02-03")


def test_undo_a_batch_and_bring_it_back(root: Path) -> None:
    t1, t2 = a_trajectory(root), a_trajectory(root)
    before = tree(root)
    assert invoke(root, "visit", t1, t2, "--date", "2025-03-03", "--date", "2025-03-10")[0] == 0
    batch = tree(root)
    code, out, err = invoke(root, "undo")
    assert (code, out) == (0, ""), err
    assert err.startswith("undone: 4 visits in 2 trajectories (2025-03-03, 2025-03-10) "
                          "[commit ")
    assert tree(root) == before
    assert git(root, "status", "--porcelain") == ""
    message = gitops.parse_message(git(root, "log", "-1", "--format=%B"))
    assert message.subject == "undo: 4 visits in 2 trajectories (2025-03-03, 2025-03-10)"
    assert message.trailers["Hs-Action"] == ["undo"]
    assert message.trailers["Hs-Record"] == [t1, t2]
    assert message.trailers["Hs-Undoes"] == [git(root, "rev-parse", "HEAD~1").strip()]
    assert invoke(root, "undo")[0] == 0  # an undo is an hs commit too: back again
    assert tree(root) == batch
    assert git(root, "log", "-1", "--format=%s").startswith("redo: 4 visits")


def test_undo_removes_a_record_the_commit_made(root: Path) -> None:
    before = tree(root)
    fid = created(root, "family", "refer", "--location", "leuven", "--date", "2025-01-06",
                  "--referrer", "self")
    assert invoke(root, "undo")[0] == 0
    assert not (root / "records" / "families" / f"{fid}.yaml").exists()
    assert tree(root) == before
    assert git(root, "status", "--porcelain") == ""
    assert invoke(root, "validate")[0] == 0


@pytest.mark.parametrize("case", ["by-hand", "merge", "dirty", "detached", "first"])
def test_refused_in_one_line(root: Path, case: str) -> None:
    fid = created(root, "family", "refer", "--location", "leuven", "--date", "2025-01-06",
                  "--referrer", "self")
    expected = {
        "by-hand": "hs: cannot undo: the last commit ({sha}) was not made by hs (only the "
                   "last hs commit can be undone, while nothing came after it)\n",
        "merge": "hs: cannot undo: the last commit is a merge, not a change of hs\n",
        "dirty": f"hs: cannot undo: records/families/{fid}.yaml has changes that are not "
                 "committed; commit or restore them first\n",
        "detached": "hs: git is not on a branch",
        "first": "hs: cannot undo the first commit of the repository\n",
    }[case]
    if case == "by-hand":
        (root / "notes.txt").write_text("a note\n")
        commit_all(root, "notes")
    elif case == "merge":
        git(root, "checkout", "-q", "-b", "side", "HEAD~1")
        (root / "notes.txt").write_text("a note\n")
        commit_all(root, "notes")
        git(root, "checkout", "-q", "main")
        git(root, "merge", "-q", "--no-edit", "side")
    elif case == "dirty":
        path = root / "records" / "families" / f"{fid}.yaml"
        path.write_text(path.read_text() + "# a comment\n")
    elif case == "detached":
        git(root, "checkout", "-q", "--detach")
    elif case == "first":
        git(root, "checkout", "-q", "--orphan", "fresh")
        git(root, "commit", "-q", "-m", "records\n\nHs-Action: repo.init\nHs-Tool: hs 0.1.0")
    head = git(root, "rev-parse", "HEAD").strip()
    code, out, err = invoke(root, "undo")
    assert (code, out) == (1, "")
    assert err.startswith(expected.format(sha=head[:10])), err
    assert err.count("\n") == 1
    assert git(root, "rev-parse", "HEAD").strip() == head


def test_undo_and_redo_subjects_are_in_the_commands_language(root: Path) -> None:
    t1 = a_trajectory(root)
    assert invoke(root, "visit", t1, "--date", "2025-03-03")[0] == 0
    subject = git(root, "log", "-1", "--format=%s").strip()
    assert invoke(root, "--lang", "nl", "undo")[0] == 0
    assert git(root, "log", "-1", "--format=%s").strip() == f"ongedaan gemaakt: {subject}"
    assert invoke(root, "undo")[0] == 0  # an English redo of a Dutch undo
    assert git(root, "log", "-1", "--format=%s").strip() == f"redo: {subject}"
    assert invoke(root, "--lang", "nl", "undo")[0] == 0
    assert git(root, "log", "-1", "--format=%s").strip() == f"ongedaan gemaakt: {subject}"
    assert invoke(root, "--lang", "nl", "undo")[0] == 0
    assert git(root, "log", "-1", "--format=%s").strip() == f"opnieuw gedaan: {subject}"


def test_the_prefixes_are_the_catalogues() -> None:
    from hs.app import undo as app_undo
    from hs.base.i18n import Catalog, set_language

    try:
        for i, lang in enumerate(("en", "nl")):
            set_language(lang)
            msg = Catalog("app.undo")
            assert msg("undo-subject", subject="S") == app_undo.UNDO_PREFIXES[i] + "S"
            assert msg("redo-subject", subject="S") == app_undo.REDO_PREFIXES[i] + "S"
    finally:
        set_language("en")
