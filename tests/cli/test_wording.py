"""The Dutch wording of messages (issue 12, tryout findings 8, 13, 16, 17, 28, 29, 32,
34): labels instead of codes in sentences, Belgian dates in messages (commit subjects keep
ISO), counts in the word of what is counted, a mistyped date shown as typed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import git, invoke

ISO = re.compile(r"\b[12][0-9]{3}-[01][0-9]-[0-3][0-9]\b")


def nl(root: Path, *args: str) -> tuple[int, str, str]:
    return invoke(root, "--lang", "nl", *args)


def test_dutch_messages_have_labels_and_belgian_dates(
        empty_repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HS_TODAY", "2026-12-02")
    root = empty_repo
    stderr: list[str] = []

    def ok(*args: str) -> str:
        code, out, err = nl(root, *args)
        assert code == 0, err
        stderr.append(err)
        return out.strip()

    fid = ok("family", "refer", "--location", "leuven", "--date", "2026-11-20",
             "--referrer", "kind-en-gezin")
    ok("family", "accept", fid, "--date", "2026-11-26")
    code, _, err = nl(root, "family", "accept", fid, "--date", "vandag")
    assert (code, err) == (2, "hs: --date: 'vandag' is geen datum; bedoelde je 'vandaag'?\n")
    vid = ok("volunteer", "add", "--location", "leuven", "--gender", "f", "--birth-year",
             "1980", "--joined", "2024-09-01", "--checked", "2024-09-01")
    ok("event", "add", "--kind", "info-session", "--date", "2026-11-18", "--location",
       "leuven")
    assert stderr[-1].startswith("activiteit ")
    assert stderr[-1].split(" ", 2)[2].startswith(
        "toegevoegd: Infosessie op 18/11/2026 [commit ")
    tid = ok("start", fid, vid, "--date", "2026-12-01")
    ok("visit", tid, "--date", "2026-12-02", "--minutes", "60")
    assert re.fullmatch(rf"traject {tid}: steunmoment op 02/12/2026 \[commit [0-9a-f]+\]\n",
                        stderr[-1])
    ok("visit", tid, "--date", "2026-12-02", "--minutes", "60")
    assert stderr[-1].startswith(
        f"waarschuwing: traject {tid} heeft al een steunmoment op 02/12/2026\n")
    ok("signal", fid, "--theme", "wonen", "--date", "2026-12-02")  # an alias (finding 34)
    assert stderr[-1].startswith(f"gezin {fid}: signaal Betaalbare huisvesting op 02/12/2026")
    ok("close", tid, "--date", "2026-12-02", "--reason", "goals")
    ok("family", "refer", "--family", fid, "--date", "2026-12-02", "--referrer", "self")
    assert re.fullmatch(rf"gezin {fid}: opnieuw aangemeld \(Gezin zelf\) \[commit [0-9a-f]+\]\n",
                        stderr[-1])  # the label, not the code (finding 8)
    code, out, err = nl(root, "suggest", fid, "--all", "-f", "markdown")
    stderr.append(err)
    # the reason a volunteer is excluded, said as what is wrong (finding 28)
    assert out.splitlines()[-1].split("|")[-2].strip().startswith("vorming niet volledig")
    # every date a Dutch message shows is Belgian; ISO dates only in commit subjects
    for err in stderr:
        assert ISO.search(err) is None, err
    subjects = git(root, "log", "--format=%s").splitlines()
    assert f"traject {tid}: steunmoment op 2026-12-02" in subjects
    assert any(s.endswith("toegevoegd: Infosessie op 2026-11-18") for s in subjects)


def test_dutch_counts_name_what_is_counted(empty_repo: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HS_TODAY", "2026-12-02")
    root = empty_repo
    for _ in range(3):
        code, _, err = nl(root, "volunteer", "add", "--location", "leuven", "--gender", "f",
                          "--birth-year", "1980", "--joined", "2024-09-01", "--checked",
                          "2024-09-01")
        assert code == 0, err
    code, out, _ = nl(root, "list", "volunteers", "-f", "table")
    assert code == 0 and out.rstrip().splitlines()[-1].strip() == "3 vrijwilligers"
    code, out, _ = invoke(root, "list", "volunteers", "-f", "table")
    assert out.rstrip().splitlines()[-1].strip() == "3 volunteers"


def test_erase_confirmation_and_consent_row_in_dutch() -> None:
    from hs.base.i18n import Catalog, set_language
    from hs.cli.seal import MSG as _CONFIRM

    set_language("nl")
    try:
        assert _CONFIRM.n("confirm-n", 1, ids="f00000001") == (
            "f00000001 definitief wissen? Naam en notities zijn daarna nergens meer leesbaar")
        assert _CONFIRM.n("confirm-n", 2, ids="f00000001, f00000002").endswith(
            "? Hun namen en notities zijn daarna nergens meer leesbaar")
        assert Catalog("cli.views")("cause.no-consent", since="02/12/2026") == (
            "nog geen toestemming genoteerd (nodig sinds 02/12/2026)")
        assert Catalog("cli.keys")("locked") == (
            "hs is vergrendeld: de volgende opdracht vraagt de wachtzin opnieuw")
    finally:
        set_language(None)


def test_kpi_empty_sections_say_so_in_dutch(empty_repo: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HS_TODAY", "2026-12-02")
    code, out, err = nl(empty_repo, "kpi", "--year", "2026", "-f", "table")
    assert code == 0, err
    lines = [line.rstrip() for line in out.splitlines()]
    at = lines.index("Redenen van afsluiting")  # the glossary's word (finding 25)
    assert lines[at + 4] == "  Geen gegevens."
    at = lines.index("Impact per domein")
    assert lines[at + 4] == "  Geen gegevens: impact telt alleen afgesloten trajecten."


def test_import_messages_in_dutch(empty_repo: Path, tmp_path: Path,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Finding 24: a header error is not counted as a row, the columns are listed by their
    Dutch names, and a cell error names the column as the file names it."""
    monkeypatch.setenv("HS_TODAY", "2026-12-02")
    bad_header = tmp_path / "imp.csv"
    bad_header.write_text("naam;gemeente;datum;verwijzer;geboorte\n"
                          "A;Leuven;01/11/2026;self;2020\n", encoding="utf-8")
    code, _, err = nl(empty_repo, "import", "families", str(bad_header),
                      "--location", "leuven")
    lines = err.splitlines()
    assert code == 1
    assert lines[0] == (
        "imp.csv:1: kolom 3 van de kopregel heeft geen gekende naam (is de eerste rij een "
        "kopregel?); kolommen: aanmelddatum, aanvaard, afgehaakt, geboortejaren_ouders, "
        "gemeente, geweigerd, kenmerken, kinderen, naam, notitie, reden, talen, "
        "uitgerekend, verwijzer, werking")
    assert lines[-1] == "hs: de kopregel bevat fouten; er werd niets geïmporteerd"
    bad_cell = tmp_path / "imp2.csv"
    bad_cell.write_text("naam;gemeente;aanmelddatum;verwijzer\nA;Leuven;31/11/2026;self\n"
                        "B;Leuven;02/11/2026;self\n", encoding="utf-8")
    code, _, err = nl(empty_repo, "import", "families", str(bad_cell),
                      "--location", "leuven")
    assert (code, err) == (1, "imp2.csv:2: aanmelddatum: '31/11/2026' is geen datum "
                              "(JJJJ-MM-DD of DD/MM/JJJJ)\n"
                              "hs: 1 van 2 rijen bevat fouten; er werd niets geïmporteerd\n")
