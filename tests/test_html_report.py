"""The HTML page of a scan (``gds.html_report``, ``gds scan/validate --html``): its structure parsed with lxml,
then the page opened in headless Chromium, its script run, filters and sorting driven from the address."""

from __future__ import annotations

import copy
import os
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlencode

import lxml.html
import pandas as pd
import pytest

import gov_disclosure_stats as gds
from gov_disclosure_stats.cli import main
from gov_disclosure_stats.show.display import report_html
from gov_disclosure_stats.show.html_report import _hoist_styles

from .conftest import SAMPLE, edited

TYPO = "requests.granted.natural_person"  # 297 misprinted as 279 in typo.txt
BROKEN = "review_litigation.review.total"  # 12 changed to 13 in 2023.txt


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample, a copy with a wrong cell, next year's copy with a wrong total, an empty file, a cut page."""
    root = tmp_path_factory.mktemp("scan")
    reports = root / "reports"
    reports.mkdir()
    text = SAMPLE.read_text("utf-8")
    (reports / "2022.txt").write_text(text, "utf-8")
    (reports / "typo.txt").write_text(edited(text, "\n\t297\n", "\n\t279\n"), "utf-8")
    lines = text.splitlines(keepends=True)
    assert lines[411].strip() == "12"
    lines[411] = lines[411].replace("12", "13")
    later = "".join(lines).replace("2022年政府信息公开工作年度报告", "2023年政府信息公开工作年度报告")
    (reports / "2023.txt").write_text(later, "utf-8")
    (reports / "empty.txt").write_text("", "utf-8")
    (reports / "cut.html").write_text(
        "<html><body><h2>三、收到和处理政府信息公开申请情况</h2><table><tr><td>一", "utf-8"
    )
    return reports


@pytest.fixture(scope="module")
def scanned(folder: Path) -> tuple[gds.ReportSet, pd.DataFrame]:
    return gds.load_many(folder, progress=False)


@pytest.fixture(scope="module")
def page(scanned: tuple[gds.ReportSet, pd.DataFrame], tmp_path_factory: pytest.TempPathFactory) -> Path:
    reports, failures = scanned
    path = tmp_path_factory.mktemp("page") / "report.html"
    gds.html_report(reports, failures=failures, path=path)
    return path


