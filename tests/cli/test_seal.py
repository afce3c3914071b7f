"""`hs edit`, `hs erase`, `hs seal` on the command line."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from hs.app.sealing import open_keys, reveal
from hs.store.repo import Repo
from tests.app.test_sealing import NAME, NOTE, VISIT, a_story, family_file, seal_config
from tests.conftest import created, git, invoke


@pytest.fixture
def sealed_repo(empty_repo: Path, today: str) -> Path:
    seal_config(empty_repo)
    return empty_repo


def figures(root: Path, year: str = "2025") -> object:
    """The annual figures of a year (JSON), without the revision they were read at."""
    data = json.loads(invoke(root, "kpi", "--year", year, "--format", "json")[1])
    data.pop("revision")
    return data


def editor(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, old: str, new: str) -> None:
    """$EDITOR: a script that replaces ``old`` by ``new`` in the file it is given."""
    script = tmp_path / "editor.py"
    script.write_text("import sys, pathlib\np = pathlib.Path(sys.argv[1])\n"
                      f"p.write_text(p.read_text().replace({old!r}, {new!r}))\n")
    monkeypatch.setenv("EDITOR", f"{sys.executable} {script}")
    monkeypatch.delenv("VISUAL", raising=False)


def test_edit_opens_sealed_fields_and_seals_again_only_what_changed(
        sealed_repo: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fid, _, _ = a_story(sealed_repo)
    before = family_file(sealed_repo, fid).read_text(encoding="utf-8").splitlines()
    commits = git(sealed_repo, "rev-list", "--count", "HEAD")
    editor(monkeypatch, tmp_path, "Oswaldo", "Osvaldo")
    code, _, err = invoke(sealed_repo, "edit", fid)
    assert code == 0, err
    assert int(git(sealed_repo, "rev-list", "--count", "HEAD")) == int(commits) + 1
    after = family_file(sealed_repo, fid).read_text(encoding="utf-8").splitlines()
    changed = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
    assert len(changed) == 1 and changed[0][1].startswith("  note: hs1:")
    assert reveal(Repo(sealed_repo), fid) == {"name": NAME,
                                              "signals[0].note": NOTE.replace("Osw", "Osv")}
    assert "Osvaldo" not in git(sealed_repo, "log", "-p", "--all")
    assert not list(Path(tmp_path).glob("hs-edit-*"))


def test_edit_changes_plain_fields_too_and_nothing_when_nothing_changed(
        sealed_repo: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fid, _, _ = a_story(sealed_repo)
    editor(monkeypatch, tmp_path, "born: 2024-02", "born: 2024-03")
    assert invoke(sealed_repo, "edit", fid)[0] == 0
    assert "born: 2024-03" in family_file(sealed_repo, fid).read_text(encoding="utf-8")
    head = git(sealed_repo, "rev-parse", "HEAD")
    editor(monkeypatch, tmp_path, "nothing-here", "x")
    code, _, err = invoke(sealed_repo, "edit", fid)
    assert (code, err) == (0, f"family {fid}: nothing changed\n")
    assert git(sealed_repo, "rev-parse", "HEAD") == head


def test_a_rejected_edit_changes_nothing(sealed_repo: Path, monkeypatch: pytest.MonkeyPatch,
                                         tmp_path: Path) -> None:
    fid, _, _ = a_story(sealed_repo)
    text = family_file(sealed_repo, fid).read_text(encoding="utf-8")
    head = git(sealed_repo, "rev-parse", "HEAD")
    for old, new in (("location: leuven", "location: nowhere"),
                     ("born: 2024-02", "born: 2024-13")):
        editor(monkeypatch, tmp_path, old, new)
        code, _, err = invoke(sealed_repo, "edit", fid)
        assert code == 1 and "nothing was written" in err and NAME not in err
    assert family_file(sealed_repo, fid).read_text(encoding="utf-8") == text
    assert git(sealed_repo, "rev-parse", "HEAD") == head
    assert git(sealed_repo, "status", "--porcelain") == ""


def test_a_rejected_edit_says_every_problem(sealed_repo: Path,
                                            monkeypatch: pytest.MonkeyPatch,
                                            tmp_path: Path) -> None:
    """Not only the first problem: each on a line of its own, ``file:line: message``."""
    fid, _, _ = a_story(sealed_repo)
    head = git(sealed_repo, "rev-parse", "HEAD")
    rel = f"records/families/{fid}.yaml"
    lines = family_file(sealed_repo, fid).read_text(encoding="utf-8").splitlines()
    born = next(i for i, line in enumerate(lines) if "born: 2024-02" in line) + 1
    referred = next(i for i, line in enumerate(lines) if "date: 2025-01-06" in line) + 1
    script = tmp_path / "editor.py"
    script.write_text("import sys, pathlib\np = pathlib.Path(sys.argv[1]); t = p.read_text()\n"
                      "t = t.replace('born: 2024-02', 'born: 2024-13')\n"
                      "t = t.replace('date: 2025-01-06', 'date: 2025-01-99', 1)\n"
                      "p.write_text(t)\n")
    monkeypatch.setenv("EDITOR", f"{sys.executable} {script}")
    monkeypatch.delenv("VISUAL", raising=False)
    code, out, err = invoke(sealed_repo, "edit", fid)
    assert (code, out) == (1, "")
    said = err.splitlines()
    assert said[0] == f"hs: {rel}: 2 problems, nothing was written:"
    assert [line.split(": ")[0] for line in said[1:]] == [f"{rel}:{born}", f"{rel}:{referred}"] \
        or [line.split(": ")[0] for line in said[1:]] == [f"{rel}:{referred}", f"{rel}:{born}"]
    assert NAME not in err
    assert git(sealed_repo, "rev-parse", "HEAD") == head


def test_history_opens_sealed_values_where_this_clone_holds_the_key(
        sealed_repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The coordinator reads names and notes in hs history, not tokens; "[sealed]" where
    this clone lacks the key."""
    import csv
    import io

    from hs.app import sealing

    fid, _, tid = a_story(sealed_repo)

    def changes(*args: str) -> list[list[str]]:
        code, out, err = invoke(sealed_repo, "history", *args, "-f", "csv")
        assert code == 0, err
        return [row[5:] for row in csv.reader(io.StringIO(out))][1:]  # field, old, new

    assert changes(fid) == [
        ["location", "", "leuven"], ["name", "", NAME], ["children[+]", "", "{born: 2024-02}"],
        ["referrals[+]", "", "{date: 2025-01-06, referrer: self}"],
        ["referrals[0].decisions[+]", "", "{date: 2025-01-13, decision: accepted}"],
        ["signals[+]", "", f"{{date: 2025-02-11, theme: housing, note: {NOTE}}}"]]
    assert changes(tid)[-1] == ["visits[+]", "", f"{{date: 2025-02-10, note: {VISIT}}}"]

    class NoKeys:
        def key(self, owner: str) -> None:
            return None

        def erased(self, owner: str) -> bool:
            return False

    monkeypatch.setattr(sealing, "open_keys", lambda store: NoKeys())
    assert changes(fid)[1] == ["name", "", "[sealed]"]
    assert changes(tid)[-1] == ["visits[+]", "", "{date: 2025-02-10, note: [sealed]}"]


