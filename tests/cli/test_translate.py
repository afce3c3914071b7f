"""The command line in the user's language: help texts, Click's and Typer's own words,
and usage errors as one line said from the exception (hs/cli/translate.py, the usage
errors of hs/cli/__init__.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from hs.base import i18n
from hs.cli import app


@pytest.fixture(autouse=True)
def _language() -> Iterator[None]:
    yield
    i18n.set_language(None)


def run(*args: str) -> tuple[int, str, str]:
    r = CliRunner().invoke(app, list(args))
    return r.exit_code, r.stdout, r.stderr


USAGE_ERRORS = [
    (("famly",),
     "no such command 'famly'; did you mean 'family'? (see 'hs --help')",
     "onbekend commando 'famly'; bedoelde je 'family'? (zie 'hs --help')"),
    (("family", "refr"),
     "no such command 'refr'; did you mean 'refer'? (see 'hs family --help')",
     "onbekend commando 'refr'; bedoelde je 'refer'? (zie 'hs family --help')"),
    (("visit", "--minuts", "3", "t1"),
     "no such option --minuts; did you mean '--minutes'? (see 'hs visit --help')",
     "onbekende optie --minuts; bedoelde je '--minutes'? (zie 'hs visit --help')"),
    (("visit", "--zzz", "t1"),
     "no such option --zzz (see 'hs visit --help')",
     "onbekende optie --zzz (zie 'hs visit --help')"),
    (("resolve",),
     "the argument ID is missing (see 'hs resolve --help')",
     "het argument ID ontbreekt (zie 'hs resolve --help')"),
    (("family", "refer", "--referrer", "self"),
     "the option --date is missing (see 'hs family refer --help')",
     "de optie --date ontbreekt (zie 'hs family refer --help')"),
    (("due", "--within", "-5"),
     "invalid value for --within: a number from 0 to … (see 'hs due --help')",
     "ongeldige waarde voor --within: een getal van 0 tot … (zie 'hs due --help')"),
    (("due", "--within", "Jan Peeters"),  # a name in the wrong place is not repeated
     "invalid value for --within: a number from 0 to … (see 'hs due --help')",
     "ongeldige waarde voor --within: een getal van 0 tot … (zie 'hs due --help')"),
    (("visit", "t1", "--minutes"),
     "the option --minutes needs a value (see 'hs visit --help')",
     "de optie --minutes heeft een waarde nodig (zie 'hs visit --help')"),
    (("list", "families", "--names=yes"),
     "the option --names takes no value (see 'hs list families --help')",
     "de optie --names krijgt geen waarde (zie 'hs list families --help')"),
    (("waitlist", "one", "two"),
     "2 arguments too many (see 'hs waitlist --help')",
     "2 argumenten te veel (zie 'hs waitlist --help')"),
    (("waitlist", "one"),
     "one argument too many (see 'hs waitlist --help')",
     "één argument te veel (zie 'hs waitlist --help')"),
]


@pytest.mark.parametrize(("args", "english", "dutch"), USAGE_ERRORS)
def test_a_usage_error_is_one_line_in_the_language(args: tuple[str, ...], english: str,
                                                   dutch: str) -> None:
    assert run("--lang", "en", *args) == (2, "", f"hs: {english}\n")
    assert run("--lang", "nl", *args) == (2, "", f"hs: {dutch}\n")


def test_language_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HS_LANG", "nl")
    i18n.set_language(None)
    assert run("kpi", "--year", "x") == (
        2, "", "hs: ongeldige waarde voor --year: geen geheel getal (zie 'hs kpi --help')\n")


def test_a_bad_lang_is_a_usage_error() -> None:
    assert run("--lang", "fr", "due") == (
        2, "", "hs: invalid value for --lang: use nl or en (see 'hs --help')\n")


def test_a_group_without_a_command_still_shows_its_help() -> None:
    code, _, err = run("--lang", "nl", "family")
    assert code == 2
    assert err.startswith("Gebruik: hs family [OPTIES] COMMANDO [ARGUMENTEN]...\n")


def test_help_is_dutch_under_nl_and_english_under_en() -> None:
    code, out, _ = run("--lang", "nl", "visit", "--help")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("Gebruik: hs visit [OPTIES] ")
    assert "  Registreer een huisbezoek (steunmoment) in een traject." in lines
    assert "Opties:" in lines and "Argumenten:" in lines
    assert any("[verplicht]" in line for line in lines)
    assert lines[-1].split(None, 2)[-1] == "Toon deze hulp en stop."
    code, out, _ = run("--lang", "en", "visit", "--help")
    lines = out.splitlines()
    assert lines[0].startswith("Usage: hs visit [OPTIONS] ")
    assert "  Log a home visit (support moment) in a trajectory." in lines
    assert lines[-1].split(None, 2)[-1] == "Show this message and exit."
    assert any("[required]" in line for line in lines)


def test_root_help_under_lang_nl() -> None:
    code, out, _ = run("--lang", "nl", "--help")
    assert code == 0
    assert out.splitlines()[:3] == [
        "Gebruik: hs [OPTIES] COMMANDO [ARGUMENTEN]...", "",
        "  Home-Start-records: gezinnen, vrijwilligers en trajecten in git."]
    assert "Commando's:" in out.splitlines()
    assert "  visit      Registreer een huisbezoek (steunmoment) in een traject." in \
        out.splitlines()


def test_no_repository_is_said_in_dutch(tmp_path: object, monkeypatch: pytest.MonkeyPatch
                                        ) -> None:
    monkeypatch.chdir(str(tmp_path))
    monkeypatch.delenv("HS_REPO", raising=False)
    code, _, err = run("--lang", "nl", "waitlist")
    assert code == 2
    assert err.startswith("hs: geen records-map hier of in een map erboven")


def test_metavars_and_day_words_of_the_help_in_dutch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    code, out, _ = run("--lang", "nl", "location", "add", "--help")
    assert code == 0
    assert "  --name <tekst>       Publieke naam" in out
    assert "  --from DATUM         Eerste werkdag van de werking.  [standaard: vandaag]\n" in out
    assert "  --fte <getal>        " in out and "  --repo <pad>         " in out
    code, out, _ = run("--lang", "nl", "family", "refer", "--help")
    assert "  --child JJJJ-MM           Geboortemaand" in out
    assert "  --parent-birth-year JJJJ  " in out
    assert "(JJJJ-MM-DD, DD/MM/JJJJ,\n" in out and "today" not in out
    assert "JJJJ-MM-DD of 'vandaag'" not in out  # every date option says the same forms
    code, out, _ = run("--lang", "nl", "kpi", "--help")
    assert "[PAD]..." in out or "PAD..." in out
    code, out, _ = run("--lang", "en", "location", "add", "--help")
    assert "  --name <str>  " in out and "[default: today]" in out


def test_dutch_help_teaches_the_dutch_words(monkeypatch: pytest.MonkeyPatch) -> None:
    """Review 2 #14: metavars in Dutch (DATUM, NAAM, DOMEIN=N, HALVE-DAG), the codes of a
    closed list as the Dutch words hs reads (from the registry), Dutch examples."""
    monkeypatch.setenv("COLUMNS", "100")
    code, out, _ = run("--lang", "nl", "volunteer", "add", "--help")
    assert code == 0
    assert "  --gender v|m|x                  Gender: v, m of x.  [verplicht]\n" in out
    assert "  --role gezinsbuddy|startmaatje|taalmaatje|gezinscoach\n" in out
    assert "  --municipality NAAM             Waar de vrijwilliger woont.\n" in out
    assert "  --available HALVE-DAG  " in out and "bv. maandag-vm, donderdag-nm;" in out
    assert "  --joined DATUM  " in out
    _, out, _ = run("--lang", "nl", "review", "--help")
    assert "--kind start|zes-maanden|afrondingsgesprek|verlenging|andere\n" in out
    assert "  --score DOMEIN=N  " in out and "netwerk=3" in out
    _, out, _ = run("--lang", "nl", "volunteer", "stop", "--help")
    assert "(DATUM is de laatste actieve dag)" in out
    _, out, _ = run("--lang", "en", "volunteer", "add", "--help")
    assert "  --gender f|m|x  " in out and "  --municipality NAME  " in out
