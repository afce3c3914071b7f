"""`hs dossier ID [--out FILE]`: the page and the JSON of one family or volunteer."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from hs.app import dossier as app_dossier
from hs.app import retention as app_retention
from hs.store.repo import open_repo
from tests.cli.test_retention import NAMES, NOTES, ok
from tests.cli.test_retention import scene as scene  # the shared scenario (a fixture)
from tests.conftest import invoke


def test_a_family_dossier_holds_everything_and_is_private(scene: dict[str, str],
                                                          tmp_path: Path) -> None:
    root, fid = Path(scene["root"]), scene["plain"]
    code, out, err = invoke(root, "dossier", fid[:5], "--out", str(tmp_path / "d.md"))
    assert (code, out) == (0, "") and err.startswith(f"dossier of {fid}: ")
    page, data = tmp_path / "d.md", tmp_path / "d.json"
    assert page.stat().st_mode & 0o777 == 0o600 and data.stat().st_mode & 0o777 == 0o600
    text = page.read_text()
    assert text.startswith(f"# Everything held about family {fid}\n")
    for expected in (f"- name: {NAMES[1]}", "- children 1 › born: 2023-04",
                     f"### Trajectory {scene['t-plain']}",
                     f"- visits 1 › note: {NOTES[0]}", "- close reason: Moved",
                     "## History of changes", f"family {fid}: referred (kind-en-gezin)",
                     f"trajectory {scene['t-plain']}: visit on 2024-03-04",
                     "  - visits (new): {date: 2024-03-04, minutes: 90, note: (personal "
                     "value)}"):
        assert expected in text, expected
    assert NAMES[0] not in text and NAMES[3] not in text  # other people's data
    doc = json.loads(data.read_text())
    assert doc["record"]["fields"]["name"] == NAMES[1]
    assert doc["trajectories"][0]["fields"]["visits[0].note"] == NOTES[0]
    added = [c for rev in doc["trajectories"][0]["history"] for c in rev["changes"]
             if c["field"] == "visits[+]"]
    assert added == [{"field": "visits[+]", "old": None,
                      "new": {"date": "2024-03-04", "minutes": 90,
                              "note": {"personal": True}}}]
    # in Dutch, and by default beside the working directory
    code, _, err = invoke(root, "--lang", "nl", "dossier", fid, "--out",
                          str(tmp_path / "nl"))
    assert code == 0, err
    text = (tmp_path / "nl.md").read_text()
    assert text.startswith(f"# Alles wat bewaard is over gezin {fid}\n")
    # fields and codes by their Dutch labels, as the tables say them (the JSON keeps both)
    record = text.split("## Het record\n\n")[1].split("\n\n")[0]
    assert record == f"""\
- werking: leuven
- naam: {NAMES[1]}
- huishouden › geboortejaren ouders: 1990
- kinderen 1 › geboren: 2023-04
- aanmeldingen 1 › datum: 2024-01-08
- aanmeldingen 1 › aanmelder: Kind en Gezin
- aanmeldingen 1 › beslissingen 1 › datum: 2024-01-15
- aanmeldingen 1 › beslissingen 1 › beslissing: aanvaard"""
    trajectory = text.split(f"### Traject {scene['t-plain']}\n\n")[1].split("\n\n")[0]
    assert trajectory == f"""\
