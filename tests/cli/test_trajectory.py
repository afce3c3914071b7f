"""`hs visit` as a coordinator types it: several trajectories on several dates in one
commit, all or nothing; dates and codes in the forms people say them."""

from __future__ import annotations

from pathlib import Path

import pytest

from hs.store import gitops
from tests.conftest import created, git, invoke


@pytest.fixture
def root(empty_repo: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HS_TODAY", "2025-06-30")
    return empty_repo


def head(root: Path) -> str:
    return git(root, "rev-parse", "HEAD").strip()


def trajectories(root: Path, n: int) -> list[str]:
    out = []
    for i in range(n):
        fid = created(root, "family", "refer", "--location", "leuven", "--date", "06/01/2025",
                      "--referrer", "Kind en Gezin")
        assert invoke(root, "family", "accept", fid, "--date", "13-01-2025")[0] == 0
        vid = created(root, "volunteer", "add", "--location", "leuven", "--gender", "v",
                      "--birth-year", "1980", "--joined", "2024-09-01", "--checked",
                      "2024-09-01", "--available", "maandag-vm")
        out.append(created(root, "start", fid, vid, "--date", f"0{i + 2}/02/2025",
                           "--kind", "gezinsbuddy"))
    return out


def test_every_trajectory_on_every_date_in_one_commit(root: Path) -> None:
    t1, t2 = trajectories(root, 2)
    before = head(root)
    code, out, err = invoke(root, "visit", t1[:4], t2, "--date", "10/03/2025", "--date",
                            "2025-03-03", "--minutes", "90", "--note", "fine")
    assert (code, out) == (0, ""), err
    assert err.startswith("4 visits in 2 trajectories (2025-03-03, 2025-03-10) [commit ")
    assert git(root, "rev-list", "--count", f"{before}..HEAD").strip() == "1"
    message = gitops.parse_message(git(root, "log", "-1", "--format=%B"))
    assert message.trailers["Hs-Action"] == ["trajectory.visit"]
    assert message.trailers["Hs-Record"] == [t1, t2]
    assert message.trailers["Hs-Date"] == ["2025-03-03", "2025-03-10"]
    for t in (t1, t2):
        text = (root / "records" / "trajectories" / f"{t}.yaml").read_text()
        assert text.endswith("visits:\n- date: 2025-03-03\n  minutes: 90\n  note: fine\n"
                             "- date: 2025-03-10\n  minutes: 90\n  note: fine\n")


def test_a_refused_item_refuses_the_batch_naming_it(root: Path) -> None:
    t1, t2 = trajectories(root, 2)
    before = head(root)
    code, out, err = invoke(root, "visit", t1, t2, "--date", "2025-03-03", "--date",
                            "2025-02-02")
    assert (code, out) == (1, "")
    assert err == (f"hs: {t2} 2025-02-02: a visit on 2025-02-02 is before trajectory {t2} "
                   "started (2025-02-03)\n")
    assert head(root) == before
    assert git(root, "status", "--porcelain") == ""
    code, _, err = invoke(root, "visit", t1, "tzzzzzzzz", "--date", "2025-03-03")
    assert code == 2 and err == "hs: tzzzzzzzz: no trajectory with ID 'tzzzzzzzz'\n"
    assert head(root) == before


def test_the_single_form_and_words_for_days(root: Path) -> None:
    (t1,) = trajectories(root, 1)
    code, _, err = invoke(root, "visit", t1, "--date", "gisteren")
    assert code == 0, err
    assert err.startswith(f"trajectory {t1}: visit on 2025-06-29 [commit ")
    code, _, err = invoke(root, "visit", t1, "--date", "vandaag")
    assert err.startswith(f"trajectory {t1}: visit on 2025-06-30 [commit ")
    code, _, err = invoke(root, "visit", t1, "--date", "31/02/2025")
    assert (code, err) == (2, "hs: --date: '31/02/2025' is not a date; use YYYY-MM-DD, "
                              "DD/MM/YYYY, DD-MM-YYYY, 'today' or 'yesterday'\n")


def test_codes_as_people_say_them(root: Path) -> None:
    (t1,) = trajectories(root, 1)
    volunteer = (root / "records" / "volunteers").iterdir().__next__().read_text()
    assert "gender: f\n" in volunteer and "availability: [mon-am]\n" in volunteer
    family = next((root / "records" / "families").iterdir()).read_text()
    assert "referrer: kind-en-gezin" in family
    code, _, err = invoke(root, "review", t1, "--date", "2025-06-01", "--kind",
                          "afstemmingsgesprek", "--score", "network=3")
    assert code == 0, err
    code, out, err = invoke(root, "list", "trajectories", "--status", "actief", "--kind",
                            "gezinsbuddy", "-f", "plain")
    assert code == 0 and t1 in out
    code, out, err = invoke(root, "list", "families", "--status", "in traject", "-f", "csv")
    assert code == 0 and out.count("\n") == 2
    code, _, err = invoke(root, "close", t1, "--date", "2025-06-20", "--reason", "doelen")
    assert code == 0, err
    assert "reason: goals-reached" in (root / "records" / "trajectories" /
                                       f"{t1}.yaml").read_text()


def test_an_alias_of_the_trees_vocabulary_and_a_language_label(root: Path) -> None:
    fid = created(root, "family", "refer", "--location", "leuven", "--date", "2025-01-06",
                  "--referrer", "K&G", "--language", "Arabisch", "--flag", "nieuwkomer")
    text = (root / "records" / "families" / f"{fid}.yaml").read_text()
    assert "referrer: kind-en-gezin\n" in text
    assert "languages: [ar]\n" in text and "flags: [newcomer]\n" in text
    assert invoke(root, "validate")[0] == 0


def test_a_score_out_of_range_names_the_domain_in_dutch(
        root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (t1,) = trajectories(root, 1)
    monkeypatch.setenv("HS_LANG", "nl")
    code, _, err = invoke(root, "close", t1, "--date", "2025-06-20", "--reason", "doelen",
                          "--score", "zelfvertrouwen=6")
    assert (code, err) == (2, "hs: score voor Zelfvertrouwen (6) ligt niet tussen 1 en 5\n")