def test_erase_needs_yes_without_a_terminal(sealed_repo: Path) -> None:
    fid, _, _ = a_story(sealed_repo)
    code, _, err = invoke(sealed_repo, "erase", fid)
    assert code == 2 and "--yes" in err
    assert open_keys(Repo(sealed_repo)).key(fid) is not None


def test_erase_destroys_the_key_in_one_commit_and_the_figures_stay(sealed_repo: Path) -> None:
    fid, vid, tid = a_story(sealed_repo)
    kpi = figures(sealed_repo)
    code, _, err = invoke(sealed_repo, "erase", fid, "--yes")
    assert code == 0, err
    assert err.startswith(f"erased 1 record: {fid} [commit ")
    message = git(sealed_repo, "log", "-1", "--format=%B")
    assert "Hs-Action: record.erase" in message and "Hs-Reason: request" in message
    assert git(sealed_repo, "show", "--stat", "--format=", "HEAD").split()[0] == \
        f"records/families/{fid}.yaml"
    assert "erased: 2025-12-31" in family_file(sealed_repo, fid).read_text(encoding="utf-8")
    keys = open_keys(Repo(sealed_repo))
    assert keys.key(fid) is None and keys.erased(fid) and keys.key(vid) is not None
    assert reveal(Repo(sealed_repo), fid) == {"name": None, "signals[0].note": None}
    assert reveal(Repo(sealed_repo), tid) == {"visits[0].note": None}
    out = invoke(sealed_repo, "show", fid)[1]
    assert "name: [erased]" in out and "note: [erased]" in out
    assert "note: [erased]" in invoke(sealed_repo, "show", tid)[1]
    assert figures(sealed_repo) == kpi
    assert invoke(sealed_repo, "validate")[0] == 0


