"""`hs init`'s keys, `hs keys` and the key store's travel through `hs sync` (issue 13)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hs.cli import app
from hs.store import gitsync
from hs.store import identity as ident
from hs.store.keys import Keys
from tests.conftest import age, copy_tree, git, invoke


def hs_init(target: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["init", str(target), *args])
    return result.exit_code, result.stdout, result.stderr


def build_laptops(top: Path) -> None:
    """In ``top``: laptop ``a`` (made by hs init, label ``one``; its recovery key in
    ``rec``), a bare remote ``remote.git`` it synced to, and laptop ``b`` (a clone of it,
    synced once: it holds the store but is not enrolled)."""
    a, bare, b = top / "a", top / "remote.git", top / "b"
    assert hs_init(a, "--label", "one", "--recovery-out", str(top / "rec"))[0] == 0
    git(top, "init", "-q", "--bare", "-b", "main", str(bare))
    git(a, "remote", "add", "origin", str(bare))
    code, _, err = invoke(a, "sync")
    assert code == 0, err
    git(top, "clone", "-q", str(bare), str(b))
    assert invoke(b, "sync")[0] == 0


@pytest.fixture(scope="session")
def _laptops_built() -> dict[str, Path]:
    return {}


@pytest.fixture
def laptops(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory,
            _laptops_built: dict[str, Path]) -> tuple[Path, Path, Path]:
    """A copy of :func:`build_laptops`'s folder in ``tmp_path`` (built once per session,
    in the first test that asks, with its environment), each laptop's remote set to the
    copy's: laptop ``a``, the bare remote, laptop ``b``."""
    if "top" not in _laptops_built:
        top = tmp_path_factory.mktemp("laptops")
        build_laptops(top)
        age(top / "a")
        age(top / "b")
        _laptops_built["top"] = top
    for item in _laptops_built["top"].iterdir():
        if item.is_dir():
            copy_tree(item, tmp_path / item.name)
        else:
            shutil.copy(item, tmp_path / item.name)
    a, bare, b = tmp_path / "a", tmp_path / "remote.git", tmp_path / "b"
    for laptop in (a, b):
        git(laptop, "remote", "set-url", "origin", str(bare))
    return a, bare, b


def enrol(a: Path, b: Path, label: str = "two") -> None:
    code, public, err = invoke(b, "keys", "request")
    assert code == 0, err
    assert invoke(a, "keys", "add", public.strip(), "--label", label)[0] == 0
    for laptop in (a, b):
        code, _, err = invoke(laptop, "sync")
        assert code == 0 and "not synced" not in err, err


def key_objects(root: Path) -> list[str]:
    """The objects of the clone's git folder that hold a key store."""
    listing = git(root, "cat-file", "--batch-all-objects", "--batch-check").splitlines()
    found = []
    for line in listing:
        sha, kind, _ = line.split()
        if kind == "blob" and b'"hs-keys-1"' in subprocess.run(
                ["git", "cat-file", "blob", sha], cwd=root, capture_output=True).stdout:
            found.append(sha)
    return found


