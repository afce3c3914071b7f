"""No name and no note in what hs leaves around: after a scenario with distinctive names
and notes (tests/cli/test_retention.py), with commands that fail on purpose and a sync
to a bare remote, none of them is in a commit message, a branch or tag name, git's logs,
hs's cache or any other file of hs's own folder, or in what any command wrote on stderr
(hs show, hs dossier and hs history exist to show them on stdout, and are not run)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from hs.store.repo import open_repo
from tests.cli.test_retention import NAMES, NOTES
from tests.cli.test_retention import scene as scene  # the shared scenario (a fixture)
from tests.conftest import git, invoke

SECRETS = (*NAMES, *NOTES, "Quillfeather", "Blorptang", "Snorkelwist")


def _bytes_under(top: Path) -> list[tuple[str, bytes]]:
    return [(p.as_posix(), p.read_bytes()) for p in sorted(top.rglob("*")) if p.is_file()]


def test_no_name_or_note_outside_the_records(scene: dict[str, str], tmp_path: Path) -> None:
    root = Path(scene["root"])
    stderr: list[str] = []

    def run(*args: str) -> int:
        code, _, err = invoke(root, *args)
        stderr.append(err)
        return code

    fid, tid = scene["plain"], scene["t-plain"]
    # commands that fail, each given a name or a note where it does not belong
    failed = [
        run("family", "refer", "--location", "leuven", "--date", "2026-06-01", "--referrer",
            "no-such-referrer", "--name", NAMES[0]),
        run("family", "refer", "--location", "leuven", "--date", "2026-06-01", "--referrer",
            "self", "--child", NAMES[1]),
        run("family", "refer", "--location", NAMES[2], "--date", "2026-06-01", "--referrer",
            "self", "--name", NAMES[2]),
        run("visit", tid, "--date", "2026-06-01", "--note", NOTES[0]),  # closed trajectory
        run("family", "accept", NAMES[1], "--date", "2026-06-01"),
        run("volunteer", "add", "--location", "leuven", "--gender", "f", "--birth-year",
            "2090", "--name", NAMES[3]),
        run("signal", fid, "--theme", "no-such-theme", "--date", "2026-06-01", "--note",
            NOTES[1]),
    ]
    assert all(code != 0 for code in failed), failed
    assert all(err for err in stderr)
    # commands that work
    assert run("signal", fid, "--theme", "housing", "--date", "2025-02-01", "--note",
               NOTES[1]) == 0
    for args in (("validate",), ("due",), ("waitlist",), ("list", "families"),
                 ("list", "volunteers"), ("retention",), ("kpi", "--year", "2025"),
                 ("report", "--year", "2025", "--out", str(tmp_path / "report.html"))):
        run(*args)
    # a sync through a bare remote
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(remote)], check=True)
    git(root, "remote", "add", "origin", str(remote))
    assert run("sync") == 0, stderr[-1]
    open_repo(root).index  # noqa: B018  (the cache is written)

    for err in stderr:
        for secret in SECRETS:
            assert secret not in err, (secret, err)
    log = git(root, "log", "--all", "--format=%an%n%ae%n%B")
    refs = git(root, "for-each-ref", "--format=%(refname)") + git(
        root, "--git-dir", str(remote), "for-each-ref", "--format=%(refname)")
    assert "refs/remotes/origin/main" in refs
    places = [("commit messages", log.encode()), ("refs", refs.encode())]
    places += _bytes_under(root / ".git" / "logs")  # reflogs: commit subjects
    places += _bytes_under(root / ".hs")  # the cache, the lock, any journal
    assert any(".hs/cache" in name for name, _ in places)
    for where, data in places:
        for secret in SECRETS:
            assert secret.encode() not in data, (secret, where)
    # the names are in the records (until they are sealed): the scenario wrote them
    assert NAMES[1].encode() in (root / f"records/families/{fid}.yaml").read_bytes()
