"""`hs report`: the annual page as self-contained HTML (checked in headless Chromium) and
as Markdown."""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from hs.app.kpi import KpiCounts
from hs.app.report import (
    COLOURS,
    Context,
    _profile_note,
    fmt_count,
    fmt_share,
    signals_note,
    wrap_label,
)
from hs.cli import app
from tests.app.test_kpi import build_year
from tests.conftest import commit_all, git


@pytest.fixture
def year_repo(empty_repo: Path) -> Path:
    build_year(empty_repo)
    commit_all(empty_repo, "records of 2025")
    return empty_repo


def report(root: Path, *args: str, lang: str | None = None) -> tuple[int, str, str]:
    pre = ["--lang", lang] if lang else []
    result = CliRunner().invoke(app, [*pre, "report", *args, "--repo", str(root)])
    return result.exit_code, result.stdout, result.stderr


def test_html_is_self_contained_and_dutch_by_default(year_repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "cijfers.html"
    code, stdout, err = report(year_repo, "--year", "2025", "--out", str(out))
    assert code == 0, err
    assert stdout == ""
    assert err == f"wrote {out}\n"
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert '<html lang="nl">' in page
    assert "<title>Home-Start in cijfers 2025</title>" in page
    # no external asset: no script, stylesheet link, image, font or remote URL
    for bad in ("<script", "<link", "<img", "@import", "url(", "src="):
        assert bad not in page
    assert set(re.findall(r"https?://[^\"' )]+", page)) == {"http://www.w3.org/2000/svg"}
    assert "@media print" in page
    # every section and its chart
    for part in ('id="headline"', 'id="path"', 'id="profile"', 'id="volunteers"',
                 'id="referrers"', 'id="impact"', 'id="locations"',
                 'class="chart profile-chart"', 'class="chart gender-chart"',
                 'class="chart age-chart"', 'class="chart referrers-chart"',
                 'class="chart impact-chart"'):
        assert part in page, part
    assert "<b>4</b><span>Gezinnen ondersteund</span>" in page
    assert "<b>1,30</b><span>Fte lokale coördinatoren</span>" in page
    assert ">Alleenstaand ouderschap<" in page
    assert "<td>Herent</td>" in page and "<td>Leuven</td>" in page
    head = git(year_repo, "rev-parse", "HEAD").strip()
    assert f"werkmap op HEAD <code>{head}</code>" in page


def test_english_with_lang_and_a_revision(year_repo: Path) -> None:
    git(year_repo, "tag", "report-2025")
    head = git(year_repo, "rev-parse", "HEAD").strip()
    code, page, _ = report(year_repo, "--year", "2025", "--rev", "report-2025", lang="en")
    assert code == 0
    assert "<title>Home-Start in figures 2025</title>" in page
    assert f"Computed with hs from commit <code>{head}</code> (report-2025)." in page


def test_one_location_has_no_location_table(year_repo: Path) -> None:
    code, page, _ = report(year_repo, "--year", "2025", "--location", "herent")
    assert code == 0
    assert "Home-Start Herent \u00b7 1 januari 2025 tot en met 31 december 2025" in page
    assert 'id="locations"' not in page


def test_markdown(year_repo: Path) -> None:
    code, text, _ = report(year_repo, "--year", "2025", "--format", "markdown", lang="en")
    assert code == 0
    assert text.startswith("# Home-Start in figures 2025\n\nAll locations \u00b7 "
                           "1 January 2025 to 31 December 2025\n")
    assert "| Families supported | 4 |" in text
    assert "| Home language other than Dutch | 75% | " + "\u2588" * 15 + " |" in text
    assert "| Widening the network | 2.00 | 3.00 | +1.00 |" in text
    assert "## Per location" in text
    assert "| **Total** | **4** | **6** | **9** |" in text
    head = git(year_repo, "rev-parse", "HEAD").strip()
    assert " ".join(text.split()).endswith(
        f"Computed with hs from working tree at HEAD {head}.")  # wrapped at 80 columns
    assert [line for line in text.splitlines() if len(line) > 80] == []


def test_report_from_exports(year_repo: Path, tmp_path: Path) -> None:
    files = []
    for loc in ("leuven", "herent"):
        path = tmp_path / f"{loc}.yaml"
        CliRunner().invoke(app, ["kpi", "--year", "2025", "--location", loc, "--export",
                                 str(path), "--repo", str(year_repo)])
        files.append(str(path))
    code, page, err = report(year_repo, "--from", *files)
    assert code == 0, err
    assert "Samengevoegd uit de exacte exports van 2 werkingen" in page
    assert "<b>4</b><span>Gezinnen ondersteund</span>" in page
    code, direct, err = report(year_repo, "--year", "2025")
    assert code == 0, err
    national = page[:page.index('<footer id="revision">')]
    assert national == direct[:direct.index('<footer id="revision">')]  # the same page


def test_close_reasons_and_an_impact_without_data(year_repo: Path) -> None:
    code, page, err = report(year_repo, "--year", "2025", "--as-of", "2025-03-01")
    assert code == 0, err
    impact = page[page.index('<section id="impact"'):]
    impact = impact[:impact.index("</section>")]
    assert "<svg" not in impact and "Geen gegevens." in impact  # nothing closed yet
    code, page, err = report(year_repo, "--year", "2025")
    closing = page[page.index('<section id="close-reasons"'):]
    closing = closing[:closing.index("</section>")]
    assert "Redenen van afsluiting" in closing and "close-reasons-chart" in closing
    code, md, err = report(year_repo, "--year", "2025", "--format", "markdown")
    assert "## Redenen van afsluiting" in md and "## Trajecten per soort" in md


def test_public_page_hides_small_counts(year_repo: Path) -> None:
    code, page, err = report(year_repo, "--year", "2025", "--public")
    assert code == 0, err
    assert "Om te publiceren: aantallen van 1 tot 4 zijn verborgen" in page
    per_location = page[page.index('<section id="locations"'):]
    assert "<td>Herent</td><td>&lt;5</td>" in per_location


def test_report_errors(year_repo: Path) -> None:
    code, _, err = report(year_repo, "--year", "2025", "--format", "pdf")
    assert code == 2 and "'pdf' is not one of html, markdown" in err
    code, _, err = report(year_repo)
    assert code == 2 and "--year is required" in err


def test_an_out_file_that_cannot_be_written(year_repo: Path, tmp_path: Path) -> None:
    """--out is written atomically (hs.app.kpi.write_atomic): a one-line error in the user's
    language, and no file, not even a temporary one."""
    target = tmp_path / "missing" / "cijfers.html"
    code, out, err = report(year_repo, "--year", "2025", "--out", str(target), lang="nl")
    assert (code, out) == (1, "")
    assert err.startswith(f"hs: {target}: kan niet schrijven: ") and err.count("\n") == 1
    code, _, err = report(year_repo, "--year", "2025", "--out", str(tmp_path), lang="en")
    assert code == 1 and err.startswith(f"hs: {tmp_path}: cannot write: ")
    assert [p.name for p in tmp_path.iterdir()] == [year_repo.name]  # no temporary file


def test_the_source_table_is_in_the_language_asked(year_repo: Path) -> None:
    """Every row of the source table, the revision too, follows --lang."""
    from hs.app.kpi import Revision, compute
    from hs.app.report import Context, kpi_tables
    from hs.store.load import load_tree

    counts = compute(load_tree(year_repo).index, 2025,
                     revision=Revision("c" * 40, None, dirty=True))
    source = kpi_tables(counts, None, Context(lang="nl"))[0]
    assert [(r["figure"], r["value"]) for r in source.rows][-1] == (
        "Versie", f"werkmap op HEAD {'c' * 40}, met niet-vastgelegde wijzigingen")
    source = kpi_tables(counts, None, Context(lang="en"))[0]
    assert source.rows[-1]["value"] == \
        f"working tree at HEAD {'c' * 40}, with uncommitted changes"


def test_formatting() -> None:
    assert fmt_count(10984, "nl") == "10.984"
    assert fmt_count(10984, "en") == "10,984"
    from hs.app.kpi import Range

    assert fmt_count(Range(1, 4), "nl") == "<5"
    assert fmt_count(Range(6, 12), "en") == "6\u201312"
    assert fmt_share(0.485, "nl", 1) == "48,5%"
    assert fmt_share(None, "nl") == "\u2013"
    assert wrap_label("Betrokkenheid jeugdhulp (SDJ, VK, OCJ, Veilig Huis)") == [
        "Betrokkenheid jeugdhulp (SDJ,", "VK, OCJ, Veilig Huis)"]


# --- the page in a real browser ----------------------------------------------------------


def read_png(path: Path) -> np.ndarray:  # type: ignore[type-arg]
    """The RGB pixels of an 8-bit, non-interlaced RGB or RGBA PNG (as Chromium writes)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, ihdr = 8, [], None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
    assert ihdr is not None
    width, height, depth, ctype, _, _, interlace = ihdr
    assert depth == 8 and interlace == 0 and ctype in (2, 6)
    bpp = 3 if ctype == 2 else 4
    stride = width * bpp
    rows = np.frombuffer(zlib.decompress(b"".join(idat)), dtype=np.uint8)
    rows = rows.reshape(height, stride + 1)
    out = np.zeros((height, stride), dtype=np.uint8)
    prev = np.zeros(stride, dtype=np.uint8)
    for y in range(height):
        kind_, line = rows[y, 0], rows[y, 1:]
        if kind_ == 0:
            cur = line.copy()
        elif kind_ == 1:  # sub: a running sum per channel
            cur = line.reshape(-1, bpp).cumsum(axis=0, dtype=np.uint8).reshape(-1)
        elif kind_ == 2:  # up
            cur = line + prev
        else:  # average or Paeth: byte by byte
            raw, up, rec = line.tolist(), prev.tolist(), [0] * stride
            for i in range(stride):
                a = rec[i - bpp] if i >= bpp else 0
                b = up[i]
                if kind_ == 3:
                    rec[i] = (raw[i] + ((a + b) >> 1)) & 255
                else:
                    c = up[i - bpp] if i >= bpp else 0
                    pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                    pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                    rec[i] = (raw[i] + pred) & 255
            cur = np.array(rec, dtype=np.uint8)
        out[y] = cur
        prev = cur
    return out.reshape(height, width, bpp)[:, :, :3]


def pixels_of(img: np.ndarray, colour: str) -> tuple[np.ndarray, np.ndarray]:  # type: ignore[type-arg]
    rgb = np.array([int(colour[i:i + 2], 16) for i in (1, 3, 5)])
    mask = np.all(np.abs(img.astype(int) - rgb) <= 3, axis=2)
    ys, xs = np.nonzero(mask)
    return ys, xs


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed "
                    "(Debian: apt-get install chromium); CI installs it")
def test_screenshot_in_headless_chromium(year_repo: Path, tmp_path: Path) -> None:
    page = tmp_path / "cijfers.html"
    png = tmp_path / "cijfers.png"
    code, _, _ = report(year_repo, "--year", "2025", "--out", str(page))
    assert code == 0
    assert CHROMIUM is not None
    subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}",
         f"--screenshot={png}", "--window-size=1200,2000", page.as_uri()],
        check=True, capture_output=True, timeout=120)
    img = read_png(png)
    assert img.shape == (2000, 1200, 3)
    # not blank: mostly white paper, but a good part ink and colour
    white = np.all(img >= 250, axis=2).mean()
    assert 0.5 < white < 0.97
    # every chart is drawn in its colour, in the expected place
    found = {name: pixels_of(img, colour) for name, colour in COLOURS.items()}
    for name in ("path", "profile", "gender-f", "gender-m", "gender-x", "age", "referrers",
                 "impact-end"):
        ys, _ = found[name]
        assert len(ys) >= 300, f"{name}: {len(ys)} pixels of {COLOURS[name]}"

    def centre(name: str) -> tuple[float, float]:
        ys, xs = found[name]
        return float(np.median(ys)), float(np.median(xs))

    path, profile, gender = centre("path"), centre("profile"), centre("gender-f")
    age, referrers, impact = centre("age"), centre("referrers"), centre("impact-end")
    assert path[1] < 600 < profile[1]  # side by side
    assert gender[1] < 600 < referrers[1]
    assert path[0] < gender[0] < age[0] < impact[0]  # top to bottom
    assert profile[0] < referrers[0] < impact[0]
    assert impact[0] < 1900  # the whole page up to the impact chart is on screen


def test_a_table_per_municipality(year_repo: Path) -> None:
    code, page, err = report(year_repo, "--year", "2025", "--location", "leuven",
                             "--by-municipality")
    assert code == 0, err
    table = page[page.index('<section id="municipalities"'):]
    table = table[:table.index("</section>")]
    assert "<h2>Per gemeente</h2>" in table
    assert "<td>Kessel-Lo</td><td>1</td><td>2</td>" in table
    assert "<td>Onbekend of elders</td>" in table
    code, md, err = report(year_repo, "--year", "2025", "--location", "leuven",
                           "--by-municipality", "--public", "--format", "markdown")
    assert code == 0, err
    assert "| Kessel-Lo | <5 | <5 |" in md


def test_public_markdown_page_of_the_demo_hides_small_signal_counts(demo_repo: Path) -> None:
    """A hidden count is a range: the signals' text bars took it for a number (TypeError)."""
    code, md, err = report(demo_repo, "--year", "2025", "--public", "--format", "markdown")
    assert code == 0, err
    signals = md[md.index("## Signalen uit de gezinnen"):]
    signals = signals[:signals.index("\n## ")]
    assert "| Kinderopvang | 5 | ████████████████████ |" in signals
    assert "| Betaalbare huisvesting | <5 | ████ |" in signals
    assert "signalen in totaal" in signals


@pytest.mark.parametrize("args", [(), ("--public",), ("--by-municipality", "--location",
                                                      "herkenrode")])
def test_markdown_page_of_the_demo_fits_80_columns(demo_repo: Path, args: tuple[str, ...]
                                                  ) -> None:
    """Notes are wrapped and a table with a column per location or municipality is split
    in tables that fit; each keeps the first column."""
    for lang in ("nl", "en"):
        code, md, err = report(demo_repo, "--year", "2025", "--format", "markdown", *args,
                               lang=lang)
        assert code == 0, err
        assert [line for line in md.splitlines() if len(line) > 80] == []
    code, md, err = report(demo_repo, "--year", "2025", "--format", "markdown", *args)
    per = md[md.index("## Per "):md.index("\n---\n")]
    tables = per.split("\n\n")[1:]
    assert len(tables) == 2
    first = "Gemeente" if "--by-municipality" in args else "Werking"
    assert all(t.startswith(f"| {first} | ") for t in tables)
    assert tables[1].startswith(f"| {first} | Afgesloten | ")


def test_notes_say_one_in_the_singular() -> None:
    """One family, one signal: no "1 signals" or "1 families"."""
    c = KpiCounts.__new__(KpiCounts)
    object.__setattr__(c, "year", 2025)
    object.__setattr__(c, "extra", {"signal_counts": {"housing": 1}})
    object.__setattr__(c, "families", 1)
    object.__setattr__(c, "profile", {"perinatal": 0})
    assert signals_note(c, Context(lang="nl")) == \
        "Gezinnen met een signaal over het thema in 2025; 1 signaal in totaal."
    assert signals_note(c, Context(lang="en")).endswith("; 1 signal in all.")
    assert _profile_note(c, Context(lang="en")).startswith("Share of the 1 family supported;")
    object.__setattr__(c, "extra", {"signal_counts": {"housing": 2}})
    assert signals_note(c, Context(lang="nl")).endswith("; 2 signalen in totaal.")


def test_big_numbers_on_the_html_page_have_a_thousands_separator(year_repo: Path) -> None:
    """1234 reads "1.234" in Dutch and "1,234" in English on the page (tiles, charts,
    tables: hs.base.readable through fmt_count), never "1234"."""
    import dataclasses

    from hs.app.kpi import compute_by_location
    from hs.app.report import render_html
    from hs.store.load import load_tree

    total, parts = compute_by_location(load_tree(year_repo).index, 2025)

    def big(c: KpiCounts) -> KpiCounts:
        changes: dict[str, object] = {}
        for f in dataclasses.fields(c):
            v = getattr(c, f.name)
            if isinstance(v, int) and not isinstance(v, bool) and f.name != "year":
                changes[f.name] = v * 1000 + 234
            elif isinstance(v, dict) and v and all(
                    isinstance(x, int) and not isinstance(x, bool) for x in v.values()):
                changes[f.name] = type(v)({k: x * 1000 + 234 for k, x in v.items()})
        return dataclasses.replace(c, **changes)  # type: ignore[arg-type]

    for lang, sep in (("nl", "."), ("en", ",")):
        page = render_html(big(total), {k: big(v) for k, v in parts.items()},
                           Context(lang=lang))
        text = re.sub(r"<style.*?</style>|<[^>]+>", "\n", page, flags=re.S)
        bare = [w for w in re.findall(r"\d+(?:[.,]\d+)*", text)
                if re.fullmatch(r"\d{4,}", w) and not re.fullmatch(r"20[0-9]{2}", w)
                and len(w) < 40]
        assert bare == [], (lang, bare[:5])
        tiles = re.findall(r'class="tile"><b>([^<]*)', page)
        assert f"{total.families}{sep}234" in tiles, (lang, tiles)