def test_erase_takes_only_families_and_volunteers(sealed_repo: Path) -> None:
    _, _, tid = a_story(sealed_repo)
    code, _, err = invoke(sealed_repo, "erase", tid, "--yes")
    assert code == 2 and "only a family or a volunteer" in err


def test_erase_in_a_plain_repository_removes_the_values_and_says_history_holds_them(
        empty_repo: Path, today: str) -> None:
    fid, _, _ = a_story(empty_repo)
    code, _, err = invoke(empty_repo, "erase", fid, "--yes")
    assert code == 0 and "earlier revisions still hold them" in err
    tree = "".join(p.read_text(encoding="utf-8")
                   for p in (empty_repo / "records").rglob("*.yaml"))
    assert NAME not in tree and NOTE not in tree and VISIT not in tree
    assert "Ilse Vroom" in tree  # the volunteer was not erased


def test_seal_converts_a_repository_in_one_commit(empty_repo: Path, today: str) -> None:
    fid, vid, tid = a_story(empty_repo)
    head = git(empty_repo, "rev-parse", "HEAD")
    kpi = figures(empty_repo)
    code, _, err = invoke(empty_repo, "seal")
    assert code == 0, err
    assert "earlier revisions still hold the plain values" in err
    assert git(empty_repo, "rev-parse", "HEAD~1") == head
    files = sorted(git(empty_repo, "show", "--name-only", "--format=", "HEAD").split())
    assert files == sorted(["records/config.yaml", f"records/families/{fid}.yaml",
                            f"records/volunteers/{vid}.yaml",
                            f"records/trajectories/{tid}.yaml"])
    tree = "".join(p.read_text(encoding="utf-8")
                   for p in (empty_repo / "records").rglob("*.yaml"))
    assert NAME not in tree and NOTE not in tree and VISIT not in tree
    assert "sealed: true" in tree
    assert reveal(Repo(empty_repo), tid) == {"visits[0].note": VISIT}
    assert figures(empty_repo) == kpi
    assert invoke(empty_repo, "validate")[0] == 0
    again = invoke(empty_repo, "seal")
    assert again == (0, "", "nothing to seal: every name and note is sealed already\n")


def test_show_json_of_an_erased_volunteer(sealed_repo: Path) -> None:
    vid = created(sealed_repo, "volunteer", "add", "--location", "leuven", "--gender", "m",
                  "--birth-year", "1980", "--joined", "2024-09-01", "--name", "Piet Zand")
    assert invoke(sealed_repo, "erase", vid, "--yes")[0] == 0
    data = json.loads(invoke(sealed_repo, "show", vid, "--format", "json")[1])["data"]
    assert data["name"] == "[erased]" and data["erased"] == "2025-12-31"


