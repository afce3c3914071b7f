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
    undone = git(root, "rev-parse", "HEAD").strip()
    code, out, err = invoke(root, "undo")  # an undo is not undone by another undo
    assert (code, out, err) == (1, "", f"hs: the last commit ({undone[:10]}) is already an "
                                       "undo; to bring the change back: hs undo --redo\n")
    assert git(root, "rev-parse", "HEAD").strip() == undone
    code, out, err = invoke(root, "undo", "--redo")
    assert (code, out) == (0, ""), err
    assert err.startswith("redone: 4 visits in 2 trajectories (2025-03-03, 2025-03-10) "
                          "[commit ")
    assert tree(root) == batch
    message = gitops.parse_message(git(root, "log", "-1", "--format=%B"))
    assert message.subject == "redo: 4 visits in 2 trajectories (2025-03-03, 2025-03-10)"
    assert message.trailers["Hs-Action"] == ["redo"]
    assert message.trailers["Hs-Undoes"] == [undone]
    code, _, err = invoke(root, "undo", "--redo")  # a redo is not an undo
    assert (code, err) == (1, f"hs: nothing to redo: the last commit "
                              f"({git(root, 'rev-parse', 'HEAD').strip()[:10]}) is not an "
                              "hs undo\n")
    assert invoke(root, "undo")[0] == 0  # a redo is undone like the change itself
    assert tree(root) == before
    assert git(root, "log", "-1", "--format=%s").strip() == (
        "undo: 4 visits in 2 trajectories (2025-03-03, 2025-03-10)")


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


def test_undo_and_redo_say_what_the_commit_says_in_the_commands_language(root: Path
                                                                         ) -> None:
    t1 = a_trajectory(root)
    assert invoke(root, "visit", t1, "--date", "2025-03-03")[0] == 0
    subject = git(root, "log", "-1", "--format=%s").strip()

    def last() -> str:
        return git(root, "log", "-1", "--format=%s").strip()

    code, _, err = invoke(root, "--lang", "nl", "undo")
    assert code == 0
    assert last() == f"ongedaan gemaakt: {subject}"
    assert err.startswith(f"{last()} [commit ")
    code, _, err = invoke(root, "--lang", "nl", "undo")
    assert (code, err) == (1, f"hs: de laatste commit ({git(root, 'rev-parse', 'HEAD')[:10]}) "
                              "maakte al iets ongedaan; om de wijziging terug te brengen: "
                              "hs undo --redo\n")
    code, _, err = invoke(root, "--lang", "nl", "undo", "--redo")
    assert code == 0
    assert last() == f"opnieuw gedaan: {subject}"
    assert err.startswith(f"{last()} [commit ")
    assert invoke(root, "undo")[0] == 0  # an English undo of a Dutch redo
    assert last() == f"undo: {subject}"
    assert invoke(root, "--lang", "nl", "undo", "--redo")[0] == 0
    assert last() == f"opnieuw gedaan: {subject}"


def test_an_older_redo_with_the_action_undo_is_undone_not_refused(root: Path) -> None:
    """Before --redo, a redo was a commit "redo: S" with ``Hs-Action: undo``."""
    t1 = a_trajectory(root)
    before = tree(root)
    assert invoke(root, "visit", t1, "--date", "2025-03-03")[0] == 0
    subject = git(root, "log", "-1", "--format=%s").strip()
    visited = git(root, "show", f"HEAD:records/trajectories/{t1}.yaml")
    assert invoke(root, "undo")[0] == 0
    (root / "records" / "trajectories" / f"{t1}.yaml").write_text(visited)
    git(root, "commit", "-q", "-a", "-m",
        f"redo: {subject}\n\nHs-Action: undo\nHs-Undoes: 0123\nHs-Tool: hs 0.1.0")
    assert invoke(root, "undo")[0] == 0
    assert git(root, "log", "-1", "--format=%s").strip() == f"undo: {subject}"
    assert tree(root) == before


@pytest.fixture
def clones(root: Path, tmp_path: Path) -> tuple[Path, Path]:
    """Two clones of one bare remote of ``root``."""
    bare = tmp_path / "remote.git"
    git(tmp_path, "clone", "-q", "--bare", str(root), str(bare))
    out = []
    for name in ("a", "b"):
        git(tmp_path, "clone", "-q", str(bare), name)
        git(tmp_path / name, "config", "user.email", f"{name}@example.org")
        out.append(tmp_path / name)
    return out[0], out[1]


def test_only_a_commit_made_on_this_clone_is_undone(clones: tuple[Path, Path]) -> None:
    a, b = clones
    fid = created(a, "family", "refer", "--location", "leuven", "--date", "2025-01-06",
                  "--referrer", "self")
    assert invoke(a, "sync")[0] == 0
    assert invoke(b, "sync")[0] == 0
    theirs = git(b, "rev-parse", "HEAD").strip()
    assert (b / "records" / "families" / f"{fid}.yaml").exists()
    code, out, err = invoke(b, "--lang", "nl", "undo")
    assert (code, out) == (1, "")
    assert err == (f"hs: kan niet ongedaan maken: de laatste commit ({theirs[:10]}) is niet "
                   "door hs op deze laptop gemaakt (hij kwam binnen met hs sync, een pull of "
                   "een merge); er werd niets ongedaan gemaakt\n")
    assert git(b, "rev-parse", "HEAD").strip() == theirs
    assert invoke(b, "undo", "--redo")[0] == 1
    # the clone that made it may still undo it, also after it was sent
    assert invoke(a, "undo")[0] == 0
    assert not (a / "records" / "families" / f"{fid}.yaml").exists()
    # and in b, a change of its own after the sync is undone
    created(b, "family", "refer", "--location", "leuven", "--date", "2025-01-07",
            "--referrer", "self")
    assert invoke(b, "undo")[0] == 0
    assert git(b, "rev-parse", "HEAD^{tree}").strip() == git(b, "rev-parse",
                                                            f"{theirs}^{{tree}}").strip()


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