def test_init_refuses_without_a_passphrase_file_or_terminal(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HS_PASSPHRASE_FILE")
    assert hs_init(tmp_path / "new") == (
        2, "", "hs: a new identity for this laptop needs a passphrase: run this at a "
        "terminal, or name a file holding it in HS_PASSPHRASE_FILE\n")
    assert not (tmp_path / "new").exists()


def test_init_asks_again_when_the_two_passphrases_differ(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Finding 18: a typo in the second passphrase asks again, up to three times; then
    a usage error (exit 2: nothing is wrong with any data), and nothing made."""
    monkeypatch.delenv("HS_PASSPHRASE_FILE")
    monkeypatch.setattr(ident, "on_terminal", lambda: True)
    answers = iter(["one", "onr", "one", "one"])
    monkeypatch.setattr(ident.getpass, "getpass", lambda prompt: next(answers))
    code, _, err = hs_init(tmp_path / "new", "--label", "office-1")
    assert code == 0, err
    assert err.startswith("The two passphrases differ, try again.\nrecords repository "
                          "created at")
    answers = iter(["one", "two", "een", "twee", "uno", "dos", "never asked"])
    result = CliRunner().invoke(app, ["--lang", "nl", "init", str(tmp_path / "other")])
    code, out, err = result.exit_code, result.stdout, result.stderr
    assert (code, out, err) == (2, "", "De twee wachtzinnen verschillen, probeer opnieuw.\n"
                                "De twee wachtzinnen verschillen, probeer opnieuw.\n"
                                "hs: de twee wachtzinnen verschilden 3 keer; er werd niets "
                                "gemaakt\n")
    assert next(answers) == "never asked"
    assert not (tmp_path / "other").exists()


def test_init_makes_the_identity_the_store_and_a_recovery_key_shown_once(
        tmp_path: Path) -> None:
    code, out, err = hs_init(tmp_path / "new", "--label", "office-1")
    assert code == 0, err
    recovery = out.strip()
    assert recovery.startswith("HS-RECOVERY-") and out.count("\n") == 1
    assert err.startswith("records repository created at")
    assert "The location's recovery key, shown this once: keep it offline" in err
    root = tmp_path / "new"
    assert sorted(p.name for p in (root / ".git" / "hs").iterdir()) == [
        "identity", "keys", "keys.lock"]
    assert git(root, "status", "--porcelain", "--ignored") == ""  # nothing in the tree
    keys = Keys.open(root)
    keys.unlock_with(ident.parse_recovery(recovery))
    assert [(r.kind, r.label) for r in keys.recipients()] == [("laptop", "office-1"),
                                                              ("recovery", "recovery")]


def test_init_writes_the_recovery_key_to_a_new_private_file(tmp_path: Path) -> None:
    out_file = tmp_path / "recovery.txt"
    code, out, err = hs_init(tmp_path / "new", "--recovery-out", str(out_file))
    assert (code, out) == (0, "")
    assert f"the recovery key is in {out_file}: keep it offline" in err
    assert oct(out_file.stat().st_mode & 0o777) == "0o600"
    assert ident.parse_recovery(out_file.read_text())
    code, _, err = hs_init(tmp_path / "other", "--recovery-out", str(out_file))
    assert (code, err) == (2, f"hs: {out_file} exists already: give a new file for the "
                              "recovery key\n")
    assert not (tmp_path / "other").exists()


def test_keys_list_shows_laptops_and_counts_without_ids(laptops: tuple[Path, Path, Path]
                                                        ) -> None:
    a, _, b = laptops
    enrol(a, b)
    keys = Keys.open(a)
    keys.create("f00000001")
    keys.destroy("f00000001")
    keys.create("v00000001")
    keys.save()
    code, out, err = invoke(a, "keys", "list", "--format", "csv")
    assert code == 0
    one = ident.public_text(ident.public_of(a) or b"")[:18]
    two = ident.public_text(ident.public_of(b) or b"")[:18]
    rec = ident.public_text(ident.parse_recovery((a.parent / "rec").read_text()).public)
    assert out.splitlines() == ["label,kind,identity,this_laptop", f"one,laptop,{one},yes",
                                f"two,laptop,{two},no", f"recovery,recovery,{rec[:18]},no"]
    assert err == "1 data keys, 1 erased\n"
    code, out, _ = invoke(a, "keys", "list", "--format", "json")
    assert [(row["label"], row["this_laptop"]) for row in json.loads(out)] == [
        ("one", True), ("two", False), ("recovery", False)]


def test_a_laptop_is_enrolled_and_keys_made_on_two_laptops_at_once_both_survive(
        laptops: tuple[Path, Path, Path]) -> None:
    a, bare, b = laptops
    code, _, err = invoke(b, "keys", "list")
    assert (code, err) == (1, "hs: this laptop has no identity for the key store: hs keys "
                              "request, then hs keys add on an enrolled laptop (or hs keys "
                              "recover)\n")
    enrol(a, b)
    ka, kb = Keys.open(a), Keys.open(b)
    one, two = ka.create("f00000001"), kb.create("f00000002")
    ka.save()
    kb.save()
    for laptop in (a, b, a):
        code, _, err = invoke(laptop, "sync")
        assert code == 0 and "not synced" not in err, err
    for laptop in (a, b):
        keys = Keys.open(laptop)
        assert (keys.key("f00000001"), keys.key("f00000002")) == (one, two)
    # the remote holds one parentless commit; the clones keep no copy in git's objects
    remote = git(bare, "rev-parse", gitsync.KEYS_REF).strip()
    assert git(bare, "rev-list", "--parents", "-n", "1", remote).split() == [remote]
    assert git(bare, "ls-tree", "--name-only", remote).split() == ["keys"]
    assert key_objects(a) == key_objects(b) == []
    assert "refs/hs" not in git(a, "for-each-ref") + git(b, "for-each-ref")


def test_an_erased_key_stays_erased_on_every_clone(laptops: tuple[Path, Path, Path]) -> None:
    a, _, b = laptops
    enrol(a, b)
    keys = Keys.open(a)
    keys.create("f00000001")
    keys.save()
    assert invoke(a, "sync")[0] == 0
    assert invoke(b, "sync")[0] == 0
    assert Keys.open(b).key("f00000001") is not None
    keys = Keys.open(a)
    keys.destroy("f00000001")
    keys.save()
    # b still holds the key and syncs first: the merge must not bring it back
    assert invoke(b, "sync")[0] == 0
    assert invoke(a, "sync")[0] == 0
    assert invoke(b, "sync")[0] == 0
    for laptop in (a, b):
        assert Keys.open(laptop).key("f00000001") is None
        assert Keys.open(laptop).erased("f00000001")


def test_a_removed_laptop_cannot_open_the_next_store(laptops: tuple[Path, Path, Path]
                                                     ) -> None:
    a, _, b = laptops
    enrol(a, b)
    code, _, err = invoke(a, "keys", "remove", "one")
    assert (code, err) == (2, "hs: 'one' is this laptop: remove it from another enrolled "
                              "laptop\n")
    code, _, err = invoke(a, "keys", "remove", "two")
    assert code == 0
    assert err.startswith("'two' is removed and the key store sealed under a new key")
    keys = Keys.open(a)
    keys.create("f00000009")
    keys.save()
    assert invoke(a, "sync")[0] == 0
    code, _, err = invoke(b, "sync")
    assert code == 0
    assert err.endswith("; the key store was not synced: the remote's key store is not "
                        "open to this laptop (removed with hs keys remove?)\n")
    # b keeps the copy it had (the threat model says so), and gets no new key
    assert Keys.open(b).key("f00000009") is None
    assert [r.label for r in Keys.open(a).recipients()] == ["one", "recovery"]


def test_a_new_laptop_enrols_with_the_recovery_key(laptops: tuple[Path, Path, Path],
                                                    tmp_path: Path) -> None:
    a, _, b = laptops
    keys = Keys.open(a)
    k = keys.create("f00000001")
    keys.save()
    assert invoke(a, "sync")[0] == 0
    assert invoke(b, "sync")[0] == 0
    bad = tmp_path / "bad"
    bad.write_text("HS-RECOVERY-AAAA\n")
    code, _, err = invoke(b, "keys", "recover", "--recovery-file", str(bad))
    assert code == 2 and err.startswith("hs: not a recovery key of hs")
    code, _, err = invoke(b, "keys", "recover", "--recovery-file", str(tmp_path / "rec"),
                          "--label", "spare")
    assert (code, err) == (0, "this laptop is enrolled as 'spare'; run hs sync to send the "
                              "key store\n")
    assert Keys.open(b).key("f00000001") == k
    assert invoke(b, "sync")[0] == 0
    assert invoke(a, "sync")[0] == 0
    assert [r.label for r in Keys.open(a).recipients()] == ["one", "spare", "recovery"]


def test_a_locked_laptop_syncs_the_records_and_says_the_keys_waited(
        laptops: tuple[Path, Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    a, _, b = laptops
    enrol(a, b)
    keys = Keys.open(b)
    keys.create("f00000001")
    keys.save()
    assert invoke(a, "sync")[0] == 0  # the remote's store differs from b's now
    ident.forget()
    monkeypatch.delenv("HS_PASSPHRASE_FILE")
    code, _, err = invoke(b, "sync")
    assert code == 0
    assert err == ("synced with origin: in 0 commits, 0 records; out 0 commits, 0 records; "
                   "the key store was not synced: the key store is locked: give the "
                   "passphrase at a terminal, or name a file holding it in "
                   "HS_PASSPHRASE_FILE\n")


def test_a_key_store_pushed_meanwhile_is_merged_not_overwritten(
        laptops: tuple[Path, Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    a, _, b = laptops
    enrol(a, b)
    ka = Keys.open(a)
    one = ka.create("f00000001")
    ka.save()
    kb = Keys.open(b)
    two = kb.create("f00000002")
    kb.save()
    # b fetched the remote's store before a pushed its own: b's first push is refused
    real_fetch = gitsync.fetch_keys
    calls: list[int] = []

    def stale_first(root: Path, remote: str) -> tuple[str | None, bytes | None]:
        found = real_fetch(root, remote)
        if not calls:
            calls.append(1)
            assert invoke(a, "sync")[0] == 0
        return found

    with monkeypatch.context() as m:
        m.setattr(gitsync, "fetch_keys", stale_first)
        assert invoke(b, "sync")[0] == 0
    assert invoke(a, "sync")[0] == 0
    for laptop in (a, b):
        keys = Keys.open(laptop)
        assert (keys.key("f00000001"), keys.key("f00000002")) == (one, two)


def test_keys_lock_without_an_agent_says_so() -> None:
    result = CliRunner().invoke(app, ["keys", "lock"])
    assert (result.exit_code, result.stderr) == (0, "no agent was running\n")


def test_keys_list_says_its_counts_once_and_the_kinds_in_dutch(
        laptops: tuple[Path, Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    a = laptops[0]
    monkeypatch.setenv("COLUMNS", "100")
    code, out, err = invoke(a, "--lang", "nl", "keys", "list", "--format", "table")
    assert code == 0 and err == ""
    assert out.count("0 gegevenssleutels, 0 gewist") == 1
    assert "herstelsleutel" in out
    code, out, err = invoke(a, "--lang", "nl", "keys", "list", "--format", "plain")
    assert err == "0 gegevenssleutels, 0 gewist\n" and "gegevenssleutels" not in out
    assert [line.split()[1] for line in out.splitlines()[1:]] == ["laptop", "herstelsleutel"]
    code, out, _ = invoke(a, "--lang", "nl", "keys", "list", "--format", "csv")
    assert out.splitlines()[-1].startswith("recovery,recovery,")


def test_keys_add_says_a_truncated_identity_is_mistyped(laptops: tuple[Path, Path, Path]
                                                        ) -> None:
    """Finding 19: an identity that begins with hs-id- but lost a letter (or has a typo)
    is said to be incomplete or mistyped, not to lack its hs-id- start."""
    a, _, b = laptops
    public = invoke(b, "keys", "request")[1].strip()
    assert invoke(a, "--lang", "nl", "keys", "add", public[:-1], "--label", "two") == (
        2, "", "hs: de publieke identiteit is onvolledig of verkeerd overgetypt (het "
        "controlegetal klopt niet)\n")
    typo = public[:-1] + ("b" if public.endswith("a") else "a")
    assert invoke(a, "keys", "add", typo, "--label", "two") == (
        2, "", "hs: the public identity is incomplete or mistyped (its check digits do not "
        "match)\n")
    assert invoke(a, "keys", "add", "laptop-2", "--label", "two") == (
        2, "", "hs: not a public identity of hs (it starts with hs-id-)\n")


def test_sync_says_when_the_key_store_went_out_or_came_in(tmp_path: Path) -> None:
    """Finding 20: the key store travels beside the records (refs/hs/keys); the summary
    line says when it went out or came in, and nothing when it did neither."""
    a, bare, b = tmp_path / "a", tmp_path / "remote.git", tmp_path / "b"
    assert hs_init(a, "--label", "one", "--recovery-out", str(tmp_path / "rec"))[0] == 0
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(bare))
    git(a, "remote", "add", "origin", str(bare))
    nothing = "synced with origin: in 0 commits, 0 records; out 0 commits, 0 records"
    assert invoke(a, "sync") == (0, "", "synced with origin: in 0 commits, 0 records; "
                                 "out 1 commit, 2 records; key store sent\n")
    git(tmp_path, "clone", "-q", str(bare), str(b))
    assert invoke(b, "sync") == (0, "", nothing + "; key store received\n")
    public = invoke(b, "keys", "request")[1].strip()
    assert invoke(a, "keys", "add", public, "--label", "two")[0] == 0
    assert invoke(a, "sync") == (0, "", nothing + "; key store sent\n")
    assert invoke(b, "--lang", "nl", "sync") == (
        0, "", "gesynchroniseerd met origin: ontvangen 0 commits, 0 records; verstuurd "
        "0 commits, 0 records; sleutelkluis ontvangen\n")
    assert invoke(a, "sync") == (0, "", nothing + "\n")