def test_edit_in_a_plain_repository_keeps_values_plain(
        empty_repo: Path, today: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fid = created(empty_repo, "family", "refer", "--location", "leuven", "--date",
                  "2025-01-06", "--referrer", "self", "--name", NAME)
    editor(monkeypatch, tmp_path, NAME, "Zeb Q.")
    assert invoke(empty_repo, "edit", fid)[0] == 0
    text = family_file(empty_repo, fid).read_text(encoding="utf-8")
    assert "name: Zeb Q.\n" in text and "hs1:" not in text and "# hs edit" not in text


def test_erase_again_says_so_in_one_line_and_commits_nothing(sealed_repo: Path) -> None:
    fid, _, _ = a_story(sealed_repo)
    assert invoke(sealed_repo, "erase", fid, "--yes")[0] == 0
    head = git(sealed_repo, "rev-parse", "HEAD")
    assert invoke(sealed_repo, "erase", fid, "--yes") == (
        1, "", f"hs: {fid} was erased already: nothing to do\n")
    assert git(sealed_repo, "rev-parse", "HEAD") == head
    code, _, err = invoke(sealed_repo, "--lang", "nl", "erase", fid, "--yes")
    assert (code, err) == (1, f"hs: {fid} is al gewist: er is niets te doen\n")


def test_erase_again_in_a_plain_repository(empty_repo: Path, today: str) -> None:
    fid, _, _ = a_story(empty_repo)
    assert invoke(empty_repo, "erase", fid, "--yes")[0] == 0
    code, _, err = invoke(empty_repo, "erase", fid, "--yes")
    assert (code, err) == (1, f"hs: {fid} was erased already: nothing to do\n")


def test_erase_asks_in_dutch_and_takes_j_and_commits_a_dutch_subject(
        sealed_repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from hs.cli import app
    from hs.cli import seal as cli_seal

    fid, _, _ = a_story(sealed_repo)
    monkeypatch.setattr(cli_seal, "_tty", lambda: True)
    args = ["--lang", "nl", "erase", fid, "--repo", str(sealed_repo)]
    r = CliRunner().invoke(app, args, input="x\nnee\n")
    assert r.exit_code == 1
    assert r.stderr.count("[j/N]: ") == 2 and "antwoord j (ja) of n (nee)\n" in r.stderr
    assert open_keys(Repo(sealed_repo)).key(fid) is not None
    r = CliRunner().invoke(app, args, input="j\n")
    assert r.exit_code == 0, r.stderr
    assert git(sealed_repo, "log", "-1", "--format=%s").strip() == f"1 record gewist: {fid}"


def test_edit_says_the_kind_in_dutch_and_reopens_on_ja(
        empty_repo: Path, today: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from hs.cli import app
    from hs.cli import seal as cli_seal

    fid = created(empty_repo, "family", "refer", "--location", "leuven", "--date",
                  "2025-01-06", "--referrer", "self", "--name", NAME)
    monkeypatch.setattr(cli_seal, "_tty", lambda: True)
    script = tmp_path / "editor.py"  # first a date that is no date, then a good name
    script.write_text(
        "import sys, pathlib\np = pathlib.Path(sys.argv[1]); t = p.read_text()\n"
        "t = t.replace('2025-01-06', 'nodate', 1) if '2025-01-06' in t "
        f"else t.replace('nodate', '2025-01-06', 1).replace({NAME!r}, 'Zeb Q.')\n"
        "p.write_text(t)\n")
    monkeypatch.setenv("EDITOR", f"{sys.executable} {script}")
    monkeypatch.delenv("VISUAL", raising=False)
    r = CliRunner().invoke(app, ["--lang", "nl", "edit", fid, "--repo", str(empty_repo)],
                           input="ja\n")
    assert r.exit_code == 0, r.stderr
    assert "de editor opnieuw openen? [J/n]: " in r.stderr
    assert f"gezin {fid}: bewerkt" in r.stderr
    assert git(empty_repo, "log", "-1", "--format=%s").strip() == f"gezin {fid}: bewerkt"
    monkeypatch.setenv("EDITOR", "true")
    assert invoke(empty_repo, "edit", fid) == (0, "", f"family {fid}: nothing changed\n")