def _rows(tree: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    return tree.xpath('//table[@id="gds-reports"]/tbody/tr')


def _cell(tree: lxml.html.HtmlElement, report: str, code: str) -> lxml.html.HtmlElement:
    found = tree.xpath(f'//section[@class="gds-failing-report"]//div[@data-report="{report}"]//td[@data-cell="{code}"]')
    assert len(found) == 1, (report, code, len(found))
    return found[0]


# -- the page's structure, without a browser --------------------------------------------------------------


def test_every_report_and_every_failure_is_a_row(page: Path, scanned: tuple) -> None:
    reports, failures = scanned
    tree = lxml.html.fromstring(page.read_bytes())
    rows = {row.get("data-report"): row for row in _rows(tree)}
    assert set(rows) == {r.report_id for r in reports} | set(failures["file"])
    assert len(rows) == 5 and len(failures) == 2
    assert rows["typo.txt"].get("data-verdict").split() == ["fail", "fixes"]
    assert "pass" in rows["2022.txt"].get("data-verdict").split()
    for file in failures["file"]:
        assert rows[file].get("data-verdict") == "notloaded"
        assert "LoadError" in rows[file].text_content()
    assert "北京市石景山区人民政府" in rows["2023.txt"].text_content()
    assert rows["typo.txt"].get("data-rules").split() == ["requests.row_total", "requests.outcome_total"]
    # the suggested correction in the row, and the link to the drawn tables
    assert f"{TYPO} 279 → 297" in rows["typo.txt"].text_content()
    (link,) = rows["typo.txt"].xpath(".//a/@href")
    assert tree.xpath(f'//section[@id="{link[1:]}"]//div[@data-report="typo.txt"]')


def test_summary_counts_and_rule_rates(page: Path) -> None:
    tree = lxml.html.fromstring(page.read_bytes())
    boxes = tree.xpath('//section[@id="summary"]//div[@data-count]')
    counts = {box.get("data-count"): int(box.xpath("string(./b)").replace(",", "")) for box in boxes}
    assert counts == {"files": 5, "loaded": 3, "passing": 1, "failing": 2, "warnings": 1, "issues": 0, "notloaded": 2}
    rates = {
        row.xpath("string(./td[1])").split(" ", 1)[1]: [td.text_content() for td in row.xpath("./td")]
        for row in tree.xpath('//table[contains(@class, "gds-rates")]/tbody/tr')
    }
    assert set(rates) == {r.id for r in gds.catalog()}
    # requests.row_total: 3 reports x 25 rows, one fails (typo.txt)
    assert rates["requests.row_total"][2:] == ["75", "74", "1", "0", "1.3%", "1"]
    assert rates["requests.group_subtotal"][6] == "—"  # nothing checked: no rate
    assert tree.xpath('//a[@data-rule-link="requests.row_total"]')
    assert not tree.xpath('//a[@data-rule-link="requests.balance"]')  # no failure: nothing to filter for


def test_failing_cells_highlighted_with_corrections(page: Path) -> None:
    tree = lxml.html.fromstring(page.read_bytes())
    drawn = [s.xpath("string(./h3)") for s in tree.xpath('//section[@class="gds-failing-report"]')]
    assert drawn == ["2023.txt", "typo.txt"]  # the failing reports only, in the table's order
    cell = _cell(tree, "typo.txt", TYPO)
    assert {"gds-hard", "gds-corrected"} <= set(cell.get("class").split())
    assert "gds-anchor" in _cell(tree, "typo.txt", "requests.granted.total").get("class").split()  # reported there
    assert cell.xpath("string(.//span[contains(@class, 'gds-current')])") == "279"
    assert cell.xpath("string(.//span[contains(@class, 'gds-suggested')])") == "297"
    assert "requests.row_total" in cell.get("title")
    total = _cell(tree, "2023.txt", BROKEN)
    assert "gds-hard" in total.get("class").split()
    assert total.xpath("string(.//span[contains(@class, 'gds-suggested')])") == "12"
    assert "gds-hard" not in _cell(tree, "typo.txt", "requests.new.total").get("class").split()


def test_no_network_reference(page: Path) -> None:
    html = page.read_text("utf-8")
    tree = lxml.html.fromstring(html.encode())
    assert not tree.xpath("//*[@src]") and not tree.xpath("//link") and not tree.xpath("//iframe | //object")
    assert all(href.startswith("#") for href in tree.xpath("//@href"))
    styles = "".join(tree.xpath("//style/text()")) + "".join(tree.xpath("//@style"))
    assert "url(" not in styles and "@import" not in styles
    (csp,) = tree.xpath('//meta[@http-equiv="Content-Security-Policy"]/@content')
    assert "default-src 'none'" in csp
    assert not re.search(r"https?://", html)


def test_display_styles_become_classes_of_the_same_look(scanned: tuple) -> None:
    reports, _ = scanned
    typo = next(r for r in reports if r.report_id == "typo.txt")
    drawn = report_html(typo, gds.validate(typo), gds.localize(typo))
    styles: dict[str, str] = {}
    hoisted = _hoist_styles(drawn, styles)
    assert "style=" not in hoisted and len(hoisted) < 0.7 * len(drawn)
    css = {name: style for style, name in styles.items()}
    before = lxml.html.fragment_fromstring(drawn, create_parent="div").iter()
    after = lxml.html.fragment_fromstring(hoisted, create_parent="div").iter()
    for old, new in zip(before, after, strict=True):
        assert old.tag == new.tag and old.text == new.text and old.get("title") == new.get("title")
        classes = (new.get("class") or "").split()
        hoisted_style = [css[c] for c in classes if c in css]
        assert hoisted_style == ([old.get("style")] if old.get("style") else [])
        assert [c for c in classes if c not in css] == (old.get("class") or "").split()


def test_texts_are_escaped(scanned: tuple) -> None:
    reports, _ = scanned
    hostile = copy.copy(next(r for r in reports if r.report_id == "typo.txt"))
    hostile.agency = '<img src=x onerror="alert(1)">&'
    html = gds.html_report([hostile], title="<script>alert(1)</script>")
    tree = lxml.html.fromstring(html.encode())
    assert not tree.xpath("//img") and len(tree.xpath("//script")) == 1
    assert '<img src=x onerror="alert(1)">&' in tree.xpath('string(//table[@id="gds-reports"]/tbody/tr/td[3])')


def test_at_most_max_tables_drawn(scanned: tuple) -> None:
    reports, failures = scanned
    html = gds.html_report(reports, failures=failures, max_tables=1, suggest=False)
    tree = lxml.html.fromstring(html.encode())
    assert [s.xpath("string(./h3)") for s in tree.xpath('//section[@class="gds-failing-report"]')] == ["2023.txt"]
    assert "the other 1: see their rows above" in tree.xpath('string(//section[@id="failing"])')
    assert not tree.xpath('//tr[@data-report="typo.txt"]//a')  # not drawn: no link
    assert "gds-corrected" not in html  # suggest=False: no corrections
    passing = gds.html_report([next(r for r in reports if r.report_id == "2022.txt")])
    assert "no report fails a hard rule" in passing and 'class="gds-failing-report"' not in passing
    with pytest.raises(ValueError, match="max_tables"):
        gds.html_report(reports, max_tables=-1)


# -- the commands ---------------------------------------------------------------------------------------


def test_gds_scan_html(folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    inside = folder / "scan.html"  # a page written inside the folder is not loaded as a report
    try:
        assert main(["scan", str(folder), "--html", str(inside), "--no-progress"]) == 2
        assert (
            main(["scan", str(folder), "--html", str(inside), "--out", str(tmp_path / "r.csv"), "--no-progress"]) == 2
        )
        out = capsys.readouterr().out
        assert f"写入 written: {tmp_path / 'r.csv'}" in out and str(inside) in out
        tree = lxml.html.fromstring(inside.read_bytes())
        assert len(_rows(tree)) == 5  # still 3 reports and 2 failures: the first page was not scanned
        assert f"gds scan {folder}" in tree.xpath("string(//h1)")
        assert (tmp_path / "r_reports.csv").exists()
    finally:
        inside.unlink(missing_ok=True)
    assert main(["scan", str(folder), "--no-progress"]) == 2
    assert "--out, --html or both" in capsys.readouterr().err


def test_gds_validate_html(folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "v.html"
    files = [str(folder / "typo.txt"), str(folder / "2022.txt")]
    assert main(["validate", *files, "--format", "json", "--html", str(path)]) == 1
    captured = capsys.readouterr()
    assert captured.out.startswith("{") and f"写入 written: {path}" in captured.err  # stdout stays JSON
    tree = lxml.html.fromstring(path.read_bytes())
    assert {r.get("data-report") for r in _rows(tree)} == {"typo.txt", "2022.txt"}
    assert _cell(tree, "typo.txt", TYPO).xpath("string(.//span[contains(@class, 'gds-suggested')])") == "297"
    assert main(["validate", str(folder / "empty.txt"), "--html", str(path)]) == 2
    tree = lxml.html.fromstring(path.read_bytes())
    assert [r.get("data-verdict") for r in _rows(tree)] == ["notloaded"]
    for wrong in (str(tmp_path / "v.txt"), str(tmp_path / "missing" / "v.html")):
        with pytest.raises(SystemExit) as stop:
            main(["validate", files[0], "--html", wrong])
        assert stop.value.code == 2
    assert "extension should be .html" in capsys.readouterr().err


# -- in a real browser ----------------------------------------------------------------------------------

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="no chromium here (apt-get install chromium; .ci/run installs it)"
)


def chromium(url: str, profile: Path, *options: str) -> str:
    """Chromium's headless run of ``url``; its stdout (the DOM after the scripts ran, with ``--dump-dom``)."""
    command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"]
    command += ["--disable-background-networking", "--disable-component-update", "--disable-sync"]
    command += [f"--user-data-dir={profile}", *options, url]
    env = {k: v for k, v in os.environ.items() if k != "DBUS_SESSION_BUS_ADDRESS"}
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, env=env, check=True)
    return done.stdout


def rendered(page: Path, profile: Path, **query: str) -> lxml.html.HtmlElement:
    url = page.as_uri() + (f"?{urlencode(query)}" if query else "")
    return lxml.html.fromstring(chromium(url, profile, "--dump-dom").encode())


def _visible(tree: lxml.html.HtmlElement) -> list[str]:
    return [row.get("data-report") for row in _rows(tree) if row.get("hidden") is None]


@needs_chromium
def test_the_browser_runs_the_page(page: Path, scanned: tuple, tmp_path: Path) -> None:
    reports, failures = scanned
    tree = rendered(page, tmp_path / "profile")
    (table,) = tree.xpath('//table[@id="gds-reports"]')
    assert table.get("data-gds-ready") == "1", "the page's script did not run"
    assert table.get("data-shown") == "5" and tree.xpath('string(//*[@id="gds-shown"])') == "5"
    named = tree.xpath("string(//body)")
    for name in [*(r.report_id for r in reports), *failures["file"], "北京市石景山区人民政府"]:
        assert name in named
    assert _visible(tree) == ["2022.txt", "2023.txt", "typo.txt", *failures["file"]]
    cell = _cell(tree, "typo.txt", TYPO)
    assert "gds-hard" in cell.get("class") and cell.xpath("string(.//span[contains(@class, 'gds-suggested')])")


@needs_chromium
def test_the_browser_filters_and_sorts(page: Path, tmp_path: Path) -> None:
    profile = tmp_path / "profile"
    tree = rendered(page, profile, verdict="fail", sort="hard:desc")
    assert _visible(tree) == ["typo.txt", "2023.txt"]  # 2 hard violations before 1
    (table,) = tree.xpath('//table[@id="gds-reports"]')
    assert table.get("data-sort") == "hard:desc" and table.get("data-shown") == "2"
    assert tree.xpath('//th[@data-key="hard"]/@aria-sort') == ["descending"]
    assert _visible(rendered(page, profile, rule="requests.row_total")) == ["typo.txt"]
    assert _visible(rendered(page, profile, rule="narrative.review", verdict="warn")) == ["2023.txt"]
    assert len(_visible(rendered(page, profile, q="LoadError"))) == 2
    assert _visible(rendered(page, profile, q="石景山", sort="year:desc")) == ["2023.txt", "2022.txt", "typo.txt"]
    for direction, loaded in (
        ("asc", ["2022.txt", "2023.txt", "typo.txt"]),
        ("desc", ["typo.txt", "2023.txt", "2022.txt"]),
    ):
        ordered = [row.get("data-report") for row in _rows(rendered(page, profile, sort=f"report:{direction}"))]
        assert [name for name in ordered if name in loaded] == loaded
