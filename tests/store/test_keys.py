"""The key store, the laptop identity and the agent (issue 13)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from hs.base.errors import HsError, UsageError
from hs.base.i18n import set_language
from hs.store import agent
from hs.store import identity as ident
from hs.store.identity import Identity
from hs.store.keys import LAPTOP, RECOVERY, Keys, Payload, Recipient, merge_payloads
from tests.conftest import PASSPHRASE, init_git


@pytest.fixture
def clone(tmp_path: Path) -> Path:
    root = tmp_path / "clone"
    root.mkdir()
    init_git(root)
    return root


def _new_store(root: Path) -> Identity:
    """An identity for ``root`` and a store open to it and to a recovery key (returned)."""
    me = Identity.generate()
    ident.save(root, me, PASSPHRASE)
    recovery = Identity.generate()
    Keys.new(root, Recipient(me.public, LAPTOP, "one"),
             Recipient(recovery.public, RECOVERY, "recovery")).save()
    return recovery


def test_identity_and_store_live_in_the_git_folder_readable_by_their_owner(clone: Path) -> None:
    _new_store(clone)
    folder = clone / ".git" / "hs"
    assert sorted(p.name for p in folder.iterdir()) == ["identity", "keys", "keys.lock"]
    assert oct(folder.stat().st_mode & 0o777) == "0o700"
    for name in ("identity", "keys"):
        assert oct((folder / name).stat().st_mode & 0o777) == "0o600"
    data = json.loads((folder / "identity").read_text())
    assert data["cost"] == 10  # HS_SCRYPT_COST of the test suite
    assert set(data) == {"format", "public", "kdf", "cost", "r", "p", "salt", "nonce",
                         "sealed"}


def test_keys_are_created_kept_across_opens_and_destroyed_for_good(clone: Path) -> None:
    _new_store(clone)
    keys = Keys.open(clone)
    k1 = keys.create("f00000001")
    assert len(k1) == 32
    keys.save()
    ident.forget()
    again = Keys.open(clone)
    assert again.key("f00000001") == k1
    assert again.key("f00000002") is None
    assert not again.erased("f00000001")
    again.destroy("f00000001")
    again.save()
    after = Keys.open(clone)
    assert after.key("f00000001") is None
    assert after.erased("f00000001")
    with pytest.raises(HsError, match="erased"):
        after.create("f00000001")
    assert b"f00000001" in after.path.read_bytes()  # the tombstone in plain: no key there


def test_the_store_file_holds_no_key_in_plain(clone: Path) -> None:
    _new_store(clone)
    keys = Keys.open(clone)
    key = keys.create("v00000001")
    keys.save()
    raw = keys.path.read_bytes()
    import base64
    assert base64.b64encode(key) not in raw and key not in raw
    assert b"v00000001" not in raw  # the IDs that hold keys are sealed too


def test_a_locked_identity_without_a_passphrase_file_or_terminal_gives_no_key(
        clone: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _new_store(clone)
    keys = Keys.open(clone)
    keys.create("f00000001")
    keys.save()
    ident.forget()
    monkeypatch.delenv("HS_PASSPHRASE_FILE")
    locked = Keys.open(clone)
    assert locked.key("f00000001") is None
    assert locked.state() == "locked"
    with pytest.raises(HsError, match="locked"):
        locked.create("f00000002")


def test_a_wrong_passphrase_is_one_line(clone: Path, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    _new_store(clone)
    ident.forget()
    wrong = tmp_path / "wrong"
    wrong.write_text("not it\n")
    monkeypatch.setenv("HS_PASSPHRASE_FILE", str(wrong))
    with pytest.raises(HsError, match="wrong passphrase"):
        Keys.open(clone).key("f00000001")


def test_a_clone_without_identity_or_store_says_which(clone: Path) -> None:
    keys = Keys.open(clone)
    assert keys.key("f00000001") is None and not keys.erased("f00000001")
    with pytest.raises(HsError, match="no key store"):
        keys.create("f00000001")
    other = clone.parent / "other"
    other.mkdir()
    init_git(other)
    _new_store(other)
    (clone / ".git" / "hs").mkdir()
    shutil.copy(other / ".git" / "hs" / "keys", clone / ".git" / "hs" / "keys")
    with pytest.raises(HsError, match="no identity"):
        Keys.open(clone).create("f00000001")
    ident.save(clone, Identity.generate(), PASSPHRASE)
    assert Keys.open(clone).state() == "closed"
    with pytest.raises(HsError, match="not open to this laptop"):
        Keys.open(clone).create("f00000001")


def test_the_recovery_key_opens_the_store(clone: Path) -> None:
    recovery = _new_store(clone)
    keys = Keys.open(clone)
    k = keys.create("f00000001")
    keys.save()
    text = ident.recovery_text(recovery)
    back = Keys.open(clone)
    back.unlock_with(ident.parse_recovery(text.lower().replace("-", " ")))
    assert back.key("f00000001") == k
    with pytest.raises(UsageError, match="does not open"):
        Keys.open(clone).unlock_with(Identity.generate())


def test_key_texts_carry_a_checksum() -> None:
    me = Identity.generate()
    text = ident.public_text(me.public)
    assert text.startswith("hs-id-") and len(text) == 6 + 56
    assert ident.parse_public(text.upper()) == me.public
    typo = text[:-1] + ("a" if text[-1] != "a" else "b")
    with pytest.raises(UsageError):
        ident.parse_public(typo)
    with pytest.raises(UsageError):
        ident.parse_public(text[:-4])
    rec = ident.recovery_text(me)
    assert ident.parse_recovery(rec).public == me.public
    with pytest.raises(UsageError):
        ident.parse_recovery(rec.replace(rec[-2], "Q" if rec[-2] != "Q" else "R"))


def test_a_removed_recipient_cannot_open_the_next_store(clone: Path) -> None:
    recovery = _new_store(clone)
    other = Identity.generate()
    keys = Keys.open(clone)
    keys.add_recipient(Recipient(other.public, LAPTOP, "two"))
    keys.create("f00000001")
    keys.save()
    before = keys.path.read_bytes()
    keys.remove_recipient(other.public)
    keys.save()
    from hs.store.keys import open_sealed
    assert open_sealed(before, other, "old") is not None  # an old copy stays readable
    assert open_sealed(keys.path.read_bytes(), other, "new") is None
    assert open_sealed(keys.path.read_bytes(), recovery, "new") is not None


def _payload(secret: bytes, keys: dict[str, bytes], erased: set[str] | None = None
             ) -> Payload:
    return Payload(secret, dict(keys), set(erased or ()))


def test_merge_is_a_union_where_tombstones_and_removals_win() -> None:
    a = _payload(b"s" * 32, {"f1": b"1" * 32, "f2": b"2" * 32})
    b = _payload(b"s" * 32, {"f2": b"2" * 32, "f3": b"3" * 32}, {"f1"})
    x, y = Identity.generate().public, Identity.generate().public
    a.recipients = {x: Recipient(x, LAPTOP, "x"), y: Recipient(y, LAPTOP, "y")}
    b.recipients = {x: Recipient(x, LAPTOP, "x")}
    b.removed = {y}
    for merged in (merge_payloads(a, b), merge_payloads(b, a)):
        assert merged.keys == {"f2": b"2" * 32, "f3": b"3" * 32}
        assert merged.erased == {"f1"}
        assert set(merged.recipients) == {x}
        assert merged.removed == {y}


def test_merging_stores_of_two_clones(clone: Path) -> None:
    _new_store(clone)
    keys = Keys.open(clone)
    keys.create("f00000001")
    keys.save()
    first = keys.path.read_bytes()
    k2 = keys.create("f00000002")
    keys.destroy("f00000001")
    keys.save()
    # the other clone still has the first version: merged, nothing comes back
    older = Keys(clone, first)
    assert older.merge(keys.path.read_bytes()) is False  # the other side has it all
    assert older.key("f00000001") is None and older.key("f00000002") == k2
    # a store of another location (another secret) is refused
    other = clone.parent / "other"
    other.mkdir()
    init_git(other)
    _new_store(other)
    stranger = Keys.open(other)
    stranger.add_recipient(Recipient(ident.public_of(clone) or b"", LAPTOP, "me"))
    stranger.save()
    with pytest.raises(HsError, match="not this location's"):
        Keys.open(clone).merge(stranger.path.read_bytes())


# --- the agent ---------------------------------------------------------------------------


@pytest.fixture
def agent_folder(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    short = Path(tempfile.mkdtemp(prefix="hsag", dir="/tmp"))  # sockets want short paths
    os.chmod(short, 0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(short))
    monkeypatch.delenv("HS_AGENT")
    yield short
    agent.stop()
    shutil.rmtree(short, ignore_errors=True)


def test_the_agent_holds_an_identity_in_a_private_socket_until_stopped(
        agent_folder: Path) -> None:
    me = Identity.generate()
    assert agent.fetch(me.public) is None  # none runs
    assert agent.hold(me.public, me.raw())
    sock = agent.socket_path()
    assert sock.parent == agent_folder / "hs"
    assert oct(sock.parent.stat().st_mode & 0o777) == "0o700"
    assert oct(sock.stat().st_mode & 0o777) == "0o600"
    assert agent.fetch(me.public) == me.raw()
    assert agent.fetch(Identity.generate().public) is None
    assert agent.stop()
    assert agent.fetch(me.public) is None
    assert not sock.exists()


def test_the_agent_ends_after_its_time_out(agent_folder: Path) -> None:
    proc = subprocess.Popen([sys.executable, "-m", "hs.store.agent", "0.3"],
                            env={**os.environ, "XDG_RUNTIME_DIR": str(agent_folder)})
    assert proc.wait(timeout=20) == 0
    assert not agent.socket_path().exists()


def test_unlocking_at_a_terminal_hands_the_identity_to_the_agent(
        clone: Path, agent_folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _new_store(clone)
    keys = Keys.open(clone)
    k = keys.create("f00000001")
    keys.save()
    ident.forget()
    monkeypatch.delenv("HS_PASSPHRASE_FILE")
    monkeypatch.setattr(ident, "on_terminal", lambda: True)
    asked: list[str] = []
    monkeypatch.setattr(ident.getpass, "getpass",
                        lambda prompt: asked.append(prompt) or PASSPHRASE)
    assert Keys.open(clone).key("f00000001") == k
    assert len(asked) == 1
    ident.forget()  # the next command: the agent answers, no prompt
    assert Keys.open(clone).key("f00000001") == k
    assert len(asked) == 1


def test_a_wrong_passphrase_at_a_terminal_is_said_and_three_end_the_command(
        clone: Path, agent_folder: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    _new_store(clone)
    keys = Keys.open(clone)
    k = keys.create("f00000001")
    keys.save()
    ident.forget()
    monkeypatch.delenv("HS_PASSPHRASE_FILE")
    monkeypatch.setattr(ident, "on_terminal", lambda: True)
    answers = iter(["wrong", PASSPHRASE])
    monkeypatch.setattr(ident.getpass, "getpass", lambda prompt: next(answers))
    assert Keys.open(clone).key("f00000001") == k  # the second try opens it
    assert capsys.readouterr().err == "Wrong passphrase, try again.\n"
    ident.forget()
    agent.stop()
    answers = iter(["wrong", "also wrong", "still wrong", PASSPHRASE])
    set_language("nl")
    try:
        with pytest.raises(HsError, match=r"^verkeerde wachtzin voor de identiteit van deze "
                                          r"laptop$"):
            Keys.open(clone).key("f00000001")
    finally:
        set_language("en")
    assert capsys.readouterr().err == "Verkeerde wachtzin, probeer opnieuw.\n" * 2
    assert next(answers) == PASSPHRASE  # asked three times, not a fourth


def test_a_new_passphrase_is_asked_twice_at_a_terminal(monkeypatch: pytest.MonkeyPatch
                                                       ) -> None:
    monkeypatch.delenv("HS_PASSPHRASE_FILE")
    assert ident.new_passphrase() is None  # no terminal, no file
    monkeypatch.setattr(ident, "on_terminal", lambda: True)
    answers = iter(["first one", "first one", "one", "other", "one", "one", ""])
    monkeypatch.setattr(ident.getpass, "getpass", lambda prompt: next(answers))
    assert ident.new_passphrase() == "first one"
    assert ident.new_passphrase() == "one"  # a typo: asked again
    with pytest.raises(HsError, match="the passphrase is empty"):
        ident.new_passphrase()


def test_two_commands_saving_at_once_both_keep_their_keys(clone: Path) -> None:
    _new_store(clone)
    first, second = Keys.open(clone), Keys.open(clone)
    one, two = first.create("f00000001"), second.create("f00000002")
    second.destroy("f00000003")
    first.save()
    second.save()
    after = Keys.open(clone)
    assert (after.key("f00000001"), after.key("f00000002")) == (one, two)
    assert after.erased("f00000003")
    assert (clone / ".git" / "hs" / "keys.lock").exists()
