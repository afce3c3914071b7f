"""A sealed repository: what commands write is sealed (only what changed), what is read
in bulk needs no key, one record is opened where it is shown, and hs validate reports a
plain value typed into a sealed field."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hs.app.keys import setup as setup_keys
from hs.app.sealing import open_keys, reveal, shown_name
from hs.app.validation import validate_tree
from hs.app.workflow import init_repository
from hs.store.identity import passphrase_from_file
from hs.store.repo import Repo
from tests.conftest import commit_all, created, git, invoke

NAME, NOTE, VISIT = "Zebedeus Quackenbush", "Landlord Oswaldo threatens", "Ilse was ill"


def forget_keys(root: Path) -> None:
    """A clone without the keys: its key store gone."""
    (root / ".git" / "hs" / "keys").unlink()


def make_key_store(root: Path) -> None:
    """This laptop's identity and key store, as hs init makes them (the passphrase from
    HS_PASSPHRASE_FILE, which the tests set)."""
    passphrase = passphrase_from_file()
    assert passphrase is not None
    setup_keys(root, passphrase, "one")


def seal_config(root: Path, keys: bool = True) -> None:
    """A sealed repository: ``sealed: true``, and (with ``keys``) a key store."""
    if keys:
        make_key_store(root)
    config = root / "records" / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "sealed: true\n", encoding="utf-8")
    commit_all(root, "sealed")


@pytest.fixture
def sealed_repo(empty_repo: Path, today: str) -> Path:
    seal_config(empty_repo)
    return empty_repo


def family_file(root: Path, fid: str) -> Path:
    return root / "records" / "families" / f"{fid}.yaml"


def a_story(root: Path) -> tuple[str, str, str]:
    fid = created(root, "family", "refer", "--location", "leuven", "--date", "2025-01-06",
                  "--referrer", "self", "--child", "2024-02", "--name", NAME)
    assert invoke(root, "family", "accept", fid, "--date", "2025-01-13")[0] == 0
    vid = created(root, "volunteer", "add", "--location", "leuven", "--gender", "f",
                  "--birth-year", "1970", "--joined", "2024-09-01", "--name", "Ilse Vroom")
    tid = created(root, "start", fid, vid, "--date", "2025-02-03")
    assert invoke(root, "visit", tid, "--date", "2025-02-10", "--note", VISIT)[0] == 0
    assert invoke(root, "signal", fid, "--theme", "housing", "--date", "2025-02-11",
                  "--note", NOTE)[0] == 0
    return fid, vid, tid


def test_every_written_personal_value_is_sealed_and_opens_with_its_owners_key(
        sealed_repo: Path) -> None:
    fid, vid, tid = a_story(sealed_repo)
    files = "".join(p.read_text(encoding="utf-8")
                    for p in (sealed_repo / "records").rglob("*.yaml"))
    for text in (NAME, NOTE, VISIT, "Ilse Vroom"):
        assert text not in files
    repo = Repo(sealed_repo)
    assert reveal(repo, fid) == {"name": NAME, "signals[0].note": NOTE}
    assert reveal(repo, vid) == {"name": "Ilse Vroom"}
    assert reveal(repo, tid) == {"visits[0].note": VISIT}  # sealed with the family's key
    keys = open_keys(repo)
    assert keys.key(fid) is not None and keys.key(vid) is not None
    assert keys.key(tid) is None  # a trajectory has no key of its own


def test_a_value_that_did_not_change_keeps_its_token_byte_for_byte(sealed_repo: Path) -> None:
    fid = created(sealed_repo, "family", "refer", "--location", "leuven", "--date",
                  "2025-01-06", "--referrer", "self", "--name", NAME)
    before = family_file(sealed_repo, fid).read_text(encoding="utf-8")
    assert invoke(sealed_repo, "family", "accept", fid, "--date", "2025-01-13")[0] == 0
    diff = git(sealed_repo, "diff", "HEAD~1", "--", f"records/families/{fid}.yaml")
    assert [line for line in diff.splitlines() if line[:1] in "+-" and "name:" in line] == []
    token = next(line for line in before.splitlines() if line.startswith("name: "))
    assert token in family_file(sealed_repo, fid).read_text(encoding="utf-8")


def test_bulk_reads_need_no_key_and_the_cache_holds_no_personal_data(
        sealed_repo: Path) -> None:
    fid, _, _ = a_story(sealed_repo)
    keys = open_keys(Repo(sealed_repo))
    assert isinstance(keys.key(fid), bytes)
    forget_keys(sealed_repo)
    for args in (("validate",), ("waitlist",), ("due",), ("kpi", "--year", "2025"),
                 ("list", "families")):
        code, _, err = invoke(sealed_repo, *args)
        assert code == 0, (args, err)
    tokens = [line.split(": ", 1)[1] for line in
              family_file(sealed_repo, fid).read_text(encoding="utf-8").splitlines()
              if "hs1:" in line]
    cache = b"".join(p.read_bytes() for p in (sealed_repo / ".hs").rglob("*") if p.is_file())
    for text in (NAME, NOTE, VISIT, *tokens):
        assert text.encode() not in cache
    code, out, _ = invoke(sealed_repo, "show", fid)
    assert code == 0 and "name: [sealed]" in out and "note: [sealed]" in out


def test_show_opens_the_record_where_the_clone_holds_the_key(sealed_repo: Path) -> None:
    fid, _, tid = a_story(sealed_repo)
    code, out, _ = invoke(sealed_repo, "show", fid)
    assert code == 0
    assert f"name: {NAME}" in out and f"note: {NOTE}" in out
    code, out, _ = invoke(sealed_repo, "show", tid, "--format", "json")
    assert f'"note": "{VISIT}"' in out


def test_validate_reports_a_plain_value_in_a_sealed_field_without_quoting_it(
        sealed_repo: Path) -> None:
    fid = created(sealed_repo, "family", "refer", "--location", "leuven", "--date",
                  "2025-01-06", "--referrer", "self", "--name", NAME)
    path = family_file(sealed_repo, fid)
    lines = path.read_text(encoding="utf-8").splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("name: "))
    lines[at] = "name: Bob Plainly"
    path.write_text("\n".join([*lines, "note: |", "  Onions in the hallway", ""]), encoding="utf-8")
    result = validate_tree(sealed_repo)
    assert [(p.path, p.line, p.code) for p in result.problems if p.severity == "error"] == [
        (f"records/families/{fid}.yaml", at + 1, "plain-personal"),
        (f"records/families/{fid}.yaml", len(lines) + 1, "plain-personal")]
    code, out, _ = invoke(sealed_repo, "validate")
    assert code == 1 and "Bob" not in out and "Onions" not in out
    assert validate_tree(sealed_repo).problems == result.problems  # warm: from the memo
    path.write_text("\n".join([*lines[:at], *lines[at + 1:], "note: |", "  Onions", ""]),
                    encoding="utf-8")  # a hand edit: only this file is read again
    assert [(p.line, p.code) for p in validate_tree(sealed_repo).problems
            if p.severity == "error"] == [(len(lines), "plain-personal")]


def test_validate_reports_a_plain_value_in_a_flow_collection_too(sealed_repo: Path) -> None:
    """A plain note typed in flow style (``signals: [{..., note: ...}]``), as the readers
    read it, is found at its line like one in the block layout; a token there is not."""
    fid, _, tid = a_story(sealed_repo)
    path = family_file(sealed_repo, fid)
    text = path.read_text(encoding="utf-8")
    head = text.split("signals:")[0]
    token = re.search(r"note: (hs1:\S+)", text.split("signals:")[1])
    assert token is not None
    path.write_text(head + "signals: [{date: 2025-02-11, theme: housing, note: "
                    f"{token[1]}}},\n"
                    "  {date: 2025-02-12, theme: housing, note: Landlord Oswaldo},\n"
                    "  {date: 2025-02-13, theme: housing, note: 'Plainly, again'}]\n",
                    encoding="utf-8")
    lines = len(head.splitlines())
    result = validate_tree(sealed_repo)
    assert [(p.path, p.line, p.code) for p in result.problems if p.severity == "error"] == [
        (f"records/families/{fid}.yaml", lines + 2, "plain-personal"),
        (f"records/families/{fid}.yaml", lines + 3, "plain-personal")]
    tpath = sealed_repo / "records" / "trajectories" / f"{tid}.yaml"
    ttext = tpath.read_text(encoding="utf-8")
    tpath.write_text(ttext + "reviews: [{date: 2025-03-01, kind: start, note: Fine}]\n",
                     encoding="utf-8")
    found = [(p.path, p.line) for p in validate_tree(sealed_repo).problems
             if p.code == "plain-personal"]
    assert (f"records/trajectories/{tid}.yaml", len(ttext.splitlines()) + 1) in found
    code, out, _ = invoke(sealed_repo, "validate")
    assert code == 1 and "Oswaldo" not in out and "Plainly" not in out and "Fine" not in out


def test_a_plain_repository_is_left_plain(empty_repo: Path, today: str) -> None:
    fid = created(empty_repo, "family", "refer", "--location", "leuven", "--date",
                  "2025-01-06", "--referrer", "self", "--name", NAME)
    assert f"name: {NAME}" in family_file(empty_repo, fid).read_text(encoding="utf-8")
    assert not (empty_repo / ".git" / "hs" / "keys").exists()
    assert invoke(empty_repo, "validate")[0] == 0
    assert reveal(Repo(empty_repo), fid) == {"name": NAME}


def test_hs_init_makes_a_sealed_repository(tmp_path: Path, today: str) -> None:
    root = tmp_path / "new"
    init_repository(root)
    config = Repo(root).index.config
    assert config.get("sealed") is True
    assert str(config["retention"]["consent_since"]) == today


def test_a_clone_without_the_key_writes_plain_fields_but_never_a_second_key(
        sealed_repo: Path) -> None:
    fid, _, tid = a_story(sealed_repo)
    forget_keys(sealed_repo)
    head = git(sealed_repo, "rev-parse", "HEAD")
    for args in (("signal", fid, "--theme", "housing", "--date", "2025-03-01", "--note", "x"),
                 ("visit", tid, "--date", "2025-03-02", "--note", "y")):
        code, _, err = invoke(sealed_repo, *args)
        assert code == 1 and f"does not hold the key of {fid}" in err
    assert git(sealed_repo, "rev-parse", "HEAD") == head
    assert invoke(sealed_repo, "visit", tid, "--date", "2025-03-02", "--minutes", "60")[0] == 0
    assert open_keys(Repo(sealed_repo)).key(fid) is None


def test_shown_name_for_tables(sealed_repo: Path) -> None:
    fid, vid, tid = a_story(sealed_repo)
    repo = Repo(sealed_repo)
    keys = open_keys(repo)
    assert [shown_name(repo, x, keys=keys) for x in (fid, vid, tid)] == [
        NAME, "Ilse Vroom", None]
    assert invoke(sealed_repo, "erase", vid, "--yes")[0] == 0
    forget_keys(sealed_repo)
    assert [shown_name(Repo(sealed_repo), x, "family" if x == fid else "volunteer")
            for x in (fid, vid)] == ["[sealed]", "[erased]"]


def test_tables_open_sealed_names_only_where_the_clone_holds_the_key(
        sealed_repo: Path) -> None:
    a_story(sealed_repo)
    code, out, err = invoke(sealed_repo, "list", "families", "--names", "-f", "csv")
    assert code == 0, err
    assert NAME in out and "hs1:" not in out
    forget_keys(sealed_repo)
    code, out, err = invoke(sealed_repo, "list", "families", "--names", "-f", "csv")
    assert code == 0, err
    assert NAME not in out and "[sealed]" in out and "hs1:" not in out
