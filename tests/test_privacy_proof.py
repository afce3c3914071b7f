"""The proof of issue 13: names and notes never leave a laptop readable, and erasing a
family makes its names and notes unreadable in every revision of every clone, while the
figures of past years stay the same.

Two laptops of one location: ``a`` holds the key store (as hs init makes it), ``b`` is
enrolled by ``a`` (hs keys request, hs keys add), and the key store travels with hs sync
beside the records, as the records do.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from hs.app.sealing import open_keys, reveal
from hs.records import sealed
from hs.store.repo import Repo
from tests.app.test_sealing import make_key_store, seal_config
from tests.conftest import created, git, invoke

FAMILIES = {"Zebedeus Quackenbush": "Oswaldo the landlord shouts at night",
            "Philippa Wraxall-Ndiaye": "Grandmother Hortensia moved in",
            "Ignatius Flapdoodle": "Twins born at Sint-Raphael"}
VOLUNTEER = "Leocadia Vermeersch"
VISIT = "Brought the Quackenbush twins a crib"
LATER = "Hortensia fell on the stairs"
SECRETS = (*FAMILIES, *FAMILIES.values(), VOLUNTEER, VISIT, LATER)
TOKEN = re.compile(r"hs1:[A-Za-z0-9_-]+")


def enrol(a: Path, b: Path) -> None:
    """Laptop ``b`` enrolled by laptop ``a`` (hs keys request, hs keys add); the key store
    then travels with hs sync."""
    public = ok(b, "keys", "request")
    ok(a, "keys", "add", public, "--label", "two")


def ok(root: Path, *args: str) -> str:
    code, out, err = invoke(root, *args)
    assert code == 0, (args, err)
    return out.strip()


def figures(root: Path) -> object:
    data = json.loads(ok(root, "kpi", "--year", "2025", "--format", "json"))
    data.pop("revision")
    return data


def all_objects(git_dir: Path) -> bytes:
    return subprocess.run(["git", "cat-file", "--batch-all-objects", "--batch"],
                          cwd=git_dir, check=True, capture_output=True).stdout


def cache_bytes(root: Path) -> bytes:
    return b"".join(p.read_bytes() for p in (root / ".hs").rglob("*") if p.is_file())


def assert_nothing_readable(a: Path, b: Path, bare: Path) -> None:
    for clone in (a, b):
        log = git(clone, "log", "-p", "--all")
        cache = cache_bytes(clone)
        objects = all_objects(clone / ".git")
        for secret in SECRETS:
            assert secret not in log
            assert secret.encode() not in cache
            assert secret.encode() not in objects
        assert TOKEN.search(cache.decode("utf-8", "replace")) is None  # not even sealed
    remote = all_objects(bare)
    for secret in SECRETS:
        assert secret.encode() not in remote


@pytest.fixture
def clones(empty_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
           ) -> tuple[Path, Path, Path]:
    monkeypatch.setenv("HS_TODAY", "2026-02-02")
    seal_config(empty_repo, keys=False)
    bare = tmp_path / "remote.git"
    git(tmp_path, "clone", "-q", "--bare", str(empty_repo), str(bare))
    out = []
    for name in ("a", "b"):
        git(tmp_path, "clone", "-q", str(bare), name)
        out.append(tmp_path / name)
    make_key_store(out[0])  # laptop a's identity and key store; b is enrolled later
    return out[0], out[1], bare


def test_names_never_leave_readable_and_erasure_reaches_every_revision(
        clones: tuple[Path, Path, Path]) -> None:
    a, b, bare = clones
    fids = []
    for i, (name, note) in enumerate(FAMILIES.items()):
        fid = created(a, "family", "refer", "--location", "leuven", "--date",
                      f"2025-0{i + 1}-06", "--referrer", "self", "--child", "2024-02",
                      "--name", name)
        ok(a, "family", "accept", fid, "--date", f"2025-0{i + 1}-13")
        ok(a, "signal", fid, "--theme", "housing", "--date", f"2025-0{i + 1}-14",
           "--note", note)
        fids.append(fid)
    vid = created(a, "volunteer", "add", "--location", "leuven", "--gender", "f",
                  "--birth-year", "1970", "--joined", "2024-09-01", "--capacity", "3",
                  "--name", VOLUNTEER)
    tids = [created(a, "start", fid, vid, "--date", "2025-05-05") for fid in fids[:2]]
    ok(a, "visit", tids[0], "--date", "2025-05-12", "--note", VISIT)
    enrol(a, b)
    ok(a, "sync")
    ok(b, "sync")
    ok(b, "visit", tids[1], "--date", "2025-06-02", "--note", LATER)
    ok(b, "sync")
    ok(a, "sync")
    ok(a, "validate")
    ok(b, "validate")

    assert_nothing_readable(a, b, bare)
    for clone in (a, b):  # this clone holds the keys: one record at a time opens
        repo = Repo(clone)
        assert [reveal(repo, fid)["name"] for fid in fids] == list(FAMILIES)
        assert reveal(repo, tids[0]) == {"visits[0].note": VISIT}
        assert reveal(repo, tids[1]) == {"visits[0].note": LATER}
    before = figures(a)
    assert figures(b) == before

    erased = fids[0]
    ok(a, "erase", erased, "--yes")
    ok(a, "sync")
    ok(b, "sync")
    assert_nothing_readable(a, b, bare)
    owners = [*fids, vid]
    for clone in (a, b):
        keys = open_keys(Repo(clone))
        held = [k for k in (keys.key(owner) for owner in owners) if k is not None]
        assert keys.key(erased) is None and keys.erased(erased) and len(held) == 3
        for rel, rid in ((f"records/families/{erased}.yaml", erased),
                         (f"records/trajectories/{tids[0]}.yaml", tids[0])):
            revisions = git(clone, "rev-list", "--all", "--", rel).split()
            assert revisions
            tokens = {(m.group(0), path) for rev in revisions
                      for path, m in _tokens(git(clone, "show", f"{rev}:{rel}"))}
            assert tokens
            for token, path in tokens:  # with any key this clone holds: nothing opens
                for key in held:
                    with pytest.raises(sealed.Unopenable):
                        sealed.open(key, rid, path, token)
        assert reveal(Repo(clone), erased) == {"name": None, "signals[0].note": None}
        assert reveal(Repo(clone), fids[1])["name"] == "Philippa Wraxall-Ndiaye"
        assert "name: [erased]" in ok(clone, "show", erased)
        assert figures(clone) == before


def _tokens(text: str) -> list[tuple[str, re.Match[str]]]:
    """Each token of a record file with the field path it is bound to: its key, under
    the top-level list it sits in (``signals.note``, ``visits.note``) if indented."""
    out = []
    top = ""
    for line in text.splitlines():
        if line[:1].isalpha():
            top = line.split(":", 1)[0]
        m = TOKEN.search(line)
        if m is None:
            continue
        key = line.split(":", 1)[0].strip().lstrip("- ").strip()
        out.append((f"{top}.{key}" if line[:1] in " -" else key, m))
    return out


def test_a_conflict_on_a_sealed_name_keeps_both_tokens_and_resolves_sealed(
        clones: tuple[Path, Path, Path], monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path) -> None:
    a, b, _ = clones
    fid = created(a, "family", "refer", "--location", "leuven", "--date", "2025-03-03",
                  "--referrer", "self", "--name", "Zebedeus Quackenbush")
    enrol(a, b)
    ok(a, "sync")
    ok(b, "sync")
    script = tmp_path / "editor.py"
    for clone, new in ((a, "Zebedeus Q."), (b, "Zeb Quackenbush")):
        script.write_text("import sys, pathlib\np = pathlib.Path(sys.argv[1])\n"
                          "p.write_text(p.read_text().replace("
                          f"'Zebedeus Quackenbush', {new!r}))\n")
        monkeypatch.setenv("EDITOR", f"{sys.executable} {script}")
        ok(clone, "edit", fid)
    ok(a, "sync")
    code, _, err = invoke(b, "sync")
    assert code == 0, err
    text = (b / "records" / "families" / f"{fid}.yaml").read_text(encoding="utf-8")
    assert "conflicts:" in text and "Zeb" not in text and "<<<<" not in text
    shown = ok(b, "show", fid)
    assert "Zeb Quackenbush" in shown and "Zebedeus Q." in shown
    listed = ok(b, "resolve", fid)  # the values to choose from, opened with the key
    assert "Zeb Quackenbush" in listed and "Zebedeus Q." in listed and "hs1:" not in listed
    ok(b, "resolve", fid, "name", "--keep", "2")
    assert reveal(Repo(b), fid) == {"name": "Zebedeus Q."}
    assert "Zebedeus Q." not in git(b, "log", "-p", "--all")