- gezin: {fid}
- soort: gezinsbuddy
- start: 2024-02-05
- vrijwilligers 1 › vrijwilliger: {scene['vol']}
- vrijwilligers 1 › start: 2024-02-05
- huisbezoeken 1 › datum: 2024-03-04
- huisbezoeken 1 › minuten: 90
- huisbezoeken 1 › notitie: {NOTES[0]}
- einde: 2025-03-31
- reden van afsluiting: Verhuisd"""
    history = text.split("## Geschiedenis van de wijzigingen\n\n")[1]
    for line in ("  - aanmeldingen 1 › beslissingen (nieuw): {datum: 2024-01-15, "
                 "beslissing: aanvaard}",
                 "  - huisbezoeken (nieuw): {datum: 2024-03-04, minuten: 90, notitie: "
                 "(persoonlijk gegeven)}",
                 "  - reden van afsluiting: Verhuisd"):
        assert line + "\n" in history, line
    doc = json.loads((tmp_path / "nl.json").read_text())
    assert doc["record"]["fields"]["referrals[0].referrer"] == "kind-en-gezin"
    assert doc["trajectories"][0]["fields"]["close_reason"] == "moved"


def test_a_volunteer_dossier_lists_assignments_and_events(scene: dict[str, str],
                                                          tmp_path: Path) -> None:
    root, vid = Path(scene["root"]), scene["vol"]
    eid = ok(root, "event", "add", "--kind", "intervision", "--date", "2024-05-02",
             "--location", "leuven").strip()
    ok(root, "event", "attend", eid, vid)
    assert invoke(root, "dossier", vid, "--out", str(tmp_path / "v.md"))[0] == 0
    text = (tmp_path / "v.md").read_text()
    assert f"- name: {NAMES[3]}" in text
    assert f"- {scene['t-plain']} (buddy): from 2024-02-05 to now" in text
    assert f"- 2024-05-02: Intervision meeting ({eid})" in text
    assert NOTES[0] not in text and NAMES[1] not in text  # the families' data
    code, _, err = invoke(root, "dossier", scene["t-plain"], "--out", str(tmp_path / "t"))
    assert code == 2 and "not a family or a volunteer" in err


def test_erased_and_reduced_data_is_reported_as_such(scene: dict[str, str], tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    root, fid = Path(scene["root"]), scene["plain"]
    app_retention.apply(open_repo(root), dt.date(2026, 6, 30))
    assert invoke(root, "dossier", fid, "--out", str(tmp_path / "e.md"))[0] == 0
    text = (tmp_path / "e.md").read_text()
    assert "on 2026-06-30 it was reduced to what the figures of past years need" in text
    assert NAMES[1] not in text and NOTES[0] not in text
    assert "- reduced by retention: 2026-06-30" in text
    # what hs.app.sealing.reveal gives where this laptop lacks the family's key: no value
    original = app_dossier.personal_values
    monkeypatch.setattr(app_dossier, "personal_values",
                        lambda repo, rid, data: dict.fromkeys(original(repo, rid, data)))
    assert invoke(root, "dossier", scene["youth"], "--out", str(tmp_path / "y.md"))[0] == 0
    text = (tmp_path / "y.md").read_text()
    assert "- name: [sealed: this laptop does not hold the key]" in text
    assert "- visits 1 › note: [sealed: this laptop does not hold the key]" in text
    assert NAMES[0] not in text and NOTES[0] not in text


def test_a_dossier_is_never_written_inside_the_repository(
        scene: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root, fid = Path(scene["root"]), scene["plain"]
    before = sorted(p.name for p in root.iterdir())
    code, _, err = invoke(root, "dossier", fid, "--out", str(root / "d.md"))
    assert (code, err) == (2, "hs: --out is inside the repository, where git could pick "
                              "the dossier up: give a file outside it\n")
    monkeypatch.chdir(root / "records")
    code, _, err = invoke(root, "--lang", "nl", "dossier", fid)
    assert (code, err) == (2, "hs: de huidige map ligt in de records-map, waar git het "
                              "dossier kan oppikken: geef --out BESTAND buiten de "
                              "records-map\n")
    assert sorted(p.name for p in root.iterdir()) == before
    outside = tmp_path / "out"
    outside.mkdir()
    monkeypatch.chdir(outside)
    assert invoke(root, "dossier", fid)[0] == 0
    assert sorted(p.name for p in outside.iterdir()) == [f"dossier-{fid}.json",
                                                         f"dossier-{fid}.md"]
